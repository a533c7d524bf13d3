//! What the benchmarks that measure in child processes share: the
//! workspace's paths, a process's own peak RSS, and running a child that
//! prints its result as a JSON line.

#![allow(dead_code)] // each benchmark uses its own part

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{ensure, Context, Result};
use serde::de::DeserializeOwned;

/// `relative` under the workspace root, so defaults work from any working
/// directory.
pub fn in_workspace(relative: &str) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    Path::new(root)
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(root))
        .join(relative)
}

/// Runs a child measurement (its stderr passed on) and parses the JSON
/// line it prints last.
pub fn run_json_child<T: DeserializeOwned>(command: &mut Command) -> Result<T> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    std::io::stderr().write_all(&output.stderr)?;
    ensure!(
        output.status.success(),
        "{command:?} failed with {}",
        output.status
    );
    parse_last_line(&output.stdout)
}

/// Parses the last non-empty line of a child's stdout as JSON.
pub fn parse_last_line<T: DeserializeOwned>(stdout: &[u8]) -> Result<T> {
    let last = stdout
        .lines()
        .map_while(Result::ok)
        .filter(|line| !line.trim().is_empty())
        .last()
        .context("child printed nothing")?;
    serde_json::from_str(&last).with_context(|| format!("unexpected child output {last:?}"))
}

/// Peak resident set size of this process (`VmHWM`), KiB.
pub fn peak_rss_kb() -> Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?;
    let kb = line
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("unexpected VmHWM value {line:?}"))?;
    Ok(kb)
}
