//! The registry's data products: definitions here, and in their own files publications,
//! Confluent registrations to a product's subjects, notices and the audit history. The policy
//! (what a product allows) is in `registry/policy.rs`; these apply it to subjects and versions,
//! atomically.

mod audit;
mod confluent;
mod consumers;
mod events;
mod notices;
mod publish;
mod submission;

use std::collections::BTreeMap;

use semver::Version as Semver;

use crate::compat::{Bump, Report};
use crate::registry::policy::{
    DataProduct, Line, LineState, Notice, ProductError, ProductState, Publication, Step,
};
use crate::registry::{
    Registry, RegistryError, State, SubjectVersion, Verdict, VersionRecord, corrupt, finding_lines,
    json, keys,
};
use crate::store::{Keyspace, Scope, WriteBatch};

pub use consumers::{Affected, Consumer, Impact, Upstream};
pub use events::{Delivery, DueDelivery, Event, EventKind};
pub use submission::{PolicyFinding, Severity, Submission};

/// Which publication of a product to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationSpec {
    Latest { major: Option<u64> },
    Exact(Semver),
}

/// The metadata property a Confluent client sets to publish a schema as a given product
/// version (the full semver).
pub const PRODUCT_VERSION_PROPERTY: &str = "accord.product.version";

/// Confluent's convention for the major alone.
pub const MAJOR_VERSION_PROPERTY: &str = "application.major.version";

/// One subject's judgement within a publication.
#[derive(Debug, Clone)]
pub struct SubjectCheck {
    pub subject: String,
    /// The new schema against its line's history (or, for a new line, against the latest
    /// version of the previous one, for information).
    pub report: Report,
    /// The product version of each version of the history the report was checked against.
    pub against: Vec<String>,
    /// The new schema is the one the line already holds.
    pub unchanged: bool,
}

impl SubjectCheck {
    /// Each finding as one line, with the product versions it breaks against.
    pub fn findings(&self) -> Vec<String> {
        finding_lines(&self.report, &self.against)
    }
}

/// What publishing a version does, or would do.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub product: String,
    pub version: Semver,
    /// `None` when the version number itself was refused.
    pub step: Option<Step>,
    /// The smallest bump the changes need.
    pub required: Bump,
    pub subjects: Vec<SubjectCheck>,
    /// Why it is refused, if it is.
    pub refusal: Option<ProductError>,
    /// The notice for the next major, if one is open.
    pub next_notice: Option<Notice>,
    /// The governance policy's findings on the manifest.
    pub policy: Vec<PolicyFinding>,
}

/// The majors (lines) of a product, with their states.
#[derive(Debug, Clone)]
pub struct LineStatus {
    pub line: Line,
    pub state: LineState,
    pub latest: Semver,
}

/// The code an audit entry records for a refusal.
pub(in crate::registry) fn error_code(error: &RegistryError) -> &'static str {
    match error {
        RegistryError::Product(p) => p.code(),
        RegistryError::InvalidSchema(_) => "invalid_schema",
        _ => "error",
    }
}

/// The registry's product state, as loaded from the store.
pub(in crate::registry) fn load_products(
    store: &dyn crate::store::Store,
    state: &mut State,
) -> Result<(), RegistryError> {
    for (name, _) in store.scan_prefix(Keyspace::Products, b"")? {
        let name = String::from_utf8(name).map_err(|e| super::corrupt("product", e))?;
        install_product(state, &name, load_product(store, &name)?);
    }
    Ok(())
}

/// A product as stored: its definition, publications, notices, consumers and audit length;
/// `None` if it is not defined.
pub(in crate::registry) fn load_product(
    store: &dyn crate::store::Store,
    name: &str,
) -> Result<Option<ProductState>, RegistryError> {
    let Some(value) = store.get(Keyspace::Products, name.as_bytes())? else {
        return Ok(None);
    };
    let product: DataProduct =
        serde_json::from_slice(&value).map_err(|e| super::corrupt("product", e))?;
    let prefix = keys::subject_prefix(name);
    let mut publications = Vec::new();
    for (_, value) in store.scan_prefix(Keyspace::ProductVersions, &prefix)? {
        publications.push(
            serde_json::from_slice(&value).map_err(|e| super::corrupt("product version", e))?,
        );
    }
    let mut notices = BTreeMap::new();
    for (_, value) in store.scan_prefix(Keyspace::Notices, &prefix)? {
        let notice: Notice =
            serde_json::from_slice(&value).map_err(|e| super::corrupt("notice", e))?;
        notices.insert(notice.major, notice);
    }
    let consumers = consumers::load_consumers(store, name)?;
    // The audit length is a counter; a data dir written before the counter existed has its
    // audit counted a page at a time.
    let audit_len = match store.get(Keyspace::Counters, &keys::audit_len(name))? {
        Some(bytes) => u64::from_be_bytes(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| super::corrupt("audit counter", "bad length"))?,
        ),
        None => {
            let mut len = 0;
            loop {
                let from = keys::product_seq(name, len);
                let page = store.scan_page(Keyspace::Audit, &prefix, &from, 1024)?;
                let Some((last, _)) = page.last() else { break };
                let (_, seq) = keys::parse_product_seq(last)
                    .ok_or_else(|| super::corrupt("audit", "bad key"))?;
                len = seq + 1;
            }
            len
        }
    };
    Ok(Some(ProductState {
        product,
        publications,
        notices,
        audit_len,
        consumers,
    }))
}

/// Puts a product as stored into the state, its subjects bound to it (`None`: it is gone).
pub(in crate::registry) fn install_product(
    state: &mut State,
    name: &str,
    product: Option<ProductState>,
) {
    state.bound.retain(|_, owner| owner != name);
    match product {
        Some(ps) => {
            for subject in &ps.product.subjects {
                state.bound.insert(subject.clone(), name.to_string());
            }
            state.products.insert(name.to_string(), ps);
        }
        None => drop(state.products.remove(name)),
    }
}

/// See [`Registry::product_guard`].
pub(in crate::registry) struct ProductsGuard<'a> {
    _local: std::sync::MutexGuard<'a, ()>,
    _shared: Option<crate::store::SharedLock>,
}

impl Registry {
    pub(in crate::registry) fn product_state(
        &self,
        name: &str,
    ) -> Result<ProductState, RegistryError> {
        self.read()
            .products
            .get(name)
            .cloned()
            .ok_or_else(|| ProductError::ProductNotFound(name.to_string()).into())
    }

    /// Holds every data product against changes by other callers, and by other processes
    /// sharing the store.
    pub(in crate::registry) fn product_guard(&self) -> Result<ProductsGuard<'_>, RegistryError> {
        let local = self.products_lock.lock().unwrap_or_else(|e| e.into_inner());
        Ok(ProductsGuard {
            _local: local,
            _shared: self.hold(&[Scope::Products])?,
        })
    }

    /// Creates a product or updates its definition. A subject belongs to one product at most.
    pub fn define_product(
        &self,
        product: DataProduct,
        actor: &str,
    ) -> Result<ProductState, RegistryError> {
        product.validate()?;
        let _products = self.product_guard()?;
        let existing = {
            let state = self.read();
            for subject in &product.subjects {
                if let Some(owner) = state.bound.get(subject)
                    && *owner != product.name
                {
                    return Err(ProductError::SubjectTaken {
                        subject: subject.clone(),
                        product: owner.clone(),
                    }
                    .into());
                }
            }
            state.products.get(&product.name).cloned()
        };
        let mut ps = existing.unwrap_or_else(|| ProductState {
            product: product.clone(),
            publications: Vec::new(),
            notices: BTreeMap::new(),
            audit_len: 0,
            consumers: BTreeMap::new(),
        });
        let entry = self.audit_entry(
            actor,
            "define",
            None,
            None,
            format!(
                "defined with subjects {} at {}, {} notice days, {} overlap days (domain {}, owner {})",
                product.subjects.join(", "),
                product.compatibility,
                product.notice_days,
                product.overlap_days,
                product.domain,
                product.owner
            ),
        );
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Products,
            product.name.as_bytes().to_vec(),
            json(&product),
        );
        audit::put_audit(&mut batch, &product.name, ps.audit_len, &entry);
        self.store.write(batch)?;
        let mut state = self.write_state();
        state.bound.retain(|_, owner| *owner != product.name);
        for subject in &product.subjects {
            state.bound.insert(subject.clone(), product.name.clone());
        }
        ps.product = product;
        ps.audit_len += 1;
        state.products.insert(ps.product.name.clone(), ps.clone());
        Ok(ps)
    }

    /// Every product's name, sorted.
    pub fn products(&self) -> Vec<String> {
        self.read().products.keys().cloned().collect()
    }

    /// A product's definition, publications and notices.
    pub fn product(&self, name: &str) -> Result<ProductState, RegistryError> {
        self.product_state(name)
    }

    /// One publication of a product: the latest (of one major line, or of all), or an exact
    /// version.
    pub fn publication(
        &self,
        name: &str,
        which: &PublicationSpec,
    ) -> Result<Publication, RegistryError> {
        let ps = self.product_state(name)?;
        let found = match which {
            PublicationSpec::Latest { major } => ps
                .publications
                .iter()
                .filter(|p| major.is_none_or(|m| p.version.major == m))
                .max_by(|a, b| a.version.cmp(&b.version)),
            PublicationSpec::Exact(version) => {
                ps.publications.iter().find(|p| &p.version == version)
            }
        };
        found.cloned().ok_or_else(|| {
            RegistryError::VersionNotFound(match which {
                PublicationSpec::Latest { major: Some(m) } => format!("latest of major {m}"),
                PublicationSpec::Latest { major: None } => "latest".to_string(),
                PublicationSpec::Exact(version) => version.to_string(),
            })
        })
    }

    /// The domain a product belongs to, if the product exists.
    pub fn product_domain(&self, name: &str) -> Option<String> {
        self.read()
            .products
            .get(name)
            .map(|ps| ps.product.domain.clone())
    }

    /// The product a subject belongs to, if any.
    pub fn product_of(&self, subject: &str) -> Option<String> {
        self.read().bound.get(subject).cloned()
    }

    /// Each published line with its state at now, oldest first.
    pub fn product_lines(&self, name: &str) -> Result<Vec<LineStatus>, RegistryError> {
        let ps = self.product_state(name)?;
        let now = self.clock.now();
        Ok(ps
            .lines()
            .into_iter()
            .map(|line| {
                let latest = ps.latest_in(line).expect("a listed line has versions");
                LineStatus {
                    line,
                    state: ps.line_state(line, now),
                    latest: latest.version.clone(),
                }
            })
            .collect())
    }
}
