//! Pane 3, flow-log REJECTs: VPC Flow Log REJECT tallies, pivoted without typing,
//! every row placed in its zones by AZ ID, tied to the zone the AZ pane blames. The
//! tallies come from Logs Insights (flow logs in CloudWatch Logs) or from Athena (flow
//! logs in S3, through a table over the bucket); the pane says which, and `E` switches
//! when both exist. Everything after the query (tallies, pivots, zones, records,
//! Reachability) is the same whichever engine answered.
//!
//! Jobs: `discover` (DescribeFlowLogs + saved queries), `athena` (the workgroup and the
//! tables of the configured database), `table` (CREATE EXTERNAL TABLE after the user
//! said yes; DROP TABLE registered as cleanup, run at exit), `tally` (the REJECT tally
//! or an edited query: start, then polls reported as they come; the stop — StopQuery or
//! StopQueryExecution — registered as the job's cleanup, disarmed when the query ends),
//! `records` (the raw records behind a row, Enter) and `network` (subnets and
//! interfaces, to place addresses). A refresh queries only minutes not yet counted (and
//! the last few, which flow logs may still deliver) and merges the counts; on Athena
//! every query names the window's partitions, and a table whose partitions cannot be
//! tied to dates is scanned only after the user agreed. Drawing is `ui::flowlogs`.

use crate::action::Action;
use crate::app::pane::Pane;
use crate::app::slot::Slot;
use crate::app::{Confirm, Effect, Shared};
use crate::backend::flowlogs::{
    AthenaConfig, Engine, FlowLogSource, FlowQuery, QueryPage, QueryRequest, QueryStats,
    QueryStatus, SavedQuery, Workgroup, is_limit_exceeded, malformed_query,
};
use crate::backend::{BackendError, Services};
use crate::jobs::{Job, JobMsg, PaneId, Reporter};
use crate::model::athena::{AthenaTable, records_sql, tally_sql};
use crate::model::flowlogs::{
    DELIVERY_LAG_MINUTES, FlowRecord, LogFormat, Network, Part, Pivot, PivotRow, Place,
    ReachSubject, ResultRow, TALLY_LIMIT, Tally, TallyKey, TallyRow, parse_record, pivot_rows,
    records_query, refresh_ranges, tally_query, tally_rows,
};
use crate::model::zones::ZoneMap;
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::any::Any;
use std::collections::{HashMap, HashSet};

pub const ID: PaneId = "flowlogs";

/// Window lengths the keys step through, in minutes.
pub const WINDOWS: [i64; 7] = [15, 30, 60, 180, 360, 720, 1440];
/// The window a session starts with.
pub const DEFAULT_WINDOW: i64 = 60;
/// The shortest time between two automatic refreshes (each one is a billed query).
pub const MIN_REFRESH_SECONDS: i64 = 60;
/// The same for Athena: S3 receives flow-log files every 5 minutes, and every query is
/// billed at least 10 MB.
pub const MIN_ATHENA_REFRESH_SECONDS: i64 = 300;
/// Confirmation tags (times the generation): create the table, scan a whole table.
const ASK_CREATE: u64 = 1;
const ASK_FULL_SCAN: u64 = 2;
/// Raw records shown behind a row.
pub const RECORDS_LIMIT: usize = 100;
/// The first wait after LimitExceededException, doubled at each try up to the last.
pub const LIMIT_FIRST_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
pub const LIMIT_MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
pub const LIMIT_TRIES: u32 = 6;

/// What a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The built-in REJECT tally over one range (settled or recent).
    Tally(Part),
    /// A query the user edited or picked.
    Custom,
    /// The raw records behind a row.
    Records,
}

/// What a query job reports.
#[derive(Debug, Clone)]
pub enum QueryEvent {
    /// The account runs as many queries as it may: waiting before trying again.
    Waiting {
        attempt: u32,
        retry_in: std::time::Duration,
    },
    Started {
        id: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    Page(QueryPage),
    Failed(BackendError),
}

/// What the pane's jobs report.
#[derive(Debug, Clone)]
pub enum FlowLoaded {
    Sources(Result<Vec<FlowLogSource>, BackendError>),
    Saved(Result<Vec<SavedQuery>, BackendError>),
    Query {
        purpose: Purpose,
        event: QueryEvent,
    },
    Network(Result<Network, BackendError>),
    /// The Athena side: where queries run, and the tables of the configured database.
    Athena {
        config: AthenaConfig,
        workgroup: Result<Workgroup, BackendError>,
        tables: Result<Vec<AthenaTable>, BackendError>,
    },
    /// The table grayscope created, read back (GetTableMetadata).
    TableCreated(Result<AthenaTable, BackendError>),
}

/// The state of the query in flight (or the last one).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRun {
    pub purpose: Purpose,
    pub id: Option<String>,
    pub status: QueryStatus,
    /// Waiting out LimitExceededException: the try and when the next one goes.
    pub waiting: Option<(u32, DateTime<Utc>)>,
    pub started_at: DateTime<Utc>,
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub stats: QueryStats,
    /// What the earlier ranges of the same refresh scanned.
    pub carried: QueryStats,
    /// The user stopped it.
    pub stopped: bool,
    /// The engine that runs it (its bill differs).
    pub engine: Engine,
    /// What the earlier queries of the same refresh cost.
    pub carried_usd: f64,
}

/// What one query that scanned `bytes` costs on `engine` (Athena: at least 10 MB).
pub fn query_cost(engine: Engine, bytes: f64) -> f64 {
    match engine {
        Engine::Insights => crate::model::flowlogs::scan_cost_usd(bytes),
        Engine::Athena if bytes > 0.0 => crate::model::athena::cost_usd(bytes),
        Engine::Athena => 0.0,
    }
}

impl QueryRun {
    fn new(purpose: Purpose, now: DateTime<Utc>) -> Self {
        Self {
            purpose,
            id: None,
            status: QueryStatus::Scheduled,
            waiting: None,
            started_at: now,
            range: None,
            stats: QueryStats::default(),
            carried: QueryStats::default(),
            stopped: false,
            engine: Engine::Insights,
            carried_usd: 0.0,
        }
    }

    fn on(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// What this run's query has cost so far, with the earlier ones of its refresh.
    pub fn cost_usd(&self) -> f64 {
        query_cost(self.engine, self.stats.bytes_scanned) + self.carried_usd
    }

    /// This run's statistics with those of the earlier ranges of its refresh.
    pub fn total(&self) -> QueryStats {
        QueryStats {
            records_matched: self.stats.records_matched + self.carried.records_matched,
            records_scanned: self.stats.records_scanned + self.carried.records_scanned,
            bytes_scanned: self.stats.bytes_scanned + self.carried.bytes_scanned,
            queued_ms: self.stats.queued_ms + self.carried.queued_ms,
            engine_ms: self.stats.engine_ms + self.carried.engine_ms,
        }
    }

    pub fn running(&self) -> bool {
        !self.status.is_done() && !self.stopped
    }
}

/// The multi-line query editor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editor {
    pub text: String,
    /// Byte offset of the cursor in `text`.
    pub cursor: usize,
    /// The saved query last picked (index into the saved list).
    pub saved: Option<usize>,
    /// The service's message for the last run of this text (MalformedQuery...).
    pub error: Option<String>,
}

impl Editor {
    fn open(text: String) -> Self {
        Self {
            cursor: text.len(),
            text,
            ..Self::default()
        }
    }

    fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.error = None;
    }

    fn backspace(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
    }

    fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    fn left(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    /// (line, column in chars) of the cursor.
    pub fn position(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.matches('\n').count();
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        (line, col)
    }

    fn vertical(&mut self, down: bool) {
        let (line, col) = self.position();
        let lines: Vec<&str> = self.text.split('\n').collect();
        let target = if down {
            (line + 1).min(lines.len() - 1)
        } else {
            line.saturating_sub(1)
        };
        let mut offset: usize = lines[..target].iter().map(|l| l.len() + 1).sum();
        offset += lines[target]
            .char_indices()
            .nth(col)
            .map(|(i, _)| i)
            .unwrap_or(lines[target].len());
        self.cursor = offset;
    }

    fn home(&mut self) {
        self.cursor = self.text[..self.cursor]
            .rfind('\n')
            .map(|i| i + 1)
            .unwrap_or(0);
    }

    fn end(&mut self) {
        self.cursor = self.text[self.cursor..]
            .find('\n')
            .map(|i| self.cursor + i)
            .unwrap_or(self.text.len());
    }
}

/// A raw record behind a row, with what the record itself says.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub timestamp: String,
    pub message: String,
    pub record: Option<FlowRecord>,
}

/// Enter on a row: the raw records behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordsDrill {
    pub label: String,
    pub key: TallyKey,
    pub run: QueryRun,
    pub records: Vec<RawRecord>,
    pub selected: usize,
    pub error: Option<BackendError>,
}

/// The result of an edited query, shown as it comes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomResult {
    pub query: String,
    pub columns: Vec<String>,
    pub rows: Vec<ResultRow>,
}

#[derive(Debug, Clone, Default)]
pub struct FlowLogsPane {
    pub sources: Slot<Vec<FlowLogSource>>,
    pub saved: Slot<Vec<SavedQuery>>,
    /// The format and log groups queried (the first queryable format found).
    pub format: LogFormat,
    pub log_groups: Vec<String>,
    /// REJECTs counted in settled ranges (merged), and in the recent minutes (replaced).
    pub settled: Tally,
    pub recent: Vec<TallyRow>,
    /// The rows of the tally query in flight (partial while Running).
    pub partial: Vec<TallyRow>,
    /// The counts shown before a re-run over a new window, until it has rows of its own
    /// (a failed re-run keeps them on screen beside its error).
    pub previous: Option<Vec<TallyRow>>,
    /// The last second counted into `settled`.
    pub counted_to: Option<DateTime<Utc>>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_minutes: i64,
    /// Ranges of this refresh not complete yet (the running one first).
    pub pending: Vec<(DateTime<Utc>, DateTime<Utc>, Part)>,
    pub run: Option<QueryRun>,
    pub last_tally_at: Option<DateTime<Utc>>,
    pub error: Option<(BackendError, DateTime<Utc>)>,
    /// Bytes scanned by every finished query this session.
    pub session_bytes: f64,
    pub session_queries: usize,
    /// What those queries cost, each billed by its engine.
    pub session_usd: f64,
    /// An edited query replaces the tally while set.
    pub custom: Option<CustomResult>,
    pub pivot: Pivot,
    pub sick_only: bool,
    pub selected: usize,
    /// The user moved the selection: it follows its row; else it stays on the first.
    pub user_moved: bool,
    /// Derived: settled, recent and partial counts merged (when the counts change).
    pub merged: Vec<TallyRow>,
    /// Derived: the merged counts under the pivot and filter (never while drawing).
    pub rows: Vec<PivotRow>,
    pub network: Network,
    pub places: HashMap<String, Place>,
    pub network_loading: bool,
    pub network_error: Option<BackendError>,
    asked: HashSet<String>,
    pub editor: Option<Editor>,
    pub drill: Option<RecordsDrill>,
    cancel_records: bool,
    /// Enter on the records of a row asked for the Reachability drill-down.
    open_reach: bool,
    pub generation: u64,
    pub next_refresh: Option<DateTime<Utc>>,
    /// The blamed zone's ID, for the sick-zone marks.
    pub sick_zone_id: Option<String>,
    /// Which engine answers; `E` switches when both exist.
    pub engine: Engine,
    /// The format of the flow logs in CloudWatch Logs (`format` is the one queried).
    pub insights_format: LogFormat,
    pub athena: AthenaSide,
}

/// Runs one Insights query; see [`run_query`].
pub async fn run_insights(
    s: Services,
    r: Reporter,
    request: QueryRequest,
    purpose: Purpose,
    first_wait: std::time::Duration,
) -> bool {
    run_query(s, r, request.into(), purpose, first_wait).await
}

/// Runs one query on its engine and reports it: waits out LimitExceededException
/// (reported), starts it, registers its stop (StopQuery, StopQueryExecution) as
/// cleanup, polls until it ends (each answer reported), then disarms the cleanup. A
/// poll that fails leaves the cleanup armed: the query may still be running.
pub async fn run_query(
    s: Services,
    r: Reporter,
    request: FlowQuery,
    purpose: Purpose,
    first_wait: std::time::Duration,
) -> bool {
    use crate::backend::flowlogs as engine;
    let send = |event| r.send(FlowLoaded::Query { purpose, event });
    let kind = request.engine();
    let (start, end) = request.range();
    let mut wait = first_wait;
    let mut attempt = 0;
    let id = loop {
        attempt += 1;
        match engine::start(&*s.flowlogs, &request).await {
            Ok(id) => break id,
            Err(e) if is_limit_exceeded(&e) && attempt < LIMIT_TRIES => {
                send(QueryEvent::Waiting {
                    attempt,
                    retry_in: wait,
                });
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LIMIT_MAX_WAIT);
            }
            Err(e) => {
                send(QueryEvent::Failed(e));
                return false;
            }
        }
    };
    let stop_id = id.clone();
    let what = match kind {
        Engine::Insights => format!("StopQuery {id}"),
        Engine::Athena => format!("StopQueryExecution {id}"),
    };
    let cleanup = r.on_cancel(what, move |s: Services| async move {
        if let Err(e) = engine::stop(&*s.flowlogs, kind, &stop_id).await {
            tracing::warn!(query_id = %stop_id, error = %e, "stopping the query failed");
        }
    });
    send(QueryEvent::Started {
        id: id.clone(),
        start,
        end,
    });
    let every = s.flowlogs.poll_every();
    loop {
        tokio::time::sleep(every).await;
        match engine::poll(&*s.flowlogs, kind, &id).await {
            Ok(page) => {
                let done = page.status.is_done();
                let complete = page.status == QueryStatus::Complete;
                send(QueryEvent::Page(page));
                if done {
                    r.disarm(cleanup);
                    return complete;
                }
            }
            Err(e) => {
                send(QueryEvent::Failed(e));
                return false;
            }
        }
    }
}

fn query_job(
    kind: &'static str,
    generation: u64,
    request: FlowQuery,
    purposes: Vec<Purpose>,
    more: Vec<FlowQuery>,
) -> Effect {
    let label = match request.engine() {
        Engine::Insights => format!("StartQuery + GetQueryResults ({} ranges)", 1 + more.len()),
        Engine::Athena => format!(
            "StartQueryExecution + GetQueryExecution + GetQueryResults ({} ranges)",
            1 + more.len()
        ),
    };
    Effect::Run(Job::new(
        ID,
        kind,
        generation,
        label,
        move |s: Services, r| async move {
            let requests = std::iter::once(request).chain(more);
            for (request, purpose) in requests.zip(purposes) {
                if !run_query(s.clone(), r.clone(), request, purpose, LIMIT_FIRST_WAIT).await {
                    return;
                }
            }
        },
    ))
}

impl FlowLogsPane {
    fn blank(generation: u64) -> Self {
        Self {
            generation,
            window_minutes: DEFAULT_WINDOW,
            ..Self::default()
        }
    }

    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(QueryRun::running)
    }

    /// The rows of the tally as it stands: settled, recent and the query in flight.
    pub fn tally_rows(&self) -> Vec<TallyRow> {
        if let Some(prev) = &self.previous
            && self.settled.counts.is_empty()
            && self.recent.is_empty()
            && self.partial.is_empty()
        {
            return prev.clone();
        }
        if self.recent.is_empty() && self.partial.is_empty() {
            return self.settled.rows();
        }
        let mut t = self.settled.clone();
        t.merge(&self.recent);
        t.with(&self.partial)
    }

    /// The counts changed: merges them again, places new addresses, regroups.
    pub fn recompute(&mut self, shared: &Shared) {
        self.merged = self.tally_rows();
        let zones = ZoneMap::new(shared.zones.get().cloned().unwrap_or_default());
        for r in &self.merged {
            for a in [&r.key.src, &r.key.dst] {
                if !self.places.contains_key(a) {
                    self.places.insert(a.clone(), self.network.place(a, &zones));
                }
            }
        }
        self.regroup(shared);
    }

    /// The pivot or the filter changed: regroups the merged counts (no query, no
    /// merge), keeping the selection on its row when the user moved it.
    pub fn regroup(&mut self, shared: &Shared) {
        let zones = shared.zones.get();
        self.sick_zone_id = shared.blamed_zone.as_deref().map(|name| {
            zones
                .and_then(|z| z.iter().find(|z| z.name == name))
                .map(|z| z.id.clone())
                .unwrap_or_else(|| name.to_string())
        });
        let before = self.rows.get(self.selected).map(|r| r.label.clone());
        let mut out = pivot_rows(
            &self.merged,
            self.pivot,
            &self.places,
            self.sick_zone_id.as_deref(),
        );
        if self.sick_only {
            out.retain(|r| r.from_sick);
        }
        self.rows = out;
        if let Some(b) = before.filter(|_| self.user_moved)
            && let Some(i) = self.rows.iter().position(|r| r.label == b)
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// Places every address again (after new subnets or interfaces arrived).
    fn replace_all(&mut self, shared: &Shared) {
        self.places.clear();
        self.recompute(shared);
    }

    fn discover(&mut self) -> Vec<Effect> {
        self.sources.start();
        self.saved.start();
        vec![Effect::Run(Job::new(
            ID,
            "discover",
            self.generation,
            "DescribeFlowLogs + DescribeQueryDefinitions",
            |s: Services, r| async move {
                r.send(FlowLoaded::Sources(s.flowlogs.flow_logs().await));
                r.send(FlowLoaded::Saved(s.flowlogs.saved_queries().await));
            },
        ))]
    }

    /// Picks what to query: the log groups of the first queryable format, and the first
    /// flow log in S3 (for Athena). Athena answers when there is no log group.
    fn choose_groups(&mut self) {
        let sources = self.sources.get().cloned().unwrap_or_default();
        self.athena.source = sources.iter().find(|s| s.s3().is_some()).cloned();
        let first = sources.iter().find(|s| s.log_group().is_some());
        match first {
            Some(first) => {
                self.insights_format = first.format.clone();
                let mut groups: Vec<String> = sources
                    .iter()
                    .filter(|s| s.format == first.format)
                    .filter_map(|s| s.log_group().map(str::to_string))
                    .collect();
                groups.dedup();
                self.log_groups = groups;
            }
            None => self.log_groups.clear(),
        }
        if self.log_groups.is_empty() && self.athena.source.is_some() {
            self.engine = Engine::Athena;
        }
        if self.athena.source.is_none() {
            self.engine = Engine::Insights;
        }
        self.sync_format();
    }

    /// The format queried: the log groups' (Insights) or the table's columns (Athena).
    fn sync_format(&mut self) {
        self.format = match (self.engine, &self.athena.table) {
            (Engine::Athena, Some(t)) => t.log_format(),
            (Engine::Athena, None) => self
                .athena
                .source
                .as_ref()
                .map(|s| s.format.clone())
                .unwrap_or_default(),
            (Engine::Insights, _) => self.insights_format.clone(),
        };
    }

    /// Whether the engine in use can answer now.
    pub fn queryable(&self) -> bool {
        match self.engine {
            Engine::Insights => !self.log_groups.is_empty(),
            Engine::Athena => self.athena.table.is_some() && self.athena.blocked().is_none(),
        }
    }

    /// Both engines have flow logs to read: `E` switches.
    pub fn can_switch(&self) -> bool {
        !self.log_groups.is_empty() && self.athena.source.is_some()
    }

    fn request(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        query: String,
        limit: usize,
    ) -> QueryRequest {
        QueryRequest {
            log_groups: self.log_groups.clone(),
            start,
            end,
            query,
            limit: Some(limit as i32),
        }
    }

    /// The tally over `start..=end` on the engine in use.
    fn tally_request(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<FlowQuery> {
        match (self.engine, &self.athena.table) {
            (Engine::Insights, _) => Some(
                self.request(start, end, tally_query(&self.format), TALLY_LIMIT)
                    .into(),
            ),
            (Engine::Athena, Some(t)) => Some(FlowQuery::Athena {
                sql: tally_sql(t, start, end),
                start,
                end,
            }),
            (Engine::Athena, None) => None,
        }
    }

    /// The query the editor starts from: the tally over the window (on Athena, with
    /// the window's partition predicates written out).
    fn editor_text(&self, shared: &Shared) -> String {
        let now = shared.now;
        let start = self
            .window_start
            .unwrap_or(now - Duration::minutes(self.window_minutes));
        self.tally_request(start, now)
            .map(|q| q.text().to_string())
            .unwrap_or_else(|| tally_query(&self.format))
    }

    /// Starts the tally over the whole window (`fresh`) or over what is new since the
    /// last one. A query already running is replaced (its StopQuery runs).
    fn start_tally(&mut self, shared: &Shared, fresh: bool) -> Vec<Effect> {
        if !self.queryable() {
            return Vec::new();
        }
        if self.engine == Engine::Athena
            && self
                .athena
                .table
                .as_ref()
                .is_some_and(|t| t.scans_everything())
            && !self.athena.full_scan_ok
        {
            self.athena.after_scan = Some(AfterScan::Tally);
            self.athena.ask = Some(Ask::FullScan);
            return Vec::new();
        }
        let now = shared.now;
        // Incremental refreshes add the new minutes to the counts since the window
        // start; once that start is two windows back, count the window afresh, so the
        // counts stay about the window shown (and bounded in a session left open for a
        // day: the soak bench).
        let stale = self
            .window_start
            .is_some_and(|s| now - s > Duration::minutes(2 * self.window_minutes));
        if fresh || stale || self.window_start.is_none() {
            let shown = self.tally_rows();
            self.previous = (!shown.is_empty()).then_some(shown);
            self.settled = Tally::default();
            self.recent.clear();
            self.counted_to = None;
            self.window_start = Some(now - Duration::minutes(self.window_minutes));
        }
        self.custom = None;
        self.partial.clear();
        self.next_refresh = None;
        let Some(start) = self.window_start else {
            return Vec::new();
        };
        let ranges = refresh_ranges(
            start,
            self.counted_to,
            now,
            Duration::minutes(DELIVERY_LAG_MINUTES),
        );
        let mut requests: Vec<FlowQuery> = ranges
            .iter()
            .filter_map(|(a, b, _)| self.tally_request(*a, *b))
            .collect();
        let purposes: Vec<Purpose> = ranges.iter().map(|(_, _, p)| Purpose::Tally(*p)).collect();
        if requests.is_empty() {
            return Vec::new();
        }
        let first = requests.remove(0);
        // Every range of this refresh, the running one first, until each completes.
        self.pending = ranges;
        self.run = Some(QueryRun::new(purposes[0], now).on(self.engine));
        self.error = None;
        vec![query_job(
            "tally",
            self.generation,
            first,
            purposes,
            requests,
        )]
    }

    fn start_custom(&mut self, shared: &Shared, text: String) -> Vec<Effect> {
        if !self.queryable() {
            return Vec::new();
        }
        let now = shared.now;
        let start = self
            .window_start
            .unwrap_or(now - Duration::minutes(self.window_minutes));
        if self.engine == Engine::Athena
            && let Err(why) = self.check_scan(&text)
        {
            if self
                .athena
                .table
                .as_ref()
                .is_some_and(|t| t.scans_everything())
            {
                self.athena.after_scan = Some(AfterScan::Custom(text));
                self.athena.ask = Some(Ask::FullScan);
            } else {
                let mut editor = Editor::open(text);
                editor.error = Some(why);
                self.editor = Some(editor);
            }
            return Vec::new();
        }
        self.custom = Some(CustomResult {
            query: text.clone(),
            ..CustomResult::default()
        });
        self.partial.clear();
        self.pending.clear();
        self.next_refresh = None;
        self.run = Some(QueryRun::new(Purpose::Custom, now).on(self.engine));
        self.error = None;
        let request = match self.engine {
            Engine::Insights => self.request(start, now, text, TALLY_LIMIT).into(),
            Engine::Athena => FlowQuery::Athena {
                sql: text,
                start,
                end: now,
            },
        };
        vec![query_job(
            "tally",
            self.generation,
            request,
            vec![Purpose::Custom],
            Vec::new(),
        )]
    }

    /// Enter on a row: the raw records behind it.
    fn drill_down(&mut self, shared: &Shared) -> Vec<Effect> {
        let Some(row) = self.rows.get(self.selected).cloned() else {
            return Vec::new();
        };
        if self.custom.is_some() || !self.queryable() {
            return Vec::new();
        }
        let now = shared.now;
        let start = self
            .window_start
            .unwrap_or(now - Duration::minutes(self.window_minutes));
        let Some(top) = self.merged.get(row.top).map(|r| r.key.clone()) else {
            return Vec::new();
        };
        let request: FlowQuery = match (&self.engine, &self.athena.table) {
            (Engine::Athena, Some(t)) => FlowQuery::Athena {
                sql: records_sql(t, &top, self.pivot, start, now, RECORDS_LIMIT),
                start,
                end: now,
            },
            _ => {
                let query = records_query(&self.format, &top, self.pivot, RECORDS_LIMIT);
                self.request(start, now, query, RECORDS_LIMIT).into()
            }
        };
        self.drill = Some(RecordsDrill {
            label: row.label.clone(),
            key: top,
            run: QueryRun::new(Purpose::Records, now).on(self.engine),
            records: Vec::new(),
            selected: 0,
            error: None,
        });
        self.cancel_records = false;
        vec![query_job(
            "records",
            self.generation,
            request,
            vec![Purpose::Records],
            Vec::new(),
        )]
    }

    /// Looks up subnets and interfaces for addresses not placed by an interface yet.
    fn locate(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.network_loading {
            return Vec::new();
        }
        let mut addrs: Vec<String> = self
            .tally_rows()
            .iter()
            .flat_map(|r| [r.key.src.clone(), r.key.dst.clone()])
            .filter(|a| !self.asked.contains(a))
            .collect();
        if let Some(d) = &self.drill {
            addrs.extend(
                d.records
                    .iter()
                    .filter_map(|r| r.record.as_ref())
                    .flat_map(|r| [r.srcaddr, r.dstaddr, r.pkt_srcaddr, r.pkt_dstaddr])
                    .flatten()
                    .map(|a| a.to_string())
                    .filter(|a| !self.asked.contains(a)),
            );
        }
        addrs.sort();
        addrs.dedup();
        if addrs.is_empty() {
            return Vec::new();
        }
        self.asked.extend(addrs.iter().cloned());
        let mut vpcs: Vec<String> = self
            .sources
            .get()
            .into_iter()
            .flatten()
            .map(|s| s.resource_id.clone())
            .filter(|r| r.starts_with("vpc-"))
            .chain(shared.selected.iter().filter_map(|lb| lb.vpc_id.clone()))
            .collect();
        vpcs.sort();
        vpcs.dedup();
        self.network_loading = true;
        vec![Effect::Run(Job::new(
            ID,
            "network",
            self.generation,
            "DescribeSubnets + DescribeNetworkInterfaces",
            move |s: Services, r| async move {
                let (subnets, interfaces) =
                    futures::join!(s.flowlogs.subnets(&vpcs), s.flowlogs.interfaces(&addrs));
                let result = match (subnets, interfaces) {
                    (Ok(subnets), Ok(interfaces)) => {
                        let mut n = Network::default();
                        n.add_subnets(subnets);
                        n.add_interfaces(interfaces);
                        Ok(n)
                    }
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                r.send(FlowLoaded::Network(result));
            },
        ))]
    }

    fn on_query(&mut self, purpose: Purpose, event: QueryEvent, shared: &Shared) -> Vec<Effect> {
        let now = shared.now;
        if purpose == Purpose::Records {
            let Some(d) = &mut self.drill else {
                return Vec::new();
            };
            match event {
                QueryEvent::Waiting { attempt, retry_in } => {
                    d.run.waiting = Some((
                        attempt,
                        now + Duration::from_std(retry_in).unwrap_or_default(),
                    ));
                }
                QueryEvent::Started { id, start, end } => {
                    d.run.waiting = None;
                    d.run.id = Some(id);
                    d.run.range = Some((start, end));
                }
                QueryEvent::Page(page) => {
                    d.run.status = page.status;
                    d.run.stats = page.stats;
                    if page.status.is_done()
                        && page.status != QueryStatus::Complete
                        && let Some(m) = &page.message
                    {
                        d.error = Some(BackendError::Other(m.clone()));
                    }
                    if page.status.is_done() {
                        self.session_bytes += page.stats.bytes_scanned;
                        self.session_queries += 1;
                        self.session_usd += query_cost(d.run.engine, page.stats.bytes_scanned);
                    }
                    d.records = page
                        .rows
                        .iter()
                        .map(|row| {
                            let get = |f: &str| {
                                row.iter()
                                    .find(|(k, _)| k == f)
                                    .map(|(_, v)| v.clone())
                                    .unwrap_or_default()
                            };
                            let message = get("@message");
                            RawRecord {
                                timestamp: get("@timestamp"),
                                record: parse_record(&self.format, &message).ok(),
                                message,
                            }
                        })
                        .collect();
                    d.selected = d.selected.min(d.records.len().saturating_sub(1));
                    return self.locate(shared);
                }
                QueryEvent::Failed(e) => {
                    d.run.status = QueryStatus::Failed;
                    d.error = Some(e);
                }
            }
            return Vec::new();
        }
        let Some(run) = &mut self.run else {
            return Vec::new();
        };
        if run.stopped {
            return Vec::new();
        }
        match event {
            QueryEvent::Waiting { attempt, retry_in } => {
                run.waiting = Some((
                    attempt,
                    now + Duration::from_std(retry_in).unwrap_or_default(),
                ));
                Vec::new()
            }
            QueryEvent::Started { id, start, end } => {
                // A tally refresh runs its ranges one after another: a new run each.
                if run.id.is_some() {
                    let carried = run.total();
                    let carried_usd = run.cost_usd();
                    *run = QueryRun::new(purpose, now).on(run.engine);
                    run.carried = carried;
                    run.carried_usd = carried_usd;
                }
                run.waiting = None;
                run.id = Some(id);
                run.range = Some((start, end));
                run.purpose = purpose;
                Vec::new()
            }
            QueryEvent::Page(page) => {
                run.status = page.status;
                run.stats = page.stats;
                let done = page.status.is_done();
                if done {
                    self.session_bytes += page.stats.bytes_scanned;
                    self.session_queries += 1;
                    self.session_usd += query_cost(run.engine, page.stats.bytes_scanned);
                }
                match purpose {
                    Purpose::Custom if done && page.status != QueryStatus::Complete => {
                        let text = self
                            .custom
                            .as_ref()
                            .map(|c| c.query.clone())
                            .unwrap_or_default();
                        let message = page
                            .message
                            .clone()
                            .unwrap_or_else(|| format!("the query ended {}", page.status.label()));
                        if page.status == QueryStatus::Failed {
                            let mut editor = Editor::open(text);
                            editor.error = Some(message.clone());
                            self.editor = Some(editor);
                        }
                        self.error = Some((BackendError::Other(message), now));
                    }
                    Purpose::Custom => {
                        let custom = self.custom.get_or_insert_with(CustomResult::default);
                        let mut columns: Vec<String> = Vec::new();
                        for row in &page.rows {
                            for (f, _) in row {
                                if f != "@ptr" && !columns.contains(f) {
                                    columns.push(f.clone());
                                }
                            }
                        }
                        custom.columns = columns;
                        custom.rows = page.rows;
                        if done {
                            self.last_tally_at = Some(now);
                        }
                    }
                    Purpose::Tally(part) => {
                        let rows = tally_rows(&page.rows);
                        let range = run.range;
                        if page.status == QueryStatus::Complete {
                            self.partial.clear();
                            match part {
                                Part::Settled => {
                                    self.settled.merge(&rows);
                                    self.counted_to = range.map(|r| r.1);
                                }
                                Part::Recent => self.recent = rows,
                            }
                            if !self.pending.is_empty() {
                                self.pending.remove(0);
                            }
                            if !self.pending.is_empty() {
                                // The refresh goes on with its next range.
                                if let Some(run) = &mut self.run {
                                    run.status = QueryStatus::Running;
                                }
                            } else {
                                self.previous = None;
                                self.last_tally_at = Some(now);
                                self.next_refresh = Some(now + self.refresh_interval(shared));
                            }
                        } else if !done {
                            self.partial = rows;
                        } else {
                            // Failed, Cancelled, Timeout: what was counted stays.
                            self.partial.clear();
                            self.pending.clear();
                            self.error = Some((
                                BackendError::Other(match &page.message {
                                    Some(m) => {
                                        format!("the query ended {}: {m}", page.status.label())
                                    }
                                    None => format!("the query ended {}", page.status.label()),
                                }),
                                now,
                            ));
                            self.next_refresh = Some(now + self.refresh_interval(shared));
                        }
                        self.recompute(shared);
                        return self.locate(shared);
                    }
                    Purpose::Records => {}
                }
                Vec::new()
            }
            QueryEvent::Failed(e) => {
                run.status = QueryStatus::Failed;
                self.partial.clear();
                self.pending.clear();
                let refused = match &e {
                    BackendError::Service {
                        operation,
                        code,
                        message,
                    } if operation == "StartQuery" || operation == "StartQueryExecution" => {
                        Some(match malformed_query(&e) {
                            Some(m) => m.to_string(),
                            None => format!("{code}: {message}"),
                        })
                    }
                    _ => None,
                };
                if purpose == Purpose::Custom
                    && let Some(message) = refused
                {
                    // Back to the editor, with the service's message under the text.
                    let text = self
                        .custom
                        .as_ref()
                        .map(|c| c.query.clone())
                        .unwrap_or_default();
                    let mut editor = Editor::open(text);
                    editor.error = Some(message);
                    self.editor = Some(editor);
                }
                self.error = Some((e, now));
                self.next_refresh = Some(now + self.refresh_interval(shared));
                self.recompute(shared);
                Vec::new()
            }
        }
    }

    fn refresh_interval(&self, shared: &Shared) -> Duration {
        let least = match self.engine {
            Engine::Insights => MIN_REFRESH_SECONDS,
            Engine::Athena => MIN_ATHENA_REFRESH_SECONDS,
        };
        shared.refresh_every.max(Duration::seconds(least))
    }

    /// The window one step wider (`wider`) or narrower, or the next in the cycle.
    fn step_window(&mut self, step: i32, shared: &Shared) -> Vec<Effect> {
        let i = WINDOWS
            .iter()
            .position(|w| *w >= self.window_minutes)
            .unwrap_or(WINDOWS.len() - 1) as i32;
        let next = match step {
            0 => (i + 1) % WINDOWS.len() as i32,
            s => (i + s).clamp(0, WINDOWS.len() as i32 - 1),
        };
        let minutes = WINDOWS[next as usize];
        if minutes == self.window_minutes {
            return Vec::new();
        }
        self.window_minutes = minutes;
        self.window_start = None;
        if let Some(c) = self.custom.clone() {
            self.window_start = Some(shared.now - Duration::minutes(minutes));
            return self.start_custom(shared, c.query);
        }
        self.start_tally(shared, true)
    }

    fn list_len(&self) -> usize {
        match (&self.drill, &self.custom) {
            (Some(d), _) => d.records.len(),
            (None, Some(c)) => c.rows.len(),
            (None, None) => self.rows.len(),
        }
    }

    fn cursor(&mut self) -> &mut usize {
        match &mut self.drill {
            Some(d) => &mut d.selected,
            None => &mut self.selected,
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        self.user_moved = true;
        let len = self.list_len();
        let c = self.cursor();
        *c = (*c as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    /// The selected row's pair, for the Reachability drill-down.
    pub fn reach_subject(&self) -> Option<ReachSubject> {
        if self.custom.is_some() {
            return None;
        }
        let key = match &self.drill {
            Some(d) => &d.key,
            None => &self.merged.get(self.rows.get(self.selected)?.top)?.key,
        };
        let eni = |a: &str| self.places.get(a).and_then(|p| p.interface.clone());
        Some(ReachSubject {
            src: key.src.clone(),
            dst: key.dst.clone(),
            dst_port: key.dst_port,
            protocol: key.protocol,
            src_interface: eni(&key.src),
            dst_interface: eni(&key.dst),
        })
    }

    /// Flow logs neither engine can read (Firehose, unreadable destinations).
    pub fn not_queryable(&self) -> Vec<&FlowLogSource> {
        self.sources
            .get()
            .into_iter()
            .flatten()
            .filter(|s| s.log_group().is_none() && s.s3().is_none())
            .collect()
    }

    fn editor_key(&mut self, key: KeyEvent, shared: &Shared) -> Vec<Effect> {
        let tally_text = self.editor_text(shared);
        let Some(ed) = &mut self.editor else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('r') if ctrl => {
                let text = ed.text.trim().to_string();
                self.editor = None;
                if text.is_empty() || text == tally_text {
                    return self.start_tally(shared, false);
                }
                return self.start_custom(shared, text);
            }
            KeyCode::Char('u') if ctrl => {
                *ed = Editor::open(tally_text);
            }
            KeyCode::Char('n') | KeyCode::Char('p') if ctrl => {
                let saved = self.saved.get().cloned().unwrap_or_default();
                if !saved.is_empty() {
                    let n = saved.len();
                    let i = match (ed.saved, key.code == KeyCode::Char('n')) {
                        (None, true) => 0,
                        (None, false) => n - 1,
                        (Some(i), true) => (i + 1) % n,
                        (Some(i), false) => (i + n - 1) % n,
                    };
                    *ed = Editor::open(saved[i].query.clone());
                    ed.saved = Some(i);
                }
            }
            KeyCode::Esc => self.editor = None,
            KeyCode::Char('c') if ctrl => self.editor = None,
            KeyCode::Enter => ed.insert('\n'),
            KeyCode::Backspace => ed.backspace(),
            KeyCode::Delete => ed.delete(),
            KeyCode::Left => ed.left(),
            KeyCode::Right => ed.right(),
            KeyCode::Up => ed.vertical(false),
            KeyCode::Down => ed.vertical(true),
            KeyCode::Home => ed.home(),
            KeyCode::End => ed.end(),
            KeyCode::Tab => {
                ed.insert(' ');
                ed.insert(' ');
            }
            KeyCode::Char(c) if !ctrl => ed.insert(c),
            _ => {}
        }
        Vec::new()
    }
}

impl Pane for FlowLogsPane {
    fn id(&self) -> PaneId {
        ID
    }

    fn title(&self) -> &'static str {
        "Flow-log REJECTs"
    }

    fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = [self.sources.error.as_ref(), self.error.as_ref()]
            .into_iter()
            .flatten()
            .map(|(e, _)| e.to_string())
            .collect();
        out.extend(self.network_error.iter().map(|e| e.to_string()));
        out
    }

    fn watch(&mut self, _shared: &Shared) -> Vec<Effect> {
        let generation = self.generation + 1;
        let (pivot, sick_only, window) = (self.pivot, self.sick_only, self.window_minutes);
        let engine = self.engine;
        *self = FlowLogsPane::blank(generation);
        self.engine = engine;
        self.pivot = pivot;
        self.sick_only = sick_only;
        if window > 0 {
            self.window_minutes = window;
        }
        let mut effects = vec![
            Effect::Cancel {
                pane: ID,
                kind: "tally",
            },
            Effect::Cancel {
                pane: ID,
                kind: "records",
            },
        ];
        effects.extend(self.discover());
        effects
    }

    fn tick(&mut self, shared: &Shared) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.cancel_records {
            self.cancel_records = false;
            effects.push(Effect::Cancel {
                pane: ID,
                kind: "records",
            });
        }
        if let Some(run) = &mut self.run
            && let Some((_, at)) = run.waiting
            && shared.now >= at
        {
            run.waiting = None;
        }
        match self.next_refresh {
            Some(t)
                if shared.now >= t
                    && !self.running()
                    && self.custom.is_none()
                    && self.editor.is_none() =>
            {
                effects.extend(self.start_tally(shared, false));
            }
            _ => {}
        }
        effects
    }

    fn refresh(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.running() || self.sources.loading {
            return Vec::new();
        }
        if self.sources.get().is_none() {
            return self.discover();
        }
        // No table yet (or the catalog could not be read): look again, someone may
        // have created one, or fixed a permission.
        if self.engine == Engine::Athena && self.athena.table.is_none() && !self.athena.creating {
            return self.athena_discover();
        }
        match self.custom.clone() {
            Some(c) => self.start_custom(shared, c.query),
            None => self.start_tally(shared, false),
        }
    }

    fn shared_changed(&mut self, shared: &Shared) -> Vec<Effect> {
        self.places.clear();
        self.recompute(shared);
        Vec::new()
    }

    fn on_job(&mut self, msg: JobMsg, shared: &Shared) -> Vec<Effect> {
        if msg.generation != self.generation {
            return Vec::new();
        }
        let now = shared.now;
        match msg.take::<FlowLoaded>() {
            Some(FlowLoaded::Sources(r)) => {
                self.sources.finish(r, now);
                self.choose_groups();
                let mut effects = self.athena_discover();
                if self.settled.counts.is_empty() && !self.running() {
                    effects.extend(self.start_tally(shared, true));
                }
                effects
            }
            Some(FlowLoaded::Athena {
                config,
                workgroup,
                tables,
            }) => {
                self.athena.config = Some(config);
                self.athena.workgroup = Some(workgroup);
                self.athena.tables.finish(tables, now);
                self.match_table();
                if self.engine == Engine::Athena
                    && self.settled.counts.is_empty()
                    && !self.running()
                {
                    return self.start_tally(shared, true);
                }
                Vec::new()
            }
            Some(FlowLoaded::TableCreated(r)) => {
                self.athena.creating = false;
                match r {
                    Ok(t) => {
                        tracing::info!(table = %t.name, "Athena table created");
                        self.athena.created = true;
                        self.athena.ddl = None;
                        if let Some(list) = &mut self.athena.tables.data {
                            list.push(t.clone());
                        }
                        self.athena.table = Some(t);
                        self.sync_format();
                        if self.engine == Engine::Athena {
                            return self.start_tally(shared, true);
                        }
                    }
                    Err(e) => self.error = Some((e, now)),
                }
                Vec::new()
            }
            Some(FlowLoaded::Saved(r)) => {
                self.saved.finish(r, now);
                Vec::new()
            }
            Some(FlowLoaded::Query { purpose, event }) => self.on_query(purpose, event, shared),
            Some(FlowLoaded::Network(r)) => {
                self.network_loading = false;
                match r {
                    Ok(n) => {
                        self.network_error = None;
                        self.network.add_subnets(n.subnets);
                        self.network.interfaces.extend(n.interfaces);
                        self.replace_all(shared);
                    }
                    Err(e) => self.network_error = Some(e),
                }
                self.locate(shared)
            }
            None => Vec::new(),
        }
    }

    fn on_action(&mut self, action: Action, shared: &Shared) -> Option<Vec<Effect>> {
        let effects = match action {
            Action::Up => {
                self.move_by(-1);
                Vec::new()
            }
            Action::Down => {
                self.move_by(1);
                Vec::new()
            }
            Action::Top => {
                self.user_moved = true;
                *self.cursor() = 0;
                Vec::new()
            }
            Action::Bottom => {
                let n = self.list_len();
                self.user_moved = true;
                *self.cursor() = n.saturating_sub(1);
                Vec::new()
            }
            Action::NextView | Action::PrevView if self.drill.is_none() => {
                self.pivot = self.pivot.next(action == Action::NextView);
                self.selected = 0;
                self.regroup(shared);
                Vec::new()
            }
            Action::SickZoneOnly if self.drill.is_none() => {
                self.sick_only = !self.sick_only;
                self.selected = 0;
                self.regroup(shared);
                Vec::new()
            }
            Action::DrillDown if self.drill.is_none() => self.drill_down(shared),
            // From the records of a row, Enter asks why it is blocked.
            Action::DrillDown => {
                self.open_reach = self.reach_subject().is_some();
                Vec::new()
            }
            Action::SwitchEngine if self.drill.is_none() && self.editor.is_none() => {
                self.switch_engine(shared)
            }
            Action::Act
                if self.engine == Engine::Athena
                    && self.athena.table.is_none()
                    && self.athena.tables.get().is_some() =>
            {
                self.offer_table(shared)
            }
            Action::Edit => {
                let text = match &self.custom {
                    Some(c) => c.query.clone(),
                    None => self.editor_text(shared),
                };
                self.editor = Some(Editor::open(text));
                Vec::new()
            }
            Action::Act => {
                if self.running() {
                    if let Some(run) = &mut self.run {
                        run.stopped = true;
                    }
                    self.partial.clear();
                    self.pending.clear();
                    self.next_refresh = Some(shared.now + self.refresh_interval(shared));
                    self.recompute(shared);
                    vec![Effect::Cancel {
                        pane: ID,
                        kind: "tally",
                    }]
                } else {
                    match self.custom.clone() {
                        Some(c) => self.start_custom(shared, c.query),
                        None => self.start_tally(shared, true),
                    }
                }
            }
            Action::ZoomOut => self.step_window(1, shared),
            Action::ZoomIn => self.step_window(-1, shared),
            Action::CycleWindow => self.step_window(0, shared),
            _ => return None,
        };
        Some(effects)
    }

    fn text_input(&self) -> bool {
        self.editor.is_some()
    }

    fn take_confirm(&mut self) -> Option<Confirm> {
        match self.athena.ask.take()? {
            Ask::CreateTable => self.create_confirm(),
            Ask::FullScan => self.full_scan_confirm(),
        }
    }

    fn confirmed(&mut self, id: u64, yes: bool, shared: &Shared) -> Vec<Effect> {
        if id / 4 != self.generation {
            return Vec::new();
        }
        match id % 4 {
            ASK_CREATE if yes && !shared.read_only => self.create_table(),
            ASK_FULL_SCAN if yes => {
                self.athena.full_scan_ok = true;
                match self.athena.after_scan.take() {
                    Some(AfterScan::Tally) => self.start_tally(shared, true),
                    Some(AfterScan::Custom(text)) => self.start_custom(shared, text),
                    None => Vec::new(),
                }
            }
            ASK_FULL_SCAN => {
                self.athena.after_scan = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_key(&mut self, key: KeyEvent, shared: &Shared) -> Vec<Effect> {
        self.editor_key(key, shared)
    }

    fn drill_depth(&self) -> usize {
        usize::from(self.drill.is_some())
    }

    fn back(&mut self) -> bool {
        if self.drill.take().is_some() {
            // Its query, if still running, is stopped at the next tick.
            self.cancel_records = true;
            return true;
        }
        false
    }

    fn take_overlay(&mut self, _shared: &Shared) -> Option<Box<dyn Pane>> {
        if !std::mem::take(&mut self.open_reach) {
            return None;
        }
        let s = self.reach_subject()?;
        Some(crate::app::panes::reach::open(
            crate::model::reach::ReachRequest::new(
                s.src,
                s.dst,
                s.dst_port,
                s.protocol,
                s.src_interface,
                s.dst_interface,
            ),
        ))
    }

    fn publish(&self, shared: &mut Shared) {
        shared.reach_subject = self.reach_subject();
    }

    fn detail(&self, shared: &Shared) -> Vec<Line<'static>> {
        crate::ui::flowlogs::detail_lines(self, shared)
    }

    fn hints(&self, shared: &Shared) -> Vec<(Action, &'static str)> {
        if self.drill.is_some() {
            return vec![(Action::DrillDown, "why blocked?"), (Action::Back, "back")];
        }
        if self.engine == Engine::Athena && self.athena.table.is_none() {
            let mut h = Vec::new();
            if self.athena.ddl.as_ref().is_some_and(|d| d.is_ok()) && !shared.read_only {
                h.push((Action::Act, "create table…"));
            }
            if self.can_switch() {
                h.push((Action::SwitchEngine, "Logs Insights"));
            }
            return h;
        }
        let mut h = vec![
            (Action::NextView, "pivot"),
            (
                Action::SickZoneOnly,
                if self.sick_only {
                    "all zones"
                } else {
                    "sick AZ only"
                },
            ),
            (Action::DrillDown, "records"),
            (Action::Edit, "edit query"),
            (
                Action::Act,
                if self.running() {
                    "stop query"
                } else {
                    "re-run"
                },
            ),
            (Action::ZoomOut, "widen"),
            (Action::ZoomIn, "narrow"),
        ];
        if self.can_switch() {
            h.push((
                Action::SwitchEngine,
                match self.engine {
                    Engine::Insights => "Athena",
                    Engine::Athena => "Logs Insights",
                },
            ));
        }
        if self.custom.is_some() {
            h.retain(|(a, _)| {
                !matches!(
                    a,
                    Action::NextView | Action::SickZoneOnly | Action::DrillDown
                )
            });
        }
        h
    }

    fn render(&self, area: Rect, buf: &mut Buffer, shared: &Shared, number: usize, focused: bool) {
        crate::ui::flowlogs::render(area, buf, self, shared, number, focused);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

mod athena;
pub use athena::AthenaSide;
use athena::{AfterScan, Ask};

#[cfg(test)]
mod tests;
