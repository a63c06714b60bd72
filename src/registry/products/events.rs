//! Events a product's consumers hear about: a notice announced or withdrawn, a major published
//! (their line deprecated), a sunset approaching, a line retired. Each is written in the same
//! batch as the decision that causes it, with one delivery per consumer that has a webhook: a
//! durable outbox, so that a crash between the decision and the delivery loses nothing and
//! nothing is delivered for a decision that was not committed. Deliveries are attempted by the
//! server (`crate::api::webhooks`) and their outcome recorded here.

use std::sync::atomic::Ordering;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::registry::policy::{LineState, ProductState, days};
use crate::registry::{Registry, RegistryError, json, keys};
use crate::store::{Keyspace, WriteBatch};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "notice.announced")]
    NoticeAnnounced,
    #[serde(rename = "notice.withdrawn")]
    NoticeWithdrawn,
    #[serde(rename = "major.published")]
    MajorPublished,
    #[serde(rename = "sunset.approaching")]
    SunsetApproaching,
    #[serde(rename = "line.retired")]
    LineRetired,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::NoticeAnnounced => "notice.announced",
            EventKind::NoticeWithdrawn => "notice.withdrawn",
            EventKind::MajorPublished => "major.published",
            EventKind::SunsetApproaching => "sunset.approaching",
            EventKind::LineRetired => "line.retired",
        }
    }
}

/// One event, as stored, listed in consumers' feeds and posted to their webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Increasing over the whole registry: a receiver drops one it has seen.
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub product: String,
    /// The major the event is about: announced, withdrawn or published; or, for a sunset,
    /// the deprecated one.
    pub major: u64,
    /// The version published, for `major.published`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<Timestamp>,
    /// When the announced major may be published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Timestamp>,
    /// When the deprecated line retires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<Timestamp>,
    /// The breaking changes, for `major.published`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    pub ts: Timestamp,
    /// The consumers it concerns, by name.
    pub consumers: Vec<String>,
}

/// An event's delivery to one consumer's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub event: u64,
    pub product: String,
    pub consumer: String,
    pub attempts: u32,
    /// When the next attempt is due.
    pub next: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Out of attempts, or its consumer (or its webhook) is gone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gave_up: bool,
}

impl Delivery {
    pub fn state(&self) -> &'static str {
        match (self.delivered, self.gave_up) {
            (Some(_), _) => "delivered",
            (None, true) => "failed",
            (None, false) => "pending",
        }
    }
}

/// A delivery that is due, with what it takes to make it.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: Delivery,
    pub event: Event,
    pub webhook: String,
    pub secret: Option<String>,
}

/// Attempts before a delivery gives up: with the backoff below, about a day and a half.
const MAX_ATTEMPTS: u32 = 20;

/// The wait after the `n`th failed attempt (from 1): 1 s doubling, at most an hour.
fn backoff(attempts: u32) -> SignedDuration {
    let doublings = attempts.saturating_sub(1).min(12);
    SignedDuration::from_secs(1i64 << doublings).min(SignedDuration::from_hours(1))
}

const LAST_EVENT: &[u8] = b"last_event";

fn delivery_key(event: u64, product: &str, consumer: &str) -> Vec<u8> {
    let mut key = event.to_be_bytes().to_vec();
    key.extend_from_slice(&keys::subject_prefix(product));
    key.extend_from_slice(consumer.as_bytes());
    key
}

/// Marks a scheduled event as fired, so it fires once.
fn fired_key(kind: EventKind, product: &str, major: u64) -> Vec<u8> {
    format!("fired\0{}\0{product}\0{major}", kind.name()).into_bytes()
}

/// What an event says besides its kind, product and major.
#[derive(Debug, Default)]
pub(in crate::registry) struct Details {
    pub version: Option<String>,
    pub summary: Option<String>,
    pub announced: Option<Timestamp>,
    pub effective: Option<Timestamp>,
    pub sunset: Option<Timestamp>,
    pub findings: Vec<String>,
}

/// An event ready to go into a decision's batch.
pub(in crate::registry) struct Outgoing {
    event: Event,
    deliveries: Vec<Delivery>,
}

impl Outgoing {
    pub fn put(&self, batch: &mut WriteBatch) {
        batch.put(
            Keyspace::Events,
            self.event.id.to_be_bytes(),
            json(&self.event),
        );
        batch.put(Keyspace::Counters, LAST_EVENT, self.event.id.to_be_bytes());
        for d in &self.deliveries {
            batch.put(
                Keyspace::Deliveries,
                delivery_key(d.event, &d.product, &d.consumer),
                json(d),
            );
        }
    }
}

impl Registry {
    /// The event `kind` about `major` of `ps`, for the consumers it concerns (`None` when it
    /// concerns none). Callers hold the products lock, which also orders event ids.
    pub(in crate::registry) fn outgoing(
        &self,
        ps: &ProductState,
        kind: EventKind,
        major: u64,
        details: Details,
        now: Timestamp,
    ) -> Result<Option<Outgoing>, RegistryError> {
        let concerned: Vec<_> = ps
            .consumers
            .values()
            .filter(|c| match kind {
                EventKind::NoticeAnnounced
                | EventKind::NoticeWithdrawn
                | EventKind::MajorPublished => c.major < major,
                EventKind::SunsetApproaching | EventKind::LineRetired => c.major == major,
            })
            .collect();
        if concerned.is_empty() {
            return Ok(None);
        }
        let last = match self.store.get(Keyspace::Counters, LAST_EVENT)? {
            Some(bytes) => u64::from_be_bytes(
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| super::super::corrupt("event counter", "bad length"))?,
            ),
            None => 0,
        };
        let id = last + 1;
        let deliveries = concerned
            .iter()
            .filter(|c| c.webhook.is_some())
            .map(|c| Delivery {
                event: id,
                product: ps.product.name.clone(),
                consumer: c.name.clone(),
                attempts: 0,
                next: now,
                delivered: None,
                last_error: None,
                gave_up: false,
            })
            .collect();
        Ok(Some(Outgoing {
            event: Event {
                id,
                kind,
                product: ps.product.name.clone(),
                major,
                version: details.version,
                summary: details.summary,
                announced: details.announced,
                effective: details.effective,
                sunset: details.sunset,
                findings: details.findings,
                ts: now,
                consumers: concerned.iter().map(|c| c.name.clone()).collect(),
            },
            deliveries,
        }))
    }

    /// Fires the events time brings: a deprecated line's sunset approaching (`warning_days`
    /// ahead) and its retirement, each once. The server calls it on a schedule, and at start.
    pub fn fire_scheduled_events(
        &self,
        now: Timestamp,
        warning_days: u32,
    ) -> Result<usize, RegistryError> {
        let _products = self.product_guard()?;
        let products: Vec<ProductState> = self.read().products.values().cloned().collect();
        let mut fired = 0;
        for ps in &products {
            for line in ps.lines() {
                let state = ps.line_state(line, now);
                let Some(sunset) = state.sunset_ts() else {
                    continue;
                };
                let due = match state {
                    LineState::Retired { .. } => Some(EventKind::LineRetired),
                    LineState::Deprecated { .. }
                        if now + days(warning_days) >= sunset && now < sunset =>
                    {
                        Some(EventKind::SunsetApproaching)
                    }
                    _ => None,
                };
                let Some(kind) = due else { continue };
                if self.fire_once(ps, kind, line.major, sunset, now)? {
                    fired += 1;
                }
            }
        }
        Ok(fired)
    }

    fn fire_once(
        &self,
        ps: &ProductState,
        kind: EventKind,
        major: u64,
        sunset: Timestamp,
        now: Timestamp,
    ) -> Result<bool, RegistryError> {
        let marker = fired_key(kind, &ps.product.name, major);
        if self.store.get(Keyspace::Counters, &marker)?.is_some() {
            return Ok(false);
        }
        let details = Details {
            sunset: Some(sunset),
            ..Details::default()
        };
        let outgoing = self.outgoing(ps, kind, major, details, now)?;
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Counters,
            marker,
            now.as_millisecond().to_be_bytes(),
        );
        if let Some(outgoing) = &outgoing {
            outgoing.put(&mut batch);
        }
        self.store.write(batch)?;
        self.deliveries_written();
        Ok(outgoing.is_some())
    }

    /// Notes that a decision's deliveries are written, after the write.
    pub(in crate::registry) fn deliveries_written(&self) {
        self.deliveries_written.fetch_add(1, Ordering::SeqCst);
    }

    /// The deliveries due at `now`, with their events and where they go. A delivery whose
    /// consumer or webhook is gone gives up. The outbox is read only when something may be
    /// pending: not again after a look found nothing, until a decision writes deliveries.
    pub fn due_deliveries(&self, now: Timestamp) -> Result<Vec<DueDelivery>, RegistryError> {
        let written = self.deliveries_written.load(Ordering::SeqCst);
        if self.deliveries_idle_at.load(Ordering::SeqCst) == written {
            return Ok(Vec::new());
        }
        let mut due = Vec::new();
        let mut pending = false;
        for (key, value) in self.store.scan_prefix(Keyspace::Deliveries, b"")? {
            let delivery: Delivery =
                serde_json::from_slice(&value).map_err(|e| super::super::corrupt("delivery", e))?;
            if delivery.delivered.is_some() || delivery.gave_up {
                continue;
            }
            pending = true;
            if delivery.next > now {
                continue;
            }
            let consumer = self
                .read()
                .products
                .get(&delivery.product)
                .and_then(|ps| ps.consumers.get(&delivery.consumer))
                .cloned();
            let Some((consumer, webhook)) = consumer.and_then(|c| Some((c.clone(), c.webhook?)))
            else {
                let gone = Delivery {
                    gave_up: true,
                    last_error: Some("the consumer or its webhook was removed".into()),
                    ..delivery
                };
                self.store.write({
                    let mut batch = WriteBatch::new();
                    batch.put(Keyspace::Deliveries, key, json(&gone));
                    batch
                })?;
                continue;
            };
            let Some(event) = self.event(delivery.event)? else {
                continue;
            };
            due.push(DueDelivery {
                delivery,
                event,
                webhook,
                secret: consumer.secret,
            });
        }
        if !pending {
            self.deliveries_idle_at.store(written, Ordering::SeqCst);
        }
        Ok(due)
    }

    /// Records an attempt: delivered, or failed with why (retried after a backoff, until the
    /// attempts run out).
    pub fn record_attempt(
        &self,
        delivery: &Delivery,
        outcome: Result<(), String>,
        now: Timestamp,
    ) -> Result<Delivery, RegistryError> {
        let attempts = delivery.attempts + 1;
        let updated = match outcome {
            Ok(()) => Delivery {
                attempts,
                delivered: Some(now),
                last_error: None,
                ..delivery.clone()
            },
            Err(error) => Delivery {
                attempts,
                next: now + backoff(attempts),
                last_error: Some(error),
                gave_up: attempts >= MAX_ATTEMPTS,
                ..delivery.clone()
            },
        };
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Deliveries,
            delivery_key(delivery.event, &delivery.product, &delivery.consumer),
            json(&updated),
        );
        self.store.write(batch)?;
        Ok(updated)
    }

    /// One event.
    pub fn event(&self, id: u64) -> Result<Option<Event>, RegistryError> {
        self.store
            .get(Keyspace::Events, &id.to_be_bytes())?
            .map(|bytes| {
                serde_json::from_slice(&bytes).map_err(|e| super::super::corrupt("event", e))
            })
            .transpose()
    }

    /// The events that concern a consumer (by name, of any product), oldest first.
    pub fn consumer_events(&self, consumer: &str) -> Result<Vec<Event>, RegistryError> {
        let mut events = Vec::new();
        for (_, value) in self.store.scan_prefix(Keyspace::Events, b"")? {
            let event: Event =
                serde_json::from_slice(&value).map_err(|e| super::super::corrupt("event", e))?;
            if event.consumers.iter().any(|c| c == consumer) {
                events.push(event);
            }
        }
        Ok(events)
    }

    /// Every delivery, oldest event first.
    pub fn deliveries(&self) -> Result<Vec<Delivery>, RegistryError> {
        self.store
            .scan_prefix(Keyspace::Deliveries, b"")?
            .into_iter()
            .map(|(_, value)| {
                serde_json::from_slice(&value).map_err(|e| super::super::corrupt("delivery", e))
            })
            .collect()
    }
}
