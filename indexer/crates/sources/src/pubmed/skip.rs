//! Skipping the subtrees a record keeps nothing of (reference lists, comments
//! and corrections, chemicals) without parsing their markup.
//!
//! They are over 40% of a baseline file's bytes, and quick-xml would still
//! build and check an event for every tag inside them. Instead the skipper
//! looks only at each `<`: a tag that is not the skipped element's own name
//! (nor a comment, CDATA section or processing instruction, whose contents
//! could hide a `<`) is passed over as raw bytes. Those tags are also the
//! only ones left to quick-xml, so its stack of open elements, and with it
//! the end-name check of everything around the subtree, stays exact. What is
//! lost is quick-xml's checking of the plain tags inside the subtree: a
//! mismatched `</Citation>` or a bad byte there no longer ends the file,
//! which loses nothing the record would keep.

use std::io::{self, BufRead, Read};

use quick_xml::errors::IllFormedError;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Bytes after a `<` enough to tell any skipped element's tags apart (its
/// longest name, `CommentsCorrectionsList`, plus `/` and one delimiter).
const LOOKAHEAD: usize = 32;

/// A buffered reader that can show more bytes ahead than its inner reader's
/// buffer holds, so a tag cut by the end of a buffer can still be read whole
/// before anything is consumed.
#[derive(Debug)]
pub(super) struct Lookahead<R> {
    inner: R,
    /// Bytes already taken out of `inner` but not yet consumed by the reader.
    carry: Vec<u8>,
    carry_position: usize,
}

impl<R: BufRead> Lookahead<R> {
    /// Wraps `inner`.
    pub(super) fn new(inner: R) -> Self {
        Self {
            inner,
            carry: Vec::new(),
            carry_position: 0,
        }
    }

    fn carrying(&self) -> bool {
        self.carry_position < self.carry.len()
    }

    /// Makes the next `fill_buf` show the bytes `need` asks for; false when
    /// the input ends first.
    fn look_ahead(&mut self, need: Need) -> io::Result<bool> {
        if self.carrying() {
            self.carry.drain(..self.carry_position);
            self.carry_position = 0;
            if need.met_by(&self.carry) {
                return Ok(true);
            }
        } else {
            self.carry.clear();
            self.carry_position = 0;
            let available = fill_buf_retrying(&mut self.inner)?;
            if available.is_empty() || need.met_by(available) {
                return Ok(!available.is_empty());
            }
        }
        loop {
            let available = fill_buf_retrying(&mut self.inner)?;
            if available.is_empty() {
                return Ok(false);
            }
            let (take, met) = match need {
                Need::Bytes(wanted) => {
                    let take = available.len().min(wanted - self.carry.len());
                    (take, self.carry.len() + take >= wanted)
                }
                Need::Through(byte) => match available.iter().position(|&b| b == byte) {
                    Some(at) => (at + 1, true),
                    None => (available.len(), false),
                },
            };
            self.carry.extend_from_slice(&available[..take]);
            self.inner.consume(take);
            if met {
                return Ok(true);
            }
        }
    }
}

/// What [`Lookahead::look_ahead`] must show.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// At least this many bytes.
    Bytes(usize),
    /// Everything up to and including this byte.
    Through(u8),
}

impl Need {
    fn met_by(self, shown: &[u8]) -> bool {
        match self {
            Need::Bytes(wanted) => shown.len() >= wanted,
            Need::Through(byte) => shown.contains(&byte),
        }
    }
}

fn fill_buf_retrying<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    // A loop cannot return the borrow of one iteration and retry in the next,
    // so the retry asks again for a result it then re-borrows.
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    reader.fill_buf()
}

impl<R: BufRead> Read for Lookahead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::buffered::read_from_buffer(self, buf)
    }
}

impl<R: BufRead> BufRead for Lookahead<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.carrying() {
            Ok(&self.carry[self.carry_position..])
        } else {
            self.inner.fill_buf()
        }
    }

    fn consume(&mut self, amount: usize) {
        if self.carrying() {
            self.carry_position = (self.carry_position + amount).min(self.carry.len());
        } else {
            self.inner.consume(amount);
        }
    }
}

/// What the bytes after a `<` are, for the skipper.
enum Markup {
    /// A tag of some other element: passed over.
    Plain,
    /// A tag quick-xml must read: the skipped element's, or `<!…>`, `<?…>`.
    Wanted,
    /// Too few bytes to tell.
    Unknown,
}

fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\r' | b'\n' | b'\t')
}

/// Classifies the markup after a `<` (`rest` starts just after it).
fn classify(rest: &[u8], name: &[u8]) -> Markup {
    match rest.first() {
        None => Markup::Unknown,
        Some(b'!' | b'?') => Markup::Wanted,
        // quick-xml trims trailing spaces from end-tag names, and ends a
        // start tag's name at a space, `>` or the `/` of an empty element.
        Some(b'/') => names(&rest[1..], name, b">"),
        Some(_) => names(rest, name, b">/"),
    }
}

fn names(rest: &[u8], name: &[u8], enders: &[u8]) -> Markup {
    // The first byte alone settles almost every tag, without a call to memcmp.
    if rest
        .first()
        .is_some_and(|first| name.first() != Some(first))
    {
        return Markup::Plain;
    }
    let shown = rest.len().min(name.len());
    if rest[..shown] != name[..shown] {
        return Markup::Plain;
    }
    match rest.get(name.len()) {
        None => Markup::Unknown,
        Some(&byte) if is_xml_space(byte) || enders.contains(&byte) => Markup::Wanted,
        Some(_) => Markup::Plain,
    }
}

/// Reads past the element `name` whose start tag quick-xml has just read,
/// through its end tag. `buf` is scratch space for the few events read.
///
/// Fails as quick-xml's `read_to_end_into` would on the tags it still reads,
/// and with `MissingEndTag` when the input ends first.
pub(super) fn skip_subtree<R: BufRead>(
    reader: &mut Reader<Lookahead<R>>,
    name: &str,
    buf: &mut Vec<u8>,
) -> Result<(), quick_xml::Error> {
    // Elements of this name still open, and others quick-xml opened inside
    // (only in odd documents: then events are read one by one until they
    // close, so every tag quick-xml has seen open it also sees closed).
    let mut depth = 1usize;
    let mut foreign = 0usize;
    loop {
        if foreign == 0 {
            pass_plain_markup(reader, name.as_bytes())?;
        }
        buf.clear();
        match reader.read_event_into(buf)? {
            Event::Start(element) if element.name().as_ref() == name => depth += 1,
            Event::Start(_) => foreign += 1,
            Event::End(element) if element.name().as_ref() == name => {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
            Event::End(_) => foreign = foreign.saturating_sub(1),
            Event::Eof => return Err(IllFormedError::MissingEndTag(name.to_owned()).into()),
            _ => {}
        }
    }
}

/// Consumes bytes up to the next `<` quick-xml must read (see [`classify`]),
/// or to the end of the input.
///
/// A plain tag still open at the end of the input is left to quick-xml too,
/// so a file cut inside a tag fails as it always did ("tag not closed").
fn pass_plain_markup<R: BufRead>(reader: &mut Reader<Lookahead<R>>, name: &[u8]) -> io::Result<()> {
    let mut rest_shown = false;
    loop {
        let mut stream = reader.stream();
        let available = fill_buf_retrying(&mut stream)?;
        if available.is_empty() {
            return Ok(());
        }
        let mut from = 0;
        let mut last_plain = None;
        let stop = loop {
            let Some(found) = available[from..].iter().position(|&byte| byte == b'<') else {
                break Stop::BufferEnd;
            };
            let lt = from + found;
            match classify(&available[lt + 1..], name) {
                Markup::Plain => {
                    last_plain = Some(lt);
                    from = lt + 1;
                }
                Markup::Wanted => break Stop::Wanted(lt),
                Markup::Unknown => break Stop::Undecided(lt, Need::Bytes(LOOKAHEAD)),
            }
        };
        let stop = match stop {
            Stop::BufferEnd => match last_plain {
                Some(lt) if !available[lt..].contains(&b'>') => {
                    Stop::Undecided(lt, Need::Through(b'>'))
                }
                _ => Stop::BufferEnd,
            },
            other => other,
        };
        match stop {
            Stop::BufferEnd => {
                let all = available.len();
                stream.consume(all);
            }
            Stop::Wanted(lt) => {
                stream.consume(lt);
                return Ok(());
            }
            // Undecided with the whole rest of the input shown: the tag is
            // cut short, which quick-xml reports.
            Stop::Undecided(lt, _) if rest_shown => {
                stream.consume(lt);
                return Ok(());
            }
            Stop::Undecided(lt, need) => {
                stream.consume(lt);
                rest_shown = !reader.get_mut().look_ahead(need)?;
            }
        }
    }
}

/// Where [`pass_plain_markup`] stops scanning a buffer.
enum Stop {
    /// No `<` that matters before the buffer's end.
    BufferEnd,
    /// At a `<` quick-xml must read.
    Wanted(usize),
    /// At a `<` whose tag runs past the buffer: more must be shown.
    Undecided(usize, Need),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its bytes a few at a time, so tags fall across buffers.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
        shown: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            crate::buffered::read_from_buffer(self, buf)
        }
    }

    impl BufRead for Trickle<'_> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            if self.shown == 0 {
                self.shown = self.step.min(self.bytes.len());
            }
            Ok(&self.bytes[..self.shown])
        }

        fn consume(&mut self, amount: usize) {
            self.bytes = &self.bytes[amount..];
            self.shown -= amount;
        }
    }

    /// Reads `xml` event by event, skipping every `<ReferenceList>` (with the
    /// skipper, or with quick-xml's own `read_to_end_into`); returns the
    /// elements and texts seen, or the error's text.
    fn read_skipping(xml: &str, step: Option<usize>) -> Result<Vec<String>, String> {
        let input = Trickle {
            bytes: xml.as_bytes(),
            step: step.unwrap_or(xml.len()),
            shown: 0,
        };
        let mut reader = Reader::from_reader(Lookahead::new(input));
        reader.config_mut().check_end_names = true;
        let (mut buf, mut skip_buf, mut seen) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            buf.clear();
            match reader
                .read_event_into(&mut buf)
                .map_err(|e| e.to_string())?
            {
                Event::Start(element) if element.name().as_ref() == "ReferenceList" => {
                    seen.push(format!("skip@{}", reader.buffer_position()));
                    match step {
                        Some(_) => skip_subtree(&mut reader, "ReferenceList", &mut skip_buf),
                        None => reader
                            .read_to_end_into(element.name(), &mut skip_buf)
                            .map(drop),
                    }
                    .map_err(|e| e.to_string())?;
                    seen.push(format!("skipped@{}", reader.buffer_position()));
                }
                Event::Start(element) => seen.push(element.name().as_ref().to_owned()),
                Event::End(element) => seen.push(format!("/{}", element.name().as_ref())),
                Event::Text(text) => seen.push(format!("'{}'", &*text)),
                Event::Eof => return Ok(seen),
                _ => {}
            }
        }
    }

    const DOCUMENT: &str = "<a><ReferenceList><Reference><Citation x=\"1\">c</Citation>\
        <!-- </ReferenceList> --><ReferenceList ><ReferenceListX>y</ReferenceListX>\
        </ReferenceList ><ReferenceList/><![CDATA[</ReferenceList>]]><?pi </ReferenceList>?>\
        <ArticleIdList IdType=\"a-rather-long-attribute-value-past-the-lookahead\"/>\
        </Reference>\n</ReferenceList><b>t</b></a>";

    #[test]
    fn skips_nested_and_hidden_names_in_any_buffer_size() {
        let end = DOCUMENT.find("</ReferenceList><b>").unwrap() + "</ReferenceList>".len();
        for step in 1..=DOCUMENT.len() {
            let seen =
                read_skipping(DOCUMENT, Some(step)).unwrap_or_else(|e| panic!("{step}: {e}"));
            assert_eq!(
                seen,
                [
                    "a",
                    "skip@18",
                    &format!("skipped@{end}"),
                    "b",
                    "'t'",
                    "/b",
                    "/a"
                ],
                "buffer of {step} bytes"
            );
        }
    }

    /// Cut anywhere, the document fails (or not) exactly as with quick-xml's own skipping.
    #[test]
    fn a_document_cut_anywhere_ends_as_with_read_to_end() {
        for cut in 0..DOCUMENT.len() {
            let prefix = &DOCUMENT[..cut];
            let expected = read_skipping(prefix, None);
            for step in [1, 2, 5, 16, 33, cut.max(1)] {
                assert_eq!(
                    read_skipping(prefix, Some(step)),
                    expected,
                    "cut at {cut}, buffer of {step} bytes"
                );
            }
        }
    }

    #[test]
    fn tags_around_the_subtree_are_still_checked() {
        let xml = "<a><ReferenceList><x></x></ReferenceList></b>";
        let expected = read_skipping(xml, None);
        assert!(expected.is_err());
        assert_eq!(read_skipping(xml, Some(5)), expected);
    }
}
