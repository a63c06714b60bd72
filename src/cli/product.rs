//! `accord product lint | check | publish | status` (and `new`, `search` in their own files): a
//! domain team's path from manifest to published product version.

use std::path::PathBuf;

use anyhow::Context;
use axum::http::StatusCode;
use clap::{Args, Subcommand};
use semver::Version as Semver;

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::manifest::Manifest;
use super::notice::notice_line;
use super::report_format::ReportFormat;
use super::{Outcome, OutputFormat, shown};
use crate::api::parse_time;
use crate::api::types::{EvaluationView, ProductStatus, Published, StepView, check_actor};
use crate::contract::governance::Policy;
use crate::registry::{Affected, PolicyFinding, Severity, date};

/// Work with data products: versioned schemas, semver bumps and breaking-change notices.
#[derive(Debug, Args)]
pub(crate) struct ProductArgs {
    #[command(subcommand)]
    command: ProductCommand,
}

#[derive(Debug, Subcommand)]
enum ProductCommand {
    Lint(LintArgs),
    Check(CheckArgs),
    Publish(PublishArgs),
    Status(StatusArgs),
    Search(super::search::SearchArgs),
    New(super::scaffold::NewArgs),
    Impact(super::impact::ImpactArgs),
}

/// Check a manifest offline: its fields, its version, that every schema file exists and is a
/// valid schema, and with `--policy` the platform's governance rules.
///
/// Exit status: 0 valid (warnings are printed), 1 when the policy finds an error, 2 when
/// something is wrong (every problem is listed).
#[derive(Debug, Args)]
struct LintArgs {
    /// The product's manifest (YAML or JSON, in any form accord reads)
    manifest: PathBuf,
    /// The version, for a manifest that declares none (`datamesh/v1`)
    #[arg(long, value_name = "SEMVER", value_parser = parse_semver)]
    product_version: Option<Semver>,
    /// A governance policy file whose rules (and Rego files) the manifest must pass; references
    /// to other products are checked by the server at publication
    #[arg(long, env = "ACCORD_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Output format: the CI formats carry the policy's findings, at their key in the manifest
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

/// The CI gate: what publishing the manifest's version would do, without publishing. Shows the
/// changes per subject, the bump they need, whether the declared version satisfies it, and the
/// notice state.
///
/// Exit status: 0 it would be accepted, 1 it would be refused, 2 on any other error.
#[derive(Debug, Args)]
struct CheckArgs {
    /// The product's manifest (YAML or JSON, in any form accord reads)
    manifest: PathBuf,
    /// The version, for a manifest that declares none (`datamesh/v1`)
    #[arg(long, value_name = "SEMVER", value_parser = parse_semver)]
    product_version: Option<Semver>,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Judge as of this time instead of now, e.g. `2026-12-04T00:00:00Z` or `2026-12-04`
    #[arg(long)]
    now: Option<String>,
    /// Judge the manifest against its own version at this git revision instead of a registry
    /// (`main`, `origin/main`, a tag, a commit): each subject's changes and the version bump
    #[arg(long, value_name = "REF", conflicts_with = "now")]
    against: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

/// Publish the manifest's version: updates the product's definition, then registers every
/// subject's schema as one atomic product version.
///
/// Exit status: 0 published, 1 refused by the product's rules, 2 on any other error.
#[derive(Debug, Args)]
struct PublishArgs {
    /// The product's manifest (YAML or JSON, in any form accord reads)
    manifest: PathBuf,
    /// The version, for a manifest that declares none (`datamesh/v1`)
    #[arg(long, value_name = "SEMVER", value_parser = parse_semver)]
    product_version: Option<Semver>,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Who publishes, for the audit history
    #[arg(long, env = "ACCORD_ACTOR", value_parser = check_actor)]
    actor: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// A product's majors with their states (active, deprecated until a sunset, retired), the
/// latest version of each, and its open notices.
#[derive(Debug, Args)]
struct StatusArgs {
    /// The product's name, e.g. `payments.transactions`
    name: String,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(super) fn parse_semver(text: &str) -> Result<Semver, String> {
    Semver::parse(text)
        .map_err(|e| format!("`{text}` is not a semantic version ({e}); expected e.g. 1.2.0"))
}

pub(crate) fn run(args: ProductArgs) -> anyhow::Result<Outcome> {
    match args.command {
        ProductCommand::Lint(args) => lint(args),
        ProductCommand::Check(args) => check(args),
        ProductCommand::Publish(args) => publish(args),
        ProductCommand::Status(args) => status(args),
        ProductCommand::Search(args) => super::search::run(args),
        ProductCommand::New(args) => super::scaffold::run(args),
        ProductCommand::Impact(args) => super::impact::run(args),
    }
}

fn lint(args: LintArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest, args.product_version.as_ref())?;
    let version = match &manifest.version {
        Some(version) => version.to_string(),
        None => "(no version: publish it with `--product-version`)".to_string(),
    };
    let bound: Vec<&str> = manifest
        .schemas
        .iter()
        .filter(|s| s.text.is_none())
        .map(|s| s.subject.as_str())
        .collect();
    let bound = match bound.as_slice() {
        [] => String::new(),
        subjects => format!(
            ", bound to the registry's current `{}`",
            subjects.join("`, `")
        ),
    };
    let valid = format!(
        "{}: {} {version} is valid ({}, {} schema{}{bound})",
        args.manifest.display(),
        manifest.contract.product.name,
        manifest.contract.form.name(),
        manifest.schemas.len(),
        if manifest.schemas.len() == 1 { "" } else { "s" }
    );
    let findings = match &args.policy {
        Some(path) => Policy::load(path).map_err(anyhow::Error::msg)?.judge(
            &manifest.contract,
            &manifest.contract.document,
            None,
        ),
        None => Vec::new(),
    };
    let failing = findings.iter().any(|f| f.severity == Severity::Error);
    match args.format {
        ReportFormat::Text => {
            let mut out = format!("{valid}\n");
            match (&args.policy, findings.is_empty()) {
                (None, _) => {}
                (Some(path), true) => out.push_str(&format!(
                    "governance policy `{}`: no findings\n",
                    path.display()
                )),
                (Some(_), false) => out.push_str(&policy_text(&findings)[1..]),
            }
            super::print(&out)?;
        }
        ReportFormat::Json => print_json(&serde_json::json!({
            "manifest": args.manifest.display().to_string(),
            "product": manifest.contract.product.name,
            "version": manifest.version.as_ref().map(ToString::to_string),
            "form": manifest.contract.form.name(),
            "valid": true,
            "policy": findings,
        }))?,
        format => {
            return super::product_report::emit_lint(&manifest, &findings, valid, format);
        }
    }
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest, args.product_version.as_ref())?;
    if let Some(reference) = &args.against {
        return super::product_report::against(&manifest, reference, args.format);
    }
    let mut path = format!(
        "/v1/products/{}/check",
        segment(&manifest.contract.product.name)
    );
    if let Some(now) = &args.now {
        parse_time(now).map_err(anyhow::Error::msg)?;
        path.push_str(&format!("?now={}", segment(now)));
    }
    let client = RegistryClient::new(&args.registry)?;
    let answer = client.call_as::<EvaluationView>(
        "POST",
        &path,
        Some(serde_json::to_value(manifest.publication()?)?),
    )?;
    let evaluation = match answer {
        Ok(evaluation) => evaluation,
        Err(refusal) if refusal.is("product_not_found") => EvaluationView {
            product: manifest.contract.product.name.clone(),
            version: manifest.version()?.to_string(),
            accepted: true,
            refusal: None,
            step: Some(StepView::First),
            required_bump: None,
            subjects: Vec::new(),
            next_notice: None,
            policy: Vec::new(),
            affected: Vec::new(),
            new_product: true,
        },
        Err(refusal) => return Err(anyhow::Error::msg(refusal)),
    };
    match args.format {
        ReportFormat::Json => print_json(&evaluation)?,
        ReportFormat::Text => super::print(&evaluation_text(&evaluation))?,
        format => return super::product_report::emit(&manifest, &evaluation, format),
    }
    Ok(if evaluation.accepted {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// The dry run for people: the verdict first, then each subject's changes.
/// The consumers a new major leaves behind: "breaks 3 consumers on major 1: ...".
fn affected_text(affected: &[Affected]) -> String {
    let direct: Vec<&Affected> = affected.iter().filter(|a| a.depth == 1).collect();
    let mut majors: Vec<u64> = direct.iter().map(|a| a.major).collect();
    majors.sort_unstable();
    majors.dedup();
    let majors: Vec<String> = majors.iter().map(u64::to_string).collect();
    let mut out = format!(
        "\nbreaks {} consumer{} on major {}:\n",
        direct.len(),
        if direct.len() == 1 { "" } else { "s" },
        majors.join(", ")
    );
    for a in affected {
        let via = if a.depth == 1 {
            String::new()
        } else {
            format!(", downstream through {}", shown(&a.product))
        };
        out.push_str(&format!(
            "  {} (major {}, {}){via}\n",
            shown(&a.consumer),
            a.major,
            shown(&a.contact)
        ));
    }
    out
}

/// The governance policy's findings, one per line.
fn policy_text(findings: &[PolicyFinding]) -> String {
    let mut out = format!("\ngovernance policy ({}):\n", findings.len());
    for finding in findings {
        out.push_str(&format!("  {}\n", shown(&finding.line())));
    }
    out
}

fn evaluation_text(e: &EvaluationView) -> String {
    let mut out = String::new();
    let head = format!("{} {}", shown(&e.product), shown(&e.version));
    match &e.refusal {
        None if e.new_product => out.push_str(&format!(
            "{head}: would be accepted (a new product: this is its first version)\n"
        )),
        None => out.push_str(&format!("{head}: would be accepted\n")),
        Some(refusal) => out.push_str(&format!(
            "{head}: would be refused ({})\n  {}\n",
            shown(&refusal.code),
            shown(&refusal.message)
        )),
    }
    for subject in &e.subjects {
        let report = &subject.report;
        let history = &subject.against;
        // The plain levels check the latest version only.
        let against = &history[history.len() - report.versions_checked.min(history.len())..];
        let changes = report.changes.len();
        let summary = if subject.unchanged {
            "unchanged".to_string()
        } else if history.is_empty() {
            "a new schema".to_string()
        } else {
            format!(
                "{changes} change{} from {}, checked against {} at {}, needs a {} bump",
                if changes == 1 { "" } else { "s" },
                history.last().map_or("", String::as_str),
                if against.is_empty() {
                    "nothing".to_string()
                } else {
                    against.join(", ")
                },
                report.level,
                report.bump
            )
        };
        out.push_str(&format!("\n{}: {summary}\n", shown(&subject.subject)));
        report.write_changes(&mut out);
        if !subject.findings_text.is_empty() {
            out.push_str(&format!("  findings at {}:\n", report.level));
            for finding in &subject.findings_text {
                out.push_str(&format!("    {}\n", shown(finding)));
            }
        }
    }
    if !e.policy.is_empty() {
        out.push_str(&policy_text(&e.policy));
    }
    if !e.affected.is_empty() {
        out.push_str(&affected_text(&e.affected));
    }
    if let Some(bump) = &e.required_bump {
        out.push_str(&format!("\nrequired bump: {bump}\n"));
    }
    if let Some(notice) = &e.next_notice {
        out.push_str(&format!("notice: {}", notice_line(notice)));
    }
    out
}

fn publish(args: PublishArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest, args.product_version.as_ref())?;
    let client = RegistryClient::new(&args.registry)?.with_actor(args.actor.clone());
    let product_path = format!("/v1/products/{}", segment(&manifest.contract.product.name));
    client
        .call(
            "PUT",
            &product_path,
            Some(serde_json::to_value(&manifest.contract.product)?),
        )?
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot define product `{}`", manifest.contract.product.name))?;
    let answer = client.call_as::<Published>(
        "POST",
        &format!("{product_path}/versions"),
        Some(serde_json::to_value(manifest.publication()?)?),
    )?;
    match answer {
        Ok(published) => {
            match args.format {
                OutputFormat::Json => print_json(&published)?,
                OutputFormat::Text => {
                    let publication = &published.publication;
                    let mut out = format!(
                        "published {} {}\n",
                        shown(&manifest.contract.product.name),
                        shown(&publication.version)
                    );
                    for s in &publication.schemas {
                        out.push_str(&format!(
                            "  {}: version {}, id {}\n",
                            shown(&s.subject),
                            s.version,
                            s.id
                        ));
                    }
                    super::print(&out)?;
                }
            }
            Ok(Outcome::Success)
        }
        Err(refusal) if refusal.status == StatusCode::CONFLICT => {
            match args.format {
                OutputFormat::Json => print_json(&refusal.body)?,
                OutputFormat::Text => super::print(&format!(
                    "refused ({}): {}\n",
                    refusal.body.error_code,
                    shown(&refusal.body.message)
                ))?,
            }
            Ok(Outcome::Findings)
        }
        Err(refusal) => Err(anyhow::Error::msg(refusal)),
    }
}

fn status(args: StatusArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry)?;
    let status: ProductStatus = client.get_as(&format!("/v1/products/{}", segment(&args.name)))?;
    match args.format {
        OutputFormat::Json => print_json(&status)?,
        OutputFormat::Text => super::print(&status_text(&status))?,
    }
    Ok(Outcome::Success)
}

/// A product's state for people: its majors and open notices.
fn status_text(status: &ProductStatus) -> String {
    let mut out = format!(
        "{} (domain {}, owner {}): latest {}\n",
        shown(&status.name),
        shown(&status.domain),
        shown(&status.owner),
        shown(status.latest.as_deref().unwrap_or("none published"))
    );
    for major in &status.majors {
        out.push_str(&format!(
            "  major {}: {}, latest {}{}\n",
            shown(&major.line),
            shown(&major.state),
            shown(&major.latest),
            major
                .sunset
                .map_or_else(String::new, |t| format!(", sunset {}", date(t)))
        ));
        if major.consumers.is_empty() {
            continue;
        }
        let readers = major
            .consumers
            .iter()
            .map(|c| shown(c))
            .collect::<Vec<_>>()
            .join(", ");
        let line = match major.days_left {
            _ if major.held => format!("past its sunset, held by {readers}"),
            Some(days) => format!(
                "{days} day{} left for {readers}",
                if days == 1 { "" } else { "s" }
            ),
            None => format!("read by {readers}"),
        };
        out.push_str(&format!("    {line}\n"));
    }
    for notice in &status.notices {
        out.push_str(&format!("  notice: {}", notice_line(notice)));
    }
    out
}

/// Issue 11, item 14: the CLI printed a server's answer by slicing it, and panicked on one
/// shorter than it expected. Whatever a server answers, decoding it either fails with an error
/// or gives a value that prints: real answers, with any node replaced by any JSON value.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::api::types::NoticeView;

    /// The body of one of the API's response snapshots.
    fn snapshot(name: &str) -> Value {
        let path = format!(
            "{}/src/api/tests/snapshots/accord__api__tests__responses__{name}.snap",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        serde_json::from_str(body).unwrap()
    }

    fn notice() -> Value {
        json!({"product": "p", "major": 2, "summary": "drops a field", "actor": "ana",
            "announced": "2026-11-21T00:00:00Z", "effective": "2026-12-05T00:00:00Z",
            "withdrawn": null})
    }

    fn status() -> Value {
        let mut status = snapshot("product_status");
        status["notices"] = json!([notice()]);
        status["majors"][0]["sunset"] = json!("2027-01-01T00:00:00Z");
        status
    }

    fn evaluation() -> Value {
        let mut evaluation = snapshot("product_check");
        evaluation["next_notice"] = notice();
        evaluation
    }

    /// How many nodes a value has, itself included.
    fn nodes(value: &Value) -> usize {
        1 + match value {
            Value::Array(items) => items.iter().map(nodes).sum(),
            Value::Object(map) => map.values().map(nodes).sum(),
            _ => 0,
        }
    }

    /// Replaces the `n`th node, in pre-order, by `with`; returns how many nodes it passed.
    fn replace(value: &mut Value, n: usize, with: &Value) -> usize {
        if n == 0 {
            *value = with.clone();
            return usize::MAX;
        }
        let mut seen = 1;
        let children: Vec<&mut Value> = match value {
            Value::Array(items) => items.iter_mut().collect(),
            Value::Object(map) => map.values_mut().collect(),
            _ => Vec::new(),
        };
        for child in children {
            let passed = replace(child, n - seen, with);
            if passed == usize::MAX {
                return usize::MAX;
            }
            seen += passed;
        }
        seen
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,12}".prop_map(Value::from),
            "[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,2}(T[0-9:]{0,8}Z?)?".prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Decodes a mutated answer; one that decodes must print.
    fn survives<T: serde::de::DeserializeOwned>(
        mut answer: Value,
        edits: &[(usize, Value)],
        print: impl Fn(&T) -> String,
    ) {
        for (at, with) in edits {
            let n = at % nodes(&answer);
            replace(&mut answer, n, with);
        }
        if let Ok(decoded) = serde_json::from_value::<T>(answer) {
            let _ = print(&decoded);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn any_product_status_prints_or_is_refused(
            edits in prop::collection::vec((any::<usize>(), any_json()), 1..4)
        ) {
            survives::<ProductStatus>(status(), &edits, status_text);
        }

        #[test]
        fn any_evaluation_prints_or_is_refused(
            edits in prop::collection::vec((any::<usize>(), any_json()), 1..4)
        ) {
            survives::<EvaluationView>(evaluation(), &edits, evaluation_text);
        }

        #[test]
        fn any_notice_prints_or_is_refused(
            edits in prop::collection::vec((any::<usize>(), any_json()), 1..4)
        ) {
            survives::<NoticeView>(notice(), &edits, notice_line);
        }
    }

    #[test]
    fn the_unmutated_answers_decode_and_print() {
        assert!(
            status_text(&serde_json::from_value(status()).unwrap()).contains("sunset 2027-01-01")
        );
        assert!(
            evaluation_text(&serde_json::from_value(evaluation()).unwrap())
                .contains("would be refused")
        );
        assert!(notice_line(&serde_json::from_value(notice()).unwrap()).contains("drops a field"));
    }
}
