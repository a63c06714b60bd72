//! A real PostgreSQL for tests, shared by the store's conformance suite and the integration
//! tests (each includes this file by path).

/// A PostgreSQL server of its own, in a temporary directory, reached through a Unix socket
/// there: initialized and started as the `postgres` user when the tests run as root (as
/// PostgreSQL refuses root), stopped when dropped.
pub struct TestPostgres {
    dir: tempfile::TempDir,
    pub url: String,
    as_postgres: bool,
}

/// A PostgreSQL program: on the PATH, else where Debian's packages put it.
fn postgres_program(name: &str) -> String {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()));
    if on_path {
        return name.to_string();
    }
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
        .pop()
        .map_or_else(|| name.to_string(), |p| p.to_string_lossy().into_owned())
}

impl TestPostgres {
    fn run(&self, program: &str, args: &[&str]) {
        let program = &postgres_program(program);
        let mut command = if self.as_postgres {
            // root's PATH has sbin; another's may not.
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser"]
                .into_iter()
                .find(|p| std::path::Path::new(p).is_file())
                .unwrap_or("runuser");
            let mut c = std::process::Command::new(runuser);
            c.args(["-u", "postgres", "--", program]);
            c
        } else {
            std::process::Command::new(program)
        };
        let output = command.args(args).output().unwrap_or_else(|e| {
            panic!("cannot run `{program}` (scripts/setup.sh installs PostgreSQL): {e}")
        });
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn start() -> TestPostgres {
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = unsafe { libc::geteuid() } == 0;
        if as_postgres {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres", dir.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        let data = dir.path().join("data");
        let socket = dir.path().to_str().unwrap().to_string();
        let server = TestPostgres {
            url: format!("postgresql://accord@localhost/postgres?host={socket}"),
            dir,
            as_postgres,
        };
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "accord",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        server.pg_ctl_start();
        server
    }

    fn pg_ctl_start(&self) {
        let data = self.dir.path().join("data");
        let socket = self.dir.path().to_str().unwrap();
        // Durable as in production: a benchmark measures real commits.
        let options = format!("-k {socket} -c listen_addresses='' -c max_connections=200");
        let log = self.dir.path().join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server (its clients' connections are cut) and starts it again.
    #[allow(dead_code)]
    pub fn restart(&self) {
        let data = self.dir.path().join("data");
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        );
        self.pg_ctl_start();
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
    }
}
