//! Pane 2, anomaly bands: is the zone under suspicion abnormal against its own history?
//!
//! It follows the AZ pane's zone (`Shared::focus_zone`, at start the zone the verdict
//! blames) and charts one metric of it with CloudWatch's anomaly-detection band: one
//! GetMetricData call (metric, FIRST and LAST of the band), and the detector's state
//! beside it. Without a band it shows a local estimate, labelled as ours. `]`/`[` pick
//! the metric (latency avg, latency p99, target 5xx, then a typed one), `e` types any
//! metric (completed from ListMetrics), `w`/`+`/`-` the time range, `h`/`right` pan,
//! `k`/`j` the band width, `a` creates a detector (after the router's confirmation;
//! deleted again on exit). Drawing is `ui::bands`.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Confirm, Effect, Shared};
use crate::backend::{BackendError, Partial, Services};
use crate::jobs::{Job, JobMsg, PaneId};
use crate::model::bands::{
    BandChart, BandMetric, BandQuery, BandSource, CustomMetric, DetectorState, ESTIMATE_DAYS,
    ESTIMATE_NEIGHBOURS, Preset, RANGES_MINUTES, WIDTHS, local_estimate, period_for,
};
use crate::model::text::clean;
use chrono::{DateTime, Duration, DurationRound, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;

pub const ID: PaneId = "bands";

/// One job kind per detector grayscope may create in a session: a newer job of the
/// same kind would cancel the older one and run its cleanup (deleting its detector).
const DETECTOR_KINDS: [&str; 8] = [
    "create_detector_1",
    "create_detector_2",
    "create_detector_3",
    "create_detector_4",
    "create_detector_5",
    "create_detector_6",
    "create_detector_7",
    "create_detector_8",
];

/// Most metrics one ListMetrics listing keeps for completion.
const LIST_LIMIT: usize = 2000;

/// What the pane's jobs report.
#[derive(Debug, Clone)]
pub enum BandsLoaded {
    Chart(Result<BandChart, BackendError>),
    Detector(Result<DetectorState, BackendError>),
    Listed {
        namespace: String,
        result: Result<Partial<Vec<CustomMetric>>, BackendError>,
    },
    Created {
        metric: BandMetric,
        result: Result<(), BackendError>,
    },
}

/// The metric picker's typed line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub text: String,
    /// Why the last Enter was refused.
    pub error: Option<String>,
    /// Tab's position among the matches.
    pub tab: usize,
    /// What was typed before the first Tab: Tab cycles through its matches.
    pub base: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BandsPane {
    /// Which preset `]`/`[` are on; `None`: the typed metric.
    pub preset: Option<Preset>,
    pub custom: Option<CustomMetric>,
    /// Index into [`RANGES_MINUTES`].
    pub range: usize,
    /// Minutes the chart ends before now (pan).
    pub pan_minutes: i64,
    /// Index into [`WIDTHS`].
    pub width: usize,
    /// The zone charted (followed from the AZ pane); `None`: the whole load balancer.
    pub zone: Option<String>,
    pub chart: Slot<BandChart>,
    pub detector: Slot<DetectorState>,
    /// ListMetrics for the namespace being typed.
    pub listed: Slot<Vec<CustomMetric>>,
    pub listed_namespace: Option<String>,
    pub list_problems: Vec<BackendError>,
    pub input: Option<Input>,
    pub confirm: Option<Confirm>,
    /// The metric the open confirmation is about.
    pub confirming: Option<BandMetric>,
    /// Detectors grayscope created this session (deleted again on exit).
    pub created: Vec<BandMetric>,
    /// One line of news for the user: a read-only explanation, a create result.
    pub notice: Option<String>,
    pub generation: u64,
    pub next_refresh: Option<DateTime<Utc>>,
    /// Braille (else ASCII) and colour (off with NO_COLOR).
    pub braille: bool,
    pub color: bool,
    /// When the blamed zone changed while watching (time, the zone blamed from then).
    pub verdict_marks: Vec<(DateTime<Utc>, Option<String>)>,
    last_blamed: Option<Option<String>>,
    /// When watching began: changes in the first refresh interval are the first
    /// verdict arriving, not the verdict changing.
    watched_at: Option<DateTime<Utc>>,
}

impl Default for BandsPane {
    fn default() -> Self {
        Self {
            preset: Some(Preset::LatencyAvg),
            custom: None,
            range: 0,
            pan_minutes: 0,
            width: 2,
            zone: None,
            chart: Slot::default(),
            detector: Slot::default(),
            listed: Slot::default(),
            listed_namespace: None,
            list_problems: Vec::new(),
            input: None,
            confirm: None,
            confirming: None,
            created: Vec::new(),
            notice: None,
            generation: 0,
            next_refresh: None,
            braille: braille_from_env(),
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            verdict_marks: Vec::new(),
            last_blamed: None,
            watched_at: None,
        }
    }
}

/// Braille needs a UTF-8 locale: the first of LC_ALL, LC_CTYPE, LANG that is set
/// decides; with none set, assume a modern terminal. `GRAYSCOPE_ASCII=1` forces ASCII.
fn braille_from_env() -> bool {
    if std::env::var_os("GRAYSCOPE_ASCII").is_some_and(|v| !v.is_empty() && v != "0") {
        return false;
    }
    for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Ok(v) = std::env::var(name)
            && !v.is_empty()
        {
            return locale_is_utf8(&v);
        }
    }
    true
}

pub fn locale_is_utf8(locale: &str) -> bool {
    let l = locale.to_ascii_lowercase();
    l.contains("utf-8") || l.contains("utf8")
}

impl BandsPane {
    /// The metric charted now, if there is a load balancer (or a typed metric).
    pub fn metric(&self, shared: &Shared) -> Option<BandMetric> {
        match self.preset {
            Some(preset) => {
                let lb = shared.selected.first()?;
                Some(BandMetric::Preset {
                    preset,
                    lb_dimension: lb.metric_dimension()?.to_string(),
                    lb_name: lb.name.clone(),
                    zone: self.zone.clone(),
                })
            }
            None => self.custom.clone().map(BandMetric::Custom),
        }
    }

    pub fn band_width(&self) -> f64 {
        WIDTHS[self.width.min(WIDTHS.len() - 1)]
    }

    pub fn range_minutes(&self) -> i64 {
        RANGES_MINUTES[self.range.min(RANGES_MINUTES.len() - 1)]
    }

    /// The query for the chart at `now`.
    pub fn query(&self, shared: &Shared) -> Option<BandQuery> {
        let metric = self.metric(shared)?;
        let now = shared.now;
        let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now)
            - Duration::minutes(self.pan_minutes);
        let start = end - Duration::minutes(self.range_minutes());
        // The period must also be valid for the history the local estimate reads.
        let oldest = start - Duration::days(ESTIMATE_DAYS as i64);
        let period = period_for(oldest, end, now, 3);
        let start = start
            .duration_trunc(Duration::seconds(period))
            .unwrap_or(start);
        Some(BandQuery {
            metric,
            start,
            end,
            period_secs: period,
            width: self.band_width(),
        })
    }

    pub fn is_loading(&self) -> bool {
        self.chart.loading || self.detector.loading
    }

    /// Starts the chart and the detector state for what is selected now.
    fn load(&mut self, shared: &Shared) -> Vec<Effect> {
        let Some(q) = self.query(shared) else {
            return Vec::new();
        };
        self.generation += 1;
        self.next_refresh = None;
        self.chart.start();
        self.detector.start();
        let g = self.generation;
        let metric = q.metric.clone();
        vec![
            Effect::Run(Job::new(
                ID,
                "chart",
                g,
                "GetMetricData: metric + ANOMALY_DETECTION_BAND",
                move |s: Services, r| async move {
                    r.send(BandsLoaded::Chart(load_chart(&s, &q).await));
                },
            )),
            Effect::Run(Job::new(
                ID,
                "detector",
                g,
                "DescribeAnomalyDetectors",
                move |s: Services, r| async move {
                    r.send(BandsLoaded::Detector(s.bands.detector(&metric).await));
                },
            )),
        ]
    }

    /// What is charted changed (metric, zone): the old chart would mislead, drop it.
    fn switch(&mut self, shared: &Shared) -> Vec<Effect> {
        self.chart = Slot::default();
        self.detector = Slot::default();
        self.notice = None;
        self.load(shared)
    }

    fn cycle_view(&mut self, forward: bool, shared: &Shared) -> Vec<Effect> {
        let mut views: Vec<Option<Preset>> = Preset::ALL.iter().copied().map(Some).collect();
        if self.custom.is_some() {
            views.push(None);
        }
        let i = views.iter().position(|v| *v == self.preset).unwrap_or(0);
        let n = views.len();
        self.preset = views[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.switch(shared)
    }

    /// `a`: offer to create a detector for the charted metric when it has none.
    fn act(&mut self, shared: &Shared) {
        let Some(metric) = self.metric(shared) else {
            return;
        };
        let what = clean(&metric.label());
        match self.detector.get() {
            Some(DetectorState::NoModel) => {}
            Some(state) => {
                self.notice = Some(format!(
                    "nothing to create: CloudWatch has a model for {what} ({})",
                    state.words()
                ));
                return;
            }
            None => {
                self.notice = Some(match &self.detector.error {
                    Some((e, _)) => {
                        format!("cannot tell whether a model exists, so nothing is created: {e}")
                    }
                    None => "the model's state is not known yet; try again in a moment".into(),
                });
                return;
            }
        }
        if self.created.contains(&metric) {
            self.notice = Some(format!("already created for {what}; it is training"));
            return;
        }
        if shared.read_only {
            self.notice = Some(format!(
                "read-only: `a` would create an anomaly detector for {what} \
                 (PutAnomalyDetector); start without --read-only to create it"
            ));
            return;
        }
        if self.created.len() >= DETECTOR_KINDS.len() {
            self.notice = Some(format!(
                "grayscope creates at most {} detectors per session",
                DETECTOR_KINDS.len()
            ));
            return;
        }
        self.confirming = Some(metric);
        self.confirm = Some(Confirm {
            pane: ID,
            id: self.created.len() as u64,
            title: "Create an anomaly detector?".into(),
            lines: vec![
                format!("Creates: a CloudWatch anomaly-detection model for {what}."),
                "Call: PutAnomalyDetector (cloudwatch:PutAnomalyDetector).".into(),
                "It trains for about 15 minutes before CloudWatch draws a band;".into(),
                "until then this pane shows its own local estimate.".into(),
                "Cost: billed per CloudWatch's anomaly-detection pricing while it exists.".into(),
                "Cleanup: grayscope deletes it again when it exits (its training is lost).".into(),
            ],
            yes: "create".into(),
            typed: None,
            entered: String::new(),
        });
    }

    fn create(&mut self, metric: BandMetric) -> Vec<Effect> {
        let kind = DETECTOR_KINDS[self.created.len().min(DETECTOR_KINDS.len() - 1)];
        self.created.push(metric.clone());
        self.notice = Some(format!(
            "creating a detector for {}...",
            clean(&metric.label())
        ));
        let g = self.generation;
        vec![Effect::Run(Job::new(
            ID,
            kind,
            g,
            "PutAnomalyDetector (deleted on exit)",
            move |s: Services, r| async move {
                // Registered before the call, so an exit during it still deletes.
                let to_delete = metric.clone();
                let cleanup = r.on_cancel(
                    format!("DeleteAnomalyDetector {}", to_delete.label()),
                    move |s: Services| async move {
                        if let Err(e) = s.bands.delete_detector(&to_delete).await {
                            tracing::warn!(error = %e, "could not delete the anomaly detector");
                        }
                    },
                );
                let result = s.bands.create_detector(&metric).await;
                if result.is_err() {
                    r.disarm(cleanup);
                }
                r.send(BandsLoaded::Created { metric, result });
            },
        ))]
    }

    /// The metrics that complete what is typed (namespace listed, name and dimensions
    /// matched by prefix).
    pub fn completions(&self) -> Vec<String> {
        let Some(input) = &self.input else {
            return Vec::new();
        };
        let typed = input.base.as_deref().unwrap_or(&input.text).trim_start();
        let Some(list) = self.listed.get() else {
            return Vec::new();
        };
        let mut out: Vec<String> = list
            .iter()
            .map(|m| {
                let mut t = m.text();
                // The listed statistic is only a default: complete without it.
                t.truncate(t.len() - m.stat.len() - 1);
                t
            })
            .filter(|t| t.starts_with(typed) && t.len() > typed.len())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn on_input_key(&mut self, key: KeyEvent, shared: &Shared) -> Vec<Effect> {
        let Some(input) = &mut self.input else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.input = None;
                return Vec::new();
            }
            KeyCode::Enter => match CustomMetric::parse(&input.text) {
                Ok(m) => {
                    self.custom = Some(m);
                    self.preset = None;
                    self.input = None;
                    return self.switch(shared);
                }
                Err(e) => input.error = Some(e),
            },
            KeyCode::Tab => {
                let choices = self.completions();
                if let (Some(input), false) = (&mut self.input, choices.is_empty()) {
                    if input.base.is_none() {
                        input.base = Some(input.text.clone());
                    }
                    input.text = format!("{} ", choices[input.tab % choices.len()]);
                    input.tab += 1;
                    input.error = None;
                }
                return Vec::new();
            }
            KeyCode::Backspace => {
                input.text.pop();
                input.tab = 0;
                input.base = None;
                input.error = None;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.text.clear();
                input.tab = 0;
                input.base = None;
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.input = None;
                return Vec::new();
            }
            KeyCode::Char(c) if !c.is_control() && input.text.chars().count() < 400 => {
                input.text.push(c);
                input.tab = 0;
                input.base = None;
                input.error = None;
            }
            _ => {}
        }
        self.list_namespace_if_typed()
    }

    /// Once a namespace is typed (followed by a space), lists its metrics once.
    fn list_namespace_if_typed(&mut self) -> Vec<Effect> {
        let Some(input) = &self.input else {
            return Vec::new();
        };
        let Some((ns, _)) = input.text.trim_start().split_once(' ') else {
            return Vec::new();
        };
        if ns.is_empty() || self.listed_namespace.as_deref() == Some(ns) {
            return Vec::new();
        }
        let namespace = ns.to_string();
        self.listed_namespace = Some(namespace.clone());
        self.listed = Slot::default();
        self.listed.start();
        let g = self.generation;
        vec![Effect::Run(Job::new(
            ID,
            "list_metrics",
            g,
            "ListMetrics",
            move |s: Services, r| async move {
                let result = s.bands.list_metrics(&namespace, LIST_LIMIT).await;
                r.send(BandsLoaded::Listed { namespace, result });
            },
        ))]
    }

    /// Records a change of the blamed zone, for the markers on the time axis.
    fn note_verdict(&mut self, shared: &Shared) {
        let blamed = shared.blamed_zone.clone();
        let settling = self
            .watched_at
            .is_none_or(|t| shared.now < t + shared.refresh_every);
        match &self.last_blamed {
            None => {}
            Some(prev) if *prev == blamed => {}
            Some(_) if settling => {}
            Some(_) => {
                self.verdict_marks.push((shared.now, blamed.clone()));
                if self.verdict_marks.len() > 50 {
                    self.verdict_marks.remove(0);
                }
            }
        }
        self.last_blamed = Some(blamed);
    }
}

/// The chart, and when CloudWatch has no band, the local estimate from history.
pub async fn load_chart(s: &Services, q: &BandQuery) -> Result<BandChart, BackendError> {
    let mut chart = s.bands.band_chart(q).await?;
    if chart.has_band() {
        return Ok(chart);
    }
    match s.bands.history(q, ESTIMATE_DAYS).await {
        Ok(history) => {
            let (lower, upper, days) = local_estimate(q, &history, ESTIMATE_NEIGHBOURS);
            if lower.iter().any(Option::is_some) {
                chart.lower = lower;
                chart.upper = upper;
                chart.source = BandSource::LocalEstimate { days };
            } else {
                chart
                    .messages
                    .push("too little history for a local estimate".into());
            }
        }
        Err(e) => chart
            .messages
            .push(format!("local estimate unavailable: {e}")),
    }
    Ok(chart)
}

impl Pane for BandsPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Anomaly bands"
    }

    fn failures(&self) -> Vec<String> {
        let errors = [self.chart.error.as_ref(), self.detector.error.as_ref()];
        errors
            .into_iter()
            .flatten()
            .map(|(e, _)| e.to_string())
            .collect()
    }

    fn watch(&mut self, shared: &Shared) -> Vec<Effect> {
        self.watched_at = Some(shared.now);
        self.zone = shared.focus_zone.clone().or(shared.blamed_zone.clone());
        self.switch(shared)
    }

    fn tick(&mut self, shared: &Shared) -> Vec<Effect> {
        match self.next_refresh {
            Some(t) if shared.now >= t && !self.is_loading() => self.load(shared),
            _ => Vec::new(),
        }
    }

    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.is_loading() {
            return Vec::new();
        }
        self.load(shared)
    }

    fn shared_changed(&mut self, shared: &Shared) -> Vec<Effect> {
        self.note_verdict(shared);
        let zone = shared.focus_zone.clone().or(shared.blamed_zone.clone());
        if zone == self.zone || shared.selected.is_empty() {
            return Vec::new();
        }
        self.zone = zone;
        if self.preset.is_some() {
            self.switch(shared)
        } else {
            Vec::new()
        }
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        let now = shared.now;
        let current = msg.generation == self.generation;
        match msg.take::<BandsLoaded>() {
            Some(BandsLoaded::Chart(r)) if current => self.chart.finish(r, now),
            Some(BandsLoaded::Detector(r)) if current => self.detector.finish(r, now),
            Some(BandsLoaded::Listed { namespace, result }) => {
                if self.listed_namespace.as_deref() == Some(namespace.as_str()) {
                    let r = result.map(|p| {
                        self.list_problems = p.problems;
                        p.data
                    });
                    self.listed.finish(r, now);
                }
                return Vec::new();
            }
            Some(BandsLoaded::Created { metric, result }) => {
                let what = clean(&metric.label());
                match result {
                    Ok(()) => {
                        self.notice = Some(format!(
                            "created a detector for {what}: a band in ~15 min; deleted on exit"
                        ));
                        if self.metric(shared).as_ref() == Some(&metric) && !self.is_loading() {
                            return self.load(shared);
                        }
                    }
                    Err(e) => {
                        self.created.retain(|m| *m != metric);
                        self.notice = Some(format!("could not create a detector for {what}: {e}"));
                    }
                }
                return Vec::new();
            }
            _ => return Vec::new(),
        }
        if !self.is_loading() {
            self.next_refresh = Some(now + shared.refresh_every);
        }
        Vec::new()
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        let effects = match action {
            Action::NextView => self.cycle_view(true, shared),
            Action::PrevView => self.cycle_view(false, shared),
            Action::CycleWindow => {
                self.range = (self.range + 1) % RANGES_MINUTES.len();
                self.load(shared)
            }
            Action::ZoomIn if self.range > 0 => {
                self.range -= 1;
                self.load(shared)
            }
            Action::ZoomOut if self.range + 1 < RANGES_MINUTES.len() => {
                self.range += 1;
                self.load(shared)
            }
            Action::Left => {
                // Half a range back; CloudWatch keeps 1-minute data 15 days, bands 14.
                let step = (self.range_minutes() / 2).max(1);
                self.pan_minutes = (self.pan_minutes + step).min(14 * 1440);
                self.load(shared)
            }
            Action::Right if self.pan_minutes > 0 => {
                let step = (self.range_minutes() / 2).max(1);
                self.pan_minutes = (self.pan_minutes - step).max(0);
                self.load(shared)
            }
            Action::Up if self.width + 1 < WIDTHS.len() => {
                self.width += 1;
                self.load(shared)
            }
            Action::Down if self.width > 0 => {
                self.width -= 1;
                self.load(shared)
            }
            Action::Edit => {
                self.input = Some(Input {
                    text: self.custom.as_ref().map(|c| c.text()).unwrap_or_default(),
                    ..Input::default()
                });
                self.list_namespace_if_typed()
            }
            Action::Act => {
                self.act(shared);
                Vec::new()
            }
            Action::ZoomIn | Action::ZoomOut | Action::Right | Action::Up | Action::Down => {
                Vec::new()
            }
            _ => return None,
        };
        Some(effects)
    }

    fn text_input(&self) -> bool {
        self.input.is_some()
    }

    fn on_key(&mut self, key: KeyEvent, shared: &Shared) -> Vec<Effect> {
        self.on_input_key(key, shared)
    }

    fn take_confirm(&mut self) -> Option<Confirm> {
        self.confirm.take()
    }

    fn confirmed(&mut self, _id: u64, yes: bool, shared: &Shared) -> Vec<Effect> {
        let Some(metric) = self.confirming.take() else {
            return Vec::new();
        };
        if !yes || shared.read_only {
            self.notice = Some("nothing created".into());
            return Vec::new();
        }
        self.create(metric)
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::bands::detail_lines(self, shared)
    }

    fn hints(&self, shared: &Shared) -> Vec<(Action, &'static str)> {
        let mut h = vec![
            (Action::NextView, "metric"),
            (Action::CycleWindow, "range"),
            (Action::Edit, "any metric"),
        ];
        if matches!(self.detector.get(), Some(DetectorState::NoModel)) {
            h.push((
                Action::Act,
                if shared.read_only {
                    "detector (read-only)"
                } else {
                    "create detector"
                },
            ));
        }
        h.extend([
            (Action::Left, "earlier"),
            (Action::Up, "wider band"),
            (Action::Down, "narrower"),
        ]);
        h
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::bands::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{App, Mode};
    use crate::keymap::Keymap;
    use chrono::TimeZone;

    fn app() -> App {
        let t0 = Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
            .single()
            .expect("t");
        App::with_panes(
            Mode::Demo,
            Keymap::defaults(),
            vec![],
            Duration::seconds(30),
            t0,
            vec![Box::new(BandsPane::default())],
        )
    }

    #[test]
    fn verdict_changes_are_marked_once_the_first_verdict_has_settled() {
        let mut a = app();
        let t0 = a.shared.now;
        let mut p = BandsPane::default();
        p.watch(&a.shared);
        p.shared_changed(&a.shared);
        // The first verdict arriving is not a change of verdict.
        a.shared.now = t0 + Duration::seconds(5);
        a.shared.blamed_zone = Some("us-east-1b".into());
        p.shared_changed(&a.shared);
        assert!(p.verdict_marks.is_empty());
        // A change later in the session is.
        a.shared.now = t0 + Duration::minutes(4);
        a.shared.blamed_zone = None;
        p.shared_changed(&a.shared);
        assert_eq!(p.verdict_marks, vec![(a.shared.now, None)]);
        a.shared.now = t0 + Duration::minutes(5);
        p.shared_changed(&a.shared);
        assert_eq!(p.verdict_marks.len(), 1, "no change, no mark");
    }

    #[test]
    fn act_without_a_known_model_says_why_nothing_is_created() {
        let a = app();
        let mut p = BandsPane {
            preset: None,
            custom: Some(CustomMetric::parse("AWS/EC2 CPUUtilization").expect("m")),
            ..BandsPane::default()
        };
        p.act(&a.shared);
        assert!(p.confirm.is_none());
        assert!(p.notice.as_deref().unwrap_or("").contains("not known yet"));
        p.detector.finish(
            Err(BackendError::AccessDenied {
                operation: "DescribeAnomalyDetectors".into(),
                message: "no".into(),
            }),
            a.shared.now,
        );
        p.act(&a.shared);
        assert!(p.confirm.is_none());
        let n = p.notice.clone().unwrap_or_default();
        assert!(
            n.contains("cannot tell") && n.contains("DescribeAnomalyDetectors"),
            "{n}"
        );
        p.detector.finish(Ok(DetectorState::Trained), a.shared.now);
        p.act(&a.shared);
        assert!(p.confirm.is_none());
        assert!(
            p.notice
                .as_deref()
                .unwrap_or("")
                .contains("nothing to create")
        );
        p.detector.finish(Ok(DetectorState::NoModel), a.shared.now);
        p.act(&a.shared);
        assert!(p.take_confirm().is_some());
    }

    #[test]
    fn utf8_locales_allow_braille() {
        assert!(locale_is_utf8("en_US.UTF-8"));
        assert!(locale_is_utf8("C.utf8"));
        assert!(!locale_is_utf8("C"));
        assert!(!locale_is_utf8("POSIX"));
    }
}
