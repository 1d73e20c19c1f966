//! Conversions between the engine's types and the tables' rows: a remote
//! listing entry becomes a [`FileRow`], and selected rows (or files dropped
//! from the desktop) become the queue's [`NewItem`]s.
//!
//! Pure functions: no I/O, no egui, no engine handles. They must not decide
//! *whether* to transfer (the caller checks that both folders are known) and
//! must never make a local name out of a remote one except through
//! [`crate::names::local_name`], which refuses names unsafe on this system.

use std::path::{Path, PathBuf};

use super::files::{FileRow, RowKind};
use super::i18n::tr;
use crate::engine::RemoteEntry;
use crate::engine::queue::NewItem;
use crate::protocol::listing::EntryKind;
use crate::protocol::text::{escape, escape_bytes};
use crate::sync::{Entry, Kind};

/// The folders a transfer runs between: the local pane's folder, the remote
/// pane's folder as the server's bytes, and the remote path as the path
/// field shows it (for `remote_display`).
#[derive(Debug, Clone, Copy)]
pub struct Folders<'a> {
    /// The local folder.
    pub local: &'a Path,
    /// The remote folder, as the server's bytes.
    pub remote: &'a [u8],
    /// The remote folder as shown in the path field.
    pub remote_shown: &'a str,
}

/// What a selection turned into: the items to queue and, for rows that
/// cannot be transferred, one message each for the log.
#[derive(Debug, Default)]
pub struct Items {
    /// The items to queue, in the order of the rows.
    pub items: Vec<NewItem>,
    /// Why rows were left out (`"not downloaded, …: name"`).
    pub refused: Vec<String>,
}

/// Items that download `rows` of the remote folder into the local one. A
/// row whose name is unsafe as a local file name is refused, not renamed.
pub fn downloads(folders: Folders<'_>, rows: &[FileRow]) -> Items {
    let mut out = Items::default();
    for row in rows {
        let raw = row.raw.as_deref().unwrap_or(row.name.as_bytes());
        match crate::names::local_name(row.text.as_deref(), raw) {
            Ok(name) => out.items.push(
                NewItem::download(
                    folders.local.join(name),
                    remote_child(folders.remote, row),
                    remote_display(folders.remote_shown, row),
                )
                .folder(row.kind == RowKind::Folder)
                .with_size(row.size)
                .with_modified(row.modified),
            ),
            Err(e) => out.refused.push(tr!(
                "note-unsafe-name",
                reason = e.to_string(),
                name = row.name.as_str()
            )),
        }
    }
    out
}

/// Items that upload `rows` of the local folder into the remote one.
pub fn uploads(folders: Folders<'_>, rows: &[FileRow]) -> Vec<NewItem> {
    rows.iter()
        .map(|row| {
            NewItem::upload(
                folders.local.join(&row.name),
                remote_child(folders.remote, row),
                remote_display(folders.remote_shown, row),
            )
            .folder(row.kind == RowKind::Folder)
            .with_size(row.size)
            .with_modified(row.modified)
        })
        .collect()
}

/// Items that upload files dropped from the desktop (each with whether it
/// is a folder) into the remote folder; a path without a file name is skipped.
pub fn dropped_uploads(
    remote: &[u8],
    remote_shown: &str,
    dropped: Vec<(PathBuf, bool)>,
) -> Vec<NewItem> {
    dropped
        .into_iter()
        .filter_map(|(path, is_dir)| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            let row = FileRow::new(name, RowKind::File);
            let target = remote_child(remote, &row);
            Some(NewItem::upload(path, target, remote_display(remote_shown, &row)).folder(is_dir))
        })
        .collect()
}

/// The remote path of `row` inside `dir`: the row's own bytes when the
/// server listed it, else its name.
pub fn remote_child(dir: &[u8], row: &FileRow) -> Vec<u8> {
    crate::protocol::path::join(dir, row.raw.as_deref().unwrap_or(row.name.as_bytes()))
}

/// A row of the remote folder, for display: `/shown/folder/name`.
pub fn remote_display(shown_dir: &str, row: &FileRow) -> String {
    format!("{}/{}", shown_dir.trim_end_matches('/'), row.name)
}

/// A remote listing entry as a table row.
pub fn remote_row(entry: RemoteEntry) -> FileRow {
    let kind = match entry.entry.kind {
        EntryKind::Dir => RowKind::Folder,
        EntryKind::Symlink => RowKind::Link,
        EntryKind::File | EntryKind::Other => RowKind::File,
    };
    // Every column the server wrote is shown escaped, never interpreted.
    let shown = |text: &str| escape(text).into_owned();
    let text = entry.text().map(str::to_owned);
    let mut row = FileRow::new(entry.name, kind);
    row.size = entry.entry.size.filter(|_| kind != RowKind::Folder);
    row.modified = entry.entry.modified.map(|t| t.at);
    // MLSD times are UTC; LIST times arrive moved by the site's offset.
    row.stamp = entry.entry.modified.map(|t| crate::sync::Stamp {
        at: t.at,
        precision: t.precision,
    });
    row.permissions = shown(&entry.entry.permissions.unwrap_or_default());
    row.owner = shown(&match (entry.entry.owner, entry.entry.group) {
        (Some(o), Some(g)) => format!("{o} {g}"),
        (Some(o), None) => o,
        (None, Some(g)) => g,
        (None, None) => String::new(),
    });
    row.target = entry.entry.target.map(|t| escape_bytes(&t).into_owned());
    row.raw = Some(entry.entry.name);
    row.text = text;
    row
}

/// The name two panes' rows are matched by: the remote name's exact text
/// when it has one, else the name shown.
pub fn match_name(row: &FileRow) -> &str {
    row.text.as_deref().unwrap_or(&row.name)
}

/// A row as the planner sees a file or folder.
pub fn entry(row: &FileRow) -> Entry {
    match row.kind {
        RowKind::Folder => Entry::folder(),
        RowKind::File | RowKind::Link => Entry {
            kind: Kind::File,
            size: row.size,
            modified: row.stamp,
            checksum: None,
            unsafe_name: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::queue::Direction;

    /// A remote row as a listing makes it: `name` shown, `raw` sent back.
    fn remote(name: &str, raw: &[u8], text: Option<&str>, kind: RowKind) -> FileRow {
        let mut row = FileRow::new(name.to_string(), kind);
        row.raw = Some(raw.to_vec());
        row.text = text.map(str::to_string);
        row
    }

    fn folders<'a>(local: &'a Path) -> Folders<'a> {
        Folders {
            local,
            remote: b"/pub/data",
            remote_shown: "/pub/data/",
        }
    }

    #[test]
    fn downloads_name_files_and_folders_in_the_local_folder() {
        let mut file = remote("a.txt", b"a.txt", Some("a.txt"), RowKind::File);
        file.size = Some(42);
        let dir = remote("sub", b"sub", Some("sub"), RowKind::Folder);
        let out = downloads(folders(Path::new("dl")), &[file, dir]);
        assert!(out.refused.is_empty(), "{:?}", out.refused);
        let [file, dir] = out.items.as_slice() else {
            panic!("two items: {:?}", out.items)
        };
        assert_eq!(file.direction, Direction::Download);
        assert_eq!(file.local, Path::new("dl").join("a.txt"));
        assert_eq!(file.remote, b"/pub/data/a.txt");
        assert_eq!(file.remote_display, "/pub/data/a.txt");
        assert_eq!((file.is_dir, file.size), (false, Some(42)));
        assert_eq!(dir.local, Path::new("dl").join("sub"));
        assert_eq!(dir.remote, b"/pub/data/sub");
        assert!(dir.is_dir);
    }

    #[test]
    fn downloads_send_the_servers_bytes_back_and_refuse_unsafe_names() {
        // Latin-1 "café": shown escaped, joined as the server's bytes, and
        // (without an exact text) saved under a name made from the bytes.
        let latin1 = remote("caf\\xe9", b"caf\xe9", None, RowKind::File);
        let escape = remote("..", b"..", Some(".."), RowKind::Folder);
        let slash = remote("a/b", b"a/b", Some("a/b"), RowKind::File);
        let out = downloads(folders(Path::new("dl")), &[latin1, escape, slash]);
        let [item] = out.items.as_slice() else {
            panic!("one item: {:?}", out.items)
        };
        assert_eq!(item.remote, b"/pub/data/caf\xe9");
        assert_eq!(item.remote_display, "/pub/data/caf\\xe9");
        assert_eq!(item.local.parent(), Some(Path::new("dl")));
        assert_eq!(out.refused.len(), 2, "{:?}", out.refused);
        assert!(
            out.refused
                .iter()
                .all(|m| m.starts_with("not downloaded, the name is unsafe here")),
            "{:?}",
            out.refused
        );
    }

    #[test]
    fn uploads_go_into_the_remote_folder() {
        let mut file = FileRow::new("notes.md".to_string(), RowKind::File);
        file.size = Some(7);
        let dir = FileRow::new("photos".to_string(), RowKind::Folder);
        let items = uploads(folders(Path::new("home")), &[file, dir]);
        let [file, dir] = items.as_slice() else {
            panic!("two items: {items:?}")
        };
        assert_eq!(file.direction, Direction::Upload);
        assert_eq!(file.local, Path::new("home").join("notes.md"));
        assert_eq!(file.remote, b"/pub/data/notes.md");
        assert_eq!((file.is_dir, file.size), (false, Some(7)));
        assert_eq!(dir.remote, b"/pub/data/photos");
        assert!(dir.is_dir);
    }

    #[test]
    fn dropped_files_upload_under_their_own_names() {
        let items = dropped_uploads(
            b"/",
            "/",
            vec![
                (PathBuf::from("desk").join("a.bin"), false),
                (PathBuf::from("desk").join("dir"), true),
                (PathBuf::from("/"), true),
            ],
        );
        let [file, dir] = items.as_slice() else {
            panic!("two items: {items:?}")
        };
        assert_eq!(file.remote, b"/a.bin");
        assert_eq!(file.remote_display, "/a.bin");
        assert_eq!(file.local, PathBuf::from("desk").join("a.bin"));
        assert!(!file.is_dir && dir.is_dir);
    }

    #[test]
    fn remote_joins_use_the_raw_bytes_before_the_shown_name() {
        let row = remote("\\xff", b"\xff", None, RowKind::File);
        assert_eq!(remote_child(b"/", &row), b"/\xff");
        assert_eq!(remote_child(b"/a", &row), b"/a/\xff");
        let local = FileRow::new("x".to_string(), RowKind::File);
        assert_eq!(remote_child(b"/a/", &local), b"/a/x");
    }
}
