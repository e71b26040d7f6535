//! The simulated incident behind `--demo`: deterministic, seeded, and driven by the
//! same clock as the app, so freezing the clock freezes the story. See `scenario`.

pub mod scenario;

use crate::backend::{Backend, BackendError, Identity};
use crate::clock::Clock;
use crate::model::metrics::{Window, ZoneMetric, ZoneMetrics};
use crate::model::targets::TargetGroupHealth;
use crate::model::zones::{LoadBalancer, Zone};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

pub struct DemoBackend {
    clock: Clock,
    onset: DateTime<Utc>,
}

impl DemoBackend {
    /// A demo whose incident began `minutes_in` minutes before `clock`'s now.
    pub fn new(clock: Clock, minutes_in: i64) -> Self {
        let onset = clock.now() - Duration::minutes(minutes_in);
        Self { clock, onset }
    }

    fn minute_at(&self, at: DateTime<Utc>) -> i64 {
        (at - self.onset).num_seconds().div_euclid(60)
    }

    fn find(&self, wanted: &[String]) -> Result<Vec<LoadBalancer>, BackendError> {
        let all = scenario::load_balancers();
        if wanted.is_empty() {
            return Ok(all);
        }
        wanted
            .iter()
            .map(|w| {
                all.iter()
                    .find(|lb| &lb.name == w || &lb.arn == w)
                    .cloned()
                    .ok_or_else(|| BackendError::Service {
                        operation: "DescribeLoadBalancers".into(),
                        code: "LoadBalancerNotFound".into(),
                        message: format!(
                            "no load balancer {w:?} in the demo (try shop-frontend or orders-internal)"
                        ),
                    })
            })
            .collect()
    }
}

#[async_trait]
impl Backend for DemoBackend {
    async fn identity(&self) -> Result<Identity, BackendError> {
        Ok(Identity {
            region: Some(scenario::REGION.into()),
            profile: Some("demo".into()),
        })
    }

    async fn load_balancers(&self, wanted: &[String]) -> Result<Vec<LoadBalancer>, BackendError> {
        self.find(wanted)
    }

    async fn zones(&self) -> Result<Vec<Zone>, BackendError> {
        Ok(scenario::zones())
    }

    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Vec<TargetGroupHealth>, BackendError> {
        let minute = self.minute_at(self.clock.now());
        Ok(lbs
            .iter()
            .flat_map(|lb| scenario::target_groups(&lb.name, minute))
            .map(|(group, targets)| TargetGroupHealth { group, targets })
            .collect())
    }

    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError> {
        let mut m = ZoneMetrics::empty(window);
        for zone in &lb.zone_names {
            m.ensure_zone(zone);
            for slot in 0..window.minutes {
                let at = window.start + Duration::minutes(slot as i64);
                for metric in ZoneMetric::ALL {
                    if let Some(v) =
                        scenario::metric_value(&lb.name, zone, metric, at, self.minute_at(at))
                    {
                        m.put(zone, metric, at, v);
                    }
                }
            }
        }
        Ok(m)
    }
}
