//! Concepts kept apart from the answers: one rubric per question, for a whole
//! data set.
//!
//! An ATS or a teacher often has a rubric per question in one place and the
//! answers in another. A concepts file holds one JSON object per line,
//! `{"question": …, "concepts": [ … ]}`, and `assay grade --concepts FILE`
//! scores every line that brings its own references, but no concepts, for a
//! question the file lists against those concepts instead of derived ones.

use std::collections::HashMap;

use serde::Deserialize;

use super::GradeInput;
use crate::rubric::ConceptSpec;

/// Why a concepts file could not be read, with the line at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConceptsFileError {
    /// A line is not a JSON object with `question` and `concepts`.
    #[error("line {line}: {message}")]
    Invalid {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Two lines give concepts for the same question.
    #[error("line {line}: the question is already given concepts on line {first}")]
    Duplicate {
        /// 1-based line number of the second one.
        line: usize,
        /// 1-based line number of the first one.
        first: usize,
    },
}

/// One line of a concepts file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptsLine {
    question: String,
    concepts: Vec<ConceptSpec>,
}

/// Concepts by question text, read from a concepts file.
#[derive(Debug, Default)]
pub struct ConceptBook {
    /// Question text, trimmed → its concepts and the line they came from.
    by_question: HashMap<String, (usize, Vec<ConceptSpec>)>,
}

impl ConceptBook {
    /// Reads a concepts file's text. Blank lines are skipped; any other line
    /// that is not `{"question": …, "concepts": [ … ]}`, or repeats a
    /// question, is an error naming its line.
    pub fn parse(text: &str) -> Result<ConceptBook, ConceptsFileError> {
        let mut by_question: HashMap<String, (usize, Vec<ConceptSpec>)> = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let parsed: ConceptsLine = serde_json::from_str(raw).map_err(|e| ConceptsFileError::Invalid {
                line,
                message: super::lines::column_message(&e),
            })?;
            let question = parsed.question.trim().to_owned();
            if question.is_empty() {
                return Err(ConceptsFileError::Invalid {
                    line,
                    message: "`question` is empty".into(),
                });
            }
            if let Some((first, _)) = by_question.get(&question) {
                return Err(ConceptsFileError::Duplicate { line, first: *first });
            }
            by_question.insert(question, (line, parsed.concepts));
        }
        Ok(ConceptBook { by_question })
    }

    /// How many questions the file gives concepts for.
    pub fn len(&self) -> usize {
        self.by_question.len()
    }

    /// Whether the file gives no concepts at all.
    pub fn is_empty(&self) -> bool {
        self.by_question.is_empty()
    }

    /// Gives `input` the concepts listed for its question, when it brings
    /// references of its own and no concepts. Bank rows (no references) and
    /// rows with concepts of their own are left as they are. Returns whether
    /// concepts were attached.
    pub fn attach(&self, input: &mut GradeInput) -> bool {
        let has_references = input.reference.is_some() || input.reference_answers.is_some();
        if !has_references || input.concepts.is_some() {
            return false;
        }
        let Some(question) = input.question.as_deref() else {
            return false;
        };
        match self.by_question.get(question.trim()) {
            Some((_, concepts)) => {
                input.concepts = Some(concepts.clone());
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        r#"{"question": "What is a mutex?", "concepts": [{"label": "mutual exclusion", "weight": 3, "aliases": ["one thread at a time"]}]}"#,
        "\n\n",
        r#"{"question": "What is ARP?", "concepts": [{"label": "IP to MAC"}]}"#,
        "\n",
    );

    fn row(json: &str) -> GradeInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_reference_row_without_concepts_gets_its_questions_concepts() {
        let book = ConceptBook::parse(FILE).unwrap();
        assert_eq!(book.len(), 2);
        let mut input = row(r#"{"question": " What is a mutex? ", "reference": "A lock.", "answer": "x"}"#);
        assert!(book.attach(&mut input));
        let concepts = input.concepts.unwrap();
        assert_eq!(concepts.len(), 1);
        assert_eq!(concepts[0].label.as_deref(), Some("mutual exclusion"));
        assert_eq!(concepts[0].aliases, ["one thread at a time"]);
    }

    #[test]
    fn bank_rows_rows_with_concepts_and_unlisted_questions_are_left_alone() {
        let book = ConceptBook::parse(FILE).unwrap();
        let mut bank = row(r#"{"question": "What is a mutex?", "answer": "x"}"#);
        assert!(!book.attach(&mut bank));
        assert!(bank.concepts.is_none());
        let mut own = row(
            r#"{"question": "What is a mutex?", "reference": "A lock.", "concepts": [{"label": "lock"}], "answer": "x"}"#,
        );
        assert!(!book.attach(&mut own));
        assert_eq!(own.concepts.unwrap()[0].label.as_deref(), Some("lock"));
        let mut other =
            row(r#"{"question": "What is DNS?", "reference": "Names to addresses.", "answer": "x"}"#);
        assert!(!book.attach(&mut other));
        assert!(other.concepts.is_none());
    }

    #[test]
    fn a_bad_line_is_named_by_number() {
        let bad = "\n{\"question\": \"Q\", \"concepts\": [{\"label\": \"a\"}]}\n{\"question\": \"Q2\"}\n";
        let e = ConceptBook::parse(bad).unwrap_err();
        assert!(matches!(e, ConceptsFileError::Invalid { line: 3, .. }), "{e}");
        assert!(e.to_string().starts_with("line 3: column "), "{e}");
        assert!(e.to_string().contains("concepts"), "{e}");
        assert!(!e.to_string().contains("line 1"), "{e}");
        let unknown = r#"{"question": "Q", "concepts": [], "answer": "x"}"#;
        assert!(matches!(
            ConceptBook::parse(unknown),
            Err(ConceptsFileError::Invalid { line: 1, .. })
        ));
        let empty = r#"{"question": "  ", "concepts": []}"#;
        assert!(ConceptBook::parse(empty)
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }

    #[test]
    fn a_question_given_twice_is_refused() {
        let twice = format!(
            "{}\n{}",
            FILE.lines().next().unwrap(),
            FILE.lines().next().unwrap()
        );
        let e = ConceptBook::parse(&twice).unwrap_err();
        assert!(
            matches!(e, ConceptsFileError::Duplicate { line: 2, first: 1 }),
            "{e}"
        );
    }
}
