//! [`ReachPaths`] over EC2: DescribeNetworkInterfaces (by private address or id),
//! Network Insights paths and analyses, and DescribeSecurityGroupRules for the words
//! of a security-group explanation. SDK shapes map into `crate::model::reach` here.

use super::paging::{all_pages, one_call};
use super::{AwsBackend, Ctx};
use crate::backend::BackendError;
use crate::backend::paths::{AnalysisRef, CREATED_BY_KEY, CREATED_BY_VALUE, ReachPaths};
use crate::model::reach::{
    AclRule, Analysis, AnalysisStatus, Component, Endpoint, Explanation, Hop, InterfaceFacts,
    PathSpec, Ports, Route, SgRule, classify as classify_interface,
};
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AnalysisComponent, AnalysisStatus as SdkStatus, Filter, NetworkInsightsAnalysis, PathComponent,
    Protocol, ResourceType, Tag, TagSpecification,
};

const SERVICE: &str = "ec2";
/// DescribeNetworkInsightsPaths / DescribeSecurityGroupRules page size (max 1000).
const PAGE: i32 = 1000;

fn component(c: Option<&AnalysisComponent>) -> Option<Component> {
    let c = c?;
    Some(Component::new(c.id()?, c.name()))
}

fn ports(p: Option<&aws_sdk_ec2::types::PortRange>) -> Ports {
    Ports {
        from: p.and_then(|p| p.from()),
        to: p.and_then(|p| p.to()),
    }
}

fn acl_rule(r: &aws_sdk_ec2::types::AnalysisAclRule) -> AclRule {
    AclRule {
        rule_number: r.rule_number().unwrap_or_default(),
        egress: r.egress().unwrap_or(false),
        action: r.rule_action().unwrap_or_default().to_string(),
        protocol: r.protocol().unwrap_or_default().to_string(),
        ports: ports(r.port_range()),
        cidr: r.cidr().unwrap_or_default().to_string(),
    }
}

fn route(r: &aws_sdk_ec2::types::AnalysisRouteTableRoute) -> Route {
    let target = [
        r.gateway_id(),
        r.nat_gateway_id(),
        r.transit_gateway_id(),
        r.vpc_peering_connection_id(),
        r.network_interface_id(),
        r.instance_id(),
        r.egress_only_internet_gateway_id(),
        r.local_gateway_id(),
        r.carrier_gateway_id(),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or("?");
    Route {
        destination: r
            .destination_cidr()
            .or(r.destination_prefix_list_id())
            .unwrap_or("?")
            .to_string(),
        target: target.to_string(),
        state: r.state().map(str::to_string),
    }
}

fn hop(p: &PathComponent) -> Hop {
    Hop {
        sequence: p.sequence_number().unwrap_or_default(),
        component: component(p.component()).unwrap_or_default(),
        sg_rule: p.security_group_rule().map(|r| SgRule {
            direction: r.direction().unwrap_or_default().to_string(),
            protocol: r.protocol().unwrap_or_default().to_string(),
            ports: ports(r.port_range()),
            peer: r
                .cidr()
                .or(r.security_group_id())
                .or(r.prefix_list_id())
                .unwrap_or_default()
                .to_string(),
        }),
        acl_rule: p.acl_rule().map(acl_rule),
        route: p.route_table_route().map(route),
    }
}

fn explanation(e: &aws_sdk_ec2::types::Explanation) -> Explanation {
    let mut groups: Vec<Component> = e
        .security_groups()
        .iter()
        .filter_map(|c| component(Some(c)))
        .collect();
    if let Some(g) = component(e.security_group()) {
        groups.insert(0, g);
    }
    Explanation {
        code: e.explanation_code().unwrap_or("UNKNOWN").to_string(),
        direction: e.direction().map(str::to_string),
        component: component(e.component())
            .or_else(|| component(e.network_interface()))
            .or_else(|| component(e.nat_gateway()))
            .or_else(|| component(e.internet_gateway()))
            .or_else(|| component(e.vpc_peering_connection())),
        security_groups: groups,
        acl: component(e.acl()),
        acl_rule: e.acl_rule().map(acl_rule),
        route_table: component(e.route_table()).or_else(|| component(e.subnet_route_table())),
        route: e.route_table_route().map(route),
        subnet: component(e.subnet()),
        vpc: component(e.vpc()),
        address: e.address().map(str::to_string),
        cidrs: e.cidrs().to_vec(),
        port_ranges: e.port_ranges().iter().map(|p| ports(Some(p))).collect(),
        protocols: e.protocols().to_vec(),
        state: e.state().map(str::to_string),
        sg_rules: Vec::new(),
    }
}

/// An analysis from its SDK shape.
pub(crate) fn analysis(a: &NetworkInsightsAnalysis) -> Analysis {
    let status = match a.status() {
        Some(SdkStatus::Succeeded) => AnalysisStatus::Succeeded,
        Some(SdkStatus::Failed) => {
            AnalysisStatus::Failed(a.status_message().unwrap_or("no reason given").to_string())
        }
        _ => AnalysisStatus::Running,
    };
    Analysis {
        analysis_id: a
            .network_insights_analysis_id()
            .unwrap_or_default()
            .to_string(),
        analysis_arn: a
            .network_insights_analysis_arn()
            .unwrap_or_default()
            .to_string(),
        path_id: a.network_insights_path_id().unwrap_or_default().to_string(),
        status,
        path_found: a.network_path_found(),
        forward: a.forward_path_components().iter().map(hop).collect(),
        returning: a.return_path_components().iter().map(hop).collect(),
        explanations: a.explanations().iter().map(explanation).collect(),
    }
}

/// A delete whose target is already gone (`*.NotFound`: deleted by hand, or by an
/// earlier exit path) has done its job.
fn gone_is_done<T>(result: Result<T, BackendError>) -> Result<(), BackendError> {
    match result {
        Err(BackendError::Service { code, .. }) if code.ends_with(".NotFound") => Ok(()),
        other => other.map(|_| ()),
    }
}

async fn interface(ctx: &Ctx<'_>, key: &str) -> Result<Option<Endpoint>, BackendError> {
    const OP: &str = "DescribeNetworkInterfaces";
    let filter = if key.starts_with("eni-") {
        Filter::builder().name("network-interface-id").values(key)
    } else {
        Filter::builder()
            .name("addresses.private-ip-address")
            .values(key)
    }
    .build();
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_network_interfaces();
            let pages = request
                .filters(filter.clone())
                .max_results(PAGE)
                .into_paginator()
                .send();
            let mut found = None;
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                if found.is_some() {
                    return;
                }
                found = page.network_interfaces().first().map(|n| {
                    let facts = InterfaceFacts {
                        interface_type: n
                            .interface_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        requester_id: n.requester_id().map(str::to_string),
                        description: n.description().unwrap_or_default().to_string(),
                        attached_instance: n
                            .attachment()
                            .and_then(|a| a.instance_id())
                            .map(str::to_string),
                    };
                    let (kind, name) = classify_interface(&facts);
                    Endpoint {
                        address: n.private_ip_address().unwrap_or(key).to_string(),
                        interface_id: n.network_interface_id().unwrap_or_default().to_string(),
                        kind,
                        name,
                        subnet_id: n.subnet_id().unwrap_or_default().to_string(),
                        zone_name: n.availability_zone().unwrap_or_default().to_string(),
                        zone_id: n.availability_zone_id().map(str::to_string),
                        vpc_id: n.vpc_id().unwrap_or_default().to_string(),
                        security_groups: n
                            .groups()
                            .iter()
                            .filter_map(|g| Some(Component::new(g.group_id()?, g.group_name())))
                            .collect(),
                    }
                });
            })
            .await?;
            Ok(found)
        })
        .await
}

async fn find_path(ctx: &Ctx<'_>, spec: &PathSpec) -> Result<Option<String>, BackendError> {
    const OP: &str = "DescribeNetworkInsightsPaths";
    let filters = [
        Filter::builder()
            .name(format!("tag:{CREATED_BY_KEY}"))
            .values(CREATED_BY_VALUE)
            .build(),
        Filter::builder()
            .name("source")
            .values(&spec.source)
            .build(),
        Filter::builder()
            .name("destination")
            .values(&spec.destination)
            .build(),
        Filter::builder()
            .name("protocol")
            .values(&spec.protocol)
            .build(),
    ];
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_network_insights_paths();
            let pages = request
                .set_filters(Some(filters.to_vec()))
                .max_results(PAGE)
                .into_paginator()
                .send();
            let mut found = None;
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for p in page.network_insights_paths() {
                    let same = p.source() == Some(spec.source.as_str())
                        && p.destination() == Some(spec.destination.as_str())
                        && p.protocol().map(|x| x.as_str()) == Some(spec.protocol.as_str())
                        && p.destination_port() == spec.port.map(i32::from)
                        && p.tags().iter().any(|t| {
                            t.key() == Some(CREATED_BY_KEY) && t.value() == Some(CREATED_BY_VALUE)
                        });
                    if same && found.is_none() {
                        found = p.network_insights_path_id().map(str::to_string);
                    }
                }
            })
            .await?;
            Ok(found)
        })
        .await
}

/// The ingress and egress rules of `groups`, for the words of an SG explanation.
async fn group_rules(ctx: &Ctx<'_>, groups: &[String]) -> Result<Vec<SgRule>, BackendError> {
    const OP: &str = "DescribeSecurityGroupRules";
    let filter = Filter::builder()
        .name("group-id")
        .set_values(Some(groups.to_vec()))
        .build();
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_security_group_rules();
            let pages = request
                .filters(filter.clone())
                .max_results(PAGE)
                .into_paginator()
                .send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for r in page.security_group_rules() {
                    let peer = r
                        .cidr_ipv4()
                        .or(r.cidr_ipv6())
                        .or(r.prefix_list_id())
                        .or(r.referenced_group_info().and_then(|g| g.group_id()))
                        .unwrap_or_default();
                    out.push(SgRule {
                        direction: if r.is_egress() == Some(true) {
                            "egress"
                        } else {
                            "ingress"
                        }
                        .into(),
                        protocol: r.ip_protocol().unwrap_or("-1").to_string(),
                        ports: Ports {
                            from: r.from_port(),
                            to: r.to_port(),
                        },
                        peer: peer.to_string(),
                    });
                }
            })
            .await?;
            Ok(out)
        })
        .await
}

#[async_trait]
impl ReachPaths for AwsBackend {
    async fn interface(&self, address_or_eni: &str) -> Result<Option<Endpoint>, BackendError> {
        let ctx = self.ctx().await;
        interface(&ctx, address_or_eni).await
    }

    async fn find_path(&self, spec: &PathSpec) -> Result<Option<String>, BackendError> {
        let ctx = self.ctx().await;
        find_path(&ctx, spec).await
    }

    async fn create_path(&self, spec: &PathSpec) -> Result<String, BackendError> {
        const OP: &str = "CreateNetworkInsightsPath";
        let ctx = self.ctx().await;
        let protocol = Protocol::from(spec.protocol.as_str());
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::NetworkInsightsPath)
            .tags(
                Tag::builder()
                    .key(CREATED_BY_KEY)
                    .value(CREATED_BY_VALUE)
                    .build(),
            )
            .build();
        let out = ctx
            .pace
            .ec2
            .run(|| async {
                let call = ctx
                    .clients
                    .ec2
                    .create_network_insights_path()
                    .source(&spec.source)
                    .destination(&spec.destination)
                    .protocol(protocol.clone())
                    .set_destination_port(spec.port.map(i32::from))
                    .tag_specifications(tags.clone())
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await?;
        out.network_insights_path()
            .and_then(|p| p.network_insights_path_id())
            .map(str::to_string)
            .ok_or_else(|| BackendError::Other(format!("{OP}: no path id in the answer")))
    }

    async fn start_analysis(&self, path_id: &str) -> Result<AnalysisRef, BackendError> {
        const OP: &str = "StartNetworkInsightsAnalysis";
        let ctx = self.ctx().await;
        let out = ctx
            .pace
            .ec2
            .run(|| async {
                let call = ctx
                    .clients
                    .ec2
                    .start_network_insights_analysis()
                    .network_insights_path_id(path_id)
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await?;
        let a = out
            .network_insights_analysis()
            .ok_or_else(|| BackendError::Other(format!("{OP}: no analysis in the answer")))?;
        Ok(AnalysisRef {
            id: a
                .network_insights_analysis_id()
                .unwrap_or_default()
                .to_string(),
            arn: a
                .network_insights_analysis_arn()
                .unwrap_or_default()
                .to_string(),
        })
    }

    async fn analysis(&self, analysis_id: &str) -> Result<Analysis, BackendError> {
        const OP: &str = "DescribeNetworkInsightsAnalyses";
        let ctx = self.ctx().await;
        let out = ctx
            .pace
            .ec2
            .run(|| async {
                let call = ctx
                    .clients
                    .ec2
                    .describe_network_insights_analyses()
                    .network_insights_analysis_ids(analysis_id)
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await?;
        let Some(a) = out.network_insights_analyses().first() else {
            return Err(BackendError::Service {
                operation: OP.into(),
                code: "InvalidNetworkInsightsAnalysisId.NotFound".into(),
                message: format!("analysis {analysis_id} is gone"),
            });
        };
        let mut result = analysis(a);
        // A security-group explanation reads in words only with the groups' rules.
        for e in &mut result.explanations {
            if e.code.contains("SG") || e.code.contains("SECURITY_GROUP") {
                let ids: Vec<String> = e.security_groups.iter().map(|g| g.id.clone()).collect();
                if !ids.is_empty() {
                    // Without the rules the words still name the groups.
                    e.sg_rules = group_rules(&ctx, &ids).await.unwrap_or_default();
                }
            }
        }
        Ok(result)
    }

    async fn delete_analysis(&self, analysis_id: &str) -> Result<(), BackendError> {
        const OP: &str = "DeleteNetworkInsightsAnalysis";
        let ctx = self.ctx().await;
        let result = ctx
            .pace
            .ec2
            .run(|| async {
                let call = ctx
                    .clients
                    .ec2
                    .delete_network_insights_analysis()
                    .network_insights_analysis_id(analysis_id)
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await;
        gone_is_done(result)
    }

    async fn delete_path(&self, path_id: &str) -> Result<(), BackendError> {
        const OP: &str = "DeleteNetworkInsightsPath";
        let ctx = self.ctx().await;
        let result = ctx
            .pace
            .ec2
            .run(|| async {
                let call = ctx
                    .clients
                    .ec2
                    .delete_network_insights_path()
                    .network_insights_path_id(path_id)
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await;
        gone_is_done(result)
    }
}
