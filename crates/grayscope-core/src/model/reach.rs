//! Reachability Analyzer, in domain words: the pair asked about ([`ReachRequest`]), what
//! each end is ([`Endpoint`], from an interface's type, requester, description and
//! attachment), an analysis' result ([`Analysis`]: hops with the rule that matched, and
//! [`Explanation`]s), and the words for each: [`explain`] turns an explanation code and
//! its context into a sentence naming the component and the rule's fields.
//!
//! Pure: the backend fills these types, the view and the summary read them.

use crate::model::text::clean;
use crate::model::zones::Cidr;

/// What to analyse: a flow-log row's source and destination (addresses or ENI ids),
/// its destination port and IP protocol number, and the interfaces when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachRequest {
    pub src: String,
    pub dst: String,
    pub dst_port: Option<u16>,
    pub protocol: Option<u8>,
    pub src_interface: Option<String>,
    pub dst_interface: Option<String>,
}

impl ReachRequest {
    pub fn new(
        src: impl Into<String>,
        dst: impl Into<String>,
        dst_port: Option<u16>,
        protocol: Option<u8>,
        src_interface: Option<String>,
        dst_interface: Option<String>,
    ) -> Self {
        Self {
            src: src.into(),
            dst: dst.into(),
            dst_port,
            protocol,
            src_interface,
            dst_interface,
        }
    }

    /// `tcp`, `udp`, or `None` for a protocol Reachability Analyzer cannot check.
    pub fn protocol_name(&self) -> Option<&'static str> {
        protocol_name(self.protocol.unwrap_or(6))
    }

    /// `10.20.2.31 -> 10.20.11.25 tcp/5432`.
    pub fn label(&self) -> String {
        let proto = self
            .protocol
            .map(|p| {
                protocol_name(p)
                    .map(str::to_string)
                    .unwrap_or(format!("proto {p}"))
            })
            .unwrap_or_else(|| "tcp".into());
        let port = self.dst_port.map(|p| format!("/{p}")).unwrap_or_default();
        format!("{} -> {} {proto}{port}", clean(&self.src), clean(&self.dst))
    }
}

/// The IP protocol numbers Reachability Analyzer paths take.
pub fn protocol_name(number: u8) -> Option<&'static str> {
    match number {
        6 => Some("tcp"),
        17 => Some("udp"),
        _ => None,
    }
}

/// What an interface belongs to, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    Instance,
    LoadBalancer,
    Database,
    Cache,
    Lambda,
    NatGateway,
    VpcEndpoint,
    Container,
    Interface,
}

impl EndpointKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Instance => "instance",
            Self::LoadBalancer => "load balancer",
            Self::Database => "database (RDS)",
            Self::Cache => "cache (ElastiCache)",
            Self::Lambda => "Lambda function",
            Self::NatGateway => "NAT gateway",
            Self::VpcEndpoint => "VPC endpoint",
            Self::Container => "container task",
            Self::Interface => "network interface",
        }
    }
}

/// What DescribeNetworkInterfaces says about an interface, as plain strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceFacts {
    pub interface_type: String,
    pub requester_id: Option<String>,
    pub description: String,
    pub attached_instance: Option<String>,
}

/// What the interface belongs to and its name, from its facts (interface type first,
/// then the requester, then the description's well-known prefixes).
pub fn classify(f: &InterfaceFacts) -> (EndpointKind, String) {
    let desc = clean(&f.description);
    let requester = f.requester_id.as_deref().unwrap_or("");
    let after = |prefix: &str| desc.strip_prefix(prefix).map(|s| s.trim().to_string());
    if let Some(i) = &f.attached_instance {
        return (EndpointKind::Instance, clean(i));
    }
    match f.interface_type.as_str() {
        "natGateway" | "nat_gateway" => {
            let name = after("Interface for NAT Gateway").unwrap_or(desc.clone());
            return (EndpointKind::NatGateway, name);
        }
        "lambda" => {
            let name = after("AWS Lambda VPC ENI-").unwrap_or(desc.clone());
            return (EndpointKind::Lambda, name);
        }
        "network_load_balancer" | "gateway_load_balancer" | "load_balancer" => {
            let name = after("ELB").unwrap_or(desc.clone());
            return (EndpointKind::LoadBalancer, name);
        }
        "vpc_endpoint" | "gateway_load_balancer_endpoint" => {
            return (EndpointKind::VpcEndpoint, desc);
        }
        _ => {}
    }
    if desc.starts_with("ELB ") || requester == "amazon-elb" {
        return (
            EndpointKind::LoadBalancer,
            after("ELB").unwrap_or(desc.clone()),
        );
    }
    if requester == "amazon-rds" || desc.starts_with("RDSNetworkInterface") {
        return (EndpointKind::Database, desc);
    }
    if requester == "amazon-elasticache" || desc.starts_with("ElastiCache") {
        return (
            EndpointKind::Cache,
            after("ElastiCache").unwrap_or(desc.clone()),
        );
    }
    if desc.starts_with("AWS Lambda VPC ENI") {
        return (
            EndpointKind::Lambda,
            after("AWS Lambda VPC ENI-").unwrap_or(desc.clone()),
        );
    }
    if desc.starts_with("Interface for NAT Gateway") {
        return (
            EndpointKind::NatGateway,
            after("Interface for NAT Gateway").unwrap_or(desc.clone()),
        );
    }
    if desc.starts_with("arn:aws:ecs:") || requester.contains("ecs") {
        return (EndpointKind::Container, desc);
    }
    (EndpointKind::Interface, desc)
}

/// One end of the pair, resolved to its interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub address: String,
    pub interface_id: String,
    pub kind: EndpointKind,
    pub name: String,
    pub subnet_id: String,
    pub zone_name: String,
    pub zone_id: Option<String>,
    pub vpc_id: String,
    pub security_groups: Vec<Component>,
}

impl Endpoint {
    /// `instance i-0b05eed7ab1e0c0f (eni-0app..., subnet-0app1b, us-east-1b use1-az6)`.
    pub fn describe(&self) -> String {
        let zone = match &self.zone_id {
            Some(id) => format!("{} {}", self.zone_name, id),
            None => self.zone_name.clone(),
        };
        clean(&format!(
            "{} {} ({}, {}, {})",
            self.kind.label(),
            self.name,
            self.interface_id,
            self.subnet_id,
            zone
        ))
    }
}

/// A network component an analysis names: its id and, when it has one, its name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Component {
    pub id: String,
    pub name: Option<String>,
}

impl Component {
    pub fn new(id: impl Into<String>, name: Option<&str>) -> Self {
        Self {
            id: id.into(),
            name: name.map(str::to_string),
        }
    }

    /// `sg-0abc (cache-sg)` or `sg-0abc`.
    pub fn label(&self) -> String {
        match self
            .name
            .as_deref()
            .filter(|n| !n.is_empty() && *n != self.id)
        {
            Some(n) => clean(&format!("{} ({n})", self.id)),
            None => clean(&self.id),
        }
    }

    /// Its kind from the id's prefix, in words.
    pub fn kind(&self) -> &'static str {
        let prefix = self.id.split('-').next().unwrap_or("");
        match prefix {
            "eni" => "interface",
            "sg" => "security group",
            "acl" => "network ACL",
            "rtb" => "route table",
            "subnet" => "subnet",
            "vpc" => "VPC",
            "igw" => "internet gateway",
            "nat" => "NAT gateway",
            "tgw" => "transit gateway",
            "pcx" => "peering connection",
            "vpce" => "VPC endpoint",
            "i" => "instance",
            "eigw" => "egress-only gateway",
            "vgw" => "VPN gateway",
            _ => "component",
        }
    }
}

/// A port range; `None` ends mean all ports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ports {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl Ports {
    pub fn one(p: i32) -> Self {
        Self {
            from: Some(p),
            to: Some(p),
        }
    }

    /// `5432`, `1024-65535`, or `all`.
    pub fn label(&self) -> String {
        match (self.from, self.to) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(0), Some(65535)) | (None, None) | (Some(-1), _) => "all".into(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            (Some(a), None) | (None, Some(a)) => a.to_string(),
        }
    }

    pub fn contains(&self, port: u16) -> bool {
        match (self.from, self.to) {
            (Some(a), Some(b)) if a >= 0 => (a..=b).contains(&(port as i32)),
            _ => true,
        }
    }
}

/// A protocol as the EC2 API writes it in rules (`tcp`, `6`, `-1` / `all`).
pub fn protocol_label(p: &str) -> String {
    match p {
        "-1" | "all" | "" => "all traffic".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        other => clean(other),
    }
}

/// A security-group rule (as matched on a hop, or as read for an explanation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SgRule {
    /// `ingress` or `egress`.
    pub direction: String,
    pub protocol: String,
    pub ports: Ports,
    /// The peer: a CIDR, a security group id or a prefix list id.
    pub peer: String,
}

impl SgRule {
    /// `ingress tcp/5432 from 10.20.1.0/24`.
    pub fn label(&self) -> String {
        let way = if self.direction == "egress" {
            "to"
        } else {
            "from"
        };
        clean(&format!(
            "{} {}/{} {way} {}",
            self.direction,
            protocol_label(&self.protocol),
            self.ports.label(),
            self.peer
        ))
    }
}

/// A network ACL rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclRule {
    pub rule_number: i32,
    pub egress: bool,
    /// `allow` or `deny`.
    pub action: String,
    pub protocol: String,
    pub ports: Ports,
    pub cidr: String,
}

impl AclRule {
    /// `rule 100 inbound allow tcp/5432 10.20.0.0/16`; 32767 is the default `*` rule.
    pub fn label(&self) -> String {
        let number = if self.rule_number == 32767 {
            "default rule *".to_string()
        } else {
            format!("rule {}", self.rule_number)
        };
        clean(&format!(
            "{number} {} {} {}/{} {}",
            if self.egress { "outbound" } else { "inbound" },
            self.action,
            protocol_label(&self.protocol),
            self.ports.label(),
            self.cidr
        ))
    }
}

/// A route that matched (or was missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    pub destination: String,
    /// `local`, `igw-...`, `nat-...`, ...
    pub target: String,
    pub state: Option<String>,
}

impl Route {
    pub fn label(&self) -> String {
        let state = self
            .state
            .as_deref()
            .filter(|s| *s != "active")
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        clean(&format!(
            "route {} -> {}{state}",
            self.destination, self.target
        ))
    }
}

/// One hop of a path: the component and the rule or route it applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hop {
    pub sequence: i32,
    pub component: Component,
    pub sg_rule: Option<SgRule>,
    pub acl_rule: Option<AclRule>,
    pub route: Option<Route>,
}

impl Hop {
    /// `3 network ACL acl-0app1b: rule 100 outbound allow all traffic/all 0.0.0.0/0`.
    pub fn label(&self) -> String {
        let rule = self
            .sg_rule
            .as_ref()
            .map(SgRule::label)
            .or_else(|| self.acl_rule.as_ref().map(AclRule::label))
            .or_else(|| self.route.as_ref().map(Route::label));
        match rule {
            Some(r) => format!(
                "{} {} {}: {r}",
                self.sequence,
                self.component.kind(),
                self.component.label()
            ),
            None => format!(
                "{} {} {}",
                self.sequence,
                self.component.kind(),
                self.component.label()
            ),
        }
    }
}

/// Why a path is not reachable (or a note about it): the code and its context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub code: String,
    /// `ingress` / `egress` when the code says which way.
    pub direction: Option<String>,
    /// The component it is about (interface, gateway, route table...).
    pub component: Option<Component>,
    pub security_groups: Vec<Component>,
    pub acl: Option<Component>,
    pub acl_rule: Option<AclRule>,
    pub route_table: Option<Component>,
    pub route: Option<Route>,
    pub subnet: Option<Component>,
    pub vpc: Option<Component>,
    pub address: Option<String>,
    pub cidrs: Vec<String>,
    pub port_ranges: Vec<Ports>,
    pub protocols: Vec<String>,
    pub state: Option<String>,
    /// The blocking security groups' rules for this protocol, read for the words.
    pub sg_rules: Vec<SgRule>,
}

/// The state of an analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalysisStatus {
    Running,
    Succeeded,
    Failed(String),
}

/// An analysis as DescribeNetworkInsightsAnalyses reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub analysis_id: String,
    pub analysis_arn: String,
    pub path_id: String,
    pub status: AnalysisStatus,
    pub path_found: Option<bool>,
    pub forward: Vec<Hop>,
    pub returning: Vec<Hop>,
    pub explanations: Vec<Explanation>,
}

/// What the path is between, for finding or creating one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSpec {
    pub source: String,
    pub destination: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub port: Option<u16>,
}

/// The aws CLI lines that delete what an analysis left behind.
pub fn delete_commands(analysis_ids: &[String], path_id: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = analysis_ids
        .iter()
        .map(|a| {
            format!("aws ec2 delete-network-insights-analysis --network-insights-analysis-id {a}")
        })
        .collect();
    if let Some(p) = path_id {
        out.push(format!(
            "aws ec2 delete-network-insights-path --network-insights-path-id {p}"
        ));
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn named(c: &Option<Component>, fallback: &str) -> String {
    c.as_ref()
        .map(Component::label)
        .unwrap_or_else(|| fallback.to_string())
}

/// The security groups' rules on the request's protocol and port, and whether the
/// peer address falls in any of their CIDRs, in words.
fn sg_words(e: &Explanation, req: &ReachRequest) -> String {
    let groups = if e.security_groups.is_empty() {
        named(&e.component, "the security groups")
    } else {
        and_list(
            &e.security_groups
                .iter()
                .map(Component::label)
                .collect::<Vec<_>>(),
        )
    };
    let ingress = e.direction.as_deref() != Some("egress");
    let proto = req.protocol_name().unwrap_or("tcp");
    let port = req.dst_port;
    let what = match port {
        Some(p) => format!("{proto}/{p}"),
        None => proto.to_string(),
    };
    let (peer_word, peer) = if ingress {
        ("source", &req.src)
    } else {
        ("destination", &req.dst)
    };
    let wanted_dir = if ingress { "ingress" } else { "egress" };
    let peers: Vec<String> = e
        .sg_rules
        .iter()
        .filter(|r| r.direction == wanted_dir)
        .filter(|r| {
            let p = protocol_label(&r.protocol);
            p == "all traffic" || p == proto
        })
        .filter(|r| port.is_none_or(|p| r.ports.contains(p)))
        .map(|r| r.peer.clone())
        .collect();
    let way = if ingress { "from" } else { "to" };
    if e.sg_rules.is_empty() {
        return format!(
            "{groups} has no {wanted_dir} rule that allows {what} {way} {}",
            clean(peer)
        );
    }
    if peers.is_empty() {
        return format!(
            "{groups} allows no {what} {wanted_dir} at all; the {peer_word} {} is not allowed",
            clean(peer)
        );
    }
    let cidrs: Vec<&String> = peers.iter().filter(|p| Cidr::parse(p).is_some()).collect();
    let inside = cidrs
        .iter()
        .any(|c| Cidr::parse(c).is_some_and(|c| c.contains(peer)));
    let tail = if inside {
        format!(
            "the {peer_word} {} is inside one of them, so a rule of another kind (group reference, prefix list) or the other direction is at fault",
            clean(peer)
        )
    } else if cidrs.len() < peers.len() {
        format!(
            "the {peer_word} {} is in none of its CIDRs, and the analysis found it in none of the referenced groups or prefix lists",
            clean(peer)
        )
    } else if peers.len() == 1 {
        format!("the {peer_word} {} is not in it", clean(peer))
    } else if peers.len() == 2 {
        format!("the {peer_word} {} is in neither", clean(peer))
    } else {
        format!("the {peer_word} {} is in none of them", clean(peer))
    };
    format!(
        "{groups} allows {what} only {way} {}; {tail}",
        clean(&and_list(&peers))
    )
}

/// The explanation in words: the code's meaning, the component that blocks and the
/// rule's fields. Unknown codes fall back to naming the code and the component.
pub fn explain(e: &Explanation, req: &ReachRequest) -> String {
    let comp = named(&e.component, "a component");
    let dir = e.direction.as_deref().unwrap_or("");
    let text = match e.code.as_str() {
        "ENI_SG_RULES_MISMATCH" | "SECURITY_GROUP_RULES_MISMATCH" | "SECURITY_GROUP_RULE" => {
            sg_words(e, req)
        }
        "NO_ROUTE_TO_DESTINATION" => format!(
            "route table {} has no route to {} (the traffic leaves {} and has nowhere to go)",
            named(&e.route_table, "of the subnet"),
            clean(&req.dst),
            comp
        ),
        "CANNOT_ROUTE" => format!(
            "{} cannot carry the traffic: its destination does not match {}",
            e.route
                .as_ref()
                .map(Route::label)
                .unwrap_or_else(|| "a route".into()),
            clean(&req.dst)
        ),
        "ENI_ACL_RULES_MISMATCH" | "SUBNET_ACL_RESTRICTION" | "NETWORK_ACL_RULE" => {
            let acl = named(&e.acl, "the subnet's network ACL");
            let way = if e.direction.as_deref() == Some("egress") {
                "outbound"
            } else {
                "inbound"
            };
            match &e.acl_rule {
                Some(r) => format!(
                    "network ACL {acl} blocks it {way}: {} matches first",
                    r.label()
                ),
                None => format!("network ACL {acl} has no {way} rule that allows it"),
            }
        }
        "BAD_STATE" => format!(
            "{comp} is not in a working state{}",
            e.state
                .as_deref()
                .map(|s| format!(" ({})", clean(s)))
                .unwrap_or_default()
        ),
        "BAD_STATE_ATTACHMENT" => format!("the attachment of {comp} is not in a working state"),
        "BAD_STATE_ROUTE" => format!(
            "{} in {} is not active (a blackhole: its target is gone)",
            e.route
                .as_ref()
                .map(Route::label)
                .unwrap_or_else(|| "a route".into()),
            named(&e.route_table, "the route table")
        ),
        "BAD_STATE_VPN" => format!("VPN connection {comp} is not up"),
        "NO_SOURCE_ADDRESS_MATCH" | "SOURCE_ADDRESS_MISMATCH" => format!(
            "{comp} has no address that matches the source {}",
            clean(&req.src)
        ),
        "IGW_ROUTER_SOURCE_ADDRESS_NO_PUBLIC_IP" | "IGW_NO_PUBLIC_ADDRESS" => {
            format!("the traffic reaches internet gateway {comp} from an address with no public IP")
        }
        "ENI_NOT_FOUND" | "COMPONENT_NOT_FOUND" | "NOT_FOUND" => {
            format!("{comp} was not found (deleted, or in another account)")
        }
        "NO_PATH" | "PATH_NOT_FOUND" => "no path connects the two ends".to_string(),
        "SUBNET_NOT_IN_VPC" | "VPC_MISMATCH" | "DIFFERENT_VPC" => format!(
            "the ends are in different VPCs with no peering or transit gateway between them ({comp})"
        ),
        "TGW_ROUTE_TABLE_NO_ROUTE" | "TGW_RTB_CANNOT_ROUTE" => format!(
            "transit gateway route table {} has no route to {}",
            named(&e.route_table, &comp),
            clean(&req.dst)
        ),
        "PCX_REQUEST_NOT_ACCEPTED" | "PEERING_CONNECTION_NOT_ACTIVE" => {
            format!("peering connection {comp} is not active (the request was not accepted)")
        }
        "ELB_LISTENERS_MISMATCH" | "ELBV2_LISTENER_MISMATCH" => {
            format!("load balancer {comp} has no listener that accepts this traffic")
        }
        "ELB_NOT_CROSSZONE" => format!(
            "load balancer {comp} cannot send to targets in other zones: cross-zone load balancing is off"
        ),
        "ELB_INSTALLED_AZ_RESTRICTION" => {
            format!("load balancer {comp} sends only to targets in its enabled Availability Zones")
        }
        "ELB_ACL_RESTRICTION" => format!(
            "Classic Load Balancer {comp}: network ACLs apply to its outbound traffic, even within its subnet"
        ),
        "ELBV2_LISTENER_HAS_NO_TG" => format!("listener of {comp} forwards to no target group"),
        "NAT_GATEWAY_DROPS_TRAFFIC" | "NAT_GATEWAY_PROTOCOL_RESTRICTION" => {
            format!("NAT gateway {comp} does not pass this protocol")
        }
        "ENI_SOURCE_DEST_CHECK_RESTRICTION" | "SOURCE_DEST_CHECK" => {
            format!("{comp} drops traffic not addressed to itself (source/destination check is on)")
        }
        "NO_ROUTE_TO_INTERNET" | "MISSING_INTERNET_GATEWAY" => {
            format!("{comp} has no route to an internet gateway")
        }
        code => format!(
            "{} ({}{})",
            code.to_lowercase().replace('_', " "),
            comp,
            if dir.is_empty() {
                String::new()
            } else {
                format!(", {dir}")
            }
        ),
    };
    format!("{}: {}", clean(&e.code), clean(&text))
}

/// The verdict in two or three words, for the compact face (the explanation follows).
pub fn short_verdict(a: &Analysis) -> &'static str {
    match (&a.status, a.path_found) {
        (AnalysisStatus::Running, _) => "analysing",
        (AnalysisStatus::Failed(_), _) => "ANALYSIS FAILED",
        (AnalysisStatus::Succeeded, Some(true)) => "REACHABLE",
        (AnalysisStatus::Succeeded, _) => "NOT REACHABLE",
    }
}

/// The verdict line: reachable or not, with what is at fault first.
pub fn verdict(a: &Analysis) -> String {
    match (&a.status, a.path_found) {
        (AnalysisStatus::Running, _) => "analysing".into(),
        (AnalysisStatus::Failed(m), _) => format!("analysis failed: {}", clean(m)),
        (AnalysisStatus::Succeeded, Some(true)) => format!(
            "REACHABLE: {} hops out, {} back",
            a.forward.len(),
            a.returning.len()
        ),
        (AnalysisStatus::Succeeded, _) => match a.explanations.first() {
            Some(e) => format!(
                "NOT REACHABLE: {}{}",
                e.code,
                e.component
                    .as_ref()
                    .or(e.security_groups.first())
                    .map(|c| format!(" at {}", c.label()))
                    .unwrap_or_default()
            ),
            None => "NOT REACHABLE".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> ReachRequest {
        ReachRequest::new("10.20.2.31", "10.20.11.25", Some(5432), Some(6), None, None)
    }

    fn sg_mismatch(peers: &[&str]) -> Explanation {
        Explanation {
            code: "ENI_SG_RULES_MISMATCH".into(),
            direction: Some("ingress".into()),
            component: Some(Component::new("eni-0db", None)),
            security_groups: vec![Component::new("sg-0db", Some("orders-db-sg"))],
            sg_rules: peers
                .iter()
                .map(|p| SgRule {
                    direction: "ingress".into(),
                    protocol: "tcp".into(),
                    ports: Ports::one(5432),
                    peer: p.to_string(),
                })
                .collect(),
            ..Default::default()
        }
    }

    proptest::proptest! {
        /// The words never contradict the numbers: they say the source is outside the
        /// allowed CIDRs exactly when no allowed CIDR contains it.
        #[test]
        fn sg_words_agree_with_cidr_containment(
            nets in proptest::collection::vec((0u8..4, 0u8..4, 16u8..=28), 1..4),
            src in (0u8..4, 0u8..4, 0u8..=255),
        ) {
            let peers: Vec<String> = nets
                .iter()
                .map(|(a, b, p)| format!("10.{a}.{b}.0/{p}"))
                .collect();
            let source = format!("10.{}.{}.{}", src.0, src.1, src.2);
            let e = sg_mismatch(&peers.iter().map(String::as_str).collect::<Vec<_>>());
            let r = ReachRequest::new(source.clone(), "10.9.9.9", Some(5432), Some(6), None, None);
            let words = explain(&e, &r);
            let inside = peers
                .iter()
                .any(|c| Cidr::parse(c).is_some_and(|c| c.contains(&source)));
            proptest::prop_assert_eq!(words.contains("is inside one of them"), inside, "{}", words);
            let says_outside = words.ends_with("is in neither")
                || words.ends_with("is in none of them")
                || words.ends_with("is not in it");
            proptest::prop_assert_eq!(says_outside, !inside, "{}", words);
        }
    }

    #[test]
    fn sg_mismatch_names_the_group_its_cidrs_and_the_source() {
        let e = sg_mismatch(&["10.20.1.0/24", "10.20.3.0/24"]);
        assert_eq!(
            explain(&e, &req()),
            "ENI_SG_RULES_MISMATCH: sg-0db (orders-db-sg) allows tcp/5432 only from 10.20.1.0/24 and 10.20.3.0/24; the source 10.20.2.31 is in neither"
        );
        let one = sg_mismatch(&["10.20.1.0/24"]);
        assert!(explain(&one, &req()).ends_with("is not in it"));
        let inside = sg_mismatch(&["10.20.0.0/16"]);
        assert!(explain(&inside, &req()).contains("is inside one of them"));
    }

    #[test]
    fn sg_mismatch_ignores_rules_of_other_ports_and_directions() {
        let mut e = sg_mismatch(&["10.20.1.0/24"]);
        e.sg_rules.push(SgRule {
            direction: "ingress".into(),
            protocol: "tcp".into(),
            ports: Ports::one(22),
            peer: "10.20.2.0/24".into(),
        });
        e.sg_rules.push(SgRule {
            direction: "egress".into(),
            protocol: "-1".into(),
            ports: Ports::default(),
            peer: "0.0.0.0/0".into(),
        });
        assert!(explain(&e, &req()).contains("only from 10.20.1.0/24;"));
        let none = sg_mismatch(&[]);
        assert!(explain(&none, &req()).contains("has no ingress rule that allows tcp/5432"));
        let group = sg_mismatch(&["10.20.1.0/24", "sg-0app"]);
        assert!(
            explain(&group, &req()).ends_with(
                "only from 10.20.1.0/24 and sg-0app; the source 10.20.2.31 is in none of its CIDRs, and the analysis found it in none of the referenced groups or prefix lists"
            ),
            "{}",
            explain(&group, &req())
        );
    }

    #[test]
    fn route_acl_and_state_codes_in_words() {
        let route = Explanation {
            code: "NO_ROUTE_TO_DESTINATION".into(),
            route_table: Some(Component::new("rtb-1", Some("app-b"))),
            component: Some(Component::new("subnet-1", None)),
            ..Default::default()
        };
        assert_eq!(
            explain(&route, &req()),
            "NO_ROUTE_TO_DESTINATION: route table rtb-1 (app-b) has no route to 10.20.11.25 (the traffic leaves subnet-1 and has nowhere to go)"
        );
        let acl = Explanation {
            code: "ENI_ACL_RULES_MISMATCH".into(),
            direction: Some("ingress".into()),
            acl: Some(Component::new("acl-9", None)),
            acl_rule: Some(AclRule {
                rule_number: 90,
                egress: false,
                action: "deny".into(),
                protocol: "6".into(),
                ports: Ports::one(5432),
                cidr: "10.20.2.0/24".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            explain(&acl, &req()),
            "ENI_ACL_RULES_MISMATCH: network ACL acl-9 blocks it inbound: rule 90 inbound deny tcp/5432 10.20.2.0/24 matches first"
        );
        let bad = Explanation {
            code: "BAD_STATE".into(),
            component: Some(Component::new("nat-1", None)),
            state: Some("failed".into()),
            ..Default::default()
        };
        assert_eq!(
            explain(&bad, &req()),
            "BAD_STATE: nat-1 is not in a working state (failed)"
        );
    }

    #[test]
    fn at_least_a_dozen_codes_have_their_own_words_and_others_fall_back() {
        let codes = [
            "ENI_SG_RULES_MISMATCH",
            "NO_ROUTE_TO_DESTINATION",
            "CANNOT_ROUTE",
            "ENI_ACL_RULES_MISMATCH",
            "SUBNET_ACL_RESTRICTION",
            "BAD_STATE",
            "BAD_STATE_ATTACHMENT",
            "BAD_STATE_ROUTE",
            "BAD_STATE_VPN",
            "ELB_LISTENERS_MISMATCH",
            "ELB_NOT_CROSSZONE",
            "ELB_INSTALLED_AZ_RESTRICTION",
            "ELB_ACL_RESTRICTION",
            "ELBV2_LISTENER_HAS_NO_TG",
            "PCX_REQUEST_NOT_ACCEPTED",
        ];
        let fallback =
            |code: &str| format!("{code}: {} (x-1)", code.to_lowercase().replace('_', " "));
        for code in codes {
            let e = Explanation {
                code: code.into(),
                component: Some(Component::new("x-1", None)),
                ..Default::default()
            };
            assert_ne!(explain(&e, &req()), fallback(code), "{code}");
        }
        let e = Explanation {
            code: "SOMETHING_NEW".into(),
            component: Some(Component::new("x-1", None)),
            ..Default::default()
        };
        assert_eq!(explain(&e, &req()), fallback("SOMETHING_NEW"));
    }

    #[test]
    fn interfaces_are_classified_by_type_requester_description_and_attachment() {
        let f = |t: &str, r: Option<&str>, d: &str, i: Option<&str>| {
            classify(&InterfaceFacts {
                interface_type: t.into(),
                requester_id: r.map(str::to_string),
                description: d.into(),
                attached_instance: i.map(str::to_string),
            })
        };
        assert_eq!(
            f("interface", None, "", Some("i-1")),
            (EndpointKind::Instance, "i-1".into())
        );
        assert_eq!(
            f("interface", Some("amazon-elb"), "ELB app/shop/abc", None),
            (EndpointKind::LoadBalancer, "app/shop/abc".into())
        );
        assert_eq!(
            f("interface", Some("amazon-rds"), "RDSNetworkInterface", None).0,
            EndpointKind::Database
        );
        assert_eq!(
            f(
                "interface",
                Some("amazon-elasticache"),
                "ElastiCache sessions-001",
                None
            ),
            (EndpointKind::Cache, "sessions-001".into())
        );
        assert_eq!(
            f("lambda", None, "AWS Lambda VPC ENI-orders-fn-1234", None),
            (EndpointKind::Lambda, "orders-fn-1234".into())
        );
        assert_eq!(
            f(
                "natGateway",
                None,
                "Interface for NAT Gateway nat-0a1",
                None
            ),
            (EndpointKind::NatGateway, "nat-0a1".into())
        );
        assert_eq!(
            f("vpc_endpoint", None, "VPC Endpoint Interface vpce-1", None).0,
            EndpointKind::VpcEndpoint
        );
        assert!(
            !f("interface", None, "x\u{1b}[2J", None)
                .1
                .contains('\u{1b}')
        );
    }

    #[test]
    fn hops_rules_and_labels() {
        let hop = Hop {
            sequence: 3,
            component: Component::new("acl-1", None),
            acl_rule: Some(AclRule {
                rule_number: 32767,
                egress: true,
                action: "deny".into(),
                protocol: "-1".into(),
                ports: Ports::default(),
                cidr: "0.0.0.0/0".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            hop.label(),
            "3 network ACL acl-1: default rule * outbound deny all traffic/all 0.0.0.0/0"
        );
        assert_eq!(req().label(), "10.20.2.31 -> 10.20.11.25 tcp/5432");
        assert_eq!(
            delete_commands(&["nia-1".into()], Some("nip-1")),
            [
                "aws ec2 delete-network-insights-analysis --network-insights-analysis-id nia-1",
                "aws ec2 delete-network-insights-path --network-insights-path-id nip-1"
            ]
        );
        assert!(
            Ports {
                from: Some(1024),
                to: Some(2048)
            }
            .contains(1500)
        );
        assert!(!Ports::one(22).contains(23));
    }
}
