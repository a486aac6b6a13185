//! `assay check [DIR]`: validate a corpus, then score its model answers.

use std::path::PathBuf;
use std::process::ExitCode;

use assay::bank::BankError;
use assay::{check, Evaluator};

/// Arguments of `assay check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The corpus directory (default: `--corpus`, else ./corpus).
    dir: Option<PathBuf>,
}

pub fn run(args: Args, corpus: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let dir = args.dir.or(corpus).unwrap_or_else(|| PathBuf::from("corpus"));
    let evaluator = match Evaluator::from_dir(&dir) {
        Ok(e) => e,
        Err(assay::Error::Bank(BankError::Invalid(diagnostics))) => {
            for d in &diagnostics {
                outln!("{d}")?;
            }
            eprintln!("{}: {} problem(s)", dir.display(), diagnostics.len());
            return Ok(ExitCode::from(1));
        }
        Err(assay::Error::Bank(e @ (BankError::Io { .. } | BankError::Empty(_)))) => {
            outln!("{e}")?;
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let (problems, lowest) = check::model_answers(&evaluator)?;
    for p in &problems {
        outln!("{}", p)?;
    }
    let questions = evaluator.bank().questions().len();
    if problems.is_empty() {
        eprintln!(
            "{}: {questions} questions, {} common red flags; every model answer scores >= {} (lowest {lowest:.1}) with no red flag",
            dir.display(),
            evaluator.bank().common_red_flags().len(),
            check::MIN_MODEL_SCORE,
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{}: {} problem(s) in {questions} questions",
            dir.display(),
            problems.len()
        );
        Ok(ExitCode::from(1))
    }
}
