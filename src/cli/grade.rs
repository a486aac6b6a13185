//! `assay grade`: evaluate a JSONL file and, with grades, report agreement.
//!
//! Built for backfills: the input streams through in batches (memory stays
//! flat on a file of any size), each batch is evaluated on every core, results
//! are written in input order, a malformed line is reported with its number
//! and skipped, and a progress bar with rate and ETA is drawn when standard
//! error is a terminal.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use assay::grade::lines::{BoundedLines, Line};
use assay::grade::{self, Agreement, AgreementBuilder, ConceptBook, GradeInput, Observation, RATINGS};
use assay::score::RatingThresholds;
use assay::Evaluator;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

/// Longest input line read, in bytes: an answer of the longest length
/// evaluated ([`assay::score::MAX_ANSWER_BYTES`]) with room for JSON escapes.
const MAX_LINE_BYTES: usize = 4 * assay::score::MAX_ANSWER_BYTES;
/// Lines evaluated together: enough to keep every core busy, few enough that
/// memory stays small.
const BATCH_LINES: usize = 2048;
/// Input bytes per batch at most, whatever the line count.
const BATCH_BYTES: u64 = 8 << 20;

/// Arguments of `assay grade`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The JSONL input file (`-` for standard input).
    #[arg(long, short)]
    input: PathBuf,
    /// Write one JSON result per input line here (`-` for standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Print the agreement report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Threads evaluating answers [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// Rating thresholds as `NO,YES,STRONG_YES` (scores 0–100), as an ATS
    /// rates: the results' ratings and the pass agreement follow them
    /// [default: 35,60,80].
    #[arg(long, value_name = "NO,YES,STRONG_YES", value_parser = parse_thresholds)]
    thresholds: Option<RatingThresholds>,
    /// A JSONL file of `{"question": …, "concepts": [ … ]}`: lines that
    /// bring references but no concepts are scored against the concepts
    /// given here for their question, instead of derived ones.
    #[arg(long, value_name = "FILE")]
    concepts: Option<PathBuf>,
}

/// Reads the `--concepts` file, naming it and the line at fault.
fn read_concepts(path: &std::path::Path) -> anyhow::Result<ConceptBook> {
    let name = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
    ConceptBook::parse(&text).with_context(|| format!("{name}: not a concepts file"))
}

/// Reads `NO,YES,STRONG_YES`: three scores, ascending, within 0–100.
fn parse_thresholds(text: &str) -> Result<RatingThresholds, String> {
    let values: Vec<f64> = text
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{}` is not a number", v.trim()))
        })
        .collect::<Result<_, _>>()?;
    let [no, yes, strong_yes] = values[..] else {
        return Err(format!(
            "expected three scores, NO,YES,STRONG_YES; got {}",
            values.len()
        ));
    };
    RatingThresholds::new(no, yes, strong_yes).map_err(|e| e.to_string())
}

/// One input line, evaluated.
struct Graded {
    /// The result line, serialised, when results are written.
    json: Vec<u8>,
    observation: Observation,
    split: Option<String>,
    /// Why the line was skipped, for standard error.
    skipped: Option<String>,
}

pub fn run(args: Args, evaluator: &Evaluator) -> anyhow::Result<ExitCode> {
    let name = args.input.display().to_string();
    let book = match &args.concepts {
        Some(path) => read_concepts(path)?,
        None => ConceptBook::default(),
    };
    let (reader, size): (Box<dyn BufRead>, Option<u64>) = if args.input.as_os_str() == "-" {
        (Box::new(BufReader::new(std::io::stdin())), None)
    } else {
        let file = File::open(&args.input).with_context(|| format!("opening {name}"))?;
        let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (Box::new(BufReader::with_capacity(1 << 16, file)), size)
    };
    let to_stdout = args.output.as_ref().is_some_and(|p| p.as_os_str() == "-");
    let mut writer: Option<Box<dyn Write>> = match &args.output {
        None => None,
        Some(_) if to_stdout => Some(Box::new(BufWriter::new(std::io::stdout().lock()))),
        Some(p) => Some(Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        ))),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting the grading threads")?;

    let mut lines = BoundedLines::new(reader, MAX_LINE_BYTES);
    let progress = Progress::new(size);
    let started = Instant::now();
    let mut answers = 0u64;
    let mut sets: BTreeMap<String, AgreementBuilder> = BTreeMap::new();
    let rubrics = grade::RubricCache::default();
    let thresholds = args.thresholds.unwrap_or_default();
    let context = LineContext {
        evaluator,
        rubrics: &rubrics,
        book: &book,
        thresholds,
        name: &name,
        serialise: writer.is_some(),
    };
    loop {
        let batch = read_batch(&mut lines).with_context(|| format!("reading {name}"))?;
        if batch.is_empty() {
            break;
        }
        let results: Vec<Graded> = pool.install(|| {
            batch
                .into_par_iter()
                .filter_map(|line| grade_line(&context, line))
                .collect()
        });
        for graded in results {
            if let Some(message) = &graded.skipped {
                progress.bar.suspend(|| eprintln!("skipping {message}"));
            }
            if let Some(w) = writer.as_mut() {
                w.write_all(&graded.json)?;
            }
            let builder = || AgreementBuilder::for_thresholds(thresholds);
            sets.entry("all".into())
                .or_insert_with(builder)
                .add(&graded.observation);
            if let Some(split) = graded.split {
                sets.entry(split).or_insert_with(builder).add(&graded.observation);
            }
            answers += 1;
        }
        progress.update(lines.consumed(), answers, started.elapsed());
    }
    if let Some(mut w) = writer {
        w.flush()?;
    }
    progress.bar.finish_and_clear();
    let elapsed = started.elapsed();
    eprintln!(
        "graded {answers} answers in {:.2} s: {:.0} answers/s on {} threads",
        elapsed.as_secs_f64(),
        rate(answers, elapsed),
        pool.current_num_threads()
    );

    let reports: BTreeMap<String, Agreement> = sets.into_iter().map(|(k, v)| (k, v.finish())).collect();
    let text = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&reports)?)
    } else {
        table(&reports)
    };
    // Results on stdout push the report to stderr, so the two never mix.
    if to_stdout {
        eprint!("{text}");
    } else {
        out!("{text}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The next lines to evaluate together: up to [`BATCH_LINES`] lines or
/// [`BATCH_BYTES`] of input.
fn read_batch<R: BufRead>(lines: &mut BoundedLines<R>) -> std::io::Result<Vec<Line>> {
    let mut batch = Vec::new();
    let until = lines.consumed() + BATCH_BYTES;
    while batch.len() < BATCH_LINES && lines.consumed() < until {
        match lines.next_line()? {
            Some(line) => batch.push(line),
            None => break,
        }
    }
    Ok(batch)
}

/// What every line of one run is graded with.
struct LineContext<'a> {
    evaluator: &'a Evaluator,
    rubrics: &'a grade::RubricCache,
    /// Concepts from `--concepts`, by question.
    book: &'a ConceptBook,
    thresholds: RatingThresholds,
    /// The input's name, for messages.
    name: &'a str,
    /// Whether result lines are written, so each is serialised.
    serialise: bool,
}

/// Evaluates one line; `None` for a blank line, which is not a row.
fn grade_line(context: &LineContext<'_>, line: Line) -> Option<Graded> {
    let LineContext {
        evaluator,
        rubrics,
        book,
        thresholds,
        name,
        serialise,
    } = *context;
    let number = line.number;
    let (output, skipped) = match line.text {
        Err(problem) => {
            let message = format!("{name}:{number}: {problem}");
            (grade::invalid_line(number, None, message.clone()), Some(message))
        }
        Ok(text) if text.trim().is_empty() => return None,
        Ok(text) => match serde_json::from_str::<GradeInput>(&text) {
            Ok(mut input) => {
                book.attach(&mut input);
                (
                    grade::grade_one_with(evaluator, rubrics, thresholds, number, input),
                    None,
                )
            }
            Err(e) => {
                // Still count the row in its half when the JSON says which.
                let split = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("split")?.as_str().map(str::to_owned));
                let message = format!("{name}:{number}: {}", grade::lines::column_message(&e));
                (grade::invalid_line(number, split, message.clone()), Some(message))
            }
        },
    };
    let mut json = Vec::new();
    if serialise {
        // Serialising plain data to a vector cannot fail; an empty line would
        // only hide a bug, so say so in the line instead.
        if serde_json::to_writer(&mut json, &output).is_err() {
            json = br#"{"error":{"code":"serialisation_failed"}}"#.to_vec();
        }
        json.push(b'\n');
    }
    Some(Graded {
        json,
        observation: output.observation(),
        split: output.split,
        skipped,
    })
}

/// Answers per second.
fn rate(answers: u64, elapsed: Duration) -> f64 {
    answers as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// The progress bar on standard error: drawn only on a terminal.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `size` bytes of input, or a spinner when the size is unknown.
    fn new(size: Option<u64>) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let (bar, template) = match size {
            Some(size) => (
                ProgressBar::new(size),
                "{elapsed_precise} [{wide_bar}] {percent:>3}%  {msg}  ETA {eta}",
            ),
            None => (
                ProgressBar::new_spinner(),
                "{spinner} {elapsed_precise}  {bytes} read  {msg}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    fn update(&self, consumed: u64, answers: u64, elapsed: Duration) {
        self.bar.set_position(consumed);
        self.bar
            .set_message(format!("{answers} answers, {:.0}/s", rate(answers, elapsed)));
    }
}

fn table(reports: &BTreeMap<String, Agreement>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let order: Vec<&String> = std::iter::once("all")
        .chain(["tune", "test"])
        .filter_map(|k| reports.get_key_value(k).map(|(k, _)| k))
        .chain(
            reports
                .keys()
                .filter(|k| !["all", "tune", "test"].contains(&k.as_str())),
        )
        .collect();
    let _ = write!(out, "{:<28}", "");
    for k in &order {
        let _ = write!(out, "{k:>10}");
    }
    let _ = writeln!(out);
    type Row = (&'static str, fn(&Agreement) -> String);
    let rows: [Row; 15] = [
        ("rows", |a| a.rows.to_string()),
        ("graded", |a| a.graded.to_string()),
        ("unknown question", |a| a.unknown.to_string()),
        ("failed", |a| a.failed.to_string()),
        ("spearman rho", |a| format!("{:.3}", a.spearman)),
        ("spearman rho (honest)", |a| format!("{:.3}", a.spearman_honest)),
        ("pearson r", |a| format!("{:.3}", a.pearson)),
        ("|score - 20 x grade|", |a| format!("{:.1}", a.score_error)),
        ("pass agreement", |a| format!("{:.3}", a.pass_agreement)),
        ("wording lookup", |a| {
            format!("{}/{}", a.lookup_correct, a.lookup_total)
        }),
        ("typos within 10 of twin", |a| {
            format!("{}/{}", a.typos_within_10, a.typos_total)
        }),
        ("red-flag recall", |a| format!("{:.3}", a.red_flag_recall())),
        ("red-flag precision", |a| format!("{:.3}", a.red_flag_precision())),
        ("flags on rejects", |a| a.rejects_flagged.to_string()),
        ("right flag raised", |a| {
            format!("{}/{}", a.right_flag_raised, a.right_flag_total)
        }),
    ];
    for (name, value) in rows {
        let _ = write!(out, "{name:<28}");
        for k in &order {
            let _ = write!(out, "{:>10}", value(&reports[*k]));
        }
        let _ = writeln!(out);
    }
    for k in &order {
        let a = &reports[*k];
        let _ = writeln!(out, "\n[{k}] mean score by grade:");
        for (g, s) in &a.mean_score_by_grade {
            let _ = writeln!(out, "  grade {g:<4} {s:>6.1}");
        }
        let _ = writeln!(
            out,
            "[{k}] {:<22}{:>5}{:>7}{:>7}{:>15}{:>5}{:>5}{:>11}{:>8}",
            "kind", "n", "score", "grade", "definitely_not", "no", "yes", "strong_yes", "flagged"
        );
        for (kind, f) in &a.kinds {
            let _ = write!(
                out,
                "  {kind:<24}{:>5}{:>7.1}{:>7.2}",
                f.count, f.mean_score, f.mean_grade
            );
            for (rating, width) in RATINGS.iter().zip([15, 5, 5, 11]) {
                let n = f.ratings.get(rating.as_str()).copied().unwrap_or(0);
                let _ = write!(out, "{n:>width$}");
            }
            let _ = writeln!(out, "{:>8}", f.flagged);
        }
    }
    out
}
