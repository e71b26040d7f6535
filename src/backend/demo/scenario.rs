//! The simulated incident, as pure functions of time.
//!
//! One account, one region, AZ names that do not match their IDs. The `shop-frontend`
//! ALB has two target groups across three zones. Traffic follows a daily shape with
//! noise. At the onset, `us-east-1b` (use1-az6) goes gray: latency and 5xx climb while
//! every health check passes. Six minutes later two of its web targets and one api
//! target start failing with `Target.Timeout`. Elsewhere: a deploy drains one target in
//! `us-east-1a`, a new api target is still in initial checks in `us-east-1c`, and one
//! web target in `us-east-1c` fails on its own (a single bad target, not a zone).

use crate::model::metrics::ZoneMetric;
use crate::model::targets::{Target, TargetGroup, TargetState, ZoneSource};
use crate::model::zones::{LbKind, LoadBalancer, Zone};
use chrono::{DateTime, Timelike, Utc};

pub const ACCOUNT: &str = "210987654321";
pub const REGION: &str = "us-east-1";
/// Minutes after the onset when targets in the sick zone start failing checks.
pub const FAILING_AFTER: i64 = 6;
pub const SICK_ZONE: &str = "us-east-1b";
const LB_ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

pub fn zones() -> Vec<Zone> {
    [
        ("us-east-1a", "use1-az4"),
        ("us-east-1b", "use1-az6"),
        ("us-east-1c", "use1-az1"),
        ("us-east-1d", "use1-az2"),
        ("us-east-1e", "use1-az3"),
        ("us-east-1f", "use1-az5"),
    ]
    .into_iter()
    .map(|(name, id)| Zone {
        name: name.into(),
        id: id.into(),
        state: "available".into(),
    })
    .collect()
}

fn arn(resource: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{resource}")
}

pub fn load_balancers() -> Vec<LoadBalancer> {
    vec![
        LoadBalancer {
            arn: arn("loadbalancer/app/shop-frontend/4f2a9c1d7e3b5a60"),
            name: "shop-frontend".into(),
            kind: LbKind::Application,
            scheme: "internet-facing".into(),
            state: "active".into(),
            vpc_id: Some("vpc-0c0ffee5e1ec7ab1e".into()),
            zone_names: LB_ZONES.map(String::from).to_vec(),
        },
        LoadBalancer {
            arn: arn("loadbalancer/app/orders-internal/9b8e7d6c5a4f3e21"),
            name: "orders-internal".into(),
            kind: LbKind::Application,
            scheme: "internal".into(),
            state: "active".into(),
            vpc_id: Some("vpc-0c0ffee5e1ec7ab1e".into()),
            zone_names: LB_ZONES.map(String::from).to_vec(),
        },
    ]
}

/// A target group with the shape of its targets in each zone.
struct GroupSpec {
    name: &'static str,
    id: &'static str,
    lb: &'static str,
    target_type: &'static str,
    port: i32,
    per_zone: usize,
}

const GROUPS: [GroupSpec; 3] = [
    GroupSpec {
        name: "web-tg",
        id: "73e2d6bc24d8a067",
        lb: "shop-frontend",
        target_type: "instance",
        port: 8080,
        per_zone: 3,
    },
    GroupSpec {
        name: "api-tg",
        id: "1f0e2d3c4b5a6978",
        lb: "shop-frontend",
        target_type: "ip",
        port: 9090,
        per_zone: 2,
    },
    GroupSpec {
        name: "orders-tg",
        id: "5c6d7e8f90a1b2c3",
        lb: "orders-internal",
        target_type: "ip",
        port: 7000,
        per_zone: 2,
    },
];

fn target_id(group: &GroupSpec, zone: usize, n: usize) -> String {
    match group.target_type {
        "instance" => format!(
            "i-0{:x}{}{}{:012x}",
            0xa + zone,
            n,
            group.port % 10,
            0x5eed_0000 + zone * 16 + n
        ),
        _ => format!(
            "10.20.{}.{}",
            zone + 1,
            40 + 10 * (group.port as usize % 7) + n
        ),
    }
}

/// What happens to one target at `minute` minutes after the onset.
fn target_state(
    group: &GroupSpec,
    zone: &str,
    n: usize,
    minute: i64,
) -> (TargetState, Option<&'static str>, Option<&'static str>) {
    let failing = (
        TargetState::Unhealthy,
        Some("Target.Timeout"),
        Some("Request timed out"),
    );
    match (group.name, zone, n) {
        ("web-tg", SICK_ZONE, 0 | 1) if minute >= FAILING_AFTER => failing,
        ("api-tg", SICK_ZONE, 0) if minute >= FAILING_AFTER + 2 => failing,
        ("web-tg", "us-east-1a", 2) => (
            TargetState::Draining,
            Some("Target.DeregistrationInProgress"),
            Some("Target deregistration is in progress"),
        ),
        ("web-tg", "us-east-1c", 1) => (
            TargetState::Unhealthy,
            Some("Target.ResponseCodeMismatch"),
            Some("Health checks failed with these codes: [502]"),
        ),
        ("api-tg", "us-east-1c", 1) => (
            TargetState::Initial,
            Some("Elb.InitialHealthChecking"),
            Some("Initial health checks in progress"),
        ),
        _ => (TargetState::Healthy, None, None),
    }
}

/// Target groups of the named load balancer, with their targets' health `minute`
/// minutes after the onset. Instance targets come without a zone (as AWS often sends
/// them) and are resolved through the instance; IP targets through their subnet.
pub fn target_groups(lb_name: &str, minute: i64) -> Vec<(TargetGroup, Vec<Target>)> {
    let lb_arn = load_balancers()
        .into_iter()
        .find(|l| l.name == lb_name)
        .map(|l| l.arn);
    GROUPS
        .iter()
        .filter(|g| g.lb == lb_name)
        .map(|g| {
            let group = TargetGroup {
                arn: arn(&format!("targetgroup/{}/{}", g.name, g.id)),
                name: g.name.into(),
                target_type: g.target_type.into(),
                protocol: Some("HTTP".into()),
                port: Some(g.port),
                vpc_id: Some("vpc-0c0ffee5e1ec7ab1e".into()),
                load_balancer_arns: lb_arn.clone().into_iter().collect(),
            };
            let targets = LB_ZONES
                .iter()
                .enumerate()
                .flat_map(|(zi, zone)| {
                    (0..g.per_zone).map(move |n| {
                        let (state, reason, description) = target_state(g, zone, n, minute);
                        Target {
                            id: target_id(g, zi, n),
                            port: Some(g.port),
                            zone_name: Some((*zone).to_string()),
                            zone_source: if g.target_type == "instance" {
                                ZoneSource::Instance
                            } else {
                                ZoneSource::Subnet
                            },
                            state,
                            reason: reason.map(String::from),
                            description: description.map(String::from),
                            anomalous: false,
                        }
                    })
                })
                .collect();
            (group, targets)
        })
        .collect()
}

/// A deterministic number in [0, 1) for a point of the simulation.
fn noise(seed: u64, zone: usize, metric: ZoneMetric, minute_epoch: i64) -> f64 {
    let mut x = seed
        ^ (zone as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (metric as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ (minute_epoch as u64).wrapping_mul(0x94D0_49BB_1331_11EB);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The daily traffic shape: a trough at 04:00 UTC, a peak at 16:00.
fn daily_shape(at: DateTime<Utc>) -> f64 {
    let hours = at.hour() as f64 + at.minute() as f64 / 60.0;
    1.0 + 0.45 * ((hours - 10.0) / 24.0 * std::f64::consts::TAU).sin()
}

/// One metric's value for the minute starting `at`, in zone `zone`, `minute` minutes
/// after the onset (negative before it). `None` where CloudWatch would have no data.
pub fn metric_value(
    lb_name: &str,
    zone: &str,
    metric: ZoneMetric,
    at: DateTime<Utc>,
    minute: i64,
) -> Option<f64> {
    let zi = LB_ZONES.iter().position(|z| *z == zone)?;
    let seed = if lb_name == "shop-frontend" {
        0x5eed
    } else {
        0x0bde
    };
    let epoch_min = at.timestamp() / 60;
    let n = |m: ZoneMetric| noise(seed, zi, m, epoch_min);
    let scale = if lb_name == "shop-frontend" {
        1300.0
    } else {
        420.0
    };
    let requests = (scale * daily_shape(at) * (0.93 + 0.14 * n(ZoneMetric::Requests))).round();
    let sick = lb_name == "shop-frontend" && zone == SICK_ZONE && minute >= 0;
    let ramp = if sick {
        (minute as f64 + 1.0).min(5.0)
    } else {
        0.0
    };
    let value = match metric {
        ZoneMetric::Requests => requests,
        ZoneMetric::Target5xx => {
            let base = 0.0015 + 0.001 * n(ZoneMetric::Target5xx);
            let rate = if sick {
                base + 0.012 * ramp + 0.004 * n(ZoneMetric::Elb5xx)
            } else {
                base
            };
            (requests * rate).round()
        }
        ZoneMetric::Elb5xx => {
            let extra = if sick && minute >= FAILING_AFTER {
                6.0 + 8.0 * n(ZoneMetric::Elb5xx)
            } else {
                0.0
            };
            (n(ZoneMetric::Elb5xx) * 1.6).floor() + extra.round()
        }
        ZoneMetric::ResponseTime => {
            let base = 0.095 + 0.03 * n(ZoneMetric::ResponseTime);
            if sick {
                base * (1.0 + 0.9 * ramp)
            } else {
                base
            }
        }
        ZoneMetric::ConnectionErrors => {
            if sick && minute >= FAILING_AFTER {
                (9.0 + 14.0 * n(ZoneMetric::ConnectionErrors)).round()
            } else if n(ZoneMetric::ConnectionErrors) > 0.93 {
                1.0
            } else {
                0.0
            }
        }
    };
    Some(value)
}
