//! End to end: the built binary in `--demo`, in a pseudo-terminal, driven by keys; the
//! screen is read back through a terminal emulator (vt100) and asserted.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLOCK: &str = "2026-11-22T03:12:00Z";

struct Session {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_grayscope"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let log = std::env::temp_dir().join(format!("grayscope-e2e-{}.log", std::process::id()));
        cmd.env("HOME", std::env::temp_dir());
        cmd.args(["--log-file", log.to_str().expect("utf-8 path")]);
        let child = pair.slave.spawn_command(cmd).expect("spawn grayscope");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s2, r2) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s2.lock().expect("lock").process(&buf[..n]);
                r2.lock().expect("lock").extend_from_slice(&buf[..n]);
            }
        });
        Session {
            child,
            master: pair.master,
            writer,
            screen,
            raw,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().expect("lock").screen().contents()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.contents();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader catch the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(Instant::now() < deadline, "grayscope did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The terminal is back to normal: main screen, cursor shown, cooked mode.
    fn assert_restored(&self) {
        let parser = self.screen.lock().expect("lock");
        assert!(
            !parser.screen().alternate_screen(),
            "still on the alternate screen"
        );
        assert!(!parser.screen().hide_cursor(), "cursor still hidden");
        drop(parser);
        let raw = self.raw.lock().expect("lock");
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("\x1b[?1049l"),
            "never left the alternate screen"
        );
        let termios = self.master.get_termios().expect("termios");
        use nix::sys::termios::LocalFlags;
        assert!(
            termios
                .local_flags
                .contains(LocalFlags::ICANON | LocalFlags::ECHO),
            "terminal left in raw mode: {:?}",
            termios.local_flags
        );
    }
}

#[test]
fn demo_shows_the_impaired_zone_help_and_quits_cleanly() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 100, 30);
    let screen = s.wait_for("IMPAIRED");
    assert!(screen.contains("us-east-1b"), "{screen}");
    assert!(screen.contains("use1-az6"), "{screen}");
    assert!(screen.contains("DEMO"), "{screen}");
    assert!(
        screen.contains("? help"),
        "hint line from the keymap: {screen}"
    );

    s.send("?");
    let help = s.wait_for("Help: keys");
    assert!(help.contains("Refresh every pane now"), "{help}");

    s.send("\x1b"); // esc closes help
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.contents().contains("Help: keys") {
        assert!(Instant::now() < deadline, "help did not close");
        std::thread::sleep(Duration::from_millis(25));
    }

    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored();
}

#[test]
fn drill_down_lists_targets_and_escape_returns() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 120, 36);
    s.wait_for("IMPAIRED");
    // Rows: us-east-1a, its 2 groups, then us-east-1b: move to it and drill in.
    s.send("jjj\r");
    let screen = s.wait_for("us-east-1b targets");
    assert!(screen.contains("Target.Timeout"), "{screen}");
    assert!(screen.contains("Request timed out"), "{screen}");
    s.send("\x1b");
    s.wait_for("AZ ID");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

#[test]
fn a_remapped_key_shows_in_help_and_works() {
    let dir = std::env::temp_dir().join(format!("grayscope-e2e-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("keymap.toml");
    std::fs::write(&file, "[keys]\nquit = { on = [\"x\"] }\n").expect("write keymap");
    let mut s = Session::start(
        &[
            "--demo",
            "--clock",
            CLOCK,
            "--keymap",
            file.to_str().expect("utf-8"),
        ],
        100,
        30,
    );
    s.wait_for("IMPAIRED");
    let screen = s.contents();
    assert!(screen.contains("x quit"), "hint shows the remap: {screen}");
    s.send("?");
    let help = s.wait_for("Help: keys");
    assert!(help.contains("keymap.toml (over the defaults)"), "{help}");
    s.send("\x1b");
    s.send("q"); // no longer bound: nothing happens
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        s.child.try_wait().expect("try_wait").is_none(),
        "q should no longer quit"
    );
    s.send("x");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

fn signal_restores(signal: nix::sys::signal::Signal) {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 80, 24);
    s.wait_for("IMPAIRED");
    let pid = s.child.process_id().expect("pid") as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).expect("signal");
    s.wait_exit();
    s.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores(nix::sys::signal::Signal::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores(nix::sys::signal::Signal::SIGHUP);
}

#[test]
fn bad_keymap_exits_nonzero_with_file_line_and_reason() {
    let dir = std::env::temp_dir().join(format!("grayscope-e2e-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[keys]\nquit = { on = [\"q\"] }\nfly = { on = [\"f\"] }\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grayscope"))
        .args(["--demo", "--keymap", file.to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3: unknown action \"fly\"", file.display())),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn print_renders_the_demo_without_a_terminal() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grayscope"))
        .args([
            "--demo", "--clock", CLOCK, "--print", "text", "--size", "80x24",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 24);
    assert!(text.contains("IMPAIRED"), "{text}");
}
