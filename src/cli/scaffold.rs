//! `accord product new`: the golden path. Scaffolds a manifest (and for accord's own form, its
//! schema) that lints clean and passes the built-in governance rules, for a team to fill in.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::Outcome;
use crate::registry::DataProduct;

/// The manifest forms `product new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum NewForm {
    /// The seeds' `apiVersion: data-platform/v1` manifest, with columns
    #[default]
    DataPlatform,
    /// accord's own manifest, with an Avro schema file beside it
    Accord,
    /// The Data Contract Specification
    Dcs,
    /// The Open Data Contract Standard v3
    Odcs,
}

/// Scaffold a data product: a manifest (and a schema) to fill in, which lints clean and passes
/// the built-in governance rules.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The product's name, e.g. `payments.refunds`
    #[arg(long)]
    name: String,
    /// The owning domain
    #[arg(long)]
    domain: String,
    /// The owning team
    #[arg(long)]
    owner: String,
    /// Where consumers reach the owner: a chat channel or an email (default: `#<domain>-data`)
    #[arg(long)]
    contact: Option<String>,
    /// The manifest's form
    #[arg(long, value_enum, default_value_t)]
    form: NewForm,
    /// The directory to write into
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

pub(crate) fn run(args: NewArgs) -> anyhow::Result<Outcome> {
    let product = DataProduct::new(
        args.name.clone(),
        args.domain.clone(),
        args.owner.clone(),
        vec![args.name.clone()],
    );
    product.validate()?;
    let contact = args
        .contact
        .clone()
        .unwrap_or_else(|| format!("#{}-data", args.domain));
    let manifest = args.dir.join(format!("{}.yaml", args.name));
    let mut files = vec![(manifest.clone(), manifest_text(&args, &contact))];
    if args.form == NewForm::Accord {
        files.push((
            args.dir.join("schemas").join(format!("{}.avsc", args.name)),
            avro_text(&args.name),
        ));
    }
    for (path, _) in &files {
        if path.exists() {
            bail!("`{}` exists: accord does not overwrite it", path.display());
        }
    }
    for (path, text) in &files {
        write(path, text)?;
    }
    let written: Vec<String> = files
        .iter()
        .map(|(p, _)| format!("`{}`", p.display()))
        .collect();
    super::print(&format!(
        "wrote {}\nnext: fill in the columns and the description, then `accord product lint {}`\n",
        written.join(" and "),
        manifest.display()
    ))?;
    Ok(Outcome::Success)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

const DESCRIPTION: &str = "What one row is, where the data comes from, and how soon it arrives.";

fn manifest_text(args: &NewArgs, contact: &str) -> String {
    let NewArgs {
        name,
        domain,
        owner,
        ..
    } = args;
    match args.form {
        NewForm::DataPlatform => format!(
            r#"apiVersion: data-platform/v1
kind: DataProduct
metadata:
  name: {name}
  domain: {domain}
  owner: {owner}
  slack: "{contact}"
spec:
  description: {DESCRIPTION}
  schema_version: "0.1.0"          # 0.x while the contract settles; 1.0.0 promises it
  breaking_change_notice_days: 14
  sla:
    freshness_minutes: 60
    availability_percent: 99.9
  columns:
    - name: id
      type: VARCHAR(36)
      nullable: false
      unique: true
      description: UUID. Primary key.
    - name: created_at
      type: TIMESTAMP
      nullable: false
  access:
    default: analysts
    pii_columns: requires_approval
"#
        ),
        NewForm::Accord => format!(
            r#"name: {name}
domain: {domain}
owner: {owner}
version: 0.1.0                     # 0.x while the contract settles; 1.0.0 promises it
notice_days: 14
overlap_days: 30
compatibility: BACKWARD
schemas:
  - subject: {name}
    format: avro
    file: schemas/{name}.avsc
description: {DESCRIPTION}
contact: "{contact}"
sla:
  freshness_minutes: 60
  availability_percent: 99.9
"#
        ),
        NewForm::Dcs => format!(
            r#"dataContractSpecification: 1.1.0
id: urn:datacontract:{domain}:{name}
info:
  title: {name}
  version: 0.1.0
  owner: {owner}
  domain: {domain}
  description: {DESCRIPTION}
  contact:
    slack: "{contact}"
terms:
  noticePeriod: P14D
models:
  {table}:
    type: table
    fields:
      id:
        type: varchar
        maxLength: 36
        required: true
        unique: true
        description: UUID. Primary key.
      created_at:
        type: timestamp
        required: true
servicelevels:
  availability:
    percentage: 99.9%
  latency:
    threshold: 1h
"#,
            table = name.rsplit('.').next().unwrap_or(name)
        ),
        NewForm::Odcs => format!(
            r#"apiVersion: v3.0.2
kind: DataContract
id: {name}
name: {name}
version: 0.1.0
status: draft
domain: {domain}
dataProduct: {name}
description:
  purpose: {DESCRIPTION}
customProperties:
  - property: owner
    value: {owner}
support:
  - channel: "{contact}"
    tool: slack
schema:
  - name: {table}
    logicalType: object
    properties:
      - name: id
        logicalType: string
        physicalType: VARCHAR(36)
        required: true
        unique: true
        primaryKey: true
        description: UUID. Primary key.
      - name: created_at
        logicalType: timestamp
        physicalType: TIMESTAMP
        required: true
slaProperties:
  - property: availability
    value: 99.9%
  - property: latency
    value: 1
    unit: h
"#,
            table = name.rsplit('.').next().unwrap_or(name)
        ),
    }
}

fn avro_text(name: &str) -> String {
    let record: String = name
        .rsplit('.')
        .next()
        .unwrap_or(name)
        .split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!(
        r#"{{
  "type": "record",
  "name": "{record}",
  "doc": "{DESCRIPTION}",
  "fields": [
    {{"name": "id", "type": {{"type": "string", "logicalType": "uuid"}}, "doc": "Primary key."}},
    {{"name": "created_at", "type": {{"type": "long", "logicalType": "timestamp-micros"}}}}
  ]
}}
"#
    )
}
