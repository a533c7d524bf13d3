//! The raw-response archive: every response a harvester accepts for parsing is
//! kept, gzip-compressed, with its request and fetch time, so `indexer reparse`
//! can rebuild every record without the network.
//!
//! Layout: `<data>/raw/<source>/<run>.jsonl.zst`, one zstd-compressed JSON
//! Lines file per source per harvest run (`zstd -dc FILE | head` reads one).
//! Each entry is flushed as it is appended, so a run killed mid-write loses at
//! most the entry being written; the reader stops at a torn tail and says so.
//!
//! zstd rather than gzip: compressing every response is on the harvest's hot
//! path, and zstd's fastest level compresses several times faster than
//! deflate's and smaller.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Folder of the raw-response archive inside the data directory.
pub const RAW_DIR: &str = "raw";

use serde::{Deserialize, Serialize};

use super::http::{HttpRequest, HttpResponse, Method};

/// File extension of archive files.
pub const ARCHIVE_EXTENSION: &str = "jsonl.zst";

/// Parameter names whose values are secrets and never written to disk or logs.
///
/// The operator's contact address (NCBI's `email`, Europe PMC's) is not a
/// secret, but it is personal data, so it stays out of archives and logs too.
const SECRET_PARAMETERS: [&str; 5] = ["api_key", "apikey", "access_token", "token", "email"];

/// Replaces the value of a secret parameter with `***`.
pub fn mask_secret<'a>(name: &str, value: &'a str) -> &'a str {
    if SECRET_PARAMETERS
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
    {
        "***"
    } else {
        value
    }
}

/// One archived exchange: the request as sent and the response as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedRequest {
    /// Source name (e.g. "pubmed").
    pub source: String,
    /// Response kind, chosen by the harvester (e.g. "efetch").
    pub kind: String,
    /// GET or POST.
    pub method: Method,
    /// URL without query string.
    pub url: String,
    /// Query parameters (secrets masked).
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// Form parameters (secrets masked).
    #[serde(default)]
    pub form: Vec<(String, String)>,
    /// When the response was received (RFC 3339, UTC).
    pub fetched_at: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` of the response, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body, as text (every source we harvest answers in UTF-8 XML, JSON or CSV).
    pub body: String,
}

impl ArchivedRequest {
    /// Builds the archive entry for an exchange, masking secrets.
    pub fn from_exchange(request: &HttpRequest, response: &HttpResponse) -> Self {
        let masked = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(name, value)| (name.clone(), mask_secret(name, value).to_owned()))
                .collect()
        };
        Self {
            source: request.source.clone(),
            kind: request.kind.clone(),
            method: request.method,
            url: request.url.clone(),
            query: masked(&request.query),
            form: masked(&request.form),
            fetched_at: response.fetched_at.clone(),
            status: response.status,
            content_type: response.header("content-type").map(str::to_owned),
            body: match std::str::from_utf8(&response.body) {
                Ok(text) => text.to_owned(),
                Err(_) => String::from_utf8_lossy(&response.body).into_owned(),
            },
        }
    }

    /// First value of a query or form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The URL with its query string, for provenance and messages.
    pub fn display_url(&self) -> String {
        if self.query.is_empty() {
            return self.url.clone();
        }
        let params: Vec<String> = self
            .query
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!("{}?{}", self.url, params.join("&"))
    }
}

/// Appends one run's entries to `<raw_dir>/<source>/<run>.jsonl.zst`, a file per source.
///
/// Each file is one zstd stream, flushed after every entry: an entry is in
/// the OS before its response is parsed, and a run killed mid-write leaves a
/// readable prefix. One stream per file, rather than a frame per entry, keeps
/// the compressor's state (and its ratio) across entries.
pub struct ArchiveWriter {
    raw_dir: PathBuf,
    run: String,
    files: HashMap<String, zstd::stream::write::Encoder<'static, File>>,
}

impl ArchiveWriter {
    /// An archive for run `run` under `raw_dir` (files are created on first use).
    pub fn new(raw_dir: &Path, run: &str) -> Self {
        Self {
            raw_dir: raw_dir.to_owned(),
            run: run.to_owned(),
            files: HashMap::new(),
        }
    }

    /// The file entries of `source` go to.
    pub fn path_for(&self, source: &str) -> PathBuf {
        self.raw_dir
            .join(sanitize(source))
            .join(format!("{}.{ARCHIVE_EXTENSION}", self.run))
    }

    /// Appends one entry and flushes it to the OS.
    pub fn append(&mut self, entry: &ArchivedRequest) -> io::Result<()> {
        let encoder = match self.files.get_mut(&entry.source) {
            Some(encoder) => encoder,
            None => {
                let path = self.path_for(&entry.source);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                let file = OpenOptions::new().create(true).append(true).open(&path)?;
                let encoder = zstd::stream::write::Encoder::new(file, 1)?;
                self.files.entry(entry.source.clone()).or_insert(encoder)
            }
        };
        serde_json::to_writer(&mut *encoder, entry)?;
        encoder.write_all(b"\n")?;
        encoder.flush()
    }

    /// Ends every file's zstd stream cleanly (also done on drop).
    pub fn finish(&mut self) -> io::Result<()> {
        for (_, encoder) in self.files.drain() {
            encoder.finish()?;
        }
        Ok(())
    }
}

impl Drop for ArchiveWriter {
    fn drop(&mut self) {
        if let Err(error) = self.finish() {
            tracing::error!("closing the raw-response archive: {error}");
        }
    }
}

/// A problem reading the archive: which file, and what.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ArchiveError {
    /// The archive file.
    pub path: PathBuf,
    /// What went wrong (e.g. a torn last entry after a crash).
    pub message: String,
}

/// Every archived exchange in the directory of `source` (a sanitised source
/// name, as [`archived_sources`] lists them), oldest run first, in fetch order.
///
/// A torn or corrupt tail (a run killed mid-write) ends that file's entries and
/// is reported in the second list; entries before it are returned.
pub fn read_source(
    raw_dir: &Path,
    source: &str,
) -> io::Result<(Vec<ArchivedRequest>, Vec<ArchiveError>)> {
    let directory = raw_dir.join(source);
    let mut files: Vec<PathBuf> = match fs::read_dir(&directory) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.to_string_lossy().ends_with(ARCHIVE_EXTENSION))
            .collect(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    files.sort();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let reader = BufReader::new(zstd::stream::read::Decoder::new(File::open(&path)?)?);
        for (number, line) in reader.lines().enumerate() {
            let parsed = line
                .map_err(|error| error.to_string())
                .and_then(|line| serde_json::from_str(&line).map_err(|error| error.to_string()));
            match parsed {
                Ok(entry) => entries.push(entry),
                Err(message) => {
                    problems.push(ArchiveError {
                        path: path.clone(),
                        message: format!("entry {}: {message}", number + 1),
                    });
                    break;
                }
            }
        }
    }
    Ok((entries, problems))
}

/// Sources that have an archive under `raw_dir`.
pub fn archived_sources(raw_dir: &Path) -> io::Result<Vec<String>> {
    let mut sources = match fs::read_dir(raw_dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    sources.sort();
    Ok(sources)
}

/// Source names become directory names: keep them to a safe alphabet (`oai:orca` → `oai_orca`).
fn sanitize(source: &str) -> String {
    source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &str) -> ArchivedRequest {
        ArchivedRequest {
            source: "pubmed".into(),
            kind: "efetch".into(),
            method: Method::Post,
            url: "http://127.0.0.1/efetch.fcgi".into(),
            query: vec![],
            form: vec![("id".into(), "1,2".into())],
            fetched_at: "2026-01-01T00:00:00Z".into(),
            status: 200,
            content_type: Some("text/xml".into()),
            body: body.into(),
        }
    }

    #[test]
    fn round_trips_and_survives_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = ArchiveWriter::new(dir.path(), "run1");
        writer.append(&entry("<a/>")).unwrap();
        writer.append(&entry("<b/>")).unwrap();
        let path = writer.path_for("pubmed");
        drop(writer);
        let mut bytes = fs::read(&path).unwrap();
        let whole = bytes.len();
        // A second stream appended, cut mid-entry by a crash.
        let mut tail = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        tail.write_all(b"{\"torn\":").unwrap();
        tail.flush().unwrap();
        let tail = tail.get_ref().clone();
        bytes.extend_from_slice(&tail);
        fs::write(&path, &bytes).unwrap();
        let (entries, problems) = read_source(dir.path(), "pubmed").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].body, "<b/>");
        assert_eq!(problems.len(), 1, "{whole}");
    }

    #[test]
    fn a_run_killed_mid_stream_keeps_every_flushed_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = ArchiveWriter::new(dir.path(), "run1");
        writer.append(&entry("<a/>")).unwrap();
        writer.append(&entry("<b/>")).unwrap();
        // No finish: the gzip stream has no trailer, as after kill -9.
        std::mem::forget(writer);
        let (entries, problems) = read_source(dir.path(), "pubmed").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(problems.len(), 1, "the missing trailer is reported");
    }

    #[test]
    fn masks_secrets() {
        assert_eq!(mask_secret("api_key", "abc"), "***");
        assert_eq!(mask_secret("term", "abc"), "abc");
    }
}
