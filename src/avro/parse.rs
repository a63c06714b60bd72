//! `.avsc` text to [`Schema`], validating everything the Avro 1.12 specification requires.
//!
//! We walk `serde_json::Value`s ourselves instead of using `apache_avro::Schema::parse_str`
//! because every error must name the JSON path of the problem, defaults must be checked
//! (including union and nested record defaults), and invalid logical types must be ignored rather
//! than rejected.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::default::check_default;
use super::schema::{
    Field, Kind, Logical, Name, NamedId, NamedKind, NamedType, Node, Order, Primitive, Schema,
};
use crate::schema_json::{ParseError, json_error, json_kind};

/// Parses and validates an Avro schema from its JSON text.
pub fn parse(text: &str) -> Result<Schema, ParseError> {
    parse_with_references(text, &[])
}

/// Parses and validates an Avro schema from already-parsed JSON.
pub fn parse_value(value: &Value) -> Result<Schema, ParseError> {
    let mut parser = Parser::default();
    let root = parser.schema(value, "$", None)?;
    parser.finish(root, 0)
}

/// Parses a schema that may use named types defined by other schemas (Confluent's schema
/// references). `references` are `(name, text)` pairs in dependency order: each may use the types
/// of those before it. Their types become part of the result, so it can be checked as a whole,
/// while [`Schema::normalized_form`] still writes them as names only.
pub fn parse_with_references(
    text: &str,
    references: &[(&str, &str)],
) -> Result<Schema, ParseError> {
    let mut parser = Parser::default();
    for (name, reference) in references {
        let in_reference = |mut e: ParseError| {
            e.location = format!("{} in reference `{name}`", e.location);
            e
        };
        let value: Value =
            serde_json::from_str(reference).map_err(|e| in_reference(json_error(&e)))?;
        parser.schema(&value, "$", None).map_err(in_reference)?;
    }
    let imported = parser.named.len();
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let root = parser.schema(&value, "$", None)?;
    parser.finish(root, imported)
}

struct PendingDefault {
    record: NamedId,
    field: usize,
    path: String,
}

#[derive(Default)]
struct Parser {
    named: Vec<NamedType>,
    by_full_name: HashMap<String, NamedId>,
    /// Full name of every type alias, with the type that declares it.
    alias_owner: HashMap<String, NamedId>,
    defaults: Vec<PendingDefault>,
}

impl Parser {
    /// Checks the collected defaults, now that every type is complete (a recursive record's
    /// default may refer to the record being defined), and builds the schema.
    fn finish(self, root: Node, imported: usize) -> Result<Schema, ParseError> {
        let schema = Schema {
            root,
            named: self.named,
            by_full_name: self.by_full_name,
            imported,
            resolution_form: Default::default(),
        };
        for pending in &self.defaults {
            let NamedKind::Record { fields, .. } = &schema.named[pending.record].kind else {
                unreachable!("defaults are only collected for record fields")
            };
            let field = &fields[pending.field];
            if let Some(default) = &field.default {
                check_default(&schema, &field.schema, default).map_err(|problem| {
                    ParseError::at(
                        &pending.path,
                        format!("default of field `{}` {problem}", field.name),
                    )
                })?;
            }
        }
        Ok(schema)
    }

    fn schema(&mut self, value: &Value, path: &str, ns: Option<&str>) -> Result<Node, ParseError> {
        match value {
            Value::String(name) => self.reference(name, path, ns).map(Node::new),
            Value::Array(branches) => self.union(branches, path, ns),
            Value::Object(map) => self.object(map, path, ns),
            other => Err(ParseError::at(
                path,
                format!(
                    "expected a schema (a type name, an object or a union array), found {}",
                    json_kind(other)
                ),
            )),
        }
    }

    fn reference(&self, name: &str, path: &str, ns: Option<&str>) -> Result<Kind, ParseError> {
        if let Some(p) = Primitive::from_name(name) {
            return Ok(Kind::Primitive(p));
        }
        let qualified = Name::resolve(name, ns);
        // A name without a dot that is not found in the enclosing namespace may still be a type
        // defined in the null namespace (Java resolves it the same way).
        let id = self
            .by_full_name
            .get(&qualified.full)
            .or_else(|| self.by_full_name.get(name));
        match id {
            Some(&id) => Ok(Kind::Named(id)),
            None if matches!(
                name,
                "record" | "error" | "enum" | "fixed" | "array" | "map"
            ) =>
            {
                Err(ParseError::at(
                    path,
                    format!(
                        "`{name}` must be declared as an object, e.g. {{\"type\": \"{name}\", ...}}"
                    ),
                ))
            }
            None => Err(ParseError::at(
                path,
                format!(
                    "unknown type `{name}` (not a primitive and not defined before this point)"
                ),
            )),
        }
    }

    fn union(
        &mut self,
        values: &[Value],
        path: &str,
        ns: Option<&str>,
    ) -> Result<Node, ParseError> {
        let mut branches = Vec::with_capacity(values.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, value) in values.iter().enumerate() {
            let branch_path = format!("{path}[{i}]");
            let branch = self.schema(value, &branch_path, ns)?;
            let key = match &branch.kind {
                Kind::Union(_) => {
                    return Err(ParseError::at(
                        &branch_path,
                        "a union must not directly contain another union",
                    ));
                }
                Kind::Primitive(p) => p.name().to_string(),
                Kind::Array(_) => "array".to_string(),
                Kind::Map(_) => "map".to_string(),
                Kind::Named(id) => self.named[*id].name.full.clone(),
            };
            if let Some(first) = seen.insert(key.clone(), i) {
                return Err(ParseError::at(
                    &branch_path,
                    format!("duplicate type `{key}` in union (already at {path}[{first}])"),
                ));
            }
            branches.push(branch);
        }
        Ok(Node::new(Kind::Union(branches)))
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        ns: Option<&str>,
    ) -> Result<Node, ParseError> {
        let type_name = match map.get("type") {
            None => return Err(ParseError::at(path, "missing `type`")),
            Some(Value::String(t)) => t.as_str(),
            // `{"type": {...}}` and `{"type": [...]}` wrap a schema; Java and apache-avro accept it.
            Some(inner @ (Value::Object(_) | Value::Array(_))) => {
                return self.schema(inner, &format!("{path}.type"), ns);
            }
            Some(other) => {
                return Err(ParseError::at(
                    &format!("{path}.type"),
                    format!(
                        "`type` must be a string, an object or an array, found {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        let kind = match type_name {
            "record" | "error" => return self.named_type(map, path, ns, type_name),
            "enum" | "fixed" => return self.named_type(map, path, ns, type_name),
            "array" => {
                let items = required(map, "items", path, "an array schema needs `items`")?;
                Kind::Array(Box::new(self.schema(
                    items,
                    &format!("{path}.items"),
                    ns,
                )?))
            }
            "map" => {
                let values = required(map, "values", path, "a map schema needs `values`")?;
                Kind::Map(Box::new(self.schema(
                    values,
                    &format!("{path}.values"),
                    ns,
                )?))
            }
            name => self.reference(name, &format!("{path}.type"), ns)?,
        };
        // The spec's own attributes are not properties where they do not apply: `{"type":
        // "int", "name": "X"}` is `"int"`, as Avro's Java library (and so Confluent) reads it.
        let mut props = extra_props(map, SCHEMA_RESERVED);
        let logical = match &kind {
            Kind::Primitive(p) => primitive_logical(*p, map),
            _ => None,
        };
        if logical.is_some() {
            for key in ["logicalType", "precision", "scale"] {
                props.remove(key);
            }
        }
        Ok(Node {
            kind,
            logical,
            props,
        })
    }

    fn named_type(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        ns: Option<&str>,
        type_name: &str,
    ) -> Result<Node, ParseError> {
        let name_path = format!("{path}.name");
        let raw_name = match map.get("name") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(ParseError::at(
                    &name_path,
                    format!("`name` must be a string, found {}", json_kind(other)),
                ));
            }
            None => {
                return Err(ParseError::at(
                    path,
                    format!("a {type_name} needs a `name`"),
                ));
            }
        };
        let namespace = match map.get("namespace") {
            None | Some(Value::Null) => ns,
            // A dotted name is already full: the specification ignores `namespace` then.
            Some(_) if raw_name.contains('.') => ns,
            Some(Value::String(s)) => {
                if !s.is_empty() {
                    validate_full_name(s, &format!("{path}.namespace"), "namespace")?;
                }
                Some(s.as_str())
            }
            Some(other) => {
                return Err(ParseError::at(
                    &format!("{path}.namespace"),
                    format!("`namespace` must be a string, found {}", json_kind(other)),
                ));
            }
        };
        validate_full_name(raw_name, &name_path, "name")?;
        let name = Name::resolve(raw_name, namespace);
        if Primitive::from_name(name.name()).is_some() {
            return Err(ParseError::at(
                &name_path,
                format!(
                    "`{}` is a primitive type name and cannot name a {type_name}",
                    name.name()
                ),
            ));
        }
        if let Some(&existing) = self.by_full_name.get(&name.full) {
            return Err(ParseError::at(
                &name_path,
                format!(
                    "redefined named type `{}` (first defined at {})",
                    name.full, self.named[existing].path
                ),
            ));
        }
        if let Some(owner) = self.alias_owner.get(&name.full) {
            return Err(ParseError::at(
                &name_path,
                format!(
                    "`{}` is already an alias of `{}`; names and aliases of types must be unique",
                    name.full, self.named[*owner].name.full
                ),
            ));
        }
        let own_ns = name.namespace().map(str::to_string);
        let aliases: Vec<Name> = string_list(map, "aliases", path)?
            .into_iter()
            .map(|alias| Name::resolve(&alias, own_ns.as_deref()))
            .collect();
        for (k, alias) in aliases.iter().enumerate() {
            let taken = match (
                self.by_full_name.contains_key(&alias.full),
                self.alias_owner.get(&alias.full),
            ) {
                (true, _) => Some("the name of a type".to_string()),
                (false, Some(&owner)) => {
                    Some(format!("an alias of `{}`", self.named[owner].name.full))
                }
                (false, None) => None,
            };
            if let Some(taken) = taken {
                return Err(ParseError::at(
                    &format!("{path}.aliases[{k}]"),
                    format!(
                        "alias `{}` is already {taken}; names and aliases of types must be unique",
                        alias.full
                    ),
                ));
            }
        }
        let doc = optional_string(map, "doc", path)?;
        let id = self.named.len();
        self.by_full_name.insert(name.full.clone(), id);
        for alias in &aliases {
            // An alias repeating the type's own name (or another alias) is harmless.
            if alias.full != name.full {
                self.alias_owner.insert(alias.full.clone(), id);
            }
        }
        // Registered before its body is parsed so that the body may refer to it (recursion).
        self.named.push(NamedType {
            name,
            aliases,
            doc,
            kind: NamedKind::Fixed { size: 0 },
            logical: None,
            props: Map::new(),
            path: path.to_string(),
        });
        let (kind, logical, reserved): (NamedKind, Option<Logical>, &[&str]) = match type_name {
            "record" | "error" => (
                self.record_body(map, path, own_ns.as_deref(), id, type_name == "error")?,
                None,
                &["type", "name", "namespace", "aliases", "doc", "fields"],
            ),
            "enum" => (
                enum_body(map, path)?,
                None,
                &[
                    "type",
                    "name",
                    "namespace",
                    "aliases",
                    "doc",
                    "symbols",
                    "default",
                ],
            ),
            _ => {
                let size = match map.get("size") {
                    Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
                    Some(other) => {
                        return Err(ParseError::at(
                            &format!("{path}.size"),
                            format!("`size` must be a non-negative integer, found {other}"),
                        ));
                    }
                    None => return Err(ParseError::at(path, "a fixed needs a `size`")),
                };
                (
                    NamedKind::Fixed { size },
                    fixed_logical(size, map),
                    &["type", "name", "namespace", "aliases", "doc", "size"],
                )
            }
        };
        let mut props = extra_props(map, reserved);
        if logical.is_some() {
            for key in ["logicalType", "precision", "scale"] {
                props.remove(key);
            }
        }
        let named = &mut self.named[id];
        named.kind = kind;
        named.logical = logical;
        named.props = props;
        Ok(Node::new(Kind::Named(id)))
    }

    fn record_body(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        ns: Option<&str>,
        id: NamedId,
        error: bool,
    ) -> Result<NamedKind, ParseError> {
        let fields_path = format!("{path}.fields");
        let values = match map.get("fields") {
            Some(Value::Array(values)) => values,
            Some(other) => {
                return Err(ParseError::at(
                    &fields_path,
                    format!("`fields` must be an array, found {}", json_kind(other)),
                ));
            }
            None => return Err(ParseError::at(path, "a record needs `fields`")),
        };
        let mut fields = Vec::with_capacity(values.len());
        // Field names and aliases share one namespace within a record (Avro 1.12).
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (i, value) in values.iter().enumerate() {
            let field_path = format!("{fields_path}[{i}]");
            let Value::Object(fmap) = value else {
                return Err(ParseError::at(
                    &field_path,
                    format!("a field must be an object, found {}", json_kind(value)),
                ));
            };
            let name = match fmap.get("name") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(ParseError::at(
                        &format!("{field_path}.name"),
                        format!("`name` must be a string, found {}", json_kind(other)),
                    ));
                }
                None => return Err(ParseError::at(&field_path, "a field needs a `name`")),
            };
            validate_name(&name, &format!("{field_path}.name"), "field name")?;
            let aliases = string_list(fmap, "aliases", &field_path)?;
            for (label, candidate) in
                std::iter::once(("name", &name)).chain(aliases.iter().map(|a| ("alias", a)))
            {
                if let Some(other) = taken
                    .insert(candidate.clone(), i)
                    .filter(|&other| other != i)
                {
                    return Err(ParseError::at(
                        &format!(
                            "{field_path}.{}",
                            if label == "name" { "name" } else { "aliases" }
                        ),
                        format!(
                            "duplicate field {label} `{candidate}` (already used by {fields_path}[{other}])"
                        ),
                    ));
                }
            }
            let type_value = required(fmap, "type", &field_path, "a field needs a `type`")?;
            let schema = self.schema(type_value, &format!("{field_path}.type"), ns)?;
            let order = match fmap.get("order") {
                None => Order::Ascending,
                Some(Value::String(s)) if s == "ascending" => Order::Ascending,
                Some(Value::String(s)) if s == "descending" => Order::Descending,
                Some(Value::String(s)) if s == "ignore" => Order::Ignore,
                Some(other) => {
                    return Err(ParseError::at(
                        &format!("{field_path}.order"),
                        format!(
                            "`order` must be \"ascending\", \"descending\" or \"ignore\", found {other}"
                        ),
                    ));
                }
            };
            let default = fmap.get("default").cloned();
            if default.is_some() {
                self.defaults.push(PendingDefault {
                    record: id,
                    field: i,
                    path: format!("{field_path}.default"),
                });
            }
            fields.push(Field {
                name,
                aliases,
                doc: optional_string(fmap, "doc", &field_path)?,
                schema,
                default,
                order,
                props: extra_props(
                    fmap,
                    &["name", "aliases", "doc", "type", "default", "order"],
                ),
            });
        }
        Ok(NamedKind::Record { fields, error })
    }
}

fn enum_body(map: &Map<String, Value>, path: &str) -> Result<NamedKind, ParseError> {
    let symbols_path = format!("{path}.symbols");
    let values = match map.get("symbols") {
        Some(Value::Array(values)) => values,
        Some(other) => {
            return Err(ParseError::at(
                &symbols_path,
                format!(
                    "`symbols` must be an array of strings, found {}",
                    json_kind(other)
                ),
            ));
        }
        None => return Err(ParseError::at(path, "an enum needs `symbols`")),
    };
    let mut symbols = Vec::with_capacity(values.len());
    let mut seen = HashSet::new();
    for (i, value) in values.iter().enumerate() {
        let symbol_path = format!("{symbols_path}[{i}]");
        let Value::String(symbol) = value else {
            return Err(ParseError::at(
                &symbol_path,
                format!(
                    "an enum symbol must be a string, found {}",
                    json_kind(value)
                ),
            ));
        };
        validate_name(symbol, &symbol_path, "enum symbol")?;
        if !seen.insert(symbol.as_str()) {
            return Err(ParseError::at(
                &symbol_path,
                format!("duplicate enum symbol `{symbol}`"),
            ));
        }
        symbols.push(symbol.clone());
    }
    let default = match map.get("default") {
        None => None,
        Some(Value::String(s)) if seen.contains(s.as_str()) => Some(s.clone()),
        Some(other) => {
            return Err(ParseError::at(
                &format!("{path}.default"),
                format!("enum default {other} is not one of the enum's symbols"),
            ));
        }
    };
    Ok(NamedKind::Enum { symbols, default })
}

/// The logical type of a primitive, or `None` when absent or invalid (then ignored, per spec).
fn primitive_logical(primitive: Primitive, map: &Map<String, Value>) -> Option<Logical> {
    use Primitive::*;
    let logical = match (map.get("logicalType")?.as_str()?, primitive) {
        ("decimal", Bytes) => return decimal(map, None),
        ("big-decimal", Bytes) => Logical::BigDecimal,
        ("uuid", String) => Logical::Uuid,
        ("date", Int) => Logical::Date,
        ("time-millis", Int) => Logical::TimeMillis,
        ("time-micros", Long) => Logical::TimeMicros,
        ("timestamp-millis", Long) => Logical::TimestampMillis,
        ("timestamp-micros", Long) => Logical::TimestampMicros,
        ("timestamp-nanos", Long) => Logical::TimestampNanos,
        ("local-timestamp-millis", Long) => Logical::LocalTimestampMillis,
        ("local-timestamp-micros", Long) => Logical::LocalTimestampMicros,
        ("local-timestamp-nanos", Long) => Logical::LocalTimestampNanos,
        _ => return None,
    };
    Some(logical)
}

fn fixed_logical(size: u64, map: &Map<String, Value>) -> Option<Logical> {
    match map.get("logicalType")?.as_str()? {
        "decimal" => decimal(map, Some(size)),
        "duration" if size == 12 => Some(Logical::Duration),
        "uuid" if size == 16 => Some(Logical::Uuid),
        _ => None,
    }
}

/// A decimal's precision and scale when valid: precision > 0, 0 <= scale <= precision, and for a
/// fixed, precision no larger than its size can hold.
fn decimal(map: &Map<String, Value>, fixed_size: Option<u64>) -> Option<Logical> {
    let precision = u32::try_from(map.get("precision")?.as_u64()?).ok()?;
    let scale = match map.get("scale") {
        None => 0,
        Some(v) => u32::try_from(v.as_u64()?).ok()?,
    };
    if precision == 0 || scale > precision {
        return None;
    }
    if let Some(size) = fixed_size {
        // floor(log10(2^(8*size-1) - 1)) digits fit in `size` bytes of two's complement.
        let bits = size.saturating_mul(8).saturating_sub(1);
        let max_digits = (bits as f64 * std::f64::consts::LOG10_2).floor() as u64;
        if u64::from(precision) > max_digits {
            return None;
        }
    }
    Some(Logical::Decimal { precision, scale })
}

fn required<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
    message: &str,
) -> Result<&'a Value, ParseError> {
    map.get(key).ok_or_else(|| ParseError::at(path, message))
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, ParseError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ParseError::at(
            &format!("{path}.{key}"),
            format!("`{key}` must be a string, found {}", json_kind(other)),
        )),
    }
}

fn string_list(map: &Map<String, Value>, key: &str, path: &str) -> Result<Vec<String>, ParseError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(ParseError::at(
                    &format!("{path}.{key}[{i}]"),
                    format!(
                        "`{key}` entries must be strings, found {}",
                        json_kind(other)
                    ),
                )),
            })
            .collect(),
        Some(other) => Err(ParseError::at(
            &format!("{path}.{key}"),
            format!(
                "`{key}` must be an array of strings, found {}",
                json_kind(other)
            ),
        )),
    }
}

/// The attributes the specification defines for some schema; never a custom property.
const SCHEMA_RESERVED: &[&str] = &[
    "type",
    "name",
    "namespace",
    "doc",
    "aliases",
    "fields",
    "symbols",
    "size",
    "items",
    "values",
];

fn extra_props(map: &Map<String, Value>, reserved: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A simple name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn validate_name(name: &str, path: &str, what: &str) -> Result<(), ParseError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ParseError::at(
            path,
            format!(
                "invalid {what} `{name}`: must start with a letter or `_` and contain only letters, digits and `_`"
            ),
        ))
    }
}

fn validate_full_name(name: &str, path: &str, what: &str) -> Result<(), ParseError> {
    if name.split('.').all(is_valid_name) {
        Ok(())
    } else {
        Err(ParseError::at(
            path,
            format!(
                "invalid {what} `{name}`: each dot-separated part must start with a letter or `_` and contain only letters, digits and `_`"
            ),
        ))
    }
}
