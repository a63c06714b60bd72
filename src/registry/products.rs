//! The registry's data products: definitions, publications, notices and the audit history. The
//! policy is in `product.rs`; this file applies it to subjects and versions, atomically.

use std::collections::BTreeMap;
use std::sync::Arc;

use semver::Version as Semver;

use super::product::{
    AuditEntry, DataProduct, Line, LineState, Notice, ProductError, ProductState, Publication,
    PublishedSchema, Step, declared_bump, minimum_version,
};
use super::{
    Import, NewSchema, Prepared, Registered, Registry, RegistryError, SchemaEntry, State, json,
    keys,
};
use crate::compat::{Bump, Report};
use crate::schema::Schema;
use crate::store::{Keyspace, WriteBatch};

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
    /// Each finding as one line, with the product versions it breaks against.
    pub findings: Vec<String>,
    /// The new schema is the one the line already holds.
    pub unchanged: bool,
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
}

/// The majors (lines) of a product, with their states.
#[derive(Debug, Clone)]
pub struct LineStatus {
    pub line: Line,
    pub state: LineState,
    pub latest: Semver,
}

impl Registry {
    fn product_state(&self, name: &str) -> Result<ProductState, RegistryError> {
        self.read()
            .products
            .get(name)
            .cloned()
            .ok_or_else(|| ProductError::ProductNotFound(name.to_string()).into())
    }

    fn product_guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.products_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a product or updates its definition. A subject belongs to one product at most.
    pub fn define_product(
        &self,
        product: DataProduct,
        actor: &str,
    ) -> Result<ProductState, RegistryError> {
        product.validate()?;
        let _products = self.product_guard();
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
        });
        let entry = self.audit_entry(
            actor,
            "define",
            None,
            None,
            format!(
                "defined with subjects {}, {} at {}, {} notice days, {} overlap days",
                product.subjects.join(", "),
                product.name,
                product.compatibility,
                product.notice_days,
                product.overlap_days
            ),
        );
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Products,
            product.name.as_bytes().to_vec(),
            json(&product),
        );
        batch.put(
            Keyspace::Audit,
            keys::product_seq(&product.name, ps.audit_len),
            json(&entry),
        );
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

    /// The product a subject belongs to, if any.
    pub fn product_of(&self, subject: &str) -> Option<String> {
        self.read().bound.get(subject).cloned()
    }

    /// Each published line with its state at now, oldest first.
    pub fn product_lines(&self, name: &str) -> Result<Vec<LineStatus>, RegistryError> {
        let ps = self.product_state(name)?;
        let now = self.clock.now_millis();
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

    /// Judges publishing `version` with these schemas at `now` (the registry's clock when
    /// `None`), without writing anything.
    pub fn check_publication(
        &self,
        name: &str,
        version: &Semver,
        schemas: &[(String, NewSchema)],
        now: Option<i64>,
    ) -> Result<Evaluation, RegistryError> {
        let ps = self.product_state(name)?;
        let now = now.unwrap_or_else(|| self.clock.now_millis());
        let prepared = self.prepare_publication(&ps, schemas)?;
        self.evaluate(&ps, version, &prepared, now)
    }

    /// Publishes a product version: every subject's schema in one atomic write, or nothing.
    /// Accepted or refused, the decision goes into the product's audit history.
    pub fn publish(
        &self,
        name: &str,
        version: &Semver,
        schemas: &[(String, NewSchema)],
        actor: &str,
    ) -> Result<(Evaluation, Publication), RegistryError> {
        let _products = self.product_guard();
        let ps = self.product_state(name)?;
        let prepared = match self.prepare_publication(&ps, schemas) {
            Ok(prepared) => prepared,
            Err(e) => {
                self.audit_refusal(&ps, actor, version, &e, Vec::new())?;
                return Err(e);
            }
        };
        self.publish_locked(&ps, version, prepared, actor)
    }

    /// `publish` of schemas already prepared, with the products lock held.
    fn publish_locked(
        &self,
        ps: &ProductState,
        version: &Semver,
        prepared: Vec<(String, Prepared)>,
        actor: &str,
    ) -> Result<(Evaluation, Publication), RegistryError> {
        let locks: Vec<_> = ps
            .product
            .subjects
            .iter()
            .map(|s| self.subject_lock(s))
            .collect();
        let _guards: Vec<_> = locks
            .iter()
            .map(|l| l.lock().unwrap_or_else(|e| e.into_inner()))
            .collect();
        let now = self.clock.now_millis();
        let evaluation = match self.evaluate(ps, version, &prepared, now) {
            Ok(evaluation) => evaluation,
            Err(e) => {
                self.audit_refusal(ps, actor, version, &e, Vec::new())?;
                return Err(e);
            }
        };
        if let Some(refusal) = &evaluation.refusal {
            let findings = evaluation
                .subjects
                .iter()
                .flat_map(|s| s.findings.iter().cloned())
                .collect();
            let error = RegistryError::from(refusal.clone());
            self.audit_refusal(ps, actor, version, &error, findings)?;
            return Err(error);
        }
        let publication = self.commit_publication(ps, &evaluation, prepared, actor, now)?;
        Ok((evaluation, publication))
    }

    /// Registers one subject's schema through the Confluent API into the product the subject
    /// belongs to: the product version comes from the schema's metadata, or is the next minor
    /// (patch for doc-only changes) of the line.
    pub(super) fn register_in_product(
        &self,
        product: &str,
        subject: &str,
        prepared: Prepared,
    ) -> Result<Registered, RegistryError> {
        let property = |key: &str| {
            prepared
                .content
                .metadata
                .as_ref()
                .and_then(|m| m.get("properties"))
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        // The version is derived from the product's state: hold the products lock from here to
        // the publication, so concurrent registrations each get the next version.
        let _products = self.product_guard();
        // Registered meanwhile (the same schema from another producer): nothing to publish.
        if let Some(registered) = self.read().registered(subject, &prepared) {
            return Ok(registered);
        }
        let ps = self.product_state(product)?;
        let wanted = (
            property(PRODUCT_VERSION_PROPERTY),
            property(MAJOR_VERSION_PROPERTY),
        );
        let items = vec![(subject.to_string(), prepared)];
        let version = match wanted {
            (Some(text), _) => {
                Semver::parse(text.trim()).map_err(|e| ProductError::InvalidVersion {
                    version: text.clone(),
                    reason: e.to_string(),
                })?
            }
            (None, major) => {
                let line = match major {
                    Some(text) => {
                        let major: u64 =
                            text.trim()
                                .parse()
                                .map_err(|_| ProductError::InvalidVersion {
                                    version: text.clone(),
                                    reason: format!("`{MAJOR_VERSION_PROPERTY}` must be a number"),
                                })?;
                        ps.lines()
                            .into_iter()
                            .rfind(|l| l.major == major)
                            .unwrap_or(Line { major, minor: None })
                    }
                    None => ps
                        .latest()
                        .map_or(Line::of(&Semver::new(1, 0, 0)), |p| Line::of(&p.version)),
                };
                match ps.latest_in(line) {
                    None if ps.publications.is_empty() => Semver::new(1, 0, 0),
                    None => Line {
                        major: line.major.saturating_sub(1),
                        minor: None,
                    }
                    .next_start(),
                    Some(base) => {
                        let checks = self.subject_checks(&ps, line, &items)?;
                        let required = required_bump(&checks);
                        if required == Bump::Major {
                            let refusal = implicit_breaking_change(
                                &ps,
                                line,
                                &checks,
                                self.clock.now_millis(),
                            );
                            let error = RegistryError::from(refusal);
                            let findings = checks.iter().flat_map(|c| c.findings.clone()).collect();
                            let next = line.next_start();
                            self.audit_refusal(&ps, "confluent-api", &next, &error, findings)?;
                            return Err(error);
                        }
                        minimum_version(&base.version, required.max(Bump::Patch))
                    }
                }
            }
        };
        let actor = "confluent-api";
        if let Err(e) = self.check_subjects(&ps, &items) {
            self.audit_refusal(&ps, actor, &version, &e, Vec::new())?;
            return Err(e);
        }
        let (_, publication) = self.publish_locked(&ps, &version, items, actor)?;
        let published = publication.schemas[subject];
        Ok(Registered {
            id: published.id,
            version: published.version,
        })
    }

    /// A compatibility check of one subject's schema against the latest line of its product.
    pub(super) fn check_in_product(
        &self,
        product: &str,
        subject: &str,
        prepared: Prepared,
    ) -> Result<super::Verdict, RegistryError> {
        let ps = self.product_state(product)?;
        let Some(latest) = ps.latest() else {
            return Ok(super::Verdict {
                compatible: true,
                messages: Vec::new(),
            });
        };
        let line = Line::of(&latest.version);
        let checks = self.subject_checks(&ps, line, &[(subject.to_string(), prepared)])?;
        Ok(super::Verdict {
            compatible: checks.iter().all(|c| c.report.compatible),
            messages: checks.into_iter().flat_map(|c| c.findings).collect(),
        })
    }

    /// Announces a breaking change for the next major; it may be published `notice_days` later.
    pub fn announce_notice(
        &self,
        name: &str,
        major: u64,
        summary: &str,
        actor: &str,
    ) -> Result<Notice, RegistryError> {
        let _products = self.product_guard();
        let ps = self.product_state(name)?;
        if let Err(refusal) = ps.check_announcement(major) {
            self.audit_notice(&ps, actor, "announce", major, Err(&refusal))?;
            return Err(refusal.into());
        }
        let now = self.clock.now_millis();
        let notice = Notice {
            product: name.to_string(),
            major,
            summary: summary.to_string(),
            actor: actor.to_string(),
            announced_ts: now,
            effective_ts: now + i64::from(ps.product.notice_days) * super::product::DAY_MILLIS,
            withdrawn_ts: None,
        };
        self.write_notice(&ps, actor, "announce", notice)
    }

    /// Withdraws the open notice for a major that is not published yet.
    pub fn withdraw_notice(
        &self,
        name: &str,
        major: u64,
        actor: &str,
    ) -> Result<Notice, RegistryError> {
        let _products = self.product_guard();
        let ps = self.product_state(name)?;
        let notice = match ps.check_withdrawal(major) {
            Ok(notice) => notice.clone(),
            Err(refusal) => {
                self.audit_notice(&ps, actor, "withdraw", major, Err(&refusal))?;
                return Err(refusal.into());
            }
        };
        let withdrawn = Notice {
            withdrawn_ts: Some(self.clock.now_millis()),
            ..notice
        };
        self.write_notice(&ps, actor, "withdraw", withdrawn)
    }

    /// Notices of one product or of all, announced at or after `since`, oldest first; withdrawn
    /// ones only with `include_withdrawn`.
    pub fn notices(
        &self,
        product: Option<&str>,
        since: Option<i64>,
        include_withdrawn: bool,
    ) -> Result<Vec<Notice>, RegistryError> {
        let state = self.read();
        if let Some(name) = product
            && !state.products.contains_key(name)
        {
            return Err(ProductError::ProductNotFound(name.to_string()).into());
        }
        let mut notices: Vec<Notice> = state
            .products
            .values()
            .filter(|ps| product.is_none_or(|name| ps.product.name == name))
            .flat_map(|ps| ps.notices.values())
            .filter(|n| include_withdrawn || n.is_open())
            .filter(|n| since.is_none_or(|since| n.announced_ts >= since))
            .cloned()
            .collect();
        notices.sort_by_key(|n| (n.announced_ts, n.product.clone()));
        Ok(notices)
    }

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

    /// The subject version a product version holds for a subject.
    pub fn published_schema(
        &self,
        name: &str,
        version: &Semver,
        subject: &str,
    ) -> Result<(PublishedSchema, Arc<SchemaEntry>), RegistryError> {
        let ps = self.product_state(name)?;
        let publication = ps
            .publications
            .iter()
            .find(|p| p.version == *version)
            .ok_or_else(|| RegistryError::VersionNotFound(version.to_string()))?;
        let published =
            *publication
                .schemas
                .get(subject)
                .ok_or_else(|| ProductError::SubjectNotInProduct {
                    subject: subject.to_string(),
                    product: name.to_string(),
                })?;
        Ok((published, self.schema(published.id)?))
    }

    /// The latest version of a subject whose metadata property `key` is `value` (Confluent's
    /// `GET /subjects/{s}/metadata`). For a product's subject, `application.major.version` and
    /// `accord.product.version` are answered from its publications: the latest schema of a major.
    pub fn latest_with_metadata(
        &self,
        subject: &str,
        key: &str,
        value: &str,
        include_deleted: bool,
    ) -> Result<super::SubjectVersion, RegistryError> {
        let state = self.read();
        let published = state
            .bound
            .get(subject)
            .and_then(|name| state.products.get(name))
            .and_then(|ps| {
                let matches = |p: &&Publication| match key {
                    MAJOR_VERSION_PROPERTY => p.version.major.to_string() == value.trim(),
                    PRODUCT_VERSION_PROPERTY => p.version.to_string() == value.trim(),
                    _ => false,
                };
                ps.publications
                    .iter()
                    .filter(matches)
                    .max_by(|a, b| a.version.cmp(&b.version))
                    .and_then(|p| p.schemas.get(subject))
                    .map(|s| s.version)
            });
        let property = |record: &super::VersionRecord| {
            state.schemas[&record.id]
                .stored
                .metadata
                .as_ref()
                .and_then(|m| m.get("properties"))
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                == Some(value)
        };
        let found = state
            .versions(subject)
            .filter(|(_, r)| include_deleted || !r.deleted)
            .filter(|(v, r)| published == Some(*v) || property(r))
            .last();
        match found {
            Some((version, record)) => Ok(super::SubjectVersion {
                subject: subject.to_string(),
                version,
                schema: state.schemas[&record.id].clone(),
                deleted: record.deleted,
            }),
            None if state.versions(subject).next().is_none() => {
                Err(RegistryError::SubjectNotFound(subject.to_string()))
            }
            None => Err(RegistryError::SchemaNotFoundUnderSubject),
        }
    }

    fn prepare_all(
        &self,
        schemas: &[(String, NewSchema)],
    ) -> Result<Vec<(String, Prepared)>, RegistryError> {
        schemas
            .iter()
            .map(|(subject, new)| {
                self.prepare(new)
                    .map(|p| (subject.clone(), p))
                    .map_err(|e| match e {
                        RegistryError::InvalidSchema(message) => {
                            RegistryError::InvalidSchema(format!("subject `{subject}`: {message}"))
                        }
                        other => other,
                    })
            })
            .collect()
    }

    /// Each new schema against its subject's history in `line` (oldest first, each distinct
    /// schema version once) at the product's level.
    fn subject_checks(
        &self,
        ps: &ProductState,
        line: Line,
        prepared: &[(String, Prepared)],
    ) -> Result<Vec<SubjectCheck>, RegistryError> {
        let state = self.read();
        prepared
            .iter()
            .map(|(subject, new)| {
                let mut history: Vec<(String, Arc<SchemaEntry>)> = Vec::new();
                let mut seen = Vec::new();
                for publication in ps.line_history(line) {
                    if let Some(published) = publication.schemas.get(subject)
                        && !seen.contains(&published.version)
                    {
                        seen.push(published.version);
                        if let Some(entry) = state.schemas.get(&published.id) {
                            history.push((publication.version.to_string(), entry.clone()));
                        }
                    }
                }
                let olds: Vec<&Schema> = history.iter().map(|(_, e)| e.parsed()).collect();
                let report = new
                    .parsed
                    .check_history(&olds, ps.product.compatibility, None)
                    .map_err(|mismatch| {
                        RegistryError::InvalidSchema(format!("subject `{subject}`: {mismatch}"))
                    })?;
                let against: Vec<String> = history.iter().map(|(v, _)| v.clone()).collect();
                let findings = super::finding_lines(&report, &against);
                let unchanged = history
                    .last()
                    .is_some_and(|(_, e)| e.stored.same_content(&new.content));
                Ok(SubjectCheck {
                    subject: subject.clone(),
                    report,
                    against,
                    findings,
                    unchanged,
                })
            })
            .collect()
    }

    /// Checks which subjects a publication names, then parses their schemas.
    fn prepare_publication(
        &self,
        ps: &ProductState,
        schemas: &[(String, NewSchema)],
    ) -> Result<Vec<(String, Prepared)>, RegistryError> {
        self.check_subjects(ps, schemas)?;
        self.prepare_all(schemas)
    }

    /// Every subject named belongs to the product, once, and a first publication names all.
    fn check_subjects<T>(
        &self,
        ps: &ProductState,
        schemas: &[(String, T)],
    ) -> Result<(), RegistryError> {
        let product = &ps.product;
        for (i, (subject, _)) in schemas.iter().enumerate() {
            if !product.subjects.contains(subject) {
                return Err(ProductError::SubjectNotInProduct {
                    subject: subject.clone(),
                    product: product.name.clone(),
                }
                .into());
            }
            if schemas[..i].iter().any(|(s, _)| s == subject) {
                return Err(RegistryError::InvalidSchema(format!(
                    "subject `{subject}` has two schemas in one publication"
                )));
            }
        }
        if ps.publications.is_empty() {
            let missing: Vec<String> = product
                .subjects
                .iter()
                .filter(|s| !schemas.iter().any(|(given, _)| given == *s))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(ProductError::MissingSchemas(missing).into());
            }
        }
        Ok(())
    }

    fn evaluate(
        &self,
        ps: &ProductState,
        version: &Semver,
        prepared: &[(String, Prepared)],
        now: i64,
    ) -> Result<Evaluation, RegistryError> {
        let product = &ps.product;
        let step = ps.step(version, now);
        // The line whose history the schemas are judged against: the version's own, or for a
        // new line the latest one (for information: breaking it is allowed).
        let line = match &step {
            Ok(Step::InLine { .. }) => Some(Line::of(version)),
            _ if ps.latest_in(Line::of(version)).is_some() => Some(Line::of(version)),
            _ => ps.latest().map(|p| Line::of(&p.version)),
        };
        let subjects =
            self.subject_checks(ps, line.unwrap_or_else(|| Line::of(version)), prepared)?;
        let required = required_bump(&subjects);
        let refusal = match &step {
            Err(refusal) => Some(refusal.clone()),
            Ok(Step::InLine { base }) => {
                let line = Line::of(version);
                if required == Bump::Major {
                    Some(breaking_change(ps, line, &subjects, now))
                } else if declared_bump(base, version) < required {
                    let reason = subjects
                        .iter()
                        .flat_map(|s| {
                            s.report
                                .changes
                                .iter()
                                .map(move |c| (s.subject.as_str(), c))
                        })
                        .find(|(_, c)| c.rule.bump == required)
                        .map_or_else(
                            || format!("a {} change", required.name()),
                            |(subject, c)| {
                                format!(
                                    "{} in `{subject}` ({} at {}, {})",
                                    c.message, c.rule.code, c.location, c.path
                                )
                            },
                        );
                    Some(ProductError::VersionUnderBumped {
                        version: version.clone(),
                        needed: required,
                        minimum: minimum_version(base, required),
                        reason,
                    })
                } else {
                    None
                }
            }
            Ok(Step::First | Step::NewLine) => None,
        };
        let next_major = ps.latest().map_or(1, |p| p.version.major + 1);
        let evaluation = Evaluation {
            product: product.name.clone(),
            version: version.clone(),
            step: step.ok(),
            required,
            subjects,
            refusal,
            next_notice: ps.open_notice(next_major).cloned(),
        };
        Ok(evaluation)
    }

    fn commit_publication(
        &self,
        ps: &ProductState,
        evaluation: &Evaluation,
        prepared: Vec<(String, Prepared)>,
        actor: &str,
        now: i64,
    ) -> Result<Publication, RegistryError> {
        // Subjects not given keep what the line (or, for a new line, the latest version) holds.
        let carried = match &evaluation.step {
            Some(Step::InLine { base }) => ps.publications.iter().find(|p| p.version == *base),
            _ => ps.latest(),
        };
        let mut schemas: BTreeMap<String, PublishedSchema> = carried
            .map(|p| {
                p.schemas
                    .iter()
                    .filter(|(s, _)| ps.product.subjects.contains(s))
                    .map(|(s, published)| (s.clone(), *published))
                    .collect()
            })
            .unwrap_or_default();
        let mut new_versions = Vec::new();
        let mut new_subjects = Vec::new();
        {
            let state = self.read();
            for (subject, p) in prepared {
                // A schema the subject already holds keeps its version.
                let existing = state.id_of(p.identity, &p.content).and_then(|id| {
                    state
                        .live_versions(&subject)
                        .filter(|(_, r)| r.id == id)
                        .last()
                        .map(|(version, _)| PublishedSchema { version, id })
                });
                match existing {
                    Some(published) => {
                        schemas.insert(subject, published);
                    }
                    None => {
                        new_subjects.push(subject);
                        new_versions.push(p);
                    }
                }
            }
        }
        let seq = ps.publications.len() as u64;
        let audit_seq = ps.audit_len;
        let name = ps.product.name.clone();
        let mut publication = Publication {
            version: evaluation.version.clone(),
            ts: now,
            actor: actor.to_string(),
            schemas,
        };
        let entry = self.audit_entry(
            actor,
            "publish",
            Some(&evaluation.version),
            None,
            format!(
                "published {} ({})",
                evaluation.version,
                match evaluation.step {
                    Some(Step::First) => "first version",
                    Some(Step::NewLine) => "new line",
                    _ => "in line",
                }
            ),
        );
        let items: Vec<(&str, Prepared, Import)> = new_subjects
            .iter()
            .map(String::as_str)
            .zip(new_versions)
            .map(|(s, p)| (s, p, Import::default()))
            .collect();
        let mut finished = publication.clone();
        let registered = self.commit(
            items,
            |registered, batch| {
                for (subject, r) in new_subjects.iter().zip(registered) {
                    finished.schemas.insert(
                        subject.clone(),
                        PublishedSchema {
                            version: r.version,
                            id: r.id,
                        },
                    );
                }
                batch.put(
                    Keyspace::ProductVersions,
                    keys::product_seq(&name, seq),
                    json(&finished),
                );
                batch.put(
                    Keyspace::Audit,
                    keys::product_seq(&name, audit_seq),
                    json(&entry),
                );
            },
            |state, registered| {
                if let Some(ps) = state.products.get_mut(&name) {
                    let mut publication = publication.clone();
                    for (subject, r) in new_subjects.iter().zip(registered) {
                        publication.schemas.insert(
                            subject.clone(),
                            PublishedSchema {
                                version: r.version,
                                id: r.id,
                            },
                        );
                    }
                    ps.publications.push(publication);
                    ps.audit_len += 1;
                }
            },
        )?;
        for (subject, r) in new_subjects.iter().zip(&registered) {
            publication.schemas.insert(
                subject.clone(),
                PublishedSchema {
                    version: r.version,
                    id: r.id,
                },
            );
        }
        Ok(publication)
    }

    fn audit_entry(
        &self,
        actor: &str,
        action: &str,
        version: Option<&Semver>,
        refusal: Option<&RegistryError>,
        message: String,
    ) -> AuditEntry {
        AuditEntry {
            ts: self.clock.now_millis(),
            actor: actor.to_string(),
            action: action.to_string(),
            version: version.map(ToString::to_string),
            accepted: refusal.is_none(),
            decided_by: refusal.map_or("accepted", error_code).to_string(),
            message,
            findings: Vec::new(),
        }
    }

    fn append_audit(&self, ps: &ProductState, entry: &AuditEntry) -> Result<(), RegistryError> {
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

    fn audit_refusal(
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

    fn audit_notice(
        &self,
        ps: &ProductState,
        actor: &str,
        action: &str,
        major: u64,
        refusal: Result<(), &ProductError>,
    ) -> Result<(), RegistryError> {
        let error = refusal.err().map(|r| RegistryError::from(r.clone()));
        let message = match &error {
            Some(e) => e.to_string(),
            None => format!("{action} notice for major {major}"),
        };
        let entry = self.audit_entry(actor, action, None, error.as_ref(), message);
        self.append_audit(ps, &entry)
    }

    fn write_notice(
        &self,
        ps: &ProductState,
        actor: &str,
        action: &str,
        notice: Notice,
    ) -> Result<Notice, RegistryError> {
        let message = match action {
            "announce" => format!(
                "announced major {}: {}; allowed from {}",
                notice.major,
                notice.summary,
                super::product::date(notice.effective_ts)
            ),
            _ => format!("withdrew the notice for major {}", notice.major),
        };
        let entry = self.audit_entry(actor, action, None, None, message);
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Notices,
            keys::product_seq(&ps.product.name, notice.major),
            json(&notice),
        );
        batch.put(
            Keyspace::Audit,
            keys::product_seq(&ps.product.name, ps.audit_len),
            json(&entry),
        );
        self.store.write(batch)?;
        let mut state = self.write_state();
        if let Some(ps) = state.products.get_mut(&ps.product.name) {
            ps.notices.insert(notice.major, notice.clone());
            ps.audit_len += 1;
        }
        Ok(notice)
    }
}

/// The smallest bump the checks need: major when any finding breaks the level.
fn required_bump(checks: &[SubjectCheck]) -> Bump {
    checks
        .iter()
        .map(|c| {
            if c.report.compatible {
                c.report.bump
            } else {
                Bump::Major
            }
        })
        .max()
        .unwrap_or(Bump::None)
}

/// The refusal of a breaking change within a line, with the way to publish it.
fn breaking_change(
    ps: &ProductState,
    line: Line,
    checks: &[SubjectCheck],
    now: i64,
) -> ProductError {
    let subjects: Vec<String> = checks
        .iter()
        .filter(|c| !c.report.compatible)
        .map(|c| c.subject.clone())
        .collect();
    let findings: Vec<String> = checks.iter().flat_map(|c| c.findings.clone()).collect();
    let latest_line = ps.latest().map(|p| Line::of(&p.version));
    let advice = if Some(line) != latest_line {
        format!(
            "line {line} is {} and takes compatible fixes only; breaking changes go into a new major",
            ps.line_state(line, now).name()
        )
    } else {
        let next = line.next_start();
        match ps.open_notice(next.major) {
            // Before 1.0.0 (and for 1.0.0 itself) no notice is needed.
            _ if next.major <= 1 => format!("publish {next}"),
            Some(notice) if notice.effective_ts <= now => {
                format!("publish {next}: its notice is in effect")
            }
            Some(notice) => format!(
                "publish {next} after its notice: announced {}, allowed from {}",
                super::product::date(notice.announced_ts),
                super::product::date(notice.effective_ts)
            ),
            None => format!(
                "publish {next} after a notice: announce one (`accord notice announce {} --major {}`), then wait {} days",
                ps.product.name, next.major, ps.product.notice_days
            ),
        }
    };
    ProductError::BreakingChangeRequiresMajor {
        subjects,
        findings,
        advice,
    }
}

/// A plain Confluent registration that breaks its line: the major-bump path must be explicit.
fn implicit_breaking_change(
    ps: &ProductState,
    line: Line,
    checks: &[SubjectCheck],
    now: i64,
) -> ProductError {
    match breaking_change(ps, line, checks, now) {
        ProductError::BreakingChangeRequiresMajor {
            subjects,
            findings,
            advice,
        } => ProductError::BreakingChangeRequiresMajor {
            subjects,
            findings,
            advice: format!(
                "{advice}; to register it as that version, set metadata property `{PRODUCT_VERSION_PROPERTY}`"
            ),
        },
        other => other,
    }
}

/// The code an audit entry records for a refusal.
fn error_code(error: &RegistryError) -> &'static str {
    match error {
        RegistryError::Product(p) => p.code(),
        RegistryError::InvalidSchema(_) => "invalid_schema",
        _ => "error",
    }
}

/// The registry's product state, as loaded from the store.
pub(super) fn load_products(
    store: &dyn crate::store::Store,
    state: &mut State,
) -> Result<(), RegistryError> {
    for (_, value) in store.scan_prefix(Keyspace::Products, b"")? {
        let product: DataProduct =
            serde_json::from_slice(&value).map_err(|e| super::corrupt("product", e))?;
        for subject in &product.subjects {
            state.bound.insert(subject.clone(), product.name.clone());
        }
        state.products.insert(
            product.name.clone(),
            ProductState {
                product,
                publications: Vec::new(),
                notices: BTreeMap::new(),
                audit_len: 0,
            },
        );
    }
    for (key, value) in store.scan_prefix(Keyspace::ProductVersions, b"")? {
        let (name, _) = keys::parse_product_seq(&key)
            .ok_or_else(|| super::corrupt("product version", "bad key"))?;
        let publication: Publication =
            serde_json::from_slice(&value).map_err(|e| super::corrupt("product version", e))?;
        if let Some(ps) = state.products.get_mut(&name) {
            ps.publications.push(publication);
        }
    }
    for (key, value) in store.scan_prefix(Keyspace::Notices, b"")? {
        let (name, _) =
            keys::parse_product_seq(&key).ok_or_else(|| super::corrupt("notice", "bad key"))?;
        let notice: Notice =
            serde_json::from_slice(&value).map_err(|e| super::corrupt("notice", e))?;
        if let Some(ps) = state.products.get_mut(&name) {
            ps.notices.insert(notice.major, notice);
        }
    }
    for (key, _) in store.scan_prefix(Keyspace::Audit, b"")? {
        let (name, seq) =
            keys::parse_product_seq(&key).ok_or_else(|| super::corrupt("audit", "bad key"))?;
        if let Some(ps) = state.products.get_mut(&name) {
            ps.audit_len = ps.audit_len.max(seq + 1);
        }
    }
    Ok(())
}
