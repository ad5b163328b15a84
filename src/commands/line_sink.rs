//! Where `listen` writes its lines: small lines are copied into a buffer, large
//! payloads are only held (a reference count) and handed to the kernel in place, so
//! that one vectored write per batch sends everything in order without copying a
//! 10 KiB message into a buffer first.

use std::io::{self, IoSlice, Write};

use bytes::Bytes;

/// Payloads at least this large are written in place rather than copied.
pub const LARGE_PAYLOAD: usize = 8 * 1024;
/// The copy buffer is written out once it holds this much.
const BUFFER_LIMIT: usize = 64 * 1024;
/// Held payloads are written out once they add up to this much.
const HELD_LIMIT: usize = 1024 * 1024;
/// At most this many pieces go into one vectored write (Linux takes up to 1024).
const MAX_PIECES: usize = 512;

/// One piece of output, in order: either the next stretch of the copy buffer or a
/// held payload.
#[derive(Debug)]
enum Piece {
    /// The copy buffer from the previous piece's end up to this offset.
    Copied { end: usize },
    /// A large payload, written as it is.
    Held(Bytes),
}

/// A buffered writer for lines whose large payloads skip the buffer. Everything
/// written reaches `inner` in the order it was written, at the latest on
/// [`LineSink::flush`].
#[derive(Debug)]
pub struct LineSink<W: Write> {
    inner: W,
    buffer: Vec<u8>,
    /// Where the copy buffer's last [`Piece::Copied`] ends.
    marked: usize,
    pieces: Vec<Piece>,
    held_bytes: usize,
}

impl<W: Write> LineSink<W> {
    /// A sink writing to `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            buffer: Vec::with_capacity(BUFFER_LIMIT + LARGE_PAYLOAD),
            marked: 0,
            pieces: Vec::new(),
            held_bytes: 0,
        }
    }

    /// Writes `payload` followed by a newline: copied when small, held when large.
    pub fn write_line(&mut self, payload: Bytes) -> io::Result<()> {
        if payload.len() < LARGE_PAYLOAD {
            self.buffer.extend_from_slice(&payload);
            self.buffer.push(b'\n');
        } else {
            self.mark();
            self.held_bytes += payload.len();
            self.pieces.push(Piece::Held(payload));
            self.buffer.push(b'\n');
        }
        self.write_out_if_full()
    }

    /// Writes out everything collected so far and flushes `inner`.
    pub fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.inner.flush()
    }

    /// Ends the current stretch of the copy buffer, if it has grown since.
    fn mark(&mut self) {
        if self.buffer.len() > self.marked {
            self.marked = self.buffer.len();
            self.pieces.push(Piece::Copied { end: self.marked });
        }
    }

    fn write_out_if_full(&mut self) -> io::Result<()> {
        if self.buffer.len() >= BUFFER_LIMIT
            || self.held_bytes >= HELD_LIMIT
            || self.pieces.len() >= MAX_PIECES
        {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands every piece to `inner` in one vectored write (more when it takes only
    /// part), then empties the buffer.
    fn write_out(&mut self) -> io::Result<()> {
        self.mark();
        if self.pieces.is_empty() {
            return Ok(());
        }
        let mut start = 0;
        let mut slices: Vec<IoSlice<'_>> = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Copied { end } => {
                    let slice = IoSlice::new(&self.buffer[start..*end]);
                    start = *end;
                    slice
                }
                Piece::Held(payload) => IoSlice::new(payload),
            })
            .collect();
        let result = write_all_vectored(&mut self.inner, &mut slices);
        drop(slices);
        self.pieces.clear();
        self.buffer.clear();
        self.marked = 0;
        self.held_bytes = 0;
        result
    }
}

impl<W: Write> Write for LineSink<W> {
    /// Copies `bytes` into the buffer (for lines built piece by piece).
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        self.write_out_if_full()?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        LineSink::flush(self)
    }
}

/// `write_all` for a list of slices: retries what a short write left over.
fn write_all_vectored(out: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write whole buffer",
                ));
            }
            Ok(written) => IoSlice::advance_slices(&mut slices, written),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most `step` bytes per call, and records how many calls it saw.
    struct Trickle {
        written: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(bytes)])
        }

        fn write_vectored(&mut self, slices: &[IoSlice<'_>]) -> io::Result<usize> {
            self.calls += 1;
            let mut left = self.step;
            for slice in slices {
                let take = slice.len().min(left);
                self.written.extend_from_slice(&slice[..take]);
                left -= take;
                if left == 0 {
                    break;
                }
            }
            Ok(self.step - left)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn trickle(step: usize) -> Trickle {
        Trickle {
            written: Vec::new(),
            step,
            calls: 0,
        }
    }

    fn payload(byte: u8, len: usize) -> Bytes {
        Bytes::from(vec![byte; len])
    }

    #[test]
    fn small_and_large_lines_come_out_in_order() {
        let lines = [
            payload(b'a', 3),
            payload(b'B', LARGE_PAYLOAD),
            payload(b'B', LARGE_PAYLOAD + 1),
            payload(b'c', 1),
            payload(b'D', 3 * LARGE_PAYLOAD),
        ];
        let mut sink = LineSink::new(trickle(usize::MAX / 2));
        for line in &lines {
            sink.write_line(line.clone()).unwrap();
        }
        writeln!(sink, "{{\"built\":{}}}", 1).unwrap();
        sink.flush().unwrap();
        let mut expected = Vec::new();
        for line in &lines {
            expected.extend_from_slice(line);
            expected.push(b'\n');
        }
        expected.extend_from_slice(b"{\"built\":1}\n");
        assert_eq!(sink.inner.written, expected);
        assert_eq!(sink.inner.calls, 1, "one vectored write for the lot");
    }

    #[test]
    fn short_writes_are_resumed_where_they_stopped() {
        let mut sink = LineSink::new(trickle(7));
        let mut expected = Vec::new();
        for n in 0..40u8 {
            let line = payload(b'0' + n % 10, if n % 3 == 0 { LARGE_PAYLOAD } else { 5 });
            expected.extend_from_slice(&line);
            expected.push(b'\n');
            sink.write_line(line).unwrap();
        }
        sink.flush().unwrap();
        assert_eq!(sink.inner.written, expected);
    }

    #[test]
    fn a_full_buffer_is_written_before_flush() {
        let mut sink = LineSink::new(trickle(usize::MAX / 2));
        let line = payload(b'x', 100);
        let mut lines = 0;
        while sink.inner.calls == 0 {
            sink.write_line(line.clone()).unwrap();
            lines += 1;
        }
        assert_eq!(lines, BUFFER_LIMIT.div_ceil(101));
        assert_eq!(sink.inner.written.len(), lines * 101);
    }

    #[test]
    fn nothing_to_write_makes_no_call() {
        let mut sink = LineSink::new(trickle(10));
        sink.flush().unwrap();
        assert_eq!(sink.inner.calls, 0);
    }

    #[test]
    fn a_writer_that_takes_nothing_is_an_error() {
        let mut sink = LineSink::new(trickle(0));
        sink.write_line(payload(b'x', LARGE_PAYLOAD)).unwrap();
        let error = sink.flush().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::WriteZero);
    }
}
