//! TLS end to end: `accord serve --tls-cert --tls-key` with a certificate made at run time, and
//! the CLI trusting it with `--ca-cert`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::Server;

/// A self-signed certificate for `localhost` and 127.0.0.1, and its key, as PEM files in `dir`.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = dir.join("server.crt");
    let key = dir.join("server.key");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

fn accord(registry: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env("ACCORD_REGISTRY", registry)
        .env_remove("ACCORD_CA_CERT")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn tls_server(dir: &Path, extra: &[&str]) -> (Server, PathBuf) {
    let (cert, key) = certificate(dir);
    let data = dir.join("data");
    let mut options = vec![
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    options.extend_from_slice(extra);
    (Server::start_with(&data, &options), cert)
}

#[test]
fn the_cli_registers_and_reads_over_https_trusting_the_certificate_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let (server, cert) = tls_server(dir.path(), &[]);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let ca = cert.to_str().unwrap();
    let schema = crate::root().join("testdata/examples/orders-v1.avsc");
    let (code, out, err) = accord(
        &server.url,
        &[
            "register",
            "orders-value",
            schema.to_str().unwrap(),
            "--ca-cert",
            ca,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("id 1"), "{out}");
    let (code, out, err) = accord(&server.url, &["subjects", "--ca-cert", ca]);
    assert_eq!((code, out.as_str()), (0, "orders-value\n"), "{err}");
    // By name, as the certificate names it.
    let by_name = server.url.replace("127.0.0.1", "localhost");
    let (code, out, err) = accord(&by_name, &["versions", "orders-value", "--ca-cert", ca]);
    assert_eq!((code, out.as_str()), (0, "1\n"), "{err}");
}

#[test]
fn a_certificate_the_cli_does_not_trust_is_refused_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = tls_server(dir.path(), &[]);
    let (code, out, err) = accord(&server.url, &["subjects"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("cannot reach the registry"), "{err}");
    assert!(err.contains("certificate"), "{err}");
    assert!(
        err.contains("--ca-cert"),
        "the message says how to fix it: {err}"
    );

    // Another certificate than the server's.
    let other = tempfile::tempdir().unwrap();
    let (other_cert, _) = certificate(other.path());
    let (code, _, err) = accord(
        &server.url,
        &["subjects", "--ca-cert", other_cert.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("certificate"), "{err}");

    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let (code, _, err) = accord(
        &server.url,
        &["subjects", "--ca-cert", not_pem.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no PEM certificate"), "{err}");
}

#[test]
fn plain_http_to_the_https_port_is_told_to_use_https_in_the_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = tls_server(dir.path(), &[]);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "GET /subjects HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.address
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["error_code"], 400);
    assert!(
        body["message"].as_str().unwrap().contains("https://"),
        "{body}"
    );

    // The CLI, given the http:// URL, says the same.
    let plain = format!("http://{}", server.address);
    let (code, _, err) = accord(&plain, &["subjects"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("this server speaks HTTPS"), "{err}");
}

#[test]
fn access_control_over_https_takes_credentials_as_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let principals = crate::root().join("testdata/auth/principals.yaml");
    let (server, cert) = tls_server(dir.path(), &["--auth", principals.to_str().unwrap()]);
    let ca = cert.to_str().unwrap();
    let (code, _, err) = accord(&server.url, &["subjects", "--ca-cert", ca]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("40101"), "{err}");
    let (code, out, err) = accord(
        &server.url,
        &[
            "subjects",
            "--ca-cert",
            ca,
            "--user-info",
            "analytics:analytics-example-password",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn serve_refuses_a_missing_certificate_or_a_key_that_is_not_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = certificate(dir.path());
    let other = tempfile::tempdir().unwrap();
    let (_, other_key) = certificate(other.path());
    let data = dir.path().join("data");
    let serve = |cert: &Path, key: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, err) = serve(&dir.path().join("missing.crt"), &other_key);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot read the TLS certificate") && err.contains("missing.crt"),
        "{err}"
    );
    let (code, err) = serve(&cert, &other_key);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("does not fit the certificate"), "{err}");
    assert!(!data.exists(), "a refused start creates no data dir");
}
