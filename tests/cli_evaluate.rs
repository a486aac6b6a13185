//! `assay evaluate`, `assay match` and `assay questions`.

use crate::util::{assay, stderr, stdout};

const ANSWER: &str = "I find slow queries with pg_stat_statements, read the plan with EXPLAIN ANALYZE \
    to spot sequential scans, and add a composite index that matches the filter.";

#[test]
fn evaluate_prints_a_report_with_evidence_in_context() {
    let out = assay(
        &["evaluate", "--question", "explain-plans", "--answer", ANSWER],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Score "), "{text}");
    assert!(text.contains("with EXPLAIN ANALYZE]"), "{text}");
    assert!(text.contains("[pg_stat_statements], read"), "{text}");
    assert!(text.contains("Missing:"), "{text}");
    assert!(text.contains("Breakdown: coverage +"), "{text}");
}

#[test]
fn evaluate_json_is_the_library_evaluation() {
    let out = assay(&["evaluate", "-q", "explain-plans", "--json", "-a", ANSWER], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let library = crate::util::evaluator()
        .evaluate("explain-plans", ANSWER)
        .unwrap();
    assert_eq!(json, serde_json::to_value(&library).unwrap());
    assert!(json["signals"]["off_topic"].is_null());
}

#[test]
fn evaluate_reads_the_answer_from_stdin_and_from_a_file() {
    let from_stdin = assay(&["evaluate", "-q", "explain-plans", "--json"], Some(ANSWER));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.txt");
    std::fs::write(&file, ANSWER).unwrap();
    let from_file = assay(
        &[
            "evaluate",
            "-q",
            "explain-plans",
            "--json",
            "--answer-file",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(from_stdin.status.success() && from_file.status.success());
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
}

#[test]
fn evaluate_accepts_a_free_text_wording_and_reports_the_match() {
    let out = assay(
        &[
            "evaluate",
            "-q",
            "Walk me through speeding up slow SQL queries in PostgreSQL",
            "--json",
            "-a",
            ANSWER,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["question_id"], "explain-plans");
    assert!(json["lookup_confidence"].as_f64().is_some());
}

#[test]
fn an_unknown_question_exits_1_with_suggestions() {
    let out = assay(&["evaluate", "-q", "explain-plan", "-a", ANSWER], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown question `explain-plan`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("explain-plans"), "{}", stderr(&out));
}

#[test]
fn a_missing_answer_file_is_an_error_naming_the_file() {
    let out = assay(
        &[
            "evaluate",
            "-q",
            "explain-plans",
            "--answer-file",
            "no/such/answer.txt",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/answer.txt"), "{}", stderr(&out));
}

#[test]
fn match_reports_the_question_and_refuses_off_bank_wordings() {
    let out = assay(
        &[
            "match",
            "How do you keep a third-party API outage from taking your service down?",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["question_id"], "circuit-breakers");
    let off = assay(&["match", "Explain Rust lifetimes and the borrow checker."], None);
    assert_eq!(off.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&off)).unwrap();
    assert!(json["question_id"].is_null());
    // Confidences print as the lookup rounds them (0.43), not widened to
    // f64 noise (0.4300000071525574).
    let candidates = json["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty());
    for c in candidates {
        let printed = c["confidence"].to_string();
        let decimals = printed.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 3, "{printed}");
    }
}

#[test]
fn questions_lists_the_bank_and_searches_it() {
    let all = assay(&["questions"], None);
    assert!(all.status.success());
    assert_eq!(
        stdout(&all).lines().count(),
        crate::util::evaluator().bank().questions().len()
    );
    let found = assay(
        &[
            "questions",
            "--search",
            "mutual TLS certificates between services",
        ],
        None,
    );
    assert!(
        stdout(&found)
            .lines()
            .next()
            .unwrap_or_default()
            .starts_with("mutual-tls"),
        "{}",
        stdout(&found)
    );
}

#[test]
fn corpus_flag_and_env_override_the_embedded_bank() {
    let dir = crate::util::corpus_copy();
    std::fs::remove_file(dir.path().join("caching.toml")).unwrap();
    let out = assay(&["--corpus", dir.path().to_str().unwrap(), "questions"], None);
    assert!(!stdout(&out).contains("caching "), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).lines().count(),
        crate::util::evaluator().bank().questions().len() - 1
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .arg("match")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // Far more output than a pipe buffers, so the writes meet the closed pipe.
        for _ in 0..20_000 {
            if writeln!(stdin, "How do you read an EXPLAIN plan?").is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("explain-plans"), "{first}");
    // The reader is dropped here: stdout's pipe closes.
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?} {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
