//! Bearer-token digests and the curators' token file: what the service keeps
//! of a token (its SHA-256 digest, compared in constant time) and how a
//! `name:token` file is read. Below the application state, which holds them.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The name the single, unnamed curator token decides under.
pub const UNNAMED_CURATOR: &str = "curator";
/// The name the administrators' token decides under.
pub const ADMIN_NAME: &str = "admin";

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
    pub(crate) fn same_as(&self, other: &TokenDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

/// The name of the candidate whose digest `presented` has. Every digest is
/// compared, in constant time, so timing says nothing about the token.
pub(crate) fn matching<'a>(
    candidates: &[(&'a str, &TokenDigest)],
    presented: &str,
) -> Option<&'a str> {
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
