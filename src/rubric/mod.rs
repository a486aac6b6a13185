//! Rubrics for questions outside the bank: what an ad-hoc question's
//! concepts are when the caller brings only a question and reference answers.

mod derive;

pub use derive::{derive_concepts, DerivedConcept};
