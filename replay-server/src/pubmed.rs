//! An E-utilities simulator over recorded PubMed records: ESearch (date
//! windows, paging, the 10,000-id cap and — with [`TermMode::Evaluate`] —
//! PubMed's query language) and EFetch (POSTed id lists).
//!
//! Each record keeps its recorded XML byte for byte; only its Entrez date is
//! assigned here, because the recorded efetch files do not carry the date a
//! search window filters on.
//!
//! Two corpora: [`Corpus::load`] reads the recorded metapub efetch records,
//! spread over January 2024, and ignores search terms apart from `[uid]`
//! ranges (the window-splitting harvest tests search `wales[ad]` and expect
//! every record); [`Corpus::load_all`] reads every recorded `PubmedArticle`,
//! dated by publication, and evaluates terms with
//! [`crate::pubmed_query`] (roster-driven retrieval tests). Served under
//! `/entrez/eutils/`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::pubmed_query::{self, DateField, RecordFields, SearchIndex, Window, Ymd};
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

/// Where [`Corpus::load_all`] looks for records, under the fixtures directory (recursively).
pub const ALL_RECORD_DIRS: [&str; 2] = ["pubmed", "wales-demo/pubmed"];

/// The Entrez date [`Corpus::load_all`] gives a record without a publication date.
pub const UNDATED: Ymd = (2000, 1, 1);

/// How ESearch treats its `term`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermMode {
    /// Only `lo:hi[uid]` ranges restrict (every other term counts as true),
    /// and the translation echoes the term as `<term>[All Fields]`: the
    /// behaviour the window-splitting harvest tests were written against.
    #[default]
    UidRangesOnly,
    /// The term is parsed and evaluated as PubMed does (see [`crate::pubmed_query`]):
    /// field tags, operators, dropped phrases reported, syntax errors as `<ERROR>`.
    Evaluate,
}

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
    /// How ESearch treats the search term.
    pub terms: TermMode,
    /// Built on first use (or by [`Corpus::load_all`]); [`Corpus::add`] discards it.
    index: OnceLock<SearchIndex>,
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
            terms: TermMode::default(),
            index: OnceLock::new(),
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

    /// Loads every `PubmedArticle` under [`ALL_RECORD_DIRS`] of `fixtures`
    /// (`*.xml` and gzipped `*.xml.gz`, recursively, in path order; files
    /// holding none, like recorded ESearch answers, are skipped), the first
    /// copy of a repeated PMID kept, each dated (Entrez date) by its
    /// publication date or [`UNDATED`]; terms are evaluated
    /// ([`TermMode::Evaluate`]) and the records indexed once, here.
    ///
    /// A gzip file cut short keeps the complete articles before the cut.
    pub fn load_all(fixtures: &Path) -> Result<Self, LoadError> {
        let mut corpus = Self::new();
        corpus.terms = TermMode::Evaluate;
        corpus.phrase_not_found = Some(read_text(&fixtures.join(PHRASE_NOT_FOUND))?);
        let mut files = Vec::new();
        for dir in ALL_RECORD_DIRS {
            let mut found = Vec::new();
            collect_record_files(&fixtures.join(dir), &mut found)?;
            found.sort();
            files.extend(found);
        }
        let mut records: Vec<(u64, Ymd, RecordFields)> = Vec::new();
        for file in &files {
            let text = read_record_file(file)?;
            for (pmid, xml) in articles_in(&text) {
                if corpus.articles.contains_key(&pmid) {
                    continue;
                }
                let fields = RecordFields::from_xml(&xml);
                let edat = fields.publication_date.unwrap_or(UNDATED);
                corpus.articles.insert(pmid, Article { pmid, edat, xml });
                records.push((pmid, edat, fields));
            }
        }
        let _ = corpus.index.set(SearchIndex::from_fields(records));
        Ok(corpus)
    }

    /// Adds an article (replacing one with the same PMID).
    pub fn add(&mut self, article: Article) {
        self.articles.insert(article.pmid, article);
        self.index = OnceLock::new();
    }

    /// The records' search index, built on first use.
    pub fn search_index(&self) -> &SearchIndex {
        self.index.get_or_init(|| {
            SearchIndex::build(
                self.articles
                    .values()
                    .map(|article| (article.pmid, article.edat, article.xml.as_str())),
            )
        })
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

    /// A loopback server answering E-utilities requests from this corpus.
    pub fn serve(self: &std::sync::Arc<Self>) -> crate::ReplayServer {
        let corpus = std::sync::Arc::clone(self);
        crate::ReplayServer::start(move |request| corpus.handle(request))
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
        let window = match (request.param("mindate"), request.param("maxdate")) {
            (None, None) => None,
            (Some(min), Some(max)) => match (parse_date(min, false), parse_date(max, true)) {
                (Some(from), Some(to)) => Some((from, to)),
                _ => return invalid_dates(),
            },
            // NCBI needs both ends of a window.
            _ => return invalid_dates(),
        };
        let retmax: usize = request
            .param("retmax")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(20)
            .min(self.cap);
        let retstart: usize = request
            .param("retstart")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let (matches, translation, not_found) = match self.terms {
            TermMode::UidRangesOnly => {
                // An unreadable term restricts nothing here, as before terms were parsed.
                let query = pubmed_query::parse(term).ok();
                let matches: Vec<u64> = self
                    .articles
                    .values()
                    .filter(|a| window.is_none_or(|(min, max)| a.edat >= min && a.edat <= max))
                    .filter(|a| query.as_ref().is_none_or(|q| q.admits_pmid(a.pmid)))
                    .map(|a| a.pmid)
                    .rev()
                    .collect();
                (matches, format!("{}[All Fields]", escape(term)), None)
            }
            TermMode::Evaluate => {
                let query = match pubmed_query::parse(term) {
                    Ok(query) => query,
                    Err(error) => return esearch_error(&error.to_string()),
                };
                let field = match request.param("datetype") {
                    Some("pdat") => DateField::Publication,
                    _ => DateField::Entry,
                };
                let window = window.map(|(from, to)| Window { field, from, to });
                let search = self.search_index().search(&query, window);
                (
                    search.pmids,
                    escape(&search.translation),
                    Some(search.not_found),
                )
            }
        };
        let page: Vec<u64> = matches
            .iter()
            .skip(retstart)
            .take(retmax)
            .copied()
            .collect();
        let history = match self.terms {
            TermMode::UidRangesOnly => true,
            TermMode::Evaluate => request.param("usehistory") == Some("y"),
        };
        let mut body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE eSearchResult PUBLIC \"-//NLM//DTD esearch 20060628//EN\" \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\">\n<eSearchResult><Count>{}</Count><RetMax>{}</RetMax><RetStart>{retstart}</RetStart>",
            matches.len(),
            page.len(),
        );
        if history {
            body.push_str("<QueryKey>1</QueryKey><WebEnv>MCID_replay</WebEnv>");
        }
        if page.is_empty() && not_found.is_some() {
            body.push_str("<IdList/>");
        } else {
            body.push_str("<IdList>\n");
            for pmid in &page {
                body.push_str(&format!("<Id>{pmid}</Id>\n"));
            }
            body.push_str("</IdList>");
        }
        body.push_str("<TranslationSet/><QueryTranslation>");
        body.push_str(&translation);
        body.push_str("</QueryTranslation>");
        if let Some(not_found) = not_found {
            // The DTD's order: ErrorList (PhraseNotFound*), then WarningList
            // (QuotedPhraseNotFound*, OutputMessage*).
            let unquoted: Vec<_> = not_found.iter().filter(|n| !n.quoted).collect();
            let quoted: Vec<_> = not_found.iter().filter(|n| n.quoted).collect();
            if !unquoted.is_empty() {
                body.push_str("<ErrorList>");
                for phrase in unquoted {
                    body.push_str(&format!(
                        "<PhraseNotFound>{}</PhraseNotFound>",
                        escape(&phrase.text)
                    ));
                }
                body.push_str("</ErrorList>");
            }
            if !quoted.is_empty() || matches.is_empty() {
                body.push_str("<WarningList>");
                for phrase in quoted {
                    body.push_str(&format!(
                        "<QuotedPhraseNotFound>\"{}\"</QuotedPhraseNotFound>",
                        escape(&phrase.text)
                    ));
                }
                if matches.is_empty() {
                    body.push_str("<OutputMessage>No items found.</OutputMessage>");
                }
                body.push_str("</WarningList>");
            }
        }
        body.push_str("</eSearchResult>\n");
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

fn invalid_dates() -> Response {
    Response::ok(
        "text/xml",
        "<?xml version=\"1.0\" ?><eSearchResult><ERROR>Invalid mindate/maxdate</ERROR></eSearchResult>",
    )
}

/// NCBI's answer to a search it cannot run: HTTP 200 with an `ERROR` element.
fn esearch_error(message: &str) -> Response {
    Response::ok(
        "text/xml; charset=UTF-8",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE eSearchResult PUBLIC \"-//NLM//DTD esearch 20060628//EN\" \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\">\n<eSearchResult><ERROR>{}</ERROR></eSearchResult>\n",
            escape(message)
        ),
    )
}

/// Every `*.xml` and `*.xml.gz` file under `dir`, recursively (symlinked directories are not followed).
fn collect_record_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let read_error = |source| LoadError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(read_error)?;
        if kind.is_dir() {
            collect_record_files(&path, files)?;
        } else if path.is_file() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".xml") || name.ends_with(".xml.gz") {
                files.push(path);
            }
        }
    }
    Ok(())
}

/// A record file's text; a gzip member cut short yields what was decompressed before the cut.
fn read_record_file(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    if !path.to_string_lossy().ends_with(".gz") {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes.as_slice());
    let mut text = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => text.extend_from_slice(&chunk[..read]),
        }
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// `YYYY[/MM[/DD]]`; a missing month or day is the period's first day, or
/// its last with `upper` (`maxdate=2020` covers all of 2020).
fn parse_date(text: &str, upper: bool) -> Option<(i32, u8, u8)> {
    let (month_default, day_default) = if upper { (12, 31) } else { (1, 1) };
    let mut parts = text.trim().split('/');
    let year = parts.next()?.parse().ok()?;
    let month = parts
        .next()
        .map_or(Some(month_default), |m| m.parse().ok())?;
    let day = parts.next().map_or(Some(day_default), |d| d.parse().ok())?;
    if parts.next().is_some() {
        return None;
    }
    Some((year, month, day))
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
        let query = pubmed_query::parse("(x) AND 10:20[uid]").unwrap();
        assert!(query.admits_pmid(10) && query.admits_pmid(20) && !query.admits_pmid(21));
        let xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">42</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>";
        assert_eq!(articles_in(xml)[0].0, 42);
    }

    fn fixtures() -> &'static Path {
        Path::new("../fixtures")
    }

    fn esearch(corpus: &Corpus, params: &[(&str, &str)], post: bool) -> String {
        let pairs: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut request = Request {
            method: if post { "POST" } else { "GET" }.to_owned(),
            path: format!("{PREFIX}esearch.fcgi"),
            ..Request::default()
        };
        if post {
            request.form = pairs;
        } else {
            request.query = pairs;
        }
        let response = corpus.handle(&request);
        assert_eq!(response.status, 200);
        String::from_utf8(response.body).expect("UTF-8")
    }

    fn ids(body: &str) -> Vec<u64> {
        body.split("<Id>")
            .skip(1)
            .filter_map(|part| part.split('<').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn the_efetch_corpus_still_ignores_terms_but_uid_ranges() {
        let corpus = Corpus::load(fixtures(), 40).expect("loads");
        assert_eq!(corpus.terms, TermMode::UidRangesOnly);
        let window = [
            ("mindate", "2024/01/01"),
            ("maxdate", "2024/01/31"),
            ("retmax", "100"),
        ];
        let mut params = vec![("term", "wales[ad]")];
        params.extend(window);
        let body = esearch(&corpus, &params, false);
        assert!(body.contains("<Count>40</Count>"), "{body}");
        assert!(body.contains("<QueryTranslation>wales[ad][All Fields]</QueryTranslation>"));
        let pmids = corpus.pmids();
        let range = format!("(wales[ad]) AND {}:{}[uid]", pmids[0], pmids[4]);
        params[0] = ("term", &range);
        assert_eq!(ids(&esearch(&corpus, &params, false)).len(), 5);
        let body = esearch(&corpus, &[("term", "x"), ("mindate", "2024/01/01")], false);
        assert!(body.contains("<ERROR>Invalid mindate/maxdate</ERROR>"));
        // No window at all: every record.
        let body = esearch(&corpus, &[("term", "x"), ("retmax", "100")], false);
        assert!(body.contains("<Count>40</Count>"));
        let body = esearch(&corpus, &[("term", "abcXYZ")], false);
        assert!(body.contains("<PhraseNotFound>abcXYZ</PhraseNotFound>"));
    }

    #[test]
    fn load_all_reads_every_recorded_article_once() {
        let corpus = Corpus::load_all(fixtures()).expect("loads");
        assert_eq!(corpus.terms, TermMode::Evaluate);
        assert!(corpus.len() > 1_000, "{} records", corpus.len());
        assert_eq!(corpus.search_index().len(), corpus.len());
        let pmids = corpus.pmids();
        // The truncated bulk file: its complete articles, not the one cut.
        assert!(pmids.contains(&1) && pmids.contains(&266) && !pmids.contains(&267));
        // wales-demo, metapub efetch, exports and biopython records.
        for pmid in [91_000_001, 15_207_050, 11_618_220, 27_797_938] {
            assert!(pmids.contains(&pmid), "{pmid} missing");
        }
        let article = &corpus.articles[&15_207_050];
        assert_eq!(article.edat, (2004, 1, 1));
        assert!(article.xml.starts_with("<PubmedArticle>"));
    }

    #[test]
    fn evaluated_searches_page_report_and_fail_like_ncbi() {
        let corpus = Corpus::load_all(fixtures()).expect("loads");
        let term = "Henderson B[au] OR Yu MC[au]";
        let all = ids(&esearch(
            &corpus,
            &[("term", term), ("retmax", "100")],
            true,
        ));
        assert!(all.len() >= 10, "{all:?}");
        assert!(
            all.windows(2).all(|pair| pair[0] > pair[1]),
            "PMIDs descending"
        );
        let page = esearch(
            &corpus,
            &[
                ("term", term),
                ("retstart", "3"),
                ("retmax", "4"),
                ("usehistory", "y"),
            ],
            true,
        );
        assert_eq!(ids(&page), all[3..7]);
        assert!(page.contains("<RetStart>3</RetStart>") && page.contains("<RetMax>4</RetMax>"));
        assert!(page.contains("<WebEnv>"));
        assert!(page.contains(
            "<QueryTranslation>\"henderson b\"[Author] OR \"yu mc\"[Author]</QueryTranslation>"
        ));

        // A publication-date window.
        let windowed = ids(&esearch(
            &corpus,
            &[
                ("term", term),
                ("datetype", "pdat"),
                ("mindate", "1990"),
                ("maxdate", "1995"),
                ("retmax", "100"),
            ],
            false,
        ));
        assert!(!windowed.is_empty() && windowed.len() < all.len());
        for pmid in &windowed {
            let year = corpus.articles[pmid].edat.0;
            assert!((1990..=1995).contains(&year), "{pmid}: {year}");
        }

        let body = esearch(&corpus, &[("term", "zzqq AND \"nope nope\"[ad]")], false);
        assert!(body.contains("<Count>0</Count>"));
        assert!(body.contains("<IdList/>"));
        assert!(body.contains(
            "<ErrorList><PhraseNotFound>zzqq</PhraseNotFound></ErrorList><WarningList><QuotedPhraseNotFound>\"nope nope\"</QuotedPhraseNotFound><OutputMessage>No items found.</OutputMessage></WarningList></eSearchResult>"
        ));
        assert!(!body.contains("<WebEnv>"), "no history unless asked");

        let body = esearch(&corpus, &[("term", "(\"Henderson B\"[au]")], false);
        assert!(
            body.contains("<eSearchResult><ERROR>unbalanced parentheses"),
            "{body}"
        );
        let body = esearch(&corpus, &[("term", "x[nosuchtag]")], false);
        assert!(
            body.contains("<ERROR>unknown field tag [nosuchtag]</ERROR>"),
            "{body}"
        );
        let body = esearch(&corpus, &[], false);
        assert!(body.contains("<ERROR>Empty term and query_key - nothing todo</ERROR>"));
        let body = esearch(&corpus, &[("term", "abcXYZ")], false);
        assert!(body.contains("<QueryTranslation>(abcXYZ[All Fields])</QueryTranslation>"));
    }
}
