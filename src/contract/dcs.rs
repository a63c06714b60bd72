//! The Data Contract Specification (`dataContractSpecification: 0.9.x` or `1.x`): `id`,
//! `info.{version, owner}`, `terms.noticePeriod` (an ISO-8601 duration) for the notice window,
//! and `models.<model>.fields.<field>` with DCS's types. The product's name is the last segment
//! of `id` (`urn:datacontract:order:orders-fact` is `orders-fact`), its domain `info.domain`,
//! else the segment before the name in a `urn:datacontract:<domain>:<name>` id. One model is
//! carried by a subject named as the product; with several, each by `<product>.<model>`.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema};
use serde_json::{Map, Value};

use super::columns::{ColumnType, parse_type};
use super::document::{Reader, at, in_written_order};
use super::fields::field;
use super::forms::Form;
use super::{Contract, ContractSchema, Source, subject_of_table};
use crate::registry::DataProduct;

pub(crate) fn read(reader: &mut Reader) -> Contract {
    let id = reader.text(&[&["id"]]);
    let segments: Vec<&str> = id.split(':').collect();
    let name = segments.last().copied().unwrap_or_default().to_string();
    let domain = match reader.optional_text(&["info", "domain"]) {
        Some(domain) => domain,
        None => match segments.as_slice() {
            ["urn", "datacontract", domain, _] => domain.to_string(),
            _ => {
                reader.problem(
                    "`info.domain` is missing (or write `id` as `urn:datacontract:<domain>:<name>`)"
                        .into(),
                );
                String::new()
            }
        },
    };
    let owner = reader.text(&[&["info", "owner"]]);
    let version = reader.version(&[&["info", "version"]]);
    if version.is_none() && reader.problems.is_empty() {
        reader.problem("`info.version` is missing".into());
    }
    let notice_days = reader
        .duration_days(&["terms", "noticePeriod"])
        .unwrap_or(DataProduct::DEFAULT_NOTICE_DAYS);
    let models = match at(reader.root, &["models"]) {
        Some(Value::Object(models)) if !models.is_empty() => models.clone(),
        _ => {
            reader.problem("`models` lists no model".into());
            Map::new()
        }
    };
    let mut schemas = Vec::new();
    let written_models = reader.written.and_then(|w| w.get("models"));
    for (model, definition) in in_written_order(&models, written_models) {
        let place = format!("models.{model}.fields");
        let written = written_models.and_then(|m| m.get(model.as_str())?.get("fields"));
        let fields = match definition.get("fields") {
            Some(Value::Object(fields)) if !fields.is_empty() => {
                struct_fields(fields, written, &place, &mut reader.problems)
            }
            _ => {
                reader.problem(format!("`{place}` lists no field"));
                continue;
            }
        };
        let field_keys = fields
            .iter()
            .map(|f| format!("models.{model}.fields.{}", f.name()))
            .collect();
        schemas.push(ContractSchema {
            subject: subject_of_table(&name, model, models.len()),
            source: Source::Columns(Schema::new(fields)),
            field_keys,
        });
    }
    let subjects = schemas.iter().map(|s| s.subject.clone()).collect();
    let product = DataProduct {
        notice_days,
        ..DataProduct::new(name, domain, owner, subjects)
    };
    Contract {
        form: Form::Dcs,
        product,
        version,
        schemas,
        document: reader.root.clone(),
        upstream: None,
    }
}

/// A model's (or an object's) fields, in the order written.
fn struct_fields(
    fields: &Map<String, Value>,
    written: Option<&yaml_serde::Value>,
    place: &str,
    problems: &mut Vec<String>,
) -> Vec<Field> {
    in_written_order(fields, written)
        .into_iter()
        .filter_map(|(name, definition)| {
            let place = format!("{place}.{name}");
            let Some(definition) = definition.as_object() else {
                problems.push(format!("`{place}` must be a mapping with a `type`"));
                return None;
            };
            let written = written.and_then(|w| w.get(name.as_str()));
            let column_type = column_type(definition, written, &place, problems)?;
            field(
                name,
                column_type,
                &[definition],
                &format!("`{place}`"),
                problems,
            )
        })
        .collect()
}

/// A DCS type to Arrow: the scalar spellings DCS shares with SQL through the column type
/// table, decimals with their `precision` and `scale`, and `array`, `object` (`record`,
/// `struct`) and `map` from their `items`, `fields`, `keys` and `values`.
fn column_type(
    definition: &Map<String, Value>,
    written: Option<&yaml_serde::Value>,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<ColumnType> {
    let Some(type_name) = definition.get("type").and_then(Value::as_str) else {
        problems.push(format!("`{place}`: missing field `type`"));
        return None;
    };
    let nested = |key: &str, problems: &mut Vec<String>| -> Option<Field> {
        let inner = definition.get(key).and_then(Value::as_object);
        let Some(inner) = inner else {
            problems.push(format!("`{place}`: a `{type_name}` needs `{key}`"));
            return None;
        };
        let inner_place = format!("{place}.{key}");
        let column_type = column_type(
            inner,
            written.and_then(|w| w.get(key)),
            &inner_place,
            problems,
        )?;
        field(
            key,
            column_type,
            &[inner],
            &format!("`{inner_place}`"),
            problems,
        )
    };
    let data_type = match type_name.to_ascii_lowercase().as_str() {
        "array" => DataType::List(Arc::new(nested("items", problems)?.with_name("item"))),
        "object" | "record" | "struct" => {
            let Some(fields) = definition.get("fields").and_then(Value::as_object) else {
                problems.push(format!("`{place}`: a `{type_name}` needs `fields`"));
                return None;
            };
            DataType::Struct(Fields::from(struct_fields(
                fields,
                written.and_then(|w| w.get("fields")),
                &format!("{place}.fields"),
                problems,
            )))
        }
        "map" => {
            let key = nested("keys", problems)?
                .with_name("key")
                .with_nullable(false);
            let value = nested("values", problems)?.with_name("value");
            let entries = Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![key, value])),
                false,
            );
            DataType::Map(Arc::new(entries), false)
        }
        "number" | "decimal" | "numeric" => {
            let number = |key: &str| definition.get(key).and_then(Value::as_u64);
            let spelled = match (number("precision"), number("scale")) {
                (Some(p), Some(s)) => format!("DECIMAL({p}, {s})"),
                (Some(p), None) => format!("DECIMAL({p})"),
                _ => "DECIMAL".to_string(),
            };
            return scalar(&spelled, place, problems);
        }
        "null" => {
            problems.push(format!(
                "`{place}`: type `null` holds no data; remove the field"
            ));
            return None;
        }
        _ => return scalar(type_name, place, problems),
    };
    Some(ColumnType {
        data_type,
        max_length: None,
    })
}

fn scalar(text: &str, place: &str, problems: &mut Vec<String>) -> Option<ColumnType> {
    parse_type(text)
        .map_err(|e| problems.push(format!("`{place}`: {e}")))
        .ok()
}
