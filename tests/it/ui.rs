//! The web UI in a real headless Chromium (Debian's `chromium`, driven over WebDriver by
//! Debian's `chromedriver`): each page loads with a scenario's data, the diff shows its
//! findings, search filters, links resolve, access control turns an anonymous browser away, and
//! axe-core (from npm, injected into each page) finds no serious accessibility violation.
//! Screenshots of the main pages go to `docs/screenshots/`, for the README and for review.

use base64::Engine;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::contracts::accord;
use crate::server::Server;

/// Where the screenshots go: beside the README that shows them.
fn screenshots() -> std::path::PathBuf {
    crate::root().join("docs/screenshots")
}

/// Subjects with several versions (one of them breaking at BACKWARD), and a data product
/// through a major change with consumers still on the old major and a notice of the next.
fn scenario(server: &Server) {
    let record = |fields: &str| {
        format!(r#"{{"type":"record","name":"Click","namespace":"web","fields":[{fields}]}}"#)
    };
    server.call(
        "PUT",
        "/config/clicks-value",
        Some(json!({"compatibility": "NONE"})),
    );
    for fields in [
        r#"{"name":"page","type":"string"},{"name":"user","type":"string"}"#,
        r#"{"name":"page","type":"string"},{"name":"user","type":"string"},{"name":"ms","type":"long","default":0}"#,
        r#"{"name":"page","type":"string"},{"name":"user","type":"long"},{"name":"ms","type":"long","default":0},{"name":"ref","type":"string"}"#,
    ] {
        let (status, body) = server.call(
            "POST",
            "/subjects/clicks-value/versions",
            Some(json!({ "schema": record(fields) })),
        );
        assert_eq!(status, 200, "{body}");
    }
    for subject in ["sessions-value", "carts-value"] {
        assert_eq!(
            server
                .register(subject, r#"{"name":"id","type":"string"}"#)
                .0,
            200
        );
    }
    for args in crate::scenario::PRODUCT_THROUGH_A_MAJOR {
        let (code, out, err) = accord(Some(server), args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    // Consumers still on the deprecated major.
    for (consumer, domain) in [("fraud-scoring", "risk"), ("ledger", "finance")] {
        let request = json!({"major": 1, "domain": domain, "contact": format!("#{consumer}")});
        let (status, body) = server.call(
            "PUT",
            &format!("/v1/products/shop.orders/consumers/{consumer}"),
            Some(request),
        );
        assert_eq!(status, 200, "{body}");
    }
}

#[test]
fn the_web_ui_shows_subjects_diffs_products_notices_and_rules_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    scenario(&server);
    let browser = Browser::start();
    let url = |path: &str| format!("{}{path}", server.url);
    let mut violations = Vec::new();
    let mut check = |name: &str| {
        violations.extend(
            browser
                .accessibility_violations()
                .into_iter()
                .map(|v| format!("{name}: {v}")),
        );
    };

    // A browser at the root is sent to the UI: the subjects, searchable.
    browser.go(&url("/"));
    assert_eq!(browser.text("h1"), "Subjects");
    assert_eq!(browser.count("#subjects tbody tr"), 4);
    browser.screenshot(&screenshots(), "subjects");
    check("subjects");
    browser.type_into("#q", "orders");
    assert_eq!(browser.count("#subjects tbody tr"), 1);
    assert!(
        browser
            .text("#subjects tbody")
            .contains("shop.orders-value")
    );
    assert!(browser.text(".filter-status").contains("1 of 4"));

    // A subject's versions, then a version's schema.
    browser.go(&url("/ui/"));
    browser.follow("clicks-value");
    assert_eq!(browser.text("h1"), "clicks-value");
    assert_eq!(browser.count("tbody tr"), 3);
    check("subject");
    // A dry run from a subject's page (at BACKWARD): a breaking schema, judged, not stored.
    browser.go(&url("/ui/subjects/sessions-value"));
    let breaking = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"}]}"#;
    browser.run(
        "document.getElementById('schema').value = arguments[0]",
        json!([breaking]),
    );
    browser.click("form[method=post] button[type=submit]");
    browser.wait_for_heading("checked against version 1");
    assert!(
        browser.text(".verdict").starts_with("Incompatible"),
        "{}",
        browser.text(".verdict")
    );
    assert!(browser.text("main").contains("nothing was stored"));
    check("dry run");
    browser.go(&url("/ui/subjects/sessions-value"));
    assert_eq!(browser.count("tbody tr"), 1);
    browser.go(&url("/ui/subjects/clicks-value"));
    browser.follow("version 2");
    assert_eq!(browser.text("h1"), "clicks-value, version 2");
    assert!(browser.text("pre.schema").contains("\"ms\""));
    check("version");

    // The diff of versions 1 and 3 at BACKWARD: each finding under its element, its rule linked.
    browser.go(&url(
        "/ui/subjects/clicks-value/diff?from=1&to=3&level=BACKWARD",
    ));
    assert!(
        browser.text(".verdict").starts_with("Incompatible"),
        "{}",
        browser.text(".verdict")
    );
    let notes = browser.text("li.note");
    assert!(notes.contains("breaks backward"), "{notes}");
    assert!(browser.count("li.note a.rule") >= 2, "{notes}");
    browser.screenshot(&screenshots(), "diff");
    check("diff");
    let rule = browser.text("li.note a.rule");
    let first = rule.lines().next().unwrap().to_string();
    browser.follow(&first);
    assert!(browser.text("h1").starts_with(&first));
    check("rule");

    // The products' catalog, searched by column; the product's page.
    browser.go(&url("/ui/products"));
    assert_eq!(browser.count("#products tbody tr"), 1);
    browser.type_into("#q", "no such column");
    assert_eq!(browser.count("#products tbody tr"), 0);
    browser.go(&url("/ui/products?q=shop-platform"));
    assert_eq!(browser.count("#products tbody tr"), 1);
    check("products");
    browser.follow("shop.orders");
    assert_eq!(browser.text("h1"), "shop.orders");
    let timeline = browser.text("ol.timeline");
    assert!(timeline.contains("deprecated"), "{timeline}");
    assert!(timeline.contains("days left"), "{timeline}");
    assert!(timeline.contains("active"), "{timeline}");
    let page = browser.text("main");
    assert!(page.contains("fraud-scoring is on major 1"), "{page}");
    assert!(page.contains("orders split by channel"), "{page}");
    assert!(!page.contains("secret"), "{page}");
    browser.screenshot(&screenshots(), "product");
    check("product");

    // The catalog_url the registration API hands out is the product's page, for a browser.
    browser.go(&url("/v1/data-products/shop/orders"));
    assert_eq!(browser.text("h1"), "shop.orders");

    // Notices across products, with the feed linked; the rules.
    browser.follow("Notices");
    assert!(browser.text("main").contains("orders split by channel"));
    assert_eq!(browser.count("a[href='/v1/notices.atom']"), 1);
    check("notices");
    browser.follow("Rules");
    assert!(browser.count("#rules tbody tr") > 40);
    check("rules");

    // Every link of the UI's pages resolves.
    for page in [
        "/ui/",
        "/ui/products/shop.orders",
        "/ui/subjects/clicks-value",
        "/ui/rules",
    ] {
        browser.go(&url(page));
        let links = browser.run(
            "return [...document.querySelectorAll('a[href^=\"/\"]')].map(a => a.getAttribute('href'))",
            json!([]),
        );
        for link in links.as_array().unwrap() {
            let link = link.as_str().unwrap();
            let (status, _) = server.call("GET", link, None);
            assert_eq!(status, 200, "{page} links to {link}");
        }
    }

    // A narrow screen: one column, nothing wider than the window.
    browser.command(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    browser.go(&url(
        "/ui/subjects/clicks-value/diff?from=1&to=3&level=BACKWARD",
    ));
    let overflow = browser.run(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        json!([]),
    );
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "wider than the window by {overflow}px"
    );
    browser.screenshot(&screenshots(), "diff-narrow");

    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn with_access_control_on_an_anonymous_browser_is_refused_and_a_reader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let principals = crate::root().join("testdata/auth/principals.yaml");
    let server = Server::start_with(dir.path(), &["--auth", principals.to_str().unwrap()]);
    let browser = Browser::start();
    // Anonymous: the server challenges for Basic credentials, and the browser shows no page.
    let anonymous = ureq::get(format!("{}/ui/", server.url))
        .header("Accept", "text/html,application/xhtml+xml")
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let challenge = anonymous.headers().get("www-authenticate").unwrap();
    assert!(
        challenge.to_str().unwrap().starts_with("Basic"),
        "{challenge:?}"
    );
    browser.go(&format!("{}/ui/", server.url));
    assert_ne!(browser.text("h1"), "Subjects");
    // A reader's browser sends its Basic credentials (as after the browser's own prompt) and
    // reads the pages; the credentials are in no URL and no page.
    let credentials =
        base64::engine::general_purpose::STANDARD.encode("analytics:analytics-example-password");
    let cdp = |cmd: &str, params: Value| {
        browser.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
    };
    cdp("Network.enable", json!({}));
    cdp(
        "Network.setExtraHTTPHeaders",
        json!({"headers": {"Authorization": format!("Basic {credentials}")}}),
    );
    browser.go(&format!("{}/ui/", server.url));
    assert_eq!(browser.text("h1"), "Subjects");
    assert!(
        !browser
            .run("return document.documentElement.outerHTML", json!([]))
            .as_str()
            .unwrap()
            .contains("analytics-example-password")
    );
}
