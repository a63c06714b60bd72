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
use super::types::{ConsumerRequest, ConsumerView, DeliveryView, MigrateRequest};
use crate::registry::{Consumer, date};

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

/// The events that concern a consumer, by its name, oldest first.
pub async fn events(
    State(state): State<AppState>,
    Path(consumer): Path<String>,
) -> Result<Response, ApiError> {
    let events = run(&state, move |r| r.consumer_events(&consumer)).await?;
    Ok(Json(events).into_response())
}

/// Every webhook delivery with its state (`pending`, `delivered`, `failed`), attempts and last
/// error.
pub async fn deliveries(State(state): State<AppState>) -> Result<Response, ApiError> {
    let deliveries = run(&state, |r| r.deliveries()).await?;
    let views: Vec<DeliveryView> = deliveries
        .into_iter()
        .map(|d| DeliveryView {
            state: d.state().to_string(),
            delivery: d,
        })
        .collect();
    Ok(Json(views).into_response())
}

/// Open notices as an Atom feed, newest first, so people can follow them in any reader.
pub async fn notices_atom(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let mut notices = native(state.registry.notices(None, None, false))?;
    notices.reverse();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("{}://{host}", state.scheme);
    let updated = notices
        .first()
        .map_or_else(|| state.registry.now(), |n| n.announced_ts);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>accord: breaking-change notices</title>\n  <id>urn:accord:notices</id>\n  <updated>{updated}</updated>\n  <link rel=\"self\" href=\"{}/v1/notices.atom\"/>\n",
        xml_escape(&base)
    );
    for n in &notices {
        out.push_str(&format!(
            "  <entry>\n    <title>{} major {}: {}</title>\n    <id>urn:accord:notice:{}:{}:{}</id>\n    <updated>{}</updated>\n    <link href=\"{}/v1/products/{}\"/>\n    <summary>Announced {}; major {} may be published from {}.</summary>\n  </entry>\n",
            xml_escape(&n.product),
            n.major,
            xml_escape(&n.summary),
            xml_escape(&n.product),
            n.major,
            n.announced_ts.as_millisecond(),
            n.announced_ts,
            xml_escape(&base),
            xml_escape(&n.product),
            date(n.announced_ts),
            n.major,
            date(n.effective_ts)
        ));
    }
    out.push_str("</feed>\n");
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

/// Text for XML: the five characters XML reserves, escaped.
pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
