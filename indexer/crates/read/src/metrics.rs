//! The Network's participation measures, from tagged records:
//!
//! * (a) distinct healthcare scientists in a **leadership** role on a grant,
//!   and distinct healthcare scientists **conducting** research (any grant
//!   role or any authorship);
//! * (b) awarded grants **led** by a healthcare scientist, and grants with a
//!   healthcare-scientist **co-applicant**, with counts and amounts;
//! * (c) publications with at least one healthcare-scientist author, and
//!   with one as first, last or corresponding author.
//!
//! Grouped by year, organisation, division, discipline or funder. A record
//! counts once in the total and once in each group it touches (a paper by
//! scientists of two boards counts for both boards). Every cell keeps the
//! ids of the records behind it, so each number can be audited.
//!
//! Tier 1 counts roster matches in the accept band (people by `person_id`);
//! tier 2 counts inferred healthcare scientists (review band, people by
//! record and position), always reported apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use hcs_model::records::Record;
use hcs_model::tags::Tier;
use hcs_model::tags::{Band, GrantRoleCategory, Role, SlotTag};

/// How records are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupBy {
    /// Publication year, or the grant's start year.
    Year,
    /// The organisation a tag counts under (current name).
    Organisation,
    /// Taxonomy division of the healthcare scientist.
    Division,
    /// Taxonomy discipline of the healthcare scientist.
    Discipline,
    /// Funder of a grant; publications by the funders they acknowledge.
    Funder,
}

impl GroupBy {
    /// Every grouping, in the order menus list them.
    pub const ALL: [GroupBy; 5] = [
        GroupBy::Year,
        GroupBy::Organisation,
        GroupBy::Division,
        GroupBy::Discipline,
        GroupBy::Funder,
    ];

    /// The name used in URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Year => "year",
            GroupBy::Organisation => "organisation",
            GroupBy::Division => "division",
            GroupBy::Discipline => "discipline",
            GroupBy::Funder => "funder",
        }
    }
}

/// Which tier's tags count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TierChoice {
    /// Roster matches in the accept band (the reported figures).
    Roster,
    /// Inferred, not on the roster (possible healthcare scientists).
    Inferred,
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct MetricsQuery {
    /// First year counted (inclusive).
    pub from: Option<u16>,
    /// Last year counted (inclusive).
    pub to: Option<u16>,
    /// Grouping.
    pub group_by: GroupBy,
    /// Tier.
    pub tier: TierChoice,
    /// List the record ids behind every cell (large: off for dashboards).
    pub with_records: bool,
}

/// Amounts per currency (grants are rarely all in one).
pub type Amounts = BTreeMap<String, f64>;

/// The measures of one group (or of the total).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    /// (a) distinct healthcare scientists leading a grant.
    pub people_leading: usize,
    /// (a) distinct healthcare scientists conducting research (any grant role or authorship).
    pub people_conducting: usize,
    /// (b) grants led by a healthcare scientist.
    pub grants_led: usize,
    /// (b) their amounts, by currency.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub grants_led_amount: Amounts,
    /// (b) grants with a healthcare-scientist co-applicant.
    pub grants_co_applicant: usize,
    /// (b) their amounts, by currency.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub grants_co_applicant_amount: Amounts,
    /// (c) publications with at least one healthcare-scientist author.
    pub publications: usize,
    /// (c) publications with a healthcare scientist as first, last or corresponding author.
    pub publications_key_author: usize,
    /// The records behind each measure, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<CellRecords>,
}

/// Record ids behind each measure of a cell.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellRecords {
    /// Grants with a healthcare scientist in a leadership role.
    pub grants_led: BTreeSet<String>,
    /// Grants with a healthcare-scientist co-applicant.
    pub grants_co_applicant: BTreeSet<String>,
    /// Publications with a healthcare-scientist author.
    pub publications: BTreeSet<String>,
    /// Publications with a healthcare scientist first, last or corresponding.
    pub publications_key_author: BTreeSet<String>,
    /// Grants and publications on which the counted people conduct research.
    pub conducting: BTreeSet<String>,
}

/// The result: one row per group and the total.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Participation {
    /// Grouping used.
    pub group_by: GroupBy,
    /// Tier counted.
    pub tier: TierChoice,
    /// First year counted.
    pub from: Option<u16>,
    /// Last year counted.
    pub to: Option<u16>,
    /// Rows in group order.
    pub rows: Vec<(String, Cell)>,
    /// Every group together (a record or person counts once).
    pub total: Cell,
}

/// A set of small numbers (interned people, record indices) as bits: an
/// insert is a shift and an OR, a count is a popcount.
#[derive(Default)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn insert(&mut self, value: u32) {
        let (word, bit) = ((value / 64) as usize, value % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn len(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }
}

/// Distinct records counted as they are visited: records come in index
/// order, so a record is new exactly when it differs from the last one seen.
/// No set is kept unless the record ids are wanted.
#[derive(Default)]
struct RecordSet {
    last: Option<u32>,
    count: usize,
    /// Sums per interned currency label (grants rarely use more than one).
    amounts: Vec<(u32, f64)>,
    members: Option<Vec<u32>>,
}

impl RecordSet {
    fn new(with_records: bool) -> Self {
        RecordSet {
            members: with_records.then(Vec::new),
            ..RecordSet::default()
        }
    }

    fn insert(&mut self, number: u32, amount: Option<(u32, f64)>) {
        if self.last == Some(number) {
            return;
        }
        self.last = Some(number);
        self.count += 1;
        if let Some((currency, amount)) = amount {
            match self.amounts.iter_mut().find(|(c, _)| *c == currency) {
                Some((_, sum)) => *sum += amount,
                None => self.amounts.push((currency, amount)),
            }
        }
        if let Some(members) = &mut self.members {
            members.push(number);
        }
    }

    fn ids(&self, index: &MetricsIndex) -> BTreeSet<String> {
        self.members
            .iter()
            .flatten()
            .map(|&r| index.ids[r as usize].clone())
            .collect()
    }

    fn amounts(&self, index: &MetricsIndex) -> Amounts {
        self.amounts
            .iter()
            .map(|&(currency, sum)| (index.labels[currency as usize].clone(), sum))
            .collect()
    }
}

/// Distinct people (as bits) and records, accumulated before counting.
struct Tally {
    leading: BitSet,
    conducting: BitSet,
    grants_led: RecordSet,
    grants_co_applicant: RecordSet,
    publications: RecordSet,
    publications_key_author: RecordSet,
    conducting_records: RecordSet,
}

impl Tally {
    fn new(with_records: bool) -> Self {
        Tally {
            leading: BitSet::default(),
            conducting: BitSet::default(),
            grants_led: RecordSet::new(with_records),
            grants_co_applicant: RecordSet::new(with_records),
            publications: RecordSet::new(with_records),
            publications_key_author: RecordSet::new(with_records),
            conducting_records: RecordSet::new(with_records),
        }
    }

    fn finish(self, index: &MetricsIndex, with_records: bool) -> Cell {
        Cell {
            people_leading: self.leading.len(),
            people_conducting: self.conducting.len(),
            grants_led: self.grants_led.count,
            grants_co_applicant: self.grants_co_applicant.count,
            publications: self.publications.count,
            publications_key_author: self.publications_key_author.count,
            records: with_records.then(|| CellRecords {
                grants_led: self.grants_led.ids(index),
                grants_co_applicant: self.grants_co_applicant.ids(index),
                publications: self.publications.ids(index),
                publications_key_author: self.publications_key_author.ids(index),
                conducting: self.conducting_records.ids(index),
            }),
            grants_led_amount: self.grants_led.amounts(index),
            grants_co_applicant_amount: self.grants_co_applicant.amounts(index),
        }
    }
}

/// A role as the measures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleFact {
    /// Leads a grant.
    Leads,
    /// Co-applicant on a grant.
    CoApplies,
    /// Any other grant role.
    OtherGrantRole,
    /// Author; `key` when first, last or corresponding.
    Author { key: bool },
}

impl From<&Role> for RoleFact {
    fn from(role: &Role) -> Self {
        match role {
            Role::Grant { category, .. } => match category {
                GrantRoleCategory::Leadership => RoleFact::Leads,
                GrantRoleCategory::CoApplicant => RoleFact::CoApplies,
                GrantRoleCategory::Other => RoleFact::OtherGrantRole,
            },
            Role::Author { .. } => RoleFact::Author {
                key: role.is_key_author(),
            },
        }
    }
}

/// What one tagged person contributes to the measures: plain numbers, so
/// that a record's people sit side by side in one array.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PersonFact {
    /// Roster person id, or `record#position` for an inferred person, interned.
    person: u32,
    /// Group labels, interned in [`MetricsIndex::labels`] (0 is "(unknown)").
    organisation: u32,
    division: u32,
    discipline: u32,
    tier: Tier,
    band: Band,
    role: RoleFact,
}

/// What one record contributes: built once, aggregated per query.
#[derive(Debug, Clone, PartialEq)]
struct RecordFacts {
    grant: bool,
    year: Option<u16>,
    /// The year as an interned label.
    year_label: u32,
    /// Its funders' labels: `MetricsIndex::funders[start..end]` (at least one: "(unknown)").
    funders: (u32, u32),
    /// Amount with its currency as an interned label.
    amount: Option<(u32, f64)>,
    /// Its people: `MetricsIndex::people[start..end]`.
    people: (u32, u32),
}

/// The facts of a tagged corpus, compact enough to keep in memory and
/// aggregate on every request.
///
/// Everything a query reads sits in flat arrays of numbers, built in one
/// pass: aggregation walks memory in order instead of chasing one heap
/// allocation per record (measured 4× slower when the records were decoded
/// from the index in between).
///
/// The service builds one per index segment and [`combine`](Self::combine)s
/// them, so a commit costs only the decoding of its new segments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsIndex {
    records: Vec<RecordFacts>,
    /// Record ids, by record number (read only for drill-down lists).
    ids: Vec<String>,
    people: Vec<PersonFact>,
    funders: Vec<u32>,
    /// Every group label (organisations, divisions, disciplines, funders, years, currencies), interned.
    labels: Vec<String>,
    /// Who each interned person is (roster id or `record#position`), kept so
    /// that indexes of different segments can be combined.
    person_keys: Vec<String>,
}

/// Interns group labels so aggregation compares and indexes integers.
struct Labels {
    ids: HashMap<String, u32>,
    labels: Vec<String>,
}

impl Labels {
    fn new() -> Self {
        let mut labels = Labels {
            ids: HashMap::new(),
            labels: Vec::new(),
        };
        labels.id(UNKNOWN);
        labels
    }

    fn id(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.ids.get(label) {
            return id;
        }
        let id = self.labels.len() as u32;
        self.ids.insert(label.to_owned(), id);
        self.labels.push(label.to_owned());
        id
    }

    fn of(&mut self, label: Option<&str>) -> u32 {
        label.map_or(0, |label| self.id(label))
    }
}

/// Appends indexes' records to one, numbering labels and people by first
/// use in the same order as [`MetricsIndex::build`] does, so that the result
/// is the index built from the appended records.
struct Combiner {
    index: MetricsIndex,
    labels: Labels,
    people: HashMap<String, u32>,
}

impl Default for Combiner {
    fn default() -> Self {
        Combiner {
            index: MetricsIndex::default(),
            labels: Labels::new(),
            people: HashMap::new(),
        }
    }
}

impl Combiner {
    fn append(&mut self, part: &MetricsIndex, keep: impl Fn(usize) -> bool) {
        let mut label: Vec<Option<u32>> = vec![None; part.labels.len()];
        let mut person: Vec<Option<u32>> = vec![None; part.person_keys.len()];
        let labels = &mut self.labels;
        let mut intern = |number: u32| {
            *label[number as usize].get_or_insert_with(|| labels.id(&part.labels[number as usize]))
        };
        let index = &mut self.index;
        // One buffer for every record's funders: most records have one or none.
        let mut funders = Vec::new();
        for (number, record) in part.records.iter().enumerate() {
            if !keep(number) {
                continue;
            }
            let (start, end) = record.funders;
            funders.clear();
            funders.extend_from_slice(&part.funders[start as usize..end as usize]);
            funders
                .sort_unstable_by(|a, b| part.labels[*a as usize].cmp(&part.labels[*b as usize]));
            let funders_start = index.funders.len();
            index.funders.extend(funders.iter().map(|&f| intern(f)));
            index.funders[funders_start..].sort_unstable();
            let amount = record
                .amount
                .map(|(currency, amount)| (intern(currency), amount));
            let year_label = intern(record.year_label);
            let people_start = index.people.len() as u32;
            for fact in &part.people[record.people.0 as usize..record.people.1 as usize] {
                let id = *person[fact.person as usize].get_or_insert_with(|| {
                    let key = &part.person_keys[fact.person as usize];
                    let next = self.people.len() as u32;
                    *self.people.entry(key.clone()).or_insert_with(|| {
                        index.person_keys.push(key.clone());
                        next
                    })
                });
                index.people.push(PersonFact {
                    person: id,
                    organisation: intern(fact.organisation),
                    division: intern(fact.division),
                    discipline: intern(fact.discipline),
                    ..*fact
                });
            }
            index.records.push(RecordFacts {
                grant: record.grant,
                year: record.year,
                year_label,
                funders: (funders_start as u32, index.funders.len() as u32),
                amount,
                people: (people_start, index.people.len() as u32),
            });
            index.ids.push(part.ids[number].clone());
        }
    }

    fn finish(mut self) -> MetricsIndex {
        self.index.labels = self.labels.labels;
        self.index
    }
}

impl MetricsIndex {
    /// Reads the facts of `records` and their `tags` (in the same order).
    pub fn build(records: &[Record], tags: &[Vec<SlotTag>]) -> Self {
        let mut people: HashMap<String, u32> = HashMap::new();
        let mut labels = Labels::new();
        let mut index = MetricsIndex::default();
        for (record, tags) in records.iter().zip(tags) {
            if tags.is_empty() {
                continue;
            }
            let funders_start = index.funders.len() as u32;
            let mut names: Vec<&str> = match record {
                Record::Publication(p) => p
                    .grants
                    .iter()
                    .filter_map(|g| g.agency.as_deref())
                    .collect(),
                Record::Grant(g) => vec![g.funder.as_str()],
            };
            // Interned in alphabetical order, which `combine` can repeat from
            // the stored (numerically sorted) funders.
            names.sort_unstable();
            names.dedup();
            let mut funders: Vec<u32> = names.iter().map(|name| labels.id(name)).collect();
            funders.sort_unstable();
            if funders.is_empty() {
                funders.push(0);
            }
            index.funders.extend(funders);
            let (grant, amount) = match record {
                Record::Publication(_) => (false, None),
                Record::Grant(g) => {
                    let currency = g.currency.as_deref().unwrap_or("GBP");
                    (true, g.amount.map(|amount| (labels.id(currency), amount)))
                }
            };
            let year = record.year();
            let year_label = labels.of(year.map(|y: u16| y.to_string()).as_deref());
            let people_start = index.people.len() as u32;
            for slot in tags {
                let key = slot
                    .tag
                    .person_id
                    .clone()
                    .unwrap_or_else(|| format!("{}#{}", record.id(), slot.position));
                let next = people.len() as u32;
                index.people.push(PersonFact {
                    person: *people.entry(key).or_insert(next),
                    organisation: labels.of(slot
                        .tag
                        .organisation
                        .as_ref()
                        .map(|o| o.name.as_str())),
                    division: labels.of(slot.tag.division.as_deref()),
                    discipline: labels.of(slot.tag.discipline.as_deref()),
                    tier: slot.tag.tier,
                    band: slot.tag.band,
                    role: RoleFact::from(&slot.tag.role),
                });
            }
            index.records.push(RecordFacts {
                grant,
                year,
                year_label,
                funders: (funders_start, index.funders.len() as u32),
                amount,
                people: (people_start, index.people.len() as u32),
            });
            index.ids.push(record.id().to_owned());
        }
        index.labels = labels.labels;
        index.person_keys = vec![String::new(); people.len()];
        for (key, id) in people {
            index.person_keys[id as usize] = key;
        }
        index
    }

    /// The facts of `parts`' records one after the other: exactly what
    /// [`build`](Self::build) gives for their records concatenated in the
    /// same order.
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a MetricsIndex>) -> Self {
        let mut combined = Combiner::default();
        for part in parts {
            combined.append(part, |_| true);
        }
        combined.finish()
    }

    /// The facts of the records whose number (their place among this
    /// index's records) `keep` accepts: exactly what [`build`](Self::build)
    /// gives for those records alone.
    pub fn retain(&self, keep: impl Fn(usize) -> bool) -> Self {
        let mut combined = Combiner::default();
        combined.append(self, keep);
        combined.finish()
    }

    /// Records with at least one tag.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record has a tag.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// Measures participation over `records` and their `tags` (in the same order).
pub fn participation(
    records: &[Record],
    tags: &[Vec<SlotTag>],
    query: &MetricsQuery,
) -> Participation {
    measure(&MetricsIndex::build(records, tags), query)
}

/// Measures participation over prepared facts.
pub fn measure(index: &MetricsIndex, query: &MetricsQuery) -> Participation {
    let mut groups: Vec<Option<Tally>> = (0..index.labels.len()).map(|_| None).collect();
    let mut total = Tally::new(query.with_records);
    for (number, record) in index.records.iter().enumerate() {
        let number = number as u32;
        // A record without a year (a grant with no start date) counts, under
        // "(unknown)" by year, unless a year range is asked for.
        let in_range = match record.year {
            Some(y) => query.from.is_none_or(|from| y >= from) && query.to.is_none_or(|to| y <= to),
            None => query.from.is_none() && query.to.is_none(),
        };
        if !in_range {
            continue;
        }
        let (first, end) = record.people;
        let people = &index.people[first as usize..end as usize];
        for person in people.iter().filter(|p| counts(p, query.tier)) {
            let single = [match query.group_by {
                GroupBy::Year => record.year_label,
                GroupBy::Organisation => person.organisation,
                GroupBy::Division => person.division,
                GroupBy::Discipline => person.discipline,
                GroupBy::Funder => 0,
            }];
            let keys: &[u32] = if query.group_by == GroupBy::Funder {
                &index.funders[record.funders.0 as usize..record.funders.1 as usize]
            } else {
                &single
            };
            for &key in keys {
                add(
                    groups[key as usize].get_or_insert_with(|| Tally::new(query.with_records)),
                    number,
                    record,
                    person,
                );
            }
            add(&mut total, number, record, person);
        }
    }
    Participation {
        group_by: query.group_by,
        tier: query.tier,
        from: query.from,
        to: query.to,
        rows: groups
            .into_iter()
            .enumerate()
            .filter_map(|(label, tally)| {
                Some((
                    index.labels[label].clone(),
                    tally?.finish(index, query.with_records),
                ))
            })
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        total: total.finish(index, query.with_records),
    }
}

/// True when the person counts for the tier asked.
fn counts(person: &PersonFact, tier: TierChoice) -> bool {
    match tier {
        TierChoice::Roster => person.tier == Tier::Roster && person.band == Band::Accept,
        TierChoice::Inferred => person.tier == Tier::Inferred && person.band != Band::Reject,
    }
}

/// Label of the group for facts that lack the grouped value.
pub const UNKNOWN: &str = "(unknown)";

fn add(tally: &mut Tally, number: u32, record: &RecordFacts, person: &PersonFact) {
    tally.conducting.insert(person.person);
    tally.conducting_records.insert(number, None);
    match (person.role, record.grant) {
        (RoleFact::Leads, true) => {
            tally.leading.insert(person.person);
            tally.grants_led.insert(number, record.amount);
        }
        (RoleFact::CoApplies, true) => tally.grants_co_applicant.insert(number, record.amount),
        (RoleFact::Author { key }, false) => {
            tally.publications.insert(number, None);
            if key {
                tally.publications_key_author.insert(number, None);
            }
        }
        _ => {}
    }
}

/// The table as CSV: one line per group and a final `total` line.
pub fn to_csv(participation: &Participation) -> Result<String, csv::Error> {
    let amounts = |amounts: &Amounts| {
        amounts
            .iter()
            .map(|(currency, amount)| format!("{currency} {amount:.0}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let rows = participation
        .rows
        .iter()
        .map(|(group, cell)| (group.as_str(), cell))
        .chain(std::iter::once(("total", &participation.total)))
        .map(|(group, cell)| {
            vec![
                group.to_owned(),
                cell.people_leading.to_string(),
                cell.people_conducting.to_string(),
                cell.grants_led.to_string(),
                amounts(&cell.grants_led_amount),
                cell.grants_co_applicant.to_string(),
                amounts(&cell.grants_co_applicant_amount),
                cell.publications.to_string(),
                cell.publications_key_author.to_string(),
            ]
        });
    hcs_model::tabular::write_csv(
        &[
            "group",
            "people_leading",
            "people_conducting",
            "grants_led",
            "grants_led_amount",
            "grants_co_applicant",
            "grants_co_applicant_amount",
            "publications",
            "publications_key_author",
        ],
        rows,
    )
}

/// The searches that list the records behind one cell's measures; `None`
/// for a group of unknown value (no search can ask for a missing value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrillDown {
    /// `/api/publications?…` for (c) publications with a healthcare-scientist author.
    pub publications: Option<String>,
    /// … with one as first, last or corresponding author.
    pub publications_key_author: Option<String>,
    /// `/api/grants?…` for (b) grants led by a healthcare scientist (and (a) their leaders).
    pub grants_led: Option<String>,
    /// … with a healthcare-scientist co-applicant.
    pub grants_co_applicant: Option<String>,
}

/// The drill-down searches for `group` (the total when `None`) of a table
/// measured with `query`: each lists exactly the cell's records, because the
/// search requires tier, role and group of the same person, as the measures
/// count them.
pub fn drill_down(query: &MetricsQuery, group: Option<&str>) -> DrillDown {
    let tier = match query.tier {
        TierChoice::Roster => "roster",
        TierChoice::Inferred => "inferred",
    };
    let mut common = format!("tier={tier}");
    match group {
        None => {}
        Some(UNKNOWN) => return DrillDown::default(),
        Some(value) => {
            let key = query.group_by.name();
            common.push_str(&format!(
                "&{key}={}",
                hcs_model::markup::encode_query_value(value)
            ));
        }
    }
    if !(matches!(query.group_by, GroupBy::Year) && group.is_some()) {
        for (key, year) in [("year_from", query.from), ("year_to", query.to)] {
            if let Some(year) = year {
                common.push_str(&format!("&{key}={year}"));
            }
        }
    }
    let publications = |role: &str| Some(format!("/api/publications?{common}{role}"));
    DrillDown {
        publications: publications(""),
        publications_key_author: publications("&role=key_author"),
        grants_led: Some(format!("/api/grants?{common}&role=leadership")),
        grants_co_applicant: Some(format!("/api/grants?{common}&role=co_applicant")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Grant, Publication, PublicationDate};
    use hcs_model::tags::{BylinePosition, Evidence, PersonTag, TaggedOrganisation};

    fn tag(
        person: Option<&str>,
        tier: Tier,
        band: Band,
        organisation: &str,
        role: Role,
    ) -> PersonTag {
        PersonTag {
            tier,
            person_id: person.map(str::to_owned),
            discipline: Some("Audiology".into()),
            division: Some("Physiological Sciences".into()),
            organisation: Some(TaggedOrganisation {
                key: None,
                name: organisation.into(),
                published: None,
            }),
            role,
            band,
            score: 90,
            evidence: vec![Evidence {
                feature: "test".into(),
                value: "test".into(),
                points: 0.0,
            }],
            curated: None,
        }
    }

    fn author(position: BylinePosition) -> Role {
        Role::Author {
            position,
            corresponding: false,
        }
    }

    fn grant_role(category: GrantRoleCategory) -> Role {
        Role::Grant {
            category,
            published: "as published".into(),
        }
    }

    fn corpus() -> (Vec<Record>, Vec<Vec<SlotTag>>) {
        let publication = |id: &str, year: u16| {
            Record::Publication(Box::new(Publication {
                id: id.into(),
                published: Some(PublicationDate::in_year(year)),
                ..Publication::default()
            }))
        };
        let grant = Record::Grant(Box::new(Grant {
            id: "grant:nihr:N1".into(),
            funder: "NIHR".into(),
            reference: "N1".into(),
            amount: Some(250_000.0),
            currency: Some("GBP".into()),
            start: Some("2021-04-01".into()),
            ..Grant::default()
        }));
        let slot = |position: u32, tag: PersonTag| SlotTag { position, tag };
        let records = vec![
            publication("pmid:1", 2021),
            publication("pmid:2", 2022),
            grant,
        ];
        let tags = vec![
            vec![
                slot(
                    1,
                    tag(
                        Some("p1"),
                        Tier::Roster,
                        Band::Accept,
                        "Swansea Bay",
                        author(BylinePosition::First),
                    ),
                ),
                slot(
                    2,
                    tag(
                        Some("p2"),
                        Tier::Roster,
                        Band::Accept,
                        "Velindre",
                        author(BylinePosition::Middle),
                    ),
                ),
                slot(
                    3,
                    tag(
                        Some("p3"),
                        Tier::Roster,
                        Band::Review,
                        "Velindre",
                        author(BylinePosition::Last),
                    ),
                ),
            ],
            vec![
                slot(
                    2,
                    tag(
                        Some("p2"),
                        Tier::Roster,
                        Band::Accept,
                        "Velindre",
                        author(BylinePosition::Middle),
                    ),
                ),
                slot(
                    3,
                    tag(
                        None,
                        Tier::Inferred,
                        Band::Review,
                        "Hywel Dda",
                        author(BylinePosition::Last),
                    ),
                ),
            ],
            vec![
                slot(
                    1,
                    tag(
                        Some("p1"),
                        Tier::Roster,
                        Band::Accept,
                        "Swansea Bay",
                        grant_role(GrantRoleCategory::Leadership),
                    ),
                ),
                slot(
                    2,
                    tag(
                        Some("p2"),
                        Tier::Roster,
                        Band::Accept,
                        "Velindre",
                        grant_role(GrantRoleCategory::CoApplicant),
                    ),
                ),
            ],
        ];
        (records, tags)
    }

    fn query(group_by: GroupBy, tier: TierChoice) -> MetricsQuery {
        MetricsQuery {
            from: None,
            to: None,
            group_by,
            tier,
            with_records: true,
        }
    }

    #[test]
    fn combined_parts_are_the_whole() {
        let (records, tags) = corpus();
        let whole = MetricsIndex::build(&records, &tags);
        for split in 0..=records.len() {
            let first = MetricsIndex::build(&records[..split], &tags[..split]);
            let second = MetricsIndex::build(&records[split..], &tags[split..]);
            let empty = MetricsIndex::default();
            let combined = MetricsIndex::combine([&empty, &first, &empty, &second]);
            assert_eq!(combined, whole, "split at {split}");
        }
        // Parts whose labels and people first appear in another order.
        let reversed = MetricsIndex::combine([
            &MetricsIndex::build(&records[2..], &tags[2..]),
            &MetricsIndex::build(&records[..2], &tags[..2]),
        ]);
        let mut records_reversed = records[2..].to_vec();
        records_reversed.extend_from_slice(&records[..2]);
        let mut tags_reversed = tags[2..].to_vec();
        tags_reversed.extend_from_slice(&tags[..2]);
        assert_eq!(
            reversed,
            MetricsIndex::build(&records_reversed, &tags_reversed)
        );
        for group_by in GroupBy::ALL {
            for tier in [TierChoice::Roster, TierChoice::Inferred] {
                let query = query(group_by, tier);
                assert_eq!(measure(&reversed, &query), measure(&whole, &query));
            }
        }
    }

    #[test]
    fn retained_records_are_built_alone() {
        let (mut records, mut tags) = corpus();
        // A second funder, first seen on a record that will be dropped.
        if let Record::Publication(p) = &mut records[1] {
            p.grants = vec![hcs_model::records::GrantReference {
                agency: Some("Wellcome".into()),
                ..Default::default()
            }];
        }
        records.push(Record::Publication(Box::new(Publication {
            id: "pmid:4".into(),
            published: Some(PublicationDate::in_year(2020)),
            grants: ["Zeta", "Wellcome", "Alpha", "Zeta"]
                .map(|agency| hcs_model::records::GrantReference {
                    agency: Some(agency.into()),
                    ..Default::default()
                })
                .to_vec(),
            ..Publication::default()
        })));
        tags.push(tags[1].clone());
        let whole = MetricsIndex::build(&records, &tags);
        for dropped in 0..records.len() {
            let kept: Vec<usize> = (0..records.len()).filter(|&n| n != dropped).collect();
            let alone = MetricsIndex::build(
                &kept.iter().map(|&n| records[n].clone()).collect::<Vec<_>>(),
                &kept.iter().map(|&n| tags[n].clone()).collect::<Vec<_>>(),
            );
            assert_eq!(whole.retain(|n| n != dropped), alone, "without {dropped}");
        }
        assert_eq!(whole.retain(|_| false), MetricsIndex::build(&[], &[]));
    }

    #[test]
    fn records_count_once_in_total_and_once_per_group() {
        let (records, tags) = corpus();
        let table = participation(
            &records,
            &tags,
            &query(GroupBy::Organisation, TierChoice::Roster),
        );
        let total = &table.total;
        assert_eq!((total.publications, total.publications_key_author), (2, 1));
        assert_eq!(
            (total.people_leading, total.people_conducting),
            (1, 2),
            "the review-band p3 is not counted"
        );
        assert_eq!((total.grants_led, total.grants_co_applicant), (1, 1));
        assert_eq!(total.grants_led_amount["GBP"], 250_000.0);
        let rows: BTreeMap<&str, &Cell> = table.rows.iter().map(|(k, c)| (k.as_str(), c)).collect();
        assert_eq!(rows["Swansea Bay"].publications, 1);
        assert_eq!(rows["Velindre"].publications, 2);
        assert_eq!(rows["Velindre"].publications_key_author, 0);
        assert!(rows["Velindre"]
            .records
            .as_ref()
            .unwrap()
            .publications
            .contains("pmid:2"));
        assert_eq!(rows["Velindre"].grants_co_applicant, 1);
        assert!(!rows.contains_key("Hywel Dda"), "tier 2 is reported apart");
    }

    #[test]
    fn years_filter_and_tier_two_stands_apart() {
        let (records, tags) = corpus();
        let mut by_year = query(GroupBy::Year, TierChoice::Roster);
        by_year.from = Some(2022);
        let table = participation(&records, &tags, &by_year);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].0, "2022");
        assert_eq!(
            table.total.grants_led, 0,
            "the 2021 grant is outside the range"
        );
        let inferred = participation(&records, &tags, &query(GroupBy::Year, TierChoice::Inferred));
        assert_eq!(inferred.total.publications, 1);
        assert_eq!(inferred.total.people_conducting, 1);
        let csv = to_csv(&table).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "group,people_leading,people_conducting,grants_led,grants_led_amount,grants_co_applicant,grants_co_applicant_amount,publications,publications_key_author");
        assert_eq!(lines.last(), Some(&"total,0,1,0,,0,,1,0"));
    }

    #[test]
    fn a_record_without_a_year_counts_unless_a_range_is_asked() {
        let (mut records, tags) = corpus();
        for record in &mut records {
            if let Record::Grant(grant) = record {
                grant.start = None;
            }
        }
        let all = participation(&records, &tags, &query(GroupBy::Year, TierChoice::Roster));
        let unknown = all.rows.iter().find(|(group, _)| group == UNKNOWN);
        assert_eq!(unknown.map(|(_, cell)| cell.grants_led), Some(1), "{all:?}");
        let mut ranged = query(GroupBy::Year, TierChoice::Roster);
        ranged.from = Some(1900);
        let ranged = participation(&records, &tags, &ranged);
        assert_eq!(ranged.total.grants_led, 0);
    }
}
