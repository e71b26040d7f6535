//! The three-step guard before a zonal shift, driven through the real app, keymap and
//! jobs against the demo: no StartZonalShift / UpdateZonalShift / CancelZonalShift is
//! sent unless grayscope was started with `--allow-zonal-shift` (and not
//! `--read-only`), the user pressed the key on the AZ row, and typed the AZ ID into the
//! confirmation. A `y`, a wrong ID or Esc sends nothing. Then the demo drains the
//! shifted zone in the AZ pane as its clock moves on, and the shift expires on its own.

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::app::panes::az::AzPane;
use grayscope::app::panes::zonal_shift::ShiftView;
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::Metrics;
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::zonal_shift::{
    ShiftError, ShiftRequest, ShiftStatus, SubnetRoom, ZonalShift, ZonalShifts,
};
use grayscope::backend::{BackendError, Services};
use grayscope::clock::Clock;
use grayscope::jobs::Jobs;
use grayscope::keymap::Keymap;
use grayscope::model::metrics::{Window, ZoneMetric};
use grayscope::model::zonal_shift::Expiry;
use grayscope::model::zones::LoadBalancer;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedReceiver;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

/// The demo, with every write recorded.
struct Recording {
    demo: Arc<DemoBackend>,
    writes: Mutex<Vec<String>>,
}

#[async_trait]
impl ZonalShifts for Recording {
    async fn shift_status(&self, lb: &LoadBalancer) -> Result<ShiftStatus, BackendError> {
        self.demo.shift_status(lb).await
    }
    async fn subnet_room(&self, vpc: &str) -> Result<Vec<SubnetRoom>, BackendError> {
        self.demo.subnet_room(vpc).await
    }
    async fn start_shift(&self, r: &ShiftRequest) -> Result<ZonalShift, ShiftError> {
        self.writes.lock().unwrap().push(format!(
            "start {} {} {}",
            r.away_from,
            r.expires_in.text(),
            r.lb_name
        ));
        self.demo.start_shift(r).await
    }
    async fn update_shift(
        &self,
        lb: &str,
        id: &str,
        e: Expiry,
        c: &str,
    ) -> Result<ZonalShift, ShiftError> {
        self.writes
            .lock()
            .unwrap()
            .push(format!("update {id} {}", e.text()));
        self.demo.update_shift(lb, id, e, c).await
    }
    async fn cancel_shift(&self, lb: &str, id: &str) -> Result<ZonalShift, ShiftError> {
        self.writes.lock().unwrap().push(format!("cancel {id}"));
        self.demo.cancel_shift(lb, id).await
    }
}

struct Harness {
    app: App,
    jobs: Jobs,
    rx: UnboundedReceiver<Msg>,
    now: DateTime<Utc>,
    recording: Arc<Recording>,
}

impl Harness {
    async fn new(allow: bool, read_only: bool) -> Self {
        let demo = Arc::new(DemoBackend::new(Clock::Frozen(t0()), 9));
        let recording = Arc::new(Recording {
            demo: demo.clone(),
            writes: Mutex::new(Vec::new()),
        });
        let services = Services {
            shifts: recording.clone(),
            ..Services::from_backend(demo)
        };
        let (mut jobs, rx) = Jobs::with_channel(services);
        let mut app = App::new(
            Mode::Demo,
            Keymap::defaults(),
            vec!["shop-frontend".into()],
            Duration::seconds(30),
            t0(),
        );
        app.shared.allow_zonal_shift = allow;
        app.shared.read_only = read_only;
        jobs.apply_all(app.start(t0()));
        let mut h = Self {
            app,
            jobs,
            rx,
            now: t0(),
            recording,
        };
        h.settle().await;
        h
    }

    async fn settle(&mut self) {
        loop {
            while let Ok(msg) = self.rx.try_recv() {
                let effects = self.app.update(msg, self.now);
                self.jobs.apply_all(effects);
            }
            self.jobs.reap();
            if self.jobs.running() == 0 {
                match self.rx.try_recv() {
                    Ok(msg) => {
                        let effects = self.app.update(msg, self.now);
                        self.jobs.apply_all(effects);
                        continue;
                    }
                    Err(_) => break,
                }
            }
            if let Ok(Some(msg)) =
                tokio::time::timeout(std::time::Duration::from_millis(20), self.rx.recv()).await
            {
                let effects = self.app.update(msg, self.now);
                self.jobs.apply_all(effects);
            }
        }
    }

    async fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let code = match c {
                '\r' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\x7f' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            };
            let effects = self
                .app
                .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), self.now);
            self.jobs.apply_all(effects);
            self.settle().await;
        }
    }

    fn writes(&self) -> Vec<String> {
        self.recording.writes.lock().unwrap().clone()
    }

    fn view(&self) -> Option<&ShiftView> {
        self.app
            .overlays
            .iter()
            .find_map(|(_, o)| o.as_any().downcast_ref::<ShiftView>())
    }
}

#[tokio::test]
async fn without_the_flag_nothing_is_sent_whatever_is_typed() {
    let mut h = Harness::new(false, false).await;
    h.keys("S").await;
    assert!(h.view().is_some(), "S opens the view on the sick zone");
    h.keys("a").await;
    assert!(h.app.confirm.is_none(), "no dialog without the flag");
    let notice = h.view().and_then(|v| v.notice.clone()).unwrap_or_default();
    assert!(notice.contains("--allow-zonal-shift"), "{notice}");
    assert!(notice.contains("--away-from use1-az6"), "{notice}");
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
        assert_eq!(sick[slot(minute)], None, "minute {minute}: no traffic");
        assert!(other[slot(minute)].unwrap_or(0.0) > other[slot(-1)].unwrap_or(0.0) * 1.3);
    }
    assert!(
        sick[slot(31)].unwrap_or(0.0) > 500.0,
        "expired: traffic back"
    );
    let errors = m.series("us-east-1b", ZoneMetric::Target5xx).expect("5xx");
    assert!(
        errors[slot(-1)].unwrap_or(0.0) > 5.0,
        "{:?}",
        errors[slot(-1)]
    );
    assert_eq!(errors[slot(5)], None, "no requests, no errors");

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
