//! A report as data that leaves the process (JSON for machines, the registry's API, the CLI
//! reading it back) and its one rendering for people. The text is rendered from this form, so a
//! report read from a registry prints exactly as one computed locally.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::{Deserialize, Serialize};

use super::{Breach, Level, Profile, Report};

/// A [`Report`] in its stable JSON shape (documented in the README).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub compatible: bool,
    pub level: Level,
    pub bump: String,
    pub versions_checked: usize,
    pub changes: Vec<ChangeView>,
    pub findings: Vec<FindingView>,
}

/// One change from the latest version to the new schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub rule: String,
    pub name: String,
    pub path: String,
    pub old_path: String,
    pub new_path: String,
    pub location: String,
    pub message: String,
    pub breaks: Vec<String>,
    pub refused_by: Option<String>,
    /// Whether the change fails the report's level.
    pub breaks_level: bool,
    /// Why a repository's policy lets this breaking change through, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

/// One change that fails the level, with the versions (1-based) it fails against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub rule: String,
    pub name: String,
    pub path: String,
    pub reader_path: String,
    pub writer_path: String,
    pub location: String,
    pub message: String,
    pub breaks: Vec<String>,
    pub refused_by: Option<String>,
    pub against: Vec<usize>,
}

impl From<&Report> for ReportView {
    fn from(report: &Report) -> Self {
        let changes = report
            .changes
            .iter()
            .map(|c| {
                let waived = report
                    .waived
                    .iter()
                    .find(|w| w.rule == c.rule.code && w.path == c.path)
                    .map(|w| w.why.clone());
                ChangeView {
                    rule: c.rule.code.to_string(),
                    name: c.rule.name.to_string(),
                    path: c.path.clone(),
                    old_path: c.old_path.clone(),
                    new_path: c.new_path.clone(),
                    location: c.location.clone(),
                    message: c.message.clone(),
                    breaks: c.breaks.names().into_iter().map(str::to_string).collect(),
                    refused_by: c.refused_by.map(|p| p.name().to_string()),
                    breaks_level: c.fails(report.level) && waived.is_none(),
                    waived,
                }
            })
            .collect();
        let findings = report
            .findings
            .iter()
            .map(|f| {
                let (breaks, refused_by) = match f.breach {
                    Breach::Reads(direction) => (vec![direction.name().to_string()], None),
                    Breach::RefusedBy(profile) => (Vec::new(), Some(Profile::name(profile))),
                };
                FindingView {
                    rule: f.rule.code.to_string(),
                    name: f.rule.name.to_string(),
                    path: f.path.clone(),
                    reader_path: f.reader_path.clone(),
                    writer_path: f.writer_path.clone(),
                    location: f.location.clone(),
                    message: f.message.clone(),
                    breaks,
                    refused_by: refused_by.map(str::to_string),
                    against: f.against.clone(),
                }
            })
            .collect();
        ReportView {
            compatible: report.compatible,
            level: report.level,
            bump: report.bump.name().to_string(),
            versions_checked: report.versions_checked(),
            changes,
            findings,
        }
    }
}

struct Styles {
    bad: Style,
    warn: Style,
    good: Style,
    bold: Style,
    dim: Style,
}

const STYLES: Styles = Styles {
    bad: Style::new()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
        .bold(),
    warn: Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow))),
    good: Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green))),
    bold: Style::new().bold(),
    dim: Style::new().dimmed(),
};

impl ReportView {
    /// A report for people, with ANSI styles (strip them when the output is not a terminal).
    pub fn to_text(&self) -> String {
        let Styles {
            bad, good, bold, ..
        } = STYLES;
        let mut out = String::new();
        if self.changes.is_empty() {
            let _ = writeln!(out, "no changes");
        } else {
            let _ = writeln!(out, "{bold}changes{bold:#} ({}):", self.changes.len());
        }
        self.write_changes(&mut out);

        // Against a single version the changes above already say it all.
        if self.versions_checked > 1 && !self.findings.is_empty() {
            let _ = writeln!(out, "\n{bold}findings{bold:#} ({}):", self.findings.len());
            for f in &self.findings {
                let versions: Vec<String> = f.against.iter().map(|v| format!("v{v}")).collect();
                entry(&mut out, (bad, "✗"), f.rule_of(), f.place(), &f.message);
                let _ = writeln!(
                    out,
                    "      {bad}{} against {}{bad:#}",
                    f.breach(),
                    versions.join(", ")
                );
            }
        }

        let _ = writeln!(out);
        if self.level == Level::None {
            let _ = write!(out, "{good}compatible{good:#}: level NONE checks nothing");
        } else if self.compatible {
            let _ = write!(
                out,
                "{good}compatible{good:#} at {} ({})",
                self.level,
                plural(self.versions_checked, "version checked", "versions checked")
            );
        } else {
            let _ = write!(
                out,
                "{bad}incompatible{bad:#} at {}: {}",
                self.level,
                plural(self.findings.len(), "finding", "findings")
            );
        }
        let _ = writeln!(out, "; required bump: {bold}{}{bold:#}", self.bump);
        out
    }

    /// Each change: its mark, rule, location and path, its message, and what it breaks.
    pub fn write_changes(&self, out: &mut String) {
        let Styles {
            bad, warn, good, ..
        } = STYLES;
        for c in &self.changes {
            let breaks = c.breaks.join(" and ");
            let (mark, style, verdict) = if let Some(why) = &c.waived {
                ("!", warn, format!("breaks {breaks}; waived: {why}"))
            } else if let Some(profile) = &c.refused_by {
                let mark = if c.breaks_level { "✗" } else { "!" };
                (mark, bad, format!("refused by {profile}"))
            } else if c.breaks_level {
                ("✗", bad, format!("breaks {breaks}"))
            } else if !c.breaks.is_empty() {
                (
                    "!",
                    warn,
                    format!("breaks {breaks} (not required by {})", self.level),
                )
            } else {
                ("✓", good, "safe".to_string())
            };
            entry(
                out,
                (style, mark),
                (&c.rule, &c.name),
                (&c.location, &c.path),
                &c.message,
            );
            let _ = writeln!(out, "      {style}{verdict}{style:#}");
        }
    }
}

impl FindingView {
    fn rule_of(&self) -> (&str, &str) {
        (&self.rule, &self.name)
    }

    fn place(&self) -> (&str, &str) {
        (&self.location, &self.path)
    }

    /// "breaks backward", "refused by iceberg-v2".
    fn breach(&self) -> String {
        match &self.refused_by {
            Some(profile) => format!("refused by {profile}"),
            None => format!("breaks {}", self.breaks.join(" and ")),
        }
    }
}

/// The first two lines of a change or finding: mark, rule, location and path; the message.
fn entry(
    out: &mut String,
    (style, mark): (Style, &str),
    (code, name): (&str, &str),
    (location, path): (&str, &str),
    message: &str,
) {
    let dim = STYLES.dim;
    let location = if location.is_empty() {
        "(root)"
    } else {
        location
    };
    let _ = writeln!(
        out,
        "  {style}{mark} {code} {name}{style:#}  {location}  {dim}{path}{dim:#}"
    );
    let _ = writeln!(out, "      {message}");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
