//! Scoring against a caller's own question and reference answers.

use assay::rubric::{ConceptSpec, RubricSpec};
use assay::score::{AdHocQuestion, ContradictionKind, Evaluation, Rating, ScoreDetail};

use crate::util::evaluator;

fn rubric(question: &str, references: &[&str]) -> AdHocQuestion {
    let spec = RubricSpec {
        question: Some(question.to_owned()),
        reference_answers: references.iter().map(|r| (*r).to_owned()).collect(),
        ..RubricSpec::default()
    };
    evaluator().prepare(&spec).expect("a valid rubric")
}

fn score(question: &AdHocQuestion, answer: &str) -> Evaluation {
    evaluator()
        .evaluate_ad_hoc(question, answer, Default::default())
        .expect("evaluated")
}

/// A contradiction caps the score at 40; a derived rubric's calibration
/// (× 1.4) stretches that to 56, still short of a pass (60).
const CALIBRATED_CONTRADICTION_CAP: f64 = 56.0;

const BST: &str = "In the worst case, how many comparisons does a search in a binary search tree make?";

#[test]
fn a_short_reference_credits_a_short_right_answer_and_not_its_contradiction() {
    let question = rubric(BST, &["As many as the height of the tree."]);
    let right = score(&question, "One per level, so the height of the tree.");
    let contradicted = score(&question, "It does not depend on the height of the tree at all.");
    assert!(right.score >= 60.0, "{right:#?}");
    assert!(
        right.signals.too_short.is_none(),
        "a short reference makes short answers enough"
    );
    assert!(contradicted.score < 20.0, "{contradicted:#?}");
    // Denied, the concept is not shown; a denial is a claim, not a dismissal.
    assert!(
        contradicted.covered.iter().all(|c| !c.label.contains("height")),
        "{contradicted:#?}"
    );
    assert!(contradicted.dismissed.is_empty(), "{contradicted:#?}");
}

#[test]
fn synonyms_from_the_shipped_list_get_credit() {
    let question = rubric(
        "What does pop do on a stack?",
        &["It removes the element on top of the stack and returns it."],
    );
    let same_words = score(&question, "It removes the element on top and returns it.");
    let synonyms = score(&question, "It deletes the item at the top and gives it back.");
    let unrelated = score(&question, "It sorts the stack in place by priority order.");
    assert!(
        synonyms.score >= 0.8 * same_words.score,
        "{} vs {}",
        synonyms.score,
        same_words.score
    );
    assert!(
        synonyms.score > unrelated.score + 30.0,
        "{} vs {}",
        synonyms.score,
        unrelated.score
    );
}

#[test]
fn a_word_close_in_meaning_that_no_synonym_pairs_gets_part_of_the_credit() {
    let question = rubric(
        "How does the toll gate bill its traffic?",
        &["It charges every vehicle once when it passes the barrier."],
    );
    let same_word = score(
        &question,
        "It charges every vehicle once when it passes the barrier.",
    );
    let close_word = score(&question, "It charges every car once when it passes the barrier.");
    let other_word = score(
        &question,
        "It charges every month once when it passes the barrier.",
    );
    let (same, close, other) = (
        similarity(&same_word),
        similarity(&close_word),
        similarity(&other_word),
    );
    assert!(close > other && close < same, "{same:?} {close:?} {other:?}");
}

#[test]
fn repeating_the_question_shows_nothing() {
    let question = rubric(
        "What is a deadlock between two threads?",
        &["Each thread holds a lock the other needs and waits for it, so neither can ever proceed."],
    );
    let repeat = score(
        &question,
        "A deadlock between two threads is when the two threads are in a deadlock with each other.",
    );
    let right = score(
        &question,
        "Both hold one lock and wait forever for the lock the other holds.",
    );
    assert!(repeat.score < 30.0, "{repeat:#?}");
    assert!(
        right.score > repeat.score + 30.0,
        "{} vs {}",
        right.score,
        repeat.score
    );
}

#[test]
fn the_same_rubric_and_answer_give_the_same_evaluation() {
    let references = ["A mutex lets one thread at a time into the critical section."];
    let answer = "Only one thread can hold it, so the critical section never runs twice at once.";
    let first = score(&rubric("What is a mutex for?", &references), answer);
    let second = score(&rubric("What is a mutex for?", &references), answer);
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap()
    );
    let report = first
        .rubric
        .as_ref()
        .expect("an ad-hoc evaluation reports its rubric");
    assert!(report.derived);
    let sum: f64 = first.breakdown.iter().map(|d| d.points()).sum();
    assert!((sum - first.score).abs() < 1e-9);
}

#[test]
fn confidence_is_lower_for_derived_concepts_and_short_references() {
    let long = "A hash table maps each key through a hash function to a bucket in an array. Lookups, \
        inserts and deletes take constant time on average because only one bucket is examined; \
        collisions are handled by chaining entries in a list per bucket or by open addressing, \
        and the table is resized and rehashed when the load factor grows past a threshold.";
    let short = "It maps keys to buckets with a hash function.";
    let q = "How does a hash table work?";
    let derived_long = rubric(q, &[long]).confidence();
    let derived_short = rubric(q, &[short]).confidence();
    let given = evaluator()
        .prepare(&RubricSpec {
            question: Some(q.to_owned()),
            reference_answers: vec![long.to_owned()],
            concepts: Some(vec![ConceptSpec {
                label: Some("hash function".into()),
                ..ConceptSpec::default()
            }]),
            ..RubricSpec::default()
        })
        .unwrap()
        .confidence();
    assert!(derived_short < derived_long, "{derived_short} < {derived_long}");
    assert!(derived_long < given, "{derived_long} < {given}");
    assert!((0.0..=1.0).contains(&derived_short) && given <= 0.95);
}

#[test]
fn an_answer_about_something_else_is_off_topic() {
    let question = rubric(
        "What does DNS do?",
        &["It resolves human-readable domain names to the IP addresses of servers."],
    );
    let other = score(
        &question,
        "A circuit breaker stops calling a failing dependency after repeated errors and fails fast until a trial request succeeds.",
    );
    let off = other.signals.off_topic.as_ref().expect("off topic");
    assert_eq!(off.closest_question.as_deref(), Some("circuit-breakers"));
    assert!(other.score <= 10.0);
}

#[test]
fn a_reference_that_denies_something_agrees_with_an_answer_that_denies_it() {
    let question = rubric(
        "What makes an HTTP method safe?",
        &["A safe method does not change server state; GET and HEAD are safe."],
    );
    let report = question.report();
    let state = report
        .concepts
        .iter()
        .find(|c| c.label.contains("server"))
        .expect("a concept about the server's state");
    assert!(state.pitfall, "{report:?}");
    let agreeing = score(
        &question,
        "It must not modify state on the server, like GET or HEAD.",
    );
    assert!(agreeing.dismissed.is_empty(), "{agreeing:#?}");
    assert!(agreeing.score >= 50.0, "{agreeing:#?}");
    // Sent back as given concepts, the flag keeps its meaning.
    let spec = RubricSpec {
        question: Some("What makes an HTTP method safe?".into()),
        reference_answers: vec!["A safe method does not change server state.".into()],
        concepts: Some(vec![ConceptSpec {
            label: Some("changes server state".into()),
            aliases: vec!["change server state".into(), "modify state".into()],
            pitfall: true,
            ..ConceptSpec::default()
        }]),
        ..RubricSpec::default()
    };
    let given = evaluator().prepare(&spec).unwrap();
    let denied = score(&given, "A safe method must never modify state on the server.");
    assert_eq!(denied.covered.len(), 1, "{denied:#?}");
}

#[test]
fn a_reference_that_warns_against_something_agrees_with_an_answer_that_denies_it() {
    let question = rubric(
        "Why pass a large structure to a function by reference?",
        &["Passing by reference avoids copying the whole structure on every call."],
    );
    let denying = score(
        &question,
        "Because then the function does not copy the whole structure each time it is called.",
    );
    let ignoring = score(
        &question,
        "Because then the function can use it each time it is called.",
    );
    // The reference warns against copying; saying it does not happen is
    // no contradiction, and says what the reference says.
    assert!(denying.signals.contradictions.is_empty(), "{denying:#?}");
    assert!(
        similarity(&denying) > similarity(&ignoring),
        "{:?} vs {:?}",
        similarity(&denying),
        similarity(&ignoring)
    );
}

#[test]
fn a_denied_fact_is_not_a_dismissal_but_a_dismissed_idea_is() {
    let question = rubric(
        "Explain the difference between pass by value and pass by reference.",
        &[
            "With pass by value the function receives a copy, so assigning to the parameter leaves the \
           caller's variable alone. With pass by reference the function can modify the caller's \
           variable through the parameter.",
        ],
    );
    let modify = |e: &Evaluation| {
        e.covered
            .iter()
            .map(|c| &c.label)
            .chain(e.dismissed.iter().map(|c| &c.label))
            .any(|l| l.contains("modify"))
    };
    // A student stating what pass by value cannot do makes a claim, which
    // the contradiction check weighs; it dismisses nothing.
    let denied = score(
        &question,
        "In pass by value the function gets a copy and cannot modify the caller's variable.",
    );
    assert!(denied.dismissed.is_empty(), "{denied:#?}");
    assert!(denied.signals.dismissive_terms.is_none(), "{denied:#?}");
    assert!(
        !denied
            .breakdown
            .iter()
            .any(|d| matches!(d, ScoreDetail::Dismissal { .. })),
        "{denied:#?}"
    );
    // Naming the idea only to wave it away is still a dismissal.
    let dismissed = score(
        &question,
        "You never need to modify the caller's variable, so none of this matters in practice.",
    );
    assert!(modify(&dismissed), "{dismissed:#?}");
    assert!(
        dismissed.dismissed.iter().any(|c| c.label.contains("modify")),
        "{dismissed:#?}"
    );
}

const COMPARISON: &str = "What is the difference between a mutex and a semaphore?";
const COMPARISON_REFERENCE: &str = "A mutex is a lock with an owner: only the thread that \
    locked it may unlock it, and it admits one thread at a time. A semaphore keeps a counter of \
    permits, so it can admit several threads at once, and any thread may signal it.";

#[test]
fn an_answer_that_swaps_the_compared_things_is_a_contradiction() {
    let question = rubric(COMPARISON, &[COMPARISON_REFERENCE]);
    let right = "A mutex has an owner, only the thread that locked it can unlock it, and it admits one \
        thread at a time. A semaphore keeps a counter of permits and admits several threads at once.";
    let swapped = "A semaphore has an owner, only the thread that locked it can unlock it, and it admits \
        one thread at a time. A mutex keeps a counter of permits and admits several threads at once.";
    let right = score(&question, right);
    let evaluation = score(&question, swapped);
    assert!(right.signals.contradictions.is_empty(), "{:#?}", right.signals);
    assert!(right.score >= 60.0, "{right:#?}");
    let found = &evaluation.signals.contradictions;
    assert!(!found.is_empty(), "{evaluation:#?}");
    for claim in found {
        assert_eq!(claim.kind, ContradictionKind::SwappedRoles);
        assert_eq!(&swapped[claim.start..claim.end], claim.text);
        assert!(
            COMPARISON_REFERENCE.contains(&claim.reference),
            "{}",
            claim.reference
        );
    }
    assert!(
        evaluation.score <= CALIBRATED_CONTRADICTION_CAP,
        "{evaluation:#?}"
    );
    assert!(evaluation
        .breakdown
        .iter()
        .any(|d| matches!(d, ScoreDetail::Contradiction { claims, .. } if *claims == found.len())));
}

#[test]
fn another_complexity_or_an_opposite_word_is_a_contradiction() {
    let search = rubric(
        "What is the worst-case time of a lookup in a hash table with chaining?",
        &["O(n), when every key lands in the same bucket and the chain must be walked to its end."],
    );
    let wrong = score(
        &search,
        "O(1), because hashing jumps straight to the bucket and the chain is never walked.",
    );
    assert_eq!(
        wrong.signals.contradictions[0].kind,
        ContradictionKind::OtherValue
    );
    assert_eq!(wrong.signals.contradictions[0].text, "O(1)");
    let right = score(
        &search,
        "Linear time: if every key lands in the same bucket, the whole chain is walked.",
    );
    assert!(right.signals.contradictions.is_empty(), "{:#?}", right.signals);
    assert!(
        right.score > wrong.score + 30.0,
        "{} vs {}",
        right.score,
        wrong.score
    );

    let aging = rubric(
        "How does aging prevent starvation in a priority scheduler?",
        &["Aging slowly raises the priority of a process the longer it waits in the ready queue."],
    );
    let opposite = score(
        &aging,
        "Aging lowers the priority of a process the longer it waits in the ready queue.",
    );
    assert_eq!(opposite.signals.contradictions.len(), 1, "{opposite:#?}");
    assert_eq!(
        opposite.signals.contradictions[0].kind,
        ContradictionKind::OppositeClaim
    );
    assert!(opposite.score <= CALIBRATED_CONTRADICTION_CAP, "{opposite:#?}");
}

#[test]
fn bank_questions_are_not_read_for_contradictions() {
    let evaluation = evaluator()
        .evaluate(
            "caching",
            "Cache-aside with a TTL; writes go to the database and then invalidate the key, never the reverse.",
        )
        .expect("evaluated");
    assert!(evaluation.signals.contradictions.is_empty());
    assert!(!evaluation
        .breakdown
        .iter()
        .any(|d| matches!(d, ScoreDetail::Contradiction { .. })));
}

/// The similarity the breakdown reports.
fn similarity(evaluation: &Evaluation) -> Option<f64> {
    evaluation.breakdown.iter().find_map(|d| match d {
        ScoreDetail::Similarity { similarity, .. } => Some(*similarity),
        _ => None,
    })
}

/// The score before a derived rubric's calibration: every other rule's points.
fn uncalibrated(evaluation: &Evaluation) -> f64 {
    evaluation
        .breakdown
        .iter()
        .filter(|d| !matches!(d, ScoreDetail::Calibration { .. }))
        .map(ScoreDetail::points)
        .sum()
}

/// The calibration factor, if the rule applied.
fn calibration(evaluation: &Evaluation) -> Option<f64> {
    evaluation.breakdown.iter().find_map(|d| match d {
        ScoreDetail::Calibration { factor, .. } => Some(*factor),
        _ => None,
    })
}

/// The elaboration rule's points and distinct words, if it applied.
fn elaboration(evaluation: &Evaluation) -> Option<(f64, usize)> {
    evaluation.breakdown.iter().find_map(|d| match d {
        ScoreDetail::Elaboration { points, words, .. } => Some((*points, *words)),
        _ => None,
    })
}

#[test]
fn a_derived_rubric_rewards_an_answer_that_develops_its_points() {
    let question = rubric(
        "What happens during a context switch?",
        &["The kernel saves the current process's CPU state and restores another process's saved state."],
    );
    let terse = score(
        &question,
        "The kernel saves one process's CPU state and restores another's.",
    );
    let developed = score(
        &question,
        "The kernel saves the running process's CPU state: its registers, program counter and \
         stack pointer go into its control block. It then picks the next ready process, restores \
         that process's saved registers, switches the page tables, and returns to user mode, so \
         the second program resumes exactly where it stopped.",
    );
    let (terse_points, terse_words) = elaboration(&terse).expect("derived rubrics elaborate");
    let (developed_points, developed_words) = elaboration(&developed).expect("derived rubrics elaborate");
    assert!(terse_words < developed_words, "{terse_words} < {developed_words}");
    assert!(
        terse_points < developed_points,
        "{terse_points} < {developed_points}"
    );
    // Both are right, so both may reach 100 once calibrated; before it, the
    // developed answer is ahead.
    assert!(
        uncalibrated(&developed) > uncalibrated(&terse) && developed.score >= terse.score,
        "{developed:#?} {terse:#?}"
    );
    // About scheduling, not the switch: few of the reference's words, so
    // fewer points than its length alone would earn.
    let nearby = score(
        &question,
        "Round robin gives each waiting job a fixed time slice in turn, and a timer interrupt \
         ends every slice so that no single job can hog the machine for long.",
    );
    let nearby_similarity = similarity(&nearby);
    assert!(
        nearby_similarity.is_some_and(|s| s < 0.2),
        "{nearby_similarity:?}"
    );
    let (nearby_points, nearby_words) = elaboration(&nearby).expect("derived rubrics elaborate");
    assert!(
        nearby_points < developed_points && nearby_words >= 15,
        "{nearby_points} for {nearby_words} words"
    );
    for evaluation in [&terse, &developed, &nearby] {
        let sum: f64 = evaluation.breakdown.iter().map(ScoreDetail::points).sum();
        assert!((sum - evaluation.score).abs() < 0.05, "{evaluation:#?}");
        // Full points need the saturation's words and a similarity of 0.2.
        let similarity = similarity(evaluation);
        let expected = evaluation.breakdown.iter().find_map(|d| match d {
            ScoreDetail::Elaboration {
                words,
                saturation,
                max_points,
                ..
            } => similarity
                .map(|s| max_points * (*words as f64 / *saturation as f64).min(1.0) * (s / 0.2).min(1.0)),
            _ => None,
        });
        let (points, _) = elaboration(evaluation).expect("derived rubrics elaborate");
        assert!(
            expected.is_some_and(|e| (e - points).abs() <= 0.1),
            "{expected:?} vs {points}"
        );
    }

    // Words that say nothing concrete, or the opposite, develop nothing.
    let vague = score(
        &question,
        "Basically the system just handles it in a good way, which is really important for \
         things to keep working well and be efficient overall, and it is a key part of how \
         everything fits together nicely in the end for everyone involved.",
    );
    assert!(vague.signals.vague.is_some(), "{vague:#?}");
    assert_eq!(elaboration(&vague).map(|(points, _)| points), Some(0.0));
    let comparison = rubric(COMPARISON, &[COMPARISON_REFERENCE]);
    let contradicted = score(
        &comparison,
        "A semaphore has an owner, only the thread that locked it can unlock it, and it admits \
         one thread at a time. A mutex keeps a counter of permits and admits several threads at once.",
    );
    assert!(
        !contradicted.signals.contradictions.is_empty(),
        "{contradicted:#?}"
    );
    assert_eq!(elaboration(&contradicted).map(|(points, _)| points), Some(0.0));
}

#[test]
fn given_concepts_score_elaboration_and_a_milder_calibration_and_bank_questions_neither() {
    let spec = RubricSpec {
        question: Some("What happens during a context switch?".into()),
        reference_answers: vec![
            "The kernel saves the CPU state of one process and restores another's.".into(),
        ],
        concepts: Some(vec![ConceptSpec {
            label: Some("save the CPU state".into()),
            aliases: vec!["save the registers".into()],
            ..ConceptSpec::default()
        }]),
        ..RubricSpec::default()
    };
    let given = evaluator().prepare(&spec).expect("a valid rubric");
    let terse = score(&given, "It saves the registers.");
    let developed = score(
        &given,
        "The kernel saves the registers and program counter of the running process, \
         then loads the saved registers of the next one and resumes it.",
    );
    let (terse_points, _) = elaboration(&terse).expect("given rubrics score elaboration");
    let (developed_points, words) = elaboration(&developed).expect("given rubrics score elaboration");
    assert!(developed_points > terse_points, "{terse:#?}\n{developed:#?}");
    assert!(words >= 8, "{developed:#?}");
    // Given concepts are calibrated by 1.2, less than derived ones.
    assert_eq!(calibration(&terse), Some(1.2));
    let expected = (uncalibrated(&terse) * 1.2).min(100.0);
    assert!((terse.score - expected).abs() <= 0.1, "{terse:#?}");
    let bank = evaluator()
        .evaluate("explain-plans", "The kernel saves the registers.")
        .expect("evaluated");
    assert_eq!((elaboration(&bank), calibration(&bank)), (None, None));
}

#[test]
fn a_derived_rubric_stretches_its_score_and_keeps_caps_short_of_a_pass() {
    let question = rubric(
        "What is the purpose of the translation lookaside buffer?",
        &[
            "The TLB caches recent virtual-to-physical page translations so that most memory \
           accesses skip the page-table walk.",
        ],
    );
    let partial = score(
        &question,
        "It is a cache in the CPU that holds page translations.",
    );
    let before = uncalibrated(&partial);
    assert!(before > 10.0 && before < 60.0, "{partial:#?}");
    assert_eq!(calibration(&partial), Some(1.4));
    // The score is the uncalibrated one × 1.4, to a tenth, and the
    // breakdown still adds up to it.
    assert!(
        (partial.score - (before * 1.4).min(100.0)).abs() <= 0.1,
        "{partial:#?}"
    );
    let sum: f64 = partial.breakdown.iter().map(ScoreDetail::points).sum();
    assert!((sum - partial.score).abs() < 0.05, "{partial:#?}");

    // A contradiction's cap stretches with the rest but stays a `no`.
    let wrong = score(
        &question,
        "The TLB never caches page translations, so every memory access must walk the page \
         table first.",
    );
    assert!(!wrong.signals.contradictions.is_empty(), "{wrong:#?}");
    assert!(wrong.score <= CALIBRATED_CONTRADICTION_CAP, "{wrong:#?}");
    assert!(
        matches!(wrong.rating, Rating::No | Rating::DefinitelyNot),
        "{wrong:#?}"
    );

    // An off-topic answer stays `definitely_not`.
    let elsewhere = score(
        &question,
        "Normalisation splits a relational schema into tables so that every fact is stored \
         once, which removes update anomalies and duplicated rows across the database.",
    );
    assert!(elsewhere.signals.off_topic.is_some(), "{elsewhere:#?}");
    assert_eq!(elsewhere.rating, Rating::DefinitelyNot, "{elsewhere:#?}");
}
