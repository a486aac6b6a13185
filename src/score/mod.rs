//! The scorer: from (question, answer) to an [`Evaluation`] with evidence.
//!
//! [`Evaluator::evaluate`] is a pure, deterministic function of the bank, the
//! question and the answer. It reads the answer once through the analyzer,
//! then applies named rules, each reporting its own contribution
//! ([`ScoreDetail`]) so the breakdown adds up to the score exactly:
//!
//! 1. **coverage** — the weighted share of rubric concepts the answer shows,
//!    saturating at [`COVERAGE_SATURATION`] (an expert need not say everything);
//!    a concept whose only evidence repeats the question's words earns half.
//! 2. **similarity** — closeness to the model answers (BM25 through tantivy).
//! 3. **elaboration** — for a caller's rubric only (derived or given
//!    concepts): how far the answer develops its points, in distinct content
//!    words.
//! 4. **dismissal** — concepts named only to be dismissed take points away.
//! 5. **red_flag** — each advocated bad practice, by severity.
//! 6. **cap** — off-topic, keyword-stuffed, too-short answers and high-severity
//!    flags cap the score.

mod ad_hoc;
mod compile;
mod concepts;
mod contradiction;
pub mod evaluation;
mod flags;
pub mod fuzzy;
pub mod matcher;
mod signals;

pub use ad_hoc::AdHocQuestion;
use compile::CompiledQuestion;
pub use evaluation::*;
use matcher::Positions;

use crate::bank::{Bank, Question, Severity};
use crate::error::{Error, Result};
use crate::rubric::{RubricProblem, RubricSpec, Vocabulary};
use crate::search::{BankIndex, Lookup, QuestionMatch, MIN_CONFIDENCE};
use crate::text::stopwords::is_filler;
use crate::text::{Analyzed, Analyzer, TokenKind};

/// Longest answer evaluated, in bytes (1 MiB).
pub const MAX_ANSWER_BYTES: usize = 1 << 20;
/// Points for full concept coverage.
pub const COVERAGE_POINTS: f64 = 85.0;
/// Covered share of the rubric's weight that earns full coverage points.
pub const COVERAGE_SATURATION: f64 = 0.6;
/// Points for full similarity to a model answer.
pub const SIMILARITY_POINTS: f64 = 15.0;
/// Similarity that earns full similarity points.
pub const SIMILARITY_SATURATION: f64 = 0.5;
/// Points taken per unit of dismissed weight share, and the most taken.
const DISMISSAL_RATE: f64 = 60.0;
const DISMISSAL_MAX: f64 = 40.0;
/// Points taken per claim against a reference answer, and the most taken.
const CONTRADICTION_POINTS: f64 = 25.0;
const CONTRADICTION_MAX: f64 = 50.0;
/// Highest score for an answer that contradicts a reference answer.
const CONTRADICTION_CAP: f64 = 40.0;
/// Highest score for an answer to another question.
const OFF_TOPIC_CAP: f64 = 10.0;
/// Highest score for a bare keyword list.
const STUFFING_CAP: f64 = 20.0;
/// Highest score for an answer too short to judge.
const TOO_SHORT_CAP: f64 = 25.0;
/// Highest score for an answer advocating a high-severity practice.
const HIGH_FLAG_CAP: f64 = 40.0;
/// An answer covering more of its own question than this is never off-topic.
const OFF_TOPIC_MAX_COVERAGE: f64 = 0.3;
/// Other questions checked for off-topic answers, by similarity.
const OFF_TOPIC_CANDIDATES: usize = 3;
/// Candidates within this much confidence of the best are ambiguous with it.
/// A candidate's confidence is scaled by its BM25 score over the best's, so
/// this is about "within 15% of the best match" (tune-half ρ 0.867 at 0.10,
/// 0.889 at 0.15 and at 0.25).
const AMBIGUITY_MARGIN: f32 = 0.15;
/// How much closer the answer must be to an ambiguous candidate's model
/// answers than to the best one's for the answer to settle the ambiguity.
const SETTLING_RATIO: f32 = 1.25;
/// The least wording confidence an answer can confirm (see [`confirmed_by_answer`]).
const CONFIRMABLE_CONFIDENCE: f32 = 0.35;
/// The least similarity to the candidate's model answers that confirms it.
const CONFIRMING_SIMILARITY: f32 = 0.2;

/// Below this coverage and this similarity to the references, an ad-hoc
/// answer of at least [`AD_HOC_OFF_TOPIC_WORDS`] content words is off topic.
const AD_HOC_OFF_TOPIC: f64 = 0.1;
const AD_HOC_OFF_TOPIC_WORDS: usize = 5;
/// Similarity to a bank question at which an off-topic ad-hoc answer is
/// said to read as an answer to it.
const AD_HOC_CLOSEST_BANK: f64 = 0.1;

/// How a bank question's score splits: hand-written concepts carry it.
const BANK_PLAN: ad_hoc::Plan = ad_hoc::Plan {
    coverage_points: COVERAGE_POINTS,
    coverage_saturation: COVERAGE_SATURATION,
    similarity_points: SIMILARITY_POINTS,
    similarity_saturation: SIMILARITY_SATURATION,
    elaboration: None,
    calibration: None,
};

/// The question an answer is scored against, bank or ad-hoc, and how.
struct Target<'q> {
    question: &'q Question,
    compiled: &'q CompiledQuestion,
    plan: ad_hoc::Plan,
    /// Fewer words than this is too short to judge.
    min_words: usize,
    /// The references' claims, checked for answers that say the opposite.
    claims: Option<&'q contradiction::Claims>,
    /// How a concept named under negation is read.
    negated: concepts::NegatedMention,
}

/// Points a red flag of this severity takes away.
fn flag_penalty(severity: Severity) -> f64 {
    match severity {
        Severity::High => 30.0,
        Severity::Medium => 15.0,
        Severity::Low => 6.0,
    }
}

/// The scores at which each rating starts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RatingThresholds {
    /// Lowest score rated `no` (below: `definitely_not`).
    pub no: f64,
    /// Lowest score rated `yes`.
    pub yes: f64,
    /// Lowest score rated `strong_yes`.
    pub strong_yes: f64,
}

impl Default for RatingThresholds {
    fn default() -> Self {
        RatingThresholds {
            no: 35.0,
            yes: 60.0,
            strong_yes: 80.0,
        }
    }
}

impl RatingThresholds {
    /// Validated thresholds: `0 <= no <= yes <= strong_yes <= 100`.
    pub fn new(no: f64, yes: f64, strong_yes: f64) -> Result<Self> {
        let ordered = 0.0 <= no && no <= yes && yes <= strong_yes && strong_yes <= 100.0;
        if ordered {
            Ok(RatingThresholds { no, yes, strong_yes })
        } else {
            Err(Error::InvalidThresholds { no, yes, strong_yes })
        }
    }

    /// The rating `score` falls in.
    pub fn rate(&self, score: f64) -> Rating {
        if score >= self.strong_yes {
            Rating::StrongYes
        } else if score >= self.yes {
            Rating::Yes
        } else if score >= self.no {
            Rating::No
        } else {
            Rating::DefinitelyNot
        }
    }
}

/// Per-call options of an evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvaluateOptions<'a> {
    /// Where ratings start.
    pub thresholds: RatingThresholds,
    /// The wording the question was asked in, when not the canonical one:
    /// its words are demoted too.
    pub asked: Option<&'a str>,
}

/// An evaluation reached through a free-text wording of the question.
#[derive(Debug, Clone)]
pub struct WordingEvaluation {
    /// The question the wording was settled on, with the lookup's confidence:
    /// below [`MIN_CONFIDENCE`] only when the answer confirmed it.
    pub matched: QuestionMatch,
    /// Every question the lookup considered, best first (`matched` among them).
    pub candidates: Vec<QuestionMatch>,
    /// The evaluation against `matched`.
    pub evaluation: Evaluation,
}

/// The wording's first candidate, when its confidence falls short of
/// [`MIN_CONFIDENCE`] but not of [`CONFIRMABLE_CONFIDENCE`] and the answer
/// confirms it: the answer is closer to its model answers than to any other
/// question's, by [`SETTLING_RATIO`], and at least [`CONFIRMING_SIMILARITY`].
fn confirmed_by_answer(lookup: &Lookup, similarity: &[f32]) -> Option<QuestionMatch> {
    let top = *lookup.candidates.first()?;
    if top.confidence < CONFIRMABLE_CONFIDENCE {
        return None;
    }
    let own = similarity.get(top.question).copied().unwrap_or(0.0);
    let other = similarity
        .iter()
        .enumerate()
        .filter(|&(q, _)| q != top.question)
        .map(|(_, &s)| s)
        .fold(0.0f32, f32::max);
    (own >= CONFIRMING_SIMILARITY && own > SETTLING_RATIO * other).then_some(top)
}

/// Points added rule by rule, kept in tenths so the breakdown sums exactly.
struct Tally {
    tenths: i64,
    details: Vec<ScoreDetail>,
}

impl Tally {
    fn add(&mut self, points: f64, detail: impl FnOnce(f64) -> ScoreDetail) {
        let tenths = (points * 10.0).round() as i64;
        self.tenths += tenths;
        self.details.push(detail(tenths as f64 / 10.0));
    }

    fn cap(&mut self, cap: f64, signal: &str) {
        let cap_tenths = (cap * 10.0).round() as i64;
        if self.tenths > cap_tenths {
            let over = self.tenths - cap_tenths;
            self.tenths = cap_tenths;
            self.details.push(ScoreDetail::Cap {
                points: -(over as f64) / 10.0,
                signal: signal.to_owned(),
                cap,
            });
        }
    }

    /// Multiplies the score so far by `factor`, at most 100, and records
    /// the points that added ([`ScoreDetail::Calibration`]).
    fn scale(&mut self, factor: f64) {
        let scaled = ((self.tenths as f64 * factor).round() as i64).clamp(0, 1000);
        let added = scaled - self.tenths;
        if added != 0 {
            self.tenths = scaled;
            self.details.push(ScoreDetail::Calibration {
                points: added as f64 / 10.0,
                factor,
            });
        }
    }

    fn score(&self) -> f64 {
        self.tenths as f64 / 10.0
    }
}

/// Evaluates answers against a bank. Built once; cheap to share across threads.
pub struct Evaluator {
    analyzer: Analyzer,
    bank: Bank,
    index: BankIndex,
    compiled: Vec<CompiledQuestion>,
    /// The common red flags, compiled once for every question and rubric.
    common_flags: std::sync::Arc<[compile::CompiledFlag]>,
    vocabulary: Vocabulary,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("questions", &self.bank.questions().len())
            .finish()
    }
}

impl Evaluator {
    /// Compiles `bank` and indexes it.
    pub fn new(bank: Bank, analyzer: Analyzer) -> Result<Self> {
        let index = BankIndex::build(&bank, &analyzer)?;
        let common_flags = compile::compile_common(&analyzer, bank.common_red_flags());
        let compiled = bank
            .questions()
            .iter()
            .map(|q| CompiledQuestion::new(&analyzer, q, common_flags.clone()))
            .collect();
        let frequency = compile::bank_vocabulary(&analyzer, &bank);
        let vocabulary = Vocabulary::with_bank(&analyzer, frequency, bank.questions().len());
        Ok(Evaluator {
            analyzer,
            bank,
            index,
            compiled,
            common_flags,
            vocabulary,
        })
    }

    /// The evaluator over the corpus compiled into the binary.
    pub fn embedded() -> Result<Self> {
        let analyzer = Analyzer::english();
        let bank = crate::bank::embedded(&analyzer)?;
        Self::new(bank, analyzer)
    }

    /// The evaluator over corpus files already read (the shipped ones plus a
    /// tenant's own, say).
    pub fn from_sources(sources: &[crate::bank::SourceFile]) -> Result<Self> {
        let analyzer = Analyzer::english();
        let bank = crate::bank::load::from_sources(sources, &analyzer)?;
        Self::new(bank, analyzer)
    }

    /// The evaluator over the corpus in `dir`.
    pub fn from_dir(dir: &std::path::Path) -> Result<Self> {
        let analyzer = Analyzer::english();
        let bank = crate::bank::from_dir(dir, &analyzer)?;
        Self::new(bank, analyzer)
    }

    /// The bank evaluated against.
    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    /// The analyzer every text goes through.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Word weights and synonyms, as ad-hoc rubrics use them.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The search index over the bank.
    pub fn index(&self) -> &BankIndex {
        &self.index
    }

    /// Finds the bank question a free-text wording means.
    pub fn lookup(&self, wording: &str) -> Lookup {
        self.index.lookup(&self.analyzer, wording)
    }

    /// Questions ranked by relevance to `text`, best first: `(question, score)`.
    pub fn search(&self, text: &str, limit: usize) -> Vec<(usize, f32)> {
        self.index.search(&self.analyzer, text, limit)
    }

    /// Ids of the questions closest to an unknown `id`: by spelling, then by meaning.
    pub fn suggest(&self, id: &str) -> Vec<String> {
        let mut by_spelling: Vec<(f64, &str)> = self
            .bank
            .questions()
            .iter()
            .map(|q| (strsim::jaro_winkler(id, q.id.as_str()), q.id.as_str()))
            .filter(|(s, _)| *s >= 0.8)
            .collect();
        by_spelling.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = by_spelling.into_iter().map(|(_, id)| id.to_owned()).collect();
        let words = id.replace(['-', '_'], " ");
        for (qi, _) in self.search(&words, 3) {
            let candidate = self.bank.questions()[qi].id.to_string();
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
        out.truncate(3);
        out
    }

    /// Evaluates `answer` to the question a free-text `wording` means.
    ///
    /// The wording decides the question. Only when it is ambiguous, between
    /// candidates that each pass the confidence bar within 0.15 of the best
    /// (`AMBIGUITY_MARGIN`), does the answer settle it: the
    /// candidate whose model answers it is clearly closest to wins. When the
    /// wording is vague ("What's hard about caching?"), short of the bar but
    /// not of 0.35 (`CONFIRMABLE_CONFIDENCE`), an answer closer to the wording's
    /// first candidate than to any other question confirms it. An answer
    /// never brings in a question the wording does not rank first or near
    /// it, so an off-topic answer stays off-topic.
    pub fn evaluate_wording(
        &self,
        wording: &str,
        answer: &str,
        thresholds: RatingThresholds,
    ) -> Result<WordingEvaluation> {
        check_length(answer)?;
        let lookup = self.lookup(wording);
        let analyzed = self.analyzer.analyze(answer);
        let mut known_similarity = None;
        let best = match lookup.best {
            Some(best) => best,
            None => {
                let similarity = self.index.similarity(answer_stems(&analyzed));
                let confirmed = confirmed_by_answer(&lookup, &similarity);
                known_similarity = Some(similarity);
                confirmed.ok_or_else(|| Error::UnknownQuestion {
                    query: wording.to_owned(),
                    suggestions: lookup
                        .candidates
                        .iter()
                        .map(|c| self.bank.questions()[c.question].id.to_string())
                        .collect(),
                })?
            }
        };
        let contenders: Vec<QuestionMatch> = lookup
            .candidates
            .iter()
            .copied()
            .filter(|c| c.confidence >= MIN_CONFIDENCE && c.confidence >= best.confidence - AMBIGUITY_MARGIN)
            .collect();
        let mut chosen = best;
        if contenders.len() > 1 {
            let similarity = known_similarity
                .take()
                .unwrap_or_else(|| self.index.similarity(answer_stems(&analyzed)));
            let sim = |q: usize| similarity.get(q).copied().unwrap_or(0.0);
            if let Some(closest) = contenders.iter().max_by(|a, b| {
                sim(a.question)
                    .total_cmp(&sim(b.question))
                    .then(b.question.cmp(&a.question))
            }) {
                if sim(closest.question) > SETTLING_RATIO * sim(best.question) {
                    chosen = *closest;
                }
            }
            known_similarity = Some(similarity);
        }
        let options = EvaluateOptions {
            thresholds,
            asked: Some(wording),
        };
        let evaluation =
            self.evaluate_analyzed(chosen.question, answer, &analyzed, &options, known_similarity)?;
        Ok(WordingEvaluation {
            matched: chosen,
            candidates: lookup.candidates,
            evaluation,
        })
    }

    /// Evaluates `answer` to the bank question `question_id` with default options.
    pub fn evaluate(&self, question_id: &str, answer: &str) -> Result<Evaluation> {
        self.evaluate_with(question_id, answer, &EvaluateOptions::default())
    }

    /// Evaluates `answer` to the bank question `question_id`.
    pub fn evaluate_with(
        &self,
        question_id: &str,
        answer: &str,
        options: &EvaluateOptions<'_>,
    ) -> Result<Evaluation> {
        let Some(qi) = self.bank.position(question_id) else {
            return Err(Error::UnknownQuestion {
                query: question_id.to_owned(),
                suggestions: self.suggest(question_id),
            });
        };
        check_length(answer)?;
        let analyzed = self.analyzer.analyze(answer);
        self.evaluate_analyzed(qi, answer, &analyzed, options, None)
    }

    fn evaluate_analyzed(
        &self,
        qi: usize,
        answer: &str,
        analyzed: &Analyzed,
        options: &EvaluateOptions<'_>,
        known_similarity: Option<Vec<f32>>,
    ) -> Result<Evaluation> {
        let target = Target {
            question: &self.bank.questions()[qi],
            compiled: &self.compiled[qi],
            plan: BANK_PLAN,
            min_words: signals::MIN_WORDS,
            // Bank rubrics name their concepts and red flags by hand; on
            // the tune half, reading model answers for contradictions
            // flagged honest answers (rho 0.926 -> 0.900 on honest kinds).
            claims: None,
            negated: concepts::NegatedMention::Dismissed,
        };
        let mut misspelled = Vec::new();
        let positions = self.positions(analyzed, target.compiled, &mut misspelled);
        // Similarity to every question, unless the caller already computed
        // it; misspelled words count as the rubric words they resolve to.
        let similarity = match known_similarity {
            Some(similarity) if misspelled.is_empty() => similarity,
            _ => self.index.similarity(corrected_stems(analyzed, &misspelled)),
        };
        let own = f64::from(similarity.get(qi).copied().unwrap_or(0.0));
        Ok(self.score(
            &target,
            answer,
            analyzed,
            positions,
            misspelled,
            options,
            own,
            |coverage, positions| self.off_topic(qi, coverage, &similarity, answer, analyzed, positions),
        ))
    }

    /// Checks a caller's rubric and compiles it for [`Evaluator::evaluate_ad_hoc`]:
    /// concepts derived from the references when none are given, weighed
    /// against the bank's vocabulary.
    pub fn prepare(&self, spec: &RubricSpec) -> std::result::Result<AdHocQuestion, Vec<RubricProblem>> {
        let rubric = spec.build(&self.analyzer, &self.vocabulary)?;
        Ok(AdHocQuestion::new(
            &self.analyzer,
            &self.vocabulary,
            rubric,
            self.common_flags.clone(),
        ))
    }

    /// Evaluates `answer` against an ad-hoc question ([`Evaluator::prepare`]).
    pub fn evaluate_ad_hoc(
        &self,
        question: &AdHocQuestion,
        answer: &str,
        thresholds: RatingThresholds,
    ) -> Result<Evaluation> {
        check_length(answer)?;
        let analyzed = self.analyzer.analyze(answer);
        let target = Target {
            question: question.question(),
            compiled: &question.compiled,
            plan: question.plan,
            min_words: question.min_words,
            claims: Some(&question.claims),
            // Answers to a reference-only question deny facts far more
            // often than they dismiss practices: on the three reference-only
            // sets, answers whose negated concepts were all read as
            // dismissed had a mean grade of about 3.4 out of 5.
            negated: concepts::NegatedMention::DismissedUnlessDenied,
        };
        let mut misspelled = Vec::new();
        let positions = self.positions(&analyzed, target.compiled, &mut misspelled);
        let resolved: Vec<String> = misspelled.iter().map(|(_, word)| word.stem.clone()).collect();
        let own = question.similarity(&ad_hoc::said(&analyzed, &resolved, &self.vocabulary));
        let options = EvaluateOptions {
            thresholds,
            asked: None,
        };
        let mut evaluation = self.score(
            &target,
            answer,
            &analyzed,
            positions,
            misspelled,
            &options,
            own,
            |coverage, _| self.off_reference(coverage, own, &analyzed),
        );
        evaluation.rubric = Some(question.report());
        Ok(evaluation)
    }

    /// Where each rubric term occurs in the answer, misspellings of the
    /// rubric's words included (recorded in `misspelled` as token and the
    /// word read).
    fn positions<'a>(
        &self,
        analyzed: &'a Analyzed,
        compiled: &CompiledQuestion,
        misspelled: &mut Vec<(usize, fuzzy::RubricWord)>,
    ) -> Positions<'a> {
        let mut positions = Positions::new(analyzed);
        for (i, t) in analyzed.tokens().iter().enumerate() {
            if t.kind != TokenKind::Word || t.stop || self.vocabulary.knows(t.stem.as_ref()) {
                continue;
            }
            if let Some(word) = fuzzy::resolve(&t.norm, &t.stem, &compiled.rubric_words) {
                positions.add_fuzzy(&word.stem, i);
                misspelled.push((i, word.clone()));
            }
        }
        let skip: Vec<usize> = misspelled.iter().map(|(i, _)| *i).collect();
        let anchored = fuzzy::resolve_anchored(
            analyzed.tokens(),
            &compiled.alias_words,
            |stem| positions.exact_positions(stem),
            &skip,
        );
        let anchored: Vec<(usize, fuzzy::RubricWord)> =
            anchored.into_iter().map(|(i, w)| (i, w.clone())).collect();
        for (i, word) in anchored {
            positions.add_fuzzy(&word.stem, i);
            misspelled.push((i, word));
        }
        misspelled.sort_by_key(|(i, _)| *i);
        positions
    }

    /// Applies the rules to an answer whose terms are located: coverage,
    /// similarity (`own`, already measured), dismissal, red flags, caps.
    /// `off_topic` decides the off-topic signal from the coverage.
    #[allow(clippy::too_many_arguments)]
    fn score(
        &self,
        target: &Target<'_>,
        answer: &str,
        analyzed: &Analyzed,
        positions: Positions<'_>,
        misspelled: Vec<(usize, fuzzy::RubricWord)>,
        options: &EvaluateOptions<'_>,
        own: f64,
        off_topic: impl FnOnce(f64, &Positions<'_>) -> Option<OffTopic>,
    ) -> Evaluation {
        let question = target.question;
        let compiled = target.compiled;
        let plan = target.plan;
        let common = self.bank.common_red_flags();
        let asked_stems: Vec<String> = options
            .asked
            .map(|w| self.analyzer.content_stems(w))
            .unwrap_or_default();

        let report = concepts::assess(
            answer,
            analyzed,
            &positions,
            question,
            compiled,
            &asked_stems,
            target.negated,
        );
        let red_flags = flags::assess(answer, analyzed, &positions, question, common, compiled);
        let total_weight = question.total_weight();
        let coverage = if total_weight > 0.0 {
            report.covered_weight() / total_weight
        } else {
            0.0
        };

        let mut signals = Signals {
            too_short: signals::too_short(analyzed, target.min_words),
            keyword_stuffing: signals::keyword_stuffing(analyzed),
            vague: signals::vague(analyzed),
            dismissive_terms: (!report.dismissed.is_empty()).then(|| DismissiveTerms {
                concepts: report.dismissed.iter().map(|c| c.id.clone()).collect(),
            }),
            off_topic: off_topic(coverage, &positions),
            misspellings: Vec::new(),
            contradictions: target
                .claims
                .map(|claims| claims.contradictions(answer, analyzed, &self.vocabulary))
                .unwrap_or_default(),
        };
        signals.misspellings = misspelled
            .into_iter()
            .filter(|(i, _)| {
                let span = analyzed.tokens()[*i].span;
                report
                    .covered
                    .iter()
                    .flat_map(|c| &c.evidence)
                    .any(|e| e.start <= span.start && span.end <= e.end)
            })
            .map(|(i, read_as)| {
                let span = analyzed.tokens()[i].span;
                Misspelling {
                    start: span.start,
                    end: span.end,
                    written: answer.get(span.start..span.end).unwrap_or_default().to_owned(),
                    read_as: read_as.norm,
                }
            })
            .collect();

        let mut tally = Tally {
            tenths: 0,
            details: Vec::new(),
        };
        let covered_weight = report.covered_weight();
        tally.add(
            plan.coverage_points * (coverage / plan.coverage_saturation).min(1.0),
            |points| ScoreDetail::Coverage {
                points,
                covered_weight: signals::round3(covered_weight),
                total_weight: signals::round3(total_weight),
                saturation: plan.coverage_saturation,
                max_points: plan.coverage_points,
            },
        );
        tally.add(
            plan.similarity_points * (own / plan.similarity_saturation).min(1.0),
            |points| ScoreDetail::Similarity {
                points,
                similarity: signals::round3(own),
                max_points: plan.similarity_points,
            },
        );
        if let Some(elaboration) = plan.elaboration {
            let words = elaborated_words(analyzed);
            // Words that say nothing concrete, or say the opposite of the
            // references, develop nothing; words far from the references'
            // develop something else.
            let earns = signals.vague.is_none() && signals.contradictions.is_empty();
            let share = (words as f64 / elaboration.words.max(1) as f64).min(1.0)
                * (own / elaboration.similarity).min(1.0);
            tally.add(if earns { elaboration.points * share } else { 0.0 }, |points| {
                ScoreDetail::Elaboration {
                    points,
                    words,
                    saturation: elaboration.words,
                    max_points: elaboration.points,
                }
            });
        }
        let dismissed_weight = report.dismissed_weight();
        if dismissed_weight > 0.0 && total_weight > 0.0 {
            let penalty = (DISMISSAL_RATE * dismissed_weight / total_weight).min(DISMISSAL_MAX);
            tally.add(-penalty, |points| ScoreDetail::Dismissal {
                points,
                dismissed_weight: signals::round3(dismissed_weight),
            });
        }
        if !signals.contradictions.is_empty() {
            let claims = signals.contradictions.len();
            let penalty = (CONTRADICTION_POINTS * claims as f64).min(CONTRADICTION_MAX);
            tally.add(-penalty, |points| ScoreDetail::Contradiction { points, claims });
        }
        for flag in &red_flags {
            tally.add(-flag_penalty(flag.severity), |points| ScoreDetail::RedFlag {
                points,
                id: flag.id.clone(),
                severity: flag.severity,
            });
        }
        if signals.off_topic.is_some() {
            tally.cap(OFF_TOPIC_CAP, "off_topic");
        }
        if signals.keyword_stuffing.is_some() {
            tally.cap(STUFFING_CAP, "keyword_stuffing");
        }
        if signals.too_short.is_some() {
            tally.cap(TOO_SHORT_CAP, "too_short");
        }
        if red_flags.iter().any(|f| f.severity == Severity::High) {
            tally.cap(HIGH_FLAG_CAP, "red_flag");
        }
        if !signals.contradictions.is_empty() {
            tally.cap(CONTRADICTION_CAP, "contradiction");
        }
        if tally.tenths < 0 {
            let lift = -tally.tenths;
            tally.tenths = 0;
            tally.details.push(ScoreDetail::Floor {
                points: lift as f64 / 10.0,
            });
        }

        if let Some(factor) = plan.calibration {
            tally.scale(factor);
        }
        let score = tally.score();
        Evaluation {
            question_id: question.id.to_string(),
            score,
            rating: options.thresholds.rate(score),
            breakdown: tally.details,
            covered: report.covered,
            missing: report.missing,
            dismissed: report.dismissed,
            red_flags,
            signals,
            stats: AnswerStats {
                words: analyzed.word_count(),
                sentences: analyzed.sentence_count(),
            },
            scoring_version: SCORING_VERSION,
            rubric: None,
        }
    }

    /// The off-topic signal for an ad-hoc question: the answer covers almost
    /// none of the rubric and says almost none of the references' words,
    /// though it is long enough to have. Names the bank question it reads
    /// as an answer to, if one is clearly close.
    fn off_reference(&self, coverage: f64, own: f64, analyzed: &Analyzed) -> Option<OffTopic> {
        let content_words = answer_stems(analyzed).count();
        if coverage >= AD_HOC_OFF_TOPIC || own >= AD_HOC_OFF_TOPIC || content_words < AD_HOC_OFF_TOPIC_WORDS {
            return None;
        }
        let similarity = self.index.similarity(answer_stems(analyzed));
        let closest = similarity
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .filter(|(_, s)| f64::from(**s) >= AD_HOC_CLOSEST_BANK);
        Some(OffTopic {
            closest_question: closest.map(|(j, _)| self.bank.questions()[j].id.to_string()),
            similarity: signals::round3(own),
            closest_similarity: signals::round3(closest.map_or(0.0, |(_, s)| f64::from(*s))),
        })
    }

    /// `Some` when the answer covers little of question `qi` and clearly more
    /// of another question it is closer to.
    fn off_topic(
        &self,
        qi: usize,
        coverage: f64,
        similarity: &[f32],
        answer: &str,
        analyzed: &Analyzed,
        positions: &Positions<'_>,
    ) -> Option<OffTopic> {
        if coverage >= OFF_TOPIC_MAX_COVERAGE {
            return None;
        }
        let here = f64::from(similarity.get(qi).copied().unwrap_or(0.0));
        let mut others: Vec<(usize, f64)> = similarity
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != qi)
            .map(|(j, &s)| (j, f64::from(s)))
            .collect();
        others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(j, there) in others.iter().take(OFF_TOPIC_CANDIDATES) {
            if there < (2.0 * here).max(0.1) {
                continue;
            }
            let other = &self.bank.questions()[j];
            let report = concepts::assess(
                answer,
                analyzed,
                positions,
                other,
                &self.compiled[j],
                &[],
                concepts::NegatedMention::Dismissed,
            );
            let total = other.total_weight();
            let other_coverage = if total > 0.0 {
                report.covered_weight() / total
            } else {
                0.0
            };
            if other_coverage >= (2.0 * coverage).max(0.2) {
                return Some(OffTopic {
                    closest_question: Some(other.id.to_string()),
                    similarity: signals::round3(here),
                    closest_similarity: signals::round3(there),
                });
            }
        }
        None
    }
}

/// Refuses an answer longer than [`MAX_ANSWER_BYTES`].
fn check_length(answer: &str) -> Result<()> {
    if answer.len() > MAX_ANSWER_BYTES {
        return Err(Error::AnswerTooLong {
            len: answer.len(),
            max: MAX_ANSWER_BYTES,
        });
    }
    Ok(())
}

/// The distinct content words of an answer, fillers ("basically") left out:
/// how much it says, for [`ScoreDetail::Elaboration`].
fn elaborated_words(analyzed: &Analyzed) -> usize {
    analyzed
        .tokens()
        .iter()
        .filter(|t| t.kind == TokenKind::Word && !t.stop && !is_filler(&t.norm))
        .map(|t| t.stem.as_ref())
        .collect::<std::collections::BTreeSet<&str>>()
        .len()
}

/// [`answer_stems`], with each misspelled word read as the rubric word it
/// resolves to (`misspelled` is sorted by token).
fn corrected_stems<'a>(
    analyzed: &'a Analyzed,
    misspelled: &'a [(usize, fuzzy::RubricWord)],
) -> impl Iterator<Item = &'a str> {
    analyzed
        .tokens()
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.stop && t.kind == TokenKind::Word)
        .map(
            move |(i, t)| match misspelled.binary_search_by_key(&i, |(j, _)| *j) {
                Ok(k) => misspelled[k].1.stem.as_str(),
                Err(_) => t.stem.as_ref(),
            },
        )
}

/// The stems of the answer's content words, symbols (`*`) aside: what
/// similarity to the model answers is measured on.
fn answer_stems(analyzed: &Analyzed) -> impl Iterator<Item = &str> {
    corrected_stems(analyzed, &[])
}
