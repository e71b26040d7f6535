//! `backend::aws` ARC zonal shift against in-process SDK mocks (aws-smithy-mocks): the
//! status of a load balancer (attribute, managed resource with weights, active shift
//! and autoshift, practice runs, recent shifts over pages), a load balancer ARC does
//! not manage, free addresses per subnet, start/extend/cancel with the exact request
//! fields, and every refusal in words (shift already active, autoshift in the way,
//! simultaneous shifts, not active, unsupported and invalid AZ, not enabled, access
//! denied), plus a throttled start tried again.

mod support;

use aws_sdk_arczonalshift::operation::cancel_zonal_shift::CancelZonalShiftOutput;
use aws_sdk_arczonalshift::operation::get_managed_resource::GetManagedResourceOutput;
use aws_sdk_arczonalshift::operation::list_zonal_shifts::ListZonalShiftsOutput;
use aws_sdk_arczonalshift::operation::start_zonal_shift::StartZonalShiftOutput;
use aws_sdk_arczonalshift::operation::update_zonal_shift::UpdateZonalShiftOutput;
use aws_sdk_arczonalshift::types::{
    AppliedStatus, AutoshiftAppliedStatus, AutoshiftInResource, PracticeRunConfiguration,
    PracticeRunOutcome, ShiftType, ZonalAutoshiftStatus, ZonalShiftInResource, ZonalShiftStatus,
    ZonalShiftSummary,
};
use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
use aws_sdk_ec2::types::Subnet;
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancer_attributes::DescribeLoadBalancerAttributesOutput;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode as HttpStatus;
use aws_smithy_types::DateTime as SmithyTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use grayscope::backend::Identity;
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::zonal_shift::{
    ShiftError, ShiftKind, ShiftRequest, ShiftState, ZonalShifts,
};
use grayscope::model::zonal_shift::{AzId, Expiry};
use grayscope::model::zones::{LbKind, LoadBalancer};
use support::observe::Observe;

const ARC: &str = "arc-zonal-shift";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188";

fn lb() -> LoadBalancer {
    LoadBalancer {
        arn: LB_ARN.into(),
        name: "shop".into(),
        kind: LbKind::Application,
        scheme: "internet-facing".into(),
        state: "active".into(),
        vpc_id: Some("vpc-1".into()),
        zone_names: vec!["us-east-1a".into(), "us-east-1b".into()],
    }
}

fn backend(arc: &[&Rule], elbv2: &[&Rule], ec2: &[&Rule]) -> AwsBackend {
    backend_mode(RuleMode::MatchAny, arc, elbv2, ec2)
}

fn backend_mode(mode: RuleMode, arc: &[&Rule], elbv2: &[&Rule], ec2: &[&Rule]) -> AwsBackend {
    let clients = AwsClients {
        ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, ec2, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new("ec2"))),
        elbv2: mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            elbv2,
            |c| c
                .retry_config(RetryConfig::disabled())
                .interceptor(Observe::new("elasticloadbalancing"))
        ),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[]),
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, &[]),
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
        arc: mock_client!(aws_sdk_arczonalshift, mode, arc, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(ARC))),
    };
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: Some("sre".into()),
        },
    )
}

/// A restJson1 error as ARC sends it: the type in `x-amzn-errortype`, the reason in
/// the body.
fn arc_error(status: u16, kind: &str, body: &str) -> HttpResponse {
    let mut r = HttpResponse::new(
        HttpStatus::try_from(status).expect("status"),
        SdkBody::from(body.to_string()),
    );
    r.headers_mut().insert("x-amzn-errortype", kind.to_string());
    r.headers_mut()
        .insert("content-type", "application/json".to_string());
    r
}

fn t(secs: i64) -> SmithyTime {
    SmithyTime::from_secs(secs)
}

fn attribute(value: &str) -> Rule {
    let value = value.to_string();
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
        .match_requests(|r| r.load_balancer_arn() == Some(LB_ARN))
        .then_output(move || {
            DescribeLoadBalancerAttributesOutput::builder()
                .attributes(
                    LoadBalancerAttribute::builder()
                        .key("deletion_protection.enabled")
                        .value("false")
                        .build(),
                )
                .attributes(
                    LoadBalancerAttribute::builder()
                        .key("zonal_shift.config.enabled")
                        .value(value.clone())
                        .build(),
                )
                .build()
        })
}

fn active_in_resource() -> ZonalShiftInResource {
    ZonalShiftInResource::builder()
        .applied_status(AppliedStatus::Applied)
        .zonal_shift_id("9ab8c7d6-shift")
        .resource_identifier(LB_ARN)
        .away_from("use1-az6")
        .expiry_time(t(1_773_500_000))
        .start_time(t(1_773_496_400))
        .comment("grayscope: us-east-1b IMPAIRED")
        .shift_type(ShiftType::ZonalShift)
        .build()
        .expect("shift")
}

fn summary(id: &str, status: ZonalShiftStatus, kind: ShiftType, start: i64) -> ZonalShiftSummary {
    let mut b = ZonalShiftSummary::builder()
        .zonal_shift_id(id)
        .resource_identifier(LB_ARN)
        .away_from("use1-az4")
        .expiry_time(t(start + 1800))
        .start_time(t(start))
        .status(status)
        .comment("old")
        .shift_type(kind.clone());
    if kind == ShiftType::PracticeRun {
        b = b.practice_run_outcome(PracticeRunOutcome::Succeeded);
    }
    b.build().expect("summary")
}

#[tokio::test]
async fn status_reads_the_attribute_the_resource_and_recent_shifts_over_pages() {
    let managed = mock!(aws_sdk_arczonalshift::Client::get_managed_resource)
        .match_requests(|r| r.resource_identifier() == Some(LB_ARN))
        .then_output(|| {
            GetManagedResourceOutput::builder()
                .arn(LB_ARN)
                .name("shop")
                .applied_weights("use1-az4", 1.0)
                .applied_weights("use1-az6", 0.0)
                .zonal_shifts(active_in_resource())
                .autoshifts(
                    AutoshiftInResource::builder()
                        .applied_status(AutoshiftAppliedStatus::NotApplied)
                        .away_from("use1-az6")
                        .start_time(t(1_773_496_000))
                        .build()
                        .expect("autoshift"),
                )
                .practice_run_configuration(
                    PracticeRunConfiguration::builder()
                        .set_outcome_alarms(Some(Vec::new()))
                        .build()
                        .expect("practice"),
                )
                .zonal_autoshift_status(ZonalAutoshiftStatus::Enabled)
                .build()
                .expect("output")
        });
    let page1 = mock!(aws_sdk_arczonalshift::Client::list_zonal_shifts)
        .match_requests(|r| r.resource_identifier() == Some(LB_ARN) && r.next_token().is_none())
        .then_output(|| {
            ListZonalShiftsOutput::builder()
                .items(summary(
                    "9ab8c7d6-shift",
                    ZonalShiftStatus::Active,
                    ShiftType::ZonalShift,
                    1_773_496_400,
                ))
                .items(summary(
                    "older",
                    ZonalShiftStatus::Canceled,
                    ShiftType::ZonalShift,
                    1_773_000_000,
                ))
                .next_token("page2")
                .build()
        });
    let page2 = mock!(aws_sdk_arczonalshift::Client::list_zonal_shifts)
        .match_requests(|r| r.next_token() == Some("page2"))
        .then_output(|| {
            ListZonalShiftsOutput::builder()
                .items(summary(
                    "practice",
                    ZonalShiftStatus::Expired,
                    ShiftType::PracticeRun,
                    1_773_300_000,
                ))
                .build()
        });
    let b = backend(&[&managed, &page1, &page2], &[&attribute("true")], &[]);
    let s = b.shift_status(&lb()).await.expect("status");
    assert_eq!(s.enabled, Some(true));
    assert!(s.managed);
    assert_eq!(s.autoshift, Some(true));
    assert_eq!(s.practice_runs, Some(true));
    assert_eq!(
        s.applied_weights,
        vec![("use1-az4".to_string(), 1.0), ("use1-az6".to_string(), 0.0)]
    );
    let ids: Vec<(&str, ShiftState, ShiftKind)> = s
        .shifts
        .iter()
        .map(|z| (z.id.as_str(), z.state, z.kind))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("9ab8c7d6-shift", ShiftState::Active, ShiftKind::Manual),
            ("", ShiftState::Active, ShiftKind::Autoshift),
            ("practice", ShiftState::Expired, ShiftKind::PracticeRun),
            ("older", ShiftState::Canceled, ShiftKind::Manual),
        ],
        "active from the resource (no double from the list), then recent newest first"
    );
    let active = s.active_away_from("use1-az6").expect("active");
    assert_eq!(active.applied, Some(true));
    assert_eq!(active.expiry.map(|e| e.timestamp()), Some(1_773_500_000));
    assert_eq!(s.shifts[1].applied, Some(false));
    assert_eq!(s.shifts[2].outcome.as_deref(), Some("SUCCEEDED"));
    assert!(s.problems.is_empty(), "{:?}", s.problems);
}

#[tokio::test]
async fn a_load_balancer_arc_does_not_manage_is_not_an_error() {
    let not_found =
        mock!(aws_sdk_arczonalshift::Client::get_managed_resource).then_http_response(|| {
            arc_error(
                404,
                "ResourceNotFoundException",
                r#"{"message":"The resource was not found"}"#,
            )
        });
    let none = mock!(aws_sdk_arczonalshift::Client::list_zonal_shifts)
        .then_output(|| ListZonalShiftsOutput::builder().build());
    let b = backend(&[&not_found, &none], &[&attribute("false")], &[]);
    let s = b.shift_status(&lb()).await.expect("status");
    assert_eq!(s.enabled, Some(false));
    assert!(!s.managed);
    assert!(s.shifts.is_empty());
    assert!(s.problems.is_empty(), "{:?}", s.problems);
}

#[tokio::test]
async fn a_denied_read_is_a_problem_line_beside_what_loaded() {
    let denied =
        mock!(aws_sdk_arczonalshift::Client::get_managed_resource).then_http_response(|| {
            arc_error(
                403,
                "AccessDeniedException",
                r#"{"message":"not authorized to perform arc-zonal-shift:GetManagedResource"}"#,
            )
        });
    let none = mock!(aws_sdk_arczonalshift::Client::list_zonal_shifts)
        .then_output(|| ListZonalShiftsOutput::builder().build());
    let b = backend(&[&denied, &none], &[&attribute("true")], &[]);
    let s = b.shift_status(&lb()).await.expect("status");
    assert_eq!(s.enabled, Some(true));
    assert_eq!(s.problems.len(), 1);
    assert!(s.problems[0].contains("access denied"), "{:?}", s.problems);
}

#[tokio::test]
async fn free_addresses_per_subnet() {
    let subnets = mock!(aws_sdk_ec2::Client::describe_subnets).then_output(|| {
        DescribeSubnetsOutput::builder()
            .subnets(
                Subnet::builder()
                    .subnet_id("subnet-a")
                    .availability_zone("us-east-1a")
                    .availability_zone_id("use1-az4")
                    .available_ip_address_count(187)
                    .build(),
            )
            .subnets(
                Subnet::builder()
                    .subnet_id("subnet-c")
                    .availability_zone("us-east-1c")
                    .availability_zone_id("use1-az1")
                    .available_ip_address_count(0)
                    .build(),
            )
            .build()
    });
    let b = backend(&[], &[], &[&subnets]);
    let rooms = b.subnet_room("vpc-1").await.expect("rooms");
    assert_eq!(rooms.len(), 2);
    assert_eq!(rooms[0].free_ips, 187);
    assert_eq!(rooms[0].zone_id.as_deref(), Some("use1-az4"));
    assert_eq!(rooms[1].free_ips, 0);
}

fn request() -> ShiftRequest {
    ShiftRequest {
        lb_arn: LB_ARN.into(),
        lb_name: "shop".into(),
        away_from: AzId::parse("use1-az6").expect("id"),
        expires_in: Expiry::parse("1h").expect("1h"),
        comment: "grayscope: us-east-1b IMPAIRED".into(),
    }
}

#[tokio::test]
async fn start_sends_the_az_id_expiry_and_comment_and_maps_the_answer() {
    let start = mock!(aws_sdk_arczonalshift::Client::start_zonal_shift)
        .match_requests(|r| {
            r.resource_identifier() == Some(LB_ARN)
                && r.away_from() == Some("use1-az6")
                && r.expires_in() == Some("1h")
                && r.comment() == Some("grayscope: us-east-1b IMPAIRED")
        })
        .then_output(|| {
            StartZonalShiftOutput::builder()
                .zonal_shift_id("new-shift")
                .resource_identifier(LB_ARN)
                .away_from("use1-az6")
                .expiry_time(t(1_773_500_000))
                .start_time(t(1_773_496_400))
                .status(ZonalShiftStatus::Active)
                .comment("grayscope: us-east-1b IMPAIRED")
                .build()
                .expect("output")
        });
    let b = backend(&[&start], &[], &[]);
    let s = b.start_shift(&request()).await.expect("started");
    assert_eq!(s.id, "new-shift");
    assert_eq!(s.away_from, "use1-az6");
    assert_eq!(s.state, ShiftState::Active);
    assert_eq!(s.expiry.map(|e| e.timestamp()), Some(1_773_500_000));
    assert_eq!(start.num_calls(), 1);
}

async fn start_refused(status: u16, kind: &str, body: &str) -> ShiftError {
    let (kind, body) = (kind.to_string(), body.to_string());
    let start = mock!(aws_sdk_arczonalshift::Client::start_zonal_shift)
        .then_http_response(move || arc_error(status, &kind, &body));
    let b = backend(&[&start], &[], &[]);
    b.start_shift(&request()).await.expect_err("refused")
}

#[tokio::test]
async fn every_refusal_of_a_start_is_said_in_words() {
    let e = start_refused(
        409,
        "ConflictException",
        r#"{"message":"A zonal shift already exists","reason":"ZonalShiftAlreadyExists","zonalShiftId":"9ab8c7d6-shift"}"#,
    )
    .await;
    assert_eq!(
        e,
        ShiftError::AlreadyActive {
            lb: "shop".into(),
            shift_id: Some("9ab8c7d6-shift".into()),
            message: "A zonal shift already exists".into()
        }
    );
    assert!(e.to_string().contains("extend or cancel it instead"));

    let e = start_refused(
        409,
        "ConflictException",
        r#"{"message":"autoshift","reason":"AutoShiftEnabled"}"#,
    )
    .await;
    assert!(matches!(e, ShiftError::Autoshift { .. }), "{e:?}");
    assert!(e.to_string().contains("zonal autoshift is in the way"));

    let e = start_refused(
        409,
        "ConflictException",
        r#"{"message":"another shift","reason":"SimultaneousZonalShiftsConflict"}"#,
    )
    .await;
    assert!(matches!(e, ShiftError::Simultaneous { .. }), "{e:?}");

    let e = start_refused(
        400,
        "ValidationException",
        r#"{"message":"az not supported","reason":"UnsupportedAz"}"#,
    )
    .await;
    assert!(
        e.to_string()
            .starts_with("use1-az6 is not a zone this load balancer"),
        "{e}"
    );
    let e = start_refused(
        400,
        "ValidationException",
        r#"{"message":"bad az","reason":"InvalidAz"}"#,
    )
    .await;
    assert!(matches!(e, ShiftError::UnsupportedAz { .. }), "{e:?}");

    let e = start_refused(
        404,
        "ResourceNotFoundException",
        r#"{"message":"not found"}"#,
    )
    .await;
    assert_eq!(e, ShiftError::NotEnabled { lb: "shop".into() });
    assert!(e.to_string().contains("zonal_shift.config.enabled=true"));

    let e = start_refused(
        400,
        "ValidationException",
        r#"{"message":"bad arn","reason":"InvalidResourceIdentifier"}"#,
    )
    .await;
    assert_eq!(e, ShiftError::NotEnabled { lb: "shop".into() });

    let e = start_refused(
        403,
        "AccessDeniedException",
        r#"{"message":"User is not authorized"}"#,
    )
    .await;
    assert!(matches!(e, ShiftError::AccessDenied { .. }), "{e:?}");
    assert!(e.to_string().contains("arc-zonal-shift:StartZonalShift"));
}

#[tokio::test]
async fn a_throttled_start_is_tried_again() {
    let throttled =
        mock!(aws_sdk_arczonalshift::Client::start_zonal_shift).then_http_response(|| {
            arc_error(429, "ThrottlingException", r#"{"message":"Rate exceeded"}"#)
        });
    let ok = mock!(aws_sdk_arczonalshift::Client::start_zonal_shift).then_output(|| {
        StartZonalShiftOutput::builder()
            .zonal_shift_id("after-throttle")
            .resource_identifier(LB_ARN)
            .away_from("use1-az6")
            .expiry_time(t(1_773_500_000))
            .start_time(t(1_773_496_400))
            .status(ZonalShiftStatus::Active)
            .comment("c")
            .build()
            .expect("output")
    });
    let b = backend_mode(RuleMode::Sequential, &[&throttled, &ok], &[], &[]);
    let s = b
        .start_shift(&request())
        .await
        .expect("started on the second try");
    assert_eq!(s.id, "after-throttle");
}

#[tokio::test]
async fn extend_and_cancel_by_shift_id() {
    let update = mock!(aws_sdk_arczonalshift::Client::update_zonal_shift)
        .match_requests(|r| {
            r.zonal_shift_id() == Some("9ab8c7d6-shift")
                && r.expires_in() == Some("2h")
                && r.comment() == Some("longer")
        })
        .then_output(|| {
            UpdateZonalShiftOutput::builder()
                .zonal_shift_id("9ab8c7d6-shift")
                .resource_identifier(LB_ARN)
                .away_from("use1-az6")
                .expiry_time(t(1_773_503_600))
                .start_time(t(1_773_496_400))
                .status(ZonalShiftStatus::Active)
                .comment("longer")
                .build()
                .expect("output")
        });
    let cancel = mock!(aws_sdk_arczonalshift::Client::cancel_zonal_shift)
        .match_requests(|r| r.zonal_shift_id() == Some("9ab8c7d6-shift"))
        .then_output(|| {
            CancelZonalShiftOutput::builder()
                .zonal_shift_id("9ab8c7d6-shift")
                .resource_identifier(LB_ARN)
                .away_from("use1-az6")
                .expiry_time(t(1_773_497_000))
                .start_time(t(1_773_496_400))
                .status(ZonalShiftStatus::Canceled)
                .comment("longer")
                .build()
                .expect("output")
        });
    let b = backend(&[&update, &cancel], &[], &[]);
    let u = b
        .update_shift(
            "shop",
            "9ab8c7d6-shift",
            Expiry::parse("2h").unwrap(),
            "longer",
        )
        .await
        .expect("updated");
    assert_eq!(u.expiry.map(|e| e.timestamp()), Some(1_773_503_600));
    let c = b
        .cancel_shift("shop", "9ab8c7d6-shift")
        .await
        .expect("cancelled");
    assert_eq!(c.state, ShiftState::Canceled);
}

#[tokio::test]
async fn extend_or_cancel_of_a_shift_that_ended_says_so() {
    let body =
        r#"{"message":"not active","reason":"ZonalShiftStatusNotActive","zonalShiftId":"gone"}"#;
    let update = mock!(aws_sdk_arczonalshift::Client::update_zonal_shift)
        .then_http_response(move || arc_error(409, "ConflictException", body));
    let cancel = mock!(aws_sdk_arczonalshift::Client::cancel_zonal_shift)
        .then_http_response(move || arc_error(409, "ConflictException", body));
    let b = backend(&[&update, &cancel], &[], &[]);
    let e = b
        .update_shift("shop", "gone", Expiry::parse("1h").unwrap(), "x")
        .await
        .expect_err("refused");
    assert!(matches!(e, ShiftError::NotActive { .. }), "{e:?}");
    let e = b.cancel_shift("shop", "gone").await.expect_err("refused");
    assert!(e.to_string().contains("no longer active"), "{e}");
}
