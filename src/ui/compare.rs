//! Directory comparison: the two panes' rows marked against each other by
//! name, with the planner's rules ([`crate::sync::difference`]: sizes, and
//! times at the coarser precision of the two listings, LIST times already
//! moved by the site's offset), and the View menu's `update` arms.
//!
//! Pure and cheap: both listings are in the model, so marking is one pass
//! over each pane's rows with a map of the other's, run only when a pane's
//! rows or the comparison's options change, never per frame. Nothing here
//! draws, sends or reads the clock.

use std::collections::HashMap;

use super::action::Action;
use super::files::FileRow;
pub use super::items::{entry, match_name};
use super::mark::Mark;
use super::update::Model;
use crate::sync::{Compare, Difference, difference};

/// The mark of each row of `this` against the rows of `other` (indexed as
/// `this`): a folder both have is not marked, a name only `this` has is
/// [`Mark::Lone`], a file both have is marked by [`difference`].
pub fn marks(this: &[FileRow], other: &[FileRow], compare: Compare) -> Vec<Mark> {
    let by_name: HashMap<&str, &FileRow> = other.iter().map(|r| (match_name(r), r)).collect();
    this.iter()
        .map(|row| {
            let Some(twin) = by_name.get(match_name(row)) else {
                return Mark::Lone;
            };
            match (row.is_dir(), twin.is_dir()) {
                (true, true) => Mark::None,
                (false, false) => match difference(&entry(row), &entry(twin), compare) {
                    Difference::Same => Mark::Same,
                    Difference::Size => Mark::Size,
                    Difference::Newer => Mark::Newer,
                    Difference::Older => Mark::Older,
                },
                _ => Mark::Kind,
            }
        })
        .collect()
}

impl Model {
    /// The View menu's actions.
    pub(super) fn run_view_action(&mut self, action: Action) {
        let view = &mut self.view;
        match action {
            Action::ToggleComparison => view.comparing = !view.comparing,
            Action::CompareSizeTime => (view.compare, view.comparing) = (Compare::SizeTime, true),
            Action::CompareSize => (view.compare, view.comparing) = (Compare::Size, true),
            Action::CompareTime => (view.compare, view.comparing) = (Compare::Time, true),
            Action::HideIdentical => view.hide_same = !view.hide_same,
            Action::SyncBrowsing => self.toggle_sync_browsing(),
            _ => {}
        }
    }

    /// After each message: the other pane follows a folder change when
    /// browsing is synchronized, and the marks follow the rows.
    pub(super) fn after_update(&mut self) {
        self.follow_browsing();
        self.mark_rows();
    }

    /// Marks both panes' rows again when their rows or the options changed
    /// since the last time; clears the marks when comparison is off or a
    /// pane shows no folder.
    fn mark_rows(&mut self) {
        let view = &self.view;
        let key = (
            view.comparing,
            view.compare,
            view.hide_same,
            self.local.list.generation(),
            self.remote.list.generation(),
        );
        if view.marked == Some(key) {
            return;
        }
        self.view.marked = Some(key);
        let both = self.local.location.is_some() && self.remote.location.is_some();
        if self.view.comparing && both {
            let compare = self.view.compare;
            let local = marks(self.local.list.rows(), self.remote.list.rows(), compare);
            let remote = marks(self.remote.list.rows(), self.local.list.rows(), compare);
            self.local.list.set_marks(local, self.view.hide_same);
            self.remote.list.set_marks(remote, self.view.hide_same);
        } else {
            self.local.list.set_marks(Vec::new(), false);
            self.remote.list.set_marks(Vec::new(), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::listing::TimePrecision;
    use crate::sync::Stamp;
    use crate::ui::files::RowKind;
    use chrono::NaiveDateTime;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    /// A file row of `size` bytes changed at `time` to `precision`.
    fn file(name: &str, size: u64, time: &str, precision: TimePrecision) -> FileRow {
        let mut row = FileRow::new(name.to_string(), RowKind::File);
        row.size = Some(size);
        let mut stamp = Stamp::seconds(at(time));
        if precision == TimePrecision::Minute {
            stamp.at = at(&format!("{}:00", &time[..16]));
        }
        stamp.precision = precision;
        row.stamp = Some(stamp);
        row
    }

    fn folder(name: &str) -> FileRow {
        FileRow::new(name.to_string(), RowKind::Folder)
    }

    /// (case, local row, remote row, compare, local mark, remote mark)
    type Case = (
        &'static str,
        Option<FileRow>,
        Option<FileRow>,
        Compare,
        Mark,
        Mark,
    );

    #[test]
    fn rows_are_marked_by_the_planners_rules() {
        use TimePrecision::{Minute, Second};
        let t = "2026-12-06 09:15:42";
        let later = "2026-12-06 09:20:00";
        let cases: Vec<Case> = vec![
            // (case, local row, remote row, compare, local mark, remote mark)
            (
                "only local",
                Some(file("a", 1, t, Second)),
                None,
                Compare::SizeTime,
                Mark::Lone,
                Mark::None,
            ),
            (
                "only remote",
                None,
                Some(file("a", 1, t, Minute)),
                Compare::SizeTime,
                Mark::None,
                Mark::Lone,
            ),
            (
                "local newer",
                Some(file("a", 1, later, Second)),
                Some(file("a", 1, t, Minute)),
                Compare::SizeTime,
                Mark::Newer,
                Mark::Older,
            ),
            (
                "remote newer",
                Some(file("a", 1, t, Second)),
                Some(file("a", 1, later, Second)),
                Compare::SizeTime,
                Mark::Older,
                Mark::Newer,
            ),
            (
                "size differs",
                Some(file("a", 1, t, Second)),
                Some(file("a", 2, later, Second)),
                Compare::SizeTime,
                Mark::Size,
                Mark::Size,
            ),
            (
                "identical",
                Some(file("a", 1, t, Second)),
                Some(file("a", 1, t, Second)),
                Compare::SizeTime,
                Mark::Same,
                Mark::Same,
            ),
            (
                "a LIST time within its minute is the same",
                Some(file("a", 1, "2026-12-06 09:15:59", Second)),
                Some(file("a", 1, "2026-12-06 09:15:00", Minute)),
                Compare::SizeTime,
                Mark::Same,
                Mark::Same,
            ),
            (
                "by size: a newer time is the same",
                Some(file("a", 1, later, Second)),
                Some(file("a", 1, t, Second)),
                Compare::Size,
                Mark::Same,
                Mark::Same,
            ),
            (
                "by time: another size is the same",
                Some(file("a", 1, t, Second)),
                Some(file("a", 2, t, Second)),
                Compare::Time,
                Mark::Same,
                Mark::Same,
            ),
            (
                "a folder on both sides is not marked",
                Some(folder("a")),
                Some(folder("a")),
                Compare::SizeTime,
                Mark::None,
                Mark::None,
            ),
            (
                "a folder on one side",
                Some(folder("a")),
                None,
                Compare::SizeTime,
                Mark::Lone,
                Mark::None,
            ),
            (
                "a file against a folder",
                Some(file("a", 1, t, Second)),
                Some(folder("a")),
                Compare::SizeTime,
                Mark::Kind,
                Mark::Kind,
            ),
        ];
        for (case, local, remote, compare, want_local, want_remote) in cases {
            let local: Vec<FileRow> = local.into_iter().collect();
            let remote: Vec<FileRow> = remote.into_iter().collect();
            let got_local = marks(&local, &remote, compare);
            let got_remote = marks(&remote, &local, compare);
            assert_eq!(
                got_local.first().copied().unwrap_or_default(),
                want_local,
                "{case}"
            );
            assert_eq!(
                got_remote.first().copied().unwrap_or_default(),
                want_remote,
                "{case}"
            );
        }
    }

    #[test]
    fn remote_rows_match_by_their_exact_text() {
        let mut remote = file("caf\\xe9", 1, "2026-12-06 09:15:42", TimePrecision::Second);
        remote.text = Some("café".to_string());
        let local = file("café", 1, "2026-12-06 09:15:42", TimePrecision::Second);
        assert_eq!(marks(&[local], &[remote], Compare::SizeTime), [Mark::Same]);
    }

    #[test]
    fn comparison_marks_both_panes_and_follows_their_rows() {
        use crate::engine::{Event, RemoteEntry};
        use crate::protocol::listing::{EntryKind, ListEntry, ListTime};
        use crate::sites::MemoryStore;
        use crate::ui::local::LocalResult;
        use crate::ui::state::{SiteState, UiState};
        use crate::ui::update::Msg;
        use std::sync::Arc;

        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        let mut model = Model::new(UiState::default(), sites);
        let t = "2026-12-06 09:15:42";
        let local = vec![
            file("same.txt", 3, t, TimePrecision::Second),
            file("mine.txt", 3, t, TimePrecision::Second),
        ];
        model.update(Msg::Local(LocalResult::Listed {
            path: "/home/me".into(),
            for_tree: false,
            rows: Ok(local.clone()),
        }));
        let remote = |name: &str, size: u64| {
            RemoteEntry::new(
                name.to_string(),
                Some(name.to_string()),
                ListEntry {
                    name: name.as_bytes().to_vec(),
                    kind: EntryKind::File,
                    size: Some(size),
                    modified: Some(ListTime {
                        at: at("2026-12-06 09:15:00"),
                        precision: TimePrecision::Minute,
                    }),
                    permissions: None,
                    owner: None,
                    group: None,
                    target: None,
                },
            )
        };
        let listing = |entries| {
            Msg::Browse(Event::Listing {
                path: b"/pub".to_vec(),
                display_path: "/pub".to_string(),
                entries,
            })
        };
        model.update(listing(vec![
            remote("same.txt", 3),
            remote("theirs.txt", 1),
        ]));
        let marked = |pane: &crate::ui::pane::Pane| -> Vec<(String, Mark)> {
            let list = &pane.list;
            let mut out: Vec<(String, Mark)> = list
                .view()
                .iter()
                .filter_map(|&i| list.row(i).map(|r| (r.name.clone(), list.mark(i))))
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };
        let name = |n: &str, m| (n.to_string(), m);
        assert_eq!(
            marked(&model.local),
            [name("mine.txt", Mark::None), name("same.txt", Mark::None)],
            "off by default"
        );
        model.update(Msg::Action(Action::ToggleComparison));
        assert_eq!(
            marked(&model.local),
            [name("mine.txt", Mark::Lone), name("same.txt", Mark::Same)]
        );
        assert_eq!(
            marked(&model.remote),
            [name("same.txt", Mark::Same), name("theirs.txt", Mark::Lone)]
        );
        model.update(Msg::Action(Action::HideIdentical));
        assert_eq!(marked(&model.local), [name("mine.txt", Mark::Lone)]);
        assert_eq!(marked(&model.remote), [name("theirs.txt", Mark::Lone)]);

        // New rows on one side are compared again.
        model.update(listing(vec![remote("same.txt", 4)]));
        assert_eq!(
            marked(&model.local),
            [name("mine.txt", Mark::Lone), name("same.txt", Mark::Size)]
        );
        assert_eq!(marked(&model.remote), [name("same.txt", Mark::Size)]);

        model.update(Msg::Action(Action::ToggleComparison));
        assert_eq!(
            marked(&model.local),
            [name("mine.txt", Mark::None), name("same.txt", Mark::None)]
        );
    }
}
