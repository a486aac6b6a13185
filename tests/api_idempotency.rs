//! `Idempotency-Key` over HTTP: replayed byte for byte, refused for a
//! different body, 409 while in flight, and never a second record.

use std::time::Duration;

use assay::store::{sha256_hex, ClaimOutcome, OPEN_KEY_ID};
use serde_json::{json, Value};

use crate::app::{problem, spawn_app, GOOD_ANSWER};

fn body() -> Vec<u8> {
    json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "idem"})
        .to_string()
        .into_bytes()
}

async fn post(app: &crate::app::TestApp, path: &str, key: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body)
        .send()
        .await
        .expect("POST completes")
}

async fn records_of(app: &crate::app::TestApp, candidate: &str) -> usize {
    let list: Value = app
        .get(&format!("/v1/evaluations?candidate_ref={candidate}"))
        .await
        .json()
        .await
        .unwrap();
    list["evaluations"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_gets_the_first_response_byte_for_byte() {
    let app = spawn_app().await;
    let first = post(&app, "/v1/evaluate", "retry-1", body()).await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = first.bytes().await.unwrap();
    for _ in 0..3 {
        let again = post(&app, "/v1/evaluate", "retry-1", body()).await;
        assert_eq!(again.status(), 200);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["content-type"], "application/json");
        assert_eq!(again.bytes().await.unwrap(), first);
    }
    assert_eq!(
        records_of(&app, "idem").await,
        1,
        "one evaluation recorded, not four"
    );
    // A new key is a new request.
    let other = post(&app, "/v1/evaluate", "retry-2", body()).await;
    assert_eq!(other.status(), 200);
    assert_ne!(other.bytes().await.unwrap(), first);
    assert_eq!(records_of(&app, "idem").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_with_another_request_is_refused() {
    let app = spawn_app().await;
    assert_eq!(post(&app, "/v1/evaluate", "k", body()).await.status(), 200);
    let mut changed = body();
    changed.extend_from_slice(b" ");
    let response = post(&app, "/v1/evaluate", "k", changed).await;
    problem(response, 422, "idempotency_key_reused").await;
    // The same body on another route is another request too.
    let response = post(&app, "/evaluate", "k", body()).await;
    problem(response, 422, "idempotency_key_reused").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_while_the_first_is_in_flight_is_409_then_succeeds_when_it_dies() {
    let app = spawn_app().await;
    // Another instance holds the key, as if mid-request.
    let mut fingerprint = b"POST /v1/evaluate\n".to_vec();
    fingerprint.extend_from_slice(&body());
    let held = app
        .store
        .claim_idempotency(
            OPEN_KEY_ID,
            "busy",
            &sha256_hex(&fingerprint),
            Duration::from_millis(600),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(matches!(held, ClaimOutcome::Claimed(_)));
    let response = post(&app, "/v1/evaluate", "busy", body()).await;
    assert_eq!(response.headers()["retry-after"], "1");
    problem(response, 409, "idempotency_in_progress").await;
    assert_eq!(records_of(&app, "idem").await, 0);
    // The holder never completes: once its lease runs out, the retry runs.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let response = post(&app, "/v1/evaluate", "busy", body()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(records_of(&app, "idem").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_replayed_and_the_header_is_checked() {
    let app = spawn_app().await;
    let bad = br#"{"question_id": "explain-plans"}"#.to_vec();
    let first = post(&app, "/v1/evaluate", "bad-1", bad.clone()).await;
    let first_body = problem(first, 422, "validation_failed").await;
    let again = post(&app, "/v1/evaluate", "bad-1", bad).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/problem+json");
    assert_eq!(again.status(), 422);
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed, first_body, "the very problem, request id included");

    for key in ["", "has space", &"x".repeat(256)] {
        let response = post(&app, "/v1/evaluate", key, body()).await;
        problem(response, 400, "invalid_idempotency_key").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_recorded_once() {
    let app = spawn_app().await;
    let items = json!({"items": [
        {"question_id": "caching", "answer": GOOD_ANSWER, "candidate_ref": "batch"},
        {"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "batch"},
        {"question_id": "nope", "answer": GOOD_ANSWER, "candidate_ref": "batch"}
    ]})
    .to_string()
    .into_bytes();
    let first = post(&app, "/v1/evaluate/batch", "b-1", items.clone()).await;
    assert_eq!(first.status(), 200);
    let first = first.bytes().await.unwrap();
    let again = post(&app, "/v1/evaluate/batch", "b-1", items).await;
    assert_eq!(again.bytes().await.unwrap(), first);
    assert_eq!(
        records_of(&app, "batch").await,
        2,
        "the two items that succeeded, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_key_creation_never_shows_the_secret_again() {
    let app = spawn_app().await;
    let request = json!({"name": "ci", "role": "candidate"})
        .to_string()
        .into_bytes();
    let first: Value = post(&app, "/v1/keys", "new-key", request.clone())
        .await
        .json()
        .await
        .unwrap();
    assert!(first["token"].is_string());
    let again = post(&app, "/v1/keys", "new-key", request).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert!(again["token"].is_null(), "{again}");
    assert_eq!(again["key"], first["key"]);
    let keys: Value = app.get("/v1/keys").await.json().await.unwrap();
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1, "one key created");
}
