//! A compatibility report in the formats CI systems read: GitHub Actions workflow commands,
//! SARIF 2.1.0, JUnit XML, GitLab Code Quality and a Markdown pull-request comment, besides
//! text and JSON. Findings are placed at the line and column of their element in the new
//! file, from the positions read while scanning it.

use std::collections::HashMap;

use clap::ValueEnum;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Outcome;
use crate::api::xml_escape as xml;
use crate::compat::catalog::RULES;
use crate::compat::{Report, ReportView};
use crate::schema::{Position, position_of, positions};

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
        Source::placed(name, text.map(positions).unwrap_or_default())
    }

    /// A file whose elements are placed by these positions (a manifest's columns).
    pub fn placed(name: Option<String>, positions: HashMap<String, Position>) -> Self {
        Source { name, positions }
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

fn sarif_rules() -> Vec<Value> {
    RULES
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
        .collect()
}

fn sarif_results(view: &ReportView, source: &Source) -> Vec<Value> {
    items(view)
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
        .collect()
}

fn sarif_document(results: Vec<Value>, properties: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "accord",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": sarif_rules(),
            }},
            "results": results,
            "properties": properties,
        }],
    })
}

fn sarif(view: &ReportView, source: &Source) -> Value {
    sarif_document(
        sarif_results(view, source),
        json!({"compatible": view.compatible, "level": view.level, "bump": view.bump}),
    )
}

fn junit_case(view: &ReportView, source: &Source) -> String {
    let mut out = format!(
        "    <testcase classname=\"accord\" name=\"{}\">\n",
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
    out.push_str("    </testcase>\n");
    out
}

/// The JUnit document around its test cases.
fn junit_document(suite: &str, cases: &[String], failures: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"accord\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\">\n{}  </testsuite>\n</testsuites>\n",
        xml(suite),
        cases.concat(),
        tests = cases.len(),
    )
}

fn junit(view: &ReportView, source: &Source) -> String {
    junit_document(
        &format!("accord compatibility at {}", view.level),
        &[junit_case(view, source)],
        usize::from(!view.findings.is_empty()),
    )
}

fn gitlab(view: &ReportView, source: &Source) -> Value {
    Value::Array(gitlab_issues(view, source))
}

fn fingerprint(text: &str) -> String {
    crate::registry::hex(&Sha256::digest(text.as_bytes()))
}

fn gitlab_issues(view: &ReportView, source: &Source) -> Vec<Value> {
    items(view)
        .iter()
        .map(|item| {
            let at = source.position(item.path);
            let fingerprint = fingerprint(&format!("{}\0{}\0{}", item.rule, source.shown(), item.path));
            json!({
                "description": format!("{} {}: {} (breaks {})", item.rule, item.name, item.message, item.directions),
                "check_name": item.rule,
                "fingerprint": fingerprint,
                "severity": if item.failing { "critical" } else { "info" },
                "location": {"path": source.shown(), "lines": {"begin": at.line}},
            })
        })
        .collect()
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

/// One file's report among several (`diff --against`, `product check`).
pub(crate) struct FileReport {
    pub source: Source,
    pub view: ReportView,
}

/// Something to report besides the files' changes: a schema deleted since the revision, a
/// governance finding, why a version is refused.
pub(crate) struct Note {
    pub file: Option<String>,
    pub at: Option<Position>,
    /// `schema-removed`, `GV103`, `notice_required`, ...
    pub code: String,
    pub title: String,
    pub message: String,
    pub failing: bool,
}

/// Several files' reports and notes, with a verdict over all of them.
pub(crate) struct TreeReport {
    pub files: Vec<FileReport>,
    pub added: Vec<String>,
    pub notes: Vec<Note>,
    /// The last line: what was compared, and the outcome.
    pub summary: String,
    pub compatible: bool,
}

impl Note {
    fn location(&self) -> Value {
        let mut physical =
            json!({"artifactLocation": {"uri": self.file.as_deref().unwrap_or("<stdin>")}});
        if let Some(at) = self.at {
            physical["region"] = json!({"startLine": at.line, "startColumn": at.column});
        }
        json!({"physicalLocation": physical})
    }
}

/// Prints several files' reports in `format` and turns the verdict into an outcome.
pub(crate) fn emit_tree(tree: &TreeReport, format: ReportFormat) -> anyhow::Result<Outcome> {
    let summary = &tree.summary;
    let out = match format {
        ReportFormat::Text => {
            let mut out = String::new();
            for f in &tree.files {
                out.push_str(&format!("{}\n{}\n", f.source.shown(), f.view.to_text()));
            }
            for path in &tree.added {
                out.push_str(&format!("added: `{path}`, a new schema\n"));
            }
            for note in &tree.notes {
                out.push_str(&format!("{}: {}\n", note.title, note.message));
            }
            out.push_str(&format!("{summary}\n"));
            out
        }
        ReportFormat::Json => {
            let files: Vec<Value> = tree
                .files
                .iter()
                .map(|f| json!({"file": f.source.shown(), "report": f.view}))
                .collect();
            let notes: Vec<Value> = tree
                .notes
                .iter()
                .map(|n| json!({"file": n.file, "code": n.code, "message": n.message, "failing": n.failing}))
                .collect();
            format!(
                "{:#}\n",
                json!({
                    "compatible": tree.compatible,
                    "files": files,
                    "added": tree.added,
                    "notes": notes,
                    "summary": summary,
                })
            )
        }
        ReportFormat::Github => {
            let mut out = String::new();
            for f in &tree.files {
                out.push_str(&github(&f.view, &f.source));
            }
            for note in &tree.notes {
                let mut place = String::new();
                if let Some(file) = &note.file {
                    place.push_str(&format!("file={},", github_escape(file, true)));
                }
                if let Some(at) = note.at {
                    place.push_str(&format!("line={},col={},", at.line, at.column));
                }
                out.push_str(&format!(
                    "::{} {place}title={}::{}\n",
                    if note.failing { "error" } else { "warning" },
                    github_escape(&note.title, true),
                    github_escape(&note.message, false)
                ));
            }
            out.push_str(&format!("{summary}\n"));
            out
        }
        ReportFormat::Sarif => {
            let mut results: Vec<Value> = tree
                .files
                .iter()
                .flat_map(|f| sarif_results(&f.view, &f.source))
                .collect();
            results.extend(tree.notes.iter().map(|note| {
                json!({
                    "level": if note.failing { "error" } else { "warning" },
                    "message": {"text": format!("{}: {}", note.title, note.message)},
                    "locations": [note.location()],
                    "properties": {"code": note.code},
                })
            }));
            format!(
                "{:#}\n",
                sarif_document(
                    results,
                    json!({"compatible": tree.compatible, "summary": summary})
                )
            )
        }
        ReportFormat::Junit => {
            let mut cases: Vec<String> = tree
                .files
                .iter()
                .map(|f| junit_case(&f.view, &f.source))
                .collect();
            cases.extend(tree.notes.iter().map(|note| {
                let failure = if note.failing {
                    format!(
                        "\n      <failure type=\"{}\" message=\"{}\"/>\n    ",
                        xml(&note.code),
                        xml(&note.message)
                    )
                } else {
                    String::new()
                };
                format!(
                    "    <testcase classname=\"accord\" name=\"{}\">{failure}</testcase>\n",
                    xml(&format!(
                        "{}: {}",
                        note.title,
                        note.file.as_deref().unwrap_or("")
                    ))
                )
            }));
            let failures = tree
                .files
                .iter()
                .filter(|f| !f.view.findings.is_empty())
                .count()
                + tree.notes.iter().filter(|n| n.failing).count();
            junit_document(summary, &cases, failures)
        }
        ReportFormat::Gitlab => {
            let mut issues: Vec<Value> = tree
                .files
                .iter()
                .flat_map(|f| gitlab_issues(&f.view, &f.source))
                .collect();
            issues.extend(tree.notes.iter().map(|note| {
                let file = note.file.as_deref().unwrap_or("<stdin>");
                json!({
                    "description": format!("{}: {}", note.title, note.message),
                    "check_name": note.code,
                    "fingerprint": fingerprint(&format!("{}\0{file}\0{}", note.code, note.message)),
                    "severity": if note.failing { "critical" } else { "minor" },
                    "location": {"path": file, "lines": {"begin": note.at.map_or(1, |a| a.line)}},
                })
            }));
            format!("{:#}\n", Value::Array(issues))
        }
        ReportFormat::Markdown => {
            let mut out = String::new();
            for f in &tree.files {
                out.push_str(&markdown(&f.view, &f.source));
                out.push('\n');
            }
            for path in &tree.added {
                out.push_str(&format!("- added: `{}`, a new schema\n", cell(path)));
            }
            for note in &tree.notes {
                let title = if note.failing {
                    format!("**{}**", note.title)
                } else {
                    note.title.clone()
                };
                out.push_str(&format!("- {title}: {}\n", cell(&note.message)));
            }
            out.push_str(&format!("\n{summary}.\n"));
            out
        }
    };
    super::print(&out)?;
    Ok(if tree.compatible {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
