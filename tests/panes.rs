//! A pane registered by one line: it gets a focus number, shows up in help and in the
//! hint line, its detail fills the Detail pane, and its streaming job's reports reach it
//! in order. The test pane lives here, not in the product.

use chrono::{DateTime, TimeZone, Utc};
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::{App, Confirm, Effect, Mode, Msg, Pane, Shared};
use grayscope::backend::Services;
use grayscope::backend::demo::DemoBackend;
use grayscope::clock::Clock;
use grayscope::jobs::{Job, JobMsg, PaneId};
use grayscope::keymap::Keymap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Default)]
struct TestPane {
    rows: Vec<u32>,
    done: bool,
    generation: u64,
    asked: bool,
    answer: Option<bool>,
    open: bool,
    cleaned: Arc<AtomicUsize>,
}

/// A drill-down view the test pane opens over itself: its job registers a cleanup
/// (as Reachability deletes the path it created), which must run once on close.
struct TestOverlay {
    cleaned: Arc<AtomicUsize>,
    started: bool,
}

impl Pane for TestOverlay {
    fn id(&self) -> PaneId {
        "test-overlay"
    }
    fn title(&self) -> &'static str {
        "Test overlay"
    }
    fn watch(&mut self, _shared: &Shared) -> Vec<Effect> {
        let cleaned = self.cleaned.clone();
        vec![Effect::Run(Job::new(
            "test-overlay",
            "work",
            1,
            "creates something",
            move |_, r| async move {
                r.on_cancel("delete what it created", move |_| async move {
                    cleaned.fetch_add(1, Ordering::SeqCst);
                });
                r.send(true);
            },
        ))]
    }
    fn tick(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn refresh(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn on_job(&mut self, msg: JobMsg, _shared: &Shared) -> Vec<Effect> {
        self.started = msg.take::<bool>().unwrap_or(false);
        Vec::new()
    }
    fn on_action(&mut self, _action: Action, _shared: &Shared) -> Option<Vec<Effect>> {
        None
    }
    fn close(&mut self, _shared: &Shared) -> Vec<Effect> {
        vec![Effect::Cancel {
            pane: "test-overlay",
            kind: "work",
        }]
    }
    fn detail(&self, _shared: &Shared) -> Vec<Line<'static>> {
        vec![Line::raw(format!(
            "overlay detail, started {}",
            self.started
        ))]
    }
    fn hints(&self, _shared: &Shared) -> Vec<(Action, &'static str)> {
        vec![(Action::Back, "close overlay")]
    }
    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        _shared: &Shared,
        number: usize,
        _focused: bool,
    ) {
        Block::bordered()
            .title(format!(" {number} Test overlay "))
            .render(area, buf);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

const ID: PaneId = "test";

impl Pane for TestPane {
    fn id(&self) -> PaneId {
        ID
    }
    fn title(&self) -> &'static str {
        "Test pane"
    }
    fn watch(&mut self, _shared: &Shared) -> Vec<Effect> {
        self.generation += 1;
        self.rows.clear();
        vec![Effect::Run(Job::new(
            ID,
            "rows",
            self.generation,
            "three rows, then done",
            |_, r| async move {
                for i in 0..3u32 {
                    r.send(i);
                    tokio::task::yield_now().await;
                }
                r.send("done");
            },
        ))]
    }
    fn tick(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        self.watch(shared)
    }
    fn on_job(&mut self, msg: JobMsg, _shared: &Shared) -> Vec<Effect> {
        if msg.generation != self.generation {
            return Vec::new();
        }
        if msg.is::<u32>() {
            self.rows.extend(msg.take::<u32>());
        } else {
            self.done = true;
        }
        Vec::new()
    }
    fn on_action(&mut self, action: Action, _shared: &Shared) -> Option<Vec<Effect>> {
        match action {
            Action::Act => {
                self.asked = true;
                Some(Vec::new())
            }
            Action::NextView => {
                self.open = true;
                Some(Vec::new())
            }
            _ => None,
        }
    }
    fn take_overlay(&mut self, _shared: &Shared) -> Option<Box<dyn Pane>> {
        if !std::mem::take(&mut self.open) {
            return None;
        }
        Some(Box::new(TestOverlay {
            cleaned: self.cleaned.clone(),
            started: false,
        }))
    }
    fn take_confirm(&mut self) -> Option<Confirm> {
        if !std::mem::take(&mut self.asked) {
            return None;
        }
        Some(Confirm {
            pane: ID,
            id: 7,
            title: "Create a test thing?".into(),
            lines: vec!["Creates one test thing; costs nothing.".into()],
            yes: "create".into(),
            typed: None,
            entered: String::new(),
        })
    }
    fn confirmed(&mut self, id: u64, yes: bool, _shared: &Shared) -> Vec<Effect> {
        assert_eq!(id, 7);
        self.answer = Some(yes);
        Vec::new()
    }
    fn detail(&self, _shared: &Shared) -> Vec<Line<'static>> {
        vec![Line::raw(format!("test detail: rows {:?}", self.rows))]
    }
    fn hints(&self, _shared: &Shared) -> Vec<(Action, &'static str)> {
        vec![(Action::Act, "ping")]
    }
    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        _shared: &Shared,
        number: usize,
        _focused: bool,
    ) {
        let block = Block::bordered().title(format!(" {number} {} ", self.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        Paragraph::new(format!("{} rows", self.rows.len())).render(inner, buf);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

async fn app_with_test_pane() -> App {
    let mut app = App::with_panes(
        Mode::Demo,
        Keymap::defaults(),
        vec!["shop-frontend".into()],
        chrono::Duration::seconds(30),
        t0(),
        // The one registration line.
        vec![Box::new(AzPane::default()), Box::new(TestPane::default())],
    );
    let clock = Clock::Frozen(t0());
    let services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
    grayscope::load_all(&mut app, &services, clock).await;
    app
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, app);
    grayscope::ui::export::to_text(&buf)
}

#[tokio::test]
async fn a_registered_pane_gets_focus_help_hints_detail_and_its_streamed_rows() {
    let mut app = app_with_test_pane().await;
    let pane = app.pane::<TestPane>().expect("registered");
    assert_eq!(pane.rows, [0, 1, 2], "partial results in order");
    assert!(pane.done);

    let s = screen(&app, 160, 48);
    assert!(s.contains(" 2 Test pane "), "{s}");
    assert!(s.contains("3 Detail"), "{s}");

    app.update(Msg::Action(Action::Focus2), t0());
    assert_eq!(app.focus, 1);
    let s = screen(&app, 160, 48);
    assert!(s.contains("a ping"), "the pane's hint: {s}");
    assert!(s.contains("test detail: rows [0, 1, 2]"), "{s}");

    app.update(Msg::Action(Action::Help), t0());
    let s = screen(&app, 160, 48);
    assert!(s.contains("2 Test pane"), "help lists the pane: {s}");
}

#[tokio::test]
async fn a_write_asks_first_and_the_answer_reaches_the_pane() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = app_with_test_pane().await;
    app.update(Msg::Action(Action::Focus2), t0());
    app.update(Msg::Action(Action::Act), t0());
    assert!(app.confirm.is_some());
    let s = screen(&app, 80, 24);
    assert!(s.contains("Create a test thing?"), "{s}");
    assert!(s.contains("costs nothing"), "{s}");
    // Other keys leave the dialog open; n answers no.
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        t0(),
    );
    assert!(app.confirm.is_some());
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE)),
        t0(),
    );
    assert!(app.confirm.is_none());
    assert_eq!(app.pane::<TestPane>().and_then(|p| p.answer), Some(false));
    app.update(Msg::Action(Action::Act), t0());
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
        t0(),
    );
    assert_eq!(app.pane::<TestPane>().and_then(|p| p.answer), Some(true));
}

#[tokio::test]
async fn an_overlay_takes_its_hosts_area_and_its_cleanup_runs_once_on_close() {
    let mut app = app_with_test_pane().await;
    let cleaned = app.pane::<TestPane>().expect("pane").cleaned.clone();
    let clock = Clock::Frozen(t0());
    let services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
    let (mut jobs, mut rx) = grayscope::jobs::Jobs::with_channel(services);
    app.update(Msg::Action(Action::Focus2), t0());
    jobs.apply_all(app.update(Msg::Action(Action::NextView), t0()));
    assert_eq!(app.overlays.len(), 1);
    assert_eq!(app.drill, ["test-overlay"]);
    let msg = rx.recv().await.expect("the overlay's report");
    jobs.apply_all(app.update(msg, t0()));
    let s = screen(&app, 160, 48);
    assert!(
        s.contains(" 2 Test overlay "),
        "drawn in pane 2's area: {s}"
    );
    assert!(!s.contains(" 2 Test pane "), "{s}");
    assert!(s.contains("overlay detail, started true"), "{s}");
    assert!(s.contains("esc close overlay"), "{s}");
    // Esc closes it: its job is cancelled and the cleanup runs, once.
    jobs.apply_all(app.update(Msg::Action(Action::Back), t0()));
    assert!(app.overlays.is_empty());
    assert!(screen(&app, 160, 48).contains(" 2 Test pane "));
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(2)).await, 0);
    assert_eq!(cleaned.load(Ordering::SeqCst), 1);
}
