//! Bearer tokens for the write endpoints (curation, re-tagging).
//!
//! Tokens come from files or environment variables, never the command line,
//! and only their SHA-256 digests are kept. A presented token is hashed and
//! compared in constant time, so neither its content nor its length leaks
//! through timing (tower-http's bearer check compares with `==`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

/// A request admitted with the curators' (or the administrators') token.
///
/// An extractor, so it runs before the body is read: a client without the
/// token learns nothing about what a valid body would be.
#[derive(Debug, Clone, Copy)]
pub struct Curator;

/// A request admitted with the administrators' token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Curator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let settings = state.settings();
        require(
            &parts.headers,
            &[
                settings.curator_token.as_ref(),
                settings.admin_token.as_ref(),
            ],
        )?;
        Ok(Curator)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        require(&parts.headers, &[state.settings().admin_token.as_ref()])?;
        Ok(Admin)
    }
}

/// Shortest token accepted at start-up: 32 bytes, as from a password generator.
pub const MIN_TOKEN_BYTES: usize = 32;

/// The digest of a configured token.
#[derive(Clone)]
pub struct TokenDigest([u8; 32]);

impl std::fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenDigest(<redacted>)")
    }
}

/// Why a configured token was refused.
#[derive(Debug, thiserror::Error)]
#[error("the {role} token is shorter than {MIN_TOKEN_BYTES} bytes")]
pub struct WeakToken {
    role: &'static str,
}

impl TokenDigest {
    /// The digest of `token` (surrounding whitespace ignored), if it is long enough.
    pub fn new(role: &'static str, token: &str) -> Result<Self, WeakToken> {
        let token = token.trim();
        if token.len() < MIN_TOKEN_BYTES {
            return Err(WeakToken { role });
        }
        Ok(TokenDigest(Sha256::digest(token.as_bytes()).into()))
    }

    fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.0).into()
    }
}

/// Admits the request when its `Authorization: Bearer …` token matches one of
/// `accepted`; 401 otherwise (also when no token is configured at all).
pub fn require(headers: &HeaderMap, accepted: &[Option<&TokenDigest>]) -> Result<(), ApiError> {
    let refuse = |why: &str| Err(ApiError::Unauthorized(why.to_owned()));
    if accepted.iter().all(Option::is_none) {
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
    // Every configured digest is checked, so timing says nothing about which matched.
    let matched = accepted
        .iter()
        .flatten()
        .fold(false, |any, digest| digest.matches(token.trim()) | any);
    if matched {
        Ok(())
    } else {
        refuse("the token is not valid")
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
}
