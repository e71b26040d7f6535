//! Terminal injection: strings from AWS (load-balancer, target-group and target names,
//! target health reasons, AWS Health event text and entities, Logs Insights result
//! values, interface names) carrying escape sequences and control characters are drawn
//! inert, in every pane and view.
//!
//! The demo backend supplies the incident; wrappers put a hostile payload into every
//! string the AWS backend would have read from the wire: CSI (cursor report, leave the
//! alternate screen), OSC 52 (clipboard write) and OSC 8 (hyperlink), DCS, BEL, the C1
//! CSI (U+009B), CR, BS, NUL and bidi overrides. Each screen is drawn into a buffer (no
//! cell may hold a control or bidi character) and through the crossterm backend into
//! bytes, as the terminal loop writes them (no injected sequence may appear).

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::flowlogs::{FlowLogSource, FlowLogs, QueryPage, QueryRequest, SavedQuery};
use grayscope::backend::health::HealthEvents;
use grayscope::backend::paths::{AnalysisRef, ReachPaths};
use grayscope::backend::{BackendError, Partial, Services, Targets};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::flowlogs::{InterfaceInfo, SubnetInfo};
use grayscope::model::health::{AffectedEntity, Answered, HealthEvent, HealthView, OrgAccess};
use grayscope::model::reach::{Analysis, Endpoint, PathSpec};
use grayscope::model::targets::TargetGroupHealth;
use grayscope::model::zones::{LoadBalancer, Zone};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

/// Every kind of escape a hostile string could carry.
const HOSTILE: &str = "\u{1b}[6n\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}]8;;http://evil.example/\u{1b}\\EVIL\u{1b}]8;;\u{1b}\\\u{9b}31m\r\u{8}\u{202e}rtl\u{2066}\u{1b}P1$r\u{1b}\\\u{1b}[?1049l\u{0}\u{1b}[2J";

/// Byte sequences that must never reach the terminal (the drawing itself uses CSI for
/// colours and cursor moves, never these).
const FORBIDDEN: &[(&str, &[u8])] = &[
    ("CSI 6n (cursor report)", b"\x1b[6n"),
    ("OSC", b"\x1b]"),
    ("BEL", b"\x07"),
    ("DCS", b"\x1bP"),
    ("C1 CSI", "\u{9b}".as_bytes()),
    ("leave alternate screen", b"\x1b[?1049l"),
    ("CR", b"\r"),
    ("BS", b"\x08"),
    ("NUL", b"\x00"),
    ("RLO", "\u{202e}".as_bytes()),
    ("LRI", "\u{2066}".as_bytes()),
];

fn hostile(s: &str) -> String {
    format!("{s}{HOSTILE}")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

struct Hostile(DemoBackend);

#[async_trait]
impl Targets for Hostile {
    async fn load_balancers(
        &self,
        wanted: &[String],
    ) -> Result<Partial<Vec<LoadBalancer>>, BackendError> {
        let mut p = self.0.load_balancers(wanted).await?;
        for lb in &mut p.data {
            lb.name = hostile(&lb.name);
            lb.scheme = hostile(&lb.scheme);
            lb.state = hostile(&lb.state);
        }
        Ok(p)
    }
    async fn zones(&self) -> Result<Vec<Zone>, BackendError> {
        self.0.zones().await
    }
    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Partial<Vec<TargetGroupHealth>>, BackendError> {
        let mut p = self.0.target_health(lbs).await?;
        for g in &mut p.data {
            g.group.name = hostile(&g.group.name);
            for t in &mut g.targets {
                t.reason = Some(hostile(t.reason.as_deref().unwrap_or("")));
                t.description = Some(hostile(t.description.as_deref().unwrap_or("")));
            }
        }
        Ok(p)
    }
}

fn hostile_event(e: &mut HealthEvent) {
    e.service = hostile(&e.service);
    e.type_code = hostile(&e.type_code);
    e.description = Some(hostile(e.description.as_deref().unwrap_or("")));
    for x in &mut e.entities {
        x.value = hostile(&x.value);
    }
}

#[async_trait]
impl HealthEvents for Hostile {
    async fn health_events(
        &self,
        view: HealthView,
        now: DateTime<Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
        let mut a = self.0.health_events(view, now).await?;
        a.data.iter_mut().for_each(hostile_event);
        a.failover = Some(hostile("failover"));
        Ok(a)
    }
    async fn affected_accounts(
        &self,
        event_arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError> {
        let mut a = self.0.affected_accounts(event_arn).await?;
        for x in &mut a.data {
            x.value = hostile(&x.value);
        }
        Ok(a)
    }
    async fn organization_event_description(
        &self,
        event_arn: &str,
        account: &str,
    ) -> Result<Option<String>, BackendError> {
        Ok(self
            .0
            .organization_event_description(event_arn, account)
            .await?
            .map(|d| hostile(&d)))
    }
    async fn organization_access(&self) -> Result<OrgAccess, BackendError> {
        self.0.organization_access().await
    }
}

#[async_trait]
impl FlowLogs for Hostile {
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError> {
        self.0.flow_logs().await
    }
    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        self.0.start_query(request).await
    }
    async fn query_results(&self, query_id: &str) -> Result<QueryPage, BackendError> {
        let mut page = self.0.query_results(query_id).await?;
        for row in &mut page.rows {
            for (field, value) in row.iter_mut() {
                // Addresses stay parseable (the tally needs them); everything else,
                // and every raw record, is hostile.
                if !matches!(
                    field.as_str(),
                    "srcAddr"
                        | "dstAddr"
                        | "dstPort"
                        | "protocol"
                        | "rejects"
                        | "rejectedBytes"
                        | "@timestamp"
                ) {
                    *value = hostile(value);
                }
            }
        }
        Ok(page)
    }
    async fn stop_query(&self, query_id: &str) -> Result<bool, BackendError> {
        self.0.stop_query(query_id).await
    }
    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError> {
        let mut q = self.0.saved_queries().await?;
        for s in &mut q {
            s.name = hostile(&s.name);
        }
        Ok(q)
    }
    async fn subnets(&self, vpc_ids: &[String]) -> Result<Vec<SubnetInfo>, BackendError> {
        self.0.subnets(vpc_ids).await
    }
    async fn interfaces(&self, addresses: &[String]) -> Result<Vec<InterfaceInfo>, BackendError> {
        let mut i = self.0.interfaces(addresses).await?;
        for x in &mut i {
            x.resource.name = hostile(&x.resource.name);
        }
        Ok(i)
    }
    fn poll_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis(10)
    }
}

#[async_trait]
impl ReachPaths for Hostile {
    async fn interface(&self, address_or_eni: &str) -> Result<Option<Endpoint>, BackendError> {
        Ok(self.0.interface(address_or_eni).await?.map(|mut e| {
            e.name = hostile(&e.name);
            e
        }))
    }
    async fn find_path(&self, spec: &PathSpec) -> Result<Option<String>, BackendError> {
        self.0.find_path(spec).await
    }
    async fn create_path(&self, spec: &PathSpec) -> Result<String, BackendError> {
        self.0.create_path(spec).await
    }
    async fn start_analysis(&self, path_id: &str) -> Result<AnalysisRef, BackendError> {
        self.0.start_analysis(path_id).await
    }
    async fn analysis(&self, analysis_id: &str) -> Result<Analysis, BackendError> {
        self.0.analysis(analysis_id).await
    }
    async fn delete_analysis(&self, analysis_id: &str) -> Result<(), BackendError> {
        self.0.delete_analysis(analysis_id).await
    }
    async fn delete_path(&self, path_id: &str) -> Result<(), BackendError> {
        self.0.delete_path(path_id).await
    }
}

/// Draws `app` at `w`x`h`, checks the buffer and the bytes; returns the screen text.
fn check_screen(app: &App, w: u16, h: u16, what: &str) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, app);
    for y in 0..h {
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(|c| c.is_control()
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')),
                "{what}: cell ({x},{y}) holds {sym:?}"
            );
        }
    }
    let mut out = Vec::new();
    {
        let mut backend = CrosstermBackend::new(&mut out);
        let blank = Buffer::empty(area);
        backend.draw(blank.diff(&buf).into_iter()).expect("draw");
        Backend::flush(&mut backend).expect("flush");
    }
    for (name, seq) in FORBIDDEN {
        assert!(
            !out.windows(seq.len()).any(|w| w == *seq),
            "{what}: the terminal bytes carry {name}"
        );
    }
    grayscope::ui::export::to_text(&buf)
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_from_aws_are_drawn_inert_in_every_pane() {
    let clock = Clock::Frozen(now());
    let demo = || DemoBackend::new(clock, 9);
    let mut services = Services::from_backend(Arc::new(demo()));
    services.targets = Arc::new(Hostile(demo()));
    services.health = Arc::new(Hostile(demo()));
    services.flowlogs = Arc::new(Hostile(demo()));
    services.reach = Arc::new(Hostile(demo()));
    let app = App::new(
        Mode::Demo,
        Keymap::defaults(),
        vec!["shop-frontend".into()],
        Duration::seconds(30),
        now(),
    );
    let mut d = Driver::start(app, services, now()).await;
    let mut seen = String::new();
    let mut screens = 0;
    let mut look = |d: &Driver, what: &str| {
        for (w, h) in [(80, 24), (160, 48)] {
            seen.push_str(&check_screen(&d.app, w, h, what));
            screens += 1;
        }
    };
    look(&d, "start");
    // Each pane focused, its drill-down, zoomed, its detail, and back.
    for pane in ['1', '2', '3', '4'] {
        d.send(key(KeyCode::Char(pane)), now()).await;
        look(&d, &format!("pane {pane}"));
        d.send(key(KeyCode::Enter), now()).await;
        look(&d, &format!("pane {pane} drill-down"));
        // From the flow-log records, Enter once more opens Reachability.
        d.send(key(KeyCode::Enter), now()).await;
        look(&d, &format!("pane {pane} deeper"));
        d.send(key(KeyCode::Char('z')), now()).await;
        look(&d, &format!("pane {pane} zoomed"));
        d.send(key(KeyCode::Char('z')), now()).await;
        d.send(key(KeyCode::Char('5')), now()).await;
        look(&d, &format!("pane {pane} detail"));
        for _ in 0..3 {
            d.send(key(KeyCode::Esc), now()).await;
        }
    }
    d.send(key(KeyCode::Char('?')), now()).await;
    look(&d, "help");
    d.shutdown().await;
    // The payloads did reach the screen, as inert text.
    assert!(
        seen.contains("EVIL"),
        "the hostile strings were drawn somewhere"
    );
    assert!(seen.contains('\u{FFFD}'), "controls shown as a placeholder");
    assert!(screens >= 40);
    // Every pane's strings were on screen: the load balancer (AZ pane, header), AWS
    // Health's events, the flow-log records and the Reachability view.
    for want in ["shop-frontend", "AWS Health", "REJECT", "Reachability"] {
        assert!(seen.contains(want), "no screen showed {want:?}");
    }
}

mod support;
use support::drive::Driver;
