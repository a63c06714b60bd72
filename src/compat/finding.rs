//! Findings, reports and their renderings (text for people, JSON for machines).

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use serde_json::Value;

use super::level::Direction;
use super::{Bump, Change, Comparable, Diff, Level, Profile, ReportView, Rule, diff};

/// How a finding fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breach {
    /// Readers in this direction cannot read the data.
    Reads(Direction),
    /// The profile's table format refuses the change (AR950), whatever readers could do.
    RefusedBy(Profile),
}

impl Breach {
    /// "breaks backward", "refused by iceberg-v2".
    pub fn describe(self) -> String {
        match self {
            Breach::Reads(direction) => format!("breaks {}", direction.name()),
            Breach::RefusedBy(profile) => format!("refused by {}", profile.name()),
        }
    }
}

/// A change that fails the level, with the versions it breaks against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub breach: Breach,
    /// Path of the element the finding is about (see [`Change::path`]).
    pub path: String,
    /// Path in the reading schema.
    pub reader_path: String,
    /// Path in the writing schema.
    pub writer_path: String,
    pub location: String,
    pub message: String,
    /// 1-based positions in the history it breaks against (empty for a plain reader/writer check).
    pub against: Vec<usize>,
}

impl Finding {
    pub(crate) fn new(change: Change, breach: Breach, against: Vec<usize>) -> Self {
        // Backward: the new schema reads data the old one wrote. A refusal is about the new
        // schema written over the old one, as backward.
        let (reader_path, writer_path) = match breach {
            Breach::Reads(Direction::Forward) => (change.old_path, change.new_path),
            _ => (change.new_path, change.old_path),
        };
        Finding {
            rule: change.rule,
            breach,
            path: change.path,
            reader_path,
            writer_path,
            location: change.location,
            message: change.message,
            against,
        }
    }
}

/// A breaking change a repository's policy lets through, and why: "ignored until 2027-01-31:
/// ...", "a warning".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: &'static str,
    /// The change's path (see [`Change::path`]).
    pub path: String,
    pub why: String,
}

/// The verdict on a new schema against a history at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub level: Level,
    pub compatible: bool,
    pub bump: Bump,
    /// Every change from the latest version of the history to the new schema.
    pub changes: Vec<Change>,
    /// Every change that breaks the level, against every version checked.
    pub findings: Vec<Finding>,
    /// How many versions the history holds.
    pub history_len: usize,
    /// Breaking changes a repository's policy let through; not among the findings.
    pub waived: Vec<Waiver>,
}

pub(crate) fn check_history<S: Comparable>(history: &[&S], new: &S, level: Level) -> Report {
    let latest = history
        .last()
        .map(|old| diff(*old, new))
        .unwrap_or_default();
    let checked = match (history.len(), level) {
        (_, Level::None) | (0, _) => 0..0,
        (n, level) if level.is_transitive() => 0..n,
        (n, _) => n - 1..n,
    };
    // Versions that differ only in what resolution ignores (docs, extra attributes) break in
    // the same ways, so each resolution form is walked once; its findings name every version.
    let mut computed: Vec<Diff> = Vec::new();
    let mut by_form: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
    let mut findings: Vec<Finding> = Vec::new();
    let mut index: FxHashMap<(&'static str, Breach, String, String, String), usize> =
        FxHashMap::default();
    for v in checked {
        let old = history[v];
        let diff = if v + 1 == history.len() {
            &latest
        } else {
            let slot = *by_form.entry(old.resolution_key()).or_insert_with(|| {
                // Older versions only contribute findings: skip their safe changes.
                let changes = S::breaking_changes(old, new, level.directions());
                computed.push(Diff { changes });
                computed.len() - 1
            });
            &computed[slot]
        };
        for change in &diff.changes {
            let refusal = change
                .refused_by
                .filter(|_| level != Level::None)
                .map(Breach::RefusedBy);
            let reads = [Direction::Backward, Direction::Forward]
                .into_iter()
                .filter(|&d| level.directions().and(change.breaks).has(d))
                .map(Breach::Reads);
            for breach in reads.chain(refusal) {
                let key = (
                    change.rule.code,
                    breach,
                    change.old_path.clone(),
                    change.new_path.clone(),
                    change.message.clone(),
                );
                match index.get(&key) {
                    Some(&i) => findings[i].against.push(v + 1),
                    None => {
                        index.insert(key, findings.len());
                        findings.push(Finding::new(change.clone(), breach, vec![v + 1]));
                    }
                }
            }
        }
    }
    let bump = if findings.is_empty() {
        latest.bump(level)
    } else {
        Bump::Major
    };
    Report {
        level,
        compatible: findings.is_empty(),
        bump,
        changes: latest.changes,
        findings,
        history_len: history.len(),
        waived: Vec::new(),
    }
}

impl Report {
    /// The stable JSON shape documented in the README.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(ReportView::from(self)).expect("a report serializes")
    }

    /// A report for people, with ANSI styles (strip them when the output is not a terminal).
    pub fn to_text(&self) -> String {
        ReportView::from(self).to_text()
    }

    /// How many versions of the history the level checks.
    pub(crate) fn versions_checked(&self) -> usize {
        match (self.history_len, self.level) {
            (_, Level::None) => 0,
            (n, level) if level.is_transitive() => n,
            (n, _) => n.min(1),
        }
    }
}
