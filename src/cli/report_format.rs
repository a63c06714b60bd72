//! A compatibility report in the formats CI systems read: GitHub Actions workflow commands,
//! SARIF 2.1.0, JUnit XML, GitLab Code Quality and a Markdown pull-request comment, besides
//! text and JSON. Findings are placed at the line and column of their element in the new
//! file, from the positions read while scanning it.

use std::collections::HashMap;

use clap::ValueEnum;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Outcome;
use crate::compat::catalog::RULES;
use crate::compat::{Report, ReportView};
use crate::schema_json::{Position, position_of, positions};

/// Output formats of a compatibility report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ReportFormat {
    /// Readable by a person (coloured on a terminal)
    #[default]
    Text,
    /// One JSON document, in the stable shape the README documents
    Json,
    /// GitHub Actions workflow commands: an annotation per finding at its line
    Github,
    /// SARIF 2.1.0, with every rule of the catalog
    Sarif,
    /// JUnit XML: a test case per file, a failure per finding
    Junit,
    /// GitLab Code Quality JSON
    Gitlab,
    /// A pull-request comment: a table of the changes
    Markdown,
}

/// The file a report is about: its name as the repository knows it, and its text, where the
/// findings are placed. Standard input has neither.
pub(crate) struct Source {
    pub name: Option<String>,
    positions: HashMap<String, Position>,
}

impl Source {
    pub fn new(name: Option<String>, text: Option<&str>) -> Self {
        Source {
            name,
            positions: text.map(positions).unwrap_or_default(),
        }
    }

    fn position(&self, path: &str) -> Position {
        position_of(&self.positions, path).unwrap_or(Position { line: 1, column: 1 })
    }

    fn shown(&self) -> &str {
        self.name.as_deref().unwrap_or("<stdin>")
    }
}

/// One result to report: a finding (fails the level) or a change that does not.
struct Item<'a> {
    rule: &'a str,
    name: &'a str,
    /// The element's path in the new schema (for a removal, where it was: its parent).
    path: &'a str,
    location: &'a str,
    message: &'a str,
    directions: String,
    failing: bool,
}

fn items(view: &ReportView) -> Vec<Item<'_>> {
    let mut items: Vec<Item> = view
        .findings
        .iter()
        .map(|f| Item {
            rule: &f.rule,
            name: &f.name,
            // The new schema reads in a backward break, and is read in a forward one.
            path: if f.breaks.iter().any(|b| b == "backward") || f.refused_by.is_some() {
                &f.reader_path
            } else {
                &f.writer_path
            },
            location: &f.location,
            message: &f.message,
            directions: match &f.refused_by {
                Some(profile) => format!("refused by {profile}"),
                None => f.breaks.join(", "),
            },
            failing: true,
        })
        .collect();
    items.extend(
        view.changes
            .iter()
            .filter(|c| !c.breaks_level)
            .map(|c| Item {
                rule: &c.rule,
                name: &c.name,
                path: &c.new_path,
                location: &c.location,
                message: &c.message,
                directions: if c.breaks.is_empty() {
                    "none".to_string()
                } else {
                    c.breaks.join(", ")
                },
                failing: false,
            }),
    );
    items
}

/// Prints a report in `format` and turns its verdict into an outcome.
pub(crate) fn emit(
    report: &Report,
    format: ReportFormat,
    source: &Source,
) -> anyhow::Result<Outcome> {
    let view = ReportView::from(report);
    let out = match format {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Json => format!("{:#}\n", report.to_json()),
        ReportFormat::Github => github(&view, source),
        ReportFormat::Sarif => format!("{:#}\n", sarif(&view, source)),
        ReportFormat::Junit => junit(&view, source),
        ReportFormat::Gitlab => format!("{:#}\n", gitlab(&view, source)),
        ReportFormat::Markdown => markdown(&view, source),
    };
    super::print(&out)?;
    Ok(if report.compatible {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// GitHub's escaping of a workflow command's message, and more for a property's value.
fn github_escape(text: &str, property: bool) -> String {
    let text = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        text.replace(':', "%3A").replace(',', "%2C")
    } else {
        text
    }
}

fn github(view: &ReportView, source: &Source) -> String {
    let mut out = String::new();
    for item in items(view) {
        let command = if item.failing { "error" } else { "notice" };
        let at = source.position(item.path);
        let file = match &source.name {
            Some(name) => format!(
                "file={},line={},col={},",
                github_escape(name, true),
                at.line,
                at.column
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "::{command} {file}title={}::{}\n",
            github_escape(&format!("{} {}", item.rule, item.name), true),
            github_escape(
                &format!(
                    "{} ({}; breaks {})",
                    item.message, item.location, item.directions
                ),
                false
            )
        ));
    }
    out.push_str(&format!(
        "{} at {}: {} finding{}; required bump: {}\n",
        if view.compatible {
            "compatible"
        } else {
            "incompatible"
        },
        view.level,
        view.findings.len(),
        if view.findings.len() == 1 { "" } else { "s" },
        view.bump
    ));
    out
}

/// A section of a rule's prose, without its heading.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    doc.split(heading)
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .map_or("", str::trim)
}

fn sarif(view: &ReportView, source: &Source) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": section(r.doc, "## What it checks")},
                "help": {
                    "text": section(r.doc, "## Safe alternative"),
                    "markdown": r.doc,
                },
                "properties": {
                    "may_break": r.may_break.names(),
                    "bump": r.bump.name(),
                },
            })
        })
        .collect();
    let results: Vec<Value> = items(view)
        .iter()
        .map(|item| {
            let at = source.position(item.path);
            let mut location = json!({
                "logicalLocations": [{"fullyQualifiedName": item.location}],
            });
            if let Some(name) = &source.name {
                location["physicalLocation"] = json!({
                    "artifactLocation": {"uri": name},
                    "region": {"startLine": at.line, "startColumn": at.column},
                });
            }
            json!({
                "ruleId": item.rule,
                "ruleIndex": RULES.iter().position(|r| r.code == item.rule),
                "level": if item.failing { "error" } else { "note" },
                "message": {"text": format!("{} (breaks {})", item.message, item.directions)},
                "locations": [location],
                "properties": {"path": item.path},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "accord",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {"compatible": view.compatible, "level": view.level, "bump": view.bump},
        }],
    })
}

/// Text for XML: the five characters XML reserves, escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn junit(view: &ReportView, source: &Source) -> String {
    let failures = view.findings.len();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"accord\" tests=\"1\" failures=\"{}\">\n  <testsuite name=\"accord compatibility at {}\" tests=\"1\" failures=\"{}\">\n    <testcase classname=\"accord\" name=\"{}\">\n",
        usize::from(failures > 0),
        view.level,
        usize::from(failures > 0),
        xml(source.shown())
    );
    for item in items(view).iter().filter(|i| i.failing) {
        let at = source.position(item.path);
        out.push_str(&format!(
            "      <failure type=\"{}\" message=\"{}\">{} {} at {}:{}:{} ({}): {}; breaks {}</failure>\n",
            xml(item.rule),
            xml(item.message),
            xml(item.rule),
            xml(item.name),
            xml(source.shown()),
            at.line,
            at.column,
            xml(item.location),
            xml(item.message),
            xml(&item.directions)
        ));
    }
    out.push_str("    </testcase>\n  </testsuite>\n</testsuites>\n");
    out
}

fn gitlab(view: &ReportView, source: &Source) -> Value {
    let issues: Vec<Value> = items(view)
        .iter()
        .map(|item| {
            let at = source.position(item.path);
            let fingerprint: String = Sha256::digest(
                format!("{}\0{}\0{}", item.rule, source.shown(), item.path).as_bytes(),
            )
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
            json!({
                "description": format!("{} {}: {} (breaks {})", item.rule, item.name, item.message, item.directions),
                "check_name": item.rule,
                "fingerprint": fingerprint,
                "severity": if item.failing { "critical" } else { "info" },
                "location": {"path": source.shown(), "lines": {"begin": at.line}},
            })
        })
        .collect();
    Value::Array(issues)
}

/// A table cell: no pipes or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(view: &ReportView, source: &Source) -> String {
    let mut out = format!(
        "### accord: `{}` is {} at {}\n\n",
        cell(source.shown()),
        if view.compatible {
            "compatible"
        } else {
            "**incompatible**"
        },
        view.level
    );
    let items = items(view);
    if items.is_empty() {
        out.push_str("No changes.\n");
    } else {
        out.push_str("| | Rule | Path | Breaks | Change |\n|---|---|---|---|---|\n");
        for item in &items {
            out.push_str(&format!(
                "| {} | {} {} | `{}` | {} | {} |\n",
                if item.failing { "✗" } else { "✓" },
                item.rule,
                item.name,
                cell(item.location),
                cell(&item.directions),
                cell(item.message)
            ));
        }
    }
    out.push_str(&format!("\nRequired bump: **{}**.\n", view.bump));
    out
}
