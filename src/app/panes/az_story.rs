//! The demo's story as the AZ pane tells it: the sick zone goes from watching to
//! degraded to impaired, and the other load balancers' verdicts say why (the demo's
//! scenario lives in grayscope-core; the pane's metric loading lives here).

use crate::backend::demo::scenario::{SICK_ZONE, zones};
use chrono::{DateTime, TimeZone, Utc};

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, s)
        .single()
        .expect("valid time")
}

/// The AZ pane's summaries of the demo `minutes_in` minutes into the incident, with
/// the clock frozen at `now`, as the app computes them (30-minute window).
async fn demo_summaries(
    now: DateTime<Utc>,
    minutes_in: i64,
    lb_name: &str,
) -> Vec<crate::model::summary::ZoneSummary> {
    use crate::app::panes::az::load_metrics;
    use crate::backend::Services;
    use crate::backend::demo::DemoBackend;
    use crate::clock::Clock;
    use crate::model::metrics::Window;
    use crate::model::verdict::VerdictParams;
    use crate::model::zones::ZoneMap;
    let services = Services::from_backend(std::sync::Arc::new(DemoBackend::new(
        Clock::Frozen(now),
        minutes_in,
    )));
    let lbs = services
        .targets
        .load_balancers(&[lb_name.to_string()])
        .await
        .expect("demo load balancer")
        .data;
    let health = services
        .targets
        .target_health(&lbs)
        .await
        .expect("health")
        .data;
    let window = Window::ending_at(now, 30);
    let metrics = load_metrics(&services, &lbs, window)
        .await
        .expect("metrics");
    crate::model::summary::summarize(
        &ZoneMap::new(zones()),
        &lbs,
        &health,
        Some(&metrics),
        &VerdictParams::default(),
    )
}

fn verdicts(s: &[crate::model::summary::ZoneSummary]) -> Vec<(String, String, String)> {
    s.iter()
        .map(|s| {
            (
                s.zone_name.clone(),
                s.level().label().to_string(),
                s.verdict.reason.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_verdict_does_not_change_within_a_minute_of_a_frozen_clock() {
    for minutes_in in [1, 2, 3, 9] {
        let at_zero = verdicts(&demo_summaries(t(3, 12, 0), minutes_in, "shop-frontend").await);
        for second in [1, 15, 30, 59] {
            let later =
                verdicts(&demo_summaries(t(3, 12, second), minutes_in, "shop-frontend").await);
            assert_eq!(at_zero, later, "minute {minutes_in}, second {second}");
        }
    }
}

#[tokio::test]
async fn the_gray_failure_is_watched_then_degraded_then_impaired() {
    use crate::model::verdict::Level;
    let level = |s: &[crate::model::summary::ZoneSummary]| {
        s.iter()
            .find(|s| s.zone_name == SICK_ZONE)
            .map(|s| s.level())
    };
    let at = t(3, 12, 30);
    let two = demo_summaries(at, 2, "shop-frontend").await;
    assert_eq!(level(&two), Some(Level::Watching), "{:?}", verdicts(&two));
    let sick = two
        .iter()
        .find(|s| s.zone_name == SICK_ZONE)
        .expect("sick zone");
    assert!(
        sick.verdict
            .reason
            .starts_with("outlier 2 of 5 min since 03:10 UTC, watching (3 of 5 make it DEGRADED"),
        "{}",
        sick.verdict.reason
    );
    let three = demo_summaries(at, 3, "shop-frontend").await;
    assert_eq!(
        level(&three),
        Some(Level::Degraded),
        "{:?}",
        verdicts(&three)
    );
    let nine = demo_summaries(at, 9, "shop-frontend").await;
    assert_eq!(level(&nine), Some(Level::Impaired), "{:?}", verdicts(&nine));
    for s in nine.iter().filter(|s| s.zone_name != SICK_ZONE) {
        assert_eq!(s.level(), Level::Ok, "{:?}", verdicts(&nine));
    }
}

#[tokio::test]
async fn cross_zone_on_the_verdict_rests_on_anomaly_detection() {
    use crate::model::verdict::Level;
    let s = demo_summaries(t(3, 12, 0), 5, "catalog-edge").await;
    let by_zone = |z: &str| s.iter().find(|s| s.zone_name == z).expect("zone");
    let sick = by_zone(SICK_ZONE);
    assert_eq!(sick.level(), Level::Degraded, "{:?}", verdicts(&s));
    assert!(
        sick.verdict
            .reason
            .contains("2 of 3 targets anomalous, 1 mitigated vs 0 of 6"),
        "{}",
        sick.verdict.reason
    );
    let fine = by_zone("us-east-1a");
    assert_eq!(fine.level(), Level::Ok, "{:?}", verdicts(&s));
    assert!(
        fine.verdict.reason.contains("cross-zone on, not used"),
        "{}",
        fine.verdict.reason
    );
}

#[tokio::test]
async fn the_off_vpc_target_has_its_own_row() {
    let s = demo_summaries(t(3, 12, 0), 5, "orders-internal").await;
    let last = s.last().expect("rows");
    assert!(last.is_unknown_zone(), "{:?}", verdicts(&s));
    assert_eq!(last.counts.healthy, 1);
    assert!(
        last.verdict
            .reason
            .contains("outside the load balancer's VPC"),
        "{}",
        last.verdict.reason
    );
    assert_eq!(s.len(), 4, "three zones and the unknown-zone row");
}

#[tokio::test]
async fn the_nlb_zone_whose_targets_reset_flows_is_degraded() {
    use crate::model::verdict::Level;
    let s = demo_summaries(t(3, 12, 0), 5, "ledger-nlb").await;
    let sick = s.iter().find(|s| s.zone_name == SICK_ZONE).expect("zone");
    assert_eq!(sick.level(), Level::Degraded, "{:?}", verdicts(&s));
    assert!(
        sick.verdict
            .reason
            .contains(" of new flows over the last 5 min (per-AZ LB metrics, cross-zone off"),
        "{}",
        sick.verdict.reason
    );
    for other in s.iter().filter(|s| s.zone_name != SICK_ZONE) {
        assert_eq!(other.level(), Level::Ok, "{:?}", verdicts(&s));
    }
}
