//! Fuzzes the parsers of single reply texts: `parse_pasv` (227), `parse_epsv` (229),
//! `parse_257` (PWD/MKD), `parse_size` and `parse_mdtm` (213).
//!
//! Input: the reply text (what `Reply::first_text` gives), handed to all five parsers.
//!
//! Asserts, for every input:
//! - no parser panics (libFuzzer also catches overflow, out-of-bounds, OOM and timeouts);
//! - `parse_pasv` → `Ok(addr)`: the text holds at least five commas (six numbers), and
//!   re-parsing `(h1,h2,h3,h4,p1,p2)` rendered from `addr` gives `addr` back;
//! - `parse_epsv` → `Ok(port)`: the port is 1..=65535 and its decimal digits are in the text;
//! - `parse_257` → `Ok(path)`: the path is non-empty, holds no control byte (< 0x20, 0x7f), and
//!   quoting it back (`"` doubled) and parsing again gives the same path;
//! - `parse_size` → `Some(n)`: the decimal digits of `n` are in the text;
//! - `parse_mdtm` → `Some(t)`: the trimmed text is at least 14 bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::protocol::path::{parse_257, parse_mdtm, parse_size};
use skiff::protocol::{parse_epsv, parse_pasv};
use skiff_fuzz::contains;

fuzz_target!(|text: &[u8]| {
    if let Ok(addr) = parse_pasv(text) {
        assert!(
            text.iter().filter(|&&b| b == b',').count() >= 5,
            "PASV address {addr} from a text with fewer than five commas"
        );
        let [a, b, c, d] = addr.ip().octets();
        let [p1, p2] = addr.port().to_be_bytes();
        let again = format!("({a},{b},{c},{d},{p1},{p2})");
        assert_eq!(parse_pasv(again.as_bytes()), Ok(addr), "PASV round trip");
    }

    if let Ok(port) = parse_epsv(text) {
        assert!(port >= 1);
        assert!(
            contains(text, port.to_string().as_bytes()),
            "EPSV port {port} is not in the text"
        );
    }

    if let Ok(path) = parse_257(text) {
        assert!(!path.is_empty(), "257 gave an empty path");
        assert!(
            !path.iter().any(|&b| b < 0x20 || b == 0x7f),
            "257 path holds a control byte: {:?}",
            path.escape_ascii().to_string()
        );
        let mut quoted = vec![b'"'];
        for &b in &path {
            quoted.push(b);
            if b == b'"' {
                quoted.push(b'"');
            }
        }
        quoted.extend_from_slice(b"\" is current");
        assert_eq!(parse_257(&quoted), Ok(path), "257 round trip");
    }

    if let Some(size) = parse_size(text) {
        assert!(
            contains(text, size.to_string().as_bytes()),
            "SIZE {size} is not in the text"
        );
    }

    if parse_mdtm(text).is_some() {
        let trimmed = text.trim_ascii();
        assert!(
            trimmed.len() >= 14,
            "MDTM time from a text shorter than 14 bytes"
        );
    }
});
