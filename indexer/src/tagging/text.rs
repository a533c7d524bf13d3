//! Folding text into comparable word tokens: the one normaliser every
//! tagging comparison (names, organisations, departments, titles) goes through.
//!
//! It reuses tantivy's analysers, so "Müller-Lüdenscheidt", "MULLER
//! Ludenscheidt" and the index's own name field all fold the same way.

use std::cell::RefCell;

use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer};

thread_local! {
    static FOLDED: RefCell<TextAnalyzer> = RefCell::new(
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    static CASED: RefCell<TextAnalyzer> = RefCell::new(
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

fn run(analyzer: &RefCell<TextAnalyzer>, text: &str) -> Vec<String> {
    let mut analyzer = analyzer.borrow_mut();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}

/// Words of `text`, lower-cased with diacritics folded ("Llandochau" stays,
/// "Müller" → "muller"); punctuation separates words.
pub fn fold_words(text: &str) -> Vec<String> {
    FOLDED.with(|analyzer| run(analyzer, text))
}

/// Words of `text` with diacritics folded but case kept: for acronyms and
/// degrees, which only count when written in capitals ("MD", not "md").
pub fn cased_words(text: &str) -> Vec<String> {
    CASED.with(|analyzer| run(analyzer, text))
}

/// The folded words joined without separators: "O'Brien-Smith" → "obriensmith".
pub fn fold_joined(text: &str) -> String {
    fold_words(text).concat()
}

/// Words that join the words of a name and differ between spellings of it
/// ("University of Oxford", "Oxford University"; "C&V", "Cardiff and Vale").
const CONNECTORS: [&str; 5] = ["the", "and", "of", "for", "at"];

/// Folded words of an organisation's name without connecting words, so
/// names compare the same however they are joined.
pub fn name_words(text: &str) -> Vec<String> {
    fold_words(text)
        .into_iter()
        .filter(|word| !CONNECTORS.contains(&word.as_str()))
        .collect()
}

/// Where `needle` occurs as a contiguous run of whole words in `haystack`.
pub fn find_words(haystack: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// True when `needle` occurs as whole words in `haystack`.
pub fn contains_words(haystack: &[String], needle: &[String]) -> bool {
    find_words(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_case_and_punctuation_fold() {
        assert_eq!(
            fold_words("Müller-Lüdenscheidt, J."),
            ["muller", "ludenscheidt", "j"]
        );
        assert_eq!(fold_joined("O'Brien"), "obrien");
        assert_eq!(
            cased_words("MB BCh, Ysbyty Treforys"),
            ["MB", "BCh", "Ysbyty", "Treforys"]
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let text = fold_words("Department of Medical Physics, Singleton Hospital");
        assert!(contains_words(&text, &fold_words("medical physics")));
        assert!(contains_words(&text, &fold_words("Singleton Hospital")));
        assert!(!contains_words(&text, &fold_words("physic")));
        assert!(!contains_words(&text, &[]));
    }
}
