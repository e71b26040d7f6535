//! The demo's [`ZonalShifts`]: shifts kept in memory and timed by the demo clock, so
//! a shift expires on its own. While one is active, the scenario moves the shifted
//! zone's traffic to the other zones (see `scenario::traffic_share`): its requests,
//! errors and latency drain in the AZ pane and the bands, its app tier's rejected
//! database connections thin out in the flow logs, and its targets show
//! `zonal_shift_active`.
//!
//! The load balancers: `shop-frontend`, `catalog-edge` (cross-zone on) and
//! `ledger-nlb` (zonal autoshift on, with practice runs and a recent practice run)
//! can be shifted; `orders-internal` has zonal shift off, so starting one there shows
//! the refusal a real account gives and the attribute to set.

use super::{DemoBackend, scenario};
use crate::backend::BackendError;
use crate::backend::zonal_shift::{
    ShiftError, ShiftKind, ShiftRequest, ShiftState, ShiftStatus, SubnetRoom, ZonalShift,
    ZonalShifts,
};
use crate::model::zonal_shift::Expiry;
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// The demo load balancer without zonal shift enabled.
pub const NOT_ENABLED: &str = "orders-internal";
/// The demo load balancer with zonal autoshift on.
pub const AUTOSHIFT: &str = "ledger-nlb";

/// Shifts started in the demo (ids `demo-shift-1`, ...).
#[derive(Debug, Default)]
pub struct DemoShifts {
    shifts: Mutex<Vec<ZonalShift>>,
}

impl DemoShifts {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ZonalShift>> {
        self.shifts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every shift as it stands at `now` (an active one past its expiry has expired).
    pub fn at(&self, now: DateTime<Utc>) -> Vec<ZonalShift> {
        self.lock()
            .iter()
            .cloned()
            .map(|mut s| {
                if s.state == ShiftState::Active && s.expiry.is_some_and(|e| e <= now) {
                    s.state = ShiftState::Expired;
                }
                s
            })
            .collect()
    }

    /// The shifts as the scenario sees them: which zone of which load balancer had
    /// its traffic moved away, when.
    pub fn windows(&self) -> Vec<scenario::ShiftWindow> {
        if self.lock().is_empty() {
            return Vec::new();
        }
        let zones = scenario::zones();
        let lbs = scenario::load_balancers();
        self.lock()
            .iter()
            .filter_map(|s| {
                let lb = lbs.iter().find(|l| l.arn == s.resource_arn)?;
                let zone = zones.iter().find(|z| z.id == s.away_from)?;
                Some(scenario::ShiftWindow {
                    lb: lb.name.clone(),
                    zone_name: zone.name.clone(),
                    start: s.start?,
                    end: s.expiry?,
                })
            })
            .collect()
    }
}

fn spec_of(lb: &str) -> Option<LoadBalancer> {
    scenario::load_balancers()
        .into_iter()
        .find(|l| l.arn == lb || l.name == lb)
}

impl DemoBackend {
    /// Zones (names) of `lb_name` whose traffic is shifted away at `at`.
    pub(crate) fn shifted_zones(&self, lb_name: &str, at: DateTime<Utc>) -> Vec<String> {
        self.shifts
            .windows()
            .into_iter()
            .filter(|w| w.lb == lb_name && w.start <= at && at < w.end)
            .map(|w| w.zone_name)
            .collect()
    }

    /// The scenario's view of every shift.
    pub(crate) fn shift_windows(&self) -> Vec<scenario::ShiftWindow> {
        self.shifts.windows()
    }
}

/// A practice run of the autoshift load balancer two days ago, and a game-day shift of
/// the shop a week ago: what "recent" looks like.
fn history(lb: &LoadBalancer, now: DateTime<Utc>) -> Vec<ZonalShift> {
    let day = |d: i64, h: i64| now - Duration::days(d) - Duration::hours(h);
    match lb.name.as_str() {
        AUTOSHIFT => vec![ZonalShift {
            id: "pr-0c1d2e3f".into(),
            resource_arn: lb.arn.clone(),
            away_from: "use1-az1".into(),
            kind: ShiftKind::PracticeRun,
            state: ShiftState::Expired,
            applied: None,
            start: Some(day(2, 3)),
            expiry: Some(day(2, 3) + Duration::minutes(30)),
            comment: "Zonal autoshift practice run".into(),
            outcome: Some("SUCCEEDED".into()),
        }],
        "shop-frontend" => vec![ZonalShift {
            id: "5e1f0a2b-gameday".into(),
            resource_arn: lb.arn.clone(),
            away_from: "use1-az4".into(),
            kind: ShiftKind::Manual,
            state: ShiftState::Canceled,
            applied: None,
            start: Some(day(7, 5)),
            expiry: Some(day(7, 5) + Duration::minutes(40)),
            comment: "game day: evacuate use1-az4".into(),
            outcome: None,
        }],
        _ => Vec::new(),
    }
}

fn zone_id_of(name: &str) -> Option<String> {
    scenario::zones()
        .into_iter()
        .find(|z| z.name == name)
        .map(|z| z.id)
}

#[async_trait]
impl ZonalShifts for DemoBackend {
    async fn shift_status(&self, lb: &LoadBalancer) -> Result<ShiftStatus, BackendError> {
        let now = self.now();
        let enabled = lb.name != NOT_ENABLED;
        let mut shifts: Vec<ZonalShift> = self
            .shifts
            .at(now)
            .into_iter()
            .filter(|s| s.resource_arn == lb.arn)
            .collect();
        shifts.sort_by_key(|s| (s.state != ShiftState::Active, std::cmp::Reverse(s.start)));
        for s in shifts.iter_mut().filter(|s| s.state == ShiftState::Active) {
            s.applied = Some(true);
        }
        shifts.extend(history(lb, now));
        let away: Vec<String> = shifts
            .iter()
            .filter(|s| s.state == ShiftState::Active)
            .map(|s| s.away_from.clone())
            .collect();
        let applied_weights = if enabled {
            lb.zone_names
                .iter()
                .filter_map(|z| zone_id_of(z))
                .map(|id| {
                    let w = if away.contains(&id) { 0.0 } else { 1.0 };
                    (id, w)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(ShiftStatus {
            lb_arn: lb.arn.clone(),
            lb_name: lb.name.clone(),
            enabled: Some(enabled),
            managed: enabled,
            autoshift: enabled.then_some(lb.name == AUTOSHIFT),
            practice_runs: enabled.then_some(lb.name == AUTOSHIFT),
            applied_weights,
            shifts: if enabled { shifts } else { Vec::new() },
            problems: Vec::new(),
        })
    }

    async fn subnet_room(&self, vpc_id: &str) -> Result<Vec<SubnetRoom>, BackendError> {
        if vpc_id != super::flowlogs::VPC {
            return Ok(Vec::new());
        }
        // The app subnets are /24s; us-east-1c's is nearly full (a lesson the demo
        // teaches: scaling out there would fail).
        Ok(scenario::zones()
            .into_iter()
            .take(3)
            .flat_map(|z| {
                let letter = z.name.chars().last().unwrap_or('a');
                [("app", 0usize), ("db0", 1), ("pub", 2)].map(|(tier, i)| SubnetRoom {
                    subnet_id: format!("subnet-0{tier}1{letter}"),
                    zone_name: z.name.clone(),
                    zone_id: Some(z.id.clone()),
                    free_ips: match (letter, i) {
                        ('c', 0) => 3,
                        (_, 0) => 187,
                        (_, 1) => 243,
                        _ => 240,
                    },
                })
            })
            .collect())
    }

    async fn start_shift(&self, r: &ShiftRequest) -> Result<ZonalShift, ShiftError> {
        let now = self.now();
        let Some(lb) = spec_of(&r.lb_arn) else {
            return Err(ShiftError::NotEnabled {
                lb: r.lb_name.clone(),
            });
        };
        if lb.name == NOT_ENABLED {
            return Err(ShiftError::NotEnabled { lb: lb.name });
        }
        let in_lb = lb
            .zone_names
            .iter()
            .filter_map(|z| zone_id_of(z))
            .any(|id| id == r.away_from.as_str());
        if !in_lb {
            return Err(ShiftError::UnsupportedAz {
                az: r.away_from.to_string(),
                message: "the load balancer has no node in that zone".into(),
            });
        }
        let mut all = self.shifts.lock();
        if let Some(active) = all.iter().find(|s| {
            s.resource_arn == lb.arn
                && s.state == ShiftState::Active
                && s.expiry.is_some_and(|e| e > now)
        }) {
            return Err(ShiftError::AlreadyActive {
                lb: lb.name.clone(),
                shift_id: Some(active.id.clone()),
                message: format!("away from {}", active.away_from),
            });
        }
        let shift = ZonalShift {
            id: format!("demo-shift-{}", all.len() + 1),
            resource_arn: lb.arn.clone(),
            away_from: r.away_from.to_string(),
            kind: ShiftKind::Manual,
            state: ShiftState::Active,
            applied: Some(true),
            start: Some(now),
            expiry: Some(now + r.expires_in.duration()),
            comment: r.comment.clone(),
            outcome: None,
        };
        all.push(shift.clone());
        tracing::info!(lb = %lb.name, away_from = %r.away_from, "demo zonal shift started");
        Ok(shift)
    }

    async fn update_shift(
        &self,
        _lb_name: &str,
        shift_id: &str,
        expires_in: Expiry,
        comment: &str,
    ) -> Result<ZonalShift, ShiftError> {
        let now = self.now();
        let mut all = self.shifts.lock();
        match all.iter_mut().find(|s| s.id == shift_id) {
            Some(s) if s.state == ShiftState::Active && s.expiry.is_some_and(|e| e > now) => {
                s.expiry = Some(now + expires_in.duration());
                s.comment = comment.to_string();
                Ok(s.clone())
            }
            _ => Err(ShiftError::NotActive {
                message: format!("{shift_id} is not active"),
            }),
        }
    }

    async fn cancel_shift(&self, _lb_name: &str, shift_id: &str) -> Result<ZonalShift, ShiftError> {
        let now = self.now();
        let mut all = self.shifts.lock();
        match all.iter_mut().find(|s| s.id == shift_id) {
            Some(s) if s.state == ShiftState::Active && s.expiry.is_some_and(|e| e > now) => {
                s.state = ShiftState::Canceled;
                s.expiry = Some(now);
                Ok(s.clone())
            }
            _ => Err(ShiftError::NotActive {
                message: format!("{shift_id} is not active"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::model::metrics::ZoneMetric;
    use crate::model::zonal_shift::AzId;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 15, 0, 0).unwrap()
    }

    fn shop() -> LoadBalancer {
        spec_of("shop-frontend").expect("shop")
    }

    fn request(lb: &LoadBalancer, az: &str) -> ShiftRequest {
        ShiftRequest {
            lb_arn: lb.arn.clone(),
            lb_name: lb.name.clone(),
            away_from: AzId::parse(az).unwrap(),
            expires_in: Expiry::parse("30m").unwrap(),
            comment: "test".into(),
        }
    }

    #[tokio::test]
    async fn a_shift_drains_the_zone_then_expires_on_its_own() {
        let d = DemoBackend::new(Clock::Frozen(t0()), 9);
        let lb = shop();
        let s = d
            .start_shift(&request(&lb, "use1-az6"))
            .await
            .expect("started");
        assert_eq!(s.away_from, "use1-az6");
        let w = d.shift_windows();
        let at = |m: i64| t0() + Duration::minutes(m);
        let req = |zone: &str, m: i64| {
            scenario::metric_value_shifted(&lb.name, zone, ZoneMetric::Requests, at(m), 9 + m, &w)
        };
        let before =
            scenario::metric_value(&lb.name, "us-east-1b", ZoneMetric::Requests, at(5), 14);
        assert!(before.unwrap() > 1000.0);
        assert!(
            req("us-east-1b", 0).unwrap() < before.unwrap() * 0.5,
            "draining"
        );
        assert!(
            req("us-east-1b", 5).unwrap() < before.unwrap() * 0.05,
            "drained: a trickle of clients that ignore the DNS TTL"
        );
        let cerr = |m: i64| {
            scenario::metric_value_shifted(
                &lb.name,
                "us-east-1b",
                ZoneMetric::ConnectionErrors,
                at(m),
                9 + m,
                &w,
            )
        };
        assert!(cerr(-1).unwrap() >= 9.0);
        assert_eq!(
            cerr(5),
            None,
            "no connection errors left (a zero count is not sent)"
        );
        let other = scenario::metric_value(&lb.name, "us-east-1a", ZoneMetric::Requests, at(5), 14);
        assert!(
            req("us-east-1a", 5).unwrap() > other.unwrap() * 1.4,
            "the others carry it"
        );
        assert_eq!(
            d.shifted_zones(&lb.name, at(5)),
            vec!["us-east-1b".to_string()]
        );
        assert!(
            req("us-east-1b", 31).unwrap() > before.unwrap() * 0.5,
            "expired: traffic is back"
        );
        assert!(d.shifted_zones(&lb.name, at(31)).is_empty());
        let st = d.shift_status(&lb).await.unwrap();
        assert_eq!(
            st.active_away_from("use1-az6").map(|s| s.id.as_str()),
            Some("demo-shift-1")
        );
        assert!(st.applied_weights.contains(&("use1-az6".to_string(), 0.0)));
    }

    #[tokio::test]
    async fn refusals_as_aws_gives_them() {
        let d = DemoBackend::new(Clock::Frozen(t0()), 9);
        let lb = shop();
        d.start_shift(&request(&lb, "use1-az6")).await.unwrap();
        assert!(matches!(
            d.start_shift(&request(&lb, "use1-az4")).await,
            Err(ShiftError::AlreadyActive { .. })
        ));
        assert!(matches!(
            d.start_shift(&request(&lb, "use1-az2")).await,
            Err(ShiftError::UnsupportedAz { .. })
        ));
        let orders = spec_of(NOT_ENABLED).unwrap();
        assert!(matches!(
            d.start_shift(&request(&orders, "use1-az6")).await,
            Err(ShiftError::NotEnabled { .. })
        ));
        let extended = d
            .update_shift(
                "shop",
                "demo-shift-1",
                Expiry::parse("2h").unwrap(),
                "longer",
            )
            .await
            .unwrap();
        assert_eq!(extended.expiry, Some(t0() + Duration::hours(2)));
        d.cancel_shift("shop", "demo-shift-1").await.unwrap();
        assert!(matches!(
            d.cancel_shift("shop", "demo-shift-1").await,
            Err(ShiftError::NotActive { .. })
        ));
    }
}
