//! Gzip inflation ahead of the reader, on a thread of its own.
//!
//! Inflating a baseline file costs about as much as parsing it. In one thread
//! the two take turns; here the inflater fills the next chunks while the
//! parser reads the current one, so on two cores they overlap. A bounded
//! channel keeps at most [`CHUNKS_AHEAD`] chunks in memory, whatever the
//! file's size.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use flate2::read::MultiGzDecoder;

/// Inflated bytes per chunk handed to the reader.
const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks the inflater may run ahead of the reader.
const CHUNKS_AHEAD: usize = 4;

/// What the inflater sends: bytes, the clean end, or why it stopped.
enum Chunk {
    Bytes(Vec<u8>),
    End,
    Failed(io::Error),
}

/// The inflated bytes of a gzip stream, inflated ahead on another thread.
///
/// The stream's end is only reported after the inflater has said so: if the
/// inflater thread dies without a word, the reader fails instead of taking
/// the silence for the end of the file (a truncated file must never look
/// complete).
pub struct InflateAhead {
    chunks: Receiver<Chunk>,
    current: Vec<u8>,
    position: usize,
    /// Set once the inflater has finished or failed; later reads repeat it.
    finished: Option<Result<(), (io::ErrorKind, String)>>,
}

impl InflateAhead {
    /// Starts inflating `input`, read through a buffer of `buffer_bytes`.
    ///
    /// When no thread can be started, the reader fails on its first read
    /// with that error rather than reading nothing.
    pub fn spawn(input: impl Read + Send + 'static, buffer_bytes: usize) -> Self {
        let (sender, chunks) = sync_channel(CHUNKS_AHEAD);
        let started = std::thread::Builder::new()
            .name("gzip-inflate".into())
            .spawn(move || {
                // MultiGzDecoder: NLM's files are single-member, but concatenated
                // members are valid gzip and must not end the stream early.
                let decoder = MultiGzDecoder::new(BufReader::with_capacity(buffer_bytes, input));
                inflate_into(decoder, &sender);
            });
        Self {
            chunks,
            current: Vec::new(),
            position: 0,
            finished: started.err().map(|error| {
                Err((
                    error.kind(),
                    format!("cannot start the gzip inflater thread: {error}"),
                ))
            }),
        }
    }
}

/// Sends `decoder`'s output in chunks until the end, an error, or the reader leaving.
fn inflate_into(mut decoder: impl Read, sender: &SyncSender<Chunk>) {
    loop {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        // On an error, `read_to_end` keeps what it read before it.
        let outcome = (&mut decoder)
            .take(CHUNK_BYTES as u64)
            .read_to_end(&mut chunk);
        // Bytes inflated before a fault are real: they go first. A failed
        // send means the reader was dropped: nobody wants the rest.
        if !chunk.is_empty() && sender.send(Chunk::Bytes(chunk)).is_err() {
            return;
        }
        match outcome {
            Ok(0) => {
                let _ = sender.send(Chunk::End);
                return;
            }
            Ok(_) => {}
            Err(error) => {
                let _ = sender.send(Chunk::Failed(error));
                return;
            }
        }
    }
}

impl Read for InflateAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::buffered::read_from_buffer(self, buf)
    }
}

impl BufRead for InflateAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.position == self.current.len() {
            match &self.finished {
                Some(Ok(())) => return Ok(&[]),
                Some(Err((kind, message))) => return Err(io::Error::new(*kind, message.clone())),
                None => {}
            }
            match self.chunks.recv() {
                Ok(Chunk::Bytes(bytes)) => {
                    self.current = bytes;
                    self.position = 0;
                }
                Ok(Chunk::End) => self.finished = Some(Ok(())),
                Ok(Chunk::Failed(error)) => {
                    self.finished = Some(Err((error.kind(), error.to_string())));
                }
                Err(_) => {
                    self.finished = Some(Err((
                        io::ErrorKind::UnexpectedEof,
                        "the gzip inflater stopped before the end of the stream".into(),
                    )));
                }
            }
        }
        Ok(&self.current[self.position..])
    }

    fn consume(&mut self, amount: usize) {
        self.position = (self.position + amount).min(self.current.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).expect("in memory");
        encoder.finish().expect("in memory")
    }

    fn text(size: usize) -> Vec<u8> {
        (0..size).map(|i| b"<PubmedArticle>"[i % 15]).collect()
    }

    #[test]
    fn inflates_the_same_bytes_as_in_line_across_chunks_and_members() {
        let first = text(3 * CHUNK_BYTES + 17);
        let second = text(1000);
        let mut input = gzip(&first);
        input.extend(gzip(&second));
        let mut ahead = InflateAhead::spawn(std::io::Cursor::new(input), 4096);
        let mut out = Vec::new();
        ahead.read_to_end(&mut out).expect("complete stream");
        assert_eq!(out.len(), first.len() + second.len());
        assert_eq!(&out[..first.len()], &first[..]);
        assert_eq!(&out[first.len()..], &second[..]);
    }

    #[test]
    fn a_truncated_stream_yields_its_bytes_then_fails_and_keeps_failing() {
        let whole = gzip(&text(2 * CHUNK_BYTES));
        let cut = whole[..whole.len() / 2].to_vec();
        let mut ahead = InflateAhead::spawn(std::io::Cursor::new(cut), 4096);
        let mut out = Vec::new();
        let error = ahead.read_to_end(&mut out).expect_err("truncated");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(!out.is_empty(), "the bytes before the cut are kept");
        assert!(
            ahead.fill_buf().is_err(),
            "a failed stream never turns into an end"
        );
    }

    #[test]
    fn an_empty_stream_is_an_empty_read() {
        let mut ahead = InflateAhead::spawn(std::io::Cursor::new(gzip(b"")), 4096);
        let mut out = Vec::new();
        ahead.read_to_end(&mut out).expect("complete stream");
        assert!(out.is_empty());
    }
}
