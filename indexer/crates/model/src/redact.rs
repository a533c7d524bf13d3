//! E-mail addresses out of text that is indexed or served.
//!
//! Authorship is public; a harvested address book is not. Addresses turn up
//! in affiliations, in abstracts ("correspondence to …") and in publishers'
//! permission lines, so every text that is indexed for search or leaves the
//! service goes through [`redact_addresses`]: an address becomes
//! [`REDACTED`] and the sentence around it stays.
//!
//! The detector errs towards redacting: anything shaped `local@domain.part`
//! counts, whatever the alphabet, so it catches at least what a checker's
//! `[\w.%+-]+@[\w.-]+\.\w+` would.

use std::borrow::Cow;

/// What an address is replaced with.
pub const REDACTED: &str = "[email removed]";

/// `text` with every e-mail-shaped word replaced by [`REDACTED`]; borrowed when there is none.
pub fn redact_addresses(text: &str) -> Cow<'_, str> {
    if !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut changed = false;
    for (at, _) in text.match_indices('@') {
        if at < copied {
            continue;
        }
        if let Some((start, end)) = address_around(text, at) {
            if start < copied {
                continue;
            }
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Keys that hold contact data: removed from served JSON whatever their content.
pub const CONTACT_KEYS: [&str; 2] = ["email", "emails"];

/// Removes every [`CONTACT_KEYS`] entry and redacts every string, at any depth.
pub fn redact_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Cow::Owned(clean) = redact_addresses(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Object(map) => {
            for key in CONTACT_KEYS {
                map.remove(key);
            }
            map.values_mut().for_each(redact_json);
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `T` as stored in `json`, with contact data gone ([`redact_json`]); decoded
/// directly when the text has no `@` at all, the usual case.
pub fn decode_redacted<T: serde::de::DeserializeOwned>(json: &str) -> serde_json::Result<T> {
    if !json.contains('@') {
        return serde_json::from_str(json);
    }
    let mut value: serde_json::Value = serde_json::from_str(json)?;
    redact_json(&mut value);
    serde_json::from_value(value)
}

/// Whether `text` holds anything [`redact_addresses`] would replace.
pub fn contains_address(text: &str) -> bool {
    text.match_indices('@')
        .any(|(at, _)| address_around(text, at).is_some())
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '.' | '_'
                | '%'
                | '+'
                | '-'
                | '\''
                | '!'
                | '#'
                | '$'
                | '&'
                | '*'
                | '='
                | '?'
                | '^'
                | '`'
                | '{'
                | '|'
                | '}'
                | '~'
        )
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// The byte range of the address whose `@` is at `at`, if the text around it is one.
fn address_around(text: &str, at: usize) -> Option<(usize, usize)> {
    let before = &text[..at];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_local_char(c))
        .last()
        .map(|(i, _)| i)?;
    let after = &text[at + 1..];
    let domain_len = after
        .char_indices()
        .take_while(|&(_, c)| is_domain_char(c))
        .last()
        .map(|(i, c)| i + c.len_utf8())?;
    let domain = &after[..domain_len];
    // A trailing full stop ends the sentence, not the domain.
    let trimmed = domain.trim_end_matches(['.', '-', '_']);
    let (host, top) = trimmed.rsplit_once('.')?;
    let local = &text[start..at];
    if local.trim_matches(['.', '\'']).is_empty()
        || host.trim_matches(['.', '-', '_']).is_empty()
        || !top.chars().any(char::is_alphanumeric)
    {
        return None;
    }
    Some((start, at + 1 + trimmed.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_the_marker_and_the_sentence_stays() {
        assert_eq!(
            redact_addresses("Correspondence: jane.doe@wales.nhs.uk."),
            "Correspondence: [email removed]."
        );
        assert_eq!(
            redact_addresses("(e-mail: a.b@cardiff.ac.uk; c-d@x.org)"),
            "(e-mail: [email removed]; [email removed])"
        );
        assert_eq!(
            redact_addresses("please email: journals.permissions@oup.com"),
            "please email: [email removed]"
        );
        assert_eq!(
            redact_addresses("Électronique: jöns@exämple.se!"),
            "Électronique: [email removed]!"
        );
        assert_eq!(redact_addresses("x<jane@ex.org>"), "x<[email removed]>");
    }

    #[test]
    fn at_signs_that_are_not_addresses_stay() {
        for text in [
            "no address here",
            "measured @ 10 mg",
            "@handle on social media",
            "user@localhost",
            "a@.b",
            "trailing@",
        ] {
            assert_eq!(redact_addresses(text), text, "{text}");
            assert!(matches!(redact_addresses(text), Cow::Borrowed(_)));
            assert!(!contains_address(text));
        }
        assert!(contains_address("mail jane@example.org"));
    }
}
