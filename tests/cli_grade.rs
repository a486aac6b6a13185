//! `assay grade`: batch evaluation and agreement.

use crate::util::{assay, stderr, stdout};

const INPUT: &str = r#"{"id":"a","question_id":"explain-plans","answer":"I read the plan with EXPLAIN ANALYZE, look for sequential scans and add a composite index, then cache hot reads in Redis and compare latency before and after.","grade":4,"kind":"good"}
{"id":"b","question_id":"explain-plans","answer":"I would follow best practices and make sure everything is scalable and maintainable for the team.","grade":1,"kind":"generic"}
not json at all
{"id":"c","question_id":"no-such-question","answer":"x","grade":0}
{"id":"d","question":"How do you stop a payment API from charging customers twice on retries?","expected_question_id":"idempotency-keys","answer":"Clients send an idempotency key, we store it with a unique constraint and replay the saved response.","grade":3,"kind":"partial"}
"#;

#[test]
fn grade_writes_one_result_per_line_in_order_and_reports_agreement() {
    let out = assay(&["grade", "--input", "-", "--output", "-"], Some(INPUT));
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["evaluation"]["score"].as_f64().is_some());
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[2]["error"]["code"], "invalid_input");
    assert_eq!(lines[3]["error"]["code"], "unknown_question");
    assert_eq!(lines[4]["question_id"], "idempotency-keys");
    let report = stderr(&out);
    assert!(report.contains("spearman rho"), "{report}");
    assert!(report.contains("unknown question"), "{report}");
    assert!(report.contains("skipping -:3"), "{report}");
}

#[test]
fn grade_json_report_has_the_figures() {
    let out = assay(&["grade", "--input", "-", "--json"], Some(INPUT));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let all = &report["all"];
    assert_eq!(all["rows"], 5);
    assert_eq!(all["graded"], 3);
    assert_eq!(all["unknown"], 1);
    assert_eq!(all["failed"], 1);
    assert_eq!(all["lookup_correct"], 1);
    assert!(all["spearman"].as_f64().unwrap() > 0.0);
}

#[test]
fn grade_reports_whether_the_flag_a_row_advocates_is_the_one_raised() {
    let rows = r#"{"question_id":"security-practices","answer":"We store passwords in plain text, which keeps support simple.","grade":0,"kind":"red_flag","expected_flags":["weak-password-storage"]}
{"question_id":"security-practices","answer":"We store passwords in plain text, which keeps support simple.","grade":0,"kind":"red_flag","expected_flags":["hardcoded-secrets"]}
{"question_id":"security-practices","answer":"We hash passwords with argon2id.","grade":2,"kind":"partial"}
"#;
    let out = assay(&["grade", "--input", "-", "--json"], Some(rows));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["all"]["right_flag_total"], 2, "{report}");
    assert_eq!(report["all"]["right_flag_raised"], 1, "{report}");
    let table = assay(&["grade", "--input", "-"], Some(rows));
    assert!(stdout(&table).contains("right flag raised"), "{}", stdout(&table));
}

#[test]
fn grade_rates_on_the_thresholds_given_and_passes_grades_from_their_yes() {
    let out = assay(
        &[
            "grade",
            "--input",
            "-",
            "--output",
            "-",
            "--thresholds",
            "10,20,30",
        ],
        Some(INPUT),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut rated = 0;
    for line in &lines {
        let Some(score) = line["evaluation"]["score"].as_f64() else {
            continue;
        };
        let expected = match score {
            s if s >= 30.0 => "strong_yes",
            s if s >= 20.0 => "yes",
            s if s >= 10.0 => "no",
            _ => "definitely_not",
        };
        assert_eq!(line["evaluation"]["rating"], expected, "{line}");
        rated += 1;
    }
    assert_eq!(rated, 3);

    let report = assay(
        &["grade", "--input", "-", "--json", "--thresholds", "10,20,30"],
        Some(INPUT),
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    assert_eq!(report["all"]["pass_grade"], 1.0);
    let default = assay(&["grade", "--input", "-", "--json"], Some(INPUT));
    let default: serde_json::Value = serde_json::from_str(&stdout(&default)).unwrap();
    assert_eq!(default["all"]["pass_grade"], 3.0);
}

#[test]
fn bad_thresholds_are_refused_with_what_is_wrong() {
    for (value, says) in [
        ("20,50", "expected three scores"),
        ("70,50,80", "0 <= no <= yes <= strong_yes <= 100"),
        ("a,50,80", "`a` is not a number"),
    ] {
        let out = assay(&["grade", "--input", "-", "--thresholds", value], Some(INPUT));
        assert_eq!(out.status.code(), Some(2), "{value}");
        let message = stderr(&out);
        assert!(
            message.contains("--thresholds") && message.contains(says),
            "{message}"
        );
    }
}

#[test]
fn a_missing_input_file_is_an_error() {
    let out = assay(&["grade", "--input", "no/such.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such.jsonl"));
}

/// Two reference rows for one question, the second with concepts of its own.
const REFERENCE_ROWS: &str = r#"{"id":"own-words","question":"What does a mutex guarantee?","reference":"Only one thread at a time can hold it and enter the critical section.","answer":"It gives mutual exclusion: whoever holds the lock runs alone."}
{"id":"own-concepts","question":"What does a mutex guarantee?","reference":"Only one thread at a time can hold it and enter the critical section.","concepts":[{"label":"a lock"}],"answer":"It gives mutual exclusion: whoever holds the lock runs alone."}
"#;

/// A concepts file for [`REFERENCE_ROWS`]' question.
const CONCEPTS: &str = r#"{"question":"What does a mutex guarantee?","concepts":[{"label":"mutual exclusion","weight":3,"aliases":["mutual exclusion","runs alone"]}]}"#;

/// The rubric each result line was scored against: (derived, concept ids).
fn rubrics_used(out: &std::process::Output) -> Vec<(bool, Vec<String>)> {
    stdout(out)
        .lines()
        .map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).unwrap();
            let rubric = &line["evaluation"]["rubric"];
            let ids = rubric["concepts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect();
            (rubric["derived"].as_bool().unwrap(), ids)
        })
        .collect()
}

#[test]
fn concepts_from_a_file_replace_derived_ones_for_rows_without_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("concepts.jsonl");
    std::fs::write(&path, CONCEPTS).unwrap();
    let file = path.to_str().unwrap();
    let with = assay(
        &["grade", "--input", "-", "--output", "-", "--concepts", file],
        Some(REFERENCE_ROWS),
    );
    assert!(with.status.success(), "{}", stderr(&with));
    let used = rubrics_used(&with);
    assert_eq!(used[0], (false, vec!["mutual-exclusion".to_owned()]));
    assert_eq!(used[1], (false, vec!["a-lock".to_owned()]));
    let without = assay(&["grade", "--input", "-", "--output", "-"], Some(REFERENCE_ROWS));
    assert!(without.status.success(), "{}", stderr(&without));
    assert!(
        rubrics_used(&without)[0].0,
        "without the file the first row's concepts are derived"
    );
}

#[test]
fn a_bad_concepts_file_is_refused_with_its_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("concepts.jsonl");
    std::fs::write(&path, format!("{CONCEPTS}\n{{\"question\": 3}}\n")).unwrap();
    let file = path.to_str().unwrap();
    let out = assay(
        &["grade", "--input", "-", "--concepts", file],
        Some(REFERENCE_ROWS),
    );
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("concepts.jsonl") && message.contains("line 2"),
        "{message}"
    );
    let missing = assay(
        &["grade", "--input", "-", "--concepts", "no/such.jsonl"],
        Some(REFERENCE_ROWS),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such.jsonl"));
}

/// `n` short answers, alternating bank ids, with ids `r0`, `r1`, ….
fn many_rows(n: usize) -> String {
    let questions = ["explain-plans", "idempotency-keys", "circuit-breakers"];
    (0..n)
        .map(|i| {
            let q = questions[i % questions.len()];
            format!(
                r#"{{"id":"r{i}","question_id":"{q}","answer":"Answer {i}: add an index, use a key, trip the breaker after {i} failures."}}"#
            ) + "\n"
        })
        .collect()
}

#[test]
fn results_keep_input_order_across_batches_and_threads() {
    // More lines than one batch, so several batches and both threads run.
    let input = many_rows(5_000);
    let two = assay(
        &["grade", "--input", "-", "--output", "-", "--threads", "2"],
        Some(&input),
    );
    assert!(two.status.success(), "{}", stderr(&two));
    let lines: Vec<serde_json::Value> = stdout(&two)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5_000);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["id"], format!("r{i}"));
        assert_eq!(line["line"], i + 1);
    }
    // One thread writes the very same bytes: order and scores do not depend on
    // how the work was shared out.
    let one = assay(
        &["grade", "--input", "-", "--output", "-", "--threads", "1"],
        Some(&input),
    );
    assert_eq!(stdout(&one), stdout(&two));
    let report = stderr(&two);
    assert!(report.contains("graded 5000 answers in"), "{report}");
    assert!(report.contains("answers/s on 2 threads"), "{report}");
}

#[test]
fn bad_lines_are_reported_with_their_numbers_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.jsonl");
    let good = many_rows(2);
    let mut lines = good.lines();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(lines.next().unwrap().as_bytes());
    bytes.extend_from_slice(b"\n{\"id\":\"x\",\"answer\":\"caf\xe9\"}\n");
    // Longer than any line `assay grade` reads (4 MiB).
    bytes.extend_from_slice(format!("{{\"answer\":\"{}\"}}\n", "a".repeat(5 << 20)).as_bytes());
    bytes.extend_from_slice(b"{\"id\": \"no answer\"}\n\n");
    bytes.extend_from_slice(lines.next().unwrap().as_bytes());
    bytes.push(b'\n');
    std::fs::write(&path, &bytes).unwrap();
    let input = path.to_str().unwrap();

    let out = assay(&["grade", "--input", input, "--output", "-"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let results: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(u64, Option<&str>)> = results
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["error"]["code"].as_str()))
        .collect();
    // The blank line 5 is not a row; every other line has its result, in order.
    assert_eq!(
        summary,
        [
            (1, None),
            (2, Some("invalid_input")),
            (3, Some("invalid_input")),
            (4, Some("invalid_input")),
            (6, None)
        ]
    );
    let report = stderr(&out);
    assert!(
        report.contains(&format!("skipping {input}:2: the line is not UTF-8")),
        "{report}"
    );
    let long = r#"{"answer":""#.len() + (5 << 20) + 2;
    assert!(
        report.contains(&format!("skipping {input}:3: the line is {long} bytes long")),
        "{report}"
    );
    // The file's line number, and a column of that line: not serde's own
    // "at line 1", which would contradict it.
    let line_four = report
        .lines()
        .find(|l| l.starts_with(&format!("skipping {input}:4: column ")))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(line_four.ends_with(": missing field `answer`"), "{line_four}");
    let failed = report.lines().map(|l| l.split_whitespace().collect::<Vec<_>>());
    assert!(
        failed.into_iter().any(|words| words == ["failed", "3"]),
        "{report}"
    );
}
