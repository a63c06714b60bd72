//! `accord.yaml`, the repository's policy for the CI gate: the default level, levels by path,
//! rule severities, and ignores that say why and until when. Found at the repository root (the
//! nearest directory up from the working one that holds `.git`, or `accord.yaml` itself), or
//! given with `--config`. Unknown keys and rules are errors that name them.
//!
//! ```yaml
//! level: BACKWARD
//! levels:
//!   "events/**/*.avsc": FULL_TRANSITIVE
//! rules:
//!   AV103: warning
//!   AR950: "off"
//! ignore:
//!   - rule: AV102
//!     path: schemas/orders.avsc
//!     reason: coupon is filled by every producer from day one
//!     until: 2027-01-31
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use jiff::civil::Date;
use serde::Deserialize;

use crate::compat::catalog::{self, Rule};
use crate::compat::{Bump, Level, Report};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    level: Option<String>,
    #[serde(default)]
    levels: BTreeMap<String, String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: String,
    path: String,
    reason: String,
    until: String,
}

/// What a rule's finding does under the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Severity {
    Error,
    Warning,
    Off,
}

#[derive(Debug)]
struct Ignore {
    rule: &'static Rule,
    path: String,
    reason: String,
    until: Date,
}

/// A repository's policy, read and checked.
#[derive(Debug)]
pub(crate) struct RepoConfig {
    /// The directory paths in the policy are relative to.
    base: PathBuf,
    file: PathBuf,
    level: Option<Level>,
    levels: Vec<(globset::GlobMatcher, Level)>,
    rules: BTreeMap<&'static str, Severity>,
    ignores: Vec<Ignore>,
}

impl RepoConfig {
    /// `--config FILE`, else `accord.yaml` at the repository root, if there is one.
    pub fn find(explicit: Option<&Path>) -> anyhow::Result<Option<RepoConfig>> {
        if let Some(path) = explicit {
            return RepoConfig::load(path).map(Some);
        }
        let cwd = std::env::current_dir().context("cannot read the working directory")?;
        for dir in cwd.ancestors() {
            let candidate = dir.join("accord.yaml");
            if candidate.is_file() {
                return RepoConfig::load(&candidate).map(Some);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Ok(None)
    }

    pub fn load(path: &Path) -> anyhow::Result<RepoConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let raw: Raw = yaml_serde::from_str(&text)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        let mut problems = Vec::new();
        let level = |text: &str, key: &str, problems: &mut Vec<String>| {
            text.parse::<Level>()
                .map_err(|e| problems.push(format!("`{key}`: {e}")))
                .ok()
        };
        let default_level = raw
            .level
            .as_deref()
            .and_then(|t| level(t, "level", &mut problems));
        let mut levels = Vec::new();
        for (pattern, text) in &raw.levels {
            let key = format!("levels.{pattern}");
            let glob = globset::Glob::new(pattern)
                .map_err(|e| problems.push(format!("`{key}`: {e}")))
                .ok();
            if let (Some(glob), Some(level)) = (glob, level(text, &key, &mut problems)) {
                levels.push((glob.compile_matcher(), level));
            }
        }
        let rule = |code: &str, key: &str, problems: &mut Vec<String>| {
            let found = catalog::find(code);
            if found.is_none() {
                problems.push(format!(
                    "`{key}`: `{code}` is not a rule (`accord rules` lists them)"
                ));
            }
            found
        };
        let mut rules = BTreeMap::new();
        for (code, text) in &raw.rules {
            let key = format!("rules.{code}");
            let severity = match text.to_ascii_lowercase().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "off" => Severity::Off,
                other => {
                    problems.push(format!("`{key}`: `{other}` is not error, warning or off"));
                    continue;
                }
            };
            if let Some(rule) = rule(code, &key, &mut problems) {
                rules.insert(rule.code, severity);
            }
        }
        let mut ignores = Vec::new();
        for (i, ignore) in raw.ignore.iter().enumerate() {
            let key = format!("ignore[{i}]");
            let until = ignore
                .until
                .parse::<Date>()
                .map_err(|e| {
                    problems.push(format!(
                        "`{key}.until`: `{}` is not a date ({e}); e.g. 2027-01-31",
                        ignore.until
                    ))
                })
                .ok();
            if ignore.reason.trim().is_empty() {
                problems.push(format!(
                    "`{key}.reason` is empty: say why the finding is acceptable"
                ));
            }
            if let (Some(rule), Some(until)) = (
                rule(&ignore.rule, &format!("{key}.rule"), &mut problems),
                until,
            ) {
                ignores.push(Ignore {
                    rule,
                    path: ignore.path.trim_start_matches("./").to_string(),
                    reason: ignore.reason.trim().to_string(),
                    until,
                });
            }
        }
        if !problems.is_empty() {
            bail!("`{}`: {}", path.display(), problems.join("; "));
        }
        Ok(RepoConfig {
            base: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            file: path.to_path_buf(),
            level: default_level,
            levels,
            rules,
            ignores,
        })
    }

    /// A file's path as the policy writes paths: relative to the policy's directory.
    fn relative(&self, file: &str) -> String {
        let absolute = std::env::current_dir()
            .map(|cwd| cwd.join(file))
            .unwrap_or_else(|_| PathBuf::from(file));
        let base = std::fs::canonicalize(&self.base).unwrap_or_else(|_| self.base.clone());
        let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
        absolute.strip_prefix(&base).map_or_else(
            |_| file.to_string(),
            |p| p.to_string_lossy().replace('\\', "/"),
        )
    }

    /// The level for a file: the first matching `levels` pattern, else `level`.
    pub fn level_for(&self, file: Option<&str>) -> Option<Level> {
        let relative = file.map(|f| self.relative(f));
        relative
            .as_deref()
            .and_then(|f| self.levels.iter().find(|(glob, _)| glob.is_match(f)))
            .map(|(_, level)| *level)
            .or(self.level)
    }

    /// Applies severities and ignores to a report about `file` on `today`; what it did, for
    /// the output.
    pub fn apply(&self, report: &mut Report, file: Option<&str>, today: Date) -> Vec<String> {
        let relative = file.map(|f| self.relative(f));
        let mut notes = Vec::new();
        let shown = self.file.display();
        let severity = |code: &str| self.rules.get(code).copied().unwrap_or(Severity::Error);
        report
            .changes
            .retain(|c| severity(c.rule.code) != Severity::Off);
        let mut kept = Vec::new();
        for finding in std::mem::take(&mut report.findings) {
            let code = finding.rule.code;
            match severity(code) {
                Severity::Off => continue,
                Severity::Warning => {
                    notes.push(format!(
                        "warning: {code} {} at {}: {} (a warning by {shown})",
                        finding.rule.name, finding.location, finding.message
                    ));
                    waive(report, &finding, format!("a warning by {shown}"));
                    continue;
                }
                Severity::Error => {}
            }
            let ignore = self
                .ignores
                .iter()
                .find(|i| i.rule.code == code && relative.as_deref() == Some(i.path.as_str()));
            match ignore {
                Some(i) if today <= i.until => {
                    notes.push(format!(
                        "ignored: {code} at {} until {}: {} ({shown})",
                        finding.location, i.until, i.reason
                    ));
                    waive(
                        report,
                        &finding,
                        format!("ignored until {}: {}", i.until, i.reason),
                    );
                }
                Some(i) => {
                    notes.push(format!(
                        "the ignore of {code} for {} expired on {} and no longer applies ({shown})",
                        i.path, i.until
                    ));
                    kept.push(finding);
                }
                None => kept.push(finding),
            }
        }
        report.findings = kept;
        report.compatible = report.findings.is_empty();
        if report.compatible {
            report.bump = report
                .changes
                .iter()
                .map(|c| c.rule.bump)
                .max()
                .unwrap_or(Bump::None);
        }
        notes
    }
}

/// Records that the policy lets a finding through (once per change: a finding against several
/// versions is one change).
fn waive(report: &mut Report, finding: &crate::compat::Finding, why: String) {
    let known = report
        .waived
        .iter()
        .any(|w| w.rule == finding.rule.code && w.path == finding.path);
    if !known {
        report.waived.push(crate::compat::Waiver {
            rule: finding.rule.code,
            path: finding.path.clone(),
            why,
        });
    }
}

/// The repository policy's options of the gate commands.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// The repository's policy file (default: `accord.yaml` at the repository root)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The day ignores are judged on, e.g. `2027-02-01` (default: today)
    #[arg(long, value_name = "DATE")]
    today: Option<Date>,
}

impl PolicyArgs {
    pub fn config(&self) -> anyhow::Result<Option<RepoConfig>> {
        RepoConfig::find(self.config.as_deref())
    }

    /// Applies the policy, if there is one, and prints what it did on standard error (the
    /// report itself stays in its format on standard output).
    pub fn apply(&self, config: Option<&RepoConfig>, report: &mut Report, file: &str) {
        let Some(config) = config else { return };
        let today = self.today.unwrap_or_else(|| jiff::Zoned::now().date());
        let file = (file != "-").then_some(file);
        for note in config.apply(report, file, today) {
            eprintln!("{note}");
        }
    }
}
