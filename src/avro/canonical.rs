//! Parsing Canonical Form, its Rabin fingerprint, and the normalized form used for identity.

use std::fmt::Write as _;

use apache_avro::rabin::Rabin;
use serde_json::{Map, Value};

use super::schema::{Kind, NamedKind, Node, Order, Schema};

impl Schema {
    /// The specification's Parsing Canonical Form: only what affects decoding, full names, fixed
    /// attribute order, no whitespace. Two schemas with the same form decode the same bytes.
    pub fn canonical_form(&self) -> String {
        let mut out = String::new();
        let mut defined = vec![false; self.named.len()];
        self.write_canonical(&self.root, &mut defined, &mut out);
        out
    }

    /// The 64-bit Rabin fingerprint (CRC-64-AVRO) of the Parsing Canonical Form, as the
    /// specification and single-object encoding define it.
    pub fn fingerprint(&self) -> u64 {
        rabin(self.canonical_form().as_bytes())
    }

    fn write_canonical(&self, node: &Node, defined: &mut [bool], out: &mut String) {
        match &node.kind {
            Kind::Primitive(p) => write_json_string(out, p.name()),
            Kind::Array(items) => {
                out.push_str(r#"{"type":"array","items":"#);
                self.write_canonical(items, defined, out);
                out.push('}');
            }
            Kind::Map(values) => {
                out.push_str(r#"{"type":"map","values":"#);
                self.write_canonical(values, defined, out);
                out.push('}');
            }
            Kind::Union(branches) => {
                out.push('[');
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write_canonical(branch, defined, out);
                }
                out.push(']');
            }
            Kind::Named(id) => {
                let named = &self.named[*id];
                if std::mem::replace(&mut defined[*id], true) {
                    write_json_string(out, &named.name.full);
                    return;
                }
                out.push_str(r#"{"name":"#);
                write_json_string(out, &named.name.full);
                out.push_str(r#","type":"#);
                // Java's SchemaNormalization writes an error type as "record"; fingerprints
                // must agree with the registry clients that compute them.
                let kind = match named.kind_name() {
                    "error" => "record",
                    kind => kind,
                };
                write_json_string(out, kind);
                match &named.kind {
                    NamedKind::Record { fields, .. } => {
                        out.push_str(r#","fields":["#);
                        for (i, field) in fields.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            out.push_str(r#"{"name":"#);
                            write_json_string(out, &field.name);
                            out.push_str(r#","type":"#);
                            self.write_canonical(&field.schema, defined, out);
                            out.push('}');
                        }
                        out.push(']');
                    }
                    NamedKind::Enum { symbols, .. } => {
                        out.push_str(r#","symbols":["#);
                        for (i, symbol) in symbols.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            write_json_string(out, symbol);
                        }
                        out.push(']');
                    }
                    NamedKind::Fixed { size } => {
                        let _ = write!(out, r#","size":{size}"#);
                    }
                }
                out.push('}');
            }
        }
    }

    /// A form that keeps everything the schema says (docs, defaults, aliases, logical types,
    /// extra attributes) but none of how it was written: keys sorted, no whitespace, primitives
    /// without attributes as bare names, full names instead of namespaces, alias lists sorted.
    /// Parsing this form and normalizing again yields the same text.
    /// Types defined by referenced schemas are written as names, as the submitted text had them.
    pub fn normalized_form(&self) -> String {
        self.form(Form::Normalized)
    }

    /// The normalized form without docs and extra attributes: everything schema resolution
    /// reads (names, aliases, defaults, order, logical types) and nothing else. Two schemas with
    /// the same resolution form break any third schema in exactly the same ways. Computed once
    /// per schema.
    pub fn resolution_form(&self) -> &str {
        self.resolution_form
            .0
            .get_or_init(|| self.form(Form::Resolution))
    }

    fn form(&self, form: Form) -> String {
        let mut defined: Vec<bool> = (0..self.named.len()).map(|id| id < self.imported).collect();
        self.normalized_value(&self.root, None, &mut defined, form)
            .to_string()
    }

    fn normalized_value(
        &self,
        node: &Node,
        enclosing_ns: Option<&str>,
        defined: &mut [bool],
        form: Form,
    ) -> Value {
        let mut map = form.props(&node.props);
        if let Some(logical) = node.logical {
            logical_attributes(logical, &mut map);
        }
        let kind = match &node.kind {
            Kind::Primitive(p) => Value::String(p.name().to_string()),
            Kind::Array(items) => {
                map.insert(
                    "items".into(),
                    self.normalized_value(items, enclosing_ns, defined, form),
                );
                Value::String("array".into())
            }
            Kind::Map(values) => {
                map.insert(
                    "values".into(),
                    self.normalized_value(values, enclosing_ns, defined, form),
                );
                Value::String("map".into())
            }
            Kind::Union(branches) => {
                return Value::Array(
                    branches
                        .iter()
                        .map(|b| self.normalized_value(b, enclosing_ns, defined, form))
                        .collect(),
                );
            }
            Kind::Named(id) => return self.normalized_named(*id, enclosing_ns, defined, form),
        };
        if map.is_empty() {
            kind
        } else {
            map.insert("type".into(), kind);
            Value::Object(map)
        }
    }

    fn normalized_named(
        &self,
        id: usize,
        enclosing_ns: Option<&str>,
        defined: &mut [bool],
        form: Form,
    ) -> Value {
        let named = &self.named[id];
        if std::mem::replace(&mut defined[id], true) {
            return Value::String(named.name.full.clone());
        }
        let mut map = form.props(&named.props);
        if let Some(logical) = named.logical {
            logical_attributes(logical, &mut map);
        }
        map.insert("type".into(), named.kind_name().into());
        map.insert("name".into(), named.name.full.clone().into());
        let own_ns = named.name.namespace();
        // A type in the null namespace nested in a namespaced one must say so, or a re-parse
        // would put it in the enclosing namespace.
        if own_ns.is_none() && enclosing_ns.is_some() {
            map.insert("namespace".into(), "".into());
        }
        if !named.aliases.is_empty() {
            let mut aliases: Vec<&str> = named.aliases.iter().map(|a| a.full.as_str()).collect();
            aliases.sort_unstable();
            aliases.dedup();
            map.insert("aliases".into(), aliases.into());
        }
        if let Some(doc) = named.doc.as_ref().filter(|_| form == Form::Normalized) {
            map.insert("doc".into(), doc.clone().into());
        }
        match &named.kind {
            NamedKind::Record { fields, .. } => {
                let fields: Vec<Value> = fields
                    .iter()
                    .map(|field| {
                        let mut f = form.props(&field.props);
                        f.insert("name".into(), field.name.clone().into());
                        f.insert(
                            "type".into(),
                            self.normalized_value(&field.schema, own_ns, defined, form),
                        );
                        if let Some(default) = &field.default {
                            f.insert("default".into(), default.clone());
                        }
                        if let Some(doc) = field.doc.as_ref().filter(|_| form == Form::Normalized) {
                            f.insert("doc".into(), doc.clone().into());
                        }
                        if !field.aliases.is_empty() {
                            let mut aliases = field.aliases.clone();
                            aliases.sort_unstable();
                            aliases.dedup();
                            f.insert("aliases".into(), aliases.into());
                        }
                        if field.order != Order::Ascending {
                            f.insert("order".into(), field.order.name().into());
                        }
                        Value::Object(f)
                    })
                    .collect();
                map.insert("fields".into(), fields.into());
            }
            NamedKind::Enum { symbols, default } => {
                map.insert("symbols".into(), symbols.clone().into());
                if let Some(default) = default {
                    map.insert("default".into(), default.clone().into());
                }
            }
            NamedKind::Fixed { size } => {
                map.insert("size".into(), (*size).into());
            }
        }
        Value::Object(map)
    }
}

/// Which of the two JSON forms to write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Everything the schema says.
    Normalized,
    /// Without docs and extra attributes.
    Resolution,
}

impl Form {
    fn props(self, props: &Map<String, Value>) -> Map<String, Value> {
        match self {
            Form::Normalized => props.clone(),
            Form::Resolution => Map::new(),
        }
    }
}

/// The 64-bit Rabin fingerprint (CRC-64-AVRO) of any bytes.
pub fn rabin(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(<Rabin as digest::Digest>::digest(bytes).into())
}

fn logical_attributes(logical: super::Logical, map: &mut Map<String, Value>) {
    map.insert("logicalType".into(), logical.name().into());
    if let super::Logical::Decimal { precision, scale } = logical {
        map.insert("precision".into(), precision.into());
        map.insert("scale".into(), scale.into());
    }
}

fn write_json_string(out: &mut String, s: &str) {
    // serde_json escapes only what JSON requires and writes other characters as UTF-8, which
    // is what [STRINGS] in the specification asks for.
    out.push_str(&serde_json::to_string(s).expect("a string always serializes"));
}
