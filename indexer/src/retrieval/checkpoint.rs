//! What every roster-retrieval stage stores with its commits: a digest of
//! the searches it planned (a changed roster or gazetteer starts afresh),
//! and, once complete, the last day its window searched (`--since auto`).

use time::Date;

use crate::harvest::HarvestRun;

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

/// The last day the stage under `key` searched, when its last run completed.
pub fn last_until(run: &HarvestRun<'_>, key: &str) -> Option<String> {
    let saved = run.sink.checkpoint(key)?;
    if saved.get("done")?.as_bool()? {
        saved.get("until")?.as_str().map(str::to_owned)
    } else {
        None
    }
}
