//! The Network's annual participation report: measures (a)(b)(c) for a
//! period, by organisation, division and discipline, year on year, the
//! possible (tier 2) counts apart, and how every number was made — as one
//! self-contained HTML page (inline style, no scripts, no images), printable
//! to PDF. Every count links to the search that lists its records.

use std::collections::BTreeMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::metrics::{
    drill_down, measure, Cell, GroupBy, MetricsIndex, MetricsQuery, Participation, TierChoice,
};
use hcs_model::records::Record;
use hcs_model::tags::Band;
use hcs_model::tags::{SlotTag, Tier};

/// Headless Chromium, offline and without a user's settings: the flags for
/// printing the report (and for the page tests' browser). Without the
/// background-networking ones, Chromium keeps reaching for hosts a closed
/// network refuses.
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// What a report covers and how its links are written.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// First year counted (inclusive).
    pub from: Option<u16>,
    /// Last year counted (inclusive).
    pub to: Option<u16>,
    /// Prefix of every drill-down link: the service's address for a file
    /// read away from it (`http://host:8080`), empty for relative links.
    pub link_base: String,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// Whether the stored tags are current, in one sentence (from `tags_status`).
    pub tags_note: String,
}

/// The report's figures, measured once: the HTML is drawn from these, and
/// tests compare them with the API.
#[derive(Debug, Clone)]
pub struct ReportFigures {
    /// Roster (counted) totals.
    pub counted: Participation,
    /// Inferred (possible) totals by organisation.
    pub possible: Participation,
    /// Counted, by year.
    pub by_year: Participation,
    /// Counted, by organisation, division and discipline.
    pub breakdowns: Vec<Participation>,
    /// Roster matches awaiting a curator (records with a review-band match).
    pub review_queue: usize,
    /// Records with a counted or possible healthcare scientist but no date in
    /// any source: outside every year range, so outside a period's counts.
    pub undated: usize,
    /// Records per source, with the newest fetch time.
    pub sources: BTreeMap<String, (usize, String)>,
}

/// Measures everything the report shows.
pub fn figures(
    records: &[Record],
    tags: &[Vec<SlotTag>],
    options: &ReportOptions,
) -> ReportFigures {
    let index = MetricsIndex::build(records, tags);
    let query = |group_by: GroupBy, tier: TierChoice| MetricsQuery {
        from: options.from,
        to: options.to,
        group_by,
        tier,
        with_records: false,
    };
    // As the measures count: a record without a year only when no range is asked.
    let in_range = |record: &Record| match record.year() {
        Some(year) => {
            options.from.is_none_or(|from| year >= from) && options.to.is_none_or(|to| year <= to)
        }
        None => options.from.is_none() && options.to.is_none(),
    };
    let review_queue = records
        .iter()
        .zip(tags)
        .filter(|(record, tags)| {
            in_range(record)
                && tags
                    .iter()
                    .any(|slot| slot.tag.tier == Tier::Roster && slot.tag.band == Band::Review)
        })
        .count();
    let undated = records
        .iter()
        .zip(tags)
        .filter(|(record, tags)| {
            record.year().is_none() && tags.iter().any(|slot| slot.tag.counted_as().is_some())
        })
        .count();
    let mut sources: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for record in records {
        for provenance in record.provenance() {
            let entry = sources.entry(provenance.source.clone()).or_default();
            entry.0 += 1;
            if provenance.fetched_at > entry.1 {
                entry.1 = provenance.fetched_at.clone();
            }
        }
    }
    ReportFigures {
        counted: measure(&index, &query(GroupBy::Organisation, TierChoice::Roster)),
        possible: measure(&index, &query(GroupBy::Organisation, TierChoice::Inferred)),
        by_year: measure(&index, &query(GroupBy::Year, TierChoice::Roster)),
        breakdowns: [
            GroupBy::Organisation,
            GroupBy::Division,
            GroupBy::Discipline,
        ]
        .into_iter()
        .map(|group_by| measure(&index, &query(group_by, TierChoice::Roster)))
        .collect(),
        review_queue,
        undated,
        sources,
    }
}

/// The six measures, as the report labels them, with the drill-down each links to.
const MEASURES: [(&str, &str); 6] = [
    (
        "(a) Healthcare scientists leading research (grant lead)",
        "grants_led",
    ),
    (
        "(a) Healthcare scientists conducting research",
        "publications",
    ),
    ("(b) Grants led by a healthcare scientist", "grants_led"),
    (
        "(b) Grants with a healthcare-scientist co-applicant",
        "grants_co_applicant",
    ),
    (
        "(c) Publications with a healthcare-scientist author",
        "publications",
    ),
    (
        "(c) … as first, last or corresponding author",
        "publications_key_author",
    ),
];

fn values(cell: &Cell) -> [usize; 6] {
    [
        cell.people_leading,
        cell.people_conducting,
        cell.grants_led,
        cell.grants_co_applicant,
        cell.publications,
        cell.publications_key_author,
    ]
}

fn amounts(amounts: &crate::metrics::Amounts) -> String {
    amounts
        .iter()
        .map(|(currency, amount)| format!("{currency} {}", thousands(*amount)))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn thousands(amount: f64) -> String {
    let whole = format!("{:.0}", amount.max(0.0));
    let mut out = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The column heads of a table of the six measures, in [`MEASURES`] order.
const MEASURE_COLUMNS: [&str; 6] = [
    "(a) leading",
    "(a) conducting",
    "(b) led",
    "(b) co-applicant",
    "(c) publications",
    "(c) key author",
];

/// The report's style: A4 pages, tables that break between rows.
const STYLE: &str = "
@page { size: A4; margin: 16mm; }
body { font-family: system-ui, sans-serif; color: #1d2733; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border-bottom: 1px solid #dde2e7; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
a { color: #00426a; }
.meta { color: #50606f; font-size: 0.85rem; }
";

/// The report as one HTML page (a maud template: every value is escaped).
pub fn render_html(figures: &ReportFigures, options: &ReportOptions) -> String {
    let period = period(options);
    let counted = MetricsQuery {
        from: options.from,
        to: options.to,
        group_by: GroupBy::Organisation,
        tier: TierChoice::Roster,
        with_records: false,
    };
    let possible = MetricsQuery {
        tier: TierChoice::Inferred,
        ..counted
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Participation report, " (period) " · HCS Research Index" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Healthcare scientists in research: participation report, " (period) }
                p class="meta" {
                    "Made " (options.generated_at) " by the HCS Research Index. " (options.tags_note)
                }
                (summary(figures, options, &counted, &possible))
                (year_on_year(figures, options, &counted))
                @for table in &figures.breakdowns {
                    (breakdown(table, options, &counted))
                }
                (possible_by_organisation(figures, options, &possible))
                (methods(figures, options))
            }
        }
    }
    .into_string()
}

/// The period as the title says it.
fn period(options: &ReportOptions) -> String {
    match (options.from, options.to) {
        (Some(from), Some(to)) if from == to => from.to_string(),
        (Some(from), Some(to)) => format!("{from}–{to}"),
        (Some(from), None) => format!("{from} onwards"),
        (None, Some(to)) => format!("up to {to}"),
        (None, None) => "all years".to_owned(),
    }
}

/// Every measure, counted and possible side by side.
fn summary(
    figures: &ReportFigures,
    options: &ReportOptions,
    counted_query: &MetricsQuery,
    possible_query: &MetricsQuery,
) -> Markup {
    let counted = values(&figures.counted.total);
    let possible = values(&figures.possible.total);
    html! {
        h2 { "Summary" }
        table id="summary" {
            tr { th { "Measure" } th class="n" { "Counted (roster)" } th class="n" { "Possible (inferred, not counted)" } }
            @for (index, (label, measure)) in MEASURES.iter().enumerate() {
                tr data-measure=(index) {
                    td { (label) }
                    td class="n" { (link(options, counted_query, None, measure, counted[index])) }
                    td class="n" { (link(options, possible_query, None, measure, possible[index])) }
                }
            }
            tr {
                td { "(b) Amount of grants led" }
                td class="n" { (amounts(&figures.counted.total.grants_led_amount)) }
                td class="n" { (amounts(&figures.possible.total.grants_led_amount)) }
            }
        }
    }
}

/// Every year of the period (the records' span when open-ended), the empty
/// ones too, so the trend reads evenly.
fn year_span(figures: &ReportFigures, options: &ReportOptions) -> Vec<String> {
    let numeric: Vec<u16> = figures
        .by_year
        .rows
        .iter()
        .filter_map(|(year, _)| year.parse().ok())
        .collect();
    match (
        options.from.or(numeric.iter().min().copied()),
        options.to.or(numeric.iter().max().copied()),
    ) {
        (Some(first), Some(last)) => (first..=last).map(|year| year.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The counted measures by year, with the change in (c) from the year before.
fn year_on_year(
    figures: &ReportFigures,
    options: &ReportOptions,
    counted: &MetricsQuery,
) -> Markup {
    let query = MetricsQuery {
        group_by: GroupBy::Year,
        ..*counted
    };
    let known: BTreeMap<&str, &Cell> = figures
        .by_year
        .rows
        .iter()
        .map(|(year, cell)| (year.as_str(), cell))
        .collect();
    let empty = Cell::default();
    let mut previous: Option<usize> = None;
    let rows: Vec<(String, [usize; 6], String)> = year_span(figures, options)
        .into_iter()
        .map(|year| {
            let row = values(known.get(year.as_str()).copied().unwrap_or(&empty));
            let change = match previous {
                Some(before) if before > 0 => {
                    let percent = (row[4] as f64 - before as f64) / before as f64 * 100.0;
                    format!("{percent:+.0}%")
                }
                _ => "–".to_owned(),
            };
            previous = Some(row[4]);
            (year, row, change)
        })
        .collect();
    html! {
        h2 { "Year on year (counted)" }
        table id="by-year" {
            tr {
                th { "Year" }
                @for column in MEASURE_COLUMNS { th class="n" { (column) } }
                th class="n" { "change in (c)" }
            }
            @for (year, row, change) in &rows {
                tr data-year=(year) {
                    td { (year) }
                    @for (index, (_, measure)) in MEASURES.iter().enumerate() {
                        td class="n" { (link(options, &query, Some(year), measure, row[index])) }
                    }
                    td class="n" { (change) }
                }
            }
        }
    }
}

/// The counted measures by one grouping.
fn breakdown(table: &Participation, options: &ReportOptions, counted: &MetricsQuery) -> Markup {
    let name = table.group_by.name();
    let query = MetricsQuery {
        group_by: table.group_by,
        ..*counted
    };
    html! {
        h2 { "By " (name) " (counted)" }
        table id={ "by-" (name) } {
            tr {
                th { (capitalised(name)) }
                @for column in MEASURE_COLUMNS { th class="n" { (column) } }
            }
            @for (group, cell) in &table.rows {
                @let row = values(cell);
                tr data-group=(group) {
                    td { (group) }
                    @for (index, (_, measure)) in MEASURES.iter().enumerate() {
                        td class="n" { (link(options, &query, Some(group), measure, row[index])) }
                    }
                }
            }
        }
    }
}

/// The possible (tier 2) people and publications, apart from the counted ones.
fn possible_by_organisation(
    figures: &ReportFigures,
    options: &ReportOptions,
    possible: &MetricsQuery,
) -> Markup {
    html! {
        h2 { "Possible healthcare scientists by organisation (inferred, not counted)" }
        table id="possible" {
            tr {
                th { "Organisation" }
                th class="n" { "people" }
                th class="n" { "(c) publications" }
                th class="n" { "(c) key author" }
            }
            @for (group, cell) in &figures.possible.rows {
                tr {
                    td { (group) }
                    td class="n" { (cell.people_conducting) }
                    td class="n" { (link(options, possible, Some(group), "publications", cell.publications)) }
                    td class="n" {
                        (link(options, possible, Some(group), "publications_key_author", cell.publications_key_author))
                    }
                }
            }
        }
    }
}

/// How every number was made, and the sources behind them.
fn methods(figures: &ReportFigures, options: &ReportOptions) -> Markup {
    html! {
        h2 { "Methods and caveats" }
        ul id="methods" {
            li {
                strong { "Counted" }
                " means a person on the Network's roster matched to a published author or grant \
                 person with a score of 60 or more (the accept band), or accepted by a curator. \
                 Matches scoring 30–59 await a curator and are not counted: "
                span id="review-queue" { (figures.review_queue) }
                " record(s) have one in this period."
            }
            li {
                strong { "Possible" }
                " (tier 2) means an author not on the roster whose own affiliation names an NHS \
                 Wales organisation and a healthcare-science service or title; such tags are never \
                 counted, and are shown apart."
            }
            li {
                "(a) counts distinct people: leading = a lead role on a grant (chief or principal \
                 investigator, lead applicant, fellow); conducting = any grant role or authorship. \
                 (b) counts grants by their start year, (c) publications by their year; a record \
                 counts once in a total however many healthcare scientists it has, and once in \
                 each group it has one in."
            }
            li {
                "Organisations are counted under their current names (former names and sites \
                 resolved by the gazetteer); the employer named in an affiliation wins over the site."
            }
            li { (undated_note(options, figures.undated)) }
            li { "Every number links to the search that lists its records." }
        }
        h3 { "Sources" }
        table id="sources" {
            tr { th { "Source" } th class="n" { "records" } th { "latest fetch" } }
            @for (source, (count, latest)) in &figures.sources {
                tr { td { (source) } td class="n" { (count) } td { (latest) } }
            }
        }
    }
}

/// What the report says of records it cannot place in a year.
fn undated_note(options: &ReportOptions, undated: usize) -> Markup {
    let ranged = options.from.is_some() || options.to.is_some();
    match (undated, ranged) {
        (0, _) => {
            html! { "Every record with a healthcare scientist has a publication or start date." }
        }
        (n, true) => html! {
            span id="undated" { (n) }
            " record(s) with a healthcare scientist have no date in any source, so they fall in \
             no year of this period and are not counted here; the report without a period counts \
             them, under \"(unknown)\" by year."
        },
        (n, false) => html! {
            span id="undated" { (n) }
            " record(s) with a healthcare scientist have no date in any source: they count in the \
             totals and under \"(unknown)\" by year."
        },
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `count`, linked to the search that lists its records when there are any.
fn link(
    options: &ReportOptions,
    query: &MetricsQuery,
    group: Option<&str>,
    measure: &str,
    count: usize,
) -> Markup {
    let links = drill_down(query, group);
    let target = match measure {
        "publications" => links.publications,
        "publications_key_author" => links.publications_key_author,
        "grants_led" => links.grants_led,
        "grants_co_applicant" => links.grants_co_applicant,
        _ => None,
    };
    match target {
        // Pages take the API's parameters: the link opens the search page.
        Some(url) if count > 0 => {
            let page =
                url.replacen("/api/publications?", "/?", 1)
                    .replacen("/api/grants?", "/grants?", 1);
            html! { a href={ (options.link_base) (page) } { (count) } }
        }
        _ => html! { (count) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_with_thousands_separators() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(0.0), "0");
        assert_eq!(capitalised("organisation"), "Organisation");
    }

    #[test]
    fn an_empty_index_makes_a_report_that_says_so() {
        let options = ReportOptions {
            from: Some(2020),
            to: Some(2024),
            link_base: String::new(),
            generated_at: "2026-01-01T00:00:00Z".into(),
            tags_note: "Tags are current.".into(),
        };
        let figures = figures(&[], &[], &options);
        let html = render_html(&figures, &options);
        assert!(html.contains("2020–2024"));
        assert!(html.contains(r#"<span id="review-queue">0</span>"#));
        assert!(
            html.to_ascii_lowercase().starts_with("<!doctype html>") && !html.contains("<script")
        );
    }
}
