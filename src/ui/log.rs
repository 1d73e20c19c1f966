//! The message log pane: every command, reply, status line and error,
//! coloured by kind, selectable, copyable and clearable.
//!
//! Lines arrive already masked (`PASS ****`): the engine logs commands
//! through `Command::log_text`, so the UI never sees a password to hide.
//! The pane keeps the newest [`MAX_LINES`] and draws only the visible ones.

use std::collections::VecDeque;

use eframe::egui::{self, Color32, Label, RichText};

use super::i18n::tr;
use crate::engine::{LogKind, LogLine};

/// Lines kept; older ones are dropped (FileZilla keeps a similar window).
pub const MAX_LINES: usize = 20_000;

/// The log's lines.
#[derive(Debug, Default)]
pub struct LogPane {
    lines: VecDeque<LogLine>,
    /// Lines also go to the log file (Settings → Logging).
    to_file: bool,
    /// Lines for the log file not yet handed to its writer.
    for_file: Vec<String>,
}

impl LogPane {
    /// Adds a line, dropping the oldest beyond [`MAX_LINES`].
    pub fn push(&mut self, line: LogLine) {
        if self.to_file {
            self.for_file.push(format!(
                "[{}] {}{}",
                line.conn,
                file_prefix(line.kind),
                line.text
            ));
        }
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// A status line from the UI itself.
    pub fn status(&mut self, kind: LogKind, text: impl Into<String>) {
        self.push(LogLine {
            conn: 0,
            kind,
            text: text.into(),
        });
    }

    /// Starts or stops copying lines for the log file.
    pub fn set_to_file(&mut self, on: bool) {
        self.to_file = on;
        if !on {
            self.for_file.clear();
        }
    }

    /// The lines for the log file since the last call.
    pub fn take_for_file(&mut self) -> Vec<String> {
        std::mem::take(&mut self.for_file)
    }

    /// Removes every line.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The lines, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter()
    }

    /// The whole log as text, for the clipboard.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let prefixes = Prefixes::now();
        for line in &self.lines {
            out.push_str(prefixes.of(line.kind));
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    /// Draws the log with its Copy all and Clear buttons.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(tr!("log-title")).strong());
            if ui.small_button(tr!("log-copy-all")).clicked() {
                ui.ctx().copy_text(self.text());
            }
            if ui.small_button(tr!("log-clear")).clicked() {
                self.clear();
            }
        });
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
        let dark = ui.visuals().dark_mode;
        let prefixes = Prefixes::now();
        egui::ScrollArea::vertical()
            .id_salt("message-log")
            .auto_shrink([false, false])
            .stick_to_bottom(true)
            .show_rows(ui, row_height, self.lines.len(), |ui, range| {
                for line in self.lines.range(range) {
                    let text = RichText::new(format!("{}{}", prefixes.of(line.kind), line.text))
                        .monospace()
                        .color(color(shown_kind(line), dark));
                    ui.add(Label::new(text).selectable(true).extend());
                }
            });
    }
}

/// The kind a line is coloured as: a 4xx or 5xx reply is an error.
fn shown_kind(line: &LogLine) -> LogKind {
    match line.text.as_bytes().first() {
        Some(b'4' | b'5') if line.kind == LogKind::Reply => LogKind::Error,
        _ => line.kind,
    }
}

/// The kind's word in the log file, always English (files are grepped and
/// sent to support): `"Status:   "`.
fn file_prefix(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Status => "Status:   ",
        LogKind::Command => "Command:  ",
        LogKind::Reply => "Response: ",
        LogKind::Warning => "Warning:  ",
        LogKind::Error => "Error:    ",
    }
}

/// The kinds' words in the window's language, each padded so the texts
/// line up: `"Status:   "`. Made once per use, not once per line.
struct Prefixes([String; 5]);

impl Prefixes {
    fn now() -> Self {
        let pad = |word: String| format!("{word:<10}");
        Self([
            pad(tr!("log-kind-status")),
            pad(tr!("log-kind-command")),
            pad(tr!("log-kind-reply")),
            pad(tr!("log-kind-warning")),
            pad(tr!("log-kind-error")),
        ])
    }

    fn of(&self, kind: LogKind) -> &str {
        let [status, command, reply, warning, error] = &self.0;
        match kind {
            LogKind::Status => status,
            LogKind::Command => command,
            LogKind::Reply => reply,
            LogKind::Warning => warning,
            LogKind::Error => error,
        }
    }
}

fn color(kind: LogKind, dark: bool) -> Color32 {
    match (kind, dark) {
        (LogKind::Status, true) => Color32::from_gray(0xc8),
        (LogKind::Status, false) => Color32::from_gray(0x30),
        (LogKind::Command, true) => Color32::from_rgb(0x7a, 0xb8, 0xff),
        (LogKind::Command, false) => Color32::from_rgb(0x10, 0x40, 0xc0),
        (LogKind::Reply, true) => Color32::from_rgb(0x7c, 0xd0, 0x8a),
        (LogKind::Reply, false) => Color32::from_rgb(0x10, 0x80, 0x30),
        (LogKind::Warning, true) => Color32::from_rgb(0xf0, 0xc0, 0x50),
        (LogKind::Warning, false) => Color32::from_rgb(0xa0, 0x60, 0x00),
        (LogKind::Error, true) => Color32::from_rgb(0xff, 0x70, 0x70),
        (LogKind::Error, false) => Color32::from_rgb(0xc0, 0x10, 0x10),
    }
}
