use super::*;
use crate::app::panes::az::{AzLoaded, AzPane};
use crate::backend::demo::scenario;
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("time")
}

fn app(wanted: &[&str]) -> App {
    App::new(
        Mode::Demo,
        Keymap::defaults(),
        wanted.iter().map(|s| s.to_string()).collect(),
        Duration::seconds(30),
        t0(),
    )
}

fn lbs(n: usize) -> Vec<LoadBalancer> {
    scenario::load_balancers().into_iter().take(n).collect()
}

fn job_msg<T: Send + 'static>(
    pane: PaneId,
    kind: &'static str,
    generation: u64,
    payload: T,
) -> Msg {
    Msg::Job(JobMsg {
        pane,
        kind,
        generation,
        payload: Box::new(payload),
    })
}

fn lbs_loaded(lbs: Vec<LoadBalancer>) -> Msg {
    job_msg(
        APP,
        "load_balancers",
        0,
        AppLoaded::LoadBalancers {
            purpose: LbPurpose::Select,
            result: Ok(Partial::complete(lbs)),
        },
    )
}

/// Starts `a` and answers its load-balancer lookup with one ALB.
fn watch_one(a: &mut App) -> Vec<Effect> {
    a.start(t0());
    a.update(lbs_loaded(lbs(1)), t0())
}

fn keys(effects: &[Effect]) -> Vec<String> {
    effects.iter().map(Effect::key).collect()
}

fn generation_of(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Run(j) if j.kind == "target_health" => Some(j.generation),
            _ => None,
        })
        .expect("a target health load")
}

fn az(a: &App) -> &AzPane {
    a.pane::<AzPane>().expect("the AZ pane is registered")
}

#[test]
fn start_asks_for_everything_independent_at_once() {
    let mut a = app(&["shop-frontend"]);
    let effects = a.start(t0());
    assert_eq!(
        keys(&effects),
        ["app/identity", "app/load_balancers", "app/zones"]
    );
    assert!(a.shared.load_balancers.loading && a.shared.identity.loading);
}

#[test]
fn one_load_balancer_is_watched_and_many_open_the_picker() {
    let mut a = app(&[]);
    let fx = watch_one(&mut a);
    assert_eq!(a.shared.selected.len(), 1);
    assert!(keys(&fx).contains(&"az/metrics".to_string()));

    let mut b = app(&[]);
    b.start(t0());
    let fx = b.update(lbs_loaded(lbs(2)), t0());
    assert!(fx.is_empty());
    assert!(b.picker.is_some());
    b.update(Msg::Action(Action::Down), t0());
    let fx = b.update(Msg::Action(Action::DrillDown), t0());
    assert_eq!(b.shared.selected[0].name, "orders-internal");
    assert!(b.picker.is_none());
    assert!(!fx.is_empty());
}

#[test]
fn stale_results_are_dropped() {
    let mut a = app(&["shop-frontend"]);
    let first = watch_one(&mut a);
    let old = generation_of(&first);
    // A new selection starts a new generation.
    let second = a.update(lbs_loaded(lbs(2)), t0());
    assert!(
        second.is_empty(),
        "a re-listing of the same LB changes nothing"
    );
    let mut b = app(&[]);
    b.start(t0());
    b.update(lbs_loaded(lbs(2)), t0());
    b.update(Msg::Action(Action::DrillDown), t0());
    let fx = b.update(Msg::Action(Action::PickLoadBalancer), t0());
    assert_eq!(keys(&fx), ["app/pick_load_balancers"]);
    b.update(
        job_msg(
            APP,
            "pick_load_balancers",
            0,
            AppLoaded::LoadBalancers {
                purpose: LbPurpose::Pick,
                result: Ok(Partial::complete(lbs(2))),
            },
        ),
        t0(),
    );
    b.update(Msg::Action(Action::Down), t0());
    let fx = b.update(Msg::Action(Action::DrillDown), t0());
    let new = generation_of(&fx);
    let old_b = new - 1;
    b.update(
        job_msg(
            "az",
            "target_health",
            old_b,
            AzLoaded::TargetHealth(Ok(Partial::default())),
        ),
        t0(),
    );
    assert!(
        az(&b).health.get().is_none(),
        "an old generation must not land"
    );
    assert!(az(&b).health.loading);
    b.update(
        job_msg(
            "az",
            "target_health",
            new,
            AzLoaded::TargetHealth(Ok(Partial::default())),
        ),
        t0(),
    );
    assert!(az(&b).health.get().is_some());
    assert!(old >= 1);
}

#[test]
fn refresh_during_a_load_does_not_fan_out_again() {
    let mut a = app(&["shop-frontend"]);
    let first = watch_one(&mut a);
    let g = generation_of(&first);
    let fx = a.update(Msg::Action(Action::Refresh), t0());
    assert!(
        !keys(&fx).iter().any(|k| k.starts_with("az/")),
        "r while loading must not start a second fan-out: {:?}",
        keys(&fx)
    );
    // A slow load (longer than the refresh interval) still lands.
    let late = t0() + Duration::seconds(95);
    for s in 1..=95 {
        let fx = a.update(Msg::Tick, t0() + Duration::seconds(s));
        assert!(
            !keys(&fx).iter().any(|k| k.starts_with("az/")),
            "no refire while loading"
        );
    }
    a.update(
        job_msg(
            "az",
            "target_health",
            g,
            AzLoaded::TargetHealth(Ok(Partial::default())),
        ),
        late,
    );
    a.update(
        job_msg(
            "az",
            "metrics",
            g,
            AzLoaded::Metrics(Ok(crate::model::metrics::ZoneMetrics::empty(
                crate::model::metrics::Window::ending_at(t0(), 30),
            ))),
        ),
        late,
    );
    assert_eq!(az(&a).health.at, Some(late), "the slow load landed");
    // The next refresh is timed from when the load finished.
    assert!(a.update(Msg::Tick, late + Duration::seconds(29)).is_empty());
    let fx = a.update(Msg::Tick, late + Duration::seconds(30));
    assert!(keys(&fx).contains(&"az/target_health".to_string()));
    // And now `r` does load (nothing in flight after this tick? it is: no double).
    let fx = a.update(Msg::Action(Action::Refresh), late + Duration::seconds(31));
    assert!(!keys(&fx).iter().any(|k| k.starts_with("az/")));
}

#[test]
fn failure_keeps_the_last_data_and_the_error() {
    let mut a = app(&["shop-frontend"]);
    watch_one(&mut a);
    a.update(
        job_msg(APP, "zones", 0, AppLoaded::Zones(Ok(scenario::zones()))),
        t0(),
    );
    let later = t0() + Duration::seconds(30 * SLOW_CLOCK as i64);
    let fx = a.update(Msg::Tick, later);
    assert!(
        keys(&fx).contains(&"app/zones".to_string()),
        "the slow clock passed"
    );
    let err = BackendError::Throttled {
        operation: "DescribeAvailabilityZones".into(),
    };
    a.update(
        job_msg(APP, "zones", 0, AppLoaded::Zones(Err(err.clone()))),
        later,
    );
    assert_eq!(a.shared.zones.get().map(Vec::len), Some(6));
    assert_eq!(a.shared.zones.error, Some((err, later)));
    assert_eq!(a.shared.zones.at, Some(t0()));
}

#[test]
fn focus_cycles_and_numbers_jump() {
    let mut a = app(&[]);
    let n = a.panes.len();
    a.update(Msg::Action(Action::FocusPrev), t0());
    assert!(a.detail_focused());
    a.update(Msg::Action(Action::FocusNext), t0());
    assert_eq!(a.focus, 0);
    a.update(Msg::Action(Action::Focus2), t0());
    assert_eq!(a.focus, 1.min(n));
    a.update(Msg::Action(Action::Back), t0());
    assert_eq!(a.focus, 0);
}

#[test]
fn help_swallows_other_actions() {
    let mut a = app(&[]);
    a.update(Msg::Action(Action::Help), t0());
    a.update(Msg::Action(Action::Focus3), t0());
    assert_eq!(a.focus, 0);
    a.update(Msg::Action(Action::Back), t0());
    assert!(!a.help_open);
    a.update(Msg::Action(Action::ToggleClock), t0());
    assert!(a.shared.local_clock);
}

#[test]
fn drill_downs_stack_and_esc_pops_one_level() {
    let mut a = app(&["shop-frontend"]);
    watch_one(&mut a);
    a.update(Msg::Action(Action::DrillDown), t0());
    assert_eq!(a.drill, vec!["az"]);
    // Focus elsewhere; Esc still closes the open drill-down first, and focuses its pane.
    a.update(Msg::Action(Action::FocusPrev), t0());
    a.update(Msg::Action(Action::Back), t0());
    assert!(a.drill.is_empty());
    assert_eq!(a.focus, 0);
    assert!(az(&a).drill.is_none());
}

#[test]
fn detail_scrolls_when_focused_and_pane_one_does_not_move() {
    let mut a = app(&["shop-frontend"]);
    watch_one(&mut a);
    let before = az(&a).selected;
    a.update(Msg::Action(Action::FocusPrev), t0());
    a.update(Msg::Action(Action::Down), t0());
    a.update(Msg::Action(Action::Down), t0());
    assert_eq!(a.detail_scroll, 2);
    assert_eq!(az(&a).selected, before);
}

fn key(c: char) -> Msg {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn special(code: crossterm::event::KeyCode) -> Msg {
    use crossterm::event::{KeyEvent, KeyModifiers};
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_line(a: &mut App, text: &str) -> Vec<Effect> {
    for c in text.chars() {
        a.update(key(c), t0());
    }
    a.update(special(crossterm::event::KeyCode::Enter), t0())
}

/// A loaded demo app (all jobs run), for router tests that need data.
async fn loaded() -> App {
    let mut a = app(&["shop-frontend"]);
    let clock = crate::clock::Clock::Frozen(t0());
    let services = Services::from_backend(std::sync::Arc::new(
        crate::backend::demo::DemoBackend::new(clock, 9),
    ));
    crate::jobs::run_until_idle(&mut a, services, clock).await;
    a
}

#[test]
fn ctrl_c_needs_a_second_press_within_two_seconds() {
    let mut a = app(&[]);
    a.update(Msg::Action(Action::Interrupt), t0());
    assert!(!a.quit);
    assert!(
        a.flash
            .as_ref()
            .is_some_and(|(f, _)| f.contains("Ctrl-C again"))
    );
    // The message lasts as long as the guard.
    a.update(Msg::Tick, t0() + Duration::seconds(2));
    assert!(a.flash.is_some(), "still armed at 2 s");
    a.update(Msg::Tick, t0() + Duration::seconds(3));
    assert!(a.flash.is_none(), "the promise is gone with the guard");
    // Too late: it asks again.
    a.update(Msg::Action(Action::Interrupt), t0() + Duration::seconds(3));
    assert!(!a.quit);
    a.update(Msg::Action(Action::Interrupt), t0() + Duration::seconds(4));
    assert!(a.quit);
    // Something else in between resets it.
    let mut b = app(&[]);
    b.update(Msg::Action(Action::Interrupt), t0());
    b.update(Msg::Action(Action::Down), t0());
    b.update(Msg::Action(Action::Interrupt), t0());
    assert!(!b.quit);
}

#[test]
fn freeze_holds_reports_and_refreshes_until_thawed() {
    let mut a = app(&["shop-frontend"]);
    let fx = watch_one(&mut a);
    let g = generation_of(&fx);
    a.update(Msg::Action(Action::Freeze), t0());
    assert!(a.frozen_at.is_some());
    a.update(
        job_msg(
            "az",
            "target_health",
            g,
            AzLoaded::TargetHealth(Ok(Partial::default())),
        ),
        t0(),
    );
    assert!(az(&a).health.get().is_none(), "held while frozen");
    assert!(
        a.update(Msg::Tick, t0() + Duration::seconds(300))
            .is_empty()
    );
    assert!(a.update(Msg::Action(Action::Refresh), t0()).is_empty());
    a.update(Msg::Action(Action::Freeze), t0());
    assert!(a.frozen_at.is_none());
    assert!(az(&a).health.get().is_some(), "landed on thaw");
}

#[test]
fn zoom_toggles_and_esc_unzooms() {
    let mut a = app(&[]);
    a.update(Msg::Action(Action::Zoom), t0());
    assert!(a.zoomed);
    a.update(Msg::Action(Action::Back), t0());
    assert!(!a.zoomed);
}

#[test]
fn command_line_runs_completes_and_remembers() {
    let mut a = app(&["shop-frontend"]);
    watch_one(&mut a);
    a.update(Msg::Action(Action::Command), t0());
    assert!(a.line.is_some());
    a.update(key('w'), t0());
    a.update(key('i'), t0());
    a.update(special(crossterm::event::KeyCode::Tab), t0());
    assert_eq!(a.line.as_ref().map(|l| l.text.as_str()), Some("window "));
    let fx = type_line(&mut a, "3h");
    assert!(a.line.is_none(), "ran");
    assert_eq!(a.shared.window_minutes, 180);
    assert!(keys(&fx).contains(&"app/history".to_string()));
    assert!(
        keys(&fx).contains(&"az/metrics".to_string()),
        "panes reload: {:?}",
        keys(&fx)
    );
    assert_eq!(a.history, ["window 3h"]);

    // A bad command keeps the line open with the reason.
    a.update(Msg::Action(Action::Command), t0());
    type_line(&mut a, "region Moon");
    assert!(a.line.as_ref().and_then(|l| l.error.as_ref()).is_some());
    a.update(special(crossterm::event::KeyCode::Esc), t0());
    assert!(a.line.is_none());

    // History: Up brings the last command back.
    a.update(Msg::Action(Action::Command), t0());
    a.update(special(crossterm::event::KeyCode::Up), t0());
    assert_eq!(a.line.as_ref().map(|l| l.text.as_str()), Some("window 3h"));
    a.update(special(crossterm::event::KeyCode::Esc), t0());

    // :region asks the event loop to reconnect; :q quits.
    a.update(Msg::Action(Action::Command), t0());
    let fx = type_line(&mut a, "region eu-west-1");
    assert!(
        keys(&fx).iter().any(|k| k.starts_with("reconnect")),
        "{:?}",
        keys(&fx)
    );
    a.update(Msg::Action(Action::Command), t0());
    type_line(&mut a, "q");
    assert!(a.quit);
}

#[tokio::test]
async fn filter_narrows_the_az_table_and_esc_clears_it() {
    let mut a = loaded().await;
    let all = az(&a).rows().len();
    a.update(Msg::Action(Action::Filter), t0());
    type_line(&mut a, "timeout");
    let shown = az(&a).rows().len();
    assert!(shown < all, "{shown} of {all}");
    assert!(az(&a).summaries.iter().all(|s| s.zone_name == "us-east-1b"));
    // A bad regex is reported and changes nothing.
    a.update(Msg::Action(Action::Filter), t0());
    type_line(&mut a, "/(/");
    assert!(a.line.as_ref().and_then(|l| l.error.as_ref()).is_some());
    a.update(special(crossterm::event::KeyCode::Esc), t0());
    assert_eq!(
        az(&a).rows().len(),
        all,
        "esc on the prompt clears the filter"
    );
}

#[tokio::test]
async fn copy_puts_the_id_and_markdown_on_the_clipboard() {
    let mut a = loaded().await;
    a.update(Msg::Action(Action::CopyId), t0());
    assert_eq!(
        a.clipboard.as_deref(),
        Some("use1-az6"),
        "the blamed zone's ID"
    );
    a.clipboard = None;
    a.update(Msg::Action(Action::CopySummary), t0());
    let md = a.clipboard.take().expect("markdown");
    assert!(md.starts_with("## AZ health · shop-frontend"), "{md}");
    assert!(md.contains("| us-east-1b | use1-az6 | IMPAIRED |"), "{md}");
    let snap = a.snapshot_markdown();
    assert!(
        snap.starts_with("# grayscope snapshot 2026-11-22 03:00:00 UTC"),
        "{snap}"
    );
    assert!(snap.contains("DEMO"));
    let fx = a.update(Msg::Action(Action::Snapshot), t0());
    assert_eq!(keys(&fx), ["app/snapshot"]);
    assert!(a.clipboard.is_some());
}
