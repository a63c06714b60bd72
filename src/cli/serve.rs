//! `accord serve`

use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use super::Outcome;
use crate::api::auth::{Auth, ClientAddr, Principals};
use crate::api::webhooks::Notifier;
use crate::api::{AppState, DEFAULT_BODY_LIMIT, EnvelopedErrors, accept_tls, router};
use crate::contract::governance::Policy;
use crate::registry::{Clock, Registry, SharedClock, SystemClock};
use crate::store::{PostgresStore, RocksStore, Shared, Store, redact};

/// Run the schema registry: Confluent Schema Registry's REST API over a RocksDB data dir, or over
/// PostgreSQL shared with other nodes (`--store`).
///
/// Prints `accord listening on http://ADDR` (`https://` with --tls-cert) once it accepts connections (with `--listen
/// 127.0.0.1:0`, ADDR has the port the system chose). SIGINT or SIGTERM stop it after the
/// requests in flight (for at most `--shutdown-timeout`), and close the data dir cleanly.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where the registry keeps its data (created if missing)
    #[arg(long, env = "ACCORD_DATA_DIR", default_value = "./accord-data")]
    data_dir: PathBuf,
    /// Keep the data in PostgreSQL instead of a data dir (`postgres://user:password@host/db`):
    /// any number of servers may share one database, all accepting writes; see the README's
    /// "Running several nodes". accord creates and migrates its tables itself
    #[arg(
        long,
        env = "ACCORD_STORE",
        value_name = "URL",
        conflicts_with = "data_dir"
    )]
    store: Option<String>,
    /// Address and port to listen on
    #[arg(long, env = "ACCORD_LISTEN", default_value = "127.0.0.1:8081")]
    listen: String,
    /// Largest request body accepted, in bytes (larger ones get a 413 with error code 42209)
    #[arg(long, env = "ACCORD_MAX_BODY_BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    max_body_bytes: usize,
    /// Seconds to let requests in flight finish after SIGINT or SIGTERM; then the connections
    /// left (a client that sent half a request, say) are dropped and the server stops
    #[arg(long, env = "ACCORD_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    shutdown_timeout: u64,
    /// Seconds a client has to send a request's headers, and that a kept-alive connection may
    /// stay idle; then the connection is closed
    #[arg(long, env = "ACCORD_HEADER_TIMEOUT", default_value_t = 30)]
    header_timeout: u64,
    /// Most connections open at once; more are closed as they arrive. At start the limit on
    /// open files is raised as far as the system allows, and this is kept below it
    #[arg(long, env = "ACCORD_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Memory for parsed schemas, in MiB (an estimate). Schemas are kept as text for good; their
    /// parsed forms, which checks need, are kept up to this much, the least used let go first
    #[arg(long, env = "ACCORD_PARSED_CACHE_MB", default_value_t = 256)]
    parsed_cache_mb: u64,
    /// A principals file: turns access control on (HTTP Basic and Bearer credentials, roles,
    /// domains; see the README's "Access control"). Without it, anyone who reaches the server
    /// may do anything
    #[arg(long, env = "ACCORD_AUTH", value_name = "FILE")]
    auth: Option<PathBuf>,
    /// A governance policy file: the platform's rules (and Rego files) every publication's
    /// manifest must pass; see the README's "Governance policies"
    #[arg(long, env = "ACCORD_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
    /// How often consumers' webhooks are sent what is due, in milliseconds; every pending
    /// delivery is also attempted at start
    #[arg(long, env = "ACCORD_WEBHOOK_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..))]
    webhook_poll_ms: u64,
    /// Days before a deprecated line's sunset that its consumers are warned
    #[arg(long, env = "ACCORD_SUNSET_WARNING_DAYS", default_value_t = 7)]
    sunset_warning_days: u32,
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first); needs
    /// --tls-key
    #[arg(
        long,
        env = "ACCORD_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1)
    #[arg(
        long,
        env = "ACCORD_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<Outcome> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ACCORD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(Outcome::Success)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Bound first: a start refused for a busy port leaves no new data dir behind. Connections
    // wait in the backlog while the registry loads.
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on `{}`", args.listen))?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsAcceptor::from(tls_config(cert, key)?)),
        _ => None,
    };
    let auth = match &args.auth {
        Some(path) => {
            let principals = Principals::load(path)?;
            tracing::info!(
                file = %path.display(),
                principals = principals.len(),
                anonymous = ?principals.anonymous,
                oidc = principals.has_oidc(),
                "access control is on"
            );
            Auth::On(Arc::new(principals))
        }
        None => {
            tracing::warn!(
                "access control is off: anyone who reaches the server may do anything (start with --auth FILE to turn it on)"
            );
            Auth::Open
        }
    };
    let policy = match &args.policy {
        Some(path) => {
            let policy = Policy::load(path).map_err(anyhow::Error::msg)?;
            tracing::info!(file = %path.display(), "governance policy is on");
            Some(Arc::new(policy))
        }
        None => None,
    };
    let mut shared_clock = None;
    let (store, clock, place): (Arc<dyn Store>, Arc<dyn Clock>, String) = match &args.store {
        Some(url) => {
            let store = PostgresStore::open(url)
                .with_context(|| format!("cannot open the store `{}`", redact(url)))?;
            // Notices and sunsets are judged by the database's clock, which every node shares.
            let clock = Arc::new(SharedClock::default());
            clock.set(store.now()?);
            shared_clock = Some(clock.clone());
            (Arc::new(store), clock, redact(url))
        }
        None => {
            let store = RocksStore::open(&args.data_dir).with_context(|| {
                format!("cannot open the data dir `{}`", args.data_dir.display())
            })?;
            let registry_id = store.registry_id()?;
            if store.created() {
                tracing::warn!(
                    data_dir = %args.data_dir.display(),
                    registry = %registry_id,
                    "created a new, empty registry: if one was expected here, stop and check --data-dir"
                );
            }
            let place = format!("{} (registry {registry_id})", args.data_dir.display());
            (Arc::new(store), Arc::new(SystemClock), place)
        }
    };
    let registry = Arc::new(
        Registry::open(store, clock)
            .with_context(|| format!("cannot load the registry from {place}"))?
            .with_parsed_budget(args.parsed_cache_mb << 20),
    );
    if let Some(clock) = shared_clock {
        registry.follow(clock);
    }
    let state = AppState::new(registry)
        .with_body_limit(args.max_body_bytes)
        .with_auth(auth)
        .with_policy(policy)
        .with_tls(tls.is_some());
    Notifier::new(state.registry.clone(), state.metrics.clone()).spawn(
        std::time::Duration::from_millis(args.webhook_poll_ms),
        args.sunset_warning_days,
    );
    let address = listener.local_addr()?;
    tracing::info!(%address, store = %place, "serving");
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("accord listening on {scheme}://{address}");
    let max_connections = connection_limit(args.max_connections);
    let app = router(state);
    // HTTP/1.1, as Schema Registry clients speak it. A client that never finishes its headers,
    // or a kept-alive connection left idle, is let go.
    let header_timeout = Duration::from_secs(args.header_timeout);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let open = Arc::new(Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    // Out of descriptors, say: keep serving the connections open, retry soon.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(
                max_connections,
                "connection limit reached: closing a new connection"
            );
            continue;
        };
        // The client's address, for the access gate's cool-down after failed logins.
        let service = TowerToHyperService::new(tower::Layer::layer(
            &axum::Extension(ClientAddr(peer.ip())),
            app.clone(),
        ));
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let stream: Box<dyn Connection> = match tls {
                None => Box::new(stream),
                // In the connection's own task: a slow handshake holds up nobody else.
                Some(tls) => match accept_tls(&tls, stream, header_timeout).await {
                    Some(stream) => Box::new(stream),
                    None => return,
                },
            };
            // No upgrades: the API has no WebSocket or CONNECT.
            let connection =
                builder.serve_connection(TokioIo::new(EnvelopedErrors::new(stream)), service);
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    // A graceful shutdown waits for every connection, and a client that sent half a request
    // would hold it forever: past the timeout, what is left is dropped.
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(Duration::from_secs(args.shutdown_timeout)) => tracing::warn!(
            timeout_seconds = args.shutdown_timeout,
            "shutdown timeout: dropping the connections left"
        ),
    }
    // The registry, and with it RocksDB, is dropped once the runtime's tasks are: the data dir
    // closes cleanly.
    tracing::info!("stopped");
    Ok(())
}

/// A client's byte stream: plain TCP, or TLS over it.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

/// The server side of TLS: the certificate chain and key from PEM files, ring's cryptography,
/// TLS 1.2 and 1.3, HTTP/1.1 offered by ALPN.
fn tls_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read the TLS certificate `{}`", cert.display()))?;
    if certs.is_empty() {
        bail!("`{}` holds no PEM certificate", cert.display());
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("cannot read the TLS private key `{}`", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("no TLS protocol version is available")?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .with_context(|| {
            format!(
                "the TLS key `{}` does not fit the certificate `{}`",
                key.display(),
                cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The connections to allow: the one asked for, within the open-file limit (raised to the
/// hard limit first) less a margin for the data dir's files.
fn connection_limit(wanted: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    let files = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        limit.rlim_cur
    };
    let files = usize::try_from(files).unwrap_or(usize::MAX);
    let allowed = wanted.min(files.saturating_sub(256).max(16));
    if allowed < wanted {
        tracing::warn!(
            wanted,
            allowed,
            open_files = files,
            "fewer connections than asked: the open-file limit"
        );
    }
    allowed
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
