//! The queue's transfer workers, and what they share with the walker.
//!
//! A worker owns at most one control connection per site and keeps it from
//! item to item; it runs one file at a time through
//! [`crate::engine::transfer`] and reports how it ended ([`Msg`]). A small
//! file received whole is written while the worker goes on with the next
//! one. A worker decides nothing about the queue (the actor does) and never
//! sees the item table. [`Connections`], [`catch_panic`] and [`item_sink`]
//! serve the walker ([`super::walker`]) too.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

use tokio::sync::mpsc;

use super::msg::{Hint, JobResult, Msg, QueueSink, WorkerJob};
use super::{Direction, ItemId, QueueEvent, SiteKey};
use crate::engine::config::SessionConfig;
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{Event, EventSink, LogKind};
use crate::engine::session::Session;
use crate::engine::transfer::{
    PendingStore, TransferSettings, download_file_deferred, upload_file_with,
};

/// Connections per site, kept between items.
#[derive(Default)]
pub(super) struct Connections {
    slots: HashMap<SiteKey, (u64, Option<Session>)>,
}

impl Connections {
    /// The slot for a site, emptied first when its settings changed. A
    /// connection `lent` to the queue fills it when it is empty (it takes the
    /// queue's limiters and `events`); otherwise the lent one is closed.
    pub(super) async fn slot(
        &mut self,
        config: &SessionConfig,
        generation: u64,
        lent: Option<Box<Session>>,
        events: &EventSink,
    ) -> &mut Option<Session> {
        let entry = self
            .slots
            .entry(SiteKey::of(config))
            .or_insert((generation, None));
        if entry.0 != generation {
            entry.0 = generation;
            if let Some(old) = entry.1.take() {
                old.quit().await;
            }
        }
        if let Some(mut lent) = lent
            && entry.1.is_none()
        {
            lent.adopt(config, events.clone());
            entry.1 = Some(*lent);
        }
        &mut entry.1
    }

    /// Takes the connection to a site out, if there is one.
    pub(super) fn take(&mut self, key: &SiteKey) -> Option<Session> {
        self.slots
            .get_mut(key)
            .and_then(|(_, session)| session.take())
    }

    /// Closes the connection to a site, if there is one.
    pub(super) async fn release(&mut self, key: &SiteKey) {
        if let Some((_, Some(session))) = self.slots.remove(key) {
            session.quit().await;
        }
    }

    pub(super) async fn close(self) {
        for (_, (_, session)) in self.slots {
            if let Some(session) = session {
                session.quit().await;
            }
        }
    }
}

pub(super) const NO_ITEM: u64 = u64::MAX;

/// How long a held store (see [`PendingStore::is_held`]) waits for the
/// worker's next job before it runs on its own; the queue answers a
/// worker's report within microseconds when it has more for it.
const HELD_STORE_WAIT: std::time::Duration = std::time::Duration::from_millis(2);

/// Runs `work`, turning a panic inside it into [`EngineError::Internal`]: a
/// bug fails one item (and drops its connection) instead of silently ending
/// the worker while the queue waits for it forever.
pub(super) async fn catch_panic<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                std::task::Poll::Ready(Err(EngineError::Internal(why)))
            }
        }
    })
    .await
}

/// An event sink for connections whose log lines go to the front end and
/// whose progress is reported for the item `current` names, mapped where
/// they happen (no task in between).
pub(super) fn item_sink(
    sink: QueueSink,
    msgs: mpsc::UnboundedSender<Msg>,
    current: Arc<AtomicU64>,
) -> EventSink {
    let protocol_log = sink.protocol_log;
    EventSink::with_handler(Arc::new(move |event| match event {
        Event::Log(line)
            if protocol_log || matches!(line.kind, LogKind::Warning | LogKind::Error) =>
        {
            sink.send(QueueEvent::Log(line))
        }
        Event::Progress(progress) => {
            let id = current.load(Ordering::Relaxed);
            if id != NO_ITEM {
                let _ = msgs.send(Msg::Progress {
                    id,
                    done: progress.done,
                    total: progress.total,
                    rate: progress.rate,
                });
            }
        }
        Event::Retrying { reason, delay } => {
            let id = current.load(Ordering::Relaxed);
            if id != NO_ITEM {
                let _ = msgs.send(Msg::Retrying { id, reason, delay });
            }
        }
        _ => {}
    }))
}

/// A worker: takes file jobs until its channel closes.
pub(super) async fn run_worker(
    index: usize,
    mut jobs: mpsc::UnboundedReceiver<WorkerJob>,
    msgs: mpsc::UnboundedSender<Msg>,
    sink: QueueSink,
) {
    let current = Arc::new(AtomicU64::new(NO_ITEM));
    let events = item_sink(sink, msgs.clone(), Arc::clone(&current));
    let mut connections = Connections::default();
    // A small file received but still being written: its item is reported
    // when the write ends, while this worker already moves the next file.
    let mut storing: Option<(ItemId, PendingStore, JobResult)> = None;
    loop {
        let held = storing
            .as_ref()
            .is_some_and(|(_, store, _)| store.is_held());
        let job = if held {
            // A held store waits for the next job, to run while that job
            // waits for the server; with no job coming, it runs now.
            match tokio::time::timeout(HELD_STORE_WAIT, jobs.recv()).await {
                Ok(job) => job,
                Err(_) => {
                    if let Some((id, store, received)) = storing.take()
                        && !store_and_report(&msgs, index, id, store, received).await
                    {
                        break;
                    }
                    continue;
                }
            }
        } else {
            tokio::select! {
                biased;
                joined = async {
                    match storing.as_mut() {
                        Some((_, store, _)) => store.joined().await,
                        None => std::future::pending().await,
                    }
                }, if storing.is_some() => {
                    if let Some((id, store, received)) = storing.take()
                        && !report_stored(&msgs, index, id, store.settle(joined), received)
                    {
                        break;
                    }
                    continue;
                }
                job = jobs.recv() => job,
            }
        };
        let Some(job) = job else { break };
        // Only a file's transfer has a wait to hide a held store behind.
        if !matches!(job, WorkerJob::File(_))
            && let Some((id, store, received)) = storing.take_if(|(_, s, _)| s.is_held())
            && !store_and_report(&msgs, index, id, store, received).await
        {
            break;
        }
        let mut job = match job {
            WorkerJob::File(job) => job,
            WorkerJob::Release(key) => {
                connections.release(&key).await;
                continue;
            }
            WorkerJob::Connect { site, generation } => {
                let slot = connections.slot(&site, generation, None, &events).await;
                if slot.is_none() {
                    // A failure here is not an item's: the first file tries
                    // again and reports what happens then.
                    match Session::connect((*site).clone(), events.clone()).await {
                        Ok(session) => *slot = Some(session),
                        Err(e) => tracing::debug!("connecting ahead of work failed: {e}"),
                    }
                }
                continue;
            }
        };
        current.store(job.target.id, Ordering::Relaxed);
        let settings = TransferSettings {
            session: (*job.target.site).clone(),
            retry: job.retry,
            exists: job.exists,
            events: events.clone(),
            cancel: job.cancel.clone(),
            preserve_times: job.preserve_times,
            within: job.within.take(),
        };
        let slot = connections
            .slot(
                &job.target.site,
                job.target.generation,
                job.session.take(),
                &events,
            )
            .await;
        let mut deferred: Option<PendingStore> = None;
        let work = catch_panic(async {
            match job.target.direction {
                Direction::Download => {
                    download_file_deferred(
                        slot,
                        &settings,
                        &job.target.remote,
                        job.facts,
                        &job.target.local,
                        job.mode,
                        Some(&mut deferred),
                    )
                    .await
                }
                Direction::Upload => {
                    let remote_facts = match job.hint {
                        Hint::Remote(facts) => Some(facts),
                        Hint::FreshTarget => Some(None),
                        Hint::Unknown | Hint::LocalFolder { .. } => None,
                    };
                    upload_file_with(
                        slot,
                        &settings,
                        &job.target.local,
                        &job.target.remote,
                        remote_facts,
                        job.mode,
                    )
                    .await
                }
            }
        });
        let held = storing.take_if(|(_, store, _)| store.is_held());
        let Some(result) = overlap(work, held, &msgs, index).await else {
            break;
        };
        if result
            .as_ref()
            .is_err_and(|e| matches!(e, EngineError::Internal(_)))
        {
            // Whatever state the connection was left in is not to be trusted.
            slot.take();
        }
        current.store(NO_ITEM, Ordering::Relaxed);
        if let Some(store) = deferred.filter(|_| result.is_ok()) {
            // At most one file waits for the disk: the one before goes first.
            if let Some((id, previous, earlier)) = storing.take()
                && !store_and_report(&msgs, index, id, previous, earlier).await
            {
                break;
            }
            storing = Some((job.target.id, store, result));
            if msgs
                .send(Msg::Received {
                    worker: index,
                    id: job.target.id,
                })
                .is_err()
            {
                break;
            }
            continue;
        }
        if msgs
            .send(Msg::Finished {
                worker: index,
                id: job.target.id,
                result,
            })
            .is_err()
        {
            break;
        }
    }
    if let Some((id, store, result)) = storing.take() {
        store_and_report(&msgs, index, id, store, result).await;
    }
    connections.close().await;
}

/// Runs `work` (a job's transfer); when a `held` store of the file before
/// waits, the transfer is started first (its first command goes out) and
/// the file is written while the server answers, on this thread. `None`
/// when the queue is gone.
async fn overlap(
    work: impl Future<Output = JobResult>,
    held: Option<(ItemId, PendingStore, JobResult)>,
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
) -> Option<JobResult> {
    let mut work = std::pin::pin!(work);
    let Some((id, store, received)) = held else {
        return Some(work.await);
    };
    let first = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
    if !store_and_report(msgs, worker, id, store, received).await {
        return None;
    }
    Some(match first {
        Poll::Ready(result) => result,
        Poll::Pending => work.await,
    })
}

/// Waits for the store of an item whose bytes were `received` (a held one
/// is written now, here; a panic in it fails the item), then reports the
/// item; false when the queue is gone.
async fn store_and_report(
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
    id: ItemId,
    store: PendingStore,
    received: JobResult,
) -> bool {
    let stored = catch_panic(store.wait()).await;
    report_stored(msgs, worker, id, stored, received)
}

/// Reports an item whose bytes were `received` once its deferred store
/// ended with `stored`; false when the queue is gone.
fn report_stored(
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
    id: ItemId,
    stored: Result<()>,
    received: JobResult,
) -> bool {
    let result = stored.and(received);
    msgs.send(Msg::Finished { worker, id, result }).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_a_job_becomes_an_internal_error() {
        let result: Result<u32> = catch_panic(async {
            tokio::task::yield_now().await;
            panic!("boom in a transfer");
        })
        .await;
        match result {
            Err(EngineError::Internal(why)) => assert!(why.contains("boom in a transfer")),
            other => panic!("expected an internal error, got {other:?}"),
        }
        // A job that does not panic is untouched.
        assert_eq!(catch_panic(async { Ok(7) }).await.ok(), Some(7));
    }
}
