//! VxWorks `LIST` lines, as its `ftpd` and the routers built on it print them:
//! `  512    Mar 14 2024 10:00  file.txt` and `2048    Feb-28-1998  05:23:30   tmp <DIR>`.
//!
//! Pure: no I/O. Owns the size, the date as `Mon DD YYYY` (some servers add a comma after the
//! day) or `Mon-DD-YYYY`, the time, the `<DIR>` marker after the name or a `/` ending it, and
//! the `size date time name` header with its line of dashes. The name is everything after the
//! blanks that follow the time, less the marker and the blanks before it.

use chrono::NaiveDate;

use super::{
    EntryKind, ListEntry, Parsed, Tokens, is_dot_name, list_time, month_number, parse_clock,
    parse_u64, small_number, trim_end_blanks,
};

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    if is_header(line) {
        return Parsed::Ignored;
    }
    parse_entry(line).unwrap_or(Parsed::Junk)
}

/// `size date time name`, or the dashes under it.
fn is_header(line: &[u8]) -> bool {
    let mut words = Tokens::new(line).map(|t| t.bytes);
    let titles = [b"size".as_slice(), b"date", b"time", b"name"];
    let mut dashes = Tokens::new(line).map(|t| t.bytes).peekable();
    let all_dashes =
        dashes.peek().is_some() && dashes.all(|t| t.len() >= 2 && t.iter().all(|&b| b == b'-'));
    all_dashes
        || (titles
            .iter()
            .all(|title| words.next().is_some_and(|w| w.eq_ignore_ascii_case(title)))
            && words.next().is_none())
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let mut tokens = Tokens::new(line);
    let size = parse_u64(tokens.next()?.bytes)?;
    let date = parse_date(&mut tokens)?;
    let clock = parse_clock(tokens.next()?.bytes)?;
    let mut name = tokens.rest();
    let mut kind = EntryKind::File;
    if let Some(before) = name
        .len()
        .checked_sub(5)
        .and_then(|at| name.split_at_checked(at))
        .filter(|(_, marker)| marker.eq_ignore_ascii_case(b"<DIR>"))
        .map(|(before, _)| trim_end_blanks(before))
    {
        (name, kind) = (before, EntryKind::Dir);
    } else if let Some(before) = name.strip_suffix(b"/") {
        (name, kind) = (before, EntryKind::Dir);
    }
    if name.is_empty() {
        return None;
    }
    if is_dot_name(name) {
        return Some(Parsed::Ignored);
    }
    Some(Parsed::Entry(ListEntry {
        size: Some(size),
        modified: Some(list_time(date, Some(clock))),
        ..ListEntry::new(name, kind)
    }))
}

/// Reads `Mon DD YYYY`, `Mon DD, YYYY` or `Mon-DD-YYYY` from `tokens`.
fn parse_date(tokens: &mut Tokens<'_>) -> Option<NaiveDate> {
    let first = tokens.next()?.bytes;
    let (month, day, year) = if first.contains(&b'-') {
        let mut parts = first.split(|&b| b == b'-');
        let parts = (parts.next()?, parts.next()?, parts.next()?, parts.next());
        match parts {
            (month, day, year, None) => (month, day, year),
            _ => return None,
        }
    } else {
        let day = tokens.next()?.bytes;
        let day = day.strip_suffix(b",").unwrap_or(day);
        (first, day, tokens.next()?.bytes)
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(small_number(year, 4..=4)?).ok()?,
        month_number(month)?,
        small_number(day, 1..=2)?,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_vxworks_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"  512    Mar 14 2024 10:00  file.txt",
                "File 'file.txt' 512 2024-03-14T10:00:00/Minute - - -",
            ),
            (
                b"2048    Feb-28-1998  05:23:30   tmp dir <DIR>",
                "Dir 'tmp dir' 2048 1998-02-28T05:23:30/Second - - -",
            ),
            (
                b"     512    JAN-01-1998  00:00:00   sub               <dir>",
                "Dir 'sub' 512 1998-01-01T00:00:00/Second - - -",
            ),
            // VShell-style: a comma after the day, a slash after a directory's name.
            (
                b"206876  Apr 04, 2000 21:06 old file",
                "File 'old file' 206876 2000-04-04T21:06:00/Minute - - -",
            ),
            (
                b"0  Dec 12, 2002 02:13 old dir/",
                "Dir 'old dir' 0 2002-12-12T02:13:00/Minute - - -",
            ),
            (
                b"18446744073709551615 Jun 1 2024 0:00  huge  ",
                "File 'huge  ' 18446744073709551615 2024-06-01T00:00:00/Minute - - -",
            ),
        ];
        check_list(ServerType::VxWorks, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_headers_dots_and_junk() {
        check_family(
            Family::VxWorks,
            &[
                (b"  size          date       time       name", "ignored"),
                (b"--------       ------     ------    --------", "ignored"),
                (b"512 JAN-01-1998 00:00:00 . <DIR>", "ignored"),
                (b"512 JAN-01-1998 00:00:00 ..", "ignored"),
                (b"size date time name extra", "junk"),
                (b"-", "junk"),
                (b"512 JAN-01-1998 00:00:00", "junk"),
                (b"512 JAN-01-1998 00:00:00 <DIR>", "junk"),
                (b"512 JAN-01-1998 00:00:00 /", "junk"),
                (b"x Mar 14 2024 10:00 bad-size", "junk"),
                (b"512 Foo 14 2024 10:00 bad-month", "junk"),
                (b"512 Mar 32 2024 10:00 bad-day", "junk"),
                (b"512 Mar 14 24 10:00 bad-year", "junk"),
                (b"512 Mar-14-2024-1 10:00 bad-date", "junk"),
                (b"512 Mar 14 2024 10:60 bad-time", "junk"),
                (b"512 14 Mar 2024 10:00 day-first", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::VxWorks,
            Truncation::SameFields,
            &[
                b"  512    Mar 14 2024 10:00  file.txt",
                b"206876  Apr 04, 2000 21:06 old file",
            ],
        );
        // A cut line may lose the `<DIR>` after the name.
        mangle(
            ListFormat::List,
            ServerType::Auto,
            Truncation::Lossy,
            &[b"2048    Feb-28-1998  05:23:30   tmp dir <DIR>"],
        );
    }
}
