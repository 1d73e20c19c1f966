//! DOS-style `LIST` lines, as IIS and Windows servers send them:
//! `01-16-24  02:15PM       <DIR>          Folder name`.
//!
//! Pure: no I/O. Owns the date, the 12- or 24-hour time and the `<DIR>` or size column; DOS
//! lines always carry their year, so nothing here guesses one. The name is everything after the
//! blanks that pad the size column, so a DOS name cannot keep leading spaces (IIS pads with them).

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::{
    EntryKind, ListEntry, ListTime, Parsed, TimePrecision, Tokens, is_dot_name, parse_clock,
    small_number, trim_start_blanks,
};

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).unwrap_or(Parsed::Junk)
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let mut tokens = Tokens::new(line);
    let date = parse_date(tokens.next()?.bytes)?;
    let clock = tokens.next()?.bytes;
    let (time, precision) = parse_time(clock, &mut tokens)?;
    let column = tokens.next()?;
    let (kind, size) = if column.bytes.eq_ignore_ascii_case(b"<DIR>") {
        (EntryKind::Dir, None)
    } else {
        (EntryKind::File, Some(parse_size(column.bytes)?))
    };
    let name = trim_start_blanks(line.get(column.end..)?);
    if name.is_empty() {
        return None;
    }
    if is_dot_name(name) {
        return Some(Parsed::Ignored);
    }
    Some(Parsed::Entry(ListEntry {
        size,
        modified: Some(ListTime {
            at: date.and_time(time),
            precision,
        }),
        ..ListEntry::new(name, kind)
    }))
}

/// Reads `MM-DD-YY`, `MM-DD-YYYY` or `YYYY-MM-DD`, with `-` or `/` between the fields.
fn parse_date(bytes: &[u8]) -> Option<NaiveDate> {
    let separator = *bytes.iter().find(|&&b| b == b'-' || b == b'/')?;
    let mut parts = bytes.split(|&b| b == separator);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, a, b) };
    let year = match year.len() {
        // Two-digit years pivot at 1970, as Windows itself does.
        2 => match small_number(year, 2..=2)? {
            y @ 0..70 => 2000 + y,
            y => 1900 + y,
        },
        _ => small_number(year, 4..=4)?,
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        small_number(month, 1..=2)?,
        small_number(day, 1..=2)?,
    )
}

/// Reads `14:15`, `02:15PM` or `02:15 PM`, taking the AM/PM token from `tokens` if it stands alone.
fn parse_time(clock: &[u8], tokens: &mut Tokens<'_>) -> Option<(NaiveTime, TimePrecision)> {
    let attached = clock
        .len()
        .checked_sub(2)
        .and_then(|at| clock.split_at_checked(at))
        .and_then(|(digits, suffix)| Some((digits, meridiem(suffix)?)));
    let (digits, pm) = match attached {
        Some((digits, pm)) => (digits, Some(pm)),
        None => {
            let mut ahead = tokens.clone();
            let pm = ahead.next().and_then(|token| meridiem(token.bytes));
            if pm.is_some() {
                *tokens = ahead;
            }
            (clock, pm)
        }
    };
    let (time, precision) = parse_clock(digits)?;
    let Some(pm) = pm else {
        return Some((time, precision));
    };
    // 12:xxAM is just after midnight and 12:xxPM just after noon.
    let hour = match time.hour() {
        12 if !pm => 0,
        12 => 12,
        h @ 1..=11 => h + if pm { 12 } else { 0 },
        _ => return None,
    };
    Some((time.with_hour(hour)?, precision))
}

/// `Some(true)` for PM, `Some(false)` for AM.
fn meridiem(bytes: &[u8]) -> Option<bool> {
    if bytes.eq_ignore_ascii_case(b"PM") {
        Some(true)
    } else if bytes.eq_ignore_ascii_case(b"AM") {
        Some(false)
    } else {
        None
    }
}

/// Reads a size that may have thousands separators: `1234` or `1,234`.
fn parse_size(bytes: &[u8]) -> Option<u64> {
    if !bytes.first()?.is_ascii_digit() || bytes.ends_with(b",") {
        return None;
    }
    bytes
        .iter()
        .filter(|&&b| b != b',')
        .try_fold(0u64, |total, &b| {
            let digit = b.is_ascii_digit().then(|| u64::from(b - b'0'))?;
            total.checked_mul(10)?.checked_add(digit)
        })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check, ctx, mangle};
    use super::super::{ListFormat, ServerType, parse_list_line};
    use super::*;

    #[test]
    fn parses_dos_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"01-16-24  02:15PM       <DIR>          Folder name",
                "Dir 'Folder name' - 2024-01-16T14:15:00/Minute - - -",
            ),
            (
                b"01-16-2024  14:15       1234 file name.txt",
                "File 'file name.txt' 1234 2024-01-16T14:15:00/Minute - - -",
            ),
            (
                b"12-31-99  11:59AM   5,000,000,000 old.bin",
                "File 'old.bin' 5000000000 1999-12-31T11:59:00/Minute - - -",
            ),
            // Two-digit years pivot at 70; 12 AM is midnight and 12 PM noon.
            (
                b"01-01-70  12:00AM  0 midnight",
                "File 'midnight' 0 1970-01-01T00:00:00/Minute - - -",
            ),
            (
                b"01-01-69  12:30PM  1 noon",
                "File 'noon' 1 2069-01-01T12:30:00/Minute - - -",
            ),
            (
                b"3/7/2024  9:05 pm  <dir>  lower",
                "Dir 'lower' - 2024-03-07T21:05:00/Minute - - -",
            ),
            (
                b"2024-03-07  09:05  42  iso",
                "File 'iso' 42 2024-03-07T09:05:00/Minute - - -",
            ),
            (
                b"01-16-24\t02:15PM\t<DIR>\ttabs",
                "Dir 'tabs' - 2024-01-16T14:15:00/Minute - - -",
            ),
            // The name keeps `;`, `=` and trailing spaces, but not the padding before it.
            (
                b"01-16-24  02:15PM  1,234  a;b=c  ",
                "File 'a;b=c  ' 1234 2024-01-16T14:15:00/Minute - - -",
            ),
            // Only the token right after a time can be its AM/PM.
            (
                b"01-16-24  14:15  7  PM",
                "File 'PM' 7 2024-01-16T14:15:00/Minute - - -",
            ),
            (
                b"01-16-24  02:15PM  3  \x82\xa0.txt",
                r"File '\x82\xa0.txt' 3 2024-01-16T14:15:00/Minute - - -",
            ),
        ];
        check(|line| parse_list_line(line, &ctx()), cases);
    }

    #[test]
    fn drops_dots_and_junk() {
        let cases: [(&[u8], Parsed); 12] = [
            (b"01-16-24  02:15PM  <DIR>  .", Parsed::Ignored),
            (b"01-16-24  02:15PM  <DIR>  ..", Parsed::Ignored),
            (b"01-16-24  02:15PM  <DIR>", Parsed::Junk),
            (b"01-16-24  02:15PM  <DIR>   ", Parsed::Junk),
            (b"13-16-24  02:15PM  1  bad-month", Parsed::Junk),
            (b"01-16-24  13:15PM  1  bad-hour", Parsed::Junk),
            (b"01-16-24  00:15AM  1  zero-hour", Parsed::Junk),
            (b"01-16-24  02:15XM  1  bad-meridiem", Parsed::Junk),
            (b"01-16-24  02:15PM  1,  bad-size", Parsed::Junk),
            (b"01-16-24  02:15PM  ,1  bad-size", Parsed::Junk),
            (
                b"01-16-24  02:15PM  18446744073709551616  too-big",
                Parsed::Junk,
            ),
            (b"01-16-124  02:15PM  1  bad-year", Parsed::Junk),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line), want, "{}", line.escape_ascii());
        }
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::Auto,
            Truncation::SameFields,
            &[
                b"01-16-24  02:15PM       <DIR>          Folder name",
                b"01-16-2024  14:15       1,234 file name.txt",
                b"3/7/2024  9:05 PM  5000000000  big",
            ],
        );
    }
}
