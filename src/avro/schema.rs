//! The parsed form of an Avro schema: a tree of [`Node`]s whose named types live in one table.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde_json::{Map, Value};

/// Index of a named type (record, enum, fixed) in [`Schema::named`].
pub type NamedId = usize;

/// A parsed, validated Avro schema.
///
/// Named types are stored once, in the order they are defined; every use of a name, including the
/// definition site, is a [`Kind::Named`] pointing into that table. Recursive types are therefore
/// plain indices, never cycles of pointers. Equality is structural: two schemas are equal when
/// they parse to the same tree, however their text was laid out. The table is shared: a schema
/// parsed on top of another (its one reference) shares that one's types instead of copying them.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub(crate) root: Node,
    pub(crate) named: Vec<Arc<NamedType>>,
    pub(crate) by_full_name: FxHashMap<Arc<str>, NamedId>,
    /// How many named types, from the start of `named`, were defined by referenced schemas.
    pub(crate) imported: usize,
    pub(crate) resolution_form: Memo<String>,
}

/// A value derived from a schema and computed on first use; it takes no part in equality.
#[derive(Debug, Clone, Default)]
pub(crate) struct Memo<T>(pub(crate) std::sync::OnceLock<T>);

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Schema {
    /// The top-level type.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The named type with this index.
    pub fn named(&self, id: NamedId) -> &NamedType {
        &self.named[id]
    }

    /// Every named type, in definition order.
    pub fn named_types(&self) -> &[Arc<NamedType>] {
        &self.named
    }

    /// The named type with this full name, if the schema defines it.
    pub fn lookup(&self, full_name: &str) -> Option<&NamedType> {
        self.by_full_name
            .get(full_name)
            .map(|&id| self.named[id].as_ref())
    }

    /// The logical type of a node, including one declared on the `fixed` it names.
    pub fn logical(&self, node: &Node) -> Option<Logical> {
        match node.kind {
            Kind::Named(id) => self.named[id].logical,
            _ => node.logical,
        }
    }

    /// A short description of a node for messages: `int`, `array<string>`, `record Order`, ...
    pub fn describe(&self, node: &Node) -> String {
        let base = match &node.kind {
            Kind::Primitive(p) => p.name().to_string(),
            Kind::Array(items) => format!("array<{}>", self.describe(items)),
            Kind::Map(values) => format!("map<{}>", self.describe(values)),
            Kind::Union(branches) => {
                let parts: Vec<String> = branches.iter().map(|b| self.describe(b)).collect();
                format!("[{}]", parts.join(", "))
            }
            Kind::Named(id) => {
                let named = &self.named[*id];
                format!("{} {}", named.kind_name(), named.name.full)
            }
        };
        match self.logical(node) {
            Some(logical) => format!("{base} ({logical})"),
            None => base,
        }
    }
}

/// One position in a schema: its type, and the attributes a type can carry wherever it appears.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// A valid logical type; an invalid or unknown `logicalType` stays in `props` and is ignored,
    /// as the specification asks.
    pub logical: Option<Logical>,
    /// Attributes the specification does not define (kept for the normalized form).
    pub props: Map<String, Value>,
}

impl Node {
    /// A node of this kind with no logical type or extra attributes.
    pub fn new(kind: Kind) -> Self {
        Node {
            kind,
            logical: None,
            props: Map::new(),
        }
    }

    /// The union branches, or the node itself as a single branch.
    pub fn branches(&self) -> &[Node] {
        match &self.kind {
            Kind::Union(branches) => branches,
            _ => std::slice::from_ref(self),
        }
    }
}

/// The shape of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Primitive(Primitive),
    Array(Box<Node>),
    Map(Box<Node>),
    Union(Vec<Node>),
    Named(NamedId),
}

/// The eight primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Primitive {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Primitive {
    /// Every primitive, in the specification's order.
    pub const ALL: [Primitive; 8] = [
        Primitive::Null,
        Primitive::Boolean,
        Primitive::Int,
        Primitive::Long,
        Primitive::Float,
        Primitive::Double,
        Primitive::Bytes,
        Primitive::String,
    ];

    /// The type name used in schemas.
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Null => "null",
            Primitive::Boolean => "boolean",
            Primitive::Int => "int",
            Primitive::Long => "long",
            Primitive::Float => "float",
            Primitive::Double => "double",
            Primitive::Bytes => "bytes",
            Primitive::String => "string",
        }
    }

    /// The primitive with this type name.
    pub fn from_name(name: &str) -> Option<Primitive> {
        Primitive::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether data written as `writer` can be read as `self` (same type or a promotion).
    pub fn reads(self, writer: Primitive) -> bool {
        use Primitive::*;
        self == writer
            || matches!(
                (writer, self),
                (Int, Long | Float | Double)
                    | (Long, Float | Double)
                    | (Float, Double)
                    | (String, Bytes)
                    | (Bytes, String)
            )
    }
}

/// The logical types of Avro 1.12 that change how a value is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logical {
    Decimal { precision: u32, scale: u32 },
    BigDecimal,
    Uuid,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    LocalTimestampMillis,
    LocalTimestampMicros,
    LocalTimestampNanos,
    Duration,
}

impl Logical {
    /// The `logicalType` attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Logical::Decimal { .. } => "decimal",
            Logical::BigDecimal => "big-decimal",
            Logical::Uuid => "uuid",
            Logical::Date => "date",
            Logical::TimeMillis => "time-millis",
            Logical::TimeMicros => "time-micros",
            Logical::TimestampMillis => "timestamp-millis",
            Logical::TimestampMicros => "timestamp-micros",
            Logical::TimestampNanos => "timestamp-nanos",
            Logical::LocalTimestampMillis => "local-timestamp-millis",
            Logical::LocalTimestampMicros => "local-timestamp-micros",
            Logical::LocalTimestampNanos => "local-timestamp-nanos",
            Logical::Duration => "duration",
        }
    }
}

impl std::fmt::Display for Logical {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Logical::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            other => f.write_str(other.name()),
        }
    }
}

/// A fully qualified name, split where the namespace ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// `com.example.Order`
    pub full: String,
    /// Byte offset of the unqualified name in `full` (0 when there is no namespace).
    pub(crate) name_start: usize,
}

impl Name {
    /// Resolves `name` against `namespace` the way the specification does: a name with a dot is
    /// already full; otherwise the namespace, when not empty, is prepended.
    pub fn resolve(name: &str, namespace: Option<&str>) -> Name {
        match (name.contains('.'), namespace) {
            (false, Some(ns)) if !ns.is_empty() => Name {
                full: format!("{ns}.{name}"),
                name_start: ns.len() + 1,
            },
            _ => Name {
                full: name.to_string(),
                name_start: name.rfind('.').map_or(0, |dot| dot + 1),
            },
        }
    }

    /// The unqualified name: `Order`.
    pub fn name(&self) -> &str {
        &self.full[self.name_start..]
    }

    /// The namespace, if any: `com.example`.
    pub fn namespace(&self) -> Option<&str> {
        (self.name_start > 0).then(|| &self.full[..self.name_start - 1])
    }
}

/// A record, enum or fixed type.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    pub name: Name,
    /// Aliases, resolved to full names against this type's namespace.
    pub aliases: Vec<Name>,
    pub doc: Option<String>,
    pub kind: NamedKind,
    /// A valid logical type on a `fixed` (decimal, duration, uuid).
    pub logical: Option<Logical>,
    /// Attributes the specification does not define.
    pub props: Map<String, Value>,
    /// JSON path of the definition, e.g. `$.fields[2].type`.
    pub path: String,
}

impl NamedType {
    /// An enum's symbols and default, if this is an enum.
    pub fn as_enum(&self) -> Option<(&[String], Option<&str>)> {
        match &self.kind {
            NamedKind::Enum { symbols, default } => Some((symbols, default.as_deref())),
            _ => None,
        }
    }

    /// `record`, `error`, `enum` or `fixed`.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NamedKind::Record { error: false, .. } => "record",
            NamedKind::Record { error: true, .. } => "error",
            NamedKind::Enum { .. } => "enum",
            NamedKind::Fixed { .. } => "fixed",
        }
    }

    /// Whether a reader type named like `self` accepts a writer type named `writer`: the
    /// unqualified names are equal, or one of the reader's aliases is the writer's full name.
    pub fn accepts_name(&self, writer: &Name) -> bool {
        self.name.name() == writer.name() || self.aliases.iter().any(|a| a.full == writer.full)
    }
}

/// What a named type holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedKind {
    Record {
        fields: Vec<Field>,
        /// Declared with `"type": "error"` (protocol error records).
        error: bool,
    },
    Enum {
        symbols: Vec<String>,
        /// The symbol a reader uses for a writer's symbol it does not know.
        default: Option<String>,
    },
    Fixed {
        size: u64,
    },
}

/// A record field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub schema: Node,
    /// The default, already checked against the field's type.
    pub default: Option<Value>,
    pub order: Order,
    /// Attributes the specification does not define.
    pub props: Map<String, Value>,
}

/// A field's sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Ascending,
    Descending,
    Ignore,
}

impl Order {
    /// The `order` attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
            Order::Ignore => "ignore",
        }
    }
}
