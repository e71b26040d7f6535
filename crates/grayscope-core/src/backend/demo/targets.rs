//! The demo's [`Targets`]: the scenario's load balancers, zones and target health at
//! the demo minute.

use super::{DemoBackend, scenario};
use crate::backend::{BackendError, Partial, Targets};
use crate::model::targets::TargetGroupHealth;
use crate::model::zones::{LoadBalancer, Zone};
use async_trait::async_trait;

#[async_trait]
impl Targets for DemoBackend {
    async fn load_balancers(
        &self,
        wanted: &[String],
    ) -> Result<Partial<Vec<LoadBalancer>>, BackendError> {
        let found = self.find(wanted);
        match found.problems.first() {
            Some(first) if found.data.is_empty() => Err(first.clone()),
            _ => Ok(found),
        }
    }

    async fn zones(&self) -> Result<Vec<Zone>, BackendError> {
        if self.in_incident_region() {
            return Ok(scenario::zones());
        }
        // A quiet region: three zones, IDs in the AWS style (`us-west-2` -> `usw2-az1`).
        let r = self.region();
        let parts: Vec<&str> = r.split('-').collect();
        let short = match parts.as_slice() {
            [geo, dir, n, ..] => format!("{geo}{}{n}", &dir[..dir.len().min(1)]),
            _ => r.replace('-', ""),
        };
        Ok(["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, letter)| Zone {
                name: format!("{r}{letter}"),
                id: format!("{short}-az{}", i + 1),
                state: "available".into(),
            })
            .collect())
    }

    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Partial<Vec<TargetGroupHealth>>, BackendError> {
        let now = self.now();
        let minute = self.minute_at(now);
        Ok(Partial::complete(
            lbs.iter()
                .flat_map(|lb| {
                    scenario::target_groups_shifted(
                        &lb.name,
                        minute,
                        &self.shifted_zones(&lb.name, now),
                    )
                })
                .map(|(group, targets)| TargetGroupHealth { group, targets })
                .collect(),
        ))
    }
}
