//! IBM z/VM `LIST` lines:
//! `PROFILE  EXEC     F         80         12          1 2024-03-14 10:00:00 VMUSR1`, that is
//! file name, file type, record format, record length, records, blocks, date, time and the
//! owner (a minidisk label, or `-`).
//!
//! Pure: no I/O. Owns the nine columns. The entry's name is `NAME.TYPE`, the form the z/VM FTP
//! server accepts back. A fixed-format (`F`) file is its record length times its record count
//! in bytes; a variable-format (`V`) file only has an upper bound, so it carries no size.

use chrono::NaiveDate;

use super::{
    EntryKind, Head, ListEntry, Parsed, is_digits, list_time, parse_clock, parse_u64, small_number,
    text,
};

/// The nine columns and one more, to refuse longer lines.
const MAX_TOKENS: usize = 10;

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).map_or(Parsed::Junk, Parsed::Entry)
}

fn parse_entry(line: &[u8]) -> Option<ListEntry> {
    let head = Head::<MAX_TOKENS>::new(line);
    let [
        name,
        file_type,
        format,
        lrecl,
        records,
        blocks,
        date,
        time,
        owner,
    ] = head.as_slice()
    else {
        return None;
    };
    let lrecl = parse_u64(lrecl.bytes)?;
    let records = parse_u64(records.bytes)?;
    let size = match format.bytes {
        b"F" => Some(lrecl.checked_mul(records)?),
        b"V" => None,
        _ => return None,
    };
    if !is_digits(blocks.bytes) || !is_part(name.bytes) || !is_part(file_type.bytes) {
        return None;
    }
    let date = parse_date(date.bytes)?;
    let clock = parse_clock(time.bytes)?;
    let mut full_name = Vec::with_capacity(name.bytes.len() + 1 + file_type.bytes.len());
    full_name.extend_from_slice(name.bytes);
    full_name.push(b'.');
    full_name.extend_from_slice(file_type.bytes);
    Some(ListEntry {
        name: full_name,
        size,
        modified: Some(list_time(date, Some(clock))),
        // `-` stands for no minidisk label, as in a Shared File System directory.
        owner: (owner.bytes != b"-").then(|| text(owner.bytes)),
        ..ListEntry::new(b"", EntryKind::File)
    })
}

/// A file name or type: up to eight characters, none of them a dot, which would make the joined
/// name ambiguous.
fn is_part(bytes: &[u8]) -> bool {
    (1..=8).contains(&bytes.len()) && !bytes.contains(&b'.')
}

/// Reads `YYYY-MM-DD`.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *token else {
        return None;
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(small_number(&[y1, y2, y3, y4], 4..=4)?).ok()?,
        small_number(&[m1, m2], 2..=2)?,
        small_number(&[d1, d2], 2..=2)?,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_zvm_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"PROFILE  EXEC     F         80         12          1 2024-03-14 10:00:00 -",
                "File 'PROFILE.EXEC' 960 2024-03-14T10:00:00/Second - - -",
            ),
            (
                b"ZVMFILE  TRACE   V        65      107        2 2005-10-04 15:28:42 060191",
                "File 'ZVMFILE.TRACE' - 2005-10-04T15:28:42/Second - 060191 -",
            ),
            (
                b"A B F 0 0 0 2024-02-29 23:59 VMUSR1",
                "File 'A.B' 0 2024-02-29T23:59:00/Minute - VMUSR1 -",
            ),
        ];
        check_list(ServerType::ZVm, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_junk() {
        check_family(
            Family::ZVm,
            &[
                (b"A B F 80 12 1 2024-03-14 10:00:00", "junk"),
                (b"A B F 80 12 1 2024-03-14 10:00:00 - extra", "junk"),
                (b"A B X 80 12 1 2024-03-14 10:00:00 -", "junk"),
                (b"A B F x 12 1 2024-03-14 10:00:00 -", "junk"),
                (b"A B F 80 x 1 2024-03-14 10:00:00 -", "junk"),
                (b"A B F 80 12 x 2024-03-14 10:00:00 -", "junk"),
                (b"A B F 80 12 1 2024/03/14 10:00:00 -", "junk"),
                (b"A B F 80 12 1 2024-02-30 10:00:00 -", "junk"),
                (b"A B F 80 12 1 2024-03-14 24:00:00 -", "junk"),
                (b"A.X B F 80 12 1 2024-03-14 10:00:00 -", "junk"),
                (b"A NINECHARS F 80 12 1 2024-03-14 10:00:00 -", "junk"),
                (
                    b"A B F 18446744073709551615 2 1 2024-03-14 10:00:00 -",
                    "junk",
                ),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        // The owner ends the line, so a cut line may keep only the start of it.
        mangle(
            ListFormat::List,
            ServerType::ZVm,
            Truncation::Lossy,
            &[
                b"PROFILE  EXEC     F         80         12          1 2024-03-14 10:00:00 VMUSR1",
                b"ZVMFILE  TRACE   V        65      107        2 2005-10-04 15:28:42 060191",
            ],
        );
    }
}
