//! `backend::aws` Reachability Analyzer against in-process SDK mocks (aws-smithy-mocks):
//! interfaces by address and id, path reuse by tag and parameters, the create request,
//! running -> succeeded, path found with the rule of each hop, not found with
//! security-group, NACL and route explanations, a failed analysis, throttling, and
//! deletes of what is already gone.

mod support;

use aws_sdk_ec2::operation::create_network_insights_path::CreateNetworkInsightsPathOutput;
use aws_sdk_ec2::operation::delete_network_insights_path::DeleteNetworkInsightsPathOutput;
use aws_sdk_ec2::operation::describe_network_insights_analyses::DescribeNetworkInsightsAnalysesOutput;
use aws_sdk_ec2::operation::describe_network_insights_paths::DescribeNetworkInsightsPathsOutput;
use aws_sdk_ec2::operation::describe_network_interfaces::DescribeNetworkInterfacesOutput;
use aws_sdk_ec2::operation::describe_security_group_rules::DescribeSecurityGroupRulesOutput;
use aws_sdk_ec2::operation::start_network_insights_analysis::StartNetworkInsightsAnalysisOutput;
use aws_sdk_ec2::types::{
    AnalysisAclRule, AnalysisComponent, AnalysisRouteTableRoute, AnalysisSecurityGroupRule,
    AnalysisStatus as SdkStatus, Explanation as SdkExplanation, GroupIdentifier,
    NetworkInsightsAnalysis, NetworkInsightsPath, NetworkInterface, NetworkInterfaceAttachment,
    NetworkInterfaceType, PathComponent, PortRange, Protocol, SecurityGroupRule, Tag,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode as HttpStatus;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::paths::ReachPaths;
use grayscope::backend::{BackendError, Identity};
use grayscope::model::reach::{
    AnalysisStatus, EndpointKind, PathSpec, ReachRequest, explain, verdict,
};
use support::observe::Observe;

fn backend(ec2: &[&Rule]) -> AwsBackend {
    let clients = AwsClients {
        ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, ec2, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new("ec2"))),
        elbv2: mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &[]),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[]),
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
        arc: mock_client!(aws_sdk_arczonalshift, RuleMode::MatchAny, &[]),
        athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, &[]),
    };
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: Some("sre".into()),
        },
    )
}

fn ec2_error(status: u16, code: &str, message: &str) -> HttpResponse {
    HttpResponse::new(
        HttpStatus::try_from(status).expect("status"),
        SdkBody::from(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>abc</RequestID></Response>"#
        )),
    )
}

fn comp(id: &str, name: Option<&str>) -> AnalysisComponent {
    AnalysisComponent::builder()
        .id(id)
        .set_name(name.map(str::to_string))
        .arn(format!("arn:aws:ec2:us-east-1:123456789012:x/{id}"))
        .build()
}

fn spec() -> PathSpec {
    PathSpec {
        source: "eni-src".into(),
        destination: "eni-db".into(),
        protocol: "tcp".into(),
        port: Some(5432),
    }
}

fn sick() -> ReachRequest {
    ReachRequest::new("10.0.12.7", "10.0.20.5", Some(5432), Some(6), None, None)
}

const ANALYSIS: &str = "nia-0123456789abcdef0";
const ARN: &str =
    "arn:aws:ec2:us-east-1:123456789012:network-insights-analysis/nia-0123456789abcdef0";

fn analysis(status: SdkStatus) -> aws_sdk_ec2::types::builders::NetworkInsightsAnalysisBuilder {
    NetworkInsightsAnalysis::builder()
        .network_insights_analysis_id(ANALYSIS)
        .network_insights_analysis_arn(ARN)
        .network_insights_path_id("nip-1")
        .status(status)
}

fn describe(a: NetworkInsightsAnalysis) -> DescribeNetworkInsightsAnalysesOutput {
    DescribeNetworkInsightsAnalysesOutput::builder()
        .network_insights_analyses(a)
        .build()
}

#[tokio::test]
async fn an_address_resolves_by_private_ip_filter_to_what_the_interface_is() {
    let rule = mock!(aws_sdk_ec2::Client::describe_network_interfaces)
        .match_requests(|r| {
            r.filters().iter().any(|f| {
                f.name() == Some("addresses.private-ip-address") && f.values() == ["10.0.20.5"]
            })
        })
        .then_output(|| {
            DescribeNetworkInterfacesOutput::builder()
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-db")
                        .private_ip_address("10.0.20.5")
                        .interface_type(NetworkInterfaceType::Interface)
                        .requester_id("amazon-rds")
                        .description("RDSNetworkInterface")
                        .subnet_id("subnet-db1")
                        .availability_zone("us-east-1a")
                        .availability_zone_id("use1-az4")
                        .vpc_id("vpc-1")
                        .groups(
                            GroupIdentifier::builder()
                                .group_id("sg-db")
                                .group_name("db-sg")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let by_id = mock!(aws_sdk_ec2::Client::describe_network_interfaces)
        .match_requests(|r| {
            r.filters()
                .iter()
                .any(|f| f.name() == Some("network-interface-id") && f.values() == ["eni-app"])
        })
        .then_output(|| {
            DescribeNetworkInterfacesOutput::builder()
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-app")
                        .private_ip_address("10.0.12.7")
                        .interface_type(NetworkInterfaceType::Interface)
                        .attachment(
                            NetworkInterfaceAttachment::builder()
                                .instance_id("i-0abc")
                                .build(),
                        )
                        .subnet_id("subnet-app2")
                        .availability_zone("us-east-1b")
                        .availability_zone_id("use1-az6")
                        .build(),
                )
                .build()
        });
    let none = mock!(aws_sdk_ec2::Client::describe_network_interfaces)
        .match_requests(|r| r.filters().iter().any(|f| f.values() == ["203.0.113.9"]))
        .then_output(|| DescribeNetworkInterfacesOutput::builder().build());
    let b = backend(&[&rule, &by_id, &none]);
    let db = b.interface("10.0.20.5").await.expect("ok").expect("found");
    assert_eq!(db.kind, EndpointKind::Database);
    assert_eq!(db.interface_id, "eni-db");
    assert_eq!(db.zone_id.as_deref(), Some("use1-az4"));
    assert_eq!(db.security_groups[0].label(), "sg-db (db-sg)");
    let app = b.interface("eni-app").await.expect("ok").expect("found");
    assert_eq!(
        (app.kind, app.name.as_str()),
        (EndpointKind::Instance, "i-0abc")
    );
    assert_eq!(app.address, "10.0.12.7");
    assert_eq!(b.interface("203.0.113.9").await, Ok(None));
}

fn path(port: i32, tagged: bool) -> NetworkInsightsPath {
    let mut p = NetworkInsightsPath::builder()
        .network_insights_path_id(format!("nip-{port}"))
        .source("eni-src")
        .destination("eni-db")
        .protocol(Protocol::Tcp)
        .destination_port(port);
    if tagged {
        p = p.tags(Tag::builder().key("created-by").value("grayscope").build());
    }
    p.build()
}

#[tokio::test]
async fn a_path_grayscope_made_with_the_same_parameters_is_reused() {
    let rule = mock!(aws_sdk_ec2::Client::describe_network_insights_paths)
        .match_requests(|r| {
            let f = |n: &str| {
                r.filters()
                    .iter()
                    .find(|f| f.name() == Some(n))
                    .map(|f| f.values().to_vec())
            };
            f("tag:created-by") == Some(vec!["grayscope".into()])
                && f("source") == Some(vec!["eni-src".into()])
                && f("destination") == Some(vec!["eni-db".into()])
                && f("protocol") == Some(vec!["tcp".into()])
        })
        .then_output(|| {
            DescribeNetworkInsightsPathsOutput::builder()
                .network_insights_paths(path(22, true))
                .network_insights_paths(path(5432, false))
                .network_insights_paths(path(5432, true))
                .build()
        });
    let b = backend(&[&rule]);
    assert_eq!(b.find_path(&spec()).await, Ok(Some("nip-5432".into())));
    let other = PathSpec {
        port: Some(6379),
        ..spec()
    };
    assert_eq!(b.find_path(&other).await, Ok(None));
}

#[tokio::test]
async fn a_path_is_created_from_both_interfaces_protocol_port_and_the_tag() {
    let rule = mock!(aws_sdk_ec2::Client::create_network_insights_path)
        .match_requests(|r| {
            r.source() == Some("eni-src")
                && r.destination() == Some("eni-db")
                && r.protocol() == Some(&Protocol::Tcp)
                && r.destination_port() == Some(5432)
                && r.tag_specifications().iter().any(|t| {
                    t.tags()
                        .iter()
                        .any(|t| t.key() == Some("created-by") && t.value() == Some("grayscope"))
                })
        })
        .then_output(|| {
            CreateNetworkInsightsPathOutput::builder()
                .network_insights_path(
                    NetworkInsightsPath::builder()
                        .network_insights_path_id("nip-new")
                        .build(),
                )
                .build()
        });
    let start = mock!(aws_sdk_ec2::Client::start_network_insights_analysis)
        .match_requests(|r| r.network_insights_path_id() == Some("nip-new"))
        .then_output(|| {
            StartNetworkInsightsAnalysisOutput::builder()
                .network_insights_analysis(analysis(SdkStatus::Running).build())
                .build()
        });
    let b = backend(&[&rule, &start]);
    assert_eq!(b.create_path(&spec()).await, Ok("nip-new".into()));
    let started = b.start_analysis("nip-new").await.expect("started");
    assert_eq!((started.id.as_str(), started.arn.as_str()), (ANALYSIS, ARN));
}

#[tokio::test]
async fn running_then_succeeded_with_every_hop_and_its_rule() {
    let rule = mock!(aws_sdk_ec2::Client::describe_network_insights_analyses)
        .match_requests(|r| r.network_insights_analysis_ids() == [ANALYSIS])
        .sequence()
        .output(|| describe(analysis(SdkStatus::Running).build()))
        .output(|| {
            describe(
                analysis(SdkStatus::Succeeded)
                    .network_path_found(true)
                    .forward_path_components(
                        PathComponent::builder()
                            .sequence_number(1)
                            .component(comp("eni-src", None))
                            .build(),
                    )
                    .forward_path_components(
                        PathComponent::builder()
                            .sequence_number(2)
                            .component(comp("acl-app", None))
                            .acl_rule(
                                AnalysisAclRule::builder()
                                    .rule_number(100)
                                    .egress(true)
                                    .rule_action("allow")
                                    .protocol("-1")
                                    .cidr("0.0.0.0/0")
                                    .build(),
                            )
                            .build(),
                    )
                    .forward_path_components(
                        PathComponent::builder()
                            .sequence_number(3)
                            .component(comp("rtb-app", Some("app-rt")))
                            .route_table_route(
                                AnalysisRouteTableRoute::builder()
                                    .destination_cidr("10.0.0.0/16")
                                    .gateway_id("local")
                                    .state("active")
                                    .build(),
                            )
                            .build(),
                    )
                    .forward_path_components(
                        PathComponent::builder()
                            .sequence_number(4)
                            .component(comp("sg-db", Some("db-sg")))
                            .security_group_rule(
                                AnalysisSecurityGroupRule::builder()
                                    .direction("ingress")
                                    .protocol("tcp")
                                    .port_range(PortRange::builder().from(5432).to(5432).build())
                                    .cidr("10.0.12.0/24")
                                    .build(),
                            )
                            .build(),
                    )
                    .return_path_components(
                        PathComponent::builder()
                            .sequence_number(1)
                            .component(comp("eni-db", None))
                            .build(),
                    )
                    .build(),
            )
        })
        .build();
    let b = backend(&[&rule]);
    let first = b.analysis(ANALYSIS).await.expect("running");
    assert_eq!(first.status, AnalysisStatus::Running);
    assert_eq!(verdict(&first), "analysing");
    let done = b.analysis(ANALYSIS).await.expect("done");
    assert_eq!(done.status, AnalysisStatus::Succeeded);
    assert_eq!(done.path_found, Some(true));
    assert_eq!(done.analysis_arn, ARN);
    let hops: Vec<String> = done.forward.iter().map(|h| h.label()).collect();
    assert_eq!(
        hops,
        [
            "1 interface eni-src",
            "2 network ACL acl-app: rule 100 outbound allow all traffic/all 0.0.0.0/0",
            "3 route table rtb-app (app-rt): route 10.0.0.0/16 -> local",
            "4 security group sg-db (db-sg): ingress tcp/5432 from 10.0.12.0/24",
        ]
    );
    assert_eq!(done.returning.len(), 1);
    assert_eq!(verdict(&done), "REACHABLE: 4 hops out, 1 back");
}

#[tokio::test]
async fn not_found_explains_the_security_group_with_its_rules_the_nacl_and_the_route() {
    let rule = mock!(aws_sdk_ec2::Client::describe_network_insights_analyses).then_output(|| {
        describe(
            analysis(SdkStatus::Succeeded)
                .network_path_found(false)
                .explanations(
                    SdkExplanation::builder()
                        .explanation_code("ENI_SG_RULES_MISMATCH")
                        .direction("ingress")
                        .network_interface(comp("eni-db", None))
                        .security_groups(comp("sg-0abc", Some("cache-sg")))
                        .build(),
                )
                .explanations(
                    SdkExplanation::builder()
                        .explanation_code("ENI_ACL_RULES_MISMATCH")
                        .direction("ingress")
                        .acl(comp("acl-db", None))
                        .acl_rule(
                            AnalysisAclRule::builder()
                                .rule_number(90)
                                .egress(false)
                                .rule_action("deny")
                                .protocol("6")
                                .port_range(PortRange::builder().from(5432).to(5432).build())
                                .cidr("10.0.12.0/24")
                                .build(),
                        )
                        .build(),
                )
                .explanations(
                    SdkExplanation::builder()
                        .explanation_code("NO_ROUTE_TO_DESTINATION")
                        .component(comp("subnet-app2", None))
                        .route_table(comp("rtb-app2", Some("app-b")))
                        .build(),
                )
                .build(),
        )
    });
    let rules = mock!(aws_sdk_ec2::Client::describe_security_group_rules)
        .match_requests(|r| {
            r.filters()
                .iter()
                .any(|f| f.name() == Some("group-id") && f.values() == ["sg-0abc"])
        })
        .then_output(|| {
            let ingress = |cidr: &str| {
                SecurityGroupRule::builder()
                    .group_id("sg-0abc")
                    .is_egress(false)
                    .ip_protocol("tcp")
                    .from_port(5432)
                    .to_port(5432)
                    .cidr_ipv4(cidr)
                    .build()
            };
            DescribeSecurityGroupRulesOutput::builder()
                .security_group_rules(ingress("10.0.10.0/24"))
                .security_group_rules(ingress("10.0.11.0/24"))
                .security_group_rules(
                    SecurityGroupRule::builder()
                        .group_id("sg-0abc")
                        .is_egress(true)
                        .ip_protocol("-1")
                        .cidr_ipv4("0.0.0.0/0")
                        .build(),
                )
                .build()
        });
    let b = backend(&[&rule, &rules]);
    let a = b.analysis(ANALYSIS).await.expect("done");
    assert_eq!(a.path_found, Some(false));
    let words: Vec<String> = a.explanations.iter().map(|e| explain(e, &sick())).collect();
    assert_eq!(
        words,
        [
            "ENI_SG_RULES_MISMATCH: sg-0abc (cache-sg) allows tcp/5432 only from 10.0.10.0/24 and 10.0.11.0/24; the source 10.0.12.7 is in neither",
            "ENI_ACL_RULES_MISMATCH: network ACL acl-db blocks it inbound: rule 90 inbound deny tcp/5432 10.0.12.0/24 matches first",
            "NO_ROUTE_TO_DESTINATION: route table rtb-app2 (app-b) has no route to 10.0.20.5 (the traffic leaves subnet-app2 and has nowhere to go)",
        ]
    );
    assert_eq!(
        verdict(&a),
        "NOT REACHABLE: ENI_SG_RULES_MISMATCH at eni-db"
    );
}

#[tokio::test]
async fn a_failed_analysis_says_why() {
    let rule = mock!(aws_sdk_ec2::Client::describe_network_insights_analyses).then_output(|| {
        describe(
            analysis(SdkStatus::Failed)
                .status_message("The source eni-src was deleted")
                .build(),
        )
    });
    let b = backend(&[&rule]);
    let a = b.analysis(ANALYSIS).await.expect("answered");
    assert_eq!(
        a.status,
        AnalysisStatus::Failed("The source eni-src was deleted".into())
    );
    assert_eq!(
        verdict(&a),
        "analysis failed: The source eni-src was deleted"
    );
}

#[tokio::test]
async fn a_throttled_poll_is_tried_again_and_persistent_throttling_is_reported() {
    let once = mock!(aws_sdk_ec2::Client::describe_network_insights_analyses)
        .match_requests(|r| r.network_insights_analysis_ids() == [ANALYSIS])
        .sequence()
        .http_response(|| ec2_error(503, "RequestLimitExceeded", "Request limit exceeded."))
        .output(|| describe(analysis(SdkStatus::Running).build()))
        .build();
    let always = mock!(aws_sdk_ec2::Client::create_network_insights_path)
        .then_http_response(|| ec2_error(503, "RequestLimitExceeded", "Request limit exceeded."));
    let b = backend(&[&once, &always]);
    assert_eq!(
        b.analysis(ANALYSIS).await.map(|a| a.status),
        Ok(AnalysisStatus::Running)
    );
    assert_eq!(
        b.create_path(&spec()).await,
        Err(BackendError::Throttled {
            operation: "CreateNetworkInsightsPath".into()
        })
    );
}

#[tokio::test]
async fn deletes_succeed_when_already_gone_and_report_other_failures() {
    let gone =
        mock!(aws_sdk_ec2::Client::delete_network_insights_analysis).then_http_response(|| {
            ec2_error(
                400,
                "InvalidNetworkInsightsAnalysisId.NotFound",
                "The analysis does not exist",
            )
        });
    let ok = mock!(aws_sdk_ec2::Client::delete_network_insights_path)
        .match_requests(|r| r.network_insights_path_id() == Some("nip-1"))
        .then_output(|| {
            DeleteNetworkInsightsPathOutput::builder()
                .network_insights_path_id("nip-1")
                .build()
        });
    let denied = mock!(aws_sdk_ec2::Client::delete_network_insights_path)
        .match_requests(|r| r.network_insights_path_id() == Some("nip-2"))
        .then_http_response(|| ec2_error(403, "UnauthorizedOperation", "not allowed"));
    let b = backend(&[&gone, &ok, &denied]);
    assert_eq!(b.delete_analysis(ANALYSIS).await, Ok(()));
    assert_eq!(b.delete_path("nip-1").await, Ok(()));
    let err = b.delete_path("nip-2").await.expect_err("denied");
    assert!(
        matches!(&err, BackendError::AccessDenied { operation, .. } if operation == "DeleteNetworkInsightsPath"),
        "{err:?}"
    );
}
