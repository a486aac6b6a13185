//! `POST /v1/evaluate`, `POST /evaluate` and `POST /v1/evaluate/batch` over real HTTP.

use serde_json::{json, Value};

use assay::api::Config;

use crate::app::{json_ok, problem, spawn_app, spawn_with, GOOD_ANSWER};
use crate::util::evaluator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_by_id_returns_the_library_evaluation_with_valid_spans() {
    let app = spawn_app().await;
    let body = json_ok(
        app.evaluate(
            &json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "cand-42"}),
        )
        .await,
    )
    .await;
    let library = serde_json::to_value(evaluator().evaluate("explain-plans", GOOD_ANSWER).unwrap()).unwrap();
    for (field, value) in library.as_object().unwrap() {
        assert_eq!(&body[field], value, "{field}");
    }
    assert_eq!(body["candidate_ref"], "cand-42");
    assert!(body["question_match"].is_null());
    assert_eq!(
        body["question"],
        evaluator().bank().get("explain-plans").unwrap().question.as_str()
    );
    let covered = body["covered"].as_array().unwrap();
    assert!(!covered.is_empty());
    for concept in covered {
        for evidence in concept["evidence"].as_array().unwrap() {
            let (start, end) = (
                evidence["start"].as_u64().unwrap() as usize,
                evidence["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&GOOD_ANSWER[start..end], evidence["text"].as_str().unwrap());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_gets_the_same_bytes_and_both_paths_agree() {
    // Without records, so no record id differs between the responses.
    let app = spawn_with(Config {
        records: false,
        ..Config::default()
    })
    .await;
    let request = json!({"question_id": "circuit-breakers", "answer": "A circuit breaker trips open after repeated failures, fails fast, then lets a trial request through when half-open."});
    let mut bodies = Vec::new();
    for path in ["/v1/evaluate", "/v1/evaluate", "/evaluate"] {
        let response = app.post_json(path, &request).await;
        assert_eq!(response.status(), 200);
        bodies.push(response.bytes().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0], bodies[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_text_question_reports_the_match_and_its_confidence() {
    let app = spawn_app().await;
    let body = json_ok(
        app.evaluate(&json!({
            "question": "How do you figure out why a SQL query is slow?",
            "answer": GOOD_ANSWER,
        }))
        .await,
    )
    .await;
    assert_eq!(body["question_id"], "explain-plans");
    let matched = &body["question_match"];
    assert_eq!(matched["query"], "How do you figure out why a SQL query is slow?");
    let confidence = matched["confidence"].as_f64().unwrap();
    assert!((0.6..=1.0).contains(&confidence), "{matched}");
    for alternative in matched["alternatives"].as_array().unwrap() {
        assert_ne!(alternative["question_id"], "explain-plans");
        assert!(alternative["confidence"].as_f64().unwrap() <= confidence);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_thresholds_move_the_rating_not_the_score() {
    let app = spawn_app().await;
    let default = json_ok(
        app.evaluate(&json!({"question_id": "explain-plans", "answer": GOOD_ANSWER}))
            .await,
    )
    .await;
    let score = default["score"].as_f64().unwrap();
    assert!(score > 1.0 && score < 99.0, "{score}");
    let strict = json_ok(
        app.evaluate(&json!({
            "question_id": "explain-plans",
            "answer": GOOD_ANSWER,
            "rating_thresholds": {"no": 99.0, "yes": 99.5, "strong_yes": 100.0},
        }))
        .await,
    )
    .await;
    let lenient = json_ok(
        app.evaluate(&json!({
            "question_id": "explain-plans",
            "answer": GOOD_ANSWER,
            "rating_thresholds": {"no": 0.0, "yes": 0.5, "strong_yes": 1.0},
        }))
        .await,
    )
    .await;
    assert_eq!(strict["score"], default["score"]);
    assert_eq!(strict["rating"], "definitely_not");
    assert_eq!(lenient["rating"], "strong_yes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_is_evaluated_off_the_request_task() {
    let app = spawn_app().await;
    // About 20 KiB: above the inline size, below the 32 KiB answer limit.
    let answer = std::iter::repeat_n(GOOD_ANSWER, 100)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(answer.len() > 16 * 1024 && answer.len() < 32 * 1024);
    let body = json_ok(
        app.evaluate(&json!({"question_id": "explain-plans", "answer": answer}))
            .await,
    )
    .await;
    let library = evaluator().evaluate("explain-plans", &answer).unwrap();
    assert_eq!(body["score"], json!(library.score));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_answers_every_item_in_order_each_on_its_own() {
    let app = spawn_app().await;
    let items = json!([
        {"question_id": "explain-plans", "answer": GOOD_ANSWER},
        {"question_id": "explain-plan", "answer": GOOD_ANSWER},
        {"question_id": "explain-plans", "answer": 7},
        {"question_id": "explain-plans", "answer": "   "},
        {"question": "How do React hooks work?", "answer": "useState and useEffect."},
        {"question": "What is a circuit breaker and when would you use one?", "answer": "It fails fast once a dependency keeps failing.", "candidate_ref": "c-9"},
    ]);
    let body = json_ok(
        app.post_json("/v1/evaluate/batch", &json!({"items": items}))
            .await,
    )
    .await;
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let statuses: Vec<u64> = results.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 404, 422, 422, 422, 200]);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["index"], i);
        assert_ne!(
            result["result"].is_null(),
            result["problem"].is_null(),
            "{result}"
        );
    }
    assert_eq!(body["succeeded"], 2);
    assert_eq!(body["failed"], 4);
    assert_eq!(
        results[1]["problem"]["suggestions"][0]["question_id"],
        "explain-plans"
    );
    assert_eq!(results[2]["problem"]["errors"][0]["pointer"], "#/items/2/answer");
    assert_eq!(results[3]["problem"]["errors"][0]["pointer"], "#/items/3/answer");
    assert_eq!(results[4]["problem"]["code"], "question_not_recognised");
    assert_eq!(results[5]["result"]["candidate_ref"], "c-9");
    let mut single = json_ok(app.evaluate(&items[0]).await).await;
    let mut first = results[0]["result"].clone();
    // Each evaluation is its own record; all else is the same.
    let (a, b) = (first["evaluation_id"].take(), single["evaluation_id"].take());
    assert!(a.is_string() && b.is_string() && a != b, "{a} {b}");
    assert_eq!(first, single);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_outside_one_to_a_hundred_items_is_refused() {
    let app = spawn_app().await;
    let item = json!({"question_id": "explain-plans", "answer": "EXPLAIN ANALYZE shows a seq scan."});
    let full: Vec<Value> = vec![item.clone(); 100];
    let body = json_ok(app.post_json("/v1/evaluate/batch", &json!({"items": full})).await).await;
    assert_eq!(body["succeeded"], 100);
    for items in [vec![item.clone(); 101], Vec::new()] {
        let response = app
            .post_json("/v1/evaluate/batch", &json!({"items": items}))
            .await;
        let body = problem(response, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["pointer"], "#/items");
    }
    let response = app.post_json("/v1/evaluate/batch", &json!({})).await;
    problem(response, 422, "validation_failed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluations_are_counted_by_rating_in_the_metrics() {
    let app = spawn_app().await;
    json_ok(
        app.evaluate(&json!({"question_id": "explain-plans", "answer": "I don't know."}))
            .await,
    )
    .await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"assay_evaluations_total{rating="definitely_not"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"assay_http_requests_total{route="/v1/evaluate",method="POST",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"assay_http_request_duration_seconds_count{route="/v1/evaluate",method="POST"} 1"#),
        "{text}"
    );
}
