//! Directory listings, read from raw bytes: MLSD/MLST facts and `LIST` output (Unix `ls -l`,
//! DOS/IIS).
//!
//! Pure: no I/O, no tokio, no clock. The caller passes "today" in [`ListContext`] and feeds the
//! data connection's bytes to [`ListingParser`] as they arrive. Names stay bytes, because the
//! engine decodes them with the site's charset (GBK, Shift_JIS...); the parsers therefore split
//! only on ASCII bytes. Nothing here may panic or grow without bound, whatever the server sends:
//! a line that does not parse is skipped and reported, never fatal. Deciding whether a name is
//! safe to use locally (`/etc/x`, `..\x`, a CR inside it) is the engine's job, not this module's.

mod dos;
mod mlsd;
mod unix;

use std::mem;
use std::ops::RangeInclusive;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// What a listing entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; [`ListEntry::target`] says where to, when the server told.
    Symlink,
    /// Devices, pipes, sockets and MLSD types we do not know.
    Other,
}

/// How much of a [`ListTime`] the server actually said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePrecision {
    /// Only the date: `Jan 1 2020`; the time of day is midnight.
    Day,
    /// Hours and minutes: `Jan 1 12:00`, DOS listings.
    Minute,
    /// Seconds: MLSD `modify=`, `ls --full-time`.
    Second,
}

/// A modification time as a listing gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListTime {
    /// MLSD `modify=` is UTC; `LIST` times are in whatever zone the server printed them.
    pub at: NaiveDateTime,
    /// The fields below this precision are zero.
    pub precision: TimePrecision,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The name exactly as the server sent it, without a line ending; never empty.
    pub name: Vec<u8>,
    /// File, directory, link or other.
    pub kind: EntryKind,
    /// In bytes; `None` when the listing gave none (devices, most MLSD directories).
    pub size: Option<u64>,
    /// When the entry last changed.
    pub modified: Option<ListTime>,
    /// `rwxr-xr-x` from `ls -l` or MLSD `UNIX.mode`, else the MLSD `perm=` letters.
    pub permissions: Option<String>,
    /// The owning user, by name where the server gave one, else by number.
    pub owner: Option<String>,
    /// The owning group, by name where the server gave one, else by number.
    pub group: Option<String>,
    /// Where a symlink points, as the server printed it (Unix `name -> target`, MLSD `slink:`).
    pub target: Option<Vec<u8>>,
}

impl ListEntry {
    /// An entry with only a name and a kind; the parsers fill in the rest.
    fn new(name: &[u8], kind: EntryKind) -> Self {
        Self {
            name: name.to_vec(),
            kind,
            size: None,
            modified: None,
            permissions: None,
            owner: None,
            group: None,
            target: None,
        }
    }
}

/// Which command produced the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// `MLSD`: one line of facts per entry (RFC 3659).
    Mlsd,
    /// `LIST`: free-form lines, tried as Unix `ls -l` and then as DOS/IIS.
    List,
}

/// What the parsers need to know about the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListContext {
    /// Today's date where the server is, used to give `Jan 1 12:00` its year; injected so the
    /// parsers stay pure and tests can fix it.
    pub today: NaiveDate,
}

/// Why a listing could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The server sent more entries than the caller allowed.
    #[error("listing has more than {max} entries")]
    TooManyEntries {
        /// The cap that was passed.
        max: usize,
    },
}

/// A parsed listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The entries in the order the server sent them.
    pub entries: Vec<ListEntry>,
    /// Lines that did not parse (at most [`MAX_SKIPPED_LINES`], each cut to
    /// [`MAX_SKIPPED_LINE_LEN`] bytes), for the log. Blank lines, `total N`, `.`, `..` and MLSD
    /// `cdir`/`pdir` are dropped without a trace.
    pub skipped: Vec<Vec<u8>>,
}

/// Lines longer than this are skipped unread, so one endless line cannot exhaust memory.
pub const MAX_LINE_LEN: usize = 64 * 1024;
/// How many unparsable lines a [`Listing`] keeps.
pub const MAX_SKIPPED_LINES: usize = 100;
/// How much of each unparsable line a [`Listing`] keeps.
pub const MAX_SKIPPED_LINE_LEN: usize = 512;
/// The default cap on entries in one listing.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// Parses one MLSD line, or the fact line of an MLST reply (which starts with a space).
///
/// `None` for junk and for the entries a client must drop: `cdir`, `pdir`, `.` and `..`.
/// A trailing CR/LF is ignored.
pub fn parse_mlsd_line(line: &[u8]) -> Option<ListEntry> {
    parse_line(ListFormat::Mlsd, line, ListContext::UNUSED).into_entry()
}

/// Parses one `LIST` line, trying Unix `ls -l` first and then DOS/IIS.
///
/// `None` for junk, `total N`, `.` and `..`. A trailing CR/LF is ignored.
pub fn parse_list_line(line: &[u8], ctx: &ListContext) -> Option<ListEntry> {
    parse_line(ListFormat::List, line, *ctx).into_entry()
}

/// Reads a listing as it arrives on the data connection.
///
/// Lines end in LF, with or without a CR, and may be split anywhere across chunks. At most one
/// line of [`MAX_LINE_LEN`] bytes is buffered; a longer line is skipped as it streams past.
#[derive(Debug)]
pub struct ListingParser {
    format: ListFormat,
    ctx: ListContext,
    max_entries: usize,
    /// The unfinished line; never longer than [`LINE_BUF_CAP`].
    line: Vec<u8>,
    /// The unfinished line has outgrown the buffer: `line` keeps its start for the skipped list
    /// and the rest is dropped until the next LF.
    overlong: bool,
    /// The entry cap was passed; every later call fails the same way.
    full: bool,
    listing: Listing,
}

/// Room for a line of [`MAX_LINE_LEN`] bytes plus its CR.
const LINE_BUF_CAP: usize = MAX_LINE_LEN + 1;

impl ListingParser {
    /// A parser for the output of `MLSD` or `LIST`.
    pub fn new(format: ListFormat, ctx: ListContext) -> Self {
        Self {
            format,
            ctx,
            max_entries: DEFAULT_MAX_ENTRIES,
            line: Vec::new(),
            overlong: false,
            full: false,
            listing: Listing::default(),
        }
    }

    /// Fails the listing once it holds more than `max` entries (default [`DEFAULT_MAX_ENTRIES`]).
    pub fn with_max_entries(self, max: usize) -> Self {
        Self {
            max_entries: max,
            ..self
        }
    }

    /// Parses every line that `chunk` completes and buffers the rest.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<(), ListingError> {
        self.check_room()?;
        while let Some(lf) = chunk.iter().position(|&b| b == b'\n') {
            let (line, rest) = chunk.split_at(lf);
            self.buffer(line);
            self.end_line()?;
            chunk = rest.get(1..).unwrap_or_default();
        }
        self.buffer(chunk);
        Ok(())
    }

    /// Parses a last line that had no LF and returns the listing.
    pub fn finish(mut self) -> Result<Listing, ListingError> {
        self.check_room()?;
        if !self.line.is_empty() || self.overlong {
            self.end_line()?;
        }
        Ok(self.listing)
    }

    fn check_room(&self) -> Result<(), ListingError> {
        if self.full {
            return Err(ListingError::TooManyEntries {
                max: self.max_entries,
            });
        }
        Ok(())
    }

    fn buffer(&mut self, bytes: &[u8]) {
        if self.overlong {
            return;
        }
        if self.line.len() + bytes.len() <= LINE_BUF_CAP {
            self.line.extend_from_slice(bytes);
            return;
        }
        let keep = MAX_SKIPPED_LINE_LEN.saturating_sub(self.line.len());
        self.line
            .extend_from_slice(bytes.get(..keep).unwrap_or(bytes));
        self.line.truncate(MAX_SKIPPED_LINE_LEN);
        self.overlong = true;
    }

    fn end_line(&mut self) -> Result<(), ListingError> {
        // The buffer is taken and put back so its capacity is reused for the next line.
        let mut line = mem::take(&mut self.line);
        let overlong = mem::replace(&mut self.overlong, false);
        let result = self.take_line(&line, overlong);
        line.clear();
        self.line = line;
        result
    }

    fn take_line(&mut self, raw: &[u8], overlong: bool) -> Result<(), ListingError> {
        let line = trim_line_end(raw);
        let parsed = if overlong || line.len() > MAX_LINE_LEN {
            Parsed::Junk
        } else if line.iter().all(|&b| is_blank(b)) {
            Parsed::Ignored
        } else {
            parse_line(self.format, line, self.ctx)
        };
        match parsed {
            Parsed::Entry(entry) => {
                if self.listing.entries.len() >= self.max_entries {
                    self.full = true;
                    return self.check_room();
                }
                self.listing.entries.push(entry);
            }
            Parsed::Ignored => {}
            Parsed::Junk => {
                if self.listing.skipped.len() < MAX_SKIPPED_LINES {
                    let kept = line.get(..MAX_SKIPPED_LINE_LEN).unwrap_or(line);
                    self.listing.skipped.push(kept.to_vec());
                }
            }
        }
        Ok(())
    }
}

/// What one line turned out to be.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Entry(ListEntry),
    /// A line the protocol says to drop: `total N`, `.`, `..`, `cdir`, `pdir`.
    Ignored,
    /// A line that is not a listing entry; worth logging.
    Junk,
}

impl Parsed {
    fn into_entry(self) -> Option<ListEntry> {
        match self {
            Self::Entry(entry) => Some(entry),
            Self::Ignored | Self::Junk => None,
        }
    }
}

impl ListContext {
    /// For MLSD, whose dates carry their year and so need no "today".
    const UNUSED: Self = Self {
        today: NaiveDate::MIN,
    };
}

fn parse_line(format: ListFormat, line: &[u8], ctx: ListContext) -> Parsed {
    let line = trim_line_end(line);
    // No file system allows NUL in a name, so a line holding one is corrupt whatever its format.
    if line.contains(&0) {
        return Parsed::Junk;
    }
    match format {
        ListFormat::Mlsd => mlsd::parse(line),
        ListFormat::List => match unix::parse(line, ctx.today) {
            Parsed::Junk => dos::parse(line),
            parsed => parsed,
        },
    }
}

/// Drops the line ending; several CRs are tolerated because some servers double them.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |last| last + 1);
    line.get(..end).unwrap_or_default()
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_start_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Whether a name is one of the directory's links to itself or its parent.
fn is_dot_name(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

fn is_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// A decimal size; `None` if it is not all digits or does not fit in 64 bits.
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if !is_digits(digits) {
        return None;
    }
    digits.iter().try_fold(0u64, |total, &b| {
        total.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// A small decimal field of a date or time, with a digit count in `len`.
fn small_number(digits: &[u8], len: RangeInclusive<usize>) -> Option<u32> {
    // Nine digits always fit in a u32, so the fold below cannot overflow.
    if !len.contains(&digits.len()) || !is_digits(digits) || digits.len() > 9 {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |total, &b| total * 10 + u32::from(b - b'0')),
    )
}

/// Reads `H:MM`, `HH:MM` or `HH:MM:SS`, as both `ls` and DOS print them.
fn parse_clock(bytes: &[u8]) -> Option<(NaiveTime, TimePrecision)> {
    let mut parts = bytes.split(|&b| b == b':');
    let hour = small_number(parts.next()?, 1..=2)?;
    let minute = small_number(parts.next()?, 2..=2)?;
    let (second, precision) = match parts.next() {
        Some(second) => (small_number(second, 2..=2)?, TimePrecision::Second),
        None => (0, TimePrecision::Minute),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((NaiveTime::from_hms_opt(hour, minute, second)?, precision))
}

/// Iterates over the blank-separated tokens of a line, remembering where each ends so that a
/// caller can take the untouched rest of the line as a name.
#[derive(Debug, Clone)]
struct Tokens<'a> {
    line: &'a [u8],
    pos: usize,
}

/// One run of non-blank bytes and the offset just past it.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    bytes: &'a [u8],
    end: usize,
}

impl<'a> Tokens<'a> {
    fn new(line: &'a [u8]) -> Self {
        Self { line, pos: 0 }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.line.get(self.pos..)?;
        let skip = rest.iter().position(|&b| !is_blank(b))?;
        let word = rest.get(skip..)?;
        let len = word.iter().position(|&b| is_blank(b)).unwrap_or(word.len());
        self.pos += skip + len;
        Some(Token {
            bytes: word.get(..len)?,
            end: self.pos,
        })
    }
}

/// Helpers shared by the parsers' tests: a fixed "today", table checks and the junk harness.
#[cfg(test)]
mod testkit {
    use super::*;

    pub fn entry(name: &[u8], kind: EntryKind) -> ListEntry {
        ListEntry::new(name, kind)
    }

    /// Every field of an entry on one line, so a table row states the whole expected entry:
    /// kind, name, size, time, permissions, owner, group, `-` for each `None`, then the target:
    /// `Symlink 'a b' 11 2020-01-01T00:00:00/Day rwxrwxrwx u - -> '/t'`.
    pub fn describe(entry: &ListEntry) -> String {
        fn or_dash(value: Option<String>) -> String {
            value.unwrap_or_else(|| "-".into())
        }
        let mut out = format!(
            "{:?} '{}' {} {} {} {} {}",
            entry.kind,
            entry.name.escape_ascii(),
            or_dash(entry.size.map(|size| size.to_string())),
            or_dash(
                entry
                    .modified
                    .map(|t| format!("{:?}/{:?}", t.at, t.precision))
            ),
            or_dash(entry.permissions.clone()),
            or_dash(entry.owner.clone()),
            or_dash(entry.group.clone()),
        );
        if let Some(target) = &entry.target {
            out += &format!(" -> '{}'", target.escape_ascii());
        }
        out
    }

    /// Asserts that each line parses to the described entry, or to nothing where `want` is "".
    pub fn check(parse: impl Fn(&[u8]) -> Option<ListEntry>, cases: &[(&[u8], &str)]) {
        for &(line, want) in cases {
            let got = parse(line)
                .map(|entry| describe(&entry))
                .unwrap_or_default();
            assert_eq!(got, want, "parsing {}", line.escape_ascii());
        }
    }

    pub fn ctx() -> ListContext {
        ListContext {
            today: NaiveDate::from_ymd_opt(2024, 6, 15).unwrap(),
        }
    }

    /// A small deterministic generator, so the junk tests need no extra crate and always replay.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Self(seed | 1)
        }

        pub fn next(&mut self) -> u64 {
            // xorshift64
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Checks what any parsed entry must satisfy, whatever the input.
    fn assert_sane(entry: &ListEntry, input: &[u8]) {
        assert!(!entry.name.is_empty(), "empty name from {input:?}");
        assert!(!is_dot_name(&entry.name), "dot name from {input:?}");
        assert!(!entry.name.contains(&0), "NUL in name from {input:?}");
        // Name and target are cut from the line, never from its line ending.
        let line = trim_line_end(input);
        for part in [Some(&entry.name), entry.target.as_ref()]
            .into_iter()
            .flatten()
        {
            let found = line.windows(part.len()).any(|w| w == part.as_slice());
            assert!(found, "{part:?} is not from the line {input:?}");
        }
    }

    /// Throws truncations, insertions and random edits of each valid line at `parse`; it must
    /// never panic, a truncated line must parse to the same fields or not at all, and streaming
    /// the mangled lines through a [`ListingParser`] must agree with parsing them one by one.
    pub fn mangle(format: ListFormat, valid: &[&[u8]], parse: impl Fn(&[u8]) -> Option<ListEntry>) {
        let junk: [&[u8]; 14] = [
            b"\0",
            b" ",
            b"      ",
            b"\t",
            b"\r",
            b"\n",
            b"\xff\xfe\x80",
            b";",
            b"=",
            b" -> ",
            b",",
            b":",
            b"99999999999999999999999999",
            &[b'x'; 5000],
        ];
        let mut rng = Rng::new(0x5eed);
        let mut mangled: Vec<Vec<u8>> = Vec::new();
        for &line in valid {
            let full = parse(line).unwrap_or_else(|| panic!("fixture does not parse: {line:?}"));
            for cut in 0..line.len() {
                let Some(short) = parse(&line[..cut]) else {
                    continue;
                };
                assert_sane(&short, line);
                assert_eq!(
                    (short.kind, short.size, short.modified),
                    (full.kind, full.size, full.modified),
                    "cut at {cut}: {line:?}"
                );
                assert_eq!(
                    (&short.permissions, &short.owner, &short.group),
                    (&full.permissions, &full.owner, &full.group),
                    "cut at {cut}: {line:?}"
                );
            }
            for at in 0..=line.len() {
                for piece in junk.iter().copied().chain([[rng.next() as u8].as_slice()]) {
                    let mut bad = line[..at].to_vec();
                    bad.extend_from_slice(piece);
                    bad.extend_from_slice(&line[at..]);
                    if let Some(entry) = parse(&bad) {
                        assert_sane(&entry, &bad);
                    }
                    if rng.below(16) == 0 {
                        mangled.push(bad);
                    }
                }
            }
            for _ in 0..300 {
                let mut bad = line.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bad.len() + 1);
                    match rng.below(3) {
                        0 if at < bad.len() => bad[at] = rng.next() as u8,
                        1 if at < bad.len() => {
                            bad.remove(at);
                        }
                        _ => bad.insert(at, rng.next() as u8),
                    }
                }
                if let Some(entry) = parse(&bad) {
                    assert_sane(&entry, &bad);
                }
                mangled.push(bad);
            }
        }
        assert_stream_matches_lines(format, &mangled, &mut rng);
    }

    /// Joins lines with mixed line endings, feeds them in random chunks, and checks that the
    /// parser finds what line-by-line parsing finds.
    fn assert_stream_matches_lines(format: ListFormat, lines: &[Vec<u8>], rng: &mut Rng) {
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for line in lines {
            // Mangling may have put line breaks inside a line; split the way the parser will.
            for piece in line.split(|&b| b == b'\n') {
                stream.extend_from_slice(piece);
                stream.extend_from_slice(if rng.below(2) == 0 { b"\r\n" } else { b"\n" });
                if let Some(entry) = parse_line(format, piece, ctx()).into_entry() {
                    expected.push(entry);
                }
            }
        }
        let mut parser = ListingParser::new(format, ctx());
        let mut rest = stream.as_slice();
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(rng.below(rest.len().min(700)) + 1);
            parser.feed(chunk).unwrap();
            rest = tail;
        }
        let listing = parser.finish().unwrap();
        assert_eq!(listing.entries, expected);
        assert!(listing.skipped.len() <= MAX_SKIPPED_LINES);
        assert!(
            listing
                .skipped
                .iter()
                .all(|line| line.len() <= MAX_SKIPPED_LINE_LEN)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{ctx, describe, entry};
    use super::*;

    fn parse_all(format: ListFormat, chunks: &[&[u8]]) -> Listing {
        let mut parser = ListingParser::new(format, ctx());
        for chunk in chunks {
            parser.feed(chunk).unwrap();
        }
        parser.finish().unwrap()
    }

    #[test]
    fn lines_split_across_chunks_with_crlf_or_lf() {
        let listing = parse_all(
            ListFormat::Mlsd,
            &[
                b"type=file;size=1; a\r",
                b"\ntype=dir; b\ntype=fi",
                b"le;size=3; c",
                b"\r\n",
                b"type=cdir; .\r\ntype=file; last",
            ],
        );
        let file = |name: &[u8], size| ListEntry {
            size,
            ..entry(name, EntryKind::File)
        };
        assert_eq!(
            listing,
            Listing {
                entries: vec![
                    file(b"a", Some(1)),
                    entry(b"b", EntryKind::Dir),
                    file(b"c", Some(3)),
                    file(b"last", None),
                ],
                skipped: vec![],
            }
        );
    }

    #[test]
    fn skipped_lines_exclude_total_dots_and_blanks() {
        let listing = parse_all(
            ListFormat::List,
            &[
                b"total 12\r\n\r\n   \r\ngarbage here\r\n",
                b"drwxr-xr-x 2 u g 4096 Jan 1 2020 .\r\n",
                b"drwxr-xr-x 2 u g 4096 Jan 1 2020 ..\r\n",
                b"-rw-r--r-- 1 u g 5 Jan 1 2020 f\r\n",
            ],
        );
        assert_eq!(listing.skipped, vec![b"garbage here".to_vec()]);
        let entries: Vec<_> = listing.entries.iter().map(describe).collect();
        assert_eq!(
            entries,
            ["File 'f' 5 2020-01-01T00:00:00/Day rw-r--r-- u g"]
        );
    }

    #[test]
    fn skipped_list_is_capped_and_truncated() {
        let long = vec![b'z'; 2000];
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx());
        for _ in 0..150 {
            parser.feed(&long).unwrap();
            parser.feed(b"\n").unwrap();
        }
        let listing = parser.finish().unwrap();
        assert_eq!(listing.skipped.len(), MAX_SKIPPED_LINES);
        assert!(
            listing
                .skipped
                .iter()
                .all(|s| s == &long[..MAX_SKIPPED_LINE_LEN])
        );
    }

    #[test]
    fn overlong_line_is_skipped_without_buffering_it() {
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx());
        parser.feed(b"type=file;size=1; before\n").unwrap();
        // A valid-looking line that is too long must still be skipped, and the parser must not
        // hold more than its cap while 1 MiB streams past.
        parser.feed(b"type=file; ").unwrap();
        for _ in 0..256 {
            parser.feed(&[b'n'; 4096]).unwrap();
            assert!(parser.line.len() <= LINE_BUF_CAP);
        }
        parser.feed(b"\r\ntype=file;size=2; after").unwrap();
        let listing = parser.finish().unwrap();
        let names: Vec<_> = listing.entries.iter().map(|e| e.name.as_slice()).collect();
        assert_eq!(names, [b"before".as_slice(), b"after"]);
        assert_eq!(listing.skipped.len(), 1);
        assert_eq!(listing.skipped[0].len(), MAX_SKIPPED_LINE_LEN);
        assert!(listing.skipped[0].starts_with(b"type=file; nnn"));
    }

    #[test]
    fn line_at_the_length_cap_still_parses() {
        let mut line = b"type=file; ".to_vec();
        line.resize(MAX_LINE_LEN, b'n');
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx());
        parser.feed(&line).unwrap();
        parser.feed(b"\r\n").unwrap();
        line.push(b'n');
        parser.feed(&line).unwrap();
        let listing = parser.finish().unwrap();
        assert_eq!(listing.entries.len(), 1);
        assert_eq!(listing.skipped.len(), 1);
    }

    #[test]
    fn entry_cap_fails_the_listing() {
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(2);
        parser
            .feed(b"type=file; a\ntype=file; b\ntype=cdir; .\njunk\n")
            .unwrap();
        let err = parser.feed(b"type=file; c\n").unwrap_err();
        assert!(matches!(err, ListingError::TooManyEntries { max: 2 }));
        assert_eq!(err.to_string(), "listing has more than 2 entries");
        assert!(parser.feed(b"").is_err());
        assert!(parser.finish().is_err());

        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(1);
        parser.feed(b"type=file; a\ntype=file; b").unwrap();
        assert!(parser.finish().is_err());
    }

    #[test]
    fn single_line_functions_ignore_line_endings() {
        for line in [
            &b"type=file; x\r\n"[..],
            b"type=file; x\n",
            b"type=file; x\r\r\n",
        ] {
            assert_eq!(
                parse_mlsd_line(line),
                Some(entry(b"x", EntryKind::File)),
                "{line:?}"
            );
        }
        assert_eq!(
            parse_list_line(b"01-16-24  02:15PM  <DIR>  x\r\n", &ctx()).map(|e| e.name),
            Some(b"x".to_vec())
        );
    }

    #[test]
    fn lines_with_nul_are_junk() {
        assert_eq!(parse_mlsd_line(b"type=file; a\0b"), None);
        assert_eq!(
            parse_list_line(b"-rw-r--r-- 1 u g 5 Jan 1 2020 a\0b", &ctx()),
            None
        );
    }

    #[test]
    fn number_helpers_reject_overflow_and_junk() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"1a"), None);
        assert_eq!(small_number(b"2024", 4..=4), Some(2024));
        assert_eq!(small_number(b"024", 1..=2), None);
        assert_eq!(
            parse_clock(b"9:05"),
            Some((
                NaiveTime::from_hms_opt(9, 5, 0).unwrap(),
                TimePrecision::Minute
            ))
        );
        assert_eq!(parse_clock(b"24:00"), None);
        assert_eq!(parse_clock(b"12:5"), None);
        assert_eq!(parse_clock(b"1:02:03:04"), None);
    }
}
