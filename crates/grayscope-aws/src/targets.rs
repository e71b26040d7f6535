//! [`Targets`] over ELBv2 and EC2: load balancers, zones, target groups and their
//! targets' health with every target's zone.
//!
//! What does not change in a session is asked for once (instance placements, a VPC's
//! subnets: see [`SessionCache`]); one target group whose health cannot be read, or
//! one load balancer name that does not exist, is a problem naming it while the rest
//! loads.

use super::{AwsBackend, Ctx, ec2, elbv2};
use crate::backend::{BackendError, Partial, Targets};
use crate::model::targets::{TargetGroup, TargetGroupHealth, ZoneSource};
use crate::model::zones::{
    CrossZone, GroupCrossZone, LbKind, LoadBalancer, Subnet, Zone, effective_cross_zone, zone_of_ip,
};
use async_trait::async_trait;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

/// A target group's or load balancer's cross-zone setting is read again at most this
/// often: it rarely changes, and a refresh should not cost a call per group.
pub const CROSS_ZONE_STALE_AFTER: Duration = Duration::from_secs(300);

/// A VPC's subnets are read again at most this often, and only when an IP target
/// falls outside every known subnet (a subnet added during the session).
pub const SUBNETS_STALE_AFTER: Duration = Duration::from_secs(300);

#[async_trait]
impl Targets for AwsBackend {
    async fn load_balancers(
        &self,
        wanted: &[String],
    ) -> Result<Partial<Vec<LoadBalancer>>, BackendError> {
        let ctx = self.ctx().await;
        elbv2::load_balancers(&ctx, wanted).await
    }

    async fn zones(&self) -> Result<Vec<Zone>, BackendError> {
        let ctx = self.ctx().await;
        ec2::zones(&ctx).await
    }

    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Partial<Vec<TargetGroupHealth>>, BackendError> {
        let ctx = self.ctx().await;
        target_health(&ctx, lbs).await
    }
}

/// Target groups of `lbs` (each once), their targets' health, and every target's zone.
///
/// Three rounds, each one's calls at the same time (within the service's pace):
/// DescribeTargetGroups per load balancer; DescribeTargetHealth per group, with
/// DescribeTargetGroupAttributes per group (whether cross-zone load balancing is on)
/// and DescribeLoadBalancerAttributes per NLB or GWLB (the setting a group falls back
/// to; an ALB's is always on) when the session has not read them in the last
/// [`CROSS_ZONE_STALE_AFTER`]; then
/// DescribeInstances for instance targets without a reported zone that the session has
/// not seen, alongside DescribeSubnets for VPCs whose subnets are not known yet. The
/// last round only refines zones: if it fails, the targets keep no zone and the
/// failure is logged. A group whose health call fails is a problem; the others load.
async fn target_health(
    ctx: &Ctx<'_>,
    lbs: &[LoadBalancer],
) -> Result<Partial<Vec<TargetGroupHealth>>, BackendError> {
    let per_lb: Vec<Vec<TargetGroup>> =
        futures::future::try_join_all(lbs.iter().map(|lb| elbv2::target_groups(ctx, &lb.arn)))
            .await?;
    let groups = dedup_groups(per_lb);

    let healths = futures::future::join_all(
        groups
            .iter()
            .map(|g| elbv2::target_health(ctx, &g.arn, &g.target_type)),
    );
    let group_settings =
        futures::future::join_all(groups.iter().map(|g| group_cross_zone_setting(ctx, &g.arn)));
    let non_albs: Vec<&LoadBalancer> = lbs
        .iter()
        .filter(|lb| lb.kind != LbKind::Application)
        .collect();
    let lb_settings = futures::future::join_all(
        non_albs
            .iter()
            .map(|lb| lb_cross_zone_setting(ctx, &lb.arn)),
    );
    let (healths, group_settings, lb_settings) =
        futures::join!(healths, group_settings, lb_settings);
    let mut problems = Vec::new();
    let lb_settings: HashMap<&str, Option<bool>> = non_albs
        .iter()
        .zip(lb_settings)
        .map(|(lb, r)| {
            let setting = r.unwrap_or_else(|e| {
                problems.push(BackendError::Other(format!(
                    "load balancer {}: cross-zone setting not read: {e}",
                    lb.name
                )));
                None
            });
            (lb.arn.as_str(), setting)
        })
        .collect();
    let mut groups = groups;
    for (group, setting) in groups.iter_mut().zip(group_settings) {
        group.cross_zone = match setting {
            Ok(setting) => group_cross_zone(group, setting, lbs, &lb_settings),
            Err(e) => {
                problems.push(BackendError::Other(format!(
                    "target group {}: cross-zone setting not read: {e}",
                    group.name
                )));
                CrossZone::Unknown
            }
        };
    }
    let mut out = Vec::new();
    let mut first_error = None;
    for (group, result) in groups.into_iter().zip(healths) {
        match result {
            Ok(targets) => out.push(TargetGroupHealth { group, targets }),
            Err(e) => {
                problems.push(BackendError::Other(format!(
                    "target group {}: {e}",
                    group.name
                )));
                first_error.get_or_insert(e);
            }
        }
    }
    if let (true, Some(e)) = (out.is_empty(), first_error) {
        return Err(e);
    }

    let (instance_ids, vpcs) = zone_lookups_needed(&out);
    let (instance_zones, subnets) = futures::join!(
        instance_zones(ctx, &instance_ids),
        subnets(ctx, &vpcs, &out)
    );
    resolve_zones(&mut out, &instance_zones, &subnets);
    Ok(Partial {
        data: out,
        problems,
    })
}

/// Zones of `ids`: from the session cache, and one DescribeInstances round for those
/// never seen (an instance does not move between zones).
async fn instance_zones(ctx: &Ctx<'_>, ids: &[String]) -> HashMap<String, String> {
    let unseen: Vec<String> = {
        let cache = lock(&ctx.cache.instance_zones);
        ids.iter()
            .filter(|id| !cache.contains_key(*id))
            .cloned()
            .collect()
    };
    if !unseen.is_empty() {
        match ec2::instance_zones(ctx, &unseen).await {
            Ok(found) => lock(&ctx.cache.instance_zones).extend(found),
            Err(e) => tracing::warn!(error = %e, "cannot resolve instance targets' zones"),
        }
    }
    let cache = lock(&ctx.cache.instance_zones);
    ids.iter()
        .filter_map(|id| Some((id.clone(), cache.get(id)?.clone())))
        .collect()
}

/// Subnets of `vpcs`: from the session cache, read again only for a VPC never read, or
/// one with an IP target outside every known subnet and last read long enough ago.
async fn subnets(
    ctx: &Ctx<'_>,
    vpcs: &[String],
    groups: &[TargetGroupHealth],
) -> HashMap<String, Vec<Subnet>> {
    let stale: Vec<String> = {
        let cache = lock(&ctx.cache.subnets);
        vpcs.iter()
            .filter(|vpc| match cache.get(*vpc) {
                None => true,
                Some((subnets, at)) => {
                    at.elapsed() >= SUBNETS_STALE_AFTER && has_unplaced_ip(groups, vpc, subnets)
                }
            })
            .cloned()
            .collect()
    };
    let results = futures::future::join_all(stale.iter().map(|vpc| ec2::subnets(ctx, vpc))).await;
    {
        let mut cache = lock(&ctx.cache.subnets);
        for (vpc, r) in stale.iter().zip(results) {
            match r {
                Ok(s) => {
                    cache.insert(vpc.clone(), (s, Instant::now()));
                }
                Err(e) => tracing::warn!(%vpc, error = %e, "cannot resolve IP targets' zones"),
            }
        }
    }
    let cache = lock(&ctx.cache.subnets);
    vpcs.iter()
        .filter_map(|vpc| Some((vpc.clone(), cache.get(vpc)?.0.clone())))
        .collect()
}

fn has_unplaced_ip(groups: &[TargetGroupHealth], vpc: &str, subnets: &[Subnet]) -> bool {
    groups
        .iter()
        .filter(|g| g.group.target_type == "ip" && g.group.vpc_id.as_deref() == Some(vpc))
        .flat_map(|g| &g.targets)
        .any(|t| t.zone_name.is_none() && zone_of_ip(subnets, &t.id).is_none())
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind: keep using it.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A group's own cross-zone attribute: from the session cache while fresh
/// ([`CROSS_ZONE_STALE_AFTER`]), else DescribeTargetGroupAttributes. A failed read is
/// not cached.
async fn group_cross_zone_setting(
    ctx: &Ctx<'_>,
    arn: &str,
) -> Result<Option<GroupCrossZone>, BackendError> {
    let cached = lock(&ctx.cache.group_cross_zone)
        .get(arn)
        .filter(|(_, at)| at.elapsed() < CROSS_ZONE_STALE_AFTER)
        .map(|(setting, _)| *setting);
    if let Some(setting) = cached {
        return Ok(setting);
    }
    let setting = elbv2::target_group_cross_zone(ctx, arn).await?;
    lock(&ctx.cache.group_cross_zone).insert(arn.to_string(), (setting, Instant::now()));
    Ok(setting)
}

/// A load balancer's cross-zone attribute, cached like [`group_cross_zone_setting`].
async fn lb_cross_zone_setting(ctx: &Ctx<'_>, arn: &str) -> Result<Option<bool>, BackendError> {
    let cached = lock(&ctx.cache.lb_cross_zone)
        .get(arn)
        .filter(|(_, at)| at.elapsed() < CROSS_ZONE_STALE_AFTER)
        .map(|(setting, _)| *setting);
    if let Some(setting) = cached {
        return Ok(setting);
    }
    let setting = elbv2::load_balancer_cross_zone(ctx, arn).await?;
    lock(&ctx.cache.lb_cross_zone).insert(arn.to_string(), (setting, Instant::now()));
    Ok(setting)
}

/// The cross-zone setting in effect for `group`: its own attribute, else that of the
/// first watched load balancer it serves (`lb_settings`: read for NLBs and GWLBs; an
/// ALB's is always on). Unknown when it serves none of them or the read failed.
fn group_cross_zone(
    group: &TargetGroup,
    setting: Option<GroupCrossZone>,
    lbs: &[LoadBalancer],
    lb_settings: &HashMap<&str, Option<bool>>,
) -> CrossZone {
    let Some(lb) = lbs
        .iter()
        .find(|lb| group.load_balancer_arns.iter().any(|a| a == &lb.arn))
    else {
        return match setting {
            Some(GroupCrossZone::On) => CrossZone::On,
            Some(GroupCrossZone::Off) => CrossZone::Off,
            _ => CrossZone::Unknown,
        };
    };
    let lb_setting = lb_settings.get(lb.arn.as_str()).copied().flatten();
    effective_cross_zone(lb.kind, setting, lb_setting)
}

/// Target groups in load-balancer order, each once (a group may serve several LBs).
fn dedup_groups(per_lb: Vec<Vec<TargetGroup>>) -> Vec<TargetGroup> {
    let mut seen = HashSet::new();
    per_lb
        .into_iter()
        .flatten()
        .filter(|g| seen.insert(g.arn.clone()))
        .collect()
}

/// Instance IDs and VPC IDs whose lookups would give targets a zone they lack.
fn zone_lookups_needed(groups: &[TargetGroupHealth]) -> (Vec<String>, Vec<String>) {
    let mut instances = BTreeSet::new();
    let mut vpcs = BTreeSet::new();
    for g in groups {
        for t in g.targets.iter().filter(|t| t.zone_name.is_none()) {
            match g.group.target_type.as_str() {
                "instance" => {
                    instances.insert(t.id.clone());
                }
                "ip" => {
                    if let Some(vpc) = &g.group.vpc_id {
                        vpcs.insert(vpc.clone());
                    }
                }
                _ => {}
            }
        }
    }
    (instances.into_iter().collect(), vpcs.into_iter().collect())
}

/// Fills in zones DescribeTargetHealth left out: instance targets through their
/// instance's placement, IP targets through the most specific subnet of the group's
/// VPC holding the IP (`subnets` is keyed by VPC ID: CIDRs overlap across VPCs).
/// Lambda and other targets keep no zone.
fn resolve_zones(
    groups: &mut [TargetGroupHealth],
    instance_zones: &HashMap<String, String>,
    subnets: &HashMap<String, Vec<Subnet>>,
) {
    for g in groups {
        let target_type = g.group.target_type.as_str();
        let vpc = g.group.vpc_id.as_deref();
        for t in g.targets.iter_mut().filter(|t| t.zone_name.is_none()) {
            let found = match target_type {
                "instance" => instance_zones
                    .get(&t.id)
                    .map(|z| (z.clone(), ZoneSource::Instance)),
                "ip" => vpc
                    .and_then(|vpc| subnets.get(vpc))
                    .and_then(|s| zone_of_ip(s, &t.id))
                    .map(|z| (z.to_string(), ZoneSource::Subnet)),
                _ => None,
            };
            if let Some((zone, source)) = found {
                t.zone_name = Some(zone);
                t.zone_source = source;
            } else {
                t.zone_source = ZoneSource::Unknown;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::targets::Target;
    use crate::model::targets::TargetState;

    fn group(
        arn: &str,
        target_type: &str,
        vpc: Option<&str>,
        targets: Vec<Target>,
    ) -> TargetGroupHealth {
        TargetGroupHealth {
            group: TargetGroup {
                arn: arn.into(),
                name: arn.into(),
                target_type: target_type.into(),
                protocol: None,
                port: None,
                vpc_id: vpc.map(str::to_string),
                load_balancer_arns: vec![],
                cross_zone: CrossZone::Unknown,
            },
            targets,
        }
    }

    fn target(id: &str, zone: Option<&str>) -> Target {
        Target {
            id: id.into(),
            port: None,
            zone_name: zone.map(str::to_string),
            zone_source: if zone.is_some() {
                ZoneSource::Reported
            } else {
                ZoneSource::Unknown
            },
            state: TargetState::Healthy,
            reason: None,
            description: None,
            anomalous: false,
            anomaly_checked: false,
            mitigation_in_effect: false,
            zonal_shift_active: false,
        }
    }

    #[test]
    fn resolves_in_order_reported_instance_subnet_unknown() {
        let mut groups = vec![
            group(
                "tg-i",
                "instance",
                Some("vpc-1"),
                vec![
                    target("i-1", Some("us-east-1a")),
                    target("i-2", None),
                    target("i-gone", None),
                ],
            ),
            group(
                "tg-ip",
                "ip",
                Some("vpc-1"),
                vec![target("10.0.2.9", None), target("192.168.1.1", None)],
            ),
            group(
                "tg-l",
                "lambda",
                None,
                vec![target("arn:aws:lambda:fn", None)],
            ),
        ];
        let (ids, vpcs) = zone_lookups_needed(&groups);
        assert_eq!(ids, vec!["i-2".to_string(), "i-gone".to_string()]);
        assert_eq!(vpcs, vec!["vpc-1".to_string()]);

        let instances = HashMap::from([
            ("i-1".to_string(), "us-east-1z".to_string()),
            ("i-2".to_string(), "us-east-1b".to_string()),
        ]);
        let subnets = HashMap::from([
            (
                "vpc-1".to_string(),
                vec![Subnet {
                    id: "subnet-1".into(),
                    cidr: "10.0.2.0/24".into(),
                    zone_name: "us-east-1c".into(),
                }],
            ),
            (
                "vpc-other".to_string(),
                vec![Subnet {
                    id: "subnet-9".into(),
                    cidr: "192.168.0.0/16".into(),
                    zone_name: "us-east-1f".into(),
                }],
            ),
        ]);
        resolve_zones(&mut groups, &instances, &subnets);
        let t = |g: usize, i: usize| {
            let t = &groups[g].targets[i];
            (t.zone_name.clone(), t.zone_source)
        };
        assert_eq!(t(0, 0), (Some("us-east-1a".into()), ZoneSource::Reported));
        assert_eq!(t(0, 1), (Some("us-east-1b".into()), ZoneSource::Instance));
        assert_eq!(t(0, 2), (None, ZoneSource::Unknown));
        assert_eq!(t(1, 0), (Some("us-east-1c".into()), ZoneSource::Subnet));
        assert_eq!(t(1, 1), (None, ZoneSource::Unknown));
        assert_eq!(t(2, 0), (None, ZoneSource::Unknown));
    }

    #[test]
    fn groups_shared_by_load_balancers_appear_once() {
        let g = |arn: &str| group(arn, "instance", None, vec![]).group;
        let out = dedup_groups(vec![vec![g("a"), g("b")], vec![g("b"), g("c")]]);
        let arns: Vec<&str> = out.iter().map(|g| g.arn.as_str()).collect();
        assert_eq!(arns, ["a", "b", "c"]);
    }
}
