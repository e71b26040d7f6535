//! Wire tests for the Athena engine of the flow-log pane: the live backend, built the
//! way the product builds it (`AwsBackend::new` from the environment), talks awsJson1.1
//! to moto through the bridge (which records every operation).
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_athena`. Without
//! `MOTO_ENDPOINT` every test fails (never skips).
//!
//! What moto 5.2.5 does, and so what is asserted here: it runs no SQL; a query goes to
//! SUCCEEDED at its first GetQueryExecution and answers the rows queued at
//! `/moto-api/static/athena/query-results` (header row included, as Athena sends it);
//! StopQueryExecution marks it CANCELLED; GetWorkGroup answers what CreateWorkGroup
//! set; a missing workgroup is InvalidRequestException. So these tests assert the
//! protocol (workgroup, catalog and database on the request, the execution ID, states)
//! and the mapping of rows; the SQL itself is covered by the model's tests and the
//! demo. ListTableMetadata and GetTableMetadata are not in moto's Athena: they are
//! covered with aws-smithy-mocks in `mapping_athena.rs`.

mod support;

use std::sync::OnceLock;

use bytes::Bytes;
use chrono::{Duration, Utc};
use grayscope::app::panes::flowlogs::{FlowLoaded, Purpose, QueryEvent, run_query};
use grayscope::backend::aws::{AwsBackend, AwsSettings};
use grayscope::backend::flowlogs::{AthenaConfig, FlowLogs, FlowQuery, QueryStatus};
use grayscope::backend::{BackendError, Services};
use grayscope::jobs::{Job, Jobs};
use grayscope::model::athena::{AthenaTable, tally_sql};
use grayscope::model::flowlogs::{Part, tally_rows};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use support::bridge::{self, Bridge};
use support::seed::unique;

/// The bridge the product's backend talks to (set up once per test binary, before any
/// SDK client of this process loads its configuration).
fn product_bridge() -> &'static Bridge {
    static BRIDGE: OnceLock<Bridge> = OnceLock::new();
    BRIDGE.get_or_init(|| {
        let bridge = bridge::start(&support::moto_endpoint());
        let inherited: Vec<String> = std::env::vars()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("AWS_"))
            .collect();
        let settings = [
            ("AWS_ENDPOINT_URL", bridge.url.as_str()),
            ("AWS_ACCESS_KEY_ID", "AKIDGRAYSCOPEWIREAT"),
            ("AWS_SECRET_ACCESS_KEY", "grayscope-wire-at-secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ];
        // SAFETY: set once, inside the OnceLock initialiser every test runs first.
        unsafe {
            for name in inherited {
                std::env::remove_var(name);
            }
            for (name, value) in settings {
                std::env::set_var(name, value);
            }
        }
        bridge
    })
}

fn product(workgroup: &str) -> AwsBackend {
    product_bridge();
    AwsBackend::new(AwsSettings::default()).with_athena(AthenaConfig {
        workgroup: workgroup.into(),
        catalog: "AwsDataCatalog".into(),
        database: "network_logs".into(),
    })
}

/// moto hands the queued results to the next query started in the account: tests that
/// start queries take turns.
static QUERIES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn seen(op: &str) -> bool {
    product_bridge()
        .operations()
        .iter()
        .any(|o| o.service == "athena" && o.operation == op && o.status == 200)
}

/// A workgroup with (or without) a result location, created straight at moto.
async fn workgroup(output: Option<&str>) -> String {
    let config = support::sdk_config(&support::moto_endpoint());
    let athena = aws_sdk_athena::Client::new(&config);
    let name = unique("gs-wg");
    let mut c = aws_sdk_athena::types::WorkGroupConfiguration::builder();
    if let Some(o) = output {
        c = c.result_configuration(
            aws_sdk_athena::types::ResultConfiguration::builder()
                .output_location(o)
                .build(),
        );
    }
    athena
        .create_work_group()
        .name(&name)
        .configuration(c.build())
        .send()
        .await
        .expect("seed: CreateWorkGroup");
    name
}

/// Queues the rows moto answers the next query with (`/moto-api/static/athena/query-results`).
async fn queue_results(rows: &[Vec<&str>], labels: &[&str]) {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "Data": r.iter().map(|v| serde_json::json!({"VarCharValue": v})).collect::<Vec<_>>()
            })
        })
        .collect();
    let columns: Vec<serde_json::Value> = labels
        .iter()
        .map(|l| serde_json::json!({"Name": l, "Label": l, "Type": "varchar"}))
        .collect();
    let body = serde_json::json!({
        "region": "us-east-1",
        "results": [{"rows": rows, "column_info": columns}],
    });
    let url = format!(
        "{}/moto-api/static/athena/query-results",
        support::moto_endpoint()
    );
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = hyper::Request::post(&url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let response = client.request(request).await.expect("moto-api");
    assert_eq!(response.status().as_u16(), 201, "moto took the results");
}

fn table() -> AthenaTable {
    let cols = [
        "version",
        "account_id",
        "interface_id",
        "srcaddr",
        "dstaddr",
        "srcport",
        "dstport",
        "protocol",
        "packets",
        "bytes",
        "start",
        "end",
        "action",
        "log_status",
    ];
    AthenaTable {
        catalog: "AwsDataCatalog".into(),
        database: "network_logs".into(),
        name: "vpc_flow_logs".into(),
        columns: cols
            .iter()
            .map(|c| (c.to_string(), "string".to_string()))
            .collect(),
        partition_keys: vec![("day".into(), "string".into())],
        parameters: [
            ("projection.enabled", "true"),
            ("projection.day.type", "date"),
            ("projection.day.format", "yyyy/MM/dd"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
}

#[tokio::test]
async fn the_workgroup_and_its_result_location() {
    let with = workgroup(Some("s3://gs-athena-results/wire/")).await;
    let w = product(&with)
        .athena_workgroup()
        .await
        .expect("GetWorkGroup");
    assert_eq!(w.name, with);
    assert_eq!(
        w.output_location.as_deref(),
        Some("s3://gs-athena-results/wire/")
    );
    assert_eq!(w.problem(), None);
    let without = workgroup(None).await;
    let w = product(&without)
        .athena_workgroup()
        .await
        .expect("GetWorkGroup");
    assert!(
        w.problem()
            .is_some_and(|p| p.contains("has no query result location")),
        "{w:?}"
    );
    assert!(seen("GetWorkGroup"));
}

#[tokio::test]
async fn the_tally_runs_through_the_pane_job_and_its_rows_map() {
    let _turn = QUERIES.lock().await;
    let wg = workgroup(Some("s3://gs-athena-results/wire/")).await;
    let b = product(&wg);
    let labels = [
        "srcaddr",
        "dstaddr",
        "dstport",
        "protocol",
        "interfaceid",
        "rejects",
        "rejectedbytes",
    ];
    queue_results(
        &[
            labels.to_vec(),
            vec![
                "10.30.2.21",
                "10.30.11.40",
                "3306",
                "6",
                "eni-0ledger",
                "20",
                "240",
            ],
            vec![
                "198.51.100.23",
                "10.30.101.5",
                "22",
                "6",
                "eni-0nat",
                "9",
                "360",
            ],
        ],
        &labels,
    )
    .await;
    let end = Utc::now();
    let start = end - Duration::hours(1);
    let query = FlowQuery::Athena {
        sql: tally_sql(&table(), start, end),
        start,
        end,
    };
    let services = Services {
        flowlogs: std::sync::Arc::new(b),
        ..Services::from_backend(std::sync::Arc::new(
            grayscope::backend::demo::DemoBackend::new(grayscope::clock::Clock::System, 9),
        ))
    };
    let (mut jobs, mut rx) = Jobs::with_channel(services);
    jobs.apply(grayscope::jobs::Effect::Run(Job::new(
        "flowlogs",
        "tally",
        1,
        "wire",
        move |s, r| async move {
            run_query(
                s,
                r,
                query,
                Purpose::Tally(Part::Settled),
                std::time::Duration::from_millis(10),
            )
            .await;
        },
    )));
    let mut events = Vec::new();
    while let Ok(Some(msg)) =
        tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv()).await
    {
        if let grayscope::app::Msg::Job(m) = msg
            && let Some(FlowLoaded::Query { event, .. }) = m.take::<FlowLoaded>()
        {
            let done = matches!(&event, QueryEvent::Page(p) if p.status.is_done());
            events.push(event);
            if done {
                break;
            }
        }
    }
    assert!(
        matches!(events.first(), Some(QueryEvent::Started { id, .. }) if !id.is_empty()),
        "{events:?}"
    );
    let Some(QueryEvent::Page(last)) = events.last() else {
        panic!("no final page: {events:?}");
    };
    assert_eq!(last.status, QueryStatus::Complete, "{last:?}");
    assert_eq!(
        last.rows.len(),
        2,
        "the header row is dropped: {:?}",
        last.rows
    );
    let tally = tally_rows(&last.rows);
    assert_eq!(tally[0].key.src, "10.30.2.21");
    assert_eq!(tally[0].key.dst_port, Some(3306));
    assert_eq!(tally[0].key.interface.as_deref(), Some("eni-0ledger"));
    assert_eq!(tally[1].count.rejects, 9);
    assert_eq!(tally[1].count.bytes, 360);
    // Complete: the stop was disarmed, nothing left for the exit.
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(2)).await, 0);
    assert!(seen("StartQueryExecution") && seen("GetQueryExecution") && seen("GetQueryResults"));
}

#[tokio::test]
async fn stop_query_execution_cancels_it() {
    let _turn = QUERIES.lock().await;
    let wg = workgroup(Some("s3://gs-athena-results/wire/")).await;
    let b = product(&wg);
    let id = b
        .start_athena("SELECT 1")
        .await
        .expect("StartQueryExecution");
    assert!(b.stop_athena(&id).await.expect("StopQueryExecution"));
    let p = b.athena_results(&id).await.expect("GetQueryExecution");
    assert_eq!(p.status, QueryStatus::Cancelled);
    assert!(p.rows.is_empty(), "no results read for a cancelled query");
    assert!(seen("StopQueryExecution"));
}

#[tokio::test]
async fn a_missing_workgroup_is_a_service_error_in_words() {
    let b = product("gs-no-such-workgroup");
    let e = b.start_athena("SELECT 1").await.expect_err("refused");
    match &e {
        BackendError::Service {
            operation, code, ..
        } => {
            assert_eq!(operation, "StartQueryExecution");
            assert_eq!(code, "InvalidRequestException");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("WorkGroup does not exist"), "{e}");
}
