//! Conversion of remote names between the server's bytes and display strings.

use super::error::{EngineError, Result};

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

    /// Server bytes to a display string (undecodable bytes become U+FFFD).
    pub fn decode(&self, bytes: &[u8]) -> String {
        let (text, _, _) = self.encoding.decode(bytes);
        text.into_owned()
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
        assert_eq!(Charset::utf8().decode(b"a\xffb"), "a\u{fffd}b");
    }
}
