//! Fuzzes the control-connection reply decoder, `ReplyDecoder::decode`.
//!
//! Input: one header byte `h`, then the bytes a server sends. `h` chooses
//! - the limits: even `h` uses `ReplyLimits::default()` (64 KiB lines, 1 MiB, 10,000 lines);
//!   odd `h` uses tiny limits derived from `h` (lines of 8–132 bytes, 1–10 lines, a few hundred
//!   bytes a reply), so that every limit is reachable within `-max_len`;
//! - how the bytes are cut into chunks (see `skiff_fuzz::chunks`): one byte at a time, small,
//!   medium, or all at once.
//!
//! Asserts, for every input:
//! - `decode` never panics (libFuzzer also catches overflow, out-of-bounds, OOM and timeouts);
//! - every decoded `Reply` has a code in 100..=699, at least one line, its first line starts with
//!   that code, its last line is `NNN` or `NNN text` with the same code, a one-line reply is
//!   `NNN` or `NNN text`, and no line holds an LF (a NUL or a bare CR in text is kept, and shown escaped);
//! - memory stays bounded: a reply has at most `max_lines` lines and
//!   `max(max_reply_bytes, max_line)` bytes, and whenever `decode` says "need more bytes" the
//!   buffer it leaves holds at most `max_line` bytes (one partial line);
//! - chunking does not matter: decoding the chunks as they arrive gives the same replies, the
//!   same point of failure (error or not) and the same leftover bytes as decoding the whole
//!   input in one buffer;
//! - the `Reply` accessors and `Features::parse` accept every decoded reply without panicking.
//!
//! `SKIFF_FUZZ_KNOWN=cr-at-cap` relaxes the check that fails on a finding reported in
//! RESULTS.md (a line of exactly `max_line` bytes rejected when a chunk ends between its CR and
//! LF), so the rest can still be fuzzed. (Finding 1, a bare CR kept inside a line, is the
//! decoder's behaviour now: control bytes in reply text are accepted and shown escaped.)

#![no_main]

use std::sync::LazyLock;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use skiff::protocol::{Features, Reply, ReplyDecoder, ReplyError, ReplyLimits};

/// Findings already reported against `src/protocol/reply.rs` (RESULTS.md) that the environment
/// may ask this target to tolerate, so that the rest of the decoder can still be fuzzed:
/// `SKIFF_FUZZ_KNOWN=cr-at-cap` (unset means strict).
struct Known {
    /// Finding 2: a line of exactly `max_line` bytes fails with `LineTooLong` when a chunk ends
    /// between its CR and its LF (the partial buffer then holds `max_line + 1` bytes). Tolerated
    /// by never cutting the chunks between a CR and an LF.
    cr_at_cap: bool,
}

static KNOWN: LazyLock<Known> = LazyLock::new(|| {
    let value = std::env::var("SKIFF_FUZZ_KNOWN").unwrap_or_default();
    let has = |name: &str| value.split(',').any(|v| v.trim() == name);
    Known {
        cr_at_cap: has("cr-at-cap"),
    }
});

fuzz_target!(|data: &[u8]| {
    let Some((&h, stream)) = data.split_first() else {
        return;
    };
    let limits = limits(h);

    let whole = decode_chunks(limits, &[stream]);
    let mut chunks = skiff_fuzz::chunks(stream, h >> 1);
    if KNOWN.cr_at_cap {
        chunks = keep_crlf_together(stream, &chunks);
    }
    let chunked = decode_chunks(limits, &chunks);
    assert_eq!(
        whole.replies, chunked.replies,
        "chunking changed the replies"
    );
    assert_eq!(
        whole.error.is_some(),
        chunked.error.is_some(),
        "chunking changed whether decoding fails: whole {:?}, chunked {:?}",
        whole.error,
        chunked.error
    );
    if whole.error.is_none() {
        assert_eq!(
            whole.leftover, chunked.leftover,
            "chunking changed the leftover bytes"
        );
    }
});

/// Moves every chunk boundary that falls between a CR and an LF one byte later, so that
/// finding 2 (see `Known`) cannot show, and the rest of the comparison stays exact.
fn keep_crlf_together<'a>(stream: &'a [u8], chunks: &[&[u8]]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(chunks.len());
    let (mut start, mut end) = (0, 0);
    for chunk in chunks {
        end += chunk.len();
        if end < stream.len() && stream[end - 1] == b'\r' && stream[end] == b'\n' {
            continue;
        }
        out.push(&stream[start..end]);
        start = end;
    }
    if start < stream.len() {
        out.push(&stream[start..]);
    }
    out
}

fn limits(h: u8) -> ReplyLimits {
    if h & 1 == 0 {
        return ReplyLimits::default();
    }
    let max_line = 8 + usize::from((h >> 1) & 0x1f) * 4;
    let max_lines = 1 + usize::from(h >> 6) * 3;
    ReplyLimits {
        max_line,
        max_reply_bytes: max_line * (1 + usize::from(h >> 6)),
        max_lines,
    }
}

struct Outcome {
    replies: Vec<Reply>,
    error: Option<ReplyError>,
    leftover: Vec<u8>,
}

/// Feeds `chunks` to one decoder as a connection would, checking every reply and every
/// "need more bytes"; stops at the first error, which ends a real connection.
fn decode_chunks(limits: ReplyLimits, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = ReplyDecoder::new(limits);
    let mut buf = BytesMut::new();
    let mut replies = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(reply)) => {
                    check_reply(&reply, limits);
                    replies.push(reply);
                }
                Ok(None) => {
                    // One byte of slack: the CR of a line exactly max_line long
                    // whose LF has not arrived (the fix of finding 2).
                    assert!(
                        buf.len() <= limits.max_line + 1,
                        "decoder left {} bytes buffered, more than max_line {} + 1",
                        buf.len(),
                        limits.max_line
                    );
                    break;
                }
                Err(error) => {
                    // The message must render (it shortens and lossily decodes the line).
                    let _ = error.to_string();
                    return Outcome {
                        replies,
                        error: Some(error),
                        leftover: Vec::new(),
                    };
                }
            }
        }
    }
    Outcome {
        replies,
        error: None,
        leftover: buf.to_vec(),
    }
}

fn check_reply(reply: &Reply, limits: ReplyLimits) {
    assert!(
        (100..=699).contains(&reply.code),
        "code {} out of range",
        reply.code
    );
    let (first, last) = match (reply.lines.first(), reply.lines.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => panic!("reply {} has no lines", reply.code),
    };
    let code = reply.code.to_string();
    assert!(
        first.starts_with(code.as_bytes()),
        "first line does not start with the code: {reply:?}"
    );
    assert!(
        last.starts_with(code.as_bytes()),
        "last line does not carry the code: {reply:?}"
    );
    assert!(
        matches!(last.get(3), None | Some(b' ')),
        "last line is not `NNN text`: {reply:?}"
    );
    if reply.lines.len() > 1 {
        assert_eq!(
            first.get(3),
            Some(&b'-'),
            "multi-line reply without `NNN-`: {reply:?}"
        );
    }
    for line in &reply.lines {
        // A NUL or a bare CR in reply *text* is accepted since hostile-servers
        // row 27 (shown escaped, never a path); an LF always ends a line.
        assert!(
            !line.contains(&b'\n'),
            "reply line holds LF: {:?}",
            line.escape_ascii().to_string()
        );
        assert!(
            !reply.text_lossy().chars().any(|c| c.is_control() && c != '\n'),
            "reply text shown with a raw control character: {:?}",
            reply.text_lossy()
        );
        assert!(line.len() <= limits.max_line, "line longer than max_line");
    }
    assert!(
        reply.lines.len() <= limits.max_lines,
        "more lines than max_lines"
    );
    let bytes: usize = reply.lines.iter().map(Vec::len).sum();
    assert!(
        bytes <= limits.max_reply_bytes.max(limits.max_line),
        "reply of {bytes} bytes is over the limits"
    );

    // Accessors used by the engine and the log.
    assert_eq!(reply.class(), (reply.code / 100) as u8);
    let _ = (
        reply.is_preliminary(),
        reply.is_success(),
        reply.is_intermediate(),
    );
    let _ = reply.first_text();
    let _ = reply.text_lossy();
    let _ = reply.message();
    let _ = format!("{reply:?}");
    let features = Features::parse(reply);
    let _ = (
        features.auth_tls(),
        features.rest_stream(),
        features.has("MLST"),
    );
}
