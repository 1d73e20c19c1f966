//! `skiff ls`: a remote folder (or one file) as lines or as JSON.
//!
//! Owns the listing's output formats, which scripts parse: the columns of a
//! line and the JSON fields. Must not change a byte of either by accident.

use super::target::{blocking_target, open};
use super::{CliError, Finish, Options, print_list};
use crate::engine::event::EventSink;
use crate::engine::{EngineError, RemoteEntry};
use crate::protocol::listing::EntryKind;
use crate::protocol::path;
use crate::protocol::text::escape_bytes;

/// `skiff ls URL`: the folder's entries, or the one entry a file path names.
/// A folder's entries are printed as they are parsed, never held whole.
pub(super) async fn ls(
    text: &str,
    json: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, dir) = open(&url, &mut config, &events).await?;
    let mut printer = Printer::new(json);
    let listed = session
        .list_each(Some(&dir), &mut |entry| printer.entry(&entry))
        .await;
    let single = match listed {
        Ok(_) => None,
        // A refused CWD comes before any entry: nothing was printed.
        Err(EngineError::Refused { .. }) if !url.trailing_slash && printer.count == 0 => {
            // Not a folder: list its parent and show just this entry, as `ls FILE` does.
            let name = path::file_name(&dir).to_vec();
            let parent = session.list(Some(&path::parent(&dir))).await?;
            let found: Vec<_> = parent
                .entries
                .into_iter()
                .filter(|e| e.entry.name == name)
                .collect();
            if found.is_empty() {
                return Err(CliError::Usage(format!(
                    "no such file or folder: {}",
                    session.decode(&dir)
                )));
            }
            Some(found)
        }
        Err(e) => return Err(e.into()),
    };
    session.quit().await;
    if let Some(found) = single {
        return print_list(&found, json, JsonEntry::new, entry_line);
    }
    printer.finish()
}

/// Prints entries as they come, in exactly the bytes [`print_list`] would
/// write for all of them at once (for JSON: the pretty array, element by
/// element). A closed pipe (`skiff ls | head`) stops the printing quietly.
struct Printer<W: std::io::Write = std::io::Stdout> {
    out: std::io::BufWriter<W>,
    json: bool,
    count: usize,
    error: Option<std::io::Error>,
    /// The line being written, reused entry after entry.
    line: String,
}

impl Printer {
    fn new(json: bool) -> Self {
        Printer::to(std::io::stdout(), json)
    }
}

impl<W: std::io::Write> Printer<W> {
    fn to(out: W, json: bool) -> Self {
        Self {
            out: std::io::BufWriter::with_capacity(64 * 1024, out),
            json,
            count: 0,
            error: None,
            line: String::new(),
        }
    }

    fn entry(&mut self, item: &RemoteEntry) {
        use std::io::Write;
        if self.error.is_some() {
            return;
        }
        let written = if self.json {
            let first = self.count == 0;
            serde_json::to_string_pretty(&JsonEntry::new(item))
                .map_err(std::io::Error::from)
                .and_then(|element| {
                    self.out.write_all(if first { b"[\n" } else { b",\n" })?;
                    // An array's element is its own pretty form indented by two spaces.
                    for (i, line) in element.split('\n').enumerate() {
                        if i > 0 {
                            self.out.write_all(b"\n")?;
                        }
                        write!(self.out, "  {line}")?;
                    }
                    Ok(())
                })
        } else {
            self.line.clear();
            write_entry_line(&mut self.line, item, &item.name);
            self.line.push('\n');
            self.out.write_all(self.line.as_bytes())
        };
        self.count += 1;
        if let Err(e) = written {
            self.error = Some(e);
        }
    }

    fn finish(mut self) -> Result<Finish, CliError> {
        use std::io::Write;
        let written = match self.error.take() {
            Some(e) => Err(e),
            None if !self.json => Ok(()),
            None if self.count == 0 => self.out.write_all(b"[]\n"),
            None => self.out.write_all(b"\n]\n"),
        };
        match written.and_then(|()| self.out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(EngineError::Local {
                path: "standard output".into(),
                source: e,
            }
            .into()),
            _ => Ok(Finish::Ok),
        }
    }
}

/// An entry kind as `ls --json` spells it.
pub(super) fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Other => "other",
    }
}

/// One `ls --json` entry, serialized straight from the listing (no
/// intermediate JSON tree, so a huge listing costs little extra memory).
/// `name` is the exact name (JSON escapes its control characters); when its
/// bytes are not text in the site's charset, `name` is the escaped display
/// form and `name_bytes` holds the exact bytes as hexadecimal.
#[derive(serde::Serialize)]
pub(super) struct JsonEntry<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_bytes: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    size: Option<u64>,
    modified: Option<String>,
    permissions: Option<&'a str>,
    target: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> JsonEntry<'a> {
    pub(super) fn new(item: &'a RemoteEntry) -> Self {
        Self {
            name: item.text().unwrap_or(&item.name),
            name_bytes: item
                .text()
                .is_none()
                .then(|| item.entry.name.iter().map(|b| format!("{b:02x}")).collect()),
            kind: kind_name(item.kind()),
            size: item.size(),
            modified: item.modified().map(|t| {
                t.at.and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
            permissions: item.entry.permissions.as_deref(),
            target: item.entry.target.as_deref().map(String::from_utf8_lossy),
        }
    }
}

/// One `ls` line: kind, size, time, name, and ` -> target` for a link.
pub(super) fn entry_line(item: &RemoteEntry) -> String {
    entry_line_named(item, &item.name)
}

/// [`entry_line`] with `shown` (escaped already) in the name's place: `find`
/// shows the full path.
pub(super) fn entry_line_named(item: &RemoteEntry, shown: &str) -> String {
    let mut line = String::with_capacity(48 + shown.len());
    write_entry_line(&mut line, item, shown);
    line
}

/// Appends one `ls` line (without its newline) to `out`: written field by
/// field, since `ls` of a large folder formats one line per entry.
fn write_entry_line(out: &mut String, item: &RemoteEntry, shown: &str) {
    let kind = match item.kind() {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Other => '?',
    };
    out.push(kind);
    out.push(' ');
    match item.size() {
        Some(size) => push_number(out, size, 12),
        None => pad(out, 12),
    }
    out.push(' ');
    match item.modified() {
        Some(t) if !(0..=9999).contains(&chrono::Datelike::year(&t.at)) => {
            use std::fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(out, "{:>16}", t.at.format("%Y-%m-%d %H:%M"));
        }
        Some(t) => {
            use chrono::{Datelike, Timelike};
            let at = t.at;
            // The year is 0..=9999 here: four digits.
            push_digits(out, u64::try_from(at.year()).unwrap_or(0), 4);
            out.push('-');
            push_digits(out, u64::from(at.month()), 2);
            out.push('-');
            push_digits(out, u64::from(at.day()), 2);
            out.push(' ');
            push_digits(out, u64::from(at.hour()), 2);
            out.push(':');
            push_digits(out, u64::from(at.minute()), 2);
        }
        None => pad(out, 16),
    }
    out.push(' ');
    // `shown` is escaped already (control characters, bidi overrides, bytes
    // that do not decode): no server byte reaches the terminal raw.
    out.push_str(shown);
    if let Some(target) = &item.entry.target {
        out.push_str(" -> ");
        out.push_str(&escape_bytes(target));
    }
}

/// `width` spaces.
fn pad(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// `value` right-aligned in `width` columns, as `{value:>width}` writes it
/// (by hand: `ls` of a large folder formats two numbers per entry, and
/// `core::fmt` was a quarter of its time).
fn push_number(out: &mut String, value: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    pad(out, width.saturating_sub(digits.len() - at));
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// `value` in exactly `count` digits, zero-padded (`{value:0count$}` for a
/// value that fits).
fn push_digits(out: &mut String, value: u64, count: u32) {
    for place in (0..count).rev() {
        let digit = (value / 10u64.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::listing::ListEntry;

    fn entry(name: &str, kind: EntryKind, size: Option<u64>) -> RemoteEntry {
        let listed = ListEntry {
            name: name.as_bytes().to_vec(),
            kind,
            size,
            modified: None,
            permissions: Some("rw-r--r--".to_string()),
            owner: None,
            group: None,
            target: None,
        };
        RemoteEntry::new(name.to_string(), Some(name.to_string()), listed)
    }

    #[test]
    fn lines_are_the_columns_they_always_were() {
        use crate::protocol::listing::{ListTime, TimePrecision};
        let at = |text: &str| ListTime {
            at: chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time"),
            precision: TimePrecision::Minute,
        };
        let mut dated = entry("a b", EntryKind::File, Some(1234));
        dated.entry.modified = Some(at("2026-03-04 05:06"));
        let mut old = entry("x", EntryKind::Dir, None);
        old.entry.modified = Some(at("0999-12-31 23:59"));
        let mut link = entry("l", EntryKind::Symlink, None);
        link.entry.target = Some(b"/t\x1b".to_vec());
        let cases = [
            (dated, "-         1234 2026-03-04 05:06 a b"),
            (old, "d              0999-12-31 23:59 x"),
            (link, "l                               l -> /t\\x1b"),
        ];
        for (item, expected) in cases {
            assert_eq!(entry_line(&item), expected);
        }
    }

    #[test]
    fn streamed_json_is_the_pretty_array_byte_for_byte() {
        for items in [
            vec![],
            vec![entry("a \"b\"\n", EntryKind::File, Some(5))],
            vec![
                entry("a", EntryKind::File, None),
                entry("b", EntryKind::File, Some(7)),
                entry("dir", EntryKind::Dir, Some(4096)),
                entry("z", EntryKind::Symlink, Some(1)),
            ],
        ] {
            let mut expected = Vec::new();
            let all: Vec<JsonEntry> = items.iter().map(JsonEntry::new).collect();
            serde_json::to_writer_pretty(&mut expected, &all).expect("json");
            expected.push(b'\n');
            let mut printer = Printer::to(Vec::new(), true);
            for item in &items {
                printer.entry(item);
            }
            assert!(printer.error.is_none());
            use std::io::Write;
            printer
                .out
                .write_all(if items.is_empty() { b"[]\n" } else { b"\n]\n" })
                .expect("end");
            let streamed = printer.out.into_inner().expect("flush");
            assert_eq!(
                String::from_utf8_lossy(&streamed),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    #[test]
    fn hand_written_numbers_match_the_formatter() {
        for (value, width) in [
            (0u64, 12usize),
            (7, 12),
            (1_234_567, 12),
            (u64::MAX, 12),
            (42, 1),
        ] {
            let mut out = String::new();
            push_number(&mut out, value, width);
            assert_eq!(out, format!("{value:>width$}"));
        }
        for (value, count) in [(0u64, 4u32), (7, 2), (59, 2), (2026, 4), (999, 4)] {
            let mut out = String::new();
            push_digits(&mut out, value, count);
            assert_eq!(out, format!("{value:0width$}", width = count as usize));
        }
    }
}
