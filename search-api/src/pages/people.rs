//! `GET /people` and `GET /people/{id}`: the collaborator finder (or the
//! people a participation count stands for) and a person's profile.

use axum::extract::{Path, State};
use axum::response::Html;
use hcs_model::clock::current_year;
use hcs_read::people::{
    profile, rank, CountedPerson, PersonRecord, Profile, RankedPerson, Scored, SimilarPerson,
};
use hcs_tagging::model::Role;
use maud::{html, Markup};

use super::layout::{encode, page};
use super::{PageQuery, PageResult};
use crate::error::ApiError;
use crate::service::people::{GroupList, PeopleParams};
use crate::state::AppState;

/// What the people page lists under its form.
enum Listed {
    /// No topic and no group: the form alone.
    Nothing,
    /// A participation cell's people: the list its count stands for, with
    /// the parameter and value of the group it is.
    Group(&'static str, String, Vec<CountedPerson>),
    /// People ranked for a topic.
    Ranked(Vec<RankedPerson>),
}

/// `GET /people?q=`: the collaborator finder.
pub async fn people_page(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<PeopleParams>,
) -> PageResult {
    let q = query.q.clone().unwrap_or_default();
    let listed = if !q.trim().is_empty() {
        let topic = q.clone();
        Listed::Ranked(
            state
                .run_blocking(move |state| ranked(state, &topic))
                .await?,
        )
    } else if let Ok(list) = GroupList::from_params(&query) {
        let asked = list.clone();
        let people = state.run_blocking(move |state| asked.people(state)).await?;
        Listed::Group(list.name, list.value, people)
    } else {
        Listed::Nothing
    };
    Ok(Html(page("People", people_body(&q, &listed))))
}

/// The people best matching `topic`, relevance scaled to the best match.
fn ranked(state: &AppState, topic: &str) -> Result<Vec<RankedPerson>, ApiError> {
    let matches = state
        .engine()
        .tagged_matches(&state.searcher(), state.store(), topic, 500)?;
    let best = matches.first().map_or(1.0, |m| f64::from(m.2).max(1e-6));
    let scored = matches.iter().map(|(record, tags, score)| Scored {
        record,
        tags,
        relevance: f64::from(*score) / best,
    });
    Ok(rank(scored, current_year(), 50))
}

fn people_body(q: &str, listed: &Listed) -> Markup {
    html! {
        h1 { "Find collaborators" }
        form class="search" action="/people" method="get" role="search" {
            label class="visually-hidden" for="q" { "Topic" }
            input type="text" id="q" name="q" value=(q) placeholder="a topic, e.g. hearing screening";
            " "
            button { "Find people" }
        }
        @match listed {
            Listed::Nothing => {},
            Listed::Group(name, value, people) => (group_table(name, value, people)),
            Listed::Ranked(people) => (ranked_table(people)),
        }
    }
}

fn group_table(name: &str, value: &str, people: &[CountedPerson]) -> Markup {
    html! {
        h2 id="counted" {
            (people.len()) " healthcare scientist(s) counted in " (name) " " (value)
        }
        table id="people" {
            tr { th { "Person (as published)" } th class="n" { "Records" } }
            @for person in people {
                tr {
                    td { (profile_link(&person.person_id, &person.name)) }
                    td class="n" { (person.records) }
                }
            }
        }
    }
}

fn ranked_table(people: &[RankedPerson]) -> Markup {
    html! {
        table id="people" {
            tr {
                th { "Person" } th { "Discipline" } th { "Organisation" }
                th class="n" { "Score" } th { "Top records" }
            }
            @for person in people {
                tr {
                    td { (profile_link(&person.person_id, &person.name)) }
                    td { (person.discipline.as_deref().unwrap_or("")) }
                    td { (person.organisation.as_deref().unwrap_or("")) }
                    td class="n" { (format!("{:.2}", person.score)) }
                    td {
                        @for (index, record) in person.records.iter().take(3).enumerate() {
                            @if index > 0 { br; }
                            a href={ "/publications/" (encode(&record.id)) } { (record.title) }
                        }
                    }
                }
            }
        }
    }
}

fn profile_link(person_id: &str, name: &str) -> Markup {
    html! { a href={ "/people/" (encode(person_id)) } { (name) } }
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
    Ok(Html(page(&profile.name, profile_body(&profile, &similar))))
}

fn profile_body(profile: &Profile, similar: &[SimilarPerson]) -> Markup {
    html! {
        h1 { (profile.name) }
        p class="meta" {
            (profile.discipline.as_deref().unwrap_or("")) " · "
            (profile.division.as_deref().unwrap_or("")) " · "
            (profile.organisation.as_deref().unwrap_or(""))
        }
        (record_list("Publications", &profile.publications))
        (record_list("Grants", &profile.grants))
        h2 { "Co-authors" }
        p {
            (comma_list(&profile.coauthors, |c| html! {
                (profile_link(&c.person_id, &c.name)) " (" (c.shared_records) ")"
            }))
        }
        h2 { "Topics" }
        p { (comma_list(&profile.topics, |(topic, _)| html! { (topic) })) }
        h2 { "Similar people" }
        p { (comma_list(similar, |s| profile_link(&s.person_id, &s.name))) }
    }
}

/// A profile's publications or grants, under `title`; nothing when there are none.
fn record_list(title: &str, records: &[PersonRecord]) -> Markup {
    html! {
        @if !records.is_empty() {
            h2 { (title) }
            ul {
                @for record in records {
                    @let section = if record.kind == "grant" { "grants" } else { "publications" };
                    li {
                        a href={ "/" (section) "/" (encode(&record.id)) } { (record.title) }
                        " "
                        span class="meta" {
                            @if let Some(year) = record.year { (year) }
                            " · " (role_text(&record.role))
                        }
                    }
                }
            }
        }
    }
}

/// `items` separated by commas, or "none yet".
fn comma_list<T>(items: &[T], item: impl Fn(&T) -> Markup) -> Markup {
    html! {
        @if items.is_empty() {
            "none yet"
        }
        @for (index, each) in items.iter().enumerate() {
            @if index > 0 { ", " }
            (item(each))
        }
    }
}

/// A person's part in a record, in words.
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
