//! Writing tags into the index: every record re-tagged and rewritten with
//! its tags in one commit that keeps the harvest checkpoints.

use crate::index::{IndexError, IndexStore};
use crate::records::Record;

use super::{Band, Tagger, Tier};

/// What a tagging run stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
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
    match store.commit_payload()? {
        Some(payload) => writer.commit_with_payload(&payload)?,
        None => writer.commit()?,
    }
    writer.finish()?;
    Ok(summary)
}
