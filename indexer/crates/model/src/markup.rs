//! Text into HTML and URLs: the one HTML escaper and the one query-value
//! encoder, shared by the service's pages and the annual report.

use std::fmt::Write;

/// `text` as HTML text or attribute content (`& < > " '` escaped).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped_html(&mut out, text);
    out
}

/// Appends `text` to `out`, HTML-escaped (see [`escape_html`]).
pub fn push_escaped_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
}

/// A query-string value, percent-encoded (unreserved characters kept, space as `+`).
pub fn encode_query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => {
                let _ = write!(out, "%{other:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_queries_are_escaped() {
        assert_eq!(
            escape_html("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;"
        );
        assert_eq!(encode_query_value("a b&c/é"), "a+b%26c%2F%C3%A9");
    }
}
