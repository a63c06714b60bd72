//! `accord diff --against REF`: the schema files of the working tree paired with the same paths
//! at a git revision (`main`, `origin/main`, a tag, a commit), read from the repository with
//! `gix`, no `git` binary needed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// A schema file as `diff --against` pairs it: its path from the repository's root.
fn is_schema_file(path: &str) -> bool {
    path.ends_with(".avsc") || path.ends_with(".arrow.json")
}

/// The working tree's schema files against the revision's.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    /// In both: the path (from the repository root), where it is on disk, and its text at the
    /// revision.
    pub changed: Vec<(String, PathBuf, Vec<u8>)>,
    /// New since the revision.
    pub added: Vec<String>,
    /// Deleted since the revision, with its text there.
    pub removed: Vec<(String, Vec<u8>)>,
}

/// Pairs the schema files under `paths` (files or directories, relative to the working
/// directory; the whole working tree when empty) with the same paths at `reference`.
/// The repository around the working directory, its root, and the tree at `reference`.
fn open_at(reference: &str) -> anyhow::Result<(gix::Repository, PathBuf, gix::ObjectId)> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let repo = gix::discover(&cwd)
        .with_context(|| format!("`{}` is not inside a git repository", cwd.display()))?;
    let Some(root) = repo.workdir().map(Path::to_path_buf) else {
        bail!("the repository has no working tree to compare with `{reference}`");
    };
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let id = match repo.rev_parse_single(reference) {
        Ok(id) => id,
        Err(e) if repo.is_shallow() => bail!(
            "`{reference}` is not in this shallow clone ({e}); fetch it first, e.g. `git fetch --unshallow origin` or `git fetch --depth=50 origin {reference}`"
        ),
        Err(e) => bail!("`{reference}` names no revision of this repository: {e}"),
    };
    let tree = id
        .object()
        .with_context(|| format!("cannot read `{reference}`"))?
        .peel_to_tree()
        .with_context(|| format!("`{reference}` has no tree"))?
        .id;
    Ok((repo, root, tree))
}

/// A path (relative to the working directory) from the repository's root.
fn from_root(root: &Path, path: &Path) -> anyhow::Result<String> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let absolute = cwd.join(path);
    let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    let relative = absolute.strip_prefix(root).map_err(|_| {
        anyhow::anyhow!(
            "`{}` is outside the repository at `{}`",
            path.display(),
            root.display()
        )
    })?;
    Ok(relative.to_string_lossy().replace('\\', "/"))
}

/// The text of `path` (relative to the working directory) at `reference`, `None` when the
/// revision has no such file.
pub(crate) fn file_at(reference: &str, path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let (repo, root, tree) = open_at(reference)?;
    let relative = from_root(&root, path)?;
    let tree = repo
        .find_tree(tree)
        .with_context(|| format!("cannot read `{reference}`"))?;
    let entry = tree
        .lookup_entry_by_path(&relative)
        .with_context(|| format!("cannot read `{relative}` at `{reference}`"))?;
    match entry {
        Some(entry) if entry.mode().is_blob() => Ok(Some(
            repo.find_object(entry.object_id())
                .with_context(|| format!("cannot read `{relative}` at `{reference}`"))?
                .detach()
                .data,
        )),
        _ => Ok(None),
    }
}

/// Pairs the schema files under `paths` (files or directories, relative to the working
/// directory; the whole working tree when empty) with the same paths at `reference`.
pub(crate) fn pair(reference: &str, paths: &[String]) -> anyhow::Result<Pairing> {
    let (repo, root, tree) = open_at(reference)?;
    let tree = repo
        .find_tree(tree)
        .with_context(|| format!("cannot read `{reference}`"))?;
    // The prefixes to compare, from the repository root.
    let mut prefixes = Vec::new();
    for path in if paths.is_empty() {
        vec![".".to_string()]
    } else {
        paths.to_vec()
    } {
        prefixes.push(from_root(&root, Path::new(&path))?);
    }
    let under = |path: &str| {
        prefixes
            .iter()
            .any(|p| p.is_empty() || path == p || path.starts_with(&format!("{p}/")))
    };
    let mut then: Vec<(String, gix::ObjectId)> = Vec::new();
    for entry in tree
        .traverse()
        .breadthfirst
        .files()
        .with_context(|| format!("cannot read the tree of `{reference}`"))?
    {
        let path = entry.filepath.to_string();
        if entry.mode.is_blob() && is_schema_file(&path) && under(&path) {
            then.push((path, entry.oid));
        }
    }
    let mut now = Vec::new();
    for prefix in &prefixes {
        walk(&root, &root.join(prefix), &mut now)?;
    }
    now.sort();
    now.dedup();
    let mut pairing = Pairing::default();
    for (path, oid) in &then {
        let old = repo
            .find_object(*oid)
            .with_context(|| format!("cannot read `{path}` at `{reference}`"))?
            .detach()
            .data;
        if now.contains(path) {
            pairing.changed.push((path.clone(), root.join(path), old));
        } else {
            pairing.removed.push((path.clone(), old));
        }
    }
    pairing.added = now
        .into_iter()
        .filter(|path| !then.iter().any(|(p, _)| p == path))
        .collect();
    Ok(pairing)
}

/// The schema files under `dir` (or `dir` itself), as paths from `root`; hidden directories
/// (`.git`) are skipped.
fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) -> anyhow::Result<()> {
    let relative = |path: &Path| {
        path.strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    };
    if dir.is_file() {
        let path = relative(dir);
        if is_schema_file(&path) {
            found.push(path);
        }
        return Ok(());
    }
    if !dir.is_dir() {
        // A path deleted since the revision: only the revision has it.
        return Ok(());
    }
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        walk(root, &entry.path(), found)?;
    }
    Ok(())
}
