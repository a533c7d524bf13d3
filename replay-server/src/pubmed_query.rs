//! PubMed's search language, parsed and evaluated over recorded records, so
//! that the ESearch simulator answers a harvester's real queries as PubMed
//! would.
//!
//! [`parse`] reads a search term: words, double-quoted phrases, field tags in
//! brackets (`[au]`, `[fau]`, `[1au]`, `[lastau]`, `[ad]`, `[auid]`, `[dp]`,
//! `[edat]`, `[uid]`, `[ti]`, `[tiab]`, `[ab]`, `[mh]`, `[ta]`, `[pt]`,
//! `[la]`, `[all]`; long names too, any case), `AND`/`OR`/`NOT` in capitals
//! evaluated strictly left to right (PubMed's documented rule: no
//! precedence), parentheses, ranges (`2010:2020[dp]`, `"2010"[dp] :
//! "2020"[dp]`, `1:500[uid]`) and implicit `AND` between adjacent terms. It
//! never panics: nesting and lengths are bounded and every fault is a
//! [`QueryError`].
//!
//! [`SearchIndex`] holds what the evaluator needs of each record, read once
//! from its XML ([`RecordFields::from_xml`]); [`SearchIndex::search`] answers a
//! [`Query`] with PMIDs, the phrases PubMed would drop because nothing in the
//! corpus matches them (reported like PubMed's `PhraseNotFound`), and a
//! `QueryTranslation`-style rendering of what was run.
//!
//! Matching folds case, diacritics and punctuation: "Müller-Lüdenscheidt" and
//! "muller ludenscheidt" are the same two words.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use quick_xml::escape::{resolve_html5_entity, resolve_xml_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// Deepest parenthesis nesting [`parse`] accepts.
pub const MAX_DEPTH: usize = 64;

/// Longest search term [`parse`] accepts, in bytes (a 5,000-person roster batch is well below it).
pub const MAX_QUERY_BYTES: usize = 4 * 1024 * 1024;

/// Longest single phrase (quoted, or the words before one field tag), in characters.
pub const MAX_PHRASE_CHARS: usize = 1_000;

/// A date as `(year, month, day)`, the shape of [`crate::pubmed::Article::edat`].
pub type Ymd = (i32, u8, u8);

/// Why a search term cannot be run; shown in ESearch's `<ERROR>` element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing to search for.
    #[error("Empty term and query_key - nothing todo")]
    Empty,
    /// The term is longer than [`MAX_QUERY_BYTES`].
    #[error("search term of {length} bytes is longer than the {MAX_QUERY_BYTES} accepted")]
    TooLong {
        /// Bytes in the term.
        length: usize,
    },
    /// One phrase is longer than [`MAX_PHRASE_CHARS`].
    #[error("phrase at byte {offset} is {length} characters long, more than the {MAX_PHRASE_CHARS} accepted")]
    PhraseTooLong {
        /// Where the phrase starts.
        offset: usize,
        /// Its length in characters.
        length: usize,
    },
    /// Parentheses nest deeper than [`MAX_DEPTH`].
    #[error("parentheses nested deeper than {MAX_DEPTH} at byte {offset}")]
    TooDeep {
        /// The `(` one level too deep.
        offset: usize,
    },
    /// A `(` is never closed.
    #[error("unbalanced parentheses: '(' at byte {offset} is never closed")]
    Unclosed {
        /// The unclosed `(`.
        offset: usize,
    },
    /// A `)` closes nothing.
    #[error("unbalanced parentheses: ')' at byte {offset} closes nothing")]
    UnexpectedClose {
        /// The stray `)`.
        offset: usize,
    },
    /// Parentheses with nothing inside.
    #[error("empty parentheses at byte {offset}")]
    EmptyGroup {
        /// The `(`.
        offset: usize,
    },
    /// A `"` is never closed.
    #[error("unterminated quote starting at byte {offset}")]
    UnterminatedQuote {
        /// The opening `"`.
        offset: usize,
    },
    /// A `[` is never closed.
    #[error("unterminated field tag starting at byte {offset}")]
    UnterminatedTag {
        /// The opening `[`.
        offset: usize,
    },
    /// A character that cannot start anything.
    #[error("unexpected '{character}' at byte {offset}")]
    Unexpected {
        /// The character.
        character: char,
        /// Where it is.
        offset: usize,
    },
    /// A field tag PubMed does not have (or this simulator does not know).
    #[error("unknown field tag [{tag}]")]
    UnknownTag {
        /// The tag as written.
        tag: String,
    },
    /// A field tag that follows no term (or follows parentheses).
    #[error("field tag at byte {offset} follows no term")]
    MisplacedTag {
        /// The `[`.
        offset: usize,
    },
    /// An operator without a term on one side.
    #[error("{operator} at byte {offset} lacks an operand")]
    MissingOperand {
        /// `AND`, `OR` or `NOT`.
        operator: &'static str,
        /// Where it is.
        offset: usize,
    },
    /// A date or PMID range (or single date) that cannot be read.
    #[error("bad range {text:?} for [{field}]: {reason}")]
    BadRange {
        /// The range as written.
        text: String,
        /// The field's PubMed name.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

// ---------------------------------------------------------------------------
// Folding

/// Words of `text` as the evaluator compares them: lower-cased, diacritics
/// removed ("Büyükpamukçu" → "buyukpamukcu"), split at every character that
/// is not a letter or digit ("O'Connor" → "o", "connor").
pub fn fold_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if is_combining_mark(c) {
            // Decomposed accents belong to the letter before them: dropping
            // them must not split the word.
            continue;
        }
        if c.is_alphanumeric() {
            fold_char(c, &mut current);
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{300}'..='\u{36f}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{fe20}'..='\u{fe2f}')
}

/// Appends `c` lower-cased, with Latin diacritics removed (a mapping table
/// rather than Unicode decomposition: it covers the letters of European
/// names, and needs no dependency).
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let folded = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' | 'Ǎ' | 'ǎ' | 'Ạ'..='ặ' => "a",
        'Æ' | 'æ' | 'Ǽ' | 'ǽ' => "ae",
        'Ç' | 'ç' | 'Ć'..='č' => "c",
        'Ð' | 'ð' | 'Ď'..='đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' | 'Ẹ'..='ệ' => "e",
        'Ĝ'..='ģ' | 'Ǧ' | 'ǧ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' | 'Ǐ' | 'ǐ' | 'Ỉ'..='ị' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' | 'Ǩ' | 'ǩ' => "k",
        'Ĺ'..='ł' => "l",
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' | 'Ơ' | 'ơ' | 'Ǒ' | 'ǒ' | 'Ǿ' | 'ǿ' => {
            "o"
        }
        'Ọ'..='ợ' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' | 'Ș' | 'ș' | 'ſ' => "s",
        'ß' => "ss",
        'Ţ'..='ŧ' | 'Ț' | 'ț' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' | 'Ư' | 'ư' | 'Ǔ' | 'ǔ' | 'Ụ'..='ự' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' | 'Ỳ'..='ỹ' => "y",
        'Ź'..='ž' => "z",
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push_str(folded);
}

/// An ORCID iD reduced to its 16 characters, upper-case: without an
/// `https://orcid.org/` (or `http://`) prefix, hyphens or spaces.
pub fn normalise_orcid(text: &str) -> String {
    let text = text.trim();
    // ASCII lower-casing keeps byte offsets, so the position found applies to `text`.
    let rest = match text.to_ascii_lowercase().find("orcid.org/") {
        Some(at) => &text[at + "orcid.org/".len()..],
        None => text,
    };
    rest.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

// ---------------------------------------------------------------------------
// Records

/// One byline author as the record gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorFields {
    /// `LastName`.
    pub last_name: String,
    /// `ForeName`.
    pub fore_name: String,
    /// `Initials`.
    pub initials: String,
    /// `CollectiveName` (a group author has this instead of a name).
    pub collective_name: String,
    /// `Identifier Source="ORCID"` values, as written.
    pub orcids: Vec<String>,
    /// `AffiliationInfo/Affiliation` strings.
    pub affiliations: Vec<String>,
}

/// What the evaluator reads from one `PubmedArticle`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFields {
    /// `Article/AuthorList/Author`, in byline order (investigators are not authors).
    pub authors: Vec<AuthorFields>,
    /// `Article/Affiliation` (the pre-2014 single affiliation of the record).
    pub affiliations: Vec<String>,
    /// `ArticleTitle`, inline markup dropped.
    pub title: String,
    /// Each `AbstractText` (of `Abstract` and `OtherAbstract`).
    pub abstracts: Vec<String>,
    /// Journal title, ISO abbreviation and `MedlineTA`.
    pub journal: Vec<String>,
    /// MeSH descriptor and qualifier names.
    pub mesh: Vec<String>,
    /// Author keywords.
    pub keywords: Vec<String>,
    /// `PublicationType`s.
    pub publication_types: Vec<String>,
    /// `Language`s.
    pub languages: Vec<String>,
    /// The publication date: `PubDate` (year, month, day; or the first year
    /// of `MedlineDate`), else the first `ArticleDate`; a missing month or day is 1.
    pub publication_date: Option<Ymd>,
}

/// Where the reader's current text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Title,
    Abstract,
    LastName,
    ForeName,
    Initials,
    Collective,
    Orcid,
    AuthorAffiliation,
    ArticleAffiliation,
    Journal,
    Mesh,
    Keyword,
    PublicationType,
    Language,
    PubDate(DatePart),
    ArticleDate(DatePart),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DatePart {
    Year,
    Month,
    Day,
    Medline,
}

#[derive(Debug, Default)]
struct DateParts {
    year: Option<String>,
    month: Option<String>,
    day: Option<String>,
    medline: Option<String>,
    article_year: Option<String>,
    article_month: Option<String>,
    article_day: Option<String>,
    /// The first `ArticleDate` is complete: later ones are ignored.
    article_done: bool,
}

impl DateParts {
    fn date(&self) -> Option<Ymd> {
        if let Some(date) = self.year.as_deref().and_then(|year| {
            ymd(
                year,
                self.month.as_deref().unwrap_or(""),
                self.day.as_deref().unwrap_or(""),
            )
        }) {
            return Some(date);
        }
        if let Some(year) = self.medline.as_deref().and_then(first_year) {
            return Some((year, 1, 1));
        }
        ymd(
            self.article_year.as_deref()?,
            self.article_month.as_deref().unwrap_or(""),
            self.article_day.as_deref().unwrap_or(""),
        )
    }
}

fn ymd(year: &str, month: &str, day: &str) -> Option<Ymd> {
    let year = year.trim();
    if year.len() != 4 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month = parse_month(month).unwrap_or(1);
    let day = day
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|d| (1..=31).contains(d))
        .unwrap_or(1);
    Some((year, month, day))
}

/// `"03"`, `"3"` or `"Mar"`/`"March"` → 3.
fn parse_month(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Ok(number) = text.parse::<u8>() {
        return (1..=12).contains(&number).then_some(number);
    }
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix: String = text.chars().take(3).collect::<String>().to_lowercase();
    NAMES
        .iter()
        .position(|name| *name == prefix)
        .and_then(|index| u8::try_from(index + 1).ok())
}

/// The first run of exactly four digits: `"1998 Dec-1999 Jan"` → 1998.
fn first_year(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end - start == 4 {
                return text.get(start..end)?.parse().ok();
            }
            start = end;
        } else {
            start += 1;
        }
    }
    None
}

fn resolve_reference(reference: &BytesRef<'_>) -> Cow<'static, str> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Cow::Owned(c.to_string());
    }
    let name: &str = reference;
    match resolve_xml_entity(name).or_else(|| resolve_html5_entity(name)) {
        Some(text) => Cow::Borrowed(text),
        // An unknown entity stays as written rather than losing the text around it.
        None => Cow::Owned(format!("&{name};")),
    }
}

fn is_orcid_identifier(element: &BytesStart<'_>) -> bool {
    element.attributes().flatten().any(|attribute| {
        attribute.key.as_ref() == "Source" && attribute.value.eq_ignore_ascii_case("ORCID")
    })
}

fn target_of(
    name: &str,
    parent: Option<&str>,
    grandparent: Option<&str>,
    in_author: bool,
    element: &BytesStart<'_>,
) -> Option<Target> {
    let parent = parent?;
    Some(match (parent, name) {
        ("Article", "ArticleTitle") => Target::Title,
        ("Abstract" | "OtherAbstract", "AbstractText") => Target::Abstract,
        ("Author", "LastName") if in_author => Target::LastName,
        ("Author", "ForeName") if in_author => Target::ForeName,
        ("Author", "Initials") if in_author => Target::Initials,
        ("Author", "CollectiveName") if in_author => Target::Collective,
        ("Author", "Identifier") if in_author && is_orcid_identifier(element) => Target::Orcid,
        ("AffiliationInfo", "Affiliation") if in_author && grandparent == Some("Author") => {
            Target::AuthorAffiliation
        }
        ("Article", "Affiliation") => Target::ArticleAffiliation,
        ("Journal", "Title" | "ISOAbbreviation") | ("MedlineJournalInfo", "MedlineTA") => {
            Target::Journal
        }
        ("MeshHeading", "DescriptorName" | "QualifierName") => Target::Mesh,
        ("KeywordList", "Keyword") => Target::Keyword,
        ("PublicationTypeList", "PublicationType") => Target::PublicationType,
        ("Article", "Language") => Target::Language,
        ("PubDate", part) if grandparent == Some("JournalIssue") => Target::PubDate(match part {
            "Year" => DatePart::Year,
            "Month" => DatePart::Month,
            "Day" => DatePart::Day,
            "MedlineDate" => DatePart::Medline,
            _ => return None,
        }),
        ("ArticleDate", part) => Target::ArticleDate(match part {
            "Year" => DatePart::Year,
            "Month" => DatePart::Month,
            "Day" => DatePart::Day,
            _ => return None,
        }),
        _ => return None,
    })
}

impl RecordFields {
    /// Reads a `<PubmedArticle>…</PubmedArticle>` element; what precedes a
    /// malformed spot is kept (a damaged record still answers searches).
    pub fn from_xml(xml: &str) -> Self {
        let mut reader = Reader::from_str(xml);
        // A mismatched end tag must not lose the rest of the record.
        reader.config_mut().check_end_names = false;
        let mut fields = RecordFields::default();
        let mut dates = DateParts::default();
        let mut path: Vec<String> = Vec::new();
        let mut capture: Option<(Target, usize)> = None;
        let mut author_depth: Option<usize> = None;
        let mut text = String::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(element)) => {
                    let name: &str = element.name().0;
                    let parent = path.last().map(String::as_str);
                    let grandparent = path.len().checked_sub(2).map(|i| path[i].as_str());
                    if name == "Author"
                        && parent == Some("AuthorList")
                        && grandparent == Some("Article")
                    {
                        fields.authors.push(AuthorFields::default());
                        author_depth = Some(path.len());
                    } else if capture.is_none() {
                        let in_author = author_depth.is_some();
                        if let Some(target) =
                            target_of(name, parent, grandparent, in_author, &element)
                        {
                            capture = Some((target, path.len()));
                            text.clear();
                        }
                    }
                    path.push(name.to_owned());
                }
                Ok(Event::End(_)) => {
                    path.pop();
                    if let Some((target, depth)) = capture {
                        if depth == path.len() {
                            capture = None;
                            let value = text.split_whitespace().collect::<Vec<_>>().join(" ");
                            fields.store(target, value, &mut dates);
                        }
                    }
                    if author_depth == Some(path.len()) {
                        author_depth = None;
                    }
                    if path.last().map(String::as_str) == Some("Article")
                        && dates.article_year.is_some()
                    {
                        dates.article_done = true;
                    }
                }
                Ok(Event::Text(raw)) if capture.is_some() => text.push_str(&raw.xml10_content()),
                Ok(Event::CData(raw)) if capture.is_some() => text.push_str(&raw.xml10_content()),
                Ok(Event::GeneralRef(reference)) if capture.is_some() => {
                    text.push_str(&resolve_reference(&reference));
                }
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
        fields.publication_date = dates.date();
        fields
    }

    fn store(&mut self, target: Target, value: String, dates: &mut DateParts) {
        if value.is_empty() {
            return;
        }
        let author = self.authors.last_mut();
        match target {
            Target::Title => self.title = value,
            Target::Abstract => self.abstracts.push(value),
            Target::LastName => author.into_iter().for_each(|a| a.last_name = value.clone()),
            Target::ForeName => author.into_iter().for_each(|a| a.fore_name = value.clone()),
            Target::Initials => author.into_iter().for_each(|a| a.initials = value.clone()),
            Target::Collective => author
                .into_iter()
                .for_each(|a| a.collective_name = value.clone()),
            Target::Orcid => author
                .into_iter()
                .for_each(|a| a.orcids.push(value.clone())),
            Target::AuthorAffiliation => author
                .into_iter()
                .for_each(|a| a.affiliations.push(value.clone())),
            Target::ArticleAffiliation => self.affiliations.push(value),
            Target::Journal => self.journal.push(value),
            Target::Mesh => self.mesh.push(value),
            Target::Keyword => self.keywords.push(value),
            Target::PublicationType => self.publication_types.push(value),
            Target::Language => self.languages.push(value),
            Target::PubDate(part) => {
                let slot = match part {
                    DatePart::Year => &mut dates.year,
                    DatePart::Month => &mut dates.month,
                    DatePart::Day => &mut dates.day,
                    DatePart::Medline => &mut dates.medline,
                };
                slot.get_or_insert(value);
            }
            Target::ArticleDate(part) if !dates.article_done => {
                let slot = match part {
                    DatePart::Year => &mut dates.article_year,
                    DatePart::Month => &mut dates.article_month,
                    DatePart::Day | DatePart::Medline => &mut dates.article_day,
                };
                *slot = Some(value);
            }
            Target::ArticleDate(_) => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Queries

/// A PubMed search field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `[all]`, `[all fields]`, or no tag.
    All,
    /// `[au]`, `[author]`.
    Author,
    /// `[fau]`, `[full author name]`.
    FullAuthor,
    /// `[1au]`, `[author - first]`.
    FirstAuthor,
    /// `[lastau]`, `[author - last]`.
    LastAuthor,
    /// `[ad]`, `[affl]`, `[affiliation]`.
    Affiliation,
    /// `[auid]`, `[author - identifier]`.
    AuthorId,
    /// `[dp]`, `[pdat]`, `[publication date]`.
    PublicationDate,
    /// `[edat]`, `[entry date]`.
    EntryDate,
    /// `[uid]`, `[pmid]`.
    Uid,
    /// `[ti]`, `[title]`.
    Title,
    /// `[tiab]`, `[title/abstract]`.
    TitleAbstract,
    /// `[ab]`, `[abstract]`.
    Abstract,
    /// `[mh]`, `[mesh terms]`.
    Mesh,
    /// `[ta]`, `[journal]`.
    Journal,
    /// `[pt]`, `[publication type]`.
    PublicationType,
    /// `[la]`, `[language]`.
    Language,
}

impl Field {
    /// The field a bracketed tag names (case and spacing ignored), if any.
    pub fn from_tag(tag: &str) -> Option<Field> {
        let tag = tag
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        Some(match tag.as_str() {
            "all" | "all fields" => Field::All,
            "au" | "auth" | "author" => Field::Author,
            "fau" | "full author name" | "author - full" => Field::FullAuthor,
            "1au" | "author - first" | "first author name" => Field::FirstAuthor,
            "lastau" | "author - last" | "last author name" => Field::LastAuthor,
            "ad" | "affl" | "affiliation" => Field::Affiliation,
            "auid" | "author - identifier" => Field::AuthorId,
            "dp" | "pdat" | "publication date" | "date - publication" => Field::PublicationDate,
            "edat" | "entry date" | "entrez date" | "date - entry" | "date - entrez" => {
                Field::EntryDate
            }
            "uid" | "pmid" => Field::Uid,
            "ti" | "title" => Field::Title,
            "tiab" | "title/abstract" => Field::TitleAbstract,
            "ab" | "abstract" => Field::Abstract,
            "mh" | "mesh" | "mesh terms" => Field::Mesh,
            "ta" | "jour" | "journal" => Field::Journal,
            "pt" | "publication type" => Field::PublicationType,
            "la" | "lang" | "language" => Field::Language,
            _ => return None,
        })
    }

    /// The name PubMed's `QueryTranslation` gives the field.
    pub fn pubmed_name(self) -> &'static str {
        match self {
            Field::All => "All Fields",
            Field::Author => "Author",
            Field::FullAuthor => "Full Author Name",
            Field::FirstAuthor => "Author - First",
            Field::LastAuthor => "Author - Last",
            Field::Affiliation => "Affiliation",
            Field::AuthorId => "Author - Identifier",
            Field::PublicationDate => "Date - Publication",
            Field::EntryDate => "Date - Entry",
            Field::Uid => "UID",
            Field::Title => "Title",
            Field::TitleAbstract => "Title/Abstract",
            Field::Abstract => "Abstract",
            Field::Mesh => "MeSH Terms",
            Field::Journal => "Journal",
            Field::PublicationType => "Publication Type",
            Field::Language => "Language",
        }
    }

    fn kinds(self) -> &'static [Kind] {
        match self {
            Field::Title => &[Kind::Title],
            Field::TitleAbstract => &[Kind::Title, Kind::Abstract],
            Field::Abstract => &[Kind::Abstract],
            Field::Affiliation => &[Kind::Affiliation],
            Field::Mesh => &[Kind::Mesh],
            Field::Journal => &[Kind::Journal],
            Field::PublicationType => &[Kind::PublicationType],
            Field::Language => &[Kind::Language],
            _ => &ALL_KINDS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Not,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::And => "AND",
            Op::Or => "OR",
            Op::Not => "NOT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Any,
    First,
    Last,
}

/// How an author term names people.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NameQuery {
    /// `Family I…`: last name equal, initials starting with these — or, when
    /// the name was quoted, equal to them: PubMed turns its automatic initial
    /// truncation off for a quoted `[au]` name.
    Initials {
        family: String,
        initials: String,
        exact: bool,
    },
    /// `Family Given…`: each way of splitting the words into a last name and
    /// the first words of the fore name (an empty fore name: any).
    Full(Vec<(String, Vec<String>)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Words(Vec<String>),
    Name(NameQuery),
    Orcid(String),
    Dates(Ymd, Ymd),
    Uids(u64, u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    field: Field,
    value: Value,
    /// The phrase as written, for `PhraseNotFound`.
    written: String,
    quoted: bool,
}

impl Term {
    /// Terms PubMed drops (and reports) when its index has no such phrase;
    /// dates and PMIDs are ranges, which simply match nothing.
    fn droppable(&self) -> bool {
        matches!(
            self.value,
            Value::Words(_) | Value::Name(_) | Value::Orcid(_)
        )
    }

    fn translation(&self) -> String {
        let field = self.field.pubmed_name();
        match &self.value {
            Value::Dates(from, to) => format!("{}:{}[{field}]", show_date(*from), show_date(*to)),
            Value::Uids(low, high) if low == high => format!("{low}[{field}]"),
            Value::Uids(low, high) => format!("{low}:{high}[{field}]"),
            Value::Orcid(_) => format!("\"{}\"[{field}]", self.written.to_lowercase()),
            Value::Words(_) | Value::Name(_) => {
                format!("\"{}\"[{field}]", fold_words(&self.written).join(" "))
            }
        }
    }
}

fn show_date((year, month, day): Ymd) -> String {
    format!("{year:04}/{month:02}/{day:02}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Term(Term),
    Group(Group),
}

/// Operands in order, each with the operator joining it to everything before
/// it (the first one's is ignored): a flat list, so that a chain of 20,000
/// `OR`s is evaluated in a loop, not by 20,000 nested calls.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    items: Vec<(Op, Node)>,
}

/// A parsed search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    root: Group,
}

impl Query {
    /// True when `pmid` satisfies the query's `[uid]` ranges, every other
    /// term counting as true: how a corpus that ignores search terms still
    /// honours the PMID ranges a harvester splits a crowded day with.
    pub fn admits_pmid(&self, pmid: u64) -> bool {
        group_admits(&self.root, pmid)
    }
}

fn group_admits(group: &Group, pmid: u64) -> bool {
    let mut result = true;
    for (index, (op, node)) in group.items.iter().enumerate() {
        let value = match node {
            Node::Term(Term {
                value: Value::Uids(low, high),
                ..
            }) => (*low..=*high).contains(&pmid),
            Node::Term(_) => true,
            Node::Group(inner) => group_admits(inner, pmid),
        };
        result = match (index, op) {
            (0, _) => value,
            (_, Op::And) => result && value,
            (_, Op::Or) => result || value,
            (_, Op::Not) => result && !value,
        };
    }
    result
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Colon,
    Quoted(String),
    Tag(String),
    Word(String),
    Operator(Op),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    offset: usize,
    /// Whitespace (or the start of the term) comes right before it.
    spaced: bool,
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut spaced = true;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let kind = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            ':' => Tok::Colon,
            ']' => {
                return Err(QueryError::Unexpected {
                    character: c,
                    offset,
                })
            }
            '"' | '[' => {
                let close = if c == '"' { '"' } else { ']' };
                let end = chars
                    .by_ref()
                    .find(|(_, next)| *next == close)
                    .map(|(at, _)| at);
                let Some(end) = end else {
                    return Err(if c == '"' {
                        QueryError::UnterminatedQuote { offset }
                    } else {
                        QueryError::UnterminatedTag { offset }
                    });
                };
                // Both delimiters are one byte: the slice is on char boundaries.
                let inner = text.get(offset + 1..end).unwrap_or_default().to_owned();
                if c == '"' {
                    Tok::Quoted(inner)
                } else {
                    Tok::Tag(inner)
                }
            }
            _ => {
                let mut end = text.len();
                while let Some(&(at, next)) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | '"' | '[' | ']' | ':') {
                        end = at;
                        break;
                    }
                    chars.next();
                }
                match text.get(offset..end).unwrap_or_default() {
                    "AND" => Tok::Operator(Op::And),
                    "OR" => Tok::Operator(Op::Or),
                    "NOT" => Tok::Operator(Op::Not),
                    word => Tok::Word(word.to_owned()),
                }
            }
        };
        tokens.push(Token {
            kind,
            offset,
            spaced,
        });
        spaced = false;
    }
    Ok(tokens)
}

/// Words before a tag, or a quoted string.
struct Phrase {
    text: String,
    quoted: bool,
    offset: usize,
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

/// Parses a PubMed search term.
pub fn parse(term: &str) -> Result<Query, QueryError> {
    if term.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong { length: term.len() });
    }
    let tokens = lex(term)?;
    if tokens.is_empty() {
        return Err(QueryError::Empty);
    }
    let mut parser = Parser {
        tokens,
        position: 0,
    };
    let root = parser.group(0, None)?;
    Ok(Query { root })
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn group(&mut self, depth: usize, opened_at: Option<usize>) -> Result<Group, QueryError> {
        let mut items: Vec<(Op, Node)> = Vec::new();
        let mut pending: Option<(Op, usize)> = None;
        loop {
            let Some(token) = self.peek() else {
                if let Some(offset) = opened_at {
                    return Err(QueryError::Unclosed { offset });
                }
                break;
            };
            let offset = token.offset;
            match token.kind {
                Tok::Close => {
                    if opened_at.is_none() {
                        return Err(QueryError::UnexpectedClose { offset });
                    }
                    self.position += 1;
                    break;
                }
                Tok::Operator(op) => {
                    if items.is_empty() || pending.is_some() {
                        return Err(QueryError::MissingOperand {
                            operator: op.name(),
                            offset,
                        });
                    }
                    pending = Some((op, offset));
                    self.position += 1;
                }
                _ => {
                    let op = pending.take().map_or(Op::And, |(op, _)| op);
                    for (index, node) in self.item(depth)?.into_iter().enumerate() {
                        items.push((if index == 0 { op } else { Op::And }, node));
                    }
                }
            }
        }
        if let Some((op, offset)) = pending {
            return Err(QueryError::MissingOperand {
                operator: op.name(),
                offset,
            });
        }
        if items.is_empty() {
            return Err(QueryError::EmptyGroup {
                offset: opened_at.unwrap_or(0),
            });
        }
        Ok(Group { items })
    }

    fn item(&mut self, depth: usize) -> Result<Vec<Node>, QueryError> {
        let Some(token) = self.peek() else {
            return Err(QueryError::Empty);
        };
        let offset = token.offset;
        match token.kind {
            Tok::Open => {
                if depth + 1 > MAX_DEPTH {
                    return Err(QueryError::TooDeep { offset });
                }
                self.position += 1;
                let group = self.group(depth + 1, Some(offset))?;
                if let Some(Token {
                    kind: Tok::Tag(_),
                    offset,
                    ..
                }) = self.peek()
                {
                    return Err(QueryError::MisplacedTag { offset: *offset });
                }
                Ok(vec![Node::Group(group)])
            }
            Tok::Tag(_) => Err(QueryError::MisplacedTag { offset }),
            Tok::Quoted(_) | Tok::Word(_) | Tok::Colon => self.terms(),
            // `group` consumes these itself.
            Tok::Close | Tok::Operator(_) => Err(QueryError::Unexpected {
                character: ')',
                offset,
            }),
        }
    }

    /// The next phrase: one quoted string, or every word (and colon) up to
    /// the next tag, quote, parenthesis or operator.
    fn phrase(&mut self) -> Option<Phrase> {
        let token = self.peek()?;
        let offset = token.offset;
        if let Tok::Quoted(text) = &token.kind {
            let text = text.clone();
            self.position += 1;
            return Some(Phrase {
                text,
                quoted: true,
                offset,
            });
        }
        let mut text = String::new();
        while let Some(token) = self.peek() {
            let part = match &token.kind {
                Tok::Word(word) => word.as_str(),
                Tok::Colon => ":",
                _ => break,
            };
            if !text.is_empty() && token.spaced {
                text.push(' ');
            }
            text.push_str(part);
            self.position += 1;
        }
        (!text.is_empty()).then_some(Phrase {
            text,
            quoted: false,
            offset,
        })
    }

    fn tag(&mut self) -> Result<Option<Field>, QueryError> {
        let Some(Token {
            kind: Tok::Tag(tag),
            ..
        }) = self.peek()
        else {
            return Ok(None);
        };
        let field =
            Field::from_tag(tag).ok_or_else(|| QueryError::UnknownTag { tag: tag.clone() })?;
        self.position += 1;
        Ok(Some(field))
    }

    fn terms(&mut self) -> Result<Vec<Node>, QueryError> {
        let Some(first) = self.phrase() else {
            return Err(QueryError::Empty);
        };
        let tag = self.tag()?;
        let colon_follows = matches!(
            self.peek(),
            Some(Token {
                kind: Tok::Colon,
                ..
            })
        );
        if colon_follows && (tag.is_some() || first.quoted) {
            // `"2010"[dp] : "2020"[dp]`: the colon joins two tagged (or quoted) bounds.
            self.position += 1;
            let Some(second) = self.phrase() else {
                return Err(QueryError::BadRange {
                    text: format!("{}:", first.text),
                    field: tag.map_or("All Fields", Field::pubmed_name),
                    reason: "nothing follows ':'",
                });
            };
            let second_tag = self.tag()?;
            let field = match (tag, second_tag) {
                (Some(a), Some(b)) if a != b => {
                    return Err(QueryError::BadRange {
                        text: format!("{}:{}", first.text, second.text),
                        field: a.pubmed_name(),
                        reason: "the two bounds carry different field tags",
                    })
                }
                (a, b) => b.or(a).unwrap_or(Field::All),
            };
            let term = range_term(field, &first.text, &second.text)?;
            return Ok(vec![Node::Term(term)]);
        }
        if let Some(field) = tag {
            check_length(&first)?;
            return Ok(vec![Node::Term(tagged_term(field, &first)?)]);
        }
        if first.quoted {
            check_length(&first)?;
            return Ok(vec![Node::Term(words_term(Field::All, &first.text, true))]);
        }
        // Untagged words are separate terms, ANDed, as PubMed splits a phrase it cannot map.
        let mut nodes = Vec::new();
        for word in first.text.split_whitespace() {
            check_length(&Phrase {
                text: word.to_owned(),
                quoted: false,
                offset: first.offset,
            })?;
            nodes.push(Node::Term(words_term(Field::All, word, false)));
        }
        Ok(nodes)
    }
}

fn check_length(phrase: &Phrase) -> Result<(), QueryError> {
    let length = phrase.text.chars().count();
    if length > MAX_PHRASE_CHARS {
        return Err(QueryError::PhraseTooLong {
            offset: phrase.offset,
            length,
        });
    }
    Ok(())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words_term(field: Field, text: &str, quoted: bool) -> Term {
    Term {
        field,
        value: Value::Words(fold_words(text)),
        written: collapse(text),
        quoted,
    }
}

fn tagged_term(field: Field, phrase: &Phrase) -> Result<Term, QueryError> {
    let text = phrase.text.as_str();
    let value = match field {
        Field::PublicationDate | Field::EntryDate | Field::Uid => {
            return match text.split_once(':') {
                Some((low, high)) => range_term(field, low, high),
                None => range_term(field, text, text),
            };
        }
        Field::Author | Field::FirstAuthor | Field::LastAuthor | Field::FullAuthor => {
            Value::Name(name_query(text, field == Field::FullAuthor, phrase.quoted))
        }
        Field::AuthorId => Value::Orcid(normalise_orcid(text)),
        _ => Value::Words(fold_words(text)),
    };
    Ok(Term {
        field,
        value,
        written: collapse(text),
        quoted: phrase.quoted,
    })
}

fn range_term(field: Field, low: &str, high: &str) -> Result<Term, QueryError> {
    let written = if low == high {
        collapse(low)
    } else {
        format!("{}:{}", low.trim(), high.trim())
    };
    let bad = |reason| QueryError::BadRange {
        text: written.clone(),
        field: field.pubmed_name(),
        reason,
    };
    let value = match field {
        Field::PublicationDate | Field::EntryDate => {
            let from = date_bound(low, false)
                .ok_or_else(|| bad("not a date (YYYY, YYYY/MM or YYYY/MM/DD)"))?;
            let to = date_bound(high, true)
                .ok_or_else(|| bad("not a date (YYYY, YYYY/MM or YYYY/MM/DD)"))?;
            if from > to {
                return Err(bad("the range ends before it starts"));
            }
            Value::Dates(from, to)
        }
        Field::Uid => {
            let parse = |text: &str| text.trim().parse::<u64>().ok();
            let (Some(from), Some(to)) = (parse(low), parse(high)) else {
                return Err(bad("not a PMID"));
            };
            if from > to {
                return Err(bad("the range ends before it starts"));
            }
            Value::Uids(from, to)
        }
        _ => return Err(bad("only dates and PMIDs have ranges")),
    };
    Ok(Term {
        field,
        value,
        written,
        quoted: false,
    })
}

/// `2010`, `2010/03`, `2010/03/01` (or with `-`, `.` or spaces, or a month
/// name): the first day of that period, or its last with `upper`.
fn date_bound(text: &str, upper: bool) -> Option<Ymd> {
    let parts: Vec<&str> = text
        .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect();
    let (year, month, day) = match parts.as_slice() {
        [year] => (year, None, None),
        [year, month] => (year, Some(parse_month(month)?), None),
        [year, month, day] => (year, Some(parse_month(month)?), Some(*day)),
        _ => return None,
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let day = match day {
        Some(day) => Some(day.parse::<u8>().ok().filter(|d| (1..=31).contains(d))?),
        None => None,
    };
    let (month_default, day_default) = if upper { (12, 31) } else { (1, 1) };
    Some((
        year,
        month.unwrap_or(month_default),
        day.unwrap_or(day_default),
    ))
}

/// `given` are the first words of `fore`, a last single letter standing for
/// a whole word ("John A" is "John Andrew" written with a middle initial).
fn fore_name_starts_with(fore: &[String], given: &[String]) -> bool {
    let Some((last, rest)) = given.split_last() else {
        return true;
    };
    fore.len() >= given.len()
        && fore.starts_with(rest)
        && fore.get(rest.len()).is_some_and(|word| {
            word == last || (last.chars().count() == 1 && word.starts_with(last.as_str()))
        })
}

/// One to three letters: initials, not a given name.
fn is_initials(word: &str) -> bool {
    (1..=3).contains(&word.chars().count()) && word.chars().all(char::is_alphabetic)
}

fn name_query(text: &str, full_only: bool, exact: bool) -> NameQuery {
    if let Some((family, given)) = text.split_once(',') {
        let family = fold_words(family).join(" ");
        let given = fold_words(given);
        if !full_only {
            let initials = match given.as_slice() {
                [one] if is_initials(one) => Some(one.clone()),
                many if many.len() > 1
                    && many
                        .iter()
                        .all(|w| w.chars().count() == 1 && is_initials(w)) =>
                {
                    Some(many.concat())
                }
                _ => None,
            };
            if let Some(initials) = initials {
                return NameQuery::Initials {
                    family,
                    initials,
                    exact,
                };
            }
        }
        return NameQuery::Full(vec![(family, given)]);
    }
    let words = fold_words(text);
    if !full_only && words.len() >= 2 && words.last().is_some_and(|w| is_initials(w)) {
        // "Smith J A" means initials "ja": single letters before the last belong to it.
        let mut start = words.len() - 1;
        while start > 1 && words[start - 1].chars().count() == 1 && is_initials(&words[start - 1]) {
            start -= 1;
        }
        return NameQuery::Initials {
            family: words[..start].join(" "),
            initials: words[start..].concat(),
            exact,
        };
    }
    NameQuery::Full(
        (1..=words.len())
            .map(|split| (words[..split].join(" "), words[split..].to_vec()))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// The index

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Title,
    Abstract,
    Affiliation,
    Author,
    Journal,
    Mesh,
    Keyword,
    PublicationType,
    Language,
}

const ALL_KINDS: [Kind; 9] = [
    Kind::Title,
    Kind::Abstract,
    Kind::Affiliation,
    Kind::Author,
    Kind::Journal,
    Kind::Mesh,
    Kind::Keyword,
    Kind::PublicationType,
    Kind::Language,
];

#[derive(Debug, Clone)]
struct IndexedAuthor {
    fore: Vec<String>,
    initials: String,
}

/// A set of records by index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    fn combine(&mut self, op: Op, other: &Bits) {
        for (word, other) in self.0.iter_mut().zip(&other.0) {
            match op {
                Op::And => *word &= other,
                Op::Or => *word |= other,
                Op::Not => *word &= !other,
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }

    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(index, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    index * 64 + bit
                })
            })
        })
    }
}

/// Which date a [`Window`] restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    /// The Entrez date (`datetype=edat`, and `mdat`: the corpus records no other).
    Entry,
    /// The publication date (`datetype=pdat`).
    Publication,
}

/// ESearch's `mindate`/`maxdate`/`datetype`: an inclusive date window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The date compared.
    pub field: DateField,
    /// First day included.
    pub from: Ymd,
    /// Last day included.
    pub to: Ymd,
}

/// A phrase the evaluator dropped because nothing in the corpus matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// The phrase as written, without its tag or quotes.
    pub text: String,
    /// It was in double quotes (PubMed reports it as `QuotedPhraseNotFound`).
    pub quoted: bool,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Matching PMIDs, descending (PubMed's default order for ESearch here).
    pub pmids: Vec<u64>,
    /// Dropped phrases, in query order, each once.
    pub not_found: Vec<NotFound>,
    /// The query as run, in PubMed's `QueryTranslation` style (dropped terms left out).
    pub translation: String,
}

/// Every record's searchable fields, read once, with inverted indexes for words and names.
#[derive(Clone, Default)]
pub struct SearchIndex {
    pmids: Vec<u64>,
    entry_dates: Vec<Ymd>,
    publication_dates: Vec<Option<Ymd>>,
    author_counts: Vec<usize>,
    authors: Vec<Vec<IndexedAuthor>>,
    /// Folded last name → (record, byline position).
    by_last_name: HashMap<String, Vec<(u32, u32)>>,
    by_orcid: HashMap<String, Vec<u32>>,
    vocabulary: HashMap<String, u32>,
    /// Per record, each field string as word ids.
    texts: Vec<Vec<(Kind, Vec<u32>)>>,
    /// (field kind, word id) → records having the word in a field of that kind, ascending.
    postings: HashMap<(Kind, u32), Vec<u32>>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("records", &self.pmids.len())
            .field("words", &self.vocabulary.len())
            .field("last_names", &self.by_last_name.len())
            .finish()
    }
}

struct Evaluated {
    bits: Option<Bits>,
    text: String,
    parts: usize,
}

#[derive(Default)]
struct Context {
    not_found: Vec<NotFound>,
    reported: HashSet<(String, bool)>,
}

impl SearchIndex {
    /// Reads every record's XML and indexes it: `(pmid, entrez date, xml)`.
    pub fn build<'a>(records: impl IntoIterator<Item = (u64, Ymd, &'a str)>) -> Self {
        Self::from_fields(
            records
                .into_iter()
                .map(|(pmid, edat, xml)| (pmid, edat, RecordFields::from_xml(xml))),
        )
    }

    /// Indexes records already read: `(pmid, entrez date, fields)`; the first of a repeated PMID wins.
    pub fn from_fields(records: impl IntoIterator<Item = (u64, Ymd, RecordFields)>) -> Self {
        let mut records: Vec<(u64, Ymd, RecordFields)> = records.into_iter().collect();
        records.sort_by_key(|(pmid, _, _)| *pmid);
        records.dedup_by_key(|(pmid, _, _)| *pmid);
        let mut index = SearchIndex::default();
        for (record, (pmid, edat, fields)) in records.into_iter().enumerate() {
            index.add(record, pmid, edat, &fields);
        }
        index
    }

    fn add(&mut self, record: usize, pmid: u64, edat: Ymd, fields: &RecordFields) {
        // Record numbers fit u32: a corpus is held in memory, far below 4 billion records.
        let id = record as u32;
        self.pmids.push(pmid);
        self.entry_dates.push(edat);
        self.publication_dates.push(fields.publication_date);
        self.author_counts.push(fields.authors.len());
        let mut texts = Vec::new();
        let mut add_text = |index: &mut SearchIndex, kind: Kind, text: &str| {
            let words: Vec<u32> = fold_words(text)
                .into_iter()
                .map(|word| {
                    let next = index.vocabulary.len() as u32;
                    let word_id = *index.vocabulary.entry(word).or_insert(next);
                    let posting = index.postings.entry((kind, word_id)).or_default();
                    if posting.last() != Some(&id) {
                        posting.push(id);
                    }
                    word_id
                })
                .collect();
            if !words.is_empty() {
                texts.push((kind, words));
            }
        };
        add_text(self, Kind::Title, &fields.title);
        for text in &fields.abstracts {
            add_text(self, Kind::Abstract, text);
        }
        let mut affiliations: Vec<&str> = fields.affiliations.iter().map(String::as_str).collect();
        let mut authors = Vec::with_capacity(fields.authors.len());
        for (position, author) in fields.authors.iter().enumerate() {
            let last = fold_words(&author.last_name).join(" ");
            let fore = fold_words(&author.fore_name);
            let mut initials = fold_words(&author.initials).concat();
            if initials.is_empty() {
                initials = fore.iter().filter_map(|word| word.chars().next()).collect();
            }
            if !last.is_empty() {
                self.by_last_name
                    .entry(last)
                    .or_default()
                    .push((id, position as u32));
                add_text(
                    self,
                    Kind::Author,
                    &format!("{} {}", author.last_name, author.fore_name),
                );
                add_text(
                    self,
                    Kind::Author,
                    &format!("{} {initials}", author.last_name),
                );
            }
            add_text(self, Kind::Author, &author.collective_name);
            for orcid in &author.orcids {
                let orcid = normalise_orcid(orcid);
                if orcid.is_empty() {
                    continue;
                }
                let records = self.by_orcid.entry(orcid).or_default();
                if records.last() != Some(&id) {
                    records.push(id);
                }
            }
            for affiliation in &author.affiliations {
                if !affiliations.contains(&affiliation.as_str()) {
                    affiliations.push(affiliation);
                }
            }
            authors.push(IndexedAuthor { fore, initials });
        }
        for affiliation in affiliations {
            add_text(self, Kind::Affiliation, affiliation);
        }
        for (kind, list) in [
            (Kind::Journal, &fields.journal),
            (Kind::Mesh, &fields.mesh),
            (Kind::Keyword, &fields.keywords),
            (Kind::PublicationType, &fields.publication_types),
            (Kind::Language, &fields.languages),
        ] {
            for text in list {
                add_text(self, kind, text);
            }
        }
        self.authors.push(authors);
        self.texts.push(texts);
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.pmids.len()
    }

    /// True when no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.pmids.is_empty()
    }

    /// The publication date the index read for `pmid`, if any.
    pub fn publication_date(&self, pmid: u64) -> Option<Ymd> {
        let at = self.pmids.binary_search(&pmid).ok()?;
        self.publication_dates.get(at).copied().flatten()
    }

    /// Runs `query`, restricted to `window`: PMIDs descending, and the phrases dropped.
    pub fn search(&self, query: &Query, window: Option<Window>) -> Search {
        let mut context = Context::default();
        let evaluated = self.group(&query.root, &mut context);
        let mut bits = evaluated.bits.unwrap_or_else(|| Bits::empty(self.len()));
        if let Some(window) = window {
            bits.combine(Op::And, &self.dates(window.field, window.from, window.to));
        }
        let mut pmids: Vec<u64> = bits
            .ones()
            .filter_map(|i| self.pmids.get(i).copied())
            .collect();
        pmids.sort_unstable_by(|a, b| b.cmp(a));
        Search {
            pmids,
            not_found: context.not_found,
            translation: evaluated.text,
        }
    }

    fn group(&self, group: &Group, context: &mut Context) -> Evaluated {
        let mut result: Option<Bits> = None;
        let mut text = String::new();
        let mut parts = 0;
        for (op, node) in &group.items {
            let (bits, part) = match node {
                Node::Term(term) => match self.term(term, context) {
                    Some(bits) => (bits, term.translation()),
                    None => continue,
                },
                Node::Group(inner) => {
                    let evaluated = self.group(inner, context);
                    let Some(bits) = evaluated.bits else { continue };
                    let part = if evaluated.parts > 1 {
                        format!("({})", evaluated.text)
                    } else {
                        evaluated.text
                    };
                    (bits, part)
                }
            };
            match result.as_mut() {
                // Everything before was dropped: there is nothing to take this away from.
                None if *op == Op::Not => {}
                None => {
                    result = Some(bits);
                    text = part;
                    parts = 1;
                }
                Some(so_far) => {
                    so_far.combine(*op, &bits);
                    text = format!("{text} {} {part}", op.name());
                    parts += 1;
                }
            }
        }
        Evaluated {
            bits: result,
            text,
            parts,
        }
    }

    /// A term's records, or `None` when PubMed would drop it.
    fn term(&self, term: &Term, context: &mut Context) -> Option<Bits> {
        let bits = match &term.value {
            Value::Words(words) => self.phrase(words, term.field.kinds()),
            Value::Name(name) => self.names(
                name,
                match term.field {
                    Field::FirstAuthor => Position::First,
                    Field::LastAuthor => Position::Last,
                    _ => Position::Any,
                },
            ),
            Value::Orcid(orcid) => {
                let mut bits = Bits::empty(self.len());
                for &record in self.by_orcid.get(orcid).into_iter().flatten() {
                    bits.set(record as usize);
                }
                bits
            }
            Value::Dates(from, to) => self.dates(
                if term.field == Field::EntryDate {
                    DateField::Entry
                } else {
                    DateField::Publication
                },
                *from,
                *to,
            ),
            Value::Uids(low, high) => {
                let mut bits = Bits::empty(self.len());
                let start = self.pmids.partition_point(|pmid| pmid < low);
                let end = self.pmids.partition_point(|pmid| pmid <= high);
                for record in start..end {
                    bits.set(record);
                }
                bits
            }
        };
        if term.droppable() && bits.is_empty() {
            if context.reported.insert((term.written.clone(), term.quoted)) {
                context.not_found.push(NotFound {
                    text: term.written.clone(),
                    quoted: term.quoted,
                });
            }
            return None;
        }
        Some(bits)
    }

    fn phrase(&self, words: &[String], kinds: &[Kind]) -> Bits {
        let mut bits = Bits::empty(self.len());
        let ids: Option<Vec<u32>> = words
            .iter()
            .map(|w| self.vocabulary.get(w).copied())
            .collect();
        let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
            return bits;
        };
        for &kind in kinds {
            // The rarest word's records are the only candidates.
            let postings: Option<Vec<&Vec<u32>>> = ids
                .iter()
                .map(|id| self.postings.get(&(kind, *id)))
                .collect();
            let Some(candidates) = postings.and_then(|p| p.into_iter().min_by_key(|p| p.len()))
            else {
                continue;
            };
            for &record in candidates {
                let record = record as usize;
                let found = ids.len() == 1
                    || self.texts.get(record).is_some_and(|texts| {
                        texts.iter().any(|(text_kind, text)| {
                            *text_kind == kind
                                && text
                                    .windows(ids.len())
                                    .any(|window| window == ids.as_slice())
                        })
                    });
                if found {
                    bits.set(record);
                }
            }
        }
        bits
    }

    fn names(&self, name: &NameQuery, position: Position) -> Bits {
        let mut bits = Bits::empty(self.len());
        let mut visit = |family: &str, matches: &dyn Fn(&IndexedAuthor) -> bool| {
            for &(record, at) in self.by_last_name.get(family).into_iter().flatten() {
                let (record, at) = (record as usize, at as usize);
                let placed = match position {
                    Position::Any => true,
                    Position::First => at == 0,
                    Position::Last => self.author_counts.get(record) == Some(&(at + 1)),
                };
                let author = self.authors.get(record).and_then(|authors| authors.get(at));
                if placed && author.is_some_and(matches) {
                    bits.set(record);
                }
            }
        };
        match name {
            NameQuery::Initials {
                family,
                initials,
                exact,
            } => {
                visit(family, &|author| match exact {
                    true => author.initials == *initials,
                    false => author.initials.starts_with(initials.as_str()),
                });
            }
            NameQuery::Full(splits) => {
                for (family, given) in splits {
                    visit(family, &|author| fore_name_starts_with(&author.fore, given));
                }
            }
        }
        bits
    }

    fn dates(&self, field: DateField, from: Ymd, to: Ymd) -> Bits {
        let mut bits = Bits::empty(self.len());
        for record in 0..self.len() {
            let date = match field {
                DateField::Entry => self.entry_dates.get(record).copied(),
                DateField::Publication => self.publication_dates.get(record).copied().flatten(),
            };
            if date.is_some_and(|date| date >= from && date <= to) {
                bits.set(record);
            }
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// `(last, fore, initials, orcid, affiliation)`.
    type AuthorSpec<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

    fn article(pmid: u64, pub_date: &str, title: &str, authors: &[AuthorSpec<'_>]) -> String {
        let mut xml = format!(
            "<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"1\">{pmid}</PMID><Article PubModel=\"Print\"><Journal><JournalIssue><PubDate>{pub_date}</PubDate></JournalIssue><Title>Journal of Tests</Title></Journal><ArticleTitle>{title}</ArticleTitle><AuthorList CompleteYN=\"Y\">"
        );
        for (last, fore, initials, orcid, affiliation) in authors {
            xml.push_str(&format!(
                "<Author ValidYN=\"Y\"><LastName>{last}</LastName><ForeName>{fore}</ForeName><Initials>{initials}</Initials>"
            ));
            if !orcid.is_empty() {
                xml.push_str(&format!(
                    "<Identifier Source=\"ORCID\">{orcid}</Identifier>"
                ));
            }
            if !affiliation.is_empty() {
                xml.push_str(&format!(
                    "<AffiliationInfo><Affiliation>{affiliation}</Affiliation></AffiliationInfo>"
                ));
            }
            xml.push_str("</Author>");
        }
        xml.push_str("</AuthorList></Article></MedlineCitation></PubmedArticle>");
        xml
    }

    fn index(articles: &[(u64, String)]) -> SearchIndex {
        SearchIndex::build(
            articles
                .iter()
                .map(|(pmid, xml)| (*pmid, (2024, 1, 1), xml.as_str())),
        )
    }

    fn run(index: &SearchIndex, term: &str) -> Vec<u64> {
        let query = parse(term).unwrap_or_else(|error| panic!("{term}: {error}"));
        let mut pmids = index.search(&query, None).pmids;
        pmids.sort_unstable();
        pmids
    }

    fn titles() -> SearchIndex {
        let y = "<Year>2020</Year>";
        index(&[
            (1, article(1, y, "Alpha study", &[])),
            (2, article(2, y, "Beta and gamma", &[])),
            (3, article(3, y, "Alpha gamma", &[])),
        ])
    }

    #[test]
    fn operators_run_left_to_right_without_precedence() {
        let index = titles();
        // (alpha OR beta) AND gamma, not alpha OR (beta AND gamma).
        assert_eq!(run(&index, "alpha OR beta AND gamma"), [2, 3]);
        assert_eq!(run(&index, "gamma AND beta OR alpha"), [1, 2, 3]);
        assert_eq!(run(&index, "alpha OR (beta AND gamma)"), [1, 2, 3]);
        assert_eq!(run(&index, "(alpha OR beta) AND gamma"), [2, 3]);
        // Implicit AND between adjacent terms, and lower-case "and" is a word.
        assert_eq!(run(&index, "alpha gamma"), [3]);
        assert_eq!(run(&index, "beta and gamma"), [2]);
        assert_eq!(run(&index, "((alpha) OR ((beta))) NOT (gamma)"), [1]);
    }

    #[test]
    fn not_subtracts_from_everything_before_it() {
        let index = titles();
        assert_eq!(run(&index, "alpha NOT gamma"), [1]);
        assert_eq!(run(&index, "gamma NOT alpha NOT beta"), Vec::<u64>::new());
        assert_eq!(run(&index, "gamma NOT (alpha NOT beta)"), [2]);
        assert_eq!(run(&index, "\"alpha gamma\"[ti] OR beta[tiab]"), [2, 3]);
        assert_eq!(run(&index, "\"gamma alpha\"[ti] OR beta[tiab]"), [2]);
    }

    fn people() -> SearchIndex {
        index(&[
            (
                10,
                article(
                    10,
                    "<Year>2010</Year>",
                    "One",
                    &[
                        ("Smith", "John Andrew", "JA", "http://orcid.org/0000-0002-1825-009X", "Department of Medical Physics, Singleton Hospital, Swansea, Wales, UK."),
                        ("van Leeuwen", "Flora E", "FE", "", "Netherlands Cancer Institute, Amsterdam"),
                    ],
                ),
            ),
            (
                11,
                article(
                    11,
                    "<Year>2015</Year><Month>Mar</Month><Day>20</Day>",
                    "Two",
                    &[
                        ("Büyükpamukçu", "Münevver", "M", "000000021825009X", "Hôpital Européen, Paris"),
                        ("Smith", "Jane", "J", "", "Cardiff University"),
                        ("O'Connor", "John D", "JD", "", ""),
                    ],
                ),
            ),
            (
                12,
                article(
                    12,
                    "<MedlineDate>2020 Dec-2021 Jan</MedlineDate>",
                    "Three",
                    &[("Evans", "Bob", "B", "", "Public Health Wales, Cardiff")],
                ),
            ),
        ])
    }

    #[test]
    fn author_initials_are_truncated_and_names_folded() {
        let index = people();
        assert_eq!(run(&index, "smith j[au]"), [10, 11]);
        assert_eq!(run(&index, "Smith J[au]"), [10, 11]);
        // Quoted, the initials are taken as written: no truncation.
        assert_eq!(run(&index, "\"Smith J\"[au]"), [11]);
        assert_eq!(run(&index, "Smith JA[au]"), [10]);
        assert_eq!(run(&index, "\"Smith J A\"[au]"), [10]);
        assert_eq!(run(&index, "Smith, J[au]"), [10, 11]);
        assert_eq!(run(&index, "smith[au]"), [10, 11]);
        assert_eq!(run(&index, "van Leeuwen F[au]"), [10]);
        assert_eq!(run(&index, "\"Van Leeuwen\"[Author]"), [10]);
        assert_eq!(run(&index, "Buyukpamukcu M[au]"), [11]);
        assert_eq!(run(&index, "BÜYÜKPAMUKÇU M[au]"), [11]);
        assert_eq!(run(&index, "O'Connor J[au]"), [11]);
        assert_eq!(run(&index, "OConnor J[au] OR O Connor JD[au]"), [11]);
        assert_eq!(run(&index, "Smith J[1au]"), [10]);
        assert_eq!(run(&index, "Smith J[lastau] OR O'Connor J[lastau]"), [11]);
        assert_eq!(run(&index, "\"Smith JA\"[au] OR \"Smith JB\"[au]"), [10]);
        // Initials that match no one: dropped, the query has nothing left.
        let none = index.search(&parse("\"Smith JB\"[au]").unwrap(), None);
        assert!(none.pmids.is_empty());
        assert_eq!(
            none.not_found,
            [NotFound {
                text: "Smith JB".into(),
                quoted: true
            }]
        );
    }

    #[test]
    fn full_author_names_match_fore_names_word_by_word() {
        let index = people();
        assert_eq!(run(&index, "\"Smith John\"[fau]"), [10]);
        assert_eq!(run(&index, "\"Smith John Andrew\"[full author name]"), [10]);
        assert_eq!(run(&index, "\"Smith, John A\"[fau]"), [10]);
        assert_eq!(run(&index, "\"van Leeuwen Flora\"[fau]"), [10]);
        assert_eq!(run(&index, "\"Smith Jane\"[au]"), [11]);
        assert_eq!(run(&index, "\"Smith, Jane\"[au]"), [11]);
        assert_eq!(run(&index, "\"Büyükpamukçu Münevver\"[fau]"), [11]);
        // A single letter may stand for a word; anything longer is a whole word.
        assert_eq!(run(&index, "\"Smith J\"[fau]"), [10, 11]);
        let partial = index.search(
            &parse("\"Smith Johnny\"[fau] OR \"Smith Jo\"[fau]").unwrap(),
            None,
        );
        assert!(partial.pmids.is_empty());
        assert_eq!(partial.not_found.len(), 2);
    }

    #[test]
    fn orcids_match_with_or_without_a_url_prefix() {
        let index = people();
        assert_eq!(run(&index, "0000-0002-1825-009X[auid]"), [10, 11]);
        assert_eq!(
            run(&index, "https://orcid.org/0000-0002-1825-009x[auid]"),
            [10, 11]
        );
        assert_eq!(
            run(&index, "\"HTTP://ORCID.ORG/0000-0002-1825-009X\"[auid]"),
            [10, 11]
        );
        let missing = index.search(&parse("0000-0001-0000-0000[auid]").unwrap(), None);
        assert!(missing.pmids.is_empty());
        assert_eq!(missing.not_found[0].text, "0000-0001-0000-0000");
    }

    #[test]
    fn affiliations_match_as_phrases_in_any_affiliation() {
        let index = people();
        assert_eq!(run(&index, "\"singleton hospital\"[ad]"), [10]);
        assert_eq!(run(&index, "medical physics[ad]"), [10]);
        assert_eq!(run(&index, "wales[ad]"), [10, 12]);
        assert_eq!(run(&index, "cardiff[affl]"), [11, 12]);
        assert_eq!(run(&index, "\"hopital europeen\"[ad]"), [11]);
        assert_eq!(run(&index, "\"Public Health Wales\"[affiliation]"), [12]);
        // [ad] is not tied to the author [au] matched (PubMed's own behaviour).
        assert_eq!(
            run(
                &index,
                "\"Smith JA\"[au] AND \"Netherlands Cancer Institute\"[ad]"
            ),
            [10]
        );
        let missing = index.search(
            &parse("\"hospital singleton\"[ad] OR wales[ad]").unwrap(),
            None,
        );
        assert_eq!(missing.pmids, [12, 10]);
        assert_eq!(
            missing.not_found,
            [NotFound {
                text: "hospital singleton".into(),
                quoted: true
            }]
        );
    }

    #[test]
    fn publication_dates_and_ranges() {
        let with_article_date = "<PubmedArticle><MedlineCitation><PMID>13</PMID><Article><Journal><JournalIssue><PubDate><Season>Spring</Season></PubDate></JournalIssue></Journal><ArticleTitle>Four</ArticleTitle><ArticleDate DateType=\"Electronic\"><Year>2018</Year><Month>05</Month><Day>02</Day></ArticleDate></Article></MedlineCitation></PubmedArticle>";
        let mut articles: Vec<(u64, String)> = Vec::new();
        let people = [
            (10, "<Year>2010</Year>"),
            (11, "<Year>2015</Year><Month>Mar</Month><Day>20</Day>"),
            (12, "<MedlineDate>2020 Dec-2021 Jan</MedlineDate>"),
        ];
        for (pmid, date) in people {
            articles.push((pmid, article(pmid, date, "x", &[])));
        }
        articles.push((13, with_article_date.to_owned()));
        let index = index(&articles);
        assert_eq!(index.publication_date(11), Some((2015, 3, 20)));
        assert_eq!(index.publication_date(12), Some((2020, 1, 1)));
        assert_eq!(index.publication_date(13), Some((2018, 5, 2)));
        assert_eq!(run(&index, "2010:2015[dp]"), [10, 11]);
        assert_eq!(run(&index, "2015/03/21:2020/12/31[dp]"), [12, 13]);
        assert_eq!(run(&index, "\"2018\"[dp] : \"2018\"[dp]"), [13]);
        assert_eq!(run(&index, "\"2018\"[pdat]:\"2020\"[pdat]"), [12, 13]);
        assert_eq!(run(&index, "2015/03[dp]"), [11]);
        assert_eq!(run(&index, "2015 Mar[dp]"), [11]);
        assert_eq!(run(&index, "\"2010/01/01\":\"2010/12/31\"[dp]"), [10]);
        assert_eq!(run(&index, "2024[edat]"), [10, 11, 12, 13]);
        assert_eq!(run(&index, "x AND 2011:2019[dp]"), [11]);
        assert_eq!(run(&index, "11:12[uid] OR 13[pmid]"), [11, 12, 13]);
        // An empty range is not a dropped phrase.
        let empty = index.search(&parse("1990:1991[dp]").unwrap(), None);
        assert!(empty.pmids.is_empty() && empty.not_found.is_empty());
        let window = Window {
            field: DateField::Publication,
            from: (2015, 1, 1),
            to: (2019, 12, 31),
        };
        assert_eq!(index.search(&parse("x").unwrap(), Some(window)).pmids, [11]);
    }

    #[test]
    fn dropped_terms_are_reported_and_left_out() {
        let index = people();
        let search = index.search(&parse("nosuchword AND smith j[au]").unwrap(), None);
        assert_eq!(search.pmids, [11, 10]);
        assert_eq!(
            search.not_found,
            [NotFound {
                text: "nosuchword".into(),
                quoted: false
            }]
        );
        assert_eq!(search.translation, "\"smith j\"[Author]");
        let search = index.search(
            &parse("(\"Rahim A\"[au] OR \"Evans B\"[au]) AND (\"Public Health Wales\"[ad] OR \"Nowhere Trust\"[ad])").unwrap(),
            None,
        );
        assert_eq!(search.pmids, [12]);
        assert_eq!(search.not_found.len(), 2);
        assert_eq!(
            search.translation,
            "\"evans b\"[Author] AND \"public health wales\"[Affiliation]"
        );
        // Dropped before NOT: nothing is left to subtract from.
        let search = index.search(&parse("nosuchword NOT wales[ad] OR three").unwrap(), None);
        assert_eq!(search.pmids, [12]);
        let everything = index.search(&parse("zzz OR \"qqq\"").unwrap(), None);
        assert!(everything.pmids.is_empty());
        assert_eq!(
            everything.not_found,
            [
                NotFound {
                    text: "zzz".into(),
                    quoted: false
                },
                NotFound {
                    text: "qqq".into(),
                    quoted: true
                }
            ]
        );
    }

    #[test]
    fn syntax_errors_are_typed() {
        let error = |term: &str| parse(term).expect_err(term);
        assert!(matches!(
            error("(alpha"),
            QueryError::Unclosed { offset: 0 }
        ));
        assert!(matches!(
            error("alpha)"),
            QueryError::UnexpectedClose { offset: 5 }
        ));
        assert!(matches!(error("alpha[xyz]"), QueryError::UnknownTag { .. }));
        assert!(matches!(error("2020:abc[dp]"), QueryError::BadRange { .. }));
        assert!(matches!(
            error("2020:2010[dp]"),
            QueryError::BadRange { .. }
        ));
        assert!(matches!(error("5:x[uid]"), QueryError::BadRange { .. }));
        assert!(matches!(
            error("\"a\"[ti]:\"b\"[ti]"),
            QueryError::BadRange { .. }
        ));
        assert!(matches!(
            error("\"alpha"),
            QueryError::UnterminatedQuote { .. }
        ));
        assert!(matches!(
            error("alpha[ti"),
            QueryError::UnterminatedTag { .. }
        ));
        assert!(matches!(
            error("alpha AND"),
            QueryError::MissingOperand {
                operator: "AND",
                ..
            }
        ));
        assert!(matches!(
            error("OR alpha"),
            QueryError::MissingOperand { .. }
        ));
        assert!(matches!(
            error("alpha AND NOT beta"),
            QueryError::MissingOperand { .. }
        ));
        assert!(matches!(error("()"), QueryError::EmptyGroup { .. }));
        assert!(matches!(error("(a)[ti]"), QueryError::MisplacedTag { .. }));
        assert!(matches!(error("[ti]"), QueryError::MisplacedTag { .. }));
        assert!(matches!(error("   "), QueryError::Empty));
        assert!(matches!(
            error("a]"),
            QueryError::Unexpected { character: ']', .. }
        ));
        let long = format!("\"{}\"[ad]", "a".repeat(MAX_PHRASE_CHARS + 1));
        assert!(matches!(error(&long), QueryError::PhraseTooLong { .. }));
        assert!(matches!(
            error(&"a ".repeat(MAX_QUERY_BYTES)),
            QueryError::TooLong { .. }
        ));
        assert!(parse(&format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        ))
        .is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(
            parse(&deep),
            Err(QueryError::TooDeep { offset: MAX_DEPTH })
        ));
        let unclosed = "(".repeat(10_000);
        assert!(matches!(parse(&unclosed), Err(QueryError::TooDeep { .. })));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let index = people();
        let alphabet: Vec<char> = "ab (\")[]:AND OR NOT au]dp1234/,-é\u{301}\\"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3_000 {
            let mut term = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                term.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            if let Ok(query) = parse(&term) {
                let _ = index.search(&query, None);
            }
        }
    }

    #[test]
    fn folding_matches_the_indexer() {
        assert_eq!(
            fold_words("Müller-Lüdenscheidt, J."),
            ["muller", "ludenscheidt", "j"]
        );
        assert_eq!(fold_words("O'Connor"), ["o", "connor"]);
        assert_eq!(
            fold_words("Øyvind Tulumović Cécile"),
            ["oyvind", "tulumovic", "cecile"]
        );
        assert_eq!(fold_words("Ce\u{301}cile"), ["cecile"]);
        assert_eq!(
            normalise_orcid("https://orcid.org/0000-0002-1825-009x"),
            "000000021825009X"
        );
    }

    #[test]
    fn a_roster_sized_batch_is_fast() {
        let corpus =
            crate::pubmed::Corpus::load_all(Path::new("../fixtures")).expect("fixtures load");
        let mut term = String::new();
        for person in 0..5_000 {
            if person > 0 {
                term.push_str(" OR ");
            }
            term.push_str(&format!(
                "((\"Person{person} A\"[au] OR \"Person{person} Alice\"[fau] OR \"0000-0002-{person:04}-0097\"[auid]) AND (\"Public Health Wales\"[ad] OR \"Cardiff\"[ad]))"
            ));
        }
        term.push_str(" OR Henderson B[au]");
        let started = std::time::Instant::now();
        let query = parse(&term).expect("parses");
        let search = corpus.search_index().search(&query, None);
        let elapsed = started.elapsed();
        eprintln!(
            "{} bytes, 5,000 people, {} records: {elapsed:?}",
            term.len(),
            corpus.len()
        );
        assert!(!search.pmids.is_empty());
        assert_eq!(search.not_found.len(), 15_000);
        // Unoptimised test builds included: a batch is a fraction of a second.
        assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
    }

    /// `(person_id, family, given)` per roster row.
    type Roster = Vec<(String, String, String)>;
    /// Gold `(pmid, byline position)` per person.
    type Gold = HashMap<String, Vec<(u64, usize)>>;

    fn roster_and_gold() -> (Roster, Gold) {
        let roster_text =
            std::fs::read_to_string("../fixtures/tagging/roster.csv").expect("roster");
        let gold_text = std::fs::read_to_string("../fixtures/tagging/gold.csv").expect("gold");
        // The columns used come before any quoted field, so a plain split is enough.
        let roster = roster_text
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cells = line.split(',');
                Some((
                    cells.next()?.to_owned(),
                    cells.next()?.to_owned(),
                    cells.next()?.to_owned(),
                ))
            })
            .collect();
        let mut gold: HashMap<String, Vec<(u64, usize)>> = HashMap::new();
        for line in gold_text.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            if let [record, position, person] = cells.as_slice() {
                let pmid = record.trim_start_matches("pmid:").parse().expect("pmid");
                gold.entry((*person).to_owned())
                    .or_default()
                    .push((pmid, position.parse().expect("position")));
            }
        }
        (roster, gold)
    }

    #[test]
    fn real_roster_authors_are_found_by_family_initial() {
        let corpus =
            crate::pubmed::Corpus::load_all(Path::new("../fixtures")).expect("fixtures load");
        let index = corpus.search_index();
        let (roster, gold) = roster_and_gold();
        let initial = |given: &str| given.chars().next().map(String::from).unwrap_or_default();
        // Particles, diacritics, a hyphen, an apostrophe, initials-only bylines.
        for person in [
            "hcs-0002", "hcs-0018", "hcs-0083", "hcs-0030", "hcs-0027", "hcs-0087", "hcs-0014",
            "hcs-0064",
        ] {
            let (_, family, given) = roster
                .iter()
                .find(|(id, _, _)| id == person)
                .expect("on the roster");
            let term = format!("{family} {}[au]", initial(given));
            let found = index.search(&parse(&term).expect("parses"), None).pmids;
            for (pmid, _) in &gold[person] {
                assert!(
                    found.contains(pmid),
                    "{term} misses pmid {pmid} (found {found:?})"
                );
            }
            let first = format!("{family} {}[1au]", initial(given));
            let firsts = index.search(&parse(&first).expect("parses"), None).pmids;
            for (pmid, position) in &gold[person] {
                assert_eq!(
                    firsts.contains(pmid),
                    *position == 1,
                    "{first} and pmid {pmid}"
                );
            }
        }
        // Over the whole gold set, "Family I"[au] alone finds nearly every authorship.
        let mut total = 0;
        let mut found = 0;
        for (person, rows) in &gold {
            let Some((_, family, given)) = roster.iter().find(|(id, _, _)| id == person) else {
                continue;
            };
            let term = format!("{family} {}[au]", initial(given));
            let pmids = index.search(&parse(&term).expect("parses"), None).pmids;
            total += rows.len();
            found += rows.iter().filter(|(pmid, _)| pmids.contains(pmid)).count();
        }
        eprintln!("\"Family I\"[au] finds {found} of {total} gold authorships");
        assert!(
            found * 100 >= total * 95,
            "{found} of {total} gold authorships found"
        );
    }
}
