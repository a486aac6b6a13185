//! The human-readable evaluation report, with evidence shown in context.

use std::fmt::Write;

use assay::score::{ContradictionKind, Evaluation, ScoreDetail};

/// Characters of context shown on each side of a piece of evidence.
const CONTEXT: usize = 30;

/// Renders `evaluation` of `answer` as plain text.
pub fn render(question: &str, answer: &str, evaluation: &Evaluation, lookup: Option<f32>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", evaluation.question_id, question);
    if let Some(confidence) = lookup {
        let _ = writeln!(out, "(matched from your wording, confidence {confidence:.2})");
    }
    let _ = writeln!(
        out,
        "\nScore {:.1}/100 · {}\n",
        evaluation.score,
        evaluation.rating.as_str()
    );
    if !evaluation.covered.is_empty() {
        let _ = writeln!(out, "Covered:");
        for c in &evaluation.covered {
            let demoted = if c.credit < 1.0 {
                ", half credit: repeats the question"
            } else {
                ""
            };
            let _ = writeln!(out, "  + {} (weight {}{demoted})", c.label, c.weight);
            for e in &c.evidence {
                let typo = if e.misspelled { " [misspelled]" } else { "" };
                let _ = writeln!(out, "      {}{typo}", in_context(answer, e.start, e.end));
            }
        }
    }
    if !evaluation.missing.is_empty() {
        let _ = writeln!(out, "Missing:");
        for m in &evaluation.missing {
            let _ = writeln!(out, "  - {} (weight {}): {}", m.label, m.weight, m.hint);
        }
    }
    if !evaluation.dismissed.is_empty() {
        let _ = writeln!(out, "Dismissed (named only to be rejected):");
        for d in &evaluation.dismissed {
            let _ = writeln!(out, "  ~ {} (weight {})", d.label, d.weight);
            for e in &d.evidence {
                let _ = writeln!(out, "      {}", in_context(answer, e.start, e.end));
            }
        }
    }
    if !evaluation.red_flags.is_empty() {
        let _ = writeln!(out, "Red flags:");
        for f in &evaluation.red_flags {
            let _ = writeln!(out, "  ! {} [{}]: {}", f.label, f.severity.as_str(), f.why);
            for e in &f.evidence {
                let _ = writeln!(out, "      {}", in_context(answer, e.start, e.end));
            }
        }
    }
    let s = &evaluation.signals;
    let mut signals = Vec::new();
    if let Some(t) = &s.too_short {
        signals.push(format!("too short ({} words, {} expected)", t.words, t.minimum));
    }
    if s.keyword_stuffing.is_some() {
        signals.push("keyword stuffing: terms listed without sentences connecting them".to_owned());
    }
    if s.vague.is_some() {
        signals.push("vague: few specific tools or techniques named".to_owned());
    }
    if s.dismissive_terms.is_some() {
        signals.push("dismissive: rubric terms named only to be rejected".to_owned());
    }
    if let Some(o) = &s.off_topic {
        signals.push(match &o.closest_question {
            Some(q) => format!("off topic: reads as an answer to `{q}`"),
            None => "off topic: says almost nothing the reference answers say".to_owned(),
        });
    }
    for m in &s.misspellings {
        signals.push(format!("misspelled \"{}\" read as \"{}\"", m.written, m.read_as));
    }
    for c in &s.contradictions {
        let how = match c.kind {
            ContradictionKind::SwappedRoles => "swaps the roles",
            ContradictionKind::OtherValue => "gives another value",
            ContradictionKind::OppositeClaim => "says the opposite",
        };
        signals.push(format!(
            "contradiction: {} {how} of the reference: \"{}\"",
            in_context(answer, c.start, c.end),
            c.reference
        ));
    }
    if !signals.is_empty() {
        let _ = writeln!(out, "Signals:");
        for line in signals {
            let _ = writeln!(out, "  * {line}");
        }
    }
    let parts: Vec<String> = evaluation.breakdown.iter().map(describe).collect();
    let _ = writeln!(out, "\nBreakdown: {}", parts.join(", "));
    let _ = writeln!(out, "Scoring version {}", evaluation.scoring_version);
    out
}

fn describe(detail: &ScoreDetail) -> String {
    let name = match detail {
        ScoreDetail::Coverage { .. } => "coverage".to_owned(),
        ScoreDetail::Similarity { .. } => "similarity".to_owned(),
        ScoreDetail::Elaboration { .. } => "elaboration".to_owned(),
        ScoreDetail::Dismissal { .. } => "dismissal".to_owned(),
        ScoreDetail::Contradiction { .. } => "contradiction".to_owned(),
        ScoreDetail::RedFlag { id, .. } => format!("red flag {id}"),
        ScoreDetail::Cap { signal, cap, .. } => format!("cap {signal} at {cap}"),
        ScoreDetail::Floor { .. } => "floor".to_owned(),
        ScoreDetail::Calibration { factor, .. } => format!("calibration x{factor}"),
    };
    format!("{name} {:+.1}", detail.points())
}

/// The evidence `answer[start..end]` in brackets with some text either side, on one line.
pub fn in_context(answer: &str, start: usize, end: usize) -> String {
    let start = floor_boundary(answer, start);
    let end = floor_boundary(answer, end.max(start));
    let before_start = floor_boundary(answer, start.saturating_sub(CONTEXT));
    let after_end = floor_boundary(answer, (end + CONTEXT).min(answer.len()));
    // One line: white space runs become one space, but none is added.
    let clean = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !(c == ' ' && out.ends_with(' ')) {
                out.push(c);
            }
        }
        out
    };
    let lead = if before_start > 0 { "…" } else { "" };
    let tail = if after_end < answer.len() { "…" } else { "" };
    format!(
        "{lead}{}[{}]{}{tail}",
        clean(&answer[before_start..start]),
        clean(&answer[start..end]),
        clean(&answer[end..after_end])
    )
}

/// The largest char boundary at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
