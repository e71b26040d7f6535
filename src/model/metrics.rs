//! Per-AZ load-balancer metrics at one-minute resolution.
//!
//! A [`ZoneMetrics`] holds, for each zone *name* (as the CloudWatch `AvailabilityZone`
//! dimension carries it), one value slot per minute of the window for each metric.
//! Missing minutes stay `None`: CloudWatch leaves out minutes with no data.

use chrono::{DateTime, Duration, DurationRound, Utc};
use std::collections::BTreeMap;

/// The per-AZ metrics the AZ pane fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ZoneMetric {
    /// RequestCount, Sum.
    Requests,
    /// HTTPCode_Target_5XX_Count, Sum.
    Target5xx,
    /// HTTPCode_ELB_5XX_Count, Sum.
    Elb5xx,
    /// TargetResponseTime, Average (seconds).
    ResponseTime,
    /// TargetConnectionErrorCount, Sum.
    ConnectionErrors,
}

impl ZoneMetric {
    pub const ALL: [ZoneMetric; 5] = [
        ZoneMetric::Requests,
        ZoneMetric::Target5xx,
        ZoneMetric::Elb5xx,
        ZoneMetric::ResponseTime,
        ZoneMetric::ConnectionErrors,
    ];

    /// The CloudWatch metric name in `AWS/ApplicationELB`.
    pub fn metric_name(self) -> &'static str {
        match self {
            ZoneMetric::Requests => "RequestCount",
            ZoneMetric::Target5xx => "HTTPCode_Target_5XX_Count",
            ZoneMetric::Elb5xx => "HTTPCode_ELB_5XX_Count",
            ZoneMetric::ResponseTime => "TargetResponseTime",
            ZoneMetric::ConnectionErrors => "TargetConnectionErrorCount",
        }
    }

    pub fn statistic(self) -> &'static str {
        match self {
            ZoneMetric::ResponseTime => "Average",
            _ => "Sum",
        }
    }

    /// A short code, usable as part of a GetMetricData query ID.
    pub fn code(self) -> &'static str {
        match self {
            ZoneMetric::Requests => "req",
            ZoneMetric::Target5xx => "t5xx",
            ZoneMetric::Elb5xx => "e5xx",
            ZoneMetric::ResponseTime => "rt",
            ZoneMetric::ConnectionErrors => "cerr",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Whether series of this metric add up across load balancers.
    pub fn is_count(self) -> bool {
        !matches!(self, ZoneMetric::ResponseTime)
    }
}

/// The time window of a metrics fetch: `minutes` one-minute buckets starting at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub minutes: usize,
}

impl Window {
    /// The `minutes` whole minutes that end at the last complete minute before `now`.
    pub fn ending_at(now: DateTime<Utc>, minutes: usize) -> Self {
        let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
        Self {
            start: end - Duration::minutes(minutes as i64),
            minutes,
        }
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.minutes as i64)
    }

    /// The bucket a timestamp falls in, if inside the window.
    pub fn slot(&self, at: DateTime<Utc>) -> Option<usize> {
        let offset = (at - self.start).num_seconds();
        if offset < 0 {
            return None;
        }
        let slot = (offset / 60) as usize;
        (slot < self.minutes).then_some(slot)
    }
}

/// `MetricIssue::zone_name` for a problem that concerns every zone.
pub const ALL_ZONES: &str = "*";

/// A problem with part of a metrics answer that still left the rest usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricIssue {
    pub zone_name: String,
    pub metric: ZoneMetric,
    /// e.g. "Forbidden", "InternalError", or a message.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneMetrics {
    pub window: Window,
    /// zone name -> metric -> one slot per minute.
    pub by_zone: BTreeMap<String, BTreeMap<ZoneMetric, Vec<Option<f64>>>>,
    pub issues: Vec<MetricIssue>,
}

impl ZoneMetrics {
    pub fn empty(window: Window) -> Self {
        Self {
            window,
            by_zone: BTreeMap::new(),
            issues: Vec::new(),
        }
    }

    /// Puts a datapoint in its minute; points outside the window are ignored.
    pub fn put(&mut self, zone_name: &str, metric: ZoneMetric, at: DateTime<Utc>, value: f64) {
        let Some(slot) = self.window.slot(at) else {
            return;
        };
        let minutes = self.window.minutes;
        let series = self
            .by_zone
            .entry(zone_name.to_string())
            .or_default()
            .entry(metric)
            .or_insert_with(|| vec![None; minutes]);
        series[slot] = Some(value);
    }

    /// Makes sure the zone is present even when CloudWatch had no data for it.
    pub fn ensure_zone(&mut self, zone_name: &str) {
        self.by_zone.entry(zone_name.to_string()).or_default();
    }

    pub fn series(&self, zone_name: &str, metric: ZoneMetric) -> Option<&[Option<f64>]> {
        self.by_zone
            .get(zone_name)
            .and_then(|m| m.get(&metric))
            .map(Vec::as_slice)
    }

    /// Adds another load balancer's metrics for the same window: counts add up,
    /// response times are averaged weighted by request count where known.
    pub fn merge(&mut self, other: &ZoneMetrics) {
        for (zone, metrics) in &other.by_zone {
            self.ensure_zone(zone);
            for (metric, series) in metrics {
                if !metric.is_count() {
                    continue;
                }
                for (slot, v) in series.iter().enumerate() {
                    if let Some(v) = v {
                        let mine = self.slot_mut(zone, *metric, slot);
                        *mine = Some(mine.unwrap_or(0.0) + v);
                    }
                }
            }
            if let Some(series) = metrics.get(&ZoneMetric::ResponseTime) {
                let other_req = metrics.get(&ZoneMetric::Requests);
                for (slot, v) in series.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let w_other = other_req.and_then(|r| r[slot]).unwrap_or(1.0);
                    let mine_rt = self
                        .series(zone, ZoneMetric::ResponseTime)
                        .and_then(|s| s[slot]);
                    let w_mine = self
                        .series(zone, ZoneMetric::Requests)
                        .and_then(|s| s[slot])
                        .map(|total| (total - w_other).max(0.0))
                        .unwrap_or(1.0);
                    let merged = match mine_rt {
                        Some(m) if w_mine + w_other > 0.0 => {
                            (m * w_mine + v * w_other) / (w_mine + w_other)
                        }
                        _ => *v,
                    };
                    *self.slot_mut(zone, ZoneMetric::ResponseTime, slot) = Some(merged);
                }
            }
        }
        self.issues.extend(other.issues.iter().cloned());
    }

    fn slot_mut(&mut self, zone: &str, metric: ZoneMetric, slot: usize) -> &mut Option<f64> {
        let minutes = self.window.minutes;
        &mut self
            .by_zone
            .entry(zone.to_string())
            .or_default()
            .entry(metric)
            .or_insert_with(|| vec![None; minutes])[slot]
    }
}

/// The last value in a series that is not missing.
pub fn latest(series: &[Option<f64>]) -> Option<f64> {
    series.iter().rev().flatten().next().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, h, m, s)
            .single()
            .expect("valid time")
    }

    #[test]
    fn window_ends_at_last_whole_minute() {
        let w = Window::ending_at(t(3, 10, 42), 5);
        assert_eq!(w.start, t(3, 5, 0));
        assert_eq!(w.end(), t(3, 10, 0));
        assert_eq!(w.slot(t(3, 5, 0)), Some(0));
        assert_eq!(w.slot(t(3, 9, 59)), Some(4));
        assert_eq!(w.slot(t(3, 10, 0)), None);
        assert_eq!(w.slot(t(3, 4, 59)), None);
    }

    #[test]
    fn put_places_points_and_keeps_gaps() {
        let w = Window::ending_at(t(3, 10, 0), 3);
        let mut m = ZoneMetrics::empty(w);
        m.put("a", ZoneMetric::Target5xx, t(3, 9, 0), 4.0);
        m.put("a", ZoneMetric::Target5xx, t(2, 0, 0), 99.0);
        assert_eq!(
            m.series("a", ZoneMetric::Target5xx),
            Some(&[None, None, Some(4.0)][..])
        );
        assert_eq!(
            latest(m.series("a", ZoneMetric::Target5xx).unwrap_or(&[])),
            Some(4.0)
        );
    }

    #[test]
    fn merge_adds_counts_and_weights_latency() {
        let w = Window::ending_at(t(3, 10, 0), 1);
        let mut a = ZoneMetrics::empty(w);
        a.put("z", ZoneMetric::Requests, t(3, 9, 0), 100.0);
        a.put("z", ZoneMetric::ResponseTime, t(3, 9, 0), 1.0);
        let mut b = ZoneMetrics::empty(w);
        b.put("z", ZoneMetric::Requests, t(3, 9, 0), 300.0);
        b.put("z", ZoneMetric::ResponseTime, t(3, 9, 0), 2.0);
        a.merge(&b);
        assert_eq!(
            a.series("z", ZoneMetric::Requests),
            Some(&[Some(400.0)][..])
        );
        let rt = a.series("z", ZoneMetric::ResponseTime).and_then(|s| s[0]);
        assert!((rt.unwrap_or(0.0) - 1.75).abs() < 1e-9, "{rt:?}");
    }
}
