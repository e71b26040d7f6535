//! AWS Health over the wire: the real SDK clients (Smithy RPCv2 CBOR) through the test
//! bridge, which turns their CBOR into JSON 1.0 for a server of recorded replies
//! (`tests/fixtures/health/`, moto has no Health) and the replies back into CBOR.
//! Paging, batching, the SubscriptionRequired error by code, failover from an
//! unreachable us-east-1, and the pane tying the open issue to the zone on screen.

mod support;

use chrono::{TimeZone, Utc};
use grayscope::app::panes::health::HealthPane;
use grayscope::app::{App, Mode};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::{BackendError, HealthEvents, Identity, Services};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::health::{EntityStatus, EventStatus, HealthView, OPEN_ISSUE_LABEL};
use serde_json::{Value as Json, json};
use std::sync::Arc;
use support::bridge::{self, Bridge};
use support::recorded::{self, Recorded, fixture};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

fn status_codes(req: &Json) -> Vec<String> {
    req["filter"]["eventStatusCodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn arns_in(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The recorded account: two pages of open/upcoming events, one closed; details and
/// entities for the ARNs asked.
fn account_replies(op: &str, req: &Json) -> (u16, Json) {
    match op {
        "DescribeEvents" if status_codes(req).contains(&"closed".to_string()) => {
            (200, fixture("health/describe_events_closed.json"))
        }
        "DescribeEvents" if req["nextToken"].is_string() => {
            (200, fixture("health/describe_events_open_page2.json"))
        }
        "DescribeEvents" => (200, fixture("health/describe_events_open_page1.json")),
        "DescribeEventDetails" => {
            let asked = arns_in(&req["eventArns"]);
            let mut all = fixture("health/describe_event_details.json");
            if let Some(set) = all["successfulSet"].as_array_mut() {
                set.retain(|d| {
                    d["event"]["arn"]
                        .as_str()
                        .is_some_and(|a| asked.iter().any(|x| x == a))
                });
            }
            (200, all)
        }
        "DescribeAffectedEntities" => {
            let asked = arns_in(&req["filter"]["eventArns"]);
            let mut all = fixture("health/describe_affected_entities.json");
            if let Some(set) = all["entities"].as_array_mut() {
                set.retain(|e| {
                    e["eventArn"]
                        .as_str()
                        .is_some_and(|a| asked.iter().any(|x| x == a))
                });
            }
            (200, all)
        }
        other => (
            400,
            json!({"__type": "ValidationException", "message": format!("not recorded: {other}")}),
        ),
    }
}

fn served(replies: fn(&str, &Json) -> (u16, Json)) -> (Recorded, Bridge) {
    let rec = recorded::start(replies);
    let bridge = bridge::start(&rec.url);
    (rec, bridge)
}

#[tokio::test]
async fn wire_account_events_pages_details_and_entities_through_cbor() {
    let (rec, bridge) = served(account_replies);
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url));
    let answer = backend
        .health_events(HealthView::Account, now())
        .await
        .expect("events");
    assert_eq!(answer.endpoint, "us-east-1");
    assert_eq!(answer.failover, None);
    assert!(answer.problems.is_empty(), "{:?}", answer.problems);
    assert_eq!(answer.data.len(), 4, "2 pages of open/upcoming + 1 closed");

    let sick = &answer.data[0];
    assert_eq!(sick.zone_name.as_deref(), Some("us-east-1b"));
    assert_eq!(sick.status, EventStatus::Open);
    assert_eq!(sick.start, Some(now() - chrono::Duration::minutes(9)));
    assert_eq!(
        sick.last_updated.map(|t| t.timestamp_millis()),
        Some(1_795_316_760_500),
        "fractional timestamps survive CBOR tag 1"
    );
    assert!(
        sick.description
            .as_deref()
            .is_some_and(|d| d.contains("use1-az6"))
    );
    assert_eq!(sick.entities.len(), 1);
    assert_eq!(sick.entities[0].value, "i-0b0000005eed0010");
    assert_eq!(sick.entities[0].status, EntityStatus::Impaired);
    let upcoming = &answer.data[1];
    assert_eq!(upcoming.status, EventStatus::Upcoming);
    assert_eq!(upcoming.entities[0].status, EntityStatus::Pending);
    assert!(upcoming.end.is_some());

    // What went over the wire, as the recorded server saw it after the bridge.
    let reqs = rec.requests();
    let events: Vec<&Json> = reqs
        .iter()
        .filter(|(op, _)| op == "DescribeEvents")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(events.len(), 3, "page 1, page 2, closed");
    assert_eq!(status_codes(events[0]), ["open", "upcoming"]);
    assert_eq!(events[0]["maxResults"], json!(100));
    assert_eq!(
        events[1]["nextToken"],
        json!("AAMA-EFRSURBSGl4b3JhdGlvbg==")
    );
    assert_eq!(
        events[2]["filter"]["endTimes"][0]["from"]
            .as_f64()
            .map(|f| f as i64),
        Some((now() - chrono::Duration::days(7)).timestamp())
    );
    for (op, r) in &reqs {
        if op == "DescribeEventDetails" {
            assert!(arns_in(&r["eventArns"]).len() <= 10);
        }
    }
    assert_eq!(
        bridge.operations_of("health"),
        [
            "DescribeEvents",
            "DescribeEvents",
            "DescribeEvents",
            "DescribeEventDetails",
            "DescribeAffectedEntities"
        ]
    );
}

fn not_subscribed(_op: &str, _req: &Json) -> (u16, Json) {
    (400, fixture("health/subscription_required.json"))
}

#[tokio::test]
async fn wire_subscription_required_is_not_subscribed() {
    let (_rec, bridge) = served(not_subscribed);
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url));
    let err = backend
        .health_events(HealthView::Account, now())
        .await
        .expect_err("no support plan");
    assert_eq!(
        err,
        BackendError::NotSubscribed {
            operation: "DescribeEvents".into()
        }
    );
    assert_eq!(
        bridge.operations_of("health"),
        ["DescribeEvents"],
        "no failover, no retry"
    );
}

fn org_replies(op: &str, req: &Json) -> (u16, Json) {
    match op {
        "DescribeHealthServiceStatusForOrganization" => (
            200,
            json!({"healthServiceAccessStatusForOrganization": "ENABLED"}),
        ),
        "DescribeEventsForOrganization" if status_codes(req).contains(&"closed".to_string()) => {
            (200, json!({"events": []}))
        }
        "DescribeEventsForOrganization" => {
            (200, fixture("health/describe_events_for_organization.json"))
        }
        "DescribeAffectedAccountsForOrganization" => (
            200,
            fixture("health/describe_affected_accounts_for_organization.json"),
        ),
        "DescribeEventDetailsForOrganization" => (
            200,
            fixture("health/describe_event_details_for_organization.json"),
        ),
        other => (
            400,
            json!({"__type": "ValidationException", "message": other}),
        ),
    }
}

#[tokio::test]
async fn wire_organization_view_status_events_accounts_and_text() {
    let (rec, bridge) = served(org_replies);
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url));
    assert_eq!(
        backend.organization_access().await,
        Ok(grayscope::model::health::OrgAccess::Enabled)
    );
    let events = backend
        .health_events(HealthView::Organization, now())
        .await
        .expect("organization events");
    assert_eq!(events.data.len(), 1);
    let e = &events.data[0];
    assert_eq!(e.scope, "PUBLIC");
    assert_eq!(e.zone_name, None, "organization events carry no zone");
    let accounts = backend.affected_accounts(&e.arn).await.expect("accounts");
    let ids: Vec<&str> = accounts.data.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(ids, ["210987654321", "345678901234"]);
    let text = backend
        .organization_event_description(&e.arn, "210987654321")
        .await
        .expect("details");
    assert!(text.is_some_and(|t| t.contains("use1-az6")));
    let details: Vec<Json> = rec
        .requests()
        .into_iter()
        .filter(|(op, _)| op == "DescribeEventDetailsForOrganization")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        details[0]["organizationEventDetailFilters"][0]["awsAccountId"],
        json!("210987654321")
    );
    assert_eq!(
        bridge.operations_of("health"),
        [
            "DescribeHealthServiceStatusForOrganization",
            "DescribeEventsForOrganization",
            "DescribeEventsForOrganization",
            "DescribeAffectedAccountsForOrganization",
            "DescribeEventDetailsForOrganization"
        ]
    );
}

/// Health's active endpoint refuses connections; the passive one is the bridge.
fn failing_over(bridge: &Bridge) -> AwsBackend {
    let good = support::sdk_config(&bridge.url);
    let refused = aws_sdk_health::config::Builder::from(&good)
        .endpoint_url("http://127.0.0.1:9")
        .build();
    AwsBackend::from_clients(
        AwsClients {
            ec2: aws_sdk_ec2::Client::new(&good),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&good),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&good),
            health: aws_sdk_health::Client::from_conf(refused),
            health_failover: aws_sdk_health::Client::new(&good),
            logs: aws_sdk_cloudwatchlogs::Client::new(&good),
            arc: aws_sdk_arczonalshift::Client::new(&good),
            athena: aws_sdk_athena::Client::new(&good),
        },
        Identity {
            region: Some("us-east-1".into()),
            profile: None,
        },
    )
}

#[tokio::test]
async fn wire_unreachable_us_east_1_fails_over_to_us_east_2() {
    let (_rec, bridge) = served(account_replies);
    let answer = failing_over(&bridge)
        .health_events(HealthView::Account, now())
        .await
        .expect("answered by the passive endpoint");
    assert_eq!(answer.endpoint, "us-east-2");
    assert!(
        answer
            .failover
            .as_deref()
            .is_some_and(|w| w.starts_with("us-east-1: DescribeEvents: cannot reach")),
        "{:?}",
        answer.failover
    );
    assert_eq!(answer.data.len(), 4);
}

#[tokio::test]
async fn wire_the_pane_marks_the_zone_and_says_which_endpoint_answered() {
    let (_rec, bridge) = served(account_replies);
    let clock = Clock::Frozen(now());
    let mut services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
    services.health = Arc::new(failing_over(&bridge));
    let mut app = App::new(
        Mode::Demo,
        Keymap::defaults(),
        vec!["shop-frontend".into()],
        chrono::Duration::seconds(30),
        now(),
    );
    grayscope::load_all(&mut app, &services, clock).await;
    let pane = app.pane::<HealthPane>().expect("pane");
    assert_eq!(pane.shown.len(), 3, "eu-west-1 left out");
    assert_eq!(
        app.shared.health_marks,
        [("us-east-1b".to_string(), OPEN_ISSUE_LABEL.to_string())]
    );
    let area = ratatui::layout::Rect::new(0, 0, 160, 48);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, &app);
    let screen = grayscope::ui::export::to_text(&buf);
    assert!(screen.contains("via us-east-2 (failover)"), "{screen}");
    assert!(screen.contains("1 open issue (us-east-1b)"), "{screen}");
    // Untrusted text from AWS never reaches the terminal raw.
    let detail: String = grayscope::app::pane::Pane::detail(pane, &app.shared)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(
        detail.contains("use1-az6") && !detail.contains('\x1b'),
        "{detail}"
    );
    assert!(detail.contains("failed over"), "{detail}");
}
