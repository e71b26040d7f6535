//! Carries out [`Effect`]s: each backend call runs on its own tokio task, so every
//! independent call is in flight at the same time, and its result comes back to the
//! event loop as a `Msg::Loaded`. Nothing here touches app state.

use crate::app::{Effect, Loaded, Msg};
use crate::backend::Backend;
use crate::model::metrics::ZoneMetrics;
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
        Effect::LoadZones { generation } => Loaded::Zones {
            generation,
            result: backend.zones().await,
        },
        Effect::LoadTargetHealth { lbs, generation } => Loaded::TargetHealth {
            generation,
            result: backend.target_health(&lbs).await,
        },
        Effect::LoadMetrics {
            lbs,
            window,
            generation,
        } => {
            let results = join_all(lbs.iter().map(|lb| backend.zone_metrics(lb, window))).await;
            let mut merged = ZoneMetrics::empty(window);
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
                Some(e) if !any_ok => Err(e),
                Some(e) => {
                    // Some load balancers answered: show them, and say what is missing.
                    merged.issues.push(crate::model::metrics::MetricIssue {
                        zone_name: "*".into(),
                        metric: crate::model::metrics::ZoneMetric::Requests,
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
