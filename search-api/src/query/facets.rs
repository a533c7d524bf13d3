//! Facet counts over all hits, from the fast fields: per segment, each
//! matching document's value ordinals are counted in a dense array (one
//! increment per value), and only values that occurred are turned back into
//! text. This is Lucene's doc-values faceting; for these few fixed fields it
//! measured several times cheaper than tantivy's general terms aggregation.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::RecordKind;

/// Year facet: at most this many years, newest first.
pub const YEAR_FACET_SIZE: usize = 200;

/// Publication-type (or grant programme) facet: at most this many, most frequent first.
pub const TYPE_FACET_SIZE: usize = 50;

/// Journal facet: at most this many journals, most frequent first.
pub const JOURNAL_FACET_SIZE: usize = 20;

/// Discipline, organisation and funder facets: at most this many values (there are 52 disciplines).
pub const HCS_FACET_SIZE: usize = 60;

/// The text facets: response name, index field and size. `journal` is
/// counted for publications only, `funder` for grants only.
const TEXT_FACETS: [(&str, &str, usize); 9] = [
    ("type", "type", TYPE_FACET_SIZE),
    ("journal", "journal_exact", JOURNAL_FACET_SIZE),
    ("funder", "funder", HCS_FACET_SIZE),
    ("hcs", "hcs", 2),
    ("discipline", "hcs_discipline", HCS_FACET_SIZE),
    ("division", "hcs_division", 10),
    ("organisation", "hcs_organisation", HCS_FACET_SIZE),
    ("role", "hcs_role", 10),
    ("band", "hcs_band", 2),
];

/// Counts every facet of a search of `kind` over the matching documents.
pub(super) struct FacetCollector {
    facets: Vec<usize>,
}

impl FacetCollector {
    /// The facets that apply to `kind`.
    pub(super) fn new(kind: RecordKind) -> Self {
        let skipped = match kind {
            RecordKind::Publication => "funder",
            RecordKind::Grant => "journal",
        };
        FacetCollector {
            facets: (0..TEXT_FACETS.len())
                .filter(|&i| TEXT_FACETS[i].0 != skipped)
                .collect(),
        }
    }
}

/// One segment's counters.
pub(super) struct SegmentFacetCounter {
    year: Option<Column<u64>>,
    years: HashMap<u64, u64>,
    /// Facet number, its column, and a count per term ordinal.
    text: Vec<(usize, StrColumn, Vec<u32>)>,
}

/// One segment's counts, with ordinals resolved to text.
pub(super) struct SegmentFacets {
    years: HashMap<u64, u64>,
    text: Vec<(usize, Vec<(String, u64)>)>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let fast = reader.fast_fields();
        let mut text = Vec::with_capacity(self.facets.len());
        for &facet in &self.facets {
            // A segment where no document has the field has no column.
            if let Some(column) = fast.str(TEXT_FACETS[facet].1)? {
                let counts = vec![0u32; column.num_terms()];
                text.push((facet, column, counts));
            }
        }
        Ok(SegmentFacetCounter {
            year: fast.u64("year").ok(),
            years: HashMap::new(),
            text,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut years: HashMap<u64, u64> = HashMap::new();
        let mut text: Vec<HashMap<String, u64>> = vec![HashMap::new(); TEXT_FACETS.len()];
        for segment in segments {
            for (year, count) in segment.years {
                *years.entry(year).or_default() += count;
            }
            for (facet, values) in segment.text {
                for (value, count) in values {
                    *text[facet].entry(value).or_default() += count;
                }
            }
        }
        let mut year: Vec<(u64, u64)> = years.into_iter().collect();
        year.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        let mut facets = Facets {
            year: top(year.into_iter().map(|(y, c)| (FacetValue::Number(y), c)), YEAR_FACET_SIZE),
            ..Facets::default()
        };
        for (facet, counts) in text.into_iter().enumerate() {
            let (name, _, size) = TEXT_FACETS[facet];
            let mut values: Vec<(String, u64)> = counts.into_iter().collect();
            values.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let counted = top(values.into_iter().map(|(v, c)| (FacetValue::Text(v), c)), size);
            *facets.named_mut(name) = counted;
        }
        Ok(facets)
    }
}

/// The first `size` values as buckets; the rest summed into `other`.
fn top(values: impl Iterator<Item = (FacetValue, u64)>, size: usize) -> Facet {
    let mut facet = Facet::default();
    for (value, count) in values {
        if facet.buckets.len() < size {
            facet.buckets.push(Bucket { value, count });
        } else {
            facet.other += count;
        }
    }
    facet
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(year) = &self.year {
            for value in year.values_for_doc(doc) {
                *self.years.entry(value).or_default() += 1;
            }
        }
        for (_, column, counts) in &mut self.text {
            for ord in column.term_ords(doc) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> SegmentFacets {
        let text = self
            .text
            .into_iter()
            .map(|(facet, column, counts)| {
                let mut values = Vec::new();
                for (ord, &count) in counts.iter().enumerate() {
                    if count == 0 {
                        continue;
                    }
                    let mut value = String::new();
                    // An ordinal from the column is always in its dictionary.
                    if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        values.push((value, u64::from(count)));
                    }
                }
                (facet, values)
            })
            .collect();
        SegmentFacets {
            years: self.years,
            text,
        }
    }
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

impl Facets {
    fn named_mut(&mut self, name: &str) -> &mut Facet {
        match name {
            "type" => &mut self.publication_type,
            "journal" => &mut self.journal,
            "funder" => &mut self.funder,
            "hcs" => &mut self.hcs,
            "discipline" => &mut self.discipline,
            "division" => &mut self.division,
            "organisation" => &mut self.organisation,
            "role" => &mut self.role,
            "band" => &mut self.band,
            _ => &mut self.year,
        }
    }
}

