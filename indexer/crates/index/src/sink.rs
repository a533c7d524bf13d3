//! The record sink: where parsed records enter the index, merged across sources,
//! with harvest checkpoints committed atomically beside them.
//!
//! Every record is one *version* (one source's view of a work or award). On
//! upsert the sink finds every indexed record sharing a match key with it
//! (PMID, DOI, PMCID, title key, grant id — see [`crate::merge`]), replaces this
//! source's earlier version, re-merges, and writes the result under its stable
//! id, deleting the ids it absorbed. Re-harvesting an unchanged record writes
//! nothing.
//!
//! Changes are held back until [`RecordSink::commit`] names the checkpoint
//! they belong to, and only then handed to the index writer: a run that fails
//! half-way through a page leaves nothing of that page behind, while every
//! page before it commits with its checkpoint.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::MAX_TOKEN_LEN;
use tantivy::{IndexReader, TantivyDocument, Term};

use super::store::{IndexError, IndexStore, IndexWriterSession, DOCUMENT_LAYOUT, LAYOUT_KEY};
use crate::merge::{
    conflicts, match_keys, merge, narrowing_identifier, probe_term, version_key, Identifier,
    MatchKey,
};
use hcs_model::records::Record;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// No record matched: a new record.
    New,
    /// A record matched and changed (or records were merged).
    Updated,
    /// A record matched and nothing changed: nothing was written.
    Unchanged,
}

/// Record changes in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkCounts {
    /// Records created.
    pub new: u64,
    /// Records changed or merged.
    pub updated: u64,
    /// Records seen again without change.
    pub unchanged: u64,
    /// Records removed (no source version left).
    pub deleted: u64,
    /// Commits made.
    pub commits: u64,
}

/// A change held until its checkpoint is committed; an upsert writes the
/// record's latest staged state (in `pending`) when applied.
#[derive(Debug)]
enum Op {
    Delete(String),
    Upsert(String),
}

#[derive(Debug, Clone)]
struct Entry {
    record: Record,
    versions: Vec<Record>,
}

/// The merging writer every ingest and harvest goes through.
pub struct RecordSink<'a> {
    writer: IndexWriterSession<'a>,
    reader: IndexReader,
    /// Records written since the last commit (`None`: deleted), which the reader cannot see yet.
    pending: HashMap<String, Option<Entry>>,
    /// Match keys of pending records → their id.
    pending_keys: HashMap<MatchKey, String>,
    checkpoints: Map<String, Value>,
    /// The oldest document layout in the index, carried into every commit.
    layout: u64,
    counts: SinkCounts,
    /// Changes since the last `commit` call, not yet given to the writer.
    ops: Vec<Op>,
    /// What `ops` will count once applied.
    op_counts: SinkCounts,
    /// Shortest time between two real commits (see [`RecordSink::set_commit_interval`]).
    commit_interval: Duration,
    last_commit: Instant,
    /// Changes or a checkpoint staged since the last real commit.
    staged: bool,
    /// Committed documents `find` has decoded, so tests can see what a lookup costs.
    #[cfg(test)]
    decoded: std::cell::Cell<u64>,
}

impl<'a> RecordSink<'a> {
    /// Takes the index's writer lock and reads the last committed checkpoints.
    pub fn open(store: &'a IndexStore, memory_budget_bytes: usize) -> Result<Self, IndexError> {
        let writer = store.writer(memory_budget_bytes)?;
        if store.fields().merge_probe.is_none() {
            // Still correct, but each merge reads every record sharing a key:
            // said here, so every writer (ingest, harvest, import, reparse) says it.
            tracing::warn!(
                index = %store.path().display(),
                "index predates merge probes: writing slows as records share DOIs or titles; rebuild it (`indexer reparse`, `indexer ingest`) to fix"
            );
        }
        let reader = store.reader()?;
        // A payload we did not write (or an older layout): start without checkpoints.
        let checkpoints = match store.commit_payload_fields()?.remove("checkpoints") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        // Documents this sink writes are current, but older ones stay as they are.
        let layout = store.document_layout()?.min(DOCUMENT_LAYOUT);
        Ok(Self {
            writer,
            reader,
            pending: HashMap::new(),
            pending_keys: HashMap::new(),
            checkpoints,
            layout,
            counts: SinkCounts::default(),
            ops: Vec::new(),
            op_counts: SinkCounts::default(),
            commit_interval: Duration::ZERO,
            last_commit: Instant::now(),
            staged: false,
            #[cfg(test)]
            decoded: std::cell::Cell::new(0),
        })
    }

    /// Makes [`commit`](Self::commit) durable at most once per `interval`; in
    /// between, it only stages the checkpoint beside the staged records.
    ///
    /// A tantivy commit flushes segments and fsyncs: tens of milliseconds that a
    /// harvester fetching ten pages a second cannot spend on every page. What
    /// is staged is always consistent — the records of every page up to the
    /// staged checkpoint — so a crash loses at most `interval` of work, which
    /// the resume re-fetches. Call [`flush`](Self::flush) at the end of a run.
    pub fn set_commit_interval(&mut self, interval: Duration) {
        self.commit_interval = interval;
    }

    /// Record changes so far.
    pub fn counts(&self) -> SinkCounts {
        self.counts
    }

    /// The committed (or staged) checkpoint stored under `key`.
    pub fn checkpoint(&self, key: &str) -> Option<&Value> {
        self.checkpoints.get(key)
    }

    /// Every checkpoint, by key.
    pub fn checkpoints(&self) -> &Map<String, Value> {
        &self.checkpoints
    }

    /// Adds one source version of a record, merging it with what the index holds.
    pub fn upsert(&mut self, record: Record) -> Result<UpsertOutcome, IndexError> {
        let key = version_key(&record);
        let mut found = self.find(&match_keys(&record), Some(&record))?;
        // A record that matched only on a weak key but carries a different PMID,
        // DOI or PMCID is another work; this source's own earlier version is always replaced.
        found.retain(|_, entry| {
            entry.versions.iter().any(|v| version_key(v) == key)
                || !conflicts(&entry.record, &record)
        });
        let mut versions: BTreeMap<String, Record> = BTreeMap::new();
        for entry in found.values() {
            for version in &entry.versions {
                versions.insert(version_key(version), version.clone());
            }
        }
        // The same content fetched again keeps its first fetch time, so a
        // re-harvest of unchanged records writes nothing.
        let same_content = versions
            .get(&key)
            .is_some_and(|old| same_except_fetch_time(old, &record));
        if !same_content {
            versions.insert(key, record);
        }
        let versions: Vec<Record> = versions.into_values().collect();
        let Some(merged) = merge(&versions) else {
            return Ok(UpsertOutcome::Unchanged);
        };
        let outcome = match found.len() {
            0 => UpsertOutcome::New,
            1 => {
                let (id, entry) = found.iter().next().expect("one entry");
                if *id == merged.id() && entry.record == merged && entry.versions == versions {
                    UpsertOutcome::Unchanged
                } else {
                    UpsertOutcome::Updated
                }
            }
            _ => UpsertOutcome::Updated,
        };
        match outcome {
            UpsertOutcome::New => self.op_counts.new += 1,
            UpsertOutcome::Updated => self.op_counts.updated += 1,
            UpsertOutcome::Unchanged => {
                self.counts.unchanged += 1;
                return Ok(outcome);
            }
        }
        for id in found.keys() {
            if id != merged.id() {
                self.ops.push(Op::Delete(id.clone()));
                self.pending.insert(id.clone(), None);
            }
        }
        self.write(merged, versions)?;
        Ok(outcome)
    }

    /// Removes `source`'s version with the source's own id `record_id` (an OAI
    /// deletion, a withdrawn award). The record goes when no version is left.
    /// Returns whether anything was found.
    pub fn delete_version(&mut self, source: &str, record_id: &str) -> Result<bool, IndexError> {
        let key = format!("{source}|{record_id}");
        self.remove_versions(&[MatchKey::Version(key.clone())], |version| {
            version_key(version) == key
        })
    }

    /// Removes every version from `source` of the record with stable id `id`
    /// (PubMed `DeleteCitation`). Returns whether anything was found.
    pub fn delete_source_versions(&mut self, id: &str, source: &str) -> Result<bool, IndexError> {
        self.remove_versions(&[MatchKey::Id(id.to_owned())], |version| {
            version
                .provenance()
                .first()
                .is_some_and(|provenance| provenance.source == source)
        })
    }

    fn remove_versions(
        &mut self,
        keys: &[MatchKey],
        doomed: impl Fn(&Record) -> bool,
    ) -> Result<bool, IndexError> {
        let found = self.find(keys, None)?;
        for (id, entry) in &found {
            let kept: Vec<Record> = entry
                .versions
                .iter()
                .filter(|version| !doomed(version))
                .cloned()
                .collect();
            if kept.len() == entry.versions.len() {
                continue;
            }
            self.ops.push(Op::Delete(id.clone()));
            self.pending.insert(id.clone(), None);
            match merge(&kept) {
                Some(merged) => {
                    self.op_counts.updated += 1;
                    self.write(merged, kept)?;
                }
                None => self.op_counts.deleted += 1,
            }
        }
        Ok(!found.is_empty())
    }

    /// Makes every change since the last call durable and visible; when
    /// `checkpoint` is given, stores it under its key in the same atomic commit.
    /// With a commit interval set, this may only stage them (see [`set_commit_interval`](Self::set_commit_interval)).
    pub fn commit(&mut self, checkpoint: Option<(&str, Value)>) -> Result<(), IndexError> {
        let mut written = HashSet::new();
        for op in std::mem::take(&mut self.ops) {
            match op {
                Op::Delete(id) => {
                    self.writer.delete(&id);
                    written.remove(&id);
                }
                Op::Upsert(id) => {
                    if let Some(Some(entry)) = self.pending.get(&id) {
                        if written.insert(id) {
                            self.writer.upsert_merged(&entry.record, &entry.versions)?;
                        }
                    }
                }
            }
        }
        let applied = std::mem::take(&mut self.op_counts);
        self.counts.new += applied.new;
        self.counts.updated += applied.updated;
        self.counts.deleted += applied.deleted;
        if let Some((key, value)) = checkpoint {
            if value.is_null() {
                self.checkpoints.remove(key);
            } else {
                self.checkpoints.insert(key.to_owned(), value);
            }
        }
        self.staged = true;
        if self.last_commit.elapsed() < self.commit_interval {
            return Ok(());
        }
        self.flush()
    }

    /// Commits everything staged by [`commit`](Self::commit) now, whatever the
    /// interval. Changes made after the last `commit` call — a page cut short
    /// by a failure — are dropped, never half-ingested.
    pub fn flush(&mut self) -> Result<(), IndexError> {
        self.ops.clear();
        self.op_counts = SinkCounts::default();
        if !self.staged {
            return Ok(());
        }
        let payload = serde_json::json!({
            "checkpoints": self.checkpoints,
            LAYOUT_KEY: self.layout,
        })
        .to_string();
        self.writer.commit_with_payload(&payload)?;
        self.reader
            .reload()
            .map_err(|e| self.writer.store().tantivy_error(e))?;
        self.pending.clear();
        self.pending_keys.clear();
        self.counts.commits += 1;
        self.staged = false;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Discards every change since the last commit (checkpoints included).
    pub fn rollback(&mut self) -> Result<(), IndexError> {
        self.ops.clear();
        self.op_counts = SinkCounts::default();
        self.writer.rollback()?;
        self.pending.clear();
        self.pending_keys.clear();
        self.staged = false;
        Ok(())
    }

    /// Waits for background merges and releases the writer lock.
    pub fn finish(self) -> Result<(), IndexError> {
        self.writer.finish()
    }

    fn write(&mut self, merged: Record, versions: Vec<Record>) -> Result<(), IndexError> {
        let id = merged.id().to_owned();
        self.ops.push(Op::Upsert(id.clone()));
        for version in versions.iter().chain(std::iter::once(&merged)) {
            for key in match_keys(version) {
                self.pending_keys.insert(key, id.clone());
            }
        }
        self.pending.insert(
            id,
            Some(Entry {
                record: merged,
                versions,
            }),
        );
        Ok(())
    }

    /// Every current record sharing any of `keys`, by id: staged changes first,
    /// then the last commit (records staged as deleted or replaced are skipped).
    ///
    /// With `mergeable_with`, committed records that share a PMID, DOI, PMCID
    /// or title key but whose merged record [`conflicts`] with it may be left
    /// out: `upsert` would drop them unread. Asking the index for the
    /// compatible ones only keeps a lookup's cost independent of how many
    /// records share the key (errata, corrections and supplements share a
    /// DOI with their article). A record holding this version is still found
    /// through the version key, which is always looked up in full.
    fn find(
        &self,
        keys: &[MatchKey],
        mergeable_with: Option<&Record>,
    ) -> Result<BTreeMap<String, Entry>, IndexError> {
        let mut found = BTreeMap::new();
        for key in keys {
            if let Some(id) = self.pending_keys.get(key) {
                if let Some(Some(entry)) = self.pending.get(id) {
                    if entry_has_key(entry, key) {
                        found.insert(id.clone(), entry.clone());
                    }
                }
            }
        }
        let store = self.writer.store();
        let searcher = self.reader.searcher();
        let narrowing = mergeable_with.and_then(narrowing_identifier);
        let mut read = HashSet::new();
        for key in keys {
            for term in self.committed_terms(key, narrowing) {
                // Most harvested records are new: a term-dictionary probe per
                // segment rules them out far cheaper than running a query.
                if searcher
                    .doc_freq(&term)
                    .map_err(|e| store.tantivy_error(e))?
                    == 0
                {
                    continue;
                }
                let query = TermQuery::new(term, IndexRecordOption::Basic);
                let addresses = searcher
                    .search(&query, &DocSetCollector)
                    .map_err(|e| store.tantivy_error(e))?;
                for address in addresses {
                    // A record under several of the keys is read once.
                    if !read.insert(address) {
                        continue;
                    }
                    let document: TantivyDocument =
                        searcher.doc(address).map_err(|e| store.tantivy_error(e))?;
                    let record = store.decode_record(&document)?;
                    #[cfg(test)]
                    self.decoded.set(self.decoded.get() + 1);
                    let id = record.id().to_owned();
                    if self.pending.contains_key(&id) || found.contains_key(&id) {
                        continue;
                    }
                    let versions = store.decode_versions(&document)?;
                    found.insert(id, Entry { record, versions });
                }
            }
        }
        Ok(found)
    }

    /// The terms that find the committed records under `key`: with a
    /// `narrowing` identifier and a probe field, only those whose merged value
    /// of it is the same or absent; otherwise all of them.
    fn committed_terms(&self, key: &MatchKey, narrowing: Option<(Identifier, &str)>) -> Vec<Term> {
        let fields = self.writer.store().fields();
        if let (Some(field), Some((identifier, value))) = (fields.merge_probe, narrowing) {
            let terms = [Some(value), None].map(|value| probe_term(key, identifier, value));
            if let [Some(same), Some(absent)] = terms {
                // tantivy drops longer terms when indexing: such a key would
                // never be found, so it is looked up in full instead.
                if same.len() <= MAX_TOKEN_LEN {
                    return vec![
                        Term::from_field_text(field, &same),
                        Term::from_field_text(field, &absent),
                    ];
                }
            }
        }
        let (field, value) = match key {
            MatchKey::Id(value) => (fields.id, value),
            MatchKey::Pmid(value) => (fields.pmid, value),
            MatchKey::Doi(value) => (fields.doi, value),
            MatchKey::Pmcid(value) => (fields.pmcid, value),
            MatchKey::Title(value) => (fields.match_key, value),
            MatchKey::Version(value) => (fields.version_key, value),
        };
        vec![Term::from_field_text(field, value)]
    }
}

/// True when two versions differ at most in when (and from which URL) they were fetched.
fn same_except_fetch_time(old: &Record, new: &Record) -> bool {
    let strip = |record: &Record| {
        let mut record = record.clone();
        let provenance = match &mut record {
            Record::Publication(publication) => &mut publication.provenance,
            Record::Grant(grant) => &mut grant.provenance,
        };
        for entry in provenance.iter_mut() {
            entry.fetched_at.clear();
            entry.location.clear();
        }
        record
    };
    strip(old) == strip(new)
}

fn entry_has_key(entry: &Entry, key: &MatchKey) -> bool {
    entry
        .versions
        .iter()
        .chain(std::iter::once(&entry.record))
        .any(|version| match_keys(version).contains(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Author, Identifiers, Provenance, Publication, PublicationDate};

    fn version(
        source: &str,
        record_id: &str,
        identifiers: Identifiers,
        orcid: Option<&str>,
    ) -> Record {
        Record::Publication(Box::new(Publication {
            id: Publication::stable_id(&identifiers, || format!("{source}:{record_id}")),
            identifiers,
            title: "Hearing aid outcomes across Welsh audiology services".into(),
            published: Some(PublicationDate::in_year(2023)),
            authors: vec![Author {
                position: 1,
                family: Some("Jones".into()),
                given: Some("Carys".into()),
                orcid: orcid.map(str::to_owned),
                valid: true,
                ..Author::default()
            }],
            provenance: vec![Provenance {
                source: source.into(),
                location: format!("https://example.invalid/{source}"),
                fetched_at: "2026-01-01T00:00:00Z".into(),
                record_id: Some(record_id.into()),
            }],
            ..Publication::default()
        }))
    }

    fn versions() -> Vec<Record> {
        vec![
            version(
                "pubmed",
                "pmid:111",
                Identifiers {
                    pmid: Some("111".into()),
                    ..Identifiers::default()
                },
                None,
            ),
            version(
                "europepmc",
                "MED:111",
                Identifiers {
                    pmid: Some("111".into()),
                    doi: Some("10.1000/audiology".into()),
                    ..Identifiers::default()
                },
                Some("0000-0002-1825-0097"),
            ),
            // A repository copy with no identifiers at all: found by title, year and first author.
            version("oai:orca", "oai:orca:42", Identifiers::default(), None),
        ]
    }

    fn index_in_order(order: &[usize]) -> Vec<Record> {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        let mut sink = RecordSink::open(&store, 15_000_000).unwrap();
        let all = versions();
        for (step, index) in order.iter().enumerate() {
            sink.upsert(all[*index].clone()).unwrap();
            // Alternate commits: merging must work across committed and staged records.
            if step % 2 == 0 {
                sink.commit(None).unwrap();
            }
        }
        sink.commit(None).unwrap();
        sink.finish().unwrap();
        store.export().unwrap()
    }

    #[test]
    fn the_same_work_from_three_sources_is_one_record_in_any_order() {
        let first = index_in_order(&[0, 1, 2]);
        assert_eq!(first.len(), 1, "{first:#?}");
        let Record::Publication(merged) = &first[0] else {
            panic!("not a publication")
        };
        assert_eq!(merged.id, "pmid:111");
        assert_eq!(merged.identifiers.doi.as_deref(), Some("10.1000/audiology"));
        assert_eq!(
            merged.authors[0].orcid.as_deref(),
            Some("0000-0002-1825-0097")
        );
        let sources: Vec<&str> = merged
            .provenance
            .iter()
            .map(|p| p.source.as_str())
            .collect();
        assert_eq!(sources, ["pubmed", "europepmc", "oai:orca"]);
        for order in [[2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            assert_eq!(index_in_order(&order), first, "order {order:?}");
        }
    }

    #[test]
    fn a_source_deleting_its_version_leaves_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        let mut sink = RecordSink::open(&store, 15_000_000).unwrap();
        for record in versions() {
            sink.upsert(record).unwrap();
        }
        sink.commit(None).unwrap();
        assert!(sink.delete_version("oai:orca", "oai:orca:42").unwrap());
        assert!(sink.delete_source_versions("pmid:111", "pubmed").unwrap());
        sink.commit(None).unwrap();
        let records = store.export().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].provenance().len(), 1);
        assert_eq!(records[0].provenance()[0].source, "europepmc");
        assert!(sink.delete_version("europepmc", "MED:111").unwrap());
        sink.commit(None).unwrap();
        assert!(store.export().unwrap().is_empty());
        assert_eq!(sink.counts().deleted, 1);
    }

    #[test]
    fn changes_after_the_last_checkpoint_are_never_half_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        let mut sink = RecordSink::open(&store, 15_000_000).unwrap();
        sink.set_commit_interval(Duration::from_secs(3600));
        let all = versions();
        sink.upsert(all[0].clone()).unwrap();
        sink.commit(Some(("test", serde_json::json!({"page": 1}))))
            .unwrap();
        // Staged, not yet durable: the interval has not passed.
        assert_eq!(store.count().unwrap(), 0);
        // A page cut short: one record upserted, no checkpoint for it.
        let mut other = all[1].clone();
        if let Record::Publication(p) = &mut other {
            p.identifiers.pmid = Some("222".into());
            p.id = "pmid:222".into();
            p.title = "A different study entirely, of tinnitus".into();
        }
        sink.upsert(other).unwrap();
        sink.flush().unwrap();
        sink.finish().unwrap();
        let ids: Vec<String> = store
            .export()
            .unwrap()
            .iter()
            .map(|r| r.id().to_owned())
            .collect();
        assert_eq!(ids, ["pmid:111"]);
        let payload = store.commit_payload().unwrap().unwrap();
        assert!(payload.contains("\"page\":1"), "{payload}");
    }

    /// An index as the indexer wrote it before `merge_probe` existed.
    fn store_without_probe(dir: &std::path::Path) -> IndexStore {
        let path = dir.join("index");
        std::fs::create_dir_all(&path).unwrap();
        tantivy::Index::create_in_dir(&path, crate::schema::previous_schema()).unwrap();
        let store = IndexStore::open_or_create(dir).unwrap();
        assert!(store.fields().merge_probe.is_none());
        store
    }

    fn publication(
        source: &str,
        record_id: &str,
        identifiers: Identifiers,
        title: &str,
        family: &str,
    ) -> Record {
        Record::Publication(Box::new(Publication {
            id: Publication::stable_id(&identifiers, || format!("{source}:{record_id}")),
            identifiers,
            title: title.into(),
            published: Some(PublicationDate::in_year(2021)),
            authors: vec![Author {
                position: 1,
                family: Some(family.into()),
                valid: true,
                ..Author::default()
            }],
            provenance: vec![Provenance {
                source: source.into(),
                location: format!("https://example.invalid/{source}"),
                fetched_at: "2026-01-01T00:00:00Z".into(),
                record_id: Some(record_id.into()),
            }],
            ..Publication::default()
        }))
    }

    fn ids(pmid: Option<String>, doi: Option<String>, pmcid: Option<String>) -> Identifiers {
        Identifiers {
            pmid,
            doi,
            pmcid,
            ..Identifiers::default()
        }
    }

    /// Works whose keys are shared many times over, as errata share their
    /// article's DOI and title, with true duplicates from other sources and
    /// the versions that merge whole groups (a DOI or a title and no PMID).
    fn shared_key_workload() -> Vec<Record> {
        let mut all = Vec::new();
        for group in 0..6u32 {
            let doi = format!("10.1000/shared.{group}");
            let title = format!("Outcomes of cochlear implant services, cohort {group}");
            for copy in 0..8u32 {
                let pmid = format!("{}", 1000 + group * 100 + copy);
                // Copies 0 and 1 of odd groups carry another DOI: they conflict on it.
                let own_doi = if group % 2 == 1 && copy < 2 {
                    format!("10.1000/own.{group}.{copy}")
                } else {
                    doi.clone()
                };
                all.push(publication(
                    "pubmed",
                    &format!("pmid:{pmid}"),
                    ids(Some(pmid.clone()), Some(own_doi.clone()), None),
                    &title,
                    "Jones",
                ));
                if copy % 3 == 0 {
                    all.push(publication(
                        "europepmc",
                        &format!("MED:{pmid}"),
                        ids(
                            Some(pmid.clone()),
                            Some(own_doi),
                            Some(format!("PMC{pmid}")),
                        ),
                        &title,
                        "Jones",
                    ));
                }
                if copy == 3 {
                    // Europe PMC's full-text copy, known by its PMCID only.
                    all.push(publication(
                        "europepmc",
                        &format!("PMC:{pmid}"),
                        ids(None, None, Some(format!("PMC{pmid}"))),
                        &format!("Full text of cohort {group}'s study, copy {copy}"),
                        "Jones",
                    ));
                }
            }
            match group {
                // A DOI and no PMID: compatible with every copy sharing the DOI.
                2 => all.push(publication(
                    "crossref",
                    &doi,
                    ids(None, Some(doi.clone()), None),
                    &title,
                    "Jones",
                )),
                // No identifier at all: found, and compatible, by title key only.
                3 => all.push(publication(
                    "oai:orca",
                    "oai:orca:3",
                    Identifiers::default(),
                    &title,
                    "Jones",
                )),
                // PubMed corrects a copy's DOI: its own earlier version is replaced
                // although the two conflict.
                4 => all.push(publication(
                    "pubmed",
                    "pmid:1405",
                    ids(Some("1405".into()), Some("10.1000/corrected".into()), None),
                    &title,
                    "Jones",
                )),
                // Another first author: a different title key, the same DOI.
                5 => all.push(publication(
                    "pubmed",
                    "pmid:1599",
                    ids(Some("1599".into()), Some(doi.clone()), None),
                    &title,
                    "Evans",
                )),
                _ => {}
            }
        }
        all
    }

    /// A seeded shuffle (no RNG dependency in this crate).
    fn shuffled(records: &[Record], seed: u64) -> Vec<Record> {
        let mut records = records.to_vec();
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        for index in (1..records.len()).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let other = (state >> 33) as usize % (index + 1);
            records.swap(index, other);
        }
        records
    }

    type Run = (Vec<UpsertOutcome>, SinkCounts, Vec<(Record, Vec<Record>)>);

    fn ingest(store: &IndexStore, records: &[Record], commit_every: usize) -> Run {
        let mut sink = RecordSink::open(store, 15_000_000).unwrap();
        let mut outcomes = Vec::new();
        for (step, record) in records.iter().enumerate() {
            outcomes.push(sink.upsert(record.clone()).unwrap());
            if commit_every > 0 && step % commit_every == commit_every - 1 {
                sink.commit(None).unwrap();
            }
            if step == records.len() / 2 {
                // A deletion mid-run, looked up by version key as always.
                sink.delete_version("europepmc", "PMC:1003").unwrap();
            }
        }
        // The second half again, unchanged: found through the probe, not rewritten.
        for record in &records[records.len() / 2..] {
            outcomes.push(sink.upsert(record.clone()).unwrap());
        }
        sink.commit(None).unwrap();
        let counts = sink.counts();
        sink.finish().unwrap();
        (outcomes, counts, store.export_with_versions().unwrap())
    }

    #[test]
    fn narrowed_lookups_merge_exactly_as_full_ones() {
        let workload = shared_key_workload();
        for seed in [0, 1, 2, 3] {
            let records = if seed == 0 {
                workload.clone()
            } else {
                shuffled(&workload, seed)
            };
            for commit_every in [0, 2, 9] {
                let new_dir = tempfile::tempdir().unwrap();
                let old_dir = tempfile::tempdir().unwrap();
                let new = ingest(
                    &IndexStore::open_or_create(new_dir.path()).unwrap(),
                    &records,
                    commit_every,
                );
                let old = ingest(&store_without_probe(old_dir.path()), &records, commit_every);
                assert_eq!(
                    new.0, old.0,
                    "outcomes, seed {seed}, commit every {commit_every}"
                );
                assert_eq!(
                    new.1, old.1,
                    "counts, seed {seed}, commit every {commit_every}"
                );
                assert_eq!(
                    new.2, old.2,
                    "index, seed {seed}, commit every {commit_every}"
                );
            }
        }
    }

    #[test]
    fn copies_sharing_a_doi_stay_apart_and_true_duplicates_merge() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        let (_, _, index) = ingest(&store, &shared_key_workload(), 1);
        let by_id: BTreeMap<&str, &(Record, Vec<Record>)> =
            index.iter().map(|entry| (entry.0.id(), entry)).collect();
        let versions_of = |id: &str| by_id[id].1.len();
        // Group 0: eight PubMed copies stay eight records; Europe PMC's copies
        // of 0, 3 and 6 join theirs (its PMCID-only copy of 3 was deleted mid-run).
        for copy in 0..8 {
            let expected = if copy % 3 == 0 { 2 } else { 1 };
            assert_eq!(versions_of(&format!("pmid:{}", 1000 + copy)), expected);
        }
        // Group 1 likewise, its PMCID-only copy of 3 kept.
        assert_eq!(versions_of("pmid:1103"), 3);
        // Group 2's Crossref version (a DOI, no PMID) conflicts with none of the
        // copies sharing the DOI, so it joins them all into one, as it always has;
        // group 3's repository copy (no identifier) does the same by title key.
        assert_eq!(versions_of("pmid:1200"), 8 + 3 + 1 + 1);
        assert_eq!(versions_of("pmid:1300"), 8 + 3 + 1 + 1);
        // PubMed's corrected DOI replaced its own earlier version of 1405.
        let (record, versions) = by_id["pmid:1405"];
        let Record::Publication(publication) = record else {
            panic!("not a publication")
        };
        assert_eq!(
            publication.identifiers.doi.as_deref(),
            Some("10.1000/corrected")
        );
        assert_eq!(versions.len(), 1);
        // Another first author: another work, under the same DOI.
        assert_eq!(versions_of("pmid:1599"), 1);
        assert_eq!(index.len(), 8 * 6 + 1 - 7 - 7);
    }

    #[test]
    fn a_new_pmid_under_a_crowded_doi_reads_no_candidates() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open_or_create(dir.path()).unwrap();
        let mut sink = RecordSink::open(&store, 15_000_000).unwrap();
        let doi = "10.1000/erratum";
        let title = "Erratum to outcomes of cochlear implant services";
        for pmid in 0..50u32 {
            let pmid = format!("{}", 5000 + pmid);
            let record = publication(
                "pubmed",
                &format!("pmid:{pmid}"),
                ids(Some(pmid), Some(doi.into()), None),
                title,
                "Jones",
            );
            assert_eq!(sink.upsert(record).unwrap(), UpsertOutcome::New);
            sink.commit(None).unwrap();
        }
        assert_eq!(sink.decoded.get(), 0);
        // The same PMID again, from Europe PMC: its one match is read.
        let duplicate = publication(
            "europepmc",
            "MED:5007",
            ids(
                Some("5007".into()),
                Some(doi.into()),
                Some("PMC5007".into()),
            ),
            title,
            "Jones",
        );
        assert_eq!(sink.upsert(duplicate).unwrap(), UpsertOutcome::Updated);
        assert_eq!(sink.decoded.get(), 1);
        sink.commit(None).unwrap();
        sink.finish().unwrap();
        assert_eq!(store.count().unwrap(), 50);
    }
}
