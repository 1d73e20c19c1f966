//! The queue's persistence: an append-only journal of JSON lines.
//!
//! Each line is one [`Record`]: a site, an added item, a finished state, a
//! removal, a reordering. Only what survives a restart is written: every
//! unfinished item comes back `Paused` whatever it was doing, so "running"
//! and "queued" are never recorded; an item's bytes done are not either (its
//! `.skiffpart` holds them). Appends go to a writer thread in batches (the
//! actor hands over at most a few per second), each followed by `fdatasync`.
//! When the journal has grown well past the live items, the whole queue is
//! rewritten with [`crate::paths::write_atomic`]. A line that does not parse
//! is skipped: the last one may be torn by a crash.
//!
//! Names are stored as strings when they are UTF-8; other bytes (a GBK
//! remote name, a non-UTF-8 local path) are stored as `"\u0000"` followed by
//! hex, which no real name can look like (NUL is in no path).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Direction, ItemId, ItemState, SiteKey};
use crate::paths;

/// The file name of the queue under the data folder.
pub const STORE_FILE: &str = "queue.jsonl";

/// Where the GUI keeps its queue: `queue.jsonl` under [`paths::data_dir`].
pub fn default_store() -> Option<PathBuf> {
    paths::data_dir().map(|dir| dir.join(STORE_FILE))
}

/// An item as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredItem {
    pub i: ItemId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<ItemId>,
    /// The site's number in this file.
    pub n: u32,
    pub d: Direction,
    /// Local path.
    pub l: String,
    /// Remote path (bytes).
    pub r: String,
    /// Remote path for display, when it differs from `r`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rd: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub f: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<u64>,
    /// Modification time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m: Option<i64>,
    pub s: ItemState,
    /// Position: major, minor.
    pub o: (i64, u64),
}

/// One journal line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) enum Record {
    /// A site's number.
    #[serde(rename = "site")]
    Site { n: u32, key: SiteKey },
    /// An item added.
    #[serde(rename = "a")]
    Add(StoredItem),
    /// An item's new state (finished, failed, or back from those).
    #[serde(rename = "s")]
    State { i: ItemId, s: ItemState },
    /// Items removed.
    #[serde(rename = "x")]
    Remove(Vec<ItemId>),
    /// Items moved.
    #[serde(rename = "o")]
    Order(Vec<(ItemId, i64, u64)>),
}

/// Encodes bytes as a string (see the module doc).
pub(super) fn encode_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.starts_with('\0') => text.to_string(),
        _ => {
            let mut out = String::with_capacity(1 + bytes.len() * 2);
            out.push('\0');
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

/// Decodes [`encode_bytes`] (plain text without a copy).
pub(super) fn decode_bytes(text: String) -> Vec<u8> {
    match text.strip_prefix('\0') {
        Some(hex) => (0..hex.len() / 2)
            .filter_map(|i| u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok())
            .collect(),
        None => text.into_bytes(),
    }
}

/// A local path as a stored string: any bytes on Unix; elsewhere the
/// platform's encoded bytes (WTF-8 on Windows, UTF-8 for every real name).
pub(super) fn encode_path(path: &Path) -> String {
    encode_bytes(path.as_os_str().as_encoded_bytes())
}

/// Decodes [`encode_path`].
#[cfg(unix)]
pub(super) fn decode_path(text: String) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(decode_bytes(text)))
}

/// Decodes [`encode_path`]. A name that is not valid Unicode (an unpaired
/// surrogate on Windows) comes back with U+FFFD: such an item then fails
/// with "not found" instead of touching another file.
#[cfg(not(unix))]
pub(super) fn decode_path(text: String) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&decode_bytes(text)).into_owned())
}

/// What [`replay`] found besides the records.
#[derive(Debug, Default)]
pub(super) struct Replayed {
    /// Lines that did not parse.
    pub bad_lines: usize,
    /// Lines in the file.
    pub records: usize,
}

/// Reads a journal line by line and hands each record to `each`, so a
/// restore never holds the file or a second copy of the queue in memory; a
/// missing file is an empty queue.
pub(super) fn replay(path: &Path, mut each: impl FnMut(Record)) -> std::io::Result<Replayed> {
    use std::io::BufRead;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Replayed::default()),
        Err(e) => return Err(e),
    };
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut found = Replayed::default();
    let mut torn = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        torn = line.last() != Some(&b'\n');
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        found.records += 1;
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) => each(record),
            Err(_) => found.bad_lines += 1,
        }
    }
    if torn {
        // The crash cut a line: end it, so the next append starts a line of its own.
        append(path, b"\n")?;
    }
    Ok(found)
}

enum WriteOp {
    Append(Vec<u8>),
    Replace(Vec<u8>),
    Sync(std::sync::mpsc::Sender<()>),
}

/// The writing side: records are gathered here and handed to a writer thread.
pub(super) struct Store {
    pending: Vec<u8>,
    sites: HashMap<SiteKey, u32>,
    /// Records in the file since it was last rewritten whole.
    journal_records: usize,
    writer: std::sync::mpsc::Sender<WriteOp>,
    errors: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl Store {
    /// A store appending to `path`, which holds `records` lines already.
    pub(super) fn open(path: PathBuf, records: usize) -> Self {
        let (writer, ops) = std::sync::mpsc::channel::<WriteOp>();
        let errors = std::sync::Arc::new(std::sync::Mutex::new(None));
        let thread_path = path.clone();
        let thread_errors = std::sync::Arc::clone(&errors);
        std::thread::spawn(move || {
            while let Ok(first) = ops.recv() {
                // Appends waiting together are written with one sync.
                let mut batch = Vec::new();
                let mut next = Some(first);
                let mut result = Ok(());
                while let Some(op) = next.take() {
                    match op {
                        WriteOp::Append(bytes) => {
                            batch.extend_from_slice(&bytes);
                            next = ops.try_recv().ok();
                        }
                        WriteOp::Replace(bytes) => {
                            batch.clear();
                            result = paths::write_atomic(&thread_path, &bytes);
                            next = ops.try_recv().ok();
                        }
                        WriteOp::Sync(done) => {
                            if !batch.is_empty() {
                                result = append(&thread_path, &batch);
                                batch.clear();
                            }
                            let _ = done.send(());
                        }
                    }
                }
                if !batch.is_empty() {
                    result = append(&thread_path, &batch);
                }
                if let Err(e) = result
                    && let Ok(mut slot) = thread_errors.lock()
                {
                    *slot = Some(format!("{e}: {}", thread_path.display()));
                }
            }
        });
        Self {
            pending: Vec::new(),
            sites: HashMap::new(),
            journal_records: records,
            writer,
            errors,
        }
    }

    /// The number of `key` in this file, recording it first when new.
    pub(super) fn site(&mut self, key: &SiteKey) -> u32 {
        if let Some(&n) = self.sites.get(key) {
            return n;
        }
        let n = self.sites.values().max().map_or(0, |m| m + 1);
        self.sites.insert(key.clone(), n);
        self.record(&Record::Site {
            n,
            key: key.clone(),
        });
        n
    }

    /// Adds a record to the next batch; a large batch goes to the writer at
    /// once, so 100,000 new items are never held serialized all together.
    pub(super) fn record(&mut self, record: &Record) {
        if serde_json::to_writer(&mut self.pending, record).is_ok() {
            self.pending.push(b'\n');
            self.journal_records += 1;
        }
        if self.pending.len() >= HANDOFF {
            self.flush();
        }
    }

    /// Whether a batch waits.
    pub(super) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Hands the batch to the writer thread.
    pub(super) fn flush(&mut self) {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            let _ = self.writer.send(WriteOp::Append(bytes));
        }
    }

    /// Whether the journal has grown enough past `live` items to be rewritten.
    pub(super) fn wants_compaction(&self, live: usize) -> bool {
        self.journal_records > 10_000 && self.journal_records > live.saturating_mul(3)
    }

    /// Starts a rewrite of the whole file (see [`Store::commit`]).
    pub(super) fn rewriter(&mut self) -> Rewrite {
        Rewrite {
            bytes: Vec::new(),
            sites: HashMap::new(),
            count: 0,
        }
    }

    /// Replaces the file with what `rewrite` holds (the live queue), atomically.
    pub(super) fn commit(&mut self, rewrite: Rewrite) {
        self.pending.clear();
        self.sites = rewrite.sites;
        self.journal_records = rewrite.count;
        let _ = self.writer.send(WriteOp::Replace(rewrite.bytes));
    }

    /// Flushes and waits until the writer thread has written everything.
    pub(super) fn sync(&mut self) {
        self.flush();
        let (tx, rx) = std::sync::mpsc::channel();
        if self.writer.send(WriteOp::Sync(tx)).is_ok() {
            let _ = rx.recv();
        }
    }

    /// The last write error, once.
    pub(super) fn take_error(&self) -> Option<String> {
        self.errors.lock().ok().and_then(|mut e| e.take())
    }
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_data()
}

/// The whole queue, serialized for [`Store::commit`].
pub(super) struct Rewrite {
    bytes: Vec<u8>,
    sites: HashMap<SiteKey, u32>,
    count: usize,
}

impl Rewrite {
    /// Numbers a site.
    pub(super) fn site(&mut self, key: &SiteKey, n: u32) {
        self.sites.insert(key.clone(), n);
        self.record(&Record::Site {
            n,
            key: key.clone(),
        });
    }

    /// Adds a record.
    pub(super) fn record(&mut self, record: &Record) {
        if serde_json::to_writer(&mut self.bytes, record).is_ok() {
            self.bytes.push(b'\n');
            self.count += 1;
        }
    }
}

/// Pending bytes handed to the writer thread at once.
const HANDOFF: usize = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn bytes_round_trip_and_utf8_stays_readable() {
        for bytes in [
            b"/pub/a b.txt".as_slice(),
            b"/\xc4\xe3\xba\xc3".as_slice(),
            b"\0odd".as_slice(),
            b"".as_slice(),
        ] {
            assert_eq!(decode_bytes(encode_bytes(bytes)), bytes);
        }
        assert_eq!(encode_bytes(b"/x"), "/x");
    }

    #[test]
    fn journal_replays_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("q.jsonl");
        let key = SiteKey {
            host: "h".into(),
            port: 21,
            user: "u".into(),
        };
        let item = |i| StoredItem {
            i,
            p: None,
            n: 0,
            d: Direction::Download,
            l: format!("/tmp/{i}"),
            r: format!("/r/{i}"),
            rd: None,
            f: false,
            z: Some(3),
            m: None,
            s: ItemState::Queued,
            o: (i as i64, 0),
        };
        let mut store = Store::open(path.clone(), 0);
        assert_eq!(store.site(&key), 0);
        store.record(&Record::Add(item(1)));
        store.record(&Record::Add(item(2)));
        store.record(&Record::Add(item(3)));
        store.record(&Record::State {
            i: 2,
            s: ItemState::Done,
        });
        store.record(&Record::Remove(vec![3]));
        store.sync();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        file.write_all(b"{\"a\":{\"i\":9,").expect("torn");
        let mut sites = HashMap::new();
        let mut items: BTreeMap<ItemId, StoredItem> = BTreeMap::new();
        let found = replay(&path, |record| match record {
            Record::Site { n, key } => {
                sites.insert(n, key);
            }
            Record::Add(item) => {
                items.insert(item.i, item);
            }
            Record::State { i, s } => {
                if let Some(item) = items.get_mut(&i) {
                    item.s = s;
                }
            }
            Record::Remove(ids) => {
                for id in ids {
                    items.remove(&id);
                }
            }
            Record::Order(_) => {}
        })
        .expect("replay");
        assert_eq!(found.bad_lines, 1);
        let states: Vec<_> = items
            .values()
            .map(|i| (i.i, i.s.clone(), sites[&i.n].clone()))
            .collect();
        assert_eq!(
            states,
            vec![
                (1, ItemState::Queued, key.clone()),
                (2, ItemState::Done, key.clone())
            ]
        );
        // The torn line was ended: the next record starts a line of its own.
        assert!(std::fs::read(&path).expect("read").ends_with(b"\n"));
    }
}
