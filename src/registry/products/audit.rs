//! The audit history: every publication, refusal and notice of a product.

use semver::Version as Semver;

use super::error_code;
use crate::registry::policy::{AuditEntry, ProductState, capped};
use crate::registry::{Registry, RegistryError, json, keys};
use crate::store::{Keyspace, WriteBatch};

impl Registry {
    /// A page of a product's audit history, oldest first: at most `limit` entries with their
    /// sequence numbers, from the one after `after` (from the first without it).
    pub fn audit(
        &self,
        name: &str,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, AuditEntry)>, RegistryError> {
        self.product_state(name)?;
        let from = keys::product_seq(name, after.map_or(0, |seq| seq.saturating_add(1)));
        self.store
            .scan_page(Keyspace::Audit, &keys::subject_prefix(name), &from, limit)?
            .into_iter()
            .map(|(key, value)| {
                let (_, seq) = keys::parse_product_seq(&key)
                    .ok_or_else(|| super::corrupt("audit entry", "bad key"))?;
                let entry =
                    serde_json::from_slice(&value).map_err(|e| super::corrupt("audit entry", e))?;
                Ok((seq, entry))
            })
            .collect()
    }

    pub(in crate::registry) fn audit_entry(
        &self,
        actor: &str,
        action: &str,
        version: Option<&Semver>,
        refusal: Option<&RegistryError>,
        message: String,
    ) -> AuditEntry {
        AuditEntry {
            ts: self.clock.now(),
            actor: actor.to_string(),
            action: action.to_string(),
            version: version.map(ToString::to_string),
            accepted: refusal.is_none(),
            decided_by: refusal.map_or("accepted", error_code).to_string(),
            message,
            findings: Vec::new(),
        }
    }

    pub(in crate::registry) fn append_audit(
        &self,
        ps: &ProductState,
        entry: &AuditEntry,
    ) -> Result<(), RegistryError> {
        let mut batch = WriteBatch::new();
        put_audit(&mut batch, &ps.product.name, ps.audit_len, entry);
        self.store.write(batch)?;
        if let Some(ps) = self.write_state().products.get_mut(&ps.product.name) {
            ps.audit_len += 1;
        }
        Ok(())
    }

    pub(in crate::registry) fn audit_refusal(
        &self,
        ps: &ProductState,
        actor: &str,
        version: &Semver,
        error: &RegistryError,
        findings: Vec<String>,
    ) -> Result<(), RegistryError> {
        let mut entry = self.audit_entry(
            actor,
            "publish",
            Some(version),
            Some(error),
            error.to_string(),
        );
        entry.findings = capped(findings, AuditEntry::MAX_FINDINGS, "findings");
        self.append_audit(ps, &entry)
    }
}

/// Puts audit entry `seq` of a product and moves its counter past it, in the same batch: a
/// start reads the counter, and a stale one would let the next entry overwrite this one.
pub(in crate::registry) fn put_audit(
    batch: &mut WriteBatch,
    product: &str,
    seq: u64,
    entry: &AuditEntry,
) {
    batch.put(
        Keyspace::Audit,
        keys::product_seq(product, seq),
        json(entry),
    );
    batch.put(
        Keyspace::Counters,
        keys::audit_len(product),
        (seq + 1).to_be_bytes(),
    );
}
