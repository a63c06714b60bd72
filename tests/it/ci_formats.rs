//! The CI formats of `accord diff` and `check` on a real finding set: each format's output as a
//! snapshot, SARIF validated against the SARIF 2.1.0 JSON schema (committed in testdata/), and
//! annotations placed at the line of their element.

use std::process::Command;

fn diff(format: &str, old: &str, new: &str) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["diff", old, new, "--format", format])
        .current_dir(crate::root())
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

const OLD: &str = "testdata/examples/orders-v1.avsc";
const NEW: &str = "testdata/examples/orders-v3.avsc";

#[test]
fn every_format_renders_the_same_findings() {
    for format in ["github", "junit", "gitlab", "markdown"] {
        let (code, out) = diff(format, OLD, NEW);
        assert_eq!(code, 1, "{format}");
        insta::assert_snapshot!(format!("ci_format_{format}"), out);
    }
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::root().join("testdata/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    for (old, new) in [
        (OLD, NEW),
        (
            "testdata/examples/orders-v1.arrow.json",
            "testdata/examples/orders-v2.arrow.json",
        ),
    ] {
        let (_, out) = diff("sarif", old, new);
        let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{new}: {errors:#?}");
        let run = &sarif["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            accord::compat::catalog::RULES.len()
        );
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                run["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
    }
    let (_, out) = diff("sarif", OLD, NEW);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &sarif["runs"][0]["results"][0];
    assert_eq!(first["ruleId"], "AV102");
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 10, "startColumn": 5})
    );
}

#[test]
fn annotations_escape_what_github_reads_as_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.avsc");
    let new = dir.path().join("a,b: 100%.avsc");
    std::fs::write(&old, r#"{"type":"record","name":"R","fields":[]}"#).unwrap();
    std::fs::write(
        &new,
        "{\"type\":\"record\",\"name\":\"R\",\n \"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}",
    )
    .unwrap();
    let (code, out) = diff("github", old.to_str().unwrap(), new.to_str().unwrap());
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("::error file="), "{first}");
    assert!(
        first.contains(
            "a%2Cb%3A 100%25.avsc,line=2,col=12,title=AV102 field-added-without-default::"
        ),
        "{first}"
    );
}

use crate::against::accord as accord_in;

/// A repository with a policy file, the orders schemas under `schemas/` and `events/`.
fn repository(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    for sub in ["schemas", "events/checkout", "old"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let copy = |from: &str, to: &str| {
        std::fs::copy(crate::root().join(from), dir.path().join(to)).unwrap();
    };
    copy(OLD, "old/orders.avsc");
    copy(NEW, "schemas/orders.avsc");
    copy(NEW, "events/checkout/orders.avsc");
    std::fs::write(dir.path().join("accord.yaml"), policy).unwrap();
    dir
}

const POLICY: &str = "level: BACKWARD\nlevels:\n  \"events/**/*.avsc\": FULL_TRANSITIVE\nrules:\n  AV103: \"off\"\nignore:\n  - rule: AV102\n    path: schemas/orders.avsc\n    reason: every producer fills currency and customer_id from day one\n    until: 2027-01-31\n";

#[test]
fn the_repository_policy_ignores_until_its_expiry_and_sets_levels_by_path() {
    let repo = repository(POLICY);
    let diff = |new: &str, today: &str| {
        accord_in(
            repo.path(),
            &["diff", "old/orders.avsc", new, "--today", today],
        )
    };
    let (code, out, err) = diff("schemas/orders.avsc", "2027-01-31");
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("ignored: AV102 at Order.currency until 2027-01-31: every producer fills currency and customer_id from day one"), "{err}");
    assert!(out.contains("compatible at BACKWARD"), "{out}");
    assert!(!out.contains("AV103"), "AV103 is off: {out}");
    let (code, out, err) = diff("schemas/orders.avsc", "2027-02-01");
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("the ignore of AV102 for schemas/orders.avsc expired on 2027-01-31 and no longer applies"), "{err}");
    // The same file elsewhere: no ignore, and the level its path gives.
    let (code, out, _) = diff("events/checkout/orders.avsc", "2027-01-31");
    assert_eq!(code, 1);
    assert!(out.contains("incompatible at FULL_TRANSITIVE"), "{out}");
    // A rule made a warning reports without failing.
    let warned = repository("rules:\n  AV102: warning\n");
    let (code, _, err) = accord_in(
        warned.path(),
        &["diff", "old/orders.avsc", "schemas/orders.avsc"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: AV102 field-added-without-default at Order.currency"),
        "{err}"
    );
}

#[test]
fn a_policy_with_unknown_keys_or_rules_is_an_error_naming_them() {
    for (policy, says) in [
        ("levle: FULL\n", "unknown field `levle`"),
        (
            "rules:\n  AV999: warning\n",
            "`rules.AV999`: `AV999` is not a rule",
        ),
        (
            "rules:\n  AV102: loud\n",
            "`rules.AV102`: `loud` is not error, warning or off",
        ),
        (
            "ignore:\n  - {rule: AV102, path: a.avsc, reason: '', until: someday}\n",
            "`ignore[0].until`: `someday` is not a date",
        ),
    ] {
        let repo = repository(policy);
        let (code, _, err) = accord_in(
            repo.path(),
            &["diff", "old/orders.avsc", "schemas/orders.avsc"],
        );
        assert_eq!(code, 2, "{policy}: {err}");
        assert!(err.contains(says), "{policy}: {err}");
    }
}

/// `product check` in CI formats: a contract's column is annotated at its entry in the
/// manifest, and the SARIF validates.
#[test]
fn product_check_places_a_column_s_change_at_its_entry_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let server = crate::server::Server::start(dir.path());
    let (code, out, err) = crate::contracts::accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/transactions-3.2.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let check = |format: &str| {
        crate::contracts::accord(
            Some(&server),
            &[
                "product",
                "check",
                "testdata/contracts/transactions-3.3.0-narrowed.yaml",
                "--format",
                format,
            ],
        )
    };
    let (code, out, _) = check("github");
    assert_eq!(code, 1);
    assert!(
        out.starts_with("::error file=testdata/contracts/transactions-3.3.0-narrowed.yaml,line=31,col=5,title=AR204 decimal-precision-changed::"),
        "{out}"
    );
    assert!(
        out.contains("title=refused (breaking_change_requires_major)::"),
        "{out}"
    );
    let (_, out, _) = check("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::root().join("testdata/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let (_, out, _) = check("markdown");
    assert!(
        out.contains("| ✗ | AR204 decimal-precision-changed | `amount_usd` | backward |"),
        "{out}"
    );
    assert!(out.ends_with("payments.transactions 3.3.0: would be refused (breaking_change_requires_major); required bump: major.\n"), "{out}");
}

#[test]
fn product_lint_places_the_policy_s_findings_in_the_manifest() {
    let (code, out, _) = crate::contracts::accord(
        None,
        &[
            "product",
            "lint",
            "testdata/contracts/orders-contract-2.1.0.yaml",
            "--policy",
            "testdata/governance/policy.yaml",
            "--format",
            "github",
        ],
    );
    assert_eq!(code, 1, "GV103 is an error in this policy: {out}");
    assert!(
        out.contains("::warning file=testdata/contracts/orders-contract-2.1.0.yaml,line=32,col=7,title=GV104 pii-column-without-access-tier::PII column `customer_id` has no access tier"),
        "{out}"
    );
    assert!(
        out.ends_with("orders-fact 2.1.0 is valid (Data Contract Specification, 1 schema)\n"),
        "{out}"
    );
}
