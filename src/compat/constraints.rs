//! What a data contract says about a column beyond its type, kept in the Arrow field's metadata
//! under these keys (written by [`crate::contract`], or by hand), and judged by the contract
//! rules (AR401 to AR409) rather than as descriptive metadata.

use arrow_schema::Field;

pub const UNIQUE: &str = "unique";
pub const PRIMARY_KEY: &str = "primary_key";
/// A JSON list of the allowed values.
pub const ENUM: &str = "enum";
pub const PATTERN: &str = "pattern";
pub const MIN_LENGTH: &str = "min_length";
pub const MAX_LENGTH: &str = "max_length";
pub const MINIMUM: &str = "minimum";
pub const MAXIMUM: &str = "maximum";
pub const PII: &str = "pii";
pub const CLASSIFICATION: &str = "classification";

/// Every constraint key; AR901 leaves them to the contract rules.
pub const KEYS: [&str; 10] = [
    UNIQUE,
    PRIMARY_KEY,
    ENUM,
    PATTERN,
    MIN_LENGTH,
    MAX_LENGTH,
    MINIMUM,
    MAXIMUM,
    PII,
    CLASSIFICATION,
];

/// Whether a boolean constraint (`unique`, `primary_key`, `pii`) is set.
pub fn flag(field: &Field, key: &str) -> bool {
    field
        .metadata()
        .get(key)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// A numeric constraint, if set and a number.
pub fn number(field: &Field, key: &str) -> Option<f64> {
    field.metadata().get(key)?.trim().parse().ok()
}

/// The allowed values, if the field lists them (a JSON list of strings or numbers).
pub fn enum_values(field: &Field) -> Option<Vec<String>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(field.metadata().get(ENUM)?).ok()?;
    Some(
        values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
    )
}

/// A classification's rank, from public to restricted; `None` for a name accord does not know,
/// which it cannot order against another.
pub fn classification_rank(name: &str) -> Option<u8> {
    let name = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    match name.as_str() {
        "public" | "none" => Some(0),
        "internal" | "restricted_internal" => Some(1),
        "confidential" | "sensitive" | "private" => Some(2),
        "restricted" | "highly_confidential" | "secret" | "strictly_confidential" => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use arrow_schema::DataType;

    use super::*;

    fn field(pairs: &[(&str, &str)]) -> Field {
        let metadata: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Field::new("c", DataType::Utf8, true).with_metadata(metadata)
    }

    #[test]
    fn constraints_read_from_metadata() {
        let f = field(&[
            ("unique", "TRUE"),
            ("enum", r#"["A", 2]"#),
            ("maximum", "10.5"),
        ]);
        assert!(flag(&f, UNIQUE));
        assert!(!flag(&f, PII));
        assert_eq!(enum_values(&f).unwrap(), ["A", "2"]);
        assert_eq!(number(&f, MAXIMUM), Some(10.5));
        assert_eq!(number(&f, MINIMUM), None);
    }

    #[test]
    fn classifications_rank_from_public_to_restricted() {
        assert!(classification_rank("Public") < classification_rank("internal"));
        assert!(classification_rank("internal") < classification_rank("confidential"));
        assert!(classification_rank("confidential") < classification_rank("highly-confidential"));
        assert_eq!(classification_rank("tier-7"), None);
    }
}
