//! Mapping a canonical record to the tantivy document that indexes it.

use tantivy::schema::Field;
use tantivy::TantivyDocument;

use super::schema::Fields;
use crate::merge::{match_keys, probe_term, Identifier, MatchKey};
use hcs_model::ids::grant_reference_term;
use hcs_model::records::{Grant, Publication, Record};
use hcs_model::tags::{Band, SlotTag, Tier};

/// Builds the document for `record` (the merge of `versions`); the record and
/// its versions are stored as JSON, and every version's match keys are indexed
/// so a later arrival carrying any of them finds this record.
pub fn to_document(
    fields: &Fields,
    record: &Record,
    versions: &[Record],
) -> serde_json::Result<TantivyDocument> {
    let mut document = TantivyDocument::default();
    document.add_text(fields.id, record.id());
    document.add_text(fields.record, serde_json::to_string(record)?);
    // A record with one version is its own version: storing it twice would
    // double the document store for the common case.
    if !(versions.len() == 1 && versions[0] == *record) {
        document.add_text(fields.versions, serde_json::to_string(versions)?);
    }
    for provenance in record.provenance() {
        document.add_text(fields.source, &provenance.source);
    }
    let mut keys: Vec<MatchKey> = versions.iter().flat_map(match_keys).collect();
    keys.extend(match_keys(record));
    keys.sort();
    keys.dedup();
    if let Some(field) = fields.merge_probe {
        for key in &keys {
            for identifier in Identifier::ALL {
                if let Some(term) = probe_term(key, identifier, identifier.of(record)) {
                    document.add_text(field, term);
                }
            }
        }
    }
    for key in keys {
        match key {
            MatchKey::Id(_) => {}
            MatchKey::Pmid(value) => document.add_text(fields.pmid, value),
            MatchKey::Doi(value) => document.add_text(fields.doi, value),
            MatchKey::Pmcid(value) => document.add_text(fields.pmcid, value),
            MatchKey::Title(value) => document.add_text(fields.match_key, value),
            MatchKey::Version(value) => document.add_text(fields.version_key, value),
        }
    }
    match record {
        Record::Publication(publication) => add_publication(fields, publication, &mut document),
        Record::Grant(grant) => add_grant(fields, grant, &mut document),
    }
    Ok(document)
}

/// Adds a record's tags: stored whole, and what search filters on indexed —
/// `hcs` (`roster` for an accepted roster match, `inferred` for a possible
/// HCS), the accepted roster people, the counted people's disciplines,
/// divisions, organisations and roles, and the band of every roster match
/// shown (so curators can list what awaits review).
pub fn add_tags(
    fields: &Fields,
    tags: &[SlotTag],
    document: &mut TantivyDocument,
) -> serde_json::Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    document.add_text(fields.tags, serde_json::to_string(tags)?);
    let mut seen = std::collections::BTreeSet::new();
    let mut add = |field, value: &str| {
        if seen.insert((field, value.to_owned())) {
            document.add_text(field, value);
        }
    };
    for slot in tags {
        let tag = &slot.tag;
        match (tag.tier, tag.band) {
            (Tier::Roster, Band::Accept) => add(fields.hcs_band, "accept"),
            (Tier::Roster, Band::Review) => add(fields.hcs_band, "review"),
            _ => {}
        }
        let Some(kind) = tag.counted_as() else {
            continue;
        };
        add(fields.hcs, kind);
        let values = [
            (fields.hcs_person, tag.person_id.as_deref()),
            (fields.hcs_discipline, tag.discipline.as_deref()),
            (fields.hcs_division, tag.division.as_deref()),
            (
                fields.hcs_organisation,
                tag.organisation.as_ref().map(|o| o.name.as_str()),
            ),
        ];
        for (field, value) in values {
            if let Some(value) = value {
                add(field, value);
            }
        }
        let roles = tag.role.filter_terms();
        for &role in &roles {
            add(fields.hcs_role, role);
        }
        let organisation = tag.organisation.as_ref().map(|o| o.name.as_str());
        for role in std::iter::once("any").chain(roles) {
            add(fields.hcs_person_facts, &person_fact(kind, role, None));
            for dimension in [
                ("organisation", organisation),
                ("division", tag.division.as_deref()),
                ("discipline", tag.discipline.as_deref()),
            ] {
                if let (name, Some(value)) = dimension {
                    add(
                        fields.hcs_person_facts,
                        &person_fact(kind, role, Some((name, value))),
                    );
                }
            }
        }
    }
    Ok(())
}

/// The `hcs_person_facts` term for a counted person of tier `tier` (`roster`,
/// `inferred`) with `role` (or `any`), and optionally a group `(dimension, value)`.
pub fn person_fact(tier: &str, role: &str, group: Option<(&str, &str)>) -> String {
    match group {
        Some((dimension, value)) => format!("{tier}|{role}|{dimension}={value}"),
        None => format!("{tier}|{role}|"),
    }
}

fn add_publication(fields: &Fields, publication: &Publication, document: &mut TantivyDocument) {
    document.add_text(fields.record_type, "publication");
    add_searchable(document, fields.title, &publication.title);
    if let Some(vernacular) = &publication.vernacular_title {
        add_searchable(document, fields.title, vernacular);
    }
    if let Some(r#abstract) = &publication.r#abstract {
        for section in &r#abstract.sections {
            add_searchable(document, fields.r#abstract, &section.text);
        }
    }
    for heading in &publication.mesh {
        add_searchable(document, fields.mesh, &heading.descriptor);
        for qualifier in &heading.qualifiers {
            add_searchable(document, fields.mesh, &qualifier.name);
        }
    }
    for keyword in &publication.keywords {
        add_searchable(document, fields.keywords, &keyword.text);
    }
    for person in publication.authors.iter().chain(&publication.investigators) {
        add_searchable(document, fields.author, person.display_name());
        if let Some(orcid) = &person.orcid {
            document.add_text(fields.orcid, orcid);
        }
        for affiliation in &person.affiliations {
            add_searchable(document, fields.affiliation, affiliation);
        }
    }
    if let Some(journal) = &publication.journal {
        add_searchable(document, fields.journal, &journal.title);
        if let Some(abbreviation) = &journal.iso_abbreviation {
            add_searchable(document, fields.journal, abbreviation);
        }
        if !journal.title.is_empty() {
            document.add_text(fields.journal_exact, &journal.title);
        }
    }
    if let Some(published) = &publication.published {
        document.add_u64(fields.year, u64::from(published.year));
    }
    for publication_type in &publication.publication_types {
        document.add_text(fields.publication_type, publication_type);
    }
    let mut agencies = std::collections::BTreeSet::new();
    for grant in &publication.grants {
        if let Some(id) = &grant.id {
            document.add_text(fields.grant_reference, grant_reference_term(id));
        }
        // The funders a publication acknowledges, as the metrics group them.
        if let Some(agency) = &grant.agency {
            if agencies.insert(agency.as_str()) {
                document.add_text(fields.funder, agency);
            }
        }
    }
}

fn add_grant(fields: &Fields, grant: &Grant, document: &mut TantivyDocument) {
    document.add_text(fields.record_type, "grant");
    add_searchable(document, fields.title, &grant.title);
    if let Some(r#abstract) = &grant.r#abstract {
        add_searchable(document, fields.r#abstract, r#abstract);
    }
    document.add_text(fields.funder, &grant.funder);
    document.add_text(
        fields.grant_reference,
        grant_reference_term(&grant.reference),
    );
    if let Some(programme) = &grant.programme {
        document.add_text(fields.publication_type, programme);
    }
    for person in &grant.people {
        add_searchable(document, fields.author, person.display_name());
        if let Some(orcid) = &person.orcid {
            document.add_text(fields.orcid, orcid);
        }
        if let Some(organisation) = &person.organisation {
            add_searchable(document, fields.affiliation, &organisation.name);
        }
    }
    if let Some(lead) = &grant.lead_organisation {
        add_searchable(document, fields.affiliation, &lead.name);
    }
    let year = grant
        .start
        .as_deref()
        .and_then(|start| start.get(..4)?.parse::<u64>().ok());
    if let Some(year) = year {
        document.add_u64(fields.year, year);
    }
}

/// Adds searchable text with any e-mail address replaced, so that no query
/// can confirm an address (the stored record keeps what tagging needs).
fn add_searchable(document: &mut TantivyDocument, field: Field, text: impl AsRef<str>) {
    document.add_text(field, hcs_model::redact::redact_addresses(text.as_ref()));
}
