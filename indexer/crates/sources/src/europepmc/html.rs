//! Europe PMC's HTML-in-JSON text: titles, abstracts, keywords and
//! affiliations arrive as strings holding HTML markup (`<i>`, `<sup>`,
//! `<h4>Background</h4>` section headings) and entity references.
//!
//! Europe PMC escapes markup inconsistently: `resultType=core` abstracts carry
//! raw tags (`H<sub>2</sub>S`), while `lite` titles carry them escaped once
//! more (`m&lt;sup&gt;6&lt;/sup&gt;A`). So entities are decoded first (up to
//! [`MAX_DECODE_ROUNDS`] times), and only then are tags removed — and only
//! tags from a fixed list of HTML/JATS names, so text such as `age < 40 years`
//! or `c.7271T>G` survives as written.

use crate::xml::{decode_entities_fully, TextBuffer};
use hcs_model::records::{Abstract, AbstractSection};

/// Markup names that format text inline: dropped, their text kept, no space added.
const INLINE_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "big",
    "bold",
    "cite",
    "code",
    "del",
    "em",
    "font",
    "i",
    "inf",
    "ins",
    "italic",
    "mark",
    "monospace",
    "named-content",
    "q",
    "s",
    "sc",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "tt",
    "u",
    "underline",
    "var",
];

/// Markup names that break text into blocks: dropped, replaced by a space.
const BLOCK_TAGS: &[&str] = &[
    "abstract",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "hr",
    "label",
    "li",
    "list",
    "list-item",
    "ol",
    "p",
    "sec",
    "section",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
];

/// Heading names: in an abstract, their text labels the section that follows.
const HEADING_TAGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// What a known tag does to the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagRole {
    Inline,
    Block,
    Heading,
}

/// A piece of marked-up text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Tag { role: TagRole, closing: bool },
}

/// Plain text of a marked-up string: entities decoded, known tags removed,
/// whitespace collapsed.
pub fn to_text(raw: &str) -> String {
    let decoded = decode_entities_fully(raw);
    let mut buffer = TextBuffer::default();
    for piece in tokenize(&decoded) {
        match piece {
            Piece::Text(text) => buffer.push_str(text),
            Piece::Tag {
                role: TagRole::Inline,
                ..
            } => {}
            Piece::Tag { .. } => buffer.push_str(" "),
        }
    }
    buffer.take()
}

/// The abstract in `raw` with its `<hN>` headings turned into section labels.
/// Text before the first heading is an unlabelled section; `None` when no
/// text is left after the markup is removed.
pub fn to_abstract(raw: &str) -> Option<Abstract> {
    let decoded = decode_entities_fully(raw);
    let mut sections = Vec::new();
    let mut label: Option<String> = None;
    let mut heading = TextBuffer::default();
    let mut body = TextBuffer::default();
    let mut in_heading = false;
    for piece in tokenize(&decoded) {
        match piece {
            Piece::Text(text) if in_heading => heading.push_str(text),
            Piece::Text(text) => body.push_str(text),
            Piece::Tag {
                role: TagRole::Heading,
                closing: false,
            } => {
                push_section(&mut sections, label.take(), body.take());
                heading.clear();
                in_heading = true;
            }
            Piece::Tag {
                role: TagRole::Heading,
                closing: true,
            } => {
                if in_heading {
                    let text = heading.take();
                    label = (!text.is_empty()).then_some(text);
                    in_heading = false;
                }
            }
            Piece::Tag {
                role: TagRole::Inline,
                ..
            } => {}
            Piece::Tag {
                role: TagRole::Block,
                ..
            } => {
                if in_heading {
                    heading.push_str(" ");
                } else {
                    body.push_str(" ");
                }
            }
        }
    }
    // An unclosed heading at the end is text, not a label of nothing.
    if in_heading {
        let text = heading.take();
        body.push_str(" ");
        body.push_str(&text);
    }
    push_section(&mut sections, label, body.take());
    (!sections.is_empty()).then_some(Abstract {
        sections,
        copyright: None,
    })
}

/// Adds a section unless it has no text (a heading with nothing under it
/// labels nothing).
fn push_section(sections: &mut Vec<AbstractSection>, label: Option<String>, text: String) {
    if text.is_empty() {
        return;
    }
    sections.push(AbstractSection {
        label,
        category: None,
        text,
    });
}

/// Splits text into text runs and known tags; unknown `<…>` stays text.
fn tokenize(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut search = 0;
    while let Some(offset) = text[search..].find('<') {
        let at = search + offset;
        match parse_tag(&text[at..]) {
            Some((role, closing, length)) => {
                if at > start {
                    pieces.push(Piece::Text(&text[start..at]));
                }
                pieces.push(Piece::Tag { role, closing });
                start = at + length;
                search = start;
            }
            None => search = at + 1,
        }
    }
    if start < text.len() {
        pieces.push(Piece::Text(&text[start..]));
    }
    pieces
}

/// Reads a tag at the start of `text` (which starts with `<`): its role,
/// whether it closes, and its length in bytes. `None` unless it is a
/// well-formed tag with a known name (`mml:*` MathML counts as inline).
fn parse_tag(text: &str) -> Option<(TagRole, bool, usize)> {
    let bytes = text.as_bytes();
    let mut index = 1;
    let closing = bytes.get(index) == Some(&b'/');
    if closing {
        index += 1;
    }
    let name_start = index;
    if !bytes.get(index)?.is_ascii_alphabetic() {
        return None;
    }
    while bytes
        .get(index)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
    {
        index += 1;
    }
    let name = text[name_start..index].to_ascii_lowercase();
    let role = role_of(&name)?;
    // The rest up to '>' must be attributes (`name="value"`), optional '/', nothing else.
    let end = index + text[index..].find('>')?;
    let inside = text[index..end].trim();
    let inside = inside.strip_suffix('/').unwrap_or(inside).trim();
    let attributes_ok = inside.is_empty()
        || (!closing
            && text[index..end].starts_with(char::is_whitespace)
            && inside.contains('=')
            && !inside.contains('<'));
    attributes_ok.then_some((role, closing, end + 1))
}

fn role_of(name: &str) -> Option<TagRole> {
    if HEADING_TAGS.contains(&name) {
        Some(TagRole::Heading)
    } else if BLOCK_TAGS.contains(&name) {
        Some(TagRole::Block)
    } else if INLINE_TAGS.contains(&name) || name.starts_with("mml:") {
        Some(TagRole::Inline)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_goes_and_its_text_stays() {
        assert_eq!(to_text("H<sub>2</sub>S and <i>EZH2</i>"), "H2S and EZH2");
        assert_eq!(
            to_text("<b>Bold</b>, <sup>18</sup>F-FDG <span class=\"x\">PET</span>"),
            "Bold, 18F-FDG PET"
        );
    }

    #[test]
    fn double_escaped_markup_is_removed() {
        // As in real lite titles: the markup itself arrives entity-escaped.
        assert_eq!(
            to_text("METTL5-mediated m&lt;sup&gt;6&lt;/sup&gt;A modification"),
            "METTL5-mediated m6A modification"
        );
        assert_eq!(
            to_text("&lt;i&gt;EZH2&lt;/i&gt;: A Crucial"),
            "EZH2: A Crucial"
        );
    }

    #[test]
    fn comparison_signs_are_not_tags() {
        assert_eq!(
            to_text("young females (age &lt; 40 years) with ≥ 20% risk"),
            "young females (age < 40 years) with ≥ 20% risk"
        );
        assert_eq!(
            to_text("ATM c.7271T&gt;G and p<0.05"),
            "ATM c.7271T>G and p<0.05"
        );
        assert_eq!(to_text("a <b and c> d"), "a <b and c> d");
        assert_eq!(to_text("<Gene> stays"), "<Gene> stays");
    }

    #[test]
    fn entities_decode_numeric_named_and_unknown() {
        assert_eq!(
            to_text("caf&eacute; &#233; &#xE9; &amp; &nosuch; &"),
            "café é é & &nosuch; &"
        );
        assert_eq!(to_text("R&D; AT&T"), "R&D; AT&T");
        assert_eq!(
            to_text("bad &#0; &#x110000; ref"),
            "bad &#0; &#x110000; ref"
        );
    }

    #[test]
    fn headings_label_sections() {
        let abstract_ = to_abstract(
            "<h4>Background</h4>Patients with H<sub>2</sub>S.<h4>Methods</h4> We  searched.\n<h4>Empty</h4>",
        )
        .expect("abstract");
        let labels: Vec<_> = abstract_
            .sections
            .iter()
            .map(|s| (s.label.as_deref(), s.text.as_str()))
            .collect();
        assert_eq!(
            labels,
            vec![
                (Some("Background"), "Patients with H2S."),
                (Some("Methods"), "We searched.")
            ]
        );
    }

    #[test]
    fn unstructured_abstracts_have_one_unlabelled_section() {
        let abstract_ = to_abstract("<p>One.</p><p>Two &amp; three.</p>").expect("abstract");
        assert_eq!(abstract_.sections.len(), 1);
        assert_eq!(abstract_.sections[0].label, None);
        assert_eq!(abstract_.sections[0].text, "One. Two & three.");
        assert_eq!(to_abstract("  <p> </p> "), None);
    }

    #[test]
    fn arbitrary_markup_soup_never_panics() {
        // Fragments that stress the tag and reference scanners at char boundaries.
        let alphabet = [
            "<", ">", "/", "&", ";", "#", "x", "h4", "i", "sup", "=", "\"", " ", "é", "≥", "amp",
            "lt", "gt", "#x1F600", "mml:math", "\u{a0}", "1",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..5000 {
            let length = rng.usize(0..24);
            let soup: String = (0..length)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let text = to_text(&soup);
            assert!(!text.starts_with(' ') && !text.ends_with(' '), "{soup:?}");
            if let Some(abstract_) = to_abstract(&soup) {
                assert!(abstract_.sections.iter().all(|s| !s.text.is_empty()));
            }
        }
    }

    #[test]
    fn text_before_the_first_heading_is_kept() {
        let abstract_ =
            to_abstract("Intro text.<h4>Results</h4>Found.<h4>Unclosed").expect("abstract");
        let sections: Vec<_> = abstract_
            .sections
            .iter()
            .map(|s| (s.label.as_deref(), s.text.as_str()))
            .collect();
        assert_eq!(
            sections,
            vec![
                (None, "Intro text."),
                (Some("Results"), "Found."),
                (None, "Unclosed")
            ]
        );
    }
}
