//! `assay match`: which bank question a wording means, with confidence.

use std::io::BufRead;
use std::process::ExitCode;

use assay::Evaluator;

/// Arguments of `assay match`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The wording to look up (default: one wording per line of standard input,
    /// each answered with one JSON line).
    wording: Option<String>,
}

pub fn run(args: Args, evaluator: &Evaluator) -> anyhow::Result<ExitCode> {
    match args.wording {
        Some(wording) => {
            let found = describe(evaluator, &wording);
            outln!("{}", serde_json::to_string_pretty(&found)?)?;
            let known = found.get("question_id").is_some_and(|v| !v.is_null());
            Ok(if known {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    outln!("{}", serde_json::to_string(&describe(evaluator, &line))?)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn describe(evaluator: &Evaluator, wording: &str) -> serde_json::Value {
    let lookup = evaluator.lookup(wording);
    let id = |i: usize| evaluator.bank().questions()[i].id.to_string();
    serde_json::json!({
        "wording": wording,
        "question_id": lookup.best.map(|b| id(b.question)),
        "confidence": lookup.best.map(|b| b.confidence),
        "candidates": lookup.candidates.iter().map(|c| serde_json::json!({
            "question_id": id(c.question), "confidence": c.confidence
        })).collect::<Vec<_>>(),
    })
}
