//! Red flags: advocated bad practice, unless the answer rejects it.

use super::compile::{CompiledQuestion, FlagSource};
use super::concepts::collect_evidence;
use super::evaluation::RaisedFlag;
use super::matcher::{PhraseMatch, Positions};
use crate::bank::{Question, RedFlag};
use crate::text::Analyzed;

/// Extra tokens allowed in a red-flag phrase's window beyond its own terms.
pub const PHRASE_SLACK: usize = 2;

/// Whether any negation or rejection cue outside the match governs it.
fn is_rejected(analyzed: &Analyzed, m: &PhraseMatch) -> bool {
    analyzed.scopes().iter().any(|s| s.governs_match(m.first, m.last))
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
    for (source, phrases) in &compiled.flags {
        let (flag, is_common) = match *source {
            FlagSource::Question(i) => (question.red_flags.get(i), false),
            FlagSource::Common(i) => (common.get(i), true),
        };
        let Some(flag) = flag else { continue };
        let advocated: Vec<(PhraseMatch, &str)> = phrases
            .iter()
            .flat_map(|p| {
                positions
                    .find(p, PHRASE_SLACK, false)
                    .into_iter()
                    .map(move |m| (m, p.text.as_str()))
            })
            .filter(|(m, _)| !is_rejected(analyzed, m))
            .collect();
        if advocated.is_empty() {
            continue;
        }
        raised.push(RaisedFlag {
            id: flag.id.to_string(),
            label: flag.label.to_string(),
            severity: flag.severity,
            why: flag.why.to_string(),
            common: is_common,
            evidence: collect_evidence(answer, analyzed, advocated),
        });
    }
    raised
}
