//! Subjects: the list, a subject's versions, a version's schema, and the diff of two versions
//! or of a pasted schema against the latest (a dry run: nothing is stored).

use std::collections::{HashMap, HashSet};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use maud::{Markup, html};
use serde::Deserialize;

use super::{PageResult, Section, failed, ok, render, search_box};
use crate::api::AppState;
use crate::api::types::segment;
use crate::compat::{Finding, Level};
use crate::registry::{NewSchema, Registry, SubjectVersion, Verdict, Version, VersionSpec};
use crate::schema::{Position, fingerprint64, positions};

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    pub q: String,
}

/// One row of the subjects' list.
struct Row {
    subject: String,
    format: String,
    latest: Version,
    level: String,
    product: Option<String>,
}

fn rows(registry: &Registry) -> Vec<Row> {
    registry
        .subjects(false, false)
        .into_iter()
        .filter_map(|subject| {
            let latest = registry
                .version(&subject, VersionSpec::Latest, false)
                .ok()?;
            let level = registry
                .config(Some(&subject), true)
                .ok()
                .and_then(|c| c.level)
                .map(|l| l.to_string())
                .unwrap_or_default();
            Some(Row {
                format: latest.schema.stored.schema_type.clone(),
                latest: latest.version,
                level,
                product: registry.product_of(&subject),
                subject,
            })
        })
        .collect()
}

pub async fn list(State(state): State<AppState>, Query(search): Query<Search>) -> PageResult {
    render(state, 0, Section::Subjects, move |state| {
        list_page(state, search)
    })
    .await
}

fn list_page(state: &AppState, search: Search) -> PageResult {
    let words: Vec<String> = search.q.split_whitespace().map(str::to_lowercase).collect();
    let rows: Vec<Row> = rows(&state.registry)
        .into_iter()
        .filter(|row| {
            let text = format!(
                "{} {} {}",
                row.subject,
                row.format,
                row.product.as_deref().unwrap_or("")
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    ok(
        Section::Subjects,
        "Subjects",
        html! {
            (search_box("Filter subjects", "subjects", &search.q))
            @if rows.is_empty() {
                p { "No subject matches." }
            } @else {
                table #subjects {
                    caption { (rows.len()) " subjects" }
                    thead { tr {
                        th scope="col" { "Subject" } th scope="col" { "Format" }
                        th scope="col" { "Latest" } th scope="col" { "Level" }
                        th scope="col" { "Data product" }
                    } }
                    tbody {
                        @for row in &rows {
                            tr {
                                td { a href=(subject_href(&row.subject)) { (row.subject) } }
                                td { (row.format) }
                                td { (row.latest) }
                                td { (row.level) }
                                td { @if let Some(p) = &row.product {
                                    a href=(format!("/ui/products/{}", segment(p))) { (p) }
                                } }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn subject_href(subject: &str) -> String {
    format!("/ui/subjects/{}", segment(subject))
}

fn version_href(subject: &str, version: Version) -> String {
    format!("{}/versions/{version}", subject_href(subject))
}

pub async fn subject(State(state): State<AppState>, Path(subject): Path<String>) -> PageResult {
    render(state, 0, Section::Subjects, move |state| {
        subject_page(state, subject)
    })
    .await
}

fn subject_page(state: &AppState, subject: String) -> PageResult {
    let registry = &state.registry;
    let fail = failed(Section::Subjects);
    let versions = registry.versions(&subject, true).map_err(&fail)?;
    let entries: Vec<SubjectVersion> = versions
        .iter()
        .map(|v| registry.version(&subject, VersionSpec::Number(*v), true))
        .collect::<Result<_, _>>()
        .map_err(&fail)?;
    let live: Vec<Version> = entries
        .iter()
        .filter(|e| !e.deleted)
        .map(|e| e.version)
        .collect();
    let product = registry.product_of(&subject);
    ok(
        Section::Subjects,
        &subject,
        html! {
            @if let Some(p) = &product {
                p { "Part of data product " a href=(format!("/ui/products/{}", segment(p))) { (p) } "." }
            }
            table {
                caption { "Versions" }
                thead { tr {
                    th scope="col" { "Version" } th scope="col" { "Schema id" }
                    th scope="col" { "Format" } th scope="col" { "State" }
                } }
                tbody {
                    @for e in entries.iter().rev() {
                        tr {
                            td { a href=(version_href(&subject, e.version)) { "version " (e.version) } }
                            td { (e.schema.id) }
                            td { (e.schema.stored.schema_type) }
                            td { @if e.deleted { "soft-deleted" } @else { "live" } }
                        }
                    }
                }
            }
            @if live.len() >= 2 {
                h2 { "Compare two versions" }
                form.inline method="get" action=(format!("{}/diff", subject_href(&subject))) {
                    label for="from" { "From" }
                    select #from name="from" {
                        @for v in &live { option value=(v) selected[*v == live[live.len() - 2]] { (v) } }
                    }
                    label for="to" { "to" }
                    select #to name="to" {
                        @for v in &live { option value=(v) selected[*v == live[live.len() - 1]] { (v) } }
                    }
                    button type="submit" { "Show the diff" }
                }
            }
            h2 { "Check a schema against the latest version" }
            p { "A dry run: the schema is checked as a registration would be, and nothing is stored." }
            form method="post" action=(format!("{}/check", subject_href(&subject))) {
                label for="schema" { "Schema" }
                textarea #schema name="schema" rows="12" spellcheck="false" required {}
                label for="schema-file" { "or read it from a file" }
                input #schema-file type="file" accept=".avsc,.json,.arrow.json" data-into="schema";
                label for="schema_type" { "Format" }
                select #schema_type name="schema_type" {
                    option value="AVRO" { "Avro" }
                    option value="ARROW" { "Arrow" }
                }
                button type="submit" { "Check" }
            }
        },
    )
}

pub async fn version(
    State(state): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
) -> PageResult {
    render(state, 0, Section::Subjects, move |state| {
        version_page(state, subject, version)
    })
    .await
}

fn version_page(state: &AppState, subject: String, version: String) -> PageResult {
    let fail = failed(Section::Subjects);
    let spec = VersionSpec::parse(&version).map_err(&fail)?;
    let found = state
        .registry
        .version(&subject, spec, true)
        .map_err(&fail)?;
    let stored = &found.schema.stored;
    let text = pretty(stored.served());
    ok(
        Section::Subjects,
        &format!("{subject}, version {}", found.version),
        html! {
            p { a href=(subject_href(&subject)) { "All versions of " (subject) } }
            dl {
                dt { "Schema id" } dd { (found.schema.id) }
                dt { "Format" } dd { (stored.schema_type) }
                dt { "Fingerprint" } dd { code { (format!("{:016x}", fingerprint64(stored.schema.as_bytes()))) }
                    " (Rabin, of the normalized form)" }
                @if found.deleted { dt { "State" } dd { "soft-deleted" } }
            }
            @if !stored.references.is_empty() {
                h2 { "References" }
                ul {
                    @for r in &stored.references {
                        li { code { (r.name) } ": " a href=(version_href(&r.subject, r.version)) {
                            (r.subject) ", version " (r.version) } }
                    }
                }
            }
            h2 { "Schema" }
            pre.schema tabindex="0" aria-label="Schema" { code { (text) } }
        },
    )
}

/// JSON as people read it; anything else (base64 Arrow) as it is.
fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

#[derive(Debug, Deserialize)]
pub struct Pair {
    from: String,
    to: String,
    /// The level to judge at; the subject's own by default.
    level: Option<String>,
}

pub async fn diff(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Query(pair): Query<Pair>,
) -> PageResult {
    render(state, 0, Section::Subjects, move |state| {
        diff_page(state, subject, pair)
    })
    .await
}

fn diff_page(state: &AppState, subject: String, pair: Pair) -> PageResult {
    let fail = failed(Section::Subjects);
    let registry = &state.registry;
    let [from, to] = [&pair.from, &pair.to].map(|v| {
        VersionSpec::parse(v)
            .and_then(|spec| registry.version(&subject, spec, true))
            .map_err(&fail)
    });
    let (from, to) = (from?, to?);
    let level = match pair.level.as_deref().filter(|l| !l.is_empty()) {
        Some(text) => text.parse::<Level>().map_err(|e| {
            super::problem(Section::Subjects, StatusCode::BAD_REQUEST, &e.to_string())
        })?,
        None => registry
            .config(Some(&subject), true)
            .ok()
            .and_then(|c| c.level)
            .unwrap_or_default(),
    };
    let (old, new) = (registry.parsed(&from.schema), registry.parsed(&to.schema));
    let verdict = match new.check_history(&[old.as_ref()], level, None) {
        Ok(report) => Verdict {
            compatible: report.compatible,
            report: Some(report),
            against: vec![format!("version {}", from.version)],
            mismatch: None,
        },
        Err(e) => Verdict {
            compatible: false,
            report: None,
            against: Vec::new(),
            mismatch: Some(e.to_string()),
        },
    };
    let old_text = pretty(from.schema.stored.served());
    let new_text = pretty(to.schema.stored.served());
    ok(
        Section::Subjects,
        &format!("{subject}: version {} to {}", from.version, to.version),
        html! {
            p { a href=(subject_href(&subject)) { "All versions of " (subject) } }
            form.inline method="get" {
                input type="hidden" name="from" value=(from.version);
                input type="hidden" name="to" value=(to.version);
                label for="level" { "Judge at" }
                select #level name="level" {
                    @for l in Level::ALL { option value=(l) selected[l == level] { (l) } }
                }
                button type="submit" { "Judge" }
            }
            (verdict_summary(&verdict, &format!("version {}", from.version)))
            p { "Unchanged stretches are folded; the whole schemas: "
                a href=(version_href(&subject, from.version)) { "version " (from.version) } ", "
                a href=(version_href(&subject, to.version)) { "version " (to.version) } "." }
            (side_by_side(
                (&format!("version {}", from.version), &old_text),
                (&format!("version {}", to.version), &new_text),
                &verdict,
            ))
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct Pasted {
    schema: String,
    schema_type: Option<String>,
}

/// The dry run: a pasted schema checked against the latest version, as a registration would be.
pub async fn check(
    State(state): State<AppState>,
    Path(subject): Path<String>,
    Form(pasted): Form<Pasted>,
) -> PageResult {
    render(
        state,
        pasted.schema.len(),
        Section::Subjects,
        move |state| check_page(state, subject, pasted),
    )
    .await
}

fn check_page(state: &AppState, subject: String, pasted: Pasted) -> PageResult {
    let fail = failed(Section::Subjects);
    let registry = &state.registry;
    let latest = registry
        .version(&subject, VersionSpec::Latest, false)
        .map_err(&fail)?;
    let new = NewSchema {
        schema: pasted.schema.clone(),
        schema_type: pasted.schema_type.clone(),
        ..NewSchema::default()
    };
    let verdict = registry
        .check_compatibility(&subject, None, &new)
        .map_err(&fail)?;
    ok(
        Section::Subjects,
        &format!(
            "{subject}: a schema checked against version {}",
            latest.version
        ),
        html! {
            p { a href=(subject_href(&subject)) { "All versions of " (subject) } " · nothing was stored" }
            (verdict_summary(&verdict, "the subject's history"))
            (side_by_side(
                (&format!("version {} (latest)", latest.version), &pretty(latest.schema.stored.served())),
                ("the schema checked", &pretty(&pasted.schema)),
                &verdict,
            ))
        },
    )
}

fn verdict_summary(verdict: &Verdict, against: &str) -> Markup {
    let findings = verdict.report.as_ref().map_or(0, |r| r.findings.len());
    html! {
        @if let Some(why) = &verdict.mismatch {
            p.problem role="status" { "Not comparable: " (why) }
        } @else if let Some(report) = &verdict.report {
            p.verdict.ok[verdict.compatible].bad[!verdict.compatible] role="status" {
                @if verdict.compatible { "Compatible" } @else { "Incompatible" }
                " with " (against) " at " (report.level) ": "
                (findings) " breaking " (if findings == 1 { "change" } else { "changes" })
                "; the change needs a " strong { (report.bump.name()) } " bump."
            }
            @if !report.findings.is_empty() {
                h2 { "Findings" }
                ol.findings { @for f in &report.findings { li { (finding(f)) } } }
            }
        }
    }
}

fn finding(f: &Finding) -> Markup {
    html! {
        a.rule href=(format!("/ui/rules/{}", f.rule.code)) { (f.rule.code) }
        " " span.breach { (f.breach.describe()) } ": " (f.message) " "
        span.path { "at " code { (f.path) } }
    }
}

/// Lines kept around each changed line; longer unchanged stretches are folded.
const CONTEXT: usize = 3;

/// Two schemas in columns, each line numbered, each finding under the line of the element it
/// is about (in the new schema, else the old one where the element is gone). Stretches of
/// lines that no change touches are folded, so that the page is the size of the changes; the
/// version pages show the schemas whole.
fn side_by_side(old: (&str, &str), new: (&str, &str), verdict: &Verdict) -> Markup {
    let report = verdict.report.as_ref();
    let findings: &[Finding] = report.map_or(&[], |r| r.findings.as_slice());
    let (old_at, new_at) = (positions(old.1), positions(new.1));
    let line_of = |at: &HashMap<String, Position>, paths: &[&String]| {
        paths
            .iter()
            .find_map(|p| at.get(p.as_str()))
            .map(|p| p.line)
    };
    let mut old_notes: HashMap<usize, Vec<&Finding>> = HashMap::new();
    let mut new_notes: HashMap<usize, Vec<&Finding>> = HashMap::new();
    for f in findings {
        let paths = [&f.path, &f.reader_path, &f.writer_path];
        match (line_of(&new_at, &paths), line_of(&old_at, &paths)) {
            (Some(n), _) => new_notes.entry(n).or_default().push(f),
            (None, Some(n)) => old_notes.entry(n).or_default().push(f),
            (None, None) => {}
        }
    }
    let mut old_changed: HashSet<usize> = old_notes.keys().copied().collect();
    let mut new_changed: HashSet<usize> = new_notes.keys().copied().collect();
    for change in report.iter().flat_map(|r| &r.changes) {
        old_changed.extend(line_of(&old_at, &[&change.old_path]));
        new_changed.extend(line_of(&new_at, &[&change.new_path]));
    }
    let column = |(label, text): (&str, &str),
                  notes: &HashMap<usize, Vec<&Finding>>,
                  changed: &HashSet<usize>| {
        let lines: Vec<&str> = text.lines().collect();
        let shown = |n: usize| {
            changed.is_empty() && n <= 2 * CONTEXT + 1
                || changed.iter().any(|c| n.abs_diff(*c) <= CONTEXT)
        };
        html! {
            figure.column {
                figcaption { (label) }
                ol.lines tabindex="0" aria-label=(label) {
                    @for (n, run) in runs(lines.len(), shown) {
                        @if run.is_empty() {
                            li.line.flagged[notes.contains_key(&n)] {
                                span.n aria-hidden="true" { (n) } code { (lines[n - 1]) }
                            }
                            @if let Some(here) = notes.get(&n) {
                                @for f in here { li.note { (finding(f)) } }
                            }
                        } @else {
                            li.fold { "lines " (run.start) "–" (run.end - 1) ", unchanged" }
                        }
                    }
                }
            }
        }
    };
    html! {
        div.diff {
            (column(old, &old_notes, &old_changed))
            (column(new, &new_notes, &new_changed))
        }
    }
}

/// Lines 1 to `count` as shown lines `(n, empty range)` and folded stretches `(first, range)`:
/// a stretch is folded only when it is longer than a fold's own line.
fn runs(count: usize, shown: impl Fn(usize) -> bool) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut n = 1;
    while n <= count {
        if shown(n) {
            out.push((n, n..n));
            n += 1;
            continue;
        }
        let start = n;
        while n <= count && !shown(n) {
            n += 1;
        }
        if n - start > 2 {
            out.push((start, start..n));
        } else {
            out.extend((start..n).map(|k| (k, k..k)));
        }
    }
    out
}
