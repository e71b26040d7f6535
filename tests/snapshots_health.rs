//! The AWS Health pane from the demo at a frozen clock, at 80x24 and 160x48: the list,
//! an opened event, the organization view, the pane without a support plan, and
//! hostile text from AWS stripped before drawing.

use async_trait::async_trait;
use clap::Parser;
use grayscope::Cli;
use grayscope::action::Action;
use grayscope::app::panes::health::HealthPane;
use grayscope::app::{App, Msg};
use grayscope::backend::{BackendError, HealthEvents, Services};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::health::{AffectedEntity, Answered, HealthEvent, HealthView, OrgAccess};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

const CLOCK: &str = "2026-11-22T03:12:00Z";

fn setup() -> (App, Services, Clock) {
    let cli = Cli::parse_from(["grayscope", "--demo", "--clock", CLOCK]);
    grayscope::setup(&cli, Keymap::defaults())
}

async fn loaded(services: Option<Services>) -> (App, Services, Clock) {
    let (mut app, demo, clock) = setup();
    let services = services.unwrap_or(demo);
    grayscope::load_all(&mut app, &services, clock).await;
    focus_health(&mut app, &clock);
    (app, services, clock)
}

fn focus_health(app: &mut App, clock: &Clock) {
    let n = app
        .panes
        .iter()
        .position(|p| p.id() == "health")
        .expect("registered");
    let focus = [
        Action::Focus1,
        Action::Focus2,
        Action::Focus3,
        Action::Focus4,
    ][n];
    app.update(Msg::Action(focus), clock.now());
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| grayscope::ui::draw(f, app)).expect("draw");
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character drawn: {:?}",
            cell.symbol()
        );
    }
    grayscope::ui::export::to_text(t.backend().buffer())
}

fn health(app: &App) -> &HealthPane {
    app.pane::<HealthPane>().expect("pane")
}

#[tokio::test]
async fn health_list_80x24_and_160x48() {
    let (app, _, _) = loaded(None).await;
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("⚠ 1 open issue (us-east-1b)"), "{narrow}");
    assert!(narrow.contains("Detail · AWS Health"), "{narrow}");
    assert!(narrow.contains("a copy ARN"), "hints: {narrow}");
    insta::assert_snapshot!("health_list_80x24", narrow);
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("Status   Service   Type    Zone"), "{wide}");
    assert!(
        wide.contains("us-east-1b (use1-az6)"),
        "detail ties the zone: {wide}"
    );
    insta::assert_snapshot!("health_list_160x48", wide);
}

#[tokio::test]
async fn health_event_opened_80x24_and_160x48() {
    let (mut app, _, clock) = loaded(None).await;
    app.update(Msg::Action(Action::DrillDown), clock.now());
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("a copy summary"), "{narrow}");
    insta::assert_snapshot!("health_opened_80x24", narrow);
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("resources: 2 impaired, 1 unknown"), "{wide}");
    assert!(
        wide.contains("i-0b0000005eed0010 impaired") || wide.contains("impaired"),
        "{wide}"
    );
    insta::assert_snapshot!("health_opened_160x48", wide);
}

#[tokio::test]
async fn health_organization_view_160x48() {
    let (mut app, services, clock) = loaded(None).await;
    let fx = app.update(Msg::Action(Action::NextView), clock.now());
    let (mut jobs, mut rx) = grayscope::jobs::Jobs::with_channel(services);
    jobs.apply_all(fx);
    let msg = rx.recv().await.expect("org events");
    app.update(msg, clock.now());
    assert_eq!(health(&app).view, HealthView::Organization);
    let fx = app.update(Msg::Action(Action::DrillDown), clock.now());
    jobs.apply_all(fx);
    let msg = rx.recv().await.expect("affected accounts");
    app.update(msg, clock.now());
    let wide = screen(&app, 160, 48);
    assert!(wide.contains("AWS Health · organization"), "{wide}");
    assert!(wide.contains("345678901234"), "{wide}");
    insta::assert_snapshot!("health_org_opened_160x48", wide);
}

/// A backend without a support plan for Health.
struct NoPlan;

#[async_trait]
impl HealthEvents for NoPlan {
    async fn health_events(
        &self,
        _view: HealthView,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
        Err(BackendError::NotSubscribed {
            operation: "DescribeEvents".into(),
        })
    }
    async fn affected_accounts(
        &self,
        _arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError> {
        Err(BackendError::NotSubscribed {
            operation: "DescribeAffectedAccountsForOrganization".into(),
        })
    }
    async fn organization_event_description(
        &self,
        _arn: &str,
        _account: &str,
    ) -> Result<Option<String>, BackendError> {
        Ok(None)
    }
    async fn organization_access(&self) -> Result<OrgAccess, BackendError> {
        Err(BackendError::NotSubscribed {
            operation: "DescribeHealthServiceStatusForOrganization".into(),
        })
    }
}

#[tokio::test]
async fn health_without_a_support_plan_80x24() {
    let (_, demo, _) = setup();
    let mut services = demo;
    services.health = Arc::new(NoPlan);
    let (app, _, _) = loaded(Some(services)).await;
    let s = screen(&app, 80, 24);
    assert!(s.contains("not available"), "{s}");
    assert!(s.contains("IMPAIRED"), "the AZ pane is unaffected: {s}");
    insta::assert_snapshot!("health_not_subscribed_80x24", s);
}

#[tokio::test]
async fn hostile_health_text_is_stripped_before_drawing() {
    let (mut app, _, clock) = loaded(None).await;
    app.with_pane_mut::<HealthPane>(|p, shared| {
        if let Some(a) = p.events.data.as_mut() {
            for e in &mut a.data {
                e.service = format!("{}\x1b[31m", e.service);
                e.description = Some("evil\x1b]0;owned\x07\x1b[2Jtext\u{202e}".into());
                for en in &mut e.entities {
                    en.value = format!("{}\x1b[2J", en.value);
                }
            }
        }
        p.recompute(shared);
    });
    app.update(Msg::Action(Action::DrillDown), clock.now());
    let s = screen(&app, 160, 48);
    assert!(s.contains("evil"), "{s}");
}
