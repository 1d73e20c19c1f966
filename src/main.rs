//! The `skiff` binary: parses arguments, then runs a CLI command or opens the window.
//!
//! On Windows the binary (with the window) is a GUI-subsystem program, so a
//! double-click opens no console; it attaches to the console of the terminal
//! that started it, if any, so `skiff ls` there still prints.

// No console window when Skiff is double-clicked.
#![cfg_attr(all(windows, feature = "gui"), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use skiff::cli::{Cli, run};

fn main() -> ExitCode {
    #[cfg(all(windows, feature = "gui"))]
    attach_parent_console();
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return open_window(cli.url, cli.site, cli.demo);
    };
    if cli.site.is_some() {
        eprintln!("skiff: --site opens the window; with a command use site:\"Folder/Name\"/path");
        return ExitCode::from(2);
    }
    let mut options = cli.options;
    if let Some(path) = skiff::settings::Settings::default_path() {
        // The window's settings are the command line's defaults; a file
        // that cannot be used is reported, never moved by a script.
        let loaded = skiff::settings::Settings::read(&path);
        if let Some(problem) = loaded.problem {
            eprintln!("skiff: warning: {}", skiff::protocol::text::scrub(&problem));
        }
        options.settings = loaded.settings;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("skiff: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The command runs as a task on the runtime's workers, not on this
    // thread: waking it for each engine event is then a local schedule, not
    // a futex call across threads (at 2,000 small files that was a third of
    // the client's system time).
    let outcome = runtime.block_on(async { tokio::spawn(run(command, options)).await });
    match outcome {
        Ok(Ok(finish)) => ExitCode::from(finish.code()),
        Ok(Err(e)) => {
            eprintln!("skiff: {}", skiff::protocol::text::scrub(&e.to_string()));
            if let Some(hint) = e.hint() {
                eprintln!("skiff: {hint}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("skiff: internal error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_url: Option<String>, _site: Option<String>, _demo: bool) -> ExitCode {
    eprintln!("skiff: built without the window (feature `gui`); see `skiff --help`");
    ExitCode::from(2)
}

#[cfg(feature = "gui")]
fn open_window(url: Option<String>, site: Option<String>, demo: bool) -> ExitCode {
    let start = skiff::ui::StartOptions {
        url,
        site,
        demo,
        ..Default::default()
    };
    match skiff::ui::run(start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("skiff: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Lends a GUI-subsystem process the console of the terminal that started it,
/// so standard output and errors reach it. Started from Explorer there is none,
/// the call fails, and output goes nowhere, as for any windowed program.
#[cfg(all(windows, feature = "gui"))]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes no pointers and only changes this process's
    // console; its failure (no parent console) is expected and harmless.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}
