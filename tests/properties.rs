//! Properties over arbitrary input.

use proptest::prelude::*;

use assay::text::Analyzer;

use crate::util::evaluator;

/// Text drawn from words the rubric knows, function words, punctuation and
/// arbitrary Unicode, so properties exercise matching and not only noise.
fn answer_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "EXPLAIN ANALYZE", "index", "composite", "never", "don't", "cache", "Redis", "not",
            "overkill", "replica", "seq scan", "N+1", "SELECT *", "circut", "breaker", "without",
        ]).prop_map(str::to_owned),
        3 => prop::sample::select(vec!["the", "and", "we", "is", "a", "to", "because", "but"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec![",", ".", ";", ":", "!", "?", "\n", "-", "(", ")", "…", "—"]).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn analyzer_spans_are_valid_and_ordered(text in any::<String>()) {
        let analyzed = Analyzer::english().analyze(&text);
        let mut previous_end = 0;
        for t in analyzed.tokens() {
            prop_assert!(t.span.start < t.span.end && t.span.end <= text.len());
            prop_assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
            prop_assert!(t.span.start >= previous_end);
            previous_end = t.span.end;
        }
        for s in analyzed.scopes() {
            prop_assert!(s.governed.0 <= s.governed.1 && s.governed.1 < analyzed.tokens().len());
        }
    }

    #[test]
    fn analyzer_spans_are_valid_on_rubric_like_text(text in answer_text()) {
        let analyzed = Analyzer::english().analyze(&text);
        for t in analyzed.tokens() {
            prop_assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        }
    }

    #[test]
    fn scores_are_in_range_and_the_breakdown_sums_to_them(text in answer_text()) {
        let e = evaluator().evaluate("explain-plans", &text).unwrap();
        prop_assert!((0.0..=100.0).contains(&e.score));
        let sum: f64 = e.breakdown.iter().map(|d| d.points()).sum();
        prop_assert!((sum - e.score).abs() < 1e-6, "breakdown {} vs score {}", sum, e.score);
        for ev in e.covered.iter().flat_map(|c| &c.evidence) {
            prop_assert_eq!(&text[ev.start..ev.end], ev.text.as_str());
        }
    }

    #[test]
    fn evaluation_is_deterministic(text in answer_text()) {
        let a = serde_json::to_string(&evaluator().evaluate("circuit-breakers", &text).unwrap()).unwrap();
        let b = serde_json::to_string(&evaluator().evaluate("circuit-breakers", &text).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }
}
