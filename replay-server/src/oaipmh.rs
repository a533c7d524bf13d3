//! OAI-PMH repositories replayed from `oaipmh/` in the fixtures (see its
//! PROVENANCE.md), each at its own path (`/chain`, `/nsdl`, `/badverb`; the
//! combined [`crate::router::Router`] mounts them under `/oai/`):
//!
//! - `chain`: real ListRecords pages stitched into one list by the token each
//!   page announces (Zenodo `from` page → Zenodo `set=software` page → DSpace
//!   page with deletions and no token), real Zenodo HTTP 422 error bodies for
//!   bad arguments, bad tokens and empty windows, and a built page with a
//!   deletion for the incremental run;
//! - `nsdl`: the real 4-page nsdl.org resumptionToken chain (header-only
//!   pages: their records have no metadata and are reported as skipped);
//! - `badverb`: a repository that answers every request with a real `badVerb` error.
//!
//! Routing is by `resumptionToken` value, read from each page's own token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{read_text, LoadError, Request, Response};

/// The repositories served, by the path (without `/`) each answers at.
pub const REPOSITORIES: [&str; 3] = ["chain", "nsdl", "badverb"];

const XML: &str = "text/xml; charset=utf-8";

/// The (non-empty) resumptionToken a page ends with.
pub fn token_of(page: &str) -> Option<String> {
    let start = page.find("<resumptionToken")?;
    let tag_end = start + page[start..].find('>')?;
    if page[..tag_end].ends_with('/') {
        return None;
    }
    let close = tag_end + page[tag_end..].find("</resumptionToken>")?;
    let token = page[tag_end + 1..close].trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// A list of pages served in order, each reached by the previous page's token.
#[derive(Debug, Clone)]
struct Chain {
    first: String,
    by_token: BTreeMap<String, String>,
}

impl Chain {
    fn load(dir: &Path, files: &[&str]) -> Result<Self, LoadError> {
        let paths: Vec<PathBuf> = files.iter().map(|file| dir.join(file)).collect();
        let pages = paths
            .iter()
            .map(|path| read_text(path))
            .collect::<Result<Vec<_>, _>>()?;
        let mut by_token = BTreeMap::new();
        for (index, pair) in pages.windows(2).enumerate() {
            let token = token_of(&pair[0]).ok_or_else(|| {
                LoadError::invalid(
                    &paths[index],
                    "no resumptionToken, but the chain goes on after this page",
                )
            })?;
            by_token.insert(token, pair[1].clone());
        }
        match (pages.last(), paths.last()) {
            (Some(last), Some(path)) if token_of(last).is_some() => Err(LoadError::invalid(
                path,
                "the last page of the chain announces a resumptionToken",
            )),
            (Some(_), _) => Ok(Self {
                first: pages[0].clone(),
                by_token,
            }),
            (None, _) => Err(LoadError::invalid(dir, "a chain without pages")),
        }
    }
}

/// The recorded repositories.
#[derive(Debug)]
pub struct Simulator {
    chain: Chain,
    nsdl: Chain,
    deleted_window: String,
    bad_argument: String,
    bad_token: String,
    no_records: String,
    arxiv_empty: String,
    bad_verb: String,
    /// Token requests still to be answered with badResumptionToken (simulated expiry).
    expire_tokens: AtomicUsize,
}

impl Simulator {
    /// Loads the recorded pages and error bodies under `fixtures/oaipmh/`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        let dir = fixtures.join("oaipmh");
        let read = |relative: &str| read_text(&dir.join(relative));
        Ok(Self {
            chain: Chain::load(
                &dir,
                &[
                    "real/ListRecords_oai_dc_from-2026-04-01_page1.xml",
                    "real/ListRecords_oai_dc_set-software_page1.xml",
                    "real/fake2_00002.xml",
                ],
            )?,
            nsdl: Chain::load(
                &dir,
                &[
                    "real/GoodResponseFourPage_1.xml",
                    "real/GoodResponseFourPage_2.xml",
                    "real/GoodResponseFourPage_3.xml",
                    "real/GoodResponseFourPage_4.xml",
                ],
            )?,
            deleted_window: read("built/deleted-window.xml")?,
            bad_argument: read("real/error_badArgument_metadataPrefix_http422.xml")?,
            bad_token: read("real/error_badResumptionToken_http422.xml")?,
            no_records: read("real/error_noRecordsMatch_http422.xml")?,
            arxiv_empty: read("real/sample_empty_response.xml")?,
            bad_verb: read("real/BadResponseNonExistentVerb.xml")?,
            expire_tokens: AtomicUsize::new(0),
        })
    }

    /// Answers the next `count` token requests with `badResumptionToken` (simulated expiry).
    pub fn expire_tokens(&self, count: usize) {
        self.expire_tokens.store(count, Ordering::SeqCst);
    }

    /// Answers an OAI-PMH request to `/chain`, `/nsdl` or `/badverb`.
    pub fn respond(&self, request: &Request) -> Response {
        let zenodo_error =
            |body: &String| Response::status(422, body.clone()).header("content-type", XML);
        if request.path == "/badverb" {
            return Response::ok(XML, self.bad_verb.clone());
        }
        if request.param("verb") != Some("ListRecords") {
            return Response::ok(XML, self.bad_verb.clone());
        }
        let chain = match request.path.as_str() {
            "/chain" => &self.chain,
            "/nsdl" => &self.nsdl,
            _ => return Response::not_found(),
        };
        if let Some(token) = request.param("resumptionToken") {
            if request.query.len() != 2 {
                return zenodo_error(&self.bad_argument);
            }
            if self
                .expire_tokens
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return zenodo_error(&self.bad_token);
            }
            return match chain.by_token.get(token) {
                Some(page) => Response::ok(XML, page.clone()),
                None => zenodo_error(&self.bad_token),
            };
        }
        if request.param("metadataPrefix") != Some("oai_dc") {
            return zenodo_error(&self.bad_argument);
        }
        match (request.path.as_str(), request.param("from")) {
            (_, None) => Response::ok(XML, chain.first.clone()),
            ("/chain", Some("2099-01-01")) => zenodo_error(&self.no_records),
            // What changed after the first harvest's responseDate: one deletion.
            ("/chain", Some("2026-08-13")) => Response::ok(XML, self.deleted_window.clone()),
            ("/chain", Some(_)) => Response::ok(XML, chain.first.clone()),
            // arXiv answers an empty window with a 200.
            (_, Some(_)) => Response::ok(XML, self.arxiv_empty.clone()),
        }
    }
}
