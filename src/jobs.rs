//! Jobs: the only place where work that waits (backend calls) happens.
//!
//! A pane asks for work by returning [`Effect::Run`] with a [`Job`]: a name (its kind),
//! the pane's own generation, and an async closure that gets the [`Services`] and a
//! [`Reporter`]. The job runs on its own tokio task and may report many times
//! (`reporter.send(..)`: progress, partial rows, the final answer); each report comes
//! back to the event loop as a [`Msg::Job`] tagged with pane, kind and generation.
//!
//! Every running job has a handle, keyed by (pane, kind): a newer job of the same key
//! replaces it (the old one is cancelled), [`Effect::Cancel`] cancels it, and
//! [`Jobs::shutdown`] cancels everything when the program ends. A job can register
//! cleanup with [`Reporter::on_cancel`] (StopQuery, delete a created Reachability
//! path): it runs exactly once, when the job is cancelled or at shutdown, unless the
//! job disarmed it because it was no longer needed. Shutdown waits for cleanups up to
//! a deadline, then gives up on them.

use crate::app::{App, Msg};
use crate::backend::Services;
use crate::clock::Clock;
use futures::future::BoxFuture;
use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

/// Which pane a job belongs to (its registered id, e.g. `"az"`; `"app"` for the router).
pub type PaneId = &'static str;

/// The body of a job.
pub type Work = Box<dyn FnOnce(Services, Reporter) -> BoxFuture<'static, ()> + Send>;

/// Cleanup a job registered: gets the services, must not rely on the job's task.
pub type Cleanup = Box<dyn FnOnce(Services) -> BoxFuture<'static, ()> + Send>;

/// A piece of work a pane asked for.
pub struct Job {
    pub pane: PaneId,
    /// One job per (pane, kind) runs at a time; a newer one cancels the older.
    pub kind: &'static str,
    pub generation: u64,
    /// What it does, in words (logs, tests).
    pub label: String,
    pub work: Work,
}

impl Job {
    pub fn new<F, Fut>(
        pane: PaneId,
        kind: &'static str,
        generation: u64,
        label: impl Into<String>,
        work: F,
    ) -> Self
    where
        F: FnOnce(Services, Reporter) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        Self {
            pane,
            kind,
            generation,
            label: label.into(),
            work: Box::new(move |s, r| Box::pin(work(s, r))),
        }
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Job({}/{} #{}: {})",
            self.pane, self.kind, self.generation, self.label
        )
    }
}

/// Work for [`Jobs`] to do.
#[derive(Debug)]
pub enum Effect {
    Run(Job),
    /// Cancel the running job of this pane and kind (its cleanups run).
    Cancel {
        pane: PaneId,
        kind: &'static str,
    },
    /// Switch to another profile or region: stop everything and clean up as on exit,
    /// rebuild the services, then `App::reconnected`. Carried out by the event loop.
    Reconnect {
        profile: Option<String>,
        region: Option<String>,
    },
}

impl Effect {
    /// `pane/kind` of the job this effect is about (tests, logs).
    pub fn key(&self) -> String {
        match self {
            Effect::Run(j) => format!("{}/{}", j.pane, j.kind),
            Effect::Cancel { pane, kind } => format!("cancel {pane}/{kind}"),
            Effect::Reconnect { profile, region } => format!("reconnect {profile:?} {region:?}"),
        }
    }
}

/// One report of a running job.
pub struct JobMsg {
    pub pane: PaneId,
    pub kind: &'static str,
    pub generation: u64,
    pub payload: Box<dyn Any + Send>,
}

impl JobMsg {
    /// The payload as `T`, if it is one.
    pub fn take<T: 'static>(self) -> Option<T> {
        self.payload.downcast::<T>().ok().map(|b| *b)
    }

    pub fn is<T: 'static>(&self) -> bool {
        self.payload.is::<T>()
    }
}

impl fmt::Debug for JobMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "JobMsg({}/{} #{})",
            self.pane, self.kind, self.generation
        )
    }
}

type Cleanups = Arc<Mutex<Vec<(u64, String, Cleanup)>>>;

/// How a job talks back: reports, and cleanup registration.
#[derive(Clone)]
pub struct Reporter {
    pane: PaneId,
    kind: &'static str,
    generation: u64,
    tx: UnboundedSender<Msg>,
    cleanups: Cleanups,
    next_cleanup: Arc<AtomicU64>,
}

/// A registered cleanup, to disarm it once it is no longer needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupId(u64);

impl Reporter {
    /// Sends one report to the pane. Returns false when the app is gone (quitting).
    pub fn send<T: Any + Send>(&self, payload: T) -> bool {
        self.tx
            .send(Msg::Job(JobMsg {
                pane: self.pane,
                kind: self.kind,
                generation: self.generation,
                payload: Box::new(payload),
            }))
            .is_ok()
    }

    /// Registers `cleanup` to run if this job is cancelled or the program ends before
    /// [`Reporter::disarm`] is called with the returned id.
    pub fn on_cancel<F, Fut>(&self, what: impl Into<String>, cleanup: F) -> CleanupId
    where
        F: FnOnce(Services) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let id = self.next_cleanup.fetch_add(1, Ordering::Relaxed);
        lock(&self.cleanups).push((id, what.into(), Box::new(move |s| Box::pin(cleanup(s)))));
        CleanupId(id)
    }

    /// The cleanup is no longer needed (the query completed, the path was deleted).
    pub fn disarm(&self, id: CleanupId) {
        lock(&self.cleanups).retain(|(i, _, _)| *i != id.0);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Running {
    generation: u64,
    handle: JoinHandle<()>,
    cleanups: Cleanups,
}

/// Runs jobs, keeps their handles, cancels them, and cleans up after them.
pub struct Jobs {
    services: Services,
    tx: UnboundedSender<Msg>,
    running: HashMap<(PaneId, &'static str), Running>,
    /// Cleanups of jobs that ended without disarming them: they run at shutdown.
    leftover: Vec<((PaneId, &'static str), Cleanups)>,
    /// Cleanup tasks started by a cancel, awaited (up to the deadline) at shutdown.
    cleaning: Vec<JoinHandle<()>>,
    next_cleanup: Arc<AtomicU64>,
}

impl Jobs {
    /// Jobs over `services`; reports go to `tx`.
    pub fn new(services: Services, tx: UnboundedSender<Msg>) -> Self {
        Self {
            services,
            tx,
            running: HashMap::new(),
            leftover: Vec::new(),
            cleaning: Vec::new(),
            next_cleanup: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A channel and the jobs that send on it.
    pub fn with_channel(services: Services) -> (Self, UnboundedReceiver<Msg>) {
        let (tx, rx) = unbounded_channel();
        (Self::new(services, tx), rx)
    }

    /// Carries out one effect; returns at once.
    pub fn apply(&mut self, effect: Effect) {
        self.reap();
        match effect {
            Effect::Run(job) => self.spawn(job),
            Effect::Cancel { pane, kind } => self.cancel(pane, kind),
            Effect::Reconnect { .. } => {
                tracing::warn!("a reconnect reached the jobs layer; the event loop handles it")
            }
        }
    }

    pub fn apply_all(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.apply(e);
        }
    }

    fn spawn(&mut self, job: Job) {
        let key = (job.pane, job.kind);
        self.cancel(job.pane, job.kind);
        tracing::debug!(pane = job.pane, kind = job.kind, generation = job.generation, label = %job.label, "job starts");
        let cleanups: Cleanups = Arc::default();
        let reporter = Reporter {
            pane: job.pane,
            kind: job.kind,
            generation: job.generation,
            tx: self.tx.clone(),
            cleanups: cleanups.clone(),
            next_cleanup: self.next_cleanup.clone(),
        };
        let handle = tokio::spawn((job.work)(self.services.clone(), reporter));
        self.running.insert(
            key,
            Running {
                generation: job.generation,
                handle,
                cleanups,
            },
        );
    }

    /// Stops the job of `pane`/`kind` if one runs, and starts its cleanups, and those
    /// an earlier job of that pane and kind left registered when it finished.
    pub fn cancel(&mut self, pane: PaneId, kind: &'static str) {
        if let Some(r) = self.running.remove(&(pane, kind)) {
            if !r.handle.is_finished() {
                tracing::debug!(pane, kind, generation = r.generation, "job cancelled");
                r.handle.abort();
            }
            self.start_cleanups(&r.cleanups);
        }
        let (done, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.leftover)
            .into_iter()
            .partition(|(k, _)| *k == (pane, kind));
        self.leftover = kept;
        for (_, c) in done {
            self.start_cleanups(&c);
        }
    }

    fn start_cleanups(&mut self, cleanups: &Cleanups) {
        let pending: Vec<_> = std::mem::take(&mut *lock(cleanups));
        for (_, what, cleanup) in pending {
            tracing::info!(%what, "cleaning up");
            self.cleaning
                .push(tokio::spawn(cleanup(self.services.clone())));
        }
    }

    /// Forgets finished jobs (keeping their undisarmed cleanups for shutdown); with
    /// [`Jobs::running`], tells a headless driver when everything has settled.
    pub fn reap(&mut self) {
        let done: Vec<_> = self
            .running
            .iter()
            .filter(|(_, r)| r.handle.is_finished())
            .map(|(k, _)| *k)
            .collect();
        for k in done {
            if let Some(r) = self.running.remove(&k)
                && !lock(&r.cleanups).is_empty()
            {
                self.leftover.push((k, r.cleanups));
            }
        }
        self.cleaning.retain(|h| !h.is_finished());
    }

    /// Jobs still running.
    pub fn running(&self) -> usize {
        self.running
            .values()
            .filter(|r| !r.handle.is_finished())
            .count()
    }

    /// Cleanups registered and not yet run (what an exit would have to do).
    pub fn pending_cleanups(&self) -> usize {
        self.running
            .values()
            .map(|r| lock(&r.cleanups).len())
            .chain(self.leftover.iter().map(|(_, c)| lock(c).len()))
            .sum::<usize>()
            + self.cleaning.iter().filter(|h| !h.is_finished()).count()
    }

    /// Cancels every job and runs every pending cleanup, waiting for them at most
    /// `deadline`. Returns how many cleanups did not finish in time.
    pub async fn shutdown(&mut self, deadline: Duration) -> usize {
        let keys: Vec<_> = self.running.keys().copied().collect();
        for (pane, kind) in keys {
            self.cancel(pane, kind);
        }
        for (_, c) in std::mem::take(&mut self.leftover) {
            self.start_cleanups(&c);
        }
        let cleaning = std::mem::take(&mut self.cleaning);
        let n = cleaning.len();
        if n == 0 {
            return 0;
        }
        let all = futures::future::join_all(cleaning);
        match tokio::time::timeout(deadline, all).await {
            Ok(_) => 0,
            Err(_) => {
                tracing::warn!(cleanups = n, "cleanup deadline passed; leaving");
                n
            }
        }
    }
}

/// Starts the app and carries out its effects until every job has finished and every
/// report has been handled (or `max_rounds` passes), without a terminal: `--print`,
/// snapshots and tests.
pub async fn run_until_idle(app: &mut App, services: Services, clock: Clock) {
    let (mut jobs, mut rx) = Jobs::with_channel(services);
    jobs.apply_all(app.start(clock.now()));
    loop {
        // Handle whatever has arrived.
        while let Ok(msg) = rx.try_recv() {
            let effects = app.update(msg, clock.now());
            jobs.apply_all(effects);
        }
        // Headless runs do not switch region or profile: `apply` logs and skips it.
        jobs.reap();
        if jobs.running() == 0 {
            // A finished job's last report may still be queued.
            match rx.try_recv() {
                Ok(msg) => {
                    let effects = app.update(msg, clock.now());
                    jobs.apply_all(effects);
                    continue;
                }
                Err(_) => break,
            }
        }
        match tokio::time::timeout(Duration::from_millis(20), rx.recv()).await {
            Ok(Some(msg)) => {
                let effects = app.update(msg, clock.now());
                jobs.apply_all(effects);
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    jobs.shutdown(Duration::from_secs(5)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::DemoBackend;
    use std::sync::atomic::AtomicUsize;

    fn services() -> Services {
        Services::from_backend(Arc::new(DemoBackend::new(Clock::System, 9)))
    }

    async fn next(rx: &mut UnboundedReceiver<Msg>) -> JobMsg {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(Msg::Job(m))) => m,
            other => panic!("expected a job report, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_job_streams_reports_in_order() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        jobs.apply(Effect::Run(Job::new(
            "t",
            "stream",
            7,
            "three rows",
            |_, r| async move {
                for i in 0..3u32 {
                    r.send(i);
                    tokio::task::yield_now().await;
                }
                r.send("done");
            },
        )));
        let mut got = Vec::new();
        for _ in 0..3 {
            let m = next(&mut rx).await;
            assert_eq!((m.pane, m.kind, m.generation), ("t", "stream", 7));
            got.push(m.take::<u32>().expect("a row"));
        }
        assert_eq!(got, [0, 1, 2]);
        assert_eq!(next(&mut rx).await.take::<&str>(), Some("done"));
    }

    fn counting_job(kind: &'static str, ran: Arc<AtomicUsize>) -> Effect {
        Effect::Run(Job::new(
            "t",
            kind,
            1,
            "waits forever",
            move |_, r| async move {
                r.on_cancel("count", move |_| async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                r.send(());
                std::future::pending::<()>().await;
            },
        ))
    }

    #[tokio::test]
    async fn cancel_runs_cleanup_exactly_once() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        let ran = Arc::new(AtomicUsize::new(0));
        jobs.apply(counting_job("q", ran.clone()));
        next(&mut rx).await;
        assert_eq!(jobs.pending_cleanups(), 1);
        jobs.apply(Effect::Cancel {
            pane: "t",
            kind: "q",
        });
        jobs.apply(Effect::Cancel {
            pane: "t",
            kind: "q",
        });
        assert_eq!(jobs.shutdown(Duration::from_secs(1)).await, 0);
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(jobs.running(), 0);
    }

    #[tokio::test]
    async fn a_newer_job_of_the_same_kind_replaces_the_older() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        let ran = Arc::new(AtomicUsize::new(0));
        jobs.apply(counting_job("q", ran.clone()));
        next(&mut rx).await;
        jobs.apply(counting_job("q", ran.clone()));
        next(&mut rx).await;
        assert_eq!(jobs.running(), 1);
        jobs.shutdown(Duration::from_secs(1)).await;
        assert_eq!(ran.load(Ordering::SeqCst), 2, "each job's cleanup once");
    }

    #[tokio::test]
    async fn shutdown_runs_cleanups_of_finished_jobs_and_disarmed_ones_never() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        let ran = Arc::new(AtomicUsize::new(0));
        let (a, b) = (ran.clone(), ran.clone());
        jobs.apply(Effect::Run(Job::new(
            "t",
            "kept",
            1,
            "",
            move |_, r| async move {
                r.on_cancel("kept", move |_| async move {
                    a.fetch_add(1, Ordering::SeqCst);
                });
                r.send(());
            },
        )));
        jobs.apply(Effect::Run(Job::new(
            "t",
            "disarmed",
            1,
            "",
            move |_, r| async move {
                let id = r.on_cancel("disarmed", move |_| async move {
                    b.fetch_add(10, Ordering::SeqCst);
                });
                r.disarm(id);
                r.send(());
            },
        )));
        next(&mut rx).await;
        next(&mut rx).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        jobs.reap();
        assert_eq!(jobs.pending_cleanups(), 1);
        jobs.shutdown(Duration::from_secs(1)).await;
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn cancelling_a_finished_job_runs_what_it_left_registered() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        let ran = Arc::new(AtomicUsize::new(0));
        let a = ran.clone();
        jobs.apply(Effect::Run(Job::new(
            "t",
            "path",
            1,
            "",
            move |_, r| async move {
                r.on_cancel("delete the path", move |_| async move {
                    a.fetch_add(1, Ordering::SeqCst);
                });
                r.send(());
            },
        )));
        next(&mut rx).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        jobs.reap();
        jobs.apply(Effect::Cancel {
            pane: "t",
            kind: "path",
        });
        assert_eq!(jobs.shutdown(Duration::from_secs(1)).await, 0);
        assert_eq!(
            ran.load(Ordering::SeqCst),
            1,
            "once, on the cancel, not again at exit"
        );
    }

    #[tokio::test]
    async fn shutdown_gives_up_on_a_slow_cleanup_at_the_deadline() {
        let (mut jobs, mut rx) = Jobs::with_channel(services());
        jobs.apply(Effect::Run(Job::new(
            "t",
            "slow",
            1,
            "",
            |_, r| async move {
                r.on_cancel("slow", |_| async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                });
                r.send(());
                std::future::pending::<()>().await;
            },
        )));
        next(&mut rx).await;
        let started = std::time::Instant::now();
        assert_eq!(jobs.shutdown(Duration::from_millis(50)).await, 1);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
