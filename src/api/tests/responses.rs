//! Snapshots of the API's answers on its main paths, so that a change to what clients read shows
//! in review: a registration, a refusal with its findings, a product check, a product's status
//! and its audit history.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{BREAKING, V1, V2, api_with_clock};

const START: i64 = 1_793_577_600_000; // 2026-11-02

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

#[tokio::test]
async fn confluent_registration_and_refusal() {
    let (api, _clock) = api_with_clock(START);
    let reply = api.register("orders-value", V1).await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("register", pretty(&reply.body));

    let reply = api.register("orders-value", BREAKING).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    insta::assert_snapshot!("refusal", pretty(&reply.body));

    let reply = api
        .call(
            "POST",
            "/compatibility/subjects/orders-value/versions/latest?verbose=true",
            Some(json!({"schema": BREAKING})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("compatibility_verbose", pretty(&reply.body));
}

#[tokio::test]
async fn product_check_status_and_audit() {
    let (api, _clock) = api_with_clock(START);
    let reply = api.define_product().await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    for (version, schema) in [("1.0.0", V1), ("1.1.0", V2)] {
        let reply = api.publish_product(version, schema).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }

    let reply = api.check_product("2.0.0", BREAKING).await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("product_check", pretty(&reply.body));

    let reply = api
        .call("GET", "/v1/products/payments.transactions", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("product_status", pretty(&reply.body));

    let reply = api
        .call("GET", "/v1/products/payments.transactions/audit", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("product_audit", pretty(&reply.body));
}
