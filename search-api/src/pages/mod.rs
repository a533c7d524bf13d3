//! Web pages for people who do not read JSON: search with facets, a record,
//! a grant, people and their profiles, and the participation dashboard with
//! charts and CSV download. Rendered on the server from the same engine and
//! library calls as the JSON API; every value is HTML-escaped.

pub mod charts;
pub mod layout;
pub mod review;

use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use hcs_model::clock::current_year;
use hcs_model::records::Record;
use hcs_read::links::grant_outputs;
use hcs_read::metrics::{drill_down, measure, Cell, GroupBy, MetricsQuery, TierChoice, UNKNOWN};
use hcs_read::people::{profile, rank, Scored};
use hcs_tagging::model::{Band, PersonTag, Role, SlotTag};
use hcs_tagging::Tier;
use serde::Deserialize;

use self::charts::{bar_chart, fill_years};
use self::layout::{encode, escape, page};
use crate::error::ApiError;
use crate::params::{choice, year as metrics_year};
use crate::query::Facet;
use crate::query::{RecordKind, MAX_RESULT_WINDOW};
use crate::routes::search::parse_params;
use crate::service::people::{GroupList, PeopleParams};
use crate::service::records::find_record;
use crate::state::AppState;

/// A page, or an error page with the API error's status and message.
type PageResult = Result<Html<String>, PageError>;

/// An [`ApiError`] shown as a page.
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = match &self.0 {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "page failed");
                "Something went wrong on our side; it has been logged.".to_owned()
            }
            other => other.to_string(),
        };
        let body = format!(r#"<p class="error">{}</p>"#, escape(&message));
        (status, Html(page("Error", &body))).into_response()
    }
}

fn role_text(role: &Role) -> String {
    match role {
        Role::Author {
            position,
            corresponding,
        } => {
            let place = format!("{position:?}").to_lowercase();
            if *corresponding {
                format!("{place} author, corresponding")
            } else {
                format!("{place} author")
            }
        }
        Role::Grant {
            category,
            published,
        } => {
            format!("{published} ({})", format!("{category:?}").to_lowercase())
        }
    }
}

fn tag_badge(tag: &PersonTag) -> String {
    let (class, text) = match (tag.tier, tag.band) {
        (Tier::Roster, Band::Accept) => ("tag", "HCS"),
        (Tier::Roster, _) => ("tag review", "HCS? review"),
        (Tier::Inferred, _) => ("tag review", "possible HCS"),
    };
    let detail = [
        tag.discipline.as_deref(),
        tag.organisation.as_ref().map(|o| o.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let link = match (&tag.person_id, tag.band) {
        (Some(id), Band::Accept) => format!(r#" <a href="/people/{}">profile</a>"#, encode(id)),
        _ => String::new(),
    };
    format!(
        r#"<span class="{class}" title="score {} · {}">{text}{}</span>{link}"#,
        tag.score,
        escape(&detail),
        if detail.is_empty() {
            String::new()
        } else {
            format!(": {}", escape(&detail))
        }
    )
}

/// `GET /`: publication search with facets.
pub async fn search_page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    search_page_for(state, RecordKind::Publication, pairs).await
}

/// `GET /grants`: grant search with facets.
pub async fn grants_page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    search_page_for(state, RecordKind::Grant, pairs).await
}

async fn search_page_for(
    state: AppState,
    kind: RecordKind,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let (path, api, title) = match kind {
        RecordKind::Publication => ("/", "/api/publications", "Search publications"),
        RecordKind::Grant => ("/grants", "/api/grants", "Search grants"),
    };
    let q = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // A drill-down's `tier=roster` is the same filter as the box's `hcs=roster`.
    let roster_only = pairs
        .iter()
        .any(|(k, v)| (k == "hcs" || k == "tier") && v.split(',').any(|v| v.trim() == "roster"));
    let mut body = format!(
        r#"<form class="search" action="{path}" method="get" role="search"><label class="visually-hidden" for="q">Search {}</label><input type="text" id="q" name="q" value="{}" placeholder="e.g. audiology, &quot;medical physics&quot;, author:evans"> <button>Search</button> <label><input type="checkbox" name="hcs" value="roster"{}> healthcare scientists only</label>{}</form>"#,
        if kind == RecordKind::Grant {
            "grants"
        } else {
            "publications"
        },
        escape(&q),
        if roster_only { " checked" } else { "" },
        // Filters the form does not show ride along, so a new query keeps them.
        pairs
            .iter()
            .filter(|(k, v)| !matches!(k.as_str(), "q" | "page" | "format")
                && !((k == "hcs" || k == "tier") && v == "roster"))
            .map(|(k, v)| format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(k),
                escape(v)
            ))
            .collect::<String>()
    );
    let params = parse_params(kind, pairs.clone())
        .map_err(ApiError::from)?
        .params;
    let request = params.clone();
    let outcome = state
        .run_blocking(move |state| {
            Ok(state
                .engine()
                .search(&state.searcher(), state.store(), &request)?)
        })
        .await?;
    let base: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "page" && k != "format")
        .collect();
    let query_with = |extra: Option<(&str, &str)>| {
        base.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(extra)
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let facets_of = &outcome.facets;
    let facet_list: [(&str, &str, &Facet); 8] = [
        ("Healthcare scientists", "hcs", &facets_of.hcs),
        ("Role", "role", &facets_of.role),
        ("Division", "division", &facets_of.division),
        ("Discipline", "discipline", &facets_of.discipline),
        ("Organisation", "organisation", &facets_of.organisation),
        ("Funder", "funder", &facets_of.funder),
        ("Year", "year", &facets_of.year),
        (
            if kind == RecordKind::Grant {
                "Programme"
            } else {
                "Type"
            },
            "type",
            &facets_of.publication_type,
        ),
    ];
    let mut facets = String::new();
    for (title, key, facet) in facet_list {
        if facet.buckets.is_empty() {
            continue;
        }
        let _ = write!(facets, "<h3>{}</h3><ul>", escape(title));
        for bucket in facet.buckets.iter().take(15) {
            let value = match &bucket.value {
                crate::query::FacetValue::Number(n) => n.to_string(),
                crate::query::FacetValue::Text(t) => t.clone(),
            };
            let _ = write!(
                facets,
                r#"<li><a href="{}">{}</a> ({})</li>"#,
                escape(&format!("{path}?{}", query_with(Some((key, &value))))),
                escape(&value),
                bucket.count
            );
        }
        facets.push_str("</ul>");
    }
    let csv = format!("{api}?{}", query_with(Some(("format", "csv"))));
    // The filters in force, each removable.
    let active: Vec<String> = base
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !matches!(k.as_str(), "q" | "sort" | "per_page" | "lenient"))
        .map(|(index, (k, v))| {
            let without = base
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(_, (k, v))| format!("{}={}", encode(k), encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            format!(
                r#"<a href="{}" aria-label="Remove filter {}: {}">{}: {} ✕</a>"#,
                escape(&format!("{path}?{without}")),
                escape(k),
                escape(v),
                escape(k),
                escape(v)
            )
        })
        .collect();
    if !active.is_empty() {
        let _ = write!(
            body,
            r#"<p class="filters" id="filters">Filters: {}</p>"#,
            active.join("")
        );
    }
    let mut results = format!(
        r#"<p class="meta"><span id="total">{} records</span> · <a id="csv" href="{}">Download CSV</a></p>"#,
        outcome.total,
        escape(&csv)
    );
    for hit in &outcome.hits {
        let record = &hit.record;
        let (href, detail) = match record {
            Record::Publication(p) => (
                "publications",
                format!(
                    "{} · {}",
                    year_printed(p),
                    p.authors
                        .iter()
                        .take(8)
                        .map(|a| a.display_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Record::Grant(g) => (
                "grants",
                [
                    Some(g.funder.clone()),
                    g.start.clone(),
                    g.amount
                        .map(|a| format!("{} {a:.0}", g.currency.as_deref().unwrap_or("GBP"))),
                    g.lead_organisation.as_ref().map(|o| o.name.clone()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            ),
        };
        let _ = write!(
            results,
            r#"<div class="result"><h2><a href="/{href}/{}">{}</a></h2><div class="meta">{}</div></div>"#,
            encode(record.id()),
            hit.title_html,
            escape(&detail)
        );
    }
    // Paging within the window the API allows.
    let mut pager = Vec::new();
    if params.page > 1 {
        let previous = (params.page - 1).to_string();
        pager.push(format!(
            r#"<a id="previous" href="{}">← previous</a>"#,
            escape(&format!("{path}?{}", query_with(Some(("page", &previous)))))
        ));
    }
    let shown = params.page * params.per_page;
    if shown < outcome.total && shown + params.per_page <= MAX_RESULT_WINDOW {
        let next = (params.page + 1).to_string();
        pager.push(format!(
            r#"<a id="next" href="{}">next →</a>"#,
            escape(&format!("{path}?{}", query_with(Some(("page", &next)))))
        ));
    }
    if !pager.is_empty() {
        let _ = write!(
            results,
            r#"<p class="meta">page {} · {}</p>"#,
            params.page,
            pager.join(" · ")
        );
    }
    let _ = write!(
        body,
        r#"<div class="layout"><aside>{facets}</aside><section>{results}</section></div>"#
    );
    Ok(Html(page(title, &body)))
}

/// `GET /publications/{id}`: one record with its tagged authors.
pub async fn publication_page(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (id, found) = find_record(&state, &id).await?;
    let Some((record, tags)) = found else {
        return Err(ApiError::NotFound(format!("no record '{id}'")).into());
    };
    let Record::Publication(publication) = &record else {
        return grant_html(&state, record, tags).await;
    };
    let mut body = format!("<h1>{}</h1>", escape(&publication.title));
    let journal = publication
        .journal
        .as_ref()
        .map(|j| j.title.as_str())
        .unwrap_or("");
    let _ = write!(
        body,
        r#"<p class="meta">{} · {} · <a href="/api/publications/{}">JSON</a></p><ol>"#,
        escape(journal),
        year_printed(publication),
        encode(&publication.id)
    );
    for author in &publication.authors {
        let tag = tags
            .iter()
            .find(|t| t.position == author.position)
            .map(|t| tag_badge(&t.tag))
            .unwrap_or_default();
        let _ = write!(body, "<li>{} {tag}</li>", escape(&author.display_name()));
    }
    body.push_str("</ol>");
    if let Some(r#abstract) = &publication.r#abstract {
        let _ = write!(body, "<p>{}</p>", escape(&r#abstract.text()));
    }
    Ok(Html(page(&publication.title, &body)))
}

/// `GET /grants/{id}`: a grant, its people with roles and tags, and its outputs.
pub async fn grant_page(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (id, found) = find_record(&state, &id).await?;
    match found {
        Some((record @ Record::Grant(_), tags)) => grant_html(&state, record, tags).await,
        _ => Err(ApiError::NotFound(format!("no grant '{id}'")).into()),
    }
}

async fn grant_html(state: &AppState, record: Record, tags: Vec<SlotTag>) -> PageResult {
    let Record::Grant(grant) = &record else {
        return Err(ApiError::NotFound("not a grant".into()).into());
    };
    let for_outputs = (**grant).clone();
    let outputs = state
        .run_blocking(move |state| {
            grant_outputs(state.store(), &state.searcher(), &for_outputs)
                .map_err(ApiError::internal)
        })
        .await?;
    let mut body = format!("<h1>{}</h1>", escape(&grant.title));
    let amount = grant
        .amount
        .map(|a| format!("{} {a:.0}", grant.currency.as_deref().unwrap_or("GBP")))
        .unwrap_or_default();
    let _ = write!(
        body,
        r#"<p class="meta">{} {} · {} · {} to {} · {}</p>"#,
        escape(&grant.funder),
        escape(&grant.reference),
        escape(grant.programme.as_deref().unwrap_or("")),
        escape(grant.start.as_deref().unwrap_or("?")),
        escape(grant.end.as_deref().unwrap_or("?")),
        escape(&amount)
    );
    if let Some(lead) = &grant.lead_organisation {
        let department = lead
            .department
            .as_deref()
            .map(|d| format!("{}, ", escape(d)))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<p><strong>Lead organisation:</strong> {department}{}</p>",
            escape(&lead.name)
        );
    }
    if let Some(text) = grant.r#abstract.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(body, "<h2>Abstract</h2><p>{}</p>", escape(text));
    }
    body.push_str(
        "<h2>People</h2><table><tr><th>Name</th><th>Role</th><th>Healthcare scientist</th></tr>",
    );
    for (index, person) in grant.people.iter().enumerate() {
        let tag = tags
            .iter()
            .find(|t| t.position as usize == index + 1)
            .map(|t| tag_badge(&t.tag))
            .unwrap_or_default();
        let name = person.full_name.clone().unwrap_or_else(|| {
            format!(
                "{} {}",
                person.given.as_deref().unwrap_or(""),
                person.family.as_deref().unwrap_or("")
            )
        });
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{tag}</td></tr>",
            escape(&name),
            escape(&person.role)
        );
    }
    body.push_str(r#"</table><h2>Outputs</h2><table id="outputs"><tr><th>Output</th><th>How linked</th></tr>"#);
    for output in &outputs {
        let title = output
            .link
            .title
            .clone()
            .unwrap_or_else(|| output.record_id.clone().unwrap_or_default());
        let cell = match &output.record_id {
            Some(id) => format!(
                r#"<a href="/publications/{}">{}</a>"#,
                encode(id),
                escape(&title)
            ),
            None => escape(&title),
        };
        let _ = write!(
            body,
            "<tr><td>{cell}</td><td>{}</td></tr>",
            escape(output.link.method.describe())
        );
    }
    body.push_str("</table>");
    Ok(Html(page(&grant.title, &body)))
}

/// `GET /people?q=`: the collaborator finder.
pub async fn people_page(
    State(state): State<AppState>,
    Query(query): Query<PeopleParams>,
) -> PageResult {
    let q = query.q.clone().unwrap_or_default();
    let mut body = format!(
        r#"<h1>Find collaborators</h1><form class="search" action="/people" method="get" role="search"><label class="visually-hidden" for="q">Topic</label><input type="text" id="q" name="q" value="{}" placeholder="a topic, e.g. hearing screening"> <button>Find people</button></form>"#,
        escape(&q)
    );
    if q.trim().is_empty() {
        // A participation cell's people: the list its count stands for.
        if let Ok(list) = GroupList::from_params(&query) {
            let asked = list.clone();
            let people = state.run_blocking(move |state| asked.people(state)).await?;
            let _ = write!(
                body,
                r#"<h2 id="counted">{} healthcare scientist(s) counted in {} {}</h2><table id="people"><tr><th>Person (as published)</th><th class="n">Records</th></tr>"#,
                people.len(),
                escape(list.name),
                escape(&list.value)
            );
            for person in &people {
                let _ = write!(
                    body,
                    r#"<tr><td><a href="/people/{}">{}</a></td><td class="n">{}</td></tr>"#,
                    encode(&person.person_id),
                    escape(&person.name),
                    person.records
                );
            }
            body.push_str("</table>");
        }
    } else {
        let topic = q.clone();
        let ranked = state
            .run_blocking(move |state| {
                let matches =
                    state
                        .engine()
                        .tagged_matches(&state.searcher(), state.store(), &topic, 500)?;
                let best = matches.first().map_or(1.0, |m| f64::from(m.2).max(1e-6));
                let scored = matches.iter().map(|(record, tags, score)| Scored {
                    record,
                    tags,
                    relevance: f64::from(*score) / best,
                });
                Ok(rank(scored, current_year(), 50))
            })
            .await?;
        body.push_str(r#"<table id="people"><tr><th>Person</th><th>Discipline</th><th>Organisation</th><th class="n">Score</th><th>Top records</th></tr>"#);
        for person in &ranked {
            let records = person
                .records
                .iter()
                .take(3)
                .map(|r| {
                    format!(
                        r#"<a href="/publications/{}">{}</a>"#,
                        encode(&r.id),
                        escape(&r.title)
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>");
            let _ = write!(
                body,
                r#"<tr><td><a href="/people/{}">{}</a></td><td>{}</td><td>{}</td><td class="n">{:.2}</td><td>{records}</td></tr>"#,
                encode(&person.person_id),
                escape(&person.name),
                escape(person.discipline.as_deref().unwrap_or("")),
                escape(person.organisation.as_deref().unwrap_or("")),
                person.score
            );
        }
        body.push_str("</table>");
    }
    Ok(Html(page("People", &body)))
}

/// `GET /people/{id}`: a profile.
pub async fn person_page(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let lookup = id.clone();
    let found = state
        .run_blocking(move |state| {
            let records =
                state
                    .engine()
                    .person_records(&state.searcher(), state.store(), &lookup)?;
            let scored = records.iter().map(|(record, tags)| Scored {
                record,
                tags,
                relevance: 1.0,
            });
            let Some(profile) = profile(&lookup, scored, current_year()) else {
                return Ok(None);
            };
            let similar = state
                .derived()?
                .topics
                .similar(&lookup, &profile.coauthors, 10);
            Ok(Some((profile, similar)))
        })
        .await?;
    let Some((profile, similar)) = found else {
        return Err(ApiError::NotFound(format!("no published work attributed to '{id}'")).into());
    };
    let mut body = format!(
        r#"<h1>{}</h1><p class="meta">{} · {} · {}</p>"#,
        escape(&profile.name),
        escape(profile.discipline.as_deref().unwrap_or("")),
        escape(profile.division.as_deref().unwrap_or("")),
        escape(profile.organisation.as_deref().unwrap_or(""))
    );
    for (title, list) in [
        ("Publications", &profile.publications),
        ("Grants", &profile.grants),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(body, "<h2>{title}</h2><ul>");
        for record in list.iter() {
            let href = if record.kind == "grant" {
                "grants"
            } else {
                "publications"
            };
            let _ = write!(
                body,
                r#"<li><a href="/{href}/{}">{}</a> <span class="meta">{} · {}</span></li>"#,
                encode(&record.id),
                escape(&record.title),
                record.year.map(|y| y.to_string()).unwrap_or_default(),
                escape(&role_text(&record.role))
            );
        }
        body.push_str("</ul>");
    }
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none yet".to_owned()
        } else {
            items.join(", ")
        }
    };
    let coauthors = profile
        .coauthors
        .iter()
        .map(|c| {
            format!(
                r#"<a href="/people/{}">{}</a> ({})"#,
                encode(&c.person_id),
                escape(&c.name),
                c.shared_records
            )
        })
        .collect();
    let topics = profile.topics.iter().map(|(t, _)| escape(t)).collect();
    let similar = similar
        .iter()
        .map(|s| {
            format!(
                r#"<a href="/people/{}">{}</a>"#,
                encode(&s.person_id),
                escape(&s.name)
            )
        })
        .collect();
    let _ = write!(
        body,
        "<h2>Co-authors</h2><p>{}</p><h2>Topics</h2><p>{}</p><h2>Similar people</h2><p>{}</p>",
        list(coauthors),
        list(topics),
        list(similar)
    );
    Ok(Html(page(&profile.name, &body)))
}

/// `/metrics` query.
#[derive(Debug, Deserialize)]
pub struct MetricsPageQuery {
    group_by: Option<String>,
    from: Option<String>,
    to: Option<String>,
    tier: Option<String>,
}

/// `/report` query: the period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /report?from=Y&to=Y`: the annual participation report, the same page
/// `indexer report` writes (built on request from the stored records and tags).
pub async fn report_page(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Html<String>, PageError> {
    let (from, to) = (
        metrics_year("from", query.from.as_deref())?,
        metrics_year("to", query.to.as_deref())?,
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

/// `GET /metrics`: the participation dashboard.
pub async fn metrics_page(
    State(state): State<AppState>,
    Query(query): Query<MetricsPageQuery>,
) -> PageResult {
    let group_by = choice(
        "group_by",
        query.group_by.as_deref(),
        GroupBy::Organisation,
        &GroupBy::ALL.map(|g| (g.name(), g)),
    )?;
    let year = |name: &str, value: &Option<String>| -> Result<Option<u16>, ApiError> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| ApiError::InvalidParameter(format!("{name} must be a year"))),
        }
    };
    let tier = if query.tier.as_deref() == Some("inferred") {
        TierChoice::Inferred
    } else {
        TierChoice::Roster
    };
    let (from, to) = (year("from", &query.from)?, year("to", &query.to)?);
    let asked = MetricsQuery {
        from,
        to,
        group_by,
        tier,
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
    let group_name = group_by.name();
    let tier_name = if tier == TierChoice::Inferred {
        "inferred"
    } else {
        "roster"
    };
    let range = |v: Option<u16>| v.map(|y| y.to_string()).unwrap_or_default();
    // Only the years given: an empty `from=` used to make the download a 400.
    let mut csv =
        format!("/api/metrics/participation?format=csv&group_by={group_name}&tier={tier_name}");
    for (name, year) in [("from", from), ("to", to)] {
        if let Some(year) = year {
            csv.push_str(&format!("&{name}={year}"));
        }
    }
    let mut body = format!(
        r#"<h1>Participation in research</h1>
<form action="/metrics" method="get"><label>Group by <select name="group_by">{}</select></label> <label>from <input name="from" size="5" inputmode="numeric" value="{}"></label> <label>to <input name="to" size="5" inputmode="numeric" value="{}"></label> <label>Tier <select name="tier"><option value="roster"{}>roster (counted)</option><option value="inferred"{}>inferred (possible)</option></select></label> <button>Show</button> · <a id="csv" href="{}">Download CSV</a></form>"#,
        GroupBy::ALL
            .iter()
            .map(|g| format!(
                r#"<option value="{0}"{1}>{0}</option>"#,
                g.name(),
                if *g == group_by { " selected" } else { "" }
            ))
            .collect::<String>(),
        range(from),
        range(to),
        if tier_name == "roster" {
            " selected"
        } else {
            ""
        },
        if tier_name == "inferred" {
            " selected"
        } else {
            ""
        },
        escape(&csv)
    );
    match &tags {
        hcs_tagging::persist::TagsStatus::Stale { .. } => {
            let _ = write!(
                body,
                r#"<p class="error" id="stale" role="status">{}</p>"#,
                escape(&tags.sentence())
            );
        }
        hcs_tagging::persist::TagsStatus::Current { at } => {
            let _ = write!(
                body,
                r#"<p class="meta" id="tagged">Tagged {} from the current roster and decisions.</p>"#,
                escape(at)
            );
        }
    }
    let series = |table: &hcs_read::metrics::Participation,
                  pick: fn(&Cell) -> usize|
     -> Vec<(String, f64)> {
        table
            .rows
            .iter()
            .map(|(group, cell)| (group.clone(), pick(cell) as f64))
            .collect()
    };
    body.push_str(&bar_chart(
        "trend-publications",
        "(c) Publications with a healthcare-scientist author, per year",
        &fill_years(series(&trend, |c| c.publications)),
    ));
    body.push_str(&bar_chart(
        "trend-grants",
        "(b) Grants led by a healthcare scientist, per year",
        &fill_years(series(&trend, |c| c.grants_led)),
    ));
    body.push_str(&bar_chart(
        "breakdown",
        &format!("(c) Publications by {group_name}"),
        &series(&table, |c| c.publications),
    ));
    body.push_str(r#"<table id="participation"><tr><th>Group</th><th class="n">(a) people leading</th><th class="n">(a) people conducting</th><th class="n">(b) grants led</th><th class="n">(b) with co-applicant</th><th class="n">(c) publications</th><th class="n">(c) first/last/corresponding</th></tr>"#);
    let rows = table
        .rows
        .iter()
        .map(|(g, c)| (g.as_str(), c, Some(g.as_str())))
        .chain(std::iter::once(("Total", &table.total, None)));
    for (label, cell, group) in rows {
        let links = drill_down(&asked, group);
        // Roster people of an organisation, division or discipline open as a list.
        let people_link = |count: usize| -> String {
            let dimension = match group_by {
                GroupBy::Organisation | GroupBy::Division | GroupBy::Discipline => group_by.name(),
                GroupBy::Year | GroupBy::Funder => return count.to_string(),
            };
            match group {
                Some(value) if count > 0 && tier == TierChoice::Roster && value != UNKNOWN => {
                    let mut url = format!("/people?{dimension}={}", encode(value));
                    for (name, year) in [("year_from", from), ("year_to", to)] {
                        if let Some(year) = year {
                            url.push_str(&format!("&{name}={year}"));
                        }
                    }
                    format!(r#"<a href="{}">{count}</a>"#, escape(&url))
                }
                _ => count.to_string(),
            }
        };
        // Drill-downs open in the search pages, which take the API's parameters.
        let linked = |count: usize, target: &Option<String>| match target {
            Some(url) if count > 0 => format!(
                r#"<a href="{}">{count}</a>"#,
                escape(&url.replacen("/api/publications?", "/?", 1).replacen(
                    "/api/grants?",
                    "/grants?",
                    1
                ))
            ),
            _ => count.to_string(),
        };
        let _ = write!(
            body,
            r#"<tr data-group="{}"><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(label),
            escape(label),
            linked(cell.people_leading, &links.grants_led),
            people_link(cell.people_conducting),
            linked(cell.grants_led, &links.grants_led),
            linked(cell.grants_co_applicant, &links.grants_co_applicant),
            linked(cell.publications, &links.publications),
            linked(cell.publications_key_author, &links.publications_key_author),
        );
    }
    body.push_str("</table>");
    Ok(Html(page("Participation", &body)))
}

/// The year a page prints for a publication; undated records say so.
fn year_printed(publication: &hcs_model::records::Publication) -> String {
    match &publication.published {
        Some(date) => date.year.to_string(),
        None => "year unknown".to_owned(),
    }
}
