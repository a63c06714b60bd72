//! The one application error type of the API, and the single table from error kind to HTTP
//! status and Confluent `error_code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::types::{ErrorBody, ErrorCode};
use crate::registry::{ProductError, RegistryError, capped};

/// The findings a refused registration's message lists.
const MAX_MESSAGE_FINDINGS: usize = 50;

/// An error answered as `{"error_code": .., "message": ..}`: a Confluent number on Confluent
/// paths, a stable snake_case name on the native `/v1/` API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    /// Set on the native API: the code is this name instead of the number.
    pub name: Option<&'static str>,
}

/// Confluent's `error_code`s this API answers with, named once; the table below and the
/// constructors are the only places that use them.
pub mod code {
    pub const BAD_REQUEST: u32 = 400;
    /// Missing or wrong credentials, as Confluent's security plugin answers.
    pub const UNAUTHENTICATED: u32 = 40101;
    /// A known principal acting outside its rights.
    pub const FORBIDDEN: u32 = 40301;
    pub const EMPTY_BODY: u32 = 422;
    /// hyper's own refusals, before the API sees the request (see `transport`).
    pub const URI_TOO_LONG: u32 = 414;
    pub const HEADERS_TOO_LARGE: u32 = 431;
    pub const SUBJECT_NOT_FOUND: u32 = 40401;
    pub const VERSION_NOT_FOUND: u32 = 40402;
    pub const SCHEMA_NOT_FOUND: u32 = 40403;
    pub const SUBJECT_SOFT_DELETED: u32 = 40404;
    pub const SUBJECT_NOT_SOFT_DELETED: u32 = 40405;
    pub const VERSION_SOFT_DELETED: u32 = 40406;
    pub const VERSION_NOT_SOFT_DELETED: u32 = 40407;
    pub const SUBJECT_CONFIG_NOT_FOUND: u32 = 40408;
    pub const SUBJECT_MODE_NOT_FOUND: u32 = 40409;
    /// Confluent 7.x answers 409 with error_code 409 (8.0 changed it to 40901); every client
    /// checks the status, and 7.x is what most deployed serializers expect.
    pub const INCOMPATIBLE: u32 = 409;
    pub const INVALID_REQUEST: u32 = 42200;
    /// Also an invalid id or version in a path, and missing query parameters, as Confluent says.
    pub const INVALID_SCHEMA: u32 = 42201;
    pub const INVALID_VERSION: u32 = 42202;
    pub const INVALID_COMPATIBILITY_LEVEL: u32 = 42203;
    pub const INVALID_MODE: u32 = 42204;
    pub const OPERATION_NOT_PERMITTED: u32 = 42205;
    pub const REFERENCE_EXISTS: u32 = 42206;
    pub const INVALID_SUBJECT: u32 = 42208;
    pub const BODY_TOO_LARGE: u32 = 42209;
    pub const BACKEND: u32 = 50001;
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            name: None,
        }
    }

    /// The native API's form of a registry error: the same status, the snake_case name.
    pub fn native(error: RegistryError) -> Self {
        let name = wire(&error).2;
        let mut api = ApiError::from(error);
        api.name = Some(name);
        api
    }

    /// The same request error in the native API's envelope (`invalid_request`).
    pub fn native_request(self) -> Self {
        ApiError {
            name: Some("invalid_request"),
            ..self
        }
    }

    /// A native API error for a request the registry never saw.
    pub fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            name: Some(name),
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code::INVALID_REQUEST,
                message,
            )
        }
    }

    /// A request body, path or query that cannot be read (Confluent's 400).
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code::BAD_REQUEST, message)
    }

    pub fn empty_body() -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::EMPTY_BODY,
            "request body is empty",
        )
    }

    /// No accepted credentials (401).
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, message)
    }

    /// Outside the caller's rights (403).
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code::FORBIDDEN, message)
    }

    /// An access refusal in the native API's envelope.
    pub fn native_access(self) -> Self {
        let name = match self.code {
            code::UNAUTHENTICATED => "unauthenticated",
            _ => "forbidden",
        };
        ApiError {
            name: Some(name),
            ..self
        }
    }

    pub fn body_too_large() -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::BODY_TOO_LARGE,
            "request body is larger than the configured limit",
        )
    }

    /// A value in a path or query Confluent's registry refuses as 42201 (an id, a version,
    /// missing parameters).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::INVALID_SCHEMA,
            message,
        )
    }

    /// Too much registry work is waiting: retry in a second.
    pub fn busy() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            u32::from(StatusCode::SERVICE_UNAVAILABLE.as_u16()),
            "the registry is busy: too many requests are waiting; retry later",
        )
    }

    /// Writes cannot succeed now: out of rotation until the registry recovers.
    pub fn not_ready(why: &dyn std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            u32::from(StatusCode::SERVICE_UNAVAILABLE.as_u16()),
            format!("not ready: {why}"),
        )
    }

    /// A failure inside the server; details go to the log, not to the client.
    pub fn backend() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::BACKEND,
            "Error in the backend data store",
        )
    }

    /// What a framework-level failure looks like in Confluent's registry (`HTTP 404 Not Found`).
    pub fn http(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        ApiError::new(
            status,
            u32::from(status.as_u16()),
            format!("HTTP {} {reason}", status.as_u16()),
        )
    }
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        // A store failure's details go to the log, not to the client; a refused backup is the
        // caller's to fix.
        if let RegistryError::Store(e) = &error
            && !matches!(e, crate::store::StoreError::Backup { .. })
        {
            tracing::error!(error = %e, "store failure");
            return ApiError::backend();
        }
        let (status, code, _) = wire(&error);
        ApiError::new(status, code, confluent_message(&error))
    }
}

/// Confluent's wire text for a registry error, as its clients and their logs know it (typos
/// and missing spaces included); anything Confluent has no text for speaks in our words.
fn confluent_message(error: &RegistryError) -> String {
    use RegistryError::*;
    match error {
        SubjectNotFound(s) => format!("Subject '{s}' not found."),
        VersionNotFound(v) => format!("Version {v} not found."),
        SchemaNotFound(id) => format!("Schema {id} not found"),
        SchemaNotFoundUnderSubject => "Schema not found".to_string(),
        SubjectSoftDeleted(s) => {
            format!("Subject '{s}' was soft deleted.Set permanent=true to delete permanently")
        }
        SubjectNotSoftDeleted(s) => {
            format!("Subject '{s}' was not deleted first before being permanently deleted")
        }
        VersionSoftDeleted(s, v) => format!(
            "Subject '{s}' Version {v} was soft deleted.Set permanent=true to delete permanently"
        ),
        VersionNotSoftDeleted(s, v) => format!(
            "Subject '{s}' Version {v} was not deleted first before being permanently deleted"
        ),
        SubjectConfigNotFound(s) => {
            format!("Subject '{s}' does not have subject-level compatibility configured")
        }
        SubjectModeNotFound(s) => {
            format!("Subject '{s}' does not have subject-level mode configured")
        }
        Incompatible {
            subject,
            level,
            verdict,
        } => format!(
            "Schema being registered is incompatible with an earlier schema for subject \"{subject}\" at {level}, details: [{}]",
            // A break of thousands of fields helps nobody as one message; the whole report is a
            // verbose compatibility check away.
            capped(verdict.messages(), MAX_MESSAGE_FINDINGS, &format!(
                "findings (all of them: POST /compatibility/subjects/{subject}/versions?verbose=true)"
            ))
            .join("; ")
        ),
        InvalidSchema(problem) => format!("Invalid schema: {problem}"),
        InvalidVersion(v) => format!(
            "The specified version '{v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
        ),
        InvalidCompatibilityLevel(_) => "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive".to_string(),
        InvalidMode(_) => {
            "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT."
                .to_string()
        }
        ReferenceExists(s, v) => format!(
            "One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={s},version={v}}}."
        ),
        IdConflict(id) => format!("Schema id {id} is already registered with different content"),
        InvalidSubject(s) => format!("The specified subject '{s}' is not a valid."),
        OperationNotPermitted(_) | Product(_) | Store(_) => error.to_string(),
    }
}

/// The one table from a registry error to its HTTP status, Confluent `error_code` and native
/// snake_case code.
fn wire(error: &RegistryError) -> (StatusCode, u32, &'static str) {
    use RegistryError::*;
    use StatusCode as S;
    match error {
        SubjectNotFound(_) => (S::NOT_FOUND, code::SUBJECT_NOT_FOUND, "subject_not_found"),
        VersionNotFound(_) => (S::NOT_FOUND, code::VERSION_NOT_FOUND, "version_not_found"),
        SchemaNotFound(_) | SchemaNotFoundUnderSubject => {
            (S::NOT_FOUND, code::SCHEMA_NOT_FOUND, "schema_not_found")
        }
        SubjectSoftDeleted(_) => (
            S::NOT_FOUND,
            code::SUBJECT_SOFT_DELETED,
            "subject_soft_deleted",
        ),
        SubjectNotSoftDeleted(_) => (
            S::NOT_FOUND,
            code::SUBJECT_NOT_SOFT_DELETED,
            "subject_not_soft_deleted",
        ),
        VersionSoftDeleted(..) => (
            S::NOT_FOUND,
            code::VERSION_SOFT_DELETED,
            "version_soft_deleted",
        ),
        VersionNotSoftDeleted(..) => (
            S::NOT_FOUND,
            code::VERSION_NOT_SOFT_DELETED,
            "version_not_soft_deleted",
        ),
        SubjectConfigNotFound(_) => (
            S::NOT_FOUND,
            code::SUBJECT_CONFIG_NOT_FOUND,
            "subject_config_not_found",
        ),
        SubjectModeNotFound(_) => (
            S::NOT_FOUND,
            code::SUBJECT_MODE_NOT_FOUND,
            "subject_mode_not_found",
        ),
        Incompatible { .. } => (S::CONFLICT, code::INCOMPATIBLE, "incompatible"),
        InvalidSchema(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::INVALID_SCHEMA,
            "invalid_schema",
        ),
        InvalidVersion(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::INVALID_VERSION,
            "invalid_version",
        ),
        InvalidCompatibilityLevel(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::INVALID_COMPATIBILITY_LEVEL,
            "invalid_compatibility_level",
        ),
        InvalidMode(_) => (S::UNPROCESSABLE_ENTITY, code::INVALID_MODE, "invalid_mode"),
        OperationNotPermitted(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::OPERATION_NOT_PERMITTED,
            "operation_not_permitted",
        ),
        // Confluent refuses to overwrite an id with other content as an operation not
        // permitted; 42207 (id does not match) it no longer sends.
        IdConflict(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::OPERATION_NOT_PERMITTED,
            "id_conflict",
        ),
        ReferenceExists(..) => (
            S::UNPROCESSABLE_ENTITY,
            code::REFERENCE_EXISTS,
            "reference_exists",
        ),
        InvalidSubject(_) => (
            S::UNPROCESSABLE_ENTITY,
            code::INVALID_SUBJECT,
            "invalid_subject",
        ),
        // A data product's refusal is an incompatible registration to a Confluent client.
        Product(p) => {
            let (status, code) = match p.as_ref() {
                ProductError::ProductNotFound(_) => (S::NOT_FOUND, code::SUBJECT_NOT_FOUND),
                ProductError::NoticeNotFound { .. } | ProductError::ConsumerNotFound { .. } => {
                    (S::NOT_FOUND, code::SCHEMA_NOT_FOUND)
                }
                ProductError::InvalidProduct(_)
                | ProductError::InvalidVersion { .. }
                | ProductError::InvalidNotice(_)
                | ProductError::SubjectNotInProduct { .. }
                | ProductError::MissingSchemas(_)
                | ProductError::InvalidConsumer(_)
                | ProductError::SubjectTaken { .. } => {
                    (S::UNPROCESSABLE_ENTITY, code::INVALID_SCHEMA)
                }
                _ => (S::CONFLICT, code::INCOMPATIBLE),
            };
            (status, code, p.code())
        }
        Store(crate::store::StoreError::Backup { .. }) => (
            S::UNPROCESSABLE_ENTITY,
            code::INVALID_REQUEST,
            "backup_refused",
        ),
        Store(_) => (S::INTERNAL_SERVER_ERROR, code::BACKEND, "store_error"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error_code = match self.name {
            Some(name) => ErrorCode::Name(name.to_string()),
            None => ErrorCode::Number(self.code),
        };
        let body = ErrorBody {
            error_code,
            message: self.message,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, 1.into());
        }
        response
    }
}
