//! Snapshots of what the CLI prints on its main paths (a refused diff in text and JSON, a
//! history check, validation, a manifest lint), so that a change to an output shows in review.

use std::process::Command;

fn accord(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(crate::root())
        .output()
        .unwrap();
    format!(
        "exit {}\n{}{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap()
    )
}

const V1: &str = "testdata/examples/orders-v1.avsc";
const V2: &str = "testdata/examples/orders-v2.avsc";
const V3: &str = "testdata/examples/orders-v3.avsc";

#[test]
fn diff_refused() {
    insta::assert_snapshot!(accord(&["diff", V1, V3]));
}

#[test]
fn diff_refused_as_json() {
    insta::assert_snapshot!(accord(&["diff", "--format", "json", V1, V3]));
}

#[test]
fn check_against_a_history() {
    insta::assert_snapshot!(accord(&["check", "--level", "full_transitive", V3, V1, V2]));
}

#[test]
fn validate_as_json() {
    insta::assert_snapshot!(accord(&[
        "validate",
        "--format",
        "json",
        V1,
        "testdata/examples/broken.avsc"
    ]));
}

#[test]
fn product_lint() {
    insta::assert_snapshot!(accord(&[
        "product",
        "lint",
        "testdata/products/payments/transactions-2.0.0.yaml"
    ]));
}
