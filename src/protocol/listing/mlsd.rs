//! MLSD and MLST fact lines (RFC 3659): `type=file;size=12;modify=20240101120000; name`.
//!
//! Pure: bytes in, an entry out; no I/O. Owns the meaning of each fact this client uses; unknown
//! facts are ignored, never an error. Must not interpret the name: it is every byte after the
//! first space, kept as is.

use chrono::NaiveDate;

use super::{
    EntryKind, ListEntry, ListTime, Parsed, TimePrecision, is_digits, is_dot_name,
    parse_octal_mode, parse_size_field, render_mode, small_number, text,
};

/// Parses one fact line, without its line ending.
pub(super) fn parse(line: &[u8]) -> Parsed {
    // An MLST reply indents its fact line by one space; MLSD lines start with the facts.
    let line = line.strip_prefix(b" ").unwrap_or(line);
    // Facts never contain a space, so the first one ends them, and the name is everything after
    // it: names may hold `;`, `=` and leading spaces.
    let Some(space) = line.iter().position(|&b| b == b' ') else {
        return Parsed::Junk;
    };
    let (facts, name) = line.split_at(space);
    let name = name.get(1..).unwrap_or_default();
    if name.is_empty() {
        return Parsed::Junk;
    }

    let mut facts_seen = false;
    let mut kind = EntryKind::File;
    let mut target = None;
    let (mut size, mut sizd) = (None, None);
    let mut modified = None;
    let (mut perm, mut mode) = (None, None);
    let (mut owner_name, mut owner, mut uid) = (None, None, None);
    let (mut group_name, mut group, mut gid) = (None, None, None);
    for fact in facts.split(|&b| b == b';') {
        let Some(eq) = fact.iter().position(|&b| b == b'=') else {
            continue;
        };
        let (key, value) = fact.split_at(eq);
        let value = value.get(1..).unwrap_or_default();
        if key.is_empty() {
            continue;
        }
        facts_seen = true;
        match key.to_ascii_lowercase().as_slice() {
            b"type" => match parse_type(value) {
                Some((k, t)) => (kind, target) = (k, t),
                None => return Parsed::Ignored,
            },
            // A size that is not a number makes the entry untrustworthy; a
            // number out of range (past 2^64, negative) is an unknown size.
            b"size" => match parse_size_field(value) {
                Some(n) => size = n,
                None => return Parsed::Junk,
            },
            b"sizd" => match parse_size_field(value) {
                Some(n) => sizd = n,
                None => return Parsed::Junk,
            },
            // A bad date only loses the date: the file is still there.
            b"modify" => modified = parse_time(value),
            b"perm" => perm = Some(value),
            b"unix.mode" => mode = parse_octal_mode(value),
            b"unix.ownername" => owner_name = Some(value),
            b"unix.owner" => owner = Some(value),
            b"unix.uid" => uid = Some(value),
            b"unix.groupname" => group_name = Some(value),
            b"unix.group" => group = Some(value),
            b"unix.gid" => gid = Some(value),
            _ => {}
        }
    }
    if !facts_seen {
        return Parsed::Junk;
    }
    if is_dot_name(name) {
        return Parsed::Ignored;
    }
    Parsed::Entry(ListEntry {
        size: size.or(sizd),
        modified,
        permissions: mode.map(render_mode).or(perm.map(text)),
        owner: owner_name.or(owner).or(uid).map(text),
        group: group_name.or(group).or(gid).map(text),
        target,
        ..ListEntry::new(name, kind)
    })
}

/// The kind and symlink target named by a `type=` fact; `None` for `cdir` and `pdir`, which a
/// client drops.
fn parse_type(value: &[u8]) -> Option<(EntryKind, Option<Vec<u8>>)> {
    let lower = value.to_ascii_lowercase();
    let kind = match lower.as_slice() {
        b"file" => EntryKind::File,
        b"dir" => EntryKind::Dir,
        b"cdir" | b"pdir" => return None,
        _ => {
            let link = [&b"os.unix=slink"[..], b"os.unix=symlink"]
                .into_iter()
                .find(|prefix| lower.starts_with(prefix));
            let Some(prefix) = link else {
                return Some((EntryKind::Other, None));
            };
            // `OS.unix=slink:/target`: the target keeps its case, so cut the original bytes.
            let target = value
                .get(prefix.len()..)
                .and_then(|rest| rest.strip_prefix(b":"))
                .filter(|target| !target.is_empty())
                .map(<[u8]>::to_vec);
            return Some((EntryKind::Symlink, target));
        }
    };
    Some((kind, None))
}

/// Reads `YYYYMMDDHHMMSS[.sss]`, which RFC 3659 says is UTC.
fn parse_time(value: &[u8]) -> Option<ListTime> {
    let (digits, fraction) = match value.iter().position(|&b| b == b'.') {
        Some(dot) => (value.get(..dot)?, Some(value.get(dot + 1..)?)),
        None => (value, None),
    };
    if digits.len() != 14 {
        return None;
    }
    let field = |from: usize, len: usize| small_number(digits.get(from..from + len)?, len..=len);
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(field(0, 4)?).ok()?,
        field(4, 2)?,
        field(6, 2)?,
    )?;
    let nanos = match fraction {
        Some(fraction) if is_digits(fraction) => {
            // Digits beyond nanoseconds are dropped; fewer are scaled: ".5" is 500 ms.
            let kept = fraction.get(..9).unwrap_or(fraction);
            let scale = 10u32.pow(9 - kept.len() as u32);
            small_number(kept, 1..=9)? * scale
        }
        Some(_) => return None,
        None => 0,
    };
    let at = date.and_hms_nano_opt(field(8, 2)?, field(10, 2)?, field(12, 2)?, nanos)?;
    Some(ListTime {
        at,
        precision: TimePrecision::Second,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Truncation, check, mangle};
    use super::super::{ListFormat, ServerType, parse_mlsd_line};
    use super::*;

    #[test]
    fn parses_fact_lines() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"type=file;size=1234;modify=20240301123045;perm=adfrw; report.pdf",
                "File 'report.pdf' 1234 2024-03-01T12:30:45/Second adfrw - -",
            ),
            // Fact names and the type in any case and order; unknown facts are ignored.
            (
                b"Modify=19991231235959;X.weird=1;SIZE=7;Type=FILE;unique=801U1; a b",
                "File 'a b' 7 1999-12-31T23:59:59/Second - - -",
            ),
            (
                b"type=dir;sizd=4096;modify=20240101000000;perm=flcdmpe; docs",
                "Dir 'docs' 4096 2024-01-01T00:00:00/Second flcdmpe - -",
            ),
            // Over 4 GiB; size wins over sizd.
            (
                b"type=file;sizd=1;size=5000000000; big.iso",
                "File 'big.iso' 5000000000 - - - -",
            ),
            // MLST: the fact line starts with a space.
            (
                b" type=file;size=0; /home/u/empty",
                "File '/home/u/empty' 0 - - - -",
            ),
            // The name starts after exactly one space and may hold `;` and `=`.
            (
                b"type=file;size=1;  two spaces;x=y.txt",
                "File ' two spaces;x=y.txt' 1 - - - -",
            ),
            (b"type=file space", "File 'space' - - - - -"),
            (b"size=3; no-type", "File 'no-type' 3 - - - -"),
            // Sizes that fit no byte count: listed, with an unknown size.
            (
                b"type=file;size=18446744073709551616; huge",
                "File 'huge' - - - - -",
            ),
            (b"type=file;size=-1; negative", "File 'negative' - - - - -"),
            // UNIX.mode is rendered and preferred over perm; names beat numeric ids.
            (
                b"type=file;perm=r;UNIX.mode=0644;UNIX.uid=1000;UNIX.owner=alice;UNIX.gid=100;\
              UNIX.group=staff; notes",
                "File 'notes' - - rw-r--r-- alice staff",
            ),
            // ProFTPD sends numeric owner and group, and the names separately.
            (
                b"type=dir;UNIX.mode=02775;UNIX.owner=1000;UNIX.ownername=bob;UNIX.group=50;\
              UNIX.groupname=ftp; share",
                "Dir 'share' - - rwxrwsr-x bob ftp",
            ),
            (
                b"type=file;unix.mode=7644;unix.uid=0;unix.gid=0; odd",
                "File 'odd' - - rwSr-Sr-T 0 0",
            ),
            (
                b"type=OS.unix=slink:/var/Target;size=10; link",
                "Symlink 'link' 10 - - - - -> '/var/Target'",
            ),
            (b"type=OS.unix=symlink; link2", "Symlink 'link2' - - - - -"),
            (b"type=OS.unix=slink; link3", "Symlink 'link3' - - - - -"),
            (b"type=OS.unix=chr-13/29; tty", "Other 'tty' - - - - -"),
            // Milliseconds are kept; a bad date loses only the date; a bad mode falls back to perm.
            (
                b"type=file;modify=20240301123045.25;UNIX.mode=9x;perm=r; ms",
                "File 'ms' - 2024-03-01T12:30:45.250/Second r - -",
            ),
            (
                b"type=file;modify=20241301000000; bad-date",
                "File 'bad-date' - - - - -",
            ),
            (
                b"type=file;modify=2024030112; short-date",
                "File 'short-date' - - - - -",
            ),
            (
                b"type=file;modify=20240301120000.x; bad-fraction",
                "File 'bad-fraction' - - - - -",
            ),
            // Names are bytes in the site's charset (here GBK), not UTF-8.
            (
                b"type=file;size=2; \xd6\xd0\xce\xc4.txt",
                r"File '\xd6\xd0\xce\xc4.txt' 2 - - - -",
            ),
        ];
        check(parse_mlsd_line, cases);
    }

    #[test]
    fn drops_dirs_links_and_junk() {
        let cases: [(&[u8], Parsed); 11] = [
            (b"type=cdir;modify=20240101000000; /home/u", Parsed::Ignored),
            (b"type=pdir; ..", Parsed::Ignored),
            (b"type=dir; .", Parsed::Ignored),
            (b"type=dir; ..", Parsed::Ignored),
            (b"type=file;size=1;nospace", Parsed::Junk),
            (b"type=file; ", Parsed::Junk),
            (b" name-without-facts", Parsed::Junk),
            (b"total 5", Parsed::Junk),
            (b"=x;;; name", Parsed::Junk),
            (b"type=file;size=12a; name", Parsed::Junk),
            (b"", Parsed::Junk),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line), want, "{}", line.escape_ascii());
        }
    }

    #[test]
    fn renders_modes_like_ls() {
        for (mode, want) in [
            (0o755, "rwxr-xr-x"),
            (0o100600, "rw-------"),
            (0o4755, "rwsr-xr-x"),
            (0o1777, "rwxrwxrwt"),
            (0o0, "---------"),
        ] {
            assert_eq!(render_mode(mode), want);
        }
    }

    #[test]
    fn survives_junk() {
        mangle(
            ListFormat::Mlsd,
            ServerType::Auto,
            Truncation::SameFields,
            &[
                b"type=file;size=1234;modify=20240301123045.5;perm=adfrw;UNIX.mode=0644; rep 1.pdf",
                b" type=OS.unix=slink:/a/b;UNIX.owner=u;UNIX.group=g; link",
                b"type=dir;sizd=5000000000; d;x",
            ],
        );
    }
}
