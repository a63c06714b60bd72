//! The HTTP API: Confluent Schema Registry's REST API, wire-compatible with its clients, plus
//! `/health`, `/ready` and `/metrics`. `router(state)` builds everything, so tests call it with
//! `oneshot` and the server with a listener.

pub mod auth;
mod backups;
mod catalog;
mod consumers;
pub(crate) use consumers::xml_escape;
mod error;
mod input;
mod metrics;
mod products;
mod resources;
mod stream;
mod transport;
pub mod types;
pub mod ui;
pub mod webhooks;
mod work;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use error::{ApiError, code};
pub use metrics::Metrics;
pub use products::parse_time;
pub use transport::{EnvelopedErrors, accept_tls};
pub use work::WorkQueue;

use crate::contract::governance::Policy;
use crate::registry::Registry;
use auth::Auth;

/// The request body limit when none is configured: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    /// Where registry work waits for its turn.
    pub work: Arc<WorkQueue>,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// Who may do what; open unless a principals file is given.
    pub auth: Auth,
    /// The governance policy every publication's manifest must pass, if one is given.
    pub policy: Option<Arc<Policy>>,
    /// `http`, or `https` behind TLS: for the URLs the API hands out.
    pub scheme: &'static str,
}

impl AppState {
    /// The state of a fresh server over this registry.
    pub fn new(registry: Arc<Registry>) -> Self {
        AppState {
            registry,
            metrics: Arc::new(Metrics::default()),
            work: Arc::new(WorkQueue::for_this_machine(DEFAULT_BODY_LIMIT)),
            body_limit: DEFAULT_BODY_LIMIT,
            auth: Auth::Open,
            policy: None,
            scheme: "http",
        }
    }

    /// Serving HTTPS: the URLs the API hands out say so.
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.scheme = if tls { "https" } else { "http" };
        self
    }

    /// Judges every publication's manifest by this governance policy.
    pub fn with_policy(mut self, policy: Option<Arc<Policy>>) -> Self {
        self.policy = policy;
        self
    }

    /// Access control by these principals: every route is decided by `auth::need_of`.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Accepts request bodies up to `bytes`; work on schemas holds at most twice that at once.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.work = Arc::new(WorkQueue::for_this_machine(bytes));
        self.body_limit = bytes;
        self
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    use resources::*;
    let router = Router::new()
        .route("/", get(root).post(root))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics::render))
        .route("/subjects", get(list_subjects))
        .route(
            "/subjects/{subject}",
            post(lookup_schema).delete(delete_subject),
        )
        .route(
            "/subjects/{subject}/versions",
            get(list_versions).post(register_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}",
            get(get_version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(get_version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/schemas", get(list_schemas))
        .route("/schemas/types", get(schema_types))
        .route("/schemas/ids/{id}", get(get_schema_by_id))
        .route("/schemas/ids/{id}/schema", get(get_schema_text_by_id))
        .route("/schemas/ids/{id}/subjects", get(subjects_of_schema))
        .route("/schemas/ids/{id}/versions", get(versions_of_schema))
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(check_against_history),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/",
            post(check_against_history),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(check_against_version),
        )
        .route(
            "/config",
            get(get_global_config)
                .put(set_global_config)
                .delete(delete_global_config),
        )
        .route(
            "/config/{subject}",
            get(get_subject_config)
                .put(set_subject_config)
                .delete(delete_subject_config),
        )
        .route(
            "/mode",
            get(get_global_mode)
                .put(set_global_mode)
                .delete(delete_global_mode),
        )
        .route(
            "/mode/{subject}",
            get(get_subject_mode)
                .put(set_subject_mode)
                .delete(delete_subject_mode),
        )
        .route("/contexts", get(contexts))
        .route("/subjects/{subject}/metadata", get(latest_with_metadata))
        .route("/v1/products", get(products::list_products))
        .route(
            "/v1/products/{name}",
            get(products::get_product).put(products::define_product),
        )
        .route(
            "/v1/products/{name}/versions",
            get(products::list_versions).post(products::publish),
        )
        .route(
            "/v1/products/{name}/versions/{version}",
            get(products::get_version),
        )
        .route("/v1/products/{name}/check", post(products::check))
        .route(
            "/v1/products/{name}/notices",
            get(products::product_notices).post(products::announce),
        )
        .route(
            "/v1/products/{name}/notices/{major}",
            axum::routing::delete(products::withdraw),
        )
        .route("/v1/products/{name}/audit", get(products::audit))
        .route("/v1/products/{name}/consumers", get(consumers::list))
        .route(
            "/v1/products/{name}/consumers/{consumer}",
            get(consumers::get)
                .put(consumers::put)
                .delete(consumers::remove),
        )
        .route(
            "/v1/products/{name}/consumers/{consumer}/migrate",
            post(consumers::migrate),
        )
        .route("/v1/products/{name}/impact", get(consumers::impact))
        .route("/v1/notices", get(products::all_notices))
        .route("/v1/notices.atom", get(consumers::notices_atom))
        .route("/v1/consumers/{consumer}/events", get(consumers::events))
        .route("/v1/deliveries", get(consumers::deliveries))
        .route("/v1/backups", post(backups::create))
        .route("/v1/export", get(backups::export))
        .route("/v1/import", post(backups::import))
        .route("/v1/data-products", get(catalog::search))
        .route(
            "/v1/data-products/{domain}/{name}",
            get(catalog::get_entry).put(catalog::register),
        )
        .merge(ui::routes());
    // Only routed requests pass the gate: an unknown path is a 404 to anyone.
    let router = match &state.auth {
        Auth::Open => router,
        Auth::On(principals) => router.route_layer(axum::middleware::from_fn_with_state(
            auth::Gate::new(principals.clone(), state.clone()),
            auth::authorize,
        )),
    };
    router
        .fallback(|| async { ApiError::http(StatusCode::NOT_FOUND) })
        .method_not_allowed_fallback(|| async { ApiError::http(StatusCode::METHOD_NOT_ALLOWED) })
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(tower::layer::layer_fn({
            let metrics = state.metrics.clone();
            move |inner| EveryRequest {
                inner,
                metrics: metrics.clone(),
            }
        }))
        .with_state(state)
}

/// The response types, in the server's order of preference.
const JSON_TYPES: [&str; 3] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
];

/// The response content type `Accept` asks for, or `None` when we serve none of them. Java
/// sends `text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2`, which must mean the registry's
/// own type.
fn negotiate(accept: &str) -> Option<&'static str> {
    if accept.trim().is_empty() {
        return Some(JSON_TYPES[0]);
    }
    let offered = || {
        accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or("").trim())
    };
    let wildcard = offered().any(|t| ["*", "*/*", "application/*"].contains(&t));
    if wildcard {
        return Some(JSON_TYPES[0]);
    }
    JSON_TYPES
        .into_iter()
        .find(|t| offered().any(|o| o.eq_ignore_ascii_case(t)))
}

/// Content negotiation, then metrics for requests that matched a route. A hand-written
/// service rather than `middleware::from_fn`, which cost about an eighth of the throughput of
/// `GET /schemas/ids/{id}` (measured with `cargo bench --bench serving`).
#[derive(Clone)]
struct EveryRequest<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S> tower::Service<Request> for EveryRequest<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let accept = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // The web UI's pages are HTML whatever `Accept` says; the API speaks JSON.
        let page = request.uri().path().starts_with("/ui");
        let content_type = match negotiate(accept) {
            Some(content_type) => content_type,
            None if page => JSON_TYPES[0],
            None => {
                let refused = ApiError::http(StatusCode::NOT_ACCEPTABLE).into_response();
                return Box::pin(std::future::ready(Ok(refused)));
            }
        };
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = request.method().clone();
        let metrics = self.metrics.clone();
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let mut response = answer.await?;
            if let Some(route) = route {
                let seconds = started.elapsed().as_secs_f64();
                let status = response.status().as_u16();
                metrics.observe(route.as_str(), &method, status, seconds);
            }
            let is_json = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            if is_json {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests;
