//! Delivering events to consumers' webhooks, from the registry's durable outbox: a POST of the
//! event as JSON, signed with HMAC-SHA256 over `<timestamp>.<body>` with the consumer's secret
//! (`X-Accord-Signature: t=<unix seconds>,v1=<hex>`, as Stripe signs, so a receiver can refuse
//! a replay older than it accepts). A 2xx answer delivers it; anything else is retried after the
//! registry's backoff. Deliveries run on a thread of their own, so a slow or dead receiver never
//! slows registrations; the same thread fires the events time brings (sunsets).

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use serde::Serialize;
use sha2::Sha256;

use super::metrics::Metrics;
use crate::registry::{DueDelivery, Event, Registry, RegistryError};

/// What a webhook receives: the event, and which consumer it is for.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    #[serde(flatten)]
    pub event: &'a Event,
    pub consumer: &'a str,
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("t={timestamp},v1={}", crate::registry::hex(&digest))
}

/// How often the events time brings are looked for.
const SCHEDULE_EVERY: Duration = Duration::from_secs(60);

/// Posts events to webhooks and records the outcomes.
pub struct Notifier {
    registry: Arc<Registry>,
    metrics: Arc<Metrics>,
    agent: ureq::Agent,
}

impl Notifier {
    pub fn new(registry: Arc<Registry>, metrics: Arc<Metrics>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Notifier {
            registry,
            metrics,
            agent,
        }
    }

    /// Attempts every delivery due at `now` once; how many were delivered.
    pub fn deliver_due(&self, now: Timestamp) -> Result<usize, RegistryError> {
        let mut delivered = 0;
        for due in self.registry.due_deliveries(now)? {
            let outcome = self.post(&due);
            let at = self.registry.now();
            let recorded = self.registry.record_attempt(&due.delivery, outcome, at)?;
            let label = match recorded.state() {
                "delivered" => {
                    delivered += 1;
                    "delivered"
                }
                "failed" => "gave_up",
                _ => "failed",
            };
            self.metrics.webhook_attempt(label);
            match &recorded.last_error {
                Some(error) => tracing::warn!(
                    event = due.event.id,
                    consumer = %due.delivery.consumer,
                    attempts = recorded.attempts,
                    %error,
                    "webhook delivery failed"
                ),
                None => {
                    tracing::info!(event = due.event.id, consumer = %due.delivery.consumer, "webhook delivered")
                }
            }
        }
        Ok(delivered)
    }

    fn post(&self, due: &DueDelivery) -> Result<(), String> {
        let body = serde_json::to_vec(&WebhookBody {
            event: &due.event,
            consumer: &due.delivery.consumer,
        })
        .map_err(|e| e.to_string())?;
        let mut request = self
            .agent
            .post(&due.webhook)
            .header("Content-Type", "application/json")
            .header("X-Accord-Event", due.event.kind.name())
            .header(
                "X-Accord-Delivery",
                &format!("{}-{}", due.event.id, due.delivery.consumer),
            );
        if let Some(secret) = &due.secret {
            let now = self.registry.now().as_second();
            request = request.header("X-Accord-Signature", &signature(secret, now, &body));
        }
        match request.send(&body[..]) {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("HTTP {}", response.status().as_u16())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The delivery thread: at start every pending delivery is attempted at once (whatever its
    /// backoff said before the restart), then every `interval` the due ones. The events time
    /// brings (sunsets, a day-granular matter) are fired at start and then once a minute.
    pub fn spawn(self, interval: Duration, warning_days: u32) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || {
                let mut first = true;
                let mut scheduled: Option<std::time::Instant> = None;
                loop {
                    // Of several processes sharing a store, one sends: a consumer hears each
                    // event once.
                    if !self.registry.leads() {
                        std::thread::sleep(interval);
                        continue;
                    }
                    let now = self.registry.now();
                    if scheduled.is_none_or(|at| at.elapsed() >= SCHEDULE_EVERY) {
                        scheduled = Some(std::time::Instant::now());
                        if let Err(e) = self.registry.fire_scheduled_events(now, warning_days) {
                            tracing::error!(error = %e, "firing scheduled events failed");
                        }
                    }
                    let due_at = if first { Timestamp::MAX } else { now };
                    first = false;
                    if let Err(e) = self.deliver_due(due_at) {
                        tracing::error!(error = %e, "webhook deliveries failed");
                    }
                    std::thread::sleep(interval);
                }
            })
            .expect("the webhook thread starts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_the_timestamp_and_the_body() {
        // The expected value from Python's hmac module, as a receiver would compute it:
        // hmac.new(b"Jefe", b"1767225600.what do ya want for nothing?", hashlib.sha256).
        let signed = signature("Jefe", 1_767_225_600, b"what do ya want for nothing?");
        assert_eq!(
            signed,
            "t=1767225600,v1=8bf4bab82972f519c62eab705abd744e0bc4e8a7e292de99189f49e03834693a"
        );
        assert_ne!(
            signature("other", 1_767_225_600, b"what do ya want for nothing?"),
            signed
        );
    }

    /// A webhook receiver on loopback answering each request with the next status of
    /// `statuses`; each request's headers (lowercased) and body come out of the channel.
    pub(crate) fn receiver(
        statuses: Vec<u16>,
    ) -> (String, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (sender, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for status in statuses {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut head = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(value) = lower.strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap();
                    }
                    head.push_str(&lower);
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let mut stream = reader.into_inner();
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                sender.send((head, body)).unwrap();
            }
        });
        (url, received)
    }

    #[test]
    fn an_event_reaches_a_receiver_that_answers_500_then_200_signed_once_it_recovers() {
        use crate::registry::{Consumer, DataProduct, FixedClock, NewSchema, Submission};
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(1_767_225_600_000));
        let store = Arc::new(crate::store::RocksStore::open(dir.path()).unwrap());
        let registry = Arc::new(Registry::open(store, clock.clone()).unwrap());
        let product = DataProduct {
            name: "payments.transactions".into(),
            domain: "payments".into(),
            owner: "payments-engineering".into(),
            notice_days: 14,
            overlap_days: 30,
            compatibility: crate::compat::Level::Backward,
            subjects: vec!["transactions-value".into()],
            sunset_waits_for_consumers: false,
            manifest: None,
        };
        registry.define_product(product, "alice").unwrap();
        let schema = NewSchema {
            schema: r#"{"type":"record","name":"T","fields":[{"name":"id","type":"string"}]}"#
                .into(),
            ..NewSchema::default()
        };
        registry
            .publish(
                "payments.transactions",
                &semver::Version::new(1, 0, 0),
                &[("transactions-value".into(), schema)],
                Submission::default(),
                "ci",
            )
            .unwrap();
        let (url, received) = receiver(vec![500, 200]);
        registry
            .set_consumer(
                Consumer {
                    name: "finance.report".into(),
                    product: "payments.transactions".into(),
                    major: 1,
                    domain: "finance".into(),
                    contact: "#finance".into(),
                    webhook: Some(url),
                    secret: Some("s3cret".into()),
                    as_product: None,
                    since: Timestamp::UNIX_EPOCH,
                },
                "bob",
            )
            .unwrap();
        registry
            .announce_notice("payments.transactions", 2, "amount in cents", "alice")
            .unwrap();
        let metrics = Arc::new(Metrics::default());
        let notifier = Notifier::new(registry.clone(), metrics.clone());
        assert_eq!(notifier.deliver_due(registry.now()).unwrap(), 0);
        let (_, first) = received.recv().unwrap();
        // Not due again until the backoff has passed.
        assert_eq!(notifier.deliver_due(registry.now()).unwrap(), 0);
        clock.set(1_767_225_601_000);
        assert_eq!(notifier.deliver_due(registry.now()).unwrap(), 1);
        let (head, body) = received.recv().unwrap();
        assert_eq!(body, first, "the same event, again");
        let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(event["type"], "notice.announced");
        assert_eq!(event["product"], "payments.transactions");
        assert_eq!(event["major"], 2);
        assert_eq!(event["consumer"], "finance.report");
        assert_eq!(event["summary"], "amount in cents");
        assert!(head.contains("x-accord-event: notice.announced"), "{head}");
        let sent = head
            .lines()
            .find_map(|l| l.strip_prefix("x-accord-signature: "))
            .unwrap()
            .trim();
        assert_eq!(sent, signature("s3cret", 1_767_225_601, &body));
        let deliveries = registry.deliveries().unwrap();
        assert_eq!(deliveries[0].state(), "delivered");
        assert_eq!(deliveries[0].attempts, 2);
        assert!(
            metrics
                .render()
                .contains("accord_webhook_attempts_total{outcome=\"failed\"} 1")
        );
    }

    /// The issue's scenario, on a fake clock: three consumers on major 1 (one a product with a
    /// consumer of its own), the notice reaching their webhooks signed, two migrating, the
    /// sunset warning, and a line that waits for its last consumer.
    #[test]
    fn a_breaking_change_reaches_the_people_it_breaks() {
        use crate::registry::{
            Consumer, DataProduct, EventKind, FixedClock, NewSchema, Submission,
        };
        const DAY: i64 = 86_400_000;
        let start = 1_767_225_600_000;
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let store = Arc::new(crate::store::RocksStore::open(dir.path()).unwrap());
        let r = Arc::new(Registry::open(store, clock.clone()).unwrap());
        let define = |name: &str, domain: &str, waits: bool| {
            r.define_product(
                DataProduct {
                    name: name.into(),
                    domain: domain.into(),
                    owner: format!("{domain}-team"),
                    notice_days: 14,
                    overlap_days: 30,
                    compatibility: crate::compat::Level::Backward,
                    subjects: vec![format!("{name}-value")],
                    sunset_waits_for_consumers: waits,
                    manifest: None,
                },
                "alice",
            )
            .unwrap();
        };
        let record = |field: &str| NewSchema {
            schema: format!(
                r#"{{"type":"record","name":"T","fields":[{{"name":"id","type":"{field}"}}]}}"#
            ),
            ..NewSchema::default()
        };
        let publish = |name: &str, version: &str, schema: NewSchema| {
            r.publish(
                name,
                &semver::Version::parse(version).unwrap(),
                &[(format!("{name}-value"), schema)],
                Submission::default(),
                "ci",
            )
        };
        define("payments.transactions", "payments", true);
        define("analytics.orders", "analytics", false);
        publish("payments.transactions", "1.0.0", record("string")).unwrap();
        publish("analytics.orders", "1.0.0", record("string")).unwrap();
        let (url, received) = receiver(vec![200; 6]);
        let consumer = |product: &str, name: &str, as_product: Option<&str>| Consumer {
            name: name.into(),
            product: product.into(),
            major: 1,
            domain: name.split('.').next().unwrap().into(),
            contact: format!("#{name}"),
            webhook: Some(url.clone()),
            secret: Some(format!("{name}-secret")),
            as_product: as_product.map(str::to_string),
            since: Timestamp::UNIX_EPOCH,
        };
        for (name, as_product) in [
            ("finance.report", None),
            ("ml.features", None),
            ("analytics.orders", Some("analytics.orders")),
        ] {
            r.set_consumer(consumer("payments.transactions", name, as_product), "bob")
                .unwrap();
        }
        r.set_consumer(consumer("analytics.orders", "exec.dashboard", None), "eve")
            .unwrap();
        let v2 = semver::Version::new(2, 0, 0);
        let impact = r.impact("payments.transactions", &v2, r.now()).unwrap();
        assert_eq!(impact.affected.len(), 4, "{impact:?}");
        assert_eq!(impact.downstream_count, 1);

        // The notice reaches the three direct consumers, each signed with its own secret.
        r.announce_notice("payments.transactions", 2, "id becomes a long", "alice")
            .unwrap();
        let notifier = Notifier::new(r.clone(), Arc::new(Metrics::default()));
        assert_eq!(notifier.deliver_due(r.now()).unwrap(), 3);
        let mut signed_for = Vec::new();
        for _ in 0..3 {
            let (head, body) = received.recv().unwrap();
            let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let name = event["consumer"].as_str().unwrap().to_string();
            let sent = head
                .lines()
                .find_map(|l| l.strip_prefix("x-accord-signature: "))
                .unwrap();
            let t: i64 = sent.trim()[2..].split(',').next().unwrap().parse().unwrap();
            assert_eq!(sent.trim(), signature(&format!("{name}-secret"), t, &body));
            signed_for.push(name);
        }
        signed_for.sort();
        assert_eq!(
            signed_for,
            ["analytics.orders", "finance.report", "ml.features"]
        );

        // 2.0.0 after the notice window; two consumers migrate.
        clock.set(start + 15 * DAY);
        publish("payments.transactions", "2.0.0", record("long")).unwrap();
        assert_eq!(notifier.deliver_due(r.now()).unwrap(), 3, "major.published");
        for name in ["finance.report", "ml.features"] {
            let moved = Consumer {
                major: 2,
                ..r.consumer("payments.transactions", name).unwrap()
            };
            r.set_consumer(moved, "bob").unwrap();
        }
        for _ in 0..3 {
            received.recv().unwrap();
        }
        // A week before the sunset (day 45), the one left on major 1 is warned.
        clock.set(start + 38 * DAY);
        assert_eq!(r.fire_scheduled_events(r.now(), 7).unwrap(), 1);
        let warned = r.consumer_events("analytics.orders").unwrap();
        let last = warned.last().unwrap();
        assert_eq!(last.kind, EventKind::SunsetApproaching);
        assert_eq!(last.consumers, ["analytics.orders"]);
        // Past the sunset the line waits for it, then retires once it moves.
        clock.set(start + 60 * DAY);
        r.fire_scheduled_events(r.now(), 7).unwrap();
        let status = |r: &Registry| {
            let ps = r.product("payments.transactions").unwrap();
            ps.line_state(
                crate::registry::Line::of(&semver::Version::new(1, 0, 0)),
                r.now(),
            )
            .name()
        };
        assert_eq!(status(&r), "deprecated");
        let moved = Consumer {
            major: 2,
            ..r.consumer("payments.transactions", "analytics.orders")
                .unwrap()
        };
        r.set_consumer(moved, "carol").unwrap();
        assert_eq!(status(&r), "retired");
    }
}
