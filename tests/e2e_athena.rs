//! End to end, the flow-log pane on Athena: the built binary in `--demo` in a
//! pseudo-terminal, driven by keys, its screen read back through vt100 and its log file
//! read after it exits. The demo's second VPC delivers its flow logs to S3; its
//! simulated Athena starts without a table.
//!
//! - `E` switches to Athena: the S3 destination is described and the DDL shown;
//!   `a` asks (the dialog shows the DDL), `y` creates the table, the tally runs with
//!   its bytes scanned and cost, the sick zone's rows are attributed;
//! - a query still running at exit is stopped (StopQueryExecution) and the table
//!   grayscope created is dropped, on `q` and on SIGTERM;
//! - `--read-only` shows the DDL and creates nothing.

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
    fn start(name: &str, extra: &[&str], cols: u16, rows: u16) -> Session {
        let log = std::env::temp_dir().join(format!(
            "grayscope-e2e-athena-{name}-{}.log",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&log);
        let mut args = vec!["--demo", "--clock", CLOCK];
        args.extend_from_slice(extra);
        let pty = Pty::spawn(
            &args,
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

    fn send(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if self.pty.child.try_wait().expect("try_wait").is_some() {
                std::thread::sleep(Duration::from_millis(100));
                return;
            }
            assert!(Instant::now() < deadline, "grayscope did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_lines(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }
}

/// Focus the flow-log pane, switch it to Athena and wait for the offer of a table.
fn to_athena(s: &mut Session) {
    let screen = s.wait_for(" REJECTs · ");
    let n = screen
        .lines()
        .find_map(|l| {
            let i = l.find(" REJECTs · ")?;
            l[..i].chars().rev().find(|c| c.is_ascii_digit())
        })
        .expect("pane number in its title");
    s.send(&n.to_string());
    s.send("z");
    s.wait_for("Complete"); // the Logs Insights tally first
    s.send("E");
    let screen = s.wait_for("CREATE EXTERNAL TABLE");
    assert!(
        screen.contains("· Athena "),
        "the title says which engine: {screen}"
    );
    assert!(
        screen.contains("delivers to s3://acme-central-flow-logs/org/ · plain text · Hive"),
        "{screen}"
    );
    assert!(screen.contains("partitions · per hour"), "{screen}");
    assert!(
        screen.contains("no Athena table in AwsDataCatalog.default reads"),
        "{screen}"
    );
}

#[test]
fn switch_create_the_table_and_tally_with_its_cost() {
    let mut s = Session::start("create", &[], 120, 40);
    to_athena(&mut s);
    s.send("a");
    let ask = s.wait_for("Create an Athena table over the flow logs?");
    assert!(ask.contains("y create table"), "{ask}");
    assert!(
        ask.contains("CREATE EXTERNAL TABLE IF NOT EXISTS"),
        "the exact DDL: {ask}"
    );
    assert!(ask.contains("Dropped again when grayscope exits"), "{ask}");
    s.send("y");
    let screen = s.wait_for("Succeeded");
    assert!(
        screen.contains("10.30.11.40:3306"),
        "the ledger's REJECTs: {screen}"
    );
    assert!(
        screen.contains("!use1-az6→use1-az4"),
        "zones attributed: {screen}"
    );
    assert!(screen.contains(" KB "), "bytes scanned shown: {screen}");
    s.send("s");
    let screen = s.wait_for("1h · sick AZ only");
    assert!(!screen.contains(" ext→"), "{screen}");
    s.send("q");
    s.wait_exit();
    assert_eq!(s.log_lines("creating the Athena table").len(), 1);
    assert!(
        s.log_lines("demo StartQueryExecution").len() >= 3,
        "DDL and the tally's ranges"
    );
    let drops = s.log_lines("DROP TABLE started");
    assert_eq!(drops.len(), 1, "the table is dropped at exit: {drops:#?}");
    let _ = std::fs::remove_file(&s.log);
}

fn stopped_at_exit(exit: impl FnOnce(&mut Session), name: &str) {
    let mut s = Session::start(name, &[], 120, 40);
    to_athena(&mut s);
    s.send("a");
    s.wait_for("Create an Athena table over the flow logs?");
    s.send("y");
    s.wait_for("Succeeded");
    s.send("-"); // a wider window: a new tally, running for a few polls
    s.wait_for("Running");
    exit(&mut s);
    s.wait_exit();
    let stops = s.log_lines("demo StopQueryExecution");
    assert_eq!(stops.len(), 1, "exactly one StopQueryExecution: {stops:#?}");
    assert!(stops[0].contains("running=true"), "{stops:#?}");
    assert_eq!(s.log_lines("DROP TABLE started").len(), 1);
    let _ = std::fs::remove_file(&s.log);
}

#[test]
fn a_running_query_is_stopped_on_q() {
    stopped_at_exit(|s| s.send("q"), "q");
}

#[test]
fn a_running_query_is_stopped_on_sigterm() {
    stopped_at_exit(
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
fn read_only_shows_the_ddl_and_creates_nothing() {
    let mut s = Session::start("ro", &["--read-only"], 120, 40);
    to_athena(&mut s);
    let screen = s.wait_for("--read-only: nothing is created");
    assert!(
        !screen.contains("create table…"),
        "no key offered: {screen}"
    );
    s.send("a");
    s.wait_for("--read-only is on: nothing is created");
    s.send("q");
    s.wait_exit();
    assert!(s.log_lines("creating the Athena table").is_empty());
    assert!(s.log_lines("demo StartQueryExecution").is_empty());
    let _ = std::fs::remove_file(&s.log);
}
