//! Agreement between scores and expert grades, accumulated one row at a time.
//!
//! [`AgreementBuilder`] keeps only what the figures need (a score and grade
//! pair per graded row, counters), never the evaluations, so grading a
//! file of any size holds a few bytes per graded row and nothing per
//! ungraded one.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::score::{Rating, RatingThresholds};

/// What agreement needs to know of one graded line.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The row's id (kept only for graded rows, for typos twins).
    pub id: Option<String>,
    /// For typos rows: the id of the correctly spelled twin.
    pub twin_of: Option<String>,
    /// The row's kind.
    pub kind: Option<String>,
    /// The expert grade.
    pub grade: Option<f64>,
    /// For wording rows with an expected question: whether the lookup found it.
    pub lookup_correct: Option<bool>,
    /// The error code when the row was not evaluated.
    pub error: Option<&'static str>,
    /// For evaluated rows naming the flags they advocate: whether one of
    /// those was raised.
    pub right_flag: Option<bool>,
    /// The outcome when it was.
    pub evaluated: Option<Outcome>,
}

/// The part of an evaluation agreement reads.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The score, 0–100.
    pub score: f64,
    /// The rating.
    pub rating: Rating,
    /// Whether any red flag was raised.
    pub flagged: bool,
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
    /// Mean distance, in points, between the score and the grade on the
    /// score's scale (grade × 20): whether scores mean what grades mean,
    /// which correlation alone does not tell.
    pub score_error: f64,
    /// Share of graded rows whose rating passes (`yes` or `strong_yes`)
    /// exactly when the grade does (`pass_grade` or more): how often a
    /// pass/fail decision on the thresholds matches the expert's.
    pub pass_agreement: f64,
    /// The lowest passing grade: the `yes` threshold on the grades' 0–5
    /// scale ([`PASS_GRADE`] on the default thresholds).
    pub pass_grade: f64,
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
    /// Evaluated rows naming the flags they advocate that raised one of them.
    pub right_flag_raised: usize,
    /// Evaluated rows naming the flags they advocate.
    pub right_flag_total: usize,
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

/// Grades run from 0 to this.
pub const GRADE_MAX: f64 = 5.0;

/// The lowest passing grade: the default `yes` threshold, 60 of 100, on the
/// grades' 0–5 scale.
pub const PASS_GRADE: f64 = 3.0;

/// The honest kinds: answers that are not adversarial.
pub const HONEST_KINDS: &[&str] = &["strong", "good", "partial", "generic"];

/// Accumulates an [`Agreement`] row by row, in any order.
#[derive(Debug, Default)]
pub struct AgreementBuilder {
    figures: Agreement,
    /// The lowest grade that passes, when not [`PASS_GRADE`] (the default
    /// thresholds').
    pass_grade: Option<f64>,
    pairs: Vec<(f64, f64)>,
    honest: Vec<(f64, f64)>,
    by_grade: BTreeMap<String, (f64, usize)>,
    /// Sum of |score − grade × 20| over graded rows.
    score_error: f64,
    /// Graded rows whose rating passes exactly when the grade does.
    pass_matches: usize,
    kind_sums: BTreeMap<String, (f64, f64, usize)>,
    /// Scores of graded rows by id: the twins typos rows are compared with.
    graded_scores: HashMap<String, f64>,
    /// Typos rows: (twin id, score).
    twins: Vec<(String, f64)>,
}

impl AgreementBuilder {
    /// A builder for rows rated on `thresholds`: a grade passes from their
    /// `yes` on the grades' 0–5 scale (60 → 3).
    pub fn for_thresholds(thresholds: RatingThresholds) -> Self {
        AgreementBuilder {
            pass_grade: Some(GRADE_MAX * thresholds.yes / 100.0),
            ..AgreementBuilder::default()
        }
    }

    /// The lowest grade that passes.
    fn pass_grade(&self) -> f64 {
        self.pass_grade.unwrap_or(PASS_GRADE)
    }

    /// Adds one row.
    pub fn add(&mut self, o: &Observation) {
        let a = &mut self.figures;
        a.rows += 1;
        match o.error {
            Some("unknown_question") => a.unknown += 1,
            Some(_) => a.failed += 1,
            None => {}
        }
        if let Some(correct) = o.lookup_correct {
            a.lookup_total += 1;
            a.lookup_correct += usize::from(correct);
        }
        if let Some(right) = o.right_flag {
            a.right_flag_total += 1;
            a.right_flag_raised += usize::from(right);
        }
        let Some(e) = o.evaluated else { return };
        match o.kind.as_deref() {
            Some("red_flag") => {
                a.red_flag_total += 1;
                a.red_flag_flagged += usize::from(e.flagged);
            }
            Some("rejects_bad_practice") => a.rejects_flagged += usize::from(e.flagged),
            _ => {}
        }
        if e.flagged && o.kind.as_deref() != Some("negated") {
            a.flagged_rows += 1;
        }
        if let Some(kind) = &o.kind {
            let figures = a.kinds.entry(kind.clone()).or_default();
            figures.count += 1;
            *figures.ratings.entry(e.rating.as_str()).or_default() += 1;
            figures.flagged += usize::from(e.flagged);
            let sums = self.kind_sums.entry(kind.clone()).or_default();
            sums.0 += e.score;
            sums.1 += o.grade.unwrap_or(0.0);
            sums.2 += 1;
        }
        if let Some(twin) = &o.twin_of {
            self.twins.push((twin.clone(), e.score));
        }
        if let Some(g) = o.grade {
            self.pairs.push((e.score, g));
            self.score_error += (e.score - g * 100.0 / GRADE_MAX).abs();
            let passes = matches!(e.rating, Rating::Yes | Rating::StrongYes);
            self.pass_matches += usize::from(passes == (g >= self.pass_grade()));
            if o.kind.as_deref().is_some_and(|k| HONEST_KINDS.contains(&k)) {
                self.honest.push((e.score, g));
            }
            let slot = self.by_grade.entry(format!("{g}")).or_default();
            slot.0 += e.score;
            slot.1 += 1;
            if let Some(id) = &o.id {
                self.graded_scores.insert(id.clone(), e.score);
            }
        }
    }

    /// The figures over every row added.
    pub fn finish(self) -> Agreement {
        let pass_grade = self.pass_grade();
        let mut a = self.figures;
        for (kind, (score, grade, n)) in self.kind_sums {
            if let Some(f) = a.kinds.get_mut(&kind) {
                f.mean_score = round2(score / n as f64);
                f.mean_grade = round2(grade / n as f64);
            }
        }
        for (twin, score) in &self.twins {
            if let Some(&twin_score) = self.graded_scores.get(twin) {
                a.typos_total += 1;
                a.typos_within_10 += usize::from((twin_score - score).abs() <= 10.0);
            }
        }
        a.graded = self.pairs.len();
        a.spearman = round3(spearman(&self.pairs));
        a.pearson = round3(pearson(&self.pairs));
        a.spearman_honest = round3(spearman(&self.honest));
        if !self.pairs.is_empty() {
            a.score_error = round2(self.score_error / self.pairs.len() as f64);
        }
        a.pass_agreement = ratio(self.pass_matches, self.pairs.len());
        a.pass_grade = round2(pass_grade);
        a.mean_score_by_grade = self
            .by_grade
            .into_iter()
            .map(|(g, (s, n))| (g, round2(s / n as f64)))
            .collect();
        a
    }
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

    fn row(id: &str, kind: &str, grade: f64, score: f64, flagged: bool) -> Observation {
        Observation {
            id: Some(id.into()),
            kind: Some(kind.into()),
            grade: Some(grade),
            evaluated: Some(Outcome {
                score,
                rating: Rating::Yes,
                flagged,
            }),
            ..Observation::default()
        }
    }

    #[test]
    fn scores_are_compared_with_grades_on_the_score_scale_and_as_pass_or_fail() {
        let rated = |grade: f64, score: f64, rating: Rating| Observation {
            grade: Some(grade),
            evaluated: Some(Outcome {
                score,
                rating,
                flagged: false,
            }),
            ..Observation::default()
        };
        let mut builder = AgreementBuilder::default();
        for o in [
            rated(5.0, 90.0, Rating::StrongYes), // both pass, 10 apart
            rated(1.0, 65.0, Rating::Yes),       // passes a failing grade, 45 apart
            rated(3.0, 55.0, Rating::No),        // fails a passing grade, 5 apart
            rated(0.0, 10.0, Rating::DefinitelyNot),
        ] {
            builder.add(&o);
        }
        let a = builder.finish();
        assert_eq!(a.score_error, 17.5);
        assert_eq!(a.pass_agreement, 0.5);
        let none = AgreementBuilder::default().finish();
        assert_eq!((none.score_error, none.pass_agreement), (0.0, 0.0));
    }

    #[test]
    fn twins_are_matched_whichever_comes_first_and_order_does_not_matter() {
        let typo = Observation {
            twin_of: Some("a".into()),
            ..row("t", "typos", 4.0, 75.0, false)
        };
        let rows = [
            typo,
            row("a", "good", 4.0, 80.0, false),
            Observation {
                right_flag: Some(true),
                ..row("r", "red_flag", 1.0, 20.0, true)
            },
            Observation {
                right_flag: Some(false),
                ..row("w", "red_flag", 1.0, 30.0, true)
            },
            row("x", "rejects_bad_practice", 5.0, 90.0, true),
            Observation {
                error: Some("unknown_question"),
                ..Observation::default()
            },
        ];
        let mut forward = AgreementBuilder::default();
        let mut backward = AgreementBuilder::default();
        rows.iter().for_each(|o| forward.add(o));
        rows.iter().rev().for_each(|o| backward.add(o));
        for a in [forward.finish(), backward.finish()] {
            assert_eq!((a.rows, a.graded, a.unknown, a.failed), (6, 5, 1, 0));
            assert_eq!((a.typos_within_10, a.typos_total), (1, 1));
            assert_eq!((a.red_flag_flagged, a.red_flag_total, a.flagged_rows), (2, 2, 3));
            assert_eq!(a.rejects_flagged, 1);
            assert_eq!((a.right_flag_raised, a.right_flag_total), (1, 2));
            assert_eq!(a.red_flag_precision(), 0.667);
            assert_eq!(a.kinds["good"].mean_score, 80.0);
            assert_eq!(a.mean_score_by_grade["4"], 77.5);
        }
    }
}
