//! Pane 4, AWS Health: the account's (or organization's) open, upcoming and recently
//! closed events for the watched region and global services, tied to the zones on
//! screen. Its data slots, the events shown (filtered and ordered by
//! `model::health`), the selection, the opened event (drill-down), the organization
//! view, its jobs and its refresh clock. Drawing is `ui::health`.
//!
//! Without a support plan that includes the Health API the first load answers
//! NotSubscribed: the pane says so in plain words and stops polling (`r` tries again);
//! nothing else on screen depends on it.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Effect, Shared};
use crate::backend::{BackendError, Services};
use crate::jobs::{Job, JobMsg, PaneId};
use crate::model::health::{
    AffectedEntity, Answered, HealthEvent, HealthView, OrgAccess, markdown, shown, zone_id_of,
    zone_marks,
};
use crate::model::zones::ZoneMap;
use chrono::{DateTime, Duration, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;

pub const ID: PaneId = "health";

/// Health changes slowly and its API is rate-limited: never polled more often than this.
pub const MIN_REFRESH: Duration = Duration::seconds(60);

/// What the pane's jobs report.
#[derive(Debug, Clone)]
pub enum HealthLoaded {
    Events {
        view: HealthView,
        result: Result<Answered<Vec<HealthEvent>>, BackendError>,
    },
    OrgAccess(Result<OrgAccess, BackendError>),
    Accounts {
        arn: String,
        result: Result<Answered<Vec<AffectedEntity>>, BackendError>,
        /// The event's text as the first affected account sees it.
        description: Option<String>,
    },
}

/// A line the pane shows after a key did something you cannot see (a copy), or
/// explains why a key did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct HealthPane {
    pub view: HealthView,
    /// The last answer for the current view, as the backend gave it.
    pub events: Slot<Answered<Vec<HealthEvent>>>,
    /// The events shown: this region and global, open/upcoming/recently closed, in
    /// reading order. Derived whenever the answer or the zones change.
    pub shown: Vec<HealthEvent>,
    /// What the AZ pane marks (from the account view; kept while the organization
    /// view is open).
    pub marks: Vec<(String, String)>,
    pub org: Slot<OrgAccess>,
    /// The opened organization event's affected accounts.
    pub accounts: Slot<(String, Answered<Vec<AffectedEntity>>)>,
    /// The opened organization event's text (ARN, description), as the first affected
    /// account sees it.
    pub org_text: Option<(String, String)>,
    pub selected: usize,
    /// The opened event (ARN), if any.
    pub open: Option<String>,
    pub generation: u64,
    pub next_refresh: Option<DateTime<Utc>>,
    /// Polling stopped, and why (no support plan for the Health API).
    pub stopped: Option<String>,
    pub note: Option<Note>,
    clipboard: Option<String>,
}

impl HealthPane {
    /// The region whose events are shown (the header's), once known.
    fn region(shared: &Shared) -> Option<String> {
        shared.identity.get().and_then(|i| i.region.clone())
    }

    /// Recomputes what is shown from the last answer, keeping the selection on the
    /// same event when it is still there.
    pub fn recompute(&mut self, shared: &Shared) {
        let before = self.selected_event().map(|e| e.arn.clone());
        let events = self
            .events
            .get()
            .map(|a| a.data.clone())
            .unwrap_or_default();
        // Until the region is resolved, every region's events show.
        let region = Self::region(shared);
        self.shown = shown(events, region.as_deref(), shared.now);
        if self.view == HealthView::Account && self.events.get().is_some() {
            let zones = shared.zones.get().cloned().unwrap_or_default();
            self.marks = zone_marks(&self.shown, &zones);
        }
        self.selected = before
            .and_then(|arn| self.shown.iter().position(|e| e.arn == arn))
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
        if let Some(arn) = &self.open
            && !self.shown.iter().any(|e| &e.arn == arn)
        {
            self.open = None;
        }
    }

    pub fn selected_event(&self) -> Option<&HealthEvent> {
        self.shown.get(self.selected)
    }

    /// The opened event, if one is open and still shown.
    pub fn opened(&self) -> Option<&HealthEvent> {
        let arn = self.open.as_ref()?;
        self.shown.iter().find(|e| &e.arn == arn)
    }

    /// The entities to show for `e`: its own, or in the organization view the affected
    /// accounts read for it.
    pub fn entities_of<'a>(&'a self, e: &'a HealthEvent) -> &'a [AffectedEntity] {
        if self.view == HealthView::Organization {
            return match self.accounts.get() {
                Some((arn, a)) if *arn == e.arn => &a.data,
                _ => &[],
            };
        }
        &e.entities
    }

    /// The event's description: its own, or in the organization view the one read
    /// when it was opened.
    pub fn description_of<'a>(&'a self, e: &'a HealthEvent) -> Option<&'a str> {
        e.description.as_deref().or(match &self.org_text {
            Some((arn, text)) if *arn == e.arn => Some(text.as_str()),
            _ => None,
        })
    }

    pub fn zone_id(&self, e: &HealthEvent, shared: &Shared) -> Option<String> {
        let zones = ZoneMap::new(shared.zones.get().cloned().unwrap_or_default());
        zone_id_of(e, &zones)
    }

    fn refresh_every(shared: &Shared) -> Duration {
        shared.refresh_every.max(MIN_REFRESH)
    }

    /// Starts a load of the current view (and, once, of the organization status).
    fn load(&mut self, shared: &Shared) -> Vec<Effect> {
        self.generation += 1;
        self.next_refresh = None;
        self.events.start();
        let g = self.generation;
        let view = self.view;
        let now = shared.now;
        let label = match view {
            HealthView::Account => {
                "DescribeEvents + DescribeEventDetails + DescribeAffectedEntities"
            }
            HealthView::Organization => "DescribeEventsForOrganization",
        };
        let mut effects = vec![Effect::Run(Job::new(
            ID,
            "events",
            g,
            label,
            move |s: Services, r| async move {
                r.send(HealthLoaded::Events {
                    view,
                    result: s.health.health_events(view, now).await,
                });
            },
        ))];
        if self.org.at.is_none() && !self.org.loading && self.org.error.is_none() {
            self.org.start();
            effects.push(Effect::Run(Job::new(
                ID,
                "org_access",
                g,
                "DescribeHealthServiceStatusForOrganization",
                |s: Services, r| async move {
                    r.send(HealthLoaded::OrgAccess(
                        s.health.organization_access().await,
                    ));
                },
            )));
        }
        effects
    }

    fn load_accounts(&mut self, arn: String) -> Vec<Effect> {
        self.accounts.start();
        vec![Effect::Run(Job::new(
            ID,
            "accounts",
            self.generation,
            "DescribeAffectedAccountsForOrganization + DescribeEventDetailsForOrganization",
            move |s: Services, r| async move {
                let result = s.health.affected_accounts(&arn).await;
                let first = result
                    .as_ref()
                    .ok()
                    .and_then(|a| a.data.first())
                    .map(|e| e.value.clone());
                let description = match first {
                    // A missing text is not worth an error line: the accounts still show.
                    Some(account) => s
                        .health
                        .organization_event_description(&arn, &account)
                        .await
                        .ok()
                        .flatten(),
                    None => None,
                };
                r.send(HealthLoaded::Accounts {
                    arn,
                    result,
                    description,
                });
            },
        ))]
    }

    /// The first load, once: not again while one is under way, after an answer, an
    /// error (the refresh clock takes over) or when polling stopped.
    fn first_load(&mut self, shared: &Shared) -> Vec<Effect> {
        let asked = self.events.loading || self.events.at.is_some() || self.events.error.is_some();
        if asked || self.stopped.is_some() {
            return Vec::new();
        }
        self.load(shared)
    }

    fn note(&mut self, text: impl Into<String>, shared: &Shared) {
        self.note = Some(Note {
            text: text.into(),
            at: shared.now,
        });
    }

    fn move_by(&mut self, delta: isize) {
        if self.open.is_some() {
            return;
        }
        let n = self.shown.len();
        self.selected =
            (self.selected as isize + delta).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    /// `a`: the list copies the selected event's ARN; an opened event copies its
    /// Markdown summary.
    fn copy(&mut self, shared: &Shared) {
        let (text, what) = match (self.opened(), self.selected_event()) {
            (Some(e), _) => {
                let mut e = e.clone();
                e.entities = self.entities_of(&e).to_vec();
                e.description = self.description_of(&e).map(String::from);
                let zone_id = self.zone_id(&e, shared);
                (
                    markdown(&e, zone_id.as_deref(), shared.local_clock),
                    "event summary (Markdown)",
                )
            }
            (None, Some(e)) => (e.arn.clone(), "event ARN"),
            (None, None) => {
                self.note("nothing to copy: no event selected", shared);
                return;
            }
        };
        self.clipboard = Some(text);
        self.note(
            format!("{what} sent to the terminal clipboard (OSC 52)"),
            shared,
        );
    }

    /// `]` / `[`: account events <-> organization events, when the organization view is
    /// available; else says why not.
    fn switch_view(&mut self, shared: &Shared) -> Vec<Effect> {
        match self.org.get() {
            Some(OrgAccess::Enabled) => {}
            Some(OrgAccess::Unavailable(why)) => {
                let why = why.clone();
                self.note(format!("organization view not available: {why}"), shared);
                return Vec::new();
            }
            None => {
                let why = match &self.org.error {
                    Some((e, _)) => format!("organization view not available: {e}"),
                    None if self.org.loading => {
                        "organization view: still asking AWS Health whether it is enabled".into()
                    }
                    None => "organization view: not known yet".into(),
                };
                self.note(why, shared);
                return Vec::new();
            }
        }
        if self.stopped.is_some() {
            self.note("AWS Health is not available to this account", shared);
            return Vec::new();
        }
        self.view = match self.view {
            HealthView::Account => HealthView::Organization,
            HealthView::Organization => HealthView::Account,
        };
        self.open = None;
        self.selected = 0;
        self.accounts = Slot::default();
        self.org_text = None;
        // The other view's events are not this view's: start from empty.
        self.events = Slot::default();
        self.shown.clear();
        self.note(format!("showing {} events", self.view.label()), shared);
        self.load(shared)
    }
}

impl Pane for HealthPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "AWS Health"
    }

    fn failures(&self) -> Vec<String> {
        self.events
            .error
            .iter()
            .map(|(e, _)| e.to_string())
            .collect()
    }

    fn watch(&mut self, shared: &Shared) -> Vec<Effect> {
        // Health is about the account, not the load balancers: a new watch only needs
        // a first load, and a fresh tie to the zones.
        self.recompute(shared);
        self.first_load(shared)
    }

    fn tick(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.stopped.is_some() || self.events.loading {
            return Vec::new();
        }
        match self.next_refresh {
            Some(t) if shared.now >= t => self.load(shared),
            None => self.first_load(shared),
            _ => Vec::new(),
        }
    }

    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.events.loading {
            return Vec::new();
        }
        // `r` tries again even after NotSubscribed (the plan may have changed); polling
        // resumes once an answer comes.
        self.load(shared)
    }

    fn shared_changed(&mut self, shared: &Shared) -> Vec<Effect> {
        // The zones answer comes early whatever happens to the load balancers: Health
        // starts then, even when no load balancer is watched yet (or none is found).
        self.recompute(shared);
        self.first_load(shared)
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        if msg.generation != self.generation {
            return Vec::new();
        }
        let now = shared.now;
        match msg.take::<HealthLoaded>() {
            Some(HealthLoaded::Events { view, result }) => {
                if view != self.view {
                    return Vec::new();
                }
                if result.is_ok() {
                    self.stopped = None;
                }
                if let Err(BackendError::NotSubscribed { .. }) = &result {
                    self.stopped = Some(
                        "this account's support plan does not include the AWS Health API \
                         (Business, Enterprise On-Ramp or Enterprise needed)"
                            .into(),
                    );
                }
                self.events.finish(result, now);
                if self.stopped.is_none() {
                    self.next_refresh = Some(now + Self::refresh_every(shared));
                }
                self.recompute(shared);
            }
            Some(HealthLoaded::OrgAccess(r)) => self.org.finish(r, now),
            Some(HealthLoaded::Accounts {
                arn,
                result,
                description,
            }) => {
                self.org_text = description.map(|t| (arn.clone(), t));
                self.accounts.finish(result.map(|a| (arn, a)), now)
            }
            None => {}
        }
        Vec::new()
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::DrillDown => {
                if self.open.is_none()
                    && let Some(arn) = self.selected_event().map(|e| e.arn.clone())
                {
                    self.open = Some(arn.clone());
                    if self.view == HealthView::Organization {
                        return Some(self.load_accounts(arn));
                    }
                }
            }
            Action::Act => self.copy(shared),
            Action::NextView | Action::PrevView => return Some(self.switch_view(shared)),
            _ => return None,
        }
        Some(Vec::new())
    }

    fn drill_depth(&self) -> usize {
        usize::from(self.open.is_some())
    }

    fn back(&mut self) -> bool {
        self.open.take().is_some()
    }

    fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    fn selected_id(&self) -> Option<String> {
        self.opened()
            .or_else(|| self.selected_event())
            .map(|e| e.arn.clone())
    }

    fn summary_markdown(&self, shared: &Shared) -> String {
        let mut out = String::from("## AWS Health\n\n");
        if self.shown.is_empty() {
            out.push_str("No open, upcoming or recently closed events.\n");
        }
        for e in &self.shown {
            let mut e = e.clone();
            e.entities = self.entities_of(&e).to_vec();
            e.description = self.description_of(&e).map(String::from);
            let zone_id = self.zone_id(&e, shared);
            out.push_str(&markdown(&e, zone_id.as_deref(), shared.local_clock));
            out.push('\n');
        }
        out
    }

    fn publish(&self, shared: &mut Shared) {
        if shared.health_marks != self.marks {
            shared.health_marks = self.marks.clone();
        }
        let affected: std::collections::BTreeSet<String> = self
            .shown
            .iter()
            .filter(|e| e.status != crate::model::health::EventStatus::Closed)
            .flat_map(|e| self.entities_of(e))
            .map(|en| en.value.clone())
            .collect();
        if shared.health_entities != affected {
            shared.health_entities = affected;
        }
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::health::detail_lines(self, shared)
    }

    fn hints(&self, _shared: &Shared) -> Vec<(Action, &'static str)> {
        if self.stopped.is_some() {
            // Nothing to select or open; `r` (in the global hints) tries again.
            return Vec::new();
        }
        if self.open.is_some() {
            vec![(Action::Act, "copy summary"), (Action::Back, "back")]
        } else {
            vec![
                (Action::DrillDown, "open event"),
                (Action::Act, "copy ARN"),
                (
                    Action::NextView,
                    match self.view {
                        HealthView::Account => "org view",
                        HealthView::Organization => "account view",
                    },
                ),
            ]
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::health::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests;
