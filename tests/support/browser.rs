//! A real headless Chromium for tests and benchmarks (Debian's `chromium`, driven over WebDriver
//! by Debian's `chromedriver`; `scripts/setup-tests.sh` installs both, and axe-core). Included
//! by path by the integration tests and the web UI's benchmark.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// A chromedriver on a free port, and one headless Chromium session through it.
pub struct Browser {
    driver: Child,
    session: String,
    agent: ureq::Agent,
}

impl Browser {
    pub fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (scripts/setup-tests.sh installs chromium-driver)");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut args = vec![
            "--headless=new",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ];
        // Chromium's sandbox refuses to run as root, as the tests do in CI.
        if unsafe { libc::geteuid() } == 0 {
            args.push("--no-sandbox");
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium(), "args": args}
        }}});
        let mut browser = Browser {
            driver,
            session: format!("{base}/session"),
            agent,
        };
        let created = browser.command("POST", "", Some(capabilities));
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"));
        browser.session = format!("{base}/session/{id}");
        browser
    }

    /// One WebDriver command; its `value`.
    pub fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let mut reply = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        }
        .unwrap();
        let answer: Value = reply.body_mut().read_json().unwrap();
        let value = answer["value"].clone();
        if path.is_empty() && method == "POST" {
            return value;
        }
        assert!(
            value.get("error").is_none(),
            "{method} {path}: {}",
            value["message"]
        );
        value
    }

    pub fn go(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn run(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    pub fn text(&self, selector: &str) -> String {
        self.run(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText).join('\\n')",
            json!([selector]),
        )
        .as_str()
        .unwrap()
        .to_string()
    }

    pub fn count(&self, selector: &str) -> u64 {
        self.run(
            "return [...document.querySelectorAll(arguments[0])].filter(e => !e.closest('[hidden]')).length",
            json!([selector]),
        )
        .as_u64()
        .unwrap()
    }

    /// The WebDriver id of the first element `selector` finds.
    fn element(&self, selector: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    }

    /// Types into the field `selector` as a user does, key by key.
    pub fn type_into(&self, selector: &str, text: &str) {
        let element = self.element(selector);
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Clicks the element `selector`.
    pub fn click(&self, selector: &str) {
        let element = self.element(selector);
        self.command("POST", &format!("/element/{element}/click"), None);
    }

    /// Waits until the heading reads `heading` (a page loaded after a click), for 10 s at most.
    pub fn wait_for_heading(&self, heading: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.text("h1").contains(heading) {
            assert!(
                Instant::now() < deadline,
                "no page with the heading `{heading}`: {}",
                self.text("h1")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Follows the first link whose text is `label` and waits for the next page.
    pub fn follow(&self, label: &str) {
        let href = self.run(
            "const a = [...document.querySelectorAll('a')].find(a => a.innerText.trim() === arguments[0]); return a ? a.href : null",
            json!([label]),
        );
        let href = href.as_str().unwrap_or_else(|| panic!("no link `{label}`"));
        self.go(href);
    }

    /// Writes the window as `dir/NAME.png`.
    pub fn screenshot(&self, dir: &Path, name: &str) {
        let png = self.command("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// axe-core's serious and critical violations on the page, as `rule: selector` lines.
    pub fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(axe_core()).unwrap();
        self.run(&axe, json!([]));
        let result = self.command(
            "POST",
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1]; axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: 'axe failed', impact: 'critical', nodes: [{target: [String(e)]}]}]));",
                "args": [],
            })),
        );
        result
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .flat_map(|v| {
                v["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |n| format!("{}: {} ({})", v["id"], n["target"], v["help"]))
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.session).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn chromium() -> String {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .unwrap_or("chromium")
        .to_string()
}

fn axe_core() -> PathBuf {
    let dir = std::env::var_os("ACCORD_AXE_DIR").map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/accord/axe-core"),
        PathBuf::from,
    );
    let file = dir.join("node_modules/axe-core/axe.min.js");
    assert!(
        file.is_file(),
        "{} is missing: scripts/setup-tests.sh installs axe-core",
        file.display()
    );
    file
}
