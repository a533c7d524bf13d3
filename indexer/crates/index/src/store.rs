//! The on-disk index under `<data dir>/index`, and the one writer that changes it.

use std::path::{Path, PathBuf};

use tantivy::indexer::LogMergePolicy;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentOrdinal,
    TantivyDocument, Term,
};

use super::document::{add_tags, to_document};
use super::schema::{previous_schema, register_tokenizers, Fields};
use hcs_model::records::Record;
use hcs_model::tags::SlotTag;

/// How documents are built from records and tags ([`to_document`], [`add_tags`]).
///
/// Bump it when a stored or derived field changes: `indexer tag` then
/// rewrites every document instead of only those whose tags changed.
pub const DOCUMENT_LAYOUT: u64 = 1;

/// Where a commit's payload records the oldest layout its documents may have.
pub const LAYOUT_KEY: &str = "layout";

/// Share of a segment's documents that may be deleted before it is merged away.
const DELETED_SHARE_BEFORE_MERGE: f32 = 0.25;

/// Name of the index directory inside the data directory.
const INDEX_DIR: &str = "index";

/// Errors from opening, writing or reading the index, naming the index path.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The data directory could not be created or read.
    #[error("{path}: {source}")]
    Io {
        /// The directory involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// There is no index yet where one was expected.
    #[error("{path}: no index here; build one with `indexer ingest`")]
    Missing {
        /// Where the index was expected.
        path: PathBuf,
    },
    /// tantivy refused an operation.
    #[error("index at {path}: {source}")]
    Tantivy {
        /// The index directory.
        path: PathBuf,
        /// tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index was built by an older indexer whose schema lacks a field.
    #[error("index at {path} was built by an older indexer: move it aside, then rebuild it with `indexer reparse` (harvested records) and `indexer ingest` (files)")]
    Outdated {
        /// The index directory.
        path: PathBuf,
        /// tantivy's error naming the missing field.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A stored record is not valid JSON for the current model.
    #[error("index at {path}: stored record {id} cannot be read: {source}")]
    StoredRecord {
        /// The index directory.
        path: PathBuf,
        /// Id of the unreadable record.
        id: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// An opened index: schema handles plus the tantivy index.
#[derive(Clone)]
pub struct IndexStore {
    path: PathBuf,
    index: Index,
    fields: Fields,
    /// Reads are redacted for serving ([`IndexStore::for_serving`]).
    serving: bool,
}

impl std::fmt::Debug for IndexStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl IndexStore {
    /// Opens the index in `data_dir`, creating the directory and an empty index if needed.
    pub fn open_or_create(data_dir: &Path) -> Result<Self, IndexError> {
        let path = data_dir.join(INDEX_DIR);
        std::fs::create_dir_all(&path).map_err(|source| IndexError::Io {
            path: path.clone(),
            source,
        })?;
        let tantivy_error = |source| IndexError::Tantivy {
            path: path.clone(),
            source,
        };
        let directory =
            tantivy::directory::MmapDirectory::open(&path).map_err(|e| tantivy_error(e.into()))?;
        let (schema, _) = Fields::build();
        if !Index::exists(&directory).map_err(|e| tantivy_error(e.into()))? {
            let index =
                Index::create(directory, schema, Default::default()).map_err(tantivy_error)?;
            return Self::from_index(path, index);
        }
        let index = Index::open(directory).map_err(tantivy_error)?;
        // An index from before `merge_probe` is still written to, merging the
        // slower way; any other schema is not this indexer's to write.
        if index.schema() != schema && index.schema() != previous_schema() {
            return Err(IndexError::Outdated {
                path,
                source: tantivy::TantivyError::SchemaError(
                    "an index exists but its schema is not this indexer's".to_owned(),
                ),
            });
        }
        Self::from_index(path, index)
    }

    /// Opens an existing index in `data_dir` (for reading); errors if there is none.
    pub fn open_existing(data_dir: &Path) -> Result<Self, IndexError> {
        let path = data_dir.join(INDEX_DIR);
        if !path.join("meta.json").is_file() {
            return Err(IndexError::Missing { path });
        }
        let index = Index::open_in_dir(&path).map_err(|source| IndexError::Tantivy {
            path: path.clone(),
            source,
        })?;
        Self::from_index(path, index)
    }

    fn from_index(path: PathBuf, index: Index) -> Result<Self, IndexError> {
        register_tokenizers(&index);
        let fields =
            Fields::from_schema(&index.schema()).map_err(|source| IndexError::Outdated {
                path: path.clone(),
                source,
            })?;
        Ok(Self {
            path,
            index,
            fields,
            serving: false,
        })
    }

    /// The index directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The schema's field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The index error for a tantivy failure at this store's path.
    pub fn tantivy_error(&self, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            path: self.path.clone(),
            source,
        }
    }

    /// Takes the index's single writer lock, with `memory_budget_bytes` for indexing.
    ///
    /// A second writer (in this or another process) is refused with an error
    /// rather than waited for: a silently skipped ingest loses records.
    pub fn writer(&self, memory_budget_bytes: usize) -> Result<IndexWriterSession<'_>, IndexError> {
        let writer: IndexWriter = self
            .index
            .writer(memory_budget_bytes)
            .map_err(|e| self.tantivy_error(e))?;
        // tantivy's default never merges a segment for its deletions alone:
        // after `indexer tag` rewrites a third of the records, or a
        // re-harvest replaces them, the old copies would stay on disk.
        let mut policy = LogMergePolicy::default();
        policy.set_del_docs_ratio_before_merge(DELETED_SHARE_BEFORE_MERGE);
        writer.set_merge_policy(Box::new(policy));
        Ok(IndexWriterSession {
            store: self,
            writer,
        })
    }

    /// A reader that sees new commits only when told to (`reload`).
    pub fn reader(&self) -> Result<IndexReader, IndexError> {
        self.reader_with(ReloadPolicy::Manual)
    }

    /// A reader with the given reload policy; a long-running service follows
    /// another process's commits with [`ReloadPolicy::OnCommitWithDelay`].
    pub fn reader_with(&self, policy: ReloadPolicy) -> Result<IndexReader, IndexError> {
        self.index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .map_err(|e| self.tantivy_error(e))
    }

    /// Number of records in the last commit.
    pub fn count(&self) -> Result<u64, IndexError> {
        Ok(self.reader()?.searcher().num_docs())
    }

    /// Every record in the index, ordered by id.
    pub fn export(&self) -> Result<Vec<Record>, IndexError> {
        let mut records = self
            .documents()?
            .iter()
            .map(|document| self.decode_record(document))
            .collect::<Result<Vec<_>, _>>()?;
        records.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(records)
    }

    /// Every record with the tags stored beside it (by `indexer tag`), ordered by id.
    pub fn export_tagged(&self) -> Result<Vec<(Record, Vec<SlotTag>)>, IndexError> {
        let mut records = self
            .documents()?
            .iter()
            .map(|document| Ok((self.decode_record(document)?, self.decode_tags(document)?)))
            .collect::<Result<Vec<_>, IndexError>>()?;
        records.sort_by(|a, b| a.0.id().cmp(b.0.id()));
        Ok(records)
    }

    /// Every record with its source versions, ordered by id: what a rewrite needs.
    pub fn export_with_versions(&self) -> Result<Vec<(Record, Vec<Record>)>, IndexError> {
        let mut records = self
            .documents()?
            .iter()
            .map(|document| {
                Ok((
                    self.decode_record(document)?,
                    self.decode_versions(document)?,
                ))
            })
            .collect::<Result<Vec<_>, IndexError>>()?;
        records.sort_by(|a, b| a.0.id().cmp(b.0.id()));
        Ok(records)
    }

    /// Every stored document of the last commit.
    fn documents(&self) -> Result<Vec<TantivyDocument>, IndexError> {
        let reader = self.reader()?;
        let mut documents = Vec::new();
        self.for_each_document(&reader.searcher(), |document| {
            documents.push(document);
            Ok(())
        })?;
        Ok(documents)
    }

    /// Hands `visit` every live stored document of `searcher`'s commit, one
    /// at a time in segment order, so a pass over a large index holds one
    /// document, not all of them.
    pub fn for_each_document(
        &self,
        searcher: &Searcher,
        mut visit: impl FnMut(TantivyDocument) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let ordinal = ordinal as SegmentOrdinal;
            for doc_id in segment.doc_ids_alive() {
                let document = searcher
                    .doc(DocAddress::new(ordinal, doc_id))
                    .map_err(|e| self.tantivy_error(e))?;
                visit(document)?;
            }
        }
        Ok(())
    }

    /// The oldest [`DOCUMENT_LAYOUT`] a document of the last commit may have:
    /// 0 for an index written before layouts were recorded.
    pub fn document_layout(&self) -> Result<u64, IndexError> {
        if self.count()? == 0 {
            return Ok(DOCUMENT_LAYOUT);
        }
        let payload = self.commit_payload_fields()?;
        Ok(payload
            .get(LAYOUT_KEY)
            .and_then(|v| v.as_u64())
            .unwrap_or(0))
    }

    /// The payload of the last commit (harvest checkpoints), if any.
    pub fn commit_payload(&self) -> Result<Option<String>, IndexError> {
        Ok(self
            .index
            .load_metas()
            .map_err(|e| self.tantivy_error(e))?
            .payload)
    }

    /// The last commit's payload as a JSON object: empty when there is none,
    /// or when it is not an object (a payload we did not write).
    pub fn commit_payload_fields(
        &self,
    ) -> Result<serde_json::Map<String, serde_json::Value>, IndexError> {
        let payload = self.commit_payload()?;
        let parsed = payload.and_then(|text| serde_json::from_str(&text).ok());
        Ok(match parsed {
            Some(serde_json::Value::Object(fields)) => fields,
            _ => serde_json::Map::new(),
        })
    }

    /// The record id a stored document is filed under.
    pub fn document_id<'d>(&self, document: &'d TantivyDocument) -> &'d str {
        document
            .get_first(self.fields.id)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
    }

    /// Reads the source versions stored beside a document's record.
    pub fn decode_versions(&self, document: &TantivyDocument) -> Result<Vec<Record>, IndexError> {
        let text = |field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
        };
        let versions = text(self.fields.versions);
        if versions.is_empty() {
            return Ok(vec![self.decode_record(document)?]);
        }
        serde_json::from_str(versions).map_err(|source| IndexError::StoredRecord {
            path: self.path.clone(),
            id: text(self.fields.id).to_owned(),
            source,
        })
    }

    /// Reads the tags stored with a document (none before `indexer tag` ran).
    pub fn decode_tags(&self, document: &TantivyDocument) -> Result<Vec<SlotTag>, IndexError> {
        let Some(text) = document
            .get_first(self.fields.tags)
            .and_then(|v| v.as_str())
        else {
            return Ok(Vec::new());
        };
        self.decode(text)
            .map_err(|source| IndexError::StoredRecord {
                path: self.path.clone(),
                id: document
                    .get_first(self.fields.id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                source,
            })
    }

    /// Serves reads only: every record and tag read from now on has its
    /// e-mail addresses removed ([`hcs_model::redact`]). Tagging, which matches
    /// on addresses, opens its own store.
    pub fn for_serving(mut self) -> Self {
        self.serving = true;
        self
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, json: &str) -> serde_json::Result<T> {
        if self.serving {
            hcs_model::redact::decode_redacted(json)
        } else {
            serde_json::from_str(json)
        }
    }

    /// Reads the canonical record stored in a document (redacted when [serving](Self::for_serving)).
    pub fn decode_record(&self, document: &TantivyDocument) -> Result<Record, IndexError> {
        let text = |field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
        };
        self.decode(text(self.fields.record))
            .map_err(|source| IndexError::StoredRecord {
                path: self.path.clone(),
                id: text(self.fields.id).to_owned(),
                source,
            })
    }
}

/// The index's one writer; changes become visible only at [`commit`](Self::commit).
pub struct IndexWriterSession<'a> {
    store: &'a IndexStore,
    writer: IndexWriter,
}

impl<'a> IndexWriterSession<'a> {
    /// The store this session writes to.
    pub fn store(&self) -> &'a IndexStore {
        self.store
    }

    /// Adds `record` as its own only version, replacing any record with the same id.
    pub fn upsert(&mut self, record: &Record) -> Result<(), IndexError> {
        self.upsert_merged(record, std::slice::from_ref(record))
    }

    /// Adds `record`, the merge of `versions`, replacing any record with the same id
    /// (in this commit or before).
    pub fn upsert_merged(
        &mut self,
        record: &Record,
        versions: &[Record],
    ) -> Result<(), IndexError> {
        self.upsert_tagged(record, versions, &[])
    }

    /// Adds `record`, the merge of `versions`, with its tags (none before
    /// tagging), replacing any record with the same id.
    pub fn upsert_tagged(
        &mut self,
        record: &Record,
        versions: &[Record],
        tags: &[SlotTag],
    ) -> Result<(), IndexError> {
        let stored_error = |source| IndexError::StoredRecord {
            path: self.store.path.clone(),
            id: record.id().to_owned(),
            source,
        };
        let mut document =
            to_document(&self.store.fields, record, versions).map_err(stored_error)?;
        add_tags(&self.store.fields, tags, &mut document).map_err(stored_error)?;
        self.writer
            .delete_term(Term::from_field_text(self.store.fields.id, record.id()));
        self.writer
            .add_document(document)
            .map_err(|e| self.store.tantivy_error(e))?;
        Ok(())
    }

    /// Removes the record with this id, if present.
    pub fn delete(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.store.fields.id, id));
    }

    /// Makes every change since the last commit durable and visible, atomically.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer
            .commit()
            .map_err(|e| self.store.tantivy_error(e))?;
        Ok(())
    }

    /// Commits like [`commit`](Self::commit), storing `payload` (the harvest
    /// checkpoints) in the same atomic step: documents and checkpoint never disagree.
    pub fn commit_with_payload(&mut self, payload: &str) -> Result<(), IndexError> {
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| self.store.tantivy_error(e))?;
        prepared.set_payload(payload);
        prepared.commit().map_err(|e| self.store.tantivy_error(e))?;
        Ok(())
    }

    /// Discards every change since the last commit.
    pub fn rollback(&mut self) -> Result<(), IndexError> {
        self.writer
            .rollback()
            .map_err(|e| self.store.tantivy_error(e))?;
        Ok(())
    }

    /// Waits for background merges, so the process can exit cleanly.
    pub fn finish(self) -> Result<(), IndexError> {
        let path = self.store.path.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|source| IndexError::Tantivy { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_with(dir: &Path, schema: tantivy::schema::Schema) {
        let path = dir.join(INDEX_DIR);
        std::fs::create_dir_all(&path).unwrap();
        Index::create_in_dir(&path, schema).unwrap();
    }

    #[test]
    fn an_index_from_before_merge_probes_still_opens_for_writing_and_reading() {
        let dir = tempfile::tempdir().unwrap();
        index_with(dir.path(), previous_schema());
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        assert!(store.fields().merge_probe.is_none());
        let reader = IndexStore::open_existing(dir.path()).unwrap();
        assert!(reader.fields().merge_probe.is_none());
        let fresh = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(fresh.path()).unwrap();
        assert!(store.fields().merge_probe.is_some());
        // Reopened, a current index is current.
        let store = IndexStore::open_or_create(fresh.path()).unwrap();
        assert!(store.fields().merge_probe.is_some());
    }

    #[test]
    fn an_index_of_another_schema_is_refused_with_how_to_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tantivy::schema::Schema::builder();
        builder.add_text_field("id", tantivy::schema::STRING);
        index_with(dir.path(), builder.build());
        let error = IndexStore::open_or_create(dir.path()).unwrap_err();
        assert!(matches!(error, IndexError::Outdated { .. }), "{error:?}");
        assert!(error.to_string().contains("indexer reparse"), "{error}");
    }
}
