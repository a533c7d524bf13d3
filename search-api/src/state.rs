//! Shared state: the opened index, a reader that follows the indexer's commits,
//! the search engine and the limits on concurrent searches.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hcs_index::{IndexError, IndexStore};
use hcs_model::clock::current_year;
use hcs_read::metrics::MetricsIndex;
use hcs_read::people::{TopicFacts, TopicVectors};
use hcs_tagging::persist::{tags_status, TagsStatus};
use hcs_tagging::workspace::{decisions_path, inputs_digest, roster_path, Overrides};
use tantivy::index::SegmentId;
use tantivy::{
    DocId, IndexReader, ReloadPolicy, Searcher, SegmentReader, TantivyDocument, TantivyError,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::query::SearchEngine;
use crate::review_cache::ReviewCache;
use crate::sessions::SessionStore;
use crate::tokens::{CuratorToken, TokenDigest};

/// Tunable limits of the API itself (the HTTP server's are in [`crate::serve::ServeOptions`]).
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Longest a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Searches and lookups allowed to run at once (each occupies a blocking thread).
    pub max_concurrent_searches: usize,
    /// How long a request waits for a search slot before it is answered 503.
    pub queue_timeout: Duration,
    /// The single, unnamed curators' token (decisions are recorded as by `curator`);
    /// with no curator token at all, curation and the review queue are disabled.
    pub curator_token: Option<TokenDigest>,
    /// Curators' named tokens: each decision records the name of the token it came with.
    pub curators: Vec<CuratorToken>,
    /// Token for administration (re-tagging); it also admits curation.
    pub admin_token: Option<TokenDigest>,
}

impl Default for ApiSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            request_timeout: Duration::from_secs(10),
            max_concurrent_searches: 4 * cores,
            queue_timeout: Duration::from_secs(2),
            curator_token: None,
            curators: Vec::new(),
            admin_token: None,
        }
    }
}

/// Why the index could not be opened for serving.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The index is missing or unreadable.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy refused to build a reader or the query parser.
    #[error("index at {path}: {source}")]
    Tantivy {
        /// The index directory.
        path: PathBuf,
        /// tantivy's error.
        #[source]
        source: TantivyError,
    },
}

impl OpenError {
    /// True when there is simply no index yet (the user has not run `indexer ingest`).
    pub fn is_missing_index(&self) -> bool {
        matches!(self, OpenError::Index(IndexError::Missing { .. }))
    }
}

/// What a commit's stored tags yield, kept in memory between commits.
#[derive(Debug, Default)]
pub struct Derived {
    /// Participation facts for `/api/metrics/participation`.
    pub metrics: MetricsIndex,
    /// Every person's topic vector, for similar people.
    pub topics: TopicVectors,
}

/// What one segment's tagged records yield, kept while searchers include
/// the segment: a commit then decodes only the segments it added.
struct SegmentFacts {
    /// The segment's deleted documents when these facts were made: a re-tag
    /// or a new version of a record deletes documents in old segments.
    deleted: u32,
    /// The tagged documents counted, in the metrics' record order.
    docs: Vec<DocId>,
    metrics: MetricsIndex,
    /// Keyed by document number.
    topics: TopicFacts,
}

/// The derived facts of the last generation built, and of its segments.
#[derive(Default)]
struct DerivedCache {
    built: Option<(u64, Arc<Derived>)>,
    segments: HashMap<SegmentId, Arc<SegmentFacts>>,
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: IndexStore,
    reader: IndexReader,
    engine: SearchEngine,
    permits: Arc<Semaphore>,
    settings: ApiSettings,
    /// What one commit's tags yield (by searcher generation), built on first
    /// use from facts kept per segment.
    derived: Mutex<DerivedCache>,
    /// The data directory (the index, the roster, the decisions journal).
    data_dir: PathBuf,
    /// The re-tagging job: whether one runs, and how the last one ended.
    retag: Mutex<RetagStatus>,
    /// The digest of the tagging inputs, with the file states it was read from.
    inputs: Mutex<Option<(InputFiles, String)>>,
    /// Review-page logins: session id → curator.
    sessions: SessionStore,
    /// The review queue of the loaded commit and the roster's names, built on first use.
    review: ReviewCache,
}

/// Length and modification time of the roster, the decisions journal and the
/// saved ORCID employments: while they stay the same, so does the digest of
/// what tagging reads (the reference data is bundled), so a request need not
/// read and hash them.
type InputFiles = [Option<(u64, std::time::SystemTime)>; 3];

fn input_files(data_dir: &Path) -> InputFiles {
    [
        roster_path(data_dir),
        decisions_path(data_dir),
        hcs_model::employments::path(data_dir),
    ]
    .map(|path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)))
    })
}

/// How often the background thread checks for a newly loaded commit.
const DERIVED_REFRESH: Duration = Duration::from_secs(1);

/// The state of the re-tagging job (`/api/admin/retag`).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RetagStatus {
    /// A job is running now.
    pub running: bool,
    /// When the last job started (RFC 3339).
    pub started_at: Option<String>,
    /// When the last job ended (RFC 3339).
    pub finished_at: Option<String>,
    /// What the last successful job stored.
    pub summary: Option<hcs_tagging::persist::TagSummary>,
    /// Why the last job failed.
    pub error: Option<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the index under `data_dir/index` for serving, with default settings.
    pub fn open(data_dir: &Path) -> Result<Self, OpenError> {
        Self::open_with(data_dir, ApiSettings::default())
    }

    /// Opens the index under `data_dir/index` for serving, with `settings`.
    ///
    /// The reader reloads by itself shortly after each commit of the indexer (a
    /// separate process), so new records appear without a restart.
    pub fn open_with(data_dir: &Path, settings: ApiSettings) -> Result<Self, OpenError> {
        // Every record and tag this service reads comes without e-mail addresses.
        let store = IndexStore::open_existing(data_dir)?.for_serving();
        let tantivy_error = |source| OpenError::Tantivy {
            path: store.path().to_owned(),
            source,
        };
        let reader = store.reader_with(ReloadPolicy::OnCommitWithDelay)?;
        let engine = SearchEngine::new(store.index(), store.fields()).map_err(tantivy_error)?;
        let permits = Arc::new(Semaphore::new(settings.max_concurrent_searches.max(1)));
        let state = Self {
            inner: Arc::new(Inner {
                store,
                reader,
                engine,
                permits,
                settings,
                derived: Mutex::new(DerivedCache::default()),
                data_dir: data_dir.to_owned(),
                retag: Mutex::new(RetagStatus::default()),
                inputs: Mutex::new(None),
                sessions: SessionStore::default(),
                review: ReviewCache::default(),
            }),
        };
        state.keep_derived_fresh(DERIVED_REFRESH);
        Ok(state)
    }

    /// Rebuilds the facet tables and the derived facts on a background thread
    /// soon after each commit is loaded (and once at start), so the first
    /// search, metrics or profile request after a commit does not pay for
    /// them (only new segments are read, but a merge makes one new segment
    /// of many). The thread ends with the state.
    fn keep_derived_fresh(&self, every: Duration) {
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("derived-facts".into())
            .spawn(move || loop {
                let Some(inner) = weak.upgrade() else {
                    break;
                };
                let state = AppState { inner };
                if let Err(error) = state.engine().warm(&state.searcher()) {
                    tracing::warn!(%error, "building the facet tables failed");
                }
                if let Err(error) = state.derived() {
                    tracing::warn!(%error, "rebuilding the metrics and topic facts failed");
                }
                std::thread::sleep(every);
            });
        if let Err(error) = spawned {
            // Requests still build the facts themselves, only later.
            tracing::warn!(%error, "no background thread for the metrics facts");
        }
    }

    /// The opened index.
    pub fn store(&self) -> &IndexStore {
        &self.inner.store
    }

    /// The query parser and facet request.
    pub fn engine(&self) -> &SearchEngine {
        &self.inner.engine
    }

    /// The API's limits.
    pub fn settings(&self) -> &ApiSettings {
        &self.inner.settings
    }

    /// A searcher on the latest loaded commit; use one per request for hits and facets.
    pub fn searcher(&self) -> Searcher {
        self.inner.reader.searcher()
    }

    /// What the loaded commit's tags yield — participation facts and topic
    /// vectors — built once per commit from facts kept per segment, then shared.
    ///
    /// Only segments new to this commit are decoded; the others' facts are
    /// reused, less the documents deleted from them since (read back one by
    /// one). Combining gives exactly what reading every record would.
    pub fn derived(&self) -> Result<Arc<Derived>, ApiError> {
        let searcher = self.searcher();
        let generation = searcher.generation().generation_id();
        let mut cache = self.inner.derived.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((built, derived)) = cache.built.as_ref() {
            if *built == generation {
                return Ok(derived.clone());
            }
        }
        let started = std::time::Instant::now();
        let mut segments = HashMap::with_capacity(searcher.segment_readers().len());
        let mut parts = Vec::with_capacity(searcher.segment_readers().len());
        let mut read = 0;
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            let cached = cache.segments.get(&id);
            let part = match cached {
                Some(part) if part.deleted == segment.num_deleted_docs() => part.clone(),
                _ => {
                    let fewer = match cached {
                        Some(part) => self.without_deleted(segment, part)?,
                        None => None,
                    };
                    match fewer {
                        Some(part) => Arc::new(part),
                        None => {
                            read += 1;
                            Arc::new(self.segment_facts(segment)?)
                        }
                    }
                }
            };
            segments.insert(id, part.clone());
            parts.push(part);
        }
        // Segments merged away are forgotten with the generation that had them.
        cache.segments = segments;
        let derived = Arc::new(Derived {
            metrics: MetricsIndex::combine(parts.iter().map(|part| &part.metrics)),
            topics: TopicVectors::combine(parts.iter().map(|part| &part.topics), current_year()),
        });
        cache.built = Some((generation, derived.clone()));
        tracing::debug!(
            generation,
            segments = parts.len(),
            read,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "derived facts built"
        );
        Ok(derived)
    }

    /// Reads the facts of one segment's live tagged records.
    fn segment_facts(&self, segment: &SegmentReader) -> Result<SegmentFacts, ApiError> {
        let store = self.store();
        let mut records = Vec::new();
        let mut tags = Vec::new();
        // The document store read front to back, every block decompressed
        // once (fetching by address measured 5× slower).
        let documents = segment.get_store_reader(1).map_err(ApiError::internal)?;
        let mut docs = Vec::new();
        let alive = segment.doc_ids_alive();
        for (doc, document) in alive.zip(documents.iter::<TantivyDocument>(segment.alive_bitset()))
        {
            let document = document.map_err(ApiError::internal)?;
            let record_tags = store.decode_tags(&document).map_err(ApiError::internal)?;
            if record_tags.is_empty() {
                continue;
            }
            records.push(store.decode_record(&document).map_err(ApiError::internal)?);
            tags.push(record_tags);
            docs.push(doc);
        }
        let topics = docs
            .iter()
            .zip(records.iter().zip(&tags))
            .map(|(&doc, (record, tags))| (doc, record, tags.as_slice()));
        Ok(SegmentFacts {
            deleted: segment.num_deleted_docs(),
            topics: TopicFacts::build(topics),
            metrics: MetricsIndex::build(&records, &tags),
            docs,
        })
    }

    /// `part`'s facts without the documents deleted from the segment since:
    /// only those are read back (by address), and only while they are few.
    /// `None` when the segment is better read again.
    fn without_deleted(
        &self,
        segment: &SegmentReader,
        part: &SegmentFacts,
    ) -> Result<Option<SegmentFacts>, ApiError> {
        let Some(alive) = segment.alive_bitset() else {
            return Ok(None);
        };
        if part.deleted > segment.num_deleted_docs() {
            return Ok(None);
        }
        let keep: Vec<bool> = part.docs.iter().map(|&doc| alive.is_alive(doc)).collect();
        let gone: Vec<DocId> = part
            .docs
            .iter()
            .zip(&keep)
            .filter_map(|(&doc, &kept)| (!kept).then_some(doc))
            .collect();
        // Fetching a document by address costs about five read in order.
        if gone.len() * 5 > part.docs.len() {
            return Ok(None);
        }
        let store = self.store();
        let documents = segment.get_store_reader(1).map_err(ApiError::internal)?;
        let mut removed = Vec::with_capacity(gone.len());
        for &doc in &gone {
            // Deleted documents stay in the store until the segment is merged away.
            let document: TantivyDocument = documents.get(doc).map_err(ApiError::internal)?;
            let record = store.decode_record(&document).map_err(ApiError::internal)?;
            removed.push((
                doc,
                record,
                store.decode_tags(&document).map_err(ApiError::internal)?,
            ));
        }
        let mut topics = part.topics.clone();
        let taken = topics.subtract(
            removed
                .iter()
                .map(|(doc, record, tags)| (*doc, record, tags.as_slice())),
        );
        if !taken {
            return Ok(None);
        }
        Ok(Some(SegmentFacts {
            deleted: segment.num_deleted_docs(),
            docs: part
                .docs
                .iter()
                .zip(&keep)
                .filter_map(|(&doc, &kept)| kept.then_some(doc))
                .collect(),
            metrics: part.metrics.retain(|number| keep[number]),
            topics,
        }))
    }

    /// The data directory the service reads.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Whether the stored tags match the current roster, decisions and
    /// reference data (blocking: it stats those files, and reads and hashes
    /// them only when they changed since the last call).
    pub fn tags_status(&self) -> Result<TagsStatus, ApiError> {
        let files = input_files(self.data_dir());
        let mut cached = self.inner.inputs.lock().unwrap_or_else(|e| e.into_inner());
        let digest = match cached.as_ref() {
            Some((seen, digest)) if *seen == files => digest.clone(),
            _ => {
                let digest = inputs_digest(self.data_dir(), &Overrides::default())
                    .map_err(ApiError::internal)?;
                *cached = Some((files, digest.clone()));
                digest
            }
        };
        drop(cached);
        tags_status(self.store(), &digest).map_err(ApiError::internal)
    }

    /// The review page's logins.
    pub fn sessions(&self) -> &SessionStore {
        &self.inner.sessions
    }

    /// What the review queue keeps between requests.
    pub fn review_cache(&self) -> &ReviewCache {
        &self.inner.review
    }

    /// The re-tagging job's state.
    pub fn retag_status(&self) -> RetagStatus {
        self.inner
            .retag
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Marks a re-tagging job as started; false when one is already running (single flight).
    pub fn begin_retag(&self) -> bool {
        let mut status = self.inner.retag.lock().unwrap_or_else(|e| e.into_inner());
        if status.running {
            return false;
        }
        *status = RetagStatus {
            running: true,
            started_at: Some(hcs_model::clock::now_rfc3339()),
            ..status.clone()
        };
        true
    }

    /// Records how a re-tagging job ended.
    pub fn end_retag(&self, outcome: Result<hcs_tagging::persist::TagSummary, String>) {
        let mut status = self.inner.retag.lock().unwrap_or_else(|e| e.into_inner());
        status.running = false;
        status.finished_at = Some(hcs_model::clock::now_rfc3339());
        match outcome {
            Ok(summary) => {
                status.summary = Some(summary);
                status.error = None;
            }
            Err(error) => status.error = Some(error),
        }
    }

    /// Loads the latest commit now instead of waiting for the automatic reload.
    pub fn reload(&self) -> Result<(), TantivyError> {
        self.inner.reader.reload()
    }

    /// Waits (up to the queue timeout) for a search slot; 503 `overloaded` if none frees up.
    pub async fn search_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let acquire = self.inner.permits.clone().acquire_owned();
        match tokio::time::timeout(self.inner.settings.queue_timeout, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(ApiError::Overloaded),
        }
    }

    /// Runs blocking index work `job` on the blocking pool while holding a search slot.
    pub async fn run_blocking<T, F>(&self, job: F) -> Result<T, ApiError>
    where
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.search_permit().await?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job(&state)
        })
        .await
        .map_err(|error| ApiError::internal(format!("search task failed: {error}")))?
    }
}
