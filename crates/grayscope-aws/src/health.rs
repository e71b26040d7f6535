//! AWS Health: events, their details and affected entities, and the organization view.
//!
//! Health is a global service with two regional endpoints, active (us-east-1) and
//! passive (us-east-2). Every load starts at the active one; when it cannot be reached,
//! times out or answers with a server error, the same call goes to the passive one and
//! the rest of that load stays there. The answer says which endpoint gave it and why it
//! failed over. Without a Business, Enterprise On-Ramp or Enterprise support plan the
//! API answers `SubscriptionRequiredException` (not a modelled error: `error::classify`
//! matches its code) and that is [`BackendError::NotSubscribed`]: never a reason to fail
//! over.
//!
//! Calls: DescribeEvents (open + upcoming; closed within the last week; every page),
//! DescribeEventDetails and DescribeAffectedEntities (at most 10 ARNs a call),
//! DescribeHealthServiceStatusForOrganization, DescribeEventsForOrganization,
//! DescribeAffectedAccountsForOrganization, DescribeEventDetailsForOrganization.

use super::pace::Pacer;
use super::paging::{all_pages, one_call};
use super::{AwsBackend, AwsClients};
use super::{chrono_time, smithy_time};
use crate::backend::{BackendError, HealthEvents};
use crate::model::health::{
    AffectedEntity, Answered, Category, EntityStatus, EventStatus, HealthEvent, HealthView,
    OrgAccess, RECENTLY_CLOSED_DAYS, batches,
};
use crate::model::text::{clean, ellipsize};
use async_trait::async_trait;
use aws_sdk_health::types::{
    DateTimeRange, EntityFilter, Event, EventAccountFilter, EventFilter, EventStatusCode,
    OrganizationEvent, OrganizationEventFilter,
};
use chrono::{DateTime, Utc};
use std::future::Future;

const SERVICE: &str = "health";
/// The active Health endpoint's region.
pub const ACTIVE_REGION: &str = "us-east-1";
/// The passive Health endpoint's region (failover).
pub const PASSIVE_REGION: &str = "us-east-2";
/// How an error says that the passive endpoint failed too.
const BOTH: &str = "us-east-1 and us-east-2 both";
/// Events per DescribeEvents page (the API allows 10 to 100).
const PAGE_SIZE: i32 = 100;

/// One endpoint's client, named so every call reads `ctx.clients.health.<op>()`.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) health: aws_sdk_health::Client,
}

/// What one call needs: the endpoint it goes to, the profile for error hints, the pacer.
pub(crate) struct On<'a> {
    pub(crate) clients: Endpoint,
    pub(crate) profile: Option<&'a str>,
    pub(crate) pace: &'a Pacer,
}

/// Whether an error from the active endpoint means "try the passive one".
pub fn fails_over(e: &BackendError) -> bool {
    match e {
        BackendError::Unreachable { .. } | BackendError::Timeout { .. } => true,
        BackendError::Service { code, .. } => {
            code.starts_with("HTTP 5")
                || matches!(
                    code.as_str(),
                    "InternalFailure"
                        | "InternalServerError"
                        | "InternalServiceError"
                        | "ServiceUnavailable"
                        | "ServiceUnavailableException"
                )
        }
        _ => false,
    }
}

/// Which endpoint a load is using, and why it left the active one.
struct Route<'a> {
    active: Endpoint,
    passive: Endpoint,
    profile: Option<&'a str>,
    pace: &'a Pacer,
    on_passive: bool,
    failover: Option<String>,
}

impl<'a> Route<'a> {
    fn new(b: &'a AwsBackend, clients: &AwsClients, profile: Option<&'a str>) -> Self {
        // (Clone::clone: the coverage scan reads `.health.<op>()` as an SDK call.)
        Self {
            active: Endpoint {
                health: Clone::clone(&clients.health),
            },
            passive: Endpoint {
                health: Clone::clone(&clients.health_failover),
            },
            profile,
            pace: &b.pace.health,
            on_passive: false,
            failover: None,
        }
    }

    fn on(&self, passive: bool) -> On<'a> {
        On {
            clients: if passive {
                self.passive.clone()
            } else {
                self.active.clone()
            },
            profile: self.profile,
            pace: self.pace,
        }
    }

    /// Runs `call` on the current endpoint, failing over once to the passive one.
    async fn call<T, F, Fut>(&mut self, call: F) -> Result<T, BackendError>
    where
        F: Fn(On<'a>) -> Fut,
        Fut: Future<Output = Result<T, BackendError>>,
    {
        if !self.on_passive {
            match call(self.on(false)).await {
                Err(e) if fails_over(&e) => {
                    tracing::warn!(error = %e, "AWS Health active endpoint failed; trying {PASSIVE_REGION}");
                    self.on_passive = true;
                    self.failover = Some(format!("{ACTIVE_REGION}: {e}"));
                }
                other => return other,
            }
        }
        call(self.on(true)).await.map_err(|e| match e {
            // Both endpoints down: say so, the passive one's error in the words.
            BackendError::Unreachable { operation, message } if self.failover.is_some() => {
                BackendError::Unreachable {
                    operation,
                    message: format!("{BOTH}: {message}"),
                }
            }
            BackendError::Timeout { operation, message } if self.failover.is_some() => {
                BackendError::Timeout {
                    operation,
                    message: format!("{BOTH}: {message}"),
                }
            }
            other => other,
        })
    }

    fn answered<T>(&self, data: T, problems: Vec<String>) -> Answered<T> {
        Answered {
            data,
            endpoint: if self.on_passive {
                PASSIVE_REGION
            } else {
                ACTIVE_REGION
            }
            .to_string(),
            failover: self.failover.clone(),
            problems,
        }
    }
}

#[async_trait]
impl HealthEvents for AwsBackend {
    async fn health_events(
        &self,
        view: HealthView,
        now: DateTime<Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
        let ctx = self.ctx().await;
        let mut route = Route::new(self, ctx.clients, ctx.profile);
        let since = now - chrono::Duration::days(RECENTLY_CLOSED_DAYS);
        match view {
            HealthView::Account => account_events(&mut route, since).await,
            HealthView::Organization => organization_events(&mut route, since).await,
        }
    }

    async fn affected_accounts(
        &self,
        event_arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError> {
        let ctx = self.ctx().await;
        let mut route = Route::new(self, ctx.clients, ctx.profile);
        let accounts = route
            .call(|ctx| async move { describe_affected_accounts(&ctx, event_arn).await })
            .await?;
        Ok(route.answered(accounts, Vec::new()))
    }

    async fn organization_event_description(
        &self,
        event_arn: &str,
        account: &str,
    ) -> Result<Option<String>, BackendError> {
        let ctx = self.ctx().await;
        let mut route = Route::new(self, ctx.clients, ctx.profile);
        route
            .call(|ctx| async move { describe_org_event_details(&ctx, event_arn, account).await })
            .await
    }

    async fn organization_access(&self) -> Result<OrgAccess, BackendError> {
        let ctx = self.ctx().await;
        let mut route = Route::new(self, ctx.clients, ctx.profile);
        route
            .call(|ctx| async move { organization_status(&ctx).await })
            .await
    }
}

async fn account_events(
    route: &mut Route<'_>,
    since: DateTime<Utc>,
) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
    let open = EventFilter::builder()
        .event_status_codes(EventStatusCode::Open)
        .event_status_codes(EventStatusCode::Upcoming)
        .build();
    let closed = EventFilter::builder()
        .event_status_codes(EventStatusCode::Closed)
        .end_times(DateTimeRange::builder().from(smithy_time(since)).build())
        .build();
    let mut events = route
        .call(|ctx| {
            let f = open.clone();
            async move { describe_events(&ctx, f).await }
        })
        .await?;
    events.extend(
        route
            .call(|ctx| {
                let f = closed.clone();
                async move { describe_events(&ctx, f).await }
            })
            .await?,
    );
    let arns: Vec<String> = events.iter().map(|e| e.arn.clone()).collect();
    let mut problems = Vec::new();
    for batch in batches(&arns) {
        match route
            .call(|ctx| {
                let b = batch.clone();
                async move { describe_event_details(&ctx, b).await }
            })
            .await
        {
            Ok((found, failed)) => {
                for (arn, description) in found {
                    if let Some(e) = events.iter_mut().find(|e| e.arn == arn) {
                        e.description = Some(description);
                    }
                }
                problems.extend(failed);
            }
            Err(e @ BackendError::NotSubscribed { .. }) => return Err(e),
            Err(e) => problems.push(e.to_string()),
        }
        match route
            .call(|ctx| {
                let b = batch.clone();
                async move { describe_affected_entities(&ctx, b).await }
            })
            .await
        {
            Ok(entities) => {
                for en in entities {
                    if let Some(e) = events.iter_mut().find(|e| e.arn == en.event_arn) {
                        e.entities.push(en);
                    }
                }
            }
            Err(e @ BackendError::NotSubscribed { .. }) => return Err(e),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok(route.answered(events, problems))
}

async fn organization_events(
    route: &mut Route<'_>,
    since: DateTime<Utc>,
) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
    let open = OrganizationEventFilter::builder()
        .event_status_codes(EventStatusCode::Open)
        .event_status_codes(EventStatusCode::Upcoming)
        .build();
    let closed = OrganizationEventFilter::builder()
        .event_status_codes(EventStatusCode::Closed)
        .end_time(DateTimeRange::builder().from(smithy_time(since)).build())
        .build();
    let mut events = route
        .call(|ctx| {
            let f = open.clone();
            async move { describe_events_for_organization(&ctx, f).await }
        })
        .await?;
    events.extend(
        route
            .call(|ctx| {
                let f = closed.clone();
                async move { describe_events_for_organization(&ctx, f).await }
            })
            .await?,
    );
    Ok(route.answered(events, Vec::new()))
}

async fn describe_events(
    ctx: &On<'_>,
    filter: EventFilter,
) -> Result<Vec<HealthEvent>, BackendError> {
    const OP: &str = "DescribeEvents";
    ctx.pace
        .run(|| async {
            let mut out = Vec::new();
            let pages = ctx
                .clients
                .health
                .describe_events()
                .filter(filter.clone())
                .max_results(PAGE_SIZE)
                .into_paginator()
                .send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.events().iter().filter_map(map_event));
            })
            .await?;
            Ok(out)
        })
        .await
}

async fn describe_events_for_organization(
    ctx: &On<'_>,
    filter: OrganizationEventFilter,
) -> Result<Vec<HealthEvent>, BackendError> {
    const OP: &str = "DescribeEventsForOrganization";
    ctx.pace
        .run(|| async {
            let mut out = Vec::new();
            let pages = ctx
                .clients
                .health
                .describe_events_for_organization()
                .filter(filter.clone())
                .max_results(PAGE_SIZE)
                .into_paginator()
                .send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.events().iter().filter_map(map_org_event));
            })
            .await?;
            Ok(out)
        })
        .await
}

/// Descriptions of up to 10 events: `(arn, description)` found, and one line per event
/// whose details could not be read.
async fn describe_event_details(
    ctx: &On<'_>,
    arns: Vec<String>,
) -> Result<(Vec<(String, String)>, Vec<String>), BackendError> {
    const OP: &str = "DescribeEventDetails";
    ctx.pace
        .run(|| async {
            let call = ctx
                .clients
                .health
                .describe_event_details()
                .set_event_arns(Some(arns.clone()))
                .send();
            let out = one_call(SERVICE, OP, ctx.profile, call).await?;
            let found = out
                .successful_set()
                .iter()
                .filter_map(|d| {
                    let arn = d.event()?.arn()?.to_string();
                    let text = d.event_description()?.latest_description()?.to_string();
                    Some((arn, text))
                })
                .collect();
            let failed = out
                .failed_set()
                .iter()
                .map(|f| {
                    ellipsize(
                        &clean(&format!(
                            "{OP} {}: {} {}",
                            f.event_arn().unwrap_or("?"),
                            f.error_name().unwrap_or(""),
                            f.error_message().unwrap_or("")
                        )),
                        200,
                    )
                })
                .collect();
            Ok((found, failed))
        })
        .await
}

async fn describe_affected_entities(
    ctx: &On<'_>,
    arns: Vec<String>,
) -> Result<Vec<AffectedEntity>, BackendError> {
    const OP: &str = "DescribeAffectedEntities";
    let filter = EntityFilter::builder()
        .set_event_arns(Some(arns))
        .build()
        .map_err(|e| BackendError::Other(format!("{OP}: {e}")))?;
    ctx.pace
        .run(|| async {
            let mut out = Vec::new();
            let pages = ctx
                .clients
                .health
                .describe_affected_entities()
                .filter(filter.clone())
                .into_paginator()
                .send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.entities().iter().filter_map(|en| {
                    Some(AffectedEntity {
                        event_arn: en.event_arn()?.to_string(),
                        value: en
                            .entity_value()
                            .or(en.entity_arn())
                            .unwrap_or("?")
                            .to_string(),
                        entity_arn: en.entity_arn().map(String::from),
                        status: en
                            .status_code()
                            .map(|s| EntityStatus::parse(s.as_str()))
                            .unwrap_or(EntityStatus::Unknown),
                        last_updated: en.last_updated_time().and_then(chrono_time),
                        account: en.aws_account_id().map(String::from),
                    })
                }));
            })
            .await?;
            Ok(out)
        })
        .await
}

async fn describe_affected_accounts(
    ctx: &On<'_>,
    event_arn: &str,
) -> Result<Vec<AffectedEntity>, BackendError> {
    const OP: &str = "DescribeAffectedAccountsForOrganization";
    ctx.pace
        .run(|| async {
            let mut out = Vec::new();
            let pages = ctx
                .clients
                .health
                .describe_affected_accounts_for_organization()
                .event_arn(event_arn)
                .into_paginator()
                .send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.affected_accounts().iter().map(|a| AffectedEntity {
                    event_arn: event_arn.to_string(),
                    value: a.clone(),
                    entity_arn: None,
                    status: EntityStatus::Unknown,
                    last_updated: None,
                    account: Some(a.clone()),
                }));
            })
            .await?;
            Ok(out)
        })
        .await
}

async fn describe_org_event_details(
    ctx: &On<'_>,
    event_arn: &str,
    account: &str,
) -> Result<Option<String>, BackendError> {
    const OP: &str = "DescribeEventDetailsForOrganization";
    let filter = EventAccountFilter::builder()
        .event_arn(event_arn)
        .aws_account_id(account)
        .build()
        .map_err(|e| BackendError::Other(format!("{OP}: {e}")))?;
    ctx.pace
        .run(|| async {
            let call = ctx
                .clients
                .health
                .describe_event_details_for_organization()
                .organization_event_detail_filters(filter.clone())
                .send();
            let out = one_call(SERVICE, OP, ctx.profile, call).await?;
            if let Some(f) = out.failed_set().first() {
                return Err(BackendError::Service {
                    operation: OP.into(),
                    code: clean(f.error_name().unwrap_or("failed")),
                    message: ellipsize(&clean(f.error_message().unwrap_or("")), 160),
                });
            }
            Ok(out
                .successful_set()
                .iter()
                .find_map(|d| d.event_description()?.latest_description())
                .map(String::from))
        })
        .await
}

async fn organization_status(ctx: &On<'_>) -> Result<OrgAccess, BackendError> {
    const OP: &str = "DescribeHealthServiceStatusForOrganization";
    ctx.pace
        .run(|| async {
            let call = ctx
                .clients
                .health
                .describe_health_service_status_for_organization()
                .send();
            let out = one_call(SERVICE, OP, ctx.profile, call).await?;
            Ok(match out.health_service_access_status_for_organization() {
                Some("ENABLED") => OrgAccess::Enabled,
                Some(other) => OrgAccess::Unavailable(format!(
                    "organizational view is {} for this organization",
                    clean(&other.to_lowercase())
                )),
                None => OrgAccess::Unavailable(
                    "AWS Health did not say whether organizational view is enabled".into(),
                ),
            })
        })
        .await
}

fn map_event(e: &Event) -> Option<HealthEvent> {
    Some(HealthEvent {
        arn: e.arn()?.to_string(),
        service: e.service().unwrap_or("?").to_string(),
        type_code: e.event_type_code().unwrap_or("?").to_string(),
        category: e
            .event_type_category()
            .map(|c| Category::parse(c.as_str()))
            .unwrap_or(Category::Other("?".into())),
        region: e.region().map(String::from),
        zone_name: e
            .availability_zone()
            .filter(|z| !z.is_empty())
            .map(String::from),
        start: e.start_time().and_then(chrono_time),
        end: e.end_time().and_then(chrono_time),
        last_updated: e.last_updated_time().and_then(chrono_time),
        status: e
            .status_code()
            .map(|s| EventStatus::parse(s.as_str()))
            .unwrap_or(EventStatus::Other("?".into())),
        scope: e
            .event_scope_code()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        description: None,
        entities: Vec::new(),
    })
}

fn map_org_event(e: &OrganizationEvent) -> Option<HealthEvent> {
    Some(HealthEvent {
        arn: e.arn()?.to_string(),
        service: e.service().unwrap_or("?").to_string(),
        type_code: e.event_type_code().unwrap_or("?").to_string(),
        category: e
            .event_type_category()
            .map(|c| Category::parse(c.as_str()))
            .unwrap_or(Category::Other("?".into())),
        region: e.region().map(String::from),
        // Organization events carry no zone.
        zone_name: None,
        start: e.start_time().and_then(chrono_time),
        end: e.end_time().and_then(chrono_time),
        last_updated: e.last_updated_time().and_then(chrono_time),
        status: e
            .status_code()
            .map(|s| EventStatus::parse(s.as_str()))
            .unwrap_or(EventStatus::Other("?".into())),
        scope: e
            .event_scope_code()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        description: None,
        entities: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreachable_and_server_errors_fail_over() {
        let op = || "DescribeEvents".to_string();
        assert!(fails_over(&BackendError::Unreachable {
            operation: op(),
            message: "dns".into()
        }));
        assert!(fails_over(&BackendError::Timeout {
            operation: op(),
            message: "t".into()
        }));
        assert!(fails_over(&BackendError::Service {
            operation: op(),
            code: "HTTP 503".into(),
            message: String::new()
        }));
        assert!(!fails_over(&BackendError::NotSubscribed {
            operation: op()
        }));
        assert!(!fails_over(&BackendError::AccessDenied {
            operation: op(),
            message: String::new()
        }));
        assert!(!fails_over(&BackendError::Throttled { operation: op() }));
        assert!(!fails_over(&BackendError::Service {
            operation: op(),
            code: "InvalidPaginationToken".into(),
            message: String::new()
        }));
    }
}
