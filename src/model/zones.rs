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

    /// The CloudWatch namespace of its metrics.
    pub fn namespace(self) -> &'static str {
        match self {
            LbKind::Application => "AWS/ApplicationELB",
            LbKind::Network => "AWS/NetworkELB",
            LbKind::Gateway => "AWS/GatewayELB",
        }
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
