//! Conversion of remote names between the server's bytes and display strings.
//!
//! Two readings of the same bytes: [`Charset::decode`] is for showing (control
//! characters, bidi overrides and bytes that do not decode are escaped, so a
//! name can never drive a terminal or hide its ending), [`Charset::decode_exact`]
//! is the text itself, or nothing when the bytes are not in the charset. A name
//! sent back to the server is always the listing's bytes, never either string.

use super::error::{EngineError, Result};
use crate::protocol::text::{escape, escape_bytes};

/// The charset of one session's remote names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charset {
    encoding: &'static encoding_rs::Encoding,
}

impl Charset {
    /// UTF-8.
    pub fn utf8() -> Self {
        Self {
            encoding: encoding_rs::UTF_8,
        }
    }

    /// A named charset.
    pub fn new(encoding: &'static encoding_rs::Encoding) -> Self {
        Self { encoding }
    }

    /// The charset's name.
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }

    /// Whether this is UTF-8, the default when a site names no charset.
    pub fn is_utf8(&self) -> bool {
        self.encoding == encoding_rs::UTF_8
    }

    /// Server bytes to a display string: control characters, bidi overrides
    /// and backslashes escaped (`\x1b`, `\u{202e}`, `\\`); in UTF-8 a byte
    /// that does not decode is shown as `\xe9`, in another charset as U+FFFD.
    pub fn decode(&self, bytes: &[u8]) -> String {
        if self.is_utf8() {
            return escape_bytes(bytes).into_owned();
        }
        let (text, _) = self.encoding.decode_without_bom_handling(bytes);
        escape(&text).into_owned()
    }

    /// Server bytes to the exact text they hold, or `None` when they are not
    /// valid in this charset.
    pub fn decode_exact(&self, bytes: &[u8]) -> Option<String> {
        self.encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
    }

    /// A user's string to server bytes; fails when a character has no encoding.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>> {
        let (bytes, _, unmappable) = self.encoding.encode(text);
        if unmappable {
            return Err(EngineError::Encoding {
                charset: self.name(),
                name: text.to_string(),
            });
        }
        Ok(bytes.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_round_trips_and_reports_unmappable() {
        let gbk = Charset::new(encoding_rs::GBK);
        let bytes = gbk.encode("你好.txt").expect("encodable");
        assert_eq!(bytes, b"\xc4\xe3\xba\xc3.txt");
        assert_eq!(gbk.decode(&bytes), "你好.txt");
        assert!(gbk.encode("😀").is_err());
        assert_eq!(Charset::utf8().decode(b"a\xffb"), "a\\xffb");
        assert_eq!(
            Charset::utf8().decode(b"a\x1b]52;c;x\x07"),
            "a\\x1b]52;c;x\\x07"
        );
        assert_eq!(gbk.decode(b"\xc4\xe3\x1b"), "你\\x1b");
        assert_eq!(Charset::utf8().decode_exact(b"a\xffb"), None);
        assert_eq!(
            Charset::utf8().decode_exact(b"a\x1b").as_deref(),
            Some("a\x1b")
        );
        assert_eq!(gbk.decode_exact(&bytes).as_deref(), Some("你好.txt"));
    }
}
