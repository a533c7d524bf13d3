//! Text into HTML and URLs: the one HTML escaper and the one query-value
//! encoder, shared by the service's pages and the annual report.

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

/// What a query-string value keeps unencoded: RFC 3986's unreserved characters.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A query-string value, percent-encoded (unreserved characters kept, space as `+`).
pub fn encode_query_value(text: &str) -> String {
    // A literal `%` is encoded as `%25`, so every `%20` left is a space.
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE)
        .to_string()
        .replace("%20", "+")
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
        assert_eq!(
            encode_query_value("100% a~b_c.d-e+f"),
            "100%25+a~b_c.d-e%2Bf"
        );
    }
}
