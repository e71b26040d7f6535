//! What a pane is: one module that owns its state, its jobs, its keys, its detail text,
//! its hints and its drawing. The router ([`crate::app::App`]) calls these hooks and
//! never looks inside a pane.
//!
//! A pane asks for data by returning [`Effect::Run`] jobs (see `crate::jobs`), tagged
//! with its own generation; the reports come back through [`Pane::on_job`], where the
//! pane drops what is stale. It refreshes on its own clock in [`Pane::tick`] (timed
//! from when its last load finished, never while one is in flight).

use crate::action::Action;
use crate::app::{Confirm, Effect, Shared};
use crate::jobs::{JobMsg, PaneId};
use crate::model::filter::Filter;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;

pub trait Pane: Any + Send {
    /// The id its jobs are tagged with (unique among registered panes).
    fn id(&self) -> PaneId;

    /// Its name in titles and help ("AZ health").
    fn title(&self) -> &'static str;

    /// The watched load balancers changed (or were first chosen): start over.
    fn watch(&mut self, shared: &Shared) -> Vec<Effect>;

    /// Once a second: time-driven work (the automatic refresh).
    fn tick(&mut self, shared: &Shared) -> Vec<Effect>;

    /// The user asked for fresh data (`r`). A load already under way is not doubled.
    fn refresh(&mut self, shared: &Shared) -> Vec<Effect>;

    /// Something in [`Shared`] changed (zones loaded, the AZ pane's zone moved).
    fn shared_changed(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    /// A report from one of its jobs.
    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect>;

    /// A key's action while focused. `None`: not handled here.
    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>>;

    /// Whether the pane is taking typed text (a query, a metric): then every key goes to
    /// [`Pane::on_key`] instead of the keymap, until the pane says it is done.
    fn text_input(&self) -> bool {
        false
    }

    /// A raw key while [`Pane::text_input`] is true.
    fn on_key(&mut self, _key: KeyEvent, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    /// A write the pane wants the user to confirm (what will be created or changed,
    /// what it costs). The router shows it and answers with [`Pane::confirmed`].
    /// Polled after every call into the pane. In `--read-only` mode a pane must not ask:
    /// it explains what the key would do instead.
    fn take_confirm(&mut self) -> Option<Confirm> {
        None
    }

    /// The user's answer to a [`Confirm`] this pane asked for.
    fn confirmed(&mut self, _id: u64, _yes: bool, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    /// Applies the `/` filter to its table (`None` clears it). Returns false when the
    /// pane has nothing to filter.
    fn set_filter(&mut self, _filter: Option<Filter>) -> bool {
        false
    }

    /// What failed to load, one line each (shown by `--print` and its exit code).
    fn failures(&self) -> Vec<String> {
        Vec::new()
    }

    /// The id of what is selected (instance, ENI, ARN, event), for `y`.
    fn selected_id(&self) -> Option<String> {
        None
    }

    /// Its current data as Markdown (for `Y` and the incident snapshot). By default its
    /// title and its Detail text; a pane with a table writes the table.
    fn summary_markdown(&self, shared: &Shared) -> String {
        let body: Vec<String> = self
            .detail(shared)
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect();
        format!("## {}\n\n{}\n", self.title(), body.join("  \n"))
    }

    /// `:` verbs this pane handles (e.g. `metric`, `query`).
    fn command_verbs(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Runs one of its `:` verbs; an error in words is shown on the command line.
    fn command(
        &mut self,
        _verb: &str,
        _args: &str,
        _shared: &Shared,
    ) -> Result<Vec<Effect>, String> {
        Err("this pane has no such command".into())
    }

    /// A drill-down view this pane opens in its own area (polled after `on_action`):
    /// e.g. Reachability Analyzer on the selected flow-log row. The router draws it
    /// instead of this pane, routes keys, jobs and the Detail pane to it, and closes it
    /// on `Esc` once its own levels are closed.
    fn take_overlay(&mut self, _shared: &Shared) -> Option<Box<dyn Pane>> {
        None
    }

    /// As an overlay: it is being closed. Return the effects that stop its jobs
    /// (`Effect::Cancel`), which runs their cleanups (delete what it created).
    fn close(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    /// Text the pane wants on the user's clipboard (a copy key). Polled after every
    /// update; the terminal loop sends it as an OSC 52 escape (`crate::clipboard`).
    fn take_clipboard(&mut self) -> Option<String> {
        None
    }

    /// How many drill-down levels are open (the router keeps the stack).
    fn drill_depth(&self) -> usize {
        0
    }

    /// `Esc`: close the innermost drill-down level. Returns whether one was open.
    fn back(&mut self) -> bool {
        false
    }

    /// Publishes what other panes follow (the AZ pane: its zone and the blamed zone).
    fn publish(&self, _shared: &mut Shared) {}

    /// The full story of its selection, for the Detail pane.
    fn detail(&self, shared: &Shared) -> Vec<Line<'static>>;

    /// Its own key hints, most useful first (the router adds the global ones).
    fn hints(&self, shared: &Shared) -> Vec<(Action, &'static str)>;

    /// Draws it into `area` (its frame included).
    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool);

    fn as_any(&self) -> &dyn Any;

    fn as_any_mut(&mut self) -> &mut dyn Any;
}
