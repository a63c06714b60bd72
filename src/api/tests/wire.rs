//! Confluent wire fidelity and bad input (issue 9): what a client registered is what it reads
//! back, and a request the API refuses answers in the JSON envelope and changes nothing.

use super::*;

/// A record in a namespace, written with spaces and its keys in the author's order.
const NAMESPACED: &str = r#"{"type": "record", "name": "Rec", "namespace": "a.b",
    "fields": [{"name": "id", "type": "long", "doc": "the id"}]}"#;
const NAMESPACED_COMPACT: &str = r#"{"type":"record","name":"Rec","namespace":"a.b","fields":[{"name":"id","type":"long","doc":"the id"}]}"#;
/// The same schema, written with a full name.
const FULL_NAME: &str =
    r#"{"name":"a.b.Rec","type":"record","fields":[{"doc":"the id","type":"long","name":"id"}]}"#;

#[tokio::test]
async fn served_schema_is_the_text_as_first_registered() {
    let api = api();
    assert_eq!(api.register("s", NAMESPACED).await.body, json!({"id": 1}));
    // The same schema written otherwise is the same id, and does not change what is served.
    assert_eq!(api.register("s", FULL_NAME).await.body, json!({"id": 1}));
    assert_eq!(api.register("t", FULL_NAME).await.body, json!({"id": 1}));
    for path in [
        "/schemas/ids/1",
        "/subjects/s/versions/1",
        "/subjects/t/versions/latest",
    ] {
        let reply = api.call("GET", path, None).await;
        assert_eq!(reply.body["schema"], json!(NAMESPACED_COMPACT), "{path}");
    }
    for path in ["/schemas/ids/1/schema", "/subjects/s/versions/1/schema"] {
        assert_eq!(api.call("GET", path, None).await.text, NAMESPACED_COMPACT);
    }
    let lookup = api
        .call("POST", "/subjects/s", Some(json!({"schema": FULL_NAME})))
        .await;
    assert_eq!(lookup.body["schema"], json!(NAMESPACED_COMPACT));
    let listed = api.call("GET", "/schemas", None).await;
    assert_eq!(listed.body[0]["schema"], json!(NAMESPACED_COMPACT));
}

#[tokio::test]
async fn normalize_serves_the_normalized_form_by_request_or_by_config() {
    let api = api();
    let normalized = r#"{"fields":[{"doc":"the id","name":"id","type":"long"}],"name":"a.b.Rec","type":"record"}"#;
    let reply = api
        .call(
            "POST",
            "/subjects/s/versions?normalize=True",
            Some(json!({"schema": NAMESPACED})),
        )
        .await;
    assert_eq!(reply.body, json!({"id": 1}));
    assert_eq!(
        api.call("GET", "/schemas/ids/1/schema", None).await.text,
        normalized
    );

    let set = api
        .call("PUT", "/config/t", Some(json!({"normalize": true})))
        .await;
    assert_eq!(set.body, json!({"normalize": true}));
    assert_eq!(
        api.call("GET", "/config/t", None).await.body,
        json!({"normalize": true})
    );
    assert_eq!(
        api.call("GET", "/config/t?defaultToGlobal=true", None)
            .await
            .body,
        json!({"compatibilityLevel": "BACKWARD", "normalize": true})
    );
    let other = NAMESPACED.replace("Rec", "Other");
    assert_eq!(api.register("t", &other).await.body, json!({"id": 2}));
    let served = api.call("GET", "/schemas/ids/2/schema", None).await.text;
    assert!(served.starts_with(r#"{"fields":"#), "{served}");
    assert_eq!(
        api.call("DELETE", "/config/t", None).await.body,
        json!({"normalize": true})
    );
    assert_eq!(
        error_of(&api.call("GET", "/config/t", None).await),
        (StatusCode::NOT_FOUND, 40408)
    );
}

#[tokio::test]
async fn latest_of_a_subject_whose_versions_are_all_soft_deleted_is_40401() {
    let api = api();
    api.register("s", V1).await;
    api.register("s", V2).await;
    assert_eq!(api.call("DELETE", "/subjects/s", None).await.status, 200);
    // Or version by version, the latest first.
    api.register("t", V1).await;
    api.register("t", V2).await;
    for version in ["latest", "latest"] {
        let path = format!("/subjects/t/versions/{version}");
        assert_eq!(api.call("DELETE", &path, None).await.status, 200);
    }
    for path in [
        "/subjects/t/versions/latest",
        "/subjects/t/versions/-1",
        "/subjects/s/versions/latest",
        "/subjects/s/versions/-1",
        "/subjects/s/versions/latest/schema",
    ] {
        assert_eq!(
            error_of(&api.call("GET", path, None).await),
            (StatusCode::NOT_FOUND, 40401),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_primitive_with_reserved_attributes_is_the_plain_primitive() {
    let api = api();
    assert_eq!(
        api.register("s", r#"{"type":"int"}"#).await.body,
        json!({"id": 1})
    );
    let named = r#"{"type":"int","name":"X","namespace":"n","doc":"d"}"#;
    let lookup = api
        .call("POST", "/subjects/s", Some(json!({"schema": named})))
        .await;
    assert_eq!(
        (lookup.status, lookup.body["id"].clone()),
        (StatusCode::OK, json!(1))
    );
    assert_eq!(api.register("t", named).await.body, json!({"id": 1}));
    // A custom property is not reserved: it makes another schema.
    assert_eq!(
        api.register("u", r#"{"type":"int","owner":"x"}"#)
            .await
            .body,
        json!({"id": 2})
    );
}

#[tokio::test]
async fn import_onto_an_id_held_by_other_content_is_42205() {
    let api = api();
    api.call("PUT", "/mode", Some(json!({"mode": "IMPORT"})))
        .await;
    let imported = api
        .call(
            "POST",
            "/subjects/s/versions",
            Some(json!({"schema": V1, "id": 7, "version": 1})),
        )
        .await;
    assert_eq!(imported.body, json!({"id": 7}));
    for subject in ["s", "other"] {
        let reply = api
            .call(
                "POST",
                &format!("/subjects/{subject}/versions"),
                Some(json!({"schema": V2, "id": 7, "version": 2})),
            )
            .await;
        assert_eq!(error_of(&reply), (StatusCode::UNPROCESSABLE_ENTITY, 42205));
    }
    // The same content under another id is allowed, as in Confluent.
    let again = api
        .call(
            "POST",
            "/subjects/other/versions",
            Some(json!({"schema": V1, "id": 8, "version": 1})),
        )
        .await;
    assert_eq!(again.body, json!({"id": 8}));
}

#[tokio::test]
async fn config_and_mode_accept_only_exact_names_and_change_nothing_otherwise() {
    let api = api();
    // (path, body, code) of PUTs; 400 is a body that is not an object, the rest are 422.
    let refused = [
        ("/config", r#"["FULL"]"#, 400),
        ("/config", r#"{"compatibility":"BACKWARD "}"#, 42203),
        ("/config", r#"{"compatibility":"full-transitive"}"#, 42203),
        ("/config", r#"{}"#, 42203),
        ("/config/s", r#"{"compatibility":" NONE"}"#, 42203),
        ("/mode", r#"{"mode":"READONLY "}"#, 42204),
        ("/mode", r#"["READONLY"]"#, 400),
        ("/mode/s", r#"{"mode":"read only"}"#, 42204),
    ];
    for (path, body, code) in refused {
        let request = Request::builder()
            .method("PUT")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let status = if code == 400 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(
            error_of(&api.send(request).await),
            (status, code),
            "{path} {body}"
        );
    }
    assert_eq!(
        api.call("GET", "/config", None).await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    assert_eq!(
        api.call("GET", "/mode", None).await.body,
        json!({"mode": "READWRITE"})
    );
    assert_eq!(api.call("GET", "/config/s", None).await.status, 404);
    assert_eq!(api.call("GET", "/mode/s", None).await.status, 404);
    // Names in any case are Confluent's.
    let set = api
        .call(
            "PUT",
            "/config",
            Some(json!({"compatibility": "full_Transitive"})),
        )
        .await;
    assert_eq!(set.body, json!({"compatibility": "FULL_TRANSITIVE"}));
}

#[tokio::test]
async fn framework_rejections_answer_in_the_json_envelope() {
    let api = api();
    api.register("s", V1).await;
    let bad_path = api.call("GET", "/subjects/%FF%FE/versions", None).await;
    assert_eq!(error_of(&bad_path), (StatusCode::BAD_REQUEST, 400));
    assert!(bad_path.text.contains("UTF-8"), "{}", bad_path.text);
    let bad_major = api.call("DELETE", "/v1/products/p/notices/two", None).await;
    assert_eq!(bad_major.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_major.body["error_code"], json!("invalid_request"));
    // A parameter given twice takes its first value, as Confluent's server reads it.
    let twice = api
        .call(
            "GET",
            "/subjects/s/versions?deleted=true&deleted=false",
            None,
        )
        .await;
    assert_eq!((twice.status, twice.body), (StatusCode::OK, json!([1])));
    let missing = api.call("GET", "/no/such/path", None).await;
    assert_eq!(error_of(&missing), (StatusCode::NOT_FOUND, 404));
}

#[tokio::test]
async fn a_body_of_an_unsupported_content_type_is_415_and_registers_nothing() {
    let api = api();
    let types: [&[u8]; 4] = [
        b"text/html",
        b"text/plain; charset=utf-8",
        b"\xff\xfe garbage",
        b"x",
    ];
    for content_type in types {
        let request = Request::builder()
            .method("POST")
            .uri("/subjects/s/versions")
            .header(
                header::CONTENT_TYPE,
                axum::http::HeaderValue::from_bytes(content_type).unwrap(),
            )
            .body(Body::from(json!({"schema": V1}).to_string()))
            .unwrap();
        let reply = api.send(request).await;
        assert_eq!(
            error_of(&reply),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, 415),
            "{content_type:?}"
        );
    }
    assert_eq!(api.call("GET", "/subjects", None).await.body, json!([]));
}
