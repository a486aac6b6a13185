//! Assessments end to end over HTTP, on every store backend: question sets,
//! sending one to a candidate, saving as they go, submitting once, the
//! report behind a signed link, and `assessment.completed`.

use assay::assess::ReportLinks;
use assay::store::{now_ms, NewAssessment, QuestionSet, Role, Store, DEFAULT_TENANT};
use serde_json::{json, Value};

use crate::app::{json_ok, problem, spawn_open_on, TestApp, GOOD_ANSWER};
use crate::backends::every_store;
use crate::util::shared_evaluator;
use crate::webhooks::{fast, receiver, send_until};

/// The set every test sends: two bank questions.
pub async fn put_set(app: &TestApp) -> Value {
    let response = app
        .client
        .put(app.url("/v1/question-sets/backend-core"))
        .json(&json!({"name": "Backend core", "question_ids": ["explain-plans", "caching"], "time_limit_hours": 48}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status() == 201 || response.status() == 200,
        "{}",
        response.status()
    );
    response.json().await.unwrap()
}

/// Sends the set to a candidate; the response, with its `candidate_url`.
pub async fn send_set(app: &TestApp) -> Value {
    let response = app
        .post_json(
            "/v1/assessments",
            &json!({"question_set_id": "backend-core", "candidate_ref": "cand-7", "candidate_name": "Ada Lovelace"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The path of `url` (`http://host/a/x` → `/a/x`).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or("/".to_owned(), |i| rest[i..].to_owned())
}

/// The token at the end of a candidate URL.
pub fn token_of(candidate_url: &str) -> String {
    candidate_url.rsplit('/').next().unwrap().to_owned()
}

async fn save(app: &TestApp, token: &str, position: usize, answer: &str) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/v1/take/{token}/answers/{position}")))
        .json(&json!({"answer": answer}))
        .send()
        .await
        .unwrap()
}

async fn submit(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/take/{token}/submit")))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_is_taken_submitted_once_and_reported() {
    for (backend, store, _keep) in every_store().await {
        let app = spawn_open_on(store.clone()).await;
        let set = put_set(&app).await;
        assert_eq!(
            set["question_ids"],
            json!(["explain-plans", "caching"]),
            "{backend}"
        );
        assert_eq!(set["time_limit_hours"], 48);
        let listed = json_ok(app.get("/v1/question-sets").await).await;
        assert_eq!(listed["question_sets"][0]["name"], "Backend core");

        let (hook_url, hooks) = receiver(vec![]).await;
        let endpoint: Value = app
            .post_json(
                "/v1/webhooks",
                &json!({"url": hook_url, "events": ["assessment.completed"]}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(endpoint["secret"].as_str().unwrap().starts_with("whsec_"));

        let sent = send_set(&app).await;
        assert_eq!(sent["status"], "sent", "{backend}");
        let id = sent["id"].as_str().unwrap().to_owned();
        let token = token_of(sent["candidate_url"].as_str().unwrap());
        assert_eq!(
            path_of(sent["candidate_url"].as_str().unwrap()),
            format!("/a/{token}")
        );

        // The candidate's view: the questions, nothing of the rubric.
        let view = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
        assert_eq!(view["status"], "sent");
        assert_eq!(view["candidate_name"], "Ada Lovelace");
        assert_eq!(view["questions"].as_array().unwrap().len(), 2);
        let text = view.to_string();
        for hidden in ["model_answers", "concepts", "score", "hint"] {
            assert!(!text.contains(hidden), "the candidate sees `{hidden}`: {text}");
        }

        // Saved as they go; the last save wins.
        json_ok(save(&app, &token, 0, "a first draft").await).await;
        let saved = json_ok(save(&app, &token, 0, GOOD_ANSWER).await).await;
        assert_eq!(saved["words"], GOOD_ANSWER.split_whitespace().count());
        let view = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
        assert_eq!(view["status"], "started");
        assert_eq!(view["questions"][0]["answer"], GOOD_ANSWER);
        assert!(view["questions"][1]["answer"].is_null());
        problem(save(&app, &token, 2, "x").await, 400, "bad_request").await;
        problem(
            save(&app, &"ab".repeat(24), 0, "x").await,
            404,
            "assessment_not_found",
        )
        .await;
        problem(app.get("/v1/take/not-a-token").await, 404, "assessment_not_found").await;

        // An evaluation, which the endpoint does not receive, must not
        // silence the tenant's assessment events.
        json_ok(
            app.evaluate(&json!({"question_id": "caching", "answer": GOOD_ANSWER}))
                .await,
        )
        .await;

        // Submitted once; after that nothing changes.
        let submitted = json_ok(submit(&app, &token).await).await;
        assert_eq!(submitted["status"], "completed");
        problem(submit(&app, &token).await, 409, "assessment_submitted").await;
        problem(
            save(&app, &token, 1, "too late").await,
            409,
            "assessment_submitted",
        )
        .await;

        // The sender's view: scores per question, the mean, the recommendation.
        let direct = shared_evaluator().evaluate("explain-plans", GOOD_ANSWER).unwrap();
        let got = json_ok(app.get(&format!("/v1/assessments/{id}")).await).await;
        assert_eq!(got["status"], "completed", "{backend}");
        assert_eq!(got["questions"][0]["score"], json!(direct.score));
        assert!(got["questions"][1]["score"].is_null());
        assert_eq!(got["score"], json!((direct.score / 2.0 * 10.0).round() / 10.0));
        assert!(got.get("candidate_url").is_none(), "the token is shown only once");
        let recommendation = &got["recommendation"];
        assert!(recommendation["summary"]
            .as_str()
            .unwrap()
            .contains("1 left unanswered"));
        assert!(["definitely_not", "no", "mixed", "yes", "strong_yes"]
            .contains(&recommendation["greenhouse"].as_str().unwrap()));

        // The report, behind its signed link.
        let report_path = path_of(got["report_url"].as_str().unwrap());
        let page = app.get(&report_path).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let (_, query) = report_path.split_once('?').unwrap();
        let report = json_ok(app.get(&format!("/v1/reports/{id}?{query}")).await).await;
        assert_eq!(report["score"], got["score"]);
        assert_eq!(report["questions"][0]["answer"], GOOD_ANSWER);
        assert_eq!(report["questions"][0]["evaluation"]["score"], json!(direct.score));
        let evidence = &report["questions"][0]["evaluation"]["covered"][0]["evidence"][0];
        let (start, end) = (
            evidence["start"].as_u64().unwrap() as usize,
            evidence["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&GOOD_ANSWER[start..end], evidence["text"].as_str().unwrap());
        // Another id, a longer life or a changed signature: refused.
        let forged = query.replace("signature=", "signature=0");
        problem(
            app.get(&format!("/v1/reports/{id}?{forged}")).await,
            403,
            "link_invalid",
        )
        .await;
        let expires: i64 = query
            .split('&')
            .next()
            .unwrap()
            .trim_start_matches("expires=")
            .parse()
            .unwrap();
        let longer = query.replace(&expires.to_string(), &(expires + 1).to_string());
        problem(
            app.get(&format!("/v1/reports/{id}?{longer}")).await,
            403,
            "link_invalid",
        )
        .await;
        problem(
            app.get(&format!("/v1/reports/as_other?{query}")).await,
            403,
            "link_invalid",
        )
        .await;
        problem(app.get(&format!("/v1/reports/{id}")).await, 403, "link_invalid").await;

        // assessment.completed reaches the tenant's endpoint, signed.
        send_until(&store, &fast(), &hooks, |r| !r.seen.is_empty()).await;
        let seen = hooks.lock().await.seen.clone();
        let event: Value = serde_json::from_str(&seen[0].body).unwrap();
        assert_eq!(event["type"], "assessment.completed", "{backend}");
        assert_eq!(event["data"]["assessment_id"], id.as_str());
        assert_eq!(event["data"]["score"], got["score"]);
        assert_eq!(event["data"]["candidate_ref"], "cand-7");
        assay::webhooks::verify(
            endpoint["secret"].as_str().unwrap(),
            &seen[0].id,
            seen[0].timestamp,
            seen[0].body.as_bytes(),
            &seen[0].signature,
            seen[0].timestamp,
            60,
        )
        .expect("signed with the endpoint's secret");

        // Erased on request: the candidate's link, the report and the record go.
        let erased = app
            .client
            .delete(app.url(&format!("/v1/assessments/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(erased.status(), 204, "{backend}");
        problem(
            app.get(&format!("/v1/take/{token}")).await,
            404,
            "assessment_not_found",
        )
        .await;
        problem(
            app.get(&format!("/v1/reports/{id}?{query}")).await,
            404,
            "assessment_not_found",
        )
        .await;
        problem(
            app.get(&format!("/v1/assessments/{id}")).await,
            404,
            "assessment_not_found",
        )
        .await;
        let again = app
            .client
            .delete(app.url(&format!("/v1/assessments/{id}")))
            .send()
            .await
            .unwrap();
        problem(again, 404, "assessment_not_found").await;
        app.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_complete_once() {
    for (backend, store, _keep) in every_store().await {
        let app = spawn_open_on(store).await;
        put_set(&app).await;
        let sent = send_set(&app).await;
        let token = token_of(sent["candidate_url"].as_str().unwrap());
        json_ok(
            save(
                &app,
                &token,
                1,
                "Cache-aside with a TTL, and invalidate on write.",
            )
            .await,
        )
        .await;
        let statuses = futures_join(&app, &token, 6).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{backend}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409),
            "{backend}: {statuses:?}"
        );
        app.stop().await.unwrap();
    }
}

/// `n` submissions at once; their statuses.
async fn futures_join(app: &TestApp, token: &str, n: usize) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url) = (app.client.clone(), app.url(&format!("/v1/take/{token}/submit")));
        tasks.spawn(async move { client.post(url).send().await.unwrap().status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses
}

/// An assessment of the `backend-core` set stored directly, due at `deadline_ms`.
async fn stored(store: &Store, deadline_ms: i64) -> (String, String) {
    let set = QuestionSet {
        id: "backend-core".into(),
        name: "Backend core".into(),
        question_ids: vec!["caching".into()],
        time_limit_ms: 3_600_000,
        created_ms: 0,
        updated_ms: 0,
    };
    store.put_question_set(DEFAULT_TENANT, &set).await.unwrap();
    let (assessment, token) = store
        .create_assessment(NewAssessment {
            tenant: DEFAULT_TENANT.into(),
            question_set: set,
            wordings: vec!["How do you cache?".into()],
            source: "api",
            candidate_ref: None,
            candidate_name: None,
            deadline_ms,
            callback_url: None,
            link_base: None,
        })
        .await
        .unwrap();
    (assessment.id, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_deadline_nothing_is_saved_or_submitted() {
    for (backend, store, _keep) in every_store().await {
        let app = spawn_open_on(store.clone()).await;
        let (_, token) = stored(&store, now_ms() - 1).await;
        let view = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
        assert_eq!(view["status"], "expired", "{backend}");
        problem(save(&app, &token, 0, "late").await, 410, "assessment_expired").await;
        problem(submit(&app, &token).await, 410, "assessment_expired").await;
        let view = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
        assert!(
            view["questions"][0]["answer"].is_null(),
            "{backend}: a late save was kept"
        );
        app.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_report_link_is_gone_and_says_so() {
    let (store, _dir) = crate::app::sqlite_store().await;
    let app = spawn_open_on(store.clone()).await;
    let (id, _) = stored(&store, now_ms() + 60_000).await;
    let links = ReportLinks::new(&store.report_link_secret().await.unwrap());
    let past = now_ms() / 1000 - 10;
    let query = links.query(&id, past);
    problem(
        app.get(&format!("/v1/reports/{id}?{query}")).await,
        410,
        "link_expired",
    )
    .await;
    // The same secret on every call: a link signed now verifies.
    let query = links.query(&id, now_ms() / 1000 + 60);
    let report = json_ok(app.get(&format!("/v1/reports/{id}?{query}")).await).await;
    assert_eq!(report["status"], "sent");
    assert!(report["questions"][0]["evaluation"].is_null());
    assert_eq!(report["recommendation"]["greenhouse"], "no_decision");
    app.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sets_and_sends_are_refused_at_their_fields() {
    let (store, _dir) = crate::app::sqlite_store().await;
    let app = spawn_open_on(store.clone()).await;
    let response = app
        .client
        .put(app.url("/v1/question-sets/Bad_Id"))
        .json(&json!({"name": "", "question_ids": ["caching", "no-such-question", "caching"], "time_limit_hours": 0}))
        .send()
        .await
        .unwrap();
    let body = problem(response, 422, "validation_failed").await;
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "#",
            "#/name",
            "#/question_ids/1",
            "#/question_ids/2",
            "#/time_limit_hours"
        ]
    );
    problem(
        app.post_json("/v1/assessments", &json!({"question_set_id": "nope"}))
            .await,
        404,
        "question_set_not_found",
    )
    .await;
    let body = problem(
        app.post_json(
            "/v1/assessments",
            &json!({"question_set_id": "nope", "callback_url": "http://example.com/x", "candidate_ref": ""}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");
    // Candidates may not send assessments.
    let candidate = store
        .create_key(DEFAULT_TENANT, "c", Role::Candidate, None)
        .await
        .unwrap()
        .token;
    let response = app
        .client
        .post(app.url("/v1/assessments"))
        .bearer_auth(&candidate)
        .json(&json!({"question_set_id": "backend-core"}))
        .send()
        .await
        .unwrap();
    problem(response, 403, "forbidden").await;
    app.stop().await.unwrap();
}
