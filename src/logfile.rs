//! The message log written to a file (Settings → Logging), with a size cap
//! and rotation: `skiff.log`, then `skiff.log.1` … `skiff.log.N`.
//!
//! Lines are written by a thread of their own, fed through a channel, so
//! the window never waits on the disk. What is written is what the message
//! log shows, each line stamped with the local time: commands come from `Command::log_text`, which masks `PASS` and
//! `ACCT`, and as a second guard [`mask_secrets`] masks the argument of any
//! line that starts with them. A file that cannot be written stops the
//! writer with one line on the tracing log; the window goes on.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// A running log file writer; dropping it flushes and closes the file.
#[derive(Debug)]
pub struct LogFile {
    tx: Option<mpsc::Sender<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
}

/// The cap and rotation of a log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Rotate before the file would pass this many bytes.
    pub max_bytes: u64,
    /// Rotated files kept beside it (0: the file is started afresh).
    pub keep: u32,
}

impl LogFile {
    /// Starts the writer thread, which opens (appends to) `path`: nothing
    /// here touches the disk, so a window can call it. A file that cannot
    /// be opened or written ends the writer with a line on the tracing log.
    pub fn open(path: &Path, rotation: Rotation) -> LogFile {
        let (tx, rx) = mpsc::channel::<String>();
        let owned = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("skiff-logfile".to_string())
            .spawn(move || {
                if let Err(e) = Writer::open(owned.clone(), rotation).and_then(|mut w| w.run(&rx)) {
                    tracing::warn!(
                        "the log file could not be written ({e}): {}",
                        owned.display()
                    );
                }
            })
            .map_err(|e| tracing::warn!("cannot start the log file's writer: {e}"))
            .ok();
        LogFile {
            tx: thread.is_some().then_some(tx),
            thread,
            path: path.to_path_buf(),
        }
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues one line (without its newline); never blocks.
    pub fn write(&self, line: &str) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(mask_secrets(line));
        }
    }
}

impl Drop for LogFile {
    fn drop(&mut self) {
        // Closing the channel ends the thread after it has written the rest.
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Writer {
    path: PathBuf,
    file: io::BufWriter<File>,
    size: u64,
    rotation: Rotation,
}

impl Writer {
    fn open(path: PathBuf, rotation: Rotation) -> io::Result<Writer> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let size = file.metadata()?.len();
        Ok(Writer {
            path,
            file: io::BufWriter::new(file),
            size,
            rotation,
        })
    }

    fn run(&mut self, rx: &mpsc::Receiver<String>) -> io::Result<()> {
        while let Ok(line) = rx.recv() {
            self.line(&line)?;
            // Write what has come in one go, then flush once.
            while let Ok(line) = rx.try_recv() {
                self.line(&line)?;
            }
            self.file.flush()?;
        }
        self.file.flush()
    }

    fn line(&mut self, line: &str) -> io::Result<()> {
        let line = format!(
            "{} {line}",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        let len = line.len() as u64 + 1;
        if self.size > 0 && self.size + len > self.rotation.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(line.as_bytes())?;
        self.file.write_all(b"\n")?;
        self.size += len;
        Ok(())
    }

    /// `skiff.log.(N-1)` → `.N` … `skiff.log` → `.1`, then a fresh file.
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let numbered = |n: u32| {
            let mut name = self.path.as_os_str().to_os_string();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        if self.rotation.keep > 0 {
            for n in (1..self.rotation.keep).rev() {
                let from = numbered(n);
                if from.exists() {
                    fs::rename(&from, numbered(n + 1))?;
                }
            }
            fs::rename(&self.path, numbered(1))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&self.path)?;
        self.file = io::BufWriter::new(file);
        self.size = 0;
        Ok(())
    }
}

/// `line` with the argument of a `PASS` or `ACCT` command masked, wherever
/// the command starts after a log prefix such as `[1] > `: a guard behind
/// `Command::log_text`, so a password can never reach the file.
pub fn mask_secrets(line: &str) -> String {
    let upper = line.to_ascii_uppercase();
    for verb in ["PASS ", "ACCT "] {
        let mut from = 0;
        while let Some(at) = upper[from..].find(verb) {
            let at = from + at;
            let starts_word = at == 0 || line.as_bytes()[at - 1] == b' ';
            let rest = &line[at + verb.len()..];
            if starts_word && rest != "****" {
                return format!("{}{verb}****", &line[..at]);
            }
            from = at + verb.len();
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn lines_are_written_and_rotated_within_the_cap() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("logs/skiff.log");
        let rotation = Rotation {
            max_bytes: 120,
            keep: 2,
        };
        {
            let log = LogFile::open(&path, rotation);
            for n in 0..30 {
                log.write(&format!("line {n:02} of the log"));
            }
        }
        let newest = read(&path);
        assert!(newest.ends_with("line 29 of the log\n"), "{newest}");
        for file in [&path, &dir.path().join("logs/skiff.log.1")] {
            assert!(fs::metadata(file).expect("exists").len() <= 120);
        }
        assert!(read(&dir.path().join("logs/skiff.log.2")).contains("line"));
        assert!(!dir.path().join("logs/skiff.log.3").exists(), "keep = 2");
        // Nothing lost between the kept files: the last lines are in order.
        let all = read(&dir.path().join("logs/skiff.log.2"))
            + &read(&dir.path().join("logs/skiff.log.1"))
            + &newest;
        let numbers: Vec<u32> = all
            .lines()
            .filter_map(|l| l.split(' ').nth(3)?.parse().ok())
            .collect();
        assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
        assert_eq!(numbers.last(), Some(&29));

        // Reopened, it appends.
        {
            let log = LogFile::open(&path, rotation);
            log.write("again");
        }
        assert!(read(&path).ends_with("again\n"));
    }

    #[test]
    fn passwords_are_masked_even_if_a_line_carries_one() {
        assert_eq!(mask_secrets("[1] > PASS hunter2"), "[1] > PASS ****");
        assert_eq!(mask_secrets("pass hunter2"), "PASS ****");
        assert_eq!(mask_secrets("[2] > ACCT secret"), "[2] > ACCT ****");
        assert_eq!(mask_secrets("[1] > PASS ****"), "[1] > PASS ****");
        assert_eq!(
            mask_secrets("[1] < 230 Login successful."),
            "[1] < 230 Login successful."
        );
        assert_eq!(mask_secrets("BYPASS x"), "BYPASS x");
    }
}
