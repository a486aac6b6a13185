//! A small shipped list of interchangeable words and phrases.
//!
//! Questions outside the bank have only their reference answers to go by,
//! and a one-sentence reference names each idea one way. `synonyms.txt`
//! lists words and short phrases that mean the same in a technical answer
//! ("remove, delete, erase"; "stack, lifo, last in first out"), so an answer
//! that says the idea another way still gets credit. Groups are matched by
//! stem: one inflection of each member covers the others.

use std::collections::{BTreeSet, HashMap};

use super::Analyzer;

/// The list compiled into the binary.
const SHIPPED: &str = include_str!("synonyms.txt");

/// One member of a group: as written, and the stems it matches.
#[derive(Debug, Clone)]
struct Member {
    surface: String,
    stems: Vec<String>,
}

/// Groups of interchangeable words and phrases, indexed by stem.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Member>>,
    /// Single-word members: stem → the groups holding it.
    by_stem: HashMap<String, Vec<u32>>,
    /// Members of several words: their stems and group.
    phrases: Vec<(Vec<String>, u32)>,
    /// First stem of a phrase member → its positions in `phrases`, so a
    /// text is scanned once rather than once per phrase.
    phrases_by_first: HashMap<String, Vec<usize>>,
}

impl Synonyms {
    /// The list shipped with Assay.
    pub fn shipped(analyzer: &Analyzer) -> Self {
        Self::parse(analyzer, SHIPPED)
    }

    /// Reads a list: one group per line, members separated by commas, `#`
    /// starting a comment. Members without a word are skipped.
    pub fn parse(analyzer: &Analyzer, text: &str) -> Self {
        let mut synonyms = Synonyms::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let members: Vec<Member> = line
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| Member {
                    surface: m.to_owned(),
                    stems: analyzer.phrase_terms(m),
                })
                .filter(|m| !m.stems.is_empty())
                .collect();
            if members.len() < 2 {
                continue;
            }
            let group = synonyms.groups.len() as u32;
            for member in &members {
                if let [stem] = member.stems.as_slice() {
                    let groups = synonyms.by_stem.entry(stem.clone()).or_default();
                    if !groups.contains(&group) {
                        groups.push(group);
                    }
                } else {
                    if let Some(first) = member.stems.first() {
                        synonyms
                            .phrases_by_first
                            .entry(first.clone())
                            .or_default()
                            .push(synonyms.phrases.len());
                    }
                    synonyms.phrases.push((member.stems.clone(), group));
                }
            }
            synonyms.groups.push(members);
        }
        synonyms
    }

    /// The groups a single stem belongs to.
    pub fn groups_of(&self, stem: &str) -> &[u32] {
        self.by_stem.get(stem).map_or(&[], Vec::as_slice)
    }

    /// Every group a text names, given the stems of its words in order
    /// without glue words ([`Analyzer::phrase_terms`] of it): through a
    /// phrase member appearing word for word, or a single word outside
    /// every such phrase. The longest member wins, as in any thesaurus
    /// lookup: the "link" of "linked list" is not the "link" that means a
    /// pointer or a connection.
    pub fn groups_in(&self, stems: &[&str]) -> BTreeSet<u32> {
        let mut found: BTreeSet<u32> = BTreeSet::new();
        let mut in_phrase = vec![false; stems.len()];
        for (at, first) in stems.iter().enumerate() {
            let Some(candidates) = self.phrases_by_first.get(*first) else {
                continue;
            };
            for &(ref phrase, group) in candidates.iter().filter_map(|&i| self.phrases.get(i)) {
                let len = phrase.len();
                let Some(window) = stems.get(at..at + len) else {
                    continue;
                };
                if window.iter().zip(phrase).all(|(a, b)| *a == b) {
                    found.insert(group);
                    if let Some(covered) = in_phrase.get_mut(at..at + len) {
                        covered.fill(true);
                    }
                }
            }
        }
        for (stem, covered) in stems.iter().zip(&in_phrase) {
            if !covered {
                found.extend(self.groups_of(stem));
            }
        }
        found
    }

    /// The groups a term of stems `stems` is a member of, whole.
    pub fn groups_of_term(&self, stems: &[String]) -> Vec<u32> {
        match stems {
            [stem] => self.groups_of(stem).to_vec(),
            _ => self
                .phrases
                .iter()
                .filter(|(p, _)| p == stems)
                .map(|(_, g)| *g)
                .collect(),
        }
    }

    /// The other members of every group holding the term `stems`, as written
    /// in the list: ways to say the same thing.
    pub fn alternatives(&self, stems: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for group in self.groups_of_term(stems) {
            for member in &self.groups[group as usize] {
                if member.stems != stems && !out.contains(&member.surface.as_str()) {
                    out.push(&member.surface);
                }
            }
        }
        out
    }

    /// How many groups the list holds.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether the list holds no group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> (Analyzer, Synonyms) {
        let analyzer = Analyzer::english();
        let synonyms = Synonyms::shipped(&analyzer);
        (analyzer, synonyms)
    }

    #[test]
    fn the_shipped_list_loads() {
        let (_, synonyms) = shipped();
        assert!(synonyms.len() > 150, "{}", synonyms.len());
    }

    #[test]
    fn no_shipped_member_reduces_to_a_single_letter() {
        // "i/o" read as the glue word "i" and the letter "o" put every
        // `O(n)` in the group of "input output".
        let (_, synonyms) = shipped();
        for member in synonyms.groups.iter().flatten() {
            let letter = matches!(member.stems.as_slice(), [stem] if stem.chars().count() < 2);
            assert!(!letter, "{:?} reduces to {:?}", member.surface, member.stems);
        }
    }

    #[test]
    fn inflections_share_their_word_s_groups() {
        let (analyzer, synonyms) = shipped();
        let removes = analyzer.stem("removes");
        let deleting = analyzer.stem("deleting");
        let shared = synonyms
            .groups_of(&removes)
            .iter()
            .any(|g| synonyms.groups_of(&deleting).contains(g));
        assert!(shared);
        assert!(synonyms.groups_of(&analyzer.stem("banana")).is_empty());
    }

    #[test]
    fn a_phrase_member_is_found_word_for_word_only() {
        let (analyzer, synonyms) = shipped();
        let stack = synonyms.groups_of_term(&[analyzer.stem("lifo")]);
        assert!(!stack.is_empty());
        let said = analyzer.phrase_terms("it is last in, first out");
        let said: Vec<&str> = said.iter().map(String::as_str).collect();
        assert!(stack.iter().any(|g| synonyms.groups_in(&said).contains(g)));
        let scrambled = analyzer.phrase_terms("first out, last in");
        let scrambled: Vec<&str> = scrambled.iter().map(String::as_str).collect();
        assert!(!stack.iter().any(|g| synonyms.groups_in(&scrambled).contains(g)));
    }

    #[test]
    fn a_word_inside_a_phrase_member_names_only_the_phrase_s_groups() {
        let (analyzer, synonyms) = shipped();
        let said = |text: &str| {
            let stems = analyzer.phrase_terms(text);
            synonyms.groups_in(&stems.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let pointer = synonyms.groups_of(&analyzer.stem("pointer"));
        let linked_list = synonyms.groups_of_term(&analyzer.phrase_terms("linked list"));
        assert!(!pointer.is_empty() && !linked_list.is_empty());
        let in_phrase = said("walk the linked list");
        assert!(linked_list.iter().all(|g| in_phrase.contains(g)), "{in_phrase:?}");
        assert!(!pointer.iter().any(|g| in_phrase.contains(g)), "{in_phrase:?}");
        // Alone, the word still names its own groups.
        let alone = said("every link costs one hop");
        assert!(pointer.iter().any(|g| alone.contains(g)), "{alone:?}");
    }

    #[test]
    fn alternatives_name_the_other_members() {
        let (analyzer, synonyms) = shipped();
        let alternatives = synonyms.alternatives(&[analyzer.stem("delete")]);
        assert!(alternatives.contains(&"remove"), "{alternatives:?}");
        assert!(!alternatives.contains(&"delete"));
    }

    #[test]
    fn comments_blank_members_and_lone_words_are_skipped() {
        let analyzer = Analyzer::english();
        let synonyms = Synonyms::parse(&analyzer, "# a comment\nalone\nfast, , quick # trailing\n\n");
        assert_eq!(synonyms.len(), 1);
        assert_eq!(synonyms.alternatives(&[analyzer.stem("quick")]), vec!["fast"]);
    }
}
