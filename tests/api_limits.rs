//! Load and lifecycle: concurrency, the in-flight limit, timeouts and
//! graceful shutdown, in process and through the real binary with SIGTERM.

use std::time::Duration;

use assay::api::Config;
use serde_json::json;

use crate::app::{problem, read_response, spawn_app, spawn_with, GOOD_ANSWER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_all_succeed_or_are_refused_cleanly() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..1_000 {
        let client = app.client.clone();
        let url = app.url("/v1/evaluate");
        tasks.push(tokio::spawn(async move {
            let body = json!({"question_id": "explain-plans", "answer": format!("{GOOD_ANSWER} ({i})")});
            let response = client.post(url).json(&body).send().await.expect("a response");
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            let body: serde_json::Value = response.json().await.expect("a JSON body");
            (status, content_type, body)
        }));
    }
    let mut succeeded = 0;
    for task in tasks {
        let (status, content_type, body) = task.await.expect("the task completes");
        match status {
            200 => {
                assert!(body["score"].as_f64().is_some());
                succeeded += 1;
            }
            503 => {
                assert_eq!(content_type.as_deref(), Some("application/problem+json"));
                assert_eq!(body["code"], "overloaded");
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert!(succeeded > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_in_flight_limit_requests_are_refused_with_retry_after() {
    let app = spawn_with(Config {
        max_in_flight: 1,
        ..Config::default()
    })
    .await;
    // Holds the only permit: the head is sent, the body never completes.
    let _held = app.hold_evaluation().await;
    app.wait_in_flight(1).await;
    let response = app
        .evaluate(&json!({"question_id": "caching", "answer": GOOD_ANSWER}))
        .await;
    assert_eq!(response.headers()["retry-after"], "1");
    problem(response, 503, "overloaded").await;
    // Health is never refused for load.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_stalls_is_ended_with_408() {
    let app = spawn_with(Config {
        request_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let mut held = app.hold_evaluation().await;
    let response = read_response(&mut held.stream, Duration::from_secs(10)).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    assert!(response.contains("\"code\":\"request_timeout\""), "{response}");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.to_ascii_lowercase().contains("x-request-id:"), "{head}");
    crate::api_contract::assert_conforms("post", "/v1/evaluate", 408, "application/problem+json", body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_request_in_flight_finish() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let mut held = app.hold_evaluation().await;
    // Let the server read the head before shutdown begins.
    app.wait_in_flight(1).await;
    let addr = app.addr;
    let stopped = tokio::spawn(app.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopped.is_finished(),
        "the server waits for the request in flight"
    );
    held.stream.write_all(&held.rest).await.unwrap();
    let response = read_response(&mut held.stream, Duration::from_secs(10)).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"score\""), "{response}");
    drop(held);
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("the server stops once the request is answered")
        .unwrap()
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[test]
fn the_binary_serves_a_corpus_directory_and_exits_cleanly_on_sigterm() {
    use std::io::{Read, Write};
    use std::process::Command;
    // Serves the corpus ASSAY_CORPUS names: here the bank less one question.
    let corpus = crate::util::corpus_copy();
    std::fs::remove_file(corpus.path().join("caching.toml")).expect("caching.toml is in the corpus");
    let data = tempfile::tempdir().expect("a temp dir");
    let (mut child, addr, mut log) = crate::util::serve_binary(
        &["--open"],
        &[
            ("ASSAY_CORPUS", corpus.path().as_os_str()),
            ("ASSAY_DATA_DIR", data.path().as_os_str()),
        ],
    );
    let mut stream = std::net::TcpStream::connect(&addr).expect("connects");
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let questions = crate::util::evaluator().bank().questions().len();
    assert!(
        response.contains(&format!("\"questions\":{}", questions - 1)),
        "{response}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("assay exits");
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    log.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("shutting down"), "{rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_leaves_nothing_counted_in_flight() {
    let app = spawn_app().await;
    let held = app.hold_evaluation().await;
    app.wait_in_flight(1).await;
    drop(held);
    app.wait_in_flight(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_gives_up_on_a_stalled_request_after_the_grace_period() {
    let app = spawn_with(Config {
        shutdown_grace: Duration::from_millis(200),
        request_timeout: Duration::from_secs(60),
        ..Config::default()
    })
    .await;
    let _held = app.hold_evaluation().await;
    app.wait_in_flight(1).await;
    tokio::time::timeout(Duration::from_secs(10), app.stop())
        .await
        .expect("the server stops once the grace period is over")
        .unwrap();
}
