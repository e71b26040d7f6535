//! The flow-log backend (`backend::aws::logs` + `flow_ec2`) against in-process SDK
//! mocks (aws-smithy-mocks): Insights results (Running with partial rows -> Complete,
//! Failed, Timeout, Cancelled, statistics), the errors the pane branches on
//! (LimitExceeded, MalformedQuery), StopQuery (moto does not implement it), saved
//! queries, DescribeFlowLogs destinations and formats, and interfaces mapped to the
//! resource behind them.

mod support;

use support::observe::Observe;

use aws_sdk_cloudwatchlogs::operation::describe_query_definitions::DescribeQueryDefinitionsOutput;
use aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_cloudwatchlogs::operation::start_query::{StartQueryError, StartQueryOutput};
use aws_sdk_cloudwatchlogs::operation::stop_query::StopQueryOutput;
use aws_sdk_cloudwatchlogs::types::error::{LimitExceededException, MalformedQueryException};
use aws_sdk_cloudwatchlogs::types::{
    QueryDefinition, QueryStatistics, QueryStatus as SdkStatus, ResultField,
};
use aws_sdk_ec2::operation::describe_flow_logs::DescribeFlowLogsOutput;
use aws_sdk_ec2::operation::describe_network_interfaces::DescribeNetworkInterfacesOutput;
use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
use aws_sdk_ec2::types::{
    FlowLog, LogDestinationType, NetworkInterface, NetworkInterfaceAttachment,
    NetworkInterfacePrivateIpAddress, NetworkInterfaceType, Subnet, SubnetIpv6CidrBlockAssociation,
    TrafficType,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use chrono::{TimeZone, Utc};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::flowlogs::{
    Destination, FlowLogs, QueryRequest, QueryStatus, is_limit_exceeded, malformed_query,
};
use grayscope::backend::{BackendError, Identity};
use grayscope::model::flowlogs::{LogFormat, ResourceKind, tally_query, tally_rows};

const LOGS: &str = "logs";
const EC2: &str = "ec2";

fn backend(logs: &[&Rule], ec2: &[&Rule]) -> AwsBackend {
    let clients = AwsClients {
        ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, ec2, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(EC2))),
        elbv2: mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            &[],
            |c| c.retry_config(RetryConfig::disabled())
        ),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[], |c| c
            .retry_config(RetryConfig::disabled())),
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, logs, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(LOGS))),
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
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

fn request() -> QueryRequest {
    QueryRequest {
        log_groups: vec!["/vpc/flow".into()],
        start: Utc.timestamp_opt(1_763_780_000, 0).single().expect("t"),
        end: Utc.timestamp_opt(1_763_783_600, 0).single().expect("t"),
        query: tally_query(&LogFormat::default()),
        limit: Some(10_000),
    }
}

fn field(f: &str, v: &str) -> ResultField {
    ResultField::builder().field(f).value(v).build()
}

fn tally_row(src: &str, n: &str) -> Vec<ResultField> {
    vec![
        field("srcAddr", src),
        field("dstAddr", "10.20.11.25"),
        field("dstPort", "5432"),
        field("protocol", "6"),
        field("interfaceId", "eni-0db"),
        field("rejects", n),
        field("rejectedBytes", "120"),
        field("@ptr", "CmAKJgoi..."),
    ]
}

fn stats(matched: f64, scanned: f64, bytes: f64) -> QueryStatistics {
    QueryStatistics::builder()
        .records_matched(matched)
        .records_scanned(scanned)
        .bytes_scanned(bytes)
        .build()
}

#[tokio::test]
async fn start_query_sends_the_request_and_returns_the_id() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::start_query)
        .match_requests(|r| {
            r.log_group_names() == ["/vpc/flow"]
                && r.start_time() == Some(1_763_780_000)
                && r.end_time() == Some(1_763_783_600)
                && r.limit() == Some(10_000)
                && r.query_string()
                    .is_some_and(|q| q.starts_with("filter action = \"REJECT\""))
        })
        .then_output(|| StartQueryOutput::builder().query_id("q-123").build());
    let id = backend(&[&rule], &[])
        .start_query(&request())
        .await
        .expect("started");
    assert_eq!(id, "q-123");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn running_with_partial_rows_then_complete() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
        .match_requests(|r| r.query_id() == Some("q-123"))
        .sequence()
        .output(|| {
            GetQueryResultsOutput::builder()
                .status(SdkStatus::Scheduled)
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .status(SdkStatus::Running)
                .results(tally_row("10.20.2.31", "7"))
                .statistics(stats(7.0, 1200.0, 250_000.0))
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .status(SdkStatus::Complete)
                .results(tally_row("10.20.2.31", "19"))
                .results(tally_row("10.20.2.32", "4"))
                .statistics(stats(23.0, 4800.0, 1_000_000.0))
                .build()
        })
        .build();
    let b = backend(&[&rule], &[]);
    let first = b.query_results("q-123").await.expect("page");
    assert_eq!(first.status, QueryStatus::Scheduled);
    assert!(first.rows.is_empty());
    let running = b.query_results("q-123").await.expect("page");
    assert_eq!(running.status, QueryStatus::Running);
    let partial = tally_rows(&running.rows);
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0].count.rejects, 7);
    assert_eq!(running.stats.bytes_scanned, 250_000.0);
    let done = b.query_results("q-123").await.expect("page");
    assert_eq!(done.status, QueryStatus::Complete);
    let rows = tally_rows(&done.rows);
    assert_eq!(rows.iter().map(|r| r.count.rejects).sum::<u64>(), 23);
    assert_eq!(done.stats.records_matched, 23.0);
    assert_eq!(done.stats.records_scanned, 4800.0);
    assert!(done.status.is_done() && !running.status.is_done());
}

#[tokio::test]
async fn failed_timeout_cancelled_and_unknown_statuses() {
    for (sdk, ours) in [
        (SdkStatus::Failed, QueryStatus::Failed),
        (SdkStatus::Timeout, QueryStatus::Timeout),
        (SdkStatus::Cancelled, QueryStatus::Cancelled),
        (SdkStatus::from("SomethingNew"), QueryStatus::Unknown),
    ] {
        let out = sdk.clone();
        let rule = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
            .then_output(move || GetQueryResultsOutput::builder().status(out.clone()).build());
        let page = backend(&[&rule], &[])
            .query_results("q")
            .await
            .expect("page");
        assert_eq!(page.status, ours, "{sdk:?}");
        assert!(page.status.is_done());
    }
}

#[tokio::test]
async fn values_from_aws_are_cleaned() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results).then_output(|| {
        GetQueryResultsOutput::builder()
            .status(SdkStatus::Complete)
            .results(vec![field("@message", "2 1 eni-1 \x1b]0;owned\x07 x")])
            .build()
    });
    let page = backend(&[&rule], &[])
        .query_results("q")
        .await
        .expect("page");
    assert!(!page.rows[0][0].1.chars().any(char::is_control));
}

#[tokio::test]
async fn limit_exceeded_is_recognised() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::start_query).then_error(|| {
        StartQueryError::LimitExceededException(
            LimitExceededException::builder()
                .message("Account maximum query concurrency limit of [30] reached.")
                .meta(
                    ErrorMetadata::builder()
                        .code("LimitExceededException")
                        .message("Account maximum query concurrency limit of [30] reached.")
                        .build(),
                )
                .build(),
        )
    });
    let e = backend(&[&rule], &[])
        .start_query(&request())
        .await
        .expect_err("limited");
    assert!(is_limit_exceeded(&e), "{e:?}");
    assert!(e.to_string().contains("concurrency limit"), "{e}");
}

#[tokio::test]
async fn malformed_query_carries_the_service_message() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::start_query).then_error(|| {
        StartQueryError::MalformedQueryException(
            MalformedQueryException::builder()
                .message("unexpected symbol found | at line 1 and position 24")
                .meta(
                    ErrorMetadata::builder()
                        .code("MalformedQueryException")
                        .message("unexpected symbol found | at line 1 and position 24")
                        .build(),
                )
                .build(),
        )
    });
    let e = backend(&[&rule], &[])
        .start_query(&request())
        .await
        .expect_err("malformed");
    assert_eq!(
        malformed_query(&e),
        Some("unexpected symbol found | at line 1 and position 24")
    );
    assert!(!is_limit_exceeded(&e));
}

#[tokio::test]
async fn throttled_start_is_retried_by_the_logs_pacer() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::start_query)
        .sequence()
        .error(|| {
            StartQueryError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .output(|| StartQueryOutput::builder().query_id("q-9").build())
        .build();
    let id = backend(&[&rule], &[])
        .start_query(&request())
        .await
        .expect("second try");
    assert_eq!(id, "q-9");
    assert_eq!(rule.num_calls(), 2);
}

/// moto does not implement StopQuery (HTTP 500), so it is checked here.
#[tokio::test]
async fn stop_query_sends_the_id_and_reads_success() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::stop_query)
        .match_requests(|r| r.query_id() == Some("q-123"))
        .sequence()
        .output(|| StopQueryOutput::builder().success(true).build())
        .output(|| StopQueryOutput::builder().success(false).build())
        .build();
    let b = backend(&[&rule], &[]);
    assert!(b.stop_query("q-123").await.expect("stopped"));
    assert!(!b.stop_query("q-123").await.expect("already done"));
}

/// moto does not implement DescribeQueryDefinitions either.
#[tokio::test]
async fn saved_queries_follow_next_token() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::describe_query_definitions)
        .sequence()
        .output(|| {
            DescribeQueryDefinitionsOutput::builder()
                .query_definitions(
                    QueryDefinition::builder()
                        .name("rejects to db")
                        .query_string("filter action=\"REJECT\" and dstPort=5432")
                        .log_group_names("/vpc/flow")
                        .build(),
                )
                .next_token("page-2")
                .build()
        })
        .output(|| {
            DescribeQueryDefinitionsOutput::builder()
                .query_definitions(
                    QueryDefinition::builder()
                        .name("scanners\x1b[2J")
                        .query_string("filter dstPort=22")
                        .build(),
                )
                .build()
        })
        .build();
    let saved = backend(&[&rule], &[]).saved_queries().await.expect("saved");
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[0].log_groups, vec!["/vpc/flow".to_string()]);
    assert!(!saved[1].name.chars().any(char::is_control));
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn flow_logs_map_destinations_and_formats() {
    let rule = mock!(aws_sdk_ec2::Client::describe_flow_logs).then_output(|| {
        DescribeFlowLogsOutput::builder()
            .flow_logs(
                FlowLog::builder()
                    .flow_log_id("fl-1")
                    .resource_id("vpc-1")
                    .log_destination_type(LogDestinationType::CloudWatchLogs)
                    .log_group_name("/vpc/flow")
                    .log_format("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${az-id}")
                    .traffic_type(TrafficType::Reject)
                    .flow_log_status("ACTIVE")
                    .build(),
            )
            .flow_logs(
                FlowLog::builder()
                    .flow_log_id("fl-2")
                    .resource_id("subnet-1")
                    .log_destination_type(LogDestinationType::S3)
                    .log_destination("arn:aws:s3:::archive")
                    .traffic_type(TrafficType::All)
                    .build(),
            )
            .flow_logs(
                FlowLog::builder()
                    .flow_log_id("fl-3")
                    .resource_id("eni-1")
                    .log_destination_type(LogDestinationType::KinesisDataFirehose)
                    .log_destination("arn:aws:firehose:us-east-1:1:deliverystream/siem")
                    .build(),
            )
            .build()
    });
    let logs = backend(&[], &[&rule]).flow_logs().await.expect("flow logs");
    assert_eq!(logs.len(), 3);
    assert_eq!(logs[0].log_group(), Some("/vpc/flow"));
    assert_eq!(logs[0].format.version(), 4);
    assert!(
        logs[0].format.parse_stage().is_some(),
        "custom: needs parse"
    );
    assert_eq!(logs[0].traffic, "REJECT");
    assert!(logs[1].format.is_default(), "no format: default");
    // An S3 destination of a subnet: no VPC to ask for the owner (no DescribeVpcs).
    let s3 = logs[1].s3().expect("S3 destination");
    assert_eq!(s3.location(), "s3://archive/");
    assert_eq!(s3.account_id, None);
    assert_eq!(s3.region.as_deref(), Some("us-east-1"));
    assert!(!s3.hive && !s3.per_hour);
    assert!(
        matches!(&logs[2].destination, Destination::Elsewhere { kind, .. } if kind == "kinesis-data-firehose")
    );
}

#[tokio::test]
async fn subnets_and_interfaces_are_read_once_and_mapped() {
    let subnets = mock!(aws_sdk_ec2::Client::describe_subnets)
        .match_requests(|r| r.filters().iter().any(|f| f.name() == Some("vpc-id")))
        .then_output(|| {
            DescribeSubnetsOutput::builder()
                .subnets(
                    Subnet::builder()
                        .subnet_id("subnet-b")
                        .vpc_id("vpc-1")
                        .cidr_block("10.20.2.0/24")
                        .ipv6_cidr_block_association_set(
                            SubnetIpv6CidrBlockAssociation::builder()
                                .ipv6_cidr_block("2600:1f18::/64")
                                .build(),
                        )
                        .availability_zone("us-east-1b")
                        .availability_zone_id("use1-az6")
                        .build(),
                )
                .build()
        });
    let enis = mock!(aws_sdk_ec2::Client::describe_network_interfaces)
        .match_requests(|r| {
            r.filters()
                .iter()
                .any(|f| f.name() == Some("addresses.private-ip-address"))
        })
        .then_output(|| {
            let ip = |a: &str| {
                NetworkInterfacePrivateIpAddress::builder()
                    .private_ip_address(a)
                    .build()
            };
            DescribeNetworkInterfacesOutput::builder()
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-db")
                        .private_ip_address("10.20.11.25")
                        .private_ip_addresses(ip("10.20.11.25"))
                        .subnet_id("subnet-db")
                        .availability_zone("us-east-1a")
                        .availability_zone_id("use1-az4")
                        .interface_type(NetworkInterfaceType::Interface)
                        .description("RDSNetworkInterface")
                        .build(),
                )
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-app")
                        .private_ip_addresses(ip("10.20.2.31"))
                        .attachment(
                            NetworkInterfaceAttachment::builder()
                                .instance_id("i-0abc")
                                .build(),
                        )
                        .build(),
                )
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-nat")
                        .private_ip_addresses(ip("10.20.101.5"))
                        .interface_type(NetworkInterfaceType::NatGateway)
                        .description("Interface for NAT Gateway nat-0123")
                        .build(),
                )
                .network_interfaces(
                    NetworkInterface::builder()
                        .network_interface_id("eni-alb")
                        .private_ip_addresses(ip("10.20.101.10"))
                        .description("ELB app/shop-frontend/4f2a9c1d7e3b5a60")
                        .build(),
                )
                .build()
        });
    let b = backend(&[], &[&subnets, &enis]);
    let vpcs = vec!["vpc-1".to_string()];
    let s = b.subnets(&vpcs).await.expect("subnets");
    assert_eq!(s[0].zone_id.as_deref(), Some("use1-az6"));
    assert_eq!(s[0].cidrs, ["10.20.2.0/24", "2600:1f18::/64"]);
    b.subnets(&vpcs).await.expect("cached");
    assert_eq!(subnets.num_calls(), 1, "a VPC's subnets are read once");

    let addrs: Vec<String> = [
        "10.20.11.25",
        "10.20.2.31",
        "10.20.101.5",
        "10.20.101.10",
        "198.51.100.7",
    ]
    .map(String::from)
    .to_vec();
    let found = b.interfaces(&addrs).await.expect("interfaces");
    let kind = |id: &str| {
        found
            .iter()
            .find(|i| i.id == id)
            .map(|i| (i.resource.kind.clone(), i.resource.name.clone()))
    };
    assert_eq!(
        kind("eni-db"),
        Some((ResourceKind::Database, "RDSNetworkInterface".into()))
    );
    assert_eq!(
        kind("eni-app"),
        Some((ResourceKind::Instance, "i-0abc".into()))
    );
    assert_eq!(kind("eni-nat").map(|k| k.0), Some(ResourceKind::NatGateway));
    assert_eq!(
        kind("eni-alb"),
        Some((
            ResourceKind::LoadBalancer,
            "app/shop-frontend/4f2a9c1d7e3b5a60".into()
        ))
    );
    assert_eq!(
        found
            .iter()
            .find(|i| i.id == "eni-db")
            .and_then(|i| i.zone_id.clone())
            .as_deref(),
        Some("use1-az4")
    );
    b.interfaces(&addrs).await.expect("cached");
    assert_eq!(
        enis.num_calls(),
        1,
        "addresses are looked up once per session (found or not)"
    );
}

#[tokio::test]
async fn access_denied_on_flow_logs_names_the_operation() {
    let rule = mock!(aws_sdk_ec2::Client::describe_flow_logs).then_error(|| {
        aws_sdk_ec2::operation::describe_flow_logs::DescribeFlowLogsError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .message("You are not authorized to perform this operation.")
                .build(),
        )
    });
    let e = backend(&[], &[&rule])
        .flow_logs()
        .await
        .expect_err("denied");
    assert!(
        matches!(&e, BackendError::AccessDenied { operation, .. } if operation == "DescribeFlowLogs"),
        "{e:?}"
    );
}
