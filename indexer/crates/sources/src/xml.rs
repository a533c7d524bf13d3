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
        // Whole words are copied as slices: most text is long runs of
        // non-space characters, and this is the parser's hottest loop.
        let mut rest = raw;
        while !rest.is_empty() {
            let word_start = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            if word_start > 0 {
                self.pending_space = !self.text.is_empty();
                rest = &rest[word_start..];
                if rest.is_empty() {
                    break;
                }
            }
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if self.pending_space {
                self.text.push(' ');
                self.pending_space = false;
            }
            self.text.push_str(&rest[..word_end]);
            rest = &rest[word_end..];
        }
    }

    /// Takes the normalised text, leaving the buffer empty.
    pub fn take(&mut self) -> String {
        self.pending_space = false;
        std::mem::take(&mut self.text)
    }
}

/// Resolves a character or entity reference to its text.
///
/// Numeric references and the five XML entities resolve as XML says; HTML
/// named entities (`&eacute;`, `&nbsp;`) resolve too, because real feeds
/// carry them and rejecting a whole response over one accent loses records.
/// An unknown name is kept literally (`&name;`) so nothing is silently lost.
pub fn resolve_reference<'a>(reference: &'a BytesRef<'_>) -> Cow<'a, str> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Cow::Owned(c.to_string());
    }
    let name: &str = reference;
    if let Some(text) = resolve_xml_entity(name).or_else(|| resolve_html5_entity(name)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("&{name};"))
}

/// Returns the unescaped value of the attribute `name`, if present and readable.
pub fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
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
                .map(|value| value.trim().to_owned())
        })
}

/// Reads a PubMed-style `Y`/`N` flag attribute; absent means `default`.
pub fn yes_no_attribute(element: &BytesStart<'_>, name: &str, default: bool) -> bool {
    match attribute(element, name) {
        Some(value) => value.eq_ignore_ascii_case("Y"),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
