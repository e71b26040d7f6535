//! Rendering: whole screens from the demo at a frozen clock, at 80x24 and 160x48,
//! through ratatui's TestBackend, compared with insta snapshots.

use clap::Parser;
use grayscope::Cli;
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::{App, Msg};
use grayscope::backend::Services;
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CLOCK: &str = "2026-11-22T03:12:00Z";

fn az(app: &App) -> &AzPane {
    app.pane::<AzPane>().expect("AZ pane")
}

async fn loaded_demo(extra: &[&str]) -> (App, Services, Clock) {
    let mut args = vec!["grayscope", "--demo", "--clock", CLOCK];
    args.extend_from_slice(extra);
    let cli = Cli::parse_from(args);
    let (mut app, backend, clock) = grayscope::setup(&cli, Keymap::defaults());
    grayscope::load_all(&mut app, &backend, clock).await;
    (app, backend, clock)
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, app)).expect("draw");
    grayscope::ui::export::to_text(t.backend().buffer())
}

fn act(app: &mut App, clock: &Clock, actions: &[Action]) {
    for a in actions {
        app.update(Msg::Action(*a), clock.now());
    }
}

#[tokio::test]
async fn overview_80x24() {
    let (app, _, _) = loaded_demo(&[]).await;
    let s = screen(&app, 80, 24);
    assert!(s.contains("IMPAIRED"));
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn overview_160x48() {
    let (app, _, _) = loaded_demo(&[]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("IMPAIRED"));
    assert!(
        s.contains("↳ AWS Health: open issue in this zone;"),
        "the AZ row says AWS reports an issue there: {s}"
    );
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn gray_failure_before_any_check_fails_160x48() {
    let (app, _, _) = loaded_demo(&["--demo-minute", "4"]).await;
    // The selection starts on us-east-1b, the zone the verdict blames.
    let s = screen(&app, 160, 48);
    assert!(s.contains("DEGRADED"));
    assert!(s.contains("gray failure"));
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn watching_before_the_rule_is_met_80x24_and_160x48() {
    // Two outlier minutes of five: not DEGRADED yet, and not OK either. The why (in
    // pane 1 and in Detail) says so, with the minute the outliers began.
    let (app, _, _) = loaded_demo(&["--demo-minute", "2"]).await;
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("us-east-1b use1-az6 WATCH"), "{narrow}");
    assert!(narrow.contains("since 03:10 UTC"), "{narrow}");
    assert!(narrow.contains("3 of 5 make it DEGRADED"), "{narrow}");
    insta::assert_snapshot!("watching_80x24", narrow);
    insta::assert_snapshot!("watching_160x48", screen(&app, 160, 48));
}

#[tokio::test]
async fn cross_zone_on_says_what_the_metrics_cannot_tell_160x48() {
    let (app, _, _) = loaded_demo(&["--load-balancer", "catalog-edge", "--demo-minute", "5"]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains("catalog-edge (cross-zone on)"), "{s}");
    assert!(s.contains("cross-zone on, not used"), "{s}");
    assert!(s.contains("2 of 3 targets anomalous"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn targets_without_a_zone_have_their_own_row_160x48() {
    let (app, _, _) = loaded_demo(&["--load-balancer", "orders-internal"]).await;
    let s = screen(&app, 160, 48);
    assert!(s.contains(" unknown zone        UNKNOWN"), "{s}");
    assert!(s.contains("outside the load balancer's VPC"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn nlb_resets_are_per_zone_evidence_80x24() {
    let (app, _, _) = loaded_demo(&["--load-balancer", "ledger-nlb", "--demo-minute", "5"]).await;
    let s = screen(&app, 80, 24);
    assert!(s.contains("us-east-1b use1-az6 DEGRADED"), "{s}");
    assert!(s.contains("TCP resets"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn drill_down_80x24_and_160x48() {
    let (mut app, _, clock) = loaded_demo(&[]).await;
    // The selection starts on us-east-1b, the zone the verdict blames.
    act(&mut app, &clock, &[Action::DrillDown]);
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("Target.Timeout"));
    insta::assert_snapshot!("drill_down_80x24", narrow);
    let wide = screen(&app, 160, 48);
    assert!(
        wide.contains("┃◆ web-tg     i-0b0000005eed0010"),
        "targets AWS Health lists as affected are marked: {wide}"
    );
    insta::assert_snapshot!("drill_down_160x48", wide);
    act(&mut app, &clock, &[Action::Back]);
    assert!(az(&app).drill.is_none());
}

#[tokio::test]
async fn help_80x24() {
    let (mut app, _, clock) = loaded_demo(&[]).await;
    act(&mut app, &clock, &[Action::Help]);
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[tokio::test]
async fn picker_lists_every_load_balancer() {
    let (mut app, backend, clock) = loaded_demo(&[]).await;
    let effects = app.update(Msg::Action(Action::PickLoadBalancer), clock.now());
    let (mut jobs, mut rx) = grayscope::jobs::Jobs::with_channel(backend);
    jobs.apply_all(effects);
    let msg = rx.recv().await.expect("the picker's list");
    app.update(msg, clock.now());
    let s = screen(&app, 80, 24);
    assert!(s.contains("orders-internal"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn hostile_text_from_aws_is_stripped_before_drawing() {
    let (mut app, _, clock) = loaded_demo(&[]).await;
    app.with_pane_mut::<AzPane>(|pane, shared| {
        if let Some(h) = pane.health.data.as_mut() {
            for g in h.iter_mut() {
                g.group.name = format!("{}\x1b[31m", g.group.name);
                for t in &mut g.targets {
                    t.description = Some("evil\x1b]0;owned\x07\x1b[2Jtext".into());
                }
            }
        }
        pane.recompute(shared);
    });
    act(&mut app, &clock, &[Action::DrillDown]);
    let mut t = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, &app)).expect("draw");
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character drawn: {:?}",
            cell.symbol()
        );
    }
    let text = grayscope::ui::export::to_text(t.backend().buffer());
    assert!(text.contains("evil"), "{text}");
}

#[tokio::test]
async fn errors_show_on_the_pane_with_the_last_data() {
    use grayscope::app::panes::az::AzLoaded;
    use grayscope::backend::BackendError;
    use grayscope::jobs::{Effect, JobMsg};
    let (mut app, _, clock) = loaded_demo(&[]).await;
    let later = clock.now() + chrono::Duration::seconds(95);
    let effects = app.update(Msg::Action(Action::Refresh), later);
    let generation = effects
        .iter()
        .find_map(|e| match e {
            Effect::Run(j) if j.pane == "az" && j.kind == "metrics" => Some(j.generation),
            _ => None,
        })
        .expect("metrics load");
    app.update(
        Msg::Job(JobMsg {
            pane: "az",
            kind: "metrics",
            generation,
            payload: Box::new(AzLoaded::Metrics(Err(BackendError::AccessDenied {
                operation: "GetMetricData".into(),
                message: "not authorized to perform cloudwatch:GetMetricData".into(),
            }))),
        }),
        later,
    );
    let s = screen(&app, 160, 48);
    assert!(
        s.contains(
            "⚠ metrics failed <1m ago, showing data from 1m ago: GetMetricData: access denied"
        ),
        "{s}"
    );
    assert!(s.contains("IMPAIRED"), "last data still shown: {s}");
}

#[tokio::test]
async fn ascii_and_no_color_80x24() {
    let (mut app, _, _) = loaded_demo(&["--ascii"]).await;
    assert!(app.shared.ascii);
    app.shared.no_color = true;
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, &app)).expect("draw");
    for cell in t.backend().buffer().content() {
        assert!(cell.symbol().is_ascii(), "non-ASCII {:?}", cell.symbol());
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
    let s = grayscope::ui::export::to_text(t.backend().buffer());
    assert!(
        s.contains("IMPAIRED"),
        "the verdict is words, not colour: {s}"
    );
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn zoomed_detail_80x24_reads_the_whole_why() {
    let (mut app, _, clock) = loaded_demo(&[]).await;
    act(&mut app, &clock, &[Action::FocusPrev, Action::Zoom]);
    let s = screen(&app, 80, 24);
    assert!(s.contains("Detail"), "{s}");
    assert!(!s.contains("AZ ID"), "only the zoomed pane: {s}");
    insta::assert_snapshot!(s);
}
