//! End to end: the built binary in `--demo`, in a pseudo-terminal, driven by keys; the
//! screen is read back through a terminal emulator (vt100) and asserted.

mod support;

use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

/// The binary in a pty, and every byte it wrote.
type Session = Pty<Vec<u8>>;

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let log = std::env::temp_dir().join(format!("grayscope-e2e-{}.log", std::process::id()));
        Pty::spawn(
            args,
            cols,
            rows,
            std::env::temp_dir(),
            &log,
            Vec::new(),
            |raw, _, bytes, _| raw.extend_from_slice(bytes),
        )
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
        let raw = self.seen.lock().expect("lock");
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
    assert!(
        help.contains("gray failure"),
        "the legend comes first: {help}"
    );
    // Help scrolls: the key list is below the legend.
    s.send("jjjjjjjjjjjjjjjj");
    s.wait_for("Refresh every pane now");

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
    // The selection starts on the zone the verdict blames (us-east-1b): drill in.
    s.send("\r");
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
    assert!(text.lines().count() <= 23, "no hint line: {text}");
    assert!(!text.contains("? help"), "{text}");
    assert!(text.contains("IMPAIRED"), "{text}");
}

#[test]
fn print_without_credentials_exits_nonzero_and_says_what_failed() {
    let home = std::env::temp_dir().join(format!("grayscope-e2e-nocreds-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("home");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grayscope"))
        .args([
            "--print",
            "text",
            "--size",
            "80x24",
            "--load-balancer",
            "shop",
        ])
        .env_clear()
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        // Nothing listens here: even with credentials, nothing could load.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not everything loaded"), "{err}");
    assert!(err.contains("load balancers:"), "{err}");
    assert!(err.contains("--profile P --region R"), "{err}");
}

#[test]
fn a_single_ctrl_c_does_not_end_the_session_a_second_does() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 100, 30);
    s.wait_for("IMPAIRED");
    s.send("\x03");
    s.wait_for("Ctrl-C again within 2 s to quit");
    assert!(
        s.child.try_wait().expect("try_wait").is_none(),
        "one Ctrl-C must not quit"
    );
    s.send("\x03");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

#[test]
fn freeze_marks_the_screen_and_thaws() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 100, 30);
    s.wait_for("IMPAIRED");
    s.send("f");
    let screen = s.wait_for("FROZEN 03:12:00");
    assert!(screen.contains("f thaw"), "{screen}");
    s.send("f");
    s.wait_for("thawed: updates resume");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn region_switch_reloads_everything_in_the_demo() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 120, 36);
    s.wait_for("IMPAIRED");
    s.send(":region us-west-2\r");
    let quiet = s.wait_for("us-west-2 │");
    assert!(
        !quiet.contains("IMPAIRED"),
        "nothing of us-east-1 stays: {quiet}"
    );
    s.wait_for("\"shop-frontend\" in us-west-2");
    s.send(":region us-east-1\r");
    s.wait_for("IMPAIRED");
    s.send(":q\r");
    assert!(s.wait_exit().success());
    s.assert_restored();
}
