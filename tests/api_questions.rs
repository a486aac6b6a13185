//! The question API, health, readiness, request ids and CORS over real HTTP.

use assay::api::Config;
use serde_json::json;

use crate::app::{json_ok, problem, spawn_app, spawn_with};
use crate::util::evaluator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_listed_filtered_and_searched() {
    let app = spawn_app().await;
    let all = json_ok(app.get("/v1/questions").await).await;
    let bank = evaluator().bank().questions();
    assert_eq!(all["total"], bank.len());
    assert_eq!(all["questions"].as_array().unwrap().len(), bank.len());
    assert!(all["questions"][0]["relevance"].is_null());

    let some = &bank[0];
    let tag = some.tags[0].as_str();
    let tagged = json_ok(app.get(&format!("/v1/questions?tag={tag}")).await).await;
    let expected = bank
        .iter()
        .filter(|q| q.tags.iter().any(|t| t.as_str() == tag))
        .count();
    assert_eq!(tagged["total"], expected);
    for q in tagged["questions"].as_array().unwrap() {
        assert!(q["tags"].as_array().unwrap().iter().any(|t| t == tag));
    }
    let group = some.group.as_str();
    let grouped = json_ok(app.get(&format!("/v1/questions?group={group}&limit=2")).await).await;
    assert_eq!(
        grouped["total"],
        bank.iter().filter(|q| q.group.as_str() == group).count()
    );
    assert!(grouped["questions"].as_array().unwrap().len() <= 2);

    let found = json_ok(
        app.get("/v1/questions?q=circuit%20breaker%20open%20half-open")
            .await,
    )
    .await;
    assert_eq!(found["questions"][0]["id"], "circuit-breakers");
    assert!(found["questions"][0]["relevance"].as_f64().unwrap() > 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_comes_with_its_rubric_and_unknown_ids_get_suggestions() {
    let app = spawn_app().await;
    let body = json_ok(app.get("/v1/questions/explain-plans").await).await;
    let question = evaluator().bank().get("explain-plans").unwrap();
    assert_eq!(body["id"], "explain-plans");
    assert_eq!(
        body["concepts"].as_array().unwrap().len(),
        question.concepts.len()
    );
    assert_eq!(
        body["model_answers"].as_array().unwrap().len(),
        question.model_answers.len()
    );
    assert!(body["concepts"][0]["hint"]
        .as_str()
        .is_some_and(|h| !h.is_empty()));

    let missing = problem(
        app.get("/v1/questions/explain-plan").await,
        404,
        "question_not_found",
    )
    .await;
    assert_eq!(missing["suggestions"][0]["question_id"], "explain-plans");
    assert_eq!(missing["instance"], "/v1/questions/explain-plan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wording_is_matched_with_confidence_or_refused() {
    let app = spawn_app().await;
    let found = json_ok(
        app.get("/v1/questions/match?q=What%20is%20a%20circuit%20breaker%3F")
            .await,
    )
    .await;
    assert_eq!(found["matched"], true);
    assert_eq!(found["question_id"], "circuit-breakers");
    assert!(found["confidence"].as_f64().unwrap() >= found["min_confidence"].as_f64().unwrap());

    let refused = json_ok(
        app.get("/v1/questions/match?q=How%20do%20React%20hooks%20work%3F")
            .await,
    )
    .await;
    assert_eq!(refused["matched"], false);
    assert!(refused["question_id"].is_null() && refused["confidence"].is_null());

    problem(app.get("/v1/questions/match").await, 400, "invalid_query").await;
    problem(app.get("/v1/questions/match?q=%20").await, 400, "invalid_query").await;
    problem(app.get("/v1/questions?limit=many").await, 400, "invalid_query").await;
    problem(app.get("/v1/questions?colour=red").await, 400, "invalid_query").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(json_ok(app.get("/healthz").await).await, json!({"status": "ok"}));
    let ready = json_ok(app.get("/readyz").await).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["questions"], evaluator().bank().questions().len());
    assert_eq!(ready["scoring_version"], assay::score::SCORING_VERSION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_when_sane_and_made_otherwise() {
    let app = spawn_app().await;
    let echoed = app.get_with("/healthz", "x-request-id", "trace-123").await;
    assert_eq!(echoed.headers()["x-request-id"], "trace-123");
    let made = app.get("/healthz").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    let too_long = "x".repeat(500);
    let replaced = app.get_with("/healthz", "x-request-id", &too_long).await;
    assert_ne!(replaced.headers()["x-request-id"], too_long.as_str());
    let other = app.get("/healthz").await;
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_off_by_default_and_allows_configured_origins() {
    let app = spawn_app().await;
    let plain = app.get_with("/healthz", "origin", "https://ats.example").await;
    assert!(plain.headers().get("access-control-allow-origin").is_none());
    let options = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/evaluate"))
        .send()
        .await
        .unwrap();
    problem(options, 405, "method_not_allowed").await;

    let app = spawn_with(Config {
        cors_origins: vec!["https://ats.example".to_owned()],
        ..Config::default()
    })
    .await;
    let allowed = app.get_with("/healthz", "origin", "https://ats.example").await;
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://ats.example"
    );
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/evaluate"))
        .header("origin", "https://ats.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://ats.example"
    );
    let other = app.get_with("/healthz", "origin", "https://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
