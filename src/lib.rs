//! grayscope: a terminal UI for live AWS incident triage.
//!
//! How the house is laid out, and how data moves through it:
//!
//! - `cli`: command-line arguments (mirroring the aws CLI: `--profile`, `--region`);
//!   `config`: the config file under them (`[athena]` workgroup, database, catalog).
//! - `keymap` + `keymaps/default.toml`: keys -> [`action::Action`]; user files merge over
//!   the compiled-in defaults; help and hints are generated from the live keymap.
//! - `app`: the router (`App::update(Msg) -> Vec<Effect>`; synchronous, no I/O): focus,
//!   overlays, the drill-down stack, the Detail pane, and what every pane shares
//!   (`app::Shared`). `app::panes`: one module per pane (state, jobs, keys, detail,
//!   hints), registered by one line in `app::panes::registry`; `app::pane::Pane` is
//!   the trait a pane implements.
//! - `jobs`: runs the jobs panes ask for on tokio tasks. A job may report many times
//!   (`Msg::Job`, tagged with pane, kind and the pane's generation), has a handle
//!   (a newer job of the same kind, a cancel or the exit stops it) and may register
//!   cleanup that runs exactly once on cancel or exit.
//! - `backend` (crate `grayscope-core`): one trait per capability (`Account`,
//!   `Targets`, `Metrics`, ...) bundled in `Services`; `backend::demo` simulates the
//!   incident. `backend::aws` (crate `grayscope-aws`, the only crate that depends on
//!   the AWS SDK) implements them with the official SDK clients (paced per service,
//!   paged in one place, with a session cache).
//! - `model` (crate `grayscope-core`): pure domain logic (zones, target tallies,
//!   metrics, the AZ verdict, bands, flow logs, Health, Reachability, zonal shift).
//! - `ui`: pure draw functions, one file per pane, rendering into a ratatui `Buffer`.
//! - `tui`: the terminal: raw mode, alternate screen, restore on panic and signals,
//!   the event loop that redraws only when the screen would change.

pub mod action;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod jobs;
pub mod keymap;
pub mod logging;
pub mod paths;
pub mod tui;
pub mod ui;

// The model, the backend contract, the demo and the clock are the `grayscope-core`
// crate, the live backend the `grayscope-aws` crate (the only one that depends on the
// AWS SDK); both appear here under the paths they have always had.
pub use grayscope_core::{clock, model};

/// Where data comes from: the capability traits, `Services` and the demo
/// (`grayscope-core`), and the live backend over the AWS SDK as `aws` (`grayscope-aws`).
pub mod backend {
    pub use grayscope_aws as aws;
    pub use grayscope_core::backend::*;
}

pub use cli::Cli;

use app::{App, Mode};
use backend::Services;
use backend::aws::{AwsBackend, AwsSettings};
use backend::demo::DemoBackend;
use clock::Clock;
use keymap::Keymap;
use std::sync::Arc;

/// How to (re)build the services: `:region` and `:profile` reconnect through it.
#[derive(Debug, Clone)]
pub enum Connector {
    Demo {
        clock: Clock,
        minute: i64,
    },
    Aws {
        athena: backend::flowlogs::AthenaConfig,
    },
}

impl Connector {
    /// Services for `profile` and `region` (the demo has one profile; any region).
    pub fn connect(&self, profile: Option<String>, region: Option<String>) -> Services {
        match self {
            Connector::Demo { clock, minute } => {
                let demo = DemoBackend::new(*clock, *minute);
                let demo = match region {
                    Some(r) => demo.in_region(&r),
                    None => demo,
                };
                Services::from_backend(Arc::new(demo))
            }
            Connector::Aws { athena } => Services::from_backend(Arc::new(
                AwsBackend::new(AwsSettings { profile, region }).with_athena(athena.clone()),
            )),
        }
    }
}

/// Builds the app and its services from the command line.
pub fn setup(cli: &Cli, keymap: Keymap) -> (App, Services, Clock) {
    setup_with(cli, keymap, &config::ConfigFile::default())
}

/// [`setup`] with the config file's settings under the flags.
pub fn setup_with(cli: &Cli, keymap: Keymap, file: &config::ConfigFile) -> (App, Services, Clock) {
    let clock = match cli.clock {
        Some(t) => Clock::Frozen(t),
        None => Clock::System,
    };
    let (mode, services, wanted) = if cli.demo {
        let wanted = if cli.load_balancers.is_empty() {
            vec!["shop-frontend".to_string()]
        } else {
            cli.load_balancers.clone()
        };
        (
            Mode::Demo,
            Services::from_backend(Arc::new(DemoBackend::new(clock, cli.demo_minute))),
            wanted,
        )
    } else {
        let settings = AwsSettings {
            profile: cli.profile.clone(),
            region: cli.region.clone(),
        };
        (
            Mode::Live,
            Services::from_backend(Arc::new(
                AwsBackend::new(settings).with_athena(config::athena_config(cli, file)),
            )),
            cli.load_balancers.clone(),
        )
    };
    let mut app = App::new(
        mode,
        keymap,
        wanted,
        chrono::Duration::seconds(cli.refresh as i64),
        clock.now(),
    );
    app.shared.read_only = cli.read_only;
    app.shared.allow_zonal_shift = cli.allow_zonal_shift;
    app.shared.ascii = cli.ascii;
    app.shared.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if cli.ascii {
        app.with_pane_mut::<app::panes::bands::BandsPane>(|p, _| p.braille = false);
    }
    (app, services, clock)
}

/// Starts the app and runs its jobs until every one has finished and reported,
/// without a terminal (`--print`, snapshots, tests).
pub async fn load_all(app: &mut App, services: &Services, clock: Clock) {
    jobs::run_until_idle(app, services.clone(), clock).await;
}

/// Loads everything once, without a terminal, and returns the screen as a buffer.
pub async fn render_once(
    mut app: App,
    services: &Services,
    clock: Clock,
    width: u16,
    height: u16,
) -> ratatui::buffer::Buffer {
    load_all(&mut app, services, clock).await;
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ui::render(area, &mut buf, &app);
    buf
}

/// The screen as text for pasting: without the key-hint line (no keys in a paste)
/// and without trailing blank rows.
pub fn printable_text(screen: &str) -> String {
    let mut lines: Vec<&str> = screen.lines().collect();
    lines.pop();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The whole program after argument parsing. Returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    if let Some(shell) = cli.completions {
        use std::io::Write;
        let _ = std::io::stdout().write_all(&cli::completions(shell));
        return 0;
    }
    if cli.man {
        use std::io::Write;
        return match cli::man_page() {
            Ok(page) => {
                let _ = std::io::stdout().write_all(&page);
                0
            }
            Err(e) => {
                eprintln!("grayscope: cannot render the manual page: {e}");
                1
            }
        };
    }
    let keymap = match Keymap::load(cli.keymap.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("grayscope: bad keymap: {e}");
            return 2;
        }
    };
    let file = match config::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("grayscope: bad config file: {e}");
            return 2;
        }
    };
    let log_path = cli
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_path);
    let _log_guard = logging::init(&log_path);
    tracing::info!(demo = cli.demo, "grayscope starting");
    let (mut app, services, clock) = setup_with(&cli, keymap, &file);
    app.shared.log_path = Some(log_path.display().to_string());
    app.history = logging::load_history();
    let connector = if cli.demo {
        Connector::Demo {
            clock,
            minute: cli.demo_minute,
        }
    } else {
        Connector::Aws {
            athena: config::athena_config(&cli, &file),
        }
    };

    if let Some(format) = &cli.print {
        let (w, h) = cli.size;
        load_all(&mut app, &services, clock).await;
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        ui::render(area, &mut buf, &app);
        let out = if format == "svg" {
            ui::export::to_svg(&buf)
        } else {
            printable_text(&ui::export::to_text(&buf))
        };
        print!("{out}");
        let failures = app.failures();
        if failures.is_empty() {
            return 0;
        }
        eprintln!("grayscope: not everything loaded:");
        for f in &failures {
            eprintln!("  {f}");
        }
        if !cli.demo && (cli.region.is_none() || cli.profile.is_none()) {
            eprintln!(
                "  (no --region/--profile given: grayscope used the aws CLI's defaults; try --profile P --region R)"
            );
        }
        return 3;
    }
    let options = tui::Options { mouse: cli.mouse };
    match tui::run(app, services, clock, connector, options).await {
        Ok(()) => 0,
        Err(e) => {
            tui::restore();
            eprintln!("grayscope: {e:#}");
            1
        }
    }
}
