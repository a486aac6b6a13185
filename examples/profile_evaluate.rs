//! Evaluates one answer many times: a steady workload for profilers
//! (`valgrind --tool=callgrind target/release/examples/profile_evaluate 50 answer.txt`).
//!
//! Arguments: the number of runs (default 200) and a file holding the answer
//! (default: a built-in 320-word answer to `explain-plans`).

use assay::Evaluator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let evaluator = Evaluator::embedded()?;
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let text = match args.next() {
        Some(path) => std::fs::read_to_string(path)?,
        None => "I start from data rather than guesses. The slow query log and pg_stat_statements tell me which \
            statements cost the most total time. For each of those I run EXPLAIN ANALYZE and read the plan, looking \
            for sequential scans on big tables and row estimates far from the actual rows. The usual fix is a \
            composite index that matches the filter, or a covering index. I rewrite queries that cause N+1 round \
            trips, cache hot results in Redis, and put PgBouncer in front for pooling. "
            .repeat(4),
    };
    let mut total = 0.0;
    for _ in 0..runs {
        total += evaluator.evaluate("explain-plans", &text)?.score;
    }
    println!("{runs} runs, mean score {:.1}", total / runs as f64);
    Ok(())
}
