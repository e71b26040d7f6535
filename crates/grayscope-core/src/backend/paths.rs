//! Capability: Reachability Analyzer (EC2 Network Insights) and the interfaces behind
//! addresses. Domain types in and out (`crate::model::reach`); the live backend speaks
//! EC2, the demo answers from its simulated VPC.
//!
//! Everything created is tagged `created-by=grayscope` ([`CREATED_BY_KEY`]) so a later
//! session can find and reuse its paths; the caller deletes what it created.

use crate::backend::BackendError;
use crate::model::reach::{Analysis, Endpoint, PathSpec};
use async_trait::async_trait;
use std::time::Duration;

/// The tag grayscope puts on every path it creates.
pub const CREATED_BY_KEY: &str = "created-by";
pub const CREATED_BY_VALUE: &str = "grayscope";

/// A started analysis: its id and ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisRef {
    pub id: String,
    pub arn: String,
}

#[async_trait]
pub trait ReachPaths: Send + Sync {
    /// The interface behind a private address or an ENI id (`eni-...`); `None` when
    /// nothing in the region has it.
    async fn interface(&self, address_or_eni: &str) -> Result<Option<Endpoint>, BackendError>;

    /// A path grayscope created earlier with exactly these parameters.
    async fn find_path(&self, spec: &PathSpec) -> Result<Option<String>, BackendError>;

    /// Creates a path (tagged as grayscope's); returns its id.
    async fn create_path(&self, spec: &PathSpec) -> Result<String, BackendError>;

    /// Starts one (billed) analysis of the path.
    async fn start_analysis(&self, path_id: &str) -> Result<AnalysisRef, BackendError>;

    /// The analysis as it stands (running, or its result).
    async fn analysis(&self, analysis_id: &str) -> Result<Analysis, BackendError>;

    async fn delete_analysis(&self, analysis_id: &str) -> Result<(), BackendError>;

    async fn delete_path(&self, path_id: &str) -> Result<(), BackendError>;

    /// How long to wait between polls of a running analysis.
    fn poll_every(&self) -> Duration {
        Duration::from_secs(2)
    }
}
