//! What the registry serves, in memory: every schema by id and identity, every subject's
//! versions, settings and data products, and the lookups over them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use crate::registry::policy::ProductState;
use crate::registry::{RegistryError, SchemaId, StoredSchema, SubjectState, Version};
use crate::schema::{Format, Schema};

/// A stored schema, with its parsed form built on first use (a restart reads texts only).
#[derive(Debug)]
pub struct SchemaEntry {
    pub id: SchemaId,
    pub stored: StoredSchema,
    /// The schemas its references resolve to, theirs included, in dependency order.
    pub(in crate::registry) imports: Vec<Arc<SchemaEntry>>,
    pub(in crate::registry) parsed: OnceLock<Schema>,
}

impl SchemaEntry {
    pub(in crate::registry) fn new(
        id: SchemaId,
        stored: StoredSchema,
        imports: Vec<Arc<SchemaEntry>>,
    ) -> Self {
        SchemaEntry {
            id,
            stored,
            imports,
            parsed: OnceLock::new(),
        }
    }

    /// The parsed schema, referenced types included. Stored texts are our own normalized forms
    /// and their references cannot be deleted, so they always parse.
    pub fn parsed(&self) -> &Schema {
        self.parsed.get_or_init(|| {
            let format = Format::from_schema_type(Some(&self.stored.schema_type))
                .expect("a stored schema type is one we register");
            parse_with_imports(format, &self.stored.schema, &self.imports)
                .expect("a stored normalized form parses")
        })
    }
}

/// Parses a schema text with the types of the schemas its references resolve to.
pub(in crate::registry) fn parse_with_imports(
    format: Format,
    text: &str,
    imports: &[Arc<SchemaEntry>],
) -> Result<Schema, crate::schema::ParseError> {
    let labels: Vec<String> = imports.iter().map(|e| format!("schema {}", e.id)).collect();
    let references: Vec<(&str, &str)> = labels
        .iter()
        .zip(imports)
        .map(|(label, e)| (label.as_str(), e.stored.schema.as_str()))
        .collect();
    Schema::parse_with_references(format, text, &references)
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
