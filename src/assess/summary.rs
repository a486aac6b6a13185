//! The verdict on a submitted assessment, and how it reads on the rating
//! scales of the ATS platforms that receive it.
//!
//! The overall score is the mean of the per-question scores (an unanswered
//! question scores 0), rated with the same thresholds as one answer. The
//! verdict is that rating, except that it is `mixed` when the answers
//! disagree with it: a high-severity red flag or a `definitely_not` answer
//! under an overall `yes` or better, or a `strong_yes` answer under an
//! overall `no` or worse. A recruiter should read those reports, not just
//! the number.

use serde::{Deserialize, Serialize};

use crate::bank::Severity;
use crate::score::{Evaluation, Rating, RatingThresholds};

/// One question of a submitted assessment: its evaluation, or `None` when
/// it was left unanswered.
#[derive(Debug, Clone, Copy)]
pub struct AnswerResult<'a> {
    /// The evaluation of the answer given.
    pub evaluation: Option<&'a Evaluation>,
}

/// The overall verdict, on Greenhouse's scale: Assay's four ratings plus
/// `mixed` and, before a submission, `no_decision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Overall `definitely_not`.
    DefinitelyNot,
    /// Overall `no`.
    No,
    /// The answers disagree with the overall rating.
    Mixed,
    /// Overall `yes`.
    Yes,
    /// Overall `strong_yes`.
    StrongYes,
    /// Not submitted: nothing to decide on.
    NoDecision,
}

impl Verdict {
    /// The verdict for an overall `rating`.
    pub fn of(rating: Rating) -> Verdict {
        match rating {
            Rating::DefinitelyNot => Verdict::DefinitelyNot,
            Rating::No => Verdict::No,
            Rating::Yes => Verdict::Yes,
            Rating::StrongYes => Verdict::StrongYes,
        }
    }

    /// Greenhouse's name for it (`definitely_not | no | mixed | yes | strong_yes | no_decision`).
    pub fn greenhouse(self) -> &'static str {
        match self {
            Verdict::DefinitelyNot => "definitely_not",
            Verdict::No => "no",
            Verdict::Mixed => "mixed",
            Verdict::Yes => "yes",
            Verdict::StrongYes => "strong_yes",
            Verdict::NoDecision => "no_decision",
        }
    }

    /// Lever's 1–4 score (strong no, no, yes, strong yes); `mixed` has no
    /// middle on that scale and leans to 2, so it is never read as a yes.
    pub fn lever(self) -> Option<u8> {
        match self {
            Verdict::DefinitelyNot => Some(1),
            Verdict::No | Verdict::Mixed => Some(2),
            Verdict::Yes => Some(3),
            Verdict::StrongYes => Some(4),
            Verdict::NoDecision => None,
        }
    }

    /// Workable's 0–4 stars; `mixed` is the middle star.
    pub fn workable(self) -> Option<u8> {
        match self {
            Verdict::DefinitelyNot => Some(0),
            Verdict::No => Some(1),
            Verdict::Mixed => Some(2),
            Verdict::Yes => Some(3),
            Verdict::StrongYes => Some(4),
            Verdict::NoDecision => None,
        }
    }
}

/// The verdict on every scale, with a sentence saying why. Stored with a
/// submission and read back as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The verdict, named as Greenhouse names its ratings.
    pub greenhouse: Verdict,
    /// Lever's 1–4 score.
    pub lever: Option<u8>,
    /// Workable's 0–4 stars.
    pub workable: Option<u8>,
    /// Why, in a sentence a recruiter can read.
    pub summary: String,
}

impl Recommendation {
    /// The recommendation for an assessment that was not submitted.
    pub fn undecided() -> Recommendation {
        Recommendation {
            greenhouse: Verdict::NoDecision,
            lever: None,
            workable: None,
            summary: "Not submitted: no decision.".to_owned(),
        }
    }
}

/// What a submitted assessment amounts to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Mean of the per-question scores, one decimal.
    pub score: f64,
    /// That score's rating.
    pub rating: Rating,
    /// The verdict, which may differ from the rating (see the module docs).
    pub verdict: Verdict,
    /// The verdict on every scale.
    pub recommendation: Recommendation,
    /// Questions asked.
    pub questions: usize,
    /// Questions answered.
    pub answered: usize,
    /// Concepts covered, over every answer.
    pub concepts_covered: usize,
    /// Concepts missing, over every answered question.
    pub concepts_missing: usize,
    /// Red flags raised, over every answer.
    pub red_flags: usize,
    /// Of those, high-severity ones.
    pub high_red_flags: usize,
}

/// Summarises the results of a submitted assessment, rated with `thresholds`.
pub fn summarise(results: &[AnswerResult<'_>], thresholds: RatingThresholds) -> Summary {
    let evaluations: Vec<&Evaluation> = results.iter().filter_map(|r| r.evaluation).collect();
    let total: f64 = evaluations.iter().map(|e| e.score).sum();
    let score = if results.is_empty() {
        0.0
    } else {
        (total / results.len() as f64 * 10.0).round() / 10.0
    };
    let rating = thresholds.rate(score);
    let red_flags: usize = evaluations.iter().map(|e| e.red_flags.len()).sum();
    let high_red_flags = evaluations
        .iter()
        .flat_map(|e| &e.red_flags)
        .filter(|f| f.severity == Severity::High)
        .count();
    let ratings: Vec<Rating> = evaluations.iter().map(|e| e.rating).collect();
    let positive = matches!(rating, Rating::Yes | Rating::StrongYes);
    let disagrees = if positive {
        high_red_flags > 0 || ratings.contains(&Rating::DefinitelyNot)
    } else {
        ratings.contains(&Rating::StrongYes)
    };
    let verdict = if disagrees {
        Verdict::Mixed
    } else {
        Verdict::of(rating)
    };
    let good = ratings
        .iter()
        .filter(|r| matches!(r, Rating::Yes | Rating::StrongYes))
        .count();
    let mut summary = format!(
        "{}: {good} of {} answers rated yes or better",
        match verdict {
            Verdict::StrongYes => "Strongly recommend",
            Verdict::Yes => "Recommend",
            Verdict::Mixed => "Mixed: read the answers",
            Verdict::No => "Do not recommend",
            Verdict::DefinitelyNot => "Strongly do not recommend",
            Verdict::NoDecision => "No decision",
        },
        results.len()
    );
    let unanswered = results.len() - evaluations.len();
    if unanswered > 0 {
        summary.push_str(&format!(", {unanswered} left unanswered"));
    }
    match (red_flags, high_red_flags) {
        (0, _) => summary.push_str("; no red flags."),
        (n, 0) => summary.push_str(&format!("; {n} red flag{}.", plural(n))),
        (n, high) => summary.push_str(&format!("; {n} red flag{}, {high} of high severity.", plural(n))),
    }
    Summary {
        score,
        rating,
        verdict,
        recommendation: Recommendation {
            greenhouse: verdict,
            lever: verdict.lever(),
            workable: verdict.workable(),
            summary,
        },
        questions: results.len(),
        answered: evaluations.len(),
        concepts_covered: evaluations.iter().map(|e| e.covered.len()).sum(),
        concepts_missing: evaluations.iter().map(|e| e.missing.len()).sum(),
        red_flags,
        high_red_flags,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Evaluator;

    fn evaluator() -> &'static Evaluator {
        static EVALUATOR: std::sync::OnceLock<Evaluator> = std::sync::OnceLock::new();
        EVALUATOR.get_or_init(|| Evaluator::embedded().expect("the embedded bank loads"))
    }

    const STRONG: &str =
        "I find the slow queries with pg_stat_statements, read the plan with EXPLAIN ANALYZE \
        to spot sequential scans and bad row estimates, add a composite index in filter order, rewrite \
        SELECT * and N+1 queries, cache hot reads in Redis and partition the largest tables.";

    #[test]
    fn the_score_is_the_mean_with_unanswered_questions_at_zero() {
        let strong = evaluator().evaluate("explain-plans", STRONG).expect("evaluates");
        let results = [
            AnswerResult {
                evaluation: Some(&strong),
            },
            AnswerResult { evaluation: None },
        ];
        let summary = summarise(&results, RatingThresholds::default());
        assert_eq!(summary.score, (strong.score / 2.0 * 10.0).round() / 10.0);
        assert_eq!(summary.answered, 1);
        assert_eq!(summary.questions, 2);
        assert!(summary.recommendation.summary.contains("1 left unanswered"));
    }

    #[test]
    fn a_high_red_flag_under_a_yes_is_mixed() {
        let flagged =
            format!("{STRONG} We keep the database password hardcoded in the code to keep it simple.");
        let flagged = evaluator()
            .evaluate("explain-plans", &flagged)
            .expect("evaluates");
        assert!(flagged.red_flags.iter().any(|f| f.severity == Severity::High));
        let summary = summarise(
            &[AnswerResult {
                evaluation: Some(&flagged),
            }],
            RatingThresholds::new(0.0, 10.0, 95.0).expect("ordered"),
        );
        assert_eq!(summary.rating, Rating::Yes);
        assert_eq!(summary.verdict, Verdict::Mixed);
        assert_eq!(summary.recommendation.greenhouse.greenhouse(), "mixed");
        assert_eq!(summary.recommendation.lever, Some(2));
        assert_eq!(summary.recommendation.workable, Some(2));
        assert!(summary.recommendation.summary.contains("of high severity"));
    }

    #[test]
    fn every_verdict_maps_onto_every_scale() {
        let table = [
            (Verdict::DefinitelyNot, "definitely_not", Some(1), Some(0)),
            (Verdict::No, "no", Some(2), Some(1)),
            (Verdict::Mixed, "mixed", Some(2), Some(2)),
            (Verdict::Yes, "yes", Some(3), Some(3)),
            (Verdict::StrongYes, "strong_yes", Some(4), Some(4)),
            (Verdict::NoDecision, "no_decision", None, None),
        ];
        for (verdict, greenhouse, lever, workable) in table {
            assert_eq!(verdict.greenhouse(), greenhouse);
            assert_eq!(verdict.lever(), lever);
            assert_eq!(verdict.workable(), workable);
        }
    }
}
