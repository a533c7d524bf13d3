//! `GET /api/metrics/participation`: the Network's measures (a)(b)(c) as
//! JSON (every cell with the records behind it) or CSV.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use indexer::metrics::{measure, to_csv, GroupBy, MetricsQuery, TierChoice};
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The query string as sent; every value is checked and named when refused.
#[derive(Debug, Default, Deserialize)]
pub struct ParticipationParams {
    from: Option<String>,
    to: Option<String>,
    group_by: Option<String>,
    tier: Option<String>,
    format: Option<String>,
    records: Option<String>,
}

fn year(parameter: &str, value: Option<&str>) -> Result<Option<u16>, ApiError> {
    value
        .map(|text| {
            text.trim()
                .parse::<u16>()
                .ok()
                .filter(|year| (1000..=9999).contains(year))
                .ok_or_else(|| {
                    ApiError::InvalidParameter(format!("{parameter} must be a four-digit year"))
                })
        })
        .transpose()
}

fn choice<T: Copy>(
    parameter: &str,
    value: Option<&str>,
    default: T,
    options: &[(&str, T)],
) -> Result<T, ApiError> {
    let Some(value) = value else {
        return Ok(default);
    };
    options
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
            ApiError::InvalidParameter(format!("{parameter} must be one of {}", names.join(", ")))
        })
}

/// Answers the participation table for the query.
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
            &[
                ("year", GroupBy::Year),
                ("organisation", GroupBy::Organisation),
                ("division", GroupBy::Division),
                ("discipline", GroupBy::Discipline),
                ("funder", GroupBy::Funder),
            ],
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
    let table = state
        .run_blocking(move |state| Ok(measure(&state.derived()?.metrics, &query)))
        .await?;
    if csv {
        let body = to_csv(&table).map_err(ApiError::internal)?;
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    Ok(Json(table).into_response())
}
