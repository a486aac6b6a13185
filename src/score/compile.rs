//! The bank compiled for matching: every alias and phrase analysed once, at start.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::fuzzy::RubricWord;
use super::matcher::Phrase;
use crate::bank::{Bank, Question, RedFlag};
use crate::text::Analyzer;

/// Where a red flag is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagSource {
    /// In the question's own file, at this position.
    Question(usize),
    /// In the common file, at this position.
    Common(usize),
}

/// A red flag's phrases, compiled.
#[derive(Debug, Clone)]
pub struct CompiledFlag {
    /// Where the flag is defined.
    pub source: FlagSource,
    /// Advocating phrasings.
    pub phrases: Vec<Phrase>,
    /// Good practices whose dismissal raises the flag.
    pub dismissing: Vec<Phrase>,
    /// The practice as ingredients of a first-person sentence.
    pub practices: Vec<CompiledPractice>,
}

/// A red flag's practice, compiled: each ingredient group's alternatives.
#[derive(Debug, Clone)]
pub struct CompiledPractice {
    /// Per ingredient group, its alternatives.
    pub groups: Vec<Vec<Phrase>>,
}

/// The bank's common red flags, compiled once and shared by every question
/// and every caller's rubric: they are most of the practices there are.
pub fn compile_common(analyzer: &Analyzer, common: &[RedFlag]) -> Arc<[CompiledFlag]> {
    common
        .iter()
        .enumerate()
        .map(|(i, f)| compile_flag(analyzer, FlagSource::Common(i), f))
        .collect()
}

fn compile_flag(analyzer: &Analyzer, source: FlagSource, flag: &RedFlag) -> CompiledFlag {
    CompiledFlag {
        source,
        phrases: compile_phrases(analyzer, &flag.phrases),
        dismissing: compile_phrases(analyzer, &flag.dismissing),
        practices: flag
            .practices
            .iter()
            .map(|p| CompiledPractice {
                groups: p.groups.iter().map(|g| compile_phrases(analyzer, g)).collect(),
            })
            .collect(),
    }
}

/// One question ready to be matched against answers.
#[derive(Debug, Clone)]
pub struct CompiledQuestion {
    /// Per concept (same order as the question's), its compiled aliases.
    pub concepts: Vec<Vec<Phrase>>,
    /// The question's own red flags.
    pub own_flags: Vec<CompiledFlag>,
    /// The red flags common to every question, shared.
    pub common_flags: Arc<[CompiledFlag]>,
    /// Stems of the canonical wording's content words, for question demoting.
    pub question_stems: BTreeSet<String>,
    /// The rubric's long words, sorted, that misspellings may resolve to.
    pub rubric_words: Vec<RubricWord>,
    /// The words of every alias of two or more words, in order: where a
    /// misspelling may resolve with its neighbours' help.
    pub alias_words: Vec<Vec<RubricWord>>,
}

fn compile_phrases(analyzer: &Analyzer, texts: &[crate::bank::Text]) -> Vec<Phrase> {
    texts
        .iter()
        .map(|t| Phrase::compile(analyzer, t.as_str()))
        .filter(|p| !p.terms.is_empty())
        .collect()
}

impl CompiledQuestion {
    /// Compiles `question`, with the bank's common red flags compiled by
    /// [`compile_common`].
    pub fn new(analyzer: &Analyzer, question: &Question, common_flags: Arc<[CompiledFlag]>) -> Self {
        let concepts: Vec<Vec<Phrase>> = question
            .concepts
            .iter()
            .map(|c| compile_phrases(analyzer, &c.aliases))
            .collect();
        let own_flags: Vec<CompiledFlag> = question
            .red_flags
            .iter()
            .enumerate()
            .map(|(i, f)| compile_flag(analyzer, FlagSource::Question(i), f))
            .collect();
        let question_stems = analyzer
            .content_stems(question.question.as_str())
            .into_iter()
            .collect();
        let mut rubric_words: BTreeSet<RubricWord> = BTreeSet::new();
        let mut alias_words: BTreeSet<Vec<RubricWord>> = BTreeSet::new();
        for alias in question.concepts.iter().flat_map(|c| c.aliases.iter()) {
            let analyzed = analyzer.analyze(alias.as_str());
            rubric_words.extend(analyzed.tokens().iter().filter_map(RubricWord::from_token));
            alias_words.extend(super::fuzzy::alias_words(analyzed.tokens()));
        }
        CompiledQuestion {
            concepts,
            own_flags,
            common_flags,
            question_stems,
            rubric_words: rubric_words.into_iter().collect(),
            alias_words: alias_words.into_iter().collect(),
        }
    }

    /// Every red flag that applies: the question's own, then the common ones.
    pub fn flags(&self) -> impl Iterator<Item = &CompiledFlag> {
        self.own_flags.iter().chain(self.common_flags.iter())
    }
}

/// Every stem the bank uses anywhere, with the number of questions that use
/// it: words here are real, never misspellings, and a word most questions
/// use tells little about any one of them.
pub fn bank_vocabulary(analyzer: &Analyzer, bank: &Bank) -> BTreeMap<String, u32> {
    let mut vocabulary: BTreeMap<String, u32> = BTreeMap::new();
    for q in bank.questions() {
        let mut stems: BTreeSet<String> = BTreeSet::new();
        let mut add = |text: &str| {
            for t in analyzer.analyze(text).tokens() {
                if !stems.contains(t.stem.as_ref()) {
                    stems.insert(t.stem.to_string());
                }
            }
        };
        q.all_wordings().for_each(|w| add(w.as_str()));
        q.model_answers.iter().for_each(|a| add(a.text.as_str()));
        for c in &q.concepts {
            add(c.label.as_str());
            add(c.hint.as_str());
            c.aliases.iter().for_each(|a| add(a.as_str()));
        }
        for f in &q.red_flags {
            add(f.why.as_str());
        }
        for stem in stems {
            *vocabulary.entry(stem).or_default() += 1;
        }
    }
    vocabulary
}
