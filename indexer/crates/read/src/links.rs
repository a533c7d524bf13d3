//! Grant → output links: what a grant produced, and how each link was made.
//!
//! Two kinds of evidence meet here. The funder may report outputs itself (GtR
//! outcomes, stored on the grant as [`OutputLink`]s with their identifiers);
//! and a publication may acknowledge the award (PubMed `GrantList`, Europe PMC
//! `grantsList`), found through the grant reference both sides index. Each
//! link names its method, and an acknowledgement's method is the source whose
//! version of the publication carries it.

use std::collections::BTreeMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, TantivyDocument, Term};

use hcs_index::{IndexError, IndexStore};
use hcs_model::funders::same_funder;
use hcs_model::ids::grant_reference_term;
use hcs_model::records::{Grant, Identifiers, LinkMethod, OutputLink, Record};

/// One output of a grant: the link, and the indexed record it resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantOutput {
    /// The link as made (identifiers, title, method).
    pub link: OutputLink,
    /// Id of the indexed publication the link points at, when it is in the index.
    pub record_id: Option<String>,
}

/// Every output of `grant`: funder-reported links (resolved against the index
/// where possible) and publications acknowledging the grant's reference.
///
/// Sorted by method, then resolved links by record id, then unresolved ones,
/// so the answer is stable.
pub fn grant_outputs(
    store: &IndexStore,
    searcher: &Searcher,
    grant: &Grant,
) -> Result<Vec<GrantOutput>, IndexError> {
    let mut outputs: BTreeMap<(LinkMethod, bool, String), GrantOutput> = BTreeMap::new();
    for link in &grant.outputs {
        let record_id = resolve(store, searcher, &link.identifiers)?;
        let key = record_id
            .clone()
            .unwrap_or_else(|| format!("{:?}", link.identifiers));
        outputs.insert(
            (link.method, record_id.is_none(), key),
            GrantOutput {
                link: link.clone(),
                record_id,
            },
        );
    }
    let reference = grant_reference_term(&grant.reference);
    if !reference.is_empty() {
        let fields = store.fields();
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.grant_reference, &reference),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.record_type, "publication"),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let addresses = searcher
            .search(&query, &DocSetCollector)
            .map_err(|e| store.tantivy_error(e))?;
        for address in addresses {
            let document: TantivyDocument =
                searcher.doc(address).map_err(|e| store.tantivy_error(e))?;
            for version in store.decode_versions(&document)? {
                let Record::Publication(publication) = &version else {
                    continue;
                };
                // References are unique within a funder only: the agency must agree too.
                let acknowledges = publication.grants.iter().any(|acknowledged| {
                    acknowledged
                        .id
                        .as_deref()
                        .is_some_and(|id| grant_reference_term(id) == reference)
                        && same_funder(&grant.funder, acknowledged.agency.as_deref())
                });
                let method = match version.provenance().first().map(|p| p.source.as_str()) {
                    Some("pubmed") => LinkMethod::PubmedGrantList,
                    Some("europepmc") => LinkMethod::EuropePmcGrantsList,
                    _ => continue,
                };
                if !acknowledges {
                    continue;
                }
                let record = store.decode_record(&document)?;
                let Record::Publication(merged) = &record else {
                    continue;
                };
                outputs.insert(
                    (method, false, record.id().to_owned()),
                    GrantOutput {
                        link: OutputLink {
                            identifiers: merged.identifiers.clone(),
                            title: Some(merged.title.clone()),
                            method,
                        },
                        record_id: Some(record.id().to_owned()),
                    },
                );
            }
        }
    }
    Ok(outputs.into_values().collect())
}

/// The id of the indexed publication with these identifiers (PMID, then DOI, then PMCID).
fn resolve(
    store: &IndexStore,
    searcher: &Searcher,
    identifiers: &Identifiers,
) -> Result<Option<String>, IndexError> {
    let fields = store.fields();
    for (field, value) in [
        (fields.pmid, &identifiers.pmid),
        (fields.doi, &identifiers.doi),
        (fields.pmcid, &identifiers.pmcid),
    ] {
        let Some(value) = value else { continue };
        let query = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let addresses = searcher
            .search(&query, &DocSetCollector)
            .map_err(|e| store.tantivy_error(e))?;
        if let Some(address) = addresses.into_iter().next() {
            let document: TantivyDocument =
                searcher.doc(address).map_err(|e| store.tantivy_error(e))?;
            return Ok(Some(store.decode_record(&document)?.id().to_owned()));
        }
    }
    Ok(None)
}
