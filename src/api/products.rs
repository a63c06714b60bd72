//! The native API under `/v1/`: data products, their publications, notices and audit history.
//! Errors use the Confluent envelope with stable snake_case codes:
//! `{"error_code": "notice_window_open", "message": ".."}`.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use semver::Version as Semver;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::input::{Actor, JsonBody, Path, Query, flag};
use super::resources::blocking_on;
use super::types::{
    EvaluationView, MajorStatus, NoticeView, ProductStatus, ProductSummary, PublicationView,
    PublishRequest, Published, PublishedSchemaView, RefusalView, StepView, SubjectCheckView,
};
use crate::compat::ReportView;
use crate::contract::Contract;
use crate::contract::governance::Policy;
use crate::registry::{
    AuditEntry, DataProduct, Evaluation, LineState, NewSchema, Notice, PolicyFinding, ProductError,
    ProductState, Publication, PublicationSpec, Registry, RegistryError, Severity, Step,
    Submission, date, days_until,
};

type NativeResult = Result<Response, ApiError>;

/// A JSON body whose rejection speaks the native envelope.
pub struct NativeJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for NativeJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        JsonBody::from_request(request, state)
            .await
            .map(|JsonBody(body)| NativeJson(body))
            .map_err(ApiError::native_request)
    }
}

pub(super) fn native<T>(result: Result<T, RegistryError>) -> Result<T, ApiError> {
    result.map_err(ApiError::native)
}

/// Runs a registry call that may write off the async workers; errors in the native envelope.
pub(super) async fn run<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    run_on(state, 0, call).await
}

/// [`run`] for a call that works on submitted schemas of `bytes` in all.
async fn run_on<T: Send + 'static>(
    state: &AppState,
    bytes: usize,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    native(blocking_on(state, bytes, move |r| Ok(call(r))).await?)
}

/// The schema text a publication submits, in bytes.
fn schema_bytes(schemas: &[(String, NewSchema)]) -> usize {
    schemas.iter().map(|(_, s)| s.schema.len()).sum()
}

/// The actor a product decision is recorded as.
pub(super) fn actor(Actor(actor): Actor) -> String {
    actor.unwrap_or_else(|| "anonymous".to_string())
}

pub(super) fn semver(text: &str) -> Result<Semver, ApiError> {
    Semver::parse(text.trim()).map_err(|e| {
        ApiError::invalid(
            "invalid_version",
            format!("invalid version `{text}`: {e} (expected MAJOR.MINOR.PATCH, e.g. 1.2.0)"),
        )
    })
}

/// A time as `2026-12-04T00:00:00Z`, or a date (its midnight, UTC).
pub fn parse_time(text: &str) -> Result<jiff::Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            format!("invalid time `{text}`: expected e.g. 2026-12-04 or 2026-12-04T00:00:00Z")
        })
}

pub async fn list_products(State(state): State<AppState>) -> NativeResult {
    let registry = &state.registry;
    let products: Vec<ProductSummary> = registry
        .products()
        .iter()
        .filter_map(|name| registry.product(name).ok())
        .map(|ps| ProductSummary {
            latest: ps.latest().map(|p| p.version.to_string()),
            name: ps.product.name,
            domain: ps.product.domain,
            owner: ps.product.owner,
        })
        .collect();
    Ok(Json(products).into_response())
}

pub async fn define_product(
    State(state): State<AppState>,
    Path(name): Path<String>,
    named: Result<Actor, ApiError>,
    NativeJson(mut product): NativeJson<DataProduct>,
) -> NativeResult {
    if !product.name.is_empty() && product.name != name {
        return Err(ApiError::invalid(
            "invalid_product",
            format!(
                "the body names product `{}` but the path `{name}`",
                product.name
            ),
        ));
    }
    product.name = name;
    let actor = actor(named.map_err(ApiError::native_request)?);
    let ps = run(&state, move |r| r.define_product(product, &actor)).await?;
    Ok(Json(status_of(&state, &ps)?).into_response())
}

pub async fn get_product(State(state): State<AppState>, Path(name): Path<String>) -> NativeResult {
    let ps = native(state.registry.product(&name))?;
    Ok(Json(status_of(&state, &ps)?).into_response())
}

/// A product's definition and status: its lines with their states, the latest version of each,
/// and the open notices with their effective dates.
pub(crate) fn status_of(state: &AppState, ps: &ProductState) -> Result<ProductStatus, ApiError> {
    let lines = native(state.registry.product_lines(&ps.product.name))?;
    let now = state.registry.now();
    let majors = lines
        .iter()
        .map(|l| {
            let deprecated = matches!(l.state, LineState::Deprecated { .. });
            let sunset = l.state.sunset_ts();
            MajorStatus {
                line: l.line.to_string(),
                state: l.state.name().to_string(),
                latest: l.latest.to_string(),
                sunset,
                days_left: sunset
                    .filter(|_| deprecated)
                    .map(|t| days_until(t, now) as i64),
                consumers: ps
                    .consumers_on(l.line)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                held: deprecated && sunset.is_some_and(|t| t <= now),
            }
        })
        .collect();
    let notices = ps
        .notices
        .values()
        .filter(|n| n.is_open())
        .map(notice_view)
        .collect();
    let product = &ps.product;
    Ok(ProductStatus {
        name: product.name.clone(),
        domain: product.domain.clone(),
        owner: product.owner.clone(),
        notice_days: product.notice_days,
        overlap_days: product.overlap_days,
        compatibility: product.compatibility,
        subjects: product.subjects.clone(),
        latest: ps.latest().map(|p| p.version.to_string()),
        majors,
        notices,
        sunset_waits_for_consumers: product.sunset_waits_for_consumers,
    })
}

pub(crate) fn notice_view(notice: &Notice) -> NoticeView {
    NoticeView {
        product: notice.product.clone(),
        major: notice.major,
        summary: notice.summary.clone(),
        actor: notice.actor.clone(),
        announced: notice.announced_ts,
        effective: notice.effective_ts,
        withdrawn: notice.withdrawn_ts,
    }
}

fn publication_view(publication: &Publication) -> PublicationView {
    PublicationView {
        version: publication.version.to_string(),
        published: publication.ts,
        actor: publication.actor.clone(),
        schemas: publication
            .schemas
            .iter()
            .map(|(subject, s)| PublishedSchemaView {
                subject: subject.clone(),
                version: s.version,
                id: s.id,
                schema_type: None,
                schema: None,
            })
            .collect(),
        manifest: None,
    }
}

/// The manifest a publication brings, read; with a governance policy on, one is required, so
/// that no publication skips the policy.
fn manifest_contract(
    state: &AppState,
    name: &str,
    manifest: Option<&str>,
) -> Result<Option<Contract>, ApiError> {
    let Some(text) = manifest else {
        return match state.policy {
            Some(_) => Err(ApiError::invalid(
                "manifest_required",
                "this registry's governance policy judges every publication's manifest: send it as `manifest` (`accord product publish` does)",
            )),
            None => Ok(None),
        };
    };
    let contract = crate::contract::read_text(text).map_err(|problems| {
        ApiError::invalid(
            "invalid_manifest",
            format!("`manifest`: {}", problems.join("; ")),
        )
    })?;
    if contract.product.name != name {
        return Err(ApiError::invalid(
            "invalid_manifest",
            format!(
                "`manifest` defines product `{}`, not `{name}`",
                contract.product.name
            ),
        ));
    }
    Ok(Some(contract))
}

/// The governance policy's findings on a manifest, references answered by the registry.
pub(super) fn judge(
    policy: Option<&Policy>,
    contract: Option<&Contract>,
    registry: &Registry,
) -> Vec<PolicyFinding> {
    match (policy, contract) {
        (Some(policy), Some(contract)) => {
            policy.judge(contract, &contract.document, Some(registry))
        }
        _ => Vec::new(),
    }
}

/// The version and each subject's schema of a publication request.
fn parts(request: PublishRequest) -> Result<(Semver, Vec<(String, NewSchema)>), ApiError> {
    let version = semver(&request.version)?;
    let schemas = request
        .schemas
        .into_iter()
        .map(|s| (s.subject, s.schema.new_schema()))
        .collect();
    Ok((version, schemas))
}

/// What a publication did or would do, for people and for CI.
pub(super) fn evaluation_view(evaluation: &Evaluation) -> EvaluationView {
    EvaluationView {
        product: evaluation.product.clone(),
        version: evaluation.version.to_string(),
        accepted: evaluation.refusal.is_none(),
        refusal: evaluation.refusal.as_ref().map(|r| RefusalView {
            code: r.code().to_string(),
            message: r.to_string(),
        }),
        step: evaluation.step.as_ref().map(|s| match s {
            Step::First => StepView::First,
            Step::InLine { .. } => StepView::InLine,
            Step::NewLine => StepView::NewLine,
        }),
        required_bump: Some(evaluation.required.name().to_string()),
        subjects: evaluation
            .subjects
            .iter()
            .map(|s| SubjectCheckView {
                subject: s.subject.clone(),
                unchanged: s.unchanged,
                against: s.against.clone(),
                findings_text: s.findings(),
                report: ReportView::from(&s.report),
            })
            .collect(),
        next_notice: evaluation.next_notice.as_ref().map(notice_view),
        policy: evaluation.policy.clone(),
        affected: Vec::new(),
        new_product: false,
    }
}

pub async fn publish(
    State(state): State<AppState>,
    Path(name): Path<String>,
    named: Result<Actor, ApiError>,
    NativeJson(body): NativeJson<PublishRequest>,
) -> NativeResult {
    let manifest = body.manifest.clone();
    let contract = manifest_contract(&state, &name, manifest.as_deref())?;
    let (version, schemas) = parts(body)?;
    let actor = actor(named.map_err(ApiError::native_request)?);
    let policy = state.policy.clone();
    let (evaluation, publication) = run_on(&state, schema_bytes(&schemas), move |r| {
        let findings = judge(policy.as_deref(), contract.as_ref(), r);
        let upstream = contract.as_ref().and_then(|c| c.upstream.clone());
        let submission = Submission {
            manifest,
            findings,
            upstream,
        };
        r.publish(&name, &version, &schemas, submission, &actor)
    })
    .await?;
    Ok(Json(Published {
        publication: publication_view(&publication),
        evaluation: evaluation_view(&evaluation),
    })
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckParams {
    now: Option<String>,
}

/// A dry run of a publication: the verdict is in the body, with status 200 either way.
pub async fn check(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<CheckParams>,
    NativeJson(body): NativeJson<PublishRequest>,
) -> NativeResult {
    let contract = manifest_contract(&state, &name, body.manifest.as_deref())?;
    let (version, schemas) = parts(body)?;
    let policy = state.policy.clone();
    let now = params
        .now
        .as_deref()
        .map(parse_time)
        .transpose()
        .map_err(|e| ApiError::invalid("invalid_time", e))?;
    let version_text = version.to_string();
    // Every subject is checked against its history: CPU work, off the async workers.
    let judged = run_on(&state, schema_bytes(&schemas), move |r| {
        let findings = judge(policy.as_deref(), contract.as_ref(), r);
        match r.check_publication(&name, &version, &schemas, &findings, now) {
            // A product not defined yet: its manifest still answers to the policy.
            Err(RegistryError::Product(p))
                if matches!(*p, ProductError::ProductNotFound(_)) && contract.is_some() =>
            {
                Ok(Err((name, findings)))
            }
            Err(e) => Err(e),
            Ok(evaluation) => {
                let at = now.unwrap_or_else(|| r.now());
                let impact = r.impact(&name, &version, at)?;
                Ok(Ok((evaluation, impact.affected)))
            }
        }
    })
    .await?;
    let view = match judged {
        Ok((evaluation, affected)) => EvaluationView {
            affected,
            ..evaluation_view(&evaluation)
        },
        Err((product, findings)) => new_product_view(product, version_text, findings),
    };
    Ok(Json(view).into_response())
}

/// The check of a product's first version before the product exists: the governance policy's
/// findings on its manifest are all there is to judge.
fn new_product_view(
    product: String,
    version: String,
    findings: Vec<PolicyFinding>,
) -> EvaluationView {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(PolicyFinding::line)
        .collect();
    let refusal = (!errors.is_empty()).then(|| {
        let error = ProductError::PolicyViolated(errors);
        RefusalView {
            code: error.code().to_string(),
            message: error.to_string(),
        }
    });
    EvaluationView {
        product,
        version,
        accepted: refusal.is_none(),
        refusal,
        step: Some(StepView::First),
        required_bump: None,
        subjects: Vec::new(),
        next_notice: None,
        policy: findings,
        affected: Vec::new(),
        new_product: true,
    }
}

pub async fn list_versions(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> NativeResult {
    let ps = native(state.registry.product(&name))?;
    let versions: Vec<PublicationView> = ps.publications.iter().map(publication_view).collect();
    Ok(Json(versions).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct VersionParams {
    major: Option<u64>,
}

/// One product version with each subject's schema; `latest`, optionally of a `?major=N`.
pub async fn get_version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    Query(params): Query<VersionParams>,
) -> NativeResult {
    let which = if version == "latest" {
        PublicationSpec::Latest {
            major: params.major,
        }
    } else {
        PublicationSpec::Exact(semver(&version)?)
    };
    let publication = native(state.registry.publication(&name, &which))?;
    let mut view = publication_view(&publication);
    view.manifest = publication.manifest.clone();
    // Each subject's schema text, for consumers that read a product version whole.
    for schema in &mut view.schemas {
        if let Ok(entry) = state.registry.schema(schema.id) {
            schema.schema_type = Some(entry.stored.schema_type.clone());
            schema.schema = Some(entry.stored.served().to_string());
        }
    }
    Ok(Json(view).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    major: u64,
    summary: String,
}

pub async fn announce(
    State(state): State<AppState>,
    Path(name): Path<String>,
    named: Result<Actor, ApiError>,
    NativeJson(body): NativeJson<NoticeRequest>,
) -> NativeResult {
    let actor = actor(named.map_err(ApiError::native_request)?);
    let notice = run(&state, move |r| {
        r.announce_notice(&name, body.major, &body.summary, &actor)
    })
    .await?;
    Ok(Json(notice_view(&notice)).into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    Path((name, major)): Path<(String, u64)>,
    named: Result<Actor, ApiError>,
) -> NativeResult {
    let actor = actor(named.map_err(ApiError::native_request)?);
    let notice = run(&state, move |r| r.withdraw_notice(&name, major, &actor)).await?;
    Ok(Json(notice_view(&notice)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeParams {
    since: Option<String>,
    withdrawn: Option<String>,
}

fn notices(state: &AppState, product: Option<&str>, params: &NoticeParams) -> NativeResult {
    let since = params
        .since
        .as_deref()
        .map(parse_time)
        .transpose()
        .map_err(|e| ApiError::invalid("invalid_time", e))?;
    let notices = native(
        state
            .registry
            .notices(product, since, flag(&params.withdrawn)),
    )?;
    let body: Vec<NoticeView> = notices.iter().map(notice_view).collect();
    Ok(Json(body).into_response())
}

pub async fn product_notices(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<NoticeParams>,
) -> NativeResult {
    notices(&state, Some(&name), &params)
}

/// Notices across every product, so consumers can follow upcoming breaks (`?since=`).
pub async fn all_notices(
    State(state): State<AppState>,
    Query(params): Query<NoticeParams>,
) -> NativeResult {
    notices(&state, None, &params)
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    limit: Option<usize>,
    after: Option<u64>,
}

/// Entries a page of the audit holds unless `?limit=` says otherwise, and at most.
const AUDIT_PAGE: usize = 1000;
const AUDIT_PAGE_MAX: usize = 10_000;

/// A page of the audit history: `?limit=` entries (1,000 by default, 10,000 at most) after the
/// entry `?after=` names by its `seq`.
pub async fn audit(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<AuditParams>,
) -> NativeResult {
    let limit = params.limit.unwrap_or(AUDIT_PAGE);
    if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
        return Err(ApiError::invalid(
            "invalid_request",
            format!("`limit` must be 1 to {AUDIT_PAGE_MAX}, not {limit}"),
        ));
    }
    // The audit history is read from the store: blocking I/O, off the async workers.
    let entries = run(&state, move |r| r.audit(&name, params.after, limit)).await?;
    let body: Vec<Value> = entries
        .iter()
        .map(|(seq, entry)| audit_json(*seq, entry))
        .collect();
    Ok(Json(body).into_response())
}

fn audit_json(seq: u64, entry: &AuditEntry) -> Value {
    let mut value = serde_json::to_value(entry).unwrap_or(Value::Null);
    value["seq"] = json!(seq);
    value["time"] = json!(entry.ts);
    value["date"] = json!(date(entry.ts));
    value
}
