//! Reading requests the way Confluent's clients send them: lenient booleans, percent-encoded
//! subjects, any of the registry's JSON content types, and errors in the registry's envelope.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A query flag: `true` in any case is true, anything else false (Python sends `True`/`False`).
pub fn flag(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A JSON body in one of the content types Confluent accepts (or none, or octet-stream).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        let accepted = match content_type.as_deref() {
            None | Some("") => true,
            Some(t) => matches!(
                t,
                "application/vnd.schemaregistry.v1+json"
                    | "application/vnd.schemaregistry+json"
                    | "application/json"
                    | "application/octet-stream"
            ),
        };
        if !accepted {
            return Err(ApiError::http(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        status,
                        42209,
                        "request body is larger than the configured limit",
                    )
                } else {
                    ApiError::new(status, u32::from(status.as_u16()), rejection.body_text())
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                422,
                "request body is empty",
            ));
        }
        // Confluent answers both malformed JSON and JSON of the wrong shape with 400.
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                400,
                format!("invalid request body: {e}"),
            )
        })
    }
}
