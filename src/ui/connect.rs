//! The arms of [`Model::update`] that connect: Quickconnect, saved sites
//! (their password from the keyring or a prompt), the Site Manager's
//! outcome and certificate decisions.
//!
//! Like the rest of `update`, these only change the [`Model`] and record
//! [`Effect`](super::update::Effect)s; the keyring is asked through a disk
//! request, never here.

use std::sync::Arc;

use super::dialogs::{CertChoice, Dialog};
use super::i18n::tr;
use super::local::LocalRequest;
use super::pane::{Loc, Pane};
use super::side::Side;
use super::site_manager::SiteManagerOutcome;
use super::state::QuickConnect;
use super::update::Model;
use crate::engine::queue::{QueueCommand, SiteKey};
use crate::engine::{BrowseCommand, LogKind, SessionConfig};
use crate::secret::Secret;
use crate::sites::recent::RecentServer;
use crate::sites::{LogonType, Site};

impl Model {
    pub(super) fn quickconnect(&mut self) {
        match self.quick.config() {
            Ok(config) => {
                if let Some(recent) = &mut self.sites.recent {
                    recent.push(RecentServer {
                        host: config.host.clone(),
                        port: config.port,
                        user: (config.credentials.user != "anonymous")
                            .then(|| config.credentials.user.clone()),
                        encryption: config.encryption,
                    });
                    let recent = Box::new(recent.clone());
                    self.disk(LocalRequest::SaveRecent(recent));
                }
                self.sites.current_site = None;
                self.connect(config);
            }
            Err(message) => {
                self.log.status(LogKind::Error, message.clone());
                self.modals.dialog = Some(Dialog::Message {
                    title: tr!("quick-connect"),
                    text: message,
                });
            }
        }
    }

    /// Connects the browsing connection with `config`.
    pub(super) fn connect(&mut self, mut config: SessionConfig) {
        if let Some(trust) = &self.sites.trust {
            config
                .tls
                .trusted
                .extend(trust.trusted(&config.host, config.port));
            config.tls.offered_before |= trust.offered_tls_before(&config.host, config.port);
        }
        self.connection_defaults(&mut config);
        for (host, port, fingerprint) in &self.sites.trusted_once {
            if *host == config.host && *port == config.port {
                config.tls.trusted.push(*fingerprint);
            }
        }
        self.remote = Pane::new(Side::Remote);
        self.remote.list.set_sort(self.state.remote_sort);
        self.remote.busy = true;
        // The queue's workers connect with these settings, and restored
        // items of this site can resume.
        self.queue(QueueCommand::SetSite(Box::new(config.clone())));
        self.connection.queue_site = Some(SiteKey::of(&config));
        self.connection.site = Some(config.clone());
        self.browse(BrowseCommand::Connect(Box::new(config)));
    }

    /// Opens a saved site: its password comes from the keyring (off the UI
    /// thread) or is asked for, by its logon type.
    pub(super) fn open_site(&mut self, site: Site) {
        if site.logon != LogonType::Anonymous
            && let Some(password) = self.sites.session_passwords.get(&site.id).cloned()
        {
            return self.connect_site(site, Some(password));
        }
        match site.logon {
            LogonType::Anonymous => self.connect_site(site, None),
            LogonType::Ask => self.ask_password(Box::new(site)),
            LogonType::Normal | LogonType::Account | LogonType::KeyFile => {
                self.disk(LocalRequest::GetPassword {
                    site: Box::new(site),
                    secrets: Arc::clone(&self.sites.secrets),
                })
            }
        }
    }

    pub(super) fn connect_site(&mut self, site: Site, password: Option<Secret>) {
        let config = site.session_config(password);
        self.quick = QuickConnect {
            host: site.connect_host(),
            user: config.credentials.user.clone(),
            password: String::new(),
            port: site.port.to_string(),
        };
        if let Some(dir) = &site.local_dir {
            self.list_local(Loc::Local(dir.clone()), false);
        }
        let remote_dir = site.remote_dir.clone();
        // Set first: `connect` keeps a data mode the site chose.
        self.sites.current_site = Some(site);
        self.connect(config);
        if let Some(dir) = remote_dir {
            self.browse(BrowseCommand::List(dir.into_bytes()));
        }
    }

    pub(super) fn on_site_manager(&mut self, outcome: SiteManagerOutcome) {
        let (saved, connect) = match outcome {
            SiteManagerOutcome::Cancel => return,
            SiteManagerOutcome::Save(saved) => (saved, None),
            SiteManagerOutcome::Connect(saved, id) => (saved, Some(id)),
        };
        let connect_now = connect.as_ref().and_then(|id| {
            let site = saved.sites.get(id)?.clone();
            let typed = saved.passwords.get(id).cloned().flatten();
            Some((site, typed))
        });
        self.sites.sites = Some(saved.sites.clone());
        if self.sites.keyring_missing.is_some() {
            // Without a keyring a typed password lives for this session.
            for (id, password) in &saved.passwords {
                match password {
                    Some(p) => self.sites.session_passwords.insert(id.clone(), p.clone()),
                    None => self.sites.session_passwords.remove(id),
                };
            }
        }
        match self.sites.config_dir.clone() {
            Some(dir) => self.disk(LocalRequest::SaveSites {
                dir,
                sites: Box::new(saved.sites),
                passwords: saved.passwords,
                secrets: Arc::clone(&self.sites.secrets),
            }),
            None => self
                .log
                .status(LogKind::Error, tr!("note-no-config-for-save")),
        }
        if let Some((site, typed)) = connect_now {
            match (site.logon, typed) {
                (LogonType::Normal | LogonType::Account, Some(password)) => {
                    self.connect_site(site, Some(password))
                }
                _ => self.open_site(site),
            }
        }
    }

    pub(super) fn on_certificate(
        &mut self,
        host: String,
        port: u16,
        info: &crate::engine::CertInfo,
        choice: CertChoice,
    ) {
        if choice == CertChoice::Refuse {
            self.log.status(
                LogKind::Warning,
                tr!(
                    "note-certificate-refused",
                    host = host.as_str(),
                    port = port
                ),
            );
            return;
        }
        if choice == CertChoice::Always
            && let Some(trust) = &mut self.sites.trust
        {
            trust.trust(&host, port, info);
            let store = Box::new(trust.clone());
            self.disk(LocalRequest::SaveTrust(store));
        }
        // Once means for the rest of this session: every later connection
        // to this host and port (a reconnect, the transfer queue's) trusts it.
        self.sites
            .trusted_once
            .push((host.clone(), port, info.fingerprint));
        if let Some(site) = self.connection.site.clone()
            && site.host == host
            && site.port == port
        {
            self.log.status(
                LogKind::Status,
                tr!(
                    "note-certificate-trusted",
                    fingerprint = info.shown_fingerprint(&info.fingerprint),
                    host = host.as_str(),
                    port = port
                ),
            );
            self.connect(site);
        }
    }
}
