//! Signed, expiring links to a recruiter's report (`/r/{id}?expires=…&signature=…`).
//!
//! The signature is HMAC-SHA256 over the assessment id and the expiry, keyed
//! with a secret the store keeps for every instance, so a link works on any
//! instance and after restarts, cannot be altered to reach another report or
//! live longer, and needs no session.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a report link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The signature does not match the id and expiry.
    #[error("the report link's signature is not valid")]
    Invalid,
    /// The link was valid until the given Unix second.
    #[error("the report link expired")]
    Expired,
}

/// Signs and checks report links with one secret.
#[derive(Clone)]
pub struct ReportLinks {
    key: Hmac<Sha256>,
}

impl std::fmt::Debug for ReportLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReportLinks(..)")
    }
}

impl ReportLinks {
    /// Links signed with `secret` (any length; the store keeps 32 random bytes).
    pub fn new(secret: &[u8]) -> ReportLinks {
        // HMAC takes keys of any length, so this cannot fail.
        let key = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        ReportLinks { key }
    }

    /// The signature of a link to report `id` valid until `expires` (Unix seconds), in hex.
    pub fn sign(&self, id: &str, expires: i64) -> String {
        let mut mac = self.key.clone();
        mac.update(b"assay-report\n");
        mac.update(id.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        crate::store::hex(&mac.finalize().into_bytes())
    }

    /// The query string of a link to report `id` valid until `expires`.
    pub fn query(&self, id: &str, expires: i64) -> String {
        format!("expires={expires}&signature={}", self.sign(id, expires))
    }

    /// Checks a link's `signature` for `id` and `expires` at `now` (Unix seconds),
    /// in constant time.
    pub fn verify(&self, id: &str, expires: i64, signature: &str, now: i64) -> Result<(), LinkError> {
        let expected = self.sign(id, expires);
        let same = expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return Err(LinkError::Invalid);
        }
        if now >= expires {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_until_it_expires() {
        let links = ReportLinks::new(b"secret");
        let signature = links.sign("as_1", 1_000);
        assert_eq!(links.verify("as_1", 1_000, &signature, 999), Ok(()));
        assert_eq!(
            links.verify("as_1", 1_000, &signature, 1_000),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn a_link_cannot_be_moved_or_extended() {
        let links = ReportLinks::new(b"secret");
        let signature = links.sign("as_1", 1_000);
        assert_eq!(
            links.verify("as_2", 1_000, &signature, 0),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            links.verify("as_1", 2_000, &signature, 0),
            Err(LinkError::Invalid)
        );
        assert_eq!(links.verify("as_1", 1_000, "00", 0), Err(LinkError::Invalid));
        let other = ReportLinks::new(b"another secret");
        assert_eq!(
            other.verify("as_1", 1_000, &signature, 0),
            Err(LinkError::Invalid)
        );
    }
}
