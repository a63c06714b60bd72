//! Soft and hard deletes of versions and subjects.

use crate::compat::Level;
use crate::registry::{
    Mode, Normalize, Registry, RegistryError, Setting, Version, VersionRecord, VersionSpec, json,
    keys,
};
use crate::store::{Keyspace, Scope, WriteBatch};

impl Registry {
    pub(in crate::registry) fn ensure_writable(&self, subject: &str) -> Result<(), RegistryError> {
        if self
            .read()
            .subjects
            .effective::<Mode>(subject)
            .is_read_only()
        {
            return Err(RegistryError::OperationNotPermitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        Ok(())
    }

    /// Deletes one version: soft first, then permanently.
    pub fn delete_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        permanent: bool,
    ) -> Result<Version, RegistryError> {
        let lock = self.subject_lock(subject);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let _shared = self.hold(&[Scope::Subject(subject)])?;
        self.ensure_writable(subject)?;
        let (version, record) = {
            let state = self.read();
            if state.subjects.versions(subject).next().is_none() {
                return Err(RegistryError::SubjectNotFound(subject.to_string()));
            }
            let found = match spec {
                VersionSpec::Latest => state.subjects.latest_live(subject),
                VersionSpec::Number(n) => state.subjects.versions(subject).find(|(v, _)| *v == n),
            };
            found.ok_or_else(|| RegistryError::VersionNotFound(spec.to_string()))?
        };
        self.read().ensure_unpublished(subject, version)?;
        // A permanent delete would leave even soft-deleted referrers unreadable.
        if !self
            .read()
            .subjects
            .referrers(subject, version, permanent)
            .is_empty()
        {
            return Err(RegistryError::ReferenceExists(subject.into(), version));
        }
        let key = keys::subject_version(subject, version);
        let mut batch = WriteBatch::new();
        let last = self.read().subjects.versions(subject).count() == 1;
        match (permanent, record.deleted) {
            (false, true) => {
                return Err(RegistryError::VersionSoftDeleted(subject.into(), version));
            }
            (true, false) => {
                return Err(RegistryError::VersionNotSoftDeleted(
                    subject.into(),
                    version,
                ));
            }
            (false, false) => {
                batch.put(
                    Keyspace::SubjectVersions,
                    key,
                    json(&VersionRecord {
                        deleted: true,
                        ..record
                    }),
                );
            }
            (true, true) => {
                batch.delete(Keyspace::SubjectVersions, key);
                if last {
                    self.forget_subject_settings(subject, &mut batch);
                }
            }
        }
        self.store.write(batch)?;
        let mut state = self.write_state();
        let versions = state
            .subjects
            .by_subject
            .entry(subject.to_string())
            .or_default();
        if permanent {
            versions.remove(&version);
            if versions.is_empty() {
                state.subjects.by_subject.remove(subject);
                state.subjects.forget_subject_settings(subject);
            }
        } else if let Some(r) = versions.get_mut(&version) {
            r.deleted = true;
        }
        Ok(version)
    }

    /// Deletes every version of a subject: soft first, then permanently.
    pub fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<Version>, RegistryError> {
        let lock = self.subject_lock(subject);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let _shared = self.hold(&[Scope::Subject(subject)])?;
        self.ensure_writable(subject)?;
        let versions: Vec<(Version, VersionRecord)> =
            self.read().subjects.versions(subject).collect();
        if versions.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        {
            let state = self.read();
            for (version, _) in &versions {
                state.ensure_unpublished(subject, *version)?;
            }
            if let Some((version, _)) = versions
                .iter()
                .find(|(v, _)| !state.subjects.referrers(subject, *v, permanent).is_empty())
            {
                return Err(RegistryError::ReferenceExists(subject.into(), *version));
            }
        }
        let live: Vec<(Version, VersionRecord)> = versions
            .iter()
            .copied()
            .filter(|(_, r)| !r.deleted)
            .collect();
        let mut batch = WriteBatch::new();
        let deleted: Vec<Version> = if permanent {
            if !live.is_empty() {
                return Err(RegistryError::SubjectNotSoftDeleted(subject.to_string()));
            }
            for (v, _) in &versions {
                batch.delete(
                    Keyspace::SubjectVersions,
                    keys::subject_version(subject, *v),
                );
            }
            self.forget_subject_settings(subject, &mut batch);
            versions.iter().map(|(v, _)| *v).collect()
        } else {
            if live.is_empty() {
                return Err(RegistryError::SubjectSoftDeleted(subject.to_string()));
            }
            for (v, r) in &live {
                batch.put(
                    Keyspace::SubjectVersions,
                    keys::subject_version(subject, *v),
                    json(&VersionRecord {
                        deleted: true,
                        ..*r
                    }),
                );
            }
            live.iter().map(|(v, _)| *v).collect()
        };
        self.store.write(batch)?;
        let mut state = self.write_state();
        if permanent {
            state.subjects.by_subject.remove(subject);
            state.subjects.forget_subject_settings(subject);
        } else if let Some(versions) = state.subjects.by_subject.get_mut(subject) {
            for r in versions.values_mut() {
                r.deleted = true;
            }
        }
        Ok(deleted)
    }

    pub(in crate::registry) fn forget_subject_settings(
        &self,
        subject: &str,
        batch: &mut WriteBatch,
    ) {
        batch.delete(Keyspace::Config, Level::key(Some(subject)));
        batch.delete(Keyspace::Config, Normalize::key(Some(subject)));
        batch.delete(Keyspace::Mode, Mode::key(Some(subject)));
    }
}
