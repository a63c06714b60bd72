//! Consumers and impact on a real server: who reads a product at which major, what a new
//! major would leave behind (directly and downstream through a consumer that is a product),
//! migration, and access control by the consumer's own domain.

use serde_json::{Value, json};

use crate::contracts::{accord, accord_as};
use crate::server::Server;

/// A product `analytics.orders` (domain analytics) of its own, published at 1.0.0, in `dir`.
fn analytics_product(dir: &std::path::Path) -> String {
    std::fs::write(
        dir.join("orders.avsc"),
        r#"{"type":"record","name":"Orders","fields":[{"name":"day","type":"string"}]}"#,
    )
    .unwrap();
    let manifest = dir.join("analytics-orders.yaml");
    std::fs::write(
        &manifest,
        "name: analytics.orders\ndomain: analytics\nowner: analytics-team\nversion: 1.0.0\nschemas:\n  - subject: analytics.orders-value\n    file: orders.avsc\n",
    )
    .unwrap();
    manifest.to_str().unwrap().to_string()
}

fn add(server: &Server, product: &str, consumer: &str, body: Value) -> (u16, Value) {
    server.call(
        "PUT",
        &format!("/v1/products/{product}/consumers/{consumer}"),
        Some(body),
    )
}

#[test]
fn a_new_major_shows_every_consumer_it_leaves_behind_until_they_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    for manifest in [
        "testdata/products/payments/transactions-1.0.0.yaml".to_string(),
        analytics_product(dir.path()),
    ] {
        let (code, out, err) = accord(Some(&server), &["product", "publish", &manifest]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let payments = "payments.transactions";
    for (consumer, domain, contact, as_product) in [
        ("finance.revenue-report", "finance", "#finance-data", None),
        ("ml.fraud-features", "ml", "ml-platform@company.com", None),
        (
            "analytics.orders",
            "analytics",
            "#analytics",
            Some("analytics.orders"),
        ),
    ] {
        let (status, body) = add(
            &server,
            payments,
            consumer,
            json!({"major": 1, "domain": domain, "contact": contact, "as_product": as_product}),
        );
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = add(
        &server,
        "analytics.orders",
        "exec.dashboard",
        json!({"major": 1, "domain": "exec", "contact": "#exec-bi"}),
    );
    assert_eq!(status, 200, "{body}");
    // A major the product never published is refused, naming the ones it has.
    let (status, body) = add(
        &server,
        payments,
        "late.reader",
        json!({"major": 3, "domain": "late", "contact": "#late"}),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("has no major 3; its majors: 1"),
        "{body}"
    );

    let (status, impact) = server.call(
        "GET",
        "/v1/products/payments.transactions/impact?version=2.0.0",
        None,
    );
    assert_eq!(status, 200, "{impact}");
    assert_eq!(impact["deprecates"], json!([1]));
    let affected: Vec<(&str, u64)> = impact["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["consumer"].as_str().unwrap(),
                a["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        affected,
        [
            ("analytics.orders", 1),
            ("finance.revenue-report", 1),
            ("ml.fraud-features", 1),
            ("exec.dashboard", 2)
        ]
    );
    assert_eq!(impact["downstream"], json!(["analytics.orders"]));
    assert_eq!(impact["downstream_count"], 1);
    // A minor deprecates nothing.
    let (_, minor) = server.call(
        "GET",
        "/v1/products/payments.transactions/impact?version=1.1.0",
        None,
    );
    assert_eq!(minor["affected"], json!([]));

    let (code, out, _) = accord(
        Some(&server),
        &[
            "product",
            "check",
            "testdata/products/payments/transactions-2.0.0.yaml",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("breaks 3 consumers on major 1:"), "{out}");
    assert!(
        out.contains("  exec.dashboard (major 1, #exec-bi), downstream through analytics.orders"),
        "{out}"
    );

    // Two consumers move (to major 1 again here: major 2 does not exist yet, so they are
    // refused), then the impact lists who is left.
    let (code, _, err) = accord(
        Some(&server),
        &[
            "consumer",
            "migrate",
            payments,
            "finance.revenue-report",
            "--major",
            "2",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("has no major 2"), "{err}");
    let (code, out, err) = accord(
        Some(&server),
        &["consumer", "remove", payments, "ml.fraud-features"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "removed consumer of payments.transactions: ml.fraud-features (ml) on major 1"
        ),
        "{out}"
    );
    let (code, out, _) = accord(Some(&server), &["consumer", "list", payments]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "analytics.orders (analytics) on major 1, #analytics, the product analytics.orders\nfinance.revenue-report (finance) on major 1, #finance-data\n"
    );
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "impact",
            "testdata/products/payments/transactions-2.0.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "payments.transactions 2.0.0 deprecates major 1\naffected consumers (3):\n  analytics.orders on major 1 (#analytics)\n  finance.revenue-report on major 1 (#finance-data)\n  exec.dashboard on major 1 (#exec-bi), downstream through analytics.orders (depth 2)\ndownstream (1): analytics.orders\n"
    );
}

#[test]
fn a_consumer_registers_under_its_own_domain() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        &dir.path().join("data"),
        &["--auth", "testdata/auth/principals.yaml"],
    );
    let token =
        std::fs::read_to_string(crate::root().join("testdata/auth/payments-ci.token")).unwrap();
    let as_payments =
        |args: &[&str]| accord_as(Some(&server), &[("ACCORD_TOKEN", token.trim())], args);
    let (code, out, err) = as_payments(&[
        "product",
        "publish",
        "testdata/products/payments/transactions-1.0.0.yaml",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // payments-ci publishes for payments: it may register a payments consumer, not a finance one.
    let (code, _, err) = as_payments(&[
        "consumer",
        "add",
        "payments.transactions",
        "payments.ledger",
        "--major",
        "1",
        "--domain",
        "payments",
        "--contact",
        "#payments-eng",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_payments(&[
        "consumer",
        "add",
        "payments.transactions",
        "finance.report",
        "--major",
        "1",
        "--domain",
        "finance",
        "--contact",
        "#finance",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("may not register or change consumers of domain `finance`"),
        "{err}"
    );
    // Readers see who reads the product.
    let (code, out, err) = accord_as(
        Some(&server),
        &[("ACCORD_USER_INFO", "analytics:analytics-example-password")],
        &["consumer", "list", "payments.transactions"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "payments.ledger (payments) on major 1, #payments-eng\n"
    );
}

#[test]
fn a_product_s_input_ports_register_it_as_a_consumer_and_move_it_with_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            "testdata/products/payments/transactions-1.0.0.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let analytics = analytics_product(dir.path());
    let with_port = |version: &str, port: &str| {
        let text = std::fs::read_to_string(&analytics)
            .unwrap()
            .replace("version: 1.0.0", &format!("version: {version}"));
        let path = dir.path().join(format!("analytics-{version}.yaml"));
        std::fs::write(&path, format!("{text}input_ports: [{port}]\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    // A port to a major that does not exist refuses the publication, and changes nothing.
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            &with_port("1.0.0", "payments.transactions@2"),
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("input port `payments.transactions` (major 2): `payments.transactions` has published no major 2"), "{err}");
    let (status, _) = server.call("GET", "/v1/products/analytics.orders/versions/1.0.0", None);
    assert_eq!(status, 404, "a refused publication stores no version");
    let (code, out, err) = accord(
        Some(&server),
        &[
            "product",
            "publish",
            &with_port("1.0.0", "payments.transactions@1"),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, consumers) = server.call("GET", "/v1/products/payments.transactions/consumers", None);
    assert_eq!(consumers[0]["name"], "analytics.orders", "{consumers}");
    assert_eq!(consumers[0]["as_product"], "analytics.orders");
    assert_eq!(consumers[0]["major"], 1);
    assert_eq!(consumers[0]["contact"], "analytics-team");
    let (_, impact) = server.call(
        "GET",
        "/v1/products/payments.transactions/impact?version=2.0.0",
        None,
    );
    assert_eq!(
        impact["downstream"],
        json!(["analytics.orders"]),
        "{impact}"
    );
    let (_, impact) = server.call(
        "GET",
        "/v1/products/analytics.orders/impact?version=2.0.0",
        None,
    );
    assert_eq!(
        impact["upstream"],
        json!(["payments.transactions"]),
        "{impact}"
    );
    // Its manifest dropping the port removes the registration.
    let (code, out, err) = accord(
        Some(&server),
        &["product", "publish", &with_port("1.0.1", "")],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, consumers) = server.call("GET", "/v1/products/payments.transactions/consumers", None);
    assert_eq!(consumers, json!([]));
}

/// A webhook receiver on loopback that answers 200 to each of `count` requests and hands
/// their bodies out.
pub fn receiver(count: usize) -> (String, std::sync::mpsc::Receiver<Value>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..count {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            write!(
                reader.into_inner(),
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let _ = sender.send(serde_json::from_slice(&body).unwrap());
        }
    });
    (url, received)
}

/// The decision is committed with its delivery; the server is killed before its webhook
/// thread runs again (it polls hourly here); the next start delivers it.
#[test]
fn a_sigkill_between_a_notice_and_its_delivery_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (url, received) = receiver(1);
    {
        let server = Server::start_with(&data, &["--webhook-poll-ms", "3600000"]);
        let (code, out, err) = accord(
            Some(&server),
            &[
                "product",
                "publish",
                "testdata/products/payments/transactions-1.0.0.yaml",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        let (status, body) = add(
            &server,
            "payments.transactions",
            "finance.report",
            json!({"major": 1, "domain": "finance", "contact": "#finance", "webhook": url}),
        );
        assert_eq!(status, 200, "{body}");
        let (code, out, err) = accord(
            Some(&server),
            &[
                "notice",
                "announce",
                "payments.transactions",
                "--major",
                "2",
                "--summary",
                "amount in cents",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            received.try_recv().is_err(),
            "delivered before the kill: the test proves nothing"
        );
        // Drop kills the process with SIGKILL.
    }
    let server = Server::start(&data);
    let event = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the restarted server delivers the pending event");
    assert_eq!(event["type"], "notice.announced");
    assert_eq!(event["consumer"], "finance.report");
    let (_, feed) = server.call("GET", "/v1/consumers/finance.report/events", None);
    assert_eq!(feed.as_array().unwrap().len(), 1, "{feed}");
    let (status, atom) = server.call("GET", "/v1/notices.atom", None);
    assert_eq!(status, 200);
    assert_eq!(atom, Value::Null, "not JSON: an Atom document");
}
