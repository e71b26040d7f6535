//! The zonal shift tests' host: the real app, keymap and jobs over the demo, with
//! every zonal-shift write recorded, driven by keys; and its screen as text.

#![allow(dead_code)]

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::app::panes::zonal_shift::ShiftView;
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::zonal_shift::{
    ShiftError, ShiftRequest, ShiftStatus, SubnetRoom, ZonalShift, ZonalShifts,
};
use grayscope::backend::{BackendError, Services};
use grayscope::clock::Clock;
use grayscope::jobs::Jobs;
use grayscope::keymap::Keymap;
use grayscope::model::zonal_shift::Expiry;
use grayscope::model::zones::LoadBalancer;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedReceiver;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

/// The demo, with every write recorded.
pub struct Recording {
    pub demo: Arc<DemoBackend>,
    pub writes: Mutex<Vec<String>>,
}

#[async_trait]
impl ZonalShifts for Recording {
    async fn shift_status(&self, lb: &LoadBalancer) -> Result<ShiftStatus, BackendError> {
        self.demo.shift_status(lb).await
    }
    async fn subnet_room(&self, vpc: &str) -> Result<Vec<SubnetRoom>, BackendError> {
        self.demo.subnet_room(vpc).await
    }
    async fn start_shift(&self, r: &ShiftRequest) -> Result<ZonalShift, ShiftError> {
        self.writes.lock().unwrap().push(format!(
            "start {} {} {}",
            r.away_from,
            r.expires_in.text(),
            r.lb_name
        ));
        self.demo.start_shift(r).await
    }
    async fn update_shift(
        &self,
        lb: &str,
        id: &str,
        e: Expiry,
        c: &str,
    ) -> Result<ZonalShift, ShiftError> {
        self.writes
            .lock()
            .unwrap()
            .push(format!("update {id} {}", e.text()));
        self.demo.update_shift(lb, id, e, c).await
    }
    async fn cancel_shift(&self, lb: &str, id: &str) -> Result<ZonalShift, ShiftError> {
        self.writes.lock().unwrap().push(format!("cancel {id}"));
        self.demo.cancel_shift(lb, id).await
    }
}

pub struct Harness {
    pub app: App,
    pub jobs: Jobs,
    pub rx: UnboundedReceiver<Msg>,
    pub now: DateTime<Utc>,
    pub recording: Arc<Recording>,
}

impl Harness {
    pub async fn new(allow: bool, read_only: bool) -> Self {
        let demo = Arc::new(DemoBackend::new(Clock::Frozen(t0()), 9));
        let recording = Arc::new(Recording {
            demo: demo.clone(),
            writes: Mutex::new(Vec::new()),
        });
        let services = Services {
            shifts: recording.clone(),
            ..Services::from_backend(demo)
        };
        let (mut jobs, rx) = Jobs::with_channel(services);
        let mut app = App::new(
            Mode::Demo,
            Keymap::defaults(),
            vec!["shop-frontend".into()],
            Duration::seconds(30),
            t0(),
        );
        app.shared.allow_zonal_shift = allow;
        app.shared.read_only = read_only;
        jobs.apply_all(app.start(t0()));
        let mut h = Self {
            app,
            jobs,
            rx,
            now: t0(),
            recording,
        };
        h.settle().await;
        h
    }

    pub async fn settle(&mut self) {
        loop {
            while let Ok(msg) = self.rx.try_recv() {
                let effects = self.app.update(msg, self.now);
                self.jobs.apply_all(effects);
            }
            self.jobs.reap();
            if self.jobs.running() == 0 {
                match self.rx.try_recv() {
                    Ok(msg) => {
                        let effects = self.app.update(msg, self.now);
                        self.jobs.apply_all(effects);
                        continue;
                    }
                    Err(_) => break,
                }
            }
            if let Ok(Some(msg)) =
                tokio::time::timeout(std::time::Duration::from_millis(20), self.rx.recv()).await
            {
                let effects = self.app.update(msg, self.now);
                self.jobs.apply_all(effects);
            }
        }
    }

    pub async fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let code = match c {
                '\r' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\x7f' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            };
            let effects = self
                .app
                .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), self.now);
            self.jobs.apply_all(effects);
            self.settle().await;
        }
    }

    pub fn writes(&self) -> Vec<String> {
        self.recording.writes.lock().unwrap().clone()
    }

    pub fn view(&self) -> Option<&ShiftView> {
        self.app
            .overlays
            .iter()
            .find_map(|(_, o)| o.as_any().downcast_ref::<ShiftView>())
    }
}

impl Harness {
    /// The whole screen as text.
    pub fn screen(&self, w: u16, h: u16) -> String {
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        grayscope::ui::render(area, &mut buf, &self.app);
        grayscope::ui::export::to_text(&buf)
    }
}
