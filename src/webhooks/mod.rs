//! Signed webhooks (Standard Webhooks 1.0): tenants register endpoints, and
//! events (`evaluation.completed`, `assessment.completed`) are queued in the
//! store and sent by [`sender`], signed with each endpoint's secret.

pub mod sender;
pub mod signature;

pub use sender::SenderConfig;
pub use signature::{signature_header, verify, Secret, SignatureError};

/// The event types an endpoint may receive.
pub const EVENTS: &[&str] = &["evaluation.completed", "assessment.completed"];

/// A Standard Webhooks payload: `{"type", "timestamp", "data"}`.
pub fn payload(event: &str, timestamp_ms: i64, data: &serde_json::Value) -> String {
    serde_json::json!({
        "type": event,
        "timestamp": crate::store::rfc3339(timestamp_ms),
        "data": data,
    })
    .to_string()
}
