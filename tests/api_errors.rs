//! Every error the API names, and hostile input: each is a problem+json
//! response with the right status, never a panic, an HTML page or a trace.

use serde_json::json;

use crate::app::{problem, spawn_app, GOOD_ANSWER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_are_refused() {
    let app = spawn_app().await;
    let cases: [(Option<&str>, &[u8], u16, &str); 6] = [
        (Some("application/json"), b"{\"answer\": ", 400, "malformed_json"),
        (Some("application/json"), b"", 400, "malformed_json"),
        (Some("application/json"), b"\xff\xfe{}", 400, "malformed_json"),
        (
            Some("application/json"),
            b"{\"question_id\": \"caching\", \"answer\": \"\xc3\x28\"}",
            400,
            "malformed_json",
        ),
        (Some("text/plain"), b"{}", 415, "unsupported_media_type"),
        (None, b"{}", 415, "unsupported_media_type"),
    ];
    for (content_type, body, status, code) in cases {
        let response = app.post_raw("/v1/evaluate", content_type, body.to_vec()).await;
        problem(response, status, code).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_json_is_malformed_not_a_stack_overflow() {
    let app = spawn_app().await;
    // A batch item is read as any JSON value first: the parser's depth limit holds.
    let deep = format!(r#"{{"items": [{}{}]}}"#, "[".repeat(30_000), "]".repeat(30_000));
    let response = app
        .post_raw("/v1/evaluate/batch", Some("application/json"), deep.into_bytes())
        .await;
    let body = problem(response, 400, "malformed_json").await;
    assert!(
        body["detail"].as_str().unwrap().contains("recursion limit"),
        "{body}"
    );
    // A single request is a typed object: an array is the wrong type at once.
    let deep = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let response = app
        .post_raw("/v1/evaluate", Some("application/json"), deep.into_bytes())
        .await;
    problem(response, 422, "validation_failed").await;
    // Nesting where a string belongs is the wrong type, found before any recursion.
    let nested_value = format!(
        r#"{{"question_id": "caching", "answer": {}1{}}}"#,
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let response = app
        .post_raw(
            "/v1/evaluate",
            Some("application/json"),
            nested_value.into_bytes(),
        )
        .await;
    let body = problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "#/answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413() {
    let app = spawn_app().await;
    let just_over = format!(
        r#"{{"question_id": "caching", "answer": "{}"}}"#,
        "a".repeat(64 * 1024)
    );
    let body = problem(
        app.post_raw("/v1/evaluate", Some("application/json"), just_over.into_bytes())
            .await,
        413,
        "payload_too_large",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("65536"), "{body}");
    let ten_mb = vec![b'a'; 10 * 1024 * 1024];
    problem(
        app.post_raw("/v1/evaluate", Some("application/json"), ten_mb)
            .await,
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_that_are_missing_wrong_or_out_of_range_are_422_with_pointers() {
    let app = spawn_app().await;
    let too_long = "word ".repeat(7_000);
    let cases = [
        (json!({"question_id": "caching", "answer": ""}), "#/answer"),
        (json!({"question_id": "caching", "answer": " \n\t "}), "#/answer"),
        (json!({"question_id": "caching"}), "#/answer"),
        (json!({"question_id": "caching", "answer": too_long}), "#/answer"),
        (json!({"question_id": "caching", "answer": 12}), "#/answer"),
        (
            json!({"question_id": ["caching"], "answer": GOOD_ANSWER}),
            "#/question_id",
        ),
        (json!({"answer": GOOD_ANSWER}), "#/question_id"),
        (
            json!({"question_id": "caching", "question": "How do you cache?", "answer": GOOD_ANSWER}),
            "#/question",
        ),
        (
            json!({"question_id": "caching", "answer": GOOD_ANSWER, "rating_thresholds": {"no": 90, "yes": 50, "strong_yes": 95}}),
            "#/rating_thresholds",
        ),
        (
            json!({"question_id": "caching", "answer": GOOD_ANSWER, "rating_thresholds": {"no": "low"}}),
            "#/rating_thresholds/no",
        ),
        (
            json!({"question_id": "caching", "answer": GOOD_ANSWER, "candidate_ref": "x".repeat(300)}),
            "#/candidate_ref",
        ),
        (
            json!({"question_id": "caching", "answer": GOOD_ANSWER, "score": 100}),
            "#/score",
        ),
        (json!(["caching", GOOD_ANSWER]), "#"),
        (json!("answer"), "#"),
    ];
    for (body, pointer) in cases {
        let response = app.evaluate(&body).await;
        let problem = problem(response, 422, "validation_failed").await;
        let pointers: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert!(pointers.contains(&pointer), "{pointer} not in {problem}");
    }
    // Every problem in one go.
    let response = app.evaluate(&json!({"answer": "", "candidate_ref": ""})).await;
    let body = problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 3, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_questions_get_the_closest_suggestions() {
    let app = spawn_app().await;
    let by_id = problem(
        app.evaluate(&json!({"question_id": "circuit-breaker", "answer": GOOD_ANSWER}))
            .await,
        404,
        "question_not_found",
    )
    .await;
    assert_eq!(by_id["suggestions"][0]["question_id"], "circuit-breakers");
    let by_wording = problem(
        app.evaluate(
            &json!({"question": "Explain Rust lifetimes and the borrow checker.", "answer": GOOD_ANSWER}),
        )
        .await,
        422,
        "question_not_recognised",
    )
    .await;
    assert!(by_wording["suggestions"].is_array(), "{by_wording}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_wrong_methods_are_problems_too() {
    let app = spawn_app().await;
    let body = problem(app.get("/v2/evaluate").await, 404, "not_found").await;
    assert_eq!(body["instance"], "/v2/evaluate");
    problem(app.get("/").await, 404, "not_found").await;
    let wrong = app.get("/v1/evaluate").await;
    assert_eq!(wrong.headers()["allow"], "POST");
    problem(wrong, 405, "method_not_allowed").await;
    let patch = app
        .client
        .patch(app.url("/v1/questions/caching"))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.headers()["allow"], "GET,HEAD,PUT,DELETE");
    problem(patch, 405, "method_not_allowed").await;
    let post = app.post_json("/healthz", &json!({})).await;
    problem(post, 405, "method_not_allowed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strange_but_valid_answers_are_evaluated() {
    let app = spawn_app().await;
    for answer in [
        "\u{0}\u{1}\u{7f}",
        "🙂🙂🙂 EXPLAIN 🙂",
        "e\u{301}xplain",
        "\u{202e}EXPLAIN ANALYZE",
        "<script>alert(1)</script>",
    ] {
        let response = app
            .evaluate(&json!({"question_id": "explain-plans", "answer": answer}))
            .await;
        assert_eq!(response.status(), 200, "{answer:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["score"].as_f64().is_some());
    }
}
