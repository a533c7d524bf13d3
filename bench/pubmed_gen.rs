//! The PubMed benchmarks' input generator: baseline-shaped `PubmedArticleSet`
//! documents copied byte for byte from the real fixture records, in seeded
//! shuffled round-robin order, with each copy's own PMIDs rewritten to
//! unique values (see `pubmed_xml.rs` for the method). Shared by
//! `pubmed_xml` (one file) and `scale` (many files, PMIDs unique across
//! them), so both read the same records.

#![allow(dead_code)] // each benchmark uses its own part

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

/// First PMID given to generated records.
pub const PMID_BASE: u64 = 90_000_000;

/// One fixture `PubmedArticle` block with the spans of its own PMIDs.
pub struct Template {
    /// The raw `<PubmedArticle>…</PubmedArticle>` bytes.
    pub bytes: Vec<u8>,
    /// Spans of PMID text to replace, in ascending order.
    pub pmid_spans: Vec<(usize, usize)>,
}

/// The fixture files records are taken from, sorted for determinism.
pub fn fixture_files(fixtures: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for dir in ["efetch", "exports", "nlm-sample"] {
        collect_xml(&fixtures.join(dir), &mut files)?;
    }
    files.sort();
    Ok(files)
}

/// Recursively collects `*.xml` and `*.xml.gz` files under `dir`.
pub fn collect_xml(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_xml(&path, files)?;
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if (name.ends_with(".xml") || name.ends_with(".xml.gz")) && !name.contains("truncated")
            {
                files.push(path);
            }
        }
    }
    Ok(())
}

/// FNV-1a over the fixture paths (relative to the fixture directory) and
/// sizes: enough to notice changed fixtures.
pub fn fingerprint(fixtures: &Path, files: &[PathBuf]) -> Result<String> {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for file in files {
        let size = std::fs::metadata(file)?.len();
        let name = file
            .strip_prefix(fixtures)
            .unwrap_or(file)
            .to_string_lossy();
        for byte in name.bytes().chain(size.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(format!("{hash:016x}-{}", files.len()))
}

/// Reads a file, gunzipping it when its name ends in `.gz`.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut out = Vec::new();
        GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("gunzipping {}", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Finds `needle` in `hay` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|pos| pos + from)
}

/// Finds the start of an element named exactly `name` (`<name>` or
/// `<name attr…>`), at or after `from`.
pub fn find_start_tag(hay: &[u8], name: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let pos = find(hay, b"<", at)?;
        let rest = &hay[pos + 1..];
        if rest.starts_with(name)
            && matches!(
                rest.get(name.len()),
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')
            )
        {
            return Some(pos);
        }
        at = pos + 1;
    }
}

/// Cuts every `<PubmedArticle>…</PubmedArticle>` block out of a fixture file.
pub fn extract_templates(xml: &[u8], templates: &mut Vec<Template>) -> Result<()> {
    let mut at = 0;
    while let Some(start) = find_start_tag(xml, b"PubmedArticle", at) {
        let close = find(xml, b"</PubmedArticle>", start)
            .with_context(|| format!("unclosed PubmedArticle at byte {start}"))?;
        let end = close + b"</PubmedArticle>".len();
        let bytes = xml[start..end].to_vec();
        let pmid_spans = own_pmid_spans(&bytes).with_context(|| {
            format!("PubmedArticle at byte {start} has no MedlineCitation PMID")
        })?;
        templates.push(Template { bytes, pmid_spans });
        at = end;
    }
    Ok(())
}

/// The spans of a record's own PMIDs: the `MedlineCitation/PMID` text and,
/// if present, the `PubmedData/ArticleIdList/ArticleId[@IdType="pubmed"]`
/// text. References and comments/corrections are left alone.
pub fn own_pmid_spans(record: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut spans = Vec::with_capacity(2);

    // MedlineCitation's first child is its PMID (DTD order), so the first
    // <PMID> after <MedlineCitation is the record's own.
    let citation = find_start_tag(record, b"MedlineCitation", 0)?;
    let pmid = find_start_tag(record, b"PMID", citation)?;
    let text_start = find(record, b">", pmid)? + 1;
    let text_end = find(record, b"</PMID>", text_start)?;
    if !is_digits(&record[text_start..text_end]) {
        return None;
    }
    spans.push((text_start, text_end));

    // PubmedData: History?, PublicationStatus, ArticleIdList, ObjectList?,
    // ReferenceList* — the first ArticleIdList is the record's own as long
    // as no ReferenceList comes before it.
    if let Some(data) = find_start_tag(record, b"PubmedData", text_end) {
        let list = find_start_tag(record, b"ArticleIdList", data);
        let references = find_start_tag(record, b"ReferenceList", data);
        if let Some(list) = list.filter(|&list| references.is_none_or(|r| list < r)) {
            let list_end = find(record, b"</ArticleIdList>", list)?;
            let mut at = list;
            while let Some(id) = find_start_tag(record, b"ArticleId", at).filter(|&p| p < list_end)
            {
                let tag_end = find(record, b">", id)?;
                let text_start = tag_end + 1;
                let text_end = find(record, b"</ArticleId>", text_start)?;
                let tag = &record[id..tag_end];
                if find(tag, b"IdType=\"pubmed\"", 0).is_some()
                    && is_digits(&record[text_start..text_end])
                {
                    spans.push((text_start, text_end));
                    break;
                }
                at = text_end;
            }
        }
    }
    Some(spans)
}

/// Whether `bytes` is a non-empty run of ASCII digits.
pub fn is_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// SplitMix64: a tiny, good-enough seeded generator for the record order.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-enough index in `0..bound` (bound is small; bias negligible).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// Writes a one-file document of `records` records, PMIDs from
/// [`PMID_BASE`]; returns its uncompressed size.
pub fn write_input(path: &Path, templates: &[Template], records: usize, seed: u64) -> Result<u64> {
    write_file(
        path,
        templates,
        &mut RecordStream::new(templates.len(), seed),
        records,
    )
}

/// The record sequence: which template the i-th generated record copies,
/// in seeded shuffled round-robin order (every template once per pass, a
/// fresh Fisher–Yates shuffle per pass), and its PMID `PMID_BASE + i`. One
/// stream written into several files gives PMIDs unique across them.
pub struct RecordStream {
    /// The order generator.
    rng: SplitMix64,
    /// The current pass's template order.
    order: Vec<usize>,
    /// Index of the next record.
    next: usize,
}

impl RecordStream {
    /// The stream over `templates` templates for `seed`.
    pub fn new(templates: usize, seed: u64) -> Self {
        Self {
            rng: SplitMix64(seed),
            order: (0..templates).collect(),
            next: 0,
        }
    }

    /// The next record's template index and PMID.
    pub fn next_record(&mut self) -> (usize, u64) {
        let i = self.next;
        self.next += 1;
        let slot = i % self.order.len();
        if slot == 0 {
            for j in (1..self.order.len()).rev() {
                self.order.swap(j, self.rng.below(j + 1));
            }
        }
        (self.order[slot], PMID_BASE + i as u64)
    }
}

/// Writes the next `records` records of `stream` as one gzipped
/// `PubmedArticleSet` document at `path`; returns its uncompressed size.
pub fn write_file(
    path: &Path,
    templates: &[Template],
    stream: &mut RecordStream,
    records: usize,
) -> Result<u64> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = CountingWriter {
        inner: GzEncoder::new(BufWriter::new(file), Compression::default()),
        written: 0,
    };
    out.write_all(
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
          <!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2025//EN\" \
          \"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n\
          <PubmedArticleSet>\n",
    )?;
    for _ in 0..records {
        let (template, pmid) = stream.next_record();
        let template = &templates[template];
        let pmid = pmid.to_string();
        out.write_all(b"  ")?;
        let mut at = 0;
        for &(start, end) in &template.pmid_spans {
            out.write_all(&template.bytes[at..start])?;
            out.write_all(pmid.as_bytes())?;
            at = end;
        }
        out.write_all(&template.bytes[at..])?;
        out.write_all(b"\n")?;
    }
    out.write_all(b"</PubmedArticleSet>\n")?;
    let written = out.written;
    out.inner
        .finish()?
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    Ok(written)
}

/// Every template record in `files`, in file order (a note on stderr for a
/// file without any).
pub fn load_templates(files: &[PathBuf]) -> Result<Vec<Template>> {
    let mut templates = Vec::new();
    for file in files {
        let bytes = read_maybe_gz(file)?;
        let before = templates.len();
        extract_templates(&bytes, &mut templates)
            .with_context(|| format!("extracting records from {}", file.display()))?;
        if templates.len() == before {
            eprintln!("note: no PubmedArticle records in {}", file.display());
        }
    }
    ensure!(
        !templates.is_empty(),
        "no PubmedArticle records in fixtures"
    );
    Ok(templates)
}

/// Where the sidecar describing `out` lives.
pub fn meta_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

/// Counts the uncompressed bytes written through it.
pub struct CountingWriter<W> {
    /// Where the bytes go.
    pub inner: W,
    /// Bytes written so far.
    pub written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
