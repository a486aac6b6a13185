//! The question bank: the corpus model, loading and validation.
//!
//! A corpus is a directory of TOML files, one per question, plus
//! [`load::COMMON_FILE`] for the red flags common to all (the format is
//! documented in `corpus/README.md`). The shipped corpus is compiled into the
//! binary ([`embedded`]); [`from_dir`] reads another one.

pub mod error;
pub mod json;
pub mod load;
pub mod model;

use std::path::Path;

use include_dir::{include_dir, Dir};

pub use error::{BankError, Diagnostic};
pub use load::SourceFile;
pub use model::{
    AnswerKind, Bank, Concept, ModelAnswer, Practice, Question, RedFlag, Severity, Slug, Text, Weight,
};

use crate::text::Analyzer;

/// The shipped corpus, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/corpus");

/// The corpus files compiled into the binary, sorted by name.
pub fn embedded_sources() -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = EMBEDDED
        .files()
        .filter_map(|f| {
            let contents = f.contents_utf8()?.to_owned();
            Some(SourceFile {
                path: Path::new("corpus").join(f.path()),
                contents,
            })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Loads the shipped corpus.
pub fn embedded(analyzer: &Analyzer) -> Result<Bank, BankError> {
    load::from_sources(&embedded_sources(), analyzer)
}

/// Loads the corpus in `dir`.
pub fn from_dir(dir: &Path, analyzer: &Analyzer) -> Result<Bank, BankError> {
    load::from_sources(&load::read_dir(dir)?, analyzer)
}
