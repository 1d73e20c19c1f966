//! Writing downloads to disk: large ones on a thread of their own, small
//! ones created whole, and which folders are on a local disk.
//!
//! The task that reads the data connection hands each full buffer to a
//! blocking-pool thread and goes on reading into an empty one the thread gave
//! back: no copy of the bytes on the way to `write(2)`, and the network read
//! never waits for the disk unless the disk falls [`QUEUED`] buffers behind.
//! (`tokio::fs::File` copies every write into a buffer of its own and allows
//! one write in flight; on a 1 GiB FTPS download that left a core idle.)

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

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

/// Creates `target`, which must not exist, holding `bytes` (and modified at
/// `mtime` when given), so that it never exists under its name half written.
///
/// On Linux the file is written unnamed (`O_TMPFILE`) in the target's folder
/// and then linked into place: one change to the folder instead of a create
/// and a rename, with the inode allocated outside the folder's lock. That
/// made creating 2,000 files with 4 threads on ext4 twice as fast, and a
/// crash leaves nothing behind. Elsewhere, or where the file system cannot
/// (`Ok(false)`), the caller writes a partial file and renames it.
pub(crate) fn create_whole(
    target: &Path,
    bytes: &[u8],
    mtime: Option<SystemTime>,
) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        linux::create_whole(target, bytes, mtime)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (target, bytes, mtime);
        Ok(false)
    }
}

/// The largest small file the queue writes on the worker's own thread when
/// its folder [is on a local disk](on_local_disk): creating and writing it
/// takes tens of microseconds there, less than handing it to a blocking-pool
/// thread and being woken when it is done (measured: 8% more files per
/// second, 2,000 files of 4 KiB with 4 connections). Larger files, and every
/// file elsewhere, go to the blocking pool.
pub(crate) const INLINE_STORE_MAX: usize = 64 * 1024;

/// The first symbolic link (or Windows junction) below `root` on the way to
/// `dir` that resolves outside `root`, or cannot be resolved: a download
/// must not write through it. Links that stay inside `root` are followed as
/// the user made them; `root` itself was chosen by the user and may be a
/// link. Blocking.
pub(crate) fn link_leaving(root: &Path, dir: &Path) -> Option<std::path::PathBuf> {
    let below = dir.strip_prefix(root).ok()?;
    let mut path = root.to_path_buf();
    let mut real_root = None;
    for component in below.components() {
        path.push(component);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let real_root = match &real_root {
                    Some(real) => real,
                    None => real_root.insert(std::fs::canonicalize(root).ok()?),
                };
                match std::fs::canonicalize(&path) {
                    Ok(real) if real.starts_with(real_root) => {}
                    _ => return Some(path),
                }
            }
            Ok(_) => {}
            // Not there yet: nothing further down can be a link either.
            Err(_) => return None,
        }
    }
    None
}

/// Whether `dir` is on a local disk file system, where creating a small file
/// never waits long. A network or FUSE file system (NFS, SMB, sshfs) can
/// stall for seconds and is not; nor is anything where this cannot be told
/// (other systems than Linux, or an error). Blocking: call it where the disk
/// may be touched.
pub(crate) fn on_local_disk(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        linux::on_local_disk(dir)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io::{self, Write};
    use std::os::fd::AsRawFd;
    use std::path::Path;
    use std::time::SystemTime;

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use rustix::io::Errno;

    /// `statfs(2)` magic numbers of local disk file systems (linux/magic.h):
    /// ext2/3/4, XFS, Btrfs, F2FS, tmpfs, overlayfs, ZFS and bcachefs.
    const LOCAL: [u64; 8] = [
        0xEF53,
        0x5846_5342,
        0x9123_683E,
        0xF2F5_2010,
        0x0102_1994,
        0x794C_7630,
        0x2FC1_2FC1,
        0xCA45_1A4E,
    ];

    pub(super) fn on_local_disk(dir: &Path) -> bool {
        rustix::fs::statfs(dir).is_ok_and(|fs| {
            // The field's type differs between targets; magic numbers are 32-bit.
            #[allow(clippy::unnecessary_cast)]
            let magic = fs.f_type as u64 & 0xFFFF_FFFF;
            LOCAL.contains(&magic)
        })
    }

    pub(super) fn create_whole(
        target: &Path,
        bytes: &[u8],
        mtime: Option<SystemTime>,
    ) -> io::Result<bool> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let fd = match rustix::fs::open(
            dir,
            OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        ) {
            Ok(fd) => fd,
            // No O_TMPFILE on this file system or kernel: the caller's way.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOSYS) => {
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let mut file = File::from(fd);
        file.write_all(bytes)?;
        if let Some(time) = mtime {
            // Best effort, as for large files.
            let _ = file.set_modified(time);
        }
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        match rustix::fs::linkat(
            CWD,
            proc_path.as_str(),
            CWD,
            target,
            AtFlags::SYMLINK_FOLLOW,
        ) {
            Ok(()) => Ok(true),
            Err(Errno::NOENT) if Path::new("/proc/self/fd").exists() => {
                Err(io::Error::from(Errno::NOENT))
            }
            // No /proc: linking the descriptor itself needs a capability.
            Err(Errno::NOENT) => {
                match rustix::fs::linkat(&file, "", CWD, target, AtFlags::EMPTY_PATH) {
                    Ok(()) => Ok(true),
                    Err(Errno::NOENT | Errno::PERM | Errno::ACCESS) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the file writer has stopped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_destination_are_found() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("dest");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("inner/deep")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::os::unix::fs::symlink("../outside", root.join("sub")).expect("link");
        std::os::unix::fs::symlink("inner", root.join("stays")).expect("link");
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).expect("link");
        assert_eq!(
            link_leaving(&root, &root.join("sub/x")),
            Some(root.join("sub"))
        );
        assert_eq!(
            link_leaving(&root, &root.join("sub")),
            Some(root.join("sub"))
        );
        assert_eq!(
            link_leaving(&root, &root.join("dangling/x")),
            Some(root.join("dangling"))
        );
        assert_eq!(link_leaving(&root, &root.join("stays/deep")), None);
        assert_eq!(link_leaving(&root, &root.join("inner/new/x")), None);
        assert_eq!(link_leaving(&root, &root), None);
        // The chosen destination itself may be a link.
        let alias = tmp.path().join("alias");
        std::os::unix::fs::symlink(&outside, &alias).expect("link");
        assert_eq!(link_leaving(&alias, &alias.join("a/b")), None);
    }

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

    #[cfg(target_os = "linux")]
    #[test]
    fn only_local_disk_file_systems_count_as_local() {
        assert!(!on_local_disk(Path::new("/proc")), "procfs is no disk");
        assert!(!on_local_disk(Path::new("/no/such/folder")));
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            assert!(on_local_disk(shm), "tmpfs is local");
        }
    }

    #[test]
    fn create_whole_makes_the_file_or_leaves_the_choice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("new.bin");
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        let made = create_whole(&target, b"whole", Some(time)).expect("create");
        if cfg!(target_os = "linux") {
            assert!(made, "O_TMPFILE works on the test machine's temp folder");
        }
        if made {
            assert_eq!(std::fs::read(&target).expect("read"), b"whole");
            let modified = std::fs::metadata(&target)
                .expect("meta")
                .modified()
                .expect("mtime");
            assert_eq!(modified, time);
            // Only the file itself is in the folder: no partial file, nothing unnamed.
            assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
            // An existing target is never replaced.
            let again = create_whole(&target, b"other", None);
            assert_eq!(
                again.expect_err("exists").kind(),
                io::ErrorKind::AlreadyExists
            );
            assert_eq!(std::fs::read(&target).expect("read"), b"whole");
        }
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
