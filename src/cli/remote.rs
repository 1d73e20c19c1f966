//! `skiff rm|mkdir|mv|chmod|find|quote|cat`: the remote operations of
//! [`crate::engine::ops`] as commands, with the exit codes of `get` (0 ok,
//! 1 something failed, 3 done but something was left out).
//!
//! Owns the output of these commands (`find`'s lines and JSON, `quote`'s
//! reply); must not decide what is safe to delete or send: the engine does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::AsyncWriteExt;

use super::ls::{JsonEntry, entry_line_named};
use super::target::{blocking_target, open, remote_path};
use super::{CliError, Finish, Options, cancel_on_ctrl_c};
use crate::engine::event::EventSink;
use crate::engine::ops::{self, ChmodFilter, FindFilter, NameMatch, OpEvent, OpFailure, OpSink};
use crate::engine::{EngineError, Session};
use crate::protocol::path;
use crate::protocol::text::{escape_bytes, scrub};

/// Prints each failure on standard error as it happens.
fn failures_to_stderr() -> OpSink {
    Arc::new(|event| {
        if let OpEvent::Failed(failed) = event {
            eprintln!("skiff: failed: {}", scrub(&failed.to_string()));
        }
    })
}

/// The exit code for a run whose failures were printed as they came.
fn finish(failures: &[OpFailure], partial: Finish) -> Finish {
    if failures.is_empty() {
        Finish::Ok
    } else {
        partial
    }
}

/// `skiff rm [-r] URL`.
pub(super) async fn rm(
    text: &str,
    recursive: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, target) = open(&url, &mut config, &events).await?;
    let cancel = cancel_on_ctrl_c();
    let result = if recursive {
        rm_tree(&mut session, &target, options, &events, &cancel).await
    } else {
        // DELE alone: a folder needs -r (and RMD refuses a link, which DELE removes).
        session
            .delete(&target)
            .await
            .map(|()| Finish::Ok)
            .map_err(CliError::from)
    };
    session.quit().await;
    result
}

async fn rm_tree(
    session: &mut Session,
    target: &[u8],
    options: &Options,
    events: &EventSink,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Finish, CliError> {
    let sink = failures_to_stderr();
    // The extra connections list the tree with this one, then delete with it.
    let config = session.config().clone();
    let mut helpers = ops::connect_helpers(&config, usize::from(options.parallel()), events).await;
    let plan = match ops::plan_delete(session, &mut helpers, target, cancel, &sink).await {
        Ok(plan) => plan,
        Err(e) => {
            for helper in helpers {
                helper.quit().await;
            }
            return Err(e.into());
        }
    };
    if options.verbose {
        eprintln!(
            "skiff: deleting {}: {}",
            plan.summary(),
            scrub(&session.decode(target))
        );
    }
    let report = ops::delete_planned(session, helpers, plan, cancel, &sink).await;
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled.into());
    }
    Ok(finish(&report.failures, Finish::Failed))
}

/// `skiff mkdir [-p] URL`.
pub(super) async fn mkdir(
    text: &str,
    parents: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, target) = open(&url, &mut config, &events).await?;
    let result = ops::mkdir(&mut session, &target, parents).await;
    session.quit().await;
    result?;
    Ok(Finish::Ok)
}

/// `skiff mv URL TARGET`: TARGET is a URL on the same server, an absolute
/// path, or a bare name in the same folder.
pub(super) async fn mv(
    text: &str,
    target_text: &str,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let target_url = if target_text.contains("://") || target_text.starts_with(super::SITE_PREFIX) {
        let (target_url, target_config) = blocking_target(target_text, options).await?;
        if (target_config.host.as_str(), target_config.port) != (config.host.as_str(), config.port)
        {
            return Err(CliError::Usage(format!(
                "mv moves within one server; the target is on another: {}:{}",
                target_config.host, target_config.port
            )));
        }
        Some(target_url)
    } else {
        None
    };
    let (mut session, from) = open(&url, &mut config, &events).await?;
    let to = match target_url {
        Some(target_url) => remote_path(&mut session, &target_url).await,
        None if target_text.starts_with('/') => session
            .encode(target_text)
            .map(|to| path::join(b"/", &to))
            .map_err(CliError::from),
        None => match session.encode(target_text) {
            Ok(name) if ops::is_plain_name(&name) => Ok(path::join(&path::parent(&from), &name)),
            Ok(_) => Err(EngineError::InvalidName(target_text.to_string()).into()),
            Err(e) => Err(e.into()),
        },
    };
    let result = match to {
        Ok(to) => session.rename(&from, &to).await.map_err(CliError::from),
        Err(e) => Err(e),
    };
    session.quit().await;
    result?;
    Ok(Finish::Ok)
}

/// `skiff chmod [-R [--only files|folders]] MODE URL`.
pub(super) async fn chmod(
    text: &str,
    mode: u32,
    recursive: bool,
    only: &str,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let which = match only {
        "files" => ChmodFilter::FilesOnly,
        "folders" => ChmodFilter::FoldersOnly,
        _ => ChmodFilter::All,
    };
    let filter = recursive.then_some(which);
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, target) = open(&url, &mut config, &events).await?;
    let cancel = cancel_on_ctrl_c();
    let result = ops::chmod(
        &mut session,
        &target,
        mode,
        filter,
        &cancel,
        &failures_to_stderr(),
    )
    .await;
    session.quit().await;
    Ok(finish(&result?.failures, Finish::Failed))
}

/// One `find --json` line: the fields of `ls --json` and the full path.
#[derive(serde::Serialize)]
struct JsonMatch<'a> {
    path: std::borrow::Cow<'a, str>,
    #[serde(flatten)]
    entry: JsonEntry<'a>,
}

/// `skiff find URL [filters] [--json]`: matches are printed as their
/// folders are listed; a folder that could not be listed makes exit code 3.
pub(super) async fn find(
    text: &str,
    filter: FindFilter,
    json: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, root) = open(&url, &mut config, &events).await?;
    let cancel = cancel_on_ctrl_c();
    let out_cancel = cancel.clone();
    let pipe_closed = Arc::new(AtomicBool::new(false));
    let closed = pipe_closed.clone();
    let sink: OpSink = Arc::new(move |event| match event {
        OpEvent::Match(found) => {
            use std::io::Write;
            let line = if json {
                let exact = String::from_utf8_lossy(&found.path);
                serde_json::to_string(&JsonMatch {
                    path: exact,
                    entry: JsonEntry::new(&found.entry),
                })
                .unwrap_or_default()
            } else {
                // The display path is escaped already; the line keeps ls's columns.
                entry_line_named(&found.entry, &found.display_path)
            };
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").is_err() {
                // A closed pipe (`skiff find | head`): nothing more to print.
                closed.store(true, Ordering::Relaxed);
                out_cancel.cancel();
            }
        }
        OpEvent::Failed(failed) => eprintln!("skiff: failed: {}", scrub(&failed.to_string())),
        _ => {}
    });
    let config = session.config().clone();
    let mut helpers = ops::connect_helpers(&config, usize::from(options.parallel()), &events).await;
    let result = ops::find(&mut session, &mut helpers, &root, &filter, &cancel, &sink).await;
    for helper in helpers {
        helper.quit().await;
    }
    session.quit().await;
    match result {
        Ok(report) => Ok(finish(&report.failures, Finish::Skipped)),
        // Cancelled because standard output closed: what was wanted was printed.
        Err(EngineError::Cancelled) if pipe_closed.load(Ordering::Relaxed) => Ok(Finish::Ok),
        Err(e) => Err(e.into()),
    }
}

/// Builds the search filter from `find`'s flags.
pub(super) fn find_filter(
    name: Option<&str>,
    contains: Option<String>,
    min_size: Option<u64>,
    max_size: Option<u64>,
    newer: Option<chrono::NaiveDateTime>,
) -> Result<FindFilter, CliError> {
    let name = match (name, contains) {
        (Some(glob), _) => Some(
            NameMatch::glob(glob)
                .ok_or_else(|| CliError::Usage(format!("not a valid glob: {glob}")))?,
        ),
        (None, Some(text)) => Some(NameMatch::Contains(text)),
        (None, None) => None,
    };
    Ok(FindFilter {
        name,
        min_size,
        max_size,
        newer_than: newer,
    })
}

/// `skiff quote URL COMMAND`: the reply's lines on standard output (escaped);
/// exit 0 for a 1xx-3xx reply, 1 for 4xx and 5xx.
pub(super) async fn quote(
    text: &str,
    command: &str,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    // Refused before connecting: a refused command is never sent.
    let line = command.as_bytes();
    crate::protocol::custom_command(line).map_err(EngineError::from)?;
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, _) = open(&url, &mut config, &events).await?;
    let encoded = session.encode(command)?;
    let result = session.quote(&encoded).await;
    session.quit().await;
    let reply = result?;
    let mut out = String::new();
    for line in &reply.lines {
        out.push_str(&escape_bytes(line));
        out.push('\n');
    }
    print!("{out}");
    Ok(if reply.class() <= 3 {
        Finish::Ok
    } else {
        Finish::Failed
    })
}

/// `skiff cat URL`: the file's bytes on standard output.
pub(super) async fn cat(
    text: &str,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let (mut session, file) = open(&url, &mut config, &events).await?;
    let cancel = cancel_on_ctrl_c();
    let mut stdout = tokio::io::stdout();
    let result = ops::cat(&mut session, &file, &mut stdout, &cancel).await;
    let flushed = stdout.flush().await;
    session.quit().await;
    result?;
    flushed.map_err(|source| EngineError::Local {
        path: "standard output".into(),
        source,
    })?;
    Ok(Finish::Ok)
}
