//! The `update` arms of Search remote files: a search from the remote
//! pane's folder on connections of its own, by name (glob or contained
//! text), minimum size and modification day, whose matches stream into the window as their
//! folders are listed; results are queued for download or their folder is
//! shown in the remote pane.
//!
//! Nothing here draws or waits: the search is an [`Effect::Ops`] job and its
//! matches come back as [`crate::engine::ops::jobs::OpsEvent`]s.

use super::i18n::tr;
use super::items::{self, Folders};
use super::ops_state::{MAX_RESULTS, SearchWindow};
use super::pane::Loc;
use super::side::Side;
use super::update::{Effect, Model};
use crate::engine::LogKind;
use crate::engine::ops::jobs::OpsCommand;
use crate::engine::ops::{FindFilter, NameMatch, OpEvent};
use crate::protocol::path;

impl Model {
    /// Opens the search window on the remote pane's folder (a window
    /// already open keeps its conditions and results).
    pub(super) fn open_search(&mut self) {
        let Some(Loc::Remote(root)) = self.remote.location.clone() else {
            return;
        };
        let search = self.ops.search.get_or_insert_with(SearchWindow::default);
        if search.job.is_none() {
            search.root = root;
            search.root_display = self.remote.path_edit.clone();
        }
    }

    pub(super) fn start_search(&mut self) {
        let Some(site) = self.connection.site.clone() else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        };
        let connections = self.op_connections();
        let job = self.ops.next_job();
        let Some(search) = &mut self.ops.search else {
            return;
        };
        if search.job.is_some() {
            return;
        }
        let pattern = search.pattern.trim();
        let name = match (pattern.is_empty(), search.glob) {
            (true, _) => None,
            (false, true) => match NameMatch::glob(pattern) {
                Some(glob) => Some(glob),
                None => {
                    search.status = Some(tr!("search-bad-glob", pattern = pattern));
                    return;
                }
            },
            (false, false) => Some(NameMatch::Contains(pattern.to_string())),
        };
        let min_size = match search.min_size.trim() {
            "" => None,
            text => match text.parse::<u64>() {
                Ok(size) => Some(size),
                Err(_) => {
                    search.status = Some(tr!("search-bad-size", size = text));
                    return;
                }
            },
        };
        let newer_than = match search.newer.trim() {
            "" => None,
            text => match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => day.and_hms_opt(0, 0, 0),
                Err(_) => {
                    search.status = Some(tr!("search-bad-date", date = text));
                    return;
                }
            },
        };
        search.job = Some(job);
        search.listed = 0;
        search.results.clear();
        search.selected.clear();
        search.dropped = 0;
        search.status = None;
        self.effects.push(Effect::Ops(OpsCommand::Find {
            job,
            config: Box::new(site),
            root: search.root.clone(),
            filter: FindFilter {
                name,
                min_size,
                newer_than,
                ..FindFilter::default()
            },
            connections,
        }));
    }

    pub(super) fn stop_search(&mut self) {
        if let Some(job) = self.ops.search.as_mut().and_then(|s| s.job) {
            self.effects.push(Effect::Ops(OpsCommand::Cancel(job)));
        }
    }

    pub(super) fn on_search_progress(&mut self, event: OpEvent) {
        let Some(search) = &mut self.ops.search else {
            return;
        };
        match event {
            OpEvent::Listed { .. } => search.listed += 1,
            OpEvent::Match(found) if search.results.len() < MAX_RESULTS => {
                search.results.push(found);
                search.selected.push(false);
            }
            OpEvent::Match(_) => search.dropped += 1,
            OpEvent::Done { .. } | OpEvent::Failed(_) => {}
        }
    }

    pub(super) fn on_search_finished(&mut self, found: u64, failed: usize, error: Option<String>) {
        let Some(search) = &mut self.ops.search else {
            return;
        };
        search.job = None;
        let status = match error {
            Some(error) => tr!("search-stopped", count = found, reason = error),
            None if failed > 0 => tr!("search-done-with-failures", count = found, failed = failed),
            None => tr!("search-done", count = found),
        };
        self.log.status(LogKind::Status, status.clone());
        search.status = Some(status);
    }

    /// Queues the selected results (files and folders) for download into
    /// the local pane's folder; names unsafe here are refused in the log.
    pub(super) fn download_found(&mut self) {
        let (Some(Loc::Local(local_dir)), Some(site), Some(search)) = (
            self.local.location.clone(),
            self.connection.site.clone(),
            self.ops.search.as_ref(),
        ) else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        };
        let mut queued = Vec::new();
        let mut refused = Vec::new();
        for (found, _) in search
            .results
            .iter()
            .zip(&search.selected)
            .filter(|(_, selected)| **selected)
        {
            let folder = path::parent(&found.path);
            let shown = parent_display(&found.display_path);
            let row = items::remote_row(found.entry.clone());
            let out = items::downloads(
                Folders {
                    local: &local_dir,
                    remote: &folder,
                    remote_shown: shown,
                },
                &[row],
            );
            queued.extend(out.items);
            refused.extend(out.refused);
        }
        for why in refused {
            self.log.status(LogKind::Error, why);
        }
        self.enqueue(&site, queued, true);
    }

    /// Lists the folder holding the result at `index` in the remote pane.
    pub(super) fn open_found_folder(&mut self, index: usize) {
        let Some(found) = self.ops.search.as_ref().and_then(|s| s.results.get(index)) else {
            return;
        };
        let folder = path::parent(&found.path);
        self.focus = Side::Remote;
        self.go(Side::Remote, Loc::Remote(folder));
    }
}

/// The folder part of a displayed path (`/a/b` of `/a/b/c.txt`; `/` of `/c`).
fn parent_display(shown: &str) -> &str {
    match shown.rfind('/') {
        Some(0) | None => "/",
        Some(at) => &shown[..at],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ops::Found;
    use crate::engine::ops::jobs::OpsEvent;
    use crate::protocol::listing::EntryKind;
    use crate::ui::action::Action;
    use crate::ui::ops_state::OpsMsg;
    use crate::ui::update::Msg;
    use crate::ui::update::test_support::{connected, entry, file_and_folder};

    #[test]
    fn matches_stream_in_and_are_downloaded_or_opened() {
        let mut model = connected(file_and_folder());
        model.update(Msg::Action(Action::SearchRemote));
        let search = model.ops.search.as_mut().expect("the window");
        assert_eq!(search.root, b"/pub");
        search.pattern = "*.log".to_string();
        search.glob = true;
        search.min_size = "10".to_string();
        search.newer = "2024-02-29".to_string();
        model.update(Msg::Ops(OpsMsg::StartSearch));
        let effects = model.take_effects();
        let [
            Effect::Ops(OpsCommand::Find {
                job, root, filter, ..
            }),
        ] = &effects[..]
        else {
            panic!("one search: {effects:?}")
        };
        let job = *job;
        assert_eq!(root, b"/pub");
        assert_eq!(filter.min_size, Some(10));
        assert_eq!(
            filter.newer_than.map(|t| t.to_string()).as_deref(),
            Some("2024-02-29 00:00:00")
        );
        let found = Found {
            path: b"/pub/sub/deep/x.log".to_vec(),
            display_path: "/pub/sub/deep/x.log".to_string(),
            entry: entry(b"x.log", Some("x.log"), EntryKind::File, Some(20)),
        };
        model.update(Msg::OpsEvent(OpsEvent::Progress {
            job,
            event: OpEvent::Match(found),
        }));
        // Shown before the search ends.
        assert_eq!(model.ops.search.as_ref().map(|s| s.results.len()), Some(1));
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job,
            done: 1,
            failures: Vec::new(),
            error: None,
        }));
        assert!(model.ops.search.as_ref().is_some_and(|s| s.job.is_none()));

        if let Some(search) = &mut model.ops.search {
            search.selected[0] = true;
        }
        model.update(Msg::Ops(OpsMsg::DownloadFound));
        let effects = model.take_effects();
        let items: Vec<_> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Queue(crate::engine::queue::QueueCommand::Add { items, .. }) => Some(items),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(items.len(), 1, "{effects:?}");
        assert_eq!(items[0].remote, b"/pub/sub/deep/x.log");
        assert!(items[0].local.ends_with("x.log"));

        model.update(Msg::Ops(OpsMsg::OpenFoundFolder(0)));
        assert!(model.take_effects().iter().any(|e| matches!(
            e,
            Effect::Browse(crate::engine::BrowseCommand::List(dir)) if dir == b"/pub/sub/deep"
        )));
    }

    #[test]
    fn a_bad_glob_or_size_is_said_and_nothing_starts() {
        let mut model = connected(file_and_folder());
        model.update(Msg::Action(Action::SearchRemote));
        if let Some(search) = &mut model.ops.search {
            search.pattern = "[".to_string();
            search.glob = true;
        }
        model.update(Msg::Ops(OpsMsg::StartSearch));
        assert!(model.take_effects().is_empty());
        assert!(
            model
                .ops
                .search
                .as_ref()
                .is_some_and(|s| s.status.is_some())
        );
        if let Some(search) = &mut model.ops.search {
            search.glob = false;
            search.min_size = "big".to_string();
        }
        model.update(Msg::Ops(OpsMsg::StartSearch));
        assert!(model.take_effects().is_empty());
        if let Some(search) = &mut model.ops.search {
            search.min_size.clear();
            search.newer = "yesterday".to_string();
        }
        model.update(Msg::Ops(OpsMsg::StartSearch));
        assert!(model.take_effects().is_empty());
    }

    #[test]
    fn displayed_parents() {
        assert_eq!(parent_display("/a/b/c.txt"), "/a/b");
        assert_eq!(parent_display("/c.txt"), "/");
    }
}
