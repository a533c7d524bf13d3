//! `GET /` and `GET /grants`: publication and grant search with facets, the
//! filters in force (each removable), the results and paging.

use axum::extract::State;
use axum::response::Html;
use hcs_model::records::Record;
use maud::{html, Markup};

use super::layout::{encode, page};
use super::{year_printed, PageQuery, PageResult};
use crate::error::ApiError;
use crate::query::{Facet, FacetValue, Facets, Hit, RecordKind, SearchOutcome, MAX_RESULT_WINDOW};
use crate::routes::search::parse_params;
use crate::state::AppState;

/// `GET /`: publication search with facets.
pub async fn search_page(
    State(state): State<AppState>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    search_page_for(state, RecordKind::Publication, pairs).await
}

/// `GET /grants`: grant search with facets.
pub async fn grants_page(
    State(state): State<AppState>,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    search_page_for(state, RecordKind::Grant, pairs).await
}

async fn search_page_for(
    state: AppState,
    kind: RecordKind,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let params = parse_params(kind, pairs.clone())
        .map_err(ApiError::from)?
        .params;
    let request = params.clone();
    let outcome = state
        .run_blocking(move |state| {
            Ok(state
                .engine()
                .search(&state.searcher(), state.store(), &request)?)
        })
        .await?;
    let view = SearchView {
        kind,
        pairs: &pairs,
        page: params.page,
        per_page: params.per_page,
        outcome: &outcome,
    };
    Ok(Html(page(view.title(), render(&view))))
}

/// What a search page shows: the query string as asked and the engine's answer.
struct SearchView<'a> {
    kind: RecordKind,
    /// The query string's pairs, in the order given.
    pairs: &'a [(String, String)],
    page: usize,
    per_page: usize,
    outcome: &'a SearchOutcome,
}

impl SearchView<'_> {
    fn title(&self) -> &'static str {
        match self.kind {
            RecordKind::Publication => "Search publications",
            RecordKind::Grant => "Search grants",
        }
    }

    /// The page's own path, which its links and form go back to.
    fn path(&self) -> &'static str {
        match self.kind {
            RecordKind::Publication => "/",
            RecordKind::Grant => "/grants",
        }
    }

    fn api(&self) -> &'static str {
        match self.kind {
            RecordKind::Publication => "/api/publications",
            RecordKind::Grant => "/api/grants",
        }
    }

    /// The pairs every link keeps: all but the page and the format, which each link sets itself.
    fn base(&self) -> Vec<(&str, &str)> {
        self.pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "format")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The base query with `extra` added.
    fn query_with(&self, extra: Option<(&str, &str)>) -> String {
        query_string(self.base().into_iter().chain(extra))
    }

    /// This page again, with `extra` added to its query.
    fn link(&self, extra: Option<(&str, &str)>) -> String {
        format!("{}?{}", self.path(), self.query_with(extra))
    }
}

/// `pairs` as a query string, each name and value encoded.
fn query_string<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn render(view: &SearchView) -> Markup {
    html! {
        (search_form(view))
        (active_filters(view))
        div class="layout" {
            aside { (facets(view)) }
            section { (results(view)) (pager(view)) }
        }
    }
}

fn search_form(view: &SearchView) -> Markup {
    let q = view
        .pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    // A drill-down's `tier=roster` is the same filter as the box's `hcs=roster`.
    let roster_only = view
        .pairs
        .iter()
        .any(|(k, v)| (k == "hcs" || k == "tier") && v.split(',').any(|v| v.trim() == "roster"));
    // Filters the form does not show ride along, so a new query keeps them.
    let hidden = view.pairs.iter().filter(|(k, v)| {
        !matches!(k.as_str(), "q" | "page" | "format")
            && !((k == "hcs" || k == "tier") && v == "roster")
    });
    let noun = match view.kind {
        RecordKind::Publication => "publications",
        RecordKind::Grant => "grants",
    };
    html! {
        form class="search" action=(view.path()) method="get" role="search" {
            label class="visually-hidden" for="q" { "Search " (noun) }
            input type="text" id="q" name="q" value=(q)
                placeholder="e.g. audiology, \"medical physics\", author:evans";
            " "
            button { "Search" }
            " "
            label {
                input type="checkbox" name="hcs" value="roster" checked[roster_only];
                " healthcare scientists only"
            }
            @for (name, value) in hidden {
                input type="hidden" name=(name) value=(value);
            }
        }
    }
}

/// The filters in force, each a link to this page without it.
fn active_filters(view: &SearchView) -> Markup {
    let base = view.base();
    let removable: Vec<(usize, &str, &str)> = base
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !matches!(*k, "q" | "sort" | "per_page" | "lenient"))
        .map(|(index, (k, v))| (index, *k, *v))
        .collect();
    if removable.is_empty() {
        return html! {};
    }
    let without = |index: usize| {
        let kept = base
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != index)
            .map(|(_, pair)| *pair);
        format!("{}?{}", view.path(), query_string(kept))
    };
    html! {
        p class="filters" id="filters" {
            "Filters: "
            @for (index, name, value) in removable {
                a href=(without(index)) aria-label={ "Remove filter " (name) ": " (value) } {
                    (name) ": " (value) " ✕"
                }
            }
        }
    }
}

/// The facets a search page lists, with their headings and parameter names.
fn facet_list(kind: RecordKind, facets: &Facets) -> [(&'static str, &'static str, &Facet); 8] {
    let types = match kind {
        RecordKind::Publication => "Type",
        RecordKind::Grant => "Programme",
    };
    [
        ("Healthcare scientists", "hcs", &facets.hcs),
        ("Role", "role", &facets.role),
        ("Division", "division", &facets.division),
        ("Discipline", "discipline", &facets.discipline),
        ("Organisation", "organisation", &facets.organisation),
        ("Funder", "funder", &facets.funder),
        ("Year", "year", &facets.year),
        (types, "type", &facets.publication_type),
    ]
}

fn facets(view: &SearchView) -> Markup {
    html! {
        @for (title, key, facet) in facet_list(view.kind, &view.outcome.facets) {
            @if !facet.buckets.is_empty() {
                h3 { (title) }
                ul {
                    @for bucket in facet.buckets.iter().take(15) {
                        @let value = match &bucket.value {
                            FacetValue::Number(n) => n.to_string(),
                            FacetValue::Text(t) => t.clone(),
                        };
                        li { a href=(view.link(Some((key, &value)))) { (value) } " (" (bucket.count) ")" }
                    }
                }
            }
        }
    }
}

fn results(view: &SearchView) -> Markup {
    let csv = format!(
        "{}?{}",
        view.api(),
        view.query_with(Some(("format", "csv")))
    );
    html! {
        p class="meta" {
            span id="total" { (view.outcome.total) " records" }
            " · "
            a id="csv" href=(csv) { "Download CSV" }
        }
        @for hit in &view.outcome.hits {
            (result(hit))
        }
    }
}

fn result(hit: &Hit) -> Markup {
    let record = &hit.record;
    let (section, detail) = match record {
        Record::Publication(p) => (
            "publications",
            format!(
                "{} · {}",
                year_printed(p),
                p.authors
                    .iter()
                    .take(8)
                    .map(|a| a.display_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Record::Grant(g) => (
            "grants",
            [
                Some(g.funder.clone()),
                g.start.clone(),
                g.amount
                    .map(|a| format!("{} {a:.0}", g.currency.as_deref().unwrap_or("GBP"))),
                g.lead_organisation.as_ref().map(|o| o.name.clone()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        ),
    };
    html! {
        div class="result" {
            h2 { a href={ "/" (section) "/" (encode(record.id())) } { (highlighted(&hit.title_html)) } }
            div class="meta" { (detail) }
        }
    }
}

/// Paging within the window the API allows.
fn pager(view: &SearchView) -> Markup {
    let total = view.outcome.total;
    let previous = (view.page > 1).then(|| view.link(Some(("page", &(view.page - 1).to_string()))));
    let shown = view.page * view.per_page;
    let next = (shown < total && shown + view.per_page <= MAX_RESULT_WINDOW)
        .then(|| view.link(Some(("page", &(view.page + 1).to_string()))));
    html! {
        @if previous.is_some() || next.is_some() {
            p class="meta" {
                "page " (view.page) " · "
                @if let Some(href) = &previous {
                    a id="previous" href=(href) { "← previous" }
                }
                @if previous.is_some() && next.is_some() { " · " }
                @if let Some(href) = &next {
                    a id="next" href=(href) { "next →" }
                }
            }
        }
    }
}

/// The engine's highlighted title (escaped text, matches in `<b>`) as a
/// template: its text is unescaped and escaped again by maud, and only the
/// marks become elements, so no string from the index reaches the page as
/// markup.
fn highlighted(title_html: &str) -> Markup {
    let mut pieces = title_html.split("<b>");
    let before = pieces.next().unwrap_or_default();
    html! {
        (unescape(before))
        @for piece in pieces {
            @let (marked, after) = piece.split_once("</b>").unwrap_or((piece, ""));
            b { (unescape(marked)) }
            (unescape(after))
        }
    }
}

/// Undoes `hcs_model::markup::escape_html`; `&amp;` last, so an escaped
/// entity (`&amp;lt;`) comes back as its text (`&lt;`), not as `<`.
fn unescape(escaped: &str) -> String {
    escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use hcs_model::records::{Author, Publication};

    use super::*;
    use crate::query::{highlight::escape, Sort};

    fn outcome(title: &str, title_html: String) -> SearchOutcome {
        let publication = Publication {
            id: "pmid:1".into(),
            title: title.into(),
            authors: vec![Author {
                position: 1,
                given: Some("Ann \"Nan\"".into()),
                family: Some("Smith & <Jones>".into()),
                ..Author::default()
            }],
            ..Publication::default()
        };
        SearchOutcome {
            total: 1,
            hits: vec![Hit {
                record: Record::Publication(Box::new(publication)),
                tags: Vec::new(),
                score: None,
                title_html,
                abstract_html: None,
                output_count: None,
            }],
            facets: Facets::default(),
            sort: Sort::Relevance,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn hostile_titles_names_and_queries_are_escaped() {
        let title = "<script>alert(1)</script> & 'x'";
        let outcome = outcome(title, escape(title));
        let pairs = vec![
            ("q".to_owned(), "\"><script>q</script>".to_owned()),
            ("organisation".to_owned(), "A&B \"<i>\"".to_owned()),
        ];
        let view = SearchView {
            kind: RecordKind::Publication,
            pairs: &pairs,
            page: 1,
            per_page: 20,
            outcome: &outcome,
        };
        let html = render(&view).into_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert!(html.contains(
            r#"<a href="/publications/pmid%3A1">&lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x'</a>"#
        ));
        assert!(
            html.contains("Ann &quot;Nan&quot; Smith &amp; &lt;Jones&gt;"),
            "{html}"
        );
        assert!(html.contains(r#"value="&quot;&gt;&lt;script&gt;q&lt;/script&gt;""#));
        assert!(html.contains(
            r#"<input type="hidden" name="organisation" value="A&amp;B &quot;&lt;i&gt;&quot;">"#
        ));
        assert!(html
            .contains(r#"aria-label="Remove filter organisation: A&amp;B &quot;&lt;i&gt;&quot;""#));
    }

    #[test]
    fn highlights_stay_marks_and_their_text_stays_text() {
        let html = highlighted("a &lt;b&gt; <b>gastro&amp;scopy</b> &amp;lt; z").into_string();
        assert_eq!(html, "a &lt;b&gt; <b>gastro&amp;scopy</b> &amp;lt; z");
        assert_eq!(highlighted("").into_string(), "");
    }
}
