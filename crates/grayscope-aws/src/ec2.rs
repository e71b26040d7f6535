//! EC2: the account's Availability Zones, instance placements and subnets.

use super::Ctx;
use super::paging::{all_pages, one_call};
use crate::backend::BackendError;
use crate::model::zones::{Subnet, Zone};
use aws_sdk_ec2::types::Filter;
use std::collections::HashMap;

const SERVICE: &str = "ec2";
/// Values per DescribeInstances filter (the API takes at most 200).
const IDS_PER_CALL: usize = 200;

/// DescribeAvailabilityZones: the zones enabled for the account in the region.
pub(crate) async fn zones(ctx: &Ctx<'_>) -> Result<Vec<Zone>, BackendError> {
    const OP: &str = "DescribeAvailabilityZones";
    let out = ctx
        .pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_availability_zones();
            one_call(SERVICE, OP, ctx.profile, request.send()).await
        })
        .await?;
    Ok(out
        .availability_zones()
        .iter()
        .filter_map(|z| {
            Some(Zone {
                name: z.zone_name()?.to_string(),
                id: z.zone_id().unwrap_or_default().to_string(),
                state: z
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
        })
        .collect())
}

/// DescribeInstances: instance ID -> the AZ name it is placed in. Filters by
/// `instance-id` rather than passing InstanceIds, so an instance that no longer
/// exists is simply absent instead of failing the whole call. Chunks run in parallel.
pub(crate) async fn instance_zones(
    ctx: &Ctx<'_>,
    ids: &[String],
) -> Result<HashMap<String, String>, BackendError> {
    let chunks = ids
        .chunks(IDS_PER_CALL)
        .map(|chunk| instance_zones_chunk(ctx, chunk));
    let maps = futures::future::try_join_all(chunks).await?;
    Ok(maps.into_iter().flatten().collect())
}

async fn instance_zones_chunk(
    ctx: &Ctx<'_>,
    ids: &[String],
) -> Result<HashMap<String, String>, BackendError> {
    const OP: &str = "DescribeInstances";
    let filter = Filter::builder()
        .name("instance-id")
        .set_values(Some(ids.to_vec()))
        .build();
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_instances();
            let pages = request
                .filters(filter.clone())
                .max_results(ctx.pages.instances)
                .into_paginator()
                .send();
            let mut out = HashMap::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for instance in page.reservations().iter().flat_map(|r| r.instances()) {
                    let zone = instance.placement().and_then(|p| p.availability_zone());
                    if let (Some(id), Some(zone)) = (instance.instance_id(), zone) {
                        out.insert(id.to_string(), zone.to_string());
                    }
                }
            })
            .await?;
            Ok(out)
        })
        .await
}

/// DescribeSubnets with a `vpc-id` filter, every page: the SDK's subnets of `vpc_ids`,
/// for each caller to read what it needs (zone and CIDR, free addresses, IPv6 ranges).
pub(crate) async fn vpc_subnets(
    ctx: &Ctx<'_>,
    vpc_ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::Subnet>, BackendError> {
    const OP: &str = "DescribeSubnets";
    let filter = Filter::builder()
        .name("vpc-id")
        .set_values(Some(vpc_ids.to_vec()))
        .build();
    ctx.pace
        .ec2
        .run(|| async {
            let request = ctx.clients.ec2.describe_subnets();
            let pages = request
                .filters(filter.clone())
                .max_results(ctx.pages.subnets)
                .into_paginator()
                .send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.subnets().iter().cloned());
            })
            .await?;
            Ok(out)
        })
        .await
}

/// The VPC's subnets with their IPv4 CIDR and zone.
pub(crate) async fn subnets(ctx: &Ctx<'_>, vpc_id: &str) -> Result<Vec<Subnet>, BackendError> {
    let found = vpc_subnets(ctx, &[vpc_id.to_string()]).await?;
    Ok(found
        .iter()
        .filter_map(|s| {
            Some(Subnet {
                id: s.subnet_id().unwrap_or_default().to_string(),
                cidr: s.cidr_block()?.to_string(),
                zone_name: s.availability_zone()?.to_string(),
            })
        })
        .collect())
}
