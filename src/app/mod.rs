//! The router and the one place state changes: [`App::update`].
//!
//! `update` is synchronous and does no I/O: it turns a [`Msg`] (a key, a clock tick, a
//! job's report) into state changes and a list of [`Effect`]s for `jobs` to carry out.
//!
//! The app itself holds only what every pane shares ([`Shared`]: mode, clock, keymap,
//! identity, the watched load balancers, the account's zones) and routes: focus, the
//! overlays (help, load-balancer picker), the drill-down stack, and the Detail pane,
//! which shows what the last focused pane says about its selection. Everything else
//! belongs to a pane (`panes/`): its state, its jobs, its keys, its detail text, its
//! hints and its drawing. Panes are registered in [`panes::registry`].

pub mod pane;
pub mod panes;
pub mod slot;

use crate::action::Action;
use crate::backend::{BackendError, Identity, Partial, Services};
pub use crate::jobs::Effect;
use crate::jobs::{Job, JobMsg, PaneId};
use crate::keymap::Keymap;
use crate::model::zones::{LoadBalancer, Zone};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};
pub use pane::Pane;
use slot::Slot;

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

/// The router's own jobs' pane id.
pub const APP: PaneId = "app";

/// What the router's own jobs report.
#[derive(Debug, Clone)]
pub enum AppLoaded {
    Identity(Result<Identity, BackendError>),
    LoadBalancers {
        purpose: LbPurpose,
        result: Result<Partial<Vec<LoadBalancer>>, BackendError>,
    },
    Zones(Result<Vec<Zone>, BackendError>),
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Action(Action),
    /// The clock moved (once a second); drives ages and refresh intervals.
    Tick,
    Resize,
    /// A report from a running job.
    Job(JobMsg),
    /// SIGTERM / SIGHUP: leave cleanly.
    Terminate,
}

/// The load-balancer picker overlay.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub choices: Slot<Vec<LoadBalancer>>,
    pub selected: usize,
    /// The load balancer being watched, which the cursor starts on.
    pub current: Option<String>,
}

/// A question before a write: what will be created or changed, and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub pane: PaneId,
    /// The pane's own tag for what is being confirmed.
    pub id: u64,
    pub title: String,
    /// What will happen, one fact a line: the resources, the cost, the cleanup.
    pub lines: Vec<String>,
    /// The verb on the yes key, e.g. "create and run".
    pub yes: String,
}

/// What every pane may read: the world outside any one pane.
pub struct Shared {
    pub mode: Mode,
    pub keymap: Keymap,
    pub now: DateTime<Utc>,
    pub identity: Slot<Identity>,
    /// Load balancers named on the command line (names or ARNs); empty = choose.
    pub wanted: Vec<String>,
    /// The last answer about the wanted load balancers.
    pub load_balancers: Slot<Vec<LoadBalancer>>,
    /// Wanted load balancers that could not be found or read, by name.
    pub lb_problems: Vec<BackendError>,
    /// The load balancers being watched.
    pub selected: Vec<LoadBalancer>,
    /// The account's Availability Zones (names and IDs), for every pane.
    pub zones: Slot<Vec<Zone>>,
    pub refresh_every: Duration,
    /// Minutes of metrics the panes look back over.
    pub window_minutes: usize,
    pub local_clock: bool,
    pub log_path: Option<String>,
    /// `--read-only`: nothing is ever written to the account; keys that would write
    /// explain what they would do instead.
    pub read_only: bool,
    /// The zone (name) the AZ pane's selection is on, for panes that follow it.
    pub focus_zone: Option<String>,
    /// The zone (name) the AZ verdict blames, if any.
    pub blamed_zone: Option<String>,
    /// The source/destination pair selected in the flow-log pane (Reachability).
    pub reach_subject: Option<crate::model::flowlogs::ReachSubject>,
}

impl Shared {
    /// The account, as read from the load balancers' ARNs.
    pub fn account(&self) -> Option<&str> {
        self.selected
            .iter()
            .chain(self.load_balancers.get().into_iter().flatten())
            .find_map(LoadBalancer::account_id)
    }
}

/// Load balancers and zones are listed again at this many refresh intervals (and on
/// `r`): they change far less often than target health and metrics.
pub const SLOW_CLOCK: i32 = 5;

pub struct App {
    pub shared: Shared,
    /// Registered panes, in focus order; the Detail pane comes after them.
    pub panes: Vec<Box<dyn Pane>>,
    /// Focused area: an index into `panes`, or `panes.len()` for Detail.
    pub focus: usize,
    /// The pane whose detail the Detail pane shows (the last focused one).
    pub detail_of: usize,
    /// Lines the Detail pane is scrolled down by.
    pub detail_scroll: u16,
    /// Open drill-downs, innermost last: which pane each level belongs to. `Esc` pops one.
    pub drill: Vec<PaneId>,
    pub help_open: bool,
    pub picker: Option<Picker>,
    /// An open confirmation dialog (y / Enter: yes; n / Esc: no).
    pub confirm: Option<Confirm>,
    /// A line that replaces the key hints while it is set (leaving, cleaning up).
    pub status: Option<String>,
    next_slow_refresh: Option<DateTime<Utc>>,
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
        Self::with_panes(mode, keymap, wanted, refresh_every, now, panes::registry())
    }

    /// An app with exactly these panes (tests register their own).
    pub fn with_panes(
        mode: Mode,
        keymap: Keymap,
        wanted: Vec<String>,
        refresh_every: Duration,
        now: DateTime<Utc>,
        panes: Vec<Box<dyn Pane>>,
    ) -> Self {
        Self {
            shared: Shared {
                mode,
                keymap,
                now,
                identity: Slot::default(),
                wanted,
                load_balancers: Slot::default(),
                lb_problems: Vec::new(),
                selected: Vec::new(),
                zones: Slot::default(),
                refresh_every,
                window_minutes: 30,
                local_clock: false,
                log_path: None,
                read_only: false,
                focus_zone: None,
                blamed_zone: None,
                reach_subject: None,
            },
            panes,
            focus: 0,
            detail_of: 0,
            detail_scroll: 0,
            drill: Vec::new(),
            help_open: false,
            picker: None,
            confirm: None,
            status: None,
            next_slow_refresh: None,
            quit: false,
        }
    }

    /// The pane with this id, as its own type (tests, and panes drawn by the router).
    pub fn pane<T: 'static>(&self) -> Option<&T> {
        self.panes
            .iter()
            .find_map(|p| p.as_any().downcast_ref::<T>())
    }

    /// Changes a pane's state in place, then lets it recompute from [`Shared`] (tests).
    pub fn with_pane_mut<T: 'static>(&mut self, f: impl FnOnce(&mut T, &Shared)) -> bool {
        let shared = &self.shared;
        for p in &mut self.panes {
            if let Some(t) = p.as_any_mut().downcast_mut::<T>() {
                f(t, shared);
                return true;
            }
        }
        false
    }

    /// Number of the Detail pane (after every registered pane).
    pub fn detail_number(&self) -> usize {
        self.panes.len() + 1
    }

    pub fn detail_focused(&self) -> bool {
        self.focus == self.panes.len()
    }

    /// What to fetch first. Everything independent starts at once.
    pub fn start(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        self.shared.now = now;
        self.shared.identity.start();
        self.shared.load_balancers.start();
        self.shared.zones.start();
        self.next_slow_refresh = Some(now + self.slow_interval());
        vec![
            Effect::Run(Job::new(
                APP,
                "identity",
                0,
                "who and where",
                |s: Services, r| async move {
                    r.send(AppLoaded::Identity(s.account.identity().await));
                },
            )),
            self.load_lbs(self.shared.wanted.clone(), LbPurpose::Select),
            self.load_zones(),
        ]
    }

    fn slow_interval(&self) -> Duration {
        self.shared.refresh_every * SLOW_CLOCK
    }

    fn load_lbs(&self, wanted: Vec<String>, purpose: LbPurpose) -> Effect {
        let kind = match purpose {
            LbPurpose::Select => "load_balancers",
            LbPurpose::Pick => "pick_load_balancers",
        };
        Effect::Run(Job::new(
            APP,
            kind,
            0,
            "DescribeLoadBalancers",
            move |s: Services, r| async move {
                let result = s.targets.load_balancers(&wanted).await;
                r.send(AppLoaded::LoadBalancers { purpose, result });
            },
        ))
    }

    fn load_zones(&self) -> Effect {
        Effect::Run(Job::new(
            APP,
            "zones",
            0,
            "DescribeAvailabilityZones",
            |s: Services, r| async move {
                r.send(AppLoaded::Zones(s.targets.zones().await));
            },
        ))
    }

    /// Lists load balancers and zones again (slow clock, or `r`), unless already under way.
    fn slow_refresh(&mut self) -> Vec<Effect> {
        self.next_slow_refresh = Some(self.shared.now + self.slow_interval());
        let mut effects = Vec::new();
        if !self.shared.load_balancers.loading && self.picker.is_none() {
            // Watching: list what is watched (by ARN); else what was asked for.
            let wanted = if self.shared.selected.is_empty() {
                self.shared.wanted.clone()
            } else {
                self.shared
                    .selected
                    .iter()
                    .map(|lb| lb.arn.clone())
                    .collect()
            };
            self.shared.load_balancers.start();
            effects.push(self.load_lbs(wanted, LbPurpose::Select));
        }
        if !self.shared.zones.loading {
            self.shared.zones.start();
            effects.push(self.load_zones());
        }
        effects
    }

    /// Watches `lbs` from now on: every pane starts over for them.
    fn select(&mut self, lbs: Vec<LoadBalancer>) -> Vec<Effect> {
        self.shared.selected = lbs;
        self.drill.clear();
        let mut effects = Vec::new();
        for p in &mut self.panes {
            effects.extend(p.watch(&self.shared));
        }
        effects.extend(self.publish());
        effects
    }

    /// Lets panes publish what others follow (the AZ pane's zone), and tells every
    /// pane when that changed.
    fn publish(&mut self) -> Vec<Effect> {
        let before = (
            self.shared.focus_zone.clone(),
            self.shared.blamed_zone.clone(),
        );
        for p in &self.panes {
            p.publish(&mut self.shared);
        }
        let after = (
            self.shared.focus_zone.clone(),
            self.shared.blamed_zone.clone(),
        );
        if before == after {
            return Vec::new();
        }
        let mut effects = Vec::new();
        for p in &mut self.panes {
            effects.extend(p.shared_changed(&self.shared));
        }
        effects
    }

    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        self.shared.now = now;
        let mut effects = match msg {
            Msg::Key(ev) => {
                if ev.kind == KeyEventKind::Release {
                    return Vec::new();
                }
                if self.confirm.is_some() {
                    self.answer_confirm(&ev)
                } else if !self.help_open
                    && self.picker.is_none()
                    && !self.detail_focused()
                    && self.panes[self.focus].text_input()
                {
                    let i = self.focus;
                    self.panes[i].on_key(ev, &self.shared)
                } else {
                    match self.shared.keymap.action_for(&ev) {
                        Some(a) => self.act(a),
                        None => Vec::new(),
                    }
                }
            }
            Msg::Action(a) => self.act(a),
            Msg::Tick => {
                let mut effects = Vec::new();
                if matches!(self.next_slow_refresh, Some(t) if now >= t) {
                    effects.extend(self.slow_refresh());
                }
                for p in &mut self.panes {
                    effects.extend(p.tick(&self.shared));
                }
                effects
            }
            Msg::Resize => Vec::new(),
            Msg::Terminate => {
                self.quit = true;
                Vec::new()
            }
            Msg::Job(m) if m.pane == APP => match m.take::<AppLoaded>() {
                Some(l) => self.loaded(l),
                None => Vec::new(),
            },
            Msg::Job(m) => {
                let mut effects = Vec::new();
                if let Some(p) = self.panes.iter_mut().find(|p| p.id() == m.pane) {
                    effects.extend(p.on_job(m, &self.shared));
                }
                effects
            }
        };
        effects.extend(self.publish());
        if self.confirm.is_none() {
            self.confirm = self.panes.iter_mut().find_map(|p| p.take_confirm());
        }
        effects
    }

    /// y / Enter answers yes, n / Esc no; other keys leave the dialog open.
    fn answer_confirm(&mut self, ev: &KeyEvent) -> Vec<Effect> {
        use crossterm::event::KeyCode;
        let yes = match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => true,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => false,
            _ => return Vec::new(),
        };
        let Some(c) = self.confirm.take() else {
            return Vec::new();
        };
        match self.panes.iter_mut().find(|p| p.id() == c.pane) {
            Some(p) => p.confirmed(c.id, yes, &self.shared),
            None => Vec::new(),
        }
    }

    fn loaded(&mut self, l: AppLoaded) -> Vec<Effect> {
        let now = self.shared.now;
        match l {
            AppLoaded::Identity(r) => {
                self.shared.identity.finish(r, now);
                Vec::new()
            }
            AppLoaded::LoadBalancers {
                purpose: LbPurpose::Pick,
                result,
            } => {
                if let Some(p) = &mut self.picker {
                    p.choices.finish(result.map(|r| r.data), now);
                    let current = p.current.as_deref();
                    p.selected = p
                        .choices
                        .get()
                        .and_then(|c| c.iter().position(|lb| Some(lb.arn.as_str()) == current))
                        .unwrap_or(0);
                }
                Vec::new()
            }
            AppLoaded::LoadBalancers {
                purpose: LbPurpose::Select,
                result,
            } => {
                let (result, problems) = match result {
                    Ok(p) => (Ok(p.data), p.problems),
                    Err(e) => (Err(e), Vec::new()),
                };
                self.shared.lb_problems = problems;
                if !self.shared.selected.is_empty() {
                    // A re-listing while watching: follow changes (a zone added or
                    // removed), but never drop what is watched because of one answer.
                    let mut effects = Vec::new();
                    if let Ok(lbs) = &result {
                        let fresh: Vec<LoadBalancer> = self
                            .shared
                            .selected
                            .iter()
                            .filter_map(|s| lbs.iter().find(|l| l.arn == s.arn).cloned())
                            .collect();
                        if fresh.len() == self.shared.selected.len() {
                            if same_watch(&fresh, &self.shared.selected) {
                                self.shared.selected = fresh;
                            } else {
                                effects = self.select(fresh);
                            }
                        }
                    }
                    self.shared.load_balancers.finish(result, now);
                    return effects;
                }
                let chosen = match &result {
                    Ok(lbs)
                        if !lbs.is_empty()
                            && (!self.shared.wanted.is_empty() || lbs.len() == 1) =>
                    {
                        Some(lbs.clone())
                    }
                    _ => None,
                };
                let many = matches!(&result, Ok(lbs) if lbs.len() > 1);
                self.shared.load_balancers.finish(result, now);
                match chosen {
                    Some(lbs) => self.select(lbs),
                    None if many && self.picker.is_none() => {
                        self.picker = Some(Picker {
                            choices: self.shared.load_balancers.clone(),
                            ..Picker::default()
                        });
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            AppLoaded::Zones(result) => {
                self.shared.zones.finish(result, now);
                let mut effects = Vec::new();
                for p in &mut self.panes {
                    effects.extend(p.shared_changed(&self.shared));
                }
                effects
            }
        }
    }

    fn focus_to(&mut self, i: usize) {
        if i <= self.panes.len() {
            if i < self.panes.len() {
                if self.detail_of != i {
                    self.detail_scroll = 0;
                }
                self.detail_of = i;
            }
            self.focus = i;
        }
    }

    fn act(&mut self, a: Action) -> Vec<Effect> {
        if let Some(c) = &self.confirm {
            // Actions reach the dialog only through answer_confirm (raw keys); Back and
            // Quit here mean no.
            if matches!(a, Action::Back | Action::Quit) {
                let c = c.clone();
                self.confirm = None;
                if let Some(p) = self.panes.iter_mut().find(|p| p.id() == c.pane) {
                    return p.confirmed(c.id, false, &self.shared);
                }
            }
            return Vec::new();
        }
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
        let n = self.panes.len() + 1;
        match a {
            Action::Help => self.help_open = true,
            Action::Quit => self.quit = true,
            Action::FocusNext => self.focus_to((self.focus + 1) % n),
            Action::FocusPrev => self.focus_to((self.focus + n - 1) % n),
            Action::Focus1 => self.focus_to(0),
            Action::Focus2 => self.focus_to(1),
            Action::Focus3 => self.focus_to(2),
            Action::Focus4 => self.focus_to(3),
            Action::Focus5 => self.focus_to(4),
            Action::ToggleClock => self.shared.local_clock = !self.shared.local_clock,
            Action::PickLoadBalancer => {
                let mut picker = Picker::default();
                picker.choices.start();
                picker.current = self.shared.selected.first().map(|lb| lb.arn.clone());
                self.picker = Some(picker);
                return vec![self.load_lbs(Vec::new(), LbPurpose::Pick)];
            }
            Action::Refresh => {
                let mut effects = self.slow_refresh();
                for p in &mut self.panes {
                    effects.extend(p.refresh(&self.shared));
                }
                return effects;
            }
            Action::Up | Action::Down | Action::Top | Action::Bottom if self.detail_focused() => {
                self.detail_scroll = match a {
                    Action::Up => self.detail_scroll.saturating_sub(1),
                    Action::Down => self.detail_scroll.saturating_add(1),
                    Action::Top => 0,
                    _ => u16::MAX,
                };
            }
            Action::Back => {
                // Esc closes the innermost drill-down first; with none open, it brings
                // focus back to pane 1.
                if let Some(owner) = self.drill.pop() {
                    if let Some(i) = self.panes.iter().position(|p| p.id() == owner) {
                        self.panes[i].back();
                        self.focus_to(i);
                    }
                } else if !self.detail_focused() && self.panes[self.focus].back() {
                    // A pane-local view with no stack entry (defensive).
                } else {
                    self.focus_to(0);
                }
            }
            _ if !self.detail_focused() => {
                let i = self.focus;
                let depth = self.panes[i].drill_depth();
                let effects = self.panes[i].on_action(a, &self.shared).unwrap_or_default();
                let after = self.panes[i].drill_depth();
                let id = self.panes[i].id();
                for _ in depth..after {
                    self.drill.push(id);
                }
                if after != depth {
                    self.detail_scroll = 0;
                }
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }
}

/// Whether `a` and `b` are the same load balancers in the same zones.
fn same_watch(a: &[LoadBalancer], b: &[LoadBalancer]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.arn == y.arn && x.zone_names == y.zone_names)
}

#[cfg(test)]
mod tests;
