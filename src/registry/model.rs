//! The registry's nouns, and how they are encoded as store keys and values.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::RegistryError;

/// A subject name that gets written (a registration, a subject's config or mode): any UTF-8
/// text without control characters, not a reserved name (Confluent's rule). Lookups take any
/// text, as Confluent's do: a name that could never be written is simply not found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectName(String);

impl SubjectName {
    /// Validates a subject name: the one rule for the Confluent API and data products (which
    /// also refuse an empty one). Control characters and Confluent's reserved names are refused.
    pub fn new(name: impl Into<String>) -> Result<Self, RegistryError> {
        let name = name.into();
        if name.chars().any(char::is_control) || name == "__GLOBAL" || name == "__EMPTY" {
            return Err(RegistryError::InvalidSubject(name));
        }
        Ok(SubjectName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SubjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A schema id: global across subjects, from 1.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SchemaId(pub u32);

/// A version number within a subject, from 1.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Version(pub u32);

/// The big-endian encoding store keys use (so keys sort by number), and the next number.
macro_rules! numbered {
    ($name:ident) => {
        impl $name {
            pub fn next(self) -> Self {
                $name(self.0 + 1)
            }

            pub(crate) fn to_be_bytes(self) -> [u8; 4] {
                self.0.to_be_bytes()
            }

            pub(crate) fn from_be_bytes(bytes: [u8; 4]) -> Self {
                $name(u32::from_be_bytes(bytes))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }
    };
}

numbered!(SchemaId);
numbered!(Version);

impl fmt::Display for SchemaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A version as clients name it: a number, or the latest non-deleted version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    Latest,
    Number(Version),
}

impl VersionSpec {
    /// `latest` (any case, trimmed) or `-1`, or a number from 1 to 2^31-1.
    pub fn parse(text: &str) -> Result<Self, RegistryError> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("latest") || trimmed == "-1" {
            return Ok(VersionSpec::Latest);
        }
        match trimmed.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(VersionSpec::Number(Version(n as u32))),
            _ => Err(RegistryError::InvalidVersion(text.to_string())),
        }
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSpec::Latest => f.write_str("-1"),
            VersionSpec::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Whether a subject (or the registry) accepts writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    ReadWrite,
    ReadOnly,
    ReadOnlyOverride,
    Import,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
        }
    }

    /// A mode's exact name, in any case (as Confluent reads it).
    pub fn parse(text: &str) -> Result<Self, RegistryError> {
        [
            Mode::ReadWrite,
            Mode::ReadOnly,
            Mode::ReadOnlyOverride,
            Mode::Import,
        ]
        .into_iter()
        .find(|m| m.name().eq_ignore_ascii_case(text))
        .ok_or_else(|| RegistryError::InvalidMode(text.to_string()))
    }

    pub fn is_read_only(self) -> bool {
        matches!(self, Mode::ReadOnly | Mode::ReadOnlyOverride)
    }
}

/// A reference from a schema to a named type registered under another subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: Version,
}

/// A schema as stored under its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSchema {
    /// The normalized form: what identity is decided on, and what references resolve against.
    pub schema: String,
    /// The text as first registered, whitespace outside strings removed: what clients are
    /// served, as Confluent serves the declaration a producer wrote (its `namespace`, its key
    /// order). Absent when it equals the normalized form, when the client asked for
    /// `normalize`, and in data written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    #[serde(rename = "schemaType")]
    pub schema_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Confluent's data-contract metadata (`properties`, `tags`, `sensitive`), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Confluent's data-contract rules, kept verbatim; accord does not execute them.
    #[serde(default, rename = "ruleSet", skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<serde_json::Value>,
}

impl StoredSchema {
    /// The text clients are served: as registered, or the normalized form.
    pub fn served(&self) -> &str {
        self.original.as_deref().unwrap_or(&self.schema)
    }

    /// Confluent's "same content": the schema text, references, metadata and rule set
    /// (`schemaType` is not part of it).
    pub fn same_content(&self, other: &StoredSchema) -> bool {
        self.schema == other.schema
            && self.references == other.references
            && self.metadata == other.metadata
            && self.rule_set == other.rule_set
    }

    /// The hash the identity index is keyed by. A plain schema hashes its text alone, as data
    /// written before references and metadata were kept did.
    pub fn identity(&self) -> u64 {
        if self.references.is_empty() && self.metadata.is_none() && self.rule_set.is_none() {
            return crate::schema::fingerprint64(self.schema.as_bytes());
        }
        // Maps serialize with sorted keys, so equal content gives equal bytes.
        let extras = serde_json::json!([self.references, self.metadata, self.rule_set]);
        crate::schema::fingerprint64(format!("{}\0{extras}", self.schema).as_bytes())
    }
}

/// One version of a subject as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub id: SchemaId,
    #[serde(default)]
    pub deleted: bool,
    /// When it was registered; stored as milliseconds since the Unix epoch.
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub ts: jiff::Timestamp,
}

/// Store keys. Subjects never contain control characters, so `\0` separates a subject from
/// what follows and stands alone for the global scope.
pub(crate) mod keys {
    use super::{SchemaId, Version};

    pub const GLOBAL: &[u8] = b"\0";
    /// Prefixes a scope in the config keyspace for the `normalize` setting.
    pub const NORMALIZE: &[u8] = b"\x01";
    pub const LAST_SCHEMA_ID: &[u8] = b"last_schema_id";

    /// The counter of a product's audit entries, so that a start need not read the audit.
    pub fn audit_len(product: &str) -> Vec<u8> {
        let mut key = b"audit_len\0".to_vec();
        key.extend_from_slice(product.as_bytes());
        key
    }

    pub fn schema(id: SchemaId) -> Vec<u8> {
        id.to_be_bytes().to_vec()
    }

    pub fn identity(hash: u64, id: SchemaId) -> Vec<u8> {
        let mut key = hash.to_be_bytes().to_vec();
        key.extend_from_slice(&id.to_be_bytes());
        key
    }

    pub fn subject_prefix(subject: &str) -> Vec<u8> {
        let mut key = subject.as_bytes().to_vec();
        key.push(0);
        key
    }

    pub fn subject_version(subject: &str, version: Version) -> Vec<u8> {
        let mut key = subject_prefix(subject);
        key.extend_from_slice(&version.to_be_bytes());
        key
    }

    /// Splits a subject-version key back into its parts.
    pub fn parse_subject_version(key: &[u8]) -> Option<(String, Version)> {
        let split = key.len().checked_sub(5)?;
        if key[split] != 0 {
            return None;
        }
        let subject = String::from_utf8(key[..split].to_vec()).ok()?;
        let version = Version::from_be_bytes(key[split + 1..].try_into().ok()?);
        Some((subject, version))
    }

    /// A data product's record number `seq` (publications, audit entries, notices by major).
    pub fn product_seq(product: &str, seq: u64) -> Vec<u8> {
        let mut key = subject_prefix(product);
        key.extend_from_slice(&seq.to_be_bytes());
        key
    }

    /// Splits a product record key back into its parts.
    pub fn parse_product_seq(key: &[u8]) -> Option<(String, u64)> {
        let split = key.len().checked_sub(9)?;
        if key[split] != 0 {
            return None;
        }
        let product = String::from_utf8(key[..split].to_vec()).ok()?;
        let seq = u64::from_be_bytes(key[split + 1..].try_into().ok()?);
        Some((product, seq))
    }

    /// The config or mode key of a subject, or of the global scope.
    pub fn scope(subject: Option<&str>) -> Vec<u8> {
        subject.map_or_else(|| GLOBAL.to_vec(), |s| s.as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_confluent() {
        assert_eq!(VersionSpec::parse("latest").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse(" LATEST ").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("-1").unwrap(), VersionSpec::Latest);
        assert_eq!(
            VersionSpec::parse("7").unwrap(),
            VersionSpec::Number(Version(7))
        );
        for bad in ["0", "-2", "abc", "2147483648", "", "earliest"] {
            assert!(VersionSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subjects_refuse_control_characters_only() {
        for ok in ["orders-value", "", "*", "a/b", "{:}'\"", "überweisung"] {
            SubjectName::new(ok).unwrap();
        }
        for bad in ["\rbad\nsubject\t", "a\0b", "__GLOBAL"] {
            assert!(SubjectName::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn subject_version_keys_round_trip_and_sort_by_version() {
        let key = keys::subject_version("orders-value", Version(258));
        assert_eq!(
            keys::parse_subject_version(&key),
            Some(("orders-value".into(), Version(258)))
        );
        assert!(keys::subject_version("s", Version(2)) < keys::subject_version("s", Version(10)));
        assert!(keys::subject_version("s", Version(99)) < keys::subject_version("s-", Version(1)));
    }
}
