//! ELBv2: load balancers, their target groups and their targets' health.

use super::Ctx;
use super::paging::{all_pages, one_call};
use crate::backend::{BackendError, Partial};
use crate::model::targets::{Target, TargetGroup, TargetState, ZoneSource};
use crate::model::zones::{CrossZone, GroupCrossZone, LbKind, LoadBalancer};
use aws_sdk_elasticloadbalancingv2 as elb;
use aws_sdk_elasticloadbalancingv2::types::{
    AnomalyResultEnum, DescribeTargetHealthInputIncludeEnum, MitigationInEffectEnum,
    TargetAdministrativeOverrideStateEnum, TargetHealthDescription,
};
use std::collections::HashSet;

const SERVICE: &str = "elasticloadbalancing";
/// Names or ARNs per DescribeLoadBalancers call (the API takes at most 20).
const LBS_PER_CALL: usize = 20;
/// Page size when listing every load balancer (the API's maximum).
const LIST_PAGE_SIZE: i32 = 400;

/// Which load balancers a DescribeLoadBalancers call asks for.
enum Selector<'a> {
    All,
    Names(&'a [String]),
    Arns(&'a [String]),
}

/// DescribeLoadBalancers: `wanted` entries starting with `arn:` are ARNs, the others
/// names; all of them when `wanted` is empty. Calls for names and for ARNs (20 per
/// call) run in parallel. Each load balancer appears once, in the order of `wanted`.
pub(crate) async fn load_balancers(
    ctx: &Ctx<'_>,
    wanted: &[String],
) -> Result<Partial<Vec<LoadBalancer>>, BackendError> {
    let mut seen = HashSet::new();
    let wanted: Vec<String> = wanted
        .iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty() && seen.insert(w.clone()))
        .collect();
    if wanted.is_empty() {
        return describe_load_balancers(ctx, Selector::All)
            .await
            .map(Partial::complete);
    }
    let (arns, names): (Vec<String>, Vec<String>) =
        wanted.iter().cloned().partition(|w| w.starts_with("arn:"));
    let calls = names
        .chunks(LBS_PER_CALL)
        .map(Selector::Names)
        .chain(arns.chunks(LBS_PER_CALL).map(Selector::Arns))
        .map(|selector| describe_each_if_not_found(ctx, selector));
    let answers = futures::future::join_all(calls).await;
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for answer in answers {
        found.extend(answer.data);
        problems.extend(answer.problems);
    }
    if let (true, Some(first)) = (found.is_empty(), problems.first()) {
        // Nothing to show at all: the pane shows this error.
        return Err(first.clone());
    }

    let mut seen = HashSet::new();
    let mut lbs: Vec<LoadBalancer> = found
        .into_iter()
        .filter(|lb| seen.insert(lb.arn.clone()))
        .collect();
    let rank = |lb: &LoadBalancer| {
        wanted
            .iter()
            .position(|w| *w == lb.arn || *w == lb.name)
            .unwrap_or(usize::MAX)
    };
    lbs.sort_by_key(rank);
    Ok(Partial {
        data: lbs,
        problems,
    })
}

/// One DescribeLoadBalancers call for up to 20 names or ARNs. The API fails the whole
/// call when one of them does not exist (LoadBalancerNotFound): then each is asked for
/// on its own, so the missing ones are named and the others still load.
async fn describe_each_if_not_found(
    ctx: &Ctx<'_>,
    selector: Selector<'_>,
) -> Partial<Vec<LoadBalancer>> {
    let (items, by_arn) = match selector {
        Selector::Names(n) => (n, false),
        Selector::Arns(a) => (a, true),
        Selector::All => (&[][..], false),
    };
    match describe_load_balancers(ctx, selector).await {
        Ok(lbs) => Partial::complete(lbs),
        Err(e) if items.len() > 1 && is_not_found(&e) => {
            let answers = futures::future::join_all(items.iter().map(|item| {
                let single = std::slice::from_ref(item);
                let selector = if by_arn {
                    Selector::Arns(single)
                } else {
                    Selector::Names(single)
                };
                describe_load_balancers(ctx, selector)
            }))
            .await;
            let mut out: Partial<Vec<LoadBalancer>> = Partial::default();
            for (item, answer) in items.iter().zip(answers) {
                match answer {
                    Ok(lbs) => out.data.extend(lbs),
                    Err(e) => out.problems.push(not_found_named(item, e)),
                }
            }
            out
        }
        Err(e) => Partial {
            data: Vec::new(),
            problems: vec![match items {
                [one] => not_found_named(one, e),
                _ => e,
            }],
        },
    }
}

fn is_not_found(e: &BackendError) -> bool {
    matches!(e, BackendError::Service { code, .. } if code == "LoadBalancerNotFound")
}

/// `no load balancer named "x" in this region/account` for a not-found answer.
fn not_found_named(item: &str, e: BackendError) -> BackendError {
    if is_not_found(&e) {
        BackendError::Service {
            operation: "DescribeLoadBalancers".into(),
            code: "LoadBalancerNotFound".into(),
            message: format!(
                "no load balancer {item:?} in this account and region (check --load-balancer and --region)"
            ),
        }
    } else {
        e
    }
}

async fn describe_load_balancers(
    ctx: &Ctx<'_>,
    selector: Selector<'_>,
) -> Result<Vec<LoadBalancer>, BackendError> {
    const OP: &str = "DescribeLoadBalancers";
    ctx.pace
        .elbv2
        .run(|| async {
            let request = ctx.clients.elbv2.describe_load_balancers();
            let request = match selector {
                Selector::All => request.page_size(LIST_PAGE_SIZE),
                Selector::Names(names) => request.set_names(Some(names.to_vec())),
                Selector::Arns(arns) => request.set_load_balancer_arns(Some(arns.to_vec())),
            };
            let mut out = Vec::new();
            let pages = request.into_paginator().send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.load_balancers().iter().filter_map(map_load_balancer));
            })
            .await?;
            Ok(out)
        })
        .await
}

fn map_load_balancer(lb: &elb::types::LoadBalancer) -> Option<LoadBalancer> {
    let arn = lb.load_balancer_arn()?.to_string();
    let kind = match lb.r#type().map(|t| t.as_str()) {
        Some("network") => LbKind::Network,
        Some("gateway") => LbKind::Gateway,
        _ => LbKind::Application,
    };
    Some(LoadBalancer {
        name: lb
            .load_balancer_name()
            .map(str::to_string)
            .unwrap_or_else(|| arn.clone()),
        arn,
        kind,
        scheme: lb
            .scheme()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        state: lb
            .state()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        vpc_id: lb.vpc_id().map(str::to_string),
        zone_names: lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect(),
    })
}

/// DescribeTargetGroups for one load balancer (paginated).
pub(crate) async fn target_groups(
    ctx: &Ctx<'_>,
    lb_arn: &str,
) -> Result<Vec<TargetGroup>, BackendError> {
    const OP: &str = "DescribeTargetGroups";
    ctx.pace
        .elbv2
        .run(|| async {
            let request = ctx.clients.elbv2.describe_target_groups();
            let pages = request
                .load_balancer_arn(lb_arn)
                .page_size(ctx.pages.target_groups)
                .into_paginator()
                .send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.target_groups().iter().filter_map(|g| {
                    Some(TargetGroup {
                        arn: g.target_group_arn()?.to_string(),
                        name: g.target_group_name().unwrap_or_default().to_string(),
                        target_type: g
                            .target_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        protocol: g.protocol().map(|p| p.as_str().to_string()),
                        port: g.port(),
                        vpc_id: g.vpc_id().map(str::to_string),
                        load_balancer_arns: g.load_balancer_arns().to_vec(),
                        // Read separately (DescribeTargetGroupAttributes).
                        cross_zone: CrossZone::Unknown,
                    })
                }));
            })
            .await?;
            Ok(out)
        })
        .await
}

/// DescribeTargetHealth(TargetGroupArn, Include=[All]) for one group. Zones are as
/// reported (`ZoneSource::Reported`) or left for the caller to resolve; Lambda targets
/// never have one.
pub(crate) async fn target_health(
    ctx: &Ctx<'_>,
    group_arn: &str,
    target_type: &str,
) -> Result<Vec<Target>, BackendError> {
    const OP: &str = "DescribeTargetHealth";
    let out = ctx
        .pace
        .elbv2
        .run(|| async {
            let request = ctx.clients.elbv2.describe_target_health();
            let request = request
                .target_group_arn(group_arn)
                .include(DescribeTargetHealthInputIncludeEnum::All);
            one_call(SERVICE, OP, ctx.profile, request.send()).await
        })
        .await?;
    let lambda = target_type == "lambda";
    Ok(out
        .target_health_descriptions()
        .iter()
        .filter_map(|d| map_target(d, lambda))
        .collect())
}

fn map_target(d: &TargetHealthDescription, lambda: bool) -> Option<Target> {
    let target = d.target()?;
    let health = d.target_health();
    let zone_name = target
        .availability_zone()
        .map(str::trim)
        .filter(|z| !z.is_empty() && !lambda)
        .map(str::to_string);
    Some(Target {
        id: target.id()?.to_string(),
        port: target.port(),
        zone_source: if zone_name.is_some() {
            ZoneSource::Reported
        } else {
            ZoneSource::Unknown
        },
        zone_name,
        state: TargetState::parse(
            health
                .and_then(|h| h.state())
                .map(|s| s.as_str())
                .unwrap_or("unknown"),
        ),
        reason: health
            .and_then(|h| h.reason())
            .map(|r| r.as_str().to_string()),
        description: health.and_then(|h| h.description()).map(str::to_string),
        anomalous: d.anomaly_detection().and_then(|a| a.result())
            == Some(&AnomalyResultEnum::Anomalous),
        // Only target groups with automatic target weights carry a result at all.
        anomaly_checked: d.anomaly_detection().and_then(|a| a.result()).is_some(),
        mitigation_in_effect: d.anomaly_detection().and_then(|a| a.mitigation_in_effect())
            == Some(&MitigationInEffectEnum::Yes),
        zonal_shift_active: d.administrative_override().and_then(|o| o.state())
            == Some(&TargetAdministrativeOverrideStateEnum::ZonalShiftActive),
    })
}

/// The attribute that turns cross-zone load balancing on or off, on target groups and
/// on load balancers alike.
const CROSS_ZONE_ATTRIBUTE: &str = "load_balancing.cross_zone.enabled";

/// DescribeTargetGroupAttributes: the group's own cross-zone setting. `None` when the
/// group does not carry the attribute (it then follows its load balancer).
pub(crate) async fn target_group_cross_zone(
    ctx: &Ctx<'_>,
    group_arn: &str,
) -> Result<Option<GroupCrossZone>, BackendError> {
    const OP: &str = "DescribeTargetGroupAttributes";
    let out = ctx
        .pace
        .elbv2
        .run(|| async {
            let request = ctx
                .clients
                .elbv2
                .describe_target_group_attributes()
                .target_group_arn(group_arn);
            one_call(SERVICE, OP, ctx.profile, request.send()).await
        })
        .await?;
    Ok(out
        .attributes()
        .iter()
        .find(|a| a.key() == Some(CROSS_ZONE_ATTRIBUTE))
        .and_then(|a| a.value())
        .map(GroupCrossZone::parse))
}

/// DescribeLoadBalancerAttributes: the load balancer's cross-zone setting (NLB and
/// GWLB; an ALB has it on, always). `None` when the attribute is missing or not a
/// boolean.
pub(crate) async fn load_balancer_cross_zone(
    ctx: &Ctx<'_>,
    lb_arn: &str,
) -> Result<Option<bool>, BackendError> {
    load_balancer_flag(ctx, lb_arn, CROSS_ZONE_ATTRIBUTE).await
}

/// DescribeLoadBalancerAttributes: the boolean attribute `key` (cross-zone, zonal
/// shift). `None` when the attribute is missing or not a boolean.
pub(crate) async fn load_balancer_flag(
    ctx: &Ctx<'_>,
    lb_arn: &str,
    key: &str,
) -> Result<Option<bool>, BackendError> {
    const OP: &str = "DescribeLoadBalancerAttributes";
    let out = ctx
        .pace
        .elbv2
        .run(|| async {
            let request = ctx
                .clients
                .elbv2
                .describe_load_balancer_attributes()
                .load_balancer_arn(lb_arn);
            one_call(SERVICE, OP, ctx.profile, request.send()).await
        })
        .await?;
    Ok(out
        .attributes()
        .iter()
        .find(|a| a.key() == Some(key))
        .and_then(|a| match a.value().map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }))
}
