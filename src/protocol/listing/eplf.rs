//! EPLF lines (D. J. Bernstein's Easily Parsed LIST Format, sent by publicfile and a few
//! others): `+i8388621.29609,m824255902,/,\tdev`.
//!
//! Pure: no I/O. Owns the facts between the `+` and the tab: `/` (a directory), `r` (a file
//! that can be retrieved), `s` size, `m` modification time in seconds since 1970 UTC, `up`
//! octal permissions; other facts, such as the `i` identifier, are ignored. Must not interpret
//! the name: it is every byte after the first tab.

use chrono::DateTime;

use super::{
    EntryKind, ListEntry, ListTime, Parsed, TimePrecision, is_dot_name, parse_octal_mode,
    parse_u64, render_mode,
};

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    parse_entry(line).unwrap_or(Parsed::Junk)
}

fn parse_entry(line: &[u8]) -> Option<Parsed> {
    let rest = line.strip_prefix(b"+")?;
    let tab = rest.iter().position(|&b| b == b'\t')?;
    let (facts, name) = rest.split_at(tab);
    let name = name.get(1..)?;
    // Facts hold no blanks, so a line with any is something else.
    if name.is_empty() || facts.contains(&b' ') {
        return None;
    }
    let (mut dir, mut retrievable) = (false, false);
    let (mut size, mut modified, mut permissions) = (None, None, None);
    for fact in facts.split(|&b| b == b',') {
        let Some((&kind, value)) = fact.split_first() else {
            continue;
        };
        match kind {
            b'/' => dir = true,
            b'r' => retrievable = true,
            // A bad size or time makes the whole line untrustworthy, as in MLSD.
            b's' => size = Some(parse_u64(value)?),
            b'm' => {
                let seconds = i64::try_from(parse_u64(value)?).ok()?;
                modified = Some(ListTime {
                    at: DateTime::from_timestamp(seconds, 0)?.naive_utc(),
                    precision: TimePrecision::Second,
                });
            }
            b'u' => {
                if let Some(mode) = value.strip_prefix(b"p") {
                    permissions = Some(render_mode(parse_octal_mode(mode)?));
                }
            }
            _ => {}
        }
    }
    if is_dot_name(name) {
        return Some(Parsed::Ignored);
    }
    // An entry that can be neither entered nor retrieved is some special file.
    let kind = match (dir, retrievable) {
        (true, _) => EntryKind::Dir,
        (false, true) => EntryKind::File,
        (false, false) => EntryKind::Other,
    };
    Some(Parsed::Entry(ListEntry {
        size,
        modified,
        permissions,
        ..ListEntry::new(name, kind)
    }))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check_family, check_list, mangle};
    use super::super::{Family, ListFormat, ServerType};

    #[test]
    fn parses_eplf_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"+i8388621.29609,m824255902,/,\tdev",
                "Dir 'dev' - 1996-02-13T23:58:22/Second - - -",
            ),
            (
                b"+i8388621.48594,m825718503,r,s280,up755,\tmy file.txt",
                "File 'my file.txt' 280 1996-03-01T22:15:03/Second rwxr-xr-x - -",
            ),
            // Any order, no trailing comma, unknown facts, and a name with tabs and spaces.
            (
                b"+s18446744073709551615,r,x9,\t  two\tparts ",
                "File '  two\\tparts ' 18446744073709551615 - - - -",
            ),
            (
                b"+m0\tspecial",
                "Other 'special' - 1970-01-01T00:00:00/Second - - -",
            ),
            (b"+\tplain", "Other 'plain' - - - - -"),
        ];
        check_list(ServerType::Unix, cases);
        check_list(ServerType::Auto, cases);
    }

    #[test]
    fn drops_dots_and_junk() {
        check_family(
            Family::Eplf,
            &[
                (b"+/,\t.", "ignored"),
                (b"+/,\t..", "ignored"),
                (b"+/,\t", "junk"),
                (b"+/,", "junk"),
                (b"i1,/,\tno-plus", "junk"),
                (b"+s12a,r,\tbad-size", "junk"),
                (b"+s18446744073709551616,r,\ttoo-big", "junk"),
                (b"+m99999999999999999999,r,\tbad-time", "junk"),
                (b"+m9223372036854775807,r,\tout-of-range", "junk"),
                (b"+up9,r,\tbad-mode", "junk"),
                (b"+r, s1,\tspace", "junk"),
            ],
        );
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::Unix,
            Truncation::SameFields,
            &[
                b"+i8388621.48594,m825718503,r,s280,up755,\tmy file.txt",
                b"+i8388621.29609,m824255902,/,\tdev",
            ],
        );
    }
}
