//! Manifests in the forms domain teams already write (the seeds' data-platform/v1 and
//! data_product.yaml): linted offline, published to the real server, and a narrowed column
//! judged by the Arrow rules.

use std::process::Command;

use crate::server::Server;

fn accord(registry: Option<&Server>, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.args(args).current_dir(crate::root());
    if let Some(server) = registry {
        command.env("ACCORD_REGISTRY", &server.url);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_seed_manifests_lint_as_they_are() {
    for (file, says) in [
        (
            "testdata/contracts/transactions-3.2.0.yaml",
            "payments.transactions 3.2.0 is valid (1 schema)",
        ),
        (
            "testdata/contracts/campaign-2.1.0.yaml",
            "marketing_campaign_performance 2.1.0 is valid (1 schema)",
        ),
    ] {
        let (code, out, err) = accord(None, &["product", "lint", file]);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(out.contains(says), "{out}");
    }
}

#[test]
fn a_column_narrowed_in_a_data_platform_manifest_needs_the_next_major() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/transactions-3.2.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("published payments.transactions 3.2.0"),
        "{out}"
    );
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "check",
            "testdata/contracts/transactions-3.3.0-narrowed.yaml",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("breaking_change_requires_major"), "{out}");
    assert!(
        out.contains("AR204 decimal-precision-changed  amount_usd"),
        "{out}"
    );
    assert!(out.contains("publish 4.0.0 after a notice"), "{out}");
}

#[test]
fn a_column_type_accord_cannot_map_is_refused_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("broken.yaml");
    let text =
        std::fs::read_to_string(crate::root().join("testdata/contracts/campaign-2.1.0.yaml"))
            .unwrap()
            .replace("type: INT64", "type: INTEGRAL");
    std::fs::write(&manifest, text).unwrap();
    let (code, _, err) = accord(None, &["product", "lint", manifest.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`schema[1]` (`impressions`): unknown type `INTEGRAL`"),
        "{err}"
    );
    assert!(err.contains("accepted: STRING"), "{err}");
}
