//! Several instances on one PostgreSQL: records, keys, idempotency keys and
//! tenant questions are shared, and a retry after an instance is killed
//! mid-request completes exactly once. Runs when `ASSAY_TEST_DATABASE_URL`
//! names a server (CI starts one).

use std::io::BufRead;
use std::process::Child;
use std::time::{Duration, Instant};

use assay::api::Config;
use assay::store::{RecordFilter, Role, Scope, Store};
use reqwest::Method;
use serde_json::{json, Value};

use crate::app::{spawn_on, TestApp, GOOD_ANSWER};
use crate::backends::postgres_url;

/// Settings that make cross-instance effects quick to observe.
fn quick() -> Config {
    Config {
        question_poll: Duration::from_millis(100),
        auth_cache: Duration::from_millis(200),
        ..Config::default()
    }
}

/// Polls `check` every 50 ms for up to 10 s; how long it took to pass.
async fn eventually<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if check().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_records_keys_idempotency_and_questions() {
    let Some(url) = postgres_url().await else { return };
    let a_store = Store::connect(&url).await.expect("connects");
    let b_store = Store::connect(&url).await.expect("connects");
    let admin = a_store
        .create_key("acme", "ops", Role::Admin, None)
        .await
        .unwrap()
        .token;
    let a = spawn_on(quick(), a_store).await;
    let b = spawn_on(quick(), b_store).await;
    let token = Some(admin.as_str());

    // A record made on one instance is read on the other.
    let body = json!({"question_id": "caching", "answer": GOOD_ANSWER, "candidate_ref": "shared"});
    let made: Value = a
        .send_as(Method::POST, "/v1/evaluate", token, Some(&body))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/evaluations/{}", made["evaluation_id"].as_str().unwrap());
    let read: Value = b
        .send_as(Method::GET, &path, token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["result"], made);

    // An idempotent response stored by one instance is replayed by the other.
    let first = post_idempotent(&a, &admin, "shared-key", &body).await;
    assert_eq!(first.status(), 200);
    let first = first.bytes().await.unwrap();
    let replay = post_idempotent(&b, &admin, "shared-key", &body).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.bytes().await.unwrap(), first);

    // Concurrent retries of one key across both instances: one evaluation.
    let race = json!({"question_id": "caching", "answer": GOOD_ANSWER, "candidate_ref": "race"});
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, url) = if i % 2 == 0 {
            (&a, a.url("/v1/evaluate"))
        } else {
            (&b, b.url("/v1/evaluate"))
        };
        let request = client
            .client
            .post(url)
            .bearer_auth(&admin)
            .header("idempotency-key", "race-key")
            .json(&race);
        tasks.push(tokio::spawn(async move { request.send().await }));
    }
    let mut bodies = Vec::new();
    for task in tasks {
        let response = task.await.unwrap().expect("completes");
        match response.status().as_u16() {
            200 => bodies.push(response.bytes().await.unwrap()),
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(!bodies.is_empty());
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every 200 is the same response"
    );
    assert_eq!(count(&a.store, "acme", "race").await, 1);

    // A question added on one instance is evaluated against on the other.
    let question = crate::api_tenant_questions::own_question("acme-shared");
    let created = a
        .send_as(Method::POST, "/v1/questions", token, Some(&question))
        .await;
    assert_eq!(created.status(), 201);
    let evaluate = json!({"question_id": "acme-shared", "answer": GOOD_ANSWER});
    let took = eventually("the other instance seeing the question", || async {
        b.send_as(Method::POST, "/v1/evaluate", token, Some(&evaluate))
            .await
            .status()
            == 200
    })
    .await;
    eprintln!("the question reached the other instance in {took:?}");

    // A key revoked on one instance stops working on the other.
    let revoked = a_key(&a, &admin).await;
    assert_eq!(
        b.send_as(Method::GET, "/v1/evaluations", Some(&revoked.1), None)
            .await
            .status(),
        200
    );
    let gone = a
        .send_as(Method::DELETE, &format!("/v1/keys/{}", revoked.0), token, None)
        .await;
    assert_eq!(gone.status(), 200);
    eventually("the other instance refusing the revoked key", || async {
        b.send_as(Method::GET, "/v1/evaluations", Some(&revoked.1), None)
            .await
            .status()
            == 401
    })
    .await;
}

async fn post_idempotent(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/evaluate"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("completes")
}

/// Creates a candidate key over the API; its id and token.
async fn a_key(app: &TestApp, admin: &str) -> (String, String) {
    let created: Value = app
        .send_as(
            Method::POST,
            "/v1/keys",
            Some(admin),
            Some(&json!({"name": "short-lived", "role": "candidate"})),
        )
        .await
        .json()
        .await
        .unwrap();
    (
        created["key"]["id"].as_str().unwrap().to_owned(),
        created["token"].as_str().unwrap().to_owned(),
    )
}

/// Records of `candidate` in `tenant`.
async fn count(store: &Store, tenant: &str, candidate: &str) -> usize {
    let page = store
        .evaluations(
            &Scope::Tenant(tenant.into()),
            &RecordFilter {
                candidate_ref: Some(candidate.into()),
                limit: 1000,
                ..RecordFilter::default()
            },
        )
        .await
        .expect("lists");
    page.records.len()
}

/// `assay serve` on `url`, leasing idempotency keys for one second; the
/// child and the address it listens on.
fn serve_binary(url: &str) -> (Child, String) {
    let (child, addr, log) = crate::util::serve_binary(
        &["--idempotency-lease", "1"],
        &[("ASSAY_DATABASE_URL", std::ffi::OsStr::new(url))],
    );
    // Keep draining the log so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in log.lines() {});
    (child, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_an_instance_is_killed_mid_request_completes_exactly_once() {
    let Some(url) = postgres_url().await else { return };
    let store = Store::connect(&url).await.expect("connects");
    let admin = store
        .create_key("acme", "ops", Role::Admin, None)
        .await
        .unwrap()
        .token;
    let (mut doomed, addr) = serve_binary(&url);

    // Twenty batches of fifty answers each, sent at once; the instance is
    // killed while they are being evaluated and recorded.
    let batch = |n: usize| {
        let items: Vec<Value> = (0..50)
            .map(|i| json!({"question_id": "caching", "answer": format!("{GOOD_ANSWER} ({i})"), "candidate_ref": format!("kill-{n}")}))
            .collect();
        json!({ "items": items })
    };
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut first_tries = Vec::new();
    for n in 0..20 {
        let request = client
            .post(format!("http://{addr}/v1/evaluate/batch"))
            .bearer_auth(&admin)
            .header("idempotency-key", format!("kill-{n}"))
            .json(&batch(n));
        first_tries.push(tokio::spawn(async move {
            match request.send().await {
                Ok(response) if response.status() == 200 => response.bytes().await.ok(),
                _ => None,
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(40)).await;
    doomed.kill().expect("SIGKILL");
    let _ = doomed.wait();
    let mut answered_before = Vec::new();
    for task in first_tries {
        answered_before.push(task.await.unwrap());
    }

    // Every batch is retried on a surviving instance until it completes.
    let survivor = spawn_on(Config::default(), store.clone()).await;
    for (n, before) in answered_before.iter().enumerate() {
        let mut attempts = 0;
        let bytes = loop {
            attempts += 1;
            let response = survivor
                .client
                .post(survivor.url("/v1/evaluate/batch"))
                .bearer_auth(&admin)
                .header("idempotency-key", format!("kill-{n}"))
                .json(&batch(n))
                .send()
                .await
                .expect("completes");
            match response.status().as_u16() {
                200 => break response.bytes().await.unwrap(),
                409 => {
                    assert!(attempts < 50, "batch {n} never completed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                other => panic!("batch {n}: unexpected status {other}"),
            }
        };
        if let Some(before) = before {
            assert_eq!(
                &bytes, before,
                "batch {n}: a completed batch is replayed, not redone"
            );
        }
        assert_eq!(
            count(&store, "acme", &format!("kill-{n}")).await,
            50,
            "batch {n}: each answer recorded once"
        );
    }
    let finished = answered_before.iter().filter(|b| b.is_some()).count();
    eprintln!("{finished} of 20 batches completed before the kill; all 20 exactly once after");
}
