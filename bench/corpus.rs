//! The benchmarks' deterministic corpus, timing helpers and target verdicts.
//!
//! Publications over 1990–2025 with one to three accepted healthcare-scientist
//! authors (first, middle, last, corresponding) in 15 organisations and all 52
//! disciplines; one record in ten a grant with a lead and co-applicants and an
//! amount.

#![allow(dead_code)] // each benchmark uses its own part

use std::time::Instant;

use indexer::records::{Grant, Publication, PublicationDate, Record};
use indexer::tagging::model::{
    Band, BylinePosition, Evidence, GrantRoleCategory, PersonTag, Role, SlotTag, TaggedOrganisation,
};
use indexer::tagging::Tier;

/// `size` records with their tags, the same for the same `seed`. With
/// `texts` (real records), each publication takes the title, subjects and
/// byline of one real record and the abstract of another, so the text has
/// the fixtures' vocabulary and term statistics; without, records are bare.
pub fn corpus(size: usize, seed: u64, texts: &[Publication]) -> (Vec<Record>, Vec<Vec<SlotTag>>) {
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
                title: texts
                    .get(index % texts.len().max(1))
                    .map(|t| t.title.clone())
                    .unwrap_or_default(),
                reference: format!("B{index}"),
                amount: Some(f64::from(rng.u32(10_000..2_000_000))),
                currency: Some("GBP".into()),
                start: Some(format!("{year}-04-01")),
                ..Grant::default()
            }))
        } else {
            let mut publication = match texts.len() {
                0 => Publication::default(),
                n => {
                    let mut text = texts[rng.usize(0..n)].clone();
                    text.r#abstract = texts[rng.usize(0..n)].r#abstract.clone();
                    text
                }
            };
            publication.id = format!("pmid:{}", 90_000_000 + index);
            publication.identifiers = Default::default();
            publication.identifiers.pmid = Some((90_000_000 + index).to_string());
            publication.published = Some(PublicationDate::in_year(year));
            Record::Publication(Box::new(publication))
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

/// `PASS` or `MISS`: how a benchmark prints whether it met a target.
pub fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

/// The `p` quantile (0–1) of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Median and 99th percentile in ms of `runs` calls of `job`, and its last answer.
pub fn time_ms(runs: usize, mut job: impl FnMut() -> usize) -> (f64, f64, usize) {
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
