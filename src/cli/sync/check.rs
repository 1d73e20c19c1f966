//! Checksums for `--compare checksum` and `--verify`: the server's (HASH or
//! an X command, through the session) against the local file's, computed
//! here with the same algorithm on the blocking pool.
//!
//! Must not claim a comparison it did not make: a file either side could
//! not checksum keeps no checksum (the planner then compares sizes), and
//! the user is told which algorithm checked how many files, or that the
//! server offers none.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::exec::Places;
use crate::engine::{EngineError, Session};
use crate::protocol::{HashAlgorithm, HashCommand};
use crate::sync::{Kind, Tree};

/// The sentence for a server with no checksum command.
pub(super) const NONE_OFFERED: &str =
    "the server offers no checksum command (HASH, XSHA256, XSHA1, XMD5 or XCRC)";

/// A local file's checksum in `algorithm` (lower-case hex). Blocking.
pub(super) fn hash_file(path: &Path, algorithm: HashAlgorithm) -> std::io::Result<String> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 256 * 1024];
    let mut sha256 = sha2::Sha256::new();
    let mut sha1 = sha1::Sha1::new();
    let mut md5 = md5::Md5::new();
    let mut crc = crc32fast::Hasher::new();
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        let chunk = &buffer[..n];
        match algorithm {
            HashAlgorithm::Sha256 => sha256.update(chunk),
            HashAlgorithm::Sha1 => sha1.update(chunk),
            HashAlgorithm::Md5 => md5.update(chunk),
            HashAlgorithm::Crc32 => crc.update(chunk),
        }
    }
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    Ok(match algorithm {
        HashAlgorithm::Sha256 => hex(&sha256.finalize()),
        HashAlgorithm::Sha1 => hex(&sha1.finalize()),
        HashAlgorithm::Md5 => hex(&md5.finalize()),
        HashAlgorithm::Crc32 => format!("{:08x}", crc.finalize()),
    })
}

/// [`hash_file`] on the blocking pool.
async fn hash_local(path: PathBuf, algorithm: HashAlgorithm) -> Result<String, EngineError> {
    tokio::task::spawn_blocking(move || {
        hash_file(&path, algorithm).map_err(|source| EngineError::Local { path, source })
    })
    .await
    .map_err(|e| EngineError::Local {
        path: PathBuf::new(),
        source: std::io::Error::other(e.to_string()),
    })?
}

/// Both checksums of `rel` (the server's, then ours), or `None` when the
/// server gave none.
pub(super) async fn both(
    places: &mut Places<'_>,
    session: &mut Session,
    rel: &str,
) -> Result<Option<(HashCommand, String, String)>, EngineError> {
    let remote = places.remote_path(session, rel)?;
    let Some((how, theirs)) = session.checksum(&remote).await? else {
        return Ok(None);
    };
    let ours = hash_local(places.local_path(rel), how.algorithm()).await?;
    Ok(Some((how, theirs, ours)))
}

/// For `--compare checksum`: checksums for every file on both sides of the
/// same size (a different size differs anyway), written into both trees.
/// Returns the note for the user.
pub(super) async fn fill(
    local: &mut Tree,
    remote: &mut Tree,
    places: &mut Places<'_>,
    session: &mut Session,
) -> Result<String, EngineError> {
    if session.checksum_kind().is_none() {
        return Ok(format!("{NONE_OFFERED}, so files are compared by size"));
    }
    let paths: Vec<String> = local
        .entries()
        .filter(|(path, l)| {
            l.kind == Kind::File
                && !l.unsafe_name
                && remote
                    .get(path)
                    .is_some_and(|r| r.kind == Kind::File && !r.unsafe_name && r.size == l.size)
        })
        .map(|(path, _)| path.clone())
        .collect();
    let (mut checked, mut used) = (0usize, None);
    for rel in paths {
        let Some((how, theirs, ours)) = both(places, session, &rel).await? else {
            continue;
        };
        for (tree, digest) in [(&mut *local, ours), (&mut *remote, theirs)] {
            if let Some(mut entry) = tree.get(&rel).cloned() {
                entry.checksum = Some(format!("{}:{digest}", how.algorithm().name()));
                tree.insert(rel.clone(), entry);
            }
        }
        checked += 1;
        used = Some(how);
    }
    Ok(match used {
        Some(how) => format!("compared {checked} files by {}", how.describe()),
        None => "the server answered no checksum request, so files are compared by size".into(),
    })
}

/// For `--verify`: compares both checksums of every path in `paths` after
/// the transfers. Returns the note for the user and the failures, as
/// sentences with the path last.
pub(super) async fn verify(
    paths: &[String],
    places: &mut Places<'_>,
    session: &mut Session,
) -> (String, Vec<String>) {
    if session.checksum_kind().is_none() {
        return (
            format!("{NONE_OFFERED}, so the transfers were not verified"),
            Vec::new(),
        );
    }
    let (mut checked, mut used, mut failed) = (0usize, None, Vec::new());
    for rel in paths {
        match both(places, session, rel).await {
            Ok(Some((how, theirs, ours))) => {
                used = Some(how);
                checked += 1;
                if theirs != ours {
                    failed.push(format!(
                        "the checksums differ after the transfer ({}: {theirs} there, {ours} here): {rel}",
                        how.describe()
                    ));
                }
            }
            Ok(None) => failed.push(format!("the server gave no checksum to verify: {rel}")),
            Err(e) => failed.push(format!("verifying failed ({e}): {rel}")),
        }
    }
    let note = match used {
        Some(how) => format!("verified {checked} transferred files by {}", how.describe()),
        None => "the server answered no checksum request, so nothing was verified".into(),
    };
    (note, failed)
}
