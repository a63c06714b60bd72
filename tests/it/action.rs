//! The GitHub Action (`action.yml`) and the README's GitLab CI job, run as their CI systems
//! would: the action's shell step with the variables GitHub sets and its inputs substituted,
//! and the GitLab job's script lines with GitLab's.

use std::path::Path;
use std::process::Command;

use crate::against::{git, repository};

/// `accord`'s directory first on the PATH, as an installed binary would be.
fn path_with_accord() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_accord")).parent().unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn the_action_annotates_and_writes_the_summary_and_fails_on_a_break() {
    let action: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(crate::root().join("action.yml")).unwrap())
            .unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let step = &action["runs"]["steps"][0];
    assert_eq!(step["shell"], "bash");
    let inputs = [("against", "main"), ("paths", "schemas"), ("args", "")];
    let dir = repository();
    let summary = dir.path().join("summary.md");
    let mut command = Command::new("bash");
    command
        .args(["-e", "-c", step["run"].as_str().unwrap()])
        .current_dir(dir.path())
        .env("PATH", path_with_accord())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary);
    for (name, value) in step["env"].as_object().unwrap() {
        let mut value = value.as_str().unwrap().to_string();
        for (input, given) in inputs {
            value = value.replace(&format!("${{{{ inputs.{input} }}}}"), given);
        }
        assert!(
            !value.contains("${{"),
            "{name}: an expression the test does not know"
        );
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("::error file=schemas/orders.avsc,line=10,col=5,title=AV102 field-added-without-default::"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("### accord: `schemas/orders.avsc` is **incompatible** at BACKWARD"),
        "{summary}"
    );
    assert!(
        summary.contains("- **removed**: `schemas/orders.arrow.json` was deleted since main"),
        "{summary}"
    );
}

#[test]
fn the_readme_gitlab_job_runs_as_written() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let block = readme
        .split("```yaml\nschema-gate:\n")
        .nth(1)
        .expect("the README's GitLab CI job")
        .split("```")
        .next()
        .unwrap();
    let job: serde_json::Value = yaml_serde::from_str(&format!("schema-gate:\n{block}")).unwrap();
    let dir = repository();
    // A merge request's pipeline fetches the target branch as origin/<branch>.
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", "main"],
    );
    let mut status = 0;
    for line in job["schema-gate"]["script"].as_array().unwrap() {
        let output = Command::new("bash")
            .args(["-c", line.as_str().unwrap()])
            .current_dir(dir.path())
            .env("PATH", path_with_accord())
            .env("GITLAB_CI", "true")
            .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
            .output()
            .unwrap();
        status = output.status.code().unwrap();
    }
    assert_eq!(status, 1, "the gate fails the job on a break");
    let artifact = job["schema-gate"]["artifacts"]["reports"]["codequality"]
        .as_str()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(artifact)).unwrap()).unwrap();
    let checks: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["check_name"].as_str().unwrap())
        .collect();
    assert!(
        checks.contains(&"AV102") && checks.contains(&"schema-removed"),
        "{checks:?}"
    );
}
