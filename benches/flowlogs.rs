//! The flow-log pane at scale, and what its refreshes scan.
//!
//! - `flowlogs/scroll_10k`: one `j` on a 10,000-row tally and the full 160x48 frame
//!   drawn after it (what a keypress costs).
//! - `flowlogs/resort_10k/<pivot>`: a pivot change on 10,000 tally keys (regroup and
//!   sort, what `]` does) and the frame after it.
//! - `flowlogs/merge_10k`: new counts arriving (merge 10,000 keys, place, regroup).
//! - before the timings, the bytes Logs Insights would scan over one hour with the
//!   pane open and refreshing every minute, incremental (new minutes + the 10-minute
//!   delivery lag) vs re-scanning the whole one-hour window each time, computed over
//!   the demo's simulated records (printed, not timed).
//!
//! Run: `cargo bench --bench flowlogs`. Under `cargo test` criterion runs each once.

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use clap::Parser;
use criterion::Criterion;
use grayscope::action::Action;
use grayscope::app::panes::flowlogs::FlowLogsPane;
use grayscope::app::{App, Msg};
use grayscope::backend::demo::flowlogs::{FORMAT, run_query};
use grayscope::keymap::Keymap;
use grayscope::model::flowlogs::{
    Count, DELIVERY_LAG_MINUTES, LogFormat, Pivot, Tally, TallyKey, TallyRow, fmt_bytes, fmt_usd,
    refresh_ranges, scan_cost_usd, tally_query,
};
use grayscope::{Cli, ui};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;

const CLOCK: &str = "2026-11-22T03:12:00Z";

/// The demo app (not loaded) with a 10,000-key tally in the flow-log pane, focused.
fn big_tally() -> App {
    let cli = Cli::parse_from(["grayscope", "--demo", "--clock", CLOCK]);
    let (mut app, _, clock) = grayscope::setup(&cli, Keymap::defaults());
    let rows: Vec<TallyRow> = (0..10_000u32)
        .map(|i| TallyRow {
            key: TallyKey {
                src: format!("10.{}.{}.{}", 20 + i % 3, (i / 250) % 256, i % 250),
                dst: format!("10.20.{}.{}", 11 + i % 3, 10 + i % 40),
                dst_port: Some([22, 443, 3389, 5432, 6379][(i % 5) as usize]),
                protocol: Some(6),
                interface: Some(format!("eni-{:017x}", i % 97)),
            },
            count: Count {
                rejects: u64::from((i * 7919) % 1000 + 1),
                bytes: u64::from((i * 7919) % 1000 + 1) * 60,
            },
        })
        .collect();
    app.with_pane_mut::<FlowLogsPane>(|p, shared| {
        p.window_minutes = 60;
        p.settled = Tally::from_rows(&rows);
        p.recompute(shared);
    });
    app.update(Msg::Action(Action::Focus2), clock.now());
    assert_eq!(
        app.pane::<FlowLogsPane>().map(|p| p.rows.len()),
        Some(10_000)
    );
    app
}

fn bench(c: &mut Criterion) {
    let area = Rect::new(0, 0, 160, 48);
    let mut app = big_tally();
    let now = app.shared.now;
    let mut group = c.benchmark_group("flowlogs");
    app.with_pane_mut::<FlowLogsPane>(|p, _| p.selected = 5_000);
    group.bench_function("scroll_10k", |b| {
        let mut buf = Buffer::empty(area);
        let mut down = true;
        b.iter(|| {
            let a = if down { Action::Down } else { Action::Up };
            down = !down;
            app.update(Msg::Action(a), now);
            buf.reset();
            ui::render(area, &mut buf, black_box(&app));
        })
    });
    for pivot in [Pivot::Pair, Pivot::Source, Pivot::Port, Pivot::Zone] {
        group.bench_function(format!("resort_10k/{pivot:?}"), |b| {
            let mut buf = Buffer::empty(area);
            b.iter(|| {
                app.with_pane_mut::<FlowLogsPane>(|p, shared| {
                    p.pivot = pivot;
                    p.regroup(shared);
                });
                buf.reset();
                ui::render(area, &mut buf, black_box(&app));
            })
        });
    }
    group.bench_function("merge_10k", |b| {
        b.iter(|| {
            app.with_pane_mut::<FlowLogsPane>(|p, shared| p.recompute(shared));
        })
    });
    group.finish();
}

/// Bytes scanned over an hour with the pane open (a refresh a minute), incremental vs
/// re-scanning the window, over the demo's records.
fn bytes_over_an_hour() {
    let format = LogFormat::parse(FORMAT).expect("format");
    let query = tally_query(&format);
    let opened = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("t");
    let onset = opened - ChronoDuration::minutes(9);
    let lag = ChronoDuration::minutes(DELIVERY_LAG_MINUTES);
    let scan = |a: chrono::DateTime<Utc>, b: chrono::DateTime<Utc>| {
        run_query(onset, &query, a.timestamp(), b.timestamp(), None)
            .expect("query")
            .1
            .bytes_scanned
    };
    let (mut incremental, mut full) = (0.0, 0.0);
    let window_start = opened - ChronoDuration::hours(1);
    let mut counted = None;
    for minute in 0..=60 {
        let now = opened + ChronoDuration::minutes(minute);
        for (a, b, part) in refresh_ranges(window_start, counted, now, lag) {
            incremental += scan(a, b);
            if part == grayscope::model::flowlogs::Part::Settled {
                counted = Some(b);
            }
        }
        full += scan(now - ChronoDuration::hours(1), now);
    }
    println!(
        "flowlogs/bytes_over_an_hour (61 refreshes, demo records): incremental {} ({}) vs re-scanning the window {} ({}): {:.1}x less",
        fmt_bytes(incremental),
        fmt_usd(scan_cost_usd(incremental)),
        fmt_bytes(full),
        fmt_usd(scan_cost_usd(full)),
        full / incremental
    );
}

fn main() {
    bytes_over_an_hour();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
