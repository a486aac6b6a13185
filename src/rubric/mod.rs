//! Rubrics for questions outside the bank: what an ad-hoc question's
//! concepts are when the caller brings only a question and reference answers.

mod derive;
mod spec;
mod vocabulary;

pub use derive::{derive_concepts, DerivedConcept};
pub use spec::*;
pub use vocabulary::Vocabulary;
pub(crate) use vocabulary::QUESTION_WORD_FACTOR;

/// The longest reference answer accepted, in bytes: references are model
/// answers, a few paragraphs at most.
pub const MAX_REFERENCE_BYTES: usize = 64 * 1024;
