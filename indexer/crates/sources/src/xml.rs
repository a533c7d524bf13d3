//! Text handling shared by the XML sources: entity resolution, attribute
//! reading and whitespace normalisation of mixed content.

use std::borrow::Cow;

use quick_xml::escape::{resolve_html5_entity, resolve_xml_entity};
use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::XmlVersion;

/// Accumulates the text of an element and its inline descendants, collapsing
/// every run of whitespace to one space and trimming both ends as it goes.
///
/// Inline markup (`<i>`, `<sup>`, MathML) is dropped by the caller simply by
/// not emitting anything for its tags, so `H<sub>2</sub>O` reads "H2O" while
/// `word <i>x</i>` keeps its space.
#[derive(Debug, Default)]
pub struct TextBuffer {
    text: String,
    pending_space: bool,
}

impl TextBuffer {
    /// Empties the buffer for the next element.
    pub fn clear(&mut self) {
        self.text.clear();
        self.pending_space = false;
    }

    /// Appends raw text, normalising whitespace.
    pub fn push_str(&mut self, raw: &str) {
        // Most text is already normal (ASCII words one space apart): it is
        // copied whole after one cheap pass.
        if is_single_spaced(raw.as_bytes()) {
            if self.pending_space {
                self.text.push(' ');
                self.pending_space = false;
            }
            self.text.push_str(raw);
            return;
        }
        // Whole words are copied as slices: most text is long runs of
        // non-space characters, and this is the parser's hottest loop.
        let mut rest = raw;
        while !rest.is_empty() {
            let word_start = find_space(rest, false);
            if word_start > 0 {
                self.pending_space = !self.text.is_empty();
                rest = &rest[word_start..];
                if rest.is_empty() {
                    break;
                }
            }
            let word_end = find_space(rest, true);
            if self.pending_space {
                self.text.push(' ');
                self.pending_space = false;
            }
            self.text.push_str(&rest[..word_end]);
            rest = &rest[word_end..];
        }
    }

    /// The text gathered so far, normalised.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Takes the normalised text, leaving the buffer empty.
    pub fn take(&mut self) -> String {
        self.pending_space = false;
        std::mem::take(&mut self.text)
    }
}

/// True when `bytes` is non-empty ASCII whose only whitespace is single
/// spaces between words: text that normalising leaves as it is.
fn is_single_spaced(bytes: &[u8]) -> bool {
    if bytes.first().is_none_or(|&b| b == b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut previous_space = false;
    for &byte in bytes {
        let space = byte == b' ';
        if (space && previous_space) || !byte.is_ascii() || matches!(byte, b'\t'..=b'\r') {
            return false;
        }
        previous_space = space;
    }
    true
}

/// The index of the first character of `text` that is whitespace (when
/// `space`) or is not, or `text.len()`. Whitespace is `char::is_whitespace`;
/// ASCII is judged byte by byte, which is what makes this fast.
fn find_space(text: &str, space: bool) -> usize {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte.is_ascii() {
            // `char::is_whitespace` on ASCII: tab, LF, VT, FF, CR and space.
            if matches!(byte, b'\t'..=b'\r' | b' ') == space {
                return index;
            }
            index += 1;
        } else {
            let Some(c) = text[index..].chars().next() else {
                break;
            };
            if c.is_whitespace() == space {
                return index;
            }
            index += c.len_utf8();
        }
    }
    bytes.len()
}

/// How many times entity decoding is repeated: once for a JSON string's own
/// escaping, once more for double-escaped markup (Europe PMC's); a third round
/// only if the text still changes (never seen, but cheap).
const MAX_DECODE_ROUNDS: usize = 3;

/// Longest entity name looked for between `&` and `;` (HTML5's longest is 32).
const MAX_ENTITY_LEN: usize = 40;

/// Decodes entity references repeatedly until the text stops changing.
pub fn decode_entities_fully(raw: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(raw);
    for _ in 0..MAX_DECODE_ROUNDS {
        match decode_entities(&text) {
            Cow::Borrowed(_) => break,
            Cow::Owned(decoded) => text = Cow::Owned(decoded),
        }
    }
    text
}

/// Decodes numeric (`&#233;`, `&#xe9;`), XML and HTML5 named references once.
/// Anything that is not a known reference is kept as written.
pub fn decode_entities(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut changed = false;
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let resolved = after
            .char_indices()
            .take(MAX_ENTITY_LEN + 1)
            .find(|&(_, c)| c == ';' || c == '&' || c.is_whitespace())
            .filter(|&(_, c)| c == ';')
            .and_then(|(end, _)| resolve_name(&after[..end]).map(|text| (text, end)));
        match resolved {
            Some((text, end)) => {
                out.push_str(&text);
                rest = &after[end + 1..];
                changed = true;
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    }
}

/// The text of one reference name (between `&` and `;`), if it is one.
fn resolve_name(name: &str) -> Option<Cow<'static, str>> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        // NUL and other C0 controls (but tab/newline) are never text.
        if code < 0x20 && !matches!(code, 0x9 | 0xA | 0xD) {
            return None;
        }
        return char::from_u32(code).map(|c| Cow::Owned(c.to_string()));
    }
    resolve_xml_entity(name)
        .or_else(|| resolve_html5_entity(name))
        .map(Cow::Borrowed)
}

/// Resolves a character or entity reference to its text.
///
/// Numeric references and the five XML entities resolve as XML says; HTML
/// named entities (`&eacute;`, `&nbsp;`) resolve too, because real feeds
/// carry them and rejecting a whole response over one accent loses records.
/// An unknown name is kept literally (`&name;`) so nothing is silently lost.
pub fn resolve_reference<'a>(reference: &'a BytesRef<'_>) -> Cow<'a, str> {
    let name: &str = reference;
    resolve_name(name).unwrap_or_else(|| Cow::Owned(format!("&{name};")))
}

/// Returns the unescaped value of the attribute `name`, if present and readable.
pub fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    attribute_value(element, name).map(Cow::into_owned)
}

/// [`attribute`] without copying: borrowed from the tag unless unescaping changed it.
pub fn attribute_value<'a>(element: &'a BytesStart<'_>, name: &str) -> Option<Cow<'a, str>> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.as_ref() == name)
        .and_then(|attribute| {
            attribute
                // Depth 1: a resolved entity is never itself re-parsed, so no expansion attacks.
                .normalized_value_with(XmlVersion::Implicit1_0, 1, |entity| {
                    resolve_xml_entity(entity).or_else(|| resolve_html5_entity(entity))
                })
                .ok()
                .map(|value| match value {
                    Cow::Borrowed(value) => Cow::Borrowed(value.trim()),
                    Cow::Owned(value) => Cow::Owned(value.trim().to_owned()),
                })
        })
}

/// Reads a PubMed-style `Y`/`N` flag attribute; absent means `default`.
pub fn yes_no_attribute(element: &BytesStart<'_>, name: &str, default: bool) -> bool {
    match attribute_value(element, name) {
        Some(value) => value.eq_ignore_ascii_case("Y"),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one decoder every source's escaped text goes through (GtR and
    /// OAI-PMH used to have their own, with different rules).
    #[test]
    fn entities_decode_once_and_keep_what_is_not_a_reference() {
        assert_eq!(
            decode_entities("caf&eacute; &#233; &#xE9; &amp; &apos;x&apos; &nosuch; &"),
            "café é é & 'x' &nosuch; &"
        );
        // A `;` beyond a space or another `&` does not end a reference.
        assert_eq!(decode_entities("R&D; AT&T &amp b;"), "R&D; AT&T &amp b;");
        // NUL and other C0 controls are never text.
        assert_eq!(decode_entities("a&#0;b&#x1;c&#9;d"), "a&#0;b&#x1;c\td");
        assert!(matches!(decode_entities("no references"), Cow::Borrowed(_)));
        assert_eq!(decode_entities("&amp;eacute;"), "&eacute;");
        assert_eq!(decode_entities_fully("&amp;eacute;"), "é");
    }

    #[test]
    fn whitespace_collapses_across_pushes() {
        let mut buffer = TextBuffer::default();
        buffer.push_str("  H");
        buffer.push_str("2");
        buffer.push_str("O\n\t is ");
        buffer.push_str(" water  ");
        assert_eq!(buffer.take(), "H2O is water");
        buffer.push_str(" \n ");
        assert_eq!(buffer.take(), "");
        // Unicode spaces (no-break, ideographic) and VT/FF collapse too.
        buffer.push_str("\u{a0}a\u{3000}\u{b}b\u{c}é\u{2028}ü\u{1c}x ");
        assert_eq!(buffer.take(), "a b é ü\u{1c}x");
        // Text that is already normal keeps the space pending before it.
        buffer.push_str("one two");
        buffer.push_str(" ");
        buffer.push_str("three");
        buffer.push_str("four");
        assert_eq!(buffer.take(), "one two threefour");
    }

    #[test]
    fn references_resolve_html_and_keep_unknown_names() {
        assert_eq!(resolve_reference(&BytesRef::new("#xe0")), "à");
        assert_eq!(resolve_reference(&BytesRef::new("#233")), "é");
        assert_eq!(resolve_reference(&BytesRef::new("amp")), "&");
        assert_eq!(resolve_reference(&BytesRef::new("eacute")), "é");
        assert_eq!(resolve_reference(&BytesRef::new("nbsp")), "\u{a0}");
        assert_eq!(resolve_reference(&BytesRef::new("nosuch")), "&nosuch;");
    }
}
