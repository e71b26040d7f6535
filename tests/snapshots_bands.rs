//! The anomaly-bands pane (pane 2) in the demo at a frozen clock: whole screens at
//! 80x24 and 200x60 (insta snapshots), the chart in ASCII without colour, the pane
//! following the AZ pane's zone, the local estimate, creating a detector through the
//! confirmation dialog (and deleting it again at exit), read-only mode, the typed metric
//! picker completed from ListMetrics.

use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::Cli;
use grayscope::action::Action;
use grayscope::app::panes::bands::BandsPane;
use grayscope::app::{App, Msg};
use grayscope::backend::Services;
use grayscope::clock::Clock;
use grayscope::jobs::Jobs;
use grayscope::keymap::Keymap;
use grayscope::model::bands::{BandSource, DetectorState, Position, Preset, Unit};
use grayscope::ui::bands::{ChartStyle, draw_chart};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const CLOCK: &str = "2026-11-22T03:12:00Z";

/// The demo app with its jobs kept running between steps (unlike `load_all`, which
/// shuts them down), so that keys can start more jobs.
struct Session {
    app: App,
    services: Services,
    clock: Clock,
    jobs: Jobs,
    rx: UnboundedReceiver<Msg>,
}

impl Session {
    async fn start(extra: &[&str]) -> Session {
        let mut args = vec!["grayscope", "--demo", "--clock", CLOCK];
        args.extend_from_slice(extra);
        let cli = Cli::parse_from(args);
        let (mut app, services, clock) = grayscope::setup(&cli, Keymap::defaults());
        let (mut jobs, rx) = Jobs::with_channel(services.clone());
        jobs.apply_all(app.start(clock.now()));
        let mut s = Session {
            app,
            services,
            clock,
            jobs,
            rx,
        };
        s.settle().await;
        s
    }

    /// Handles reports until no job runs and nothing more arrives.
    async fn settle(&mut self) {
        loop {
            match tokio::time::timeout(Duration::from_millis(200), self.rx.recv()).await {
                Ok(Some(msg)) => {
                    let effects = self.app.update(msg, self.clock.now());
                    self.jobs.apply_all(effects);
                }
                _ if self.jobs.running() == 0 => break,
                _ => {}
            }
        }
    }

    async fn act(&mut self, actions: &[Action]) {
        for a in actions {
            let effects = self.app.update(Msg::Action(*a), self.clock.now());
            self.jobs.apply_all(effects);
            self.settle().await;
        }
    }

    async fn key(&mut self, code: KeyCode) {
        let effects = self.app.update(
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            self.clock.now(),
        );
        self.jobs.apply_all(effects);
        self.settle().await;
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    fn bands(&self) -> &BandsPane {
        self.app.pane::<BandsPane>().expect("bands pane")
    }

    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| grayscope::ui::draw(f, &self.app)).expect("draw");
        grayscope::ui::export::to_text(t.backend().buffer())
    }
}

#[tokio::test]
async fn bands_80x24_keeps_to_the_status_line() {
    let s = Session::start(&[]).await;
    assert_eq!(
        s.bands().zone.as_deref(),
        Some("us-east-1b"),
        "starts on the blamed zone"
    );
    let screen = s.screen(80, 24);
    assert!(
        screen.contains("Bands · us-east-1b latency avg"),
        "{screen}"
    );
    assert!(screen.contains("above"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn bands_200x60_charts_the_sick_zone_out_of_its_band() {
    let mut s = Session::start(&[]).await;
    s.act(&[Action::Focus2]).await;
    let pane = s.bands();
    let chart = pane.chart.get().expect("chart");
    assert_eq!(chart.source, BandSource::CloudWatch);
    assert_eq!(pane.detector.get(), Some(&DetectorState::Trained));
    let now = chart.now_line().expect("now");
    assert_eq!(now.position, Position::Above);
    assert_eq!(
        now.out_minutes,
        Some(9),
        "out since the onset, 9 minutes ago"
    );
    let screen = s.screen(200, 60);
    assert!(screen.contains(&now.text(Unit::Seconds)), "{screen}");
    assert!(
        screen.contains("CloudWatch band ±2σ · model trained"),
        "{screen}"
    );
    assert!(screen.contains('▲'), "out-of-band minutes marked: {screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn ascii_without_colour_marks_out_of_band_minutes_in_characters() {
    let s = Session::start(&["--ascii"]).await;
    let pane = s.bands();
    assert!(!pane.braille, "--ascii turns braille off");
    let chart = pane.chart.get().expect("chart");
    let area = Rect::new(0, 0, 60, 12);
    let mut buf = Buffer::empty(area);
    let style = ChartStyle {
        braille: false,
        color: false,
        local_clock: false,
    };
    draw_chart(area, &mut buf, chart, Unit::Seconds, style, &[]);
    let text = grayscope::ui::export::to_text(&buf);
    assert!(
        !text.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
        "{text}"
    );
    assert!(text.contains('^'), "markers: {text}");
    assert!(text.contains('#'), "out-of-band points: {text}");
    assert!(text.contains('-'), "band edges: {text}");
    // Without colour, nothing in the chart carries a colour.
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn follows_the_az_pane_to_a_healthy_zone_inside_its_band() {
    let mut s = Session::start(&[]).await;
    // The AZ pane's last row is in us-east-1c.
    s.act(&[Action::Focus1, Action::Bottom]).await;
    let pane = s.bands();
    assert_eq!(pane.zone.as_deref(), Some("us-east-1c"));
    let chart = pane.chart.get().expect("chart");
    match &chart.query.metric {
        grayscope::model::bands::BandMetric::Preset { zone, .. } => {
            assert_eq!(zone.as_deref(), Some("us-east-1c"))
        }
        other => panic!("{other:?}"),
    }
    assert!(chart.has_band());
    assert!(
        chart.out_runs().is_empty(),
        "a healthy zone stays inside its band"
    );
    assert!(s.screen(160, 48).contains("Bands · us-east-1c latency avg"));
}

#[tokio::test]
async fn no_model_shows_a_labelled_local_estimate_and_creates_one_after_asking() {
    let mut s = Session::start(&[]).await;
    s.act(&[Action::Focus2, Action::NextView]).await;
    let pane = s.bands();
    assert_eq!(pane.preset, Some(Preset::LatencyP99));
    assert_eq!(pane.detector.get(), Some(&DetectorState::NoModel));
    let chart = pane.chart.get().expect("chart");
    assert_eq!(chart.source, BandSource::LocalEstimate { days: 7 });
    let screen = s.screen(200, 60);
    assert!(
        screen.contains("LOCAL ESTIMATE, not CloudWatch"),
        "{screen}"
    );
    assert!(screen.contains("no model for this metric and statistic (a: create one)"));
    assert!(screen.contains("(est)"), "{screen}");
    insta::assert_snapshot!("local_estimate_200x60", screen);

    // `a` asks first; the dialog says what, what it costs and that it is deleted.
    s.act(&[Action::Act]).await;
    let confirm = s.app.confirm.clone().expect("a confirmation");
    let said = confirm.lines.join("\n");
    assert!(said.contains("PutAnomalyDetector"), "{said}");
    assert!(said.contains("15 minutes"), "{said}");
    assert!(said.contains("Cost"), "{said}");
    assert!(said.contains("deletes it again"), "{said}");
    let metric = s.bands().metric(&s.app.shared).expect("metric");
    s.key(KeyCode::Char('y')).await;
    assert_eq!(s.bands().created, vec![metric.clone()]);
    assert_eq!(
        s.services.bands.detector(&metric).await,
        Ok(DetectorState::PendingTraining)
    );
    assert_eq!(
        s.bands().detector.get(),
        Some(&DetectorState::PendingTraining)
    );
    assert_eq!(
        s.jobs.pending_cleanups(),
        1,
        "its deletion waits for the exit"
    );
    // Exit: the detector grayscope created is deleted again.
    s.jobs.shutdown(Duration::from_secs(5)).await;
    assert_eq!(
        s.services.bands.detector(&metric).await,
        Ok(DetectorState::NoModel)
    );
}

#[tokio::test]
async fn declining_creates_nothing_and_read_only_only_explains() {
    let mut s = Session::start(&[]).await;
    s.act(&[Action::Focus2, Action::NextView, Action::Act])
        .await;
    assert!(s.app.confirm.is_some());
    s.key(KeyCode::Char('n')).await;
    assert!(s.bands().created.is_empty());
    assert_eq!(s.jobs.pending_cleanups(), 0);

    let mut ro = Session::start(&["--read-only"]).await;
    ro.act(&[Action::Focus2, Action::NextView, Action::Act])
        .await;
    assert!(ro.app.confirm.is_none(), "read-only never asks to write");
    let notice = ro.bands().notice.clone().expect("an explanation");
    assert!(
        notice.contains("read-only") && notice.contains("PutAnomalyDetector"),
        "{notice}"
    );
    assert!(ro.bands().created.is_empty());
}

#[tokio::test]
async fn typed_metric_is_completed_from_list_metrics_and_charted() {
    let mut s = Session::start(&[]).await;
    s.act(&[Action::Focus2, Action::Edit]).await;
    assert!(s.bands().input.is_some());
    s.type_text("AWS/EC2 CPU").await;
    assert!(s.bands().listed.get().is_some(), "the namespace was listed");
    let choices = s.bands().completions();
    assert!(!choices.is_empty());
    assert!(
        choices
            .iter()
            .all(|c| c.starts_with("AWS/EC2 CPUUtilization InstanceId=i-"))
    );
    s.key(KeyCode::Tab).await;
    let typed = s.bands().input.as_ref().expect("input").text.clone();
    assert_eq!(typed, format!("{} ", choices[0]));
    // Tab again: the next match of what was typed.
    s.key(KeyCode::Tab).await;
    let typed = s.bands().input.as_ref().expect("input").text.clone();
    assert_eq!(typed, format!("{} ", choices[1 % choices.len()]));
    assert!(choices.len() > 1);
    // A wrong statistic is refused in words, and the line stays open.
    s.type_text("median").await;
    s.key(KeyCode::Enter).await;
    let err = s.bands().input.as_ref().and_then(|i| i.error.clone());
    assert!(err.expect("error").contains("unknown statistic"));
    for _ in 0.."median".len() {
        s.key(KeyCode::Backspace).await;
    }
    s.type_text("Maximum").await;
    s.key(KeyCode::Enter).await;
    let pane = s.bands();
    assert!(pane.input.is_none());
    assert_eq!(pane.preset, None);
    let chart = pane.chart.get().expect("chart");
    assert!(chart.points() > 0);
    let screen = s.screen(200, 60);
    assert!(screen.contains("CPUUtilization Maximum"), "{screen}");
}

#[tokio::test]
async fn ranges_zoom_pan_and_band_width() {
    let mut s = Session::start(&[]).await;
    s.act(&[Action::Focus2, Action::CycleWindow]).await;
    assert_eq!(s.bands().range_minutes(), 180);
    s.act(&[Action::ZoomOut, Action::ZoomOut, Action::ZoomOut])
        .await;
    assert_eq!(s.bands().range_minutes(), 4320);
    let chart = s.bands().chart.get().expect("chart");
    assert_eq!(chart.query.period_secs, 60);
    assert_eq!(chart.values.len(), 4320);
    s.act(&[Action::ZoomIn]).await;
    assert_eq!(s.bands().range_minutes(), 1440);
    s.act(&[Action::Left]).await;
    assert_eq!(s.bands().pan_minutes, 720);
    let c = s.bands().chart.get().expect("chart");
    assert_eq!(
        c.query.end,
        chrono::DateTime::parse_from_rfc3339(CLOCK)
            .expect("t")
            .to_utc()
            - chrono::Duration::hours(12)
    );
    s.act(&[Action::Right, Action::Right]).await;
    assert_eq!(s.bands().pan_minutes, 0);
    s.act(&[Action::Up]).await;
    assert_eq!(s.bands().chart.get().expect("chart").query.width, 2.5);
}

#[tokio::test]
async fn errors_stay_on_the_chart_with_their_age_and_the_last_chart_stays_drawn() {
    use grayscope::backend::BackendError;
    use grayscope::model::bands::ResultStatus;
    let mut s = Session::start(&[]).await;
    let later = s.clock.now() + chrono::Duration::minutes(3);
    s.app.with_pane_mut::<BandsPane>(|p, _| {
        p.chart.start();
        p.chart.finish(
            Err(BackendError::Throttled {
                operation: "GetMetricData".into(),
            }),
            later,
        );
    });
    s.app.shared.now = later + chrono::Duration::seconds(20);
    // Zoomed (z) on the bands pane: the whole message, however narrow its box is.
    s.app.focus = 1;
    s.app.zoomed = true;
    let screen = s.screen(200, 60);
    // The message wraps with the pane's width: check its parts.
    for part in [
        "GetMetricData: throttled by AWS",
        "<1m",
        "showing data from 3m",
    ] {
        assert!(screen.contains(part), "{part:?} missing: {screen}");
    }
    assert!(
        screen.contains("605 ms, band"),
        "the last chart stays: {screen}"
    );

    // A result CloudWatch refused, and a band cut short.
    s.app.with_pane_mut::<BandsPane>(|p, _| {
        p.chart.error = None;
        if let Some(c) = p.chart.data.as_mut() {
            c.metric_status = ResultStatus::Forbidden;
            c.band_status = ResultStatus::Partial;
        }
    });
    let screen = s.screen(200, 60);
    assert!(
        screen.contains(
            "Forbidden: not allowed to read the metric (needs cloudwatch:GetMetricData on it)"
        ),
        "{screen}"
    );
    assert!(
        screen.contains(
            "PartialData: CloudWatch returned part of the band; the band may be incomplete"
        ),
        "{screen}"
    );
}

#[tokio::test]
async fn the_small_box_of_a_full_layout_keeps_the_numbers() {
    // With every pane registered, 80x24 gives pane 2 about 36x3: one line inside.
    let s = Session::start(&[]).await;
    let area = Rect::new(0, 0, 36, 3);
    let mut buf = Buffer::empty(area);
    let pane = s.bands();
    grayscope::app::Pane::render(pane, area, &mut buf, &s.app.shared, 2, false);
    let text = grayscope::ui::export::to_text(&buf);
    assert!(text.contains("605 ms above 88-131 ms 9 min"), "{text}");
    insta::assert_snapshot!(text);
}
