//! The Open Data Contract Standard v3 (`apiVersion: v3.x`, `kind: DataContract`): `version`,
//! `domain`, the product's name from `dataProduct` (else `name`), the owner from a
//! `customProperties` entry `owner` (else the `team` member whose role names the owner), and
//! `schema[]` objects whose `properties[]` carry `physicalType` (read with the column type
//! table) or `logicalType`, `required`, `unique`, `primaryKey`, `classification`,
//! `logicalTypeOptions`, `customProperties` (`pii`) and a stable `id`, kept as the field id so that a renamed property
//! pairs with its old name (AR105). One object is carried by a subject named as the product;
//! with several, each by `<product>.<object>`.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use serde_json::{Map, Value};

use super::columns::{ColumnType, parse_type};
use super::document::{Reader, at};
use super::fields::{field, first_of_its_name};
use super::forms::Form;
use super::{Contract, ContractSchema, Source, subject_of_table};
use crate::compat::FIELD_ID_KEY;
use crate::registry::DataProduct;

pub(crate) fn read(reader: &mut Reader) -> Contract {
    let name = reader.text(&[&["dataProduct"], &["name"]]);
    let domain = reader.text(&[&["domain"]]);
    let owner = owner(reader.root).unwrap_or_else(|| {
        reader.problem(
            "no owner: add a `customProperties` entry `{property: owner, value: ...}` or a `team` member with the role `owner`"
                .into(),
        );
        String::new()
    });
    let version = reader.version(&[&["version"]]);
    if version.is_none() && reader.problems.is_empty() {
        reader.problem("`version` is missing".into());
    }
    let objects = match at(reader.root, &["schema"]) {
        Some(Value::Array(objects)) if !objects.is_empty() => objects.clone(),
        _ => {
            reader.problem("`schema` lists no object".into());
            Vec::new()
        }
    };
    let mut schemas = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let object_name = object
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let place = format!("`schema[{i}]` (`{object_name}`)");
        if object_name.is_empty() {
            reader.problem(format!("`schema[{i}]`: missing field `name`"));
            continue;
        }
        let Some(Value::Array(properties)) = object.get("properties") else {
            reader.problem(format!("{place}: `properties` lists no property"));
            continue;
        };
        let fields = properties_fields(properties, &place, &mut reader.problems);
        let field_keys = (0..fields.len())
            .map(|p| format!("schema[{i}].properties[{p}]"))
            .collect();
        schemas.push(ContractSchema {
            subject: subject_of_table(&name, object_name, objects.len()),
            source: Source::Columns(Schema::new(fields)),
            field_keys,
        });
    }
    let subjects = schemas.iter().map(|s| s.subject.clone()).collect();
    let product = DataProduct::new(name, domain, owner, subjects);
    Contract {
        form: Form::Odcs,
        product,
        version,
        schemas,
        document: reader.root.clone(),
        upstream: None,
    }
}

fn owner(root: &Value) -> Option<String> {
    let custom = root.get("customProperties").and_then(Value::as_array);
    let from_custom = custom.into_iter().flatten().find_map(|p| {
        (p.get("property")?.as_str()? == "owner")
            .then(|| p.get("value")?.as_str().map(str::to_string))?
    });
    from_custom.or_else(|| {
        root.get("team")?.as_array()?.iter().find_map(|member| {
            let role = member.get("role")?.as_str()?.to_ascii_lowercase();
            // "owner", "Data Owner", "product-owner".
            role.contains("owner").then(|| {
                member
                    .get("username")
                    .or(member.get("name"))?
                    .as_str()
                    .map(str::to_string)
            })?
        })
    })
}

fn properties_fields(properties: &[Value], place: &str, problems: &mut Vec<String>) -> Vec<Field> {
    let mut seen = Vec::new();
    let mut fields = Vec::new();
    for (i, property) in properties.iter().enumerate() {
        let at = format!("{place}.properties[{i}]");
        let Some(property) = property.as_object() else {
            problems.push(format!(
                "{at}: a property is a mapping with `name` and a type"
            ));
            continue;
        };
        let Some(name) = property.get("name").and_then(Value::as_str) else {
            problems.push(format!("{at}: missing field `name`"));
            continue;
        };
        let at = format!("{at} (`{name}`)");
        if !first_of_its_name(&mut seen, name, &at, problems) {
            continue;
        }
        let Some(column_type) = column_type(property, &at, problems) else {
            continue;
        };
        let options = property
            .get("logicalTypeOptions")
            .and_then(Value::as_object);
        let custom = custom_properties(property);
        let objects: Vec<&Map<String, Value>> = std::iter::once(property)
            .chain(options)
            .chain(Some(&custom))
            .collect();
        let Some(mut field) = field(name, column_type, &objects, &at, problems) else {
            continue;
        };
        if let Some(id) = property.get("id").and_then(Value::as_str) {
            let mut metadata = field.metadata().clone();
            metadata.insert(FIELD_ID_KEY.to_string(), id.to_string());
            field = field.with_metadata(metadata);
        }
        fields.push(field);
    }
    fields
}

/// A property's `customProperties` (`{property, value}` entries) as keys, where ODCS keeps
/// what it has no field for, such as `pii`.
fn custom_properties(property: &Map<String, Value>) -> Map<String, Value> {
    let entries = property.get("customProperties").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let key = entry.get("property")?.as_str()?;
            Some((key.to_string(), entry.get("value")?.clone()))
        })
        .collect()
}

/// `physicalType` when the column type table reads it, else `logicalType`.
fn column_type(
    property: &Map<String, Value>,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<ColumnType> {
    let physical = property.get("physicalType").and_then(Value::as_str);
    let logical = property.get("logicalType").and_then(Value::as_str);
    if let Some(physical) = physical
        && let Ok(column_type) = parse_type(physical)
        && !matches!(logical, Some("object" | "array"))
    {
        return Some(column_type);
    }
    let Some(logical) = logical else {
        match physical.map(parse_type) {
            Some(Err(e)) => problems.push(format!("{place}: `physicalType`: {e}")),
            _ => problems.push(format!(
                "{place}: needs a `logicalType` or a `physicalType`"
            )),
        }
        return None;
    };
    let data_type = match logical {
        "string" => DataType::Utf8,
        "integer" => DataType::Int64,
        "number" => DataType::Float64,
        "boolean" => DataType::Boolean,
        "date" => DataType::Date32,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "time" => DataType::Time64(TimeUnit::Microsecond),
        "object" => {
            let Some(Value::Array(properties)) = property.get("properties") else {
                problems.push(format!("{place}: an `object` needs `properties`"));
                return None;
            };
            DataType::Struct(Fields::from(properties_fields(properties, place, problems)))
        }
        "array" => {
            let Some(items) = property.get("items").and_then(Value::as_object) else {
                problems.push(format!("{place}: an `array` needs `items`"));
                return None;
            };
            let item_place = format!("{place}.items");
            let item_type = column_type(items, &item_place, problems)?;
            let item = field("item", item_type, &[items], &item_place, problems)?;
            DataType::List(Arc::new(item))
        }
        other => {
            problems.push(format!(
                "{place}: unknown `logicalType` `{other}`; accepted: string, integer, number, boolean, date, timestamp, time, object, array (or a `physicalType` from the column type table)"
            ));
            return None;
        }
    };
    Some(ColumnType {
        data_type,
        max_length: None,
    })
}
