//! Standard Webhooks 1.0 signatures.
//!
//! A secret is `whsec_` followed by the base64 of random bytes; the bytes
//! are the HMAC-SHA256 key. A message is signed over `{id}.{timestamp}.{body}`
//! and the `webhook-signature` header carries `v1,<base64 signature>`, several
//! separated by spaces while a secret is being rotated (one per secret).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret (Standard Webhooks asks for 24 to 64).
const SECRET_BYTES: usize = 32;
/// How far a message's timestamp may be from the receiver's clock.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

/// Why a secret or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The secret is not `whsec_` and base64.
    #[error("a webhook secret is `whsec_` followed by base64")]
    BadSecret,
    /// The operating system gave no randomness for a new secret.
    #[error("no randomness available for a webhook secret: {0}")]
    NoRandomness(String),
    /// The timestamp is too far from now (a replay, or a wrong clock).
    #[error("the webhook timestamp is {0} s away from now")]
    Stale(i64),
    /// No `v1` signature in the header matches.
    #[error("no webhook signature matches")]
    Mismatch,
}

/// A signing secret, parsed: the HMAC keyed with it, cloned per message.
#[derive(Clone)]
pub struct Secret(Hmac<Sha256>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A new random secret, as its `whsec_…` text.
    pub fn generate() -> Result<String, SignatureError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| SignatureError::NoRandomness(e.to_string()))?;
        Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
    }

    /// Parses a `whsec_…` secret.
    pub fn parse(text: &str) -> Result<Secret, SignatureError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SignatureError::BadSecret)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SignatureError::BadSecret)?;
        if bytes.is_empty() {
            return Err(SignatureError::BadSecret);
        }
        let mac = Hmac::<Sha256>::new_from_slice(&bytes).map_err(|_| SignatureError::BadSecret)?;
        Ok(Secret(mac))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `v1,<base64>` signature of a message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Whether `signature` (`v1,<base64>`) is this secret's for the message,
    /// compared in constant time.
    fn verifies(&self, id: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
        let Some(encoded) = signature.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = STANDARD.decode(encoded) else {
            return false;
        };
        self.mac(id, timestamp, body).verify_slice(&tag).is_ok()
    }
}

/// The `webhook-signature` header for a message: one `v1` signature per
/// secret, space-separated.
pub fn signature_header(secrets: &[Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Verifies a received message as a receiver would: the timestamp within
/// `tolerance_secs` of `now_secs`, and one signature in `header` made with
/// `secret`.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
    header: &str,
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let secret = Secret::parse(secret)?;
    let skew = now_secs - timestamp;
    if skew.abs() > tolerance_secs {
        return Err(SignatureError::Stale(skew));
    }
    if header.split(' ').any(|s| secret.verifies(id, timestamp, body, s)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_example_verifies() {
        // The example of the Standard Webhooks specification's test vectors.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = 1614265330;
        let body = br#"{"test": 2432232314}"#;
        let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert_eq!(Secret::parse(secret).unwrap().sign(id, timestamp, body), expected);
        assert_eq!(
            verify(secret, id, timestamp, body, expected, timestamp + 10, 300),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_a_stale_timestamp_or_another_secret_fails() {
        let secret = Secret::generate().unwrap();
        let other = Secret::generate().unwrap();
        let parsed = Secret::parse(&secret).unwrap();
        let header = parsed.sign("msg_1", 100, b"{}");
        assert_eq!(verify(&secret, "msg_1", 100, b"{}", &header, 100, 300), Ok(()));
        assert_eq!(
            verify(&secret, "msg_1", 100, b"{ }", &header, 100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&other, "msg_1", 100, b"{}", &header, 100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret, "msg_1", 100, b"{}", &header, 1000, 300),
            Err(SignatureError::Stale(900))
        );
    }

    #[test]
    fn while_rotating_either_secret_verifies() {
        let old = Secret::generate().unwrap();
        let new = Secret::generate().unwrap();
        let header = signature_header(
            &[Secret::parse(&new).unwrap(), Secret::parse(&old).unwrap()],
            "msg_2",
            5,
            b"x",
        );
        assert_eq!(header.split(' ').count(), 2);
        assert_eq!(verify(&old, "msg_2", 5, b"x", &header, 5, 300), Ok(()));
        assert_eq!(verify(&new, "msg_2", 5, b"x", &header, 5, 300), Ok(()));
    }

    #[test]
    fn malformed_secrets_are_refused() {
        for bad in ["", "whsec_", "whsec_***", "sk_abc"] {
            assert!(
                matches!(Secret::parse(bad), Err(SignatureError::BadSecret)),
                "{bad}"
            );
        }
        assert!(Secret::generate().unwrap().starts_with(SECRET_PREFIX));
    }
}
