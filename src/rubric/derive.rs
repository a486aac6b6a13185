//! Concepts derived from reference answers, for a question that has no rubric.
//!
//! The candidates are the reference's content words and the runs of two or
//! three adjacent content words within a clause (noun phrases and technical
//! terms, in practice: "binary search", "longest path", "200 ms"). Each is
//! weighed by how informative its words are in general English
//! ([`crate::text::frequency`]), and the question's own words are demoted:
//! an answer that repeats the question shows nothing (Mohler, Bunescu &
//! Mihalcea 2011). Inflections share a concept because candidates are keyed
//! by stem; their surface forms become its aliases.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Vocabulary, QUESTION_WORD_FACTOR};
use crate::bank::Slug;
use crate::text::stopwords::is_filler;
use crate::text::{Analyzed, Analyzer, Token, TokenKind};
/// The longest run of adjacent content words taken as one phrase.
const MAX_PHRASE_WORDS: usize = 3;
/// A phrase counts this much more per word beyond the first: naming the
/// whole term shows more than naming one of its words.
const PHRASE_BONUS: f32 = 0.25;
/// Candidates below this weight (common words: "use", "make") are left out
/// unless nothing else is left.
const MIN_CANDIDATE: f32 = 1.0;
/// A single word less informative than this ("none", "time") is never a
/// concept on its own: it only counts inside a phrase.
const MIN_SINGLE_WORD: f32 = 2.0;
/// A candidate counts this much more for each further reference that holds it.
const AGREEMENT_BONUS: f32 = 0.5;
/// At most this many concepts, however long the references.
const MAX_CONCEPTS: usize = 8;
/// At most this many aliases per concept, synonyms included.
const MAX_ALIASES: usize = 12;
/// The longest reference excerpt quoted in a hint, in characters.
const MAX_HINT_EXCERPT: usize = 120;

/// A concept derived from reference answers: reviewable, editable, and
/// shaped like a corpus concept so it can be saved as one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedConcept {
    /// A slug of the label, unique among the derived concepts.
    pub id: String,
    /// The concept as the references first say it.
    pub label: String,
    /// 1 (nice to have) to 3 (essential), in steps of 0.5, from how
    /// informative the words are.
    pub weight: f32,
    /// Every surface form the references use for it, sorted.
    pub aliases: Vec<String>,
    /// What a candidate who missed it can do.
    pub hint: String,
    /// The references say it under negation, so an answer that negates it
    /// agrees rather than dismisses (a corpus `pitfall`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pitfall: bool,
}

/// One candidate while deriving: a run of stems and what is known of it.
#[derive(Debug)]
struct Candidate {
    /// Stems, in order.
    stems: Vec<String>,
    /// Surface forms seen, in order of first appearance.
    surfaces: Vec<String>,
    /// How many references hold it.
    references: usize,
    /// The last reference it was seen in, while counting.
    seen_in: Option<usize>,
    /// Where it first appears: (reference, token).
    first: (usize, usize),
    /// Mean weight of its words, the question aside.
    plain: f32,
    /// A reference says it under negation ("does not change state"): an
    /// answer that negates it agrees.
    negated: bool,
    /// Weight before scaling to 1-3.
    raw: f32,
}

/// Derives concepts from `references`, demoting the words of `question`;
/// `vocabulary` weighs words and adds their synonyms as aliases.
///
/// Deterministic: the same inputs give the same concepts in the same order
/// (by weight, then by first appearance).
pub fn derive_concepts(
    analyzer: &Analyzer,
    vocabulary: &Vocabulary,
    question: &str,
    references: &[&str],
) -> Vec<DerivedConcept> {
    let question_stems: Vec<String> = analyzer.content_stems(question);
    let is_question_word = |stem: &str| question_stems.iter().any(|q| q == stem);
    let analyses: Vec<Analyzed> = references.iter().map(|r| analyzer.analyze(r)).collect();
    let mut candidates: BTreeMap<String, Candidate> = BTreeMap::new();
    for (ri, analyzed) in analyses.iter().enumerate() {
        for run in content_runs(analyzed) {
            for start in 0..run.len() {
                for len in 1..=MAX_PHRASE_WORDS.min(run.len() - start) {
                    let words = &run[start..start + len];
                    let stems: Vec<String> = words.iter().map(|(_, t)| t.stem.to_string()).collect();
                    let key = stems.join(" ");
                    let surface = words
                        .iter()
                        .map(|(_, t)| t.norm.as_ref())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let entry = candidates.entry(key).or_insert_with(|| {
                        let (plain, raw) =
                            candidate_weight(vocabulary, words.iter().map(|(_, t)| *t), &is_question_word);
                        Candidate {
                            stems,
                            surfaces: Vec::new(),
                            references: 0,
                            seen_in: None,
                            first: (ri, words[0].0),
                            negated: false,
                            plain,
                            raw,
                        }
                    });
                    entry.negated |= words.iter().any(|(i, _)| analyzed.is_negated(*i));
                    if !entry.surfaces.contains(&surface) {
                        entry.surfaces.push(surface);
                    }
                    if entry.seen_in != Some(ri) {
                        entry.seen_in = Some(ri);
                        entry.references += 1;
                    }
                }
            }
        }
    }
    // A phrase is also held by a reference that says its words in order
    // with a word or two between ("longest path" in "longest downward
    // path"): the matcher credits such an answer, so the agreement counts.
    let words: Vec<ContentWords<'_>> = analyses.iter().map(ContentWords::new).collect();
    for candidate in candidates.values_mut().filter(|c| c.stems.len() > 1) {
        candidate.references = words
            .iter()
            .filter(|w| w.says_in_order(&candidate.stems))
            .count()
            .max(candidate.references);
    }
    let picked = select(candidates.into_values().collect());
    concepts(analyzer, vocabulary, picked, |(ri, at)| {
        clause_of(references[ri], &analyses[ri], at)
    })
}

/// Content words a phrase's words may have between them and still count as said.
const PHRASE_GAP: usize = 2;

/// A text's content words in order, with where each stem occurs.
struct ContentWords<'a> {
    words: Vec<&'a Token>,
    positions: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> ContentWords<'a> {
    fn new(analyzed: &'a Analyzed) -> Self {
        let words: Vec<&Token> = analyzed
            .tokens()
            .iter()
            .filter(|t| t.kind == TokenKind::Word && !t.stop)
            .collect();
        let mut positions: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, t) in words.iter().enumerate() {
            positions.entry(t.stem.as_ref()).or_default().push(i);
        }
        ContentWords { words, positions }
    }

    /// Whether the text says `stems` in order within one clause, with at
    /// most [`PHRASE_GAP`] other content words between each.
    fn says_in_order(&self, stems: &[String]) -> bool {
        let Some((first, rest)) = stems.split_first() else {
            return false;
        };
        let starts = self.positions.get(first.as_str()).map_or(&[][..], Vec::as_slice);
        starts.iter().any(|&start| {
            let clause = self.words[start].clause;
            let mut at = start;
            rest.iter().all(|stem| {
                let end = (at + 2 + PHRASE_GAP).min(self.words.len());
                let found =
                    (at + 1..end).find(|&i| self.words[i].stem == *stem && self.words[i].clause == clause);
                found.inspect(|&i| at = i).is_some()
            })
        })
    }
}

/// The clause holding token `at`, shortened to [`MAX_HINT_EXCERPT`]
/// characters at a word boundary.
fn clause_of(text: &str, analyzed: &Analyzed, at: usize) -> String {
    let tokens = analyzed.tokens();
    let Some(clause) = tokens.get(at).map(|t| t.clause) else {
        return String::new();
    };
    let first = tokens.iter().position(|t| t.clause == clause).unwrap_or(at);
    let last = tokens.iter().rposition(|t| t.clause == clause).unwrap_or(at);
    let span = analyzed.span_of(first, last);
    let whole = text.get(span.start..span.end).unwrap_or_default();
    if whole.chars().count() <= MAX_HINT_EXCERPT {
        return whole.to_owned();
    }
    let mut cut: String = whole.chars().take(MAX_HINT_EXCERPT).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('\u{2026}');
    cut
}

/// Words after which the next word is most likely a verb ("to simulate",
/// "can halve").
const BEFORE_VERBS: &[&str] = &[
    "to", "will", "would", "can", "could", "should", "must", "may", "might", "does", "do", "did",
];
/// Words before which the previous word is most likely a verb or a
/// preposition ("leaves the pool", "send an idempotency key").
const AFTER_VERBS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "your", "his", "her", "each",
    "every", "it", "them",
];

/// Whether the word at `i` looks like a verb from its neighbours: a verb
/// does not belong in a noun phrase, so it stands alone.
fn looks_like_verb(tokens: &[Token], i: usize) -> bool {
    let before = i
        .checked_sub(1)
        .and_then(|p| tokens.get(p))
        .map(|t| t.norm.as_ref());
    let after = tokens.get(i + 1).map(|t| t.norm.as_ref());
    before.is_some_and(|w| BEFORE_VERBS.contains(&w)) || after.is_some_and(|w| AFTER_VERBS.contains(&w))
}

/// The runs of adjacent content words (not function words, one clause) of a
/// text, each word with its token index; a word that looks like a verb is a
/// run of its own.
fn content_runs(analyzed: &Analyzed) -> Vec<Vec<(usize, &Token)>> {
    let tokens = analyzed.tokens();
    let mut runs: Vec<Vec<(usize, &Token)>> = Vec::new();
    let mut current: Vec<(usize, &Token)> = Vec::new();
    let mut previous: Option<(usize, u32)> = None;
    for (i, token) in tokens.iter().enumerate() {
        let content = token.kind == TokenKind::Word && !token.stop && !is_filler(&token.norm);
        let adjacent = previous.is_some_and(|(p, clause)| p + 1 == i && clause == token.clause);
        let verb = content && looks_like_verb(tokens, i);
        if (!content || !adjacent || verb) && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
        if verb {
            runs.push(vec![(i, token)]);
            previous = None;
        } else if content {
            current.push((i, token));
            previous = Some((i, token.clause));
        } else {
            previous = None;
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The weights of a run of words: their mean weight, and the raw weight —
/// the mean with question words demoted, plus a bonus per extra word.
fn candidate_weight<'t>(
    vocabulary: &Vocabulary,
    words: impl Iterator<Item = &'t Token>,
    is_question_word: &dyn Fn(&str) -> bool,
) -> (f32, f32) {
    let (mut plain, mut demoted, mut n) = (0.0f32, 0.0f32, 0usize);
    for token in words {
        let stem = token.stem.as_ref();
        let weight = vocabulary.weight(stem);
        plain += weight;
        demoted += if is_question_word(stem) {
            weight * QUESTION_WORD_FACTOR
        } else {
            weight
        };
        n += 1;
    }
    if n == 0 {
        return (0.0, 0.0);
    }
    let n_f = n as f32;
    (plain / n_f, demoted / n_f * (1.0 + PHRASE_BONUS * (n - 1) as f32))
}

/// Picks the concepts: the heaviest candidates first (counting more when
/// several references hold them), a phrase's words not again on their own,
/// about one concept per three distinct content words.
fn select(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    // Every distinct content word is a one-word candidate.
    let distinct_words = candidates.iter().filter(|c| c.stems.len() == 1).count();
    // What several references say is what they agree matters.
    for c in &mut candidates {
        c.raw *= 1.0 + AGREEMENT_BONUS * c.references.saturating_sub(1) as f32;
    }
    candidates.sort_by(|a, b| {
        b.raw
            .total_cmp(&a.raw)
            .then(b.references.cmp(&a.references))
            .then(a.first.cmp(&b.first))
            .then(a.stems.cmp(&b.stems))
    });
    let wanted = distinct_words.div_ceil(3).clamp(1, MAX_CONCEPTS);
    let mut picked: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if picked.len() == wanted {
            break;
        }
        if candidate.raw < MIN_CANDIDATE && !picked.is_empty() {
            break;
        }
        if candidate.stems.len() == 1 && candidate.plain < MIN_SINGLE_WORD && !picked.is_empty() {
            continue;
        }
        if is_bare_number(&candidate.stems) {
            continue;
        }
        // A phrase that overlaps a picked one (shares a word) adds nothing new.
        let overlaps = picked
            .iter()
            .any(|p| p.stems.iter().any(|s| candidate.stems.contains(s)));
        if !overlaps {
            picked.push(candidate);
        }
    }
    picked
}

/// Whether a candidate is numbers alone ("1 1" from `' OR '1'='1`, "1"
/// from "V-1 times"): a number shows knowledge with its unit or its noun
/// ("200 ms", "3 way handshake"), never on its own.
fn is_bare_number(stems: &[String]) -> bool {
    stems
        .iter()
        .all(|s| s.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The picked candidates as concepts: weights scaled to 1–3, unique ids,
/// their surfaces and synonyms as aliases, and a hint quoting `context` of
/// where each first appears (reference, token).
fn concepts(
    analyzer: &Analyzer,
    vocabulary: &Vocabulary,
    picked: Vec<Candidate>,
    context: impl Fn((usize, usize)) -> String,
) -> Vec<DerivedConcept> {
    let (low, high) = picked
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), c| (lo.min(c.raw), hi.max(c.raw)));
    let mut used_ids: Vec<String> = Vec::new();
    // Every alias's terms, so a synonym never gives one concept's words to another.
    let mut claimed: Vec<Vec<String>> = picked
        .iter()
        .flat_map(|c| c.surfaces.iter().map(|s| analyzer.phrase_terms(s)))
        .collect();
    picked
        .into_iter()
        .map(|c| {
            let weight = if high - low > f32::EPSILON {
                1.0 + 2.0 * (c.raw - low) / (high - low)
            } else {
                2.0
            };
            let label = c.surfaces.first().cloned().unwrap_or_else(|| c.stems.join(" "));
            let base = Slug::from_text(&label).map_or_else(|| "concept".to_owned(), |s| s.to_string());
            let id = unique_id(&base, &mut used_ids);
            let mut aliases = c.surfaces;
            aliases.sort();
            for alternative in synonym_aliases(vocabulary, &c.stems) {
                if aliases.len() >= MAX_ALIASES {
                    break;
                }
                let terms = analyzer.phrase_terms(&alternative);
                if terms.is_empty() || claimed.contains(&terms) {
                    continue;
                }
                claimed.push(terms);
                aliases.push(alternative);
            }
            let excerpt = context(c.first);
            let hint = if excerpt.is_empty() {
                format!("Say what \u{201c}{label}\u{201d} has to do with the question.")
            } else {
                format!(
                    "Say what \u{201c}{label}\u{201d} has to do with the question, as the reference does: \u{201c}{excerpt}\u{201d}"
                )
            };
            DerivedConcept {
                id,
                hint,
                pitfall: c.negated,
                label,
                weight: (weight * 2.0).round() / 2.0,
                aliases,
            }
        })
        .collect()
}

/// Other ways to say a term whose stems are `stems`: the other members of
/// its synonym groups. Words of a phrase are not swapped one by one: a
/// synonym fits one sense of a word, and a phrase fixes which.
fn synonym_aliases(vocabulary: &Vocabulary, stems: &[String]) -> Vec<String> {
    vocabulary
        .synonyms()
        .alternatives(stems)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// `base`, or `base-2`, `base-3`… when taken; the id returned is marked used.
pub(super) fn unique_id(base: &str, used: &mut Vec<String>) -> String {
    let mut id = base.to_owned();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.push(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive(question: &str, references: &[&str]) -> Vec<DerivedConcept> {
        let analyzer = Analyzer::english();
        derive_concepts(&analyzer, &Vocabulary::general(&analyzer), question, references)
    }

    impl DerivedConcept {
        fn label_has_word(&self, word: &str) -> bool {
            self.label.split(' ').any(|w| w == word)
        }
    }

    fn labels(concepts: &[DerivedConcept]) -> Vec<&str> {
        concepts.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn the_same_references_give_the_same_concepts() {
        let q = "Why would you put a message queue between two services?";
        let r = [
            "A queue decouples the producer from the consumer, absorbs bursts of traffic and lets \
                  the consumer retry failed messages from a dead-letter queue.",
        ];
        let first = derive(q, &r);
        assert!(!first.is_empty());
        assert_eq!(first, derive(q, &r));
    }

    #[test]
    fn the_questions_own_words_are_demoted() {
        let concepts = derive(
            "What is the height of a tree?",
            &["The height of a tree is the number of edges on the longest path from the root to a leaf."],
        );
        let labels = labels(&concepts);
        assert!(!labels.contains(&"height"), "{labels:?}");
        assert!(!labels.contains(&"tree"), "{labels:?}");
        assert!(
            labels
                .iter()
                .any(|l| l.contains("longest path") || l.contains("edges")),
            "{labels:?}"
        );
    }

    #[test]
    fn a_known_reference_derives_known_concepts() {
        let concepts = derive(
            "What is the height of a tree?",
            &[
                "The height of a tree is the number of edges on the longest path from the root to a leaf.",
                "The number of edges on the longest downward path between the root and a leaf.",
            ],
        );
        let summary: Vec<(&str, f32, bool)> = concepts
            .iter()
            .map(|c| (c.label.as_str(), c.weight, c.pitfall))
            .collect();
        assert_eq!(
            summary,
            [
                ("longest path", 3.0, false),
                ("leaf", 1.5, false),
                ("root", 1.0, false)
            ]
        );
        // Synonyms from the shipped list join the references' own words.
        assert_eq!(
            concepts[1].aliases,
            ["leaf", "leaf node", "terminal node", "external node"]
        );
        assert!(
            concepts[0].hint.contains("longest path from the root to a leaf"),
            "{}",
            concepts[0].hint
        );
    }

    #[test]
    fn what_the_reference_negates_is_a_pitfall_and_fillers_are_no_concepts() {
        let concepts = derive(
            "What makes an HTTP method safe?",
            &["A safe method does not change server state, e.g. GET or HEAD."],
        );
        assert!(concepts.iter().all(|c| c.label != "e.g"), "{concepts:?}");
        let state = concepts
            .iter()
            .find(|c| c.label_has_word("state"))
            .expect("server state is a concept");
        assert!(state.pitfall, "{state:?}");
    }

    #[test]
    fn inflections_share_a_concept_and_become_its_aliases() {
        let concepts = derive(
            "How do you keep a read-heavy service fast?",
            &[
                "Denormalization helps.",
                "Denormalizing the hot tables helps too.",
            ],
        );
        let first = concepts.first().expect("a concept");
        // Both inflections the references use, then the shipped list's
        // other spelling.
        assert_eq!(
            first.aliases,
            ["denormalization", "denormalizing", "denormalise"],
            "{concepts:?}"
        );
        assert_eq!(first.label, "denormalization");
    }

    #[test]
    fn numbers_with_units_are_kept_together() {
        let concepts = derive(
            "How long should a health check wait?",
            &["Time the probe out after 200 ms so a hung instance leaves the pool quickly."],
        );
        assert!(
            concepts.iter().any(|c| c.aliases.iter().any(|a| a == "200 ms")),
            "{concepts:?}"
        );
    }

    #[test]
    fn numbers_alone_are_no_concepts() {
        let concepts = derive(
            "What is SQL injection?",
            &["An attacker types ' OR '1'='1 into a login form and the concatenated query returns every row; \
               Bellman-Ford relaxes each edge V-1 times."],
        );
        assert!(!concepts.is_empty());
        for c in &concepts {
            assert!(c.label.chars().any(char::is_alphabetic), "{concepts:?}");
        }
    }

    #[test]
    fn informative_terms_outweigh_common_words() {
        let concepts = derive(
            "How do you make payment retries safe?",
            &[
                "Clients send an idempotency key and the server stores the first response, so a retry \
               gets the same answer and the customer is charged once.",
            ],
        );
        let first = concepts.first().expect("a concept");
        assert!(first.label.contains("idempotency"), "{concepts:?}");
        assert!(concepts.iter().all(|c| (1.0..=3.0).contains(&c.weight)));
        let ids: std::collections::BTreeSet<&str> = concepts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), concepts.len());
    }

    #[test]
    fn ids_are_unique_corpus_ids() {
        let mut used = Vec::new();
        assert_eq!(unique_id("a", &mut used), "a");
        assert_eq!(unique_id("a", &mut used), "a-2");
        let concepts = derive(
            "What is a hash table?",
            &["A hash table maps keys to values; collisions are resolved by chaining or open addressing."],
        );
        assert!(!concepts.is_empty());
        for c in &concepts {
            assert!(Slug::parse(&c.id).is_ok(), "{}", c.id);
        }
    }
}
