//! The Athena side of the flow-log backend (`backend::aws::athena` + the S3 part of
//! `flow_ec2`) against in-process SDK mocks (aws-smithy-mocks): a query's life
//! (QUEUED -> RUNNING -> SUCCEEDED with statistics, FAILED with its reason, CANCELLED),
//! result pages followed by NextToken with the header row dropped, the catalog
//! (ListTableMetadata pages, GetTableMetadata; moto implements neither), the workgroup,
//! StopQueryExecution, the errors in words (AccessDenied naming the permission, a
//! workgroup without a result location, TooManyRequests as throttling), and
//! DescribeFlowLogs' S3 destinations with the account from DescribeVpcs.

mod support;

use support::observe::Observe;

use aws_sdk_athena::operation::get_query_execution::GetQueryExecutionOutput;
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::get_table_metadata::GetTableMetadataOutput;
use aws_sdk_athena::operation::get_work_group::GetWorkGroupOutput;
use aws_sdk_athena::operation::list_table_metadata::{
    ListTableMetadataError, ListTableMetadataOutput,
};
use aws_sdk_athena::operation::start_query_execution::{
    StartQueryExecutionError, StartQueryExecutionOutput,
};
use aws_sdk_athena::operation::stop_query_execution::StopQueryExecutionOutput;
use aws_sdk_athena::types::error::{InvalidRequestException, TooManyRequestsException};
use aws_sdk_athena::types::{
    AthenaError, Column, ColumnInfo, Datum, QueryExecution, QueryExecutionState,
    QueryExecutionStatistics, QueryExecutionStatus, ResultConfiguration, ResultSet,
    ResultSetMetadata, Row, StatementType, TableMetadata, WorkGroup, WorkGroupConfiguration,
    WorkGroupState,
};
use aws_sdk_ec2::operation::describe_flow_logs::DescribeFlowLogsOutput;
use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
use aws_sdk_ec2::types::{
    DestinationFileFormat, DestinationOptionsResponse, FlowLog, LogDestinationType, TrafficType,
    Vpc,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::flowlogs::{AthenaConfig, FlowLogs, QueryStatus, malformed_query};
use grayscope::backend::{BackendError, Identity};
use grayscope::model::athena::{FileFormat, Partitioning};
use grayscope::model::flowlogs::tally_rows;

const ATHENA: &str = "athena";
const EC2: &str = "ec2";

fn backend(athena: &[&Rule], ec2: &[&Rule]) -> AwsBackend {
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
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[], |c| c
            .retry_config(RetryConfig::disabled())),
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        arc: mock_client!(aws_sdk_arczonalshift, RuleMode::MatchAny, &[]),
        athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, athena, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(ATHENA))),
    };
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: Some("sre".into()),
        },
    )
    .with_athena(AthenaConfig {
        workgroup: "sre".into(),
        catalog: "AwsDataCatalog".into(),
        database: "network_logs".into(),
    })
}

fn execution(state: QueryExecutionState, bytes: i64) -> GetQueryExecutionOutput {
    GetQueryExecutionOutput::builder()
        .query_execution(
            QueryExecution::builder()
                .query_execution_id("qe-1")
                .statement_type(StatementType::Dml)
                .status(QueryExecutionStatus::builder().state(state).build())
                .statistics(
                    QueryExecutionStatistics::builder()
                        .data_scanned_in_bytes(bytes)
                        .query_queue_time_in_millis(120)
                        .engine_execution_time_in_millis(850)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn col(name: &str) -> ColumnInfo {
    ColumnInfo::builder()
        .name(name)
        .label(name)
        .r#type("varchar")
        .build()
        .expect("column info")
}

fn row(values: &[&str]) -> Row {
    Row::builder()
        .set_data(Some(
            values
                .iter()
                .map(|v| Datum::builder().var_char_value(*v).build())
                .collect(),
        ))
        .build()
}

const LABELS: [&str; 7] = [
    "srcaddr",
    "dstaddr",
    "dstport",
    "protocol",
    "interfaceid",
    "rejects",
    "rejectedbytes",
];

fn page(rows: Vec<Row>, next: Option<&str>) -> GetQueryResultsOutput {
    GetQueryResultsOutput::builder()
        .result_set(
            ResultSet::builder()
                .result_set_metadata(
                    ResultSetMetadata::builder()
                        .set_column_info(Some(LABELS.iter().map(|l| col(l)).collect()))
                        .build(),
                )
                .set_rows(Some(rows))
                .build(),
        )
        .set_next_token(next.map(str::to_string))
        .build()
}

fn data(src: &str, n: &str) -> Row {
    row(&[src, "10.30.11.40", "3306", "6", "eni-0ledger", n, "240"])
}

#[tokio::test]
async fn start_sends_the_sql_to_the_workgroup_catalog_and_database() {
    let rule = mock!(aws_sdk_athena::Client::start_query_execution)
        .match_requests(|r| {
            r.work_group() == Some("sre")
                && r.query_execution_context().and_then(|c| c.catalog()) == Some("AwsDataCatalog")
                && r.query_execution_context().and_then(|c| c.database()) == Some("network_logs")
                && r.result_configuration().is_none()
                && r.query_string() == Some("SELECT 1")
        })
        .then_output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("qe-1")
                .build()
        });
    let id = backend(&[&rule], &[])
        .start_athena("SELECT 1")
        .await
        .expect("started");
    assert_eq!(id, "qe-1");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn queued_running_then_succeeded_with_statistics_and_paged_rows() {
    let states = mock!(aws_sdk_athena::Client::get_query_execution)
        .match_requests(|r| r.query_execution_id() == Some("qe-1"))
        .sequence()
        .output(|| execution(QueryExecutionState::Queued, 0))
        .output(|| execution(QueryExecutionState::Running, 4_000_000))
        .output(|| execution(QueryExecutionState::Succeeded, 12_345_678))
        .build();
    let header: Vec<&str> = LABELS.to_vec();
    let pages = mock!(aws_sdk_athena::Client::get_query_results)
        .match_requests(|r| r.query_execution_id() == Some("qe-1") && r.max_results() == Some(1000))
        .sequence()
        .output(move || {
            page(
                vec![
                    row(&header),
                    data("10.30.2.21", "20"),
                    data("10.30.2.22", "17"),
                ],
                Some("page-2"),
            )
        })
        .output(|| page(vec![data("198.51.100.23", "9")], None))
        .build();
    let b = backend(&[&states, &pages], &[]);
    let q = b.athena_results("qe-1").await.expect("queued");
    assert_eq!(q.status, QueryStatus::Scheduled);
    assert!(q.rows.is_empty());
    let r = b.athena_results("qe-1").await.expect("running");
    assert_eq!(r.status, QueryStatus::Running);
    assert_eq!(r.stats.bytes_scanned, 4_000_000.0);
    assert_eq!(pages.num_calls(), 0, "no rows asked for before SUCCEEDED");
    let done = b.athena_results("qe-1").await.expect("succeeded");
    assert_eq!(done.status, QueryStatus::Complete);
    assert_eq!(done.stats.bytes_scanned, 12_345_678.0);
    assert_eq!((done.stats.queued_ms, done.stats.engine_ms), (120.0, 850.0));
    assert_eq!(pages.num_calls(), 2, "NextToken followed");
    assert_eq!(done.rows.len(), 3, "header row dropped: {:?}", done.rows);
    assert_eq!(
        done.rows[0][0],
        ("srcAddr".to_string(), "10.30.2.21".to_string())
    );
    let tally = tally_rows(&done.rows);
    assert_eq!(tally.len(), 3);
    assert_eq!(tally[0].key.dst_port, Some(3306));
    assert_eq!(tally[0].key.interface.as_deref(), Some("eni-0ledger"));
    assert_eq!(tally[0].count.rejects, 20);
    assert_eq!(tally[0].count.bytes, 240);
}

#[tokio::test]
async fn failed_says_why_and_names_the_permission() {
    let rule = mock!(aws_sdk_athena::Client::get_query_execution).then_output(|| {
        GetQueryExecutionOutput::builder()
            .query_execution(
                QueryExecution::builder()
                    .query_execution_id("qe-2")
                    .status(
                        QueryExecutionStatus::builder()
                            .state(QueryExecutionState::Failed)
                            .state_change_reason("Permission denied on S3 path: s3://acme-central-flow-logs/org/AWSLogs/1/vpcflowlogs/us-east-1/2026/11/30/05/x.log.gz")
                            .athena_error(
                                AthenaError::builder()
                                    .error_category(2)
                                    .error_type(1003)
                                    .error_message("Permission denied on S3 path: s3://acme-central-flow-logs/org/AWSLogs/1/vpcflowlogs/us-east-1/2026/11/30/05/x.log.gz")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let results =
        mock!(aws_sdk_athena::Client::get_query_results).then_output(|| page(Vec::new(), None));
    let b = backend(&[&rule, &results], &[]);
    let p = b.athena_results("qe-2").await.expect("answered");
    assert_eq!(p.status, QueryStatus::Failed);
    let m = p.message.expect("a reason");
    assert!(m.contains("s3:GetObject and s3:ListBucket"), "{m}");
    assert_eq!(results.num_calls(), 0);
}

#[tokio::test]
async fn cancelled_is_done_and_stop_query_execution_is_sent() {
    let state = mock!(aws_sdk_athena::Client::get_query_execution)
        .then_output(|| execution(QueryExecutionState::Cancelled, 2_000_000));
    let stop = mock!(aws_sdk_athena::Client::stop_query_execution)
        .match_requests(|r| r.query_execution_id() == Some("qe-3"))
        .then_output(|| StopQueryExecutionOutput::builder().build());
    let b = backend(&[&state, &stop], &[]);
    assert!(b.stop_athena("qe-3").await.expect("stopped"));
    assert_eq!(stop.num_calls(), 1);
    let p = b.athena_results("qe-3").await.expect("answered");
    assert_eq!(p.status, QueryStatus::Cancelled);
    assert!(p.status.is_done());
    assert_eq!(
        p.stats.bytes_scanned, 2_000_000.0,
        "what it scanned is billed"
    );
}

#[tokio::test]
async fn a_ddl_statement_has_no_rows_to_read() {
    let state = mock!(aws_sdk_athena::Client::get_query_execution).then_output(|| {
        GetQueryExecutionOutput::builder()
            .query_execution(
                QueryExecution::builder()
                    .statement_type(StatementType::Ddl)
                    .status(
                        QueryExecutionStatus::builder()
                            .state(QueryExecutionState::Succeeded)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let results =
        mock!(aws_sdk_athena::Client::get_query_results).then_output(|| page(Vec::new(), None));
    let b = backend(&[&state, &results], &[]);
    let p = b.athena_results("qe-ddl").await.expect("answered");
    assert_eq!(p.status, QueryStatus::Complete);
    assert_eq!(results.num_calls(), 0);
}

#[tokio::test]
async fn malformed_sql_carries_athenas_message() {
    let rule = mock!(aws_sdk_athena::Client::start_query_execution).then_error(|| {
        StartQueryExecutionError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("line 1:8: mismatched input 'FORM'. Expecting: ','")
                .meta(
                    ErrorMetadata::builder()
                        .code("InvalidRequestException")
                        .message("line 1:8: mismatched input 'FORM'. Expecting: ','")
                        .build(),
                )
                .build(),
        )
    });
    let e = backend(&[&rule], &[])
        .start_athena("SELECT * FORM t")
        .await
        .expect_err("refused");
    let m = malformed_query(&e).expect("a malformed query");
    assert!(m.contains("line 1:8: mismatched input 'FORM'"), "{m}");
}

#[tokio::test]
async fn a_workgroup_without_a_result_location_is_said_in_words() {
    let rule = mock!(aws_sdk_athena::Client::start_query_execution).then_error(|| {
        StartQueryExecutionError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
                .meta(
                    ErrorMetadata::builder()
                        .code("InvalidRequestException")
                        .message("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
                        .build(),
                )
                .build(),
        )
    });
    let e = backend(&[&rule], &[])
        .start_athena("SELECT 1")
        .await
        .expect_err("refused");
    assert!(
        e.to_string()
            .contains("the workgroup has no query result location"),
        "{e}"
    );
}

#[tokio::test]
async fn access_denied_on_the_workgroup_names_the_action() {
    let rule = mock!(aws_sdk_athena::Client::start_query_execution).then_error(|| {
        StartQueryExecutionError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("User: arn:aws:sts::1:assumed-role/sre/x is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:1:workgroup/sre because no identity-based policy allows the athena:StartQueryExecution action")
                .build(),
        )
    });
    let e = backend(&[&rule], &[])
        .start_athena("SELECT 1")
        .await
        .expect_err("denied");
    assert!(matches!(e, BackendError::AccessDenied { .. }), "{e:?}");
    let s = e.to_string();
    assert!(
        s.contains(
            "access denied on the workgroup: the IAM policy needs athena:StartQueryExecution"
        ),
        "{s}"
    );
}

#[tokio::test]
async fn too_many_requests_is_throttling_and_retried() {
    let rule = mock!(aws_sdk_athena::Client::start_query_execution)
        .sequence()
        .error(|| {
            StartQueryExecutionError::TooManyRequestsException(
                TooManyRequestsException::builder()
                    .message("Rate exceeded")
                    .meta(
                        ErrorMetadata::builder()
                            .code("TooManyRequestsException")
                            .message("Rate exceeded")
                            .build(),
                    )
                    .build(),
            )
        })
        .output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("qe-4")
                .build()
        })
        .build();
    let id = backend(&[&rule], &[])
        .start_athena("SELECT 1")
        .await
        .expect("retried by the pacer");
    assert_eq!(id, "qe-4");
    assert_eq!(rule.num_calls(), 2);
}

fn table(name: &str, location: &str, keys: &[&str]) -> TableMetadata {
    let c = |n: &str, t: &str| Column::builder().name(n).r#type(t).build().expect("column");
    let mut b = TableMetadata::builder()
        .name(name)
        .table_type("EXTERNAL_TABLE")
        .columns(c("version", "int"))
        .columns(c("srcaddr", "string"))
        .columns(c("dstaddr", "string"))
        .columns(c("dstport", "int"))
        .columns(c("action", "string"))
        .columns(c("start", "bigint"))
        .parameters("location", location)
        .parameters("EXTERNAL", "TRUE");
    for k in keys {
        b = b.partition_keys(c(k, "string"));
    }
    if keys == ["day"] {
        b = b
            .parameters("projection.enabled", "true")
            .parameters("projection.day.type", "date")
            .parameters("projection.day.format", "yyyy/MM/dd");
    }
    b.build().expect("table")
}

#[tokio::test]
async fn tables_are_listed_page_by_page_in_the_configured_database() {
    let rule = mock!(aws_sdk_athena::Client::list_table_metadata)
        .match_requests(|r| {
            r.catalog_name() == Some("AwsDataCatalog") && r.database_name() == Some("network_logs")
        })
        .sequence()
        .output(|| {
            ListTableMetadataOutput::builder()
                .table_metadata_list(table("other", "s3://elsewhere/", &[]))
                .next_token("t-2")
                .build()
        })
        .output(|| {
            ListTableMetadataOutput::builder()
                .table_metadata_list(table(
                    "vpc_flow_logs",
                    "s3://acme-central-flow-logs/org/AWSLogs/210987654321/vpcflowlogs/us-east-1/",
                    &["day"],
                ))
                .build()
        })
        .build();
    let tables = backend(&[&rule], &[])
        .athena_tables()
        .await
        .expect("tables");
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(tables.len(), 2);
    let t = &tables[1];
    assert_eq!(
        (t.catalog.as_str(), t.database.as_str()),
        ("AwsDataCatalog", "network_logs")
    );
    assert_eq!(
        t.partitioning(),
        Partitioning::DatePath {
            key: "day".into(),
            format: "yyyy/MM/dd".into()
        }
    );
    assert!(tables[0].scans_everything());
    assert_eq!(
        t.log_format().fields,
        [
            "version", "srcaddr", "dstaddr", "dstport", "action", "start"
        ]
    );
}

#[tokio::test]
async fn one_table_is_read_back_and_glue_denial_names_the_action() {
    let get = mock!(aws_sdk_athena::Client::get_table_metadata)
        .match_requests(|r| r.table_name() == Some("vpc_flow_logs_fl_1"))
        .then_output(|| {
            GetTableMetadataOutput::builder()
                .table_metadata(table(
                    "vpc_flow_logs_fl_1",
                    "s3://b/p/",
                    &["year", "month", "day", "hour"],
                ))
                .build()
        });
    let list = mock!(aws_sdk_athena::Client::list_table_metadata).then_error(|| {
        ListTableMetadataError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("User: arn:aws:sts::1:assumed-role/sre/x is not authorized to perform: glue:GetTables on resource: arn:aws:glue:us-east-1:1:catalog")
                .build(),
        )
    });
    let b = backend(&[&get, &list], &[]);
    let t = b.athena_table("vpc_flow_logs_fl_1").await.expect("table");
    assert!(matches!(
        t.partitioning(),
        Partitioning::Parts { hour: Some(_), .. }
    ));
    let e = b.athena_tables().await.expect_err("denied");
    assert!(matches!(e, BackendError::AccessDenied { .. }), "{e:?}");
    assert!(e.to_string().contains("glue:GetTables"), "{e}");
}

#[tokio::test]
async fn the_workgroup_says_where_results_go() {
    let rule = mock!(aws_sdk_athena::Client::get_work_group)
        .match_requests(|r| r.work_group() == Some("sre"))
        .sequence()
        .output(|| {
            GetWorkGroupOutput::builder()
                .work_group(
                    WorkGroup::builder()
                        .name("sre")
                        .state(WorkGroupState::Enabled)
                        .configuration(
                            WorkGroupConfiguration::builder()
                                .result_configuration(
                                    ResultConfiguration::builder()
                                        .output_location("s3://athena-results-sre/")
                                        .build(),
                                )
                                .bytes_scanned_cutoff_per_query(10_000_000_000)
                                .build(),
                        )
                        .build()
                        .expect("workgroup"),
                )
                .build()
        })
        .output(|| {
            GetWorkGroupOutput::builder()
                .work_group(
                    WorkGroup::builder()
                        .name("sre")
                        .state(WorkGroupState::Enabled)
                        .build()
                        .expect("workgroup"),
                )
                .build()
        })
        .build();
    let b = backend(&[&rule], &[]);
    let w = b.athena_workgroup().await.expect("workgroup");
    assert_eq!(
        w.output_location.as_deref(),
        Some("s3://athena-results-sre/")
    );
    assert_eq!(w.bytes_cutoff, Some(10_000_000_000));
    assert_eq!(w.problem(), None);
    let bare = b.athena_workgroup().await.expect("workgroup");
    assert!(
        bare.problem()
            .is_some_and(|p| p.contains("has no query result location")),
        "{bare:?}"
    );
}

#[tokio::test]
async fn s3_flow_logs_carry_format_partitions_and_the_vpc_owner() {
    let logs = mock!(aws_sdk_ec2::Client::describe_flow_logs).then_output(|| {
        DescribeFlowLogsOutput::builder()
            .flow_logs(
                FlowLog::builder()
                    .flow_log_id("fl-9")
                    .resource_id("vpc-9")
                    .log_destination_type(LogDestinationType::S3)
                    .log_destination("arn:aws:s3:::acme-central-flow-logs/org/")
                    .destination_options(
                        DestinationOptionsResponse::builder()
                            .file_format(DestinationFileFormat::Parquet)
                            .hive_compatible_partitions(true)
                            .per_hour_partition(true)
                            .build(),
                    )
                    .traffic_type(TrafficType::All)
                    .flow_log_status("ACTIVE")
                    .build(),
            )
            .build()
    });
    let vpcs = mock!(aws_sdk_ec2::Client::describe_vpcs)
        .match_requests(|r| r.vpc_ids() == ["vpc-9"])
        .then_output(|| {
            DescribeVpcsOutput::builder()
                .vpcs(
                    Vpc::builder()
                        .vpc_id("vpc-9")
                        .owner_id("210987654321")
                        .build(),
                )
                .build()
        });
    let found = backend(&[], &[&logs, &vpcs])
        .flow_logs()
        .await
        .expect("flow logs");
    let d = found[0].s3().expect("S3");
    assert_eq!(d.location(), "s3://acme-central-flow-logs/org/");
    assert_eq!(d.file_format, FileFormat::Parquet);
    assert!(d.hive && d.per_hour);
    assert_eq!(d.account_id.as_deref(), Some("210987654321"));
    assert_eq!(
        d.logs_root().as_deref(),
        Some(
            "s3://acme-central-flow-logs/org/AWSLogs/aws-account-id=210987654321/aws-service=vpcflowlogs/aws-region=us-east-1/"
        )
    );
    assert!(found[0].log_group().is_none());
}
