//! An ORCID v3.0 read API simulator over `orcid/` in the fixtures.
//!
//! Real works list and employments of 0000-0002-0456-1185, real full works of
//! 0000-0003-2760-1191 and 0000-0001-5010-5001, the official sample record
//! 8888-8888-8888-8880, and a 404 with the official error body for any other
//! iD. Bulk `/works/{put-codes}` answers are assembled per request from the
//! work elements in the fixtures, with an `<error>` for put-codes it lacks, as
//! the API documents (see `fixtures/orcid/PROVENANCE.md`). Served under `/v3.0/`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{read_text, LoadError, Request, Response};

/// The path prefix the simulator answers under (a harvest config's `base_url` path).
pub const PREFIX: &str = "/v3.0/";

/// The real record whose works list and employments are recorded.
pub const TIINA: &str = "0000-0002-0456-1185";
/// The owner of Europe PMC's recorded real work.
pub const EPMC_OWNER: &str = "0000-0003-2760-1191";
/// The owner of Scopus's recorded real work.
pub const SCOPUS_OWNER: &str = "0000-0001-5010-5001";
/// ORCID's official sample record.
pub const SAMPLE: &str = "8888-8888-8888-8880";
/// Every iD the simulator has a record for.
pub const RECORDED: [&str; 4] = [TIINA, EPMC_OWNER, SCOPUS_OWNER, SAMPLE];

const ORCID_XML: &str = "application/vnd.orcid+xml;charset=UTF-8";

/// Every `<work:work …>…</work:work>` element of a document, by put-code.
fn work_elements(text: &str, path: &Path) -> Result<BTreeMap<String, String>, LoadError> {
    let mut works = BTreeMap::new();
    let mut rest = text;
    while let Some(start) = rest.find("<work:work ") {
        let tail = &rest[start..];
        let end = tail
            .find("</work:work>")
            .ok_or_else(|| LoadError::invalid(path, "a work element does not close"))?
            + "</work:work>".len();
        let element = &tail[..end];
        let head = element
            .find('>')
            .map(|close| &element[..close])
            .ok_or_else(|| LoadError::invalid(path, "a work start tag does not end"))?;
        let put_code = head
            .split("put-code=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .ok_or_else(|| LoadError::invalid(path, "a work has no put-code"))?;
        works.insert(put_code.to_owned(), element.to_owned());
        rest = &tail[end..];
    }
    Ok(works)
}

/// One recorded iD's documents.
#[derive(Debug, Clone)]
struct Person {
    works_list: String,
    works: BTreeMap<String, String>,
    employments: String,
}

/// The recorded ORCID records.
#[derive(Debug, Clone)]
pub struct Simulator {
    people: BTreeMap<&'static str, Person>,
    error: String,
}

impl Simulator {
    /// Loads the recorded records under `fixtures/orcid/`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        let dir = fixtures.join("orcid");
        let read = |relative: &str| read_text(&dir.join(relative));
        let works = |relative: &str| {
            let path = dir.join(relative);
            work_elements(&read_text(&path)?, &path)
        };
        let person = |works_list: &str, bulk: &str, employments: &str| {
            Ok::<_, LoadError>(Person {
                works_list: read(works_list)?,
                works: works(bulk)?,
                employments: read(employments)?,
            })
        };
        let people = BTreeMap::from([
            (
                TIINA,
                person(
                    "real/update_work.xml",
                    "built/bulk-0000-0002-0456-1185.xml",
                    "real/update_employments.xml",
                )?,
            ),
            (
                EPMC_OWNER,
                person(
                    "built/works-0000-0003-2760-1191.xml",
                    "real/activity_work_0000-0003-2760-1191_contributors.xml",
                    "samples/employments-3.0.xml",
                )?,
            ),
            (
                SCOPUS_OWNER,
                person(
                    "built/works-0000-0001-5010-5001.xml",
                    "real/activity_work_0000-0002-2536-4498.xml",
                    "samples/employments-3.0.xml",
                )?,
            ),
            (
                SAMPLE,
                person(
                    "samples/works-3.0.xml",
                    "samples/work-3.0.xml",
                    "samples/employments-3.0.xml",
                )?,
            ),
        ]);
        Ok(Self {
            people,
            error: read("samples/error-3.0.xml")?,
        })
    }

    /// Answers a v3.0 read request (`/v3.0/{id}/works`, `…/works/{put-codes}`, `…/employments`).
    pub fn respond(&self, request: &Request) -> Response {
        let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
        if request.header("accept") != Some("application/vnd.orcid+xml") {
            return Response::status(406, "Accept must be application/vnd.orcid+xml");
        }
        match parts.as_slice() {
            ["v3.0", orcid, rest @ ..] => {
                let Some(person) = self.people.get(orcid) else {
                    return Response::status(404, self.error.clone())
                        .header("content-type", ORCID_XML);
                };
                match rest {
                    ["works"] => Response::ok(ORCID_XML, person.works_list.clone()),
                    ["employments"] => Response::ok(ORCID_XML, person.employments.clone()),
                    ["works", codes] => Response::ok(ORCID_XML, bulk(&person.works, codes)),
                    _ => Response::not_found(),
                }
            }
            _ => Response::not_found(),
        }
    }
}

/// A bulk works answer: each put-code's work, or ORCID's error element.
fn bulk(works: &BTreeMap<String, String>, codes: &str) -> String {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<bulk:bulk xmlns:bulk=\"http://www.orcid.org/ns/bulk\" xmlns:common=\"http://www.orcid.org/ns/common\" xmlns:work=\"http://www.orcid.org/ns/work\" xmlns:error=\"http://www.orcid.org/ns/error\">\n",
    );
    for code in codes.split(',') {
        match works.get(code) {
            Some(work) => body.push_str(work),
            None => body.push_str(&format!(
                "<error:error><error:response-code>404</error:response-code><error:developer-message>404 Not Found: no work with put-code {code}</error:developer-message><error:error-code>9016</error:error-code></error:error>"
            )),
        }
        body.push('\n');
    }
    body.push_str("</bulk:bulk>\n");
    body
}
