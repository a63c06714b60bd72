//! Contracts that list their columns (`data-platform/v1`, `data_product.yaml`): the product
//! definition, the version, and one Arrow schema built from the columns, which the product's
//! one subject (named as the product) carries, so every Arrow rule judges a change.

use std::collections::HashMap;

use arrow_schema::{Field, Schema};
use semver::Version as Semver;
use serde::Deserialize;
use serde_json::Value;

use super::columns::parse_type;
use super::forms::Form;
use crate::registry::DataProduct;

/// A columns contract read: what the registry needs of it.
#[derive(Debug)]
pub struct TableContract {
    pub product: DataProduct,
    pub version: Semver,
    /// The columns as Arrow fields; the subject is the product's name.
    pub schema: Schema,
}

impl TableContract {
    /// The columns' schema as the registry keeps it: Arrow's JSON form.
    pub fn schema_text(&self) -> String {
        crate::schema::Schema::Arrow(self.schema.clone()).normalized_form()
    }
}

/// One column as the forms write it; keys accord does not use are kept in the document only.
#[derive(Debug, Deserialize)]
struct Column {
    name: String,
    #[serde(rename = "type")]
    type_text: String,
    nullable: Option<bool>,
    required: Option<bool>,
    description: Option<String>,
    pii: Option<bool>,
    pii_tier: Option<String>,
    classification: Option<String>,
}

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
        Form::DataProductYaml => Layout {
            name: &["name"],
            domain: &["domain"],
            owner: &["owner"],
            version: &["version"],
            notice_days: None,
            columns: &["schema"],
        },
        Form::Accord => unreachable!("accord's own manifest lists schema files, not columns"),
    }
}

fn at<'a>(document: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(document, |value, key| value.get(key))
}

fn shown(path: &[&str]) -> String {
    path.join(".")
}

/// Reads a columns contract; every problem is collected, each naming the key or column.
pub fn read(form: Form, document: &Value) -> Result<TableContract, Vec<String>> {
    let layout = layout(form);
    let mut problems = Vec::new();
    let mut text = |path: &[&str]| match at(document, path) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) | None => {
            problems.push(format!("`{}` is missing", shown(path)));
            String::new()
        }
        Some(other) => {
            problems.push(format!("`{}` must be text, not `{other}`", shown(path)));
            String::new()
        }
    };
    let name = text(layout.name);
    let domain = text(layout.domain);
    let owner = text(layout.owner);
    let version_text = text(layout.version);
    let version = match Semver::parse(&version_text) {
        Ok(version) => version,
        Err(e) => {
            if !version_text.is_empty() {
                problems.push(format!(
                    "`{}`: `{version_text}` is not a semantic version ({e}); expected e.g. 1.2.0",
                    shown(layout.version)
                ));
            }
            Semver::new(0, 0, 0)
        }
    };
    let notice_days = match layout.notice_days.map(|path| (path, at(document, path))) {
        None | Some((_, None)) => DataProduct::DEFAULT_NOTICE_DAYS,
        Some((path, Some(value))) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(days) => days,
            None => {
                problems.push(format!(
                    "`{}` must be a whole number of days, not `{value}`",
                    shown(path)
                ));
                DataProduct::DEFAULT_NOTICE_DAYS
            }
        },
    };
    let fields = columns(document, layout.columns, &mut problems);
    let product = DataProduct {
        name: name.clone(),
        domain,
        owner,
        notice_days,
        overlap_days: DataProduct::DEFAULT_OVERLAP_DAYS,
        compatibility: crate::compat::Level::Backward,
        subjects: vec![name],
    };
    if problems.is_empty()
        && let Err(e) = product.validate()
    {
        problems.push(e.to_string());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(TableContract {
        product,
        version,
        schema: Schema::new(fields),
    })
}

/// The columns at `path` as Arrow fields: the type from its spelling, nullability from
/// `nullable` or `required` (nullable unless said otherwise), and the description, PII flag
/// and classification as field metadata, where changes to them are seen.
fn columns(document: &Value, path: &[&str], problems: &mut Vec<String>) -> Vec<Field> {
    let list = match at(document, path) {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None => {
            problems.push(format!("`{}` lists no column", shown(path)));
            return Vec::new();
        }
        Some(_) => {
            problems.push(format!("`{}` must be a list of columns", shown(path)));
            return Vec::new();
        }
    };
    let mut fields: Vec<Field> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, value) in list.iter().enumerate() {
        let place = format!("`{}[{i}]`", shown(path));
        let column: Column = match serde_json::from_value(value.clone()) {
            Ok(column) => column,
            Err(e) => {
                problems.push(format!("{place}: {e}"));
                continue;
            }
        };
        let place = format!("{place} (`{}`)", column.name);
        if seen.contains(&column.name) {
            problems.push(format!("{place}: a second column with this name"));
            continue;
        }
        seen.push(column.name.clone());
        let column_type = match parse_type(&column.type_text) {
            Ok(column_type) => column_type,
            Err(e) => {
                problems.push(format!("{place}: {e}"));
                continue;
            }
        };
        let nullable = match (column.nullable, column.required) {
            (Some(nullable), Some(required)) if nullable == required => {
                problems.push(format!(
                    "{place}: `nullable: {nullable}` and `required: {required}` contradict each other"
                ));
                continue;
            }
            (Some(nullable), _) => nullable,
            (None, Some(required)) => !required,
            (None, None) => true,
        };
        let mut metadata = HashMap::new();
        if let Some(description) = column.description.filter(|d| !d.trim().is_empty()) {
            metadata.insert("description".to_string(), description.trim().to_string());
        }
        if column.pii == Some(true) {
            metadata.insert("pii".to_string(), "true".to_string());
        }
        if let Some(class) = column.classification.or(column.pii_tier) {
            metadata.insert("classification".to_string(), class);
        }
        if let Some(length) = column_type.max_length {
            metadata.insert("max_length".to_string(), length.to_string());
        }
        fields
            .push(Field::new(column.name, column_type.data_type, nullable).with_metadata(metadata));
    }
    fields
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;

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
        let contract = read(Form::of(&doc).unwrap(), &doc).unwrap();
        assert_eq!(contract.product.name, "payments.transactions");
        assert_eq!(contract.product.domain, "payments");
        assert_eq!(contract.product.notice_days, 21);
        assert_eq!(contract.product.subjects, ["payments.transactions"]);
        assert_eq!(contract.version, Semver::new(3, 2, 0));
        let amount = contract.schema.field_with_name("amount_usd").unwrap();
        assert_eq!(amount.data_type(), &DataType::Decimal128(18, 4));
        assert!(!amount.is_nullable());
        let card = contract.schema.field_with_name("card_last_four").unwrap();
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
        let contract = read(Form::DataProductYaml, &doc).unwrap();
        assert_eq!(contract.product.notice_days, 14);
        let impressions = contract.schema.field_with_name("impressions").unwrap();
        assert_eq!(impressions.data_type(), &DataType::Int64);
        assert!(impressions.is_nullable());
    }

    #[test]
    fn every_problem_is_reported_naming_its_key_or_column() {
        let doc = document(
            "apiVersion: data-platform/v1\nkind: DataProduct\nmetadata: {name: p, domain: d}\nspec:\n  schema_version: three\n  breaking_change_notice_days: -1\n  columns:\n    - {name: a, type: VARCHAR2}\n    - {name: a, type: INT}\n    - {name: b, type: INT, nullable: true, required: true}\n    - {type: INT}\n",
        );
        let problems = read(Form::DataPlatformV1, &doc).unwrap_err();
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
