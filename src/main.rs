//! The `skiff` binary: parses arguments, then runs a CLI command or opens the window.

use std::process::ExitCode;

use clap::Parser;
use skiff::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return open_window(cli.url, cli.site, cli.demo);
    };
    if cli.site.is_some() {
        eprintln!("skiff: --site opens the window; with a command use site:\"Folder/Name\"/path");
        return ExitCode::from(2);
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
    match runtime.block_on(run(command, cli.options)) {
        Ok(finish) => ExitCode::from(finish.code()),
        Err(e) => {
            eprintln!("skiff: {e}");
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
