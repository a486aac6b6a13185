//! Red flags: advocated bad practice, unless the answer rejects it.
//!
//! A flag is raised two ways:
//! - an advocating phrase ("disable certificate verification") that no
//!   negation or rejection cue outside it governs;
//! - a good practice named only to be dismissed ("we don't bother with
//!   backups" raises "no backups"), unless that dismissal is itself negated
//!   ("we never skip backups") or the answer also states that practice
//!   plainly elsewhere.

use super::compile::{CompiledQuestion, FlagSource};
use super::concepts::collect_evidence;
use super::evaluation::RaisedFlag;
use super::matcher::{PhraseMatch, Positions};
use crate::bank::{Question, RedFlag};
use crate::text::negation::{drop_restatements, is_conditional};
use crate::text::{Analyzed, Scope, ScopeKind};

/// Extra tokens allowed in a red-flag phrase's window beyond its own terms.
pub const PHRASE_SLACK: usize = 2;

/// Whether any negation or rejection cue outside the match governs it, or
/// the match is only a hypothesis ("if you skip the dry run, …").
fn is_denied_or_hypothetical(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String]) -> bool {
    analyzed
        .scopes()
        .iter()
        .any(|s| s.governs_phrase(m.first, m.last, analyzed.tokens(), terms))
        || is_hypothetical(analyzed, m)
}

/// Whether the match sits in a condition: after an "if", "unless" or
/// "whether" in its clause, and before the consequent's subject. "If a call
/// times out we tell clients not to retry" states a practice, as it does
/// with a comma after "out": a speaker pronoun ("we", "I", "you", "they")
/// after the condition's first word opens the consequent.
fn is_hypothetical(analyzed: &Analyzed, m: &PhraseMatch) -> bool {
    let tokens = analyzed.tokens();
    let clause = tokens[m.first].clause;
    let is_condition = |norm: &str| matches!(norm, "if" | "unless" | "whether");
    let mut consequent = false;
    for j in (0..m.first).rev() {
        let t = &tokens[j];
        if t.clause != clause {
            break;
        }
        if is_condition(&t.norm) {
            return !consequent;
        }
        let follows_condition = j > 0 && is_condition(&tokens[j - 1].norm);
        if matches!(&*t.norm, "we" | "i" | "you" | "they") && !follows_condition {
            consequent = true;
        }
    }
    false
}

/// Whether the match is dismissed: governed by an odd number of cues, at
/// least one a negation, none of them a condition. Nested cues cancel
/// ("we never skip backups", "I won't stop writing tests"), and conditions
/// state no practice ("without tests, …", "if you don't test, …"). A
/// pronoun's cue that spans another cue restates it ("X is overkill, so we
/// skip them" dismisses X once).
///
/// A list item with a cue of its own states its own polarity: the cue of a
/// list's header or first item does not count again ("things I refuse to
/// do: … I never turn off certificate verification" rejects once; "no
/// tests, no reviews" dismisses both).
fn is_dismissed(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String]) -> bool {
    let tokens = analyzed.tokens();
    let clause = tokens[m.first].clause;
    let mut governing: Vec<&Scope> = analyzed
        .scopes()
        .iter()
        .filter(|s| s.governs_phrase(m.first, m.last, tokens, terms))
        .collect();
    let own_cue = |s: &&Scope| tokens[s.cue.0].clause == clause;
    if governing.iter().any(own_cue) {
        governing.retain(|s| own_cue(s) || s.cue.0 > m.last);
    }
    drop_restatements(&mut governing);
    let conditional = governing.iter().any(|s| is_conditional(tokens, s));
    let negated = governing.iter().any(|s| s.kind == ScopeKind::Negation);
    negated && !conditional && governing.len() % 2 == 1
}

/// Every red flag `answer` raises, the question's own first, then the common ones.
pub fn assess(
    answer: &str,
    analyzed: &Analyzed,
    positions: &Positions<'_>,
    question: &Question,
    common: &[RedFlag],
    compiled: &CompiledQuestion,
) -> Vec<RaisedFlag> {
    let mut raised = Vec::new();
    for compiled_flag in &compiled.flags {
        let (flag, is_common) = match compiled_flag.source {
            FlagSource::Question(i) => (question.red_flags.get(i), false),
            FlagSource::Common(i) => (common.get(i), true),
        };
        let Some(flag) = flag else { continue };
        let advocated = compiled_flag.phrases.iter().flat_map(|p| {
            positions
                .find(p, PHRASE_SLACK, false)
                .into_iter()
                .filter(|m| !is_denied_or_hypothetical(analyzed, m, &p.terms))
                .map(move |m| (m, p.text.as_str()))
        });
        let mut dismissed: Vec<(PhraseMatch, &str)> = Vec::new();
        for p in &compiled_flag.dismissing {
            let matches = positions.find(p, PHRASE_SLACK, false);
            // A practice the answer also states plainly is ranked, not
            // dismissed ("limiting the damage first, not finding the root
            // cause … then a post-mortem with the root cause"), as concepts are.
            if matches
                .iter()
                .any(|m| !is_denied_or_hypothetical(analyzed, m, &p.terms))
            {
                continue;
            }
            dismissed.extend(
                matches
                    .into_iter()
                    .filter(|m| is_dismissed(analyzed, m, &p.terms))
                    .map(|m| (m, p.text.as_str())),
            );
        }
        let evidence: Vec<(PhraseMatch, &str)> = advocated.chain(dismissed).collect();
        if evidence.is_empty() {
            continue;
        }
        raised.push(RaisedFlag {
            id: flag.id.to_string(),
            label: flag.label.to_string(),
            severity: flag.severity,
            why: flag.why.to_string(),
            common: is_common,
            evidence: collect_evidence(answer, analyzed, evidence),
        });
    }
    raised
}
