//! A Gateway to Research (GtR-2 JSON v7) simulator over `gtr/` in the fixtures.
//!
//! The recorded projects (real GtR values in the documented wire format; see
//! `fixtures/gtr/PROVENANCE.md`) are paged by `s`/`p` and filtered by `q`; a
//! page past the end gets GtR's 404, and an unknown entity GUID is answered the
//! way GtR does — with some other record. `persons?q=…&f=per.sn` searches the
//! recorded persons' surnames and `persons/{id}/projects` lists the projects
//! linking to a person, as roster retrieval asks. Every request must ask for
//! v7 in `Accept`. Served under `/gtr/api/`.

use std::path::Path;

use serde_json::Value;

use crate::{read_json, LoadError, Request, Response};

/// GtR's v7 JSON media type (asked for in `Accept`, sent as `Content-Type`).
pub const V7: &str = "application/vnd.rcuk.gtr.json-v7";

/// The path prefix the simulator answers under (a harvest config's `base_url` path).
pub const PREFIX: &str = "/gtr/api/";

/// Entity kinds a project links to: the path segment and the recorded file and key.
const ENTITIES: [(&str, &str, &str); 4] = [
    ("persons", "persons", "person"),
    ("organisations", "organisations", "organisation"),
    ("funds", "funds", "fund"),
    ("outcomes/publications", "publications", "publication"),
];

/// The recorded GtR data and the answers made from it.
#[derive(Debug, Clone)]
pub struct Simulator {
    projects: Vec<Value>,
    /// Entities by path segment (`persons`, `outcomes/publications`, …).
    entities: Vec<(&'static str, Vec<Value>)>,
}

/// The `key` array of `gtr/<name>.json`.
fn load(fixtures: &Path, name: &str, key: &str) -> Result<Vec<Value>, LoadError> {
    let path = fixtures.join("gtr").join(format!("{name}.json"));
    let mut envelope = read_json(&path)?;
    match envelope[key].take() {
        Value::Array(items) => Ok(items),
        _ => Err(LoadError::invalid(&path, format!("no {key:?} array"))),
    }
}

impl Simulator {
    /// Loads `gtr/{projects,persons,organisations,funds,publications}.json` under `fixtures`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        let mut entities = Vec::new();
        for (kind, name, key) in ENTITIES {
            entities.push((kind, load(fixtures, name, key)?));
        }
        Ok(Self {
            projects: load(fixtures, "projects", "project")?,
            entities,
        })
    }

    /// The recorded projects, in the order they are paged.
    pub fn projects(&self) -> &[Value] {
        &self.projects
    }

    /// Answers a GtR API request (paths under [`PREFIX`]).
    pub fn respond(&self, request: &Request) -> Response {
        if request.header("accept") != Some(V7) {
            // GtR would answer the oldest version; the harvester must never ask for it.
            return Response::status(406, "v7 not requested").header("content-type", "text/plain");
        }
        let Some(path) = request.path.strip_prefix(PREFIX) else {
            return Response::not_found();
        };
        if path == "projects" {
            return self.projects_page(request);
        }
        if path == "persons" && request.param("f").is_some() {
            return self.person_search(request);
        }
        if let Some(guid) = path
            .strip_prefix("persons/")
            .and_then(|rest| rest.strip_suffix("/projects"))
        {
            return self.person_projects(request, guid);
        }
        for (kind, items) in &self.entities {
            if let Some(id) = path.strip_prefix(&format!("{kind}/")) {
                let found = items.iter().find(|item| item["id"].as_str() == Some(id));
                // GtR never 404s an unknown GUID: it answers with an unrelated record.
                return match found.or(items.first()) {
                    Some(item) => json(item),
                    None => Response::not_found(),
                };
            }
        }
        Response::not_found()
    }

    fn projects_page(&self, request: &Request) -> Response {
        let query = request.param("q").map(str::to_lowercase);
        let hits: Vec<&Value> = self
            .projects
            .iter()
            .filter(|project| match &query {
                None => true,
                Some(q) => {
                    let text = format!(
                        "{} {}",
                        project["title"].as_str().unwrap_or(""),
                        project["abstractText"].as_str().unwrap_or("")
                    )
                    .to_lowercase();
                    text.contains(q.as_str())
                }
            })
            .collect();
        page_of(request, "project", &hits)
    }

    /// `persons?q=…&f=per.sn`: the recorded persons whose surname has the
    /// query as a whole word, case-insensitively (GtR's own search is a
    /// word search too); only the surname field is simulated.
    fn person_search(&self, request: &Request) -> Response {
        if request.param("f") != Some("per.sn") {
            return Response::status(400, "Invalid search field")
                .header("content-type", "text/plain");
        }
        let query = request.param("q").unwrap_or_default().to_lowercase();
        let persons = self.entities("persons");
        let hits: Vec<&Value> = persons
            .iter()
            .filter(|person| {
                person["surname"]
                    .as_str()
                    .unwrap_or("")
                    .to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|word| !word.is_empty() && word == query)
            })
            .collect();
        page_of(request, "person", &hits)
    }

    /// `persons/{id}/projects`: the recorded projects linking to the person.
    fn person_projects(&self, request: &Request, guid: &str) -> Response {
        let hits: Vec<&Value> = self
            .projects
            .iter()
            .filter(|project| {
                project["links"]["link"].as_array().is_some_and(|links| {
                    links.iter().any(|link| {
                        link["rel"]
                            .as_str()
                            .is_some_and(|rel| rel.ends_with("_PER"))
                            && link["href"]
                                .as_str()
                                .is_some_and(|href| href.ends_with(&format!("/{guid}")))
                    })
                })
            })
            .collect();
        page_of(request, "project", &hits)
    }

    fn entities(&self, kind: &str) -> &[Value] {
        self.entities
            .iter()
            .find(|(name, _)| *name == kind)
            .map(|(_, items)| items.as_slice())
            .unwrap_or_default()
    }
}

/// Page `p` of `s` items of a listing, in GtR's envelope; GtR's 404 past the end.
fn page_of(request: &Request, key: &str, hits: &[&Value]) -> Response {
    let number = |name: &str| request.param(name).and_then(|v| v.parse::<usize>().ok());
    let (Some(size), Some(page)) = (number("s"), number("p")) else {
        return Response::status(400, "s and p are required");
    };
    if !(10..=100).contains(&size) {
        return Response::status(400, "Page size cannot be less than 10 or greater than 100");
    }
    let total_pages = hits.len().div_ceil(size);
    if page == 0 || page > total_pages {
        return Response::status(
            404,
            format!("Page requested exceeds maximum available: {total_pages}"),
        )
        .header("content-type", "text/plain");
    }
    let slice: Vec<&Value> = hits
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .copied()
        .collect();
    let mut envelope = serde_json::Map::new();
    envelope.insert(
        key.to_owned(),
        Value::from(slice.into_iter().cloned().collect::<Vec<_>>()),
    );
    envelope.insert("page".to_owned(), page.into());
    envelope.insert("size".to_owned(), size.into());
    envelope.insert("totalPages".to_owned(), total_pages.into());
    envelope.insert("totalSize".to_owned(), hits.len().into());
    json(&Value::Object(envelope))
}

fn json(value: &Value) -> Response {
    Response::ok(V7, value.to_string())
}
