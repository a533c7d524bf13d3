//! Folding text into comparable word tokens: the one normaliser every
//! tagging comparison (names, organisations, departments, titles) goes through.
//!
//! It reuses tantivy's analysers, so "Müller-Lüdenscheidt", "MULLER
//! Ludenscheidt" and the index's own name field all fold the same way.

use std::cell::RefCell;
use std::collections::HashMap;

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

/// How affiliation text is read for matching organisations, services and
/// titles: folded words, with indexers' abbreviations written out ("Univ
/// Hosp Wales" → "university hospital wales", "Hlth Bd" → "health board")
/// and connecting words left out ("University Hospital of Wales" →
/// "university hospital wales", "Cardiff & Vale" = "Cardiff and Vale"), so
/// the forms Web of Science and Scopus print match the names as written.
/// The abbreviations are reference data (`[abbreviations]` in gazetteer.toml).
#[derive(Debug, Clone, Default)]
pub struct AffiliationWords {
    /// Folded abbreviation → folded words it stands for.
    abbreviations: HashMap<String, Vec<String>>,
}

impl AffiliationWords {
    /// A reader expanding each `(abbreviation, expansion)` pair.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let abbreviations = pairs
            .into_iter()
            .filter_map(|(short, long)| {
                let short = fold_joined(short);
                let long = fold_words(long);
                (!short.is_empty() && !long.is_empty()).then_some((short, long))
            })
            .collect();
        AffiliationWords { abbreviations }
    }

    /// The words of `text` as matching compares them.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.aligned(text).0
    }

    /// The words of `text` as matching compares them, with the case-kept
    /// word at each position (for acronyms; empty for the second and later
    /// words of an expansion), so positions in the two line up.
    pub fn aligned(&self, text: &str) -> (Vec<String>, Vec<String>) {
        let folded = fold_words(text);
        let cased = cased_words(text);
        let mut words = Vec::with_capacity(folded.len());
        let mut kept = Vec::with_capacity(folded.len());
        for (index, word) in folded.iter().enumerate() {
            if CONNECTORS.contains(&word.as_str()) {
                continue;
            }
            let original = cased.get(index).cloned().unwrap_or_default();
            match self.abbreviations.get(word) {
                // An acronym in capitals is not an abbreviation ("MED" is not "medical").
                Some(expansion) if !is_capitals(&original) => {
                    for (at, long) in expansion.iter().enumerate() {
                        words.push(long.clone());
                        kept.push(if at == 0 {
                            original.clone()
                        } else {
                            String::new()
                        });
                    }
                }
                _ => {
                    words.push(word.clone());
                    kept.push(original);
                }
            }
        }
        (words, kept)
    }
}

/// Two or more letters, all capitals: an acronym as written.
fn is_capitals(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && word.chars().all(|c| !c.is_lowercase())
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

/// True when every word of `needle` occurs somewhere in `haystack`, in any order.
pub fn has_all_words(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && needle.iter().all(|word| haystack.contains(word))
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

    #[test]
    fn indexer_abbreviations_and_connectors_read_as_the_written_name() {
        let reader = AffiliationWords::new([
            ("Univ", "University"),
            ("Hosp", "Hospital"),
            ("Hlth", "Health"),
            ("Healthboard", "Health Board"),
            ("Med", "Medical"),
        ]);
        assert_eq!(
            reader.words("Univ Hosp Wales"),
            reader.words("University Hospital of Wales")
        );
        assert_eq!(
            reader.words("Cardiff & Vale Univ Hlth Board"),
            reader.words("Cardiff and Vale University Health Board")
        );
        assert_eq!(
            reader.words("Cwm Taf University Healthboard"),
            ["cwm", "taf", "university", "health", "board"]
        );
        // Capitals are an acronym, not an abbreviation; positions stay aligned.
        let (words, cased) = reader.aligned("MED Unit, Healthboard of PHW");
        assert_eq!(words, ["med", "unit", "health", "board", "phw"]);
        assert_eq!(cased, ["MED", "Unit", "Healthboard", "", "PHW"]);
    }
}
