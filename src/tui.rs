//! The terminal: raw mode and the alternate screen, restored on every way out (normal
//! exit, error, panic, SIGTERM, SIGHUP), and the event loop.
//!
//! The loop waits for a message (key, resize, clock tick, finished backend call),
//! drains everything queued, updates the app, then renders into an off-screen buffer
//! and writes to the terminal only if that buffer differs from the last one written.
//! An idle screen therefore costs no bytes but the clock's. While no job runs, the
//! once-a-second clock tick draws (off-screen, to compare) only every
//! [`QUIET_TICKS_PER_DRAW`] ticks: that draw is most of an idle minute's CPU.

use crate::Connector;
use crate::action::Action;
use crate::app::{App, Effect, Msg};
use crate::backend::Services;
use crate::clipboard::{Multiplexer, osc52};
use crate::clock::Clock;
use crate::jobs::Jobs;
use crate::ui;
use crossterm::event::MouseEventKind;
use crossterm::event::{Event, EventStream};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::io::{self, BufWriter, Write};
use tokio::sync::mpsc;

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        crossterm::event::DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Restores the terminal when dropped (also on early return with `?`).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(Event::Key(k)) => Msg::Key(k),
                Ok(Event::Resize(_, _)) => Msg::Resize,
                Ok(Event::Mouse(m)) => match m.kind {
                    MouseEventKind::ScrollDown => Msg::Action(Action::Down),
                    MouseEventKind::ScrollUp => Msg::Action(Action::Up),
                    _ => continue,
                },
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!("terminal input failed: {e}");
                    Msg::Terminate
                }
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

fn spawn_signals(tx: mpsc::UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::interrupt(),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let Ok(mut s) = signal(kind) else { return };
            if s.recv().await.is_some() {
                tracing::info!("signal {kind:?}: leaving");
                let _ = tx.send(Msg::Terminate);
            }
        });
    }
}

fn spawn_ticks(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
}

/// Tests only (debug builds): `GRAYSCOPE_TEST_PANIC_KEY=f12` (any key the keymap
/// syntax names) makes the event loop panic when that key is pressed, so the
/// end-to-end tests can check the panic exit path. Release builds ignore it.
fn test_panic_key() -> Option<crate::keymap::Key> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let name = std::env::var("GRAYSCOPE_TEST_PANIC_KEY").ok()?;
    crate::keymap::Key::parse(name.trim()).ok()
}

/// How long an exit waits for cleanups (StopQuery, deleting created resources) before
/// it restores the terminal anyway.
pub const CLEANUP_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// While no job runs, a clock tick draws the screen every this many ticks (seconds).
/// Nothing on screen then changes faster than once a minute (ages, the header clock) or
/// on a timer of several seconds (a note, a flash), so such a change shows at most 2 s
/// late instead of 1 s, for half the idle CPU. A key, a resize, a job's report, or any
/// tick while a job runs (its elapsed seconds, a retry countdown) draws at once.
pub const QUIET_TICKS_PER_DRAW: u32 = 2;

/// Whether the loop draws after a batch of messages: always unless the batch held only
/// clock ticks that changed nothing but the time (`tick_only`: no message left the
/// hint line), no job is running and fewer than [`QUIET_TICKS_PER_DRAW`] ticks have
/// passed since the last draw.
pub fn should_draw(tick_only: bool, jobs_running: usize, ticks_since_draw: u32) -> bool {
    !tick_only || jobs_running > 0 || ticks_since_draw >= QUIET_TICKS_PER_DRAW
}

/// Terminal options from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Capture the mouse (wheel scrolls); off by default.
    pub mouse: bool,
}

/// Runs the TUI until the user quits or a signal arrives; then stops every job and
/// runs their cleanups (up to [`CLEANUP_DEADLINE`], saying so on screen).
pub async fn run(
    mut app: App,
    services: Services,
    clock: Clock,
    connector: Connector,
    options: Options,
) -> anyhow::Result<()> {
    install_panic_hook();
    enable_raw_mode()?;
    let _guard = Guard;
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if options.mouse {
        execute!(out, crossterm::event::EnableMouseCapture)?;
    }
    let mux = Multiplexer::detect();
    let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
    terminal.hide_cursor()?;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut jobs = Jobs::new(services, tx.clone());
    jobs.apply_all(app.start(clock.now()));
    let mut last: Option<Buffer> = None;
    draw_if_changed(&mut terminal, &app, &mut last)?;
    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    spawn_ticks(tx.clone());

    // A panic in the app or the drawing (a bug) must not skip the cleanups: it is
    // caught here, the panic hook has already restored the terminal and printed it, and
    // the loop ends as on `q` (without drawing again).
    let mut panicked = false;
    let panic_key = test_panic_key();
    let mut ticks_since_draw = 0u32;
    'events: while let Some(msg) = rx.recv().await {
        let mut queue = vec![msg];
        while let Ok(more) = rx.try_recv() {
            queue.push(more);
        }
        let ticks = queue.iter().filter(|m| matches!(m, Msg::Tick)).count();
        // A tick that takes a message off the hint line changes the screen by itself.
        let flash_before = app.flash.as_ref().map(|(_, at)| *at);
        ticks_since_draw = ticks_since_draw.saturating_add(ticks as u32);
        let queue_len = queue.len();
        for msg in queue {
            let resized = matches!(msg, Msg::Resize);
            let now = clock.now();
            let updated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if let (Some(k), Msg::Key(ev)) = (panic_key, &msg)
                    && crate::keymap::Key::from_event(ev) == Some(k)
                {
                    panic!("test panic (GRAYSCOPE_TEST_PANIC_KEY)");
                }
                app.update(msg, now)
            }));
            let Ok(effects) = updated else {
                panicked = true;
                break 'events;
            };
            for effect in effects {
                match effect {
                    Effect::Reconnect { profile, region } => {
                        // As on exit: stop running work and clean up, then start over.
                        app.status =
                            Some("Switching: stopping running work and cleaning up…".into());
                        let _ = draw_if_changed(&mut terminal, &app, &mut last);
                        jobs.shutdown(CLEANUP_DEADLINE).await;
                        app.status = None;
                        jobs = Jobs::new(connector.connect(profile, region), tx.clone());
                        jobs.apply_all(app.reconnected(clock.now()));
                    }
                    other => jobs.apply(other),
                }
            }
            if resized {
                last = None;
            }
        }
        if app.quit {
            break;
        }
        let tick_only = ticks == queue_len && app.flash.as_ref().map(|(_, at)| *at) == flash_before;
        if should_draw(tick_only, jobs.running(), ticks_since_draw) {
            ticks_since_draw = 0;
            let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                draw_if_changed(&mut terminal, &app, &mut last)
            }));
            match drawn {
                Ok(r) => r?,
                Err(_) => {
                    panicked = true;
                    break;
                }
            }
        }
        if let Some(text) = app.clipboard.take() {
            let backend = terminal.backend_mut();
            backend.write_all(osc52(&text, mux).as_bytes())?;
            backend.flush()?;
        }
    }
    let pending = jobs.pending_cleanups();
    if panicked {
        tracing::error!(pending, "panicked: stopping running work and cleaning up");
        let left = jobs.shutdown(CLEANUP_DEADLINE).await;
        drop(terminal);
        restore();
        anyhow::bail!(
            "internal error (the panic is above); running work was stopped and {} of {pending} cleanup(s) finished",
            pending.saturating_sub(left)
        );
    }
    if pending > 0 {
        app.status = Some(format!(
            "Leaving: stopping running work and cleaning up {pending} item(s), at most {} s…",
            CLEANUP_DEADLINE.as_secs()
        ));
        let _ = draw_if_changed(&mut terminal, &app, &mut last);
    }
    let left = jobs.shutdown(CLEANUP_DEADLINE).await;
    if left > 0 {
        tracing::warn!(left, "left before every cleanup finished");
    }
    drop(terminal);
    Ok(())
}

/// Renders off-screen and writes only when the picture changed.
fn draw_if_changed<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    app: &App,
    last: &mut Option<Buffer>,
) -> io::Result<()> {
    let size = terminal.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    let mut buf = Buffer::empty(area);
    ui::render(area, &mut buf, app);
    if last.as_ref() == Some(&buf) {
        return Ok(());
    }
    // Write only the cells that changed since the last frame (after a resize or at
    // start: clear, then everything that is not blank), without re-hiding the cursor
    // each frame: every byte counts over a congested SSH link. Nothing here asks the
    // terminal anything (no cursor-position query), so a silent pty works too.
    use ratatui::backend::Backend;
    let blank;
    let backend = terminal.backend_mut();
    let prev = match last.as_ref() {
        Some(prev) if prev.area == buf.area => prev,
        _ => {
            backend.clear()?;
            blank = Buffer::empty(area);
            &blank
        }
    };
    backend.draw(prev.diff(&buf).into_iter())?;
    Backend::flush(backend)?;
    *last = Some(buf);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_a_tick_draws_at_once() {
        assert!(should_draw(false, 0, 0), "a key, a resize or a report");
        assert!(should_draw(false, 3, 0));
    }

    #[test]
    fn ticks_draw_every_second_while_a_job_runs() {
        assert!(should_draw(true, 1, 0));
        assert!(should_draw(true, 1, 1));
    }

    #[test]
    fn quiet_ticks_draw_every_other_second() {
        let drawn: Vec<bool> = (1..=6)
            .scan(0u32, |since, _| {
                *since += 1;
                let draw = should_draw(true, 0, *since);
                if draw {
                    *since = 0;
                }
                Some(draw)
            })
            .collect();
        assert_eq!(drawn, [false, true, false, true, false, true]);
        // Ticks that piled up while the loop was busy count together.
        assert!(should_draw(true, 0, QUIET_TICKS_PER_DRAW));
    }
}
