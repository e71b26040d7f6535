//! Wire tests for the anomaly-bands pane: the live backend's CloudWatch client (Smithy
//! RPCv2 CBOR) talks HTTP to moto through the bridge (`support::bridge`). moto keeps
//! the metric but returns no values for metric-math expressions, so there is no band:
//! the pane must say "no band" and still draw the metric.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_bands`. Without
//! `MOTO_ENDPOINT` every test fails (never skips). Each test seeds its own metric under a
//! unique load-balancer dimension, so tests share moto without resetting it.

mod support;

use aws_sdk_cloudwatch::primitives::DateTime as CwTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use chrono::{Duration, DurationRound, Utc};
use grayscope::app::panes::bands::{BandsPane, load_chart};
use grayscope::app::{App, Mode};
use grayscope::backend::aws::AwsBackend;
use grayscope::backend::bands::Bands;
use grayscope::backend::{BackendError, Services};
use grayscope::keymap::Keymap;
use grayscope::model::bands::{BandMetric, BandQuery, BandSource, CustomMetric, Preset};
use grayscope::model::zones::{LbKind, LoadBalancer};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;
use support::bridge;
use support::seed::unique;

const ZONE: &str = "us-east-1b";
const MINUTES: i64 = 30;

/// What a test seeded: the load balancer's dimension and the minute values.
struct Seeded {
    lb: LoadBalancer,
    start: chrono::DateTime<Utc>,
    end: chrono::DateTime<Utc>,
}

fn latency(m: i64) -> f64 {
    if m >= 24 {
        0.48
    } else {
        0.1 + 0.001 * m as f64
    }
}

/// TargetResponseTime for one zone of a load balancer that exists only as a CloudWatch
/// dimension, the 30 minutes before now (plus the current minute), through a bridge of
/// the test's own.
async fn seed() -> Seeded {
    let name = unique("gs-bands");
    let lb = LoadBalancer {
        arn: format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/0123456789abcdef"
        ),
        name: name.clone(),
        kind: LbKind::Application,
        scheme: "internal".into(),
        state: "active".into(),
        vpc_id: None,
        zone_names: vec![ZONE.into()],
    };
    let dimension = lb.metric_dimension().expect("dimension").to_string();
    let now = Utc::now();
    let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    let start = end - Duration::minutes(MINUTES);
    let seed_bridge = bridge::start(&support::moto_endpoint());
    let cw = aws_sdk_cloudwatch::Client::new(&support::sdk_config(&seed_bridge.url));
    let mut put = cw.put_metric_data().namespace("AWS/ApplicationELB");
    for m in 0..=MINUTES {
        let at = CwTime::from_secs((start + Duration::minutes(m)).timestamp());
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("TargetResponseTime")
                // In the order the backend asks for them (moto matches in order).
                .dimensions(
                    Dimension::builder()
                        .name("LoadBalancer")
                        .value(&dimension)
                        .build(),
                )
                .dimensions(
                    Dimension::builder()
                        .name("AvailabilityZone")
                        .value(ZONE)
                        .build(),
                )
                .timestamp(at)
                .value(latency(m))
                .unit(StandardUnit::Seconds)
                .build(),
        );
    }
    put.send().await.expect("seed: PutMetricData");
    Seeded { lb, start, end }
}

fn metric(s: &Seeded) -> BandMetric {
    BandMetric::Preset {
        preset: Preset::LatencyAvg,
        lb_dimension: s.lb.metric_dimension().expect("dimension").into(),
        lb_name: s.lb.name.clone(),
        zone: Some(ZONE.into()),
    }
}

fn query(s: &Seeded) -> BandQuery {
    BandQuery {
        metric: metric(s),
        start: s.start,
        end: s.end,
        period_secs: 60,
        width: 2.0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_metric_without_a_band_is_drawn_and_the_pane_says_no_band() {
    let s = seed().await;
    let product = bridge::start(&support::moto_endpoint());
    let backend = Arc::new(AwsBackend::from_sdk_config(&support::sdk_config(
        &product.url,
    )));
    let services = Services::from_backend(backend.clone());
    let q = query(&s);

    // The one GetMetricData call: the metric comes back, the band does not.
    let chart = backend.band_chart(&q).await.expect("band chart");
    assert_eq!(chart.values.len(), MINUTES as usize);
    for m in 0..MINUTES {
        let v = chart.values[m as usize].expect("every seeded minute");
        assert!((v - latency(m)).abs() < 1e-9, "minute {m}: {v}");
    }
    assert!(!chart.has_band(), "moto returns no band for expressions");
    assert_eq!(chart.source, BandSource::None);
    let ops = product.operations_of("monitoring");
    assert_eq!(ops, ["GetMetricData"], "one call: {ops:?}");

    // The pane's loader tries the local estimate: 30 minutes are too little history.
    let chart = load_chart(&services, &q).await.expect("chart");
    assert_eq!(chart.source, BandSource::None);
    assert!(
        chart
            .messages
            .iter()
            .any(|m| m.contains("too little history")),
        "{:?}",
        chart.messages
    );

    // The detector calls moto does not implement: an error the pane can show.
    let detector = backend.detector(&metric(&s)).await;
    assert!(
        matches!(detector, Err(BackendError::Unsupported { ref operation, .. }) if operation == "DescribeAnomalyDetectors"),
        "{detector:?}"
    );

    // On screen: the value, "no band", the metric drawn (braille dots), the error.
    let now = Utc::now();
    let mut app = App::with_panes(
        Mode::Live,
        Keymap::defaults(),
        vec![],
        chrono::Duration::seconds(30),
        now,
        vec![Box::new(BandsPane::default())],
    );
    app.shared.selected = vec![s.lb.clone()];
    app.with_pane_mut::<BandsPane>(|p, _| {
        p.zone = Some(ZONE.into());
        p.braille = true;
        p.chart.finish(Ok(chart.clone()), now);
        p.detector.finish(detector.clone(), now);
    });
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, &app);
    let screen = grayscope::ui::export::to_text(&buf);
    assert!(screen.contains("480 ms, no band"), "{screen}");
    assert!(screen.contains("no band ·"), "{screen}");
    assert!(screen.contains("DescribeAnomalyDetectors"), "{screen}");
    assert!(
        screen
            .chars()
            .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
        "the metric is drawn: {screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_list_metrics_finds_the_seeded_metric_for_the_picker() {
    let s = seed().await;
    let product = bridge::start(&support::moto_endpoint());
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&product.url));
    let listed = backend
        .list_metrics("AWS/ApplicationELB", 5000)
        .await
        .expect("ListMetrics");
    let dimension = s.lb.metric_dimension().expect("dimension");
    let ours: Vec<&CustomMetric> = listed
        .data
        .iter()
        .filter(|m| m.dimensions.iter().any(|(_, v)| v == dimension))
        .collect();
    // Once, though moto lists it once per datapoint.
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].name, "TargetResponseTime");
    assert!(
        product
            .operations_of("monitoring")
            .contains(&"ListMetrics".to_string())
    );

    // The typed metric charts the same data.
    let typed = CustomMetric::parse(&format!(
        "AWS/ApplicationELB TargetResponseTime LoadBalancer={dimension} AvailabilityZone={ZONE} Average"
    ))
    .expect("parse");
    let chart = backend
        .band_chart(&BandQuery {
            metric: BandMetric::Custom(typed),
            ..query(&s)
        })
        .await
        .expect("chart");
    assert_eq!(chart.points(), MINUTES as usize);
}
