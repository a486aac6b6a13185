//! Batch grading: evaluate graded answers and measure agreement with the grades.
//!
//! Each input line is a JSON object with `question_id` (a bank id) or
//! `question` (free text, resolved through the lookup), `answer`, and
//! optionally `grade` (0–5), `kind`, `id`, `split`, `expected_question_id`,
//! `twin_of`. A line that brings its own rubric — `question` with
//! `reference` or `reference_answers`, and optionally `concepts` and
//! `red_flags` — is scored against it instead of the bank.

mod agreement;
mod concepts;
pub mod lines;

pub use agreement::*;
pub use concepts::{ConceptBook, ConceptsFileError};

use serde::{Deserialize, Serialize};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::rubric::{ConceptSpec, RedFlagSpec, RubricProblem, RubricSpec};
use crate::score::{AdHocQuestion, EvaluateOptions, Evaluation, Evaluator, RatingThresholds};
use crate::Error;

/// One line of a grading input.
#[derive(Debug, Clone, Deserialize)]
pub struct GradeInput {
    /// The row's own id, echoed back.
    #[serde(default)]
    pub id: Option<String>,
    /// A bank question id.
    #[serde(default)]
    pub question_id: Option<String>,
    /// A free-text question wording, resolved through the lookup.
    #[serde(default)]
    pub question: Option<String>,
    /// For wording rows: the question the wording means, to measure the lookup.
    #[serde(default)]
    pub expected_question_id: Option<String>,
    /// The candidate's answer.
    pub answer: String,
    /// An expert grade, 0–5.
    #[serde(default)]
    pub grade: Option<f64>,
    /// The kind of answer (strong, generic, off_topic, …).
    #[serde(default)]
    pub kind: Option<String>,
    /// For typos rows: the id of the correctly spelled twin.
    #[serde(default)]
    pub twin_of: Option<String>,
    /// For red_flag rows: the flags the answer advocates, to measure whether
    /// the right one is raised, not just any.
    #[serde(default)]
    pub expected_flags: Option<Vec<String>>,
    /// The half of a development set the row belongs to (`tune`, `test`).
    #[serde(default)]
    pub split: Option<String>,
    /// One reference answer: the row brings its own rubric.
    #[serde(default)]
    pub reference: Option<String>,
    /// Reference answers: the row brings its own rubric.
    #[serde(default)]
    pub reference_answers: Option<Vec<String>>,
    /// The rubric's concepts (derived from the references when absent).
    #[serde(default)]
    pub concepts: Option<Vec<ConceptSpec>>,
    /// The rubric's red flags.
    #[serde(default)]
    pub red_flags: Option<Vec<RedFlagSpec>>,
}

impl GradeInput {
    /// The rubric the row brings, if it brings one.
    fn rubric(&self) -> Option<RubricSpec> {
        if self.reference.is_none() && self.reference_answers.is_none() {
            return None;
        }
        let mut references: Vec<String> = self.reference.iter().cloned().collect();
        references.extend(self.reference_answers.iter().flatten().cloned());
        Some(RubricSpec {
            question: self.question.clone(),
            reference_answers: references,
            concepts: self.concepts.clone(),
            red_flags: self.red_flags.clone().unwrap_or_default(),
        })
    }
}

/// The error part of a result line.
#[derive(Debug, Clone, Serialize)]
pub struct GradeError {
    /// `unknown_question`, `answer_too_long`, `invalid_input`, …
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// For unknown questions: the closest ids.
    pub suggestions: Vec<String>,
}

/// One line of grading output.
#[derive(Debug, Clone, Serialize)]
pub struct GradeOutput {
    /// 1-based input line number.
    pub line: usize,
    /// The input row's id.
    pub id: Option<String>,
    /// The question evaluated against.
    pub question_id: Option<String>,
    /// The lookup confidence when a wording was resolved.
    pub lookup_confidence: Option<f32>,
    /// For a row with its own rubric: how far the rubric can be trusted.
    pub rubric_confidence: Option<f64>,
    /// The input's grade.
    pub grade: Option<f64>,
    /// The input's kind.
    pub kind: Option<String>,
    /// The evaluation, or `null` on error.
    pub evaluation: Option<Evaluation>,
    /// The error, or `null`.
    pub error: Option<GradeError>,
    #[serde(skip)]
    expected_question_id: Option<String>,
    #[serde(skip)]
    twin_of: Option<String>,
    #[serde(skip)]
    expected_flags: Option<Vec<String>>,
    /// The input's split, reported on separately.
    #[serde(skip)]
    pub split: Option<String>,
}

impl GradeOutput {
    /// What agreement needs of this result.
    pub fn observation(&self) -> Observation {
        let evaluated = self.evaluation.as_ref().map(|e| Outcome {
            score: e.score,
            rating: e.rating,
            flagged: !e.red_flags.is_empty(),
        });
        Observation {
            id: self.id.clone().filter(|_| self.grade.is_some()),
            twin_of: self.twin_of.clone(),
            kind: self.kind.clone(),
            grade: self.grade,
            lookup_correct: self
                .expected_question_id
                .as_ref()
                .map(|expected| self.question_id.as_ref() == Some(expected)),
            error: self.error.as_ref().map(|e| e.code),
            right_flag: self
                .expected_flags
                .as_ref()
                .filter(|expected| !expected.is_empty())
                .zip(self.evaluation.as_ref())
                .map(|(expected, e)| e.red_flags.iter().any(|f| expected.contains(&f.id))),
            evaluated,
        }
    }
}

/// Computes agreement over graded outputs.
pub fn agreement(outputs: &[GradeOutput]) -> Agreement {
    let mut builder = AgreementBuilder::default();
    for output in outputs {
        builder.add(&output.observation());
    }
    builder.finish()
}

/// The most rubrics a [`RubricCache`] keeps; past it, it starts afresh.
const MAX_CACHED_RUBRICS: usize = 1_024;

/// The ad-hoc questions of one grading run, prepared once each: a backfill
/// usually sends many answers to the same question and reference, and
/// deriving and compiling a rubric costs more than evaluating an answer.
#[derive(Debug, Default)]
pub struct RubricCache {
    prepared: Mutex<HashMap<String, Arc<AdHocQuestion>>>,
}

impl RubricCache {
    /// The question `spec` describes, prepared now or earlier in the run.
    fn prepare(
        &self,
        evaluator: &Evaluator,
        spec: &RubricSpec,
    ) -> Result<Arc<AdHocQuestion>, Vec<RubricProblem>> {
        let Ok(key) = serde_json::to_string(spec) else {
            return evaluator.prepare(spec).map(Arc::new);
        };
        if let Some(found) = self.prepared.lock().ok().and_then(|map| map.get(&key).cloned()) {
            return Ok(found);
        }
        let question = Arc::new(evaluator.prepare(spec)?);
        if let Ok(mut map) = self.prepared.lock() {
            if map.len() >= MAX_CACHED_RUBRICS {
                map.clear();
            }
            map.insert(key, Arc::clone(&question));
        }
        Ok(question)
    }
}

/// Evaluates one input line (already parsed), rated on the default thresholds.
pub fn grade_one(evaluator: &Evaluator, line: usize, input: GradeInput) -> GradeOutput {
    grade_one_with(
        evaluator,
        &RubricCache::default(),
        RatingThresholds::default(),
        line,
        input,
    )
}

/// [`grade_one`], reusing the rubrics `cache` already prepared and rating on
/// `thresholds` (an ATS's own scale).
pub fn grade_one_with(
    evaluator: &Evaluator,
    cache: &RubricCache,
    thresholds: RatingThresholds,
    line: usize,
    input: GradeInput,
) -> GradeOutput {
    let mut out = GradeOutput {
        line,
        id: input.id.clone(),
        question_id: None,
        lookup_confidence: None,
        rubric_confidence: None,
        grade: input.grade,
        kind: input.kind.clone(),
        evaluation: None,
        error: None,
        expected_question_id: input.expected_question_id.clone(),
        twin_of: input.twin_of.clone(),
        expected_flags: input.expected_flags.clone(),
        split: input.split.clone(),
    };
    if let Some(spec) = input.rubric() {
        if input.question_id.is_some() {
            out.error = Some(invalid(
                "a line brings either `question_id` or its own rubric, not both".into(),
            ));
            return out;
        }
        match cache.prepare(evaluator, &spec) {
            Ok(question) => {
                out.question_id = Some(question.question().id.to_string());
                out.rubric_confidence = Some(question.confidence());
                match evaluator.evaluate_ad_hoc(&question, &input.answer, thresholds) {
                    Ok(evaluation) => out.evaluation = Some(evaluation),
                    Err(e) => out.error = Some(to_grade_error(&e)),
                }
            }
            Err(problems) => {
                out.error = Some(GradeError {
                    code: "invalid_rubric",
                    message: problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                    suggestions: Vec::new(),
                })
            }
        }
        return out;
    }
    let result = match (&input.question_id, &input.question) {
        (Some(id), _) => {
            out.question_id = Some(id.clone());
            let options = EvaluateOptions {
                thresholds,
                asked: None,
            };
            evaluator.evaluate_with(id, &input.answer, &options)
        }
        (None, Some(wording)) => evaluator
            .evaluate_wording(wording, &input.answer, thresholds)
            .map(|found| {
                out.question_id = Some(found.evaluation.question_id.clone());
                out.lookup_confidence = Some(found.matched.confidence);
                found.evaluation
            }),
        (None, None) => {
            out.error = Some(invalid(
                "a line needs `question_id`, `question`, or `question` with `reference`".into(),
            ));
            return out;
        }
    };
    match result {
        Ok(evaluation) => out.evaluation = Some(evaluation),
        Err(e) => out.error = Some(to_grade_error(&e)),
    }
    out
}

/// The error line for a malformed input line (`split` when it could be read).
pub fn invalid_line(line: usize, split: Option<String>, message: String) -> GradeOutput {
    GradeOutput {
        line,
        id: None,
        question_id: None,
        lookup_confidence: None,
        rubric_confidence: None,
        grade: None,
        kind: None,
        evaluation: None,
        error: Some(invalid(message)),
        expected_question_id: None,
        twin_of: None,
        expected_flags: None,
        split,
    }
}

/// An `invalid_input` error.
fn invalid(message: String) -> GradeError {
    GradeError {
        code: "invalid_input",
        message,
        suggestions: Vec::new(),
    }
}

fn to_grade_error(e: &Error) -> GradeError {
    match e {
        Error::UnknownQuestion { suggestions, .. } => GradeError {
            code: "unknown_question",
            message: e.to_string(),
            suggestions: suggestions.clone(),
        },
        Error::AnswerTooLong { .. } => GradeError {
            code: "answer_too_long",
            message: e.to_string(),
            suggestions: Vec::new(),
        },
        _ => GradeError {
            code: "evaluation_failed",
            message: e.to_string(),
            suggestions: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(answer: &str) -> GradeInput {
        serde_json::from_value(serde_json::json!({
            "question": "What does a mutex guarantee?",
            "reference": "Only one thread at a time runs the critical section it guards.",
            "answer": answer,
        }))
        .unwrap()
    }

    #[test]
    fn a_cached_rubric_grades_exactly_as_a_fresh_one() {
        let evaluator = Evaluator::embedded().unwrap();
        let cache = RubricCache::default();
        for answer in [
            "One thread at a time enters the critical section.",
            "It makes code faster.",
        ] {
            let fresh = serde_json::to_string(&grade_one(&evaluator, 1, line(answer))).unwrap();
            let first = serde_json::to_string(&grade_one_with(
                &evaluator,
                &cache,
                RatingThresholds::default(),
                1,
                line(answer),
            ))
            .unwrap();
            let cached = serde_json::to_string(&grade_one_with(
                &evaluator,
                &cache,
                RatingThresholds::default(),
                1,
                line(answer),
            ))
            .unwrap();
            assert_eq!(fresh, first);
            assert_eq!(fresh, cached);
        }
        assert_eq!(cache.prepared.lock().unwrap().len(), 1);
    }
}
