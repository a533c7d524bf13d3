//! Highlighted HTML from tantivy snippets: matched terms in `<b>`, everything else escaped.

use tantivy::snippet::{collapse_overlapped_ranges, Snippet};

/// Escapes `text` for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    hcs_model::markup::escape_html(text)
}

fn push_escaped(out: &mut String, text: &str) {
    hcs_model::markup::push_escaped_html(out, text);
}

/// Absolute byte ranges of the snippet's highlights in the text it was made from.
fn highlights(text: &str, snippet: &Snippet) -> Vec<std::ops::Range<usize>> {
    let base = snippet.fragment_range().start;
    let ranges: Vec<_> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + base..r.end + base)
        .filter(|r| {
            r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        })
        .collect();
    collapse_overlapped_ranges(&ranges)
}

/// Writes `text[range]` with the highlights that fall inside it in `<b>`.
fn push_highlighted(
    out: &mut String,
    text: &str,
    range: std::ops::Range<usize>,
    marks: &[std::ops::Range<usize>],
) {
    let mut at = range.start;
    for mark in marks {
        if mark.start < at || mark.end > range.end {
            continue;
        }
        push_escaped(out, &text[at..mark.start]);
        out.push_str("<b>");
        push_escaped(out, &text[mark.clone()]);
        out.push_str("</b>");
        at = mark.end;
    }
    push_escaped(out, &text[at..range.end]);
}

/// The whole `text` as HTML with the snippet's matches in `<b>` (for titles).
pub fn whole(text: &str, snippet: &Snippet) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    push_highlighted(&mut out, text, 0..text.len(), &highlights(text, snippet));
    out
}

/// The snippet's passage of `text` as HTML, with `…` where text was cut (for abstracts).
///
/// Without a match in `text`, its opening is shown instead.
pub fn passage(text: &str, snippet: &Snippet, max_chars: usize) -> String {
    let marks = highlights(text, snippet);
    if marks.is_empty() {
        return opening(text, max_chars);
    }
    let range = snippet.fragment_range();
    let mut out = String::with_capacity(range.len() + 32);
    if range.start > 0 {
        out.push('…');
    }
    push_highlighted(&mut out, text, range.clone(), &marks);
    if range.end < text.trim_end().len() {
        out.push('…');
    }
    out
}

/// The first `max_chars` characters of `text` (cut at a word boundary) as HTML.
pub fn opening(text: &str, max_chars: usize) -> String {
    let cut = match text.char_indices().nth(max_chars) {
        None => return escape(text),
        Some((index, _)) => index,
    };
    let end = text[..cut]
        .rfind(char::is_whitespace)
        .filter(|&space| space > 0)
        .unwrap_or(cut);
    let mut out = escape(text[..end].trim_end());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#x27;d&#x27;&gt;"
        );
    }

    #[test]
    fn opening_cuts_at_words() {
        assert_eq!(opening("short", 10), "short");
        assert_eq!(opening("one two three", 9), "one two…");
        assert_eq!(opening("<x> y", 3), "&lt;x&gt;…");
    }
}
