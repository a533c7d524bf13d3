//! Writing tags into the index: every record re-tagged and rewritten with
//! its tags in one commit that keeps the harvest checkpoints.

use serde_json::{json, Value};

use hcs_index::{IndexError, IndexStore, DOCUMENT_LAYOUT, LAYOUT_KEY};
use hcs_model::records::Record;

use super::{Band, Tagger, Tier};

/// What a tagging run stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagSummary {
    /// Records tagged.
    pub records: usize,
    /// Records whose stored document was rewritten: those whose tags changed
    /// (every record when documents are built differently than before).
    pub rewritten: usize,
    /// Roster matches in the accept band.
    pub accepted: usize,
    /// Roster matches for review.
    pub review: usize,
    /// Inferred healthcare scientists.
    pub inferred: usize,
}

/// Tags every record of `store` and stores the tags with it. Takes the
/// index's one writer (so it waits for no one: a running harvest makes it
/// fail), reads under that lock and commits once.
///
/// Every record is tagged afresh (a new record can change who its
/// co-authors are on older ones), but only documents whose tags changed are
/// rewritten: re-indexing a document costs far more than comparing its
/// tags, and after a small ingest almost none change. The index is read in
/// two streaming passes over one snapshot, so memory holds the records once
/// and never their stored documents or source versions all together.
pub fn store_tags(
    store: &IndexStore,
    tagger: &mut Tagger,
    memory_budget_bytes: usize,
    inputs_digest: &str,
) -> Result<TagSummary, IndexError> {
    let mut writer = store.writer(memory_budget_bytes)?;
    // One snapshot for both passes; the writer lock keeps others from committing.
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut records = Vec::new();
    store.for_each_document(&searcher, |document| {
        records.push(what_tagging_reads(store.decode_record(&document)?));
        Ok(())
    })?;
    // The order tagging has always seen: by id.
    records.sort_by(|a, b| a.id().cmp(b.id()));
    let tags = tagger.tag_all(&records);
    let mut summary = TagSummary {
        records: records.len(),
        ..TagSummary::default()
    };
    for slot in tags.iter().flatten() {
        match (slot.tag.tier, slot.tag.band) {
            (Tier::Roster, Band::Accept) => summary.accepted += 1,
            (Tier::Roster, _) => summary.review += 1,
            (Tier::Inferred, _) => summary.inferred += 1,
        }
    }
    let rewrite_all = store.document_layout()? != DOCUMENT_LAYOUT;
    store.for_each_document(&searcher, |document| {
        let id = store.document_id(&document);
        let Ok(index) = records.binary_search_by(|record| record.id().cmp(id)) else {
            return Ok(()); // every id was read in the first pass
        };
        if !rewrite_all && store.decode_tags(&document)? == tags[index] {
            return Ok(());
        }
        let record = store.decode_record(&document)?;
        let versions = store.decode_versions(&document)?;
        summary.rewritten += 1;
        writer.upsert_tagged(&record, &versions, &tags[index])
    })?;
    // Keep the checkpoints; stamp what the tags were computed from. Any later
    // commit (an ingest, a harvest) writes its own payload without the stamp,
    // which is right: its new records are untagged.
    let mut payload = store.commit_payload_fields()?;
    payload.insert(
        TAGS_KEY.into(),
        json!({ "inputs": inputs_digest, "at": hcs_model::clock::now_rfc3339() }),
    );
    payload.insert(LAYOUT_KEY.into(), DOCUMENT_LAYOUT.into());
    writer.commit_with_payload(&Value::Object(payload).to_string())?;
    writer.finish()?;
    Ok(summary)
}

/// A publication cut to what tagging reads: its people, date, identifiers,
/// grant references and title (its subject, see [`crate::topic`]). Its
/// other text (abstract, MeSH, keywords, journal) and provenance are most
/// of a stored record, and holding them for every record of a large index
/// is what would run out of memory.
fn what_tagging_reads(record: Record) -> Record {
    let Record::Publication(mut publication) = record else {
        return record;
    };
    publication.vernacular_title = None;
    publication.r#abstract = None;
    publication.journal = None;
    publication.publication_types = Vec::new();
    publication.mesh = Vec::new();
    publication.keywords = Vec::new();
    publication.languages = Vec::new();
    publication.provenance = Vec::new();
    Record::Publication(publication)
}

/// Where the tag stamp sits in the commit payload.
const TAGS_KEY: &str = "tags";

/// Whether the stored tags are those the current inputs would give.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TagsStatus {
    /// Tagged from the current roster, decisions and reference data, with nothing committed since.
    Current {
        /// When `indexer tag` ran (RFC 3339).
        at: String,
    },
    /// The figures may be out of date; the sentence says why and what to run.
    Stale {
        /// One sentence for people.
        reason: String,
    },
}

impl TagsStatus {
    /// One sentence for a report or page saying how current the figures are.
    pub fn sentence(&self) -> String {
        match self {
            TagsStatus::Current { at } => {
                format!("Tags from the current roster and decisions ({at}).")
            }
            TagsStatus::Stale { reason } => format!("These figures may be out of date: {reason}."),
        }
    }
}

/// Compares the stamp of the last `indexer tag` with `current_inputs`
/// ([`super::workspace::inputs_digest`]).
pub fn tags_status(store: &IndexStore, current_inputs: &str) -> Result<TagsStatus, IndexError> {
    let stamp = store.commit_payload_fields()?.remove(TAGS_KEY);
    let Some(stamp) = stamp else {
        return Ok(TagsStatus::Stale {
            reason: "records were added or changed since the last `indexer tag` (or it never \
                     ran): run `indexer tag` to count them"
                .into(),
        });
    };
    if stamp.get("inputs").and_then(Value::as_str) != Some(current_inputs) {
        return Ok(TagsStatus::Stale {
            reason: "the roster, the curators' decisions or the reference data changed since \
                     the last `indexer tag`: run `indexer tag` (or POST /api/admin/retag)"
                .into(),
        });
    }
    Ok(TagsStatus::Current {
        at: stamp
            .get("at")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    })
}
