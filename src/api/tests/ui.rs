//! The web UI's pages as the router answers them (the browser tests in `tests/it/ui.rs` drive
//! them in Chromium).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use super::{Api, Reply, api};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

impl Api {
    async fn page(&self, uri: &str) -> Reply {
        let request = Request::builder()
            .uri(uri)
            .header(header::ACCEPT, BROWSER_ACCEPT)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }
}

const V1: &str = r#"{"type":"record","name":"T","fields":[{"name":"id","type":"string"}]}"#;
const V2: &str = r#"{"type":"record","name":"T","fields":[{"name":"id","type":"string"},{"name":"n","type":"int"}]}"#;

#[tokio::test]
async fn pages_answer_html_and_a_diff_shows_its_findings_at_their_element() {
    let api = api();
    api.call(
        "PUT",
        "/config/t-value",
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!(api.register("t-value", V1).await.status, StatusCode::OK);
    assert_eq!(api.register("t-value", V2).await.status, StatusCode::OK);
    for uri in [
        "/ui/",
        "/ui/subjects/t-value",
        "/ui/subjects/t-value/versions/2",
        "/ui/products",
        "/ui/notices",
        "/ui/rules",
        "/ui/rules/AV102",
    ] {
        let reply = api.page(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text);
        assert_eq!(reply.content_type, "text/html; charset=utf-8", "{uri}");
        assert!(reply.text.starts_with("<!DOCTYPE html>"), "{uri}");
    }
    // Version 2 added a field without a default: it breaks backward, on the field's line.
    let diff = api
        .page("/ui/subjects/t-value/diff?from=1&to=2&level=BACKWARD")
        .await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    assert!(
        diff.text.contains(r#"href="/ui/rules/AV102""#),
        "{}",
        diff.text
    );
    assert!(diff.text.contains("breaks backward"), "{}", diff.text);
    assert!(diff.text.contains(r#"<li class="note">"#), "{}", diff.text);
}

#[tokio::test]
async fn a_missing_subject_or_rule_is_a_404_page_and_a_browser_at_the_root_goes_to_the_ui() {
    let api = api();
    for uri in ["/ui/subjects/nothing", "/ui/rules/XX999"] {
        let reply = api.page(uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.text.contains(r#"role="alert""#), "{}", reply.text);
    }
    let root = api.page("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    // A Schema Registry client at the root still gets `{}`.
    let client = api.call("GET", "/", None).await;
    assert_eq!(client.status, StatusCode::OK);
    assert_eq!(client.body, json!({}));
}

#[tokio::test]
async fn a_dry_run_from_the_page_stores_nothing() {
    let api = api();
    api.register("t-value", V1).await;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("schema", V2)
        .append_pair("schema_type", "AVRO")
        .finish();
    let request = Request::builder()
        .method("POST")
        .uri("/ui/subjects/t-value/check")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(Body::from(form))
        .unwrap();
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.text.contains("Incompatible"), "{}", reply.text);
    let versions = api.call("GET", "/subjects/t-value/versions", None).await;
    assert_eq!(versions.body, json!([1]));
}
