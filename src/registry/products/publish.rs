//! Publishing a product version: every subject checked and committed at once.

use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

use semver::Version as Semver;

use crate::compat::Bump;
use crate::registry::policy::{
    Line, ProductError, ProductState, Publication, PublishedSchema, Step, capped, declared_bump,
    minimum_version,
};
use crate::registry::products::consumers::{
    UpstreamChange, apply_upstream_changes, put_upstream_changes,
};
use crate::registry::products::events::{Details, EventKind, Outgoing};
use crate::registry::products::submission::blocking;
use crate::registry::{
    Evaluation, Import, NewSchema, PRODUCT_VERSION_PROPERTY, PolicyFinding, Prepared, Registry,
    RegistryError, SchemaEntry, SubjectCheck, Submission, json, keys,
};
use crate::schema::Schema;
use crate::store::{Keyspace, Scope};

/// What a publication writes besides its schemas and its record, in the same batch.
pub(in crate::registry) struct Extras {
    /// The manifest as written.
    pub manifest: Option<String>,
    /// Its input ports' registrations as a consumer of the products it reads.
    pub upstream: Vec<UpstreamChange>,
    /// The event a new major sends the consumers of the lines it deprecates.
    pub outgoing: Option<Outgoing>,
}

/// The smallest bump the checks need: major when any finding breaks the level.
pub(in crate::registry) fn required_bump(checks: &[SubjectCheck]) -> Bump {
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

/// The subjects and the findings a refusal's message names; a dry run lists them all.
const MAX_REFUSAL_LINES: usize = 50;

/// The refusal of a breaking change within a line, with the way to publish it.
pub(in crate::registry) fn breaking_change(
    ps: &ProductState,
    line: Line,
    checks: &[SubjectCheck],
    now: Timestamp,
) -> ProductError {
    // A break of a thousand subjects helps nobody as one message (it was megabytes): the
    // whole report is a dry run away.
    let subjects: Vec<String> = checks
        .iter()
        .filter(|c| !c.report.compatible)
        .map(|c| c.subject.clone())
        .collect();
    let subjects = capped(subjects, MAX_REFUSAL_LINES, "subjects");
    let findings: Vec<String> = checks.iter().flat_map(SubjectCheck::findings).collect();
    let findings = capped(
        findings,
        MAX_REFUSAL_LINES,
        &format!(
            "findings (all of them: `accord product check`, or POST /v1/products/{}/check)",
            ps.product.name
        ),
    );
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
                crate::registry::policy::date(notice.announced_ts),
                crate::registry::policy::date(notice.effective_ts)
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
pub(in crate::registry) fn implicit_breaking_change(
    ps: &ProductState,
    line: Line,
    checks: &[SubjectCheck],
    now: Timestamp,
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

impl Registry {
    /// Judges publishing `version` with these schemas at `now` (the registry's clock when
    /// `None`), without writing anything.
    pub fn check_publication(
        &self,
        name: &str,
        version: &Semver,
        schemas: &[(String, NewSchema)],
        policy: &[PolicyFinding],
        now: Option<Timestamp>,
    ) -> Result<Evaluation, RegistryError> {
        let ps = self.product_state(name)?;
        let now = now.unwrap_or_else(|| self.clock.now());
        let prepared = self.prepare_publication(&ps, schemas)?;
        self.evaluate(&ps, version, &prepared, policy, now)
    }

    /// Publishes a product version: every subject's schema in one atomic write, or nothing.
    /// Accepted or refused, the decision goes into the product's audit history.
    pub fn publish(
        &self,
        name: &str,
        version: &Semver,
        schemas: &[(String, NewSchema)],
        submission: Submission,
        actor: &str,
    ) -> Result<(Evaluation, Publication), RegistryError> {
        let _products = self.product_guard()?;
        let ps = self.product_state(name)?;
        let prepared = match self.prepare_publication(&ps, schemas) {
            Ok(prepared) => prepared,
            Err(e) => {
                self.audit_refusal(&ps, actor, version, &e, Vec::new())?;
                return Err(e);
            }
        };
        self.publish_locked(&ps, version, prepared, submission, actor)
    }

    /// `publish` of schemas already prepared, with the products lock held.
    pub(in crate::registry) fn publish_locked(
        &self,
        ps: &ProductState,
        version: &Semver,
        prepared: Vec<(String, Prepared)>,
        submission: Submission,
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
        let scopes: Vec<Scope> = ps
            .product
            .subjects
            .iter()
            .map(|s| Scope::Subject(s))
            .chain(prepared.iter().map(|(_, p)| Scope::Identity(p.identity)))
            .collect();
        let _shared = self.hold(&scopes)?;
        let now = self.clock.now();
        let evaluation = match self.evaluate(ps, version, &prepared, &submission.findings, now) {
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
                .flat_map(SubjectCheck::findings)
                .collect();
            let error = RegistryError::from(refusal.clone());
            self.audit_refusal(ps, actor, version, &error, findings)?;
            return Err(error);
        }
        let upstream = match &submission.upstream {
            Some(ports) => match self.upstream_changes(ps, ports, actor, now) {
                Ok(changes) => changes,
                Err(e) => {
                    self.audit_refusal(ps, actor, version, &e, Vec::new())?;
                    return Err(e);
                }
            },
            None => Vec::new(),
        };
        // A new major deprecates the lines below it: their consumers hear of it.
        let opens_a_major = ps
            .latest()
            .is_some_and(|latest| version.major > latest.version.major);
        let outgoing = if opens_a_major {
            let details = Details {
                version: Some(version.to_string()),
                findings: evaluation
                    .subjects
                    .iter()
                    .flat_map(SubjectCheck::findings)
                    .collect(),
                ..Details::default()
            };
            self.outgoing(ps, EventKind::MajorPublished, version.major, details, now)?
        } else {
            None
        };
        let extras = Extras {
            manifest: submission.manifest,
            upstream,
            outgoing,
        };
        let publication = self.commit_publication(ps, &evaluation, prepared, extras, actor, now)?;
        Ok((evaluation, publication))
    }

    pub(in crate::registry) fn prepare_all(
        &self,
        schemas: &[(String, NewSchema)],
    ) -> Result<Vec<(String, Prepared)>, RegistryError> {
        schemas
            .iter()
            .map(|(subject, new)| {
                let bound;
                let new = if new.schema.trim().is_empty() {
                    bound = self.current_schema(subject, new)?;
                    &bound
                } else {
                    new
                };
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

    /// A publication that gives a subject no schema binds the one the subject holds now,
    /// registered by a producer (a `datamesh/v1` manifest names a subject, not a schema).
    fn current_schema(&self, subject: &str, asked: &NewSchema) -> Result<NewSchema, RegistryError> {
        let state = self.read();
        let entry = state
            .subjects
            .live_versions(subject)
            .last()
            .and_then(|(_, record)| state.subjects.schema(record.id))
            .ok_or_else(|| {
                RegistryError::InvalidSchema(format!(
                    "subject `{subject}` has no schema to bind: register one first (a producer does on its first message), or give the publication a schema"
                ))
            })?;
        let stored = &entry.stored;
        Ok(NewSchema {
            schema: stored.served().to_string(),
            schema_type: Some(stored.schema_type.clone()),
            references: stored.references.clone(),
            metadata: stored.metadata.clone(),
            rule_set: stored.rule_set.clone(),
            ..asked.clone()
        })
    }

    /// Each new schema against its subject's history in `line` (oldest first, each distinct
    /// schema version once) at the product's level.
    pub(in crate::registry) fn subject_checks(
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
                        if let Some(entry) = state.subjects.schema(published.id) {
                            history.push((publication.version.to_string(), entry.clone()));
                        }
                    }
                }
                let parsed: Vec<Arc<Schema>> =
                    history.iter().map(|(_, e)| self.parsed.get(e)).collect();
                let olds: Vec<&Schema> = parsed.iter().map(Arc::as_ref).collect();
                let report = new
                    .parsed
                    .schema
                    .check_history(&olds, ps.product.compatibility, None)
                    .map_err(|mismatch| {
                        RegistryError::InvalidSchema(format!("subject `{subject}`: {mismatch}"))
                    })?;
                let against: Vec<String> = history.iter().map(|(v, _)| v.clone()).collect();
                let unchanged = history
                    .last()
                    .is_some_and(|(_, e)| e.stored.same_content(&new.content));
                Ok(SubjectCheck {
                    subject: subject.clone(),
                    report,
                    against,
                    unchanged,
                })
            })
            .collect()
    }

    /// Checks which subjects a publication names, then parses their schemas.
    pub(in crate::registry) fn prepare_publication(
        &self,
        ps: &ProductState,
        schemas: &[(String, NewSchema)],
    ) -> Result<Vec<(String, Prepared)>, RegistryError> {
        self.check_subjects(ps, schemas)?;
        self.prepare_all(schemas)
    }

    /// Every subject named belongs to the product, once, and a first publication names all.
    pub(in crate::registry) fn check_subjects<T>(
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

    pub(in crate::registry) fn evaluate(
        &self,
        ps: &ProductState,
        version: &Semver,
        prepared: &[(String, Prepared)],
        policy: &[PolicyFinding],
        now: Timestamp,
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
        let policy_errors = blocking(policy);
        let refusal = match &step {
            Err(refusal) => Some(refusal.clone()),
            Ok(_) if !policy_errors.is_empty() => Some(ProductError::PolicyViolated(policy_errors)),
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
            policy: policy.to_vec(),
        };
        Ok(evaluation)
    }

    pub(in crate::registry) fn commit_publication(
        &self,
        ps: &ProductState,
        evaluation: &Evaluation,
        prepared: Vec<(String, Prepared)>,
        extras: Extras,
        actor: &str,
        now: Timestamp,
    ) -> Result<Publication, RegistryError> {
        let Extras {
            manifest,
            upstream,
            outgoing,
        } = extras;
        let sends_events = outgoing.is_some();
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
                let existing = state.subjects.id_of(p.identity, &p.content).and_then(|id| {
                    state
                        .subjects
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
            manifest,
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
                super::audit::put_audit(batch, &name, audit_seq, &entry);
                put_upstream_changes(batch, &upstream);
                if let Some(outgoing) = &outgoing {
                    outgoing.put(batch);
                }
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
                apply_upstream_changes(&mut state.products, &upstream);
            },
        )?;
        if sends_events {
            self.deliveries_written();
        }
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
}
