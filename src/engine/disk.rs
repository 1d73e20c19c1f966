//! Writing downloads to disk: large ones on a thread of their own, small
//! ones created whole, and which folders are on a local disk.
//!
//! The task that reads the data connection hands each full buffer to a
//! blocking-pool thread and goes on reading into an empty one the thread gave
//! back: no copy of the bytes on the way to `write(2)`, and the network read
//! never waits for the disk unless the disk falls [`QUEUED`] buffers behind.
//! (`tokio::fs::File` copies every write into a buffer of its own and allows
//! one write in flight; on a 1 GiB FTPS download that left a core idle.)

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
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

/// The folder a download's files are created, renamed and removed in, by
/// name, never by a whole path opened again later.
///
/// On Linux it is a handle (`O_PATH`) opened once, beneath the destination's
/// root when the download has one (`openat2` with `RESOLVE_BENEATH`: no link
/// on the way, put there before or during the transfer, can lead it outside
/// the root, while links that stay inside work), and every file operation is
/// relative to it: `openat` with `O_NOFOLLOW`, `renameat`, `unlinkat`, an
/// `O_TMPFILE` linked in with `linkat`. A link swapped into the path after
/// the folder was opened cannot redirect a write. Where `openat2` is missing
/// (an old kernel, a sandbox that refuses it), and on other systems, the
/// folder is its path, checked with [`link_leaving`] when opened.
#[derive(Debug)]
pub(crate) struct Folder {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

/// The error for a folder reached through a link that leads outside the
/// destination.
fn leaves_destination(dir: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "the folder is reached through a link that leads outside the destination: {}",
            dir.display()
        ),
    )
}

impl Folder {
    /// Opens `dir` for the files of one download; beneath `root` (the
    /// destination of a folder download) when given. Blocking.
    pub(crate) fn open(dir: &Path, root: Option<&Path>) -> io::Result<Self> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        #[cfg(target_os = "linux")]
        let fd = linux::open_folder(dir, root)?;
        #[cfg(target_os = "linux")]
        let held = fd.is_some();
        #[cfg(not(target_os = "linux"))]
        let held = false;
        // Without a handle opened beneath the root, the path is checked.
        if !held
            && let Some(root) = root
            && link_leaving(root, dir).is_some()
        {
            return Err(leaves_destination(dir));
        }
        Ok(Self {
            path: dir.to_path_buf(),
            #[cfg(target_os = "linux")]
            fd,
        })
    }

    /// Opens `name` in this folder for writing: created when missing,
    /// emptied when `truncate`, never through a link.
    pub(crate) fn open_file(&self, name: &OsStr, truncate: bool) -> io::Result<File> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return linux::open_file(fd, name, truncate);
        }
        std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(truncate)
            .open(self.path.join(name))
    }

    /// Renames `from` to `to`, both in this folder.
    pub(crate) fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return Ok(rustix::fs::renameat(fd, from, fd, to)?);
        }
        std::fs::rename(self.path.join(from), self.path.join(to))
    }

    /// Removes the file `name` from this folder.
    pub(crate) fn remove(&self, name: &OsStr) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return Ok(rustix::fs::unlinkat(
                fd,
                name,
                rustix::fs::AtFlags::empty(),
            )?);
        }
        std::fs::remove_file(self.path.join(name))
    }

    /// Creates `name`, which must not exist, holding `bytes` (and modified
    /// at `mtime` when given), so that it never exists under its name half
    /// written.
    ///
    /// On Linux the file is written unnamed (`O_TMPFILE`) in the folder and
    /// then linked into place: one change to the folder instead of a create
    /// and a rename, with the inode allocated outside the folder's lock. That
    /// made creating 2,000 files with 4 threads on ext4 twice as fast, and a
    /// crash leaves nothing behind. Elsewhere, or where the file system
    /// cannot (`Ok(false)`), the caller writes a partial file and renames it.
    pub(crate) fn create_whole(
        &self,
        name: &OsStr,
        bytes: &[u8],
        mtime: Option<SystemTime>,
    ) -> io::Result<bool> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return linux::create_whole(fd, name, bytes, mtime);
        }
        let _ = (name, bytes, mtime);
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
    use std::ffi::OsStr;
    use std::fs::File;
    use std::io::{self, Write};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::path::Path;
    use std::time::SystemTime;

    use rustix::fs::{AtFlags, CWD, Mode, OFlags, ResolveFlags};
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

    /// A handle on `dir`, beneath `root` when given; `None` where the
    /// kernel or a sandbox refuses `openat2` (the caller falls back to paths).
    pub(super) fn open_folder(dir: &Path, root: Option<&Path>) -> io::Result<Option<OwnedFd>> {
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let Some((root, below)) = root.and_then(|root| Some((root, dir.strip_prefix(root).ok()?)))
        else {
            return Ok(Some(rustix::fs::open(dir, flags, Mode::empty())?));
        };
        let root_fd = rustix::fs::open(root, flags, Mode::empty())?;
        if below.as_os_str().is_empty() {
            return Ok(Some(root_fd));
        }
        let how = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        match rustix::fs::openat2(&root_fd, below, flags, Mode::empty(), how) {
            Ok(fd) => Ok(Some(fd)),
            Err(Errno::XDEV) => Err(super::leaves_destination(dir)),
            Err(Errno::NOSYS | Errno::PERM) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) fn open_file(dir: &OwnedFd, name: &OsStr, truncate: bool) -> io::Result<File> {
        let mut flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        if truncate {
            flags |= OFlags::TRUNC;
        }
        let fd = rustix::fs::openat(dir, name, flags, Mode::from_raw_mode(0o666))?;
        Ok(File::from(fd))
    }

    pub(super) fn create_whole(
        dir: &OwnedFd,
        name: &OsStr,
        bytes: &[u8],
        mtime: Option<SystemTime>,
    ) -> io::Result<bool> {
        let fd = match rustix::fs::openat(
            dir,
            ".",
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
        match rustix::fs::linkat(CWD, proc_path.as_str(), dir, name, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => Ok(true),
            Err(Errno::NOENT) if Path::new("/proc/self/fd").exists() => {
                Err(io::Error::from(Errno::NOENT))
            }
            // No /proc: linking the descriptor itself needs a capability.
            Err(Errno::NOENT) => {
                match rustix::fs::linkat(&file, "", dir, name, AtFlags::EMPTY_PATH) {
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
        let name = OsStr::new("new.bin");
        let folder = Folder::open(dir.path(), None).expect("folder");
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        let made = folder
            .create_whole(name, b"whole", Some(time))
            .expect("create");
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
            let again = folder.create_whole(name, b"other", None);
            assert_eq!(
                again.expect_err("exists").kind(),
                io::ErrorKind::AlreadyExists
            );
            assert_eq!(std::fs::read(&target).expect("read"), b"whole");
        }
    }

    /// Hostile-servers row 30: a folder opened beneath the destination is
    /// refused when a link on the way leads outside it, and once opened, a
    /// link swapped in for the folder's path does not redirect its writes.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_folder_beneath_the_destination_holds_its_writes_there() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("dest");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::create_dir_all(root.join("inner")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::os::unix::fs::symlink(&outside, root.join("away")).expect("link");
        std::os::unix::fs::symlink("inner", root.join("stays")).expect("link");
        let err = Folder::open(&root.join("away"), Some(&root)).expect_err("leaves");
        assert!(err.to_string().contains("outside the destination"), "{err}");
        assert!(Folder::open(&root.join("stays"), Some(&root)).is_ok());
        // Opened, then its path swapped for a link to the outside.
        let folder = Folder::open(&root.join("sub"), Some(&root)).expect("open");
        std::fs::rename(root.join("sub"), root.join("moved")).expect("move away");
        std::os::unix::fs::symlink(&outside, root.join("sub")).expect("swap in a link");
        let mut file = folder
            .open_file(OsStr::new("f.skiffpart"), true)
            .expect("open in the held folder");
        file.write_all(b"data").expect("write");
        folder
            .rename(OsStr::new("f.skiffpart"), OsStr::new("f"))
            .expect("rename");
        assert!(
            folder
                .create_whole(OsStr::new("g"), b"g", None)
                .expect("whole")
        );
        assert_eq!(std::fs::read_dir(&outside).expect("outside").count(), 0);
        assert_eq!(std::fs::read(root.join("moved/f")).expect("kept"), b"data");
        assert_eq!(std::fs::read(root.join("moved/g")).expect("kept"), b"g");
        // A file name that is a link is not followed.
        std::os::unix::fs::symlink(outside.join("victim"), root.join("moved/planted"))
            .expect("link");
        assert!(folder.open_file(OsStr::new("planted"), true).is_err());
        assert!(!outside.join("victim").exists());
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
