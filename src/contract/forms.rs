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
}

impl Form {
    pub fn name(self) -> &'static str {
        match self {
            Form::Accord => "accord manifest",
            Form::DataPlatformV1 => "data-platform/v1 DataProduct",
            Form::DataProductYaml => "data_product.yaml",
        }
    }

    /// The form of a parsed document, or why none fits.
    pub fn of(document: &Value) -> Result<Form, String> {
        let Some(top) = document.as_object() else {
            return Err("a manifest is a YAML mapping".into());
        };
        let text = |key: &str| top.get(key).and_then(Value::as_str);
        match text("apiVersion") {
            Some("data-platform/v1") => return Ok(Form::DataPlatformV1),
            Some(other) => {
                return Err(format!(
                    "`apiVersion: {other}` is not a form accord reads; it reads `data-platform/v1`, accord's own manifest (`schemas`) and `data_product.yaml` (`schema` columns)"
                ));
            }
            None => {}
        }
        // Anything else is read as accord's own, whose reading names unknown and missing keys.
        if !top.contains_key("schemas") && top.get("schema").is_some_and(Value::is_array) {
            Ok(Form::DataProductYaml)
        } else {
            Ok(Form::Accord)
        }
    }
}
