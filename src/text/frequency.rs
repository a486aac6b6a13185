//! How common a word is in general English, from a shipped frequency list.
//!
//! A word's *informativeness* grows as its frequency falls: "use" says little,
//! "idempotency" says a lot. The list (`data/english-word-frequency.tsv`, see
//! `data/README.md`) is compiled into the binary and read once, keyed by stem
//! so inflections share the frequency of their most common form.
//!
//! # Example
//!
//! ```
//! use assay::text::frequency::informativeness;
//! use assay::text::Analyzer;
//!
//! let stem = |w: &str| Analyzer::english().stem(w);
//! assert!(informativeness(&stem("idempotency")) > informativeness(&stem("system")));
//! ```

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use super::stopwords::is_stop_word;
use super::Analyzer;

const LIST: &str = include_str!("../../data/english-word-frequency.tsv");

/// Zipf frequency above which a word carries no information (the most common words).
const CEILING: f32 = 7.0;
/// Informativeness of a word missing from the list: rarer than any listed word.
pub const UNLISTED: f32 = 5.0;
/// Least informativeness any word has.
const FLOOR: f32 = 0.5;

/// The list read once: stem → Zipf frequency, and word → stem.
struct Tables {
    zipf_by_stem: HashMap<String, f32>,
    /// The stems of the listed words and of every word of the shipped
    /// corpus: the words answers use most. Only a cache: a word missing here
    /// is stemmed when it is read, to the same stem.
    stem_by_word: HashMap<String, (String, bool)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let analyzer = Analyzer::english();
        let mut zipf_by_stem: HashMap<String, f32> =
            HashMap::with_capacity_and_hasher(30_000, Default::default());
        let mut stem_by_word: HashMap<String, (String, bool)> =
            HashMap::with_capacity_and_hasher(30_000, Default::default());
        for line in LIST.lines().filter(|l| !l.starts_with('#')) {
            let Some((word, zipf)) = line.split_once('\t') else {
                continue;
            };
            let Ok(zipf) = zipf.trim().parse::<f32>() else {
                continue;
            };
            let stem = analyzer.stem_uncached(word);
            let entry = zipf_by_stem.entry(stem.clone()).or_insert(zipf);
            *entry = entry.max(zipf);
            stem_by_word.insert(word.to_owned(), (stem, is_stop_word(word)));
        }
        // Technical words ("idempotency", "postgres") are not common English
        // but fill answers to the bank's questions; stemming them per token
        // was a tenth of an evaluation.
        let mut folded = String::new();
        for source in crate::bank::embedded_sources() {
            for (_, segment) in super::segment::WordBounds::new(&source.contents) {
                if !segment.chars().any(char::is_alphanumeric) {
                    continue;
                }
                super::normalize::fold_into(segment, &mut folded);
                if !stem_by_word.contains_key(folded.as_str()) {
                    let stem = analyzer.stem_uncached(&folded);
                    stem_by_word.insert(folded.clone(), (stem, is_stop_word(&folded)));
                }
            }
        }
        Tables {
            zipf_by_stem,
            stem_by_word,
        }
    })
}

fn table() -> &'static HashMap<String, f32> {
    &tables().zipf_by_stem
}

/// A listed English word or a word of the shipped corpus, its stem, both
/// borrowed from the table (a token of such a word needs no allocation of its
/// own), and whether it is a function word ([`is_stop_word`]).
pub fn cached_word(word: &str) -> Option<(&'static str, &'static str, bool)> {
    tables()
        .stem_by_word
        .get_key_value(word)
        .map(|(w, (s, stop))| (w.as_str(), s.as_str(), *stop))
}

/// The stem of a listed English word or a word of the shipped corpus,
/// computed once (stemming is the costliest step of reading a text).
pub fn cached_stem(word: &str) -> Option<&'static str> {
    tables().stem_by_word.get(word).map(|(stem, _)| stem.as_str())
}

/// The Zipf frequency of the most common word with this stem, if listed.
pub fn zipf(stem: &str) -> Option<f32> {
    table().get(stem).copied()
}

/// How much a word with this stem tells about a text's topic: `7 - zipf`,
/// at least 0.5, and [`UNLISTED`] for words the list does not hold.
pub fn informativeness(stem: &str) -> f32 {
    match zipf(stem) {
        Some(z) => (CEILING - z).clamp(FLOOR, UNLISTED),
        None => UNLISTED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_loads_with_its_common_words() {
        assert!(zipf("the").is_some_and(|z| z > 7.0));
        assert!(table().len() > 15_000, "{}", table().len());
    }

    #[test]
    fn rare_and_unlisted_words_are_more_informative() {
        assert!(informativeness("databas") > informativeness("time"));
        assert_eq!(informativeness("pgbouncer"), UNLISTED);
        assert!(informativeness("the") >= 0.5);
    }
}
