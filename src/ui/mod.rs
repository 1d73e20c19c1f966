//! The desktop window (eframe/egui).
//!
//! For now a placeholder that says what works (the command line); the
//! two-pane browser replaces it. The UI must only ever talk to the engine
//! through its command and event types, never by waiting on the network.

use eframe::egui;

/// The placeholder application.
#[derive(Debug, Default)]
pub struct SkiffApp {
    /// The URL the window was asked to open, shown until the browser exists.
    pub requested_url: Option<String>,
}

impl eframe::App for SkiffApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Skiff");
            ui.label("The two-pane browser is being built. The engine works today from the command line:");
            ui.monospace("skiff ls ftp://host/path\nskiff get -r ftp://host/folder ./\nskiff put file.txt ftp://user@host/folder/");
            if let Some(url) = &self.requested_url {
                ui.separator();
                ui.label(format!("Asked to open: {url}"));
            }
        });
    }
}

/// Opens the window and runs it until it is closed.
pub fn run(requested_url: Option<String>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Skiff")
            .with_inner_size([720.0, 420.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Skiff",
        options,
        Box::new(move |_cc| Ok(Box::new(SkiffApp { requested_url }))),
    )
}
