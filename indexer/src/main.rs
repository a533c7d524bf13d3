//! `indexer`: parse publication records and build the HCS Research Index.
//! See [`indexer::cli`] for the commands and exit codes.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let interactive = io::stderr().is_terminal();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("HCS_LOG").unwrap_or_else(|_| EnvFilter::new("indexer=info")),
        )
        .with_writer(io::stderr)
        .with_ansi(interactive)
        .init();
    let code = indexer::cli::run(
        std::env::args_os(),
        &mut io::stdout().lock(),
        &mut io::stderr(),
        interactive,
    );
    ExitCode::from(code)
}
