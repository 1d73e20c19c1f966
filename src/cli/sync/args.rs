//! `skiff sync`'s own flags (the connection options are the global ones).
//!
//! Owns what `skiff sync --help` shows; must not connect or decide anything.

use clap::Args;

use crate::sync::Compare;

/// `skiff sync [OPTIONS] SRC DEST`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// The source: a local folder or a URL (exactly one side is a URL).
    pub src: String,
    /// The destination, made like the source: a URL or a local folder.
    pub dest: String,
    /// Delete what DEST has and SRC has not (one way).
    #[arg(long, conflicts_with = "two_way")]
    pub delete: bool,
    /// Sync both ways, remembering the last sync: a deletion since then
    /// propagates, a change on both sides is a conflict (both kept).
    #[arg(long)]
    pub two_way: bool,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object per action, then a summary object.
    #[arg(long)]
    pub json: bool,
    /// How files are found equal.
    #[arg(long, value_enum, default_value = "size-time")]
    pub compare: Compare,
    /// After the transfers, check each transferred file's checksum on the
    /// server (HASH, XSHA256, XSHA1, XMD5 or XCRC) against the local file's.
    #[arg(long)]
    pub verify: bool,
    /// Leave paths matching this glob alone (repeatable; a glob without `/`
    /// matches a name at any depth).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Minutes to add to the server's LIST times to make them UTC (default:
    /// the site's offset, else found with MDTM when the server has it).
    #[arg(long, value_name = "MINUTES", allow_hyphen_values = true)]
    pub list_offset: Option<i32>,
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, CliCommand};
    use clap::Parser;

    #[test]
    fn sync_flags_parse() {
        let cli = Cli::try_parse_from([
            "skiff",
            "sync",
            "--exclude",
            "*.log",
            "--exclude",
            "cache/",
            "--compare",
            "size",
            "--delete",
            "--dry-run",
            "--parallel",
            "4",
            "dir",
            "ftp://h/x",
        ])
        .expect("valid");
        let Some(CliCommand::Sync(args)) = cli.command else {
            panic!("not sync");
        };
        assert_eq!(args.exclude, ["*.log", "cache/"]);
        assert_eq!(args.compare, crate::sync::Compare::Size);
        assert!(args.delete && args.dry_run && !args.two_way);
        assert_eq!(
            (args.src.as_str(), args.dest.as_str()),
            ("dir", "ftp://h/x")
        );
        assert_eq!(cli.options.parallel(), 4);
        let offset =
            Cli::try_parse_from(["skiff", "sync", "--list-offset", "-480", "ftp://h/", "d"])
                .expect("a negative offset");
        assert!(matches!(offset.command, Some(CliCommand::Sync(a)) if a.list_offset == Some(-480)));
        assert!(
            Cli::try_parse_from(["skiff", "sync", "--delete", "--two-way", "d", "ftp://h/"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from(["skiff", "sync", "--compare", "bytes", "d", "ftp://h/"]).is_err()
        );
    }
}
