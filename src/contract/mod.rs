//! Contracts as domain teams write them: the manifest forms accord reads, told apart by
//! content, each mapped onto the one product model (name, domain, owner, version, windows,
//! level, subjects) and the schema of each subject: a file beside the manifest, a subject's
//! schema already in the registry, or columns, which become an Arrow schema the compatibility
//! engine judges. Reading is pure: files are read by the caller.

mod accord;
pub mod columns;
mod datamesh;
mod dcs;
pub(crate) mod document;
mod fields;
pub mod forms;
pub mod governance;
mod odcs;
pub mod positions;
mod table;

use semver::Version as Semver;
use serde_json::Value;

pub use columns::{ColumnType, TypeError, parse_type};
pub use forms::Form;

use crate::registry::{DataProduct, Upstream};
use crate::schema::Format;

/// A contract read: the product it defines, the version it declares, and where each subject's
/// schema comes from.
#[derive(Debug)]
pub struct Contract {
    pub form: Form,
    pub product: DataProduct,
    /// `None` only where the form lets a version be given at publication (`datamesh/v1`).
    pub version: Option<Semver>,
    pub schemas: Vec<ContractSchema>,
    /// The document as parsed, which governance policies judge.
    pub document: Value,
    /// The products it reads, when it lists input ports (`input_ports` or
    /// `upstream_dependencies`, at the top or under `spec`).
    pub upstream: Option<Vec<Upstream>>,
}

#[derive(Debug)]
pub struct ContractSchema {
    pub subject: String,
    pub source: Source,
    /// For columns: the manifest's key path of each top-level field (`spec.columns[2]`), where
    /// a finding about it is placed.
    pub field_keys: Vec<String>,
}

/// Where a subject's schema comes from.
#[derive(Debug)]
pub enum Source {
    /// Columns the contract lists, as an Arrow schema.
    Columns(arrow_schema::Schema),
    /// A schema file, relative to the manifest; `key` names where the manifest names it.
    File {
        format: Format,
        path: String,
        key: String,
    },
    /// The subject's current schema in the registry (a Kafka producer registered it).
    Registered { format: Format },
}

impl Source {
    /// The schema's text as the registry keeps it, for columns.
    pub fn columns_text(&self) -> Option<String> {
        match self {
            Source::Columns(schema) => {
                Some(crate::schema::Schema::Arrow(schema.clone()).normalized_form())
            }
            _ => None,
        }
    }
}

/// The input ports a manifest lists: `product@major` or `{product, major}` each.
fn input_ports(reader: &mut document::Reader) -> Option<Vec<Upstream>> {
    let (path, list) = [
        "input_ports",
        "upstream_dependencies",
        "spec.input_ports",
        "spec.upstream_dependencies",
    ]
    .iter()
    .find_map(|path| {
        let keys: Vec<&str> = path.split('.').collect();
        Some((*path, document::at(reader.root, &keys)?))
    })?;
    let Some(list) = list.as_array() else {
        reader.problem(format!("`{path}` must be a list of `product@major`"));
        return None;
    };
    let mut ports: Vec<Upstream> = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let port = match entry {
            Value::String(text) => text
                .rsplit_once('@')
                .and_then(|(product, major)| Some((product.to_string(), major.parse().ok()?))),
            Value::Object(map) => map
                .get("product")
                .and_then(Value::as_str)
                .zip(map.get("major").and_then(Value::as_u64))
                .map(|(product, major)| (product.to_string(), major)),
            _ => None,
        };
        match port {
            Some((product, _)) if ports.iter().any(|p| p.product == product) => {
                reader.problem(format!("`{path}[{i}]`: `{product}` is listed twice"));
            }
            Some((product, major)) => ports.push(Upstream { product, major }),
            None => reader.problem(format!(
                "`{path}[{i}]`: `{entry}` is not `product@major` or `{{product, major}}` (the major it reads, e.g. `payments.transactions@1`)"
            )),
        }
    }
    Some(ports)
}

/// Where the forms keep a product's description, in the order looked for.
pub(crate) const DESCRIPTION_PATHS: [&str; 5] = [
    "spec.description",
    "metadata.description",
    "description.purpose",
    "info.description",
    "description",
];

/// A product's description, as its manifest writes it.
pub fn description(document: &Value) -> Option<String> {
    DESCRIPTION_PATHS.iter().find_map(|path| {
        let keys: Vec<&str> = path.split('.').collect();
        document::at(document, &keys)?
            .as_str()
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty())
    })
}

/// A product's tags (`spec.tags`, `tags`, `info.tags`).
pub fn tags(document: &Value) -> Vec<String> {
    ["spec.tags", "tags", "info.tags"]
        .iter()
        .find_map(|path| {
            let keys: Vec<&str> = path.split('.').collect();
            document::at(document, &keys)?.as_array().cloned()
        })
        .unwrap_or_default()
        .iter()
        .filter_map(|tag| tag.as_str().map(str::to_string))
        .collect()
}

/// The subject of one of a contract's tables: the product's own name when it has one table,
/// else `<product>.<table>`.
fn subject_of_table(product: &str, table: &str, tables: usize) -> String {
    if tables == 1 {
        product.to_string()
    } else {
        format!("{product}.{table}")
    }
}

/// Reads a manifest's text (YAML, or JSON); every problem is collected, each naming the key
/// or column it is about.
pub fn read_text(text: &str) -> Result<Contract, Vec<String>> {
    let (contract, problems) = read_text_with_problems(text)?;
    checked(contract, problems)
}

/// The contract with its manifest kept in the product's definition, for the catalog.
fn keeping(mut contract: Contract, manifest: String) -> Contract {
    contract.product.manifest = Some(manifest);
    contract
}

/// [`read_text`] that returns what it could read along with the problems, so that a caller can
/// add its own (the files a manifest names) to one list. `Err` when nothing could be read.
pub fn read_text_with_problems(text: &str) -> Result<(Contract, Vec<String>), Vec<String>> {
    let written: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| vec![e.to_string()])?;
    let document: Value = serde_json::to_value(&written).map_err(|e| vec![e.to_string()])?;
    if Form::of(&document) == Ok(Form::Accord) {
        // Parsed from the text again so that an unknown or missing key is named with its line.
        let raw = yaml_serde::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut reader = document::Reader::new(&document, Some(&written));
        let upstream = input_ports(&mut reader);
        let mut problems = reader.problems;
        let mut contract = accord::read(raw, document.clone(), &mut problems);
        contract.upstream = upstream;
        return Ok((keeping(contract, text.to_string()), problems));
    }
    let (contract, problems) = read_ordered(&document, Some(&written))?;
    Ok((keeping(contract, text.to_string()), problems))
}

/// Reads a parsed manifest.
pub fn read(document: &Value) -> Result<Contract, Vec<String>> {
    let (contract, problems) = read_ordered(document, None)?;
    let manifest = serde_json::to_string_pretty(document).unwrap_or_default();
    checked(keeping(contract, manifest), problems)
}

fn read_ordered(
    document: &Value,
    written: Option<&yaml_serde::Value>,
) -> Result<(Contract, Vec<String>), Vec<String>> {
    let form = Form::of(document).map_err(|e| vec![e])?;
    let mut reader = document::Reader::new(document, written);
    let upstream = input_ports(&mut reader);
    let mut contract = match form {
        Form::Accord => {
            let raw = serde_json::from_value(document.clone()).map_err(|e| vec![e.to_string()])?;
            accord::read(raw, document.clone(), &mut reader.problems)
        }
        Form::DataPlatformV1 | Form::DataProductYaml | Form::Registration => {
            table::read(form, &mut reader)
        }
        Form::Datamesh => datamesh::read(&mut reader),
        Form::Dcs => dcs::read(&mut reader),
        Form::Odcs => odcs::read(&mut reader),
    };
    contract.upstream = upstream;
    Ok((contract, reader.problems))
}

/// The contract, if it has no problem after the product's own checks (which run once its keys
/// are read, so that a missing name is reported once).
pub fn checked(contract: Contract, mut problems: Vec<String>) -> Result<Contract, Vec<String>> {
    if problems.is_empty()
        && let Err(e) = contract.product.validate()
    {
        problems.push(e.to_string());
    }
    if problems.is_empty() {
        Ok(contract)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use arrow_schema::{DataType, Schema};

    use super::*;

    fn testdata(file: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/contracts")
                .join(file),
        )
        .unwrap()
    }

    fn columns(contract: &Contract) -> &Schema {
        match &contract.schemas[0].source {
            Source::Columns(schema) => schema,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_same_product_in_three_forms_is_one_product() {
        let forms = [
            ("transactions-3.2.0.yaml", Form::DataPlatformV1, "3.2.0"),
            ("transactions-dcs.yaml", Form::Dcs, "3.2.1"),
            ("transactions-odcs.yaml", Form::Odcs, "3.3.0"),
        ];
        let contracts: Vec<Contract> = forms
            .iter()
            .map(|(file, form, version)| {
                let contract = read_text(&testdata(file)).unwrap();
                assert_eq!(contract.form, *form);
                assert_eq!(contract.version.as_ref().unwrap().to_string(), *version);
                contract
            })
            .collect();
        let definition = |c: &Contract| DataProduct {
            sunset_waits_for_consumers: false,
            manifest: None,
            ..c.product.clone()
        };
        for contract in &contracts[1..] {
            assert_eq!(definition(contract), definition(&contracts[0]));
        }
        // DCS says what the seeds' form says; ODCS adds a column.
        assert_eq!(
            contracts[1].schemas[0].source.columns_text(),
            contracts[0].schemas[0].source.columns_text()
        );
        let odcs = columns(&contracts[2]);
        assert_eq!(odcs.fields().len(), 5);
        assert_eq!(
            odcs.field_with_name("currency").unwrap().metadata()["pattern"],
            "^[A-Z]{3}$"
        );
    }

    #[test]
    fn a_dcs_contract_names_its_product_from_its_id_and_keeps_its_constraints() {
        let contract = read_text(&testdata("orders-contract-2.1.0.yaml")).unwrap();
        assert_eq!(contract.product.name, "orders-fact");
        assert_eq!(contract.product.domain, "order");
        assert_eq!(contract.product.owner, "order-squad");
        assert_eq!(contract.version, Some(semver::Version::new(2, 1, 0)));
        let schema = columns(&contract);
        let order_id = schema.field_with_name("order_id").unwrap();
        assert!(!order_id.is_nullable());
        assert_eq!(order_id.metadata()["unique"], "true");
        let status = schema.field_with_name("status").unwrap();
        assert_eq!(
            status.metadata()["enum"],
            r#"["CREATED","CONFIRMED","SHIPPED","DELIVERED","CANCELLED"]"#
        );
        assert_eq!(
            schema.field_with_name("currency").unwrap().metadata()["pattern"],
            "^[A-Z]{3}$"
        );
        assert_eq!(
            schema.field_with_name("total_amount").unwrap().data_type(),
            &DataType::Decimal128(38, 9)
        );
        let customer = schema.field_with_name("customer_id").unwrap();
        assert_eq!(customer.metadata()["pii"], "true");
        assert_eq!(customer.metadata()["classification"], "confidential");
    }

    #[test]
    fn a_dcs_notice_period_is_the_notice_window_and_several_models_are_several_subjects() {
        let contract = read_text(
            "dataContractSpecification: 1.1.0\nid: urn:datacontract:sales:orders\ninfo: {version: 1.0.0, owner: sales}\nterms: {noticePeriod: P4W}\nmodels:\n  orders: {fields: {id: {type: long, required: true}}}\n  lines: {fields: {tags: {type: array, items: {type: string}}, at: {type: object, fields: {x: {type: int}}}}}\n",
        )
        .unwrap();
        assert_eq!(contract.product.notice_days, 28);
        assert_eq!(contract.product.subjects, ["orders.orders", "orders.lines"]);
    }

    #[test]
    fn odcs_ids_pair_a_renamed_property_and_logical_types_fill_in() {
        let contract = read_text(
            "apiVersion: v3.0.2\nkind: DataContract\nid: c1\nname: users\nversion: 1.0.0\ndomain: growth\nteam: [{username: growth-team, role: Data Owner}]\nschema:\n  - name: users\n    properties:\n      - {name: user_id, id: p1, logicalType: string, primaryKey: true, required: true}\n      - {name: signup, logicalType: date}\n      - {name: score, logicalType: number, physicalType: 'weird(thing)'}\n      - {name: tags, logicalType: array, items: {logicalType: string}}\n",
        )
        .unwrap();
        assert_eq!(contract.product.owner, "growth-team");
        let schema = columns(&contract);
        let user_id = schema.field_with_name("user_id").unwrap();
        assert_eq!(user_id.metadata()[crate::compat::FIELD_ID_KEY], "p1");
        assert_eq!(user_id.metadata()["primary_key"], "true");
        assert_eq!(
            schema.field_with_name("signup").unwrap().data_type(),
            &DataType::Date32
        );
        assert_eq!(
            schema.field_with_name("score").unwrap().data_type(),
            &DataType::Float64
        );
    }

    #[test]
    fn a_datamesh_manifest_binds_its_registry_subject() {
        let contract = read_text(&testdata("orders-datamesh.yaml")).unwrap();
        assert_eq!(contract.form, Form::Datamesh);
        assert_eq!(contract.product.name, "orders-fact");
        assert_eq!(contract.product.subjects, ["orders-fact-value"]);
        assert_eq!(contract.version, None);
        assert!(matches!(
            contract.schemas[0].source,
            Source::Registered {
                format: Format::Avro
            }
        ));
    }

    #[test]
    fn problems_in_the_standards_name_their_keys() {
        let problems = read_text(
            "dataContractSpecification: 0.9.3\nid: orders\ninfo: {version: two}\nterms: {noticePeriod: PT5H}\nmodels:\n  m: {fields: {a: {type: varchar2}, b: {type: array}}}\n",
        )
        .unwrap_err();
        let expected = [
            "`info.domain` is missing",
            "`info.owner` is missing",
            "`info.version`: `two` is not a semantic version",
            "`terms.noticePeriod`: `PT5H` has a time part",
            "`models.m.fields.a`: unknown type `VARCHAR2`",
            "`models.m.fields.b`: a `array` needs `items`",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (problem, want) in problems.iter().zip(expected) {
            assert!(problem.starts_with(want), "{problem}");
        }
        let problems = read_text(
            "apiVersion: v3.0.2\nkind: DataContract\nname: x\nversion: 1.0.0\ndomain: d\nschema:\n  - name: t\n    properties:\n      - {name: a, logicalType: money}\n",
        )
        .unwrap_err();
        assert!(problems[0].starts_with("no owner"), "{problems:#?}");
        assert!(
            problems[1].starts_with(
                "`schema[0]` (`t`).properties[0] (`a`): unknown `logicalType` `money`"
            ),
            "{problems:#?}"
        );
    }
}
