//! The typed question bank: what a loaded, validated corpus holds.
//!
//! Every value here was parsed at the edge ([`super::load`]): ids are slugs,
//! texts are non-empty, weights are positive. The engine never re-checks.

use std::fmt;

use serde::Serialize;

/// A lowercase slug: ASCII letters, digits and single dashes (`explain-plans`).
///
/// Used for question, concept, red-flag, group and tag identifiers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Longest slug accepted, in bytes.
    pub const MAX_LEN: usize = 64;

    /// Parses a slug, saying what is wrong when `value` is not one.
    pub fn parse(value: &str) -> Result<Slug, String> {
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let valid_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_chars || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(format!(
                "`{value}` must be lowercase ASCII letters and digits separated by single dashes"
            ));
        }
        Ok(Slug(value.to_owned()))
    }

    /// `ad-hoc`: the group of every question built from a caller's rubric,
    /// and its id when the question has no ASCII letter or digit.
    pub fn ad_hoc() -> Slug {
        Slug("ad-hoc".to_owned())
    }

    /// A slug made from free text: its ASCII letters and digits lowercased,
    /// every other run of characters one dash, cut at a dash to at most
    /// [`Slug::FROM_TEXT_MAX_LEN`] bytes (room for a `-2` suffix). `None`
    /// when the text has no ASCII letter or digit.
    pub fn from_text(text: &str) -> Option<Slug> {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        if out.len() > Self::FROM_TEXT_MAX_LEN {
            // ASCII only, so any byte index is a character boundary.
            let cut = out[..=Self::FROM_TEXT_MAX_LEN]
                .rfind('-')
                .unwrap_or(Self::FROM_TEXT_MAX_LEN);
            out.truncate(cut);
        }
        let trimmed = out.trim_end_matches('-');
        (!trimmed.is_empty()).then(|| Slug(trimmed.to_owned()))
    }

    /// Longest slug [`Slug::from_text`] makes, in bytes.
    pub const FROM_TEXT_MAX_LEN: usize = 48;

    /// The slug as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text that is not blank, trimmed, and no longer than its field allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// Parses text of at most `max_chars` characters, trimming surrounding white space.
    pub fn parse(value: &str, max_chars: usize) -> Result<Text, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        let chars = trimmed.chars().count();
        if chars > max_chars {
            return Err(format!("is {chars} characters long; the limit is {max_chars}"));
        }
        Ok(Text(trimmed.to_owned()))
    }

    /// The text as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A concept's weight: finite, positive, at most [`Weight::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Weight(f64);

impl Weight {
    /// Largest weight accepted.
    pub const MAX: f64 = 100.0;

    /// Parses a weight.
    pub fn parse(value: f64) -> Result<Weight, String> {
        if value.is_finite() && value > 0.0 && value <= Self::MAX {
            Ok(Weight(value))
        } else {
            Err(format!(
                "must be a positive number no larger than {}, got {value}",
                Self::MAX
            ))
        }
    }

    /// The weight as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// How serious a red flag is; it sets the penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Style or judgement.
    Low,
    /// Causes outages or rework.
    Medium,
    /// Security or data loss.
    High,
}

impl Severity {
    /// Parses `low`, `medium` or `high`.
    pub fn parse(value: &str) -> Result<Severity, String> {
        match value {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            other => Err(format!("`{other}` is not a severity; use low, medium or high")),
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// Whether a model answer is the full expert answer or the concise one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// Covers every concept.
    Full,
    /// Covers the heavy concepts in a few sentences.
    Concise,
}

impl AnswerKind {
    /// Parses `full` or `concise`.
    pub fn parse(value: &str) -> Result<AnswerKind, String> {
        match value {
            "full" => Ok(AnswerKind::Full),
            "concise" => Ok(AnswerKind::Concise),
            other => Err(format!("`{other}` is not an answer kind; use full or concise")),
        }
    }
}

/// An expert answer to a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelAnswer {
    /// Full or concise.
    pub kind: AnswerKind,
    /// The answer itself.
    pub text: Text,
}

/// One fact an expert answer holds, and every way people say it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concept {
    /// Unique within its question.
    pub id: Slug,
    /// Short name shown to candidates.
    pub label: Text,
    /// How much an expert cares about it, relative to the question's other concepts.
    pub weight: Weight,
    /// Phrases that show the concept, matched through the analyzer.
    pub aliases: Vec<Text>,
    /// One actionable sentence shown when the concept is missing.
    pub hint: Text,
    /// The concept names a thing to avoid ("N+1 queries"): a negated mention
    /// still shows the knowledge.
    pub pitfall: bool,
}

/// A practice a strong candidate would not advocate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedFlag {
    /// Unique within its question and the common flags.
    pub id: Slug,
    /// Short name of the practice.
    pub label: Text,
    /// How serious it is.
    pub severity: Severity,
    /// Advocating phrasings that signal it.
    pub phrases: Vec<Text>,
    /// Good practices whose dismissal signals it ("we don't bother with
    /// backups" raises "no backups").
    pub dismissing: Vec<Text>,
    /// The practice as ingredients one sentence may hold in any order and in
    /// its own words, with the speaker in the clause of one ("debugger |
    /// breakpoint & production | live"): far looser than a phrase, for
    /// answers that describe doing it.
    pub practices: Vec<Practice>,
    /// Why it is a concern, shown with the flag.
    pub why: Text,
}

/// A bad practice as ingredients: every group must be said in one sentence,
/// each by one of its alternatives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Practice {
    /// The practice as written in the corpus (evidence names the alternative
    /// that matched, not this).
    pub text: Text,
    /// The ingredient groups, each a list of alternative phrases.
    pub groups: Vec<Vec<Text>>,
}

impl Practice {
    /// Most ingredient groups in one practice.
    pub const MAX_GROUPS: usize = 4;
    /// Most alternatives in one group.
    pub const MAX_ALTERNATIVES: usize = 24;

    /// Parses `alt | alt & alt | alt`: groups joined by `&`, alternatives by
    /// `|`. Each alternative must have words `analyzer` can match; the error
    /// names what is wrong.
    pub fn parse(text: Text, analyzer: &crate::text::Analyzer) -> Result<Practice, String> {
        let has_words = |alternative: &str| !analyzer.phrase_terms(alternative).is_empty();
        let mut groups = Vec::new();
        for (g, group) in text.as_str().split('&').enumerate() {
            let mut alternatives = Vec::new();
            for alternative in group.split('|') {
                let alternative = alternative.trim();
                if alternative.is_empty() {
                    return Err(format!("group {} has an empty alternative", g + 1));
                }
                if !has_words(alternative) {
                    return Err(format!("alternative `{alternative}` has no words to match"));
                }
                // A part of the practice's text, which has passed its length limit.
                alternatives.push(Text(alternative.to_owned()));
            }
            if alternatives.len() > Self::MAX_ALTERNATIVES {
                return Err(format!(
                    "group {} has {} alternatives; at most {} are allowed",
                    g + 1,
                    alternatives.len(),
                    Self::MAX_ALTERNATIVES
                ));
            }
            groups.push(alternatives);
        }
        if groups.len() > Self::MAX_GROUPS {
            return Err(format!(
                "{} ingredient groups; at most {} are allowed",
                groups.len(),
                Self::MAX_GROUPS
            ));
        }
        Ok(Practice { text, groups })
    }
}

/// One interview question with its rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// The stable identifier (`explain-plans`).
    pub id: Slug,
    /// The group it belongs to (`technical`, `experience`, `design`).
    pub group: Slug,
    /// Tags for filtering.
    pub tags: Vec<Slug>,
    /// The canonical wording.
    pub question: Text,
    /// Other ways interviewers phrase it.
    pub wordings: Vec<Text>,
    /// Expert answers: at least one full and one concise.
    pub model_answers: Vec<ModelAnswer>,
    /// The facts an expert answer holds.
    pub concepts: Vec<Concept>,
    /// The practices specific to this question that a candidate should not advocate.
    pub red_flags: Vec<RedFlag>,
}

impl Question {
    /// The canonical wording followed by the alternates.
    pub fn all_wordings(&self) -> impl Iterator<Item = &Text> {
        std::iter::once(&self.question).chain(self.wordings.iter())
    }

    /// The sum of the concepts' weights.
    pub fn total_weight(&self) -> f64 {
        self.concepts.iter().map(|c| c.weight.get()).sum()
    }
}

/// A validated question bank: questions sorted by id, and the red flags common to all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bank {
    questions: Vec<Question>,
    common_red_flags: Vec<RedFlag>,
}

impl Bank {
    /// Builds a bank; questions are sorted by id so every listing is deterministic.
    pub(crate) fn new(mut questions: Vec<Question>, common_red_flags: Vec<RedFlag>) -> Bank {
        questions.sort_by(|a, b| a.id.cmp(&b.id));
        Bank {
            questions,
            common_red_flags,
        }
    }

    /// The questions, sorted by id.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The question with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions
            .binary_search_by(|q| q.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.questions[i])
    }

    /// The position of the question with this id in [`Bank::questions`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.questions.binary_search_by(|q| q.id.as_str().cmp(id)).ok()
    }

    /// The red flags that apply to every question.
    pub fn common_red_flags(&self) -> &[RedFlag] {
        &self.common_red_flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_words_joined_by_dashes() {
        assert!(Slug::parse("explain-plans").is_ok());
        assert!(Slug::parse("n2-cache").is_ok());
    }

    #[test]
    fn slugs_reject_everything_else() {
        for bad in ["", "Explain", "a_b", "-a", "a-", "a--b", "a b", "é"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Slug::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn slugs_made_from_text_parse() {
        let made = |text: &str| Slug::from_text(text).map(|s| s.0);
        assert_eq!(
            made("Time Complexity: O(n log n)").as_deref(),
            Some("time-complexity-o-n-log-n")
        );
        assert_eq!(made("— …"), None);
        let long = made("How would you design a rate limiter for a public API used by thousands of clients?")
            .expect("a slug");
        assert!(long.len() <= Slug::FROM_TEXT_MAX_LEN, "{long}");
        assert!(long.starts_with("how-would-you-design"), "{long}");
        for text in [
            "Time Complexity: O(n log n)",
            "  --a  b--  ",
            "Ünïcode café 42",
            &long,
        ] {
            let slug = made(text).expect("a slug");
            assert!(Slug::parse(&slug).is_ok(), "{text:?} -> {slug:?}");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("  hi ", 10).map(|t| t.0), Ok("hi".to_owned()));
        assert!(Text::parse(" \n ", 10).is_err());
        assert!(Text::parse("abcdef", 5).is_err());
    }

    #[test]
    fn weights_are_positive_and_finite() {
        assert!(Weight::parse(2.5).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 101.0] {
            assert!(Weight::parse(bad).is_err(), "{bad}");
        }
    }
}
