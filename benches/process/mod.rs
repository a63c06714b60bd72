//! Running servers as processes, for the benchmarks that measure the real binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts a server that prints `... listening on URL` first; returns it and the URL.
pub fn spawn(command: &mut Command) -> (Child, String) {
    let mut child = command
        .env("ACCORD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("a listening line")
        .to_string();
    (child, url)
}

/// Stops a server as an orchestrator does, with SIGTERM, and waits for it.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
