//! Carries out [`Effect`]s: each backend call runs on its own tokio task, so every
//! independent call is in flight at the same time, and its result comes back to the
//! event loop as a `Msg::Loaded`. Nothing here touches app state.

use crate::app::{Effect, Loaded, Msg};
use crate::backend::Backend;
use crate::model::metrics::{ALL_ZONES, MetricIssue, ZoneMetric, ZoneMetrics};
use crate::model::zones::{LbKind, LoadBalancer};
use futures::future::join_all;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Starts the work for one effect; returns at once.
pub fn spawn(effect: Effect, backend: Arc<dyn Backend>, tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let loaded = run(effect, backend.as_ref()).await;
        // The receiver is gone only when the app is quitting.
        let _ = tx.send(Msg::Loaded(loaded));
    });
}

/// Does the work for one effect and says what came of it.
pub async fn run(effect: Effect, backend: &dyn Backend) -> Loaded {
    match effect {
        Effect::LoadIdentity => Loaded::Identity(backend.identity().await),
        Effect::LoadLoadBalancers { wanted, purpose } => Loaded::LoadBalancers {
            purpose,
            result: backend.load_balancers(&wanted).await,
        },
        Effect::LoadZones => Loaded::Zones(backend.zones().await),
        Effect::LoadTargetHealth { lbs, generation } => Loaded::TargetHealth {
            generation,
            result: backend.target_health(&lbs).await,
        },
        Effect::LoadMetrics {
            lbs,
            window,
            generation,
        } => {
            // The per-AZ metrics the verdict reads (5xx, response time) are ALB metrics;
            // an NLB's flows and resets are not modelled yet: say so instead of guessing.
            let (albs, others): (Vec<&LoadBalancer>, Vec<&LoadBalancer>) =
                lbs.iter().partition(|lb| lb.kind == LbKind::Application);
            let results = join_all(albs.iter().map(|lb| backend.zone_metrics(lb, window))).await;
            let mut merged = ZoneMetrics::empty(window);
            for lb in &others {
                for zone in &lb.zone_names {
                    merged.ensure_zone(zone);
                }
                merged.issues.push(MetricIssue {
                    zone_name: ALL_ZONES.into(),
                    metric: ZoneMetric::Requests,
                    status: format!(
                        "{} {}: per-AZ metrics are shown for ALBs only; its verdict uses target health",
                        lb.kind.label(),
                        lb.name
                    ),
                });
            }
            let mut first_error = None;
            let mut any_ok = false;
            for r in results {
                match r {
                    Ok(m) => {
                        any_ok = true;
                        merged.merge(&m);
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            let result = match first_error {
                Some(e) if !any_ok && others.is_empty() => Err(e),
                Some(e) => {
                    // Some load balancers answered: show them, and say what is missing.
                    merged.issues.push(MetricIssue {
                        zone_name: ALL_ZONES.into(),
                        metric: ZoneMetric::Requests,
                        status: e.to_string(),
                    });
                    Ok(merged)
                }
                None => Ok(merged),
            };
            Loaded::Metrics { generation, result }
        }
    }
}

/// Runs every effect and collects the results, for `--print` and for tests.
pub async fn run_all(effects: Vec<Effect>, backend: &dyn Backend) -> Vec<Loaded> {
    join_all(effects.into_iter().map(|e| run(e, backend))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::{DemoBackend, scenario};
    use crate::clock::Clock;
    use crate::model::metrics::Window;
    use chrono::TimeZone;

    #[tokio::test]
    async fn nlb_metrics_say_they_are_not_modelled_and_albs_still_load() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("time");
        let backend = DemoBackend::new(Clock::Frozen(now), 9);
        let mut lbs = scenario::load_balancers();
        lbs[1].kind = LbKind::Network;
        let loaded = run(
            Effect::LoadMetrics {
                lbs,
                window: Window::ending_at(now, 10),
                generation: 1,
            },
            &backend,
        )
        .await;
        let Loaded::Metrics { result: Ok(m), .. } = loaded else {
            panic!("metrics should load: {loaded:?}");
        };
        assert_eq!(m.issues.len(), 1);
        assert!(
            m.issues[0]
                .status
                .contains("NLB orders-internal: per-AZ metrics are shown for ALBs only")
        );
        assert!(
            m.series("us-east-1b", ZoneMetric::Target5xx).is_some(),
            "the ALB's data is there"
        );
    }
}
