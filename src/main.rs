//! The `skiff` binary: parses arguments, then runs a CLI command or opens the window.

use std::process::ExitCode;

use clap::Parser;
use skiff::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return open_window(cli.url.as_deref());
    };
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

fn open_window(url: Option<&str>) -> ExitCode {
    eprintln!(
        "skiff: the window is not built yet{}; use `skiff ls|get|put URL` (see `skiff --help`)",
        url.map(|u| format!(" (asked to open {u})"))
            .unwrap_or_default()
    );
    ExitCode::from(2)
}
