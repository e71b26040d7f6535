//! `backend::aws` against in-process SDK mocks (aws-smithy-mocks): how every SDK shape
//! maps into the domain model, and how errors are classified.

mod support;

use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
use aws_sdk_cloudwatch::types::{MessageData, MetricDataResult, ScanBy, StatusCode};
use aws_sdk_ec2::operation::describe_availability_zones::DescribeAvailabilityZonesOutput;
use aws_sdk_ec2::operation::describe_instances::{DescribeInstancesError, DescribeInstancesOutput};
use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
use aws_sdk_ec2::types::{
    AvailabilityZone as Ec2Zone, AvailabilityZoneState, Instance, Placement, Reservation,
    Subnet as Ec2Subnet,
};
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancer_attributes::DescribeLoadBalancerAttributesOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::{
    DescribeLoadBalancersError, DescribeLoadBalancersOutput,
};
use aws_sdk_elasticloadbalancingv2::operation::describe_target_group_attributes::{
    DescribeTargetGroupAttributesError, DescribeTargetGroupAttributesOutput,
};
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput;
use aws_sdk_elasticloadbalancingv2::types::{
    AdministrativeOverride, AnomalyDetection, AnomalyResultEnum, AvailabilityZone as ElbZone,
    DescribeTargetHealthInputIncludeEnum, LoadBalancer as ElbLoadBalancer, LoadBalancerAttribute,
    LoadBalancerSchemeEnum, LoadBalancerState, LoadBalancerStateEnum, LoadBalancerTypeEnum,
    MitigationInEffectEnum, ProtocolEnum, TargetAdministrativeOverrideStateEnum, TargetDescription,
    TargetGroup as ElbTargetGroup, TargetGroupAttribute, TargetHealth, TargetHealthDescription,
    TargetHealthReasonEnum, TargetHealthStateEnum, TargetTypeEnum,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::identity::{
    IdentityFuture, ResolveCachedIdentity, SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode as HttpStatus;
use aws_smithy_types::DateTime as SmithyTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use chrono::{TimeZone, Utc};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::{Account, BackendError, Identity, Metrics, Targets};
use grayscope::model::metrics::{MetricIssue, Window, ZoneMetric};
use grayscope::model::targets::{TargetState, ZoneSource};
use grayscope::model::zones::{CrossZone, LbKind, LoadBalancer};
use std::sync::{Arc, Mutex};
use support::observe::Observe;

const ACCOUNT: &str = "123456789012";
const EC2: &str = "ec2";
const ELB: &str = "elasticloadbalancing";
const CW: &str = "monitoring";

fn lb_arn(kind: &str, name: &str, id: &str) -> String {
    format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/{kind}/{name}/{id}")
}

fn tg_arn(name: &str, id: &str) -> String {
    format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/{name}/{id}")
}

/// Mocked clients: rules match in any order (calls run in parallel); an unmatched
/// request panics; no retries, so errors come back at once.
fn clients(ec2: &[&Rule], elbv2: &[&Rule], cloudwatch: &[&Rule]) -> AwsClients {
    AwsClients {
        ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, ec2, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(EC2))),
        elbv2: mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            elbv2,
            |c| c
                .retry_config(RetryConfig::disabled())
                .interceptor(Observe::new(ELB))
        ),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, cloudwatch, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(CW))),
        // Health has its own file (mapping_health.rs).
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[] as &[&Rule]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[] as &[&Rule]),
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[], |c| c
            .retry_config(RetryConfig::disabled())),
        arc: mock_client!(aws_sdk_arczonalshift, RuleMode::MatchAny, &[]),
        athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, &[], |c| c
            .retry_config(RetryConfig::disabled())),
    }
}

fn identity() -> Identity {
    Identity {
        region: Some("us-east-1".into()),
        profile: Some("sre".into()),
    }
}

fn backend(ec2: &[&Rule], elbv2: &[&Rule], cloudwatch: &[&Rule]) -> AwsBackend {
    AwsBackend::from_clients(clients(ec2, elbv2, cloudwatch), identity())
}

fn http(status: u16, body: &'static str) -> HttpResponse {
    HttpResponse::new(
        HttpStatus::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn shop_lb() -> LoadBalancer {
    LoadBalancer {
        arn: lb_arn("app", "shop", "50dc6c495c0c9188"),
        name: "shop".into(),
        kind: LbKind::Application,
        scheme: "internet-facing".into(),
        state: "active".into(),
        vpc_id: Some("vpc-1".into()),
        zone_names: vec![
            "us-east-1a".into(),
            "us-east-1b".into(),
            "us-east-1c".into(),
        ],
    }
}

// ---------------------------------------------------------------- zones, LBs

#[tokio::test]
async fn availability_zones_map_names_ids_and_states() {
    let rule = mock!(aws_sdk_ec2::Client::describe_availability_zones).then_output(|| {
        let zone = |name: &str, id: &str, state: AvailabilityZoneState| {
            Ec2Zone::builder()
                .zone_name(name)
                .zone_id(id)
                .state(state)
                .region_name("us-east-1")
                .build()
        };
        DescribeAvailabilityZonesOutput::builder()
            .availability_zones(zone(
                "us-east-1a",
                "use1-az6",
                AvailabilityZoneState::Available,
            ))
            .availability_zones(zone(
                "us-east-1b",
                "use1-az1",
                AvailabilityZoneState::Impaired,
            ))
            .availability_zones(zone(
                "us-east-1c",
                "use1-az2",
                AvailabilityZoneState::Constrained,
            ))
            .build()
    });
    let zones = backend(&[&rule], &[], &[]).zones().await.expect("zones");
    let got: Vec<(&str, &str, &str, bool)> = zones
        .iter()
        .map(|z| {
            (
                z.name.as_str(),
                z.id.as_str(),
                z.state.as_str(),
                z.reported_unwell(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("us-east-1a", "use1-az6", "available", false),
            ("us-east-1b", "use1-az1", "impaired", true),
            ("us-east-1c", "use1-az2", "constrained", true),
        ]
    );
    assert_eq!(rule.num_calls(), 1);
}

fn elb_lb(kind: LoadBalancerTypeEnum, name: &str, id: &str, zones: &[&str]) -> ElbLoadBalancer {
    let k = match kind {
        LoadBalancerTypeEnum::Network => "net",
        _ => "app",
    };
    let mut b = ElbLoadBalancer::builder()
        .load_balancer_arn(lb_arn(k, name, id))
        .load_balancer_name(name)
        .dns_name(format!("{name}-1.us-east-1.elb.amazonaws.com"))
        .r#type(kind)
        .scheme(LoadBalancerSchemeEnum::InternetFacing)
        .state(
            LoadBalancerState::builder()
                .code(LoadBalancerStateEnum::Active)
                .build(),
        )
        .vpc_id("vpc-1");
    for (i, z) in zones.iter().enumerate() {
        b = b.availability_zones(
            ElbZone::builder()
                .zone_name(*z)
                .subnet_id(format!("subnet-{i}"))
                .build(),
        );
    }
    b.build()
}

#[tokio::test]
async fn load_balancers_by_name_map_every_field() {
    let rule = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.names() == ["shop"] && r.load_balancer_arns().is_empty())
        .then_output(|| {
            DescribeLoadBalancersOutput::builder()
                .load_balancers(elb_lb(
                    LoadBalancerTypeEnum::Application,
                    "shop",
                    "50dc6c495c0c9188",
                    &["us-east-1a", "us-east-1b", "us-east-1c"],
                ))
                .build()
        });
    let lbs = backend(&[], &[&rule], &[])
        .load_balancers(&["shop".to_string()])
        .await
        .expect("load balancers")
        .data;
    assert_eq!(lbs, vec![shop_lb()]);
    assert_eq!(lbs[0].metric_dimension(), Some("app/shop/50dc6c495c0c9188"));
    assert_eq!(lbs[0].account_id(), Some(ACCOUNT));
}

#[tokio::test]
async fn load_balancers_by_name_and_arn_in_parallel_kept_in_wanted_order() {
    let edge_arn = lb_arn("net", "edge", "7f8e9d");
    let by_arn = {
        let edge_arn = edge_arn.clone();
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
            .match_requests(move |r| {
                r.names().is_empty() && r.load_balancer_arns() == [edge_arn.clone()]
            })
            .then_output(|| {
                DescribeLoadBalancersOutput::builder()
                    .load_balancers(elb_lb(
                        LoadBalancerTypeEnum::Network,
                        "edge",
                        "7f8e9d",
                        &["us-east-1a"],
                    ))
                    .build()
            })
    };
    let by_name = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.names() == ["shop"])
        .then_output(|| {
            DescribeLoadBalancersOutput::builder()
                .load_balancers(elb_lb(
                    LoadBalancerTypeEnum::Application,
                    "shop",
                    "50dc6c495c0c9188",
                    &["us-east-1a"],
                ))
                .build()
        });
    let lbs = backend(&[], &[&by_name, &by_arn], &[])
        .load_balancers(&[edge_arn.clone(), "shop".into(), " shop ".into()])
        .await
        .expect("load balancers")
        .data;
    let got: Vec<(&str, LbKind, Option<&str>)> = lbs
        .iter()
        .map(|l| (l.name.as_str(), l.kind, l.metric_dimension()))
        .collect();
    assert_eq!(
        got,
        [
            ("edge", LbKind::Network, Some("net/edge/7f8e9d")),
            (
                "shop",
                LbKind::Application,
                Some("app/shop/50dc6c495c0c9188")
            ),
        ]
    );
    assert_eq!((by_arn.num_calls(), by_name.num_calls()), (1, 1));
}

#[tokio::test]
async fn all_load_balancers_follow_the_marker() {
    let first = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.marker().is_none() && r.names().is_empty())
        .then_output(|| {
            DescribeLoadBalancersOutput::builder()
                .load_balancers(elb_lb(
                    LoadBalancerTypeEnum::Application,
                    "a",
                    "1",
                    &["us-east-1a"],
                ))
                .next_marker("page-2")
                .build()
        });
    let second = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.marker() == Some("page-2"))
        .then_output(|| {
            DescribeLoadBalancersOutput::builder()
                .load_balancers(elb_lb(
                    LoadBalancerTypeEnum::Network,
                    "b",
                    "2",
                    &["us-east-1b"],
                ))
                .build()
        });
    let lbs = backend(&[], &[&first, &second], &[])
        .load_balancers(&[])
        .await
        .expect("all load balancers")
        .data;
    let names: Vec<&str> = lbs.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

// ---------------------------------------------------------------- target health

fn thd(
    id: &str,
    port: Option<i32>,
    zone: Option<&str>,
    state: TargetHealthStateEnum,
    reason: Option<TargetHealthReasonEnum>,
    description: Option<&str>,
) -> TargetHealthDescription {
    let mut target = TargetDescription::builder().id(id).set_port(port);
    if let Some(z) = zone {
        target = target.availability_zone(z);
    }
    TargetHealthDescription::builder()
        .target(target.build())
        .target_health(
            TargetHealth::builder()
                .state(state)
                .set_reason(reason)
                .set_description(description.map(str::to_string))
                .build(),
        )
        .build()
}

/// A DescribeTargetGroups rule answering `groups` for the load balancer `lb_arn`.
fn groups_of(lb_arn: &str, groups: Vec<ElbTargetGroup>) -> Rule {
    let arn = lb_arn.to_string();
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups)
        .match_requests(move |r| r.load_balancer_arn() == Some(arn.as_str()))
        .then_output(move || {
            DescribeTargetGroupsOutput::builder()
                .set_target_groups(Some(groups.clone()))
                .build()
        })
}

const CROSS_ZONE: &str = "load_balancing.cross_zone.enabled";

/// A DescribeTargetGroupAttributes rule: for each group in `settings` (ARN, value of
/// `load_balancing.cross_zone.enabled`, `None` to leave it out), its attributes beside
/// an unrelated one, as AWS lists them.
fn group_cross_zone(settings: &[(String, Option<&'static str>)]) -> Rule {
    let settings = settings.to_vec();
    let known = settings.clone();
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_group_attributes)
        .match_requests(move |r| known.iter().any(|(a, _)| r.target_group_arn() == Some(a)))
        .then_compute_output(move |r| {
            let value = settings
                .iter()
                .find(|(a, _)| r.target_group_arn() == Some(a))
                .and_then(|(_, v)| *v);
            let mut out = DescribeTargetGroupAttributesOutput::builder().attributes(
                TargetGroupAttribute::builder()
                    .key("deregistration_delay.timeout_seconds")
                    .value("300")
                    .build(),
            );
            if let Some(v) = value {
                out = out.attributes(
                    TargetGroupAttribute::builder()
                        .key(CROSS_ZONE)
                        .value(v)
                        .build(),
                );
            }
            out.build()
        })
}

/// A DescribeTargetGroupAttributes rule answering `false` for every group (tests about
/// something else).
fn every_group_cross_zone_off() -> Rule {
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_group_attributes).then_output(
        || {
            DescribeTargetGroupAttributesOutput::builder()
                .attributes(
                    TargetGroupAttribute::builder()
                        .key(CROSS_ZONE)
                        .value("false")
                        .build(),
                )
                .build()
        },
    )
}

/// A DescribeLoadBalancerAttributes rule answering `value` for the cross-zone
/// attribute of the load balancer `lb_arn` (`None`: left out).
fn lb_cross_zone(lb_arn: &str, value: Option<&'static str>) -> Rule {
    let arn = lb_arn.to_string();
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
        .match_requests(move |r| r.load_balancer_arn() == Some(arn.as_str()))
        .then_output(move || {
            let mut out = DescribeLoadBalancerAttributesOutput::builder().attributes(
                LoadBalancerAttribute::builder()
                    .key("deletion_protection.enabled")
                    .value("false")
                    .build(),
            );
            if let Some(v) = value {
                out = out.attributes(
                    LoadBalancerAttribute::builder()
                        .key(CROSS_ZONE)
                        .value(v)
                        .build(),
                );
            }
            out.build()
        })
}

fn elb_group(
    name: &str,
    id: &str,
    target_type: TargetTypeEnum,
    vpc: Option<&str>,
    lbs: &[String],
) -> ElbTargetGroup {
    ElbTargetGroup::builder()
        .target_group_arn(tg_arn(name, id))
        .target_group_name(name)
        .target_type(target_type)
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .set_vpc_id(vpc.map(str::to_string))
        .set_load_balancer_arns(Some(lbs.to_vec()))
        .build()
}

/// Two load balancers sharing the `web` group; `web` has a target in every state, one
/// of them without a zone (resolved through DescribeInstances); `pods` has IP targets
/// without zones (resolved through DescribeSubnets); `fn` is a Lambda group.
#[tokio::test]
async fn target_health_maps_every_state_and_resolves_zones() {
    let shop = shop_lb();
    let mut api = shop.clone();
    api.arn = lb_arn("app", "api", "99aa");
    api.name = "api".into();
    let both = vec![shop.arn.clone(), api.arn.clone()];

    // Both LBs share `web`; each has one group of its own.
    let web = elb_group(
        "web",
        "73e2d6bc24d8a067",
        TargetTypeEnum::Instance,
        Some("vpc-1"),
        &both,
    );
    let groups_shop = groups_of(
        &shop.arn,
        vec![
            web.clone(),
            elb_group("pods", "11", TargetTypeEnum::Ip, Some("vpc-1"), &both[..1]),
        ],
    );
    let groups_api = groups_of(
        &api.arn,
        vec![
            web,
            elb_group("fn", "22", TargetTypeEnum::Lambda, None, &both[1..]),
        ],
    );

    use TargetHealthReasonEnum as R;
    use TargetHealthStateEnum as S;
    let health_web = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(|r| {
            r.target_group_arn() == Some(tg_arn("web", "73e2d6bc24d8a067").as_str())
                && r.include() == [DescribeTargetHealthInputIncludeEnum::All]
        })
        .then_output(|| {
            let anomalous = TargetHealthDescription::builder()
                .target(
                    TargetDescription::builder()
                        .id("i-healthy")
                        .port(80)
                        .availability_zone("us-east-1a")
                        .build(),
                )
                .target_health(TargetHealth::builder().state(S::Healthy).build())
                .anomaly_detection(
                    AnomalyDetection::builder()
                        .result(AnomalyResultEnum::Anomalous)
                        .mitigation_in_effect(MitigationInEffectEnum::Yes)
                        .build(),
                )
                .build();
            let shifted = TargetHealthDescription::builder()
                .target(
                    TargetDescription::builder()
                        .id("i-shifted")
                        .port(80)
                        .availability_zone("us-east-1a")
                        .build(),
                )
                .target_health(TargetHealth::builder().state(S::Healthy).build())
                .anomaly_detection(
                    AnomalyDetection::builder()
                        .result(AnomalyResultEnum::Normal)
                        .mitigation_in_effect(MitigationInEffectEnum::No)
                        .build(),
                )
                .administrative_override(
                    AdministrativeOverride::builder()
                        .state(TargetAdministrativeOverrideStateEnum::ZonalShiftActive)
                        .build(),
                )
                .build();
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(anomalous)
                .target_health_descriptions(shifted)
                .target_health_descriptions(thd(
                    "i-initial",
                    Some(80),
                    Some("us-east-1a"),
                    S::Initial,
                    Some(R::InitialHealthChecking),
                    Some("Initial health checks in progress"),
                ))
                .target_health_descriptions(thd(
                    "i-registering",
                    Some(80),
                    Some("us-east-1a"),
                    S::Initial,
                    Some(R::RegistrationInProgress),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-timeout",
                    Some(80),
                    Some("us-east-1b"),
                    S::Unhealthy,
                    Some(R::Timeout),
                    Some("Request timed out"),
                ))
                .target_health_descriptions(thd(
                    "i-5xx",
                    Some(80),
                    Some("us-east-1b"),
                    S::Unhealthy,
                    Some(R::ResponseCodeMismatch),
                    Some("Health checks failed with these codes: [502]"),
                ))
                .target_health_descriptions(thd(
                    "i-failed",
                    Some(80),
                    Some("us-east-1b"),
                    S::Unhealthy,
                    Some(R::FailedHealthChecks),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-elb",
                    Some(80),
                    Some("us-east-1b"),
                    S::Unhealthy,
                    Some(R::InternalError),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-udrain",
                    Some(80),
                    Some("us-east-1b"),
                    S::UnhealthyDraining,
                    Some(R::FailedHealthChecks),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-unused",
                    Some(80),
                    Some("us-east-1c"),
                    S::Unused,
                    Some(R::NotInUse),
                    Some(
                        "Target group is not configured to receive traffic from the load balancer",
                    ),
                ))
                .target_health_descriptions(thd(
                    "i-notreg",
                    Some(80),
                    Some("us-east-1c"),
                    S::Unused,
                    Some(R::NotRegistered),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-stopped",
                    Some(80),
                    Some("us-east-1c"),
                    S::Unused,
                    Some(R::InvalidState),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-draining",
                    Some(80),
                    Some("us-east-1c"),
                    S::Draining,
                    Some(R::DeregistrationInProgress),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-unavail",
                    Some(80),
                    Some("us-east-1c"),
                    S::Unavailable,
                    Some(R::HealthCheckDisabled),
                    None,
                ))
                .target_health_descriptions(thd(
                    "i-nozone",
                    Some(8080),
                    None,
                    S::Healthy,
                    None,
                    None,
                ))
                .build()
        });
    let health_pods = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(|r| r.target_group_arn() == Some(tg_arn("pods", "11").as_str()))
        .then_output(|| {
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(thd(
                    "10.0.2.17",
                    Some(8080),
                    None,
                    S::Unhealthy,
                    Some(R::IpUnusable),
                    None,
                ))
                .target_health_descriptions(thd(
                    "10.0.1.5",
                    Some(8080),
                    None,
                    S::Healthy,
                    None,
                    None,
                ))
                .target_health_descriptions(thd(
                    "10.0.3.9",
                    Some(8080),
                    Some("us-east-1c"),
                    S::Healthy,
                    None,
                    None,
                ))
                .target_health_descriptions(thd(
                    "172.16.0.1",
                    Some(8080),
                    None,
                    S::Healthy,
                    None,
                    None,
                ))
                .build()
        });
    let health_fn = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(|r| r.target_group_arn() == Some(tg_arn("fn", "22").as_str()))
        .then_output(|| {
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(thd(
                    "arn:aws:lambda:us-east-1:123456789012:function:f",
                    None,
                    None,
                    S::Unavailable,
                    Some(R::HealthCheckDisabled),
                    None,
                ))
                .build()
        });

    let instances = mock!(aws_sdk_ec2::Client::describe_instances)
        .match_requests(|r| {
            r.filters().len() == 1
                && r.filters()[0].name() == Some("instance-id")
                && r.filters()[0].values() == ["i-nozone"]
        })
        .then_output(|| {
            DescribeInstancesOutput::builder()
                .reservations(
                    Reservation::builder()
                        .instances(
                            Instance::builder()
                                .instance_id("i-nozone")
                                .placement(
                                    Placement::builder().availability_zone("us-east-1b").build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let subnets = mock!(aws_sdk_ec2::Client::describe_subnets)
        .match_requests(|r| {
            r.filters().len() == 1
                && r.filters()[0].name() == Some("vpc-id")
                && r.filters()[0].values() == ["vpc-1"]
        })
        .then_output(|| {
            let subnet = |id: &str, cidr: &str, zone: &str| {
                Ec2Subnet::builder()
                    .subnet_id(id)
                    .cidr_block(cidr)
                    .availability_zone(zone)
                    .vpc_id("vpc-1")
                    .build()
            };
            DescribeSubnetsOutput::builder()
                .subnets(subnet("subnet-a", "10.0.1.0/24", "us-east-1a"))
                .subnets(subnet("subnet-b", "10.0.2.0/24", "us-east-1b"))
                .subnets(subnet("subnet-wide", "10.0.0.0/16", "us-east-1c"))
                .build()
        });

    // `web` turns cross-zone off; `pods` defers to its ALB (on); `fn` says nothing.
    let cross_zone = group_cross_zone(&[
        (tg_arn("web", "73e2d6bc24d8a067"), Some("false")),
        (
            tg_arn("pods", "11"),
            Some("use_load_balancer_configuration"),
        ),
        (tg_arn("fn", "22"), None),
    ]);

    let b = backend(
        &[&instances, &subnets],
        &[
            &groups_shop,
            &groups_api,
            &health_web,
            &health_pods,
            &health_fn,
            &cross_zone,
        ],
        &[],
    );
    let loaded = b
        .target_health(&[shop.clone(), api.clone()])
        .await
        .expect("target health");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let out = loaded.data;

    // Each group once, in load-balancer order; `web` lists both load balancers.
    let names: Vec<&str> = out.iter().map(|g| g.group.name.as_str()).collect();
    assert_eq!(names, ["web", "pods", "fn"]);
    assert_eq!(health_web.num_calls(), 1, "shared group asked for once");
    let web = &out[0];
    assert_eq!(web.group.arn, tg_arn("web", "73e2d6bc24d8a067"));
    assert_eq!(web.group.target_type, "instance");
    assert_eq!(web.group.protocol.as_deref(), Some("HTTP"));
    assert_eq!(web.group.port, Some(8080));
    assert_eq!(web.group.vpc_id.as_deref(), Some("vpc-1"));
    assert_eq!(web.group.load_balancer_arns, both);

    let find = |id: &str| {
        out.iter()
            .flat_map(|g| &g.targets)
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("target {id}"))
    };
    // Every state and reason code, as the model spells them.
    let expect = [
        ("i-healthy", TargetState::Healthy, None),
        (
            "i-initial",
            TargetState::Initial,
            Some("Elb.InitialHealthChecking"),
        ),
        (
            "i-registering",
            TargetState::Initial,
            Some("Elb.RegistrationInProgress"),
        ),
        ("i-timeout", TargetState::Unhealthy, Some("Target.Timeout")),
        (
            "i-5xx",
            TargetState::Unhealthy,
            Some("Target.ResponseCodeMismatch"),
        ),
        (
            "i-failed",
            TargetState::Unhealthy,
            Some("Target.FailedHealthChecks"),
        ),
        ("i-elb", TargetState::Unhealthy, Some("Elb.InternalError")),
        (
            "i-udrain",
            TargetState::UnhealthyDraining,
            Some("Target.FailedHealthChecks"),
        ),
        ("i-unused", TargetState::Unused, Some("Target.NotInUse")),
        (
            "i-notreg",
            TargetState::Unused,
            Some("Target.NotRegistered"),
        ),
        (
            "i-stopped",
            TargetState::Unused,
            Some("Target.InvalidState"),
        ),
        (
            "i-draining",
            TargetState::Draining,
            Some("Target.DeregistrationInProgress"),
        ),
        (
            "i-unavail",
            TargetState::Unavailable,
            Some("Target.HealthCheckDisabled"),
        ),
        (
            "10.0.2.17",
            TargetState::Unhealthy,
            Some("Target.IpUnusable"),
        ),
    ];
    for (id, state, reason) in expect {
        let t = find(id);
        assert_eq!(t.state, state, "{id}");
        assert_eq!(t.reason.as_deref(), reason, "{id}");
    }
    // Cross-zone per group: its own attribute, else its ALB's (always on).
    let settings: Vec<(&str, CrossZone)> = out
        .iter()
        .map(|g| (g.group.name.as_str(), g.group.cross_zone))
        .collect();
    assert_eq!(
        settings,
        [
            ("web", CrossZone::Off),
            ("pods", CrossZone::On),
            ("fn", CrossZone::On)
        ]
    );
    assert_eq!(cross_zone.num_calls(), 3, "each group once");

    // Anomaly detection and zonal shift, per target.
    let healthy = find("i-healthy");
    assert!(healthy.anomalous);
    assert!(healthy.anomaly_checked);
    assert!(healthy.mitigation_in_effect);
    assert!(!healthy.zonal_shift_active);
    let shifted = find("i-shifted");
    assert!(!shifted.anomalous && shifted.anomaly_checked);
    assert!(!shifted.mitigation_in_effect);
    assert!(shifted.zonal_shift_active);
    let plain = find("i-timeout");
    assert!(!plain.anomaly_checked, "no AnomalyDetection: not checked");
    assert!(!plain.zonal_shift_active);
    assert_eq!(healthy.port, Some(80));
    assert_eq!(
        (healthy.zone_name.as_deref(), healthy.zone_source),
        (Some("us-east-1a"), ZoneSource::Reported)
    );
    assert!(!find("i-timeout").anomalous);
    assert_eq!(
        find("i-timeout").description.as_deref(),
        Some("Request timed out")
    );
    assert_eq!(find("i-failed").description, None);

    let zone = |id: &str| {
        let t = find(id);
        (t.zone_name.clone(), t.zone_source)
    };
    assert_eq!(
        zone("i-nozone"),
        (Some("us-east-1b".into()), ZoneSource::Instance)
    );
    assert_eq!(find("i-nozone").port, Some(8080));
    assert_eq!(
        zone("10.0.2.17"),
        (Some("us-east-1b".into()), ZoneSource::Subnet)
    );
    assert_eq!(
        zone("10.0.1.5"),
        (Some("us-east-1a".into()), ZoneSource::Subnet)
    );
    assert_eq!(
        zone("10.0.3.9"),
        (Some("us-east-1c".into()), ZoneSource::Reported)
    );
    assert_eq!(zone("172.16.0.1"), (None, ZoneSource::Unknown));
    let lambda = &out[2].targets[0];
    assert_eq!(out[2].group.target_type, "lambda");
    assert_eq!(
        (lambda.zone_name.clone(), lambda.zone_source),
        (None, ZoneSource::Unknown)
    );
    assert_eq!(lambda.port, None);
    assert_eq!((instances.num_calls(), subnets.num_calls()), (1, 1));

    // A refresh asks again only for what can change: target health, not the
    // instance's zone nor the VPC's subnets (cached for the session).
    let again = b
        .target_health(&[shop.clone(), api.clone()])
        .await
        .expect("target health again")
        .data;
    assert_eq!(again, out);
    assert_eq!(health_web.num_calls(), 2);
    assert_eq!(
        (instances.num_calls(), subnets.num_calls()),
        (1, 1),
        "instances and subnets are described once per session"
    );
}

#[tokio::test]
async fn target_health_keeps_targets_when_instance_lookup_is_denied() {
    let shop = shop_lb();
    let groups =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups).then_output(|| {
            DescribeTargetGroupsOutput::builder()
                .target_groups(elb_group(
                    "web",
                    "1",
                    TargetTypeEnum::Instance,
                    Some("vpc-1"),
                    &[],
                ))
                .build()
        });
    let health =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health).then_output(|| {
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(thd(
                    "i-1",
                    Some(80),
                    None,
                    TargetHealthStateEnum::Healthy,
                    None,
                    None,
                ))
                .build()
        });
    let denied = mock!(aws_sdk_ec2::Client::describe_instances).then_error(|| {
        DescribeInstancesError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .message("You are not authorized to perform this operation.")
                .build(),
        )
    });
    // The cross-zone setting cannot be read either: the group still loads, its setting
    // unknown, and the problem names it.
    let attributes_denied =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_group_attributes)
            .then_error(|| {
                DescribeTargetGroupAttributesError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDenied")
                        .message("User is not authorized to perform: elasticloadbalancing:DescribeTargetGroupAttributes")
                        .build(),
                )
            });
    let loaded = backend(&[&denied], &[&groups, &health, &attributes_denied], &[])
        .target_health(&[shop])
        .await
        .expect("target health without zones");
    assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
    let problem = loaded.problems[0].to_string();
    assert!(
        problem.starts_with("target group web: cross-zone setting not read: DescribeTargetGroupAttributes: access denied"),
        "{problem}"
    );
    let out = loaded.data;
    assert_eq!(out[0].group.cross_zone, CrossZone::Unknown);
    let t = &out[0].targets[0];
    assert_eq!(
        (t.zone_name.clone(), t.zone_source),
        (None, ZoneSource::Unknown)
    );
    assert_eq!(t.state, TargetState::Healthy);
}

/// An NLB's groups fall back to the load balancer's own setting (off by default, here
/// once on and once left out); a group's own `true` wins over it. No ALB is asked for
/// load-balancer attributes: an ALB always has cross-zone on.
#[tokio::test]
async fn cross_zone_falls_back_to_the_network_load_balancers_setting() {
    let nlb = |name: &str, id: &str| LoadBalancer {
        arn: lb_arn("net", name, id),
        name: name.into(),
        kind: LbKind::Network,
        scheme: "internal".into(),
        state: "active".into(),
        vpc_id: Some("vpc-1".into()),
        zone_names: vec!["us-east-1a".into()],
    };
    let (off, on, silent) = (nlb("ledger", "aa"), nlb("queue", "bb"), nlb("cache", "cc"));
    let shop = shop_lb();
    // Each load balancer's groups; `ledger` has a second group whose own setting is on.
    let groups = |lb: &LoadBalancer, names: &[&str]| {
        groups_of(
            &lb.arn,
            names
                .iter()
                .map(|n| {
                    elb_group(
                        n,
                        n,
                        TargetTypeEnum::Ip,
                        Some("vpc-1"),
                        std::slice::from_ref(&lb.arn),
                    )
                })
                .collect(),
        )
    };
    let g_off = groups(&off, &["tcp-off", "own-true"]);
    let g_on = groups(&on, &["tcp-on"]);
    let g_silent = groups(&silent, &["tcp-silent"]);
    let g_alb = groups(&shop, &["web"]);
    let health =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health).then_output(|| {
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(thd(
                    "10.0.1.5",
                    Some(5432),
                    Some("us-east-1a"),
                    TargetHealthStateEnum::Healthy,
                    None,
                    None,
                ))
                .build()
        });
    let group_settings = group_cross_zone(&[
        (
            tg_arn("tcp-off", "tcp-off"),
            Some("use_load_balancer_configuration"),
        ),
        (
            tg_arn("tcp-on", "tcp-on"),
            Some("use_load_balancer_configuration"),
        ),
        (tg_arn("tcp-silent", "tcp-silent"), None),
        (tg_arn("own-true", "own-true"), Some("true")),
        (
            tg_arn("web", "web"),
            Some("use_load_balancer_configuration"),
        ),
    ]);
    let lb_off = lb_cross_zone(&off.arn, Some("false"));
    let lb_on = lb_cross_zone(&on.arn, Some("true"));
    let lb_silent = lb_cross_zone(&silent.arn, None);
    let alb_never = lb_cross_zone(&shop.arn, Some("false"));
    let b = backend(
        &[],
        &[
            &g_off,
            &g_on,
            &g_silent,
            &g_alb,
            &health,
            &group_settings,
            &lb_off,
            &lb_on,
            &lb_silent,
            &alb_never,
        ],
        &[],
    );
    let watched = [off.clone(), on.clone(), silent.clone(), shop.clone()];
    let out = b.target_health(&watched).await.expect("target health").data;
    // A refresh within the session reads no setting again.
    let again = b.target_health(&watched).await.expect("refresh").data;
    assert_eq!(again, out);
    assert_eq!(group_settings.num_calls(), 5, "once per group per session");
    let settings: Vec<(&str, CrossZone)> = out
        .iter()
        .map(|g| (g.group.name.as_str(), g.group.cross_zone))
        .collect();
    assert_eq!(
        settings,
        [
            ("tcp-off", CrossZone::Off),
            ("own-true", CrossZone::On),
            ("tcp-on", CrossZone::On),
            ("tcp-silent", CrossZone::Unknown),
            ("web", CrossZone::On),
        ]
    );
    assert_eq!(
        (lb_off.num_calls(), lb_on.num_calls(), lb_silent.num_calls()),
        (1, 1, 1)
    );
    assert_eq!(
        alb_never.num_calls(),
        0,
        "an ALB's setting is not asked for"
    );
}

// ---------------------------------------------------------------- metrics

fn t(h: u32, m: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0)
        .single()
        .expect("time")
}

fn window() -> Window {
    Window::ending_at(t(3, 10), 5) // 03:05 .. 03:10
}

fn at(h: u32, m: u32) -> SmithyTime {
    SmithyTime::from_secs(t(h, m).timestamp())
}

fn result(id: &str, points: &[(u32, f64)], status: StatusCode) -> MetricDataResult {
    let mut b = MetricDataResult::builder()
        .id(id)
        .label(id)
        .status_code(status);
    for (minute, v) in points {
        b = b.timestamps(at(3, *minute)).values(*v);
    }
    b.build()
}

#[tokio::test]
async fn metrics_merge_partial_pages_in_one_call() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let first = {
        let seen = seen.clone();
        mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|r| r.next_token().is_none())
            .then_compute_output(move |r| {
                seen.lock().expect("lock").push(r.clone());
                GetMetricDataOutput::builder()
                    .metric_data_results(result(
                        "t5xx_0",
                        &[(5, 1.0), (6, 2.0)],
                        StatusCode::PartialData,
                    ))
                    .metric_data_results(result("rt_1", &[(5, 0.25)], StatusCode::PartialData))
                    .next_token("page-2")
                    .build()
            })
    };
    let second = {
        let seen = seen.clone();
        mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_compute_output(move |r| {
                seen.lock().expect("lock").push(r.clone());
                GetMetricDataOutput::builder()
                    .metric_data_results(result(
                        "t5xx_0",
                        &[(7, 3.0), (9, 40.0)],
                        StatusCode::Complete,
                    ))
                    .metric_data_results(result("rt_1", &[(6, 0.5)], StatusCode::Complete))
                    .build()
            })
    };
    let lb = shop_lb();
    let m = backend(&[], &[], &[&first, &second])
        .zone_metrics(&lb, window())
        .await
        .expect("metrics");

    assert_eq!(
        m.series("us-east-1a", ZoneMetric::Target5xx),
        Some(&[Some(1.0), Some(2.0), Some(3.0), None, Some(40.0)][..])
    );
    assert_eq!(
        m.series("us-east-1b", ZoneMetric::ResponseTime),
        Some(&[Some(0.25), Some(0.5), None, None, None][..])
    );
    assert!(m.issues.is_empty(), "{:?}", m.issues);
    let zones: Vec<&str> = m.by_zone.keys().map(String::as_str).collect();
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);

    // One call (two pages) carrying a query per zone x metric.
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 2);
    let req = &seen[0];
    assert_eq!(req.scan_by(), Some(&ScanBy::TimestampAscending));
    assert_eq!(req.start_time(), Some(&at(3, 5)));
    assert_eq!(req.end_time(), Some(&at(3, 10)));
    let queries = req.metric_data_queries();
    assert_eq!(queries.len(), 3 * ZoneMetric::APPLICATION.len());
    let q = queries
        .iter()
        .find(|q| q.id() == Some("rt_2"))
        .expect("rt_2 query");
    let stat = q.metric_stat().expect("metric stat");
    assert_eq!(stat.period(), Some(60));
    assert_eq!(stat.stat(), Some("Average"));
    let metric = stat.metric().expect("metric");
    assert_eq!(metric.namespace(), Some("AWS/ApplicationELB"));
    assert_eq!(metric.metric_name(), Some("TargetResponseTime"));
    let dims: Vec<(&str, &str)> = metric
        .dimensions()
        .iter()
        .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
        .collect();
    assert_eq!(
        dims,
        [
            ("LoadBalancer", "app/shop/50dc6c495c0c9188"),
            ("AvailabilityZone", "us-east-1c")
        ]
    );
    for q in queries {
        let id = q.id().expect("id");
        assert!(id.starts_with(|c: char| c.is_ascii_lowercase()), "{id}");
        assert!(
            id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{id}"
        );
    }
}

#[tokio::test]
async fn metrics_without_data_keep_every_zone() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|r| {
        let mut out = GetMetricDataOutput::builder();
        for q in r.metric_data_queries() {
            out = out.metric_data_results(result(q.id().unwrap_or("x"), &[], StatusCode::Complete));
        }
        out.build()
    });
    let m = backend(&[], &[], &[&rule])
        .zone_metrics(&shop_lb(), window())
        .await
        .expect("metrics");
    let zones: Vec<&str> = m.by_zone.keys().map(String::as_str).collect();
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    for zone in zones {
        for metric in ZoneMetric::APPLICATION {
            let series = m.series(zone, metric).unwrap_or(&[]);
            assert!(series.iter().all(Option::is_none), "{zone} {metric:?}");
        }
    }
    assert!(m.issues.is_empty());
}

#[tokio::test]
async fn forbidden_result_becomes_an_issue_and_the_rest_is_kept() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| {
        let forbidden = MetricDataResult::builder()
            .id("req_2")
            .status_code(StatusCode::Forbidden)
            .build();
        let with_message = MetricDataResult::builder()
            .id("cerr_0")
            .status_code(StatusCode::Complete)
            .messages(
                MessageData::builder()
                    .code("ArithmeticError")
                    .value("Division\nby zero")
                    .build(),
            )
            .build();
        GetMetricDataOutput::builder()
            .metric_data_results(result("req_0", &[(8, 120.0)], StatusCode::Complete))
            .metric_data_results(forbidden)
            .metric_data_results(result("e5xx_1", &[(9, 7.0)], StatusCode::InternalError))
            .metric_data_results(with_message)
            .build()
    });
    let m = backend(&[], &[], &[&rule])
        .zone_metrics(&shop_lb(), window())
        .await
        .expect("metrics despite a forbidden result");
    assert_eq!(
        m.series("us-east-1a", ZoneMetric::Requests),
        Some(&[None, None, None, Some(120.0), None][..])
    );
    assert_eq!(
        m.series("us-east-1b", ZoneMetric::Elb5xx),
        Some(&[None, None, None, None, Some(7.0)][..]),
        "data of an InternalError result is kept"
    );
    assert_eq!(m.series("us-east-1c", ZoneMetric::Requests), None);
    assert_eq!(
        m.issues,
        vec![
            MetricIssue {
                zone_name: "us-east-1c".into(),
                metric: ZoneMetric::Requests,
                status: "Forbidden".into()
            },
            MetricIssue {
                zone_name: "us-east-1b".into(),
                metric: ZoneMetric::Elb5xx,
                status: "InternalError".into()
            },
            MetricIssue {
                zone_name: "us-east-1a".into(),
                metric: ZoneMetric::ConnectionErrors,
                status: "Division by zero".into()
            },
        ]
    );
}

#[tokio::test]
async fn whole_call_access_denied_is_a_backend_error() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_error(|| {
        GetMetricDataError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User: arn:aws:sts::123456789012:assumed-role/sre/me is not authorized to perform: cloudwatch:GetMetricData")
                .build(),
        )
    });
    let err = backend(&[], &[], &[&rule])
        .zone_metrics(&shop_lb(), window())
        .await
        .expect_err("access denied");
    match &err {
        BackendError::AccessDenied { operation, message } => {
            assert_eq!(operation, "GetMetricData");
            assert!(message.contains("cloudwatch:GetMetricData"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains('\n'));
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn throttling_on_the_wire_is_throttled() {
    let elb = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .then_http_response(|| {
            http(
                400,
                r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>5a8bd8a2-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>"#,
            )
        });
    let ec2 = mock!(aws_sdk_ec2::Client::describe_availability_zones).then_http_response(|| {
        http(
            503,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>abc</RequestID></Response>"#,
        )
    });
    let b = backend(&[&ec2], &[&elb], &[]);
    assert_eq!(
        b.load_balancers(&["shop".into()]).await,
        Err(BackendError::Throttled {
            operation: "DescribeLoadBalancers".into()
        })
    );
    assert_eq!(
        b.zones().await,
        Err(BackendError::Throttled {
            operation: "DescribeAvailabilityZones".into()
        })
    );
}

#[tokio::test]
async fn expired_token_service_error_says_what_to_run() {
    let rule = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers).then_http_response(|| {
        http(
            403,
            r#"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>"#,
        )
    });
    let err = backend(&[], &[&rule], &[])
        .load_balancers(&[])
        .await
        .expect_err("expired");
    match err {
        BackendError::CredentialsExpired { hint } => {
            assert!(hint.contains("aws sso login --profile sre"), "{hint}")
        }
        other => panic!("{other:?}"),
    }
}

/// An error like the one the default chain gives when the cached SSO token expired.
#[derive(Debug)]
struct Chained(&'static str, Option<Box<Chained>>);
impl std::fmt::Display for Chained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for Chained {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1.as_deref().map(|e| e as _)
    }
}

/// An identity cache that fails with the given chain of messages (outermost first),
/// the way the default credentials chain fails.
#[derive(Debug)]
struct FailingIdentity(&'static [&'static str]);
impl ResolveCachedIdentity for FailingIdentity {
    fn resolve_cached_identity<'a>(
        &'a self,
        _resolver: SharedIdentityResolver,
        _runtime_components: &'a RuntimeComponents,
        _config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        let chain = self
            .0
            .iter()
            .rev()
            .fold(None, |inner, msg| Some(Chained(msg, inner.map(Box::new))));
        let err: BoxError = Box::new(chain.expect("at least one message"));
        IdentityFuture::ready(Err(err))
    }
}

/// A backend whose EC2 client fails to resolve credentials with `chain`.
fn backend_failing_identity(chain: &'static [&'static str]) -> AwsBackend {
    // An HTTP answer, not a modeled output: the mock interceptor would put a modeled
    // output in place of the failed attempt, while an HTTP answer is never reached.
    let rule = mock!(aws_sdk_ec2::Client::describe_availability_zones).then_http_response(|| {
        http(
            200,
            "<DescribeAvailabilityZonesResponse><availabilityZoneInfo/></DescribeAvailabilityZonesResponse>",
        )
    });
    let ec2 = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[&rule], move |c| c
        .retry_config(RetryConfig::disabled())
        .identity_cache(FailingIdentity(chain)));
    AwsBackend::from_clients(
        AwsClients {
            ec2,
            ..clients(&[], &[], &[])
        },
        identity(),
    )
}

#[tokio::test]
async fn expired_sso_session_in_the_source_chain() {
    // The chain aws-config 1.x gives for an expired `sso-session` token (measured).
    let b = backend_failing_identity(&[
        "an error occurred while loading credentials",
        "an error occurred while loading credentials",
        "an error occurred while loading an access token",
        "the SSO token has expired and cannot be refreshed",
    ]);
    match b.zones().await {
        Err(BackendError::CredentialsExpired { hint }) => {
            assert_eq!(
                hint,
                "the SSO session has expired; run `aws sso login --profile sre`"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn missing_credentials_are_no_credentials() {
    // The chain aws-config 1.x gives when no provider has credentials (measured).
    let b = backend_failing_identity(&[
        "the credential provider was not enabled",
        "no credentials found in chain. Attempted: Environment: the credential provider \
         was not enabled: environment variable not set Profile: ...",
    ]);
    match b.zones().await {
        Err(BackendError::NoCredentials(message)) => {
            assert!(
                message.starts_with("none found in the environment"),
                "{message}"
            );
            assert!(message.len() < 160, "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn html_500_is_unsupported() {
    const PAGE: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>";
    let groups =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups).then_output(|| {
            DescribeTargetGroupsOutput::builder()
                .target_groups(elb_group(
                    "web",
                    "1",
                    TargetTypeEnum::Instance,
                    Some("vpc-1"),
                    &[],
                ))
                .build()
        });
    let health = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .then_http_response(|| http(500, PAGE));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_http_response(|| {
        let mut r = http(
            500,
            "<html><body><h1>500 Internal Server Error</h1></body></html>",
        );
        r.headers_mut()
            .insert("content-type", "text/html; charset=utf-8");
        r
    });
    let cross_zone = group_cross_zone(&[(tg_arn("web", "1"), Some("false"))]);
    let b = backend(&[], &[&groups, &health, &cross_zone], &[&metrics]);
    assert_eq!(
        b.target_health(&[shop_lb()]).await,
        Err(BackendError::Unsupported {
            operation: "DescribeTargetHealth".into(),
            status: 500
        })
    );
    assert_eq!(
        b.zone_metrics(&shop_lb(), window()).await,
        Err(BackendError::Unsupported {
            operation: "GetMetricData".into(),
            status: 500
        })
    );
}

#[tokio::test]
async fn other_service_errors_keep_code_and_a_one_line_message() {
    let rule =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers).then_error(|| {
            DescribeLoadBalancersError::generic(
                ErrorMetadata::builder()
                    .code("LoadBalancerNotFound")
                    .message("One or more load balancers not found\n\x1b[31mred")
                    .build(),
            )
        });
    let err = backend(&[], &[&rule], &[])
        .load_balancers(&["nope".into()])
        .await
        .expect_err("not found");
    match &err {
        BackendError::Service {
            operation,
            code,
            message,
        } => {
            assert_eq!(operation, "DescribeLoadBalancers");
            assert_eq!(code, "LoadBalancerNotFound");
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn identity_comes_from_the_clients_given() {
    let b = backend(&[], &[], &[]);
    assert_eq!(b.identity().await, Ok(identity()));
}

/// A throttling answer as ELBv2 sends it (awsQuery XML).
fn elb_throttled() -> HttpResponse {
    http(
        400,
        r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>5a8bd8a2-0000-0000-0000-000000000001</RequestId>
</ErrorResponse>"#,
    )
}

#[tokio::test]
async fn a_throttled_target_group_backs_off_and_its_siblings_still_show() {
    let lb = shop_lb();
    let groups = groups_of(
        &lb.arn,
        vec![
            elb_group(
                "web",
                "1",
                TargetTypeEnum::Ip,
                None,
                std::slice::from_ref(&lb.arn),
            ),
            elb_group(
                "api",
                "2",
                TargetTypeEnum::Ip,
                None,
                std::slice::from_ref(&lb.arn),
            ),
            elb_group(
                "slow",
                "3",
                TargetTypeEnum::Ip,
                None,
                std::slice::from_ref(&lb.arn),
            ),
        ],
    );
    let healthy = |arn: String| {
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
            .match_requests(move |r| r.target_group_arn() == Some(arn.as_str()))
            .then_output(|| {
                DescribeTargetHealthOutput::builder()
                    .target_health_descriptions(thd(
                        "10.0.1.5",
                        Some(80),
                        Some("us-east-1a"),
                        TargetHealthStateEnum::Healthy,
                        None,
                        None,
                    ))
                    .build()
            })
    };
    let web = healthy(tg_arn("web", "1"));
    // `api` is throttled twice, then answers: the pacer waits and tries again.
    let api_arn = tg_arn("api", "2");
    let api = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(move |r| r.target_group_arn() == Some(api_arn.as_str()))
        .sequence()
        .http_response(elb_throttled)
        .times(2)
        .output(|| {
            DescribeTargetHealthOutput::builder()
                .target_health_descriptions(thd(
                    "10.0.2.5",
                    Some(80),
                    Some("us-east-1b"),
                    TargetHealthStateEnum::Healthy,
                    None,
                    None,
                ))
                .build()
        })
        .build();
    // `slow` is throttled every time: it is reported by name, the others still show.
    let slow_arn = tg_arn("slow", "3");
    let slow = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(move |r| r.target_group_arn() == Some(slow_arn.as_str()))
        .then_http_response(elb_throttled);
    let cross_zone = every_group_cross_zone_off();
    let b = backend(&[], &[&groups, &web, &api, &slow, &cross_zone], &[]);
    let out = b.target_health(&[lb]).await.expect("partial target health");
    let names: Vec<&str> = out.data.iter().map(|g| g.group.name.as_str()).collect();
    assert_eq!(
        names,
        ["web", "api"],
        "the throttled group alone is missing"
    );
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    let problem = out.problems[0].to_string();
    assert!(
        problem.contains("target group slow") && problem.contains("throttled"),
        "{problem}"
    );
    assert_eq!(web.num_calls(), 1, "an answered group is asked once");
    assert_eq!(api.num_calls(), 3, "two throttled tries, then the answer");
    assert_eq!(
        slow.num_calls(),
        grayscope::backend::aws::pace::MAX_TRIES as usize,
        "a throttled call is tried a bounded number of times, not hammered"
    );
}

#[tokio::test]
async fn a_wrong_load_balancer_name_is_named_and_the_others_load() {
    // ELBv2 fails the whole call when one name does not exist; grayscope then asks for
    // each name on its own.
    let not_found = || {
        DescribeLoadBalancersError::generic(
            ErrorMetadata::builder()
                .code("LoadBalancerNotFound")
                .message("One or more load balancers not found")
                .build(),
        )
    };
    let together = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.names().len() > 1)
        .then_error(not_found);
    let shop = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.names() == ["shop"])
        .then_output(|| {
            DescribeLoadBalancersOutput::builder()
                .load_balancers(elb_lb(
                    LoadBalancerTypeEnum::Application,
                    "shop",
                    "50dc6c495c0c9188",
                    &["us-east-1a", "us-east-1b", "us-east-1c"],
                ))
                .build()
        });
    let typo = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers)
        .match_requests(|r| r.names() == ["shpo"])
        .then_error(not_found);
    let b = backend(&[], &[&together, &shop, &typo], &[]);
    let out = b
        .load_balancers(&["shop".into(), "shpo".into()])
        .await
        .expect("the good one loads");
    assert_eq!(out.data, vec![shop_lb()]);
    assert_eq!(out.problems.len(), 1);
    let problem = out.problems[0].to_string();
    assert!(problem.contains("\"shpo\""), "{problem}");
    assert!(!problem.contains("\"shop\""), "{problem}");
    assert_eq!(together.num_calls(), 1);
}

#[tokio::test]
async fn target_groups_and_subnets_follow_their_markers() {
    let lb = shop_lb();
    let lbs = std::slice::from_ref(&lb.arn);
    let (a, b) = (
        elb_group("ips-a", "1", TargetTypeEnum::Ip, Some("vpc-1"), lbs),
        elb_group("ips-b", "2", TargetTypeEnum::Ip, Some("vpc-1"), lbs),
    );
    let first_groups = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups)
        .match_requests(|r| r.marker().is_none() && r.page_size() == Some(400))
        .then_output(move || {
            DescribeTargetGroupsOutput::builder()
                .target_groups(a.clone())
                .next_marker("tg-page-2")
                .build()
        });
    let second_groups = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups)
        .match_requests(|r| r.marker() == Some("tg-page-2"))
        .then_output(move || {
            DescribeTargetGroupsOutput::builder()
                .target_groups(b.clone())
                .build()
        });
    let health = |group: &str, id: &str, ip: &'static str| {
        let arn = tg_arn(group, id);
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
            .match_requests(move |r| r.target_group_arn() == Some(arn.as_str()))
            .then_output(move || {
                DescribeTargetHealthOutput::builder()
                    .target_health_descriptions(thd(
                        ip,
                        Some(80),
                        None,
                        TargetHealthStateEnum::Healthy,
                        None,
                        None,
                    ))
                    .build()
            })
    };
    let (health_a, health_b) = (
        health("ips-a", "1", "10.0.1.7"),
        health("ips-b", "2", "10.0.2.7"),
    );
    let subnet = |id: &str, cidr: &str, zone: &str| {
        Ec2Subnet::builder()
            .subnet_id(id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .vpc_id("vpc-1")
            .build()
    };
    let first_subnets = mock!(aws_sdk_ec2::Client::describe_subnets)
        .match_requests(|r| r.next_token().is_none() && r.max_results() == Some(1000))
        .then_output(move || {
            DescribeSubnetsOutput::builder()
                .subnets(subnet("subnet-a", "10.0.1.0/24", "us-east-1a"))
                .next_token("subnets-page-2")
                .build()
        });
    let second_subnets = mock!(aws_sdk_ec2::Client::describe_subnets)
        .match_requests(|r| r.next_token() == Some("subnets-page-2"))
        .then_output(move || {
            DescribeSubnetsOutput::builder()
                .subnets(subnet("subnet-b", "10.0.2.0/24", "us-east-1b"))
                .build()
        });
    let cross_zone = every_group_cross_zone_off();
    let b = backend(
        &[&first_subnets, &second_subnets],
        &[
            &first_groups,
            &second_groups,
            &health_a,
            &health_b,
            &cross_zone,
        ],
        &[],
    );
    let out = b.target_health(&[lb]).await.expect("target health").data;
    let zones: Vec<(&str, Option<&str>)> = out
        .iter()
        .map(|g| (g.group.name.as_str(), g.targets[0].zone_name.as_deref()))
        .collect();
    assert_eq!(
        zones,
        [("ips-a", Some("us-east-1a")), ("ips-b", Some("us-east-1b"))],
        "both pages of groups, zones from both pages of subnets"
    );
    for rule in [
        &first_groups,
        &second_groups,
        &first_subnets,
        &second_subnets,
    ] {
        assert_eq!(rule.num_calls(), 1);
    }
}
