//! The arms of [`Model::update`] for what comes back to the window: browse
//! and queue events from the engine, disk and keyring results, the demo
//! server's start and the frame's clock tick.
//!
//! Like the rest of `update`, these only change the [`Model`] and record
//! [`Effect`]s; they must not send, spawn, draw or read the clock (the tick
//! carries the time).

use std::path::Path;
use std::time::{Duration, Instant};

use super::dialogs::Dialog;
use super::i18n::{message, tr};
use super::items;
use super::local::{LocalError, LocalRequest, LocalResult};
use super::pane::Loc;
use super::side::Side;
use super::site_manager::SiteManager;
use super::update::{Effect, Model};
use crate::engine::queue::{Direction, ItemState, QueueEvent};
use crate::engine::{BrowseCommand, ConnectionState, Credentials, Event, LogKind, SessionConfig};
use crate::sites::{Site, Sites};

impl Model {
    pub(super) fn on_tick(&mut self, now: Instant) {
        if self.stale.due(now) {
            if std::mem::take(&mut self.stale.local) {
                self.refresh(Side::Local);
            }
            if std::mem::take(&mut self.stale.remote) {
                self.refresh(Side::Remote);
            }
            self.stale.last_refresh = Some(now);
        } else if self.stale.local || self.stale.remote {
            self.effects
                .push(Effect::RepaintAfter(Duration::from_millis(300)));
        }
        if self.queue_view.tick(now) {
            // Drawn again without an event, so a stall shows within STALL_AFTER.
            self.effects
                .push(Effect::RepaintAfter(Duration::from_millis(500)));
        }
        if self.modals.dialog.is_none()
            && let Some(ask) = self.modals.asks.pop_front()
        {
            self.modals.dialog = Some(ask);
        }
    }

    pub(super) fn on_demo_started(&mut self, started: Result<std::net::SocketAddr, String>) {
        match started {
            Ok(addr) => {
                self.log.status(
                    LogKind::Status,
                    tr!("note-demo-serving", address = addr.to_string()),
                );
                self.quick.host = addr.ip().to_string();
                self.quick.port = addr.port().to_string();
                self.quick.user = "anonymous".to_string();
                let mut config = SessionConfig::new(
                    addr.ip().to_string(),
                    addr.port(),
                    Credentials::anonymous(),
                );
                config.encryption = crate::engine::Encryption::Plain;
                self.connect(config);
            }
            Err(e) => self
                .log
                .status(LogKind::Error, tr!("note-demo-failed", error = e)),
        }
    }

    pub(super) fn on_browse_event(&mut self, event: Event) {
        match event {
            Event::Log(line) => self.log.push(line),
            Event::State(state) => {
                // A lost connection's reason is in the log already: the
                // engine logged the failure that ended it (once).
                if !matches!(state, ConnectionState::Connecting { .. }) {
                    self.remote.busy = false;
                }
                if let (ConnectionState::Connected { tls: Some(_), .. }, Some(site), Some(trust)) =
                    (&state, &self.connection.site, &mut self.sites.trust)
                    && trust.remember_tls(&site.host, site.port)
                {
                    let store = Box::new(trust.clone());
                    self.disk(LocalRequest::SaveTrust(store));
                }
                if !matches!(state, ConnectionState::Disconnected { .. }) {
                    self.connection.failure = None;
                }
                self.connection.state = state;
            }
            Event::Listing {
                path,
                display_path,
                entries,
            } => {
                let rows = entries.into_iter().map(items::remote_row).collect();
                // Remote ancestors stay partial until visited: listing
                // them would change the browsing connection's folder.
                let _ = self
                    .remote
                    .show_listing(Loc::Remote(path), display_path, rows);
            }
            Event::Certificate { host, port, info } => {
                self.modals.dialog = Some(Dialog::Certificate { host, port, info });
            }
            Event::Failed { action, error, .. } => {
                self.remote.busy = false;
                // An encrypted key without its passphrase: asked, as
                // FileZilla asks, and kept for the session.
                if error.key == "engine-error-key-passphrase"
                    && let Some(site) = self.sites.current_site.clone()
                    && site.logon == crate::sites::LogonType::KeyFile
                    && self.modals.dialog.is_none()
                {
                    self.ask_password(Box::new(site));
                }
                let error = message(&error);
                self.remote.error = Some(tr!(
                    "pane-failed",
                    action = message(&action),
                    error = error.as_str()
                ));
                self.connection.failure = Some(error);
            }
            Event::Progress(_) | Event::Retrying { .. } => {}
        }
    }

    pub(super) fn on_queue_event(&mut self, event: QueueEvent) {
        match event {
            QueueEvent::Log(line) => self.log.push(line),
            QueueEvent::Ask {
                id,
                direction,
                local,
                remote_display,
                source,
                target,
            } => self.modals.asks.push_back(Dialog::Overwrite {
                id,
                direction,
                local,
                remote_display,
                source,
                target,
                apply_to_all: false,
            }),
            QueueEvent::Idle => {
                self.stale.local |= self.local.location.is_some();
                self.queue_finished();
            }
            QueueEvent::Retrying { id, .. } => {
                // A transfer lost its connection: is the browsing one alive?
                // If the server went away the status bar says so now, not
                // at the next click.
                let ours = self
                    .queue_view
                    .item(id)
                    .is_some_and(|item| Some(&item.site) == self.connection.queue_site.as_ref());
                if ours && matches!(self.connection.state, ConnectionState::Connected { .. }) {
                    self.browse(BrowseCommand::Probe);
                }
                self.queue_view.apply(event);
            }
            other => {
                let failed_before = self.queue_view.totals.failed;
                let finished = self.queue_view.apply(other);
                self.queue_moved();
                let failed = self.queue_view.totals.failed;
                if failed > failed_before {
                    self.transfers_failed(failed - failed_before);
                }
                for item in finished {
                    if item.state != ItemState::Done {
                        continue;
                    }
                    match item.direction {
                        Direction::Download => {
                            let parent = item.local.parent().map(Path::to_path_buf);
                            if parent.map(Loc::Local) == self.local.location {
                                self.stale.local = true;
                            }
                        }
                        Direction::Upload => self.stale.remote = true,
                    }
                }
            }
        }
    }

    pub(super) fn on_local_result(&mut self, result: LocalResult) {
        match result {
            LocalResult::Listed {
                path,
                for_tree: true,
                rows: Ok(rows),
            } => self.local.tree.set_children(&Loc::Local(path), &rows),
            LocalResult::Listed {
                path,
                for_tree: false,
                rows: Ok(rows),
            } => {
                let display = path.display().to_string();
                for ancestor in self.local.show_listing(Loc::Local(path), display, rows) {
                    self.list_local(ancestor, true);
                }
            }
            LocalResult::Listed {
                rows: Err(error), ..
            } => {
                // Shown here, once: in the log and under the pane.
                self.local.busy = false;
                let error = error.to_string();
                self.log.status(LogKind::Error, error.clone());
                self.local.error = Some(error);
            }
            LocalResult::TrustLoaded(result) => match *result {
                Ok(store) => self.sites.trust = Some(store),
                Err(error) => self.log.status(LogKind::Warning, error.to_string()),
            },
            LocalResult::SitesLoaded { sites, recent } => self.on_sites_loaded(*sites, *recent),
            LocalResult::Password { site, password } => match password {
                Ok(Some(password)) => self.connect_site(*site, Some(password)),
                // A key without a passphrase has none to keep.
                Ok(None) if site.logon == crate::sites::LogonType::KeyFile => {
                    self.connect_site(*site, None)
                }
                Ok(None) => {
                    self.log.status(
                        LogKind::Warning,
                        tr!("note-no-saved-password", site = site.name.as_str()),
                    );
                    self.ask_password(site);
                }
                Err(error) => {
                    self.log.status(
                        LogKind::Warning,
                        tr!("note-keyring-silent", error = error.to_string()),
                    );
                    self.ask_password(site);
                }
            },
            LocalResult::Dropped(dropped) => self.upload_dropped(dropped),
            LocalResult::Keyring(Ok(())) => self.sites.keyring_missing = None,
            LocalResult::Keyring(Err(error)) => {
                self.log.status(
                    LogKind::Warning,
                    tr!("note-no-keyring", error = error.to_string()),
                );
                self.sites.keyring_missing = Some(error.to_string());
            }
            LocalResult::TreeWalked { root, tree } => self.on_sync_local_tree(root, tree),
            LocalResult::DirsMade(errors) => self.on_sync_local_dirs(errors),
            LocalResult::Saved(errors) => {
                for error in errors {
                    self.log.status(LogKind::Error, error.to_string());
                }
            }
            LocalResult::Changed { what, error } => {
                match error {
                    Some(error) => {
                        let error = error.to_string();
                        self.log.status(LogKind::Error, error.clone());
                        self.local.error = Some(error);
                    }
                    None => self.log.status(LogKind::Status, what),
                }
                if let Some(loc) = self.view.go_after_create.take() {
                    // The folder synchronized browsing asked for now exists.
                    self.go(Side::Local, loc);
                } else if let Some(loc) = self.local.location.clone() {
                    self.list_local(loc, false);
                }
            }
        }
    }

    pub(super) fn on_sites_loaded(
        &mut self,
        sites: Result<Sites, LocalError>,
        recent: crate::sites::recent::Recent,
    ) {
        self.sites.recent = Some(recent);
        match sites {
            Ok(sites) => self.sites.sites = Some(sites),
            Err(error) => {
                let error = error.to_string();
                self.log.status(LogKind::Error, error.clone());
                self.modals.dialog = Some(Dialog::Message {
                    title: tr!("dialog-saved-sites-title"),
                    text: error,
                });
                self.sites.sites = Some(Sites::new());
            }
        }
        if std::mem::take(&mut self.sites.open_manager_when_loaded) {
            let note = self.sites.keyring_missing.clone();
            self.modals.site_manager = self
                .sites
                .sites
                .clone()
                .map(|sites| SiteManager::new(sites).with_keyring_note(note));
        }
        if let Some(path) = self.sites.pending_site.take() {
            match self
                .sites
                .sites
                .as_ref()
                .and_then(|s| s.find(&path))
                .cloned()
            {
                Some(site) => self.open_site(site),
                None => self
                    .log
                    .status(LogKind::Error, tr!("note-no-saved-site", path = path)),
            }
        }
    }

    pub(super) fn ask_password(&mut self, site: Box<Site>) {
        self.modals.dialog = Some(Dialog::AskPassword {
            site,
            password: String::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Event;
    use crate::engine::config::Protocol;
    use crate::engine::wording::UserMessage;
    use crate::sites::{LogonType, Site};
    use crate::ui::update::Msg;
    use crate::ui::update::test_support::model;

    /// An encrypted key whose passphrase is not in the keyring: the
    /// connect fails with that reason, and the passphrase is asked for.
    #[test]
    fn an_encrypted_keys_passphrase_is_asked_for() {
        let mut model = model();
        let site = Site {
            name: "box".into(),
            host: "sftp.example.org".into(),
            port: 22,
            protocol: Protocol::Sftp,
            logon: LogonType::KeyFile,
            user: "gina".into(),
            key_file: Some("/home/gina/.ssh/id_ed25519".into()),
            ..Site::default()
        };
        model.connect_site(site, None);
        model.take_effects();
        model.update(Msg::Browse(Event::Failed {
            what: "connect to sftp.example.org:22".into(),
            message: "the key file is encrypted and no passphrase was given".into(),
            action: UserMessage::new("engine-action-connect", &[]),
            error: UserMessage::new("engine-error-key-passphrase", &[]),
        }));
        assert!(
            matches!(
                &model.modals.dialog,
                Some(Dialog::AskPassword { site, .. }) if site.logon == LogonType::KeyFile
            ),
            "{:?}",
            model.modals.dialog.is_some()
        );
    }
}
