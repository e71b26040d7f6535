//! CPU cost of the anomaly-bands chart: 3 days at 1-minute resolution (4,320 points x
//! 3 series: metric, upper and lower bound) drawn at 200 columns (the budget: under
//! 2 ms), in braille and in ASCII; and the local estimate over 7 days of history.
//!
//! Run: `cargo bench --bench bands`. Under `cargo test` criterion runs each once.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use grayscope::model::bands::{
    BandChart, BandMetric, BandQuery, BandSource, CustomMetric, ESTIMATE_DAYS, ESTIMATE_NEIGHBOURS,
    Unit, local_estimate,
};
use grayscope::ui::bands::{ChartStyle, draw_chart};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;

const POINTS: usize = 4320;

fn query(minutes: i64) -> BandQuery {
    let end = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("t");
    BandQuery {
        metric: BandMetric::Custom(
            CustomMetric::parse("AWS/ApplicationELB TargetResponseTime Average").expect("metric"),
        ),
        start: end - Duration::minutes(minutes),
        end,
        period_secs: 60,
        width: 2.0,
    }
}

/// A daily wave with noise, its band, a gap and an excursion at the end.
fn three_days() -> BandChart {
    let mut c = BandChart::empty(query(POINTS as i64));
    for i in 0..POINTS {
        let day = (i as f64 / 1440.0 * std::f64::consts::TAU).sin();
        let noise = ((i * 7919) % 101) as f64 / 101.0;
        let expected = 0.11 + 0.03 * day;
        c.values[i] = Some(expected + 0.01 * (noise - 0.5));
        c.put_band(i, expected + 0.015, expected - 0.015);
    }
    for v in &mut c.values[2000..2030] {
        *v = None;
    }
    for v in &mut c.values[POINTS - 60..] {
        *v = Some(0.6);
    }
    c.source = BandSource::CloudWatch;
    c
}

fn bench_chart(c: &mut Criterion) {
    let chart = three_days();
    let area = Rect::new(0, 0, 200, 30);
    let mut group = c.benchmark_group("bands_chart_3d_200cols");
    for (name, braille) in [("braille", true), ("ascii", false)] {
        let style = ChartStyle {
            braille,
            color: true,
            local_clock: false,
        };
        // Sanity: the excursion is marked.
        let mut buf = Buffer::empty(area);
        draw_chart(area, &mut buf, &chart, Unit::Seconds, style, &[]);
        let text = grayscope::ui::export::to_text(&buf);
        assert!(text.contains(if braille { '▲' } else { '^' }), "{text}");
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut buf = Buffer::empty(area);
                draw_chart(area, &mut buf, black_box(&chart), Unit::Seconds, style, &[]);
                buf
            })
        });
    }
    group.finish();
}

fn bench_estimate(c: &mut Criterion) {
    let q = query(POINTS as i64);
    let n = ESTIMATE_DAYS * 1440 + POINTS;
    let history: Vec<Option<f64>> = (0..n)
        .map(|i| Some(0.1 + ((i * 7919) % 101) as f64 / 1010.0))
        .collect();
    let (lo, _, days) = local_estimate(&q, &history, ESTIMATE_NEIGHBOURS);
    assert_eq!(days, ESTIMATE_DAYS);
    assert!(lo.iter().all(Option::is_some));
    c.bench_function("bands_local_estimate_3d", |b| {
        b.iter(|| local_estimate(black_box(&q), black_box(&history), ESTIMATE_NEIGHBOURS))
    });
}

criterion_group!(benches, bench_chart, bench_estimate);
criterion_main!(benches);
