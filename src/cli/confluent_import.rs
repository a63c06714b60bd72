//! `accord import --from-confluent URL`: a running Confluent-compatible registry copied through
//! its REST API (subjects, every version with its id, references, soft-deleted versions,
//! configuration and modes), resumable: what the target already holds with the same id is
//! skipped. A final count compares both sides.

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{RegistryArgs, RegistryClient, segment};
use super::{Outcome, print};

/// One version as the source serves it.
#[derive(Debug, Deserialize)]
struct Version {
    subject: String,
    version: u32,
    id: u32,
    schema: String,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<Value>,
}

fn get<T: serde::de::DeserializeOwned>(client: &RegistryClient, path: &str) -> anyhow::Result<T> {
    client.get_as(path)
}

/// What a registry holds, counted the same way on both sides.
#[derive(Debug, PartialEq, Eq)]
struct Count {
    subjects: usize,
    versions: usize,
    deleted: usize,
}

fn count(client: &RegistryClient) -> anyhow::Result<Count> {
    let subjects: Vec<String> = get(client, "/subjects?deleted=true")?;
    let (mut versions, mut deleted) = (0, 0);
    for subject in &subjects {
        let all: Vec<u32> = get(
            client,
            &format!("/subjects/{}/versions?deleted=true", segment(subject)),
        )?;
        let live: Vec<u32> = client
            .call_as(
                "GET",
                &format!("/subjects/{}/versions", segment(subject)),
                None,
            )?
            .unwrap_or_default();
        versions += all.len();
        deleted += all.len() - live.len();
    }
    Ok(Count {
        subjects: subjects.len(),
        versions,
        deleted,
    })
}

pub(crate) fn run(source_url: &str, target: &RegistryArgs) -> anyhow::Result<Outcome> {
    let source = RegistryClient::new(&RegistryArgs::anonymous(source_url))?;
    let target = RegistryClient::new(target)?;
    let subjects: Vec<String> = get(&source, "/subjects?deleted=true")
        .with_context(|| format!("cannot list the subjects of `{source_url}`"))?;
    let mut versions = Vec::new();
    let mut deleted = Vec::new();
    for subject in &subjects {
        let path = format!("/subjects/{}/versions", segment(subject));
        let all: Vec<u32> = get(&source, &format!("{path}?deleted=true"))?;
        let live: Vec<u32> = source.call_as("GET", &path, None)?.unwrap_or_default();
        for v in all {
            let version: Version = get(&source, &format!("{path}/{v}?deleted=true"))?;
            if !live.contains(&v) {
                deleted.push((subject.clone(), v));
            }
            versions.push(version);
        }
    }
    // A reference names an earlier schema: ids in order register what a version refers to first.
    versions.sort_by(|a, b| (a.id, &a.subject, a.version).cmp(&(b.id, &b.subject, b.version)));
    // IMPORT keeps ids and versions; forced, so that an interrupted copy resumes.
    let mode_before: Value = get(&target, "/mode")?;
    set(
        &target,
        "PUT",
        "/mode?force=true",
        json!({"mode": "IMPORT"}),
    )?;
    let total = versions.len();
    let (mut copied, mut skipped) = (0, 0);
    for (n, v) in versions.iter().enumerate() {
        let path = format!(
            "/subjects/{}/versions/{}?deleted=true",
            segment(&v.subject),
            v.version
        );
        let held: Option<Value> = target.call_as("GET", &path, None)?.ok();
        match held.as_ref().and_then(|h| h["id"].as_u64()) {
            Some(id) if id == u64::from(v.id) => skipped += 1,
            Some(id) => bail!(
                "the target holds `{}` version {} with id {id}, the source with id {}: not the same registry's copy",
                v.subject,
                v.version,
                v.id
            ),
            None => {
                let mut body = json!({
                    "schema": v.schema,
                    "id": v.id,
                    "version": v.version,
                    "references": v.references,
                });
                if let Some(t) = &v.schema_type {
                    body["schemaType"] = json!(t);
                }
                set(
                    &target,
                    "POST",
                    &format!("/subjects/{}/versions", segment(&v.subject)),
                    body,
                )?;
                copied += 1;
            }
        }
        if (n + 1) % 50 == 0 || n + 1 == total {
            eprint!("\rcopied {}/{total} versions", n + 1);
        }
    }
    if total > 0 {
        eprintln!();
    }
    for (subject, version) in &deleted {
        let path = format!("/subjects/{}/versions/{version}", segment(subject));
        let live: Option<Value> = target.call_as("GET", &path, None)?.ok();
        if live.is_some() {
            set(&target, "DELETE", &path, Value::Null)?;
        }
    }
    // Levels and modes, the global ones and each subject's own.
    let config: Value = get(&source, "/config")?;
    if let Some(level) = config["compatibilityLevel"].as_str() {
        set(&target, "PUT", "/config", json!({"compatibility": level}))?;
    }
    for subject in &subjects {
        let scope = segment(subject);
        let own: Option<Value> = source
            .call_as(
                "GET",
                &format!("/config/{scope}?defaultToGlobal=false"),
                None,
            )?
            .ok();
        if let Some(level) = own.as_ref().and_then(|c| c["compatibilityLevel"].as_str()) {
            set(
                &target,
                "PUT",
                &format!("/config/{scope}"),
                json!({"compatibility": level}),
            )?;
        }
        let own: Option<Value> = source
            .call_as("GET", &format!("/mode/{scope}?defaultToGlobal=false"), None)?
            .ok();
        if let Some(mode) = own.as_ref().and_then(|m| m["mode"].as_str()) {
            set(
                &target,
                "PUT",
                &format!("/mode/{scope}?force=true"),
                json!({"mode": mode}),
            )?;
        }
    }
    let source_mode: Value = get(&source, "/mode")?;
    let mode = source_mode["mode"]
        .as_str()
        .or(mode_before["mode"].as_str())
        .unwrap_or("READWRITE");
    set(&target, "PUT", "/mode?force=true", json!({"mode": mode}))?;
    let (here, there) = (count(&source)?, count(&target)?);
    print(&format!(
        "copied {copied} versions ({skipped} already there) from `{source_url}`\nsource: {} subjects, {} versions ({} soft-deleted)\ntarget: {} subjects, {} versions ({} soft-deleted)\n",
        here.subjects, here.versions, here.deleted, there.subjects, there.versions, there.deleted
    ))?;
    if here != there {
        bail!("the counts differ: run the import again to resume, or compare the subjects listed");
    }
    Ok(Outcome::Success)
}

/// A write that must succeed.
fn set(client: &RegistryClient, method: &str, path: &str, body: Value) -> anyhow::Result<()> {
    let body = (!body.is_null()).then_some(body);
    client
        .call(method, path, body)?
        .map_err(|refusal| anyhow::anyhow!("{method} {path}: {refusal}"))?;
    Ok(())
}
