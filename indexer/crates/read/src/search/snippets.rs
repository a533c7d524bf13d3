//! Snippet generators for the stemmed fields (title, abstract) that skip
//! stemming the words that cannot match.
//!
//! A snippet tokenizes the whole text with the field's analyzer, and English
//! stemming is most of that cost. Stemming rewrites a word's ending, so a
//! word can stem to a query term only if it starts with the term's first two
//! letters (three exceptions, handled); every other word is blanked before
//! the stemmer and stays unhighlighted, as it would have anyway. Measured on the 20 hits of a
//! page over a 10⁵-record corpus: highlighting took about a third of the
//! engine's time per query.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Score, Searcher, TantivyError, Term};

/// A generator for `field` (a prose field: title or abstract) highlighting
/// the terms of `query`, scored as tantivy's own `SnippetGenerator::create` does.
pub(super) fn prose_generator(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
    max_num_chars: usize,
) -> Result<SnippetGenerator, TantivyError> {
    let mut terms: BTreeSet<&Term> = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term);
        }
    });
    let mut scored: BTreeMap<String, Score> = BTreeMap::new();
    for term in terms {
        let value = term.value();
        let Some(text) = value.as_str() else {
            continue;
        };
        let doc_freq = searcher.doc_freq(term)?;
        if doc_freq > 0 {
            scored.insert(text.to_owned(), 1.0 / (1.0 + doc_freq as Score));
        }
    }
    let mut prefixes: Vec<String> = Vec::new();
    for term in scored.keys() {
        prefixes.push(term.chars().take(2).collect());
        // The English stemmer's only exceptions that change a word's second
        // letter: dying → die, lying → lie, tying → tie.
        if let Some(initial @ ('d' | 'l' | 't')) = term.chars().next() {
            if term.len() == 3 && term.ends_with("ie") {
                prefixes.push(format!("{initial}y"));
            }
        }
    }
    let analyzer = prose_analyzer_for(prefixes);
    Ok(SnippetGenerator::new(
        scored,
        analyzer,
        field,
        max_num_chars,
    ))
}

/// The prose analyzer (`hcs_index::schema::register_tokenizers`; the
/// test below fails if they drift apart) with words blanked before stemming
/// unless they start with one of `prefixes`.
fn prose_analyzer_for(prefixes: Vec<String>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(OnlyPrefixed(Arc::new(prefixes)))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Blanks every token that does not start with one of the prefixes.
#[derive(Clone)]
struct OnlyPrefixed(Arc<Vec<String>>);

impl TokenFilter for OnlyPrefixed {
    type Tokenizer<T: Tokenizer> = OnlyPrefixedTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> OnlyPrefixedTokenizer<T> {
        OnlyPrefixedTokenizer {
            prefixes: self.0,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
struct OnlyPrefixedTokenizer<T> {
    prefixes: Arc<Vec<String>>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for OnlyPrefixedTokenizer<T> {
    type TokenStream<'a> = OnlyPrefixedStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        OnlyPrefixedStream {
            prefixes: &self.prefixes,
            tail: self.inner.token_stream(text),
        }
    }
}

struct OnlyPrefixedStream<'a, T> {
    prefixes: &'a [String],
    tail: T,
}

impl<T: TokenStream> TokenStream for OnlyPrefixedStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !self
            .prefixes
            .iter()
            .any(|p| token.text.starts_with(p.as_str()))
        {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_index::schema::register_tokenizers;
    use hcs_index::Fields;
    use tantivy::query::QueryParser;
    use tantivy::{doc, Index};

    /// Same highlights as tantivy's generator over the field's own analyzer.
    #[test]
    fn highlights_match_the_full_analyzer() {
        let (schema, fields) = Fields::build();
        let index = Index::create_in_ram(schema);
        register_tokenizers(&index);
        let texts = [
            "Studies of running patients: a study ran; the runner's skies and sky.",
            "Évaluation of cardiac failures in older patients, and heart failure clinics.",
            "Hearing loss in children: audiological studies, cochlear implants and hearing aids.",
            "Yeasts and the yellow ying-yang of Dying, lying and tying.",
        ];
        let mut writer = index.writer(15_000_000).unwrap();
        for text in texts {
            writer
                .add_document(doc!(fields.r#abstract => text))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let parser = QueryParser::for_index(&index, vec![fields.r#abstract]);
        for q in [
            "study",
            "running patients",
            "sky",
            "evaluation cardiac failure",
            "heart OR hearing",
            "children audiology",
            "yeast dying",
            "\"hearing aids\"",
        ] {
            let query = parser.parse_query(q).unwrap();
            let ours = prose_generator(&searcher, &*query, fields.r#abstract, 60).unwrap();
            let mut theirs =
                SnippetGenerator::create(&searcher, &*query, fields.r#abstract).unwrap();
            theirs.set_max_num_chars(60);
            for text in texts {
                assert_eq!(
                    ours.snippet(text).to_html(),
                    theirs.snippet(text).to_html(),
                    "{q}: {text}"
                );
            }
        }
    }

    /// The same on real titles and abstracts, querying words taken from them.
    #[test]
    fn highlights_match_on_real_records() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../fixtures/pubmed/exports/qi29_pubmed_result.xml");
        let texts: Vec<String> = hcs_sources::pubmed::open_path(&path)
            .unwrap()
            .filter_map(|item| match item {
                Ok(hcs_sources::pubmed::PubmedItem::Publication(p)) => Some(format!(
                    "{} {}",
                    p.title,
                    p.r#abstract.map(|a| a.text()).unwrap_or_default()
                )),
                _ => None,
            })
            .collect();
        assert!(texts.len() > 100);
        let (schema, fields) = Fields::build();
        let index = Index::create_in_ram(schema);
        register_tokenizers(&index);
        let mut writer = index.writer(15_000_000).unwrap();
        for text in &texts {
            writer
                .add_document(doc!(fields.r#abstract => text.as_str()))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let parser = QueryParser::for_index(&index, vec![fields.r#abstract]);
        let words: Vec<&str> = texts
            .iter()
            .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.len() > 2)
            .step_by(37)
            .collect();
        for pair in words.chunks(2) {
            let query = parser.parse_query(&pair.join(" OR ")).unwrap();
            let ours = prose_generator(&searcher, &*query, fields.r#abstract, 150).unwrap();
            let mut theirs =
                SnippetGenerator::create(&searcher, &*query, fields.r#abstract).unwrap();
            theirs.set_max_num_chars(150);
            for text in texts.iter().step_by(5) {
                assert_eq!(
                    ours.snippet(text).to_html(),
                    theirs.snippet(text).to_html(),
                    "{pair:?}"
                );
            }
        }
    }
}
