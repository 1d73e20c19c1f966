//! IBM MVS (z/OS) `LIST` lines: datasets
//! (`WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.FILE`, under the header
//! `Volume Unit Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname`) and the members of a
//! partitioned dataset (`MEMBER1 01.01 2004/06/22 2004/06/22 16:32 128 128 0 BOBY12`, under
//! `Name VV.MM Created Changed Size Init Mod Id`).
//!
//! Pure: no I/O. Owns both row layouts and their headers, and the rows that only a server the
//! user says is MVS gets read as such, because they look like anything: a member with no
//! statistics (just its name), a load-module member, a migrated dataset and a tape dataset.
//!
//! A partitioned dataset (`PO`, `PO-E`) is a directory; everything else is a file. Sizes are
//! tracks, records or load-module lengths, never the bytes a download yields, so entries carry
//! none. A dataset's date is the day it was last referred to, the only date the row has; a
//! member's is when it last changed, and its owner the user who changed it.

use chrono::NaiveDate;

use super::{
    EntryKind, Head, ListEntry, Parsed, Token, is_digits, list_time, parse_clock, small_number,
    text,
};

/// The longest row: the ten columns of a dataset.
const MAX_TOKENS: usize = 11;

/// Parses one line, without its line ending; `hinted` when the user said the server is MVS.
pub(super) fn parse(line: &[u8], hinted: bool) -> Parsed {
    let head = Head::<MAX_TOKENS>::new(line);
    let tokens = head.as_slice();
    if tokens.len() == MAX_TOKENS {
        return Parsed::Junk;
    }
    if is_header(tokens) {
        return Parsed::Ignored;
    }
    let entry = parse_dataset(tokens)
        .or_else(|| parse_member(tokens))
        .or_else(|| hinted.then(|| parse_bare_row(tokens)).flatten());
    entry.map_or(Parsed::Junk, Parsed::Entry)
}

/// `Volume Unit ...` above datasets, `Name VV.MM ...` above members, `Name Size TTR ...`
/// above load modules.
fn is_header(tokens: &[Token<'_>]) -> bool {
    let word = |at: usize, text: &[u8]| {
        tokens
            .get(at)
            .is_some_and(|t| t.bytes.eq_ignore_ascii_case(text))
    };
    (word(0, b"Volume") && word(1, b"Unit"))
        || (word(0, b"Name") && (word(1, b"VV.MM") || word(1, b"Size")))
}

/// A dataset row: `Volume Unit Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname`, or
/// `Volume Unit VSAM Dsname`.
fn parse_dataset(tokens: &[Token<'_>]) -> Option<ListEntry> {
    let [_volume, _unit, referred, rest @ ..] = tokens else {
        return None;
    };
    if referred.bytes == b"VSAM" {
        let [name] = rest else {
            return None;
        };
        return Some(ListEntry::new(name.bytes, EntryKind::File));
    }
    let referred = match referred.bytes {
        b"**NONE**" => None,
        date => Some(parse_date(date)?),
    };
    let (ext, rest) = rest.split_first()?;
    if !is_digits(ext.bytes) {
        return None;
    }
    // A large used count runs into the extents column (`213000`), leaving no blank between.
    let rest = match rest {
        [used, rest @ ..] if is_digits(used.bytes) || matches!(used.bytes, b"????" | b"++++") => {
            rest
        }
        _ if ext.bytes.len() >= 6 => rest,
        _ => return None,
    };
    let [recfm, lrecl, blksize, dsorg, name] = rest else {
        return None;
    };
    let valid = recfm.bytes.iter().all(u8::is_ascii_uppercase)
        && is_digits(lrecl.bytes)
        && is_digits(blksize.bytes)
        && !dsorg.bytes.is_empty()
        && dsorg
            .bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b == b'-' || b == b'?');
    if !valid || recfm.bytes.is_empty() {
        return None;
    }
    let kind = match dsorg.bytes {
        b"PO" | b"PO-E" => EntryKind::Dir,
        _ => EntryKind::File,
    };
    Some(ListEntry {
        modified: referred.map(|date| list_time(date, None)),
        ..ListEntry::new(name.bytes, kind)
    })
}

/// A member row with ISPF statistics: `Name VV.MM Created Changed Time Size Init Mod Id`.
fn parse_member(tokens: &[Token<'_>]) -> Option<ListEntry> {
    let [
        name,
        version,
        created,
        changed,
        time,
        size,
        init,
        modified,
        id,
    ] = tokens
    else {
        return None;
    };
    let valid = is_version(version.bytes)
        && parse_date(created.bytes).is_some()
        && [size, init, modified].iter().all(|t| is_digits(t.bytes));
    if !valid {
        return None;
    }
    let changed = parse_date(changed.bytes)?;
    let clock = parse_clock(time.bytes)?;
    Some(ListEntry {
        modified: Some(list_time(changed, Some(clock))),
        owner: Some(text(id.bytes)),
        ..ListEntry::new(name.bytes, EntryKind::File)
    })
}

/// The rows read only when the user says the server is MVS.
fn parse_bare_row(tokens: &[Token<'_>]) -> Option<ListEntry> {
    let name = match tokens {
        // A member without statistics.
        [name] => name,
        [migrated, name] if migrated.bytes.eq_ignore_ascii_case(b"Migrated") => name,
        [_volume, unit, name] if unit.bytes.eq_ignore_ascii_case(b"Tape") => name,
        [name, rest @ ..] if is_load_module(rest) => name,
        _ => return None,
    };
    Some(ListEntry::new(name.bytes, EntryKind::File))
}

/// The columns after a load module's name: `Size TTR Alias-of AC Attributes Amode Rmode`, as
/// `00B308 000411  00 FO  31 ANY`; sizes and TTRs are hexadecimal.
fn is_load_module(columns: &[Token<'_>]) -> bool {
    let [size, ttr, ac, attributes @ .., amode, rmode] = columns else {
        return false;
    };
    let hex = |t: &Token<'_>| !t.bytes.is_empty() && t.bytes.iter().all(u8::is_ascii_hexdigit);
    let mode = |t: &Token<'_>| is_digits(t.bytes) || t.bytes == b"ANY";
    hex(size)
        && hex(ttr)
        && is_digits(ac.bytes)
        && !attributes.is_empty()
        && attributes
            .iter()
            .all(|t| t.bytes.iter().all(u8::is_ascii_uppercase))
        && mode(amode)
        && mode(rmode)
}

/// `01.01`: a member's version and modification level.
fn is_version(token: &[u8]) -> bool {
    matches!(token, [a, b, b'.', c, d] if [a, b, c, d].iter().all(|d| d.is_ascii_digit()))
}

/// Reads `YYYY/MM/DD`.
fn parse_date(token: &[u8]) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, b'/', m1, m2, b'/', d1, d2] = *token else {
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
    fn parses_datasets_and_members() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.FILE",
                "File 'USER.FILE' - 2003-05-21T00:00:00/Day - - -",
            ),
            (
                b"WPTA01 3290   2004/03/04  1    3  FB      80  3125  PO  USER.PDS",
                "Dir 'USER.PDS' - 2004-03-04T00:00:00/Day - - -",
            ),
            (
                b"WYOSPT 3420   2003/05/21  1 3 U 6447    6447  PO-E USER.PDSE",
                "Dir 'USER.PDSE' - 2003-05-21T00:00:00/Day - - -",
            ),
            // Never referred to; used blocks unknown or too many for the column, or run into
            // the extents.
            (
                b"NRP004 3390   **NONE**    1   15  NONE     0     0  PO  NEVER.USED",
                "Dir 'NEVER.USED' - - - - -",
            ),
            (
                b"WYOSPT 3420   2003/05/21  1 ????  FB      80  8053  PS  UNKNOWN.USED",
                "File 'UNKNOWN.USED' - 2003-05-21T00:00:00/Day - - -",
            ),
            (
                b"GISBWI 3390   2011/08/25  2 ++++  FB     904 18080  PS  MANY.USED",
                "File 'MANY.USED' - 2011-08-25T00:00:00/Day - - -",
            ),
            (
                b"TSO005 3390   2005/06/06 213000 U 0 27998 PO GLUED.COLUMNS",
                "Dir 'GLUED.COLUMNS' - 2005-06-06T00:00:00/Day - - -",
            ),
            (
                b"TSO004 3390   VSAM USER.VSAM",
                "File 'USER.VSAM' - - - - -",
            ),
            (
                b"MEMBER1   01.01 2004/06/22 2004/06/23 16:32   128   128    0 BOBY12",
                "File 'MEMBER1' - 2004-06-23T16:32:00/Minute - BOBY12 -",
            ),
            (
                b"M2 01.00 2024/01/01 2024/03/14 10:00:05 1 1 0 IBMUSER",
                "File 'M2' - 2024-03-14T10:00:05/Second - IBMUSER -",
            ),
        ];
        check_list(ServerType::Mvs, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn reads_bare_rows_only_when_told() {
        let cases: &[(&[u8], &str)] = &[
            (b"MEMBER", "File 'MEMBER' - - - - -"),
            (b"Migrated\t\t\t\tSOME.FILE", "File 'SOME.FILE' - - - - -"),
            (
                b"V43525 Tape                                             TAPE.FILE",
                "File 'TAPE.FILE' - - - - -",
            ),
            (
                b"LOADMOD1 00B308 000411  00 FO                31    ANY",
                "File 'LOADMOD1' - - - - -",
            ),
            (
                b"LOADMOD2 00B308 000411  00 FO        RU      ANY    24",
                "File 'LOADMOD2' - - - - -",
            ),
        ];
        check_list(ServerType::Mvs, cases);
        for (line, _) in cases {
            let cases: &[(&[u8], &str)] = &[(line, "")];
            check_list(ServerType::Auto, cases);
        }
    }

    #[test]
    fn drops_headers_and_junk() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname",
                "ignored",
            ),
            (
                b" Name     VV.MM   Created       Changed      Size  Init   Mod   Id",
                "ignored",
            ),
            (
                b" Name      Size     TTR   Alias-of AC --------- Attributes --------- Amode Rmode",
                "ignored",
            ),
            (b"V U 2003/05/21 1 200 FB 80 8053 PS", "junk"),
            (b"V U 2003/05/21 1 200 FB 80 8053 PS A B", "junk"),
            (b"V U 2003/13/21 1 200 FB 80 8053 PS BAD.DATE", "junk"),
            (b"V U 03/05/21 1 200 FB 80 8053 PS SHORT.DATE", "junk"),
            (b"V U 2003/05/21 x 200 FB 80 8053 PS BAD.EXT", "junk"),
            (b"V U 2003/05/21 1 FB 80 8053 PS NO.USED", "junk"),
            (b"V U 2003/05/21 1 200 fb 80 8053 PS BAD.RECFM", "junk"),
            (b"V U 2003/05/21 1 200 FB x 8053 PS BAD.LRECL", "junk"),
            (b"V U 2003/05/21 1 200 FB 80 8053 ps BAD.DSORG", "junk"),
            (b"V U VSAM", "junk"),
            (b"V U VSAM A B", "junk"),
            (b"M 1.01 2004/06/22 2004/06/22 16:32 1 1 0 ID", "junk"),
            (b"M 01.01 2004/06/22 2004/06/32 16:32 1 1 0 ID", "junk"),
            (b"M 01.01 2004/06/22 2004/06/22 16:32 1 1 0", "junk"),
            (b"M 01.01 2004/06/22 2004/06/22 16:32 1 x 0 ID", "junk"),
            (b"M 01.01 2004/06/22 2004/06/22 16:62 1 1 0 ID", "junk"),
            (b"1 2 3 4 5 6 7 8 9 10 11", "junk"),
        ];
        check_family(Family::Mvs, cases);
        check_family(Family::MvsHinted, cases);
        check_family(
            Family::MvsHinted,
            &[
                (b"", "junk"),
                (b"Migrated A B", "junk"),
                (b"V Tape A B", "junk"),
                (b"L 00B30G 000411 00 FO 31 ANY", "junk"),
                (b"L 00B308 000411 00 31 ANY", "junk"),
                (b"L 00B308 000411 00 Fo 31 ANY", "junk"),
                (b"L 00B308 000411 00 FO 31 ALL", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        let datasets: &[&[u8]] = &[
            b"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.FILE",
            b"TSO005 3390   2005/06/06 213000 U 0 27998 PO GLUED.COLUMNS",
            b"TSO004 3390   VSAM USER.VSAM",
        ];
        mangle(
            ListFormat::List,
            ServerType::Auto,
            Truncation::SameFields,
            datasets,
        );
        // A member's name leads its row, so a cut row may lose the end of its owner.
        let members: &[&[u8]] = &[
            b"MEMBER1   01.01 2004/06/22 2004/06/23 16:32   128   128    0 BOBY12",
            b"LOADMOD1 00B308 000411  00 FO                31    ANY",
        ];
        mangle(
            ListFormat::List,
            ServerType::Mvs,
            Truncation::Lossy,
            members,
        );
    }
}
