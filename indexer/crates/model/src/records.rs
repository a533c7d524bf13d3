//! The canonical record model every source maps into.
//!
//! These types are the project's contract with analysts: `indexer parse` and
//! `indexer export` print them as JSON Lines, and the index stores them
//! verbatim. Fields are added, never renamed or reshaped, so downstream
//! scripts keep working; optional fields are omitted from JSON when empty.
//!
//! A [`Record`] is either a [`Publication`] or (from the grant sources) a
//! grant; people on either side become `Person` records once the tagging
//! stage exists. Identifiers are normalised on the way in (see
//! [`crate::ids`]), so equal works compare equal across sources.

use serde::{Deserialize, Serialize};

/// A record as stored in the index: the kinds the index can hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record_type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Record {
    /// A journal article, book chapter or other published work.
    Publication(Box<Publication>),
    /// A research award: funder, money, dates, people and their roles, outputs.
    Grant(Box<Grant>),
}

impl Record {
    /// The record's stable id, unique across the index.
    pub fn id(&self) -> &str {
        match self {
            Record::Publication(publication) => &publication.id,
            Record::Grant(grant) => &grant.id,
        }
    }

    /// Where the record came from (one entry per contributing source).
    pub fn provenance(&self) -> &[Provenance] {
        match self {
            Record::Publication(publication) => &publication.provenance,
            Record::Grant(grant) => &grant.provenance,
        }
    }

    /// The title as plain text.
    pub fn title(&self) -> &str {
        match self {
            Record::Publication(publication) => &publication.title,
            Record::Grant(grant) => &grant.title,
        }
    }

    /// The year the record counts under: publication year, or a grant's start year.
    pub fn year(&self) -> Option<u16> {
        match self {
            Record::Publication(publication) => {
                publication.published.as_ref().map(|date| date.year)
            }
            Record::Grant(grant) => grant
                .start
                .as_deref()
                .and_then(|d| d.get(..4)?.parse().ok()),
        }
    }

    /// The name the person in `position` was published under (a byline
    /// position, or a 1-based place in a grant's people); empty when there is none.
    pub fn person_name(&self, position: u32) -> String {
        match self {
            Record::Publication(publication) => publication
                .authors
                .iter()
                .find(|author| author.position == position)
                .map(|author| author.display_name())
                .unwrap_or_default(),
            Record::Grant(grant) => grant
                .people
                .get(position.saturating_sub(1) as usize)
                .map(GrantPerson::display_name)
                .unwrap_or_default(),
        }
    }
}

/// A published work with its authors, subjects, grants and provenance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publication {
    /// Stable id: `pmid:<digits>`, else `doi:<lower-cased doi>`, else `<source>:<source id>`.
    pub id: String,
    /// What kind of work this is in its source (journal article or book/chapter).
    pub kind: PublicationKind,
    /// Every identifier the sources gave, normalised.
    pub identifiers: Identifiers,
    /// Title as plain text: inline markup dropped, its text kept.
    pub title: String,
    /// Title in the original language, when the work is not in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vernacular_title: Option<String>,
    /// Abstract with its labelled sections, if the work has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<Abstract>,
    /// Journal (or book) the work appeared in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<Journal>,
    /// Date of publication, when the source prints any (a date always has a year);
    /// records without one are kept and counted under "year unknown".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PublicationDate>,
    /// Publication types as the source names them (e.g. "Journal Article", "Review").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publication_types: Vec<String>,
    /// MeSH headings with qualifiers and major-topic flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mesh: Vec<MeshHeading>,
    /// Author- or indexer-supplied keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<Keyword>,
    /// Languages of the text (ISO 639-2 codes as PubMed gives them, e.g. "eng").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Funding acknowledged by the work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantReference>,
    /// The byline, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Author>,
    /// Members of group authors (PubMed `InvestigatorList`): collaborators, not byline authors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub investigators: Vec<Author>,
    /// Source status of the citation (e.g. PubMed "MEDLINE", "Publisher").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Where this record came from; several entries once sources are merged.
    pub provenance: Vec<Provenance>,
}

impl Publication {
    /// Derives the stable id from the identifiers: PMID, else DOI, else the fallback.
    pub fn stable_id(identifiers: &Identifiers, fallback: impl FnOnce() -> String) -> String {
        if let Some(pmid) = &identifiers.pmid {
            format!("pmid:{pmid}")
        } else if let Some(doi) = &identifiers.doi {
            format!("doi:{doi}")
        } else {
            fallback()
        }
    }
}

/// The kind of work, as its source classifies it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PublicationKind {
    /// A journal article (PubMed `PubmedArticle`).
    #[default]
    Article,
    /// A book or book chapter (PubMed `PubmedBookArticle`).
    Book,
}

/// Normalised identifiers of a work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identifiers {
    /// PubMed id, digits only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
    /// PubMed Central id, `PMC<digits>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmcid: Option<String>,
    /// DOI, lower-cased, without resolver prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// Any other identifiers (publisher item ids, NIH manuscript ids, …) as `kind` + `value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<OtherIdentifier>,
}

/// An identifier the model has no dedicated field for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtherIdentifier {
    /// The source's name for the identifier type (e.g. "pii", "mid").
    pub kind: String,
    /// The identifier as published.
    pub value: String,
}

/// An abstract: one or more sections, labelled when structured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Abstract {
    /// Sections in order; an unstructured abstract has one unlabelled section.
    pub sections: Vec<AbstractSection>,
    /// Copyright statement attached to the abstract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
}

impl Abstract {
    /// The whole abstract as one plain-text string, labels included ("METHODS: …").
    pub fn text(&self) -> String {
        let mut text = String::new();
        for section in &self.sections {
            if !text.is_empty() {
                text.push('\n');
            }
            if let Some(label) = &section.label {
                text.push_str(label);
                text.push_str(": ");
            }
            text.push_str(&section.text);
        }
        text
    }
}

/// One section of an abstract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbstractSection {
    /// The heading as published (e.g. "PURPOSE").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// NLM's normalised category (BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS, UNASSIGNED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Section text, inline markup dropped.
    pub text: String,
}

/// The venue of a work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Journal {
    /// Full title of the journal or book.
    pub title: String,
    /// ISO abbreviation (e.g. "Restor Neurol Neurosci").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_abbreviation: Option<String>,
    /// ISSN as printed (print or electronic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issn: Option<String>,
    /// Volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// Issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Page range as printed (e.g. "195-210").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<String>,
}

/// A publication date of variable precision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationDate {
    /// Year of publication.
    pub year: u16,
    /// Month 1–12, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    /// Day 1–31, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// Season as printed (e.g. "Spring"), when the source gives one instead of a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<String>,
    /// The date as printed when the source only had free text (PubMed `MedlineDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl PublicationDate {
    /// A date known only to its year.
    pub fn in_year(year: u16) -> Self {
        Self {
            year,
            ..Self::default()
        }
    }
}

/// A MeSH heading: descriptor plus qualifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeshHeading {
    /// Descriptor name (e.g. "Auditory Cortex").
    pub descriptor: String,
    /// Descriptor unique id (e.g. "D001303").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor_ui: Option<String>,
    /// Whether the descriptor itself is a major topic of the work.
    pub major_topic: bool,
    /// Qualifiers (subheadings) attached to the descriptor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<MeshQualifier>,
}

impl MeshHeading {
    /// True when the descriptor or any of its qualifiers is marked major.
    pub fn is_major(&self) -> bool {
        self.major_topic || self.qualifiers.iter().any(|q| q.major_topic)
    }
}

/// A MeSH qualifier (subheading).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeshQualifier {
    /// Qualifier name (e.g. "physiology").
    pub name: String,
    /// Qualifier unique id (e.g. "Q000502").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<String>,
    /// Whether this descriptor/qualifier pair is a major topic.
    pub major_topic: bool,
}

/// A keyword attached to a work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Keyword {
    /// The keyword text.
    pub text: String,
    /// Whether the keyword is marked as a major topic.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub major_topic: bool,
}

/// A grant acknowledged by a publication (PubMed `GrantList`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantReference {
    /// Grant number as published (free text; may be absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Funding agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Agency's institute acronym (e.g. "CA" for NCI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// Agency's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One author (or group author) of a work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    /// 1-based position in the byline (or in the investigator list).
    pub position: u32,
    /// Family name; absent for a group author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Given names as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// Initials as published (e.g. "JR").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// Suffix (e.g. "Jr", "3rd").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Name of a group author (collaboration, consortium, committee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<String>,
    /// ORCID iD, normalised to `0000-0000-0000-000X` and checksum-checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcid: Option<String>,
    /// Every affiliation string, in order, with any e-mail address removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<String>,
    /// E-mail address found in an affiliation: a sign of the corresponding author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Publisher says this author contributed equally with others.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub equal_contribution: bool,
    /// False when the source marks this name as an invalid variant (kept, but not to be matched).
    #[serde(default = "default_true", skip_serializing_if = "Clone::clone")]
    pub valid: bool,
}

fn default_true() -> bool {
    true
}

impl Author {
    /// The name as a reader would write it: "Given Family Suffix", or the group name.
    pub fn display_name(&self) -> String {
        if let Some(collective) = &self.collective {
            return collective.clone();
        }
        let parts = [
            self.given.as_deref().or(self.initials.as_deref()),
            self.family.as_deref(),
            self.suffix.as_deref(),
        ];
        parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// Where a record came from and when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    /// Source system (e.g. "pubmed", "europepmc", "gtr", "nihr", "orcid", "oai:orca").
    pub source: String,
    /// File path or URL the record was read from.
    pub location: String,
    /// When this content was first fetched or read (RFC 3339, UTC); a re-harvest
    /// that finds the record unchanged keeps the earlier time.
    pub fetched_at: String,
    /// The source's own id for the record (Europe PMC `MED:123`, an OAI identifier, a GtR
    /// project GUID, an ORCID put-code), so a later deletion in that source can find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
}

/// A research award, from a funder's open data (UKRI Gateway to Research, NIHR, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    /// Stable id: `grant:<funder key>:<reference>` (see [`Grant::stable_id`]).
    pub id: String,
    /// Funder as published (e.g. "MRC", "EPSRC", "NIHR").
    pub funder: String,
    /// The funder's award reference as published (e.g. "MR/K01577X/1", "NIHR130927").
    pub reference: String,
    /// Other references for the same award (e.g. the GtR project GUID).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_references: Vec<OtherIdentifier>,
    /// Funding programme or scheme (e.g. "Research Grant", "Health Technology Assessment").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    /// Award title as plain text.
    pub title: String,
    /// Abstract as plain text (HTML entities and tags removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<String>,
    /// Amount awarded, in `currency` units (may legitimately be 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// ISO 4217 currency of `amount` (e.g. "GBP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Start date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Status as published (e.g. "Active", "Closed", "Complete", "Contracted").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The organisation that holds the award.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_organisation: Option<Organisation>,
    /// Every other organisation linked to the award, with its published role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<GrantOrganisation>,
    /// People on the award with their published roles, in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<GrantPerson>,
    /// Research outputs linked to the award, each with how the link was made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputLink>,
    /// Where this record came from.
    pub provenance: Vec<Provenance>,
}

impl Grant {
    /// The stable id for a funder + reference pair: both case-folded, spaces removed.
    ///
    /// `("MRC", "MR/K01577X/1")` → `grant:mrc:MR/K01577X/1`.
    pub fn stable_id(funder: &str, reference: &str) -> String {
        let funder: String = funder
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let reference: String = reference
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        format!("grant:{funder}:{reference}")
    }
}

/// An organisation as a source names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    /// Name as published.
    pub name: String,
    /// Department, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The source's id for the organisation (e.g. a GtR organisation GUID, a ROR URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Postcode or city, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// An organisation on a grant with its published role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantOrganisation {
    /// The organisation.
    pub organisation: Organisation,
    /// Role exactly as published (GtR `LEAD_ORG`, `PP_ORG`, `COLLAB_ORG`, …; unknown ones kept).
    pub role: String,
}

/// A person on a grant with the role the funder published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantPerson {
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Given names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// The name exactly as published when the source gives it whole (e.g. "Professor Jane Smith").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// ORCID iD, normalised and checksum-checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcid: Option<String>,
    /// Role exactly as published (GtR `PI_PER`, `COI_PER`, NIHR "Chief Investigator", …).
    pub role: String,
    /// The source's id for the person (e.g. GtR person GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The person's organisation on this award, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
}

impl GrantPerson {
    /// "Given Family" when both are known, else the name as published whole.
    pub fn display_name(&self) -> String {
        match (&self.given, &self.family) {
            (Some(given), Some(family)) => format!("{given} {family}"),
            (None, Some(family)) => family.clone(),
            _ => self.full_name.clone().unwrap_or_default(),
        }
    }
}

/// A link from a grant to a research output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutputLink {
    /// The output's identifiers as the link gave them (normalised).
    pub identifiers: Identifiers,
    /// Title as the link gave it (GtR outcomes carry one), for display before joining.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// How the link was made.
    pub method: LinkMethod,
}

/// How a grant → output link was established.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LinkMethod {
    /// The funder reported the output (GtR outcome / publication).
    #[default]
    GtrOutcome,
    /// The funder's own open data listed it (NIHR).
    Nihr,
    /// The publication's PubMed `GrantList` cites the award reference.
    PubmedGrantList,
    /// The publication's Europe PMC `grantsList` cites the award reference.
    EuropePmcGrantsList,
    /// A curator linked them.
    Manual,
    /// The Network's local grants register lists it (`indexer import grants`).
    LocalRegister,
}

impl LinkMethod {
    /// How the link was made, in words for people.
    pub fn describe(self) -> &'static str {
        match self {
            LinkMethod::GtrOutcome => "reported to UKRI (Gateway to Research)",
            LinkMethod::Nihr => "listed in NIHR Open Data",
            LinkMethod::PubmedGrantList => "the paper cites the award (PubMed grant list)",
            LinkMethod::EuropePmcGrantsList => "the paper cites the award (Europe PMC grants list)",
            LinkMethod::Manual => "linked by a curator",
            LinkMethod::LocalRegister => "listed in the local grants register",
        }
    }
}

/// An employment from an ORCID record, kept for tagging people with their
/// organisations once the index has Person records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    /// The employment's put-code.
    pub put_code: Option<String>,
    /// Organisation name as given.
    pub organisation: String,
    /// Department, if given.
    pub department: Option<String>,
    /// Role title, if given.
    pub role_title: Option<String>,
    /// Start date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub start: Option<String>,
    /// End date (absent while current), same forms.
    pub end: Option<String>,
    /// City of the organisation.
    pub city: Option<String>,
    /// Country code of the organisation (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Disambiguated organisation id (a ROR URL, a Ringgold number, a GRID or FundRef id).
    pub org_id: Option<String>,
    /// Which registry `org_id` is from (`ROR`, `RINGGOLD`, `GRID`, `FUNDREF`).
    pub org_id_source: Option<String>,
}

impl Employment {
    /// The ROR id, when the organisation is disambiguated by ROR.
    pub fn ror(&self) -> Option<&str> {
        self.id_from("ROR")
    }

    /// The Ringgold id, when the organisation is disambiguated by Ringgold.
    pub fn ringgold(&self) -> Option<&str> {
        self.id_from("RINGGOLD")
    }

    fn id_from(&self, registry: &str) -> Option<&str> {
        match (&self.org_id_source, &self.org_id) {
            (Some(source), Some(id)) if source.eq_ignore_ascii_case(registry) => Some(id),
            _ => None,
        }
    }
}
