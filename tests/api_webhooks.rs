//! `/v1/webhooks` over real HTTP: endpoints registered through the API
//! receive signed `evaluation.completed` messages.

use serde_json::{json, Value};

use assay::store::{DeliveryStatus, Role, DEFAULT_TENANT};
use assay::webhooks::verify;

use crate::app::{json_ok, problem, spawn_app, GOOD_ANSWER};
use crate::webhooks::{fast, receiver, send_until};

fn pointers(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["pointer"].as_str()).collect())
        .unwrap_or_default()
}

/// A batch's messages are stored with its records, in the transaction that
/// commits before the response is sent: the delivery log lists them the
/// moment the batch has answered, one per evaluated item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_queues_one_message_per_evaluation_before_it_answers() {
    let app = spawn_app().await;
    let created = app
        .post_json(
            "/v1/webhooks",
            &json!({"url": "https://hooks.example.com/assay", "events": ["evaluation.completed"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let endpoint: Value = created.json().await.unwrap();
    let id = endpoint["id"].as_str().unwrap().to_owned();

    let items = json!([
        {"question_id": "explain-plans", "answer": GOOD_ANSWER},
        {"question_id": "no-such-question", "answer": GOOD_ANSWER},
        {"question_id": "caching", "answer": GOOD_ANSWER},
    ]);
    let batch = json_ok(
        app.post_json("/v1/evaluate/batch", &json!({"items": items}))
            .await,
    )
    .await;
    assert_eq!(batch["succeeded"], 2);
    let log = app.store.deliveries(DEFAULT_TENANT, &id, 10).await.unwrap();
    let mut queued: Vec<String> = log
        .iter()
        .map(|(delivery, attempts)| {
            assert_eq!(delivery.status, DeliveryStatus::Pending);
            assert_eq!(delivery.event, "evaluation.completed");
            assert!(attempts.is_empty());
            let body: Value = serde_json::from_str(&delivery.payload).unwrap();
            body["data"]["evaluation_id"].as_str().unwrap().to_owned()
        })
        .collect();
    queued.sort();
    let mut evaluated: Vec<String> = [0, 2]
        .iter()
        .map(|&i| {
            batch["results"][i]["result"]["evaluation_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    evaluated.sort();
    assert_eq!(queued, evaluated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_registered_through_the_api_receives_signed_evaluations() {
    let app = spawn_app().await;
    let (url, shared) = receiver(Vec::new()).await;
    let created = app
        .post_json(
            "/v1/webhooks",
            &json!({"url": url, "events": ["evaluation.completed"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let endpoint: Value = created.json().await.unwrap();
    let id = endpoint["id"].as_str().unwrap().to_owned();
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    let evaluation = json_ok(
        app.evaluate(&json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "c-9"}))
            .await,
    )
    .await;
    send_until(&app.store, &fast(), &shared, |r| !r.seen.is_empty()).await;
    let message = shared.lock().await.seen[0].clone();
    verify(
        &secret,
        &message.id,
        message.timestamp,
        message.body.as_bytes(),
        &message.signature,
        message.timestamp,
        300,
    )
    .unwrap();
    let body: Value = serde_json::from_str(&message.body).unwrap();
    assert_eq!(body["type"], "evaluation.completed");
    assert_eq!(body["data"]["evaluation_id"], evaluation["evaluation_id"]);
    assert_eq!(body["data"]["candidate_ref"], "c-9");
    assert_eq!(body["data"]["score"], evaluation["score"]);

    // The list hides secrets; one endpoint shows its own.
    let list = json_ok(app.get("/v1/webhooks").await).await;
    assert_eq!(list["webhooks"][0]["id"], id.as_str());
    assert!(list["webhooks"][0].get("secret").is_none());
    let one = json_ok(app.get(&format!("/v1/webhooks/{id}")).await).await;
    assert_eq!(one["secret"], secret.as_str());

    // The delivery log shows the message delivered on its first attempt.
    let log = json_ok(app.get(&format!("/v1/webhooks/{id}/deliveries")).await).await;
    assert_eq!(log["deliveries"][0]["id"], message.id.as_str());
    assert_eq!(log["deliveries"][0]["status"], "delivered");
    assert_eq!(log["deliveries"][0]["attempts"][0]["status_code"], 200);

    // Rotation: a new secret, the old one still signing for the overlap.
    let rotated = json_ok(
        app.post_json(
            &format!("/v1/webhooks/{id}/rotate"),
            &json!({"overlap_seconds": 60}),
        )
        .await,
    )
    .await;
    assert_ne!(rotated["secret"], secret.as_str());
    assert!(rotated["previous_secret_expires_at"].is_string());
    json_ok(
        app.evaluate(&json!({"question_id": "caching", "answer": GOOD_ANSWER}))
            .await,
    )
    .await;
    send_until(&app.store, &fast(), &shared, |r| r.seen.len() == 2).await;
    let second = shared.lock().await.seen[1].clone();
    for key in [secret.as_str(), rotated["secret"].as_str().unwrap()] {
        verify(
            key,
            &second.id,
            second.timestamp,
            second.body.as_bytes(),
            &second.signature,
            second.timestamp,
            300,
        )
        .unwrap();
    }

    let deleted = app
        .send_as(reqwest::Method::DELETE, &format!("/v1/webhooks/{id}"), None, None)
        .await;
    assert_eq!(deleted.status(), 204);
    problem(
        app.get(&format!("/v1/webhooks/{id}")).await,
        404,
        "webhook_not_found",
    )
    .await;
    problem(
        app.get(&format!("/v1/webhooks/{id}/deliveries")).await,
        404,
        "webhook_not_found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_endpoints_and_other_roles_are_refused() {
    let app = spawn_app().await;
    let body = problem(
        app.post_json(
            "/v1/webhooks",
            &json!({"url": "http://hooks.example.com/x", "events": ["evaluation.done"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(pointers(&body), ["#/url", "#/events/0"], "{body}");
    let body = problem(
        app.post_json("/v1/webhooks", &json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(pointers(&body), ["#/url", "#/events"], "{body}");
    let body = problem(
        app.post_json(
            "/v1/webhooks/ep_0000000000000000/rotate",
            &json!({"overlap_seconds": 10_000_000}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(pointers(&body), ["#/overlap_seconds"]);
    problem(
        app.get("/v1/webhooks/ep_x/deliveries?limit=0").await,
        400,
        "invalid_query",
    )
    .await;

    let candidate = app
        .store
        .create_key(DEFAULT_TENANT, "c", Role::Candidate, None)
        .await
        .unwrap()
        .token;
    let refused = app
        .send_as(reqwest::Method::GET, "/v1/webhooks", Some(&candidate), None)
        .await;
    problem(refused, 403, "forbidden").await;
}

#[test]
fn the_command_line_manages_endpoints_in_the_store() {
    use crate::util::{assay, stderr, stdout};
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let webhooks = |args: &[&str]| {
        let mut all = vec!["webhooks", "--data-dir", dir, "--tenant", "acme"];
        all.extend_from_slice(args);
        assay(&all, None)
    };
    let added = webhooks(&[
        "add",
        "--url",
        "https://hooks.example.com/a",
        "--event",
        "evaluation.completed",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    let secret = stdout(&added).trim().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = stdout(&webhooks(&["list"]));
    let id = listed.split('\t').next().unwrap().to_owned();
    assert!(
        id.starts_with("ep_") && listed.contains("https://hooks.example.com/a"),
        "{listed}"
    );
    assert!(!listed.contains(&secret), "the list never shows secrets");

    let rotated = webhooks(&["rotate", &id, "--overlap", "60"]);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    assert_ne!(stdout(&rotated).trim(), secret);
    let log = webhooks(&["deliveries", &id]);
    assert!(
        log.status.success() && stdout(&log).is_empty(),
        "{}",
        stderr(&log)
    );

    let refused = webhooks(&[
        "add",
        "--url",
        "http://hooks.example.com/a",
        "--event",
        "evaluation.completed",
    ]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("https"), "{}", stderr(&refused));
    let unknown_event = webhooks(&[
        "add",
        "--url",
        "https://h.example.com",
        "--event",
        "evaluation.done",
    ]);
    assert!(
        stderr(&unknown_event).contains("evaluation.completed"),
        "{}",
        stderr(&unknown_event)
    );

    assert!(webhooks(&["remove", &id]).status.success());
    let again = webhooks(&["remove", &id]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("no webhook endpoint"),
        "{}",
        stderr(&again)
    );
}
