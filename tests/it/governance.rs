//! The governance policy on a real server (`accord serve --policy`): every publication's
//! manifest judged, references answered by the registry, the seeds' Rego policy run, and a
//! refusal that stores nothing.

use serde_json::json;

use crate::contracts::accord;
use crate::server::Server;

#[test]
fn a_server_with_a_policy_judges_every_publication_s_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--policy", "testdata/governance/policy.yaml"]);
    // payments.transactions refers to growth.users.user_id, which is not published yet.
    let transactions = "testdata/contracts/transactions-3.2.0.yaml";
    let (code, out, err) = accord(Some(&server), &["product", "publish", transactions]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("refused (policy_violated)"), "{out}");
    assert!(
        out.contains("GV108 reference-not-found (error) at `spec.quality_checks[3].references`: no product in this registry is named by `growth.users.user_id`"),
        "{out}"
    );
    let (status, _) = server.call(
        "GET",
        "/v1/products/payments.transactions/versions/latest",
        None,
    );
    assert_eq!(status, 404, "a refused publication stores no version");
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", "testdata/contracts/users-1.0.0.yaml"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = accord(Some(&server), &["product", "publish", transactions]);
    assert_eq!(code, 0, "{out}{err}");
    // The version keeps the manifest as written, comments included.
    let (status, body) = server.call(
        "GET",
        "/v1/products/payments.transactions/versions/3.2.0",
        None,
    );
    assert_eq!(status, 200);
    let manifest = body["manifest"].as_str().unwrap();
    assert!(
        manifest.starts_with("# The seeds' data-platform/v1 manifest"),
        "{manifest}"
    );
    assert!(manifest.contains("references: growth.users.user_id"));
    // A publication without its manifest cannot skip the policy.
    let (status, body) = server.call(
        "POST",
        "/v1/products/payments.transactions/versions",
        Some(json!({"version": "3.2.1", "schemas": []})),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error_code"], "manifest_required", "{body}");
}

#[test]
fn the_seeds_rego_policy_refuses_on_the_server_and_a_domain_override_applies() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--policy", "testdata/governance/policy.yaml"]);
    let (status, _) = server.register(
        "orders-fact-value",
        r#"{"name":"order_id","type":"string"}"#,
    );
    assert_eq!(status, 200);
    let failing = dir.path().join("orders.yaml");
    let text =
        std::fs::read_to_string(crate::root().join("testdata/contracts/orders-datamesh.yaml"))
            .unwrap()
            .replace(
                "owner: order-squad",
                "owner: order-squad\n  slack: \"#order-data\"",
            )
            .replace("id_format: \"UUID v4\"", "id_format: \"ULID\"");
    std::fs::write(&failing, &text).unwrap();
    let failing = failing.to_str().unwrap();
    // A product not defined yet is judged by the policy at its check too.
    let (code, out, err) = accord(
        Some(&server),
        &["product", "check", failing, "--product-version", "1.0.0"],
    );
    assert_eq!(code, 1, "a new product's check: {out}{err}");
    assert!(
        out.starts_with("orders-fact 1.0.0: would be refused (policy_violated)"),
        "{out}"
    );
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", failing, "--product-version", "1.0.0"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("REGO data.datamesh.governance.deny (error) at `data_product_policy.rego`: ID format does not match global standard (UUID v4)"),
        "{out}"
    );
    // Marketing may turn off the freshness rule; the campaign product has none and still warns
    // nowhere, but its missing description is an error everywhere.
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/campaign-2.1.0.yaml",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("GV103 description-required (error)"), "{out}");
    assert!(!out.contains("GV106"), "{out}");
}
