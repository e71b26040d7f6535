//! A host pane that opens the Reachability drill-down on Enter (as the flow-log pane
//! does on a row), and a small world around it over the demo: the app, its jobs, and
//! the demo backend to count what exists. Shared by `reach_view` and `snapshots_reach`.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::panes::reach::{self, ReachView};
use grayscope::app::{App, Effect, Mode, Msg, Pane, Shared};
use grayscope::backend::Services;
use grayscope::backend::demo::DemoBackend;
use grayscope::clock::Clock;
use grayscope::jobs::{JobMsg, Jobs, PaneId};
use grayscope::keymap::Keymap;
use grayscope::model::reach::ReachRequest;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};
use std::any::Any;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// Stands in for the flow-log pane: Enter on its "row" opens the drill-down.
struct HostPane {
    request: ReachRequest,
    open: bool,
}

impl Pane for HostPane {
    fn id(&self) -> PaneId {
        "host"
    }
    fn title(&self) -> &'static str {
        "Host"
    }
    fn watch(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn tick(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn refresh(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn on_job(&mut self, _msg: JobMsg, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn on_action(&mut self, action: Action, _shared: &Shared) -> Option<Vec<Effect>> {
        (action == Action::DrillDown).then(|| {
            self.open = true;
            Vec::new()
        })
    }
    fn take_overlay(&mut self, _shared: &Shared) -> Option<Box<dyn Pane>> {
        std::mem::take(&mut self.open).then(|| reach::open(self.request.clone()))
    }
    fn detail(&self, _shared: &Shared) -> Vec<Line<'static>> {
        Vec::new()
    }
    fn hints(&self, _shared: &Shared) -> Vec<(Action, &'static str)> {
        Vec::new()
    }
    fn render(&self, area: Rect, buf: &mut Buffer, _s: &Shared, number: usize, _f: bool) {
        Block::bordered()
            .title(format!(" {number} Host "))
            .render(area, buf);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

pub fn sick_row() -> ReachRequest {
    ReachRequest::new("10.20.2.31", "10.20.11.25", Some(5432), Some(6), None, None)
}

pub fn healthy_row() -> ReachRequest {
    ReachRequest::new("10.20.1.31", "10.20.11.25", Some(5432), Some(6), None, None)
}

pub struct World {
    pub app: App,
    pub jobs: Jobs,
    pub rx: UnboundedReceiver<Msg>,
    pub demo: Arc<DemoBackend>,
}

pub async fn world(request: ReachRequest, read_only: bool) -> World {
    let mut app = App::with_panes(
        Mode::Demo,
        Keymap::defaults(),
        vec!["shop-frontend".into()],
        chrono::Duration::seconds(30),
        t0(),
        vec![
            Box::new(AzPane::default()),
            Box::new(HostPane {
                request,
                open: false,
            }),
        ],
    );
    app.shared.read_only = read_only;
    let clock = Clock::Frozen(t0());
    let demo = Arc::new(DemoBackend::new(clock, 9));
    let services = Services::from_backend(demo.clone());
    grayscope::load_all(&mut app, &services, clock).await;
    let (jobs, rx) = Jobs::with_channel(services);
    let mut w = World {
        app,
        jobs,
        rx,
        demo,
    };
    w.action(Action::Focus2);
    w.action(Action::DrillDown);
    w.settle().await;
    w
}

impl World {
    pub fn action(&mut self, a: Action) {
        let effects = self.app.update(Msg::Action(a), t0());
        self.jobs.apply_all(effects);
    }

    pub fn key(&mut self, c: char) {
        let effects = self.app.update(
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            t0(),
        );
        self.jobs.apply_all(effects);
    }

    pub fn view(&self) -> &ReachView {
        self.app
            .overlays
            .iter()
            .find_map(|(_, o)| o.as_any().downcast_ref::<ReachView>())
            .expect("the Reachability view is open")
    }

    /// Handles reports until none comes for a while.
    pub async fn settle(&mut self) {
        while let Ok(Some(msg)) =
            tokio::time::timeout(Duration::from_millis(800), self.rx.recv()).await
        {
            let effects = self.app.update(msg, t0());
            self.jobs.apply_all(effects);
        }
    }

    pub fn screen(&self, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        grayscope::ui::render(area, &mut buf, &self.app);
        grayscope::ui::export::to_text(&buf)
    }
}
