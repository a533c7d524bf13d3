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
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::{ApiSettings, AppState};

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

/// The name the single, unnamed curator token decides under.
pub const UNNAMED_CURATOR: &str = "curator";
/// The name the administrators' token decides under.
pub const ADMIN_NAME: &str = "admin";

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

    fn matches_digest(&self, presented: &[u8; 32]) -> bool {
        presented.ct_eq(&self.0).into()
    }

    /// True when the two digests are of the same token (for start-up checks only).
    fn same_as(&self, other: &TokenDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

/// The name of the candidate whose digest `presented` has. Every digest is
/// compared, in constant time, so timing says nothing about the token.
fn matching<'a>(candidates: &[(&'a str, &TokenDigest)], presented: &str) -> Option<&'a str> {
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    candidates.iter().fold(None, |found, (name, candidate)| {
        let hit = candidate.matches_digest(&digest);
        found.or(hit.then_some(*name))
    })
}

/// A curator's named token: the name is recorded with each decision; only the digest is kept.
#[derive(Debug, Clone)]
pub struct CuratorToken {
    /// Who holds it (`alice`, `j.evans`): logged, recorded and shown.
    pub name: String,
    /// The token's digest.
    pub digest: TokenDigest,
}

/// Longest curator name: a short handle, not a sentence.
pub const MAX_CURATOR_NAME_CHARS: usize = 32;

/// Why a curator token file was refused. No message quotes a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    /// The file has no token at all.
    #[error("the curator token file holds no token")]
    Empty,
    /// A line of a file of several tokens is not `name:token`.
    #[error(
        "line {line} of the curator token file is not 'name:token' (a name of 1-{MAX_CURATOR_NAME_CHARS} \
         letters, digits, '.', '_' or '-', starting with a letter)"
    )]
    NotNamed {
        /// 1-based line number.
        line: usize,
    },
    /// A token is too short.
    #[error("line {line} of the curator token file: {source}")]
    Weak {
        /// 1-based line number.
        line: usize,
        /// The refusal.
        #[source]
        source: WeakToken,
    },
    /// Two lines give the same name.
    #[error("the curator token file names '{name}' twice (lines {first} and {second})")]
    DuplicateName {
        /// The name.
        name: String,
        /// Its first line.
        first: usize,
        /// Its second line.
        second: usize,
    },
    /// Two names share one token, so a decision could not say who made it.
    #[error("lines {first} and {second} of the curator token file hold the same token")]
    DuplicateToken {
        /// The first line.
        first: usize,
        /// The second line.
        second: usize,
    },
    /// A name is reserved for another token.
    #[error("line {line} of the curator token file uses the name '{ADMIN_NAME}', which is the administrators' token's")]
    Reserved {
        /// 1-based line number.
        line: usize,
    },
}

/// A name as [`parse_curator_tokens`] accepts it.
fn is_curator_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().count() <= MAX_CURATOR_NAME_CHARS
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Reads a curator token file (or the `HCS_CURATOR_TOKEN` value).
///
/// Either one token alone — the old form, decided under the name
/// [`UNNAMED_CURATOR`] — or one `name:token` per line, e.g.
///
/// ```text
/// # curators of the review queue
/// alice:4f9c0e…(at least 32 bytes)
/// j.evans:b71a2d…
/// ```
///
/// Blank lines and lines starting with `#` are skipped; whitespace around
/// names and tokens is ignored. The separator is `:` only: `=` ends base64
/// tokens. Names are 1–32 letters, digits, `.`, `_` or `-`, starting with a
/// letter, each at most once, and two names may not share a token.
pub fn parse_curator_tokens(text: &str) -> Result<Vec<CuratorToken>, TokenFileError> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .collect();
    fn named(line: &str) -> Option<(&str, &str)> {
        line.split_once(':')
            .map(|(name, token)| (name.trim(), token.trim()))
            .filter(|(name, token)| is_curator_name(name) && !token.is_empty())
    }
    let tokens: Vec<(usize, CuratorToken)> = match lines.as_slice() {
        [] => return Err(TokenFileError::Empty),
        // One line that is not `name:token`: the single-token file of old.
        [(line, token)] if named(token).is_none() => vec![(
            *line,
            CuratorToken {
                name: UNNAMED_CURATOR.to_owned(),
                digest: TokenDigest::new("curator", token).map_err(|source| {
                    TokenFileError::Weak {
                        line: *line,
                        source,
                    }
                })?,
            },
        )],
        _ => lines
            .iter()
            .map(|&(line, text)| {
                let (name, token) = named(text).ok_or(TokenFileError::NotNamed { line })?;
                if name.eq_ignore_ascii_case(ADMIN_NAME) {
                    return Err(TokenFileError::Reserved { line });
                }
                let digest = TokenDigest::new("curator", token)
                    .map_err(|source| TokenFileError::Weak { line, source })?;
                Ok((
                    line,
                    CuratorToken {
                        name: name.to_owned(),
                        digest,
                    },
                ))
            })
            .collect::<Result<_, _>>()?,
    };
    for (index, (second, token)) in tokens.iter().enumerate() {
        for (first, earlier) in &tokens[..index] {
            if earlier.name == token.name {
                return Err(TokenFileError::DuplicateName {
                    name: token.name.clone(),
                    first: *first,
                    second: *second,
                });
            }
            if earlier.digest.same_as(&token.digest) {
                return Err(TokenFileError::DuplicateToken {
                    first: *first,
                    second: *second,
                });
            }
        }
    }
    Ok(tokens.into_iter().map(|(_, token)| token).collect())
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
