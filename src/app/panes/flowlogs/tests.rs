use super::*;
use crate::app::{App, Mode, Msg};
use crate::backend::demo::DemoBackend;
use crate::backend::flowlogs::{FlowLogs, LIMIT_EXCEEDED};
use crate::clock::Clock;
use crate::jobs::Jobs;
use crate::keymap::Keymap;
use crate::model::flowlogs::{InterfaceInfo, SubnetInfo};
use async_trait::async_trait;
use chrono::TimeZone;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::mpsc::UnboundedReceiver;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

/// A FlowLogs that counts StopQuery calls; its queries complete after `polls` polls
/// (never when 0), and StartQuery answers LimitExceeded `limited` times first.
#[derive(Default)]
struct Counting {
    polls: u32,
    limited: AtomicU32,
    polled: AtomicU32,
    stops: AtomicU32,
}

#[async_trait]
impl FlowLogs for Counting {
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError> {
        Ok(Vec::new())
    }
    async fn start_query(&self, _: &QueryRequest) -> Result<String, BackendError> {
        if self.limited.load(Ordering::SeqCst) > 0 {
            self.limited.fetch_sub(1, Ordering::SeqCst);
            return Err(BackendError::Service {
                operation: "StartQuery".into(),
                code: LIMIT_EXCEEDED.into(),
                message: "Account maximum query concurrency limit of [30] reached".into(),
            });
        }
        Ok("q-1".into())
    }
    async fn query_results(&self, _: &str) -> Result<QueryPage, BackendError> {
        let n = self.polled.fetch_add(1, Ordering::SeqCst) + 1;
        let status = if self.polls > 0 && n >= self.polls {
            QueryStatus::Complete
        } else {
            QueryStatus::Running
        };
        Ok(QueryPage {
            status,
            rows: Vec::new(),
            stats: QueryStats::default(),
            message: None,
        })
    }
    async fn stop_query(&self, _: &str) -> Result<bool, BackendError> {
        self.stops.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }
    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError> {
        Ok(Vec::new())
    }
    async fn subnets(&self, _: &[String]) -> Result<Vec<SubnetInfo>, BackendError> {
        Ok(Vec::new())
    }
    async fn interfaces(&self, _: &[String]) -> Result<Vec<InterfaceInfo>, BackendError> {
        Ok(Vec::new())
    }
    fn poll_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis(5)
    }
}

fn services_with(fake: Arc<Counting>) -> Services {
    let demo = Services::from_backend(Arc::new(DemoBackend::new(Clock::Frozen(t0()), 9)));
    Services {
        flowlogs: fake,
        ..demo
    }
}

fn request() -> QueryRequest {
    QueryRequest {
        log_groups: vec!["/vpc/x".into()],
        start: t0() - Duration::hours(1),
        end: t0(),
        query: "filter action = \"REJECT\"".into(),
        limit: None,
    }
}

async fn next_event(rx: &mut UnboundedReceiver<Msg>) -> QueryEvent {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await {
            Ok(Some(Msg::Job(m))) => {
                if let Some(FlowLoaded::Query { event, .. }) = m.take::<FlowLoaded>() {
                    return event;
                }
            }
            other => panic!("expected a query event, got {other:?}"),
        }
    }
}

fn job(kind: &'static str) -> Effect {
    query_job(
        kind,
        1,
        request().into(),
        vec![Purpose::Tally(Part::Settled)],
        Vec::new(),
    )
}

#[tokio::test]
async fn stop_query_runs_once_when_the_view_changes() {
    let fake = Arc::new(Counting::default());
    let (mut jobs, mut rx) = Jobs::with_channel(services_with(fake.clone()));
    jobs.apply(job("tally"));
    assert!(matches!(
        next_event(&mut rx).await,
        QueryEvent::Started { .. }
    ));
    assert!(matches!(next_event(&mut rx).await, QueryEvent::Page(_)));
    // A newer query of the same kind (the window changed) replaces it.
    jobs.apply(job("tally"));
    assert!(matches!(
        next_event(&mut rx).await,
        QueryEvent::Started { .. }
    ));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(
        fake.stops.load(Ordering::SeqCst),
        1,
        "the replaced query stopped"
    );
    jobs.apply(Effect::Cancel {
        pane: ID,
        kind: "tally",
    });
    jobs.apply(Effect::Cancel {
        pane: ID,
        kind: "tally",
    });
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(1)).await, 0);
    assert_eq!(
        fake.stops.load(Ordering::SeqCst),
        2,
        "each query stopped exactly once"
    );
}

#[tokio::test]
async fn stop_query_runs_at_exit_for_a_running_query_and_never_for_a_complete_one() {
    let fake = Arc::new(Counting::default());
    let (mut jobs, mut rx) = Jobs::with_channel(services_with(fake.clone()));
    jobs.apply(job("tally"));
    next_event(&mut rx).await;
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(1)).await, 0);
    assert_eq!(fake.stops.load(Ordering::SeqCst), 1);

    let done = Arc::new(Counting {
        polls: 2,
        ..Counting::default()
    });
    let (mut jobs, mut rx) = Jobs::with_channel(services_with(done.clone()));
    jobs.apply(job("tally"));
    loop {
        if let QueryEvent::Page(p) = next_event(&mut rx).await
            && p.status == QueryStatus::Complete
        {
            break;
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(1)).await, 0);
    assert_eq!(done.stops.load(Ordering::SeqCst), 0, "disarmed on Complete");
}

#[tokio::test]
async fn limit_exceeded_is_a_visible_wait_then_a_retry() {
    let fake = Arc::new(Counting {
        polls: 1,
        ..Counting::default()
    });
    fake.limited.store(2, Ordering::SeqCst);
    let (mut jobs, mut rx) = Jobs::with_channel(services_with(fake.clone()));
    jobs.apply(Effect::Run(Job::new(
        ID,
        "tally",
        1,
        "test",
        |s: Services, r| async move {
            run_insights(
                s,
                r,
                request(),
                Purpose::Tally(Part::Settled),
                std::time::Duration::from_millis(5),
            )
            .await;
        },
    )));
    let first = next_event(&mut rx).await;
    assert!(
        matches!(first, QueryEvent::Waiting { attempt: 1, retry_in } if retry_in == std::time::Duration::from_millis(5)),
        "{first:?}"
    );
    let second = next_event(&mut rx).await;
    assert!(
        matches!(second, QueryEvent::Waiting { attempt: 2, retry_in } if retry_in == std::time::Duration::from_millis(10)),
        "doubles: {second:?}"
    );
    assert!(matches!(
        next_event(&mut rx).await,
        QueryEvent::Started { .. }
    ));
    jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

// ------------------------------------------------------------------- with the demo

struct Demo {
    app: App,
    jobs: Jobs,
    rx: UnboundedReceiver<Msg>,
}

impl Demo {
    async fn start(now: DateTime<Utc>) -> Demo {
        Demo::start_on(
            Arc::new(DemoBackend::new(Clock::Frozen(now), 9)),
            now,
            false,
        )
        .await
    }

    async fn start_on(backend: Arc<DemoBackend>, now: DateTime<Utc>, read_only: bool) -> Demo {
        let services = Services::from_backend(backend);
        let mut app = App::new(
            Mode::Demo,
            Keymap::defaults(),
            vec!["shop-frontend".into()],
            Duration::seconds(30),
            now,
        );
        app.shared.read_only = read_only;
        let (mut jobs, rx) = Jobs::with_channel(services);
        jobs.apply_all(app.start(now));
        let mut d = Demo { app, jobs, rx };
        d.settle(now).await;
        d
    }

    /// Handles reports until no job runs.
    async fn settle(&mut self, now: DateTime<Utc>) {
        loop {
            while let Ok(msg) = self.rx.try_recv() {
                let e = self.app.update(msg, now);
                self.jobs.apply_all(e);
            }
            if self.jobs.running() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                if self.rx.is_empty() {
                    break;
                }
                continue;
            }
            if let Ok(Some(msg)) =
                tokio::time::timeout(std::time::Duration::from_millis(50), self.rx.recv()).await
            {
                let e = self.app.update(msg, now);
                self.jobs.apply_all(e);
            }
        }
    }

    fn act(&mut self, a: Action, now: DateTime<Utc>) {
        let e = self.app.update(Msg::Action(a), now);
        self.jobs.apply_all(e);
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers, now: DateTime<Utc>) {
        let e = self.app.update(Msg::Key(KeyEvent::new(code, mods)), now);
        self.jobs.apply_all(e);
    }

    fn pane(&self) -> &FlowLogsPane {
        self.app.pane::<FlowLogsPane>().expect("flow-log pane")
    }

    /// Handles reports until the tally's query has an ID (it was started).
    async fn until_started(&mut self, now: DateTime<Utc>) {
        for _ in 0..200 {
            if self.pane().run.as_ref().is_some_and(|r| r.id.is_some()) {
                return;
            }
            if let Ok(Some(msg)) =
                tokio::time::timeout(std::time::Duration::from_millis(20), self.rx.recv()).await
            {
                let e = self.app.update(msg, now);
                self.jobs.apply_all(e);
            }
        }
        panic!("the query never started");
    }
}

#[tokio::test]
async fn the_demo_tally_blames_the_sick_zone_and_pivots() {
    let mut d = Demo::start(t0()).await;
    let p = d.pane();
    assert_eq!(
        p.log_groups,
        vec![crate::backend::demo::flowlogs::LOG_GROUP.to_string()]
    );
    assert!(
        !p.format.is_default(),
        "the demo's format is custom: queries parse"
    );
    assert_eq!(
        p.not_queryable().len(),
        1,
        "Firehose listed (S3 is Athena's)"
    );
    assert!(p.can_switch(), "the second VPC's flow logs are in S3");
    assert_eq!(p.engine, crate::backend::flowlogs::Engine::Insights);
    assert_eq!(p.sick_zone_id.as_deref(), Some("use1-az6"));
    let top = &p.rows[0];
    assert!(top.from_sick, "{top:?}");
    assert_eq!(
        (top.src_zone.as_str(), top.dst_zone.as_str()),
        ("use1-az6", "use1-az4")
    );
    assert!(top.label.ends_with("10.20.11.25:5432/TCP"), "{}", top.label);
    let subject = d.app.shared.reach_subject.clone().expect("published");
    assert_eq!(
        subject.dst_interface.as_deref(),
        Some("eni-0db0orders5e1ec7a")
    );
    assert!(subject.src_interface.is_some());

    d.act(Action::Focus3, t0()); // the flow-log pane is 3 in the registry
    d.act(Action::SickZoneOnly, t0());
    let p = d.pane();
    assert!(!p.rows.is_empty() && p.rows.iter().all(|r| r.from_sick));
    assert!(
        p.rows.iter().all(|r| r.label.contains("10.20.11.25:5432")),
        "only the database"
    );
    d.act(Action::SickZoneOnly, t0());
    for _ in 0..6 {
        d.act(Action::NextView, t0());
    }
    let p = d.pane();
    assert_eq!(p.pivot, Pivot::Zone);
    assert_eq!(p.rows[0].label, "use1-az6 → use1-az4");
    d.act(Action::NextView, t0());
    assert_eq!(d.pane().pivot, Pivot::Pair);
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_refresh_queries_only_new_minutes_and_merges_to_the_whole_window() {
    let mut d = Demo::start(t0()).await;
    let first_bytes = d.pane().session_bytes;
    let later = t0() + Duration::minutes(5);
    d.act(Action::Refresh, later);
    d.settle(later).await;
    let p = d.pane();
    let incremental = p.session_bytes - first_bytes;
    // It scanned the 5 new minutes and the last 10 again (still being delivered), not
    // the hour: exactly the bytes of that range.
    let onset = t0() - Duration::minutes(9);
    let (_, stats) = crate::backend::demo::flowlogs::run_query(
        onset,
        &tally_query(&p.format),
        (t0() - Duration::minutes(DELIVERY_LAG_MINUTES)).timestamp() + 1,
        later.timestamp(),
        None,
    )
    .expect("runs");
    assert_eq!(incremental, stats.bytes_scanned);
    assert!(
        incremental < first_bytes / 2.0,
        "{incremental} vs {first_bytes}"
    );
    let merged = crate::model::flowlogs::Tally::from_rows(&p.tally_rows());
    // The same window queried whole gives the same counts.
    let start = p.window_start.expect("window");
    let (rows, _) = crate::backend::demo::flowlogs::run_query(
        t0() - Duration::minutes(9),
        &tally_query(&p.format),
        start.timestamp(),
        later.timestamp(),
        None,
    )
    .expect("runs");
    let whole = crate::model::flowlogs::Tally::from_rows(&tally_rows(&rows));
    assert_eq!(merged, whole);
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn edit_run_malformed_and_saved_queries() {
    let mut d = Demo::start(t0()).await;
    d.act(Action::Focus3, t0()); // the flow-log pane is 3 in the registry
    d.act(Action::Edit, t0());
    assert!(d.pane().editor.is_some());
    // Ctrl-U restores the default, then a broken edit: MalformedQuery shown inline.
    d.key(KeyCode::Char('u'), KeyModifiers::CONTROL, t0());
    for c in " | filter action = REJECT".chars() {
        d.key(KeyCode::Char(c), KeyModifiers::NONE, t0());
    }
    d.key(KeyCode::Char('r'), KeyModifiers::CONTROL, t0());
    d.settle(t0()).await;
    let ed = d.pane().editor.clone().expect("editor reopened");
    assert!(
        ed.error.as_deref().is_some_and(|e| e.contains("quote")),
        "{ed:?}"
    );
    // A saved query, picked and run.
    d.key(KeyCode::Char('n'), KeyModifiers::CONTROL, t0());
    assert_eq!(d.pane().editor.as_ref().and_then(|e| e.saved), Some(0));
    d.key(KeyCode::Char('r'), KeyModifiers::CONTROL, t0());
    d.settle(t0()).await;
    let p = d.pane();
    assert!(p.editor.is_none());
    let c = p.custom.as_ref().expect("custom result");
    assert_eq!(c.columns, ["srcAddr", "azId", "rejects"]);
    // The record's az-id is the zone of the interface that logged the REJECT: the
    // database's (use1-az4), not the callers' (use1-az6) — why the pane places both ends.
    assert!(
        c.rows
            .iter()
            .all(|r| r.iter().any(|(f, v)| f == "azId" && v == "use1-az4"))
    );
    assert!(c.rows.iter().all(|r| {
        r.iter()
            .any(|(f, v)| f == "srcAddr" && v.starts_with("10.20.2."))
    }));
    // `a` re-runs it; `e` then Ctrl-U and Ctrl-R go back to the tally.
    d.act(Action::Edit, t0());
    d.key(KeyCode::Char('u'), KeyModifiers::CONTROL, t0());
    d.key(KeyCode::Char('r'), KeyModifiers::CONTROL, t0());
    d.settle(t0()).await;
    assert!(d.pane().custom.is_none());
    assert!(!d.pane().rows.is_empty());
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn enter_lists_the_raw_records_and_esc_stops_their_query() {
    let mut d = Demo::start(t0()).await;
    d.act(Action::Focus3, t0()); // the flow-log pane is 3 in the registry
    d.act(Action::DrillDown, t0());
    assert_eq!(d.app.drill, vec![ID]);
    d.settle(t0()).await;
    let drill = d.pane().drill.clone().expect("drill");
    assert!(!drill.records.is_empty());
    for r in &drill.records {
        let rec = r.record.as_ref().expect("parsed");
        assert_eq!(rec.dstport, Some(5432));
        assert_eq!(
            rec.az_id.as_deref(),
            Some("use1-az4"),
            "logged at the database"
        );
    }
    d.act(Action::Back, t0());
    assert!(d.pane().drill.is_none());
    let e = d.app.update(Msg::Tick, t0());
    assert!(
        e.iter().any(|e| e.key() == "cancel flowlogs/records"),
        "{e:?}"
    );
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn act_stops_a_running_query_and_windows_step() {
    let mut d = Demo::start(t0()).await;
    d.act(Action::Focus3, t0()); // the flow-log pane is 3 in the registry
    d.act(Action::ZoomOut, t0());
    assert_eq!(d.pane().window_minutes, 180);
    assert!(d.pane().running());
    let e = d.app.update(Msg::Action(Action::Act), t0());
    assert!(e.iter().any(|e| e.key() == "cancel flowlogs/tally"));
    d.jobs.apply_all(e);
    assert!(!d.pane().running());
    assert!(d.pane().run.as_ref().is_some_and(|r| r.stopped));
    d.act(Action::ZoomIn, t0());
    d.act(Action::ZoomIn, t0());
    assert_eq!(d.pane().window_minutes, 30);
    d.act(Action::CycleWindow, t0());
    assert_eq!(d.pane().window_minutes, 60);
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}

// ------------------------------------------------------------------- Athena (demo)

/// The demo switched to Athena (`E`) with its table created (`a`, then `y`).
async fn on_athena(now: DateTime<Utc>) -> (Demo, Arc<DemoBackend>) {
    let backend = Arc::new(DemoBackend::new(Clock::Frozen(now), 9));
    let mut d = Demo::start_on(backend.clone(), now, false).await;
    d.act(Action::Focus3, now);
    d.act(Action::SwitchEngine, now);
    d.settle(now).await;
    assert_eq!(d.pane().engine, Engine::Athena);
    assert!(
        d.pane().athena.table.is_none(),
        "the demo's catalog starts empty"
    );
    d.act(Action::Act, now);
    let c = d.app.confirm.clone().expect("asks before CREATE TABLE");
    assert!(
        c.lines.iter().any(|l| l.starts_with(
            "CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`vpc_flow_logs_fl_0a2c4e6a8c0e2a4c6`"
        )),
        "{c:?}"
    );
    assert!(
        c.lines
            .iter()
            .any(|l| l.contains("Dropped again when grayscope exits"))
    );
    d.key(KeyCode::Char('y'), KeyModifiers::NONE, now);
    d.settle(now).await;
    (d, backend)
}

#[tokio::test]
async fn athena_creates_the_table_then_tallies_the_same_way() {
    let (d, _) = on_athena(t0()).await;
    let p = d.pane();
    let t = p.athena.table.as_ref().expect("created");
    assert!(p.athena.created && !t.scans_everything());
    let run = p.run.as_ref().expect("a tally ran");
    assert_eq!(run.engine, Engine::Athena);
    assert_eq!(run.status, QueryStatus::Complete);
    assert!(run.total().bytes_scanned > 0.0);
    assert!(
        p.session_usd >= crate::model::athena::cost_usd(0.0),
        "10 MB minimum billed"
    );
    // Zone attribution, pivots and the Reachability subject are the shared ones.
    let top = p
        .rows
        .iter()
        .find(|r| r.label.contains("10.30.11.40:3306"))
        .expect("ledger row");
    assert_eq!(
        (top.src_zone.as_str(), top.dst_zone.as_str()),
        ("use1-az6", "use1-az4")
    );
    assert!(top.from_sick);
    assert!(d.app.shared.reach_subject.is_some());
}

#[tokio::test]
async fn athena_records_parse_and_stop_on_leave_and_at_exit() {
    let now = t0();
    let (mut d, backend) = on_athena(now).await;
    let i = d
        .pane()
        .rows
        .iter()
        .position(|r| r.label.contains("10.30.11.40:3306"))
        .expect("ledger row");
    for _ in 0..i {
        d.act(Action::Down, now);
    }
    d.act(Action::DrillDown, now);
    d.settle(now).await;
    let drill = d.pane().drill.clone().expect("records");
    assert!(!drill.records.is_empty());
    for r in &drill.records {
        let rec = r
            .record
            .as_ref()
            .expect("the record parses in the table's format");
        assert_eq!(rec.dstport, Some(3306));
    }
    d.act(Action::Back, now);
    // A tally in flight: leaving the view (a new watch) stops it.
    d.act(Action::ZoomOut, now);
    assert!(d.pane().running());
    d.until_started(now).await;
    let started = backend.athena_stops();
    let mut e = Vec::new();
    d.app
        .with_pane_mut::<FlowLogsPane>(|p, shared| e = p.watch(shared));
    d.jobs.apply_all(e);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(
        backend.athena_stops(),
        started + 1,
        "StopQueryExecution on leave"
    );
    // Another one, then the program ends: stopped at exit, and the table dropped.
    d.settle(now).await;
    d.act(Action::ZoomOut, now);
    assert!(d.pane().running());
    d.until_started(now).await;
    assert_eq!(d.jobs.shutdown(std::time::Duration::from_secs(2)).await, 0);
    assert_eq!(
        backend.athena_stops(),
        started + 2,
        "StopQueryExecution at exit"
    );
    let tables = backend.athena_tables().await.expect("catalog");
    assert!(tables.is_empty(), "DROP TABLE at exit");
}

#[tokio::test]
async fn read_only_never_creates_the_table() {
    let now = t0();
    let backend = Arc::new(DemoBackend::new(Clock::Frozen(now), 9));
    let mut d = Demo::start_on(backend.clone(), now, true).await;
    d.act(Action::Focus3, now);
    d.act(Action::SwitchEngine, now);
    d.settle(now).await;
    d.act(Action::Act, now);
    assert!(d.app.confirm.is_none(), "read-only: no question");
    let (e, _) = d.pane().error.clone().expect("said why");
    assert!(
        e.to_string()
            .contains("--read-only is on: nothing is created"),
        "{e}"
    );
    assert!(
        d.pane().athena.ddl.as_ref().is_some_and(|x| x.is_ok()),
        "the DDL is still shown"
    );
    d.settle(now).await;
    assert!(backend.athena_tables().await.expect("catalog").is_empty());
}

#[tokio::test]
async fn an_unpartitioned_table_asks_before_every_scan_and_edited_sql_needs_partitions() {
    let now = t0();
    let (mut d, _) = on_athena(now).await;
    let pruned = d.pane().run.as_ref().expect("tally").total().bytes_scanned;
    // Edited SQL without the partition predicate is refused in the editor.
    d.act(Action::Edit, now);
    let text = d.pane().editor.as_ref().expect("editor").text.clone();
    assert!(
        text.contains("\"hour\" IN ('02', '03')"),
        "the window's partitions are in the text: {text}"
    );
    d.app.with_pane_mut::<FlowLogsPane>(|p, _| {
        p.editor = Some(Editor::open(
            "SELECT count(*) FROM \"AwsDataCatalog\".\"default\".\"vpc_flow_logs_fl_0a2c4e6a8c0e2a4c6\"".into(),
        ))
    });
    d.key(KeyCode::Char('r'), KeyModifiers::CONTROL, now);
    let ed = d.pane().editor.clone().expect("back in the editor");
    assert!(
        ed.error
            .as_deref()
            .is_some_and(|e| e.contains("names no partition column")),
        "{ed:?}"
    );
    d.key(KeyCode::Esc, KeyModifiers::NONE, now);
    // The same table without partitions: the tally asks first.
    d.app.with_pane_mut::<FlowLogsPane>(|p, _| {
        let t = p.athena.table.as_mut().expect("table");
        t.partition_keys.clear();
        t.parameters.retain(|k, _| !k.starts_with("projection"));
    });
    d.act(Action::Act, now);
    let c = d.app.confirm.clone().expect("asks before a full scan");
    assert!(c.title.contains("Scan the whole table"), "{c:?}");
    assert!(!d.pane().running());
    d.key(KeyCode::Char('n'), KeyModifiers::NONE, now);
    assert!(!d.pane().running(), "no means no query");
    d.act(Action::Act, now);
    assert!(d.app.confirm.is_some());
    d.key(KeyCode::Char('y'), KeyModifiers::NONE, now);
    assert!(d.pane().running(), "yes runs it");
    d.settle(now).await;
    let run = d.pane().run.clone().expect("ran");
    let whole = run.total().bytes_scanned;
    assert!(
        whole > 100.0 * pruned,
        "the whole bucket: {whole} vs {pruned}"
    );
    d.jobs.shutdown(std::time::Duration::from_secs(1)).await;
}
