//! Logins to the review page: a browser cannot send a bearer header from a
//! plain link, so a curator types their token once into a form and gets a
//! cookie holding a random session id — never the token — which the server
//! maps to the curator's name until it expires.
//!
//! The cookie is `HttpOnly` (no script reads it), `SameSite=Strict` (no other
//! site's page or link sends it) and `Secure` when the request came over
//! HTTPS; each session also has its own form token that every form post must
//! echo (the CSRF defence besides `SameSite`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE_NAME: &str = "hcs_review";
/// The paths the cookie is sent to (the review page and its forms; not the API).
pub const COOKIE_PATH: &str = "/review";
/// How long a login lasts: a working day.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// Most sessions kept; past it the one closest to expiry goes.
const MAX_SESSIONS: usize = 1024;
/// Random bytes in a session id or form token.
const RANDOM_BYTES: usize = 32;
/// Failed sign-ins allowed in [`FAILURE_WINDOW`] before the form refuses all
/// for a while: tokens are long and random, this bounds guessing anyway.
pub const MAX_FAILED_LOGINS: usize = 10;
/// The window failed sign-ins are counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// The OS random generator failed: no session can be made safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct RandomError(String);

/// Who a session belongs to, and the token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The curator's name (their token's).
    pub curator: String,
    /// The per-session form token (CSRF defence).
    pub form_token: String,
}

impl Session {
    /// True when `presented` is this session's form token (compared in constant time).
    pub fn accepts_form_token(&self, presented: &str) -> bool {
        let (a, b) = (digest(presented), digest(&self.form_token));
        a.ct_eq(&b).into()
    }
}

struct Entry {
    session: Session,
    expires: Instant,
}

/// Sessions in memory: a restart logs everyone out, which is fine for a
/// handful of curators and means no session store holds names on disk.
#[derive(Default)]
pub struct SessionStore {
    /// Keyed by the id's SHA-256, so a lookup's timing says nothing about ids.
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    /// This process's secret for bearer clients' form tokens, made on first use.
    secret: Mutex<Option<[u8; RANDOM_BYTES]>>,
    /// When recent sign-ins failed, oldest first (server-wide: behind a
    /// proxy every client may share one address).
    failed_logins: Mutex<VecDeque<Instant>>,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore").finish_non_exhaustive()
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// 32 random bytes from the OS, as 64 hex digits.
fn random_hex() -> Result<String, RandomError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|error| RandomError(error.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl SessionStore {
    /// Starts a session for `curator`: its id (for the cookie) and the session.
    pub fn create(&self, curator: &str) -> Result<(String, Session), RandomError> {
        self.create_for(curator, SESSION_LIFETIME)
    }

    fn create_for(
        &self,
        curator: &str,
        lifetime: Duration,
    ) -> Result<(String, Session), RandomError> {
        let id = random_hex()?;
        let session = Session {
            curator: curator.to_owned(),
            form_token: random_hex()?,
        };
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, entry| entry.expires > now);
        if entries.len() >= MAX_SESSIONS {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, entry)| entry.expires)
                .map(|(key, _)| *key)
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            digest(&id),
            Entry {
                session: session.clone(),
                expires: now + lifetime,
            },
        );
        Ok((id, session))
    }

    /// The live session with this id, if any (an expired one is dropped).
    pub fn get(&self, id: &str) -> Option<Session> {
        let key = digest(id);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(&key) {
            Some(entry) if entry.expires > Instant::now() => Some(entry.session.clone()),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// The form token of a bearer client (no session): a digest of this
    /// process's secret and the curator's name, the same on every page view.
    pub fn derived_form_token(&self, curator: &str) -> Result<String, RandomError> {
        let mut secret = self.secret.lock().unwrap_or_else(|e| e.into_inner());
        let key = match *secret {
            Some(key) => key,
            None => {
                let mut key = [0u8; RANDOM_BYTES];
                getrandom::fill(&mut key).map_err(|error| RandomError(error.to_string()))?;
                *secret = Some(key);
                key
            }
        };
        drop(secret);
        let mut hasher = Sha256::new();
        hasher.update(b"hcs-review-form-token\0");
        hasher.update(key);
        hasher.update(curator.as_bytes());
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// `Err(wait)` while too many sign-ins failed lately: how long until one
    /// more may be tried.
    pub fn login_allowed(&self) -> Result<(), Duration> {
        self.login_allowed_at(Instant::now())
    }

    fn login_allowed_at(&self, now: Instant) -> Result<(), Duration> {
        let mut failed = self.failed_logins.lock().unwrap_or_else(|e| e.into_inner());
        while failed
            .front()
            .is_some_and(|&at| now.duration_since(at) >= FAILURE_WINDOW)
        {
            failed.pop_front();
        }
        match failed.front() {
            Some(&oldest) if failed.len() >= MAX_FAILED_LOGINS => {
                Err(FAILURE_WINDOW.saturating_sub(now.duration_since(oldest)))
            }
            _ => Ok(()),
        }
    }

    /// Counts a sign-in with a wrong token.
    pub fn login_failed(&self) {
        self.login_failed_at(Instant::now());
    }

    fn login_failed_at(&self, now: Instant) {
        let mut failed = self.failed_logins.lock().unwrap_or_else(|e| e.into_inner());
        failed.push_back(now);
        while failed.len() > MAX_FAILED_LOGINS {
            failed.pop_front();
        }
    }

    /// Ends the session with this id (logging out).
    pub fn remove(&self, id: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&digest(id));
    }
}

/// The session id the request's `Cookie` headers carry, if any.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// True when the request reached the proxy in front over HTTPS (the service
/// itself speaks plain HTTP), so the cookie can be marked `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| {
            first.split(';').any(|pair| {
                pair.trim().split_once('=').is_some_and(|(key, value)| {
                    key.trim().eq_ignore_ascii_case("proto")
                        && value.trim().trim_matches('"').eq_ignore_ascii_case("https")
                })
            })
        });
    forwarded_proto || forwarded
}

fn cookie(value: &str, max_age: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{COOKIE_NAME}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    );
    // Hex ids and fixed attributes: always a valid header value.
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("hcs_review=; Max-Age=0"))
}

/// The `Set-Cookie` value that logs the browser in with session `id`.
pub fn login_cookie(id: &str, secure: bool) -> HeaderValue {
    cookie(id, SESSION_LIFETIME.as_secs(), secure)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn logout_cookie(secure: bool) -> HeaderValue {
    cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_map_random_ids_to_curators_and_expire() {
        let store = SessionStore::default();
        let (id, session) = store.create("alice").unwrap();
        assert_eq!(id.len(), 64);
        assert_ne!(id, session.form_token);
        assert_eq!(store.get(&id).unwrap().curator, "alice");
        assert!(store.get("not-a-session").is_none());
        assert!(session.accepts_form_token(&session.form_token));
        assert!(!session.accepts_form_token(""));
        assert!(!session.accepts_form_token(&id));
        let (other, _) = store.create("bob").unwrap();
        assert_ne!(id, other);
        store.remove(&id);
        assert!(store.get(&id).is_none());
        assert_eq!(store.get(&other).unwrap().curator, "bob");
        let (brief, _) = store.create_for("carol", Duration::ZERO).unwrap();
        assert!(store.get(&brief).is_none(), "expired");
        let derived = store.derived_form_token("alice").unwrap();
        assert_eq!(derived, store.derived_form_token("alice").unwrap());
        assert_ne!(derived, store.derived_form_token("bob").unwrap());
        assert_ne!(
            derived,
            SessionStore::default().derived_form_token("alice").unwrap(),
            "another process, another secret"
        );
    }

    #[test]
    fn failed_logins_past_the_limit_refuse_until_the_window_passes() {
        let store = SessionStore::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILED_LOGINS - 1 {
            store.login_failed_at(start);
        }
        assert!(store.login_allowed_at(start).is_ok());
        store.login_failed_at(start);
        let wait = store
            .login_allowed_at(start + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(store.login_allowed_at(start + FAILURE_WINDOW).is_ok());
    }

    #[test]
    fn cookies_are_strict_http_only_and_secure_over_https() {
        let set = login_cookie("abc", false);
        let text = set.to_str().unwrap();
        assert!(
            text.starts_with("hcs_review=abc; Path=/review; Max-Age=28800"),
            "{text}"
        );
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(!text.contains("Secure"));
        assert!(login_cookie("abc", true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(logout_cookie(false).to_str().unwrap().contains("Max-Age=0"));

        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; hcs_review=xyz"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("xyz"));
        assert!(session_id(&HeaderMap::new()).is_none());
        assert!(!is_https(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(is_https(&headers));
        let mut forwarded = HeaderMap::new();
        forwarded.insert(
            header::FORWARDED,
            HeaderValue::from_static("for=1.2.3.4;proto=https"),
        );
        assert!(is_https(&forwarded));
    }
}
