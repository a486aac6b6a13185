//! `openapi.yaml` is kept true: the routes it lists are exactly the routes
//! served, and real responses from every route, for every status the file
//! documents (bar 500, which no request can cause, and 408, checked in
//! `api_limits`), validate against its schemas.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use assay::api::{problem::Code, served_routes, Config};
use serde_json::{json, Value};

use crate::app::{spawn_app, spawn_with, TestApp, GOOD_ANSWER};
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
}

fn get(template: &'static str, path: &str) -> Call {
    Call {
        method: "get",
        template,
        path: path.to_owned(),
        body: None,
    }
}

fn post(template: &'static str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Call {
    Call {
        method: "post",
        template,
        path: template.to_owned(),
        body: Some((content_type, body.into())),
    }
}

fn post_json(template: &'static str, body: Value) -> Call {
    post(template, Some("application/json"), body.to_string())
}

/// Sends `call`, checks the response against the contract, and returns its status.
async fn check(app: &TestApp, call: &Call) -> u16 {
    let url = app.url(&call.path);
    let request = match &call.body {
        None => app.client.get(url),
        Some((content_type, bytes)) => {
            let request = app.client.post(url).body(bytes.clone());
            match content_type {
                Some(ct) => request.header("content-type", *ct),
                None => request,
            }
        }
    };
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    assert!(
        response.headers().contains_key("x-request-id"),
        "{} {}",
        call.method,
        call.path
    );
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
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
    assert_conforms(method, call.template, status, &content_type, &body);
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
        ]);
    }
    let batch = "/v1/evaluate/batch";
    calls.extend([
        post_json(
            batch,
            json!({"items": [good, worded, {"question_id": "nope", "answer": "x"}, {"answer": 3}, 7]}),
        ),
        post(batch, Some("application/json"), "[1,"),
        get(batch, batch),
        post(batch, Some("application/json"), vec![b' '; 1_100_000]),
        post(batch, None, "{}"),
        post_json(batch, json!({"items": []})),
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
    for template in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
        calls.push(get(template, template));
        calls.push(post(template, Some("application/json"), "{}"));
    }
    for template in ["/v1/questions", "/v1/questions/match", "/v1/questions/{id}"] {
        let path = template.replace("{id}", "caching");
        calls.push(post(template, Some("application/json"), "{}"));
        calls.last_mut().expect("just pushed").path = path;
    }

    let mut covered = BTreeSet::new();
    for call in &calls {
        let status = check(&app, call).await;
        let documented = spec()["paths"][call.template].get(call.method).is_some();
        if documented {
            covered.insert((call.method, call.template.to_owned(), status));
        } else {
            assert_eq!(status, 405, "{} {}", call.method, call.path);
            for method in ["get", "post"] {
                covered.insert((method, call.template.to_owned(), status));
            }
        }
    }

    // Over the in-flight limit, every API route answers 503.
    let busy = spawn_with(Config {
        max_in_flight: 1,
        ..Config::default()
    })
    .await;
    let _held = busy.hold_evaluation().await;
    busy.wait_in_flight(1).await;
    for call in &calls {
        let documented = spec()["paths"][call.template].get(call.method).is_some();
        if documented && (call.template.starts_with("/v1/") || call.template == "/evaluate") {
            let status = check(&busy, call).await;
            assert_eq!(status, 503, "{} {}", call.method, call.path);
            covered.insert((call.method, call.template.to_owned(), status));
        }
    }

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
                        .any(|(m, t, s)| *m == method && t == template && *s == status),
                    "no response checked for {method} {template} {status}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_contract_is_the_file() {
    let app = spawn_app().await;
    let response = app.get("/openapi.yaml").await;
    assert_eq!(response.headers()["content-type"], "application/yaml");
    assert_eq!(response.text().await.unwrap(), read(&root().join("openapi.yaml")));
}
