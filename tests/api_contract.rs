//! `openapi.yaml` is kept true: the routes it lists are exactly the routes
//! served, and real responses from every route, for every status the file
//! documents (bar 500, which no request can cause, and 408, checked in
//! `api_limits`), validate against its schemas.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use assay::api::{problem::Code, served_routes, Config};
use assay::assess::ReportLinks;
use assay::store::{now_ms, sha256_hex, ClaimOutcome, NewAssessment, QuestionSet, Role, Submission};
use assay::store::{DEFAULT_TENANT, OPEN_KEY_ID};
use serde_json::{json, Value};

use crate::api_tenant_questions::own_question;
use crate::app::{json_ok, spawn_app, spawn_with, TestApp, GOOD_ANSWER};
use crate::util::{read, root};

/// The contract, parsed once.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_yaml_ng::from_str(&read(&root().join("openapi.yaml"))).expect("openapi.yaml is YAML")
    })
}

/// Follows a local `$ref` in the spec.
fn resolve(value: &Value) -> &Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => resolve(
            spec()
                .pointer(pointer.trim_start_matches('#'))
                .expect("the $ref resolves"),
        ),
        None => value,
    }
}

/// Panics unless `body` is what the contract documents for this response.
pub fn assert_conforms(method: &str, template: &str, status: u16, content_type: &str, body: &str) {
    let operation = &spec()["paths"][template][method];
    assert!(
        operation.is_object(),
        "{method} {template} is not in openapi.yaml"
    );
    let response = resolve(&operation["responses"][status.to_string()]);
    assert!(
        response.is_object(),
        "{method} {template} does not document {status}: {body}"
    );
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let schema = &response["content"][media]["schema"];
    assert!(
        schema.is_object(),
        "{method} {template} {status} does not document {media}"
    );
    let instance: Value = if media.ends_with("json") {
        serde_json::from_str(body).expect("a JSON body")
    } else {
        Value::String(body.to_owned())
    };
    let root_schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": spec()["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::draft202012::new(&root_schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {status}: {errors:#?}\n{body}"
    );
}

/// One request and the route template it exercises.
struct Call {
    method: &'static str,
    template: &'static str,
    path: String,
    body: Option<(Option<&'static str>, Vec<u8>)>,
    token: Option<String>,
    authorization: Option<String>,
    idempotency_key: Option<String>,
}

impl Call {
    /// The same call with HTTP Basic credentials: `key` as user name, as
    /// Greenhouse sends them.
    fn by_basic(mut self, key: &str) -> Call {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
        self.authorization = Some(format!("Basic {encoded}"));
        self
    }

    /// The same call as the key `token`.
    fn by_key(mut self, token: &str) -> Call {
        self.token = Some(token.to_owned());
        self
    }

    /// The same call with an `Idempotency-Key`.
    fn idempotent(mut self, key: &str) -> Call {
        self.idempotency_key = Some(key.to_owned());
        self
    }
}

fn call(method: &'static str, template: &'static str, path: &str) -> Call {
    Call {
        method,
        template,
        path: path.to_owned(),
        body: None,
        token: None,
        authorization: None,
        idempotency_key: None,
    }
}

fn get(template: &'static str, path: &str) -> Call {
    call("get", template, path)
}

fn delete(template: &'static str, path: &str) -> Call {
    call("delete", template, path)
}

fn with_body(
    method: &'static str,
    template: &'static str,
    path: &str,
    content_type: Option<&'static str>,
    body: impl Into<Vec<u8>>,
) -> Call {
    Call {
        body: Some((content_type, body.into())),
        ..call(method, template, path)
    }
}

fn post(template: &'static str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Call {
    with_body("post", template, template, content_type, body)
}

fn post_json(template: &'static str, body: Value) -> Call {
    post(template, Some("application/json"), body.to_string())
}

fn put_json(path: &str, body: &Value) -> Call {
    with_body(
        "put",
        "/v1/questions/{id}",
        path,
        Some("application/json"),
        body.to_string(),
    )
}

/// Sends `call`, checks the response against the contract, and returns its status.
async fn check(app: &TestApp, call: &Call) -> u16 {
    let method = reqwest::Method::from_bytes(call.method.to_ascii_uppercase().as_bytes()).expect("a method");
    let mut request = app.client.request(method, app.url(&call.path));
    if let Some((content_type, bytes)) = &call.body {
        request = request.body(bytes.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", *content_type);
        }
    }
    if let Some(token) = &call.token {
        request = request.bearer_auth(token);
    }
    if let Some(authorization) = &call.authorization {
        request = request.header("authorization", authorization);
    }
    if let Some(key) = &call.idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    assert!(
        response.headers().contains_key("x-request-id"),
        "{} {}",
        call.method,
        call.path
    );
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.text().await.expect("a body");
    // A 405 is documented on the operations the path does have.
    let method = if status == 405 {
        spec()["paths"][call.template]
            .as_object()
            .and_then(|item| item.keys().next())
            .map_or(call.method, String::as_str)
    } else {
        call.method
    };
    match content_type {
        Some(content_type) => assert_conforms(method, call.template, status, &content_type, &body),
        None => {
            assert!(
                body.is_empty(),
                "{} {} {status}: a body without a type",
                call.method,
                call.path
            );
            let documented =
                resolve(&spec()["paths"][call.template][method]["responses"][status.to_string()]);
            assert!(
                documented.is_object() && documented.get("content").is_none(),
                "{method} {} does not document an empty {status}",
                call.template
            );
        }
    }
    status
}

#[test]
fn the_contract_lists_exactly_the_routes_served() {
    let served: BTreeSet<(String, String)> = served_routes()
        .into_iter()
        .map(|(verb, path)| (verb.as_str().to_owned(), path.to_owned()))
        .collect();
    let mut documented = BTreeSet::new();
    for (path, item) in spec()["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            if ["get", "post", "put", "patch", "delete", "head", "options"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    assert_eq!(served, documented);
}

#[test]
fn the_contract_lists_exactly_the_problem_codes() {
    let documented: BTreeSet<&str> = spec()["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .expect("Problem.code is an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut codes: BTreeSet<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    codes.insert("http_error");
    assert_eq!(codes, documented);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_status_conforms_to_the_contract() {
    let app = spawn_app().await;
    let candidate = key(&app, Role::Candidate, None).await;
    let throttled = key(&app, Role::Admin, Some(1)).await;
    let good = json!({"question_id": "explain-plans", "answer": GOOD_ANSWER, "candidate_ref": "c-1"});
    let worded = json!({"question": "How do you find out why a query is slow?", "answer": "I read EXPLAIN ANALYZE output and avoid string concatenation in SQL; never disable TLS verification."});
    let mut calls = Vec::new();
    for template in ["/v1/evaluate", "/evaluate"] {
        calls.extend([
            post_json(template, good.clone()),
            post_json(template, worded.clone()),
            post_json(
                template,
                json!({"question_id": "explain-plans", "answer": "seq scan"}),
            ),
            post(template, Some("application/json"), "{\"answer\": "),
            post_json(template, json!({"question_id": "nope", "answer": GOOD_ANSWER})),
            get(template, template),
            post(template, Some("application/json"), vec![b' '; 70_000]),
            post(template, Some("text/plain"), "hi"),
            post_json(template, json!({"question_id": "explain-plans", "answer": ""})),
            post_json(
                template,
                json!({"question": "How do React hooks work?", "answer": GOOD_ANSWER}),
            ),
            post_json(
                template,
                json!({"rubric": {"question": "What does DNS do?", "reference_answers": ["It resolves domain names to IP addresses."]}, "answer": "It turns a host name into the address of a server."}),
            ),
            post_json(
                template,
                json!({"rubric": {"question": "What does DNS do?", "reference_answers": ["It resolves names."], "concepts": [{"label": "resolves names", "weight": 2}], "red_flags": [{"label": "hosts files", "phrases": ["edit every hosts file"]}]}, "answer": "It resolves names; we edit every hosts file by hand."}),
            ),
            // A contradiction, so its signal and score detail are checked too.
            post_json(
                template,
                json!({"rubric": {"question": "What does a B-tree lookup cost, as a time complexity?", "reference_answers": ["O(log n), because the balanced tree stays shallow as rows are added."]}, "answer": "O(n), since every key is scanned in order."}),
            ),
            post_json(
                template,
                json!({"rubric": {"question": "", "reference_answers": [""], "concepts": []}, "answer": "x"}),
            ),
            post_json(template, good.clone()).idempotent("contract-1"),
            post_json(template, worded.clone()).idempotent("contract-1"),
            post_json(template, good.clone()).idempotent("bad key"),
            post_json(template, good.clone()).idempotent(&hold(&app, template, &good).await),
        ]);
    }
    let batch = "/v1/evaluate/batch";
    let batch_body =
        json!({"items": [good, worded, {"question_id": "nope", "answer": "x"}, {"answer": 3}, 7]});
    calls.extend([
        post_json(batch, batch_body.clone()),
        post(batch, Some("application/json"), "[1,"),
        get(batch, batch),
        post(batch, Some("application/json"), vec![b' '; 1_100_000]),
        post(batch, None, "{}"),
        post_json(batch, json!({"items": []})),
        post_json(batch, batch_body.clone()).idempotent(&hold(&app, batch, &batch_body).await),
    ]);
    calls.extend([
        get("/v1/questions", "/v1/questions"),
        get("/v1/questions", "/v1/questions?q=idempotency%20keys&limit=3"),
        get("/v1/questions", "/v1/questions?tag=databases&group=technical"),
        get("/v1/questions", "/v1/questions?limit=lots"),
        get(
            "/v1/questions/match",
            "/v1/questions/match?q=what%20is%20a%20circuit%20breaker",
        ),
        get("/v1/questions/match", "/v1/questions/match?q=rust%20lifetimes"),
        get("/v1/questions/match", "/v1/questions/match"),
        get("/v1/questions/{id}", "/v1/questions/mutual-tls"),
        get("/v1/questions/{id}", "/v1/questions/%FF%FE"),
        get("/v1/questions/{id}", "/v1/questions/mutual-tl"),
    ]);

    // A tenant's own questions.
    let own = own_question("contract-own");
    let mut invalid = own_question("contract-bad");
    invalid["concepts"][0]["weight"] = json!(0);
    let questions = "/v1/questions";
    calls.extend([
        post_json(questions, own.clone()),
        post_json(questions, own.clone()),
        post_json(questions, invalid.clone()),
        post_json(questions, own_question("contract-c")).by_key(&candidate),
        post(questions, Some("application/json"), vec![b' '; 1_100_000]),
        post(questions, Some("text/plain"), "{}"),
        post(questions, Some("application/json"), "{"),
        put_json("/v1/questions/contract-put", &own_question("contract-put")),
        put_json("/v1/questions/contract-put", &own_question("contract-put")),
        put_json("/v1/questions/caching", &own_question("caching")),
        put_json("/v1/questions/contract-bad", &invalid),
        put_json("/v1/questions/contract-c", &own_question("contract-c")).by_key(&candidate),
        with_body(
            "put",
            "/v1/questions/{id}",
            "/v1/questions/x",
            Some("application/json"),
            vec![b' '; 1_100_000],
        ),
        with_body(
            "put",
            "/v1/questions/{id}",
            "/v1/questions/x",
            Some("text/plain"),
            "{}",
        ),
        with_body(
            "put",
            "/v1/questions/{id}",
            "/v1/questions/x",
            Some("application/json"),
            "{",
        ),
        with_body(
            "put",
            "/v1/questions/{id}",
            "/v1/questions/x",
            Some("application/json"),
            "{}",
        )
        .idempotent("bad key"),
        delete("/v1/questions/{id}", "/v1/questions/contract-put"),
        delete("/v1/questions/{id}", "/v1/questions/contract-put"),
        delete("/v1/questions/{id}", "/v1/questions/caching"),
        delete("/v1/questions/{id}", "/v1/questions/%FF%FE"),
    ]);

    // Records.
    let recorded = json_ok(app.evaluate(&good).await).await;
    let record = format!(
        "/v1/evaluations/{}",
        recorded["evaluation_id"].as_str().expect("an id")
    );
    let unknown = "/v1/evaluations/00000000-0000-7000-8000-000000000000";
    let evaluations = "/v1/evaluations";
    let one = "/v1/evaluations/{id}";
    calls.extend([
        get(evaluations, "/v1/evaluations?candidate_ref=c-1&limit=5"),
        get(evaluations, "/v1/evaluations?limit=0"),
        get(one, &record),
        get(one, unknown),
        get(one, "/v1/evaluations/%FF%FE"),
        delete(one, &record).by_key(&candidate),
        delete(one, &record),
        delete(one, unknown),
        delete(one, "/v1/evaluations/%FF%FE"),
        delete(evaluations, "/v1/evaluations?candidate_ref=c-1"),
        delete(evaluations, "/v1/evaluations"),
        delete(evaluations, "/v1/evaluations?candidate_ref=c-1").by_key(&candidate),
    ]);

    // Keys.
    let keys = "/v1/keys";
    let new_key = json!({"name": "contract", "role": "candidate"});
    let revocable = app
        .store
        .create_key(DEFAULT_TENANT, "to revoke", Role::Candidate, None)
        .await
        .unwrap()
        .key
        .id;
    calls.extend([
        get(keys, keys),
        get(keys, keys).by_key(&candidate),
        post_json(keys, new_key.clone()),
        post_json(keys, json!({"name": "", "role": "root"})),
        post_json(keys, new_key.clone()).by_key(&candidate),
        post_json(keys, new_key.clone()).idempotent(&hold(&app, keys, &new_key).await),
        post_json(keys, new_key.clone()).idempotent("bad key"),
        post(keys, Some("application/json"), vec![b' '; 70_000]),
        post(keys, Some("text/plain"), "{}"),
        delete("/v1/keys/{id}", &format!("/v1/keys/{revocable}")),
        delete("/v1/keys/{id}", "/v1/keys/nope"),
        delete("/v1/keys/{id}", "/v1/keys/nope").by_key(&candidate),
        delete("/v1/keys/{id}", "/v1/keys/%FF%FE"),
    ]);

    // Webhooks.
    let hooks = "/v1/webhooks";
    let new_hook = json!({"url": "https://hooks.example.com/assay", "events": ["evaluation.completed"]});
    let events = ["evaluation.completed".to_owned()];
    let kept = app
        .store
        .create_endpoint(DEFAULT_TENANT, "https://hooks.example.com/kept", &events)
        .await
        .unwrap()
        .id;
    let doomed = app
        .store
        .create_endpoint(DEFAULT_TENANT, "https://hooks.example.com/doomed", &events)
        .await
        .unwrap()
        .id;
    let hook = "/v1/webhooks/{id}";
    let kept_path = format!("/v1/webhooks/{kept}");
    let rotate = "/v1/webhooks/{id}/rotate";
    let rotate_path = format!("/v1/webhooks/{kept}/rotate");
    let overlap = json!({"overlap_seconds": 60});
    let log = "/v1/webhooks/{id}/deliveries";
    let json_type = Some("application/json");
    calls.extend([
        get(hooks, hooks),
        get(hooks, hooks).by_key(&candidate),
        post_json(hooks, new_hook.clone()),
        post_json(hooks, json!({"url": "ftp://hooks.example.com", "events": []})),
        post_json(hooks, new_hook.clone()).by_key(&candidate),
        post_json(hooks, new_hook.clone()).idempotent(&hold(&app, hooks, &new_hook).await),
        post_json(hooks, new_hook.clone()).idempotent("bad key"),
        post(hooks, json_type, vec![b' '; 70_000]),
        post(hooks, Some("text/plain"), "{}"),
        with_body("put", hooks, hooks, json_type, "{}"),
        get(hook, &kept_path),
        get(hook, "/v1/webhooks/ep_nope"),
        get(hook, &kept_path).by_key(&candidate),
        with_body("post", hook, &kept_path, json_type, "{}"),
        delete(hook, &format!("/v1/webhooks/{doomed}")),
        delete(hook, "/v1/webhooks/ep_nope"),
        delete(hook, &kept_path).by_key(&candidate),
        with_body("post", rotate, &rotate_path, json_type, overlap.to_string()),
        with_body("post", rotate, &rotate_path, None, ""),
        with_body("post", rotate, "/v1/webhooks/ep_nope/rotate", json_type, "{}"),
        with_body(
            "post",
            rotate,
            &rotate_path,
            json_type,
            json!({"overlap_seconds": -1}).to_string(),
        ),
        with_body("post", rotate, &rotate_path, json_type, "{}").by_key(&candidate),
        with_body("post", rotate, &rotate_path, json_type, "{"),
        with_body("post", rotate, &rotate_path, json_type, vec![b' '; 70_000]),
        with_body("post", rotate, &rotate_path, Some("text/plain"), "{}"),
        with_body("post", rotate, &rotate_path, json_type, overlap.to_string())
            .idempotent(&hold(&app, &rotate_path, &overlap).await),
        get(rotate, &rotate_path),
        get(log, &format!("/v1/webhooks/{kept}/deliveries?limit=5")),
        get(log, &format!("/v1/webhooks/{kept}/deliveries?limit=0")),
        get(log, "/v1/webhooks/ep_nope/deliveries"),
        get(log, &format!("/v1/webhooks/{kept}/deliveries")).by_key(&candidate),
        with_body(
            "post",
            log,
            &format!("/v1/webhooks/{kept}/deliveries"),
            json_type,
            "{}",
        ),
    ]);

    calls.extend(assessment_calls(&app, &candidate).await);

    for template in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
        calls.push(get(template, template));
        calls.push(post(template, Some("application/json"), "{}"));
    }
    for template in [
        "/v1/questions/match",
        "/v1/questions/{id}",
        "/v1/evaluations/{id}",
        "/v1/keys/{id}",
    ] {
        let path = template.replace("{id}", "caching");
        calls.push(post(template, Some("application/json"), "{}"));
        calls.last_mut().expect("just pushed").path = path;
    }
    calls.push(with_body(
        "put",
        "/v1/evaluations",
        "/v1/evaluations",
        Some("application/json"),
        "{}",
    ));
    calls.push(with_body(
        "put",
        "/v1/keys",
        "/v1/keys",
        Some("application/json"),
        "{}",
    ));
    calls.push(delete("/v1/questions", "/v1/questions"));

    let mut covered = BTreeSet::new();
    let mut see = |call: &Call, status: u16| {
        let documented = spec()["paths"][call.template].get(call.method).is_some();
        if documented {
            covered.insert((call.method.to_owned(), call.template.to_owned(), status));
        } else {
            assert_eq!(status, 405, "{} {}", call.method, call.path);
            for method in spec()["paths"][call.template].as_object().expect("a path").keys() {
                covered.insert((method.clone(), call.template.to_owned(), status));
            }
        }
    };
    for call in &calls {
        let status = check(&app, call).await;
        see(call, status);
    }

    // Practice turned off, and over its shared limit.
    let no_practice = spawn_with(Config {
        practice: false,
        ..Config::default()
    })
    .await;
    let practice_calls = [
        get("/v1/practice/questions", "/v1/practice/questions"),
        post_json(
            "/v1/practice/evaluate",
            json!({"question_id": "caching", "answer": "Cache-aside with a TTL."}),
        ),
        get("/practice", "/practice"),
    ];
    for call in &practice_calls {
        let status = check(&no_practice, call).await;
        assert_eq!(status, 404, "{} {}", call.method, call.path);
        see(call, status);
    }
    let crowded = spawn_with(Config {
        practice_rate_per_minute: 1,
        ..Config::default()
    })
    .await;
    assert_eq!(check(&crowded, &practice_calls[0]).await, 200);
    for call in &practice_calls[..2] {
        let status = check(&crowded, call).await;
        assert_eq!(status, 429, "{} {}", call.method, call.path);
        see(call, status);
    }

    // Every keyed API route: 401 for a key that is not one, 429 over a key's limit.
    let documented = |c: &&Call| spec()["paths"][c.template].get(c.method).is_some();
    let api_calls: Vec<&Call> = calls
        .iter()
        .filter(|c| keyed(c.template))
        .filter(documented)
        .collect();
    // Every route under the in-flight limit, keyed or not.
    let limited_calls: Vec<&Call> = calls
        .iter()
        .filter(|c| keyed(c.template) || unkeyed_api(c.template))
        .filter(documented)
        .collect();
    assert_eq!(
        check(&app, &get("/v1/questions", "/v1/questions").by_key(&throttled)).await,
        200
    );
    // A refusal before authentication never reads the body and closes the
    // connection: a client still uploading a large body may see the reset
    // before the response, so the refused-key checks send small bodies only
    // (the 1.1 MB body is checked with a valid key, where it is drained and
    // answered 413).
    for call in api_calls
        .iter()
        .filter(|c| c.body.as_ref().is_none_or(|(_, b)| b.len() <= 64 * 1024))
    {
        let forged = Call {
            token: Some("assay_0000000000000000_".to_owned() + &"0".repeat(64)),
            ..clone_call(call)
        };
        let status = check(&app, &forged).await;
        assert_eq!(status, 401, "{} {}", call.method, call.path);
        see(call, status);
        let status = check(&app, &clone_call(call).by_key(&throttled)).await;
        assert_eq!(status, 429, "{} {}", call.method, call.path);
        see(call, status);
    }

    // Over the in-flight limit, every API route answers 503.
    let busy = spawn_with(Config {
        max_in_flight: 1,
        ..Config::default()
    })
    .await;
    let _held = busy.hold_evaluation().await;
    busy.wait_in_flight(1).await;
    for call in &limited_calls {
        let status = check(&busy, call).await;
        assert_eq!(status, 503, "{} {}", call.method, call.path);
        see(call, status);
    }

    // Without its store, the service is not ready.
    let storeless = spawn_app().await;
    storeless.store.close().await;
    let status = check(&storeless, &get("/readyz", "/readyz")).await;
    assert_eq!(status, 503);
    see(&get("/readyz", "/readyz"), status);

    // Every status the contract documents was seen, bar 500 and 408.
    for (template, item) in spec()["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            for status in operation["responses"].as_object().expect("responses").keys() {
                let status: u16 = status.parse().expect("a numeric status");
                if status == 500 || status == 408 {
                    continue;
                }
                assert!(
                    covered
                        .iter()
                        .any(|(m, t, s)| m == method && t == template && *s == status),
                    "no response checked for {method} {template} {status}"
                );
            }
        }
    }
}

/// Whether `template` is an API route behind a Bearer key.
fn keyed(template: &str) -> bool {
    (template.starts_with("/v1/") && !unkeyed_api(template)) || template == "/evaluate"
}

/// Whether `template` is an API route with its own credential or none
/// (a candidate's token, a signed link, practice, HTTP Basic for Greenhouse).
fn unkeyed_api(template: &str) -> bool {
    ["/v1/take/", "/v1/reports/", "/v1/practice/", "/greenhouse/"]
        .iter()
        .any(|prefix| template.starts_with(prefix))
}

/// Question sets, assessments, the candidate's and the recruiter's routes,
/// practice, Greenhouse and the pages: a call for every documented status
/// that needs no other server.
async fn assessment_calls(app: &TestApp, candidate: &str) -> Vec<Call> {
    let store = &app.store;
    let set = QuestionSet {
        id: "contract-set".into(),
        name: "Contract set".into(),
        question_ids: vec!["caching".into()],
        time_limit_ms: 3_600_000,
        created_ms: 0,
        updated_ms: 0,
    };
    store.put_question_set(DEFAULT_TENANT, &set).await.unwrap();
    let assessment = |deadline_ms: i64| NewAssessment {
        tenant: DEFAULT_TENANT.into(),
        question_set: set.clone(),
        wordings: vec!["How do you cache?".into()],
        source: "api",
        candidate_ref: None,
        candidate_name: None,
        deadline_ms,
        callback_url: None,
        link_base: None,
    };
    let later = now_ms() + 3_600_000;
    let (open, open_token) = store.create_assessment(assessment(later)).await.unwrap();
    let (_, submit_token) = store.create_assessment(assessment(later)).await.unwrap();
    let (_, expired_token) = store.create_assessment(assessment(now_ms() - 1)).await.unwrap();
    let (done, done_token) = store.create_assessment(assessment(later)).await.unwrap();
    let (doomed, _) = store.create_assessment(assessment(later)).await.unwrap();
    let submission = Submission {
        score: 0.0,
        rating: "definitely_not".into(),
        report: "{}".into(),
        results: Vec::new(),
        callback_body: None,
    };
    assert!(store
        .complete_assessment(&done.id, &submission, None)
        .await
        .unwrap()
        .is_some());
    let links = ReportLinks::new(&store.report_link_secret().await.unwrap());
    let in_an_hour = now_ms() / 1000 + 3_600;
    let integration = store
        .create_key(DEFAULT_TENANT, "contract-greenhouse", Role::Integration, None)
        .await
        .unwrap()
        .token;
    // One request a minute: the first list_tests below passes, the rest are 429.
    let throttled = &store
        .create_key(DEFAULT_TENANT, "contract-throttled", Role::Integration, Some(1))
        .await
        .unwrap()
        .token;

    let json_type = Some("application/json");
    let big = vec![b' '; 70_000];
    let sets = "/v1/question-sets";
    let one_set = "/v1/question-sets/{id}";
    let set_body = json!({"name": "Contract two", "question_ids": ["caching", "mutual-tls"]});
    let put_set = |path: &str, body: String| with_body("put", one_set, path, json_type, body);
    let assessments = "/v1/assessments";
    let new_assessment = json!({"question_set_id": "contract-set", "candidate_ref": "c-9"});
    let one = "/v1/assessments/{id}";
    let take = "/v1/take/{token}";
    let answer = "/v1/take/{token}/answers/{position}";
    let submit = "/v1/take/{token}/submit";
    let save = |token: &str, position: &str, body: &str| {
        with_body(
            "put",
            answer,
            &format!("/v1/take/{token}/answers/{position}"),
            json_type,
            body.to_owned(),
        )
    };
    let submit_as = |token: &str| with_body("post", submit, &format!("/v1/take/{token}/submit"), None, "");
    let report = "/v1/reports/{id}";
    let practice_list = "/v1/practice/questions";
    let practice = "/v1/practice/evaluate";
    let practice_body =
        json!({"question_id": "caching", "answer": "Cache-aside with a TTL, invalidated on write."});
    let list_tests = "/greenhouse/list_tests";
    let send_test = "/greenhouse/send_test";
    let send_body = json!({"partner_test_id": "contract-set", "candidate": {"first_name": "Ada", "email": "ada@example.com"},
                           "url": "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"});
    let status = "/greenhouse/test_status";
    let status_of = |id: &str| format!("/greenhouse/test_status?partner_interview_id={id}");
    let error = "/greenhouse/response_error";
    let error_body = json!({"partner_interview_id": open.id, "message": "bad score"});
    vec![
        put_set("/v1/question-sets/contract-two", set_body.to_string()),
        put_set("/v1/question-sets/contract-two", set_body.to_string()),
        put_set(
            "/v1/question-sets/Bad_Id",
            json!({"question_ids": []}).to_string(),
        ),
        put_set("/v1/question-sets/contract-two", "{".into()),
        with_body("put", one_set, "/v1/question-sets/x", Some("text/plain"), "{}"),
        with_body("put", one_set, "/v1/question-sets/x", json_type, big.clone()),
        put_set("/v1/question-sets/contract-two", set_body.to_string()).by_key(candidate),
        with_body("post", one_set, "/v1/question-sets/x", json_type, "{}"),
        get(sets, sets),
        get(sets, sets).by_key(candidate),
        with_body("delete", sets, sets, None, ""),
        post_json(assessments, new_assessment.clone()),
        post_json(assessments, json!({"question_set_id": "nope"})),
        post_json(assessments, json!({"candidate_ref": ""})),
        post(assessments, json_type, "{"),
        post(assessments, Some("text/plain"), "{}"),
        post(assessments, json_type, big.clone()),
        post_json(assessments, new_assessment.clone()).by_key(candidate),
        post_json(assessments, new_assessment.clone())
            .idempotent(&hold(app, assessments, &new_assessment).await),
        get(assessments, assessments),
        get(one, &format!("/v1/assessments/{}", open.id)),
        get(one, "/v1/assessments/as_nope"),
        get(one, "/v1/assessments/%FF%FE"),
        get(one, &format!("/v1/assessments/{}", open.id)).by_key(candidate),
        with_body("post", one, "/v1/assessments/as_x", json_type, "{}"),
        delete(one, &format!("/v1/assessments/{}", doomed.id)),
        delete(one, "/v1/assessments/as_nope"),
        delete(one, "/v1/assessments/%FF%FE"),
        delete(one, &format!("/v1/assessments/{}", open.id)).by_key(candidate),
        get(take, &format!("/v1/take/{open_token}")),
        get(take, "/v1/take/abcd"),
        get(take, "/v1/take/%FF%FE"),
        delete(take, &format!("/v1/take/{open_token}")),
        save(
            &open_token,
            "0",
            &json!({"answer": "Cache-aside with a TTL."}).to_string(),
        ),
        save(&open_token, "9", &json!({"answer": "x"}).to_string()),
        save("abcd", "0", &json!({"answer": "x"}).to_string()),
        save(&done_token, "0", &json!({"answer": "x"}).to_string()),
        save(&expired_token, "0", &json!({"answer": "x"}).to_string()),
        save(&open_token, "0", &json!({"answer": 5}).to_string()),
        with_body(
            "put",
            answer,
            &format!("/v1/take/{open_token}/answers/0"),
            Some("text/plain"),
            "{}",
        ),
        with_body(
            "put",
            answer,
            &format!("/v1/take/{open_token}/answers/0"),
            json_type,
            big.clone(),
        ),
        with_body(
            "post",
            answer,
            &format!("/v1/take/{open_token}/answers/0"),
            json_type,
            "{}",
        ),
        submit_as(&submit_token),
        submit_as("abcd"),
        submit_as(&done_token),
        submit_as(&expired_token),
        submit_as("%FF%FE"),
        get(submit, &format!("/v1/take/{open_token}/submit")),
        get(
            report,
            &format!("/v1/reports/{}?{}", done.id, links.query(&done.id, in_an_hour)),
        ),
        get(
            report,
            &format!("/v1/reports/{}?{}", open.id, links.query(&open.id, in_an_hour)),
        ),
        get(
            report,
            &format!("/v1/reports/{}?expires={in_an_hour}&signature=00", done.id),
        ),
        get(
            report,
            &format!("/v1/reports/{}?{}", done.id, links.query(&done.id, 1)),
        ),
        get(
            report,
            &format!("/v1/reports/as_ghost?{}", links.query("as_ghost", in_an_hour)),
        ),
        get(report, "/v1/reports/%FF%FE"),
        with_body(
            "post",
            report,
            &format!("/v1/reports/{}", done.id),
            json_type,
            "{}",
        ),
        get(practice_list, practice_list),
        get(practice_list, "/v1/practice/questions?q=cache&limit=3"),
        get(practice_list, "/v1/practice/questions?limit=0"),
        post(practice_list, json_type, "{}"),
        post_json(practice, practice_body.clone()),
        post_json(practice, json!({"question_id": "nope", "answer": ""})),
        post(practice, json_type, "{"),
        post(practice, Some("text/plain"), "{}"),
        post(practice, json_type, big.clone()),
        get(practice, practice),
        get(list_tests, list_tests).by_basic(&integration),
        get(list_tests, list_tests).by_basic(throttled),
        get(list_tests, list_tests),
        get(list_tests, list_tests).by_basic(candidate),
        get(list_tests, list_tests).by_basic(throttled),
        post(list_tests, json_type, "{}"),
        post_json(send_test, send_body.clone()).by_basic(&integration),
        post_json(send_test, json!({"partner_test_id": "nope"})).by_basic(&integration),
        post_json(send_test, json!({"url": "ftp://x"})).by_basic(&integration),
        post(send_test, json_type, "{").by_basic(&integration),
        post(send_test, Some("text/plain"), "{}").by_basic(&integration),
        post(send_test, json_type, big.clone()).by_basic(&integration),
        post_json(send_test, send_body.clone()),
        post_json(send_test, send_body.clone()).by_basic(candidate),
        post_json(send_test, send_body.clone()).by_basic(throttled),
        get(send_test, send_test),
        get(status, &status_of(&done.id)).by_basic(&integration),
        get(status, &status_of("as_nope")).by_basic(&integration),
        get(status, status).by_basic(&integration),
        get(status, &status_of(&done.id)),
        get(status, &status_of(&done.id)).by_basic(candidate),
        get(status, &status_of(&done.id)).by_basic(throttled),
        post(status, json_type, "{}"),
        post_json(error, error_body.clone()).by_basic(&integration),
        post_json(error, json!([1])).by_basic(&integration),
        post(error, json_type, "{").by_basic(&integration),
        post(error, Some("text/plain"), "{}").by_basic(&integration),
        post(error, json_type, big).by_basic(&integration),
        post_json(error, error_body.clone()),
        post_json(error, error_body.clone()).by_basic(candidate),
        post_json(error, error_body).by_basic(throttled),
        get(error, error),
        get("/practice", "/practice"),
        post("/practice", json_type, "{}"),
        get("/a/{token}", &format!("/a/{open_token}")),
        get("/a/{token}", "/a/%FF%FE"),
        with_body("post", "/a/{token}", "/a/x", json_type, "{}"),
        get("/r/{id}", &format!("/r/{}", done.id)),
        get("/r/{id}", "/r/%FF%FE"),
        with_body("post", "/r/{id}", "/r/x", json_type, "{}"),
        get("/assets/{file}", "/assets/app.css"),
        get("/assets/{file}", "/assets/common.js"),
        get("/assets/{file}", "/assets/nope.js"),
        get("/assets/{file}", "/assets/%FF%FE"),
        with_body("post", "/assets/{file}", "/assets/app.css", json_type, "{}"),
    ]
}

/// A copy of `call`.
fn clone_call(call: &Call) -> Call {
    Call {
        method: call.method,
        template: call.template,
        path: call.path.clone(),
        body: call.body.clone(),
        token: call.token.clone(),
        authorization: call.authorization.clone(),
        idempotency_key: call.idempotency_key.clone(),
    }
}

/// A key of `role` in the open mode's tenant.
async fn key(app: &TestApp, role: Role, rate_per_minute: Option<u32>) -> String {
    app.store
        .create_key(DEFAULT_TENANT, "contract", role, rate_per_minute)
        .await
        .expect("creates a key")
        .token
}

/// An `Idempotency-Key` that another request to `path` with `body` holds
/// in flight, so a POST with it answers 409.
async fn hold(app: &TestApp, path: &str, body: &Value) -> String {
    let key = format!("held-{}", uuid::Uuid::new_v4());
    let mut fingerprint = format!("POST {path}\n").into_bytes();
    fingerprint.extend_from_slice(body.to_string().as_bytes());
    let outcome = app
        .store
        .claim_idempotency(
            OPEN_KEY_ID,
            &key,
            &sha256_hex(&fingerprint),
            std::time::Duration::from_secs(600),
            std::time::Duration::from_secs(600),
        )
        .await
        .expect("claims");
    assert!(matches!(outcome, ClaimOutcome::Claimed(_)));
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_contract_is_the_file() {
    let app = spawn_app().await;
    let response = app.get("/openapi.yaml").await;
    assert_eq!(response.headers()["content-type"], "application/yaml");
    assert_eq!(response.text().await.unwrap(), read(&root().join("openapi.yaml")));
}
