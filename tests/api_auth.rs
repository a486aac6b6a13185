//! API keys and roles over HTTP: 401 without a valid key, 403 for a role
//! that may not, 429 over a key's rate limit, and nothing across tenants.

use assay::api::Config;
use assay::store::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::app::{problem, spawn_on, sqlite_store, TestApp, GOOD_ANSWER};

/// A server that requires keys, with one key per role in tenant `acme` and
/// an admin in tenant `globex`.
struct Keys {
    app: TestApp,
    admin: String,
    integration: String,
    candidate: String,
    other_tenant: String,
    _dir: tempfile::TempDir,
}

async fn secured(config: Config) -> Keys {
    let (store, dir) = sqlite_store().await;
    let key = |tenant: &'static str, role| {
        let store = store.clone();
        async move {
            store
                .create_key(tenant, &format!("{role} key"), role, None)
                .await
                .expect("creates a key")
                .token
        }
    };
    let admin = key("acme", Role::Admin).await;
    let integration = key("acme", Role::Integration).await;
    let candidate = key("acme", Role::Candidate).await;
    let other_tenant = key("globex", Role::Admin).await;
    let app = spawn_on(config, store).await;
    Keys {
        app,
        admin,
        integration,
        candidate,
        other_tenant,
        _dir: dir,
    }
}

fn evaluation() -> Value {
    json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "cand-1"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_valid_key_are_refused() {
    let keys = secured(Config::default()).await;
    let app = &keys.app;
    let missing = app
        .send_as(Method::POST, "/v1/evaluate", None, Some(&evaluation()))
        .await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    // The body was never read: the client is told not to reuse the connection.
    assert_eq!(missing.headers()["connection"], "close");
    problem(missing, 401, "unauthorized").await;
    let last = if keys.admin.ends_with('a') { "b" } else { "a" };
    let forged = format!("{}{last}", &keys.admin[..keys.admin.len() - 1]);
    let response = app
        .send_as(Method::GET, "/v1/questions", Some(&forged), None)
        .await;
    problem(response, 401, "unauthorized").await;
    let basic = app
        .client
        .get(app.url("/v1/questions"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    problem(basic, 401, "unauthorized").await;
    // Operational routes need no key.
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    // A valid key passes.
    let ok = app
        .send_as(
            Method::POST,
            "/v1/evaluate",
            Some(&keys.candidate),
            Some(&evaluation()),
        )
        .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_may_do_only_its_part() {
    let keys = secured(Config::default()).await;
    let app = &keys.app;
    // Candidates never see model answers; integrations do.
    let as_candidate: Value = app
        .send_as(Method::GET, "/v1/questions/caching", Some(&keys.candidate), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(as_candidate.get("model_answers").is_none(), "{as_candidate}");
    assert!(as_candidate["concepts"][0]["hint"].is_string());
    let as_integration: Value = app
        .send_as(
            Method::GET,
            "/v1/questions/caching",
            Some(&keys.integration),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(as_integration["model_answers"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));

    // Only admins manage keys.
    for token in [&keys.integration, &keys.candidate] {
        let response = app.send_as(Method::GET, "/v1/keys", Some(token), None).await;
        let body = problem(response, 403, "forbidden").await;
        assert!(
            body["detail"].as_str().unwrap().contains("manage API keys"),
            "{body}"
        );
    }
    // Candidates may not write questions or erase records.
    let response = app
        .send_as(
            Method::DELETE,
            "/v1/questions/caching",
            Some(&keys.candidate),
            None,
        )
        .await;
    problem(response, 403, "forbidden").await;
    let response = app
        .send_as(
            Method::DELETE,
            "/v1/evaluations?candidate_ref=x",
            Some(&keys.candidate),
            None,
        )
        .await;
    problem(response, 403, "forbidden").await;
    // Nobody deletes a question of the shipped bank.
    let response = app
        .send_as(Method::DELETE, "/v1/questions/caching", Some(&keys.admin), None)
        .await;
    problem(response, 403, "forbidden").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_stay_with_their_key_and_tenant() {
    let keys = secured(Config::default()).await;
    let app = &keys.app;
    let made: Value = app
        .send_as(
            Method::POST,
            "/v1/evaluate",
            Some(&keys.candidate),
            Some(&evaluation()),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = made["evaluation_id"].as_str().expect("recorded").to_owned();
    let path = format!("/v1/evaluations/{id}");
    // The key that made it and its tenant's admin see it.
    for token in [&keys.candidate, &keys.admin] {
        assert_eq!(
            app.send_as(Method::GET, &path, Some(token), None).await.status(),
            200
        );
    }
    // Another key of the tenant, and another tenant's admin, do not.
    for token in [&keys.integration, &keys.other_tenant] {
        let response = app.send_as(Method::GET, &path, Some(token), None).await;
        problem(response, 404, "evaluation_not_found").await;
        let list: Value = app
            .send_as(Method::GET, "/v1/evaluations", Some(token), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["evaluations"], json!([]), "{list}");
        let erase = app.send_as(Method::DELETE, &path, Some(token), None).await;
        problem(erase, 404, "evaluation_not_found").await;
    }
    // The admin's key list is its tenant's only.
    let listed: Value = app
        .send_as(Method::GET, "/v1/keys", Some(&keys.admin), None)
        .await
        .json()
        .await
        .unwrap();
    let listed = listed["keys"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed
        .iter()
        .all(|k| k["tenant"] == "acme" && k.get("secret_sha256").is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_and_revokes_keys_over_the_api() {
    let keys = secured(Config::default()).await;
    let app = &keys.app;
    let response = app
        .send_as(
            Method::POST,
            "/v1/keys",
            Some(&keys.admin),
            Some(&json!({"name": "Greenhouse sync", "role": "integration"})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let token = created["token"].as_str().expect("the token, once").to_owned();
    let location = format!("/v1/keys/{}", created["key"]["id"].as_str().unwrap());
    assert_eq!(created["key"]["tenant"], "acme");
    let works = app
        .send_as(Method::GET, "/v1/evaluations", Some(&token), None)
        .await;
    assert_eq!(works.status(), 200);

    let revoked: Value = app
        .send_as(Method::DELETE, &location, Some(&keys.admin), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    // Revoking here takes effect at once, cache or not.
    let refused = app
        .send_as(Method::GET, "/v1/evaluations", Some(&token), None)
        .await;
    problem(refused, 401, "unauthorized").await;
    // Another tenant's admin cannot touch it.
    let response = app
        .send_as(Method::DELETE, &location, Some(&keys.other_tenant), None)
        .await;
    problem(response, 404, "key_not_found").await;
    // Bad bodies are reported field by field.
    let response = app
        .send_as(
            Method::POST,
            "/v1/keys",
            Some(&keys.admin),
            Some(&json!({"name": "", "role": "root"})),
        )
        .await;
    let body = problem(response, 422, "validation_failed").await;
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/name", "#/role"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_limit_gets_429_with_retry_after() {
    let (store, _dir) = sqlite_store().await;
    let token = store
        .create_key("acme", "slow", Role::Candidate, Some(60))
        .await
        .unwrap()
        .token;
    let app = spawn_on(Config::default(), store).await;
    // 60 a minute: a burst of 6, then one a second.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let response = app
            .send_as(Method::GET, "/v1/questions?limit=1", Some(&token), None)
            .await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "{retry}");
            problem(response, 429, "rate_limited").await;
        }
    }
    assert_eq!(statuses[..6], [200; 6]);
    assert_eq!(statuses[6], 429);
}

#[tokio::test]
async fn open_mode_is_for_loopback_only() {
    let config = Config {
        open: true,
        listen: "0.0.0.0:0".parse().unwrap(),
        ..Config::default()
    };
    assert!(config.validate().is_err());
    assert!(Config {
        open: true,
        ..Config::default()
    }
    .validate()
    .is_ok());
    // `on`/`off` settings parse as values, so the refusal is about the address.
    let out = crate::util::assay(
        &[
            "serve",
            "--open",
            "--records",
            "off",
            "--store-answers",
            "on",
            "--listen",
            "0.0.0.0:0",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        crate::util::stderr(&out).contains("loopback"),
        "{}",
        crate::util::stderr(&out)
    );
}

#[test]
fn the_keys_command_creates_lists_and_revokes() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let created = crate::util::assay(
        &[
            "keys",
            "--data-dir",
            dir,
            "create",
            "--role",
            "integration",
            "--name",
            "ATS",
            "--tenant",
            "acme",
        ],
        None,
    );
    assert!(created.status.success(), "{}", crate::util::stderr(&created));
    let token = crate::util::stdout(&created).trim().to_owned();
    assert!(token.starts_with("assay_"), "{token}");
    assert!(crate::util::stderr(&created).contains("shown once"));
    let listed = crate::util::assay(&["keys", "--data-dir", dir, "list", "--json"], None);
    let line: Value = serde_json::from_str(crate::util::stdout(&listed).trim()).expect("one JSON line");
    assert_eq!(line["tenant"], "acme");
    assert_eq!(line["role"], "integration");
    assert!(line["revoked_at"].is_null());
    assert!(
        !crate::util::stdout(&listed).contains(&token[20..]),
        "the secret is never listed"
    );
    let id = line["id"].as_str().unwrap();
    let revoked = crate::util::assay(&["keys", "--data-dir", dir, "revoke", id], None);
    assert!(revoked.status.success());
    let missing = crate::util::assay(&["keys", "--data-dir", dir, "revoke", "nope"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(crate::util::stderr(&missing).contains("no key has the id `nope`"));
    let bad = crate::util::assay(
        &[
            "keys",
            "--data-dir",
            dir,
            "create",
            "--role",
            "root",
            "--name",
            "x",
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(crate::util::stderr(&bad).contains("not a role"));
}
