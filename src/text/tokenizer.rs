//! The analyzer as a tantivy tokenizer, so the index sees Assay's own tokens.
//!
//! Registered under [`TOKENIZER_NAME`]; it emits the Snowball stem of every
//! word that is not a function word, with its byte offsets. Queries are built
//! from the same [`Analyzer`], so a term in a query and a term in the index
//! are always spelled alike.

use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

use super::Analyzer;

/// The name the tokenizer is registered under in every Assay index.
pub const TOKENIZER_NAME: &str = "assay_en";

/// A tantivy [`Tokenizer`] over [`Analyzer`], dropping function words.
#[derive(Clone, Debug, Default)]
pub struct AssayTokenizer {
    analyzer: Analyzer,
}

impl AssayTokenizer {
    /// A tokenizer using `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        AssayTokenizer { analyzer }
    }
}

/// The tokens of one text, handed to tantivy one at a time.
pub struct AssayTokenStream {
    tokens: Vec<TantivyToken>,
    next: usize,
    current: TantivyToken,
}

impl Tokenizer for AssayTokenizer {
    type TokenStream<'a> = AssayTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AssayTokenStream {
        let tokens = self
            .analyzer
            .analyze(text)
            .tokens()
            .iter()
            .filter(|t| !t.stop)
            .enumerate()
            .map(|(position, t)| TantivyToken {
                offset_from: t.span.start,
                offset_to: t.span.end,
                position,
                text: t.stem.to_string(),
                position_length: 1,
            })
            .collect();
        AssayTokenStream {
            tokens,
            next: 0,
            current: TantivyToken::default(),
        }
    }
}

impl TokenStream for AssayTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &TantivyToken {
        &self.current
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_stems_of_content_words_with_offsets() {
        let mut tokenizer = AssayTokenizer::default();
        let mut stream = tokenizer.token_stream("The indexes were rebuilt");
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        assert_eq!(
            seen,
            [("index".to_owned(), 4, 11, 0), ("rebuilt".to_owned(), 17, 24, 1)]
        );
    }
}
