//! `GET /review`: the curators' review queue as a page, with accept/reject
//! forms; `POST /review/login`, `/review/logout` and `/review/decide`.
//!
//! The page is served to a request with a curator's `Authorization: Bearer`
//! header or with the session cookie the login form sets (see
//! [`crate::sessions`]); anything else gets a 401 page with the login form.
//! Every form post carries a form token — the session's, or for a bearer
//! client one derived from the curator's name — so another site cannot post
//! a decision in a curator's name.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hcs_tagging::Verdict;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{encode, page};
use crate::auth::{curator_candidates, curator_for_token, has_authorization, identify};
use crate::dto::review::{RecordedDecision, ReviewItem, ReviewPage};
use crate::error::ApiError;
use crate::extract::describe_invalid;
use crate::service::curation::{record_decision, DecisionRequest};
use crate::service::review::{queue_page, tags_header, QueueParams};
use crate::service::TAGS_HEADER;
use crate::sessions::{self, Session};
use crate::state::AppState;

/// Who is looking at the page, and how they proved it: the curator behind
/// a request, from the bearer header when there is one (it must then be
/// valid; compared in constant time by [`crate::auth`]), else the session
/// cookie. Extracting it refuses the request with the login page.
#[derive(Clone)]
pub struct Viewer {
    /// The curator's name.
    curator: String,
    /// The form token their posts must carry.
    form_token: String,
    /// The session id, when they logged in with the form (for logging out).
    session: Option<String>,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The form token and session id are credentials: never in a log line.
        f.debug_struct("Viewer")
            .field("curator", &self.curator)
            .field("session", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ReviewError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        viewer(state, &parts.headers)
    }
}

/// Why a review request was refused, shown as a page.
#[derive(Debug)]
pub enum ReviewError {
    /// No valid token or session: the login page, with why.
    Unauthenticated(String),
    /// A form post without this session's form token.
    Forbidden,
    /// Anything the API would refuse, with its status.
    Api(ApiError),
    /// Too many wrong tokens lately: sign-in pauses this long.
    TooManyLogins(std::time::Duration),
}

impl From<ApiError> for ReviewError {
    fn from(error: ApiError) -> Self {
        ReviewError::Api(error)
    }
}

/// Headers of every review response: the page names staff and carries a
/// form token, so no cache keeps it and no other site frames it.
fn harden(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

fn html(status: StatusCode, title: &str, body: Markup) -> Response {
    let mut response = (status, Html(page(title, body))).into_response();
    harden(&mut response);
    response
}

/// The login form, with a sentence on why it is shown.
fn login_body(why: &str, enabled: bool) -> Markup {
    html! {
        h1 { "Review queue: sign in" }
        p class="error" id="why" role="alert" { (why) }
        @if enabled {
            p {
                "This page is for the Network's curators. Sign in with your curator token — the one your administrator issued, which the API takes as "
                code { "Authorization: Bearer <token>" }
                ". Your browser then keeps only a random session id, in a cookie scripts cannot read, for up to 8 hours; the token itself is never stored in the browser or put in a link."
            }
            form class="review-login" method="post" action="/review/login" {
                label for="token" { "Curator token" }
                " "
                input type="password" id="token" name="token" autocomplete="current-password" required;
                " "
                button { "Sign in" }
            }
            p class="meta" {
                "Scripts can send the header instead: " code { "GET /review" } " or "
                code { "GET /api/review" } " (JSON) with " code { "Authorization: Bearer <token>" } "."
            }
        } @else {
            p {
                "Review is switched off on this server: no curator token is configured ("
                code { "--curator-token-file" } " or " code { "HCS_CURATOR_TOKEN" } ")."
            }
        }
    }
}

impl IntoResponse for ReviewError {
    fn into_response(self) -> Response {
        match self {
            ReviewError::Unauthenticated(why) => {
                let enabled = !why.starts_with("writes are disabled");
                let mut response = html(
                    StatusCode::UNAUTHORIZED,
                    "Sign in",
                    login_body(&why, enabled),
                );
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            ReviewError::TooManyLogins(wait) => {
                tracing::warn!("review sign-in paused after repeated wrong tokens");
                let seconds = wait.as_secs().max(1);
                let mut response = html(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Sign in",
                    html! {
                        h1 { "Sign in" }
                        p class="error" role="alert" {
                            "Too many wrong tokens were tried; sign-in pauses for " (seconds) " s. Nothing was recorded."
                        }
                    },
                );
                if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            ReviewError::Forbidden => {
                tracing::info!("review form post without its form token refused");
                html(
                    StatusCode::FORBIDDEN,
                    "Refused",
                    html! {
                        h1 { "Refused" }
                        p class="error" role="alert" {
                            "This form did not come from your review page, or your session has changed since it was loaded. Nothing was recorded. "
                            a href="/review" { "Reload the review queue" }
                            " and try again."
                        }
                    },
                )
            }
            ReviewError::Api(error) => {
                let status = error.status();
                let message = match &error {
                    ApiError::Internal(detail) => {
                        tracing::error!(error = %detail, "review page failed");
                        "Something went wrong on our side; it has been logged.".to_owned()
                    }
                    other => other.to_string(),
                };
                html(
                    status,
                    "Error",
                    html! {
                        p class="error" role="alert" { (message) }
                        p { a href="/review" { "Back to the review queue" } }
                    },
                )
            }
        }
    }
}

/// The form token of a bearer client: derived from the curator's name and
/// the server's secret, so it needs no session and no other site can know it.
fn bearer_form_token(state: &AppState, curator: &str) -> Result<String, ReviewError> {
    state
        .sessions()
        .derived_form_token(curator)
        .map_err(|error| ReviewError::Api(ApiError::internal(error)))
}

/// The [`Viewer`] of a request with these headers.
fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, ReviewError> {
    let candidates = curator_candidates(state.settings());
    if has_authorization(headers) || candidates.is_empty() {
        let curator = identify(headers, &candidates).map_err(|error| match error {
            ApiError::Unauthorized(why) => ReviewError::Unauthenticated(why),
            other => ReviewError::Api(other),
        })?;
        let form_token = bearer_form_token(state, &curator)?;
        return Ok(Viewer {
            curator,
            form_token,
            session: None,
        });
    }
    let Some(id) = sessions::session_id(headers) else {
        return Err(ReviewError::Unauthenticated(
            "Sign in to see the review queue.".into(),
        ));
    };
    let Some(Session {
        curator,
        form_token,
    }) = state.sessions().get(&id)
    else {
        return Err(ReviewError::Unauthenticated(
            "Your session has ended (or the server restarted); sign in again.".into(),
        ));
    };
    Ok(Viewer {
        curator,
        form_token,
        session: Some(id),
    })
}

/// True when the body is a form (`application/x-www-form-urlencoded`).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|kind| {
            kind.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// A form body as `T`, or a 415/422 page naming the problem.
fn form<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ReviewError> {
    if !is_form(headers) {
        return Err(ApiError::UnsupportedMediaType(
            "the body must be a form (Content-Type: application/x-www-form-urlencoded)".into(),
        )
        .into());
    }
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        ApiError::InvalidBody(describe_invalid("field", &path, &error.inner().to_string())).into()
    })
}

/// `GET /review?page=&organisation=`: the queue, for a curator.
pub async fn review_page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, ReviewError> {
    let params = QueueParams::parse(query.as_deref().unwrap_or_default())?;
    let asked = params.clone();
    let queue = state
        .run_blocking(move |state| queue_page(state, &asked))
        .await?;
    let body = render(&viewer, &params, &queue);
    let mut response = html(StatusCode::OK, "Review queue", body);
    response
        .headers_mut()
        .insert(TAGS_HEADER, tags_header(&queue.tags));
    Ok(response)
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    token: String,
}

/// `POST /review/login`: a valid curator token starts a session (303 to the
/// queue, with the cookie); anything else is the login page again (401).
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ReviewError> {
    let LoginForm { token } = form(&headers, &body)?;
    state
        .sessions()
        .login_allowed()
        .map_err(ReviewError::TooManyLogins)?;
    let Some(curator) = curator_for_token(state.settings(), &token) else {
        state.sessions().login_failed();
        let why = if curator_candidates(state.settings()).is_empty() {
            "writes are disabled: no token is configured for this endpoint"
        } else {
            "That token is not valid."
        };
        return Err(ReviewError::Unauthenticated(why.into()));
    };
    let (id, _) = state
        .sessions()
        .create(&curator)
        .map_err(|error| ReviewError::Api(ApiError::internal(error)))?;
    tracing::info!(by = %curator, "curator signed in to the review page");
    let mut response = see_other("/review");
    response.headers_mut().insert(
        header::SET_COOKIE,
        sessions::login_cookie(&id, sessions::is_https(&headers)),
    );
    Ok(response)
}

/// The logout form's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogoutForm {
    form_token: String,
}

/// `POST /review/logout`: ends the session (with its form token) and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ReviewError> {
    let LogoutForm { form_token } = form(&headers, &body)?;
    if !tokens_agree(&viewer.form_token, &form_token) {
        return Err(ReviewError::Forbidden);
    }
    if let Some(id) = &viewer.session {
        state.sessions().remove(id);
    }
    let mut response = see_other("/review");
    response.headers_mut().insert(
        header::SET_COOKIE,
        sessions::logout_cookie(sessions::is_https(&headers)),
    );
    Ok(response)
}

fn tokens_agree(expected: &str, presented: &str) -> bool {
    Session {
        curator: String::new(),
        form_token: expected.to_owned(),
    }
    .accepts_form_token(presented)
}

/// A decision posted from the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideForm {
    /// Checked before the form is parsed (see [`decide`]); named here so it is not an unknown field.
    #[serde(default, rename = "form_token")]
    _form_token: String,
    decision: Verdict,
    person_id: String,
    record_id: String,
    position: u32,
    #[serde(default)]
    note: Option<String>,
    /// The queue page to go back to.
    #[serde(default)]
    page: Option<String>,
    /// The queue's organisation filter to go back to.
    #[serde(default)]
    organisation: Option<String>,
}

/// `POST /review/decide`: records the decision as the signed-in curator's
/// and goes back to the queue (303), where it shows beside its slot.
pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ReviewError> {
    // The form token before the fields: a forged post learns nothing from
    // which of its fields would have been refused.
    let presented = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "form_token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !is_form(&headers) || !tokens_agree(&viewer.form_token, &presented) {
        return Err(ReviewError::Forbidden);
    }
    let posted: DecideForm = form(&headers, &body)?;
    let back = {
        let mut query = Vec::new();
        if let Some(page) = posted
            .page
            .as_deref()
            .filter(|p| p.parse::<usize>().is_ok())
        {
            query.push(format!("page={}", encode(page)));
        }
        if let Some(organisation) = posted
            .organisation
            .as_deref()
            .filter(|o| !o.trim().is_empty())
        {
            query.push(format!("organisation={}", encode(organisation)));
        }
        let anchor = slot_anchor(&posted.record_id, posted.position);
        if query.is_empty() {
            format!("/review#{anchor}")
        } else {
            format!("/review?{}#{anchor}", query.join("&"))
        }
    };
    let request = DecisionRequest {
        decision: posted.decision,
        person_id: posted.person_id,
        record_id: posted.record_id,
        position: posted.position,
        note: posted.note.filter(|note| !note.trim().is_empty()),
    };
    record_decision(&state, request, viewer.curator).await?;
    Ok(see_other(&back))
}

/// 303 to `location` (a path of ours).
fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    harden(&mut response);
    response
}

/// The element id of a slot on the page (letters, digits and `-` only).
fn slot_anchor(record_id: &str, position: u32) -> String {
    let safe: String = record_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("slot-{safe}-{position}")
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "Accepted",
        Verdict::Reject => "Rejected",
    }
}

fn render(viewer: &Viewer, params: &QueueParams, queue: &ReviewPage) -> Markup {
    let stale = matches!(queue.tags, hcs_tagging::persist::TagsStatus::Stale { .. });
    let link = |page: usize| {
        let mut href = format!("/review?page={page}");
        if let Some(organisation) = &params.organisation {
            href.push_str(&format!("&organisation={}", encode(organisation)));
        }
        href
    };
    let previous = (queue.page > 1).then(|| link(queue.page - 1));
    let next = (queue.page < queue.pages).then(|| link(queue.page + 1));
    html! {
        h1 { "Review queue" }
        p class="meta" id="viewer" {
            "Signed in as " strong { (viewer.curator) }
            @if viewer.session.is_some() {
                " · "
                form class="inline" method="post" action="/review/logout" {
                    input type="hidden" name="form_token" value=(viewer.form_token);
                    button { "Sign out" }
                }
            } @else {
                " (by bearer token)"
            }
        }
        p class=(if stale { "error" } else { "meta" }) id="tags" role="status" {
            (queue.tags_sentence) " " (queue.takes_effect)
        }
        (organisation_filter(params, queue))
        p class="meta" id="total" {
            (queue.total) " authorships awaiting review"
            @if queue.truncated { " (from the newest 10,000 records)" }
            " · page " (queue.page) " of " (queue.pages.max(1))
        }
        @if queue.items.is_empty() {
            p id="empty" { "Nothing awaits review here." }
        }
        @for (index, item) in queue.items.iter().enumerate() {
            (render_item(viewer, params, item, index))
        }
        @if previous.is_some() || next.is_some() {
            nav class="meta" aria-label="Pages" {
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

/// The organisation filter, with how many slots each has.
fn organisation_filter(params: &QueueParams, queue: &ReviewPage) -> Markup {
    let selected = |name: &str| {
        params
            .organisation
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(name))
    };
    html! {
        form class="review-filter" method="get" action="/review" {
            label for="organisation" { "Organisation" }
            " "
            select id="organisation" name="organisation" {
                option value="" { "All organisations (" (queue.queued) ")" }
                @for organisation in &queue.organisations {
                    option value=(organisation.name) selected[selected(&organisation.name)] {
                        (organisation.name) " (" (organisation.count) ")"
                    }
                }
            }
            " "
            button { "Filter" }
        }
    }
}

fn render_item(viewer: &Viewer, params: &QueueParams, item: &ReviewItem, index: usize) -> Markup {
    let href = match item.kind {
        "grant" => format!("/grants/{}", encode(&item.record_id)),
        _ => format!("/publications/{}", encode(&item.record_id)),
    };
    let year = item
        .year
        .map(|y| y.to_string())
        .unwrap_or_else(|| "year unknown".into());
    html! {
        article class="result review" id=(slot_anchor(&item.record_id, item.position))
            data-record=(item.record_id) data-position=(item.position) {
            h2 { a href=(href) { (item.title) } }
            p class="meta" { (item.record_id) " · " (year) " · position " (item.position) }
            (item_people(item))
            (evidence_table(item))
            @if let Some(decision) = &item.decision {
                (decision_line(item, decision))
            }
            (decide_form(viewer, params, item, index))
        }
    }
}

/// The published author beside the roster person proposed for them, and the score.
fn item_people(item: &ReviewItem) -> Markup {
    let proposed = &item.proposed;
    let band = match item.band {
        hcs_tagging::Band::Accept => "accept",
        hcs_tagging::Band::Review => "review",
        hcs_tagging::Band::Reject => "reject",
    };
    let person = [
        proposed.organisation.as_deref(),
        proposed.discipline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    html! {
        dl {
            dt { "Published author" }
            dd class="author" {
                (item.author.name) br;
                span class="meta" {
                    @if item.author.affiliations.is_empty() { "no affiliation published" }
                    @for (index, affiliation) in item.author.affiliations.iter().enumerate() {
                        @if index > 0 { br; }
                        (affiliation)
                    }
                }
            }
            dt { "Proposed roster person" }
            dd class="proposed" {
                (proposed.name.as_deref().unwrap_or("(name not on the roster)")) " "
                span class="meta" { "(" (proposed.person_id) ")" }
                br;
                span class="meta" { (person) }
            }
            dt { "Score" }
            dd class="score" { (item.score) " · " (band) " band" }
        }
    }
}

fn evidence_table(item: &ReviewItem) -> Markup {
    html! {
        table class="evidence" {
            caption { "Evidence" }
            thead {
                tr {
                    th scope="col" { "Feature" }
                    th scope="col" { "What was compared" }
                    th scope="col" class="n" { "Points" }
                }
            }
            tbody {
                @for evidence in &item.evidence {
                    tr {
                        td { (evidence.feature) }
                        td { (evidence.detail) }
                        td class="n" { (format!("{:+.2}", evidence.points)) }
                    }
                }
            }
        }
    }
}

/// The decision already recorded for the slot, and who made it.
fn decision_line(item: &ReviewItem, decision: &RecordedDecision) -> Markup {
    let who = decision
        .by
        .as_deref()
        .unwrap_or("the command line (indexer curate)");
    html! {
        p class="decided" role="status" {
            (verdict_text(decision.verdict))
            @if decision.person_id != item.proposed.person_id {
                " (for " (decision.person_id) ")"
            }
            " — decided by " strong { (who) } " at "
            time datetime=(decision.at) { (decision.at) } "."
            @if let Some(note) = &decision.note { " Note: “" (note) "”." }
            " Counts update after the next re-tag."
        }
    }
}

/// Accept and reject, with a note, posted back with the queue page to return to.
fn decide_form(viewer: &Viewer, params: &QueueParams, item: &ReviewItem, index: usize) -> Markup {
    let person_id = &item.proposed.person_id;
    let note_id = format!("note-{index}");
    html! {
        form class="decide" method="post" action="/review/decide" {
            input type="hidden" name="form_token" value=(viewer.form_token);
            input type="hidden" name="record_id" value=(item.record_id);
            input type="hidden" name="position" value=(item.position);
            input type="hidden" name="person_id" value=(person_id);
            input type="hidden" name="page" value=(params.page);
            input type="hidden" name="organisation" value=(params.organisation.as_deref().unwrap_or_default());
            label for=(note_id) { "Note (optional)" }
            textarea id=(note_id) name="note" rows="2" maxlength="2048" {}
            div class="buttons" {
                button name="decision" value="accept" aria-label={ "Accept " (person_id) " for " (item.author.name) } { "Accept" }
                " "
                button name="decision" value="reject" aria-label={ "Reject " (person_id) " for " (item.author.name) } { "Reject" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use hcs_tagging::persist::TagsStatus;

    use super::*;
    use crate::dto::review::{EvidencePoint, OrganisationCount, ProposedPerson, PublishedAuthor};

    #[test]
    fn hostile_queue_values_are_escaped_and_the_forms_keep_their_fields() {
        let hostile = "<script>alert(1)</script> \"&\"";
        let item = ReviewItem {
            record_id: "pmid:1".into(),
            kind: "publication",
            title: hostile.into(),
            year: None,
            position: 2,
            author: PublishedAuthor {
                name: "O\"Neil & <b>".into(),
                affiliations: vec!["A & B".into(), "<i>C</i>".into()],
            },
            proposed: ProposedPerson {
                person_id: "p\"1".into(),
                name: None,
                organisation: Some("Org <x>".into()),
                discipline: None,
            },
            score: 70,
            band: hcs_tagging::Band::Review,
            evidence: vec![EvidencePoint {
                feature: "<name>".into(),
                points: 1.5,
                detail: "\"x\" & y".into(),
            }],
            decision: Some(RecordedDecision {
                person_id: "other".into(),
                verdict: Verdict::Reject,
                by: Some("<bob>".into()),
                at: "2026-01-01T00:00:00Z".into(),
                note: Some("no & \"never\"".into()),
            }),
            author_key: String::new(),
        };
        let queue = ReviewPage {
            total: 1,
            page: 1,
            per_page: 25,
            pages: 1,
            queued: 1,
            organisation: None,
            organisations: vec![OrganisationCount {
                name: "Org <x>".into(),
                count: 1,
            }],
            truncated: false,
            tags: TagsStatus::Current { at: "now".into() },
            tags_sentence: "Tagged <now>.".into(),
            takes_effect: "Soon.",
            items: vec![item],
        };
        let viewer = Viewer {
            curator: "<alice>".into(),
            form_token: "t\"k".into(),
            session: Some("s".into()),
        };
        let params = QueueParams {
            organisation: Some("Org <x>".into()),
            ..QueueParams::default()
        };
        let html = render(&viewer, &params, &queue).into_string();
        for markup in ["<script", "<b>", "<i>", "<x>", "<bob>", "<alice>", "<name>"] {
            assert!(!html.contains(markup), "{markup} in {html}");
        }
        assert!(html.contains("Signed in as <strong>&lt;alice&gt;</strong>"));
        assert!(html.contains(r#"<input type="hidden" name="form_token" value="t&quot;k">"#));
        assert!(
            html.contains(r#"<option value="Org &lt;x&gt;" selected>Org &lt;x&gt; (1)</option>"#)
        );
        assert!(html.contains(r#"<article class="result review" id="slot-pmid-1-2" data-record="pmid:1" data-position="2">"#));
        assert!(html.contains("A &amp; B<br>&lt;i&gt;C&lt;/i&gt;"));
        assert!(html.contains(r#"<td class="n">+1.50</td>"#));
        assert!(html.contains(
            "Rejected (for other) — decided by <strong>&lt;bob&gt;</strong> at <time datetime=\"2026-01-01T00:00:00Z\">2026-01-01T00:00:00Z</time>. Note: “no &amp; &quot;never&quot;”. Counts update"
        ));
        assert!(html.contains(
            r#"<input type="hidden" name="organisation" value="Org &lt;x&gt;"><label for="note-0">Note (optional)</label><textarea id="note-0" name="note" rows="2" maxlength="2048"></textarea>"#
        ));
        assert!(html.contains(r#"aria-label="Accept p&quot;1 for O&quot;Neil &amp; &lt;b&gt;""#));
    }
}
