//! Prometheus metrics: requests and latencies per route, and registration outcomes, rendered in
//! the text exposition format at `GET /metrics`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// What one route and method saw.
#[derive(Default)]
struct RouteStats {
    /// Requests by status, in the order first seen (a handful per route).
    statuses: Vec<(u16, u64)>,
    latency: Histogram,
}

/// Keyed so that recording a request looks up borrowed keys and allocates nothing once its
/// route and method have been seen.
#[derive(Default)]
struct Inner {
    routes: HashMap<String, Vec<(Method, RouteStats)>>,
    registrations: BTreeMap<&'static str, u64>,
    auth_failures: BTreeMap<String, u64>,
    auth_denials: BTreeMap<String, u64>,
    webhook_attempts: BTreeMap<&'static str, u64>,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a request under its route pattern, not its path (subjects would explode the
    /// label set).
    pub(super) fn observe(&self, route: &str, method: &Method, status: u16, seconds: f64) {
        let mut inner = self.inner();
        if !inner.routes.contains_key(route) {
            inner.routes.insert(route.to_string(), Vec::new());
        }
        let methods = inner.routes.get_mut(route).expect("inserted above");
        let stats = match methods.iter().position(|(m, _)| m == method) {
            Some(i) => &mut methods[i].1,
            None => {
                methods.push((method.clone(), RouteStats::default()));
                &mut methods.last_mut().expect("pushed above").1
            }
        };
        match stats.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, count)) => *count += 1,
            None => stats.statuses.push((status, 1)),
        }
        let histogram = &mut stats.latency;
        histogram.count += 1;
        histogram.sum += seconds;
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
    }

    /// Counts a request the access gate refused: for its credentials (401), or for its rights
    /// (403).
    pub fn refused_access(&self, route: &str, unauthenticated: bool) {
        let mut inner = self.inner();
        let counts = if unauthenticated {
            &mut inner.auth_failures
        } else {
            &mut inner.auth_denials
        };
        *counts.entry(route.to_string()).or_default() += 1;
    }

    /// Counts a registration by outcome: `accepted`, `incompatible`, `invalid` or `refused`.
    pub fn registration(&self, outcome: &'static str) {
        *self.inner().registrations.entry(outcome).or_default() += 1;
    }

    /// Counts a webhook delivery attempt by outcome: `delivered`, `failed` or `gave_up`.
    pub fn webhook_attempt(&self, outcome: &'static str) {
        *self.inner().webhook_attempts.entry(outcome).or_default() += 1;
    }

    pub(super) fn render(&self) -> String {
        let inner = self.inner();
        // Sorted, so the output is stable.
        let mut routes: Vec<(&str, &str, &RouteStats)> = inner
            .routes
            .iter()
            .flat_map(|(route, methods)| {
                methods
                    .iter()
                    .map(move |(method, stats)| (route.as_str(), method.as_str(), stats))
            })
            .collect();
        routes.sort_by_key(|(route, method, _)| (*route, *method));
        let mut out = String::new();
        out.push_str(
            "# HELP accord_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE accord_http_requests_total counter\n");
        for (route, method, stats) in &routes {
            let mut statuses = stats.statuses.clone();
            statuses.sort_unstable();
            for (status, count) in statuses {
                let _ = writeln!(
                    out,
                    "accord_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str(
            "# HELP accord_http_request_duration_seconds Time to answer, by route and method.\n",
        );
        out.push_str("# TYPE accord_http_request_duration_seconds histogram\n");
        for (route, method, stats) in &routes {
            let h = &stats.latency;
            let labels = format!("route=\"{route}\",method=\"{method}\"");
            for (count, bound) in h.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "accord_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        for (metric, help, counts) in [
            (
                "accord_auth_failures_total",
                "Requests refused for missing or wrong credentials (401), by route.",
                &inner.auth_failures,
            ),
            (
                "accord_auth_denials_total",
                "Requests refused outside the caller's rights (403), by route.",
                &inner.auth_denials,
            ),
        ] {
            let _ = writeln!(out, "# HELP {metric} {help}\n# TYPE {metric} counter");
            for (route, count) in counts {
                let _ = writeln!(out, "{metric}{{route=\"{route}\"}} {count}");
            }
        }
        out.push_str("# HELP accord_registrations_total Schema registrations by outcome.\n");
        out.push_str("# TYPE accord_registrations_total counter\n");
        for (outcome, count) in &inner.registrations {
            let _ = writeln!(
                out,
                "accord_registrations_total{{outcome=\"{outcome}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP accord_webhook_attempts_total Webhook delivery attempts by outcome.\n# TYPE accord_webhook_attempts_total counter\n",
        );
        for (outcome, count) in &inner.webhook_attempts {
            let _ = writeln!(
                out,
                "accord_webhook_attempts_total{{outcome=\"{outcome}\"}} {count}"
            );
        }
        out
    }
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = state.metrics.render();
    out.push_str(
        "# HELP accord_parsed_schema_bytes Estimated memory of the parsed schemas kept (serve --parsed-cache-mb).\n",
    );
    out.push_str("# TYPE accord_parsed_schema_bytes gauge\n");
    let _ = writeln!(
        out,
        "accord_parsed_schema_bytes {}",
        state.registry.parsed_bytes()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
