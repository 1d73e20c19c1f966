//! Unix `ls -l` lines, as most `LIST` replies are: `-rw-r--r-- 1 owner group 1234 Jan 1 2020 name`,
//! and two lookalikes: NetWare (`d [R----F--] supervisor 512 Jan 16 18:53 login`) and NetPresenz
//! on the Mac (`-------r-- 326 1391972 1392298 Nov 22 1995 MegaPhone.sit`).
//!
//! Pure: no I/O, no clock (the year of a recent date comes from the caller's "today"). Owns the
//! column layout and its variants: missing group or link count, device numbers, `Mon DD HH:MM`,
//! `Mon DD YYYY` and ISO dates, ACL markers. Must not touch the name beyond splitting a symlink's
//! ` -> target`: it is every byte after the single space that follows the date.
//!
//! This is the hot path of most listings, so a line is split into tokens on the stack and
//! nothing is allocated until it is known to be an entry.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};

use super::{
    EntryKind, Head, ListEntry, ListTime, Parsed, TimePrecision, Token, is_digits, is_dot_name,
    month_number, parse_clock, parse_size_field, parse_u64, small_number, text, trim_start_blanks,
};

/// Enough tokens for the longest head: mode, links, owner, group, device major, size, then a
/// three-token date and the first token of the name.
const HEAD_TOKENS: usize = 10;

/// Parses one line, without its line ending.
pub(super) fn parse(line: &[u8], today: NaiveDate) -> Parsed {
    // The head is read only as far as the date, so a long name is never split into tokens.
    let mut head = Head::<HEAD_TOKENS>::lazy(line);
    let Some(mode) = head.get(0) else {
        return Parsed::Junk;
    };
    if is_total(&mut head) {
        return Parsed::Ignored;
    }
    let (type_letter, permissions, first_column, netware) = match parse_mode(mode.bytes) {
        Some((type_letter, bits)) => (type_letter, bits, 1, false),
        None => match netware_rights(mode, head.get(1)) {
            Some((type_letter, rights)) => (type_letter, rights, 2, true),
            None => return Parsed::Junk,
        },
    };
    // Every column between the mode and the date is optional on some server, so the date is
    // found first: the size is the token just before it, and links, owner and group precede it.
    let mut date_at = first_column;
    loop {
        date_at += 1;
        if head.get(date_at).is_none() {
            return Parsed::Junk;
        }
        let Some((modified, date_end)) = parse_date(&mut head, date_at, today) else {
            continue;
        };
        let columns = head
            .as_slice()
            .get(first_column..date_at)
            .unwrap_or_default();
        let Some(fields) = Fields::parse(type_letter, columns) else {
            continue;
        };
        // Exactly one space follows the date, so a name's own leading spaces are kept; NetWare
        // pads its columns, so its names cannot have any.
        let rest = line.get(date_end + 1..).unwrap_or_default();
        let rest = if netware {
            trim_start_blanks(rest)
        } else {
            rest
        };
        let kind = match type_letter {
            b'-' => EntryKind::File,
            b'd' => EntryKind::Dir,
            b'l' => EntryKind::Symlink,
            _ => EntryKind::Other,
        };
        let (name, target) = match kind {
            EntryKind::Symlink => split_link(rest),
            _ => (rest, None),
        };
        if name.is_empty() {
            continue;
        }
        if is_dot_name(name) {
            return Parsed::Ignored;
        }
        return Parsed::Entry(ListEntry {
            size: fields.size,
            modified: Some(modified),
            permissions: Some(text(permissions)),
            owner: fields.owner.map(text),
            group: fields.group.map(text),
            target,
            ..ListEntry::new(name, kind)
        });
    }
}

/// `total 123` (or `total 12K` from `ls -h`) heads a listing and is not an entry.
fn is_total(head: &mut Head<'_, HEAD_TOKENS>) -> bool {
    head.get(0)
        .is_some_and(|word| word.bytes.eq_ignore_ascii_case(b"total"))
        && head
            .get(1)
            .is_some_and(|count| count.bytes.first().is_some_and(u8::is_ascii_digit))
        && head.get(2).is_none()
}

/// Reads a mode such as `drwxr-sr-x+`: the type letter and the nine permission letters.
fn parse_mode(token: &[u8]) -> Option<(u8, &[u8])> {
    let (&type_letter, rest) = token.split_first()?;
    // Sets of letters are matched rather than searched with `contains`, which would call a
    // memchr for every byte: this runs for every line of most listings.
    if !matches!(
        type_letter,
        b'-' | b'd' | b'l' | b'b' | b'c' | b'p' | b's' | b'D'
    ) {
        return None;
    }
    let (bits, marker) = rest.split_at_checked(9)?;
    // `l`/`L` are System V's mandatory locking; a trailing `+`, `.` or `@` marks an ACL,
    // an SELinux context or macOS extended attributes.
    let valid_bits = bits.iter().all(|b| {
        matches!(
            b,
            b'r' | b'w' | b'x' | b's' | b'S' | b't' | b'T' | b'l' | b'L' | b'-'
        )
    });
    let valid_marker = matches!(marker, [] | [b'+' | b'.' | b'@']);
    if !valid_bits || !valid_marker {
        return None;
    }
    Some((type_letter, bits))
}

/// NetWare splits the mode into a type letter and a bracketed set of trustee rights:
/// `d [RWCEAFMS]`. Returns the type letter and the rights with their brackets.
fn netware_rights<'a>(mode: Token<'a>, rights: Option<Token<'a>>) -> Option<(u8, &'a [u8])> {
    let type_letter = match mode.bytes {
        [letter @ (b'-' | b'd')] => *letter,
        _ => return None,
    };
    let rights = rights?.bytes;
    let letters = rights.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let valid = !letters.is_empty() && letters.iter().all(|b| b"RWCEAFMS-".contains(b));
    valid.then_some((type_letter, rights))
}

/// The columns between the mode and the date.
struct Fields<'a> {
    size: Option<u64>,
    owner: Option<&'a [u8]>,
    group: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn parse(type_letter: u8, columns: &[Token<'a>]) -> Option<Self> {
        let (last, mut ids) = columns.split_last()?;
        let size = if matches!(type_letter, b'b' | b'c') {
            // Devices print `major, minor` (or `major,minor`) where files print a size.
            if !is_device_number(last.bytes) {
                return None;
            }
            if !last.bytes.contains(&b',')
                && let Some((major, before)) = ids.split_last()
                && major.bytes.ends_with(b",")
                && is_device_number(major.bytes)
            {
                ids = before;
            }
            None
        } else {
            // A size past 2^64 or below zero is listed as unknown, never as another number.
            parse_size_field(last.bytes)?
        };
        // A leading number is taken for the link count; without it, owner and group shift left.
        let (owner, group) = match ids {
            [] => (None, None),
            [one] if is_digits(one.bytes) => (None, None),
            // NetPresenz prints a folder's item count after the word `folder`: no size, no owner.
            [folder] if type_letter == b'd' && folder.bytes == b"folder" => {
                return Some(Self {
                    size: None,
                    owner: None,
                    group: None,
                });
            }
            [owner] => (Some(owner.bytes), None),
            // NetPresenz prints the resource and data fork sizes, which add up to the size.
            [resource, data] if is_fork_sizes(resource.bytes, data.bytes, size) => (None, None),
            [links, owner] if is_digits(links.bytes) => (Some(owner.bytes), None),
            [owner, group] | [_, owner, group] => (Some(owner.bytes), Some(group.bytes)),
            _ => return None,
        };
        Some(Self { size, owner, group })
    }
}

fn is_device_number(bytes: &[u8]) -> bool {
    bytes.iter().any(u8::is_ascii_digit) && bytes.iter().all(|&b| b.is_ascii_digit() || b == b',')
}

fn is_fork_sizes(resource: &[u8], data: &[u8], size: Option<u64>) -> bool {
    let sum = parse_u64(resource)
        .zip(parse_u64(data))
        .and_then(|(r, d)| r.checked_add(d));
    sum.is_some() && sum == size
}

/// Reads `Mon DD HH:MM`, `Mon DD YYYY` or `YYYY-MM-DD HH:MM[:SS]` from token `at` on; returns
/// the time and the offset just past it.
fn parse_date(
    head: &mut Head<'_, HEAD_TOKENS>,
    at: usize,
    today: NaiveDate,
) -> Option<(ListTime, usize)> {
    let first = head.get(at)?;
    // The first byte tells the two shapes apart, so most columns are refused at once.
    match first.bytes.first()? {
        b'0'..=b'9' => {
            let date = parse_iso_date(first.bytes)?;
            let clock = head.get(at + 1)?;
            let (time, precision) = parse_clock(clock.bytes)?;
            let at = date.and_time(time);
            Some((ListTime { at, precision }, clock.end))
        }
        b'A'..=b'Z' | b'a'..=b'z' => {
            let month = month_number(first.bytes)?;
            let day = small_number(head.get(at + 1)?.bytes, 1..=2)?;
            let last = head.get(at + 2)?;
            let listed = match parse_clock(last.bytes) {
                Some((time, precision)) => ListTime {
                    at: recent_date(month, day, today)?.and_time(time),
                    precision,
                },
                None => {
                    let year = i32::try_from(small_number(last.bytes, 4..=4)?).ok()?;
                    ListTime {
                        at: NaiveDate::from_ymd_opt(year, month, day)?.and_time(NaiveTime::MIN),
                        precision: TimePrecision::Day,
                    }
                }
            };
            Some((listed, last.end))
        }
        _ => None,
    }
}

/// `ls` prints a time instead of a year for dates within the last six months, so the year is
/// this one, unless that would put the date more than a day in the future (the slack allows for
/// a server in another time zone).
fn recent_date(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let latest = today.checked_add_days(Days::new(1)).unwrap_or(today);
    // Feb 29 may need to go back past non-leap years to find its year.
    (0..8)
        .filter_map(|back| NaiveDate::from_ymd_opt(today.year().checked_sub(back)?, month, day))
        .find(|date| *date <= latest)
}

fn parse_iso_date(bytes: &[u8]) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *bytes else {
        return None;
    };
    let year = small_number(&[y1, y2, y3, y4], 4..=4)?;
    let month = small_number(&[m1, m2], 2..=2)?;
    let day = small_number(&[d1, d2], 2..=2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Splits `name -> target` at the first arrow; a link without one keeps its whole text as name.
fn split_link(rest: &[u8]) -> (&[u8], Option<Vec<u8>>) {
    match rest.windows(4).position(|w| w == b" -> ") {
        Some(arrow) => {
            let name = rest.get(..arrow).unwrap_or_default();
            let target = rest.get(arrow + 4..).filter(|t| !t.is_empty());
            (name, target.map(<[u8]>::to_vec))
        }
        None => (rest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check, check_list, ctx, mangle};
    use super::super::{ListContext, ListFormat, ServerType, parse_list_line};
    use super::*;

    fn list(line: &[u8]) -> Option<ListEntry> {
        parse_list_line(line, &ctx())
    }

    #[test]
    fn parses_ls_lines() {
        // Today is 2024-06-15 (see testkit::ctx).
        let cases: &[(&[u8], &str)] = &[
            (
                b"-rw-r--r--   1 alice    staff        1234 Jan  1  2020 notes.txt",
                "File 'notes.txt' 1234 2020-01-01T00:00:00/Day rw-r--r-- alice staff",
            ),
            // No group column; then no link count either.
            (
                b"-rw-r--r-- 1 owner 1234 Jan 1 2020 name",
                "File 'name' 1234 2020-01-01T00:00:00/Day rw-r--r-- owner -",
            ),
            (
                b"-rw-r--r-- owner group 1234 Jan 1 2020 name",
                "File 'name' 1234 2020-01-01T00:00:00/Day rw-r--r-- owner group",
            ),
            (
                b"drwxr-xr-x 2 1000 1000 4096 Mar 10 09:05 numeric",
                "Dir 'numeric' 4096 2024-03-10T09:05:00/Minute rwxr-xr-x 1000 1000",
            ),
            // Tomorrow is still this year (time zones differ); later dates are last year's.
            (
                b"-rw------- 1 u g 1 Jun 16 23:59 tomorrow",
                "File 'tomorrow' 1 2024-06-16T23:59:00/Minute rw------- u g",
            ),
            (
                b"-rw------- 1 u g 1 Jun 17 00:00 day-after",
                "File 'day-after' 1 2023-06-17T00:00:00/Minute rw------- u g",
            ),
            (
                b"-rw------- 1 u g 1 DEC 31 12:00 new-year",
                "File 'new-year' 1 2023-12-31T12:00:00/Minute rw------- u g",
            ),
            (
                b"-rw-r--r-- 1 u g 4 Feb 29 10:00 leap",
                "File 'leap' 4 2024-02-29T10:00:00/Minute rw-r--r-- u g",
            ),
            // ls --time-style=long-iso and --full-time (without its zone); over 4 GiB.
            (
                b"-rw-r--r-- 1 u g 5000000000 2024-03-01 12:30 big file.iso",
                "File 'big file.iso' 5000000000 2024-03-01T12:30:00/Minute rw-r--r-- u g",
            ),
            (
                b"-rw-r--r-- 1 u g 7 2024-03-01 12:30:45 full-time",
                "File 'full-time' 7 2024-03-01T12:30:45/Second rw-r--r-- u g",
            ),
            // Leading, inner and trailing spaces belong to the name.
            (
                b"-rw-r--r-- 1 u g 0 Jan 1 2020   spaced  out ",
                "File '  spaced  out ' 0 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            // Sizes that fit no byte count: listed, with an unknown size.
            (
                b"-rw-r--r-- 1 u g 18446744073709551616 Jan 1 2020 too-big",
                "File 'too-big' - 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            (
                b"-rw-r--r-- 1 u g -1 Jan 1 2020 negative",
                "File 'negative' - 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            // A name that looks like a date does not move the columns.
            (
                b"-rw-r--r-- 1 u g 3 Jan 1 2020 Feb 2 2021",
                "File 'Feb 2 2021' 3 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            // ACL, SELinux and macOS markers; setuid, setgid and sticky letters.
            (
                b"-rw-r--r--+ 1 u g 3 Jan 1 2020 acl",
                "File 'acl' 3 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            (
                b"-rw-r--r--. 1 u g 3 Jan 1 2020 selinux",
                "File 'selinux' 3 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            (
                b"drwxr-xr-x@ 3 u staff 96 Jan 1 2020 mac",
                "Dir 'mac' 96 2020-01-01T00:00:00/Day rwxr-xr-x u staff",
            ),
            (
                b"-rwsr-Sr-T 1 root root 9 Jan 1 2020 special",
                "File 'special' 9 2020-01-01T00:00:00/Day rwsr-Sr-T root root",
            ),
            (
                b"drwxrwxrwt 9 root root 4096 Jan 1 2020 tmp",
                "Dir 'tmp' 4096 2020-01-01T00:00:00/Day rwxrwxrwt root root",
            ),
            // Devices have numbers instead of a size; pipes and sockets have a size.
            (
                b"crw-rw---- 1 root tty 4, 1 Jan 1 12:00 tty1",
                "Other 'tty1' - 2024-01-01T12:00:00/Minute rw-rw---- root tty",
            ),
            (
                b"brw-rw---- 1 root disk 8,0 Jan 1 2020 sda",
                "Other 'sda' - 2020-01-01T00:00:00/Day rw-rw---- root disk",
            ),
            (
                b"prw-r--r-- 1 u g 0 Jan 1 2020 fifo",
                "Other 'fifo' 0 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
            (
                b"srwxrwxrwx 1 u g 0 Jan 1 2020 socket",
                "Other 'socket' 0 2020-01-01T00:00:00/Day rwxrwxrwx u g",
            ),
            // Names in the site's charset stay bytes (here Shift_JIS).
            (
                b"-rw-r--r-- 1 u g 2 Jan 1 2020 \x93\xfa\x96\x7b.txt",
                r"File '\x93\xfa\x96{.txt' 2 2020-01-01T00:00:00/Day rw-r--r-- u g",
            ),
        ];
        check(list, cases);
    }

    #[test]
    fn parses_netware_and_netpresenz() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"d [R----F--] supervisor            512       Jan 16 18:53    login",
                "Dir 'login' 512 2024-01-16T18:53:00/Minute [R----F--] supervisor -",
            ),
            (
                b"- [RWCEAFMS] rhesus             214059       Oct 20 15:27    file name",
                "File 'file name' 214059 2023-10-20T15:27:00/Minute [RWCEAFMS] rhesus -",
            ),
            // The fork sizes add up to the size, so they are not a link count and owner.
            (
                b"-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit",
                "File 'MegaPhone.sit' 1392298 1995-11-22T00:00:00/Day ------r-- - -",
            ),
            // A folder shows its item count, not a size.
            (
                b"drwxrwxr-x               folder        2 May 10  1996 network",
                "Dir 'network' - 1996-05-10T00:00:00/Day rwxrwxr-x - -",
            ),
            // Numbers that do not add up stay a link count and an owner.
            (
                b"-rw-r--r-- 1 1000 1392298 Nov 22 1995 plain",
                "File 'plain' 1392298 1995-11-22T00:00:00/Day rw-r--r-- 1000 -",
            ),
        ];
        check_list(ServerType::Unix, cases);
        check_list(ServerType::Auto, cases);
        let junk: &[&[u8]] = &[
            b"d [R----X--] supervisor 512 Jan 16 18:53 bad-right",
            b"d [] supervisor 512 Jan 16 18:53 no-rights",
            b"x [R----F--] supervisor 512 Jan 16 18:53 bad-type",
            b"d R----F-- supervisor 512 Jan 16 18:53 no-brackets",
        ];
        for line in junk {
            assert_eq!(
                parse(line, ctx().today),
                Parsed::Junk,
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn parses_symlinks() {
        let fields = "11 2020-01-01T00:00:00/Day rwxrwxrwx u -";
        let cases: &[(&[u8], &str)] = &[
            (
                b"lrwxrwxrwx 1 u 11 Jan 1 2020 link -> /etc/target",
                &format!("Symlink 'link' {fields} -> '/etc/target'"),
            ),
            (
                b"lrwxrwxrwx 1 u 11 Jan 1 2020 a b -> c -> d",
                &format!("Symlink 'a b' {fields} -> 'c -> d'"),
            ),
            (
                b"lrwxrwxrwx 1 u 11 Jan 1 2020 no-arrow",
                &format!("Symlink 'no-arrow' {fields}"),
            ),
            (
                b"lrwxrwxrwx 1 u 11 Jan 1 2020 dangling -> ",
                &format!("Symlink 'dangling' {fields}"),
            ),
        ];
        check(list, cases);
    }

    #[test]
    fn year_of_recent_dates_follows_today() {
        let date = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let cases = [
            ((2025, 1, 1), "Jan 2", Some((2025, 1, 2))),
            ((2025, 1, 1), "Jan 3", Some((2024, 1, 3))),
            ((2025, 12, 31), "Jan 1", Some((2025, 1, 1))),
            ((2025, 3, 1), "Feb 29", Some((2024, 2, 29))),
            ((2025, 3, 1), "Feb 30", None),
        ];
        for (today, month_day, want) in cases {
            let ctx = ListContext { today: date(today) };
            let line = format!("-rw-r--r-- 1 u g 1 {month_day} 10:00 x");
            let got = parse_list_line(line.as_bytes(), &ctx).and_then(|e| e.modified);
            assert_eq!(
                got.map(|t| t.at.date()),
                want.map(date),
                "{line} on {today:?}"
            );
        }
    }

    #[test]
    fn drops_total_dots_and_junk() {
        let cases: [(&[u8], Parsed); 13] = [
            (b"total 123", Parsed::Ignored),
            (b"TOTAL 12K", Parsed::Ignored),
            (b"drwxr-xr-x 2 u g 4096 Jan 1 2020 .", Parsed::Ignored),
            (b"drwxr-xr-x 2 u g 4096 Jan 1 12:00 ..", Parsed::Ignored),
            (b"total", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 1234 Jan 1 2020", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 1234 Jan 1 2020 ", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 12a Jan 1 2020 bad-size", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 1 Foo 1 2020 bad-month", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 1 Jan 32 2020 bad-day", Parsed::Junk),
            (b"-rw-r--r-- 1 u g 1 Jan 1 25:00 bad-time", Parsed::Junk),
            (b"-rw-r--r--x 1 u g 1 Jan 1 2020 bad-mode", Parsed::Junk),
            (
                b"-rw-r--r-- 1 a b c d 1 Jan 1 2020 too-many-columns",
                Parsed::Junk,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line, ctx().today), want, "{}", line.escape_ascii());
        }
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::List,
            ServerType::Auto,
            Truncation::SameFields,
            &[
                b"-rw-r--r--   1 alice    staff   5000000000 Jan  1  2020  spaced name.txt",
                b"lrwxrwxrwx 1 u 11 Mar 10 09:05 link -> /etc/target",
                b"crw-rw---- 1 root tty 4, 1 2024-03-01 12:30 tty1",
                b"drwxr-sr-x+ 2 1000 1000 4096 Dec 31 23:59 dir",
                b"d [R----F--] supervisor            512       Jan 16 18:53    login",
                b"-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit",
            ],
        );
    }
}
