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

mod credentials;
pub mod line;
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
pub use line::{LineInput, LineKind};
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
    /// A file grayscope wrote (incident snapshot), or why it could not.
    Written(Result<String, String>),
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

/// How long a flash message stays in the hint line.
pub const FLASH_SECONDS: i64 = 5;
/// A second Ctrl-C within this many seconds quits.
pub const INTERRUPT_SECONDS: i64 = 2;
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
    /// A word the user must type before Enter counts as yes (an AZ ID before a zonal
    /// shift): for writes that change production traffic, where `y` is too easy.
    pub typed: Option<String>,
    /// What the user has typed so far (with `typed`).
    pub entered: String,
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
    /// `--allow-zonal-shift`: the zonal shift view may start, extend and cancel shifts
    /// (still behind a typed confirmation); never with `read_only`.
    pub allow_zonal_shift: bool,
    /// `--ascii` / GRAYSCOPE_ASCII: plain characters only.
    pub ascii: bool,
    /// NO_COLOR: no colours; meaning is carried by words and markers anyway.
    pub no_color: bool,
    /// The zone (name) the AZ pane's selection is on, for panes that follow it.
    pub focus_zone: Option<String>,
    /// The zone (name) the AZ verdict blames, if any.
    pub blamed_zone: Option<String>,
    /// Zones (names) with an open AWS Health issue, with the label to show on their row
    /// ("AWS Health: open issue"); published by the AWS Health pane.
    pub health_marks: Vec<(String, String)>,
    /// Every target id the AZ pane shows (instances, IPs, ARNs), for panes that tie
    /// their rows to it (AWS Health's affected resources).
    pub target_ids: std::collections::BTreeSet<String>,
    /// Resources AWS Health lists as affected by an open or upcoming event, for the AZ
    /// pane's target list.
    pub health_entities: std::collections::BTreeSet<String>,
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
    /// Drill-down views another pane opened (e.g. Reachability from a flow-log row),
    /// innermost last, each with the index of the pane whose area it takes.
    pub overlays: Vec<(usize, Box<dyn Pane>)>,
    pub help_open: bool,
    /// Lines the help overlay is scrolled down by (j/k while it is open).
    pub help_scroll: u16,
    pub picker: Option<Picker>,
    /// An open confirmation dialog (y / Enter: yes; n / Esc: no).
    pub confirm: Option<Confirm>,
    /// A line that replaces the key hints while it is set (leaving, cleaning up).
    pub status: Option<String>,
    /// A short message in the hint line (copied, frozen, press Ctrl-C again...), with
    /// when it was set; it goes after [`FLASH_SECONDS`].
    pub flash: Option<(String, DateTime<Utc>)>,
    /// The focused area fills the screen (`z`).
    pub zoomed: bool,
    /// Updates are frozen since then (`f`): reports wait in `held`, nothing refreshes.
    pub frozen_at: Option<DateTime<Utc>>,
    held: Vec<JobMsg>,
    /// The open `:` command line or `/` filter prompt.
    pub line: Option<LineInput>,
    /// Earlier `:` commands, oldest first (kept under the XDG state directory).
    pub history: Vec<String>,
    last_interrupt: Option<DateTime<Utc>>,
    /// Text to put on the clipboard (OSC 52); the terminal loop takes it after drawing.
    pub clipboard: Option<String>,
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
                allow_zonal_shift: false,
                ascii: false,
                no_color: false,
                focus_zone: None,
                blamed_zone: None,
                health_marks: Vec::new(),
                target_ids: Default::default(),
                health_entities: Default::default(),
                reach_subject: None,
            },
            panes,
            focus: 0,
            detail_of: 0,
            detail_scroll: 0,
            drill: Vec::new(),
            overlays: Vec::new(),
            help_open: false,
            help_scroll: 0,
            picker: None,
            confirm: None,
            status: None,
            flash: None,
            zoomed: false,
            frozen_at: None,
            held: Vec::new(),
            line: None,
            history: Vec::new(),
            last_interrupt: None,
            clipboard: None,
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

    /// The innermost overlay drawn in pane `i`'s area, if any (an index into
    /// `overlays`).
    pub fn overlay_on(&self, i: usize) -> Option<usize> {
        self.overlays.iter().rposition(|(host, _)| *host == i)
    }

    /// What is drawn in pane `i`'s area: its innermost overlay, else the pane.
    pub fn shown_in(&self, i: usize) -> Option<&dyn Pane> {
        match self.overlay_on(i) {
            Some(k) => Some(self.overlays[k].1.as_ref()),
            None => self.panes.get(i).map(|p| p.as_ref()),
        }
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
            self.shared.health_marks.clone(),
        );
        for p in &self.panes {
            p.publish(&mut self.shared);
        }
        let after = (
            self.shared.focus_zone.clone(),
            self.shared.blamed_zone.clone(),
            self.shared.health_marks.clone(),
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
                } else if self.line.is_some() {
                    self.line_key(&ev)
                } else if !self.help_open
                    && self.picker.is_none()
                    && !self.detail_focused()
                    && self.shown_in(self.focus).is_some_and(|p| p.text_input())
                {
                    // Typed text goes to what is drawn there: an overlay, else the pane.
                    let i = self.focus;
                    match self.overlay_on(i) {
                        Some(k) => self.overlays[k].1.on_key(ev, &self.shared),
                        None => self.panes[i].on_key(ev, &self.shared),
                    }
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
                if matches!(&self.flash, Some((_, at)) if now - *at >= Duration::seconds(FLASH_SECONDS))
                {
                    self.flash = None;
                }
                // The Ctrl-C guard's message goes when the guard does: after that,
                // "again within 2 s" would promise what a press no longer does.
                if let Some(t) = self.last_interrupt
                    && now - t > Duration::seconds(INTERRUPT_SECONDS)
                {
                    self.last_interrupt = None;
                    if matches!(&self.flash, Some((_, at)) if *at == t) {
                        self.flash = None;
                    }
                }
                if self.frozen_at.is_some() {
                    return effects;
                }
                if matches!(self.next_slow_refresh, Some(t) if now >= t) {
                    effects.extend(self.slow_refresh());
                }
                for p in &mut self.panes {
                    effects.extend(p.tick(&self.shared));
                }
                for (_, o) in &mut self.overlays {
                    effects.extend(o.tick(&self.shared));
                }
                effects
            }
            Msg::Resize => Vec::new(),
            Msg::Terminate => {
                self.quit = true;
                Vec::new()
            }
            Msg::Job(m) if self.frozen_at.is_some() && m.pane != APP => {
                self.held.push(m);
                Vec::new()
            }
            Msg::Job(m) if m.pane == APP => match m.take::<AppLoaded>() {
                Some(l) => self.loaded(l),
                None => Vec::new(),
            },
            Msg::Job(m) => {
                let mut effects = Vec::new();
                let shared = &self.shared;
                if let Some((_, o)) = self.overlays.iter_mut().find(|(_, o)| o.id() == m.pane) {
                    effects.extend(o.on_job(m, shared));
                } else if let Some(p) = self.panes.iter_mut().find(|p| p.id() == m.pane) {
                    effects.extend(p.on_job(m, shared));
                }
                effects
            }
        };
        effects.extend(self.publish());
        if self.confirm.is_none() {
            self.confirm = self
                .overlays
                .iter_mut()
                .rev()
                .find_map(|(_, o)| o.take_confirm())
                .or_else(|| self.panes.iter_mut().find_map(|p| p.take_confirm()));
        }
        if let Some(text) = self
            .overlays
            .iter_mut()
            .find_map(|(_, o)| o.take_clipboard())
            .or_else(|| self.panes.iter_mut().find_map(|p| p.take_clipboard()))
        {
            self.clipboard = Some(text);
        }
        effects
    }

    /// y / Enter answers yes, n / Esc no; other keys leave the dialog open. A dialog
    /// that wants a word typed takes every character as text: only Enter with the
    /// exact word answers yes, Esc no.
    fn answer_confirm(&mut self, ev: &KeyEvent) -> Vec<Effect> {
        use crossterm::event::{KeyCode, KeyModifiers};
        if let Some(c) = self.confirm.as_mut().filter(|c| c.typed.is_some()) {
            match ev.code {
                KeyCode::Esc => {}
                KeyCode::Enter if c.typed.as_deref() == Some(c.entered.trim()) => {}
                KeyCode::Enter => return Vec::new(),
                KeyCode::Backspace => {
                    c.entered.pop();
                    return Vec::new();
                }
                KeyCode::Char('u') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                    c.entered.clear();
                    return Vec::new();
                }
                KeyCode::Char(ch)
                    if !ev.modifiers.contains(KeyModifiers::CONTROL)
                        && !ch.is_control()
                        && c.entered.chars().count() < 64 =>
                {
                    c.entered.push(ch);
                    return Vec::new();
                }
                _ => return Vec::new(),
            }
        }
        let yes = match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => true,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => false,
            _ => return Vec::new(),
        };
        let Some(c) = self.confirm.take() else {
            return Vec::new();
        };
        // An overlay (a drill-down view) may have asked, as well as a pane.
        let overlay = self.overlays.iter_mut().map(|(_, o)| o);
        match overlay
            .chain(self.panes.iter_mut())
            .find(|p| p.id() == c.pane)
        {
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
            AppLoaded::Written(r) => {
                let text = match r {
                    Ok(path) => format!("snapshot written to {path} and copied (OSC 52)"),
                    Err(e) => format!("snapshot not written: {e}"),
                };
                self.flash = Some((text, now));
                Vec::new()
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

    fn toggle_freeze(&mut self) -> Vec<Effect> {
        let now = self.shared.now;
        if self.frozen_at.take().is_some() {
            // Thaw: what arrived meanwhile lands now, in order; due refreshes follow.
            let held = std::mem::take(&mut self.held);
            let mut effects = Vec::new();
            for m in held {
                effects.extend(self.update(Msg::Job(m), now));
            }
            effects.extend(self.update(Msg::Tick, now));
            self.flash = Some(("thawed: updates resume".into(), now));
            effects
        } else {
            self.frozen_at = Some(now);
            Vec::new()
        }
    }

    /// What failed to load, one line each (for `--print`'s exit code): the router's own
    /// loads and every pane's.
    pub fn failures(&self) -> Vec<String> {
        let s = &self.shared;
        let mut out = Vec::new();
        for (name, error) in [
            ("identity", s.identity.error.as_ref()),
            ("load balancers", s.load_balancers.error.as_ref()),
            ("zones", s.zones.error.as_ref()),
        ] {
            if let Some((e, _)) = error {
                out.push(format!("{name}: {e}"));
            }
        }
        out.extend(s.lb_problems.iter().map(|e| format!("load balancers: {e}")));
        if s.selected.is_empty() && s.load_balancers.error.is_none() {
            out.push("no load balancer watched (name one with --load-balancer)".into());
        }
        for p in &self.panes {
            out.extend(
                p.failures()
                    .into_iter()
                    .map(|f| format!("{}: {f}", p.title())),
            );
        }
        out
    }

    /// Every pane's data as one Markdown document (the incident snapshot).
    pub fn snapshot_markdown(&self) -> String {
        let s = &self.shared;
        let region = s
            .identity
            .get()
            .and_then(|i| i.region.clone())
            .unwrap_or_else(|| "?".into());
        let lbs: Vec<&str> = s.selected.iter().map(|l| l.name.as_str()).collect();
        let mut out = format!(
            "# grayscope snapshot {}\n\naccount {} · region {} · load balancers {} · {}\n\n",
            s.now.format("%Y-%m-%d %H:%M:%S UTC"),
            s.account().unwrap_or("?"),
            region,
            if lbs.is_empty() {
                "none".to_string()
            } else {
                lbs.join(", ")
            },
            match s.mode {
                Mode::Demo => "DEMO (simulated incident)",
                Mode::Live => "live",
            }
        );
        for p in &self.panes {
            out.push_str(&crate::model::text::clean_multiline(&p.summary_markdown(s)));
            out.push('\n');
        }
        out
    }

    /// Writes the incident snapshot under the state directory (a job: no I/O here) and
    /// puts it on the clipboard.
    fn snapshot(&mut self) -> Vec<Effect> {
        let md = self.snapshot_markdown();
        self.clipboard = Some(md.clone());
        let dir = crate::logging::state_dir().join("snapshots");
        let path = dir.join(format!(
            "grayscope-{}.md",
            self.shared.now.format("%Y%m%dT%H%M%SZ")
        ));
        vec![Effect::Run(Job::new(
            APP,
            "snapshot",
            0,
            "write the incident snapshot",
            move |_, r| async move {
                let written = async {
                    tokio::fs::create_dir_all(&dir).await?;
                    tokio::fs::write(&path, md).await?;
                    Ok::<_, std::io::Error>(path.display().to_string())
                }
                .await
                .map_err(|e| e.to_string());
                r.send(AppLoaded::Written(written));
            },
        ))]
    }

    /// A key while the `:` or `/` prompt is open.
    fn line_key(&mut self, ev: &KeyEvent) -> Vec<Effect> {
        let Some(line) = self.line.as_mut() else {
            return Vec::new();
        };
        let (panes, shared, picker) = (&self.panes, &self.shared, &self.picker);
        let complete = |text: &str| {
            let verbs: Vec<&'static str> = panes.iter().flat_map(|p| p.command_verbs()).collect();
            let lbs: Vec<String> = shared
                .load_balancers
                .get()
                .into_iter()
                .flatten()
                .chain(
                    picker
                        .as_ref()
                        .and_then(|p| p.choices.get())
                        .into_iter()
                        .flatten(),
                )
                .map(|lb| lb.name.clone())
                .collect();
            crate::model::command::complete(text, &verbs, &lbs)
        };
        match line.key(ev, &self.history, complete) {
            line::LineKey::Submit => self.run_line(),
            line::LineKey::Cancel => {
                let kind = line.kind;
                self.line = None;
                if kind == LineKind::Filter && !self.detail_focused() {
                    self.panes[self.focus].set_filter(None);
                }
                Vec::new()
            }
            line::LineKey::Edited => Vec::new(),
        }
    }

    /// Enter on the prompt.
    fn run_line(&mut self) -> Vec<Effect> {
        let Some(line) = self.line.clone() else {
            return Vec::new();
        };
        match line.kind {
            LineKind::Filter => {
                match crate::model::filter::Filter::parse(&line.text) {
                    Ok(f) => {
                        let has = self.panes[self.focus].set_filter(f);
                        self.line = None;
                        if !has {
                            self.flash =
                                Some(("this pane has no table to filter".into(), self.shared.now));
                        }
                    }
                    Err(e) => {
                        if let Some(l) = self.line.as_mut() {
                            l.error = Some(e);
                        }
                    }
                }
                Vec::new()
            }
            LineKind::Command => {
                let verbs: Vec<&'static str> =
                    self.panes.iter().flat_map(|p| p.command_verbs()).collect();
                let text = line.text.trim().to_string();
                match crate::model::command::parse(&text, &verbs) {
                    Ok(cmd) => {
                        self.line = None;
                        let mut effects = self.remember(text);
                        match self.run_command(cmd) {
                            Ok(more) => effects.extend(more),
                            Err(e) => {
                                let mut line = line;
                                line.error = Some(e);
                                self.line = Some(line);
                            }
                        }
                        effects
                    }
                    Err(e) => {
                        if let Some(l) = self.line.as_mut() {
                            l.error = Some(e);
                        }
                        Vec::new()
                    }
                }
            }
        }
    }

    /// Adds a command to the history and saves the history (a job).
    fn remember(&mut self, text: String) -> Vec<Effect> {
        if line::remember(&mut self.history, text) {
            vec![line::save(APP, &self.history)]
        } else {
            Vec::new()
        }
    }

    fn run_command(&mut self, cmd: crate::model::command::Command) -> Result<Vec<Effect>, String> {
        use crate::model::command::Command;
        let now = self.shared.now;
        match cmd {
            Command::Quit => {
                self.quit = true;
                Ok(Vec::new())
            }
            Command::Help => {
                self.help_open = true;
                Ok(Vec::new())
            }
            Command::Freeze => Ok(self.toggle_freeze()),
            Command::Refresh => Ok(self.act(Action::Refresh)),
            Command::Window(minutes) => {
                self.shared.window_minutes = minutes;
                self.flash = Some((
                    format!(
                        "window: last {}",
                        crate::model::command::window_label(minutes)
                    ),
                    now,
                ));
                let mut effects = Vec::new();
                for p in &mut self.panes {
                    effects.extend(p.watch(&self.shared));
                }
                Ok(effects)
            }
            Command::Lb(names) => {
                self.shared.wanted = names.clone();
                self.shared.selected.clear();
                self.drill.clear();
                self.shared.load_balancers.start();
                Ok(vec![self.load_lbs(names, LbPurpose::Select)])
            }
            Command::Region(region) => Ok(vec![Effect::Reconnect {
                profile: self.shared.identity.get().and_then(|i| i.profile.clone()),
                region: Some(region),
            }]),
            Command::Profile(profile) if self.shared.mode == Mode::Demo => Err(format!(
                "the demo has no profiles to switch to ({profile:?})"
            )),
            Command::Profile(profile) => Ok(vec![Effect::Reconnect {
                profile: Some(profile),
                region: self.shared.identity.get().and_then(|i| i.region.clone()),
            }]),
            Command::Pane { verb, args } => {
                let shared = &self.shared;
                match self
                    .panes
                    .iter_mut()
                    .find(|p| p.command_verbs().contains(&verb.as_str()))
                {
                    Some(p) => p.command(&verb, &args, shared),
                    None => Err(format!("no pane handles :{verb}")),
                }
            }
        }
    }

    /// After `:region` or `:profile`: the services were rebuilt (running work stopped,
    /// created resources cleaned up, as on exit); everything loads again.
    pub fn reconnected(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        self.shared.identity = Slot::default();
        self.shared.load_balancers = Slot::default();
        self.shared.zones = Slot::default();
        self.shared.selected.clear();
        self.shared.lb_problems.clear();
        self.shared.focus_zone = None;
        self.shared.blamed_zone = None;
        self.drill.clear();
        // Their jobs were stopped and cleaned up with everything else.
        self.overlays.clear();
        self.picker = None;
        self.held.clear();
        self.frozen_at = None;
        let fresh = panes::registry();
        for p in &mut self.panes {
            if let Some(f) = fresh.iter().position(|f| f.id() == p.id()) {
                *p = panes::registry().swap_remove(f);
            }
        }
        self.start(now)
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
                let overlay = self.overlays.iter_mut().map(|(_, o)| o);
                if let Some(p) = overlay
                    .chain(self.panes.iter_mut())
                    .find(|p| p.id() == c.pane)
                {
                    return p.confirmed(c.id, false, &self.shared);
                }
            }
            return Vec::new();
        }
        if self.help_open {
            match a {
                Action::Help | Action::Back => {
                    self.help_open = false;
                    self.help_scroll = 0;
                }
                Action::Quit => self.quit = true,
                Action::Down => self.help_scroll = self.help_scroll.saturating_add(1),
                Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
                Action::Top => self.help_scroll = 0,
                Action::Bottom => self.help_scroll = u16::MAX,
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
        if a != Action::Interrupt {
            self.last_interrupt = None;
        }
        match a {
            Action::Help => self.help_open = true,
            Action::Quit => self.quit = true,
            Action::Interrupt => {
                let now = self.shared.now;
                match self.last_interrupt {
                    Some(t) if now - t <= Duration::seconds(INTERRUPT_SECONDS) => self.quit = true,
                    _ => {
                        self.last_interrupt = Some(now);
                        let quit = self.shared.keymap.keys_text(Action::Quit);
                        self.flash = Some((
                            format!(
                                "Ctrl-C again within {INTERRUPT_SECONDS} s to quit ({quit} quits at once)"
                            ),
                            now,
                        ));
                    }
                }
            }
            Action::Zoom => self.zoomed = !self.zoomed,
            Action::Freeze => return self.toggle_freeze(),
            Action::Command => self.line = Some(LineInput::new(LineKind::Command, String::new())),
            Action::Filter if !self.detail_focused() => {
                self.line = Some(LineInput::new(LineKind::Filter, String::new()));
            }
            Action::CopyId if !self.detail_focused() => {
                let now = self.shared.now;
                match self.shown_in(self.focus).and_then(|p| p.selected_id()) {
                    Some(id) => {
                        self.flash = Some((format!("copied {id} (OSC 52)"), now));
                        self.clipboard = Some(id);
                    }
                    None => {
                        self.flash = Some(("nothing selected with an id to copy".into(), now));
                    }
                }
            }
            Action::CopySummary => {
                let i = if self.detail_focused() {
                    self.detail_of
                } else {
                    self.focus
                };
                if let Some(p) = self.shown_in(i) {
                    let md = p.summary_markdown(&self.shared);
                    self.flash = Some((
                        format!("copied {} as Markdown (OSC 52)", p.title()),
                        self.shared.now,
                    ));
                    self.clipboard = Some(md);
                }
            }
            Action::Snapshot => return self.snapshot(),
            Action::Reconnect => return self.reconnect_fresh(),
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
            Action::Refresh if self.frozen_at.is_some() => {
                let key = self.shared.keymap.keys_text(Action::Freeze);
                self.flash = Some((format!("frozen: {key} thaws first"), self.shared.now));
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
            Action::Back if self.drill.is_empty() && self.zoomed => self.zoomed = false,
            Action::Back => {
                // Esc closes the innermost drill-down first; with none open, it brings
                // focus back to pane 1.
                if let Some(owner) = self.drill.pop() {
                    if let Some(k) = self.overlays.iter().position(|(_, o)| o.id() == owner) {
                        // An overlay's inner level first; its last Esc closes it.
                        let host = self.overlays[k].0;
                        self.focus_to(host);
                        if !self.overlays[k].1.back() {
                            let (_, mut closed) = self.overlays.remove(k);
                            return closed.close(&self.shared);
                        }
                    } else if let Some(i) = self.panes.iter().position(|p| p.id() == owner) {
                        self.panes[i].back();
                        self.focus_to(i);
                    }
                } else if !self.detail_focused() && self.panes[self.focus].back() {
                    // A pane-local view with no stack entry (defensive).
                } else {
                    self.focus_to(0);
                }
            }
            _ if !self.detail_focused() && self.overlay_on(self.focus).is_some() => {
                let Some(k) = self.overlay_on(self.focus) else {
                    return Vec::new();
                };
                let o = &mut self.overlays[k].1;
                let depth = o.drill_depth();
                let effects = o.on_action(a, &self.shared).unwrap_or_default();
                let after = o.drill_depth();
                let id = o.id();
                for _ in depth..after {
                    self.drill.push(id);
                }
                return effects;
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
                let mut effects = effects;
                if let Some(mut o) = self.panes[i].take_overlay(&self.shared) {
                    // The pane opened a drill-down view in its own area.
                    effects.extend(o.watch(&self.shared));
                    self.drill.push(o.id());
                    self.detail_scroll = 0;
                    self.overlays.push((i, o));
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
