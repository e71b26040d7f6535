//! The simulated incident behind `--demo`: deterministic, seeded, and driven by the
//! same clock as the app, so freezing the clock freezes the story. See `scenario`.

pub mod flowlogs;
mod metrics;
pub mod scenario;
mod targets;

use crate::backend::{Account, BackendError, Identity, Partial};
use crate::clock::Clock;
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

pub struct DemoBackend {
    clock: Clock,
    onset: DateTime<Utc>,
    flow: flowlogs::DemoQueries,
}

impl DemoBackend {
    /// A demo whose incident began `minutes_in` minutes before `clock`'s now.
    pub fn new(clock: Clock, minutes_in: i64) -> Self {
        let onset = clock.now() - Duration::minutes(minutes_in);
        Self {
            clock,
            onset,
            flow: Default::default(),
        }
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
        let all = scenario::load_balancers();
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
                    message: format!(
                        "no load balancer {w:?} in the demo (try {})",
                        all.iter()
                            .map(|lb| lb.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
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
            region: Some(scenario::REGION.into()),
            profile: Some("demo".into()),
        })
    }
}
