//! The three-step guard before a zonal shift, driven through the real app, keymap and
//! jobs against the demo: no StartZonalShift / UpdateZonalShift / CancelZonalShift is
//! sent unless grayscope was started with `--allow-zonal-shift` (and not
//! `--read-only`), the user pressed the key on the AZ row, and typed the AZ ID into the
//! confirmation. A `y`, a wrong ID or Esc sends nothing. Then the demo drains the
//! shifted zone in the AZ pane as its clock moves on, and the shift expires on its own.

mod shift_host;

use chrono::Duration;
use grayscope::app::panes::az::AzPane;
use grayscope::backend::Metrics;
use grayscope::model::metrics::{Window, ZoneMetric};
use shift_host::{Harness, t0};

#[tokio::test]
async fn without_the_flag_nothing_is_sent_whatever_is_typed() {
    let mut h = Harness::new(false, false).await;
    h.keys("S").await;
    assert!(h.view().is_some(), "S opens the view on the sick zone");
    h.keys("a").await;
    assert!(h.app.confirm.is_none(), "no dialog without the flag");
    let notice = h.view().and_then(|v| v.notice.clone()).unwrap_or_default();
    assert!(notice.contains("--allow-zonal-shift"), "{notice}");
    h.keys("c").await;
    let copied = h.app.clipboard.clone().unwrap_or_default();
    assert!(copied.contains("--away-from use1-az6"), "{copied}");
    h.keys("\ruse1-az6\rex\ruse1-az6\r").await;
    assert!(h.writes().is_empty(), "{:?}", h.writes());
}

#[tokio::test]
async fn read_only_wins_over_the_flag() {
    let mut h = Harness::new(true, true).await;
    h.keys("Sa\ruse1-az6\r").await;
    assert!(h.app.confirm.is_none());
    assert!(h.writes().is_empty(), "{:?}", h.writes());
}

#[tokio::test]
async fn the_key_alone_or_a_y_or_a_wrong_id_sends_nothing() {
    let mut h = Harness::new(true, false).await;
    // `a` on the AZ pane itself is not the zonal-shift key.
    h.keys("a").await;
    assert!(h.view().is_none() && h.app.confirm.is_none());
    h.keys("Sa").await;
    assert!(
        h.view().is_some_and(|v| v.form.is_some()),
        "the form is open"
    );
    h.keys("\r").await;
    let c = h.app.confirm.clone().expect("the typed confirmation");
    assert_eq!(c.typed.as_deref(), Some("use1-az6"));
    h.keys("y\r").await;
    assert!(h.app.confirm.is_some(), "y + Enter is not a confirmation");
    h.keys("\x7fus-east-1b\r").await;
    assert!(h.app.confirm.is_some(), "the zone name is not the AZ ID");
    h.keys("\x1b").await;
    assert!(h.app.confirm.is_none());
    assert!(h.writes().is_empty(), "{:?}", h.writes());
}

#[tokio::test]
async fn all_three_steps_send_one_start_with_the_az_id_then_the_zone_drains_and_the_shift_expires()
{
    let mut h = Harness::new(true, false).await;
    h.keys("Sa\x7f\x7f30m\ruse1-az6\r").await;
    assert_eq!(
        h.writes(),
        vec!["start use1-az6 30m shop-frontend".to_string()]
    );
    let outcome = h
        .view()
        .and_then(|v| v.outcome.clone())
        .expect("an outcome");
    assert!(outcome.1, "{outcome:?}");
    // Again: the shift is active, so a second start is refused before anything is sent.
    h.keys("a").await;
    assert_eq!(h.writes().len(), 1);

    // The demo drains the zone: its series, read for the minutes after the shift,
    // fall to nothing while the other zones carry the traffic; after the 30 minutes
    // the shift expires on its own and the zone has traffic again.
    let shop = grayscope::backend::demo::scenario::load_balancers()
        .into_iter()
        .find(|l| l.name == "shop-frontend")
        .expect("shop");
    let window = Window::ending_at(t0() + Duration::minutes(40), 42);
    let m = h
        .recording
        .demo
        .zone_metrics(&shop, window)
        .await
        .expect("metrics");
    let series = |zone: &str| {
        m.series(zone, ZoneMetric::Requests)
            .expect("series")
            .to_vec()
    };
    let (sick, other) = (series("us-east-1b"), series("us-east-1a"));
    let slot = |minute: i64| (minute + 2) as usize; // the window starts 2 min before t0
    let before = sick[slot(-1)].unwrap_or(0.0);
    assert!(before > 500.0, "before: {before}");
    assert!(
        sick[slot(0)].unwrap_or(0.0) < before * 0.5,
        "draining: {:?}",
        sick[slot(0)]
    );
    for minute in 2..30 {
        let left = sick[slot(minute)].unwrap_or(0.0);
        assert!(
            left < before * 0.05,
            "minute {minute}: a trickle at most, {left}"
        );
        assert!(other[slot(minute)].unwrap_or(0.0) > other[slot(-1)].unwrap_or(0.0) * 1.3);
    }
    assert!(
        sick[slot(31)].unwrap_or(0.0) > 500.0,
        "expired: traffic back"
    );
    let errors = m.series("us-east-1b", ZoneMetric::Target5xx).expect("5xx");
    let errors_before = errors[slot(-1)].unwrap_or(0.0);
    assert!(errors_before > 5.0, "{errors_before}");
    assert!(
        errors[slot(5)].unwrap_or(0.0) < errors_before * 0.1,
        "{:?}",
        errors[slot(5)]
    );

    // The AZ pane, refreshed, marks the zone's targets as shifted.
    h.keys("\x1br").await;
    let az = h.app.pane::<AzPane>().expect("az");
    let sick = az
        .all_summaries
        .iter()
        .find(|s| s.zone_name == "us-east-1b")
        .expect("zone");
    assert!(sick.anomaly.zonal_shift > 0);
    assert!(
        sick.verdict.reason.contains("zonal shift active"),
        "{}",
        sick.verdict.reason
    );
}
