//! `accord rules [CODE]`

use anyhow::bail;
use clap::Args;
use serde_json::json;

use super::{Outcome, OutputFormat};
use crate::compat::catalog;
use crate::contract::governance;

/// `compat-rules/README.md`: the compatibility rules' index, then the governance rules'.
pub(crate) fn index() -> String {
    catalog::render_index() + &governance::render_index()
}

/// List the compatibility and governance rules, or show one rule's documentation.
///
/// Every change `accord diff` and `accord check` report carries one of these codes; governance
/// findings (`product lint --policy`, publications on a server with a policy) carry a GV code.
#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// A rule code (`AV102`) or name (`field-added-without-default`) to document
    code: Option<String>,
    /// Print the catalog as the Markdown index committed in `compat-rules/README.md`
    #[arg(long, conflicts_with_all = ["code", "format"])]
    markdown: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: RulesArgs) -> anyhow::Result<Outcome> {
    if args.markdown {
        super::print(&index())?;
        return Ok(Outcome::Success);
    }
    let (rules, governance): (Vec<_>, Vec<_>) = match &args.code {
        Some(code) => match (catalog::find(code), governance::find(code)) {
            (Some(rule), _) => (vec![rule], Vec::new()),
            (None, Some(rule)) => (Vec::new(), vec![rule]),
            (None, None) => bail!("no rule `{code}` (run `accord rules` for the list)"),
        },
        None => (catalog::RULES.to_vec(), governance::RULES.iter().collect()),
    };
    match args.format {
        OutputFormat::Json => {
            let mut list: Vec<_> = rules
                .iter()
                .map(|r| {
                    json!({
                        "code": r.code,
                        "name": r.name,
                        "summary": r.summary,
                        "format": r.format.dir(),
                        "may_break": r.may_break.names(),
                        "bump": r.bump.name(),
                        "status": "stable",
                        "doc": r.doc,
                    })
                })
                .collect();
            list.extend(governance.iter().map(|r| {
                json!({
                    "code": r.code,
                    "name": r.name,
                    "summary": r.summary,
                    "format": "governance",
                    "default_severity": r.default_severity.name(),
                    "status": "stable",
                    "doc": r.doc,
                })
            }));
            let value = if args.code.is_some() {
                list[0].clone()
            } else {
                list.into()
            };
            super::print(&format!("{value:#}\n"))?;
        }
        OutputFormat::Text if args.code.is_some() && !governance.is_empty() => {
            let rule = governance[0];
            super::print(&format!(
                "{} {}  (governance; default severity: {})\n\n{}",
                rule.code,
                rule.name,
                rule.default_severity.name(),
                rule.doc
            ))?;
        }
        OutputFormat::Text if args.code.is_some() => {
            let rule = rules[0];
            let may_break = rule.may_break_label(", ");
            super::print(&format!(
                "{} {}  (may break: {may_break}; bump when safe: {})\n\n{}",
                rule.code,
                rule.name,
                rule.bump.name(),
                rule.doc
            ))?;
        }
        OutputFormat::Text => {
            let mut out = String::new();
            for rule in rules {
                let may_break = rule.may_break_label("+");
                out.push_str(&format!(
                    "{}  {:<32} {:<17} {}\n",
                    rule.code, rule.name, may_break, rule.summary
                ));
            }
            for rule in governance {
                out.push_str(&format!(
                    "{}  {:<32} {:<17} {}\n",
                    rule.code,
                    rule.name,
                    format!("{} (policy)", rule.default_severity.name()),
                    rule.summary
                ));
            }
            super::print(&out)?;
        }
    }
    Ok(Outcome::Success)
}
