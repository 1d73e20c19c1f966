//! Peak memory with 100,000 items queued (the limit: 100 MB).
//!
//! `cargo run --release --no-default-features --example queue_memory [N]`
//!
//! Queues N (default 100,000) file items with realistic paths on a site
//! without settings (so nothing runs), persisted to a temporary store, then
//! restarts the queue from that store in a fresh process. It prints the peak resident size
//! (VmHWM from /proc/self/status) after each step, the store's size and how
//! long adding, writing and restoring took. Linux only (it reads /proc).

use std::sync::Arc;
use std::time::{Duration, Instant};

use skiff::engine::queue::{
    Direction, ItemState, NewItem, QueueCommand, QueueEvent, QueueHandle, QueueOptions, SiteKey,
};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    if let Some(store) = std::env::args().nth(2) {
        return restore(count, store.into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let store = dir.path().join("queue.jsonl");
    let options = QueueOptions {
        store: Some(store.clone()),
        ..QueueOptions::default()
    };
    let site = SiteKey {
        host: "ftp.example.org".into(),
        port: 21,
        user: "alice".into(),
    };
    println!("start: peak RSS {} KiB", peak_rss_kib());
    let started = Instant::now();
    runtime.block_on(async {
        let (queue, mut events) =
            QueueHandle::start(runtime.handle(), options.clone(), Arc::new(|| {}));
        let items: Vec<NewItem> = (0..count)
            .map(|n| {
                let rel = format!(
                    "projects/site-{:03}/assets/images/photo-{n:06}.jpg",
                    n / 1000
                );
                NewItem {
                    direction: Direction::Download,
                    local: dir.path().join("download").join(&rel),
                    remote: format!("/pub/{rel}").into_bytes(),
                    remote_display: format!("/pub/{rel}"),
                    is_dir: false,
                    size: Some(4096 + n as u64),
                    modified: None,
                    overwrite: None,
                }
            })
            .collect();
        queue.send(QueueCommand::Add { site, items });
        let mut seen = 0;
        while seen < count {
            if let Some(QueueEvent::Upsert(views)) = events.recv().await {
                seen += views.len();
            }
        }
        println!(
            "{count} items queued in {:.2} s: peak RSS {} KiB",
            started.elapsed().as_secs_f64(),
            peak_rss_kib()
        );
        // Let the store catch up, then stop.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        queue.send(QueueCommand::Shutdown);
        while events.recv().await.is_some() {}
    });
    let size = std::fs::metadata(&store)?.len();
    println!(
        "store: {:.1} MiB, {} lines; peak RSS {} KiB",
        size as f64 / 1048576.0,
        std::fs::read(&store)?
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        peak_rss_kib()
    );
    // Restoring is measured in a fresh process: the allocator keeps what the
    // first queue freed, so this process's peak would mix the two.
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg(count.to_string())
        .arg(&store)
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

fn restore(count: usize, store: std::path::PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let options = QueueOptions {
        store: Some(store),
        ..QueueOptions::default()
    };
    let restarted = Instant::now();
    runtime.block_on(async {
        let (queue, mut events) = QueueHandle::start(runtime.handle(), options, Arc::new(|| {}));
        let mut paused = 0;
        while paused < count {
            match events.recv().await {
                Some(QueueEvent::Upsert(views)) => {
                    paused += views
                        .iter()
                        .filter(|v| v.state == ItemState::Paused)
                        .count()
                }
                Some(_) => {}
                None => break,
            }
        }
        println!(
            "restored {paused} paused items in {:.2} s (fresh process): peak RSS {} KiB",
            restarted.elapsed().as_secs_f64(),
            peak_rss_kib()
        );
        queue.send(QueueCommand::Shutdown);
        while events.recv().await.is_some() {}
    });
    Ok(())
}
