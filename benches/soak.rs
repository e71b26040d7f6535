//! Soak: the demo for 24 simulated hours on an accelerated clock, headless (the app,
//! its job runner and `ui::render` into a buffer every 20 ms, as the terminal loop
//! would draw), with every pane refreshing on its own schedule and a user moving around
//! (focus, drill-down and back, zoom, a filter) every simulated 10 minutes. The resident
//! memory (`/proc/self/statm`) is sampled every simulated 30 minutes.
//!
//! `cargo bench --bench soak`: 24 hours at 600x (about 2.5 minutes), the curve printed
//! as CSV (`sim_hours,rss_mib,jobs,cleanups`) and summarised (first hour vs last).
//! `GRAYSCOPE_SOAK_HOURS` and `GRAYSCOPE_SOAK_SPEED` change them. Under `cargo test` it
//! runs 30 simulated minutes and checks only that the app is still running.

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::Services;
use grayscope::backend::demo::DemoBackend;
use grayscope::clock::Clock;
use grayscope::jobs::{Effect, Jobs};
use grayscope::keymap::Keymap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

fn env_f64(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let hours = env_f64("GRAYSCOPE_SOAK_HOURS").unwrap_or(if bench { 24.0 } else { 0.5 });
    let speed = env_f64("GRAYSCOPE_SOAK_SPEED").unwrap_or(600.0) as u32;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("start");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let samples = rt.block_on(async move {
        let clock = Clock::accelerated(start, speed);
        let services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
        let mut app = App::new(
            Mode::Demo,
            Keymap::defaults(),
            vec!["shop-frontend".into()],
            Duration::seconds(30),
            clock.now(),
        );
        let (mut jobs, mut rx) = Jobs::with_channel(services);
        let apply = |jobs: &mut Jobs, effects: Vec<Effect>| {
            for e in effects {
                if !matches!(e, Effect::Reconnect { .. }) {
                    jobs.apply(e);
                }
            }
        };
        apply(&mut jobs, app.start(clock.now()));
        let area = Rect::new(0, 0, 160, 48);
        let end = start + Duration::minutes((hours * 60.0) as i64);
        let mut next_sample = start;
        let mut next_user = start + Duration::minutes(10);
        let mut step = 0usize;
        let mut samples: Vec<(f64, f64, usize, usize)> = Vec::new();
        let script: Vec<Msg> = vec![
            key(KeyCode::Char('1')),
            key(KeyCode::Enter),
            key(KeyCode::Esc),
            key(KeyCode::Char('2')),
            key(KeyCode::Char(']')),
            key(KeyCode::Char('3')),
            key(KeyCode::Char('s')),
            key(KeyCode::Enter),
            key(KeyCode::Esc),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('4')),
            key(KeyCode::Enter),
            key(KeyCode::Esc),
            key(KeyCode::Char('z')),
            key(KeyCode::Char('z')),
            key(KeyCode::Char('r')),
        ];
        loop {
            let now = clock.now();
            if now >= end {
                break;
            }
            while let Ok(msg) = rx.try_recv() {
                let effects = app.update(msg, clock.now());
                apply(&mut jobs, effects);
            }
            let effects = app.update(Msg::Tick, now);
            apply(&mut jobs, effects);
            if now >= next_user {
                let effects = app.update(script[step % script.len()].clone_msg(), now);
                apply(&mut jobs, effects);
                step += 1;
                next_user = now + Duration::minutes(10);
            }
            let mut buf = Buffer::empty(area);
            grayscope::ui::render(area, &mut buf, &app);
            if now >= next_sample {
                let h = (now - start).num_seconds() as f64 / 3600.0;
                samples.push((h, rss_mib(), jobs.running(), jobs.pending_cleanups()));
                if bench {
                    eprintln!("soak: {h:5.2} h  {:7.1} MiB", rss_mib());
                }
                next_sample = now + Duration::minutes(30);
            }
            assert!(!app.quit, "the app quit by itself");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let h = (clock.now() - start).num_seconds() as f64 / 3600.0;
        samples.push((h, rss_mib(), jobs.running(), jobs.pending_cleanups()));
        jobs.shutdown(std::time::Duration::from_secs(5)).await;
        samples
    });
    println!("sim_hours,rss_mib,jobs,cleanups");
    for (h, rss, j, c) in &samples {
        println!("{h:.2},{rss:.1},{j},{c}");
    }
    let first_hour = samples
        .iter()
        .find(|s| s.0 >= 1.0)
        .or(samples.last())
        .map(|s| s.1)
        .unwrap_or(0.0);
    let last = samples.last().map(|s| s.1).unwrap_or(0.0);
    let max = samples.iter().map(|s| s.1).fold(0.0, f64::max);
    println!(
        "soak: {hours} h at {speed}x: RSS {first_hour:.1} MiB after 1 h, {last:.1} MiB at the end, peak {max:.1} MiB"
    );
}

/// `Msg` is not `Clone`; the script's keys are.
trait CloneMsg {
    fn clone_msg(&self) -> Msg;
}

impl CloneMsg for Msg {
    fn clone_msg(&self) -> Msg {
        match self {
            Msg::Key(k) => Msg::Key(*k),
            _ => Msg::Tick,
        }
    }
}
