//! Harvest benchmark: wall time of a PubMed harvest against the loopback
//! replay server, with the pacer at 3 and at 10 requests/s, divided by the
//! ideal (requests ÷ rate). Politeness makes a harvest slow by design; what
//! this measures is that the harvester adds nothing on top of the pacing
//! (target: ratio ≤ 1.05) and uses the protocol's largest batches.
//!
//! ```sh
//! cargo bench --bench harvest                       # 25,000 records, rates 3 and 10
//! cargo bench --bench harvest -- --records 5000 --rates 3,10,50 --json
//! ```
//!
//! The corpus: the real recorded PubMed records in `fixtures/pubmed/efetch/metapub`,
//! replicated with new PMIDs (and a numbered title, their DOI and PMCID retyped, so
//! replicas are distinct works rather than duplicates to be merged), given
//! Entrez dates across 2024. ESearch answers with NCBI's 10,000-id cap.

use std::sync::Arc;
use std::time::Instant;

use replay_server::pubmed::{articles_in, Article, Corpus};
use replay_server::ReplayServer;

struct Options {
    records: usize,
    rates: Vec<f64>,
    json: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        records: 25_000,
        rates: vec![3.0, 10.0],
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => {
                options.records = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--records needs a number")?;
            }
            "--rates" => {
                options.rates = args
                    .next()
                    .ok_or("--rates needs a list")?
                    .split(',')
                    .map(|v| v.trim().parse::<f64>().map_err(|e| format!("--rates: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "--json" => options.json = true,
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn corpus(records: usize) -> Result<Corpus, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pubmed/efetch/metapub/pmid_xml");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    files.sort();
    let mut originals = Vec::new();
    for file in files {
        let xml = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        originals.extend(articles_in(&xml));
    }
    if originals.is_empty() {
        return Err("no fixture records found".to_owned());
    }
    let mut corpus = Corpus::new();
    for index in 0..records {
        let (pmid, xml) = &originals[index % originals.len()];
        let new_pmid = 50_000_000 + index as u64;
        let xml = xml
            .replacen(
                &format!(">{pmid}</PMID>"),
                &format!(">{new_pmid}</PMID>"),
                1,
            )
            .replace(
                &format!("<ArticleId IdType=\"pubmed\">{pmid}</ArticleId>"),
                &format!("<ArticleId IdType=\"pubmed\">{new_pmid}</ArticleId>"),
            )
            .replace("IdType=\"doi\"", "IdType=\"doi-original\"")
            .replace("EIdType=\"doi\"", "EIdType=\"doi-original\"")
            .replace("IdType=\"pmc\"", "IdType=\"pmc-original\"")
            .replace(
                "<OtherID Source=\"NLM\">PMC",
                "<OtherID Source=\"NLM-original\">PMC",
            )
            .replacen(
                "<ArticleTitle>",
                &format!("<ArticleTitle>Replica {index}: "),
                1,
            );
        let day = index % 365;
        let (month, day_of_month) = month_day(day);
        corpus.add(Article {
            pmid: new_pmid,
            edat: (2024, month, day_of_month),
            xml,
        });
    }
    Ok(corpus)
}

fn month_day(day_of_year: usize) -> (u8, u8) {
    const DAYS: [usize; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut rest = day_of_year;
    for (month, days) in DAYS.iter().enumerate() {
        if rest < *days {
            return (month as u8 + 1, rest as u8 + 1);
        }
        rest -= days;
    }
    (12, 31)
}

struct Row {
    rate: f64,
    requests: usize,
    efetch_requests: usize,
    records: usize,
    wall: f64,
    /// Seconds from the start to the first request, and from the last request to the end.
    lead: f64,
    tail: f64,
}

fn harvest_once(server: &ReplayServer, rate: f64) -> Result<Row, String> {
    server.clear_log();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = dir.path().join("harvest.toml");
    std::fs::write(
        &config,
        format!(
            "[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nrate = {rate}\nbatch_size = 500\n",
            server.base_url()
        ),
    )
    .map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    let config = config.display().to_string();
    let data_arg = data.display().to_string();
    let args = [
        "indexer",
        "--data-dir",
        &data_arg,
        "harvest",
        "--config",
        &config,
        "pubmed",
        "--query",
        "replica",
        "--since",
        "2024-01-01",
        "--until",
        "2024-12-31",
    ];
    let mut err = Vec::new();
    let started = Instant::now();
    let code = indexer::cli::run(args, &mut std::io::sink(), &mut err, false);
    let wall = started.elapsed().as_secs_f64();
    if code != 0 {
        return Err(format!("harvest failed: {}", String::from_utf8_lossy(&err)));
    }
    let records = indexer::index::IndexStore::open_existing(&data)
        .and_then(|store| store.count())
        .map_err(|e| e.to_string())? as usize;
    let log = server.requests();
    if std::env::var_os("HARVEST_BENCH_GAPS").is_some() && rate < 1000.0 {
        for pair in log.windows(2) {
            let gap = (pair[1].at - pair[0].at).as_secs_f64();
            if gap > 1.05 / rate {
                eprintln!(
                    "gap {gap:.3} s before {} at {:.2} s",
                    pair[1].request.path,
                    (pair[1].at - started).as_secs_f64()
                );
            }
        }
    }
    let first = log.first().map_or(0.0, |l| (l.at - started).as_secs_f64());
    let last = log.last().map_or(0.0, |l| (l.at - started).as_secs_f64());
    Ok(Row {
        lead: first,
        tail: wall - last,
        rate,
        requests: log.len(),
        efetch_requests: log
            .iter()
            .filter(|l| l.request.path.ends_with("efetch.fcgi"))
            .count(),
        records,
        wall,
    })
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("harvest bench: {message}");
            std::process::exit(2);
        }
    };
    let corpus = match corpus(options.records) {
        Ok(corpus) => Arc::new(corpus),
        Err(message) => {
            eprintln!("harvest bench: {message}");
            std::process::exit(2);
        }
    };
    let served = Arc::clone(&corpus);
    let server = ReplayServer::start(move |request| served.handle(request));
    // Unpaced first: the work floor (parse, merge, index, commit) with no politeness at all.
    let mut rows = Vec::new();
    for rate in std::iter::once(1e6).chain(options.rates.iter().copied()) {
        match harvest_once(&server, rate) {
            Ok(row) => {
                if row.records != corpus.len() {
                    eprintln!(
                        "harvest bench: indexed {} of {} records",
                        row.records,
                        corpus.len()
                    );
                    std::process::exit(1);
                }
                rows.push(row);
            }
            Err(message) => {
                eprintln!("harvest bench: {message}");
                std::process::exit(1);
            }
        }
    }
    let floor = rows[0].wall;
    if options.json {
        let rows: Vec<String> = rows
            .iter()
            .map(|row| {
                format!(
                    "{{\"rate\":{},\"requests\":{},\"efetch_requests\":{},\"records\":{},\"wall_s\":{:.3},\"ideal_s\":{:.3},\"ratio\":{:.4}}}",
                    row.rate,
                    row.requests,
                    row.efetch_requests,
                    row.records,
                    row.wall,
                    row.requests as f64 / row.rate,
                    row.wall / (row.requests as f64 / row.rate)
                )
            })
            .collect();
        println!("[{}]", rows.join(","));
        return;
    }
    println!(
        "PubMed harvest against 127.0.0.1 replay: {} records, ESearch cap 10,000, EFetch batches of 500",
        corpus.len()
    );
    println!(
        "{:>10} {:>9} {:>8} {:>12} {:>9} {:>9} {:>8}  verdict",
        "rate r/s", "requests", "efetch", "records/req", "wall s", "ideal s", "ratio"
    );
    for row in &rows {
        let ideal = row.requests as f64 / row.rate;
        let per_request = row.records as f64 / row.efetch_requests.max(1) as f64;
        if row.rate >= 1e6 {
            println!(
                "{:>10} {:>9} {:>8} {:>12.1} {:>9.2} {:>9} {:>8}  work floor (no pacing)",
                "unpaced", row.requests, row.efetch_requests, per_request, row.wall, "-", "-"
            );
            continue;
        }
        let ratio = row.wall / ideal;
        println!(
            "{:>10} {:>9} {:>8} {:>12.1} {:>9.2} {:>9.2} {:>8.3}  {}  (first request at {:.2} s, {:.2} s after the last)",
            row.rate,
            row.requests,
            row.efetch_requests,
            per_request,
            row.wall,
            ideal,
            ratio,
            if ratio <= 1.05 {
                "PASS (≤ 1.05)"
            } else {
                "MISS (> 1.05)"
            },
            row.lead,
            row.tail
        );
    }
    println!(
        "work floor / ideal at the fastest rate: {:.3}",
        floor / (rows.last().map_or(1.0, |r| r.requests as f64 / r.rate))
    );
}
