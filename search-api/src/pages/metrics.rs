//! `GET /metrics`, the participation dashboard (charts, table, drill-downs,
//! CSV download), and `GET /report`, the annual report built on request.

use axum::extract::State;
use axum::response::Html;
use hcs_read::metrics::{
    drill_down, measure, Cell, GroupBy, MetricsQuery, Participation, TierChoice, UNKNOWN,
};
use hcs_tagging::persist::TagsStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::charts::{bar_chart, fill_years};
use super::layout::{encode, page};
use super::{PageError, PageQuery, PageResult};
use crate::error::ApiError;
use crate::params::{blank_is_absent, Year};
use crate::state::AppState;

/// `/metrics` query, as the dashboard's form sends it (an empty box is absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsPageQuery {
    #[serde(default, deserialize_with = "blank_is_absent")]
    group_by: Option<GroupBy>,
    #[serde(default, deserialize_with = "blank_is_absent")]
    from: Option<Year>,
    #[serde(default, deserialize_with = "blank_is_absent")]
    to: Option<Year>,
    #[serde(default, deserialize_with = "blank_is_absent")]
    tier: Option<TierChoice>,
}

/// `/report` query: the period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    #[serde(default, deserialize_with = "blank_is_absent")]
    from: Option<Year>,
    #[serde(default, deserialize_with = "blank_is_absent")]
    to: Option<Year>,
}

/// `GET /report?from=Y&to=Y`: the annual participation report, the same page
/// `indexer report` writes (built on request from the stored records and tags).
pub async fn report_page(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ReportQuery>,
) -> Result<Html<String>, PageError> {
    let (from, to) = (
        query.from.map(|Year(year)| year),
        query.to.map(|Year(year)| year),
    );
    if from.zip(to).is_some_and(|(from, to)| from > to) {
        return Err(ApiError::InvalidParameter("from must not be after to".into()).into());
    }
    let html = state
        .run_blocking(move |state| {
            let tags_note = state.tags_status()?.sentence();
            let (records, tags): (Vec<_>, Vec<_>) = state
                .store()
                .export_tagged()
                .map_err(ApiError::internal)?
                .into_iter()
                .unzip();
            let options = hcs_read::report::ReportOptions {
                from,
                to,
                link_base: String::new(),
                generated_at: hcs_model::clock::now_rfc3339(),
                tags_note,
            };
            let figures = hcs_read::report::figures(&records, &tags, &options);
            Ok(hcs_read::report::render_html(&figures, &options))
        })
        .await?;
    Ok(Html(html))
}

/// What the dashboard shows: the question asked and the figures measured for it.
struct Dashboard {
    asked: MetricsQuery,
    /// The figures by the chosen grouping.
    table: Participation,
    /// The figures by year, for the trend charts.
    trend: Participation,
    tags: TagsStatus,
}

/// `GET /metrics`: the participation dashboard.
pub async fn metrics_page(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<MetricsPageQuery>,
) -> PageResult {
    let asked = MetricsQuery {
        from: query.from.map(|Year(year)| year),
        to: query.to.map(|Year(year)| year),
        group_by: query.group_by.unwrap_or(GroupBy::Organisation),
        tier: query.tier.unwrap_or(TierChoice::Roster),
        with_records: false,
    };
    let by_year = MetricsQuery {
        group_by: GroupBy::Year,
        ..asked.clone()
    };
    let measured = asked.clone();
    let (table, trend, tags) = state
        .run_blocking(move |state| {
            let derived = state.derived()?;
            Ok((
                measure(&derived.metrics, &measured),
                measure(&derived.metrics, &by_year),
                state.tags_status()?,
            ))
        })
        .await?;
    let dashboard = Dashboard {
        asked,
        table,
        trend,
        tags,
    };
    Ok(Html(page("Participation", dashboard_body(&dashboard))))
}

fn tier_name(tier: TierChoice) -> &'static str {
    if tier == TierChoice::Inferred {
        "inferred"
    } else {
        "roster"
    }
}

fn dashboard_body(dashboard: &Dashboard) -> Markup {
    html! {
        h1 { "Participation in research" }
        (metrics_form(&dashboard.asked))
        @match &dashboard.tags {
            TagsStatus::Stale { .. } => {
                p class="error" id="stale" role="status" { (dashboard.tags.sentence()) }
            }
            TagsStatus::Current { at } => {
                p class="meta" id="tagged" { "Tagged " (at) " from the current roster and decisions." }
            }
        }
        (charts(dashboard))
        (participation_table(dashboard))
    }
}

fn metrics_form(asked: &MetricsQuery) -> Markup {
    let tier = tier_name(asked.tier);
    // Only the years given: an empty `from=` used to make the download a 400.
    let mut csv = format!(
        "/api/metrics/participation?format=csv&group_by={}&tier={tier}",
        asked.group_by.name()
    );
    for (name, year) in [("from", asked.from), ("to", asked.to)] {
        if let Some(year) = year {
            csv.push_str(&format!("&{name}={year}"));
        }
    }
    let range = |v: Option<u16>| v.map(|y| y.to_string()).unwrap_or_default();
    html! {
        form action="/metrics" method="get" {
            label {
                "Group by "
                select name="group_by" {
                    @for g in GroupBy::ALL {
                        option value=(g.name()) selected[g == asked.group_by] { (g.name()) }
                    }
                }
            }
            " "
            label { "from " input name="from" size="5" inputmode="numeric" value=(range(asked.from)); }
            " "
            label { "to " input name="to" size="5" inputmode="numeric" value=(range(asked.to)); }
            " "
            label {
                "Tier "
                select name="tier" {
                    option value="roster" selected[tier == "roster"] { "roster (counted)" }
                    option value="inferred" selected[tier == "inferred"] { "inferred (possible)" }
                }
            }
            " "
            button { "Show" }
            " · "
            a id="csv" href=(csv) { "Download CSV" }
        }
    }
}

/// One measure of each row of `table`, as chart bars.
fn series(table: &Participation, pick: fn(&Cell) -> usize) -> Vec<(String, f64)> {
    table
        .rows
        .iter()
        .map(|(group, cell)| (group.clone(), pick(cell) as f64))
        .collect()
}

fn charts(dashboard: &Dashboard) -> Markup {
    html! {
        (bar_chart(
            "trend-publications",
            "(c) Publications with a healthcare-scientist author, per year",
            &fill_years(series(&dashboard.trend, |c| c.publications)),
        ))
        (bar_chart(
            "trend-grants",
            "(b) Grants led by a healthcare scientist, per year",
            &fill_years(series(&dashboard.trend, |c| c.grants_led)),
        ))
        (bar_chart(
            "breakdown",
            &format!("(c) Publications by {}", dashboard.asked.group_by.name()),
            &series(&dashboard.table, |c| c.publications),
        ))
    }
}

fn participation_table(dashboard: &Dashboard) -> Markup {
    let table = &dashboard.table;
    let rows = table
        .rows
        .iter()
        .map(|(g, c)| (g.as_str(), c, Some(g.as_str())))
        .chain(std::iter::once(("Total", &table.total, None)));
    html! {
        table id="participation" {
            tr {
                th { "Group" }
                th class="n" { "(a) people leading" }
                th class="n" { "(a) people conducting" }
                th class="n" { "(b) grants led" }
                th class="n" { "(b) with co-applicant" }
                th class="n" { "(c) publications" }
                th class="n" { "(c) first/last/corresponding" }
            }
            @for (label, cell, group) in rows {
                (participation_row(&dashboard.asked, label, cell, group))
            }
        }
    }
}

/// A row of the table: each count links to the records (or people) it counts.
fn participation_row(
    asked: &MetricsQuery,
    label: &str,
    cell: &Cell,
    group: Option<&str>,
) -> Markup {
    let links = drill_down(asked, group);
    // Drill-downs open in the search pages, which take the API's parameters.
    let records = |count: usize, api: &Option<String>| {
        let page = api.as_ref().map(|url| {
            url.replacen("/api/publications?", "/?", 1)
                .replacen("/api/grants?", "/grants?", 1)
        });
        linked(count, page)
    };
    let conducting = cell.people_conducting;
    html! {
        tr data-group=(label) {
            td { (label) }
            td class="n" { (records(cell.people_leading, &links.grants_led)) }
            td class="n" { (linked(conducting, people_url(asked, group, conducting))) }
            td class="n" { (records(cell.grants_led, &links.grants_led)) }
            td class="n" { (records(cell.grants_co_applicant, &links.grants_co_applicant)) }
            td class="n" { (records(cell.publications, &links.publications)) }
            td class="n" { (records(cell.publications_key_author, &links.publications_key_author)) }
        }
    }
}

/// A count, as a link to `target` when it counts something to open.
fn linked(count: usize, target: Option<String>) -> Markup {
    html! {
        @match target.filter(|_| count > 0) {
            Some(url) => a href=(url) { (count) },
            None => (count),
        }
    }
}

/// The list of the roster people a group's count stands for: only an
/// organisation, division or discipline has one, and not its unknown row.
fn people_url(asked: &MetricsQuery, group: Option<&str>, count: usize) -> Option<String> {
    let dimension = match asked.group_by {
        GroupBy::Organisation | GroupBy::Division | GroupBy::Discipline => asked.group_by.name(),
        GroupBy::Year | GroupBy::Funder => return None,
    };
    let value =
        group.filter(|value| count > 0 && asked.tier == TierChoice::Roster && *value != UNKNOWN)?;
    let mut url = format!("/people?{dimension}={}", encode(value));
    for (name, year) in [("year_from", asked.from), ("year_to", asked.to)] {
        if let Some(year) = year {
            url.push_str(&format!("&{name}={year}"));
        }
    }
    Some(url)
}
