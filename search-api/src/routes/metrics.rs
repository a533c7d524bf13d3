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
use crate::params::{blank_is_absent, Year};
use crate::routes::search::Format;
use crate::service::TAGS_HEADER;
use crate::state::AppState;
use utoipa::IntoParams;

/// The query string as sent; every value is checked and named when refused,
/// and so is a parameter this route does not take (a misspelt `grup_by`
/// would otherwise answer the default grouping as if asked). An empty value
/// is absent, as a form's empty box.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ParticipationParams {
    /// First year, inclusive.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    from: Option<Year>,
    /// Last year, inclusive.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    to: Option<Year>,
    /// The grouping (default year).
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    group_by: Option<GroupBy>,
    /// roster (accepted matches, the default) or inferred.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    tier: Option<TierChoice>,
    /// json (the default) or csv.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    format: Option<Format>,
    /// true: list the record ids behind every cell.
    records: Option<bool>,
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
        from: params.from.map(|Year(year)| year),
        to: params.to.map(|Year(year)| year),
        group_by: params.group_by.unwrap_or(GroupBy::Year),
        tier: params.tier.unwrap_or(TierChoice::Roster),
        // The record ids behind every cell: for audit, on request (they are large).
        with_records: params.records.unwrap_or(false),
    };
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to {
            return Err(ApiError::InvalidParameter(
                "from must not be after to".into(),
            ));
        }
    }
    let csv = params.format == Some(Format::Csv);
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
        let error = parse_query_string::<ParticipationParams>("group_by=person").unwrap_err();
        assert_eq!(
            error,
            "parameter 'group_by' cannot be 'person'; it must be one of 'year', \
             'organisation', 'division', 'discipline', 'funder'"
        );
        let error = parse_query_string::<ParticipationParams>("from=20x").unwrap_err();
        assert!(
            error.contains("'from'") && error.contains("four-digit year"),
            "{error}"
        );
        let params = parse_query_string::<ParticipationParams>(
            "from=2019&to=+2020&tier=inferred&format=csv",
        )
        .unwrap();
        assert_eq!(
            (params.from, params.to),
            (Some(Year(2019)), Some(Year(2020)))
        );
        assert_eq!(params.tier, Some(TierChoice::Inferred));
        assert_eq!(params.format, Some(Format::Csv));
        for query in ["x=1", "page=1&page=2"] {
            assert!(
                crate::service::review::QueueParams::parse(query).is_err(),
                "{query}"
            );
        }
    }
}
