//! A product's consumers: named readers (a team, a pipeline, another product) on one of its
//! majors, with a contact and optionally a webhook. A breaking change reaches them: impact lists
//! who is on the majors a version would deprecate, transitively through consumers that are
//! products themselves.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use semver::Version as Semver;
use serde::{Deserialize, Serialize};

use crate::registry::policy::{Line, LineState, ProductError, ProductState, is_path_name};
use crate::registry::{Registry, RegistryError, json, keys};
use crate::store::{Keyspace, WriteBatch};

/// A named reader of a product, on one major.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// The consumer's name, unique among the product's consumers.
    pub name: String,
    /// The product it reads.
    pub product: String,
    /// The major it reads.
    pub major: u64,
    /// The consumer's own domain, under which it registered.
    pub domain: String,
    /// How to reach the people behind it: a chat channel or an email.
    pub contact: String,
    /// Where events about the product are posted (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// The key webhook bodies are signed with (HMAC-SHA256); never served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The data product this consumer is, when it is one: impact follows it downstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_product: Option<String>,
    /// When it registered or last moved, in milliseconds since the epoch.
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub since: Timestamp,
}

impl Consumer {
    /// Checks what a registration must hold; the problem is named in the error.
    pub fn validate(&self) -> Result<(), ProductError> {
        let invalid = |message: String| Err(ProductError::InvalidConsumer(message));
        if !is_path_name(&self.name) {
            return invalid(format!(
                "consumer name `{}` must be 1 to 200 letters, digits, `.`, `-` or `_`, and not only dots",
                self.name
            ));
        }
        if self.domain.trim().is_empty() {
            return invalid("`domain` is empty: a consumer registers under its own domain".into());
        }
        if self.contact.trim().is_empty() {
            return invalid("`contact` is empty: say how to reach the consumer's team".into());
        }
        if let Some(webhook) = &self.webhook
            && !(webhook.starts_with("http://") || webhook.starts_with("https://"))
        {
            return invalid(format!(
                "`webhook` `{webhook}` is not an http:// or https:// URL"
            ));
        }
        Ok(())
    }
}

/// One consumer a version affects, and how it is reached from the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub consumer: String,
    /// The product it reads (the judged one, or one downstream of it).
    pub product: String,
    pub major: u64,
    pub contact: String,
    /// 1 for a direct consumer of the judged product, 2 for a consumer of a product that
    /// consumes it, and so on.
    pub depth: u32,
}

/// What publishing a version would do to the product's readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub product: String,
    pub version: String,
    /// The majors the version would deprecate: every active line below its own, when it opens
    /// a new major.
    pub deprecates: Vec<u64>,
    /// The consumers on those majors, then downstream of the ones that are products.
    pub affected: Vec<Affected>,
    /// The products this one reads (its own registrations as a consumer).
    pub upstream: Vec<String>,
    /// The products downstream of the affected consumers, each once.
    pub downstream: Vec<String>,
    pub downstream_count: usize,
    /// Whether the walk stopped at the depth limit with more below it.
    pub truncated: bool,
}

/// A product a product reads, at a major: one of its manifest's input ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upstream {
    pub product: String,
    pub major: u64,
}

/// A change a publication makes to the consumers of the products it reads.
pub(in crate::registry) struct UpstreamChange {
    pub product: String,
    pub name: String,
    /// `None`: the registration goes.
    pub consumer: Option<Consumer>,
    pub entry: crate::registry::AuditEntry,
    pub seq: u64,
}

/// How deep impact follows consumers that are products.
pub const MAX_IMPACT_DEPTH: u32 = 8;

/// A product's consumers as stored.
pub(in crate::registry) fn load_consumers(
    store: &dyn crate::store::Store,
    product: &str,
) -> Result<BTreeMap<String, Consumer>, RegistryError> {
    let mut consumers = BTreeMap::new();
    for (_, value) in store.scan_prefix(Keyspace::Consumers, &keys::subject_prefix(product))? {
        let consumer: Consumer =
            serde_json::from_slice(&value).map_err(|e| super::super::corrupt("consumer", e))?;
        consumers.insert(consumer.name.clone(), consumer);
    }
    Ok(consumers)
}

/// The store key of a product's consumer.
pub(in crate::registry) fn consumer_key(product: &str, consumer: &str) -> Vec<u8> {
    let mut key = keys::subject_prefix(product);
    key.extend_from_slice(consumer.as_bytes());
    key
}

impl Registry {
    /// Registers a consumer of a product, or updates it (its major, contact, webhook). The
    /// major must be one the product has published.
    pub fn set_consumer(
        &self,
        mut consumer: Consumer,
        actor: &str,
    ) -> Result<Consumer, RegistryError> {
        consumer.validate()?;
        let _products = self.product_guard()?;
        let ps = self.product_state(&consumer.product)?;
        let majors: BTreeSet<u64> = ps.publications.iter().map(|p| p.version.major).collect();
        if !majors.contains(&consumer.major) {
            return Err(ProductError::InvalidConsumer(format!(
                "`{}` has no major {}; its majors: {}",
                consumer.product,
                consumer.major,
                if majors.is_empty() {
                    "none published yet".to_string()
                } else {
                    majors
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
            .into());
        }
        let previous = ps.consumers.get(&consumer.name);
        if previous.is_some_and(|p| p.domain != consumer.domain) {
            return Err(ProductError::InvalidConsumer(format!(
                "consumer `{}` of `{}` is registered under domain `{}`; remove it first to register it under another",
                consumer.name,
                consumer.product,
                previous.map_or("", |p| p.domain.as_str())
            ))
            .into());
        }
        consumer.since = match previous {
            Some(p) if p.major == consumer.major => p.since,
            _ => self.clock.now(),
        };
        let message = match previous {
            None => format!(
                "consumer `{}` ({}) registered on major {}",
                consumer.name, consumer.domain, consumer.major
            ),
            Some(p) if p.major != consumer.major => format!(
                "consumer `{}` moved from major {} to {}",
                consumer.name, p.major, consumer.major
            ),
            Some(_) => format!("consumer `{}` updated", consumer.name),
        };
        self.write_consumer(&ps, Some(&consumer), &consumer.name, actor, message)?;
        Ok(consumer)
    }

    /// Removes a consumer of a product.
    pub fn remove_consumer(
        &self,
        product: &str,
        name: &str,
        actor: &str,
    ) -> Result<Consumer, RegistryError> {
        let _products = self.product_guard()?;
        let ps = self.product_state(product)?;
        let consumer =
            ps.consumers
                .get(name)
                .cloned()
                .ok_or_else(|| ProductError::ConsumerNotFound {
                    product: product.to_string(),
                    consumer: name.to_string(),
                })?;
        self.write_consumer(&ps, None, name, actor, format!("consumer `{name}` removed"))?;
        Ok(consumer)
    }

    /// A product's consumers, by name.
    pub fn consumers(&self, product: &str) -> Result<Vec<Consumer>, RegistryError> {
        Ok(self
            .product_state(product)?
            .consumers
            .into_values()
            .collect())
    }

    /// One consumer of a product.
    pub fn consumer(&self, product: &str, name: &str) -> Result<Consumer, RegistryError> {
        self.product_state(product)?
            .consumers
            .remove(name)
            .ok_or_else(|| {
                ProductError::ConsumerNotFound {
                    product: product.to_string(),
                    consumer: name.to_string(),
                }
                .into()
            })
    }

    fn write_consumer(
        &self,
        ps: &ProductState,
        consumer: Option<&Consumer>,
        name: &str,
        actor: &str,
        message: String,
    ) -> Result<(), RegistryError> {
        let product = &ps.product.name;
        let entry = self.audit_entry(actor, "consumer", None, None, message);
        let mut batch = WriteBatch::new();
        match consumer {
            Some(c) => batch.put(Keyspace::Consumers, consumer_key(product, name), json(c)),
            None => batch.delete(Keyspace::Consumers, consumer_key(product, name)),
        }
        batch.put(
            Keyspace::Audit,
            keys::product_seq(product, ps.audit_len),
            json(&entry),
        );
        batch.put(
            Keyspace::Counters,
            keys::audit_len(product),
            (ps.audit_len + 1).to_be_bytes(),
        );
        self.store.write(batch)?;
        let mut state = self.write_state();
        if let Some(ps) = state.products.get_mut(product) {
            match consumer {
                Some(c) => {
                    ps.consumers.insert(name.to_string(), c.clone());
                }
                None => {
                    ps.consumers.remove(name);
                }
            }
            ps.audit_len += 1;
        }
        Ok(())
    }

    /// What publishing `ps` with these input ports changes among the consumers of the products
    /// it reads: a registration per port (the product registered as a consumer of its own,
    /// moved when the port names another major), and the ones of ports it dropped removed.
    /// A port to a product or major that does not exist refuses the publication.
    pub(in crate::registry) fn upstream_changes(
        &self,
        ps: &ProductState,
        upstream: &[Upstream],
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<UpstreamChange>, RegistryError> {
        let me = &ps.product.name;
        let state = self.read();
        let mut changes = Vec::new();
        for port in upstream {
            let invalid = |why: String| {
                RegistryError::from(ProductError::InvalidConsumer(format!(
                    "input port `{}` (major {}): {why}",
                    port.product, port.major
                )))
            };
            if port.product == *me {
                return Err(invalid("a product does not read itself".into()));
            }
            let read = state
                .products
                .get(&port.product)
                .ok_or_else(|| invalid("no such product in this registry".into()))?;
            if !read
                .publications
                .iter()
                .any(|p| p.version.major == port.major)
            {
                return Err(invalid(format!(
                    "`{}` has published no major {}",
                    port.product, port.major
                )));
            }
            let previous = read.consumers.get(me);
            if previous
                .is_some_and(|p| p.major == port.major && p.as_product.as_deref() == Some(me))
            {
                continue;
            }
            let consumer = Consumer {
                name: me.clone(),
                product: port.product.clone(),
                major: port.major,
                domain: ps.product.domain.clone(),
                contact: previous.map_or_else(|| ps.product.owner.clone(), |p| p.contact.clone()),
                webhook: previous.and_then(|p| p.webhook.clone()),
                secret: previous.and_then(|p| p.secret.clone()),
                as_product: Some(me.clone()),
                since: now,
            };
            let message = match previous {
                Some(p) => format!(
                    "consumer `{me}` moved from major {} to {} (its manifest's input port)",
                    p.major, port.major
                ),
                None => format!(
                    "consumer `{me}` ({}) registered on major {} (its manifest's input port)",
                    consumer.domain, port.major
                ),
            };
            changes.push(UpstreamChange {
                product: port.product.clone(),
                name: me.clone(),
                consumer: Some(consumer),
                entry: self.audit_entry(actor, "consumer", None, None, message),
                seq: read.audit_len,
            });
        }
        for (product, read) in &state.products {
            let dropped = read.consumers.get(me).is_some_and(|c| {
                c.as_product.as_deref() == Some(me)
                    && !upstream.iter().any(|p| p.product == *product)
            });
            if dropped {
                changes.push(UpstreamChange {
                    product: product.clone(),
                    name: me.clone(),
                    consumer: None,
                    entry: self.audit_entry(
                        actor,
                        "consumer",
                        None,
                        None,
                        format!(
                            "consumer `{me}` removed (its manifest no longer reads `{product}`)"
                        ),
                    ),
                    seq: read.audit_len,
                });
            }
        }
        Ok(changes)
    }

    /// Who publishing `version` of `product` would leave on a deprecated major, directly and
    /// downstream through consumers that are products, at `now`.
    pub fn impact(
        &self,
        product: &str,
        version: &Semver,
        now: Timestamp,
    ) -> Result<Impact, RegistryError> {
        let state = self.read();
        let ps = state
            .products
            .get(product)
            .ok_or_else(|| ProductError::ProductNotFound(product.to_string()))?;
        let line = Line::of(version);
        // A new major deprecates every line below it that is still open.
        let opens_a_major = ps
            .latest()
            .is_some_and(|latest| version.major > latest.version.major);
        let deprecates: Vec<u64> = if opens_a_major {
            let mut majors: Vec<u64> = ps
                .publications
                .iter()
                .map(|p| p.version.major)
                .filter(|major| *major < line.major)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter(|major| {
                    let latest = ps
                        .publications
                        .iter()
                        .filter(|p| p.version.major == *major)
                        .map(|p| &p.version)
                        .max();
                    latest.is_some_and(|v| {
                        !matches!(ps.line_state(Line::of(v), now), LineState::Retired { .. })
                    })
                })
                .collect();
            majors.sort_unstable();
            majors
        } else {
            Vec::new()
        };
        let mut affected = Vec::new();
        let mut downstream = Vec::new();
        let mut seen = BTreeSet::from([product.to_string()]);
        let mut frontier: Vec<(String, Option<Vec<u64>>)> =
            vec![(product.to_string(), Some(deprecates.clone()))];
        let mut depth = 0;
        let mut truncated = false;
        while !frontier.is_empty() {
            depth += 1;
            if depth > MAX_IMPACT_DEPTH {
                truncated = true;
                break;
            }
            let mut next = Vec::new();
            for (reader_of, majors) in frontier {
                let Some(read) = state.products.get(&reader_of) else {
                    continue;
                };
                for consumer in read.consumers.values() {
                    // Downstream of the judged product, every consumer of an affected product
                    // is affected: its input changes when its upstream migrates.
                    if majors
                        .as_ref()
                        .is_some_and(|m| !m.contains(&consumer.major))
                    {
                        continue;
                    }
                    affected.push(Affected {
                        consumer: consumer.name.clone(),
                        product: reader_of.clone(),
                        major: consumer.major,
                        contact: consumer.contact.clone(),
                        depth,
                    });
                    if let Some(as_product) = &consumer.as_product
                        && seen.insert(as_product.clone())
                    {
                        downstream.push(as_product.clone());
                        next.push((as_product.clone(), None));
                    }
                }
            }
            frontier = next;
        }
        let upstream: Vec<String> = state
            .products
            .values()
            .filter(|other| {
                other
                    .consumers
                    .values()
                    .any(|c| c.as_product.as_deref() == Some(product))
            })
            .map(|other| other.product.name.clone())
            .collect();
        Ok(Impact {
            product: product.to_string(),
            version: version.to_string(),
            deprecates,
            downstream_count: downstream.len(),
            affected,
            upstream,
            downstream,
            truncated,
        })
    }
}

/// Writes the changes to the batch of the publication that makes them.
pub(in crate::registry) fn put_upstream_changes(
    batch: &mut WriteBatch,
    changes: &[UpstreamChange],
) {
    for change in changes {
        let key = consumer_key(&change.product, &change.name);
        match &change.consumer {
            Some(c) => batch.put(Keyspace::Consumers, key, json(c)),
            None => batch.delete(Keyspace::Consumers, key),
        }
        super::audit::put_audit(batch, &change.product, change.seq, &change.entry);
    }
}

/// Applies the changes to the served state, once their batch is written.
pub(in crate::registry) fn apply_upstream_changes(
    products: &mut BTreeMap<String, ProductState>,
    changes: &[UpstreamChange],
) {
    for change in changes {
        if let Some(ps) = products.get_mut(&change.product) {
            match &change.consumer {
                Some(c) => {
                    ps.consumers.insert(change.name.clone(), c.clone());
                }
                None => {
                    ps.consumers.remove(&change.name);
                }
            }
            ps.audit_len += 1;
        }
    }
}
