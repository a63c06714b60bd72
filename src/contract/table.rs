//! The forms that list one table's columns: the seeds' `data-platform/v1` manifest, their
//! `data_product.yaml`, and the body of the platform registration API. The columns become one
//! Arrow schema, carried by the product's one subject, named as the product.

use arrow_schema::{Field, Schema};
use serde_json::Value;

use super::columns::parse_type;
use super::document::{Reader, at, shown};
use super::fields::{field, first_of_its_name};
use super::forms::Form;
use super::{Contract, ContractSchema, Source};
use crate::registry::DataProduct;

/// Where each form keeps what accord reads, as paths of keys.
struct Layout {
    name: &'static [&'static str],
    domain: &'static [&'static str],
    owner: &'static [&'static str],
    version: &'static [&'static str],
    notice_days: Option<&'static [&'static str]>,
    columns: &'static [&'static str],
}

fn layout(form: Form) -> Layout {
    match form {
        Form::DataPlatformV1 => Layout {
            name: &["metadata", "name"],
            domain: &["metadata", "domain"],
            owner: &["metadata", "owner"],
            version: &["spec", "schema_version"],
            notice_days: Some(&["spec", "breaking_change_notice_days"]),
            columns: &["spec", "columns"],
        },
        Form::Registration => Layout {
            name: &["name"],
            domain: &["domain"],
            owner: &["owner"],
            version: &["schema_version"],
            notice_days: Some(&["breaking_change_notice_days"]),
            columns: &["columns"],
        },
        _ => Layout {
            name: &["name"],
            domain: &["domain"],
            owner: &["owner"],
            version: &["version"],
            notice_days: None,
            columns: &["schema"],
        },
    }
}

/// Reads a form that lists one table's columns.
pub(crate) fn read(form: Form, reader: &mut Reader) -> Contract {
    let layout = layout(form);
    let name = reader.text(&[layout.name]);
    let domain = reader.text(&[layout.domain]);
    let owner = reader.text(&[layout.owner]);
    let version = reader.version(&[layout.version]);
    if version.is_none() && reader.problems.is_empty() {
        reader.problem(format!("`{}` is missing", shown(layout.version)));
    }
    let notice_days = layout
        .notice_days
        .and_then(|path| reader.days(path))
        .unwrap_or(DataProduct::DEFAULT_NOTICE_DAYS);
    let fields = columns(reader, layout.columns);
    let product = DataProduct {
        notice_days,
        ..DataProduct::new(name.clone(), domain, owner, vec![name.clone()])
    };
    Contract {
        form,
        product,
        version,
        schemas: vec![ContractSchema {
            subject: name,
            field_keys: (0..fields.len())
                .map(|i| format!("{}[{i}]", shown(layout.columns)))
                .collect(),
            source: Source::Columns(Schema::new(fields)),
        }],
        document: reader.root.clone(),
        upstream: None,
    }
}

/// The columns at `path` as Arrow fields.
fn columns(reader: &mut Reader, path: &[&str]) -> Vec<Field> {
    let list = match at(reader.root, path) {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None => {
            reader.problem(format!("`{}` lists no column", shown(path)));
            return Vec::new();
        }
        Some(_) => {
            reader.problem(format!("`{}` must be a list of columns", shown(path)));
            return Vec::new();
        }
    };
    let mut fields = Vec::new();
    let mut seen = Vec::new();
    for (i, value) in list.iter().enumerate() {
        let place = format!("`{}[{i}]`", shown(path));
        let Some(column) = value.as_object() else {
            reader.problem(format!(
                "{place}: a column is a mapping with `name` and `type`"
            ));
            continue;
        };
        let Some(name) = column.get("name").and_then(Value::as_str) else {
            reader.problem(format!("{place}: missing field `name`"));
            continue;
        };
        let place = format!("{place} (`{name}`)");
        if !first_of_its_name(&mut seen, name, &place, &mut reader.problems) {
            continue;
        }
        let Some(type_text) = column.get("type").and_then(Value::as_str) else {
            reader.problem(format!("{place}: missing field `type`"));
            continue;
        };
        match parse_type(type_text) {
            Ok(column_type) => fields.extend(field(
                name,
                column_type,
                &[column],
                &place,
                &mut reader.problems,
            )),
            Err(e) => reader.problem(format!("{place}: {e}")),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;
    use crate::contract::{Source, read as read_document};

    fn columns(contract: &crate::contract::Contract) -> &Schema {
        match &contract.schemas[0].source {
            Source::Columns(schema) => schema,
            other => panic!("{other:?}"),
        }
    }

    fn document(yaml: &str) -> Value {
        yaml_serde::from_str(yaml).unwrap()
    }

    const TRANSACTIONS: &str = r##"
apiVersion: data-platform/v1
kind: DataProduct
metadata: {name: payments.transactions, domain: payments, owner: payments-engineering, slack: "#payments-eng"}
spec:
  schema_version: "3.2.0"
  breaking_change_notice_days: 21
  columns:
    - {name: transaction_id, type: VARCHAR(36), nullable: false, pii: false, description: "UUID. Primary key."}
    - {name: amount_usd, type: "NUMERIC(18, 4)", nullable: false, pii: false}
    - {name: card_last_four, type: VARCHAR(4), nullable: true, pii: true, pii_tier: confidential}
"##;

    #[test]
    fn a_data_platform_manifest_becomes_a_product_and_an_arrow_schema() {
        let doc = document(TRANSACTIONS);
        let contract = read_document(&doc).unwrap();
        assert_eq!(contract.product.name, "payments.transactions");
        assert_eq!(contract.product.domain, "payments");
        assert_eq!(contract.product.notice_days, 21);
        assert_eq!(contract.product.subjects, ["payments.transactions"]);
        assert_eq!(contract.version, Some(semver::Version::new(3, 2, 0)));
        let amount = columns(&contract).field_with_name("amount_usd").unwrap();
        assert_eq!(amount.data_type(), &DataType::Decimal128(18, 4));
        assert!(!amount.is_nullable());
        let card = columns(&contract)
            .field_with_name("card_last_four")
            .unwrap();
        assert!(card.is_nullable());
        assert_eq!(card.metadata()["pii"], "true");
        assert_eq!(card.metadata()["classification"], "confidential");
        assert_eq!(card.metadata()["max_length"], "4");
    }

    #[test]
    fn a_data_product_yaml_becomes_a_product_with_nullable_columns() {
        let doc = document(
            "name: marketing_campaign_performance\nversion: \"2.1.0\"\nowner: marketing-data@company.com\ndomain: marketing\nschema:\n  - {name: campaign_id, type: STRING}\n  - {name: impressions, type: INT64}\n",
        );
        assert_eq!(Form::of(&doc), Ok(Form::DataProductYaml));
        let contract = read_document(&doc).unwrap();
        assert_eq!(contract.product.notice_days, 14);
        let impressions = columns(&contract).field_with_name("impressions").unwrap();
        assert_eq!(impressions.data_type(), &DataType::Int64);
        assert!(impressions.is_nullable());
    }

    #[test]
    fn every_problem_is_reported_naming_its_key_or_column() {
        let doc = document(
            "apiVersion: data-platform/v1\nkind: DataProduct\nmetadata: {name: p, domain: d}\nspec:\n  schema_version: three\n  breaking_change_notice_days: -1\n  columns:\n    - {name: a, type: VARCHAR2}\n    - {name: a, type: INT}\n    - {name: b, type: INT, nullable: true, required: true}\n    - {type: INT}\n",
        );
        let problems = read_document(&doc).unwrap_err();
        let expected = [
            "`metadata.owner` is missing",
            "`spec.schema_version`: `three` is not a semantic version",
            "`spec.breaking_change_notice_days` must be a whole number of days, not `-1`",
            "`spec.columns[0]` (`a`): unknown type `VARCHAR2` in column type `VARCHAR2`",
            "`spec.columns[1]` (`a`): a second column with this name",
            "`spec.columns[2]` (`b`): `nullable: true` and `required: true` contradict",
            "`spec.columns[3]`: missing field `name`",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (problem, want) in problems.iter().zip(expected) {
            assert!(problem.starts_with(want), "{problem}");
        }
    }

    #[test]
    fn a_foreign_form_accord_does_not_read_is_refused_and_the_rest_read_as_accord_s_own() {
        assert!(
            Form::of(&document("apiVersion: datamesh/v2\nkind: X\n"))
                .unwrap_err()
                .contains("`apiVersion: datamesh/v2` is not a form accord reads")
        );
        for accord_s_own in ["name: x\nschemas: []\n", "name: x\nversoin: 1.0.0\n"] {
            assert_eq!(Form::of(&document(accord_s_own)), Ok(Form::Accord));
        }
    }
}
