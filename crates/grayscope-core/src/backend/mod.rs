//! Where data comes from, split by capability: [`Account`], [`Targets`] (load
//! balancers, zones, target health), [`Metrics`], [`HealthEvents`] (AWS Health, in
//! `health`), [`flowlogs::FlowLogs`] (flow logs, Logs Insights queries, subnets and
//! interfaces), [`paths::ReachPaths`] (Reachability Analyzer), [`bands::Bands`]
//! (anomaly bands), [`zonal_shift::ZonalShifts`] (ARC zonal shift: read, start, extend,
//! cancel); [`Services`] bundles them for jobs.
//! Each takes and returns domain types (`crate::model`); the `grayscope-aws` crate
//! implements them with the official SDK clients (one file per capability; grayscope
//! re-exports it as `backend::aws`), `demo` computes them from the simulated incident.
//! SDK types never leave that crate: no other crate's code depends on the SDK.
//!
//! Every call returns `Result<_, BackendError>`: an error a pane can show in one line,
//! and whose kind the app can branch on (expired credentials, access denied, ...).

pub mod bands;
pub mod demo;
pub mod flowlogs;
pub mod health;
pub mod iam;
pub mod paths;
pub mod zonal_shift;

pub use health::HealthEvents;

use crate::model::metrics::{Window, ZoneMetrics};
use crate::model::targets::TargetGroupHealth;
use crate::model::zones::{LoadBalancer, Zone};
use async_trait::async_trait;
use std::sync::Arc;

/// Who and where the backend is talking to, for the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub region: Option<String>,
    pub profile: Option<String>,
}

/// An error a pane can show, in words that say what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("credentials expired: {hint}")]
    CredentialsExpired { hint: String },
    #[error("no credentials: {0}")]
    NoCredentials(String),
    #[error("{operation}: access denied ({message}); {}", iam::needs(.operation))]
    AccessDenied { operation: String, message: String },
    #[error("{operation}: throttled by AWS; will retry at the next refresh")]
    Throttled { operation: String },
    #[error(
        "{operation}: AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan"
    )]
    NotSubscribed { operation: String },
    #[error("{operation}: cannot reach the endpoint: {message}")]
    Unreachable { operation: String, message: String },
    #[error("{operation}: timed out: {message}")]
    Timeout { operation: String, message: String },
    #[error("{operation}: the endpoint does not implement this operation (HTTP {status})")]
    Unsupported { operation: String, status: u16 },
    #[error("{operation}: {code}: {message}")]
    Service {
        operation: String,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

/// Data that loaded, with what could not be loaded beside it: one missing or throttled
/// item (a load balancer name that does not exist, a target group whose health call
/// failed) is reported by name while its siblings still show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Partial<T> {
    pub data: T,
    /// One line per item that failed, naming it.
    pub problems: Vec<BackendError>,
}

impl<T> Partial<T> {
    pub fn complete(data: T) -> Self {
        Self {
            data,
            problems: Vec::new(),
        }
    }
}

/// Who the backend talks to. Implementations must be cheap to share (`Arc`) and safe to
/// call concurrently, as must every capability below.
#[async_trait]
pub trait Account: Send + Sync {
    /// Region and profile in effect, once configuration has resolved.
    async fn identity(&self) -> Result<Identity, BackendError>;
}

/// Capability: load balancers, zones and targets (ELBv2 + EC2 in the live backend).
#[async_trait]
pub trait Targets: Send + Sync {
    /// Load balancers named (by name or ARN) in `wanted`, or all of them when empty.
    /// A name that does not exist is a problem naming it; the others still load.
    async fn load_balancers(
        &self,
        wanted: &[String],
    ) -> Result<Partial<Vec<LoadBalancer>>, BackendError>;

    /// The account's Availability Zones in the region (names and IDs).
    async fn zones(&self) -> Result<Vec<Zone>, BackendError>;

    /// Every target group behind `lbs` with its targets' health; each target's zone
    /// resolved (reported, else through its instance or its IP's subnet). A group whose
    /// health cannot be read is a problem naming it; the other groups still load.
    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Partial<Vec<TargetGroupHealth>>, BackendError>;
}

/// Capability: per-AZ load-balancer metrics (CloudWatch).
#[async_trait]
pub trait Metrics: Send + Sync {
    /// Per-AZ metrics of one load balancer over `window`, in one GetMetricData call
    /// (plus its pages).
    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError>;
}

/// Every capability a pane can ask for, each behind its own trait. A pane's job gets
/// a clone and calls only what it needs. A new capability is a trait above (or in its
/// own file), one field here, and one line in each constructor.
#[derive(Clone)]
pub struct Services {
    pub account: Arc<dyn Account>,
    pub targets: Arc<dyn Targets>,
    pub metrics: Arc<dyn Metrics>,
    pub health: Arc<dyn HealthEvents>,
    pub reach: Arc<dyn paths::ReachPaths>,
    pub bands: Arc<dyn bands::Bands>,
    pub flowlogs: Arc<dyn flowlogs::FlowLogs>,
    pub shifts: Arc<dyn zonal_shift::ZonalShifts>,
}

impl Services {
    /// One backend that has every capability (the live and the demo backends do).
    pub fn from_backend<B>(backend: Arc<B>) -> Self
    where
        B: Account
            + Targets
            + Metrics
            + HealthEvents
            + paths::ReachPaths
            + bands::Bands
            + flowlogs::FlowLogs
            + zonal_shift::ZonalShifts
            + 'static,
    {
        Self {
            account: backend.clone(),
            targets: backend.clone(),
            metrics: backend.clone(),
            health: backend.clone(),
            reach: backend.clone(),
            bands: backend.clone(),
            flowlogs: backend.clone(),
            shifts: backend,
        }
    }
}
