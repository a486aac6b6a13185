//! The one analyzer: what every piece of Assay reads text through.
//!
//! The index, the scorer and the question lookup all see the same tokens:
//! Unicode word bounds ([`unicode_segmentation`]) → folded to lowercase without
//! accents ([`normalize`]) → reduced to an English Snowball stem
//! ([`rust_stemmers`]). Every token keeps its byte [`Span`] in the original
//! text, so evidence is always a range a client can highlight, and knows its
//! sentence and clause. [`negation`] marks the stretches of text where a term
//! is only mentioned to be dismissed or rejected.
//!
//! # Example
//!
//! ```
//! use assay::text::Analyzer;
//!
//! let analyzer = Analyzer::english();
//! let analyzed = analyzer.analyze("We never skip indexes. Caching helps!");
//! let stems: Vec<&str> = analyzed.tokens().iter().map(|t| t.stem.as_ref()).collect();
//! assert_eq!(stems, ["we", "never", "skip", "index", "cach", "help"]);
//! assert_eq!(analyzed.sentence_count(), 2);
//! // "skip indexes" sits inside the scope of "never".
//! assert!(analyzed.scopes().iter().any(|s| s.covers(3)));
//! ```

pub mod frequency;
pub mod negation;
pub mod normalize;
pub mod opposites;
pub mod segment;
pub mod stopwords;
pub mod synonyms;
pub mod tokenizer;
pub mod vectors;

use std::borrow::Cow;
use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

pub use negation::{Scope, ScopeKind};

/// A byte range `[start, end)` in the analysed text, always on UTF-8 boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// The smallest span covering both `self` and `other`.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters and/or digits, possibly joined by `+`, `#`, `_`, `'` or `.` (`n+1`, `c#`, `don't`).
    Word,
    /// A lone `*`, meaningful in `SELECT *`.
    Symbol,
}

/// One analysed word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Where the word stands in the original text.
    pub span: Span,
    /// The word folded to lowercase without accents; borrowed from the word
    /// table for common words.
    pub norm: Cow<'static, str>,
    /// The English Snowball stem of [`Token::norm`]; borrowed from the stem
    /// table for common words, so most tokens allocate no stem of their own.
    pub stem: Cow<'static, str>,
    /// Index of the sentence the word belongs to.
    pub sentence: u32,
    /// Index of the clause the word belongs to (clauses never cross sentences).
    pub clause: u32,
    /// Whether the word is an English function word.
    pub stop: bool,
    /// Word or symbol.
    pub kind: TokenKind,
    /// Whether a colon stands between this token and the previous one
    /// ("two things I avoid: …"), so a cue before it governs what follows.
    pub after_colon: bool,
}

/// A text after analysis: its tokens, sentences and negation scopes.
#[derive(Debug, Clone)]
pub struct Analyzed {
    tokens: Vec<Token>,
    sentences: u32,
    scopes: Vec<Scope>,
}

impl Analyzed {
    /// The tokens, in text order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// How many sentences hold at least one token.
    pub fn sentence_count(&self) -> usize {
        self.sentences as usize
    }

    /// The negation and rejection scopes found in the text.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Whether a negation cue governs token `index` ("not" in "does not
    /// change state" governs "change" and "state").
    pub fn is_negated(&self, index: usize) -> bool {
        self.is_governed(index, ScopeKind::Negation)
    }

    /// Whether a rejection cue governs token `index` ("avoid" in "avoid
    /// making copies" governs "making" and "copies").
    pub fn is_rejected(&self, index: usize) -> bool {
        self.is_governed(index, ScopeKind::Rejection)
    }

    /// Whether a cue of `kind` governs token `index`.
    fn is_governed(&self, index: usize, kind: ScopeKind) -> bool {
        self.scopes.iter().any(|s| s.kind == kind && s.covers(index))
    }

    /// The distinct stems of the content (non-function) tokens, sorted: what
    /// the index holds of a text and what queries and question demoting use.
    pub fn content_stems(&self) -> BTreeSet<&str> {
        self.tokens
            .iter()
            .filter(|t| !t.stop)
            .map(|t| t.stem.as_ref())
            .collect()
    }

    /// How many tokens are words (not symbols).
    pub fn word_count(&self) -> usize {
        self.tokens.iter().filter(|t| t.kind == TokenKind::Word).count()
    }

    /// The byte span covering tokens `first..=last`.
    ///
    /// Panics never: indices past the end are clamped to the last token; an
    /// empty analysis yields an empty span at 0.
    pub fn span_of(&self, first: usize, last: usize) -> Span {
        let Some(max) = self.tokens.len().checked_sub(1) else {
            return Span { start: 0, end: 0 };
        };
        let a = self.tokens[first.min(max)].span;
        let b = self.tokens[last.min(max)].span;
        a.cover(b)
    }
}

/// The English analyzer. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Analyzer {
    stemmer: std::sync::Arc<Stemmer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(english)")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::english()
    }
}

/// Where the analysis stands while it walks the text.
#[derive(Debug, Default)]
struct Position {
    sentence: u32,
    clause: u32,
    /// The current sentence has a token.
    sentence_open: bool,
    /// A sentence-ending mark was seen; the next word decides.
    pending_end: bool,
    /// That mark ended an abbreviation ("e.g.", "etc."), so a lowercase
    /// word after it goes on the sentence.
    after_abbreviation: bool,
    /// Nothing but white space since the last line break (a `*` is a bullet).
    line_start: bool,
    /// A colon was seen since the last token.
    colon_pending: bool,
}

impl Position {
    fn new_sentence(&mut self) {
        if self.sentence_open {
            self.sentence += 1;
            self.clause += 1;
            self.sentence_open = false;
        }
        self.pending_end = false;
    }

    fn token(
        &mut self,
        span: Span,
        norm: Cow<'static, str>,
        stem: Cow<'static, str>,
        stop: bool,
        kind: TokenKind,
    ) -> Token {
        self.sentence_open = true;
        self.line_start = false;
        Token {
            span,
            norm,
            stem,
            sentence: self.sentence,
            clause: self.clause,
            stop,
            kind,
            after_colon: std::mem::take(&mut self.colon_pending),
        }
    }
}

/// Plurals the Snowball stemmer leaves apart from their singular
/// ("vertices" stems to `vertic`, "vertex" to `vertex`), common in technical
/// answers.
const IRREGULAR_PLURALS: &[(&str, &str)] = &[
    ("analyses", "analysis"),
    ("appendices", "appendix"),
    ("children", "child"),
    ("criteria", "criterion"),
    ("hypotheses", "hypothesis"),
    ("indices", "index"),
    ("matrices", "matrix"),
    ("phenomena", "phenomenon"),
    ("schemata", "schema"),
    ("vertices", "vertex"),
];

/// The singular of an irregular plural in [`IRREGULAR_PLURALS`].
fn irregular_singular(word: &str) -> Option<&'static str> {
    IRREGULAR_PLURALS
        .iter()
        .find(|(plural, _)| *plural == word)
        .map(|(_, singular)| *singular)
}

/// The singular of an acronym's plural ("jvms", "cdns", "prs"): Snowball
/// drops a final "s" only after a vowel, so a plural of an acronym without
/// one kept its "s" and missed the singular ("the live JVMs" against "live
/// JVM").
fn acronym_singular(word: &str) -> Option<&str> {
    let stem = word.strip_suffix('s')?;
    let is_acronym = stem.len() >= 2
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'));
    is_acronym.then_some(stem)
}

/// Words that say "the whole set" and are interchangeable inside a phrase
/// ("replace every instance", "replace all instances", "restart each
/// pod"): they share one stem, so a phrase written with one matches an
/// answer that says another.
const UNIVERSAL_QUANTIFIERS: &[&str] = &["each", "every"];

/// Words the Snowball stemmer gets wrong, by prefix, with the stem they
/// take instead. It folds unrelated words together: "experiment" and
/// "experience" both stem to `experi`, "production", "productive" and
/// "product" to `product`, and interview answers use both sides ("my
/// experience with …", "experiment in production", "the product owner").
/// And it splits one word: "experienced" stems to `experienc`.
const STEM_OVERRIDES: &[(&str, &str)] = &[
    ("experienc", "experi"),
    ("experiment", "experiment"),
    ("production", "production"),
    ("productiv", "productiv"),
];

/// The stem a word in [`STEM_OVERRIDES`] takes.
fn overridden_stem(word: &str) -> Option<&'static str> {
    STEM_OVERRIDES
        .iter()
        .find(|(prefix, _)| word.starts_with(prefix))
        .map(|(_, stem)| *stem)
}

/// Words written with a period that does not end a sentence when a
/// lowercase word follows ("etc. and", "vs. the"); a word with a period
/// inside ("e.g", "i.e") is one too.
const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "ca", "cf", "dr", "eg", "esp", "etc", "fig", "ie", "inc", "incl", "ltd", "mr", "mrs",
    "no", "prof", "resp", "vs",
];

/// Whether `norm` is an abbreviation ([`ABBREVIATIONS`]).
fn is_abbreviation(norm: &str) -> bool {
    norm.contains('.') || ABBREVIATIONS.contains(&norm)
}

/// Words that open a new clause inside a sentence.
const CLAUSE_OPENERS: &[&str] = &[
    "although", "because", "but", "except", "however", "instead", "since", "so", "then", "though", "unless",
    "whereas", "which", "while", "who", "yet",
];

/// The terms a phrase's analysed `tokens` must match: their stems without
/// glue words, unless they are all glue words ([`Analyzer::phrase_terms`]).
pub fn phrase_terms_of(tokens: &[Token]) -> Vec<String> {
    let content: Vec<String> = tokens
        .iter()
        .filter(|t| !stopwords::is_glue_word(&t.norm))
        .map(|t| t.stem.to_string())
        .collect();
    if content.is_empty() {
        tokens.iter().map(|t| t.stem.to_string()).collect()
    } else {
        content
    }
}

/// Characters that may stand right before a dotted name: an opening
/// bracket or quote, as in "(.env)", "`.gitignore`" or "\".npmrc\"".
const NAME_OPENERS: &[char] = &['(', '[', '{', '"', '\'', '`', '\u{201c}', '\u{2018}'];

/// Whether the "." at byte `at` of `text` opens a dotted name: white space,
/// an opening bracket or quote (or nothing) before it and a letter right
/// after it, as in "commit the .env file", "a .NET service" or "(.env)". A
/// full stop is followed by a space.
fn starts_dotted_name(text: &str, at: usize) -> bool {
    let before = text.get(..at).and_then(|b| b.chars().next_back());
    let after = text.get(at + 1..).and_then(|a| a.chars().next());
    before.is_none_or(|c| c.is_whitespace() || NAME_OPENERS.contains(&c))
        && after.is_some_and(char::is_alphabetic)
}

impl Analyzer {
    /// The English analyzer: Unicode word bounds, folding, Snowball English stems.
    pub fn english() -> Self {
        Analyzer {
            stemmer: std::sync::Arc::new(Stemmer::create(Algorithm::English)),
        }
    }

    /// Stems one already-folded word; common English words come from a table
    /// built once ([`frequency`]), the rest are stemmed on the spot.
    pub fn stem(&self, norm: &str) -> String {
        self.stem_cow(norm).into_owned()
    }

    /// [`Analyzer::stem`], borrowing the stem when the table has it.
    fn stem_cow(&self, norm: &str) -> Cow<'static, str> {
        match frequency::cached_stem(norm) {
            Some(stem) => Cow::Borrowed(stem),
            None => Cow::Owned(self.stem_uncached(norm)),
        }
    }

    /// Stems one already-folded word with the Snowball algorithm itself.
    pub(crate) fn stem_uncached(&self, norm: &str) -> String {
        let trimmed = norm.trim_end_matches("'s").trim_matches('\'');
        let word = if trimmed.is_empty() { norm } else { trimmed };
        if let Some(stem) = overridden_stem(word) {
            return stem.to_owned();
        }
        if UNIVERSAL_QUANTIFIERS.contains(&word) {
            return "all".to_owned();
        }
        let word = irregular_singular(word).unwrap_or(word);
        if let Some(singular) = acronym_singular(word) {
            return singular.to_owned();
        }
        self.stemmer.stem(word).into_owned()
    }

    /// Analyses `text`: tokens with spans, sentences, clauses and negation scopes.
    ///
    /// One pass over the Unicode word bounds. A sentence ends at a line break,
    /// or at `.`, `!`, `?` or `…` followed by a word, unless the mark ends
    /// an abbreviation and the word starts in lowercase ("e.g. the" stays
    /// one sentence; "it gets a copy. by reference it …", as students
    /// write, is two).
    pub fn analyze(&self, text: &str) -> Analyzed {
        let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 5 + 1);
        let mut at = Position {
            line_start: true,
            ..Position::default()
        };
        let mut segments = segment::WordBounds::new(text).peekable();
        let mut folded = String::new();
        while let Some((start, segment)) = segments.next() {
            if segment.chars().any(char::is_alphanumeric) {
                if at.pending_end
                    && !(at.after_abbreviation && segment.chars().next().is_some_and(char::is_lowercase))
                {
                    at.new_sentence();
                }
                at.pending_end = false;
                let mut end = start + segment.len();
                // Join `c++`, `c#`, `n+1`: symbols glued to a word with no space.
                let mut joined_symbol = false;
                while let Some(&(next_start, next)) = segments.peek() {
                    if next_start == end && (next == "+" || next == "#") {
                        end += next.len();
                        joined_symbol = true;
                        segments.next();
                    } else {
                        break;
                    }
                }
                if joined_symbol {
                    if let Some(&(next_start, next)) = segments.peek() {
                        if next_start == end && next.chars().all(|c| c.is_ascii_alphanumeric()) {
                            end += next.len();
                            segments.next();
                        }
                    }
                }
                normalize::fold_into(&text[start..end], &mut folded);
                let (norm, stem, stop) = match frequency::cached_word(&folded) {
                    Some((word, stem, stop)) => (Cow::Borrowed(word), Cow::Borrowed(stem), stop),
                    None => (
                        Cow::Owned(folded.clone()),
                        Cow::Owned(self.stem_uncached(&folded)),
                        stopwords::is_stop_word(&folded),
                    ),
                };
                if at.sentence_open && CLAUSE_OPENERS.contains(&&*norm) {
                    at.clause += 1;
                }
                tokens.push(at.token(Span { start, end }, norm, stem, stop, TokenKind::Word));
            } else if segment == "*" && !at.line_start {
                let span = Span {
                    start,
                    end: start + 1,
                };
                tokens.push(at.token(
                    span,
                    Cow::Borrowed("*"),
                    Cow::Borrowed("*"),
                    false,
                    TokenKind::Symbol,
                ));
            } else if segment.contains('\n') {
                at.new_sentence();
                at.line_start = true;
            } else if segment == "." && starts_dotted_name(text, start) {
                // ".env", ".gitignore", ".NET": a name, not a sentence's end.
            } else if matches!(segment, "." | "!" | "?" | "\u{2026}") {
                at.pending_end = at.sentence_open;
                at.after_abbreviation = segment == "."
                    && tokens
                        .last()
                        .is_some_and(|t| t.span.end == start && is_abbreviation(&t.norm));
            } else if normalize::is_clause_punctuation(segment) && at.sentence_open {
                at.clause += 1;
                at.colon_pending = segment == ":";
            }
        }
        let sentences = at.sentence + u32::from(at.sentence_open);
        let scopes = negation::find_scopes(&tokens);
        Analyzed {
            tokens,
            sentences,
            scopes,
        }
    }

    /// The distinct stems of `text`'s content words, sorted ([`Analyzed::content_stems`]).
    pub fn content_stems(&self, text: &str) -> Vec<String> {
        self.analyze(text)
            .content_stems()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The terms a phrase (alias or red-flag phrasing) must match: the stems of
    /// its words without glue words, unless it is made of glue words only.
    pub fn phrase_terms(&self, phrase: &str) -> Vec<String> {
        phrase_terms_of(self.analyze(phrase).tokens())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        Analyzer::english()
            .analyze(text)
            .tokens
            .into_iter()
            .map(|t| t.norm.into_owned())
            .collect()
    }

    #[test]
    fn spans_point_at_the_original_words() {
        let text = "Use  EXPLAIN\u{a0}ANALYZE — then índex.";
        let analyzed = Analyzer::english().analyze(text);
        let words: Vec<&str> = analyzed
            .tokens()
            .iter()
            .map(|t| &text[t.span.start..t.span.end])
            .collect();
        assert_eq!(words, ["Use", "EXPLAIN", "ANALYZE", "then", "índex"]);
        assert_eq!(analyzed.tokens()[4].norm, "index");
    }

    #[test]
    fn symbols_glued_to_words_stay_one_token() {
        assert_eq!(
            norms("Avoid N+1 queries in C++ and C#."),
            ["avoid", "n+1", "queries", "in", "c++", "and", "c#"]
        );
    }

    #[test]
    fn a_star_after_select_is_a_token_but_a_bullet_star_is_not() {
        assert_eq!(norms("* never SELECT * here"), ["never", "select", "*", "here"]);
    }

    #[test]
    fn curly_apostrophes_fold_into_one_word() {
        assert_eq!(norms("I don’t"), ["i", "don't"]);
    }

    #[test]
    fn sentences_and_clauses_are_numbered() {
        let analyzed = Analyzer::english().analyze("Add an index, but measure. Then cache!\n- retry");
        let t = analyzed.tokens();
        assert_eq!(analyzed.sentence_count(), 3);
        assert_eq!(t[0].sentence, 0);
        assert_eq!(t[4].sentence, 0);
        assert_eq!(t[5].sentence, 1);
        assert_eq!(t[7].sentence, 2);
        // "but" opens a new clause.
        assert!(t[3].clause > t[2].clause);
        assert_eq!(t[4].clause, t[3].clause);
    }

    #[test]
    fn a_lowercase_word_after_a_period_opens_a_sentence_unless_an_abbreviation_ends_there() {
        let a = Analyzer::english();
        assert_eq!(
            a.analyze("by value: it gets a copy. by reference: it gets the original")
                .sentence_count(),
            2
        );
        assert_eq!(
            a.analyze("use a queue, e.g. the one in Redis").sentence_count(),
            1
        );
        assert_eq!(a.analyze("retries, timeouts etc. are needed").sentence_count(), 1);
        assert_eq!(a.analyze("Redis vs. memcached").sentence_count(), 1);
        assert_eq!(a.analyze("it fails. why? nobody knows").sentence_count(), 3);
    }

    #[test]
    fn a_dotted_name_does_not_end_a_sentence() {
        let a = Analyzer::english();
        assert_eq!(a.analyze("we commit the .env file to git").sentence_count(), 1);
        assert_eq!(a.analyze("It runs on .NET and ships daily").sentence_count(), 1);
        // A full stop is still one.
        assert_eq!(a.analyze("We ship. Then we watch").sentence_count(), 2);
        assert_eq!(a.analyze(". env").sentence_count(), 1);
        // After an opening bracket or quote too.
        assert_eq!(
            a.analyze("the secrets live in (.env) files in git")
                .sentence_count(),
            1
        );
        assert_eq!(
            a.analyze("we commit \".npmrc\" and `.env` with keys")
                .sentence_count(),
            1
        );
        // A closing bracket before a full stop still ends the sentence.
        assert_eq!(a.analyze("We ship (daily). Then we watch").sentence_count(), 2);
    }

    #[test]
    fn stems_unify_inflections() {
        let a = Analyzer::english();
        let stems = |text: &str| -> Vec<String> {
            a.analyze(text)
                .tokens()
                .iter()
                .map(|t| t.stem.to_string())
                .collect()
        };
        assert_eq!(stems("indexes indexing indexed"), ["index", "index", "index"]);
        assert_eq!(stems("the service's"), ["the", "servic"]);
        assert_eq!(a.content_stems("the indexes and the index"), ["index"]);
        assert_eq!(
            stems("vertices vertex indices matrices"),
            ["vertex", "vertex", "index", "matrix"]
        );
        assert_eq!(stems("JVMs JVM CDNs PRs ms"), ["jvm", "jvm", "cdn", "pr", "ms"]);
    }

    #[test]
    fn words_the_stemmer_gets_wrong_take_their_own_stem() {
        let a = Analyzer::english();
        let stem = |w: &str| a.stem(w);
        assert_ne!(stem("experiment"), stem("experience"));
        assert_eq!(stem("experimenting"), stem("experiments"));
        assert_eq!(stem("experienced"), stem("experience"));
        assert_ne!(stem("production"), stem("product"));
        assert_eq!(stem("productions"), stem("production"));
        assert_eq!(stem("productivity"), stem("productive"));
        assert_ne!(stem("productivity"), stem("product"));
        assert_eq!(stem("products"), stem("product"));
    }

    #[test]
    fn each_every_and_all_share_a_stem_and_longer_words_keep_theirs() {
        let a = Analyzer::english();
        let stem = |w: &str| a.stem(w);
        assert_eq!(stem("every"), stem("all"));
        assert_eq!(stem("each"), stem("all"));
        assert_ne!(stem("everything"), stem("all"));
        assert_ne!(stem("allow"), stem("all"));
        assert_eq!(
            a.phrase_terms("replace every instance at once"),
            a.phrase_terms("replace all instances at once")
        );
    }

    #[test]
    fn phrase_terms_drop_glue_words_only() {
        let a = Analyzer::english();
        assert_eq!(
            a.phrase_terms("add an index on the column"),
            ["add", "index", "column"]
        );
        assert_eq!(a.phrase_terms("write-through"), ["write", "through"]);
        assert_eq!(a.phrase_terms("no backups"), ["no", "backup"]);
        assert_eq!(a.phrase_terms("it is"), ["it", "is"]);
    }

    #[test]
    fn empty_and_punctuation_only_text_has_no_tokens() {
        let a = Analyzer::english();
        assert!(a.analyze("").tokens().is_empty());
        assert!(a.analyze("  ?!… —").tokens().is_empty());
        assert_eq!(a.analyze("").span_of(0, 3), Span { start: 0, end: 0 });
    }
}
