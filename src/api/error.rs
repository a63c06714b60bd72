//! The one application error type of the API, and the single table from error kind to HTTP
//! status and Confluent `error_code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::registry::{ProductError, RegistryError};

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

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            name: None,
        }
    }

    /// The native API's form of a registry error.
    pub fn native(error: RegistryError) -> Self {
        let name = match &error {
            RegistryError::Product(p) => p.code(),
            RegistryError::SubjectNotFound(_) => "subject_not_found",
            RegistryError::VersionNotFound(_) => "version_not_found",
            RegistryError::SchemaNotFound(_) | RegistryError::SchemaNotFoundUnderSubject => {
                "schema_not_found"
            }
            RegistryError::InvalidSchema(_) => "invalid_schema",
            RegistryError::InvalidCompatibilityLevel(_) => "invalid_compatibility_level",
            RegistryError::InvalidSubject(_) => "invalid_subject",
            RegistryError::OperationNotPermitted(_) => "operation_not_permitted",
            RegistryError::Store(_) => "store_error",
            _ => "invalid_request",
        };
        let mut api = ApiError::from(error);
        api.name = Some(name);
        api
    }

    /// A native API error for a request the registry never saw.
    pub fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            name: Some(name),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, 42200, message)
        }
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
        use RegistryError::*;
        let (status, code) = match &error {
            SubjectNotFound(_) => (StatusCode::NOT_FOUND, 40401),
            VersionNotFound(_) => (StatusCode::NOT_FOUND, 40402),
            SchemaNotFound(_) | SchemaNotFoundUnderSubject => (StatusCode::NOT_FOUND, 40403),
            SubjectSoftDeleted(_) => (StatusCode::NOT_FOUND, 40404),
            SubjectNotSoftDeleted(_) => (StatusCode::NOT_FOUND, 40405),
            VersionSoftDeleted(..) => (StatusCode::NOT_FOUND, 40406),
            VersionNotSoftDeleted(..) => (StatusCode::NOT_FOUND, 40407),
            SubjectConfigNotFound(_) => (StatusCode::NOT_FOUND, 40408),
            SubjectModeNotFound(_) => (StatusCode::NOT_FOUND, 40409),
            // Confluent 7.x answers 409 with error_code 409 (8.0 changed it to 40901); every
            // client checks the status, and 7.x is what most deployed serializers expect.
            Incompatible { .. } => (StatusCode::CONFLICT, 409),
            InvalidSchema(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42201),
            InvalidVersion(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42202),
            InvalidCompatibilityLevel(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42203),
            InvalidMode(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42204),
            OperationNotPermitted(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42205),
            // Confluent refuses to overwrite an id with other content as an operation not
            // permitted; 42207 (id does not match) it no longer sends.
            IdConflict(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42205),
            ReferenceExists(..) => (StatusCode::UNPROCESSABLE_ENTITY, 42206),
            InvalidSubject(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42208),
            // A data product's refusal is an incompatible registration to a Confluent client.
            Product(p) => match p.as_ref() {
                ProductError::ProductNotFound(_) => (StatusCode::NOT_FOUND, 40401),
                ProductError::NoticeNotFound { .. } => (StatusCode::NOT_FOUND, 40403),
                ProductError::InvalidProduct(_)
                | ProductError::InvalidVersion { .. }
                | ProductError::InvalidNotice(_)
                | ProductError::SubjectNotInProduct { .. }
                | ProductError::MissingSchemas(_)
                | ProductError::SubjectTaken { .. } => (StatusCode::UNPROCESSABLE_ENTITY, 42201),
                _ => (StatusCode::CONFLICT, 409),
            },
            Store(e) => {
                // Details go to the log, not to the client.
                tracing::error!(error = %e, "store failure");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    50001,
                    "Error in the backend data store",
                );
            }
        };
        ApiError::new(status, code, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.name {
            Some(name) => json!({ "error_code": name, "message": self.message }),
            None => json!({ "error_code": self.code, "message": self.message }),
        };
        (self.status, axum::Json(body)).into_response()
    }
}
