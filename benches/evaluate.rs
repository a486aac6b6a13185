//! The costs that bound Assay: evaluation by answer length (against a bank
//! question and against a caller's own reference), the analyzer alone on the
//! same texts, question wording lookup, bank load with index build, and the
//! JSON encoding of an evaluation.
//!
//! Targets on a 2-core machine: evaluate p50 ≤ 100 µs for 250 words and
//! ≤ 2 ms for 5,000 words, growing linearly with length; evaluate ≤ 2× the
//! analyzer; bank load + index build ≤ 200 ms.
//! Run: `cargo bench --bench evaluate` (figures in `benches/README.md`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

use assay::rubric::RubricSpec;
use assay::text::Analyzer;
use assay::Evaluator;

/// Answer lengths measured, in words.
const LENGTHS: [usize; 4] = [50, 250, 1_000, 5_000];

/// The question the answers are evaluated against.
const QUESTION: &str = "explain-plans";

/// Real answers from the graded set: this question's strong and good answers
/// first, then every other answer in file order, so long texts stay varied
/// (new words keep arriving, as in a long rambling answer) rather than one
/// paragraph repeated.
fn graded_answers() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/accuracy/graded.jsonl");
    let text = std::fs::read_to_string(path).expect("benches/accuracy/graded.jsonl is readable");
    let rows: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("graded.jsonl holds JSON lines"))
        .collect();
    let field = |row: &serde_json::Value, name: &str| row[name].as_str().unwrap_or("").to_owned();
    let own = |row: &serde_json::Value| {
        field(row, "id").starts_with(QUESTION) && ["strong", "good"].contains(&field(row, "kind").as_str())
    };
    let mut answers: Vec<String> = rows
        .iter()
        .filter(|r| own(r))
        .map(|r| field(r, "answer"))
        .collect();
    answers.extend(rows.iter().filter(|r| !own(r)).map(|r| field(r, "answer")));
    answers
}

/// The first `words` words of the graded answers, joined.
fn answer_of(answers: &[String], words: usize) -> String {
    let text: Vec<&str> = answers
        .iter()
        .flat_map(|a| a.split_whitespace())
        .cycle()
        .take(words)
        .collect();
    text.join(" ")
}

/// One benchmark group of `run` over answers of every length in [`LENGTHS`].
fn over_lengths<R>(c: &mut Criterion, group: &str, answers: &[String], run: impl Fn(&str) -> R) {
    let mut group = c.benchmark_group(group);
    for words in LENGTHS {
        let text = answer_of(answers, words);
        group.throughput(Throughput::Elements(words as u64));
        group.bench_with_input(BenchmarkId::from_parameter(words), &text, |b, text| {
            b.iter(|| run(black_box(text)))
        });
    }
    group.finish();
}

fn by_length(c: &mut Criterion) {
    let evaluator = Evaluator::embedded().expect("the embedded corpus loads");
    let analyzer = Analyzer::english();
    let answers = graded_answers();
    over_lengths(c, "evaluate", &answers, |text| evaluator.evaluate(QUESTION, text));
    over_lengths(c, "analyze", &answers, |text| analyzer.analyze(text));
}

/// A question outside the bank with one reference answer: its concepts are
/// derived, and every answer is also read for similarity, synonyms and
/// contradictions, which bank questions skip.
fn ad_hoc(c: &mut Criterion) {
    let evaluator = Evaluator::embedded().expect("the embedded corpus loads");
    let spec = RubricSpec {
        question: Some("What is the difference between a process and a thread?".to_owned()),
        reference_answers: vec![
            "A process is an independent program in execution with its own address space and \
             resources such as open files. A thread runs inside a process and shares its memory \
             and resources with the other threads of that process, but has its own stack, \
             registers and program counter, so threads are cheaper to create and switch between."
                .to_owned(),
        ],
        ..RubricSpec::default()
    };
    // Every request that brings a rubric pays this before its evaluation.
    c.bench_function("prepare_ad_hoc", |b| b.iter(|| evaluator.prepare(&spec)));
    let question = evaluator.prepare(&spec).expect("the bench rubric is valid");
    over_lengths(c, "evaluate_ad_hoc", &graded_answers(), |text| {
        evaluator.evaluate_ad_hoc(&question, text, Default::default())
    });
}

fn lookup(c: &mut Criterion) {
    let evaluator = Evaluator::embedded().expect("the embedded corpus loads");
    let mut group = c.benchmark_group("lookup");
    // A wording of a bank question in an interviewer's own words, and one the
    // bank does not hold (refused after the same search).
    let cases = [
        (
            "bank",
            "How would you work out why some of our SQL queries got slow, and fix them?",
        ),
        (
            "off-bank",
            "Explain how lifetimes work in Rust and when you need to annotate them.",
        ),
    ];
    for (name, wording) in cases {
        group.bench_with_input(BenchmarkId::from_parameter(name), wording, |b, wording| {
            b.iter(|| evaluator.lookup(black_box(wording)))
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("bank");
    group.sample_size(10);
    group.bench_function("load+index", |b| {
        b.iter(|| Evaluator::embedded().expect("the embedded corpus loads"))
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let evaluator = Evaluator::embedded().expect("the embedded corpus loads");
    let text = answer_of(&graded_answers(), 250);
    let evaluation = evaluator
        .evaluate(QUESTION, &text)
        .expect("the bench answer evaluates");
    let mut group = c.benchmark_group("encode");
    group.bench_function("evaluation/250-words", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(8 * 1024),
            |buffer| serde_json::to_writer(buffer, black_box(&evaluation)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, by_length, ad_hoc, lookup, load, encode);
criterion_main!(benches);
