//! Prometheus metrics: requests and latencies per route, and registration outcomes, rendered in
//! the text exposition format at `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
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

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latencies: BTreeMap<(String, String), Histogram>,
    registrations: BTreeMap<&'static str, u64>,
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

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut inner = self.inner();
        *inner
            .requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let histogram = inner
            .latencies
            .entry((route.to_string(), method.to_string()))
            .or_default();
        histogram.count += 1;
        histogram.sum += seconds;
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
    }

    /// Counts a registration by outcome: `accepted`, `incompatible`, `invalid` or `refused`.
    pub fn registration(&self, outcome: &'static str) {
        *self.inner().registrations.entry(outcome).or_default() += 1;
    }

    fn render(&self) -> String {
        let inner = self.inner();
        let mut out = String::new();
        out.push_str(
            "# HELP accord_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE accord_http_requests_total counter\n");
        for ((route, method, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "accord_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP accord_http_request_duration_seconds Time to answer, by route and method.\n",
        );
        out.push_str("# TYPE accord_http_request_duration_seconds histogram\n");
        for ((route, method), h) in &inner.latencies {
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
        out.push_str("# HELP accord_registrations_total Schema registrations by outcome.\n");
        out.push_str("# TYPE accord_registrations_total counter\n");
        for (outcome, count) in &inner.registrations {
            let _ = writeln!(
                out,
                "accord_registrations_total{{outcome=\"{outcome}\"}} {count}"
            );
        }
        out
    }
}

/// Records every routed request under its route pattern, not its path (subjects would explode
/// the label set). Requests that match no route are not recorded.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

pub async fn render(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
