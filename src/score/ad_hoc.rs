//! Questions the caller brings: a rubric compiled for one evaluation (or a
//! batch of them), and how close an answer comes to its reference answers.
//!
//! An ad-hoc question goes through the same engine as a bank question:
//! concept coverage with evidence, dismissal, red flags and signals. What
//! differs is what the engine can lean on. A bank question has hand-written
//! aliases and a BM25 index over forty questions; an ad-hoc one may have a
//! single sentence of reference and concepts derived from it. So similarity
//! here is the weighted share of the references' words the answer says —
//! each word weighed by how informative it is ([`Vocabulary::weight`]),
//! the question's own words demoted, a synonym from the shipped list as
//! good as the word, a word close in meaning ([`vectors`]) worth part of it,
//! a word under negation not said at all — and it counts for more of the
//! score when the concepts were derived.

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::compile::{CompiledFlag, CompiledQuestion};
use super::contradiction::Claims;
use super::evaluation::RubricReport;
use super::fuzzy::RubricWord;
use crate::bank::Question;
use crate::rubric::{AdHocRubric, Vocabulary, QUESTION_WORD_FACTOR};
use crate::text::stopwords::{is_filler, is_glue_word};
use crate::text::vectors::{self, VectorId};
use crate::text::{Analyzed, Analyzer, TokenKind};

/// Credit for a reference word whose family, not the word, the answer says.
const RELATED_CREDIT: f32 = 0.75;
/// Characters two stems of one word family share at least.
const RELATED_PREFIX: usize = 5;
/// Share of the shorter stem two stems of one family share at least.
const RELATED_SHARE: f64 = 0.8;
/// Cosine of two words' vectors ([`vectors`]) from which an answer word
/// earns credit for a reference word it is close to in meaning, rising to
/// full credit at 1. Chosen on the tune halves (from 0.4 to 0.6, r moves
/// by at most 0.012 on either); words that are only related ("stack" and
/// "queue", about 0.3) stay below it.
const CLOSE_MEANING: f32 = 0.5;
/// Confidence in a rubric whose concepts were given / derived, before the
/// references' length is considered.
const GIVEN_CONFIDENCE: f64 = 0.85;
const DERIVED_CONFIDENCE: f64 = 0.6;
/// Content words of reference at which its length no longer lowers confidence.
const CONFIDENT_REFERENCE_WORDS: f64 = 30.0;
/// Confidence added per further reference answer (at most two count).
const AGREEMENT_CONFIDENCE: f64 = 0.05;
/// The most confidence an ad-hoc rubric earns.
const MAX_CONFIDENCE: f64 = 0.95;

/// How an ad-hoc question's score splits between concept coverage and
/// closeness to the references.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub coverage_points: f64,
    pub coverage_saturation: f64,
    pub similarity_points: f64,
    pub similarity_saturation: f64,
    /// Points for how far the answer develops its points, when the rule
    /// applies ([`ScoreDetail::Elaboration`](super::ScoreDetail::Elaboration)).
    pub elaboration: Option<ElaborationPlan>,
    /// What the final score is multiplied by, when the rubric's points run
    /// low ([`ScoreDetail::Calibration`](super::ScoreDetail::Calibration)).
    pub calibration: Option<f64>,
}

/// How the elaboration rule scores: its points, the distinct content words
/// that earn them all, and the similarity to the references below which
/// they earn proportionally less.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElaborationPlan {
    pub points: f64,
    pub words: usize,
    pub similarity: f64,
}

/// Given concepts were written by someone who knows the subject: coverage
/// leads. Derived ones are only as good as the reference's wording, and a
/// handful of its words stand for all of it: closeness to the references
/// leads (Pearson r rose on both halves of both reference-only sets when it
/// went from half the points to 70%).
///
/// Both give a fifth of their points for elaboration: an answer that
/// explains in its own words says less of the references' wording, and of a
/// rubric's aliases, than one that echoes them, and graders reward the
/// explanation. How many distinct content words it uses stands for that,
/// counted in full only as far as the answer is close to the references (so
/// words about something else earn little). Derived, on the tune halves:
/// student r 0.572 → 0.627 and reference r 0.634 → 0.666. Given (rubrics
/// written blind for the same sets, `benches/accuracy/concepts.jsonl`),
/// with coverage going from 70 to 60 points: 0.607 → 0.644 and 0.759 →
/// 0.773; see the accuracy README.
///
/// Even so scores against the caller's references run low, a derived
/// rubric's most: a right answer in its own words scored 50–58 on average on
/// the three reference-only sets, so that on the default thresholds most
/// were rated `no`. The final score, caps included, is multiplied by 1.4 for
/// a derived rubric: ranks do not change and a right answer averages about
/// 70. Caps stretch too, staying below a pass on the default thresholds:
/// off-topic 14 and keyword stuffing 28 (`definitely_not`), too short 35 and
/// a contradiction or high-severity red flag 56 (`no`). On the tune halves
/// pass/fail agreement rose 0.483 → 0.608 (student) and 0.750 → 0.844
/// (reference), and 0.583 → 0.675 on the held-out set; see the accuracy
/// README. Given concepts are matched more often, and 1.2 is enough: on the
/// tune halves \|score − 20 × grade\| falls 26.8 → 22.3 (student) and
/// 20.2 → 18.7 (reference) while r moves by 0.003 at most; a contradiction
/// stays at 48 (`no`).
const GIVEN_PLAN: Plan = Plan {
    coverage_points: 60.0,
    coverage_saturation: 0.6,
    similarity_points: 20.0,
    similarity_saturation: 0.7,
    elaboration: Some(ELABORATION),
    calibration: Some(1.2),
};
/// The elaboration rule of both ad-hoc plans.
const ELABORATION: ElaborationPlan = ElaborationPlan {
    points: 20.0,
    words: 25,
    similarity: 0.2,
};
const DERIVED_PLAN: Plan = Plan {
    coverage_points: 24.0,
    coverage_saturation: 0.6,
    similarity_points: 56.0,
    similarity_saturation: 0.7,
    elaboration: Some(ELABORATION),
    calibration: Some(1.4),
};

/// One content word of a reference answer.
#[derive(Debug, Clone)]
struct ReferenceTerm {
    stem: String,
    weight: f32,
    /// The synonym groups it belongs to.
    groups: Vec<u32>,
    /// The reference says it under negation, so an answer that says it
    /// negated agrees.
    negated: bool,
    /// Its row in the shipped word vectors, if it has one.
    vector: Option<VectorId>,
    /// The stems of its listed opposites, which sit close to it in the
    /// vectors but earn it nothing.
    opposites: Vec<String>,
}

/// An ad-hoc question compiled for scoring.
#[derive(Debug, Clone)]
pub struct AdHocQuestion {
    rubric: AdHocRubric,
    pub(crate) compiled: CompiledQuestion,
    /// Per reference answer, its distinct content words, sorted by stem.
    references: Vec<Vec<ReferenceTerm>>,
    pub(crate) plan: Plan,
    /// Fewer words than this is too short to judge.
    pub(crate) min_words: usize,
    confidence: f64,
    /// The references' claims, for answers that say the opposite.
    pub(crate) claims: Claims,
}

impl AdHocQuestion {
    /// Compiles a checked rubric against the bank's vocabulary and red flags
    /// common to every question.
    pub(crate) fn new(
        analyzer: &Analyzer,
        vocabulary: &Vocabulary,
        rubric: AdHocRubric,
        common_flags: Arc<[CompiledFlag]>,
    ) -> Self {
        let question = &rubric.question;
        let mut compiled = CompiledQuestion::new(analyzer, question, common_flags);
        let mut references = Vec::new();
        let mut rubric_words: BTreeSet<RubricWord> = compiled.rubric_words.iter().cloned().collect();
        let mut shortest_words = usize::MAX;
        let mut longest_content = 0usize;
        // A reference word's weight, the question's own words demoted.
        let weight = |stem: &str| {
            let weight = vocabulary.weight(stem);
            if compiled.question_stems.contains(stem) {
                weight * QUESTION_WORD_FACTOR
            } else {
                weight
            }
        };
        let mut analyses: Vec<(&str, Analyzed)> = Vec::new();
        for answer in &question.model_answers {
            let analyzed = analyzer.analyze(answer.text.as_str());
            shortest_words = shortest_words.min(analyzed.word_count());
            let mut terms: Vec<ReferenceTerm> = Vec::new();
            let mut seen: HashMap<&str, usize> = HashMap::default();
            for (i, token) in analyzed.tokens().iter().enumerate() {
                if token.kind != TokenKind::Word || token.stop || is_filler(&token.norm) {
                    continue;
                }
                // A word the reference warns against ("avoids making
                // copies") agrees with an answer that denies it ("does not
                // copy") as much as a word it negates does.
                let negated = analyzed.is_negated(i) || analyzed.is_rejected(i);
                rubric_words.extend(RubricWord::from_token(token));
                if let Some(&at) = seen.get(token.stem.as_ref()) {
                    if let Some(term) = terms.get_mut(at) {
                        term.negated |= negated;
                    }
                    continue;
                }
                seen.insert(token.stem.as_ref(), terms.len());
                terms.push(ReferenceTerm {
                    stem: token.stem.to_string(),
                    weight: weight(&token.stem),
                    groups: vocabulary.synonyms().groups_of(&token.stem).to_vec(),
                    negated,
                    vector: vectors::shipped().id(&token.stem),
                    opposites: vocabulary.opposites().of(&token.stem).to_vec(),
                });
            }
            terms.sort_unstable_by(|a, b| a.stem.cmp(&b.stem));
            longest_content = longest_content.max(terms.len());
            references.push(terms);
            analyses.push((answer.text.as_str(), analyzed));
        }
        let claims = Claims::new(analyzer, question.question.as_str(), &analyses, weight);
        compiled.rubric_words = rubric_words.into_iter().collect();
        let base = if rubric.derived {
            DERIVED_CONFIDENCE
        } else {
            GIVEN_CONFIDENCE
        };
        let length = (0.5 + 0.5 * longest_content as f64 / CONFIDENT_REFERENCE_WORDS).min(1.0);
        let agreement = AGREEMENT_CONFIDENCE * references.len().saturating_sub(1).min(2) as f64;
        let confidence = ((base * length + agreement).min(MAX_CONFIDENCE) * 100.0).round() / 100.0;
        let min_words = (shortest_words / 2).clamp(3, super::signals::MIN_WORDS);
        AdHocQuestion {
            claims,
            plan: if rubric.derived { DERIVED_PLAN } else { GIVEN_PLAN },
            rubric,
            compiled,
            references,
            min_words,
            confidence,
        }
    }

    /// The question, shaped like a bank question.
    pub fn question(&self) -> &Question {
        &self.rubric.question
    }

    /// Whether the concepts were derived from the references.
    pub fn derived(&self) -> bool {
        self.rubric.derived
    }

    /// How far the rubric can be trusted, 0–1: lower for derived concepts and
    /// short references.
    pub fn confidence(&self) -> f64 {
        self.confidence
    }

    /// What an evaluation reports about the rubric.
    pub fn report(&self) -> RubricReport {
        RubricReport {
            derived: self.rubric.derived,
            confidence: self.confidence,
            concepts: self.rubric.concepts.clone(),
        }
    }

    /// How much of the closest reference answer's weighted words the answer
    /// says, 0–1 ([`said`] tells what it says).
    pub(crate) fn similarity(&self, said: &Said<'_>) -> f64 {
        let (stems, groups) = (&said.affirmed, &said.groups);
        self.references
            .iter()
            .map(|terms| {
                let total: f32 = terms.iter().map(|t| t.weight).sum();
                if total <= 0.0 {
                    return 0.0;
                }
                // The answer's words this reference does not use, gathered
                // at the first reference word the answer does not say: a
                // word that says one reference word stands in for no other.
                let mut others: Option<Vec<(&str, VectorId)>> = None;
                let said: f32 = terms
                    .iter()
                    .map(|t| {
                        if stems.contains(t.stem.as_str())
                            || t.groups.iter().any(|g| groups.contains(g))
                            || (t.negated && said.negated.contains(t.stem.as_str()))
                        {
                            t.weight
                        } else if related_stem_said(&t.stem, stems) {
                            RELATED_CREDIT * t.weight
                        } else {
                            let others = others.get_or_insert_with(|| said.words_besides(terms));
                            close_meaning_credit(t, others) * t.weight
                        }
                    })
                    .sum();
                f64::from(said / total)
            })
            .fold(0.0, f64::max)
    }
}

/// Credit for a reference word the answer does not say, from the answer
/// word closest to it in meaning among `others`: 0 up to a cosine of
/// [`CLOSE_MEANING`], rising to 1. Opposites are close in such vectors
/// ("ascending" and "descending" 0.72, "encrypt" and "decrypt" 0.81), as
/// they are used alike: a listed opposite, or a word that differs only in
/// its first letters ([`differs_in_prefix`]), earns nothing.
fn close_meaning_credit(term: &ReferenceTerm, others: &[(&str, VectorId)]) -> f32 {
    let Some(id) = term.vector else {
        return 0.0;
    };
    let table = vectors::shipped();
    let closest = others
        .iter()
        .filter(|(stem, _)| !term.opposites.iter().any(|o| o == stem) && !differs_in_prefix(&term.stem, stem))
        .map(|&(_, o)| table.cosine(id, o))
        .fold(0.0, f32::max);
    ((closest - CLOSE_MEANING) / (1.0 - CLOSE_MEANING)).clamp(0.0, 1.0)
}

/// Whether two stems share an ending of at least three letters and half the
/// shorter one, and differ only in up to four letters before it: the shape
/// of a contrast made by a prefix ("encrypt" and "decrypt", "increas" and
/// "decreas", "fifo" and "lifo", "upload" and "download").
fn differs_in_prefix(a: &str, b: &str) -> bool {
    let common = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_len, b_len) = (a.chars().count(), b.chars().count());
    common >= 3 && 2 * common >= a_len.min(b_len) && a_len - common <= 4 && b_len - common <= 4
}

/// Whether the answer says a word of the same family as `stem` that the
/// stemmer left apart ("collide" and "collision", "decide" and "decision"):
/// the two stems share their first [`RELATED_PREFIX`] characters and
/// [`RELATED_SHARE`] of the shorter one.
fn related_stem_said(stem: &str, stems: &BTreeSet<&str>) -> bool {
    let Some((cut, _)) = stem.char_indices().nth(RELATED_PREFIX) else {
        return false;
    };
    let prefix = &stem[..cut];
    stems
        .range(prefix..)
        .take_while(|s| s.starts_with(prefix))
        .any(|s| {
            let common = s.chars().zip(stem.chars()).take_while(|(a, b)| a == b).count();
            let shorter = s.chars().count().min(stem.chars().count());
            common as f64 >= RELATED_SHARE * shorter as f64
        })
}

/// What an answer says, for [`AdHocQuestion::similarity`].
#[derive(Debug, Default)]
pub(crate) struct Said<'a> {
    /// Content stems outside negation, and the stems misspellings resolve to.
    affirmed: BTreeSet<&'a str>,
    /// Content stems under negation: agreement with a reference that
    /// negates them too.
    negated: BTreeSet<&'a str>,
    /// The synonym groups the affirmed words and phrases name.
    groups: BTreeSet<u32>,
}

impl Said<'_> {
    /// The affirmed words `terms` (sorted by stem) does not hold that have
    /// word vectors, with their rows.
    fn words_besides(&self, terms: &[ReferenceTerm]) -> Vec<(&str, VectorId)> {
        let table = vectors::shipped();
        self.affirmed
            .iter()
            .filter(|stem| terms.binary_search_by(|t| t.stem.as_str().cmp(stem)).is_err())
            .filter_map(|&stem| Some((stem, table.id(stem)?)))
            .collect()
    }
}

/// What `analyzed` says, `extra` being the stems its misspellings resolve to.
pub(crate) fn said<'a>(analyzed: &'a Analyzed, extra: &'a [String], vocabulary: &Vocabulary) -> Said<'a> {
    let mut said = Said::default();
    let mut sequence: Vec<&str> = Vec::new();
    for (i, token) in analyzed.tokens().iter().enumerate() {
        if token.kind != TokenKind::Word {
            sequence.push("");
            continue;
        }
        if analyzed.is_negated(i) {
            if !token.stop {
                said.negated.insert(token.stem.as_ref());
            }
            // A negated stretch breaks phrases too.
            sequence.push("");
            continue;
        }
        if !is_glue_word(&token.norm) {
            sequence.push(token.stem.as_ref());
        }
        if !token.stop {
            said.affirmed.insert(token.stem.as_ref());
        }
    }
    said.affirmed.extend(extra.iter().map(String::as_str));
    said.groups = vocabulary.synonyms().groups_in(&sequence);
    for stem in extra {
        said.groups.extend(vocabulary.synonyms().groups_of(stem));
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(word: &str) -> String {
        Analyzer::english().stem(word)
    }

    fn id(word: &str) -> Option<VectorId> {
        vectors::shipped().id(&stem(word))
    }

    fn term(word: &str) -> ReferenceTerm {
        let analyzer = Analyzer::english();
        ReferenceTerm {
            stem: stem(word),
            weight: 1.0,
            groups: Vec::new(),
            negated: false,
            vector: id(word),
            opposites: crate::text::opposites::Opposites::shipped(&analyzer)
                .of(&stem(word))
                .to_vec(),
        }
    }

    /// `words` as an answer's words with their rows, each asserted to have one.
    fn answer_words(words: &[&'static str]) -> Vec<(&'static str, VectorId)> {
        let rows: Vec<_> = words
            .iter()
            .filter_map(|w| Some((&*Box::leak(stem(w).into_boxed_str()), id(w)?)))
            .collect();
        assert_eq!(rows.len(), words.len(), "a word of {words:?} has no vector");
        rows
    }

    fn cosine(a: &str, b: &str) -> f32 {
        let table = vectors::shipped();
        id(a).zip(id(b)).map_or(f32::NAN, |(a, b)| table.cosine(a, b))
    }

    #[test]
    fn a_word_close_in_meaning_earns_part_of_the_credit_and_an_unrelated_one_none() {
        let purchase = term("purchase");
        let close = close_meaning_credit(&purchase, &answer_words(&["buy"]));
        assert!(close > 0.5 && close < 1.0, "{close}");
        assert_eq!(close_meaning_credit(&purchase, &answer_words(&["yellow"])), 0.0);
        assert_eq!(
            close_meaning_credit(&term("zzyzxq"), &answer_words(&["buy"])),
            0.0,
            "a word without a vector"
        );
    }

    #[test]
    fn opposites_close_in_the_vectors_earn_nothing() {
        // Listed opposites, and a contrast made by a prefix.
        for (reference, answer) in [
            ("fast", "slow"),
            ("ascending", "descending"),
            ("encrypt", "decrypt"),
        ] {
            assert!(cosine(reference, answer) > CLOSE_MEANING, "{reference} {answer}");
            let credit = close_meaning_credit(&term(reference), &answer_words(&[answer]));
            assert_eq!(credit, 0.0, "{reference} {answer}");
        }
    }

    #[test]
    fn a_contrast_by_prefix_needs_a_shared_ending_and_short_heads() {
        for (a, b) in [
            ("encrypt", "decrypt"),
            ("increas", "decreas"),
            ("fifo", "lifo"),
            ("upload", "download"),
        ] {
            assert!(differs_in_prefix(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("vehicl", "car"),
            ("purchas", "buy"),
            ("cat", "at"),
            ("transmiss", "emiss"),
        ] {
            assert!(!differs_in_prefix(a, b), "{a} {b}");
        }
    }

    #[test]
    fn a_word_the_reference_uses_stands_in_for_no_other() {
        let (buy, record) = (stem("buy"), stem("record"));
        assert!(id("buy").is_some() && id("record").is_some());
        let said = Said {
            affirmed: [buy.as_str(), record.as_str()].into_iter().collect(),
            ..Said::default()
        };
        let mut terms = vec![term("purchase"), term("buy")];
        terms.sort_unstable_by(|a, b| a.stem.cmp(&b.stem));
        assert_eq!(said.words_besides(&terms), answer_words(&["record"]));
    }
}
