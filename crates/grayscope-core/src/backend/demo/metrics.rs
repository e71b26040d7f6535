//! The demo's [`Metrics`]: the scenario's per-AZ series, minute by minute, with the
//! demo's zonal shifts applied.

use super::{DemoBackend, scenario};
use crate::backend::{BackendError, Metrics};
use crate::model::metrics::{Window, ZoneMetric, ZoneMetrics};
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use chrono::Duration;

#[async_trait]
impl Metrics for DemoBackend {
    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError> {
        let mut m = ZoneMetrics::empty(window);
        let shifts = self.shift_windows();
        for zone in &lb.zone_names {
            m.ensure_zone(zone);
            for slot in 0..window.minutes {
                let at = window.start + Duration::minutes(slot as i64);
                for &metric in ZoneMetric::for_kind(lb.kind) {
                    if let Some(v) = scenario::metric_value_shifted(
                        &lb.name,
                        zone,
                        metric,
                        at,
                        self.minute_at(at),
                        &shifts,
                    ) {
                        m.put(zone, metric, at, v);
                    }
                }
            }
        }
        Ok(m)
    }
}
