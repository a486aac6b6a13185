//! `assay grade`: evaluate a JSONL file and, with grades, report agreement.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use assay::grade::{self, Agreement, GradeInput, GradeOutput, RATINGS};
use assay::Evaluator;

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
}

pub fn run(args: Args, evaluator: &Evaluator) -> anyhow::Result<ExitCode> {
    let reader: Box<dyn BufRead> = if args.input.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
        Box::new(BufReader::new(file))
    };
    let mut writer: Option<Box<dyn Write>> = match &args.output {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(BufWriter::new(std::io::stdout().lock()))),
        Some(p) => Some(Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        ))),
    };
    let mut outputs: Vec<(Option<String>, GradeOutput)> = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let number = i + 1;
        let line = line.with_context(|| format!("reading line {number} of {}", args.input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let (split, output) = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(value) => {
                let split = value.get("split").and_then(|s| s.as_str()).map(str::to_owned);
                match serde_json::from_value::<GradeInput>(value) {
                    Ok(input) => (split, grade::grade_one(evaluator, number, input)),
                    Err(e) => (split, invalid(&args, number, e)),
                }
            }
            Err(e) => (None, invalid(&args, number, e)),
        };
        if let Some(w) = writer.as_mut() {
            serde_json::to_writer(&mut *w, &output)?;
            w.write_all(b"\n")?;
        }
        outputs.push((split, output));
    }
    if let Some(mut w) = writer {
        w.flush()?;
    }

    let mut sets: BTreeMap<String, Vec<GradeOutput>> = BTreeMap::new();
    for (split, output) in &outputs {
        sets.entry("all".into()).or_default().push(output.clone());
        if let Some(split) = split {
            sets.entry(split.clone()).or_default().push(output.clone());
        }
    }
    let reports: BTreeMap<String, Agreement> = sets
        .iter()
        .map(|(k, v)| (k.clone(), grade::agreement(v)))
        .collect();
    let text = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&reports)?)
    } else {
        table(&reports)
    };
    // Results on stdout push the report to stderr, so the two never mix.
    if args.output.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}

fn invalid(args: &Args, number: usize, e: serde_json::Error) -> GradeOutput {
    let message = format!("{}:{number}: {e}", args.input.display());
    eprintln!("skipping {message}");
    grade::invalid_line(number, message)
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
    let rows: [Row; 12] = [
        ("rows", |a| a.rows.to_string()),
        ("graded", |a| a.graded.to_string()),
        ("unknown question", |a| a.unknown.to_string()),
        ("failed", |a| a.failed.to_string()),
        ("spearman rho", |a| format!("{:.3}", a.spearman)),
        ("spearman rho (honest)", |a| format!("{:.3}", a.spearman_honest)),
        ("pearson r", |a| format!("{:.3}", a.pearson)),
        ("wording lookup", |a| {
            format!("{}/{}", a.lookup_correct, a.lookup_total)
        }),
        ("typos within 10 of twin", |a| {
            format!("{}/{}", a.typos_within_10, a.typos_total)
        }),
        ("red-flag recall", |a| format!("{:.3}", a.red_flag_recall())),
        ("red-flag precision", |a| format!("{:.3}", a.red_flag_precision())),
        ("flags on rejects", |a| a.rejects_flagged.to_string()),
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
