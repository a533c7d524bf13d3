//! `GET /publications/{id}` and `GET /grants/{id}`: one record with its
//! people, their healthcare-scientist tags, and a grant's outputs.

use axum::extract::{Path, State};
use axum::response::Html;
use hcs_model::records::{Grant, GrantPerson, Publication, Record};
use hcs_read::links::{grant_outputs, GrantOutput};
use hcs_tagging::model::{Band, PersonTag, SlotTag};
use hcs_tagging::Tier;
use maud::{html, Markup};

use super::layout::{encode, page};
use super::{year_printed, PageResult};
use crate::error::ApiError;
use crate::service::records::find_record;
use crate::state::AppState;

/// `GET /publications/{id}`: one record with its tagged authors.
pub async fn publication_page(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (id, found) = find_record(&state, &id).await?;
    let Some((record, tags)) = found else {
        return Err(ApiError::NotFound(format!("no record '{id}'")).into());
    };
    let Record::Publication(publication) = &record else {
        return grant_html(&state, record, tags).await;
    };
    Ok(Html(page(
        &publication.title,
        publication_body(publication, &tags),
    )))
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
    Ok(Html(page(&grant.title, grant_body(grant, &tags, &outputs))))
}

/// A publication: title, journal and year, the byline with tags, the abstract.
fn publication_body(publication: &Publication, tags: &[SlotTag]) -> Markup {
    let journal = publication
        .journal
        .as_ref()
        .map(|j| j.title.as_str())
        .unwrap_or("");
    html! {
        h1 { (publication.title) }
        p class="meta" {
            (journal) " · " (year_printed(publication)) " · "
            a href={ "/api/publications/" (encode(&publication.id)) } { "JSON" }
        }
        ol {
            @for author in &publication.authors {
                @let tag = tags.iter().find(|t| t.position == author.position);
                li { (author.display_name()) " " @if let Some(slot) = tag { (tag_badge(&slot.tag)) } }
            }
        }
        @if let Some(r#abstract) = &publication.r#abstract {
            p { (r#abstract.text()) }
        }
    }
}

/// A grant: its facts, abstract, people with tags, and outputs.
fn grant_body(grant: &Grant, tags: &[SlotTag], outputs: &[GrantOutput]) -> Markup {
    let amount = grant
        .amount
        .map(|a| format!("{} {a:.0}", grant.currency.as_deref().unwrap_or("GBP")))
        .unwrap_or_default();
    html! {
        h1 { (grant.title) }
        p class="meta" {
            (grant.funder) " " (grant.reference) " · " (grant.programme.as_deref().unwrap_or(""))
            " · " (grant.start.as_deref().unwrap_or("?")) " to " (grant.end.as_deref().unwrap_or("?"))
            " · " (amount)
        }
        @if let Some(lead) = &grant.lead_organisation {
            p {
                strong { "Lead organisation:" } " "
                @if let Some(department) = &lead.department { (department) ", " }
                (lead.name)
            }
        }
        @if let Some(text) = grant.r#abstract.as_deref().filter(|t| !t.trim().is_empty()) {
            h2 { "Abstract" }
            p { (text) }
        }
        h2 { "People" }
        table {
            tr { th { "Name" } th { "Role" } th { "Healthcare scientist" } }
            @for (index, person) in grant.people.iter().enumerate() {
                @let tag = tags.iter().find(|t| t.position as usize == index + 1);
                tr {
                    td { (person_name(person)) }
                    td { (person.role) }
                    td { @if let Some(slot) = tag { (tag_badge(&slot.tag)) } }
                }
            }
        }
        h2 { "Outputs" }
        table id="outputs" {
            tr { th { "Output" } th { "How linked" } }
            @for output in outputs {
                tr { td { (output_cell(output)) } td { (output.link.method.describe()) } }
            }
        }
    }
}

/// A grant person's name: as the funder printed it whole, else given and family.
fn person_name(person: &GrantPerson) -> String {
    person.full_name.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            person.given.as_deref().unwrap_or(""),
            person.family.as_deref().unwrap_or("")
        )
    })
}

/// An output's title, linked to its record when the index has it.
fn output_cell(output: &GrantOutput) -> Markup {
    let title = output
        .link
        .title
        .clone()
        .unwrap_or_else(|| output.record_id.clone().unwrap_or_default());
    html! {
        @match &output.record_id {
            Some(id) => a href={ "/publications/" (encode(id)) } { (title) },
            None => (title),
        }
    }
}

/// A person's tag as a badge (with a link to the profile of an accepted roster person).
fn tag_badge(tag: &PersonTag) -> Markup {
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
    let profile = match (&tag.person_id, tag.band) {
        (Some(id), Band::Accept) => Some(id),
        _ => None,
    };
    html! {
        span class=(class) title={ "score " (tag.score) " · " (detail) } {
            (text) @if !detail.is_empty() { ": " (detail) }
        }
        @if let Some(id) = profile {
            " " a href={ "/people/" (encode(id)) } { "profile" }
        }
    }
}

#[cfg(test)]
mod tests {
    use hcs_model::records::{Author, Journal};
    use hcs_tagging::model::{BylinePosition, Role, TaggedOrganisation};

    use super::*;

    #[test]
    fn hostile_titles_names_and_tags_are_escaped() {
        let publication = Publication {
            id: "pmid:1".into(),
            title: "<script>alert(1)</script>".into(),
            journal: Some(Journal {
                title: "J & \"K\"".into(),
                ..Journal::default()
            }),
            authors: vec![Author {
                position: 1,
                given: Some("Ann \"Nan\"".into()),
                family: Some("Smith & <Jones>".into()),
                ..Author::default()
            }],
            ..Publication::default()
        };
        let tag = PersonTag {
            tier: Tier::Roster,
            person_id: Some("p\"1&2".into()),
            discipline: Some("<b>Audiology</b>".into()),
            division: None,
            organisation: Some(TaggedOrganisation {
                key: None,
                name: "Cardiff & Vale \"UHB\"".into(),
                published: None,
            }),
            role: Role::Author {
                position: BylinePosition::First,
                corresponding: false,
            },
            band: Band::Accept,
            score: 90,
            evidence: Vec::new(),
            curated: None,
        };
        let tags = [SlotTag { position: 1, tag }];
        let body = publication_body(&publication, &tags).into_string();
        assert!(!body.contains("<script"), "{body}");
        assert!(!body.contains("<b>"), "{body}");
        assert!(body.starts_with("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
        assert!(body.contains(r#"<p class="meta">J &amp; &quot;K&quot; · year unknown · "#));
        assert!(body.contains(
            r#"<li>Ann &quot;Nan&quot; Smith &amp; &lt;Jones&gt; <span class="tag" title="score 90 · &lt;b&gt;Audiology&lt;/b&gt;, Cardiff &amp; Vale &quot;UHB&quot;">HCS: &lt;b&gt;Audiology&lt;/b&gt;, Cardiff &amp; Vale &quot;UHB&quot;</span> <a href="/people/p%221%262">profile</a></li>"#
        ), "{body}");
        let page = page(&publication.title, publication_body(&publication, &tags));
        assert!(page
            .contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · HCS Research Index</title>"));
    }

    #[test]
    fn hostile_grant_fields_are_escaped() {
        let grant = Grant {
            id: "grant:x".into(),
            funder: "F&F".into(),
            title: "<img src=x onerror=alert(1)>".into(),
            people: vec![GrantPerson {
                full_name: Some("\"Dr\" <Who>".into()),
                role: "PI & co".into(),
                ..GrantPerson::default()
            }],
            ..Grant::default()
        };
        let body = grant_body(&grant, &[], &[]).into_string();
        assert!(!body.contains("<img"), "{body}");
        assert!(body.contains("<h1>&lt;img src=x onerror=alert(1)&gt;</h1>"));
        assert!(body
            .contains("<tr><td>&quot;Dr&quot; &lt;Who&gt;</td><td>PI &amp; co</td><td></td></tr>"));
    }
}
