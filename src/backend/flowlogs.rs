//! Capability: VPC flow logs and Logs Insights queries over them, and the network facts
//! that place an address (subnets, interfaces). Domain types in and out; the live
//! implementation is `aws::logs` (CloudWatch Logs) + `aws::flow_ec2` (EC2), the
//! simulation `demo::flowlogs`.
//!
//! A query is started, polled and stopped by the caller (the pane's job), so that each
//! poll can be reported while it runs and the stop can be registered as the job's
//! cleanup.

use crate::backend::BackendError;
use crate::model::flowlogs::{InterfaceInfo, LogFormat, ResultRow, SubnetInfo};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Where a flow log delivers its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A CloudWatch Logs group: queryable with Logs Insights.
    LogGroup(String),
    /// S3 or Firehose (with its ARN): not queryable with Logs Insights.
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
            Destination::Elsewhere { .. } => None,
        }
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
}

/// One answer of GetQueryResults: the rows so far (partial while Running).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage {
    pub status: QueryStatus,
    pub rows: Vec<ResultRow>,
    pub stats: QueryStats,
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

/// The service's message when `e` is a malformed query.
pub fn malformed_query(e: &BackendError) -> Option<&str> {
    match e {
        BackendError::Service { code, message, .. } if code == MALFORMED_QUERY => Some(message),
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
}
