//! `POST /v1/backups`: a consistent online copy of the registry into a new directory on the
//! server's machine (a RocksDB checkpoint), while it goes on serving; `GET /v1/export` and
//! `POST /v1/import`: the registry as a portable stream. Admins only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::products::{NativeJson, run};
use super::types::{BackupAnswer, BackupRequest};

pub async fn create(
    State(state): State<AppState>,
    NativeJson(body): NativeJson<BackupRequest>,
) -> Result<Response, ApiError> {
    let path = std::path::PathBuf::from(&body.path);
    let started = std::time::Instant::now();
    let holdings = run(&state, move |r| r.backup(&path)).await?;
    let answer = BackupAnswer {
        path: body.path,
        holdings,
        millis: started.elapsed().as_millis() as u64,
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /v1/export`: the whole registry as the versioned NDJSON stream (admins only).
pub async fn export(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (stream, _) = run(&state, |r| r.export()).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/x-ndjson")],
        stream,
    )
        .into_response())
}

/// `POST /v1/import`: an export loaded into this registry, which must be empty (admins only).
pub async fn import(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let carried = run(&state, move |r| r.import(&body)).await?;
    Ok(Json(carried).into_response())
}
