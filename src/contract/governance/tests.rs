//! The governance rules against their fixtures (`testdata/governance/<CODE>-<name>/`): a
//! `flags-` manifest must draw the rule's finding, a `passes-` one must not; every rule has
//! prose, fixtures, and an example that shows what accord reports.

use std::path::{Path, PathBuf};

use super::{Catalog, Policy, RULES};
use crate::registry::PolicyFinding;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The registry the fixtures refer to: one product, `growth.users`, with a `user_id` column.
/// (A real registry answers in `tests/it/governance.rs`.)
struct Fixtures;

impl Catalog for Fixtures {
    fn missing(&self, reference: &str) -> Option<String> {
        match reference {
            "growth.users" | "growth.users.user_id" => None,
            other if other.starts_with("growth.users.") => Some(format!(
                "product `growth.users` has no column `{}` in 1.0.0 (columns: user_id)",
                &other["growth.users.".len()..]
            )),
            other => Some(format!("no product in this registry is named by `{other}`")),
        }
    }
}

pub(super) fn judge_fixture(path: &Path) -> Vec<PolicyFinding> {
    let policy = Policy::load(&root().join("testdata/governance/fixtures-policy.yaml")).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let contract = crate::contract::read_text(&text)
        .unwrap_or_else(|problems| panic!("{}: {problems:?}", path.display()));
    policy.judge(&contract, &contract.document, Some(&Fixtures))
}

fn fixtures(rule_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(rule_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", rule_dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_draws_its_rule_exactly_when_it_says() {
    for rule in RULES {
        let dir = root().join(format!("testdata/governance/{}-{}", rule.code, rule.name));
        let files = fixtures(&dir);
        let flags = files.iter().filter(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("flags-")
        });
        assert!(flags.count() > 0, "{}: no flags- fixture", dir.display());
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let should = if name.starts_with("flags-") {
                true
            } else if name.starts_with("passes-") {
                false
            } else {
                panic!("{}: a fixture is flags-* or passes-*", file.display())
            };
            let findings = judge_fixture(&file);
            let drawn = findings.iter().any(|f| f.code == rule.code);
            assert_eq!(drawn, should, "{}: {findings:#?}", file.display());
            if !should {
                assert!(findings.is_empty(), "{}: {findings:#?}", file.display());
            }
        }
    }
}

#[test]
fn every_rule_has_prose_with_an_example_that_shows_its_finding() {
    for rule in RULES {
        assert!(
            rule.doc
                .starts_with(&format!("# {} {}\n", rule.code, rule.name)),
            "{}",
            rule.doc_path()
        );
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                rule.doc.contains(section),
                "{} lacks `{section}`",
                rule.doc_path()
            );
        }
        let dir = root().join(format!("testdata/governance/{}-{}", rule.code, rule.name));
        let first = fixtures(&dir)
            .into_iter()
            .find(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("flags-")
            })
            .unwrap();
        let finding = judge_fixture(&first)
            .into_iter()
            .find(|f| f.code == rule.code)
            .unwrap();
        assert!(
            rule.doc.contains(&finding.line()),
            "{}: the example must show `{}`",
            rule.doc_path(),
            finding.line()
        );
    }
}

#[test]
fn no_fixture_folder_or_prose_without_a_rule() {
    for entry in std::fs::read_dir(root().join("testdata/governance")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                RULES
                    .iter()
                    .any(|r| format!("{}-{}", r.code, r.name) == name),
                "testdata/governance/{name} belongs to no rule"
            );
        }
    }
    for entry in std::fs::read_dir(root().join("compat-rules/governance")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            RULES
                .iter()
                .any(|r| format!("{}-{}.md", r.code, r.name) == file),
            "compat-rules/governance/{file} belongs to no rule"
        );
    }
}

#[test]
fn a_policy_names_what_it_cannot_accept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.yaml");
    std::fs::write(
        &path,
        "rules:\n  GV999: error\n  description-required: loud\n  freshness-sla-required: {severity: off, minimum: 3}\noverrides:\n  marketing:\n    owner-contact-required: off\nrego:\n  - missing.rego\n",
    )
    .unwrap();
    let error = Policy::load(&path).unwrap_err();
    for problem in [
        "`GV999` is not a governance rule",
        "`rules.description-required`: severity `loud` is not error, warning or off",
        "`rules.freshness-sla-required`: only availability-below-minimum takes a `minimum`",
        "`overrides.marketing.owner-contact-required`: the policy does not let domains override GV101",
        "cannot read `",
    ] {
        assert!(error.contains(problem), "no `{problem}` in: {error}");
    }
    std::fs::write(&path, "rules: {}\nunknown: 1\n").unwrap();
    assert!(
        Policy::load(&path)
            .unwrap_err()
            .contains("unknown field `unknown`")
    );
}

#[test]
fn a_domain_overrides_only_what_the_policy_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.yaml");
    std::fs::write(
        &path,
        "rules:\n  freshness-sla-required: {severity: error, domains_may_override: true}\noverrides:\n  payments:\n    freshness-sla-required: off\n",
    )
    .unwrap();
    let policy = Policy::load(&path).unwrap();
    let file =
        root().join("testdata/governance/GV106-freshness-sla-required/flags-no-freshness.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let payments = crate::contract::read_text(&text).unwrap();
    assert!(policy.judge(&payments, &payments.document, None).is_empty());
    let billing =
        crate::contract::read_text(&text.replace("domain: payments", "domain: billing")).unwrap();
    let findings = policy.judge(&billing, &billing.document, None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].severity, crate::registry::Severity::Error);
}

#[test]
fn the_seeds_rego_policy_runs_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.yaml");
    let rego = root().join("testdata/governance/data_product_policy.rego");
    std::fs::write(
        &path,
        format!(
            "rules:\n  owner-contact-required: off\nrego:\n  - {}\n",
            rego.display()
        ),
    )
    .unwrap();
    let policy = Policy::load(&path).unwrap();
    let text =
        std::fs::read_to_string(root().join("testdata/contracts/orders-datamesh.yaml")).unwrap();
    let passing = crate::contract::read_text(&text).unwrap();
    assert!(policy.judge(&passing, &passing.document, None).is_empty());
    let failing = crate::contract::read_text(
        &text
            .replace("availability: \"99.9%\"", "availability: \"98.5%\"")
            .replace("id_format: \"UUID v4\"", "id_format: \"ULID\""),
    )
    .unwrap();
    let messages: Vec<String> = policy
        .judge(&failing, &failing.document, None)
        .into_iter()
        .filter(|f| f.code == "REGO")
        .map(|f| f.message)
        .collect();
    assert_eq!(
        messages,
        [
            "ID format does not match global standard (UUID v4)",
            "SLA availability at 98.5% is below minimum threshold (99%)"
        ]
    );
}
