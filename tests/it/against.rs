//! `accord diff --against REF` on a repository the test creates with `git`: commits, a branch,
//! a changed, an added and a deleted schema file, directories, and a shallow clone that lacks
//! the revision.

use std::path::Path;
use std::process::Command;

pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `accord ARGS` in `dir`: exit status, stdout, stderr.
pub fn accord(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(crate::root().join(from), to).unwrap();
}

/// main: two schemas; the working tree (on a branch): one changed, one deleted, one added.
pub fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    copy(
        "testdata/examples/orders-v1.avsc",
        &repo.join("schemas/orders.avsc"),
    );
    copy(
        "testdata/examples/orders-v1.arrow.json",
        &repo.join("schemas/orders.arrow.json"),
    );
    std::fs::write(repo.join("README.md"), "not a schema\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "v1"]);
    git(repo, &["checkout", "-q", "-b", "change"]);
    copy(
        "testdata/examples/orders-v3.avsc",
        &repo.join("schemas/orders.avsc"),
    );
    std::fs::remove_file(repo.join("schemas/orders.arrow.json")).unwrap();
    copy(
        "testdata/examples/orders-v1.avsc",
        &repo.join("events/checkout.avsc"),
    );
    dir
}

#[test]
fn the_working_tree_is_compared_with_a_revision() {
    let dir = repository();
    let repo = dir.path();
    let (code, out, err) = accord(repo, &["diff", "--against", "main"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("schemas/orders.avsc\nchanges (6):"),
        "{out}"
    );
    assert!(
        out.contains("added: `events/checkout.avsc`, a new schema"),
        "{out}"
    );
    assert!(
        out.contains("removed: `schemas/orders.arrow.json` was deleted since main: a removed schema breaks its subject's consumers"),
        "{out}"
    );
    assert!(
        out.ends_with("1 file compared with main: 1 incompatible, 1 added, 1 removed\n"),
        "{out}"
    );
    // Paths narrow the comparison; from a subdirectory, paths are the working directory's.
    let (code, out, _) = accord(&repo.join("events"), &["diff", "--against", "main", "."]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("0 files compared with main: 0 incompatible, 1 added, 0 removed\n"),
        "{out}"
    );
    // GitHub annotations name files from the repository root.
    let (_, out, _) = accord(
        repo,
        &["diff", "--against", "main", "schemas", "--format", "github"],
    );
    assert!(
        out.contains("::error file=schemas/orders.avsc,line=10,col=5,title=AV102"),
        "{out}"
    );
    assert!(
        out.contains("::error file=schemas/orders.arrow.json,title=removed::"),
        "{out}"
    );
    // A commit and a tag are revisions too; the same tree compares clean.
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "v3"]);
    git(repo, &["tag", "v3"]);
    let (code, out, _) = accord(repo, &["diff", "--against", "v3"]);
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = accord(repo, &["diff", "--against", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`no-such-branch` names no revision of this repository"),
        "{err}"
    );
}

#[test]
fn a_shallow_clone_without_the_revision_says_how_to_fetch_it() {
    let dir = repository();
    let origin = dir.path();
    git(origin, &["add", "-A"]);
    git(origin, &["commit", "-q", "-m", "v3"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.display());
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "change", &url, "shallow",
        ],
    );
    let shallow = clones.path().join("shallow");
    let (code, _, err) = accord(&shallow, &["diff", "--against", "HEAD~1"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not in this shallow clone"), "{err}");
    assert!(err.contains("git fetch --unshallow origin"), "{err}");
}

#[test]
fn outside_a_repository_the_error_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = accord(dir.path(), &["diff", "--against", "main"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not inside a git repository"), "{err}");
    let (code, _, err) = accord(dir.path(), &["diff", "only-one.avsc"]);
    assert_eq!(code, 2);
    assert!(err.contains("give OLD and NEW (1 given)"), "{err}");
}

/// `product check --against REF`: a manifest judged against its own previous version in git,
/// with no registry: a contract's narrowed column, and an accord manifest whose schema file
/// changed name.
#[test]
fn a_manifest_is_checked_against_its_previous_version_in_git() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    copy(
        "testdata/contracts/transactions-3.2.0.yaml",
        &repo.join("transactions.yaml"),
    );
    for file in [
        "transactions-1.0.0.yaml",
        "transaction-v1.avsc",
        "transaction-v2.avsc",
    ] {
        copy(
            &format!("testdata/products/payments/{file}"),
            &repo.join("payments").join(file),
        );
    }
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "published"]);
    copy(
        "testdata/contracts/transactions-3.3.0-narrowed.yaml",
        &repo.join("transactions.yaml"),
    );
    let (code, out, err) = accord(
        repo,
        &["product", "check", "transactions.yaml", "--against", "main"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("AR204 decimal-precision-changed  amount_usd"),
        "{out}"
    );
    assert!(
        out.contains("refused: the changes need a major bump from 3.2.0: publish 4.0.0 or later"),
        "{out}"
    );
    assert!(out.ends_with("payments.transactions 3.3.0 against main (3.2.0): would be refused; required bump: major\n"), "{out}");
    let (_, out, _) = accord(
        repo,
        &[
            "product",
            "check",
            "transactions.yaml",
            "--against",
            "main",
            "--format",
            "github",
        ],
    );
    assert!(
        out.starts_with("::error file=transactions.yaml,line=31,col=5,title=AR204"),
        "{out}"
    );
    let text = std::fs::read_to_string(repo.join("transactions.yaml")).unwrap();
    std::fs::write(
        repo.join("transactions.yaml"),
        text.replace("\"3.3.0\"", "\"4.0.0\""),
    )
    .unwrap();
    let (code, out, _) = accord(
        repo,
        &["product", "check", "transactions.yaml", "--against", "main"],
    );
    assert_eq!(code, 0, "{out}");
    // accord's own manifest: 1.1.0 names a new schema file; the old one is read at main.
    copy(
        "testdata/products/payments/transactions-1.1.0.yaml",
        &repo.join("payments/transactions-1.0.0.yaml"),
    );
    let (code, out, err) = accord(
        repo,
        &[
            "product",
            "check",
            "payments/transactions-1.0.0.yaml",
            "--against",
            "main",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("AV101 field-added"), "{out}");
    assert!(out.ends_with("payments.transactions 1.1.0 against main (1.0.0): would be accepted; required bump: minor\n"), "{out}");
}
