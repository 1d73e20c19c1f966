//! View/Edit's watch on the files being edited, through the system's file
//! notifications (`notify`: inotify, FSEvents, ReadDirectoryChangesW).
//!
//! Each file is watched through its own private folder, not the file
//! itself: most editors save by writing a new file and renaming it over
//! the old one, which a watch on the old file would not see. The watcher
//! and the reading of a file's size and time live on a thread of their
//! own, never the window's; deciding whether a [`Touched`] is a change is
//! `update`'s job.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use notify::{RecursiveMode, Watcher};

use super::edit_state::{LocalFacts, Touched};

type Watched = Arc<Mutex<HashMap<PathBuf, (u64, PathBuf)>>>;

/// What the window asks of the watcher's thread.
enum Command {
    Watch(u64, PathBuf),
    Unwatch(u64),
}

/// The window's handle on the watcher's thread; dropping it ends the thread.
pub struct EditWatcher {
    commands: Option<mpsc::Sender<Command>>,
}

impl std::fmt::Debug for EditWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditWatcher").finish_non_exhaustive()
    }
}

/// A file's size and time now; `None` when it cannot be read.
pub fn local_facts(file: &Path) -> Option<LocalFacts> {
    let meta = std::fs::metadata(file).ok()?;
    Some(LocalFacts {
        size: meta.len(),
        modified: meta.modified().ok()?,
    })
}

fn lock(watched: &Watched) -> std::sync::MutexGuard<'_, HashMap<PathBuf, (u64, PathBuf)>> {
    // A poisoned map still holds valid paths.
    watched.lock().unwrap_or_else(|e| e.into_inner())
}

impl EditWatcher {
    /// Starts the watcher's thread, which sends what it sees on `tx` and
    /// calls `wake` after each.
    pub fn start(tx: mpsc::Sender<Touched>, wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (commands, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("skiff-edit-watch".to_string())
            .spawn(move || run(&rx, &tx, Arc::new(wake)));
        if let Err(e) = &spawned {
            tracing::warn!("cannot start the edited files' watcher: {e}");
        }
        Self {
            commands: spawned.ok().map(|_| commands),
        }
    }

    /// Watches `file` (in a folder of its own) as edited file `id`; its
    /// facts now come first, as what the editor starts from.
    pub fn watch(&self, id: u64, file: PathBuf) -> Result<(), String> {
        self.commands
            .as_ref()
            .and_then(|c| c.send(Command::Watch(id, file)).ok())
            .ok_or_else(|| "the watcher's thread is not running".to_string())
    }

    /// Stops watching edited file `id`.
    pub fn unwatch(&self, id: u64) {
        if let Some(commands) = &self.commands {
            let _ = commands.send(Command::Unwatch(id));
        }
    }
}

/// The watcher's thread: the system watcher's events become [`Touched`]s;
/// the window's commands add and remove folders.
fn run(
    commands: &mpsc::Receiver<Command>,
    tx: &mpsc::Sender<Touched>,
    wake: Arc<dyn Fn() + Send + Sync>,
) {
    let watched: Watched = Arc::default();
    let map = Arc::clone(&watched);
    let sender = tx.clone();
    let waker = Arc::clone(&wake);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let mut seen: Vec<(u64, PathBuf)> = Vec::new();
        {
            let map = lock(&map);
            for path in &event.paths {
                let folder = path.parent().unwrap_or(path);
                let hit = map.get(path.as_path()).or_else(|| map.get(folder));
                if let Some((id, file)) = hit
                    && !seen.iter().any(|(i, _)| i == id)
                {
                    seen.push((*id, file.clone()));
                }
            }
        }
        if seen.is_empty() {
            return;
        }
        for (id, file) in seen {
            let facts = local_facts(&file);
            let _ = sender.send(Touched::Facts { id, facts });
        }
        waker();
    })
    .map_err(|e| e.to_string());
    while let Ok(command) = commands.recv() {
        match command {
            Command::Watch(id, file) => {
                let folder = file.parent().unwrap_or(&file).to_path_buf();
                lock(&watched).insert(folder.clone(), (id, file.clone()));
                let started = match &mut watcher {
                    Ok(watcher) => watcher
                        .watch(&folder, RecursiveMode::NonRecursive)
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.clone()),
                };
                let _ = tx.send(match started {
                    Ok(()) => Touched::Facts {
                        id,
                        facts: local_facts(&file),
                    },
                    Err(error) => Touched::Failed { id, error },
                });
                wake();
            }
            Command::Unwatch(id) => {
                let folder = {
                    let mut map = lock(&watched);
                    let folder = map
                        .iter()
                        .find(|(_, (i, _))| *i == id)
                        .map(|(f, _)| f.clone());
                    if let Some(folder) = &folder {
                        map.remove(folder);
                    }
                    folder
                };
                if let (Some(folder), Ok(watcher)) = (folder, watcher.as_mut()) {
                    let _ = watcher.unwatch(&folder);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A save by rename (as vim and most editors do) is seen, and so is a
    /// write in place; each arrives as the file's new size.
    #[test]
    fn saves_in_place_and_by_rename_are_seen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("7");
        std::fs::create_dir(&folder).expect("mkdir");
        let file = folder.join("notes.txt");
        std::fs::write(&file, b"one").expect("write");
        let (tx, rx) = mpsc::channel();
        let watcher = EditWatcher::start(tx, || {});
        watcher.watch(7, file.clone()).expect("watch");
        let first = rx.recv_timeout(Duration::from_secs(5)).expect("facts");
        assert!(
            matches!(first, Touched::Facts { id: 7, facts: Some(f) } if f.size == 3),
            "{first:?}"
        );
        let size_seen = |want: u64| {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while std::time::Instant::now() < deadline {
                if let Ok(Touched::Facts {
                    id: 7,
                    facts: Some(f),
                }) = rx.recv_timeout(Duration::from_millis(200))
                    && f.size == want
                {
                    return true;
                }
            }
            false
        };
        std::fs::write(&file, b"in place").expect("write");
        assert!(size_seen(8), "a write in place");
        let swap = folder.join(".notes.txt.swp");
        std::fs::write(&swap, b"by rename!!").expect("write");
        std::fs::rename(&swap, &file).expect("rename");
        assert!(size_seen(11), "a save by rename");
        watcher.unwatch(7);
    }
}
