//! Frame time of the real app with a 100,000-entry remote folder on screen,
//! measured headless with egui_kittest (layout plus tessellation, the CPU
//! side of a frame; the GPU upload is not included). Not a test: it prints
//! the median and p99 of 300 frames while scrolling, right after sorting and
//! while filtering, and the process's resident size.
//!
//! Run: `cargo bench --bench frame_time`

use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use skiff::ui::files::{FileRow, RowKind};
use skiff::ui::pane::Loc;
use skiff::ui::{SkiffApp, StartOptions};

type App = Option<SkiffApp>;

const ENTRIES: usize = 100_000;
const FRAMES: usize = 300;

fn rows() -> Vec<FileRow> {
    (0..ENTRIES)
        .map(|i| {
            let kind = if i % 20 == 0 {
                RowKind::Folder
            } else {
                RowKind::File
            };
            let mut row = FileRow::new(
                format!("file-{:06}-{}.dat", (i * 7919) % ENTRIES, i % 13),
                kind,
            );
            row.raw = Some(row.name.clone().into_bytes());
            if kind == RowKind::File {
                row.size = Some((i as u64 * 104_729) % 10_000_000);
            }
            row.modified = chrono::NaiveDate::from_ymd_opt(
                2020 + (i % 6) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            )
            .and_then(|d| d.and_hms_opt((i % 24) as u32, (i % 60) as u32, 0));
            row.permissions = "-rw-r--r--".to_string();
            row.owner = "ftp ftp".to_string();
            row
        })
        .collect()
}

/// Steps one frame and tessellates its shapes, returning the time both took.
fn frame(harness: &mut Harness<'static, App>) -> Duration {
    let start = Instant::now();
    harness.step();
    let output = harness.output();
    let shapes = output.shapes.clone();
    let ppp = output.pixels_per_point;
    let _primitives = harness.ctx.tessellate(shapes, ppp);
    start.elapsed()
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];
    let max = times[times.len() - 1];
    println!(
        "{name:<28} median {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        ms(median),
        ms(p99),
        ms(max)
    );
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let local = std::env::temp_dir();
    let mut harness = Harness::builder()
        .with_size([1280.0, 860.0])
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, app: &mut App| {
                if let Some(app) = app {
                    app.show(ui);
                }
            },
            None,
        );
    let app = SkiffApp::new(
        &harness.ctx,
        StartOptions {
            local_dir: Some(local),
            ..Default::default()
        },
    )
    .expect("start the app");
    *harness.state_mut() = Some(app);
    harness.step();
    let rss_before = rss_mib();
    let rows = rows();
    if let Some(app) = harness.state_mut() {
        let _ =
            app.model
                .remote
                .show_listing(Loc::Remote(b"/big".to_vec()), "/big".to_string(), rows);
    }
    for _ in 0..5 {
        frame(&mut harness);
    }
    let table = harness
        .get_all_by_label("Size")
        .last()
        .expect("remote table header")
        .rect();
    let inside = egui::pos2(table.center().x, table.bottom() + 150.0);

    // Scrolling: the pointer over the remote table, one wheel step per frame.
    harness.event(egui::Event::PointerMoved(inside));
    let mut scrolling = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, -3.0),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
            source: egui::MouseWheelSource::Wheel,
        });
        scrolling.push(frame(&mut harness));
    }
    report("scrolling", scrolling);

    // Sorting: the first frame sorts 100,000 rows; then 299 ordinary frames.
    let mut sorting = Vec::with_capacity(FRAMES);
    harness
        .get_all_by_label("Size")
        .last()
        .expect("Size header")
        .click();
    for _ in 0..FRAMES {
        sorting.push(frame(&mut harness));
    }
    report("right after sorting by size", sorting.clone());
    println!(
        "{:<28} {:>6.2} ms",
        "  the sorting frame itself",
        sorting
            .iter()
            .max()
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );

    // Filtering: each typed character filters 100,000 names.
    let mut filtering = Vec::new();
    if let Some(app) = harness.state_mut() {
        app.model.remote.filter.clear();
    }
    for text in ["1", "12", "123", "12", "1", ""] {
        if let Some(app) = harness.state_mut() {
            app.model.remote.filter = text.to_string();
        }
        for _ in 0..50 {
            filtering.push(frame(&mut harness));
        }
    }
    report("while filtering", filtering);
    println!(
        "resident size: {:.0} MiB with the listing shown ({:.0} MiB before it)",
        rss_mib(),
        rss_before
    );
}
