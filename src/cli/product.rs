//! `accord product lint | check | publish | status` and `accord notice announce | withdraw |
//! list`: a domain team's path from manifest to published product version.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::manifest::Manifest;
use super::{Outcome, OutputFormat};
use crate::api::parse_time;

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
}

/// Check a manifest offline: its fields, its version, and that every schema file exists and is
/// a valid schema.
///
/// Exit status: 0 valid, 2 when something is wrong (every problem is listed).
#[derive(Debug, Args)]
struct LintArgs {
    /// The product's manifest (YAML)
    manifest: PathBuf,
}

/// The CI gate: what publishing the manifest's version would do, without publishing. Shows the
/// changes per subject, the bump they need, whether the declared version satisfies it, and the
/// notice state.
///
/// Exit status: 0 it would be accepted, 1 it would be refused, 2 on any other error.
#[derive(Debug, Args)]
struct CheckArgs {
    /// The product's manifest (YAML)
    manifest: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Judge as of this time instead of now, e.g. `2026-12-04T00:00:00Z` or `2026-12-04`
    #[arg(long)]
    now: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// Publish the manifest's version: updates the product's definition, then registers every
/// subject's schema as one atomic product version.
///
/// Exit status: 0 published, 1 refused by the product's rules, 2 on any other error.
#[derive(Debug, Args)]
struct PublishArgs {
    /// The product's manifest (YAML)
    manifest: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Who publishes, for the audit history
    #[arg(long, env = "ACCORD_ACTOR")]
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

pub(crate) fn run(args: ProductArgs) -> anyhow::Result<Outcome> {
    match args.command {
        ProductCommand::Lint(args) => lint(args),
        ProductCommand::Check(args) => check(args),
        ProductCommand::Publish(args) => publish(args),
        ProductCommand::Status(args) => status(args),
    }
}

fn lint(args: LintArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest)?;
    super::print(&format!(
        "{}: {} {} is valid ({} schema{})\n",
        args.manifest.display(),
        manifest.product.name,
        manifest.version,
        manifest.schemas.len(),
        if manifest.schemas.len() == 1 { "" } else { "s" }
    ))?;
    Ok(Outcome::Success)
}

fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest)?;
    let mut path = format!("/v1/products/{}/check", segment(&manifest.product.name));
    if let Some(now) = &args.now {
        parse_time(now).map_err(anyhow::Error::msg)?;
        path.push_str(&format!("?now={}", segment(now)));
    }
    let client = RegistryClient::new(&args.registry);
    let evaluation = match client.call("POST", &path, Some(manifest.publication_json()))? {
        Ok(evaluation) => evaluation,
        Err(refusal) if refusal.name.as_deref() == Some("product_not_found") => json!({
            "product": manifest.product.name,
            "version": manifest.version.to_string(),
            "accepted": true,
            "refusal": null,
            "step": "first",
            "new_product": true,
            "subjects": [],
        }),
        Err(refusal) => return Err(anyhow::Error::msg(refusal)),
    };
    match args.format {
        OutputFormat::Json => print_json(&evaluation)?,
        OutputFormat::Text => super::print(&evaluation_text(&evaluation))?,
    }
    Ok(if evaluation["accepted"] == json!(true) {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// The dry run for people: the verdict first, then each subject's changes.
fn evaluation_text(e: &Value) -> String {
    let mut out = String::new();
    let head = format!("{} {}", str_of(&e["product"]), str_of(&e["version"]));
    match e["refusal"].as_object() {
        None if e["new_product"] == json!(true) => out.push_str(&format!(
            "{head}: would be accepted (a new product: this is its first version)\n"
        )),
        None => out.push_str(&format!("{head}: would be accepted\n")),
        Some(refusal) => out.push_str(&format!(
            "{head}: would be refused ({})\n  {}\n",
            str_of(&refusal["code"]),
            str_of(&refusal["message"])
        )),
    }
    for subject in e["subjects"].as_array().into_iter().flatten() {
        let history: Vec<&str> = subject["against"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // The plain levels check the latest version only.
        let checked = subject["versions_checked"].as_u64().unwrap_or(0) as usize;
        let against = &history[history.len() - checked.min(history.len())..];
        let level = str_of(&subject["level"]);
        let changes = subject["changes"].as_array().map_or(0, Vec::len);
        out.push_str(&format!(
            "\n{}: {}\n",
            str_of(&subject["subject"]),
            if subject["unchanged"] == json!(true) {
                "unchanged".to_string()
            } else if history.is_empty() {
                "a new schema".to_string()
            } else {
                format!(
                    "{changes} change{} from {}, checked against {} at {level}, needs a {} bump",
                    if changes == 1 { "" } else { "s" },
                    history.last().unwrap_or(&""),
                    if against.is_empty() {
                        "nothing".to_string()
                    } else {
                        against.join(", ")
                    },
                    str_of(&subject["bump"])
                )
            }
        ));
        for change in subject["changes"].as_array().into_iter().flatten() {
            let breaks: Vec<&str> = change["breaks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let (mark, verdict) = if change["breaks_level"] == json!(true) {
                ("✗", format!("breaks {}", breaks.join(" and ")))
            } else if !breaks.is_empty() {
                (
                    "!",
                    format!("breaks {} (not required by {level})", breaks.join(" and ")),
                )
            } else {
                ("✓", "safe".to_string())
            };
            out.push_str(&format!(
                "  {mark} {} {}  {}  {}\n      {}\n      {verdict}\n",
                str_of(&change["rule"]),
                str_of(&change["name"]),
                str_of(&change["location"]),
                str_of(&change["path"]),
                str_of(&change["message"])
            ));
        }
        let findings: Vec<&str> = subject["findings_text"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !findings.is_empty() {
            out.push_str(&format!("  findings at {level}:\n"));
            for finding in findings {
                out.push_str(&format!("    {finding}\n"));
            }
        }
    }
    if let Some(bump) = e["required_bump"].as_str() {
        out.push_str(&format!("\nrequired bump: {bump}\n"));
    }
    if let Some(notice) = e["next_notice"].as_object() {
        out.push_str(&format!(
            "notice: {}",
            notice_line(&Value::Object(notice.clone()))
        ));
    }
    out
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

fn publish(args: PublishArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest)?;
    let client = RegistryClient::new(&args.registry).with_actor(args.actor.clone());
    let product_path = format!("/v1/products/{}", segment(&manifest.product.name));
    client
        .call("PUT", &product_path, Some(manifest.definition_json()))?
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot define product `{}`", manifest.product.name))?;
    let answer = client.call(
        "POST",
        &format!("{product_path}/versions"),
        Some(manifest.publication_json()),
    )?;
    match answer {
        Ok(published) => {
            match args.format {
                OutputFormat::Json => print_json(&published)?,
                OutputFormat::Text => {
                    let mut out = format!(
                        "published {} {}\n",
                        manifest.product.name,
                        str_of(&published["version"])
                    );
                    for s in published["schemas"].as_array().into_iter().flatten() {
                        out.push_str(&format!(
                            "  {}: version {}, id {}\n",
                            str_of(&s["subject"]),
                            s["version"],
                            s["id"]
                        ));
                    }
                    super::print(&out)?;
                }
            }
            Ok(Outcome::Success)
        }
        Err(refusal) if refusal.status == 409 => {
            match args.format {
                OutputFormat::Json => {
                    print_json(&json!({"error_code": refusal.name, "message": refusal.message}))?
                }
                OutputFormat::Text => super::print(&format!(
                    "refused ({}): {}\n",
                    refusal.name.as_deref().unwrap_or("refused"),
                    refusal.message
                ))?,
            }
            Ok(Outcome::Findings)
        }
        Err(refusal) => Err(anyhow::Error::msg(refusal)),
    }
}

fn status(args: StatusArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry);
    let status = client
        .call(
            "GET",
            &format!("/v1/products/{}", segment(&args.name)),
            None,
        )?
        .map_err(anyhow::Error::msg)?;
    match args.format {
        OutputFormat::Json => print_json(&status)?,
        OutputFormat::Text => {
            let mut out = format!(
                "{} (domain {}, owner {}): latest {}\n",
                str_of(&status["name"]),
                str_of(&status["domain"]),
                str_of(&status["owner"]),
                status["latest"].as_str().unwrap_or("none published")
            );
            for major in status["majors"].as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "  major {}: {}, latest {}{}\n",
                    str_of(&major["line"]),
                    str_of(&major["state"]),
                    str_of(&major["latest"]),
                    major["sunset"]
                        .as_str()
                        .map_or_else(String::new, |s| format!(", sunset {}", day_of(s)))
                ));
            }
            for notice in status["notices"].as_array().into_iter().flatten() {
                out.push_str(&format!("  notice: {}", notice_line(notice)));
            }
            super::print(&out)?;
        }
    }
    Ok(Outcome::Success)
}

/// `payments.transactions major 2: what breaks (announced 2026-11-21, allowed from 2026-12-05)`
fn notice_line(notice: &Value) -> String {
    let day = |key: &str| str_of(&notice[key]).get(..10).unwrap_or("").to_string();
    format!(
        "{} major {}: {} (announced {}, allowed from {}{})\n",
        str_of(&notice["product"]),
        notice["major"],
        str_of(&notice["summary"]),
        day("announced"),
        day("effective"),
        if notice["withdrawn"].is_string() {
            format!(", withdrawn {}", day("withdrawn"))
        } else {
            String::new()
        }
    )
}

/// Announce, withdraw and list breaking-change notices.
#[derive(Debug, Args)]
pub(crate) struct NoticeArgs {
    #[command(subcommand)]
    command: NoticeCommand,
}

#[derive(Debug, Subcommand)]
enum NoticeCommand {
    Announce(AnnounceArgs),
    Withdraw(WithdrawArgs),
    List(ListArgs),
}

/// Announce a breaking change for a product's next major; it may be published once the
/// product's notice days have passed.
#[derive(Debug, Args)]
struct AnnounceArgs {
    /// The product's name
    name: String,
    /// The major the breaking change will come in (the latest major + 1)
    #[arg(long)]
    major: u64,
    /// What breaks, for consumers
    #[arg(long)]
    summary: String,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Who announces, for the audit history
    #[arg(long, env = "ACCORD_ACTOR")]
    actor: Option<String>,
}

/// Withdraw an open notice whose major is not published yet.
#[derive(Debug, Args)]
struct WithdrawArgs {
    /// The product's name
    name: String,
    /// The major of the notice
    #[arg(long)]
    major: u64,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Who withdraws, for the audit history
    #[arg(long, env = "ACCORD_ACTOR")]
    actor: Option<String>,
}

/// List open notices, of one product or of all, so consumers can follow upcoming breaks.
#[derive(Debug, Args)]
struct ListArgs {
    /// Only this product's notices
    name: Option<String>,
    /// Only notices announced since this date, e.g. `2026-11-01`
    #[arg(long)]
    since: Option<String>,
    /// Include withdrawn notices
    #[arg(long)]
    withdrawn: bool,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn notice(args: NoticeArgs) -> anyhow::Result<Outcome> {
    match args.command {
        NoticeCommand::Announce(args) => {
            let client = RegistryClient::new(&args.registry).with_actor(args.actor);
            let path = format!("/v1/products/{}/notices", segment(&args.name));
            let body = json!({"major": args.major, "summary": args.summary});
            let notice = client
                .call("POST", &path, Some(body))?
                .map_err(anyhow::Error::msg)?;
            super::print(&format!("announced {}", notice_line(&notice)))?;
            Ok(Outcome::Success)
        }
        NoticeCommand::Withdraw(args) => {
            let client = RegistryClient::new(&args.registry).with_actor(args.actor);
            let path = format!(
                "/v1/products/{}/notices/{}",
                segment(&args.name),
                args.major
            );
            client
                .call("DELETE", &path, None)?
                .map_err(anyhow::Error::msg)?;
            super::print(&format!(
                "withdrew the notice for {} major {}\n",
                args.name, args.major
            ))?;
            Ok(Outcome::Success)
        }
        NoticeCommand::List(args) => {
            let client = RegistryClient::new(&args.registry);
            let mut path = match &args.name {
                Some(name) => format!("/v1/products/{}/notices", segment(name)),
                None => "/v1/notices".to_string(),
            };
            let mut query = Vec::new();
            if let Some(since) = &args.since {
                parse_time(since).map_err(anyhow::Error::msg)?;
                query.push(format!("since={}", segment(since)));
            }
            if args.withdrawn {
                query.push("withdrawn=true".to_string());
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let notices = client.get(&path)?;
            match args.format {
                OutputFormat::Json => print_json(&notices)?,
                OutputFormat::Text => {
                    let list = notices.as_array().cloned().unwrap_or_default();
                    if list.is_empty() {
                        super::print("no notices\n")?;
                    }
                    for notice in &list {
                        super::print(&notice_line(notice))?;
                    }
                }
            }
            Ok(Outcome::Success)
        }
    }
}

/// The UTC day of an RFC 3339 timestamp, or the text itself when it is not one.
fn day_of(timestamp: &str) -> String {
    timestamp
        .parse::<jiff::Timestamp>()
        .map_or_else(|_| timestamp.to_string(), |t| t.strftime("%F").to_string())
}
