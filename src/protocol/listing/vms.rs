//! OpenVMS `LIST` lines: `FILE.TXT;1  2/4  17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)`.
//!
//! Pure: no I/O. Owns the VMS name with its `;version`, the size in blocks, the `DD-MMM-YYYY`
//! date, the UIC and the protection, in the orders servers print them, and the `Directory` and
//! `Total of` lines around a listing. A name too long for its column stands alone on its line
//! and the rest follows on the next; [`is_lone_name`] spots such a line so that the streaming
//! parser can join the two, which a single-line parser cannot.
//!
//! Names, as FileZilla reads them: a file keeps its version (`FILE.TXT;1`), because several
//! versions may be listed and `RETR FILE.TXT;1` names exactly one; a directory `NAME.DIR;1` is
//! `NAME`, which is what `CWD` takes. Escapes such as `^.` stay as sent, so the name can be sent
//! back unchanged. The size column counts 512-byte blocks (used, or used/allocated), an upper
//! bound rather than a byte count, so entries carry no size: the engine checks downloads
//! against the listed size.

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::{
    EntryKind, ListEntry, Parsed, TimePrecision, Token, Tokens, is_digits, list_time, month_number,
    parse_clock, small_number, text,
};

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    if is_header(line) {
        return Parsed::Ignored;
    }
    parse_entry(line).map_or(Parsed::Junk, Parsed::Entry)
}

/// Whether a line holds nothing but a VMS file name: the first line of an entry split in two.
pub(super) fn is_lone_name(line: &[u8]) -> bool {
    let mut tokens = Tokens::new(line);
    tokens
        .next()
        .is_some_and(|name| split_name(name.bytes).is_some())
        && tokens.next().is_none()
}

/// `Directory DISK$USER:[ALICE]`, `Total of 3 files, 25/48 blocks.` and `Grand total of ...`
/// frame a listing.
fn is_header(line: &[u8]) -> bool {
    let mut tokens = Tokens::new(line);
    let mut word = || tokens.next().map(|t| t.bytes.to_ascii_lowercase());
    match word().as_deref() {
        Some(b"directory") => {
            word().is_some_and(|path| path.contains(&b'[') || path.contains(&b':'))
                && word().is_none()
        }
        Some(b"total") => word().as_deref() == Some(b"of"),
        Some(b"grand") => word().as_deref() == Some(b"total") && word().as_deref() == Some(b"of"),
        _ => false,
    }
}

fn parse_entry(line: &[u8]) -> Option<ListEntry> {
    let mut tokens = Tokens::new(line);
    let (name, kind) = split_name(tokens.next()?.bytes)?;
    let mut details = Details::default();
    let mut token = tokens.next()?;
    // Some servers print the owner before the size.
    if token.bytes.starts_with(b"[") {
        details.uic(token.bytes)?;
        token = tokens.next()?;
    }
    let size_first = is_size(token.bytes);
    if size_first {
        token = tokens.next()?;
    }
    let date = parse_date(token.bytes)?;
    let mut rest = tokens.clone();
    let clock = match rest.next() {
        Some(token) if token.bytes.contains(&b':') => {
            tokens = rest;
            Some(parse_time(token.bytes)?)
        }
        _ => None,
    };
    // Others print the size after the date; one way or the other, it is there.
    if !size_first && !tokens.next().is_some_and(|t| is_size(t.bytes)) {
        return None;
    }
    for token in tokens {
        details.add(token)?;
    }
    Some(ListEntry {
        modified: Some(list_time(date, clock)),
        permissions: details.protection.map(text),
        owner: details.owner.map(text),
        group: details.group.map(text),
        ..ListEntry::new(name, kind)
    })
}

/// Splits `NAME.TYPE;VERSION` into the entry's name and kind, as the module docs explain.
fn split_name(token: &[u8]) -> Option<(&[u8], EntryKind)> {
    let semicolon = token.iter().rposition(|&b| b == b';')?;
    let (stem, version) = token.split_at(semicolon);
    let version = version.get(1..)?;
    if !is_digits(version) || version.len() > 5 || stem.is_empty() {
        return None;
    }
    // A name cannot start with the brackets and parentheses of the other columns.
    if matches!(stem.first(), Some(b'[' | b'(')) {
        return None;
    }
    let dir = stem
        .len()
        .checked_sub(4)
        .and_then(|at| stem.split_at_checked(at))
        .filter(|(_, suffix)| suffix.eq_ignore_ascii_case(b".DIR"));
    match dir {
        Some((name, _)) if !name.is_empty() => Some((name, EntryKind::Dir)),
        Some(_) => None,
        None => Some((token, EntryKind::File)),
    }
}

/// A size in blocks: `12`, `12/16` (used and allocated) or `2KB`.
fn is_size(token: &[u8]) -> bool {
    let digits_end = token
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(token.len());
    let (digits, unit) = token.split_at(digits_end);
    if digits.is_empty() || digits.len() > 20 {
        return false;
    }
    match unit {
        [] => true,
        [b'/', allocated @ ..] => is_digits(allocated) && allocated.len() <= 20,
        _ => [&b"B"[..], b"KB", b"MB", b"GB", b"TB"]
            .iter()
            .any(|u| unit.eq_ignore_ascii_case(u)),
    }
}

/// Reads `17-JAN-2024`.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let mut parts = token.split(|&b| b == b'-');
    let day = small_number(parts.next()?, 1..=2)?;
    let month = month_number(parts.next()?)?;
    let year = small_number(parts.next()?, 4..=4)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Reads `10:12`, `10:12:01` or `10:12:01.64`, keeping the hundredths.
fn parse_time(token: &[u8]) -> Option<(NaiveTime, TimePrecision)> {
    let (clock, hundredths) = match token.iter().position(|&b| b == b'.') {
        Some(dot) => {
            let (clock, fraction) = token.split_at(dot);
            (clock, Some(small_number(fraction.get(1..)?, 1..=2)?))
        }
        None => (token, None),
    };
    let (time, precision) = parse_clock(clock)?;
    let Some(hundredths) = hundredths else {
        return Some((time, precision));
    };
    if precision != TimePrecision::Second {
        return None;
    }
    // `.6` is six tenths, `.64` sixty-four hundredths.
    let scale = if token.len() - clock.len() == 2 {
        100
    } else {
        10
    };
    Some((
        time.with_nanosecond(hundredths * scale * 1_000_000)?,
        precision,
    ))
}

/// The owner and protection columns after the date, in any order.
#[derive(Default)]
struct Details<'a> {
    owner: Option<&'a [u8]>,
    group: Option<&'a [u8]>,
    protection: Option<&'a [u8]>,
}

impl<'a> Details<'a> {
    fn add(&mut self, token: Token<'a>) -> Option<()> {
        let bytes = token.bytes;
        if bytes.starts_with(b"[") {
            return self.uic(bytes);
        }
        if let Some(inner) = bytes.strip_prefix(b"(") {
            let protection = inner.strip_suffix(b")").filter(|p| !p.is_empty())?;
            let valid = protection.iter().all(|b| b"RWEDC,".contains(b));
            if self.protection.is_some() || !valid {
                return None;
            }
            self.protection = Some(protection);
            return Some(());
        }
        // A bare word is an owner printed without brackets.
        let identifier = bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"_$-".contains(&b));
        if self.owner.is_some() || !identifier {
            return None;
        }
        self.owner = Some(bytes);
        Some(())
    }

    /// Reads a UIC: `[GROUP,OWNER]` or `[OWNER]`.
    fn uic(&mut self, token: &'a [u8]) -> Option<()> {
        let inner = token.strip_prefix(b"[")?.strip_suffix(b"]")?;
        if self.owner.is_some() || inner.is_empty() || inner.contains(&b'[') {
            return None;
        }
        match inner.iter().position(|&b| b == b',') {
            Some(comma) => {
                let (group, owner) = inner.split_at(comma);
                let owner = owner.get(1..)?;
                if group.is_empty() || owner.is_empty() || owner.contains(&b',') {
                    return None;
                }
                self.group = Some(group);
                self.owner = Some(owner);
            }
            None => self.owner = Some(inner),
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};
    use super::*;

    #[test]
    fn parses_vms_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"FILE.TXT;1  2/4  17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)",
                "File 'FILE.TXT;1' - 2024-01-17T10:12:01/Second RWED,RWED,RE, OWNER GROUP",
            ),
            // A directory loses `.DIR;1`; hundredths of seconds are kept.
            (
                b"SUB.DIR;1  1  19-NOV-2001 21:41 [root,root] (RWE,RWE,RE,RE)",
                "Dir 'SUB' - 2001-11-19T21:41:00/Minute RWE,RWE,RE,RE root root",
            ),
            (
                b"LOG.LIS;17       155   2-JUL-2003 10:30:13.64",
                "File 'LOG.LIS;17' - 2003-07-02T10:30:13.640/Second - - -",
            ),
            // No time; an owner in brackets with one part, or with none.
            (
                b"NOTIME.TXT;1    2/8    7-JAN-2000    [IV2_XXX]   (RWED,RWED,RE,)",
                "File 'NOTIME.TXT;1' - 2000-01-07T00:00:00/Day RWED,RWED,RE, IV2_XXX -",
            ),
            (
                b"BARE.TXT;1    6/8    15-JUL-2002    PRONAS   (RWED,RWED,RE,)",
                "File 'BARE.TXT;1' - 2002-07-15T00:00:00/Day RWED,RWED,RE, PRONAS -",
            ),
            // The owner first, or the size after the date.
            (
                b"ORDER.TXT;1   [SUMMARY]    1/3     2-AUG-2006 13:05  (RWE,RWE,RE,)",
                "File 'ORDER.TXT;1' - 2006-08-02T13:05:00/Minute RWE,RWE,RE, SUMMARY -",
            ),
            (
                b"LATE.TXT;1       17-JUN-1994 17:25:37     6308/13     (RWED,RWED,R,)",
                "File 'LATE.TXT;1' - 1994-06-17T17:25:37/Second RWED,RWED,R, - -",
            ),
            (
                b"UNITS.TXT;3 2KB 23-SEP-2005 14:57:07.2",
                "File 'UNITS.TXT;3' - 2005-09-23T14:57:07.200/Second - - -",
            ),
            // Escapes and dotted names stay as sent; the version is whatever follows the last `;`.
            (
                b"A^.B.TXT;32767 1 1-JAN-2024",
                "File 'A^.B.TXT;32767' - 2024-01-01T00:00:00/Day - - -",
            ),
            (
                b"a;b.txt;2 1 1-jan-2024 00:00",
                "File 'a;b.txt;2' - 2024-01-01T00:00:00/Minute - - -",
            ),
            (
                b"X.dir;2 1 1-JAN-2024",
                "Dir 'X' - 2024-01-01T00:00:00/Day - - -",
            ),
        ];
        check_list(ServerType::Vms, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_headers_and_junk() {
        check_family(
            Family::Vms,
            &[
                (b"Directory DISK$USER:[ALICE]", "ignored"),
                (b"Total of 3 files, 25/48 blocks.", "ignored"),
                (
                    b"Grand total of 1 directory, 3 files, 25/48 blocks.",
                    "ignored",
                ),
                (b"Directory of something", "junk"),
                (b"FILE.TXT;1", "junk"),
                (b"FILE.TXT 1 1-JAN-2024", "junk"),
                (b"FILE.TXT;x 1 1-JAN-2024", "junk"),
                (b"FILE.TXT;123456 1 1-JAN-2024", "junk"),
                (b";1 1 1-JAN-2024", "junk"),
                (b".DIR;1 1 1-JAN-2024", "junk"),
                (b"[A]X;1 1 1-JAN-2024", "junk"),
                (b"FILE.TXT;1 1 32-JAN-2024", "junk"),
                (b"FILE.TXT;1 1 1-FOO-2024", "junk"),
                // Localized month names are not guessed.
                (b"FILE.TXT;1 1 15-JUI-2002", "junk"),
                (b"FILE.TXT;1 1 1-JAN-24", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 25:00", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 10:00.5", "junk"),
                (b"FILE.TXT;1 1-JAN-2024", "junk"),
                (b"FILE.TXT;1 1x 1-JAN-2024", "junk"),
                (b"FILE.TXT;1 1/ 1-JAN-2024", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 [A,B] [C,D]", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 [A,B,C]", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 [,B]", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 (RWED) (RWED)", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 (XYZ)", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 A B", "junk"),
                (b"FILE.TXT;1 1 1-JAN-2024 a/b", "junk"),
            ],
        );
    }

    #[test]
    fn spots_lone_names() {
        assert!(is_lone_name(b"A-LONG-NAME.TXT;1"));
        assert!(is_lone_name(b"  SUB.DIR;1  "));
        assert!(!is_lone_name(b"NAME.TXT"));
        assert!(!is_lone_name(b"NAME.TXT;1 2"));
        assert!(!is_lone_name(b""));
    }

    #[test]
    fn survives_junk() {
        let valid: &[&[u8]] = &[
            b"FILE.TXT;1  2/4  17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)",
            b"SUB.DIR;1  1  19-NOV-2001 21:41 [root,root] (RWE,RWE,RE,RE)",
            b"LATE.TXT;1       17-JUN-1994 17:25:37.5     6308/13     (RWED,RWED,R,)",
        ];
        // The name leads the line, so a cut line may lose its owner or protection.
        mangle(ListFormat::List, ServerType::Vms, Truncation::Lossy, valid);
        mangle(ListFormat::List, ServerType::Auto, Truncation::Lossy, valid);
    }
}
