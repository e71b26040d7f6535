//! Capability: ARC zonal shift for the watched load balancers. Reads whether a load
//! balancer can be shifted (`zonal_shift.config.enabled`), its active and recent
//! shifts and autoshifts, practice runs and applied weights, and the free addresses in
//! its VPC's subnets; starts, extends and cancels a shift. The live backend uses
//! ELBv2 (DescribeLoadBalancerAttributes), ARC zonal shift (GetManagedResource,
//! ListZonalShifts, StartZonalShift, UpdateZonalShift, CancelZonalShift) and EC2
//! (DescribeSubnets); the demo shifts its simulated traffic.
//!
//! Writes fail with a [`ShiftError`] that says, in words, what to do: the attribute to
//! set, the shift already active, the autoshift in the way, an unsupported zone.

use crate::backend::BackendError;
use crate::model::zonal_shift::{AzId, ENABLED_ATTRIBUTE, Expiry};
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Who started a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftKind {
    /// A person or automation (StartZonalShift).
    Manual,
    /// AWS, on the account's behalf (zonal autoshift).
    Autoshift,
    /// A zonal autoshift practice run.
    PracticeRun,
    /// An AWS FIS experiment.
    Experiment,
}

impl ShiftKind {
    pub fn label(self) -> &'static str {
        match self {
            ShiftKind::Manual => "zonal shift",
            ShiftKind::Autoshift => "autoshift",
            ShiftKind::PracticeRun => "practice run",
            ShiftKind::Experiment => "FIS experiment",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftState {
    Active,
    Expired,
    Canceled,
}

impl ShiftState {
    pub fn label(self) -> &'static str {
        match self {
            ShiftState::Active => "ACTIVE",
            ShiftState::Expired => "EXPIRED",
            ShiftState::Canceled => "CANCELED",
        }
    }
}

/// One zonal shift (or autoshift) of a load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonalShift {
    /// Empty for an autoshift (AWS gives it no id one can update or cancel).
    pub id: String,
    pub resource_arn: String,
    /// The AZ ID traffic is moved away from.
    pub away_from: String,
    pub kind: ShiftKind,
    pub state: ShiftState,
    /// Whether it is the shift in effect (of several, one is applied).
    pub applied: Option<bool>,
    pub start: Option<DateTime<Utc>>,
    pub expiry: Option<DateTime<Utc>>,
    pub comment: String,
    /// A practice run's outcome (SUCCEEDED, FAILED, ...).
    pub outcome: Option<String>,
}

/// Zonal shift as it stands for one load balancer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShiftStatus {
    pub lb_arn: String,
    pub lb_name: String,
    /// `zonal_shift.config.enabled` (`None`: not read).
    pub enabled: Option<bool>,
    /// Whether ARC knows the load balancer as a managed resource.
    pub managed: bool,
    /// Zonal autoshift (`None`: not known).
    pub autoshift: Option<bool>,
    /// Whether a practice-run configuration exists (`None`: not known).
    pub practice_runs: Option<bool>,
    /// AZ ID -> weight (1 = serving, 0 = shifted away).
    pub applied_weights: Vec<(String, f32)>,
    /// Active shifts and autoshifts first, then recent ones (newest first).
    pub shifts: Vec<ZonalShift>,
    /// What could not be read, one line each (the rest still shows).
    pub problems: Vec<String>,
}

impl ShiftStatus {
    /// The active shift away from `zone_id`, if any (one that can be extended or
    /// cancelled: a manual shift or a practice run).
    pub fn active_away_from(&self, zone_id: &str) -> Option<&ZonalShift> {
        self.shifts
            .iter()
            .find(|s| s.state == ShiftState::Active && s.away_from == zone_id)
    }

    /// Any active shift of this load balancer.
    pub fn any_active(&self) -> Option<&ZonalShift> {
        self.shifts.iter().find(|s| s.state == ShiftState::Active)
    }
}

/// Free addresses in one subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetRoom {
    pub subnet_id: String,
    pub zone_name: String,
    pub zone_id: Option<String>,
    /// AvailableIpAddressCount.
    pub free_ips: i64,
}

/// A shift to start.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftRequest {
    pub lb_arn: String,
    pub lb_name: String,
    pub away_from: AzId,
    pub expires_in: Expiry,
    pub comment: String,
}

/// Why a zonal-shift write was refused, in words that say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error(
        "zonal shift is not enabled on {lb}: set its attribute {ENABLED_ATTRIBUTE}=true (aws elbv2 modify-load-balancer-attributes), then try again"
    )]
    NotEnabled { lb: String },
    #[error(
        "a zonal shift is already active on {lb}{}: extend or cancel it instead ({message})",
        shift_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default()
    )]
    AlreadyActive {
        lb: String,
        shift_id: Option<String>,
        message: String,
    },
    #[error(
        "zonal autoshift is in the way on {lb}: AWS has shifted, or manages shifts for, this resource ({message})"
    )]
    Autoshift { lb: String, message: String },
    #[error("another zonal shift conflicts (only one zone at a time per resource; {message})")]
    Simultaneous { message: String },
    #[error("the shift is no longer active (it expired or was cancelled): refresh ({message})")]
    NotActive { message: String },
    #[error("{az} is not a zone this load balancer can be shifted away from ({message})")]
    UnsupportedAz { az: String, message: String },
    #[error("{field} was refused: {message}")]
    Invalid { field: String, message: String },
    #[error(
        "{operation}: access denied ({message}); the IAM policy needs arc-zonal-shift:{operation}"
    )]
    AccessDenied { operation: String, message: String },
    #[error("{0}")]
    Backend(BackendError),
}

impl ShiftError {
    /// The error for a service answer `code` (e.g. `ConflictException`) with the
    /// modelled `reason` (e.g. `ZonalShiftAlreadyExists`), for a shift of `lb`.
    pub fn from_service(
        error: BackendError,
        reason: Option<&str>,
        lb: &str,
        az: Option<&str>,
        shift_id: Option<String>,
    ) -> Self {
        let (code, message) = match &error {
            BackendError::Service { code, message, .. } => (code.as_str(), message.clone()),
            BackendError::AccessDenied { operation, message } => {
                return ShiftError::AccessDenied {
                    operation: operation.clone(),
                    message: message.clone(),
                };
            }
            _ => return ShiftError::Backend(error),
        };
        let lb = lb.to_string();
        match (code, reason) {
            ("ConflictException", Some("ZonalShiftAlreadyExists")) => ShiftError::AlreadyActive {
                lb,
                shift_id,
                message,
            },
            ("ConflictException", Some("AutoShiftEnabled" | "ZonalAutoshiftActive")) => {
                ShiftError::Autoshift { lb, message }
            }
            ("ConflictException", Some("SimultaneousZonalShiftsConflict")) => {
                ShiftError::Simultaneous { message }
            }
            ("ConflictException", Some("ZonalShiftStatusNotActive")) => {
                ShiftError::NotActive { message }
            }
            ("ValidationException", Some("InvalidAz" | "UnsupportedAz")) => {
                ShiftError::UnsupportedAz {
                    az: az.unwrap_or("the zone").to_string(),
                    message,
                }
            }
            ("ValidationException", Some("InvalidResourceIdentifier"))
            | ("ResourceNotFoundException", _) => ShiftError::NotEnabled { lb },
            ("ValidationException", Some(r)) => ShiftError::Invalid {
                field: match r {
                    "InvalidExpiresIn" => "the expiry".to_string(),
                    "InvalidStatus" => "the status".to_string(),
                    other => other.to_string(),
                },
                message,
            },
            _ => ShiftError::Backend(error),
        }
    }
}

#[async_trait]
pub trait ZonalShifts: Send + Sync {
    /// Zonal shift as it stands for `lb`: the attribute, ARC's view, active and recent
    /// shifts. What one call cannot read is a problem line; the rest still shows.
    async fn shift_status(&self, lb: &LoadBalancer) -> Result<ShiftStatus, BackendError>;

    /// Free addresses in every subnet of the VPC.
    async fn subnet_room(&self, vpc_id: &str) -> Result<Vec<SubnetRoom>, BackendError>;

    /// StartZonalShift.
    async fn start_shift(&self, request: &ShiftRequest) -> Result<ZonalShift, ShiftError>;

    /// UpdateZonalShift: a new expiry, counted from now, and comment.
    async fn update_shift(
        &self,
        lb_name: &str,
        shift_id: &str,
        expires_in: Expiry,
        comment: &str,
    ) -> Result<ZonalShift, ShiftError>;

    /// CancelZonalShift.
    async fn cancel_shift(&self, lb_name: &str, shift_id: &str) -> Result<ZonalShift, ShiftError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str) -> BackendError {
        BackendError::Service {
            operation: "StartZonalShift".into(),
            code: code.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn each_refusal_says_what_to_do() {
        let e = |code, reason| {
            ShiftError::from_service(service(code), reason, "shop", Some("use1-az6"), None)
                .to_string()
        };
        assert!(e("ConflictException", Some("ZonalShiftAlreadyExists")).contains("already active"));
        assert!(e("ConflictException", Some("AutoShiftEnabled")).contains("autoshift"));
        assert!(
            e("ConflictException", Some("SimultaneousZonalShiftsConflict"))
                .contains("one zone at a time")
        );
        assert!(e("ConflictException", Some("ZonalShiftStatusNotActive")).contains("no longer"));
        assert!(e("ValidationException", Some("UnsupportedAz")).starts_with("use1-az6 is not"));
        assert!(e("ResourceNotFoundException", None).contains("zonal_shift.config.enabled=true"));
        assert!(e("ValidationException", Some("InvalidExpiresIn")).starts_with("the expiry"));
        let denied = ShiftError::from_service(
            BackendError::AccessDenied {
                operation: "StartZonalShift".into(),
                message: "no".into(),
            },
            None,
            "shop",
            None,
            None,
        );
        assert!(
            denied
                .to_string()
                .contains("arc-zonal-shift:StartZonalShift")
        );
    }
}
