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
use indexer::records::{Grant, Publication, PublicationDate, Record};
use indexer::tagging::model::{
    Band, BylinePosition, Evidence, GrantRoleCategory, PersonTag, Role, SlotTag, TaggedOrganisation,
};
use indexer::tagging::Tier;

fn corpus(size: usize, seed: u64) -> (Vec<Record>, Vec<Vec<SlotTag>>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let taxonomy: Vec<(String, String)> = indexer::tagging::taxonomy::BUNDLED_TAXONOMY
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (division, discipline) = line.split_once(',')?;
            Some((division.to_owned(), discipline.trim_matches('"').to_owned()))
        })
        .collect();
    let organisations: Vec<String> = (0..15)
        .map(|i| format!("NHS Wales organisation {i}"))
        .collect();
    let mut records = Vec::with_capacity(size);
    let mut tags = Vec::with_capacity(size);
    for index in 0..size {
        let year = 1990 + rng.u16(0..36);
        let grant = index % 10 == 0;
        let record = if grant {
            Record::Grant(Box::new(Grant {
                id: format!("grant:nihr:B{index}"),
                funder: ["NIHR", "MRC", "EPSRC", "Health and Care Research Wales"][rng.usize(0..4)]
                    .into(),
                reference: format!("B{index}"),
                amount: Some(f64::from(rng.u32(10_000..2_000_000))),
                currency: Some("GBP".into()),
                start: Some(format!("{year}-04-01")),
                ..Grant::default()
            }))
        } else {
            Record::Publication(Box::new(Publication {
                id: format!("pmid:{}", 90_000_000 + index),
                published: PublicationDate {
                    year,
                    ..PublicationDate::default()
                },
                ..Publication::default()
            }))
        };
        let people = rng.usize(1..4);
        let slots = (0..people)
            .map(|slot| {
                let (division, discipline) = &taxonomy[rng.usize(0..taxonomy.len())];
                let role = if grant {
                    Role::Grant {
                        category: if slot == 0 {
                            GrantRoleCategory::Leadership
                        } else {
                            GrantRoleCategory::CoApplicant
                        },
                        published: if slot == 0 {
                            "Chief Investigator".into()
                        } else {
                            "Co-Applicant".into()
                        },
                    }
                } else {
                    let position = match slot {
                        0 => BylinePosition::First,
                        1 => BylinePosition::Middle,
                        _ => BylinePosition::Last,
                    };
                    Role::Author {
                        position,
                        corresponding: rng.u8(0..10) == 0,
                    }
                };
                SlotTag {
                    position: slot as u32 + 1,
                    tag: PersonTag {
                        tier: Tier::Roster,
                        person_id: Some(format!("hcs-{}", rng.u32(0..5_000))),
                        discipline: Some(discipline.clone()),
                        division: Some(division.clone()),
                        organisation: Some(TaggedOrganisation {
                            key: None,
                            name: organisations[rng.usize(0..organisations.len())].clone(),
                            published: None,
                        }),
                        role,
                        band: Band::Accept,
                        score: 90,
                        evidence: vec![Evidence {
                            feature: "bench".into(),
                            value: String::new(),
                            points: 0.0,
                        }],
                        curated: None,
                    },
                }
            })
            .collect();
        records.push(record);
        tags.push(slots);
    }
    (records, tags)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn time_ms(runs: usize, mut job: impl FnMut() -> usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut check = 0;
    for _ in 0..runs {
        let started = Instant::now();
        check = std::hint::black_box(job());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99), check)
}

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
        let (records, tags) = corpus(size, 7);
        let started = Instant::now();
        let index = MetricsIndex::build(&records, &tags);
        let build = started.elapsed().as_secs_f64();
        drop(records);
        let (floor, _, _) = time_ms(runs, || {
            tags.iter()
                .map(|t| t.iter().filter(|s| s.tag.band == Band::Accept).count())
                .sum()
        });
        for group_by in [
            GroupBy::Year,
            GroupBy::Organisation,
            GroupBy::Division,
            GroupBy::Discipline,
            GroupBy::Funder,
        ] {
            let query = MetricsQuery {
                from: None,
                to: None,
                group_by,
                tier: TierChoice::Roster,
                with_records: false,
            };
            let (p50, p99, publications) =
                time_ms(runs, || measure(&index, &query).total.publications);
            assert!(publications > 0);
            let target = if size == 100_000 && p50 > 20.0 {
                "  MISS (> 20 ms)"
            } else {
                ""
            };
            println!(
                "{size:>9} {build:>10.2} {:>14} {p50:>10.2} {p99:>10.2} {floor:>9.2} {:>7.1}{target}",
                format!("{group_by:?}").to_lowercase(),
                p50 / floor.max(1e-9)
            );
        }
    }
}
