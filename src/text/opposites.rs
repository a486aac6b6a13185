//! A small shipped list of words that state opposite claims.
//!
//! An answer can use every word of a reference and still say the opposite:
//! "aging lowers the priority" against "aging raises the priority".
//! `opposites.txt` lists pairs of sides that exclude each other in a
//! technical answer (raise / lower, reliable / unreliable, valid / invalid),
//! matched by stem like the synonym list.

use std::collections::HashMap;

use super::Analyzer;

/// The list compiled into the binary.
const SHIPPED: &str = include_str!("opposites.txt");

/// Pairs of opposite sides, indexed by stem.
#[derive(Debug, Clone, Default)]
pub struct Opposites {
    /// Stem → the stems on the other side of every pair holding it.
    opposite: HashMap<String, Vec<String>>,
}

impl Opposites {
    /// The list shipped with Assay.
    pub fn shipped(analyzer: &Analyzer) -> Self {
        Self::parse(analyzer, SHIPPED)
    }

    /// Reads a list: one pair per line, sides separated by `|`, members of a
    /// side by commas, `#` starting a comment. Lines without two sides of
    /// single words are skipped.
    pub fn parse(analyzer: &Analyzer, text: &str) -> Self {
        let mut opposites = Opposites::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let Some((left, right)) = line.split_once('|') else {
                continue;
            };
            let side = |s: &str| -> Vec<String> {
                s.split(',')
                    .filter_map(|m| match analyzer.phrase_terms(m.trim()).as_slice() {
                        [stem] => Some(stem.clone()),
                        _ => None,
                    })
                    .collect()
            };
            let (left, right) = (side(left), side(right));
            for (from, to) in [(&left, &right), (&right, &left)] {
                for stem in from {
                    let entry = opposites.opposite.entry(stem.clone()).or_default();
                    entry.extend(to.iter().filter(|s| *s != stem).cloned());
                }
            }
        }
        opposites
    }

    /// The stems that state the opposite of `stem` (empty when none is listed).
    pub fn of(&self, stem: &str) -> &[String] {
        self.opposite.get(stem).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_symmetric_and_matched_by_stem() {
        let analyzer = Analyzer::english();
        let opposites = Opposites::shipped(&analyzer);
        let raise = analyzer.stem("raises");
        let lower = analyzer.stem("lowering");
        assert!(
            opposites.of(&raise).contains(&lower),
            "{:?}",
            opposites.of(&raise)
        );
        assert!(opposites.of(&lower).contains(&raise));
        assert!(opposites.of("queue").is_empty());
    }

    #[test]
    fn lines_without_two_sides_are_skipped() {
        let analyzer = Analyzer::english();
        let opposites = Opposites::parse(&analyzer, "# comment\nhot, warm\ncold | hot\n");
        assert_eq!(opposites.of("hot"), ["cold".to_owned()]);
        assert!(opposites.of("warm").is_empty());
    }
}
