//! Per-AZ load-balancer metrics at one-minute resolution.
//!
//! A [`ZoneMetrics`] holds, for each zone *name* (as the CloudWatch `AvailabilityZone`
//! dimension carries it), one value slot per minute of the window for each metric.
//! Missing minutes stay `None`: CloudWatch leaves out minutes with no data.
//!
//! ELB publishes a count (5xx, connection errors, resets) only for minutes where it is
//! nonzero, and nothing at all for minutes without traffic. [`ZoneMetrics::with_zero_counts`]
//! turns that back into numbers: a count is 0 in every minute its zone had traffic
//! (RequestCount, or NewFlowCount for an NLB); a minute without traffic stays `None`.

use crate::model::zones::LbKind;
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::collections::BTreeMap;

// CloudWatch's names for what the AZ pane reads. The live backend asks for them and the
// demo backend answers under them, so both take them from here.

/// The CloudWatch namespace of a load balancer kind's metrics.
pub fn namespace(kind: LbKind) -> &'static str {
    match kind {
        LbKind::Application => "AWS/ApplicationELB",
        LbKind::Network => "AWS/NetworkELB",
        LbKind::Gateway => "AWS/GatewayELB",
    }
}

/// The CloudWatch metric name of a [`ZoneMetric`] in its load balancer's namespace.
pub fn metric_name(metric: ZoneMetric) -> &'static str {
    match metric {
        ZoneMetric::Requests => "RequestCount",
        ZoneMetric::Target5xx => "HTTPCode_Target_5XX_Count",
        ZoneMetric::Elb5xx => "HTTPCode_ELB_5XX_Count",
        ZoneMetric::ResponseTime => "TargetResponseTime",
        ZoneMetric::ConnectionErrors => "TargetConnectionErrorCount",
        ZoneMetric::NewFlows => "NewFlowCount",
        ZoneMetric::TargetResets => "TCP_Target_Reset_Count",
        ZoneMetric::ElbResets => "TCP_ELB_Reset_Count",
    }
}

/// The statistic asked for: counts add up per minute, response time is averaged.
pub fn statistic(metric: ZoneMetric) -> &'static str {
    match metric {
        ZoneMetric::ResponseTime => "Average",
        _ => "Sum",
    }
}

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
    /// NLB: new flows (connections) from clients to targets, Sum. The traffic measure.
    NewFlows,
    /// NLB: resets sent by targets, Sum.
    TargetResets,
    /// NLB: resets the load balancer itself generated, Sum.
    ElbResets,
}

impl ZoneMetric {
    /// The per-AZ metrics of an Application Load Balancer.
    pub const APPLICATION: [ZoneMetric; 5] = [
        ZoneMetric::Requests,
        ZoneMetric::Target5xx,
        ZoneMetric::Elb5xx,
        ZoneMetric::ResponseTime,
        ZoneMetric::ConnectionErrors,
    ];

    /// The per-AZ metrics of a Network Load Balancer.
    pub const NETWORK: [ZoneMetric; 3] = [
        ZoneMetric::NewFlows,
        ZoneMetric::TargetResets,
        ZoneMetric::ElbResets,
    ];

    pub const ALL: [ZoneMetric; 8] = [
        ZoneMetric::Requests,
        ZoneMetric::Target5xx,
        ZoneMetric::Elb5xx,
        ZoneMetric::ResponseTime,
        ZoneMetric::ConnectionErrors,
        ZoneMetric::NewFlows,
        ZoneMetric::TargetResets,
        ZoneMetric::ElbResets,
    ];

    /// The metrics worth asking for a load balancer of this kind (none for GWLBs).
    pub fn for_kind(kind: LbKind) -> &'static [ZoneMetric] {
        match kind {
            LbKind::Application => &Self::APPLICATION,
            LbKind::Network => &Self::NETWORK,
            LbKind::Gateway => &[],
        }
    }

    /// For a count that ELB leaves out when zero: the traffic metric whose presence
    /// in a minute means the count was 0 rather than unknown.
    pub fn traffic(self) -> Option<ZoneMetric> {
        match self {
            ZoneMetric::Target5xx | ZoneMetric::Elb5xx | ZoneMetric::ConnectionErrors => {
                Some(ZoneMetric::Requests)
            }
            ZoneMetric::TargetResets | ZoneMetric::ElbResets => Some(ZoneMetric::NewFlows),
            ZoneMetric::Requests | ZoneMetric::NewFlows | ZoneMetric::ResponseTime => None,
        }
    }

    /// The metric in words, for the screen. (The CloudWatch names, namespaces and
    /// statistics: [`metric_name`], [`namespace`], [`statistic`].)
    pub fn label(self) -> &'static str {
        match self {
            ZoneMetric::Requests => "requests",
            ZoneMetric::Target5xx => "target 5xx",
            ZoneMetric::Elb5xx => "load-balancer 5xx",
            ZoneMetric::ResponseTime => "response time",
            ZoneMetric::ConnectionErrors => "target connection errors",
            ZoneMetric::NewFlows => "new flows",
            ZoneMetric::TargetResets => "target TCP resets",
            ZoneMetric::ElbResets => "load-balancer TCP resets",
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
            ZoneMetric::NewFlows => "flow",
            ZoneMetric::TargetResets => "trst",
            ZoneMetric::ElbResets => "erst",
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

    /// A copy in which every count ELB leaves out when zero is 0 in each minute where
    /// its zone had traffic ([`ZoneMetric::traffic`]). Minutes without traffic stay
    /// `None` (no traffic is not zero errors), and so does a count whose query came back
    /// with an issue for that zone: a failed query is unknown, not zero.
    pub fn with_zero_counts(&self) -> ZoneMetrics {
        let mut out = self.clone();
        let minutes = self.window.minutes;
        for (zone, metrics) in out.by_zone.iter_mut() {
            for count in ZoneMetric::ALL {
                let Some(traffic) = count.traffic() else {
                    continue;
                };
                let Some(traffic_series) = metrics.get(&traffic).cloned() else {
                    continue;
                };
                let failed = self.issues.iter().any(|i| {
                    i.metric == count && (i.zone_name == *zone || i.zone_name == ALL_ZONES)
                });
                if failed {
                    continue;
                }
                let series = metrics.entry(count).or_insert_with(|| vec![None; minutes]);
                for (slot, t) in traffic_series.iter().enumerate() {
                    if t.is_some()
                        && let Some(v) = series.get_mut(slot)
                        && v.is_none()
                    {
                        *v = Some(0.0);
                    }
                }
            }
        }
        out
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
    fn counts_are_zero_where_there_was_traffic_and_none_where_there_was_none() {
        let w = Window::ending_at(t(3, 10, 0), 3);
        let mut m = ZoneMetrics::empty(w);
        // Zone a: traffic in minutes 0 and 2, 5xx reported only in minute 2.
        m.put("a", ZoneMetric::Requests, t(3, 7, 0), 100.0);
        m.put("a", ZoneMetric::Requests, t(3, 9, 0), 100.0);
        m.put("a", ZoneMetric::Target5xx, t(3, 9, 0), 7.0);
        // Zone b: traffic, and no 5xx series at all.
        m.put("b", ZoneMetric::Requests, t(3, 8, 0), 50.0);
        // Zone n: an NLB zone with flows and one target reset.
        m.put("n", ZoneMetric::NewFlows, t(3, 8, 0), 20.0);
        m.put("n", ZoneMetric::TargetResets, t(3, 8, 0), 1.0);
        m.ensure_zone("idle");
        let f = m.with_zero_counts();
        assert_eq!(
            f.series("a", ZoneMetric::Target5xx),
            Some(&[Some(0.0), None, Some(7.0)][..])
        );
        assert_eq!(
            f.series("b", ZoneMetric::Target5xx),
            Some(&[None, Some(0.0), None][..])
        );
        assert_eq!(
            f.series("b", ZoneMetric::ConnectionErrors),
            Some(&[None, Some(0.0), None][..])
        );
        assert_eq!(f.series("b", ZoneMetric::ResponseTime), None, "not a count");
        assert_eq!(f.series("b", ZoneMetric::TargetResets), None, "no flows");
        assert_eq!(
            f.series("n", ZoneMetric::ElbResets),
            Some(&[None, Some(0.0), None][..])
        );
        assert_eq!(f.series("n", ZoneMetric::Target5xx), None, "no requests");
        assert_eq!(f.series("idle", ZoneMetric::Target5xx), None);
        assert_eq!(
            f.series("a", ZoneMetric::Requests),
            m.series("a", ZoneMetric::Requests)
        );
    }

    #[test]
    fn a_count_whose_query_failed_is_not_filled() {
        let w = Window::ending_at(t(3, 10, 0), 2);
        let mut m = ZoneMetrics::empty(w);
        for z in ["a", "b"] {
            m.put(z, ZoneMetric::Requests, t(3, 9, 0), 100.0);
        }
        m.issues.push(MetricIssue {
            zone_name: "a".into(),
            metric: ZoneMetric::Target5xx,
            status: "Forbidden".into(),
        });
        m.issues.push(MetricIssue {
            zone_name: ALL_ZONES.into(),
            metric: ZoneMetric::ConnectionErrors,
            status: "InternalError".into(),
        });
        let f = m.with_zero_counts();
        assert_eq!(f.series("a", ZoneMetric::Target5xx), None);
        assert_eq!(
            f.series("b", ZoneMetric::Target5xx),
            Some(&[None, Some(0.0)][..])
        );
        assert_eq!(f.series("a", ZoneMetric::ConnectionErrors), None);
        assert_eq!(f.series("b", ZoneMetric::ConnectionErrors), None);
        assert_eq!(
            f.series("a", ZoneMetric::Elb5xx),
            Some(&[None, Some(0.0)][..])
        );
    }

    #[test]
    fn metric_sets_per_kind() {
        assert!(ZoneMetric::for_kind(LbKind::Application).contains(&ZoneMetric::Target5xx));
        assert!(!ZoneMetric::for_kind(LbKind::Application).contains(&ZoneMetric::NewFlows));
        assert_eq!(
            ZoneMetric::for_kind(LbKind::Network),
            &[
                ZoneMetric::NewFlows,
                ZoneMetric::TargetResets,
                ZoneMetric::ElbResets
            ]
        );
        for m in ZoneMetric::ALL {
            assert_eq!(ZoneMetric::from_code(m.code()), Some(m));
        }
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

    mod fill_properties {
        use super::*;
        use proptest::prelude::*;

        const N: usize = 12;

        fn sparse() -> impl Strategy<Value = Vec<Option<f64>>> {
            proptest::collection::vec(proptest::option::of(1.0..5000.0f64), N)
        }

        prop_compose! {
            fn metrics()(zones in proptest::collection::vec(
                (sparse(), sparse(), sparse(), sparse(), sparse()), 1..4)
            ) -> ZoneMetrics {
                let w = Window::ending_at(t(3, 30, 0), N);
                let mut m = ZoneMetrics::empty(w);
                for (zi, (req, t5xx, rt, flows, resets)) in zones.into_iter().enumerate() {
                    let zone = format!("z{zi}");
                    m.ensure_zone(&zone);
                    let series = [
                        (ZoneMetric::Requests, req),
                        (ZoneMetric::Target5xx, t5xx),
                        (ZoneMetric::ResponseTime, rt),
                        (ZoneMetric::NewFlows, flows),
                        (ZoneMetric::TargetResets, resets),
                    ];
                    for (metric, values) in series {
                        for (slot, v) in values.into_iter().enumerate() {
                            if let Some(v) = v {
                                m.put(&zone, metric, w.start + Duration::minutes(slot as i64), v);
                            }
                        }
                    }
                }
                m
            }
        }

        fn slot(m: &ZoneMetrics, zone: &str, metric: ZoneMetric, i: usize) -> Option<f64> {
            m.series(zone, metric).and_then(|s| s[i])
        }

        proptest! {
            #[test]
            fn a_count_is_known_exactly_where_it_was_reported_or_there_was_traffic(m in metrics()) {
                let f = m.with_zero_counts();
                for zone in m.by_zone.keys() {
                    for metric in ZoneMetric::ALL {
                        for i in 0..N {
                            let before = slot(&m, zone, metric, i);
                            let after = slot(&f, zone, metric, i);
                            match metric.traffic() {
                                None => prop_assert_eq!(before, after),
                                Some(traffic) => {
                                    let had_traffic = slot(&m, zone, traffic, i).is_some();
                                    match before {
                                        Some(v) => prop_assert_eq!(after, Some(v)),
                                        None if had_traffic => prop_assert_eq!(after, Some(0.0)),
                                        None => prop_assert_eq!(after, None, "no traffic is not zero"),
                                    }
                                }
                            }
                        }
                    }
                }
            }

            #[test]
            fn filling_twice_is_filling_once(m in metrics()) {
                let once = m.with_zero_counts();
                prop_assert_eq!(once.with_zero_counts(), once);
            }
        }
    }
}
