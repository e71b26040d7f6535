//! Target groups and target health, and the per target group x zone tallies the AZ
//! pane shows.
//!
//! Targets whose zone is not known (no zone reported and none resolved, or `all`)
//! are tallied under [`UNKNOWN_ZONE`] with the reason, never dropped.

use crate::model::zones::CrossZone;
use std::collections::BTreeMap;

/// The row name of targets whose zone is not known.
pub const UNKNOWN_ZONE: &str = "unknown zone";

/// A target's health state, as ELBv2 reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    UnhealthyDraining,
    Unused,
    Draining,
    Unavailable,
    /// A state this build does not know; shown as it came.
    Other(String),
}

impl TargetState {
    pub fn parse(s: &str) -> Self {
        match s {
            "initial" => Self::Initial,
            "healthy" => Self::Healthy,
            "unhealthy" => Self::Unhealthy,
            "unhealthy.draining" => Self::UnhealthyDraining,
            "unused" => Self::Unused,
            "draining" => Self::Draining,
            "unavailable" => Self::Unavailable,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Initial => "initial",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::UnhealthyDraining => "unhealthy.draining",
            Self::Unused => "unused",
            Self::Draining => "draining",
            Self::Unavailable => "unavailable",
            Self::Other(s) => s,
        }
    }

    /// Whether the target is failing (as opposed to coming, going or idle).
    pub fn is_failing(&self) -> bool {
        matches!(
            self,
            Self::Unhealthy | Self::UnhealthyDraining | Self::Unavailable
        )
    }
}

/// Where a target's zone came from: DescribeTargetHealth often leaves it out for
/// instance targets, so it is looked up through the instance or the IP's subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneSource {
    Reported,
    Instance,
    Subnet,
    Unknown,
}

impl ZoneSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Instance => "via instance",
            Self::Subnet => "via subnet",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub port: Option<i32>,
    /// Zone *name* (`us-east-1a`), or `all` for targets outside the VPC.
    pub zone_name: Option<String>,
    pub zone_source: ZoneSource,
    pub state: TargetState,
    pub reason: Option<String>,
    pub description: Option<String>,
    /// ALB anomaly detection ("anomalous"), where the target group has it.
    pub anomalous: bool,
    /// Whether AWS reported an anomaly-detection result (anomalous or normal) at all:
    /// only ALB target groups with automatic target weights have one.
    pub anomaly_checked: bool,
    /// The load balancer is routing less traffic to this anomalous target.
    pub mitigation_in_effect: bool,
    /// AdministrativeOverride `zonal_shift_active`: traffic is shifted away from the
    /// target's zone.
    pub zonal_shift_active: bool,
}

impl Target {
    /// The zone row this target is tallied under: its zone name, or [`UNKNOWN_ZONE`].
    pub fn zone_row(&self) -> &str {
        match self.zone_name.as_deref().map(str::trim) {
            Some(z) if !z.is_empty() && z != "all" => z,
            _ => UNKNOWN_ZONE,
        }
    }

    /// Why the target's zone is not known, in words; `None` when it is.
    pub fn unresolved_zone_reason(&self, target_type: &str) -> Option<&'static str> {
        if self.zone_row() != UNKNOWN_ZONE {
            return None;
        }
        Some(match (self.zone_name.as_deref(), target_type) {
            (Some("all"), _) => "zone \"all\": outside the load balancer's VPC",
            (_, "lambda") => "Lambda, which has no zone",
            (_, "instance") => "instance not found by DescribeInstances",
            (_, "ip") => "IP in no known subnet of the VPC",
            _ => "no zone reported",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    /// instance | ip | lambda | alb
    pub target_type: String,
    pub protocol: Option<String>,
    pub port: Option<i32>,
    pub vpc_id: Option<String>,
    pub load_balancer_arns: Vec<String>,
    /// Cross-zone load balancing in effect for the group (its own attribute, else its
    /// load balancer's).
    pub cross_zone: CrossZone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroupHealth {
    pub group: TargetGroup,
    pub targets: Vec<Target>,
}

/// Counts of targets by state for one target group in one zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub healthy: u32,
    pub unhealthy: u32,
    pub draining: u32,
    pub initial: u32,
    pub unused: u32,
    /// unavailable and states this build does not know.
    pub other: u32,
}

impl StateCounts {
    pub fn add(&mut self, state: &TargetState) {
        match state {
            TargetState::Healthy => self.healthy += 1,
            TargetState::Unhealthy | TargetState::UnhealthyDraining => self.unhealthy += 1,
            TargetState::Draining => self.draining += 1,
            TargetState::Initial => self.initial += 1,
            TargetState::Unused => self.unused += 1,
            TargetState::Unavailable | TargetState::Other(_) => self.other += 1,
        }
    }

    pub fn merge(&mut self, other: &StateCounts) {
        self.healthy += other.healthy;
        self.unhealthy += other.unhealthy;
        self.draining += other.draining;
        self.initial += other.initial;
        self.unused += other.unused;
        self.other += other.other;
    }

    pub fn total(&self) -> u32 {
        self.healthy + self.unhealthy + self.draining + self.initial + self.unused + self.other
    }

    /// Targets that are meant to serve: everything but unused and draining ones.
    pub fn in_service(&self) -> u32 {
        self.healthy + self.unhealthy + self.initial + self.other
    }

    pub fn failing(&self) -> u32 {
        self.unhealthy + self.other
    }
}

/// Per-target signals AWS computes itself, rolled up: ALB anomaly detection and
/// zonal-shift overrides. Works the same whether cross-zone is on or off, because each
/// target is counted in its own zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnomalyTally {
    /// Targets with an anomaly-detection result (anomalous or normal).
    pub checked: u32,
    pub anomalous: u32,
    /// Anomalous targets the load balancer already sends less traffic to.
    pub mitigated: u32,
    /// Targets under an active zonal shift.
    pub zonal_shift: u32,
}

impl AnomalyTally {
    pub fn add(&mut self, t: &Target) {
        if t.anomaly_checked || t.anomalous {
            self.checked += 1;
        }
        if t.anomalous {
            self.anomalous += 1;
            if t.mitigation_in_effect {
                self.mitigated += 1;
            }
        }
        if t.zonal_shift_active {
            self.zonal_shift += 1;
        }
    }

    pub fn merge(&mut self, other: &AnomalyTally) {
        self.checked += other.checked;
        self.anomalous += other.anomalous;
        self.mitigated += other.mitigated;
        self.zonal_shift += other.zonal_shift;
    }

    /// `3/5` (anomalous of checked), or `–` when no target has anomaly detection.
    pub fn ratio_text(&self) -> String {
        if self.checked == 0 {
            "–".into()
        } else {
            format!("{}/{}", self.anomalous, self.checked)
        }
    }
}

/// One target group's tally in one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupZoneTally {
    pub group_arn: String,
    pub group_name: String,
    /// The zone *name*, or [`UNKNOWN_ZONE`].
    pub zone_name: String,
    pub counts: StateCounts,
    /// The most common reason among non-healthy targets, with how many carry it.
    pub dominant_reason: Option<(String, u32)>,
    pub anomaly: AnomalyTally,
    pub cross_zone: CrossZone,
}

/// Tallies every target group by zone (zone *names*; targets with no known zone land
/// under [`UNKNOWN_ZONE`]). Sorted by zone then group name.
pub fn tally_by_zone(groups: &[TargetGroupHealth]) -> Vec<GroupZoneTally> {
    // (zone, group name, group arn) -> (counts, reason -> how many, anomalies, cross-zone)
    type Key = (String, String, String);
    type Acc = (StateCounts, BTreeMap<String, u32>, AnomalyTally, CrossZone);
    let mut out: BTreeMap<Key, Acc> = BTreeMap::new();
    for g in groups {
        for t in &g.targets {
            let entry = out
                .entry((
                    t.zone_row().to_string(),
                    g.group.name.clone(),
                    g.group.arn.clone(),
                ))
                .or_default();
            entry.0.add(&t.state);
            if t.state != TargetState::Healthy
                && let Some(reason) = &t.reason
            {
                *entry.1.entry(reason.clone()).or_default() += 1;
            }
            entry.2.add(t);
            entry.3 = g.group.cross_zone;
        }
    }
    out.into_iter()
        .map(
            |((zone_name, group_name, group_arn), (counts, reasons, anomaly, cross_zone))| {
                let dominant_reason = reasons
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                GroupZoneTally {
                    group_arn,
                    group_name,
                    zone_name,
                    counts,
                    dominant_reason,
                    anomaly,
                    cross_zone,
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(id: &str, zone: &str, state: &str, reason: Option<&str>) -> Target {
        Target {
            id: id.into(),
            port: Some(80),
            zone_name: Some(zone.into()),
            zone_source: ZoneSource::Reported,
            state: TargetState::parse(state),
            reason: reason.map(str::to_string),
            description: None,
            anomalous: false,
            anomaly_checked: false,
            mitigation_in_effect: false,
            zonal_shift_active: false,
        }
    }

    fn group(name: &str, targets: Vec<Target>) -> TargetGroupHealth {
        TargetGroupHealth {
            group: TargetGroup {
                arn: format!("arn:tg/{name}"),
                name: name.into(),
                target_type: "instance".into(),
                protocol: Some("HTTP".into()),
                port: Some(80),
                vpc_id: None,
                load_balancer_arns: vec![],
                cross_zone: CrossZone::Off,
            },
            targets,
        }
    }

    #[test]
    fn parses_every_state() {
        for s in [
            "initial",
            "healthy",
            "unhealthy",
            "unhealthy.draining",
            "unused",
            "draining",
            "unavailable",
        ] {
            assert_eq!(TargetState::parse(s).as_str(), s);
            assert!(!matches!(TargetState::parse(s), TargetState::Other(_)));
        }
        assert_eq!(
            TargetState::parse("weird"),
            TargetState::Other("weird".into())
        );
    }

    #[test]
    fn tallies_states_and_dominant_reason_per_group_and_zone() {
        let groups = vec![group(
            "web",
            vec![
                target("i-1", "us-east-1a", "healthy", None),
                target("i-2", "us-east-1a", "unhealthy", Some("Target.Timeout")),
                target("i-3", "us-east-1a", "unhealthy", Some("Target.Timeout")),
                target(
                    "i-4",
                    "us-east-1a",
                    "draining",
                    Some("Target.DeregistrationInProgress"),
                ),
                target(
                    "i-5",
                    "us-east-1b",
                    "initial",
                    Some("Elb.InitialHealthChecking"),
                ),
                target("i-6", "us-east-1b", "unused", Some("Target.NotInUse")),
            ],
        )];
        let t = tally_by_zone(&groups);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].zone_name, "us-east-1a");
        assert_eq!(
            t[0].counts,
            StateCounts {
                healthy: 1,
                unhealthy: 2,
                draining: 1,
                ..Default::default()
            }
        );
        assert_eq!(t[0].dominant_reason, Some(("Target.Timeout".into(), 2)));
        assert_eq!(t[1].counts.initial, 1);
        assert_eq!(t[1].counts.unused, 1);
        assert_eq!(t[1].counts.in_service(), 1);
    }

    #[test]
    fn targets_without_zone_are_kept_under_unknown_with_a_reason() {
        let mut none = target("i-9", "x", "healthy", None);
        none.zone_name = None;
        let all = target("10.9.9.9", "all", "unhealthy", Some("Target.Timeout"));
        let blank = target("i-8", " ", "healthy", None);
        let tally = tally_by_zone(&[group("web", vec![none.clone(), all.clone(), blank])]);
        assert_eq!(tally.len(), 1, "{tally:?}");
        assert_eq!(tally[0].zone_name, UNKNOWN_ZONE);
        assert_eq!(tally[0].counts.healthy, 2);
        assert_eq!(tally[0].counts.unhealthy, 1);
        assert_eq!(
            none.unresolved_zone_reason("instance"),
            Some("instance not found by DescribeInstances")
        );
        assert_eq!(
            none.unresolved_zone_reason("ip"),
            Some("IP in no known subnet of the VPC")
        );
        assert_eq!(
            none.unresolved_zone_reason("lambda"),
            Some("Lambda, which has no zone")
        );
        assert!(
            all.unresolved_zone_reason("ip")
                .is_some_and(|r| r.contains("outside the load balancer's VPC"))
        );
        assert_eq!(
            target("i-1", "us-east-1a", "healthy", None).unresolved_zone_reason("instance"),
            None
        );
    }

    #[test]
    fn anomalies_and_zonal_shift_roll_up_per_group_and_zone() {
        let mut a = target("i-1", "us-east-1a", "healthy", None);
        a.anomaly_checked = true;
        a.anomalous = true;
        a.mitigation_in_effect = true;
        let mut b = target("i-2", "us-east-1a", "healthy", None);
        b.anomaly_checked = true;
        b.zonal_shift_active = true;
        let c = target("i-3", "us-east-1b", "healthy", None);
        let tally = tally_by_zone(&[group("web", vec![a, b, c])]);
        assert_eq!(
            tally[0].anomaly,
            AnomalyTally {
                checked: 2,
                anomalous: 1,
                mitigated: 1,
                zonal_shift: 1
            }
        );
        assert_eq!(tally[0].anomaly.ratio_text(), "1/2");
        assert_eq!(tally[1].anomaly.ratio_text(), "–", "no anomaly detection");
        assert_eq!(tally[0].cross_zone, CrossZone::Off);
    }
}
