//! ARC zonal shift (restJson1) for the watched load balancers, with the ELBv2
//! attribute that lets ARC shift one and the EC2 subnets' free addresses.
//!
//! Reads: DescribeLoadBalancerAttributes (`zonal_shift.config.enabled`),
//! GetManagedResource (applied weights, active shifts and autoshifts, autoshift and
//! practice-run configuration; ResourceNotFound means ARC does not manage it),
//! ListZonalShifts (recent shifts, every status), DescribeSubnets
//! (AvailableIpAddressCount). Writes: StartZonalShift, UpdateZonalShift,
//! CancelZonalShift; a refusal keeps its modelled reason (ConflictException
//! `ZonalShiftAlreadyExists`, ValidationException `UnsupportedAz`, ...) and becomes a
//! [`ShiftError`] in words.

use super::paging::{all_pages, one_call, one_call_with_detail};
use super::{AwsBackend, Ctx, chrono_time};
use crate::backend::BackendError;
use crate::backend::zonal_shift::{
    ShiftError, ShiftKind, ShiftRequest, ShiftState, ShiftStatus, SubnetRoom, ZonalShift,
    ZonalShifts,
};
use crate::model::zonal_shift::{ENABLED_ATTRIBUTE, Expiry};
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use aws_sdk_arczonalshift::operation::cancel_zonal_shift::CancelZonalShiftError;
use aws_sdk_arczonalshift::operation::start_zonal_shift::StartZonalShiftError;
use aws_sdk_arczonalshift::operation::update_zonal_shift::UpdateZonalShiftError;
use aws_sdk_arczonalshift::types::{
    AppliedStatus, AutoshiftAppliedStatus, ShiftType, ZonalAutoshiftStatus, ZonalShiftStatus,
};

const SERVICE: &str = "arc-zonal-shift";
/// Recent (expired or cancelled) shifts kept per load balancer.
pub const RECENT_SHIFTS: usize = 5;
/// ListZonalShifts page size (the API's maximum is 100).
const LIST_PAGE: i32 = 100;

fn kind(t: Option<&ShiftType>) -> ShiftKind {
    match t {
        Some(ShiftType::PracticeRun) => ShiftKind::PracticeRun,
        Some(ShiftType::ZonalAutoshift) => ShiftKind::Autoshift,
        Some(ShiftType::FisExperiment) => ShiftKind::Experiment,
        _ => ShiftKind::Manual,
    }
}

fn state(s: &ZonalShiftStatus) -> ShiftState {
    match s {
        ZonalShiftStatus::Active => ShiftState::Active,
        ZonalShiftStatus::Canceled => ShiftState::Canceled,
        _ => ShiftState::Expired,
    }
}

/// The reason of a modelled ConflictException or ValidationException, and the id of
/// the shift a conflict names.
macro_rules! reason_of {
    ($err:ident) => {
        |e: &$err| match e {
            $err::ConflictException(c) => Some(format!(
                "{}|{}",
                c.reason().as_str(),
                c.zonal_shift_id().unwrap_or_default()
            )),
            $err::ValidationException(v) => Some(format!("{}|", v.reason().as_str())),
            _ => None,
        }
    };
}

/// A refusal in words, from the classified error and the `reason|shift id` detail.
fn refusal(
    (error, detail): (BackendError, Option<String>),
    lb: &str,
    az: Option<&str>,
) -> ShiftError {
    let (reason, shift_id) = match detail.as_deref().and_then(|d| d.split_once('|')) {
        Some((r, id)) => (Some(r), (!id.is_empty()).then(|| id.to_string())),
        None => (None, None),
    };
    ShiftError::from_service(error, reason, lb, az, shift_id)
}

/// Runs a write within ARC's pacer: a throttled call is tried again like any other;
/// every other refusal is returned with its detail.
async fn paced_write<T, F, Fut>(ctx: &Ctx<'_>, call: F) -> Result<T, (BackendError, Option<String>)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, (BackendError, Option<String>)>>,
{
    let out = ctx
        .pace
        .arc
        .run(|| async {
            match call().await {
                Err((e @ BackendError::Throttled { .. }, _)) => Err(e),
                other => Ok(other),
            }
        })
        .await;
    match out {
        Ok(inner) => inner,
        Err(e) => Err((e, None)),
    }
}

/// DescribeLoadBalancerAttributes: `zonal_shift.config.enabled`.
async fn enabled(ctx: &Ctx<'_>, lb_arn: &str) -> Result<Option<bool>, BackendError> {
    let flag = super::elbv2::load_balancer_flag(ctx, lb_arn, ENABLED_ATTRIBUTE).await?;
    // A load balancer that does not list the attribute has never turned it on.
    Ok(flag.or(Some(false)))
}

/// What GetManagedResource says: `None` when ARC does not manage the resource.
struct Managed {
    weights: Vec<(String, f32)>,
    shifts: Vec<ZonalShift>,
    autoshift: Option<bool>,
    practice_runs: bool,
}

/// GetManagedResource(resourceIdentifier = the load balancer's ARN).
async fn managed(ctx: &Ctx<'_>, lb_arn: &str) -> Result<Option<Managed>, BackendError> {
    const OP: &str = "GetManagedResource";
    let out = ctx
        .pace
        .arc
        .run(|| async {
            let request = ctx
                .clients
                .arc
                .get_managed_resource()
                .resource_identifier(lb_arn);
            match one_call(SERVICE, OP, ctx.profile, request.send()).await {
                Ok(o) => Ok(Some(o)),
                Err(BackendError::Service { code, .. }) if code == "ResourceNotFoundException" => {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    let Some(out) = out else { return Ok(None) };
    let mut weights: Vec<(String, f32)> = out
        .applied_weights()
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    let mut shifts: Vec<ZonalShift> = out
        .zonal_shifts()
        .iter()
        .map(|s| ZonalShift {
            id: s.zonal_shift_id().to_string(),
            resource_arn: s.resource_identifier().to_string(),
            away_from: s.away_from().to_string(),
            kind: kind(s.shift_type()),
            state: ShiftState::Active,
            applied: Some(*s.applied_status() == AppliedStatus::Applied),
            start: chrono_time(s.start_time()),
            expiry: chrono_time(s.expiry_time()),
            comment: s.comment().to_string(),
            outcome: s.practice_run_outcome().map(|o| o.as_str().to_string()),
        })
        .collect();
    shifts.extend(out.autoshifts().iter().map(|a| ZonalShift {
        id: String::new(),
        resource_arn: lb_arn.to_string(),
        away_from: a.away_from().to_string(),
        kind: ShiftKind::Autoshift,
        state: ShiftState::Active,
        applied: Some(*a.applied_status() == AutoshiftAppliedStatus::Applied),
        start: chrono_time(a.start_time()),
        expiry: None,
        comment: String::new(),
        outcome: None,
    }));
    Ok(Some(Managed {
        weights,
        shifts,
        autoshift: out
            .zonal_autoshift_status()
            .map(|s| *s == ZonalAutoshiftStatus::Enabled),
        practice_runs: out.practice_run_configuration().is_some(),
    }))
}

/// ListZonalShifts(resourceIdentifier): every shift ARC remembers for it, newest first.
async fn listed(ctx: &Ctx<'_>, lb_arn: &str) -> Result<Vec<ZonalShift>, BackendError> {
    const OP: &str = "ListZonalShifts";
    let mut out = ctx
        .pace
        .arc
        .run(|| async {
            let request = ctx.clients.arc.list_zonal_shifts();
            let pages = request
                .resource_identifier(lb_arn)
                .max_results(LIST_PAGE)
                .into_paginator()
                .send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.items().iter().map(|s| ZonalShift {
                    id: s.zonal_shift_id().to_string(),
                    resource_arn: s.resource_identifier().to_string(),
                    away_from: s.away_from().to_string(),
                    kind: kind(s.shift_type()),
                    state: state(s.status()),
                    applied: None,
                    start: chrono_time(s.start_time()),
                    expiry: chrono_time(s.expiry_time()),
                    comment: s.comment().to_string(),
                    outcome: s.practice_run_outcome().map(|o| o.as_str().to_string()),
                }));
            })
            .await?;
            Ok(out)
        })
        .await?;
    out.sort_by_key(|s| std::cmp::Reverse(s.start));
    Ok(out)
}

/// The active shifts (from the resource, which knows which is applied) first, then
/// the listed ones it does not have, newest first, at most [`RECENT_SHIFTS`] of those
/// that ended.
pub(crate) fn merge_shifts(active: Vec<ZonalShift>, listed: Vec<ZonalShift>) -> Vec<ZonalShift> {
    let mut out = active;
    let mut ended = 0;
    for s in listed {
        if !s.id.is_empty() && out.iter().any(|a| a.id == s.id) {
            continue;
        }
        if s.state != ShiftState::Active {
            if ended >= RECENT_SHIFTS {
                continue;
            }
            ended += 1;
        }
        out.push(s);
    }
    out
}

/// [`shift_of`] from a Start/Update/CancelZonalShift reply: three SDK types with the
/// same fields.
macro_rules! shift_reply {
    ($out:expr) => {
        shift_of(
            $out.zonal_shift_id(),
            $out.resource_identifier(),
            $out.away_from(),
            $out.start_time(),
            $out.expiry_time(),
            $out.status(),
            $out.comment(),
        )
    };
}

fn shift_of(
    id: &str,
    resource: &str,
    away: &str,
    start: &aws_smithy_types::DateTime,
    expiry: &aws_smithy_types::DateTime,
    status: &ZonalShiftStatus,
    comment: &str,
) -> ZonalShift {
    ZonalShift {
        id: id.to_string(),
        resource_arn: resource.to_string(),
        away_from: away.to_string(),
        kind: ShiftKind::Manual,
        state: state(status),
        applied: None,
        start: chrono_time(start),
        expiry: chrono_time(expiry),
        comment: comment.to_string(),
        outcome: None,
    }
}

#[async_trait]
impl ZonalShifts for AwsBackend {
    async fn shift_status(&self, lb: &LoadBalancer) -> Result<ShiftStatus, BackendError> {
        let ctx = self.ctx().await;
        let (enabled, managed, listed) = futures::join!(
            enabled(&ctx, &lb.arn),
            managed(&ctx, &lb.arn),
            listed(&ctx, &lb.arn)
        );
        if let (Err(a), Err(_), Err(_)) = (&enabled, &managed, &listed) {
            return Err(a.clone());
        }
        let mut status = ShiftStatus {
            lb_arn: lb.arn.clone(),
            lb_name: lb.name.clone(),
            ..ShiftStatus::default()
        };
        match enabled {
            Ok(e) => status.enabled = e,
            Err(e) => status.problems.push(format!("attribute: {e}")),
        }
        let active = match managed {
            Ok(Some(m)) => {
                status.managed = true;
                status.applied_weights = m.weights;
                status.autoshift = m.autoshift;
                status.practice_runs = Some(m.practice_runs);
                m.shifts
            }
            Ok(None) => Vec::new(),
            Err(e) => {
                status.problems.push(format!("managed resource: {e}"));
                Vec::new()
            }
        };
        let listed = match listed {
            Ok(l) => l,
            Err(e) => {
                status.problems.push(format!("recent shifts: {e}"));
                Vec::new()
            }
        };
        status.shifts = merge_shifts(active, listed);
        Ok(status)
    }

    async fn subnet_room(&self, vpc_id: &str) -> Result<Vec<SubnetRoom>, BackendError> {
        let ctx = self.ctx().await;
        let found = super::ec2::vpc_subnets(&ctx, &[vpc_id.to_string()]).await?;
        Ok(found
            .iter()
            .filter_map(|s| {
                Some(SubnetRoom {
                    subnet_id: s.subnet_id()?.to_string(),
                    zone_name: s.availability_zone()?.to_string(),
                    zone_id: s.availability_zone_id().map(str::to_string),
                    free_ips: s.available_ip_address_count().unwrap_or(0) as i64,
                })
            })
            .collect())
    }

    async fn start_shift(&self, r: &ShiftRequest) -> Result<ZonalShift, ShiftError> {
        const OP: &str = "StartZonalShift";
        let ctx = self.ctx().await;
        let out = paced_write(&ctx, || async {
            let request = ctx
                .clients
                .arc
                .start_zonal_shift()
                .resource_identifier(&r.lb_arn)
                .away_from(r.away_from.as_str())
                .expires_in(r.expires_in.text())
                .comment(&r.comment);
            one_call_with_detail(
                SERVICE,
                OP,
                ctx.profile,
                request.send(),
                reason_of!(StartZonalShiftError),
            )
            .await
        })
        .await
        .map_err(|e| refusal(e, &r.lb_name, Some(r.away_from.as_str())))?;
        tracing::info!(
            lb = %r.lb_arn,
            away_from = %r.away_from,
            expires_in = %r.expires_in.text(),
            shift = out.zonal_shift_id(),
            "zonal shift started"
        );
        Ok(shift_reply!(out))
    }

    async fn update_shift(
        &self,
        lb_name: &str,
        shift_id: &str,
        expires_in: Expiry,
        comment: &str,
    ) -> Result<ZonalShift, ShiftError> {
        const OP: &str = "UpdateZonalShift";
        let ctx = self.ctx().await;
        let out = paced_write(&ctx, || async {
            let request = ctx
                .clients
                .arc
                .update_zonal_shift()
                .zonal_shift_id(shift_id)
                .expires_in(expires_in.text())
                .comment(comment);
            one_call_with_detail(
                SERVICE,
                OP,
                ctx.profile,
                request.send(),
                reason_of!(UpdateZonalShiftError),
            )
            .await
        })
        .await
        .map_err(|e| refusal(e, lb_name, None))?;
        tracing::info!(shift = shift_id, expires_in = %expires_in.text(), "zonal shift updated");
        Ok(shift_reply!(out))
    }

    async fn cancel_shift(&self, lb_name: &str, shift_id: &str) -> Result<ZonalShift, ShiftError> {
        const OP: &str = "CancelZonalShift";
        let ctx = self.ctx().await;
        let out = paced_write(&ctx, || async {
            let request = ctx
                .clients
                .arc
                .cancel_zonal_shift()
                .zonal_shift_id(shift_id);
            one_call_with_detail(
                SERVICE,
                OP,
                ctx.profile,
                request.send(),
                reason_of!(CancelZonalShiftError),
            )
            .await
        })
        .await
        .map_err(|e| refusal(e, lb_name, None))?;
        tracing::info!(shift = shift_id, "zonal shift cancelled");
        Ok(shift_reply!(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, state: ShiftState, minute: i64) -> ZonalShift {
        ZonalShift {
            id: id.into(),
            resource_arn: "arn".into(),
            away_from: "use1-az6".into(),
            kind: ShiftKind::Manual,
            state,
            applied: None,
            start: chrono::DateTime::from_timestamp(minute * 60, 0),
            expiry: None,
            comment: String::new(),
            outcome: None,
        }
    }

    #[test]
    fn active_first_then_at_most_five_recent_without_doubles() {
        let active = vec![s("a", ShiftState::Active, 100)];
        let mut listed = vec![s("a", ShiftState::Active, 100)];
        listed.extend((0..8).map(|i| s(&format!("old{i}"), ShiftState::Expired, 90 - i)));
        let merged = merge_shifts(active, listed);
        assert_eq!(merged.len(), 1 + RECENT_SHIFTS);
        assert_eq!(merged[0].id, "a");
        assert_eq!(merged[1].id, "old0");
    }
}
