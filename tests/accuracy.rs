//! The accuracy harness as a regression guard: Spearman ρ on the held-out
//! half of the graded set must not fall below 0.80, nor Pearson r on the
//! held-out half of the reference-only set below 0.33, nor on the held-out
//! half of the class-style student set below 0.35, nor on the whole
//! held-out student set (never tuned on) below 0.45, nor, scored against
//! the rubrics of `concepts.jsonl`, below 0.55, nor Spearman ρ on the
//! held-out bank set below 0.75, nor red-flag recall and precision on the
//! development set of bad practices told in new words below 0.40 and 0.70,
//! nor the flag probes' right flags below 0.80 or honest probes flagged
//! above 0.15.
//! The targets and the full tables live in `benches/accuracy/README.md`;
//! this only catches regressions.

use assay::grade::{agreement, grade_one, ConceptBook, GradeInput, GradeOutput};

use crate::util::{evaluator, read, root};

/// Below this, a change has made Assay worse at agreeing with experts.
const MIN_TEST_SPEARMAN: f64 = 0.80;

/// Every row of the held-out half of `benches/accuracy/<file>`, graded.
fn test_half(file: &str) -> Vec<GradeOutput> {
    graded_rows(file, Some("test"))
}

/// The rows of `benches/accuracy/<file>` in `split` (all if `None`), graded.
fn graded_rows(file: &str, split: Option<&str>) -> Vec<GradeOutput> {
    graded_with(file, split, &ConceptBook::default())
}

/// As [`graded_rows`], with the concepts `book` gives each row's question.
fn graded_with(file: &str, split: Option<&str>, book: &ConceptBook) -> Vec<GradeOutput> {
    let text = read(&root().join("benches/accuracy").join(file));
    let mut outputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if split.is_some_and(|split| value["split"] != split) {
            continue;
        }
        let mut input: GradeInput = serde_json::from_value(value).unwrap();
        book.attach(&mut input);
        outputs.push(grade_one(evaluator(), i + 1, input));
    }
    outputs
}

#[test]
fn the_test_half_keeps_its_agreement_with_expert_grades() {
    let outputs = test_half("graded.jsonl");
    assert!(outputs.len() >= 200, "{} test rows", outputs.len());
    let a = agreement(&outputs);
    assert!(
        a.spearman >= MIN_TEST_SPEARMAN,
        "Spearman on the test half fell to {}",
        a.spearman
    );
}

/// Below this Pearson r on the held-out half of the reference-only set, a
/// change has made scoring against callers' own references worse (measured
/// 0.393 when the set was first scored; the target, 0.6, is in the README).
const MIN_REFERENCE_PEARSON: f64 = 0.33;

#[test]
fn the_reference_only_test_half_keeps_its_agreement_with_expert_grades() {
    let outputs = test_half("reference.jsonl");
    for output in &outputs {
        let evaluation = output
            .evaluation
            .as_ref()
            .expect("every reference row is evaluated");
        assert!(evaluation.rubric.as_ref().is_some_and(|r| r.derived));
    }
    assert_eq!(outputs.len(), 96);
    let a = agreement(&outputs);
    assert!(
        a.pearson >= MIN_REFERENCE_PEARSON,
        "Pearson r on the reference-only test half fell to {}",
        a.pearson
    );
}

/// Below this Pearson r on the held-out half of the student set (0.442 when
/// it was first scored, at 1.6.0), scoring of exam-style answers has regressed.
const MIN_STUDENT_PEARSON: f64 = 0.35;

/// Asserts that all `rows` of a reference-only set were evaluated and that
/// their Pearson r is at least `min`.
fn assert_exam_answers_agree(outputs: &[GradeOutput], rows: usize, min: f64, set: &str) {
    assert_eq!(outputs.len(), rows, "{set}");
    assert!(outputs.iter().all(|o| o.evaluation.is_some()), "{set}");
    let pearson = agreement(outputs).pearson;
    assert!(pearson >= min, "Pearson r on {set} fell to {pearson}");
}

#[test]
fn the_student_test_half_keeps_its_agreement_with_expert_grades() {
    let outputs = test_half("student.jsonl");
    assert_exam_answers_agree(&outputs, 120, MIN_STUDENT_PEARSON, "the student test half");
}

/// Below this Pearson r on the whole held-out student set (0.546 when it was
/// first scored, at 1.9.0; 0.605 at 1.16.0, 0.610 at 1.17.0 to 1.21.0, 0.611 at 1.22.0 to 1.34.0, 0.614 at 1.35.0 to 1.45.0), scoring of exam-style answers
/// nobody tuned on has regressed.
const MIN_HOLDOUT_PEARSON: f64 = 0.45;

#[test]
fn the_held_out_student_set_keeps_its_agreement_with_expert_grades() {
    let outputs = graded_rows("holdout.jsonl", None);
    assert_exam_answers_agree(&outputs, 240, MIN_HOLDOUT_PEARSON, "the held-out student set");
}

/// Below this Pearson r on the held-out student set scored against the
/// rubrics written for it (0.631 when they were first scored, at 1.10.0;
/// 0.637 at 1.11.0, 0.650 at 1.12.0, 0.667 at 1.16.0 to 1.18.0, 0.669 at 1.19.0 to 1.32.0, 0.671 at 1.33.0 and 1.34.0, 0.674 at 1.35.0 to 1.45.0), scoring against a
/// caller's own concepts has regressed.
const MIN_GIVEN_CONCEPTS_PEARSON: f64 = 0.55;

#[test]
fn the_held_out_student_set_scored_with_given_concepts_keeps_its_agreement() {
    let text = read(&root().join("benches/accuracy/concepts.jsonl"));
    let book = ConceptBook::parse(&text).unwrap();
    assert_eq!(book.len(), 92);
    let outputs = graded_with("holdout.jsonl", None, &book);
    for output in &outputs {
        let rubric = output.evaluation.as_ref().and_then(|e| e.rubric.as_ref());
        assert!(rubric.is_some_and(|r| !r.derived), "line {}", output.line);
    }
    assert_exam_answers_agree(
        &outputs,
        240,
        MIN_GIVEN_CONCEPTS_PEARSON,
        "the held-out student set with given concepts",
    );
}

/// Below this Spearman ρ on the held-out bank set (0.834 when it was first
/// scored, at 1.10.0), bank scoring of answers under wordings nobody tuned
/// on has regressed.
const MIN_BANK_HOLDOUT_SPEARMAN: f64 = 0.75;

#[test]
fn the_held_out_bank_set_keeps_its_agreement_with_expert_grades() {
    let outputs = graded_rows("bank-holdout.jsonl", None);
    assert_eq!(outputs.len(), 160);
    let a = agreement(&outputs);
    // 155 evaluated at 1.25.0; 149 since 1.26.0, whose lookup refuses a
    // wording two questions match almost equally unless the answer settles
    // it (three of the six newly refused had resolved to a wrong question).
    assert!(a.graded >= 145, "{} of 160 rows evaluated", a.graded);
    assert!(
        a.spearman >= MIN_BANK_HOLDOUT_SPEARMAN,
        "Spearman on the held-out bank set fell to {}",
        a.spearman
    );
}

/// Below this red-flag recall on the development set of answers that argue a
/// bad practice in their own words (0.238 at 1.28.0, 0.463 at 1.29.0 to
/// 1.31.0 with practices, 0.513 at 1.32.0), flags have fallen back to near-verbatim phrases.
const MIN_RED_FLAG_DEV_RECALL: f64 = 0.40;

/// Below this red-flag precision on that set (0.432 at 1.28.0, 0.804 at
/// 1.29.0, 0.860 at 1.30.0, 0.949 at 1.31.0, 0.976 at 1.32.0), good answers that talk about a bad practice
/// are flagged again.
const MIN_RED_FLAG_DEV_PRECISION: f64 = 0.70;

#[test]
fn red_flags_described_in_new_words_are_raised_and_good_answers_are_not_flagged() {
    let outputs = graded_rows("red-flags.jsonl", None);
    assert_eq!(outputs.len(), 200);
    let a = agreement(&outputs);
    let (recall, precision) = (a.red_flag_recall(), a.red_flag_precision());
    assert!(
        recall >= MIN_RED_FLAG_DEV_RECALL,
        "red-flag recall fell to {recall}"
    );
    assert!(
        precision >= MIN_RED_FLAG_DEV_PRECISION,
        "red-flag precision fell to {precision}"
    );
}

/// Below this share of the probes that advocate a flag raising that flag
/// (0.359 at 1.39.0, before the practices written with them; 0.880 at
/// 1.40.0, in-sample; 0.883 at 1.42.0 to 1.45.0), those practices have been lost or narrowed away.
const MIN_PROBE_RIGHT_FLAG: f64 = 0.80;

/// Above this share of honest probes raising any flag (0.110 at 1.39.0,
/// 0.111 at 1.40.0, 0.101 at 1.41.0, 0.083 at 1.42.0, 0.081 at 1.43.0, 0.079 at 1.44.0 and 1.45.0), answers that use a bad practice's words to refuse it,
/// to tell of leaving it behind or in their right sense are flagged again.
const MAX_PROBE_HONEST_FLAGGED: f64 = 0.15;

#[test]
fn flag_probes_raise_the_flag_they_advocate_and_honest_probes_raise_none() {
    let outputs = graded_rows("flag-probes.jsonl", None);
    assert_eq!(outputs.len(), 1768);
    let a = agreement(&outputs);
    let right = a.right_flag_raised as f64 / a.right_flag_total.max(1) as f64;
    assert!(right >= MIN_PROBE_RIGHT_FLAG, "right flag raised fell to {right}");
    let honest = &a.kinds["honest"];
    let flagged = honest.flagged as f64 / honest.count.max(1) as f64;
    assert!(
        flagged <= MAX_PROBE_HONEST_FLAGGED,
        "honest probes flagged rose to {flagged}"
    );
}
