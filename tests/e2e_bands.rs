//! End to end for the anomaly-bands pane: the built binary in `--demo`, in a pty. The
//! chart follows the AZ pane's selection to another zone; creating a detector asks
//! first, and the detector is deleted again when grayscope exits.

mod support;

use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

struct Session {
    pty: Pty<()>,
    log: std::path::PathBuf,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16, name: &str) -> Session {
        let log = std::env::temp_dir().join(format!(
            "grayscope-e2e-bands-{name}-{}.log",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&log);
        let pty = Pty::spawn(
            args,
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
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.pty.contents();
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
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.pty.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "grayscope did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn the_chart_follows_the_az_selection_to_another_zone() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 160, 48, "follow");
    // At start the selection is on the blamed zone, and the chart with it.
    let screen = s.wait_for("above for 9 min");
    assert!(
        screen.contains("Bands · us-east-1b latency avg"),
        "{screen}"
    );
    // G: the AZ pane's last row, a target group in us-east-1c.
    s.pty.send("G");
    s.wait_for("Bands · us-east-1c latency avg");
    let screen = s.wait_for(", inside");
    assert!(
        !screen.contains("above for"),
        "a healthy zone is inside: {screen}"
    );
    s.pty.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_created_detector_is_deleted_on_exit() {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 160, 48, "create");
    s.wait_for("Bands · us-east-1b latency avg");
    // Pane 2, next metric: latency p99, which has no model in the demo.
    s.pty.send("2");
    s.pty.send("]");
    s.wait_for("LOCAL ESTIMATE, not CloudWatch");
    s.pty.send("a");
    let dialog = s.wait_for("Create an anomaly detector?");
    assert!(dialog.contains("PutAnomalyDetector"), "{dialog}");
    s.pty.send("y");
    s.wait_for("created a detector for us-east-1b latency p99");
    s.wait_for("model pending training");
    s.pty.send("q");
    assert!(s.wait_exit().success());
    let log = std::fs::read_to_string(&s.log).expect("log");
    assert!(
        log.contains("DeleteAnomalyDetector us-east-1b latency p99"),
        "the cleanup ran at exit: {log}"
    );
}
