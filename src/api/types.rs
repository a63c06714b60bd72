//! The API's request and response bodies: one side builds them, the other reads them (the
//! server and the CLI), so the contract is defined once. Times are RFC 3339
//! (`2026-12-16T00:00:00Z`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::compat::{Level, ReportView};
use crate::registry::{Affected, Delivery, Holdings, PolicyFinding, Reference, SchemaId, Version};

/// A schema in a request body (register, lookup, compatibility, a product's publication);
/// unknown fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<serde_json::Value>,
    /// IMPORT mode: the id to register under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// IMPORT mode: the version to register as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A publication request: the product version and each subject's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishRequest {
    pub version: String,
    #[serde(default)]
    pub schemas: Vec<SubjectSchema>,
    /// The manifest as the team wrote it, in any form accord reads: kept with the publication
    /// and judged by the governance policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// One subject's schema in a publication request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSchema {
    pub subject: String,
    #[serde(flatten)]
    pub schema: SchemaRequest,
}

/// A product in the list of products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub name: String,
    pub domain: String,
    pub owner: String,
    pub latest: Option<String>,
}

/// A product's definition and status: its major lines, the latest version of each, and its
/// open notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStatus {
    pub name: String,
    pub domain: String,
    pub owner: String,
    pub notice_days: u32,
    pub overlap_days: u32,
    pub compatibility: Level,
    pub subjects: Vec<String>,
    pub latest: Option<String>,
    pub majors: Vec<MajorStatus>,
    pub notices: Vec<NoticeView>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sunset_waits_for_consumers: bool,
}

/// A major line: `active`, `deprecated` until its sunset, or `retired`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MajorStatus {
    pub line: String,
    pub state: String,
    pub latest: String,
    pub sunset: Option<Timestamp>,
    /// Whole days from now to the sunset, for a deprecated line (negative once past it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// The consumers still on this major.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<String>,
    /// Past its sunset but not retired: the product waits for the consumers still on it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
}

/// A breaking-change notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub product: String,
    pub major: u64,
    pub summary: String,
    pub actor: String,
    pub announced: Timestamp,
    /// From when the major may be published.
    pub effective: Timestamp,
    pub withdrawn: Option<Timestamp>,
}

/// A published product version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationView {
    pub version: String,
    pub published: Timestamp,
    pub actor: String,
    pub schemas: Vec<PublishedSchemaView>,
    /// The manifest as the team wrote it; reading a version returns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// One subject's schema in a product version; reading a version also returns its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedSchemaView {
    pub subject: String,
    pub version: Version,
    pub id: SchemaId,
    #[serde(
        rename = "schemaType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

/// The answer to a publication: what was published, and the evaluation that allowed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    #[serde(flatten)]
    pub publication: PublicationView,
    pub evaluation: EvaluationView,
}

/// What publishing a version does, or would do (a dry run), for people and for CI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationView {
    pub product: String,
    pub version: String,
    pub accepted: bool,
    pub refusal: Option<RefusalView>,
    pub step: Option<StepView>,
    pub required_bump: Option<String>,
    pub subjects: Vec<SubjectCheckView>,
    pub next_notice: Option<NoticeView>,
    /// The governance policy's findings on the manifest; an error among them refuses it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy: Vec<PolicyFinding>,
    /// The consumers a new major would leave on the majors it deprecates (and downstream).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    /// Set by the CLI when the product does not exist yet: its first version.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_product: bool,
}

/// Why a version is refused: the native error code and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalView {
    pub code: String,
    pub message: String,
}

/// Where a version goes: the product's first, within its line, or a new major line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepView {
    First,
    InLine,
    NewLine,
}

/// One subject's check within an evaluation: the report, the product version of each version
/// it was checked against, and each finding as a line naming them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectCheckView {
    pub subject: String,
    pub unchanged: bool,
    pub against: Vec<String>,
    pub findings_text: Vec<String>,
    #[serde(flatten)]
    pub report: ReportView,
}

/// `POST /subjects/{subject}/versions`: the schema's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredId {
    pub id: SchemaId,
}

/// A subject's version as Confluent's API serves it; references, metadata and the rule set
/// only when present, as Confluent omits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectVersionView {
    pub subject: String,
    pub version: Version,
    pub id: SchemaId,
    #[serde(rename = "schemaType")]
    pub schema_type: String,
    pub schema: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    #[serde(rename = "ruleSet", default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// A configuration as `GET /config` shows it: only the fields that are set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    #[serde(
        rename = "compatibilityLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub compatibility_level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
}

/// Every error answer: `{"error_code": .., "message": ..}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_code: ErrorCode,
    pub message: String,
}

/// Confluent's number on its paths, a stable snake_case name on the native `/v1/` API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorCode {
    Number(u32),
    Name(String),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorCode::Number(n) => n.fmt(f),
            ErrorCode::Name(name) => f.write_str(name),
        }
    }
}

/// The header naming who acts, recorded in a data product's audit history.
pub const ACTOR_HEADER: &str = "x-accord-actor";

/// Who acts, for the audit history: a name without control characters, 1 to 200 characters.
pub fn check_actor(name: &str) -> Result<String, String> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err("an actor is 1 to 200 characters".to_string());
    }
    if name.chars().any(char::is_control) {
        return Err(format!("the actor {name:?} contains control characters"));
    }
    Ok(name.to_string())
}

/// A name (a subject, a product) as one URL path segment (`/` and every other reserved character percent-encoded).
pub fn segment(subject: &str) -> String {
    let mut out = String::new();
    for byte in subject.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An actor as the header carries it: printable ASCII as it is, any other name as RFC 8187's
/// `UTF-8''` and its bytes percent-encoded (`José` is `UTF-8''Jos%C3%A9`).
pub fn encode_actor(name: &str) -> String {
    if name.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !name.starts_with("UTF-8''") {
        return name.to_string();
    }
    let mut out = String::from("UTF-8''");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The actor a header names (see [`encode_actor`]); raw UTF-8 is read as it is too.
pub fn decode_actor(value: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(value).map_err(|_| "the actor is not UTF-8".to_string())?;
    let name = match text.strip_prefix("UTF-8''") {
        None => text.trim().to_string(),
        Some(encoded) => {
            let mut bytes = Vec::with_capacity(encoded.len());
            let mut rest = encoded.as_bytes();
            while let Some((&byte, tail)) = rest.split_first() {
                if byte == b'%' {
                    let hex = tail
                        .get(..2)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(|| format!("the actor `{text}` has a bad % escape"))?;
                    bytes.push(hex);
                    rest = &tail[2..];
                } else {
                    bytes.push(byte);
                    rest = tail;
                }
            }
            String::from_utf8(bytes).map_err(|_| format!("the actor `{text}` is not UTF-8"))?
        }
    };
    check_actor(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11, item 13: non-ASCII actors were audited as "anonymous".
    #[test]
    fn actors_cross_the_header_whole() {
        for name in [
            "alice",
            "José",
            "名前",
            "team payments",
            "UTF-8''literal",
            "50% off",
        ] {
            let header = encode_actor(name);
            assert!(header.is_ascii(), "{header}");
            assert_eq!(
                decode_actor(header.as_bytes()).as_deref(),
                Ok(name),
                "{header}"
            );
        }
        assert_eq!(encode_actor("José"), "UTF-8''Jos%C3%A9");
        assert_eq!(decode_actor("José".as_bytes()).as_deref(), Ok("José"));
        assert!(
            decode_actor(b"UTF-8''a%0Ab")
                .unwrap_err()
                .contains("control characters")
        );
        assert!(
            decode_actor(b"UTF-8''a%G1")
                .unwrap_err()
                .contains("bad % escape")
        );
        assert!(check_actor("a\u{1b}[2J").is_err());
    }
}

/// The answer of the platform registration API (`PUT /v1/data-products/{domain}/{name}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationAnswer {
    pub name: String,
    pub domain: String,
    /// `registered` (a new product, 201), `updated` (the same version's descriptive fields) or
    /// `published` (a new version).
    pub outcome: String,
    /// The product's catalog page.
    pub catalog_url: String,
    /// What publishing the version did, when it published one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<EvaluationView>,
}

/// A product in the catalog: what search matches and a catalog page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub name: String,
    pub domain: String,
    pub owner: String,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The latest published version.
    pub version: Option<String>,
    /// The top-level columns (or record fields) of the latest version.
    #[serde(default)]
    pub columns: Vec<String>,
    pub catalog_url: String,
    /// The manifest as last registered or published (on a product's own page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// `PUT /v1/products/{name}/consumers/{consumer}`: who reads the product, at which major.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerRequest {
    pub major: u64,
    /// The consumer's own domain, which the caller must publish for.
    pub domain: String,
    pub contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// The key webhook bodies are signed with; kept, never served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The data product the consumer is, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_product: Option<String>,
}

/// `POST /v1/products/{name}/consumers/{consumer}/migrate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrateRequest {
    pub major: u64,
}

/// A consumer as the API shows it: its secret never, whether it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerView {
    pub name: String,
    pub product: String,
    pub major: u64,
    pub domain: String,
    pub contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// Webhook bodies are signed.
    #[serde(default)]
    pub signed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_product: Option<String>,
    pub since: Timestamp,
}

/// A webhook delivery and its state: `pending`, `delivered` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub state: String,
    #[serde(flatten)]
    pub delivery: Delivery,
}

/// `POST /v1/backups`: where on the server's machine the copy goes (a new directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    pub path: String,
}

/// A backup written: where, what it holds (at least), and how long it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupAnswer {
    pub path: String,
    #[serde(flatten)]
    pub holdings: Holdings,
    pub millis: u64,
}
