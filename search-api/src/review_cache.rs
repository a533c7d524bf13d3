//! What the review queue keeps between requests, held by the application
//! state: below both the state and the service that fills it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::dto::review::ReviewItem;

/// The queue of one commit, before decisions and names are added.
#[derive(Debug, Default)]
pub struct BaseQueue {
    /// Every review-band slot of the commit.
    pub items: Vec<ReviewItem>,
    /// True when more review-band records exist than were read.
    pub truncated: bool,
}

/// Length and modification time of a file, to tell when it changed.
pub type FileStamp = Option<(u64, SystemTime)>;

/// The roster's primary names by person id.
pub type RosterNames = Arc<HashMap<String, String>>;

/// What the queue keeps between requests: the queue of the loaded commit,
/// and the roster's names while the roster file stays the same.
#[derive(Default)]
pub struct ReviewCache {
    pub(crate) queue: Mutex<Option<(u64, Arc<BaseQueue>)>>,
    pub(crate) names: Mutex<Option<(FileStamp, RosterNames)>>,
}

impl std::fmt::Debug for ReviewCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names are personal data: never in a debug print.
        f.debug_struct("ReviewCache").finish_non_exhaustive()
    }
}
