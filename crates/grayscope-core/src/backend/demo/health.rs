//! The demo's [`HealthEvents`]: what AWS Health says about the simulated incident.
//!
//! Three minutes after the onset AWS posts an open EC2 operational issue in the sick
//! zone (us-east-1b, use1-az6), with the web instances there as affected entities.
//! Beside it: an upcoming scheduled maintenance for one instance in us-east-1a, an
//! account notification about the watched load balancer's TLS policy, and two closed
//! events (an RDS issue two days ago, a global IAM issue five days ago). One event in
//! another region and one closed a month ago are there too, for the pane to leave out.
//! The organization view adds a second account's event.

use super::{DemoBackend, scenario};
use crate::backend::{BackendError, HealthEvents};
use crate::model::health::{
    AffectedEntity, Answered, Category, EntityStatus, EventStatus, HealthEvent, HealthView,
    OrgAccess,
};
use crate::model::targets::TargetState;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// Minutes after the onset when AWS posts the operational issue.
pub const POSTED_AFTER: i64 = 3;
/// A second account of the demo organization.
pub const OTHER_ACCOUNT: &str = "345678901234";
/// The endpoint the demo says answered.
const ENDPOINT: &str = "us-east-1";

fn event_arn(region: &str, service: &str, code: &str, id: &str) -> String {
    format!("arn:aws:health:{region}::event/{service}/{code}/{code}_{id}")
}

fn entity(event: &str, value: String, status: EntityStatus, at: DateTime<Utc>) -> AffectedEntity {
    AffectedEntity {
        event_arn: event.to_string(),
        value,
        entity_arn: None,
        status,
        last_updated: Some(at),
        account: Some(scenario::ACCOUNT.to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    arn: String,
    service: &str,
    code: &str,
    category: Category,
    region: &str,
    zone: Option<&str>,
    (start, end, updated): (DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>),
    status: EventStatus,
    description: &str,
) -> HealthEvent {
    HealthEvent {
        arn,
        service: service.into(),
        type_code: code.into(),
        category,
        region: Some(region.into()),
        zone_name: zone.map(String::from),
        start: Some(start),
        end,
        last_updated: Some(updated),
        status,
        scope: "ACCOUNT_SPECIFIC".into(),
        description: Some(description.into()),
        entities: Vec::new(),
    }
}

/// The account's events at `now`, `minute` minutes after the onset.
pub fn events(now: DateTime<Utc>, minute: i64) -> Vec<HealthEvent> {
    let onset = now - Duration::minutes(minute);
    let day = Duration::days(1);
    let mut out = Vec::new();
    if minute >= POSTED_AFTER {
        let arn = event_arn(
            scenario::REGION,
            "EC2",
            "AWS_EC2_OPERATIONAL_ISSUE",
            "DEMO1B",
        );
        let updated = onset + Duration::minutes(POSTED_AFTER);
        let mut e = event(
            arn.clone(),
            "EC2",
            "AWS_EC2_OPERATIONAL_ISSUE",
            Category::Issue,
            scenario::REGION,
            Some(scenario::SICK_ZONE),
            (onset, None, updated),
            EventStatus::Open,
            "[Investigating] We are investigating increased network latency and packet loss \
             for EC2 instances in a single Availability Zone (use1-az6) in the US-EAST-1 \
             Region. Instances in other Availability Zones are not affected. Where your \
             application allows it, shift traffic away from the affected Availability Zone.",
        );
        e.scope = "PUBLIC".into();
        // The web instances in the sick zone: impaired once their checks fail.
        for (group, targets) in scenario::target_groups("shop-frontend", minute) {
            if group.target_type != "instance" {
                continue;
            }
            for t in targets
                .iter()
                .filter(|t| t.zone_name.as_deref() == Some(scenario::SICK_ZONE))
            {
                let status = if t.state == TargetState::Unhealthy {
                    EntityStatus::Impaired
                } else {
                    EntityStatus::Unknown
                };
                e.entities.push(entity(&arn, t.id.clone(), status, updated));
            }
        }
        out.push(e);
    }

    let maintenance = event_arn(
        scenario::REGION,
        "EC2",
        "AWS_EC2_SYSTEM_MAINTENANCE_EVENT",
        "DEMO1A",
    );
    let starts = onset + day * 3;
    let mut m = event(
        maintenance.clone(),
        "EC2",
        "AWS_EC2_SYSTEM_MAINTENANCE_EVENT",
        Category::ScheduledChange,
        scenario::REGION,
        Some("us-east-1a"),
        (starts, Some(starts + Duration::hours(2)), onset - day),
        EventStatus::Upcoming,
        "One of your EC2 instances is scheduled for system maintenance on the underlying \
         host. The instance will be rebooted during the maintenance window. To avoid the \
         reboot, stop and start the instance before the window.",
    );
    let web_in_a = scenario::target_groups("shop-frontend", minute)
        .into_iter()
        .find(|(g, _)| g.target_type == "instance")
        .and_then(|(_, ts)| {
            ts.into_iter()
                .find(|t| t.zone_name.as_deref() == Some("us-east-1a"))
        })
        .map(|t| t.id);
    if let Some(id) = web_in_a {
        m.entities
            .push(entity(&maintenance, id, EntityStatus::Pending, onset - day));
    }
    out.push(m);

    let notice = event_arn(
        scenario::REGION,
        "ELASTICLOADBALANCING",
        "AWS_ELASTICLOADBALANCING_TLS_POLICY_NOTIFICATION",
        "DEMOTLS",
    );
    let mut n = event(
        notice.clone(),
        "ELASTICLOADBALANCING",
        "AWS_ELASTICLOADBALANCING_TLS_POLICY_NOTIFICATION",
        Category::AccountNotification,
        scenario::REGION,
        None,
        (onset - day * 6, None, onset - day * 6),
        EventStatus::Open,
        "One or more of your load balancers use a TLS security policy that allows TLS 1.0 \
         and 1.1. Update the HTTPS listeners to a policy that supports TLS 1.2 or later.",
    );
    if let Some(lb) = scenario::load_balancers()
        .into_iter()
        .find(|lb| lb.name == "shop-frontend")
    {
        n.entities.push(entity(
            &notice,
            lb.arn,
            EntityStatus::Unknown,
            onset - day * 6,
        ));
    }
    out.push(n);

    out.push(event(
        event_arn(
            scenario::REGION,
            "RDS",
            "AWS_RDS_OPERATIONAL_ISSUE",
            "DEMORDS",
        ),
        "RDS",
        "AWS_RDS_OPERATIONAL_ISSUE",
        Category::Issue,
        scenario::REGION,
        None,
        (
            onset - day * 2,
            Some(onset - day * 2 + Duration::minutes(48)),
            onset - day * 2 + Duration::minutes(50),
        ),
        EventStatus::Closed,
        "[RESOLVED] Between 02:10 and 02:58 UTC some RDS instances in the US-EAST-1 Region \
         saw elevated API error rates. The issue has been resolved and the service is \
         operating normally.",
    ));
    out.push(event(
        event_arn("global", "IAM", "AWS_IAM_OPERATIONAL_ISSUE", "DEMOIAM"),
        "IAM",
        "AWS_IAM_OPERATIONAL_ISSUE",
        Category::Issue,
        "global",
        None,
        (
            onset - day * 5,
            Some(onset - day * 5 + Duration::minutes(35)),
            onset - day * 5 + Duration::minutes(40),
        ),
        EventStatus::Closed,
        "[RESOLVED] Some IAM policy changes took longer than usual to propagate. The issue \
         has been resolved.",
    ));
    out.push(event(
        event_arn("eu-west-1", "S3", "AWS_S3_OPERATIONAL_ISSUE", "DEMOEU"),
        "S3",
        "AWS_S3_OPERATIONAL_ISSUE",
        Category::Issue,
        "eu-west-1",
        None,
        (onset - day, None, onset - day),
        EventStatus::Open,
        "Elevated S3 error rates in EU-WEST-1 (another region: not shown).",
    ));
    out.push(event(
        event_arn(
            scenario::REGION,
            "EC2",
            "AWS_EC2_OPERATIONAL_ISSUE",
            "DEMOOLD",
        ),
        "EC2",
        "AWS_EC2_OPERATIONAL_ISSUE",
        Category::Issue,
        scenario::REGION,
        Some("us-east-1c"),
        (
            onset - day * 30,
            Some(onset - day * 30 + Duration::hours(1)),
            onset - day * 30 + Duration::hours(1),
        ),
        EventStatus::Closed,
        "[RESOLVED] A month-old issue (closed too long ago: not shown).",
    ));
    out
}

/// The organization's events: the account's, plus one of another account.
pub fn organization_events(now: DateTime<Utc>, minute: i64) -> Vec<HealthEvent> {
    let onset = now - Duration::minutes(minute);
    let mut out: Vec<HealthEvent> = events(now, minute)
        .into_iter()
        .map(|mut e| {
            // DescribeEventsForOrganization lists events without zones, descriptions or
            // entities.
            e.zone_name = None;
            e.description = None;
            e.entities.clear();
            e
        })
        .collect();
    let mut other_account = event(
        event_arn(
            scenario::REGION,
            "LAMBDA",
            "AWS_LAMBDA_OPERATIONAL_NOTIFICATION",
            "DEMOORG",
        ),
        "LAMBDA",
        "AWS_LAMBDA_OPERATIONAL_NOTIFICATION",
        Category::AccountNotification,
        scenario::REGION,
        None,
        (
            onset - Duration::hours(20),
            None,
            onset - Duration::hours(20),
        ),
        EventStatus::Open,
        "",
    );
    // Listed without its text, like every organization event.
    other_account.description = None;
    out.push(other_account);
    out
}

fn answered<T>(data: T) -> Answered<T> {
    Answered {
        data,
        endpoint: ENDPOINT.into(),
        failover: None,
        problems: Vec::new(),
    }
}

#[async_trait]
impl HealthEvents for DemoBackend {
    async fn health_events(
        &self,
        view: HealthView,
        now: DateTime<Utc>,
    ) -> Result<Answered<Vec<HealthEvent>>, BackendError> {
        let minute = self.minute_at(now);
        Ok(answered(match view {
            HealthView::Account => events(now, minute),
            HealthView::Organization => organization_events(now, minute),
        }))
    }

    async fn affected_accounts(
        &self,
        event_arn: &str,
    ) -> Result<Answered<Vec<AffectedEntity>>, BackendError> {
        let accounts: &[&str] = if event_arn.contains("DEMOORG") {
            &[OTHER_ACCOUNT]
        } else if event_arn.contains("DEMO1B") {
            &[scenario::ACCOUNT, OTHER_ACCOUNT]
        } else {
            &[scenario::ACCOUNT]
        };
        Ok(answered(
            accounts
                .iter()
                .map(|a| AffectedEntity {
                    event_arn: event_arn.to_string(),
                    value: (*a).to_string(),
                    entity_arn: None,
                    status: EntityStatus::Unknown,
                    last_updated: None,
                    account: Some((*a).to_string()),
                })
                .collect(),
        ))
    }

    async fn organization_event_description(
        &self,
        event_arn: &str,
        _account: &str,
    ) -> Result<Option<String>, BackendError> {
        if event_arn.contains("DEMOORG") {
            return Ok(Some(
                "Lambda functions using the nodejs16.x runtime in this account are past the \
                 end of support. Update them to a supported runtime."
                    .into(),
            ));
        }
        let now = self.now();
        Ok(events(now, self.minute_at(now))
            .into_iter()
            .find(|e| e.arn == event_arn)
            .and_then(|e| e.description))
    }

    async fn organization_access(&self) -> Result<OrgAccess, BackendError> {
        Ok(OrgAccess::Enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health::{shown, zone_marks};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn the_story_has_every_kind_of_event_and_the_sick_zone_is_marked() {
        let v = shown(events(now(), 9), Some(scenario::REGION), now());
        let kinds: Vec<(&str, &str)> = v
            .iter()
            .map(|e| (e.status.label(), e.category.short()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("open", "issue"),
                ("open", "notice"),
                ("upcoming", "change"),
                ("closed", "issue"),
                ("closed", "issue"),
            ]
        );
        assert_eq!(
            zone_marks(&v, &scenario::zones()),
            [(
                scenario::SICK_ZONE.to_string(),
                "AWS Health: open issue".to_string()
            )]
        );
        let impaired = v[0]
            .entities
            .iter()
            .filter(|e| e.status == EntityStatus::Impaired)
            .count();
        assert_eq!(impaired, 2, "the two failing web instances");
    }

    #[test]
    fn before_aws_posts_there_is_no_open_issue() {
        let v = shown(events(now(), 1), Some(scenario::REGION), now());
        assert!(zone_marks(&v, &scenario::zones()).is_empty());
        assert_eq!(v[0].category, Category::AccountNotification);
    }
}
