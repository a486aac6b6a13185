//! The tantivy index over the bank: which question a wording means, and how
//! close an answer is to each question's model answers.
//!
//! Built in RAM at start from a [`Bank`], with Assay's own tokenizer
//! ([`crate::text::tokenizer`]) so index and queries see the same terms. Two
//! indexes: one document per question for lookup, with its wordings, rubric
//! vocabulary (labels, aliases, hints, tags) and model answers as three
//! fields; and one document per model answer for similarity.

mod lookup;

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, Searcher, TantivyDocument, Term};

pub use lookup::{Lookup, QuestionMatch, MIN_CONFIDENCE};

use crate::bank::{Bank, Text};
use crate::text::tokenizer::{AssayTokenizer, TOKENIZER_NAME};
use crate::text::Analyzer;

/// Why the index could not be built or searched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// tantivy refused an operation.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The built index does not have the single segment doc ids rely on.
    #[error("search index: expected one segment, found {0}")]
    Segments(usize),
}

/// A model answer of the similarity index, by document id.
#[derive(Debug, Clone, Copy)]
struct AnswerDoc {
    /// Position of its question in the bank.
    question: usize,
    /// The BM25 score of the answer queried with its own terms, the "as
    /// close as the model answer itself" that similarity is normalised by.
    self_score: f32,
}

/// The search index over a bank. Immutable once built; `Send + Sync`.
///
/// tantivy indexes the bank and scores every term once at build; the index
/// keeps those scores and drops tantivy's, so a search is a few sums over
/// short lists with no query to plan and no segment to open.
pub struct BankIndex {
    question_count: usize,
    /// The similarity index's documents: one per model answer.
    answers: Vec<AnswerDoc>,
    /// Per-term BM25 scores of the model answers, asked of tantivy once at
    /// build: a disjunction's BM25 score is the sum of its terms' scores, so
    /// similarity adds these up instead of running a many-clause query.
    answer_scores: TermScores,
    /// The same for the lookup index's three fields, whose document ids are
    /// question positions.
    lookup: LookupScores,
    /// Per question: how strongly it owns each stem its text uses, from 0 to
    /// 1, for lookup confidence ([`term_strengths`]).
    strengths: Vec<FxHashMap<String, f32>>,
    /// Per question: the content stems of each of its wordings, to know a
    /// near-copy of one when it is asked.
    wording_stems: Vec<Vec<FxHashSet<String>>>,
    /// Adjacent content-stem pairs of each question's wordings and rubric
    /// vocabulary ("hash table", "abstract class"), and per pair how many
    /// questions use it.
    pairs: Vec<FxHashSet<(String, String)>>,
    pair_questions: FxHashMap<(String, String), u32>,
}

/// [`TermScores`] of the lookup index's three fields.
#[derive(Debug, Default)]
struct LookupScores {
    wording: TermScores,
    vocabulary: TermScores,
    answer: TermScores,
}
/// Every term of one field, numbered in sorted order (the index into
/// `postings`), and per term its BM25 score in each document that holds it.
/// Sorted numbering makes sums add their terms in one fixed order, so scores
/// are identical on every run.
#[derive(Debug, Default)]
struct TermScores {
    ids: FxHashMap<String, u32>,
    postings: Vec<Vec<(u32, f32)>>,
}

impl TermScores {
    /// Reads every term of `field` from the index's term dictionary and asks
    /// tantivy for its score in every document.
    fn build(searcher: &Searcher, field: tantivy::schema::Field) -> Result<TermScores, IndexError> {
        let mut terms = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    terms.push(term.to_owned());
                }
            }
        }
        terms.sort_unstable();
        terms.dedup();
        let limit = searcher.num_docs().max(1) as usize;
        let mut built = TermScores {
            ids: FxHashMap::default(),
            postings: Vec::with_capacity(terms.len()),
        };
        built.ids.reserve(terms.len());
        for (id, term) in terms.into_iter().enumerate() {
            let query = TermQuery::new(Term::from_field_text(field, &term), IndexRecordOption::WithFreqs);
            let mut hits: Vec<(u32, f32)> = searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())?
                .into_iter()
                .map(|(score, addr)| (addr.doc_id, score))
                .collect();
            hits.sort_by_key(|&(doc, _)| doc);
            built.postings.push(hits);
            built.ids.insert(term, id as u32);
        }
        Ok(built)
    }

    /// The ids of those `stems` the field holds, sorted, repeats kept.
    fn ids<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
        let mut ids: Vec<u32> = stems
            .into_iter()
            .filter_map(|stem| self.ids.get(stem).copied())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Adds `weight` times each term's score to `scores`, by document id.
    fn add(&self, ids: &[u32], weight: f32, scores: &mut [f32]) {
        for &id in ids {
            for &(doc, score) in self.postings.get(id as usize).into_iter().flatten() {
                if let Some(slot) = scores.get_mut(doc as usize) {
                    *slot += weight * score;
                }
            }
        }
    }
}

impl std::fmt::Debug for BankIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankIndex")
            .field("questions", &self.question_count)
            .field("model_answers", &self.answers.len())
            .finish()
    }
}

/// Memory for the single indexing thread: tantivy's minimum, plenty for a bank.
const WRITER_MEMORY: usize = 15_000_000;

/// A tantivy index in RAM, alive only while [`BankIndex::build`] reads its
/// term scores.
struct Indexed {
    searcher: Searcher,
    fields: Vec<tantivy::schema::Field>,
}

impl Indexed {
    /// Indexes `docs` in RAM, one document each, with one text field per
    /// name in `names` holding the document's text at the same position.
    /// Document ids follow the order of `docs`.
    fn build<'a>(
        analyzer: &Analyzer,
        names: &[&str],
        docs: impl IntoIterator<Item = Vec<&'a str>>,
    ) -> Result<Indexed, IndexError> {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs);
        let options = TextOptions::default().set_indexing_options(indexing);
        let mut schema = Schema::builder();
        let fields: Vec<_> = names
            .iter()
            .map(|name| schema.add_text_field(name, options.clone()))
            .collect();
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(TOKENIZER_NAME, AssayTokenizer::new(analyzer.clone()));

        // One thread: doc ids follow insertion order, so positions are exact.
        let mut writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        for texts in docs {
            let mut document = TantivyDocument::default();
            for (&field, text) in fields.iter().zip(texts) {
                document.add_text(field, text);
            }
            writer.add_document(document)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        if searcher.segment_readers().len() > 1 {
            return Err(IndexError::Segments(searcher.segment_readers().len()));
        }
        Ok(Indexed { searcher, fields })
    }

    /// The similarity index: one document per model answer, in bank order.
    fn answers(bank: &Bank, analyzer: &Analyzer) -> Result<Indexed, IndexError> {
        let docs = bank
            .questions()
            .iter()
            .flat_map(|q| q.model_answers.iter().map(|a| vec![a.text.as_str()]));
        Indexed::build(analyzer, &["answer"], docs)
    }

    /// The lookup index: one document per question, with its wordings, its
    /// rubric vocabulary and its model answers as three fields.
    fn questions(bank: &Bank, analyzer: &Analyzer) -> Result<Indexed, IndexError> {
        let texts: Vec<[String; 3]> = bank
            .questions()
            .iter()
            .map(|q| {
                let wordings: Vec<&str> = q.all_wordings().map(Text::as_str).collect();
                let answers: Vec<&str> = q.model_answers.iter().map(|a| a.text.as_str()).collect();
                [wordings.join("\n"), vocabulary_text(q), answers.join("\n")]
            })
            .collect();
        let docs = texts.iter().map(|t| t.iter().map(String::as_str).collect());
        Indexed::build(analyzer, &["wording", "vocabulary", "answer"], docs)
    }

    /// The term scores of the field at `position`.
    fn term_scores(&self, position: usize) -> Result<TermScores, IndexError> {
        match self.fields.get(position) {
            Some(&field) => TermScores::build(&self.searcher, field),
            None => Ok(TermScores::default()),
        }
    }
}

impl BankIndex {
    /// Indexes `bank`: wordings, model answers and rubric vocabulary.
    ///
    /// The two tantivy indexes are built on two threads: each is a writer
    /// commit over the whole bank, most of the build's time.
    pub fn build(bank: &Bank, analyzer: &Analyzer) -> Result<BankIndex, IndexError> {
        let (answers, questions) = std::thread::scope(|scope| {
            let answers = scope.spawn(|| Indexed::answers(bank, analyzer));
            let questions = Indexed::questions(bank, analyzer);
            let answers = answers
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (answers, questions)
        });
        let (answers, questions) = (answers?, questions?);
        // Each wording's and each model answer's content stems, read once:
        // wordings for near-copies, ownership and (with the rubric
        // vocabulary) adjacent pairs, answers for their self score and
        // ownership.
        let mut wording_stems: Vec<Vec<FxHashSet<String>>> = Vec::with_capacity(bank.questions().len());
        let mut pairs: Vec<FxHashSet<(String, String)>> = Vec::with_capacity(bank.questions().len());
        for q in bank.questions() {
            let mut stems = Vec::new();
            let mut owned = FxHashSet::default();
            for wording in q.all_wordings() {
                let analyzed = analyzer.analyze(wording.as_str());
                stems.push(analyzed.content_stems().into_iter().map(str::to_owned).collect());
                owned.extend(stem_pairs(&analyzed));
            }
            owned.extend(stem_pairs(&analyzer.analyze(&vocabulary_text(q))));
            wording_stems.push(stems);
            pairs.push(owned);
        }
        let mut pair_questions: FxHashMap<(String, String), u32> = FxHashMap::default();
        for pair in pairs.iter().flatten() {
            *pair_questions.entry(pair.clone()).or_default() += 1;
        }
        let answer_stems: Vec<Vec<Vec<String>>> = bank
            .questions()
            .iter()
            .map(|q| {
                q.model_answers
                    .iter()
                    .map(|a| analyzer.content_stems(a.text.as_str()))
                    .collect()
            })
            .collect();
        let mut built = BankIndex {
            question_count: bank.questions().len(),
            answers: bank
                .questions()
                .iter()
                .enumerate()
                .flat_map(|(question, q)| {
                    q.model_answers.iter().map(move |_| AnswerDoc {
                        question,
                        self_score: 0.0,
                    })
                })
                .collect(),
            answer_scores: answers.term_scores(0)?,
            lookup: LookupScores {
                wording: questions.term_scores(0)?,
                vocabulary: questions.term_scores(1)?,
                answer: questions.term_scores(2)?,
            },
            strengths: bank
                .questions()
                .iter()
                .zip(wording_stems.iter().zip(&answer_stems))
                .map(|(q, (wordings, answers))| term_strengths(q, analyzer, wordings, answers))
                .collect(),
            wording_stems,
            pairs,
            pair_questions,
        };
        built.compute_self_scores(answer_stems.iter().flatten());
        Ok(built)
    }

    /// Records each model answer's score against its own terms: `stems`
    /// holds each model answer's content stems, in document order.
    fn compute_self_scores<'a>(&mut self, stems: impl Iterator<Item = &'a Vec<String>>) {
        let own: Vec<f32> = stems
            .enumerate()
            .map(|(doc, terms)| {
                let scores = self.answer_doc_scores(terms.iter().map(String::as_str));
                scores.get(doc).copied().unwrap_or(0.0)
            })
            .collect();
        for (answer, score) in self.answers.iter_mut().zip(own) {
            answer.self_score = score;
        }
    }

    /// BM25 scores of every model answer for a disjunction of `stems`
    /// (repeats and stems no model answer holds are ignored), by document
    /// id: zero for answers that hold none of them.
    fn answer_doc_scores<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> Vec<f32> {
        let mut ids = self.answer_scores.ids(stems);
        ids.dedup();
        let mut scores = vec![0.0f32; self.answers.len()];
        self.answer_scores.add(&ids, 1.0, &mut scores);
        scores
    }

    /// How close an answer is to each question's model answers, by question
    /// position: 1.0 means as close as the closest model answer is to itself.
    ///
    /// `stems` are the stems of the answer's content words, repeats allowed.
    pub fn similarity<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> Vec<f32> {
        let mut best = vec![0.0f32; self.question_count];
        for (doc, score) in self.answers.iter().zip(self.answer_doc_scores(stems)) {
            if doc.self_score <= 0.0 || score <= 0.0 {
                continue;
            }
            let normalised = (score / doc.self_score).min(1.0);
            if let Some(slot) = best.get_mut(doc.question) {
                *slot = slot.max(normalised);
            }
        }
        best
    }

    /// Questions ranked by how well `text` matches their wordings, rubric and
    /// model answers (BM25), best first, at most `limit`.
    pub fn search(&self, analyzer: &Analyzer, text: &str, limit: usize) -> Vec<(usize, f32)> {
        self.search_stems(&analyzer.content_stems(text), limit)
    }

    /// [`BankIndex::search`] for the content stems of a text.
    fn search_stems(&self, terms: &[String], limit: usize) -> Vec<(usize, f32)> {
        self.search_with_pairs(terms, &[], limit)
    }

    /// [`BankIndex::search_stems`], each question also earning
    /// [`PAIR_BOOST`] times the IDF of every pair of `pairs` it uses.
    fn search_with_pairs(
        &self,
        terms: &[String],
        pairs: &[(String, String)],
        limit: usize,
    ) -> Vec<(usize, f32)> {
        if terms.is_empty() {
            return Vec::new();
        }
        let mut scores = self.question_scores(terms);
        let n = self.question_count as f32;
        let mut seen: FxHashSet<&(String, String)> = FxHashSet::default();
        for pair in pairs {
            if !seen.insert(pair) {
                continue;
            }
            let Some(&df) = self.pair_questions.get(pair) else {
                continue;
            };
            let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
            for (score, owned) in scores.iter_mut().zip(&self.pairs) {
                if owned.contains(pair) {
                    *score += PAIR_BOOST * idf;
                }
            }
        }
        let mut ranked: Vec<(usize, f32)> =
            scores.into_iter().enumerate().filter(|(_, s)| *s > 0.0).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }

    /// Every question's BM25 score for a disjunction of `terms` (repeats
    /// count again, as repeated clauses do in tantivy) over its wordings
    /// (boost 2), rubric vocabulary (1) and model answers (0.5), by question
    /// position.
    ///
    /// One document per question, rather than one per wording, lets a
    /// wording's words count when they are spread over several of the
    /// question's wordings: left-one-out lookup of the corpus's own wordings
    /// rose from 269 to 364 of 483 when the documents were merged.
    fn question_scores(&self, terms: &[String]) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.question_count];
        let stems = || terms.iter().map(String::as_str);
        for (field, boost) in [
            (&self.lookup.wording, 2.0),
            (&self.lookup.vocabulary, 1.0),
            (&self.lookup.answer, 0.5),
        ] {
            field.add(&field.ids(stems()), boost, &mut scores);
        }
        scores
    }

    /// How nearly a wording copies one of question `question`'s wordings,
    /// from 0 to 1: the best Jaccard overlap of its distinct content stems,
    /// `asked`, with a wording's.
    fn wording_overlap(&self, question: usize, asked: &FxHashSet<&str>) -> f32 {
        if asked.is_empty() {
            return 0.0;
        }
        let overlap = |wording: &FxHashSet<String>| {
            let shared = wording.iter().filter(|s| asked.contains(s.as_str())).count();
            let union = wording.len() + asked.len() - shared;
            shared as f32 / union.max(1) as f32
        };
        self.wording_stems
            .get(question)
            .into_iter()
            .flatten()
            .map(overlap)
            .fold(0.0, f32::max)
    }

    /// How strongly question `question` owns `stem`, from 0 to 1.
    fn strength(&self, question: usize, stem: &str) -> f32 {
        self.strengths
            .get(question)
            .and_then(|s| s.get(stem))
            .copied()
            .unwrap_or(0.0)
    }
}

/// How much one wording, one mention in the rubric and one model answer
/// holding a stem add to a question's ownership of it: a word of the
/// question's wordings is its topic, a word said once in a long model answer
/// may be anything.
const WORDING_EVIDENCE: f32 = 1.0;
const VOCABULARY_EVIDENCE: f32 = 0.5;
const ANSWER_EVIDENCE: f32 = 0.25;
/// The evidence at which ownership reaches 1 - 1/e.
const EVIDENCE_SCALE: f32 = 0.5;

/// How strongly `q` owns each stem of its text, from 0 to 1, given the
/// distinct content stems of each of its wordings and the content stems of
/// each of its model answers: the evidence
/// (each wording and each model answer holding the stem, each use in the
/// rubric) saturating as `1 - exp(-evidence / EVIDENCE_SCALE)`. A stem in
/// one wording is owned at 0.86; a stem in one model answer only, at 0.39.
fn term_strengths(
    q: &crate::bank::Question,
    analyzer: &Analyzer,
    wording_stems: &[FxHashSet<String>],
    answer_stems: &[Vec<String>],
) -> FxHashMap<String, f32> {
    let mut evidence: FxHashMap<String, f32> = FxHashMap::default();
    for stems in wording_stems {
        for stem in stems {
            *evidence.entry(stem.clone()).or_default() += WORDING_EVIDENCE;
        }
    }
    for stems in answer_stems {
        let distinct: FxHashSet<&String> = stems.iter().collect();
        for stem in distinct {
            *evidence.entry(stem.clone()).or_default() += ANSWER_EVIDENCE;
        }
    }
    for stem in analyzer.content_stems(&vocabulary_text(q)) {
        *evidence.entry(stem).or_default() += VOCABULARY_EVIDENCE;
    }
    evidence
        .into_iter()
        .map(|(stem, e)| (stem, 1.0 - (-e / EVIDENCE_SCALE).exp()))
        .collect()
}

/// Adjacent content-stem pairs of an analysed text, within each sentence.
fn stem_pairs(analyzed: &crate::text::Analyzed) -> Vec<(String, String)> {
    let content: Vec<&crate::text::Token> = analyzed
        .tokens()
        .iter()
        .filter(|t| t.kind == crate::text::TokenKind::Word && !t.stop)
        .collect();
    content
        .windows(2)
        .filter(|w| w[0].sentence == w[1].sentence && w[0].stem != w[1].stem)
        .map(|w| (w[0].stem.to_string(), w[1].stem.to_string()))
        .collect()
}

/// Weight of a shared adjacent pair in the lookup ranking, times its BM25
/// IDF over the questions (0.25, 0.5, 1 and 2 measured; see the accuracy README).
const PAIR_BOOST: f32 = 0.5;

/// The rubric's own words for a question: labels, aliases, hints and tags.
fn vocabulary_text(q: &crate::bank::Question) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in &q.concepts {
        parts.push(c.label.as_str());
        parts.extend(c.aliases.iter().map(|a| a.as_str()));
        parts.push(c.hint.as_str());
    }
    parts.extend(q.tags.iter().map(|t| t.as_str()));
    parts.join(". ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};

    /// A disjunction of term queries on one field.
    fn terms_query(field: tantivy::schema::Field, terms: &[String]) -> BooleanQuery {
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    /// Every document's score for `query`, by document id, from tantivy.
    fn scores_by_query(indexed: &Indexed, query: &dyn Query) -> std::collections::BTreeMap<u32, f32> {
        let limit = indexed.searcher.num_docs().max(1) as usize;
        let hits = indexed
            .searcher
            .search(query, &TopDocs::with_limit(limit).order_by_score())
            .unwrap();
        hits.into_iter()
            .map(|(score, addr)| (addr.doc_id, score))
            .collect()
    }

    /// The embedded bank's index, and the tantivy indexes of its model
    /// answers and of its questions.
    fn built() -> (Analyzer, BankIndex, Indexed, Indexed) {
        let analyzer = Analyzer::english();
        let bank = crate::bank::embedded(&analyzer).unwrap();
        let index = BankIndex::build(&bank, &analyzer).unwrap();
        let answers = Indexed::answers(&bank, &analyzer).unwrap();
        let questions = Indexed::questions(&bank, &analyzer).unwrap();
        (analyzer, index, answers, questions)
    }

    /// `summed` (dense, by doc id) equals `queried` (sparse) within rounding.
    fn assert_same_scores(summed: &[f32], queried: &std::collections::BTreeMap<u32, f32>) {
        let scored: Vec<u32> = (0..summed.len() as u32)
            .filter(|&doc| summed[doc as usize] > 0.0)
            .collect();
        assert_eq!(scored, queried.keys().copied().collect::<Vec<_>>());
        for (doc, score) in queried {
            let sum = summed[*doc as usize];
            assert!(
                (sum - score).abs() <= 1e-4 * score.max(1.0),
                "doc {doc}: {sum} vs {score}"
            );
        }
    }

    #[test]
    fn summed_term_scores_equal_tantivys_disjunction_scores() {
        let (analyzer, index, answers, _) = built();
        let answer = "We read the plan with EXPLAIN ANALYZE, add a composite index, cache in Redis, \
                      retry with exponential backoff and jitter behind a circuit breaker, and rotate certificates.";
        let terms = analyzer.content_stems(answer);
        // Repeats must not count twice: pass every stem twice.
        let summed = index.answer_doc_scores(terms.iter().chain(&terms).map(String::as_str));
        let queried = scores_by_query(&answers, &terms_query(answers.fields[0], &terms));
        assert_same_scores(&summed, &queried);
        assert!(queried.len() > 10);
    }

    #[test]
    fn search_scores_equal_tantivys_boosted_query_over_three_fields() {
        let (analyzer, index, _, questions) = built();
        for wording in [
            "How would you read a query plan and fix a slow query with an index?",
            "Idempotency keys: how do retries avoid a double charge? Retries, retries.",
            "Explain Rust lifetimes",
            "mutual TLS client certificate rotation",
        ] {
            let terms = analyzer.content_stems(wording);
            let boosted = |field, boost| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(terms_query(field, &terms)), boost)),
                )
            };
            let query = BooleanQuery::new(vec![
                boosted(questions.fields[0], 2.0),
                boosted(questions.fields[1], 1.0),
                boosted(questions.fields[2], 0.5),
            ]);
            let queried = scores_by_query(&questions, &query);
            assert!(!queried.is_empty(), "{wording}");
            assert_same_scores(&index.question_scores(&terms), &queried);
        }
    }

    #[test]
    fn stem_pairs_are_adjacent_content_words_within_a_sentence() {
        let analyzer = Analyzer::english();
        let pair = |a: &str, b: &str| (analyzer.stem(a), analyzer.stem(b));
        assert_eq!(
            stem_pairs(&analyzer.analyze("What is the cost of a hash table lookup? Tables grow.")),
            // No ("lookup", "table") across the question mark.
            [
                pair("cost", "hash"),
                pair("hash", "table"),
                pair("table", "lookup"),
                pair("tables", "grow")
            ]
        );
    }

    #[test]
    fn a_shared_pair_adds_its_idf_to_the_questions_that_use_it_only() {
        let (analyzer, index, _, _) = built();
        let wording = "How do you pick a shard key?";
        let terms = analyzer.content_stems(wording);
        let pairs = stem_pairs(&analyzer.analyze(wording));
        let plain: std::collections::BTreeMap<usize, f32> =
            index.search_stems(&terms, 40).into_iter().collect();
        let paired: std::collections::BTreeMap<usize, f32> =
            index.search_with_pairs(&terms, &pairs, 40).into_iter().collect();
        let owners: Vec<usize> = (0..index.question_count)
            .filter(|&q| pairs.iter().any(|p| index.pairs[q].contains(p)))
            .collect();
        assert!(!owners.is_empty() && owners.len() < 5, "{owners:?}");
        for (q, score) in &plain {
            let gain = paired[q] - score;
            if owners.contains(q) {
                assert!(gain > 0.5 * PAIR_BOOST, "question {q} gained {gain}");
            } else {
                assert!(gain.abs() < 1e-6, "question {q} gained {gain}");
            }
        }
    }

    #[test]
    fn a_wording_two_questions_match_almost_equally_is_less_sure_of_the_first() {
        let (analyzer, index, _, _) = built();
        let bank = crate::bank::embedded(&analyzer).unwrap();
        let id = |m: &QuestionMatch| bank.questions()[m.question].id.as_str();
        // Circuit breakers and service dependencies both own these words.
        let ambiguous = "How do you stop one failing service from taking down everything that depends on it?";
        let ranked = index.search_with_pairs(
            &analyzer.content_stems(ambiguous),
            &stem_pairs(&analyzer.analyze(ambiguous)),
            2,
        );
        assert!(ranked[1].1 > 0.9 * ranked[0].1, "{ranked:?}");
        let lookup = index.lookup(&analyzer, ambiguous);
        let (first, second) = (lookup.candidates[0], lookup.candidates[1]);
        assert_eq!(
            (id(&first), id(&second)),
            ("circuit-breakers", "service-dependencies")
        );
        assert!(first.confidence < 0.8 && second.confidence > 0.9, "{lookup:?}");

        let named = index.lookup(
            &analyzer,
            "How do circuit breakers stop one failing service from taking down its callers?",
        );
        let best = named.best.expect("a match");
        assert_eq!(id(&best), "circuit-breakers");
        assert!(best.confidence > 0.9, "{named:?}");
    }

    #[test]
    fn a_question_owns_its_wording_words_more_than_words_of_one_model_answer() {
        let (analyzer, index, _, _) = built();
        let bank = crate::bank::embedded(&analyzer).unwrap();
        let q = bank.position("explain-plans").unwrap();
        let stem = |w: &str| analyzer.stem(w);
        // "explain" is in its wordings and rubric; no question's text says "lifetimes".
        assert!(index.strength(q, &stem("explain")) > 0.85);
        assert_eq!(index.strength(q, &stem("lifetimes")), 0.0);
        let weak: Vec<f32> = index.strengths[q]
            .values()
            .copied()
            .filter(|s| *s < 0.5)
            .collect();
        assert!(
            !weak.is_empty(),
            "words of one model answer only are owned weakly"
        );
        assert!(index.strengths[q].values().all(|s| (0.0..=1.0).contains(s)));
    }
}
