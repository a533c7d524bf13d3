//! The event loop that turns PubMed XML into [`Publication`]s.
//!
//! The parser keeps a stack of the open elements and decides what an element
//! means from its parent and grandparent, because PubMed reuses names in
//! different places: a `PMID` inside `CommentsCorrections` is a cited work,
//! and an `ArticleIdList` inside `ReferenceList` holds a cited work's ids,
//! never this record's. Text of elements we keep is gathered from all
//! descendants, so inline markup (`<i>`, `<sup>`, MathML) loses its tags but
//! keeps its text.

use std::io::BufRead;
use std::mem;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::dates::DateParts;
use super::skip::{self, Lookahead};
use super::{PubmedError, PubmedItem};
use crate::affiliation::split_email;
use crate::xml::{attribute, attribute_value, resolve_reference, yes_no_attribute, TextBuffer};
use hcs_model::ids;
use hcs_model::records::{
    Abstract, AbstractSection, Author, GrantReference, Identifiers, Journal, Keyword, MeshHeading,
    MeshQualifier, OtherIdentifier, Provenance, Publication, PublicationDate, PublicationKind,
};

/// Elements the parser gives meaning to; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    PubmedArticleSet,
    MedlineCitationSet,
    PubmedArticle,
    PubmedBookArticle,
    MedlineCitation,
    BookDocument,
    Book,
    PubmedData,
    PubmedBookData,
    DeleteCitation,
    Pmid,
    Article,
    Journal,
    JournalIssue,
    Pagination,
    Abstract,
    AuthorList,
    Author,
    InvestigatorList,
    Investigator,
    AffiliationInfo,
    GrantList,
    Grant,
    PublicationTypeList,
    MeshHeading,
    KeywordList,
    ArticleIdList,
    MedlineJournalInfo,
    DateContainer,
    Other,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "PubmedArticleSet" => Tag::PubmedArticleSet,
            "MedlineCitationSet" => Tag::MedlineCitationSet,
            "PubmedArticle" => Tag::PubmedArticle,
            "PubmedBookArticle" => Tag::PubmedBookArticle,
            "MedlineCitation" => Tag::MedlineCitation,
            "BookDocument" => Tag::BookDocument,
            "Book" => Tag::Book,
            "PubmedData" => Tag::PubmedData,
            "PubmedBookData" => Tag::PubmedBookData,
            "DeleteCitation" => Tag::DeleteCitation,
            "PMID" => Tag::Pmid,
            "Article" => Tag::Article,
            "Journal" => Tag::Journal,
            "JournalIssue" => Tag::JournalIssue,
            "Pagination" => Tag::Pagination,
            "Abstract" => Tag::Abstract,
            "AuthorList" => Tag::AuthorList,
            "Author" => Tag::Author,
            "InvestigatorList" => Tag::InvestigatorList,
            "Investigator" => Tag::Investigator,
            "AffiliationInfo" => Tag::AffiliationInfo,
            "GrantList" => Tag::GrantList,
            "Grant" => Tag::Grant,
            "PublicationTypeList" => Tag::PublicationTypeList,
            "MeshHeading" => Tag::MeshHeading,
            "KeywordList" => Tag::KeywordList,
            "ArticleIdList" => Tag::ArticleIdList,
            "MedlineJournalInfo" => Tag::MedlineJournalInfo,
            "PubDate" | "ArticleDate" | "PubMedPubDate" | "DateCompleted" | "DateCreated"
            | "ContributionDate" => Tag::DateContainer,
            _ => Tag::Other,
        }
    }

    fn is_person(self) -> bool {
        matches!(self, Tag::Author | Tag::Investigator)
    }
}

/// Where captured text goes when its element closes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Pmid,
    DeletedPmid,
    ArticleTitle,
    VernacularTitle,
    BookTitle,
    AbstractText,
    Copyright,
    JournalTitle,
    IsoAbbreviation,
    Issn,
    Volume,
    Issue,
    Pages,
    MedlineTa,
    ElocationDoi,
    PersonPart(PersonPart),
    Orcid,
    Affiliation,
    ArticleAffiliation,
    Language,
    GrantPart(GrantPart),
    PublicationType,
    DatePart(DateField),
    Descriptor,
    Qualifier,
    Keyword,
    ArticleId(String),
    OtherId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PersonPart {
    Family,
    Given,
    Initials,
    Suffix,
    Collective,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GrantPart {
    Id,
    Acronym,
    Agency,
    Country,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateField {
    Year,
    Month,
    Day,
    Season,
    MedlineDate,
}

/// Which date of the record a date element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateSlot {
    Published,
    Electronic,
    Entrez,
    Completed,
    Created,
    Contribution,
}

/// Which list an author element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PersonList {
    Byline,
    BookByline,
    Investigators,
    Ignored,
}

/// The record being read, before it is checked and mapped.
#[derive(Debug, Default)]
struct RecordBuilder {
    kind: PublicationKind,
    pmid: Option<String>,
    status: Option<String>,
    title: String,
    book_title: String,
    vernacular_title: Option<String>,
    abstract_sections: Vec<AbstractSection>,
    section_label: Option<String>,
    section_category: Option<String>,
    copyright: Option<String>,
    journal: Journal,
    medline_ta: Option<String>,
    dates: [Option<PublicationDate>; 6],
    current_date: Option<(Option<DateSlot>, DateParts)>,
    publication_types: Vec<String>,
    mesh: Vec<MeshHeading>,
    current_mesh: Option<MeshHeading>,
    keywords: Vec<Keyword>,
    keyword_major: bool,
    languages: Vec<String>,
    grants: Vec<GrantReference>,
    current_grant: Option<GrantReference>,
    authors: Vec<Author>,
    book_authors: Vec<Author>,
    investigators: Vec<Author>,
    author_list: Option<PersonList>,
    current_person: Option<(PersonList, Author)>,
    article_affiliation: Option<String>,
    identifiers: Identifiers,
    elocation_doi: Option<String>,
    other_ids: Vec<String>,
}

/// Open capture: the stack depth of the element whose text is being gathered.
#[derive(Debug)]
struct Capture {
    depth: usize,
    target: Target,
}

/// Streaming PubMed parser: an iterator of records (see the module docs).
pub struct PubmedParser<R: BufRead> {
    reader: Reader<Lookahead<R>>,
    buf: Vec<u8>,
    location: String,
    fetched_at: String,
    stack: Vec<Tag>,
    root_seen: bool,
    root_closed: bool,
    finished: bool,
    record: Option<RecordBuilder>,
    record_start: u64,
    last_good_pmid: Option<String>,
    text: TextBuffer,
    capture: Option<Capture>,
    deleted: Option<Vec<String>>,
    root_name: String,
    items_seen: u64,
    legacy_citation_depth: Option<usize>,
    skip_buf: Vec<u8>,
}

impl<R: BufRead> std::fmt::Debug for PubmedParser<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubmedParser")
            .field("location", &self.location)
            .field("last_good_pmid", &self.last_good_pmid)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> PubmedParser<R> {
    /// Creates a parser over `input`; `location` names it in provenance and errors.
    pub fn new(input: R, location: String) -> Self {
        let mut reader = Reader::from_reader(Lookahead::new(input));
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            location,
            fetched_at: hcs_model::clock::now_rfc3339(),
            stack: Vec::with_capacity(32),
            root_seen: false,
            root_closed: false,
            finished: false,
            record: None,
            record_start: 0,
            last_good_pmid: None,
            text: TextBuffer::default(),
            capture: None,
            deleted: None,
            root_name: String::new(),
            items_seen: 0,
            legacy_citation_depth: None,
            skip_buf: Vec::new(),
        }
    }

    /// Sets the time recorded as `fetched_at` in each record's provenance.
    pub fn with_fetched_at(mut self, fetched_at: String) -> Self {
        self.fetched_at = fetched_at;
        self
    }

    /// PMID of the last record read completely.
    pub fn last_good_pmid(&self) -> Option<&str> {
        self.last_good_pmid.as_deref()
    }

    /// Reads one event; returns an item when one is complete.
    fn step(&mut self, buf: &mut Vec<u8>) -> Option<Result<PubmedItem, PubmedError>> {
        buf.clear();
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(error) => return Some(Err(self.fail_with_xml_error(error))),
        };
        match event {
            Event::Start(element) if self.record.is_some() => {
                match skipped_subtree(element.name().as_ref()) {
                    // Cited works, corrections, chemicals: large, and nothing
                    // of this record's own, so not even parsed (see `skip`).
                    Some(name) => skip::skip_subtree(&mut self.reader, name, &mut self.skip_buf)
                        .err()
                        .map(|error| Err(self.fail_with_xml_error(error))),
                    None => self.on_start(&element).err().map(Err),
                }
            }
            Event::Start(element) => self.on_start(&element).err().map(Err),
            Event::Empty(element) => {
                if let Err(error) = self.on_start(&element) {
                    return Some(Err(error));
                }
                self.on_end()
            }
            Event::End(_) => self.on_end(),
            // No end-of-line normalisation: the text buffer turns every
            // run of whitespace, `\r` included, into one space anyway.
            Event::Text(text) => {
                if self.capture.is_some() {
                    self.text.push_str(&text);
                }
                None
            }
            Event::CData(data) => {
                if self.capture.is_some() {
                    self.text.push_str(&data);
                }
                None
            }
            Event::GeneralRef(reference) => {
                if self.capture.is_some() {
                    self.text.push_str(&resolve_reference(&reference));
                }
                None
            }
            Event::Eof => self.on_eof().map(Err),
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => None,
        }
    }

    fn fail_with_xml_error(&mut self, error: quick_xml::Error) -> PubmedError {
        self.finished = true;
        let truncated = matches!(
            &error,
            quick_xml::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof
        ) || matches!(
            &error,
            quick_xml::Error::IllFormed(quick_xml::errors::IllFormedError::MissingEndTag(_))
        );
        // A syntax error has its own position; an I/O error (a gzip stream
        // cut short) happens where reading stopped.
        let offset = match &error {
            quick_xml::Error::Io(_) => self.reader.buffer_position(),
            _ => self.reader.error_position(),
        };
        let message = match &self.record {
            Some(record) => format!(
                "{error} (inside the record starting at byte {}{})",
                self.record_start,
                record
                    .pmid
                    .as_ref()
                    .map(|pmid| format!(", PMID {pmid}"))
                    .unwrap_or_default()
            ),
            None => error.to_string(),
        };
        if truncated {
            PubmedError::Truncated {
                location: self.location.clone(),
                offset,
                last_good_pmid: self.last_good_pmid.clone(),
                message,
            }
        } else {
            PubmedError::Malformed {
                location: self.location.clone(),
                offset,
                last_good_pmid: self.last_good_pmid.clone(),
                message,
            }
        }
    }

    fn on_eof(&mut self) -> Option<PubmedError> {
        self.finished = true;
        if !self.root_seen {
            return Some(PubmedError::NotPubmed {
                location: self.location.clone(),
                reason: "the document has no root element".to_owned(),
            });
        }
        if self.root_closed {
            return None;
        }
        // quick-xml reports a clean EOF on a document cut short, so the
        // closing root tag is the only proof the input is complete.
        let open = self
            .stack
            .last()
            .map(|tag| format!("{tag:?}"))
            .unwrap_or_else(|| "the root".to_owned());
        Some(PubmedError::Truncated {
            location: self.location.clone(),
            offset: self.reader.buffer_position(),
            last_good_pmid: self.last_good_pmid.clone(),
            message: format!(
                "the input ends with {} element(s) still open (innermost: {open}){}",
                self.stack.len(),
                if self.record.is_some() {
                    format!(
                        "; the record starting at byte {} is incomplete",
                        self.record_start
                    )
                } else {
                    String::new()
                }
            ),
        })
    }

    /// A closed root that is not PubMed's and held no PubMed record is another document.
    fn unrecognised_root(&self) -> Option<PubmedError> {
        let known_root = matches!(
            Tag::from_name(&self.root_name),
            Tag::PubmedArticleSet
                | Tag::MedlineCitationSet
                | Tag::PubmedArticle
                | Tag::PubmedBookArticle
        );
        (self.items_seen == 0 && !known_root).then(|| PubmedError::NotPubmed {
            location: self.location.clone(),
            reason: format!(
                "root element <{}> holds no PubmedArticle, PubmedBookArticle or MedlineCitation",
                self.root_name
            ),
        })
    }

    fn on_start(&mut self, element: &BytesStart<'_>) -> Result<(), PubmedError> {
        let name = element.name();
        let tag = Tag::from_name(name.as_ref());
        let parent = self.stack.last().copied();
        let grandparent = self.stack.len().checked_sub(2).map(|i| self.stack[i]);

        if !self.root_seen {
            self.root_seen = true;
            // Saved exports sometimes wrap the records in a home-made root
            // (`<RAW_DATA>`); such a root is accepted, and judged at the end
            // by whether it held any PubMed record.
            self.root_name = name.as_ref().to_owned();
        }
        self.stack.push(tag);
        let depth = self.stack.len();

        match tag {
            Tag::PubmedArticle | Tag::PubmedBookArticle => {
                self.begin_record(if tag == Tag::PubmedBookArticle {
                    PublicationKind::Book
                } else {
                    PublicationKind::Article
                });
            }
            Tag::MedlineCitation => {
                // Outside a PubmedArticle it is a legacy MedlineCitationSet record.
                if self.record.is_none() {
                    self.legacy_citation_depth = Some(depth);
                    self.begin_record(PublicationKind::Article);
                }
                if let Some(record) = &mut self.record {
                    record.status = attribute(element, "Status");
                }
            }
            Tag::DeleteCitation => self.deleted = Some(Vec::new()),
            _ => {}
        }

        if tag == Tag::Pmid && parent == Some(Tag::DeleteCitation) {
            self.start_capture(depth, Target::DeletedPmid);
            return Ok(());
        }
        let Some(record) = &mut self.record else {
            return Ok(());
        };
        if self.capture.is_some() {
            // Inside text we are already gathering: inline markup only.
            return Ok(());
        }
        let target = match (tag, parent) {
            (Tag::Pmid, Some(Tag::MedlineCitation | Tag::BookDocument)) => Some(Target::Pmid),
            (Tag::AuthorList, _) => {
                let editors = attribute_value(element, "Type").is_some_and(|t| t == "editors");
                record.author_list = Some(match parent {
                    _ if editors => PersonList::Ignored,
                    Some(Tag::Article | Tag::BookDocument) => PersonList::Byline,
                    Some(Tag::Book) => PersonList::BookByline,
                    _ => PersonList::Ignored,
                });
                None
            }
            (Tag::InvestigatorList, _) => {
                record.author_list = Some(match parent {
                    Some(Tag::MedlineCitation | Tag::BookDocument) => PersonList::Investigators,
                    _ => PersonList::Ignored,
                });
                None
            }
            (Tag::Author, Some(Tag::AuthorList))
            | (Tag::Investigator, Some(Tag::InvestigatorList)) => {
                let list = record.author_list.unwrap_or(PersonList::Ignored);
                let person = Author {
                    valid: yes_no_attribute(element, "ValidYN", true),
                    equal_contribution: yes_no_attribute(element, "EqualContrib", false),
                    ..Author::default()
                };
                record.current_person = Some((list, person));
                None
            }
            (Tag::Grant, Some(Tag::GrantList)) => {
                record.current_grant = Some(GrantReference::default());
                None
            }
            (Tag::MeshHeading, _) => {
                record.current_mesh = Some(MeshHeading::default());
                None
            }
            (Tag::DateContainer, _) => {
                let slot = date_slot(name.as_ref(), element, parent);
                record.current_date = Some((slot, DateParts::default()));
                None
            }
            (Tag::Other, Some(parent_tag)) => {
                other_target(name.as_ref(), element, parent_tag, grandparent, record)
            }
            _ => None,
        };
        if let Some(target) = target {
            self.start_capture(depth, target);
        }
        Ok(())
    }

    fn start_capture(&mut self, depth: usize, target: Target) {
        self.text.clear();
        self.capture = Some(Capture { depth, target });
    }

    fn begin_record(&mut self, kind: PublicationKind) {
        self.record = Some(RecordBuilder {
            kind,
            ..RecordBuilder::default()
        });
        self.capture = None;
        self.record_start = self.reader.buffer_position();
    }

    fn on_end(&mut self) -> Option<Result<PubmedItem, PubmedError>> {
        let depth = self.stack.len();
        let tag = self.stack.pop()?;

        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            if let Some(capture) = self.capture.take() {
                // The text is copied out at its exact size where it is kept;
                // the buffer keeps its capacity for the next element.
                let text = self.text.as_str();
                if capture.target == Target::DeletedPmid {
                    if let (Some(deleted), Some(pmid)) =
                        (&mut self.deleted, ids::normalize_pmid(text))
                    {
                        deleted.push(pmid);
                    }
                } else if let Some(record) = &mut self.record {
                    apply_text(record, capture.target, text);
                }
                self.text.clear();
            }
        }

        if self.stack.is_empty() {
            self.root_closed = true;
            self.finished = true;
            if let Some(error) = self.unrecognised_root() {
                return Some(Err(error));
            }
        }

        match tag {
            Tag::PubmedArticle | Tag::PubmedBookArticle => self.finish_record(),
            Tag::MedlineCitation if self.legacy_citation_depth == Some(depth) => {
                self.legacy_citation_depth = None;
                self.finish_record()
            }
            Tag::DeleteCitation => {
                self.items_seen += 1;
                self.deleted
                    .take()
                    .filter(|pmids| !pmids.is_empty())
                    .map(|pmids| Ok(PubmedItem::Deleted(pmids)))
            }
            _ => {
                if let Some(record) = &mut self.record {
                    close_structure(record, tag);
                }
                None
            }
        }
    }

    fn finish_record(&mut self) -> Option<Result<PubmedItem, PubmedError>> {
        let record = self.record.take()?;
        self.items_seen += 1;
        Some(
            match build_publication(record, &self.location, &self.fetched_at) {
                Ok(publication) => {
                    self.last_good_pmid = publication.identifiers.pmid.clone();
                    Ok(PubmedItem::Publication(Box::new(publication)))
                }
                Err((pmid, reason)) => Err(PubmedError::InvalidRecord {
                    location: self.location.clone(),
                    offset: self.record_start,
                    record: pmid.map_or_else(|| "no PMID".to_owned(), |p| format!("PMID {p}")),
                    reason,
                }),
            },
        )
    }
}

impl<R: BufRead> Iterator for PubmedParser<R> {
    type Item = Result<PubmedItem, PubmedError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = mem::take(&mut self.buf);
        let item = loop {
            if self.finished {
                break None;
            }
            if let Some(item) = self.step(&mut buf) {
                break Some(item);
            }
        };
        self.buf = buf;
        item
    }
}

/// Subtrees inside a record that hold nothing the record model keeps: the
/// name as a `'static` string when `name` is one.
fn skipped_subtree(name: &str) -> Option<&'static str> {
    const SKIPPED: [&str; 6] = [
        "ReferenceList",
        "CommentsCorrectionsList",
        "ChemicalList",
        "SupplMeshList",
        "GeneSymbolList",
        "Sections",
    ];
    SKIPPED.into_iter().find(|skipped| *skipped == name)
}

/// Decides which date a date container is, from its name, attributes and parent.
fn date_slot(name: &str, element: &BytesStart<'_>, parent: Option<Tag>) -> Option<DateSlot> {
    match name {
        "PubDate" if matches!(parent, Some(Tag::JournalIssue | Tag::Book)) => {
            Some(DateSlot::Published)
        }
        "ArticleDate" => Some(DateSlot::Electronic),
        "PubMedPubDate" => match attribute_value(element, "PubStatus").as_deref() {
            Some("pubmed" | "entrez") => Some(DateSlot::Entrez),
            _ => None,
        },
        "DateCompleted" => Some(DateSlot::Completed),
        "DateCreated" => Some(DateSlot::Created),
        "ContributionDate" => Some(DateSlot::Contribution),
        _ => None,
    }
}

/// Decides whether an element without a structural role carries text we keep.
fn other_target(
    name: &str,
    element: &BytesStart<'_>,
    parent: Tag,
    grandparent: Option<Tag>,
    record: &mut RecordBuilder,
) -> Option<Target> {
    let target = match (name, parent) {
        ("ArticleTitle", Tag::Article | Tag::BookDocument) => Target::ArticleTitle,
        ("VernacularTitle", Tag::Article | Tag::BookDocument) => Target::VernacularTitle,
        ("BookTitle", Tag::Book) => Target::BookTitle,
        ("AbstractText", Tag::Abstract) => {
            record.section_label = attribute(element, "Label").filter(|l| !l.is_empty());
            record.section_category = attribute(element, "NlmCategory").filter(|c| !c.is_empty());
            Target::AbstractText
        }
        ("CopyrightInformation", Tag::Abstract) => Target::Copyright,
        ("Title", Tag::Journal) => Target::JournalTitle,
        ("ISOAbbreviation", Tag::Journal) => Target::IsoAbbreviation,
        ("ISSN", Tag::Journal) => Target::Issn,
        ("Volume", Tag::JournalIssue | Tag::Book) => Target::Volume,
        ("Issue", Tag::JournalIssue) => Target::Issue,
        ("MedlinePgn", Tag::Pagination) => Target::Pages,
        ("MedlineTA", Tag::MedlineJournalInfo) => Target::MedlineTa,
        ("ELocationID", Tag::Article | Tag::Book | Tag::BookDocument) => {
            let is_doi = attribute_value(element, "EIdType").is_some_and(|t| t == "doi");
            if !is_doi || !yes_no_attribute(element, "ValidYN", true) {
                return None;
            }
            Target::ElocationDoi
        }
        ("LastName", p) if p.is_person() => Target::PersonPart(PersonPart::Family),
        ("ForeName" | "FirstName", p) if p.is_person() => Target::PersonPart(PersonPart::Given),
        ("Initials", p) if p.is_person() => Target::PersonPart(PersonPart::Initials),
        ("Suffix", p) if p.is_person() => Target::PersonPart(PersonPart::Suffix),
        ("CollectiveName", p) if p.is_person() => Target::PersonPart(PersonPart::Collective),
        ("Identifier", p) if p.is_person() => {
            let is_orcid =
                attribute_value(element, "Source").is_some_and(|s| s.eq_ignore_ascii_case("ORCID"));
            if !is_orcid {
                return None;
            }
            Target::Orcid
        }
        ("Affiliation", Tag::AffiliationInfo) if grandparent.is_some_and(Tag::is_person) => {
            Target::Affiliation
        }
        ("Affiliation", p) if p.is_person() => Target::Affiliation,
        ("Affiliation", Tag::Article) => Target::ArticleAffiliation,
        ("Language", Tag::Article | Tag::BookDocument) => Target::Language,
        ("GrantID", Tag::Grant) => Target::GrantPart(GrantPart::Id),
        ("Acronym", Tag::Grant) => Target::GrantPart(GrantPart::Acronym),
        ("Agency", Tag::Grant) => Target::GrantPart(GrantPart::Agency),
        ("Country", Tag::Grant) => Target::GrantPart(GrantPart::Country),
        ("PublicationType", Tag::PublicationTypeList | Tag::BookDocument) => {
            Target::PublicationType
        }
        ("Year", Tag::DateContainer) => Target::DatePart(DateField::Year),
        ("Month", Tag::DateContainer) => Target::DatePart(DateField::Month),
        ("Day", Tag::DateContainer) => Target::DatePart(DateField::Day),
        ("Season", Tag::DateContainer) => Target::DatePart(DateField::Season),
        ("MedlineDate", Tag::DateContainer) => Target::DatePart(DateField::MedlineDate),
        ("DescriptorName", Tag::MeshHeading) => {
            if let Some(mesh) = &mut record.current_mesh {
                mesh.major_topic = yes_no_attribute(element, "MajorTopicYN", false);
                mesh.descriptor_ui = attribute(element, "UI");
            }
            Target::Descriptor
        }
        ("QualifierName", Tag::MeshHeading) => {
            if let Some(mesh) = &mut record.current_mesh {
                mesh.qualifiers.push(MeshQualifier {
                    name: String::new(),
                    ui: attribute(element, "UI"),
                    major_topic: yes_no_attribute(element, "MajorTopicYN", false),
                });
            }
            Target::Qualifier
        }
        ("Keyword", Tag::KeywordList) => {
            record.keyword_major = yes_no_attribute(element, "MajorTopicYN", false);
            Target::Keyword
        }
        // The record's own ids, never a cited work's (ReferenceList/Reference/ArticleIdList).
        ("ArticleId", Tag::ArticleIdList)
            if matches!(
                grandparent,
                Some(Tag::PubmedData | Tag::PubmedBookData | Tag::BookDocument)
            ) =>
        {
            Target::ArticleId(attribute(element, "IdType").unwrap_or_default())
        }
        ("OtherID", Tag::MedlineCitation) => Target::OtherId,
        _ => return None,
    };
    Some(target)
}

/// Stores the text of a closed element where it belongs.
fn apply_text(record: &mut RecordBuilder, target: Target, text: &str) {
    match target {
        Target::Pmid => record.pmid = ids::normalize_pmid(text),
        Target::DeletedPmid => {}
        Target::ArticleTitle => record.title = text.to_owned(),
        Target::VernacularTitle => record.vernacular_title = non_empty(text),
        Target::BookTitle => record.book_title = text.to_owned(),
        Target::AbstractText => {
            let label = record.section_label.take();
            let category = record.section_category.take();
            if !text.is_empty() || label.is_some() {
                record.abstract_sections.push(AbstractSection {
                    label,
                    category,
                    text: text.to_owned(),
                });
            }
        }
        Target::Copyright => record.copyright = non_empty(text),
        Target::JournalTitle => record.journal.title = text.to_owned(),
        Target::IsoAbbreviation => record.journal.iso_abbreviation = non_empty(text),
        Target::Issn => {
            if record.journal.issn.is_none() {
                record.journal.issn = non_empty(text);
            }
        }
        Target::Volume => record.journal.volume = non_empty(text),
        Target::Issue => record.journal.issue = non_empty(text),
        Target::Pages => record.journal.pages = non_empty(text),
        Target::MedlineTa => record.medline_ta = non_empty(text),
        Target::ElocationDoi => {
            if record.elocation_doi.is_none() {
                record.elocation_doi = ids::normalize_doi(text);
            }
        }
        Target::PersonPart(part) => {
            if let Some((_, person)) = &mut record.current_person {
                let slot = match part {
                    PersonPart::Family => &mut person.family,
                    PersonPart::Given => &mut person.given,
                    PersonPart::Initials => &mut person.initials,
                    PersonPart::Suffix => &mut person.suffix,
                    PersonPart::Collective => &mut person.collective,
                };
                *slot = non_empty(text);
            }
        }
        Target::Orcid => {
            if let Some((_, person)) = &mut record.current_person {
                if person.orcid.is_none() {
                    person.orcid = ids::normalize_orcid(text);
                }
            }
        }
        Target::Affiliation => {
            if let Some((_, person)) = &mut record.current_person {
                add_affiliation(person, text);
            }
        }
        Target::ArticleAffiliation => record.article_affiliation = non_empty(text),
        Target::Language => {
            if !text.is_empty() {
                record.languages.push(text.to_owned());
            }
        }
        Target::GrantPart(part) => {
            if let Some(grant) = &mut record.current_grant {
                let slot = match part {
                    GrantPart::Id => &mut grant.id,
                    GrantPart::Acronym => &mut grant.acronym,
                    GrantPart::Agency => &mut grant.agency,
                    GrantPart::Country => &mut grant.country,
                };
                *slot = non_empty(text);
            }
        }
        Target::PublicationType => {
            if !text.is_empty() && !record.publication_types.iter().any(|t| t == text) {
                record.publication_types.push(text.to_owned());
            }
        }
        Target::DatePart(field) => {
            if let Some((_, parts)) = &mut record.current_date {
                let slot = match field {
                    DateField::Year => &mut parts.year,
                    DateField::Month => &mut parts.month,
                    DateField::Day => &mut parts.day,
                    DateField::Season => &mut parts.season,
                    DateField::MedlineDate => &mut parts.medline_date,
                };
                *slot = non_empty(text);
            }
        }
        Target::Descriptor => {
            if let Some(mesh) = &mut record.current_mesh {
                mesh.descriptor = text.to_owned();
            }
        }
        Target::Qualifier => {
            if let Some(qualifier) = record
                .current_mesh
                .as_mut()
                .and_then(|m| m.qualifiers.last_mut())
            {
                qualifier.name = text.to_owned();
            }
        }
        Target::Keyword => {
            if !text.is_empty() {
                record.keywords.push(Keyword {
                    text: text.to_owned(),
                    major_topic: mem::take(&mut record.keyword_major),
                });
            }
        }
        Target::ArticleId(kind) => add_article_id(record, &kind, text),
        Target::OtherId => {
            if !text.is_empty() {
                record.other_ids.push(text.to_owned());
            }
        }
    }
}

/// The text, unless it is empty (an element present but blank is absent).
fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Splits any e-mail out of an affiliation and stores both on the person.
fn add_affiliation(person: &mut Author, text: &str) {
    let split = split_email(text);
    if person.email.is_none() {
        person.email = split.email;
    }
    // An affiliation that was nothing but an address leaves no organisation.
    if !split.text.is_empty() {
        person.affiliations.push(split.text);
    }
}

fn add_article_id(record: &mut RecordBuilder, kind: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    let identifiers = &mut record.identifiers;
    match kind {
        "doi" => {
            if identifiers.doi.is_none() {
                identifiers.doi = ids::normalize_doi(value);
            }
        }
        "pmc" | "pmcid" => {
            if identifiers.pmcid.is_none() {
                identifiers.pmcid = ids::normalize_pmcid(value);
            }
        }
        // The record's own PMID, already read from MedlineCitation.
        "pubmed" => {}
        _ => {
            let known = identifiers
                .other
                .iter()
                .any(|other| other.kind == kind && other.value == value);
            if !known {
                identifiers.other.push(OtherIdentifier {
                    kind: kind.to_owned(),
                    value: value.to_owned(),
                });
            }
        }
    }
}

/// Completes the structure an element closes (a person, grant, heading, date).
fn close_structure(record: &mut RecordBuilder, tag: Tag) {
    match tag {
        Tag::Author | Tag::Investigator => {
            if let Some((list, mut person)) = record.current_person.take() {
                let target = match list {
                    PersonList::Byline => &mut record.authors,
                    PersonList::BookByline => &mut record.book_authors,
                    PersonList::Investigators => &mut record.investigators,
                    PersonList::Ignored => return,
                };
                person.position = target.len() as u32 + 1;
                target.push(person);
            }
        }
        Tag::AuthorList | Tag::InvestigatorList => record.author_list = None,
        Tag::Grant => {
            if let Some(grant) = record.current_grant.take() {
                if grant != GrantReference::default() {
                    record.grants.push(grant);
                }
            }
        }
        Tag::MeshHeading => {
            if let Some(mesh) = record.current_mesh.take() {
                if !mesh.descriptor.is_empty() {
                    record.mesh.push(mesh);
                }
            }
        }
        Tag::DateContainer => {
            if let Some((Some(slot), parts)) = record.current_date.take() {
                let index = slot as usize;
                if record.dates[index].is_none() {
                    record.dates[index] = parts.to_publication_date();
                }
            }
        }
        _ => {}
    }
}

/// Checks a finished record and maps it to a [`Publication`].
fn build_publication(
    mut record: RecordBuilder,
    location: &str,
    fetched_at: &str,
) -> Result<Publication, (Option<String>, String)> {
    let Some(pmid) = record.pmid.clone() else {
        return Err((None, "the record has no PMID".to_owned()));
    };
    // The journal issue date is the publication date; when it is missing or
    // has no year, fall back through the other dates PubMed records. A record
    // with none at all (hand-made exports, some publisher feeds) is kept: it
    // counts under "year unknown" rather than vanishing from every total.
    let [published, electronic, entrez, completed, created, contribution] =
        mem::take(&mut record.dates);
    let published = published
        .or(electronic)
        .or(contribution)
        .or(entrez)
        .or(completed)
        .or(created);

    let mut identifiers = mem::take(&mut record.identifiers);
    identifiers.pmid = Some(pmid.clone());
    if identifiers.doi.is_none() {
        identifiers.doi = record.elocation_doi.take();
    }
    if identifiers.pmcid.is_none() {
        // Legacy MEDLINE records carry the PMCID only as OtherID "PMC…",
        // sometimes with an embargo note: "PMC4691190 [AVAILABLE ON 03/03/16]".
        identifiers.pmcid = record
            .other_ids
            .iter()
            .filter(|id| id.starts_with("PMC"))
            .find_map(|id| id.split_whitespace().next().and_then(ids::normalize_pmcid));
    }

    let mut authors = mem::take(&mut record.authors);
    if authors.is_empty() {
        authors = mem::take(&mut record.book_authors);
    }
    // Before 2014 MEDLINE recorded one affiliation per article, the first author's.
    if let (Some(affiliation), Some(first)) =
        (record.article_affiliation.take(), authors.first_mut())
    {
        if first.affiliations.is_empty() {
            add_affiliation(first, &affiliation);
        }
    }

    // The title stays as published: an empty ArticleTitle (the work is only
    // titled in its own language) is not replaced by the vernacular title,
    // which has its own field. A whole-book record is titled by its book.
    let mut title = mem::take(&mut record.title);
    if title.is_empty() && record.kind == PublicationKind::Book {
        title = record.book_title.clone();
    }
    let journal = if record.kind == PublicationKind::Book {
        let mut journal = mem::take(&mut record.journal);
        journal.title = mem::take(&mut record.book_title);
        Some(journal)
    } else {
        let mut journal = mem::take(&mut record.journal);
        if journal.title.is_empty() {
            journal.title = record.medline_ta.take().unwrap_or_default();
        }
        (journal != Journal::default()).then_some(journal)
    };
    let r#abstract =
        (!record.abstract_sections.is_empty() || record.copyright.is_some()).then(|| Abstract {
            sections: mem::take(&mut record.abstract_sections),
            copyright: record.copyright.take(),
        });

    Ok(Publication {
        id: format!("pmid:{pmid}"),
        kind: record.kind,
        identifiers,
        title,
        vernacular_title: record.vernacular_title,
        r#abstract,
        journal,
        published,
        publication_types: record.publication_types,
        mesh: record.mesh,
        keywords: record.keywords,
        languages: record.languages,
        grants: record.grants,
        authors,
        investigators: record.investigators,
        status: record.status,
        provenance: vec![Provenance {
            source: "pubmed".to_owned(),
            location: location.to_owned(),
            fetched_at: fetched_at.to_owned(),
            record_id: Some(format!("pmid:{pmid}")),
        }],
    })
}
