//! English function words.
//!
//! They carry grammar, not knowledge: the scorer ignores them inside aliases,
//! the index leaves them out of similarity queries, and their share of an
//! answer tells prose from a bare keyword list.

use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

/// Function words, sorted so lookup is a binary search.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "during", "each", "either", "else", "even", "ever", "every", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "i'd",
    "i'll", "i'm", "i've", "if", "in", "into", "is", "it", "it's", "its", "itself", "just", "let", "may",
    "me", "might", "mine", "more", "most", "much", "must", "my", "myself", "neither", "no", "nor", "not",
    "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "per",
    "quite", "rather", "really", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
    "that's", "the", "their", "theirs", "them", "then", "there", "these", "they", "they're", "this", "those",
    "though", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very", "via", "was",
    "we", "we'd", "we'll", "we're", "we've", "were", "what", "when", "where", "whether", "which", "while",
    "who", "whom", "whose", "why", "will", "with", "within", "would", "yet", "you", "you'd", "you'll",
    "you're", "your", "yours",
];

/// Words ignored inside a multi-word alias or red-flag phrase.
///
/// Deliberately smaller than [`STOP_WORDS`]: "through" in "write-through" or
/// "no" in "no backups" carries meaning in a phrase and must be matched.
const GLUE_WORDS: &[&str] = &[
    "a", "an", "and", "are", "be", "i", "in", "is", "it", "its", "of", "on", "or", "our", "that", "the",
    "their", "this", "to", "we", "with", "you", "your", "for",
];

/// Whether `word` (already folded) is an English function word.
pub fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    // Function words are short; longer words skip the hash entirely.
    word.len() <= LONGEST_STOP_WORD
        && SET
            .get_or_init(|| STOP_WORDS.iter().copied().collect())
            .contains(word)
}

/// Length in bytes of the longest function word ("themselves" is not listed).
const LONGEST_STOP_WORD: usize = 7;

/// Abbreviations that only introduce or end an example: they say nothing.
const FILLERS: &[&str] = &["e.g", "eg", "etc", "i.e", "ie", "viz", "vs"];

/// Whether `word` (already folded) is a filler abbreviation ("e.g.", "etc."):
/// not a function word for the analyzer, but never a term of a reference.
pub fn is_filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

/// Whether `word` (already folded) is ignored inside a multi-word alias.
pub fn is_glue_word(word: &str) -> bool {
    GLUE_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn no_function_word_is_longer_than_the_length_shortcut() {
        assert!(STOP_WORDS.iter().all(|w| w.len() <= LONGEST_STOP_WORD));
        assert!(STOP_WORDS.iter().any(|w| w.len() == LONGEST_STOP_WORD));
    }

    #[test]
    fn function_words_are_stop_words_and_terms_are_not() {
        assert!(is_stop_word("the"));
        assert!(is_stop_word("because"));
        assert!(!is_stop_word("index"));
        assert!(!is_stop_word("never"));
    }

    #[test]
    fn glue_words_are_stop_words() {
        for word in GLUE_WORDS {
            assert!(is_stop_word(word), "{word}");
        }
        assert!(!is_glue_word("through"));
        assert!(!is_glue_word("no"));
    }
}
