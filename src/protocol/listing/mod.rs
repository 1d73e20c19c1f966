//! Directory listings, read from raw bytes: MLSD/MLST facts and `LIST` output in the formats
//! servers actually send (Unix `ls -l` with its NetWare and NetPresenz variants, DOS/IIS, EPLF,
//! VMS, OS/2, VxWorks, AS/400, MVS, z/VM and HP NonStop).
//!
//! Pure: no I/O, no tokio, no clock. The caller passes "today" in [`ListContext`] and feeds the
//! data connection's bytes to [`ListingParser`] as they arrive. Names stay bytes, because the
//! engine decodes them with the site's charset (GBK, Shift_JIS...); the parsers therefore split
//! only on ASCII bytes. Nothing here may panic or grow without bound, whatever the server sends:
//! a line that does not parse is skipped and reported, never fatal. Deciding whether a name is
//! safe to use locally (`/etc/x`, `..\x`, a CR inside it) is the engine's job, not this module's.
//!
//! A [`ListEntry::size`] is always a byte count the engine may check a download against; formats
//! that only give blocks, tracks or records (VMS, MVS, variable-length z/VM files) report none.
//!
//! Which `LIST` formats are tried depends on the [`ServerType`] hint: [`ServerType::Auto`] tries
//! every family, Unix first, in an order where no family can claim another's lines; a hint tries
//! only its own family.

mod as400;
mod dos;
mod eplf;
mod fields;
mod mlsd;
mod mvs;
mod nonstop;
mod os2;
#[cfg(test)]
mod proptests;
mod unix;
mod vms;
mod vxworks;
mod zvm;

use std::mem;

use chrono::{NaiveDate, NaiveDateTime};

use fields::{
    Head, Token, Tokens, find_byte, is_blank, is_digits, is_dot_name, list_time, month_number,
    parse_clock, parse_octal_mode, parse_size_field, parse_u64, parse_year, render_mode,
    small_number, text, trim_end_blanks, trim_line_end, trim_start_blanks,
};

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
    /// MLSD `modify=` and EPLF are UTC; `LIST` times are in whatever zone the server printed them.
    pub at: NaiveDateTime,
    /// The fields below this precision are zero.
    pub precision: TimePrecision,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The name exactly as the server sent it, without a line ending; never empty. Two formats
    /// adjust it: a VMS directory `NAME.DIR;1` is `NAME`, and a z/VM file is `NAME.TYPE`.
    pub name: Vec<u8>,
    /// File, directory, link or other.
    pub kind: EntryKind,
    /// In bytes; `None` when the listing gave none, or only blocks or records.
    pub size: Option<u64>,
    /// When the entry last changed.
    pub modified: Option<ListTime>,
    /// `rwxr-xr-x` from `ls -l`, MLSD `UNIX.mode` or EPLF `up`, else the server's own notation:
    /// MLSD `perm=` letters, NetWare `[RWCEAFMS]`, VMS `RWED,RWED,RE,`, HP NonStop `oooo`.
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
    /// `LIST`: free-form lines, read as the [`ServerType`] hint says.
    List,
}

/// What kind of server sent a `LIST` listing, as a site's settings say; it picks the formats
/// tried. The variants follow FileZilla's server types (see [`ServerType::from_filezilla_type`]).
///
/// | Hint | `LIST` formats tried |
/// |---|---|
/// | `Auto` | all below, in the order Unix, DOS, EPLF, VMS, OS/2, VxWorks, AS/400, MVS, z/VM, HP NonStop |
/// | `Unix`, `Cygwin` | Unix `ls -l` (with NetWare and NetPresenz), EPLF |
/// | `Dos`, `DosVirtual`, `DosForwardSlashes` | DOS/IIS, OS/2 |
/// | `Vms` | VMS |
/// | `Mvs` | MVS datasets and members, including the bare-name, load-module, migrated and tape rows that `Auto` leaves alone |
/// | `VxWorks` | VxWorks |
/// | `ZVm` | z/VM |
/// | `HpNonStop` | HP NonStop |
///
/// AS/400 has no hint of its own (FileZilla has none either): only `Auto` reads it. `MLSD`
/// listings are read as MLSD whatever the hint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ServerType {
    /// Guess from each line.
    #[default]
    Auto,
    /// Unix and lookalikes.
    Unix,
    /// OpenVMS.
    Vms,
    /// Windows and DOS (IIS).
    Dos,
    /// IBM z/OS (MVS).
    Mvs,
    /// Wind River VxWorks.
    VxWorks,
    /// IBM z/VM.
    ZVm,
    /// HP NonStop (Tandem Guardian).
    HpNonStop,
    /// DOS-like, with virtual Unix-style paths.
    DosVirtual,
    /// Cygwin on Windows.
    Cygwin,
    /// DOS-like, with forward slashes in paths.
    DosForwardSlashes,
}

impl ServerType {
    /// Every variant, the common ones first (the order the Site Manager lists them).
    pub const ALL: [ServerType; 11] = [
        Self::Auto,
        Self::Unix,
        Self::Dos,
        Self::Vms,
        Self::Mvs,
        Self::VxWorks,
        Self::ZVm,
        Self::HpNonStop,
        Self::DosVirtual,
        Self::Cygwin,
        Self::DosForwardSlashes,
    ];

    /// The one name of each server type: what `sites.toml`, `--server-type`
    /// and `skiff sites list --json` say (`auto`, `unix`, `dos-virtual`...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Unix => "unix",
            Self::Vms => "vms",
            Self::Dos => "dos",
            Self::Mvs => "mvs",
            Self::VxWorks => "vxworks",
            Self::ZVm => "zvm",
            Self::HpNonStop => "nonstop",
            Self::DosVirtual => "dos-virtual",
            Self::Cygwin => "cygwin",
            Self::DosForwardSlashes => "dos-forward-slashes",
        }
    }

    /// The server type a [`name`](Self::name) names, in any case; also
    /// `windows` for `dos` and `zos` for `mvs`.
    pub fn from_name(text: &str) -> Option<Self> {
        const ALIASES: [(&str, ServerType); 2] =
            [("windows", ServerType::Dos), ("zos", ServerType::Mvs)];
        Self::ALL
            .iter()
            .map(|&t| (t.name(), t))
            .chain(ALIASES)
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, t)| t)
    }

    /// The hint stored as FileZilla's `sitemanager.xml` `<Type>`: 0 guess, 1 UNIX, 2 VMS, 3 DOS,
    /// 4 MVS, 5 VxWorks, 6 z/VM, 7 HP NonStop, 8 DOS-virtual, 9 Cygwin, 10 DOS with forward
    /// slashes; `None` for anything else.
    pub fn from_filezilla_type(value: u32) -> Option<Self> {
        Some(match value {
            0 => Self::Auto,
            1 => Self::Unix,
            2 => Self::Vms,
            3 => Self::Dos,
            4 => Self::Mvs,
            5 => Self::VxWorks,
            6 => Self::ZVm,
            7 => Self::HpNonStop,
            8 => Self::DosVirtual,
            9 => Self::Cygwin,
            10 => Self::DosForwardSlashes,
            _ => return None,
        })
    }

    /// The format families tried for `LIST` lines, in order.
    fn families(self) -> &'static [Family] {
        use Family::*;
        match self {
            // Unix comes first: it is what most servers send and its mode column is the cheapest
            // test. The families that follow each demand a shape no earlier one accepts, and
            // z/VM and HP NonStop, whose lines are the least distinctive, come last.
            Self::Auto => &[
                Unix, Dos, Eplf, Vms, Os2, VxWorks, As400, Mvs, ZVm, HpNonStop,
            ],
            Self::Unix | Self::Cygwin => &[Unix, Eplf],
            Self::Dos | Self::DosVirtual | Self::DosForwardSlashes => &[Dos, Os2],
            Self::Vms => &[Vms],
            Self::Mvs => &[MvsHinted],
            Self::VxWorks => &[VxWorks],
            Self::ZVm => &[ZVm],
            Self::HpNonStop => &[HpNonStop],
        }
    }

    /// Whether a VMS name alone on a line may be continued by the next line.
    fn joins_vms_lines(self) -> bool {
        self.families().contains(&Family::Vms)
    }
}

/// A group of `LIST` line shapes that one parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Unix,
    Dos,
    Eplf,
    Vms,
    Os2,
    VxWorks,
    As400,
    /// The MVS rows that cannot be mistaken for anything else.
    Mvs,
    /// All MVS rows, for a server the user says is MVS.
    MvsHinted,
    ZVm,
    HpNonStop,
}

impl Family {
    fn parse(self, line: &[u8], ctx: ListContext) -> Parsed {
        match self {
            Self::Unix => unix::parse(line, ctx.today),
            Self::Dos => dos::parse(line),
            Self::Eplf => eplf::parse(line),
            Self::Vms => vms::parse(line),
            Self::Os2 => os2::parse(line),
            Self::VxWorks => vxworks::parse(line),
            Self::As400 => as400::parse(line),
            Self::Mvs => mvs::parse(line, false),
            Self::MvsHinted => mvs::parse(line, true),
            Self::ZVm => zvm::parse(line),
            Self::HpNonStop => nonstop::parse(line),
        }
    }
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
    /// [`MAX_SKIPPED_LINE_LEN`] bytes), for the log. Blank lines, `total N`, `.`, `..`, MLSD
    /// `cdir`/`pdir` and the headers of VMS, MVS and VxWorks listings are dropped without a trace.
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
    parse_line(
        ListFormat::Mlsd,
        ServerType::Auto,
        line,
        ListContext::UNUSED,
    )
    .into_entry()
}

/// Parses one `LIST` line, trying every format ([`ServerType::Auto`]).
///
/// `None` for junk, `total N`, `.`, `..` and listing headers. A trailing CR/LF is ignored.
pub fn parse_list_line(line: &[u8], ctx: &ListContext) -> Option<ListEntry> {
    parse_list_line_with(line, ctx, ServerType::Auto)
}

/// Parses one `LIST` line as the formats of `server_type` (see [`ServerType`]).
///
/// `None` for junk, `total N`, `.`, `..` and listing headers. A VMS entry whose name and details
/// are on two lines is only joined by [`ListingParser`].
pub fn parse_list_line_with(
    line: &[u8],
    ctx: &ListContext,
    server_type: ServerType,
) -> Option<ListEntry> {
    parse_line(ListFormat::List, server_type, line, *ctx).into_entry()
}

/// Reads a listing as it arrives on the data connection.
///
/// Lines end in LF, with or without a CR, and may be split anywhere across chunks. At most one
/// line of [`MAX_LINE_LEN`] bytes is buffered, plus one held-back VMS name; a longer line is
/// skipped as it streams past.
///
/// The entries are those that [`parse_mlsd_line`] or [`parse_list_line_with`] find line by
/// line, with one exception where the hint allows VMS ([`ServerType::Auto`] and
/// [`ServerType::Vms`]): VMS puts a long name alone on its line and the rest of the entry on the
/// next. So a `LIST` line of a single token that gives no entry is held back, and if
/// `parse_list_line_with(token + " " + next line without its leading blanks, ctx,
/// ServerType::Vms)` gives an entry, that entry stands for both lines; otherwise both are read
/// as usual.
#[derive(Debug)]
pub struct ListingParser {
    format: ListFormat,
    server_type: ServerType,
    ctx: ListContext,
    max_entries: usize,
    /// The unfinished line; never longer than [`LINE_BUF_CAP`].
    line: Vec<u8>,
    /// The unfinished line has outgrown the buffer: `line` keeps its start for the skipped list
    /// and the rest is dropped until the next LF.
    overlong: bool,
    /// A VMS name that was alone on its line (never longer than [`MAX_LINE_LEN`]): its size,
    /// date and owner may follow on the next line. Empty when there is none.
    vms_name: Vec<u8>,
    /// The entry cap was passed; every later call fails the same way.
    full: bool,
    /// Whether this MLSD listing ends its lines in CR LF, as RFC 3659 says
    /// (then a bare LF belongs to a name), or in LF alone; `None` until the
    /// first CR LF, [`MAX_HELD_LINES`] bare LFs or the end shows which.
    crlf: Option<bool>,
    /// MLSD lines that ended in a bare LF while `crlf` is unknown, each with
    /// its overlong flag: one name's pieces, or lines of an LF-only listing.
    held: Vec<(Vec<u8>, bool)>,
    /// Entries handed over by [`ListingParser::take_entries`] (they still count against the cap).
    taken: usize,
    listing: Listing,
}

/// Bare-LF lines held before an MLSD listing is taken to end its lines in LF
/// alone (bounded: at most this many lines of [`LINE_BUF_CAP`] bytes).
const MAX_HELD_LINES: usize = 64;

/// Room for a line of [`MAX_LINE_LEN`] bytes plus its CR.
const LINE_BUF_CAP: usize = MAX_LINE_LEN + 1;

impl ListingParser {
    /// A parser for the output of `MLSD` or `LIST`, reading `LIST` lines in every format
    /// ([`ServerType::Auto`]).
    pub fn new(format: ListFormat, ctx: ListContext) -> Self {
        Self {
            format,
            server_type: ServerType::Auto,
            ctx,
            max_entries: DEFAULT_MAX_ENTRIES,
            line: Vec::new(),
            overlong: false,
            vms_name: Vec::new(),
            full: false,
            crlf: None,
            held: Vec::new(),
            taken: 0,
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

    /// Reads `LIST` lines only as the formats of `server_type` (see [`ServerType`]); `MLSD`
    /// listings are unaffected.
    pub fn with_server_type(self, server_type: ServerType) -> Self {
        Self {
            server_type,
            ..self
        }
    }

    /// Parses every line that `chunk` completes and buffers the rest.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<(), ListingError> {
        self.check_room()?;
        while let Some(lf) = find_byte(b'\n', chunk) {
            let (line, rest) = chunk.split_at(lf);
            chunk = rest.get(1..).unwrap_or_default();
            if self.format == ListFormat::Mlsd && self.crlf != Some(false) {
                let after_cr = match line.last() {
                    Some(&b) => b == b'\r',
                    None => self.line.last() == Some(&b'\r'),
                };
                match (after_cr, self.crlf) {
                    (false, Some(true)) => {
                        // Part of a name: one entry, never two.
                        self.buffer(line);
                        self.buffer(b"\n");
                        continue;
                    }
                    (false, _) => {
                        self.buffer(line);
                        let held = mem::take(&mut self.line);
                        let overlong = mem::replace(&mut self.overlong, false);
                        self.held.push((held, overlong));
                        if self.held.len() >= MAX_HELD_LINES {
                            self.take_held_lines()?;
                        }
                        continue;
                    }
                    (true, _) => {
                        self.crlf = Some(true);
                        if !self.held.is_empty() {
                            // The held pieces and this line are one line.
                            let mut pieces = mem::take(&mut self.held);
                            let current = mem::take(&mut self.line);
                            let current_overlong = mem::replace(&mut self.overlong, false);
                            for (piece, overlong) in pieces.drain(..) {
                                self.overlong |= overlong;
                                self.buffer(&piece);
                                self.buffer(b"\n");
                            }
                            self.overlong |= current_overlong;
                            self.buffer(&current);
                        }
                    }
                }
            }
            if self.line.is_empty() && !self.overlong && line.len() <= LINE_BUF_CAP {
                // The whole line is in this chunk: parse it where it lies instead of copying it.
                self.take_line(line, false)?;
            } else {
                self.buffer(line);
                self.end_line()?;
            }
        }
        self.buffer(chunk);
        Ok(())
    }

    /// Decides that this MLSD listing ends its lines with a bare LF: every
    /// held line is parsed on its own.
    fn take_held_lines(&mut self) -> Result<(), ListingError> {
        self.crlf = Some(false);
        for (line, overlong) in mem::take(&mut self.held) {
            self.take_line(&line, overlong)?;
        }
        Ok(())
    }

    /// Hands over the entries parsed so far, so a caller can use them while
    /// the rest arrives; [`ListingParser::finish`] returns only the later
    /// ones. They still count against the entry cap.
    pub fn take_entries(&mut self) -> Vec<ListEntry> {
        self.taken += self.listing.entries.len();
        mem::take(&mut self.listing.entries)
    }

    /// Parses a last line that had no LF and returns the listing.
    pub fn finish(mut self) -> Result<Listing, ListingError> {
        self.check_room()?;
        if self.format == ListFormat::Mlsd && self.crlf.is_none() {
            // No line ended in CR LF: the bare LFs held were line ends.
            self.take_held_lines()?;
        }
        if !self.line.is_empty() || self.overlong {
            self.end_line()?;
        }
        self.flush_vms_name();
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
        let readable = !overlong && line.len() <= MAX_LINE_LEN;
        if !self.vms_name.is_empty() {
            let name = mem::take(&mut self.vms_name);
            let joined = readable.then(|| join_vms_lines(&name, line)).flatten();
            match joined {
                Some(parsed) => return self.record(parsed, line),
                None => self.record_junk(&name),
            }
        }
        let parsed = if !readable {
            Parsed::Junk
        } else if line.iter().all(|&b| is_blank(b)) {
            Parsed::Ignored
        } else {
            parse_line(self.format, self.server_type, line, self.ctx)
        };
        if parsed == Parsed::Junk
            && readable
            && self.format == ListFormat::List
            && self.server_type.joins_vms_lines()
            && vms::is_lone_name(line)
        {
            // Kept back instead of skipped: the next line may hold the rest of the entry.
            self.vms_name.extend_from_slice(line);
            return Ok(());
        }
        self.record(parsed, line)
    }

    fn record(&mut self, parsed: Parsed, line: &[u8]) -> Result<(), ListingError> {
        match parsed {
            // Whatever the format, "." and ".." are never entries (one check for all families).
            Parsed::Entry(entry) if is_dot_name(&entry.name) => {}
            Parsed::Entry(entry) => {
                if self.taken + self.listing.entries.len() >= self.max_entries {
                    self.full = true;
                    return self.check_room();
                }
                self.listing.entries.push(entry);
            }
            Parsed::Ignored => {}
            Parsed::Junk => self.record_junk(line),
        }
        Ok(())
    }

    fn record_junk(&mut self, line: &[u8]) {
        if self.listing.skipped.len() < MAX_SKIPPED_LINES {
            let kept = line.get(..MAX_SKIPPED_LINE_LEN).unwrap_or(line);
            self.listing.skipped.push(kept.to_vec());
        }
    }

    fn flush_vms_name(&mut self) {
        let name = mem::take(&mut self.vms_name);
        if !name.is_empty() {
            self.record_junk(&name);
        }
    }
}

/// Parses a VMS name that stood alone on its line together with the line after it, as VMS
/// servers print an entry whose name is too long for its column; `None` if they are not one
/// entry.
fn join_vms_lines(name_line: &[u8], next: &[u8]) -> Option<Parsed> {
    // A NUL makes a line corrupt whatever its format; joining must not let one in.
    if name_line.contains(&0) || next.contains(&0) {
        return None;
    }
    let name = trim_start_blanks(name_line);
    let details = trim_start_blanks(next);
    let mut joined = Vec::with_capacity(name.len() + 1 + details.len());
    joined.extend_from_slice(name);
    joined.push(b' ');
    joined.extend_from_slice(details);
    match vms::parse(&joined) {
        Parsed::Junk => None,
        parsed => Some(parsed),
    }
}

/// What one line turned out to be.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Entry(ListEntry),
    /// A line the protocol says to drop: `total N`, `.`, `..`, `cdir`, `pdir`, headers.
    Ignored,
    /// A line that is not a listing entry; worth logging.
    Junk,
}

impl Parsed {
    fn into_entry(self) -> Option<ListEntry> {
        match self {
            Self::Entry(entry) if !is_dot_name(&entry.name) => Some(entry),
            Self::Entry(_) | Self::Ignored | Self::Junk => None,
        }
    }
}

impl ListContext {
    /// For MLSD, whose dates carry their year and so need no "today".
    const UNUSED: Self = Self {
        today: NaiveDate::MIN,
    };
}

fn parse_line(
    format: ListFormat,
    server_type: ServerType,
    line: &[u8],
    ctx: ListContext,
) -> Parsed {
    let line = trim_line_end(line);
    // No file system allows NUL in a name, so a line holding one is corrupt whatever its format.
    if find_byte(0, line).is_some() {
        return Parsed::Junk;
    }
    match format {
        ListFormat::Mlsd => mlsd::parse(line),
        ListFormat::List => {
            for family in server_type.families() {
                match family.parse(line, ctx) {
                    Parsed::Junk => {}
                    parsed => return parsed,
                }
            }
            Parsed::Junk
        }
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

    /// [`check`] for `LIST` lines read with a server type hint.
    pub fn check_list(server_type: ServerType, cases: &[(&[u8], &str)]) {
        check(
            |line| parse_list_line_with(line, &ctx(), server_type),
            cases,
        );
    }

    /// Asserts what each line is to one family's parser: an entry is described as by
    /// [`describe`], `Parsed::Ignored` as "ignored" and `Parsed::Junk` as "junk".
    pub fn check_family(family: Family, cases: &[(&[u8], &str)]) {
        for &(line, want) in cases {
            let got = match family.parse(line, ctx()) {
                Parsed::Entry(entry) => describe(&entry),
                Parsed::Ignored => "ignored".into(),
                Parsed::Junk => "junk".into(),
            };
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

    /// What a prefix of a valid line may parse to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Truncation {
        /// The name ends the line and everything else is required: a prefix parses to the same
        /// fields (with a shorter name) or not at all.
        SameFields,
        /// Optional fields or markers follow the name (VMS owner and protection, VxWorks
        /// `<DIR>`), so a prefix may lose them; it must still be a sane entry.
        Lossy,
    }

    /// Checks what any parsed entry must satisfy, whatever the input.
    fn assert_sane(entry: &ListEntry, input: &[u8]) {
        assert!(!entry.name.is_empty(), "empty name from {input:?}");
        assert!(!is_dot_name(&entry.name), "dot name from {input:?}");
        assert!(!entry.name.contains(&0), "NUL in name from {input:?}");
        // Name and target are cut from the line, never from its line ending; a z/VM name is
        // joined from two columns with a dot.
        let line = trim_line_end(input);
        let found = |part: &[u8]| line.windows(part.len()).any(|w| w == part);
        for part in [Some(&entry.name), entry.target.as_ref()]
            .into_iter()
            .flatten()
        {
            let from_line = found(part) || part.split(|&b| b == b'.').all(found);
            assert!(from_line, "{part:?} is not from the line {input:?}");
        }
    }

    /// Throws truncations, insertions and random edits of each valid line at the parser for
    /// `format` and `server_type`; it must never panic, a truncated line must parse as
    /// `truncation` says, and streaming the mangled lines through a [`ListingParser`] must agree
    /// with parsing them one by one.
    pub fn mangle(
        format: ListFormat,
        server_type: ServerType,
        truncation: Truncation,
        valid: &[&[u8]],
    ) {
        let parse = |line: &[u8]| parse_line(format, server_type, line, ctx()).into_entry();
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
                if truncation == Truncation::Lossy {
                    continue;
                }
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
        assert_stream_matches_lines(format, server_type, &mangled, &mut rng);
    }

    /// Joins lines with mixed line endings, feeds them in random chunks, and checks that the
    /// parser finds what line-by-line parsing finds, a VMS name alone on its line being read
    /// together with the next line.
    fn assert_stream_matches_lines(
        format: ListFormat,
        server_type: ServerType,
        lines: &[Vec<u8>],
        rng: &mut Rng,
    ) {
        let joins = format == ListFormat::List && server_type.joins_vms_lines();
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        let mut held: Option<Vec<u8>> = None;
        // MLSD ends every line the same way (a bare LF inside a CR LF listing
        // belongs to a name), so its stream uses one ending throughout, and
        // mangled line breaks are taken out; LIST lines mix endings freely.
        let mlsd = format == ListFormat::Mlsd;
        let mlsd_crlf = rng.below(2) == 0;
        for line in lines {
            let mut line = line.clone();
            if mlsd {
                line.iter_mut()
                    .filter(|b| **b == b'\n')
                    .for_each(|b| *b = b'x');
                if !mlsd_crlf {
                    while line.last() == Some(&b'\r') {
                        line.pop();
                    }
                }
            }
            // Mangling may have put line breaks inside a line; split the way the parser will.
            for piece in line.split(|&b| b == b'\n') {
                stream.extend_from_slice(piece);
                let crlf = if mlsd { mlsd_crlf } else { rng.below(2) == 0 };
                stream.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                let piece = trim_line_end(piece);
                if let Some(name) = held.take()
                    && let Some(joined) = join_vms_lines(&name, piece)
                {
                    expected.extend(joined.into_entry());
                    continue;
                }
                match parse_line(format, server_type, piece, ctx()) {
                    Parsed::Entry(entry) => expected.push(entry),
                    Parsed::Junk if joins && vms::is_lone_name(piece) => {
                        held = Some(piece.to_vec());
                    }
                    Parsed::Ignored | Parsed::Junk => {}
                }
            }
        }
        let mut parser = ListingParser::new(format, ctx()).with_server_type(server_type);
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
    use chrono::NaiveTime;

    fn parse_all(format: ListFormat, chunks: &[&[u8]]) -> Listing {
        parse_all_as(format, ServerType::Auto, chunks)
    }

    fn parse_all_as(format: ListFormat, server_type: ServerType, chunks: &[&[u8]]) -> Listing {
        let mut parser = ListingParser::new(format, ctx()).with_server_type(server_type);
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
                b"\ntype=dir; b\r\ntype=fi",
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
        parser.feed(b"type=file;size=1; before\r\n").unwrap();
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
    fn overlong_line_in_one_chunk_is_skipped_like_a_streamed_one() {
        // A whole line in one chunk is parsed in place; past the cap it must still be junk.
        let mut line = b"type=file; ".to_vec();
        line.resize(LINE_BUF_CAP + 10, b'n');
        line.extend_from_slice(b"\ntype=file; after\n");
        let listing = parse_all(ListFormat::Mlsd, &[&line]);
        assert_eq!(listing.entries.len(), 1);
        assert_eq!(listing.skipped.len(), 1);
        assert_eq!(listing.skipped[0].len(), MAX_SKIPPED_LINE_LEN);
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

        // The same, each line whole in one chunk.
        line.pop();
        let mut joined = line.clone();
        joined.extend_from_slice(b"\r\n");
        joined.extend_from_slice(&line);
        joined.extend_from_slice(b"n\r\n");
        let listing = parse_all(ListFormat::Mlsd, &[&joined]);
        assert_eq!(listing.entries.len(), 1);
        assert_eq!(listing.skipped.len(), 1);
    }

    #[test]
    fn entry_cap_fails_the_listing() {
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(3);
        parser
            .feed(b"type=file; a\r\ntype=file; b\r\ntype=fi")
            .expect("room");
        let names: Vec<_> = parser.take_entries().into_iter().map(|e| e.name).collect();
        assert_eq!(names, [b"a".to_vec(), b"b".to_vec()]);
        // Taken entries still count: the fourth passes the cap of three.
        assert!(parser.feed(b"le; c\r\ntype=file; d\r\n").is_err());
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(2);
        parser
            .feed(b"type=file; a\r\ntype=file; b\r\ntype=cdir; .\r\njunk\r\n")
            .unwrap();
        let err = parser.feed(b"type=file; c\r\n").unwrap_err();
        assert!(matches!(err, ListingError::TooManyEntries { max: 2 }));
        assert_eq!(err.to_string(), "listing has more than 2 entries");
        assert!(parser.feed(b"").is_err());
        assert!(parser.finish().is_err());

        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(1);
        parser.feed(b"type=file; a\ntype=file; b").unwrap();
        assert!(parser.finish().is_err());
        // An LF-only listing is found out within MAX_HELD_LINES lines.
        let mut parser = ListingParser::new(ListFormat::Mlsd, ctx()).with_max_entries(2);
        let lf_lines = b"type=file; x\n".repeat(MAX_HELD_LINES);
        assert!(parser.feed(&lf_lines).is_err());
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
        assert_eq!(parse_size_field(b"7"), Some(Some(7)));
        assert_eq!(parse_size_field(b"18446744073709551616"), Some(None));
        assert_eq!(parse_size_field(b"-1"), Some(None));
        assert_eq!(parse_size_field(b"-"), None);
        assert_eq!(parse_size_field(b"1a"), None);
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
        assert_eq!(parse_year(b"69"), Some(2069));
        assert_eq!(parse_year(b"70"), Some(1970));
        assert_eq!(parse_year(b"103"), Some(2003));
        assert_eq!(parse_year(b"2024"), Some(2024));
        assert_eq!(parse_year(b"1"), None);
        assert_eq!(parse_year(b"20245"), None);
        assert_eq!(parse_octal_mode(b"0755"), Some(0o755));
        assert_eq!(parse_octal_mode(b"8"), None);
    }

    #[test]
    fn find_byte_agrees_with_position() {
        let mut rng = super::testkit::Rng::new(7);
        for len in 0..40 {
            for _ in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| b"ab\n\x8a\x0a\xff"[rng.below(6)])
                    .collect();
                for needle in [b'\n', b'a', 0xff, 0x8a, 0] {
                    let want = bytes.iter().position(|&b| b == needle);
                    assert_eq!(find_byte(needle, &bytes), want, "{needle} in {bytes:?}");
                }
            }
        }
    }

    #[test]
    fn server_types_follow_filezilla_numbers() {
        let types: Vec<_> = (0..=11).map(ServerType::from_filezilla_type).collect();
        assert_eq!(
            types,
            [
                Some(ServerType::Auto),
                Some(ServerType::Unix),
                Some(ServerType::Vms),
                Some(ServerType::Dos),
                Some(ServerType::Mvs),
                Some(ServerType::VxWorks),
                Some(ServerType::ZVm),
                Some(ServerType::HpNonStop),
                Some(ServerType::DosVirtual),
                Some(ServerType::Cygwin),
                Some(ServerType::DosForwardSlashes),
                None,
            ]
        );
        assert_eq!(ServerType::default(), ServerType::Auto);
    }

    /// `ALL` holds every variant once (FileZilla's numbers reach each one),
    /// and each name is distinct and reads back, in any case, as its type.
    #[test]
    fn server_type_names_round_trip() {
        let numbered: std::collections::HashSet<ServerType> = (0..=10)
            .filter_map(ServerType::from_filezilla_type)
            .collect();
        assert_eq!(numbered, ServerType::ALL.into_iter().collect());
        let names: std::collections::HashSet<&str> =
            ServerType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names.len(), ServerType::ALL.len());
        for server_type in ServerType::ALL {
            let name = server_type.name();
            assert_eq!(ServerType::from_name(name), Some(server_type), "{name}");
            let upper = name.to_ascii_uppercase();
            assert_eq!(ServerType::from_name(&upper), Some(server_type), "{upper}");
        }
        assert_eq!(
            ServerType::from_name("dos-virtual"),
            Some(ServerType::DosVirtual)
        );
        assert_eq!(ServerType::from_name("Windows"), Some(ServerType::Dos));
        assert_eq!(ServerType::from_name("zos"), Some(ServerType::Mvs));
        assert_eq!(ServerType::from_name("nonsense"), None);
        assert_eq!(ServerType::from_name(""), None);
    }

    /// One sample line of each format, with the family that must read it.
    const SAMPLES: &[(Family, &[u8])] = &[
        (
            Family::Unix,
            b"-rw-r--r--   1 alice    staff        1234 Jan  1  2020 notes.txt",
        ),
        (
            Family::Unix,
            b"lrwxrwxrwx 1 u g 11 Mar 10 09:05 link -> /etc/target",
        ),
        (Family::Unix, b"drwxr-xr-x 2 u g 4096 2024-03-01 12:30 iso"),
        (
            Family::Unix,
            b"d [R----F--] supervisor            512       Jan 16 18:53    login",
        ),
        (
            Family::Unix,
            b"-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit",
        ),
        (
            Family::Unix,
            b"drwxrwxr-x               folder        2 May 10  1996 network",
        ),
        (
            Family::Dos,
            b"01-16-24  02:15PM       <DIR>          Folder name",
        ),
        (Family::Dos, b"2024-03-07  09:05  42  iso"),
        (Family::Eplf, b"+i8388621.29609,m824255902,/,\tdev"),
        (
            Family::Eplf,
            b"+i8388621.48594,m825718503,r,s280,up755,\tfile",
        ),
        (
            Family::Vms,
            b"FILE.TXT;1  2/4  17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)",
        ),
        (
            Family::Vms,
            b"SUB.DIR;1  1  19-NOV-2001 21:41 [root,root] (RWE,RWE,RE,RE)",
        ),
        (
            Family::Os2,
            b"     0           DIR   05-12-97   16:44  PSFONTS",
        ),
        (Family::Os2, b" 1123      A    07-14-99   12:37  readme.txt"),
        (Family::VxWorks, b"  512    Mar 14 2024 10:00  file.txt"),
        (
            Family::VxWorks,
            b"2048    Feb-28-1998  05:23:30   nortel dir <DIR>",
        ),
        (
            Family::As400,
            b"QSYS            77824 02/23/00 15:09:55 *DIR       QDOC/",
        ),
        (
            Family::As400,
            b"BAILEYSE     5263360 06/11/97 12:27:39 *FILE     BPTFSAVF",
        ),
        (
            Family::Mvs,
            b"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.FILE",
        ),
        (
            Family::Mvs,
            b"MEMBER1   01.01 2004/06/22 2004/06/22 16:32   128   128    0 BOBY12",
        ),
        (
            Family::ZVm,
            b"PROFILE  EXEC     F         80         12          1 2024-03-14 10:00:00 -",
        ),
        (
            Family::HpNonStop,
            b"FILE01 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\"",
        ),
    ];

    /// Every family but `MvsHinted`, which reads what `Mvs` reads and more.
    const FAMILIES: [Family; 10] = [
        Family::Unix,
        Family::Dos,
        Family::Eplf,
        Family::Vms,
        Family::Os2,
        Family::VxWorks,
        Family::As400,
        Family::Mvs,
        Family::ZVm,
        Family::HpNonStop,
    ];

    #[test]
    fn each_format_is_read_by_its_own_family_only() {
        for &(own, line) in SAMPLES {
            for family in FAMILIES.into_iter().chain([Family::MvsHinted]) {
                let is_own = family == own || (own == Family::Mvs && family == Family::MvsHinted);
                let parsed = family.parse(line, ctx());
                assert_eq!(
                    matches!(parsed, Parsed::Entry(_)),
                    is_own,
                    "{family:?} on {}",
                    line.escape_ascii()
                );
            }
        }
    }

    #[test]
    fn auto_and_the_hint_read_each_format_alike() {
        let hint = |family| match family {
            Family::Unix | Family::Eplf => ServerType::Unix,
            Family::Dos | Family::Os2 => ServerType::Dos,
            Family::Vms => ServerType::Vms,
            Family::Mvs | Family::MvsHinted => ServerType::Mvs,
            Family::VxWorks => ServerType::VxWorks,
            Family::ZVm => ServerType::ZVm,
            Family::HpNonStop => ServerType::HpNonStop,
            Family::As400 => ServerType::Auto,
        };
        for &(own, line) in SAMPLES {
            let by_family = family_entry(own, line);
            assert!(by_family.is_some(), "{}", line.escape_ascii());
            assert_eq!(parse_list_line(line, &ctx()), by_family);
            assert_eq!(parse_list_line_with(line, &ctx(), hint(own)), by_family);
        }
    }

    fn family_entry(family: Family, line: &[u8]) -> Option<ListEntry> {
        family.parse(line, ctx()).into_entry()
    }

    #[test]
    fn a_hint_tries_only_its_own_families() {
        let unix = b"-rw-r--r-- 1 u g 5 Jan 1 2020 f".as_slice();
        let dos = b"01-16-24  02:15PM  <DIR>  d".as_slice();
        let os2 = b" 1123      A    07-14-99   12:37  readme.txt".as_slice();
        let eplf = b"+i1.2,m824255902,/,\tdev".as_slice();
        let vms = b"FILE.TXT;1  2/4  17-JAN-2024 10:12:01".as_slice();
        let member = b"MEMBER1".as_slice();
        // The hint, the lines it reads, the lines it refuses.
        type Case<'a> = (ServerType, &'a [&'a [u8]], &'a [&'a [u8]]);
        let cases: [Case<'_>; 6] = [
            (ServerType::Unix, &[unix, eplf], &[dos, os2, vms, member]),
            (ServerType::Cygwin, &[unix, eplf], &[dos, vms]),
            (ServerType::Dos, &[dos, os2], &[unix, eplf, vms]),
            (ServerType::DosForwardSlashes, &[dos, os2], &[unix]),
            (ServerType::Vms, &[vms], &[unix, dos, eplf]),
            (ServerType::Mvs, &[member], &[unix, dos, vms]),
        ];
        for (server_type, read, refused) in cases {
            for line in read {
                let got = parse_list_line_with(line, &ctx(), server_type);
                assert!(got.is_some(), "{server_type:?}: {}", line.escape_ascii());
            }
            for line in refused {
                let got = parse_list_line_with(line, &ctx(), server_type);
                assert!(got.is_none(), "{server_type:?}: {}", line.escape_ascii());
            }
        }
        // A bare member name is only read when the user says the server is MVS.
        assert_eq!(parse_list_line(member, &ctx()), None);
    }

    #[test]
    fn mlsd_ignores_the_hint() {
        let mut parser =
            ListingParser::new(ListFormat::Mlsd, ctx()).with_server_type(ServerType::Vms);
        parser.feed(b"type=file;size=3; a\r\n").unwrap();
        let listing = parser.finish().unwrap();
        assert_eq!(listing.entries.len(), 1);
    }

    #[test]
    fn a_bare_lf_inside_a_crlf_mlsd_listing_belongs_to_the_name() {
        let crlf: &[u8] = b"type=file;size=3; a\nb\r\ntype=file;size=1; c\r\n";
        let lf_only: &[u8] = b"type=file;size=3; a\ntype=file;size=1; c\n";
        let cases: [(&[u8], &[&[u8]]); 2] = [(crlf, &[b"a\nb", b"c"]), (lf_only, &[b"a", b"c"])];
        for (input, names) in cases {
            for split in 0..input.len() {
                let mut parser = ListingParser::new(ListFormat::Mlsd, ctx());
                parser.feed(&input[..split]).unwrap();
                parser.feed(&input[split..]).unwrap();
                let listing = parser.finish().unwrap();
                let got: Vec<&[u8]> = listing.entries.iter().map(|e| &e.name[..]).collect();
                assert_eq!(got, names.to_vec(), "split at {split}");
            }
        }
    }

    #[test]
    fn dot_names_are_dropped_in_every_format() {
        // Found by the listing_list fuzz target: an MVS "Migrated" row named "..".
        let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).expect("date");
        let ctx = ListContext { today };
        for line in [
            &b"Migrated           ..           "[..],
            b"Migrated           .           ",
        ] {
            for server_type in [ServerType::Auto, ServerType::Mvs] {
                assert_eq!(
                    parse_list_line_with(line, &ctx, server_type),
                    None,
                    "{server_type:?}"
                );
                let mut parser =
                    ListingParser::new(ListFormat::List, ctx).with_server_type(server_type);
                parser.feed(line).expect("feed");
                let listing = parser.finish().expect("finish");
                assert!(
                    listing.entries.is_empty(),
                    "{server_type:?}: {:?}",
                    listing.entries
                );
            }
        }
    }

    #[test]
    fn a_vms_name_line_with_nul_is_never_joined() {
        // Found by the listing_list fuzz target: the join checked only the second line.
        let data: &[u8] = b"LONGNAME_ALO\x02\x00\xfc\xffNE.TXT;1\r\n  3/6  2-JAN-2024 00:00:00  [ALICE]  (RWED,RWED,RE,)\r\n";
        let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).expect("date");
        for server_type in [ServerType::Auto, ServerType::Vms] {
            let mut parser = ListingParser::new(ListFormat::List, ListContext { today })
                .with_server_type(server_type);
            parser.feed(data).expect("feed");
            let listing = parser.finish().expect("finish");
            assert!(
                listing.entries.iter().all(|e| !e.name.contains(&0)),
                "{server_type:?}: {:?}",
                listing.entries
            );
        }
    }

    #[test]
    fn vms_entries_on_two_lines_are_joined_across_chunks() {
        let listing = b"Directory DISK$USER:[ALICE]\r\n\
            \r\n\
            A-LONG-FILE-NAME.TXT;12\r\n\
            \x20       170774/170775     24-APR-2003 08:16:15  [FTP_CLIENT,SCOT]      (RWED,RWED,RE,)\r\n\
            SHORT.TXT;1  2/4  17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)\r\n\
            LONELY.TXT;1\r\n\
            NOT A CONTINUATION\r\n\
            LAST.DIR;1\r\n\
            \x20 1/3  2-AUG-2006 13:05  [SUMMARY]  (RWE,RWE,RE,)\r\n\
            TRAILING.TXT;2\r\n\
            \r\n\
            Total of 4 files, 170778/170782 blocks.\r\n\
            DANGLING.TXT;1\r\n";
        let want = [
            "File 'A-LONG-FILE-NAME.TXT;12' - 2003-04-24T08:16:15/Second RWED,RWED,RE, SCOT FTP_CLIENT",
            "File 'SHORT.TXT;1' - 2024-01-17T10:12:01/Second RWED,RWED,RE, OWNER GROUP",
            "Dir 'LAST' - 2006-08-02T13:05:00/Minute RWE,RWE,RE, SUMMARY -",
        ];
        let skipped: [&[u8]; 5] = [
            b"LONELY.TXT;1",
            b"NOT A CONTINUATION",
            b"TRAILING.TXT;2",
            b"",
            b"DANGLING.TXT;1",
        ];
        // The blank line after TRAILING.TXT;2 ends its chance of a continuation without being
        // skipped itself.
        let skipped: Vec<&[u8]> = skipped.into_iter().filter(|s| !s.is_empty()).collect();
        for server_type in [ServerType::Auto, ServerType::Vms] {
            for split in 0..listing.len() {
                let (a, b) = listing.split_at(split);
                let parsed = parse_all_as(ListFormat::List, server_type, &[a, b]);
                let got: Vec<_> = parsed.entries.iter().map(describe).collect();
                assert_eq!(got, want, "{server_type:?} split at {split}");
                assert_eq!(parsed.skipped, skipped, "{server_type:?} split at {split}");
            }
        }
        // Other hints never hold a name back.
        let parsed = parse_all_as(ListFormat::List, ServerType::Unix, &[listing]);
        assert!(parsed.entries.is_empty());
        // Single lines cannot be joined.
        assert_eq!(parse_list_line(b"A-LONG-FILE-NAME.TXT;12", &ctx()), None);
    }
}
