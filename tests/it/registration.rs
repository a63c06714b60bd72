//! The platform registration API and the catalog on a real server: the seeds' request body
//! (as `register_data_product.py` sends it; the script itself runs in `scripts/client-test`),
//! 201 then 200, a new version published under every rule, the same version with other columns
//! refused, and search by words, domain and tag.

use serde_json::{Value, json};

use crate::contracts::accord;
use crate::server::Server;

/// The body the seeds' script builds from a `data-platform/v1` manifest.
fn body(manifest: &str) -> Value {
    let text = std::fs::read_to_string(crate::root().join(manifest)).unwrap();
    let spec: Value = yaml_serde::from_str(&text).unwrap();
    json!({
        "name": spec["metadata"]["name"],
        "domain": spec["metadata"]["domain"],
        "owner": spec["metadata"]["owner"],
        "slack_channel": spec["metadata"]["slack"],
        "description": spec["spec"]["description"],
        "schema_version": spec["spec"]["schema_version"],
        "sla": spec["spec"]["sla"],
        "columns": spec["spec"]["columns"],
        "access_policy": spec["spec"]["access"],
    })
}

#[test]
fn registration_creates_updates_and_publishes_under_the_product_rules() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let path = "/v1/data-products/payments/transactions";
    let first = body("testdata/contracts/transactions-3.2.0.yaml");
    let (status, answer) = server.call("PUT", path, Some(first.clone()));
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["outcome"], "registered");
    assert_eq!(answer["catalog_url"], format!("{}{path}", server.url));
    // The same version and columns: the descriptive fields change, nothing is published.
    let mut described = first.clone();
    described["owner"] = json!("payments-platform");
    let (status, answer) = server.call("PUT", path, Some(described));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"], "updated");
    let (_, page) = server.call("GET", path, None);
    assert_eq!(page["owner"], "payments-platform");
    assert_eq!(page["version"], "3.2.0");
    assert!(
        page["manifest"]
            .as_str()
            .unwrap()
            .contains("payments-platform")
    );
    // The same version with other columns is refused, and changes nothing.
    let mut other = first.clone();
    other["columns"][2]["type"] = json!("NUMERIC(10, 2)");
    let (status, answer) = server.call("PUT", path, Some(other.clone()));
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error_code"], "version_published_otherwise");
    // A narrowed column in the next minor breaks consumers: the product rules refuse it.
    other["schema_version"] = json!("3.3.0");
    let (status, answer) = server.call("PUT", path, Some(other));
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error_code"], "breaking_change_requires_major");
    // A compatible new column is a minor version, published.
    let mut added = first.clone();
    added["schema_version"] = json!("3.3.0");
    added["columns"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "currency", "type": "CHAR(3)", "nullable": true}));
    let (status, answer) = server.call("PUT", path, Some(added));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"], "published");
    assert_eq!(answer["evaluation"]["required_bump"], "minor");
    let (_, versions) = server.call("GET", "/v1/products/payments.transactions/versions", None);
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions}");
}

#[test]
fn a_registration_that_does_not_match_its_path_is_refused_naming_why() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, answer) = server.call(
        "PUT",
        "/v1/data-products/growth/transactions",
        Some(body("testdata/contracts/transactions-3.2.0.yaml")),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("the body registers `payments.transactions` of domain `payments`, the path `growth.transactions`"),
        "{answer}"
    );
    let mut broken = body("testdata/contracts/transactions-3.2.0.yaml");
    broken["columns"][0]["type"] = json!("VARCHAR2(36)");
    let (status, answer) = server.call(
        "PUT",
        "/v1/data-products/payments/transactions",
        Some(broken),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("`columns[0]` (`transaction_id`): unknown type `VARCHAR2`"),
        "{answer}"
    );
    let (status, _) = server.call("GET", "/v1/data-products/payments/transactions", None);
    assert_eq!(status, 404, "a refused registration stores nothing");
}

#[test]
fn the_catalog_is_searched_by_words_domain_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for manifest in [
        "testdata/contracts/transactions-3.2.0.yaml",
        "testdata/contracts/campaign-2.1.0.yaml",
        "testdata/contracts/users-1.0.0.yaml",
    ] {
        let (code, out, err) = accord(Some(&server), &["product", "publish", manifest]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let (status, _) = server.register(
        "orders-fact-value",
        r#"{"name":"order_id","type":"string"}"#,
    );
    assert_eq!(status, 200);
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/contracts/orders-datamesh.yaml",
            "--product-version",
            "2.1.0",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let names = |query: &str| -> Vec<String> {
        let (status, found) = server.call("GET", &format!("/v1/data-products?{query}"), None);
        assert_eq!(status, 200, "{found}");
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    // A column name, a description's word, a domain, a tag.
    assert_eq!(names("q=amount_usd"), ["payments.transactions"]);
    assert_eq!(
        names("q=attributed+revenue"),
        ["marketing_campaign_performance"]
    );
    assert_eq!(names("q=user_id&domain=growth"), ["growth.users"]);
    assert_eq!(names("tag=ecommerce"), ["orders-fact"]);
    assert_eq!(names("q=order_id"), ["orders-fact"]);
    assert_eq!(names("q=nothing+like+this").len(), 0);
    let (code, out, err) = accord(Some(&server), &["product", "search", "transaction"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("payments.transactions 3.2.0  (payments, payments-engineering)"),
        "{out}"
    );
    let (status, answer) = server.call("GET", "/v1/data-products?color=red", None);
    assert_eq!(status, 400, "{answer}");
}
