//! Whether a remote name is safe to use as a local file name.
//!
//! Pure. A hostile server can list names such as `../../.bashrc`, `/etc/x`,
//! `C:x` or `a\r\nDELE b`; none of them may become a local path component.
//! The rules of every platform are here regardless of the build host, so they
//! are all tested everywhere. [`local_name`] turns a listed name into a local
//! one, keeping the server's bytes when they are not text in the site's charset.

/// The file-system rules a name is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux, macOS and other Unix-likes: `/` separates, NUL ends.
    Unix,
    /// Windows: `\`, `/` and `:` are special, some names are reserved.
    Windows,
}

impl Platform {
    /// The platform Skiff runs on.
    pub fn current() -> Self {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// Why a name cannot be used locally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeName {
    /// Empty, `.` or `..`.
    #[error("name is empty, '.' or '..'")]
    Dots,
    /// Contains a path separator (or a drive colon on Windows).
    #[error("name contains a path separator")]
    Separator,
    /// Contains a control character.
    #[error("name contains a control character")]
    Control,
    /// A Windows device name or a name ending in a dot or space.
    #[error("name is reserved on Windows")]
    Reserved,
}

/// The rules no renaming can mend, on any platform: an empty, `.` or `..`
/// name, a control character, a `/`.
fn check_never_safe(name: &str) -> Result<(), UnsafeName> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(UnsafeName::Dots);
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(UnsafeName::Control);
    }
    if name.contains('/') {
        return Err(UnsafeName::Separator);
    }
    Ok(())
}

/// Checks one remote name before it becomes a local path component.
pub fn check_local_name(name: &str, platform: Platform) -> Result<(), UnsafeName> {
    check_never_safe(name)?;
    if platform == Platform::Windows {
        if name.contains(['\\', ':']) {
            return Err(UnsafeName::Separator);
        }
        if name.contains(['<', '>', '"', '|', '?', '*']) || name.ends_with(['.', ' ']) {
            return Err(UnsafeName::Reserved);
        }
        let stem = name.split('.').next().unwrap_or(name).trim_end();
        let upper = stem.to_ascii_uppercase();
        let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || ((upper.starts_with("COM") || upper.starts_with("LPT"))
                && upper.len() == 4
                && upper.as_bytes()[3].is_ascii_digit());
        if reserved {
            return Err(UnsafeName::Reserved);
        }
    }
    Ok(())
}

/// Maps a remote name to a local one that is safe on `platform`.
///
/// Names that can only be hostile (empty, `.`, `..`, holding `/` or a control
/// character) are refused. What is merely illegal on Windows is renamed, as
/// WinSCP does: each of `\ : < > " | ? *` becomes `_`, a trailing dot or space
/// becomes `_`, and a reserved device name (`CON`, `NUL`, `COM1`...) gets a `_`
/// after its stem (`nul.txt` becomes `nul_.txt`). The result never names a
/// parent folder, a drive or a device.
pub fn safe_local_name(name: &str, platform: Platform) -> Result<String, UnsafeName> {
    check_never_safe(name)?;
    if platform == Platform::Unix {
        return Ok(name.to_string());
    }
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    if out.ends_with(['.', ' ']) {
        out.pop();
        out.push('_');
    }
    if check_local_name(&out, Platform::Windows) == Err(UnsafeName::Reserved) {
        let split = out.find('.').unwrap_or(out.len());
        out.insert(split, '_');
    }
    // A name of dots alone ("..." becomes ".._") can no longer mean a parent.
    match check_local_name(&out, Platform::Windows) {
        Ok(()) => Ok(out),
        Err(e) => Err(e),
    }
}

/// The local file name for a remote name on the platform Skiff runs on.
///
/// `text` is the name decoded exactly with the site's charset; it is made
/// safe by [`safe_local_name`]. When the bytes do not decode (`None`: a server
/// sending Latin-1 to a client reading UTF-8), the bytes themselves are the
/// name on Unix, where file names are bytes; on Windows, whose names are
/// UTF-16, each byte that is not UTF-8 becomes a lone surrogate (U+DC80 to
/// U+DCFF, Python's `surrogateescape`), which no decoded text can hold. Either
/// way two different server names never become one local name, and the same
/// names as for text are refused.
pub fn local_name(text: Option<&str>, raw: &[u8]) -> Result<std::ffi::OsString, UnsafeName> {
    match text {
        Some(text) => safe_local_name(text, Platform::current()).map(Into::into),
        None => raw_local_name(raw),
    }
}

/// [`local_name`] for bytes that are not text in the site's charset.
fn raw_local_name(raw: &[u8]) -> Result<std::ffi::OsString, UnsafeName> {
    if raw.is_empty() || raw == b"." || raw == b".." {
        return Err(UnsafeName::Dots);
    }
    if raw.contains(&b'/') {
        return Err(UnsafeName::Separator);
    }
    let has_control = raw.iter().any(|&b| b < 0x20 || b == 0x7f)
        || raw
            .utf8_chunks()
            .any(|chunk| chunk.valid().chars().any(char::is_control));
    if has_control {
        return Err(UnsafeName::Control);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Ok(std::ffi::OsString::from_vec(raw.to_vec()))
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        let mut wide: Vec<u16> = Vec::with_capacity(raw.len());
        for chunk in raw.utf8_chunks() {
            let valid = safe_local_name(chunk.valid(), Platform::Windows)
                .unwrap_or_else(|_| chunk.valid().replace(['\\', ':'], "_"));
            wide.extend(valid.encode_utf16());
            wide.extend(chunk.invalid().iter().map(|&b| 0xdc00 | u16::from(b)));
        }
        Ok(std::ffi::OsString::from_wide(&wide))
    }
    #[cfg(not(any(unix, windows)))]
    {
        Ok(String::from_utf8_lossy(raw).into_owned().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_do_not_decode_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let e9 = local_name(None, b"caf\xe9.txt").expect("safe");
        let e8 = local_name(None, b"caf\xe8.txt").expect("safe");
        assert_eq!(e9.as_bytes(), b"caf\xe9.txt");
        assert_ne!(e9, e8);
        assert_eq!(
            local_name(Some("café.txt"), b"caf\xc3\xa9.txt").expect("safe"),
            "café.txt"
        );
        assert_eq!(local_name(None, b"..").unwrap_err(), UnsafeName::Dots);
        assert_eq!(
            local_name(None, b"a/\xff").unwrap_err(),
            UnsafeName::Separator
        );
        assert_eq!(
            local_name(None, b"\xff\x1b[2J").unwrap_err(),
            UnsafeName::Control
        );
        assert_eq!(
            local_name(None, b"\xff\xc2\x9b").unwrap_err(),
            UnsafeName::Control
        );
        assert_eq!(
            local_name(Some("a\nb"), b"a\nb").unwrap_err(),
            UnsafeName::Control
        );
    }

    #[test]
    fn safe_names_table() {
        use Platform::{Unix, Windows};
        let cases: &[(&str, Platform, Result<&str, UnsafeName>)] = &[
            ("file.txt", Unix, Ok("file.txt")),
            ("a\\b:c", Unix, Ok("a\\b:c")),
            ("CON", Unix, Ok("CON")),
            ("..\\x", Windows, Ok(".._x")),
            ("C:x", Windows, Ok("C_x")),
            ("a<b>c\"d|e?f*", Windows, Ok("a_b_c_d_e_f_")),
            ("CON", Windows, Ok("CON_")),
            ("nul.txt", Windows, Ok("nul_.txt")),
            ("com1.tar.gz", Windows, Ok("com1_.tar.gz")),
            ("LPT9", Windows, Ok("LPT9_")),
            ("COM10", Windows, Ok("COM10")),
            ("trailing.", Windows, Ok("trailing_")),
            ("trailing ", Windows, Ok("trailing_")),
            ("...", Windows, Ok(".._")),
            ("..", Windows, Err(UnsafeName::Dots)),
            ("", Windows, Err(UnsafeName::Dots)),
            ("a/b", Windows, Err(UnsafeName::Separator)),
            ("/etc/passwd", Unix, Err(UnsafeName::Separator)),
            ("a\rb", Windows, Err(UnsafeName::Control)),
            ("a\u{7f}", Unix, Err(UnsafeName::Control)),
        ];
        for (name, platform, expected) in cases {
            assert_eq!(
                safe_local_name(name, *platform),
                expected.clone().map(str::to_string),
                "{name:?} on {platform:?}"
            );
        }
    }

    #[test]
    fn mapped_names_are_always_acceptable() {
        let samples = [
            "CON",
            "aux.",
            "x:y",
            "a*b",
            " lead",
            "nul",
            "COM3.",
            "..\\..\\x",
            "q?",
        ];
        for name in samples {
            for platform in [Platform::Unix, Platform::Windows] {
                if let Ok(mapped) = safe_local_name(name, platform) {
                    assert_eq!(
                        check_local_name(&mapped, platform),
                        Ok(()),
                        "{name:?} -> {mapped:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_table() {
        use Platform::{Unix, Windows};
        let cases: &[(&str, Platform, Result<(), UnsafeName>)] = &[
            ("file.txt", Unix, Ok(())),
            ("file.txt", Windows, Ok(())),
            (" lead space", Unix, Ok(())),
            ("a:b", Unix, Ok(())),
            ("a\\b", Unix, Ok(())),
            ("", Unix, Err(UnsafeName::Dots)),
            (".", Unix, Err(UnsafeName::Dots)),
            ("..", Windows, Err(UnsafeName::Dots)),
            ("/etc/passwd", Unix, Err(UnsafeName::Separator)),
            ("../x", Unix, Err(UnsafeName::Separator)),
            ("a\r\nb", Unix, Err(UnsafeName::Control)),
            ("a\0b", Unix, Err(UnsafeName::Control)),
            ("..\\x", Windows, Err(UnsafeName::Separator)),
            ("C:x", Windows, Err(UnsafeName::Separator)),
            ("CON", Windows, Err(UnsafeName::Reserved)),
            ("nul.txt", Windows, Err(UnsafeName::Reserved)),
            ("com1", Windows, Err(UnsafeName::Reserved)),
            ("COM10", Windows, Ok(())),
            ("trailing.", Windows, Err(UnsafeName::Reserved)),
            ("trailing ", Windows, Err(UnsafeName::Reserved)),
            ("CON", Unix, Ok(())),
        ];
        for (name, platform, expected) in cases {
            assert_eq!(
                &check_local_name(name, *platform),
                expected,
                "{name:?} on {platform:?}"
            );
        }
    }
}
