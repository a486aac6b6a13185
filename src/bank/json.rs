//! Questions sent as JSON (a tenant's own questions over the API), checked by
//! exactly the code that checks corpus files.
//!
//! The JSON is written out as a corpus TOML file with one value per line and
//! a JSON Pointer recorded for every line, so each diagnostic the loader
//! reports at a line maps back to the field it is about (`/concepts/2/weight`).

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::error::{BankError, Diagnostic};
use super::load::SourceFile;

/// Fields whose arrays of objects become `[[tables]]`, as in corpus files.
const TABLE_ARRAYS: &[&str] = &["model_answers", "concepts", "red_flags"];

/// A JSON question as a corpus source, with the pointer of each line.
#[derive(Debug, Clone)]
pub struct JsonSource {
    /// The TOML source, named `<dir>/<id>.toml`.
    pub source: SourceFile,
    /// The JSON Pointer (`/concepts/0/id`) of each line, 0-based.
    lines: Vec<String>,
}

/// A problem in a JSON question, at a JSON Pointer (`""` is the whole document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Where: a JSON Pointer without the leading `#`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl JsonSource {
    /// Writes `value` (a question object) as a corpus file in `dir`. The file
    /// is named after the question's `id` when it is a string, else `question`.
    pub fn new(value: &Value, dir: &str) -> Result<JsonSource, Vec<FieldProblem>> {
        let Some(object) = value.as_object() else {
            return Err(vec![FieldProblem {
                pointer: String::new(),
                message: "a question must be a JSON object".to_owned(),
            }]);
        };
        let mut writer = Writer::default();
        writer.line("# a question sent as JSON", "");
        let (tables, plain): (Vec<_>, Vec<_>) =
            object.iter().partition(|(key, value)| is_table_array(key, value));
        for (key, value) in plain {
            writer.pair(key, value, &pointer_of("", key));
        }
        for (key, value) in tables {
            let at = pointer_of("", key);
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                let item_at = format!("{at}/{i}");
                writer.line(&format!("[[{}]]", quote(key)), &item_at);
                for (field, field_value) in item.as_object().into_iter().flatten() {
                    writer.pair(field, field_value, &pointer_of(&item_at, field));
                }
            }
        }
        if !writer.problems.is_empty() {
            return Err(writer.problems);
        }
        let stem = object
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty() && !id.contains(['/', '\\']) && id.len() <= 200)
            .unwrap_or("question");
        Ok(JsonSource {
            source: SourceFile {
                path: PathBuf::from(dir).join(format!("{stem}.toml")),
                contents: writer.out,
            },
            lines: writer.lines,
        })
    }

    /// The problems of a failed load that concern this source, each at its
    /// pointer; problems in other files are left out.
    pub fn problems(&self, error: &BankError) -> Vec<FieldProblem> {
        match error {
            BankError::Invalid(diagnostics) => diagnostics
                .iter()
                .filter(|d| d.path == self.source.path)
                .map(|d| self.locate(d))
                .collect(),
            other => vec![FieldProblem {
                pointer: String::new(),
                message: other.to_string(),
            }],
        }
    }

    /// A diagnostic of this source, at its pointer.
    fn locate(&self, diagnostic: &Diagnostic) -> FieldProblem {
        let pointer = self
            .lines
            .get(diagnostic.line.saturating_sub(1))
            .cloned()
            .unwrap_or_default();
        FieldProblem {
            pointer,
            message: diagnostic.message.clone(),
        }
    }
}

/// Whether `key` holds a non-empty array of objects written as `[[key]]`.
fn is_table_array(key: &str, value: &Value) -> bool {
    TABLE_ARRAYS.contains(&key)
        && value
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(Value::is_object))
}

/// `parent` extended by `key`, escaped per RFC 6901.
fn pointer_of(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Builds the TOML text line by line, remembering each line's pointer.
#[derive(Default)]
struct Writer {
    out: String,
    lines: Vec<String>,
    problems: Vec<FieldProblem>,
}

impl Writer {
    fn line(&mut self, text: &str, pointer: &str) {
        self.out.push_str(text);
        self.out.push('\n');
        self.lines.push(pointer.to_owned());
    }

    /// `key = value`, an array spread over one line per item.
    fn pair(&mut self, key: &str, value: &Value, at: &str) {
        match value {
            Value::Array(items) if !items.is_empty() => {
                self.line(&format!("{} = [", quote(key)), at);
                for (i, item) in items.iter().enumerate() {
                    let item_at = format!("{at}/{i}");
                    if let Some(inline) = self.inline(item, &item_at) {
                        self.line(&format!("  {inline},"), &item_at);
                    }
                }
                self.line("]", at);
            }
            _ => {
                if let Some(inline) = self.inline(value, at) {
                    self.line(&format!("{} = {inline}", quote(key)), at);
                }
            }
        }
    }

    /// A value on one line; `None` (and a problem) for `null`, which TOML lacks.
    fn inline(&mut self, value: &Value, at: &str) -> Option<String> {
        Some(match value {
            Value::Null => {
                self.problems.push(FieldProblem {
                    pointer: at.to_owned(),
                    message: "null is not allowed: leave the field out instead".to_owned(),
                });
                return None;
            }
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => quote(s),
            Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    parts.push(self.inline(item, &format!("{at}/{i}"))?);
                }
                format!("[{}]", parts.join(", "))
            }
            Value::Object(map) => self.inline_table(map, at)?,
        })
    }

    fn inline_table(&mut self, map: &Map<String, Value>, at: &str) -> Option<String> {
        let mut parts = Vec::with_capacity(map.len());
        for (key, value) in map {
            let inline = self.inline(value, &pointer_of(at, key))?;
            parts.push(format!("{} = {inline}", quote(key)));
        }
        Some(format!("{{ {} }}", parts.join(", ")))
    }
}

/// `text` as a one-line TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_survive_quoting() {
        let nasty = "a \"quoted\" \\ line\nnext\ttab \u{7f} \u{1} ünï";
        let toml_text = format!("x = {}", quote(nasty));
        let parsed: toml::Table = toml::from_str(&toml_text).expect("valid TOML");
        assert_eq!(parsed["x"].as_str(), Some(nasty));
    }

    #[test]
    fn every_line_has_a_pointer() {
        let value = json!({
            "id": "q", "tags": ["a", "b"],
            "concepts": [{"id": "c", "aliases": ["x", "y"]}],
        });
        let source = JsonSource::new(&value, "tenant").expect("converts");
        assert_eq!(source.lines.len(), source.source.contents.lines().count());
        let line_of = |needle: &str| {
            source
                .source
                .contents
                .lines()
                .position(|l| l.contains(needle))
                .expect("line present")
        };
        assert_eq!(source.lines[line_of("\"b\"")], "/tags/1");
        assert_eq!(source.lines[line_of("\"y\"")], "/concepts/0/aliases/1");
        assert_eq!(source.lines[line_of("[[\"concepts\"]]")], "/concepts/0");
        assert_eq!(source.source.path, PathBuf::from("tenant/q.toml"));
    }

    #[test]
    fn nulls_are_refused_where_they_are() {
        let problems = JsonSource::new(&json!({"id": "q", "tags": ["a", null]}), "t").unwrap_err();
        assert_eq!(problems[0].pointer, "/tags/1");
    }
}
