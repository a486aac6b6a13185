//! Which bank question a free-text wording means, and how sure that is.
//!
//! Candidates come from BM25 over each question's wordings, rubric and model
//! answers, best first. A candidate's confidence asks whether the wording is
//! about that question at all. Each word of the wording weighs its
//! informativeness in general English, and counts as much as the question
//! owns it (a word of its wordings almost fully, a word said once in a
//! model answer little). Two figures must both be high:
//!
//! - the *coverage*, the share of the wording's weight the question owns, so
//!   that "Explain Rust lifetimes" is not the EXPLAIN-plans question: a word
//!   no question uses weighs the most;
//! - the *evidence*, the weight it owns, so that "Tell me about yourself",
//!   whose few common words some model answer happens to use, is refused.
//!
//! The lower of the two is the confidence, unless the wording nearly copies
//! one of the question's own wordings (short ones, "How do you version your
//! data?", own too little to pass on evidence): then the overlap of their
//! words, when higher. Either is scaled by how far the candidate's BM25
//! score is behind the best one; and the best one's, by how close the
//! runner-up comes: a wording two questions match almost equally well is
//! less surely about the first.

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::BankIndex;
use crate::text::frequency::informativeness;
use crate::text::Analyzer;

/// Below this confidence a wording is refused as an unknown question.
pub const MIN_CONFIDENCE: f32 = 0.6;

/// How many candidates a lookup reports.
const CANDIDATES: usize = 3;

/// The owned informativeness at which evidence is complete: about two rare
/// words, or four everyday ones. At [`MIN_CONFIDENCE`] it asks for 5.1, just
/// more than "Design a URL shortener." has in the webhook question ("design"
/// and "URL"). 8.0 and 8.5 resolve the same unseen wordings on the tune half.
const FULL_EVIDENCE: f32 = 8.5;

/// The share of the wording's informativeness at which coverage is
/// complete. At [`MIN_CONFIDENCE`] it asks for 42%.
const FULL_COVERAGE: f32 = 0.7;

/// How close, as a share of the best candidate's BM25 score, the runner-up
/// may come before the best one's confidence pays for the ambiguity: one for
/// one beyond it, so a tie costs 30%. Measured by leaving each question out
/// of the bank and looking its wordings up (`lookup_leave_question_out.py`):
/// on the tune questions, the wordings wrongly accepted fell from 280 to 215
/// of 362, while left-one-out lookup of their own wordings lost 7 of 284
/// (0.6 to 0.8, and slopes 0.5 to 1.25, measured; see the accuracy README).
const AMBIGUOUS_RUNNER_UP: f32 = 0.7;

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
    /// The matched question: the best-ranked candidate, or `None` when its
    /// confidence is below [`MIN_CONFIDENCE`].
    pub best: Option<QuestionMatch>,
    /// The closest candidates, best-ranked first by BM25 (the suggestions for
    /// an unknown question). A lower-ranked candidate may show a higher
    /// confidence than the first: it owns more of the wording's words, but
    /// matches them less well, or it comes so close that the first pays for
    /// the ambiguity.
    pub candidates: Vec<QuestionMatch>,
}

impl BankIndex {
    /// Finds the bank question `wording` means.
    pub fn lookup(&self, analyzer: &Analyzer, wording: &str) -> Lookup {
        let analyzed = analyzer.analyze(wording);
        let terms: Vec<String> = analyzed.content_stems().into_iter().map(str::to_owned).collect();
        let ranked = self.search_with_pairs(&terms, &super::stem_pairs(&analyzed), CANDIDATES);
        // Each term weighs its informativeness in general English
        // ([`crate::text::frequency`]), so a filler word the bank never uses
        // ("playbook") costs little and an unknown topic word ("lifetimes")
        // costs a lot.
        let weights: Vec<f32> = terms.iter().map(|t| informativeness(t)).collect();
        let total: f32 = weights.iter().sum();
        let top_score = ranked.first().map_or(0.0, |&(_, score)| score);
        let asked: FxHashSet<&str> = terms.iter().map(String::as_str).collect();
        let mut candidates: Vec<QuestionMatch> = ranked
            .iter()
            .map(|&(question, score)| {
                let evidence: f32 = terms
                    .iter()
                    .zip(&weights)
                    .map(|(term, weight)| weight * self.strength(question, term))
                    .sum();
                let coverage = if total > 0.0 { evidence / total } else { 0.0 };
                let relative = if top_score > 0.0 { score / top_score } else { 0.0 };
                let lexical = (evidence / FULL_EVIDENCE).min(coverage / FULL_COVERAGE).min(1.0);
                let confidence = lexical.max(self.wording_overlap(question, &asked)) * relative;
                QuestionMatch { question, confidence }
            })
            .collect();
        let runner_up = ranked.get(1).map_or(0.0, |&(_, score)| score);
        if let Some(first) = candidates.first_mut().filter(|_| top_score > 0.0) {
            let ambiguity = (runner_up / top_score - AMBIGUOUS_RUNNER_UP).max(0.0);
            first.confidence *= 1.0 - ambiguity;
        }
        // Rounded once, as reported, after the ambiguity's cost.
        for candidate in &mut candidates {
            candidate.confidence = (candidate.confidence * 1000.0).round() / 1000.0;
        }
        // The best-ranked question or none: a lower-ranked one that happens
        // to own more of the wording's words is still a worse match.
        let best = candidates
            .first()
            .copied()
            .filter(|c| c.confidence >= MIN_CONFIDENCE);
        Lookup { best, candidates }
    }
}
