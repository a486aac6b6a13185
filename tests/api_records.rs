//! Evaluation records over HTTP: what `POST /v1/evaluate` returned, read
//! back, listed by candidate and question with a cursor, and erased.

use assay::api::Config;
use serde_json::json;

use crate::app::{json_ok, problem, spawn_app, spawn_with, GOOD_ANSWER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_holds_exactly_what_was_returned() {
    let app = spawn_app().await;
    let returned = json_ok(
        app.evaluate(&json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "c-1"}))
            .await,
    )
    .await;
    let id = returned["evaluation_id"].as_str().expect("an id");
    assert!(
        uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7),
        "{id}"
    );
    let record = json_ok(app.get(&format!("/v1/evaluations/{id}")).await).await;
    assert_eq!(record["result"], returned);
    assert_eq!(record["answer"], GOOD_ANSWER);
    assert_eq!(record["candidate_ref"], "c-1");
    assert_eq!(record["question_id"], "explain-plans");
    assert_eq!(record["score"], returned["score"]);
    assert_eq!(record["rating"], returned["rating"]);
    assert_eq!(record["scoring_version"], assay::score::SCORING_VERSION);
    assert_eq!(record["key_id"], "open");
    assert!(record["created_at"].as_str().unwrap().ends_with('Z'));
    problem(
        app.get("/v1/evaluations/00000000-0000-7000-8000-000000000000")
            .await,
        404,
        "evaluation_not_found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_list_by_candidate_and_question_a_page_at_a_time() {
    let app = spawn_app().await;
    let mut made = Vec::new();
    for (n, question) in ["caching", "explain-plans", "caching", "caching", "explain-plans"]
        .iter()
        .enumerate()
    {
        let candidate = if n < 4 { "ann" } else { "bob" };
        let body = json_ok(
            app.evaluate(
                &json!({"question_id": question, "answer": GOOD_ANSWER, "candidate_ref": candidate}),
            )
            .await,
        )
        .await;
        made.push(body["evaluation_id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut path = "/v1/evaluations?candidate_ref=ann&limit=3".to_owned();
    loop {
        let page = json_ok(app.get(&path).await).await;
        for record in page["evaluations"].as_array().unwrap() {
            assert_eq!(record["candidate_ref"], "ann");
            assert!(record.get("answer").is_none(), "listings leave answers out");
            seen.push(record["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/evaluations?candidate_ref=ann&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = made[..4].iter().rev().cloned().collect();
    assert_eq!(seen, expected, "newest first, each once");
    let caching = json_ok(app.get("/v1/evaluations?question_id=caching").await).await;
    assert_eq!(caching["evaluations"].as_array().unwrap().len(), 3);
    problem(
        app.get("/v1/evaluations?cursor=not-a-cursor").await,
        400,
        "invalid_query",
    )
    .await;
    problem(app.get("/v1/evaluations?limit=0").await, 400, "invalid_query").await;
    problem(app.get("/v1/evaluations?colour=red").await, 400, "invalid_query").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_erased_one_by_one_or_by_candidate() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for candidate in ["erase-me", "erase-me", "erase-me", "keep-me"] {
        let body = json_ok(
            app.evaluate(
                &json!({"question_id": "caching", "answer": GOOD_ANSWER, "candidate_ref": candidate}),
            )
            .await,
        )
        .await;
        ids.push(body["evaluation_id"].as_str().unwrap().to_owned());
    }
    let one = app
        .client
        .delete(app.url(&format!("/v1/evaluations/{}", ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 204);
    problem(
        app.get(&format!("/v1/evaluations/{}", ids[0])).await,
        404,
        "evaluation_not_found",
    )
    .await;
    let erased = app
        .client
        .delete(app.url("/v1/evaluations?candidate_ref=erase-me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_ok(erased).await,
        json!({"candidate_ref": "erase-me", "deleted": 2})
    );
    let left = json_ok(app.get("/v1/evaluations").await).await;
    let left: Vec<&str> = left["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, [ids[3].as_str()]);
    let missing = app
        .client
        .delete(app.url("/v1/evaluations"))
        .send()
        .await
        .unwrap();
    problem(missing, 400, "invalid_query").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_and_records_can_be_switched_off() {
    let no_text = spawn_with(Config {
        store_answers: false,
        ..Config::default()
    })
    .await;
    let body = json_ok(
        no_text
            .evaluate(&json!({"question_id": "caching", "answer": GOOD_ANSWER}))
            .await,
    )
    .await;
    let record = json_ok(
        no_text
            .get(&format!(
                "/v1/evaluations/{}",
                body["evaluation_id"].as_str().unwrap()
            ))
            .await,
    )
    .await;
    assert!(record["answer"].is_null());
    assert_eq!(record["result"], body);

    let none = spawn_with(Config {
        records: false,
        ..Config::default()
    })
    .await;
    let body = json_ok(
        none.evaluate(&json!({"question_id": "caching", "answer": GOOD_ANSWER}))
            .await,
    )
    .await;
    assert!(body["evaluation_id"].is_null());
    let list = json_ok(none.get("/v1/evaluations").await).await;
    assert_eq!(list["evaluations"], json!([]));
}
