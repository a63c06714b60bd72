//! `.avsc` text to [`Schema`], validating everything the Avro 1.12 specification requires.
//!
//! We walk the JSON ourselves instead of using `apache_avro::Schema::parse_str` because every
//! error must name the JSON path of the problem, defaults must be checked (including union and
//! nested record defaults), and invalid logical types must be ignored rather than rejected.
//! The text is read into a borrowing [`Json`] tree and paths are rendered only for an error or a
//! named type's definition: parsing costs little more than reading the JSON.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};

use super::default::check_default;
use super::schema::{
    Field, Kind, Logical, Name, NamedId, NamedKind, NamedType, Node, Order, Primitive, Schema,
};
use crate::schema_json::{Json, Object, ParseError};

/// Parses and validates an Avro schema from its JSON text.
pub fn parse(text: &str) -> Result<Schema, ParseError> {
    parse_with_references(text, &[])
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
        let json = Json::parse(reference).map_err(in_reference)?;
        parser
            .schema(&json, &At::ROOT, None)
            .map_err(in_reference)?;
    }
    let imported = parser.named.len();
    let json = Json::parse(text)?;
    let root = parser.schema(&json, &At::ROOT, None)?;
    parser.finish(root, imported)
}

/// Parses a schema whose references are all defined by one parsed schema, `imported` (its one
/// reference, with everything that one imports). The result shares `imported`'s types instead
/// of parsing their texts again: along a chain of references, each link costs its own text only.
pub fn parse_importing(text: &str, imported: &Schema) -> Result<Schema, ParseError> {
    let mut alias_owner = FxHashMap::default();
    for (id, named) in imported.named.iter().enumerate() {
        for alias in &named.aliases {
            if alias.full != named.name.full {
                alias_owner.insert(alias.full.clone(), id);
            }
        }
    }
    let mut parser = Parser {
        named: imported.named.clone(),
        by_full_name: imported.by_full_name.clone(),
        alias_owner,
        defaults: Vec::new(),
    };
    let json = Json::parse(text)?;
    let root = parser.schema(&json, &At::ROOT, None)?;
    parser.finish(root, imported.named.len())
}

/// A JSON path as a chain of steps up to the root, rendered (`$.fields[2].type`) only when
/// needed.
#[derive(Clone, Copy)]
struct At<'p> {
    parent: Option<&'p At<'p>>,
    step: Step,
}

#[derive(Clone, Copy)]
enum Step {
    Root,
    Key(&'static str),
    Index(usize),
}

impl<'p> At<'p> {
    const ROOT: At<'static> = At {
        parent: None,
        step: Step::Root,
    };

    fn key(&'p self, key: &'static str) -> At<'p> {
        At {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    fn index(&'p self, i: usize) -> At<'p> {
        At {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(current) = at {
            steps.push(current.step);
            at = current.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Root => out.push('$'),
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(&self.render(), message)
    }
}

/// A field default to check once every type is known; its path is rendered only for an error.
struct PendingDefault {
    record: NamedId,
    field: usize,
}

#[derive(Default)]
struct Parser {
    named: Vec<Arc<NamedType>>,
    by_full_name: FxHashMap<Arc<str>, NamedId>,
    /// Full name of every type alias, with the type that declares it.
    alias_owner: FxHashMap<String, NamedId>,
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
                    let record = &schema.named[pending.record].path;
                    ParseError::at(
                        &format!("{record}.fields[{}].default", pending.field),
                        format!("default of field `{}` {problem}", field.name),
                    )
                })?;
            }
        }
        Ok(schema)
    }

    fn schema(&mut self, value: &Json, at: &At, ns: Option<&str>) -> Result<Node, ParseError> {
        match value {
            Json::String(name) => self.reference(name, at, ns).map(Node::new),
            Json::Array(branches) => self.union(branches, at, ns),
            Json::Object(map) => self.object(map, at, ns),
            other => Err(at.error(format!(
                "expected a schema (a type name, an object or a union array), found {}",
                other.kind()
            ))),
        }
    }

    fn reference(&self, name: &str, at: &At, ns: Option<&str>) -> Result<Kind, ParseError> {
        if let Some(p) = Primitive::from_name(name) {
            return Ok(Kind::Primitive(p));
        }
        let qualified = Name::resolve(name, ns);
        // A name without a dot that is not found in the enclosing namespace may still be a type
        // defined in the null namespace (Java resolves it the same way).
        let id = self
            .by_full_name
            .get(qualified.full.as_str())
            .or_else(|| self.by_full_name.get(name));
        match id {
            Some(&id) => Ok(Kind::Named(id)),
            None if matches!(
                name,
                "record" | "error" | "enum" | "fixed" | "array" | "map"
            ) =>
            {
                Err(at.error(format!(
                    "`{name}` must be declared as an object, e.g. {{\"type\": \"{name}\", ...}}"
                )))
            }
            None => Err(at.error(format!(
                "unknown type `{name}` (not a primitive and not defined before this point)"
            ))),
        }
    }

    fn union(&mut self, values: &[Json], at: &At, ns: Option<&str>) -> Result<Node, ParseError> {
        let mut branches: Vec<Node> = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            let branch_at = at.index(i);
            let branch = self.schema(value, &branch_at, ns)?;
            let key = |branch: &Node| match &branch.kind {
                Kind::Union(_) => None,
                Kind::Primitive(p) => Some(p.name()),
                Kind::Array(_) => Some("array"),
                Kind::Map(_) => Some("map"),
                Kind::Named(id) => Some(self.named[*id].name.full.as_str()),
            };
            let Some(this) = key(&branch) else {
                return Err(branch_at.error("a union must not directly contain another union"));
            };
            // Unions are short: a scan beats hashing.
            if let Some(first) = branches.iter().position(|b| key(b) == Some(this)) {
                return Err(branch_at.error(format!(
                    "duplicate type `{this}` in union (already at {}[{first}])",
                    at.render()
                )));
            }
            branches.push(branch);
        }
        Ok(Node::new(Kind::Union(branches)))
    }

    fn object(&mut self, map: &Object, at: &At, ns: Option<&str>) -> Result<Node, ParseError> {
        let type_name = match map.get("type") {
            None => return Err(at.error("missing `type`")),
            Some(Json::String(t)) => t.as_ref(),
            // `{"type": {...}}` and `{"type": [...]}` wrap a schema; Java and apache-avro accept it.
            Some(inner @ (Json::Object(_) | Json::Array(_))) => {
                return self.schema(inner, &at.key("type"), ns);
            }
            Some(other) => {
                return Err(at.key("type").error(format!(
                    "`type` must be a string, an object or an array, found {}",
                    other.kind()
                )));
            }
        };
        let kind = match type_name {
            "record" | "error" | "enum" | "fixed" => {
                return self.named_type(map, at, ns, type_name);
            }
            "array" => {
                let items = required(map, "items", at, "an array schema needs `items`")?;
                Kind::Array(Box::new(self.schema(items, &at.key("items"), ns)?))
            }
            "map" => {
                let values = required(map, "values", at, "a map schema needs `values`")?;
                Kind::Map(Box::new(self.schema(values, &at.key("values"), ns)?))
            }
            name => self.reference(name, &at.key("type"), ns)?,
        };
        // The spec's own attributes are not properties where they do not apply: `{"type":
        // "int", "name": "X"}` is `"int"`, as Avro's Java library (and so Confluent) reads it.
        let logical = match &kind {
            Kind::Primitive(p) => primitive_logical(*p, map),
            _ => None,
        };
        let props = props(map, SCHEMA_RESERVED, logical.is_some());
        Ok(Node {
            kind,
            logical,
            props,
        })
    }

    fn named_type(
        &mut self,
        map: &Object,
        at: &At,
        ns: Option<&str>,
        type_name: &str,
    ) -> Result<Node, ParseError> {
        let name_at = at.key("name");
        let raw_name = match map.get("name") {
            Some(Json::String(s)) => s.as_ref(),
            Some(other) => {
                return Err(
                    name_at.error(format!("`name` must be a string, found {}", other.kind()))
                );
            }
            None => return Err(at.error(format!("a {type_name} needs a `name`"))),
        };
        let namespace = match map.get("namespace") {
            None | Some(Json::Null) => ns,
            // A dotted name is already full: the specification ignores `namespace` then.
            Some(_) if raw_name.contains('.') => ns,
            Some(Json::String(s)) => {
                if !s.is_empty() {
                    validate_full_name(s, &at.key("namespace"), "namespace")?;
                }
                Some(s.as_ref())
            }
            Some(other) => {
                return Err(at.key("namespace").error(format!(
                    "`namespace` must be a string, found {}",
                    other.kind()
                )));
            }
        };
        validate_full_name(raw_name, &name_at, "name")?;
        let name = Name::resolve(raw_name, namespace);
        if Primitive::from_name(name.name()).is_some() {
            return Err(name_at.error(format!(
                "`{}` is a primitive type name and cannot name a {type_name}",
                name.name()
            )));
        }
        if let Some(&existing) = self.by_full_name.get(name.full.as_str()) {
            return Err(name_at.error(format!(
                "redefined named type `{}` (first defined at {})",
                name.full, self.named[existing].path
            )));
        }
        if let Some(owner) = self.alias_owner.get(&name.full) {
            return Err(name_at.error(format!(
                "`{}` is already an alias of `{}`; names and aliases of types must be unique",
                name.full, self.named[*owner].name.full
            )));
        }
        let own_ns = name.namespace().map(str::to_string);
        let aliases: Vec<Name> = string_list(map, "aliases", at)?
            .into_iter()
            .map(|alias| Name::resolve(alias, own_ns.as_deref()))
            .collect();
        for (k, alias) in aliases.iter().enumerate() {
            let taken = match (
                self.by_full_name.contains_key(alias.full.as_str()),
                self.alias_owner.get(&alias.full),
            ) {
                (true, _) => Some("the name of a type".to_string()),
                (false, Some(&owner)) => {
                    Some(format!("an alias of `{}`", self.named[owner].name.full))
                }
                (false, None) => None,
            };
            if let Some(taken) = taken {
                return Err(at.key("aliases").index(k).error(format!(
                    "alias `{}` is already {taken}; names and aliases of types must be unique",
                    alias.full
                )));
            }
        }
        let doc = optional_string(map, "doc", at)?;
        let id = self.named.len();
        self.by_full_name.insert(name.full.as_str().into(), id);
        for alias in &aliases {
            // An alias repeating the type's own name (or another alias) is harmless.
            if alias.full != name.full {
                self.alias_owner.insert(alias.full.clone(), id);
            }
        }
        // Registered before its body is parsed so that the body may refer to it (recursion).
        self.named.push(Arc::new(NamedType {
            name,
            aliases,
            doc,
            kind: NamedKind::Fixed { size: 0 },
            logical: None,
            props: Map::new(),
            path: at.render(),
        }));
        let (kind, logical, reserved): (NamedKind, Option<Logical>, &[&str]) = match type_name {
            "record" | "error" => (
                self.record_body(map, at, own_ns.as_deref(), id, type_name == "error")?,
                None,
                &["type", "name", "namespace", "aliases", "doc", "fields"],
            ),
            "enum" => (
                enum_body(map, at)?,
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
                    Some(Json::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
                    Some(other) => {
                        return Err(at.key("size").error(format!(
                            "`size` must be a non-negative integer, found {other}"
                        )));
                    }
                    None => return Err(at.error("a fixed needs a `size`")),
                };
                (
                    NamedKind::Fixed { size },
                    fixed_logical(size, map),
                    &["type", "name", "namespace", "aliases", "doc", "size"],
                )
            }
        };
        let props = props(map, reserved, logical.is_some());
        let named = Arc::get_mut(&mut self.named[id]).expect("a type being defined is not shared");
        named.kind = kind;
        named.logical = logical;
        named.props = props;
        Ok(Node::new(Kind::Named(id)))
    }

    fn record_body(
        &mut self,
        map: &Object,
        at: &At,
        ns: Option<&str>,
        id: NamedId,
        error: bool,
    ) -> Result<NamedKind, ParseError> {
        let fields_at = at.key("fields");
        let values = match map.get("fields") {
            Some(Json::Array(values)) => values,
            Some(other) => {
                return Err(
                    fields_at.error(format!("`fields` must be an array, found {}", other.kind()))
                );
            }
            None => return Err(at.error("a record needs `fields`")),
        };
        let mut fields = Vec::with_capacity(values.len());
        // Field names and aliases share one namespace within a record (Avro 1.12).
        let mut taken: FxHashMap<&str, usize> =
            FxHashMap::with_capacity_and_hasher(values.len(), Default::default());
        for (i, value) in values.iter().enumerate() {
            let field_at = fields_at.index(i);
            let Json::Object(fmap) = value else {
                return Err(
                    field_at.error(format!("a field must be an object, found {}", value.kind()))
                );
            };
            let name = match fmap.get("name") {
                Some(Json::String(s)) => s.as_ref(),
                Some(other) => {
                    return Err(field_at
                        .key("name")
                        .error(format!("`name` must be a string, found {}", other.kind())));
                }
                None => return Err(field_at.error("a field needs a `name`")),
            };
            validate_name(name, &field_at.key("name"), "field name")?;
            let aliases = string_list(fmap, "aliases", &field_at)?;
            for (label, candidate) in
                std::iter::once(("name", name)).chain(aliases.iter().map(|a| ("alias", *a)))
            {
                if let Some(other) = taken.insert(candidate, i).filter(|&other| other != i) {
                    let key = if label == "name" { "name" } else { "aliases" };
                    return Err(field_at.key(key).error(format!(
                        "duplicate field {label} `{candidate}` (already used by {}[{other}])",
                        fields_at.render()
                    )));
                }
            }
            let type_value = required(fmap, "type", &field_at, "a field needs a `type`")?;
            let schema = self.schema(type_value, &field_at.key("type"), ns)?;
            let order = match fmap.get("order") {
                None => Order::Ascending,
                Some(Json::String(s)) if s == "ascending" => Order::Ascending,
                Some(Json::String(s)) if s == "descending" => Order::Descending,
                Some(Json::String(s)) if s == "ignore" => Order::Ignore,
                Some(other) => {
                    return Err(field_at.key("order").error(format!(
                        "`order` must be \"ascending\", \"descending\" or \"ignore\", found {other}"
                    )));
                }
            };
            let default = fmap.get("default").map(Json::to_value);
            if default.is_some() {
                self.defaults.push(PendingDefault {
                    record: id,
                    field: i,
                });
            }
            fields.push(Field {
                name: name.to_string(),
                aliases: aliases.into_iter().map(str::to_string).collect(),
                doc: optional_string(fmap, "doc", &field_at)?,
                schema,
                default,
                order,
                props: fmap.to_map_without(&["name", "aliases", "doc", "type", "default", "order"]),
            });
        }
        Ok(NamedKind::Record { fields, error })
    }
}

fn enum_body(map: &Object, at: &At) -> Result<NamedKind, ParseError> {
    let symbols_at = at.key("symbols");
    let values = match map.get("symbols") {
        Some(Json::Array(values)) => values,
        Some(other) => {
            return Err(symbols_at.error(format!(
                "`symbols` must be an array of strings, found {}",
                other.kind()
            )));
        }
        None => return Err(at.error("an enum needs `symbols`")),
    };
    let mut symbols = Vec::with_capacity(values.len());
    let mut seen = FxHashSet::default();
    for (i, value) in values.iter().enumerate() {
        let symbol_at = symbols_at.index(i);
        let Json::String(symbol) = value else {
            return Err(symbol_at.error(format!(
                "an enum symbol must be a string, found {}",
                value.kind()
            )));
        };
        validate_name(symbol, &symbol_at, "enum symbol")?;
        if !seen.insert(symbol.as_ref()) {
            return Err(symbol_at.error(format!("duplicate enum symbol `{symbol}`")));
        }
        symbols.push(symbol.to_string());
    }
    let default = match map.get("default") {
        None => None,
        Some(Json::String(s)) if seen.contains(s.as_ref()) => Some(s.to_string()),
        Some(other) => {
            return Err(at.key("default").error(format!(
                "enum default {other} is not one of the enum's symbols"
            )));
        }
    };
    Ok(NamedKind::Enum { symbols, default })
}

/// The logical type of a primitive, or `None` when absent or invalid (then ignored, per spec).
fn primitive_logical(primitive: Primitive, map: &Object) -> Option<Logical> {
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

fn fixed_logical(size: u64, map: &Object) -> Option<Logical> {
    match map.get("logicalType")?.as_str()? {
        "decimal" => decimal(map, Some(size)),
        "duration" if size == 12 => Some(Logical::Duration),
        "uuid" if size == 16 => Some(Logical::Uuid),
        _ => None,
    }
}

/// A decimal's precision and scale when valid: precision > 0, 0 <= scale <= precision, and for a
/// fixed, precision no larger than its size can hold.
fn decimal(map: &Object, fixed_size: Option<u64>) -> Option<Logical> {
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

fn required<'m, 'a>(
    map: &'m Object<'a>,
    key: &str,
    at: &At,
    message: &str,
) -> Result<&'m Json<'a>, ParseError> {
    map.get(key).ok_or_else(|| at.error(message))
}

fn optional_string(map: &Object, key: &'static str, at: &At) -> Result<Option<String>, ParseError> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.to_string())),
        Some(other) => Err(at
            .key(key)
            .error(format!("`{key}` must be a string, found {}", other.kind()))),
    }
}

fn string_list<'m>(
    map: &'m Object,
    key: &'static str,
    at: &At,
) -> Result<Vec<&'m str>, ParseError> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(values)) => values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Json::String(s) => Ok(s.as_ref()),
                other => Err(at.key(key).index(i).error(format!(
                    "`{key}` entries must be strings, found {}",
                    other.kind()
                ))),
            })
            .collect(),
        Some(other) => Err(at.key(key).error(format!(
            "`{key}` must be an array of strings, found {}",
            other.kind()
        ))),
    }
}

/// A type's custom attributes: those not in `reserved`, and without the logical type's own when
/// it is a valid one.
fn props(map: &Object, reserved: &[&str], logical: bool) -> Map<String, Value> {
    let mut props = map.to_map_without(reserved);
    if logical {
        for key in ["logicalType", "precision", "scale"] {
            props.remove(key);
        }
    }
    props
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

/// A simple name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn validate_name(name: &str, at: &At, what: &str) -> Result<(), ParseError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(at.error(format!(
            "invalid {what} `{name}`: must start with a letter or `_` and contain only letters, digits and `_`"
        )))
    }
}

fn validate_full_name(name: &str, at: &At, what: &str) -> Result<(), ParseError> {
    if name.split('.').all(is_valid_name) {
        Ok(())
    } else {
        Err(at.error(format!(
            "invalid {what} `{name}`: each dot-separated part must start with a letter or `_` and contain only letters, digits and `_`"
        )))
    }
}
