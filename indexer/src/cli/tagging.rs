//! The tagging commands: `roster`, `curate`, `evaluate`, and the tags
//! `export` prints beside each author and grant person.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use crate::index::IndexStore;
use crate::ingest::expand_inputs;
use crate::metrics::{participation, to_csv, GroupBy, MetricsQuery, TierChoice};
use crate::records::Record;
use crate::sources::pubmed::PubmedItem;
use crate::tagging::curation::checked_decision;
use crate::tagging::evaluate::{
    evaluate, Counts, Evaluation, Gold, HcsJudgements, MIN_TUNING_GOLD,
};
use crate::tagging::persist::{store_tags, tags_status, TagsStatus};
use crate::tagging::workspace::{self, Overrides};
use crate::tagging::{DecisionLog, ReferenceData, Roster, SlotTag, TaggedRecord, Tagger, Verdict};

use super::{EXIT_BAD_INPUT, EXIT_OK};

pub use crate::tagging::workspace::{DECISIONS_FILE, ROSTER_FILE, TAGGING_DIR};

/// Reference-data overrides shared by the tagging commands.
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// Roster CSV to tag with (default: the one imported with `indexer roster import`).
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Gazetteer of NHS Wales organisations (default: the bundled one).
    #[arg(long)]
    gazetteer: Option<PathBuf>,
    /// Discipline rules (default: the bundled ones).
    #[arg(long)]
    rules: Option<PathBuf>,
}

/// `indexer roster …`
#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Check a roster CSV: every bad row by line and column; nothing stored.
    Check {
        /// The roster file.
        file: PathBuf,
    },
    /// Check a roster and make it the one tagging uses (kept in DATA_DIR/tagging, mode 0600).
    Import {
        /// The roster file.
        file: PathBuf,
    },
}

/// Accept or reject, on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    /// This person is this author.
    Accept,
    /// This person is not this author.
    Reject,
}

/// `indexer curate accept|reject PERSON RECORD POSITION`
#[derive(Debug, Args)]
pub struct CurateArgs {
    /// accept or reject.
    verdict: VerdictArg,
    /// Roster person id, or `inferred` for the tier-2 guess.
    person: String,
    /// Record id (e.g. `pmid:12345`, `grant:mrc:MR/K01577X/1`).
    record: String,
    /// Byline position (1-based), or 1-based place in a grant's people.
    position: u32,
    /// Why, in the curator's words.
    #[arg(long)]
    note: Option<String>,
}

/// `indexer evaluate --roster R --gold G INPUTS…`, or `--gold-hcs H INPUTS…` for tier 2 alone
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("gold_sets").required(true).multiple(true).args(["gold", "gold_hcs"])))]
pub struct EvaluateArgs {
    /// Gold authorships: `record_id,author_position,person_id` (tier 1; needs --roster).
    #[arg(long, requires = "roster")]
    gold: Option<PathBuf>,
    /// Hand judgements for tier 2: `record_id,author_position,hcs`. Without
    /// --roster, tier 2 is measured as a roster-less run tags.
    #[arg(long)]
    gold_hcs: Option<PathBuf>,
    /// Print the evaluation as JSON.
    #[arg(long)]
    json: bool,
    /// List every tier-1 mistake (ids and scores only).
    #[arg(long)]
    explain: bool,
    /// Print the tags of these records with all their evidence (any band), as JSON Lines.
    #[arg(long, value_name = "RECORD_ID")]
    trace: Vec<String>,
    /// Record files: PubMed XML (plain or .gz; directories searched) or JSON Lines from `export`/`parse`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    reference: ReferenceArgs,
}

/// Output format of `indexer metrics`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MetricsFormat {
    /// JSON with the record ids behind every cell.
    Json,
    /// CSV, one line per group and a total.
    Csv,
}

/// `indexer metrics`
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// First year counted (inclusive).
    #[arg(long)]
    from: Option<u16>,
    /// Last year counted (inclusive).
    #[arg(long)]
    to: Option<u16>,
    /// Grouping.
    #[arg(long, value_enum, default_value = "year")]
    group_by: GroupBy,
    /// Tier: roster matches (accept band) or inferred healthcare scientists.
    #[arg(long, value_enum, default_value = "roster")]
    tier: TierChoice,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: MetricsFormat,
    /// Tag afresh from the current roster and decisions instead of reading the
    /// tags stored by the last `indexer tag` (which the service serves).
    #[arg(long)]
    retag: bool,
    #[command(flatten)]
    reference: ReferenceArgs,
}

impl ReferenceArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            roster: self.roster.clone(),
            gazetteer: self.gazetteer.clone(),
            rules: self.rules.clone(),
            no_roster: false,
        }
    }
}

fn tagging_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(TAGGING_DIR)
}

/// Loads the roster (given or imported), reference data and decisions; roster issues go to `err`.
/// Loads the tagger through [`workspace::load`], printing the roster's
/// issues and every warning on `err`; the flag says the roster had no bad row.
fn load_tagger(
    data_dir: &Path,
    overrides: &Overrides,
    state: bool,
    err: &mut dyn Write,
) -> anyhow::Result<(Tagger, bool)> {
    if state {
        // A data directory harvested before the employments were saved, or
        // whose archive changed by hand, gets them from the archive itself.
        crate::sources::orcid::save_archived_employments(data_dir)
            .context("saving the archived ORCID employments for tagging")?;
    }
    let loaded = workspace::load(data_dir, overrides, state).context("loading the tagging data")?;
    let clean = match &loaded.roster_path {
        Some(path) => report_roster(path, &loaded.tagger.roster, err)?,
        None => true,
    };
    for warning in &loaded.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    Ok((loaded.tagger, clean))
}

/// Prints the roster's issues (positions only, never cell contents); true when it had none.
fn report_roster(path: &Path, roster: &Roster, err: &mut dyn Write) -> io::Result<bool> {
    for issue in &roster.issues {
        writeln!(err, "{}: {issue}; row skipped", path.display())?;
    }
    for notice in &roster.notices {
        writeln!(err, "{}: note: {notice}", path.display())?;
    }
    if !roster.ignored_columns.is_empty() {
        writeln!(
            err,
            "{}: column(s) not used and dropped: {}",
            path.display(),
            roster.ignored_columns.join(", ")
        )?;
    }
    writeln!(
        err,
        "roster {}: {} people loaded, {} row(s) skipped",
        path.display(),
        roster.len(),
        roster.issues.len()
    )?;
    Ok(roster.issues.is_empty())
}

/// `indexer roster check|import`.
pub fn roster(data_dir: &Path, command: &RosterCommand, err: &mut dyn Write) -> anyhow::Result<u8> {
    let reference =
        ReferenceData::load(None, None).context("loading the tagging reference data")?;
    let (RosterCommand::Check { file } | RosterCommand::Import { file }) = command;
    let roster = Roster::load(file, &reference.taxonomy, &reference.gazetteer)?;
    let clean = report_roster(file, &roster, err)?;
    if let RosterCommand::Import { .. } = command {
        let dir = tagging_dir(data_dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let target = dir.join(ROSTER_FILE);
        let staged = dir.join(format!("{ROSTER_FILE}.new"));
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        // Only what matching uses is kept: loaded rows, used columns.
        let minimised = roster.minimised_csv(&bytes)?;
        write_private(&staged, &minimised)
            .with_context(|| format!("writing {}", staged.display()))?;
        // The new roster replaces the old in one step; a crash leaves one or the other.
        std::fs::rename(&staged, &target)
            .with_context(|| format!("replacing {}", target.display()))?;
        writeln!(
            err,
            "imported: tagging now uses this roster ({} people)",
            roster.len()
        )?;
    }
    Ok(if clean { EXIT_OK } else { EXIT_BAD_INPUT })
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `indexer export`: every record with its tags beside each person.
pub fn export(
    data_dir: &Path,
    args: &ReferenceArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let store = IndexStore::open_existing(data_dir)?;
    let (mut tagger, _) = load_tagger(data_dir, &args.overrides(), true, err)?;
    let records = store.export().context("reading the index")?;
    let tags = tagger.tag_all(&records);
    let mut out = io::BufWriter::new(out);
    for (record, tags) in records.into_iter().zip(&tags) {
        serde_json::to_writer(&mut out, &TaggedRecord::new(record, tags))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// `indexer tag`
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Indexing memory budget in MiB.
    #[arg(long, default_value_t = 128)]
    writer_memory_mb: usize,
    #[command(flatten)]
    reference: ReferenceArgs,
}

/// `indexer tag`: tags every record and stores the tags in the index, in one
/// commit that keeps the harvest checkpoints, for the search service.
pub fn tag(data_dir: &Path, args: &TagArgs, err: &mut dyn Write) -> anyhow::Result<u8> {
    let store = IndexStore::open_existing(data_dir)?;
    let (mut tagger, clean) = load_tagger(data_dir, &args.reference.overrides(), true, err)?;
    let started = std::time::Instant::now();
    let digest = workspace::inputs_digest(data_dir, &args.reference.overrides())
        .context("reading what tagging depends on")?;
    let summary = store_tags(
        &store,
        &mut tagger,
        args.writer_memory_mb.saturating_mul(1024 * 1024),
        &digest,
    )
    .context("storing tags in the index")?;
    writeln!(
        err,
        "tagged {} record(s) in {:.1}s, {} rewritten: {} roster match(es) accepted, {} for review, {} inferred",
        summary.records,
        started.elapsed().as_secs_f64(),
        summary.rewritten,
        summary.accepted,
        summary.review,
        summary.inferred
    )?;
    Ok(if clean { EXIT_OK } else { EXIT_BAD_INPUT })
}

/// A `--from`/`--to` pair that is a period.
fn check_years(from: Option<u16>, to: Option<u16>) -> anyhow::Result<()> {
    anyhow::ensure!(
        from.zip(to).is_none_or(|(from, to)| from <= to),
        "--from must not be after --to"
    );
    Ok(())
}

/// `indexer metrics`: the (a)(b)(c) participation measures of the index.
pub fn metrics(
    data_dir: &Path,
    args: &MetricsArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    check_years(args.from, args.to)?;
    let store = IndexStore::open_existing(data_dir)?;
    // The tags the service serves, so the command line and the dashboard agree;
    // `--retag` computes them afresh from the current roster and decisions instead.
    let (records, tags): (Vec<Record>, Vec<Vec<SlotTag>>) = if args.retag {
        let (mut tagger, _) = load_tagger(data_dir, &args.reference.overrides(), true, err)?;
        let records = store.export().context("reading the index")?;
        let tags = tagger.tag_all(&records);
        (records, tags)
    } else {
        let digest = workspace::inputs_digest(data_dir, &args.reference.overrides())
            .context("reading what tagging depends on")?;
        if let TagsStatus::Stale { reason } =
            tags_status(&store, &digest).context("reading the tag stamp")?
        {
            writeln!(err, "warning: the stored tags may be out of date: {reason}")?;
        }
        store
            .export_tagged()
            .context("reading the index")?
            .into_iter()
            .unzip()
    };
    let query = MetricsQuery {
        from: args.from,
        to: args.to,
        group_by: args.group_by,
        tier: args.tier,
        // JSON is for audit: every cell lists its records.
        with_records: matches!(args.format, MetricsFormat::Json),
    };
    let table = participation(&records, &tags, &query);
    match args.format {
        MetricsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &table)?;
            writeln!(out)?;
        }
        MetricsFormat::Csv => out.write_all(to_csv(&table)?.as_bytes())?,
    }
    Ok(EXIT_OK)
}

/// `indexer report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First year counted (inclusive).
    #[arg(long)]
    from: Option<u16>,
    /// Last year counted (inclusive).
    #[arg(long)]
    to: Option<u16>,
    /// Where to write the HTML report (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also print it to this PDF file, through headless Chromium
    /// (`HCS_CHROMIUM`, else `chromium` on the PATH).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// Address of the search service, prefixed to every drill-down link
    /// (e.g. `http://127.0.0.1:8080`); relative links without it.
    #[arg(long, default_value = "")]
    link_base: String,
}

/// `indexer report`: the annual participation report from the stored tags.
pub fn report(
    data_dir: &Path,
    args: &ReportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    check_years(args.from, args.to)?;
    anyhow::ensure!(
        args.pdf.is_none() || args.out.is_some(),
        "--pdf needs --out: Chromium prints the HTML file"
    );
    let store = IndexStore::open_existing(data_dir)?;
    let digest = workspace::inputs_digest(data_dir, &Overrides::default())
        .context("reading what tagging depends on")?;
    let status = tags_status(&store, &digest).context("reading the tag stamp")?;
    if let TagsStatus::Stale { reason } = &status {
        writeln!(err, "warning: the stored tags may be out of date: {reason}")?;
    }
    let tags_note = status.sentence();
    let (records, tags): (Vec<Record>, Vec<Vec<SlotTag>>) = store
        .export_tagged()
        .context("reading the index")?
        .into_iter()
        .unzip();
    let options = crate::report::ReportOptions {
        from: args.from,
        to: args.to,
        link_base: args.link_base.trim_end_matches('/').to_owned(),
        generated_at: crate::clock::now_rfc3339(),
        tags_note,
    };
    let figures = crate::report::figures(&records, &tags, &options);
    let html = crate::report::render_html(&figures, &options);
    match &args.out {
        None => out.write_all(html.as_bytes())?,
        Some(path) => {
            std::fs::write(path, &html).with_context(|| format!("writing {}", path.display()))?;
            writeln!(err, "report written to {}", path.display())?;
        }
    }
    if let (Some(pdf), Some(html_path)) = (&args.pdf, &args.out) {
        print_pdf(html_path, pdf)?;
        writeln!(err, "PDF written to {}", pdf.display())?;
    }
    Ok(EXIT_OK)
}

/// Prints `html` to `pdf` with headless Chromium, offline.
fn print_pdf(html: &Path, pdf: &Path) -> anyhow::Result<()> {
    let chromium = std::env::var_os("HCS_CHROMIUM").unwrap_or_else(|| "chromium".into());
    let html =
        std::fs::canonicalize(html).with_context(|| format!("finding {}", html.display()))?;
    // A fresh profile, so no user setting or extension touches the print.
    let profile = std::env::temp_dir().join(format!(
        "hcs-report-chromium-{}-{}",
        std::process::id(),
        crate::clock::now_rfc3339().replace(':', "")
    ));
    std::fs::create_dir_all(&profile).context("a temporary Chromium profile")?;
    let status = std::process::Command::new(&chromium)
        .args(crate::report::CHROMIUM_FLAGS)
        .arg("--no-pdf-header-footer")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .with_context(|| {
            format!(
                "running {} (install Chromium, or set HCS_CHROMIUM)",
                chromium.to_string_lossy()
            )
        });
    let _ = std::fs::remove_dir_all(&profile);
    let status = status?;
    anyhow::ensure!(
        status.success() && pdf.exists(),
        "Chromium could not print {} ({status})",
        html.display()
    );
    Ok(())
}

/// `indexer curate`: one decision into the journal.
pub fn curate(data_dir: &Path, args: &CurateArgs, err: &mut dyn Write) -> anyhow::Result<u8> {
    let store = IndexStore::open_existing(data_dir)?;
    let record = store
        .export()
        .context("reading the index")?
        .into_iter()
        .find(|record| record.id() == args.record)
        .with_context(|| format!("no record {:?} in the index", args.record))?;
    let verdict = match args.verdict {
        VerdictArg::Accept => Verdict::Accept,
        VerdictArg::Reject => Verdict::Reject,
    };
    let decision = checked_decision(
        data_dir,
        &record,
        verdict,
        &args.person,
        args.position,
        args.note.clone(),
    )?;
    let mut log = DecisionLog::open(&tagging_dir(data_dir).join(DECISIONS_FILE))?;
    log.record(decision)?;
    writeln!(
        err,
        "recorded: {:?} {} for {} position {}",
        args.verdict, args.person, args.record, args.position
    )?;
    Ok(EXIT_OK)
}

/// Reads records from PubMed XML files and JSON Lines exports.
fn read_records(inputs: &[PathBuf], err: &mut dyn Write) -> anyhow::Result<(Vec<Record>, usize)> {
    let is_jsonl = |path: &Path| {
        path.extension()
            .is_some_and(|e| e == "jsonl" || e == "json")
    };
    let (mut jsonl, xml): (Vec<PathBuf>, Vec<PathBuf>) =
        inputs.iter().cloned().partition(|path| is_jsonl(path));
    // Directories hold either kind: their XML goes to the PubMed reader below.
    for directory in inputs.iter().filter(|path| path.is_dir()) {
        let mut found = Vec::new();
        let mut pending = vec![directory.clone()];
        while let Some(folder) = pending.pop() {
            let entries = std::fs::read_dir(&folder)
                .with_context(|| format!("listing {}", folder.display()))?;
            for entry in entries {
                let path = entry
                    .with_context(|| format!("listing {}", folder.display()))?
                    .path();
                if path.is_dir() {
                    pending.push(path);
                } else if is_jsonl(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        jsonl.extend(found);
    }
    let mut records = Vec::new();
    let mut problems = 0;
    for path in &jsonl {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.contains("\"record_type\":\"deletion\"") {
                continue;
            }
            match serde_json::from_str::<Record>(line) {
                Ok(record) => records.push(record),
                Err(error) => {
                    writeln!(err, "skipped: {}:{}: {error}", path.display(), number + 1)?;
                    problems += 1;
                }
            }
        }
    }
    problems += super::read_pubmed_files(&expand_inputs(&xml)?, err, |item| {
        if let PubmedItem::Publication(publication) = item {
            records.push(Record::Publication(publication));
        }
        Ok(())
    })?;
    // The same record in two inputs is evaluated once.
    records.sort_by(|a, b| a.id().cmp(b.id()));
    records.dedup_by(|a, b| a.id() == b.id());
    Ok((records, problems))
}

/// `indexer evaluate`.
pub fn evaluate_command(
    data_dir: &Path,
    args: &EvaluateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let gold = match &args.gold {
        Some(path) => Gold::parse(&read(path)?, &path.display().to_string())?,
        None => Gold::default(),
    };
    let judgements = match &args.gold_hcs {
        Some(path) => Some(HcsJudgements::parse(
            &read(path)?,
            &path.display().to_string(),
        )?),
        None => None,
    };
    anyhow::ensure!(
        args.reference.roster.is_some() || args.gold.is_none(),
        "--gold needs --roster FILE"
    );
    // The evaluation judges the scorer alone: no curators' decisions, no
    // harvested state, and no roster but the one given (never the imported one).
    let overrides = Overrides {
        no_roster: args.reference.roster.is_none(),
        ..args.reference.overrides()
    };
    let (mut tagger, clean) = load_tagger(data_dir, &overrides, false, err)?;
    let bands = tagger.bands;
    // Every scored pair comes back, so the sweep can judge other thresholds.
    tagger.keep_rejected = true;
    let (records, problems) = read_records(&args.inputs, err)?;
    let started = std::time::Instant::now();
    let tags = tagger.tag_all(&records);
    let elapsed = started.elapsed();
    let evaluation = evaluate(&records, &tags, &gold, judgements.as_ref(), bands);
    for (record, tags) in records.iter().zip(&tags) {
        if args.trace.iter().any(|id| id == record.id()) {
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({"record_id": record.id(), "tags": tags}),
            )?;
            writeln!(out)?;
        }
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &evaluation)?;
        writeln!(out)?;
    } else {
        print_evaluation(&evaluation, args.explain, out)?;
        writeln!(
            out,
            "tagging time: {:.3} s ({} records)",
            elapsed.as_secs_f64(),
            records.len()
        )?;
    }
    Ok(if clean && problems == 0 {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}

/// One row of an evaluation table: the label, then TP, FP, FN, precision, recall and F1.
fn write_counts_row(out: &mut dyn Write, label: &str, counts: &Counts) -> io::Result<()> {
    writeln!(
        out,
        "{label:<28} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
        counts.true_positives,
        counts.false_positives,
        counts.false_negatives,
        counts.precision,
        counts.recall,
        counts.f1
    )
}

fn print_evaluation(evaluation: &Evaluation, explain: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} records, {} people, {} gold authorships ({} outside the inputs)",
        evaluation.records, evaluation.people, evaluation.gold, evaluation.gold_outside_inputs
    )?;
    // With no roster gold there is no tier 1 to report (a tier-2-only run).
    if evaluation.gold > 0 {
        print_tier1(evaluation, out)?;
    }
    let tier2 = &evaluation.tier2;
    let ratio = |value: Option<f64>| value.map_or("n/a".to_owned(), |v| format!("{v:.3}"));
    writeln!(
        out,
        "tier 2: {} tag(s): {} judged true, {} judged false, {} unjudged; precision {}",
        tier2.tagged,
        tier2.judged_true,
        tier2.judged_false,
        tier2.unjudged,
        ratio(tier2.precision)
    )?;
    if tier2.judged_hcs > 0 {
        writeln!(
            out,
            "tier 2: {} author(s) judged healthcare scientists, {} found by a tag, {} missed; recall {}",
            tier2.judged_hcs,
            tier2.judged_hcs - tier2.false_negatives,
            tier2.false_negatives,
            ratio(tier2.recall)
        )?;
        let with = tier2.judged_hcs_with_affiliation;
        let found = with - tier2.false_negatives_with_affiliation;
        writeln!(
            out,
            "tier 2: of them, {with} with an affiliation printed for them: {found} found; recall {}",
            ratio((with > 0).then(|| found as f64 / with as f64))
        )?;
    }
    if explain {
        for mistake in &evaluation.mistakes {
            let score = mistake.score.map_or("-".to_owned(), |s| s.to_string());
            write!(
                out,
                "{} {} position {} person {} score {score}",
                mistake.kind, mistake.record_id, mistake.position, mistake.person_id
            )?;
            if mistake.evidence.is_empty() {
                writeln!(out)?;
            } else {
                writeln!(out, " ({})", mistake.evidence.join(", "))?;
            }
        }
    }
    Ok(())
}

/// The tier-1 tables: bands, sweep, held-out line and calibration.
fn print_tier1(evaluation: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<28} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "tier 1", "TP", "FP", "FN", "precision", "recall", "F1"
    )?;
    let sweep = evaluation
        .sweep
        .iter()
        .map(|(threshold, counts)| (format!("score >= {threshold}"), counts));
    let rows = [
        ("accept band (counted)".to_owned(), &evaluation.tier1_accept),
        (
            "accept + review".to_owned(),
            &evaluation.tier1_accept_or_review,
        ),
    ];
    for (label, counts) in rows.into_iter().chain(sweep) {
        write_counts_row(out, &label, counts)?;
    }
    let holdout = &evaluation.holdout;
    writeln!(
        out,
        "held out (seed {}): accept line chosen on {} tuning records for precision >= {}: {}",
        holdout.seed,
        holdout.tuning_records,
        holdout.precision_target,
        match holdout.chosen_accept {
            Some(line) => format!("score >= {line}"),
            None if holdout.tuning_gold < MIN_TUNING_GOLD => format!(
                "none chosen: {} gold authorships there, under {MIN_TUNING_GOLD}; the band applies",
                holdout.tuning_gold
            ),
            None => "none reaches it; the band applies".to_owned(),
        }
    )?;
    let chosen = [
        ("tuning, chosen line", &holdout.tuning),
        ("held out, chosen line", &holdout.held_out),
    ];
    let shown = if holdout.chosen_accept.is_some() {
        0
    } else {
        2
    };
    let halves = chosen
        .into_iter()
        .chain([("held out, accept band", &holdout.held_out_at_band)])
        .skip(shown);
    for (label, counts) in halves {
        write_counts_row(out, label, counts)?;
    }
    writeln!(
        out,
        "calibration on {} held-out records (expected calibration error {:.3}):",
        holdout.held_out_records, holdout.calibration_error
    )?;
    writeln!(
        out,
        "{:<10} {:>6} {:>11} {:>11} {:>13}  mean score inside",
        "score", "pairs", "mean score", "share true", "95% interval"
    )?;
    let shown: Vec<_> = holdout
        .calibration
        .iter()
        .filter(|bin| bin.pairs > 0)
        .collect();
    let mut inside = 0;
    for bin in &shown {
        let (low, high) = bin.interval;
        let fits = (low..=high).contains(&(bin.mean_score / 100.0));
        inside += usize::from(fits);
        writeln!(
            out,
            "{:<10} {:>6} {:>11.1} {:>11.3} {:>13}  {}",
            format!("{}-{}", bin.from, bin.to),
            bin.pairs,
            bin.mean_score,
            bin.share_true,
            format!("{low:.2}-{high:.2}"),
            if fits { "yes" } else { "no" }
        )?;
    }
    writeln!(
        out,
        "{inside} of {} bins hold their mean score inside the 95% interval of their share true",
        shown.len()
    )?;
    if let Some(fit) = &holdout.recalibration {
        writeln!(
            out,
            "recalibrated on the tuning half (Platt: logistic({:.3} x logit(score) {:+.3})): \
             held-out calibration error {:.3}",
            fit.slope, fit.intercept, fit.calibration_error
        )?;
    }
    Ok(())
}
