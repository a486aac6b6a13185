//! What an evaluation reports, as it is serialised to clients.
//!
//! Fields only ever get added; absent values are `null`, never missing.

use serde::Serialize;

use crate::bank::Severity;

/// Version of the scoring method; changes whenever a score for the same input may change.
pub const SCORING_VERSION: &str = "1.45.0";

/// A Greenhouse-style scorecard rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Below the `no` threshold.
    DefinitelyNot,
    /// At or above `no`, below `yes`.
    No,
    /// At or above `yes`, below `strong_yes`.
    Yes,
    /// At or above `strong_yes`.
    StrongYes,
}

impl Rating {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::DefinitelyNot => "definitely_not",
            Rating::No => "no",
            Rating::Yes => "yes",
            Rating::StrongYes => "strong_yes",
        }
    }
}

/// A piece of evidence: where in the answer, what it says, and what it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
    /// The answer's text at `start..end`.
    pub text: String,
    /// The rubric alias or phrase that matched.
    pub matched: String,
    /// Whether a misspelled word took part in the match.
    pub misspelled: bool,
}

/// A concept the answer shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveredConcept {
    /// Concept id.
    pub id: String,
    /// Concept label.
    pub label: String,
    /// The concept's weight in the rubric.
    pub weight: f64,
    /// Share of the weight credited: 1, or 0.5 when the only evidence repeats the question's words.
    pub credit: f64,
    /// Where the answer shows it.
    pub evidence: Vec<Evidence>,
}

/// A concept the answer does not show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingConcept {
    /// Concept id.
    pub id: String,
    /// Concept label.
    pub label: String,
    /// The concept's weight in the rubric.
    pub weight: f64,
    /// What the candidate could add.
    pub hint: String,
}

/// A concept the answer names only to dismiss it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DismissedConcept {
    /// Concept id.
    pub id: String,
    /// Concept label.
    pub label: String,
    /// The concept's weight in the rubric.
    pub weight: f64,
    /// Where the answer dismisses it.
    pub evidence: Vec<Evidence>,
    /// What the candidate could say instead.
    pub hint: String,
}

/// A red flag the answer raises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaisedFlag {
    /// Red flag id.
    pub id: String,
    /// What the practice is.
    pub label: String,
    /// How serious it is.
    pub severity: Severity,
    /// Why it is a concern.
    pub why: String,
    /// Whether it comes from the common flags rather than the question's own.
    pub common: bool,
    /// Where the answer advocates it.
    pub evidence: Vec<Evidence>,
}

/// The answer is too short to judge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TooShort {
    /// Words in the answer.
    pub words: usize,
    /// Words needed not to be flagged.
    pub minimum: usize,
}

/// The answer lists terms with no sentences connecting them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeywordStuffing {
    /// Share of function words among the answer's words (prose has about 0.4).
    pub function_word_ratio: f64,
    /// Average words per clause or list item.
    pub words_per_clause: f64,
}

/// The answer says nothing concrete: almost no specific words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vague {
    /// Share of content words that are rare in general English (tools, techniques).
    pub specific_share: f64,
}

/// The answer names rubric concepts only to dismiss them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DismissiveTerms {
    /// The dismissed concepts' ids.
    pub concepts: Vec<String>,
}

/// The answer is about another question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffTopic {
    /// The bank question the answer is closest to; `null` for an ad-hoc
    /// question when no bank question is close either.
    pub closest_question: Option<String>,
    /// Closeness to this question's model answers (0–1).
    pub similarity: f64,
    /// Closeness to the closest question's model answers (0–1).
    pub closest_similarity: f64,
}

/// A misspelled word that was still understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Misspelling {
    /// Byte offset of the word.
    pub start: usize,
    /// Byte offset one past the word.
    pub end: usize,
    /// The word as written.
    pub written: String,
    /// The rubric word it was read as.
    pub read_as: String,
}

/// Answer-level signals: each `null` when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Signals {
    /// Too short to judge.
    pub too_short: Option<TooShort>,
    /// A bare list of terms.
    pub keyword_stuffing: Option<KeywordStuffing>,
    /// Fluent but with nothing concrete in it. Reported to explain, not scored:
    /// on the tune split a cap on it changed no figure beyond noise.
    pub vague: Option<Vague>,
    /// Rubric terms named only to be dismissed.
    pub dismissive_terms: Option<DismissiveTerms>,
    /// An answer to another question.
    pub off_topic: Option<OffTopic>,
    /// Misspelled words that were still understood (empty when none).
    pub misspellings: Vec<Misspelling>,
    /// Claims that say the opposite of a reference answer (empty when none;
    /// looked for on ad-hoc rubrics).
    pub contradictions: Vec<Contradiction>,
}

/// How an answer's claim goes against a reference answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContradictionKind {
    /// Says of one of the two things the question contrasts what the
    /// references say of the other.
    SwappedRoles,
    /// States a complexity no reference gives, and none that one does.
    OtherValue,
    /// Echoes a reference clause with the opposite word, or denies it.
    OppositeClaim,
}

/// One claim against a reference answer, with both sides' words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contradiction {
    /// How the claim goes against the reference.
    pub kind: ContradictionKind,
    /// Byte offset where the answer's claim starts.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
    /// The answer's words.
    pub text: String,
    /// What the reference says instead: its clause, or the complexities it
    /// gives as it wrote them (`O(n)`).
    pub reference: String,
}

/// One rule's contribution to the score; the contributions add up to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ScoreDetail {
    /// Weighted share of the rubric's concepts the answer shows.
    Coverage {
        /// Points contributed.
        points: f64,
        /// Weight of the covered concepts, after question demoting.
        covered_weight: f64,
        /// Weight of all concepts.
        total_weight: f64,
        /// Covered share at which coverage earns its full points.
        saturation: f64,
        /// Points at full coverage.
        max_points: f64,
    },
    /// Closeness to the model answers: BM25 normalised by each model
    /// answer's score against itself for bank questions; for ad-hoc rubrics,
    /// the weighted share of a reference answer's words the answer says.
    Similarity {
        /// Points contributed.
        points: f64,
        /// 0–1, where 1 is as close as the closest model answer to itself.
        similarity: f64,
        /// Points at full similarity.
        max_points: f64,
    },
    /// How far the answer develops its points in its own words: distinct
    /// content words, up to a saturation, in full only as far as the answer
    /// is close to the references. A caller's rubric only (derived or
    /// given concepts), where word overlap misses an explanation that uses
    /// other words; nothing for a vague or contradicting answer.
    Elaboration {
        /// Points contributed.
        points: f64,
        /// Distinct content words the answer uses.
        words: usize,
        /// Distinct content words at which elaboration earns its full points.
        saturation: usize,
        /// Points at or beyond saturation.
        max_points: f64,
    },
    /// Concepts named only to be dismissed.
    Dismissal {
        /// Points contributed (negative).
        points: f64,
        /// Weight of the dismissed concepts.
        dismissed_weight: f64,
    },
    /// Claims that say the opposite of a reference answer.
    Contradiction {
        /// Points contributed (negative).
        points: f64,
        /// How many claims.
        claims: usize,
    },
    /// A red flag raised.
    RedFlag {
        /// Points contributed (negative).
        points: f64,
        /// The red flag's id.
        id: String,
        /// Its severity.
        severity: Severity,
    },
    /// An answer-level signal that caps the score.
    Cap {
        /// Points contributed (negative or zero).
        points: f64,
        /// The signal (`off_topic`, `keyword_stuffing`, `too_short`, `red_flag`,
        /// `contradiction`).
        signal: String,
        /// The highest score the signal allows (before a caller's rubric's
        /// calibration, which stretches capped scores too).
        cap: f64,
    },
    /// Keeps the score at 0 or above when penalties exceed the points earned.
    Floor {
        /// Points contributed (zero or positive).
        points: f64,
    },
    /// A caller's rubric: the score so far, caps included, stretched onto
    /// the scale of an expert's grades. A right answer in its own words says
    /// only part of a reference's words, so such a rubric's points run low;
    /// multiplied by `factor` (1.4 for derived concepts, 1.2 for given
    /// ones), at most 100.
    Calibration {
        /// Points contributed (zero or positive).
        points: f64,
        /// What the score so far was multiplied by.
        factor: f64,
    },
}

impl ScoreDetail {
    /// The points this rule contributed.
    pub fn points(&self) -> f64 {
        match self {
            ScoreDetail::Coverage { points, .. }
            | ScoreDetail::Similarity { points, .. }
            | ScoreDetail::Elaboration { points, .. }
            | ScoreDetail::Dismissal { points, .. }
            | ScoreDetail::Contradiction { points, .. }
            | ScoreDetail::RedFlag { points, .. }
            | ScoreDetail::Cap { points, .. }
            | ScoreDetail::Floor { points }
            | ScoreDetail::Calibration { points, .. } => *points,
        }
    }
}

/// Counts describing the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerStats {
    /// Words.
    pub words: usize,
    /// Sentences.
    pub sentences: usize,
}

/// The full, deterministic evaluation of one answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The bank question evaluated against.
    pub question_id: String,
    /// 0–100, one decimal; the sum of `breakdown`'s points.
    pub score: f64,
    /// The rating the score falls in.
    pub rating: Rating,
    /// Each rule's contribution, in the order applied.
    pub breakdown: Vec<ScoreDetail>,
    /// Concepts shown, with evidence.
    pub covered: Vec<CoveredConcept>,
    /// Concepts not shown, with hints.
    pub missing: Vec<MissingConcept>,
    /// Concepts named only to be dismissed.
    pub dismissed: Vec<DismissedConcept>,
    /// Red flags raised, with evidence.
    pub red_flags: Vec<RaisedFlag>,
    /// Answer-level signals.
    pub signals: Signals,
    /// Counts describing the answer.
    pub stats: AnswerStats,
    /// The scoring method's version.
    pub scoring_version: &'static str,
    /// For an ad-hoc rubric: its concepts (derived or given) and how far it
    /// can be trusted; absent for bank questions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricReport>,
}

/// What an evaluation against an ad-hoc rubric reports about the rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricReport {
    /// Whether the concepts were derived from the reference answers.
    pub derived: bool,
    /// How far the rubric can be trusted, 0–1: lower for derived concepts
    /// and very short references.
    pub confidence: f64,
    /// The concepts looked for, to review, edit and send back (or save with
    /// `assay rubric derive`).
    pub concepts: Vec<crate::rubric::RubricConcept>,
}
