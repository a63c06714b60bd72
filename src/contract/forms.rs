//! Which form a manifest is written in, told apart by its content rather than its file name.

use serde_json::Value;

/// The manifest forms accord reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// accord's own: `name`, `domain`, `owner`, `version`, `schemas` (files).
    Accord,
    /// `apiVersion: data-platform/v1`, `kind: DataProduct`: `metadata`, `spec.columns`.
    DataPlatformV1,
    /// A `data_product.yaml`: top-level `name`, `version`, `owner`, `domain`, a `schema` list of
    /// columns.
    DataProductYaml,
    /// `apiVersion: datamesh/v1`, `kind: DataProduct`: `spec.schema` names a registry subject.
    Datamesh,
    /// The Data Contract Specification: `dataContractSpecification`, `models.*.fields`.
    Dcs,
    /// The Open Data Contract Standard v3: `apiVersion: v3.x`, `kind: DataContract`.
    Odcs,
    /// The body of `PUT /v1/data-products/{domain}/{name}`: `name`, `schema_version`, `columns`.
    Registration,
}

impl Form {
    pub fn name(self) -> &'static str {
        match self {
            Form::Accord => "accord manifest",
            Form::DataPlatformV1 => "data-platform/v1 DataProduct",
            Form::DataProductYaml => "data_product.yaml",
            Form::Datamesh => "datamesh/v1 DataProduct",
            Form::Dcs => "Data Contract Specification",
            Form::Odcs => "Open Data Contract Standard",
            Form::Registration => "registration request",
        }
    }

    /// The form of a parsed document, or why none fits.
    pub fn of(document: &Value) -> Result<Form, String> {
        let Some(top) = document.as_object() else {
            return Err("a manifest is a YAML mapping".into());
        };
        let text = |key: &str| top.get(key).and_then(Value::as_str);
        if top.contains_key("dataContractSpecification") {
            return Ok(Form::Dcs);
        }
        match (text("apiVersion"), text("kind")) {
            (Some("data-platform/v1"), _) => return Ok(Form::DataPlatformV1),
            (Some("datamesh/v1"), _) => return Ok(Form::Datamesh),
            (Some(v), Some("DataContract")) if v.starts_with("v3.") => return Ok(Form::Odcs),
            (Some(other), _) => {
                return Err(format!(
                    "`apiVersion: {other}` is not a form accord reads; it reads `data-platform/v1`, `datamesh/v1`, the Open Data Contract Standard (`apiVersion: v3.x`, `kind: DataContract`), the Data Contract Specification (`dataContractSpecification`), `data_product.yaml` (`schema` columns) and accord's own manifest (`schemas`)"
                ));
            }
            (None, _) => {}
        }
        let list = |key: &str| top.get(key).is_some_and(Value::is_array);
        // Anything else is read as accord's own, whose reading names unknown and missing keys.
        if top.contains_key("schemas") {
            Ok(Form::Accord)
        } else if list("schema") {
            Ok(Form::DataProductYaml)
        } else if list("columns") && top.contains_key("schema_version") {
            Ok(Form::Registration)
        } else {
            Ok(Form::Accord)
        }
    }
}
