//! `accord product search`: the catalog, searched by words, domain and tag.

use clap::Args;

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::{Outcome, OutputFormat, shown};
use crate::api::types::CatalogEntry;

/// Search the catalog: products whose name, description, tags or column names hold every word.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Words to look for (none: every product)
    words: Vec<String>,
    /// Only products of this domain
    #[arg(long)]
    domain: Option<String>,
    /// Only products with this tag
    #[arg(long)]
    tag: Option<String>,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: SearchArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry)?;
    let mut query: Vec<String> = Vec::new();
    if !args.words.is_empty() {
        query.push(format!("q={}", segment(&args.words.join(" "))));
    }
    if let Some(domain) = &args.domain {
        query.push(format!("domain={}", segment(domain)));
    }
    if let Some(tag) = &args.tag {
        query.push(format!("tag={}", segment(tag)));
    }
    let found: Vec<CatalogEntry> =
        client.get_as(&format!("/v1/data-products?{}", query.join("&")))?;
    match args.format {
        OutputFormat::Json => print_json(&found)?,
        OutputFormat::Text => {
            let mut out = String::new();
            for entry in &found {
                out.push_str(&format!(
                    "{} {}  ({}, {})\n",
                    shown(&entry.name),
                    shown(entry.version.as_deref().unwrap_or("(unpublished)")),
                    shown(&entry.domain),
                    shown(&entry.owner)
                ));
                if let Some(description) = &entry.description {
                    out.push_str(&format!("    {}\n", shown(description)));
                }
                out.push_str(&format!("    {}\n", shown(&entry.catalog_url)));
            }
            if found.is_empty() {
                out.push_str("no product matches\n");
            }
            super::print(&out)?;
        }
    }
    Ok(Outcome::Success)
}
