//! Europe PMC's search syntax, parsed and evaluated over recorded `core`
//! results, so that the search simulator answers a harvester's real queries
//! as Europe PMC would.
//!
//! [`parse`] reads the Lucene-like language Europe PMC documents: bare words
//! and double-quoted phrases (searched in title, abstract and keywords),
//! fielded terms `FIELD:word`, `FIELD:"phrase"` and `FIELD:[low TO high]`,
//! `AND`, `OR` and `NOT` in capitals with the usual precedence (`NOT` binds
//! tightest, then `AND` — also implied between adjacent terms — then `OR`),
//! and parentheses. It never panics: nesting and lengths are bounded and
//! every fault is a [`QueryError`].
//!
//! Fields evaluated: `AUTH` (a phrase of an author's name as indexed: the
//! `fullName` "Smith AB", or "AB Smith", or "Anna Smith"), `AFF` (a phrase
//! of any affiliation), `AUTHORID` (an author's ORCID iD), `TITLE`,
//! `ABSTRACT`, `KW`, `SRC`, `EXT_ID`, `PMCID`, `DOI`, `PUB_YEAR`, and the
//! date ranges `FIRST_PDATE`, `FIRST_IDATE` and `UPDATE_DATE` (the latest of
//! the record's revision and index dates). A field the simulator does not
//! know matches nothing, as a misspelt field does on the real service.
//! Phrase matching is on folded words ([`crate::pubmed_query::fold_words`]),
//! whole words in order: `AUTH:"Smith A"` finds "Smith A", not "Smith AB" —
//! the narrowest reading of the documentation, so a harvester that works
//! here does not depend on initial truncation.

use serde_json::Value;

use crate::pubmed_query::{fold_words, normalise_orcid};

/// Longest query accepted, in bytes.
const MAX_QUERY_BYTES: usize = 64 * 1024;
/// Deepest nesting of parentheses and `NOT`s accepted.
const MAX_DEPTH: usize = 64;

/// Why a query could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_BYTES`].
    #[error("the query is longer than {MAX_QUERY_BYTES} bytes")]
    TooLong,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("the query nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Not well formed: what, and where (byte offset).
    #[error("syntax error at byte {at}: {message}")]
    Syntax {
        /// Byte offset into the query.
        at: usize,
        /// What was wrong.
        message: String,
    },
}

fn syntax(at: usize, message: impl Into<String>) -> QueryError {
    QueryError::Syntax {
        at,
        message: message.into(),
    }
}

/// A searchable field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    /// Title, abstract and keywords (a bare word or phrase).
    Text,
    Title,
    Abstract,
    Keyword,
    Auth,
    Aff,
    AuthorId,
    Src,
    ExtId,
    Pmcid,
    Doi,
    PubYear,
    FirstPdate,
    FirstIdate,
    UpdateDate,
    /// A field the simulator does not evaluate: matches nothing.
    Unknown,
}

impl Field {
    fn named(name: &str) -> Self {
        match name.to_ascii_uppercase().as_str() {
            "TITLE" => Field::Title,
            "ABSTRACT" => Field::Abstract,
            "KW" | "KEYWORD" => Field::Keyword,
            "AUTH" => Field::Auth,
            "AFF" => Field::Aff,
            "AUTHORID" => Field::AuthorId,
            "SRC" => Field::Src,
            "EXT_ID" => Field::ExtId,
            "PMCID" => Field::Pmcid,
            "DOI" => Field::Doi,
            "PUB_YEAR" => Field::PubYear,
            "FIRST_PDATE" => Field::FirstPdate,
            "FIRST_IDATE" => Field::FirstIdate,
            "UPDATE_DATE" => Field::UpdateDate,
            _ => Field::Unknown,
        }
    }
}

/// What a term asks of its field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    /// Folded words, in order (one word or a phrase).
    Words(Vec<String>),
    /// An inclusive range; `*` or an empty bound is open.
    Range(String, String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// One fielded or bare term.
    Term(FieldTerm),
    /// Every part.
    And(Vec<Query>),
    /// Any part.
    Or(Vec<Query>),
    /// Not the part.
    Not(Box<Query>),
}

/// A term: a field and what it must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTerm {
    field: Field,
    wanted: Wanted,
}

/// A lexical token, with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    /// `FIELD:` (the value follows as the next token).
    Field(String),
    Word(String),
    Phrase(String),
    Range(String, String),
}

fn lex(query: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let bytes = query.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        if c.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        match c {
            b'(' => {
                tokens.push((start, Token::Open));
                at += 1;
            }
            b')' => {
                tokens.push((start, Token::Close));
                at += 1;
            }
            b'"' => {
                let Some(end) = query[at + 1..].find('"') else {
                    return Err(syntax(start, "a phrase is not closed with '\"'"));
                };
                tokens.push((start, Token::Phrase(query[at + 1..at + 1 + end].to_owned())));
                at += end + 2;
            }
            b'[' => {
                let Some(end) = query[at + 1..].find(']') else {
                    return Err(syntax(start, "a range is not closed with ']'"));
                };
                let inside = &query[at + 1..at + 1 + end];
                let Some((low, high)) = inside.split_once(" TO ") else {
                    return Err(syntax(start, "a range must be written [low TO high]"));
                };
                tokens.push((
                    start,
                    Token::Range(low.trim().to_owned(), high.trim().to_owned()),
                ));
                at += end + 2;
            }
            _ => {
                while at < bytes.len()
                    && !bytes[at].is_ascii_whitespace()
                    && !matches!(bytes[at], b'(' | b')' | b'"' | b'[')
                {
                    at += 1;
                    // `FIELD:` ends the word: its value is the next token.
                    if bytes[at - 1] == b':' {
                        break;
                    }
                }
                let word = &query[start..at];
                let token = match word {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    "NOT" => Token::Not,
                    _ => match word.strip_suffix(':') {
                        Some(name) if !name.is_empty() => Token::Field(name.to_owned()),
                        _ => Token::Word(word.to_owned()),
                    },
                };
                tokens.push((start, token));
            }
        }
    }
    Ok(tokens)
}

/// Reads a query.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong);
    }
    let tokens = lex(query)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end: query.len(),
    };
    let parsed = parser.or_expr(0)?;
    match parser.tokens.get(parser.next) {
        None => Ok(parsed),
        Some((at, Token::Close)) => Err(syntax(*at, "')' without a matching '('")),
        Some((at, _)) => Err(syntax(*at, "unexpected text")),
    }
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, token)| token)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(at, _)| *at)
    }

    fn or_expr(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut parts = vec![self.and_expr(depth)?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            parts.push(self.and_expr(depth)?);
        }
        Ok(match parts.len() {
            1 => parts.remove(0),
            _ => Query::Or(parts),
        })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut parts = vec![self.unary(depth)?];
        loop {
            match self.peek() {
                None | Some(Token::Or | Token::Close) => break,
                Some(Token::And) => self.next += 1,
                Some(_) => {}
            }
            parts.push(self.unary(depth)?);
        }
        Ok(match parts.len() {
            1 => parts.remove(0),
            _ => Query::And(parts),
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Query, QueryError> {
        if depth >= MAX_DEPTH {
            return Err(QueryError::TooDeep);
        }
        if self.peek() == Some(&Token::Not) {
            self.next += 1;
            return Ok(Query::Not(Box::new(self.unary(depth + 1)?)));
        }
        self.primary(depth)
    }

    fn primary(&mut self, depth: usize) -> Result<Query, QueryError> {
        let at = self.at();
        let Some((_, token)) = self.tokens.get(self.next).cloned() else {
            return Err(syntax(at, "the query ends where a term was expected"));
        };
        self.next += 1;
        match token {
            Token::Open => {
                let inner = self.or_expr(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(syntax(at, "'(' without a matching ')'"));
                }
                self.next += 1;
                Ok(inner)
            }
            Token::Field(name) => {
                let value_at = self.at();
                let field = Field::named(&name);
                let wanted = match self.tokens.get(self.next).cloned() {
                    Some((_, Token::Word(word))) => Wanted::Words(fold_words(&word)),
                    Some((_, Token::Phrase(phrase))) => Wanted::Words(fold_words(&phrase)),
                    Some((_, Token::Range(low, high))) => Wanted::Range(low, high),
                    _ => {
                        return Err(syntax(
                            value_at,
                            format!("{name}: must be followed by a word, a phrase or a range"),
                        ))
                    }
                };
                self.next += 1;
                Ok(Query::Term(FieldTerm { field, wanted }))
            }
            Token::Word(word) => Ok(Query::Term(FieldTerm {
                field: Field::Text,
                wanted: Wanted::Words(fold_words(&word)),
            })),
            Token::Phrase(phrase) => Ok(Query::Term(FieldTerm {
                field: Field::Text,
                wanted: Wanted::Words(fold_words(&phrase)),
            })),
            Token::Range(..) => Err(syntax(at, "a range needs a field: FIELD:[low TO high]")),
            Token::Close => Err(syntax(at, "')' where a term was expected")),
            Token::And | Token::Or | Token::Not => {
                Err(syntax(at, "an operator where a term was expected"))
            }
        }
    }
}

/// What the evaluator needs of one `core` result, read once.
#[derive(Debug, Clone, Default)]
pub struct ResultFields {
    /// Each author's names as word sequences (every indexed form).
    names: Vec<Vec<String>>,
    affiliations: Vec<Vec<String>>,
    orcids: Vec<String>,
    title: Vec<String>,
    abstract_text: Vec<String>,
    keywords: Vec<Vec<String>>,
    src: String,
    ext_id: String,
    pmcid: String,
    doi: String,
    pub_year: String,
    first_pdate: String,
    first_idate: String,
    update_date: String,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

/// An array, or a single object standing for a one-element list (Europe PMC
/// writes both forms).
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

impl ResultFields {
    /// Reads a `core` result object.
    pub fn from_result(result: &Value) -> Self {
        let mut fields = ResultFields {
            title: fold_words(&text(&result["title"])),
            abstract_text: fold_words(&text(&result["abstractText"])),
            src: text(&result["source"]).to_ascii_uppercase(),
            ext_id: text(&result["id"]),
            pmcid: text(&result["pmcid"]).to_ascii_uppercase(),
            doi: text(&result["doi"]).to_ascii_lowercase(),
            pub_year: text(&result["pubYear"]),
            first_pdate: text(&result["firstPublicationDate"]),
            first_idate: text(&result["firstIndexDate"]),
            ..ResultFields::default()
        };
        fields.update_date = [
            text(&result["dateOfRevision"]),
            fields.first_idate.clone(),
            text(&result["dateOfCreation"]),
        ]
        .into_iter()
        .max()
        .unwrap_or_default();
        for keyword in items(&result["keywordList"]["keyword"]) {
            fields.keywords.push(fold_words(&text(keyword)));
        }
        let top = text(&result["affiliation"]);
        if !top.is_empty() {
            fields.affiliations.push(fold_words(&top));
        }
        for author in items(&result["authorList"]["author"]) {
            let full = text(&author["fullName"]);
            let first = text(&author["firstName"]);
            let last = text(&author["lastName"]);
            let initials = text(&author["initials"]);
            for form in [
                full,
                format!("{initials} {last}"),
                format!("{first} {last}"),
                text(&author["collectiveName"]),
            ] {
                let words = fold_words(&form);
                if !words.is_empty() && !fields.names.contains(&words) {
                    fields.names.push(words);
                }
            }
            for id in items(&author["authorId"]) {
                if text(&id["type"]).eq_ignore_ascii_case("ORCID") {
                    fields.orcids.push(normalise_orcid(&text(&id["value"])));
                }
            }
            for affiliation in items(&author["authorAffiliationDetailsList"]["authorAffiliation"]) {
                let words = fold_words(&text(&affiliation["affiliation"]));
                if !words.is_empty() {
                    fields.affiliations.push(words);
                }
            }
        }
        fields
    }
}

/// True when `needle` occurs in `words` as consecutive whole words.
fn has_phrase(words: &[String], needle: &[String]) -> bool {
    !needle.is_empty()
        && words.len() >= needle.len()
        && words.windows(needle.len()).any(|window| window == needle)
}

fn in_range(value: &str, low: &str, high: &str) -> bool {
    let open = |bound: &str| bound.is_empty() || bound == "*";
    !value.is_empty() && (open(low) || value >= low) && (open(high) || value <= high)
}

impl FieldTerm {
    fn matches(&self, record: &ResultFields) -> bool {
        let words = match &self.wanted {
            Wanted::Words(words) => words.as_slice(),
            Wanted::Range(low, high) => {
                let value = match self.field {
                    Field::FirstPdate => &record.first_pdate,
                    Field::FirstIdate => &record.first_idate,
                    Field::UpdateDate => &record.update_date,
                    Field::PubYear => &record.pub_year,
                    _ => return false,
                };
                return in_range(value, low, high);
            }
        };
        let joined = words.join("");
        match self.field {
            Field::Text => {
                has_phrase(&record.title, words)
                    || has_phrase(&record.abstract_text, words)
                    || record.keywords.iter().any(|k| has_phrase(k, words))
            }
            Field::Title => has_phrase(&record.title, words),
            Field::Abstract => has_phrase(&record.abstract_text, words),
            Field::Keyword => record.keywords.iter().any(|k| has_phrase(k, words)),
            Field::Auth => record.names.iter().any(|name| has_phrase(name, words)),
            Field::Aff => record
                .affiliations
                .iter()
                .any(|affiliation| has_phrase(affiliation, words)),
            Field::AuthorId => {
                let wanted = normalise_orcid(&words.join(""));
                record.orcids.contains(&wanted)
            }
            Field::Src => record.src.eq_ignore_ascii_case(&joined),
            Field::ExtId => record.ext_id.eq_ignore_ascii_case(&joined),
            Field::Pmcid => record.pmcid.eq_ignore_ascii_case(&joined),
            Field::Doi => fold_words(&record.doi).join("") == joined,
            Field::PubYear => record.pub_year == joined,
            Field::FirstPdate | Field::FirstIdate | Field::UpdateDate | Field::Unknown => false,
        }
    }
}

impl Query {
    /// True when `record` answers the query.
    pub fn matches(&self, record: &ResultFields) -> bool {
        match self {
            Query::Term(term) => term.matches(record),
            Query::And(parts) => parts.iter().all(|part| part.matches(record)),
            Query::Or(parts) => parts.iter().any(|part| part.matches(record)),
            Query::Not(part) => !part.matches(record),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> ResultFields {
        ResultFields::from_result(&json!({
            "id": "40356016", "source": "MED", "pmid": "40356016",
            "doi": "10.1002/hpja.70052", "title": "Rural cancer screening",
            "pubYear": "2025", "firstPublicationDate": "2025-07-01",
            "firstIndexDate": "2025-05-20", "dateOfRevision": "2025-05-15",
            "authorList": {"author": [
                {"fullName": "Gadd N", "firstName": "Nicola", "lastName": "Gadd",
                 "initials": "N", "authorId": {"type": "ORCID", "value": "0000-0002-3014-2929"},
                 "authorAffiliationDetailsList": {"authorAffiliation": [
                     {"affiliation": "Centre for Rural Health, University of Tasmania, Launceston, Australia."}]}},
                {"fullName": "Sharman MJ", "firstName": "Matthew J", "lastName": "Sharman", "initials": "MJ"}
            ]}
        }))
    }

    fn hit(query: &str) -> bool {
        parse(query).expect(query).matches(&record())
    }

    #[test]
    fn author_phrases_are_whole_words_of_an_indexed_name() {
        assert!(hit("AUTH:\"Gadd N\""));
        assert!(hit("AUTH:gadd"));
        assert!(hit("AUTH:\"Nicola Gadd\""));
        assert!(hit("AUTH:\"Sharman MJ\""));
        assert!(!hit("AUTH:\"Sharman M\""), "no initial truncation");
        assert!(!hit("AUTH:\"Gadd S\""));
    }

    #[test]
    fn affiliations_orcids_and_dates_are_evaluated() {
        assert!(hit("AFF:\"University of Tasmania\""));
        assert!(!hit("AFF:\"University of Sydney\""));
        assert!(hit("AUTHORID:\"0000-0002-3014-2929\""));
        assert!(!hit("AUTHORID:\"0000-0002-3014-2928\""));
        assert!(hit("UPDATE_DATE:[2025-05-01 TO 3000-12-31]"));
        assert!(!hit("UPDATE_DATE:[2025-06-01 TO 3000-12-31]"));
        assert!(hit("FIRST_PDATE:[2025-07-01 TO 2025-07-01]"));
        assert!(hit("SRC:MED AND EXT_ID:40356016"));
        assert!(hit("DOI:\"10.1002/hpja.70052\""));
        assert!(!hit("NO_SUCH_FIELD:cancer"));
    }

    #[test]
    fn booleans_take_the_usual_precedence() {
        assert!(hit("AUTH:\"Gadd N\" AND AFF:tasmania OR AUTH:nobody"));
        assert!(hit("AUTH:nobody OR AUTH:\"Gadd N\" AND AFF:tasmania"));
        assert!(!hit("(AUTH:nobody OR AUTH:\"Gadd N\") AND AFF:sydney"));
        assert!(hit("rural cancer"), "implicit AND over the title");
        assert!(!hit("rural NOT cancer"));
        assert!(hit("NOT AUTH:nobody"));
        assert!(hit(
            "((AUTH:\"Gadd\" OR AUTH:\"Jones\") AND (AFF:\"University of Tasmania\")) OR AUTHORID:\"0000-0001-0000-0000\""
        ));
    }

    #[test]
    fn malformed_queries_are_errors_not_panics() {
        for bad in [
            "syntax error(",
            "AUTH:",
            "(AUTH:x",
            "AUTH:x)",
            "\"open",
            "[2020 TO",
            "AND",
            "PUB_YEAR:[2020 2021]",
            "é:(",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = format!("{}x{}", "(".repeat(1_000), ")".repeat(1_000));
        assert_eq!(parse(&deep), Err(QueryError::TooDeep));
        assert_eq!(parse(&"x ".repeat(40_000)), Err(QueryError::TooLong));
    }
}
