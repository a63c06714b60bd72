//! The Confluent resources: subjects, versions, schemas by id, compatibility, config and mode.
//! Field names, status codes and error codes follow `shared/reference/confluent-api.md`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, code};
use super::input::{Actor, JsonBody, Path, Query, flag};
use super::types::{RegisteredId, SchemaRequest, SubjectVersionView};
use super::work::Turn;
use crate::compat::Level;
use crate::registry::{
    Config, Import, Mode, NewSchema, Reference, Registry, RegistryError, SchemaId, SubjectName,
    SubjectVersion, Version, VersionSpec,
};
use crate::schema::Format;

type ApiResult = Result<Response, ApiError>;

/// Query parameters any resource may receive; unknown ones are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    deleted: Option<String>,
    deleted_only: Option<String>,
    normalize: Option<String>,
    permanent: Option<String>,
    verbose: Option<String>,
    default_to_global: Option<String>,
    force: Option<String>,
    fetch_max_id: Option<String>,
    latest_only: Option<String>,
    subject_prefix: Option<String>,
    subject: Option<String>,
}

impl SchemaRequest {
    pub(super) fn new_schema(self) -> NewSchema {
        NewSchema {
            schema: self.schema.unwrap_or_default(),
            schema_type: self.schema_type,
            references: self.references.unwrap_or_default(),
            // `null` is the same as absent.
            metadata: self.metadata.filter(|m| !m.is_null()),
            rule_set: self.rule_set.filter(|r| !r.is_null()),
            normalize: false,
            actor: None,
        }
    }
}

/// Runs a registry call that may block (a synced write, a store scan, a long check) off the
/// async workers.
pub(super) async fn blocking<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking_on(state, 0, call).await
}

/// [`blocking`] for a call that works on a submitted schema of `bytes`: it waits until the
/// schemas being worked on leave room for it.
pub(super) async fn blocking_on<T: Send + 'static>(
    state: &AppState,
    bytes: usize,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    let turn = state.work.turn(bytes).await.map_err(|_| ApiError::busy())?;
    run(state, turn, call).await
}

/// [`blocking`] for the rest of work already begun (the next page of an answer being written),
/// which waits its turn however full the queue is: refusing it would cut the answer short.
pub(super) async fn blocking_continued<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    let turn = state
        .work
        .continued_turn()
        .await
        .map_err(|_| ApiError::busy())?;
    run(state, turn, call).await
}

async fn run<T: Send + 'static>(
    state: &AppState,
    turn: Turn,
    call: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    let registry = state.registry.clone();
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        call(&registry)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "registry task failed");
        ApiError::backend()
    })?
    .map_err(ApiError::from)
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn subject_name(subject: String) -> Result<SubjectName, ApiError> {
    Ok(SubjectName::new(subject)?)
}

fn version_spec(text: &str) -> Result<VersionSpec, ApiError> {
    Ok(VersionSpec::parse(text)?)
}

/// The schema object Confluent returns for a subject version.
fn version_json(found: &SubjectVersion) -> Value {
    json!(version_view(found))
}

fn version_view(found: &SubjectVersion) -> SubjectVersionView {
    let stored = &found.schema.stored;
    SubjectVersionView {
        subject: found.subject.clone(),
        version: found.version,
        id: found.schema.id,
        schema_type: stored.schema_type.clone(),
        schema: stored.served().to_string(),
        references: stored.references.clone(),
        metadata: stored.metadata.clone(),
        rule_set: stored.rule_set.clone(),
        deleted: found.deleted,
    }
}

/// A schema's own text as the body (a JSON document, not a quoted string).
fn raw_schema(text: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        text.to_string(),
    )
        .into_response()
}

/// `{}`, as Confluent answers; a browser is sent to the web UI.
pub async fn root(headers: HeaderMap) -> ApiResult {
    if super::ui::wants_page(&headers) {
        return Ok(axum::response::Redirect::to("/ui/").into_response());
    }
    ok(json!({}))
}

pub async fn health() -> ApiResult {
    ok(json!({ "status": "ok" }))
}

/// The store is open once the state exists: the registry is built only after it opened.
/// Ready while writes can succeed: a server whose data dir cannot be written (a full disk) is
/// taken out of rotation until it recovers, which asking tries.
pub async fn ready(State(state): State<AppState>) -> ApiResult {
    let registry = state.registry.clone();
    // Cheap unless a write failed; then it opens the data dir again (blocking work), but
    // outside the work queue, which a readiness probe never waits on.
    let writable = tokio::task::spawn_blocking(move || registry.writable())
        .await
        .map_err(|_| ApiError::backend())?;
    if let Err(e) = writable {
        return Err(ApiError::not_ready(&e));
    }
    ok(json!({ "status": "ready", "max_id": state.registry.max_id() }))
}

pub async fn list_subjects(State(state): State<AppState>, Query(p): Query<Params>) -> ApiResult {
    let mut subjects = state
        .registry
        .subjects(flag(&p.deleted), flag(&p.deleted_only));
    if let Some(prefix) = p.subject_prefix.filter(|p| p != ":*:") {
        subjects.retain(|s| s.starts_with(&prefix));
    }
    ok(json!(subjects))
}

pub async fn list_versions(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    ok(json!(state.registry.versions(&subject, flag(&p.deleted))?))
}

pub async fn register_schema(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
    Actor(actor): Actor,
    JsonBody(body): JsonBody<SchemaRequest>,
) -> ApiResult {
    let subject = subject_name(subject)?;
    let import = Import {
        id: body.id.map(positive_id).transpose()?.map(SchemaId),
        version: body.version.map(positive_id).transpose()?.map(Version),
    };
    let new = NewSchema {
        normalize: flag(&p.normalize),
        actor,
        ..body.new_schema()
    };
    let bytes = new.schema.len();
    let result = blocking_on(&state, bytes, move |r| r.register(&subject, &new, import)).await;
    state.metrics.registration(match &result {
        Ok(_) => "accepted",
        Err(e) if e.code == code::INCOMPATIBLE => "incompatible",
        Err(e) if e.code == code::INVALID_SCHEMA => "invalid",
        Err(_) => "refused",
    });
    ok(json!(RegisteredId { id: result?.id }))
}

fn positive_id(n: i64) -> Result<u32, ApiError> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n >= 1 && n <= i32::MAX as u32)
        .ok_or_else(|| {
            ApiError::unprocessable(format!("`{n}` is not a valid id or version (1 to 2^31-1)"))
        })
}

pub async fn lookup_schema(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
    JsonBody(body): JsonBody<SchemaRequest>,
) -> ApiResult {
    let subject = subject_name(subject)?;
    let (new, deleted) = (body.new_schema(), flag(&p.deleted));
    // A lookup parses the schema: CPU work, off the async workers.
    let found = blocking_on(&state, new.schema.len(), move |r| {
        r.lookup(&subject, &new, deleted)
    })
    .await?;
    ok(version_json(&found))
}

pub async fn get_version(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> ApiResult {
    let spec = version_spec(&version)?;
    ok(version_json(&state.registry.version(
        &subject,
        spec,
        flag(&p.deleted),
    )?))
}

pub async fn get_version_schema(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> ApiResult {
    let spec = version_spec(&version)?;
    let found = state.registry.version(&subject, spec, flag(&p.deleted))?;
    Ok(raw_schema(found.schema.stored.served()))
}

pub async fn referenced_by(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> ApiResult {
    let spec = version_spec(&version)?;
    let ids = state
        .registry
        .referenced_by(&subject, spec, flag(&p.deleted))?;
    ok(json!(ids))
}

pub async fn delete_version(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> ApiResult {
    let spec = version_spec(&version)?;
    let permanent = flag(&p.permanent);
    let deleted = blocking(&state, move |r| r.delete_version(&subject, spec, permanent)).await?;
    ok(json!(deleted))
}

pub async fn delete_subject(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let permanent = flag(&p.permanent);
    let deleted = blocking(&state, move |r| r.delete_subject(&subject, permanent)).await?;
    ok(json!(deleted))
}

/// `/schemas/ids/{id}` takes any text: a non-number is an unknown path, as in Confluent.
fn schema_id(text: &str) -> Result<SchemaId, ApiError> {
    text.parse::<SchemaId>()
        .map_err(|_| ApiError::http(StatusCode::NOT_FOUND))
}

/// `GET /schemas/ids/{id}`, what every deserializer asks: serialized from borrowed fields,
/// without building a JSON tree.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SchemaById<'a> {
    schema: &'a str,
    schema_type: &'a str,
    #[serde(skip_serializing_if = "<[Reference]>::is_empty")]
    references: &'a [Reference],
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Version>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_id: Option<SchemaId>,
}

pub async fn get_schema_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let entry = state.registry.schema(schema_id(&id)?)?;
    let stored = &entry.stored;
    // `subject` is a hint, never a filter: deserializers always send one.
    let (subject, version) = p
        .subject
        .as_deref()
        .and_then(|hint| state.registry.preferred_use(entry.id, Some(hint)))
        .unzip();
    Ok(Json(SchemaById {
        schema: stored.served(),
        schema_type: &stored.schema_type,
        references: &stored.references,
        metadata: stored.metadata.as_ref(),
        rule_set: stored.rule_set.as_ref(),
        subject,
        version,
        max_id: flag(&p.fetch_max_id).then(|| state.registry.max_id()),
    })
    .into_response())
}

pub async fn get_schema_text_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult {
    let entry = state.registry.schema(schema_id(&id)?)?;
    Ok(raw_schema(entry.stored.served()))
}

pub async fn subjects_of_schema(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let mut subjects: Vec<String> = state
        .registry
        .uses_of(schema_id(&id)?, flag(&p.deleted))?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    subjects.dedup();
    ok(json!(subjects))
}

pub async fn versions_of_schema(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let uses = state.registry.uses_of(schema_id(&id)?, flag(&p.deleted))?;
    ok(json!(
        uses.into_iter()
            .map(|(subject, version)| json!({"subject": subject, "version": version}))
            .collect::<Vec<_>>()
    ))
}

pub async fn schema_types() -> ApiResult {
    let types: Vec<&str> = Format::ALL.iter().map(|f| f.schema_type()).collect();
    ok(json!(types))
}

/// Subjects whose versions one page of `GET /schemas` holds.
const SUBJECTS_PER_PAGE: usize = 256;

/// `GET /schemas`: every version of every subject, written a page of subjects at a time (a
/// large registry's answer is tens of megabytes).
pub async fn list_schemas(State(state): State<AppState>, Query(p): Query<Params>) -> ApiResult {
    let include_deleted = flag(&p.deleted);
    let latest_only = flag(&p.latest_only);
    let prefix = p.subject_prefix.filter(|p| p != ":*:").unwrap_or_default();
    let subjects = blocking(&state, move |registry| {
        let mut subjects = registry.subjects(include_deleted, false);
        subjects.retain(|s| s.starts_with(&prefix));
        Ok(subjects)
    })
    .await?;
    let pages: Vec<Vec<String>> = subjects
        .chunks(SUBJECTS_PER_PAGE)
        .map(<[String]>::to_vec)
        .collect();
    Ok(super::stream::json_array(
        state,
        pages,
        move |registry, page| {
            let mut items = Vec::new();
            for subject in page {
                let Ok(versions) = registry.versions(&subject, include_deleted) else {
                    continue; // deleted since the listing
                };
                let chosen = if latest_only {
                    versions.last().copied().into_iter().collect()
                } else {
                    versions
                };
                for v in chosen {
                    if let Ok(found) =
                        registry.version(&subject, VersionSpec::Number(v), include_deleted)
                    {
                        if !items.is_empty() {
                            items.push(b',');
                        }
                        serde_json::to_writer(&mut items, &version_view(&found))
                            .expect("a version serializes");
                    }
                }
            }
            items
        },
    ))
}

/// The compatibility answer; with `verbose`, the findings, and an invalid schema becomes a
/// negative answer instead of an error.
async fn compatibility(
    state: AppState,
    subject: String,
    against: Option<VersionSpec>,
    verbose: bool,
    body: SchemaRequest,
) -> ApiResult {
    let new = body.new_schema();
    // A check walks the subject's history: CPU work, off the async workers.
    let checked = blocking_on(&state, new.schema.len(), move |r| {
        Ok(r.check_compatibility(&subject, against, &new))
    })
    .await?;
    match checked {
        Ok(verdict) if verbose => {
            ok(json!({"is_compatible": verdict.compatible, "messages": verdict.messages()}))
        }
        Ok(verdict) => ok(json!({"is_compatible": verdict.compatible})),
        Err(RegistryError::InvalidSchema(problem)) if verbose => {
            ok(json!({"is_compatible": false, "messages": [format!("Invalid schema: {problem}")]}))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn check_against_history(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
    JsonBody(body): JsonBody<SchemaRequest>,
) -> ApiResult {
    compatibility(state, subject, None, flag(&p.verbose), body).await
}

pub async fn check_against_version(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    Query(p): Query<Params>,
    JsonBody(body): JsonBody<SchemaRequest>,
) -> ApiResult {
    let spec = version_spec(&version)?;
    compatibility(state, subject, Some(spec), flag(&p.verbose), body).await
}

/// `PUT /config` asks for `compatibility`, `normalize`, or both.
#[derive(Debug, Deserialize)]
pub struct ConfigRequest {
    compatibility: Option<String>,
    normalize: Option<bool>,
}

impl ConfigRequest {
    fn config(&self) -> Result<Config, ApiError> {
        let level = match (&self.compatibility, self.normalize) {
            (Some(text), _) => Some(
                text.parse::<Level>()
                    .map_err(|_| RegistryError::InvalidCompatibilityLevel(text.clone()))?,
            ),
            (None, Some(_)) => None,
            (None, None) => Err(RegistryError::InvalidCompatibilityLevel(String::new()))?,
        };
        Ok(Config {
            level,
            normalize: self.normalize,
        })
    }
}

/// A configuration as `GET /config` shows it (`compatibilityLevel`), or as `PUT` echoes it
/// (`compatibility`): only the fields set.
fn config_json(config: Config, level_key: &str) -> ApiResult {
    let mut body = serde_json::Map::new();
    if let Some(level) = config.level {
        body.insert(level_key.into(), json!(level.name()));
    }
    if let Some(normalize) = config.normalize {
        body.insert("normalize".into(), json!(normalize));
    }
    ok(Value::Object(body))
}

pub async fn get_global_config(State(state): State<AppState>) -> ApiResult {
    config_json(state.registry.config(None, false)?, "compatibilityLevel")
}

pub async fn set_global_config(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ConfigRequest>,
) -> ApiResult {
    let config = body.config()?;
    blocking(&state, move |r| r.set_config(None, config)).await?;
    config_json(config, "compatibility")
}

pub async fn delete_global_config(State(state): State<AppState>) -> ApiResult {
    let previous = blocking(&state, |r| r.delete_config(None)).await?;
    config_json(previous, "compatibilityLevel")
}

pub async fn get_subject_config(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let config = state
        .registry
        .config(Some(&subject), flag(&p.default_to_global))?;
    config_json(config, "compatibilityLevel")
}

pub async fn set_subject_config(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    JsonBody(body): JsonBody<ConfigRequest>,
) -> ApiResult {
    let subject = subject_name(subject)?;
    let config = body.config()?;
    blocking(&state, move |r| r.set_config(Some(&subject), config)).await?;
    config_json(config, "compatibility")
}

pub async fn delete_subject_config(
    State(state): State<AppState>,
    Path(subject): Path<String>,
) -> ApiResult {
    let previous = blocking(&state, move |r| r.delete_config(Some(&subject))).await?;
    config_json(previous, "compatibilityLevel")
}

#[derive(Debug, Deserialize)]
pub struct ModeRequest {
    mode: Option<String>,
}

fn mode(request: &ModeRequest) -> Result<Mode, ApiError> {
    Ok(Mode::parse(request.mode.as_deref().unwrap_or(""))?)
}

pub async fn get_global_mode(State(state): State<AppState>) -> ApiResult {
    ok(json!({"mode": state.registry.mode(None, false)?.name()}))
}

pub async fn set_global_mode(
    State(state): State<AppState>,
    Query(p): Query<Params>,
    JsonBody(body): JsonBody<ModeRequest>,
) -> ApiResult {
    let mode = mode(&body)?;
    let force = flag(&p.force);
    blocking(&state, move |r| r.set_mode(None, mode, force)).await?;
    ok(json!({"mode": mode.name()}))
}

pub async fn delete_global_mode(State(state): State<AppState>) -> ApiResult {
    let previous = blocking(&state, |r| r.delete_mode(None)).await?;
    ok(json!({"mode": previous.name()}))
}

pub async fn get_subject_mode(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult {
    let mode = state
        .registry
        .mode(Some(&subject), flag(&p.default_to_global))?;
    ok(json!({"mode": mode.name()}))
}

pub async fn set_subject_mode(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<Params>,
    JsonBody(body): JsonBody<ModeRequest>,
) -> ApiResult {
    let subject = subject_name(subject)?;
    let mode = mode(&body)?;
    let force = flag(&p.force);
    blocking(&state, move |r| r.set_mode(Some(&subject), mode, force)).await?;
    ok(json!({"mode": mode.name()}))
}

pub async fn delete_subject_mode(
    State(state): State<AppState>,
    Path(subject): Path<String>,
) -> ApiResult {
    let previous = blocking(&state, move |r| r.delete_mode(Some(&subject))).await?;
    ok(json!({"mode": previous.name()}))
}

#[derive(Debug, Default, Deserialize)]
pub struct MetadataParams {
    key: Option<String>,
    value: Option<String>,
    deleted: Option<String>,
}

/// The latest version whose metadata has a property (Confluent 7.4+); for a data product's
/// subject, `key=application.major.version&value=N` is the latest schema of major N.
pub async fn latest_with_metadata(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(p): Query<MetadataParams>,
) -> ApiResult {
    let (Some(key), Some(value)) = (&p.key, &p.value) else {
        return Err(ApiError::unprocessable(
            "`key` and `value` query parameters are required",
        ));
    };
    let found = state
        .registry
        .latest_with_metadata(&subject, key, value, flag(&p.deleted))?;
    ok(version_json(&found))
}

pub async fn contexts() -> ApiResult {
    ok(json!(["."]))
}
