//! Every way out, end to end: the built binary in `--demo` in a pseudo-terminal, with a
//! Reachability path and analysis created (after the confirmation) and a Logs Insights
//! query running, then left by `q`, by Ctrl-C pressed twice, by SIGTERM, by SIGHUP (a
//! dropped SSH session) and by a panic (a debug-build test hook,
//! `GRAYSCOPE_TEST_PANIC_KEY`). Each time:
//! - the running query is stopped (the demo logs `demo StopQuery ... running=true`);
//! - the analysis and then the path grayscope created are deleted, once each;
//! - the terminal is restored: the last bytes leave the alternate screen and show the
//!   cursor, and the pty is back in canonical mode with echo (raw mode off);
//! - the exit status is 0, except after a panic (1, with the panic printed).

mod support;

use std::os::fd::BorrowedFd;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

struct Session {
    pty: Pty<Vec<u8>>,
    log: PathBuf,
}

impl Session {
    fn start(name: &str, env: &[(&str, &str)]) -> Session {
        let log = std::env::temp_dir().join(format!(
            "grayscope-e2e-exit-{name}-{}.log",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&log);
        let pty = Pty::spawn_env(
            &["--demo", "--clock", CLOCK],
            env,
            160,
            48,
            std::env::temp_dir(),
            &log,
            Vec::new(),
            |seen: &mut Vec<u8>, _, bytes, _| seen.extend_from_slice(bytes),
        );
        Session { pty, log }
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
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

    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |t| t.contains(needle))
    }

    fn send(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn log_lines(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }

    fn wait_log(&self, needle: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.log_lines(needle).len() < n {
            assert!(Instant::now() < deadline, "no {n} x {needle:?} in the log");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.pty.child.try_wait().expect("try_wait") {
                // Let the reader take the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(Instant::now() < deadline, "grayscope did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, sig: nix::sys::signal::Signal) {
        let pid = self.pty.child.process_id().expect("pid") as i32;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig).expect("signal");
    }
}

/// Opens Reachability on the sick zone's blocked pair, runs the analysis (confirmed),
/// then starts a new tally query and returns while it runs.
fn create_and_keep_busy(s: &mut Session) {
    let screen = s.wait_for(" REJECTs · ");
    let n = screen
        .lines()
        .find_map(|l| {
            let i = l.find(" REJECTs · ")?;
            l[..i].chars().rev().find(|c| c.is_ascii_digit())
        })
        .expect("flow-log pane number");
    s.send(&n.to_string());
    s.wait_for("Complete");
    s.send("s");
    s.wait_for("1h · sick AZ only");
    s.send("\r");
    s.wait_for("why blocked?");
    s.send("\r");
    s.send("z");
    s.wait_for("orders-db");
    s.send("a");
    s.wait_for("billed");
    s.send("y");
    s.wait_for("NOT REACHABLE");
    assert_eq!(s.log_lines("demo: CreateNetworkInsightsPath").len(), 1);
    // A refresh starts a new tally query; leave while it runs (the demo's take ~2 s).
    let started = s.log_lines("demo StartQuery").len();
    s.send("r");
    s.wait_log("demo StartQuery", started + 1);
}

fn check_exit(name: &str, env: &[(&str, &str)], leave: impl FnOnce(&mut Session), ok: bool) {
    let mut s = Session::start(name, env);
    create_and_keep_busy(&mut s);
    leave(&mut s);
    let status = s.wait_exit();
    assert_eq!(status.success(), ok, "{name}: exit status {status:?}");

    // Cleanups: the running query stopped, the analysis then the path deleted, once.
    let stops = s.log_lines("demo StopQuery");
    assert!(
        stops.iter().any(|l| l.contains("running=true")),
        "{name}: the running query was stopped: {stops:#?}"
    );
    let analyses = s.log_lines("demo: DeleteNetworkInsightsAnalysis");
    let paths = s.log_lines("demo: DeleteNetworkInsightsPath");
    assert_eq!(analyses.len(), 1, "{name}: {analyses:#?}");
    assert_eq!(paths.len(), 1, "{name}: {paths:#?}");

    // The terminal: the alternate screen left and the cursor shown after the last
    // frame, and the line discipline back to canonical mode with echo.
    let out = s.pty.seen.lock().expect("lock").clone();
    let find = |needle: &[u8]| out.windows(needle.len()).rposition(|w| w == needle);
    let entered = find(b"\x1b[?1049h").expect("entered the alternate screen");
    let left =
        find(b"\x1b[?1049l").unwrap_or_else(|| panic!("{name}: never left the alternate screen"));
    let shown = find(b"\x1b[?25h").unwrap_or_else(|| panic!("{name}: cursor never shown"));
    assert!(
        left > entered && shown > entered,
        "{name}: restored after the last entry"
    );
    let fd = s.pty.master.as_raw_fd().expect("pty fd");
    // SAFETY: the master stays open for the borrow's whole (short) life.
    let termios =
        nix::sys::termios::tcgetattr(unsafe { BorrowedFd::borrow_raw(fd) }).expect("tcgetattr");
    use nix::sys::termios::LocalFlags;
    assert!(
        termios
            .local_flags
            .contains(LocalFlags::ICANON | LocalFlags::ECHO),
        "{name}: raw mode still on: {:?}",
        termios.local_flags
    );
    if !ok {
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("panicked"), "{name}: the panic is printed");
        assert!(
            text.contains("internal error"),
            "{name}: and what was done about it"
        );
    }
    let _ = std::fs::remove_file(&s.log);
}

#[test]
fn exit_on_q_cleans_up_and_restores() {
    check_exit("q", &[], |s| s.send("q"), true);
}

#[test]
fn exit_on_ctrl_c_twice_cleans_up_and_restores() {
    check_exit(
        "ctrl-c",
        &[],
        |s| {
            s.send("\x03");
            s.wait_for("Ctrl-C again");
            s.send("\x03");
        },
        true,
    );
}

#[test]
fn exit_on_sigterm_cleans_up_and_restores() {
    check_exit(
        "term",
        &[],
        |s| s.signal(nix::sys::signal::Signal::SIGTERM),
        true,
    );
}

#[test]
fn exit_on_sighup_cleans_up_and_restores() {
    check_exit(
        "hup",
        &[],
        |s| s.signal(nix::sys::signal::Signal::SIGHUP),
        true,
    );
}

#[test]
fn exit_on_panic_cleans_up_and_restores() {
    check_exit(
        "panic",
        &[("GRAYSCOPE_TEST_PANIC_KEY", "f12")],
        |s| s.send("\x1b[24~"),
        false,
    );
}
