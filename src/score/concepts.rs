//! Which concepts an answer shows, which it only dismisses, which it misses.

use super::compile::CompiledQuestion;
use super::evaluation::{CoveredConcept, DismissedConcept, Evidence, MissingConcept};
use super::matcher::{PhraseMatch, Positions};
use crate::bank::Question;
use crate::text::negation::{drop_restatements, in_condition};
use crate::text::{Analyzed, Scope, ScopeKind};

/// Extra tokens allowed in an alias's window beyond its own terms.
pub const ALIAS_SLACK: usize = 3;
/// Credit for a concept whose only evidence repeats the question's own words.
pub const DEMOTED_CREDIT: f64 = 0.5;
/// Most evidence items reported per concept.
const MAX_EVIDENCE: usize = 5;

/// The concepts of one answer, sorted into covered, dismissed and missing.
#[derive(Debug, Default)]
pub struct ConceptReport {
    /// Shown concepts.
    pub covered: Vec<CoveredConcept>,
    /// Dismissed concepts.
    pub dismissed: Vec<DismissedConcept>,
    /// Missing concepts.
    pub missing: Vec<MissingConcept>,
}

impl ConceptReport {
    /// Weight credited to covered concepts.
    pub fn covered_weight(&self) -> f64 {
        self.covered.iter().map(|c| c.weight * c.credit).sum()
    }

    /// Weight of dismissed concepts.
    pub fn dismissed_weight(&self) -> f64 {
        self.dismissed.iter().map(|c| c.weight).sum()
    }
}

/// Builds evidence for a match.
pub fn evidence(answer: &str, analyzed: &Analyzed, m: &PhraseMatch, matched: &str) -> Evidence {
    let span = analyzed.span_of(m.first, m.last);
    Evidence {
        start: span.start,
        end: span.end,
        text: answer.get(span.start..span.end).unwrap_or_default().to_owned(),
        matched: matched.to_owned(),
        misspelled: m.misspelled,
    }
}

/// How a concept named under negation is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegatedMention {
    /// Every negation dismisses it. Interview answers name a practice to
    /// reject it ("we don't use EXPLAIN, just add indexes").
    Dismissed,
    /// Only a dismissal does ("X is overkill", "we don't need X"). A bare
    /// denial ("the original can't be changed") is a claim about the thing,
    /// which the contradiction check weighs against the references: the
    /// concept is then neither shown nor dismissed. For ad-hoc questions,
    /// whose concepts are words of an answer key.
    DismissedUnlessDenied,
}

/// How a match stands: said, dismissed, or only denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stance {
    Said,
    Dismissed,
    Denied,
}

/// The stance of a match, from the negation cues outside it that govern it.
/// Nested cues cancel ("we never skip idempotency keys" says them), and a
/// pronoun's cue that spans another restates it rather than negating it
/// ("X is overkill, so we skip them" dismisses X), as for red flags. A
/// negation in a condition dismisses nothing ("if you don't test, …").
fn stance(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String], reading: NegatedMention) -> Stance {
    let tokens = analyzed.tokens();
    let mut governing: Vec<&Scope> = analyzed
        .scopes()
        .iter()
        .filter(|s| s.kind == ScopeKind::Negation && s.governs_phrase(m.first, m.last, tokens, terms))
        .collect();
    drop_restatements(&mut governing);
    if governing.len().is_multiple_of(2) {
        return Stance::Said;
    }
    // "If we renamed a field without versioning it, every consumer would
    // break": a condition weighs the thing, it does not dismiss it.
    if governing.iter().any(|s| in_condition(tokens, s)) {
        return Stance::Said;
    }
    // "I'm wary of retry loops with no cap", "the mistake is having no
    // backups": a rejection over the negation warns against the lack, so
    // the thing lacked is valued, not dismissed.
    let rejected = analyzed.scopes().iter().any(|r| {
        r.kind == ScopeKind::Rejection
            && r.governs_match(m.first, m.last)
            && governing.iter().all(|n| r.covers(n.cue.0))
    });
    if rejected {
        return Stance::Said;
    }
    if reading == NegatedMention::DismissedUnlessDenied && governing.iter().all(|s| s.is_denial(tokens)) {
        Stance::Denied
    } else {
        Stance::Dismissed
    }
}

/// Whether every term of the match is a word of the question itself.
fn repeats_question(
    analyzed: &Analyzed,
    m: &PhraseMatch,
    compiled: &CompiledQuestion,
    asked: &[String],
) -> bool {
    analyzed.tokens()[m.first..=m.last]
        .iter()
        .filter(|t| !t.stop)
        .all(|t| compiled.question_stems.contains(t.stem.as_ref()) || asked.iter().any(|a| *a == t.stem))
}

/// Sorts every concept of `question` into covered, dismissed or missing.
pub fn assess(
    answer: &str,
    analyzed: &Analyzed,
    positions: &Positions<'_>,
    question: &Question,
    compiled: &CompiledQuestion,
    asked_stems: &[String],
    reading: NegatedMention,
) -> ConceptReport {
    let mut report = ConceptReport::default();
    for (concept, aliases) in question.concepts.iter().zip(&compiled.concepts) {
        let mut affirmed: Vec<(PhraseMatch, &str)> = Vec::new();
        let mut negated: Vec<(PhraseMatch, &str)> = Vec::new();
        for alias in aliases {
            for m in positions.find(alias, ALIAS_SLACK, true) {
                if concept.pitfall {
                    affirmed.push((m, &alias.text));
                    continue;
                }
                match stance(analyzed, &m, &alias.terms, reading) {
                    Stance::Said => affirmed.push((m, &alias.text)),
                    Stance::Dismissed => negated.push((m, &alias.text)),
                    Stance::Denied => {}
                }
            }
        }
        let weight = concept.weight.get();
        if !affirmed.is_empty() {
            let demoted = affirmed
                .iter()
                .all(|(m, _)| repeats_question(analyzed, m, compiled, asked_stems));
            report.covered.push(CoveredConcept {
                id: concept.id.to_string(),
                label: concept.label.to_string(),
                weight,
                credit: if demoted { DEMOTED_CREDIT } else { 1.0 },
                evidence: collect_evidence(answer, analyzed, affirmed),
            });
        } else if !negated.is_empty() {
            report.dismissed.push(DismissedConcept {
                id: concept.id.to_string(),
                label: concept.label.to_string(),
                weight,
                evidence: collect_evidence(answer, analyzed, negated),
                hint: concept.hint.to_string(),
            });
        } else {
            report.missing.push(MissingConcept {
                id: concept.id.to_string(),
                label: concept.label.to_string(),
                weight,
                hint: concept.hint.to_string(),
            });
        }
    }
    report
}

/// Evidence in text order, overlapping matches merged into the first, at most [`MAX_EVIDENCE`].
pub fn collect_evidence(
    answer: &str,
    analyzed: &Analyzed,
    mut matches: Vec<(PhraseMatch, &str)>,
) -> Vec<Evidence> {
    matches.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    let mut kept: Vec<(PhraseMatch, &str)> = Vec::new();
    for (m, alias) in matches {
        match kept.last_mut() {
            Some((last, _)) if m.first <= last.last => {
                last.last = last.last.max(m.last);
                last.misspelled |= m.misspelled;
            }
            _ => kept.push((m, alias)),
        }
    }
    kept.iter()
        .take(MAX_EVIDENCE)
        .map(|(m, alias)| evidence(answer, analyzed, m, alias))
        .collect()
}
