//! The arms of [`Model::update`] that use the settings: the Settings
//! dialog's outcome, applying settings to the queue, the browsing
//! connection's defaults, the language and theme, and the log file.
//!
//! Like the rest of `update`, these only change the [`Model`] and record
//! [`Effect`]s: saving is a disk request, the queue hears commands.

use super::settings::SettingsOutcome;
use super::update::{Effect, Model};
use crate::engine::BrowseCommand;
use crate::engine::SessionConfig;
use crate::engine::browser::KeepAlive;
use crate::engine::queue::QueueCommand;
use crate::logfile::Rotation;
use crate::settings::Settings;
use crate::sites::TransferMode;

impl Model {
    /// Uses `settings` from now on, as read at start (nothing saved).
    pub fn use_settings(&mut self, settings: Settings) {
        let previous = std::mem::replace(&mut self.settings, settings);
        self.apply_settings(None);
        drop(previous);
    }

    /// The Settings dialog closed: OK applies and saves.
    pub(super) fn on_settings(&mut self, outcome: SettingsOutcome) {
        let SettingsOutcome::Save(settings) = outcome else {
            return;
        };
        let previous = std::mem::replace(&mut self.settings, *settings);
        if let Some(path) = self.settings_path.clone() {
            self.disk(super::local::LocalRequest::SaveSettings {
                path,
                settings: Box::new(self.settings.clone()),
            });
        }
        self.apply_settings(Some(&previous));
    }

    /// Tells the queue, the window and the log file what changed since
    /// `previous` (everything when `None`). Connection settings apply to
    /// the next connection ([`Model::connection_defaults`]).
    fn apply_settings(&mut self, previous: Option<&Settings>) {
        let now = self.settings.clone();
        let t = &now.transfers;
        if previous.is_none_or(|p| p.transfers != *t || p.connection != now.connection) {
            self.queue(QueueCommand::SetWorkers(usize::from(t.simultaneous)));
            self.queue(QueueCommand::SetLimits {
                download: t.download_limit(),
                upload: t.upload_limit(),
            });
            self.queue(QueueCommand::SetPolicies {
                download: t.download_exists.choice(),
                upload: t.upload_exists.choice(),
            });
            self.queue(QueueCommand::SetTransferDefaults {
                ascii_extensions: t.transfer_type.ascii_extensions(),
                preserve_times: t.preserve_times,
                retry: now.connection.retry(),
            });
        }
        let c = &now.connection;
        if previous.is_none_or(|p| p.connection.keep_alive != c.keep_alive) {
            self.browse(BrowseCommand::SetKeepAlive(
                c.keep_alive.then(KeepAlive::default),
            ));
        }
        let i = &now.interface;
        if previous
            .is_none_or(|p| p.interface.language != i.language || p.interface.theme != i.theme)
        {
            self.effects.push(Effect::Interface {
                language: i.language,
                theme: i.theme,
            });
        }
        let l = &now.logging;
        if previous.is_none_or(|p| p.logging != *l) {
            let target = l.to_file.then(|| l.path()).flatten().map(|path| {
                (
                    path,
                    Rotation {
                        max_bytes: l.max_size_mib.saturating_mul(1024 * 1024),
                        keep: l.keep,
                    },
                )
            });
            self.log.set_to_file(target.is_some());
            self.effects.push(Effect::LogFile(target));
        }
    }

    /// `config` with the settings' connection defaults: the timeout, the
    /// fallback and the active-mode range and address always; the data mode
    /// unless the saved site being opened chose one.
    pub(super) fn connection_defaults(&self, config: &mut SessionConfig) {
        let c = &self.settings.connection;
        config.timeout = c.timeout();
        config.mode_fallback &= c.fallback;
        let site_chose_mode = self
            .sites
            .current_site
            .as_ref()
            .is_some_and(|site| site.transfer_mode != TransferMode::Default);
        if !site_chose_mode {
            config.data_mode = c.data_mode;
        }
        if config.active.port_range.is_none() {
            config.active.port_range = c.port_range();
        }
        if config.active.external_ip.is_none() {
            config.active.external_ip = c.external_ip;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::DataMode;
    use crate::engine::queue::PolicyChoice;
    use crate::settings::{ExistsDefault, Language, TransferType};
    use crate::ui::state::{SiteState, UiState};
    use std::sync::Arc;

    fn model() -> Model {
        let secrets: Arc<dyn crate::sites::SecretStore> =
            Arc::new(crate::sites::MemoryStore::new());
        let mut model = Model::new(UiState::default(), SiteState::new(None, secrets, None));
        model.settings_path = Some(std::path::PathBuf::from("/nonexistent/settings.toml"));
        model
    }

    #[test]
    fn ok_applies_to_the_queue_saves_and_sets_the_interface() {
        let mut model = model();
        let mut settings = Settings::default();
        settings.transfers.simultaneous = 5;
        settings.transfers.limit_download = true;
        settings.transfers.download_kib = 64;
        settings.transfers.upload_exists = ExistsDefault::Overwrite;
        settings.transfers.transfer_type = TransferType::Auto;
        settings.interface.language = Language::ChineseSimplified;
        model.update(super::super::update::Msg::Settings(SettingsOutcome::Save(
            Box::new(settings.clone()),
        )));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("SetWorkers(5)"), "{effects}");
        assert!(effects.contains("download: Some(65536)"), "{effects}");
        assert!(
            effects.contains(&format!(
                "upload: {:?}",
                PolicyChoice::Fixed(crate::engine::ExistsPolicy::Overwrite)
            )),
            "{effects}"
        );
        assert!(effects.contains("\"txt\""), "{effects}");
        assert!(effects.contains("Disk(..)"), "saved: {effects}");
        assert!(effects.contains("ChineseSimplified"), "{effects}");
        assert_eq!(model.settings, settings);

        // Cancel changes nothing.
        model.update(super::super::update::Msg::Settings(SettingsOutcome::Cancel));
        assert!(model.take_effects().is_empty());
    }

    #[test]
    fn the_transfer_menus_type_is_a_saved_setting() {
        let mut model = model();
        model.update(super::super::update::Msg::SetTransferType(
            TransferType::Ascii,
        ));
        assert_eq!(model.settings.transfers.transfer_type, TransferType::Ascii);
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("ascii_extensions: [\"*\"]"), "{effects}");
    }

    #[test]
    fn new_connections_take_the_connection_defaults() {
        let mut model = model();
        model.settings.connection.timeout_secs = 7;
        model.settings.connection.data_mode = DataMode::Active;
        model.settings.connection.active_ports = Some([50000, 50010]);
        let mut config = SessionConfig::new("h", 21, crate::engine::Credentials::anonymous());
        model.connection_defaults(&mut config);
        assert_eq!(config.timeout, std::time::Duration::from_secs(7));
        assert_eq!(config.data_mode, DataMode::Active);
        assert_eq!(config.active.port_range, Some((50000, 50010)));
    }
}
