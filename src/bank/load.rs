//! Reading corpus files into a [`Bank`]: TOML → raw spanned values → typed values.
//!
//! Every problem is collected, not just the first, and each names its file,
//! line and column, so `assay check` reports a whole corpus in one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_spanned::Spanned;

use super::error::{BankError, Diagnostic};
use super::model::{
    AnswerKind, Bank, Concept, ModelAnswer, Practice, Question, RedFlag, Severity, Slug, Text, Weight,
};
use crate::text::Analyzer;

/// The file holding the red flags common to every question.
pub const COMMON_FILE: &str = "_common.toml";

/// Longest wording or label, in characters.
/// Question ids the HTTP API uses as path segments beside `/v1/questions/{id}`.
const RESERVED_IDS: &[&str] = &["match"];

const MAX_SHORT_TEXT: usize = 1_000;
/// Longest model answer, hint or explanation, in characters.
const MAX_LONG_TEXT: usize = 20_000;

/// One corpus file: where it came from and what it holds.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path reported in diagnostics.
    pub path: PathBuf,
    /// The file's contents.
    pub contents: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    group: Spanned<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    question: Spanned<String>,
    #[serde(default)]
    wordings: Vec<Spanned<String>>,
    model_answers: Spanned<Vec<Spanned<RawModelAnswer>>>,
    concepts: Spanned<Vec<Spanned<RawConcept>>>,
    #[serde(default)]
    red_flags: Vec<Spanned<RawRedFlag>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModelAnswer {
    kind: Spanned<String>,
    text: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: Spanned<String>,
    label: Spanned<String>,
    weight: Spanned<f64>,
    aliases: Spanned<Vec<Spanned<String>>>,
    hint: Spanned<String>,
    #[serde(default)]
    pitfall: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRedFlag {
    id: Spanned<String>,
    label: Spanned<String>,
    severity: Spanned<String>,
    phrases: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    dismissing: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    practices: Option<Spanned<Vec<Spanned<String>>>>,
    why: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommon {
    #[serde(default)]
    red_flags: Vec<Spanned<RawRedFlag>>,
}

/// Collects diagnostics for one file while converting its values.
struct FileCtx<'a> {
    path: &'a Path,
    source: &'a str,
    problems: Vec<Diagnostic>,
}

impl FileCtx<'_> {
    fn report(&mut self, offset: usize, message: impl Into<String>) {
        self.problems
            .push(Diagnostic::at(self.path, self.source, offset, message));
    }

    fn slug(&mut self, field: &str, raw: &Spanned<String>) -> Option<Slug> {
        Slug::parse(raw.get_ref())
            .map_err(|e| self.report(raw.span().start, format!("{field}: {e}")))
            .ok()
    }

    fn text(&mut self, field: &str, raw: &Spanned<String>, max: usize) -> Option<Text> {
        Text::parse(raw.get_ref(), max)
            .map_err(|e| self.report(raw.span().start, format!("{field} {e}")))
            .ok()
    }

    fn texts(&mut self, field: &str, raw: &Spanned<Vec<Spanned<String>>>, analyzer: &Analyzer) -> Vec<Text> {
        if raw.get_ref().is_empty() {
            self.report(raw.span().start, format!("{field} must list at least one phrase"));
        }
        let mut out = Vec::new();
        for item in raw.get_ref() {
            if let Some(text) = self.text(field, item, MAX_SHORT_TEXT) {
                if analyzer.phrase_terms(text.as_str()).is_empty() {
                    self.report(
                        item.span().start,
                        format!("{field} `{text}` has no words to match"),
                    );
                } else {
                    out.push(text);
                }
            }
        }
        out
    }

    fn red_flag(&mut self, raw: &Spanned<RawRedFlag>, analyzer: &Analyzer) -> Option<RedFlag> {
        let r = raw.get_ref();
        let id = self.slug("red flag id", &r.id);
        let label = self.text("red flag label", &r.label, MAX_SHORT_TEXT);
        let severity = Severity::parse(r.severity.get_ref())
            .map_err(|e| self.report(r.severity.span().start, e))
            .ok();
        let phrases = self.texts("red flag phrase", &r.phrases, analyzer);
        let dismissing = match &r.dismissing {
            Some(raw) => self.texts("red flag dismissing phrase", raw, analyzer),
            None => Vec::new(),
        };
        let practices = r
            .practices
            .iter()
            .flat_map(|raw| raw.get_ref())
            .filter_map(|raw| self.practice(raw, analyzer))
            .collect();
        let why = self.text("red flag why", &r.why, MAX_LONG_TEXT);
        Some(RedFlag {
            id: id?,
            label: label?,
            severity: severity?,
            phrases,
            dismissing,
            practices,
            why: why?,
        })
    }

    fn practice(&mut self, raw: &Spanned<String>, analyzer: &Analyzer) -> Option<Practice> {
        let text = self.text("red flag practice", raw, MAX_SHORT_TEXT)?;
        Practice::parse(text, analyzer)
            .map_err(|e| self.report(raw.span().start, format!("red flag practice: {e}")))
            .ok()
    }
}

/// Parses one question file. `expected_id` is the file stem it must match.
fn parse_question(
    file: &SourceFile,
    expected_id: Option<&str>,
    analyzer: &Analyzer,
) -> Result<Question, Vec<Diagnostic>> {
    let raw: RawQuestion = toml::from_str(&file.contents).map_err(|e| vec![toml_diagnostic(file, &e)])?;
    let mut ctx = FileCtx {
        path: &file.path,
        source: &file.contents,
        problems: Vec::new(),
    };
    let id = ctx.slug("id", &raw.id);
    if let Some(reserved) = id.as_ref().filter(|id| RESERVED_IDS.contains(&id.as_str())) {
        ctx.report(
            raw.id.span().start,
            format!("id `{reserved}` is reserved: the API serves /v1/questions/{reserved} itself"),
        );
    }
    if let (Some(id), Some(expected)) = (&id, expected_id) {
        if id.as_str() != expected {
            ctx.report(
                raw.id.span().start,
                format!("id `{id}` must match the file name `{expected}.toml`"),
            );
        }
    }
    let group = ctx.slug("group", &raw.group);
    let tags: Vec<Slug> = raw.tags.iter().filter_map(|t| ctx.slug("tag", t)).collect();
    let question = ctx.text("question", &raw.question, MAX_SHORT_TEXT);
    let wordings: Vec<Text> = raw
        .wordings
        .iter()
        .filter_map(|w| ctx.text("wording", w, MAX_SHORT_TEXT))
        .collect();

    let mut model_answers = Vec::new();
    for answer in raw.model_answers.get_ref() {
        let a = answer.get_ref();
        let kind = AnswerKind::parse(a.kind.get_ref())
            .map_err(|e| ctx.report(a.kind.span().start, e))
            .ok();
        let text = ctx.text("model answer", &a.text, MAX_LONG_TEXT);
        if let (Some(kind), Some(text)) = (kind, text) {
            model_answers.push(ModelAnswer { kind, text });
        }
    }
    for required in [AnswerKind::Full, AnswerKind::Concise] {
        if !model_answers.iter().any(|a| a.kind == required) {
            let name = if required == AnswerKind::Full {
                "full"
            } else {
                "concise"
            };
            ctx.report(
                raw.model_answers.span().start,
                format!("model_answers needs a `{name}` answer"),
            );
        }
    }

    if raw.concepts.get_ref().is_empty() {
        ctx.report(
            raw.concepts.span().start,
            "concepts must list at least one concept",
        );
    }
    let mut concepts: Vec<Concept> = Vec::new();
    // Which concept claimed each compiled alias, to refuse an alias claimed twice.
    let mut alias_owner: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for concept in raw.concepts.get_ref() {
        let c = concept.get_ref();
        let id = ctx.slug("concept id", &c.id);
        if let Some(id) = &id {
            if concepts.iter().any(|other| &other.id == id) {
                ctx.report(c.id.span().start, format!("concept id `{id}` is used twice"));
            }
        }
        let label = ctx.text("concept label", &c.label, MAX_SHORT_TEXT);
        let weight = Weight::parse(*c.weight.get_ref())
            .map_err(|e| ctx.report(c.weight.span().start, format!("weight {e}")))
            .ok();
        let aliases = ctx.texts("alias", &c.aliases, analyzer);
        for (alias, raw_alias) in aliases.iter().zip(c.aliases.get_ref()) {
            let mut key = analyzer.phrase_terms(alias.as_str());
            key.sort();
            let owner = id.as_ref().map_or_else(String::new, ToString::to_string);
            match alias_owner.get(&key) {
                Some(previous) if *previous != owner => ctx.report(
                    raw_alias.span().start,
                    format!("alias `{alias}` is already claimed by concept `{previous}`"),
                ),
                _ => {
                    alias_owner.insert(key, owner);
                }
            }
        }
        let hint = ctx.text("hint", &c.hint, MAX_LONG_TEXT);
        if let (Some(id), Some(label), Some(weight), Some(hint)) = (id, label, weight, hint) {
            concepts.push(Concept {
                id,
                label,
                weight,
                aliases,
                hint,
                pitfall: c.pitfall,
            });
        }
    }

    let mut red_flags: Vec<RedFlag> = Vec::new();
    for raw_flag in &raw.red_flags {
        if let Some(flag) = ctx.red_flag(raw_flag, analyzer) {
            if red_flags.iter().any(|f| f.id == flag.id) {
                ctx.report(
                    raw_flag.get_ref().id.span().start,
                    format!("red flag id `{}` is used twice", flag.id),
                );
            }
            red_flags.push(flag);
        }
    }

    if !ctx.problems.is_empty() {
        return Err(ctx.problems);
    }
    match (id, group, question) {
        (Some(id), Some(group), Some(question)) => Ok(Question {
            id,
            group,
            tags,
            question,
            wordings,
            model_answers,
            concepts,
            red_flags,
        }),
        _ => Err(vec![Diagnostic::at(
            &file.path,
            &file.contents,
            0,
            "question is incomplete",
        )]),
    }
}

fn parse_common(file: &SourceFile, analyzer: &Analyzer) -> Result<Vec<RedFlag>, Vec<Diagnostic>> {
    let raw: RawCommon = toml::from_str(&file.contents).map_err(|e| vec![toml_diagnostic(file, &e)])?;
    let mut ctx = FileCtx {
        path: &file.path,
        source: &file.contents,
        problems: Vec::new(),
    };
    let mut flags: Vec<RedFlag> = Vec::new();
    for raw_flag in &raw.red_flags {
        if let Some(flag) = ctx.red_flag(raw_flag, analyzer) {
            if flags.iter().any(|f| f.id == flag.id) {
                ctx.report(
                    raw_flag.get_ref().id.span().start,
                    format!("red flag id `{}` is used twice", flag.id),
                );
            }
            flags.push(flag);
        }
    }
    if ctx.problems.is_empty() {
        Ok(flags)
    } else {
        Err(ctx.problems)
    }
}

fn toml_diagnostic(file: &SourceFile, error: &toml::de::Error) -> Diagnostic {
    let offset = error.span().map_or(0, |s| s.start);
    let message = error.message().trim().replace('\n', "; ");
    Diagnostic::at(&file.path, &file.contents, offset, message)
}

/// Builds a bank from corpus files: every `*.toml` is a question except
/// [`COMMON_FILE`]. Files whose name starts with `_` other than the common
/// file, and non-TOML files, are ignored.
pub fn from_sources(sources: &[SourceFile], analyzer: &Analyzer) -> Result<Bank, BankError> {
    let mut problems = Vec::new();
    let mut questions: Vec<(Question, &SourceFile)> = Vec::new();
    let mut common = Vec::new();
    for file in sources {
        let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name == COMMON_FILE {
            match parse_common(file, analyzer) {
                Ok(flags) => common = flags,
                Err(mut p) => problems.append(&mut p),
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".toml") else {
            continue;
        };
        if stem.starts_with('_') {
            continue;
        }
        match parse_question(file, Some(stem), analyzer) {
            Ok(q) => questions.push((q, file)),
            Err(mut p) => problems.append(&mut p),
        }
    }
    cross_check(&questions, &common, &mut problems);
    if !problems.is_empty() {
        return Err(BankError::Invalid(problems));
    }
    Ok(Bank::new(questions.into_iter().map(|(q, _)| q).collect(), common))
}

/// Checks what spans files: red-flag ids clashing with common ones, and a
/// wording claimed by two questions (the lookup could not tell them apart).
fn cross_check(questions: &[(Question, &SourceFile)], common: &[RedFlag], problems: &mut Vec<Diagnostic>) {
    let mut wording_owner: BTreeMap<String, &str> = BTreeMap::new();
    for (q, file) in questions {
        for flag in &q.red_flags {
            if common.iter().any(|c| c.id == flag.id) {
                problems.push(Diagnostic::at(
                    &file.path,
                    &file.contents,
                    find_offset(&file.contents, flag.id.as_str()),
                    format!("red flag id `{}` is already a common red flag", flag.id),
                ));
            }
        }
        for wording in q.all_wordings() {
            let key = wording.as_str().to_lowercase();
            if let Some(owner) = wording_owner.insert(key, q.id.as_str()) {
                if owner != q.id.as_str() {
                    problems.push(Diagnostic::at(
                        &file.path,
                        &file.contents,
                        find_offset(&file.contents, wording.as_str()),
                        format!("wording is also used by question `{owner}`"),
                    ));
                }
            }
        }
    }
}

/// Best-effort location of a value in a file, for checks made after parsing.
fn find_offset(contents: &str, needle: &str) -> usize {
    contents.find(needle).unwrap_or(0)
}

/// Reads every file of a corpus directory (not recursive), sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, BankError> {
    let io = |source| BankError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let contents = std::fs::read_to_string(&path).map_err(|source| BankError::Io {
            path: path.clone(),
            source,
        })?;
        files.push(SourceFile { path, contents });
    }
    let has_question = files.iter().any(|f| {
        f.path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('_'))
    });
    if !has_question {
        return Err(BankError::Empty(dir.to_owned()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
id = "demo"
group = "technical"
tags = ["x"]
question = "What is a demo?"
wordings = ["Explain demos."]
[[model_answers]]
kind = "full"
text = "A demo shows things."
[[model_answers]]
kind = "concise"
text = "It shows."
[[concepts]]
id = "shows"
label = "Shows things"
weight = 2
aliases = ["shows things", "demonstrates"]
hint = "Say what it shows."
[[red_flags]]
id = "fake"
label = "Fakes it"
severity = "low"
phrases = ["fake the demo"]
why = "Dishonest."
"#;

    fn load(files: &[(&str, &str)]) -> Result<Bank, BankError> {
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(p, c)| SourceFile {
                path: PathBuf::from(p),
                contents: (*c).to_owned(),
            })
            .collect();
        from_sources(&sources, &Analyzer::english())
    }

    fn problems(files: &[(&str, &str)]) -> Vec<String> {
        match load(files) {
            Err(BankError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
            other => panic!("expected diagnostics, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_file_loads_into_typed_values() {
        let bank = load(&[("c/demo.toml", VALID)]).unwrap();
        let q = bank.get("demo").unwrap();
        assert_eq!(q.concepts[0].weight.get(), 2.0);
        assert_eq!(q.red_flags[0].severity, Severity::Low);
        assert_eq!(q.all_wordings().count(), 2);
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let broken = VALID.replace("weight = 2", "weight = = 2");
        let p = problems(&[("c/demo.toml", &broken)]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0], "c/demo.toml:16:10: invalid string; expected `\"`, `'`");
    }

    #[test]
    fn an_unknown_field_is_refused_where_it_stands() {
        let broken = VALID.replace("weight = 2", "wieght = 2");
        let p = problems(&[("c/demo.toml", &broken)]);
        assert!(
            p[0].starts_with("c/demo.toml:16:1: unknown field `wieght`"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn every_invalid_value_is_reported_not_just_the_first() {
        let broken = VALID
            .replace("weight = 2", "weight = -1")
            .replace("severity = \"low\"", "severity = \"dire\"")
            .replace("id = \"shows\"", "id = \"Shows\"");
        let p = problems(&[("c/demo.toml", &broken)]);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p
            .iter()
            .any(|m| m.contains(":16:10: weight must be a positive number")));
        assert!(p.iter().any(|m| m.contains("`dire` is not a severity")));
        assert!(p.iter().any(|m| m.contains(":14:6: concept id: `Shows`")));
    }

    #[test]
    fn the_id_must_match_the_file_name() {
        let p = problems(&[("c/other.toml", VALID)]);
        assert!(p[0].contains("must match the file name `other.toml`"), "{}", p[0]);
    }

    #[test]
    fn an_id_the_api_uses_as_a_path_is_reserved() {
        let reserved = VALID.replacen("id = \"demo\"", "id = \"match\"", 1);
        let p = problems(&[("c/match.toml", &reserved)]);
        assert!(p[0].contains("id `match` is reserved"), "{p:#?}");
    }

    #[test]
    fn an_alias_claimed_by_two_concepts_is_refused() {
        let twice = format!(
            "{VALID}\n[[concepts]]\nid = \"two\"\nlabel = \"Two\"\nweight = 1\naliases = [\"Demonstrate\"]\nhint = \"h\"\n"
        );
        let p = problems(&[("c/demo.toml", &twice)]);
        assert!(
            p[0].contains("alias `Demonstrate` is already claimed by concept `shows`"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn both_model_answer_kinds_are_required() {
        let only_full = VALID.replace("kind = \"concise\"", "kind = \"full\"");
        let p = problems(&[("c/demo.toml", &only_full)]);
        assert!(p[0].contains("needs a `concise` answer"), "{}", p[0]);
    }

    #[test]
    fn common_red_flags_load_and_must_not_clash() {
        let common = "[[red_flags]]\nid = \"fake\"\nlabel = \"l\"\nseverity = \"high\"\nphrases = [\"p q\"]\nwhy = \"w\"\n";
        let p = problems(&[("c/_common.toml", common), ("c/demo.toml", VALID)]);
        assert!(p[0].contains("already a common red flag"), "{}", p[0]);
        let ok = common.replace("\"fake\"", "\"secrets\"");
        let bank = load(&[("c/_common.toml", &ok), ("c/demo.toml", VALID)]).unwrap();
        assert_eq!(bank.common_red_flags()[0].id.as_str(), "secrets");
    }

    #[test]
    fn practices_load_as_groups_of_alternatives_and_bad_ones_are_placed() {
        let with = VALID.replace(
            "phrases = [\"fake the demo\"]",
            "phrases = [\"fake the demo\"]\npractices = [\"fake | mock & demo | showcase\"]",
        );
        let bank = load(&[("c/demo.toml", &with)]).unwrap();
        let practice = &bank.get("demo").unwrap().red_flags[0].practices[0];
        let groups: Vec<Vec<&str>> = practice
            .groups
            .iter()
            .map(|g| g.iter().map(|a| a.as_str()).collect())
            .collect();
        assert_eq!(groups, [["fake", "mock"], ["demo", "showcase"]]);

        let empty = with.replace("fake | mock & demo", "fake | & demo");
        let p = problems(&[("c/demo.toml", &empty)]);
        assert!(
            p[0].starts_with("c/demo.toml:24:14:") && p[0].contains("group 1 has an empty alternative"),
            "{p:?}"
        );
        let wordless = with.replace("fake | mock & demo", "fake | ?! & demo");
        let p = problems(&[("c/demo.toml", &wordless)]);
        assert!(p[0].contains("alternative `?!` has no words to match"), "{p:?}");
        let many = with.replace("fake | mock & demo | showcase", "a1 & b1 & c1 & d1 & e1");
        let p = problems(&[("c/demo.toml", &many)]);
        assert!(p[0].contains("5 ingredient groups; at most 4"), "{p:?}");
    }

    #[test]
    fn a_wording_claimed_by_two_questions_is_refused() {
        let other = VALID.replace("id = \"demo\"", "id = \"other\"");
        let p = problems(&[("c/demo.toml", VALID), ("c/other.toml", &other)]);
        assert!(
            p.iter().any(|m| m.contains("also used by question `demo`")),
            "{p:?}"
        );
    }
}
