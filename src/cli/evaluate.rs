//! `assay evaluate`: one answer, a human-readable report or the JSON evaluation.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use assay::{Evaluator, RatingThresholds};

use super::report;

/// Arguments of `assay evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A bank question id, or a question's wording in free text.
    #[arg(long, short)]
    question: String,
    /// The answer text (default: read standard input).
    #[arg(long, short, conflicts_with = "answer_file")]
    answer: Option<String>,
    /// Read the answer from this file.
    #[arg(long, value_name = "FILE")]
    answer_file: Option<PathBuf>,
    /// Print the evaluation as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, evaluator: &Evaluator) -> anyhow::Result<ExitCode> {
    let answer = match (&args.answer, &args.answer_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the answer from {}", path.display()))?,
        (None, None) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the answer from standard input")?;
            text
        }
    };

    // An exact id wins; an id-shaped string that is no id is a mistyped id,
    // refused with suggestions; anything else is a wording to look up.
    let result = if evaluator.bank().get(&args.question).is_some() {
        evaluator.evaluate(&args.question, &answer).map(|e| (None, e))
    } else if assay::bank::Slug::parse(&args.question).is_ok() {
        Err(assay::Error::UnknownQuestion {
            query: args.question.clone(),
            suggestions: evaluator.suggest(&args.question),
        })
    } else {
        evaluator
            .evaluate_wording(&args.question, &answer, RatingThresholds::default())
            .map(|found| (Some(found.matched.confidence), found.evaluation))
    };
    let (lookup, evaluation) = match result {
        Ok(found) => found,
        Err(assay::Error::UnknownQuestion { query, suggestions }) => {
            eprintln!("error: unknown question `{query}`");
            if !suggestions.is_empty() {
                eprintln!("closest: {}", suggestions.join(", "));
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let question_id = evaluation.question_id.clone();
    if args.json {
        let mut value = serde_json::to_value(&evaluation)?;
        if let (Some(confidence), Some(map)) = (lookup, value.as_object_mut()) {
            map.insert("lookup_confidence".into(), serde_json::json!(confidence));
        }
        outln!("{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        let question = evaluator
            .bank()
            .get(&question_id)
            .map(|q| q.question.as_str())
            .unwrap_or_default();
        out!("{}", report::render(question, &answer, &evaluation, lookup))?;
    }
    Ok(ExitCode::SUCCESS)
}
