//! Whether a remote name is safe to use as a local file name.
//!
//! Pure. A hostile server can list names such as `../../.bashrc`, `/etc/x`,
//! `C:x` or `a\r\nDELE b`; none of them may become a local path component.
//! The rules of every platform are here regardless of the build host, so they
//! are all tested everywhere.

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

/// Checks one remote name before it becomes a local path component.
pub fn check_local_name(name: &str, platform: Platform) -> Result<(), UnsafeName> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(UnsafeName::Dots);
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(UnsafeName::Control);
    }
    if name.contains('/') {
        return Err(UnsafeName::Separator);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
