//! Batch grading: evaluate graded answers and measure agreement with the grades.
//!
//! Each input line is a JSON object with `question_id` (a bank id) or
//! `question` (free text, resolved through the lookup), `answer`, and
//! optionally `grade` (0–5), `kind`, `id`, `expected_question_id`, `twin_of`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::score::{Evaluation, Evaluator, Rating, RatingThresholds};
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
}

/// Evaluates one input line (already parsed).
pub fn grade_one(evaluator: &Evaluator, line: usize, input: GradeInput) -> GradeOutput {
    let mut out = GradeOutput {
        line,
        id: input.id.clone(),
        question_id: None,
        lookup_confidence: None,
        grade: input.grade,
        kind: input.kind.clone(),
        evaluation: None,
        error: None,
        expected_question_id: input.expected_question_id.clone(),
        twin_of: input.twin_of.clone(),
    };
    let result = match (&input.question_id, &input.question) {
        (Some(id), _) => {
            out.question_id = Some(id.clone());
            evaluator.evaluate(id, &input.answer)
        }
        (None, Some(wording)) => evaluator
            .evaluate_wording(wording, &input.answer, RatingThresholds::default())
            .map(|found| {
                out.question_id = Some(found.evaluation.question_id.clone());
                out.lookup_confidence = Some(found.matched.confidence);
                found.evaluation
            }),
        (None, None) => {
            out.error = Some(GradeError {
                code: "invalid_input",
                message: "a line needs `question_id` or `question`".into(),
                suggestions: Vec::new(),
            });
            return out;
        }
    };
    match result {
        Ok(evaluation) => out.evaluation = Some(evaluation),
        Err(e) => out.error = Some(to_grade_error(&e)),
    }
    out
}

/// The error line for a malformed input line.
pub fn invalid_line(line: usize, message: String) -> GradeOutput {
    GradeOutput {
        line,
        id: None,
        question_id: None,
        lookup_confidence: None,
        grade: None,
        kind: None,
        evaluation: None,
        error: Some(GradeError {
            code: "invalid_input",
            message,
            suggestions: Vec::new(),
        }),
        expected_question_id: None,
        twin_of: None,
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

/// Per-kind figures of an agreement report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindFigures {
    /// Rows of this kind that were evaluated.
    pub count: usize,
    /// Mean score.
    pub mean_score: f64,
    /// Mean grade.
    pub mean_grade: f64,
    /// Rows per rating.
    pub ratings: BTreeMap<&'static str, usize>,
    /// Rows raising at least one red flag.
    pub flagged: usize,
}

/// How well scores agree with expert grades.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Agreement {
    /// Rows read.
    pub rows: usize,
    /// Rows evaluated that carry a grade.
    pub graded: usize,
    /// Rows refused as unknown questions.
    pub unknown: usize,
    /// Rows that failed otherwise (malformed, too long).
    pub failed: usize,
    /// Spearman ρ between score and grade.
    pub spearman: f64,
    /// Pearson r between score and grade.
    pub pearson: f64,
    /// Spearman ρ on the honest kinds (strong, good, partial, generic).
    pub spearman_honest: f64,
    /// Mean score per grade.
    pub mean_score_by_grade: BTreeMap<String, f64>,
    /// Figures per kind.
    pub kinds: BTreeMap<String, KindFigures>,
    /// Wording rows whose lookup found the expected question, and how many there were.
    pub lookup_correct: usize,
    /// Wording rows with an expected question.
    pub lookup_total: usize,
    /// Typos rows within 10 points of their twin, and how many had a twin.
    pub typos_within_10: usize,
    /// Typos rows whose twin was evaluated.
    pub typos_total: usize,
    /// red_flag rows raising at least one flag (recall's numerator).
    pub red_flag_flagged: usize,
    /// red_flag rows evaluated.
    pub red_flag_total: usize,
    /// Rows of any kind but negated raising a flag (precision's denominator:
    /// negated answers may dismiss a practice whose absence is a red flag).
    pub flagged_rows: usize,
    /// rejects_bad_practice rows raising a flag (should be zero).
    pub rejects_flagged: usize,
}

impl Agreement {
    /// Share of red_flag answers that raise a flag.
    pub fn red_flag_recall(&self) -> f64 {
        ratio(self.red_flag_flagged, self.red_flag_total)
    }

    /// Share of flagged answers (negated aside) that are red_flag answers.
    pub fn red_flag_precision(&self) -> f64 {
        ratio(self.red_flag_flagged, self.flagged_rows)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        round3(a as f64 / b as f64)
    }
}

/// The honest kinds: answers that are not adversarial.
pub const HONEST_KINDS: &[&str] = &["strong", "good", "partial", "generic"];

/// Computes agreement over graded outputs.
pub fn agreement(outputs: &[GradeOutput]) -> Agreement {
    let mut a = Agreement {
        rows: outputs.len(),
        ..Agreement::default()
    };
    let mut pairs = Vec::new();
    let mut honest = Vec::new();
    let mut by_grade: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    let mut kind_sums: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    let mut score_by_id: BTreeMap<&str, f64> = BTreeMap::new();
    for o in outputs {
        if let Some(err) = &o.error {
            if err.code == "unknown_question" {
                a.unknown += 1;
            } else {
                a.failed += 1;
            }
        }
        if let Some(expected) = &o.expected_question_id {
            a.lookup_total += 1;
            if o.question_id.as_deref() == Some(expected.as_str()) {
                a.lookup_correct += 1;
            }
        }
        let Some(e) = &o.evaluation else { continue };
        if let Some(id) = &o.id {
            score_by_id.insert(id.as_str(), e.score);
        }
        let flagged = !e.red_flags.is_empty();
        match o.kind.as_deref() {
            Some("red_flag") => {
                a.red_flag_total += 1;
                a.red_flag_flagged += usize::from(flagged);
            }
            Some("rejects_bad_practice") => a.rejects_flagged += usize::from(flagged),
            _ => {}
        }
        if flagged && o.kind.as_deref() != Some("negated") {
            a.flagged_rows += 1;
        }
        if let Some(kind) = &o.kind {
            let figures = a.kinds.entry(kind.clone()).or_default();
            figures.count += 1;
            *figures.ratings.entry(e.rating.as_str()).or_default() += 1;
            if !e.red_flags.is_empty() {
                figures.flagged += 1;
            }
            let sums = kind_sums.entry(kind.clone()).or_default();
            sums.0 += e.score;
            sums.1 += o.grade.unwrap_or(0.0);
            sums.2 += 1;
        }
        if let Some(g) = o.grade {
            pairs.push((e.score, g));
            if o.kind.as_deref().is_some_and(|k| HONEST_KINDS.contains(&k)) {
                honest.push((e.score, g));
            }
            let slot = by_grade.entry(format!("{g}")).or_default();
            slot.0 += e.score;
            slot.1 += 1;
        }
    }
    for (kind, (score, grade, n)) in kind_sums {
        if let Some(f) = a.kinds.get_mut(&kind) {
            f.mean_score = round2(score / n as f64);
            f.mean_grade = round2(grade / n as f64);
        }
    }
    for o in outputs {
        let (Some(twin), Some(e)) = (&o.twin_of, &o.evaluation) else {
            continue;
        };
        if let Some(&twin_score) = score_by_id.get(twin.as_str()) {
            a.typos_total += 1;
            if (twin_score - e.score).abs() <= 10.0 {
                a.typos_within_10 += 1;
            }
        }
    }
    a.graded = pairs.len();
    a.spearman = round3(spearman(&pairs));
    a.pearson = round3(pearson(&pairs));
    a.spearman_honest = round3(spearman(&honest));
    a.mean_score_by_grade = by_grade
        .into_iter()
        .map(|(g, (s, n))| (g, round2(s / n as f64)))
        .collect();
    a
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Pearson correlation of `(x, y)` pairs; 0 when undefined.
pub fn pearson(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return 0.0;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// Ranks with ties given their average rank (1-based).
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = average;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman rank correlation of `(x, y)` pairs (Pearson on average ranks).
pub fn spearman(pairs: &[(f64, f64)]) -> f64 {
    let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let ranked: Vec<(f64, f64)> = ranks(&xs).into_iter().zip(ranks(&ys)).collect();
    pearson(&ranked)
}

/// The rating names in order, for tables.
pub const RATINGS: [Rating; 4] = [Rating::DefinitelyNot, Rating::No, Rating::Yes, Rating::StrongYes];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_agreement_is_one_and_reversal_is_minus_one() {
        let up = [(1.0, 10.0), (2.0, 20.0), (3.0, 35.0)];
        assert!((pearson(&up) - 0.9933).abs() < 1e-3);
        assert!((spearman(&up) - 1.0).abs() < 1e-12);
        let down = [(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)];
        assert!((spearman(&down) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[5.0, 1.0, 5.0, 3.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn undefined_correlation_is_zero() {
        assert_eq!(pearson(&[(1.0, 1.0)]), 0.0);
        assert_eq!(spearman(&[(1.0, 2.0), (1.0, 3.0)]), 0.0);
    }
}
