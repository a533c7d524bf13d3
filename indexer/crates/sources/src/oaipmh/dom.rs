//! A small element tree over quick-xml, for responses that are read whole.
//!
//! OAI-PMH pages and ORCID responses are a few hundred kilobytes at most and
//! their meaning depends on nesting (an ORCID `external-id` inside a group is
//! not the work's own), so a tree read once is simpler and safer than a
//! streaming state machine. Names are kept as local names (prefix dropped):
//! both sources bind their namespaces to fixed prefixes in practice, but the
//! spec lets a server choose any prefix, so the prefix carries no meaning.
//!
//! quick-xml reaches a clean EOF on a document cut short, so [`parse`] itself
//! checks that the root element was closed.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::xml::{attribute, resolve_reference, TextBuffer};

/// Deepest nesting accepted: real responses stay under 20, so a deeper one is hostile or broken.
const MAX_DEPTH: usize = 256;

/// Why a document could not be read as a complete element tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomError {
    /// The document ended before its root element was closed.
    #[error(
        "truncated: the document ends with {open} element(s) still open (innermost <{innermost}>)"
    )]
    Truncated {
        /// Elements still open at the end.
        open: usize,
        /// Name of the innermost open element.
        innermost: String,
    },
    /// No root element at all (an empty or non-XML body).
    #[error("no root element")]
    Empty,
    /// Not well-formed XML, at a byte offset.
    #[error("malformed XML at byte {offset}: {message}")]
    Malformed {
        /// Byte offset of the problem.
        offset: u64,
        /// What quick-xml reported.
        message: String,
    },
}

/// A child of an element: another element, or a piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (entities resolved), whitespace as found.
    Text(String),
}

/// An element with its local name, attributes and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// Attributes as (local name, unescaped value).
    pub attributes: Vec<(String, String)>,
    /// Children in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// Value of attribute `name` (local name), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// Child elements called `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |element| element.name == name)
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|element| element.name == name)
    }

    /// Follows a path of child names from this element.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names
            .iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// All descendant text, whitespace collapsed and trimmed (inline markup keeps its text).
    pub fn text(&self) -> String {
        let mut buffer = TextBuffer::default();
        self.collect_text(&mut buffer);
        buffer.take()
    }

    /// The text of the child at `names`, when present and non-empty.
    pub fn text_at(&self, names: &[&str]) -> Option<String> {
        self.path(names)
            .map(Element::text)
            .filter(|text| !text.is_empty())
    }

    fn collect_text(&self, buffer: &mut TextBuffer) {
        for node in &self.children {
            match node {
                Node::Text(text) => buffer.push_str(text),
                Node::Element(element) => {
                    // Adjacent block elements must not run their words together.
                    buffer.push_str(" ");
                    element.collect_text(buffer);
                    buffer.push_str(" ");
                }
            }
        }
    }
}

/// Parses a whole document into its root element, failing unless the root was closed.
pub fn parse(bytes: &[u8]) -> Result<Element, DomError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|error| DomError::Malformed {
                offset: reader.error_position(),
                message: error.to_string(),
            })?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(content_after_root(&reader));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(DomError::Malformed {
                        offset: reader.buffer_position(),
                        message: format!("elements nested deeper than {MAX_DEPTH}"),
                    });
                }
                stack.push(element_of(&start));
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(content_after_root(&reader));
                }
                close(&mut stack, &mut root, element_of(&start));
            }
            Event::End(_) => match stack.pop() {
                Some(element) => close(&mut stack, &mut root, element),
                None => {
                    return Err(DomError::Malformed {
                        offset: reader.buffer_position(),
                        message: "end tag without a start tag".to_owned(),
                    })
                }
            },
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => push_text(&mut stack, &resolve_reference(&reference)),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
    if let Some(innermost) = stack.last() {
        return Err(DomError::Truncated {
            open: stack.len(),
            innermost: innermost.name.clone(),
        });
    }
    root.ok_or(DomError::Empty)
}

fn content_after_root(reader: &Reader<&[u8]>) -> DomError {
    DomError::Malformed {
        offset: reader.buffer_position(),
        message: "a second root element after the document ended".to_owned(),
    }
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    // Text outside the root is only whitespace in a well-formed document; ignore it.
    let Some(parent) = stack.last_mut() else {
        return;
    };
    if let Some(Node::Text(last)) = parent.children.last_mut() {
        last.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_owned()));
    }
}

fn element_of(start: &BytesStart<'_>) -> Element {
    let name = local(start.name().as_ref());
    let attributes = start
        .attributes()
        .flatten()
        .filter_map(|attr| {
            let value = attribute(start, attr.key.as_ref())?;
            Some((local(attr.key.as_ref()), value))
        })
        .collect();
    Element {
        name,
        attributes,
        children: Vec::new(),
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_text_and_attributes() {
        let root =
            parse(b"<?xml version=\"1.0\"?><a:r x:k=\"v&amp;w\"><b>one <i>two</i></b><c/></a:r>")
                .unwrap();
        assert_eq!(root.name, "r");
        assert_eq!(root.attr("k"), Some("v&w"));
        assert_eq!(root.text_at(&["b"]).as_deref(), Some("one two"));
        assert!(root.child("c").is_some());
        assert_eq!(root.text_at(&["c"]), None);
    }

    #[test]
    fn truncation_and_garbage_are_errors() {
        assert!(matches!(
            parse(b"<r><b>text</b>"),
            Err(DomError::Truncated { open: 1, .. })
        ));
        assert_eq!(parse(b"   "), Err(DomError::Empty));
        assert!(parse(b"<r></s>").is_err());
        assert!(parse(b"<r/><r/>").is_err());
    }
}
