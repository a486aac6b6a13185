//! The tantivy index over the bank: which question a wording means, and how
//! close an answer is to each question's model answers.
//!
//! Built in RAM at start from a [`Bank`], with Assay's own tokenizer
//! ([`crate::text::tokenizer`]) so index and queries see the same terms. Three
//! kinds of document: one per question wording, one per model answer, and one
//! per question holding its rubric vocabulary (labels, aliases, hints, tags).

mod lookup;

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{doc, Index, Searcher, Term};

pub use lookup::{Lookup, QuestionMatch, MIN_CONFIDENCE};

use crate::bank::Bank;
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

/// What a document of the index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    Wording,
    ModelAnswer,
    Vocabulary,
}

#[derive(Debug, Clone, Copy)]
struct DocMeta {
    question: usize,
    kind: DocKind,
    /// For model answers: the BM25 score of the answer queried with its own
    /// terms, the "as close as the model answer itself" that similarity is
    /// normalised by.
    self_score: f32,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    wording: tantivy::schema::Field,
    answer: tantivy::schema::Field,
    vocabulary: tantivy::schema::Field,
}

/// The search index over a bank. Immutable once built; `Send + Sync`.
///
/// tantivy indexes the bank and scores every term once at build; the index
/// keeps those scores and drops tantivy's, so a search is a few sums over
/// short lists with no query to plan and no segment to open.
pub struct BankIndex {
    docs: Vec<DocMeta>,
    question_count: usize,
    /// Per question: every stem its wordings and rubric use, for lookup confidence.
    question_terms: Vec<FxHashSet<String>>,
    /// Per-term BM25 scores of each field, asked of tantivy once at build:
    /// a disjunction's BM25 score is the sum of its terms' scores, so search
    /// and similarity add these up instead of running a many-clause query.
    scores: FieldScores,
}

/// [`TermScores`] of the three fields.
#[derive(Debug, Default)]
struct FieldScores {
    wording: TermScores,
    answer: TermScores,
    vocabulary: TermScores,
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
            .field("docs", &self.docs.len())
            .finish()
    }
}

/// Memory for the single indexing thread: tantivy's minimum, plenty for a bank.
const WRITER_MEMORY: usize = 15_000_000;

/// The tantivy index of a bank, alive only while [`BankIndex::build`] reads
/// its term scores.
struct Indexed {
    searcher: Searcher,
    fields: Fields,
    docs: Vec<DocMeta>,
    question_terms: Vec<FxHashSet<String>>,
}

impl Indexed {
    /// Indexes `bank` in RAM: one document per wording, per model answer, and
    /// per question for its rubric vocabulary.
    fn build(bank: &Bank, analyzer: &Analyzer) -> Result<Indexed, IndexError> {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs);
        let options = TextOptions::default().set_indexing_options(indexing);
        let mut schema = Schema::builder();
        let fields = Fields {
            wording: schema.add_text_field("wording", options.clone()),
            answer: schema.add_text_field("answer", options.clone()),
            vocabulary: schema.add_text_field("vocabulary", options),
        };
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(TOKENIZER_NAME, AssayTokenizer::new(analyzer.clone()));

        // One thread: doc ids follow insertion order, so `docs[doc_id]` is exact.
        let mut writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let mut docs = Vec::new();
        let mut question_terms = Vec::with_capacity(bank.questions().len());
        for (qi, q) in bank.questions().iter().enumerate() {
            for wording in q.all_wordings() {
                writer.add_document(doc!(fields.wording => wording.as_str()))?;
                docs.push(DocMeta {
                    question: qi,
                    kind: DocKind::Wording,
                    self_score: 0.0,
                });
            }
            for answer in &q.model_answers {
                writer.add_document(doc!(fields.answer => answer.text.as_str()))?;
                docs.push(DocMeta {
                    question: qi,
                    kind: DocKind::ModelAnswer,
                    self_score: 0.0,
                });
            }
            let vocabulary = vocabulary_text(q);
            writer.add_document(doc!(fields.vocabulary => vocabulary.as_str()))?;
            docs.push(DocMeta {
                question: qi,
                kind: DocKind::Vocabulary,
                self_score: 0.0,
            });

            let mut terms = FxHashSet::default();
            for text in q.all_wordings().map(|w| w.as_str()).chain([vocabulary.as_str()]) {
                terms.extend(analyzer.content_stems(text));
            }
            for answer in &q.model_answers {
                terms.extend(analyzer.content_stems(answer.text.as_str()));
            }
            question_terms.push(terms);
        }
        writer.commit()?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        if searcher.segment_readers().len() > 1 {
            return Err(IndexError::Segments(searcher.segment_readers().len()));
        }
        Ok(Indexed {
            searcher,
            fields,
            docs,
            question_terms,
        })
    }
}

impl BankIndex {
    /// Indexes `bank`: wordings, model answers and rubric vocabulary.
    pub fn build(bank: &Bank, analyzer: &Analyzer) -> Result<BankIndex, IndexError> {
        let indexed = Indexed::build(bank, analyzer)?;
        let (searcher, fields) = (&indexed.searcher, indexed.fields);
        let scores = FieldScores {
            wording: TermScores::build(searcher, fields.wording)?,
            answer: TermScores::build(searcher, fields.answer)?,
            vocabulary: TermScores::build(searcher, fields.vocabulary)?,
        };
        let mut built = BankIndex {
            docs: indexed.docs,
            question_count: bank.questions().len(),
            question_terms: indexed.question_terms,
            scores,
        };
        built.compute_self_scores(bank, analyzer);
        Ok(built)
    }

    /// Records each model answer's score against its own terms.
    fn compute_self_scores(&mut self, bank: &Bank, analyzer: &Analyzer) {
        let mut doc_id = 0usize;
        let mut updates = Vec::new();
        for q in bank.questions() {
            doc_id += q.all_wordings().count();
            for answer in &q.model_answers {
                let terms = analyzer.content_stems(answer.text.as_str());
                let scores = self.answer_scores(terms.iter().map(String::as_str));
                let own = scores.get(doc_id).copied().unwrap_or(0.0);
                updates.push((doc_id, own));
                doc_id += 1;
            }
            doc_id += 1;
        }
        for (id, score) in updates {
            if let Some(meta) = self.docs.get_mut(id) {
                meta.self_score = score;
            }
        }
    }

    /// BM25 scores of every document for a disjunction of `stems` over the
    /// model answers (repeats and stems no model answer holds are ignored),
    /// by document id: zero for documents that hold none of them and for
    /// documents other than model answers.
    fn answer_scores<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> Vec<f32> {
        let mut ids = self.scores.answer.ids(stems);
        ids.dedup();
        let mut scores = vec![0.0f32; self.docs.len()];
        self.scores.answer.add(&ids, 1.0, &mut scores);
        scores
    }

    /// How close an answer is to each question's model answers, by question
    /// position: 1.0 means as close as the closest model answer is to itself.
    ///
    /// `stems` are the stems of the answer's content words, repeats allowed.
    pub fn similarity<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> Vec<f32> {
        let mut best = vec![0.0f32; self.question_count];
        for (meta, score) in self.docs.iter().zip(self.answer_scores(stems)) {
            if meta.kind != DocKind::ModelAnswer || meta.self_score <= 0.0 || score <= 0.0 {
                continue;
            }
            let normalised = (score / meta.self_score).min(1.0);
            if let Some(slot) = best.get_mut(meta.question) {
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
        if terms.is_empty() {
            return Vec::new();
        }
        let scores = self.field_scores(terms);
        let mut per_question = vec![0.0f32; self.question_count];
        for (meta, score) in self.docs.iter().zip(scores) {
            if let Some(slot) = per_question.get_mut(meta.question) {
                *slot = slot.max(score);
            }
        }
        let mut ranked: Vec<(usize, f32)> = per_question
            .into_iter()
            .enumerate()
            .filter(|(_, s)| *s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }

    /// Every document's BM25 score for a disjunction of `terms` (repeats
    /// count again, as repeated clauses do in tantivy) over wordings (boost
    /// 2), rubric vocabulary (1) and model answers (0.5), by document id.
    fn field_scores(&self, terms: &[String]) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.docs.len()];
        let stems = || terms.iter().map(String::as_str);
        for (field, boost) in [
            (&self.scores.wording, 2.0),
            (&self.scores.vocabulary, 1.0),
            (&self.scores.answer, 0.5),
        ] {
            field.add(&field.ids(stems()), boost, &mut scores);
        }
        scores
    }

    /// The share of `terms`' weight that question `question`'s vocabulary
    /// covers; `weights` holds each term's
    /// [`crate::text::frequency::informativeness`], `total` their sum.
    fn term_coverage(&self, question: usize, terms: &[String], weights: &[f32], total: f32) -> f32 {
        let Some(vocabulary) = self.question_terms.get(question) else {
            return 0.0;
        };
        let covered: f32 = terms
            .iter()
            .zip(weights)
            .filter(|(t, _)| vocabulary.contains(t.as_str()))
            .map(|(_, w)| w)
            .sum();
        if total > 0.0 {
            covered / total
        } else {
            0.0
        }
    }
}

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
        let limit = indexed.docs.len().max(1);
        let hits = indexed
            .searcher
            .search(query, &TopDocs::with_limit(limit).order_by_score())
            .unwrap();
        hits.into_iter()
            .map(|(score, addr)| (addr.doc_id, score))
            .collect()
    }

    /// The embedded bank's index, and the tantivy index it was built from.
    fn built() -> (Analyzer, BankIndex, Indexed) {
        let analyzer = Analyzer::english();
        let bank = crate::bank::embedded(&analyzer).unwrap();
        let index = BankIndex::build(&bank, &analyzer).unwrap();
        let indexed = Indexed::build(&bank, &analyzer).unwrap();
        (analyzer, index, indexed)
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
        let (analyzer, index, indexed) = built();
        let answer = "We read the plan with EXPLAIN ANALYZE, add a composite index, cache in Redis, \
                      retry with exponential backoff and jitter behind a circuit breaker, and rotate certificates.";
        let terms = analyzer.content_stems(answer);
        // Repeats must not count twice: pass every stem twice.
        let summed = index.answer_scores(terms.iter().chain(&terms).map(String::as_str));
        let queried = scores_by_query(&indexed, &terms_query(indexed.fields.answer, &terms));
        assert_same_scores(&summed, &queried);
        assert!(queried.len() > 10);
    }

    #[test]
    fn search_scores_equal_tantivys_boosted_query_over_three_fields() {
        let (analyzer, index, indexed) = built();
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
                boosted(indexed.fields.wording, 2.0),
                boosted(indexed.fields.vocabulary, 1.0),
                boosted(indexed.fields.answer, 0.5),
            ]);
            let queried = scores_by_query(&indexed, &query);
            assert!(!queried.is_empty(), "{wording}");
            assert_same_scores(&index.field_scores(&terms), &queried);
        }
    }
}
