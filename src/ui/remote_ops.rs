//! The `update` arms of the remote operations beyond browsing: recursive
//! delete (plan, confirm, delete with counts, failures listed), the
//! permissions dialog (`SITE CHMOD`) and a typed custom command.
//!
//! Like the rest of `update`, nothing here draws, waits or sends: jobs on
//! connections of their own are asked for with [`Effect::Ops`] and report
//! back as [`super::update::Msg::OpsEvent`]; the dialogs are drawn by
//! [`super::ops_dialogs`], which turns clicks into [`OpsMsg`]s. Their state
//! is in [`super::ops_state`].

use super::action::Action;
use super::files::{FileRow, RowKind};
use super::i18n::tr;
use super::ops_state::{ChmodDialog, DeleteJob, DeleteStage, OpsMsg, mode_of_listing};
use super::pane::Loc;
use super::side::Side;
use super::update::{Effect, Model};
use crate::engine::LogKind;
use crate::engine::ops::jobs::{JobId, OpsCommand, OpsEvent};
use crate::engine::ops::{ChmodFilter, OpEvent, OpFailure};
use crate::protocol::CustomCommandError;

impl Model {
    /// How many connections a job may use: the transfer setting, within
    /// the site's limit less the browsing connection.
    pub(super) fn op_connections(&self) -> usize {
        let wanted = usize::from(self.settings.transfers.simultaneous.max(1));
        match self
            .connection
            .site
            .as_ref()
            .and_then(|s| s.max_connections)
        {
            Some(limit) => wanted.min(usize::from(limit).saturating_sub(1).max(1)),
            None => wanted,
        }
    }

    /// The remote operations' actions.
    pub(super) fn run_ops_action(&mut self, action: Action) {
        if self.connection.site.is_none() || self.remote.location.is_none() {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        }
        match action {
            Action::CustomCommand => self.ops.quote = Some(String::new()),
            Action::Permissions => self.open_chmod(),
            Action::SearchRemote => self.open_search(),
            _ => {}
        }
    }

    /// Delete on remote rows: a selection with a folder is planned first
    /// (on connections of its own), then confirmed with what will go.
    /// Returns false for files and links alone, which the plain dialog asks.
    pub(super) fn delete_remote(&mut self, rows: &[FileRow]) -> bool {
        if !rows.iter().any(|r| r.kind == RowKind::Folder) {
            return false;
        }
        let (Some(site), Some(dir @ Loc::Remote(_))) =
            (self.connection.site.clone(), self.remote.location.clone())
        else {
            return false;
        };
        let paths = rows
            .iter()
            .filter_map(|row| match dir.child(row) {
                Loc::Remote(path) => Some(path),
                Loc::Local(_) => None,
            })
            .collect();
        let job = self.ops.next_job();
        self.ops.delete = Some(DeleteJob {
            job,
            folder: self.remote.path_edit.clone(),
            names: rows.iter().map(|r| r.name.clone()).collect(),
            stage: DeleteStage::Planning { listed: 0 },
            failures: Vec::new(),
        });
        let connections = self.op_connections();
        self.effects.push(Effect::Ops(OpsCommand::PlanDelete {
            job,
            config: Box::new(site),
            paths,
            connections,
        }));
        true
    }

    /// File permissions… on the selected rows: the dialog starts from the
    /// first row's listed mode, and says so when the others differ.
    fn open_chmod(&mut self) {
        let rows = self.remote.list.selected_rows();
        let Some(first) = rows.first() else {
            self.log
                .status(LogKind::Status, tr!("note-chmod-select-one"));
            return;
        };
        let Some(dir) = self.remote.location.as_ref() else {
            return;
        };
        let targets: Vec<(Vec<u8>, bool)> = rows
            .iter()
            .filter_map(|row| match dir.child(row) {
                Loc::Remote(path) => Some((path, row.kind == RowKind::Folder)),
                Loc::Local(_) => None,
            })
            .collect();
        let modes: Vec<Option<u32>> = rows
            .iter()
            .map(|row| mode_of_listing(&row.permissions))
            .collect();
        let mut dialog = ChmodDialog {
            is_folder: targets.iter().any(|(_, folder)| *folder),
            targets,
            name: first.name.clone(),
            mixed: modes.windows(2).any(|pair| pair[0] != pair[1]),
            mode: 0,
            text: String::new(),
            recurse: false,
            filter: ChmodFilter::All,
            job: None,
            result: None,
        };
        dialog.set_mode(modes[0].unwrap_or(0o644));
        self.ops.chmod = Some(dialog);
    }

    /// A click in one of the remote operations' dialogs.
    pub(super) fn on_ops_msg(&mut self, msg: OpsMsg) {
        match msg {
            OpsMsg::ConfirmDelete => {
                if let Some(delete) = &mut self.ops.delete
                    && let DeleteStage::Confirm { folders, files, .. } = delete.stage
                {
                    delete.stage = DeleteStage::Deleting {
                        files: 0,
                        folders: 0,
                        total: (folders + files) as u64,
                        cancelling: false,
                    };
                    let job = delete.job;
                    self.effects
                        .push(Effect::Ops(OpsCommand::ConfirmDelete(job)));
                }
            }
            OpsMsg::CancelDelete => {
                let Some(delete) = &mut self.ops.delete else {
                    return;
                };
                let job = delete.job;
                match &mut delete.stage {
                    // Deleting stops between commands: the report follows.
                    DeleteStage::Deleting { cancelling, .. } => *cancelling = true,
                    DeleteStage::Finished { .. } => {}
                    _ => self.ops.delete = None,
                }
                self.effects.push(Effect::Ops(OpsCommand::Cancel(job)));
            }
            OpsMsg::CloseDelete => self.ops.delete = None,
            OpsMsg::SendQuote(text) => self.send_quote(text),
            OpsMsg::CloseQuote => self.ops.quote = None,
            OpsMsg::ApplyChmod => self.apply_chmod(),
            OpsMsg::StartSearch => self.start_search(),
            OpsMsg::StopSearch => self.stop_search(),
            OpsMsg::CloseSearch => {
                self.stop_search();
                self.ops.search = None;
            }
            OpsMsg::DownloadFound => self.download_found(),
            OpsMsg::OpenFoundFolder(index) => self.open_found_folder(index),
            OpsMsg::CloseChmod => {
                if let Some(job) = self.ops.chmod.take().and_then(|d| d.job) {
                    self.effects.push(Effect::Ops(OpsCommand::Cancel(job)));
                }
            }
        }
    }

    fn send_quote(&mut self, text: String) {
        let text = text.trim().to_string();
        match crate::protocol::custom_command(text.as_bytes()) {
            Ok(_) => {
                self.ops.quote = None;
                self.browse(crate::engine::BrowseCommand::Quote(text));
            }
            Err(error) => {
                // Refused here, so it is never sent; the dialog stays open.
                let why = match error {
                    CustomCommandError::Empty => tr!("note-quote-empty"),
                    CustomCommandError::NeedsData { verb } => {
                        tr!("note-quote-needs-data", verb = verb)
                    }
                    CustomCommandError::ChangesSession { verb } => {
                        tr!("note-quote-changes-session", verb = verb)
                    }
                    CustomCommandError::Encoding(_) => tr!("note-quote-line-break"),
                };
                self.log.status(LogKind::Error, why);
            }
        }
    }

    fn apply_chmod(&mut self) {
        let Some(site) = self.connection.site.clone() else {
            return;
        };
        let job = self.ops.next_job();
        let Some(dialog) = &mut self.ops.chmod else {
            return;
        };
        dialog.typed();
        dialog.job = Some(job);
        dialog.result = None;
        let recursive = (dialog.is_folder && dialog.recurse).then_some(dialog.filter);
        self.effects.push(Effect::Ops(OpsCommand::Chmod {
            job,
            config: Box::new(site),
            targets: dialog.targets.clone(),
            mode: dialog.mode,
            recursive,
        }));
    }

    /// What a job reported.
    pub(super) fn on_ops_event(&mut self, event: OpsEvent) {
        match event {
            OpsEvent::Log(line) => self.log.push(line),
            OpsEvent::Planned {
                job,
                folders,
                files,
                bytes,
            } => {
                if let Some(delete) = self.ops.delete.as_mut().filter(|d| d.job == job) {
                    delete.stage = DeleteStage::Confirm {
                        folders,
                        files,
                        bytes,
                    };
                }
            }
            OpsEvent::Progress { job, event } => {
                if self.ops.search.as_ref().is_some_and(|s| s.job == Some(job)) {
                    self.on_search_progress(event);
                    return;
                }
                if let Some(delete) = self.ops.delete.as_mut().filter(|d| d.job == job) {
                    match (&mut delete.stage, event) {
                        (DeleteStage::Planning { listed }, OpEvent::Listed { .. }) => {
                            *listed += 1;
                        }
                        (
                            DeleteStage::Deleting { files, folders, .. },
                            OpEvent::Done { is_folder, .. },
                        ) => {
                            if is_folder {
                                *folders += 1;
                            } else {
                                *files += 1;
                            }
                        }
                        _ => {}
                    }
                }
            }
            OpsEvent::Folder {
                job,
                folder,
                entries,
            } => self.on_sync_listed(job, &folder, entries),
            OpsEvent::Finished {
                job,
                done,
                failures,
                error,
            } => self.on_job_finished(job, done, failures, error),
            OpsEvent::Edit {
                job,
                outcome,
                fetched,
            } => self.on_edit_event(job, outcome, fetched),
        }
    }

    fn on_job_finished(
        &mut self,
        job: JobId,
        done: u64,
        failures: Vec<OpFailure>,
        error: Option<String>,
    ) {
        for failed in &failures {
            self.log.status(
                LogKind::Error,
                tr!(
                    "note-op-failed",
                    reason = failed.message.as_str(),
                    path = failed.display_path.as_str()
                ),
            );
        }
        if self.on_sync_job_finished(job, error.as_deref()) {
            return;
        }
        if let Some(delete) = self.ops.delete.as_mut().filter(|d| d.job == job) {
            self.log
                .status(LogKind::Status, tr!("note-deleted-count", count = done));
            if failures.is_empty() && error.is_none() {
                self.ops.delete = None;
            } else {
                delete.failures = failures;
                delete.stage = DeleteStage::Finished { error };
            }
            self.refresh(Side::Remote);
            return;
        }
        if self.ops.search.as_ref().is_some_and(|s| s.job == Some(job)) {
            self.on_search_finished(done, failures.len(), error);
            return;
        }
        if let Some(dialog) = self.ops.chmod.as_mut().filter(|d| d.job == Some(job)) {
            dialog.job = None;
            let result = match (error, failures.first()) {
                (Some(error), _) => tr!("chmod-result-failed", reason = error),
                (None, Some(failed)) => tr!(
                    "chmod-result-some-failed",
                    count = failures.len(),
                    reason = failed.message.as_str()
                ),
                (None, None) => tr!("chmod-result-done", count = done),
            };
            self.log.status(LogKind::Status, result.clone());
            dialog.result = Some(result);
            self.refresh(Side::Remote);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::listing::EntryKind;
    use crate::ui::update::Msg;
    use crate::ui::update::test_support::{connected, entry, errors, file_and_folder, select};

    fn ops_commands(model: &mut Model) -> Vec<OpsCommand> {
        model
            .take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Ops(command) => Some(command),
                _ => None,
            })
            .collect()
    }

    fn failure(path: &str) -> OpFailure {
        OpFailure {
            path: path.as_bytes().to_vec(),
            display_path: path.to_string(),
            message: "the server refused: 550 Permission denied".to_string(),
        }
    }

    #[test]
    fn a_folder_is_planned_confirmed_then_deleted_with_counts() {
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        let mut model = connected(file_and_folder());
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::SelectAll));
        model.update(Msg::Action(Action::Delete));
        assert!(model.modals.dialog.is_none(), "no plain confirmation");
        let [OpsCommand::PlanDelete { job, paths, .. }] = &ops_commands(&mut model)[..] else {
            panic!("one plan")
        };
        let job = *job;
        assert_eq!(paths, &[b"/pub/sub".to_vec(), b"/pub/a.txt".to_vec()]);
        assert!(matches!(
            model.ops.delete.as_ref().map(|d| &d.stage),
            Some(DeleteStage::Planning { listed: 0 })
        ));
        model.update(Msg::OpsEvent(OpsEvent::Progress {
            job,
            event: OpEvent::Listed {
                folder: b"/pub/sub".to_vec(),
                entries: 3,
            },
        }));
        model.update(Msg::OpsEvent(OpsEvent::Planned {
            job,
            folders: 2,
            files: 3,
            bytes: 1_300_000_000,
        }));
        assert_eq!(
            model.ops.delete.as_ref().map(|d| d.stage.clone()),
            Some(DeleteStage::Confirm {
                folders: 2,
                files: 3,
                bytes: 1_300_000_000
            })
        );
        // Nothing is deleted before the yes.
        assert!(ops_commands(&mut model).is_empty());
        model.update(Msg::Ops(OpsMsg::ConfirmDelete));
        assert!(matches!(
            &ops_commands(&mut model)[..],
            [OpsCommand::ConfirmDelete(j)] if *j == job
        ));
        for is_folder in [false, false, true] {
            model.update(Msg::OpsEvent(OpsEvent::Progress {
                job,
                event: OpEvent::Done {
                    path: Vec::new(),
                    is_folder,
                },
            }));
        }
        assert!(matches!(
            model.ops.delete.as_ref().map(|d| &d.stage),
            Some(DeleteStage::Deleting {
                files: 2,
                folders: 1,
                total: 5,
                cancelling: false
            })
        ));
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job,
            done: 3,
            failures: vec![failure("/pub/sub/locked"), failure("/pub/sub")],
            error: None,
        }));
        let delete = model.ops.delete.as_ref().expect("the report stays open");
        assert_eq!(delete.failures.len(), 2);
        assert_eq!(delete.stage, DeleteStage::Finished { error: None });
        assert!(
            errors(&model)
                .iter()
                .any(|e| e == "the server refused: 550 Permission denied: /pub/sub/locked"),
            "{:?}",
            errors(&model)
        );
        // The pane is listed again.
        assert!(
            model
                .take_effects()
                .iter()
                .any(|e| matches!(e, Effect::Browse(crate::engine::BrowseCommand::List(_))))
        );
        model.update(Msg::Ops(OpsMsg::CloseDelete));
        assert!(model.ops.delete.is_none());
    }

    #[test]
    fn cancelling_a_plan_deletes_nothing_and_late_news_is_ignored() {
        let mut model = connected(file_and_folder());
        model.focus = Side::Remote;
        select(&mut model, Side::Remote, "sub");
        model.update(Msg::Action(Action::Delete));
        let [OpsCommand::PlanDelete { job, .. }] = &ops_commands(&mut model)[..] else {
            panic!("one plan")
        };
        let job = *job;
        model.update(Msg::Ops(OpsMsg::CancelDelete));
        assert!(matches!(
            &ops_commands(&mut model)[..],
            [OpsCommand::Cancel(j)] if *j == job
        ));
        assert!(model.ops.delete.is_none());
        model.update(Msg::OpsEvent(OpsEvent::Planned {
            job,
            folders: 1,
            files: 0,
            bytes: 0,
        }));
        assert!(model.ops.delete.is_none());
    }

    #[test]
    fn a_refused_custom_command_is_never_sent() {
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        let mut model = connected(file_and_folder());
        model.update(Msg::Action(Action::CustomCommand));
        assert_eq!(model.ops.quote.as_deref(), Some(""));
        model.update(Msg::Ops(OpsMsg::SendQuote("list -la".to_string())));
        assert!(model.take_effects().is_empty(), "LIST is not sent");
        assert!(model.ops.quote.is_some(), "the dialog stays open");
        assert!(
            errors(&model)
                .last()
                .is_some_and(|e| e.starts_with("LIST needs a data connection")),
            "{:?}",
            errors(&model)
        );
        model.update(Msg::Ops(OpsMsg::SendQuote(" SITE HELP ".to_string())));
        assert!(matches!(
            &model.take_effects()[..],
            [Effect::Browse(crate::engine::BrowseCommand::Quote(line))] if line == "SITE HELP"
        ));
        assert!(model.ops.quote.is_none());
    }

    #[test]
    fn the_permissions_dialog_starts_from_the_listing_and_sends_chmod() {
        let mut model = connected(vec![{
            let mut e = entry(b"sub", Some("sub"), EntryKind::Dir, None);
            e.entry.permissions = Some("drwxr-x---".to_string());
            e
        }]);
        model.focus = Side::Remote;
        select(&mut model, Side::Remote, "sub");
        model.update(Msg::Action(Action::Permissions));
        let dialog = model.ops.chmod.as_mut().expect("the dialog");
        assert_eq!((dialog.mode, dialog.text.as_str()), (0o750, "750"));
        dialog.text = "640".to_string();
        dialog.recurse = true;
        dialog.filter = ChmodFilter::FilesOnly;
        model.update(Msg::Ops(OpsMsg::ApplyChmod));
        let [
            OpsCommand::Chmod {
                job,
                targets,
                mode,
                recursive,
                ..
            },
        ] = &ops_commands(&mut model)[..]
        else {
            panic!("one chmod")
        };
        assert_eq!(
            (targets.as_slice(), *mode, *recursive),
            (
                &[(b"/pub/sub".to_vec(), true)][..],
                0o640,
                Some(ChmodFilter::FilesOnly)
            )
        );
        let job = *job;
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job,
            done: 0,
            failures: Vec::new(),
            error: Some("the server refused: 500 SITE CHMOD not understood".to_string()),
        }));
        let result = model.ops.chmod.as_ref().and_then(|d| d.result.clone());
        assert!(
            result.is_some_and(|r| r.contains("500 SITE CHMOD not understood")),
            "the refusal is shown in the dialog"
        );
    }

    #[test]
    fn permissions_of_several_rows_start_from_the_first_and_change_them_all() {
        let with_mode = |name: &[u8], kind, mode: &str| {
            let mut e = entry(
                name,
                Some(std::str::from_utf8(name).unwrap_or("")),
                kind,
                None,
            );
            e.entry.permissions = Some(mode.to_string());
            e
        };
        let mut model = connected(vec![
            with_mode(b"a.txt", EntryKind::File, "-rw-r--r--"),
            with_mode(b"b.txt", EntryKind::File, "-rw-------"),
            with_mode(b"sub", EntryKind::Dir, "drwxr-xr-x"),
        ]);
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::SelectAll));
        model.update(Msg::Action(Action::Permissions));
        let dialog = model.ops.chmod.as_ref().expect("the dialog");
        assert_eq!(dialog.targets.len(), 3);
        assert!(dialog.mixed, "their modes differ");
        assert!(dialog.is_folder, "a folder is among them");
        model.update(Msg::Ops(OpsMsg::ApplyChmod));
        let [OpsCommand::Chmod { targets, mode, .. }] = &ops_commands(&mut model)[..] else {
            panic!("one chmod")
        };
        let mut sent: Vec<(Vec<u8>, bool)> = targets.clone();
        sent.sort();
        assert_eq!(
            sent,
            [
                (b"/pub/a.txt".to_vec(), false),
                (b"/pub/b.txt".to_vec(), false),
                (b"/pub/sub".to_vec(), true)
            ]
        );
        assert!([0o644, 0o600, 0o755].contains(mode), "{mode:o}");
    }
}
