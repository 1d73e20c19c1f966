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
pub(super) async fn ls(
    text: &str,
    json: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, config) = blocking_target(text, options).await?;
    let (mut session, dir) = open(&url, &config, &events).await?;
    let listing = match session.list(Some(&dir)).await {
        Ok(listing) => listing.entries,
        Err(EngineError::Refused { .. }) if !url.trailing_slash => {
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
            found
        }
        Err(e) => return Err(e.into()),
    };
    session.quit().await;
    print_list(&listing, json, JsonEntry::new, entry_line)
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
    let kind = match item.kind() {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Other => '?',
    };
    let size = item.size().map(|s| s.to_string()).unwrap_or_default();
    let modified = item
        .modified()
        .map(|t| t.at.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    // `name` is escaped already (control characters, bidi overrides, bytes
    // that do not decode): no server byte reaches the terminal raw.
    let mut line = format!("{kind} {size:>12} {modified:>16} {shown}");
    if let Some(target) = &item.entry.target {
        line.push_str(" -> ");
        line.push_str(&escape_bytes(target));
    }
    line
}
