//! Signed webhooks (Standard Webhooks 1.0): tenants register endpoints, and
//! events (`evaluation.completed`, `assessment.completed`) are queued in the
//! store, in the transaction that stores what they report, and sent by
//! [`sender`], signed with each endpoint's secret.

pub mod sender;
pub mod signature;

pub use sender::SenderConfig;
pub use signature::{signature_header, verify, Secret, SignatureError};

/// Longest endpoint URL, in characters.
pub const MAX_URL_CHARS: usize = 2_000;

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

/// Whether `url` may receive webhooks: `https://`, or `http://` to a
/// loopback host (a receiver on the same machine, in development).
pub fn check_url(url: &str) -> Result<(), String> {
    if url.chars().count() > MAX_URL_CHARS || url.chars().any(char::is_control) {
        return Err(format!(
            "must be at most {MAX_URL_CHARS} characters, without control characters"
        ));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a URL: {e}"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("must use https (http only to localhost)".to_owned()),
        other => Err(format!("must use https, not {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(check_url("https://hooks.example.com/assay").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        assert!(check_url("http://[::1]:80/").is_ok());
        assert!(check_url("http://hooks.example.com/").is_err());
        assert!(check_url("ftp://hooks.example.com/").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(MAX_URL_CHARS))).is_err());
    }
}
