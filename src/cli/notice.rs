//! `accord notice announce | withdraw | list`: breaking-change notices, announced a notice
//! window ahead of the major they allow.

use clap::{Args, Subcommand};
use serde_json::json;

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::{Outcome, OutputFormat, shown};
use crate::api::parse_time;
use crate::api::types::{NoticeView, check_actor};
use crate::registry::date;

/// `payments.transactions major 2: what breaks (announced 2026-11-21, allowed from 2026-12-05)`
pub(super) fn notice_line(notice: &NoticeView) -> String {
    format!(
        "{} major {}: {} (announced {}, allowed from {}{})\n",
        shown(&notice.product),
        notice.major,
        shown(&notice.summary),
        date(notice.announced),
        date(notice.effective),
        notice
            .withdrawn
            .map_or_else(String::new, |t| format!(", withdrawn {}", date(t)))
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
    #[arg(long, env = "ACCORD_ACTOR", value_parser = check_actor)]
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
    #[arg(long, env = "ACCORD_ACTOR", value_parser = check_actor)]
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

pub(crate) fn run(args: NoticeArgs) -> anyhow::Result<Outcome> {
    match args.command {
        NoticeCommand::Announce(args) => {
            let client = RegistryClient::new(&args.registry)?.with_actor(args.actor);
            let path = format!("/v1/products/{}/notices", segment(&args.name));
            let body = json!({"major": args.major, "summary": args.summary});
            let notice: NoticeView = client
                .call_as("POST", &path, Some(body))?
                .map_err(anyhow::Error::msg)?;
            super::print(&format!("announced {}", notice_line(&notice)))?;
            Ok(Outcome::Success)
        }
        NoticeCommand::Withdraw(args) => {
            let client = RegistryClient::new(&args.registry)?.with_actor(args.actor);
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
            let client = RegistryClient::new(&args.registry)?;
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
            let notices: Vec<NoticeView> = client.get_as(&path)?;
            match args.format {
                OutputFormat::Json => print_json(&notices)?,
                OutputFormat::Text => {
                    if notices.is_empty() {
                        super::print("no notices\n")?;
                    }
                    for notice in &notices {
                        super::print(&notice_line(notice))?;
                    }
                }
            }
            Ok(Outcome::Success)
        }
    }
}
