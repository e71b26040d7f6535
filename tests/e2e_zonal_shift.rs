//! End to end, ARC zonal shift from the AZ pane: the built binary in `--demo` in a
//! pseudo-terminal. Without `--allow-zonal-shift` the keys explain and copy the aws CLI
//! command (OSC 52), nothing is sent; with it, a shift takes the key on the AZ row, the
//! form and the AZ ID typed into the confirmation (a `y` is not enough), then shows
//! active with its countdown, marks the zone in the AZ pane, and can be extended and
//! cancelled the same way.

mod support;

use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

type Session = Pty<Vec<u8>>;

fn start(args: &[&str]) -> Session {
    let log = std::env::temp_dir().join(format!(
        "grayscope-e2e-shift-{}-{}.log",
        std::process::id(),
        args.len()
    ));
    let mut all = vec!["--demo", "--clock", CLOCK];
    all.extend_from_slice(args);
    Pty::spawn(
        &all,
        160,
        48,
        std::env::temp_dir(),
        &log,
        Vec::new(),
        |raw, _, bytes, _| raw.extend_from_slice(bytes),
    )
}

fn wait_for(s: &Session, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = s.contents();
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

/// The text of the last OSC 52 sequence in `raw`, decoded.
fn copied(raw: &[u8]) -> Option<String> {
    let raw = String::from_utf8_lossy(raw);
    let start = raw.rfind("\x1b]52;c;")? + "\x1b]52;c;".len();
    let end = raw[start..].find('\x07')? + start;
    let bytes = aws_smithy_types::base64::decode(&raw[start..end]).ok()?;
    String::from_utf8(bytes).ok()
}

fn quit(mut s: Session) {
    s.send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = s.child.try_wait().expect("try_wait") {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "grayscope did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn without_the_flag_the_keys_explain_and_copy_the_command() {
    let mut s = start(&[]);
    wait_for(&s, "us-east-1b use1-az6 IMPAIRED");
    s.send("S");
    let view = wait_for(&s, "shop-frontend: zonal shift enabled");
    assert!(
        view.contains("Zonal shift · us-east-1b (use1-az6)"),
        "{view}"
    );
    assert!(
        view.contains("If shifted away from us-east-1b (use1-az6)"),
        "{view}"
    );
    s.send("a");
    let said = wait_for(&s, "start grayscope with --allow-zonal-shift");
    assert!(
        !said.contains("Type use1-az6 to confirm"),
        "no dialog: {said}"
    );
    s.send("c");
    let deadline = Instant::now() + Duration::from_secs(10);
    let cmd = loop {
        if let Some(text) = copied(&s.seen.lock().expect("lock")) {
            break text;
        }
        assert!(Instant::now() < deadline, "no OSC 52 sequence written");
        std::thread::sleep(Duration::from_millis(25));
    };
    assert!(
        cmd.starts_with(
            "aws arc-zonal-shift start-zonal-shift --resource-identifier arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/shop-frontend/4f2a9c1d7e3b5a60 --away-from use1-az6 --expires-in 1h --comment 'grayscope: us-east-1b IMPAIRED"
        ),
        "{cmd}"
    );
    assert!(cmd.ends_with("--region us-east-1 --profile demo"), "{cmd}");
    // Nothing was sent: no active shift, the zone's weight still 1.
    let screen = s.contents();
    assert!(screen.contains("use1-az6 1"), "{screen}");
    assert!(!screen.contains("ACTIVE zonal shift"), "{screen}");
    quit(s);
}

#[test]
fn with_the_flag_a_typed_az_id_starts_extends_and_cancels_a_shift() {
    let mut s = start(&["--allow-zonal-shift"]);
    wait_for(&s, "us-east-1b use1-az6 IMPAIRED");
    s.send("S");
    wait_for(&s, "shop-frontend: zonal shift enabled");
    s.send("a");
    wait_for(&s, "expires in 1h_");
    s.send("\x7f\x7f30m\r");
    let dialog = wait_for(&s, "Type use1-az6 to confirm");
    assert!(dialog.contains("Expires in: 30m (at 03:42 UTC"), "{dialog}");
    assert!(
        dialog.contains("Zone: us-east-1b = AZ ID use1-az6"),
        "{dialog}"
    );
    // `y` and Enter are not a confirmation here: the AZ ID is.
    s.send("y\r");
    wait_for(&s, "to confirm: y_");
    s.send("\x7fuse1-az6\r");
    wait_for(&s, "started zonal shift demo-shift-1 away from use1-az6");
    let started = wait_for(
        &s,
        "ACTIVE zonal shift away from use1-az6 (demo-shift-1) · 30m 00s left",
    );
    assert!(started.contains("use1-az6 0"), "weight 0: {started}");

    // The AZ pane marks the shifted zone and says so in its verdict.
    s.send("\x1b");
    wait_for(&s, "1 AZ health");
    s.send("r");
    let az = wait_for(&s, "←us-east-1b");
    assert!(az.contains("zonal shift active"), "{az}");

    // Extend: e, a new expiry, the AZ ID again.
    s.send("S");
    wait_for(&s, "ACTIVE zonal shift away from use1-az6");
    s.send("e");
    wait_for(&s, "extend a zonal shift away from us-east-1b");
    s.send("\x7f\x7f2h\r");
    wait_for(&s, "Extend the zonal shift of shop-frontend?");
    s.send("use1-az6\r");
    wait_for(&s, "extended zonal shift demo-shift-1");
    wait_for(&s, "2h 00m left");

    // Cancel: x, the AZ ID; Esc first shows nothing is sent.
    s.send("x");
    wait_for(&s, "Cancel the zonal shift of shop-frontend?");
    s.send("\x1b");
    wait_for(&s, "cancel: cancelled, nothing was sent");
    std::thread::sleep(Duration::from_millis(100));
    s.send("x");
    wait_for(&s, "Cancel the zonal shift of shop-frontend?");
    s.send("use1-az6\r");
    wait_for(&s, "cancelled zonal shift demo-shift-1");
    let cancelled = wait_for(&s, "CANCELED zonal shift away from use1-az6 (demo-shift-1)");
    assert!(
        cancelled.contains("use1-az6 1"),
        "weight back to 1: {cancelled}"
    );
    quit(s);
}
