//! File, folder and link icons drawn with shapes, so they need no emoji font
//! and follow the theme's colours at any scale.

use eframe::egui::{self, Color32, CornerRadius, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};

use super::files::RowKind;
use super::i18n::tr;

/// Draws the icon for `kind` in a square as tall as a text line.
pub fn file_icon_ui(ui: &mut egui::Ui, kind: RowKind) -> egui::Response {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    if ui.is_rect_visible(rect) {
        paint_file_icon(ui.painter(), rect, kind, ui.visuals().dark_mode);
    }
    response
}

/// Paints the icon for `kind` into `rect`.
pub fn paint_file_icon(painter: &egui::Painter, rect: Rect, kind: RowKind, dark: bool) {
    let r = rect.shrink(rect.width() * 0.1);
    match kind {
        RowKind::Folder => {
            let fill = if dark {
                Color32::from_rgb(0xd9, 0xa8, 0x3c)
            } else {
                Color32::from_rgb(0xe8, 0xb3, 0x3a)
            };
            let tab = Rect::from_min_size(
                Pos2::new(r.left(), r.top() + r.height() * 0.12),
                Vec2::new(r.width() * 0.45, r.height() * 0.2),
            );
            let body = Rect::from_min_max(Pos2::new(r.left(), r.top() + r.height() * 0.25), r.max);
            painter.rect_filled(tab, CornerRadius::same(1), fill);
            painter.rect_filled(body, CornerRadius::same(2), fill);
        }
        RowKind::File | RowKind::Link => {
            let page = Rect::from_center_size(r.center(), Vec2::new(r.width() * 0.72, r.height()));
            let (fill, line) = if dark {
                (Color32::from_gray(0xd8), Color32::from_gray(0x70))
            } else {
                (Color32::WHITE, Color32::from_gray(0x80))
            };
            painter.rect(
                page,
                CornerRadius::same(1),
                fill,
                Stroke::new(1.0, line),
                StrokeKind::Inside,
            );
            for i in 1..4 {
                let y = page.top() + page.height() * (i as f32) / 4.5 + 1.0;
                painter.line_segment(
                    [
                        Pos2::new(page.left() + 2.5, y),
                        Pos2::new(page.right() - 2.5, y),
                    ],
                    Stroke::new(1.0, line),
                );
            }
            if kind == RowKind::Link {
                // A small arrow in the corner, as file managers mark links.
                let a = Pos2::new(page.left() - 1.0, page.bottom() - 1.0);
                let b = Pos2::new(
                    page.left() + page.width() * 0.55,
                    page.bottom() - page.height() * 0.45,
                );
                let stroke = Stroke::new(1.5, Color32::from_rgb(0x2f, 0x7d, 0xd1));
                painter.line_segment([a, b], stroke);
                painter.line_segment([b, Pos2::new(b.x - 3.0, b.y)], stroke);
                painter.line_segment([b, Pos2::new(b.x, b.y + 3.0)], stroke);
            }
        }
    }
}

/// A padlock for the status bar (encrypted connection).
pub fn lock_icon_ui(ui: &mut egui::Ui, locked: bool) -> egui::Response {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    if ui.is_rect_visible(rect) {
        let color = if locked {
            Color32::from_rgb(0x3a, 0xa8, 0x5a)
        } else {
            Color32::from_rgb(0xc8, 0x8a, 0x2a)
        };
        let body = Rect::from_min_max(
            Pos2::new(rect.left() + rect.width() * 0.2, rect.center().y - 1.0),
            Pos2::new(rect.right() - rect.width() * 0.2, rect.bottom() - 1.0),
        );
        ui.painter().rect_filled(body, CornerRadius::same(1), color);
        let shackle_center = Pos2::new(
            if locked {
                body.center().x
            } else {
                body.center().x + body.width() * 0.3
            },
            body.top(),
        );
        let radius = body.width() * 0.3;
        let points: Vec<Pos2> = (0..=12)
            .map(|i| {
                let angle = std::f32::consts::PI * (1.0 + i as f32 / 12.0);
                Pos2::new(
                    shackle_center.x + radius * angle.cos(),
                    shackle_center.y + radius * angle.sin() * 1.3,
                )
            })
            .collect();
        ui.painter()
            .add(egui::Shape::line(points, Stroke::new(1.6, color)));
    }
    response
}

/// A small triangle pointing down (open/descending) or right/up, drawn with
/// shapes; `direction` is the angle of its tip in quarter turns (0 right, 1 down, 3 up).
pub fn paint_triangle(painter: &egui::Painter, rect: Rect, quarter_turns: u8, color: Color32) {
    let c = rect.center();
    let r = rect.width().min(rect.height()) * 0.3;
    let base = [
        Vec2::new(r, 0.0),
        Vec2::new(-r * 0.6, -r),
        Vec2::new(-r * 0.6, r),
    ];
    let angle = std::f32::consts::FRAC_PI_2 * f32::from(quarter_turns);
    let (sin, cos) = angle.sin_cos();
    let points = base
        .iter()
        .map(|v| c + Vec2::new(v.x * cos - v.y * sin, v.x * sin + v.y * cos))
        .collect();
    painter.add(egui::Shape::convex_polygon(points, color, Stroke::NONE));
}

/// A tree node's expand/collapse toggle, with an accessible name.
pub fn toggle_ui(ui: &mut egui::Ui, open: bool, visible: bool) -> egui::Response {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::click());
    let label = if open {
        tr!("tree-collapse")
    } else {
        tr!("tree-expand")
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    if visible && ui.is_rect_visible(rect) {
        let color = ui.style().interact(&response).fg_stroke.color;
        paint_triangle(ui.painter(), rect, if open { 1 } else { 0 }, color);
    }
    response
}
