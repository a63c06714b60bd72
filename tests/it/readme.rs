//! Every `$ accord ...` example in the README runs as written and prints what the README shows.
//! An expected output ending in a `...` line only has to match its beginning.

use std::process::Command;

use crate::root;

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut examples = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let mut lines = block.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(command) = line.strip_prefix("$ accord ") else {
                panic!("console blocks hold `$ accord ...` lines and their output, found `{line}`");
            };
            let mut expected = Vec::new();
            while let Some(next) = lines.peek() {
                if next.starts_with("$ ") {
                    break;
                }
                expected.push(lines.next().unwrap());
            }
            let output = Command::new(env!("CARGO_BIN_EXE_accord"))
                .args(command.split_whitespace())
                .current_dir(root())
                .output()
                .unwrap();
            let actual = String::from_utf8(output.stdout).unwrap();
            let actual: Vec<&str> = actual.lines().collect();
            let expected_text = expected.join("\n");
            match expected.split_last() {
                Some((&"...", head)) => assert!(
                    actual.starts_with(head),
                    "`accord {command}` no longer starts with what the README shows:\n{}",
                    actual.join("\n")
                ),
                _ => assert_eq!(
                    actual.join("\n"),
                    expected_text,
                    "`accord {command}` prints something else than the README shows"
                ),
            }
            examples += 1;
        }
    }
    assert!(examples >= 5, "only {examples} README examples found");
}

/// The `sh` examples of the server and data product sections, each section against a fresh
/// server on port 0, with `accord` on the `PATH` and `ACCORD_REGISTRY` pointing at it. An
/// expected line `...` ends the comparison; a line ending in ` ...` only has to start the same.
#[test]
fn readme_server_examples_answer_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // The server each section's examples run against, started as the section says.
    let auth = ["--auth", "testdata/auth/principals.yaml"];
    for (heading, options) in [
        ("## Quickstart", &[][..]),
        ("## The registry server", &[]),
        ("## Data products", &[]),
        ("### Contracts as teams write them", &[]),
        ("## Consumers and impact", &[]),
        ("## Access control", &auth),
    ] {
        let section = section(&readme, heading);
        if !options.is_empty() {
            let serve = format!("accord serve {}", options.join(" "));
            assert!(section.contains(&serve), "{heading} shows no `{serve}`");
        }
        run_examples(first_sh_block(section), Some(options), &root());
    }
}

/// The TLS examples make a certificate and start the server themselves (`$ accord serve ... &`),
/// in a directory of their own with `testdata/` in it.
#[test]
fn readme_tls_examples_answer_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = first_sh_block(section(&readme, "### TLS"));
    assert!(
        block.contains("$ accord serve "),
        "the TLS examples start a server"
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("testdata"), dir.path().join("testdata")).unwrap();
    run_examples(block, None, dir.path());
}

/// The registration example starts its own server with access control and runs the seeds'
/// script (python3 with `requests` and `yaml`: `scripts/setup.sh` installs them).
#[test]
fn readme_registration_examples_answer_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = first_sh_block(section(
        &readme,
        "### The platform registration API and the catalog",
    ));
    run_examples(block, None, &root());
}

/// The backup examples start their own server in a directory of their own (with `testdata/`),
/// where the backup and the restored data dir go.
#[test]
fn readme_backup_examples_answer_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = first_sh_block(section(&readme, "## Backups"));
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("testdata"), dir.path().join("testdata")).unwrap();
    run_examples(block, None, dir.path());
}

/// The Confluent migration copies a second `accord serve`, standing in for Confluent's
/// registry and holding a few schemas, into the section's server.
#[test]
fn readme_confluent_migration_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = first_sh_block(section(&readme, "## Moving from Confluent"));
    let dir = tempfile::tempdir().unwrap();
    let source = crate::server::Server::start(dir.path());
    for (subject, fields) in [
        ("orders-value", r#"{"name":"id","type":"string"}"#),
        (
            "orders-value",
            r#"{"name":"id","type":"string"},{"name":"n","type":"int","default":0}"#,
        ),
        ("payments-value", r#"{"name":"id","type":"string"}"#),
    ] {
        assert_eq!(source.register(subject, fields).0, 200);
    }
    run_examples_with(block, Some(&[]), &root(), &[("CONFLUENT_URL", &source.url)]);
}

/// Two nodes over one PostgreSQL (a real one, started in a temporary directory), after the
/// data dir of a stopped server was moved into it.
#[test]
fn readme_several_nodes_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = first_sh_block(section(&readme, "## Running several nodes"));
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("accord-data");
    {
        let stopped = crate::server::Server::start(&data_dir);
        let publish = [
            "product",
            "publish",
            "testdata/products/payments/transactions-1.0.0.yaml",
        ];
        assert_eq!(crate::contracts::accord(Some(&stopped), &publish).0, 0);
    }
    let pg = crate::test_postgres::TestPostgres::start();
    run_examples_with(block, None, dir.path(), &[("ACCORD_STORE", &pg.url)]);
}

/// The text under `heading`, up to the next heading of its level or above.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let level = heading.split(' ').next().unwrap();
    let section = readme.split(heading).nth(1).expect(heading);
    let ends = ["\n## ", "\n### "];
    let ends = &ends[..level.len() - 1];
    ends.iter()
        .filter_map(|end| section.find(end))
        .min()
        .map_or(section, |at| &section[..at])
}

fn first_sh_block(section: &str) -> &str {
    section
        .split("```sh\n")
        .nth(1)
        .expect("an sh block")
        .split("```")
        .next()
        .unwrap()
}

/// Runs the `$ ...` lines of `block` in `cwd`, comparing what each prints with the lines under
/// it. The server is started before the first line with `server_options`, or by the block's
/// own `$ accord serve OPTIONS &` lines, whose expected output is the line each prints: the
/// README's first server listens on port 8081, its second on 8082, and so on.
fn run_examples(block: &str, server_options: Option<&[&str]>, cwd: &std::path::Path) {
    run_examples_with(block, server_options, cwd, &[]);
}

/// [`run_examples`] with more variables in the commands' environment.
fn run_examples_with(
    block: &str,
    server_options: Option<&[&str]>,
    cwd: &std::path::Path,
    env: &[(&str, &str)],
) {
    let dir = tempfile::tempdir().unwrap();
    let mut servers: Vec<crate::server::Server> = server_options
        .map(|options| crate::server::Server::start_with(dir.path(), options))
        .into_iter()
        .collect();
    // Each server's port, and the port the README shows for it.
    let ports = |servers: &[crate::server::Server]| -> Vec<(String, u16)> {
        servers
            .iter()
            .zip(8081..)
            .map(|(s, shown)| (s.address.rsplit(':').next().unwrap().to_string(), shown))
            .collect()
    };
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_accord"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut commands: Vec<(&str, Vec<&str>)> = Vec::new();
    let joined = block.replace("\\\n", "");
    for line in joined.lines() {
        match line.strip_prefix("$ ") {
            Some(command) => commands.push((command, Vec::new())),
            None if !line.trim().is_empty() => commands.last_mut().unwrap().1.push(line),
            None => {}
        }
    }
    assert!(commands.len() >= 3);
    for (command, expected) in commands {
        if let Some(options) = command.strip_prefix("accord serve ") {
            // `"$NAME"` stands for a variable of `env`, as the shell would expand it.
            let options: Vec<&str> = options
                .strip_suffix(" &")
                .expect("a server started in the background")
                .split_whitespace()
                .map(|option| {
                    let name = option.trim_matches('"').strip_prefix('$');
                    name.and_then(|name| env.iter().find(|(n, _)| *n == name))
                        .map_or(option, |(_, value)| *value)
                })
                .collect();
            let started = crate::server::Server::start_in(dir.path(), &options, cwd);
            let port = started.address.rsplit(':').next().unwrap();
            let shown = 8081 + servers.len();
            assert_eq!(
                expected,
                [format!(
                    "accord listening on {}",
                    started.url.replace(port, &shown.to_string())
                )
                .as_str()],
                "`{command}` prints something else than the README shows"
            );
            servers.push(started);
            continue;
        }
        // Before the block's own server starts, commands run without one (making its
        // certificate, say).
        let mut run = Command::new("bash");
        let mut command = command.to_string();
        for (port, shown) in ports(&servers) {
            command = command
                .replace(&format!("127.0.0.1:{shown}"), &format!("127.0.0.1:{port}"))
                .replace(&format!("localhost:{shown}"), &format!("localhost:{port}"));
        }
        if let Some(server) = servers.first() {
            run.env("ACCORD_REGISTRY", &server.url);
        }
        for (name, value) in env {
            run.env(name, value);
        }
        let output = run
            .args(["-c", &command])
            .current_dir(cwd)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let mut actual = String::from_utf8(output.stdout).unwrap();
        // Addresses as the README writes them.
        for (port, shown) in ports(&servers) {
            actual = actual.replace(&format!(":{port}"), &format!(":{shown}"));
        }
        let actual: Vec<&str> = actual
            .trim()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let mut matched = true;
        let mut lines = actual.iter();
        for want in &expected {
            if *want == "..." {
                lines = [].iter();
                break;
            }
            match (lines.next(), want.strip_suffix(" ...")) {
                (Some(got), Some(prefix)) => matched &= got.starts_with(prefix),
                (Some(got), None) => matched &= got == want,
                (None, _) => matched = false,
            }
        }
        matched &= lines.next().is_none();
        assert!(
            matched,
            "`{command}` answers:\n{}\nbut the README shows:\n{}\n(stderr: {})",
            actual.join("\n"),
            expected.join("\n"),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The manifest the README shows is the one in `testdata/`.
#[test]
fn readme_manifest_is_the_example_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let file =
        std::fs::read_to_string(root().join("testdata/products/payments/transactions-1.1.0.yaml"))
            .unwrap();
    assert_eq!(block, file);
}

/// The README's tables render: every row of a table is one line with the header's number of
/// cells (a cell spanning lines breaks the table), and every `accord ...` command a table names
/// is one `accord --help` lists (and, for a command with subcommands, one its `--help` lists).
#[test]
fn readme_tables_render_and_name_real_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let help = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success(), "accord {args:?} --help fails");
        String::from_utf8(output.stdout).unwrap()
    };
    let listed = |help: &str, command: &str| {
        help.lines()
            .any(|l| l.split_whitespace().next() == Some(command))
    };
    let top = help(&[]);
    let mut tables = 0;
    let mut commands = 0;
    let lines: Vec<&str> = readme.lines().collect();
    let mut in_code = false;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("```") {
            in_code = !in_code;
        }
        let starts_table = !in_code
            && lines[i].starts_with('|')
            && lines.get(i + 1).is_some_and(|l| l.starts_with("|---"));
        if !starts_table {
            i += 1;
            continue;
        }
        tables += 1;
        let width = cells(lines[i]).len();
        let mut row = i + 2;
        while row < lines.len() && !lines[row].trim().is_empty() {
            let line = lines[row];
            assert!(
                line.starts_with('|') && line.trim_end().ends_with('|'),
                "README line {} continues a table row over lines: {line}",
                row + 1
            );
            assert_eq!(
                cells(line).len(),
                width,
                "README line {} has another number of cells than its header: {line}",
                row + 1
            );
            for cell in cells(line) {
                for span in cell.split('`').skip(1).step_by(2) {
                    let Some(rest) = span.strip_prefix("accord ") else {
                        continue;
                    };
                    let mut words = rest.split_whitespace();
                    let command = words.next().unwrap();
                    assert!(
                        listed(&top, command),
                        "README line {}: `accord {command}` is not a command of `accord --help`",
                        row + 1
                    );
                    if let Some(sub) = words.next().filter(|w| {
                        w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.is_empty()
                    }) {
                        let own = help(&[command]);
                        if own.contains("Commands:") {
                            assert!(
                                listed(&own, sub),
                                "README line {}: `accord {command} {sub}` is not a subcommand",
                                row + 1
                            );
                        }
                    }
                    commands += 1;
                }
            }
            row += 1;
        }
        i = row;
    }
    assert!(tables >= 5, "only {tables} tables found");
    assert!(commands >= 10, "only {commands} commands found in tables");
}

/// A table row's cells; `\|` is a pipe inside a cell.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner
        .replace("\\|", "\u{0}")
        .split('|')
        .map(|c| c.replace('\u{0}', "|").trim().to_string())
        .collect()
}
