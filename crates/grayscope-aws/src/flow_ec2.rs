//! EC2 for the flow-log pane: DescribeFlowLogs (where each flow log delivers and in
//! which format; for S3, the file format and partitioning, and through DescribeVpcs
//! the account whose folder the records land in), DescribeSubnets (CIDRs and zone IDs of a VPC) and
//! DescribeNetworkInterfaces (the interface, and the resource behind it, holding an
//! address). Subnets and interfaces are read once per session ([`FlowCache`]).

use super::Ctx;
use super::paging::all_pages;
use crate::backend::BackendError;
use crate::backend::flowlogs::{Destination, FlowLogSource};
use crate::model::athena::{FileFormat, S3Delivery};
use crate::model::flowlogs::{InterfaceInfo, LogFormat, Resource, ResourceKind, SubnetInfo};
use crate::model::text::clean;
use aws_sdk_ec2::types::{Filter, LogDestinationType, NetworkInterface, NetworkInterfaceType};
use std::collections::HashMap;
use std::sync::Mutex;

const SERVICE: &str = "ec2";
/// Values per DescribeNetworkInterfaces filter.
const ADDRESSES_PER_CALL: usize = 200;

/// What the pane asked EC2 once this session: subnets by VPC, interfaces by address
/// (`None`: no interface holds it; not asked again).
#[derive(Debug, Default)]
pub(crate) struct FlowCache {
    subnets: Mutex<HashMap<String, Vec<SubnetInfo>>>,
    interfaces: Mutex<HashMap<String, Option<InterfaceInfo>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) async fn flow_logs(ctx: &Ctx<'_>) -> Result<Vec<FlowLogSource>, BackendError> {
    const OP: &str = "DescribeFlowLogs";
    let out = ctx
        .pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_flow_logs();
            let pages = request.into_paginator().send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for f in page.flow_logs() {
                    let s3 = f
                        .log_destination()
                        .and_then(S3Delivery::from_destination)
                        .map(|mut d| {
                            if let Some(o) = f.destination_options() {
                                d.file_format = FileFormat::parse(
                                    o.file_format().map(|x| x.as_str()).unwrap_or_default(),
                                );
                                d.hive = o.hive_compatible_partitions().unwrap_or(false);
                                d.per_hour = o.per_hour_partition().unwrap_or(false);
                            }
                            d.region = ctx.region.map(str::to_string);
                            d
                        });
                    let destination = match (f.log_destination_type(), f.log_group_name()) {
                        (Some(LogDestinationType::CloudWatchLogs) | None, Some(g))
                            if !g.is_empty() =>
                        {
                            Destination::LogGroup(g.to_string())
                        }
                        (Some(LogDestinationType::S3), _) if s3.is_some() => {
                            Destination::S3(s3.clone().unwrap_or_default())
                        }
                        (kind, _) => Destination::Elsewhere {
                            kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
                            arn: clean(f.log_destination().unwrap_or_default()),
                        },
                    };
                    out.push(FlowLogSource {
                        id: f.flow_log_id().unwrap_or_default().to_string(),
                        resource_id: f.resource_id().unwrap_or_default().to_string(),
                        destination,
                        format: LogFormat::parse(f.log_format().unwrap_or_default())
                            .unwrap_or_default(),
                        traffic: f
                            .traffic_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        status: f.flow_log_status().unwrap_or_default().to_string(),
                    });
                }
            })
            .await?;
            Ok(out)
        })
        .await?;
    with_accounts(ctx, out).await
}

/// Fills in the account of each S3 delivery: the owner of the VPC it covers
/// (DescribeVpcs, one call). The path names that account; without it the table DDL
/// cannot be written, but nothing else stops, so a failure here is only logged.
async fn with_accounts(
    ctx: &Ctx<'_>,
    mut logs: Vec<FlowLogSource>,
) -> Result<Vec<FlowLogSource>, BackendError> {
    const OP: &str = "DescribeVpcs";
    let mut vpcs: Vec<String> = logs
        .iter()
        .filter(|l| l.s3().is_some() && l.resource_id.starts_with("vpc-"))
        .map(|l| l.resource_id.clone())
        .collect();
    vpcs.sort();
    vpcs.dedup();
    if vpcs.is_empty() {
        return Ok(logs);
    }
    let owners = ctx
        .pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_vpcs();
            let pages = request
                .set_vpc_ids(Some(vpcs.clone()))
                .into_paginator()
                .send();
            let mut out: HashMap<String, String> = HashMap::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for v in page.vpcs() {
                    if let (Some(id), Some(owner)) = (v.vpc_id(), v.owner_id()) {
                        out.insert(id.to_string(), owner.to_string());
                    }
                }
            })
            .await?;
            Ok(out)
        })
        .await;
    match owners {
        Ok(owners) => {
            for l in &mut logs {
                let owner = owners.get(&l.resource_id).cloned();
                if let Destination::S3(d) = &mut l.destination {
                    d.account_id = owner;
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "DescribeVpcs failed: S3 flow-log paths without an account")
        }
    }
    Ok(logs)
}

pub(crate) async fn subnets(
    ctx: &Ctx<'_>,
    vpc_ids: &[String],
) -> Result<Vec<SubnetInfo>, BackendError> {
    let cache = &ctx.cache.flow.subnets;
    let missing: Vec<String> = {
        let known = lock(cache);
        vpc_ids
            .iter()
            .filter(|v| !known.contains_key(*v))
            .cloned()
            .collect()
    };
    if !missing.is_empty() {
        let found: Vec<SubnetInfo> = super::ec2::vpc_subnets(ctx, &missing)
            .await?
            .iter()
            .map(|s| SubnetInfo {
                id: s.subnet_id().unwrap_or_default().to_string(),
                vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                cidrs: s
                    .cidr_block()
                    .map(str::to_string)
                    .into_iter()
                    .chain(
                        s.ipv6_cidr_block_association_set()
                            .iter()
                            .filter_map(|a| a.ipv6_cidr_block().map(str::to_string)),
                    )
                    .collect(),
                zone_id: s.availability_zone_id().map(str::to_string),
                zone_name: s.availability_zone().map(str::to_string),
            })
            .collect();
        let mut known = lock(cache);
        for vpc in &missing {
            known.insert(
                vpc.clone(),
                found.iter().filter(|s| &s.vpc_id == vpc).cloned().collect(),
            );
        }
    }
    let known = lock(cache);
    Ok(vpc_ids
        .iter()
        .filter_map(|v| known.get(v))
        .flatten()
        .cloned()
        .collect())
}

/// The resource behind an interface, from its type, attachment and description.
pub(crate) fn resource_of(n: &NetworkInterface) -> Resource {
    let description = clean(n.description().unwrap_or_default());
    let attached = n.attachment().and_then(|a| a.instance_id());
    let kind = match (n.interface_type(), attached) {
        (_, Some(_)) => ResourceKind::Instance,
        (Some(NetworkInterfaceType::NatGateway), _) => ResourceKind::NatGateway,
        (Some(NetworkInterfaceType::Lambda), _) => ResourceKind::Lambda,
        (
            Some(
                NetworkInterfaceType::VpcEndpoint
                | NetworkInterfaceType::GatewayLoadBalancerEndpoint,
            ),
            _,
        ) => ResourceKind::VpcEndpoint,
        (Some(NetworkInterfaceType::TransitGateway), _) => ResourceKind::TransitGateway,
        (
            Some(
                NetworkInterfaceType::NetworkLoadBalancer
                | NetworkInterfaceType::GatewayLoadBalancer,
            ),
            _,
        ) => ResourceKind::LoadBalancer,
        _ if description.starts_with("ELB ") => ResourceKind::LoadBalancer,
        _ if description.starts_with("RDSNetworkInterface") => ResourceKind::Database,
        _ if description.starts_with("ElastiCache") => ResourceKind::Cache,
        _ if description.starts_with("AWS Lambda VPC ENI") => ResourceKind::Lambda,
        _ => ResourceKind::Interface,
    };
    let name = match (&kind, attached) {
        (ResourceKind::Instance, Some(id)) => id.to_string(),
        (ResourceKind::LoadBalancer, _) if description.starts_with("ELB ") => {
            description.trim_start_matches("ELB ").to_string()
        }
        _ if !description.is_empty() => description,
        _ => n.requester_id().map(clean).unwrap_or_default(),
    };
    Resource { kind, name }
}

fn interface_info(n: &NetworkInterface) -> InterfaceInfo {
    InterfaceInfo {
        id: n.network_interface_id().unwrap_or_default().to_string(),
        ips: n
            .private_ip_addresses()
            .iter()
            .filter_map(|a| a.private_ip_address().map(str::to_string))
            .chain(n.private_ip_address().map(str::to_string))
            .chain(
                n.ipv6_addresses()
                    .iter()
                    .filter_map(|a| a.ipv6_address().map(str::to_string)),
            )
            .collect(),
        subnet_id: n.subnet_id().map(str::to_string),
        zone_id: n.availability_zone_id().map(str::to_string),
        zone_name: n.availability_zone().map(str::to_string),
        resource: resource_of(n),
    }
}

pub(crate) async fn interfaces(
    ctx: &Ctx<'_>,
    addresses: &[String],
) -> Result<Vec<InterfaceInfo>, BackendError> {
    let cache = &ctx.cache.flow.interfaces;
    let missing: Vec<String> = {
        let known = lock(cache);
        let mut m: Vec<String> = addresses
            .iter()
            .filter(|a| !known.contains_key(*a) && a.parse::<std::net::Ipv4Addr>().is_ok())
            .cloned()
            .collect();
        m.sort();
        m.dedup();
        m
    };
    let chunks = missing
        .chunks(ADDRESSES_PER_CALL)
        .map(|chunk| interfaces_chunk(ctx, chunk));
    let found: Vec<InterfaceInfo> = futures::future::try_join_all(chunks)
        .await?
        .into_iter()
        .flatten()
        .collect();
    {
        let mut known = lock(cache);
        for a in &missing {
            known.insert(a.clone(), found.iter().find(|i| i.ips.contains(a)).cloned());
        }
    }
    let known = lock(cache);
    let mut out: Vec<InterfaceInfo> = Vec::new();
    for a in addresses {
        if let Some(Some(i)) = known.get(a)
            && !out.iter().any(|o| o.id == i.id)
        {
            out.push(i.clone());
        }
    }
    Ok(out)
}

async fn interfaces_chunk(
    ctx: &Ctx<'_>,
    addresses: &[String],
) -> Result<Vec<InterfaceInfo>, BackendError> {
    const OP: &str = "DescribeNetworkInterfaces";
    let filter = Filter::builder()
        .name("addresses.private-ip-address")
        .set_values(Some(addresses.to_vec()))
        .build();
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_network_interfaces();
            let pages = request.filters(filter.clone()).into_paginator().send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.network_interfaces().iter().map(interface_info));
            })
            .await?;
            Ok(out)
        })
        .await
}
