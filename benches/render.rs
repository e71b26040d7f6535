//! CPU cost of one screen and of one AZ verdict.
//!
//! - `render/*`: a full-screen `ui::render` of the loaded demo (frozen clock) into an
//!   empty buffer, at 80x24 and 160x48; `render_and_compare/*` adds the comparison with
//!   the previous buffer that `tui::draw_if_changed` does on every clock tick.
//! - `summarize/*`: `model::summary::summarize` (tallies, evidence, per-AZ verdict) for
//!   the demo data (3 zones x 30 minutes) and for a large synthetic case (6 zones,
//!   20 target groups, 2000 targets, 60 minutes); `verdict/*` is the verdict alone.
//!
//! Run: `cargo bench --bench render`. Under `cargo test` criterion runs each once.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use clap::Parser;
use criterion::{Criterion, criterion_group, criterion_main};
use grayscope::app::App;
use grayscope::app::panes::az::AzPane;
use grayscope::keymap::Keymap;
use grayscope::model::metrics::{Window, ZoneMetric, ZoneMetrics};
use grayscope::model::summary::summarize;
use grayscope::model::targets::{Target, TargetGroup, TargetGroupHealth, TargetState, ZoneSource};
use grayscope::model::verdict::{Level, VerdictParams, zone_verdicts};
use grayscope::model::zones::{CrossZone, LbKind, LoadBalancer, Zone, ZoneMap};
use grayscope::{Cli, ui};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;
use std::time::Duration;

const CLOCK: &str = "2026-11-22T03:12:00Z";

fn az(app: &App) -> &AzPane {
    app.pane::<AzPane>().expect("AZ pane")
}

/// The demo app with every pane loaded, as `render_once` would draw it.
fn loaded_demo() -> App {
    let cli = Cli::parse_from(["grayscope", "--demo", "--clock", CLOCK]);
    let (mut app, backend, clock) = grayscope::setup(&cli, Keymap::defaults());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(grayscope::load_all(&mut app, &backend, clock));
    assert!(
        az(&app)
            .summaries
            .iter()
            .any(|s| s.level() == Level::Impaired),
        "the demo should show an IMPAIRED zone"
    );
    app
}

fn bench_render(c: &mut Criterion) {
    let app = loaded_demo();
    let mut group = c.benchmark_group("render");
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let area = Rect::new(0, 0, w, h);
        // Sanity: the frame shows the verdict.
        let mut buf = Buffer::empty(area);
        ui::render(area, &mut buf, &app);
        assert!(ui::export::to_text(&buf).contains("IMPAIRED"));
        group.bench_function(format!("{w}x{h}"), |b| {
            b.iter(|| {
                let mut buf = Buffer::empty(area);
                ui::render(area, &mut buf, black_box(&app));
                black_box(buf)
            })
        });
    }
    group.finish();

    // What every idle tick costs in `tui::draw_if_changed`: render, then compare.
    let mut group = c.benchmark_group("render_and_compare");
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let area = Rect::new(0, 0, w, h);
        let mut last = Buffer::empty(area);
        ui::render(area, &mut last, &app);
        group.bench_function(format!("{w}x{h}"), |b| {
            b.iter(|| {
                let mut buf = Buffer::empty(area);
                ui::render(area, &mut buf, black_box(&app));
                black_box(buf == last)
            })
        });
    }
    group.finish();
}

/// The inputs of `summarize`, owned.
struct Case {
    zones: ZoneMap,
    lbs: Vec<LoadBalancer>,
    health: Vec<TargetGroupHealth>,
    metrics: Option<ZoneMetrics>,
}

fn demo_case() -> Case {
    let app = loaded_demo();
    Case {
        zones: ZoneMap::new(app.shared.zones.get().cloned().expect("demo zones")),
        lbs: app.shared.selected.clone(),
        health: az(&app).health.get().cloned().expect("demo health"),
        metrics: az(&app).metrics.get().cloned(),
    }
}

/// 6 zones, 20 target groups of 100 targets (2000), 60 minutes of metrics; one zone
/// gray (5xx and latency up) with a few failing targets, a few failing elsewhere.
fn large_case() -> Case {
    const ZONES: usize = 6;
    const GROUPS: usize = 20;
    const PER_GROUP: usize = 100;
    const MINUTES: usize = 60;
    let zone_names: Vec<String> = (0..ZONES)
        .map(|i| format!("us-east-1{}", (b'a' + i as u8) as char))
        .collect();
    let zones = ZoneMap::new(
        zone_names
            .iter()
            .enumerate()
            .map(|(i, n)| Zone {
                name: n.clone(),
                id: format!("use1-az{}", (i + 3) % ZONES + 1),
                state: "available".into(),
            })
            .collect(),
    );
    let lb_arn =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/big/0123456789abcdef";
    let lbs = vec![LoadBalancer {
        arn: lb_arn.into(),
        name: "big".into(),
        kind: LbKind::Application,
        scheme: "internet-facing".into(),
        state: "active".into(),
        vpc_id: Some("vpc-1".into()),
        zone_names: zone_names.clone(),
    }];
    let health = (0..GROUPS)
        .map(|g| TargetGroupHealth {
            group: TargetGroup {
                arn: format!(
                    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-{g}/{g:016x}"
                ),
                name: format!("tg-{g}"),
                target_type: if g % 2 == 0 { "instance" } else { "ip" }.into(),
                protocol: Some("HTTP".into()),
                port: Some(8080),
                vpc_id: Some("vpc-1".into()),
                load_balancer_arns: vec![lb_arn.into()],
                cross_zone: CrossZone::Off,
            },
            targets: (0..PER_GROUP)
                .map(|t| {
                    let z = t % ZONES;
                    // Zone b (index 1): every 10th target times out; elsewhere one in 50.
                    let failing = (z == 1 && t % 10 == 1) || (z != 1 && t % 50 == 7);
                    Target {
                        id: format!("i-{g:04x}{t:012x}"),
                        port: Some(8080),
                        zone_name: Some(zone_names[z].clone()),
                        zone_source: ZoneSource::Reported,
                        state: if failing {
                            TargetState::Unhealthy
                        } else if t % 97 == 3 {
                            TargetState::Draining
                        } else {
                            TargetState::Healthy
                        },
                        reason: failing.then(|| "Target.Timeout".to_string()),
                        description: failing.then(|| "Request timed out".to_string()),
                        anomalous: false,
                        anomaly_checked: false,
                        mitigation_in_effect: false,
                        zonal_shift_active: false,
                    }
                })
                .collect(),
        })
        .collect();
    let now: DateTime<Utc> = CLOCK.parse().expect("clock");
    let window = Window::ending_at(now, MINUTES);
    let mut m = ZoneMetrics::empty(window);
    for (z, zone) in zone_names.iter().enumerate() {
        m.ensure_zone(zone);
        for slot in 0..MINUTES {
            let at = window.start + ChronoDuration::minutes(slot as i64);
            let sick = z == 1 && slot >= MINUTES - 8;
            let noise = ((slot * 7 + z * 13) % 11) as f64;
            let req = 20_000.0 + 100.0 * noise;
            m.put(zone, ZoneMetric::Requests, at, req);
            m.put(
                zone,
                ZoneMetric::Target5xx,
                at,
                if sick { 900.0 } else { 10.0 + noise },
            );
            m.put(zone, ZoneMetric::Elb5xx, at, if sick { 40.0 } else { 1.0 });
            m.put(
                zone,
                ZoneMetric::ResponseTime,
                at,
                if sick { 1.4 } else { 0.12 + noise / 1000.0 },
            );
            m.put(zone, ZoneMetric::ConnectionErrors, at, 0.0);
        }
    }
    Case {
        zones,
        lbs,
        health,
        metrics: Some(m),
    }
}

fn bench_summarize(c: &mut Criterion) {
    let params = VerdictParams::default();
    let cases = [
        ("demo_3az_30min", demo_case()),
        ("large_6az_2000t_60min", large_case()),
    ];
    let mut group = c.benchmark_group("summarize");
    for (name, case) in &cases {
        let out = summarize(
            &case.zones,
            &case.lbs,
            &case.health,
            case.metrics.as_ref(),
            &params,
        );
        assert!(
            out.iter().any(|s| s.level() == Level::Impaired),
            "{name}: expected an IMPAIRED zone, got {:?}",
            out.iter()
                .map(|s| (&s.zone_name, s.level(), &s.verdict.reason))
                .collect::<Vec<_>>()
        );
        group.bench_function(*name, |b| {
            b.iter(|| {
                summarize(
                    black_box(&case.zones),
                    black_box(&case.lbs),
                    black_box(&case.health),
                    black_box(case.metrics.as_ref()),
                    &params,
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("verdict");
    for (name, case) in &cases {
        let evidence: Vec<_> = summarize(
            &case.zones,
            &case.lbs,
            &case.health,
            case.metrics.as_ref(),
            &params,
        )
        .into_iter()
        .map(|s| s.evidence)
        .collect();
        group.bench_function(*name, |b| {
            b.iter(|| zone_verdicts(black_box(&evidence), &params))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_render, bench_summarize
}
criterion_main!(benches);
