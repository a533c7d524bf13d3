//! Writing tags into the index: every record re-tagged and rewritten with
//! its tags in one commit that keeps the harvest checkpoints.

use serde_json::{json, Map, Value};

use hcs_index::{IndexError, IndexStore};
use hcs_model::records::Record;

use super::{Band, Tagger, Tier};

/// What a tagging run stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagSummary {
    /// Records rewritten.
    pub records: usize,
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
pub fn store_tags(
    store: &IndexStore,
    tagger: &mut Tagger,
    memory_budget_bytes: usize,
    inputs_digest: &str,
) -> Result<TagSummary, IndexError> {
    let mut writer = store.writer(memory_budget_bytes)?;
    let stored = store.export_with_versions()?;
    let records: Vec<Record> = stored.iter().map(|(record, _)| record.clone()).collect();
    let tags = tagger.tag_all(&records);
    let mut summary = TagSummary {
        records: records.len(),
        ..TagSummary::default()
    };
    for ((record, versions), tags) in stored.iter().zip(&tags) {
        for slot in tags {
            match (slot.tag.tier, slot.tag.band) {
                (Tier::Roster, Band::Accept) => summary.accepted += 1,
                (Tier::Roster, _) => summary.review += 1,
                (Tier::Inferred, _) => summary.inferred += 1,
            }
        }
        writer.upsert_tagged(record, versions, tags)?;
    }
    // Keep the checkpoints; stamp what the tags were computed from. Any later
    // commit (an ingest, a harvest) writes its own payload without the stamp,
    // which is right: its new records are untagged.
    let mut payload = match store.commit_payload()? {
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        None => Map::new(),
    };
    payload.insert(
        TAGS_KEY.into(),
        json!({ "inputs": inputs_digest, "at": hcs_model::clock::now_rfc3339() }),
    );
    writer.commit_with_payload(&Value::Object(payload).to_string())?;
    writer.finish()?;
    Ok(summary)
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
    let stamp = store
        .commit_payload()?
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|payload| payload.get(TAGS_KEY).cloned());
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
