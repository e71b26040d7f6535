//! Faults injected at the wire, pane by pane: the real SDK clients talk to moto (or to
//! recorded replies, for what moto lacks) through the test bridge, and the bridge's fault
//! injector (`tests/support/faults.rs`) makes the next requests for one operation fail:
//! throttling (the service's ThrottlingException and a bare HTTP 429), 5xx, a reply
//! slower than the client's timeout, a reset connection, a truncated body.
//!
//! For every fault and pane the test shows, on the headless app and its screen:
//! - the pane keeps its last data, and says how old it is and what failed, in one line
//!   naming the operation and the kind of fault;
//! - the app neither panics nor quits;
//! - throttling slows the client: the throttled calls are spaced out (the pacer's
//!   back-off, counted at the bridge), not hammered.
//!
//! Also: expired credentials become one banner naming `aws sso login --profile P` with a
//! key that reconnects; AccessDenied on one operation names its IAM action in that
//! pane while the others carry on.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_chaos`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, Instant};

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use chrono::{DateTime, Duration, Utc};
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::panes::bands::BandsPane;
use grayscope::app::panes::flowlogs::FlowLogsPane;
use grayscope::app::panes::health::HealthPane;
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::flowlogs::{FlowLogSource, FlowLogs, QueryPage, QueryRequest, SavedQuery};
use grayscope::backend::paths::ReachPaths;
use grayscope::backend::{BackendError, Identity, Services};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::flowlogs::{InterfaceInfo, SubnetInfo};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{Value as Json, json};
use support::bridge;
use support::drive::Driver;
use support::faults::Fault;
use support::recorded::{self, fixture};
use support::seed::{Moto, unique};

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// The client gives up on an attempt after this long; [`Fault::Slow`] answers later.
const ATTEMPT_TIMEOUT: StdDuration = StdDuration::from_secs(4);
const SLOW: StdDuration = StdDuration::from_secs(8);
/// Faulted requests planned per operation: more than any refresh makes.
const MANY: usize = 1000;

/// Every fault the issue names, in the order the report lists them.
fn all_faults() -> Vec<Fault> {
    vec![
        Fault::Throttle,
        Fault::TooManyRequests,
        Fault::ServerError(503),
        Fault::Slow(SLOW),
        Fault::Reset,
        Fault::Truncate,
    ]
}

/// The words a pane's error line must carry for `fault` on `operation`.
fn expected(fault: &Fault, operation: &str) -> Vec<String> {
    let what = match fault {
        Fault::Throttle | Fault::TooManyRequests => "throttled by AWS",
        Fault::ServerError(_) => "HTTP 503",
        Fault::Slow(_) => "timed out",
        Fault::Reset | Fault::Truncate => "the connection dropped before the reply was complete",
        Fault::Code { code, .. } => code,
    };
    vec![format!("{operation}:"), what.to_string()]
}

/// Asserts the error is the right kind for `fault`.
fn check_kind(fault: &Fault, err: &BackendError, operation: &str) {
    let ok = match (fault, err) {
        (Fault::Throttle | Fault::TooManyRequests, BackendError::Throttled { operation: op }) => {
            op == operation
        }
        (
            Fault::ServerError(_),
            BackendError::Service {
                operation: op,
                code,
                ..
            },
        ) => op == operation && code == "HTTP 503",
        (Fault::Slow(_), BackendError::Timeout { operation: op, .. }) => op == operation,
        (Fault::Reset, BackendError::Unreachable { operation: op, .. }) => op == operation,
        // hyper reads the short body with the head: the connection closed mid-reply.
        (Fault::Truncate, BackendError::Unreachable { operation: op, .. }) => op == operation,
        _ => false,
    };
    assert!(ok, "{} on {operation} became {err:?}", fault.name());
    let shown = err.to_string();
    for want in expected(fault, operation) {
        assert!(shown.contains(&want), "{shown:?} lacks {want:?}");
    }
    assert!(
        !shown.contains('\n') && shown.chars().count() < 240,
        "{shown:?}"
    );
}

/// One line per fault for docs/reliability.md: how many requests got it, by operation.
fn report(pane: &str, fault: &Fault, bridge: &support::bridge::Bridge) {
    let mut by_op: std::collections::BTreeMap<String, usize> = Default::default();
    for (op, f) in bridge.faults().injected() {
        if &f == fault {
            *by_op.entry(op).or_default() += 1;
        }
    }
    eprintln!("chaos: {pane}: {}: {by_op:?}", fault.name());
}

/// Short timeouts, one SDK attempt (the pacer is what retries throttled calls).
fn test_config(endpoint: &str) -> SdkConfig {
    support::sdk_config(endpoint)
        .to_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(StdDuration::from_secs(2))
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(StdDuration::from_secs(10))
                .build(),
        )
        .build()
}

fn backend_at(endpoint: &str, profile: Option<&str>) -> AwsBackend {
    let c = test_config(endpoint);
    AwsBackend::from_clients(
        AwsClients {
            ec2: aws_sdk_ec2::Client::new(&c),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&c),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&c),
            health: aws_sdk_health::Client::new(&c),
            health_failover: aws_sdk_health::Client::new(&c),
            logs: aws_sdk_cloudwatchlogs::Client::new(&c),
            arc: aws_sdk_arczonalshift::Client::new(&c),
            athena: aws_sdk_athena::Client::new(&c),
        },
        Identity {
            region: Some("us-east-1".into()),
            profile: profile.map(str::to_string),
        },
    )
}

fn new_app(wanted: &str, mode: Mode, now: DateTime<Utc>) -> App {
    App::new(
        mode,
        Keymap::defaults(),
        vec![wanted.to_string()],
        Duration::seconds(30),
        now,
    )
}

fn screen(app: &App) -> String {
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, app);
    grayscope::ui::export::to_text(&buf)
}

/// The inside of pane `i` (0-based) as drawn at 160x48, rows joined.
fn pane_text(app: &App, i: usize) -> String {
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    grayscope::ui::render(area, &mut buf, app);
    let r = grayscope::ui::layout(area, app.panes.len()).panes[i];
    let mut out = String::new();
    for y in r.top() + 1..r.bottom().saturating_sub(1) {
        for x in r.left() + 1..r.right().saturating_sub(1) {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The screen, whitespace squeezed (long lines wrap).
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect()
}

fn shows(screen: &str, want: &str) -> bool {
    squeezed(screen).contains(&squeezed(want))
}

/// An ALB across three zones with one instance target in each, in moto.
async fn seed_lb() -> String {
    let seeder = Moto::direct();
    let vpc_id = seeder.create_vpc("10.44.0.0/16").await;
    let mut subnets = Vec::new();
    let mut instances = Vec::new();
    for (z, zone) in ZONES.iter().enumerate() {
        let subnet = seeder
            .create_subnet(&vpc_id, format!("10.44.{z}.0/24"), zone)
            .await;
        for i in seeder.run_instances(&subnet, 1).await {
            instances.push(i.instance_id().expect("instance id").to_string());
        }
        subnets.push(subnet);
    }
    let lb_name = unique("gs-chaos");
    let lb_arn = seeder.create_alb(&lb_name, None, subnets).await;
    let group = seeder
        .create_target_group(
            &unique("gs-chaos-tg"),
            80,
            &vpc_id,
            TargetTypeEnum::Instance,
        )
        .await;
    seeder.forward(&lb_arn, 80, &group).await;
    seeder
        .register_targets(&group, instances.iter(), 80, "seed: RegisterTargets")
        .await;
    lb_name
}

// ---------------------------------------------------------------------------------------
// AZ pane (ELBv2 + EC2 + CloudWatch) and the bands pane (CloudWatch), on moto

/// One fault on DescribeTargetHealth (AZ pane) and GetMetricData (AZ metrics and the
/// bands pane) at once, after a good first load.
async fn az_and_bands_keep_their_data(fault: Fault) {
    let lb = seed_lb().await;
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = Arc::new(backend_at(&bridge.url, None));
    let services = Services::from_backend(backend);
    let t0 = Utc::now();
    let mut d = Driver::start(new_app(&lb, Mode::Live, t0), services, t0).await;
    // The good first load is the precondition, not what is tested: on a loaded machine
    // one GetMetricData through the CBOR bridge can outlast the 4 s attempt timeout, so
    // load again (at most twice) before any fault is planned.
    for i in 1..=2 {
        let az = d.app.pane::<AzPane>().expect("AZ pane");
        let bands = d.app.pane::<BandsPane>().expect("bands pane");
        if az.health.error.is_none() && az.metrics.error.is_none() && bands.chart.error.is_none() {
            break;
        }
        d.send(Msg::Action(Action::Refresh), t0 + Duration::seconds(i))
            .await;
    }
    {
        let az = d.app.pane::<AzPane>().expect("AZ pane");
        assert!(
            az.health.get().is_some() && az.health.error.is_none(),
            "{:?}",
            az.health.error
        );
        assert!(az.metrics.get().is_some(), "{:?}", az.metrics.error);
        let bands = d.app.pane::<BandsPane>().expect("bands pane");
        assert!(bands.chart.get().is_some(), "{:?}", bands.chart.error);
    }

    for op in [
        "DescribeTargetHealth",
        "GetMetricData",
        "DescribeAvailabilityZones",
    ] {
        bridge.faults().next(MANY, op, fault.clone());
    }
    let t1 = t0 + Duration::minutes(2);
    d.send(Msg::Action(Action::Refresh), t1).await;
    assert!(!d.app.quit, "a fault never ends the session");

    let az = d.app.pane::<AzPane>().expect("AZ pane");
    let (err, _) = az.health.error.as_ref().expect("target health failed");
    check_kind(&fault, err, "DescribeTargetHealth");
    assert!(
        az.health.get().is_some_and(|g| !g.is_empty()),
        "last targets kept"
    );
    assert_eq!(az.health.at, Some(t0), "their age is the first load's");
    let (err, _) = az.metrics.error.as_ref().expect("metrics failed");
    check_kind(&fault, err, "GetMetricData");
    assert!(az.metrics.get().is_some(), "last metrics kept");
    // EC2: the zones (names and IDs) every pane uses, kept with their age.
    let zones = &d.app.shared.zones;
    let (err, _) = zones.error.as_ref().expect("zones failed");
    check_kind(&fault, err, "DescribeAvailabilityZones");
    assert!(zones.get().is_some_and(|z| z.len() >= 3) && zones.at == Some(t0));
    let bands = d.app.pane::<BandsPane>().expect("bands pane");
    let (err, _) = bands.chart.error.as_ref().expect("band chart failed");
    check_kind(&fault, err, "GetMetricData");
    assert!(bands.chart.get().is_some(), "last chart kept");

    let s = pane_text(&d.app, 0);
    assert!(
        shows(
            &s,
            "⚠ targets failed <1m ago, showing data from 2m ago: DescribeTargetHealth:"
        ),
        "{s}"
    );
    assert!(
        shows(
            &s,
            "⚠ metrics failed <1m ago, showing data from 2m ago: GetMetricData:"
        ),
        "{s}"
    );
    let s = pane_text(&d.app, 1);
    assert!(
        shows(&s, "⚠ failed <1m ago, showing data from 2m ago: Get"),
        "bands: {s}"
    );
    assert!(
        bridge.faults().injected().len() >= 2,
        "{:?}",
        bridge.faults().injected()
    );

    report("AZ + bands", &fault, &bridge);
    // The fault clears: the next refresh recovers without a restart.
    bridge.faults().clear();
    let t2 = t1 + Duration::minutes(1);
    d.send(Msg::Action(Action::Refresh), t2).await;
    let az = d.app.pane::<AzPane>().expect("AZ pane");
    assert!(
        az.health.error.is_none() && az.health.at == Some(t2),
        "{:?}",
        az.health.error
    );
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_throttling() {
    az_and_bands_keep_their_data(Fault::Throttle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_http_429() {
    az_and_bands_keep_their_data(Fault::TooManyRequests).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_http_503() {
    az_and_bands_keep_their_data(Fault::ServerError(503)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_slow_reply() {
    az_and_bands_keep_their_data(Fault::Slow(SLOW)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_reset_connection() {
    az_and_bands_keep_their_data(Fault::Reset).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_az_and_bands_truncated_body() {
    az_and_bands_keep_their_data(Fault::Truncate).await;
}

// ---------------------------------------------------------------------------------------
// AWS Health pane: recorded replies (moto has no Health) through the CBOR bridge

fn health_now() -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
        .single()
        .expect("time")
}

fn health_replies(op: &str, req: &Json) -> (u16, Json) {
    let arns = |v: &Json| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let closed = req["filter"]["eventStatusCodes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s == "closed"));
    match op {
        "DescribeEvents" if closed => (200, fixture("health/describe_events_closed.json")),
        "DescribeEvents" if req["nextToken"].is_string() => {
            (200, fixture("health/describe_events_open_page2.json"))
        }
        "DescribeEvents" => (200, fixture("health/describe_events_open_page1.json")),
        "DescribeEventDetails" => {
            let asked = arns(&req["eventArns"]);
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
            let asked = arns(&req["filter"]["eventArns"]);
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

async fn health_keeps_its_events(fault: Fault) {
    let rec = recorded::start(health_replies);
    let bridge = bridge::start(&rec.url);
    let t0 = health_now();
    let clock = Clock::Frozen(t0);
    let mut services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
    services.health = Arc::new(backend_at(&bridge.url, None));
    let mut d = Driver::start(new_app("shop-frontend", Mode::Demo, t0), services, t0).await;
    let before = d.app.pane::<HealthPane>().expect("pane").shown.len();
    assert!(before > 0, "events shown before the fault");

    bridge.faults().next(MANY, "DescribeEvents", fault.clone());
    let t1 = t0 + Duration::minutes(2);
    d.send(Msg::Action(Action::Refresh), t1).await;
    assert!(!d.app.quit);
    let pane = d.app.pane::<HealthPane>().expect("pane");
    let (err, _) = pane.events.error.as_ref().expect("the refresh failed");
    check_kind(&fault, err, "DescribeEvents");
    assert_eq!(pane.shown.len(), before, "the events stay on screen");
    assert_eq!(pane.events.at, Some(t0));
    let s = pane_text(&d.app, 3);
    assert!(
        shows(
            &s,
            "⚠ failed <1m ago, showing events from 2m ago: DescribeEvents:"
        ),
        "{s}"
    );
    report("AWS Health", &fault, &bridge);
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_health_every_fault() {
    for fault in all_faults() {
        health_keeps_its_events(fault).await;
    }
}

// ---------------------------------------------------------------------------------------
// Flow-log pane: counts from a first query, then the Logs API at the wire faults

/// The demo's flow logs, subnets and interfaces; its queries too until `live` is set,
/// then the real Logs client through the bridge (where the faults are).
struct FlowSwitch {
    demo: DemoBackend,
    live: AwsBackend,
    on: AtomicBool,
}

#[async_trait]
impl FlowLogs for FlowSwitch {
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError> {
        self.demo.flow_logs().await
    }
    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        if self.on.load(Ordering::SeqCst) {
            self.live.start_query(request).await
        } else {
            self.demo.start_query(request).await
        }
    }
    async fn query_results(&self, query_id: &str) -> Result<QueryPage, BackendError> {
        if self.on.load(Ordering::SeqCst) {
            self.live.query_results(query_id).await
        } else {
            self.demo.query_results(query_id).await
        }
    }
    async fn stop_query(&self, query_id: &str) -> Result<bool, BackendError> {
        if self.on.load(Ordering::SeqCst) {
            self.live.stop_query(query_id).await
        } else {
            self.demo.stop_query(query_id).await
        }
    }
    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError> {
        self.demo.saved_queries().await
    }
    async fn subnets(&self, vpc_ids: &[String]) -> Result<Vec<SubnetInfo>, BackendError> {
        self.demo.subnets(vpc_ids).await
    }
    async fn interfaces(&self, addresses: &[String]) -> Result<Vec<InterfaceInfo>, BackendError> {
        self.demo.interfaces(addresses).await
    }
    fn poll_every(&self) -> StdDuration {
        StdDuration::from_millis(50)
    }
}

fn logs_replies(op: &str, _req: &Json) -> (u16, Json) {
    match op {
        "StartQuery" => (200, json!({"queryId": "chaos-query"})),
        "GetQueryResults" => (
            200,
            json!({"status": "Complete", "results": [], "statistics": {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0}}),
        ),
        "StopQuery" => (200, json!({"success": true})),
        other => (
            400,
            json!({"__type": "InvalidParameterException", "message": other}),
        ),
    }
}

async fn flow_logs_keep_their_counts(fault: Fault) {
    let rec = recorded::start(logs_replies);
    let bridge = bridge::start(&rec.url);
    let t0 = Utc::now();
    let clock = Clock::Frozen(t0);
    let switch = Arc::new(FlowSwitch {
        demo: DemoBackend::new(clock, 9),
        live: backend_at(&bridge.url, None),
        on: AtomicBool::new(false),
    });
    let mut services = Services::from_backend(Arc::new(DemoBackend::new(clock, 9)));
    services.flowlogs = switch.clone();
    let mut d = Driver::start(new_app("shop-frontend", Mode::Demo, t0), services, t0).await;
    let rows = d.app.pane::<FlowLogsPane>().expect("pane").merged.clone();
    assert!(!rows.is_empty(), "REJECTs counted before the fault");

    switch.on.store(true, Ordering::SeqCst);
    bridge.faults().next(MANY, "StartQuery", fault.clone());
    let t1 = t0 + Duration::minutes(2);
    d.send(Msg::Action(Action::Refresh), t1).await;
    assert!(!d.app.quit);
    let pane = d.app.pane::<FlowLogsPane>().expect("pane");
    let (err, _) = pane.error.as_ref().expect("the query failed");
    check_kind(&fault, err, "StartQuery");
    assert_eq!(pane.merged, rows, "the counts stay");
    let s = pane_text(&d.app, 2);
    // One line, cut at the pane's edge: the age and what is kept come first.
    assert!(
        shows(&s, "⚠ query failed <1m ago, counts from 2m ago kept: St"),
        "{s}"
    );
    report("flow logs", &fault, &bridge);
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_flow_logs_every_fault() {
    for fault in all_faults() {
        flow_logs_keep_their_counts(fault).await;
    }
}

// ---------------------------------------------------------------------------------------
// Reachability (EC2): each fault on the calls the drill-down makes is a classified error

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_chaos_reachability_calls_every_fault() {
    let bridge = bridge::start(&support::moto_endpoint());
    for fault in all_faults() {
        // A fresh client per fault: the EC2 pacer's back-off is not carried over.
        let backend = backend_at(&bridge.url, None);
        for op in ["DescribeNetworkInterfaces", "DescribeNetworkInsightsPaths"] {
            bridge.faults().next(MANY, op, fault.clone());
        }
        let err = backend
            .interface("10.44.0.10")
            .await
            .expect_err("DescribeNetworkInterfaces faulted");
        check_kind(&fault, &err, "DescribeNetworkInterfaces");
        let spec = grayscope::model::reach::PathSpec {
            source: "eni-0123456789abcdef0".into(),
            destination: "eni-0fedcba9876543210".into(),
            protocol: "tcp".into(),
            port: Some(5432),
        };
        let err = backend
            .find_path(&spec)
            .await
            .expect_err("DescribeNetworkInsightsPaths faulted");
        check_kind(&fault, &err, "DescribeNetworkInsightsPaths");
        report("Reachability", &fault, &bridge);
        bridge.faults().clear();
    }
}

// ---------------------------------------------------------------------------------------
// Back-off: throttling spaces the calls out, at the wire

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_throttling_slows_the_client_instead_of_hammering() {
    use grayscope::backend::Targets;
    let lb = seed_lb().await;
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = backend_at(&bridge.url, None);
    let lbs = backend
        .load_balancers(&[lb])
        .await
        .expect("load balancer")
        .data;
    // Unthrottled: five calls back to back, no wait between them.
    let start = Instant::now();
    for _ in 0..5 {
        backend.target_health(&lbs).await.expect("health");
    }
    let calm = start.elapsed();
    assert_eq!(bridge.faults().count("DescribeTargetHealth"), 5);

    // Throttled: one call is tried MAX_TRIES times, each after a longer wait.
    bridge
        .faults()
        .next(MANY, "DescribeTargetHealth", Fault::Throttle);
    let r = backend.target_health(&lbs).await;
    let arrivals = bridge.faults().arrivals("DescribeTargetHealth");
    let throttled = &arrivals[5..];
    assert_eq!(
        throttled.len(),
        grayscope::backend::aws::pace::MAX_TRIES as usize,
        "a throttled call is retried a bounded number of times"
    );
    let gaps: Vec<u128> = throttled
        .windows(2)
        .map(|w| w[1].duration_since(w[0]).as_millis())
        .collect();
    // 200 ms, then 400, then 800: doubling (timer slack allowed below, never above).
    for (gap, want) in gaps.iter().zip([200u128, 400, 800]) {
        assert!(
            *gap >= want * 9 / 10,
            "gaps {gaps:?}: the client did not back off"
        );
    }
    let problems = match r {
        Ok(p) => p.problems,
        Err(e) => vec![e],
    };
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, BackendError::Throttled { .. })),
        "{problems:?}"
    );

    // After throttling the service stays slowed: the next call waits before it goes out.
    bridge.faults().clear();
    let last = *arrivals.last().expect("arrivals");
    backend.target_health(&lbs).await.expect("health again");
    let next = *bridge
        .faults()
        .arrivals("DescribeTargetHealth")
        .last()
        .expect("arrived");
    let wait = next.duration_since(last).as_millis();
    assert!(
        wait >= 1_400,
        "waited {wait} ms after the fourth throttle (1600 ms planned)"
    );
    // Request rates, for the report only (a loaded machine changes them; the gaps
    // above are lower bounds the pacer guarantees).
    let throttled_span = throttled[throttled.len() - 1].duration_since(throttled[0]);
    let calm_rate = 5.0 / calm.as_secs_f64().max(0.001);
    let throttled_rate = (throttled.len() - 1) as f64 / throttled_span.as_secs_f64();
    assert!(throttled_rate < 3.0, "throttled {throttled_rate:.1}/s");
    eprintln!(
        "back-off: calm {calm_rate:.1} req/s; throttled {throttled_rate:.2} req/s, gaps {gaps:?} ms, then {wait} ms"
    );
}

// ---------------------------------------------------------------------------------------
// Credentials and permissions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_expired_credentials_banner_names_the_login_and_r_reconnects() {
    let lb = seed_lb().await;
    let bridge = bridge::start(&support::moto_endpoint());
    let services = Services::from_backend(Arc::new(backend_at(&bridge.url, Some("oncall"))));
    let t0 = Utc::now();
    let mut d = Driver::start(new_app(&lb, Mode::Live, t0), services, t0).await;
    assert!(d.app.expired_credentials().is_none());

    bridge
        .faults()
        .next(MANY, "DescribeTargetHealth", Fault::expired());
    let t1 = t0 + Duration::minutes(1);
    d.send(Msg::Action(Action::Refresh), t1).await;
    let hint = d.app.expired_credentials().expect("banner");
    assert!(hint.contains("aws sso login --profile oncall"), "{hint}");
    let s = screen(&d.app);
    let last = s.lines().last().unwrap_or_default().to_string();
    assert!(last.contains("credentials expired"), "{last}");
    assert!(last.contains("aws sso login --profile oncall"), "{last}");
    assert!(last.contains("R reconnect"), "{last}");
    // The targets stay on screen meanwhile.
    assert!(d.app.pane::<AzPane>().expect("pane").health.get().is_some());

    // `R`: the app asks to reconnect with the same profile and region.
    d.send(
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('R'),
            crossterm::event::KeyModifiers::SHIFT,
        )),
        t1,
    )
    .await;
    match d.unhandled.as_slice() {
        [grayscope::jobs::Effect::Reconnect { profile, region }] => {
            assert_eq!(profile.as_deref(), Some("oncall"));
            assert_eq!(region.as_deref(), Some("us-east-1"));
        }
        other => panic!("expected one Reconnect, got {other:?}"),
    }
    // Fresh credentials (the fault gone): the terminal loop builds new services.
    bridge.faults().clear();
    let fresh = Services::from_backend(Arc::new(backend_at(&bridge.url, Some("oncall"))));
    let t2 = t1 + Duration::seconds(10);
    d.reconnect(fresh, t2).await;
    assert!(d.app.expired_credentials().is_none(), "banner gone");
    let az = d.app.pane::<AzPane>().expect("pane");
    assert!(az.health.error.is_none() && az.health.at == Some(t2));
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_access_denied_names_the_iam_action_and_the_rest_carries_on() {
    let lb = seed_lb().await;
    let bridge = bridge::start(&support::moto_endpoint());
    let services = Services::from_backend(Arc::new(backend_at(&bridge.url, None)));
    let t0 = Utc::now();
    bridge.faults().next(MANY, "GetMetricData", Fault::denied());
    let mut d = Driver::start(new_app(&lb, Mode::Live, t0), services, t0).await;
    let az = d.app.pane::<AzPane>().expect("pane");
    let (err, _) = az.metrics.error.as_ref().expect("metrics denied");
    assert!(matches!(err, BackendError::AccessDenied { .. }), "{err:?}");
    assert!(
        err.to_string().contains("cloudwatch:GetMetricData"),
        "{err}"
    );
    assert!(
        az.health.error.is_none() && az.health.get().is_some(),
        "targets carry on"
    );
    let s = screen(&d.app);
    assert!(shows(&s, "cloudwatch:GetMetricData"), "{s}");
    assert!(d.app.expired_credentials().is_none());
    d.shutdown().await;
}
