//! Availability Zones and load balancers.
//!
//! AZ *names* (`us-east-1a`) are mapped per account; AZ *IDs* (`use1-az2`) are the same
//! for everyone, so everything is keyed by ID and names are shown beside them.

use std::net::Ipv4Addr;

/// One Availability Zone as DescribeAvailabilityZones reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub id: String,
    /// available | information | impaired | unavailable | constrained
    pub state: String,
}

impl Zone {
    /// Whether EC2 itself reports the zone as not fully available.
    pub fn reported_unwell(&self) -> bool {
        matches!(
            self.state.as_str(),
            "impaired" | "unavailable" | "constrained"
        )
    }
}

/// The account's zones, looked up by name or by ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneMap {
    zones: Vec<Zone>,
}

impl ZoneMap {
    pub fn new(mut zones: Vec<Zone>) -> Self {
        zones.sort_by(|a, b| a.name.cmp(&b.name));
        Self { zones }
    }

    pub fn all(&self) -> &[Zone] {
        &self.zones
    }

    pub fn by_name(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.name == name)
    }

    pub fn by_id(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// The zone ID for a name; an unknown name keys as itself so nothing is dropped.
    pub fn id_for(&self, name: &str) -> String {
        self.by_name(name)
            .map(|z| z.id.clone())
            .unwrap_or_else(|| name.to_string())
    }
}

/// The kind of an ELBv2 load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbKind {
    Application,
    Network,
    Gateway,
}

impl LbKind {
    pub fn label(self) -> &'static str {
        match self {
            LbKind::Application => "ALB",
            LbKind::Network => "NLB",
            LbKind::Gateway => "GWLB",
        }
    }
}

/// Whether a target group's load-balancer nodes send to targets in every zone.
///
/// The `AvailabilityZone` dimension of a load balancer's metrics is the zone of the
/// load-balancer *node*. With cross-zone load balancing off, a node sends only to its
/// own zone's targets, so per-AZ metrics are per-zone evidence; with it on, every
/// node's numbers mix every zone's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum CrossZone {
    Off,
    On,
    /// Not read (yet), or the read failed.
    #[default]
    Unknown,
}

impl CrossZone {
    pub fn label(self) -> &'static str {
        match self {
            CrossZone::Off => "cross-zone off",
            CrossZone::On => "cross-zone on",
            CrossZone::Unknown => "cross-zone not known",
        }
    }

    /// The setting in effect for a set of target groups whose metrics are added up:
    /// mixed if any of them is on, per zone only if every one is known to be off.
    pub fn combine(settings: impl IntoIterator<Item = CrossZone>) -> CrossZone {
        let mut out = None;
        for s in settings {
            out = Some(match (out, s) {
                (_, CrossZone::On) | (Some(CrossZone::On), _) => CrossZone::On,
                (_, CrossZone::Unknown) | (Some(CrossZone::Unknown), _) => CrossZone::Unknown,
                _ => CrossZone::Off,
            });
        }
        out.unwrap_or(CrossZone::Unknown)
    }
}

/// A target group's `load_balancing.cross_zone.enabled` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCrossZone {
    On,
    Off,
    /// `use_load_balancer_configuration` (the default), or the attribute left out.
    FromLoadBalancer,
}

impl GroupCrossZone {
    /// The attribute value as DescribeTargetGroupAttributes returns it; anything else
    /// defers to the load balancer, as AWS does.
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "true" => GroupCrossZone::On,
            "false" => GroupCrossZone::Off,
            _ => GroupCrossZone::FromLoadBalancer,
        }
    }
}

/// The cross-zone setting in effect for a target group: its own attribute when it sets
/// one, else the load balancer's. An ALB always has it on at the load-balancer level;
/// NLBs and GWLBs default to off but say so in DescribeLoadBalancerAttributes
/// (`lb_setting`, `None` when that was not read).
pub fn effective_cross_zone(
    kind: LbKind,
    group: Option<GroupCrossZone>,
    lb_setting: Option<bool>,
) -> CrossZone {
    match group {
        Some(GroupCrossZone::On) => CrossZone::On,
        Some(GroupCrossZone::Off) => CrossZone::Off,
        Some(GroupCrossZone::FromLoadBalancer) | None => match (kind, lb_setting) {
            (LbKind::Application, _) => CrossZone::On,
            (_, Some(true)) => CrossZone::On,
            (_, Some(false)) => CrossZone::Off,
            (_, None) => CrossZone::Unknown,
        },
    }
}

/// A load balancer and the zones it is enabled in (names, as ELBv2 reports them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub kind: LbKind,
    pub scheme: String,
    pub state: String,
    pub vpc_id: Option<String>,
    pub zone_names: Vec<String>,
}

impl LoadBalancer {
    /// The `LoadBalancer` CloudWatch dimension: the ARN's tail after `loadbalancer/`,
    /// e.g. `app/shop/50dc6c495c0c9188`.
    pub fn metric_dimension(&self) -> Option<&str> {
        arn_resource_tail(&self.arn, "loadbalancer/")
    }

    /// The account ID in the ARN (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:...`).
    pub fn account_id(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|s| !s.is_empty())
    }
}

/// The part of an ARN after `marker`, e.g. `targetgroup/web/73e2d6bc24d8a067` for
/// marker `targetgroup/`... kept including the marker's resource type.
pub fn arn_resource_tail<'a>(arn: &'a str, marker: &str) -> Option<&'a str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix(marker)?;
    if rest.is_empty() { None } else { Some(rest) }
}

/// An IPv4 CIDR block, for finding which subnet an IP target lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    base: u32,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = s.split_once('/')?;
        let addr: Ipv4Addr = addr.trim().parse().ok()?;
        let prefix: u8 = prefix.trim().parse().ok()?;
        if prefix > 32 {
            return None;
        }
        Some(Self {
            base: u32::from(addr) & Self::mask(prefix),
            prefix,
        })
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        }
    }

    pub fn contains(&self, ip: &str) -> bool {
        ip.parse::<Ipv4Addr>()
            .map(|ip| u32::from(ip) & Self::mask(self.prefix) == self.base)
            .unwrap_or(false)
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }
}

/// A subnet: its CIDR and zone, for IP targets that come back without a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub cidr: String,
    pub zone_name: String,
}

/// The zone of the most specific subnet containing `ip`.
pub fn zone_of_ip<'a>(subnets: &'a [Subnet], ip: &str) -> Option<&'a str> {
    subnets
        .iter()
        .filter_map(|s| Cidr::parse(&s.cidr).map(|c| (c, s)))
        .filter(|(c, _)| c.contains(ip))
        .max_by_key(|(c, _)| c.prefix())
        .map(|(_, s)| s.zone_name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> ZoneMap {
        ZoneMap::new(vec![
            Zone {
                name: "us-east-1b".into(),
                id: "use1-az1".into(),
                state: "available".into(),
            },
            Zone {
                name: "us-east-1a".into(),
                id: "use1-az6".into(),
                state: "available".into(),
            },
        ])
    }

    #[test]
    fn maps_names_and_ids_both_ways() {
        let z = zones();
        assert_eq!(z.id_for("us-east-1a"), "use1-az6");
        assert_eq!(
            z.by_id("use1-az1").map(|z| z.name.as_str()),
            Some("us-east-1b")
        );
        assert_eq!(z.id_for("eu-west-9z"), "eu-west-9z");
        assert_eq!(z.all()[0].name, "us-east-1a", "sorted by name");
    }

    #[test]
    fn lb_dimension_and_account() {
        let lb = LoadBalancer {
            arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188".into(),
            name: "shop".into(),
            kind: LbKind::Application,
            scheme: "internet-facing".into(),
            state: "active".into(),
            vpc_id: None,
            zone_names: vec![],
        };
        assert_eq!(lb.metric_dimension(), Some("app/shop/50dc6c495c0c9188"));
        assert_eq!(lb.account_id(), Some("123456789012"));
        assert_eq!(
            arn_resource_tail(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
                ""
            ),
            Some("targetgroup/web/73e2d6bc24d8a067")
        );
    }

    #[test]
    fn cross_zone_group_setting_wins_else_the_load_balancer_decides() {
        use GroupCrossZone as G;
        let alb = LbKind::Application;
        let nlb = LbKind::Network;
        assert_eq!(
            effective_cross_zone(alb, Some(G::Off), None),
            CrossZone::Off
        );
        assert_eq!(
            effective_cross_zone(alb, Some(G::FromLoadBalancer), None),
            CrossZone::On
        );
        assert_eq!(
            effective_cross_zone(alb, None, Some(false)),
            CrossZone::On,
            "ALB: always on"
        );
        assert_eq!(
            effective_cross_zone(nlb, Some(G::FromLoadBalancer), Some(false)),
            CrossZone::Off
        );
        assert_eq!(effective_cross_zone(nlb, None, Some(true)), CrossZone::On);
        assert_eq!(
            effective_cross_zone(nlb, Some(G::On), Some(false)),
            CrossZone::On
        );
        assert_eq!(effective_cross_zone(nlb, None, None), CrossZone::Unknown);
        assert_eq!(G::parse("true"), G::On);
        assert_eq!(G::parse("false"), G::Off);
        assert_eq!(
            G::parse("use_load_balancer_configuration"),
            G::FromLoadBalancer
        );
    }

    #[test]
    fn cross_zone_combines_to_mixed_if_any_group_is_on() {
        use CrossZone::*;
        assert_eq!(CrossZone::combine([Off, Off]), Off);
        assert_eq!(CrossZone::combine([Off, On, Unknown]), On);
        assert_eq!(CrossZone::combine([Off, Unknown]), Unknown);
        assert_eq!(CrossZone::combine([]), Unknown);
    }

    #[test]
    fn cidr_matching_prefers_most_specific() {
        let subnets = vec![
            Subnet {
                id: "subnet-wide".into(),
                cidr: "10.0.0.0/16".into(),
                zone_name: "us-east-1a".into(),
            },
            Subnet {
                id: "subnet-narrow".into(),
                cidr: "10.0.2.0/24".into(),
                zone_name: "us-east-1c".into(),
            },
        ];
        assert_eq!(zone_of_ip(&subnets, "10.0.2.17"), Some("us-east-1c"));
        assert_eq!(zone_of_ip(&subnets, "10.0.9.1"), Some("us-east-1a"));
        assert_eq!(zone_of_ip(&subnets, "192.168.0.1"), None);
        assert_eq!(zone_of_ip(&subnets, "not-an-ip"), None);
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains("8.8.8.8")));
    }
}
