//! Pane 1, AZ health: per-AZ target health and load-balancer metrics with the verdict.
//! Its data slots, the per-zone summaries derived from them, the selected row, the
//! drill-down into targets, its two jobs (target health, metrics) and its refresh clock.
//! `S` on a zone's row opens the zonal shift view (`panes::zonal_shift`) over it; `c`
//! copies the aws CLI command that shifts the first load balancer away from the zone.
//! Drawing is `ui::az_health`; the detail text `ui::detail::az_lines`.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Effect, Shared};
use crate::backend::{BackendError, Partial, Services};
use crate::jobs::{Job, JobMsg, PaneId};
use crate::model::filter::Filter;
use crate::model::metrics::{ALL_ZONES, MetricIssue, Window, ZoneMetric, ZoneMetrics};
use crate::model::summary::{ZoneSummary, summarize, targets_in};
use crate::model::targets::{Target, TargetGroupHealth};
use crate::model::verdict::{Level, VerdictParams};
use crate::model::zones::{LoadBalancer, ZoneMap};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;

pub const ID: PaneId = "az";

/// One selectable row of the pane: a zone, or a target group within a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Zone { zone: String },
    Group { zone: String, group_arn: String },
}

/// Drilled into the targets of a zone (all groups) or of one group in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub zone: String,
    pub group_arn: Option<String>,
    pub group_name: Option<String>,
    pub selected: usize,
}

/// What the pane's jobs report.
#[derive(Debug, Clone)]
pub enum AzLoaded {
    TargetHealth(Result<Partial<Vec<TargetGroupHealth>>, BackendError>),
    Metrics(Result<ZoneMetrics, BackendError>),
}

#[derive(Debug, Clone, Default)]
pub struct AzPane {
    pub health: Slot<Vec<TargetGroupHealth>>,
    /// Target groups whose health could not be read (their siblings still show).
    pub health_problems: Vec<BackendError>,
    pub metrics: Slot<ZoneMetrics>,
    /// Derived from the slots whenever one of them changes (never while drawing).
    pub all_summaries: Vec<ZoneSummary>,
    /// What is shown: `all_summaries` through the `/` filter.
    pub summaries: Vec<ZoneSummary>,
    /// The `/` filter on zones and target groups.
    pub filter: Option<Filter>,
    pub selected: usize,
    pub drill: Option<Drill>,
    /// Tags this pane's jobs; a report from an older one is dropped.
    pub generation: u64,
    /// When the next automatic refresh is due (set when a load finishes).
    pub next_refresh: Option<DateTime<Utc>>,
    /// The selection has not been moved by the user yet: it follows the worst zone.
    pub user_moved: bool,
    /// `S` on a row: open the zonal shift view of its zone (taken by the router).
    pub open_shift: bool,
    /// Text for the clipboard (the aws CLI command of a zonal shift).
    pub clipboard: Option<String>,
    /// Why the last key did nothing (shown in the hint line's place).
    pub notice: Option<String>,
}

impl AzPane {
    /// Recomputes the summaries, keeping the selection on the same row if it still exists.
    pub fn recompute(&mut self, shared: &Shared) {
        let lbs = &shared.selected;
        let before = self.rows().get(self.selected).cloned();
        let zone_map = ZoneMap::new(shared.zones.get().cloned().unwrap_or_default());
        let health = self.health.get().map(Vec::as_slice).unwrap_or(&[]);
        self.all_summaries = summarize(
            &zone_map,
            lbs,
            health,
            self.metrics.get(),
            &VerdictParams::default(),
        );
        // AWS Health's word on a zone comes first in its explanation.
        for s in &mut self.all_summaries {
            if let Some((_, label)) = shared.health_marks.iter().find(|(z, _)| *z == s.zone_name) {
                s.verdict.reason = format!("{label} in this zone; {}", s.verdict.reason);
            }
        }
        self.summaries = filtered(&self.all_summaries, self.filter.as_ref());
        let rows = self.rows();
        self.selected = before
            .and_then(|b| rows.iter().position(|r| *r == b))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
        if !self.user_moved {
            // Until the user moves, the selection sits on the zone most worth reading.
            if let Some(worst) = self.worst_zone() {
                let key = RowKey::Zone { zone: worst };
                if let Some(i) = rows.iter().position(|r| *r == key) {
                    self.selected = i;
                }
            }
        }
        if let Some(d) = &mut self.drill {
            let n = targets_in(health, &d.zone, d.group_arn.as_deref()).len();
            d.selected = d.selected.min(n.saturating_sub(1));
        }
    }

    /// The selectable rows, in display order.
    pub fn rows(&self) -> Vec<RowKey> {
        let mut rows = Vec::new();
        for s in &self.summaries {
            rows.push(RowKey::Zone {
                zone: s.zone_name.clone(),
            });
            for g in &s.groups {
                rows.push(RowKey::Group {
                    zone: s.zone_name.clone(),
                    group_arn: g.group_arn.clone(),
                });
            }
        }
        rows
    }

    pub fn selected_row(&self) -> Option<RowKey> {
        self.rows().get(self.selected).cloned()
    }

    /// The targets the drill-down lists.
    pub fn drill_targets(&self) -> Vec<(&str, &Target)> {
        match (&self.drill, self.health.get()) {
            (Some(d), Some(h)) => targets_in(h, &d.zone, d.group_arn.as_deref()),
            _ => Vec::new(),
        }
    }

    fn len(&self) -> usize {
        match &self.drill {
            Some(_) => self.drill_targets().len(),
            None => self.rows().len(),
        }
    }

    fn cursor(&mut self) -> &mut usize {
        self.user_moved = true;
        match &mut self.drill {
            Some(d) => &mut d.selected,
            None => &mut self.selected,
        }
    }

    /// The zone needing attention most (IMPAIRED, DEGRADED, WATCH, UNKNOWN; the first
    /// zone when all are OK): see [`summary::worst_zone`](crate::model::summary::worst_zone).
    pub fn worst_zone(&self) -> Option<String> {
        crate::model::summary::worst_zone(&self.all_summaries)
            .map(|i| self.all_summaries[i].zone_name.clone())
    }

    /// The zone the selection is on (a zone row or a group row within it).
    pub fn selected_zone(&self) -> Option<String> {
        if let Some(d) = &self.drill {
            return Some(d.zone.clone());
        }
        match self.selected_row()? {
            RowKey::Zone { zone } | RowKey::Group { zone, .. } => Some(zone),
        }
    }

    pub fn is_loading(&self) -> bool {
        self.health.loading || self.metrics.loading
    }

    /// Starts a load of target health and metrics for the watched load balancers.
    fn load(&mut self, shared: &Shared) -> Vec<Effect> {
        if shared.selected.is_empty() {
            return Vec::new();
        }
        self.generation += 1;
        self.next_refresh = None;
        self.health.start();
        self.metrics.start();
        let lbs = shared.selected.clone();
        let window = Window::ending_at(shared.now, shared.window_minutes);
        let g = self.generation;
        let health_lbs = lbs.clone();
        vec![
            Effect::Run(Job::new(
                ID,
                "target_health",
                g,
                "DescribeTargetGroups + DescribeTargetHealth",
                move |s: Services, r| async move {
                    r.send(AzLoaded::TargetHealth(
                        s.targets.target_health(&health_lbs).await,
                    ));
                },
            )),
            Effect::Run(Job::new(
                ID,
                "metrics",
                g,
                "GetMetricData per AZ",
                move |s: Services, r| async move {
                    r.send(AzLoaded::Metrics(load_metrics(&s, &lbs, window).await));
                },
            )),
        ]
    }

    pub fn move_by(&mut self, delta: isize) {
        let len = self.len();
        let c = self.cursor();
        *c = (*c as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    pub fn move_to(&mut self, first: bool) {
        let len = self.len();
        *self.cursor() = if first { 0 } else { len.saturating_sub(1) };
    }

    /// Enter on a row: drill into its targets. Returns whether anything opened.
    pub fn drill_down(&mut self) -> bool {
        if self.drill.is_some() {
            return false;
        }
        let Some(row) = self.selected_row() else {
            return false;
        };
        self.drill = Some(match row {
            RowKey::Zone { zone } => Drill {
                zone,
                group_arn: None,
                group_name: None,
                selected: 0,
            },
            RowKey::Group { zone, group_arn } => {
                let group_name = self
                    .summaries
                    .iter()
                    .flat_map(|s| &s.groups)
                    .find(|g| g.group_arn == group_arn)
                    .map(|g| g.group_name.clone());
                Drill {
                    zone,
                    group_arn: Some(group_arn),
                    group_name,
                    selected: 0,
                }
            }
        });
        true
    }

    /// The summary of the zone the selection is on.
    pub fn selected_summary(&self) -> Option<&ZoneSummary> {
        let zone = self.selected_zone()?;
        self.all_summaries.iter().find(|s| s.zone_name == zone)
    }

    /// What the zonal shift view needs of the selected zone.
    pub fn shift_subject(&self) -> Option<crate::app::panes::zonal_shift::ShiftSubject> {
        let s = self.selected_summary()?;
        if s.is_unknown_zone() {
            return None;
        }
        Some(crate::app::panes::zonal_shift::ShiftSubject {
            zone_name: s.zone_name.clone(),
            zone_id: s.zone_id.clone(),
            verdict: s.level().label().to_string(),
            reason: s.verdict.reason.clone(),
            health: self.health.get().cloned().unwrap_or_default(),
        })
    }

    /// `c` on a zone: the aws CLI command that shifts the first watched load balancer
    /// away from it for an hour (the view, `S`, has one per load balancer).
    fn copy_shift_command(&mut self, shared: &Shared) {
        use crate::model::zonal_shift::{AzId, DEFAULT_EXPIRY, Expiry, start_command};
        let (Some(subject), Some(lb)) = (self.shift_subject(), shared.selected.first()) else {
            self.notice = Some("select a zone row first".into());
            return;
        };
        let (Ok(az), Ok(expiry)) = (AzId::parse(&subject.zone_id), Expiry::parse(DEFAULT_EXPIRY))
        else {
            self.notice = Some(format!(
                "the AZ ID of {} is not known yet: nothing copied",
                subject.zone_name
            ));
            return;
        };
        let comment = crate::model::zonal_shift::default_comment(
            &subject.zone_name,
            &format!("{}: {}", subject.verdict, subject.reason),
        );
        let profile = shared.identity.get().and_then(|i| i.profile.as_deref());
        let cmd = start_command(&lb.arn, &az, expiry, &comment, profile);
        self.notice = Some(format!("copied (OSC 52): {cmd}"));
        self.clipboard = Some(cmd);
    }

    /// Esc: leave the drill-down. Returns whether there was one to leave.
    pub fn back(&mut self) -> bool {
        self.drill.take().is_some()
    }
}

/// The zones and groups a filter keeps: a zone shows when it or one of its groups
/// matches; under a matching zone every group shows, under another only the matching
/// groups.
pub fn filtered(all: &[ZoneSummary], filter: Option<&Filter>) -> Vec<ZoneSummary> {
    let Some(f) = filter else {
        return all.to_vec();
    };
    all.iter()
        .filter_map(|s| {
            let zone_text = format!(
                "{} {} {} {}",
                s.zone_name,
                s.zone_id,
                s.level().label(),
                s.verdict.reason
            );
            let group_text = |g: &crate::model::targets::GroupZoneTally| {
                format!(
                    "{} {}",
                    g.group_name,
                    g.dominant_reason
                        .as_ref()
                        .map(|(r, _)| r.as_str())
                        .unwrap_or("")
                )
            };
            if f.keeps(&zone_text) && !f.invert {
                return Some(s.clone());
            }
            let groups: Vec<_> = s
                .groups
                .iter()
                .filter(|g| f.keeps(&group_text(g)))
                .cloned()
                .collect();
            let zone_kept = f.keeps(&zone_text);
            if groups.is_empty() && !zone_kept {
                return None;
            }
            Some(ZoneSummary {
                groups,
                ..s.clone()
            })
        })
        .collect()
}

/// Per-AZ metrics of every watched load balancer, merged: an ALB's requests, 5xx,
/// latency and connection errors, an NLB's new flows and TCP resets. A kind without
/// per-AZ metrics the verdict reads (GWLB) is said instead of guessed. A load balancer
/// whose metrics fail is named while the others show.
pub async fn load_metrics(
    s: &Services,
    lbs: &[LoadBalancer],
    window: Window,
) -> Result<ZoneMetrics, BackendError> {
    let (albs, others): (Vec<&LoadBalancer>, Vec<&LoadBalancer>) = lbs
        .iter()
        .partition(|lb| !ZoneMetric::for_kind(lb.kind).is_empty());
    let results =
        futures::future::join_all(albs.iter().map(|lb| s.metrics.zone_metrics(lb, window))).await;
    let mut merged = ZoneMetrics::empty(window);
    for lb in &others {
        for zone in &lb.zone_names {
            merged.ensure_zone(zone);
        }
        merged.issues.push(MetricIssue {
            zone_name: ALL_ZONES.into(),
            metric: ZoneMetric::Requests,
            status: format!(
                "{} {}: no per-AZ metrics for this kind; its verdict uses target health",
                lb.kind.label(),
                lb.name
            ),
        });
    }
    let mut first_error = None;
    let mut any_ok = false;
    for (lb, r) in albs.iter().zip(results) {
        match r {
            Ok(m) => {
                any_ok = true;
                merged.merge(&m);
            }
            Err(e) => {
                if albs.len() > 1 {
                    merged.issues.push(MetricIssue {
                        zone_name: ALL_ZONES.into(),
                        metric: ZoneMetric::Requests,
                        status: format!("{}: {e}", lb.name),
                    });
                }
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if !any_ok && others.is_empty() => Err(e),
        Some(e) if albs.len() == 1 => {
            merged.issues.push(MetricIssue {
                zone_name: ALL_ZONES.into(),
                metric: ZoneMetric::Requests,
                status: e.to_string(),
            });
            Ok(merged)
        }
        _ => Ok(merged),
    }
}

impl Pane for AzPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "AZ health"
    }

    fn watch(&mut self, shared: &Shared) -> Vec<Effect> {
        let generation = self.generation;
        *self = AzPane {
            generation,
            ..AzPane::default()
        };
        self.recompute(shared);
        self.load(shared)
    }

    fn tick(&mut self, shared: &Shared) -> Vec<Effect> {
        match self.next_refresh {
            Some(t) if shared.now >= t && !self.is_loading() => self.load(shared),
            _ => Vec::new(),
        }
    }

    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.is_loading() {
            // One fan-out at a time: `r` during a load does not double the calls.
            return Vec::new();
        }
        self.load(shared)
    }

    fn shared_changed(&mut self, shared: &Shared) -> Vec<Effect> {
        self.recompute(shared);
        Vec::new()
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        if msg.generation != self.generation {
            return Vec::new();
        }
        let now = shared.now;
        match msg.take::<AzLoaded>() {
            Some(AzLoaded::TargetHealth(r)) => {
                let r = r.map(|p| {
                    self.health_problems = p.problems;
                    p.data
                });
                self.health.finish(r, now);
            }
            Some(AzLoaded::Metrics(r)) => self.metrics.finish(r, now),
            None => return Vec::new(),
        }
        if !self.is_loading() {
            // The next refresh is timed from when this one finished.
            self.next_refresh = Some(now + shared.refresh_every);
        }
        self.recompute(shared);
        Vec::new()
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        self.notice = None;
        match action {
            Action::ZonalShift => match self.selected_summary() {
                Some(s) if !s.is_unknown_zone() => self.open_shift = true,
                _ => self.notice = Some("zonal shift: select a zone's row first".into()),
            },
            Action::CopyCommand => self.copy_shift_command(shared),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::Top => self.move_to(true),
            Action::Bottom => self.move_to(false),
            Action::DrillDown => {
                self.drill_down();
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn drill_depth(&self) -> usize {
        usize::from(self.drill.is_some())
    }

    fn take_overlay(&mut self, shared: &Shared) -> Option<Box<dyn Pane>> {
        if !std::mem::take(&mut self.open_shift) {
            return None;
        }
        Some(crate::app::panes::zonal_shift::open(
            self.shift_subject()?,
            shared,
        ))
    }

    fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    fn back(&mut self) -> bool {
        AzPane::back(self)
    }

    fn publish(&self, shared: &mut Shared) {
        let ids: std::collections::BTreeSet<String> = self
            .health
            .get()
            .into_iter()
            .flatten()
            .flat_map(|g| g.targets.iter().map(|t| t.id.clone()))
            .collect();
        if shared.target_ids != ids {
            shared.target_ids = ids;
        }
        shared.focus_zone = self.selected_zone();
        shared.blamed_zone = self
            .all_summaries
            .iter()
            .filter(|s| matches!(s.level(), Level::Impaired | Level::Degraded))
            .max_by_key(|s| matches!(s.level(), Level::Impaired))
            .map(|s| s.zone_name.clone());
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::detail::az_lines(self, shared)
    }

    fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((e, _)) = &self.health.error {
            out.push(format!("target health: {e}"));
        }
        if let Some((e, _)) = &self.metrics.error {
            out.push(format!("metrics: {e}"));
        }
        out.extend(
            self.health_problems
                .iter()
                .map(|e| format!("target health: {e}")),
        );
        out
    }

    fn set_filter(&mut self, filter: Option<Filter>) -> bool {
        let before = self.selected_row();
        self.filter = filter;
        self.summaries = filtered(&self.all_summaries, self.filter.as_ref());
        let rows = self.rows();
        self.selected = before
            .and_then(|b| rows.iter().position(|r| *r == b))
            .unwrap_or(0);
        true
    }

    fn selected_id(&self) -> Option<String> {
        if self.drill.is_some() {
            let d = self.drill.as_ref()?;
            return self
                .drill_targets()
                .get(d.selected)
                .map(|(_, t)| t.id.clone());
        }
        match self.selected_row()? {
            RowKey::Zone { zone } => self
                .summaries
                .iter()
                .find(|s| s.zone_name == zone)
                .map(|s| s.zone_id.clone()),
            RowKey::Group { group_arn, .. } => Some(group_arn),
        }
    }

    fn summary_markdown(&self, shared: &Shared) -> String {
        let lbs: Vec<&str> = shared.selected.iter().map(|l| l.name.as_str()).collect();
        let mut out = format!(
            "## AZ health · {}\n\n| zone | AZ ID | verdict | healthy | failing | why |\n|---|---|---|---|---|---|\n",
            lbs.join(", ")
        );
        for s in &self.all_summaries {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                s.zone_name,
                s.zone_id,
                s.level().label(),
                s.counts.healthy,
                s.counts.failing(),
                s.verdict.reason.replace('|', "/")
            ));
        }
        out
    }

    fn hints(&self, _shared: &Shared) -> Vec<(Action, &'static str)> {
        if self.drill.is_some() {
            vec![(Action::Back, "back"), (Action::ZonalShift, "zonal shift")]
        } else {
            vec![
                (Action::DrillDown, "targets"),
                (Action::ZonalShift, "zonal shift"),
            ]
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::az_health::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
