//! One column, as any form describes it, to an Arrow field: the type each form spells its own
//! way (given here already mapped), nullability from `nullable` or `required`, and everything
//! else a contract says about the column (description, PII flag, classification, uniqueness,
//! primary key, allowed values, pattern, length and range) as field metadata under the keys
//! of [`crate::compat::constraints`], where the contract rules judge changes to it.

use std::collections::HashMap;

use arrow_schema::Field;
use serde_json::{Map, Value};

use super::columns::ColumnType;
use crate::compat::constraints as keys;

/// The spellings of each constraint across the forms (snake case in the seeds' forms, camel
/// case in DCS and ODCS), in the order they are looked for.
const SPELLINGS: [(&str, &[&str]); 9] = [
    (keys::UNIQUE, &["unique"]),
    (keys::PRIMARY_KEY, &["primaryKey", "primary_key", "primary"]),
    (keys::ENUM, &["enum"]),
    (keys::PATTERN, &["pattern"]),
    (keys::MIN_LENGTH, &["minLength", "min_length"]),
    (keys::MAX_LENGTH, &["maxLength", "max_length"]),
    (keys::MINIMUM, &["minimum"]),
    (keys::MAXIMUM, &["maximum"]),
    (keys::PII, &["pii"]),
];

/// Builds the field of a column. `objects` are where the column's keys are looked for (the
/// column itself, then e.g. ODCS's `logicalTypeOptions`); `place` names the column in problems.
pub(crate) fn field(
    name: &str,
    column_type: ColumnType,
    objects: &[&Map<String, Value>],
    place: &str,
    problems: &mut Vec<String>,
) -> Option<Field> {
    let get = |key: &str| objects.iter().find_map(|o| o.get(key));
    let flag = |key: &str, problems: &mut Vec<String>| match get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            problems.push(format!(
                "{place}: `{key}` must be true or false, not `{other}`"
            ));
            None
        }
    };
    let nullable = match (flag("nullable", problems), flag("required", problems)) {
        (Some(nullable), Some(required)) if nullable == required => {
            problems.push(format!(
                "{place}: `nullable: {nullable}` and `required: {required}` contradict each other"
            ));
            return None;
        }
        (Some(nullable), _) => nullable,
        (None, Some(required)) => !required,
        (None, None) => true,
    };
    let mut metadata = HashMap::new();
    if let Some(Value::String(description)) = get("description")
        && !description.trim().is_empty()
    {
        metadata.insert("description".to_string(), description.trim().to_string());
    }
    for (key, spellings) in SPELLINGS {
        let Some((spelling, value)) = spellings
            .iter()
            .find_map(|s| get(s).filter(|v| !v.is_null()).map(|v| (*s, v)))
        else {
            continue;
        };
        let text = match (key, value) {
            (keys::UNIQUE | keys::PRIMARY_KEY | keys::PII, Value::Bool(false)) => continue,
            (keys::UNIQUE | keys::PRIMARY_KEY | keys::PII, Value::Bool(true)) => "true".to_string(),
            (keys::ENUM, Value::Array(values)) => Value::Array(values.clone()).to_string(),
            (keys::PATTERN, Value::String(pattern)) => pattern.clone(),
            (_, Value::Number(n)) if !matches!(key, keys::ENUM | keys::PATTERN) => n.to_string(),
            (_, other) => {
                problems.push(format!(
                    "{place}: `{spelling}` cannot be `{other}`; {}",
                    match key {
                        keys::UNIQUE | keys::PRIMARY_KEY | keys::PII => "it is true or false",
                        keys::ENUM => "it is a list of values",
                        keys::PATTERN => "it is a regular expression",
                        _ => "it is a number",
                    }
                ));
                continue;
            }
        };
        metadata.insert(key.to_string(), text);
    }
    if let Some(class) = ["classification", "pii_tier"]
        .iter()
        .find_map(|k| get(k).and_then(Value::as_str))
    {
        metadata.insert(keys::CLASSIFICATION.to_string(), class.to_string());
    }
    if let Some(tier) = get("access_tier").and_then(Value::as_str) {
        metadata.insert("access_tier".to_string(), tier.to_string());
    }
    if let Some(length) = column_type.max_length {
        metadata
            .entry(keys::MAX_LENGTH.to_string())
            .or_insert_with(|| length.to_string());
    }
    Some(Field::new(name, column_type.data_type, nullable).with_metadata(metadata))
}

/// The names seen so far among sibling columns; a second column of a name is a problem.
pub(crate) fn first_of_its_name(
    seen: &mut Vec<String>,
    name: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> bool {
    if seen.iter().any(|s| s == name) {
        problems.push(format!("{place}: a second column with this name"));
        false
    } else {
        seen.push(name.to_string());
        true
    }
}
