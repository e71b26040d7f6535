//! End to end, the AWS Health pane: the built binary in `--demo` in a pseudo-terminal.
//! Focus the pane by its number, open the open issue, read its zone tie and entities,
//! copy its Markdown summary (an OSC 52 escape in the output), close it, quit.

mod support;

use std::time::{Duration, Instant};
use support::pty::Pty;

const CLOCK: &str = "2026-11-22T03:12:00Z";

type Session = Pty<Vec<u8>>;

fn start(cols: u16, rows: u16) -> Session {
    let log = std::env::temp_dir().join(format!("grayscope-e2e-health-{}.log", std::process::id()));
    Pty::spawn(
        &["--demo", "--clock", CLOCK],
        cols,
        rows,
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

/// The number the pane's frame shows (`┌ 2 AWS Health`), whatever the registry order.
fn pane_number(screen: &str) -> char {
    let at = screen.find(" AWS Health ·").expect("the pane's frame");
    screen[..at]
        .chars()
        .last()
        .expect("a number before the title")
}

/// The text of the first OSC 52 sequence in `raw`, decoded.
fn copied(raw: &[u8]) -> Option<String> {
    let raw = String::from_utf8_lossy(raw);
    let start = raw.find("\x1b]52;c;")? + "\x1b]52;c;".len();
    let end = raw[start..].find('\x07')? + start;
    let bytes = aws_smithy_types::base64::decode(&raw[start..end]).ok()?;
    String::from_utf8(bytes).ok()
}

#[test]
fn open_the_health_event_see_its_zone_copy_its_summary() {
    let mut s = start(160, 48);
    let screen = wait_for(&s, "1 open issue (us-east-1b)");
    let n = pane_number(&screen);
    s.send(&n.to_string());
    wait_for(&s, "a copy ARN");

    // The open issue is first: Enter opens it.
    s.send("\r");
    let opened = wait_for(&s, "full story in Detail");
    assert!(
        opened.contains("EC2 operational issue · open · us-east-1b use1-az6"),
        "{opened}"
    );
    assert!(
        opened.contains("resources: 2 impaired, 1 unknown"),
        "{opened}"
    );
    // Detail: the zone as AZ name and ID, the tie to the AZ verdict, times in UTC.
    assert!(opened.contains("zone: us-east-1b (use1-az6)"), "{opened}");
    assert!(
        opened.contains("The AZ verdict blames this same zone"),
        "{opened}"
    );
    // Published for the AZ pane's zone row (wrapped in Detail, so in two pieces).
    assert!(
        opened.contains("published to the AZ pane as \"AWS"),
        "{opened}"
    );
    assert!(
        opened.contains("Health: open issue\" for us-east-1b"),
        "{opened}"
    );
    assert!(opened.contains("start: 2026-11-22 03:03 UTC"), "{opened}");

    s.send("z"); // zoom: the pane shares the bottom row, its note needs the width
    s.send("a");
    let deadline = Instant::now() + Duration::from_secs(10);
    let summary = loop {
        if let Some(text) = copied(&s.seen.lock().expect("lock")) {
            break text;
        }
        assert!(Instant::now() < deadline, "no OSC 52 sequence written");
        std::thread::sleep(Duration::from_millis(25));
    };
    assert!(
        summary.starts_with("**AWS Health: EC2 operational issue** (open)"),
        "{summary}"
    );
    assert!(summary.contains("zone us-east-1b (use1-az6)"), "{summary}");
    assert!(
        summary.contains("AWS_EC2_OPERATIONAL_ISSUE_DEMO1B"),
        "{summary}"
    );
    wait_for(
        &s,
        "event summary (Markdown) sent to the terminal clipboard",
    );

    s.send("\x1b");
    wait_for(&s, "enter open event");
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
