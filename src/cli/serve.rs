//! `assay serve`: the HTTP API on the embedded bank (or `--corpus`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use assay::api::{self, AppState, Catalog, Config, Server};
use assay::bank::SourceFile;
use assay::store::Store;
use assay::Evaluator;

use super::StoreArgs;

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
    /// Serve without API keys: requests without a key act as an admin of the
    /// default tenant. Loopback addresses only.
    #[arg(long, env = "ASSAY_OPEN")]
    open: bool,
    #[command(flatten)]
    store: StoreArgs,
    /// Record every evaluation in the store.
    #[arg(long, env = "ASSAY_RECORDS", default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    records: bool,
    /// Keep the answer text in evaluation records.
    #[arg(long, env = "ASSAY_STORE_ANSWERS", default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    store_answers: bool,
    /// Seconds a completed Idempotency-Key is replayed.
    #[arg(long, env = "ASSAY_IDEMPOTENCY_TTL", default_value_t = Config::default().idempotency_ttl.as_secs_f64())]
    idempotency_ttl: f64,
    /// Seconds a request holds its Idempotency-Key before another instance
    /// may take it over (when the first died mid-request).
    #[arg(long, env = "ASSAY_IDEMPOTENCY_LEASE", default_value_t = Config::default().idempotency_lease.as_secs_f64())]
    idempotency_lease: f64,
    /// Requests a minute per key without a limit of its own (0: no limit).
    #[arg(long, env = "ASSAY_RATE_LIMIT", default_value_t = Config::default().rate_limit_per_minute)]
    rate_limit: u32,
    /// The URL candidates and recruiters reach this service at, for the
    /// assessment and report links it hands out (default: the request's Host).
    #[arg(long, env = "ASSAY_PUBLIC_URL")]
    public_url: Option<String>,
    /// Days a recruiter's report link works.
    #[arg(long, env = "ASSAY_REPORT_LINK_DAYS", default_value_t = 30)]
    report_link_days: u32,
    /// Serve the /practice page and its API without a key.
    #[arg(long, env = "ASSAY_PRACTICE", default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    practice: bool,
    /// Practice requests a minute, over every caller together (0: no limit).
    #[arg(long, env = "ASSAY_PRACTICE_RATE_LIMIT", default_value_t = Config::default().practice_rate_per_minute)]
    practice_rate_limit: u32,
}

/// Parses `on`/`off` (also `true`/`false`, `1`/`0`).
fn on_off(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(format!("`{value}` is not on or off")),
    }
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
            open: self.open,
            records: self.records,
            store_answers: self.store_answers,
            idempotency_ttl: seconds(self.idempotency_ttl, "idempotency-ttl")?,
            idempotency_lease: seconds(self.idempotency_lease, "idempotency-lease")?,
            rate_limit_per_minute: self.rate_limit,
            public_url: match &self.public_url {
                Some(url) => {
                    let parsed = reqwest::Url::parse(url)
                        .with_context(|| format!("--public-url `{url}` is not a URL"))?;
                    anyhow::ensure!(
                        matches!(parsed.scheme(), "http" | "https") && parsed.query().is_none(),
                        "--public-url must be an http(s) URL without a query, such as https://assay.example.com"
                    );
                    Some(url.trim_end_matches('/').to_owned())
                }
                None => None,
            },
            report_link_ttl: Duration::from_secs(u64::from(self.report_link_days.max(1)) * 24 * 60 * 60),
            practice: self.practice,
            practice_rate_per_minute: self.practice_rate_limit,
            ..Config::default()
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

/// Serves the bank built from `sources`.
pub fn run(args: Args, sources: Vec<SourceFile>) -> anyhow::Result<ExitCode> {
    init_logging(args.log_json);
    let config = args.config()?;
    config.validate()?;
    let evaluator = Evaluator::from_sources(&sources).context("loading the corpus")?;
    // Read the word vectors now (about 20 ms), not in the first request
    // that brings its own question.
    assay::text::vectors::shipped();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let questions = evaluator.bank().questions().len();
        let location = args.store.location();
        let store = Store::open(&location)
            .await
            .with_context(|| format!("opening the store at {}", location.describe()))?;
        tracing::info!(store = %location.describe(), "store ready");
        if !config.open && store.active_keys().await? == 0 {
            eprintln!(
                "No API keys exist yet, so every API request will be refused with 401.\n\
                 Create an admin key (shown once) with:\n    \
                 assay keys create --role admin --name <your-name>\n\
                 or try Assay on this machine without keys: assay serve --open"
            );
        }
        // Webhook messages queued by this or any other instance (or before a
        // restart) are sent from here.
        let sender = assay::webhooks::sender::spawn(store.clone(), assay::webhooks::SenderConfig::default());
        let catalog = Arc::new(Catalog::new(Arc::new(evaluator), sources));
        let state = AppState::new(catalog, store.clone(), config);
        let listen = state.config.listen;
        let server = Server::bind(state)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = server.local_addr().context("reading the bound address")?;
        tracing::info!(%addr, questions, "assay is serving on http://{addr}");
        server.run(api::shutdown_signal()).await.context("serving")?;
        // An attempt cut short is retried once its lease runs out.
        sender.abort();
        store.close().await;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}
