//! `GET /review`: the curators' review queue as a page, with accept/reject
//! forms; `POST /review/login`, `/review/logout` and `/review/decide`.
//!
//! The page is served to a request with a curator's `Authorization: Bearer`
//! header or with the session cookie the login form sets (see
//! [`crate::sessions`]); anything else gets a 401 page with the login form.
//! Every form post carries a form token — the session's, or for a bearer
//! client one derived from the curator's name — so another site cannot post
//! a decision in a curator's name.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hcs_tagging::Verdict;
use serde::Deserialize;

use super::layout::{encode, escape, page};
use crate::auth::{curator_candidates, curator_for_token, has_authorization, identify};
use crate::dto::review::{ReviewItem, ReviewPage};
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

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let mut response = (status, Html(page(title, body))).into_response();
    harden(&mut response);
    response
}

/// The login form, with a sentence on why it is shown.
fn login_body(why: &str, enabled: bool) -> String {
    let mut body = String::from(r#"<h1>Review queue: sign in</h1>"#);
    let _ = write!(
        body,
        r#"<p class="error" id="why" role="alert">{}</p>"#,
        escape(why)
    );
    if !enabled {
        body.push_str(
            "<p>Review is switched off on this server: no curator token is configured \
             (<code>--curator-token-file</code> or <code>HCS_CURATOR_TOKEN</code>).</p>",
        );
        return body;
    }
    body.push_str(
        r#"<p>This page is for the Network's curators. Sign in with your curator token — the one your administrator issued, which the API takes as <code>Authorization: Bearer &lt;token&gt;</code>. Your browser then keeps only a random session id, in a cookie scripts cannot read, for up to 8 hours; the token itself is never stored in the browser or put in a link.</p>
<form class="review-login" method="post" action="/review/login"><label for="token">Curator token</label> <input type="password" id="token" name="token" autocomplete="current-password" required> <button>Sign in</button></form>
<p class="meta">Scripts can send the header instead: <code>GET /review</code> or <code>GET /api/review</code> (JSON) with <code>Authorization: Bearer &lt;token&gt;</code>.</p>"#,
    );
    body
}

impl IntoResponse for ReviewError {
    fn into_response(self) -> Response {
        match self {
            ReviewError::Unauthenticated(why) => {
                let enabled = !why.starts_with("writes are disabled");
                let mut response = html(
                    StatusCode::UNAUTHORIZED,
                    "Sign in",
                    &login_body(&why, enabled),
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
                    &format!(
                        r#"<h1>Sign in</h1><p class="error" role="alert">Too many wrong tokens were tried; sign-in pauses for {seconds} s. Nothing was recorded.</p>"#
                    ),
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
                    r#"<h1>Refused</h1><p class="error" role="alert">This form did not come from your review page, or your session has changed since it was loaded. Nothing was recorded. <a href="/review">Reload the review queue</a> and try again.</p>"#,
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
                    &format!(
                        r#"<p class="error" role="alert">{}</p><p><a href="/review">Back to the review queue</a></p>"#,
                        escape(&message)
                    ),
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
    let mut response = html(StatusCode::OK, "Review queue", &body);
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

fn render(viewer: &Viewer, params: &QueueParams, queue: &ReviewPage) -> String {
    let mut body = String::from("<h1>Review queue</h1>");
    let how = if viewer.session.is_some() {
        format!(
            r#" · <form class="inline" method="post" action="/review/logout"><input type="hidden" name="form_token" value="{}"><button>Sign out</button></form>"#,
            escape(&viewer.form_token)
        )
    } else {
        " (by bearer token)".to_owned()
    };
    let _ = write!(
        body,
        r#"<p class="meta" id="viewer">Signed in as <strong>{}</strong>{how}</p>"#,
        escape(&viewer.curator)
    );
    let stale = matches!(queue.tags, hcs_tagging::persist::TagsStatus::Stale { .. });
    let _ = write!(
        body,
        r#"<p class="{}" id="tags" role="status">{} {}</p>"#,
        if stale { "error" } else { "meta" },
        escape(&queue.tags_sentence),
        escape(queue.takes_effect)
    );
    // The organisation filter, with how many slots each has.
    let mut options = format!(
        r#"<option value="">All organisations ({})</option>"#,
        queue.queued
    );
    for organisation in &queue.organisations {
        let selected = params
            .organisation
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(&organisation.name));
        let _ = write!(
            options,
            r#"<option value="{0}"{1}>{0} ({2})</option>"#,
            escape(&organisation.name),
            if selected { " selected" } else { "" },
            organisation.count
        );
    }
    let _ = write!(
        body,
        r#"<form class="review-filter" method="get" action="/review"><label for="organisation">Organisation</label> <select id="organisation" name="organisation">{options}</select> <button>Filter</button></form>"#
    );
    let _ = write!(
        body,
        r#"<p class="meta" id="total">{} authorships awaiting review{} · page {} of {}</p>"#,
        queue.total,
        if queue.truncated {
            " (from the newest 10,000 records)"
        } else {
            ""
        },
        queue.page,
        queue.pages.max(1)
    );
    if queue.items.is_empty() {
        body.push_str(r#"<p id="empty">Nothing awaits review here.</p>"#);
    }
    for (index, item) in queue.items.iter().enumerate() {
        body.push_str(&render_item(viewer, params, item, index));
    }
    let link = |page: usize| {
        let mut href = format!("/review?page={page}");
        if let Some(organisation) = &params.organisation {
            let _ = write!(href, "&organisation={}", encode(organisation));
        }
        escape(&href)
    };
    let mut pager = Vec::new();
    if queue.page > 1 {
        pager.push(format!(
            r#"<a id="previous" href="{}">← previous</a>"#,
            link(queue.page - 1)
        ));
    }
    if queue.page < queue.pages {
        pager.push(format!(
            r#"<a id="next" href="{}">next →</a>"#,
            link(queue.page + 1)
        ));
    }
    if !pager.is_empty() {
        let _ = write!(
            body,
            r#"<nav class="meta" aria-label="Pages">{}</nav>"#,
            pager.join(" · ")
        );
    }
    body
}

fn render_item(viewer: &Viewer, params: &QueueParams, item: &ReviewItem, index: usize) -> String {
    let anchor = slot_anchor(&item.record_id, item.position);
    let href = match item.kind {
        "grant" => format!("/grants/{}", encode(&item.record_id)),
        _ => format!("/publications/{}", encode(&item.record_id)),
    };
    let mut html = format!(
        r#"<article class="result review" id="{anchor}" data-record="{}" data-position="{}"><h2><a href="{}">{}</a></h2><p class="meta">{} · {} · position {}</p>"#,
        escape(&item.record_id),
        item.position,
        escape(&href),
        escape(&item.title),
        escape(&item.record_id),
        item.year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "year unknown".into()),
        item.position
    );
    let affiliations = if item.author.affiliations.is_empty() {
        "no affiliation published".to_owned()
    } else {
        item.author
            .affiliations
            .iter()
            .map(|a| escape(a))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let proposed = &item.proposed;
    let person = [
        proposed.organisation.as_deref(),
        proposed.discipline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(escape)
    .collect::<Vec<_>>()
    .join(" · ");
    let _ = write!(
        html,
        r#"<dl><dt>Published author</dt><dd class="author">{}<br><span class="meta">{affiliations}</span></dd><dt>Proposed roster person</dt><dd class="proposed">{} <span class="meta">({})</span><br><span class="meta">{person}</span></dd><dt>Score</dt><dd class="score">{} · {} band</dd></dl>"#,
        escape(&item.author.name),
        escape(
            proposed
                .name
                .as_deref()
                .unwrap_or("(name not on the roster)")
        ),
        escape(&proposed.person_id),
        item.score,
        match item.band {
            hcs_tagging::Band::Accept => "accept",
            hcs_tagging::Band::Review => "review",
            hcs_tagging::Band::Reject => "reject",
        }
    );
    html.push_str(r#"<table class="evidence"><caption>Evidence</caption><thead><tr><th scope="col">Feature</th><th scope="col">What was compared</th><th scope="col" class="n">Points</th></tr></thead><tbody>"#);
    for evidence in &item.evidence {
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{:+.2}</td></tr>"#,
            escape(&evidence.feature),
            escape(&evidence.detail),
            evidence.points
        );
    }
    html.push_str("</tbody></table>");
    if let Some(decision) = &item.decision {
        let who = decision
            .by
            .as_deref()
            .unwrap_or("the command line (indexer curate)");
        let whom = if decision.person_id == proposed.person_id {
            String::new()
        } else {
            format!(" (for {})", escape(&decision.person_id))
        };
        let note = decision
            .note
            .as_deref()
            .map(|n| format!(r#" Note: “{}”."#, escape(n)))
            .unwrap_or_default();
        let _ = write!(
            html,
            r#"<p class="decided" role="status">{}{whom} — decided by <strong>{}</strong> at <time datetime="{2}">{2}</time>.{note} Counts update after the next re-tag.</p>"#,
            verdict_text(decision.verdict),
            escape(who),
            escape(&decision.at)
        );
    }
    let note_id = format!("note-{index}");
    let _ = write!(
        html,
        r#"<form class="decide" method="post" action="/review/decide"><input type="hidden" name="form_token" value="{}"><input type="hidden" name="record_id" value="{}"><input type="hidden" name="position" value="{}"><input type="hidden" name="person_id" value="{}"><input type="hidden" name="page" value="{}"><input type="hidden" name="organisation" value="{}"><label for="{note_id}">Note (optional)</label><textarea id="{note_id}" name="note" rows="2" maxlength="2048"></textarea><div class="buttons"><button name="decision" value="accept" aria-label="Accept {} for {}">Accept</button> <button name="decision" value="reject" aria-label="Reject {} for {}">Reject</button></div></form></article>"#,
        escape(&viewer.form_token),
        escape(&item.record_id),
        item.position,
        escape(&proposed.person_id),
        params.page,
        escape(params.organisation.as_deref().unwrap_or_default()),
        escape(&proposed.person_id),
        escape(&item.author.name),
        escape(&proposed.person_id),
        escape(&item.author.name),
    );
    html
}
