//! The gate every routed request passes when access control is on: its credentials checked,
//! its route's need (`access`) decided, and the caller handed to the handler. A refused
//! request never reaches a handler, so it changes nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::throttle::{ClientAddr, Throttle};
use super::{Caller, Identity, Need, Role, need_of};
use crate::api::auth::{Anonymous, Principals};
use crate::api::types::ConsumerRequest;
use crate::api::{ApiError, AppState};
use crate::registry::DataProduct;

/// What the gate needs: the principals, and the registry to find the domain a subject or a
/// product belongs to.
#[derive(Clone)]
pub struct Gate {
    principals: Arc<Principals>,
    state: AppState,
    throttle: Arc<Throttle>,
}

impl Gate {
    pub fn new(principals: Arc<Principals>, state: AppState) -> Self {
        Gate {
            principals,
            state,
            throttle: Arc::default(),
        }
    }
}

/// Why a request is refused: no accepted credentials (401), or outside the caller's rights
/// (403).
enum Refusal {
    Unauthenticated(String),
    Forbidden(String),
}

/// Why a request stops at the gate: refused, or answered otherwise (a body over the limit).
enum Stop {
    Refused(Refusal),
    Answered(Response),
}

impl From<Refusal> for Stop {
    fn from(refusal: Refusal) -> Self {
        Stop::Refused(refusal)
    }
}

pub async fn authorize(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let native = route.starts_with("/v1/");
    match gate.check(&route, request).await {
        Ok(request) => next.run(request).await,
        Err(Stop::Answered(response)) => response,
        Err(Stop::Refused(refusal)) => {
            let (error, failed) = match refusal {
                Refusal::Unauthenticated(message) => (ApiError::unauthenticated(message), true),
                Refusal::Forbidden(message) => (ApiError::forbidden(message), false),
            };
            gate.state.metrics.refused_access(&route, failed);
            let error = if native { error.native_access() } else { error };
            let mut response = error.into_response();
            if failed {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Basic realm="accord", Bearer realm="accord""#),
                );
            }
            response
        }
    }
}

impl Gate {
    /// The request, with its caller, if it may go on.
    async fn check(&self, route: &str, request: Request) -> Result<Request, Stop> {
        let (mut parts, body) = request.into_parts();
        let params = RawPathParams::from_request_parts(&mut parts, &())
            .await
            .ok();
        let param = |name: &str| {
            params
                .iter()
                .flat_map(|p| p.iter())
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        };
        let query = parts.uri.query().unwrap_or("").to_owned();
        // The first value of a parameter counts, read as the handlers read flags.
        let flag = |name: &str| {
            let value = form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, v)| v.into_owned());
            crate::api::input::flag(&value)
        };
        let need = need_of(&parts.method, route, param, flag);
        if need == Need::Nothing {
            return Ok(Request::from_parts(parts, body));
        }
        let client = parts.extensions.get::<ClientAddr>().map(|c| c.0);
        let identity = self
            .identify(parts.headers.get(header::AUTHORIZATION), client)
            .await?;
        if let Some(identity) = &identity {
            parts.extensions.insert(caller(identity));
            if identity.has(Role::Admin) {
                return Ok(Request::from_parts(parts, body));
            }
        }
        // Needs that depend on the body read it first, within the body limit as the handler
        // would. A body that cannot be read goes on to the handler, which refuses it.
        let (need, body) = match need {
            Need::Register(subject) => {
                let bytes = self.read(body).await?;
                let import =
                    serde_json::from_slice::<ImportProbe>(&bytes).is_ok_and(|p| p.id.is_some());
                let need = if import {
                    Need::Admin
                } else {
                    Need::Subject(subject)
                };
                (need, Body::from(bytes))
            }
            Need::RegisterConsumer { product, consumer } => {
                let bytes = self.read(body).await?;
                let need = match serde_json::from_slice::<ConsumerRequest>(&bytes) {
                    Ok(request) => {
                        let present = self
                            .state
                            .registry
                            .consumer(&product, &consumer)
                            .map(|c| c.domain)
                            .ok();
                        Need::ConsumerDomains(
                            std::iter::once(request.domain).chain(present).collect(),
                        )
                    }
                    // Not a registration: the handler refuses it, and nothing changes.
                    Err(_) => Need::Read,
                };
                (need, Body::from(bytes))
            }
            Need::Consumer { product, consumer } => {
                let need = match self.state.registry.consumer(&product, &consumer) {
                    Ok(c) => Need::ConsumerDomains(vec![c.domain]),
                    // Unknown: the handler answers 404.
                    Err(_) => Need::Read,
                };
                (need, body)
            }
            Need::DefineProduct(name) => {
                let bytes = self.read(body).await?;
                let need = match (&identity, serde_json::from_slice::<DataProduct>(&bytes)) {
                    (None, _) => Need::Admin,
                    (Some(identity), Ok(product)) => {
                        self.may_define(identity, &name, &product)?;
                        Need::Nothing
                    }
                    // Not a product: the handler refuses it, and nothing changes.
                    (Some(_), Err(_)) => Need::Read,
                };
                (need, Body::from(bytes))
            }
            need => (need, body),
        };
        self.decide(identity.as_ref(), &need)?;
        Ok(Request::from_parts(parts, body))
    }

    async fn identify(
        &self,
        authorization: Option<&HeaderValue>,
        client: Option<std::net::IpAddr>,
    ) -> Result<Option<Identity>, Stop> {
        let Some(header) = authorization else {
            return Ok(None);
        };
        let now = self.state.registry.now();
        if let Some(seconds) = client.and_then(|c| self.throttle.waiting(c, now)) {
            let mut response = ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                429,
                format!("too many failed logins from this address: retry in {seconds} s"),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Err(Stop::Answered(response));
        }
        let header = header.as_bytes().to_vec();
        let principals = self.principals.clone();
        // A password check is tens of milliseconds of CPU: off the async workers.
        let checked =
            tokio::task::spawn_blocking(move || principals.authenticate(Some(&header), now))
                .await
                .map_err(|_| Stop::Answered(ApiError::backend().into_response()))?;
        match (checked, client) {
            (Ok(identity), Some(client)) => {
                self.throttle.succeeded(client);
                Ok(identity)
            }
            (Ok(identity), None) => Ok(identity),
            (Err(rejected), client) => {
                if let Some(client) = client {
                    self.throttle.failed(client, now);
                }
                Err(
                    Refusal::Unauthenticated(format!("credentials not accepted: {}", rejected.0))
                        .into(),
                )
            }
        }
    }

    async fn read(&self, body: Body) -> Result<axum::body::Bytes, Stop> {
        axum::body::to_bytes(body, self.state.body_limit)
            .await
            .map_err(|_| Stop::Answered(ApiError::body_too_large().into_response()))
    }

    fn decide(&self, identity: Option<&Identity>, need: &Need) -> Result<(), Refusal> {
        let Some(identity) = identity else {
            return match need {
                Need::Read if self.principals.anonymous == Anonymous::Read => Ok(()),
                _ => Err(Refusal::Unauthenticated(
                    "authentication required: send HTTP Basic credentials or a Bearer token".into(),
                )),
            };
        };
        if identity.has(Role::Admin) {
            return Ok(());
        }
        let name = &identity.name;
        match need {
            Need::Nothing | Need::Read => Ok(()),
            Need::Admin => Err(Refusal::Forbidden(format!(
                "`{name}` is not an admin: this needs the admin role"
            ))),
            Need::Subject(subject) | Need::Register(subject) => {
                match self.subject_domain(subject) {
                    Some(domain) if identity.publishes_for(&domain) => Ok(()),
                    Some(domain) => Err(Refusal::Forbidden(format!(
                        "`{name}` may not write to subject `{subject}`: it belongs to domain `{domain}`, and `{name}` publishes for {}",
                        domains(identity)
                    ))),
                    None => Err(Refusal::Forbidden(format!(
                        "`{name}` may not write to subject `{subject}`: no product claims it and no subject-domain rule names its domain, so only an admin may"
                    ))),
                }
            }
            Need::ConsumerDomains(domains_needed) => {
                match domains_needed.iter().find(|d| !identity.publishes_for(d)) {
                    None => Ok(()),
                    Some(domain) => Err(Refusal::Forbidden(format!(
                        "`{name}` may not register or change consumers of domain `{domain}`: `{name}` publishes for {}",
                        domains(identity)
                    ))),
                }
            }
            // Resolved into the consumer's domains before deciding; unresolved, deny.
            Need::RegisterConsumer { .. } | Need::Consumer { .. } => Err(Refusal::Forbidden(
                format!("`{name}` is not an admin: this needs the admin role"),
            )),
            Need::Registration { domain, product } => {
                let present = self.state.registry.product_domain(product);
                match present {
                    _ if !identity.publishes_for(domain) => Err(Refusal::Forbidden(format!(
                        "`{name}` may not register products of domain `{domain}`: `{name}` publishes for {}",
                        domains(identity)
                    ))),
                    Some(present) if !identity.publishes_for(&present) => {
                        Err(Refusal::Forbidden(format!(
                            "`{name}` may not change product `{product}`: it belongs to domain `{present}`"
                        )))
                    }
                    _ => Ok(()),
                }
            }
            Need::Product(product) | Need::DefineProduct(product) => {
                match self.state.registry.product_domain(product) {
                    Some(domain) if identity.publishes_for(&domain) => Ok(()),
                    Some(domain) => Err(Refusal::Forbidden(format!(
                        "`{name}` may not change product `{product}`: it belongs to domain `{domain}`, and `{name}` publishes for {}",
                        domains(identity)
                    ))),
                    None => Err(Refusal::Forbidden(format!(
                        "`{name}` may not change product `{product}`: it does not exist, and only an admin may act on an unknown product"
                    ))),
                }
            }
        }
    }

    /// A product's definition may be written by a publisher of its domain (and of its present
    /// one), and claims only subjects that hold no versions of another domain.
    fn may_define(
        &self,
        identity: &Identity,
        name: &str,
        product: &DataProduct,
    ) -> Result<(), Refusal> {
        if identity.has(Role::Admin) {
            return Ok(());
        }
        let who = &identity.name;
        if !identity.publishes_for(&product.domain) {
            return Err(Refusal::Forbidden(format!(
                "`{who}` may not define a product of domain `{}`: `{who}` publishes for {}",
                product.domain,
                domains(identity)
            )));
        }
        if let Some(present) = self.state.registry.product_domain(name)
            && !identity.publishes_for(&present)
        {
            return Err(Refusal::Forbidden(format!(
                "`{who}` may not redefine product `{name}`: it belongs to domain `{present}`"
            )));
        }
        for subject in &product.subjects {
            let holds_versions = self
                .state
                .registry
                .versions(subject, false)
                .is_ok_and(|v| !v.is_empty());
            let claimed_here = self.state.registry.product_of(subject).as_deref() == Some(name);
            if !holds_versions || claimed_here {
                continue;
            }
            if let Some(domain) = self.subject_domain(subject)
                && domain != product.domain
            {
                return Err(Refusal::Forbidden(format!(
                    "product `{name}` of domain `{}` may not claim subject `{subject}`: it holds versions of domain `{domain}`",
                    product.domain
                )));
            }
        }
        Ok(())
    }

    /// A subject's domain: its product's, else the subject-domain rules'.
    fn subject_domain(&self, subject: &str) -> Option<String> {
        let registry = &self.state.registry;
        registry
            .product_of(subject)
            .and_then(|product| registry.product_domain(&product))
            .or_else(|| self.principals.domain_by_prefix(subject).map(str::to_owned))
    }
}

fn caller(identity: &Identity) -> Caller {
    Caller {
        name: identity.name.clone(),
    }
}

fn domains(identity: &Identity) -> String {
    match identity.domains.as_slice() {
        [] => "no domain".into(),
        domains => domains
            .iter()
            .map(|d| format!("`{d}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Whether a registration names its id (IMPORT), read without the rest of the body.
#[derive(serde::Deserialize)]
struct ImportProbe {
    id: Option<serde::de::IgnoredAny>,
}
