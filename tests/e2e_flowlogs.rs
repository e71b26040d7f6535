//! End to end, the flow-log pane: the built binary in `--demo` in a pseudo-terminal,
//! driven by keys, its screen read back through vt100 and its log file read after it
//! exits.
//!
//! - pivot, filter to the sick zone, edit the query and run it;
//! - StopQuery runs exactly once for the query still running when the program ends:
//!   on `q`, on SIGTERM and on SIGHUP (the demo logs "demo StopQuery <id>" at info).

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

struct Session {
    pty: Pty<()>,
    log: PathBuf,
}

impl Session {
    fn start(name: &str, cols: u16, rows: u16) -> Session {
        let log = std::env::temp_dir().join(format!(
            "grayscope-e2e-flowlogs-{name}-{}.log",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&log);
        let pty = Pty::spawn(
            &["--demo", "--clock", CLOCK],
            cols,
            rows,
            std::env::temp_dir(),
            &log,
            (),
            |_, _, _, _| {},
        );
        Session { pty, log }
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.pty.contents();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.pty.contents();
            if ok(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.pty.child.try_wait().expect("try_wait") {
                std::thread::sleep(Duration::from_millis(100));
                let _ = status;
                return;
            }
            assert!(Instant::now() < deadline, "grayscope did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Lines of the log file that contain `needle`.
    fn log_lines(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }
}

/// Focus the flow-log pane (its number in the title), returning it.
fn focus_pane(s: &mut Session) -> String {
    let screen = s.wait_for(" REJECTs · ");
    let n = screen
        .lines()
        .find_map(|l| {
            let i = l.find(" REJECTs · ")?;
            l[..i].chars().rev().find(|c| c.is_ascii_digit())
        })
        .expect("pane number in its title");
    s.send(&n.to_string());
    n.to_string()
}

#[test]
fn pivot_filter_to_the_sick_zone_edit_and_run_a_query() {
    let mut s = Session::start("keys", 120, 40);
    focus_pane(&mut s);
    s.send("z"); // zoom: the pane shares a row with two others at this size
    let screen = s.wait_for("Complete");
    assert!(screen.contains("!use1-az6→use1-az4"), "{screen}");
    assert!(screen.contains(" ext→"), "scanners are there: {screen}");

    s.send("s");
    let screen = s.wait_for("1h · sick AZ only");
    assert!(
        !screen.contains(" ext→"),
        "only the sick zone's sources: {screen}"
    );
    assert!(screen.contains("10.20.11.25:5432"), "{screen}");

    s.send("]");
    let screen = s.wait_for("REJECTs · source · ");
    assert!(screen.contains("10.20.2.81"), "{screen}");
    s.send("[[");
    s.wait_for("REJECTs · AZ → AZ · ");
    s.send("s");
    let screen = s.wait_for("AZ → AZ · 1h · Logs Insights ━");
    assert!(screen.contains("use1-az6 → use1-az4"), "{screen}");
    assert!(screen.contains("ext → use1-az4"), "{screen}");

    // Edit: start from the default tally, change the limit, run it.
    s.send("e");
    s.wait_for("^R run");
    s.send("\x15"); // Ctrl-U: the default query
    s.wait_for("limit 10000");
    for _ in 0..5 {
        s.send("\x7f"); // Backspace over "10000"
    }
    s.send("3");
    s.wait_for("limit 3");
    s.send("\x12"); // Ctrl-R
    s.wait_for("edited query · 1h");
    let rows = |screen: &str| screen.lines().filter(|l| l.starts_with("┃10.20.")).count();
    let screen = s.wait_until("the edited query's rows", |screen| {
        rows(screen) > 0 && screen.contains("Complete")
    });
    assert!(screen.contains("srcAddr"), "the result's columns: {screen}");
    assert_eq!(rows(&screen), 3, "limit 3 honoured: {screen}");

    // A query the demo cannot answer says so inline, in the editor.
    s.send("e");
    s.wait_for("^R run");
    s.send("\x15");
    s.send(" | dedup srcAddr");
    s.send("\x12");
    s.wait_for("not available in the demo");

    s.send("\x1b"); // close the editor (alone: Esc then q would read as Alt-q)
    s.wait_until("the editor to close", |screen| !screen.contains("^R run"));
    s.send("q");
    s.wait_exit();
}

fn stop_query_once_on(exit: impl FnOnce(&mut Session), name: &str) {
    let mut s = Session::start(name, 120, 40);
    focus_pane(&mut s);
    // The first tally runs for a couple of seconds in the demo: leave while it runs.
    s.wait_for("Running");
    exit(&mut s);
    s.wait_exit();
    let started = s.log_lines("demo StartQuery");
    let stops = s.log_lines("demo StopQuery");
    assert_eq!(stops.len(), 1, "exactly one StopQuery: {stops:#?}");
    assert!(
        stops[0].contains("running=true"),
        "it stopped a running query: {stops:#?}"
    );
    let id = stops[0]
        .split("query_id=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|id| id.trim_matches('"'))
        .expect("query id logged");
    assert!(
        started.iter().any(|l| l.contains(id)),
        "{id} was started: {started:#?}"
    );
    assert_eq!(s.log_lines("cleaning up").len(), 1);
    let _ = std::fs::remove_file(&s.log);
}

#[test]
fn stop_query_runs_once_on_q() {
    stop_query_once_on(|s| s.send("q"), "q");
}

#[test]
fn stop_query_runs_once_on_sigterm() {
    stop_query_once_on(
        |s| {
            let pid = s.pty.child.process_id().expect("pid") as i32;
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            )
            .expect("signal");
        },
        "term",
    );
}

#[test]
fn stop_query_runs_once_on_sighup() {
    stop_query_once_on(
        |s| {
            let pid = s.pty.child.process_id().expect("pid") as i32;
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGHUP,
            )
            .expect("signal");
        },
        "hup",
    );
}

/// Issue 11's story end to end: from the REJECT row of the sick zone to the security
/// group rule that blocks it, through the Reachability drill-down (demo).
#[test]
fn from_the_reject_row_to_the_blocking_rule() {
    let mut s = Session::start("reach", 160, 48);
    focus_pane(&mut s);
    s.wait_for("Complete");
    s.send("s"); // only the sick zone's rows: the blocked app -> database pair first
    s.wait_for("1h · sick AZ only");
    s.send("\r"); // its records
    s.wait_for("why blocked?");
    s.send("\r"); // why is it blocked?
    s.send("z"); // the whole screen for the analysis
    s.wait_for("orders-db");
    s.send("a"); // asks first: a path and an analysis, billed per analysis
    let ask = s.wait_for("billed");
    assert!(
        ask.contains("deleted"),
        "the dialog says what is cleaned up: {ask}"
    );
    s.send("y");
    let result = s.wait_for("NOT REACHABLE");
    let _ = result;
    let words = s.wait_for("allows tcp/5432 only from");
    assert!(
        words.contains("10.20.2."),
        "the blocked source is named: {words}"
    );
    s.send("q");
    s.wait_exit();
}
