//! `accord consumer add | remove | list | migrate`: who reads a product, at which major, and
//! how to reach them.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::{Outcome, OutputFormat, shown};
use crate::api::types::{ConsumerRequest, ConsumerView, MigrateRequest, check_actor};

/// Register, move, remove and list a product's consumers.
#[derive(Debug, Args)]
pub(crate) struct ConsumerArgs {
    #[command(subcommand)]
    command: ConsumerCommand,
}

#[derive(Debug, Subcommand)]
enum ConsumerCommand {
    Add(AddArgs),
    Remove(OneArgs),
    List(ListArgs),
    Migrate(MigrateArgs),
}

/// Register a consumer of a product (or update one): a team, a pipeline or another product
/// that reads it at a major.
#[derive(Debug, Args)]
struct AddArgs {
    /// The product read, e.g. `payments.transactions`
    product: String,
    /// The consumer's name, e.g. `finance.revenue-report`
    consumer: String,
    /// The major it reads
    #[arg(long)]
    major: u64,
    /// The consumer's own domain
    #[arg(long)]
    domain: String,
    /// How to reach the consumer's team: a chat channel or an email
    #[arg(long)]
    contact: String,
    /// Where events about the product are posted
    #[arg(long)]
    webhook: Option<String>,
    /// A file holding the key webhook bodies are signed with (HMAC-SHA256)
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// The data product the consumer is, when it is one (impact follows it downstream)
    #[arg(long)]
    as_product: Option<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct Common {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Who acts, for the product's audit history
    #[arg(long, env = "ACCORD_ACTOR", value_parser = check_actor)]
    actor: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// Remove a consumer of a product.
#[derive(Debug, Args)]
struct OneArgs {
    /// The product read
    product: String,
    /// The consumer's name
    consumer: String,
    #[command(flatten)]
    common: Common,
}

/// Move a consumer to another major of the product it reads.
#[derive(Debug, Args)]
struct MigrateArgs {
    /// The product read
    product: String,
    /// The consumer's name
    consumer: String,
    /// The major it reads from now on
    #[arg(long)]
    major: u64,
    #[command(flatten)]
    common: Common,
}

/// List a product's consumers.
#[derive(Debug, Args)]
struct ListArgs {
    /// The product read
    product: String,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: ConsumerArgs) -> anyhow::Result<Outcome> {
    match args.command {
        ConsumerCommand::Add(args) => {
            let secret = match &args.secret_file {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read `{}`", path.display()))?
                        .trim()
                        .to_string(),
                ),
                None => None,
            };
            let request = ConsumerRequest {
                major: args.major,
                domain: args.domain,
                contact: args.contact,
                webhook: args.webhook,
                secret,
                as_product: args.as_product,
            };
            let path = consumer_path(&args.product, &args.consumer);
            change(
                &args.common,
                "PUT",
                &path,
                Some(serde_json::to_value(request)?),
                "registered",
            )
        }
        ConsumerCommand::Remove(args) => {
            let path = consumer_path(&args.product, &args.consumer);
            change(&args.common, "DELETE", &path, None, "removed")
        }
        ConsumerCommand::Migrate(args) => {
            let path = format!("{}/migrate", consumer_path(&args.product, &args.consumer));
            let body = serde_json::to_value(MigrateRequest { major: args.major })?;
            change(&args.common, "POST", &path, Some(body), "moved")
        }
        ConsumerCommand::List(args) => {
            let client = RegistryClient::new(&args.registry)?;
            let consumers: Vec<ConsumerView> = client.get_as(&format!(
                "/v1/products/{}/consumers",
                segment(&args.product)
            ))?;
            match args.format {
                OutputFormat::Json => print_json(&consumers)?,
                OutputFormat::Text => {
                    let mut out = String::new();
                    for c in &consumers {
                        out.push_str(&line(c));
                    }
                    if consumers.is_empty() {
                        out.push_str(&format!(
                            "`{}` has no registered consumer\n",
                            shown(&args.product)
                        ));
                    }
                    super::print(&out)?;
                }
            }
            Ok(Outcome::Success)
        }
    }
}

fn consumer_path(product: &str, consumer: &str) -> String {
    format!(
        "/v1/products/{}/consumers/{}",
        segment(product),
        segment(consumer)
    )
}

/// `finance.revenue-report (finance) on major 1, #finance-data, webhook https://...`
fn line(c: &ConsumerView) -> String {
    let mut out = format!(
        "{} ({}) on major {}, {}",
        shown(&c.name),
        shown(&c.domain),
        c.major,
        shown(&c.contact)
    );
    if let Some(product) = &c.as_product {
        out.push_str(&format!(", the product {}", shown(product)));
    }
    if let Some(webhook) = &c.webhook {
        out.push_str(&format!(
            ", webhook {}{}",
            shown(webhook),
            if c.signed { " (signed)" } else { "" }
        ));
    }
    out.push('\n');
    out
}

fn change(
    common: &Common,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    done: &str,
) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&common.registry)?.with_actor(common.actor.clone());
    let consumer: ConsumerView = client
        .call_as(method, path, body)?
        .map_err(anyhow::Error::msg)?;
    match common.format {
        OutputFormat::Json => print_json(&consumer)?,
        OutputFormat::Text => super::print(&format!(
            "{done} consumer of {}: {}",
            shown(&consumer.product),
            line(&consumer)
        ))?,
    }
    Ok(Outcome::Success)
}
