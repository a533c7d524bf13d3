//! Facet counts (year, type, journal, funder and the healthcare-scientist tags) over all hits, via tantivy's
//! terms aggregations on the fast fields.

use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, AggregationResults, BucketResult};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard, Key};
use tantivy::{Searcher, TantivyError};

/// Year facet: at most this many years, newest first.
pub const YEAR_FACET_SIZE: u32 = 200;

/// Publication-type facet: at most this many types, most frequent first.
pub const TYPE_FACET_SIZE: u32 = 50;

/// Journal facet: at most this many journals, most frequent first.
pub const JOURNAL_FACET_SIZE: u32 = 20;

/// Discipline and organisation facets: at most this many values (there are 52 disciplines).
pub const HCS_FACET_SIZE: u32 = 60;

/// Memory cap for one request's facet aggregation.
const AGGREGATION_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

/// Bucket cap for one request's facet aggregation.
const AGGREGATION_BUCKETS: u32 = 10_000;

/// Per-segment candidates for the count-ordered facets, so merged counts stay exact in practice.
const FACET_SEGMENT_SIZE: u32 = 1_000;

/// The aggregation request for the three facets.
pub(super) fn request() -> Result<Aggregations, TantivyError> {
    serde_json::from_value(serde_json::json!({
        "year": { "terms": {
            "field": "year", "size": YEAR_FACET_SIZE, "order": { "_key": "desc" },
        }},
        "type": { "terms": {
            "field": "type", "size": TYPE_FACET_SIZE, "segment_size": FACET_SEGMENT_SIZE,
        }},
        "journal": { "terms": {
            "field": "journal_exact", "size": JOURNAL_FACET_SIZE,
            "segment_size": FACET_SEGMENT_SIZE,
        }},
        "hcs": { "terms": { "field": "hcs", "size": 2 }},
        "discipline": { "terms": {
            "field": "hcs_discipline", "size": HCS_FACET_SIZE, "segment_size": FACET_SEGMENT_SIZE,
        }},
        "division": { "terms": { "field": "hcs_division", "size": 10 }},
        "organisation": { "terms": {
            "field": "hcs_organisation", "size": HCS_FACET_SIZE, "segment_size": FACET_SEGMENT_SIZE,
        }},
        "funder": { "terms": {
            "field": "funder", "size": HCS_FACET_SIZE, "segment_size": FACET_SEGMENT_SIZE,
        }},
        "role": { "terms": { "field": "hcs_role", "size": 10 }},
        "band": { "terms": { "field": "hcs_band", "size": 2 }},
    }))
    .map_err(|e| TantivyError::InvalidArgument(format!("facet request: {e}")))
}

/// A collector for `request`, with this request's memory and bucket caps.
pub(super) fn collector(request: &Aggregations, searcher: &Searcher) -> AggregationCollector {
    AggregationCollector::from_aggs(
        request.clone(),
        AggContextParams::new(
            AggregationLimitsGuard::new(Some(AGGREGATION_MEMORY_BYTES), Some(AGGREGATION_BUCKETS)),
            searcher.index().tokenizers().clone(),
        ),
    )
}

/// A facet value: a year or a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FacetValue {
    /// A numeric value (years).
    Number(u64),
    /// A text value (types, journals).
    Text(String),
}

/// One facet value and the number of matching records that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The value.
    pub value: FacetValue,
    /// Matching records with this value.
    pub count: u64,
}

/// Counts for one facet over all matching records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facet {
    /// The top values (see the size caps).
    pub buckets: Vec<Bucket>,
    /// Value occurrences not in `buckets` because of the size cap.
    pub other: u64,
}

/// Facet counts over all matching records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By publication year, newest first.
    pub year: Facet,
    /// By publication type, most frequent first (a record may have several).
    #[serde(rename = "type")]
    pub publication_type: Facet,
    /// By journal title, most frequent first.
    pub journal: Facet,
    /// Records with an accepted roster healthcare scientist (`roster`) or an inferred one (`inferred`).
    pub hcs: Facet,
    /// By discipline of the records' healthcare scientists.
    pub discipline: Facet,
    /// By division of the records' healthcare scientists.
    pub division: Facet,
    /// By organisation of the records' healthcare scientists.
    pub organisation: Facet,
    /// By funder (grants only).
    pub funder: Facet,
    /// By role of the records' counted healthcare scientists.
    pub role: Facet,
    /// By band of the records' roster matches (`accept`, `review`).
    pub band: Facet,
}

pub(super) fn facets_from(results: &AggregationResults) -> Facets {
    let facet = |name: &str| -> Facet {
        let Some(AggregationResult::BucketResult(BucketResult::Terms {
            buckets,
            sum_other_doc_count,
            ..
        })) = results.0.get(name)
        else {
            return Facet::default();
        };
        Facet {
            buckets: buckets
                .iter()
                .map(|bucket| Bucket {
                    value: facet_value(&bucket.key),
                    count: bucket.doc_count,
                })
                .collect(),
            other: *sum_other_doc_count,
        }
    };
    let mut year = facet("year");
    year.buckets.sort_by(|a, b| b.value.cmp_key(&a.value));
    let mut publication_type = facet("type");
    let mut journal = facet("journal");
    let mut hcs = facet("hcs");
    let mut discipline = facet("discipline");
    let mut division = facet("division");
    let mut organisation = facet("organisation");
    let mut funder = facet("funder");
    let mut role = facet("role");
    let mut band = facet("band");
    for facet in [
        &mut publication_type,
        &mut journal,
        &mut hcs,
        &mut discipline,
        &mut division,
        &mut organisation,
        &mut funder,
        &mut role,
        &mut band,
    ] {
        facet.buckets.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.value.cmp_key(&b.value))
        });
    }
    Facets {
        year,
        publication_type,
        journal,
        hcs,
        discipline,
        division,
        organisation,
        funder,
        role,
        band,
    }
}

fn facet_value(key: &Key) -> FacetValue {
    match key {
        Key::Str(text) => FacetValue::Text(text.clone()),
        Key::U64(number) => FacetValue::Number(*number),
        Key::I64(number) => u64::try_from(*number)
            .map(FacetValue::Number)
            .unwrap_or_else(|_| FacetValue::Text(number.to_string())),
        Key::F64(number) if number.fract() == 0.0 && *number >= 0.0 && *number < 1e15 => {
            FacetValue::Number(*number as u64)
        }
        Key::F64(number) => FacetValue::Text(number.to_string()),
    }
}

impl FacetValue {
    fn cmp_key(&self, other: &FacetValue) -> std::cmp::Ordering {
        match (self, other) {
            (FacetValue::Number(a), FacetValue::Number(b)) => a.cmp(b),
            (FacetValue::Text(a), FacetValue::Text(b)) => a.cmp(b),
            (FacetValue::Number(_), FacetValue::Text(_)) => std::cmp::Ordering::Less,
            (FacetValue::Text(_), FacetValue::Number(_)) => std::cmp::Ordering::Greater,
        }
    }
}
