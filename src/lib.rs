//! grayscope: a terminal UI for live AWS incident triage.
//!
//! How the house is laid out, and how data moves through it:
//!
//! - `cli`: command-line arguments (mirroring the aws CLI: `--profile`, `--region`).
//! - `keymap` + `keymaps/default.toml`: keys -> [`action::Action`]; user files merge over
//!   the compiled-in defaults; help and hints are generated from the live keymap.
//! - `app`: all state and `App::update(Msg) -> Vec<Effect>`; synchronous, no I/O.
//! - `jobs`: carries out effects (backend calls on tokio tasks) and sends the results
//!   back as `Msg::Loaded`, tagged with a generation so stale results are dropped.
//! - `backend`: the `Backend` trait (domain types in and out); `backend::aws` uses the
//!   official SDK clients, `backend::demo` simulates the incident.
//! - `model`: pure domain logic (zones, target tallies, metrics, the AZ verdict).
//! - `ui`: pure draw functions, one file per pane, rendering into a ratatui `Buffer`.
//! - `tui`: the terminal: raw mode, alternate screen, restore on panic and signals,
//!   the event loop that redraws only when the screen would change.

pub mod action;
pub mod app;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod jobs;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod tui;
pub mod ui;

pub use cli::Cli;

use app::{App, Mode};
use backend::Backend;
use backend::aws::{AwsBackend, AwsSettings};
use backend::demo::DemoBackend;
use clock::Clock;
use keymap::Keymap;
use std::sync::Arc;

/// Builds the app and backend from the command line.
pub fn setup(cli: &Cli, keymap: Keymap) -> (App, Arc<dyn Backend>, Clock) {
    let clock = match cli.clock {
        Some(t) => Clock::Frozen(t),
        None => Clock::System,
    };
    let (mode, backend, wanted): (Mode, Arc<dyn Backend>, Vec<String>) = if cli.demo {
        let wanted = if cli.load_balancers.is_empty() {
            vec!["shop-frontend".to_string()]
        } else {
            cli.load_balancers.clone()
        };
        (
            Mode::Demo,
            Arc::new(DemoBackend::new(clock, cli.demo_minute)),
            wanted,
        )
    } else {
        let settings = AwsSettings {
            profile: cli.profile.clone(),
            region: cli.region.clone(),
        };
        (
            Mode::Live,
            Arc::new(AwsBackend::new(settings)),
            cli.load_balancers.clone(),
        )
    };
    let app = App::new(
        mode,
        keymap,
        wanted,
        chrono::Duration::seconds(cli.refresh as i64),
        clock.now(),
    );
    (app, backend, clock)
}

/// Starts the app and carries out its effects until nothing is left to load (load
/// balancers first, then what they lead to), without a terminal.
pub async fn load_all(app: &mut App, backend: &dyn Backend, clock: Clock) {
    let mut effects = app.start();
    // Each round carries out what the last one asked for; a few rounds are enough.
    for _ in 0..8 {
        if effects.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for loaded in jobs::run_all(std::mem::take(&mut effects), backend).await {
            next.extend(app.update(app::Msg::Loaded(loaded), clock.now()));
        }
        effects = next;
    }
}

/// Loads everything once, without a terminal, and returns the screen as a buffer.
pub async fn render_once(
    mut app: App,
    backend: &dyn Backend,
    clock: Clock,
    width: u16,
    height: u16,
) -> ratatui::buffer::Buffer {
    load_all(&mut app, backend, clock).await;
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ui::render(area, &mut buf, &app);
    buf
}

/// The whole program after argument parsing. Returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let keymap = match Keymap::load(cli.keymap.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("grayscope: bad keymap: {e}");
            return 2;
        }
    };
    let log_path = cli
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_path);
    let _log_guard = logging::init(&log_path);
    tracing::info!(demo = cli.demo, "grayscope starting");
    let (mut app, backend, clock) = setup(&cli, keymap);
    app.log_path = Some(log_path.display().to_string());

    if let Some(format) = &cli.print {
        let (w, h) = cli.size;
        let buf = render_once(app, backend.as_ref(), clock, w, h).await;
        let out = if format == "svg" {
            ui::export::to_svg(&buf)
        } else {
            ui::export::to_text(&buf)
        };
        print!("{out}");
        return 0;
    }
    match tui::run(app, backend, clock).await {
        Ok(()) => 0,
        Err(e) => {
            tui::restore();
            eprintln!("grayscope: {e:#}");
            1
        }
    }
}
