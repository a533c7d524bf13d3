//! Mapping a canonical record to the tantivy document that indexes it.

use tantivy::TantivyDocument;

use super::schema::Fields;
use crate::records::{Publication, Record};

/// Builds the document for `record`; the record itself is stored as JSON.
pub fn to_document(fields: &Fields, record: &Record) -> serde_json::Result<TantivyDocument> {
    let mut document = TantivyDocument::default();
    document.add_text(fields.id, record.id());
    document.add_text(fields.record, serde_json::to_string(record)?);
    match record {
        Record::Publication(publication) => add_publication(fields, publication, &mut document),
    }
    Ok(document)
}

fn add_publication(fields: &Fields, publication: &Publication, document: &mut TantivyDocument) {
    document.add_text(fields.record_type, "publication");
    document.add_text(fields.title, &publication.title);
    if let Some(vernacular) = &publication.vernacular_title {
        document.add_text(fields.title, vernacular);
    }
    if let Some(r#abstract) = &publication.r#abstract {
        for section in &r#abstract.sections {
            document.add_text(fields.r#abstract, &section.text);
        }
    }
    for heading in &publication.mesh {
        document.add_text(fields.mesh, &heading.descriptor);
        for qualifier in &heading.qualifiers {
            document.add_text(fields.mesh, &qualifier.name);
        }
    }
    for keyword in &publication.keywords {
        document.add_text(fields.keywords, &keyword.text);
    }
    for person in publication.authors.iter().chain(&publication.investigators) {
        document.add_text(fields.author, person.display_name());
        if let Some(orcid) = &person.orcid {
            document.add_text(fields.orcid, orcid);
        }
        for affiliation in &person.affiliations {
            document.add_text(fields.affiliation, affiliation);
        }
    }
    if let Some(journal) = &publication.journal {
        document.add_text(fields.journal, &journal.title);
        if let Some(abbreviation) = &journal.iso_abbreviation {
            document.add_text(fields.journal, abbreviation);
        }
        if !journal.title.is_empty() {
            document.add_text(fields.journal_exact, &journal.title);
        }
    }
    document.add_u64(fields.year, u64::from(publication.published.year));
    for publication_type in &publication.publication_types {
        document.add_text(fields.publication_type, publication_type);
    }
    for provenance in &publication.provenance {
        document.add_text(fields.source, &provenance.source);
    }
    let identifiers = &publication.identifiers;
    for (field, value) in [
        (fields.pmid, &identifiers.pmid),
        (fields.doi, &identifiers.doi),
        (fields.pmcid, &identifiers.pmcid),
    ] {
        if let Some(value) = value {
            document.add_text(field, value);
        }
    }
}
