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
