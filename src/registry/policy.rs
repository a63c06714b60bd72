//! Data products: a semver version per product, breaking changes only in a new major that was
//! announced a notice window ahead, and older majors open for compatible fixes until their
//! sunset. This file is the policy, over plain data and a given "now"; `products.rs` applies it
//! to the registry.
//!
//! A *line* is what a version must stay compatible with: its major (`2.x.y`), or, before 1.0.0,
//! its minor (`0.3.z`), as semver's `0.y.z` rule and Cargo read it: there a breaking change needs
//! only a minor bump and no notice, and any other change a patch bump.

use std::collections::BTreeMap;
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use semver::Version as Semver;
use serde::{Deserialize, Serialize};

use super::model::{SchemaId, SubjectName, Version};
use super::products::Consumer;
use crate::compat::{Bump, Level};

/// `n` days of 24 hours: notice windows and overlaps are counted in them.
pub fn days(n: u32) -> SignedDuration {
    SignedDuration::from_hours(24 * i64::from(n))
}

/// A data product's definition, as its manifest and the API give it: what they leave out takes
/// its default here, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataProduct {
    /// Taken from the path by the API, which refuses a body naming another product.
    #[serde(default)]
    pub name: String,
    pub domain: String,
    pub owner: String,
    /// Days a breaking change must be announced ahead.
    #[serde(default = "DataProduct::default_notice_days")]
    pub notice_days: u32,
    /// Days an older major stays open for fixes once the next one is published.
    #[serde(default = "DataProduct::default_overlap_days")]
    pub overlap_days: u32,
    /// The level each subject's new schema is checked at, within its line.
    #[serde(default = "DataProduct::default_compatibility")]
    pub compatibility: Level,
    /// The subjects that carry the product's schemas.
    pub subjects: Vec<String>,
    /// A deprecated line is not retired at its sunset while consumers remain on its major.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sunset_waits_for_consumers: bool,
    /// The manifest as last registered or published, in whichever form: what the catalog
    /// searches and serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// A name that is one URL path segment as it is: 1 to 200 letters, digits, `.`, `-` or `_`,
/// and not only dots (`.` and `..` would be path segments, not names). Products and consumers
/// are named so.
pub fn is_path_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !name.chars().all(|c| c == '.')
}

impl DataProduct {
    pub const DEFAULT_NOTICE_DAYS: u32 = 14;
    pub const DEFAULT_OVERLAP_DAYS: u32 = 30;

    /// A product with every default: 14 notice days, 30 overlap days, BACKWARD, no manifest.
    pub fn new(name: String, domain: String, owner: String, subjects: Vec<String>) -> Self {
        DataProduct {
            name,
            domain,
            owner,
            notice_days: Self::DEFAULT_NOTICE_DAYS,
            overlap_days: Self::DEFAULT_OVERLAP_DAYS,
            compatibility: Self::default_compatibility(),
            subjects,
            sunset_waits_for_consumers: false,
            manifest: None,
        }
    }

    fn default_notice_days() -> u32 {
        Self::DEFAULT_NOTICE_DAYS
    }

    fn default_overlap_days() -> u32 {
        Self::DEFAULT_OVERLAP_DAYS
    }

    fn default_compatibility() -> Level {
        Level::Backward
    }

    /// Checks what a definition must hold; the problem is named in the error.
    pub fn validate(&self) -> Result<(), ProductError> {
        let invalid = |message: String| Err(ProductError::InvalidProduct(message));
        if !is_path_name(&self.name) {
            return invalid(format!(
                "product name `{}` must be 1 to 200 letters, digits, `.`, `-` or `_`, and not only dots",
                self.name
            ));
        }
        for (field, value) in [("domain", &self.domain), ("owner", &self.owner)] {
            if value.chars().any(char::is_control) {
                return invalid(format!("`{field}` must not contain control characters"));
            }
        }
        for (field, value) in [("domain", &self.domain), ("owner", &self.owner)] {
            if value.trim().is_empty() {
                return invalid(format!("`{field}` must not be empty"));
            }
        }
        if self.subjects.is_empty() {
            return invalid("a product needs at least one subject".into());
        }
        for (i, subject) in self.subjects.iter().enumerate() {
            if subject.is_empty() {
                return invalid("a subject name must not be empty".into());
            }
            if let Err(e) = SubjectName::new(subject.as_str()) {
                return invalid(e.to_string());
            }
            if self.subjects[..i].contains(subject) {
                return invalid(format!("subject `{subject}` is listed twice"));
            }
        }
        Ok(())
    }
}

/// A published product version: which schema version each subject carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub version: Semver,
    /// Stored as milliseconds since the Unix epoch.
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub ts: Timestamp,
    pub actor: String,
    pub schemas: BTreeMap<String, PublishedSchema>,
    /// The manifest as the team wrote it, in whichever form, when the publication came with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// One subject's schema in a publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedSchema {
    pub version: Version,
    pub id: SchemaId,
}

/// The announcement of a breaking change: the major it will come in, and from when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub product: String,
    pub major: u64,
    pub summary: String,
    pub actor: String,
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub announced_ts: Timestamp,
    /// From when the major may be published: announcement + the product's notice days.
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub effective_ts: Timestamp,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "jiff::fmt::serde::timestamp::millisecond::optional"
    )]
    pub withdrawn_ts: Option<Timestamp>,
}

impl Notice {
    /// What a summary may hold: what breaks, for consumers, not a document.
    pub const MAX_SUMMARY_BYTES: usize = 4096;

    pub fn is_open(&self) -> bool {
        self.withdrawn_ts.is_none()
    }
}

/// One decision of a product's audit history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(with = "jiff::fmt::serde::timestamp::millisecond::required")]
    pub ts: Timestamp,
    pub actor: String,
    /// `define`, `publish`, `announce` or `withdraw`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub accepted: bool,
    /// The rule that decided: `accepted`, or the code of the refusal.
    pub decided_by: String,
    pub message: String,
    /// At most [`AuditEntry::MAX_FINDINGS`], the last line counting the rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

impl AuditEntry {
    /// The findings an entry keeps: a refusal of a thousand-subject break stays readable.
    pub const MAX_FINDINGS: usize = 100;
}

/// The first `limit` lines, and a last one counting those left out.
pub fn capped(mut lines: Vec<String>, limit: usize, what: &str) -> Vec<String> {
    if lines.len() > limit {
        let more = lines.len() - limit;
        lines.truncate(limit);
        lines.push(format!("... and {more} more {what}"));
    }
    lines
}

/// The key of a line: the major, or `0.minor` before 1.0.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    pub major: u64,
    /// Set only for major 0.
    pub minor: Option<u64>,
}

impl Line {
    pub fn of(version: &Semver) -> Line {
        Line {
            major: version.major,
            minor: (version.major == 0).then_some(version.minor),
        }
    }

    /// The first version of the line after this one.
    pub fn next_start(self) -> Semver {
        match self.minor {
            Some(minor) => Semver::new(0, minor + 1, 0),
            None => Semver::new(self.major + 1, 0, 0),
        }
    }

    /// Whether opening this line after `previous` needs a notice: only a new major from 1 on.
    fn needs_notice_after(self, previous: Line) -> bool {
        self.major >= 2 && self.major > previous.major
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            Some(minor) => write!(f, "0.{minor}"),
            None => write!(f, "{}", self.major),
        }
    }
}

/// Where a line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineState {
    Active,
    /// A newer line was published; fixes are accepted until the sunset.
    Deprecated {
        sunset_ts: Timestamp,
    },
    /// Past its sunset: readable, closed to new versions.
    Retired {
        sunset_ts: Timestamp,
    },
}

impl LineState {
    pub fn name(self) -> &'static str {
        match self {
            LineState::Active => "active",
            LineState::Deprecated { .. } => "deprecated",
            LineState::Retired { .. } => "retired",
        }
    }

    pub fn sunset_ts(self) -> Option<Timestamp> {
        match self {
            LineState::Active => None,
            LineState::Deprecated { sunset_ts } | LineState::Retired { sunset_ts } => {
                Some(sunset_ts)
            }
        }
    }
}

/// A product's published history and notices, as the registry holds them.
#[derive(Debug, Clone)]
pub struct ProductState {
    pub product: DataProduct,
    /// In publication order.
    pub publications: Vec<Publication>,
    /// By major, the latest notice for it (withdrawn ones included).
    pub notices: BTreeMap<u64, Notice>,
    /// How many audit entries are stored.
    pub audit_len: u64,
    /// Its registered readers, by name.
    pub consumers: BTreeMap<String, Consumer>,
}

/// What publishing a version is, once its number has been judged acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The product's first version: nothing to be compatible with.
    First,
    /// A version in an existing line, judged against the latest publication of that line.
    InLine { base: Semver },
    /// The first version of a new line: breaking changes allowed (the notice was checked).
    NewLine,
}

impl ProductState {
    pub fn latest(&self) -> Option<&Publication> {
        self.publications
            .iter()
            .max_by(|a, b| a.version.cmp(&b.version))
    }

    /// The latest publication of a line.
    pub fn latest_in(&self, line: Line) -> Option<&Publication> {
        self.publications
            .iter()
            .filter(|p| Line::of(&p.version) == line)
            .max_by(|a, b| a.version.cmp(&b.version))
    }

    /// The publications of a line, oldest first.
    pub fn line_history(&self, line: Line) -> impl Iterator<Item = &Publication> {
        self.publications
            .iter()
            .filter(move |p| Line::of(&p.version) == line)
    }

    /// Every line published, oldest first.
    pub fn lines(&self) -> Vec<Line> {
        let mut lines: Vec<Line> = self
            .publications
            .iter()
            .map(|p| Line::of(&p.version))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }

    /// The consumers still on a line's major, by name.
    pub fn consumers_on(&self, line: Line) -> Vec<&str> {
        self.consumers
            .values()
            .filter(|c| c.major == line.major)
            .map(|c| c.name.as_str())
            .collect()
    }

    /// A line's state at `now`: deprecated from the first publication of the next line on, for
    /// the product's overlap days; retired after, unless the product waits for the consumers
    /// still on it.
    pub fn line_state(&self, line: Line, now: Timestamp) -> LineState {
        let successor = self
            .publications
            .iter()
            .filter(|p| Line::of(&p.version) > line)
            .map(|p| p.ts)
            .min();
        match successor {
            None => LineState::Active,
            Some(ts) => {
                let sunset_ts = ts + days(self.product.overlap_days);
                let held =
                    self.product.sunset_waits_for_consumers && !self.consumers_on(line).is_empty();
                if now < sunset_ts || held {
                    LineState::Deprecated { sunset_ts }
                } else {
                    LineState::Retired { sunset_ts }
                }
            }
        }
    }

    /// The notice that is open for a major, if any.
    pub fn open_notice(&self, major: u64) -> Option<&Notice> {
        self.notices.get(&major).filter(|n| n.is_open())
    }

    /// Judges a version number against the history at `now`: it must be greater than what its
    /// line holds, open a line only right after the latest one, open a new major only after an
    /// effective notice, and not go into a retired line.
    pub fn step(&self, version: &Semver, now: Timestamp) -> Result<Step, ProductError> {
        if !version.pre.is_empty() || !version.build.is_empty() {
            return Err(ProductError::InvalidVersion {
                version: version.to_string(),
                reason: "pre-release and build tags are not published; use a release version"
                    .into(),
            });
        }
        let Some(latest) = self.latest() else {
            return Ok(Step::First);
        };
        let line = Line::of(version);
        let latest_line = Line::of(&latest.version);
        if line > latest_line {
            let expected = latest_line.next_start();
            // From 0.y, the first stable release 1.0.0 is as valid a next line as 0.(y+1).
            let first_stable = latest_line.major == 0 && version.major == 1;
            if Line::of(&expected) != line && !first_stable {
                return Err(ProductError::MajorSkipped {
                    version: version.clone(),
                    latest: latest.version.clone(),
                    expected,
                });
            }
            if line.needs_notice_after(latest_line) {
                self.check_notice(line.major, now)?;
            }
            return Ok(Step::NewLine);
        }
        let Some(base) = self.latest_in(line) else {
            return Err(ProductError::LineNotPublished {
                version: version.clone(),
                line,
                lines: self.lines(),
            });
        };
        if *version <= base.version {
            return Err(ProductError::VersionNotIncreasing {
                version: version.clone(),
                latest: base.version.clone(),
                next: next_versions(&base.version, line == latest_line),
            });
        }
        if let LineState::Retired { sunset_ts } = self.line_state(line, now) {
            return Err(ProductError::LineRetired { line, sunset_ts });
        }
        Ok(Step::InLine {
            base: base.version.clone(),
        })
    }

    fn check_notice(&self, major: u64, now: Timestamp) -> Result<(), ProductError> {
        match self.open_notice(major) {
            None => Err(ProductError::NoticeRequired {
                product: self.product.name.clone(),
                major,
                notice_days: self.product.notice_days,
            }),
            Some(notice) if notice.effective_ts > now => Err(ProductError::NoticeWindowOpen {
                major,
                announced_ts: notice.announced_ts,
                effective_ts: notice.effective_ts,
                now,
            }),
            Some(_) => Ok(()),
        }
    }

    /// Judges an announcement for `major` with its summary.
    pub fn check_announcement(&self, major: u64, summary: &str) -> Result<(), ProductError> {
        if summary.trim().is_empty() || summary.len() > Notice::MAX_SUMMARY_BYTES {
            return Err(ProductError::InvalidNotice(format!(
                "a notice's summary says what breaks in 1 to {} bytes; this one has {}",
                Notice::MAX_SUMMARY_BYTES,
                summary.len()
            )));
        }
        let latest_major = self.latest().map_or(0, |p| p.version.major);
        if major != latest_major + 1 {
            return Err(ProductError::InvalidNotice(format!(
                "a notice announces the next major, {}, not {major} (latest published: {})",
                latest_major + 1,
                self.latest()
                    .map_or_else(|| "nothing".to_string(), |p| p.version.to_string())
            )));
        }
        if let Some(notice) = self.open_notice(major) {
            return Err(ProductError::NoticeExists {
                major,
                effective_ts: notice.effective_ts,
            });
        }
        Ok(())
    }

    /// Judges the withdrawal of the notice for `major`: it must be open, and its major not
    /// published yet.
    pub fn check_withdrawal(&self, major: u64) -> Result<&Notice, ProductError> {
        let notice = self
            .open_notice(major)
            .ok_or(ProductError::NoticeNotFound { major })?;
        if self.publications.iter().any(|p| p.version.major == major) {
            return Err(ProductError::InvalidNotice(format!(
                "major {major} is already published; its notice can no longer be withdrawn"
            )));
        }
        Ok(notice)
    }
}

/// The bump from `base` to `version` in the same line: minor or patch (before 1.0.0, any
/// in-line bump counts as minor).
pub fn declared_bump(base: &Semver, version: &Semver) -> Bump {
    if base.major == 0 || version.minor != base.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

/// The smallest version after `base` whose bump is at least `bump` (major: the next line).
pub fn minimum_version(base: &Semver, bump: Bump) -> Semver {
    match bump {
        Bump::Major => Line::of(base).next_start(),
        Bump::Minor if base.major > 0 => Semver::new(base.major, base.minor + 1, 0),
        _ => Semver::new(base.major, base.minor, base.patch + 1),
    }
}

/// The versions that may follow `base`, for messages.
fn next_versions(base: &Semver, open_line: bool) -> Vec<String> {
    let mut next = vec![minimum_version(base, Bump::Patch).to_string()];
    if base.major > 0 {
        next.push(minimum_version(base, Bump::Minor).to_string());
    }
    if open_line {
        let start = Line::of(base).next_start();
        if Line::of(&start).needs_notice_after(Line::of(base)) {
            next.push(format!("{start} (after a notice)"));
        } else {
            next.push(start.to_string());
        }
    }
    next
}

/// A date as people read it in messages: `2026-12-04`.
pub fn date(time: Timestamp) -> String {
    time.strftime("%Y-%m-%d").to_string()
}

/// Whole days from `now` until `then`, rounded up.
pub fn days_until(then: Timestamp, now: Timestamp) -> i128 {
    let day = days(1).as_millis();
    (then.duration_since(now).as_millis() + day - 1).div_euclid(day)
}

/// Why a product change is refused. Each has a stable snake_case code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("data product `{0}` not found")]
    ProductNotFound(String),
    #[error("invalid data product: {0}")]
    InvalidProduct(String),
    #[error("subject `{subject}` already belongs to data product `{product}`")]
    SubjectTaken { subject: String, product: String },
    #[error("invalid version `{version}`: {reason}")]
    InvalidVersion { version: String, reason: String },
    #[error(
        "version {version} is not greater than {latest}, the latest of its line; next valid versions: {}",
        next.join(", ")
    )]
    VersionNotIncreasing {
        version: Semver,
        latest: Semver,
        next: Vec<String>,
    },
    #[error(
        "version {version} skips a major: the latest version is {latest}, so the next major is {expected}"
    )]
    MajorSkipped {
        version: Semver,
        latest: Semver,
        expected: Semver,
    },
    #[error(
        "version {version} would go into line {line}, which was never published (published lines: {})",
        lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    LineNotPublished {
        version: Semver,
        line: Line,
        lines: Vec<Line>,
    },
    #[error("line {line} was retired on {}: it stays readable but takes no new versions", date(*sunset_ts))]
    LineRetired { line: Line, sunset_ts: Timestamp },
    #[error(
        "breaking change in {}: {}; {}",
        subjects.join(", "),
        findings.join("; "),
        advice
    )]
    BreakingChangeRequiresMajor {
        subjects: Vec<String>,
        findings: Vec<String>,
        /// What to do instead: the next major, and its notice state.
        advice: String,
    },
    #[error(
        "version {version} is under-bumped: {reason} needs at least a {} bump; publish {minimum} or later",
        needed.name()
    )]
    VersionUnderBumped {
        version: Semver,
        needed: Bump,
        minimum: Semver,
        reason: String,
    },
    #[error(
        "major {major} needs a breaking-change notice announced {notice_days} days ahead; announce one (`accord notice announce {product} --major {major}`), then publish from {notice_days} days later"
    )]
    NoticeRequired {
        product: String,
        major: u64,
        notice_days: u32,
    },
    #[error(
        "notice for {major}.0.0 announced {}; allowed from {}, {} days from now",
        date(*announced_ts),
        date(*effective_ts),
        days_until(*effective_ts, *now)
    )]
    NoticeWindowOpen {
        major: u64,
        announced_ts: Timestamp,
        effective_ts: Timestamp,
        now: Timestamp,
    },
    #[error("a notice for major {major} is already open, effective {}", date(*effective_ts))]
    NoticeExists { major: u64, effective_ts: Timestamp },
    #[error("no open notice for major {major}")]
    NoticeNotFound { major: u64 },
    #[error("invalid notice: {0}")]
    InvalidNotice(String),
    #[error("subject `{subject}` is not part of data product `{product}`")]
    SubjectNotInProduct { subject: String, product: String },
    #[error("the first version of a product needs a schema for every subject; missing: {}", .0.join(", "))]
    MissingSchemas(Vec<String>),
    #[error("the platform's governance policy refuses the manifest: {}", .0.join("; "))]
    PolicyViolated(Vec<String>),
    #[error(
        "version {0} is already published with other columns; publish the change as a new version"
    )]
    VersionPublishedOtherwise(Semver),
    #[error("invalid consumer: {0}")]
    InvalidConsumer(String),
    #[error("`{product}` has no consumer `{consumer}`")]
    ConsumerNotFound { product: String, consumer: String },
}

impl ProductError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            ProductError::ProductNotFound(_) => "product_not_found",
            ProductError::InvalidProduct(_) => "invalid_product",
            ProductError::SubjectTaken { .. } => "subject_taken",
            ProductError::InvalidVersion { .. } => "invalid_version",
            ProductError::VersionNotIncreasing { .. } => "version_not_increasing",
            ProductError::MajorSkipped { .. } => "major_skipped",
            ProductError::LineNotPublished { .. } => "line_not_published",
            ProductError::LineRetired { .. } => "line_retired",
            ProductError::BreakingChangeRequiresMajor { .. } => "breaking_change_requires_major",
            ProductError::VersionUnderBumped { .. } => "version_under_bumped",
            ProductError::NoticeRequired { .. } => "notice_required",
            ProductError::NoticeWindowOpen { .. } => "notice_window_open",
            ProductError::NoticeExists { .. } => "notice_exists",
            ProductError::NoticeNotFound { .. } => "notice_not_found",
            ProductError::InvalidNotice(_) => "invalid_notice",
            ProductError::SubjectNotInProduct { .. } => "subject_not_in_product",
            ProductError::MissingSchemas(_) => "missing_schemas",
            ProductError::PolicyViolated(_) => "policy_violated",
            ProductError::VersionPublishedOtherwise(_) => "version_published_otherwise",
            ProductError::InvalidConsumer(_) => "invalid_consumer",
            ProductError::ConsumerNotFound { .. } => "consumer_not_found",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Midnight (UTC) of day `n` after the epoch.
    fn day(n: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * n)
    }

    fn v(text: &str) -> Semver {
        Semver::parse(text).unwrap()
    }

    fn state(versions: &[(&str, i64)]) -> ProductState {
        ProductState {
            product: DataProduct {
                name: "payments.transactions".into(),
                domain: "payments".into(),
                owner: "payments-engineering".into(),
                notice_days: 14,
                overlap_days: 30,
                compatibility: Level::Backward,
                subjects: vec!["transactions-value".into()],
                sunset_waits_for_consumers: false,
                manifest: None,
            },
            consumers: BTreeMap::new(),
            publications: versions
                .iter()
                .map(|(version, n)| Publication {
                    manifest: None,
                    version: v(version),
                    ts: day(*n),
                    actor: "ci".into(),
                    schemas: BTreeMap::new(),
                })
                .collect(),
            notices: BTreeMap::new(),
            audit_len: 0,
        }
    }

    #[test]
    fn versions_must_increase_within_their_line() {
        let s = state(&[("1.0.0", 0), ("1.1.0", 1)]);
        let err = s.step(&v("1.1.0"), day(2)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "version 1.1.0 is not greater than 1.1.0, the latest of its line; next valid versions: 1.1.1, 1.2.0, 2.0.0 (after a notice)"
        );
        assert_eq!(err.code(), "version_not_increasing");
        assert_eq!(
            s.step(&v("1.1.1"), day(0)).unwrap(),
            Step::InLine { base: v("1.1.0") }
        );
        assert_eq!(
            s.step(&v("3.0.0"), day(0)).unwrap_err().code(),
            "major_skipped"
        );
        assert_eq!(
            s.step(&v("1.2.0-rc.1"), day(0)).unwrap_err().code(),
            "invalid_version"
        );
    }

    #[test]
    fn a_new_major_waits_for_its_notice() {
        let mut s = state(&[("1.0.0", 0)]);
        assert_eq!(
            s.step(&v("2.0.0"), day(1)).unwrap_err().code(),
            "notice_required"
        );
        s.notices.insert(
            2,
            Notice {
                product: "payments.transactions".into(),
                major: 2,
                summary: "drop amount".into(),
                actor: "ci".into(),
                announced_ts: day(10),
                effective_ts: day(24),
                withdrawn_ts: None,
            },
        );
        let err = s.step(&v("2.0.0"), day(11)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "notice for 2.0.0 announced 1970-01-11; allowed from 1970-01-25, 13 days from now"
        );
        assert_eq!(s.step(&v("2.0.0"), day(24)).unwrap(), Step::NewLine);
    }

    #[test]
    fn before_1_0_0_a_minor_bump_opens_a_line_without_notice() {
        let s = state(&[("0.1.0", 0), ("0.1.1", 1)]);
        assert_eq!(s.step(&v("0.2.0"), day(2)).unwrap(), Step::NewLine);
        assert_eq!(s.step(&v("1.0.0"), day(2)).unwrap(), Step::NewLine);
        assert_eq!(
            s.step(&v("0.1.2"), day(2)).unwrap(),
            Step::InLine { base: v("0.1.1") }
        );
        assert_eq!(minimum_version(&v("0.1.1"), Bump::Minor), v("0.1.2"));
        assert_eq!(minimum_version(&v("0.1.1"), Bump::Major), v("0.2.0"));
        assert_eq!(declared_bump(&v("0.1.1"), &v("0.1.2")), Bump::Minor);
    }

    #[test]
    fn an_older_major_takes_fixes_until_its_sunset() {
        let s = state(&[("1.0.0", 0), ("1.1.0", 1), ("2.0.0", 20)]);
        assert_eq!(
            s.line_state(Line::of(&v("1.0.0")), day(25)),
            LineState::Deprecated { sunset_ts: day(50) }
        );
        assert_eq!(
            s.step(&v("1.1.1"), day(49)).unwrap(),
            Step::InLine { base: v("1.1.0") }
        );
        let err = s.step(&v("1.1.1"), day(50)).unwrap_err();
        assert_eq!(err.code(), "line_retired");
        assert_eq!(
            err.to_string(),
            "line 1 was retired on 1970-02-20: it stays readable but takes no new versions"
        );
    }
}
