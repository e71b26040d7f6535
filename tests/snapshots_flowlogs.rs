//! Rendering the flow-log pane: whole screens from the demo at a frozen clock, at 80x24
//! and 160x48 (TestBackend + insta), and the states a query goes through (waiting out
//! the query limit, running with partial rows, failed with the last counts kept).

use clap::Parser;
use grayscope::Cli;
use grayscope::action::Action;
use grayscope::app::panes::flowlogs::{FlowLoaded, FlowLogsPane, Purpose, QueryEvent};
use grayscope::app::{App, Msg};
use grayscope::backend::flowlogs::{QueryPage, QueryStats, QueryStatus};
use grayscope::backend::{BackendError, Services};
use grayscope::clock::Clock;
use grayscope::jobs::{JobMsg, Jobs};
use grayscope::keymap::Keymap;
use grayscope::model::flowlogs::Part;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CLOCK: &str = "2026-11-22T03:12:00Z";

async fn loaded_demo() -> (App, Services, Clock) {
    let cli = Cli::parse_from(["grayscope", "--demo", "--clock", CLOCK]);
    let (mut app, backend, clock) = grayscope::setup(&cli, Keymap::defaults());
    grayscope::load_all(&mut app, &backend, clock).await;
    (app, backend, clock)
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, app)).expect("draw");
    grayscope::ui::export::to_text(t.backend().buffer())
}

/// What the pane tells the Detail pane, unwrapped.
fn detail(app: &App) -> String {
    let p = app
        .panes
        .iter()
        .find(|p| p.id() == "flowlogs")
        .expect("registered");
    p.detail(&app.shared)
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pane(app: &App) -> &FlowLogsPane {
    app.pane::<FlowLogsPane>().expect("flow-log pane")
}

/// The pane's focus number (its place in the registry).
fn focus(app: &mut App, clock: &Clock) {
    let n = app
        .panes
        .iter()
        .position(|p| p.id() == "flowlogs")
        .expect("registered");
    let a = [
        Action::Focus1,
        Action::Focus2,
        Action::Focus3,
        Action::Focus4,
        Action::Focus5,
    ][n];
    app.update(Msg::Action(a), clock.now());
}

/// Applies `actions`, runs whatever jobs they start until all have reported.
async fn act(app: &mut App, services: &Services, clock: &Clock, actions: &[Action]) {
    let (mut jobs, mut rx) = Jobs::with_channel(services.clone());
    for a in actions {
        jobs.apply_all(app.update(Msg::Action(*a), clock.now()));
    }
    loop {
        while let Ok(m) = rx.try_recv() {
            jobs.apply_all(app.update(m, clock.now()));
        }
        if jobs.running() == 0 && rx.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            if rx.is_empty() {
                break;
            }
        }
        if let Ok(Some(m)) =
            tokio::time::timeout(std::time::Duration::from_millis(50), rx.recv()).await
        {
            jobs.apply_all(app.update(m, clock.now()));
        }
    }
    jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

fn feed(app: &mut App, clock: &Clock, purpose: Purpose, event: QueryEvent) {
    let generation = pane(app).generation;
    app.update(
        Msg::Job(JobMsg {
            pane: "flowlogs",
            kind: "tally",
            generation,
            payload: Box::new(FlowLoaded::Query { purpose, event }),
        }),
        clock.now(),
    );
}

#[tokio::test]
async fn tally_80x24_and_160x48() {
    let (mut app, _, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("REJECTs · src → dst:port · 1h"), "{narrow}");
    assert!(narrow.contains("!az6→az4 10.20.2.81→…25:5432"), "{narrow}");
    insta::assert_snapshot!("tally_80x24", narrow);
    // Zoomed (z): the whole row with zone IDs in full.
    app.zoomed = true;
    let wide = screen(&app, 160, 48);
    app.zoomed = false;
    assert!(wide.contains("!use1-az6→use1-az4"), "{wide}");
    assert!(wide.contains("10.20.11.25:5432/TCP"), "{wide}");
    let d = detail(&app);
    assert!(
        d.contains("every source of this row is in use1-az6 (us-east-1b)"),
        "{d}"
    );
    assert!(
        d.contains("fl-0a2c4e6a8c0e2a4c6 (vpc-0da7a1a4e5e2c0ffe) → s3://acme-central-flow-logs/org/ · plain text · Hive partitions · per hour"),
        "{d}"
    );
    assert!(d.contains("engine: Logs Insights (E switches"), "{d}");
    assert!(d.contains("delivers to kinesis-data-firehose"), "{d}");
    assert!(d.contains("custom v5: fields extracted with parse"), "{d}");
    insta::assert_snapshot!("tally_160x48", wide);
}

#[tokio::test]
async fn sick_zone_only_and_zone_pivot_160x48() {
    let (mut app, services, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    act(&mut app, &services, &clock, &[Action::SickZoneOnly]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("sick AZ only"), "{s}");
    assert!(!s.contains("ext→"), "scanners filtered out: {s}");
    insta::assert_snapshot!("sick_zone_only_160x48", s);
    act(
        &mut app,
        &services,
        &clock,
        &[Action::SickZoneOnly, Action::PrevView],
    )
    .await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("AZ → AZ"), "{s}");
    assert!(s.contains("use1-az6 → use1-az4"), "{s}");
    insta::assert_snapshot!("zone_pivot_160x48", s);
}

#[tokio::test]
async fn records_drill_down_160x48() {
    let (mut app, services, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    act(&mut app, &services, &clock, &[Action::DrillDown]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("records of"), "{s}");
    let d = detail(&app);
    assert!(
        d.contains("logged on: eni-0db0orders5e1ec7a in use1-az4"),
        "{d}"
    );
    assert!(
        d.contains("destination: 10.20.11.25 · database orders-db (RDS PostgreSQL)"),
        "{d}"
    );
    assert!(
        d.contains("source: 10.20.2.81 · interface ECS task api (awsvpc)"),
        "{d}"
    );
    assert!(d.contains("use1-az6 (us-east-1b)"), "{d}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn editor_80x24() {
    let (mut app, services, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    act(&mut app, &services, &clock, &[Action::Edit]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("^R run · Esc close"), "{s}");
    assert!(s.contains("parse @message"), "{s}");
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[tokio::test]
async fn waiting_running_and_failed_states() {
    let (mut app, _, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    // Start a refresh (a new run) and let the backend say the account is at its limit.
    app.update(Msg::Action(Action::Act), clock.now());
    let purpose = Purpose::Tally(Part::Settled);
    feed(
        &mut app,
        &clock,
        purpose,
        QueryEvent::Waiting {
            attempt: 1,
            retry_in: std::time::Duration::from_secs(2),
        },
    );
    let s = screen(&app, 80, 24);
    assert!(s.contains("query limit: retry 2 in 2s"), "{s}");
    feed(
        &mut app,
        &clock,
        purpose,
        QueryEvent::Started {
            id: "q-1".into(),
            start: clock.now() - chrono::Duration::hours(1),
            end: clock.now(),
        },
    );
    feed(
        &mut app,
        &clock,
        purpose,
        QueryEvent::Page(QueryPage {
            status: QueryStatus::Running,
            rows: vec![vec![
                ("srcAddr".into(), "10.20.2.31".into()),
                ("dstAddr".into(), "10.20.11.25".into()),
                ("dstPort".into(), "5432".into()),
                ("protocol".into(), "6".into()),
                ("rejects".into(), "3".into()),
            ]],
            stats: QueryStats {
                records_matched: 3.0,
                records_scanned: 900.0,
                bytes_scanned: 2.5e9,
                ..QueryStats::default()
            },
            message: None,
        }),
    );
    let s = screen(&app, 160, 48);
    assert!(s.contains("Running 0s · 2.5 GB $0.013"), "{s}");
    assert!(
        s.contains("10.20.2.31 → 10.20.11.25:5432/TCP"),
        "partial rows show: {s}"
    );
    insta::assert_snapshot!("running_160x48", s);
    feed(
        &mut app,
        &clock,
        purpose,
        QueryEvent::Failed(BackendError::AccessDenied {
            operation: "GetQueryResults".into(),
            message: "not authorized to perform logs:GetQueryResults".into(),
        }),
    );
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("⚠ query failed <1m ago, counts from <1m ago kept"),
        "{s}"
    );
    assert!(
        s.contains("10.20.11.25:5432/TCP"),
        "last counts still shown: {s}"
    );
    assert!(!pane(&app).running());
}

#[tokio::test]
async fn hostile_text_in_results_is_stripped() {
    let (mut app, _, clock) = loaded_demo().await;
    focus(&mut app, &clock);
    app.with_pane_mut::<FlowLogsPane>(|p, _| {
        p.custom = Some(Default::default());
    });
    feed(
        &mut app,
        &clock,
        Purpose::Custom,
        QueryEvent::Page(QueryPage {
            status: QueryStatus::Complete,
            rows: vec![vec![(
                "@message".into(),
                "evil\x1b]0;owned\x07\x1b[2Jtext".into(),
            )]],
            stats: QueryStats::default(),
            message: None,
        }),
    );
    let mut t = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, &app)).expect("draw");
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "{:?}",
            cell.symbol()
        );
    }
    let text = grayscope::ui::export::to_text(t.backend().buffer());
    assert!(text.contains("evil"), "{text}");
}
