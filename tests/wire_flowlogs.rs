//! Wire tests for the flow-log pane: the live backend, built the way the product builds
//! it (`AwsBackend::new` from the environment), talks HTTP to moto through the bridge
//! (`support::bridge`, which records every operation), over flow logs, log events,
//! subnets and interfaces seeded straight at moto.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_flowlogs`. Without
//! `MOTO_ENDPOINT` every test fails (never skips).
//!
//! What moto 5.2.5 does and does not do, and so what is asserted here:
//! - its Logs Insights engine ignores `filter`, `stats` and `parse` and answers
//!   Complete at once with the raw events: these tests assert the protocol (log
//!   groups, time range, query ID, status, statistics) and the mapping of rows, not
//!   the arithmetic (the mock tests and the demo evaluator cover that);
//! - it does not implement StopQuery or DescribeQueryDefinitions (HTTP 500 HTML): the
//!   StopQuery test asserts that the backend says so in words; its real behaviour is
//!   covered with aws-smithy-mocks in `mapping_flowlogs.rs`.

mod support;

use std::sync::OnceLock;

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};
use chrono::{Duration, Utc};
use grayscope::app::panes::flowlogs::{FlowLoaded, Purpose, QueryEvent, run_insights};
use grayscope::backend::aws::{AwsBackend, AwsSettings};
use grayscope::backend::flowlogs::{FlowLogs, QueryRequest, QueryStatus};
use grayscope::backend::{BackendError, Services};
use grayscope::jobs::{Job, Jobs};
use grayscope::model::flowlogs::{LogFormat, Part, parse_record, tally_query, tally_rows};
use grayscope::model::zones::ZoneMap;
use support::bridge::{self, Bridge};
use support::seed::{Moto, unique};

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
            ("AWS_ACCESS_KEY_ID", "AKIDGRAYSCOPEWIREFL"),
            ("AWS_SECRET_ACCESS_KEY", "grayscope-wire-fl-secret"),
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

fn product() -> AwsBackend {
    product_bridge();
    AwsBackend::new(AwsSettings::default())
}

const ACCOUNT: &str = "123456789012";

struct Seeded {
    group: String,
    vpc_id: String,
    subnet_id: String,
    zone_id: String,
    eni_id: String,
    db_ip: String,
    /// The seeded records, oldest first.
    records: Vec<String>,
    start: chrono::DateTime<Utc>,
    end: chrono::DateTime<Utc>,
}

/// A VPC with a subnet in us-east-1b and an interface holding the "database" address,
/// a log group with REJECT and ACCEPT records in the default format over the last 20
/// minutes, and a flow log from the VPC to that group.
async fn seed() -> Seeded {
    // moto is shared by the tests of a run: each seeds its own addresses, since an
    // interface lookup by address would find another test's interface.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let net =
        100 + std::process::id() % 100 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let moto = Moto::direct();
    let zone_ids = moto.zone_ids().await;
    let vpc_id = moto.create_vpc(&format!("10.{net}.0.0/16")).await;
    let subnet_id = moto
        .create_subnet(&vpc_id, format!("10.{net}.2.0/24"), "us-east-1b")
        .await;
    let db_ip = format!("10.{net}.2.25");
    let eni = moto
        .ec2
        .create_network_interface()
        .subnet_id(&subnet_id)
        .private_ip_address(&db_ip)
        .description("RDSNetworkInterface")
        .send()
        .await
        .expect("seed: CreateNetworkInterface");
    let eni_id = eni
        .network_interface()
        .and_then(|n| n.network_interface_id())
        .expect("seed: interface ID")
        .to_string();

    let config = support::sdk_config(&support::moto_endpoint());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let group = format!("/vpc/{}", unique("gs-fl"));
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("seed: CreateLogGroup");
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name(&eni_id)
        .send()
        .await
        .expect("seed: CreateLogStream");
    let end = Utc::now();
    let start = end - Duration::minutes(20);
    let mut records = Vec::new();
    let mut events = Vec::new();
    for m in 0..20 {
        let at = start + Duration::minutes(m);
        let t = at.timestamp();
        let (src, action) = if m % 2 == 0 {
            ("10.1.1.31", "REJECT")
        } else {
            ("10.1.3.40", "ACCEPT")
        };
        let line = format!(
            "2 {ACCOUNT} {eni_id} {src} {db_ip} {} 5432 6 1 60 {t} {} {action} OK",
            40000 + m,
            t + 60
        );
        events.push(
            InputLogEvent::builder()
                .timestamp(at.timestamp_millis())
                .message(&line)
                .build()
                .expect("seed: log event"),
        );
        records.push(line);
    }
    logs.put_log_events()
        .log_group_name(&group)
        .log_stream_name(&eni_id)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("seed: PutLogEvents");
    moto.ec2
        .create_flow_logs()
        .resource_type(FlowLogsResourceType::Vpc)
        .resource_ids(&vpc_id)
        .traffic_type(TrafficType::All)
        .log_destination_type(LogDestinationType::CloudWatchLogs)
        .log_group_name(&group)
        .deliver_logs_permission_arn(format!("arn:aws:iam::{ACCOUNT}:role/flow-logs"))
        .send()
        .await
        .expect("seed: CreateFlowLogs");
    Seeded {
        zone_id: zone_ids.get("us-east-1b").cloned().expect("zone id"),
        group,
        vpc_id,
        subnet_id,
        eni_id,
        db_ip,
        records,
        start,
        end,
    }
}

fn seen(op: &str) -> bool {
    product_bridge()
        .operations()
        .iter()
        .any(|o| o.operation == op && o.status == 200)
}

#[tokio::test]
async fn describe_flow_logs_finds_the_log_group_and_its_format() {
    let s = seed().await;
    let logs = product().flow_logs().await.expect("DescribeFlowLogs");
    let ours = logs
        .iter()
        .find(|f| f.log_group() == Some(s.group.as_str()))
        .expect("our flow log");
    assert_eq!(ours.resource_id, s.vpc_id);
    assert_eq!(ours.traffic, "ALL");
    assert!(ours.format.is_default(), "{:?}", ours.format);
    assert!(seen("DescribeFlowLogs"));
}

#[tokio::test]
async fn start_query_and_poll_map_rows_and_statistics() {
    let s = seed().await;
    let b = product();
    let format = LogFormat::default();
    let request = QueryRequest {
        log_groups: vec![s.group.clone()],
        start: s.start - Duration::minutes(1),
        end: s.end + Duration::minutes(1),
        query: format!("fields @timestamp, @message | {}", tally_query(&format)),
        limit: Some(100),
    };
    let id = b.start_query(&request).await.expect("StartQuery");
    assert!(!id.is_empty());
    let page = loop {
        let page = b.query_results(&id).await.expect("GetQueryResults");
        if page.status.is_done() {
            break page;
        }
    };
    assert_eq!(page.status, QueryStatus::Complete);
    // moto ignores filter and stats: the rows are the raw events, which our parser
    // reads back exactly as seeded; the tally mapping finds no tally rows in them.
    let messages: Vec<&str> = page
        .rows
        .iter()
        .filter_map(|r| {
            r.iter()
                .find(|(f, _)| f == "@message")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    assert_eq!(messages.len(), s.records.len(), "{:?}", page.rows.first());
    for m in &messages {
        assert!(s.records.iter().any(|r| r == m), "{m}");
        let r = parse_record(&format, m).expect("parses");
        assert_eq!(r.interface_id.as_deref(), Some(s.eni_id.as_str()));
        assert_eq!(r.dstaddr.map(|a| a.to_string()), Some(s.db_ip.clone()));
    }
    assert!(tally_rows(&page.rows).is_empty());
    assert!(seen("StartQuery") && seen("GetQueryResults"));
}

#[tokio::test]
async fn the_query_job_streams_started_then_complete_through_the_wire() {
    let s = seed().await;
    let services = Services::from_backend(std::sync::Arc::new(product()));
    let (mut jobs, mut rx) = Jobs::with_channel(services);
    let request = QueryRequest {
        log_groups: vec![s.group.clone()],
        start: s.start,
        end: s.end,
        query: tally_query(&LogFormat::default()),
        limit: Some(10_000),
    };
    jobs.apply(grayscope::jobs::Effect::Run(Job::new(
        "flowlogs",
        "tally",
        1,
        "wire",
        move |s, r| async move {
            run_insights(
                s,
                r,
                request,
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
        matches!(events.first(), Some(QueryEvent::Started { .. })),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(QueryEvent::Page(p)) if p.status == QueryStatus::Complete),
        "{events:?}"
    );
    // Complete: the StopQuery cleanup was disarmed, so the exit has nothing to stop.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(jobs.shutdown(std::time::Duration::from_secs(2)).await, 0);
}

#[tokio::test]
async fn stop_query_is_not_implemented_by_moto_and_says_so() {
    product_bridge();
    let e = product()
        .stop_query("no-such-query")
        .await
        .expect_err("moto has no StopQuery");
    assert!(
        matches!(&e, BackendError::Unsupported { operation, .. } if operation == "StopQuery"),
        "{e:?}"
    );
}

#[tokio::test]
async fn subnets_and_interfaces_place_the_address_by_zone_id() {
    let s = seed().await;
    let b = product();
    let subnets = b
        .subnets(std::slice::from_ref(&s.vpc_id))
        .await
        .expect("DescribeSubnets");
    let ours = subnets
        .iter()
        .find(|x| x.id == s.subnet_id)
        .expect("our subnet");
    let prefix = s.db_ip.trim_end_matches(".25");
    assert_eq!(ours.cidrs, [format!("{prefix}.0/24")]);
    assert_eq!(ours.zone_id.as_deref(), Some(s.zone_id.as_str()));
    let found = b
        .interfaces(&[s.db_ip.clone(), "198.51.100.9".into()])
        .await
        .expect("DescribeNetworkInterfaces");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, s.eni_id);
    let mut n = grayscope::model::flowlogs::Network::default();
    n.add_subnets(subnets);
    n.add_interfaces(found);
    let place = n.place(&s.db_ip, &ZoneMap::default());
    assert_eq!(place.zone_id.as_deref(), Some(s.zone_id.as_str()));
    assert_eq!(place.interface.as_deref(), Some(s.eni_id.as_str()));
    let other = n.place(&format!("{prefix}.99"), &ZoneMap::default());
    assert_eq!(
        other.subnet_id.as_deref(),
        Some(s.subnet_id.as_str()),
        "by CIDR"
    );
    assert!(seen("DescribeSubnets") && seen("DescribeNetworkInterfaces"));
}
