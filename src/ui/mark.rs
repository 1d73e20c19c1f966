//! A row's directory-comparison [`Mark`] (only on this side, newer,
//! older, another size, the same), its colour and its text tag.
//!
//! Every mark is drawn as a coloured tag *with words* ("newer", "only
//! here"), so nothing relies on colour alone. The marks are computed in
//! [`super::compare`]; this module only names and draws them, and imports
//! nothing of the window but the catalog, so the file list can hold marks.

use eframe::egui::{self, Color32, RichText};

use super::i18n::tr;

/// How a row compares with the row of the same name in the other pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    /// Not compared (comparison off, or a folder both panes have).
    #[default]
    None,
    /// The same file on both sides under the chosen comparison.
    Same,
    /// Only this pane has it.
    Lone,
    /// This side's file is newer.
    Newer,
    /// The other side's file is newer.
    Older,
    /// The sizes differ.
    Size,
    /// A file here and a folder there, or the other way round.
    Kind,
}

impl Mark {
    /// The words of the tag; `None` for no tag.
    pub fn tag(self) -> Option<String> {
        match self {
            Mark::None | Mark::Same => None,
            Mark::Lone => Some(tr!("compare-tag-lone")),
            Mark::Newer => Some(tr!("compare-tag-newer")),
            Mark::Older => Some(tr!("compare-tag-older")),
            Mark::Size => Some(tr!("compare-tag-size")),
            Mark::Kind => Some(tr!("compare-tag-kind")),
        }
    }

    /// The tag's colour: FileZilla's yellow (one side only), green (newer),
    /// red (size), tuned for the theme.
    pub fn color(self, dark: bool) -> Option<Color32> {
        let (light, darker) = match self {
            Mark::None | Mark::Same => return None,
            Mark::Lone => ((0xf0, 0xc8, 0x30), (0x8a, 0x6d, 0x00)),
            Mark::Newer => ((0x5c, 0xc8, 0x6a), (0x1f, 0x7a, 0x32)),
            Mark::Older => ((0x9a, 0xa4, 0xb0), (0x55, 0x5f, 0x6b)),
            Mark::Size | Mark::Kind => ((0xf0, 0x70, 0x70), (0xb0, 0x28, 0x28)),
        };
        let (r, g, b) = if dark { light } else { darker };
        Some(Color32::from_rgb(r, g, b))
    }
}

/// The tag of a marked row, before its name: the words in the mark's colour
/// inside a frame of that colour.
pub fn mark_tag_ui(ui: &mut egui::Ui, mark: Mark) {
    let (Some(tag), Some(color)) = (mark.tag(), mark.color(ui.visuals().dark_mode)) else {
        return;
    };
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(3.0)
        .inner_margin(egui::Margin::symmetric(3, 0))
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(RichText::new(tag).small().strong().color(color))
                    .selectable(false),
            );
        });
}
