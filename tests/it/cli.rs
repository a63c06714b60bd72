//! The `accord` binary as scripts use it: arguments, exit codes, stdin, output shapes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const OLD: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"amount","type":"int"}]}"#;
const NEW_SAFE: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"amount","type":"long"},{"name":"coupon","type":["null","string"],"default":null}]}"#;
const NEW_BREAKING: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"amount","type":"int"},{"name":"coupon","type":"string"}]}"#;

fn accord(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord runs");
    if let Some(input) = stdin {
        // The command may exit before reading (a usage error): a broken pipe is expected then.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn files(contents: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in contents {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn diff_exits_0_when_compatible_and_1_when_not() {
    let dir = files(&[
        ("old.avsc", OLD),
        ("safe.avsc", NEW_SAFE),
        ("bad.avsc", NEW_BREAKING),
    ]);
    let ok = accord(
        &["diff", &path(&dir, "old.avsc"), &path(&dir, "safe.avsc")],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("compatible at BACKWARD"));
    assert!(stdout(&ok).contains("required bump: minor"));

    let bad = accord(
        &["diff", &path(&dir, "old.avsc"), &path(&dir, "bad.avsc")],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    let text = stdout(&bad);
    assert!(text.contains("AV102 field-added-without-default"), "{text}");
    assert!(text.contains("Order.coupon"), "{text}");
    assert!(text.contains("required bump: major"), "{text}");
}

#[test]
fn diff_output_has_no_colour_when_piped() {
    let dir = files(&[("old.avsc", OLD), ("bad.avsc", NEW_BREAKING)]);
    let out = accord(
        &["diff", &path(&dir, "old.avsc"), &path(&dir, "bad.avsc")],
        None,
    );
    assert!(!stdout(&out).contains('\x1b'));
    let coloured = accord(
        &[
            "diff",
            "--color",
            "always",
            &path(&dir, "old.avsc"),
            &path(&dir, "bad.avsc"),
        ],
        None,
    );
    assert!(stdout(&coloured).contains('\x1b'));
}

#[test]
fn diff_level_is_case_insensitive_and_changes_the_verdict() {
    let dir = files(&[("old.avsc", OLD), ("safe.avsc", NEW_SAFE)]);
    // int -> long breaks forward only.
    let backward = accord(
        &[
            "diff",
            &path(&dir, "old.avsc"),
            &path(&dir, "safe.avsc"),
            "--level",
            "backward",
        ],
        None,
    );
    assert_eq!(backward.status.code(), Some(0));
    let full = accord(
        &[
            "diff",
            &path(&dir, "old.avsc"),
            &path(&dir, "safe.avsc"),
            "--level",
            "Full",
        ],
        None,
    );
    assert_eq!(full.status.code(), Some(1));
    let none = accord(
        &[
            "diff",
            &path(&dir, "old.avsc"),
            &path(&dir, "safe.avsc"),
            "--level",
            "NONE",
        ],
        None,
    );
    assert_eq!(none.status.code(), Some(0));
}

#[test]
fn diff_json_has_the_documented_shape() {
    let dir = files(&[("old.avsc", OLD), ("bad.avsc", NEW_BREAKING)]);
    let out = accord(
        &[
            "diff",
            &path(&dir, "old.avsc"),
            &path(&dir, "bad.avsc"),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["compatible"], false);
    assert_eq!(json["level"], "BACKWARD");
    assert_eq!(json["bump"], "major");
    let change = &json["changes"][0];
    for key in [
        "rule",
        "name",
        "path",
        "old_path",
        "new_path",
        "location",
        "message",
        "breaks",
        "breaks_level",
    ] {
        assert!(
            change.get(key).is_some(),
            "changes[0] lacks {key}: {change}"
        );
    }
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "AV102");
    assert_eq!(finding["path"], "$.fields[2]");
    assert_eq!(finding["reader_path"], "$.fields[2]");
    assert_eq!(finding["writer_path"], "$");
    assert_eq!(finding["breaks"], serde_json::json!(["backward"]));
    assert_eq!(finding["against"], serde_json::json!([1]));
}

#[test]
fn diff_reads_stdin_for_dash() {
    let dir = files(&[("old.avsc", OLD)]);
    let out = accord(&["diff", &path(&dir, "old.avsc"), "-"], Some(NEW_BREAKING));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let twice = accord(&["diff", "-", "-"], Some(OLD));
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("only once"));
}

#[test]
fn invalid_input_exits_2_naming_file_problem_and_path() {
    let broken = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"lng"}]}"#;
    let dir = files(&[("old.avsc", OLD), ("broken.avsc", broken)]);
    let out = accord(
        &["diff", &path(&dir, "old.avsc"), &path(&dir, "broken.avsc")],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken.avsc"), "{err}");
    assert!(err.contains("unknown type `lng`"), "{err}");
    assert!(err.contains("$.fields[0].type"), "{err}");

    let missing = accord(
        &["diff", &path(&dir, "old.avsc"), &path(&dir, "nope.avsc")],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        accord(&["diff", "only-one.avsc"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        accord(&["diff", "a", "b", "--level", "sideways"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(accord(&["validate"], None).status.code(), Some(2));
    assert_eq!(accord(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn check_names_the_version_it_breaks_against() {
    let v1 = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}"#;
    let v2 = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string","default":""}]}"#;
    // v3 drops the default: it still reads v2 data, but not v1 data (no `email` there).
    let v3 = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}"#;
    let dir = files(&[("v1.avsc", v1), ("v2.avsc", v2), ("v3.avsc", v3)]);
    let args = |level: &'static str| {
        vec![
            "check".to_string(),
            path(&dir, "v3.avsc"),
            path(&dir, "v1.avsc"),
            path(&dir, "v2.avsc"),
            "--level".into(),
            level.into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let run = |level| {
        let a = args(level);
        accord(&a.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    assert_eq!(run("BACKWARD").status.code(), Some(0));
    let transitive = run("BACKWARD_TRANSITIVE");
    assert_eq!(transitive.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&transitive)).unwrap();
    assert_eq!(json["findings"][0]["rule"], "AV102");
    assert_eq!(json["findings"][0]["against"], serde_json::json!([1]));
    assert_eq!(json["versions_checked"], 2);
}

#[test]
fn validate_reports_each_file() {
    let dir = files(&[
        ("good.avsc", OLD),
        (
            "bad.avsc",
            r#"{"type":"enum","name":"E","symbols":["A","A"]}"#,
        ),
    ]);
    let ok = accord(&["validate", &path(&dir, "good.avsc")], None);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("fingerprint"));
    let bad = accord(
        &[
            "validate",
            &path(&dir, "good.avsc"),
            &path(&dir, "bad.avsc"),
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    let text = stdout(&bad);
    assert!(
        text.contains("bad.avsc: duplicate enum symbol `A` at $.symbols[1]"),
        "{text}"
    );
    let json = accord(&["validate", "--format", "json", "-"], Some(OLD));
    let value: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["valid"], true);
    assert!(
        value["files"][0]["canonical_form"]
            .as_str()
            .unwrap()
            .starts_with(r#"{"name":"Order""#)
    );
}

#[test]
fn rules_lists_the_catalog_and_documents_one() {
    let list = accord(&["rules"], None);
    assert_eq!(list.status.code(), Some(0));
    for rule in accord::compat::catalog::RULES {
        assert!(stdout(&list).contains(rule.code));
    }
    let one = accord(&["rules", "av102"], None);
    assert!(stdout(&one).contains("## Safe alternative"));
    let unknown = accord(&["rules", "AV999"], None);
    assert_eq!(unknown.status.code(), Some(2));
    let json: Value =
        serde_json::from_str(&stdout(&accord(&["rules", "--format", "json"], None))).unwrap();
    assert_eq!(
        json.as_array().unwrap().len(),
        accord::compat::catalog::RULES.len() + accord::contract::governance::RULES.len()
    );
    let governance = accord(&["rules", "gv104"], None);
    assert!(stdout(&governance).starts_with(
        "GV104 pii-column-without-access-tier  (governance; default severity: warning)"
    ));
}

#[test]
fn product_lint_lists_every_problem_of_a_manifest() {
    let manifest = "name: payments transactions\ndomain: payments\nowner: ''\nversion: 1.2\ncompatibility: sideways\nschemas:\n  - subject: a\n    file: missing.avsc\n  - subject: b\n    file: bad.avsc\n  - subject: c\n    format: protobuf\n    file: x.proto\n";
    let dir = files(&[
        ("product.yaml", manifest),
        ("bad.avsc", r#"{"type":"record","name":"R"}"#),
    ]);
    let output = accord(&["product", "lint", &path(&dir, "product.yaml")], None);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for problem in [
        "has 6 problems",
        "product name `payments transactions` must be",
        "`version`: `1.2` is not a semantic version",
        "`compatibility`: ",
        "`schemas[0]` (a): cannot read",
        "`schemas[1]` (b): ",
        "a record needs `fields`",
        "`schemas[2]` (c): format `protobuf` is not supported",
    ] {
        assert!(err.contains(problem), "no `{problem}` in:\n{err}");
    }
    let ok = "name: payments.transactions\ndomain: payments\nowner: team\nversion: 1.0.0\nschemas:\n  - subject: a\n    file: good.avsc\n";
    let dir = files(&[("product.yaml", ok), ("good.avsc", OLD)]);
    let output = accord(&["product", "lint", &path(&dir, "product.yaml")], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Unknown keys and YAML errors name where they are.
    let dir = files(&[("product.yaml", "name: x\nversoin: 1.0.0\n")]);
    let output = accord(&["product", "lint", &path(&dir, "product.yaml")], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown field `versoin`"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("line 2"), "{}", stderr(&output));
}

#[test]
fn arrow_files_of_every_form_diff_and_validate() {
    let dir = "testdata/arrow/ipc";
    let at = |file: &str| format!("{}/{dir}/{file}", env!("CARGO_MANIFEST_DIR"));
    let output = accord(
        &["diff", &at("orders.parquet"), &at("orders.feather")],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("no changes"),
        "{}",
        stdout(&output)
    );
    let output = accord(
        &[
            "diff",
            "--schema-type",
            "arrow",
            &at("orders.schema.b64"),
            &at("orders.arrows"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = accord(
        &["validate", &at("orders.arrow"), &at("orders.arrow.json")],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("Arrow schema, 6 top-level fields"));
    // An Avro file against an Arrow one is a usage error, not a verdict.
    let avro = files(&[("old.avsc", OLD)]);
    let output = accord(
        &["diff", &path(&avro, "old.avsc"), &at("orders.arrow")],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot compare an Avro schema with an Arrow schema"));
}

/// Issue 11, item 13: a control character in `--actor` gave a misleading "cannot reach the
/// registry".
#[test]
fn an_actor_with_control_characters_is_refused_by_name() {
    let output = accord(
        &[
            "notice",
            "announce",
            "payments.transactions",
            "--major",
            "2",
            "--summary",
            "x",
            "--actor",
            "alice\u{1b}[2J",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("contains control characters"),
        "{}",
        stderr(&output)
    );
}
