//! Small text and value helpers for the grant sources: HTML-escaped text,
//! GtR's epoch-millisecond dates and GUIDs at the end of link hrefs.

use time::OffsetDateTime;

/// Inline HTML tags that GtR and NIHR texts carry; only these are removed, so
/// literal angle brackets in a title (a real GtR output is called `a<<<>>>b`)
/// survive.
const KNOWN_TAGS: [&str; 16] = [
    "br", "p", "i", "b", "em", "strong", "sup", "sub", "u", "span", "div", "a", "li", "ul", "ol",
    "strike",
];

/// Turns an HTML-escaped text into plain text: entities decoded once, known
/// inline tags dropped, whitespace runs collapsed. `None` when nothing is left.
pub fn plain_text(raw: &str) -> Option<String> {
    let decoded = crate::xml::decode_entities(raw);
    let stripped = strip_known_tags(&decoded);
    let collapsed = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

fn strip_known_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match known_tag_length(after) {
            Some(length) => {
                // A block-level break separates words; inline tags do not.
                if is_break_tag(&after[..length]) {
                    out.push(' ');
                }
                rest = &after[length + 1..];
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// When `after` (text following a `<`) is a known tag, the index of its `>`.
fn known_tag_length(after: &str) -> Option<usize> {
    let close = after.find('>')?;
    let inner = after[..close].trim_start_matches('/');
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let tail = &inner[name.len()..];
    let tail_ok = tail.is_empty() || tail.starts_with([' ', '/', '\t', '\n']);
    (KNOWN_TAGS.contains(&name.as_str()) && tail_ok && !after[..close].contains('<'))
        .then_some(close)
}

fn is_break_tag(tag: &str) -> bool {
    let name = tag.trim_start_matches('/').to_ascii_lowercase();
    ["br", "p", "div", "li", "ul", "ol"]
        .iter()
        .any(|block| name.starts_with(block))
}

/// Converts a GtR epoch-millisecond timestamp to a `YYYY-MM-DD` date.
///
/// GtR stores calendar dates as midnight UK time, which is 00:00 UTC in winter
/// and 23:00 UTC the day before in summer; rounding to the nearest UTC midnight
/// recovers the UK calendar date in both cases (a plain UTC conversion would
/// put every summer date a day early).
pub fn epoch_ms_to_date(ms: i64) -> Option<String> {
    const DAY_MS: i64 = 86_400_000;
    let days = ms.checked_add(DAY_MS / 2)?.div_euclid(DAY_MS);
    let instant = OffsetDateTime::from_unix_timestamp(days.checked_mul(86_400)?).ok()?;
    let date = instant.date();
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// The GUID at the end of a GtR href, found by scanning back from the end.
///
/// Hrefs are not reliable URLs (some read `…/gtr/apipersons/<id>`, a slash
/// missing), so the id is taken as the trailing run of hex digits and hyphens
/// rather than by parsing the path. Returns `(prefix, guid)`; `None` when the
/// trailing run holds fewer than 32 hex digits.
pub fn trailing_guid(href: &str) -> Option<(&str, &str)> {
    let trimmed = href
        .split(['?', '#'])
        .next()
        .unwrap_or(href)
        .trim()
        .trim_end_matches('/');
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_hexdigit() || *c == '-')
        .last()
        .map(|(index, _)| index)?;
    let guid = trimmed[start..].trim_start_matches('-');
    let hex_digits = guid.chars().filter(char::is_ascii_hexdigit).count();
    (hex_digits >= 32).then(|| (&trimmed[..trimmed.len() - guid.len()], guid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_ms_dates_follow_uk_midnight() {
        // 2014-07-13T23:00:00Z is midnight BST on 14 July.
        assert_eq!(
            epoch_ms_to_date(1_405_292_400_000).as_deref(),
            Some("2014-07-14")
        );
        assert_eq!(
            epoch_ms_to_date(1_562_972_400_000).as_deref(),
            Some("2019-07-13")
        );
        // Winter: midnight GMT is midnight UTC.
        assert_eq!(
            epoch_ms_to_date(1_138_752_000_000).as_deref(),
            Some("2006-02-01")
        );
        assert_eq!(epoch_ms_to_date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(epoch_ms_to_date(i64::MAX), None);
    }

    #[test]
    fn guids_come_off_malformed_hrefs() {
        let (prefix, guid) = trailing_guid(
            "http://gtr.ukri.org/gtr/apipersons/EE89CB16-9458-47CF-AC63-A73E732D8E4C",
        )
        .unwrap();
        assert_eq!(guid, "EE89CB16-9458-47CF-AC63-A73E732D8E4C");
        assert!(prefix.ends_with("apipersons/"));
        let (prefix, guid) = trailing_guid(
            "http://gtr.ukri.org:80/gtr/api/outcomes/publications/a8f77bc1-83d2-4e68-b5e8-f4e3cb5212d7/",
        )
        .unwrap();
        assert_eq!(guid, "a8f77bc1-83d2-4e68-b5e8-f4e3cb5212d7");
        assert!(prefix.ends_with("publications/"));
        assert_eq!(
            trailing_guid("https://gtr.ukri.org/person/5163a82f09fa170427c761694fc10d0b")
                .map(|(_, guid)| guid),
            Some("5163a82f09fa170427c761694fc10d0b")
        );
        assert_eq!(
            trailing_guid("http://gtr.ukri.org/gtr/api/funds/2379"),
            None
        );
        assert_eq!(trailing_guid(""), None);
    }

    #[test]
    fn html_text_is_unescaped_once_and_known_tags_dropped() {
        assert_eq!(
            plain_text("Music &amp; Acoustic Technology").as_deref(),
            Some("Music & Acoustic Technology")
        );
        assert_eq!(
            plain_text("a&lt;&lt;&lt;&gt;&gt;&gt;b").as_deref(),
            Some("a<<<>>>b")
        );
        assert_eq!(
            plain_text("the &#39;musical selfie&#x27;<br/>and <i>more</i>").as_deref(),
            Some("the 'musical selfie' and more")
        );
        assert_eq!(
            plain_text("AT&T & co &unknown; &").as_deref(),
            Some("AT&T & co &unknown; &")
        );
        assert_eq!(plain_text("  <p> </p> "), None);
        assert_eq!(plain_text("x < y > z").as_deref(), Some("x < y > z"));
    }
}
