//! CJK names: a system CJK font added behind egui's own fonts.
//!
//! egui's built-in fonts cover Latin, Greek and Cyrillic; Chinese, Japanese
//! and Korean file names need a system font. The font file (often 10–20 MB)
//! is read on a background thread, never the UI thread, and added as the
//! lowest-priority fallback, so Latin text keeps egui's font.

use std::path::{Path, PathBuf};

use eframe::egui::{self, FontData, FontFamily};
use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};

/// Well-known places of CJK fonts on Linux, macOS and Windows, best first.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\YuGothR.ttc",
    "C:\\Windows\\Fonts\\malgun.ttf",
];

/// The first CJK font that exists here.
pub fn find_cjk_font() -> Option<PathBuf> {
    CANDIDATES
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
}

/// Adds a CJK font's bytes to `ctx` as the lowest-priority fallback of
/// both families; it is used from the next frame on.
pub fn add_cjk_font(ctx: &egui::Context, bytes: Vec<u8>) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily {
            family,
            priority: FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(FontInsert::new(
        "system-cjk",
        FontData::from_owned(bytes),
        families,
    ));
}

/// Loads a CJK font on a background thread and adds it to `ctx` when read.
pub fn load_cjk_font_in_background(ctx: &egui::Context) {
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("skiff-fonts".to_string())
        .spawn(move || {
            let Some(path) = find_cjk_font() else {
                tracing::info!(
                    "no CJK font found; Chinese, Japanese and Korean names show as boxes"
                );
                return;
            };
            match std::fs::read(&path) {
                Ok(bytes) => {
                    add_cjk_font(&ctx, bytes);
                    ctx.request_repaint();
                }
                Err(e) => tracing::warn!("cannot read the CJK font: {e}: {}", path.display()),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the font loader: {e}");
    }
}
