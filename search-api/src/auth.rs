//! Bearer tokens for the write endpoints (curation, re-tagging).
//!
//! Tokens come from files or environment variables, never the command line,
//! and only their SHA-256 digests are kept. A presented token is hashed and
//! compared in constant time, so neither its content nor its length leaks
//! through timing (tower-http's bearer check compares with `==`).
//!
//! Curators may each have a named token (a token file of `name:token`
//! lines, see [`parse_curator_tokens`]): the name is what a decision records
//! as `by`, and the only thing about a token ever logged or served.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::ApiError;
use crate::state::{ApiSettings, AppState};
use crate::tokens::matching;
pub use crate::tokens::{
    parse_curator_tokens, CuratorToken, TokenDigest, TokenFileError, WeakToken, ADMIN_NAME,
    MAX_CURATOR_NAME_CHARS, MIN_TOKEN_BYTES, UNNAMED_CURATOR,
};

/// A request admitted with a curator's (or the administrators') token.
///
/// An extractor, so it runs before the body is read: a client without the
/// token learns nothing about what a valid body would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curator {
    /// The name of the token presented (`curator` for the unnamed token, `admin` for the administrators').
    pub name: String,
}

/// A request admitted with the administrators' token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Curator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let name = identify(&parts.headers, &curator_candidates(state.settings()))?;
        Ok(Curator { name })
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        require(&parts.headers, &[state.settings().admin_token.as_ref()])?;
        Ok(Admin)
    }
}

/// Every token that admits curation, with the name its decisions are recorded under.
pub fn curator_candidates(settings: &ApiSettings) -> Vec<(&str, &TokenDigest)> {
    settings
        .curators
        .iter()
        .map(|token| (token.name.as_str(), &token.digest))
        .chain(
            settings
                .curator_token
                .as_ref()
                .map(|digest| (UNNAMED_CURATOR, digest)),
        )
        .chain(
            settings
                .admin_token
                .as_ref()
                .map(|digest| (ADMIN_NAME, digest)),
        )
        .collect()
}

/// The curator whose token `presented` is (as typed into the review page's
/// login form), checking every digest.
pub fn curator_for_token(settings: &ApiSettings, presented: &str) -> Option<String> {
    let presented = presented.trim();
    if presented.is_empty() {
        return None;
    }
    matching(&curator_candidates(settings), presented).map(str::to_owned)
}

/// Admits the request when its `Authorization: Bearer …` token matches one of
/// `accepted`; 401 otherwise (also when no token is configured at all).
pub fn require(headers: &HeaderMap, accepted: &[Option<&TokenDigest>]) -> Result<(), ApiError> {
    let candidates: Vec<(&str, &TokenDigest)> = accepted
        .iter()
        .flatten()
        .map(|digest| ("", *digest))
        .collect();
    identify(headers, &candidates).map(drop)
}

/// True when the request carries an `Authorization` header at all (then it,
/// and not a session cookie, must admit the request).
pub fn has_authorization(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
}

/// The name of the candidate whose token the request's `Authorization:
/// Bearer …` header holds; 401 otherwise (also when no token is configured).
pub fn identify(
    headers: &HeaderMap,
    candidates: &[(&str, &TokenDigest)],
) -> Result<String, ApiError> {
    let refuse = |why: &str| Err(ApiError::Unauthorized(why.to_owned()));
    if candidates.is_empty() {
        return refuse("writes are disabled: no token is configured for this endpoint");
    }
    // Two headers would let one of them be checked and the other acted on by
    // a proxy in between: a request must say who it is once.
    let presented = headers.get_all(header::AUTHORIZATION).iter().count();
    if presented > 1 {
        return Err(ApiError::InvalidParameter(format!(
            "the request has {presented} Authorization headers; send exactly one"
        )));
    }
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return refuse("an Authorization: Bearer token is required");
    };
    let Some((scheme, token)) = value.split_once(' ') else {
        return refuse("the Authorization header must be 'Bearer <token>'");
    };
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return refuse("the Authorization header must be 'Bearer <token>'");
    }
    match matching(candidates, token.trim()) {
        Some(name) => Ok(name.to_owned()),
        None => refuse("the token is not valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_are_checked_by_digest_and_scheme_case_is_ignored() {
        let token = "x".repeat(40);
        let digest = TokenDigest::new("curator", &token).unwrap();
        assert!(TokenDigest::new("curator", "short").is_err());
        assert_eq!(format!("{digest:?}"), "TokenDigest(<redacted>)");
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert!(require(&with(&format!("Bearer {token}")), &[Some(&digest)]).is_ok());
        assert!(require(&with(&format!("bearer {token}")), &[Some(&digest)]).is_ok());
        assert!(require(&with(&format!("Bearer {token}x")), &[Some(&digest)]).is_err());
        assert!(require(&with(&format!("Basic {token}")), &[Some(&digest)]).is_err());
        assert!(require(&with("Bearer "), &[Some(&digest)]).is_err());
        assert!(require(&HeaderMap::new(), &[Some(&digest)]).is_err());
        // The right token first and another after it: refused as a bad request.
        let mut twice = with(&format!("Bearer {token}"));
        twice.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(matches!(
            require(&twice, &[Some(&digest)]),
            Err(ApiError::InvalidParameter(_))
        ));
        assert!(
            require(&with(&format!("Bearer {token}")), &[None]).is_err(),
            "no token configured"
        );
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        headers
    }

    #[test]
    fn a_token_file_names_each_curator() {
        let (alice, bob) = ("a".repeat(40), "b=".repeat(20));
        let text = format!("# the review queue's curators\n\n alice : {alice} \nj.evans-2:{bob}\n");
        let tokens = parse_curator_tokens(&text).unwrap();
        let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["alice", "j.evans-2"]);
        let settings = ApiSettings {
            curators: tokens,
            admin_token: Some(TokenDigest::new("admin", &"z".repeat(32)).unwrap()),
            ..ApiSettings::default()
        };
        let candidates = curator_candidates(&settings);
        assert_eq!(identify(&bearer(&alice), &candidates).unwrap(), "alice");
        assert_eq!(identify(&bearer(&bob), &candidates).unwrap(), "j.evans-2");
        assert_eq!(
            identify(&bearer(&"z".repeat(32)), &candidates).unwrap(),
            "admin"
        );
        assert!(identify(&bearer(&format!("alice:{alice}")), &candidates).is_err());
        assert_eq!(
            curator_for_token(&settings, &format!(" {bob}\n")).as_deref(),
            Some("j.evans-2")
        );
        assert_eq!(curator_for_token(&settings, ""), None);
        assert_eq!(curator_for_token(&settings, "alice"), None);
    }

    #[test]
    fn the_single_token_file_of_old_is_the_curator() {
        // Base64 padding and other punctuation stay part of the token.
        for token in [
            "c".repeat(40),
            format!("{}==", "Q".repeat(42)),
            format!("p@ss:{}", "w".repeat(40)),
        ] {
            let tokens = parse_curator_tokens(&format!("{token}\n")).unwrap();
            assert_eq!(tokens.len(), 1);
            assert_eq!(tokens[0].name, UNNAMED_CURATOR);
            let candidates = [(tokens[0].name.as_str(), &tokens[0].digest)];
            assert_eq!(
                identify(&bearer(&token), &candidates).unwrap(),
                "curator",
                "{token}"
            );
        }
    }

    #[test]
    fn bad_token_files_are_refused_without_quoting_a_token() {
        let good = "g".repeat(40);
        let secret = "s".repeat(40);
        let cases = [
            (String::new(), "no token"),
            ("# only a comment\n".to_owned(), "no token"),
            ("short\n".to_owned(), "line 1"),
            (format!("alice:{good}\nbob:short\n"), "line 2"),
            (
                format!("alice:{good}\n{secret}\n"),
                "line 2 of the curator token file is not 'name:token'",
            ),
            (format!("alice:{good}\n1bob:{secret}\n"), "line 2"),
            (
                format!("alice:{good}\nalice:{secret}\n"),
                "names 'alice' twice",
            ),
            (format!("alice:{good}\nbob:{good}\n"), "lines 1 and 2"),
            (format!("alice:{good}\nadmin:{secret}\n"), "administrators"),
            (
                format!("alice:{good}\n{}:{secret}\n", "n".repeat(33)),
                "line 2",
            ),
        ];
        for (text, want) in cases {
            let error = parse_curator_tokens(&text)
                .map(drop)
                .unwrap_err()
                .to_string();
            assert!(error.contains(want), "{text:?}: {error}");
            assert!(
                !error.contains(&secret) && !error.contains(&good),
                "{error}"
            );
        }
    }
}
