//! The accuracy harness as a regression guard: Spearman ρ on the held-out
//! half of the graded set must not fall below 0.80. The target and the full
//! table live in `benches/accuracy/README.md`; this only catches regressions.

use assay::grade::{agreement, grade_one, GradeInput};

use crate::util::{evaluator, read, root};

/// Below this, a change has made Assay worse at agreeing with experts.
const MIN_TEST_SPEARMAN: f64 = 0.80;

#[test]
fn the_test_half_keeps_its_agreement_with_expert_grades() {
    let text = read(&root().join("benches/accuracy/graded.jsonl"));
    let mut outputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if value["split"] != "test" {
            continue;
        }
        let input: GradeInput = serde_json::from_value(value).unwrap();
        outputs.push(grade_one(evaluator(), i + 1, input));
    }
    assert!(outputs.len() >= 200, "{} test rows", outputs.len());
    let a = agreement(&outputs);
    assert!(
        a.spearman >= MIN_TEST_SPEARMAN,
        "Spearman on the test half fell to {}",
        a.spearman
    );
}
