//! Participation-metrics benchmark: how long `GET /api/metrics/participation`
//! spends aggregating, at 10⁵ and 10⁶ tagged records.
//!
//! ```sh
//! cargo bench --bench metrics                    # 100,000 and 1,000,000 records
//! cargo bench --bench metrics -- --records 100000 --runs 50
//! ```
//!
//! The corpus is generated deterministically in the shape tagging produces:
//! publications over 1990–2025 with one to three accepted healthcare-scientist
//! authors (first, middle, last, corresponding) in 15 organisations and all 52
//! disciplines, one record in ten a grant with a lead and a co-applicant and
//! an amount. Each row reports the median and 99th percentile of `measure`
//! per grouping, and the floor: one pass over the same facts that only counts
//! tags, so the cost of grouping and drill-down sets is the ratio to it.
//! Target: ≤ 20 ms median at 10⁵.

use std::time::Instant;

use indexer::metrics::{measure, GroupBy, MetricsIndex, MetricsQuery, TierChoice};
use indexer::tagging::Band;

#[path = "corpus.rs"]
mod corpus;

fn main() {
    let mut sizes = vec![100_000usize, 1_000_000];
    let mut runs = 30usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => {
                sizes = vec![args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--records N")]
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    println!("participation metrics: median / p99 of `measure` per grouping, vs a counting pass over the same facts");
    println!(
        "{:>9} {:>10} {:>14} {:>10} {:>10} {:>9} {:>7}",
        "records", "build s", "group_by", "p50 ms", "p99 ms", "floor ms", "ratio"
    );
    for size in sizes {
        let (records, tags) = corpus::corpus(size, 7, &[]);
        let started = Instant::now();
        let index = MetricsIndex::build(&records, &tags);
        let build = started.elapsed().as_secs_f64();
        drop(records);
        let (floor, _, _) = corpus::time_ms(runs, || {
            tags.iter()
                .map(|t| t.iter().filter(|s| s.tag.band == Band::Accept).count())
                .sum()
        });
        for group_by in GroupBy::ALL {
            let query = MetricsQuery {
                from: None,
                to: None,
                group_by,
                tier: TierChoice::Roster,
                with_records: false,
            };
            let (p50, p99, publications) =
                corpus::time_ms(runs, || measure(&index, &query).total.publications);
            assert!(publications > 0);
            let target = if size == 100_000 && p50 > 20.0 {
                "  MISS (> 20 ms)"
            } else {
                ""
            };
            println!(
                "{size:>9} {build:>10.2} {:>14} {p50:>10.2} {p99:>10.2} {floor:>9.2} {:>7.1}{target}",
                group_by.name(),
                p50 / floor.max(1e-9)
            );
        }
    }
}
