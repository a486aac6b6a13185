//! Assay: deterministic, explainable evaluation of free-text interview answers.
//!
//! A bank of questions, each with weighted concepts (and every way people say
//! them) and red flags, is loaded from TOML ([`bank`]) and indexed with tantivy
//! ([`search`]). [`Evaluator::evaluate`] reads an answer once through the one
//! analyzer ([`text`]) and reports a score with its breakdown, the concepts
//! covered with the exact evidence spans, those missing with hints, those only
//! dismissed, red flags, and answer-level signals ([`score`]).
//!
//! # Example
//!
//! ```
//! use assay::Evaluator;
//!
//! let evaluator = Evaluator::embedded()?;
//! let answer = "I find the slow queries with pg_stat_statements, read the plan with \
//!               EXPLAIN ANALYZE to spot sequential scans, and add a composite index.";
//! let evaluation = evaluator.evaluate("explain-plans", answer)?;
//! assert!(evaluation.covered.iter().any(|c| c.id == "read-the-plan"));
//! let evidence = &evaluation.covered[0].evidence[0];
//! assert_eq!(&answer[evidence.start..evidence.end], evidence.text);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod api;
pub mod assess;
pub mod bank;
pub mod check;
mod error;
pub mod grade;
pub mod rubric;
pub mod score;
pub mod search;
pub mod store;
pub mod text;
pub mod webhooks;

pub use error::{Error, Result};
pub use score::{EvaluateOptions, Evaluation, Evaluator, Rating, RatingThresholds};
