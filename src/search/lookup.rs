//! Which bank question a free-text wording means, and how sure that is.
//!
//! Candidates come from BM25 over wordings, rubric and model answers; each
//! candidate's confidence is the share of the wording's informative words the
//! question knows (a word no question uses weighs the most, so "Explain Rust
//! lifetimes" is not the EXPLAIN-plans question), scaled by how far its BM25
//! score is behind the best one.

use serde::Serialize;

use super::BankIndex;
use crate::text::frequency::informativeness;
use crate::text::Analyzer;

/// Below this confidence a wording is refused as an unknown question.
pub const MIN_CONFIDENCE: f32 = 0.6;

/// How many candidates a lookup reports.
const CANDIDATES: usize = 3;

/// One candidate question for a wording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuestionMatch {
    /// Position of the question in [`crate::bank::Bank::questions`].
    pub question: usize,
    /// 0 to 1: how sure the match is.
    pub confidence: f32,
}

/// The outcome of looking a wording up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    /// The matched question, or `None` when no candidate reaches [`MIN_CONFIDENCE`].
    pub best: Option<QuestionMatch>,
    /// The closest candidates, best first (the suggestions for an unknown question).
    pub candidates: Vec<QuestionMatch>,
}

impl BankIndex {
    /// Finds the bank question `wording` means.
    pub fn lookup(&self, analyzer: &Analyzer, wording: &str) -> Lookup {
        let terms = analyzer.content_stems(wording);
        let ranked = self.search_stems(&terms, CANDIDATES * 2);
        // Each term weighs its informativeness in general English
        // ([`crate::text::frequency`]), so a filler word the bank never uses
        // ("playbook") costs little and an unknown topic word ("lifetimes")
        // costs a lot.
        let weights: Vec<f32> = terms.iter().map(|t| informativeness(t)).collect();
        let total: f32 = weights.iter().sum();
        let Some(&(_, top_score)) = ranked.first() else {
            return Lookup {
                best: None,
                candidates: Vec::new(),
            };
        };
        let mut candidates: Vec<QuestionMatch> = ranked
            .iter()
            .map(|&(question, score)| {
                let relative = if top_score > 0.0 {
                    (score / top_score).sqrt()
                } else {
                    0.0
                };
                let confidence = self.term_coverage(question, &terms, &weights, total) * relative;
                QuestionMatch {
                    question,
                    confidence: (confidence * 1000.0).round() / 1000.0,
                }
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.question.cmp(&b.question))
        });
        candidates.truncate(CANDIDATES);
        let best = candidates
            .first()
            .copied()
            .filter(|c| c.confidence >= MIN_CONFIDENCE);
        Lookup { best, candidates }
    }
}
