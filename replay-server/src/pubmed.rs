//! An E-utilities simulator over recorded PubMed records: ESearch (date
//! windows, uid ranges, the 10,000-id cap) and EFetch (POSTed id lists).
//!
//! Each record keeps its recorded XML byte for byte; only its Entrez date is
//! assigned here (spread over a date range), because the recorded efetch
//! files do not carry the date a search window filters on.
//!
//! [`Corpus::load`] reads the recorded records from a fixtures directory;
//! served under `/entrez/eutils/`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{read_text, LoadError, Request, Response};

/// The path prefix the simulator answers under (a harvest config's `base_url` path).
pub const PREFIX: &str = "/entrez/eutils/";

/// Where [`Corpus::load`] finds its records, under the fixtures directory: one
/// real efetch `PubmedArticle` per file.
pub const RECORDS_DIR: &str = "pubmed/efetch/metapub/pmid_xml";

/// The recorded ESearch answer (an `ErrorList` with `PhraseNotFound`) served for `abcXYZ`.
pub const PHRASE_NOT_FOUND: &str = "pubmed/eutils/biopython/esearch8.xml";

/// The Entrez day (January 2024) of the first [`CROWDED_FILES`] records
/// [`Corpus::load`] reads: more than a small cap, so that day is split by PMID range.
pub const CROWDED_DAY: u8 = 5;

/// How many records (files, in name order) [`Corpus::load`] puts on [`CROWDED_DAY`].
pub const CROWDED_FILES: usize = 12;

/// One recorded `PubmedArticle` with the Entrez date the simulator gives it.
#[derive(Debug, Clone)]
pub struct Article {
    /// PMID.
    pub pmid: u64,
    /// Entrez date as `(year, month, day)`.
    pub edat: (i32, u8, u8),
    /// The article's XML, `<PubmedArticle>…</PubmedArticle>`.
    pub xml: String,
}

/// The records ESearch and EFetch answer from.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    articles: BTreeMap<u64, Article>,
    /// Most ids one ESearch returns (NCBI: 10,000; tests shrink it to exercise splitting).
    pub cap: usize,
    /// The recorded body served for a query containing `abcXYZ` (an `ErrorList` response).
    pub phrase_not_found: Option<String>,
}

/// Splits recorded efetch XML into its `PubmedArticle` elements.
pub fn articles_in(xml: &str) -> Vec<(u64, String)> {
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<PubmedArticle>") {
        let Some(length) = rest[start..].find("</PubmedArticle>") else {
            break;
        };
        let end = start + length + "</PubmedArticle>".len();
        let article = &rest[start..end];
        if let Some(pmid) = first_pmid(article) {
            found.push((pmid, article.to_owned()));
        }
        rest = &rest[end..];
    }
    found
}

fn first_pmid(article: &str) -> Option<u64> {
    let start = article.find("<PMID")?;
    let open_end = start + article[start..].find('>')? + 1;
    let close = open_end + article[open_end..].find('<')?;
    article[open_end..close].trim().parse().ok()
}

impl Corpus {
    /// An empty corpus with NCBI's cap.
    pub fn new() -> Self {
        Self {
            articles: BTreeMap::new(),
            cap: 10_000,
            phrase_not_found: None,
        }
    }

    /// Loads the first `max_files` files (in name order) of [`RECORDS_DIR`] under
    /// `fixtures`, with NCBI's cap and the recorded [`PHRASE_NOT_FOUND`] answer.
    ///
    /// Entrez dates fall in January 2024: the first [`CROWDED_FILES`] files' records
    /// on [`CROWDED_DAY`], the rest spread over the month (file `i` on day `1 + i % 28`).
    pub fn load(fixtures: &Path, max_files: usize) -> Result<Self, LoadError> {
        let mut corpus = Self::new();
        corpus.phrase_not_found = Some(read_text(&fixtures.join(PHRASE_NOT_FOUND))?);
        let dir = fixtures.join(RECORDS_DIR);
        let entries = std::fs::read_dir(&dir).map_err(|source| LoadError::Read {
            path: dir.clone(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LoadError::Read {
                path: dir.clone(),
                source,
            })?;
            files.push(entry.path());
        }
        files.sort();
        for (index, file) in files.iter().take(max_files).enumerate() {
            let xml = read_text(file)?;
            let articles = articles_in(&xml);
            if articles.is_empty() {
                return Err(LoadError::invalid(file, "no PubmedArticle with a PMID"));
            }
            let day = if index < CROWDED_FILES {
                CROWDED_DAY
            } else {
                1 + (index % 28) as u8
            };
            for (pmid, article) in articles {
                corpus.add(Article {
                    pmid,
                    edat: (2024, 1, day),
                    xml: article,
                });
            }
        }
        Ok(corpus)
    }

    /// Adds an article (replacing one with the same PMID).
    pub fn add(&mut self, article: Article) {
        self.articles.insert(article.pmid, article);
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// True when there are no articles.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// Every PMID, ascending.
    pub fn pmids(&self) -> Vec<u64> {
        self.articles.keys().copied().collect()
    }

    /// Answers an E-utilities request (paths ending `esearch.fcgi` / `efetch.fcgi`).
    pub fn handle(&self, request: &Request) -> Response {
        if request.path.ends_with("esearch.fcgi") {
            self.esearch(request)
        } else if request.path.ends_with("efetch.fcgi") {
            self.efetch(request)
        } else {
            Response::not_found()
        }
    }

    fn esearch(&self, request: &Request) -> Response {
        let term = request.param("term").unwrap_or_default();
        if term.contains("abcXYZ") {
            if let Some(body) = &self.phrase_not_found {
                return Response::ok("text/xml; charset=UTF-8", body.clone());
            }
        }
        let (Some(min), Some(max)) = (
            request.param("mindate").and_then(parse_date),
            request.param("maxdate").and_then(parse_date),
        ) else {
            return Response::ok(
                "text/xml",
                "<?xml version=\"1.0\" ?><eSearchResult><ERROR>Invalid mindate/maxdate</ERROR></eSearchResult>",
            );
        };
        let uids = uid_range(term);
        let retmax: usize = request
            .param("retmax")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20)
            .min(self.cap);
        let matches: Vec<u64> = self
            .articles
            .values()
            .filter(|a| a.edat >= min && a.edat <= max)
            .filter(|a| uids.is_none_or(|(low, high)| a.pmid >= low && a.pmid <= high))
            .map(|a| a.pmid)
            .rev()
            .collect();
        let mut body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE eSearchResult PUBLIC \"-//NLM//DTD esearch 20060628//EN\" \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\">\n<eSearchResult><Count>{}</Count><RetMax>{}</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_replay</WebEnv><IdList>\n",
            matches.len(),
            matches.len().min(retmax)
        );
        for pmid in matches.iter().take(retmax) {
            body.push_str(&format!("<Id>{pmid}</Id>\n"));
        }
        body.push_str("</IdList><TranslationSet/><QueryTranslation>");
        body.push_str(&escape(term));
        body.push_str("[All Fields]</QueryTranslation></eSearchResult>\n");
        Response::ok("text/xml; charset=UTF-8", body)
    }

    fn efetch(&self, request: &Request) -> Response {
        let ids = request.param("id").unwrap_or_default();
        let mut body = String::from(
            "<?xml version=\"1.0\" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2025//EN\" \"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n<PubmedArticleSet>\n",
        );
        for id in ids.split(',') {
            if let Some(article) = id
                .trim()
                .parse()
                .ok()
                .and_then(|id: u64| self.articles.get(&id))
            {
                body.push_str(&article.xml);
                body.push('\n');
            }
        }
        body.push_str("</PubmedArticleSet>\n");
        Response::ok("text/xml; charset=UTF-8", body)
    }
}

fn parse_date(text: &str) -> Option<(i32, u8, u8)> {
    let mut parts = text.split('/');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    Some((year, month, day))
}

/// `… AND 1:500[uid]` → `(1, 500)`.
fn uid_range(term: &str) -> Option<(u64, u64)> {
    let end = term.rfind("[uid]")?;
    let start = term[..end].rfind(' ').map_or(0, |i| i + 1);
    let (low, high) = term[start..end].split_once(':')?;
    Some((low.parse().ok()?, high.parse().ok()?))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uid_ranges_and_pmids() {
        assert_eq!(uid_range("(x) AND 10:20[uid]"), Some((10, 20)));
        assert_eq!(uid_range("x"), None);
        let xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">42</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>";
        assert_eq!(articles_in(xml)[0].0, 42);
    }
}
