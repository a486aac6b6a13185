//! The Greenhouse Assessment Partner API against a fake Greenhouse that
//! records the PATCH sent on completion, on every store backend.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use assay::api::Config;
use assay::store::{Role, DEFAULT_TENANT};
use assay::webhooks::sender;

use crate::app::{json_ok, problem, spawn_on, spawn_open_on, TestApp, GOOD_ANSWER};
use crate::assessments::{path_of, put_set, token_of};
use crate::backends::every_store;
use crate::webhooks::fast;

/// What the fake Greenhouse saw: each PATCH's path and body, and what it answered.
#[derive(Default)]
struct Greenhouse {
    script: Vec<u16>,
    patches: Vec<(String, Value, u16)>,
}

type Shared = Arc<Mutex<Greenhouse>>;

async fn patched(State(shared): State<Shared>, Path(id): Path<String>, body: String) -> StatusCode {
    let mut greenhouse = shared.lock().await;
    let status = greenhouse
        .script
        .get(greenhouse.patches.len())
        .copied()
        .unwrap_or(200);
    let body = serde_json::from_str(&body).unwrap_or(Value::Null);
    greenhouse.patches.push((id, body, status));
    StatusCode::from_u16(status).unwrap()
}

/// A fake Greenhouse on 127.0.0.1 answering `script` first (then 200); its base URL.
async fn greenhouse(script: Vec<u16>) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Greenhouse {
        script,
        patches: Vec::new(),
    }));
    let app = axum::Router::new()
        .route("/take_home_tests/{id}", axum::routing::patch(patched))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

/// `Authorization: Basic base64(key:)`, as Greenhouse sends it.
fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

async fn call(app: &TestApp, method: &str, path: &str, key: &str, body: Option<&Value>) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.parse().unwrap(), app.url(path))
        .header("authorization", basic(key));
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// `GET /v1/assessments/{id}` with the key `token`.
async fn assessment_as(app: &TestApp, token: &str, id: &str) -> Value {
    json_ok(
        app.client
            .get(app.url(&format!("/v1/assessments/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greenhouse_sends_a_test_polls_it_and_is_called_back() {
    for (backend, store, _keep) in every_store().await {
        // Keys required: Greenhouse authenticates with the tenant's key.
        let app = spawn_on(Config::default(), store.clone()).await;
        let key = store
            .create_key(DEFAULT_TENANT, "greenhouse", Role::Integration, None)
            .await
            .unwrap()
            .token;
        let admin = store
            .create_key(DEFAULT_TENANT, "admin", Role::Admin, None)
            .await
            .unwrap()
            .token;
        let response = app
            .client
            .put(app.url("/v1/question-sets/backend-core"))
            .bearer_auth(&admin)
            .json(&json!({"name": "Backend core", "question_ids": ["explain-plans", "caching"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{backend}");

        // Without the key, or with a candidate's: refused.
        let anonymous = app.get("/greenhouse/list_tests").await;
        assert_eq!(
            anonymous.headers()["www-authenticate"],
            "Basic realm=\"assay\", charset=\"UTF-8\""
        );
        problem(anonymous, 401, "unauthorized").await;
        problem(
            call(&app, "GET", "/greenhouse/list_tests", "assay_nope", None).await,
            401,
            "unauthorized",
        )
        .await;
        let candidate = store
            .create_key(DEFAULT_TENANT, "c", Role::Candidate, None)
            .await
            .unwrap()
            .token;
        problem(
            call(&app, "GET", "/greenhouse/list_tests", &candidate, None).await,
            403,
            "forbidden",
        )
        .await;

        let tests = json_ok(call(&app, "GET", "/greenhouse/list_tests", &key, None).await).await;
        assert_eq!(
            tests,
            json!([{"partner_test_id": "backend-core", "partner_test_name": "Backend core"}])
        );

        let (greenhouse_url, seen) = greenhouse(vec![503]).await;
        let callback = format!("{greenhouse_url}/take_home_tests/4242");
        let send = json!({
            "partner_test_id": "backend-core",
            "candidate": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                          "resume_url": "https://example.com/r.pdf", "phone_number": "555"},
            "url": callback,
        });
        let sent = json_ok(call(&app, "POST", "/greenhouse/send_test", &key, Some(&send)).await).await;
        let interview = sent["partner_interview_id"].as_str().unwrap().to_owned();
        let token = token_of(sent["candidate_url"].as_str().unwrap());
        // Greenhouse retrying the same send gets the same interview.
        let again = json_ok(call(&app, "POST", "/greenhouse/send_test", &key, Some(&send)).await).await;
        assert_eq!(again["partner_interview_id"], interview.as_str(), "{backend}");

        let status_path = format!("/greenhouse/test_status?partner_interview_id={interview}");
        let status = json_ok(call(&app, "GET", &status_path, &key, None).await).await;
        assert_eq!(status["partner_status"], "sent");
        assert!(status["partner_score"].is_null());
        assert!(
            path_of(status["partner_profile_url"].as_str().unwrap()).starts_with(&format!("/r/{interview}?"))
        );

        // The candidate takes it at their link.
        let take = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
        assert_eq!(take["candidate_name"], "Grace Hopper");
        let saved = app
            .client
            .put(app.url(&format!("/v1/take/{token}/answers/0")))
            .json(&json!({"answer": GOOD_ANSWER}))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 200);
        let status = json_ok(call(&app, "GET", &status_path, &key, None).await).await;
        assert_eq!(status["partner_status"], "started");
        // The candidate's request names another host: links made from it
        // must not point there.
        let submitted = app
            .client
            .post(app.url(&format!("/v1/take/{token}/submit")))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status(), 200);

        // Complete: score, profile URL, flat metadata with the scale mappings.
        let status = json_ok(call(&app, "GET", &status_path, &key, None).await).await;
        assert_eq!(status["partner_status"], "complete", "{backend}");
        let score = status["partner_score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= 100.0);
        let metadata = status["metadata"].as_object().unwrap();
        assert!(
            metadata.values().all(|v| !v.is_object() && !v.is_array()),
            "flat: {metadata:?}"
        );
        let verdict = metadata["Recommendation"].as_str().unwrap();
        let lever = metadata["Lever score (1-4)"].as_u64().unwrap();
        let workable = metadata["Workable stars (0-4)"].as_u64().unwrap();
        let expected = match verdict {
            "definitely_not" => (1, 0),
            "no" => (2, 1),
            "mixed" => (2, 2),
            "yes" => (3, 3),
            "strong_yes" => (4, 4),
            other => panic!("not a Greenhouse rating: {other}"),
        };
        assert_eq!((lever, workable), expected);
        assert_eq!(metadata["Questions"], 2);
        assert_eq!(metadata["Answered"], 1);
        // The report link it hands out opens the report.
        let profile = path_of(status["partner_profile_url"].as_str().unwrap());
        let (_, query) = profile.split_once('?').unwrap();
        let report = json_ok(app.get(&format!("/v1/reports/{interview}?{query}")).await).await;
        assert_eq!(report["score"], status["partner_score"]);

        // The PATCH: refused once (503), retried, accepted; nothing after.
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !seen.lock().await.patches.iter().any(|(_, _, s)| *s == 200) {
            assert!(Instant::now() < deadline, "{backend}: no callback accepted");
            sender::send_due_callbacks(&store, &client, &fast())
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for _ in 0..5 {
            sender::send_due_callbacks(&store, &client, &fast())
                .await
                .unwrap();
        }
        let patches = seen.lock().await.patches.clone();
        assert_eq!(
            patches.len(),
            2,
            "{backend}: {:?}",
            patches.iter().map(|p| p.2).collect::<Vec<_>>()
        );
        assert!(patches.iter().all(|(id, _, _)| id == "4242"));
        let body = &patches[1].1;
        assert_eq!(body["partner_interview_id"], interview.as_str());
        assert_eq!(body["partner_status"], "complete");
        assert_eq!(body["partner_score"], status["partner_score"]);
        assert_eq!(body["metadata"]["Recommendation"], verdict);
        // The Host header does reach the server: the sender's own request
        // with it (authenticated) gets its links on that host.
        let hosted: Value = app
            .client
            .post(app.url("/greenhouse/send_test"))
            .header("authorization", basic(&key))
            .header("host", "assay.example.com")
            .json(&json!({"partner_test_id": "backend-core"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            hosted["candidate_url"]
                .as_str()
                .unwrap()
                .starts_with("http://assay.example.com/a/"),
            "{hosted}"
        );
        let profile_url = body["partner_profile_url"].as_str().unwrap();
        assert!(
            profile_url.starts_with(&app.url(&format!("/r/{interview}?"))),
            "{profile_url}"
        );
        let got = assessment_as(&app, &admin, &interview).await;
        assert_eq!(got["source"], "greenhouse");
        assert_eq!(got["callback"]["status"], "delivered", "{backend}");
        assert_eq!(got["callback"]["attempts"], 2);

        // Greenhouse reports an error about it: kept on the assessment.
        let report_error =
            json!({"partner_interview_id": interview, "message": "partner_score must be an integer"});
        let answer = json_ok(
            call(
                &app,
                "POST",
                "/greenhouse/response_error",
                &key,
                Some(&report_error),
            )
            .await,
        )
        .await;
        assert_eq!(answer, json!({"received": true, "recorded": true}));
        let got = assessment_as(&app, &admin, &interview).await;
        assert!(got["partner_error"]
            .as_str()
            .unwrap()
            .contains("must be an integer"));

        // Unknown interviews and tests; a missing parameter.
        problem(
            call(
                &app,
                "GET",
                "/greenhouse/test_status?partner_interview_id=as_nope",
                &key,
                None,
            )
            .await,
            404,
            "assessment_not_found",
        )
        .await;
        problem(
            call(&app, "GET", "/greenhouse/test_status", &key, None).await,
            400,
            "invalid_query",
        )
        .await;
        let unknown = json!({"partner_test_id": "nope", "candidate": {"email": "x@example.com"}});
        problem(
            call(&app, "POST", "/greenhouse/send_test", &key, Some(&unknown)).await,
            404,
            "question_set_not_found",
        )
        .await;
        let bad = json!({"partner_test_id": "backend-core", "url": "ftp://greenhouse.example.com/x"});
        problem(
            call(&app, "POST", "/greenhouse/send_test", &key, Some(&bad)).await,
            422,
            "validation_failed",
        )
        .await;
        app.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_that_never_succeeds_gives_up_and_polling_still_works() {
    let (store, _dir) = crate::app::sqlite_store().await;
    let app = spawn_open_on(store.clone()).await;
    put_set(&app).await;
    let key = store
        .create_key(DEFAULT_TENANT, "greenhouse", Role::Integration, None)
        .await
        .unwrap()
        .token;
    let (greenhouse_url, seen) = greenhouse(vec![500; 10]).await;
    let send = json!({"partner_test_id": "backend-core", "candidate": {"first_name": "Ann"},
                      "url": format!("{greenhouse_url}/take_home_tests/1")});
    let sent = json_ok(call(&app, "POST", "/greenhouse/send_test", &key, Some(&send)).await).await;
    let token = token_of(sent["candidate_url"].as_str().unwrap());
    let submitted = app
        .client
        .post(app.url(&format!("/v1/take/{token}/submit")))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 200);
    let config = fast();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let id = sent["partner_interview_id"].as_str().unwrap();
    loop {
        sender::send_due_callbacks(&store, &client, &config)
            .await
            .unwrap();
        let assessment = store.assessment(DEFAULT_TENANT, id).await.unwrap().unwrap();
        if assessment.callback_status.as_deref() == Some("failed") {
            assert_eq!(assessment.callback_attempts, i64::from(config.max_attempts));
            assert_eq!(assessment.callback_error.as_deref(), Some("answered 500"));
            break;
        }
        assert!(Instant::now() < deadline, "the callback never gave up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen.lock().await.patches.len(), config.max_attempts as usize);
    // Greenhouse still learns the result by polling.
    let status = json_ok(
        call(
            &app,
            "GET",
            &format!("/greenhouse/test_status?partner_interview_id={id}"),
            &key,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status["partner_status"], "complete");
    // An unanswered assessment scores 0 and is not recommended.
    assert_eq!(status["partner_score"], 0.0);
    assert_eq!(status["metadata"]["Recommendation"], "definitely_not");
    app.stop().await.unwrap();
}
