//! Evaluate a 250-word answer; the analyzer alone on the same text for comparison.
//!
//! Target on a 2-core machine: evaluate p50 <= 100 µs for 250 words.
//! Run: `cargo bench --bench evaluate`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use assay::text::Analyzer;
use assay::Evaluator;

/// A realistic strong answer, repeated and cut to exactly `words` words.
fn answer(words: usize) -> String {
    const TEXT: &str = "I start from data rather than guesses. The slow query log and pg_stat_statements \
        tell me which statements cost the most total time, counting both how slow each call is and how often \
        it runs. For each of those I run EXPLAIN ANALYZE and read the plan, looking for sequential scans on \
        big tables, row estimates far from the actual rows, and sorts that spill to disk. The usual fix is a \
        composite index that matches the filter and the sort order, or a covering index so the query becomes \
        an index-only scan. I also drop unused indexes because every index slows writes. I rewrite queries \
        that select every column or cause N+1 round trips from the ORM, and use keyset pagination instead of \
        large offsets. For read-heavy paths I cache hot results in Redis with a sensible TTL, move reporting \
        to a read replica, and put PgBouncer in front of the primary for connection pooling. Very large \
        tables can be partitioned by date. Finally I compare p95 latency before and after on production-like \
        data and keep monitoring it as the tables grow.";
    TEXT.split_whitespace()
        .cycle()
        .take(words)
        .collect::<Vec<_>>()
        .join(" ")
}

fn bench(c: &mut Criterion) {
    let evaluator = Evaluator::embedded().expect("the embedded corpus loads");
    let text = answer(250);
    c.bench_function("evaluate/250-words", |b| {
        b.iter(|| evaluator.evaluate(black_box("explain-plans"), black_box(&text)))
    });
    let analyzer = Analyzer::english();
    c.bench_function("analyze/250-words", |b| {
        b.iter(|| analyzer.analyze(black_box(&text)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
