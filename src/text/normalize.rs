//! Folding a word to the form every comparison uses.
//!
//! Lowercase, with accents removed and typographic apostrophes made plain, so
//! "Café", "cafe" and "CAFE" are one word and "don’t" is "don't".
//!
//! # Example
//!
//! ```
//! use assay::text::normalize::fold;
//! assert_eq!(fold("Don’t"), "don't");
//! assert_eq!(fold("Réplica"), "replica");
//! ```

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Returns `word` lowercased, with accents stripped and curly apostrophes straightened.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// [`fold`] into `out` (cleared first), so a caller can reuse one buffer.
pub fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{FF07}' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Whether a character separates clauses inside a sentence (commas, dashes, brackets…).
pub fn is_clause_punctuation(segment: &str) -> bool {
    matches!(
        segment,
        "," | ";" | ":" | "(" | ")" | "[" | "]" | "\u{2014}" | "\u{2013}" | " - " | "--"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_lowercased() {
        assert_eq!(fold("EXPLAIN"), "explain");
    }

    #[test]
    fn accents_and_curly_apostrophes_are_folded() {
        assert_eq!(fold("naïve"), "naive");
        assert_eq!(fold("won’t"), "won't");
        assert_eq!(fold("ÉCOLE"), "ecole");
    }

    #[test]
    fn non_latin_text_is_kept() {
        assert_eq!(fold("Кэш"), "кэш");
        assert_eq!(fold("خادم"), "خادم");
    }
}
