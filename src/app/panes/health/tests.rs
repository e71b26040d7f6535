use super::*;
use crate::app::panes::az::AzPane;
use crate::app::{App, Mode, Msg};
use crate::backend::demo::{DemoBackend, scenario};
use crate::backend::{Account, HealthEvents};
use crate::clock::Clock;
use crate::keymap::Keymap;
use crate::model::health::OPEN_ISSUE_LABEL;
use async_trait::async_trait;
use chrono::TimeZone;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

fn demo() -> Arc<DemoBackend> {
    Arc::new(DemoBackend::new(Clock::Frozen(t0()), 9))
}

fn app() -> App {
    App::new(
        Mode::Demo,
        Keymap::defaults(),
        vec!["shop-frontend".into()],
        Duration::seconds(30),
        t0(),
    )
}

fn health(a: &App) -> &HealthPane {
    a.pane::<HealthPane>()
        .expect("the AWS Health pane is registered")
}

fn focus_health(a: &mut App) {
    let i = a
        .panes
        .iter()
        .position(|p| p.id() == ID)
        .expect("registered");
    a.focus = i;
    a.detail_of = i;
}

async fn loaded(services: Services) -> App {
    let mut a = app();
    crate::jobs::run_until_idle(&mut a, services, Clock::Frozen(t0())).await;
    a
}

/// A Health capability that answers what it is told, counting calls.
struct Scripted {
    events: Result<Answered<Vec<HealthEvent>>, BackendError>,
    calls: AtomicUsize,
}

#[async_trait]
impl HealthEvents for Scripted {
    async fn health_events(
        &self,
        _view: HealthView,
        _now: DateTime<Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.events.clone()
    }
    async fn affected_accounts(
        &self,
        _arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError> {
        Err(BackendError::Other("not scripted".into()))
    }
    async fn organization_event_description(
        &self,
        _arn: &str,
        _account: &str,
    ) -> Result<Option<String>, BackendError> {
        Ok(None)
    }
    async fn organization_access(&self) -> Result<OrgAccess, BackendError> {
        Ok(OrgAccess::Unavailable(
            "this account is not the organization's management account".into(),
        ))
    }
}

fn with_health(h: Arc<Scripted>) -> Services {
    let mut s = Services::from_backend(demo());
    s.health = h;
    s
}

#[tokio::test]
async fn demo_events_load_in_reading_order_and_mark_the_sick_zone() {
    let a = loaded(Services::from_backend(demo())).await;
    let h = health(&a);
    let arns: Vec<&str> = h.shown.iter().map(|e| e.type_code.as_str()).collect();
    assert_eq!(
        arns,
        [
            "AWS_EC2_OPERATIONAL_ISSUE",
            "AWS_ELASTICLOADBALANCING_TLS_POLICY_NOTIFICATION",
            "AWS_EC2_SYSTEM_MAINTENANCE_EVENT",
            "AWS_RDS_OPERATIONAL_ISSUE",
            "AWS_IAM_OPERATIONAL_ISSUE",
        ]
    );
    assert_eq!(
        a.shared.health_marks,
        [(
            scenario::SICK_ZONE.to_string(),
            OPEN_ISSUE_LABEL.to_string()
        )]
    );
    assert_eq!(
        h.zone_id(&h.shown[0], &a.shared).as_deref(),
        Some("use1-az6")
    );
    assert_eq!(h.org.get(), Some(&OrgAccess::Enabled));
    assert!(h.next_refresh.is_some(), "polling goes on");
}

#[tokio::test]
async fn not_subscribed_says_so_stops_polling_and_leaves_the_rest_alone() {
    let h = Arc::new(Scripted {
        events: Err(BackendError::NotSubscribed {
            operation: "DescribeEvents".into(),
        }),
        calls: AtomicUsize::new(0),
    });
    let mut a = loaded(with_health(h.clone())).await;
    let pane = health(&a);
    assert!(
        pane.stopped
            .as_deref()
            .unwrap_or("")
            .contains("support plan")
    );
    assert!(pane.next_refresh.is_none());
    assert!(a.shared.health_marks.is_empty());
    // The AZ pane loaded as if Health did not exist.
    let az = a.pane::<AzPane>().expect("az");
    assert!(az.health.get().is_some() && az.metrics.get().is_some());
    assert_eq!(h.calls.load(Ordering::SeqCst), 1);
    // An hour of ticks asks nothing more of Health.
    for m in 1..=60 {
        let fx = a.update(Msg::Tick, t0() + Duration::minutes(m));
        assert!(!fx.iter().any(|e| e.key().starts_with("health/")), "{fx:?}");
    }
    // `r` tries again.
    let fx = a.update(Msg::Action(Action::Refresh), t0() + Duration::minutes(61));
    assert!(fx.iter().any(|e| e.key() == "health/events"));
    // Its detail explains in words.
    focus_health(&mut a);
    let text: String = health(&a)
        .detail(&a.shared)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(text.contains("SubscriptionRequiredException"), "{text}");
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_events_with_the_error() {
    let mut a = loaded(Services::from_backend(demo())).await;
    let g = health(&a).generation;
    a.with_pane_mut::<HealthPane>(|p, s| {
        p.events.start();
        p.on_job(
            JobMsg {
                pane: ID,
                kind: "events",
                generation: g,
                payload: Box::new(HealthLoaded::Events {
                    view: HealthView::Account,
                    result: Err(BackendError::Throttled {
                        operation: "DescribeEvents".into(),
                    }),
                }),
            },
            s,
        );
    });
    let h = health(&a);
    assert_eq!(h.shown.len(), 5);
    assert!(h.events.error.is_some());
    assert!(h.stopped.is_none(), "throttling does not stop polling");
    assert!(h.next_refresh.is_some());
}

#[tokio::test]
async fn stale_reports_are_dropped() {
    let mut a = loaded(Services::from_backend(demo())).await;
    let g = health(&a).generation;
    a.with_pane_mut::<HealthPane>(|p, s| {
        p.on_job(
            JobMsg {
                pane: ID,
                kind: "events",
                generation: g - 1,
                payload: Box::new(HealthLoaded::Events {
                    view: HealthView::Account,
                    result: Ok(Answered {
                        data: Vec::new(),
                        endpoint: "us-east-2".into(),
                        failover: None,
                        problems: Vec::new(),
                    }),
                }),
            },
            s,
        );
    });
    assert_eq!(health(&a).shown.len(), 5);
}

#[tokio::test]
async fn enter_opens_the_event_esc_closes_and_a_copies() {
    let mut a = loaded(Services::from_backend(demo())).await;
    focus_health(&mut a);
    let arn = health(&a).shown[0].arn.clone();
    a.update(Msg::Action(Action::Act), t0());
    assert_eq!(a.clipboard.as_deref(), Some(arn.as_str()));
    a.clipboard = None;

    a.update(Msg::Action(Action::DrillDown), t0());
    assert_eq!(health(&a).open.as_deref(), Some(arn.as_str()));
    assert_eq!(a.drill, vec![ID]);
    let detail: String = health(&a)
        .detail(&a.shared)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(detail.contains("use1-az6"), "{detail}");
    assert!(
        detail.contains("2026-11-22 03:03 UTC"),
        "times in UTC:\n{detail}"
    );
    assert!(detail.contains("impaired"), "{detail}");
    assert!(detail.contains(OPEN_ISSUE_LABEL), "{detail}");
    // The header's clock: local time when it shows local time.
    a.update(Msg::Action(Action::ToggleClock), t0());
    let local: String = health(&a)
        .detail(&a.shared)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(local.contains(" local"), "{local}");

    a.update(Msg::Action(Action::Act), t0());
    let md = a.clipboard.clone().expect("summary copied");
    assert!(
        md.starts_with("**AWS Health: EC2 operational issue**"),
        "{md}"
    );
    assert!(md.contains(&arn));

    a.update(Msg::Action(Action::Back), t0());
    assert!(health(&a).open.is_none());
    assert!(a.drill.is_empty());
}

#[tokio::test]
async fn organization_view_switches_and_reads_affected_accounts() {
    let mut a = loaded(Services::from_backend(demo())).await;
    focus_health(&mut a);
    let fx = a.update(Msg::Action(Action::NextView), t0());
    assert_eq!(health(&a).view, HealthView::Organization);
    assert!(fx.iter().any(|e| e.key() == "health/events"));
    // The account view's zone marks stay while the organization view is open.
    assert_eq!(a.shared.health_marks.len(), 1);

    let services = Services::from_backend(demo());
    let (mut jobs, mut rx) = crate::jobs::Jobs::with_channel(services);
    jobs.apply_all(fx);
    let msg = rx.recv().await.expect("report");
    a.update(msg, t0());
    assert_eq!(health(&a).shown.len(), 6, "the other account's event too");
    assert_eq!(a.shared.health_marks.len(), 1);

    let fx = a.update(Msg::Action(Action::DrillDown), t0());
    assert!(fx.iter().any(|e| e.key() == "health/accounts"));
    jobs.apply_all(fx);
    let msg = rx.recv().await.expect("report");
    a.update(msg, t0());
    let h = health(&a);
    let opened = h.opened().expect("opened");
    let accounts: Vec<&str> = h
        .entities_of(opened)
        .iter()
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(accounts, [scenario::ACCOUNT, "345678901234"]);
    assert!(
        h.description_of(opened)
            .is_some_and(|d| d.contains("use1-az6")),
        "the text, as the first affected account sees it"
    );

    a.update(Msg::Action(Action::Back), t0());
    a.update(Msg::Action(Action::PrevView), t0());
    assert_eq!(health(&a).view, HealthView::Account);
}

#[tokio::test]
async fn without_organization_view_the_key_says_why() {
    let h = Arc::new(Scripted {
        events: Ok(Answered {
            data: Vec::new(),
            endpoint: "us-east-2".into(),
            failover: Some("us-east-1: cannot reach the endpoint".into()),
            problems: Vec::new(),
        }),
        calls: AtomicUsize::new(0),
    });
    let mut a = loaded(with_health(h)).await;
    focus_health(&mut a);
    let fx = a.update(Msg::Action(Action::NextView), t0());
    assert!(fx.is_empty());
    let h = health(&a);
    assert_eq!(h.view, HealthView::Account);
    assert!(
        h.note
            .as_ref()
            .is_some_and(|n| n.text.contains("management account")),
        "{:?}",
        h.note
    );
    assert_eq!(
        h.events.get().map(|a| a.endpoint.as_str()),
        Some("us-east-2")
    );
}

#[tokio::test]
async fn identity_region_filters_events_and_global_stays() {
    let a = loaded(Services::from_backend(demo())).await;
    assert_eq!(
        a.shared.identity.get().and_then(|i| i.region.as_deref()),
        Some("us-east-1")
    );
    let regions: Vec<&str> = health(&a)
        .shown
        .iter()
        .filter_map(|e| e.region.as_deref())
        .collect();
    assert!(regions.iter().all(|r| *r == "us-east-1" || *r == "global"));
    assert!(regions.contains(&"global"));
    let _ = Account::identity(&*demo()).await;
}

#[test]
fn health_starts_when_the_zones_answer_even_with_no_load_balancer() {
    let mut a = app();
    a.start(t0());
    let fx = a.update(
        Msg::Job(JobMsg {
            pane: crate::app::APP,
            kind: "zones",
            generation: 0,
            payload: Box::new(crate::app::AppLoaded::Zones(Err(BackendError::Other(
                "no network".into(),
            )))),
        }),
        t0(),
    );
    assert!(a.shared.selected.is_empty());
    let health: Vec<String> = fx
        .iter()
        .map(Effect::key)
        .filter(|k| k.starts_with("health/"))
        .collect();
    assert_eq!(health, ["health/events", "health/org_access"]);
    // Not twice: a later change while it loads asks nothing more.
    let fx = a.update(Msg::Tick, t0() + Duration::seconds(1));
    assert!(!fx.iter().any(|e| e.key().starts_with("health/")));
}
