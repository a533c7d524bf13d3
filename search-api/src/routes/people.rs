//! `GET /api/people?q=topic` (the collaborator finder) and
//! `GET /api/people/{person_id}` (a profile): built from published
//! authorship and its tags only. A person with no accepted published record
//! is not found, so the roster itself is never revealed.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hcs_model::clock::current_year;
use hcs_model::tabular::write_csv;
use hcs_read::people::GroupDimension;
use hcs_read::people::{profile, rank, RankedPerson, Scored};

use crate::dto::people::{GroupPeople, PersonProfile, TopicPeople};
use crate::error::{ApiError, ErrorBody, LookupErrors};
use crate::extract::{ApiPath, ApiQuery};
use crate::query::MAX_PER_PAGE;
use crate::routes::search::{csv_response, Format};
use crate::service::people::{GroupList, PeopleParams};
use crate::state::AppState;

/// Matching records read per topic search: enough to rank people, bounded.
const TOPIC_RECORDS: usize = 500;
/// People listed when the client does not say.
const DEFAULT_PEOPLE: usize = 20;
/// Similar people listed on a profile (Profiles RNS keeps 60).
const SIMILAR_PEOPLE: usize = 20;
/// Longest person id looked up.
const MAX_PERSON_ID_BYTES: usize = 128;

async fn counted_people(
    state: AppState,
    params: &PeopleParams,
    csv: bool,
) -> Result<Response, ApiError> {
    let list = GroupList::from_params(params)?;
    let asked = list.clone();
    let people = state.run_blocking(move |state| asked.people(state)).await?;
    if csv {
        let total = people.len();
        let rows = people.iter().map(|person| {
            vec![
                person.person_id.clone(),
                person.name.clone(),
                person.records.to_string(),
            ]
        });
        let body =
            write_csv(&["person_id", "name", "records"], rows).map_err(ApiError::internal)?;
        return Ok(csv_response("people.csv", body, total));
    }
    let mut body = GroupPeople {
        total: people.len(),
        people,
        ..GroupPeople::default()
    };
    let named = Some(list.value);
    match list.dimension {
        GroupDimension::Organisation => body.organisation = named,
        GroupDimension::Division => body.division = named,
        GroupDimension::Discipline => body.discipline = named,
    }
    Ok(Json(body).into_response())
}

/// People ranked by their weighted work on the topic `q`, as JSON or (`format=csv`) CSV.
#[utoipa::path(
    get,
    path = "/api/people",
    summary = "Collaborator finder: people ranked by weighted work on a topic, or the people a group counts",
    params(PeopleParams),
    responses(
        (status = 200, description = "With q, the people ranked for the topic (TopicPeople); with a group, the people it counts (GroupPeople); or CSV",
            headers(("X-Total-Count" = usize, description = "With format=csv: the people listed")),
            content((TopicPeople = "application/json"), (GroupPeople = "application/json"), (String = "text/csv"))),
        (status = 400, description = "q missing or invalid", body = ErrorBody)
    )
)]
pub async fn people(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> Result<Response, ApiError> {
    let csv = params.format == Some(Format::Csv);
    let q = params.q.clone().unwrap_or_default();
    if q.trim().is_empty() {
        return counted_people(state, &params, csv).await;
    }
    let limit = match params.limit {
        None => DEFAULT_PEOPLE,
        Some(limit) if (1..=MAX_PER_PAGE).contains(&limit) => limit,
        Some(_) => {
            return Err(ApiError::InvalidParameter(format!(
                "limit must be between 1 and {MAX_PER_PAGE}"
            )))
        }
    };
    let query = q.clone();
    let ranked = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            let matches =
                state
                    .engine()
                    .tagged_matches(&searcher, state.store(), &query, TOPIC_RECORDS)?;
            let best = matches.first().map_or(1.0, |(_, _, score)| {
                f64::from(*score).max(f32::EPSILON.into())
            });
            let scored = matches.iter().map(|(record, tags, score)| Scored {
                record,
                tags,
                relevance: f64::from(*score) / best,
            });
            Ok(rank(scored, current_year(), limit))
        })
        .await?;
    if csv {
        let total = ranked.len();
        let body = write_csv(PEOPLE_CSV_HEADER, ranked.iter().map(person_row))
            .map_err(ApiError::internal)?;
        return Ok(csv_response("people.csv", body, total));
    }
    Ok(Json(TopicPeople { people: ranked, q }).into_response())
}

const PEOPLE_CSV_HEADER: &[&str] = &[
    "person_id",
    "name",
    "discipline",
    "division",
    "organisation",
    "score",
    "matching_records",
    "record_ids",
    "top_coauthors",
];

fn person_row(person: &RankedPerson) -> Vec<String> {
    vec![
        person.person_id.clone(),
        person.name.clone(),
        person.discipline.clone().unwrap_or_default(),
        person.division.clone().unwrap_or_default(),
        person.organisation.clone().unwrap_or_default(),
        format!("{:.3}", person.score),
        person.records.len().to_string(),
        person
            .records
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        person
            .coauthors
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// One person's published work, co-authors, topics and similar people.
#[utoipa::path(
    get,
    path = "/api/people/{person_id}",
    summary = "A person's published work, roles, co-authors, topics and similar people",
    params(("person_id" = String, Path, description = "The Network's person id")),
    responses(
        (status = 200, description = "The profile", body = PersonProfile),
        LookupErrors
    )
)]
pub async fn person(
    State(state): State<AppState>,
    ApiPath(person_id): ApiPath<String>,
) -> Result<Json<PersonProfile>, ApiError> {
    if person_id.len() > MAX_PERSON_ID_BYTES {
        return Err(ApiError::InvalidParameter(format!(
            "the person id is longer than {MAX_PERSON_ID_BYTES} bytes"
        )));
    }
    let id = person_id.clone();
    let found = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            let records = state
                .engine()
                .person_records(&searcher, state.store(), &id)?;
            let scored = records.iter().map(|(record, tags)| Scored {
                record,
                tags,
                relevance: 1.0,
            });
            let Some(profile) = profile(&id, scored, current_year()) else {
                return Ok(None);
            };
            let similar = state
                .derived()?
                .topics
                .similar(&id, &profile.coauthors, SIMILAR_PEOPLE);
            Ok(Some((profile, similar)))
        })
        .await?;
    match found {
        Some((profile, similar_people)) => Ok(Json(PersonProfile {
            profile,
            similar_people,
        })),
        None => Err(ApiError::NotFound(format!(
            "no published work attributed to '{person_id}'"
        ))),
    }
}
