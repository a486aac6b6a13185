//! Assessments: a set of questions sent to a candidate, answered before a
//! deadline, submitted once and reported to the recruiter.
//!
//! This module holds what needs no store or HTTP: the overall verdict of a
//! submitted assessment and how it reads on ATS rating scales
//! ([`summary`]), and the signed, expiring links to its report ([`links`]).
//! The store keeps assessments (`crate::store`), the API serves them.

pub mod links;
pub mod summary;

pub use links::{LinkError, ReportLinks};
pub use summary::{summarise, AnswerResult, Recommendation, Summary, Verdict};
