//! The simulated incident, as pure functions of time.
//!
//! One account, one region, AZ names that do not match their IDs. The `shop-frontend`
//! ALB has two target groups across three zones, cross-zone load balancing off (as the
//! multi-AZ guidance advises), so its per-AZ metrics isolate a zone. Traffic follows a
//! daily shape with noise. At the onset, `us-east-1b` (use1-az6) goes gray: latency and
//! 5xx climb while every health check passes. Six minutes later two of its web targets
//! and one api target start failing with `Target.Timeout`. Elsewhere: a deploy drains
//! one target in `us-east-1a`, a new api target is still in initial checks in
//! `us-east-1c`, and one web target in `us-east-1c` fails on its own (a single bad
//! target, not a zone).
//!
//! Around it: `orders-internal` (an ALB whose quiet zone has minutes without traffic,
//! and one IP target outside the VPC, zone `all`); `catalog-edge` (an ALB with
//! cross-zone on and automatic target weights, whose `us-east-1b` targets turn
//! anomalous while its per-AZ metrics rise in every zone alike); and `ledger-nlb` (an
//! NLB whose `us-east-1b` targets reset flows).
//!
//! Like CloudWatch, the series leave out counts that are zero and every metric in a
//! minute without traffic.

use crate::model::metrics::ZoneMetric;
use crate::model::targets::{Target, TargetGroup, TargetState, ZoneSource};
use crate::model::zones::{GroupCrossZone, LbKind, LoadBalancer, Zone, effective_cross_zone};
use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};

pub const ACCOUNT: &str = "210987654321";
pub const REGION: &str = "us-east-1";
/// Minutes after the onset when targets in the sick zone start failing checks.
pub const FAILING_AFTER: i64 = 6;
pub const SICK_ZONE: &str = "us-east-1b";
const LB_ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// The zone of `orders-internal` that sometimes has no traffic at all.
const QUIET_ZONE: &str = "us-east-1c";

/// When the incident began, for a demo `minutes_in` minutes into it at `now`: on a
/// whole minute, so that what the demo shows does not depend on the second it started
/// (the metrics' one-minute buckets and the incident's minutes line up).
pub fn onset(now: DateTime<Utc>, minutes_in: i64) -> DateTime<Utc> {
    now.duration_trunc(Duration::minutes(1)).unwrap_or(now) - Duration::minutes(minutes_in)
}

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

/// A load balancer of the demo, and its load-balancer-level cross-zone attribute.
struct LbSpec {
    name: &'static str,
    id: &'static str,
    kind: LbKind,
    scheme: &'static str,
    /// `load_balancing.cross_zone.enabled` on the load balancer (NLBs: off by default).
    cross_zone: Option<bool>,
    /// Requests (ALB) or new flows (NLB) per zone and minute at the daily mean.
    scale: f64,
    seed: u64,
}

const LBS: [LbSpec; 4] = [
    LbSpec {
        name: "shop-frontend",
        id: "4f2a9c1d7e3b5a60",
        kind: LbKind::Application,
        scheme: "internet-facing",
        cross_zone: None,
        scale: 1300.0,
        seed: 0x5eed,
    },
    LbSpec {
        name: "orders-internal",
        id: "9b8e7d6c5a4f3e21",
        kind: LbKind::Application,
        scheme: "internal",
        cross_zone: None,
        scale: 420.0,
        seed: 0x0bde,
    },
    LbSpec {
        name: "catalog-edge",
        id: "c47a1099e2d5b834",
        kind: LbKind::Application,
        scheme: "internet-facing",
        cross_zone: None,
        scale: 900.0,
        seed: 0xca7a,
    },
    LbSpec {
        name: "ledger-nlb",
        id: "e1d9c3b7a5f20864",
        kind: LbKind::Network,
        scheme: "internal",
        cross_zone: Some(false),
        scale: 600.0,
        seed: 0x1ed9,
    },
];

fn lb_spec(name: &str) -> Option<&'static LbSpec> {
    LBS.iter().find(|l| l.name == name)
}

fn lb_arn(l: &LbSpec) -> String {
    let kind = match l.kind {
        LbKind::Application => "app",
        LbKind::Network => "net",
        LbKind::Gateway => "gwy",
    };
    arn(&format!("loadbalancer/{kind}/{}/{}", l.name, l.id))
}

pub fn load_balancers() -> Vec<LoadBalancer> {
    LBS.iter()
        .map(|l| LoadBalancer {
            arn: lb_arn(l),
            name: l.name.into(),
            kind: l.kind,
            scheme: l.scheme.into(),
            state: "active".into(),
            vpc_id: Some("vpc-0c0ffee5e1ec7ab1e".into()),
            zone_names: LB_ZONES.map(String::from).to_vec(),
        })
        .collect()
}

/// A target group with the shape of its targets in each zone.
struct GroupSpec {
    name: &'static str,
    id: &'static str,
    lb: &'static str,
    target_type: &'static str,
    protocol: &'static str,
    port: i32,
    per_zone: usize,
    /// The group's own `load_balancing.cross_zone.enabled` attribute.
    cross_zone: GroupCrossZone,
    /// Automatic target weights: AWS reports an anomaly result per target.
    anomaly_detection: bool,
}

const GROUPS: [GroupSpec; 5] = [
    GroupSpec {
        name: "web-tg",
        id: "73e2d6bc24d8a067",
        lb: "shop-frontend",
        target_type: "instance",
        protocol: "HTTP",
        port: 8080,
        per_zone: 3,
        cross_zone: GroupCrossZone::Off,
        anomaly_detection: false,
    },
    GroupSpec {
        name: "api-tg",
        id: "1f0e2d3c4b5a6978",
        lb: "shop-frontend",
        target_type: "ip",
        protocol: "HTTP",
        port: 9090,
        per_zone: 2,
        cross_zone: GroupCrossZone::Off,
        anomaly_detection: false,
    },
    GroupSpec {
        name: "orders-tg",
        id: "5c6d7e8f90a1b2c3",
        lb: "orders-internal",
        target_type: "ip",
        protocol: "HTTP",
        port: 7000,
        per_zone: 2,
        cross_zone: GroupCrossZone::Off,
        anomaly_detection: false,
    },
    GroupSpec {
        name: "catalog-tg",
        id: "8a9b0c1d2e3f4a5b",
        lb: "catalog-edge",
        target_type: "instance",
        protocol: "HTTP",
        port: 8443,
        per_zone: 3,
        cross_zone: GroupCrossZone::FromLoadBalancer,
        anomaly_detection: true,
    },
    GroupSpec {
        name: "ledger-tcp",
        id: "2b3c4d5e6f708192",
        lb: "ledger-nlb",
        target_type: "ip",
        protocol: "TCP",
        port: 5432,
        per_zone: 2,
        cross_zone: GroupCrossZone::FromLoadBalancer,
        anomaly_detection: false,
    },
];

/// The IP target of `orders-tg` outside the VPC (on premises): AWS reports its zone
/// as `all`.
const OFF_VPC_TARGET: &str = "172.31.200.15";

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

/// Whether ALB anomaly detection calls a `catalog-tg` target anomalous, and whether
/// it is already mitigating (sending it less traffic).
fn catalog_anomaly(zone: &str, n: usize, minute: i64) -> (bool, bool) {
    let anomalous = zone == SICK_ZONE && n < 2 && minute >= 1;
    (anomalous, anomalous && n == 0 && minute >= 3)
}

/// Target groups of the named load balancer, with their targets' health `minute`
/// minutes after the onset. Instance targets come without a zone (as AWS often sends
/// them) and are resolved through the instance; IP targets through their subnet.
pub fn target_groups(lb_name: &str, minute: i64) -> Vec<(TargetGroup, Vec<Target>)> {
    target_groups_shifted(lb_name, minute, &[])
}

/// [`target_groups`] with the targets in `shifted_zones` under an active zonal shift
/// (their AdministrativeOverride says `zonal_shift_active`).
pub fn target_groups_shifted(
    lb_name: &str,
    minute: i64,
    shifted_zones: &[String],
) -> Vec<(TargetGroup, Vec<Target>)> {
    let Some(lb) = lb_spec(lb_name) else {
        return Vec::new();
    };
    GROUPS
        .iter()
        .filter(|g| g.lb == lb_name)
        .map(|g| {
            let group = TargetGroup {
                arn: arn(&format!("targetgroup/{}/{}", g.name, g.id)),
                name: g.name.into(),
                target_type: g.target_type.into(),
                protocol: Some(g.protocol.into()),
                port: Some(g.port),
                vpc_id: Some("vpc-0c0ffee5e1ec7ab1e".into()),
                load_balancer_arns: vec![lb_arn(lb)],
                cross_zone: effective_cross_zone(lb.kind, Some(g.cross_zone), lb.cross_zone),
            };
            let mut targets: Vec<Target> = LB_ZONES
                .iter()
                .enumerate()
                .flat_map(|(zi, zone)| {
                    (0..g.per_zone).map(move |n| {
                        let (state, reason, description) = target_state(g, zone, n, minute);
                        let (anomalous, mitigation_in_effect) = if g.anomaly_detection {
                            catalog_anomaly(zone, n, minute)
                        } else {
                            (false, false)
                        };
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
                            anomalous,
                            anomaly_checked: g.anomaly_detection,
                            mitigation_in_effect,
                            zonal_shift_active: shifted_zones.iter().any(|z| z == zone),
                        }
                    })
                })
                .collect();
            if g.name == "orders-tg" {
                targets.push(Target {
                    id: OFF_VPC_TARGET.into(),
                    port: Some(g.port),
                    zone_name: Some("all".into()),
                    zone_source: ZoneSource::Reported,
                    state: TargetState::Healthy,
                    reason: None,
                    description: None,
                    anomalous: false,
                    anomaly_checked: false,
                    mitigation_in_effect: false,
                    zonal_shift_active: false,
                });
            }
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
/// after the onset (negative before it), as CloudWatch would return it: `None` for a
/// count that is zero and for every metric in a minute without traffic.
pub fn metric_value(
    lb_name: &str,
    zone: &str,
    metric: ZoneMetric,
    at: DateTime<Utc>,
    minute: i64,
) -> Option<f64> {
    metric_value_shifted(lb_name, zone, metric, at, minute, &[])
}

/// The share of its traffic a shifted zone keeps once drained: clients that hold a
/// DNS answer past its TTL, or a long-lived connection.
pub const SHIFTED_RESIDUE: f64 = 0.02;

/// A zonal shift of the demo: traffic of `lb` kept away from `zone_name` over
/// `start..end` (the expiry, or when it was cancelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftWindow {
    pub lb: String,
    pub zone_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The share of its usual traffic zone `zone` of `lb` gets in the minute starting at
/// `at`, under `shifts`: a shifted zone drains over two minutes (clients holding the
/// old DNS answer and open connections), then keeps a trickle ([`SHIFTED_RESIDUE`]:
/// clients that ignore the DNS TTL); the other zones split what it lost. 1.0 without
/// a shift.
pub fn traffic_share(shifts: &[ShiftWindow], lb: &str, zone: &str, at: DateTime<Utc>) -> f64 {
    let away = |w: &ShiftWindow| -> f64 {
        if at
            < w.start
                .duration_trunc(Duration::minutes(1))
                .unwrap_or(w.start)
            || at >= w.end
        {
            return 1.0;
        }
        match (at - w.start).num_minutes() {
            m if m <= 0 => 0.35,
            1 => 0.08,
            _ => SHIFTED_RESIDUE,
        }
    };
    let mine = shifts
        .iter()
        .filter(|w| w.lb == lb && w.zone_name == zone)
        .map(away)
        .fold(1.0, f64::min);
    let others = LB_ZONES.len().saturating_sub(1).max(1) as f64;
    let gained: f64 = shifts
        .iter()
        .filter(|w| w.lb == lb && w.zone_name != zone && LB_ZONES.contains(&w.zone_name.as_str()))
        .map(|w| (1.0 - away(w)) / others)
        .sum();
    if mine < 1.0 { mine } else { 1.0 + gained }
}

/// [`metric_value`] with the demo's zonal shifts applied: a shifted zone's traffic,
/// errors and latency samples drain away (no traffic: no datapoint at all) and the
/// other zones carry its requests.
pub fn metric_value_shifted(
    lb_name: &str,
    zone: &str,
    metric: ZoneMetric,
    at: DateTime<Utc>,
    minute: i64,
    shifts: &[ShiftWindow],
) -> Option<f64> {
    let lb = lb_spec(lb_name)?;
    if !ZoneMetric::for_kind(lb.kind).contains(&metric) {
        return None;
    }
    let share = traffic_share(shifts, lb_name, zone, at);
    let sick_share = traffic_share(shifts, lb_name, SICK_ZONE, at);
    let value = simulated(lb, zone, metric, at, minute, share, sick_share)?;
    // CloudWatch publishes a count only when it is nonzero.
    (!metric.is_count() || value > 0.0).then_some(value)
}

/// The simulation behind [`metric_value`], zeros included; `None` without traffic.
fn simulated(
    lb: &LbSpec,
    zone: &str,
    metric: ZoneMetric,
    at: DateTime<Utc>,
    minute: i64,
    share: f64,
    sick_share: f64,
) -> Option<f64> {
    if share <= 0.0 {
        // Shifted away: no traffic, so CloudWatch has nothing for this minute.
        return None;
    }
    let zi = LB_ZONES.iter().position(|z| *z == zone)?;
    let epoch_min = at.timestamp() / 60;
    let n = |m: ZoneMetric| noise(lb.seed, zi, m, epoch_min);
    if lb.name == "orders-internal" && zone == QUIET_ZONE && n(ZoneMetric::Requests) < 0.15 {
        // A quiet internal zone: some minutes nobody calls it.
        return None;
    }
    let traffic_metric = match lb.kind {
        LbKind::Network => ZoneMetric::NewFlows,
        _ => ZoneMetric::Requests,
    };
    let traffic = (lb.scale * daily_shape(at) * (0.93 + 0.14 * n(traffic_metric)) * share).round();
    let ramp = if minute >= 0 {
        (minute as f64 + 1.0).min(5.0)
    } else {
        0.0
    };
    let in_sick_zone = zone == SICK_ZONE && minute >= 0;
    Some(match lb.name {
        "shop-frontend" => {
            let v = shop_value(metric, traffic, in_sick_zone, ramp, minute, &n);
            let keep = drain(metric, share);
            if keep < 1.0 { (v * keep).round() } else { v }
        }
        // Cross-zone on: every node sends a third of its requests to the sick zone's
        // targets, so every zone's numbers rise alike; a shift away from the sick zone
        // keeps every node off its targets.
        "catalog-edge" => shop_value(
            metric,
            traffic,
            minute >= 0 && sick_share > 0.0,
            ramp / 3.0 * sick_share.min(1.0),
            -1,
            &n,
        ),
        "ledger-nlb" => match metric {
            ZoneMetric::NewFlows => traffic,
            ZoneMetric::TargetResets if in_sick_zone => {
                (traffic * (0.008 * ramp + 0.004 * n(ZoneMetric::ElbResets))).round()
            }
            ZoneMetric::TargetResets => (n(ZoneMetric::TargetResets) > 0.9) as u8 as f64,
            ZoneMetric::ElbResets => (n(ZoneMetric::ElbResets) > 0.95) as u8 as f64,
            _ => return None,
        },
        _ => shop_value(metric, traffic, false, 0.0, -1, &n),
    })
}

/// What a draining zone's counts that do not follow its requests (load-balancer 5xx,
/// connection errors) keep: they fall with its traffic. Rates and latency stay.
fn drain(metric: ZoneMetric, share: f64) -> f64 {
    match metric {
        ZoneMetric::Elb5xx | ZoneMetric::ConnectionErrors | ZoneMetric::TargetResets
            if share < 1.0 =>
        {
            share
        }
        _ => 1.0,
    }
}

/// An HTTP load balancer's metric: baseline noise, plus the sick zone's climb.
fn shop_value(
    metric: ZoneMetric,
    requests: f64,
    sick: bool,
    ramp: f64,
    minute: i64,
    n: &dyn Fn(ZoneMetric) -> f64,
) -> f64 {
    let ramp = if sick { ramp } else { 0.0 };
    match metric {
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
        ZoneMetric::NewFlows | ZoneMetric::TargetResets | ZoneMetric::ElbResets => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, h, m, s)
            .single()
            .expect("valid time")
    }

    #[test]
    fn onset_is_on_a_whole_minute_whatever_the_second() {
        for s in 0..60 {
            assert_eq!(onset(t(3, 12, s), 3), t(3, 9, 0));
        }
    }

    #[test]
    fn counts_are_left_out_when_zero_like_cloudwatch_does() {
        let mut zero_minutes = 0;
        for m in 0..120 {
            let at = t(2, 0, 0) + Duration::minutes(m);
            for zone in LB_ZONES {
                for metric in ZoneMetric::APPLICATION {
                    let raw = lb_spec("shop-frontend")
                        .and_then(|lb| simulated(lb, zone, metric, at, -100, 1.0, 1.0));
                    let seen = metric_value("shop-frontend", zone, metric, at, -100);
                    match raw {
                        Some(v) if metric.is_count() && v == 0.0 => {
                            zero_minutes += 1;
                            assert_eq!(seen, None, "{zone} {metric:?} {at}");
                        }
                        other => assert_eq!(seen, other),
                    }
                }
            }
        }
        assert!(
            zero_minutes > 100,
            "the demo has zero counts: {zero_minutes}"
        );
    }

    #[test]
    fn the_quiet_zone_has_minutes_without_any_traffic() {
        let gaps = (0..60)
            .filter(|m| {
                let at = t(2, 0, 0) + Duration::minutes(*m);
                metric_value(
                    "orders-internal",
                    QUIET_ZONE,
                    ZoneMetric::Requests,
                    at,
                    -100,
                )
                .is_none()
            })
            .collect::<Vec<_>>();
        assert!(!gaps.is_empty() && gaps.len() < 20, "{gaps:?}");
        for m in gaps {
            let at = t(2, 0, 0) + Duration::minutes(m);
            for metric in ZoneMetric::APPLICATION {
                assert_eq!(
                    metric_value("orders-internal", QUIET_ZONE, metric, at, -100),
                    None
                );
            }
        }
    }

    #[test]
    fn each_load_balancer_reports_only_its_own_kind_of_metrics() {
        let at = t(3, 0, 0);
        assert!(metric_value("ledger-nlb", "us-east-1a", ZoneMetric::NewFlows, at, 0).is_some());
        assert_eq!(
            metric_value("ledger-nlb", "us-east-1a", ZoneMetric::Requests, at, 0),
            None
        );
        assert_eq!(
            metric_value("shop-frontend", "us-east-1a", ZoneMetric::NewFlows, at, 0),
            None
        );
        let resets = metric_value("ledger-nlb", SICK_ZONE, ZoneMetric::TargetResets, at, 4);
        assert!(resets.is_some_and(|r| r > 10.0), "{resets:?}");
    }

    #[test]
    fn cross_zone_and_anomaly_detection_per_group() {
        use crate::model::zones::CrossZone;
        let cz = |lb: &str| target_groups(lb, 5)[0].0.cross_zone;
        assert_eq!(cz("shop-frontend"), CrossZone::Off);
        assert_eq!(cz("catalog-edge"), CrossZone::On, "ALB default: on");
        assert_eq!(cz("ledger-nlb"), CrossZone::Off, "NLB default: off");
        let catalog = &target_groups("catalog-edge", 5)[0].1;
        assert!(catalog.iter().all(|t| t.anomaly_checked));
        let anomalous: Vec<&str> = catalog
            .iter()
            .filter(|t| t.anomalous)
            .map(|t| t.zone_name.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(anomalous, [SICK_ZONE, SICK_ZONE]);
        let orders = &target_groups("orders-internal", 5)[0].1;
        assert!(orders.iter().any(|t| t.zone_name.as_deref() == Some("all")));
    }
}
