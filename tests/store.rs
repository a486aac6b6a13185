//! The store on each backend: keys, idempotency claims, records and tenant
//! questions behave the same on SQLite and PostgreSQL.

use std::time::Duration;

use assay::store::{
    now_ms, Claim, ClaimOutcome, Completion, EvaluationRecord, QueuedEvent, RecordFilter, Recorded, Role,
    Scope, Store, StoredResponse,
};

use crate::backends::every_store;

const LONG: Duration = Duration::from_secs(60);

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 200,
        content_type: "application/json".into(),
        body: body.into(),
    }
}

async fn claim(store: &Store, key: &str, sha: &str, lease: Duration) -> ClaimOutcome {
    store
        .claim_idempotency("k1", key, sha, lease, LONG)
        .await
        .expect("the claim runs")
}

fn claimed(outcome: ClaimOutcome) -> Claim {
    match outcome {
        ClaimOutcome::Claimed(claim) => claim,
        other => panic!("expected a claim, got {other:?}"),
    }
}

fn record(tenant: &str, key: &str, candidate: &str, n: usize) -> EvaluationRecord {
    EvaluationRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant: tenant.into(),
        key_id: key.into(),
        question_id: "caching".into(),
        candidate_ref: Some(candidate.into()),
        answer: Some(format!("answer {n}")),
        score: n as f64,
        rating: "mixed".into(),
        result: format!("{{\"n\":{n}}}"),
        scoring_version: "1.0.0".into(),
        created_ms: now_ms(),
    }
}

/// Records `record` completing `claim` with `stored`; whether it was stored.
async fn record_claimed(
    store: &Store,
    record: &EvaluationRecord,
    claim: &Claim,
    stored: &StoredResponse,
) -> bool {
    store
        .record_evaluations(
            std::slice::from_ref(record),
            Some(Completion {
                claim,
                response: stored,
            }),
            Vec::new(),
        )
        .await
        .expect("runs")
        .is_stored()
}

#[tokio::test]
async fn keys_authenticate_until_revoked() {
    for (backend, store, _keep) in every_store().await {
        let created = store
            .create_key("acme", "ATS sync", Role::Integration, Some(120))
            .await
            .expect("creates");
        assert!(created.token.starts_with("assay_"), "{backend}");
        let principal = store
            .authenticate(&created.token)
            .await
            .expect("queries")
            .expect("valid");
        assert_eq!(principal.tenant, "acme", "{backend}");
        assert_eq!(principal.role, Role::Integration, "{backend}");
        assert_eq!(principal.rate_per_minute, Some(120), "{backend}");

        // A token with one secret character changed is refused.
        let mut forged = created.token.clone();
        let last = forged.pop().expect("non-empty");
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            store.authenticate(&forged).await.expect("queries"),
            None,
            "{backend}"
        );
        assert_eq!(
            store.authenticate("assay_nope").await.expect("queries"),
            None,
            "{backend}"
        );

        // Another tenant cannot revoke it; its own can, and it stops working.
        assert!(
            store.revoke_key(Some("other"), &created.key.id).await.is_err(),
            "{backend}"
        );
        let revoked = store
            .revoke_key(Some("acme"), &created.key.id)
            .await
            .expect("revokes");
        assert!(revoked.revoked_ms.is_some(), "{backend}");
        assert_eq!(
            store.authenticate(&created.token).await.expect("queries"),
            None,
            "{backend}"
        );
        let listed = store.list_keys(Some("acme")).await.expect("lists");
        assert_eq!(listed.len(), 1, "{backend}");
        assert_eq!(listed[0].revoked_ms, revoked.revoked_ms, "{backend}");
        assert_eq!(store.active_keys().await.expect("counts"), 0, "{backend}");
    }
}

#[tokio::test]
async fn an_idempotency_key_is_claimed_once_then_replayed() {
    for (backend, store, _keep) in every_store().await {
        let first = claimed(claim(&store, "a", "sha1", LONG).await);
        assert_eq!(
            claim(&store, "a", "sha1", LONG).await,
            ClaimOutcome::InFlight,
            "{backend}"
        );
        assert_eq!(
            claim(&store, "a", "sha2", LONG).await,
            ClaimOutcome::Mismatch,
            "{backend}"
        );
        let stored = response("{\"x\":1}");
        let done = store
            .complete_idempotency(Completion {
                claim: &first,
                response: &stored,
            })
            .await
            .expect("completes");
        assert!(done, "{backend}");
        assert_eq!(
            claim(&store, "a", "sha1", LONG).await,
            ClaimOutcome::Replay(stored.clone()),
            "{backend}"
        );
        // Completing twice does not overwrite the first response.
        let again = store
            .complete_idempotency(Completion {
                claim: &first,
                response: &response("{\"x\":2}"),
            })
            .await
            .expect("runs");
        assert!(!again, "{backend}");

        // A released key is processed afresh.
        let second = claimed(claim(&store, "b", "sha1", LONG).await);
        store.release_idempotency(&second).await.expect("releases");
        claimed(claim(&store, "b", "sha1", LONG).await);
    }
}

#[tokio::test]
async fn a_dead_holders_key_is_taken_over_and_its_late_completion_refused() {
    for (backend, store, _keep) in every_store().await {
        let stale = claimed(claim(&store, "c", "sha1", Duration::ZERO).await);
        let fresh = claimed(claim(&store, "c", "sha1", LONG).await);
        assert_ne!(stale.lease, fresh.lease, "{backend}");
        // The first holder wakes up and tries to record: nothing is stored.
        let late = record("t", "k1", "late", 1);
        let stored = response("{}");
        let ok = record_claimed(&store, &late, &stale, &stored).await;
        assert!(!ok, "{backend}");
        let scope = Scope::Tenant("t".into());
        assert_eq!(
            store.evaluation(&scope, &late.id).await.expect("reads"),
            None,
            "{backend}"
        );
        // The new holder records exactly once.
        let mine = record("t", "k1", "late", 2);
        let ok = record_claimed(&store, &mine, &fresh, &stored).await;
        assert!(ok, "{backend}");
        assert!(
            store.evaluation(&scope, &mine.id).await.expect("reads").is_some(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn expired_idempotency_keys_are_forgotten() {
    for (backend, store, _keep) in every_store().await {
        let first = store
            .claim_idempotency("k1", "e", "sha1", LONG, Duration::ZERO)
            .await
            .expect("claims");
        let first = claimed(first);
        store
            .complete_idempotency(Completion {
                claim: &first,
                response: &response("{}"),
            })
            .await
            .expect("completes");
        // Expired: even a different body claims it anew.
        claimed(claim(&store, "e", "sha2", LONG).await);
        assert_eq!(store.purge_idempotency().await.expect("purges"), 0, "{backend}");
    }
}

#[tokio::test]
async fn concurrent_claims_have_one_winner() {
    for (backend, store, _keep) in every_store().await {
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { claim(&store, "race", "sha", LONG).await })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            match task.await.expect("no panic") {
                ClaimOutcome::Claimed(_) => winners += 1,
                ClaimOutcome::InFlight => {}
                other => panic!("{backend}: {other:?}"),
            }
        }
        assert_eq!(winners, 1, "{backend}");
    }
}

#[tokio::test]
async fn records_page_newest_first_within_their_scope() {
    for (backend, store, _keep) in every_store().await {
        let mut mine = Vec::new();
        for n in 0..5 {
            let r = record("t", "k1", if n % 2 == 0 { "even" } else { "odd" }, n);
            store
                .record_evaluations(std::slice::from_ref(&r), None, Vec::new())
                .await
                .expect("records");
            mine.push(r.id);
        }
        let theirs = record("t", "k2", "even", 9);
        let elsewhere = record("u", "k3", "even", 9);
        store
            .record_evaluations(&[theirs.clone(), elsewhere.clone()], None, Vec::new())
            .await
            .expect("records");

        let key_scope = Scope::Key {
            tenant: "t".into(),
            key_id: "k1".into(),
        };
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .evaluations(
                    &key_scope,
                    &RecordFilter {
                        before: cursor.clone(),
                        limit: 2,
                        ..RecordFilter::default()
                    },
                )
                .await
                .expect("lists");
            assert!(page.records.len() <= 2, "{backend}");
            seen.extend(page.records.into_iter().map(|r| r.id));
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        let newest_first: Vec<String> = mine.iter().rev().cloned().collect();
        assert_eq!(seen, newest_first, "{backend}");

        let tenant_scope = Scope::Tenant("t".into());
        let even = store
            .evaluations(
                &tenant_scope,
                &RecordFilter {
                    candidate_ref: Some("even".into()),
                    limit: 50,
                    ..RecordFilter::default()
                },
            )
            .await
            .expect("lists");
        assert_eq!(even.records.len(), 4, "{backend}: three of k1's and k2's one");
        assert!(
            store
                .evaluation(&key_scope, &theirs.id)
                .await
                .expect("reads")
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .evaluation(&tenant_scope, &elsewhere.id)
                .await
                .expect("reads")
                .is_none(),
            "{backend}"
        );

        // Erasure: one record, then a candidate within the key's scope.
        assert!(
            store
                .delete_evaluation(&key_scope, &mine[0])
                .await
                .expect("deletes"),
            "{backend}"
        );
        assert!(
            !store
                .delete_evaluation(&key_scope, &mine[0])
                .await
                .expect("deletes"),
            "{backend}"
        );
        assert!(
            !store
                .delete_evaluation(&key_scope, &theirs.id)
                .await
                .expect("runs"),
            "{backend}"
        );
        assert_eq!(
            store.delete_candidate(&key_scope, "even").await.expect("deletes"),
            2,
            "{backend}"
        );
        assert_eq!(
            store
                .delete_candidate(&tenant_scope, "even")
                .await
                .expect("deletes"),
            1,
            "{backend}"
        );
        let fetched = store
            .evaluation(&tenant_scope, &mine[1])
            .await
            .expect("reads")
            .expect("kept");
        assert_eq!(fetched.result, "{\"n\":1}", "{backend}");
        assert_eq!(fetched.answer.as_deref(), Some("answer 1"), "{backend}");
    }
}

#[tokio::test]
async fn tenant_questions_are_versioned() {
    for (backend, store, _keep) in every_store().await {
        assert_eq!(
            store.save_question("t", "q", "{}", false).await.expect("saves"),
            Some(true),
            "{backend}"
        );
        assert_eq!(
            store
                .save_question("t", "q", "{\"a\":1}", false)
                .await
                .expect("runs"),
            None,
            "{backend}"
        );
        assert_eq!(
            store
                .save_question("t", "q", "{\"a\":2}", true)
                .await
                .expect("saves"),
            Some(false),
            "{backend}"
        );
        let questions = store.tenant_questions("t").await.expect("reads");
        assert_eq!(questions.len(), 1, "{backend}");
        assert_eq!(questions[0].body, "{\"a\":2}", "{backend}");
        assert!(
            store.tenant_questions("other").await.expect("reads").is_empty(),
            "{backend}"
        );
        let version =
            |versions: Vec<(String, i64)>| versions.into_iter().find(|(t, _)| t == "t").map(|(_, v)| v);
        let before = version(store.question_versions().await.expect("reads"));
        assert!(
            store.delete_question("t", "q").await.expect("deletes"),
            "{backend}"
        );
        assert!(!store.delete_question("t", "q").await.expect("runs"), "{backend}");
        let after = version(store.question_versions().await.expect("reads"));
        assert!(after > before, "{backend}: {before:?} → {after:?}");
    }
}

#[tokio::test]
async fn migrations_apply_once() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let location = assay::store::Location::DataDir(dir.path().to_owned());
    let first = Store::open(&location).await.expect("creates");
    first
        .create_key("t", "a", Role::Admin, None)
        .await
        .expect("creates a key");
    first.close().await;
    let second = Store::open(&location).await.expect("reopens");
    assert_eq!(second.active_keys().await.expect("counts"), 1);
    assert!(dir.path().join(assay::store::SQLITE_FILE).is_file());
}

#[tokio::test]
async fn concurrent_writes_are_grouped_without_one_failing_the_others() {
    for (backend, store, _keep) in every_store().await {
        let existing = record("t", "k1", "existing", 0);
        assert!(store
            .record_evaluations(std::slice::from_ref(&existing), None, Vec::new())
            .await
            .expect("runs")
            .is_stored());
        let endpoint = store
            .create_endpoint(
                "t",
                "https://hooks.example/assay",
                &["evaluation.completed".to_owned()],
            )
            .await
            .expect("creates an endpoint");
        let stale = claimed(claim(&store, "g", "sha1", Duration::ZERO).await);
        let _taker = claimed(claim(&store, "g", "sha1", LONG).await);

        // 200 requests at once, each with a webhook event: most write one
        // record, one writes 250 (more than one INSERT statement's rows), one
        // reuses a stored id (the database refuses it), one holds a lost
        // idempotency lease. Those two must queue no event either.
        let mut tasks = Vec::new();
        for i in 0..200usize {
            let store = store.clone();
            let stale = stale.clone();
            let mut records: Vec<EvaluationRecord> = (0..if i == 7 { 250 } else { 1 })
                .map(|n| record("t", "k1", &format!("c{i}"), n))
                .collect();
            if i == 11 {
                records[0].id = existing.id.clone();
            }
            tasks.push(tokio::spawn(async move {
                let stored = response("{}");
                let completion = (i == 13).then_some(Completion {
                    claim: &stale,
                    response: &stored,
                });
                let event = QueuedEvent {
                    tenant: "t".into(),
                    event: "evaluation.completed".into(),
                    payload: format!("{{\"i\":{i}}}"),
                };
                store.record_evaluations(&records, completion, vec![event]).await
            }));
        }
        let scope = Scope::Tenant("t".into());
        for (i, task) in tasks.into_iter().enumerate() {
            let outcome = task.await.expect("the task runs");
            match i {
                11 => assert!(outcome.is_err(), "{backend}: a duplicate id must fail"),
                13 => assert_eq!(
                    outcome.expect("runs"),
                    Recorded::LeaseLost,
                    "{backend}: a lost lease writes nothing"
                ),
                _ => assert_eq!(
                    outcome.expect("runs"),
                    Recorded::Stored { deliveries: 1 },
                    "{backend}: request {i}"
                ),
            }
            let filter = RecordFilter {
                candidate_ref: Some(format!("c{i}")),
                question_id: None,
                before: None,
                limit: 500,
            };
            let page = store.evaluations(&scope, &filter).await.expect("reads");
            let expected = match i {
                7 => 250,
                11 | 13 => 0,
                _ => 1,
            };
            assert_eq!(page.records.len(), expected, "{backend}: request {i}");
        }
        // One message per stored request, none for the two that stored nothing.
        let log = store
            .deliveries("t", &endpoint.id, 500)
            .await
            .expect("reads the log");
        let mut queued: Vec<String> = log.into_iter().map(|(d, _)| d.payload).collect();
        queued.sort();
        let mut expected: Vec<String> = (0..200usize)
            .filter(|i| *i != 11 && *i != 13)
            .map(|i| format!("{{\"i\":{i}}}"))
            .collect();
        expected.sort();
        assert_eq!(queued, expected, "{backend}");
    }
}
