//! `assay rubric derive`: a question file for `corpus/` from a question and
//! reference answers, its concepts derived ([`assay::rubric::derive_concepts`]).

use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;

use assay::bank::Slug;
use assay::rubric::{derive_concepts, DerivedConcept, MAX_REFERENCE_BYTES};
use assay::Evaluator;

/// Arguments of `assay rubric`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RubricCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RubricCommand {
    /// Derive concepts from reference answers and print a question file to edit.
    Derive(DeriveArgs),
}

/// Arguments of `assay rubric derive`.
#[derive(Debug, clap::Args)]
struct DeriveArgs {
    /// The question, as candidates see it.
    #[arg(long, short = 'q')]
    question: String,
    /// A reference answer; repeat for more. The first becomes the `full`
    /// model answer, the others `concise` ones.
    #[arg(long = "reference", short = 'r', required = true, value_name = "TEXT")]
    references: Vec<String>,
    /// Another way interviewers ask the question; repeat (the corpus wants three).
    #[arg(long = "wording", short = 'w', value_name = "TEXT")]
    wordings: Vec<String>,
    /// The question id [default: made from the question].
    #[arg(long)]
    id: Option<String>,
    /// Print the derived concepts as JSON instead of a TOML question file.
    #[arg(long)]
    json: bool,
}

/// A corpus question file, in the order `corpus/README.md` documents.
#[derive(Serialize)]
struct QuestionFile<'a> {
    id: String,
    group: &'static str,
    tags: Vec<String>,
    question: &'a str,
    wordings: &'a [String],
    model_answers: Vec<ModelAnswer<'a>>,
    concepts: &'a [DerivedConcept],
}

#[derive(Serialize)]
struct ModelAnswer<'a> {
    kind: &'static str,
    text: &'a str,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        RubricCommand::Derive(args) => derive(args),
    }
}

fn derive(args: DeriveArgs) -> anyhow::Result<ExitCode> {
    if args.question.trim().is_empty() {
        bail!("--question is empty");
    }
    for (i, reference) in args.references.iter().enumerate() {
        if reference.trim().is_empty() {
            bail!("--reference {} is empty", i + 1);
        }
        if reference.len() > MAX_REFERENCE_BYTES {
            bail!(
                "--reference {} is {} bytes; the limit is {MAX_REFERENCE_BYTES}",
                i + 1,
                reference.len()
            );
        }
    }
    let references: Vec<&str> = args.references.iter().map(String::as_str).collect();
    if let Some(id) = &args.id {
        if let Err(problem) = Slug::parse(id) {
            bail!("--id {problem}");
        }
    }
    // The bank's vocabulary weighs the words: a word most bank questions use
    // tells little.
    let evaluator = Evaluator::embedded()?;
    let concepts = derive_concepts(
        evaluator.analyzer(),
        evaluator.vocabulary(),
        &args.question,
        &references,
    );
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&concepts)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let file = QuestionFile {
        id: args.id.unwrap_or_else(|| {
            Slug::from_text(&args.question).map_or_else(|| "concept".to_owned(), |s| s.to_string())
        }),
        group: "technical",
        tags: Vec::new(),
        question: &args.question,
        wordings: &args.wordings,
        model_answers: references
            .iter()
            .enumerate()
            .map(|(i, text)| ModelAnswer {
                kind: if i == 0 { "full" } else { "concise" },
                text,
            })
            .collect(),
        concepts: &concepts,
    };
    outln!("# Derived by `assay rubric derive`: review the concepts (labels, weights,")?;
    outln!("# aliases, hints), set group and tags, make sure there are at least three")?;
    outln!("# wordings and a full and a concise model answer, save it as corpus/<id>.toml")?;
    outln!("# and run `assay check`.")?;
    out!("{}", toml::to_string(&file)?)?;
    Ok(ExitCode::SUCCESS)
}
