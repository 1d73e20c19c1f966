//! HP NonStop (Tandem Guardian) `LIST` lines: `FILE01 101 528 6-Apr-07 14:21:18 255, 0 "oooo"`,
//! that is name, file code, size, date, time, owner as `group, user` and security.
//!
//! Pure: no I/O. Owns the seven columns; the owner may be printed with or without a blank after
//! its comma. The security string is kept without its quotes.

use chrono::NaiveDate;

use super::{
    EntryKind, Head, ListEntry, Parsed, is_digits, is_dot_name, list_time, month_number,
    parse_clock, parse_u64, parse_year, small_number, text,
};

/// The columns with the owner split in two, and one more to refuse longer lines.
const MAX_TOKENS: usize = 9;

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).unwrap_or(Parsed::Junk)
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let head = Head::<MAX_TOKENS>::new(line);
    let (name, code, size, date, time, group, user, security) = match head.as_slice() {
        [name, code, size, date, time, owner, security] => {
            let comma = owner.bytes.iter().position(|&b| b == b',')?;
            let (group, user) = owner.bytes.split_at(comma);
            (
                name,
                code,
                size,
                date,
                time,
                group,
                user.get(1..)?,
                security,
            )
        }
        [name, code, size, date, time, group, user, security] => {
            let group = group.bytes.strip_suffix(b",")?;
            (name, code, size, date, time, group, user.bytes, security)
        }
        _ => return None,
    };
    let security = security.bytes.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let valid = is_digits(code.bytes)
        && is_digits(group)
        && is_digits(user)
        && !security.is_empty()
        && !security.contains(&b'"');
    if !valid {
        return None;
    }
    let size = parse_u64(size.bytes)?;
    let date = parse_date(date.bytes)?;
    let clock = parse_clock(time.bytes)?;
    if is_dot_name(name.bytes) {
        return Some(Parsed::Ignored);
    }
    Some(Parsed::Entry(ListEntry {
        size: Some(size),
        modified: Some(list_time(date, Some(clock))),
        permissions: Some(text(security)),
        owner: Some(text(user)),
        group: Some(text(group)),
        ..ListEntry::new(name.bytes, EntryKind::File)
    }))
}

/// Reads `6-Apr-07` or `06-Apr-2007`.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let mut parts = token.split(|&b| b == b'-');
    let day = small_number(parts.next()?, 1..=2)?;
    let month = month_number(parts.next()?)?;
    let year = parts.next()?;
    if parts.next().is_some() || year.len() == 3 {
        return None;
    }
    NaiveDate::from_ymd_opt(parse_year(year)?, month, day)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_nonstop_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"FILE01 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\"",
                "File 'FILE01' 528 2007-04-06T14:21:18/Second oooo 0 255",
            ),
            (
                b"FILE02 0 5000000000 16-DEC-2023 09:05 255,255 \"nunu\"",
                "File 'FILE02' 5000000000 2023-12-16T09:05:00/Minute nunu 255 255",
            ),
        ];
        check_list(ServerType::HpNonStop, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_junk() {
        check_family(
            Family::HpNonStop,
            &[
                (b". 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\"", "ignored"),
                (b"F 101 528 6-Apr-07 14:21:18 255, 0 oooo", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 255, 0 \"\"", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 255, 0 \"o\"o\"", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 255 0 \"oooo\"", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 2550 \"oooo\"", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 255,x \"oooo\"", "junk"),
                (b"F x 528 6-Apr-07 14:21:18 255,0 \"oooo\"", "junk"),
                (b"F 101 x 6-Apr-07 14:21:18 255,0 \"oooo\"", "junk"),
                (b"F 101 528 6-Foo-07 14:21:18 255,0 \"oooo\"", "junk"),
                (b"F 101 528 6-Apr-107 14:21:18 255,0 \"oooo\"", "junk"),
                (b"F 101 528 6-Apr-07 14:61:18 255,0 \"oooo\"", "junk"),
                (b"F 101 528 6-Apr-07 14:21:18 255,0 \"oooo\" x", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::HpNonStop,
            Truncation::SameFields,
            &[b"FILE01 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\""],
        );
    }
}
