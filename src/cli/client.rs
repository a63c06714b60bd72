//! The commands that talk to a running registry: `register`, `subjects`, `versions`, `get`,
//! `config`, and the registry side of `check`.

use anyhow::{Context, bail};
use axum::http::StatusCode;
use clap::Args;
use serde_json::{Value, json};

use super::{Outcome, OutputFormat, input};
use crate::api::code;
pub(crate) use crate::api::types::segment;
use crate::api::types::{
    ACTOR_HEADER, ConfigView, ErrorBody, ErrorCode, RegisteredId, SubjectVersionView, encode_actor,
};
use crate::registry::Version;
use crate::schema::{Format, Schema};

/// Where the registry is, and who the CLI is to it; shared by every client command.
#[derive(Debug, Clone, Args)]
pub(crate) struct RegistryArgs {
    /// Base URL of the registry
    #[arg(long, env = "ACCORD_REGISTRY", default_value = "http://127.0.0.1:8081")]
    pub registry: String,
    /// A token to send as `Authorization: Bearer`, for a registry with access control
    #[arg(
        long,
        env = "ACCORD_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<Secret>,
    /// `USER:PASSWORD` to send as HTTP Basic, for a registry with access control
    #[arg(
        long,
        env = "ACCORD_USER_INFO",
        hide_env_values = true,
        value_name = "USER:PASSWORD",
        conflicts_with = "token"
    )]
    user_info: Option<Secret>,
    /// Trust the CA certificates in this PEM file (a private CA's, or a self-signed server
    /// certificate) for an `https://` registry, instead of the public CAs
    #[arg(long, env = "ACCORD_CA_CERT", value_name = "FILE")]
    ca_cert: Option<std::path::PathBuf>,
}

impl RegistryArgs {
    /// Another registry at `url`, reached with no credentials (a migration's source).
    pub(crate) fn anonymous(url: &str) -> Self {
        RegistryArgs {
            registry: url.to_string(),
            token: None,
            user_info: None,
            ca_cert: None,
        }
    }
}

/// The certificates of a `--ca-cert` file, as roots of trust.
fn trusted(path: &std::path::Path) -> anyhow::Result<ureq::tls::RootCerts> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read the CA certificate `{}`", path.display()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        let item = item.with_context(|| format!("`{}` is not valid PEM", path.display()))?;
        if let ureq::tls::PemItem::Certificate(cert) = item {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        bail!("`{}` holds no PEM certificate", path.display());
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// A credential: never printed, not even in a debug dump of the arguments.
#[derive(Clone)]
struct Secret(String);

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Secret(text.to_string()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

/// A Confluent-compatible registry over HTTP.
pub(crate) struct RegistryClient {
    agent: ureq::Agent,
    base: String,
    /// Sent as `X-Accord-Actor`, recorded in data products' audit histories.
    actor: Option<String>,
    /// The `Authorization` header's value, if credentials were given.
    authorization: Option<String>,
}

/// A non-2xx answer, with the registry's `error_code` and `message`.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl Refusal {
    /// Whether the native API refused with this code, e.g. `product_not_found`.
    pub fn is(&self, name: &str) -> bool {
        matches!(&self.body.error_code, ErrorCode::Name(n) if n == name)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.body.error_code {
            ErrorCode::Name(name) => write!(f, "{} ({name})", self.body.message),
            ErrorCode::Number(code) => write!(
                f,
                "the registry answered {} (error {code}): {}",
                self.status, self.body.message
            ),
        }
    }
}

impl RegistryClient {
    pub fn new(args: &RegistryArgs) -> anyhow::Result<Self> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)));
        if let Some(path) = &args.ca_cert {
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(trusted(path)?)
                    .build(),
            );
        }
        use base64::Engine as _;
        let authorization = match (&args.token, &args.user_info) {
            (Some(Secret(token)), _) => Some(format!("Bearer {}", token.trim())),
            (None, Some(Secret(user_info))) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(user_info)
            )),
            (None, None) => None,
        };
        Ok(RegistryClient {
            agent: config.build().into(),
            base: args.registry.trim_end_matches('/').to_string(),
            actor: None,
            authorization,
        })
    }

    /// The headers every request carries: the actor, and the credentials.
    fn identified<B>(
        &self,
        request: ureq::RequestBuilder<B>,
        actor: &str,
    ) -> ureq::RequestBuilder<B> {
        let request = request.header(ACTOR_HEADER, actor);
        match &self.authorization {
            Some(authorization) => request.header("Authorization", authorization),
            None => request,
        }
    }

    /// Names who acts, for the audit history.
    pub fn with_actor(mut self, actor: Option<String>) -> Self {
        self.actor = actor;
        self
    }

    /// One request; `Ok(Err(refusal))` when the registry answered with an error.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Result<Value, Refusal>> {
        let body = body.map(|b| ("application/vnd.schemaregistry.v1+json", b.to_string()));
        match self.send(method, path, body)? {
            Ok(text) => serde_json::from_str(&text).map(Ok).with_context(|| {
                format!("the registry's answer to {method} {path} is not JSON: {text}")
            }),
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// One request with a body of `content_type`, answered with text (an export's NDJSON).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, String)>,
    ) -> anyhow::Result<Result<String, Refusal>> {
        let url = format!("{}{path}", self.base);
        let actor = self.actor.as_deref().map(encode_actor).unwrap_or_default();
        let actor = actor.as_str();
        let response = match (method, body) {
            ("GET", _) => self.identified(self.agent.get(&url), actor).call(),
            ("DELETE", _) => self.identified(self.agent.delete(&url), actor).call(),
            ("PUT", Some((content_type, body))) => self
                .identified(self.agent.put(&url), actor)
                .header("Content-Type", content_type)
                .send(body),
            ("POST", Some((content_type, body))) => self
                .identified(self.agent.post(&url), actor)
                .header("Content-Type", content_type)
                .send(body),
            _ => bail!("unsupported request {method} {path}"),
        };
        let mut response = response.map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        // An export is as large as the registry.
        let text = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .with_context(|| format!("cannot read the registry's answer to {method} {path}"))?;
        if (200..300).contains(&status) {
            return Ok(Ok(text));
        }
        // An error answer without the registry's envelope (a proxy's, say): its text.
        let body = serde_json::from_str(&text).unwrap_or(ErrorBody {
            error_code: ErrorCode::Number(u32::from(status)),
            message: text,
        });
        Ok(Err(Refusal {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
        }))
    }

    /// Why no answer came, with what would fix it where the cause says.
    fn unreachable(&self, error: ureq::Error) -> anyhow::Error {
        // ureq reports a refused certificate as its own error or inside an I/O error.
        let tls = match &error {
            ureq::Error::Rustls(e) => Some(e),
            ureq::Error::Io(e) => e.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
            _ => None,
        };
        let hint = match tls {
            Some(rustls::Error::InvalidCertificate(_)) => {
                " (its TLS certificate is not trusted: give the certificate of the CA that signed it, or the server's own if self-signed, with --ca-cert)"
            }
            _ => "",
        };
        anyhow::Error::new(error)
            .context(format!("cannot reach the registry at {}{hint}", self.base))
    }

    /// A request whose answer is a `T` (one of the API's types) when it succeeds.
    pub fn call_as<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Result<T, Refusal>> {
        match self.call(method, path, body)? {
            Ok(value) => serde_json::from_value(value)
                .map(Ok)
                .with_context(|| format!("the registry's answer to {method} {path} is unexpected")),
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// A request that must succeed, answered with a `T`.
    pub fn get_as<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call_as("GET", path, None)?.map_err(anyhow::Error::msg)
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    super::print(&format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Register a schema file under a subject.
///
/// Exit status: 0 when registered (or already there), 1 when the registry refuses it as
/// incompatible, 2 on any other error.
#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// The subject, e.g. `orders-value`
    subject: String,
    /// The schema file (`.avsc`, or Arrow's JSON form in `.arrow.json`), or `-` for standard
    /// input
    file: String,
    #[command(flatten)]
    schema_type: input::SchemaTypeArg,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn register(args: RegisterArgs) -> anyhow::Result<Outcome> {
    let schema = input::read(&args.file)?;
    let client = RegistryClient::new(&args.registry)?;
    let path = format!("/subjects/{}/versions", segment(&args.subject));
    match client.call_as::<RegisteredId>(
        "POST",
        &path,
        Some(
            json!({"schema": schema, "schemaType": args.schema_type.of(&args.file).schema_type()}),
        ),
    )? {
        Ok(answer) => {
            match args.format {
                OutputFormat::Json => print_json(&answer)?,
                OutputFormat::Text => super::print(&format!(
                    "registered {} under {}: id {}\n",
                    input::display_name(&args.file),
                    args.subject,
                    answer.id
                ))?,
            }
            Ok(Outcome::Success)
        }
        Err(refusal) if refusal.status == StatusCode::CONFLICT => {
            match args.format {
                OutputFormat::Json => print_json(&refusal.body)?,
                OutputFormat::Text => super::print(&format!(
                    "refused: {}\n",
                    super::shown(&refusal.body.message)
                ))?,
            }
            Ok(Outcome::Findings)
        }
        Err(refusal) => Err(anyhow::Error::msg(refusal)),
    }
}

/// List the registry's subjects.
#[derive(Debug, Args)]
pub(crate) struct SubjectsArgs {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn subjects(args: SubjectsArgs) -> anyhow::Result<Outcome> {
    let subjects: Vec<String> = RegistryClient::new(&args.registry)?.get_as("/subjects")?;
    print_list(&subjects, args.format)
}

fn print_list<T: serde::Serialize + std::fmt::Display>(
    list: &[T],
    format: OutputFormat,
) -> anyhow::Result<Outcome> {
    match format {
        OutputFormat::Json => print_json(&list)?,
        OutputFormat::Text => {
            super::print(
                &list
                    .iter()
                    .map(|item| format!("{item}\n"))
                    .collect::<String>(),
            )?;
        }
    }
    Ok(Outcome::Success)
}

/// List a subject's versions.
#[derive(Debug, Args)]
pub(crate) struct VersionsArgs {
    /// The subject, e.g. `orders-value`
    subject: String,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn versions(args: VersionsArgs) -> anyhow::Result<Outcome> {
    let path = format!("/subjects/{}/versions", segment(&args.subject));
    let versions: Vec<Version> = RegistryClient::new(&args.registry)?.get_as(&path)?;
    print_list(&versions, args.format)
}

/// Print one version of a subject: the schema (text), or the registry's whole answer (json).
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The subject, e.g. `orders-value`
    subject: String,
    /// A version number, or `latest`
    #[arg(
        id = "schema_version",
        value_name = "VERSION",
        default_value = "latest"
    )]
    schema_version: String,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn get(args: GetArgs) -> anyhow::Result<Outcome> {
    let path = format!(
        "/subjects/{}/versions/{}",
        segment(&args.subject),
        segment(&args.schema_version)
    );
    let found: SubjectVersionView = RegistryClient::new(&args.registry)?.get_as(&path)?;
    match args.format {
        OutputFormat::Json => print_json(&found)?,
        OutputFormat::Text => {
            let schema: Value = serde_json::from_str(&found.schema)?;
            print_json(&schema)?;
        }
    }
    Ok(Outcome::Success)
}

/// Show or set the compatibility level of a subject, or the global one.
#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// A subject; without one, the global level
    subject: Option<String>,
    /// Set the level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
    /// FULL_TRANSITIVE (case-insensitive)
    #[arg(long, value_name = "LEVEL")]
    set: Option<crate::compat::Level>,
    #[command(flatten)]
    registry: RegistryArgs,
}

pub(crate) fn config(args: ConfigArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry)?;
    let path = match &args.subject {
        Some(subject) => format!("/config/{}", segment(subject)),
        None => "/config".to_string(),
    };
    let level = match args.set {
        Some(level) => {
            client
                .call("PUT", &path, Some(json!({"compatibility": level.name()})))?
                .map_err(anyhow::Error::msg)?;
            level.name().to_string()
        }
        None => {
            let answer: ConfigView = client.get_as(&format!("{path}?defaultToGlobal=true"))?;
            answer.compatibility_level.unwrap_or_default().to_string()
        }
    };
    super::print(&format!("{level}\n"))?;
    Ok(Outcome::Success)
}

/// The live versions of a subject, oldest first, and its effective level: the history the
/// registry itself would check a new version against.
pub(crate) fn history(
    registry: &RegistryArgs,
    subject: &str,
) -> anyhow::Result<(Vec<Schema>, crate::compat::Level)> {
    let client = RegistryClient::new(registry)?;
    let config: ConfigView = client.get_as(&format!(
        "/config/{}?defaultToGlobal=true",
        segment(subject)
    ))?;
    let level = config.compatibility_level.unwrap_or_default();
    let versions: Vec<Version> = match client.call_as(
        "GET",
        &format!("/subjects/{}/versions", segment(subject)),
        None,
    )? {
        Ok(versions) => versions,
        Err(refusal) if refusal.body.error_code == ErrorCode::Number(code::SUBJECT_NOT_FOUND) => {
            Vec::new()
        }
        Err(refusal) => return Err(anyhow::Error::msg(refusal)),
    };
    let mut history = Vec::new();
    for version in versions {
        let found: SubjectVersionView = client.get_as(&format!(
            "/subjects/{}/versions/{version}",
            segment(subject)
        ))?;
        let from_registry = |e: &dyn std::fmt::Display| {
            anyhow::anyhow!("{subject} version {version} from the registry: {e}")
        };
        let format =
            Format::from_schema_type(Some(&found.schema_type)).map_err(|e| from_registry(&e))?;
        let schema = Schema::parse(format, &found.schema).map_err(|e| from_registry(&e))?;
        history.push(schema);
    }
    Ok((history, level))
}
