//! Word bounds (Unicode Standard Annex #29), with a fast path for ASCII.
//!
//! Answers are nearly always ASCII, and for ASCII the UAX #29 word-break
//! rules reduce to a handful: letters, digits and `_` join (WB5, WB8–WB10,
//! WB13a–b); `:` joins letters, `.` and `'` join letters or digits on both
//! sides (WB6–WB7, WB11–WB12); `,` and `;` join digits (WB11–WB12); spaces
//! join spaces (WB3d); CR LF stays together (WB3); anything else stands
//! alone. [`WordBounds`] applies those to ASCII text and hands any other text
//! to `unicode-segmentation`; a property test holds the two to the same
//! output on every ASCII string.

use std::iter::Peekable;

use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// The word-bound segments of a text with their byte offsets, like
/// [`UnicodeSegmentation::split_word_bound_indices`].
pub enum WordBounds<'a> {
    /// Pure ASCII text, segmented by the rules above.
    Ascii(AsciiWordBounds<'a>),
    /// Any other text, segmented by `unicode-segmentation`.
    Unicode(UWordBoundIndices<'a>),
}

impl<'a> WordBounds<'a> {
    /// Segments `text`, taking the ASCII path when it can.
    pub fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            WordBounds::Ascii(AsciiWordBounds { text, at: 0 })
        } else {
            WordBounds::Unicode(text.split_word_bound_indices())
        }
    }

    /// The same segments, peekable.
    pub fn peekable(self) -> Peekable<Self> {
        Iterator::peekable(self)
    }
}

impl<'a> Iterator for WordBounds<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            WordBounds::Ascii(a) => a.next(),
            WordBounds::Unicode(u) => u.next(),
        }
    }
}

/// UAX #29 word bounds over ASCII text.
pub struct AsciiWordBounds<'a> {
    text: &'a str,
    at: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Underscore,
    /// `:`
    MidLetter,
    /// `.` and `'`
    MidNumLet,
    /// `,` and `;`
    MidNum,
    Space,
    Cr,
    Lf,
    Other,
}

/// The class of every byte, computed at compile time: segmentation looks up
/// each byte of an answer, so a table beats a branchy match.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = class_of(b as u8);
        b += 1;
    }
    table
};

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        b' ' => Class::Space,
        b'\r' => Class::Cr,
        b'\n' | 0x0b | 0x0c => Class::Lf,
        _ => Class::Other,
    }
}

#[inline]
fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

#[inline]
fn is_wordish(c: Class) -> bool {
    matches!(c, Class::Letter | Class::Digit | Class::Underscore)
}

impl<'a> Iterator for AsciiWordBounds<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let first = class(*bytes.get(start)?);
        let mut end = start + 1;
        match first {
            Class::Cr if bytes.get(end) == Some(&b'\n') => end += 1,
            Class::Space => {
                while bytes.get(end) == Some(&b' ') {
                    end += 1;
                }
            }
            c if is_wordish(c) => {
                let mut previous = c;
                while let Some(&b) = bytes.get(end) {
                    let current = class(b);
                    if is_wordish(current) {
                        previous = current;
                        end += 1;
                        continue;
                    }
                    // A middle character joins only between the right neighbours.
                    let Some(&after) = bytes.get(end + 1) else { break };
                    let after = class(after);
                    let joins = match current {
                        Class::MidLetter => previous == Class::Letter && after == Class::Letter,
                        Class::MidNumLet => {
                            (previous == Class::Letter && after == Class::Letter)
                                || (previous == Class::Digit && after == Class::Digit)
                        }
                        Class::MidNum => previous == Class::Digit && after == Class::Digit,
                        _ => false,
                    };
                    if !joins {
                        break;
                    }
                    previous = after;
                    end += 2;
                }
            }
            _ => {}
        }
        self.at = end;
        Some((start, &self.text[start..end]))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ascii(text: &str) -> Vec<(usize, &str)> {
        AsciiWordBounds { text, at: 0 }.collect()
    }

    #[test]
    fn words_numbers_and_joiners_follow_uax29() {
        let text = "Don't SELECT * at 3.5ms, e.g. n+1 pg_stat_statements a:b 1,000; x.y\r\n  end";
        assert_eq!(ascii(text), text.split_word_bound_indices().collect::<Vec<_>>());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn ascii_fast_path_equals_unicode_segmentation(text in "[ -~\t\r\n\x0b\x0c]{0,80}") {
            let expected: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(ascii(&text), expected);
        }

        #[test]
        fn ascii_fast_path_equals_on_punctuation_heavy_text(text in "[a-c0-2:.',;_ \r\n+*#-]{0,40}") {
            let expected: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(ascii(&text), expected);
        }
    }
}
