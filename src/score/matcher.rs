//! Finding a phrase's terms in an analysed answer.
//!
//! A phrase (alias or red-flag phrasing) matches when all its terms occur in
//! one sentence, in any order, within a window of `terms + slack` tokens.
//! Misspelled answer words that resolve to a rubric word ([`super::fuzzy`])
//! take part in concept matching, marked so the evidence can say so.

// Keyed by the answer's own words: foldhash is randomly seeded per process, so a
// crafted answer cannot force collisions (the static lexicons use FxHash).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use std::borrow::Cow;

use crate::text::Analyzed;

/// A phrase compiled to the stems it must match.
#[derive(Debug, Clone)]
pub struct Phrase {
    /// The phrase as written in the corpus, reported as the matched alias.
    pub text: String,
    /// The stems to find, glue words removed.
    pub terms: Vec<String>,
    /// How many words the phrase has, glue words included: the window a
    /// match may span is this plus the slack.
    pub len: usize,
}

impl Phrase {
    /// Compiles `text`: its stems, glue words removed (all of them when it
    /// has nothing else, as [`crate::text::Analyzer::phrase_terms`]), and its
    /// length, from one analysis.
    pub fn compile(analyzer: &crate::text::Analyzer, text: &str) -> Phrase {
        let analyzed = analyzer.analyze(text);
        let tokens = analyzed.tokens();
        Phrase {
            text: text.to_owned(),
            terms: crate::text::phrase_terms_of(tokens),
            len: tokens.len(),
        }
    }
}

/// Where a phrase matched: tokens `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PhraseMatch {
    /// First matched token.
    pub first: usize,
    /// Last matched token.
    pub last: usize,
    /// Whether a misspelled word took part.
    pub misspelled: bool,
}

/// Every token position of every stem in an answer, built once per evaluation.
#[derive(Debug, Default)]
pub struct Positions<'a> {
    /// Stem → its run of `occurrences`: (start, length).
    exact: HashMap<&'a str, (u32, u32)>,
    /// Every token position grouped by stem, ascending within each run, each
    /// marked not misspelled (`false`): the shape phrase matching reads, so it
    /// borrows runs as they are. One allocation instead of one per stem.
    occurrences: Vec<(usize, bool)>,
    /// Misspelled tokens resolved to a rubric stem: stem → token positions.
    fuzzy: HashMap<String, Vec<usize>>,
    sentences: Vec<u32>,
}

impl<'a> Positions<'a> {
    /// Indexes the tokens of `analyzed` by stem.
    pub fn new(analyzed: &'a Analyzed) -> Self {
        let tokens = analyzed.tokens();
        // Count each stem, give each its run, then fill the runs in text order.
        let mut exact: HashMap<&str, (u32, u32)> =
            HashMap::with_capacity_and_hasher(tokens.len(), Default::default());
        for t in tokens {
            exact.entry(t.stem.as_ref()).or_default().1 += 1;
        }
        let mut start = 0u32;
        for (run_start, len) in exact.values_mut() {
            *run_start = start;
            start += std::mem::take(len);
        }
        let mut occurrences = vec![(0, false); tokens.len()];
        for (i, t) in tokens.iter().enumerate() {
            if let Some((run_start, filled)) = exact.get_mut(t.stem.as_ref()) {
                if let Some(slot) = occurrences.get_mut((*run_start + *filled) as usize) {
                    *slot = (i, false);
                }
                *filled += 1;
            }
        }
        Positions {
            exact,
            occurrences,
            fuzzy: HashMap::default(),
            sentences: analyzed.tokens().iter().map(|t| t.sentence).collect(),
        }
    }

    /// Records that the token at `position` is a misspelling of `stem`.
    pub fn add_fuzzy(&mut self, stem: &str, position: usize) {
        self.fuzzy.entry(stem.to_owned()).or_default().push(position);
    }

    /// The positions of `stem` as written, ascending, each marked not
    /// misspelled.
    pub fn exact_positions(&self, stem: &str) -> &[(usize, bool)] {
        self.exact
            .get(stem)
            .and_then(|&(start, len)| self.occurrences.get(start as usize..(start + len) as usize))
            .unwrap_or(&[])
    }

    /// Whether `stem` occurs exactly.
    pub fn contains(&self, stem: &str) -> bool {
        self.exact.contains_key(stem)
    }

    /// Every match of `phrase` with at most `slack` extra tokens in its window.
    /// With `allow_fuzzy`, misspelled tokens count.
    pub fn find(&self, phrase: &Phrase, slack: usize, allow_fuzzy: bool) -> Vec<PhraseMatch> {
        // Most phrases miss a term entirely: say so before allocating anything.
        let present = |term: &String| {
            self.exact.contains_key(term.as_str()) || (allow_fuzzy && self.fuzzy.contains_key(term))
        };
        if !phrase.terms.iter().all(present) {
            return Vec::new();
        }
        // Exact positions are borrowed; only a term with misspellings merges.
        let mut lists: Vec<Cow<'_, [(usize, bool)]>> = Vec::with_capacity(phrase.terms.len());
        for term in &phrase.terms {
            let exact = self.exact_positions(term);
            let list = match self.fuzzy.get(term).filter(|_| allow_fuzzy) {
                Some(fuzzy) => {
                    let mut merged = exact.to_vec();
                    merged.extend(fuzzy.iter().map(|&p| (p, true)));
                    merged.sort_unstable();
                    Cow::Owned(merged)
                }
                None => Cow::Borrowed(exact),
            };
            if list.is_empty() {
                return Vec::new();
            }
            lists.push(list);
        }
        let window = phrase.len.max(phrase.terms.len()) + if phrase.terms.len() > 1 { slack } else { 0 };
        let Some(anchor) = (0..lists.len()).min_by_key(|&i| lists[i].len()) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for &(p, p_fuzzy) in lists[anchor].iter() {
            let sentence = self.sentences[p];
            let (mut first, mut last, mut misspelled) = (p, p, p_fuzzy);
            let mut complete = true;
            for (j, list) in lists.iter().enumerate() {
                if j == anchor {
                    continue;
                }
                match nearest(list, p, |q| self.sentences[q] == sentence) {
                    Some((q, q_fuzzy)) => {
                        first = first.min(q);
                        last = last.max(q);
                        misspelled |= q_fuzzy;
                    }
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            if complete && last - first < window {
                found.push(PhraseMatch {
                    first,
                    last,
                    misspelled,
                });
            }
        }
        found.sort_unstable();
        found.dedup_by(|a, b| a.first == b.first && a.last == b.last);
        found
    }
}

/// The occurrence in sorted `list` nearest to `p` that satisfies `keep`.
fn nearest(list: &[(usize, bool)], p: usize, keep: impl Fn(usize) -> bool) -> Option<(usize, bool)> {
    let split = list.partition_point(|&(q, _)| q < p);
    let after = list[split..].iter().find(|&&(q, _)| keep(q));
    let before = list[..split].iter().rev().find(|&&(q, _)| keep(q));
    match (before, after) {
        (Some(&b), Some(&a)) => Some(if p - b.0 <= a.0 - p { b } else { a }),
        (Some(&b), None) => Some(b),
        (None, Some(&a)) => Some(a),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    fn phrase(text: &str) -> Phrase {
        let analyzer = Analyzer::english();
        Phrase {
            text: text.to_owned(),
            terms: analyzer.phrase_terms(text),
            len: analyzer.analyze(text).tokens().len(),
        }
    }

    fn find(answer: &str, alias: &str, slack: usize) -> Vec<(usize, usize)> {
        let analyzed = Analyzer::english().analyze(answer);
        Positions::new(&analyzed)
            .find(&phrase(alias), slack, true)
            .into_iter()
            .map(|m| (m.first, m.last))
            .collect()
    }

    #[test]
    fn terms_match_in_any_order_within_the_window() {
        assert_eq!(find("we read the query plan", "query plan", 3), [(3, 4)]);
        assert_eq!(find("the plans of each query", "query plan", 3), [(1, 4)]);
        assert!(find("the plan was long and then the query ran", "query plan", 3).is_empty());
    }

    #[test]
    fn a_phrase_with_glue_words_matches_its_own_wording() {
        assert_eq!(
            find(
                "we restart the service on a schedule",
                "restart the service on a schedule",
                2
            ),
            [(1, 6)]
        );
    }

    #[test]
    fn matches_do_not_cross_sentences() {
        assert!(find("Check the query. A plan helps.", "query plan", 3).is_empty());
    }

    #[test]
    fn inflections_match_through_stems() {
        assert_eq!(find("Indexing the columns", "index the column", 3), [(0, 2)]);
    }

    #[test]
    fn every_occurrence_is_found_once() {
        assert_eq!(find("Redis here, Redis there", "redis", 3), [(0, 0), (2, 2)]);
    }

    #[test]
    fn a_missing_term_means_no_match() {
        assert!(find("composite keys", "composite index", 3).is_empty());
    }
}
