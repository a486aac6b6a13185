//! The library's error type: one variant per stage that can fail.

use crate::bank::BankError;
use crate::search::IndexError;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The corpus could not be loaded.
    #[error(transparent)]
    Bank(#[from] BankError),
    /// The search index could not be built or searched.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// No bank question has this id, or no question matches this wording.
    #[error("unknown question `{query}`{}", suggestion_text(.suggestions))]
    UnknownQuestion {
        /// The id or wording asked for.
        query: String,
        /// The closest question ids, best first.
        suggestions: Vec<String>,
    },
    /// The answer is longer than the evaluator accepts.
    #[error("the answer is {len} bytes long; the limit is {max} bytes")]
    AnswerTooLong {
        /// The answer's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// Rating thresholds that do not rise within 0–100.
    #[error("rating thresholds must satisfy 0 <= no <= yes <= strong_yes <= 100, got no={no}, yes={yes}, strong_yes={strong_yes}")]
    InvalidThresholds {
        /// Lowest score rated `no`.
        no: f64,
        /// Lowest score rated `yes`.
        yes: f64,
        /// Lowest score rated `strong_yes`.
        strong_yes: f64,
    },
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", suggestions.join(", "))
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
