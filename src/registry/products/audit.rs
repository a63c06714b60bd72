//! The audit history: every publication, refusal and notice of a product.

use semver::Version as Semver;

use super::error_code;
use crate::registry::policy::{AuditEntry, ProductState};
use crate::registry::{Registry, RegistryError, json, keys};
use crate::store::{Keyspace, WriteBatch};

impl Registry {
    /// A product's audit history, oldest first.
    pub fn audit(&self, name: &str) -> Result<Vec<AuditEntry>, RegistryError> {
        self.product_state(name)?;
        self.store
            .scan_prefix(Keyspace::Audit, &keys::subject_prefix(name))?
            .into_iter()
            .map(|(_, value)| {
                serde_json::from_slice(&value).map_err(|e| super::corrupt("audit entry", e))
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
        batch.put(
            Keyspace::Audit,
            keys::product_seq(&ps.product.name, ps.audit_len),
            json(entry),
        );
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
        entry.findings = findings;
        self.append_audit(ps, &entry)
    }
}
