//! Target groups and target health, and the per target group x zone tallies the AZ
//! pane shows.

use std::collections::BTreeMap;

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

/// One target group's tally in one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupZoneTally {
    pub group_arn: String,
    pub group_name: String,
    pub zone_name: String,
    pub counts: StateCounts,
    /// The most common reason among non-healthy targets, with how many carry it.
    pub dominant_reason: Option<(String, u32)>,
}

/// Tallies every target group by zone (zone *names*; targets with no known zone
/// land under `?`). Sorted by zone then group name.
pub fn tally_by_zone(groups: &[TargetGroupHealth]) -> Vec<GroupZoneTally> {
    // (zone, group name, group arn) -> (counts, reason -> how many)
    type Key = (String, String, String);
    let mut out: BTreeMap<Key, (StateCounts, BTreeMap<String, u32>)> = BTreeMap::new();
    for g in groups {
        for t in &g.targets {
            let zone = t.zone_name.clone().unwrap_or_else(|| "?".to_string());
            let entry = out
                .entry((zone, g.group.name.clone(), g.group.arn.clone()))
                .or_default();
            entry.0.add(&t.state);
            if t.state != TargetState::Healthy
                && let Some(reason) = &t.reason
            {
                *entry.1.entry(reason.clone()).or_default() += 1;
            }
        }
    }
    out.into_iter()
        .map(|((zone_name, group_name, group_arn), (counts, reasons))| {
            let dominant_reason = reasons
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
            GroupZoneTally {
                group_arn,
                group_name,
                zone_name,
                counts,
                dominant_reason,
            }
        })
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
    fn targets_without_zone_are_kept() {
        let mut t = target("i-9", "x", "healthy", None);
        t.zone_name = None;
        let tally = tally_by_zone(&[group("web", vec![t])]);
        assert_eq!(tally[0].zone_name, "?");
        assert_eq!(tally[0].counts.healthy, 1);
    }
}
