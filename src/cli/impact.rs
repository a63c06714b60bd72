//! `accord product impact MANIFEST`: who publishing the manifest's version would leave on a
//! deprecated major, directly and downstream through consumers that are products.

use std::path::PathBuf;

use clap::Args;
use semver::Version as Semver;

use super::client::{RegistryArgs, RegistryClient, print_json, segment};
use super::manifest::Manifest;
use super::{Outcome, OutputFormat, shown};
use crate::api::parse_time;
use crate::registry::Impact;

/// Who a version would affect: the consumers on the majors it deprecates, and the products
/// downstream of them (the seeds' impact analysis: upstream, downstream, downstream_count).
#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    /// The product's manifest, in any form accord reads
    manifest: PathBuf,
    /// The version, for a manifest that declares none (`datamesh/v1`)
    #[arg(long, value_name = "SEMVER", value_parser = super::product::parse_semver)]
    product_version: Option<Semver>,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Judge as of this time instead of now, e.g. `2026-12-04`
    #[arg(long)]
    now: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: ImpactArgs) -> anyhow::Result<Outcome> {
    let manifest = Manifest::load(&args.manifest, args.product_version.as_ref())?;
    let mut path = format!(
        "/v1/products/{}/impact?version={}",
        segment(&manifest.contract.product.name),
        segment(&manifest.version()?.to_string())
    );
    if let Some(now) = &args.now {
        parse_time(now).map_err(anyhow::Error::msg)?;
        path.push_str(&format!("&now={}", segment(now)));
    }
    let client = RegistryClient::new(&args.registry)?;
    let impact: Impact = client.get_as(&path)?;
    match args.format {
        OutputFormat::Json => print_json(&impact)?,
        OutputFormat::Text => super::print(&text(&impact))?,
    }
    Ok(Outcome::Success)
}

fn text(impact: &Impact) -> String {
    let head = format!("{} {}", shown(&impact.product), shown(&impact.version));
    let mut out = match impact.deprecates.as_slice() {
        [] => format!("{head} deprecates no major: it affects no consumer\n"),
        majors => format!(
            "{head} deprecates major {}\n",
            majors
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if !impact.deprecates.is_empty() {
        out.push_str(&format!(
            "affected consumers ({}):\n",
            impact.affected.len()
        ));
        for a in &impact.affected {
            let via = if a.depth == 1 {
                String::new()
            } else {
                format!(
                    ", downstream through {} (depth {})",
                    shown(&a.product),
                    a.depth
                )
            };
            out.push_str(&format!(
                "  {} on major {} ({}){via}\n",
                shown(&a.consumer),
                a.major,
                shown(&a.contact)
            ));
        }
    }
    if !impact.upstream.is_empty() {
        out.push_str(&format!("upstream: {}\n", impact.upstream.join(", ")));
    }
    out.push_str(&format!(
        "downstream ({}): {}\n",
        impact.downstream_count,
        if impact.downstream.is_empty() {
            "none".to_string()
        } else {
            impact.downstream.join(", ")
        }
    ));
    if impact.truncated {
        out.push_str("(the walk stopped at its depth limit; there is more below)\n");
    }
    out
}
