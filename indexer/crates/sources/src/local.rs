//! Local grant registers: awards the public APIs do not carry (Health and
//! Care Research Wales schemes, health-board R&D portfolios, innovation
//! funds), kept by the Network in a spreadsheet and imported as CSV.
//!
//! One row per award; the template is [`GRANT_COLUMNS`] (and
//! `fixtures/local/grants-template.csv`):
//!
//! | column | content |
//! |---|---|
//! | `funder` | as the award letter names it (required) |
//! | `reference` | the funder's award reference (required): with `funder`, the award's identity |
//! | `title` | required |
//! | `programme` | scheme or programme |
//! | `amount`, `currency` | a plain number (no thousands separators) and an ISO 4217 code; `GBP` when the amount has none |
//! | `start`, `end` | `YYYY-MM-DD`, `YYYY-MM` or `YYYY` |
//! | `lead_organisation` | the organisation holding the award |
//! | `people` | `Name \| Role \| Organisation`, several separated by `;` (roles as printed: Principal Investigator, Co-applicant…) |
//! | `outputs` | publications the award produced: `doi:10.…` or `pmid:…`, separated by `;` |
//! | `abstract` | plain text |
//! | `source` | where the facts were read (URLs), separated by `;` |
//!
//! Rows are checked like the roster: a bad cell is reported by line and
//! column and its row skipped, formulas are refused, the rest imports. A row
//! becomes a [`Grant`] with provenance `local` (location `local:<file>`),
//! which merges with a harvested version of the same award on funder +
//! reference.

use hcs_model::ids::{normalize_doi, normalize_pmid};
use hcs_model::published_names::split_name;
use hcs_model::records::{
    Grant, GrantPerson, Identifiers, LinkMethod, Organisation, OtherIdentifier, OutputLink,
    Provenance,
};
use hcs_model::sheet::{Cells, Sheet, SheetIssue};

/// The source name of imported grants.
pub const SOURCE: &str = "local";

/// Every column of the grants template, in template order.
pub const GRANT_COLUMNS: [&str; 14] = [
    "funder",
    "programme",
    "reference",
    "title",
    "amount",
    "currency",
    "start",
    "end",
    "lead_organisation",
    "people",
    "outputs",
    "abstract",
    "source",
    "status",
];

const REQUIRED: [&str; 3] = ["funder", "reference", "title"];

/// A register read: the grants of the rows that passed, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct GrantRegister {
    /// One grant per good row, in file order.
    pub grants: Vec<Grant>,
    /// Rows skipped, each with where and why.
    pub issues: Vec<SheetIssue>,
    /// Columns present but not in the template (ignored).
    pub ignored_columns: Vec<String>,
}

/// Reads a grants register; `file` names it in provenance (`local:<file>`).
/// A file without a header or a required column is an error.
pub fn read_grants(bytes: &[u8], file: &str, read_at: &str) -> Result<GrantRegister, String> {
    let sheet = Sheet::read(bytes, &REQUIRED)?;
    let mut register = GrantRegister {
        ignored_columns: sheet.unknown_columns(&GRANT_COLUMNS),
        issues: sheet.unreadable.clone(),
        ..GrantRegister::default()
    };
    let mut seen = std::collections::HashMap::new();
    for cells in sheet.rows() {
        match grant(&cells, file, read_at) {
            Ok(grant) => {
                if let Some(first) = seen.insert(grant.id.clone(), cells.line) {
                    register.issues.push(cells.row_issue(format!(
                        "the same funder and reference as line {first}: the first row is kept"
                    )));
                    seen.insert(grant.id.clone(), first);
                    continue;
                }
                register.grants.push(grant);
            }
            Err(issue) => register.issues.push(issue),
        }
    }
    Ok(register)
}

fn grant(cells: &Cells<'_>, file: &str, read_at: &str) -> Result<Grant, SheetIssue> {
    let funder = cells.required("funder")?.to_owned();
    let reference = cells.required("reference")?.to_owned();
    let title = cells.required("title")?.to_owned();
    let amount = cells
        .get("amount")?
        .map(|text| {
            text.parse::<f64>()
                .ok()
                .filter(|amount| amount.is_finite() && *amount >= 0.0)
                .ok_or_else(|| {
                    cells.issue(
                        "amount",
                        "not an amount (a plain number such as 250000.00, no separators)",
                    )
                })
        })
        .transpose()?;
    let currency = match cells.get("currency")? {
        Some(code) if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(code.to_ascii_uppercase())
        }
        Some(_) => return Err(cells.issue("currency", "not a three-letter currency code")),
        None => amount.map(|_| "GBP".to_owned()),
    };
    let start = partial_date(cells, "start")?;
    let end = partial_date(cells, "end")?;
    if let (Some(start), Some(end)) = (&start, &end) {
        if end < start {
            return Err(cells.issue("end", "is before start"));
        }
    }
    let people = match cells.get("people")? {
        Some(text) => people(cells, text)?,
        None => Vec::new(),
    };
    let outputs = match cells.get("outputs")? {
        Some(text) => outputs(cells, text)?,
        None => Vec::new(),
    };
    let other_references = cells
        .get("source")?
        .map(|text| {
            text.split(';')
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .map(|url| OtherIdentifier {
                    kind: "source".into(),
                    value: url.to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Grant {
        id: Grant::stable_id(&funder, &reference),
        other_references,
        programme: cells.get("programme")?.map(str::to_owned),
        r#abstract: cells.get("abstract")?.map(str::to_owned),
        amount,
        currency,
        start,
        end,
        status: cells.get("status")?.map(str::to_owned),
        lead_organisation: cells.get("lead_organisation")?.map(organisation),
        people,
        outputs,
        provenance: vec![Provenance {
            source: SOURCE.into(),
            location: format!("local:{file}"),
            fetched_at: read_at.to_owned(),
            record_id: Some(reference.clone()),
        }],
        funder,
        reference,
        title,
        ..Grant::default()
    })
}

fn organisation(name: &str) -> Organisation {
    Organisation {
        name: name.to_owned(),
        ..Organisation::default()
    }
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, kept as written (a day is never made up).
fn partial_date(cells: &Cells<'_>, column: &str) -> Result<Option<String>, SheetIssue> {
    let Some(text) = cells.get(column)? else {
        return Ok(None);
    };
    // Years outside 1900–2100 in a spreadsheet are typing slips, not dates.
    let valid = hcs_model::dates::PartialDate::parse(text)
        .is_some_and(|date| (1900..=2100).contains(&date.year()));
    if valid {
        Ok(Some(text.to_owned()))
    } else {
        Err(cells.issue(column, "not a date (YYYY-MM-DD, YYYY-MM or YYYY)"))
    }
}

/// `Name | Role | Organisation; …`: a name and a role each, the organisation optional.
fn people(cells: &Cells<'_>, text: &str) -> Result<Vec<GrantPerson>, SheetIssue> {
    let mut people = Vec::new();
    for (index, entry) in text.split(';').map(str::trim).enumerate() {
        if entry.is_empty() {
            continue;
        }
        let parts: Vec<&str> = entry.split('|').map(str::trim).collect();
        let (name, role, organisation) = match parts.as_slice() {
            [name, role] => (*name, *role, None),
            [name, role, organisation] => (*name, *role, Some(*organisation)),
            _ => {
                return Err(cells.issue(
                    "people",
                    format!(
                        "person {} is not 'Name | Role' or 'Name | Role | Organisation'",
                        index + 1
                    ),
                ))
            }
        };
        if name.is_empty() || role.is_empty() {
            return Err(cells.issue(
                "people",
                format!("person {} has no name or no role", index + 1),
            ));
        }
        let (given, family) = split_name(name);
        people.push(GrantPerson {
            given,
            family,
            full_name: Some(name.to_owned()),
            role: role.to_owned(),
            organisation: organisation
                .filter(|o| !o.is_empty())
                .map(self::organisation),
            ..GrantPerson::default()
        });
    }
    Ok(people)
}

/// `doi:10.… ; pmid:…`: each output an identifier the index can join on.
fn outputs(cells: &Cells<'_>, text: &str) -> Result<Vec<OutputLink>, SheetIssue> {
    let mut outputs = Vec::new();
    for (index, entry) in text.split(';').map(str::trim).enumerate() {
        if entry.is_empty() {
            continue;
        }
        let lower = entry.to_ascii_lowercase();
        let identifiers = if let Some(pmid) = lower.strip_prefix("pmid:") {
            normalize_pmid(pmid).map(|pmid| Identifiers {
                pmid: Some(pmid),
                ..Identifiers::default()
            })
        } else {
            normalize_doi(entry).map(|doi| Identifiers {
                doi: Some(doi),
                ..Identifiers::default()
            })
        };
        let Some(identifiers) = identifiers else {
            return Err(cells.issue(
                "outputs",
                format!("output {} is not doi:10.… or pmid:…", index + 1),
            ));
        };
        outputs.push(OutputLink {
            identifiers,
            title: None,
            method: LinkMethod::LocalRegister,
        });
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "funder,programme,reference,title,amount,currency,start,end,lead_organisation,people,outputs,abstract,source\n";

    #[test]
    fn rows_become_grants_and_bad_cells_are_located() {
        let text = format!(
            "{HEADER}\
             Health and Care Research Wales,Research for Patient and Public Benefit,RfPPB-1,A study,250000.50,,2019-04,2022,Public Health Wales,\"Jane Evans | Chief Investigator | Public Health Wales; Dr Ann Smith | Co-applicant\",\"doi:10.1000/xyz; pmid:123\",,https://example.org/award\n\
             MRC,,MR/1,Second,1e400,,,,,,,,\n\
             MRC,,MR/2,Third,,,2020-13,,,,,,\n\
             MRC,,MR/3,Fourth,,,,,,Jane Evans,,,\n\
             MRC,,MR/4,=HYPERLINK(1),,,,,,,,,\n\
             MRC,,MR/5,Fifth,,,,,,,doi:nope,,\n\
             ,,MR/6,Sixth,,,,,,,,,\n\
             Health and Care Research Wales,,RfPPB-1,Duplicate,,,,,,,,,\n"
        );
        let register = read_grants(text.as_bytes(), "grants.csv", "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(register.grants.len(), 1, "{:?}", register.issues);
        let grant = &register.grants[0];
        assert_eq!(
            grant.id,
            Grant::stable_id("Health and Care Research Wales", "RfPPB-1")
        );
        assert_eq!(grant.amount, Some(250000.5));
        assert_eq!(grant.currency.as_deref(), Some("GBP"));
        assert_eq!(
            (grant.start.as_deref(), grant.end.as_deref()),
            (Some("2019-04"), Some("2022"))
        );
        assert_eq!(grant.people.len(), 2);
        assert_eq!(grant.people[0].family.as_deref(), Some("Evans"));
        assert_eq!(grant.people[0].role, "Chief Investigator");
        assert_eq!(
            grant.people[0]
                .organisation
                .as_ref()
                .map(|o| o.name.as_str()),
            Some("Public Health Wales")
        );
        assert_eq!(grant.people[1].family.as_deref(), Some("Smith"));
        assert_eq!(grant.outputs.len(), 2);
        assert_eq!(grant.outputs[1].identifiers.pmid.as_deref(), Some("123"));
        assert_eq!(grant.provenance[0].location, "local:grants.csv");
        assert_eq!(grant.other_references[0].value, "https://example.org/award");
        let located: Vec<String> = register.issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            located,
            [
                "line 3, column 5 (amount): not an amount (a plain number such as 250000.00, no separators)",
                "line 4, column 7 (start): not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
                "line 5, column 10 (people): person 1 is not 'Name | Role' or 'Name | Role | Organisation'",
                "line 6, column 4 (title): looks like a spreadsheet formula",
                "line 7, column 11 (outputs): output 1 is not doi:10.… or pmid:…",
                "line 8, column 1 (funder): is empty",
                "line 9: the same funder and reference as line 2: the first row is kept",
            ]
        );
    }
}
