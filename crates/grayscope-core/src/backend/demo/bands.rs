//! The demo's [`Bands`]: the scenario's metrics with a band the way CloudWatch's model
//! would draw it, learned from the scenario's own earlier days.
//!
//! The "model" for a minute is the mean +/- k standard deviations of the same metric at
//! the same time of day (+/- 7 minutes) on the 7 days before, all from before the
//! incident; so the sick zone's latency leaves its band when the gray failure starts,
//! while a healthy zone stays inside through the daily peak. Detectors: latency average,
//! the 5xx rate and the 5xx count are trained for every zone; latency p99 has no model
//! until the user
//! creates one (it then trains for 15 minutes of demo time, during which the pane shows
//! its local estimate); typed-in metrics have no model.

use super::{DemoBackend, scenario};
use crate::backend::bands::Bands;
use crate::backend::{BackendError, Partial};
use crate::model::bands::{
    BandChart, BandMetric, BandQuery, BandSource, CustomMetric, DetectorState, Preset,
};
use crate::model::metrics::ZoneMetric;
use crate::model::metrics::{metric_name, statistic};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Timelike, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a detector the demo creates trains, in demo minutes.
pub const TRAINING_MINUTES: i64 = 15;

/// Detectors created in this demo session, with when.
#[derive(Debug, Default)]
pub struct DemoDetectors {
    created: Mutex<HashMap<BandMetric, DateTime<Utc>>>,
}

impl DemoDetectors {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<BandMetric, DateTime<Utc>>> {
        self.created.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A deterministic number in [0, 1) for a point of this file's own series.
fn hash01(a: u64, b: u64) -> f64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn zone_seed(zone: &str) -> u64 {
    zone.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// The zone names of a load balancer in the demo, by its `LoadBalancer` dimension.
fn lb_by_dimension(dim: &str) -> Option<crate::model::zones::LoadBalancer> {
    scenario::load_balancers()
        .into_iter()
        .find(|lb| lb.metric_dimension() == Some(dim))
}

impl DemoBackend {
    /// The value of `metric` for the one minute starting at `at` (`None`: no data).
    fn band_minute(&self, metric: &BandMetric, at: DateTime<Utc>) -> Option<f64> {
        let minute = self.minute_at(at);
        let shifts = self.shift_windows();
        match metric {
            BandMetric::Preset {
                preset,
                lb_dimension,
                zone,
                ..
            } => {
                let lb = lb_by_dimension(lb_dimension)?;
                let zones: Vec<&String> = match zone {
                    Some(z) => vec![z],
                    None => lb.zone_names.iter().collect(),
                };
                if *preset == Preset::Target5xxRate {
                    // 100 x errors / requests over the zones charted (as the live
                    // backend's metric math does it).
                    let mut errors = 0.0;
                    let mut requests = 0.0;
                    for z in &zones {
                        let v =
                            |m| scenario::metric_value_shifted(&lb.name, z, m, at, minute, &shifts);
                        errors += v(ZoneMetric::Target5xx).unwrap_or(0.0);
                        requests += v(ZoneMetric::Requests).unwrap_or(0.0);
                    }
                    return (requests > 0.0).then(|| 100.0 * errors / requests);
                }
                let one = |z: &str| -> Option<f64> {
                    let rt = || {
                        scenario::metric_value_shifted(
                            &lb.name,
                            z,
                            ZoneMetric::ResponseTime,
                            at,
                            minute,
                            &shifts,
                        )
                    };
                    match preset {
                        Preset::LatencyAvg => rt(),
                        Preset::LatencyP99 => {
                            let n = hash01(zone_seed(z), at.timestamp() as u64 / 60);
                            rt().map(|v| v * (2.4 + 0.5 * n))
                        }
                        Preset::Target5xx | Preset::Target5xxRate => {
                            scenario::metric_value_shifted(
                                &lb.name,
                                z,
                                ZoneMetric::Target5xx,
                                at,
                                minute,
                                &shifts,
                            )
                        }
                    }
                };
                let values: Vec<f64> = zones.iter().filter_map(|z| one(z)).collect();
                if values.is_empty() {
                    return None;
                }
                Some(match preset {
                    Preset::Target5xx => values.iter().sum(),
                    // Latency over the whole load balancer: zones weigh alike.
                    _ => values.iter().sum::<f64>() / values.len() as f64,
                })
            }
            BandMetric::Custom(c) => custom_minute(self, c, at, minute),
        }
    }

    /// The value for one slot of `period_secs` (the statistic over its minutes).
    fn band_slot(&self, metric: &BandMetric, at: DateTime<Utc>, period_secs: i64) -> Option<f64> {
        let minutes = (period_secs / 60).max(1);
        let sum_like = match metric {
            BandMetric::Preset { preset, .. } => *preset == Preset::Target5xx,
            BandMetric::Custom(c) => c.stat == "Sum" || c.stat == "SampleCount",
        };
        let vals: Vec<f64> = (0..minutes)
            .filter_map(|m| self.band_minute(metric, at + Duration::minutes(m)))
            .collect();
        if vals.is_empty() {
            return None;
        }
        let total: f64 = vals.iter().sum();
        Some(if sum_like {
            total
        } else {
            total / vals.len() as f64
        })
    }

    /// The demo model's band at `at`: mean +/- (width + 0.5) x sd of the same time of
    /// day on the 7 days before (+/- 7 minutes around it); the extra half sd stands for
    /// the model's own uncertainty, as CloudWatch's band carries it.
    fn model_band(
        &self,
        metric: &BandMetric,
        at: DateTime<Utc>,
        q: &BandQuery,
    ) -> Option<(f64, f64)> {
        let mut n = 0.0;
        let mut sum = 0.0;
        let mut sq = 0.0;
        for d in 1..=7 {
            for off in -7..=7 {
                let t = at - Duration::days(d) + Duration::minutes(off);
                if let Some(v) = self.band_slot(metric, t, q.period_secs) {
                    n += 1.0;
                    sum += v;
                    sq += v * v;
                }
            }
        }
        if n < 10.0 {
            return None;
        }
        let mean = sum / n;
        let sd = (sq / n - mean * mean).max(0.0).sqrt();
        let half = (q.width + 0.5) * sd;
        Some((mean - half, mean + half))
    }

    fn state(&self, metric: &BandMetric) -> DetectorState {
        if let Some(created) = self.bands.lock().get(metric) {
            return if self.now() - *created >= Duration::minutes(TRAINING_MINUTES) {
                DetectorState::Trained
            } else {
                DetectorState::PendingTraining
            };
        }
        match metric {
            BandMetric::Preset {
                preset: Preset::LatencyAvg | Preset::Target5xx | Preset::Target5xxRate,
                ..
            } => DetectorState::Trained,
            _ => DetectorState::NoModel,
        }
    }
}

/// Typed-in metrics the demo knows: the load balancer's own per-AZ metrics by name,
/// and CPUUtilization of its web instances.
fn custom_minute(
    demo: &DemoBackend,
    c: &CustomMetric,
    at: DateTime<Utc>,
    minute: i64,
) -> Option<f64> {
    let dim = |k: &str| {
        c.dimensions
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    match c.namespace.as_str() {
        "AWS/ApplicationELB" => {
            let lb = lb_by_dimension(dim("LoadBalancer")?)?;
            let zone = dim("AvailabilityZone")?;
            let metric = ZoneMetric::ALL
                .into_iter()
                .find(|m| metric_name(*m) == c.name)?;
            scenario::metric_value_shifted(
                &lb.name,
                zone,
                metric,
                at,
                minute,
                &demo.shift_windows(),
            )
        }
        "AWS/EC2" if c.name == "CPUUtilization" => {
            let id = dim("InstanceId")?;
            let zone = instance_zone(id)?;
            let hours = at.hour() as f64 + at.minute() as f64 / 60.0;
            let daily = 1.0 + 0.4 * ((hours - 10.0) / 24.0 * std::f64::consts::TAU).sin();
            let n = hash01(zone_seed(id), at.timestamp() as u64 / 60);
            let sick = zone == scenario::SICK_ZONE && minute >= 0;
            let _ = demo;
            Some((28.0 * daily + 6.0 * n + if sick { 45.0 } else { 0.0 }).min(100.0))
        }
        _ => None,
    }
}

fn instance_zone(id: &str) -> Option<String> {
    scenario::load_balancers().iter().find_map(|lb| {
        scenario::target_groups(&lb.name, 0)
            .into_iter()
            .flat_map(|(_, ts)| ts)
            .find(|t| t.id == id)
            .and_then(|t| t.zone_name)
    })
}

#[async_trait]
impl Bands for DemoBackend {
    async fn band_chart(&self, q: &BandQuery) -> Result<BandChart, BackendError> {
        let mut chart = BandChart::empty(q.clone());
        let trained = self.state(&q.metric) == DetectorState::Trained;
        for i in 0..q.slots() {
            let at = q.slot_time(i);
            chart.values[i] = self.band_slot(&q.metric, at, q.period_secs);
            if trained && let Some((lo, hi)) = self.model_band(&q.metric, at, q) {
                chart.put_band(i, hi, lo);
            }
        }
        if chart.has_band() {
            chart.source = BandSource::CloudWatch;
        }
        Ok(chart)
    }

    async fn history(&self, q: &BandQuery, days: usize) -> Result<Vec<Option<f64>>, BackendError> {
        let hq = BandQuery {
            start: q.start - Duration::days(days as i64),
            ..q.clone()
        };
        Ok((0..hq.slots())
            .map(|i| self.band_slot(&q.metric, hq.slot_time(i), q.period_secs))
            .collect())
    }

    async fn detector(&self, metric: &BandMetric) -> Result<DetectorState, BackendError> {
        Ok(self.state(metric))
    }

    async fn create_detector(&self, metric: &BandMetric) -> Result<(), BackendError> {
        self.bands
            .lock()
            .entry(metric.clone())
            .or_insert(self.now());
        Ok(())
    }

    async fn delete_detector(&self, metric: &BandMetric) -> Result<(), BackendError> {
        self.bands.lock().remove(metric);
        Ok(())
    }

    async fn list_metrics(
        &self,
        namespace: &str,
        limit: usize,
    ) -> Result<Partial<Vec<CustomMetric>>, BackendError> {
        let mut out = Vec::new();
        match namespace {
            "AWS/ApplicationELB" => {
                for lb in scenario::load_balancers()
                    .into_iter()
                    .filter(|lb| lb.kind == crate::model::zones::LbKind::Application)
                {
                    let Some(dim) = lb.metric_dimension() else {
                        continue;
                    };
                    for zone in &lb.zone_names {
                        for m in ZoneMetric::APPLICATION {
                            out.push(CustomMetric {
                                namespace: namespace.into(),
                                name: metric_name(m).into(),
                                dimensions: vec![
                                    ("LoadBalancer".into(), dim.into()),
                                    ("AvailabilityZone".into(), zone.clone()),
                                ],
                                stat: statistic(m).into(),
                            });
                        }
                    }
                }
            }
            "AWS/EC2" => {
                for lb in scenario::load_balancers() {
                    for (_, targets) in scenario::target_groups(&lb.name, 0) {
                        for t in targets.into_iter().filter(|t| t.id.starts_with("i-")) {
                            out.push(CustomMetric {
                                namespace: namespace.into(),
                                name: "CPUUtilization".into(),
                                dimensions: vec![("InstanceId".into(), t.id)],
                                stat: "Average".into(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        out.truncate(limit);
        Ok(Partial::complete(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::model::bands::{Position, out_runs};
    use chrono::TimeZone;

    fn demo() -> DemoBackend {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 22, 16, 12, 0)
            .single()
            .expect("t");
        DemoBackend::new(Clock::Frozen(now), 9)
    }

    fn latency(zone: &str) -> BandMetric {
        let lb = &scenario::load_balancers()[0];
        BandMetric::Preset {
            preset: Preset::LatencyAvg,
            lb_dimension: lb.metric_dimension().expect("dim").into(),
            lb_name: lb.name.clone(),
            zone: Some(zone.into()),
        }
    }

    fn query(d: &DemoBackend, metric: BandMetric, minutes: i64) -> BandQuery {
        let end = d.now();
        BandQuery {
            metric,
            start: end - Duration::minutes(minutes),
            end,
            period_secs: 60,
            width: 2.0,
        }
    }

    #[tokio::test]
    async fn sick_zone_leaves_its_band_at_the_onset_and_a_healthy_one_stays_in() {
        // 16:12 UTC is the daily peak of the demo's traffic.
        let d = demo();
        let sick = d
            .band_chart(&query(&d, latency(scenario::SICK_ZONE), 60))
            .await
            .expect("chart");
        assert_eq!(sick.source, BandSource::CloudWatch);
        let runs = out_runs(&sick.values, &sick.lower, &sick.upper);
        let last = runs.last().expect("an excursion");
        assert!(last.above);
        assert_eq!(last.start, 60 - 9, "leaves the band at the onset: {runs:?}");
        assert_eq!(last.end, 60);
        for zone in ["us-east-1a", "us-east-1c"] {
            let healthy = d
                .band_chart(&query(&d, latency(zone), 180))
                .await
                .expect("chart");
            assert!(healthy.has_band());
            for i in 0..healthy.values.len() {
                assert_eq!(healthy.position(i), Position::Inside, "{zone} minute {i}");
            }
        }
        // At night, too (03:12 UTC): out of band exactly from the onset.
        let night = Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("t");
        let d = DemoBackend::new(Clock::Frozen(night), 9);
        let sick = d
            .band_chart(&query(&d, latency(scenario::SICK_ZONE), 180))
            .await
            .expect("chart");
        let runs = out_runs(&sick.values, &sick.lower, &sick.upper);
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!((runs[0].start, runs[0].end), (180 - 9, 180));
    }

    #[tokio::test]
    async fn the_5xx_rate_is_errors_over_requests_and_leaves_its_band_at_the_onset() {
        let d = demo();
        let mut m = latency(scenario::SICK_ZONE);
        if let BandMetric::Preset { preset, .. } = &mut m {
            *preset = Preset::Target5xxRate;
        }
        let chart = d.band_chart(&query(&d, m, 60)).await.expect("chart");
        assert_eq!(chart.source, BandSource::CloudWatch);
        let at = chart.query.slot_time(59);
        let lb = &scenario::load_balancers()[0];
        let minute = d.minute_at(at);
        let v = |metric| {
            scenario::metric_value(&lb.name, scenario::SICK_ZONE, metric, at, minute).expect("v")
        };
        let expected = 100.0 * v(ZoneMetric::Target5xx) / v(ZoneMetric::Requests);
        assert!((chart.values[59].expect("rate") - expected).abs() < 1e-9);
        let runs = out_runs(&chart.values, &chart.lower, &chart.upper);
        let last = runs.last().expect("an excursion");
        assert!(
            last.above && last.end == 60 && last.start <= 60 - 8,
            "{runs:?}"
        );
    }

    #[tokio::test]
    async fn p99_has_no_model_until_created_then_trains() {
        let d = demo();
        let mut m = latency("us-east-1a");
        if let BandMetric::Preset { preset, .. } = &mut m {
            *preset = Preset::LatencyP99;
        }
        assert_eq!(d.detector(&m).await, Ok(DetectorState::NoModel));
        let chart = d
            .band_chart(&query(&d, m.clone(), 60))
            .await
            .expect("chart");
        assert!(!chart.has_band() && chart.points() == 60);
        d.create_detector(&m).await.expect("create");
        assert_eq!(d.detector(&m).await, Ok(DetectorState::PendingTraining));
        d.delete_detector(&m).await.expect("delete");
        assert_eq!(d.detector(&m).await, Ok(DetectorState::NoModel));
        let history = d.history(&query(&d, m, 60), 7).await.expect("history");
        assert_eq!(history.len(), 7 * 1440 + 60);
    }

    #[tokio::test]
    async fn lists_metrics_for_the_picker() {
        let d = demo();
        let elb = d
            .list_metrics("AWS/ApplicationELB", 100)
            .await
            .expect("list")
            .data;
        let albs: usize = scenario::load_balancers()
            .iter()
            .filter(|lb| lb.kind == crate::model::zones::LbKind::Application)
            .map(|lb| lb.zone_names.len())
            .sum();
        assert_eq!(elb.len(), albs * ZoneMetric::APPLICATION.len());
        assert!(
            elb.iter().all(|m| !m.name.starts_with("TCP_")),
            "no NLB metric here"
        );
        let ec2 = d.list_metrics("AWS/EC2", 100).await.expect("list").data;
        assert!(!ec2.is_empty());
        let chart = d
            .band_chart(&query(&d, BandMetric::Custom(ec2[0].clone()), 30))
            .await
            .expect("chart");
        assert_eq!(chart.points(), 30);
    }
}
