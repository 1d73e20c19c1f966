//! Server-supplied text made safe to show: on a terminal, in a log, in a table.
//!
//! Pure. A hostile server can put terminal escapes (ESC, BEL, an OSC 52
//! clipboard write), line feeds, bidi overrides or bytes that are not UTF-8
//! into reply text and file names. None of them may reach a terminal or a
//! label raw: each is shown as a visible, unambiguous escape in the style of
//! Rust and GNU `ls`: `\x1b`, `\u{202e}`, `\xe9` for a byte that is not
//! UTF-8, and `\\` for a backslash, so the escaped form of two different
//! inputs is never the same text.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not be shown raw: C0 controls, DEL, C1 controls, and the
/// Unicode marks that reorder text (bidi overrides, embeddings, isolates).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character (and every backslash) escaped.
/// Borrows when nothing needs escaping, which is the common case.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '\\' || is_unsafe_char(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    Cow::Owned(out)
}

/// Appends `text` to `out`, escaped as [`escape`] does.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if is_unsafe_char(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// `text` with its unsafe characters escaped but backslashes left alone: the
/// last guard before a terminal, for text whose server parts were escaped
/// already (escaping those again would double their backslashes).
pub fn scrub(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Bytes that should be UTF-8, shown safely: valid text as [`escape`] shows
/// it, and each byte that is not part of valid UTF-8 as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return escape(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        push_escaped(&mut out, chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain.txt", "plain.txt"),
            ("中文.txt".as_bytes(), "中文.txt"),
            (b"\x1b[31mred", "\\x1b[31mred"),
            (b"bell\x07", "bell\\x07"),
            (b"osc\x1b]52;c;aGk=\x07", "osc\\x1b]52;c;aGk=\\x07"),
            (b"a\nb\rc\0d\x7f", "a\\x0ab\\x0dc\\x00d\\x7f"),
            ("c1\u{85}\u{9b}".as_bytes(), "c1\\u{85}\\u{9b}"),
            ("evil\u{202e}txt.exe".as_bytes(), "evil\\u{202e}txt.exe"),
            ("iso\u{2066}x".as_bytes(), "iso\\u{2066}x"),
            (b"back\\slash", "back\\\\slash"),
            (b"caf\xe9.txt", "caf\\xe9.txt"),
            (b"\xff\xfe", "\\xff\\xfe"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_bytes(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn scrub_escapes_controls_and_keeps_backslashes() {
        assert_eq!(
            scrub("a\\x1b b\x1b[2J\u{202e}"),
            "a\\x1b b\\x1b[2J\\u{202e}"
        );
        assert!(matches!(scrub("plain \\ text"), Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_text_holds_no_unsafe_character_and_is_unambiguous() {
        let inputs: &[&[u8]] = &[
            b"\x1b",
            b"\\x1b",
            b"\\\x1b",
            b"\xe9",
            b"\\xe9",
            "\u{e9}".as_bytes(),
        ];
        let shown: Vec<String> = inputs
            .iter()
            .map(|i| escape_bytes(i).into_owned())
            .collect();
        for text in &shown {
            assert!(!text.chars().any(is_unsafe_char), "{text:?}");
        }
        let mut unique = shown.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), shown.len(), "{shown:?}");
    }
}
