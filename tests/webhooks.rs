//! Webhook delivery against a real local receiver that verifies Standard
//! Webhooks signatures, on every store backend.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use tokio::sync::Mutex;

use assay::store::{DeliveryStatus, Location, Store};
use assay::webhooks::{payload, sender, verify, SenderConfig};

use crate::backends::every_store;

/// One request the receiver saw.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
    pub at: Instant,
    pub answered: u16,
}

/// A receiver that answers from a script (then 200) and keeps every request.
#[derive(Default)]
pub struct Receiver {
    script: Vec<(u16, Option<&'static str>)>,
    pub seen: Vec<Received>,
}

pub type Shared = Arc<Mutex<Receiver>>;

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: String) -> impl IntoResponse {
    let mut receiver = shared.lock().await;
    let index = receiver.seen.len();
    let (status, retry_after) = receiver.script.get(index).copied().unwrap_or((200, None));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    receiver.seen.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
        signature: header("webhook-signature"),
        body,
        at: Instant::now(),
        answered: status,
    });
    let mut response = StatusCode::from_u16(status).unwrap().into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", seconds.parse().unwrap());
    }
    response
}

/// Starts a receiver on 127.0.0.1 answering `script` first; returns its URL.
pub async fn receiver(script: Vec<(u16, Option<&'static str>)>) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Receiver {
        script,
        seen: Vec::new(),
    }));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

pub fn fast() -> SenderConfig {
    SenderConfig {
        poll: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        max_attempts: 5,
        batch: 16,
    }
}

/// Runs the sender until `done` holds of the receiver (at most 20 s).
pub async fn send_until(
    store: &Store,
    config: &SenderConfig,
    shared: &Shared,
    done: impl Fn(&Receiver) -> bool,
) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(&*shared.lock().await) {
        assert!(Instant::now() < deadline, "the sender did not get there in time");
        sender::send_due(store, &client, config).await.unwrap();
        tokio::time::sleep(config.poll).await;
    }
}

fn data() -> serde_json::Value {
    serde_json::json!({"evaluation_id": "e-1", "question_id": "caching", "score": 72.5})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_fails_twice_gets_the_message_once_signed() {
    for (backend, store, _keep) in every_store().await {
        let (url, shared) = receiver(vec![(500, None), (502, None)]).await;
        let endpoint = store
            .create_endpoint("acme", &url, &["evaluation.completed".to_owned()])
            .await
            .unwrap();
        assert!(endpoint.secret.starts_with("whsec_"));
        let body = payload("evaluation.completed", 1_700_000_000_000, &data());
        let ids = store
            .enqueue_event("acme", "evaluation.completed", &body)
            .await
            .unwrap();
        assert_eq!(ids.len(), 1, "{backend}");
        // Not subscribed: nothing queued.
        assert!(store
            .enqueue_event("acme", "assessment.completed", &body)
            .await
            .unwrap()
            .is_empty());

        send_until(&store, &fast(), &shared, |r| {
            r.seen.iter().any(|s| s.answered == 200)
        })
        .await;
        let seen = shared.lock().await.seen.clone();
        assert_eq!(seen.len(), 3, "{backend}: {seen:?}");
        // The same message each time, and accepted exactly once.
        assert!(seen.iter().all(|s| s.id == ids[0] && s.body == body));
        assert_eq!(seen.iter().filter(|s| s.answered == 200).count(), 1);
        for s in &seen {
            verify(
                &endpoint.secret,
                &s.id,
                s.timestamp,
                s.body.as_bytes(),
                &s.signature,
                s.timestamp,
                300,
            )
            .unwrap_or_else(|e| panic!("{backend}: {e}"));
        }
        // Further polls send nothing more.
        sender::send_due(&store, &reqwest::Client::new(), &fast())
            .await
            .unwrap();
        assert_eq!(shared.lock().await.seen.len(), 3);

        let log = store.deliveries("acme", &endpoint.id, 10).await.unwrap();
        let (delivery, attempts) = &log[0];
        assert_eq!(delivery.status, DeliveryStatus::Delivered, "{backend}");
        let codes: Vec<Option<i64>> = attempts.iter().map(|a| a.status_code).collect();
        assert_eq!(codes, [Some(500), Some(502), Some(200)], "{backend}");
        // Another tenant sees nothing of it.
        assert!(store
            .deliveries("other", &endpoint.id, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_disables_the_endpoint_and_its_queue() {
    for (backend, store, _keep) in every_store().await {
        let (url, shared) = receiver(vec![(410, None)]).await;
        let events = ["evaluation.completed".to_owned()];
        let endpoint = store.create_endpoint("acme", &url, &events).await.unwrap();
        store
            .enqueue_event("acme", "evaluation.completed", "{\"n\":1}")
            .await
            .unwrap();
        send_until(&store, &fast(), &shared, |r| !r.seen.is_empty()).await;
        let disabled = store.endpoint("acme", &endpoint.id).await.unwrap().unwrap();
        assert!(disabled.disabled_ms.is_some(), "{backend}");
        assert!(disabled.disabled_reason.unwrap().contains("410"));
        // A disabled endpoint is queued nothing more and sent nothing more.
        assert!(store
            .enqueue_event("acme", "evaluation.completed", "{\"n\":2}")
            .await
            .unwrap()
            .is_empty());
        sender::send_due(&store, &reqwest::Client::new(), &fast())
            .await
            .unwrap();
        assert_eq!(shared.lock().await.seen.len(), 1, "{backend}");
        let log = store.deliveries("acme", &endpoint.id, 10).await.unwrap();
        assert_eq!(log[0].0.status, DeliveryStatus::Failed, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_the_last_attempt_gives_up() {
    let (store, _dir) = crate::app::sqlite_store().await;
    let (url, shared) = receiver(vec![(503, Some("1"))]).await;
    store
        .create_endpoint("acme", &url, &["evaluation.completed".to_owned()])
        .await
        .unwrap();
    store
        .enqueue_event("acme", "evaluation.completed", "{}")
        .await
        .unwrap();
    send_until(&store, &fast(), &shared, |r| r.seen.len() == 2).await;
    let seen = shared.lock().await.seen.clone();
    // The backoff alone would retry after 50 ms; the receiver asked for 1 s.
    assert!(
        seen[1].at - seen[0].at >= Duration::from_millis(950),
        "{:?}",
        seen[1].at - seen[0].at
    );

    // A receiver that never succeeds gets max_attempts tries, then the message fails.
    let (url, shared) = receiver(vec![(500, None); 10]).await;
    let endpoint = store
        .create_endpoint("beta", &url, &["evaluation.completed".to_owned()])
        .await
        .unwrap();
    store
        .enqueue_event("beta", "evaluation.completed", "{}")
        .await
        .unwrap();
    let config = SenderConfig {
        max_attempts: 3,
        ..fast()
    };
    send_until(&store, &config, &shared, |r| r.seen.len() == 3).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = store.deliveries("beta", &endpoint.id, 10).await.unwrap();
        if log[0].0.status == DeliveryStatus::Failed {
            assert_eq!(log[0].1.len(), 3);
            break;
        }
        assert!(Instant::now() < deadline, "{log:?}");
        sender::send_due(&store, &reqwest::Client::new(), &config)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(shared.lock().await.seen.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_messages_survive_a_restart_and_rotation_signs_with_both_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::DataDir(dir.path().to_owned());
    let (url, shared) = receiver(Vec::new()).await;
    let (endpoint, rotated) = {
        let store = Store::open(&location).await.unwrap();
        let endpoint = store
            .create_endpoint("acme", &url, &["assessment.completed".to_owned()])
            .await
            .unwrap();
        let rotated = store
            .rotate_endpoint_secret("acme", &endpoint.id, 60_000)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(rotated.secret, endpoint.secret);
        assert_eq!(rotated.previous_secret.as_deref(), Some(endpoint.secret.as_str()));
        store
            .enqueue_event("acme", "assessment.completed", "{\"a\":1}")
            .await
            .unwrap();
        store.close().await;
        (endpoint, rotated)
    };
    // A new process on the same store sends what the old one queued.
    let store = Store::open(&location).await.unwrap();
    let sent = sender::spawn(store.clone(), fast());
    let deadline = Instant::now() + Duration::from_secs(20);
    while shared.lock().await.seen.is_empty() {
        assert!(Instant::now() < deadline, "not delivered after the restart");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sent.abort();
    let s = shared.lock().await.seen[0].clone();
    for secret in [&endpoint.secret, &rotated.secret] {
        verify(
            secret,
            &s.id,
            s.timestamp,
            s.body.as_bytes(),
            &s.signature,
            s.timestamp,
            300,
        )
        .unwrap();
    }
    assert!(store.delete_endpoint("acme", &endpoint.id).await.unwrap());
    assert!(!store.delete_endpoint("acme", &endpoint.id).await.unwrap());
    assert!(store.endpoints("acme").await.unwrap().is_empty());
}
