//! The registry's one error type, in domain words.

use crate::compat::Level;
use crate::registry::policy::ProductError;
use crate::registry::{SchemaId, Version};
use crate::store::StoreError;

/// What went wrong, in the registry's words; the API maps each to Confluent's status and code.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    #[error("Schema {0} not found")]
    SchemaNotFound(SchemaId),
    #[error("Schema not found")]
    SchemaNotFoundUnderSubject,
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    #[error("Subject '{0}' Version {1} was soft deleted.Set permanent=true to delete permanently")]
    VersionSoftDeleted(String, Version),
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, Version),
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectConfigNotFound(String),
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotFound(String),
    #[error(
        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\" at {level}, details: [{}]",
        findings.join("; ")
    )]
    Incompatible {
        subject: String,
        level: Level,
        findings: Vec<String>,
    },
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    #[error(
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
    )]
    InvalidCompatibilityLevel(String),
    #[error("Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT.")]
    InvalidMode(String),
    #[error("{0}")]
    OperationNotPermitted(String),
    #[error(
        "One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={0},version={1}}}."
    )]
    ReferenceExists(String, Version),
    #[error("Schema id {0} is already registered with different content")]
    IdConflict(SchemaId),
    #[error("The specified subject '{0}' is not a valid.")]
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
