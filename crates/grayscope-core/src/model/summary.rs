//! Joins what the AZ pane knows (zones, target health, per-AZ metrics) into one
//! summary per zone, keyed by AZ ID, with its verdict.
//!
//! Zones come from the load balancers, the targets and the metrics, each by *name*;
//! the zone map turns names into IDs. When the zone map is missing (DescribeAvailabilityZones
//! failed), zones still show, keyed by name with their IDs marked unknown. Targets whose
//! zone is not known form one more row, [`UNKNOWN_ZONE`], with the reason: they are
//! counted, never dropped, and never compared with the zones.

use crate::model::metrics::{ZoneMetric, ZoneMetrics};
use crate::model::targets::{
    AnomalyTally, GroupZoneTally, StateCounts, Target, TargetGroupHealth, UNKNOWN_ZONE,
    tally_by_zone,
};
use crate::model::verdict::{
    FailingTarget, Level, VerdictParams, ZoneEvidence, ZoneVerdict, zone_verdicts,
};
use crate::model::zones::{CrossZone, LoadBalancer, ZoneMap};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// `zone_id` of a zone whose ID is not known.
pub const UNKNOWN_ID: &str = "?";

/// Everything the AZ pane shows for one zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSummary {
    /// The AZ ID; the zone name while the ID is not known; [`UNKNOWN_ZONE`] for the
    /// row of targets without a zone.
    pub key: String,
    pub zone_name: String,
    /// [`UNKNOWN_ID`] while the zone's ID is not known.
    pub zone_id: String,
    pub zone_state: String,
    pub counts: StateCounts,
    pub groups: Vec<GroupZoneTally>,
    /// Anomalous targets (of those with anomaly detection) and zonal shifts here.
    pub anomaly: AnomalyTally,
    /// Whether this zone's per-AZ load-balancer metrics are per-zone evidence.
    pub cross_zone: CrossZone,
    /// For the [`UNKNOWN_ZONE`] row: why the targets' zones are not known.
    pub unresolved: Option<String>,
    pub evidence: ZoneEvidence,
    pub verdict: ZoneVerdict,
}

impl ZoneSummary {
    pub fn level(&self) -> Level {
        self.verdict.level
    }

    /// The row of targets whose zone is not known.
    pub fn is_unknown_zone(&self) -> bool {
        self.unresolved.is_some()
    }

    pub fn id_known(&self) -> bool {
        self.zone_id != UNKNOWN_ID
    }

    /// The minute the recent outlier minutes began, if any.
    pub fn outliers_began(&self) -> Option<DateTime<Utc>> {
        let slot = self.verdict.first_outlier_slot?;
        let w = self.evidence.window?;
        Some(w.start + Duration::minutes(slot as i64))
    }
}

fn series(m: Option<&ZoneMetrics>, zone: &str, metric: ZoneMetric, len: usize) -> Vec<Option<f64>> {
    m.and_then(|m| m.series(zone, metric))
        .map(<[_]>::to_vec)
        .unwrap_or_else(|| vec![None; len])
}

fn add_series(a: &[Option<f64>], b: &[Option<f64>]) -> Vec<Option<f64>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (None, None) => None,
            _ => Some(x.unwrap_or(0.0) + y.unwrap_or(0.0)),
        })
        .collect()
}

/// Cross-zone in effect for each load balancer's per-AZ metrics: mixed if any of its
/// target groups has it on, per zone if every one is known to be off.
pub fn lb_cross_zone(lb: &LoadBalancer, health: &[TargetGroupHealth]) -> CrossZone {
    CrossZone::combine(
        health
            .iter()
            .filter(|g| g.group.load_balancer_arns.iter().any(|a| a == &lb.arn))
            .map(|g| g.group.cross_zone),
    )
}

/// Builds one summary per zone: the zones the load balancers are enabled in, plus any
/// zone where targets or metrics turned up, sorted by zone name; then the row of
/// targets without a zone, if there are any.
///
/// Counts that CloudWatch left out are filled with 0 where the zone had traffic
/// (`ZoneMetrics::with_zero_counts`) before the verdict compares zones.
pub fn summarize(
    zones: &ZoneMap,
    lbs: &[LoadBalancer],
    health: &[TargetGroupHealth],
    metrics: Option<&ZoneMetrics>,
    params: &VerdictParams,
) -> Vec<ZoneSummary> {
    let tallies = tally_by_zone(health);
    let filled = metrics.map(ZoneMetrics::with_zero_counts);
    let metrics = filled.as_ref();

    // key (ID, or name when the ID is unknown) -> name
    let mut by_key: BTreeMap<String, String> = BTreeMap::new();
    let mut add_name = |name: &str| {
        let name = name.trim();
        if name.is_empty() || name == UNKNOWN_ZONE || name == "all" {
            return;
        }
        let key = zones
            .by_name(name)
            .map(|z| z.id.clone())
            .unwrap_or_else(|| name.to_string());
        by_key.entry(key).or_insert_with(|| name.to_string());
    };
    for lb in lbs {
        lb.zone_names.iter().for_each(|n| add_name(n));
    }
    tallies.iter().for_each(|t| add_name(&t.zone_name));
    if let Some(m) = metrics {
        m.by_zone.keys().for_each(|n| add_name(n));
    }
    let mut names: Vec<(String, String)> = by_key.into_iter().collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));

    let len = metrics.map(|m| m.window.minutes).unwrap_or(0);
    let window = metrics.map(|m| m.window);
    let lb_settings: Vec<(&LoadBalancer, CrossZone)> = lbs
        .iter()
        .map(|lb| (lb, lb_cross_zone(lb, health)))
        .collect();

    let evidence: Vec<ZoneEvidence> = names
        .iter()
        .map(|(_, name)| {
            let zone = zones.by_name(name);
            let mut counts = StateCounts::default();
            let mut anomaly = AnomalyTally::default();
            for t in tallies.iter().filter(|t| &t.zone_name == name) {
                counts.merge(&t.counts);
                anomaly.merge(&t.anomaly);
            }
            let failing = failing_targets(health, name);
            let serving_lbs: Vec<CrossZone> = lb_settings
                .iter()
                .filter(|(lb, _)| lb.zone_names.iter().any(|z| z == name))
                .map(|(_, c)| *c)
                .collect();
            let cross_zone = if serving_lbs.is_empty() {
                CrossZone::combine(lb_settings.iter().map(|(_, c)| *c))
            } else {
                CrossZone::combine(serving_lbs)
            };
            ZoneEvidence {
                zone_id: zone
                    .map(|z| z.id.clone())
                    .unwrap_or_else(|| UNKNOWN_ID.into()),
                zone_name: name.clone(),
                zone_state: zone
                    .map(|z| z.state.clone())
                    .unwrap_or_else(|| "unknown".into()),
                counts,
                failing,
                anomaly,
                cross_zone,
                window,
                requests: series(metrics, name, ZoneMetric::Requests, len),
                errors_5xx: add_series(
                    &series(metrics, name, ZoneMetric::Target5xx, len),
                    &series(metrics, name, ZoneMetric::Elb5xx, len),
                ),
                response_time: series(metrics, name, ZoneMetric::ResponseTime, len),
                connection_errors: series(metrics, name, ZoneMetric::ConnectionErrors, len),
                flows: series(metrics, name, ZoneMetric::NewFlows, len),
                resets: add_series(
                    &series(metrics, name, ZoneMetric::TargetResets, len),
                    &series(metrics, name, ZoneMetric::ElbResets, len),
                ),
            }
        })
        .collect();
    let verdicts = zone_verdicts(&evidence, params);
    let mut out: Vec<ZoneSummary> = evidence
        .into_iter()
        .zip(verdicts)
        .zip(names)
        .map(|((evidence, verdict), (key, name))| ZoneSummary {
            key,
            zone_name: name.clone(),
            zone_id: evidence.zone_id.clone(),
            zone_state: evidence.zone_state.clone(),
            counts: evidence.counts.clone(),
            groups: tallies
                .iter()
                .filter(|t| t.zone_name == name)
                .cloned()
                .collect(),
            anomaly: evidence.anomaly,
            cross_zone: evidence.cross_zone,
            unresolved: None,
            evidence,
            verdict,
        })
        .collect();
    out.extend(unknown_zone_row(health, &tallies));
    out
}

fn failing_targets(health: &[TargetGroupHealth], zone_row: &str) -> Vec<FailingTarget> {
    health
        .iter()
        .flat_map(|g| g.targets.iter().map(move |t| (g, t)))
        .filter(|(_, t)| t.zone_row() == zone_row && t.state.is_failing())
        .map(|(g, t)| FailingTarget {
            group: g.group.name.clone(),
            id: t.id.clone(),
            reason: t.reason.clone(),
        })
        .collect()
}

/// The row of targets whose zone is not known, with why, if there are any.
fn unknown_zone_row(
    health: &[TargetGroupHealth],
    tallies: &[GroupZoneTally],
) -> Option<ZoneSummary> {
    let groups: Vec<GroupZoneTally> = tallies
        .iter()
        .filter(|t| t.zone_name == UNKNOWN_ZONE)
        .cloned()
        .collect();
    if groups.is_empty() {
        return None;
    }
    let mut counts = StateCounts::default();
    let mut anomaly = AnomalyTally::default();
    for g in &groups {
        counts.merge(&g.counts);
        anomaly.merge(&g.anomaly);
    }
    let mut reasons: BTreeMap<&str, u32> = BTreeMap::new();
    for g in health {
        for t in &g.targets {
            if let Some(r) = t.unresolved_zone_reason(&g.group.target_type) {
                *reasons.entry(r).or_default() += 1;
            }
        }
    }
    let total: u32 = reasons.values().sum();
    let why = if reasons.len() == 1 {
        reasons.keys().map(|r| r.to_string()).collect::<String>()
    } else {
        reasons
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unresolved = format!(
        "zone not known for {total} target{}: {why}; not compared with the zones",
        if total == 1 { "" } else { "s" }
    );
    let evidence = ZoneEvidence {
        zone_id: UNKNOWN_ID.into(),
        zone_name: UNKNOWN_ZONE.into(),
        zone_state: "unknown".into(),
        counts: counts.clone(),
        failing: failing_targets(health, UNKNOWN_ZONE),
        anomaly,
        ..Default::default()
    };
    Some(ZoneSummary {
        key: UNKNOWN_ZONE.into(),
        zone_name: UNKNOWN_ZONE.into(),
        zone_id: UNKNOWN_ID.into(),
        zone_state: "unknown".into(),
        counts,
        groups,
        anomaly,
        cross_zone: CrossZone::Unknown,
        unresolved: Some(unresolved.clone()),
        evidence,
        verdict: ZoneVerdict {
            zone_id: UNKNOWN_ID.into(),
            level: Level::Unknown,
            reason: unresolved,
            outlier_minutes: 0,
            judged_minutes: 0,
            minutes: Vec::new(),
            first_outlier_slot: None,
            evidence_used: vec!["target health".into()],
        },
    })
}

/// The index of the zone that needs attention most (IMPAIRED, then DEGRADED, WATCH,
/// UNKNOWN), the first one on a tie; the first zone when all are OK. The row of
/// targets without a zone is never the worst zone.
pub fn worst_zone(summaries: &[ZoneSummary]) -> Option<usize> {
    summaries
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_unknown_zone())
        .fold(None, |best: Option<(usize, u8)>, (i, s)| {
            let sev = s.level().severity();
            match best {
                Some((_, b)) if b >= sev => best,
                _ => Some((i, sev)),
            }
        })
        .map(|(i, _)| i)
}

/// The targets of one zone row (a zone name, or [`UNKNOWN_ZONE`]), optionally of one
/// target group, for the drill-down.
pub fn targets_in<'a>(
    health: &'a [TargetGroupHealth],
    zone_name: &str,
    group_arn: Option<&str>,
) -> Vec<(&'a str, &'a Target)> {
    let mut out: Vec<(&str, &Target)> = health
        .iter()
        .filter(|g| group_arn.is_none_or(|arn| g.group.arn == arn))
        .flat_map(|g| g.targets.iter().map(move |t| (g.group.name.as_str(), t)))
        .filter(|(_, t)| t.zone_row() == zone_name)
        .collect();
    // Failing first, then by group and id: the ones to look at are on top.
    out.sort_by(|a, b| {
        b.1.state
            .is_failing()
            .cmp(&a.1.state.is_failing())
            .then_with(|| a.0.cmp(b.0))
            .then_with(|| a.1.id.cmp(&b.1.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::Window;
    use crate::model::targets::{TargetGroup, TargetState, ZoneSource};
    use crate::model::zones::{LbKind, Zone};
    use chrono::TimeZone;

    const NAMES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
    const IDS: [&str; 3] = ["use1-az4", "use1-az6", "use1-az1"];
    const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/shop/1";

    fn zone_map() -> ZoneMap {
        ZoneMap::new(
            NAMES
                .iter()
                .zip(IDS)
                .map(|(n, id)| Zone {
                    name: n.to_string(),
                    id: id.into(),
                    state: "available".into(),
                })
                .collect(),
        )
    }

    fn lb() -> LoadBalancer {
        LoadBalancer {
            arn: LB.into(),
            name: "shop".into(),
            kind: LbKind::Application,
            scheme: "internal".into(),
            state: "active".into(),
            vpc_id: None,
            zone_names: NAMES.map(String::from).to_vec(),
        }
    }

    fn target(id: &str, zone: Option<&str>) -> Target {
        Target {
            id: id.into(),
            port: Some(80),
            zone_name: zone.map(str::to_string),
            zone_source: ZoneSource::Reported,
            state: TargetState::Healthy,
            reason: None,
            description: None,
            anomalous: false,
            anomaly_checked: false,
            mitigation_in_effect: false,
            zonal_shift_active: false,
        }
    }

    fn health(cross_zone: CrossZone, extra: Vec<Target>) -> Vec<TargetGroupHealth> {
        let mut targets: Vec<Target> = NAMES
            .iter()
            .flat_map(|z| (0..2).map(move |i| target(&format!("i-{z}-{i}"), Some(z))))
            .collect();
        targets.extend(extra);
        vec![TargetGroupHealth {
            group: TargetGroup {
                arn: "arn:tg/web".into(),
                name: "web".into(),
                target_type: "instance".into(),
                protocol: Some("HTTP".into()),
                port: Some(80),
                vpc_id: None,
                load_balancer_arns: vec![LB.into()],
                cross_zone,
            },
            targets,
        }]
    }

    /// Ten minutes of RequestCount in every zone and 5xx only where `sick` says, as
    /// CloudWatch returns them: no 5xx series at all for the other zones.
    fn metrics(sick: Option<&str>) -> ZoneMetrics {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("time");
        let w = Window::ending_at(now, 10);
        let mut m = ZoneMetrics::empty(w);
        for z in NAMES {
            for slot in 0..10 {
                let at = w.start + Duration::minutes(slot);
                m.put(z, ZoneMetric::Requests, at, 1000.0);
                m.put(z, ZoneMetric::ResponseTime, at, 0.1);
                if Some(z) == sick && slot >= 6 {
                    m.put(z, ZoneMetric::Target5xx, at, 40.0);
                }
            }
        }
        m
    }

    fn run(
        zones: &ZoneMap,
        health: &[TargetGroupHealth],
        m: Option<&ZoneMetrics>,
    ) -> Vec<ZoneSummary> {
        summarize(zones, &[lb()], health, m, &VerdictParams::default())
    }

    #[test]
    fn siblings_with_no_5xx_datapoints_are_zero_and_the_5xx_zone_is_degraded() {
        let s = run(
            &zone_map(),
            &health(CrossZone::Off, vec![]),
            Some(&metrics(Some("us-east-1b"))),
        );
        assert_eq!(s[1].zone_name, "us-east-1b");
        assert_eq!(s[1].level(), Level::Degraded, "{:?}", s[1].verdict);
        assert!(
            s[1].verdict
                .reason
                .contains("5xx 3.2% vs 0.0% in sibling AZs over the last 5 min (per-AZ LB metrics, cross-zone off; outlier in 4 of 5 min)"),
            "{}",
            s[1].verdict.reason
        );
        assert_eq!(s[0].evidence.errors_5xx.last(), Some(&Some(0.0)));
        assert_eq!(s[0].level(), Level::Ok);
    }

    #[test]
    fn zones_are_keyed_by_id_and_show_by_name_when_ids_are_unknown() {
        let h = health(CrossZone::Off, vec![]);
        let m = metrics(None);
        let known = run(&zone_map(), &h, Some(&m));
        assert_eq!(
            known.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
            ["use1-az4", "use1-az6", "use1-az1"]
        );
        assert!(known.iter().all(ZoneSummary::id_known));
        // DescribeAvailabilityZones failed: same rows, by name, IDs unknown.
        let blind = run(&ZoneMap::default(), &h, Some(&m));
        assert_eq!(
            blind
                .iter()
                .map(|s| s.zone_name.as_str())
                .collect::<Vec<_>>(),
            NAMES
        );
        for s in &blind {
            assert_eq!(s.key, s.zone_name);
            assert!(!s.id_known());
            assert_eq!(s.zone_state, "unknown");
            assert_eq!(s.counts.healthy, 2);
            assert_eq!(s.level(), Level::Ok, "{:?}", s.verdict);
        }
    }

    #[test]
    fn targets_without_a_zone_get_their_own_row_and_are_not_siblings() {
        let mut lost = target("i-lost", None);
        lost.state = TargetState::Unhealthy;
        let extra = vec![lost, target("10.9.9.9", Some("all"))];
        let h = health(CrossZone::Off, extra);
        let s = run(&zone_map(), &h, Some(&metrics(None)));
        assert_eq!(s.len(), 4);
        let row = &s[3];
        assert!(row.is_unknown_zone());
        assert_eq!(row.zone_name, UNKNOWN_ZONE);
        assert_eq!(row.counts.total(), 2);
        assert_eq!(row.level(), Level::Unknown);
        assert_eq!(
            row.verdict.reason,
            "zone not known for 2 targets: 1 instance not found by DescribeInstances, 1 zone \"all\": outside the load balancer's VPC; not compared with the zones"
        );
        assert_eq!(row.groups.len(), 1);
        assert_eq!(targets_in(&h, UNKNOWN_ZONE, None).len(), 2);
        assert_eq!(targets_in(&h, UNKNOWN_ZONE, None)[0].1.id, "i-lost");
        for z in &s[..3] {
            assert_eq!(z.level(), Level::Ok, "{:?}", z.verdict);
        }
        assert_eq!(worst_zone(&s), Some(0), "the unknown row is not a zone");
    }

    #[test]
    fn a_target_group_with_cross_zone_on_makes_the_metrics_mixed() {
        let h = health(CrossZone::On, vec![]);
        let s = run(&zone_map(), &h, Some(&metrics(Some("us-east-1b"))));
        assert!(s.iter().all(|s| s.cross_zone == CrossZone::On));
        assert_eq!(s[1].level(), Level::Watching, "{:?}", s[1].verdict);
        assert_eq!(s[0].level(), Level::Unknown, "{:?}", s[0].verdict);
        assert_eq!(lb_cross_zone(&lb(), &h), CrossZone::On);
        assert_eq!(lb_cross_zone(&lb(), &[]), CrossZone::Unknown);
    }

    #[test]
    fn anomalies_roll_up_by_the_targets_zone() {
        let mut h = health(CrossZone::On, vec![target("i-x", Some("us-east-1c"))]);
        for t in &mut h[0].targets {
            t.anomaly_checked = true;
            t.anomalous = t.zone_name.as_deref() == Some("us-east-1c") && t.id != "i-x";
        }
        let s = run(&zone_map(), &h, Some(&metrics(None)));
        assert_eq!(s[2].anomaly.ratio_text(), "2/3");
        assert_eq!(s[0].anomaly.ratio_text(), "0/2");
        assert_eq!(s[2].level(), Level::Degraded, "{:?}", s[2].verdict);
        assert_eq!(s[0].level(), Level::Ok, "{:?}", s[0].verdict);
        assert_eq!(worst_zone(&s), Some(2));
    }

    #[test]
    fn the_worst_zone_is_the_first_one_needing_most_attention() {
        let s = run(
            &zone_map(),
            &health(CrossZone::Off, vec![]),
            Some(&metrics(None)),
        );
        assert_eq!(worst_zone(&s), Some(0), "all OK: the first");
        assert_eq!(worst_zone(&[]), None);
    }
}
