//! A tenant's own questions over HTTP: checked exactly like corpus files
//! (errors at JSON pointers), stored, indexed at once, and seen by no other
//! tenant.

use assay::api::Config;
use assay::store::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::app::{json_ok, problem, spawn_app, spawn_on, sqlite_store, TestApp};

/// A question of our own, in the corpus schema as JSON: the shipped
/// idempotency question under a new id and wording.
pub fn own_question(id: &str) -> Value {
    let text = std::fs::read_to_string(crate::util::root().join("corpus/idempotency-keys.toml")).unwrap();
    let mut question: Value = toml::from_str(&text).unwrap();
    question["id"] = json!(id);
    question["question"] = json!(format!(
        "How does the {id} billing API stay safe when clients retry payments?"
    ));
    question["wordings"] = json!([]);
    question
}

/// `POST /v1/questions` with `question`, in open mode.
async fn add(app: &TestApp, question: &Value) -> reqwest::Response {
    app.send_as(Method::POST, "/v1/questions", None, Some(question))
        .await
}

const ANSWER: &str = "The client sends an Idempotency-Key header; the server stores the key with a unique \
    constraint and replays the stored response when the same key comes back, so the charge happens once.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_put_is_evaluated_against_at_once() {
    let app = spawn_app().await;
    problem(
        app.evaluate(&json!({"question_id": "acme-billing", "answer": ANSWER}))
            .await,
        404,
        "question_not_found",
    )
    .await;
    let mut question = own_question("acme-billing");
    question.as_object_mut().unwrap().remove("id");
    let created = app
        .send_as(Method::PUT, "/v1/questions/acme-billing", None, Some(&question))
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/v1/questions/acme-billing");
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["id"], "acme-billing", "the path's id is used");
    assert_eq!(created["source"], "tenant");

    let evaluated = json_ok(
        app.evaluate(&json!({"question_id": "acme-billing", "answer": ANSWER}))
            .await,
    )
    .await;
    assert!(evaluated["score"].as_f64().unwrap() > 20.0, "{evaluated}");
    assert!(!evaluated["covered"].as_array().unwrap().is_empty());
    // Its wording is looked up like the bank's.
    let matched = json_ok(app.get("/v1/questions/match?q=How%20does%20the%20acme-billing%20billing%20API%20stay%20safe%20when%20clients%20retry%20payments%3F").await).await;
    assert_eq!(matched["question_id"], "acme-billing", "{matched}");
    let listed = json_ok(
        app.get("/v1/questions?q=acme-billing%20billing%20retry&limit=1")
            .await,
    )
    .await;
    assert_eq!(listed["questions"][0]["id"], "acme-billing");
    assert_eq!(listed["questions"][0]["source"], "tenant");
    let bank = json_ok(app.get("/v1/questions/caching").await).await;
    assert_eq!(bank["source"], "bank");

    // Replacing answers 200; deleting removes it from evaluation.
    let mut changed = own_question("acme-billing");
    changed["question"] = json!("How would you make acme's payment endpoint safe to retry?");
    let replaced = app
        .send_as(Method::PUT, "/v1/questions/acme-billing", None, Some(&changed))
        .await;
    assert_eq!(replaced.status(), 200);
    let shown = json_ok(app.get("/v1/questions/acme-billing").await).await;
    assert_eq!(
        shown["question"],
        "How would you make acme's payment endpoint safe to retry?"
    );
    let deleted = app
        .send_as(Method::DELETE, "/v1/questions/acme-billing", None, None)
        .await;
    assert_eq!(deleted.status(), 204);
    problem(
        app.evaluate(&json!({"question_id": "acme-billing", "answer": ANSWER}))
            .await,
        404,
        "question_not_found",
    )
    .await;
    let again = app
        .send_as(Method::DELETE, "/v1/questions/acme-billing", None, None)
        .await;
    problem(again, 404, "question_not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_question_is_refused_with_every_problem_at_its_pointer() {
    let app = spawn_app().await;
    let mut question = own_question("acme-broken");
    question["concepts"][0]["weight"] = json!(-1);
    question["concepts"][2]["id"] = json!("Not A Slug");
    question["model_answers"] = json!([question["model_answers"][0].clone()]);
    let response = add(&app, &question).await;
    let body = problem(response, 422, "validation_failed").await;
    let errors = body["errors"].as_array().unwrap();
    let at = |pointer: &str| {
        errors
            .iter()
            .find(|e| e["pointer"] == pointer)
            .unwrap_or_else(|| panic!("no error at {pointer}: {body}"))["detail"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(at("#/concepts/0/weight").contains("positive"));
    assert!(at("#/concepts/2/id").contains("lowercase"));
    // An error about a whole array of tables points at its first table.
    assert!(at("#/model_answers/0").contains("concise"));

    let mut wrong_type = own_question("acme-broken");
    wrong_type["concepts"][1]["aliases"][3] = json!(5);
    let response = add(&app, &wrong_type).await;
    let body = problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "#/concepts/1/aliases/3", "{body}");

    let mut bad_practice = own_question("acme-broken");
    bad_practice["red_flags"][0]["practices"][1] = json!("retry | & charge");
    let response = add(&app, &bad_practice).await;
    let body = problem(response, 422, "validation_failed").await;
    assert_eq!(
        body["errors"][0]["pointer"], "#/red_flags/0/practices/1",
        "{body}"
    );
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("empty alternative"),
        "{body}"
    );

    let mut unknown = own_question("acme-broken");
    unknown["colour"] = json!("red");
    let response = add(&app, &unknown).await;
    let body = problem(response, 422, "validation_failed").await;
    assert!(
        body["errors"][0]["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );

    // A wording another question claims is refused as the corpus check would.
    let mut clash = own_question("acme-clash");
    clash["wordings"] = json!(["How do you make an API endpoint idempotent?"]);
    let response = add(&app, &clash).await;
    let body = problem(response, 422, "validation_failed").await;
    assert!(
        body["detail"].as_str().unwrap().contains("idempotency-keys"),
        "{body}"
    );

    let mismatched = app
        .send_as(
            Method::PUT,
            "/v1/questions/acme-a",
            None,
            Some(&own_question("acme-b")),
        )
        .await;
    let body = problem(mismatched, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "#/id");
    // Nothing was stored.
    let list = json_ok(app.get("/v1/questions?limit=100").await).await;
    assert!(list["questions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["source"] == "bank"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_are_unique_and_the_bank_is_read_only() {
    let app = spawn_app().await;
    let created = add(&app, &own_question("acme-one")).await;
    assert_eq!(created.status(), 201);
    let twice = add(&app, &own_question("acme-one")).await;
    problem(twice, 409, "question_exists").await;
    let shadow = app
        .send_as(
            Method::PUT,
            "/v1/questions/caching",
            None,
            Some(&own_question("caching")),
        )
        .await;
    problem(shadow, 409, "question_exists").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenants_questions_are_invisible_to_another() {
    let (store, _dir) = sqlite_store().await;
    let acme = store
        .create_key("acme", "a", Role::Integration, None)
        .await
        .unwrap()
        .token;
    let globex = store
        .create_key("globex", "g", Role::Admin, None)
        .await
        .unwrap()
        .token;
    let candidate = store
        .create_key("acme", "c", Role::Candidate, None)
        .await
        .unwrap()
        .token;
    let app = spawn_on(Config::default(), store).await;
    let created = app
        .send_as(
            Method::POST,
            "/v1/questions",
            Some(&acme),
            Some(&own_question("acme-secret")),
        )
        .await;
    assert_eq!(created.status(), 201);
    let as_candidate = app
        .send_as(
            Method::POST,
            "/v1/questions",
            Some(&candidate),
            Some(&own_question("acme-c")),
        )
        .await;
    problem(as_candidate, 403, "forbidden").await;
    let evaluate = json!({"question_id": "acme-secret", "answer": ANSWER});
    let ok = app
        .send_as(Method::POST, "/v1/evaluate", Some(&candidate), Some(&evaluate))
        .await;
    assert_eq!(
        ok.status(),
        200,
        "the tenant's candidates are evaluated against it"
    );
    let other = app
        .send_as(Method::POST, "/v1/evaluate", Some(&globex), Some(&evaluate))
        .await;
    problem(other, 404, "question_not_found").await;
    let read = app
        .send_as(Method::GET, "/v1/questions/acme-secret", Some(&globex), None)
        .await;
    problem(read, 404, "question_not_found").await;
    let delete = app
        .send_as(Method::DELETE, "/v1/questions/acme-secret", Some(&globex), None)
        .await;
    problem(delete, 404, "question_not_found").await;
    let list: Value = app
        .send_as(Method::GET, "/v1/questions?limit=100", Some(&globex), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["questions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["id"] != "acme-secret"));
}
