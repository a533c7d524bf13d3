//! `GET /api/metrics/participation`: the Network's measures (a)(b)(c) as
//! JSON (every cell with the searches that list its records, and on request
//! the record ids) or CSV.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hcs_read::metrics::{measure, to_csv, GroupBy, MetricsQuery, TierChoice};
use hcs_tagging::persist::TagsStatus;
use serde::Deserialize;

use crate::dto::metrics::ParticipationTable;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::params::{choice, year};
use crate::routes::search::Format;
use crate::service::TAGS_HEADER;
use crate::state::AppState;
use utoipa::{IntoParams, ToSchema};

/// The query string as sent; every value is checked and named when refused,
/// and so is a parameter this route does not take (a misspelt `grup_by`
/// would otherwise answer the default grouping as if asked).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ParticipationParams {
    /// First year, inclusive.
    #[param(value_type = Option<u16>, minimum = 1000, maximum = 9999)]
    from: Option<String>,
    /// Last year, inclusive.
    #[param(value_type = Option<u16>, minimum = 1000, maximum = 9999)]
    to: Option<String>,
    /// The grouping (default year).
    #[param(inline, value_type = Option<GroupByName>)]
    group_by: Option<String>,
    /// roster (accepted matches, the default) or inferred.
    #[param(inline, value_type = Option<TierName>)]
    tier: Option<String>,
    /// json (the default) or csv.
    #[param(inline, value_type = Option<Format>)]
    format: Option<String>,
    /// true: list the record ids behind every cell.
    #[param(value_type = Option<bool>)]
    records: Option<String>,
}

/// The `group_by` names, as the document lists them.
#[derive(ToSchema)]
#[schema(as = GroupBy, rename_all = "snake_case")]
#[allow(dead_code)]
enum GroupByName {
    Year,
    Organisation,
    Division,
    Discipline,
    Funder,
}

/// The metrics' `tier` names, as the document lists them.
#[derive(ToSchema)]
#[schema(as = Tier, rename_all = "snake_case")]
#[allow(dead_code)]
enum TierName {
    Roster,
    Inferred,
}

/// Answers the participation table for the query.
#[utoipa::path(
    get,
    path = "/api/metrics/participation",
    summary = "Participation measures (a) people leading/conducting, (b) grants led/co-applied, (c) publications, with the records behind every cell",
    params(ParticipationParams),
    responses(
        (status = 200, description = "The table; X-Tags-Status says whether the tags are current",
            headers(("X-Tags-Status" = String, description = "current, or stale when the roster or decisions changed since the last re-tag")),
            content((ParticipationTable = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter is invalid", body = ErrorBody)
    )
)]
pub async fn participation(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ParticipationParams>,
) -> Result<Response, ApiError> {
    let query = MetricsQuery {
        from: year("from", params.from.as_deref())?,
        to: year("to", params.to.as_deref())?,
        group_by: choice(
            "group_by",
            params.group_by.as_deref(),
            GroupBy::Year,
            &GroupBy::ALL.map(|g| (g.name(), g)),
        )?,
        tier: choice(
            "tier",
            params.tier.as_deref(),
            TierChoice::Roster,
            &[
                ("roster", TierChoice::Roster),
                ("inferred", TierChoice::Inferred),
            ],
        )?,
        // The record ids behind every cell: for audit, on request (they are large).
        with_records: choice(
            "records",
            params.records.as_deref(),
            false,
            &[("true", true), ("false", false)],
        )?,
    };
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to {
            return Err(ApiError::InvalidParameter(
                "from must not be after to".into(),
            ));
        }
    }
    let csv = choice(
        "format",
        params.format.as_deref(),
        false,
        &[("json", false), ("csv", true)],
    )?;
    let measured = query.clone();
    let (table, tags) = state
        .run_blocking(move |state| {
            Ok((
                measure(&state.derived()?.metrics, &measured),
                state.tags_status()?,
            ))
        })
        .await?;
    // Whether the counts reflect the current roster and decisions, for scripts:
    // the dashboard says it in words.
    let freshness = match tags {
        TagsStatus::Current { .. } => "current",
        TagsStatus::Stale { .. } => "stale",
    };
    let mut response = if csv {
        let body = to_csv(&table).map_err(ApiError::internal)?;
        ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
    } else {
        Json(ParticipationTable::new(table, &query)).into_response()
    };
    response
        .headers_mut()
        .insert(TAGS_HEADER, header::HeaderValue::from_static(freshness));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse_query_string;
    use crate::service::people::PeopleParams;

    /// Every JSON endpoint refuses a parameter it does not take and a
    /// scalar given twice, naming it (search does so in `parse_query`, the
    /// review queue in `QueueParams::parse`).
    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        for query in ["grup_by=year", "from=2019&from=2020", "group_by=year&x="] {
            let error = parse_query_string::<ParticipationParams>(query).unwrap_err();
            assert!(error.starts_with("parameter '"), "{query}: {error}");
        }
        for query in ["q=x&limt=5", "q=a&q=b", "organisation=A&year=2020"] {
            let error = parse_query_string::<PeopleParams>(query).unwrap_err();
            assert!(error.starts_with("parameter '"), "{query}: {error}");
        }
        assert!(parse_query_string::<ParticipationParams>("group_by=&tier=roster").is_ok());
        for query in ["x=1", "page=1&page=2"] {
            assert!(
                crate::service::review::QueueParams::parse(query).is_err(),
                "{query}"
            );
        }
    }
}
