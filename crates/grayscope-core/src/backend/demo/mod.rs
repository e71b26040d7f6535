//! The simulated incident behind `--demo`: deterministic, seeded, and driven by the
//! same clock as the app, so freezing the clock freezes the story. See `scenario`.

pub mod athena;
mod bands;
pub mod flowlogs;
pub mod health;
mod metrics;
pub mod reach;
pub mod scenario;
mod targets;
pub mod zonal_shift;

use crate::backend::{Account, BackendError, Identity, Partial};
use crate::clock::Clock;
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct DemoBackend {
    clock: Clock,
    onset: DateTime<Utc>,
    /// The region the demo pretends to be in; the incident is in [`scenario::REGION`],
    /// every other region is quiet (no load balancers), as `:region` shows.
    region: String,
    /// Reachability paths and analyses created in the demo.
    pub reach: reach::DemoReach,
    /// Anomaly detectors created in the demo (`a` on the bands pane).
    bands: bands::DemoDetectors,
    flow: flowlogs::DemoQueries,
    /// Zonal shifts started in the demo.
    shifts: zonal_shift::DemoShifts,
    /// The simulated Athena over the second VPC's flow logs in S3.
    pub athena: athena::DemoAthena,
}

impl DemoBackend {
    /// A demo whose incident began `minutes_in` minutes before `clock`'s now.
    pub fn new(clock: Clock, minutes_in: i64) -> Self {
        let onset = scenario::onset(clock.now(), minutes_in);
        Self {
            clock,
            onset,
            region: scenario::REGION.to_string(),
            reach: reach::DemoReach::default(),
            bands: bands::DemoDetectors::default(),
            flow: flowlogs::DemoQueries::default(),
            shifts: zonal_shift::DemoShifts::default(),
            athena: athena::DemoAthena::default(),
        }
    }

    /// The same demo seen from `region`.
    pub fn in_region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// Whether this is the region where the incident happens.
    pub(crate) fn in_incident_region(&self) -> bool {
        self.region == scenario::REGION
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn minute_at(&self, at: DateTime<Utc>) -> i64 {
        (at - self.onset).num_seconds().div_euclid(60)
    }

    /// The load balancers named in `wanted` (all when empty); a name the demo does not
    /// have is a problem naming it, as the live backend reports it.
    pub(crate) fn find(&self, wanted: &[String]) -> Partial<Vec<LoadBalancer>> {
        let all = if self.in_incident_region() {
            scenario::load_balancers()
        } else {
            Vec::new()
        };
        if wanted.is_empty() {
            return Partial::complete(all);
        }
        let mut out: Partial<Vec<LoadBalancer>> = Partial::default();
        for w in wanted {
            match all.iter().find(|lb| &lb.name == w || &lb.arn == w) {
                Some(lb) => out.data.push(lb.clone()),
                None => out.problems.push(BackendError::Service {
                    operation: "DescribeLoadBalancers".into(),
                    code: "LoadBalancerNotFound".into(),
                    message: if self.in_incident_region() {
                        format!(
                            "no load balancer {w:?} in the demo (try {})",
                            all.iter()
                                .map(|lb| lb.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        format!(
                            "no load balancer {w:?} in {} (the demo's incident is in {}: :region {})",
                            self.region,
                            scenario::REGION,
                            scenario::REGION
                        )
                    },
                }),
            }
        }
        out
    }
}

#[async_trait]
impl Account for DemoBackend {
    async fn identity(&self) -> Result<Identity, BackendError> {
        Ok(Identity {
            region: Some(self.region.clone()),
            profile: Some("demo".into()),
        })
    }
}
