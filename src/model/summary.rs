//! Joins what the AZ pane knows (zones, target health, per-AZ metrics) into one
//! summary per zone, keyed by zone ID, with its verdict.

use crate::model::metrics::{ZoneMetric, ZoneMetrics};
use crate::model::targets::{
    GroupZoneTally, StateCounts, Target, TargetGroupHealth, tally_by_zone,
};
use crate::model::verdict::{
    FailingTarget, Level, VerdictParams, ZoneEvidence, ZoneVerdict, zone_verdicts,
};
use crate::model::zones::{LoadBalancer, ZoneMap};
use std::collections::BTreeSet;

/// Everything the AZ pane shows for one zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSummary {
    pub zone_name: String,
    /// `?` while zone IDs are unknown.
    pub zone_id: String,
    pub zone_state: String,
    pub counts: StateCounts,
    pub groups: Vec<GroupZoneTally>,
    pub evidence: ZoneEvidence,
    pub verdict: ZoneVerdict,
}

impl ZoneSummary {
    pub fn level(&self) -> Level {
        self.verdict.level
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

/// Builds one summary per zone: the zones the load balancers are enabled in, plus
/// any zone where targets or metrics turned up. Sorted by zone name.
pub fn summarize(
    zones: &ZoneMap,
    lbs: &[LoadBalancer],
    health: &[TargetGroupHealth],
    metrics: Option<&ZoneMetrics>,
    params: &VerdictParams,
) -> Vec<ZoneSummary> {
    let tallies = tally_by_zone(health);
    let mut names: BTreeSet<String> = lbs.iter().flat_map(|l| l.zone_names.clone()).collect();
    names.extend(
        tallies
            .iter()
            .map(|t| t.zone_name.clone())
            .filter(|z| z != "?" && z != "all"),
    );
    if let Some(m) = metrics {
        names.extend(m.by_zone.keys().cloned());
    }
    let len = metrics.map(|m| m.window.minutes).unwrap_or(0);

    let evidence: Vec<ZoneEvidence> = names
        .iter()
        .map(|name| {
            let zone = zones.by_name(name);
            let mut counts = StateCounts::default();
            for t in tallies.iter().filter(|t| &t.zone_name == name) {
                counts.merge(&t.counts);
            }
            let failing = health
                .iter()
                .flat_map(|g| g.targets.iter().map(move |t| (g, t)))
                .filter(|(_, t)| {
                    t.zone_name.as_deref() == Some(name.as_str()) && t.state.is_failing()
                })
                .map(|(g, t)| FailingTarget {
                    group: g.group.name.clone(),
                    id: t.id.clone(),
                    reason: t.reason.clone(),
                })
                .collect();
            ZoneEvidence {
                zone_id: zone.map(|z| z.id.clone()).unwrap_or_else(|| "?".into()),
                zone_name: name.clone(),
                zone_state: zone
                    .map(|z| z.state.clone())
                    .unwrap_or_else(|| "available".into()),
                counts,
                failing,
                requests: series(metrics, name, ZoneMetric::Requests, len),
                errors_5xx: add_series(
                    &series(metrics, name, ZoneMetric::Target5xx, len),
                    &series(metrics, name, ZoneMetric::Elb5xx, len),
                ),
                response_time: series(metrics, name, ZoneMetric::ResponseTime, len),
                connection_errors: series(metrics, name, ZoneMetric::ConnectionErrors, len),
            }
        })
        .collect();
    let verdicts = zone_verdicts(&evidence, params);
    evidence
        .into_iter()
        .zip(verdicts)
        .map(|(evidence, verdict)| ZoneSummary {
            zone_name: evidence.zone_name.clone(),
            zone_id: evidence.zone_id.clone(),
            zone_state: evidence.zone_state.clone(),
            counts: evidence.counts.clone(),
            groups: tallies
                .iter()
                .filter(|t| t.zone_name == evidence.zone_name)
                .cloned()
                .collect(),
            evidence,
            verdict,
        })
        .collect()
}

/// The targets of one zone, optionally of one target group, for the drill-down.
pub fn targets_in<'a>(
    health: &'a [TargetGroupHealth],
    zone_name: &str,
    group_arn: Option<&str>,
) -> Vec<(&'a str, &'a Target)> {
    let mut out: Vec<(&str, &Target)> = health
        .iter()
        .filter(|g| group_arn.is_none_or(|arn| g.group.arn == arn))
        .flat_map(|g| g.targets.iter().map(move |t| (g.group.name.as_str(), t)))
        .filter(|(_, t)| t.zone_name.as_deref().unwrap_or("?") == zone_name)
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
