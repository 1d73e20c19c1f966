//! IBM AS/400 (OS/400, IBM i) `LIST` lines in the native `LISTFMT 0` layout:
//! `QSYS            77824 02/23/00 15:09:55 *DIR       QDOC/`, that is owner, size, date, time,
//! object type and name.
//!
//! Pure: no I/O. Owns the layout and the date in the server job's format: `MM/DD/YY` unless the
//! first field cannot be a month (then `DD/MM/YY`) or the separator is a dot (`DD.MM.YY`). The
//! owner is blank for anonymous sessions and the size for objects without one, so both are
//! optional; the `*TYPE` column anchors the line. The name is everything after the blanks that
//! follow the type and may hold spaces; a `/` ending it marks a directory, as do the types
//! `*DIR`, `*LIB` and `*FLR`.

use chrono::NaiveDate;

use super::{
    EntryKind, ListEntry, Parsed, Token, Tokens, is_dot_name, list_time, parse_clock, parse_u64,
    parse_year, small_number, text,
};

/// Owner, size, date and time.
const MAX_COLUMNS_BEFORE_TYPE: usize = 4;

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).unwrap_or(Parsed::Junk)
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let mut tokens = Tokens::new(line);
    let mut columns = [Token::default(); MAX_COLUMNS_BEFORE_TYPE];
    let mut count = 0;
    let object_type = loop {
        let token = tokens.next()?;
        if is_object_type(token.bytes) {
            break token.bytes;
        }
        *columns.get_mut(count)? = token;
        count += 1;
    };
    let mut columns = columns.get(..count)?;
    let mut modified = None;
    if let [before @ .., date, time] = columns
        && let Some(date) = parse_date(date.bytes)
    {
        modified = Some(list_time(date, Some(parse_clock(time.bytes)?)));
        columns = before;
    }
    let (owner, size) = match columns {
        [] => (None, None),
        [owner, size] => (Some(owner.bytes), Some(parse_u64(size.bytes)?)),
        [only] => match parse_u64(only.bytes) {
            Some(size) => (None, Some(size)),
            None => (Some(only.bytes), None),
        },
        _ => return None,
    };
    // An owner is a user profile name, which starts with a letter, `$`, `#` or `@`.
    let profile_start = |b: &u8| b.is_ascii_alphabetic() || b"$#@".contains(b);
    if owner.is_some_and(|o| !o.first().is_some_and(profile_start)) {
        return None;
    }
    let mut name = tokens.rest();
    let mut dir = matches!(object_type, b"*DIR" | b"*LIB" | b"*FLR");
    if let Some(before) = name.strip_suffix(b"/") {
        (name, dir) = (before, true);
    }
    if name.is_empty() {
        return None;
    }
    if is_dot_name(name) {
        return Some(Parsed::Ignored);
    }
    let kind = if dir { EntryKind::Dir } else { EntryKind::File };
    Some(Parsed::Entry(ListEntry {
        size,
        modified,
        owner: owner.map(text),
        ..ListEntry::new(name, kind)
    }))
}

/// `*DIR`, `*FILE`, `*STMF`...: a star and up to nine capital letters or digits.
fn is_object_type(token: &[u8]) -> bool {
    token.strip_prefix(b"*").is_some_and(|t| {
        (2..=9).contains(&t.len())
            && t.first().is_some_and(u8::is_ascii_uppercase)
            && t.iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// Reads a two-digit-field date with `/`, `-` or `.` between the fields.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let separator = *token.iter().find(|b| b"/-.".contains(b))?;
    let mut parts = token.split(|&b| b == separator);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (a, b) = (small_number(a, 2..=2)?, small_number(b, 2..=2)?);
    let (month, day) = if separator == b'.' || a > 12 {
        (b, a)
    } else {
        (a, b)
    };
    let year = parse_year(c).filter(|_| c.len() != 3)?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_as400_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"QSYS            77824 02/23/00 15:09:55 *DIR       QDOC/",
                "Dir 'QDOC' 77824 2000-02-23T15:09:55/Second - QSYS -",
            ),
            (
                b"BAILEYSE     5263360 06/11/97 12:27:39 *FILE     BPTFSAVF",
                "File 'BPTFSAVF' 5263360 1997-06-11T12:27:39/Second - BAILEYSE -",
            ),
            // Day first when the first field cannot be a month, or with dots.
            (
                b"QSYS            77824 23/02/00 15:09:55 *FILE day first",
                "File 'day first' 77824 2000-02-23T15:09:55/Second - QSYS -",
            ),
            (
                b"QPGMR           36864 18.09.06 14:21:26 *FILE      AS400.FILE",
                "File 'AS400.FILE' 36864 2006-09-18T14:21:26/Second - QPGMR -",
            ),
            (
                b"QSYS 0 01/02/2024 00:00:00 *LIB QGPL.LIB",
                "Dir 'QGPL.LIB' 0 2024-01-02T00:00:00/Second - QSYS -",
            ),
            // Blank owner, blank size, neither, and no date.
            (
                b"             5263360 06/11/97 12:27:39 *STMF     anonymous.txt",
                "File 'anonymous.txt' 5263360 1997-06-11T12:27:39/Second - - -",
            ),
            (
                b"QSECOFR                06/11/97 12:27:39 *FLR      FOLDER",
                "Dir 'FOLDER' - 1997-06-11T12:27:39/Second - QSECOFR -",
            ),
            (
                b"QSECOFR                                  *MEM      MYFILE.MBR",
                "File 'MYFILE.MBR' - - - QSECOFR -",
            ),
        ];
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_dots_and_junk() {
        check_family(
            Family::As400,
            &[
                (b"QSYS 1 02/23/00 15:09:55 *DIR .", "ignored"),
                (b"QSYS 1 02/23/00 15:09:55 *DIR ../", "ignored"),
                (b"QSYS 1 02/23/00 15:09:55 *DIR", "junk"),
                (b"QSYS 1 02/23/00 15:09:55 *DIR /", "junk"),
                (b"QSYS 1 02/23/00 15:09:55 DIR name", "junk"),
                (b"QSYS 1 02/23/00 15:09:55 *D name", "junk"),
                (b"QSYS 1 02/23/00 15:09:55 *dir name", "junk"),
                (b"QSYS 1 02/23/00 25:09:55 *DIR bad-time", "junk"),
                (b"QSYS 1 13/13/00 15:09:55 *DIR bad-date", "junk"),
                (b"QSYS 1 02/23/100 15:09:55 *DIR bad-year", "junk"),
                (b"QSYS x 02/23/00 15:09:55 *DIR bad-size", "junk"),
                (b"1QSYS 1 02/23/00 15:09:55 *DIR bad-owner", "junk"),
                (b"A B C D E *DIR too-many", "junk"),
                (b"QSYS 1 2 *DIR no-date", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::Auto,
            Truncation::SameFields,
            &[
                b"QSYS            77824 02/23/00 15:09:55 *DIR       QDOC/",
                b"BAILEYSE     5263360 06/11/97 12:27:39 *FILE     BPTF SAVF",
            ],
        );
    }
}
