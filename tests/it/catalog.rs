//! The catalog is the single declaration of every rule: these tests keep the prose, the
//! fixtures and the generated index in step with it.

use std::collections::HashSet;

use accord::compat::catalog::{self, RULES};

use crate::root;

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for rule in RULES {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        let prefix = match rule.format {
            accord::compat::Format::Avro => "AV",
            accord::compat::Format::Arrow => "AR",
        };
        assert!(
            rule.code.len() == 5
                && rule.code.starts_with(prefix)
                && rule.code[2..].bytes().all(|b| b.is_ascii_digit()),
            "code {} is not {prefix} + three digits",
            rule.code
        );
        assert!(
            rule.name
                .split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())),
            "name {} is not kebab-case",
            rule.name
        );
        assert!(
            !rule.summary.is_empty() && rule.summary.ends_with('.'),
            "{}: summary",
            rule.code
        );
    }
}

#[test]
fn every_rule_is_declared_in_a_file_named_after_it() {
    for rule in RULES {
        let expected = format!(
            "src/compat/rules/{}/{}.rs",
            rule.format.dir(),
            rule.name.replace('-', "_")
        );
        assert_eq!(rule.source, expected, "{}: declared elsewhere", rule.code);
    }
}

#[test]
fn every_rule_has_complete_prose() {
    for rule in RULES {
        let heading = format!("# {} {}\n", rule.code, rule.name);
        assert!(
            rule.doc.starts_with(&heading),
            "{} must start with `{heading}`",
            rule.doc_path()
        );
        for section in [
            "## What it checks",
            "## Why it breaks",
            "## Example",
            "## Safe alternative",
        ] {
            let start = rule
                .doc
                .find(section)
                .unwrap_or_else(|| panic!("{} lacks `{section}`", rule.doc_path()));
            let body = rule.doc[start + section.len()..]
                .split("\n## ")
                .next()
                .unwrap();
            assert!(
                body.trim().len() > 20,
                "{}: `{section}` is empty",
                rule.doc_path()
            );
        }
    }
}

#[test]
fn no_prose_without_a_rule() {
    for format in ["avro", "arrow"] {
        for entry in std::fs::read_dir(root().join("compat-rules").join(format)).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().to_string();
            let stem = file.strip_suffix(".md").unwrap_or(&file);
            assert!(
                RULES
                    .iter()
                    .any(|r| r.format.dir() == format && format!("{}-{}", r.code, r.name) == stem),
                "compat-rules/{format}/{file} belongs to no rule"
            );
        }
    }
}

#[test]
fn every_rule_has_flags_and_passes_fixtures() {
    for rule in RULES {
        let dir = root().join(format!(
            "testdata/compat/{}/{}-{}",
            rule.format.dir(),
            rule.code,
            rule.name
        ));
        let cases: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} has no fixture folder {}", rule.code, dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            cases.iter().any(|c| c.starts_with("flags-")),
            "{} has no flags- case",
            rule.code
        );
        assert!(
            cases.iter().any(|c| c.starts_with("passes-")),
            "{} has no passes- case",
            rule.code
        );
    }
}

#[test]
fn no_fixture_folder_without_a_rule() {
    for format in ["avro", "arrow"] {
        for entry in std::fs::read_dir(root().join("testdata/compat").join(format)).unwrap() {
            let folder = entry.unwrap().file_name().to_string_lossy().to_string();
            assert!(
                RULES.iter().any(|r| r.format.dir() == format
                    && format!("{}-{}", r.code, r.name) == folder),
                "testdata/compat/{format}/{folder} belongs to no rule"
            );
        }
    }
}

#[test]
fn rules_index_is_current() {
    let committed =
        std::fs::read_to_string(root().join("compat-rules/README.md")).unwrap_or_default();
    assert!(
        committed == catalog::render_index() + &accord::contract::governance::render_index(),
        "compat-rules/README.md is stale: run `cargo run -- rules --markdown > compat-rules/README.md`"
    );
}

#[test]
fn find_accepts_code_in_any_case_and_name() {
    assert_eq!(
        catalog::find("av102").unwrap().name,
        "field-added-without-default"
    );
    assert_eq!(
        catalog::find("field-added-without-default").unwrap().code,
        "AV102"
    );
    assert!(catalog::find("AV999").is_none());
}

/// The `Before:` / `After:` schemas of a rule's example and the report its prose shows.
fn doc_example(doc: &str) -> Option<(String, String, String)> {
    let block = |marker: &str, fence: &str| {
        let start = doc.find(marker)? + marker.len();
        let body = doc[start..].split_once(fence)?.1;
        Some(body.split_once("```")?.0.to_string())
    };
    Some((
        block("Before:", "```json\n")?,
        block("After:", "```json\n")?,
        block("` reports:", "```text\n")?,
    ))
}

/// The `--profile` of a rule's example command, if it has one.
fn doc_profile(doc: &str) -> Option<accord::compat::Profile> {
    let line = doc.lines().find(|l| l.ends_with("` reports:"))?;
    let profile = line.split("--profile ").nth(1)?.split_whitespace().next()?;
    profile.parse().ok()
}

#[test]
fn every_rule_example_shows_what_accord_reports() {
    use accord::{arrow, avro, compat};
    for rule in RULES {
        let (before, after, shown) = doc_example(rule.doc).unwrap_or_else(|| {
            panic!(
                "{}: the example needs Before:, After: and a report",
                rule.doc_path()
            )
        });
        let fail = |which: &str, e: &dyn std::fmt::Display| -> ! {
            panic!("{}: {which}: {e}", rule.doc_path())
        };
        let report = match rule.format {
            compat::Format::Avro => {
                let old = avro::parse(&before).unwrap_or_else(|e| fail("Before", &e));
                let new = avro::parse(&after).unwrap_or_else(|e| fail("After", &e));
                compat::check_history(&[&old], &new, compat::Level::Backward)
            }
            compat::Format::Arrow => {
                let old = arrow::parse(&before).unwrap_or_else(|e| fail("Before", &e));
                let new = arrow::parse(&after).unwrap_or_else(|e| fail("After", &e));
                match doc_profile(rule.doc) {
                    Some(profile) => {
                        let (old, new) = (
                            compat::Profiled {
                                schema: &old,
                                profile,
                            },
                            compat::Profiled {
                                schema: &new,
                                profile,
                            },
                        );
                        compat::check_history(&[&old], &new, compat::Level::Backward)
                    }
                    None => compat::check_history(&[&old], &new, compat::Level::Backward),
                }
            }
        };
        let actual = anstream::adapter::strip_str(&report.to_text()).to_string();
        assert_eq!(
            shown.trim_end(),
            actual.trim_end(),
            "{}: the example's report is not what accord prints",
            rule.doc_path()
        );
        assert!(
            report.changes.iter().any(|c| c.rule.code == rule.code),
            "{}: the example does not show its own rule",
            rule.doc_path()
        );
    }
}
