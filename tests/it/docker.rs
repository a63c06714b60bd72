//! The Docker files are checked against the binary: the port, the data dir and the health path
//! must be the ones `accord serve` uses. `scripts/docker-image` builds and runs the real image.

use crate::root;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

#[test]
fn dockerfile_agrees_with_the_binary_and_its_defaults() {
    let dockerfile = read("docker/Dockerfile");
    let manifest = read("Cargo.toml");
    assert!(
        manifest.contains("name = \"accord\""),
        "the package builds a binary named accord"
    );
    assert!(dockerfile.contains("--bin accord"));
    assert!(dockerfile.contains("cp target/release/accord /usr/local/bin/accord"));
    assert!(dockerfile.contains("COPY prebuilt/accord /usr/local/bin/accord"));
    assert!(dockerfile.contains("COPY --from=binary /usr/local/bin/accord /usr/local/bin/accord"));
    assert!(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/accord\"]"));
    assert!(dockerfile.contains("CMD [\"serve\"]"));
    // The port the image exposes is the default port of `accord serve`, reached on all
    // interfaces through the environment variable the CLI reads.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("[env: ACCORD_LISTEN=]"), "{help}");
    assert!(help.contains("[default: 127.0.0.1:8081]"), "{help}");
    assert!(help.contains("[env: ACCORD_DATA_DIR=]"), "{help}");
    assert!(dockerfile.contains("ACCORD_LISTEN=0.0.0.0:8081"));
    assert!(dockerfile.contains("EXPOSE 8081"));
    // The volume is the data dir.
    assert!(dockerfile.contains("ACCORD_DATA_DIR=/var/lib/accord/data"));
    assert!(dockerfile.contains("VOLUME [\"/var/lib/accord/data\"]"));
    // The health check asks the route the API serves (`server.rs` asks it of a real server).
    assert!(dockerfile.contains("http://127.0.0.1:8081/health"));
    // Not root at run time.
    assert!(dockerfile.contains("USER accord"));
}

#[test]
fn compose_runs_the_image_with_a_named_volume_on_the_data_dir() {
    let compose = read("docker/compose.yaml");
    assert!(compose.contains("dockerfile: docker/Dockerfile"));
    assert!(compose.contains("\"8081:8081\""));
    assert!(compose.contains("accord-data:/var/lib/accord/data"));
    assert!(compose.contains("volumes:\n  accord-data:"));
}
