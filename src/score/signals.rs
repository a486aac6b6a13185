//! Answer-level signals that do not depend on a single concept.

use super::evaluation::{KeywordStuffing, TooShort, Vague};
use crate::text::{frequency, Analyzed, TokenKind};

/// Fewer words than this is too short to judge.
pub const MIN_WORDS: usize = 15;
/// Fewest words for keyword stuffing to be judged at all.
const STUFFING_MIN_WORDS: usize = 5;
/// Below this share of function words, an answer is a bare list.
const STUFFING_RATIO: f64 = 0.12;
/// Below this share, short clauses also mark a list.
const LISTY_RATIO: f64 = 0.22;
/// Clauses this short (on average) read as list items.
const LISTY_CLAUSE_WORDS: f64 = 3.5;

/// `Some` when the answer has fewer than `minimum` words ([`MIN_WORDS`] for
/// bank questions; less for an ad-hoc question whose references are short).
pub fn too_short(analyzed: &Analyzed, minimum: usize) -> Option<TooShort> {
    let words = analyzed.word_count();
    (words < minimum).then_some(TooShort { words, minimum })
}

/// `Some` when the answer reads as terms listed with no sentences connecting them:
/// almost no function words, or few function words in very short clauses.
pub fn keyword_stuffing(analyzed: &Analyzed) -> Option<KeywordStuffing> {
    let words: Vec<_> = analyzed
        .tokens()
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .collect();
    if words.len() < STUFFING_MIN_WORDS {
        return None;
    }
    let function_words = words.iter().filter(|t| t.stop).count();
    let ratio = function_words as f64 / words.len() as f64;
    let mut clauses: Vec<u32> = words.iter().map(|t| t.clause).collect();
    clauses.dedup();
    let per_clause = words.len() as f64 / clauses.len().max(1) as f64;
    let stuffed = ratio < STUFFING_RATIO || (ratio < LISTY_RATIO && per_clause <= LISTY_CLAUSE_WORDS);
    stuffed.then(|| KeywordStuffing {
        function_word_ratio: round3(ratio),
        words_per_clause: round3(per_clause),
    })
}

/// Below this Zipf frequency a word is specific (technical terms, tool names).
const SPECIFIC_ZIPF: f32 = 4.0;
/// Below this share of specific content words, an answer says nothing concrete.
const VAGUE_SHARE: f64 = 0.06;

/// `Some` when the answer, long enough to judge, has almost no specific words:
/// fluent, but nothing concrete ("I'd follow best practices and keep things
/// scalable"). Specific means rare in general English: a tool, a technique.
pub fn vague(analyzed: &Analyzed) -> Option<Vague> {
    let content = || {
        analyzed
            .tokens()
            .iter()
            .filter(|t| t.kind == TokenKind::Word && !t.stop)
            .map(|t| t.stem.as_ref())
    };
    let total = content().count();
    if analyzed.word_count() < MIN_WORDS || total == 0 {
        return None;
    }
    // Most answers are specific within their first few words: stop counting
    // (and looking frequencies up) as soon as the share is reached.
    let mut specific = 0usize;
    for stem in content() {
        if frequency::zipf(stem).is_none_or(|z| z < SPECIFIC_ZIPF) {
            specific += 1;
            if specific as f64 / total as f64 >= VAGUE_SHARE {
                return None;
            }
        }
    }
    let share = specific as f64 / total as f64;
    Some(Vague {
        specific_share: round3(share),
    })
}

/// Rounds to three decimals, for stable serialised figures.
pub fn round3(x: f64) -> f64 {
    // Adding 0.0 turns -0.0 (the sum of no floats) into 0.0.
    (x * 1000.0).round() / 1000.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    fn analyze(text: &str) -> Analyzed {
        Analyzer::english().analyze(text)
    }

    #[test]
    fn a_keyword_list_is_stuffing() {
        let list = "EXPLAIN ANALYZE, composite index, covering index, N+1, Redis, read replicas, PgBouncer, partitioning";
        assert!(keyword_stuffing(&analyze(list)).is_some());
        let bullets = "- EXPLAIN ANALYZE\n- seq scan\n- composite index\n- Redis cache\n- replicas";
        assert!(keyword_stuffing(&analyze(bullets)).is_some());
    }

    #[test]
    fn prose_is_not_stuffing() {
        let prose =
            "I would first find the slow queries in the log, then read the plan with EXPLAIN ANALYZE \
                     and add a composite index where the planner scans the whole table.";
        assert!(keyword_stuffing(&analyze(prose)).is_none());
    }

    #[test]
    fn terse_bullets_with_connecting_words_are_not_stuffing() {
        let bullets = "- Find the slow queries with pg_stat_statements\n- Read the plan to spot seq scans\n\
                       - Add a composite index for the filter\n- Cache the hot reads in Redis";
        assert!(keyword_stuffing(&analyze(bullets)).is_none());
    }

    #[test]
    fn short_answers_are_flagged_with_their_length() {
        let short = too_short(&analyze("Add an index."), MIN_WORDS).unwrap();
        assert_eq!((short.words, short.minimum), (3, MIN_WORDS));
        assert!(too_short(&analyze(&"word ".repeat(MIN_WORDS)), MIN_WORDS).is_none());
    }
}
