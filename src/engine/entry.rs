//! A listed remote folder as the engine hands it to the front ends.
//!
//! Plain data: each entry keeps the server's exact name bytes (in the parsed
//! [`ListEntry`]) beside its display form and exact text, so what is shown,
//! what becomes a local name and what is sent back to the server never get
//! mixed up. Shared by the session (which builds it) and the events (which
//! carry it), so neither imports the other.

use std::borrow::Cow;

use super::charset::Charset;
use crate::protocol::listing::{EntryKind, ListEntry, ListTime};
use crate::protocol::text::escape;

/// One entry of a remote listing, with its name decoded for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEntry {
    /// The name decoded with the site's charset, for display: control
    /// characters and bytes that do not decode are escaped
    /// ([`crate::engine::Charset::decode`]).
    pub name: String,
    /// The exact text of the name, kept apart only when it differs from the
    /// display form (a listing of plain names holds each name once).
    exact: Exact,
    /// The parsed entry, with the name as the server's exact bytes.
    pub entry: ListEntry,
}

/// A name's exact text beside its display form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exact {
    /// The display form is the exact text (nothing needed escaping).
    Shown,
    /// The exact text, which holds what the display form escapes.
    Own(Box<str>),
    /// The bytes are not text in the site's charset.
    Undecodable,
}

impl RemoteEntry {
    /// An entry shown as `name`, whose exact text in the site's charset is
    /// `text` (`None` when its bytes do not decode there).
    pub fn new(name: String, text: Option<String>, entry: ListEntry) -> Self {
        let exact = match text {
            Some(text) if text == name => Exact::Shown,
            Some(text) => Exact::Own(text.into_boxed_str()),
            None => Exact::Undecodable,
        };
        Self { name, exact, entry }
    }

    /// `entry` with its name decoded once in `charset`: the display form is
    /// the exact text itself unless that needs escapes.
    pub(crate) fn decoded(entry: ListEntry, charset: Charset) -> Self {
        let Some(text) = charset.decode_exact(&entry.name) else {
            let name = charset.decode(&entry.name);
            return Self {
                name,
                exact: Exact::Undecodable,
                entry,
            };
        };
        let escaped = match escape(&text) {
            Cow::Owned(shown) => Some(shown),
            Cow::Borrowed(_) => None,
        };
        match escaped {
            Some(shown) => Self {
                name: shown,
                exact: Exact::Own(text.into_boxed_str()),
                entry,
            },
            None => Self {
                name: text,
                exact: Exact::Shown,
                entry,
            },
        }
    }

    /// The exact text of the name in the site's charset, `None` when its
    /// bytes are not valid there (a server that sends Latin-1 names to a
    /// client reading UTF-8). Local file names are made from this or, when
    /// it is `None`, from the bytes themselves.
    pub fn text(&self) -> Option<&str> {
        match &self.exact {
            Exact::Shown => Some(&self.name),
            Exact::Own(text) => Some(text),
            Exact::Undecodable => None,
        }
    }

    /// File, folder, link or other.
    pub fn kind(&self) -> EntryKind {
        self.entry.kind
    }

    /// The size in bytes, when listed.
    pub fn size(&self) -> Option<u64> {
        self.entry.size
    }

    /// The modification time, when listed.
    pub fn modified(&self) -> Option<ListTime> {
        self.entry.modified
    }
}

/// A directory listing.
#[derive(Debug, Clone, Default)]
pub struct RemoteListing {
    /// The entries, without `.`, `..` and unparsable lines.
    pub entries: Vec<RemoteEntry>,
    /// How many non-empty lines could not be parsed.
    pub skipped_lines: usize,
}
