//! What every roster-retrieval stage stores with its commits: a digest of
//! the searches it planned (a changed roster or gazetteer starts afresh),
//! and, once complete, the last day its window searched (`--since auto`).

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::Date;

use crate::harvest::{HarvestError, HarvestRun};

/// A short digest of a stage's window and planned searches, in order.
pub fn plan_digest(
    window: Option<(Date, Date)>,
    searches: impl IntoIterator<Item = String>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    if let Some((from, to)) = window {
        hasher.update(format!("{from}..{to}\n"));
    }
    for search in searches {
        hasher.update(search);
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Commits the staged records with `state` stored under `key`.
pub fn commit(
    run: &mut HarvestRun<'_>,
    source: &str,
    key: &str,
    state: &impl Serialize,
) -> Result<(), HarvestError> {
    let value = serde_json::to_value(state).map_err(|error| HarvestError::Source {
        source_name: source.to_owned(),
        location: key.to_owned(),
        message: error.to_string(),
    })?;
    run.sink.commit(Some((key, value)))?;
    Ok(())
}

/// The last day the stage under `key` searched, when its last run completed.
pub fn last_until(run: &HarvestRun<'_>, key: &str) -> Option<String> {
    let saved = run.sink.checkpoint(key)?;
    if saved.get("done")?.as_bool()? {
        saved.get("until")?.as_str().map(str::to_owned)
    } else {
        None
    }
}

/// The state stored under `key`, when there is one this build can read.
pub fn stored<T: DeserializeOwned>(run: &HarvestRun<'_>, key: &str) -> Option<T> {
    serde_json::from_value(run.sink.checkpoint(key)?.clone()).ok()
}
