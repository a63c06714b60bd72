//! `accord serve` as a process: the real binary on port 0, RocksDB in a temp dir, HTTP over
//! loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

pub struct Server {
    child: Child,
    pub address: String,
    /// `http://ADDRESS`, or `https://ADDRESS` for a server started with TLS.
    pub url: String,
}

impl Server {
    pub fn start(data_dir: &std::path::Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    pub fn start_with(data_dir: &std::path::Path, options: &[&str]) -> Server {
        Server::start_in(data_dir, options, &crate::root())
    }

    /// A server whose relative paths (in `options`) are relative to `cwd`.
    pub fn start_in(data_dir: &std::path::Path, options: &[&str], cwd: &std::path::Path) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .current_dir(cwd)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(options);
        // A README example may name its own data dir (relative to `cwd`).
        if !options.contains(&"--data-dir") && !options.contains(&"--store") {
            command.arg("--data-dir").arg(data_dir);
        }
        let mut child = command
            .env("ACCORD_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("accord serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("accord listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        let address = url.split_once("://").unwrap().1.to_string();
        Server {
            child,
            address,
            url,
        }
    }

    /// One HTTP/1.1 request; the status and the JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    pub fn register(&self, subject: &str, fields: &str) -> (u16, Value) {
        let schema = format!(r#"{{"type":"record","name":"Order","fields":[{fields}]}}"#);
        self.call(
            "POST",
            &format!("/subjects/{subject}/versions"),
            Some(json!({"schema": schema})),
        )
    }
}

/// Starts `accord serve` on a data dir it must refuse: its exit status and what it printed. A
/// start that serves instead fails the test after 30 s rather than hanging it.
pub fn refused_start(data_dir: &std::path::Path) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        done.send((child.wait().unwrap(), text))
    });
    exited
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server refuses to start instead of serving")
}

impl Server {
    /// Sends SIGTERM, as an orchestrator stopping the service does.
    fn terminate(&self) {
        self.signal("-TERM");
    }

    /// Sends SIGKILL: the process ends at once, in the middle of whatever it was doing.
    pub fn kill(&self) {
        self.signal("-KILL");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_the_api_over_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    assert_eq!(server.call("GET", "/health", None).0, 200);
    assert_eq!(server.call("GET", "/ready", None).0, 200);
    assert_eq!(
        server.register("orders-value", r#"{"name":"id","type":"long"}"#),
        (200, json!({"id": 1}))
    );
    let (status, body) = server.register(
        "orders-value",
        r#"{"name":"id","type":"long"},{"name":"c","type":"string"}"#,
    );
    assert_eq!((status, body["error_code"].clone()), (409, json!(409)));
    let (status, body) = server.call("GET", "/subjects/orders-value/versions/latest", None);
    assert_eq!((status, body["id"].clone()), (200, json!(1)));
}

#[test]
fn acknowledged_registrations_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged = Vec::new();
    {
        let server = Server::start(dir.path());
        for n in 0..20 {
            let fields: Vec<String> = (0..=n)
                .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
                .collect();
            let subject = format!("s{}", n % 3);
            let (status, body) = server.register(&subject, &fields.join(","));
            assert_eq!(status, 200, "{body}");
            acknowledged.push((subject, body["id"].as_u64().unwrap()));
        }
        // Drop kills the process with SIGKILL: no shutdown, no flush beyond what was synced.
    }
    let server = Server::start(dir.path());
    for (subject, id) in &acknowledged {
        let (status, body) = server.call("GET", &format!("/schemas/ids/{id}"), None);
        assert_eq!(status, 200, "id {id} lost: {body}");
        let (_, versions) = server.call("GET", &format!("/schemas/ids/{id}/versions"), None);
        assert!(
            versions
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["subject"] == json!(subject)),
            "{versions}"
        );
    }
    let (_, versions) = server.call("GET", "/subjects/s0/versions", None);
    assert_eq!(versions, json!([1, 2, 3, 4, 5, 6, 7]));
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    server.register("s", r#"{"name":"id","type":"long"}"#);
    server.terminate();
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    // The data dir opens again (RocksDB's lock was released).
    let server = Server::start(dir.path());
    assert_eq!(server.call("GET", "/subjects", None).1, json!(["s"]));
}

/// Issue 11, item 6: a client that sent half a request held a graceful shutdown forever.
#[test]
fn sigterm_stops_the_server_even_with_half_a_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(dir.path(), &["--shutdown-timeout", "0"]);
    server.register("s", r#"{"name":"id","type":"long"}"#);
    let mut half = TcpStream::connect(&server.address).unwrap();
    write!(
        half,
        "POST /subjects/t/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{{\"sch"
    )
    .unwrap();
    half.flush().unwrap();
    // The request has reached the server once another one on a second connection is answered.
    assert_eq!(server.call("GET", "/health", None).0, 200);
    server.terminate();
    // Waited for on another thread, so that a hang fails the test instead of stalling it.
    let mut child = std::mem::replace(&mut server.child, Command::new("true").spawn().unwrap());
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait().unwrap()));
    let status = exited
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the server stops despite the half-sent request");
    assert!(status.success(), "exit status {status}");
    drop(half);
    // Nothing acknowledged was lost, and the data dir opens again.
    let server = Server::start(dir.path());
    assert_eq!(server.call("GET", "/subjects", None).1, json!(["s"]));
}

/// Issue 11, item 15: a second server on the same data dir printed RocksDB's lock error twice.
#[test]
fn a_second_server_on_a_data_dir_is_refused_saying_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Server::start(dir.path());
    let (status, message) = refused_start(dir.path());
    assert_eq!(status.code(), Some(2), "{message}");
    assert_eq!(
        message.matches("in use by another process").count(),
        1,
        "{message}"
    );
}

/// Issue 11, item 15: what hyper refuses before the API sees it (more than 100 headers, a URL
/// over 64 KiB, a control character in a header) was answered with an empty body.
#[test]
fn requests_hyper_refuses_are_answered_in_the_json_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let many_headers: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let long_url = format!("/subjects/{}", "a".repeat(70_000));
    let cases = [
        (
            format!("GET /subjects HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n"),
            431,
        ),
        (format!("GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n"), 414),
        (
            "GET /subjects HTTP/1.1\r\nHost: x\r\nX-Accord-Actor: a\x01b\r\n\r\n".to_string(),
            400,
        ),
    ];
    for (request, expected) in cases {
        let mut stream = TcpStream::connect(&server.address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(head.starts_with(&format!("HTTP/1.1 {expected} ")), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
        assert_eq!(body["error_code"], expected, "{body}");
        assert!(body["message"].as_str().unwrap().len() > 20, "{body}");
    }
    // The server goes on serving.
    assert_eq!(server.call("GET", "/health", None).0, 200);
}

/// Issue 11, item 15: a start refused for a busy port still created the data dir.
#[test]
fn a_start_refused_for_a_busy_port_leaves_no_data_dir() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--listen", &busy.local_addr().unwrap().to_string()])
        .arg("--data-dir")
        .arg(&data_dir)
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("cannot listen on"), "{message}");
    assert!(!data_dir.exists(), "the data dir was created");
}

/// Issue 11, item 5: idle connections were kept forever, until the server ran out of
/// descriptors and every request (and `/health`) timed out.
#[test]
fn an_idle_or_slow_connection_is_let_go_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--header-timeout", "1"]);
    let mut idle = TcpStream::connect(&server.address).unwrap();
    let mut slow = TcpStream::connect(&server.address).unwrap();
    write!(slow, "GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
    for stream in [&mut idle, &mut slow] {
        // Blocks until the server closes the connection; a server that keeps it fails here.
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let mut buffer = Vec::new();
        let read = stream.read_to_end(&mut buffer);
        assert!(read.is_ok(), "the server kept the connection: {read:?}");
    }
    assert_eq!(server.call("GET", "/health", None).0, 200);
}

#[test]
fn concurrent_registrations_over_http_stay_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let fields = |n: usize| -> String {
        (0..n)
            .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    std::thread::scope(|scope| {
        for t in 0..8 {
            let server = &server;
            scope.spawn(move || {
                for n in 1..=6 {
                    let (status, body) = server.register("shared", &fields(n));
                    assert_eq!(status, 200, "{body}");
                    let own = format!(
                        r#"{},{{"name":"t{t}","type":"int","default":{t}}}"#,
                        fields(n)
                    );
                    let (status, body) = server.register(&format!("own-{t}"), &own);
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    let mut ids = std::collections::HashSet::new();
    let (_, subjects) = server.call("GET", "/subjects", None);
    for subject in subjects.as_array().unwrap() {
        let subject = subject.as_str().unwrap();
        let (_, versions) = server.call("GET", &format!("/subjects/{subject}/versions"), None);
        let versions: Vec<u64> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(
            versions,
            (1..=versions.len() as u64).collect::<Vec<_>>(),
            "{subject}: gapless"
        );
        let mut previous: Option<String> = None;
        for v in versions {
            let (_, found) = server.call("GET", &format!("/subjects/{subject}/versions/{v}"), None);
            if subject.starts_with("own") {
                assert!(ids.insert(found["id"].as_u64().unwrap()), "id reused");
            }
            let schema = found["schema"].as_str().unwrap().to_string();
            if let Some(before) = previous {
                // Each version reads the data of the one before it (the subject's BACKWARD level).
                let old = accord::avro::parse(&before).unwrap();
                let new = accord::avro::parse(&schema).unwrap();
                assert!(
                    accord::compat::check(&old, &new).is_empty(),
                    "{subject} v{v}"
                );
            }
            previous = Some(schema);
        }
    }
}

/// A small tmpfs, mounted for one test and let go after it: a disk that can really be full.
struct SmallVolume {
    dir: tempfile::TempDir,
}

impl SmallVolume {
    /// `None` where mounting is not allowed (not root); under CI, where it is, that fails.
    fn mount(megabytes: u32) -> Option<SmallVolume> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root and must be able to mount a tmpfs"
            );
            eprintln!("skipped: cannot mount a tmpfs here (not root)");
            return None;
        }
        Some(SmallVolume { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for SmallVolume {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Issue 11, item 10: after the disk filled up and space was freed, every write still failed
/// until a restart, and `/ready` answered "ready" throughout.
#[test]
fn writes_resume_once_a_full_disk_has_room_and_ready_says_so_meanwhile() {
    let Some(volume) = SmallVolume::mount(32) else {
        return;
    };
    let data_dir = volume.path().join("data");
    let server = Server::start(&data_dir);
    let fields = |i: usize| -> String {
        (0..400)
            .map(|f| format!(r#"{{"name":"s{i}_field_{f}","type":"long","default":0}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(server.register("s0", &fields(0)).0, 200);

    let fill = |name: &str| {
        let mut file = std::fs::File::create(volume.path().join(name)).unwrap();
        let mut chunk = vec![0u8; 1 << 20];
        while chunk.len() >= 4096 {
            if file.write_all(&chunk).is_err() {
                chunk.truncate(chunk.len() / 2);
            }
        }
        let _ = file.sync_all();
    };
    fill("filler");
    let mut acknowledged = vec!["s0".to_string()];
    let mut refused = None;
    for i in 1..200 {
        let subject = format!("s{i}");
        let (status, body) = server.register(&subject, &fields(i));
        match status {
            200 => acknowledged.push(subject),
            500 => {
                assert_eq!(body["error_code"], json!(50001), "{body}");
                refused = Some(subject);
                break;
            }
            other => panic!("{other}: {body}"),
        }
    }
    let refused = refused.expect("a write fails on the full disk");
    // Whatever RocksDB let go of after the failure (space it had reserved) is taken too.
    fill("more-filler");
    let (status, body) = server.call("GET", "/ready", None);
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("disk full"),
        "{body}"
    );
    assert_eq!(
        server.call("GET", "/health", None).0,
        200,
        "alive, only not ready"
    );

    // Room again: ready, and writes succeed without a restart.
    for name in ["filler", "more-filler"] {
        std::fs::remove_file(volume.path().join(name)).unwrap();
    }
    assert_eq!(server.call("GET", "/ready", None).0, 200);
    assert_eq!(server.register(&refused, &fields(999)).0, 200);
    acknowledged.push(refused);

    // Everything acknowledged is kept, across a restart too.
    let listed = |server: &Server| {
        let mut subjects: Vec<String> =
            serde_json::from_value(server.call("GET", "/subjects", None).1).unwrap();
        subjects.sort();
        subjects
    };
    acknowledged.sort();
    assert_eq!(listed(&server), acknowledged);
    server.terminate();
    drop(server);
    assert_eq!(listed(&Server::start(&data_dir)), acknowledged);
}
