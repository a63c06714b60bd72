//! Arrow's JSON schema form, both ways. A file holds the schema object
//! (`{"fields": [..], "metadata": [..]}`) or a whole integration file whose `schema` key holds
//! it. Fields match by name, so names must be unique among siblings.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_schema::{
    DataType, Field, FieldRef, Fields, IntervalUnit, Schema, TimeUnit, UnionFields, UnionMode,
};
use serde_json::{Map, Value, json};

use crate::schema_json::{ParseError, json_error, json_kind};

/// The deepest nesting of fields accepted.
const MAX_FIELD_DEPTH: usize = 64;

/// Parses and validates an Arrow schema from its JSON text.
pub fn parse(text: &str) -> Result<Schema, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    parse_value(&value)
}

/// Parses and validates an Arrow schema from already-parsed JSON.
pub fn parse_value(value: &Value) -> Result<Schema, ParseError> {
    let (object, path) = match value.get("schema") {
        Some(schema) if value.get("batches").is_some() || value.get("fields").is_none() => {
            (schema, "$.schema".to_string())
        }
        _ => (value, "$".to_string()),
    };
    let map = object.as_object().ok_or_else(|| {
        ParseError::at(
            &path,
            format!("expected a schema object, found {}", json_kind(object)),
        )
    })?;
    let fields = fields(map, &path, "fields", 0)?;
    let metadata = metadata(map, &path)?;
    Ok(Schema::new_with_metadata(fields, metadata))
}

fn fields(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
    depth: usize,
) -> Result<Vec<Field>, ParseError> {
    let list = match map.get(key) {
        None => return Err(ParseError::at(path, format!("missing `{key}`"))),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(ParseError::at(
                &format!("{path}.{key}"),
                format!("`{key}` must be an array, found {}", json_kind(other)),
            ));
        }
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, value) in list.iter().enumerate() {
        let field_path = format!("{path}.{key}[{i}]");
        let field = field(value, &field_path, depth)?;
        if let Some(first) = seen.insert(value.get("name").and_then(Value::as_str).unwrap_or(""), i)
        {
            return Err(ParseError::at(
                &format!("{field_path}.name"),
                format!(
                    "duplicate field name `{}` (also at {path}.{key}[{first}]); fields are matched by name",
                    field.name()
                ),
            ));
        }
        out.push(field);
    }
    Ok(out)
}

fn field(value: &Value, path: &str, depth: usize) -> Result<Field, ParseError> {
    if depth > MAX_FIELD_DEPTH {
        return Err(ParseError::at(
            path,
            format!("fields nested more than {MAX_FIELD_DEPTH} levels deep"),
        ));
    }
    let map = value.as_object().ok_or_else(|| {
        ParseError::at(
            path,
            format!("expected a field object, found {}", json_kind(value)),
        )
    })?;
    let name = match map.get("name") {
        Some(Value::String(name)) => name.clone(),
        Some(other) => {
            return Err(ParseError::at(
                &format!("{path}.name"),
                format!("`name` must be a string, found {}", json_kind(other)),
            ));
        }
        None => return Err(ParseError::at(path, "a field needs a `name`")),
    };
    let nullable = match map.get("nullable") {
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ParseError::at(
                &format!("{path}.nullable"),
                format!("`nullable` must be a boolean, found {}", json_kind(other)),
            ));
        }
        None => {
            return Err(ParseError::at(
                path,
                format!("field `{name}` needs `nullable`"),
            ));
        }
    };
    let type_path = format!("{path}.type");
    let ty = match map.get("type") {
        Some(Value::Object(ty)) => ty,
        Some(other) => {
            return Err(ParseError::at(
                &type_path,
                format!(
                    "`type` must be an object such as {{\"name\": \"int\", ...}}, found {}",
                    json_kind(other)
                ),
            ));
        }
        None => {
            return Err(ParseError::at(
                path,
                format!("field `{name}` needs a `type`"),
            ));
        }
    };
    let children = match map.get("children") {
        None => Vec::new(),
        Some(_) => fields(map, path, "children", depth + 1)?,
    };
    let mut field_type = data_type(ty, &type_path, children, path)?;
    if let Some(dictionary) = map.get("dictionary") {
        let dict_path = format!("{path}.dictionary");
        let dict = dictionary
            .as_object()
            .ok_or_else(|| ParseError::at(&dict_path, "`dictionary` must be an object"))?;
        let index_path = format!("{dict_path}.indexType");
        let index = match dict.get("indexType") {
            Some(Value::Object(index)) => data_type(index, &index_path, Vec::new(), &dict_path)?,
            _ => {
                return Err(ParseError::at(
                    &dict_path,
                    "`dictionary` needs an `indexType` such as {\"name\": \"int\", \"bitWidth\": 32, \"isSigned\": true}",
                ));
            }
        };
        if !index.is_integer() {
            return Err(ParseError::at(
                &index_path,
                format!("a dictionary index must be an integer type, found {index}"),
            ));
        }
        field_type = DataType::Dictionary(Box::new(index), Box::new(field_type));
    }
    let metadata = metadata(map, path)?;
    Ok(Field::new(name, field_type, nullable).with_metadata(metadata))
}

fn metadata(map: &Map<String, Value>, path: &str) -> Result<HashMap<String, String>, ParseError> {
    let meta_path = format!("{path}.metadata");
    let mut out = HashMap::new();
    match map.get("metadata") {
        None | Some(Value::Null) => {}
        // The integration form is a list of {"key", "value"} pairs; a plain object is also read.
        Some(Value::Array(pairs)) => {
            for (i, pair) in pairs.iter().enumerate() {
                let at = format!("{meta_path}[{i}]");
                let (Some(key), Some(value)) = (
                    pair.get("key").and_then(Value::as_str),
                    pair.get("value").and_then(Value::as_str),
                ) else {
                    return Err(ParseError::at(
                        &at,
                        "metadata entries are {\"key\": string, \"value\": string}",
                    ));
                };
                if out.insert(key.to_string(), value.to_string()).is_some() {
                    return Err(ParseError::at(
                        &at,
                        format!("duplicate metadata key `{key}`"),
                    ));
                }
            }
        }
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                let value = value.as_str().ok_or_else(|| {
                    ParseError::at(
                        &format!("{meta_path}.{key}"),
                        "metadata values must be strings",
                    )
                })?;
                out.insert(key.clone(), value.to_string());
            }
        }
        Some(other) => {
            return Err(ParseError::at(
                &meta_path,
                format!(
                    "`metadata` must be a list of key/value pairs, found {}",
                    json_kind(other)
                ),
            ));
        }
    }
    Ok(out)
}

/// Reads one attribute of a type object.
struct Attrs<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
    name: &'a str,
}

impl Attrs<'_> {
    fn int(&self, key: &str) -> Result<i64, ParseError> {
        match self.map.get(key) {
            Some(v) => v.as_i64().ok_or_else(|| {
                ParseError::at(
                    &format!("{}.{key}", self.path),
                    format!("`{key}` must be an integer, found {}", json_kind(v)),
                )
            }),
            None => Err(ParseError::at(
                self.path,
                format!("type `{}` needs `{key}`", self.name),
            )),
        }
    }

    fn string(&self, key: &str) -> Result<&str, ParseError> {
        match self.map.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(v) => Err(ParseError::at(
                &format!("{}.{key}", self.path),
                format!("`{key}` must be a string, found {}", json_kind(v)),
            )),
            None => Err(ParseError::at(
                self.path,
                format!("type `{}` needs `{key}`", self.name),
            )),
        }
    }

    fn bad(&self, key: &str, message: String) -> ParseError {
        ParseError::at(&format!("{}.{key}", self.path), message)
    }

    fn unit(&self) -> Result<TimeUnit, ParseError> {
        match self.string("unit")? {
            "SECOND" => Ok(TimeUnit::Second),
            "MILLISECOND" => Ok(TimeUnit::Millisecond),
            "MICROSECOND" => Ok(TimeUnit::Microsecond),
            "NANOSECOND" => Ok(TimeUnit::Nanosecond),
            other => Err(self.bad(
                "unit",
                format!("unknown unit `{other}` (SECOND, MILLISECOND, MICROSECOND or NANOSECOND)"),
            )),
        }
    }
}

fn data_type(
    map: &Map<String, Value>,
    path: &str,
    mut children: Vec<Field>,
    field_path: &str,
) -> Result<DataType, ParseError> {
    let name = match map.get("name") {
        Some(Value::String(name)) => name.as_str(),
        _ => {
            return Err(ParseError::at(
                path,
                "a type needs a `name` such as \"int\" or \"utf8\"",
            ));
        }
    };
    let a = Attrs { map, path, name };
    let no_children = |dt: DataType, children: &[Field]| {
        if children.is_empty() {
            Ok(dt)
        } else {
            Err(ParseError::at(
                &format!("{field_path}.children"),
                format!("type `{name}` takes no children"),
            ))
        }
    };
    let one_child = |children: &mut Vec<Field>| -> Result<FieldRef, ParseError> {
        if children.len() != 1 {
            return Err(ParseError::at(
                &format!("{field_path}.children"),
                format!(
                    "type `{name}` needs exactly one child, found {}",
                    children.len()
                ),
            ));
        }
        Ok(Arc::new(children.remove(0)))
    };
    let dt = match name {
        "null" => DataType::Null,
        "bool" => DataType::Boolean,
        "int" => {
            let signed = match map.get("isSigned") {
                Some(Value::Bool(b)) => *b,
                _ => {
                    return Err(ParseError::at(
                        path,
                        "type `int` needs `isSigned` (a boolean)",
                    ));
                }
            };
            match (a.int("bitWidth")?, signed) {
                (8, true) => DataType::Int8,
                (16, true) => DataType::Int16,
                (32, true) => DataType::Int32,
                (64, true) => DataType::Int64,
                (8, false) => DataType::UInt8,
                (16, false) => DataType::UInt16,
                (32, false) => DataType::UInt32,
                (64, false) => DataType::UInt64,
                (other, _) => {
                    return Err(a.bad(
                        "bitWidth",
                        format!("`bitWidth` must be 8, 16, 32 or 64, found {other}"),
                    ));
                }
            }
        }
        "floatingpoint" => match a.string("precision")? {
            "HALF" => DataType::Float16,
            "SINGLE" => DataType::Float32,
            "DOUBLE" => DataType::Float64,
            other => {
                return Err(a.bad(
                    "precision",
                    format!("unknown precision `{other}` (HALF, SINGLE or DOUBLE)"),
                ));
            }
        },
        "binary" => DataType::Binary,
        "largebinary" => DataType::LargeBinary,
        "binaryview" => DataType::BinaryView,
        "utf8" => DataType::Utf8,
        "largeutf8" => DataType::LargeUtf8,
        "utf8view" => DataType::Utf8View,
        "fixedsizebinary" => {
            let width = a.int("byteWidth")?;
            if !(1..=i64::from(i32::MAX)).contains(&width) {
                return Err(a.bad(
                    "byteWidth",
                    format!("`byteWidth` must be positive, found {width}"),
                ));
            }
            DataType::FixedSizeBinary(width as i32)
        }
        "decimal" => {
            let bits = match map.get("bitWidth") {
                None => 128,
                Some(_) => a.int("bitWidth")?,
            };
            let max = match bits {
                32 => 9,
                64 => 18,
                128 => 38,
                256 => 76,
                other => {
                    return Err(a.bad(
                        "bitWidth",
                        format!("a decimal's `bitWidth` must be 32, 64, 128 or 256, found {other}"),
                    ));
                }
            };
            let precision = a.int("precision")?;
            if !(1..=max).contains(&precision) {
                return Err(a.bad(
                    "precision",
                    format!(
                        "a {bits}-bit decimal's precision must be 1 to {max}, found {precision}"
                    ),
                ));
            }
            let scale = a.int("scale")?;
            if scale > precision || scale < -precision {
                return Err(a.bad(
                    "scale",
                    format!("scale {scale} does not fit precision {precision}"),
                ));
            }
            let (p, s) = (precision as u8, scale as i8);
            match bits {
                32 => DataType::Decimal32(p, s),
                64 => DataType::Decimal64(p, s),
                128 => DataType::Decimal128(p, s),
                _ => DataType::Decimal256(p, s),
            }
        }
        "date" => match a.string("unit")? {
            "DAY" => DataType::Date32,
            "MILLISECOND" => DataType::Date64,
            other => {
                return Err(a.bad(
                    "unit",
                    format!("a date's unit is DAY or MILLISECOND, found `{other}`"),
                ));
            }
        },
        "time" => {
            let unit = a.unit()?;
            let bits = a.int("bitWidth")?;
            match (unit, bits) {
                (TimeUnit::Second | TimeUnit::Millisecond, 32) => DataType::Time32(unit),
                (TimeUnit::Microsecond | TimeUnit::Nanosecond, 64) => DataType::Time64(unit),
                _ => {
                    return Err(a.bad(
                        "bitWidth",
                        format!(
                            "a time in {unit:?} units has bitWidth {}, found {bits}",
                            if matches!(unit, TimeUnit::Second | TimeUnit::Millisecond) {
                                32
                            } else {
                                64
                            }
                        ),
                    ));
                }
            }
        }
        "timestamp" => {
            let unit = a.unit()?;
            let tz = match map.get("timezone") {
                None | Some(Value::Null) => None,
                Some(Value::String(tz)) => Some(Arc::from(tz.as_str())),
                Some(other) => {
                    return Err(a.bad(
                        "timezone",
                        format!("`timezone` must be a string, found {}", json_kind(other)),
                    ));
                }
            };
            DataType::Timestamp(unit, tz)
        }
        "duration" => DataType::Duration(a.unit()?),
        "interval" => match a.string("unit")? {
            "YEAR_MONTH" => DataType::Interval(IntervalUnit::YearMonth),
            "DAY_TIME" => DataType::Interval(IntervalUnit::DayTime),
            "MONTH_DAY_NANO" => DataType::Interval(IntervalUnit::MonthDayNano),
            other => return Err(a.bad("unit", format!("unknown interval unit `{other}`"))),
        },
        "list" => return Ok(DataType::List(one_child(&mut children)?)),
        "largelist" => return Ok(DataType::LargeList(one_child(&mut children)?)),
        "listview" => return Ok(DataType::ListView(one_child(&mut children)?)),
        "largelistview" => return Ok(DataType::LargeListView(one_child(&mut children)?)),
        "fixedsizelist" => {
            let size = a.int("listSize")?;
            if !(1..=i64::from(i32::MAX)).contains(&size) {
                return Err(a.bad(
                    "listSize",
                    format!("`listSize` must be positive, found {size}"),
                ));
            }
            return Ok(DataType::FixedSizeList(
                one_child(&mut children)?,
                size as i32,
            ));
        }
        "struct" => return Ok(DataType::Struct(Fields::from(children))),
        "map" => {
            let sorted = match map.get("keysSorted") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(a.bad(
                        "keysSorted",
                        format!("`keysSorted` must be a boolean, found {}", json_kind(other)),
                    ));
                }
            };
            let entries = one_child(&mut children)?;
            match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => {
                    if kv[0].is_nullable() {
                        return Err(ParseError::at(
                            &format!("{field_path}.children[0].children[0]"),
                            "a map's keys must not be nullable",
                        ));
                    }
                }
                _ => {
                    return Err(ParseError::at(
                        &format!("{field_path}.children[0]"),
                        "a map's child is a struct of two fields, key and value",
                    ));
                }
            }
            return Ok(DataType::Map(entries, sorted));
        }
        "union" => {
            let mode = match a.string("mode")? {
                "SPARSE" => UnionMode::Sparse,
                "DENSE" => UnionMode::Dense,
                other => {
                    return Err(a.bad(
                        "mode",
                        format!("a union's mode is SPARSE or DENSE, found `{other}`"),
                    ));
                }
            };
            let ids: Vec<i8> = match map.get("typeIds") {
                Some(Value::Array(ids)) => ids
                    .iter()
                    .map(|id| {
                        id.as_i64()
                            .and_then(|id| i8::try_from(id).ok())
                            .filter(|id| *id >= 0)
                    })
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        a.bad("typeIds", "`typeIds` are integers from 0 to 127".into())
                    })?,
                None => (0..children.len() as i8).collect(),
                Some(other) => {
                    return Err(a.bad(
                        "typeIds",
                        format!("`typeIds` must be an array, found {}", json_kind(other)),
                    ));
                }
            };
            if ids.len() != children.len() {
                return Err(a.bad(
                    "typeIds",
                    format!("{} type ids for {} children", ids.len(), children.len()),
                ));
            }
            let fields =
                UnionFields::try_new(ids, children).map_err(|e| a.bad("typeIds", e.to_string()))?;
            return Ok(DataType::Union(fields, mode));
        }
        "runendencoded" => {
            if children.len() != 2 {
                return Err(ParseError::at(
                    &format!("{field_path}.children"),
                    "a run-end encoded type has two children: run_ends and values",
                ));
            }
            let values = Arc::new(children.remove(1));
            let run_ends = Arc::new(children.remove(0));
            if !matches!(
                run_ends.data_type(),
                DataType::Int16 | DataType::Int32 | DataType::Int64
            ) {
                return Err(ParseError::at(
                    &format!("{field_path}.children[0]"),
                    "run ends must be Int16, Int32 or Int64",
                ));
            }
            return Ok(DataType::RunEndEncoded(run_ends, values));
        }
        other => {
            return Err(ParseError::at(
                &format!("{path}.name"),
                format!("unknown Arrow type `{other}`"),
            ));
        }
    };
    no_children(dt, &children)
}

/// The normalized form: Arrow's JSON schema form, compact, with metadata as sorted key/value
/// pairs and empty lists omitted. Parsing it again gives the same schema.
pub fn normalized_form(schema: &Schema) -> String {
    form(schema, Form::Normalized)
}

/// The normalized form without metadata, except the keys readers resolve by (field ids,
/// extension types): two schemas with the same resolution form break any third the same way.
pub fn resolution_form(schema: &Schema) -> String {
    form(schema, Form::Resolution)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Normalized,
    Resolution,
}

/// Metadata keys that change how a field is read.
fn semantic_key(key: &str) -> bool {
    key == "PARQUET:field_id" || key.starts_with("ARROW:extension:")
}

fn form(schema: &Schema, form: Form) -> String {
    let fields: Vec<Value> = schema
        .fields()
        .iter()
        .map(|f| field_json(f, form))
        .collect();
    let mut out = json!({ "fields": fields });
    if !schema.metadata().is_empty() && form == Form::Normalized {
        out["metadata"] = metadata_json(schema.metadata(), form);
    }
    out.to_string()
}

fn metadata_json(metadata: &HashMap<String, String>, form: Form) -> Value {
    let sorted: BTreeMap<&String, &String> = metadata
        .iter()
        .filter(|(k, _)| form == Form::Normalized || semantic_key(k))
        .collect();
    Value::Array(
        sorted
            .into_iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

fn field_json(field: &Field, form: Form) -> Value {
    let (data_type, dictionary) = match field.data_type() {
        DataType::Dictionary(index, values) => (values.as_ref(), Some(index.as_ref())),
        other => (other, None),
    };
    let (ty, children) = type_json(data_type, form);
    let mut out = json!({
        "name": field.name(),
        "nullable": field.is_nullable(),
        "type": ty,
    });
    if !children.is_empty() {
        out["children"] = Value::Array(children);
    }
    if let Some(index) = dictionary {
        out["dictionary"] = json!({"indexType": type_json(index, form).0});
    }
    let metadata = metadata_json(field.metadata(), form);
    if metadata.as_array().is_some_and(|m| !m.is_empty()) {
        out["metadata"] = metadata;
    }
    out
}

fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "SECOND",
        TimeUnit::Millisecond => "MILLISECOND",
        TimeUnit::Microsecond => "MICROSECOND",
        TimeUnit::Nanosecond => "NANOSECOND",
    }
}

fn type_json(data_type: &DataType, form: Form) -> (Value, Vec<Value>) {
    let int = |bits: u8, signed: bool| json!({"name": "int", "bitWidth": bits, "isSigned": signed});
    let simple = |name: &str| json!({ "name": name });
    let children = |fields: &[&Field]| {
        fields
            .iter()
            .map(|f| field_json(f, form))
            .collect::<Vec<_>>()
    };
    match data_type {
        DataType::Null => (simple("null"), vec![]),
        DataType::Boolean => (simple("bool"), vec![]),
        DataType::Int8 => (int(8, true), vec![]),
        DataType::Int16 => (int(16, true), vec![]),
        DataType::Int32 => (int(32, true), vec![]),
        DataType::Int64 => (int(64, true), vec![]),
        DataType::UInt8 => (int(8, false), vec![]),
        DataType::UInt16 => (int(16, false), vec![]),
        DataType::UInt32 => (int(32, false), vec![]),
        DataType::UInt64 => (int(64, false), vec![]),
        DataType::Float16 => (
            json!({"name": "floatingpoint", "precision": "HALF"}),
            vec![],
        ),
        DataType::Float32 => (
            json!({"name": "floatingpoint", "precision": "SINGLE"}),
            vec![],
        ),
        DataType::Float64 => (
            json!({"name": "floatingpoint", "precision": "DOUBLE"}),
            vec![],
        ),
        DataType::Binary => (simple("binary"), vec![]),
        DataType::LargeBinary => (simple("largebinary"), vec![]),
        DataType::BinaryView => (simple("binaryview"), vec![]),
        DataType::Utf8 => (simple("utf8"), vec![]),
        DataType::LargeUtf8 => (simple("largeutf8"), vec![]),
        DataType::Utf8View => (simple("utf8view"), vec![]),
        DataType::FixedSizeBinary(w) => {
            (json!({"name": "fixedsizebinary", "byteWidth": w}), vec![])
        }
        DataType::Decimal32(p, s) => (
            json!({"name": "decimal", "precision": p, "scale": s, "bitWidth": 32}),
            vec![],
        ),
        DataType::Decimal64(p, s) => (
            json!({"name": "decimal", "precision": p, "scale": s, "bitWidth": 64}),
            vec![],
        ),
        DataType::Decimal128(p, s) => (
            json!({"name": "decimal", "precision": p, "scale": s, "bitWidth": 128}),
            vec![],
        ),
        DataType::Decimal256(p, s) => (
            json!({"name": "decimal", "precision": p, "scale": s, "bitWidth": 256}),
            vec![],
        ),
        DataType::Date32 => (json!({"name": "date", "unit": "DAY"}), vec![]),
        DataType::Date64 => (json!({"name": "date", "unit": "MILLISECOND"}), vec![]),
        DataType::Time32(u) => (
            json!({"name": "time", "unit": unit_name(*u), "bitWidth": 32}),
            vec![],
        ),
        DataType::Time64(u) => (
            json!({"name": "time", "unit": unit_name(*u), "bitWidth": 64}),
            vec![],
        ),
        DataType::Timestamp(u, tz) => {
            let mut ty = json!({"name": "timestamp", "unit": unit_name(*u)});
            if let Some(tz) = tz {
                ty["timezone"] = json!(tz.as_ref());
            }
            (ty, vec![])
        }
        DataType::Duration(u) => (json!({"name": "duration", "unit": unit_name(*u)}), vec![]),
        DataType::Interval(u) => {
            let unit = match u {
                IntervalUnit::YearMonth => "YEAR_MONTH",
                IntervalUnit::DayTime => "DAY_TIME",
                IntervalUnit::MonthDayNano => "MONTH_DAY_NANO",
            };
            (json!({"name": "interval", "unit": unit}), vec![])
        }
        DataType::List(f) => (simple("list"), children(&[f])),
        DataType::LargeList(f) => (simple("largelist"), children(&[f])),
        DataType::ListView(f) => (simple("listview"), children(&[f])),
        DataType::LargeListView(f) => (simple("largelistview"), children(&[f])),
        DataType::FixedSizeList(f, n) => (
            json!({"name": "fixedsizelist", "listSize": n}),
            children(&[f]),
        ),
        DataType::Struct(fields) => (
            simple("struct"),
            fields.iter().map(|f| field_json(f, form)).collect(),
        ),
        DataType::Map(entries, sorted) => (
            json!({"name": "map", "keysSorted": sorted}),
            children(&[entries]),
        ),
        DataType::Union(fields, mode) => {
            let ids: Vec<i8> = fields.iter().map(|(id, _)| id).collect();
            let mode = match mode {
                UnionMode::Sparse => "SPARSE",
                UnionMode::Dense => "DENSE",
            };
            (
                json!({"name": "union", "mode": mode, "typeIds": ids}),
                fields.iter().map(|(_, f)| field_json(f, form)).collect(),
            )
        }
        DataType::Dictionary(_, values) => type_json(values, form),
        DataType::RunEndEncoded(run_ends, values) => {
            (simple("runendencoded"), children(&[run_ends, values]))
        }
    }
}
