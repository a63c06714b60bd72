//! What the registry serves, in memory: every schema by id and identity, every subject's
//! versions, settings and data products, and the lookups over them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::registry::policy::ProductState;
use crate::registry::{RegistryError, SchemaId, StoredSchema, SubjectState, Version};
use crate::schema::{Format, Schema};

/// A stored schema and the schemas its references name. Its parsed form is built when needed
/// and kept within a budget by the [`ParsedCache`](crate::registry::parsed::ParsedCache): a
/// restart reads texts only.
#[derive(Debug)]
pub struct SchemaEntry {
    pub id: SchemaId,
    pub stored: StoredSchema,
    /// The schemas its references resolve to, in the order they are declared: only the direct
    /// ones, so that a chain of references costs memory in proportion to its length.
    pub(in crate::registry) references: Vec<Arc<SchemaEntry>>,
}

impl SchemaEntry {
    /// The format it was registered in.
    pub(in crate::registry) fn format(&self) -> Format {
        Format::from_schema_type(Some(&self.stored.schema_type))
            .expect("a stored schema type is one we register")
    }
}

/// Every schema `references` import, theirs included: each once, after the schemas it imports
/// itself (the order their types must be defined in).
pub(in crate::registry) fn imports(references: &[Arc<SchemaEntry>]) -> Vec<&SchemaEntry> {
    let mut seen: HashSet<SchemaId> = HashSet::new();
    let mut order = Vec::new();
    // (schema, index of its next reference to visit); a schema is done when all of them are.
    let mut stack: Vec<(&SchemaEntry, usize)> = Vec::new();
    for root in references {
        if seen.insert(root.id) {
            stack.push((root, 0));
        }
        while let Some((entry, next)) = stack.pop() {
            match entry.references.get(next) {
                Some(reference) => {
                    stack.push((entry, next + 1));
                    if seen.insert(reference.id) {
                        stack.push((reference, 0));
                    }
                }
                None => order.push(entry),
            }
        }
    }
    order
}

/// Parses a schema text with the types of `imports` (see [`imports`]), parsing their texts.
pub(in crate::registry) fn parse_with_imports(
    format: Format,
    text: &str,
    imports: &[&SchemaEntry],
) -> Result<Schema, crate::schema::ParseError> {
    let labels: Vec<String> = imports.iter().map(|e| format!("schema {}", e.id)).collect();
    let texts: Vec<(&str, &str)> = labels
        .iter()
        .zip(imports)
        .map(|(label, e)| (label.as_str(), e.stored.schema.as_str()))
        .collect();
    Schema::parse_with_references(format, text, &texts)
}

#[derive(Default)]
pub(in crate::registry) struct State {
    /// Schemas, subjects' versions and settings.
    pub(in crate::registry) subjects: SubjectState,
    pub(in crate::registry) products: BTreeMap<String, ProductState>,
    /// Subject -> the data product it belongs to.
    pub(in crate::registry) bound: HashMap<String, String>,
}

impl State {
    /// Refuses to delete a subject version a data product published: product versions stay
    /// readable for good.
    pub(in crate::registry) fn ensure_unpublished(
        &self,
        subject: &str,
        version: Version,
    ) -> Result<(), RegistryError> {
        let Some(ps) = self.bound.get(subject).and_then(|p| self.products.get(p)) else {
            return Ok(());
        };
        match ps
            .publications
            .iter()
            .find(|p| p.schemas.get(subject).is_some_and(|s| s.version == version))
        {
            Some(publication) => Err(RegistryError::OperationNotPermitted(format!(
                "Subject {subject} version {version} is part of data product {} version {}; published versions are never deleted",
                ps.product.name, publication.version
            ))),
            None => Ok(()),
        }
    }
}
