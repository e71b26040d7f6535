//! The terminal: raw mode and the alternate screen, restored on every way out (normal
//! exit, error, panic, SIGTERM, SIGHUP), and the event loop.
//!
//! The loop waits for a message (key, resize, clock tick, finished backend call),
//! drains everything queued, updates the app, then renders into an off-screen buffer
//! and writes to the terminal only if that buffer differs from the last one written.
//! An idle screen therefore costs no bytes but the clock's.

use crate::app::{App, Msg};
use crate::backend::Services;
use crate::clock::Clock;
use crate::jobs::Jobs;
use crate::ui;
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
    let _ = execute!(out, LeaveAlternateScreen, cursor::Show);
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

/// How long an exit waits for cleanups (StopQuery, deleting created resources) before
/// it restores the terminal anyway.
pub const CLEANUP_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the TUI until the user quits or a signal arrives; then stops every job and
/// runs their cleanups (up to [`CLEANUP_DEADLINE`], saying so on screen).
pub async fn run(mut app: App, services: Services, clock: Clock) -> anyhow::Result<()> {
    install_panic_hook();
    enable_raw_mode()?;
    let _guard = Guard;
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
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

    while let Some(msg) = rx.recv().await {
        let mut queue = vec![msg];
        while let Ok(more) = rx.try_recv() {
            queue.push(more);
        }
        for msg in queue {
            let resized = matches!(msg, Msg::Resize);
            jobs.apply_all(app.update(msg, clock.now()));
            if resized {
                terminal.autoresize()?;
                last = None;
            }
        }
        if let Some(text) = app.clipboard.take() {
            // OSC 52: the terminal (local, over SSH, through tmux/screen) sets its clipboard.
            let out = terminal.backend_mut();
            out.write_all(ui::osc52::sequence(&text, ui::osc52::Mux::from_env()).as_bytes())?;
            out.flush()?;
        }
        if app.quit {
            break;
        }
        draw_if_changed(&mut terminal, &app, &mut last)?;
    }
    let pending = jobs.pending_cleanups();
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
    terminal.draw(|f| {
        f.buffer_mut().clone_from(&buf);
    })?;
    *last = Some(buf);
    Ok(())
}
