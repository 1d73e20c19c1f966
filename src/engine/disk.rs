//! Writing a download to disk on a thread of its own.
//!
//! The task that reads the data connection hands each full buffer to a
//! blocking-pool thread and goes on reading into an empty one the thread gave
//! back: no copy of the bytes on the way to `write(2)`, and the network read
//! never waits for the disk unless the disk falls [`QUEUED`] buffers behind.
//! (`tokio::fs::File` copies every write into a buffer of its own and allows
//! one write in flight; on a 1 GiB FTPS download that left a core idle.)

use std::fs::File;
use std::io::{self, Write};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Full buffers that may wait for the disk before the network read waits too.
const QUEUED: usize = 2;

/// A file being written by a blocking-pool thread, fed whole buffers.
#[derive(Debug)]
pub(crate) struct FileWriter {
    full: Option<mpsc::Sender<Vec<u8>>>,
    empty: mpsc::UnboundedReceiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl FileWriter {
    /// Starts the thread that writes to `file` at its current position.
    pub(crate) fn new(file: File) -> Self {
        let (full, mut to_write) = mpsc::channel::<Vec<u8>>(QUEUED);
        let (give_back, empty) = mpsc::unbounded_channel();
        let thread = tokio::task::spawn_blocking(move || {
            let mut file = file;
            while let Some(mut buf) = to_write.blocking_recv() {
                file.write_all(&buf)?;
                buf.clear();
                // The reader may be gone already; the buffer is then just freed.
                let _ = give_back.send(buf);
            }
            Ok(())
        });
        Self {
            full: Some(full),
            empty,
            thread: Some(thread),
        }
    }

    /// Queues `buf`'s bytes for the disk and leaves an empty buffer (with
    /// at least `buf`'s old capacity when one came back) in its place.
    pub(crate) async fn write(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let capacity = buf.capacity();
        let spare = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(capacity));
        let full = std::mem::replace(buf, spare);
        let sent = match &self.full {
            Some(sender) => sender.send(full).await.is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread stopped: it failed, and says why.
            Err(self.finish().await.err().unwrap_or_else(stopped))
        }
    }

    /// Waits until every queued byte is written and returns the first write
    /// error. The writer accepts nothing afterwards.
    pub(crate) async fn finish(&mut self) -> io::Result<()> {
        self.full.take();
        match self.thread.take() {
            Some(thread) => thread.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the file writer has stopped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_every_buffer_in_order_and_recycles_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out");
        let mut writer = FileWriter::new(File::create(&path).expect("create"));
        let mut expected = Vec::new();
        let mut buf = Vec::with_capacity(64);
        for i in 0..100u8 {
            buf.extend(std::iter::repeat_n(i, 10 + usize::from(i)));
            expected.extend(std::iter::repeat_n(i, 10 + usize::from(i)));
            writer.write(&mut buf).await.expect("write");
            assert!(buf.is_empty(), "the buffer handed back is empty");
        }
        writer.finish().await.expect("finish");
        assert_eq!(std::fs::read(&path).expect("read"), expected);
        // After finish nothing more is accepted.
        buf.push(1);
        assert!(writer.write(&mut buf).await.is_err());
    }

    #[tokio::test]
    async fn a_failing_disk_is_an_error_not_a_hang() {
        // A file opened read-only: every write fails.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ro");
        std::fs::write(&path, b"x").expect("create");
        let mut writer = FileWriter::new(File::open(&path).expect("open"));
        let mut failed = false;
        for _ in 0..8 {
            let mut buf = vec![7u8; 1024];
            if writer.write(&mut buf).await.is_err() {
                failed = true;
                break;
            }
        }
        let finished = writer.finish().await;
        assert!(failed || finished.is_err(), "the write error is reported");
        assert_eq!(std::fs::read(&path).expect("read"), b"x");
    }
}
