//! Shared helpers for the HTTP tests: a real server on 127.0.0.1:0 in the
//! test's own runtime, a client with one method per kind of call, and checks
//! every problem response must pass.

use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use assay::api::{AppState, Catalog, Config, Server};
use assay::store::{Location, Store};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::util::shared_evaluator;

/// A well-covered answer to `explain-plans`.
pub const GOOD_ANSWER: &str = "I find the slow queries with pg_stat_statements, then read the execution \
    plan with EXPLAIN ANALYZE to spot sequential scans and bad row estimates. I add a composite index \
    that matches the filter and sort, rewrite N+1 queries into joins, and check the plan again.";

/// A server running in the test's runtime.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// A client with no proxy and a timeout.
    pub client: reqwest::Client,
    /// The store it serves from.
    pub store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<std::io::Result<()>>,
    _data: Option<tempfile::TempDir>,
}

/// A fresh SQLite store in a temporary directory, removed when dropped.
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::open(&Location::DataDir(dir.path().to_owned()))
        .await
        .expect("the SQLite store opens");
    (store, dir)
}

/// A server in open mode (no keys needed) with the default configuration.
pub async fn spawn_app() -> TestApp {
    spawn_with(Config::default()).await
}

/// A server in open mode with the default configuration on `store`.
pub async fn spawn_open_on(store: Store) -> TestApp {
    spawn_on(
        Config {
            open: true,
            ..Config::default()
        },
        store,
    )
    .await
}

/// A server in open mode with `config`, on a fresh SQLite store.
pub async fn spawn_with(config: Config) -> TestApp {
    let (store, dir) = sqlite_store().await;
    let mut app = spawn_on(Config { open: true, ..config }, store).await;
    app._data = Some(dir);
    app
}

/// A server with `config` exactly (keys required unless `config.open`) on
/// `store`, on a free loopback port.
pub async fn spawn_on(mut config: Config, store: Store) -> TestApp {
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let catalog = Arc::new(Catalog::new(shared_evaluator(), assay::bank::embedded_sources()));
    let server = Server::bind(AppState::new(catalog, store.clone(), config))
        .await
        .expect("binds a free port");
    let addr = server.local_addr().expect("bound address");
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client");
    TestApp {
        addr,
        client,
        store,
        shutdown: Some(tx),
        handle,
        _data: None,
    }
}

impl TestApp {
    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET completes")
    }

    /// `GET path` with one extra header.
    pub async fn get_with(&self, path: &str, name: &str, value: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(name, value)
            .send()
            .await
            .expect("GET completes")
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST completes")
    }

    /// `POST path` with raw bytes and a content type.
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        request.send().await.expect("POST completes")
    }

    /// `POST /v1/evaluate`.
    pub async fn evaluate(&self, body: &Value) -> reqwest::Response {
        self.post_json("/v1/evaluate", body).await
    }

    /// A request with `method` to `path`, as the key `token` (none: no
    /// `Authorization`), with a JSON body when given.
    pub async fn send_as(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the request completes")
    }

    /// Sends SIGTERM's equivalent and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.await.expect("the server task does not panic")
    }

    /// Requests in flight, as the server's own gauge counts them, less the
    /// scrape that asks.
    pub async fn in_flight(&self) -> i64 {
        let text = self.get("/metrics").await.text().await.expect("metrics");
        text.lines()
            .find_map(|l| l.strip_prefix("assay_http_requests_in_flight "))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .expect("the in-flight gauge")
            - 1
    }

    /// Waits (up to 20 s) until `n` requests are in flight.
    pub async fn wait_in_flight(&self, n: i64) {
        for _ in 0..2_000 {
            if self.in_flight().await == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("never saw {n} requests in flight");
    }

    /// Opens a connection and sends a valid `POST /v1/evaluate` whose body
    /// stops after ten bytes: a request the server holds in flight until the
    /// rest is sent, the connection drops, or it times out.
    pub async fn hold_evaluation(&self) -> HeldRequest {
        let body = serde_json::json!({"question_id": "caching", "answer": GOOD_ANSWER}).to_string();
        let (sent, rest) = body.as_bytes().split_at(10);
        let mut stream = TcpStream::connect(self.addr).await.expect("connects");
        let head = format!(
            "POST /v1/evaluate HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("sends the head");
        stream.write_all(sent).await.expect("sends part of the body");
        stream.flush().await.expect("flushes");
        HeldRequest {
            stream,
            rest: rest.to_vec(),
        }
    }
}

/// A request sent but for the end of its body.
pub struct HeldRequest {
    /// The connection it was sent on.
    pub stream: TcpStream,
    /// The bytes of the body not sent yet.
    pub rest: Vec<u8>,
}

/// The JSON body of a successful response, after checking its status.
pub async fn json_ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("JSON")
}

/// Checks `response` is an RFC 9457 problem with `status` and `code`, and
/// returns its body.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "content type"
    );
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("every response has an X-Request-Id");
    let body: Value = serde_json::from_str(&response.text().await.expect("a body")).expect("problem JSON");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    for field in ["type", "title", "detail", "instance"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} in {body}"
        );
    }
    body
}

/// Reads whatever the server sends on `stream` until it closes or `wait` passes.
pub async fn read_response(stream: &mut TcpStream, wait: Duration) -> String {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                bytes.extend_from_slice(&buffer[..n]);
                if response_complete(&bytes) {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether `bytes` hold a whole HTTP/1.1 response with a Content-Length body.
fn response_complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some(end) = text.find("\r\n\r\n") else {
        return false;
    };
    let length = text[..end]
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse::<usize>().ok());
    length.is_some_and(|n| bytes.len() >= end + 4 + n)
}
