//! Capability: AWS Health events (the live backend: the Health API, active endpoint
//! us-east-1 with failover to us-east-2; the demo: the simulated incident's events).
//!
//! Domain types only (`crate::model::health`). Every answer says which endpoint gave it.
//! Without a Business, Enterprise On-Ramp or Enterprise support plan every call fails
//! with [`crate::backend::BackendError::NotSubscribed`].

use crate::backend::BackendError;
use crate::model::health::{AffectedEntity, Answered, HealthEvent, HealthView, OrgAccess};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait HealthEvents: Send + Sync {
    /// Open and upcoming events, and events closed within
    /// [`crate::model::health::RECENTLY_CLOSED_DAYS`] of `now`, of the account (or the
    /// organization), every page read; in the account view each comes with its
    /// description (DescribeEventDetails, at most 10 ARNs a call) and its affected
    /// entities (DescribeAffectedEntities). Not yet filtered by region: the pane does that.
    async fn health_events(
        &self,
        view: HealthView,
        now: DateTime<Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError>;

    /// The accounts an organization event affects (DescribeAffectedAccountsForOrganization),
    /// as entities whose value is the account ID.
    async fn affected_accounts(
        &self,
        event_arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError>;

    /// The description of an organization event as one affected account sees it
    /// (DescribeEventDetailsForOrganization); `None` when AWS has none for it.
    async fn organization_event_description(
        &self,
        event_arn: &str,
        account: &str,
    ) -> Result<Option<String>, BackendError>;

    /// Whether the organization view is available to this account
    /// (DescribeHealthServiceStatusForOrganization).
    async fn organization_access(&self) -> Result<OrgAccess, BackendError>;
}
