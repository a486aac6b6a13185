//! Misspellings that still show knowledge: "idempotancy", "circut breaker".
//!
//! An answer word is a candidate only when it is long enough to misspell
//! safely (6+ letters), unknown to the whole bank's vocabulary (a real word the
//! bank uses is never "corrected"), and starts with the same letter as the
//! rubric word. It then resolves to a rubric word within one edit (two from 9
//! letters on), by Damerau–Levenshtein distance on the folded form or the stem.

use strsim::damerau_levenshtein;

/// Shortest word considered for a misspelling.
pub const MIN_LEN: usize = 6;
/// Shortest stem on which one edit is forgiven.
const MIN_STEM_FOR_EDIT: usize = 8;
/// From this length on, two edits are forgiven instead of one.
const TWO_EDITS_FROM: usize = 9;

/// A rubric word that misspellings may resolve to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RubricWord {
    /// The folded word as the rubric writes it.
    pub norm: String,
    /// Its stem: what a resolved misspelling is matched as.
    pub stem: String,
}

impl RubricWord {
    /// The rubric word a token of a rubric text (alias, reference answer)
    /// offers: a content word long enough for a misspelling to be told apart.
    pub fn from_token(token: &crate::text::Token) -> Option<RubricWord> {
        (token.norm.chars().count() >= MIN_LEN && !token.stop).then(|| RubricWord {
            norm: token.norm.to_string(),
            stem: token.stem.to_string(),
        })
    }
}

/// Shortest rubric word a misspelling inside a multi-word alias may stand for.
const MIN_ANCHORED_LEN: usize = 4;

/// The words of a multi-word alias, glue words left out, in order: the
/// context that lets a short or real-word misspelling resolve.
pub fn alias_words(tokens: &[crate::text::Token]) -> Option<Vec<RubricWord>> {
    let words: Vec<RubricWord> = tokens
        .iter()
        .filter(|t| !crate::text::stopwords::is_glue_word(&t.norm))
        .map(|t| RubricWord {
            norm: t.norm.to_string(),
            stem: t.stem.to_string(),
        })
        .collect();
    (words.len() >= 2).then_some(words)
}

/// Misspellings pinned down by the rest of an alias: where the answer spells
/// a multi-word alias word for word in one sentence (glue words aside), but
/// for one word within one edit of the alias's and with its first letter,
/// that word reads as the alias's (never a function word). The neighbours
/// make short words ("virus scann") and real words ("an IAM roll") safe to
/// resolve, which alone they are not. `exact(stem)` gives the answer's
/// token positions of a stem, ascending; `skip` holds tokens already
/// resolved.
pub fn resolve_anchored<'w, 'p>(
    tokens: &[crate::text::Token],
    aliases: &'w [Vec<RubricWord>],
    exact: impl Fn(&str) -> &'p [(usize, bool)],
    skip: &[usize],
) -> Vec<(usize, &'w RubricWord)> {
    // The answer's words without glue words, and each token's place among
    // them: an alias's words must be neighbours there. Built only once an
    // alias's anchoring word occurs, as most answers meet none.
    let mut index: Option<(Vec<usize>, Vec<usize>)> = None;
    let mut found: Vec<(usize, &RubricWord)> = Vec::new();
    for alias in aliases {
        // The first word anchors a misspelling of any later one, the second
        // a misspelling of the first.
        for anchor in 0..2.min(alias.len()) {
            for &(p, _) in exact(&alias[anchor].stem) {
                let (content, rank) = index.get_or_insert_with(|| content_index(tokens));
                // A glue word sharing the anchor's stem has no place (`usize::MAX`).
                let Some(start) = rank.get(p).and_then(|r| r.checked_sub(anchor)) else {
                    continue;
                };
                let Some(window) = start
                    .checked_add(alias.len())
                    .and_then(|end| content.get(start..end))
                else {
                    continue;
                };
                let Some(odd) = single_mismatch(tokens, window, alias) else {
                    continue;
                };
                let (i, word) = (window[odd], &alias[odd]);
                if (odd == 0) == (anchor == 1)
                    && word.norm.chars().count() >= MIN_ANCHORED_LEN
                    && !skip.contains(&i)
                    && !tokens[i].stop
                    && misspells_in_context(&tokens[i].norm, &word.norm)
                {
                    found.push((i, word));
                }
            }
        }
    }
    found.sort_by_key(|&(i, _)| i);
    found.dedup_by_key(|&mut (i, _)| i);
    found
}

/// The tokens that are not glue words, and each token's place among them
/// (`usize::MAX` for glue words).
fn content_index(tokens: &[crate::text::Token]) -> (Vec<usize>, Vec<usize>) {
    let content: Vec<usize> = (0..tokens.len())
        .filter(|&i| !crate::text::stopwords::is_glue_word(&tokens[i].norm))
        .collect();
    let mut rank = vec![usize::MAX; tokens.len()];
    for (r, &i) in content.iter().enumerate() {
        rank[i] = r;
    }
    (content, rank)
}

/// The one word of `alias` that the tokens at `window` do not spell by
/// stem, when all lie in one sentence and exactly one differs.
fn single_mismatch(tokens: &[crate::text::Token], window: &[usize], alias: &[RubricWord]) -> Option<usize> {
    let sentence = tokens[*window.first()?].sentence;
    let mut odd = None;
    for (j, (&i, word)) in window.iter().zip(alias).enumerate() {
        if tokens[i].sentence != sentence {
            return None;
        }
        if tokens[i].stem != word.stem {
            if odd.is_some() {
                return None;
            }
            odd = Some(j);
        }
    }
    odd
}

/// Whether `written` may misspell `meant` where context pins it down:
/// alphabetic, the same first letter, different, within one edit.
fn misspells_in_context(written: &str, meant: &str) -> bool {
    written != meant
        && written.chars().all(char::is_alphabetic)
        && written.chars().next() == meant.chars().next()
        && within(written, meant, 1) <= 1
}

/// Edits forgiven for a word of `len` characters.
fn allowed_edits(len: usize) -> usize {
    if len >= TWO_EDITS_FROM {
        2
    } else {
        1
    }
}

/// The rubric word `norm` / `stem` misspells, if any. `words` is sorted by norm.
pub fn resolve<'w>(norm: &str, stem: &str, words: &'w [RubricWord]) -> Option<&'w RubricWord> {
    let len = norm.chars().count();
    if len < MIN_LEN || !norm.chars().all(char::is_alphabetic) {
        return None;
    }
    let first = norm.chars().next()?;
    let mut best: Option<(usize, &RubricWord)> = None;
    for word in words.iter().filter(|w| w.norm.starts_with(first)) {
        let word_len = word.norm.chars().count();
        if word_len.abs_diff(len) > 2 || word.norm == norm {
            continue;
        }
        let allowed = allowed_edits(len.min(word_len));
        let by_norm = within(norm, &word.norm, allowed);
        // Stems are shorter than words, so they forgive one edit only when long;
        // exact stems already unify inflections.
        let by_stem = if stem.len().min(word.stem.len()) >= MIN_STEM_FOR_EDIT {
            within(stem, &word.stem, 1)
        } else {
            usize::MAX
        };
        let distance = if by_norm <= allowed {
            by_norm
        } else if by_stem <= 1 {
            by_stem
        } else {
            continue;
        };
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, word));
        }
    }
    best.map(|(_, w)| w)
}

/// The Damerau–Levenshtein distance between `a` and `b`, or `usize::MAX`
/// when a cheap lower bound already shows it exceeds `max`.
///
/// The bound: each edit changes the multiset of letters by at most two (a
/// substitution removes one and adds one; a transposition changes nothing), so
/// the distance is at least half the letters the two words do not share.
/// Most candidate pairs fail it, and the full distance allocates a table.
fn within(a: &str, b: &str, max: usize) -> usize {
    if a.is_ascii() && b.is_ascii() {
        let mut counts = [0i32; 128];
        for c in a.bytes() {
            counts[usize::from(c)] += 1;
        }
        for c in b.bytes() {
            counts[usize::from(c)] -= 1;
        }
        let unshared: u32 = counts.iter().map(|n| n.unsigned_abs()).sum();
        if (unshared as usize).div_ceil(2) > max {
            return usize::MAX;
        }
    }
    damerau_levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    fn words(list: &[&str]) -> Vec<RubricWord> {
        let a = Analyzer::english();
        let mut v: Vec<RubricWord> = list
            .iter()
            .map(|w| RubricWord {
                norm: (*w).to_owned(),
                stem: a.stem(w),
            })
            .collect();
        v.sort();
        v
    }

    fn fix(word: &str, list: &[&str]) -> Option<String> {
        let a = Analyzer::english();
        resolve(word, &a.stem(word), &words(list)).map(|w| w.norm.clone())
    }

    #[test]
    fn common_misspellings_resolve() {
        let rubric = ["idempotency", "circuit", "exponential", "backoff", "kubernetes"];
        assert_eq!(fix("idempotancy", &rubric).as_deref(), Some("idempotency"));
        assert_eq!(fix("circut", &rubric).as_deref(), Some("circuit"));
        assert_eq!(fix("exponental", &rubric).as_deref(), Some("exponential"));
        assert_eq!(fix("backof", &rubric).as_deref(), Some("backoff"));
        assert_eq!(fix("kubernates", &rubric).as_deref(), Some("kubernetes"));
    }

    #[test]
    fn short_words_are_never_corrected() {
        assert_eq!(fix("tls", &["mtls"]), None);
        assert_eq!(fix("cach", &["cache"]), None);
        assert_eq!(fix("index", &["indexe"]), None);
    }

    #[test]
    fn the_letter_bound_never_exceeds_the_distance() {
        let pairs = [
            ("idempotancy", "idempotency"),
            ("circut", "circuit"),
            ("ca", "abc"),
            ("replication", "replacement"),
            ("backoff", "backfill"),
            ("kubernates", "kubernetes"),
            ("abcdef", "fedcba"),
        ];
        for (a, b) in pairs {
            let exact = damerau_levenshtein(a, b);
            for max in 0..4 {
                let bounded = within(a, b, max);
                if exact <= max {
                    assert_eq!(bounded, exact, "{a} / {b} within {max}");
                } else {
                    assert!(
                        bounded == exact || bounded == usize::MAX,
                        "{a} / {b} within {max}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        // A small alphabet makes close pairs common, where the bound matters.
        #[test]
        fn the_letter_bound_only_skips_pairs_beyond_max(a in "[a-e]{0,9}", b in "[a-e]{0,9}", max in 0usize..4) {
            let exact = damerau_levenshtein(&a, &b);
            let bounded = within(&a, &b, max);
            if exact <= max {
                proptest::prop_assert_eq!(bounded, exact);
            } else {
                proptest::prop_assert!(bounded == exact || bounded == usize::MAX);
            }
        }
    }

    /// What `answer` reads as misspellings of `aliases` through their neighbours.
    fn anchored(answer: &str, aliases: &[&str]) -> Vec<(String, String)> {
        let a = Analyzer::english();
        let aliases: Vec<Vec<RubricWord>> = aliases
            .iter()
            .filter_map(|alias| alias_words(a.analyze(alias).tokens()))
            .collect();
        let analyzed = a.analyze(answer);
        let positions = crate::score::matcher::Positions::new(&analyzed);
        resolve_anchored(analyzed.tokens(), &aliases, |s| positions.exact_positions(s), &[])
            .into_iter()
            .map(|(i, w)| (analyzed.tokens()[i].norm.to_string(), w.norm.clone()))
            .collect()
    }

    #[test]
    fn an_alias_s_other_words_pin_down_a_short_or_real_word_misspelling() {
        let read = |w: &str, r: &str| vec![(w.to_owned(), r.to_owned())];
        assert_eq!(
            anchored("each gets an IAM roll", &["iam role"]),
            read("roll", "role")
        );
        assert_eq!(
            anchored("then a virus scann runs", &["virus scan"]),
            read("scann", "scan")
        );
        assert_eq!(anchored("the scann of a virus", &["virus scan"]), []);
        assert_eq!(anchored("scan for the virsu", &["scan for viruses"]), []);
    }

    #[test]
    fn an_anchored_misspelling_needs_every_other_word_its_initial_and_one_sentence() {
        assert_eq!(anchored("an IAM roll", &["iam role policy"]), []);
        assert_eq!(anchored("an IAM hole", &["iam role"]), []);
        assert_eq!(anchored("an IAM. Roll it", &["iam role"]), []);
        assert_eq!(
            anchored("a virus scans", &["virus scan"]),
            [],
            "an inflection is no misspelling"
        );
        assert_eq!(anchored("an IAM rule", &["iam ro"]), [], "too short to resolve");
    }

    #[test]
    fn a_glue_word_sharing_an_alias_word_s_stem_anchors_nothing() {
        // "our" is a glue word with the stem of "ours": it has no place
        // among the answer's words, so it cannot start a window.
        assert_eq!(anchored("set our polcy", &["ours policy"]), []);
    }

    #[test]
    fn distant_or_differently_initialled_words_are_not_corrected() {
        assert_eq!(fix("sharding", &["charding"]), None);
        assert_eq!(fix("replication", &["replacement"]), None);
        assert_eq!(fix("p99999", &["p99998"]), None);
    }
}
