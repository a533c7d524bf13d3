//! The Network's annual participation report: measures (a)(b)(c) for a
//! period, by organisation, division and discipline, year on year, the
//! possible (tier 2) counts apart, and how every number was made — as one
//! self-contained HTML page (inline style, no scripts, no images), printable
//! to PDF. Every count links to the search that lists its records.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::metrics::{
    drill_down, measure, Cell, GroupBy, MetricsIndex, MetricsQuery, Participation, TierChoice,
};
use hcs_model::markup::escape_html as escape;
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

/// The report as one HTML page.
pub fn render_html(figures: &ReportFigures, options: &ReportOptions) -> String {
    let period = match (options.from, options.to) {
        (Some(from), Some(to)) if from == to => from.to_string(),
        (Some(from), Some(to)) => format!("{from}–{to}"),
        (Some(from), None) => format!("{from} onwards"),
        (None, Some(to)) => format!("up to {to}"),
        (None, None) => "all years".to_owned(),
    };
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<h1>Healthcare scientists in research: participation report, {}</h1>
<p class="meta">Made {} by the HCS Research Index. {}</p>"#,
        escape(&period),
        escape(&options.generated_at),
        escape(&options.tags_note)
    );
    // Summary: counted and possible apart.
    let counted_query = MetricsQuery {
        from: options.from,
        to: options.to,
        group_by: GroupBy::Organisation,
        tier: TierChoice::Roster,
        with_records: false,
    };
    let possible_query = MetricsQuery {
        tier: TierChoice::Inferred,
        ..counted_query
    };
    body.push_str(r#"<h2>Summary</h2><table id="summary"><tr><th>Measure</th><th class="n">Counted (roster)</th><th class="n">Possible (inferred, not counted)</th></tr>"#);
    let counted = values(&figures.counted.total);
    let possible = values(&figures.possible.total);
    for (index, (label, measure)) in MEASURES.iter().enumerate() {
        let _ = write!(
            body,
            r#"<tr data-measure="{index}"><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(label),
            self::link(options, &counted_query, None, measure, counted[index]),
            self::link(options, &possible_query, None, measure, possible[index]),
        );
    }
    let _ = write!(
        body,
        r#"<tr><td>(b) Amount of grants led</td><td class="n">{}</td><td class="n">{}</td></tr></table>"#,
        escape(&amounts(&figures.counted.total.grants_led_amount)),
        escape(&amounts(&figures.possible.total.grants_led_amount)),
    );
    // Year on year.
    body.push_str(r#"<h2>Year on year (counted)</h2><table id="by-year"><tr><th>Year</th><th class="n">(a) leading</th><th class="n">(a) conducting</th><th class="n">(b) led</th><th class="n">(b) co-applicant</th><th class="n">(c) publications</th><th class="n">(c) key author</th><th class="n">change in (c)</th></tr>"#);
    let year_query = MetricsQuery {
        group_by: GroupBy::Year,
        ..counted_query
    };
    let mut previous: Option<usize> = None;
    // Every year of the span, the empty ones too, so the trend reads evenly.
    let known: BTreeMap<&str, &Cell> = figures
        .by_year
        .rows
        .iter()
        .map(|(year, cell)| (year.as_str(), cell))
        .collect();
    let numeric: Vec<u16> = known.keys().filter_map(|year| year.parse().ok()).collect();
    let span: Vec<String> = match (
        options.from.or(numeric.iter().min().copied()),
        options.to.or(numeric.iter().max().copied()),
    ) {
        (Some(first), Some(last)) => (first..=last).map(|year| year.to_string()).collect(),
        _ => Vec::new(),
    };
    let empty = Cell::default();
    for year in &span {
        let cell = known.get(year.as_str()).copied().unwrap_or(&empty);
        let row = values(cell);
        let change = match previous {
            Some(before) if before > 0 => {
                let percent = (row[4] as f64 - before as f64) / before as f64 * 100.0;
                format!("{percent:+.0}%")
            }
            _ => "–".to_owned(),
        };
        previous = Some(row[4]);
        let _ = write!(
            body,
            r#"<tr data-year="{}"><td>{}</td>"#,
            escape(year),
            escape(year)
        );
        for (index, (_, measure)) in MEASURES.iter().enumerate() {
            let _ = write!(
                body,
                r#"<td class="n">{}</td>"#,
                self::link(options, &year_query, Some(year), measure, row[index])
            );
        }
        let _ = write!(body, r#"<td class="n">{change}</td></tr>"#);
    }
    body.push_str("</table>");
    // Breakdowns.
    for table in &figures.breakdowns {
        let name = table.group_by.name();
        let query = MetricsQuery {
            group_by: table.group_by,
            ..counted_query
        };
        let _ = write!(
            body,
            r#"<h2>By {name} (counted)</h2><table id="by-{name}"><tr><th>{}</th><th class="n">(a) leading</th><th class="n">(a) conducting</th><th class="n">(b) led</th><th class="n">(b) co-applicant</th><th class="n">(c) publications</th><th class="n">(c) key author</th></tr>"#,
            escape(&capitalised(name))
        );
        for (group, cell) in &table.rows {
            let row = values(cell);
            let _ = write!(
                body,
                r#"<tr data-group="{}"><td>{}</td>"#,
                escape(group),
                escape(group)
            );
            for (index, (_, measure)) in MEASURES.iter().enumerate() {
                let _ = write!(
                    body,
                    r#"<td class="n">{}</td>"#,
                    self::link(options, &query, Some(group), measure, row[index])
                );
            }
            body.push_str("</tr>");
        }
        body.push_str("</table>");
    }
    // Possible, apart.
    body.push_str(r#"<h2>Possible healthcare scientists by organisation (inferred, not counted)</h2><table id="possible"><tr><th>Organisation</th><th class="n">people</th><th class="n">(c) publications</th><th class="n">(c) key author</th></tr>"#);
    for (group, cell) in &figures.possible.rows {
        let _ = write!(
            body,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(group),
            cell.people_conducting,
            self::link(
                options,
                &possible_query,
                Some(group),
                "publications",
                cell.publications
            ),
            self::link(
                options,
                &possible_query,
                Some(group),
                "publications_key_author",
                cell.publications_key_author
            ),
        );
    }
    body.push_str("</table>");
    // Methods and caveats.
    let _ = write!(
        body,
        r#"<h2>Methods and caveats</h2><ul id="methods">
<li><strong>Counted</strong> means a person on the Network's roster matched to a published author or grant person with a score of 60 or more (the accept band), or accepted by a curator. Matches scoring 30–59 await a curator and are not counted: <span id="review-queue">{}</span> record(s) have one in this period.</li>
<li><strong>Possible</strong> (tier 2) means an author not on the roster whose own affiliation names an NHS Wales organisation and a healthcare-science service or title; such tags are never counted, and are shown apart.</li>
<li>(a) counts distinct people: leading = a lead role on a grant (chief or principal investigator, lead applicant, fellow); conducting = any grant role or authorship. (b) counts grants by their start year, (c) publications by their year; a record counts once in a total however many healthcare scientists it has, and once in each group it has one in.</li>
<li>Organisations are counted under their current names (former names and sites resolved by the gazetteer); the employer named in an affiliation wins over the site.</li>
<li>{}</li>
<li>Every number links to the search that lists its records.</li>
</ul><h3>Sources</h3><table id="sources"><tr><th>Source</th><th class="n">records</th><th>latest fetch</th></tr>"#,
        figures.review_queue,
        undated_note(options, figures.undated)
    );
    for (source, (count, latest)) in &figures.sources {
        let _ = write!(
            body,
            r#"<tr><td>{}</td><td class="n">{count}</td><td>{}</td></tr>"#,
            escape(source),
            escape(latest)
        );
    }
    body.push_str("</table>");
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Participation report, {} · HCS Research Index</title>
<style>
@page {{ size: A4; margin: 16mm; }}
body {{ font-family: system-ui, sans-serif; color: #1d2733; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.15rem; margin-top: 1.6rem; break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.85rem; break-inside: auto; }}
tr {{ break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #dde2e7; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
a {{ color: #00426a; }}
.meta {{ color: #50606f; font-size: 0.85rem; }}
</style></head><body>
{body}
</body></html>
"#,
        escape(&period)
    )
}

/// What the report says of records it cannot place in a year.
fn undated_note(options: &ReportOptions, undated: usize) -> String {
    let ranged = options.from.is_some() || options.to.is_some();
    match (undated, ranged) {
        (0, _) => {
            "Every record with a healthcare scientist has a publication or start date.".to_owned()
        }
        (n, true) => format!(
            r#"<span id="undated">{n}</span> record(s) with a healthcare scientist have no date in any source, so they fall in no year of this period and are not counted here; the report without a period counts them, under "(unknown)" by year."#
        ),
        (n, false) => format!(
            r#"<span id="undated">{n}</span> record(s) with a healthcare scientist have no date in any source: they count in the totals and under "(unknown)" by year."#
        ),
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
) -> String {
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
        Some(url) if count > 0 => format!(
            r#"<a href="{}{}">{count}</a>"#,
            escape(&options.link_base),
            escape(&url.replacen("/api/publications?", "/?", 1).replacen(
                "/api/grants?",
                "/grants?",
                1
            ))
        ),
        _ => count.to_string(),
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
        assert!(html.starts_with("<!doctype html>") && !html.contains("<script"));
    }
}
