//! Every simulator at once, on one server, under the path prefixes the
//! harvesters' configs use — what the `replay-server` binary serves.
//!
//! | source | prefix | simulator |
//! |---|---|---|
//! | `pubmed` | `/entrez/eutils/` | [`crate::pubmed::Corpus`] (the recorded efetch records; or, with [`PubmedCorpus::All`], every recorded `PubmedArticle`, searched with PubMed's query language) |
//! | `europepmc` | `/europepmc/webservices/rest/` | [`crate::europepmc::CoreSimulator`] (recorded queries as recorded; any other evaluated over the recorded results) |
//! | `gtr` | `/gtr/api/` | [`crate::gtr::Simulator`] |
//! | `nihr` | `/api/explore/v2.1/` | [`crate::nihr::Simulator`] |
//! | `orcid` | `/v3.0/` | [`crate::orcid::Simulator`] |
//! | `oaipmh` | `/oai/<repository>` | [`crate::oaipmh::Simulator`] |
//!
//! `GET /` answers with [`harvest_config`] for the address the client used.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;

use crate::{europepmc, gtr, nihr, oaipmh, orcid, pubmed};
use crate::{LoadError, ReplayServer, Request, Response};

/// Where the OAI-PMH repositories are mounted: `/oai/<name>`.
pub const OAI_PREFIX: &str = "/oai/";

/// Requests per second the printed config allows each source (the server is local).
const RATE: f64 = 100.0;

/// Each harvest config section and the path its `base_url` points at.
pub fn routes() -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = [
        ("pubmed", pubmed::PREFIX),
        ("europepmc", europepmc::PREFIX),
        ("gtr", gtr::PREFIX),
        ("nihr", nihr::PREFIX),
        ("orcid", orcid::PREFIX),
    ]
    .iter()
    .map(|(section, prefix)| ((*section).to_owned(), (*prefix).to_owned()))
    .collect();
    for name in oaipmh::REPOSITORIES {
        routes.push((
            format!("oaipmh.repositories.{name}"),
            format!("{OAI_PREFIX}{name}"),
        ));
    }
    routes
}

/// The `[source]` tables of a harvest config pointing every source at `base_url`
/// (`http://host:port`, no trailing slash).
pub fn source_sections(base_url: &str) -> String {
    routes()
        .iter()
        .map(|(section, path)| {
            format!("[{section}]\nbase_url = \"{base_url}{path}\"\nrate = {RATE:.1}\n")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A ready-to-use harvest config (TOML) for a replay server at `base_url`, with
/// the commands that harvest each source from it as comments.
pub fn harvest_config(base_url: &str) -> String {
    let orcids: String = orcid::RECORDED
        .iter()
        .map(|id| format!(" --orcid {id}"))
        .collect();
    format!(
        "# Harvest config for the replay server at {base_url}: recorded responses, no network.\n\
         # Save it (e.g. as replay.toml), then, for example:\n\
         #   indexer harvest --config replay.toml pubmed --query 'wales[ad]' --since 2024-01-01 --until 2024-01-31\n\
         #   indexer harvest --config replay.toml europepmc --query cancer\n\
         #   indexer harvest --config replay.toml gtr\n\
         #   indexer harvest --config replay.toml nihr\n\
         #   indexer harvest --config replay.toml orcid{orcids}\n\
         #   indexer harvest --config replay.toml oaipmh --repository chain\n\
         \n{}",
        source_sections(base_url)
    )
}

/// Which recorded PubMed records the router's E-utilities simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PubmedCorpus {
    /// [`pubmed::Corpus::load`]: the metapub efetch records, dated January 2024,
    /// search terms ignored apart from `[uid]` ranges.
    #[default]
    Efetch,
    /// [`pubmed::Corpus::load_all`]: every recorded `PubmedArticle`, dated by
    /// publication, search terms evaluated as PubMed does.
    All,
}

/// Every simulator, loaded from one fixtures directory.
#[derive(Debug)]
pub struct Router {
    pubmed: pubmed::Corpus,
    europepmc: europepmc::CoreSimulator,
    gtr: gtr::Simulator,
    nihr: nihr::Simulator,
    orcid: orcid::Simulator,
    oaipmh: oaipmh::Simulator,
}

impl Router {
    /// Loads every simulator's recorded files from `fixtures` (the repository's `fixtures/`).
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        Self::load_with(fixtures, PubmedCorpus::default())
    }

    /// Like [`Router::load`], with the PubMed records `pubmed` names.
    pub fn load_with(fixtures: &Path, pubmed: PubmedCorpus) -> Result<Self, LoadError> {
        Ok(Self {
            pubmed: match pubmed {
                PubmedCorpus::Efetch => pubmed::Corpus::load(fixtures, usize::MAX)?,
                PubmedCorpus::All => pubmed::Corpus::load_all(fixtures)?,
            },
            europepmc: europepmc::CoreSimulator::load(fixtures)?,
            gtr: gtr::Simulator::load(fixtures)?,
            nihr: nihr::Simulator::load(fixtures)?,
            orcid: orcid::Simulator::load(fixtures)?,
            oaipmh: oaipmh::Simulator::load(fixtures)?,
        })
    }

    /// Answers a request by the simulator its path prefix names.
    pub fn respond(&self, request: &Request) -> Response {
        let path = request.path.as_str();
        if path.starts_with(pubmed::PREFIX) {
            self.pubmed.handle(request)
        } else if path.starts_with(europepmc::PREFIX) {
            self.europepmc.respond(request)
        } else if path.starts_with(gtr::PREFIX) {
            self.gtr.respond(request)
        } else if path.starts_with(nihr::PREFIX) {
            self.nihr.respond(request)
        } else if path.starts_with(orcid::PREFIX) {
            self.orcid.respond(request)
        } else if let Some(repository) = path.strip_prefix(OAI_PREFIX) {
            // The simulator's repositories answer at `/<name>`.
            let mut inner = request.clone();
            inner.path = format!("/{repository}");
            self.oaipmh.respond(&inner)
        } else if path == "/" {
            let host = request.header("host").unwrap_or("127.0.0.1");
            Response::ok(
                "text/plain; charset=utf-8",
                harvest_config(&format!("http://{host}")),
            )
        } else {
            Response::not_found()
        }
    }

    /// Serves every simulator on `addr` (port 0: a free one) until the server is dropped;
    /// with `log`, one line per request (method, path, status) goes to stderr.
    pub fn serve(self, addr: SocketAddr, log: bool) -> io::Result<ReplayServer> {
        ReplayServer::bind(addr, move |request| {
            let response = self.respond(request);
            if log {
                let _ = writeln!(
                    io::stderr().lock(),
                    "{} {} -> {}",
                    request.method,
                    request.path,
                    response.status
                );
            }
            response
        })
    }
}
