//! What the terminal sees: the built binary in `--demo`, in a pseudo-terminal, its
//! output parsed by a terminal emulator (vt100).
//!
//! a. Time to first frame: from spawn to the first byte of output, to the first drawn
//!    frame (something visible on the emulated screen), and to the verdict `IMPAIRED`
//!    being on screen. Repeated; min / median / p95.
//! b. Idle output: once the screen has settled, the bytes written to the pty over a
//!    fixed window, with the live clock (only the clock should change, once a second)
//!    and with `--clock` frozen (nothing should change: 0 bytes). Bytes per idle minute.
//!    Also the CPU time the process used over the same window (the sum of every
//!    thread's `/proc/PID/task/*/schedstat` run time), at 80x24 and at 160x48.
//! c. One keypress (`j`, frozen clock): bytes of the redraw, and key-to-output latency.
//!
//! `cargo bench --bench terminal` (release binary) runs the full measurement; the idle
//! windows can be set with GRAYSCOPE_BENCH_IDLE_SECS (live, default 60: two refreshes
//! and a minute roll-over) and GRAYSCOPE_BENCH_FROZEN_SECS (default 20).
//! Under `cargo test` (no `--bench` argument) it does one quick run of each and asserts
//! only that a first frame arrives and a frozen idle screen writes nothing.

#[path = "../tests/support/pty.rs"]
mod pty;

use pty::Pty;
use std::time::{Duration, Instant};

const CLOCK: &str = "2026-11-22T03:12:00Z";
const VERDICT: &str = "IMPAIRED";

/// Everything the reader thread saw, with times.
#[derive(Default)]
struct Seen {
    /// (when, how many bytes) per read.
    chunks: Vec<(Instant, usize)>,
    first_byte: Option<Instant>,
    /// First time the emulated screen showed anything but blanks.
    first_frame: Option<Instant>,
    /// First time the verdict was on screen.
    verdict: Option<Instant>,
    raw: Vec<u8>,
}

impl Seen {
    fn bytes_since(&self, t: Instant) -> usize {
        self.chunks
            .iter()
            .filter(|(at, _)| *at >= t)
            .map(|(_, n)| n)
            .sum()
    }

    fn last_output(&self) -> Option<Instant> {
        self.chunks.last().map(|(t, _)| *t)
    }
}

/// The binary in a pty, and what the reader saw.
type Session = Pty<Seen>;

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        // A private HOME: no user keymap, no user config; logs go there too.
        let tmp = std::env::temp_dir().join(format!(
            "grayscope-bench-terminal-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&tmp).expect("temp dir");
        let log = tmp.join("grayscope.log");
        Pty::spawn(
            args,
            cols,
            rows,
            tmp,
            &log,
            Seen::default(),
            |seen, now, bytes, parser| {
                seen.first_byte.get_or_insert(now);
                seen.chunks.push((now, bytes.len()));
                seen.raw.extend_from_slice(bytes);
                if seen.first_frame.is_none() || seen.verdict.is_none() {
                    let text = parser.screen().contents();
                    if seen.first_frame.is_none() && text.chars().any(|c| !c.is_whitespace()) {
                        seen.first_frame = Some(now);
                    }
                    if seen.verdict.is_none() && text.contains(VERDICT) {
                        seen.verdict = Some(now);
                    }
                }
            },
        )
    }

    /// Waits until the verdict is on screen; returns when it appeared.
    /// Waits until the screen shows `text` (at most 30 s).
    fn wait_text(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.contents().contains(text) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn wait_verdict(&self) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(t) = self.seen.lock().expect("lock").verdict {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {VERDICT:?}; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits until nothing was written for `quiet`.
    fn wait_quiet(&self, quiet: Duration) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let last = self.seen.lock().expect("lock").last_output();
            if last.is_none_or(|t| t.elapsed() >= quiet) {
                return;
            }
            assert!(Instant::now() < deadline, "output never went quiet");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Quits with `q` (killing it if that does not work) and reaps the child.
    fn quit(mut self) {
        self.send("q");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// min / median / p95 / max of a sample, in ms.
fn stats(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (v[0], at(0.5), at(0.95), v[v.len() - 1])
}

struct FirstFrame {
    first_byte: Duration,
    first_frame: Duration,
    verdict: Duration,
    /// Bytes written up to and including the frame that showed the verdict.
    bytes_to_verdict: usize,
}

fn first_frame_once(args: &[&str], cols: u16, rows: u16) -> FirstFrame {
    let s = Session::start(args, cols, rows);
    let verdict_at = s.wait_verdict();
    let out = {
        let seen = s.seen.lock().expect("lock");
        FirstFrame {
            first_byte: seen.first_byte.expect("first byte") - s.spawned,
            first_frame: seen.first_frame.expect("first frame") - s.spawned,
            verdict: verdict_at - s.spawned,
            bytes_to_verdict: seen
                .chunks
                .iter()
                .filter(|(t, _)| *t <= verdict_at)
                .map(|(_, n)| n)
                .sum(),
        }
    };
    s.quit();
    out
}

struct Idle {
    window: Duration,
    bytes: usize,
    writes: usize,
    /// Bytes per whole second of the window.
    per_second: Vec<usize>,
    sample: Vec<u8>,
    /// CPU time the process used over the window (all threads).
    cpu: Duration,
}

/// CPU time a process has used so far, all threads: the first field of each thread's
/// `/proc/PID/task/TID/schedstat` is its time on a CPU in nanoseconds.
fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

/// Waits for the verdict and a settled screen, then counts bytes and CPU time over
/// `window`.
fn idle_once(args: &[&str], size: (u16, u16), settle: Duration, window: Duration) -> Idle {
    let s = Session::start(args, size.0, size.1);
    let pid = s.child.process_id().unwrap_or(0);
    s.wait_verdict();
    // The flow-log pane's first Logs Insights query (demo) has finished.
    s.wait_text("Complete");
    // Let the loads finish (the flow-log pane's demo query reports every 300 ms for
    // about 2 s) and the first redraws pass: "quiet" is a second without output (the
    // clock and the ages change at most once a minute).
    std::thread::sleep(settle);
    s.wait_quiet(Duration::from_millis(1000));
    let cpu_start = cpu_time(pid);
    let start = Instant::now();
    std::thread::sleep(window);
    let end = Instant::now();
    let cpu = cpu_time(pid).saturating_sub(cpu_start);
    let idle = {
        let seen = s.seen.lock().expect("lock");
        let inside: Vec<(Instant, usize)> = seen
            .chunks
            .iter()
            .copied()
            .filter(|(t, _)| *t >= start && *t < end)
            .collect();
        let secs = window.as_secs().max(1) as usize;
        let mut per_second = vec![0; secs];
        for (t, n) in &inside {
            let i = ((*t - start).as_secs() as usize).min(secs - 1);
            per_second[i] += n;
        }
        let bytes: usize = inside.iter().map(|(_, n)| n).sum();
        let skip: usize = seen.bytes_since(start);
        let from = seen.raw.len() - skip;
        let sample = seen.raw[from..(from + bytes.min(240))].to_vec();
        Idle {
            window,
            bytes,
            writes: inside.len(),
            per_second,
            sample,
            cpu,
        }
    };
    s.quit();
    idle
}

struct Key {
    bytes: usize,
    latency: Option<Duration>,
}

/// Frozen clock: settles, sends `j`, counts the bytes of the redraw.
fn key_once() -> Key {
    let mut s = Session::start(&["--demo", "--clock", CLOCK], 80, 24);
    s.wait_verdict();
    std::thread::sleep(Duration::from_millis(500));
    s.wait_quiet(Duration::from_millis(300));
    let sent = Instant::now();
    s.send("j");
    std::thread::sleep(Duration::from_millis(700));
    let key = {
        let seen = s.seen.lock().expect("lock");
        Key {
            bytes: seen.bytes_since(sent),
            latency: seen
                .chunks
                .iter()
                .find(|(t, _)| *t >= sent)
                .map(|(t, _)| *t - sent),
        }
    };
    s.quit();
    key
}

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

fn print_idle(label: &str, idle: &Idle) {
    let per_min = idle.bytes as f64 * 60.0 / idle.window.as_secs_f64();
    let cpu_per_min = idle.cpu.as_secs_f64() * 60.0 / idle.window.as_secs_f64();
    println!(
        "  {label:<34} {:>7} B in {:>3.0} s ({} writes)  = {:>8.0} B/idle-min; CPU {:.3} s/idle-min",
        idle.bytes,
        idle.window.as_secs_f64(),
        idle.writes,
        per_min,
        cpu_per_min
    );
    if idle.bytes > 0 {
        println!("      per second: {:?}", idle.per_second);
        println!(
            "      first bytes: {:?}",
            String::from_utf8_lossy(&idle.sample)
        );
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let binary = env!("CARGO_BIN_EXE_grayscope");
    if !bench {
        smoke();
        return;
    }
    let runs: usize = std::env::var("GRAYSCOPE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    println!("\n== grayscope terminal bench ({binary})");
    println!(
        "   machine: {} cores; pty + vt100 in this process; times from spawn",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // a. Time to first frame.
    let _ = first_frame_once(&["--demo"], 80, 24); // warm the page cache
    let mut samples = Vec::new();
    for _ in 0..runs {
        samples.push(first_frame_once(&["--demo"], 80, 24));
    }
    println!("\n-- a. time to first frame, --demo, 80x24, {runs} runs (min / median / p95 / max)");
    for (label, pick) in [
        (
            "first byte",
            (|f: &FirstFrame| f.first_byte) as fn(&FirstFrame) -> Duration,
        ),
        ("first frame drawn", |f| f.first_frame),
        ("verdict IMPAIRED visible", |f| f.verdict),
    ] {
        let (min, med, p95, max) = stats(samples.iter().map(|f| ms(pick(f))).collect());
        println!("  {label:<26} {min:>7.1} / {med:>7.1} / {p95:>7.1} / {max:>7.1} ms");
    }
    let big = first_frame_once(&["--demo", "--clock", CLOCK], 160, 48);
    let small = first_frame_once(&["--demo", "--clock", CLOCK], 80, 24);
    println!(
        "  bytes until the verdict frame: {} B at 80x24, {} B at 160x48 (160x48: verdict at {:.1} ms)",
        small.bytes_to_verdict,
        big.bytes_to_verdict,
        ms(big.verdict)
    );

    // b. Idle output.
    let live = env_secs("GRAYSCOPE_BENCH_IDLE_SECS", 60);
    let frozen = env_secs("GRAYSCOPE_BENCH_FROZEN_SECS", 20);
    println!("\n-- b. idle output and CPU (after the screen settled)");
    let mut f = None;
    for size in [(80, 24), (160, 48)] {
        let l = idle_once(&["--demo"], size, Duration::from_millis(1500), live);
        print_idle(&format!("{}x{} live clock (--demo)", size.0, size.1), &l);
        let fz = idle_once(
            &["--demo", "--clock", CLOCK],
            size,
            Duration::from_millis(1500),
            frozen,
        );
        print_idle(
            &format!("{}x{} frozen clock (--clock)", size.0, size.1),
            &fz,
        );
        if fz.bytes != 0 {
            f = Some(fz);
        }
    }

    // c. One keypress.
    let k = key_once();
    println!("\n-- c. one keypress (j, frozen clock, 80x24)");
    println!(
        "  redraw: {} B, key-to-first-byte {}",
        k.bytes,
        k.latency
            .map(|d| format!("{:.1} ms", ms(d)))
            .unwrap_or_else(|| "(no output)".into())
    );
    println!();
    if let Some(f) = f {
        println!(
            "  WARNING: a frozen idle screen wrote {} bytes (expected 0)",
            f.bytes
        );
    }
}

/// `cargo test`: one quick run of each, sane results only.
fn smoke() {
    let ff = first_frame_once(&["--demo"], 80, 24);
    assert!(ff.first_byte <= ff.verdict);
    println!(
        "terminal smoke: first byte {:.1} ms, verdict {:.1} ms",
        ms(ff.first_byte),
        ms(ff.verdict)
    );
    let f = idle_once(
        &["--demo", "--clock", CLOCK],
        (80, 24),
        Duration::from_millis(300),
        Duration::from_secs(2),
    );
    assert_eq!(
        f.bytes,
        0,
        "a frozen idle screen must write nothing; wrote {:?}",
        String::from_utf8_lossy(&f.sample)
    );
    let l = idle_once(
        &["--demo"],
        (80, 24),
        Duration::from_millis(300),
        Duration::from_secs(2),
    );
    println!(
        "terminal smoke: live idle {} B and {:.3} s CPU in 2 s",
        l.bytes,
        l.cpu.as_secs_f64()
    );
    let k = key_once();
    assert!(k.bytes > 0, "pressing j should redraw the selection");
    println!("terminal smoke: keypress j {} B", k.bytes);
}
