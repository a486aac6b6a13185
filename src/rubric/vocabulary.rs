//! What Assay knows about words before it sees a question: how informative
//! each is, in general English and across the bank, and which words mean the
//! same.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use crate::text::frequency::informativeness;
use crate::text::opposites::Opposites;
use crate::text::synonyms::Synonyms;
use crate::text::Analyzer;

/// How much a word the question already uses still counts: an answer that
/// repeats the question shows nothing (question demoting, Mohler, Bunescu &
/// Mihalcea 2011).
pub(crate) const QUESTION_WORD_FACTOR: f32 = 0.2;
/// Informativeness given to a number: as telling as a fairly rare word.
const NUMBER_INFORMATIVENESS: f32 = 3.0;
/// How much weight a word used by every bank question loses: such a word
/// ("system", "data") tells little about which idea an answer shows.
const BANK_DEMOTION: f32 = 0.5;

/// Word weights, synonyms and opposites, shared by every ad-hoc question.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Stem → how many bank questions use it.
    question_frequency: HashMap<String, u32>,
    /// How many questions the bank holds.
    questions: u32,
    synonyms: Synonyms,
    opposites: Opposites,
}

impl Vocabulary {
    /// A vocabulary without a bank: general-English weights and the shipped
    /// synonym list only.
    pub fn general(analyzer: &Analyzer) -> Self {
        Vocabulary {
            question_frequency: HashMap::default(),
            questions: 0,
            synonyms: Synonyms::shipped(analyzer),
            opposites: Opposites::shipped(analyzer),
        }
    }

    /// A vocabulary over a bank's words (stem → questions using it, out of
    /// `questions`) and the shipped synonym list.
    pub fn with_bank(analyzer: &Analyzer, frequency: BTreeMap<String, u32>, questions: usize) -> Self {
        Vocabulary {
            question_frequency: frequency.into_iter().collect(),
            questions: u32::try_from(questions).unwrap_or(u32::MAX),
            synonyms: Synonyms::shipped(analyzer),
            opposites: Opposites::shipped(analyzer),
        }
    }

    /// Whether the bank uses a word with this stem anywhere: such a word is
    /// real, never a misspelling.
    pub fn knows(&self, stem: &str) -> bool {
        self.question_frequency.contains_key(stem)
    }

    /// How much a word with this stem shows about an answer: its
    /// informativeness in general English, less for words most bank
    /// questions use (an inverse document frequency over the bank).
    pub fn weight(&self, stem: &str) -> f32 {
        let base = if stem.chars().any(|c| c.is_ascii_digit()) {
            NUMBER_INFORMATIVENESS
        } else {
            informativeness(stem)
        };
        let used_by = self.question_frequency.get(stem).copied().unwrap_or(0);
        if self.questions == 0 {
            return base;
        }
        base * (1.0 - BANK_DEMOTION * used_by as f32 / self.questions as f32)
    }

    /// Words and phrases that mean the same.
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// Words that state opposite claims.
    pub fn opposites(&self) -> &Opposites {
        &self.opposites
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_every_question_uses_weigh_less() {
        let analyzer = Analyzer::english();
        let frequency: BTreeMap<String, u32> = [("servic".to_owned(), 10), ("idempot".to_owned(), 1)]
            .into_iter()
            .collect();
        let bank = Vocabulary::with_bank(&analyzer, frequency, 10);
        let general = Vocabulary::general(&analyzer);
        assert!(bank.weight("servic") < general.weight("servic"));
        assert!((bank.weight("servic") - general.weight("servic") * 0.5).abs() < 1e-6);
        assert!(bank.knows("idempot") && !general.knows("idempot"));
        assert_eq!(bank.weight("200"), NUMBER_INFORMATIVENESS);
    }
}
