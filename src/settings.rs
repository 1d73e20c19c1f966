//! The user's settings: `settings.toml` in the config folder, shared by the
//! window (Edit → Settings…) and the command line (its defaults; flags
//! override them).
//!
//! The file is written atomically (`paths::write_atomic`, the previous
//! version kept as `.bak`). A file that cannot be read is set aside as
//! `settings.toml.corrupt`, never deleted, and the defaults are used with a
//! sentence saying so. Unknown keys are ignored, so a newer Skiff's file
//! still loads; values out of range are brought into range on load.
//!
//! Nothing here does network I/O or knows about widgets: this is plain data
//! with its file, and the conversions front ends need (`ExistsDefault` to an
//! engine policy, `TransferType` to the queue's ASCII list).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::queue::{PolicyChoice, default_ascii_extensions};
use crate::engine::{DataMode, ExistsPolicy, RetryPolicy};

/// The file's name in the config folder.
pub const SETTINGS_FILE: &str = "settings.toml";

/// The most simultaneous transfers a user can choose (FileZilla allows 10;
/// the engine was measured up to 32).
pub const MAX_SIMULTANEOUS: u16 = 32;

/// Everything a user can set, by section as the Settings dialog shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Connection.
    pub connection: ConnectionSettings,
    /// Transfers.
    pub transfers: TransferSettings,
    /// Interface.
    pub interface: InterfaceSettings,
    /// Logging.
    pub logging: LogSettings,
    /// View/Edit.
    pub editing: EditSettings,
}

/// Settings → Connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionSettings {
    /// Idle timeout for every network wait, in seconds (FileZilla: 20).
    pub timeout_secs: u64,
    /// Retries after a failure that made no progress.
    pub retries: u32,
    /// Seconds to wait before a retry.
    pub retry_delay_secs: f64,
    /// Keep the idle browsing connection alive with harmless commands.
    pub keep_alive: bool,
    /// The data mode of new sites and of quickconnect.
    pub data_mode: DataMode,
    /// Fall back to the other data mode when the chosen one fails.
    pub fallback: bool,
    /// Active mode: listen only on ports in this range (`[low, high]`).
    pub active_ports: Option<[u16; 2]>,
    /// Active mode: announce this address (behind NAT).
    pub external_ip: Option<IpAddr>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            timeout_secs: 20,
            retries: 2,
            retry_delay_secs: 5.0,
            keep_alive: true,
            data_mode: DataMode::Passive,
            fallback: true,
            active_ports: None,
            external_ip: None,
        }
    }
}

impl ConnectionSettings {
    /// The idle timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The retry policy of the transfer queue.
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.retries,
            delay: Duration::from_secs_f64(self.retry_delay_secs),
        }
    }

    /// The active port range, when one is set.
    pub fn port_range(&self) -> Option<(u16, u16)> {
        self.active_ports.map(|[low, high]| (low, high))
    }
}

/// Settings → Transfers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferSettings {
    /// Simultaneous transfers (1..=[`MAX_SIMULTANEOUS`]).
    pub simultaneous: u16,
    /// Whether the download limit applies.
    pub limit_download: bool,
    /// Download limit in KiB/s.
    pub download_kib: u64,
    /// Whether the upload limit applies.
    pub limit_upload: bool,
    /// Upload limit in KiB/s.
    pub upload_kib: u64,
    /// What a download does with an existing local file.
    pub download_exists: ExistsDefault,
    /// What an upload does with an existing remote file.
    pub upload_exists: ExistsDefault,
    /// Binary, Auto or ASCII.
    pub transfer_type: TransferType,
    /// Give transferred files the source's modification time.
    pub preserve_times: bool,
}

impl Default for TransferSettings {
    fn default() -> Self {
        Self {
            simultaneous: 2,
            limit_download: false,
            download_kib: 1024,
            limit_upload: false,
            upload_kib: 1024,
            download_exists: ExistsDefault::Ask,
            upload_exists: ExistsDefault::Ask,
            transfer_type: TransferType::Binary,
            preserve_times: false,
        }
    }
}

impl TransferSettings {
    /// The download limit in bytes per second, `None` when off.
    pub fn download_limit(&self) -> Option<u64> {
        (self.limit_download && self.download_kib > 0).then(|| self.download_kib * 1024)
    }

    /// The upload limit in bytes per second, `None` when off.
    pub fn upload_limit(&self) -> Option<u64> {
        (self.limit_upload && self.upload_kib > 0).then(|| self.upload_kib * 1024)
    }
}

/// The default action for an existing target (FileZilla's "Default action
/// on file exists").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExistsDefault {
    /// Ask each time (the window; the command line skips).
    #[default]
    Ask,
    /// Overwrite.
    Overwrite,
    /// Overwrite if the source is newer.
    Newer,
    /// Overwrite if the sizes differ.
    Size,
    /// Overwrite if the sizes differ or the source is newer.
    SizeOrNewer,
    /// Resume.
    Resume,
    /// Keep both, the new one renamed.
    Rename,
    /// Skip.
    Skip,
}

impl ExistsDefault {
    /// Every choice, in the order the dialog lists them.
    pub const ALL: [ExistsDefault; 8] = [
        ExistsDefault::Ask,
        ExistsDefault::Overwrite,
        ExistsDefault::Newer,
        ExistsDefault::Size,
        ExistsDefault::SizeOrNewer,
        ExistsDefault::Resume,
        ExistsDefault::Rename,
        ExistsDefault::Skip,
    ];

    /// The engine's policy; `None` for Ask.
    pub fn policy(self) -> Option<ExistsPolicy> {
        Some(match self {
            ExistsDefault::Ask => return None,
            ExistsDefault::Overwrite => ExistsPolicy::Overwrite,
            ExistsDefault::Newer => ExistsPolicy::OverwriteIfNewer,
            ExistsDefault::Size => ExistsPolicy::OverwriteIfSizeDiffers,
            ExistsDefault::SizeOrNewer => ExistsPolicy::OverwriteIfSizeDiffersOrNewer,
            ExistsDefault::Resume => ExistsPolicy::Resume,
            ExistsDefault::Rename => ExistsPolicy::Rename,
            ExistsDefault::Skip => ExistsPolicy::Skip,
        })
    }

    /// The queue's choice for the window, which can ask.
    pub fn choice(self) -> PolicyChoice {
        self.policy().map_or(PolicyChoice::Ask, PolicyChoice::Fixed)
    }
}

/// How files move: every byte as it is, or with line ends translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferType {
    /// `TYPE I` for every file: nothing changes on the way (the default).
    #[default]
    Binary,
    /// `TYPE A` for FileZilla's text extensions, `TYPE I` for the rest.
    Auto,
    /// `TYPE A` for every file: line ends are converted on the way.
    Ascii,
}

impl TransferType {
    /// Every choice, in the order menus list them.
    pub const ALL: [TransferType; 3] = [
        TransferType::Binary,
        TransferType::Auto,
        TransferType::Ascii,
    ];

    /// The queue's ASCII extension list for this choice (`*` = every file).
    pub fn ascii_extensions(self) -> Vec<String> {
        match self {
            TransferType::Binary => Vec::new(),
            TransferType::Auto => default_ascii_extensions(),
            TransferType::Ascii => vec!["*".to_string()],
        }
    }

    /// The name the command line's `--type` takes.
    pub fn name(self) -> &'static str {
        match self {
            TransferType::Binary => "binary",
            TransferType::Auto => "auto",
            TransferType::Ascii => "ascii",
        }
    }

    /// The choice named `name` (as [`TransferType::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Settings → Interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterfaceSettings {
    /// The window's language.
    pub language: Language,
    /// Light, dark, or as the system.
    pub theme: Theme,
    /// What happens when the queue has finished.
    pub when_queue_done: QueueDone,
    /// Ask before closing the window while transfers run.
    pub confirm_quit: bool,
}

impl Default for InterfaceSettings {
    fn default() -> Self {
        Self {
            language: Language::System,
            theme: Theme::System,
            when_queue_done: QueueDone::Notify,
            confirm_quit: true,
        }
    }
}

/// The window's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Language {
    /// Follow the system's locale.
    #[default]
    #[serde(rename = "system")]
    System,
    /// English.
    #[serde(rename = "en")]
    English,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ChineseSimplified,
}

impl Language {
    /// Every choice, in the order the dialog lists them.
    pub const ALL: [Language; 3] = [
        Language::System,
        Language::English,
        Language::ChineseSimplified,
    ];
}

/// The window's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// As the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// Every choice, in the order the dialog lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];
}

/// What happens when the queue has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueDone {
    /// Nothing.
    Nothing,
    /// A desktop notification when the window is not focused (and for a
    /// failed item).
    #[default]
    Notify,
    /// Close the window.
    Quit,
}

impl QueueDone {
    /// Every choice, in the order the dialog lists them.
    pub const ALL: [QueueDone; 3] = [QueueDone::Nothing, QueueDone::Notify, QueueDone::Quit];
}

/// Settings → Logging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    /// Also write the message log to a file.
    pub to_file: bool,
    /// The file (default: `skiff.log` in the data folder).
    pub file: Option<PathBuf>,
    /// Rotate when the file reaches this many MiB.
    pub max_size_mib: u64,
    /// Rotated files kept (`skiff.log.1` …).
    pub keep: u32,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            to_file: false,
            file: None,
            max_size_mib: 10,
            keep: 3,
        }
    }
}

impl LogSettings {
    /// The log file's path: the chosen one, or `skiff.log` in the data folder.
    pub fn path(&self) -> Option<PathBuf> {
        self.file
            .clone()
            .or_else(|| crate::paths::data_dir().map(|d| d.join("skiff.log")))
    }
}

/// Settings → Editing (View/Edit of remote files).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EditSettings {
    /// What happens when an edited file is saved.
    pub upload: EditUpload,
    /// The editor: empty for the system's default application; a program,
    /// or a command line where `%f` stands for the file.
    pub editor: String,
}

impl EditSettings {
    /// The program and its arguments for `file`: `None` for the system's
    /// default application. With `%f` the line is split at spaces and `%f`
    /// replaced; without it the whole text is the program (so a path with
    /// spaces works) and the file is its one argument.
    pub fn command_for(&self, file: &std::path::Path) -> Option<(String, Vec<std::ffi::OsString>)> {
        let editor = self.editor.trim();
        if editor.is_empty() {
            return None;
        }
        if !editor.contains("%f") {
            return Some((editor.to_string(), vec![file.as_os_str().to_owned()]));
        }
        let mut words = editor.split_whitespace();
        let program = words.next()?.to_string();
        let args = words
            .map(|word| {
                if word == "%f" {
                    file.as_os_str().to_owned()
                } else {
                    word.replace("%f", &file.to_string_lossy()).into()
                }
            })
            .collect();
        Some((program, args))
    }
}

/// What happens when an edited file is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditUpload {
    /// Ask whether to upload it (FileZilla's default).
    #[default]
    Ask,
    /// Upload it at once.
    Always,
}

/// What reading the file gave.
#[derive(Debug)]
pub struct Loaded {
    /// The settings (the defaults when there was no usable file).
    pub settings: Settings,
    /// A sentence for the user when the file could not be used.
    pub problem: Option<String>,
}

impl Settings {
    /// The settings file in the config folder.
    pub fn default_path() -> Option<PathBuf> {
        crate::paths::config_dir().map(|d| d.join(SETTINGS_FILE))
    }

    /// Parses a file's text; values out of range are brought into range.
    pub fn parse(text: &str) -> Result<Settings, String> {
        toml::from_str::<Settings>(text)
            .map(Settings::normalized)
            .map_err(|e| e.message().to_string())
    }

    /// Reads `path` without changing anything on disk: a missing file gives
    /// the defaults; a file that cannot be used gives the defaults and the
    /// reason (the command line's way: a script never moves a user's file).
    pub fn read(path: &Path) -> Loaded {
        match std::fs::read_to_string(path) {
            Ok(text) => match Settings::parse(&text) {
                Ok(settings) => Loaded {
                    settings,
                    problem: None,
                },
                Err(reason) => Loaded {
                    settings: Settings::default(),
                    problem: Some(format!(
                        "The settings could not be read ({reason}), so the defaults are used: {}",
                        path.display()
                    )),
                },
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Loaded {
                settings: Settings::default(),
                problem: None,
            },
            Err(e) => Loaded {
                settings: Settings::default(),
                problem: Some(format!(
                    "The settings could not be read ({e}), so the defaults are used: {}",
                    path.display()
                )),
            },
        }
    }

    /// Reads `path` for the window: a file that cannot be parsed is set
    /// aside as `NAME.corrupt` (so the next save does not destroy it) and
    /// the defaults are used, with a sentence naming where it went.
    pub fn load(path: &Path) -> Loaded {
        let loaded = Settings::read(path);
        if loaded.problem.is_none() || !path.is_file() {
            return loaded;
        }
        let problem = match crate::paths::set_aside(path) {
            Ok(aside) => format!(
                "The settings file could not be read, so the defaults are used; it was kept as {}",
                aside.display()
            ),
            Err(_) => loaded.problem.unwrap_or_default(),
        };
        Loaded {
            settings: loaded.settings,
            problem: Some(problem),
        }
    }

    /// Writes the settings to `path` atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::paths::write_atomic(path, text.as_bytes())
    }

    /// Every value brought into its range.
    pub fn normalized(mut self) -> Settings {
        let c = &mut self.connection;
        c.timeout_secs = c.timeout_secs.clamp(1, 3600);
        c.retries = c.retries.min(99);
        if !c.retry_delay_secs.is_finite() {
            c.retry_delay_secs = 5.0;
        }
        c.retry_delay_secs = c.retry_delay_secs.clamp(0.0, 3600.0);
        if let Some([low, high]) = c.active_ports
            && (low == 0 || low > high)
        {
            c.active_ports = None;
        }
        let t = &mut self.transfers;
        t.simultaneous = t.simultaneous.clamp(1, MAX_SIMULTANEOUS);
        t.download_kib = t.download_kib.min(u64::MAX / 1024);
        t.upload_kib = t.upload_kib.min(u64::MAX / 1024);
        let l = &mut self.logging;
        l.max_size_mib = l.max_size_mib.clamp(1, 1024);
        l.keep = l.keep.min(20);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_an_empty_file_is_the_defaults() {
        let settings = Settings::default();
        let text = toml::to_string_pretty(&settings).expect("serialize");
        assert_eq!(Settings::parse(&text), Ok(settings.clone()));
        assert_eq!(Settings::parse(""), Ok(settings.clone()));
        assert_eq!(settings.transfers.transfer_type, TransferType::Binary);
        assert_eq!(settings.transfers.simultaneous, 2);
        assert!(settings.interface.confirm_quit);
        assert!(settings.connection.keep_alive);
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults_and_values_are_clamped() {
        let text = "[transfers]\nsimultaneous = 99\ntransfer_type = \"auto\"\n\
                    [connection]\ntimeout_secs = 0\nactive_ports = [600, 500]\nfuture_key = 1\n\
                    [interface]\nlanguage = \"zh-CN\"\n";
        let settings = Settings::parse(text).expect("parses");
        assert_eq!(settings.transfers.simultaneous, MAX_SIMULTANEOUS);
        assert_eq!(settings.transfers.transfer_type, TransferType::Auto);
        assert_eq!(settings.connection.timeout_secs, 1);
        assert_eq!(settings.connection.active_ports, None);
        assert_eq!(settings.connection.retries, 2);
        assert_eq!(settings.interface.language, Language::ChineseSimplified);
    }

    #[test]
    fn a_corrupt_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, "[transfers]\nsimultaneous = \"many\"\n").expect("write");
        let read = Settings::read(&path);
        assert!(read.problem.is_some());
        assert!(path.is_file(), "read never moves the file");
        let loaded = Settings::load(&path);
        assert_eq!(loaded.settings, Settings::default());
        let problem = loaded.problem.expect("reported");
        assert!(problem.contains("settings.toml.corrupt"), "{problem}");
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("settings.toml.corrupt")).expect("kept"),
            "[transfers]\nsimultaneous = \"many\"\n"
        );
    }

    #[test]
    fn saved_settings_load_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(SETTINGS_FILE);
        let mut settings = Settings::default();
        settings.transfers.simultaneous = 7;
        settings.transfers.limit_download = true;
        settings.transfers.download_kib = 256;
        settings.transfers.upload_exists = ExistsDefault::Newer;
        settings.connection.active_ports = Some([50000, 50100]);
        settings.interface.theme = Theme::Dark;
        settings.editing.upload = EditUpload::Always;
        settings.editing.editor = "gedit --wait %f".to_string();
        settings.save(&path).expect("save");
        let loaded = Settings::load(&path);
        assert!(loaded.problem.is_none());
        assert_eq!(loaded.settings, settings);
        assert_eq!(loaded.settings.transfers.download_limit(), Some(256 * 1024));
        assert_eq!(loaded.settings.transfers.upload_limit(), None);
    }

    #[test]
    fn choices_map_to_the_engine() {
        assert_eq!(ExistsDefault::Ask.choice(), PolicyChoice::Ask);
        assert_eq!(
            ExistsDefault::SizeOrNewer.choice(),
            PolicyChoice::Fixed(ExistsPolicy::OverwriteIfSizeDiffersOrNewer)
        );
        assert!(TransferType::Binary.ascii_extensions().is_empty());
        assert!(
            TransferType::Auto
                .ascii_extensions()
                .contains(&"txt".to_string())
        );
        for t in TransferType::ALL {
            assert_eq!(TransferType::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn the_editor_line_names_the_program_and_where_the_file_goes() {
        let file = std::path::Path::new("/tmp/skiff-edit-1/3/a b.txt");
        let mut editing = EditSettings::default();
        assert_eq!(editing.upload, EditUpload::Ask, "FileZilla asks");
        assert_eq!(editing.command_for(file), None, "the system's default");
        editing.editor = "/opt/My Editor/edit".to_string();
        assert_eq!(
            editing.command_for(file),
            Some(("/opt/My Editor/edit".to_string(), vec![file.into()]))
        );
        editing.editor = "code --wait %f".to_string();
        assert_eq!(
            editing.command_for(file),
            Some((
                "code".to_string(),
                vec!["--wait".into(), file.as_os_str().to_owned()]
            ))
        );
    }
}
