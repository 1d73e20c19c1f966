//! The `update` arms of View/Edit: a remote file is fetched into a private
//! folder, opened in the editor, watched, and when the editor saves it the
//! user is asked (or, as Settings say, not asked) and it goes back to the
//! server: only while the server's copy is still the one that was opened,
//! and to a temporary name renamed over the original.
//!
//! Like the rest of `update`, nothing here draws, waits or sends: the
//! fetch and the upload are jobs ([`Effect::Ops`]) reporting
//! [`OpsEvent::Edit`](crate::engine::ops::jobs::OpsEvent::Edit); the watch
//! is [`Effect::WatchEdit`], reporting [`Touched`]; the editor is started
//! by the disk worker. The state is in [`super::edit_state`], the dialogs
//! and the list are drawn by [`super::edit_window`].

use std::time::Instant;

use super::edit_state::{EditMsg, EditState, EditedFile, SETTLE, Touched};
use super::files::RowKind;
use super::i18n::{self, tr};
use super::local::LocalRequest;
use super::pane::Loc;
use super::update::{Effect, Model};
use crate::engine::LogKind;
use crate::engine::ops::jobs::{EditOutcome, JobId, OpsCommand};
use crate::engine::queue::SiteKey;
use crate::settings::EditUpload;

impl Model {
    /// View/Edit on the remote pane's selected files: each is fetched and
    /// opened, or, when it is already being edited, opened again.
    pub(super) fn view_edit(&mut self) {
        let (Some(site), Some(dir @ Loc::Remote(_))) =
            (self.connection.site.clone(), self.remote.location.clone())
        else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        };
        let rows: Vec<_> = self
            .remote
            .list
            .selected_rows()
            .into_iter()
            .filter(|row| row.kind != RowKind::Folder)
            .cloned()
            .collect();
        if rows.is_empty() {
            self.log
                .status(LogKind::Status, tr!("note-edit-select-file"));
            return;
        }
        let key = SiteKey::of(&site);
        for row in rows {
            let Loc::Remote(remote) = dir.child(&row) else {
                continue;
            };
            if let Some(file) = self
                .edits
                .files
                .iter()
                .find(|f| f.remote == remote && SiteKey::of(&f.site) == key)
            {
                if file.state != EditState::Downloading {
                    let request = self.editor_request(file.local.clone());
                    self.disk(request);
                }
                continue;
            }
            let name =
                match crate::names::safe_local_name(&row.name, crate::names::Platform::current()) {
                    Ok(name) => name,
                    Err(why) => {
                        self.log.status(
                            LogKind::Error,
                            tr!(
                                "note-edit-unsafe-name",
                                reason = why.to_string(),
                                name = row.name.as_str()
                            ),
                        );
                        continue;
                    }
                };
            let root = match &self.edits.root {
                Some(root) => root.clone(),
                None => {
                    let root = std::env::temp_dir()
                        .join(format!("skiff-edit-{}", uuid::Uuid::new_v4().simple()));
                    self.edits.root = Some(root.clone());
                    self.effects.push(Effect::EditFolder(root.clone()));
                    root
                }
            };
            let id = self.edits.next_id();
            let local = root.join(id.to_string()).join(&name);
            let job = self.ops.next_job();
            let remote_display = super::items::remote_display(&self.remote.path_edit, &row);
            self.log.status(
                LogKind::Status,
                tr!("note-edit-fetching", path = remote_display.as_str()),
            );
            self.effects.push(Effect::Ops(OpsCommand::EditFetch {
                job,
                config: Box::new(site.clone()),
                remote: remote.clone(),
                target: local.clone(),
            }));
            self.edits.files.push(EditedFile {
                id,
                site: site.clone(),
                remote,
                remote_display,
                local,
                state: EditState::Downloading,
                job: Some(job),
                baseline: None,
                known: None,
                latest: None,
                settling: None,
                touched: false,
                asking: false,
                sending: None,
            });
        }
    }

    /// How the disk worker opens `path`: the editor from Settings, or the
    /// system's default application.
    fn editor_request(&self, path: std::path::PathBuf) -> LocalRequest {
        let editor = self.settings.editing.command_for(&path);
        LocalRequest::Edit { path, editor }
    }

    /// A fetch or an upload of an edited file ended.
    pub(super) fn on_edit_event(
        &mut self,
        job: JobId,
        outcome: EditOutcome,
        fetched: Option<(u64, std::time::SystemTime)>,
    ) {
        let Some(file) = self.edits.by_job(job) else {
            return;
        };
        file.job = None;
        let id = file.id;
        let shown = file.remote_display.clone();
        match (&file.state, outcome) {
            (EditState::Downloading, EditOutcome::Done(baseline)) => {
                file.baseline = Some(baseline);
                // What was written: a save made before the watch starts
                // (a quick editor) still differs from it.
                file.known = fetched
                    .map(|(size, modified)| super::edit_state::LocalFacts { size, modified });
                file.state = EditState::Open;
                let local = file.local.clone();
                self.effects.push(Effect::WatchEdit {
                    id,
                    file: local.clone(),
                });
                let request = self.editor_request(local);
                self.disk(request);
            }
            (EditState::Downloading, EditOutcome::Changed) => {
                let why = tr!("edit-changed-while-fetching");
                file.state = EditState::Failed(why.clone());
                self.log.status(
                    LogKind::Error,
                    tr!("note-edit-failed", reason = why, path = shown),
                );
            }
            (EditState::Uploading, EditOutcome::Done(baseline)) => {
                file.baseline = Some(baseline);
                file.known = file.sending.take().or(file.known);
                if file.latest.is_some() && file.latest != file.known {
                    // Saved again while it was being sent: another round.
                    file.state = EditState::Edited;
                    file.touched = true;
                } else {
                    file.latest = None;
                    file.state = EditState::Uploaded;
                }
                self.log
                    .status(LogKind::Status, tr!("note-edit-uploaded", path = shown));
            }
            (EditState::Uploading, EditOutcome::Changed) => {
                file.sending = None;
                file.state = EditState::ServerChanged;
            }
            (_, EditOutcome::Failed(message)) => {
                file.sending = None;
                let why = i18n::message(&message);
                file.state = EditState::Failed(why.clone());
                self.log.status(
                    LogKind::Error,
                    tr!("note-edit-failed", reason = why, path = shown),
                );
            }
            // A late report for a state that moved on.
            _ => {}
        }
    }

    /// What the watcher saw of an edited file.
    pub(super) fn on_edit_touched(&mut self, touched: Touched) {
        match touched {
            Touched::Failed { id, error } => {
                if let Some(file) = self.edits.get_mut(id) {
                    let shown = file.remote_display.clone();
                    self.log.status(
                        LogKind::Error,
                        tr!("note-edit-not-watched", reason = error, path = shown),
                    );
                }
            }
            // A file gone for a moment (an editor between its write and
            // its rename): the rename's event follows.
            Touched::Facts { facts: None, .. } => {}
            Touched::Facts {
                id,
                facts: Some(facts),
            } => {
                let Some(file) = self.edits.get_mut(id) else {
                    return;
                };
                if file.known.is_none() {
                    // The facts the editor starts from.
                    file.known = Some(facts);
                    return;
                }
                if file.known == Some(facts) && file.sending.is_none() {
                    file.latest = None;
                    return;
                }
                if file.latest == Some(facts) {
                    return;
                }
                file.latest = Some(facts);
                file.touched = true;
                if matches!(
                    file.state,
                    EditState::Open | EditState::Uploaded | EditState::Failed(_)
                ) {
                    file.state = EditState::Edited;
                }
                self.effects.push(Effect::RepaintAfter(SETTLE));
            }
        }
    }

    /// Each frame: a saved file that has stayed unchanged for [`SETTLE`]
    /// is uploaded or asked about, as Settings say.
    pub(super) fn edits_tick(&mut self, now: Instant) {
        let mut due = Vec::new();
        for file in &mut self.edits.files {
            if std::mem::take(&mut file.touched) {
                file.settling = Some(now);
            }
            if let Some(since) = file.settling
                && now.duration_since(since) >= SETTLE
            {
                file.settling = None;
                if file.state == EditState::Edited {
                    due.push(file.id);
                }
            }
            if file.settling.is_some() {
                self.effects.push(Effect::RepaintAfter(SETTLE));
            }
        }
        for id in due {
            match self.settings.editing.upload {
                EditUpload::Always => self.upload_edited(id, false),
                EditUpload::Ask => {
                    if let Some(file) = self.edits.get_mut(id) {
                        file.asking = true;
                    }
                }
            }
        }
    }

    /// Sends edited file `id` back; `force`: over whatever the server has.
    fn upload_edited(&mut self, id: u64, force: bool) {
        let job = self.ops.next_job();
        let Some(file) = self.edits.get_mut(id) else {
            return;
        };
        if file.job.is_some() || file.baseline.is_none() {
            return;
        }
        file.asking = false;
        file.state = EditState::Uploading;
        file.sending = file.latest.or(file.known);
        file.job = Some(job);
        let command = OpsCommand::EditUpload {
            job,
            config: Box::new(file.site.clone()),
            source: file.local.clone(),
            remote: file.remote.clone(),
            expected: if force { None } else { file.baseline.clone() },
        };
        self.effects.push(Effect::Ops(command));
    }

    /// A click in View/Edit's dialogs or list.
    pub(super) fn on_edit_msg(&mut self, msg: EditMsg) {
        match msg {
            EditMsg::Upload(id) => self.upload_edited(id, false),
            EditMsg::Overwrite(id) => self.upload_edited(id, true),
            EditMsg::NotNow(id) => {
                if let Some(file) = self.edits.get_mut(id) {
                    file.asking = false;
                    if file.state == EditState::ServerChanged {
                        file.state = EditState::Edited;
                    }
                }
            }
            EditMsg::Reopen(id) => {
                if let Some(local) = self.edits.get_mut(id).map(|f| f.local.clone()) {
                    let request = self.editor_request(local);
                    self.disk(request);
                }
            }
            EditMsg::Forget(id) => {
                self.edits.files.retain(|f| f.id != id);
                self.effects.push(Effect::UnwatchEdit(id));
            }
            EditMsg::CloseList => self.edits.list_open = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ops::edit::RemoteBaseline;
    use crate::ui::action::Action;
    use crate::ui::edit_state::LocalFacts;
    use crate::ui::side::Side;
    use crate::ui::update::Msg;
    use crate::ui::update::test_support::{connected, file_and_folder, select};
    use std::time::{Duration, SystemTime};

    fn ops(model: &mut Model) -> Vec<OpsCommand> {
        model
            .take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Ops(command) => Some(command),
                _ => None,
            })
            .collect()
    }

    fn facts(size: u64) -> Option<LocalFacts> {
        Some(LocalFacts {
            size,
            modified: SystemTime::UNIX_EPOCH + Duration::from_secs(size),
        })
    }

    fn baseline(size: u64) -> RemoteBaseline {
        RemoteBaseline {
            size: Some(size),
            modified: None,
            checksum: None,
        }
    }

    /// Opened: fetched into a private folder, watched and opened; a save
    /// is asked about once it settles; Upload sends it with the baseline;
    /// a changed server copy asks again, and Overwrite sends it without.
    #[test]
    fn a_save_is_asked_about_then_uploaded_against_the_baseline() {
        let mut model = connected(file_and_folder());
        model.focus = Side::Remote;
        select(&mut model, Side::Remote, "a.txt");
        model.update(Msg::Action(Action::ViewEdit));
        let effects = model.take_effects();
        let root = model.edits.root.clone().expect("a private folder");
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::EditFolder(r) if *r == root))
        );
        let [
            Effect::Ops(OpsCommand::EditFetch {
                job,
                remote,
                target,
                ..
            }),
        ] = &effects
            .into_iter()
            .filter(|e| matches!(e, Effect::Ops(_)))
            .collect::<Vec<_>>()[..]
        else {
            panic!("one fetch")
        };
        assert_eq!(remote, b"/pub/a.txt");
        assert!(target.starts_with(&root) && target.ends_with("a.txt"));
        let (job, target) = (*job, target.clone());

        model.update(Msg::OpsEvent(crate::engine::ops::jobs::OpsEvent::Edit {
            job,
            outcome: EditOutcome::Done(baseline(5)),
            fetched: None,
        }));
        let effects = model.take_effects();
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::WatchEdit { file, .. } if *file == target))
        );
        assert!(effects.iter().any(|e| matches!(
            e,
            Effect::Disk(LocalRequest::Edit { path, .. }) if *path == target
        )));
        let id = model.edits.files[0].id;
        // The watch's first facts are the starting point, not a change.
        model.update(Msg::EditTouched(Touched::Facts {
            id,
            facts: facts(5),
        }));
        assert_eq!(model.edits.files[0].state, EditState::Open);
        model.update(Msg::EditTouched(Touched::Facts {
            id,
            facts: facts(9),
        }));
        assert_eq!(model.edits.files[0].state, EditState::Edited);
        let t0 = Instant::now();
        model.update(Msg::Tick(t0));
        assert!(model.edits.question().is_none(), "not before it settles");
        model.update(Msg::Tick(t0 + SETTLE));
        assert_eq!(model.edits.question().map(|f| f.id), Some(id));
        assert!(ops(&mut model).is_empty(), "nothing is sent unasked");

        model.update(Msg::Edit(EditMsg::Upload(id)));
        let [OpsCommand::EditUpload { job, expected, .. }] = &ops(&mut model)[..] else {
            panic!("one upload")
        };
        assert_eq!(expected.as_ref(), Some(&baseline(5)));
        let job = *job;
        model.update(Msg::OpsEvent(crate::engine::ops::jobs::OpsEvent::Edit {
            job,
            outcome: EditOutcome::Changed,
            fetched: None,
        }));
        assert_eq!(model.edits.files[0].state, EditState::ServerChanged);
        assert_eq!(model.edits.unsent(), 1);
        model.update(Msg::Edit(EditMsg::Overwrite(id)));
        let [OpsCommand::EditUpload { job, expected, .. }] = &ops(&mut model)[..] else {
            panic!("one upload")
        };
        assert_eq!(expected, &None, "the user chose to overwrite");
        let job = *job;
        model.update(Msg::OpsEvent(crate::engine::ops::jobs::OpsEvent::Edit {
            job,
            outcome: EditOutcome::Done(baseline(9)),
            fetched: None,
        }));
        let file = &model.edits.files[0];
        assert_eq!(file.state, EditState::Uploaded);
        assert_eq!(
            file.baseline,
            Some(baseline(9)),
            "the next save checks this"
        );
        assert_eq!(model.edits.unsent(), 0);
    }

    /// With "upload at once", a settled save is sent without a question;
    /// quitting with a save not sent asks first.
    #[test]
    fn upload_at_once_and_quitting_with_unsent_changes_asks() {
        let mut model = connected(file_and_folder());
        model.settings.editing.upload = EditUpload::Always;
        model.focus = Side::Remote;
        select(&mut model, Side::Remote, "a.txt");
        model.update(Msg::Action(Action::ViewEdit));
        let [OpsCommand::EditFetch { job, .. }] = &ops(&mut model)[..] else {
            panic!("one fetch")
        };
        let job = *job;
        model.update(Msg::OpsEvent(crate::engine::ops::jobs::OpsEvent::Edit {
            job,
            outcome: EditOutcome::Done(baseline(5)),
            fetched: None,
        }));
        let id = model.edits.files[0].id;
        model.update(Msg::EditTouched(Touched::Facts {
            id,
            facts: facts(5),
        }));
        model.update(Msg::EditTouched(Touched::Facts {
            id,
            facts: facts(6),
        }));
        model.take_effects();
        assert_eq!(model.edits.unsent(), 1);
        model.update(Msg::Action(Action::Quit));
        assert!(
            matches!(
                model.modals.dialog,
                Some(crate::ui::dialogs::Dialog::ConfirmQuit { edited: 1, .. })
            ),
            "{:?}",
            model.modals.dialog
        );
        model.modals.dialog = None;
        let t0 = Instant::now();
        model.update(Msg::Tick(t0));
        model.update(Msg::Tick(t0 + SETTLE));
        assert!(model.edits.question().is_none());
        assert!(matches!(
            &ops(&mut model)[..],
            [OpsCommand::EditUpload {
                expected: Some(_),
                ..
            }]
        ));
    }
}
