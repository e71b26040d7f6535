//! The demo's [`ReachPaths`]: the same VPC the flow-log demo logs (addresses, interfaces,
//! subnets), with security groups, network ACLs and route tables behind it.
//!
//! The story: a security-group change left the orders database's group
//! (`sg-0ordersdb5e1ec7a`, orders-db-sg) allowing tcp/5432 only from the app subnets of
//! us-east-1a and us-east-1c, so the app tier in the sick zone us-east-1b (10.20.2.x) is
//! REJECTed: an analysis from there ends in ENI_SG_RULES_MISMATCH naming the group and
//! its two CIDRs. Any other pair is reachable with a complete hop list out and back.
//! An analysis runs for [`POLLS_RUNNING`] polls before it succeeds.

use super::{DemoBackend, scenario};
use crate::backend::BackendError;
use crate::backend::paths::{AnalysisRef, ReachPaths};
use crate::model::reach::{
    AclRule, Analysis, AnalysisStatus, Component, Endpoint, EndpointKind, Explanation, Hop,
    PathSpec, Ports, Route, SgRule,
};
use crate::model::zones::Cidr;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Polls a demo analysis reports `running` before its result.
pub const POLLS_RUNNING: u32 = 3;
pub const DATABASE: &str = "10.20.11.25";
pub const DB_SG: &str = "sg-0ordersdb5e1ec7a";
const APP_SG: &str = "sg-0app5e1ec7ab1e00";
const ALB_SG: &str = "sg-0alb5e1ec7ab1e00";
const CACHE_SG: &str = "sg-0cache5e1ec7ab1e";
const API_SG: &str = "sg-0api5e1ec7ab1e00";

/// (subnet, CIDR, zone name, zone ID)
const SUBNETS: [(&str, &str, &str, &str); 9] = [
    ("subnet-0app1a", "10.20.1.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0app1b", "10.20.2.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0app1c", "10.20.3.0/24", "us-east-1c", "use1-az1"),
    ("subnet-0db01a", "10.20.11.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0db01b", "10.20.12.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0db01c", "10.20.13.0/24", "us-east-1c", "use1-az1"),
    ("subnet-0pub1a", "10.20.101.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0pub1b", "10.20.102.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0pub1c", "10.20.103.0/24", "us-east-1c", "use1-az1"),
];
const VPC: &str = "vpc-0c0ffee5e1ec7ab1e";

/// Paths and analyses created in the demo, and how often each analysis was polled.
#[derive(Debug, Default)]
pub struct DemoReach {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    paths: HashMap<String, PathSpec>,
    analyses: HashMap<String, (String, u32)>,
}

impl DemoReach {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Paths and analyses that exist now (tests: everything created was deleted).
    pub fn live(&self) -> (usize, usize) {
        let s = self.lock();
        (s.paths.len(), s.analyses.len())
    }
}

/// The demo's interfaces: (address, interface, subnet index, kind, name, group).
fn interfaces() -> Vec<(String, String, usize, EndpointKind, String, &'static str)> {
    let mut out = Vec::new();
    for (z, zone) in ["a", "b", "c"].iter().enumerate() {
        for n in 0..3 {
            out.push((
                format!("10.20.{}.{}", z + 1, 31 + n),
                format!("eni-0app{zone}{n}5e1ec7ab1e"),
                z,
                EndpointKind::Instance,
                format!("i-0{zone}{n}5eed7ab1e0c0f"),
                APP_SG,
            ));
        }
        for n in 0..2 {
            out.push((
                format!("10.20.{}.{}", z + 1, 80 + n),
                format!("eni-0api{zone}{n}5e1ec7ab1e"),
                z,
                EndpointKind::Container,
                "ECS task api (awsvpc)".into(),
                API_SG,
            ));
        }
        out.push((
            format!("10.20.{}.10", 101 + z),
            format!("eni-0alb{zone}05e1ec7ab1e"),
            6 + z,
            EndpointKind::LoadBalancer,
            "app/shop-frontend/4f2a9c1d7e3b5a60".into(),
            ALB_SG,
        ));
    }
    out.push((
        DATABASE.into(),
        "eni-0db0orders5e1ec7a".into(),
        3,
        EndpointKind::Database,
        "orders-db (RDS PostgreSQL)".into(),
        DB_SG,
    ));
    out.push((
        "10.20.13.40".into(),
        "eni-0cache5e1ec7ab1e0".into(),
        5,
        EndpointKind::Cache,
        "sessions (ElastiCache)".into(),
        CACHE_SG,
    ));
    out.push((
        "10.20.101.5".into(),
        "eni-0nat05e1ec7ab1e00".into(),
        6,
        EndpointKind::NatGateway,
        "nat-0a1b2c3d4e5f60718".into(),
        "",
    ));
    out
}

fn group_name(id: &str) -> &'static str {
    match id {
        DB_SG => "orders-db-sg",
        APP_SG => "app-sg",
        ALB_SG => "shop-alb-sg",
        CACHE_SG => "sessions-cache-sg",
        API_SG => "api-sg",
        _ => "",
    }
}

/// The inbound rules of a group: after the change, the database's group allows 5432
/// only from the app subnets of us-east-1a and us-east-1c.
fn ingress_rules(group: &str) -> Vec<SgRule> {
    let rule = |port: i32, peer: &str| SgRule {
        direction: "ingress".into(),
        protocol: "tcp".into(),
        ports: Ports::one(port),
        peer: peer.into(),
    };
    match group {
        DB_SG => vec![rule(5432, "10.20.1.0/24"), rule(5432, "10.20.3.0/24")],
        CACHE_SG => vec![rule(6379, "10.20.0.0/16")],
        ALB_SG => vec![rule(443, "0.0.0.0/0"), rule(80, "0.0.0.0/0")],
        APP_SG | API_SG => vec![rule(8080, "10.20.0.0/16")],
        _ => vec![SgRule {
            direction: "ingress".into(),
            protocol: "-1".into(),
            ports: Ports::default(),
            peer: "10.20.0.0/16".into(),
        }],
    }
}

fn egress_all() -> SgRule {
    SgRule {
        direction: "egress".into(),
        protocol: "-1".into(),
        ports: Ports::default(),
        peer: "0.0.0.0/0".into(),
    }
}

fn endpoint(key: &str) -> Option<Endpoint> {
    let (address, eni, subnet, kind, name, group) = interfaces()
        .into_iter()
        .find(|(a, e, ..)| a == key || e == key)?;
    let (subnet_id, _, zone_name, zone_id) = SUBNETS[subnet];
    Some(Endpoint {
        address,
        interface_id: eni,
        kind,
        name,
        subnet_id: subnet_id.into(),
        zone_name: zone_name.into(),
        zone_id: Some(zone_id.into()),
        vpc_id: VPC.into(),
        security_groups: if group.is_empty() {
            Vec::new()
        } else {
            vec![Component::new(group, Some(group_name(group)))]
        },
    })
}

fn acl_of(subnet: &str) -> String {
    format!("acl-0{}", subnet.trim_start_matches("subnet-0"))
}

fn rtb_of(subnet: &str) -> String {
    format!("rtb-0{}", subnet.trim_start_matches("subnet-0"))
}

fn acl_allow(egress: bool) -> AclRule {
    AclRule {
        rule_number: 100,
        egress,
        action: "allow".into(),
        protocol: "-1".into(),
        ports: Ports::default(),
        cidr: "10.20.0.0/16".into(),
    }
}

fn local_route() -> Route {
    Route {
        destination: "10.20.0.0/16".into(),
        target: "local".into(),
        state: Some("active".into()),
    }
}

/// The analysis of a path between two demo interfaces.
fn analyse(id: &str, path_id: &str, spec: &PathSpec) -> Analysis {
    let arn = format!(
        "arn:aws:ec2:{}:{}:network-insights-analysis/{id}",
        scenario::REGION,
        scenario::ACCOUNT
    );
    let mut a = Analysis {
        analysis_id: id.into(),
        analysis_arn: arn,
        path_id: path_id.into(),
        status: AnalysisStatus::Succeeded,
        path_found: Some(false),
        forward: Vec::new(),
        returning: Vec::new(),
        explanations: Vec::new(),
    };
    let (Some(src), Some(dst)) = (endpoint(&spec.source), endpoint(&spec.destination)) else {
        a.status = AnalysisStatus::Failed("the source or destination does not exist".into());
        return a;
    };
    let dst_group = dst.security_groups.first().cloned();
    let rules = dst_group
        .as_ref()
        .map(|g| ingress_rules(&g.id))
        .unwrap_or_else(|| ingress_rules(""));
    let matched = rules.iter().find(|r| {
        (r.protocol == "-1" || r.protocol == spec.protocol)
            && spec.port.is_none_or(|p| r.ports.contains(p))
            && Cidr::parse(&r.peer).is_some_and(|c| c.contains(&src.address))
    });
    let Some(matched) = matched.cloned() else {
        let mut sg_rules = rules;
        sg_rules.push(egress_all());
        a.explanations.push(Explanation {
            code: "ENI_SG_RULES_MISMATCH".into(),
            direction: Some("ingress".into()),
            component: Some(Component::new(&dst.interface_id, None)),
            security_groups: dst_group.into_iter().collect(),
            subnet: Some(Component::new(&dst.subnet_id, None)),
            vpc: Some(Component::new(VPC, Some("shop"))),
            port_ranges: spec
                .port
                .map(|p| Ports::one(p.into()))
                .into_iter()
                .collect(),
            protocols: vec![spec.protocol.clone()],
            sg_rules,
            ..Default::default()
        });
        return a;
    };
    let hop = |n: i32, id: &str, name: Option<&str>| Hop {
        sequence: n,
        component: Component::new(id, name),
        ..Default::default()
    };
    let src_sg = src.security_groups.first().cloned().unwrap_or_default();
    let dst_sg = dst.security_groups.first().cloned().unwrap_or_default();
    a.path_found = Some(true);
    a.forward = vec![
        hop(1, &src.interface_id, None),
        Hop {
            sg_rule: Some(egress_all()),
            ..hop(2, &src_sg.id, src_sg.name.as_deref())
        },
        Hop {
            acl_rule: Some(acl_allow(true)),
            ..hop(3, &acl_of(&src.subnet_id), None)
        },
        Hop {
            route: Some(local_route()),
            ..hop(4, &rtb_of(&src.subnet_id), None)
        },
        Hop {
            acl_rule: Some(acl_allow(false)),
            ..hop(5, &acl_of(&dst.subnet_id), None)
        },
        Hop {
            sg_rule: Some(matched),
            ..hop(6, &dst_sg.id, dst_sg.name.as_deref())
        },
        hop(7, &dst.interface_id, None),
    ];
    a.returning = vec![
        hop(1, &dst.interface_id, None),
        Hop {
            acl_rule: Some(acl_allow(true)),
            ..hop(2, &acl_of(&dst.subnet_id), None)
        },
        Hop {
            route: Some(local_route()),
            ..hop(3, &rtb_of(&dst.subnet_id), None)
        },
        Hop {
            acl_rule: Some(acl_allow(false)),
            ..hop(4, &acl_of(&src.subnet_id), None)
        },
        hop(5, &src.interface_id, None),
    ];
    a
}

fn not_found(op: &str, what: &str, id: &str) -> BackendError {
    BackendError::Service {
        operation: op.into(),
        code: format!("Invalid{what}Id.NotFound"),
        message: format!("{id} does not exist"),
    }
}

#[async_trait]
impl ReachPaths for DemoBackend {
    async fn interface(&self, address_or_eni: &str) -> Result<Option<Endpoint>, BackendError> {
        if !self.in_incident_region() {
            return Ok(None);
        }
        Ok(endpoint(address_or_eni))
    }

    async fn find_path(&self, spec: &PathSpec) -> Result<Option<String>, BackendError> {
        let s = self.reach.lock();
        Ok(s.paths
            .iter()
            .find(|(_, p)| *p == spec)
            .map(|(id, _)| id.clone()))
    }

    async fn create_path(&self, spec: &PathSpec) -> Result<String, BackendError> {
        let mut s = self.reach.lock();
        s.next += 1;
        let id = format!("nip-0de{:013x}", s.next);
        s.paths.insert(id.clone(), spec.clone());
        tracing::info!(path = %id, "demo: CreateNetworkInsightsPath");
        Ok(id)
    }

    async fn start_analysis(&self, path_id: &str) -> Result<AnalysisRef, BackendError> {
        let mut s = self.reach.lock();
        if !s.paths.contains_key(path_id) {
            return Err(not_found(
                "StartNetworkInsightsAnalysis",
                "NetworkInsightsPath",
                path_id,
            ));
        }
        s.next += 1;
        let id = format!("nia-0de{:013x}", s.next);
        s.analyses.insert(id.clone(), (path_id.to_string(), 0));
        Ok(AnalysisRef {
            arn: format!(
                "arn:aws:ec2:{}:{}:network-insights-analysis/{id}",
                scenario::REGION,
                scenario::ACCOUNT
            ),
            id,
        })
    }

    async fn analysis(&self, analysis_id: &str) -> Result<Analysis, BackendError> {
        let mut s = self.reach.lock();
        let op = "DescribeNetworkInsightsAnalyses";
        let Some((path_id, polls)) = s.analyses.get_mut(analysis_id) else {
            return Err(not_found(op, "NetworkInsightsAnalysis", analysis_id));
        };
        *polls += 1;
        let (path_id, polls) = (path_id.clone(), *polls);
        let Some(spec) = s.paths.get(&path_id) else {
            return Err(not_found(op, "NetworkInsightsPath", &path_id));
        };
        let mut a = analyse(analysis_id, &path_id, spec);
        if polls <= POLLS_RUNNING {
            a.status = AnalysisStatus::Running;
            a.path_found = None;
            a.forward.clear();
            a.returning.clear();
            a.explanations.clear();
        }
        Ok(a)
    }

    async fn delete_analysis(&self, analysis_id: &str) -> Result<(), BackendError> {
        self.reach.lock().analyses.remove(analysis_id);
        tracing::info!(analysis = %analysis_id, "demo: DeleteNetworkInsightsAnalysis");
        Ok(())
    }

    async fn delete_path(&self, path_id: &str) -> Result<(), BackendError> {
        let mut s = self.reach.lock();
        if s.analyses.values().any(|(p, _)| p == path_id) {
            return Err(BackendError::Service {
                operation: "DeleteNetworkInsightsPath".into(),
                code: "DependencyViolation".into(),
                message: format!("{path_id} still has analyses"),
            });
        }
        s.paths.remove(path_id);
        tracing::info!(path = %path_id, "demo: DeleteNetworkInsightsPath");
        Ok(())
    }

    fn poll_every(&self) -> Duration {
        Duration::from_millis(400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(src: &str, dst: &str, port: u16) -> PathSpec {
        PathSpec {
            source: endpoint(src).expect("src").interface_id,
            destination: endpoint(dst).expect("dst").interface_id,
            protocol: "tcp".into(),
            port: Some(port),
        }
    }

    #[test]
    fn the_sick_zone_app_tier_is_blocked_by_the_database_group() {
        let a = analyse("nia-1", "nip-1", &spec("10.20.2.31", DATABASE, 5432));
        assert_eq!(a.path_found, Some(false));
        let e = &a.explanations[0];
        assert_eq!(e.code, "ENI_SG_RULES_MISMATCH");
        assert_eq!(e.security_groups[0].id, DB_SG);
        let req = crate::model::reach::ReachRequest::new(
            "10.20.2.31",
            DATABASE,
            Some(5432),
            Some(6),
            None,
            None,
        );
        assert!(
            crate::model::reach::explain(e, &req).contains(
                "allows tcp/5432 only from 10.20.1.0/24 and 10.20.3.0/24; the source 10.20.2.31 is in neither"
            )
        );
    }

    #[test]
    fn a_healthy_pair_has_a_complete_hop_list_out_and_back() {
        let a = analyse("nia-1", "nip-1", &spec("10.20.1.31", DATABASE, 5432));
        assert_eq!(a.path_found, Some(true));
        assert!(a.explanations.is_empty());
        assert_eq!(a.forward.len(), 7);
        assert_eq!(a.returning.len(), 5);
        assert_eq!(a.forward[5].component.id, DB_SG);
        assert_eq!(
            a.forward[5].sg_rule.as_ref().map(|r| r.peer.as_str()),
            Some("10.20.1.0/24")
        );
        assert_eq!(
            a.forward.first().map(|h| h.component.id.as_str()),
            Some("eni-0appa05e1ec7ab1e")
        );
        assert_eq!(
            a.forward.last().map(|h| h.component.id.as_str()),
            Some("eni-0db0orders5e1ec7a")
        );
    }
}
