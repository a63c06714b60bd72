//! `accord serve`

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::api::{AppState, DEFAULT_BODY_LIMIT, router};
use crate::registry::{Registry, SystemClock};
use crate::store::RocksStore;

/// Run the schema registry: Confluent Schema Registry's REST API over a RocksDB data dir.
///
/// Prints `accord listening on http://ADDR` once it accepts connections (with `--listen
/// 127.0.0.1:0`, ADDR has the port the system chose). SIGINT or SIGTERM stop it after the
/// requests in flight (for at most `--shutdown-timeout`), and close the data dir cleanly.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where the registry keeps its data (created if missing)
    #[arg(long, env = "ACCORD_DATA_DIR", default_value = "./accord-data")]
    data_dir: PathBuf,
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
    /// Start even though the write-ahead log is damaged before its end, keeping the writes
    /// before the damage and dropping the rest (acknowledged ones among them). Without it, such
    /// a data dir is refused; keep a copy of it first
    #[arg(long)]
    drop_damaged_log: bool,
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
    let store = if args.drop_damaged_log {
        tracing::warn!(
            data_dir = %args.data_dir.display(),
            "opening with --drop-damaged-log: writes after any damage in the log are dropped"
        );
        RocksStore::open_dropping_damaged_log(&args.data_dir)
    } else {
        RocksStore::open(&args.data_dir)
    }
    .with_context(|| format!("cannot open the data dir `{}`", args.data_dir.display()))?;
    let registry = Registry::open(Arc::new(store), Arc::new(SystemClock))
        .context("cannot load the registry from its data dir")?;
    let state = AppState::new(Arc::new(registry));
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on `{}`", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, data_dir = %args.data_dir.display(), "serving");
    println!("accord listening on http://{address}");
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(state, args.max_body_bytes)).with_graceful_shutdown(
        async move {
            shutdown_signal().await;
            let _ = stopping.send(());
        },
    );
    // A graceful shutdown waits for every connection, and a client that sent half a request
    // would hold it forever: past the timeout, what is left is dropped.
    let deadline = async move {
        if stopped.await.is_ok() {
            tokio::time::sleep(std::time::Duration::from_secs(args.shutdown_timeout)).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served.context("the server failed")?,
        () = deadline => tracing::warn!(
            timeout_seconds = args.shutdown_timeout,
            "shutdown timeout: dropping the connections left"
        ),
    }
    // The registry, and with it RocksDB, is dropped once the runtime's tasks are: the data dir
    // closes cleanly.
    tracing::info!("stopped");
    Ok(())
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
