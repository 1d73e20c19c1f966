//! Remote paths: the `257` reply's quoted path, and joining paths as bytes.
//!
//! Pure. Paths stay the server's bytes so that a name listed in, say, GBK is
//! sent back exactly as it came.

/// Why a `257` reply's path could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// No opening quote.
    #[error("no quoted path in the server's reply")]
    NoQuotedPath,
    /// The quote is never closed.
    #[error("unclosed quote in the server's path reply")]
    Unclosed,
    /// A control character inside the path.
    #[error("control character in the server's path reply")]
    ControlCharacter,
    /// An empty path.
    #[error("empty path in the server's reply")]
    Empty,
}

/// Extracts the path from a `257` reply text such as `"/a ""b"" c" is current`.
///
/// Only the quoted part counts; `""` inside it is one literal quote.
pub fn parse_257(text: &[u8]) -> Result<Vec<u8>, PathError> {
    let open = text
        .iter()
        .position(|&b| b == b'"')
        .ok_or(PathError::NoQuotedPath)?;
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        match text.get(i) {
            None => return Err(PathError::Unclosed),
            Some(b'"') if text.get(i + 1) == Some(&b'"') => {
                out.push(b'"');
                i += 2;
            }
            Some(b'"') => break,
            Some(&b) if b < 0x20 || b == 0x7f => return Err(PathError::ControlCharacter),
            Some(&b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    if out.is_empty() {
        return Err(PathError::Empty);
    }
    Ok(out)
}

/// Joins a directory and a name with exactly one `/`.
pub fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut out = dir.to_vec();
    if !out.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend_from_slice(name.strip_prefix(b"/").unwrap_or(name));
    out
}

/// The parent of an absolute path (`/a/b` → `/a`, `/a` → `/`).
pub fn parent(path: &[u8]) -> Vec<u8> {
    let trimmed = path.strip_suffix(b"/").unwrap_or(path);
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/".to_vec(),
        Some(i) => trimmed[..i].to_vec(),
    }
}

/// The last segment of a path (`/a/b` → `b`).
pub fn file_name(path: &[u8]) -> &[u8] {
    let trimmed = path.strip_suffix(b"/").unwrap_or(path);
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Parses a `213` reply to `SIZE`, tolerating text after the number.
pub fn parse_size(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?.trim_start();
    let digits: &str = &text[..text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len())];
    digits.parse().ok()
}

/// Parses a `213` reply to `MDTM` (`YYYYMMDDHHMMSS[.sss]`, UTC).
pub fn parse_mdtm(text: &[u8]) -> Option<chrono::NaiveDateTime> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let stamp = text.get(..14)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_257_table() {
        let ok: &[(&[u8], &[u8])] = &[
            (b"\"/home/user\" is the current directory", b"/home/user"),
            (b"\"/a \"\"b\"\" c\" created", b"/a \"b\" c"),
            (b"MKD ok \"/x\"", b"/x"),
            (b"\"/\"", b"/"),
            (b"\"/\xc4\xe3\"", b"/\xc4\xe3"),
            (b"\"\"\"\"", b"\""),
        ];
        for (text, path) in ok {
            assert_eq!(
                parse_257(text).as_deref(),
                Ok(*path),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let bad: &[(&[u8], PathError)] = &[
            (b"/home/user is current", PathError::NoQuotedPath),
            (b"\"/home/user", PathError::Unclosed),
            (b"\"/home\"\"", PathError::Unclosed),
            (b"\"/a\rb\"", PathError::ControlCharacter),
            (b"\"/a\nb\"", PathError::ControlCharacter),
            (b"\"\" empty", PathError::Empty),
        ];
        for (text, err) in bad {
            assert_eq!(
                &parse_257(text).unwrap_err(),
                err,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn path_helpers() {
        assert_eq!(join(b"/", b"a"), b"/a");
        assert_eq!(join(b"/a", b"b"), b"/a/b");
        assert_eq!(join(b"/a/", b"/b"), b"/a/b");
        assert_eq!(parent(b"/a/b"), b"/a");
        assert_eq!(parent(b"/a"), b"/");
        assert_eq!(parent(b"/"), b"/");
        assert_eq!(file_name(b"/a/b"), b"b");
        assert_eq!(file_name(b"/a/b/"), b"b");
        assert_eq!(file_name(b"b"), b"b");
    }

    #[test]
    fn size_and_mdtm() {
        assert_eq!(parse_size(b"5000000000"), Some(5_000_000_000));
        assert_eq!(parse_size(b" 1234 bytes"), Some(1234));
        assert_eq!(parse_size(b"abc"), None);
        assert_eq!(parse_size(b"99999999999999999999999"), None);
        let t = parse_mdtm(b"20240301123045.123").expect("valid");
        assert_eq!(t.to_string(), "2024-03-01 12:30:45");
        assert_eq!(parse_mdtm(b"2024"), None);
        assert_eq!(parse_mdtm(b"20241301123045"), None);
    }
}
