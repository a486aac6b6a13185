//! Lines of a JSONL input, read one at a time with a bound on their length.
//!
//! `BufRead::lines` holds a whole line however long it is and stops at the
//! first invalid UTF-8. Batch grading must keep constant memory on any input
//! and skip a bad line without losing the rest, so this reader drops the
//! bytes of an over-long line as it goes and reports it, numbered, as it
//! reports invalid UTF-8.

use std::io::{self, BufRead};

/// Why a line could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    /// The line is longer than the reader allows; its bytes were skipped.
    #[error("the line is {len} bytes long; lines may be at most {max} bytes")]
    TooLong {
        /// The line's length in bytes.
        len: usize,
        /// The longest line read.
        max: usize,
    },
    /// The line is not UTF-8.
    #[error("the line is not UTF-8 (invalid byte at column {column})")]
    NotUtf8 {
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
}

/// serde's message about one JSON line, its position given as a column of
/// the line: serde counts lines within the text it was given, so its own
/// "line 1" would contradict the file's line number that callers print.
pub fn column_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    format!("column {}: {message}", e.column())
}

/// One numbered line.
#[derive(Debug)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The line without its line ending, or why it could not be read.
    pub text: Result<String, LineProblem>,
}

/// Reads lines of at most `max` bytes from a [`BufRead`], counting bytes.
#[derive(Debug)]
pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    number: usize,
    consumed: u64,
}

impl<R: BufRead> BoundedLines<R> {
    /// Lines of `reader`, each at most `max` bytes (line ending aside).
    pub fn new(reader: R, max: usize) -> Self {
        BoundedLines {
            reader,
            max,
            number: 0,
            consumed: 0,
        }
    }

    /// Bytes read so far, line endings included: progress through a file.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next line, `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        let mut text = Vec::new();
        let mut len = 0usize;
        let mut started = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            started = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let part = &available[..newline.unwrap_or(available.len())];
            len += part.len();
            if len <= self.max {
                text.extend_from_slice(part);
            } else if !text.is_empty() {
                // Too long: free what was kept and keep counting only.
                text = Vec::new();
            }
            let used = newline.map_or(available.len(), |i| i + 1);
            self.reader.consume(used);
            self.consumed += used as u64;
            if newline.is_some() {
                break;
            }
        }
        if !started {
            return Ok(None);
        }
        self.number += 1;
        if text.last() == Some(&b'\r') {
            text.pop();
            len -= 1;
        }
        let text = if len > self.max {
            Err(LineProblem::TooLong { len, max: self.max })
        } else {
            String::from_utf8(text).map_err(|e| LineProblem::NotUtf8 {
                column: e.utf8_error().valid_up_to() + 1,
            })
        };
        Ok(Some(Line {
            number: self.number,
            text,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Numbered = (usize, Result<String, LineProblem>);

    fn read_all(input: &[u8], max: usize) -> (Vec<Numbered>, u64) {
        // A tiny buffer makes lines span many reads.
        let mut lines = BoundedLines::new(io::BufReader::with_capacity(3, input), max);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            out.push((line.number, line.text));
        }
        (out, lines.consumed())
    }

    #[test]
    fn lines_are_numbered_and_endings_dropped() {
        let (lines, consumed) = read_all(b"one\r\ntwo\n\nlast", 10);
        let texts: Vec<_> = lines.iter().map(|(n, t)| (*n, t.clone().unwrap())).collect();
        assert_eq!(
            texts,
            [
                (1, "one".into()),
                (2, "two".into()),
                (3, String::new()),
                (4, "last".into())
            ]
        );
        assert_eq!(consumed, 14);
    }

    #[test]
    fn an_over_long_line_is_reported_and_the_next_one_read() {
        let (lines, _) = read_all(b"short\nthis one is far too long\nok\n", 8);
        assert_eq!(lines[0].1.as_deref(), Ok("short"));
        assert_eq!(lines[1].1, Err(LineProblem::TooLong { len: 24, max: 8 }));
        assert_eq!(lines[2], (3, Ok("ok".into())));
    }

    #[test]
    fn invalid_utf8_names_its_column_and_reading_goes_on() {
        let (lines, _) = read_all(b"ab\xffc\nfine\n", 10);
        assert_eq!(lines[0].1, Err(LineProblem::NotUtf8 { column: 3 }));
        assert_eq!(lines[1].1.as_deref(), Ok("fine"));
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(read_all(b"", 10).0.is_empty());
    }
}
