//! The model behind a file table: rows, sorting, filtering and selection.
//!
//! Pure data, no egui and no I/O, so it is unit-tested and cheap: a 100,000-row
//! folder is sorted through precomputed keys on an index vector, the table
//! draws only the visible part of `view`, and selection is one flag per row.

use std::cmp::Ordering;

use chrono::NaiveDateTime;

use super::i18n::tr;
use super::mark::Mark;

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// A folder.
    Folder,
    /// A symbolic link (which may point at a folder).
    Link,
    /// A file or anything else.
    File,
}

/// One entry of a folder, local or remote.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    /// The name for display.
    pub name: String,
    /// The remote name as the server's bytes (`None` for local rows).
    pub raw: Option<Vec<u8>>,
    /// The remote name's exact text in the site's charset (`None` for local
    /// rows and for names whose bytes do not decode); `name` is its escaped
    /// display form.
    pub text: Option<String>,
    /// Folder, link or file.
    pub kind: RowKind,
    /// Size in bytes, when known (never for folders).
    pub size: Option<u64>,
    /// Last modification.
    pub modified: Option<NaiveDateTime>,
    /// Permissions as the server or the file system gave them.
    pub permissions: String,
    /// `owner group` (remote only).
    pub owner: String,
    /// The link target, for links.
    pub target: Option<String>,
    /// The modification time as UTC with the precision the listing gave,
    /// for directory comparison (`modified` is for display).
    pub stamp: Option<crate::sync::Stamp>,
    /// Lower-cased name, the sort key.
    key: String,
}

impl FileRow {
    /// A row; `name` is what the user sees and sorts by.
    pub fn new(name: String, kind: RowKind) -> Self {
        let key = name.to_lowercase();
        Self {
            name,
            raw: None,
            text: None,
            kind,
            size: None,
            modified: None,
            permissions: String::new(),
            owner: String::new(),
            target: None,
            stamp: None,
            key,
        }
    }

    /// Is this a folder (links count as files, as in FileZilla, until followed).
    pub fn is_dir(&self) -> bool {
        self.kind == RowKind::Folder
    }

    /// The Type column: "Folder", "Link" or "TXT file" from the extension.
    pub fn type_text(&self) -> String {
        match self.kind {
            RowKind::Folder => tr!("file-type-folder"),
            RowKind::Link => tr!("file-type-link"),
            RowKind::File => match extension(&self.name) {
                Some(ext) => tr!("file-type-extension", extension = ext.to_uppercase()),
                None => tr!("file-type-file"),
            },
        }
    }
}

/// The extension of a file name, without a leading-dot name counting as one.
fn extension(name: &str) -> Option<&str> {
    let dot = name.rfind('.')?;
    (dot > 0 && dot + 1 < name.len()).then(|| &name[dot + 1..])
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortColumn {
    /// By name, case-insensitive.
    Name,
    /// By size.
    Size,
    /// By the type text (extension).
    Type,
    /// By modification time.
    Modified,
    /// By permissions.
    Permissions,
    /// By owner and group.
    Owner,
}

/// A column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Ascending when true.
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: SortColumn::Name,
            ascending: true,
        }
    }
}

/// The rows of one folder and how they are shown.
#[derive(Debug, Default)]
pub struct FileList {
    rows: Vec<FileRow>,
    /// Indices into `rows`, filtered and sorted: what the table shows.
    view: Vec<u32>,
    selected: Vec<bool>,
    selected_count: usize,
    selected_bytes: u64,
    /// The row (index into `rows`) a Shift-click extends from.
    anchor: Option<u32>,
    /// The row with keyboard focus (index into `rows`).
    cursor: Option<u32>,
    filter: String,
    sort: Sort,
    /// Bumped whenever the rows are replaced, so comparison runs only then.
    generation: u64,
    /// Each row's comparison with the other pane (empty: not compared).
    marks: Vec<Mark>,
    /// Rows marked the same as the other pane's are left out of `view`.
    hide_same: bool,
}

impl FileList {
    /// Replaces the rows, keeping sort and filter; the selection is cleared.
    pub fn set_rows(&mut self, rows: Vec<FileRow>) {
        self.selected = vec![false; rows.len()];
        self.selected_count = 0;
        self.selected_bytes = 0;
        self.anchor = None;
        self.cursor = None;
        self.rows = rows;
        self.marks.clear();
        self.generation += 1;
        self.rebuild();
    }

    /// Which set of rows this is: changes whenever [`Self::set_rows`] runs.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Sets each row's comparison mark (indexed as [`Self::rows`]; empty
    /// clears them) and whether rows marked the same are hidden.
    pub fn set_marks(&mut self, marks: Vec<Mark>, hide_same: bool) {
        self.marks = marks;
        self.hide_same = hide_same;
        self.rebuild();
    }

    /// The comparison mark of a row (an index into [`Self::rows`]).
    pub fn mark(&self, index: u32) -> Mark {
        self.marks.get(index as usize).copied().unwrap_or_default()
    }

    /// All rows, unsorted.
    pub fn rows(&self) -> &[FileRow] {
        &self.rows
    }

    /// The visible rows in display order, as indices into [`Self::rows`].
    pub fn view(&self) -> &[u32] {
        &self.view
    }

    /// The row at an index from [`Self::view`].
    pub fn row(&self, index: u32) -> Option<&FileRow> {
        self.rows.get(index as usize)
    }

    /// The current sort.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Sorts by `column`; the same column again reverses the direction.
    pub fn sort_by(&mut self, column: SortColumn) {
        if self.sort.column == column {
            self.sort.ascending = !self.sort.ascending;
        } else {
            self.sort = Sort {
                column,
                ascending: true,
            };
        }
        self.rebuild();
    }

    /// Sets the sort outright (restored settings).
    pub fn set_sort(&mut self, sort: Sort) {
        self.sort = sort;
        self.rebuild();
    }

    /// The filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Shows only names containing `filter` (case-insensitive); empty shows all.
    pub fn set_filter(&mut self, filter: &str) {
        if filter != self.filter {
            self.filter = filter.to_string();
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        let hidden = |i: u32| self.hide_same && self.marks.get(i as usize) == Some(&Mark::Same);
        let mut view: Vec<u32> = (0..rows.len() as u32)
            .filter(|&i| needle.is_empty() || rows[i as usize].key.contains(&needle))
            .filter(|&i| !hidden(i))
            .collect();
        let sort = self.sort;
        view.sort_unstable_by(|&a, &b| compare(&rows[a as usize], &rows[b as usize], sort));
        self.view = view;
    }

    /// Is the row (index into rows) selected?
    pub fn is_selected(&self, index: u32) -> bool {
        self.selected.get(index as usize).copied().unwrap_or(false)
    }

    /// How many rows are selected and their total size.
    pub fn selection_summary(&self) -> (usize, u64) {
        (self.selected_count, self.selected_bytes)
    }

    /// The selected rows, in display order.
    pub fn selected_rows(&self) -> Vec<&FileRow> {
        self.view
            .iter()
            .filter(|&&i| self.is_selected(i))
            .filter_map(|&i| self.row(i))
            .collect()
    }

    /// The keyboard cursor row.
    pub fn cursor(&self) -> Option<u32> {
        self.cursor
    }

    fn set_selected(&mut self, index: u32, on: bool) {
        let Some(flag) = self.selected.get_mut(index as usize) else {
            return;
        };
        if *flag == on {
            return;
        }
        *flag = on;
        let size = self.rows[index as usize].size.unwrap_or(0);
        if on {
            self.selected_count += 1;
            self.selected_bytes += size;
        } else {
            self.selected_count -= 1;
            self.selected_bytes -= size;
        }
    }

    /// Clears the selection.
    pub fn clear_selection(&mut self) {
        self.selected.iter_mut().for_each(|s| *s = false);
        self.selected_count = 0;
        self.selected_bytes = 0;
    }

    /// Selects every visible row (Ctrl+A).
    pub fn select_all(&mut self) {
        self.clear_selection();
        for i in self.view.clone() {
            self.set_selected(i, true);
        }
    }

    /// A click on a row: plain selects only it, Ctrl toggles it, Shift
    /// selects the range from the anchor.
    pub fn click(&mut self, index: u32, ctrl: bool, shift: bool) {
        if shift && let Some(anchor) = self.anchor {
            let pos = |i: u32| self.view.iter().position(|&v| v == i);
            if let (Some(a), Some(b)) = (pos(anchor), pos(index)) {
                if !ctrl {
                    self.clear_selection();
                }
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                let range = self.view[lo..=hi].to_vec();
                for i in range {
                    self.set_selected(i, true);
                }
                self.cursor = Some(index);
                return;
            }
        }
        if ctrl {
            let on = !self.is_selected(index);
            self.set_selected(index, on);
        } else {
            self.clear_selection();
            self.set_selected(index, true);
        }
        self.anchor = Some(index);
        self.cursor = Some(index);
    }

    /// Makes sure `index` is selected without changing the rest when it
    /// already is (a right-click or a drag on a selected row keeps the group).
    pub fn ensure_selected(&mut self, index: u32) {
        if !self.is_selected(index) {
            self.click(index, false, false);
        }
    }

    /// Moves the cursor by `delta` visible rows (arrow keys), selecting it.
    pub fn move_cursor(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let pos = self
            .cursor
            .and_then(|c| self.view.iter().position(|&v| v == c))
            .map_or(0, |p| p as isize + delta);
        let pos = pos.clamp(0, self.view.len() as isize - 1) as usize;
        let index = self.view[pos];
        self.click(index, false, false);
    }

    /// The position of the cursor in the view, for scrolling to it.
    pub fn cursor_position(&self) -> Option<usize> {
        let cursor = self.cursor?;
        self.view.iter().position(|&v| v == cursor)
    }
}

fn compare(a: &FileRow, b: &FileRow, sort: Sort) -> Ordering {
    // Folders first whatever the direction, as in every file manager.
    let folders = b.is_dir().cmp(&a.is_dir());
    if folders != Ordering::Equal {
        return folders;
    }
    let by_name = || a.key.cmp(&b.key).then_with(|| a.name.cmp(&b.name));
    let ordering = match sort.column {
        SortColumn::Name => by_name(),
        SortColumn::Size => a.size.cmp(&b.size).then_with(by_name),
        SortColumn::Type => extension_key(a).cmp(extension_key(b)).then_with(by_name),
        SortColumn::Modified => a.modified.cmp(&b.modified).then_with(by_name),
        SortColumn::Permissions => a.permissions.cmp(&b.permissions).then_with(by_name),
        SortColumn::Owner => a.owner.cmp(&b.owner).then_with(by_name),
    };
    if sort.ascending {
        ordering
    } else {
        ordering.reverse()
    }
}

fn extension_key(row: &FileRow) -> &str {
    match row.kind {
        RowKind::Folder | RowKind::Link => "",
        RowKind::File => extension(&row.key).unwrap_or(""),
    }
}

/// A size the way FileZilla shows it: bytes with thousands separators below
/// 10 KB, then KiB/MiB/GiB with one decimal (the engine's `human_bytes`).
pub fn format_size(bytes: u64) -> String {
    if bytes < 10 * 1024 {
        return group_digits(bytes);
    }
    crate::engine::ops::human_bytes(bytes)
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> FileRow {
        let mut row = FileRow::new(name.to_string(), RowKind::File);
        row.size = Some(size);
        row
    }

    fn names(list: &FileList) -> Vec<&str> {
        list.view()
            .iter()
            .map(|&i| list.row(i).map_or("?", |r| r.name.as_str()))
            .collect()
    }

    fn sample() -> FileList {
        let mut list = FileList::default();
        list.set_rows(vec![
            file("b.txt", 30),
            FileRow::new("Zeta".to_string(), RowKind::Folder),
            file("A.bin", 10),
            file("c.txt", 20),
            FileRow::new("alpha".to_string(), RowKind::Folder),
        ]);
        list
    }

    #[test]
    fn folders_first_then_case_insensitive_names_both_ways() {
        let mut list = sample();
        assert_eq!(names(&list), ["alpha", "Zeta", "A.bin", "b.txt", "c.txt"]);
        list.sort_by(SortColumn::Name);
        assert_eq!(names(&list), ["Zeta", "alpha", "c.txt", "b.txt", "A.bin"]);
    }

    #[test]
    fn sorts_by_size_and_type() {
        let mut list = sample();
        list.sort_by(SortColumn::Size);
        assert_eq!(names(&list), ["alpha", "Zeta", "A.bin", "c.txt", "b.txt"]);
        list.sort_by(SortColumn::Size);
        assert_eq!(names(&list), ["Zeta", "alpha", "b.txt", "c.txt", "A.bin"]);
        list.sort_by(SortColumn::Type);
        assert_eq!(names(&list), ["alpha", "Zeta", "A.bin", "b.txt", "c.txt"]);
    }

    #[test]
    fn filter_is_case_insensitive_and_keeps_sort() {
        let mut list = sample();
        list.set_filter("TXT");
        assert_eq!(names(&list), ["b.txt", "c.txt"]);
        list.set_filter("");
        assert_eq!(list.view().len(), 5);
    }

    #[test]
    fn click_ctrl_and_shift_select_like_a_file_manager() {
        let mut list = sample();
        let at = |list: &FileList, pos: usize| list.view()[pos];
        list.click(at(&list, 2), false, false);
        assert_eq!(list.selection_summary(), (1, 10));
        list.click(at(&list, 4), false, true);
        assert_eq!(list.selection_summary(), (3, 60));
        list.click(at(&list, 3), true, false);
        assert_eq!(list.selection_summary(), (2, 30));
        list.click(at(&list, 0), false, false);
        assert_eq!(list.selection_summary(), (1, 0));
        list.select_all();
        assert_eq!(list.selection_summary(), (5, 60));
        list.set_filter("a");
        list.select_all();
        let selected: Vec<&str> = list
            .selected_rows()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(selected, ["alpha", "Zeta", "A.bin"]);
    }

    #[test]
    fn cursor_moves_within_the_view() {
        let mut list = sample();
        list.move_cursor(1);
        assert_eq!(
            list.cursor_position(),
            Some(0),
            "the first key press selects the first row"
        );
        list.move_cursor(1);
        assert_eq!(list.cursor_position(), Some(1));
        list.move_cursor(10);
        assert_eq!(list.cursor_position(), Some(4));
        list.move_cursor(-10);
        assert_eq!(list.cursor_position(), Some(0));
        assert_eq!(list.selection_summary().0, 1);
    }

    #[test]
    fn sizes_read_like_filezilla() {
        assert_eq!(format_size(0), "0");
        assert_eq!(format_size(10_239), "10,239");
        assert_eq!(format_size(10_240), "10.0 KiB");
        assert_eq!(format_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
        assert_eq!(
            FileRow::new(".bashrc".into(), RowKind::File).type_text(),
            "File"
        );
        assert_eq!(file("x.tar.gz", 1).type_text(), "GZ file");
    }
}
