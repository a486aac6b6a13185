//! Arguments and dispatch. Each subcommand lives in its own module.

/// `println!` that returns the write's error instead of panicking when the
/// reader has gone (`assay match < wordings | head`), so `main` exits
/// quietly on a broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// [`outln!`] without the line break, for `print!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod check;
mod evaluate;
mod grade;
mod keys;
mod matching;
mod questions;
mod report;
mod rubric;
mod serve;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use assay::Evaluator;

/// Deterministic, explainable evaluation of free-text interview answers.
#[derive(Debug, Parser)]
#[command(name = "assay", version, about)]
pub struct Cli {
    /// Corpus directory to use instead of the one compiled into the binary.
    #[arg(long, global = true, env = "ASSAY_CORPUS", value_name = "DIR")]
    corpus: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate one answer to one question.
    Evaluate(evaluate::Args),
    /// Validate a corpus and verify its model answers with the engine.
    Check(check::Args),
    /// List the bank, or search it.
    Questions(questions::Args),
    /// Evaluate a JSONL file of answers; with grades, report agreement.
    Grade(grade::Args),
    /// Find the bank question a wording means, with confidence.
    Match(matching::Args),
    /// Serve the HTTP API.
    Serve(serve::Args),
    /// Create, list and revoke API keys.
    Keys(keys::Args),
    /// Register, list, rotate and remove webhook endpoints; read their delivery logs.
    Webhooks(webhooks::Args),
    /// Rubrics for questions outside the bank: derive one from reference answers.
    Rubric(rubric::Args),
}

/// Where the store is: shared by `serve`, `keys` and `webhooks`.
#[derive(Debug, clap::Args)]
struct StoreArgs {
    /// PostgreSQL (`postgres://user:password@host/db`) for several instances;
    /// without it, an SQLite file in the data directory.
    #[arg(long, env = "ASSAY_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Directory of the SQLite store [default: $XDG_DATA_HOME/assay or ~/.local/share/assay].
    #[arg(long, env = "ASSAY_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

impl StoreArgs {
    fn location(&self) -> assay::store::Location {
        assay::store::Location::from_settings(self.database_url.as_deref(), self.data_dir.as_deref())
    }

    /// Opens the store on a runtime of its own, runs `command` with it, and
    /// closes it: what every command that manages the store does.
    fn run<F, Fut>(&self, command: F) -> anyhow::Result<ExitCode>
    where
        F: FnOnce(assay::store::Store) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<ExitCode>>,
    {
        use anyhow::Context;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let location = self.location();
        runtime.block_on(async move {
            let store = assay::store::Store::open(&location)
                .await
                .with_context(|| format!("opening the store at {}", location.describe()))?;
            let result = command(store.clone()).await;
            store.close().await;
            result
        })
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(args, cli.corpus),
        Command::Evaluate(args) => evaluate::run(args, &load(cli.corpus)?),
        Command::Questions(args) => questions::run(args, &load(cli.corpus)?),
        Command::Grade(args) => grade::run(args, &load(cli.corpus)?),
        Command::Match(args) => matching::run(args, &load(cli.corpus)?),
        Command::Serve(args) => serve::run(args, sources(cli.corpus)?),
        Command::Keys(args) => keys::run(args),
        Command::Webhooks(args) => webhooks::run(args),
        Command::Rubric(args) => rubric::run(args),
    }
}

/// The corpus files of `--corpus`, or the embedded ones.
fn sources(corpus: Option<PathBuf>) -> anyhow::Result<Vec<assay::bank::SourceFile>> {
    match corpus {
        Some(dir) => assay::bank::load::read_dir(&dir)
            .with_context(|| format!("reading the corpus in {}", dir.display())),
        None => Ok(assay::bank::embedded_sources()),
    }
}

/// The evaluator over `--corpus`, or the embedded bank.
fn load(corpus: Option<PathBuf>) -> anyhow::Result<Evaluator> {
    match corpus {
        Some(dir) => {
            Evaluator::from_dir(&dir).with_context(|| format!("loading the corpus in {}", dir.display()))
        }
        None => Evaluator::embedded().context("loading the embedded corpus"),
    }
}
