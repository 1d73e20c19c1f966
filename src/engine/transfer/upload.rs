//! Uploads: one local file to a remote name, to completion.
//!
//! The overwrite policy is asked against the remote file's size and time;
//! a failed upload is retried, and resumed with APPE or REST and STOR when
//! the server kept what arrived. A text file sent as ASCII is converted in
//! memory and always sent whole. Shares the retry, policy and ASCII helpers
//! of [`super`]; must not touch the download side.

use std::path::Path;

use tokio::fs;
use tokio::io::AsyncSeekExt;

use super::{
    ASCII_MAX, FileMode, FileOutcome, Retrier, SMALL_FILE, TransferSettings, blocking,
    ensure_session, local_error, numbered, settle_existing, std_local_facts, text_mode,
    to_network_text, transfer_type,
};
use crate::engine::error::{EngineError, Result};
use crate::engine::policy::{Decision, ExistsPolicy, FileFacts};
use crate::engine::session::Session;
use crate::engine::transfer_spec::{Transfer, UploadStart};
use crate::protocol::TransferType;

/// Uploads one local file to `remote`, honouring the overwrite policy against
/// `remote_facts` (`None`: the remote file does not exist), retrying and
/// resuming with APPE or REST+STOR when the server keeps a partial upload.
pub async fn upload_file(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    source: &Path,
    remote: &[u8],
    remote_facts: Option<FileFacts>,
) -> Result<FileOutcome> {
    upload_file_with(
        slot,
        settings,
        source,
        remote,
        Some(remote_facts),
        FileMode::default(),
    )
    .await
}

/// [`upload_file`] with a [`FileMode`]: the queue's one path for uploads.
/// `remote_facts`: `None` when unknown (SIZE and MDTM are asked if the policy
/// needs them), `Some(None)` when the remote file does not exist.
pub async fn upload_file_with(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    source: &Path,
    remote: &[u8],
    remote_facts: Option<Option<FileFacts>>,
    mode: FileMode,
) -> Result<FileOutcome> {
    // One blocking call: the source's facts, and its bytes when it is small.
    let probe = source.to_path_buf();
    let ascii = mode.ascii && text_mode(settings);
    let (local, small, mode) = blocking(
        move || -> std::io::Result<(FileFacts, Option<Vec<u8>>, FileMode)> {
            let facts = std_local_facts(&probe)
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
            let mut mode = mode;
            mode.ascii = ascii && facts.size.is_some_and(|s| s <= ASCII_MAX);
            let small = if facts.size.is_some_and(|s| s <= SMALL_FILE) || mode.ascii {
                let bytes = std::fs::read(&probe)?;
                Some(if mode.ascii {
                    to_network_text(&bytes)
                } else {
                    bytes
                })
            } else {
                None
            };
            Ok((facts, small, mode))
        },
    )
    .await?
    .map_err(local_error(source))?;
    let local = match &small {
        // What was read is what is sent: its length is the size to check
        // (for text, the server's count may differ again; it is not checked).
        Some(bytes) => FileFacts {
            size: Some(bytes.len() as u64),
            ..local
        },
        None => local,
    };
    let mut remote = remote.to_vec();
    let remote_facts = match remote_facts {
        Some(known) => known,
        None if settings.exists == ExistsPolicy::Overwrite && !mode.ask => None,
        None => {
            let session = ensure_session(slot, settings).await?;
            match session.size(&remote).await? {
                Some(size) => Some(FileFacts {
                    size: Some(size),
                    modified: session.mdtm(&remote).await?,
                }),
                None => None,
            }
        }
    };
    let mut start_offset = 0;
    if let Some(existing) = remote_facts {
        let shown = || format!("{} exists on the server", String::from_utf8_lossy(&remote));
        let decision = match settle_existing(settings, mode, local, existing, shown) {
            Ok(decision) => decision,
            Err(outcome) => return Ok(outcome),
        };
        match decision {
            // A skip ended the item above.
            Decision::Skip | Decision::Replace => {}
            Decision::Rename => {
                let session = ensure_session(slot, settings).await?;
                remote = free_remote_name(session, &remote).await?;
            }
            Decision::Resume(offset) if !mode.ascii => start_offset = offset,
            Decision::Resume(_) => {}
        }
    }
    let kind = transfer_type(mode);
    // An atomic upload writes beside the target and is renamed over it at
    // the end; it always starts over (a leftover temporary file may hold an
    // older version of the source), and within this call resumes like any.
    let atomic = mode.atomic || settings.session.atomic_uploads;
    let target = remote;
    let remote = if atomic {
        start_offset = 0;
        let mut temp = target.clone();
        temp.extend_from_slice(super::PART_SUFFIX.as_bytes());
        temp
    } else {
        target.clone()
    };
    let remote_name = String::from_utf8_lossy(&remote).into_owned();
    let mut offset = start_offset;
    let mut retrier = Retrier::default();
    loop {
        let result = upload_attempt(
            slot,
            settings,
            kind,
            source,
            small.as_deref(),
            &remote,
            offset,
            local.size,
        )
        .await;
        let progressed = match &result {
            Ok(bytes) => {
                let bytes = *bytes;
                if atomic {
                    let session = ensure_session(slot, settings).await?;
                    put_in_place(session, &remote, &target).await?;
                }
                if let Some(modified) = local.modified.filter(|_| settings.preserve_times)
                    && let Some(session) = slot.as_mut()
                {
                    // Best effort: an FTP server without MFMT keeps its own time.
                    let _ = session.set_mtime(&target, modified).await;
                }
                return Ok(FileOutcome::Done { bytes });
            }
            Err(EngineError::TransferFailed { got, .. }) => *got > offset,
            // Progress is unknown: count it as a failure, so a dead server ends the retries.
            Err(_) => false,
        };
        let Err(error) = result else { continue };
        retrier
            .failed(slot, settings, &remote_name, error, progressed)
            .await?;
        // After a failure, what the server kept is where the upload resumes
        // (an ASCII upload starts over: its byte count is the server's own).
        offset = match ensure_session(slot, settings).await {
            Ok(_) if mode.ascii => 0,
            Ok(session) => session.size(&remote).await.ok().flatten().unwrap_or(0),
            Err(_) => 0,
        };
    }
}

/// One try at an upload from `offset` (0: a fresh STOR), from memory when
/// the file is small, else streamed from disk.
#[allow(clippy::too_many_arguments)]
async fn upload_attempt(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    kind: TransferType,
    source: &Path,
    bytes: Option<&[u8]>,
    remote: &[u8],
    offset: u64,
    total: Option<u64>,
) -> Result<u64> {
    let session = ensure_session(slot, settings).await?;
    let start = if offset == 0 {
        UploadStart::Fresh
    } else if session.can_resume_upload() {
        UploadStart::Rest(offset)
    } else {
        UploadStart::Append
    };
    if let Some(bytes) = bytes {
        let from = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let mut reader: &[u8] = &bytes[from..];
        return session
            .upload(
                Transfer::new(kind, remote).with_size(total),
                start,
                &mut reader,
                &settings.cancel,
            )
            .await;
    }
    let mut file = fs::File::open(source).await.map_err(local_error(source))?;
    if offset > 0 {
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(local_error(source))?;
    }
    session
        .upload(
            Transfer::new(kind, remote).with_size(total),
            start,
            &mut file,
            &settings.cancel,
        )
        .await
}

/// Renames a whole upload from `temp` over `target`. A server that will not
/// rename over an existing file (IIS, some Windows servers) gets the target
/// moved aside first (`target` + `.skiffold`), the upload renamed in, and
/// the old version deleted; if the upload cannot be renamed in, the old
/// version is moved back. Either way the target is never truncated, and on
/// failure the upload waits under `temp`.
async fn put_in_place(session: &mut Session, temp: &[u8], target: &[u8]) -> Result<()> {
    let refused = |error: EngineError| match error {
        EngineError::Refused { code, message, .. } => EngineError::PlaceFailed {
            temp: String::from_utf8_lossy(temp).into_owned(),
            target: String::from_utf8_lossy(target).into_owned(),
            code,
            message,
        },
        other => other,
    };
    let first = match session.rename(temp, target).await {
        Ok(()) => return Ok(()),
        // An SFTP server without `posix-rename@openssh.com` refuses to
        // rename over an existing file as Windows FTP servers do.
        Err(error @ (EngineError::Refused { .. } | EngineError::SftpStatus { .. })) => error,
        Err(other) => return Err(other),
    };
    if session.size(target).await?.is_none() {
        return Err(refused(first));
    }
    let mut aside = target.to_vec();
    aside.extend_from_slice(b".skiffold");
    session.rename(target, &aside).await.map_err(refused)?;
    match session.rename(temp, target).await {
        Ok(()) => {
            // The old version is no longer needed; a server that keeps it
            // leaves a file named for what it is.
            let _ = session.delete(&aside).await;
            Ok(())
        }
        Err(error) => {
            let _ = session.rename(&aside, target).await;
            Err(refused(error))
        }
    }
}

/// A remote name beside `remote` that SIZE says does not exist.
async fn free_remote_name(session: &mut Session, remote: &[u8]) -> Result<Vec<u8>> {
    let text = String::from_utf8_lossy(remote).into_owned();
    let path = Path::new(&text);
    for n in 1u32..1000 {
        let candidate = numbered(path, n).to_string_lossy().into_owned();
        let bytes = session.encode(&candidate)?;
        if session.size(&bytes).await?.is_none() {
            return Ok(bytes);
        }
    }
    Ok(remote.to_vec())
}
