//! A rubric as a caller sends it, checked field by field and turned into a
//! one-question rubric the engine scores like any bank question.
//!
//! Every problem is reported at once, each at the JSON pointer of the field
//! it concerns (relative to the rubric), so an API client or a grading file
//! can be corrected in one pass.

use serde::{Deserialize, Serialize};

use super::derive::unique_id;
use super::{derive_concepts, DerivedConcept, Vocabulary, MAX_REFERENCE_BYTES};
use crate::bank::{
    AnswerKind, Concept, ModelAnswer, Practice, Question, RedFlag, Severity, Slug, Text, Weight,
};
use crate::text::Analyzer;

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Most reference answers.
pub const MAX_REFERENCES: usize = 10;
/// Most concepts or red flags a caller may give.
pub const MAX_CONCEPTS: usize = 30;
/// Most aliases (concepts) or phrases (red flags) per item.
pub const MAX_PHRASES: usize = 50;
/// Longest label, alias or phrase, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest hint or explanation, in characters.
pub const MAX_HINT_CHARS: usize = 1_000;
/// Weight of a given concept that has none.
const DEFAULT_WEIGHT: f64 = 1.0;

/// A rubric as sent: the question, reference answers, and optionally the
/// concepts and red flags (concepts are derived from the references when
/// absent).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RubricSpec {
    /// The question as the candidate saw it.
    #[serde(default)]
    pub question: Option<String>,
    /// One or more model answers.
    #[serde(default)]
    pub reference_answers: Vec<String>,
    /// The concepts to look for; derived from the references when absent.
    #[serde(default)]
    pub concepts: Option<Vec<ConceptSpec>>,
    /// Practices to flag.
    #[serde(default)]
    pub red_flags: Vec<RedFlagSpec>,
}

/// A concept as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptSpec {
    /// A slug; made from the label when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// What the concept is.
    #[serde(default)]
    pub label: Option<String>,
    /// How much it matters (default 1).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Phrases that show it; the label alone when absent.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What a candidate who missed it can do.
    #[serde(default)]
    pub hint: Option<String>,
    /// The concept names something to avoid or deny ("does not change
    /// state"): an answer that negates it shows it rather than dismisses it.
    #[serde(default)]
    pub pitfall: bool,
}

/// A red flag as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlagSpec {
    /// A slug; made from the label when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The practice.
    #[serde(default)]
    pub label: Option<String>,
    /// `low`, `medium` (default) or `high`.
    #[serde(default)]
    pub severity: Option<String>,
    /// Phrasings that advocate it.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// The practice as ingredient groups, `&` between groups and `|`
    /// between alternatives ("debugger | breakpoint & production | live"),
    /// raised when a first-person sentence holds every group.
    #[serde(default)]
    pub practices: Vec<String>,
    /// Why it is a concern.
    #[serde(default)]
    pub why: Option<String>,
}

/// One problem with a rubric: where, as JSON pointer segments relative to
/// the rubric, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricProblem {
    /// Pointer segments (`["reference_answers", "0"]`).
    pub path: Vec<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RubricProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}: {}", self.path.join("/"), self.message)
    }
}

/// A concept of an ad-hoc rubric as reported back: what was looked for, and
/// whether Assay derived it, so a caller can review, edit and save it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricConcept {
    /// The concept's id, as evaluations name it.
    pub id: String,
    /// What the concept is.
    pub label: String,
    /// How much it counts.
    pub weight: f64,
    /// The phrases that show it.
    pub aliases: Vec<String>,
    /// What a candidate who missed it can do.
    pub hint: String,
    /// Named to be avoided or denied: a negated mention shows it.
    pub pitfall: bool,
    /// Derived from the reference answers rather than given.
    pub derived: bool,
}

/// A checked ad-hoc rubric: a one-question bank entry and how it was made.
#[derive(Debug, Clone)]
pub struct AdHocRubric {
    /// The question, shaped like a bank question.
    pub question: Question,
    /// Whether the concepts were derived.
    pub derived: bool,
    /// The concepts as reported back.
    pub concepts: Vec<RubricConcept>,
}

/// Collects problems while checking.
#[derive(Default)]
struct Problems(Vec<RubricProblem>);

impl Problems {
    fn push(&mut self, path: &[&str], message: impl Into<String>) {
        self.0.push(RubricProblem {
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            message: message.into(),
        });
    }

    /// The label (required) and id (made from the label when absent) of
    /// item `at` of the list `list`.
    fn labelled(
        &mut self,
        list: &str,
        at: &str,
        label: Option<&str>,
        id: Option<&str>,
        used: &mut Vec<String>,
    ) -> (Option<Text>, Option<Slug>) {
        let label = match label {
            None => {
                self.push(&[list, at, "label"], "a label is required");
                None
            }
            Some(l) => self.text(&[list, at, "label"], l, MAX_LABEL_CHARS),
        };
        let id = item_id(self, &[list, at, "id"], id, label.as_ref(), used);
        (label, id)
    }

    /// The first [`MAX_PHRASES`] of `phrases` (aliases, red-flag phrasings)
    /// at `path`, each checked.
    fn phrases(&mut self, path: &[&str], phrases: &[String]) -> Vec<Text> {
        let mut out = Vec::new();
        for (j, phrase) in phrases.iter().take(MAX_PHRASES).enumerate() {
            let at: Vec<String> = path
                .iter()
                .map(|s| (*s).to_owned())
                .chain([j.to_string()])
                .collect();
            let at: Vec<&str> = at.iter().map(String::as_str).collect();
            if let Some(text) = self.text(&at, phrase, MAX_LABEL_CHARS) {
                out.push(text);
            }
        }
        out
    }

    /// Parses a text field, recording the problem at `path`.
    fn text(&mut self, path: &[&str], value: &str, max_chars: usize) -> Option<Text> {
        Text::parse(value, max_chars)
            .map_err(|e| self.push(path, format!("the text {e}")))
            .ok()
    }
}

impl RubricSpec {
    /// Checks the rubric and builds its question, deriving concepts from the
    /// references when none are given.
    pub fn build(
        &self,
        analyzer: &Analyzer,
        vocabulary: &Vocabulary,
    ) -> Result<AdHocRubric, Vec<RubricProblem>> {
        let mut problems = Problems::default();
        let question = match &self.question {
            None => {
                problems.push(&["question"], "a question is required");
                None
            }
            Some(q) => problems.text(&["question"], q, MAX_QUESTION_CHARS),
        };
        let references = self.references(&mut problems);
        let (concepts, derived) = match &self.concepts {
            Some(given) => (given_concepts(given, &mut problems), false),
            None => (Vec::new(), true),
        };
        let red_flags = red_flags(analyzer, &self.red_flags, &mut problems);
        let Some(question) = question.filter(|_| problems.0.is_empty()) else {
            return Err(problems.0);
        };
        let concepts = if derived {
            let texts: Vec<&str> = references.iter().map(Text::as_str).collect();
            derive_concepts(analyzer, vocabulary, question.as_str(), &texts)
                .into_iter()
                .filter_map(|c| derived_concept(c).ok())
                .collect()
        } else {
            concepts
        };
        if let Err(message) = unclaimed_aliases(analyzer, &concepts) {
            return Err(vec![message]);
        }
        let id = Slug::from_text(question.as_str()).unwrap_or_else(Slug::ad_hoc);
        let reported = concepts
            .iter()
            .map(|c| RubricConcept {
                id: c.id.to_string(),
                label: c.label.to_string(),
                weight: c.weight.get(),
                aliases: c.aliases.iter().map(ToString::to_string).collect(),
                hint: c.hint.to_string(),
                pitfall: c.pitfall,
                derived,
            })
            .collect();
        Ok(AdHocRubric {
            question: Question {
                id,
                group: Slug::ad_hoc(),
                tags: Vec::new(),
                question,
                wordings: Vec::new(),
                model_answers: references
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| ModelAnswer {
                        kind: if i == 0 {
                            AnswerKind::Full
                        } else {
                            AnswerKind::Concise
                        },
                        text,
                    })
                    .collect(),
                concepts,
                red_flags,
            },
            derived,
            concepts: reported,
        })
    }

    /// The reference answers, each checked.
    fn references(&self, problems: &mut Problems) -> Vec<Text> {
        if self.reference_answers.is_empty() {
            problems.push(
                &["reference_answers"],
                "at least one reference answer is required",
            );
        }
        if self.reference_answers.len() > MAX_REFERENCES {
            problems.push(
                &["reference_answers"],
                format!(
                    "{} reference answers sent; at most {MAX_REFERENCES} are accepted",
                    self.reference_answers.len()
                ),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, reference) in self.reference_answers.iter().enumerate() {
            let at = i.to_string();
            if reference.len() > MAX_REFERENCE_BYTES {
                problems.push(
                    &["reference_answers", &at],
                    format!(
                        "the reference answer is {} bytes long; the limit is {MAX_REFERENCE_BYTES} bytes",
                        reference.len()
                    ),
                );
            } else if let Some(text) = problems.text(&["reference_answers", &at], reference, usize::MAX) {
                out.push(text);
            }
        }
        out
    }
}

/// Turns a derived concept into a corpus concept.
fn derived_concept(c: DerivedConcept) -> Result<Concept, String> {
    Ok(Concept {
        id: Slug::parse(&c.id)?,
        label: Text::parse(&c.label, usize::MAX)?,
        weight: Weight::parse(f64::from(c.weight))?,
        aliases: c
            .aliases
            .iter()
            .filter_map(|a| Text::parse(a, usize::MAX).ok())
            .collect(),
        hint: Text::parse(&c.hint, usize::MAX)?,
        pitfall: c.pitfall,
    })
}

/// `id` parsed, or a slug made from `label` that is not in `used`.
fn item_id(
    problems: &mut Problems,
    path: &[&str],
    id: Option<&str>,
    label: Option<&Text>,
    used: &mut Vec<String>,
) -> Option<Slug> {
    match id {
        Some(id) => {
            let slug = Slug::parse(id)
                .map_err(|e| problems.push(path, format!("the id {e}")))
                .ok()?;
            if used.iter().any(|u| u == id) {
                problems.push(path, format!("the id `{id}` is used twice"));
                return None;
            }
            used.push(slug.to_string());
            Some(slug)
        }
        None => {
            let base = label
                .and_then(|l| Slug::from_text(l.as_str()))
                .map_or_else(|| "item".to_owned(), |s| s.to_string());
            Slug::parse(&unique_id(&base, used)).ok()
        }
    }
}

/// The given concepts, each checked.
fn given_concepts(given: &[ConceptSpec], problems: &mut Problems) -> Vec<Concept> {
    if given.is_empty() || given.len() > MAX_CONCEPTS {
        problems.push(
            &["concepts"],
            format!(
                "send 1 to {MAX_CONCEPTS} concepts (or leave concepts out to derive them); got {}",
                given.len()
            ),
        );
        return Vec::new();
    }
    let mut used = Vec::new();
    let mut out = Vec::new();
    for (i, spec) in given.iter().enumerate() {
        let at = i.to_string();
        let (label, id) = problems.labelled(
            "concepts",
            &at,
            spec.label.as_deref(),
            spec.id.as_deref(),
            &mut used,
        );
        let weight = Weight::parse(spec.weight.unwrap_or(DEFAULT_WEIGHT))
            .map_err(|e| problems.push(&["concepts", &at, "weight"], format!("the weight {e}")))
            .ok();
        if spec.aliases.len() > MAX_PHRASES {
            problems.push(
                &["concepts", &at, "aliases"],
                format!("at most {MAX_PHRASES} aliases are accepted"),
            );
        }
        let mut aliases = problems.phrases(&["concepts", &at, "aliases"], &spec.aliases);
        let hint = match &spec.hint {
            Some(h) => problems.text(&["concepts", &at, "hint"], h, MAX_HINT_CHARS),
            None => label.as_ref().and_then(|l| {
                Text::parse(
                    &format!("Say how \u{201c}{l}\u{201d} answers the question."),
                    usize::MAX,
                )
                .ok()
            }),
        };
        if let (Some(id), Some(label), Some(weight), Some(hint)) = (id, label, weight, hint) {
            if aliases.is_empty() {
                aliases.push(label.clone());
            }
            out.push(Concept {
                id,
                label,
                weight,
                aliases,
                hint,
                pitfall: spec.pitfall,
            });
        }
    }
    out
}

/// The given red flags, each checked.
fn red_flags(analyzer: &Analyzer, given: &[RedFlagSpec], problems: &mut Problems) -> Vec<RedFlag> {
    if given.len() > MAX_CONCEPTS {
        problems.push(
            &["red_flags"],
            format!("at most {MAX_CONCEPTS} red flags are accepted"),
        );
        return Vec::new();
    }
    let mut used = Vec::new();
    let mut out = Vec::new();
    for (i, spec) in given.iter().enumerate() {
        let at = i.to_string();
        let (label, id) = problems.labelled(
            "red_flags",
            &at,
            spec.label.as_deref(),
            spec.id.as_deref(),
            &mut used,
        );
        let severity = Severity::parse(spec.severity.as_deref().unwrap_or("medium"))
            .map_err(|e| problems.push(&["red_flags", &at, "severity"], e))
            .ok();
        if spec.phrases.is_empty() || spec.phrases.len() > MAX_PHRASES {
            problems.push(
                &["red_flags", &at, "phrases"],
                format!("send 1 to {MAX_PHRASES} phrases that advocate the practice"),
            );
        }
        let phrases = problems.phrases(&["red_flags", &at, "phrases"], &spec.phrases);
        if spec.practices.len() > MAX_PHRASES {
            problems.push(
                &["red_flags", &at, "practices"],
                format!("send at most {MAX_PHRASES} practices"),
            );
        }
        let mut practices = Vec::new();
        for (j, practice) in spec.practices.iter().take(MAX_PHRASES).enumerate() {
            let j = j.to_string();
            let path = ["red_flags", at.as_str(), "practices", j.as_str()];
            let Some(text) = problems.text(&path, practice, MAX_HINT_CHARS) else {
                continue;
            };
            match Practice::parse(text, analyzer) {
                Ok(practice) => practices.push(practice),
                Err(e) => problems.push(&path, e),
            }
        }
        let why = match &spec.why {
            Some(w) => problems.text(&["red_flags", &at, "why"], w, MAX_HINT_CHARS),
            None => label.clone(),
        };
        if let (Some(id), Some(label), Some(severity), Some(why), false) =
            (id, label, severity, why, phrases.is_empty())
        {
            out.push(RedFlag {
                id,
                label,
                severity,
                phrases,
                dismissing: Vec::new(),
                practices,
                why,
            });
        }
    }
    out
}

/// A problem when two concepts claim the same alias (an answer would show
/// both at once).
fn unclaimed_aliases(analyzer: &Analyzer, concepts: &[Concept]) -> Result<(), RubricProblem> {
    let mut seen: Vec<(Vec<String>, usize)> = Vec::new();
    for (i, concept) in concepts.iter().enumerate() {
        for (j, alias) in concept.aliases.iter().enumerate() {
            let terms = analyzer.phrase_terms(alias.as_str());
            if let Some((_, other)) = seen.iter().find(|(t, other)| *t == terms && *other != i) {
                return Err(RubricProblem {
                    path: vec!["concepts".into(), i.to_string(), "aliases".into(), j.to_string()],
                    message: format!(
                        "the alias \u{201c}{alias}\u{201d} is also an alias of concept {other}; an alias may belong to one concept only"
                    ),
                });
            }
            seen.push((terms, i));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(spec: &RubricSpec) -> Result<AdHocRubric, Vec<RubricProblem>> {
        let analyzer = Analyzer::english();
        spec.build(&analyzer, &Vocabulary::general(&analyzer))
    }

    fn paths(problems: &[RubricProblem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("/{}", p.path.join("/")))
            .collect()
    }

    #[test]
    fn a_question_and_a_reference_derive_concepts() {
        let spec = RubricSpec {
            question: Some("What does a stack's pop operation return?".into()),
            reference_answers: vec!["The most recently pushed element, removing it from the top.".into()],
            ..RubricSpec::default()
        };
        let rubric = build(&spec).expect("valid");
        assert!(rubric.derived);
        assert!(!rubric.question.concepts.is_empty());
        assert!(rubric.concepts.iter().all(|c| c.derived));
        assert_eq!(rubric.question.model_answers.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_at_its_pointer() {
        let spec = RubricSpec {
            question: Some("   ".into()),
            reference_answers: vec!["fine".into(), "".into(), "x".repeat(MAX_REFERENCE_BYTES + 1)],
            concepts: Some(vec![
                ConceptSpec {
                    label: None,
                    weight: Some(-1.0),
                    ..ConceptSpec::default()
                },
                ConceptSpec {
                    id: Some("Bad Id".into()),
                    label: Some("ok".into()),
                    aliases: vec!["".into()],
                    ..ConceptSpec::default()
                },
            ]),
            red_flags: vec![RedFlagSpec {
                label: Some("guessing".into()),
                severity: Some("fatal".into()),
                ..RedFlagSpec::default()
            }],
        };
        let problems = build(&spec).expect_err("invalid");
        assert_eq!(
            paths(&problems),
            [
                "/question",
                "/reference_answers/1",
                "/reference_answers/2",
                "/concepts/0/label",
                "/concepts/0/weight",
                "/concepts/1/id",
                "/concepts/1/aliases/0",
                "/red_flags/0/severity",
                "/red_flags/0/phrases",
            ]
        );
        assert!(problems[2].message.contains("bytes long"), "{}", problems[2]);
    }

    #[test]
    fn missing_question_and_references_are_reported() {
        let problems = build(&RubricSpec::default()).expect_err("invalid");
        assert_eq!(paths(&problems), ["/question", "/reference_answers"]);
    }

    #[test]
    fn given_concepts_are_kept_as_given() {
        let spec = RubricSpec {
            question: Some("Why salt password hashes?".into()),
            reference_answers: vec!["A per-user salt defeats precomputed rainbow tables.".into()],
            concepts: Some(vec![ConceptSpec {
                label: Some("rainbow tables".into()),
                weight: Some(2.0),
                ..ConceptSpec::default()
            }]),
            ..RubricSpec::default()
        };
        let rubric = build(&spec).expect("valid");
        assert!(!rubric.derived);
        let concept = &rubric.question.concepts[0];
        assert_eq!(concept.id.as_str(), "rainbow-tables");
        assert_eq!(concept.aliases[0].as_str(), "rainbow tables");
        assert!(!rubric.concepts[0].derived);
    }

    #[test]
    fn an_alias_claimed_twice_is_refused() {
        let spec = RubricSpec {
            question: Some("q".into()),
            reference_answers: vec!["r".into()],
            concepts: Some(vec![
                ConceptSpec {
                    label: Some("hash tables".into()),
                    ..ConceptSpec::default()
                },
                ConceptSpec {
                    label: Some("maps".into()),
                    aliases: vec!["hash table".into()],
                    ..ConceptSpec::default()
                },
            ]),
            ..RubricSpec::default()
        };
        let problems = build(&spec).expect_err("invalid");
        assert_eq!(paths(&problems), ["/concepts/1/aliases/0"]);
    }
}
