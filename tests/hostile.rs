//! Hostile and unusual input: nothing panics, spans stay valid.

use assay::score::MAX_ANSWER_BYTES;
use assay::Error;

use crate::util::evaluator;

fn spans_are_valid(answer: &str, e: &assay::Evaluation) {
    let evidence = e
        .covered
        .iter()
        .flat_map(|c| &c.evidence)
        .chain(e.dismissed.iter().flat_map(|d| &d.evidence))
        .chain(e.red_flags.iter().flat_map(|f| &f.evidence));
    for ev in evidence {
        assert!(ev.start <= ev.end && ev.end <= answer.len());
        assert!(answer.is_char_boundary(ev.start) && answer.is_char_boundary(ev.end));
        assert_eq!(&answer[ev.start..ev.end], ev.text);
    }
}

#[test]
fn unusual_answers_evaluate_without_panicking() {
    let inputs = [
        String::new(),
        " \n\t ".to_owned(),
        "🔥🚀 caching with Redis 🚀 and a TTL 🔥 ✅".to_owned(),
        "שמירת מטמון עם Redis ו-TTL, ואז invalidation".to_owned(),
        "مرحبا \u{202E}cache\u{202C} redis".to_owned(),
        "\u{0}\u{1}\u{7f} cache\u{0}aside \u{200B}redis\u{FEFF}".to_owned(),
        "e\u{301}viction (combining accent) and ＴＴＬ (full width)".to_owned(),
        "a".repeat(10_000),
        "Redis. ".repeat(5_000),
        "*".repeat(1_000),
        "n+1+1+1+1 c++++ ### *** SELECT * * *".to_owned(),
    ];
    for answer in &inputs {
        let e = evaluator().evaluate("caching", answer).expect("evaluates");
        assert!((0.0..=100.0).contains(&e.score));
        spans_are_valid(answer, &e);
    }
}

#[test]
fn a_megabyte_answer_is_evaluated_and_a_larger_one_refused() {
    let sentence = "We cache hot reads in Redis with a TTL and invalidate on write. ";
    let big: String = sentence.repeat(MAX_ANSWER_BYTES / sentence.len());
    assert!(big.len() <= MAX_ANSWER_BYTES);
    let e = evaluator().evaluate("caching", &big).expect("evaluates");
    spans_are_valid(&big, &e);
    let too_big = "x".repeat(MAX_ANSWER_BYTES + 1);
    assert!(matches!(
        evaluator().evaluate("caching", &too_big),
        Err(Error::AnswerTooLong { .. })
    ));
}

#[test]
fn unusual_question_ids_are_refused_cleanly() {
    for id in [
        "",
        " ",
        "../etc/passwd",
        "EXPLAIN-PLANS",
        "🔥",
        &"x".repeat(10_000),
    ] {
        assert!(
            matches!(
                evaluator().evaluate(id, "an answer"),
                Err(Error::UnknownQuestion { .. })
            ),
            "{id}"
        );
    }
}

#[test]
fn unusual_wordings_are_looked_up_without_panicking() {
    for wording in ["", "?", "🔥🔥", "the the the", &"cache ".repeat(5_000), "\u{0}"] {
        let lookup = evaluator().lookup(wording);
        assert!(lookup.candidates.len() <= 3);
    }
}
