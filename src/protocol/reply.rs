//! The control-connection reply decoder (RFC 959 section 4.2).
//!
//! Pure: it is handed bytes and says "here is a reply", "need more bytes" or
//! "this is not FTP". It never reads a socket and never buffers without bound:
//! a line, a reply's size and its line count are all capped.
//!
//! Liberal where no harm can follow: a NUL, a bare CR or another control byte
//! in a reply's *text* is kept (lftp, curl and wget all accept it). The text is
//! shown only through [`super::text::escape_bytes`] ([`Reply::text_lossy`],
//! [`Reply::message`]), and what becomes a path (the 257 reply) refuses
//! control bytes where it is parsed.

use bytes::{Buf, BytesMut};

use super::text::escape_bytes;

/// Limits that keep a hostile server from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// Longest line accepted, without its line ending (curl and FileZilla: 64 KiB).
    pub max_line: usize,
    /// Most bytes one reply may hold, over all its lines.
    pub max_reply_bytes: usize,
    /// Most lines one reply may hold.
    pub max_lines: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self {
            max_line: 64 * 1024,
            max_reply_bytes: 1024 * 1024,
            max_lines: 10_000,
        }
    }
}

/// Why a reply could not be decoded; each one ends the connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A line longer than [`ReplyLimits::max_line`].
    #[error("server reply line is longer than {max} bytes")]
    LineTooLong {
        /// The limit in force.
        max: usize,
    },
    /// A reply larger than [`ReplyLimits::max_reply_bytes`].
    #[error("server reply is larger than {max} bytes")]
    ReplyTooLarge {
        /// The limit in force.
        max: usize,
    },
    /// A reply with more lines than [`ReplyLimits::max_lines`].
    #[error("server reply has more than {max} lines")]
    TooManyLines {
        /// The limit in force.
        max: usize,
    },
    /// The first line does not start with a three-digit code.
    #[error("malformed server reply: {line:?}")]
    Malformed {
        /// The offending line, shortened, lossily decoded.
        line: String,
    },
}

/// One complete reply: a code and its text lines.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code, 100 to 699.
    pub code: u16,
    /// Every line as the server sent it (code included), without line endings.
    pub lines: Vec<Vec<u8>>,
}

impl Reply {
    /// The first digit: 1 preliminary, 2 completion, 3 intermediate, 4 transient, 5 permanent.
    pub fn class(&self) -> u8 {
        (self.code / 100) as u8
    }

    /// A 1xx reply: more replies follow for the same command.
    pub fn is_preliminary(&self) -> bool {
        self.class() == 1
    }

    /// A 2xx reply.
    pub fn is_success(&self) -> bool {
        self.class() == 2
    }

    /// A 3xx reply: the server waits for a follow-up command.
    pub fn is_intermediate(&self) -> bool {
        self.class() == 3
    }

    /// The text of the first line after the code and its separator.
    pub fn first_text(&self) -> &[u8] {
        self.lines
            .first()
            .map(|l| l.get(4..).unwrap_or(&[]))
            .unwrap_or(&[])
    }

    /// The whole reply as one string for messages and logs, lines joined by
    /// `\n`, control bytes and invalid UTF-8 escaped.
    pub fn text_lossy(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&escape_bytes(line));
        }
        out
    }

    /// The message of a single-line reply (or the first line), for errors,
    /// control bytes and invalid UTF-8 escaped.
    pub fn message(&self) -> String {
        escape_bytes(self.first_text().trim_ascii()).into_owned()
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reply({:?})", self.text_lossy())
    }
}

/// An incremental decoder: feed it the connection's buffer, take replies out.
///
/// It consumes complete lines from the buffer as it goes, so a reply that
/// arrives a byte at a time costs linear work and at most one reply of memory.
#[derive(Debug, Default)]
pub struct ReplyDecoder {
    limits: ReplyLimits,
    pending: Option<Pending>,
    /// Bytes at the start of the buffer already searched (no LF):
    /// a line trickling in a byte at a time is scanned once, not once per call.
    scanned: usize,
}

#[derive(Debug)]
struct Pending {
    code: u16,
    lines: Vec<Vec<u8>>,
    bytes: usize,
}

impl ReplyDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: ReplyLimits) -> Self {
        Self {
            limits,
            pending: None,
            scanned: 0,
        }
    }

    /// Forgets a partly decoded reply, as when the stream under it changes (TLS starts).
    pub fn reset(&mut self) {
        self.pending = None;
        self.scanned = 0;
    }

    /// Decodes the next reply from `buf`.
    ///
    /// `Ok(None)` means "need more bytes"; complete lines are consumed from
    /// `buf` either way, and bytes after a complete reply stay for the next call.
    /// Between calls the caller only appends to `buf` (or calls [`Self::reset`]).
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Reply>, ReplyError> {
        loop {
            let from = self.scanned.min(buf.len());
            let Some(newline) = buf[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| from + p)
            else {
                // One byte of slack for the CR of a line exactly max_line long
                // whose LF has not arrived yet: chunking must not change the verdict.
                if buf.len() > self.limits.max_line + 1 {
                    return Err(ReplyError::LineTooLong {
                        max: self.limits.max_line,
                    });
                }
                self.scanned = buf.len();
                return Ok(None);
            };
            self.scanned = 0;
            let mut line = buf.split_to(newline + 1);
            line.truncate(newline);
            // The same bound as for a line still arriving (max_line and one
            // CR), so how the bytes were split into reads cannot change the
            // verdict (fuzzing finding 6: `CR CR LF` at the cap).
            if line.len() > self.limits.max_line + 1 {
                return Err(ReplyError::LineTooLong {
                    max: self.limits.max_line,
                });
            }
            // Some servers end lines with CR CR LF; every trailing CR goes.
            while line.last() == Some(&b'\r') {
                line.truncate(line.len() - 1);
            }
            if line.len() > self.limits.max_line {
                return Err(ReplyError::LineTooLong {
                    max: self.limits.max_line,
                });
            }
            let line = line.to_vec();
            if let Some(reply) = self.take_line(line)? {
                return Ok(Some(reply));
            }
            if buf.is_empty() {
                return Ok(None);
            }
        }
    }

    fn take_line(&mut self, line: Vec<u8>) -> Result<Option<Reply>, ReplyError> {
        match self.pending.as_mut() {
            None => {
                let Some(code) = line_code(&line) else {
                    // Some servers send an empty line between replies; it carries nothing.
                    if line.is_empty() {
                        return Ok(None);
                    }
                    return Err(malformed(&line));
                };
                match line.get(3) {
                    Some(b'-') => {
                        self.pending = Some(Pending {
                            code,
                            bytes: line.len(),
                            lines: vec![line],
                        });
                        Ok(None)
                    }
                    // "NNN" alone, or "NNN text": a one-line reply.
                    None | Some(b' ') => Ok(Some(Reply {
                        code,
                        lines: vec![line],
                    })),
                    Some(_) => Err(malformed(&line)),
                }
            }
            Some(pending) => {
                pending.bytes += line.len();
                if pending.bytes > self.limits.max_reply_bytes {
                    return Err(ReplyError::ReplyTooLarge {
                        max: self.limits.max_reply_bytes,
                    });
                }
                if pending.lines.len() >= self.limits.max_lines {
                    return Err(ReplyError::TooManyLines {
                        max: self.limits.max_lines,
                    });
                }
                // Only "NNN " (or a bare "NNN") with the opening code ends the reply;
                // inner lines may start with digits or another code.
                let ends = line_code(&line) == Some(pending.code)
                    && matches!(line.get(3), None | Some(b' '));
                pending.lines.push(line);
                if ends {
                    let Pending { code, lines, .. } =
                        self.pending.take().ok_or_else(|| ReplyError::Malformed {
                            line: String::new(),
                        })?;
                    return Ok(Some(Reply { code, lines }));
                }
                Ok(None)
            }
        }
    }
}

/// The reply code at the start of a line, if it has a valid one (100–699).
fn line_code(line: &[u8]) -> Option<u16> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'6').contains(&digits[0]) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0')),
    )
}

fn malformed(line: &[u8]) -> ReplyError {
    let shown = &line[..line.len().min(80)];
    ReplyError::Malformed {
        line: String::from_utf8_lossy(shown).into_owned(),
    }
}

/// Drops everything buffered: used when TLS starts, so plaintext a server (or
/// an attacker) sent ahead of the handshake is never read as a reply.
pub fn discard(buf: &mut BytesMut) {
    buf.advance(buf.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_trickling_in_one_at_a_time_decode_as_a_whole_reply_does() {
        let clean = b"230-Welcome\r\n 230 inside\r\n230 Done\r\n220 next\r\n".to_vec();
        let mut decoder = ReplyDecoder::default();
        let mut buf = BytesMut::new();
        let mut replies = Vec::new();
        for &byte in &clean {
            buf.extend_from_slice(&[byte]);
            while let Some(reply) = decoder.decode(&mut buf).expect("valid") {
                replies.push(reply);
            }
        }
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0].code, 230);
        assert_eq!(replies[1].code, 220);
    }

    #[test]
    fn control_bytes_in_reply_text_are_kept_and_shown_escaped() {
        let replies =
            decode_all(b"230 Welcome\0 \x1b[31mhome\rx\r\n220-a\0\r\n220 b\r\n").expect("accepted");
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0].code, 230);
        assert_eq!(replies[0].lines[0], b"230 Welcome\0 \x1b[31mhome\rx");
        assert_eq!(replies[0].message(), "Welcome\\x00 \\x1b[31mhome\\x0dx");
        assert_eq!(replies[1].text_lossy(), "220-a\\x00\n220 b");
        // A NUL in the code is no code.
        assert!(matches!(
            decode_all(b"2\x000 ok\r\n"),
            Err(ReplyError::Malformed { .. })
        ));
    }

    fn decode_all(input: &[u8]) -> Result<Vec<Reply>, ReplyError> {
        let mut decoder = ReplyDecoder::default();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(reply) = decoder.decode(&mut buf)? {
            out.push(reply);
        }
        Ok(out)
    }

    fn codes_and_lines(input: &[u8]) -> Vec<(u16, usize)> {
        decode_all(input)
            .expect("valid input")
            .iter()
            .map(|r| (r.code, r.lines.len()))
            .collect()
    }

    #[test]
    fn decodes_replies_table() {
        type Case<'a> = (&'a [u8], &'a [(u16, usize)]);
        let cases: &[Case] = &[
            (b"220 hi\r\n", &[(220, 1)]),
            (b"220\r\n", &[(220, 1)]),
            (b"220 bare lf\n", &[(220, 1)]),
            (b"230-a\r\n230 b\r\n", &[(230, 2)]),
            // Inner lines may begin with digits or another code, or even "NNN-".
            (
                b"211-Features:\r\n MLSD\r\n123 not the end\r\n211-still not\r\n211 End\r\n",
                &[(211, 5)],
            ),
            (b"220-x\r\n220x not the end\r\n220 end\r\n", &[(220, 3)]),
            // Several replies in one packet.
            (b"150 go\r\n226 done\r\n", &[(150, 1), (226, 1)]),
            (b"\r\n200 ok\r\n", &[(200, 1)]),
        ];
        for (input, expected) in cases {
            assert_eq!(
                codes_and_lines(input),
                expected.to_vec(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn partial_input_needs_more_bytes_at_every_split() {
        let input = b"230-Welcome\r\n230-230 inner\r\n230 Logged in\r\n200 next\r\n";
        for split in 0..input.len() {
            let mut decoder = ReplyDecoder::default();
            let mut buf = BytesMut::from(&input[..split]);
            let mut got = Vec::new();
            while let Some(r) = decoder.decode(&mut buf).expect("valid") {
                got.push(r);
            }
            buf.extend_from_slice(&input[split..]);
            while let Some(r) = decoder.decode(&mut buf).expect("valid") {
                got.push(r);
            }
            let codes: Vec<u16> = got.iter().map(|r| r.code).collect();
            assert_eq!(codes, vec![230, 200], "split at {split}");
            assert_eq!(got[0].lines.len(), 3);
            assert_eq!(got[0].lines[2], b"230 Logged in");
        }
    }

    #[test]
    fn rejects_bad_input_table() {
        let long = vec![b'x'; 70 * 1024];
        let mut long_reply = b"200 ".to_vec();
        long_reply.extend_from_slice(&long);
        long_reply.extend_from_slice(b"\r\n");
        let cases: Vec<(Vec<u8>, ReplyError)> = vec![
            (b"hello\r\n".to_vec(), malformed(b"hello")),
            (b"2x0 x\r\n".to_vec(), malformed(b"2x0 x")),
            (b"700 x\r\n".to_vec(), malformed(b"700 x")),
            (b"200x\r\n".to_vec(), malformed(b"200x")),
            (long_reply, ReplyError::LineTooLong { max: 64 * 1024 }),
            // A long line without a newline yet is refused before it grows further.
            (long.clone(), ReplyError::LineTooLong { max: 64 * 1024 }),
        ];
        for (input, expected) in cases {
            assert_eq!(decode_all(&input).unwrap_err(), expected);
        }
    }

    #[test]
    fn trailing_crs_are_all_stripped() {
        let replies = decode_all(b"220 hi\r\r\n230 ok\r\n").expect("valid");
        assert_eq!(replies[0].lines[0], b"220 hi");
        assert_eq!(replies[1].lines[0], b"230 ok");
    }

    #[test]
    fn a_line_at_the_cap_is_accepted_however_it_is_chunked() {
        // Found by fuzzing: a chunk ending between CR and LF refused a line
        // of exactly max_line bytes that arrived whole.
        let limits = ReplyLimits {
            max_line: 16,
            ..ReplyLimits::default()
        };
        let mut input = b"200 ".to_vec();
        input.extend_from_slice(&[b'x'; 12]);
        input.extend_from_slice(b"\r\n");
        for split in 0..input.len() {
            let mut decoder = ReplyDecoder::new(limits);
            let mut buf = BytesMut::from(&input[..split]);
            assert_eq!(decoder.decode(&mut buf), Ok(None), "split at {split}");
            buf.extend_from_slice(&input[split..]);
            let reply = decoder.decode(&mut buf).expect("valid").expect("a reply");
            assert_eq!(reply.lines[0].len(), 16, "split at {split}");
        }
        // One byte more is refused either way.
        let mut long = b"200 ".to_vec();
        long.extend_from_slice(&[b'x'; 13]);
        long.extend_from_slice(b"\r\n");
        for split in [long.len() - 1, long.len()] {
            let mut decoder = ReplyDecoder::new(limits);
            let mut buf = BytesMut::from(&long[..split]);
            let first = decoder.decode(&mut buf);
            let result = match first {
                Ok(None) => {
                    buf.extend_from_slice(&long[split..]);
                    decoder.decode(&mut buf)
                }
                other => other,
            };
            assert_eq!(
                result,
                Err(ReplyError::LineTooLong { max: 16 }),
                "split at {split}"
            );
        }
    }

    #[test]
    fn endless_reply_is_capped_by_lines_and_bytes() {
        let mut decoder = ReplyDecoder::default();
        let mut buf = BytesMut::from(&b"220-start\r\n"[..]);
        let mut result = Ok(None);
        for _ in 0..20_000 {
            buf.extend_from_slice(b"220-more\r\n");
            result = decoder.decode(&mut buf);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(
            result.unwrap_err(),
            ReplyError::TooManyLines { max: 10_000 }
        );

        let mut decoder = ReplyDecoder::default();
        let mut buf = BytesMut::from(&b"220-start\r\n"[..]);
        let line = format!("220-{}\r\n", "y".repeat(60_000));
        let mut result = Ok(None);
        for _ in 0..100 {
            buf.extend_from_slice(line.as_bytes());
            result = decoder.decode(&mut buf);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(
            result.unwrap_err(),
            ReplyError::ReplyTooLarge { max: 1024 * 1024 }
        );
    }

    #[test]
    fn reply_accessors() {
        let reply = &decode_all(b"257 \"/a\" created\r\n").expect("valid")[0];
        assert_eq!(reply.first_text(), b"\"/a\" created");
        assert!(reply.is_success());
        assert_eq!(reply.message(), "\"/a\" created");
        let reply = &decode_all(b"331\r\n").expect("valid")[0];
        assert!(reply.is_intermediate());
        assert_eq!(reply.first_text(), b"");
    }
}
