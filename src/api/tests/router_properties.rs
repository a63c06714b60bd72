//! A property over the whole router: whatever the path, method, query, headers and body, the
//! answer is a 2xx or the JSON error envelope, never a 5xx; and a sequence of requests that
//! were all refused leaves the configuration, the modes and the subjects as they were. On the
//! in-memory store for speed: the other API tests run the same router on RocksDB.

use proptest::prelude::*;

use super::*;
use crate::store::MemStore;

const PATHS: &[&str] = &[
    "/",
    "/subjects",
    "/subjects/{s}",
    "/subjects/{s}/versions",
    "/subjects/{s}/versions/{v}",
    "/subjects/{s}/versions/{v}/schema",
    "/subjects/{s}/versions/{v}/referencedby",
    "/subjects/{s}/metadata",
    "/schemas",
    "/schemas/types",
    "/schemas/ids/{v}",
    "/schemas/ids/{v}/schema",
    "/schemas/ids/{v}/subjects",
    "/schemas/ids/{v}/versions",
    "/compatibility/subjects/{s}/versions",
    "/compatibility/subjects/{s}/versions/{v}",
    "/config",
    "/config/{s}",
    "/mode",
    "/mode/{s}",
    "/contexts",
    "/v1/products",
    "/v1/products/{s}",
    "/v1/products/{s}/versions",
    "/v1/products/{s}/versions/{v}",
    "/v1/products/{s}/check",
    "/v1/products/{s}/notices",
    "/v1/products/{s}/notices/{v}",
    "/v1/products/{s}/audit",
    "/v1/notices",
    "/{s}/{v}",
];
const SUBJECTS: &[&str] = &[
    "orders",
    "%FF%FE",
    "a%2Fb",
    "%00",
    "__GLOBAL",
    "x%20y",
    "%E2%82",
    "payments.tx",
];
const VERSIONS: &[&str] = &["1", "latest", "-1", "0", "abc", "99999999999", "%FF", "2"];
const QUERIES: &[&str] = &[
    "",
    "?deleted=true",
    "?deleted=true&deleted=false",
    "?permanent=true",
    "?normalize=true",
    "?%FF=%FE",
    "?verbose=true",
    "?since=yesterday",
    "?now=nope",
    "?key=a&value=b",
    "?force=true",
    "?defaultToGlobal=true&defaultToGlobal",
    "?subject=orders&fetchMaxId=true",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
const CONTENT_TYPES: &[&[u8]] = &[
    b"",
    b"application/vnd.schemaregistry.v1+json",
    b"application/json; charset=utf-8",
    b"application/octet-stream",
    b"text/html",
    b"\xff\xfe",
    b"multipart/form-data; boundary=x",
];
const ACCEPTS: &[&str] = &["", "*/*", "text/html", "application/json", "image/png"];
const BODIES: &[&str] = &[
    "",
    "   ",
    "{}",
    "[]",
    "null",
    "\"x\"",
    "17",
    "{\"schema\": \"garbage\"}",
    "{\"schema\": \"\\\"int\\\"\", \"schemaType\": \"PROTOBUF\"}",
    "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"c\\\",\\\"type\\\":\\\"string\\\"}]}\"}",
    "{\"schema\": \"\\\"long\\\"\", \"references\": [{\"name\": \"x\", \"subject\": \"nobody\", \"version\": 1}]}",
    "{\"schema\": \"\\\"long\\\"\", \"id\": -3, \"version\": 0}",
    "{\"compatibility\": \"FULL \"}",
    "[\"FULL\"]",
    "{\"compatibility\": 7}",
    "{\"mode\": \"READONLY \"}",
    "{\"mode\": null}",
    "[\"IMPORT\"]",
    "{\"version\": \"not-semver\", \"schemas\": []}",
    "{\"major\": \"two\"}",
    "{\"domain\": 1}",
    "{\"schema\": \"\\\"long\\\"\"",
    "\u{0}\u{1}\u{2}",
];

#[derive(Debug, Clone)]
struct Probe {
    method: &'static str,
    uri: String,
    content_type: &'static [u8],
    accept: &'static str,
    body: Vec<u8>,
}

fn probe() -> impl Strategy<Value = Probe> {
    let body = prop_oneof![
        4 => proptest::sample::select(BODIES).prop_map(|b| b.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ];
    (
        proptest::sample::select(METHODS),
        proptest::sample::select(PATHS),
        proptest::sample::select(SUBJECTS),
        proptest::sample::select(VERSIONS),
        proptest::sample::select(QUERIES),
        proptest::sample::select(CONTENT_TYPES),
        proptest::sample::select(ACCEPTS),
        body,
    )
        .prop_map(
            |(method, path, s, v, query, content_type, accept, body)| Probe {
                method,
                uri: format!("{}{query}", path.replace("{s}", s).replace("{v}", v)),
                content_type,
                accept,
                body,
            },
        )
}

impl Api {
    async fn probe(&self, probe: &Probe) -> Reply {
        let mut request = Request::builder()
            .method(probe.method)
            .uri(probe.uri.as_str());
        if !probe.content_type.is_empty() {
            let value = axum::http::HeaderValue::from_bytes(probe.content_type).unwrap();
            request = request.header(header::CONTENT_TYPE, value);
        }
        if !probe.accept.is_empty() {
            request = request.header(header::ACCEPT, probe.accept);
        }
        self.send(request.body(Body::from(probe.body.clone())).unwrap())
            .await
    }

    /// What refused requests must leave as it was.
    async fn settings_and_subjects(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for path in ["/config", "/mode", "/subjects?deleted=true", "/v1/products"] {
            seen.push(self.call("GET", path, None).await.text);
        }
        seen
    }
}

fn memory_api() -> Api {
    let registry = Registry::open(Arc::new(MemStore::new()), Arc::new(FixedClock::new(0))).unwrap();
    Api {
        router: router(AppState::new(Arc::new(registry))),
        _dir: tempfile::tempdir().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_answer_is_2xx_or_the_json_envelope_and_refusals_change_nothing(
        probes in proptest::collection::vec(probe(), 1..8)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let api = memory_api();
            api.register("orders", V1).await;
            let before = api.settings_and_subjects().await;
            let mut all_refused = true;
            for probe in &probes {
                let reply = api.probe(probe).await;
                prop_assert!(
                    !reply.status.is_server_error(),
                    "{probe:?} answered {}: {}", reply.status, reply.text
                );
                if reply.status.is_success() {
                    all_refused = false;
                } else if probe.method != "HEAD" {
                    prop_assert!(
                        reply.body["error_code"].is_number() || reply.body["error_code"].is_string(),
                        "{probe:?} answered {} without the envelope: {}", reply.status, reply.text
                    );
                    prop_assert!(
                        reply.body["message"].is_string(),
                        "{probe:?} answered {} without a message: {}", reply.status, reply.text
                    );
                }
            }
            if all_refused {
                prop_assert_eq!(api.settings_and_subjects().await, before);
            }
            Ok(())
        })?;
    }
}
