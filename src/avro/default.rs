//! Whether a JSON default value fits a type, per the specification's table of default values.

use serde_json::Value;

use super::schema::{Kind, NamedKind, Node, Primitive, Schema};
use crate::schema_json::json_kind;

/// Checks `value` against `node`; the error says what does not fit and where inside the value
/// (`.address.zip`, `[2]`), worded to follow "default of field `x` ".
pub(crate) fn check_default(schema: &Schema, node: &Node, value: &Value) -> Result<(), String> {
    match explain(schema, node, value, &mut String::new()) {
        None => Ok(()),
        Some(problem) => Err(format!(
            "does not fit its type {}: {problem}",
            schema.describe(node)
        )),
    }
}

/// Whether a value fits, recording in `at` the position of the first part that does not.
fn fits(schema: &Schema, node: &Node, value: &Value, at: &mut String) -> bool {
    explain(schema, node, value, at).is_none()
}

/// `None` when the value fits; otherwise a message naming the innermost part that does not.
fn explain(schema: &Schema, node: &Node, value: &Value, at: &mut String) -> Option<String> {
    let mismatch = |expected: &str| Some(format!("{} is not {expected}", short(value)));
    match &node.kind {
        Kind::Primitive(p) => {
            let ok = match p {
                Primitive::Null => value.is_null(),
                Primitive::Boolean => value.is_boolean(),
                Primitive::Int => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                Primitive::Long => value.as_i64().is_some(),
                Primitive::Float | Primitive::Double => value.is_number(),
                Primitive::String => value.is_string(),
                Primitive::Bytes => value.as_str().is_some_and(is_byte_string),
            };
            if ok {
                None
            } else {
                let expected = match p {
                    Primitive::Null => "null",
                    Primitive::Boolean => "a boolean",
                    Primitive::Int => "an int (a whole number within 32 bits)",
                    Primitive::Long => "a long (a whole number within 64 bits)",
                    Primitive::Float | Primitive::Double => "a number",
                    Primitive::String => "a string",
                    Primitive::Bytes => "a bytes string (characters U+0000 to U+00FF)",
                };
                mismatch(expected).map(|m| located(m, at))
            }
        }
        Kind::Array(items) => match value {
            Value::Array(values) => values.iter().enumerate().find_map(|(i, v)| {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                let problem = explain(schema, items, v, at);
                if problem.is_none() {
                    at.truncate(len);
                }
                problem
            }),
            _ => mismatch("an array").map(|m| located(m, at)),
        },
        Kind::Map(values) => match value {
            Value::Object(entries) => entries.iter().find_map(|(k, v)| {
                let len = at.len();
                at.push_str(&format!(".{k}"));
                let problem = explain(schema, values, v, at);
                if problem.is_none() {
                    at.truncate(len);
                }
                problem
            }),
            _ => mismatch("an object (a map)").map(|m| located(m, at)),
        },
        // Avro 1.12 (AVRO-3649): a union default may match any branch, not only the first.
        Kind::Union(branches) => {
            if branches
                .iter()
                .any(|b| fits(schema, b, value, &mut String::new()))
            {
                None
            } else {
                Some(located(
                    format!(
                        "{} matches no branch of {}",
                        short(value),
                        schema.describe(node)
                    ),
                    at,
                ))
            }
        }
        Kind::Named(id) => {
            let named = schema.named(*id);
            match &named.kind {
                NamedKind::Record { fields, .. } => {
                    let Value::Object(entries) = value else {
                        return mismatch(&format!("an object (record {})", named.name.full))
                            .map(|m| located(m, at));
                    };
                    fields.iter().find_map(|field| {
                        let len = at.len();
                        at.push_str(&format!(".{}", field.name));
                        let problem = match entries.get(&field.name) {
                            Some(v) => explain(schema, &field.schema, v, at),
                            // A missing entry takes the field's own default, checked on its own.
                            None if field.default.is_some() => None,
                            None => Some(located(
                                format!("field `{}` is missing and has no default", field.name),
                                at,
                            )),
                        };
                        if problem.is_none() {
                            at.truncate(len);
                        }
                        problem
                    })
                }
                NamedKind::Enum { symbols, .. } => match value.as_str() {
                    Some(s) if symbols.iter().any(|sym| sym == s) => None,
                    _ => mismatch(&format!("a symbol of enum {}", named.name.full))
                        .map(|m| located(m, at)),
                },
                NamedKind::Fixed { size } => match value.as_str() {
                    Some(s) if is_byte_string(s) && s.chars().count() as u64 == *size => None,
                    _ => mismatch(&format!(
                        "a string of exactly {size} characters U+0000 to U+00FF (fixed {})",
                        named.name.full
                    ))
                    .map(|m| located(m, at)),
                },
            }
        }
    }
}

fn located(message: String, at: &str) -> String {
    if at.is_empty() {
        message
    } else {
        format!("{message} (at `{at}`)")
    }
}

fn is_byte_string(s: &str) -> bool {
    s.chars().all(|c| (c as u32) <= 0xFF)
}

/// The value as JSON, shortened for a one-line message.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        let head: String = text.chars().take(37).collect();
        format!("{head}... ({})", json_kind(value))
    } else {
        text
    }
}
