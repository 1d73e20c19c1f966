//! The arms of [`Model::update`] about the window's life and the queue's
//! reach: quitting while transfers run (FileZilla asks too), and resumed
//! items whose site is not connected (the window offers to connect).
//!
//! Like the rest of `update`, these only change the [`Model`] and record
//! [`Effect`]s.

use super::dialogs::Dialog;
use super::i18n::tr;
use super::update::{Effect, Model};
use crate::engine::LogKind;
use crate::engine::queue::{QueueCommand, SiteKey};
use crate::settings::QueueDone;

impl Model {
    /// The user asked to quit: from the menu (`by_close_button` false) or
    /// the window's close button. With transfers running and the setting
    /// on, the window stays and asks; otherwise it closes.
    pub(super) fn quit(&mut self, by_close_button: bool) {
        let running = self.queue_view.totals.running;
        // Saves not on the server are asked about whatever the setting:
        // they live in a temporary folder that goes with the window.
        let edited = self.edits.unsent();
        let asks = running > 0 && self.settings.interface.confirm_quit || edited > 0;
        if asks && !self.quit_confirmed {
            if by_close_button {
                self.effects.push(Effect::CancelClose);
            }
            if let Some(open) = self.modals.dialog.take() {
                // An open question (an overwrite) waits behind this one.
                self.modals.asks.push_front(open);
            }
            let running = if self.settings.interface.confirm_quit {
                running
            } else {
                0
            };
            self.modals.dialog = Some(Dialog::ConfirmQuit { running, edited });
            return;
        }
        self.quit_confirmed = true;
        if !by_close_button {
            self.effects.push(Effect::CloseWindow);
        }
    }

    /// Notes that the queue moved files, so its end is worth telling.
    pub(super) fn queue_moved(&mut self) {
        if self.queue_view.totals.running > 0 {
            self.queue_worked = true;
        }
    }

    /// The queue has nothing left: as Settings → Interface says, a desktop
    /// notification (when the window is not in front) or closing Skiff.
    pub(super) fn queue_finished(&mut self) {
        if !std::mem::take(&mut self.queue_worked) {
            return;
        }
        let totals = self.queue_view.totals;
        match self.settings.interface.when_queue_done {
            QueueDone::Nothing => {}
            QueueDone::Notify => {
                if !self.window_focused {
                    self.effects.push(Effect::Notify {
                        summary: tr!("notify-done-title"),
                        body: tr!(
                            "notify-done-body",
                            done = totals.done,
                            failed = totals.failed
                        ),
                    });
                }
            }
            QueueDone::Quit => {
                if totals.failed == 0 {
                    self.quit(false);
                }
            }
        }
    }

    /// `count` more transfers failed: a desktop notification when the
    /// window is not in front (and notifications are on).
    pub(super) fn transfers_failed(&mut self, count: u64) {
        if !self.window_focused && self.settings.interface.when_queue_done == QueueDone::Notify {
            self.effects.push(Effect::Notify {
                summary: tr!("notify-failed-title"),
                body: tr!("notify-failed-body", count = count),
            });
        }
    }

    /// The quit dialog's Quit.
    pub(super) fn quit_confirmed(&mut self) {
        self.quit_confirmed = true;
        self.effects.push(Effect::CloseWindow);
    }

    /// A command from the queue pane. Resuming items of a site the queue
    /// has no settings for (restored from the last run, another server)
    /// offers to connect to it; the items wait, paused, until then.
    pub(super) fn queue_pane_command(&mut self, command: QueueCommand) {
        let resumed = match &command {
            QueueCommand::Resume(ids) => Some(self.queue_view.paused_sites(Some(ids))),
            QueueCommand::ResumeAll => Some(self.queue_view.paused_sites(None)),
            _ => None,
        };
        self.queue(command);
        let elsewhere = resumed
            .into_iter()
            .flatten()
            .find(|(site, _)| self.connection.queue_site.as_ref() != Some(site));
        if let Some((site, count)) = elsewhere
            && self.modals.dialog.is_none()
        {
            self.modals.dialog = Some(Dialog::ConnectFor { site, count });
        }
    }

    /// The connect offer's Connect: the saved site with this host, port
    /// and user, else the quickconnect bar filled in for its password.
    pub(super) fn connect_for(&mut self, key: SiteKey) {
        let saved = self.sites.sites.as_ref().and_then(|sites| {
            sites
                .sites
                .iter()
                .find(|site| {
                    site.host == key.host && site.port == key.port && site.user == key.user
                })
                .cloned()
        });
        match saved {
            Some(site) => self.open_site(site),
            None => {
                self.quick.host = key.host.clone();
                self.quick.port = key.port.to_string();
                self.quick.user = key.user.clone();
                self.quick.password.clear();
                self.log.status(
                    LogKind::Status,
                    tr!(
                        "note-connect-for-unknown",
                        site = format!("{}@{}:{}", key.user, key.host, key.port)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::dialogs::DialogOutcome;
    use super::super::update::Msg;
    use super::*;
    use crate::engine::queue::{Direction, ItemState, ItemView, QueueEvent};
    use crate::sites::MemoryStore;
    use crate::ui::state::{SiteState, UiState};
    use std::sync::Arc;

    fn new_model() -> Model {
        Model::new(
            UiState::default(),
            SiteState::new(None, Arc::new(MemoryStore::new()), None),
        )
    }

    fn view(id: u64, host: &str, state: ItemState) -> ItemView {
        ItemView {
            id,
            parent: None,
            site: SiteKey {
                host: host.into(),
                port: 21,
                user: "u".into(),
            },
            direction: Direction::Download,
            local: std::path::PathBuf::from("/tmp/x"),
            remote_display: "/x".into(),
            is_dir: false,
            size: Some(10),
            done: 0,
            state,
            failure: None,
        }
    }

    fn has_close(effects: &[Effect]) -> bool {
        effects.iter().any(|e| matches!(e, Effect::CloseWindow))
    }

    #[test]
    fn quitting_with_a_running_transfer_asks_and_quit_closes() {
        let mut model = new_model();
        model.update(Msg::Action(super::super::action::Action::Quit));
        assert!(has_close(&model.take_effects()), "nothing runs: closes");

        let mut model = new_model();
        model.queue_view.totals.running = 1;
        model.update(Msg::CloseRequested);
        let effects = model.take_effects();
        assert!(effects.iter().any(|e| matches!(e, Effect::CancelClose)));
        assert!(matches!(
            model.modals.dialog,
            Some(Dialog::ConfirmQuit {
                running: 1,
                edited: 0
            })
        ));
        model.update(Msg::Dialog(DialogOutcome::Closed));
        assert!(!has_close(&model.take_effects()), "cancel keeps the window");
        model.update(Msg::Action(super::super::action::Action::Quit));
        assert!(matches!(
            model.modals.dialog,
            Some(Dialog::ConfirmQuit { .. })
        ));
        model.modals.dialog = None;
        model.update(Msg::Dialog(DialogOutcome::Quit));
        assert!(has_close(&model.take_effects()));
        // The close that follows is not asked about again.
        model.update(Msg::CloseRequested);
        assert!(model.take_effects().is_empty());

        let mut model = new_model();
        model.queue_view.totals.running = 1;
        model.settings.interface.confirm_quit = false;
        model.update(Msg::Action(super::super::action::Action::Quit));
        assert!(has_close(&model.take_effects()), "the setting is off");
    }

    #[test]
    fn resuming_another_sites_items_offers_to_connect() {
        let mut model = new_model();
        model.update(Msg::QueueEvent(QueueEvent::Upsert(vec![
            view(1, "old.example", ItemState::Paused),
            view(2, "old.example", ItemState::Paused),
        ])));
        model.take_effects();
        model.update(Msg::QueuePane(QueueCommand::ResumeAll));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("ResumeAll"), "{effects}");
        let Some(Dialog::ConnectFor { site, count }) = model.modals.dialog.take() else {
            panic!("the offer: {:?}", model.modals.dialog);
        };
        assert_eq!((site.host.as_str(), count), ("old.example", 2));
        model.update(Msg::Dialog(DialogOutcome::ConnectFor(site)));
        assert_eq!(model.quick.host, "old.example");
        assert_eq!(model.quick.user, "u");
    }

    #[test]
    fn a_finished_queue_notifies_when_the_window_is_behind_or_quits() {
        let totals = |running, done, failed| {
            Msg::QueueEvent(QueueEvent::Totals {
                queued: 0,
                queued_bytes: 0,
                running,
                done,
                failed,
                rate: 0.0,
            })
        };
        let mut model = new_model();
        model.update(Msg::WindowFocused(false));
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        assert!(
            model.take_effects().is_empty(),
            "nothing moved: nothing to tell"
        );
        model.update(totals(1, 0, 0));
        model.update(totals(0, 3, 1));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("Notify"), "a failure is told: {effects}");
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        let effects = format!("{:?}", model.take_effects());
        assert!(
            effects.contains("Notify") && effects.contains('3'),
            "{effects}"
        );

        // In front: no notification.
        model.update(Msg::WindowFocused(true));
        model.update(totals(1, 3, 1));
        model.update(totals(0, 4, 1));
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        assert!(!format!("{:?}", model.take_effects()).contains("Notify"));

        // "Close Skiff" when done, and nothing failed.
        model.settings.interface.when_queue_done = QueueDone::Quit;
        model.update(totals(1, 4, 0));
        model.update(totals(0, 5, 0));
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        assert!(has_close(&model.take_effects()));
    }
}
