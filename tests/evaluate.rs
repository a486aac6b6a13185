//! The evaluator's behaviour on each kind of answer, through the library API.

use assay::{Error, EvaluateOptions, Rating, RatingThresholds};

use crate::util::evaluator;

const STRONG_EXPLAIN: &str = "I start from data, not guesses: pg_stat_statements and the slow query log \
    tell me which statements cost the most total time. For each one I run EXPLAIN ANALYZE and read \
    the plan, looking for sequential scans on big tables and estimates far from the actual rows. The \
    usual fix is a composite index matching the WHERE clause and sort order, or a covering index for \
    an index-only scan. I rewrite queries that SELECT * or cause N+1 round trips from the ORM, cache \
    hot reads in Redis, move reporting to a read replica and put PgBouncer in front for pooling. \
    Then I compare p95 latency before and after and keep monitoring as the tables grow.";

fn covered(id: &str, answer: &str) -> Vec<String> {
    let e = evaluator().evaluate(id, answer).expect("evaluates");
    e.covered.into_iter().map(|c| c.id).collect()
}

/// The ids of the red flags `answer` raises on bank question `id`.
fn flag_ids(id: &str, answer: &str) -> Vec<String> {
    let e = evaluator().evaluate(id, answer).expect("evaluates");
    e.red_flags.into_iter().map(|f| f.id).collect()
}

#[test]
fn a_strong_answer_covers_the_key_concepts_with_exact_evidence() {
    let e = evaluator().evaluate("explain-plans", STRONG_EXPLAIN).unwrap();
    assert!(e.score >= 80.0, "score {}", e.score);
    assert_eq!(e.rating, Rating::StrongYes);
    for id in [
        "find-slow-queries",
        "read-the-plan",
        "add-indexes",
        "cache-hot-reads",
    ] {
        assert!(e.covered.iter().any(|c| c.id == id), "{id} not covered");
    }
    for c in &e.covered {
        for ev in &c.evidence {
            assert_eq!(&STRONG_EXPLAIN[ev.start..ev.end], ev.text);
        }
    }
    assert!(e.red_flags.is_empty());
}

#[test]
fn missing_concepts_come_with_hints() {
    let e = evaluator()
        .evaluate(
            "explain-plans",
            "I would add an index on the columns used in the WHERE clause of the slow query.",
        )
        .unwrap();
    assert!(!e.missing.is_empty());
    assert!(e.missing.iter().all(|m| !m.hint.is_empty()));
    assert!(e.missing.iter().any(|m| m.id == "read-the-plan"));
}

#[test]
fn terms_named_only_to_dismiss_them_are_not_covered() {
    let answer = "Honestly I never bother with EXPLAIN plans or query plans, and indexes are overkill for \
                  most tables. When the database is slow I just give it more memory and move on with features.";
    let e = evaluator().evaluate("explain-plans", answer).unwrap();
    assert!(
        e.dismissed.iter().any(|d| d.id == "read-the-plan"),
        "{:?}",
        e.dismissed
    );
    assert!(!e.covered.iter().any(|c| c.id == "read-the-plan"));
    assert!(e.signals.dismissive_terms.is_some());
    assert!(e.rating <= Rating::No, "rated {:?} at {}", e.rating, e.score);
}

#[test]
fn an_advocated_bad_practice_raises_a_red_flag_with_evidence() {
    let answer =
        "To move fast we hardcode the API key in the config class and commit the credentials to git, \
                  then rotate them later if someone complains about it.";
    let e = evaluator().evaluate("cloud-secrets-config", answer).unwrap();
    let flag = e
        .red_flags
        .iter()
        .find(|f| f.id == "hardcoded-secrets")
        .expect("flag raised");
    assert!(flag.common);
    assert!(!flag.evidence.is_empty());
    assert!(!flag.why.is_empty());
}

#[test]
fn rejecting_a_bad_practice_does_not_raise_it() {
    for answer in [
        "We never hardcode the API key or commit credentials to git; everything comes from Vault at startup.",
        "Storing passwords in plain text is a terrible idea, so we hash them with Argon2 and a per-user salt.",
        "I'd never disable certificate verification, even between internal services.",
    ] {
        let e = evaluator().evaluate("security-practices", answer).unwrap();
        assert!(e.red_flags.is_empty(), "{answer}: {:?}", e.red_flags);
    }
}

#[test]
fn dismissing_a_good_practice_raises_the_flag_and_a_double_negative_does_not() {
    let flagged = evaluator()
        .evaluate(
            "disaster-recovery",
            "The data is replicated to three nodes, so we don't bother with backups at all.",
        )
        .unwrap();
    assert!(
        flagged.red_flags.iter().any(|f| f.id == "no-backups"),
        "{:?}",
        flagged.red_flags
    );
    let fine = evaluator()
        .evaluate(
            "disaster-recovery",
            "We never skip backups, and we restore one every month to prove it works.",
        )
        .unwrap();
    assert!(
        !fine.red_flags.iter().any(|f| f.id == "no-backups"),
        "{:?}",
        fine.red_flags
    );
}

#[test]
fn a_practice_too_costly_to_bother_with_is_dismissed() {
    let dismissed = flag_ids(
        "disaster-recovery",
        "The data is replicated to three nodes; backups were far too slow to bother with.",
    );
    assert!(dismissed.contains(&"no-backups".to_owned()), "{dismissed:?}");
    let kept = flag_ids(
        "disaster-recovery",
        "Nightly backups go to another region, and we restore one too, to prove it works.",
    );
    assert!(!kept.contains(&"no-backups".to_owned()), "{kept:?}");
}

#[test]
fn a_rejecting_verb_in_any_inflection_rejects_the_practice() {
    let flags = |answer| flag_ids("authentication-authorization", answer);
    for rejected in [
        "Every service checks the JWT's expiry, rejecting alg=none tokens outright.",
        "Every service checks the JWT's expiry and refuses alg=none tokens.",
    ] {
        assert!(flags(rejected).is_empty(), "{rejected}");
    }
    let accepted = "Every service checks the JWT's expiry and accepts alg=none tokens.";
    assert_eq!(flags(accepted), ["unsigned-tokens"]);
}

#[test]
fn an_opinion_that_a_practice_is_not_worth_it_dismisses_it() {
    let question = "idempotency-keys";
    let dismissed = "Idempotency keys mean an extra table and a lookup on every request, which I don't \
                     think is worth the complexity.";
    assert_eq!(flag_ids(question, dismissed), ["clients-should-not-retry"]);
    let valued = "Idempotency keys mean an extra table and a lookup on every request, which I think is \
                  worth the complexity.";
    assert_eq!(flag_ids(question, valued), Vec::<String>::new());
}

#[test]
fn a_practice_blamed_for_a_harm_is_not_advocated() {
    let flags = |answer| flag_ids("monolith-to-microservices", answer);
    let blamed =
        "A shared database couples every deployment and schema change, so each service gets its own store.";
    assert_eq!(flags(blamed), Vec::<String>::new());
    let advocated = "A shared database never causes problems for us, so every service keeps using it.";
    assert_eq!(flags(advocated), ["shared-database-forever"]);
}

#[test]
fn a_practice_named_as_the_classic_mistake_is_not_advocated() {
    for warning in [
        "The classic mistake is storing passwords in plain text; we hash them with argon2id.",
        "A common mistake is to store passwords in plain text; we hash them with argon2id.",
        "The worst thing you can do is store passwords in plain text; we hash them with argon2id.",
        "Mistakes I see a lot: storing passwords in plain text, and committing secrets to git.",
    ] {
        assert_eq!(
            flag_ids("security-practices", warning),
            Vec::<String>::new(),
            "{warning}"
        );
    }
    let advocated = "We store passwords in plain text, which keeps support simple.";
    assert!(flag_ids("security-practices", advocated).contains(&"weak-password-storage".to_owned()));
}

#[test]
fn a_practice_described_in_the_first_person_raises_its_flag() {
    let debugger = "When the logs run dry I attach a remote debugger to one of the live JVMs and set a \
                    breakpoint in the handler.";
    assert!(flag_ids("production-debugging", debugger).contains(&"debugger-on-prod".to_owned()));
    let modulo = "I'd keep it simple: hash the user ID and take it modulo the number of shards.";
    assert!(flag_ids("consistent-hashing-sharding", modulo).contains(&"hash-mod-n".to_owned()));
    // The same words said of someone else, or across two sentences, describe nothing.
    let others = "Some teams take the hash modulo the number of shards.";
    assert_eq!(
        flag_ids("consistent-hashing-sharding", others),
        Vec::<String>::new()
    );
}

#[test]
fn a_habit_left_behind_a_weighed_cause_or_a_listed_trap_is_not_advocated() {
    let left_behind = "We used to SSH onto the production box, edit the Python file in vim and restart the \
                       service, until a deploy wiped the fix; now every fix goes through review and the \
                       pipeline.";
    assert_eq!(
        flag_ids("production-debugging", left_behind),
        Vec::<String>::new()
    );
    let weighed = "Attaching a breakpoint debugger to a live process would freeze real requests, so I rely \
                   on logs, metrics and traces.";
    assert_eq!(flag_ids("production-debugging", weighed), Vec::<String>::new());
    let listed = "I'm wary of two opposite shortcuts. One is read uncommitted everywhere for speed. The \
                  other is flipping everything to serializable and ignoring serialization failures. I \
                  start from the default and raise it where an anomaly matters.";
    assert_eq!(flag_ids("isolation-levels", listed), Vec::<String>::new());
    let pushed_back = "I push back on read uncommitted everywhere for speed: dirty reads mean decisions \
                       based on data that may be rolled back.";
    assert_eq!(flag_ids("isolation-levels", pushed_back), Vec::<String>::new());
    // A habit kept is still one.
    let kept = "We still SSH onto the production box and edit the file in vim to fix it.";
    assert!(flag_ids("production-debugging", kept).contains(&"edit-code-on-server".to_owned()));
}

#[test]
fn a_practice_said_of_others_or_of_whoever_claims_it_is_not_advocated() {
    let others = "People sometimes range-shard on an auto-increment ID, and then every insert hammers \
                  the last shard.";
    assert_eq!(
        flag_ids("consistent-hashing-sharding", others),
        Vec::<String>::new()
    );
    let claimed = "I'd be wary of anyone who says their favourite has no downsides: Go is verbose.";
    assert_eq!(flag_ids("favourite-framework", claimed), Vec::<String>::new());
    let own = "We range-shard on the auto-increment ID, so new rows land on the newest shard.";
    assert!(flag_ids("consistent-hashing-sharding", own).contains(&"monotonic-shard-key".to_owned()));
}

#[test]
fn a_view_given_up_or_a_trap_told_with_its_circumstances_is_not_advocated() {
    let given_up = "Back in 2019 I'd have said Rails had no downsides at all; these days I know what its \
                    runtime costs.";
    assert_eq!(flag_ids("favourite-framework", given_up), Vec::<String>::new());
    // The view held now is still one.
    let held = "I'd say Rails has no downsides at all.";
    assert!(flag_ids("favourite-framework", held).contains(&"no-downsides".to_owned()));
    // "after a timeout" belongs to the practice the trap names, so the
    // missing key is warned against, not dismissed.
    let trap = "The trap is retrying a charge after a timeout with no idempotency key, which bills the \
                customer twice.";
    assert_eq!(flag_ids("circuit-breakers", trap), Vec::<String>::new());
    let e = evaluator().evaluate("circuit-breakers", trap).unwrap();
    assert!(
        !e.dismissed.iter().any(|d| d.id == "idempotent-calls"),
        "{:?}",
        e.dismissed
    );
}

#[test]
fn a_warning_against_two_lacks_or_a_contrast_is_not_advocacy() {
    let wary = "I'm wary of caches that have no expiry and no invalidation, because users end up seeing \
                stale prices.";
    assert_eq!(flag_ids("caching", wary), Vec::<String>::new());
    let e = evaluator().evaluate("caching", wary).unwrap();
    assert!(!e.dismissed.iter().any(|d| d.id == "ttl"), "{:?}", e.dismissed);
    // Phrase words match in any order, but not across "but": the two sides
    // of a contrast judge different things.
    let contrast = "A single shared connection pool is fine, but global mutable state leaks between tests, \
                    so we inject dependencies instead.";
    assert_eq!(
        flag_ids("backend-design-patterns", contrast),
        Vec::<String>::new()
    );
    let advocated = "Global mutable state is fine.";
    assert!(flag_ids("backend-design-patterns", advocated).contains(&"singletons-everywhere".to_owned()));
}

#[test]
fn a_story_turned_to_what_is_done_now_is_not_advocated() {
    let story = "Last spring our worker kept retrying failed calls with no limit and took the vendor \
                 down for an hour. Since then every retry is capped at three with backoff.";
    assert_eq!(flag_ids("circuit-breakers", story), Vec::<String>::new());
    // Without the turn, the story is still the speaker's practice; and a
    // practice told in the present stays one whatever follows.
    let untold = "Last spring our worker kept retrying failed calls with no limit and took the vendor \
                  down for an hour. It was fine.";
    assert!(flag_ids("circuit-breakers", untold).contains(&"infinite-retries".to_owned()));
    let present = "Our worker keeps retrying failed calls with no limit. Now we also log each attempt.";
    assert!(flag_ids("circuit-breakers", present).contains(&"infinite-retries".to_owned()));
    // The turn may come in a later clause of the story's own sentence: "so
    // now …", or the speaker replacing the practice.
    let turned = "Last spring our worker kept retrying failed calls with no limit, so now every retry is \
                  capped at three with backoff.";
    assert_eq!(flag_ids("circuit-breakers", turned), Vec::<String>::new());
    let replaced = "Last spring our worker kept retrying failed calls with no limit, which we eventually \
                    replaced with three capped attempts.";
    assert_eq!(flag_ids("circuit-breakers", replaced), Vec::<String>::new());
    let present =
        "Our worker keeps retrying failed calls with no limit, so now the vendor sees every attempt.";
    assert!(flag_ids("circuit-breakers", present).contains(&"infinite-retries".to_owned()));
    let pace = "Last spring our worker kept retrying failed calls with no limit, so we moved quickly.";
    assert!(flag_ids("circuit-breakers", pace).contains(&"infinite-retries".to_owned()));
    // A negated turn carries the story on; a turn to the practice is no
    // turn away from it.
    let carried = "Last spring our worker kept retrying failed calls with no limit; since then we haven't \
                   had time to cap it.";
    assert!(flag_ids("circuit-breakers", carried).contains(&"infinite-retries".to_owned()));
    let adopted = "Argon2 was too slow on our login path, so we switched to one round of SHA-256 for the \
                   passwords.";
    assert!(flag_ids("authentication-authorization", adopted).contains(&"weak-password-storage".to_owned()));
}

#[test]
fn a_practice_warned_against_denied_or_left_behind_is_not_advocated() {
    let none = Vec::<String>::new();
    // The practice as the subject of its harm, said in its own clause.
    let warned = "Creating indexes on all columns up front wastes memory and slows inserts, so we start \
                  with the primary key and the indexes our known queries need.";
    assert_eq!(flag_ids("explain-plans", warned), none);
    let weighed = "Running the migration straight on production without a dry run would mean discovering \
                   the weird rows during the outage, so we always rehearse on a production-sized copy.";
    assert_eq!(flag_ids("database-migration-integrity", weighed), none);
    let replaced = "Range sharding on an auto-increment id sends every new insert to the last shard, so we \
                    hash the customer id instead.";
    assert_eq!(flag_ids("consistent-hashing-sharding", replaced), none);
    let cause = "Skipping the snapshot before a migration is how teams lose data, so we always take one.";
    assert_eq!(flag_ids("database-migration-integrity", cause), none);
    let owned = "We create indexes on all columns up front; it wastes some memory but saves time.";
    assert!(flag_ids("explain-plans", owned).contains(&"index-every-column".to_owned()));
    // What a thing is denied to be is not dismissed; what the speaker
    // relies on instead is.
    let identity = "Replication does not count as a backup, since a bad delete replicates instantly, so we \
                    also keep point-in-time snapshots.";
    assert_eq!(flag_ids("disaster-recovery", identity), none);
    let instead = "We rely on the replica, not backups.";
    assert!(flag_ids("disaster-recovery", instead).contains(&"no-backups".to_owned()));
    // "never store them in plain text" declines plain text, not the hashed
    // passwords the sentence opened with.
    let hashed = "Passwords are hashed with Argon2id and a per-user salt; we never store them in plain text \
                  or with a fast hash like MD5.";
    assert_eq!(flag_ids("authentication-authorization", hashed), none);
    assert!(covered("authentication-authorization", hashed).contains(&"password-hashing".to_owned()));
    // "used" tells the story before the speaker replaced it.
    let replaced = "Our old system used unsalted SHA-1 for passwords, which we replaced by rehashing with \
                    bcrypt at each user's next login.";
    assert_eq!(flag_ids("security-practices", replaced), none);
    let current = "Our system uses unsalted SHA-1 for passwords, which is fast.";
    assert!(flag_ids("security-practices", current).contains(&"weak-password-storage".to_owned()));
}

#[test]
fn a_skipped_step_blamed_for_an_outage_is_not_advocated() {
    let question = "database-migration-integrity";
    let story = "Skipping the dry run on staging caused a two hour outage, so now every migration is \
                 rehearsed on a restored copy and backed up first.";
    assert_eq!(flag_ids(question, story), Vec::<String>::new());
    let credited = covered(question, story);
    assert!(credited.contains(&"dry-run-staging".to_owned()), "{credited:?}");
    let practice =
        "Skipping the dry run on staging saves a day, so we run migrations on production directly.";
    assert!(flag_ids(question, practice).contains(&"no-rehearsal".to_owned()));

    let lack = "No backups led to a week of data loss.";
    assert_eq!(flag_ids("disaster-recovery", lack), Vec::<String>::new());
    assert_eq!(
        flag_ids("disaster-recovery", "We have no backups."),
        ["no-backups"]
    );
}

#[test]
fn a_negated_item_in_the_middle_of_a_list_negates_only_itself() {
    let flags = |answer| flag_ids("api-backward-compatibility", answer);
    let list =
        "Header versioning, optional fields, no field removal, Sunset header, migration guide, changelog.";
    assert_eq!(flags(list), Vec::<String>::new());
    let dismissed = "We ship breaking changes with no deprecation period, no migration guide, no changelog.";
    assert_eq!(flags(dismissed), ["breaking-without-notice"]);
}

#[test]
fn a_practice_after_a_condition_is_flagged_with_or_without_the_comma() {
    let flags = |answer| flag_ids("idempotency-keys", answer);
    for practice in [
        "If a request times out, we tell clients not to retry.",
        "If a request times out we tell clients not to retry.",
    ] {
        assert_eq!(flags(practice), ["clients-should-not-retry"], "{practice}");
    }
    for hypothesis in [
        "If you tell clients not to retry, they lose requests.",
        "If you tell clients not to retry they lose requests.",
    ] {
        assert!(flags(hypothesis).is_empty(), "{hypothesis}");
    }
}

#[test]
fn a_list_item_with_its_own_negation_under_a_rejecting_header_is_not_dismissed() {
    let answer = "Some things I refuse to do: we never commit credentials to git, and I never turn off \
                  certificate verification, even for internal calls.";
    let e = evaluator().evaluate("security-practices", answer).unwrap();
    assert!(e.red_flags.is_empty(), "{:?}", e.red_flags);
}

#[test]
fn a_practice_put_second_but_stated_plainly_elsewhere_is_not_dismissed() {
    let dismissed = "We don't dig for the root cause in production; a pod restart clears it.";
    let ranked = "My first job is limiting the damage, not finding the root cause: I roll back the deploy. \
                  Once customers are fine, the post-mortem records the root cause and a follow-up ticket.";
    let flags = |answer| flag_ids("production-debugging", answer);
    assert!(flags(dismissed).contains(&"restart-and-forget".to_string()));
    assert!(!flags(ranked).contains(&"restart-and-forget".to_string()));
}

#[test]
fn a_pronoun_that_restates_a_dismissal_does_not_cancel_it() {
    let flags = |answer| flag_ids("idempotency-keys", answer);
    let raised = "clients-should-not-retry".to_string();
    for restated in [
        "Idempotency keys are overkill, so we skip them.",
        "Idempotency keys are not worth the complexity, so we skip them.",
    ] {
        assert!(flags(restated).contains(&raised), "{restated}");
    }
    // A cue that governs another cue still cancels it, for flags and
    // concepts alike.
    assert!(!flags("We never skip idempotency keys.").contains(&raised));
    let key = |answer| {
        let e = evaluator().evaluate("idempotency-keys", answer).unwrap();
        let shown = e.covered.iter().any(|c| c.id == "idempotency-key");
        let dismissed = e.dismissed.iter().any(|c| c.id == "idempotency-key");
        (shown, dismissed)
    };
    assert_eq!(
        key("We never skip idempotency keys on payment endpoints."),
        (true, false)
    );
    assert_eq!(
        key("Idempotency keys are overkill, so we skip them."),
        (false, true)
    );
}

#[test]
fn a_concept_negated_in_a_condition_is_weighed_not_dismissed() {
    let versioning = |answer| {
        let e = evaluator().evaluate("service-dependencies", answer).unwrap();
        e.dismissed.iter().any(|c| c.id == "contracts-versioning")
    };
    for condition in [
        "If we renamed a field in the user API without versioning it, every consumer would break at once.",
        "If we never versioned the user API, every consumer would break at once.",
    ] {
        assert!(!versioning(condition), "{condition}");
    }
    // Done rather than supposed, the same words dismiss it.
    assert!(versioning(
        "We rename a field in the user API without versioning it."
    ));
    assert!(versioning("We never version the user API."));
}

#[test]
fn misspelled_terms_still_count_and_are_reported() {
    let correct = covered(
        "circuit-breakers",
        "Wrap the vendor call in a circuit breaker with exponential backoff and jitter on retries.",
    );
    let typo = evaluator()
        .evaluate(
            "circuit-breakers",
            "Wrap the vendor call in a circut breaker with exponental backoff and jitter on retries.",
        )
        .unwrap();
    let typo_ids: Vec<String> = typo.covered.iter().map(|c| c.id.clone()).collect();
    assert_eq!(correct, typo_ids);
    let read_as: Vec<&str> = typo
        .signals
        .misspellings
        .iter()
        .map(|m| m.read_as.as_str())
        .collect();
    assert!(read_as.contains(&"circuit"), "{read_as:?}");
    assert!(typo
        .covered
        .iter()
        .flat_map(|c| &c.evidence)
        .any(|e| e.misspelled));
}

#[test]
fn a_short_or_real_word_misspelling_inside_an_alias_counts_and_keeps_the_score() {
    let correct =
        "Each service gets an IAM role that reads only its own secrets from Vault, and every upload \
                   gets a virus scan before anyone can download it.";
    let typo = "Each service gets an IAM roll that reads only its own secrets from Vault, and every upload \
                gets a virus scann before anyone can download it.";
    for id in ["cloud-secrets-config", "large-file-uploads"] {
        let right = evaluator().evaluate(id, correct).unwrap();
        let wrong = evaluator().evaluate(id, typo).unwrap();
        let ids = |e: &assay::Evaluation| e.covered.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&right), ids(&wrong), "{id}");
        assert_eq!(right.score, wrong.score, "{id}");
    }
    let e = evaluator().evaluate("cloud-secrets-config", typo).unwrap();
    let read: Vec<(&str, &str)> = e
        .signals
        .misspellings
        .iter()
        .map(|m| (m.written.as_str(), m.read_as.as_str()))
        .collect();
    assert!(read.contains(&("roll", "role")), "{read:?}");
    // Alone, a real word is never read as another: "roll" here stays "roll".
    let alone = evaluator()
        .evaluate("cloud-secrets-config", "We roll the credentials every month.")
        .unwrap();
    assert!(
        alone.signals.misspellings.is_empty(),
        "{:?}",
        alone.signals.misspellings
    );
}

#[test]
fn a_keyword_list_is_flagged_and_capped() {
    let list =
        "EXPLAIN ANALYZE, seq scan, composite index, covering index, N+1, SELECT *, Redis, read replica, \
                PgBouncer, partitioning, pg_stat_statements, denormalization";
    let e = evaluator().evaluate("explain-plans", list).unwrap();
    assert!(e.signals.keyword_stuffing.is_some());
    assert!(e.rating <= Rating::No, "rated {:?} at {}", e.rating, e.score);
}

#[test]
fn an_answer_to_another_question_is_off_topic() {
    let tls = "Every service gets a certificate from an internal CA and both sides verify each other with mutual \
               TLS, so identity is proven on every connection. Istio or Linkerd can issue and rotate those \
               certificates automatically, and authorization policies allow only the calls each service needs.";
    let e = evaluator().evaluate("explain-plans", tls).unwrap();
    let off = e.signals.off_topic.as_ref().expect("off topic");
    assert_eq!(off.closest_question.as_deref(), Some("mutual-tls"));
    assert_eq!(e.rating, Rating::DefinitelyNot);
}

#[test]
fn a_short_answer_is_flagged() {
    let e = evaluator().evaluate("explain-plans", "Add indexes.").unwrap();
    assert_eq!(e.signals.too_short.as_ref().map(|t| t.words), Some(2));
    assert!(e.score <= 25.0);
}

#[test]
fn repeating_the_question_earns_half_credit() {
    let answer = "The client sends an idempotency key with each request.";
    let canonical = evaluator().evaluate("idempotency-keys", answer).unwrap();
    let key = |e: &assay::Evaluation| {
        e.covered
            .iter()
            .find(|c| c.id == "idempotency-key")
            .map(|c| c.credit)
    };
    assert_eq!(key(&canonical), Some(1.0));
    let options = EvaluateOptions {
        asked: Some("How do idempotency keys work?"),
        ..EvaluateOptions::default()
    };
    let asked = evaluator()
        .evaluate_with("idempotency-keys", answer, &options)
        .unwrap();
    assert_eq!(key(&asked), Some(0.5));
    assert!(asked.score < canonical.score);
}

#[test]
fn the_breakdown_adds_up_to_the_score() {
    let e = evaluator().evaluate("explain-plans", STRONG_EXPLAIN).unwrap();
    let sum: f64 = e.breakdown.iter().map(|d| d.points()).sum();
    assert!((sum - e.score).abs() < 1e-6, "{sum} vs {}", e.score);
}

#[test]
fn the_same_input_gives_byte_identical_json() {
    let a = serde_json::to_string(&evaluator().evaluate("explain-plans", STRONG_EXPLAIN).unwrap()).unwrap();
    let b = serde_json::to_string(&evaluator().evaluate("explain-plans", STRONG_EXPLAIN).unwrap()).unwrap();
    assert_eq!(a, b);
    let fresh = assay::Evaluator::embedded().unwrap();
    let c = serde_json::to_string(&fresh.evaluate("explain-plans", STRONG_EXPLAIN).unwrap()).unwrap();
    assert_eq!(a, c);
}

#[test]
fn rating_thresholds_are_configurable_and_validated() {
    let strict = RatingThresholds::new(50.0, 90.0, 99.0).unwrap();
    let options = EvaluateOptions {
        thresholds: strict,
        asked: None,
    };
    let e = evaluator()
        .evaluate_with("explain-plans", STRONG_EXPLAIN, &options)
        .unwrap();
    assert_eq!(e.rating, strict.rate(e.score));
    assert!(matches!(
        RatingThresholds::new(60.0, 50.0, 90.0),
        Err(Error::InvalidThresholds { .. })
    ));
    assert!(RatingThresholds::new(-1.0, 50.0, 90.0).is_err());
}

#[test]
fn an_unknown_question_id_is_an_error_with_suggestions() {
    match evaluator().evaluate("explain-plan", "anything") {
        Err(Error::UnknownQuestion { suggestions, .. }) => {
            assert_eq!(suggestions.first().map(String::as_str), Some("explain-plans"));
        }
        other => panic!("expected an unknown question, got {other:?}"),
    }
}

#[test]
fn wordings_resolve_to_their_question_and_off_bank_questions_are_refused() {
    let lookup = evaluator()
        .lookup("How do you stop a payments API from charging a customer twice when clients retry?");
    let best = lookup.best.expect("a match");
    assert_eq!(
        evaluator().bank().questions()[best.question].id.as_str(),
        "idempotency-keys"
    );
    for off in [
        "Explain Rust lifetimes and the borrow checker.",
        "What are React hooks and how does useEffect work?",
        "Design a URL shortener.",
        // Two questions own its words about equally ("design", "principles").
        "Design a parking lot system using object-oriented principles.",
        // Common words that some question's model answers happen to use:
        // too little evidence, however much of the wording they cover.
        "Tell me about yourself.",
        "What's your biggest weakness?",
    ] {
        assert!(evaluator().lookup(off).best.is_none(), "{off} was matched");
    }
}

#[test]
fn an_on_topic_answer_confirms_a_vague_wording_and_an_off_topic_one_does_not() {
    let vague = "What's hard about caching?";
    assert!(
        evaluator().lookup(vague).best.is_none(),
        "the wording alone passes the bar"
    );
    let on_topic = "Invalidation is the hard part. With cache-aside in Redis every write has to delete the \
                    key, a TTL bounds how stale an entry can get, and a hot key expiring lets a stampede \
                    of misses hit the database, so we add request coalescing or jittered expiry.";
    let found = evaluator()
        .evaluate_wording(vague, on_topic, RatingThresholds::default())
        .expect("the answer confirms the wording's first candidate");
    assert_eq!(found.evaluation.question_id, "caching");
    assert!(found.matched.confidence < 0.6, "{}", found.matched.confidence);

    let off_topic = "Clients send an Idempotency-Key header; we store the key with the response under a \
                     unique constraint and replay the stored response when the same key comes back.";
    let generic = "It depends on the team and the situation, and I would follow best practices.";
    for answer in [off_topic, generic] {
        match evaluator().evaluate_wording(vague, answer, RatingThresholds::default()) {
            Err(Error::UnknownQuestion { suggestions, .. }) => {
                assert_eq!(suggestions.first().map(String::as_str), Some("caching"));
            }
            other => panic!("{answer}: expected an unknown question, got {other:?}"),
        }
    }
}

#[test]
fn every_alternate_wording_resolves_to_its_question() {
    let bank = evaluator().bank();
    let mut wrong = Vec::new();
    for q in bank.questions() {
        for w in q.all_wordings() {
            let found = evaluator()
                .lookup(w.as_str())
                .best
                .map(|b| bank.questions()[b.question].id.to_string());
            if found.as_deref() != Some(q.id.as_str()) {
                wrong.push(format!("{}: {w} -> {found:?}", q.id));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_fluent_answer_with_nothing_concrete_is_reported_as_vague() {
    let generic = "I would make sure we follow best practices and keep everything clean and simple. I always \
                   work closely with the team, think about the business needs and choose whatever makes sense \
                   for the situation at hand.";
    let e = evaluator().evaluate("caching", generic).unwrap();
    assert!(e.signals.vague.is_some(), "{:?}", e.signals);
    let concrete = evaluator().evaluate("caching", "We cache hot reads in Redis with a TTL and use cache-aside, invalidating keys on writes and watching the hit rate in Grafana.").unwrap();
    assert!(concrete.signals.vague.is_none());
}
