//! `assay questions [--search TEXT]`: list or search the bank.

use std::process::ExitCode;

use assay::Evaluator;

/// Arguments of `assay questions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rank the questions by relevance to this text.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, evaluator: &Evaluator) -> anyhow::Result<ExitCode> {
    let questions = evaluator.bank().questions();
    let listed: Vec<usize> = match &args.search {
        Some(text) => evaluator.search(text, 10).into_iter().map(|(i, _)| i).collect(),
        None => (0..questions.len()).collect(),
    };
    if args.json {
        let rows: Vec<serde_json::Value> = listed
            .iter()
            .map(|&i| {
                let q = &questions[i];
                serde_json::json!({"id": q.id, "group": q.group, "tags": q.tags, "question": q.question})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?)?;
    } else {
        for &i in &listed {
            let q = &questions[i];
            outln!("{:<32} {:<11} {}", q.id, q.group, q.question)?;
        }
    }
    if listed.is_empty() {
        eprintln!("no question matches");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
