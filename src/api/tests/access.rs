//! Access control over every route: each route × {anonymous, reader, publisher of the
//! subject's domain, publisher of another domain, admin} is allowed or refused (401/403) as
//! designed, and every refusal leaves the registry as it was.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::{Api, Reply, V1, V2, publication};
use crate::api::auth::testing::{self as oidc, Provider};
use crate::api::auth::{Auth, Principals, hash_password, new_token};
use crate::api::{AppState, router};
use crate::registry::{FixedClock, Registry};
use crate::store::RocksStore;

/// The callers of the matrix, and their credentials.
/// `payments-idp` publishes for payments by the claims of its identity provider's JWT.
const CALLERS: [&str; 6] = [
    "anonymous",
    "reader",
    "payments",
    "payments-idp",
    "orders",
    "admin",
];

struct Credentials {
    principals: Arc<Principals>,
    payments_token: String,
    orders_token: String,
    /// A JWT of the identity provider the principals file trusts.
    payments_jwt: String,
}

/// One principals file for every test: argon2 is slow by design.
fn credentials() -> &'static Credentials {
    static CREDENTIALS: OnceLock<Credentials> = OnceLock::new();
    CREDENTIALS.get_or_init(|| {
        let (payments_token, payments_digest) = new_token().unwrap();
        let (orders_token, orders_digest) = new_token().unwrap();
        let provider = Provider::new("idp-1");
        // The key set is read when the file is: its directory may go afterwards.
        let dir = tempfile::tempdir().unwrap();
        let file = format!(
            r#"
anonymous: none
principals:
  - name: platform-admin
    password: "{admin}"
    roles: [admin]
  - name: payments-ci
    token: "{payments_digest}"
    roles: [publisher]
    domains: [payments]
  - name: orders-ci
    token: "{orders_digest}"
    roles: [publisher]
    domains: [orders]
  - name: analytics
    password: "{reader}"
    roles: [reader]
subject_domains:
  - prefix: "orders."
    domain: orders
  - prefix: "payments."
    domain: payments
{oidc}"#,
            admin = hash_password("admin-secret").unwrap(),
            reader = hash_password("reader-secret").unwrap(),
            oidc = oidc::config(&provider, dir.path()),
        );
        // Valid through the tests' fixed clocks (which start at 1970).
        let payments_jwt = provider.sign(&json!({
            "iss": "https://idp.example.com", "aud": "accord", "sub": "payments-pipeline",
            "exp": 10_000_000, "accord_roles": ["publisher"], "accord_domains": ["payments"],
        }));
        Credentials {
            principals: Arc::new(Principals::parse(&file, dir.path()).unwrap()),
            payments_token,
            orders_token,
            payments_jwt,
        }
    })
}

fn authorization(caller: &str) -> Option<String> {
    let basic = |user_info: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_info)
        )
    };
    let c = credentials();
    match caller {
        "anonymous" => None,
        "reader" => Some(basic("analytics:reader-secret")),
        "payments" => Some(format!("Bearer {}", c.payments_token)),
        "payments-idp" => Some(format!("Bearer {}", c.payments_jwt)),
        // A token as a Basic password, as clients that only speak Basic send it.
        "orders" => Some(basic(&format!("orders-ci:{}", c.orders_token))),
        "admin" => Some(basic("platform-admin:admin-secret")),
        other => panic!("unknown caller {other}"),
    }
}

impl Api {
    async fn call_as(&self, caller: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(value) = authorization(caller) {
            request = request.header(header::AUTHORIZATION, value);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.send(request.body(body).unwrap()).await
    }

    /// Everything a refused request must leave as it was.
    async fn everything(&self) -> Value {
        let mut all = serde_json::Map::new();
        for path in [
            "/config",
            "/mode",
            "/subjects?deleted=true",
            "/schemas?deleted=true",
            "/config/transactions-value",
            "/mode/transactions-value",
            "/v1/products",
            "/v1/products/payments.transactions",
            "/v1/products/payments.transactions/audit",
            "/v1/notices",
        ] {
            let reply = self.call_as("admin", "GET", path, None).await;
            all.insert(path.into(), json!([reply.status.as_u16(), reply.body]));
        }
        Value::Object(all)
    }
}

/// A registry holding the product `payments.transactions` (domain payments, its subject
/// `transactions-value` at 1.0.0), the subject `orders.events-value` (domain orders by its
/// prefix) and `misc-value` (no domain), with access control on.
async fn world() -> Api {
    world_at(Arc::new(FixedClock::new(0))).await
}

async fn world_at(clock: Arc<FixedClock>) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, clock).unwrap();
    let state =
        AppState::new(Arc::new(registry)).with_auth(Auth::On(credentials().principals.clone()));
    let api = Api {
        router: router(state),
        _dir: dir,
    };
    let product = json!({"domain": "payments", "owner": "payments-engineering", "subjects": ["transactions-value"]});
    for (method, path, body) in [
        ("PUT", "/v1/products/payments.transactions", product),
        (
            "POST",
            "/v1/products/payments.transactions/versions",
            publication("1.0.0", V1),
        ),
        (
            "POST",
            "/subjects/orders.events-value/versions",
            json!({"schema": V1}),
        ),
        (
            "POST",
            "/subjects/misc-value/versions",
            json!({"schema": V1}),
        ),
    ] {
        let reply = api.call_as("admin", method, path, Some(body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    }
    api
}

/// Who may: every caller, the readers (any principal), the payments publisher and the admin,
/// the admin alone.
const ALL: &[&str] = &CALLERS;
const READ: &[&str] = &["reader", "payments", "payments-idp", "orders", "admin"];
const PAYMENTS: &[&str] = &["payments", "payments-idp", "admin"];
const ORDERS: &[&str] = &["orders", "admin"];
const ADMIN: &[&str] = &["admin"];

/// Every route, with a request of each method it serves, and who may make it.
fn cases() -> Vec<(&'static str, String, Option<Value>, &'static [&'static str])> {
    let s = "/subjects/transactions-value";
    let p = "/v1/products/payments.transactions";
    let schema = || Some(json!({"schema": V2}));
    let product = |domain: &str, subjects: &[&str]| {
        Some(json!({"domain": domain, "owner": "o", "subjects": subjects}))
    };
    vec![
        ("GET", "/".into(), None, ALL),
        ("POST", "/".into(), Some(json!({})), ALL),
        ("GET", "/health".into(), None, ALL),
        ("GET", "/ready".into(), None, ALL),
        ("GET", "/metrics".into(), None, READ),
        ("GET", "/subjects".into(), None, READ),
        ("POST", s.into(), Some(json!({"schema": V1})), READ),
        ("DELETE", s.into(), None, PAYMENTS),
        ("DELETE", format!("{s}?permanent=true"), None, ADMIN),
        ("GET", format!("{s}/versions"), None, READ),
        ("POST", format!("{s}/versions"), schema(), PAYMENTS),
        // An id is an IMPORT: the admin's.
        (
            "POST",
            format!("{s}/versions"),
            Some(json!({"schema": V2, "id": 100})),
            ADMIN,
        ),
        (
            "POST",
            "/subjects/orders.events-value/versions".into(),
            schema(),
            ORDERS,
        ),
        (
            "POST",
            "/subjects/misc-value/versions".into(),
            schema(),
            ADMIN,
        ),
        ("GET", format!("{s}/versions/1"), None, READ),
        ("DELETE", format!("{s}/versions/1"), None, PAYMENTS),
        (
            "DELETE",
            format!("{s}/versions/1?permanent=true"),
            None,
            ADMIN,
        ),
        ("GET", format!("{s}/versions/1/schema"), None, READ),
        ("GET", format!("{s}/versions/1/referencedby"), None, READ),
        ("GET", "/schemas".into(), None, READ),
        ("GET", "/schemas/types".into(), None, READ),
        ("GET", "/schemas/ids/1".into(), None, READ),
        ("GET", "/schemas/ids/1/schema".into(), None, READ),
        ("GET", "/schemas/ids/1/subjects".into(), None, READ),
        ("GET", "/schemas/ids/1/versions".into(), None, READ),
        (
            "POST",
            "/compatibility/subjects/transactions-value/versions".into(),
            schema(),
            READ,
        ),
        (
            "POST",
            "/compatibility/subjects/transactions-value/versions/".into(),
            schema(),
            READ,
        ),
        (
            "POST",
            "/compatibility/subjects/transactions-value/versions/1".into(),
            schema(),
            READ,
        ),
        ("GET", "/config".into(), None, READ),
        (
            "PUT",
            "/config".into(),
            Some(json!({"compatibility": "FULL"})),
            ADMIN,
        ),
        ("DELETE", "/config".into(), None, ADMIN),
        ("GET", "/config/transactions-value".into(), None, READ),
        (
            "PUT",
            "/config/transactions-value".into(),
            Some(json!({"compatibility": "FULL"})),
            PAYMENTS,
        ),
        (
            "DELETE",
            "/config/transactions-value".into(),
            None,
            PAYMENTS,
        ),
        ("GET", "/mode".into(), None, READ),
        (
            "PUT",
            "/mode".into(),
            Some(json!({"mode": "READONLY"})),
            ADMIN,
        ),
        ("DELETE", "/mode".into(), None, ADMIN),
        ("GET", "/mode/transactions-value".into(), None, READ),
        (
            "PUT",
            "/mode/transactions-value".into(),
            Some(json!({"mode": "READONLY"})),
            ADMIN,
        ),
        ("DELETE", "/mode/transactions-value".into(), None, ADMIN),
        ("GET", "/contexts".into(), None, READ),
        ("GET", format!("{s}/metadata"), None, READ),
        ("GET", "/v1/products".into(), None, READ),
        ("GET", p.into(), None, READ),
        (
            "PUT",
            p.into(),
            product("payments", &["transactions-value"]),
            PAYMENTS,
        ),
        // Moving a product to another domain needs both.
        (
            "PUT",
            p.into(),
            product("orders", &["transactions-value"]),
            ADMIN,
        ),
        (
            "PUT",
            "/v1/products/orders.events".into(),
            product("orders", &["orders.events-value"]),
            ORDERS,
        ),
        // A subject holding versions of another domain cannot be claimed.
        (
            "PUT",
            "/v1/products/payments.events".into(),
            product("payments", &["orders.events-value"]),
            ADMIN,
        ),
        ("GET", format!("{p}/versions"), None, READ),
        (
            "POST",
            format!("{p}/versions"),
            Some(publication("1.1.0", V2)),
            PAYMENTS,
        ),
        ("GET", format!("{p}/versions/1.0.0"), None, READ),
        (
            "POST",
            format!("{p}/check"),
            Some(publication("1.1.0", V2)),
            READ,
        ),
        ("GET", format!("{p}/notices"), None, READ),
        (
            "POST",
            format!("{p}/notices"),
            Some(json!({"major": 2, "summary": "amount becomes amount_usd"})),
            PAYMENTS,
        ),
        ("DELETE", format!("{p}/notices/2"), None, PAYMENTS),
        ("GET", format!("{p}/audit"), None, READ),
        ("GET", "/v1/notices".into(), None, READ),
    ]
}

#[tokio::test]
async fn every_route_allows_exactly_who_it_should_and_a_refusal_changes_nothing() {
    let mut failures = Vec::new();
    for (method, uri, body, allowed) in cases() {
        let api = world().await;
        // Refusals first, on the untouched world; then each allowed caller.
        let (refused, permitted): (Vec<&str>, Vec<&str>) =
            CALLERS.iter().partition(|c| !allowed.contains(c));
        for caller in refused {
            let before = api.everything().await;
            let reply = api.call_as(caller, method, &uri, body.clone()).await;
            let (status, code, name) = if caller == "anonymous" {
                (StatusCode::UNAUTHORIZED, 40101, "unauthenticated")
            } else {
                (StatusCode::FORBIDDEN, 40301, "forbidden")
            };
            let expected_code = if uri.starts_with("/v1/") {
                json!(name)
            } else {
                json!(code)
            };
            if reply.status != status || reply.body["error_code"] != expected_code {
                failures.push(format!(
                    "{method} {uri} as {caller}: expected {status}, got {} {}",
                    reply.status, reply.text
                ));
            }
            if api.everything().await != before {
                failures.push(format!(
                    "{method} {uri} as {caller}: refused, but changed the registry"
                ));
            }
        }
        for caller in permitted {
            let reply = api.call_as(caller, method, &uri, body.clone()).await;
            if matches!(
                reply.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ) {
                failures.push(format!(
                    "{method} {uri} as {caller}: expected to be let through, got {} {}",
                    reply.status, reply.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn wrong_credentials_are_401_with_a_challenge_even_where_anonymous_may_read() {
    let api = world().await;
    let wrong = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("analytics:not-the-password")
    );
    for value in [
        wrong.as_str(),
        "Bearer not-a-token",
        "Digest abc",
        "Basic !!!",
    ] {
        let request = Request::get("/subjects")
            .header(header::AUTHORIZATION, value)
            .body(Body::empty())
            .unwrap();
        let response = api.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{value}");
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(
            challenge.contains("Basic") && challenge.contains("Bearer"),
            "{challenge}"
        );
    }
    let metrics = api.call_as("admin", "GET", "/metrics", None).await.text;
    assert!(
        metrics.contains("accord_auth_failures_total{route=\"/subjects\"} 4"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_audit_records_the_authenticated_principal_and_whom_it_acts_for() {
    let api = world().await;
    let request = Request::post("/v1/products/payments.transactions/notices")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, authorization("payments").unwrap())
        .header("X-Accord-Actor", "alice")
        .body(Body::from(
            json!({"major": 2, "summary": "amount becomes amount_usd"}).to_string(),
        ))
        .unwrap();
    assert_eq!(api.send(request).await.status, StatusCode::OK);
    let audit = api
        .call_as(
            "reader",
            "GET",
            "/v1/products/payments.transactions/audit",
            None,
        )
        .await
        .body;
    let actors: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    // The setup's definition and publication were the admin's.
    assert_eq!(
        actors,
        [
            "platform-admin",
            "platform-admin",
            "payments-ci (on behalf of alice)"
        ]
    );
}

#[tokio::test]
async fn a_jwt_s_principal_is_the_audit_s_actor_until_the_token_expires() {
    let clock = Arc::new(FixedClock::new(0));
    let api = world_at(clock.clone()).await;
    let notice = json!({"major": 2, "summary": "amount becomes amount_usd"});
    let uri = "/v1/products/payments.transactions/notices";
    let reply = api
        .call_as("payments-idp", "POST", uri, Some(notice.clone()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let audit = api
        .call_as(
            "reader",
            "GET",
            "/v1/products/payments.transactions/audit",
            None,
        )
        .await
        .body;
    assert_eq!(audit[2]["actor"], "payments-pipeline");

    // The token's `exp` is 10,000,000 s; the registry's clock, not the machine's, says when.
    clock.set(10_000_100 * 1000);
    let reply = api.call_as("payments-idp", "GET", "/subjects", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert_eq!(
        reply.body["message"],
        "credentials not accepted: the token has expired"
    );
}

#[tokio::test]
async fn with_anonymous_read_a_request_without_credentials_reads_but_never_writes() {
    let (_, digest) = new_token().unwrap();
    let file = format!(
        "anonymous: read\nprincipals:\n  - {{name: ci, token: \"{digest}\", roles: [publisher], domains: [payments]}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, Arc::new(FixedClock::new(0))).unwrap();
    let state = AppState::new(Arc::new(registry)).with_auth(Auth::On(Arc::new(
        Principals::parse(&file, std::path::Path::new(".")).unwrap(),
    )));
    let api = Api {
        router: router(state),
        _dir: dir,
    };
    assert_eq!(
        api.call("GET", "/subjects", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.call(
            "POST",
            "/compatibility/subjects/s/versions",
            Some(json!({"schema": V1}))
        )
        .await
        .status,
        StatusCode::OK,
        "a check is a read"
    );
    let reply = api.register("payments.s-value", V1).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert_eq!(api.call("GET", "/subjects", None).await.body, json!([]));
}

#[tokio::test]
async fn repeated_failed_logins_from_one_address_wait_a_cool_down() {
    let clock = Arc::new(FixedClock::new(0));
    let api = world_at(clock.clone()).await;
    let from = |address: &str, user_info: &str| {
        let mut request = Request::get("/subjects")
            .header(
                header::AUTHORIZATION,
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(user_info)
                ),
            )
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(crate::api::auth::ClientAddr(address.parse().unwrap()));
        request
    };
    let right = "analytics:reader-secret";
    for _ in 0..6 {
        let reply = api.send(from("192.0.2.1", "analytics:guess")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    // Now even the right password waits; another address does not.
    let response = api
        .router
        .clone()
        .oneshot(from("192.0.2.1", right))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(
        api.send(from("192.0.2.2", right)).await.status,
        StatusCode::OK
    );
    clock.set(1_000);
    assert_eq!(
        api.send(from("192.0.2.1", right)).await.status,
        StatusCode::OK
    );
    // The success cleared the address: a wrong password is a plain 401 again.
    assert_eq!(
        api.send(from("192.0.2.1", "analytics:guess")).await.status,
        StatusCode::UNAUTHORIZED
    );
}
