//! The Reachability Analyzer drill-down (id `reach`, opened over the flow-log pane on a
//! row; not in the registry). On open it resolves both ends to their interfaces; `a`
//! asks (through the router's confirmation) to create a Network Insights path (or
//! reuse one grayscope created with the same parameters) and run one billed analysis,
//! then polls it with visible progress and keeps every result in a session history.
//! Closing the view (Esc) cancels its jobs, whose cleanup deletes the analyses it ran
//! and the path it created; the jobs layer runs the same cleanup on every exit.
//! Drawing is `ui::reach`; the words `model::reach`.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Confirm, Effect, Shared};
use crate::backend::paths::AnalysisRef;
use crate::backend::{BackendError, Services};
use crate::jobs::{Job, JobMsg, PaneId};
use crate::model::reach::{
    Analysis, AnalysisStatus, Endpoint, PathSpec, ReachRequest, delete_commands, explain, verdict,
};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;
use std::sync::{Arc, Mutex};

pub const ID: PaneId = "reach";
/// What one analysis costs (Amazon VPC pricing, Network Analysis: Reachability Analyzer
/// is charged per analysis run, USD 0.10 in every commercial region at the time of
/// writing).
pub const PRICE_PER_ANALYSIS: &str = "$0.10";
/// Polls after which a still-running analysis is given up (and deleted on close).
pub const MAX_POLLS: u32 = 90;

/// Opens the view on a pair (the flow-log pane calls this on Enter).
pub fn open(request: ReachRequest) -> Box<dyn Pane> {
    Box::new(ReachView::new(request))
}

/// Where the run under way is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    FindingPath,
    Starting,
    Analysing { polls: u32 },
}

impl Stage {
    pub fn label(&self) -> String {
        match self {
            Stage::FindingPath => "finding or creating the path".into(),
            Stage::Starting => "starting the analysis".into(),
            Stage::Analysing { polls } => format!("analysis running (poll {polls})"),
        }
    }
}

/// A run under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub started: DateTime<Utc>,
    pub stage: Stage,
    pub analysis: Option<AnalysisRef>,
}

/// A finished run in the session history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub at: DateTime<Utc>,
    pub seconds: i64,
    pub analysis: Analysis,
}

/// What the view's jobs report.
#[derive(Debug, Clone)]
pub enum ReachMsg {
    Source(Result<Option<Endpoint>, BackendError>),
    Destination(Result<Option<Endpoint>, BackendError>),
    PathReady { id: String, reused: bool },
    Started(AnalysisRef),
    Polled { polls: u32 },
    Done(Analysis),
    Failed(BackendError),
}

pub struct ReachView {
    pub request: ReachRequest,
    pub source: Slot<Option<Endpoint>>,
    pub destination: Slot<Option<Endpoint>>,
    pub path_id: Option<String>,
    pub path_reused: bool,
    pub run: Option<Run>,
    /// Finished runs, newest first.
    pub history: Vec<Finished>,
    pub selected: usize,
    /// The last error of a run, with when it happened.
    pub error: Option<(BackendError, DateTime<Utc>)>,
    /// What `a` would do, said instead of doing it (read-only, not ready).
    pub notice: Option<String>,
    /// Analyses started in this view, for the cleanup (shared with the path job's).
    pub analysis_ids: Arc<Mutex<Vec<String>>>,
    asked: bool,
    pub generation: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ReachView {
    pub fn new(request: ReachRequest) -> Self {
        Self {
            request,
            source: Slot::default(),
            destination: Slot::default(),
            path_id: None,
            path_reused: false,
            run: None,
            history: Vec::new(),
            selected: 0,
            error: None,
            notice: None,
            analysis_ids: Arc::default(),
            asked: false,
            generation: 0,
        }
    }

    /// The result shown: the selected one of the history.
    pub fn shown(&self) -> Option<&Finished> {
        self.history.get(self.selected)
    }

    /// The path to analyse, once both ends are interfaces and the protocol is one
    /// Reachability Analyzer takes; else why not, in words.
    pub fn spec(&self) -> Result<PathSpec, String> {
        let Some(protocol) = self.request.protocol_name() else {
            return Err(format!(
                "Reachability Analyzer checks tcp and udp only; this row is protocol {}",
                self.request.protocol.unwrap_or_default()
            ));
        };
        let end = |slot: &Slot<Option<Endpoint>>, what: &str, addr: &str| match slot.get() {
            Some(Some(e)) => Ok(e.interface_id.clone()),
            Some(None) => Err(format!(
                "the {what} {addr} is no network interface in this account and region (an internet address?): an analysis needs an interface at both ends"
            )),
            None if slot.loading => Err(format!("the {what} is still being looked up")),
            None => Err(format!("the {what} could not be looked up; r tries again")),
        };
        Ok(PathSpec {
            source: end(&self.source, "source", &self.request.src)?,
            destination: end(&self.destination, "destination", &self.request.dst)?,
            protocol: protocol.to_string(),
            port: self.request.dst_port,
        })
    }

    /// What a run creates and costs, one fact a line (the confirmation and read-only).
    pub fn what_it_does(&self, spec: &PathSpec) -> Vec<String> {
        let port = spec.port.map(|p| format!("/{p}")).unwrap_or_default();
        let path = match &self.path_id {
            Some(id) => format!(
                "Reuses Network Insights path {id} ({} -> {} {}{port}).",
                spec.source, spec.destination, spec.protocol
            ),
            None => format!(
                "Creates a Network Insights path {} -> {} {}{port} tagged created-by=grayscope (or reuses one grayscope made with the same parameters).",
                spec.source, spec.destination, spec.protocol
            ),
        };
        vec![
            path,
            format!(
                "Runs one analysis of it: billed per analysis, {PRICE_PER_ANALYSIS} each (Amazon VPC pricing, Network Analysis)."
            ),
            "It models the configuration; no packet is sent.".into(),
            "Both are deleted when this view closes (Esc) or grayscope exits.".into(),
        ]
    }

    fn resolve(&mut self) -> Vec<Effect> {
        if self.source.loading || self.destination.loading {
            return Vec::new();
        }
        self.source.start();
        self.destination.start();
        let g = self.generation;
        let src = self
            .request
            .src_interface
            .clone()
            .unwrap_or_else(|| self.request.src.clone());
        let dst = self
            .request
            .dst_interface
            .clone()
            .unwrap_or_else(|| self.request.dst.clone());
        vec![Effect::Run(Job::new(
            ID,
            "resolve",
            g,
            "DescribeNetworkInterfaces for both ends",
            move |s: Services, r| async move {
                let (a, b) = futures::join!(s.reach.interface(&src), s.reach.interface(&dst));
                r.send(ReachMsg::Source(a));
                r.send(ReachMsg::Destination(b));
            },
        ))]
    }

    /// Finds or creates the path; its cleanup deletes this view's analyses, then the
    /// path if this view created it.
    fn path_job(&self, spec: PathSpec) -> Effect {
        let ids = self.analysis_ids.clone();
        Effect::Run(Job::new(
            ID,
            "path",
            self.generation,
            "DescribeNetworkInsightsPaths or CreateNetworkInsightsPath",
            move |s: Services, r| async move {
                let found = match s.reach.find_path(&spec).await {
                    Ok(found) => found,
                    Err(e) => {
                        r.send(ReachMsg::Failed(e));
                        return;
                    }
                };
                let (id, reused) = match found {
                    Some(id) => (id, true),
                    None => match s.reach.create_path(&spec).await {
                        Ok(id) => (id, false),
                        Err(e) => {
                            r.send(ReachMsg::Failed(e));
                            return;
                        }
                    },
                };
                let path = (!reused).then(|| id.clone());
                r.on_cancel(
                    format!("delete the Reachability analyses and path {id}"),
                    move |s: Services| async move { cleanup(s, ids, path).await },
                );
                r.send(ReachMsg::PathReady { id, reused });
            },
        ))
    }

    fn analysis_job(&self, path_id: String) -> Effect {
        let ids = self.analysis_ids.clone();
        Effect::Run(Job::new(
            ID,
            "analysis",
            self.generation,
            "StartNetworkInsightsAnalysis, then DescribeNetworkInsightsAnalyses until done",
            move |s: Services, r| async move {
                let started = match s.reach.start_analysis(&path_id).await {
                    Ok(a) => a,
                    Err(e) => {
                        r.send(ReachMsg::Failed(e));
                        return;
                    }
                };
                lock(&ids).push(started.id.clone());
                r.send(ReachMsg::Started(started.clone()));
                let every = s.reach.poll_every();
                for polls in 1..=MAX_POLLS {
                    match s.reach.analysis(&started.id).await {
                        Ok(a) if a.status != AnalysisStatus::Running => {
                            r.send(ReachMsg::Done(a));
                            return;
                        }
                        Ok(_) => {
                            r.send(ReachMsg::Polled { polls });
                        }
                        // A throttled poll is tried again at the next one.
                        Err(BackendError::Throttled { .. }) => {}
                        Err(e) => {
                            r.send(ReachMsg::Failed(e));
                            return;
                        }
                    }
                    tokio::time::sleep(every).await;
                }
                r.send(ReachMsg::Failed(BackendError::Other(format!(
                    "analysis {} still running after {MAX_POLLS} polls; it is deleted when this view closes",
                    started.id
                ))));
            },
        ))
    }

    fn start_run(&mut self, shared: &Shared) -> Vec<Effect> {
        let spec = match self.spec() {
            Ok(s) => s,
            Err(why) => {
                self.notice = Some(why);
                return Vec::new();
            }
        };
        self.error = None;
        self.notice = None;
        self.run = Some(Run {
            started: shared.now,
            stage: if self.path_id.is_some() {
                Stage::Starting
            } else {
                Stage::FindingPath
            },
            analysis: None,
        });
        match &self.path_id {
            Some(p) => vec![self.analysis_job(p.clone())],
            None => vec![self.path_job(spec)],
        }
    }

    fn act(&mut self, shared: &Shared) {
        if self.run.is_some() {
            self.notice = Some("an analysis is under way; wait for its result".into());
            return;
        }
        let spec = match self.spec() {
            Ok(s) => s,
            Err(why) => {
                self.notice = Some(format!("cannot analyse: {why}"));
                return;
            }
        };
        if shared.read_only {
            self.notice = Some(format!(
                "read-only: nothing was sent. Without --read-only, a would: {}",
                self.what_it_does(&spec).join(" ")
            ));
            return;
        }
        self.notice = None;
        self.asked = true;
    }

    /// The ids this view created and that its cleanup deletes, as aws CLI lines.
    pub fn leftovers(&self) -> Vec<String> {
        let ids = lock(&self.analysis_ids).clone();
        let path = (!self.path_reused)
            .then_some(self.path_id.as_deref())
            .flatten();
        delete_commands(&ids, path)
    }
}

/// Deletes the analyses, then the path (a path with analyses cannot go). A failure is
/// logged with the ids that remain and the aws CLI lines that delete them.
pub async fn cleanup(s: Services, ids: Arc<Mutex<Vec<String>>>, path: Option<String>) {
    let analyses = lock(&ids).clone();
    let mut remaining = Vec::new();
    for a in &analyses {
        if let Err(e) = s.reach.delete_analysis(a).await {
            tracing::warn!(analysis = %a, error = %e, "could not delete a Reachability analysis");
            remaining.push(a.clone());
        }
    }
    let mut path_left = None;
    if let Some(p) = &path
        && let Err(e) = s.reach.delete_path(p).await
    {
        tracing::warn!(path = %p, error = %e, "could not delete a Network Insights path");
        path_left = Some(p.as_str());
    }
    if !remaining.is_empty() || path_left.is_some() {
        tracing::warn!(
            commands = %delete_commands(&remaining, path_left).join("; "),
            "Reachability resources remain; delete them with"
        );
    }
}

impl Pane for ReachView {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Reachability"
    }

    fn watch(&mut self, _shared: &Shared) -> Vec<Effect> {
        // One generation for the view's life: a run under way keeps its reports.
        self.generation = self.generation.max(1);
        self.resolve()
    }

    fn tick(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    fn refresh(&mut self, _shared: &Shared) -> Vec<Effect> {
        self.resolve()
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        if msg.generation != self.generation {
            return Vec::new();
        }
        let Some(m) = msg.take::<ReachMsg>() else {
            return Vec::new();
        };
        let now = shared.now;
        match m {
            ReachMsg::Source(r) => self.source.finish(r, now),
            ReachMsg::Destination(r) => self.destination.finish(r, now),
            ReachMsg::PathReady { id, reused } => {
                self.path_id = Some(id.clone());
                self.path_reused = reused;
                if let Some(run) = &mut self.run {
                    run.stage = Stage::Starting;
                }
                return vec![self.analysis_job(id)];
            }
            ReachMsg::Started(a) => {
                if let Some(run) = &mut self.run {
                    run.stage = Stage::Analysing { polls: 0 };
                    run.analysis = Some(a);
                }
            }
            ReachMsg::Polled { polls } => {
                if let Some(run) = &mut self.run {
                    run.stage = Stage::Analysing { polls };
                }
            }
            ReachMsg::Done(a) => {
                let started = self.run.take().map(|r| r.started).unwrap_or(now);
                self.history.insert(
                    0,
                    Finished {
                        at: now,
                        seconds: (now - started).num_seconds().max(0),
                        analysis: a,
                    },
                );
                self.selected = 0;
            }
            ReachMsg::Failed(e) => {
                self.run = None;
                self.error = Some((e, now));
            }
        }
        Vec::new()
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        match action {
            Action::Act => {
                self.act(shared);
                Some(Vec::new())
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Some(Vec::new())
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.history.len().saturating_sub(1));
                Some(Vec::new())
            }
            Action::Top => {
                self.selected = 0;
                Some(Vec::new())
            }
            Action::Bottom => {
                self.selected = self.history.len().saturating_sub(1);
                Some(Vec::new())
            }
            Action::Refresh => Some(self.resolve()),
            _ => None,
        }
    }

    fn take_confirm(&mut self) -> Option<Confirm> {
        if !std::mem::take(&mut self.asked) {
            return None;
        }
        let spec = self.spec().ok()?;
        Some(Confirm {
            pane: ID,
            id: self.generation,
            title: format!("Run Reachability Analyzer on {}?", self.request.label()),
            lines: self.what_it_does(&spec),
            yes: "create and run".into(),
            typed: None,
            entered: String::new(),
        })
    }

    fn confirmed(&mut self, id: u64, yes: bool, shared: &Shared) -> Vec<Effect> {
        if !yes || id != self.generation || shared.read_only || self.run.is_some() {
            return Vec::new();
        }
        self.start_run(shared)
    }

    fn selected_id(&self) -> Option<String> {
        self.shown()
            .map(|f| f.analysis.analysis_arn.clone())
            .filter(|a| !a.is_empty())
            .or_else(|| {
                self.run
                    .as_ref()
                    .and_then(|r| r.analysis.as_ref())
                    .map(|a| a.arn.clone())
            })
    }

    fn summary_markdown(&self, _shared: &Shared) -> String {
        summary(self)
    }

    fn close(&mut self, _shared: &Shared) -> Vec<Effect> {
        ["resolve", "analysis", "path"]
            .into_iter()
            .map(|kind| Effect::Cancel { pane: ID, kind })
            .collect()
    }

    fn failures(&self) -> Vec<String> {
        self.error.iter().map(|(e, _)| e.to_string()).collect()
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::reach::detail_lines(self, shared)
    }

    fn hints(&self, shared: &Shared) -> Vec<(Action, &'static str)> {
        let mut h = vec![(
            Action::Act,
            if shared.read_only {
                "what analyse would do"
            } else {
                "analyse (asks first)"
            },
        )];
        if self.history.len() > 1 {
            h.push((Action::Down, "older result"));
        }
        h.push((Action::CopySummary, "copy summary"));
        h
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::reach::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The Markdown summary for the incident channel: the pair, both ends, the verdict,
/// the explanations in words and the hops.
pub fn summary(v: &ReachView) -> String {
    let mut out = format!("## Reachability: {}\n\n", v.request.label());
    for (what, slot) in [("Source", &v.source), ("Destination", &v.destination)] {
        let line = match slot.get() {
            Some(Some(e)) => e.describe(),
            Some(None) => "not a network interface in this account/region".into(),
            None => "not resolved".into(),
        };
        out.push_str(&format!("- {what}: {line}\n"));
    }
    match v.shown() {
        Some(f) => {
            let a = &f.analysis;
            out.push_str(&format!(
                "- Result: **{}** ({}, {}s)\n",
                verdict(a),
                a.analysis_id,
                f.seconds
            ));
            for e in &a.explanations {
                out.push_str(&format!("- {}\n", explain(e, &v.request)));
            }
            if !a.forward.is_empty() {
                out.push_str("\nForward path:\n");
                for h in &a.forward {
                    out.push_str(&format!("1. {}\n", h.label()));
                }
            }
            if !a.returning.is_empty() {
                out.push_str("\nReturn path:\n");
                for h in &a.returning {
                    out.push_str(&format!("1. {}\n", h.label()));
                }
            }
        }
        None => out.push_str("- Result: no analysis run yet\n"),
    }
    out
}
