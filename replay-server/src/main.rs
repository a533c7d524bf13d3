//! `replay-server`: every harvester's API, offline, from the recorded responses
//! in `fixtures/`, on one loopback port.
//!
//! ```sh
//! replay-server --fixtures fixtures --port 8089 > replay.toml
//! replay-server --pubmed-corpus all > replay.toml   # ESearch evaluates PubMed queries
//! indexer harvest --config replay.toml gtr
//! ```
//!
//! Prints the base URL and a harvest config pointing every source at the server
//! on stdout (all of it TOML), logs one line per request on stderr, and stops on Ctrl-C.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use replay_server::router::{harvest_config, PubmedCorpus, Router};

/// Serve PubMed, Europe PMC, GtR, NIHR, ORCID and OAI-PMH from recorded responses.
#[derive(Debug, Parser)]
#[command(name = "replay-server", version)]
struct Args {
    /// The recorded responses: the repository's `fixtures/` directory.
    #[arg(long, default_value = "fixtures")]
    fixtures: PathBuf,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Address to listen on (loopback unless told otherwise).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Also write the harvest config to this file.
    #[arg(long, value_name = "FILE")]
    write_config: Option<PathBuf>,
    /// Do not log each request on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// The PubMed records ESearch and EFetch answer from.
    #[arg(long, value_enum, value_name = "CORPUS", default_value_t = PubmedCorpusArg::Efetch)]
    pubmed_corpus: PubmedCorpusArg,
}

/// `--pubmed-corpus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PubmedCorpusArg {
    /// The recorded metapub efetch records, dated January 2024; ESearch ignores
    /// the search term apart from `lo:hi[uid]` ranges (what the harvest tests use).
    Efetch,
    /// Every recorded PubmedArticle under fixtures/pubmed and fixtures/wales-demo/pubmed,
    /// dated by publication; ESearch evaluates PubMed's query language (field tags,
    /// AND/OR/NOT left to right, ranges, PhraseNotFound for unknown phrases).
    All,
}

impl From<PubmedCorpusArg> for PubmedCorpus {
    fn from(value: PubmedCorpusArg) -> Self {
        match value {
            PubmedCorpusArg::Efetch => PubmedCorpus::Efetch,
            PubmedCorpusArg::All => PubmedCorpus::All,
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("replay-server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let router = Router::load_with(&args.fixtures, args.pubmed_corpus.into()).map_err(|error| {
        format!(
            "cannot load the recorded responses (--fixtures {}): {error}",
            args.fixtures.display()
        )
    })?;
    let addr = SocketAddr::new(args.host, args.port);
    let server = router
        .serve(addr, !args.quiet)
        .map_err(|error| format!("cannot listen on {addr}: {error}"))?;
    // A server on every interface is still reached on loopback from here.
    let reachable = if server.addr().ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), server.addr().port())
    } else {
        server.addr()
    };
    let base_url = format!("http://{reachable}");
    let config = harvest_config(&base_url);
    if let Some(path) = &args.write_config {
        std::fs::write(path, &config)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    write!(
        stdout,
        "# replay-server listening at {base_url}\n\n{config}"
    )
    .and_then(|()| stdout.flush())
    .map_err(|error| format!("stdout: {error}"))?;
    drop(stdout);
    eprintln!(
        "replay-server: serving {} at {base_url} (Ctrl-C stops)",
        args.fixtures.display()
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the signal handler: {error}"))?;
    runtime
        .block_on(tokio::signal::ctrl_c())
        .map_err(|error| format!("waiting for Ctrl-C: {error}"))?;
    eprintln!("replay-server: stopping");
    drop(server);
    Ok(())
}
