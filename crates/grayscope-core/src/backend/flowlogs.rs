//! Capability: VPC flow logs and the queries over them, on either engine (Logs
//! Insights for flow logs in CloudWatch Logs, Athena for flow logs in S3), and the
//! network facts that place an address (subnets, interfaces). Domain types in and out;
//! the live implementation is `aws::logs` (CloudWatch Logs) + `aws::athena` (Athena
//! over the Glue Data Catalog) + `aws::flow_ec2` (EC2), the simulation
//! `demo::flowlogs` (+ `demo::athena`).
//!
//! A query is started, polled and stopped by the caller (the pane's job), so that each
//! poll can be reported while it runs and the stop can be registered as the job's
//! cleanup. [`FlowQuery`] is the engine choice: [`start`], [`poll`] and [`stop`] route
//! it, so the pane's job is one loop whichever engine answers.

use crate::backend::BackendError;
use crate::model::athena::{
    AthenaTable, DEFAULT_CATALOG, DEFAULT_DATABASE, DEFAULT_WORKGROUP, S3Delivery,
};
use crate::model::flowlogs::{InterfaceInfo, LogFormat, ResultRow, SubnetInfo};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Where a flow log delivers its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A CloudWatch Logs group: queryable with Logs Insights.
    LogGroup(String),
    /// An S3 bucket (and prefix): queryable with Athena through a table over it.
    S3(S3Delivery),
    /// Firehose, or an S3 ARN that could not be read (with its ARN): not queryable.
    Elsewhere { kind: String, arn: String },
}

/// One flow log as DescribeFlowLogs reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowLogSource {
    pub id: String,
    /// The VPC, subnet or interface it covers.
    pub resource_id: String,
    pub destination: Destination,
    pub format: LogFormat,
    /// ACCEPT, REJECT or ALL.
    pub traffic: String,
    pub status: String,
}

impl FlowLogSource {
    pub fn log_group(&self) -> Option<&str> {
        match &self.destination {
            Destination::LogGroup(g) => Some(g),
            _ => None,
        }
    }

    pub fn s3(&self) -> Option<&S3Delivery> {
        match &self.destination {
            Destination::S3(d) => Some(d),
            _ => None,
        }
    }
}

/// Which engine answers the flow-log pane's queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// CloudWatch Logs Insights, over flow logs in log groups.
    #[default]
    Insights,
    /// Amazon Athena, over flow logs in S3 (through a table in the Glue Data Catalog).
    Athena,
}

impl Engine {
    pub fn label(self) -> &'static str {
        match self {
            Engine::Insights => "Logs Insights",
            Engine::Athena => "Athena",
        }
    }
}

/// Where Athena queries run: `--athena-workgroup`, `--athena-database`,
/// `--athena-catalog` or the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaConfig {
    pub workgroup: String,
    pub catalog: String,
    pub database: String,
}

impl Default for AthenaConfig {
    fn default() -> Self {
        Self {
            workgroup: DEFAULT_WORKGROUP.into(),
            catalog: DEFAULT_CATALOG.into(),
            database: DEFAULT_DATABASE.into(),
        }
    }
}

/// What GetWorkGroup says about where query results go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Workgroup {
    pub name: String,
    /// ENABLED or DISABLED.
    pub state: String,
    /// The workgroup's result location (`s3://...`), used as is.
    pub output_location: Option<String>,
    /// Athena keeps the results itself (managed query results): no location needed.
    pub managed_results: bool,
    /// The workgroup cancels a query that scans more than this.
    pub bytes_cutoff: Option<i64>,
}

impl Workgroup {
    /// Why queries cannot run in it, in words; `None` when they can.
    pub fn problem(&self) -> Option<String> {
        if self.state.eq_ignore_ascii_case("DISABLED") {
            return Some(format!("the Athena workgroup {} is disabled", self.name));
        }
        if self.output_location.is_none() && !self.managed_results {
            return Some(format!(
                "the Athena workgroup {} has no query result location: set one on it (or enable managed query results), or pick another with --athena-workgroup",
                self.name
            ));
        }
        None
    }
}

/// One query, on the engine that answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowQuery {
    Insights(QueryRequest),
    /// SQL over a table; the window it covers is in the SQL (partition predicates),
    /// `start` and `end` say which for the pane.
    Athena {
        sql: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

impl From<QueryRequest> for FlowQuery {
    fn from(r: QueryRequest) -> Self {
        FlowQuery::Insights(r)
    }
}

impl FlowQuery {
    pub fn engine(&self) -> Engine {
        match self {
            FlowQuery::Insights(_) => Engine::Insights,
            FlowQuery::Athena { .. } => Engine::Athena,
        }
    }

    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            FlowQuery::Insights(r) => (r.start, r.end),
            FlowQuery::Athena { start, end, .. } => (*start, *end),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            FlowQuery::Insights(r) => &r.query,
            FlowQuery::Athena { sql, .. } => sql,
        }
    }
}

/// Starts `q` on its engine; returns the query (execution) ID.
pub async fn start(f: &dyn FlowLogs, q: &FlowQuery) -> Result<String, BackendError> {
    match q {
        FlowQuery::Insights(r) => f.start_query(r).await,
        FlowQuery::Athena { sql, .. } => f.start_athena(sql).await,
    }
}

/// One poll of a query on `engine`: its state, rows (when there are) and statistics.
pub async fn poll(f: &dyn FlowLogs, engine: Engine, id: &str) -> Result<QueryPage, BackendError> {
    match engine {
        Engine::Insights => f.query_results(id).await,
        Engine::Athena => f.athena_results(id).await,
    }
}

/// Stops a query on `engine`. `Ok(false)`: it had already stopped.
pub async fn stop(f: &dyn FlowLogs, engine: Engine, id: &str) -> Result<bool, BackendError> {
    match engine {
        Engine::Insights => f.stop_query(id).await,
        Engine::Athena => f.stop_athena(id).await,
    }
}

fn no_athena(operation: &str) -> BackendError {
    BackendError::Unsupported {
        operation: operation.into(),
        status: 501,
    }
}

/// A query to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRequest {
    pub log_groups: Vec<String>,
    /// Inclusive, whole seconds (as StartQuery takes them).
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub query: String,
    pub limit: Option<i32>,
}

/// A query's state as GetQueryResults reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStatus {
    Scheduled,
    Running,
    Complete,
    Failed,
    Cancelled,
    Timeout,
    Unknown,
}

impl QueryStatus {
    /// Whether the query has stopped (no more results will come).
    pub fn is_done(self) -> bool {
        !matches!(self, QueryStatus::Scheduled | QueryStatus::Running)
    }

    pub fn label(self) -> &'static str {
        match self {
            QueryStatus::Scheduled => "Scheduled",
            QueryStatus::Running => "Running",
            QueryStatus::Complete => "Complete",
            QueryStatus::Failed => "Failed",
            QueryStatus::Cancelled => "Cancelled",
            QueryStatus::Timeout => "Timeout",
            QueryStatus::Unknown => "Unknown",
        }
    }
}

/// What a query has scanned and matched so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueryStats {
    pub records_matched: f64,
    pub records_scanned: f64,
    pub bytes_scanned: f64,
    /// Athena: time spent queued, and running in the engine, so far (milliseconds).
    pub queued_ms: f64,
    pub engine_ms: f64,
}

/// One answer of GetQueryResults: the rows so far (partial while Running).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage {
    pub status: QueryStatus,
    pub rows: Vec<ResultRow>,
    pub stats: QueryStats,
    /// Why it ended Failed or Cancelled, in words (Athena's reason).
    pub message: Option<String>,
}

/// A saved query (DescribeQueryDefinitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    pub name: String,
    pub query: String,
    pub log_groups: Vec<String>,
}

/// The error code Logs returns when too many queries run at once in the account.
pub const LIMIT_EXCEEDED: &str = "LimitExceededException";
/// The error code for a query the service cannot compile.
pub const MALFORMED_QUERY: &str = "MalformedQueryException";

/// Whether `e` says the account runs as many Insights queries as it may.
pub fn is_limit_exceeded(e: &BackendError) -> bool {
    matches!(e, BackendError::Service { code, .. } if code == LIMIT_EXCEEDED)
}

/// The code Athena answers StartQueryExecution with for SQL it cannot compile (and
/// for a workgroup without a result location).
pub const INVALID_REQUEST: &str = "InvalidRequestException";

/// The service's message when `e` is a malformed query (Logs Insights'
/// MalformedQueryException, Athena's InvalidRequestException on StartQueryExecution).
pub fn malformed_query(e: &BackendError) -> Option<&str> {
    match e {
        BackendError::Service { code, message, .. } if code == MALFORMED_QUERY => Some(message),
        BackendError::Service {
            operation,
            code,
            message,
        } if code == INVALID_REQUEST && operation == "StartQueryExecution" => Some(message),
        _ => None,
    }
}

#[async_trait]
pub trait FlowLogs: Send + Sync {
    /// Every flow log in the region (DescribeFlowLogs, all pages).
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError>;

    /// Starts a Logs Insights query; returns its ID.
    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError>;

    /// The query's status, rows so far and statistics.
    async fn query_results(&self, query_id: &str) -> Result<QueryPage, BackendError>;

    /// Stops a running query. `Ok(false)`: it had already stopped.
    async fn stop_query(&self, query_id: &str) -> Result<bool, BackendError>;

    /// Saved queries (DescribeQueryDefinitions, all pages).
    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError>;

    /// The subnets of these VPCs with their CIDRs and zone IDs (cached for the session).
    async fn subnets(&self, vpc_ids: &[String]) -> Result<Vec<SubnetInfo>, BackendError>;

    /// The interfaces holding these addresses, with the resource behind each (cached:
    /// an address is looked up once per session).
    async fn interfaces(&self, addresses: &[String]) -> Result<Vec<InterfaceInfo>, BackendError>;

    /// How long to wait between two polls of a running query.
    fn poll_every(&self) -> Duration {
        Duration::from_secs(1)
    }

    /// Where Athena queries run.
    fn athena_config(&self) -> AthenaConfig {
        AthenaConfig::default()
    }

    /// The workgroup's state and result location (GetWorkGroup).
    async fn athena_workgroup(&self) -> Result<Workgroup, BackendError> {
        Err(no_athena("GetWorkGroup"))
    }

    /// Every table of the configured catalog and database (ListTableMetadata, all pages).
    async fn athena_tables(&self) -> Result<Vec<AthenaTable>, BackendError> {
        Err(no_athena("ListTableMetadata"))
    }

    /// One table of the configured catalog and database (GetTableMetadata).
    async fn athena_table(&self, _name: &str) -> Result<AthenaTable, BackendError> {
        Err(no_athena("GetTableMetadata"))
    }

    /// Starts SQL (a query or DDL) in the configured workgroup, catalog and database,
    /// results to the workgroup's own location (StartQueryExecution); returns its ID.
    async fn start_athena(&self, _sql: &str) -> Result<String, BackendError> {
        Err(no_athena("StartQueryExecution"))
    }

    /// The query's state and statistics (GetQueryExecution) and, once it succeeded,
    /// its rows (GetQueryResults, every page up to the tally's limit).
    async fn athena_results(&self, _id: &str) -> Result<QueryPage, BackendError> {
        Err(no_athena("GetQueryExecution"))
    }

    /// Stops a query (StopQueryExecution). `Ok(false)`: it had already ended.
    async fn stop_athena(&self, _id: &str) -> Result<bool, BackendError> {
        Err(no_athena("StopQueryExecution"))
    }
}
