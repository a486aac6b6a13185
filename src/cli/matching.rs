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
            Ok(if found.is_known() {
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

/// One wording's lookup as printed. A struct rather than `json!`: through a
/// `serde_json::Value` an `f32` confidence widens to `f64` and prints as
/// 0.45399999618530273, where serializing the `f32` prints 0.454.
#[derive(Debug, serde::Serialize)]
struct Described<'a> {
    wording: &'a str,
    question_id: Option<String>,
    confidence: Option<f32>,
    candidates: Vec<Candidate>,
}

/// A candidate question for a wording.
#[derive(Debug, serde::Serialize)]
struct Candidate {
    question_id: String,
    confidence: f32,
}

impl Described<'_> {
    fn is_known(&self) -> bool {
        self.question_id.is_some()
    }
}

fn describe<'a>(evaluator: &Evaluator, wording: &'a str) -> Described<'a> {
    let lookup = evaluator.lookup(wording);
    let id = |i: usize| evaluator.bank().questions()[i].id.to_string();
    Described {
        wording,
        question_id: lookup.best.map(|b| id(b.question)),
        confidence: lookup.best.map(|b| b.confidence),
        candidates: lookup
            .candidates
            .iter()
            .map(|c| Candidate {
                question_id: id(c.question),
                confidence: c.confidence,
            })
            .collect(),
    }
}
