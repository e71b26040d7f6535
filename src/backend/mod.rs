//! Where data comes from. [`Backend`] takes and returns domain types (`crate::model`);
//! `aws` implements it with the official SDK clients, `demo` computes it from the
//! simulated incident. SDK types never leave `backend/aws/`.
//!
//! Every call returns `Result<_, BackendError>`: an error a pane can show in one line,
//! and whose kind the app can branch on (expired credentials, access denied, ...).

pub mod aws;
pub mod demo;

use crate::model::metrics::{Window, ZoneMetrics};
use crate::model::targets::TargetGroupHealth;
use crate::model::zones::{LoadBalancer, Zone};
use async_trait::async_trait;

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
    #[error("{operation}: access denied ({message}); the IAM policy needs this action")]
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

/// Everything a pane can ask for. Implementations must be cheap to share (`Arc`)
/// and safe to call concurrently: the app runs independent calls at the same time.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Region and profile in effect, once configuration has resolved.
    async fn identity(&self) -> Result<Identity, BackendError>;

    /// Load balancers named (by name or ARN) in `wanted`, or all of them when empty.
    async fn load_balancers(&self, wanted: &[String]) -> Result<Vec<LoadBalancer>, BackendError>;

    /// The account's Availability Zones in the region (names and IDs).
    async fn zones(&self) -> Result<Vec<Zone>, BackendError>;

    /// Every target group behind `lbs` with its targets' health; each target's zone
    /// resolved (reported, else through its instance or its IP's subnet).
    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Vec<TargetGroupHealth>, BackendError>;

    /// Per-AZ metrics of one load balancer over `window`, in one GetMetricData call
    /// (plus its pages).
    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError>;
}
