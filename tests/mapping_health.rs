//! `backend::aws::health` against in-process SDK mocks (aws-smithy-mocks): every Health
//! call, its paging, batching by 10, SubscriptionRequired matched by code, failover
//! from us-east-1 to us-east-2, throttling, and the organization view.

mod support;

use aws_sdk_health::operation::describe_affected_accounts_for_organization::DescribeAffectedAccountsForOrganizationOutput;
use aws_sdk_health::operation::describe_affected_entities::DescribeAffectedEntitiesOutput;
use aws_sdk_health::operation::describe_event_details::DescribeEventDetailsOutput;
use aws_sdk_health::operation::describe_event_details_for_organization::DescribeEventDetailsForOrganizationOutput;
use aws_sdk_health::operation::describe_events::{DescribeEventsError, DescribeEventsOutput};
use aws_sdk_health::operation::describe_events_for_organization::DescribeEventsForOrganizationOutput;
use aws_sdk_health::operation::describe_health_service_status_for_organization::{
    DescribeHealthServiceStatusForOrganizationError,
    DescribeHealthServiceStatusForOrganizationOutput,
};
use aws_sdk_health::types::{
    AffectedEntity as SdkEntity, EntityStatusCode, Event, EventDescription, EventDetails,
    EventDetailsErrorItem, EventScopeCode, EventStatusCode, EventTypeCategory, OrganizationEvent,
    OrganizationEventDetails,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode as HttpStatus;
use aws_smithy_types::DateTime as SmithyTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use chrono::{TimeZone, Utc};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::{BackendError, HealthEvents, Identity};
use grayscope::model::health::{Category, EntityStatus, EventStatus, HealthView, OrgAccess, shown};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::observe::Observe;

const HEALTH: &str = "health";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

fn at(minutes_ago: i64) -> SmithyTime {
    SmithyTime::from_secs((now() - chrono::Duration::minutes(minutes_ago)).timestamp())
}

fn arn(id: &str) -> String {
    format!(
        "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_{id}"
    )
}

fn sdk_event(id: &str, status: EventStatusCode, zone: Option<&str>) -> Event {
    let b = Event::builder()
        .arn(arn(id))
        .service("EC2")
        .event_type_code("AWS_EC2_OPERATIONAL_ISSUE")
        .event_type_category(EventTypeCategory::Issue)
        .region("us-east-1")
        .start_time(at(30))
        .last_updated_time(at(5))
        .status_code(status.clone())
        .event_scope_code(EventScopeCode::Public);
    let b = match zone {
        Some(z) => b.availability_zone(z),
        None => b,
    };
    let b = if status == EventStatusCode::Closed {
        b.end_time(at(10))
    } else {
        b
    };
    b.build()
}

fn http(status: u16, body: &'static str) -> HttpResponse {
    HttpResponse::new(
        HttpStatus::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn no_rules() -> Vec<&'static Rule> {
    Vec::new()
}

fn health_client(rules: &[&Rule]) -> aws_sdk_health::Client {
    mock_client!(aws_sdk_health, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled())
        .interceptor(Observe::new(HEALTH)))
}

/// A Health client whose endpoint refuses connections (nothing listens on port 9).
fn unreachable_health() -> aws_sdk_health::Client {
    let conf = aws_sdk_health::Config::builder()
        .behavior_version(aws_sdk_health::config::BehaviorVersion::latest())
        .region(aws_sdk_health::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .http_client(grayscope::backend::aws::https_client())
        .credentials_provider(aws_sdk_health::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_health::Client::from_conf(conf)
}

fn backend(active: aws_sdk_health::Client, passive: aws_sdk_health::Client) -> AwsBackend {
    let none = no_rules();
    AwsBackend::from_clients(
        AwsClients {
            ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &none),
            elbv2: mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &none),
            cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &none),
            health: active,
            health_failover: passive,
            logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
            arc: mock_client!(aws_sdk_arczonalshift, RuleMode::MatchAny, &[]),
            athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, &[]),
        },
        Identity {
            region: Some("us-east-1".into()),
            profile: Some("sre".into()),
        },
    )
}

fn is_closed_filter(f: Option<&aws_sdk_health::types::EventFilter>) -> bool {
    f.is_some_and(|f| f.event_status_codes().contains(&EventStatusCode::Closed))
}

/// Open/upcoming events in two pages (`p2`), closed events in one; details and
/// entities echo the ARNs asked for, counting the ARNs per call.
struct Account {
    open_p1: Rule,
    open_p2: Rule,
    closed: Rule,
    details: Rule,
    entities: Rule,
    entities_p2: Rule,
    biggest_batch: Arc<AtomicUsize>,
}

fn account_rules(open_ids: &[&str], closed_ids: &[&str]) -> Account {
    let first: Vec<Event> = open_ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, id)| {
            let zone = if *id == "SICK" {
                Some("us-east-1b")
            } else {
                None
            };
            sdk_event(id, EventStatusCode::Open, zone)
        })
        .collect();
    let second: Vec<Event> = open_ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, id)| sdk_event(id, EventStatusCode::Upcoming, None))
        .collect();
    let closed: Vec<Event> = closed_ids
        .iter()
        .map(|id| sdk_event(id, EventStatusCode::Closed, None))
        .collect();
    let open_p1 = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| !is_closed_filter(r.filter()) && r.next_token().is_none())
        .then_output(move || {
            DescribeEventsOutput::builder()
                .set_events(Some(first.clone()))
                .next_token("p2")
                .build()
        });
    let open_p2 = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| !is_closed_filter(r.filter()) && r.next_token() == Some("p2"))
        .then_output(move || {
            DescribeEventsOutput::builder()
                .set_events(Some(second.clone()))
                .build()
        });
    let closed_rule = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| is_closed_filter(r.filter()))
        .then_output(move || {
            DescribeEventsOutput::builder()
                .set_events(Some(closed.clone()))
                .build()
        });
    let biggest_batch = Arc::new(AtomicUsize::new(0));
    let biggest = biggest_batch.clone();
    let details =
        mock!(aws_sdk_health::Client::describe_event_details).then_compute_output(move |r| {
            biggest.fetch_max(r.event_arns().len(), Ordering::SeqCst);
            let mut out = DescribeEventDetailsOutput::builder();
            for a in r.event_arns() {
                if a.ends_with("_GONE") {
                    out = out.failed_set(
                        EventDetailsErrorItem::builder()
                            .event_arn(a)
                            .error_name("NotFound")
                            .error_message("The event does not exist")
                            .build(),
                    );
                    continue;
                }
                out = out.successful_set(
                    EventDetails::builder()
                        .event(Event::builder().arn(a).build())
                        .event_description(
                            EventDescription::builder()
                                .latest_description(format!("Text of {a}\x1b[2J"))
                                .build(),
                        )
                        .build(),
                );
            }
            out.build()
        });
    let entity = |event: &str, value: &str, status: EntityStatusCode| {
        SdkEntity::builder()
            .event_arn(event)
            .entity_value(value)
            .status_code(status)
            .aws_account_id("123456789012")
            .last_updated_time(at(5))
            .build()
    };
    let sick = arn("SICK");
    let entities = mock!(aws_sdk_health::Client::describe_affected_entities)
        .match_requests(|r| r.next_token().is_none())
        .then_compute_output(move |r| {
            let arns = r
                .filter()
                .map(|f| f.event_arns().to_vec())
                .unwrap_or_default();
            let mut out = DescribeAffectedEntitiesOutput::builder();
            if arns.contains(&sick) {
                out = out
                    .entities(entity(&sick, "i-0aaa", EntityStatusCode::Impaired))
                    .next_token("e2");
            }
            out.build()
        });
    let sick = arn("SICK");
    let entities_p2 = mock!(aws_sdk_health::Client::describe_affected_entities)
        .match_requests(|r| r.next_token() == Some("e2"))
        .then_output(move || {
            DescribeAffectedEntitiesOutput::builder()
                .entities(entity(&sick, "i-0bbb", EntityStatusCode::Unimpaired))
                .build()
        });
    Account {
        open_p1,
        open_p2,
        closed: closed_rule,
        details,
        entities,
        entities_p2,
        biggest_batch,
    }
}

impl Account {
    fn rules(&self) -> Vec<&Rule> {
        vec![
            &self.open_p1,
            &self.open_p2,
            &self.closed,
            &self.details,
            &self.entities,
            &self.entities_p2,
        ]
    }
}

#[tokio::test]
async fn events_are_paged_detailed_in_tens_and_entities_attached() {
    let open: Vec<String> = std::iter::once("SICK".to_string())
        .chain((1..12).map(|i| format!("E{i:02}")))
        .chain(std::iter::once("GONE".to_string()))
        .collect();
    let open_ids: Vec<&str> = open.iter().map(String::as_str).collect();
    let rules = account_rules(&open_ids, &["OLD"]);
    let b = backend(health_client(&rules.rules()), health_client(&[]));
    let answer = b
        .health_events(HealthView::Account, now())
        .await
        .expect("events");
    assert_eq!(answer.endpoint, "us-east-1");
    assert_eq!(answer.failover, None);
    assert_eq!(answer.data.len(), 14, "two pages of open + one closed");
    assert_eq!(rules.open_p2.num_calls(), 1, "the second page was read");
    assert_eq!(rules.details.num_calls(), 2, "14 ARNs: 10 + 4");
    assert!(rules.biggest_batch.load(Ordering::SeqCst) <= 10);
    assert_eq!(rules.entities.num_calls(), 2);
    assert_eq!(rules.entities_p2.num_calls(), 1, "entity pages followed");

    let sick = answer
        .data
        .iter()
        .find(|e| e.arn == arn("SICK"))
        .expect("sick event");
    assert_eq!(sick.zone_name.as_deref(), Some("us-east-1b"));
    assert_eq!(sick.category, Category::Issue);
    assert_eq!(sick.status, EventStatus::Open);
    assert_eq!(sick.scope, "PUBLIC");
    assert_eq!(
        sick.start.map(|t| t.timestamp()),
        Some((now() - chrono::Duration::minutes(30)).timestamp())
    );
    let d = sick.description.as_deref().expect("description");
    assert!(d.starts_with("Text of arn:aws:health"), "{d}");
    let ents: Vec<(&str, &EntityStatus)> = sick
        .entities
        .iter()
        .map(|e| (e.value.as_str(), &e.status))
        .collect();
    assert_eq!(
        ents,
        [
            ("i-0aaa", &EntityStatus::Impaired),
            ("i-0bbb", &EntityStatus::Unimpaired)
        ]
    );
    let closed = answer
        .data
        .iter()
        .find(|e| e.arn == arn("OLD"))
        .expect("closed");
    assert_eq!(closed.status, EventStatus::Closed);
    assert!(closed.end.is_some());
    // One event's details failed: named, the others kept.
    assert_eq!(answer.problems.len(), 1, "{:?}", answer.problems);
    assert!(answer.problems[0].contains("GONE") && answer.problems[0].contains("NotFound"));
    let gone = answer
        .data
        .iter()
        .find(|e| e.arn == arn("GONE"))
        .expect("kept");
    assert_eq!(gone.description, None);
    // Ordered for reading: the open issue first.
    let v = shown(answer.data, Some("us-east-1"), now());
    assert_eq!(
        v.last().map(|e| e.status.clone()),
        Some(EventStatus::Closed)
    );
}

#[tokio::test]
async fn closed_events_are_asked_for_the_last_week_only() {
    let seen_from = Arc::new(std::sync::Mutex::new(None));
    let seen = seen_from.clone();
    let closed = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| is_closed_filter(r.filter()))
        .then_compute_output(move |r| {
            let from = r
                .filter()
                .and_then(|f| f.end_times().first())
                .and_then(|t| t.from())
                .map(|t| t.secs());
            *seen.lock().expect("lock") = from;
            DescribeEventsOutput::builder().build()
        });
    let open = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| {
            let codes = r
                .filter()
                .map(|f| f.event_status_codes().to_vec())
                .unwrap_or_default();
            codes == [EventStatusCode::Open, EventStatusCode::Upcoming]
                && r.max_results() == Some(100)
        })
        .then_output(|| DescribeEventsOutput::builder().build());
    let b = backend(health_client(&[&closed, &open]), health_client(&[]));
    let answer = b
        .health_events(HealthView::Account, now())
        .await
        .expect("events");
    assert!(answer.data.is_empty());
    assert_eq!(open.num_calls(), 1);
    assert_eq!(
        *seen_from.lock().expect("lock"),
        Some((now() - chrono::Duration::days(7)).timestamp())
    );
}

fn subscription_required() -> DescribeEventsError {
    DescribeEventsError::generic(
        ErrorMetadata::builder()
            .code("SubscriptionRequiredException")
            .message("The AWS Premium Support Subscription is required to use this service.")
            .build(),
    )
}

#[tokio::test]
async fn subscription_required_is_matched_by_code_and_never_fails_over() {
    let active = mock!(aws_sdk_health::Client::describe_events).then_error(subscription_required);
    let passive = mock!(aws_sdk_health::Client::describe_events)
        .then_output(|| DescribeEventsOutput::builder().build());
    let b = backend(health_client(&[&active]), health_client(&[&passive]));
    let err = b
        .health_events(HealthView::Account, now())
        .await
        .expect_err("no plan");
    assert_eq!(
        err,
        BackendError::NotSubscribed {
            operation: "DescribeEvents".into()
        }
    );
    assert!(
        err.to_string()
            .contains("Business, Enterprise On-Ramp or Enterprise support plan")
    );
    assert_eq!(passive.num_calls(), 0, "no failover for a missing plan");
}

#[tokio::test]
async fn a_server_error_at_us_east_1_fails_over_to_us_east_2_for_the_whole_load() {
    let down = mock!(aws_sdk_health::Client::describe_events).then_http_response(|| http(503, ""));
    let rules = account_rules(&["SICK"], &[]);
    let b = backend(health_client(&[&down]), health_client(&rules.rules()));
    let answer = b
        .health_events(HealthView::Account, now())
        .await
        .expect("answered by us-east-2");
    assert_eq!(answer.endpoint, "us-east-2");
    let why = answer.failover.expect("says why");
    assert!(why.starts_with("us-east-1: DescribeEvents"), "{why}");
    assert_eq!(
        down.num_calls(),
        1,
        "the active endpoint is not asked again in this load"
    );
    assert_eq!(answer.data.len(), 1);
    assert!(
        answer.data[0].description.is_some(),
        "details from us-east-2 too"
    );
}

#[tokio::test]
async fn an_unreachable_us_east_1_fails_over_to_us_east_2() {
    let rules = account_rules(&["SICK"], &["OLD"]);
    let b = backend(unreachable_health(), health_client(&rules.rules()));
    let answer = b
        .health_events(HealthView::Account, now())
        .await
        .expect("answered by us-east-2");
    assert_eq!(answer.endpoint, "us-east-2");
    assert!(
        answer
            .failover
            .as_deref()
            .is_some_and(|w| w.contains("cannot reach")),
        "{:?}",
        answer.failover
    );
    assert_eq!(answer.data.len(), 2);
}

#[tokio::test]
async fn both_endpoints_down_is_an_error() {
    let down = mock!(aws_sdk_health::Client::describe_events).then_http_response(|| http(503, ""));
    let b = backend(unreachable_health(), health_client(&[&down]));
    let err = b
        .health_events(HealthView::Account, now())
        .await
        .expect_err("both down");
    assert!(
        matches!(err, BackendError::Service { ref code, .. } if code == "HTTP 503"),
        "{err:?}"
    );
}

#[tokio::test]
async fn both_endpoints_unreachable_says_both() {
    let b = backend(unreachable_health(), unreachable_health());
    match b.health_events(HealthView::Account, now()).await {
        Err(BackendError::Unreachable { message, .. }) => {
            assert!(
                message.starts_with("us-east-1 and us-east-2 both: "),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn throttling_slows_down_and_retries() {
    let throttled = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| !is_closed_filter(r.filter()))
        .sequence()
        .error(|| {
            DescribeEventsError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .output(|| {
            DescribeEventsOutput::builder()
                .events(sdk_event("SICK", EventStatusCode::Open, Some("us-east-1b")))
                .build()
        })
        .build();
    let closed = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| is_closed_filter(r.filter()))
        .then_output(|| DescribeEventsOutput::builder().build());
    let details = mock!(aws_sdk_health::Client::describe_event_details)
        .then_output(|| DescribeEventDetailsOutput::builder().build());
    let entities = mock!(aws_sdk_health::Client::describe_affected_entities)
        .then_output(|| DescribeAffectedEntitiesOutput::builder().build());
    let passive = mock!(aws_sdk_health::Client::describe_events)
        .then_output(|| DescribeEventsOutput::builder().build());
    let b = backend(
        health_client(&[&throttled, &closed, &details, &entities]),
        health_client(&[&passive]),
    );
    let answer = b
        .health_events(HealthView::Account, now())
        .await
        .expect("retried");
    assert_eq!(throttled.num_calls(), 2);
    assert_eq!(answer.data.len(), 1);
    assert_eq!(
        answer.endpoint, "us-east-1",
        "throttling is no reason to fail over"
    );
    assert_eq!(passive.num_calls(), 0);
}

#[tokio::test]
async fn throttled_for_good_is_throttled() {
    let throttled = mock!(aws_sdk_health::Client::describe_events)
        .match_requests(|r| !is_closed_filter(r.filter()))
        .then_error(|| {
            DescribeEventsError::generic(
                ErrorMetadata::builder().code("ThrottlingException").build(),
            )
        });
    let b = backend(health_client(&[&throttled]), health_client(&[]));
    let err = b
        .health_events(HealthView::Account, now())
        .await
        .expect_err("throttled");
    assert_eq!(
        err,
        BackendError::Throttled {
            operation: "DescribeEvents".into()
        }
    );
    assert_eq!(throttled.num_calls(), 4, "pacer's tries");
}

#[tokio::test]
async fn organization_view_status_events_and_affected_accounts() {
    let status = mock!(aws_sdk_health::Client::describe_health_service_status_for_organization)
        .then_output(|| {
            DescribeHealthServiceStatusForOrganizationOutput::builder()
                .health_service_access_status_for_organization("ENABLED")
                .build()
        });
    let org_event = |id: &str, s: EventStatusCode| {
        OrganizationEvent::builder()
            .arn(arn(id))
            .service("EC2")
            .event_type_code("AWS_EC2_OPERATIONAL_ISSUE")
            .event_type_category(EventTypeCategory::Issue)
            .region("us-east-1")
            .start_time(at(20))
            .last_updated_time(at(2))
            .status_code(s)
            .event_scope_code(EventScopeCode::AccountSpecific)
            .build()
    };
    let open_p1 = mock!(aws_sdk_health::Client::describe_events_for_organization)
        .match_requests(|r| {
            r.next_token().is_none()
                && !r
                    .filter()
                    .is_some_and(|f| f.event_status_codes().contains(&EventStatusCode::Closed))
        })
        .then_output(move || {
            DescribeEventsForOrganizationOutput::builder()
                .events(org_event("ORG1", EventStatusCode::Open))
                .next_token("o2")
                .build()
        });
    let open_p2 = mock!(aws_sdk_health::Client::describe_events_for_organization)
        .match_requests(|r| r.next_token() == Some("o2"))
        .then_output(move || {
            DescribeEventsForOrganizationOutput::builder()
                .events(org_event("ORG2", EventStatusCode::Upcoming))
                .build()
        });
    let closed = mock!(aws_sdk_health::Client::describe_events_for_organization)
        .match_requests(|r| {
            r.filter().is_some_and(|f| {
                f.event_status_codes().contains(&EventStatusCode::Closed) && f.end_time().is_some()
            })
        })
        .then_output(move || {
            DescribeEventsForOrganizationOutput::builder()
                .events(org_event("ORG3", EventStatusCode::Closed))
                .build()
        });
    let accounts_p1 = mock!(aws_sdk_health::Client::describe_affected_accounts_for_organization)
        .match_requests(|r| r.event_arn() == Some(arn("ORG1").as_str()) && r.next_token().is_none())
        .then_output(|| {
            DescribeAffectedAccountsForOrganizationOutput::builder()
                .affected_accounts("111111111111")
                .next_token("a2")
                .build()
        });
    let accounts_p2 = mock!(aws_sdk_health::Client::describe_affected_accounts_for_organization)
        .match_requests(|r| r.next_token() == Some("a2"))
        .then_output(|| {
            DescribeAffectedAccountsForOrganizationOutput::builder()
                .affected_accounts("222222222222")
                .build()
        });
    let details = mock!(aws_sdk_health::Client::describe_event_details_for_organization)
        .match_requests(|r| {
            r.organization_event_detail_filters().len() == 1
                && r.organization_event_detail_filters()[0].event_arn() == arn("ORG1")
        })
        .then_compute_output(|r| {
            let account = r.organization_event_detail_filters()[0]
                .aws_account_id()
                .unwrap_or("?")
                .to_string();
            DescribeEventDetailsForOrganizationOutput::builder()
                .successful_set(
                    OrganizationEventDetails::builder()
                        .aws_account_id(&account)
                        .event(Event::builder().arn(arn("ORG1")).build())
                        .event_description(
                            EventDescription::builder()
                                .latest_description(format!("Text for {account}"))
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let b = backend(
        health_client(&[
            &status,
            &open_p1,
            &open_p2,
            &closed,
            &accounts_p1,
            &accounts_p2,
            &details,
        ]),
        health_client(&[]),
    );
    assert_eq!(b.organization_access().await, Ok(OrgAccess::Enabled));
    let answer = b
        .health_events(HealthView::Organization, now())
        .await
        .expect("org events");
    let ids: Vec<&str> = answer.data.iter().map(|e| e.arn.as_str()).collect();
    assert_eq!(ids, [arn("ORG1"), arn("ORG2"), arn("ORG3")]);
    assert!(answer.data.iter().all(|e| e.zone_name.is_none()));
    assert_eq!(answer.data[0].scope, "ACCOUNT_SPECIFIC");
    let text = b
        .organization_event_description(&arn("ORG1"), "111111111111")
        .await
        .expect("details");
    assert_eq!(text.as_deref(), Some("Text for 111111111111"));
    assert_eq!(details.num_calls(), 1);
    let accounts = b.affected_accounts(&arn("ORG1")).await.expect("accounts");
    let values: Vec<&str> = accounts.data.iter().map(|e| e.value.as_str()).collect();
    assert_eq!(values, ["111111111111", "222222222222"]);
    assert_eq!(accounts.endpoint, "us-east-1");
}

#[tokio::test]
async fn organization_view_not_enabled_or_not_allowed() {
    let disabled = mock!(aws_sdk_health::Client::describe_health_service_status_for_organization)
        .then_output(|| {
            DescribeHealthServiceStatusForOrganizationOutput::builder()
                .health_service_access_status_for_organization("DISABLED")
                .build()
        });
    let b = backend(health_client(&[&disabled]), health_client(&[]));
    assert_eq!(
        b.organization_access().await,
        Ok(OrgAccess::Unavailable(
            "organizational view is disabled for this organization".into()
        ))
    );
    let denied = mock!(aws_sdk_health::Client::describe_health_service_status_for_organization)
        .then_error(|| {
            DescribeHealthServiceStatusForOrganizationError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not the management account")
                    .build(),
            )
        });
    let b = backend(health_client(&[&denied]), health_client(&[]));
    assert!(matches!(
        b.organization_access().await,
        Err(BackendError::AccessDenied { .. })
    ));
}
