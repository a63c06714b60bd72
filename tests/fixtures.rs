//! One test per fixture case under `testdata/compat/`.
//!
//! - `avro/<CODE>-<name>/{flags,passes}-*/`: `before.avsc`, `after.avsc`, optional `case.toml`
//!   (`description`, `level`), and the `expected.snap` snapshot of the text report. A `flags-`
//!   case must report the folder's rule, a `passes-` case must not. Where `apache-avro` can parse
//!   both schemas, its verdict in each direction must agree with ours unless the disagreement is
//!   listed in `testdata/compat/oracle-differences.toml` (and a listed one must still disagree).
//! - `levels/<name>/`: `v1.avsc` ... `vN.avsc` (the last is the new schema) and `case.toml`
//!   (`description`, `level`, `compatible`), with the snapshot of the report.

use std::path::Path;

use accord::avro;
use accord::compat::{self, Level, catalog};
use anstream::adapter::strip_str;
use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseToml {
    #[allow(dead_code)]
    description: Option<String>,
    level: Option<String>,
    compatible: Option<bool>,
    /// An Arrow case's target profile (`iceberg-v2`, ...).
    profile: Option<String>,
}

fn read_case_toml(dir: &Path) -> datatest_stable::Result<CaseToml> {
    let path = dir.join("case.toml");
    if !path.exists() {
        return Ok(CaseToml::default());
    }
    Ok(toml::from_str(&std::fs::read_to_string(&path)?)?)
}

fn parse_file(path: &Path) -> datatest_stable::Result<avro::Schema> {
    let text = std::fs::read_to_string(path)?;
    avro::parse(&text).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn snapshot(dir: &Path, text: &str) {
    insta::with_settings!({
        snapshot_path => dir.canonicalize().expect("case folder exists"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("expected", strip_str(text).to_string());
    });
}

/// The rule a case folder names, and whether the case must report it (`flags-`) or not.
fn case_rule(dir: &Path) -> datatest_stable::Result<(&'static catalog::Rule, bool)> {
    let case_name = dir.file_name().unwrap().to_string_lossy().to_string();
    let rule_dir = dir
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let (code, name) = rule_dir
        .split_once('-')
        .ok_or_else(|| format!("folder `{rule_dir}` is not <CODE>-<name>"))?;
    let rule =
        catalog::find(code).ok_or_else(|| format!("no rule {code} for folder `{rule_dir}`"))?;
    if rule.name != name {
        return Err(format!(
            "folder `{rule_dir}` names {code} `{name}`, the rule is `{}`",
            rule.name
        )
        .into());
    }
    let flags = if case_name.starts_with("flags-") {
        true
    } else if case_name.starts_with("passes-") {
        false
    } else {
        return Err(format!("case `{case_name}` must start with flags- or passes-").into());
    };
    Ok((rule, flags))
}

/// Fails unless the report shows the rule exactly when the case says it must.
fn expect_rule(
    dir: &Path,
    rule: &catalog::Rule,
    flags: bool,
    report: &compat::Report,
) -> datatest_stable::Result<()> {
    if report.changes.iter().any(|c| c.rule.code == rule.code) != flags {
        return Err(format!(
            "{}: expected {} {}, got:\n{}",
            dir.display(),
            rule.code,
            if flags {
                "to be reported"
            } else {
                "not to be reported"
            },
            strip_str(&report.to_text())
        )
        .into());
    }
    Ok(())
}

fn arrow_case(before_path: &Path) -> datatest_stable::Result<()> {
    let dir = before_path.parent().expect("a case folder");
    let (rule, flags) = case_rule(dir)?;
    let case = read_case_toml(dir)?;
    let level: Level = case.level.as_deref().unwrap_or("BACKWARD").parse()?;
    let parse = |path: &Path| -> datatest_stable::Result<arrow_schema::Schema> {
        accord::arrow::parse(&std::fs::read_to_string(path)?)
            .map_err(|e| format!("{}: {e}", path.display()).into())
    };
    let old = parse(before_path)?;
    let new = parse(&dir.join("after.arrow.json"))?;
    let report = match &case.profile {
        Some(profile) => {
            let profile: compat::Profile = profile.parse()?;
            let old = compat::Profiled {
                schema: &old,
                profile,
            };
            let new = compat::Profiled {
                schema: &new,
                profile,
            };
            compat::check_history(&[&old], &new, level)
        }
        None => compat::check_history(&[&old], &new, level),
    };
    expect_rule(dir, rule, flags, &report)?;
    snapshot(dir, &report.to_text());
    compare_with_contains(dir, &old, &new)
}

#[derive(Debug, Deserialize)]
struct ArrowOracleDifferences {
    /// Rules through which accord accepts what `contains` refuses.
    rules: std::collections::BTreeMap<String, String>,
    /// Rules through which accord refuses what `contains` accepts.
    stricter: std::collections::BTreeMap<String, String>,
}

fn arrow_oracle_differences() -> datatest_stable::Result<ArrowOracleDifferences> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/compat/arrow-oracle-differences.toml");
    Ok(toml::from_str(&std::fs::read_to_string(path)?)?)
}

/// `arrow-schema`'s `Schema::contains` as an oracle for "nothing breaks backward".
fn compare_with_contains(
    dir: &Path,
    old: &arrow_schema::Schema,
    new: &arrow_schema::Schema,
) -> datatest_stable::Result<()> {
    let diff = compat::diff(old, new);
    let backward_ok = !diff.breaks().backward;
    let listed = arrow_oracle_differences()?;
    if new.contains(old) {
        let unlisted = diff
            .changes
            .iter()
            .find(|c| c.breaks.backward && !listed.stricter.contains_key(c.rule.code));
        if let Some(change) = unlisted {
            return Err(format!(
                "{}: Schema::contains says old data reads as new, accord says {} breaks backward, \
                 and the [stricter] list does not have it",
                dir.display(),
                change.rule.code
            )
            .into());
        }
        return Ok(());
    }
    if backward_ok {
        for change in &diff.changes {
            if !listed.rules.contains_key(change.rule.code) {
                return Err(format!(
                    "{}: accord accepts what Schema::contains refuses, through {}, which \
                     testdata/compat/arrow-oracle-differences.toml does not list",
                    dir.display(),
                    change.rule.code
                )
                .into());
            }
        }
    }
    Ok(())
}

fn avro_case(before_path: &Path) -> datatest_stable::Result<()> {
    let dir = before_path.parent().expect("a case folder");
    let (rule, flags) = case_rule(dir)?;
    let code = rule.code;
    let case_name = dir.file_name().unwrap().to_string_lossy().to_string();
    let rule_dir = format!("{code}-{}", rule.name);
    let case = read_case_toml(dir)?;
    let level: Level = case.level.as_deref().unwrap_or("BACKWARD").parse()?;
    let old = parse_file(before_path)?;
    let new = parse_file(&dir.join("after.avsc"))?;
    let report = compat::check_history(&[&old], &new, level);
    expect_rule(dir, rule, flags, &report)?;
    snapshot(dir, &report.to_text());
    compare_with_oracle(
        &format!("{rule_dir}/{case_name}"),
        before_path,
        &dir.join("after.avsc"),
    )
}

/// Our verdict per direction against `apache-avro`'s `SchemaCompatibility::can_read`.
fn compare_with_oracle(case: &str, before: &Path, after: &Path) -> datatest_stable::Result<()> {
    let (Ok(old), Ok(new)) = (
        apache_avro::Schema::parse_str(&std::fs::read_to_string(before)?),
        apache_avro::Schema::parse_str(&std::fs::read_to_string(after)?),
    ) else {
        return Ok(()); // apache-avro cannot parse it: no oracle for this case
    };
    let ours = compat::diff(&parse_file(before)?, &parse_file(after)?).breaks();
    let oracle_reads = |writer, reader| {
        matches!(
            SchemaCompatibility::can_read(writer, reader),
            Ok(Compatibility::Full)
        )
    };
    let known = known_differences()?;
    for (direction, ours_breaks, oracle_breaks) in [
        ("backward", ours.backward, !oracle_reads(&old, &new)),
        ("forward", ours.forward, !oracle_reads(&new, &old)),
    ] {
        let key = format!("{case} {direction}");
        let listed = known.contains_key(&key);
        if (ours_breaks != oracle_breaks) != listed {
            return Err(if listed {
                format!("`{key}` is listed in oracle-differences.toml but accord and apache-avro now agree")
            } else {
                format!(
                    "accord says {direction} {} but apache-avro says it {}; fix the engine or list `{key}` in testdata/compat/oracle-differences.toml with the reason",
                    if ours_breaks { "breaks" } else { "holds" },
                    if oracle_breaks { "breaks" } else { "holds" },
                )
            }
            .into());
        }
    }
    Ok(())
}

/// `"<rule dir>/<case> <direction>" = "why accord deliberately differs"`.
fn known_differences() -> datatest_stable::Result<toml::Table> {
    let text = std::fs::read_to_string("testdata/compat/oracle-differences.toml")?;
    Ok(toml::from_str(&text)?)
}

fn level_case(case_toml: &Path) -> datatest_stable::Result<()> {
    let dir = case_toml.parent().expect("a case folder");
    let case = read_case_toml(dir)?;
    let level: Level = case
        .level
        .as_deref()
        .ok_or("case.toml needs `level`")?
        .parse()?;
    let mut versions = Vec::new();
    for n in 1.. {
        let path = dir.join(format!("v{n}.avsc"));
        if !path.exists() {
            break;
        }
        versions.push(parse_file(&path)?);
    }
    let new = versions
        .pop()
        .ok_or("a level case needs v1.avsc, v2.avsc, ...")?;
    let versions: Vec<&avro::Schema> = versions.iter().collect();
    let report = compat::check_history(&versions, &new, level);
    if let Some(expected) = case.compatible
        && report.compatible != expected
    {
        return Err(format!(
            "expected compatible = {expected} at {level}, got:\n{}",
            strip_str(&report.to_text())
        )
        .into());
    }
    snapshot(dir, &report.to_text());
    Ok(())
}

datatest_stable::harness! {
    { test = avro_case, root = "testdata/compat/avro", pattern = r"before\.avsc$" },
    { test = arrow_case, root = "testdata/compat/arrow", pattern = r"before\.arrow\.json$" },
    { test = level_case, root = "testdata/compat/levels", pattern = r"case\.toml$" },
}
