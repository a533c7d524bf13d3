//! `Read` for readers whose real interface is `BufRead`: the buffer-owning
//! readers of ingest (the inflater, the parser's look-ahead) serve reads by
//! copying what `fill_buf` shows.

use std::io::{self, BufRead};

/// Copies what `reader.fill_buf()` shows into `buf` and consumes it.
pub(crate) fn read_from_buffer<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut [u8],
) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let count = available.len().min(buf.len());
    buf[..count].copy_from_slice(&available[..count]);
    reader.consume(count);
    Ok(count)
}
