//! The window speaks through its message catalog: no string literal with a
//! word in it reaches a label, button, menu, heading, tooltip, dialog title
//! or the log from `src/ui` (test modules and the demo's sample data left
//! out), and the language set with `set_locale` is the one messages use.
//!
//! The scan reads the sources as text, like `tests/architecture.rs`: for
//! each call of a widget function it takes the arguments up to the closing
//! parenthesis, leaves out what `tr!(…)` holds, and looks at the string
//! literals left: a letter outside `{…}` placeholders is a word the catalog
//! never saw.

#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};

use skiff::ui::i18n::{self, Locale};

/// Functions whose text arguments a user reads, with the one argument to
/// check (`None`: all of them). The window's own helpers are listed too;
/// their other arguments are field names and ids.
const WIDGETS: &[(&str, Option<usize>)] = &[
    ("label", None),
    ("button", None),
    ("small_button", None),
    ("menu_button", None),
    ("heading", None),
    ("checkbox", None),
    ("radio", None),
    ("radio_value", None),
    ("selectable_label", None),
    ("selectable_value", None),
    ("on_hover_text", None),
    ("on_disabled_hover_text", None),
    ("RichText::new", None),
    ("Button::new", None),
    ("Label::new", None),
    ("Checkbox::new", None),
    ("small", None),
    ("strong", None),
    ("weak", None),
    ("monospace", None),
    ("hyperlink_to", None),
    ("Window::new", None),
    ("text", None),
    ("hint_text", None),
    ("selected_text", None),
    ("colored_label", None),
    ("set_title", None),
    ("add_filter", Some(0)),
    ("labeled", None),
    ("status", None),
    ("text_row", Some(1)),
    ("combo_row", Some(1)),
    ("name_field_ui", Some(1)),
    ("buttons_ui", Some(1)),
];

/// Files of `src/ui` that show sample data, not the window's words.
const EXEMPT: &[&str] = &["demo.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's code before its test module, without comment lines.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Skips a string literal that starts at `at` (a `"`); returns its content
/// and the index after it.
fn string_at(text: &str, at: usize) -> (&str, usize) {
    let mut escaped = false;
    for (i, c) in text[at + 1..].char_indices() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '"') => return (&text[at + 1..at + 1 + i], at + 2 + i),
            _ => {}
        }
    }
    (&text[at + 1..], text.len())
}

/// The text after an opening parenthesis up to its closing one.
fn until_close(text: &str) -> &str {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        match c {
            '"' => {
                at = string_at(text, at).1;
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return &text[..at],
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        at += c.len_utf8();
    }
    text
}

/// The arguments of a call, split at the commas outside brackets and strings.
fn arguments(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut at) = (0usize, 0, 0);
    while let Some(c) = body[at..].chars().next() {
        match c {
            '"' => {
                at = string_at(body, at).1;
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&body[start..at]);
                start = at + 1;
            }
            _ => {}
        }
        at += c.len_utf8();
    }
    parts.push(&body[start..]);
    parts
}

/// `text` without what `tr!(…)` calls hold (their keys and arguments).
fn without_tr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("tr!(") {
        out.push_str(&rest[..at]);
        let inside = until_close(&rest[at + 4..]);
        rest = &rest[(at + 4 + inside.len() + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// The string literals in `text` that hold a letter outside `{…}` (and
/// not in a date format's `%Y`).
fn worded_literals(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find('"') {
        let (content, next) = string_at(text, at + i);
        // Letters in `{…}` are placeholders and after `%` a date format's.
        let mut depth = 0usize;
        let mut after_percent = false;
        let worded = content.chars().any(|c| {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            let format_letter = after_percent;
            after_percent = c == '%';
            depth == 0 && c.is_alphabetic() && !format_letter
        });
        if worded {
            found.push(format!("\"{content}\""));
        }
        at = next;
    }
    found
}

/// Every call of a [`WIDGETS`] function in `code` with a worded literal in
/// the checked arguments, as `name(…literal…)`.
fn literal_widget_text(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for &(name, only) in WIDGETS {
        let pattern = format!("{name}(");
        let mut from = 0;
        while let Some(i) = code[from..].find(&pattern) {
            let at = from + i;
            from = at + pattern.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // part of a longer name
            }
            let body = until_close(&code[from..]);
            let args = arguments(body);
            let checked: Vec<&str> = match only {
                Some(index) => args.get(index).copied().into_iter().collect(),
                None => args,
            };
            for arg in checked {
                for literal in worded_literals(&without_tr(arg)) {
                    found.push(format!("{name}({literal})"));
                }
            }
        }
    }
    found
}

#[test]
fn no_literal_text_reaches_a_widget_in_src_ui() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    assert!(files.len() > 20, "read {} files", files.len());
    let mut problems = Vec::new();
    for file in files {
        let name = file.strip_prefix(&ui).expect("under src/ui");
        if EXEMPT.iter().any(|e| name == Path::new(e)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for call in literal_widget_text(&code_of(&text)) {
            problems.push(format!("src/ui/{}: {call}", name.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "text that does not come from the catalog (use tr!):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_finds_a_planted_literal() {
    let planted = [
        r#"ui.label("Hello")"#,
        r#"ui.button(format!("Delete {name}?"))"#,
        "ui.heading(\n    \"Site Manager\",\n)",
        r#"response.on_hover_text("Sort by name")"#,
        r#"ui.add(egui::Button::new("Connect"))"#,
        r#"RichText::new("Message log").strong()"#,
        r#"ui.checkbox(&mut all, "Apply to all")"#,
        r#"TextEdit::singleline(&mut s).hint_text("from")"#,
        r#"ui.menu_button("File", |ui| {})"#,
        r#"ui.selectable_value(&mut tab, Tab::General, "General")"#,
        r#"self.log.status(LogKind::Error, "connect first")"#,
        r#"text_row(ui, "Host:", &mut site.host, &errors, "host")"#,
        r#"ui.label("下载")"#,
        r#"ui.label(tr!("note", name = x) + "left over")"#,
    ];
    for code in planted {
        assert!(!literal_widget_text(code).is_empty(), "not found in {code}");
    }
    let clean = [
        r#"ui.label(tr!("menu-file"))"#,
        r#"ui.label(tr!("status-items", count = n, name = f("a, b")))"#,
        r#"ui.label("")"#,
        r#"ui.label(format!("{host}:{port}"))"#,
        r#"label.on_hover_text(format!("→ {target}"))"#,
        r#"ui.add(Label::new("..").selectable(false))"#,
        r#"text_row(ui, &tr!("site-host"), &mut site.host, &errors, "host")"#,
        r#"dialog.add_filter(tr!("picker-import-filter"), &["xml"])"#,
        r#"egui::ComboBox::from_id_salt("site-folder")"#,
        r#"fn text(&self) -> String"#,
        r#"ui.label(t.format("%Y-%m-%d %H:%M").to_string())"#,
    ];
    for code in clean {
        let found = literal_widget_text(code);
        assert!(found.is_empty(), "{found:?} in {code}");
    }
}

/// The one test of this binary that changes the window's language: the
/// others here read none, and each test binary has its own global.
#[test]
fn set_locale_changes_the_language_of_every_message() {
    assert_eq!(i18n::locale(), Locale::English, "tests start in English");
    assert_eq!(i18n::text("menu-file", None), "File");
    i18n::set_locale(Locale::ChineseSimplified);
    assert_eq!(i18n::locale(), Locale::ChineseSimplified);
    assert_eq!(i18n::text("menu-file", None), "文件");
    assert_eq!(i18n::text("quick-connect", None), "快速连接");
    {
        let _english = i18n::LocaleOverride::on_this_thread(Locale::English);
        assert_eq!(
            i18n::text("menu-file", None),
            "File",
            "the thread's own wins"
        );
    }
    i18n::set_locale(Locale::English);
    assert_eq!(i18n::text("menu-file", None), "File");
}
