//! A product's consumers and the impact of a version on them:
//! `/v1/products/{name}/consumers[/{consumer}[/migrate]]` and `/v1/products/{name}/impact`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::input::{Actor, Path, Query};
use super::products::{NativeJson, actor, native, run};
use super::types::{ConsumerRequest, ConsumerView, MigrateRequest};
use crate::registry::Consumer;

pub(super) fn consumer_view(consumer: &Consumer) -> ConsumerView {
    ConsumerView {
        name: consumer.name.clone(),
        product: consumer.product.clone(),
        major: consumer.major,
        domain: consumer.domain.clone(),
        contact: consumer.contact.clone(),
        webhook: consumer.webhook.clone(),
        signed: consumer.secret.is_some(),
        as_product: consumer.as_product.clone(),
        since: consumer.since,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let consumers = native(state.registry.consumers(&name))?;
    let views: Vec<ConsumerView> = consumers.iter().map(consumer_view).collect();
    Ok(Json(views).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    Path((name, consumer)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let consumer = native(state.registry.consumer(&name, &consumer))?;
    Ok(Json(consumer_view(&consumer)).into_response())
}

pub async fn put(
    State(state): State<AppState>,
    Path((name, consumer)): Path<(String, String)>,
    named: Result<Actor, ApiError>,
    NativeJson(body): NativeJson<ConsumerRequest>,
) -> Result<Response, ApiError> {
    let actor = actor(named.map_err(ApiError::native_request)?);
    let consumer = Consumer {
        name: consumer,
        product: name,
        major: body.major,
        domain: body.domain,
        contact: body.contact,
        webhook: body.webhook,
        secret: body.secret,
        as_product: body.as_product,
        since: state.registry.now(),
    };
    let consumer = run(&state, move |r| r.set_consumer(consumer, &actor)).await?;
    Ok(Json(consumer_view(&consumer)).into_response())
}

pub async fn migrate(
    State(state): State<AppState>,
    Path((name, consumer)): Path<(String, String)>,
    named: Result<Actor, ApiError>,
    NativeJson(body): NativeJson<MigrateRequest>,
) -> Result<Response, ApiError> {
    let actor = actor(named.map_err(ApiError::native_request)?);
    let consumer = run(&state, move |r| {
        let moved = Consumer {
            major: body.major,
            ..r.consumer(&name, &consumer)?
        };
        r.set_consumer(moved, &actor)
    })
    .await?;
    Ok(Json(consumer_view(&consumer)).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Path((name, consumer)): Path<(String, String)>,
    named: Result<Actor, ApiError>,
) -> Result<Response, ApiError> {
    let actor = actor(named.map_err(ApiError::native_request)?);
    let removed = run(&state, move |r| r.remove_consumer(&name, &consumer, &actor)).await?;
    Ok(Json(consumer_view(&removed)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactParams {
    version: String,
    now: Option<String>,
}

/// Who a version would leave on a deprecated major, directly and downstream.
pub async fn impact(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<ImpactParams>,
) -> Result<Response, ApiError> {
    let version = super::products::semver(&params.version)?;
    let now = match params.now.as_deref() {
        Some(text) => super::parse_time(text).map_err(|e| ApiError::invalid("invalid_time", e))?,
        None => state.registry.now(),
    };
    let impact = native(state.registry.impact(&name, &version, now))?;
    Ok(Json(impact).into_response())
}
