//! Roster retrieval benchmark: `indexer harvest roster --sources pubmed` for
//! a generated N-person NHS Wales roster against the replay server
//! evaluating PubMed's query language, at a real pacing rate. It reports the
//! requests made (ESearch and EFetch, against the issue's budget of about
//! one per person), wall time divided by the ideal (requests ÷ rate), the
//! share of each person's own records found, and how many other people's
//! records (namesakes) the name-only stage fetched.
//!
//! ```sh
//! cargo bench --bench roster                                  # 5,000 people at 3 requests/s
//! cargo bench --bench roster -- --people 500 --rate 1000 --json
//! ```
//!
//! The corpus is generated, so that its name frequencies look like a Welsh
//! roster's in PubMed (stated, not measured: real counts need the network).
//! Each person gets 0–6 records of their own, first to last author, 70 %
//! with their employer in the affiliation and 30 % without any (as MEDLINE
//! printed only the first author's before 2014). Each (family name, first
//! initial) also has namesakes elsewhere: 2,000 ÷ (rank + 1) records for
//! the 20 commonest Welsh surnames, 3,000 ÷ (rank + 1) for the commonest
//! surnames of the roster's international staff, 12 for every other name.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use replay_server::pubmed::{Article, Corpus, TermMode};

#[path = "roster_gen.rs"]
mod roster_gen;
use roster_gen::{roster, roster_csv, Person, DEPARTMENTS, EMPLOYERS, INTERNATIONAL, WELSH};

struct Options {
    people: usize,
    rate: f64,
    seed: u64,
    json: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        people: 5_000,
        rate: 3.0,
        seed: 12,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| {
            args.next()
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--people" => options.people = number("--people")? as usize,
            "--rate" => options.rate = number("--rate")?,
            "--seed" => options.seed = number("--seed")? as u64,
            "--json" => options.json = true,
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn author_xml(family: &str, fore: &str, initials: &str, affiliation: Option<&str>) -> String {
    let mut xml = format!(
        "<Author ValidYN=\"Y\"><LastName>{family}</LastName><ForeName>{fore}</ForeName><Initials>{initials}</Initials>"
    );
    if let Some(affiliation) = affiliation {
        let _ = write!(
            xml,
            "<AffiliationInfo><Affiliation>{affiliation}</Affiliation></AffiliationInfo>"
        );
    }
    xml.push_str("</Author>");
    xml
}

fn article(pmid: u64, year: u16, title: &str, authors: &[String]) -> Article {
    let xml = format!(
        "<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"1\">{pmid}</PMID>\
         <Article PubModel=\"Print\"><Journal><JournalIssue CitedMedium=\"Print\"><PubDate><Year>{year}</Year></PubDate>\
         </JournalIssue><Title>Journal of Benchmark Science</Title></Journal><ArticleTitle>{title}</ArticleTitle>\
         <AuthorList CompleteYN=\"Y\">{}</AuthorList><Language>eng</Language></Article></MedlineCitation>\
         <PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>",
        authors.concat()
    );
    Article {
        pmid,
        edat: (
            i32::from(year),
            1 + (pmid % 12) as u8,
            1 + (pmid % 28) as u8,
        ),
        xml,
    }
}

/// The corpus, and each person's own PMIDs (the gold).
fn corpus(people: &[Person], rng: &mut fastrand::Rng) -> (Corpus, HashMap<String, Vec<u64>>) {
    let mut corpus = Corpus::new();
    corpus.terms = TermMode::Evaluate;
    let mut next_pmid = 60_000_000u64;
    let coauthor = |rng: &mut fastrand::Rng| {
        const FAMILIES: [&str; 6] = [
            "Kowalczyk",
            "Nakamura",
            "Ferreira",
            "Lindqvist",
            "Okafor",
            "Dubois",
        ];
        author_xml(
            FAMILIES[rng.usize(..FAMILIES.len())],
            "Alex",
            "A",
            Some("University of Elsewhere, Elsewhere"),
        )
    };
    let mut gold: HashMap<String, Vec<u64>> = HashMap::new();
    for person in people {
        for _ in 0..rng.usize(..=6) {
            let pmid = next_pmid;
            next_pmid += 1;
            let affiliation = (rng.f64() < 0.7).then(|| {
                format!(
                    "{}, {}",
                    DEPARTMENTS[person.department].0, EMPLOYERS[person.employer].1
                )
            });
            let own = author_xml(
                &person.family,
                &person.fore_name(),
                &person.initials(),
                affiliation.as_deref(),
            );
            let mut authors = vec![coauthor(rng), coauthor(rng)];
            authors.insert(rng.usize(..=authors.len()), own);
            let year = 2005 + rng.u16(..20);
            corpus.add(article(pmid, year, &format!("Own work {pmid}"), &authors));
            gold.entry(person.id.clone()).or_default().push(pmid);
        }
    }
    // Namesakes: other people sharing a family name and first initial.
    let mut keys: BTreeMap<(String, char), usize> = BTreeMap::new();
    for person in people {
        let initial = person.given.chars().next().unwrap_or('A');
        let count = if let Some(rank) = WELSH.iter().position(|f| *f == person.family) {
            2_000 / (rank + 1)
        } else if let Some(rank) = INTERNATIONAL.iter().position(|f| *f == person.family) {
            3_000 / (rank + 1)
        } else {
            12
        };
        keys.insert((person.family.clone(), initial), count);
    }
    for ((family, initial), count) in keys {
        for n in 0..count {
            let pmid = next_pmid;
            next_pmid += 1;
            // Another given name with the same initial, a different middle initial.
            let fore = format!(
                "{initial}{} {}",
                ["ora", "elix", "ames"][n % 3],
                (b'A' + (n % 26) as u8) as char
            );
            let initials = format!("{initial}{}", (b'A' + (n % 26) as u8) as char);
            let namesake = author_xml(
                &family,
                &fore,
                &initials,
                Some("Hospital Elsewhere, Elsewhere"),
            );
            let authors = vec![coauthor(rng), namesake];
            corpus.add(article(
                pmid,
                1990 + (n % 35) as u16,
                &format!("Namesake work {pmid}"),
                &authors,
            ));
        }
    }
    (corpus, gold)
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("roster bench: {message}");
            std::process::exit(2);
        }
    };
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let people = roster(options.people, &mut rng);
    let generated = Instant::now();
    let (corpus, gold) = corpus(&people, &mut rng);
    let _ = corpus.search_index();
    eprintln!(
        "roster bench: {} people, {} records generated and indexed in {:.1} s",
        people.len(),
        corpus.len(),
        generated.elapsed().as_secs_f64()
    );
    let corpus = Arc::new(corpus);
    let server = corpus.serve();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let roster_file = dir.path().join("roster.csv");
    std::fs::write(&roster_file, roster_csv(&people)).expect("roster written");
    let config = dir.path().join("harvest.toml");
    std::fs::write(
        &config,
        format!(
            "[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nrate = {}\n",
            server.base_url(),
            options.rate
        ),
    )
    .expect("config written");
    let run = |args: &[&str]| {
        let mut argv = vec![
            "indexer".to_owned(),
            "--data-dir".to_owned(),
            data.display().to_string(),
        ];
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        let mut err = Vec::new();
        let code = indexer::cli::run(argv, &mut std::io::sink(), &mut err, false);
        (code, String::from_utf8_lossy(&err).into_owned())
    };
    let (code, err) = run(&["roster", "import", &roster_file.display().to_string()]);
    if code > 2 {
        eprintln!("roster import failed: {err}");
        std::process::exit(1);
    }
    let report = dir.path().join("report.csv");
    let started = Instant::now();
    let (code, err) = run(&[
        "harvest",
        "--config",
        &config.display().to_string(),
        "roster",
        "--sources",
        "pubmed",
        "--report",
        &report.display().to_string(),
    ]);
    let wall = started.elapsed().as_secs_f64();
    if code != 0 {
        eprintln!("harvest roster failed: {err}");
        std::process::exit(1);
    }
    let log = server.requests();
    let esearch = log
        .iter()
        .filter(|l| l.request.path.ends_with("esearch.fcgi"))
        .count();
    let efetch = log
        .iter()
        .filter(|l| l.request.path.ends_with("efetch.fcgi"))
        .count();
    let requests = log.len();
    // Recall from the per-person report: credited PMIDs against each person's own.
    let text = std::fs::read_to_string(&report).expect("report");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut credited: HashMap<String, Vec<u64>> = HashMap::new();
    let mut too_broad = 0usize;
    for row in reader.records() {
        let row = row.expect("report row");
        let pmids = row
            .get(3)
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
        if row
            .get(5)
            .unwrap_or_default()
            .contains("too many to be one person's")
        {
            too_broad += 1;
        }
        credited.insert(row.get(0).unwrap_or_default().to_owned(), pmids);
    }
    let own: usize = gold.values().map(Vec::len).sum();
    let found: usize = gold
        .iter()
        .map(|(id, pmids)| {
            let got = credited.get(id).cloned().unwrap_or_default();
            pmids.iter().filter(|p| got.contains(p)).count()
        })
        .sum();
    let fetched = indexer::index::IndexStore::open_existing(&data)
        .and_then(|store| store.count())
        .expect("index count") as usize;
    let ideal = requests as f64 / options.rate;
    let summary = serde_json::json!({
        "people": people.len(),
        "corpus_records": corpus.len(),
        "rate": options.rate,
        "requests": requests,
        "esearch": esearch,
        "efetch": efetch,
        "requests_per_person": requests as f64 / people.len() as f64,
        "wall_s": wall,
        "ideal_s": ideal,
        "wall_over_ideal": wall / ideal,
        "own_records": own,
        "own_found": found,
        "recall": found as f64 / own.max(1) as f64,
        "records_fetched": fetched,
        "namesake_records_fetched": fetched.saturating_sub(found),
        "people_too_broad": too_broad,
    });
    if options.json {
        println!("{summary}");
    } else {
        println!(
            "roster retrieval, {} people at {} req/s: {requests} requests ({esearch} ESearch, {efetch} EFetch; {:.3} per person), \
             wall {wall:.1} s = {:.3} × ideal {ideal:.1} s; own records found {found}/{own} ({:.1} %); \
             {fetched} records fetched ({} of namesakes); {too_broad} people too broad for a name-only search",
            people.len(),
            options.rate,
            requests as f64 / people.len() as f64,
            wall / ideal,
            100.0 * found as f64 / own.max(1) as f64,
            fetched.saturating_sub(found),
        );
    }
}
