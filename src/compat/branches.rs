//! A union's branches indexed by what pairs them with another schema's branches, so that finding
//! a branch's counterpart costs a lookup instead of a scan. A union of 100,000 branches checked
//! against its own reversal took 51 s of scanning (`reliability-probes.md`).
//!
//! The index only narrows: it returns every branch that could correspond, in order, and the
//! caller applies the exact rule to them, so pairing is the same with or without it.

use rustc_hash::FxHashMap;

use crate::avro::{Kind, NamedKind, NamedType, Node, Primitive, Schema};

/// Unions up to this many branches are scanned: building an index costs more than it saves.
pub(crate) const INDEX_FROM: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    Record,
    Enum,
    Fixed,
}

fn class(named: &NamedType) -> Class {
    match named.kind {
        NamedKind::Record { .. } => Class::Record,
        NamedKind::Enum { .. } => Class::Enum,
        NamedKind::Fixed { .. } => Class::Fixed,
    }
}

/// The positions of a union's branches by primitive, by container, and by the full name,
/// unqualified name and aliases of the named types.
#[derive(Debug, Default)]
pub(crate) struct BranchIndex {
    primitives: Vec<(Primitive, usize)>,
    array: Option<usize>,
    map: Option<usize>,
    by_full: FxHashMap<(Class, String), Vec<usize>>,
    by_name: FxHashMap<(Class, String), Vec<usize>>,
    by_alias: FxHashMap<(Class, String), Vec<usize>>,
}

impl BranchIndex {
    pub(crate) fn new(schema: &Schema, branches: &[Node]) -> Self {
        let mut index = BranchIndex::default();
        for (i, branch) in branches.iter().enumerate() {
            match &branch.kind {
                Kind::Primitive(p) => index.primitives.push((*p, i)),
                Kind::Array(_) => {
                    index.array.get_or_insert(i);
                }
                Kind::Map(_) => {
                    index.map.get_or_insert(i);
                }
                Kind::Named(id) => {
                    let named = schema.named(*id);
                    let class = class(named);
                    let add = |map: &mut FxHashMap<(Class, String), Vec<usize>>, key: &str| {
                        map.entry((class, key.to_string())).or_default().push(i);
                    };
                    add(&mut index.by_full, &named.name.full);
                    add(&mut index.by_name, named.name.name());
                    for alias in &named.aliases {
                        add(&mut index.by_alias, &alias.full);
                    }
                }
                // A union never directly holds a union.
                Kind::Union(_) => {}
            }
        }
        index
    }

    /// Every branch that could pair with `node` (of `schema`): the same primitive or container,
    /// or a named type of the same kind sharing its full name, its unqualified name, or an alias
    /// either way. Ascending, without repeats.
    pub(crate) fn counterparts(&self, schema: &Schema, node: &Node) -> Vec<usize> {
        let mut found = match &node.kind {
            Kind::Primitive(p) => self
                .primitives
                .iter()
                .filter(|(q, _)| q == p)
                .map(|&(_, i)| i)
                .collect(),
            Kind::Array(_) => self.array.into_iter().collect(),
            Kind::Map(_) => self.map.into_iter().collect(),
            Kind::Named(id) => {
                let named = schema.named(*id);
                let class = class(named);
                let mut found = Vec::new();
                let mut take = |map: &FxHashMap<(Class, String), Vec<usize>>, key: &str| {
                    if let Some(positions) = map.get(&(class, key.to_string())) {
                        found.extend_from_slice(positions);
                    }
                };
                take(&self.by_full, &named.name.full);
                take(&self.by_name, named.name.name());
                take(&self.by_alias, &named.name.full);
                for alias in &named.aliases {
                    take(&self.by_full, &alias.full);
                }
                found
            }
            Kind::Union(_) => Vec::new(),
        };
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Every branch that could read a value written as `writer` (of `schema`), by the
    /// specification's "match": a primitive it promotes to, the container, or a named type of
    /// the same kind whose unqualified name or alias names it. Ascending, without repeats.
    pub(crate) fn readers_of(&self, schema: &Schema, writer: &Node) -> Vec<usize> {
        let mut found = match &writer.kind {
            Kind::Primitive(w) => self
                .primitives
                .iter()
                .filter(|(r, _)| r.reads(*w))
                .map(|&(_, i)| i)
                .collect(),
            Kind::Named(id) => {
                let named = schema.named(*id);
                let class = class(named);
                let mut found = Vec::new();
                for (map, key) in [
                    (&self.by_name, named.name.name()),
                    (&self.by_alias, named.name.full.as_str()),
                ] {
                    if let Some(positions) = map.get(&(class, key.to_string())) {
                        found.extend_from_slice(positions);
                    }
                }
                found
            }
            _ => self.counterparts(schema, writer),
        };
        found.sort_unstable();
        found.dedup();
        found
    }
}
