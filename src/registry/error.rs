//! The registry's one error type, in domain words.

use crate::compat::Level;
use crate::registry::policy::ProductError;
use crate::registry::{SchemaId, Verdict, Version};
use crate::store::StoreError;

/// What went wrong, in the registry's words. The API maps each to Confluent's status, code and
/// wire text (`api/error.rs`); the native API sends these messages.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("subject `{0}` not found")]
    SubjectNotFound(String),
    #[error("version {0} not found")]
    VersionNotFound(String),
    #[error("schema {0} not found")]
    SchemaNotFound(SchemaId),
    #[error("the schema is not registered under this subject")]
    SchemaNotFoundUnderSubject,
    #[error("subject `{0}` was soft-deleted; delete it with permanent=true to remove it")]
    SubjectSoftDeleted(String),
    #[error("subject `{0}` must be soft-deleted before it is deleted permanently")]
    SubjectNotSoftDeleted(String),
    #[error(
        "version {1} of subject `{0}` was soft-deleted; delete it with permanent=true to remove it"
    )]
    VersionSoftDeleted(String, Version),
    #[error("version {1} of subject `{0}` must be soft-deleted before it is deleted permanently")]
    VersionNotSoftDeleted(String, Version),
    #[error("subject `{0}` has no compatibility level of its own")]
    SubjectConfigNotFound(String),
    #[error("subject `{0}` has no mode of its own")]
    SubjectModeNotFound(String),
    #[error(
        "the schema is incompatible with subject `{subject}` at {level}: {}",
        verdict.messages().join("; ")
    )]
    Incompatible {
        subject: String,
        level: Level,
        /// Boxed: a report is large, and every `Result` would pay for it.
        verdict: Box<Verdict>,
    },
    #[error("invalid schema: {0}")]
    InvalidSchema(String),
    #[error("invalid version `{0}`: a number from 1 to 2^31-1, or `latest`")]
    InvalidVersion(String),
    #[error(
        "invalid compatibility level `{0}`: one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE"
    )]
    InvalidCompatibilityLevel(String),
    #[error("invalid mode `{0}`: one of READWRITE, READONLY, READONLY_OVERRIDE, IMPORT")]
    InvalidMode(String),
    #[error("{0}")]
    OperationNotPermitted(String),
    #[error("version {1} of subject `{0}` is referenced by other schemas")]
    ReferenceExists(String, Version),
    #[error("schema id {0} is already registered with different content")]
    IdConflict(SchemaId),
    #[error(
        "invalid subject name {0:?}: it must have no control characters and not be __GLOBAL or __EMPTY"
    )]
    InvalidSubject(String),
    /// Boxed: product refusals carry findings and dates, and every `Result` would pay for them.
    #[error(transparent)]
    Product(Box<ProductError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProductError> for RegistryError {
    fn from(error: ProductError) -> Self {
        RegistryError::Product(Box::new(error))
    }
}
