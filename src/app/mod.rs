//! All application state and the one place it changes: [`App::update`].
//!
//! `update` is synchronous and does no I/O: it turns a [`Msg`] (a key, a clock tick, a
//! finished backend call) into state changes and a list of [`Effect`]s for `jobs` to
//! carry out. Backend results come back as `Msg::Loaded` carrying the generation they
//! were asked under; results from an older generation are dropped.

pub mod az;
pub mod slot;

use crate::action::Action;
use crate::backend::{BackendError, Identity};
use crate::keymap::Keymap;
use crate::model::metrics::{Window, ZoneMetrics};
use crate::model::targets::TargetGroupHealth;
use crate::model::zones::{LoadBalancer, Zone};
use az::AzPane;
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};
use slot::Slot;

/// The five areas of the screen, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    AzHealth,
    Anomaly,
    Rejects,
    AwsHealth,
    Detail,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::AzHealth,
        Pane::Anomaly,
        Pane::Rejects,
        Pane::AwsHealth,
        Pane::Detail,
    ];

    pub fn number(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0) + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::AzHealth => "AZ health",
            Pane::Anomaly => "Anomaly bands",
            Pane::Rejects => "Flow-log rejects",
            Pane::AwsHealth => "AWS Health",
            Pane::Detail => "Detail",
        }
    }
}

/// Whether data is real or simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Demo,
    Live,
}

/// Why a list of load balancers was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbPurpose {
    /// The ones to watch (from the command line, or all to choose from at start).
    Select,
    /// Every load balancer, for the picker.
    Pick,
}

/// A finished backend call.
#[derive(Debug, Clone)]
pub enum Loaded {
    Identity(Result<Identity, BackendError>),
    LoadBalancers {
        purpose: LbPurpose,
        result: Result<Vec<LoadBalancer>, BackendError>,
    },
    /// Zones are the account's, whatever is selected: they carry no generation.
    Zones(Result<Vec<Zone>, BackendError>),
    TargetHealth {
        generation: u64,
        result: Result<Vec<TargetGroupHealth>, BackendError>,
    },
    Metrics {
        generation: u64,
        result: Result<ZoneMetrics, BackendError>,
    },
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Action(Action),
    /// The clock moved (once a second); drives ages and the refresh interval.
    Tick,
    Resize,
    Loaded(Loaded),
    /// SIGTERM / SIGHUP: leave cleanly.
    Terminate,
}

/// Work for `jobs` to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadIdentity,
    LoadLoadBalancers {
        wanted: Vec<String>,
        purpose: LbPurpose,
    },
    LoadZones,
    LoadTargetHealth {
        lbs: Vec<LoadBalancer>,
        generation: u64,
    },
    LoadMetrics {
        lbs: Vec<LoadBalancer>,
        window: Window,
        generation: u64,
    },
}

/// The load-balancer picker overlay.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub choices: Slot<Vec<LoadBalancer>>,
    pub selected: usize,
    /// The load balancer being watched, which the cursor starts on.
    pub current: Option<String>,
}

pub struct App {
    pub mode: Mode,
    pub keymap: Keymap,
    pub identity: Slot<Identity>,
    /// Load balancers named on the command line (names or ARNs); empty = choose.
    pub wanted: Vec<String>,
    pub load_balancers: Slot<Vec<LoadBalancer>>,
    /// The load balancers being watched.
    pub selected: Vec<LoadBalancer>,
    pub az: AzPane,
    pub focus: Pane,
    pub help_open: bool,
    pub picker: Option<Picker>,
    pub local_clock: bool,
    pub refresh_every: Duration,
    pub window_minutes: usize,
    pub log_path: Option<String>,
    generation: u64,
    next_refresh: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub quit: bool,
}

impl App {
    pub fn new(
        mode: Mode,
        keymap: Keymap,
        wanted: Vec<String>,
        refresh_every: Duration,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            mode,
            keymap,
            identity: Slot::default(),
            wanted,
            load_balancers: Slot::default(),
            selected: Vec::new(),
            az: AzPane::default(),
            focus: Pane::AzHealth,
            help_open: false,
            picker: None,
            local_clock: false,
            refresh_every,
            window_minutes: 30,
            log_path: None,
            generation: 0,
            next_refresh: None,
            now,
            quit: false,
        }
    }

    /// What to fetch first. Everything independent starts at once.
    pub fn start(&mut self) -> Vec<Effect> {
        self.identity.start();
        self.load_balancers.start();
        self.generation += 1;
        self.az.zones.start();
        vec![
            Effect::LoadIdentity,
            Effect::LoadLoadBalancers {
                wanted: self.wanted.clone(),
                purpose: LbPurpose::Select,
            },
            Effect::LoadZones,
        ]
    }

    /// The account, as read from the load balancers' ARNs.
    pub fn account(&self) -> Option<&str> {
        self.selected
            .iter()
            .chain(self.load_balancers.get().into_iter().flatten())
            .find_map(LoadBalancer::account_id)
    }

    /// Fetches everything the watched load balancers need, as a new generation.
    fn refresh(&mut self) -> Vec<Effect> {
        self.next_refresh = Some(self.now + self.refresh_every);
        let mut effects = Vec::new();
        if self.selected.is_empty() {
            if !self.load_balancers.loading && self.picker.is_none() {
                self.load_balancers.start();
                effects.push(Effect::LoadLoadBalancers {
                    wanted: self.wanted.clone(),
                    purpose: LbPurpose::Select,
                });
            }
            return effects;
        }
        self.generation += 1;
        let generation = self.generation;
        // Zones do not depend on the selection: one request in flight is enough.
        if !self.az.zones.loading {
            self.az.zones.start();
            effects.push(Effect::LoadZones);
        }
        self.az.health.start();
        self.az.metrics.start();
        effects.push(Effect::LoadTargetHealth {
            lbs: self.selected.clone(),
            generation,
        });
        effects.push(Effect::LoadMetrics {
            lbs: self.selected.clone(),
            window: Window::ending_at(self.now, self.window_minutes),
            generation,
        });
        effects
    }

    fn select(&mut self, lbs: Vec<LoadBalancer>) -> Vec<Effect> {
        self.selected = lbs;
        self.az.drill = None;
        self.az.health = Slot::default();
        self.az.metrics = Slot::default();
        self.az.recompute(&self.selected);
        self.refresh()
    }

    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        self.now = now;
        match msg {
            Msg::Key(ev) => {
                if ev.kind == KeyEventKind::Release {
                    return Vec::new();
                }
                match self.keymap.action_for(&ev) {
                    Some(a) => self.act(a),
                    None => Vec::new(),
                }
            }
            Msg::Action(a) => self.act(a),
            Msg::Tick => match self.next_refresh {
                Some(t) if now >= t => self.refresh(),
                _ => Vec::new(),
            },
            Msg::Resize => Vec::new(),
            Msg::Terminate => {
                self.quit = true;
                Vec::new()
            }
            Msg::Loaded(l) => self.loaded(l),
        }
    }

    fn loaded(&mut self, l: Loaded) -> Vec<Effect> {
        let now = self.now;
        match l {
            Loaded::Identity(r) => {
                self.identity.finish(r, now);
                Vec::new()
            }
            Loaded::LoadBalancers {
                purpose: LbPurpose::Pick,
                result,
            } => {
                if let Some(p) = &mut self.picker {
                    p.choices.finish(result, now);
                    let current = p.current.as_deref();
                    p.selected = p
                        .choices
                        .get()
                        .and_then(|c| c.iter().position(|lb| Some(lb.arn.as_str()) == current))
                        .unwrap_or(0);
                }
                Vec::new()
            }
            Loaded::LoadBalancers {
                purpose: LbPurpose::Select,
                result,
            } => {
                let chosen = match &result {
                    Ok(lbs) if !self.wanted.is_empty() || lbs.len() == 1 => Some(lbs.clone()),
                    _ => None,
                };
                let many = matches!(&result, Ok(lbs) if lbs.len() > 1);
                self.load_balancers.finish(result, now);
                self.next_refresh = Some(now + self.refresh_every);
                match chosen {
                    Some(lbs) => self.select(lbs),
                    None if many && self.picker.is_none() => {
                        self.picker = Some(Picker {
                            choices: self.load_balancers.clone(),
                            ..Picker::default()
                        });
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            Loaded::Zones(result) => {
                self.az.zones.finish(result, now);
                self.az.recompute(&self.selected);
                Vec::new()
            }
            Loaded::TargetHealth { generation, result } if generation == self.generation => {
                self.az.health.finish(result, now);
                self.az.recompute(&self.selected);
                Vec::new()
            }
            Loaded::Metrics { generation, result } if generation == self.generation => {
                self.az.metrics.finish(result, now);
                self.az.recompute(&self.selected);
                Vec::new()
            }
            // A result from before the last refresh or selection change.
            Loaded::TargetHealth { .. } | Loaded::Metrics { .. } => Vec::new(),
        }
    }

    fn act(&mut self, a: Action) -> Vec<Effect> {
        if self.help_open {
            match a {
                Action::Help | Action::Back => self.help_open = false,
                Action::Quit => self.quit = true,
                _ => {}
            }
            return Vec::new();
        }
        if let Some(p) = &mut self.picker {
            let n = p.choices.get().map(Vec::len).unwrap_or(0);
            match a {
                Action::Up => p.selected = p.selected.saturating_sub(1),
                Action::Down => p.selected = (p.selected + 1).min(n.saturating_sub(1)),
                Action::Top => p.selected = 0,
                Action::Bottom => p.selected = n.saturating_sub(1),
                Action::Back | Action::PickLoadBalancer => self.picker = None,
                Action::Quit => self.quit = true,
                Action::Help => self.help_open = true,
                Action::DrillDown => {
                    let chosen = p.choices.get().and_then(|c| c.get(p.selected)).cloned();
                    if let Some(lb) = chosen {
                        self.picker = None;
                        return self.select(vec![lb]);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        match a {
            Action::Help => self.help_open = true,
            Action::Quit => self.quit = true,
            Action::FocusNext | Action::FocusPrev => {
                let i = self.focus.number() - 1;
                let n = Pane::ALL.len();
                let next = if a == Action::FocusNext {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = Pane::ALL[next];
            }
            Action::Focus1 => self.focus = Pane::AzHealth,
            Action::Focus2 => self.focus = Pane::Anomaly,
            Action::Focus3 => self.focus = Pane::Rejects,
            Action::Focus4 => self.focus = Pane::AwsHealth,
            Action::Focus5 => self.focus = Pane::Detail,
            Action::Up | Action::Down | Action::Top | Action::Bottom
                if matches!(self.focus, Pane::AzHealth | Pane::Detail) =>
            {
                match a {
                    Action::Up => self.az.move_by(-1),
                    Action::Down => self.az.move_by(1),
                    Action::Top => self.az.move_to(true),
                    _ => self.az.move_to(false),
                }
            }
            Action::DrillDown if self.focus == Pane::AzHealth => {
                self.az.drill_down();
            }
            // Esc closes a drill-down first (`back` does that and says so); with none
            // open, it brings focus back to pane 1.
            Action::Back if !self.az.back() => self.focus = Pane::AzHealth,
            Action::Refresh => return self.refresh(),
            Action::ToggleClock => self.local_clock = !self.local_clock,
            Action::PickLoadBalancer => {
                let mut picker = Picker::default();
                picker.choices.start();
                picker.current = self.selected.first().map(|lb| lb.arn.clone());
                self.picker = Some(picker);
                return vec![Effect::LoadLoadBalancers {
                    wanted: Vec::new(),
                    purpose: LbPurpose::Pick,
                }];
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// Starts `a` and answers its load-balancer lookup with one ALB.
    fn watch_one(a: &mut App) -> Vec<Effect> {
        a.start();
        a.update(
            Msg::Loaded(Loaded::LoadBalancers {
                purpose: LbPurpose::Select,
                result: Ok(lbs(1)),
            }),
            t0(),
        )
    }

    fn generation_of(effects: &[Effect]) -> u64 {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::LoadTargetHealth { generation, .. } => Some(*generation),
                _ => None,
            })
            .expect("a target health load")
    }

    #[test]
    fn start_asks_for_everything_independent_at_once() {
        let mut a = app(&["shop-frontend"]);
        let effects = a.start();
        assert_eq!(effects.len(), 3, "{effects:?}");
        assert!(a.load_balancers.loading && a.identity.loading);
    }

    #[test]
    fn one_load_balancer_is_watched_and_many_open_the_picker() {
        let mut a = app(&[]);
        let fx = watch_one(&mut a);
        assert_eq!(a.selected.len(), 1);
        assert!(fx.iter().any(|e| matches!(e, Effect::LoadMetrics { .. })));

        let mut b = app(&[]);
        b.start();
        let fx = b.update(
            Msg::Loaded(Loaded::LoadBalancers {
                purpose: LbPurpose::Select,
                result: Ok(lbs(2)),
            }),
            t0(),
        );
        assert!(fx.is_empty());
        assert!(b.picker.is_some());
        b.update(Msg::Action(Action::Down), t0());
        let fx = b.update(Msg::Action(Action::DrillDown), t0());
        assert_eq!(b.selected[0].name, "orders-internal");
        assert!(b.picker.is_none());
        assert!(!fx.is_empty());
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut a = app(&["shop-frontend"]);
        let first = watch_one(&mut a);
        let old = generation_of(&first);
        let second = a.update(Msg::Action(Action::Refresh), t0());
        let new = generation_of(&second);
        assert!(new > old);
        a.update(
            Msg::Loaded(Loaded::TargetHealth {
                generation: old,
                result: Ok(vec![]),
            }),
            t0(),
        );
        assert!(
            a.az.health.get().is_none(),
            "an old generation must not land"
        );
        assert!(a.az.health.loading);
        a.update(
            Msg::Loaded(Loaded::TargetHealth {
                generation: new,
                result: Ok(vec![]),
            }),
            t0(),
        );
        assert!(a.az.health.get().is_some());
    }

    #[test]
    fn failure_keeps_the_last_data_and_the_error() {
        let mut a = app(&["shop-frontend"]);
        let fx = watch_one(&mut a);
        assert!(
            !fx.contains(&Effect::LoadZones),
            "zones were already on their way from start()"
        );
        a.update(Msg::Loaded(Loaded::Zones(Ok(scenario::zones()))), t0());
        let later = t0() + Duration::seconds(40);
        let fx = a.update(Msg::Tick, later);
        assert!(
            fx.contains(&Effect::LoadZones),
            "the refresh interval passed"
        );
        let err = BackendError::Throttled {
            operation: "DescribeAvailabilityZones".into(),
        };
        a.update(Msg::Loaded(Loaded::Zones(Err(err.clone()))), later);
        assert_eq!(a.az.zones.get().map(Vec::len), Some(6));
        assert_eq!(a.az.zones.error, Some((err, later)));
        assert_eq!(a.az.zones.at, Some(t0()));
    }

    #[test]
    fn ticks_before_the_interval_do_nothing() {
        let mut a = app(&["shop-frontend"]);
        watch_one(&mut a);
        assert!(a.update(Msg::Tick, t0() + Duration::seconds(29)).is_empty());
        assert!(!a.update(Msg::Tick, t0() + Duration::seconds(30)).is_empty());
    }

    #[test]
    fn focus_cycles_and_numbers_jump() {
        let mut a = app(&[]);
        a.update(Msg::Action(Action::FocusPrev), t0());
        assert_eq!(a.focus, Pane::Detail);
        a.update(Msg::Action(Action::FocusNext), t0());
        assert_eq!(a.focus, Pane::AzHealth);
        a.update(Msg::Action(Action::Focus4), t0());
        assert_eq!(a.focus, Pane::AwsHealth);
        a.update(Msg::Action(Action::Back), t0());
        assert_eq!(a.focus, Pane::AzHealth);
    }

    #[test]
    fn help_swallows_other_actions() {
        let mut a = app(&[]);
        a.update(Msg::Action(Action::Help), t0());
        a.update(Msg::Action(Action::Focus3), t0());
        assert_eq!(a.focus, Pane::AzHealth);
        a.update(Msg::Action(Action::Back), t0());
        assert!(!a.help_open);
        a.update(Msg::Action(Action::ToggleClock), t0());
        assert!(a.local_clock);
    }
}
