//! `skiff queue show|resume`: a stored queue file's items, and finishing
//! the paused ones.
//!
//! Must not change a queue file except through the queue it starts.

use std::path::Path;

use super::target::{blocking_target, open};
use super::transfer::{QueueRun, Work, run_queue};
use super::{CliError, Finish, Options, QueueAction};
use crate::engine::LogKind;
use crate::engine::event::EventSink;
use crate::engine::queue::{
    Direction, ItemState, ItemView, QueueCommand, QueueEvent, QueueHandle, QueueOptions,
    default_store,
};

/// `skiff queue show|resume`.
pub(super) async fn queue_command(
    action: QueueAction,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    match action {
        QueueAction::Show { file } => {
            let file = file
                .or_else(default_store)
                .ok_or_else(|| CliError::Usage("no data folder: name the queue file".into()))?;
            show_queue(&file).await
        }
        QueueAction::Resume { file, url } => {
            // A URL or a saved site ("site:Folder/Name").
            let (url, mut config) = blocking_target(&url, options).await?;
            // Connect once first, so a wrong password or host fails here, loudly.
            let (session, _) = open(&url, &mut config, &events).await?;
            session.quit().await;
            let mut options = options.clone();
            options.queue = Some(file);
            run_queue(
                QueueRun::start(&config, &options, false),
                &options,
                Work::ResumeAll,
                false,
                None,
            )
            .await
        }
    }
}

/// Prints a queue file's items: `STATE DIRECTION DONE/SIZE LOCAL REMOTE`.
async fn show_queue(file: &Path) -> Result<Finish, CliError> {
    let options = QueueOptions {
        store: Some(file.to_path_buf()),
        process: false,
        ..QueueOptions::default()
    };
    let (queue, mut events) = QueueHandle::start(
        &tokio::runtime::Handle::current(),
        options,
        std::sync::Arc::new(|| {}),
    );
    queue.send(QueueCommand::Shutdown);
    let mut views: Vec<ItemView> = Vec::new();
    while let Some(event) = events.recv().await {
        match event {
            QueueEvent::Upsert(items) => views.extend(items),
            QueueEvent::Log(line) if line.kind != LogKind::Status => {
                eprintln!("skiff: {}", crate::protocol::text::scrub(&line.text))
            }
            _ => {}
        }
    }
    views.sort_by_key(|v| v.id);
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for v in &views {
        let state = match &v.state {
            ItemState::Queued => "queued".to_string(),
            ItemState::Paused => "paused".to_string(),
            ItemState::Running => "running".to_string(),
            ItemState::Asking => "asking".to_string(),
            ItemState::Done => "done".to_string(),
            ItemState::Skipped(why) => format!("skipped ({why})"),
            ItemState::Failed(why) => format!("failed ({why})"),
        };
        let direction = match v.direction {
            Direction::Download => "get",
            Direction::Upload => "put",
        };
        let size = v.size.map(|s| s.to_string()).unwrap_or_else(|| "?".into());
        let kind = if v.is_dir { "dir" } else { "file" };
        let line = writeln!(
            out,
            "{}\t{state}\t{direction}\t{kind}\t{}/{size}\t{}\t{}\t{}",
            v.id,
            v.done,
            v.site,
            v.local.display(),
            v.remote_display
        );
        if let Err(e) = line
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            return Ok(Finish::Ok);
        }
    }
    let _ = out.flush();
    Ok(Finish::Ok)
}
