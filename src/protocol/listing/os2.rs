//! OS/2 `LIST` lines: `     0           DIR   05-12-97   16:44  PSFONTS`.
//!
//! Pure: no I/O. Owns the size, the attribute letters (`DIR`, `A`, `R`, `H`, `S`) and the
//! `MM-DD-YY` date, whose year some servers print as `103` for 2003. The name is everything
//! after the blanks that follow the time, so it cannot keep leading spaces.

use chrono::NaiveDate;

use super::{
    EntryKind, ListEntry, Parsed, Tokens, is_dot_name, list_time, parse_clock, parse_u64,
    parse_year, small_number,
};

/// Servers print `DIR` and up to four attribute letters; more tokens than this are not OS/2.
const MAX_ATTRIBUTE_TOKENS: usize = 5;

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).unwrap_or(Parsed::Junk)
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let mut tokens = Tokens::new(line);
    let size = parse_u64(tokens.next()?.bytes)?;
    let mut dir = false;
    let mut date_token = tokens.next()?;
    for _ in 0..MAX_ATTRIBUTE_TOKENS {
        match date_token.bytes {
            b"DIR" => dir = true,
            attributes if is_attributes(attributes) => {}
            _ => break,
        }
        date_token = tokens.next()?;
    }
    let date = parse_date(date_token.bytes)?;
    let clock = parse_clock(tokens.next()?.bytes)?;
    let name = tokens.rest();
    if name.is_empty() {
        return None;
    }
    if is_dot_name(name) {
        return Some(Parsed::Ignored);
    }
    let kind = if dir { EntryKind::Dir } else { EntryKind::File };
    Some(Parsed::Entry(ListEntry {
        size: Some(size),
        modified: Some(list_time(date, Some(clock))),
        ..ListEntry::new(name, kind)
    }))
}

fn is_attributes(token: &[u8]) -> bool {
    !token.is_empty() && token.len() <= 4 && token.iter().all(|b| b"ARHS".contains(b))
}

/// Reads `MM-DD-YY`, `MM-DD-YYY` or `MM-DD-YYYY`.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let mut parts = token.split(|&b| b == b'-');
    let month = small_number(parts.next()?, 1..=2)?;
    let day = small_number(parts.next()?, 1..=2)?;
    let year = parse_year(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_os2_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"     0           DIR   05-12-97   16:44  PSFONTS",
                "Dir 'PSFONTS' 0 1997-05-12T16:44:00/Minute - - -",
            ),
            (
                b" 1123      A    07-14-99   12:37  read me.txt ",
                "File 'read me.txt ' 1123 1999-07-14T12:37:00/Minute - - -",
            ),
            // Years past 1999 as `100` and up, or as 2-digit years.
            (
                b"36611      A    04-23-103  10:57  y2k file",
                "File 'y2k file' 36611 2003-04-23T10:57:00/Minute - - -",
            ),
            (
                b" 1123 DIR  A    10-05-100  23:38  y2k dir",
                "Dir 'y2k dir' 1123 2000-10-05T23:38:00/Minute - - -",
            ),
            (
                b"5000000000           01-02-24  9:05  big",
                "File 'big' 5000000000 2024-01-02T09:05:00/Minute - - -",
            ),
            (
                b"0  RHS  12-31-2023  23:59:59  hidden",
                "File 'hidden' 0 2023-12-31T23:59:59/Second - - -",
            ),
        ];
        check_list(ServerType::Dos, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_dots_and_junk() {
        check_family(
            Family::Os2,
            &[
                (b"0 DIR 05-12-97 16:44 .", "ignored"),
                (b"0 DIR 05-12-97 16:44 ..", "ignored"),
                (b"0 DIR 05-12-97 16:44", "junk"),
                (b"0 DIR 05-12-97 16:44   ", "junk"),
                (b"x DIR 05-12-97 16:44 bad-size", "junk"),
                (b"0 DIR 13-12-97 16:44 bad-month", "junk"),
                (b"0 DIR 05-12-1 16:44 bad-year", "junk"),
                (b"0 DIR 05/12/97 16:44 slashes", "junk"),
                (b"0 DIR 05-12-97 4:4 bad-time", "junk"),
                (b"0 X 05-12-97 16:44 bad-attribute", "junk"),
                (b"0 A A A A A A 05-12-97 16:44 too-many", "junk"),
                (b"18446744073709551616 A 05-12-97 16:44 too-big", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::Dos,
            Truncation::SameFields,
            &[
                b"     0           DIR   05-12-97   16:44  PSFONTS",
                b" 1123 DIR  A    10-05-100  23:38  y2k dir",
            ],
        );
    }
}
