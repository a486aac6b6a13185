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
fn a_missing_input_file_is_an_error() {
    let out = assay(&["grade", "--input", "no/such.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such.jsonl"));
}
