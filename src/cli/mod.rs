//! The command line: `skiff ls|get|put|sync|rm|mkdir|mv|chmod|find|quote|cat|sites|queue`,
//! headless, over the
//! same engine as the GUI.
//!
//! Scripts, tests and benchmarks depend on its flags, output and exit codes,
//! so they are kept stable: 0 success, 1 error, 2 usage, 3 done but some
//! items were skipped (unsafe names, links, existing targets).
//!
//! This file holds [`run`], the errors, the exit codes and the printing the
//! commands share; the syntax is in `args`, targets and logins in `target`,
//! each command in a file of its own. Nothing here opens a socket itself:
//! the engine does. URLs are [`crate::url`]'s.

mod args;
mod ls;
mod queue;
mod remote;
mod sites;
mod sync;
mod target;
mod transfer;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use args::{Cli, CliCommand, Options, QueueAction, SitesAction};
pub use sync::SyncArgs;
pub use target::{SITE_PREFIX, session_config, split_site_target};

use crate::engine::event::{EventSink, LogLine};
use crate::engine::{EngineError, Event, LogKind};
use crate::protocol::text::scrub;
use crate::sites::SitesError;
use crate::url::UrlError;

/// What the CLI can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The URL could not be used.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// A `site:"Folder/Name"` target lacks its closing quote.
    #[error("bad URL: no closing quote: {0}")]
    UnclosedQuote(String),
    /// A usage problem found after parsing.
    #[error("{0}")]
    Usage(String),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Saved sites could not be read or written.
    #[error(transparent)]
    Sites(#[from] SitesError),
}

impl CliError {
    /// The exact way forward, when there is one to name: for a certificate
    /// the system does not trust, the flag that pins it.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Engine(EngineError::Certificate { info, .. }) => {
                Some(match info.previously_trusted {
                    Some(_) => format!(
                        "if the server really changed its certificate, trust the new one with --trust-fingerprint {}",
                        info.fingerprint
                    ),
                    None => format!(
                        "to trust this certificate, run the command again with --trust-fingerprint {}",
                        info.fingerprint
                    ),
                })
            }
            CliError::Engine(EngineError::HostKeyUnknown { fingerprint, .. }) => Some(format!(
                "to trust this host key, check its fingerprint with the server's administrator and run the command again with --trust-fingerprint {}",
                fingerprint.openssh()
            )),
            CliError::Engine(EngineError::HostKeyChanged { offered, .. }) => Some(format!(
                "if the server's key really changed, replace it in known_hosts, or trust the new one with --trust-fingerprint {}",
                offered.openssh()
            )),
            CliError::Engine(EngineError::KeyPassphraseNeeded { .. }) => Some(
                "set SKIFF_KEY_PASSPHRASE, or run the command at a terminal to be asked".into(),
            ),
            _ => None,
        }
    }
}

/// How a command ended, as an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Everything done.
    Ok,
    /// Done, but something was skipped.
    Skipped,
    /// Some items failed.
    Failed,
}

impl Finish {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Finish::Ok => 0,
            Finish::Failed => 1,
            Finish::Skipped => 3,
        }
    }
}

/// Runs one CLI command to completion.
pub async fn run(command: CliCommand, options: Options) -> Result<Finish, CliError> {
    if let CliCommand::Sites { action } = command {
        // Files and the keyring only: blocking work, off the async workers.
        return tokio::task::spawn_blocking(move || sites::sites_command(action))
            .await
            .map_err(|e| CliError::Usage(format!("internal error: {e}")))?;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(rx, options.verbose));
    let events = EventSink::new(tx);
    let result = match command {
        CliCommand::Ls { json, url } => ls::ls(&url, json, &options, events).await,
        CliCommand::Get {
            recursive,
            url,
            dest,
        } => transfer::get(&url, dest.as_deref(), recursive, &options, events).await,
        CliCommand::Put {
            recursive,
            src,
            url,
        } => transfer::put(&src, &url, recursive, &options, events).await,
        CliCommand::Rm { recursive, url } => remote::rm(&url, recursive, &options, events).await,
        CliCommand::Mkdir { parents, url } => remote::mkdir(&url, parents, &options, events).await,
        CliCommand::Mv { url, target } => remote::mv(&url, &target, &options, events).await,
        CliCommand::Chmod {
            recursive,
            only,
            mode,
            url,
        } => remote::chmod(&url, mode, recursive, &only, &options, events).await,
        CliCommand::Find {
            name,
            contains,
            min_size,
            max_size,
            newer,
            json,
            url,
        } => match remote::find_filter(name.as_deref(), contains, min_size, max_size, newer) {
            Ok(filter) => remote::find(&url, filter, json, &options, events).await,
            Err(e) => Err(e),
        },
        CliCommand::Quote { url, command } => remote::quote(&url, &command, &options, events).await,
        CliCommand::Cat { url } => remote::cat(&url, &options, events).await,
        CliCommand::Sync(args) => sync::sync(&args, &options, events).await,
        CliCommand::Sites { .. } => Ok(Finish::Ok),
        CliCommand::Queue { action } => queue::queue_command(action, &options, events).await,
    };
    // The sink's senders are gone now, so the printer drains and ends.
    let _ = printer.await;
    result
}

/// Prints the engine's log lines (with `--verbose`) until the sink closes.
async fn print_events(mut rx: mpsc::UnboundedReceiver<Event>, verbose: bool) {
    while let Some(event) = rx.recv().await {
        if let Event::Log(line) = event {
            print_log(&line, verbose);
        }
    }
}

/// A token cancelled when the user presses Ctrl-C.
fn cancel_on_ctrl_c() -> CancellationToken {
    let token = CancellationToken::new();
    let child = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            child.cancel();
        }
    });
    token
}

/// Prints `items` to standard output: a pretty JSON array (each item as
/// `to_json` makes it) and a newline, or one `to_line` per item. A closed
/// pipe (`skiff ls | head`) is not an error worth a message.
fn print_list<'a, T, J: serde::Serialize>(
    items: &'a [T],
    json: bool,
    to_json: impl Fn(&'a T) -> J,
    to_line: impl Fn(&'a T) -> String,
) -> Result<Finish, CliError> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if json {
        let items: Vec<J> = items.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut out, &items)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        items
            .iter()
            .try_for_each(|item| writeln!(out, "{}", to_line(item)))
    };
    if let Err(e) = written.and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(EngineError::Local {
            path: "standard output".into(),
            source: e,
        }
        .into());
    }
    Ok(Finish::Ok)
}

/// One log line on standard error: every line with its connection and
/// direction with `--verbose`, else warnings only (a file larger than
/// announced, a listing line that did not parse). Errors are reported once,
/// by the command's own result, and security notes once, by `open`. Server
/// text in a line was escaped where it was decoded; `scrub` is the last
/// guard, so no control byte reaches the terminal.
fn print_log(line: &LogLine, verbose: bool) {
    if !verbose {
        if line.kind == LogKind::Warning && !crate::engine::is_security_note(&line.text) {
            eprintln!("skiff: warning: {}", scrub(&line.text));
        }
        return;
    }
    let mark = match line.kind {
        LogKind::Status => "*",
        LogKind::Command => ">",
        LogKind::Reply => "<",
        LogKind::Warning | LogKind::Error => "!",
    };
    eprintln!("[{}] {mark} {}", line.conn, scrub(&line.text));
}
