//! NIHR Open Data rows (Opendatasoft Explore v2.1 JSON exports) → grants.
//!
//! The awards dataset (`nihr-summary-view`) has one row per award; the award
//! holders dataset (`award-holders-table`) one row per person per award,
//! joined on `project_id`. Values are published as the funder keeps them:
//! names with their titles ("Professor …"), placeholders such as "Not
//! Available", amounts that are usually numbers. A field that cannot be read
//! is dropped with a warning naming the award and the field; it never costs
//! the award.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::gtr::text::plain_text;
use crate::harvest::{HttpResponse, Rejection};
use hcs_model::ids::normalize_orcid;
use hcs_model::published_names::split_name;
use hcs_model::records::{Grant, GrantPerson, Organisation, Provenance};

/// The funder key of every NIHR award's stable id: the published `funder`
/// ("NIHR (ODA)", "NIHR (non-ODA)") is kept on the record, but one key keeps
/// `grant:nihr:<project_id>` stable for links from publications.
pub const FUNDER_KEY: &str = "NIHR";

/// Parses an Opendatasoft JSON export: the body must be one complete JSON
/// array of objects. An `{"error_code": …}` body is refused when the status is
/// 4xx and retried otherwise; a cut body is incomplete.
pub fn parse_export(response: &HttpResponse) -> Result<Vec<Value>, Rejection> {
    let ok = (200..300).contains(&response.status);
    let body = response.text()?;
    let value: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(error) if ok => {
            return Err(Rejection::Incomplete(format!(
                "export is not complete JSON: {error}"
            )))
        }
        Err(_) => return response.require_success().map(|()| Vec::new()),
    };
    match value {
        Value::Array(rows) if ok => Ok(rows),
        Value::Object(object) if object.contains_key("error_code") => {
            let code = object.get("error_code").map(describe).unwrap_or_default();
            let message = object.get("message").map(describe).unwrap_or_default();
            let text = format!("Opendatasoft error {code}: {message}");
            if (400..500).contains(&response.status) {
                Err(Rejection::Refused(text))
            } else {
                Err(Rejection::Incomplete(text))
            }
        }
        _ if !ok => response.require_success().map(|()| Vec::new()),
        _ => Err(Rejection::Incomplete(
            "export is not a JSON array".to_owned(),
        )),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Where a set of grants was read from.
#[derive(Debug, Clone)]
pub struct ExportOrigin {
    /// The awards export URL.
    pub location: String,
    /// When it was fetched (RFC 3339).
    pub fetched_at: String,
}

/// Award holders by `project_id`, in published order.
pub type Holders = HashMap<String, Vec<GrantPerson>>;

/// Indexes the holders export by project; rows that are not objects or have
/// no `project_id` are reported in `warnings` and skipped.
pub fn index_holders(rows: &[Value], warnings: &mut Vec<String>) -> Holders {
    let mut holders: Holders = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            warnings.push(format!(
                "nihr: award holder row {} is not an object; skipped",
                index + 1
            ));
            continue;
        };
        let Some(project_id) = field(row, "project_id") else {
            warnings.push(format!(
                "nihr: award holder row {} has no project_id; skipped",
                index + 1
            ));
            continue;
        };
        if let Some(person) = person_from(row, &project_id, warnings) {
            holders.entry(project_id).or_default().push(person);
        }
    }
    holders
}

/// Maps every award row to a grant, joining `holders`. Unusable rows and
/// fields are reported in `warnings`.
pub fn build_grants(
    source: &str,
    rows: &[Value],
    holders: &Holders,
    origin: &ExportOrigin,
    warnings: &mut Vec<String>,
) -> Vec<Grant> {
    let mut grants = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            warnings.push(format!(
                "nihr: award row {} is not an object; skipped",
                index + 1
            ));
            continue;
        };
        match build_grant(source, row, holders, origin, warnings) {
            Some(grant) => grants.push(grant),
            None => warnings.push(format!(
                "nihr: award row {} has no project_id; skipped",
                index + 1
            )),
        }
    }
    grants
}

/// Maps one award row; `None` without a `project_id`.
pub fn build_grant(
    source: &str,
    row: &Map<String, Value>,
    holders: &Holders,
    origin: &ExportOrigin,
    warnings: &mut Vec<String>,
) -> Option<Grant> {
    let project_id = field(row, "project_id")?;
    let mut warn = |name: &str, problem: String| {
        warnings.push(format!(
            "nihr: project {project_id}: field {name}: {problem}; dropped"
        ));
    };
    let amount = match row.get("award_amount_from_dh") {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => number.as_f64(),
        Some(Value::String(text)) if placeholder(text) => None,
        Some(Value::String(text)) => match text.trim().replace(',', "").parse::<f64>() {
            Ok(number) if number.is_finite() => Some(number),
            _ => {
                warn("award_amount_from_dh", format!("not a number {text:?}"));
                None
            }
        },
        Some(other) => {
            warn("award_amount_from_dh", format!("not a number {other}"));
            None
        }
    };
    let mut date = |name: &str| {
        let raw = field(row, name)?;
        let parsed = parse_date(&raw);
        if parsed.is_none() {
            warn(name, format!("not a date {raw:?}"));
        }
        parsed
    };
    let start = date("start_date");
    let end = date("end_date");
    let people = match holders.get(&project_id) {
        Some(people) if !people.is_empty() => people.clone(),
        // The holders dataset lacks the award: the summary row names its lead person.
        _ => person_from(row, &project_id, warnings)
            .into_iter()
            .collect(),
    };
    let lead_organisation = field(row, "contracted_organisation").map(|name| Organisation {
        name,
        location: field(row, "postcode"),
        ..Organisation::default()
    });
    let abstract_text = field(row, "scientific_abstract")
        .and_then(|text| plain_text(&text))
        .or_else(|| field(row, "plain_english_abstract").and_then(|text| plain_text(&text)));
    Some(Grant {
        id: Grant::stable_id(FUNDER_KEY, &project_id),
        funder: field(row, "funder").unwrap_or_else(|| FUNDER_KEY.to_owned()),
        reference: project_id.clone(),
        programme: field(row, "programme"),
        title: field(row, "project_title")
            .and_then(|title| plain_text(&title))
            .unwrap_or_default(),
        r#abstract: abstract_text,
        currency: amount.map(|_| "GBP".to_owned()),
        amount,
        start,
        end,
        status: field(row, "project_status"),
        lead_organisation,
        people,
        provenance: vec![Provenance {
            source: source.to_owned(),
            location: origin.location.clone(),
            fetched_at: origin.fetched_at.clone(),
            record_id: Some(project_id),
        }],
        ..Grant::default()
    })
}

/// A person from a row's `award_holder_name`, `orcid` and `involvement_type`.
fn person_from(
    row: &Map<String, Value>,
    project_id: &str,
    warnings: &mut Vec<String>,
) -> Option<GrantPerson> {
    let full_name = field(row, "award_holder_name")?;
    let (given, family) = split_name(&full_name);
    let orcid = field(row, "orcid").and_then(|raw| {
        let normalised = normalize_orcid(&raw);
        if normalised.is_none() {
            warnings.push(format!(
                "nihr: project {project_id}: field orcid: not a valid ORCID iD {raw:?}; dropped"
            ));
        }
        normalised
    });
    Some(GrantPerson {
        family,
        given,
        full_name: Some(full_name),
        orcid,
        // Every row of the award holders data names a holder; the role is kept verbatim when given.
        role: field(row, "involvement_type").unwrap_or_else(|| "Award Holder".to_owned()),
        ..GrantPerson::default()
    })
}

/// `YYYY-MM-DD` from `YYYY-MM-DD[T…]` or `DD/MM/YYYY`.
pub fn parse_date(raw: &str) -> Option<String> {
    hcs_model::dates::parse_iso_or_dmy(raw).map(|date| hcs_model::dates::format_date(date, '-'))
}

/// Placeholder values NIHR publishes instead of leaving a field empty.
fn placeholder(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || ["not available", "n/a", "na", "none", "tbc", "null", "-"]
            .iter()
            .any(|p| text.eq_ignore_ascii_case(p))
}

/// A field as trimmed text; placeholders and empties are `None`.
fn field(row: &Map<String, Value>, name: &str) -> Option<String> {
    let text = match row.get(name)? {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!placeholder(&text)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_both_published_forms() {
        assert_eq!(parse_date("2009-05-01").as_deref(), Some("2009-05-01"));
        assert_eq!(
            parse_date("2009-05-01T00:00:00+00:00").as_deref(),
            Some("2009-05-01")
        );
        assert_eq!(parse_date("30/06/2011").as_deref(), Some("2011-06-30"));
        assert_eq!(parse_date("2011-02-30"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn a_bad_amount_costs_the_field_not_the_award() {
        let row: Map<String, Value> = serde_json::from_str(
            r#"{"project_id":"002/0030","project_title":"T","award_amount_from_dh":"abc",
                "award_holder_name":"Professor Jane Smith","orcid":"https://orcid.org/0000-0002-1825-0097",
                "involvement_type":"Chief Investigator","start_date":"2009-05-01","postcode":"Not Available"}"#,
        )
        .unwrap();
        let origin = ExportOrigin {
            location: "x".into(),
            fetched_at: "2026-01-01T00:00:00Z".into(),
        };
        let mut warnings = Vec::new();
        let grant = build_grant("nihr", &row, &Holders::new(), &origin, &mut warnings).unwrap();
        assert_eq!(grant.id, "grant:nihr:002/0030");
        assert_eq!(grant.amount, None);
        assert_eq!(grant.start.as_deref(), Some("2009-05-01"));
        assert_eq!(
            grant.people[0].orcid.as_deref(),
            Some("0000-0002-1825-0097")
        );
        assert_eq!(grant.people[0].role, "Chief Investigator");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("002/0030") && warnings[0].contains("award_amount_from_dh"));
    }
}
