//! Merging: the same work (or award) arriving from several sources becomes one record.
//!
//! Each source's version of a record is kept; the merged record is recomputed
//! from the set of versions, taking each field from the most authoritative
//! source that has it. Because the result depends only on the *set* of
//! versions — never on the order they arrived in — harvesting PubMed then
//! Europe PMC gives the same index as the other way round, and re-harvesting
//! a source replaces its version instead of piling up duplicates.
//!
//! Works are matched on PMID, then DOI, then PMCID, then normalised title +
//! year + first author's family name; awards on funder + reference.

use std::collections::BTreeSet;

use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer};

use hcs_model::records::{Author, Grant, Publication, Record};

/// A key under which a record can be found in the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKey {
    /// The stable record id.
    Id(String),
    /// A PubMed id.
    Pmid(String),
    /// A DOI (normalised).
    Doi(String),
    /// A PMCID.
    Pmcid(String),
    /// Normalised title + year + first author (see [`title_key`]).
    Title(String),
    /// One source's version (`<source>|<source record id>`).
    Version(String),
}

/// Where each source ranks when two disagree: lower wins.
pub fn source_rank(source: &str) -> u8 {
    match source {
        "pubmed" => 0,
        "europepmc" => 1,
        "crossref" => 2,
        "gtr" | "nihr" => 3,
        "orcid" => 4,
        source if source.starts_with("oai") => 5,
        _ => 6,
    }
}

/// The key of a source's version of a record: `<source>|<the source's id for it>`.
pub fn version_key(record: &Record) -> String {
    match record.provenance().first() {
        Some(provenance) => format!(
            "{}|{}",
            provenance.source,
            provenance.record_id.as_deref().unwrap_or(record.id())
        ),
        None => format!("unknown|{}", record.id()),
    }
}

/// Every key `record` (one version) may be found under, the version key included.
pub fn match_keys(record: &Record) -> Vec<MatchKey> {
    let mut keys = vec![
        MatchKey::Id(record.id().to_owned()),
        MatchKey::Version(version_key(record)),
    ];
    if let Record::Publication(publication) = record {
        let identifiers = &publication.identifiers;
        keys.extend(identifiers.pmid.clone().map(MatchKey::Pmid));
        keys.extend(identifiers.doi.clone().map(MatchKey::Doi));
        keys.extend(identifiers.pmcid.clone().map(MatchKey::Pmcid));
        keys.extend(title_key(publication).map(MatchKey::Title));
    }
    keys
}

/// True when two records cannot be the same work: both carry a PMID, DOI or
/// PMCID and the values differ. Distinct PubMed records can share a title,
/// year and first author (an erratum, a duplicate publication), so a weak
/// match never overrides a strong identifier.
pub fn conflicts(a: &Record, b: &Record) -> bool {
    let (Record::Publication(a), Record::Publication(b)) = (a, b) else {
        return false;
    };
    let (a, b) = (&a.identifiers, &b.identifiers);
    let differ =
        |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x != y);
    differ(&a.pmid, &b.pmid) || differ(&a.doi, &b.doi) || differ(&a.pmcid, &b.pmcid)
}

/// One of the strong identifiers [`conflicts`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// The PMID.
    Pmid,
    /// The DOI.
    Doi,
    /// The PMCID.
    Pmcid,
}

impl Identifier {
    /// Every identifier, in the order a lookup prefers to narrow on.
    pub const ALL: [Identifier; 3] = [Identifier::Pmid, Identifier::Doi, Identifier::Pmcid];

    fn name(self) -> &'static str {
        match self {
            Identifier::Pmid => "pmid",
            Identifier::Doi => "doi",
            Identifier::Pmcid => "pmcid",
        }
    }

    /// This identifier of `record`; `None` for a grant, which [`conflicts`] with nothing.
    pub fn of(self, record: &Record) -> Option<&str> {
        let Record::Publication(publication) = record else {
            return None;
        };
        let identifiers = &publication.identifiers;
        match self {
            Identifier::Pmid => identifiers.pmid.as_deref(),
            Identifier::Doi => identifiers.doi.as_deref(),
            Identifier::Pmcid => identifiers.pmcid.as_deref(),
        }
    }
}

/// The identifier a lookup for `record` narrows its candidates on: its PMID,
/// else its DOI, else its PMCID. A record [`conflicts`] with every candidate
/// whose merged record has another value of it, so only candidates with the
/// same value or none can merge with it. `None` (no strong identifier, or a
/// grant): every candidate sharing a key can.
pub fn narrowing_identifier(record: &Record) -> Option<(Identifier, &str)> {
    Identifier::ALL
        .into_iter()
        .find_map(|identifier| identifier.of(record).map(|value| (identifier, value)))
}

/// The `merge_probe` term pairing a match key with a merged record's value of
/// `identifier` (`None`: it has none): a lookup asks for exactly the records
/// under `key` whose value it is compatible with, instead of reading them all.
/// `None` for the id and version keys, which name one record anyway.
///
/// Two different pairs may in principle give one term (a key holding the
/// separator): that only adds a candidate, which the full check then drops.
pub fn probe_term(key: &MatchKey, identifier: Identifier, value: Option<&str>) -> Option<String> {
    let (kind, key) = match key {
        MatchKey::Id(_) | MatchKey::Version(_) => return None,
        MatchKey::Pmid(key) => ("pmid", key),
        MatchKey::Doi(key) => ("doi", key),
        MatchKey::Pmcid(key) => ("pmcid", key),
        MatchKey::Title(key) => ("title", key),
    };
    let name = identifier.name();
    Some(match value {
        Some(value) => format!("{kind}\u{1f}{key}\u{1f}{name}\u{1f}={value}"),
        None => format!("{kind}\u{1f}{key}\u{1f}{name}\u{1f}"),
    })
}

/// Lower-cased, accent-folded words of `text`, joined by single spaces.
pub fn fold(text: &str) -> String {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
    }
    ANALYZER.with(|analyzer| {
        let mut analyzer = analyzer.borrow_mut();
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        words.join(" ")
    })
}

/// `title|year|family` for works without shared identifiers; `None` when the
/// title is too short to be distinctive or there is no named first author.
pub fn title_key(publication: &Publication) -> Option<String> {
    let title = fold(&publication.title);
    if title.split(' ').count() < 4 {
        return None;
    }
    let first = publication.authors.first()?;
    let family = fold(first.family.as_deref().or(first.collective.as_deref())?);
    if family.is_empty() {
        return None;
    }
    // Undated records key with an empty year: they merge with each other,
    // never with a dated version whose year might differ from the work's.
    let year = publication
        .published
        .as_ref()
        .map(|date| date.year.to_string())
        .unwrap_or_default();
    Some(format!("{title}|{year}|{family}"))
}

/// Merges the versions of one record into the record the index serves.
///
/// `versions` must be non-empty and all of one kind; a grant mixed into a
/// publication's versions is ignored (the first version decides the kind).
pub fn merge(versions: &[Record]) -> Option<Record> {
    let mut sorted: Vec<&Record> = versions.iter().collect();
    sorted.sort_by_cached_key(|record| {
        let source = record
            .provenance()
            .first()
            .map(|p| p.source.clone())
            .unwrap_or_default();
        (source_rank(&source), version_key(record))
    });
    let (first, rest) = sorted.split_first()?;
    Some(match first {
        Record::Publication(base) => {
            let others = rest.iter().filter_map(|record| match record {
                Record::Publication(publication) => Some(publication.as_ref()),
                Record::Grant(_) => None,
            });
            Record::Publication(Box::new(merge_publications(base, others)))
        }
        Record::Grant(base) => {
            let others = rest.iter().filter_map(|record| match record {
                Record::Grant(grant) => Some(grant.as_ref()),
                Record::Publication(_) => None,
            });
            Record::Grant(Box::new(merge_grants(base, others)))
        }
    })
}

fn fill<T: Clone>(target: &mut Option<T>, source: &Option<T>) {
    if target.is_none() {
        target.clone_from(source);
    }
}

fn fill_vec<T: Clone>(target: &mut Vec<T>, source: &[T]) {
    if target.is_empty() {
        target.extend_from_slice(source);
    }
}

fn merge_publications<'a>(
    base: &Publication,
    others: impl Iterator<Item = &'a Publication>,
) -> Publication {
    let mut merged = base.clone();
    for other in others {
        let ids = &mut merged.identifiers;
        fill(&mut ids.pmid, &other.identifiers.pmid);
        fill(&mut ids.pmcid, &other.identifiers.pmcid);
        fill(&mut ids.doi, &other.identifiers.doi);
        for id in &other.identifiers.other {
            if !ids.other.contains(id) {
                ids.other.push(id.clone());
            }
        }
        if merged.title.is_empty() {
            merged.title.clone_from(&other.title);
        }
        fill(&mut merged.vernacular_title, &other.vernacular_title);
        fill(&mut merged.r#abstract, &other.r#abstract);
        match (&mut merged.journal, &other.journal) {
            (None, Some(journal)) => merged.journal = Some(journal.clone()),
            (Some(mine), Some(theirs)) => {
                fill(&mut mine.iso_abbreviation, &theirs.iso_abbreviation);
                fill(&mut mine.issn, &theirs.issn);
                fill(&mut mine.volume, &theirs.volume);
                fill(&mut mine.issue, &theirs.issue);
                fill(&mut mine.pages, &theirs.pages);
            }
            _ => {}
        }
        match (&mut merged.published, &other.published) {
            (None, theirs) => merged.published = theirs.clone(),
            (Some(mine), Some(theirs)) if mine.year == theirs.year => {
                fill(&mut mine.month, &theirs.month);
                fill(&mut mine.day, &theirs.day);
            }
            _ => {}
        }
        fill_vec(&mut merged.publication_types, &other.publication_types);
        fill_vec(&mut merged.mesh, &other.mesh);
        fill_vec(&mut merged.languages, &other.languages);
        for keyword in &other.keywords {
            let folded = fold(&keyword.text);
            if !merged.keywords.iter().any(|k| fold(&k.text) == folded) {
                merged.keywords.push(keyword.clone());
            }
        }
        for grant in &other.grants {
            let key = grant_ref_key(grant.id.as_deref(), grant.agency.as_deref());
            if !merged
                .grants
                .iter()
                .any(|g| grant_ref_key(g.id.as_deref(), g.agency.as_deref()) == key)
            {
                merged.grants.push(grant.clone());
            }
        }
        merge_authors(&mut merged.authors, &other.authors);
        fill_vec(&mut merged.investigators, &other.investigators);
        fill(&mut merged.status, &other.status);
        merged.provenance.extend(other.provenance.iter().cloned());
    }
    merged.provenance.sort_by(|a, b| {
        (source_rank(&a.source), &a.source, &a.record_id, &a.location).cmp(&(
            source_rank(&b.source),
            &b.source,
            &b.record_id,
            &b.location,
        ))
    });
    merged.provenance.dedup();
    merged.id = publication_id(&merged, &base.id);
    merged
}

/// PMID > DOI > PMCID > the best-ranked version's own id.
fn publication_id(publication: &Publication, fallback: &str) -> String {
    Publication::stable_id(&publication.identifiers, || {
        match &publication.identifiers.pmcid {
            Some(pmcid) => format!("pmcid:{pmcid}"),
            None => fallback.to_owned(),
        }
    })
}

fn grant_ref_key(id: Option<&str>, agency: Option<&str>) -> (String, String) {
    (
        id.map(|id| fold(id).replace(' ', "")).unwrap_or_default(),
        agency.map(fold).unwrap_or_default(),
    )
}

/// Takes the best-ranked byline, filling each author's ORCID, affiliations and
/// e-mail from another source's byline when it lists the same person at the same position.
fn merge_authors(authors: &mut Vec<Author>, others: &[Author]) {
    if authors.is_empty() {
        authors.extend_from_slice(others);
        return;
    }
    if authors.len() != others.len() {
        return;
    }
    for (mine, theirs) in authors.iter_mut().zip(others) {
        let same = match (&mine.family, &theirs.family) {
            (Some(a), Some(b)) => fold(a) == fold(b),
            _ => false,
        };
        if !same {
            continue;
        }
        fill(&mut mine.orcid, &theirs.orcid);
        fill(&mut mine.given, &theirs.given);
        fill(&mut mine.email, &theirs.email);
        fill_vec(&mut mine.affiliations, &theirs.affiliations);
    }
}

fn merge_grants<'a>(base: &Grant, others: impl Iterator<Item = &'a Grant>) -> Grant {
    let mut merged = base.clone();
    for other in others {
        for reference in &other.other_references {
            if !merged.other_references.contains(reference) {
                merged.other_references.push(reference.clone());
            }
        }
        fill(&mut merged.programme, &other.programme);
        if merged.title.is_empty() {
            merged.title.clone_from(&other.title);
        }
        fill(&mut merged.r#abstract, &other.r#abstract);
        if merged.amount.is_none() {
            merged.amount = other.amount;
            merged.currency.clone_from(&other.currency);
        }
        fill(&mut merged.start, &other.start);
        fill(&mut merged.end, &other.end);
        fill(&mut merged.status, &other.status);
        fill(&mut merged.lead_organisation, &other.lead_organisation);
        for organisation in &other.organisations {
            if !merged.organisations.contains(organisation) {
                merged.organisations.push(organisation.clone());
            }
        }
        for person in &other.people {
            let key = (person_key(person), person.role.clone());
            if !merged
                .people
                .iter()
                .any(|p| (person_key(p), p.role.clone()) == key)
            {
                merged.people.push(person.clone());
            }
        }
        merged.provenance.extend(other.provenance.iter().cloned());
    }
    let outputs: BTreeSet<_> = merged
        .outputs
        .iter()
        .map(|link| (format!("{:?}", link.identifiers), link.method))
        .collect();
    if outputs.len() != merged.outputs.len() {
        let mut seen = BTreeSet::new();
        merged
            .outputs
            .retain(|link| seen.insert((format!("{:?}", link.identifiers), link.method)));
    }
    merged.provenance.sort_by(|a, b| {
        (source_rank(&a.source), &a.source, &a.record_id).cmp(&(
            source_rank(&b.source),
            &b.source,
            &b.record_id,
        ))
    });
    merged.provenance.dedup();
    merged
}

fn person_key(person: &hcs_model::records::GrantPerson) -> String {
    if let Some(orcid) = &person.orcid {
        return orcid.clone();
    }
    let name = match (&person.family, &person.given) {
        (Some(family), given) => format!("{} {}", given.as_deref().unwrap_or(""), family),
        (None, _) => person.full_name.clone().unwrap_or_default(),
    };
    fold(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Identifiers, Provenance, PublicationDate};

    fn publication(
        source: &str,
        pmid: Option<&str>,
        doi: Option<&str>,
        orcid: Option<&str>,
    ) -> Record {
        Record::Publication(Box::new(Publication {
            id: pmid.map_or_else(
                || format!("doi:{}", doi.unwrap_or("x")),
                |p| format!("pmid:{p}"),
            ),
            identifiers: Identifiers {
                pmid: pmid.map(str::to_owned),
                doi: doi.map(str::to_owned),
                ..Identifiers::default()
            },
            title: "Audiology services in Wales: a national survey".into(),
            published: Some(PublicationDate {
                year: 2020,
                ..PublicationDate::default()
            }),
            authors: vec![Author {
                position: 1,
                family: Some("Évans".into()),
                orcid: orcid.map(str::to_owned),
                valid: true,
                ..Author::default()
            }],
            provenance: vec![Provenance {
                source: source.into(),
                location: "test".into(),
                fetched_at: "2026-01-01T00:00:00Z".into(),
                record_id: Some(format!("{source}-1")),
            }],
            ..Publication::default()
        }))
    }

    #[test]
    fn merging_is_order_independent_and_fills_gaps() {
        let pubmed = publication("pubmed", Some("1"), None, None);
        let epmc = publication(
            "europepmc",
            Some("1"),
            Some("10.1/x"),
            Some("0000-0002-1825-0097"),
        );
        let a = merge(&[pubmed.clone(), epmc.clone()]).unwrap();
        let b = merge(&[epmc, pubmed]).unwrap();
        assert_eq!(a, b);
        let Record::Publication(merged) = a else {
            panic!()
        };
        assert_eq!(merged.id, "pmid:1");
        assert_eq!(merged.identifiers.doi.as_deref(), Some("10.1/x"));
        assert_eq!(
            merged.authors[0].orcid.as_deref(),
            Some("0000-0002-1825-0097")
        );
        assert_eq!(merged.provenance.len(), 2);
        assert_eq!(merged.provenance[0].source, "pubmed");
    }

    #[test]
    fn title_keys_fold_case_and_accents() {
        let Record::Publication(p) = publication("oai", None, None, None) else {
            panic!()
        };
        assert_eq!(
            title_key(&p).as_deref(),
            Some("audiology services in wales a national survey|2020|evans")
        );
    }
}
