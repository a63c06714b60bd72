//! Reading requests the way Confluent's clients send them: lenient booleans, percent-encoded
//! subjects, any of the registry's JSON content types, and errors in the registry's envelope.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::auth::Caller;
use super::error::ApiError;
use super::types::{ACTOR_HEADER, decode_actor};

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
        // A header that is not text is a type we do not read, like any other unknown type.
        let content_type = request.headers().get(header::CONTENT_TYPE).map(|v| {
            v.to_str()
                .unwrap_or("\u{fffd}")
                .split(';')
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
                    ApiError::body_too_large()
                } else {
                    ApiError::new(status, u32::from(status.as_u16()), rejection.body_text())
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::empty_body());
        }
        // Confluent answers both malformed JSON and JSON of the wrong shape with 400. Every
        // request body is an object: serde would read a struct from an array by position.
        let bad = ApiError::bad_request;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("invalid request body: {e}")))?;
        if !value.is_object() {
            return Err(bad(format!(
                "invalid request body: expected a JSON object, found {}",
                crate::schema::json_kind(&value)
            )));
        }
        serde_json::from_value(value)
            .map(JsonBody)
            .map_err(|e| bad(format!("invalid request body: {e}")))
    }
}

/// A request the router matched but whose path or query cannot be read: 400 in the registry's
/// envelope (the native one under `/v1/`), naming the problem.
fn unreadable(parts: &Parts, message: String) -> ApiError {
    let error = ApiError::bad_request(message);
    if parts.uri.path().starts_with("/v1/") {
        error.native_request()
    } else {
        error
    }
}

/// Path parameters, percent-decoded; a segment that is not UTF-8 (or not the number a route
/// wants) is refused in the JSON envelope rather than axum's plain text.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(unreadable(
                parts,
                format!("invalid path: {}", rejection.body_text()),
            )),
        }
    }
}

/// Query parameters, read as Confluent's server reads them: a parameter given twice takes its
/// first value, unknown ones are ignored.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("").as_bytes();
        let mut seen = std::collections::HashSet::new();
        let mut first = form_urlencoded::Serializer::new(String::new());
        for (key, value) in form_urlencoded::parse(query) {
            if seen.insert(key.clone()) {
                first.append_pair(&key, &value);
            }
        }
        serde_urlencoded::from_str(&first.finish())
            .map(Query)
            .map_err(|e| unreadable(parts, format!("invalid query string: {e}")))
    }
}

/// Who a decision is recorded as: the authenticated principal when access control is on
/// (with the `X-Accord-Actor` it names as "on behalf of" text), else the actor the request
/// names, if any. A name that cannot be read is refused (400), never recorded as someone else.
pub struct Actor(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let named = match parts.headers.get(ACTOR_HEADER) {
            None => None,
            Some(value) if value.as_bytes().iter().all(u8::is_ascii_whitespace) => None,
            Some(value) => Some(
                decode_actor(value.as_bytes())
                    .map_err(|e| ApiError::bad_request(format!("`{ACTOR_HEADER}`: {e}")))?,
            ),
        };
        Ok(Actor(match (parts.extensions.get::<Caller>(), named) {
            (Some(caller), Some(named)) if *caller.name != named => {
                Some(format!("{} (on behalf of {named})", caller.name))
            }
            (Some(caller), _) => Some(caller.name.to_string()),
            (None, named) => named,
        }))
    }
}
