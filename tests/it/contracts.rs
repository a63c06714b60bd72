//! Manifests in the forms domain teams already write (the seeds' data-platform/v1 and
//! data_product.yaml): linted offline, published to the real server, and a narrowed column
//! judged by the Arrow rules.

use std::process::Command;

use crate::server::Server;

pub fn accord(registry: Option<&Server>, args: &[&str]) -> (i32, String, String) {
    accord_as(registry, &[], args)
}

/// [`accord`] with more variables in its environment (credentials, say).
pub fn accord_as(
    registry: Option<&Server>,
    env: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command
        .args(args)
        .current_dir(crate::root())
        .envs(env.iter().copied());
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
            "payments.transactions 3.2.0 is valid (data-platform/v1 DataProduct, 1 schema)",
        ),
        (
            "testdata/contracts/campaign-2.1.0.yaml",
            "marketing_campaign_performance 2.1.0 is valid (data_product.yaml, 1 schema)",
        ),
        (
            "testdata/contracts/transactions-dcs.yaml",
            "payments.transactions 3.2.1 is valid (Data Contract Specification, 1 schema)",
        ),
        (
            "testdata/contracts/transactions-odcs.yaml",
            "payments.transactions 3.3.0 is valid (Open Data Contract Standard, 1 schema)",
        ),
        (
            "testdata/contracts/orders-contract-2.1.0.yaml",
            "orders-fact 2.1.0 is valid (Data Contract Specification, 1 schema)",
        ),
        (
            "testdata/contracts/orders-datamesh.yaml",
            "orders-fact (no version: publish it with `--product-version`) is valid (datamesh/v1 DataProduct, 1 schema, bound to the registry's current `orders-fact-value`)",
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

/// A copy of a testdata contract with `edit` applied, in a temp dir.
fn edited(dir: &std::path::Path, file: &str, edit: impl Fn(String) -> String) -> String {
    let text =
        std::fs::read_to_string(crate::root().join("testdata/contracts").join(file)).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, edit(text)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_datamesh_manifest_publishes_the_schema_its_producer_registered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let manifest = "testdata/contracts/orders-datamesh.yaml";
    // The producer registers through the Confluent API, as a serializer does, before the
    // product is defined.
    let order = r#"{"name":"order_id","type":"string"},{"name":"total_amount","type":"double"}"#;
    let (status, _) = server.register("orders-fact-value", order);
    assert_eq!(status, 200);
    let (code, _, err) = accord(Some(&server), &["product", "publish", manifest]);
    assert_eq!(code, 2);
    assert!(
        err.contains("declares no version: add `metadata.version`, or give `--product-version`"),
        "{err}"
    );
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", manifest, "--product-version", "2.1.0"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("published orders-fact 2.1.0"), "{out}");
    assert!(out.contains("orders-fact-value: version 1"), "{out}");
    // From now on the product's rules judge the producer's registrations.
    let (status, body) =
        server.register("orders-fact-value", r#"{"name":"order_id","type":"long"}"#);
    assert_eq!(status, 409, "{body}");
    // A subject no producer has registered has nothing to bind.
    let unbound = edited(dir.path(), "orders-datamesh.yaml", |text| {
        text.replace("orders-fact-value", "orders-returns-value")
            .replace("name: orders-fact", "name: orders-returns")
    });
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", &unbound, "--product-version", "1.0.0"],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("subject `orders-returns-value` has no schema to bind"),
        "{err}"
    );
}

#[test]
fn a_dcs_contract_is_published_and_an_enum_value_removed_needs_the_next_major() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/orders-contract-2.1.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let compatible = edited(dir.path(), "orders-contract-2.1.0.yaml", |text| {
        text.replace("version: \"2.1.0\"", "version: \"2.2.0\"")
            .replace(
                r#""DELIVERED", "CANCELLED"]"#,
                r#""DELIVERED", "CANCELLED", "RETURNED"]"#,
            )
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &compatible]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("AR404 enum-value-added  status"), "{out}");
    let breaking = edited(dir.path(), "orders-contract-2.1.0.yaml", |text| {
        text.replace("version: \"2.1.0\"", "version: \"2.2.0\"")
            .replace(r#", "CANCELLED"]"#, "]")
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &breaking]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("AR403 enum-value-removed  status"), "{out}");
    assert!(out.contains("publish 3.0.0 after a notice"), "{out}");
}

#[test]
fn an_odcs_contract_is_published_and_a_lowered_classification_needs_the_next_major() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/transactions-odcs.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let widened = edited(dir.path(), "transactions-odcs.yaml", |text| {
        text.replace("version: 3.3.0", "version: 3.4.0")
            .replace("physicalType: VARCHAR(4)", "physicalType: VARCHAR(8)")
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &widened]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("AR406 constraint-relaxed  card_last_four"),
        "{out}"
    );
    let lowered = edited(dir.path(), "transactions-odcs.yaml", |text| {
        text.replace("version: 3.3.0", "version: 3.4.0")
            .replace("classification: confidential", "classification: internal")
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &lowered]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("AR408 protection-lowered  card_last_four"),
        "{out}"
    );
}

#[test]
fn product_new_scaffolds_every_form_clean_under_the_policy_and_publishable() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    for (form, name) in [
        ("data-platform", "payments.refunds"),
        ("accord", "payments.chargebacks"),
        ("dcs", "payments.payouts"),
        ("odcs", "payments.disputes"),
    ] {
        let out_dir = dir.path().join(form);
        let out_dir = out_dir.to_str().unwrap();
        let args = [
            "product",
            "new",
            "--name",
            name,
            "--domain",
            "payments",
            "--owner",
            "payments-engineering",
            "--form",
            form,
            "--dir",
            out_dir,
        ];
        let (code, out, err) = accord(None, &args);
        assert_eq!(code, 0, "{form}: {err}");
        assert!(out.starts_with("wrote `"), "{out}");
        let manifest = format!("{out_dir}/{name}.yaml");
        let (code, out, err) = accord(
            None,
            &[
                "product",
                "lint",
                &manifest,
                "--policy",
                "testdata/governance/policy.yaml",
            ],
        );
        assert_eq!(code, 0, "{form}: {out}{err}");
        assert!(
            out.contains("governance policy `testdata/governance/policy.yaml`: no findings"),
            "{out}"
        );
        let (code, out, err) = accord(Some(&server), &["product", "publish", &manifest]);
        assert_eq!(code, 0, "{form}: {out}{err}");
        // A second scaffold never overwrites the first.
        let (code, _, err) = accord(None, &args);
        assert_eq!(code, 2);
        assert!(err.contains("accord does not overwrite it"), "{err}");
    }
}

#[test]
fn a_data_product_yaml_is_published_and_its_changes_judged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/campaign-2.1.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let added = edited(dir.path(), "campaign-2.1.0.yaml", |text| {
        text.replace("version: \"2.1.0\"", "version: \"2.2.0\"").replace(
            "sla:",
            "  - name: clicks\n    type: INT64\n    description: \"Clicks in the window\"\nsla:",
        )
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &added]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("AR101 nullable-field-added  clicks"), "{out}");
    let retyped = edited(dir.path(), "campaign-2.1.0.yaml", |text| {
        text.replace("version: \"2.1.0\"", "version: \"2.2.0\"")
            .replace("type: INT64", "type: STRING")
    });
    let (code, out, err) = accord(Some(&server), &["product", "check", &retyped]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("AR200 type-replaced  impressions"), "{out}");
}

#[test]
fn a_datamesh_manifest_with_a_schema_file_is_judged_by_the_avro_rules() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let order = |fields: &str| format!(r#"{{"type":"record","name":"Order","fields":[{fields}]}}"#);
    let base = r#"{"name":"order_id","type":"string"},{"name":"total_amount","type":"double"}"#;
    std::fs::write(dir.path().join("v1.avsc"), order(base)).unwrap();
    std::fs::write(
        dir.path().join("v2.avsc"),
        order(&format!(
            r#"{base},{{"name":"currency","type":"string","default":"EUR"}}"#
        )),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("v3.avsc"),
        order(r#"{"name":"order_id","type":"long"},{"name":"total_amount","type":"double"}"#),
    )
    .unwrap();
    let with_file = |file: &str, version: &str| {
        let path = dir.path().join(format!("orders-{version}.yaml"));
        let text =
            std::fs::read_to_string(crate::root().join("testdata/contracts/orders-datamesh.yaml"))
                .unwrap()
                .replace(
                    "compatibility: BACKWARD",
                    &format!("compatibility: BACKWARD\n    file: {file}"),
                )
                .replace(
                    "owner: order-squad",
                    &format!("owner: order-squad\n  version: {version}"),
                );
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", &with_file("v1.avsc", "2.1.0")],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = accord(
        Some(&server),
        &["product", "check", &with_file("v2.avsc", "2.2.0")],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("AV101 field-added"), "{out}");
    let (code, out, err) = accord(
        Some(&server),
        &["product", "check", &with_file("v3.avsc", "2.2.0")],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("AV201 type-changed"), "{out}");
}
