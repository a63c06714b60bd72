//! The platform registration API and the catalog: `PUT /v1/data-products/{domain}/{name}` as
//! the seeds' `register_data_product.py` calls it (201 for a new product, 200 for an existing
//! one), each product's catalog page, and search over names, descriptions, tags and columns.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use semver::Version as Semver;
use serde::Deserialize;
use serde_json::Value;

use super::error::ApiError;
use super::input::{Actor, Path, Query};
use super::products::{NativeJson, actor, evaluation_view, judge, native, run};
use super::types::{CatalogEntry, RegistrationAnswer};
use super::{AppState, ui};
use crate::contract::{self, Contract, Form};
use crate::registry::{
    NewSchema, ProductError, PublicationSpec, Registry, RegistryError, Severity, Submission,
};
use crate::schema::Format;

/// Where a product's catalog page is, as the client reached this server.
fn catalog_url(state: &AppState, headers: &HeaderMap, name: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let path = match name.split_once('.') {
        Some((domain, rest)) => format!("{domain}/{rest}"),
        None => name.to_string(),
    };
    format!("{}://{host}/v1/data-products/{path}", state.scheme)
}

/// What the registration changed.
enum Outcome {
    /// A new product and its first version.
    Registered,
    /// The same version with the same columns: the descriptive fields.
    Updated,
    /// A new version of an existing product.
    Published,
}

pub async fn register(
    State(state): State<AppState>,
    Path((domain, name)): Path<(String, String)>,
    named: Result<Actor, ApiError>,
    headers: HeaderMap,
    NativeJson(body): NativeJson<Value>,
) -> Result<Response, ApiError> {
    let product = format!("{domain}.{name}");
    let invalid = |message: String| ApiError::invalid("invalid_request", message);
    let contract = contract::read(&body).map_err(|problems| invalid(problems.join("; ")))?;
    if contract.form != Form::Registration {
        return Err(invalid(
            "a registration has `name`, `domain`, `owner`, `schema_version` and `columns` (with `description`, `slack_channel`, `sla`, `access_policy`)".into(),
        ));
    }
    if contract.product.name != product || contract.product.domain != domain {
        return Err(invalid(format!(
            "the body registers `{}` of domain `{}`, the path `{product}` of domain `{domain}`",
            contract.product.name, contract.product.domain
        )));
    }
    let version = contract
        .version
        .clone()
        .expect("a registration's version is required");
    let actor = actor(named.map_err(ApiError::native_request)?);
    let policy = state.policy.clone();
    let (outcome, evaluation) = run(&state, move |r| {
        let findings = judge(policy.as_deref(), Some(&contract), r);
        register_in(r, contract, &version, findings, &actor)
    })
    .await?;
    let status = match outcome {
        Outcome::Registered => StatusCode::CREATED,
        Outcome::Updated | Outcome::Published => StatusCode::OK,
    };
    let answer = RegistrationAnswer {
        catalog_url: catalog_url(&state, &headers, &product),
        name: product,
        domain,
        outcome: match outcome {
            Outcome::Registered => "registered",
            Outcome::Updated => "updated",
            Outcome::Published => "published",
        }
        .to_string(),
        evaluation: evaluation.as_ref().map(evaluation_view),
    };
    Ok((status, Json(answer)).into_response())
}

fn register_in(
    r: &Registry,
    contract: Contract,
    version: &Semver,
    findings: Vec<crate::registry::PolicyFinding>,
    actor: &str,
) -> Result<(Outcome, Option<crate::registry::Evaluation>), RegistryError> {
    let name = contract.product.name.clone();
    let subject = contract.schemas[0].subject.clone();
    let columns = contract.schemas[0]
        .source
        .columns_text()
        .expect("a registration lists columns");
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.line())
        .collect();
    let schemas = [(
        subject.clone(),
        NewSchema {
            schema: columns.clone(),
            schema_type: Some(Format::Arrow.schema_type().to_string()),
            ..NewSchema::default()
        },
    )];
    let submission = Submission {
        manifest: contract.product.manifest.clone(),
        findings,
        upstream: contract.upstream.clone(),
    };
    let existing = match r.product(&name) {
        Ok(ps) => Some(ps),
        Err(RegistryError::Product(p)) if matches!(*p, ProductError::ProductNotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let Some(ps) = existing else {
        // Judged before anything is written: a refused registration leaves no product behind.
        if !errors.is_empty() {
            return Err(ProductError::PolicyViolated(errors).into());
        }
        r.define_product(contract.product, actor)?;
        let (evaluation, _) = r.publish(&name, version, &schemas, submission, actor)?;
        return Ok((Outcome::Registered, Some(evaluation)));
    };
    if let Some(published) = ps.publications.iter().find(|p| p.version == *version) {
        let same_columns = published
            .schemas
            .get(&subject)
            .and_then(|s| r.schema(s.id).ok())
            .is_some_and(|entry| entry.stored.schema == columns);
        if !same_columns {
            return Err(ProductError::VersionPublishedOtherwise(version.clone()).into());
        }
        if !errors.is_empty() {
            return Err(ProductError::PolicyViolated(errors).into());
        }
        r.define_product(contract.product, actor)?;
        return Ok((Outcome::Updated, None));
    }
    let (evaluation, _) = r.publish(&name, version, &schemas, submission, actor)?;
    r.define_product(contract.product, actor)?;
    Ok((Outcome::Published, Some(evaluation)))
}

/// A product's catalog entry: its definition, description, tags, latest version and columns.
fn entry(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    with_manifest: bool,
) -> Result<CatalogEntry, RegistryError> {
    let ps = state.registry.product(name)?;
    let document: Option<Value> = ps
        .product
        .manifest
        .as_deref()
        .and_then(|text| yaml_serde::from_str(text).ok());
    let latest = state
        .registry
        .publication(name, &PublicationSpec::Latest { major: None })
        .ok();
    let mut columns = Vec::new();
    for published in latest.iter().flat_map(|p| p.schemas.values()) {
        if let Ok(stored) = state.registry.schema(published.id) {
            columns.extend(state.registry.parsed(&stored).top_level_fields());
        }
    }
    Ok(CatalogEntry {
        name: ps.product.name.clone(),
        domain: ps.product.domain.clone(),
        owner: ps.product.owner.clone(),
        description: document.as_ref().and_then(contract::description),
        tags: document.as_ref().map(contract::tags).unwrap_or_default(),
        version: latest.map(|p| p.version.to_string()),
        columns,
        catalog_url: catalog_url(state, headers, name),
        manifest: if with_manifest {
            ps.product.manifest.clone()
        } else {
            None
        },
    })
}

pub async fn get_entry(
    State(state): State<AppState>,
    Path((domain, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let product = format!("{domain}.{name}");
    // The catalog_url a registration answers with is the product's page, for a browser.
    if ui::wants_page(&headers) {
        return Ok(
            Redirect::to(&format!("/ui/products/{}", super::types::segment(&product)))
                .into_response(),
        );
    }
    let entry = native(entry(&state, &headers, &product, true))?;
    Ok(Json(entry).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words, all of which must appear in the name, description, tags or column names.
    q: Option<String>,
    domain: Option<String>,
    tag: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let found = search_entries(
        &state,
        &headers,
        params.q.as_deref().unwrap_or(""),
        params.domain.as_deref(),
        params.tag.as_deref(),
    );
    Ok(Json(found).into_response())
}

/// The catalog entries of the products whose name, domain, owner, description, tags or
/// columns hold every word of `q`, of `domain` and with `tag` when given.
pub(crate) fn search_entries(
    state: &AppState,
    headers: &HeaderMap,
    q: &str,
    domain: Option<&str>,
    tag: Option<&str>,
) -> Vec<CatalogEntry> {
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let mut found = Vec::new();
    for name in state.registry.products() {
        let Ok(entry) = entry(state, headers, &name, false) else {
            continue;
        };
        if domain.is_some_and(|d| d != entry.domain)
            || tag.is_some_and(|t| !entry.tags.iter().any(|tag| tag.eq_ignore_ascii_case(t)))
        {
            continue;
        }
        let haystack = format!(
            "{} {} {} {} {} {}",
            entry.name,
            entry.domain,
            entry.owner,
            entry.description.as_deref().unwrap_or(""),
            entry.tags.join(" "),
            entry.columns.join(" ")
        )
        .to_lowercase();
        if words.iter().all(|w| haystack.contains(w.as_str())) {
            found.push(entry);
        }
    }
    found
}
