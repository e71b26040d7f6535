//! The app headless with a job runner the test keeps: start, then feed it messages
//! (keys, actions, ticks) at chosen instants and let every job it asks for finish, as
//! the terminal loop would, without a terminal. `grayscope::load_all` does one round;
//! this does many (a refresh after a fault, a reconnect key).

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use grayscope::app::{App, Msg};
use grayscope::backend::Services;
use grayscope::jobs::{Effect, Jobs};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

pub struct Driver {
    pub app: App,
    jobs: Jobs,
    rx: UnboundedReceiver<Msg>,
    /// Effects the runner does not carry out (Reconnect), in order.
    pub unhandled: Vec<Effect>,
}

impl Driver {
    /// Starts `app` on `services` at `now` and waits until everything it asked settled.
    pub async fn start(mut app: App, services: Services, now: DateTime<Utc>) -> Self {
        let (jobs, rx) = Jobs::with_channel(services);
        let effects = app.start(now);
        let mut d = Self {
            app,
            jobs,
            rx,
            unhandled: Vec::new(),
        };
        d.apply(effects);
        d.settle(now).await;
        d
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Reconnect { .. } => self.unhandled.push(e),
                other => self.jobs.apply(other),
            }
        }
    }

    /// Delivers `msg` at `now` and waits for what it started.
    pub async fn send(&mut self, msg: Msg, now: DateTime<Utc>) {
        let effects = self.app.update(msg, now);
        self.apply(effects);
        self.settle(now).await;
    }

    /// Swaps in new services (what the terminal loop does on Reconnect), then starts over.
    pub async fn reconnect(&mut self, services: Services, now: DateTime<Utc>) {
        self.jobs.shutdown(Duration::from_secs(5)).await;
        let (jobs, rx) = Jobs::with_channel(services);
        self.jobs = jobs;
        self.rx = rx;
        let effects = self.app.reconnected(now);
        self.apply(effects);
        self.settle(now).await;
    }

    /// Runs until no job is running and no report is queued.
    pub async fn settle(&mut self, now: DateTime<Utc>) {
        loop {
            while let Ok(msg) = self.rx.try_recv() {
                let effects = self.app.update(msg, now);
                self.apply(effects);
            }
            if self.jobs.running() == 0 {
                match self.rx.try_recv() {
                    Ok(msg) => {
                        let effects = self.app.update(msg, now);
                        self.apply(effects);
                        continue;
                    }
                    Err(_) => break,
                }
            }
            if let Ok(Some(msg)) =
                tokio::time::timeout(Duration::from_millis(20), self.rx.recv()).await
            {
                let effects = self.app.update(msg, now);
                self.apply(effects);
            }
        }
    }

    pub async fn shutdown(&mut self) -> usize {
        self.jobs.shutdown(Duration::from_secs(5)).await
    }
}
