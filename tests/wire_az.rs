//! Wire tests for the AZ pane: the live backend, built the way the product builds it
//! (`AwsBackend::new` resolving the standard SDK configuration from the environment),
//! talks HTTP to moto through the bridge (`support::bridge`), and what comes back is
//! checked field by field, down to the verdict and the rendered screen.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_az`. Without `MOTO_ENDPOINT`
//! every test fails (never skips).
//!
//! moto is shared by every test of the run and tests run in parallel, so nothing here
//! resets it: each test seeds its own VPC, load balancer and target groups under a
//! unique name, and CloudWatch data under that load balancer's own dimension.
//!
//! The seeded incident is a gray failure: moto reports every target healthy, and
//! us-east-1b is bad by its metrics only (5xx ~8 % and 4x the latency in the last
//! minutes), or by its 5xx alone while its siblings publish no 5xx datapoints at all,
//! as ELB does for a count that is zero. Both target groups turn cross-zone load
//! balancing off, so the per-AZ metrics are per-zone evidence.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use aws_sdk_cloudwatch::primitives::DateTime as CwTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerSchemeEnum, TargetTypeEnum};
use chrono::{Duration, DurationRound, Utc};
use clap::Parser;
use grayscope::Cli;
use grayscope::backend::aws::{AwsBackend, AwsSettings, cloudwatch};
use grayscope::backend::{Account, Metrics, Targets};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::metrics::{Window, ZoneMetric};
use grayscope::model::summary::summarize;
use grayscope::model::targets::{TargetState, ZoneSource};
use grayscope::model::verdict::{Level, VerdictParams};
use grayscope::model::zones::{CrossZone, LbKind, ZoneMap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use support::bridge::{self, Bridge};
use support::seed::{Moto, unique};

// ---------------------------------------------------------------------------------------
// The product's view of the world: one bridge, and the environment pointing at it

/// The bridge every backend of this test binary talks to. The first call starts it and
/// sets the standard SDK environment variables to it, before any SDK client of this
/// process loads its configuration; every test calls it first.
fn product_bridge() -> &'static Bridge {
    static BRIDGE: OnceLock<Bridge> = OnceLock::new();
    BRIDGE.get_or_init(|| {
        let bridge = bridge::start(&support::moto_endpoint());
        // Only this process's environment, and only once: nothing else in this binary
        // reads the environment before the OnceLock is initialised.
        let inherited: Vec<String> = std::env::vars()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("AWS_"))
            .collect();
        let settings = [
            ("AWS_ENDPOINT_URL", bridge.url.as_str()),
            ("AWS_ACCESS_KEY_ID", "AKIDGRAYSCOPEWIREAZ"),
            ("AWS_SECRET_ACCESS_KEY", "grayscope-wire-az-secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ];
        // SAFETY: set once, inside the OnceLock initialiser that every test runs before
        // anything else, so no other thread of this binary reads the environment now.
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

/// The operations the AZ pane may send: all reads.
const PRODUCT_OPERATIONS: [(&str, &str); 8] = [
    ("elasticloadbalancing", "DescribeLoadBalancers"),
    ("elasticloadbalancing", "DescribeTargetGroups"),
    ("elasticloadbalancing", "DescribeTargetHealth"),
    ("elasticloadbalancing", "DescribeTargetGroupAttributes"),
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeSubnets"),
    ("ec2", "DescribeAvailabilityZones"),
    ("monitoring", "GetMetricData"),
];

/// Reads the other registered panes send through the same bridge (pane 2, anomaly
/// bands: moto does not implement DescribeAnomalyDetectors and answers HTTP 500, which
/// that pane shows as its error; its GetMetricData is listed above).
const OTHER_PANES_READS: [(&str, &str); 1] = [("monitoring", "DescribeAnomalyDetectors")];
/// Reads the flow-log pane (registered beside the AZ pane) may send from the headless
/// app; moto answers DescribeQueryDefinitions with HTTP 500 (not implemented).
const FLOW_LOG_PANE_OPERATIONS: [(&str, &str); 7] = [
    ("ec2", "DescribeFlowLogs"),
    ("ec2", "DescribeNetworkInterfaces"),
    ("logs", "DescribeQueryDefinitions"),
    ("logs", "StartQuery"),
    ("logs", "GetQueryResults"),
    ("logs", "StopQuery"),
    ("ec2", "DescribeSubnets"),
];

/// Every operation the AZ pane needs went through the bridge and was answered 200.
fn assert_product_operations_seen(ops: &[bridge::Op]) {
    for (service, operation) in PRODUCT_OPERATIONS {
        assert!(
            ops.iter()
                .any(|o| o.service == service && o.operation == operation && o.status == 200),
            "{service} {operation} not seen through the bridge: {ops:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Seeding moto

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// Index in [`ZONES`] of the zone that goes bad.
const BAD_ZONE: usize = 1;
/// Instance and IP targets per zone: distinct, so a count in the wrong zone shows.
const INSTANCES_PER_ZONE: [usize; 3] = [2, 3, 1];
const IPS_PER_ZONE: [usize; 3] = [1, 2, 2];
/// Length of the metrics window, in minutes.
const MINUTES: usize = 30;
/// From this minute of the window on, the bad zone is bad.
const BAD_FROM: usize = 22;

/// What goes wrong in the bad zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Incident {
    /// 5xx and latency up; every zone publishes every metric in every minute.
    FiveXxAndLatency,
    /// 5xx up, latency normal; the other zones publish no 5xx, ELB 5xx or connection
    /// error datapoints at all (zero counts are left out, as ELB does).
    FiveXxOnly,
}

/// The seeded value of `metric` in zone `z` at minute `m` of the window (minute
/// `MINUTES` is the minute after the window, seeded so that a later window still has
/// its last minute); `None`: no datapoint. Request counts differ per zone and minute,
/// so a value in the wrong place shows.
fn seeded(incident: Incident, metric: ZoneMetric, z: usize, m: usize) -> Option<f64> {
    let bad = z == BAD_ZONE && m >= BAD_FROM;
    if incident == Incident::FiveXxOnly {
        return match metric {
            ZoneMetric::Requests => Some(1000.0 + 100.0 * z as f64 + m as f64),
            ZoneMetric::Target5xx if bad => Some(85.0),
            ZoneMetric::ResponseTime => Some(0.12),
            _ => None,
        };
    }
    Some(match metric {
        ZoneMetric::Requests => 1000.0 + 100.0 * z as f64 + m as f64,
        ZoneMetric::Target5xx if bad => 85.0,
        ZoneMetric::Target5xx => 2.0 + z as f64,
        ZoneMetric::Elb5xx if bad => 5.0,
        ZoneMetric::Elb5xx => 1.0,
        ZoneMetric::ResponseTime if bad => 0.48,
        ZoneMetric::ResponseTime => 0.12,
        ZoneMetric::ConnectionErrors if bad => 3.0,
        ZoneMetric::ConnectionErrors => 0.0,
        // An ALB has no NLB metrics; nothing seeds them.
        ZoneMetric::NewFlows | ZoneMetric::TargetResets | ZoneMetric::ElbResets => return None,
    })
}

/// What a test seeded, to compare the backend's answers with.
struct Seeded {
    lb_name: String,
    lb_arn: String,
    vpc_id: String,
    instance_group_arn: String,
    ip_group_arn: String,
    /// Target ID (instance ID or IP) -> the zone it was placed in.
    target_zones: HashMap<String, String>,
    /// The 30 whole minutes ending at the minute the seeding started.
    window: Window,
    /// Zone name -> zone ID, as moto's DescribeAvailabilityZones says (ground truth).
    zone_ids: HashMap<String, String>,
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

/// A VPC with a subnet in each of [`ZONES`], instances in each subnet, an internal ALB
/// across the subnets, an instance and an IP target group behind it (one listener each,
/// cross-zone load balancing off) with targets registered, and per-AZ
/// `AWS/ApplicationELB` metrics of `incident` for the window.
///
/// EC2 and ELBv2 are seeded straight at moto and CloudWatch through a bridge of the
/// test's own, so the product's bridge only ever sees the product's calls.
async fn seed(incident: Incident) -> Seeded {
    let moto = support::moto_endpoint();
    let seeder = Moto::direct();
    let zone_ids = seeder.zone_ids().await;
    let vpc_id = seeder.create_vpc("10.42.0.0/16").await;

    let mut subnets = Vec::new();
    let mut target_zones = HashMap::new();
    let mut instance_ids = Vec::new();
    let mut ips = Vec::new();
    for (z, zone) in ZONES.iter().enumerate() {
        let subnet = seeder
            .create_subnet(&vpc_id, format!("10.42.{}.0/24", 10 + z), zone)
            .await;
        let count = INSTANCES_PER_ZONE[z] as i32;
        for instance in seeder.run_instances(&subnet, count).await {
            let id = instance
                .instance_id()
                .expect("seed: instance ID")
                .to_string();
            let placed = instance
                .placement()
                .and_then(|p| p.availability_zone())
                .expect("seed: instance placement");
            assert_eq!(placed, *zone, "moto placed {id} outside its subnet's zone");
            target_zones.insert(id.clone(), zone.to_string());
            instance_ids.push(id);
        }
        for k in 0..IPS_PER_ZONE[z] {
            let ip = format!("10.42.{}.{}", 10 + z, 20 + k);
            target_zones.insert(ip.clone(), zone.to_string());
            ips.push(ip);
        }
        subnets.push(subnet);
    }

    let lb_name = unique("gs-az");
    let lb_arn = seeder
        .create_alb(&lb_name, Some(LoadBalancerSchemeEnum::Internal), subnets)
        .await;

    let mut groups = Vec::new();
    for (kind, port) in [(TargetTypeEnum::Instance, 80), (TargetTypeEnum::Ip, 8080)] {
        let name = unique(if kind == TargetTypeEnum::Ip {
            "gs-ip"
        } else {
            "gs-in"
        });
        let arn = seeder.create_target_group(&name, port, &vpc_id, kind).await;
        seeder.forward(&lb_arn, port, &arn).await;
        seeder.set_cross_zone(&arn, "false").await;
        groups.push(arn);
    }
    let (instance_group_arn, ip_group_arn) = (groups[0].clone(), groups[1].clone());
    seeder
        .register_targets(
            &instance_group_arn,
            &instance_ids,
            80,
            "seed: RegisterTargets (instances)",
        )
        .await;
    seeder
        .register_targets(&ip_group_arn, &ips, 8080, "seed: RegisterTargets (IPs)")
        .await;

    // Metrics: the window's 30 minutes plus the minute after it, with the dimensions in
    // the order the backend queries them (moto matches them in order, unlike AWS).
    let now = Utc::now();
    let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    let window = Window {
        start: end - Duration::minutes(MINUTES as i64),
        minutes: MINUTES,
    };
    let dimension = lb_arn
        .split_once(":loadbalancer/")
        .map(|(_, tail)| tail.to_string())
        .expect("seed: LB ARN has a loadbalancer/ part");
    let group_dimension = instance_group_arn
        .rsplit_once(':')
        .map(|(_, tail)| tail.to_string())
        .expect("seed: target group ARN has a resource part");
    let seed_bridge = bridge::start(&moto);
    let cw = aws_sdk_cloudwatch::Client::new(&support::sdk_config(&seed_bridge.url));
    for (z, zone) in ZONES.iter().enumerate() {
        let mut put = cw.put_metric_data().namespace("AWS/ApplicationELB");
        for m in 0..=MINUTES {
            let at = CwTime::from_secs((window.start + Duration::minutes(m as i64)).timestamp());
            for metric in ZoneMetric::APPLICATION {
                let Some(value) = seeded(incident, metric, z, m) else {
                    continue;
                };
                let unit = if metric == ZoneMetric::ResponseTime {
                    StandardUnit::Seconds
                } else {
                    StandardUnit::Count
                };
                put = put.metric_data(
                    MetricDatum::builder()
                        .metric_name(cloudwatch::metric_name(metric))
                        .dimensions(dim("LoadBalancer", &dimension))
                        .dimensions(dim("AvailabilityZone", zone))
                        .timestamp(at)
                        .value(value)
                        .unit(unit.clone())
                        .build(),
                );
                // The per-target-group variant real ALBs publish too, with values the
                // per-AZ answer must never show.
                put = put.metric_data(
                    MetricDatum::builder()
                        .metric_name(cloudwatch::metric_name(metric))
                        .dimensions(dim("TargetGroup", &group_dimension))
                        .dimensions(dim("AvailabilityZone", zone))
                        .dimensions(dim("LoadBalancer", &dimension))
                        .timestamp(at)
                        .value(987_654.0)
                        .unit(unit)
                        .build(),
                );
            }
        }
        put.send().await.expect("seed: PutMetricData");
    }

    Seeded {
        lb_name,
        lb_arn,
        vpc_id,
        instance_group_arn,
        ip_group_arn,
        target_zones,
        window,
        zone_ids,
    }
}

// ---------------------------------------------------------------------------------------
// Reading the screen

/// The rows of `rect` inside its border, each trimmed at the end.
fn pane_rows(buf: &Buffer, rect: Rect) -> Vec<String> {
    (rect.top() + 1..rect.bottom().saturating_sub(1))
        .map(|y| {
            (rect.left() + 1..rect.right().saturating_sub(1))
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_live_backend_resolves_zones_targets_and_metrics_and_flags_the_gray_zone() {
    let bridge = product_bridge();
    let s = seed(Incident::FiveXxAndLatency).await;
    // Exactly as the product builds it: settings from the command line (none here),
    // everything else from the standard SDK configuration in the environment.
    let backend = AwsBackend::new(AwsSettings {
        profile: None,
        region: None,
    });

    let identity = backend.identity().await.expect("identity");
    assert_eq!(identity.region.as_deref(), Some("us-east-1"));
    assert_eq!(identity.profile, None);

    // Load balancers, by name and all of them.
    let lbs = backend
        .load_balancers(std::slice::from_ref(&s.lb_name))
        .await
        .expect("load_balancers(name)")
        .data;
    assert_eq!(lbs.len(), 1, "{lbs:?}");
    let lb = &lbs[0];
    assert_eq!(lb.arn, s.lb_arn);
    assert_eq!(lb.name, s.lb_name);
    assert_eq!(lb.kind, LbKind::Application);
    assert_eq!(lb.scheme, "internal");
    assert_eq!(lb.state, "active");
    assert_eq!(lb.vpc_id.as_deref(), Some(s.vpc_id.as_str()));
    let zone_names: BTreeSet<&str> = lb.zone_names.iter().map(String::as_str).collect();
    assert_eq!(zone_names, ZONES.into_iter().collect::<BTreeSet<_>>());
    let dimension = lb.metric_dimension().expect("metric dimension");
    let id = s.lb_arn.rsplit('/').next().expect("LB id");
    assert_eq!(dimension, format!("app/{}/{id}", s.lb_name));
    assert_eq!(lb.account_id(), Some("123456789012"));

    let all = backend
        .load_balancers(&[])
        .await
        .expect("load_balancers(all)")
        .data;
    let found: Vec<_> = all.iter().filter(|l| l.arn == s.lb_arn).collect();
    assert_eq!(
        found,
        vec![lb],
        "listing everything finds it once, the same"
    );

    // Zones: names and IDs as EC2 has them.
    let zones = backend.zones().await.expect("zones");
    assert!(zones.len() >= ZONES.len(), "{zones:?}");
    for zone in &zones {
        assert_eq!(
            s.zone_ids.get(&zone.name),
            Some(&zone.id),
            "zone {zone:?} vs DescribeAvailabilityZones"
        );
        assert_eq!(zone.state, "available");
    }
    let zone_map = ZoneMap::new(zones.clone());
    let ids: BTreeSet<String> = ZONES.iter().map(|z| zone_map.id_for(z)).collect();
    assert_eq!(ids.len(), 3, "three distinct zone IDs: {ids:?}");
    assert!(
        ids.iter().all(|id| id.starts_with("use1-az")),
        "IDs, not names: {ids:?}"
    );

    // Target health: both groups, every target, every zone resolved the right way.
    let health = backend
        .target_health(&lbs)
        .await
        .expect("target_health")
        .data;
    let arns: BTreeSet<&str> = health.iter().map(|g| g.group.arn.as_str()).collect();
    assert_eq!(
        arns,
        BTreeSet::from([s.instance_group_arn.as_str(), s.ip_group_arn.as_str()])
    );
    let mut per_zone: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for g in &health {
        assert_eq!(g.group.vpc_id.as_deref(), Some(s.vpc_id.as_str()));
        assert_eq!(g.group.load_balancer_arns, vec![s.lb_arn.clone()]);
        assert_eq!(g.group.cross_zone, CrossZone::Off, "read from the group");
        let (want_type, want_source) = if g.group.arn == s.instance_group_arn {
            ("instance", ZoneSource::Instance)
        } else {
            ("ip", ZoneSource::Subnet)
        };
        assert_eq!(g.group.target_type, want_type);
        for t in &g.targets {
            let want_zone = s
                .target_zones
                .get(&t.id)
                .unwrap_or_else(|| panic!("unexpected target {t:?}"));
            assert_eq!(t.zone_name.as_deref(), Some(want_zone.as_str()), "{t:?}");
            assert_eq!(t.zone_source, want_source, "{t:?}");
            assert_eq!(t.state, TargetState::Healthy, "{t:?}");
            assert!(!t.anomalous, "{t:?}");
            let entry = per_zone.entry(want_zone.as_str()).or_default();
            if want_type == "instance" {
                entry.0 += 1;
                assert_eq!(t.port, Some(80));
            } else {
                entry.1 += 1;
                assert_eq!(t.port, Some(8080));
            }
        }
    }
    let want: BTreeMap<&str, (usize, usize)> = ZONES
        .iter()
        .enumerate()
        .map(|(z, name)| (*name, (INSTANCES_PER_ZONE[z], IPS_PER_ZONE[z])))
        .collect();
    assert_eq!(per_zone, want, "(instance, IP) targets per zone");
    let targets: usize = health.iter().map(|g| g.targets.len()).sum();
    assert_eq!(targets, s.target_zones.len(), "no target lost");

    // Metrics: every value on its zone and minute; nothing from other dimensions.
    let metrics = backend
        .zone_metrics(lb, s.window)
        .await
        .expect("zone_metrics");
    assert_eq!(metrics.window, s.window);
    assert!(metrics.issues.is_empty(), "{:?}", metrics.issues);
    assert_eq!(
        metrics
            .by_zone
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ZONES.to_vec()
    );
    for (z, zone) in ZONES.iter().enumerate() {
        for metric in ZoneMetric::APPLICATION {
            let series = metrics
                .series(zone, metric)
                .unwrap_or_else(|| panic!("no {metric:?} series for {zone}"));
            assert_eq!(series.len(), MINUTES);
            for (m, value) in series.iter().enumerate() {
                let got = value.unwrap_or_else(|| panic!("{zone} {metric:?} minute {m} missing"));
                let want =
                    seeded(Incident::FiveXxAndLatency, metric, z, m).expect("every metric seeded");
                assert!(
                    (got - want).abs() < 1e-9,
                    "{zone} {metric:?} minute {m}: got {got}, seeded {want}"
                );
            }
        }
    }

    // The verdict: exactly the seeded zone is DEGRADED, a gray failure, keyed by ID.
    let summaries = summarize(
        &zone_map,
        &lbs,
        &health,
        Some(&metrics),
        &VerdictParams::default(),
    );
    assert_eq!(
        summaries
            .iter()
            .map(|s| s.zone_name.as_str())
            .collect::<Vec<_>>(),
        ZONES.to_vec()
    );
    for (z, summary) in summaries.iter().enumerate() {
        assert_eq!(summary.zone_id, s.zone_ids[ZONES[z]], "{summary:?}");
        assert_eq!(summary.verdict.zone_id, summary.zone_id);
        assert_eq!(summary.zone_state, "available");
        let targets = (INSTANCES_PER_ZONE[z] + IPS_PER_ZONE[z]) as u32;
        assert_eq!(summary.counts.healthy, targets, "{summary:?}");
        assert_eq!(summary.counts.total(), targets, "{summary:?}");
        assert_eq!(
            summary.groups.len(),
            2,
            "both groups in {}",
            summary.zone_name
        );
        let reason = &summary.verdict.reason;
        if z == BAD_ZONE {
            assert_eq!(summary.level(), Level::Degraded, "{reason}");
            assert!(reason.starts_with("gray failure: "), "{reason}");
            assert!(
                reason.contains("5xx 8.0% vs 0.4% in sibling AZs"),
                "{reason}"
            );
            assert!(reason.contains("latency 480ms vs 120ms"), "{reason}");
            assert!(
                reason.contains(&format!("all {targets} targets pass health checks")),
                "{reason}"
            );
            assert_eq!(summary.verdict.outlier_minutes, 5, "{:?}", summary.verdict);
        } else {
            assert_eq!(
                summary.level(),
                Level::Ok,
                "{}: {reason}",
                summary.zone_name
            );
            assert!(
                reason
                    .starts_with("in line with sibling AZs over the last 5 min (per-AZ LB metrics"),
                "{reason}"
            );
            assert_eq!(summary.verdict.outlier_minutes, 0);
        }
        assert_eq!(summary.verdict.judged_minutes, 5);
    }

    // On the wire: every operation the pane needs went over HTTP through the bridge,
    // answered 200, and nothing but those reads was sent (by any test of this binary).
    let ops = bridge.operations();
    assert_product_operations_seen(&ops);
    for op in ops.iter().filter(|op| op.service != "health") {
        // (AWS Health, which the app's Health pane asks, is not in moto: see wire_health.rs.)
        if OTHER_PANES_READS.contains(&(op.service.as_str(), op.operation.as_str()))
            || FLOW_LOG_PANE_OPERATIONS.contains(&(op.service.as_str(), op.operation.as_str()))
        {
            continue;
        }
        assert!(
            PRODUCT_OPERATIONS.contains(&(op.service.as_str(), op.operation.as_str())),
            "unexpected operation {op:?}"
        );
        assert_eq!(op.status, 200, "{op:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_headless_app_shows_the_seeded_zone_degraded_with_its_id() {
    let bridge = product_bridge();
    let s = seed(Incident::FiveXxAndLatency).await;
    let cli = Cli::parse_from(["grayscope", "--load-balancer", s.lb_name.as_str()]);
    let (app, backend, clock) = grayscope::setup(&cli, Keymap::defaults());
    assert_eq!(clock, Clock::System);
    let (width, height) = (120, 40);
    let panes = app.panes.len();
    let buf = grayscope::render_once(app, &backend, clock, width, height).await;
    let text = grayscope::ui::export::to_text(&buf);
    let areas = grayscope::ui::layout(Rect::new(0, 0, width, height), panes);

    let header = text.lines().next().unwrap_or_default();
    for want in [
        "grayscope",
        "LIVE",
        "123456789012",
        "us-east-1",
        "ask first",
    ] {
        assert!(header.contains(want), "header lacks {want:?}:\n{text}");
    }

    let az = pane_rows(&buf, areas.panes[0]);
    let title: String = (areas.panes[0].left()..areas.panes[0].right())
        .map(|x| buf[(x, areas.panes[0].top())].symbol())
        .collect();
    assert!(title.contains(&s.lb_name), "AZ pane title: {title}\n{text}");
    assert!(
        !az.iter().any(|r| r.contains('⚠')),
        "no pane error expected:\n{text}"
    );
    for (z, zone) in ZONES.iter().enumerate() {
        let id = &s.zone_ids[*zone];
        let rows: Vec<&String> = az
            .iter()
            .filter(|r| r.trim_start().starts_with(&format!("{zone} {id} ")))
            .collect();
        assert_eq!(rows.len(), 1, "one row for {zone} ({id}):\n{text}");
        let row = rows[0];
        let want = if z == BAD_ZONE { "DEGRADED" } else { "OK" };
        let verdict = row
            .split_whitespace()
            .nth(2)
            .unwrap_or_else(|| panic!("no verdict in {row:?}"));
        assert_eq!(verdict, want, "{row}\n{text}");
    }
    let degraded = az.iter().filter(|r| r.contains("DEGRADED")).count();
    assert_eq!(degraded, 1, "only the seeded zone is DEGRADED:\n{text}");
    assert!(
        az.iter().any(|r| r.contains("↳ gray failure: ")),
        "the verdict's reason is shown:\n{text}"
    );

    let ops = bridge.operations();
    assert_product_operations_seen(&ops);
}

/// The classic gray failure as CloudWatch reports it: one zone throws 5xx while its
/// siblings publish no 5xx datapoints at all, and latency is the same everywhere. The
/// missing counts are zeros (the siblings had requests), so the zone is DEGRADED on its
/// 5xx alone. With cross-zone load balancing back on, the same numbers no longer say
/// which zone's targets are sick, and the verdict says so instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_siblings_without_5xx_datapoints_leave_the_5xx_zone_degraded() {
    let _bridge = product_bridge();
    let s = seed(Incident::FiveXxOnly).await;
    let backend = AwsBackend::new(AwsSettings {
        profile: None,
        region: None,
    });
    let lbs = backend
        .load_balancers(std::slice::from_ref(&s.lb_name))
        .await
        .expect("load_balancers")
        .data;
    let zone_map = ZoneMap::new(backend.zones().await.expect("zones"));
    let health = backend.target_health(&lbs).await.expect("target_health");
    assert!(health.problems.is_empty(), "{:?}", health.problems);
    assert!(
        health
            .data
            .iter()
            .all(|g| g.group.cross_zone == CrossZone::Off)
    );
    let metrics = backend
        .zone_metrics(&lbs[0], s.window)
        .await
        .expect("zone_metrics");

    // What came over the wire: no 5xx at all for the siblings, requests everywhere.
    for (z, zone) in ZONES.iter().enumerate() {
        let requests = metrics.series(zone, ZoneMetric::Requests).unwrap_or(&[]);
        assert!(requests.iter().all(Option::is_some), "{zone}: {requests:?}");
        let errors = metrics.series(zone, ZoneMetric::Target5xx).unwrap_or(&[]);
        let reported = errors.iter().flatten().count();
        if z == BAD_ZONE {
            assert_eq!(reported, MINUTES - BAD_FROM, "{zone}: {errors:?}");
        } else {
            assert_eq!(reported, 0, "{zone} has no 5xx datapoints: {errors:?}");
        }
    }

    let verdicts = |health: &[grayscope::model::targets::TargetGroupHealth]| {
        summarize(
            &zone_map,
            &lbs,
            health,
            Some(&metrics),
            &VerdictParams::default(),
        )
    };
    let summaries = verdicts(&health.data);
    for (z, summary) in summaries.iter().enumerate() {
        let reason = &summary.verdict.reason;
        if z == BAD_ZONE {
            assert_eq!(summary.level(), Level::Degraded, "{reason}");
            // 425 of 5635 requests in the last 5 minutes, against 0 of the siblings'.
            assert!(
                reason.starts_with(
                    "gray failure: 5xx 7.5% vs 0.0% in sibling AZs over the last 5 min (per-AZ LB metrics, cross-zone off; outlier in 5 of 5 min)"
                ),
                "{reason}"
            );
            assert!(!reason.contains("latency"), "{reason}");
        } else {
            assert_eq!(
                summary.level(),
                Level::Ok,
                "{}: {reason}",
                summary.zone_name
            );
            let zeros = &summary.evidence.errors_5xx;
            assert!(
                zeros.iter().all(|v| *v == Some(0.0)),
                "{}: missing 5xx are zeros: {zeros:?}",
                summary.zone_name
            );
        }
    }

    // Cross-zone back to the load balancer's setting (an ALB's: on).
    let seeder = Moto::direct();
    for arn in [&s.instance_group_arn, &s.ip_group_arn] {
        seeder
            .set_cross_zone(arn, "use_load_balancer_configuration")
            .await;
    }
    // A session reads the setting at most every 5 minutes: a new one reads it now.
    let backend = AwsBackend::new(AwsSettings {
        profile: None,
        region: None,
    });
    let mixed = backend.target_health(&lbs).await.expect("target_health");
    assert!(
        mixed
            .data
            .iter()
            .all(|g| g.group.cross_zone == CrossZone::On)
    );
    let summaries = verdicts(&mixed.data);
    for (z, summary) in summaries.iter().enumerate() {
        let reason = &summary.verdict.reason;
        assert_ne!(summary.level(), Level::Degraded, "{reason}");
        assert_ne!(summary.level(), Level::Ok, "{reason}");
        assert!(reason.contains("cross-zone on"), "{reason}");
        if z == BAD_ZONE {
            assert_eq!(summary.level(), Level::Watching, "{reason}");
        }
    }
}
