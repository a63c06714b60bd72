//! Parsed schemas, kept within a memory budget. A parsed form costs several times its text, so
//! keeping one for every stored schema lets whoever registers the largest schemas decide how
//! much memory the server holds. The registry keeps texts for good and parsed forms here,
//! weighed by an estimate of their size: the least used go first when the budget is full, and
//! are parsed again when next needed.

use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, OptionsBuilder, Weighter};

use crate::registry::SchemaId;
use crate::registry::state::{SchemaEntry, imports, parse_with_imports};
use crate::schema::{Format, ParseError, Schema};

/// The default budget: 256 MiB of parsed schemas (`serve --parsed-cache-mb` sets it).
pub(in crate::registry) const DEFAULT_BUDGET: u64 = 256 << 20;

/// Parsed-form bytes per byte of schema text parsed (own and imported), measured on Avro records.
const BYTES_PER_TEXT_BYTE: u64 = 8;

/// What a type shared with a kept reference costs: its place in the table and the name index.
const BYTES_PER_SHARED_TYPE: u64 = 64;

pub(in crate::registry) struct ParsedCache {
    cache: Cache<SchemaId, Parsed, ByEstimate>,
}

/// A parsed schema and the estimated memory it holds.
#[derive(Clone)]
pub(in crate::registry) struct Parsed {
    pub(in crate::registry) schema: Arc<Schema>,
    bytes: u64,
}

#[derive(Clone)]
struct ByEstimate;

impl Weighter<SchemaId, Parsed> for ByEstimate {
    fn weight(&self, _: &SchemaId, parsed: &Parsed) -> u64 {
        parsed.bytes
    }
}

impl ParsedCache {
    pub(in crate::registry) fn new(budget: u64) -> Self {
        let options = OptionsBuilder::new()
            // One shard, so that a schema as large as the whole budget still fits.
            .shards(1)
            .estimated_items_capacity(4096)
            .weight_capacity(budget.max(1))
            .build()
            .expect("valid cache options");
        ParsedCache {
            cache: Cache::with_options(
                options,
                ByEstimate,
                DefaultHashBuilder::default(),
                Default::default(),
            ),
        }
    }

    /// The parsed form of a stored schema, parsed now if it is not kept.
    pub(in crate::registry) fn get(&self, entry: &SchemaEntry) -> Arc<Schema> {
        let parsed = self
            .cache
            .get_or_insert_with(&entry.id, || {
                // Stored texts are our own normalized forms and their references cannot be
                // deleted, so they always parse.
                let parsed = self
                    .parse(entry.format(), &entry.stored.schema, &entry.references)
                    .expect("a stored normalized form parses");
                Ok::<_, std::convert::Infallible>(parsed)
            })
            .unwrap_or_else(|never| match never {});
        parsed.schema
    }

    /// Parses a schema text with the types its references import: on top of the kept parsed form
    /// of its one reference when there is one (so a chain of references is not parsed again for
    /// every link: the types are shared), from the texts otherwise.
    pub(in crate::registry) fn parse(
        &self,
        format: Format,
        text: &str,
        references: &[Arc<SchemaEntry>],
    ) -> Result<Parsed, ParseError> {
        if let (Format::Avro, [only]) = (format, references)
            && let Some(kept) = self.cache.get(&only.id)
            && let Schema::Avro(imported) = kept.schema.as_ref()
        {
            let schema = Schema::parse_importing(text, imported)?;
            let shared = imported.named_types().len() as u64 * BYTES_PER_SHARED_TYPE;
            return Ok(Parsed {
                schema: Arc::new(schema),
                bytes: text.len() as u64 * BYTES_PER_TEXT_BYTE + shared,
            });
        }
        let imports = imports(references);
        let texts: usize = imports.iter().map(|e| e.stored.schema.len()).sum();
        Ok(Parsed {
            schema: Arc::new(parse_with_imports(format, text, &imports)?),
            bytes: (text.len() + texts) as u64 * BYTES_PER_TEXT_BYTE,
        })
    }

    /// Keeps the parsed form a registration has just built.
    pub(in crate::registry) fn insert(&self, id: SchemaId, parsed: Parsed) {
        self.cache.insert(id, parsed);
    }

    /// How many bytes of parsed schemas are kept, by the estimate.
    pub(in crate::registry) fn weight(&self) -> u64 {
        self.cache.weight()
    }
}
