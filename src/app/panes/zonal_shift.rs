//! The ARC zonal shift view (id `zonal_shift`, opened over the AZ pane with `S` on a
//! zone's row; not in the registry): per watched load balancer, whether it can be
//! shifted, its active and recent shifts and autoshifts with their countdown, practice
//! runs and applied weights; what a shift away from the zone would leave (healthy
//! targets and today's peak in the other zones, free addresses in their subnets); and
//! what it does with cross-zone load balancing on.
//!
//! Starting a shift moves production traffic, so it takes three deliberate steps:
//! grayscope started with `--allow-zonal-shift` (and not `--read-only`); `a` here, on
//! the zone the user chose in the AZ pane (a form: expiry, default 1h, and a comment
//! prefilled with the verdict's reason); and the router's confirmation, which wants
//! the AZ ID typed. `e` extends and `x` cancels the active shift the same way. Without
//! the flag, the keys say what they would do and how to allow it; nothing is sent.
//! `c` copies the aws CLI command for the same shift, in every mode.
//! Drawing is `ui::zonal_shift`; the pure parts `model::zonal_shift`.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Confirm, Effect, Shared};
use crate::backend::zonal_shift::{
    ShiftError, ShiftRequest, ShiftState, ShiftStatus, SubnetRoom, ZonalShift,
};
use crate::backend::{BackendError, Services};
use crate::jobs::{Job, JobMsg, PaneId};
use crate::model::metrics::{Window, ZoneMetric, ZoneMetrics};
use crate::model::targets::{TargetGroupHealth, TargetState};
use crate::model::zonal_shift::{
    AzId, CapacityPlan, DEFAULT_EXPIRY, Expiry, ZoneLoad, arn_region, cancel_command,
    cross_zone_note, default_comment, enable_command, fit_comment, plan_shift, start_command,
    update_command,
};
use crate::model::zones::{LoadBalancer, ZoneMap};
use chrono::{DateTime, Duration, Timelike, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;
use std::collections::BTreeMap;

pub const ID: PaneId = "zonal_shift";

/// What the AZ pane hands over: the zone the user chose and what it knows about it.
#[derive(Debug, Clone)]
pub struct ShiftSubject {
    pub zone_name: String,
    /// The zone's AZ ID as the account's zone map gives it (`?` while unknown).
    pub zone_id: String,
    /// The verdict's level and reason, for the prefilled comment.
    pub verdict: String,
    pub reason: String,
    /// The target groups the AZ pane shows, with their targets' health.
    pub health: Vec<TargetGroupHealth>,
}

/// Opens the view (the AZ pane calls this on `S`).
pub fn open(subject: ShiftSubject, shared: &Shared) -> Box<dyn Pane> {
    Box::new(ShiftView::new(subject, shared))
}

/// Which write the form or the confirmation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Start,
    Extend { shift_id: String },
    Cancel { shift_id: String },
}

impl Op {
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Start => "start",
            Op::Extend { .. } => "extend",
            Op::Cancel { .. } => "cancel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Expiry,
    Comment,
}

/// The form before the confirmation: the expiry and the comment, editable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub op: Op,
    pub expiry: String,
    pub comment: String,
    pub field: Field,
    pub error: Option<String>,
}

/// A write the user has asked for, frozen when asked (what the dialog shows is what
/// is sent).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub op: Op,
    pub lb: LoadBalancer,
    pub away_from: AzId,
    pub expiry: Option<Expiry>,
    pub comment: String,
}

/// What the view's jobs report.
#[derive(Debug)]
pub enum ShiftMsg {
    Status(Result<Vec<ShiftStatus>, BackendError>),
    Rooms(Result<Vec<SubnetRoom>, BackendError>),
    /// Per load balancer (ARN): zone name -> requests (or new flows) per minute at
    /// today's peak minute, and when that minute was.
    Peaks(Result<Vec<(String, Peak)>, BackendError>),
    Wrote {
        op: Op,
        lb: String,
        result: Result<ZonalShift, ShiftError>,
    },
}

/// Today's peak per load balancer: zone name -> per minute, and the minute.
pub type Peak = (BTreeMap<String, f64>, Option<DateTime<Utc>>);

pub struct ShiftView {
    pub subject: ShiftSubject,
    pub lbs: Vec<LoadBalancer>,
    pub zone_map: ZoneMap,
    /// Which load balancer the keys act on.
    pub selected: usize,
    pub status: Slot<Vec<ShiftStatus>>,
    pub rooms: Slot<Vec<SubnetRoom>>,
    pub peaks: Slot<BTreeMap<String, Peak>>,
    pub form: Option<Form>,
    pub pending: Option<Pending>,
    /// The confirmation to ask for, its lines written when it was asked.
    asked: Option<Vec<String>>,
    /// A write under way (one at a time).
    pub writing: Option<Op>,
    /// The last write's outcome in words, whether it went through, and when.
    pub outcome: Option<(String, bool, DateTime<Utc>)>,
    /// Why a key did nothing (read-only, not allowed, nothing to cancel), with what it
    /// would have done.
    pub notice: Option<String>,
    clipboard: Option<String>,
    generation: u64,
    next_refresh: Option<DateTime<Utc>>,
}

impl ShiftView {
    pub fn new(subject: ShiftSubject, shared: &Shared) -> Self {
        let lbs = shared.selected.clone();
        Self {
            selected: 0,
            zone_map: ZoneMap::new(shared.zones.get().cloned().unwrap_or_default()),
            lbs,
            subject,
            status: Slot::default(),
            rooms: Slot::default(),
            peaks: Slot::default(),
            form: None,
            pending: None,
            asked: None,
            writing: None,
            outcome: None,
            notice: None,
            clipboard: None,
            generation: 0,
            next_refresh: None,
        }
    }

    pub fn lb(&self) -> Option<&LoadBalancer> {
        self.lbs.get(self.selected)
    }

    pub fn lb_status(&self) -> Option<&ShiftStatus> {
        let lb = self.lb()?;
        self.status.get()?.iter().find(|s| s.lb_arn == lb.arn)
    }

    /// The zone as an AZ ID, or why not (names never go to the API).
    pub fn away_from(&self) -> Result<AzId, String> {
        AzId::parse(&self.subject.zone_id).map_err(|_| {
            format!(
                "the AZ ID of {} is not known yet (zones still loading?)",
                self.subject.zone_name
            )
        })
    }

    /// The active shift of the selected load balancer away from this zone, with an id
    /// (an autoshift has none and cannot be changed here).
    pub fn active(&self) -> Option<&ZonalShift> {
        self.lb_status()?
            .active_away_from(&self.subject.zone_id)
            .filter(|s| !s.id.is_empty())
    }

    pub fn default_comment(&self) -> String {
        default_comment(
            &self.subject.zone_name,
            &format!("{}: {}", self.subject.verdict, self.subject.reason),
        )
    }

    /// What a shift away from the zone leaves, for the selected load balancer.
    pub fn plan(&self) -> Option<CapacityPlan> {
        let lb = self.lb()?;
        let peak = self.peaks.get().and_then(|p| p.get(&lb.arn));
        let rooms = self.rooms.get();
        let zones: Vec<ZoneLoad> = lb
            .zone_names
            .iter()
            .map(|name| {
                let healthy = self
                    .subject
                    .health
                    .iter()
                    .filter(|g| g.group.load_balancer_arns.contains(&lb.arn))
                    .flat_map(|g| &g.targets)
                    .filter(|t| {
                        t.zone_name.as_deref() == Some(name.as_str())
                            && t.state == TargetState::Healthy
                    })
                    .count() as u32;
                ZoneLoad {
                    zone_name: name.clone(),
                    zone_id: self.zone_map.id_for(name),
                    healthy,
                    peak_per_minute: peak.and_then(|(p, _)| p.get(name)).copied().unwrap_or(0.0),
                    free_ips: rooms.map(|r| {
                        r.iter()
                            .filter(|s| s.zone_name == *name)
                            .map(|s| s.free_ips)
                            .sum()
                    }),
                    tightest: rooms.and_then(|r| {
                        r.iter()
                            .filter(|s| s.zone_name == *name)
                            .min_by_key(|s| s.free_ips)
                            .map(|s| (s.subnet_id.clone(), s.free_ips))
                    }),
                }
            })
            .collect();
        Some(plan_shift(&zones, &self.subject.zone_id))
    }

    /// Cross-zone notes for the selected load balancer's target groups.
    pub fn cross_zone_notes(&self) -> Vec<String> {
        let Some(lb) = self.lb() else {
            return Vec::new();
        };
        self.subject
            .health
            .iter()
            .filter(|g| g.group.load_balancer_arns.contains(&lb.arn))
            .map(|g| cross_zone_note(&g.group.name, g.group.cross_zone, &self.subject.zone_name))
            .collect()
    }

    /// The aws CLI command for what the keys would do now: the form's write, else a
    /// start with the default expiry and comment.
    pub fn command_text(&self, shared: &Shared) -> Result<String, String> {
        let lb = self.lb().ok_or("no load balancer watched")?;
        let profile = shared.identity.get().and_then(|i| i.profile.as_deref());
        let region = arn_region(&lb.arn);
        let expiry_of = |s: &str| Expiry::parse(s);
        match &self.form {
            Some(f) => {
                let comment = fit_comment(&f.comment);
                match &f.op {
                    Op::Start => Ok(start_command(
                        &lb.arn,
                        &self.away_from()?,
                        expiry_of(&f.expiry)?,
                        &comment,
                        profile,
                    )),
                    Op::Extend { shift_id } => Ok(update_command(
                        shift_id,
                        expiry_of(&f.expiry)?,
                        &comment,
                        region,
                        profile,
                    )),
                    Op::Cancel { shift_id } => Ok(cancel_command(shift_id, region, profile)),
                }
            }
            None => Ok(start_command(
                &lb.arn,
                &self.away_from()?,
                expiry_of(DEFAULT_EXPIRY)?,
                &self.default_comment(),
                profile,
            )),
        }
    }

    /// Why writes are off, and how to turn them on; `None` when they are allowed.
    pub fn writes_off(shared: &Shared) -> Option<&'static str> {
        if shared.read_only {
            Some(
                "--read-only is on: nothing is sent (start grayscope without it, and with --allow-zonal-shift, to shift from here)",
            )
        } else if !shared.allow_zonal_shift {
            Some(
                "zonal shifts are off: start grayscope with --allow-zonal-shift to shift from here (it still asks you to type the AZ ID)",
            )
        } else {
            None
        }
    }

    fn load(&mut self, shared: &Shared) -> Vec<Effect> {
        self.generation += 1;
        self.next_refresh = None;
        let g = self.generation;
        let lbs = self.lbs.clone();
        self.status.start();
        let mut effects = vec![Effect::Run(Job::new(
            ID,
            "status",
            g,
            "DescribeLoadBalancerAttributes + GetManagedResource + ListZonalShifts",
            move |s: Services, r| async move {
                let all =
                    futures::future::join_all(lbs.iter().map(|lb| s.shifts.shift_status(lb))).await;
                let mut out = Vec::new();
                let mut first_error = None;
                for (lb, one) in lbs.iter().zip(all) {
                    match one {
                        Ok(st) => out.push(st),
                        Err(e) => {
                            out.push(ShiftStatus {
                                lb_arn: lb.arn.clone(),
                                lb_name: lb.name.clone(),
                                problems: vec![e.to_string()],
                                ..ShiftStatus::default()
                            });
                            first_error.get_or_insert(e);
                        }
                    }
                }
                let result = match first_error {
                    Some(e) if out.iter().all(|s| !s.problems.is_empty()) => Err(e),
                    _ => Ok(out),
                };
                r.send(ShiftMsg::Status(result));
            },
        ))];
        if self.rooms.get().is_none() && !self.rooms.loading {
            self.rooms.start();
            let mut vpcs: Vec<String> = self.lbs.iter().filter_map(|l| l.vpc_id.clone()).collect();
            vpcs.sort();
            vpcs.dedup();
            effects.push(Effect::Run(Job::new(
                ID,
                "rooms",
                g,
                "DescribeSubnets (free addresses)",
                move |s: Services, r| async move {
                    let mut out = Vec::new();
                    let mut err = None;
                    for v in &vpcs {
                        match s.shifts.subnet_room(v).await {
                            Ok(rooms) => out.extend(rooms),
                            Err(e) => {
                                err.get_or_insert(e);
                            }
                        }
                    }
                    r.send(ShiftMsg::Rooms(match err {
                        Some(e) if out.is_empty() => Err(e),
                        _ => Ok(out),
                    }));
                },
            )));
        }
        if self.peaks.get().is_none() && !self.peaks.loading {
            self.peaks.start();
            let lbs = self.lbs.clone();
            // Today, from midnight UTC (at least the last hour).
            let since_midnight = (shared.now.num_seconds_from_midnight() / 60) as usize;
            let window = Window::ending_at(shared.now, since_midnight.max(60));
            effects.push(Effect::Run(Job::new(
                ID,
                "peaks",
                g,
                "GetMetricData (today's requests per AZ)",
                move |s: Services, r| async move {
                    let mut out = Vec::new();
                    let mut err = None;
                    for lb in &lbs {
                        if ZoneMetric::for_kind(lb.kind).is_empty() {
                            continue;
                        }
                        match s.metrics.zone_metrics(lb, window).await {
                            Ok(m) => {
                                out.push((lb.arn.clone(), peak_minute(&m, lb)));
                            }
                            Err(e) => {
                                err.get_or_insert(e);
                            }
                        }
                    }
                    r.send(ShiftMsg::Peaks(match err {
                        Some(e) if out.is_empty() => Err(e),
                        _ => Ok(out),
                    }));
                },
            )));
        }
        effects
    }

    /// `a`, `e`, `x`: checks that a write may happen at all, else says why.
    fn begin(&mut self, op: Op, shared: &Shared) {
        self.notice = None;
        if self.writing.is_some() {
            self.notice = Some("a zonal-shift call is under way; wait for its answer".into());
            return;
        }
        let Some(lb) = self.lb().cloned() else {
            self.notice = Some("no load balancer watched".into());
            return;
        };
        let away = match self.away_from() {
            Ok(a) => a,
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        let op = match op {
            Op::Start => {
                if let Some(active) = self.lb_status().and_then(|s| s.any_active()) {
                    self.notice = Some(format!(
                        "{} already has an active {} away from {}: e extends it, x cancels it",
                        lb.name,
                        active.kind.label(),
                        active.away_from
                    ));
                    return;
                }
                Op::Start
            }
            Op::Extend { .. } | Op::Cancel { .. } => match self.active() {
                Some(s) => match op {
                    Op::Extend { .. } => Op::Extend {
                        shift_id: s.id.clone(),
                    },
                    _ => Op::Cancel {
                        shift_id: s.id.clone(),
                    },
                },
                None => {
                    self.notice = Some(format!(
                        "no active zonal shift of {} away from {} ({}) to {}",
                        lb.name,
                        self.subject.zone_name,
                        away,
                        op.verb()
                    ));
                    return;
                }
            },
        };
        if let Some(why) = Self::writes_off(shared) {
            self.notice = Some(format!(
                "{why}. {} would {} a zonal shift of {} away from {} ({}); {} copies the aws CLI command.",
                shared.keymap.keys_text(match op {
                    Op::Start => Action::Act,
                    Op::Extend { .. } => Action::Edit,
                    Op::Cancel { .. } => Action::CancelShift,
                }),
                op.verb(),
                lb.name,
                self.subject.zone_name,
                away,
                shared.keymap.keys_text(Action::CopyCommand)
            ));
            return;
        }
        if op == Op::Start
            && let Some(false) = self.lb_status().and_then(|s| s.enabled)
        {
            let profile = shared.identity.get().and_then(|i| i.profile.as_deref());
            self.notice = Some(format!(
                "{}; nothing was sent. {}",
                ShiftError::NotEnabled {
                    lb: lb.name.clone()
                },
                enable_command(&lb.arn, profile)
            ));
            return;
        }
        match op {
            Op::Cancel { .. } => {
                let p = Pending {
                    op,
                    lb,
                    away_from: away,
                    expiry: None,
                    comment: String::new(),
                };
                self.asked = Some(self.confirm_lines(&p, shared));
                self.pending = Some(p);
            }
            _ => {
                let comment = match (&op, self.active()) {
                    (Op::Extend { .. }, Some(s)) if !s.comment.is_empty() => s.comment.clone(),
                    _ => self.default_comment(),
                };
                self.form = Some(Form {
                    op,
                    expiry: DEFAULT_EXPIRY.into(),
                    comment,
                    field: Field::Expiry,
                    error: None,
                });
            }
        }
    }

    /// Enter on the form: checks it and asks for the typed confirmation.
    fn submit(&mut self, shared: &Shared) {
        let Some(f) = &mut self.form else { return };
        let expiry = match Expiry::parse(&f.expiry) {
            Ok(e) => e,
            Err(why) => {
                f.error = Some(why);
                f.field = Field::Expiry;
                return;
            }
        };
        let comment = fit_comment(&f.comment);
        let op = f.op.clone();
        let (Some(lb), Ok(away)) = (self.lb().cloned(), self.away_from()) else {
            return;
        };
        self.form = None;
        let p = Pending {
            op,
            lb,
            away_from: away,
            expiry: Some(expiry),
            comment,
        };
        self.asked = Some(self.confirm_lines(&p, shared));
        self.pending = Some(p);
    }

    /// What the confirmation says, one fact a line.
    pub fn confirm_lines(&self, p: &Pending, shared: &Shared) -> Vec<String> {
        let mut out = vec![
            format!("Load balancer: {} ({})", p.lb.name, p.lb.arn),
            format!(
                "Zone: {} = AZ ID {} (sent as awayFrom)",
                self.subject.zone_name, p.away_from
            ),
        ];
        match &p.op {
            Op::Start => {
                out.push(format!(
                    "Effect: ARC moves this load balancer's traffic away from {} until the shift expires or is cancelled. Production traffic changes.",
                    p.away_from
                ));
            }
            Op::Extend { shift_id } => out.push(format!(
                "Effect: shift {shift_id} stays active, with a new expiry counted from now."
            )),
            Op::Cancel { shift_id } => out.push(format!(
                "Effect: shift {shift_id} ends now; traffic returns to {} as clients re-resolve.",
                p.away_from
            )),
        }
        if let Some(e) = p.expiry {
            out.push(format!(
                "Expires in: {} (at {} UTC; at most 72h)",
                e.text(),
                (shared.now + e.duration()).format("%H:%M")
            ));
        }
        if !p.comment.is_empty() {
            out.push(format!("Comment: {}", p.comment));
        }
        if p.op == Op::Start
            && let Some(plan) = self.plan()
        {
            out.push(format!("Leaves: {}", plan.verdict));
        }
        out.push(format!(
            "Call: {} (arc-zonal-shift:{}); costs nothing.",
            match p.op {
                Op::Start => "StartZonalShift",
                Op::Extend { .. } => "UpdateZonalShift",
                Op::Cancel { .. } => "CancelZonalShift",
            },
            match p.op {
                Op::Start => "StartZonalShift",
                Op::Extend { .. } => "UpdateZonalShift",
                Op::Cancel { .. } => "CancelZonalShift",
            }
        ));
        out
    }

    fn write_job(&mut self, p: Pending) -> Effect {
        self.writing = Some(p.op.clone());
        let g = self.generation;
        let op = p.op.clone();
        Effect::Run(Job::new(
            ID,
            "write",
            g,
            format!("{} zonal shift", op.verb()),
            move |s: Services, r| async move {
                let lb = p.lb.name.clone();
                let result = match &p.op {
                    Op::Start => {
                        let Some(expires_in) = p.expiry else { return };
                        s.shifts
                            .start_shift(&ShiftRequest {
                                lb_arn: p.lb.arn.clone(),
                                lb_name: p.lb.name.clone(),
                                away_from: p.away_from.clone(),
                                expires_in,
                                comment: p.comment.clone(),
                            })
                            .await
                    }
                    Op::Extend { shift_id } => {
                        let Some(expires_in) = p.expiry else { return };
                        s.shifts
                            .update_shift(&p.lb.name, shift_id, expires_in, &p.comment)
                            .await
                    }
                    Op::Cancel { shift_id } => s.shifts.cancel_shift(&p.lb.name, shift_id).await,
                };
                r.send(ShiftMsg::Wrote { op, lb, result });
            },
        ))
    }

    fn edit_form(&mut self, key: KeyEvent) {
        let Some(f) = &mut self.form else { return };
        let text = match f.field {
            Field::Expiry => &mut f.expiry,
            Field::Comment => &mut f.comment,
        };
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                f.field = match f.field {
                    Field::Expiry => Field::Comment,
                    Field::Comment => Field::Expiry,
                };
            }
            KeyCode::Backspace => {
                text.pop();
                f.error = None;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() =>
            {
                let max = match f.field {
                    Field::Expiry => 8,
                    Field::Comment => crate::model::zonal_shift::MAX_COMMENT,
                };
                if text.chars().count() < max {
                    text.push(c);
                }
                f.error = None;
            }
            _ => {}
        }
    }
}

/// The minute of `m` with the most traffic over all zones, and each zone's traffic in
/// it.
pub fn peak_minute(
    m: &ZoneMetrics,
    lb: &LoadBalancer,
) -> (BTreeMap<String, f64>, Option<DateTime<Utc>>) {
    let metric = match lb.kind {
        crate::model::zones::LbKind::Network => ZoneMetric::NewFlows,
        _ => ZoneMetric::Requests,
    };
    let slots = m.window.minutes;
    let mut best: Option<(usize, f64)> = None;
    for i in 0..slots {
        let total: f64 = m
            .by_zone
            .keys()
            .filter_map(|z| {
                m.series(z, metric)
                    .and_then(|s| s.get(i).copied().flatten())
            })
            .sum();
        if best.is_none_or(|(_, b)| total > b) {
            best = Some((i, total));
        }
    }
    let Some((i, _)) = best else {
        return (BTreeMap::new(), None);
    };
    let zones = m
        .by_zone
        .keys()
        .map(|z| {
            let v = m
                .series(z, metric)
                .and_then(|s| s.get(i).copied().flatten())
                .unwrap_or(0.0);
            (z.clone(), v)
        })
        .collect();
    (zones, Some(m.window.start + Duration::minutes(i as i64)))
}

impl Pane for ShiftView {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Zonal shift"
    }

    fn watch(&mut self, shared: &Shared) -> Vec<Effect> {
        self.load(shared)
    }

    fn tick(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.status.loading || self.writing.is_some() {
            return Vec::new();
        }
        // An active shift that just expired, or the refresh interval: read again.
        let expired = self.status.get().into_iter().flatten().any(|s| {
            s.shifts
                .iter()
                .any(|z| z.state == ShiftState::Active && z.expiry.is_some_and(|e| e <= shared.now))
        });
        match self.next_refresh {
            Some(t) if expired || shared.now >= t => self.load(shared),
            _ => Vec::new(),
        }
    }

    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.status.loading {
            return Vec::new();
        }
        self.load(shared)
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        let generation = msg.generation;
        let Some(m) = msg.take::<ShiftMsg>() else {
            return Vec::new();
        };
        let now = shared.now;
        match m {
            // A write's answer counts whatever the generation: it happened.
            ShiftMsg::Wrote { op, lb, result } => {
                self.writing = None;
                self.outcome = Some(match result {
                    Ok(s) => (
                        format!(
                            "{lb}: {} {} away from {}{}",
                            match op {
                                Op::Start => "started zonal shift",
                                Op::Extend { .. } => "extended zonal shift",
                                Op::Cancel { .. } => "cancelled zonal shift",
                            },
                            s.id,
                            s.away_from,
                            s.expiry
                                .filter(|_| s.state == ShiftState::Active)
                                .map(|e| format!(", expires {} UTC", e.format("%H:%M")))
                                .unwrap_or_default()
                        ),
                        true,
                        now,
                    ),
                    Err(e) => (format!("{lb}: {} refused: {e}", op.verb()), false, now),
                });
                return self.load(shared);
            }
            _ if generation != self.generation => {}
            ShiftMsg::Status(r) => {
                self.status.finish(r, now);
                self.next_refresh = Some(now + shared.refresh_every);
            }
            ShiftMsg::Rooms(r) => self.rooms.finish(r, now),
            ShiftMsg::Peaks(r) => self.peaks.finish(r.map(|v| v.into_iter().collect()), now),
        }
        Vec::new()
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.lbs.len().saturating_sub(1))
            }
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.lbs.len().saturating_sub(1),
            Action::Act | Action::ZonalShift => self.begin(Op::Start, shared),
            Action::Edit => self.begin(
                Op::Extend {
                    shift_id: String::new(),
                },
                shared,
            ),
            Action::CancelShift => self.begin(
                Op::Cancel {
                    shift_id: String::new(),
                },
                shared,
            ),
            Action::CopyCommand => match self.command_text(shared) {
                Ok(cmd) => {
                    self.notice = Some(format!("copied (OSC 52): {cmd}"));
                    self.clipboard = Some(cmd);
                }
                Err(why) => self.notice = Some(format!("nothing copied: {why}")),
            },
            Action::Refresh => return Some(self.refresh(shared)),
            _ => return None,
        }
        Some(Vec::new())
    }

    fn text_input(&self) -> bool {
        self.form.is_some()
    }

    fn on_key(&mut self, key: KeyEvent, shared: &Shared) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                self.notice = Some("nothing was sent".into());
            }
            KeyCode::Enter => self.submit(shared),
            _ => self.edit_form(key),
        }
        Vec::new()
    }

    fn take_confirm(&mut self) -> Option<Confirm> {
        let lines = self.asked.take()?;
        let p = self.pending.clone()?;
        Some(Confirm {
            pane: ID,
            id: self.generation,
            title: match &p.op {
                Op::Start => format!(
                    "Start a zonal shift of {} away from {} ({})?",
                    p.lb.name, self.subject.zone_name, p.away_from
                ),
                Op::Extend { .. } => format!("Extend the zonal shift of {}?", p.lb.name),
                Op::Cancel { .. } => format!("Cancel the zonal shift of {}?", p.lb.name),
            },
            lines,
            yes: format!("{} the shift", p.op.verb()),
            typed: Some(p.away_from.to_string()),
            entered: String::new(),
        })
    }

    fn confirmed(&mut self, _id: u64, yes: bool, shared: &Shared) -> Vec<Effect> {
        let Some(p) = self.pending.take() else {
            return Vec::new();
        };
        if !yes {
            self.notice = Some(format!("{}: cancelled, nothing was sent", p.op.verb()));
            return Vec::new();
        }
        if Self::writes_off(shared).is_some() || self.writing.is_some() {
            // Defence in depth: a dialog never opens then, but nothing is sent if it did.
            return Vec::new();
        }
        vec![self.write_job(p)]
    }

    fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    fn selected_id(&self) -> Option<String> {
        self.active()
            .map(|s| s.id.clone())
            .or_else(|| self.lb().map(|l| l.arn.clone()))
    }

    fn close(&mut self, _shared: &Shared) -> Vec<Effect> {
        // A write under way is let finish (cancelling it would not undo it); the reads
        // stop.
        ["status", "rooms", "peaks"]
            .into_iter()
            .map(|kind| Effect::Cancel { pane: ID, kind })
            .collect()
    }

    fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            ("zonal shift status", &self.status.error),
            ("free addresses", &self.rooms.error),
            ("today's peak", &self.peaks.error),
        ]
        .iter()
        .filter_map(|(what, e)| e.as_ref().map(|(e, _)| format!("{what}: {e}")))
        .collect();
        for s in self.status.get().into_iter().flatten() {
            out.extend(s.problems.iter().map(|p| format!("{}: {p}", s.lb_name)));
        }
        out
    }

    fn summary_markdown(&self, shared: &Shared) -> String {
        crate::ui::zonal_shift::summary_markdown(self, shared)
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::zonal_shift::detail_lines(self, shared)
    }

    fn hints(&self, shared: &Shared) -> Vec<(Action, &'static str)> {
        let off = Self::writes_off(shared).is_some();
        let mut h = Vec::new();
        if self.active().is_some() {
            h.push((
                Action::Edit,
                if off { "what extend does" } else { "extend" },
            ));
            h.push((
                Action::CancelShift,
                if off {
                    "what cancel does"
                } else {
                    "cancel shift"
                },
            ));
        } else {
            h.push((
                Action::Act,
                if off {
                    "what a shift does"
                } else {
                    "shift away"
                },
            ));
        }
        h.push((Action::CopyCommand, "copy CLI"));
        if self.lbs.len() > 1 {
            h.push((Action::Down, "next LB"));
        }
        h
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::zonal_shift::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
