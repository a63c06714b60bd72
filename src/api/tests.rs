//! The API through `router(state).oneshot(..)`, on the real RocksDB in a temp dir.

mod access;
mod responses;
mod router_properties;
mod ui;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{AppState, DEFAULT_BODY_LIMIT, router};
use crate::registry::{FixedClock, Registry};
use crate::store::RocksStore;

struct Api {
    router: Router,
    _dir: tempfile::TempDir,
}

fn api_with_limit(limit: usize) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, Arc::new(FixedClock::new(0))).unwrap();
    let state = AppState::new(Arc::new(registry)).with_body_limit(limit);
    Api {
        router: router(state),
        _dir: dir,
    }
}

fn api() -> Api {
    api_with_limit(DEFAULT_BODY_LIMIT)
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Value,
    text: String,
}

impl Api {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            body,
            text,
        }
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(uri).header(
            header::CONTENT_TYPE,
            "application/vnd.schemaregistry.v1+json",
        );
        let body = match body {
            Some(b) => Body::from(b.to_string()),
            None => Body::empty(),
        };
        request = request.header(header::ACCEPT, "application/vnd.schemaregistry.v1+json");
        self.send(request.body(body).unwrap()).await
    }

    /// Defines `payments.transactions` with the subject `transactions-value`.
    async fn define_product(&self) -> Reply {
        let product = json!({"domain": "payments", "owner": "payments-engineering", "subjects": ["transactions-value"]});
        self.call("PUT", "/v1/products/payments.transactions", Some(product))
            .await
    }

    /// Publishes `version` of `payments.transactions` with `schema`.
    async fn publish_product(&self, version: &str, schema: &str) -> Reply {
        self.call(
            "POST",
            "/v1/products/payments.transactions/versions",
            Some(publication(version, schema)),
        )
        .await
    }

    /// A dry run of publishing `version` of `payments.transactions` with `schema`.
    async fn check_product(&self, version: &str, schema: &str) -> Reply {
        self.call(
            "POST",
            "/v1/products/payments.transactions/check",
            Some(publication(version, schema)),
        )
        .await
    }

    async fn register(&self, subject: &str, schema: &str) -> Reply {
        self.call(
            "POST",
            &format!("/subjects/{subject}/versions"),
            Some(json!({"schema": schema})),
        )
        .await
    }
}

/// A publication of `payments.transactions`: its version and the schema of `transactions-value`.
fn publication(version: &str, schema: &str) -> Value {
    json!({"version": version, "schemas": [{"subject": "transactions-value", "schema": schema}]})
}

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"coupon","type":"string"}]}"#;

fn error_of(reply: &Reply) -> (StatusCode, i64) {
    assert!(
        reply.body["message"].is_string(),
        "no message in {}",
        reply.text
    );
    (
        reply.status,
        reply.body["error_code"].as_i64().unwrap_or(-1),
    )
}

#[tokio::test]
async fn register_then_read_back_every_way() {
    let api = api();
    let reply = api.register("orders-value", V1).await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (StatusCode::OK, json!({"id": 1}))
    );
    assert_eq!(
        api.register("orders-value", V2).await.body,
        json!({"id": 2})
    );
    assert_eq!(api.register("other-value", V1).await.body, json!({"id": 1}));

    assert_eq!(
        api.call("GET", "/subjects", None).await.body,
        json!(["orders-value", "other-value"])
    );
    assert_eq!(
        api.call("GET", "/subjects/orders-value/versions", None)
            .await
            .body,
        json!([1, 2])
    );
    for version in ["2", "latest", "-1"] {
        let reply = api
            .call(
                "GET",
                &format!("/subjects/orders-value/versions/{version}"),
                None,
            )
            .await;
        assert_eq!(reply.body["version"], 2, "{version}");
        assert_eq!(reply.body["id"], 2);
        assert_eq!(reply.body["subject"], "orders-value");
        assert_eq!(reply.body["schemaType"], "AVRO");
    }
    let raw = api
        .call("GET", "/subjects/orders-value/versions/1/schema", None)
        .await;
    assert_eq!(
        raw.body["name"], "Order",
        "the raw schema, not a quoted string: {}",
        raw.text
    );

    let by_id = api
        .call("GET", "/schemas/ids/1?subject=nobody-value", None)
        .await;
    assert_eq!(
        by_id.status,
        StatusCode::OK,
        "subject is a hint, not a filter"
    );
    assert!(by_id.body["schema"].as_str().unwrap().contains("Order"));
    let by_id = api
        .call(
            "GET",
            "/schemas/ids/1?subject=other-value&fetchMaxId=true",
            None,
        )
        .await;
    assert_eq!(
        (by_id.body["subject"].clone(), by_id.body["maxId"].clone()),
        (json!("other-value"), json!(2))
    );
    assert_eq!(
        api.call("GET", "/schemas/ids/1/schema", None).await.body["type"],
        "record"
    );
    assert_eq!(
        api.call("GET", "/schemas/ids/1/subjects", None).await.body,
        json!(["orders-value", "other-value"])
    );
    let versions = api.call("GET", "/schemas/ids/1/versions", None).await.body;
    assert_eq!(
        versions,
        json!([{"subject": "orders-value", "version": 1}, {"subject": "other-value", "version": 1}])
    );
    assert_eq!(
        api.call("GET", "/schemas/types", None).await.body,
        json!(["AVRO", "ARROW"])
    );
    assert_eq!(
        api.call("GET", "/schemas?latestOnly=true", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let found = api
        .call(
            "POST",
            "/subjects/orders-value",
            Some(json!({"schema": V1})),
        )
        .await;
    assert_eq!(
        (found.body["id"].clone(), found.body["version"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(api.call("GET", "/", None).await.body, json!({}));
}

#[tokio::test]
async fn an_incompatible_registration_is_409_and_names_the_findings() {
    let api = api();
    api.register("s", V1).await;
    let reply = api.register("s", BREAKING).await;
    assert_eq!(error_of(&reply), (StatusCode::CONFLICT, 409));
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.contains("AV102 field-added-without-default"),
        "{message}"
    );
    assert!(message.contains("against version 1"), "{message}");
    assert_eq!(
        api.call("GET", "/subjects/s/versions", None).await.body,
        json!([1])
    );

    let verbose = api
        .call(
            "POST",
            "/compatibility/subjects/s/versions/latest?verbose=True",
            Some(json!({"schema": BREAKING})),
        )
        .await;
    assert_eq!(verbose.body["is_compatible"], false);
    assert!(
        verbose.body["messages"][0]
            .as_str()
            .unwrap()
            .contains("AV102")
    );
    let quiet = api
        .call(
            "POST",
            "/compatibility/subjects/s/versions/",
            Some(json!({"schema": BREAKING})),
        )
        .await;
    assert_eq!(quiet.body, json!({"is_compatible": false}));
    let ok = api
        .call(
            "POST",
            "/compatibility/subjects/s/versions",
            Some(json!({"schema": V2})),
        )
        .await;
    assert_eq!(ok.body, json!({"is_compatible": true}));
    let new_subject = api
        .call(
            "POST",
            "/compatibility/subjects/new/versions/latest",
            Some(json!({"schema": V2})),
        )
        .await;
    assert_eq!(new_subject.body, json!({"is_compatible": true}));
    let missing = api
        .call(
            "POST",
            "/compatibility/subjects/new/versions/3",
            Some(json!({"schema": V2})),
        )
        .await;
    assert_eq!(error_of(&missing), (StatusCode::NOT_FOUND, 40402));
    let invalid = api
        .call(
            "POST",
            "/compatibility/subjects/s/versions/latest?verbose=true",
            Some(json!({"schema": "{"})),
        )
        .await;
    assert_eq!(invalid.body["is_compatible"], false);
}

#[tokio::test]
async fn errors_use_confluent_codes_and_the_json_envelope() {
    let api = api();
    api.register("s", V1).await;
    let cases: Vec<(&str, &str, Option<Value>, StatusCode, i64)> = vec![
        (
            "GET",
            "/subjects/nobody/versions",
            None,
            StatusCode::NOT_FOUND,
            40401,
        ),
        (
            "GET",
            "/subjects/nobody/versions/0",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        ),
        (
            "GET",
            "/subjects/s/versions/2147483648",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        ),
        (
            "GET",
            "/subjects/s/versions/9",
            None,
            StatusCode::NOT_FOUND,
            40402,
        ),
        (
            "GET",
            "/subjects/nobody/versions/latest",
            None,
            StatusCode::NOT_FOUND,
            40401,
        ),
        ("GET", "/schemas/ids/99", None, StatusCode::NOT_FOUND, 40403),
        ("GET", "/schemas/ids/abc", None, StatusCode::NOT_FOUND, 404),
        ("GET", "/no/such/path", None, StatusCode::NOT_FOUND, 404),
        (
            "PATCH",
            "/subjects",
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            405,
        ),
        (
            "POST",
            "/subjects/s",
            Some(json!({"schema": V2})),
            StatusCode::NOT_FOUND,
            40403,
        ),
        (
            "POST",
            "/subjects/nobody",
            Some(json!({"schema": V1})),
            StatusCode::NOT_FOUND,
            40401,
        ),
        (
            "POST",
            "/subjects/s/versions",
            Some(json!({"schema": "{\"type\":\"recrd\"}"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            "POST",
            "/subjects/s/versions",
            Some(json!({"schema": V1, "schemaType": "PROTOBUF"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            "POST",
            "/subjects/s/versions",
            Some(json!({"schema": 5})),
            StatusCode::BAD_REQUEST,
            400,
        ),
        (
            "POST",
            "/subjects/%0Dbad/versions",
            Some(json!({"schema": V1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42208,
        ),
        ("GET", "/config/s", None, StatusCode::NOT_FOUND, 40408),
        (
            "PUT",
            "/config/s",
            Some(json!({"compatibility": "sideways"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42203,
        ),
        ("DELETE", "/config/s", None, StatusCode::NOT_FOUND, 40401),
        ("GET", "/mode/s", None, StatusCode::NOT_FOUND, 40409),
        (
            "PUT",
            "/mode",
            Some(json!({"mode": "sleepy"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42204,
        ),
        (
            "PUT",
            "/mode",
            Some(json!({"mode": "IMPORT"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            42205,
        ),
        (
            "DELETE",
            "/subjects/s/versions/1?permanent=true",
            None,
            StatusCode::NOT_FOUND,
            40407,
        ),
        (
            "DELETE",
            "/subjects/s?permanent=true",
            None,
            StatusCode::NOT_FOUND,
            40405,
        ),
    ];
    for (method, uri, body, status, code) in cases {
        let reply = api.call(method, uri, body).await;
        assert_eq!(
            error_of(&reply),
            (status, code),
            "{method} {uri}: {}",
            reply.text
        );
    }
    // A malformed JSON body.
    let request = Request::post("/subjects/s/versions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"schema\":"))
        .unwrap();
    assert_eq!(
        error_of(&api.send(request).await),
        (StatusCode::BAD_REQUEST, 400)
    );
    // Nothing stored changed.
    assert_eq!(
        api.call("GET", "/subjects/s/versions", None).await.body,
        json!([1])
    );
}

#[tokio::test]
async fn content_types_are_negotiated_like_confluent() {
    let api = api();
    let accept = |value: &'static str| {
        Request::get("/schemas/types")
            .header(header::ACCEPT, value)
            .body(Body::empty())
            .unwrap()
    };
    let java = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2";
    assert_eq!(
        api.send(accept(java)).await.content_type,
        "application/vnd.schemaregistry.v1+json"
    );
    assert_eq!(
        api.send(accept("application/json")).await.content_type,
        "application/json"
    );
    let python = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
    assert_eq!(
        api.send(accept(python)).await.content_type,
        "application/vnd.schemaregistry.v1+json"
    );
    assert_eq!(
        error_of(&api.send(accept("text/html")).await),
        (StatusCode::NOT_ACCEPTABLE, 406)
    );
    let no_accept = api
        .send(Request::get("/schemas/types").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        no_accept.content_type,
        "application/vnd.schemaregistry.v1+json"
    );

    let with_type = |content_type: Option<&'static str>| {
        let mut request = Request::post("/subjects/t/versions");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        request
            .body(Body::from(json!({"schema": V1}).to_string()))
            .unwrap()
    };
    for ok in [
        None,
        Some("application/octet-stream"),
        Some("application/json; charset=utf-8"),
        Some("application/vnd.schemaregistry+json"),
    ] {
        assert_eq!(
            api.send(with_type(ok)).await.status,
            StatusCode::OK,
            "{ok:?}"
        );
    }
    assert_eq!(
        error_of(&api.send(with_type(Some("text/html"))).await),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, 415)
    );
}

#[tokio::test]
async fn subjects_may_hold_slashes_and_flags_are_lenient() {
    let api = api();
    assert_eq!(
        api.register("team%2Forders-value", V1).await.body,
        json!({"id": 1})
    );
    assert_eq!(
        api.call("GET", "/subjects", None).await.body,
        json!(["team/orders-value"])
    );
    assert_eq!(
        api.call("DELETE", "/subjects/team%2Forders-value", None)
            .await
            .body,
        json!([1])
    );
    assert_eq!(
        api.call("GET", "/subjects?deleted=True", None).await.body,
        json!(["team/orders-value"])
    );
    assert_eq!(
        api.call("GET", "/subjects?deleted=False", None).await.body,
        json!([])
    );
    let deleted = api
        .call(
            "GET",
            "/subjects/team%2Forders-value/versions/1?deleted=TRUE",
            None,
        )
        .await;
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(
        api.call("GET", "/subjects?unknown=param", None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn config_and_mode_round_trip() {
    let api = api();
    assert_eq!(
        api.call("GET", "/config", None).await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    assert_eq!(
        api.call("PUT", "/config", Some(json!({"compatibility": "full"})))
            .await
            .body,
        json!({"compatibility": "FULL"})
    );
    assert_eq!(
        api.call("GET", "/config/s?defaultToGlobal=true", None)
            .await
            .body,
        json!({"compatibilityLevel": "FULL"})
    );
    api.call("PUT", "/config/s", Some(json!({"compatibility": "NONE"})))
        .await;
    assert_eq!(
        api.call("GET", "/config/s", None).await.body,
        json!({"compatibilityLevel": "NONE"})
    );
    assert_eq!(
        api.call("DELETE", "/config/s", None).await.body,
        json!({"compatibilityLevel": "NONE"})
    );
    assert_eq!(
        api.call("DELETE", "/config", None).await.body,
        json!({"compatibilityLevel": "FULL"})
    );

    assert_eq!(
        api.call("GET", "/mode", None).await.body,
        json!({"mode": "READWRITE"})
    );
    api.register("s", V1).await;
    api.call("PUT", "/mode/s", Some(json!({"mode": "readonly"})))
        .await;
    assert_eq!(
        api.register("s", V1).await.body,
        json!({"id": 1}),
        "existing content is still answered"
    );
    assert_eq!(
        error_of(&api.register("s", V2).await),
        (StatusCode::UNPROCESSABLE_ENTITY, 42205)
    );
    assert_eq!(
        api.call("GET", "/mode/s", None).await.body,
        json!({"mode": "READONLY"})
    );
    assert_eq!(
        api.call("DELETE", "/mode/s", None).await.body,
        json!({"mode": "READONLY"})
    );
    assert_eq!(
        api.call("PUT", "/mode?force=true", Some(json!({"mode": "IMPORT"})))
            .await
            .body,
        json!({"mode": "IMPORT"})
    );
    let imported = api
        .call(
            "POST",
            "/subjects/old/versions",
            Some(json!({"schema": V2, "id": 100, "version": 5})),
        )
        .await;
    assert_eq!(imported.body, json!({"id": 100}));
    assert_eq!(
        api.call("GET", "/subjects/old/versions/5", None).await.body["id"],
        100
    );
}

#[tokio::test]
async fn bodies_over_the_limit_get_a_clear_error() {
    let api = api_with_limit(1024);
    let big = format!(
        r#"{{"type":"record","name":"R","doc":"{}","fields":[]}}"#,
        "x".repeat(4096)
    );
    let reply = api.register("s", &big).await;
    assert_eq!(error_of(&reply), (StatusCode::PAYLOAD_TOO_LARGE, 42209));
    assert_eq!(api.call("GET", "/subjects", None).await.body, json!([]));
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_registration_outcomes() {
    let api = api();
    api.register("a", V1).await;
    api.register("a", BREAKING).await;
    api.register("b", "{").await;
    api.call("GET", "/subjects/a/versions/1", None).await;
    api.call("GET", "/nowhere", None).await;
    let reply = api.call("GET", "/metrics", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type.starts_with("text/plain"),
        "{}",
        reply.content_type
    );
    for line in [
        r#"accord_http_requests_total{route="/subjects/{subject}/versions",method="POST",status="200"} 1"#,
        r#"accord_http_requests_total{route="/subjects/{subject}/versions",method="POST",status="409"} 1"#,
        r#"accord_http_requests_total{route="/subjects/{subject}/versions/{version}",method="GET",status="200"} 1"#,
        r#"accord_registrations_total{outcome="accepted"} 1"#,
        r#"accord_registrations_total{outcome="incompatible"} 1"#,
        r#"accord_registrations_total{outcome="invalid"} 1"#,
        r#"accord_http_request_duration_seconds_count{route="/subjects/{subject}/versions",method="POST"} 3"#,
    ] {
        assert!(
            reply.text.contains(line),
            "missing `{line}` in\n{}",
            reply.text
        );
    }
}

#[tokio::test]
async fn references_metadata_and_referencedby_round_trip() {
    let api = api();
    let address = r#"{"type":"record","name":"Address","namespace":"geo","fields":[{"name":"city","type":"string"}]}"#;
    let customer =
        r#"{"type":"record","name":"Customer","fields":[{"name":"home","type":"geo.Address"}]}"#;
    assert_eq!(
        api.register("address", address).await.body,
        json!({"id": 1})
    );
    let references = json!([{"name": "geo.Address", "subject": "address", "version": 1}]);
    let metadata = json!({"properties": {"owner": "payments"}});
    let body = json!({"schema": customer, "references": references, "metadata": metadata});
    let reply = api
        .call("POST", "/subjects/customer/versions", Some(body.clone()))
        .await;
    assert_eq!(reply.body, json!({"id": 2}), "{}", reply.text);

    let reply = api.call("GET", "/subjects/customer/versions/1", None).await;
    assert_eq!(reply.body["references"], references);
    assert_eq!(reply.body["metadata"], metadata);
    let reply = api.call("GET", "/schemas/ids/2", None).await;
    assert_eq!(reply.body["references"], references);
    assert_eq!(reply.body["metadata"], metadata);
    assert!(
        api.call("GET", "/schemas/ids/1", None)
            .await
            .body
            .get("metadata")
            .is_none()
    );
    let reply = api.call("POST", "/subjects/customer", Some(body)).await;
    assert_eq!(reply.body["version"], 1, "{}", reply.text);

    let reply = api
        .call("GET", "/subjects/address/versions/1/referencedby", None)
        .await;
    assert_eq!(reply.body, json!([2]));
    let reply = api
        .call(
            "GET",
            "/subjects/customer/versions/latest/referencedby",
            None,
        )
        .await;
    assert_eq!(reply.body, json!([]));
    let reply = api
        .call("DELETE", "/subjects/address/versions/1", None)
        .await;
    assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42206));
    let reply = api.call("DELETE", "/subjects/address", None).await;
    assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42206));
    // Nothing was deleted.
    let reply = api.call("GET", "/subjects/address/versions", None).await;
    assert_eq!(reply.body, json!([1]));

    let dangling = json!({"schema": customer, "references": [{"name": "geo.Address", "subject": "nowhere", "version": 1}]});
    let reply = api
        .call("POST", "/subjects/customer/versions", Some(dangling))
        .await;
    assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42201));
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("`nowhere`")
    );
}

/// The API over a registry whose clock the test moves.
fn api_with_clock(start: i64) -> (Api, Arc<FixedClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, clock.clone()).unwrap();
    let api = Api {
        router: router(AppState::new(Arc::new(registry))),
        _dir: dir,
    };
    (api, clock)
}

/// Issue 11, item 11: a refusal listing 5.4 MB of findings helped nobody.
#[tokio::test]
async fn a_refusal_lists_its_first_findings_and_counts_the_rest() {
    let api = api();
    let record = |fields: &str| format!(r#"{{"type":"record","name":"Wide","fields":[{fields}]}}"#);
    assert_eq!(
        api.register("wide", &record("")).await.status,
        StatusCode::OK
    );
    let required: Vec<String> = (0..120)
        .map(|i| format!(r#"{{"name":"f{i}","type":"int"}}"#))
        .collect();
    let reply = api.register("wide", &record(&required.join(","))).await;
    assert_eq!(error_of(&reply), (StatusCode::CONFLICT, 409));
    let message = reply.body["message"].as_str().unwrap();
    assert_eq!(message.matches("AV102").count(), 50, "{message}");
    assert!(
        message.contains("... and 70 more findings (all of them: POST /compatibility/subjects/wide/versions?verbose=true)"),
        "{message}"
    );
    // The verbose check has them all.
    let reply = api
        .call(
            "POST",
            "/compatibility/subjects/wide/versions?verbose=true",
            Some(json!({"schema": record(&required.join(","))})),
        )
        .await;
    assert_eq!(reply.body["messages"].as_array().unwrap().len(), 120);
}

#[tokio::test]
async fn the_audit_is_read_a_page_at_a_time() {
    let api = api();
    assert_eq!(api.define_product().await.status, StatusCode::OK);
    for (version, schema) in [("1.0.0", V1), ("1.1.0", V2), ("1.2.0", V2)] {
        api.publish_product(version, schema).await;
    }
    let page = |query: &'static str| {
        let api = &api;
        async move {
            api.call(
                "GET",
                &format!("/v1/products/payments.transactions/audit{query}"),
                None,
            )
            .await
        }
    };
    let all = page("").await;
    let seqs = |reply: &Reply| -> Vec<u64> {
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    let total = seqs(&all).len();
    assert!(total >= 3, "{}", all.text);
    assert_eq!(seqs(&page("?limit=2").await), [0, 1]);
    assert_eq!(
        seqs(&page("?limit=2&after=1").await),
        [2, 3][..(total - 2).min(2)]
    );
    let reply = page("?limit=0").await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("`limit` must be 1 to 10000"),
        "{}",
        reply.text
    );
}

/// Issue 11, item 11: `GET /schemas` was built whole in memory (600 MB for a 23 MB answer);
/// it is written a page of subjects at a time, and reads as one array.
#[tokio::test]
async fn the_schema_listing_is_written_a_page_at_a_time_as_one_array() {
    let api = api();
    assert_eq!(api.call("GET", "/schemas", None).await.body, json!([]));
    let subjects = 600; // three pages
    for i in 0..subjects {
        let schema =
            format!(r#"{{"type":"record","name":"R","fields":[{{"name":"f{i}","type":"int"}}]}}"#);
        assert_eq!(
            api.register(&format!("s{i:04}"), &schema).await.status,
            StatusCode::OK
        );
    }
    let listed = api.call("GET", "/schemas", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    let listed = listed.body.as_array().unwrap().clone();
    assert_eq!(listed.len(), subjects);
    let names: Vec<&str> = listed
        .iter()
        .map(|v| v["subject"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "in subject order");
    assert_eq!(listed[599]["id"], 600);
    assert_eq!(
        api.call("GET", "/schemas?subjectPrefix=s05", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        100
    );
    assert_eq!(
        api.call("GET", "/schemas?subjectPrefix=none", None)
            .await
            .body,
        json!([])
    );
}

/// Issue 11, item 1: registry work waits in a bounded queue; past it, 503 with `Retry-After`,
/// while `/health` and reads by id never wait on it.
#[tokio::test]
async fn a_full_work_queue_answers_503_and_health_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, Arc::new(FixedClock::new(0))).unwrap();
    let state = AppState {
        // No turn is ever free, and no one may wait.
        work: Arc::new(super::WorkQueue::new(0, 1, 0)),
        ..AppState::new(Arc::new(registry))
    };
    let api = Api {
        router: router(state),
        _dir: dir,
    };
    let reply = api.register("orders-value", V1).await;
    assert_eq!(error_of(&reply), (StatusCode::SERVICE_UNAVAILABLE, 503));
    let request = Request::builder()
        .method("POST")
        .uri("/subjects/orders-value/versions")
        .header(
            header::CONTENT_TYPE,
            "application/vnd.schemaregistry.v1+json",
        )
        .body(Body::from(json!({"schema": V1}).to_string()))
        .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(
        api.call("GET", "/health", None).await.status,
        StatusCode::OK
    );
    assert_eq!(api.call("GET", "/subjects", None).await.body, json!([]));
}

#[tokio::test]
async fn a_product_definition_with_an_unknown_level_is_refused_naming_it() {
    let api = api();
    let product = json!({"domain": "payments", "owner": "payments-engineering", "compatibility": "sideways", "subjects": ["transactions-value"]});
    let reply = api
        .call("PUT", "/v1/products/payments.transactions", Some(product))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.body["error_code"], "invalid_request");
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.contains("unknown compatibility level `sideways`"),
        "{message}"
    );
    let reply = api
        .call("GET", "/v1/products/payments.transactions", None)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "nothing was stored");
}

#[tokio::test]
async fn a_confluent_registration_to_a_product_records_the_actor_it_names() {
    let api = api();
    let reply = api.define_product().await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        api.register("transactions-value", V1).await.status,
        StatusCode::OK
    );
    let named = Request::builder()
        .method("POST")
        .uri("/subjects/transactions-value/versions")
        .header(
            header::CONTENT_TYPE,
            "application/vnd.schemaregistry.v1+json",
        )
        .header("X-Accord-Actor", "orders-producer")
        .body(Body::from(json!({"schema": V2}).to_string()))
        .unwrap();
    assert_eq!(api.send(named).await.status, StatusCode::OK);
    let reply = api
        .call("GET", "/v1/products/payments.transactions/audit", None)
        .await;
    let actors: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    // The definition (no header), then the two registrations.
    assert_eq!(actors, ["anonymous", "confluent-api", "orders-producer"]);

    // A name beyond ASCII is kept as given; one with control characters is refused.
    for (header, expected) in [
        ("UTF-8''Jos%C3%A9", StatusCode::OK),
        ("UTF-8''a%0Ab", StatusCode::BAD_REQUEST),
    ] {
        let request = Request::builder()
            .method("POST")
            .uri("/v1/products/payments.transactions/notices")
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-Accord-Actor", header)
            .body(Body::from(
                json!({"major": 2, "summary": "coupon required"}).to_string(),
            ))
            .unwrap();
        let reply = api.send(request).await;
        assert_eq!(reply.status, expected, "{}", reply.text);
    }
    let reply = api
        .call("GET", "/v1/products/payments.transactions/audit", None)
        .await;
    assert_eq!(
        reply.body.as_array().unwrap().last().unwrap()["actor"],
        "José"
    );
}

#[tokio::test]
async fn a_data_product_through_the_native_and_the_confluent_api() {
    const DAY: i64 = 86_400_000;
    const START: i64 = 1_793_577_600_000; // 2026-11-02
    let (api, clock) = api_with_clock(START);
    let reply = api.define_product().await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["notice_days"], 14);
    assert_eq!(reply.body["compatibility"], "BACKWARD");

    let publish = publication;
    let url = "/v1/products/payments.transactions/versions";
    let reply = api.call("POST", url, Some(publish("1.0.0", V1))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.body["schemas"][0],
        json!({"subject": "transactions-value", "version": 1, "id": 1})
    );
    let reply = api.call("POST", url, Some(publish("1.0.1", V2))).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    assert_eq!(reply.body["error_code"], "version_under_bumped");
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("publish 1.1.0 or later")
    );
    assert_eq!(
        api.call("POST", url, Some(publish("1.1.0", V2)))
            .await
            .status,
        StatusCode::OK
    );

    // A dry run says what is wrong without writing anything.
    let reply = api.check_product("2.0.0", BREAKING).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["accepted"], false);
    assert_eq!(reply.body["refusal"]["code"], "notice_required");
    assert_eq!(reply.body["required_bump"], "major");

    // Through the Confluent API, the same break is a 409 naming the way out.
    let reply = api.register("transactions-value", BREAKING).await;
    assert_eq!(error_of(&reply), (StatusCode::CONFLICT, 409));
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("accord notice announce payments.transactions --major 2")
    );

    let reply = api
        .call(
            "POST",
            "/v1/products/payments.transactions/notices",
            Some(json!({"major": 2, "summary": "coupon becomes required"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["effective"], "2026-11-16T00:00:00Z");
    clock.set(START + 13 * DAY);
    let reply = api
        .call("POST", url, Some(publish("2.0.0", BREAKING)))
        .await;
    assert_eq!(reply.body["error_code"], "notice_window_open");
    assert_eq!(
        reply.body["message"],
        "notice for 2.0.0 announced 2026-11-02; allowed from 2026-11-16, 1 days from now"
    );
    clock.set(START + 14 * DAY);
    let reply = api
        .call("POST", url, Some(publish("2.0.0", BREAKING)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    // Consumers find upcoming and past notices, and the latest schema of each major.
    let reply = api.call("GET", "/v1/notices?since=2026-11-01", None).await;
    assert_eq!(reply.body.as_array().unwrap().len(), 1);
    assert_eq!(reply.body[0]["product"], "payments.transactions");
    let reply = api
        .call(
            "GET",
            "/subjects/transactions-value/metadata?key=application.major.version&value=1",
            None,
        )
        .await;
    assert_eq!(reply.body["version"], 2, "{}", reply.text);
    let reply = api
        .call(
            "GET",
            "/v1/products/payments.transactions/versions/latest?major=1",
            None,
        )
        .await;
    assert_eq!(reply.body["version"], "1.1.0");
    assert!(
        reply.body["schemas"][0]["schema"]
            .as_str()
            .unwrap()
            .contains("note")
    );

    let reply = api
        .call("GET", "/v1/products/payments.transactions", None)
        .await;
    assert_eq!(reply.body["latest"], "2.0.0");
    assert_eq!(reply.body["majors"][0]["state"], "deprecated");
    assert_eq!(reply.body["majors"][0]["sunset"], "2026-12-16T00:00:00Z");
    assert_eq!(reply.body["majors"][1]["state"], "active");

    let reply = api
        .call("GET", "/v1/products/payments.transactions/audit", None)
        .await;
    let decided: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["decided_by"].as_str().unwrap())
        .collect();
    assert_eq!(
        decided,
        [
            "accepted",
            "accepted",
            "version_under_bumped",
            "accepted",
            "breaking_change_requires_major",
            "accepted",
            "notice_window_open",
            "accepted"
        ]
    );

    // Errors keep the envelope, with snake_case codes.
    let reply = api.call("GET", "/v1/products/nope", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error_code"], "product_not_found");
    let reply = api.call("POST", url, Some(json!({"version": "two"}))).await;
    assert_eq!(reply.body["error_code"], "invalid_version");
    let reply = api.call("POST", url, Some(json!({"schemas": 3}))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error_code"], "invalid_request");
}

#[tokio::test]
async fn arrow_schemas_register_and_evolve_like_avro_ones() {
    let api = api();
    let v1 = r#"{"fields": [{"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 64, "isSigned": true}, "children": []}]}"#;
    let v2 = r#"{"fields": [{"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 64, "isSigned": true}}, {"name": "note", "nullable": true, "type": {"name": "utf8"}}]}"#;
    let breaking = r#"{"fields": [{"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 64, "isSigned": true}}, {"name": "coupon", "nullable": false, "type": {"name": "utf8"}}]}"#;
    let register = |schema: &str| json!({"schema": schema, "schemaType": "ARROW"});
    let url = "/subjects/orders-columns/versions";
    let reply = api.call("POST", url, Some(register(v1))).await;
    assert_eq!(reply.body, json!({"id": 1}), "{}", reply.text);
    // The normalized form is identity: the same schema written differently is the same id.
    let reply = api
        .call(
            "POST",
            url,
            Some(register(&v1.replace(", \"children\": []", ""))),
        )
        .await;
    assert_eq!(reply.body, json!({"id": 1}));
    assert_eq!(
        api.call("POST", url, Some(register(v2))).await.body,
        json!({"id": 2})
    );
    let reply = api.call("POST", url, Some(register(breaking))).await;
    assert_eq!(error_of(&reply), (StatusCode::CONFLICT, 409));
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("AR102 required-field-added at coupon ($.fields[1])"),
        "{}",
        reply.text
    );
    let reply = api.call("GET", "/schemas/ids/2", None).await;
    assert_eq!(reply.body["schemaType"], "ARROW");
    assert!(
        reply.body["schema"]
            .as_str()
            .unwrap()
            .starts_with(r#"{"fields":[{"#)
    );
    // Another format in the same subject is refused.
    let avro = json!({"schema": V1});
    let reply = api.call("POST", url, Some(avro)).await;
    assert_eq!(error_of(&reply), (StatusCode::CONFLICT, 409));
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("schema type AVRO differs from ARROW")
    );
    // Invalid Arrow names the problem and where.
    let bad = register(
        r#"{"fields": [{"name": "x", "nullable": true, "type": {"name": "int", "bitWidth": 12, "isSigned": true}}]}"#,
    );
    let reply = api.call("POST", url, Some(bad)).await;
    assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42201));
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("at $.fields[0].type.bitWidth")
    );
}

#[tokio::test]
async fn an_arrow_schema_in_base64_ipc_is_the_same_schema_as_its_json_form() {
    let api = api();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/arrow/ipc");
    let json_form = std::fs::read_to_string(root.join("orders.arrow.json")).unwrap();
    let base64 = std::fs::read_to_string(root.join("orders.schema.b64")).unwrap();
    let url = "/subjects/orders-columns/versions";
    let register = |schema: &str| json!({"schema": schema, "schemaType": "ARROW"});
    let reply = api.call("POST", url, Some(register(&json_form))).await;
    assert_eq!(reply.body, json!({"id": 1}), "{}", reply.text);
    let reply = api.call("POST", url, Some(register(&base64))).await;
    assert_eq!(reply.body, json!({"id": 1}), "{}", reply.text);
    let reply = api.call("POST", url, Some(register("bm90IGFycm93"))).await;
    assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42201));
}

/// Notices as Atom: newest first, text escaped, each entry linking its product.
#[tokio::test]
async fn notices_are_an_atom_feed() {
    let (api, clock) = api_with_clock(1_767_225_600_000);
    let product =
        json!({"domain": "payments", "owner": "payments-engineering", "subjects": ["t-value"]});
    assert_eq!(
        api.call("PUT", "/v1/products/payments.t", Some(product))
            .await
            .status,
        StatusCode::OK
    );
    let version = json!({"version": "1.0.0", "schemas": [{"subject": "t-value", "schema": r#"{"type":"string"}"#}]});
    assert_eq!(
        api.call("POST", "/v1/products/payments.t/versions", Some(version))
            .await
            .status,
        StatusCode::OK
    );
    let notice = json!({"major": 2, "summary": "ids become <uuid> & \"strings\""});
    assert_eq!(
        api.call("POST", "/v1/products/payments.t/notices", Some(notice))
            .await
            .status,
        StatusCode::OK
    );
    clock.set(1_767_312_000_000);
    let feed = api.call("GET", "/v1/notices.atom", None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.content_type, "application/atom+xml; charset=utf-8");
    assert!(feed.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"), "{}", feed.text);
    assert!(
        feed.text.contains(
            "<title>payments.t major 2: ids become &lt;uuid&gt; &amp; &quot;strings&quot;</title>"
        ),
        "{}",
        feed.text
    );
    assert!(
        feed.text
            .contains("<updated>2026-01-01T00:00:00Z</updated>"),
        "{}",
        feed.text
    );
    assert!(
        feed.text.contains(
            "<summary>Announced 2026-01-01; major 2 may be published from 2026-01-15.</summary>"
        ),
        "{}",
        feed.text
    );
}
