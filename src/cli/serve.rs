//! `assay serve`: the HTTP API on the embedded bank (or `--corpus`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use assay::api::{self, AppState, Config, Server};
use assay::Evaluator;

/// Arguments of `assay serve`. Every flag has an `ASSAY_*` variable.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "ASSAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Largest request body, in bytes.
    #[arg(long, env = "ASSAY_BODY_LIMIT", default_value_t = Config::default().body_limit)]
    body_limit: usize,
    /// Largest batch request body, in bytes.
    #[arg(long, env = "ASSAY_BATCH_BODY_LIMIT", default_value_t = Config::default().batch_body_limit)]
    batch_body_limit: usize,
    /// Longest answer accepted, in bytes.
    #[arg(long, env = "ASSAY_MAX_ANSWER_BYTES", default_value_t = Config::default().max_answer_bytes)]
    max_answer_bytes: usize,
    /// Requests handled at once; more are refused with 503 and Retry-After.
    #[arg(long, env = "ASSAY_MAX_IN_FLIGHT", default_value_t = Config::default().max_in_flight)]
    max_in_flight: usize,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "ASSAY_REQUEST_TIMEOUT", default_value_t = Config::default().request_timeout.as_secs_f64())]
    request_timeout: f64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "ASSAY_SHUTDOWN_GRACE", default_value_t = Config::default().shutdown_grace.as_secs_f64())]
    shutdown_grace: f64,
    /// Origins browsers may call the API from (repeat, or comma-separate; `*` for any).
    #[arg(
        long = "cors-origin",
        env = "ASSAY_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    cors_origins: Vec<String>,
    /// Log one JSON object per line instead of text.
    #[arg(long, env = "ASSAY_LOG_JSON")]
    log_json: bool,
}

impl Args {
    fn config(&self) -> anyhow::Result<Config> {
        let seconds = |value: f64, flag: &str| {
            Duration::try_from_secs_f64(value)
                .with_context(|| format!("--{flag} must be a number of seconds ≥ 0"))
        };
        Ok(Config {
            listen: self.listen,
            body_limit: self.body_limit,
            batch_body_limit: self.batch_body_limit,
            max_answer_bytes: self.max_answer_bytes,
            max_in_flight: self.max_in_flight,
            request_timeout: seconds(self.request_timeout, "request-timeout")?,
            shutdown_grace: seconds(self.shutdown_grace, "shutdown-grace")?,
            cors_origins: self.cors_origins.clone(),
        })
    }
}

/// Logs to standard error; `RUST_LOG` filters (default: info).
fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // Fails only when a subscriber is already set, which leaves logging working.
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

pub fn run(args: Args, evaluator: Evaluator) -> anyhow::Result<ExitCode> {
    init_logging(args.log_json);
    let config = args.config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let questions = evaluator.bank().questions().len();
        let state = AppState::new(Arc::new(evaluator), config);
        let listen = state.config.listen;
        let server = Server::bind(state)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = server.local_addr().context("reading the bound address")?;
        tracing::info!(%addr, questions, "assay is serving on http://{addr}");
        server.run(api::shutdown_signal()).await.context("serving")?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}
