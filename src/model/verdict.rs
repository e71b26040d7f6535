//! The per-AZ verdict: OK, DEGRADED or IMPAIRED, with its reason in words.
//!
//! Follows the AWS multi-AZ resilience guidance for gray failures: compare each zone
//! with its siblings minute by minute (1-minute periods), call a zone an outlier when it
//! is significantly worse than the others (a chi-squared test on 5xx proportions, or a
//! clear latency / connection-error gap) in 3 of the last 5 minutes, and check that the
//! cause is neither one single target nor the whole region.
//!
//! - A zone whose health checks all pass can still be DEGRADED (the gray failure).
//! - A rise in every zone at once is region-wide and not blamed on any one zone.
//! - One failing target is a target problem, not a zone verdict.

use crate::model::targets::StateCounts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not enough evidence either way (no targets, no metrics).
    Unknown,
    Ok,
    Degraded,
    Impaired,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Unknown => "UNKNOWN",
            Level::Ok => "OK",
            Level::Degraded => "DEGRADED",
            Level::Impaired => "IMPAIRED",
        }
    }
}

/// A failing target, for naming it in a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingTarget {
    pub group: String,
    pub id: String,
    pub reason: Option<String>,
}

/// Everything known about one zone, aggregated over the selected load balancers and
/// target groups. Series are one slot per minute, oldest first, all the same length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneEvidence {
    pub zone_id: String,
    pub zone_name: String,
    /// EC2's own state for the zone (available, impaired, ...).
    pub zone_state: String,
    pub counts: StateCounts,
    pub failing: Vec<FailingTarget>,
    pub requests: Vec<Option<f64>>,
    /// Target and load-balancer 5xx together.
    pub errors_5xx: Vec<Option<f64>>,
    pub response_time: Vec<Option<f64>>,
    pub connection_errors: Vec<Option<f64>>,
}

/// Tunables of the verdict; the defaults follow the resilience guidance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerdictParams {
    /// How many recent minutes are judged ("of the last 5").
    pub recent_minutes: usize,
    /// How many of them must be outliers ("3 of 5").
    pub outlier_minutes: usize,
    /// Chi-squared critical value, 1 degree of freedom (10.83: p < 0.001).
    pub chi_squared_critical: f64,
    /// Minimum 5xx (or connection errors) in a minute before a zone can be an outlier.
    pub min_errors: f64,
    /// A zone's error rate must exceed its siblings' by this factor ...
    pub rate_ratio: f64,
    /// ... and by this many percentage points.
    pub min_rate_gap: f64,
    /// Latency outlier: this many times the siblings' mean ...
    pub latency_ratio: f64,
    /// ... and at least this many seconds slower.
    pub min_latency_gap: f64,
}

impl Default for VerdictParams {
    fn default() -> Self {
        Self {
            recent_minutes: 5,
            outlier_minutes: 3,
            chi_squared_critical: 10.83,
            min_errors: 5.0,
            rate_ratio: 2.0,
            min_rate_gap: 0.005,
            latency_ratio: 1.5,
            min_latency_gap: 0.05,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneVerdict {
    pub zone_id: String,
    pub level: Level,
    /// One sentence: why.
    pub reason: String,
    /// Outlier minutes among the recent ones, and how many recent minutes had data.
    pub outlier_minutes: usize,
    pub judged_minutes: usize,
}

/// Why one minute counts against a zone.
#[derive(Debug, Clone, Copy, Default)]
struct MinuteSignal {
    errors: bool,
    latency: bool,
    connections: bool,
}

impl MinuteSignal {
    fn any(self) -> bool {
        self.errors || self.latency || self.connections
    }
}

/// Pearson's chi-squared statistic of a 2x2 table (errors/ok in the zone vs the rest).
pub fn chi_squared_2x2(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let n = a + b + c + d;
    let denom = (a + b) * (c + d) * (a + c) * (b + d);
    if denom <= 0.0 {
        return 0.0;
    }
    let diff = a * d - b * c;
    n * diff * diff / denom
}

fn at(series: &[Option<f64>], slot: usize) -> Option<f64> {
    series.get(slot).copied().flatten()
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Is zone `z` an outlier against its siblings in minute `slot`?
fn minute_signal(all: &[ZoneEvidence], z: usize, slot: usize, p: &VerdictParams) -> MinuteSignal {
    let me = &all[z];
    let others: Vec<&ZoneEvidence> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != z)
        .map(|(_, e)| e)
        .collect();
    let mut signal = MinuteSignal::default();

    // 5xx: a proportion test when request counts are known, else a count comparison.
    if let Some(errors) = at(&me.errors_5xx, slot) {
        let my_req = at(&me.requests, slot);
        let other_err: Vec<f64> = others
            .iter()
            .filter_map(|o| at(&o.errors_5xx, slot))
            .collect();
        let other_req: Vec<f64> = others
            .iter()
            .filter_map(|o| at(&o.requests, slot))
            .collect();
        if errors >= p.min_errors && !other_err.is_empty() {
            match my_req {
                Some(req) if req > 0.0 && other_req.len() == others.len() => {
                    let rest_err: f64 = other_err.iter().sum::<f64>();
                    let rest_req: f64 = other_req.iter().sum::<f64>();
                    if rest_req > 0.0 {
                        let my_rate = errors / req;
                        let rest_rate = rest_err / rest_req;
                        let chi = chi_squared_2x2(
                            errors,
                            (req - errors).max(0.0),
                            rest_err,
                            (rest_req - rest_err).max(0.0),
                        );
                        signal.errors = chi > p.chi_squared_critical
                            && my_rate > rest_rate * p.rate_ratio
                            && my_rate - rest_rate > p.min_rate_gap;
                    }
                }
                _ => {
                    let m = mean(&other_err).unwrap_or(0.0);
                    signal.errors = errors > m * 3.0 + 3.0;
                }
            }
        }
    }

    if let Some(rt) = at(&me.response_time, slot) {
        let other_rt: Vec<f64> = others
            .iter()
            .filter_map(|o| at(&o.response_time, slot))
            .collect();
        if let Some(m) = mean(&other_rt) {
            signal.latency = rt > m * p.latency_ratio && rt - m > p.min_latency_gap;
        }
    }

    if let Some(ce) = at(&me.connection_errors, slot) {
        let other_ce: Vec<f64> = others
            .iter()
            .filter_map(|o| at(&o.connection_errors, slot))
            .collect();
        if ce >= p.min_errors && !other_ce.is_empty() {
            let m = mean(&other_ce).unwrap_or(0.0);
            signal.connections = ce > m * 3.0 + 3.0;
        }
    }
    signal
}

fn sum_range(series: &[Option<f64>], range: std::ops::Range<usize>) -> Option<f64> {
    let vals: Vec<f64> = range.filter_map(|i| at(series, i)).collect();
    (!vals.is_empty()).then(|| vals.iter().sum())
}

fn rate(errors: Option<f64>, requests: Option<f64>) -> Option<f64> {
    match (errors, requests) {
        (Some(e), Some(r)) if r > 0.0 => Some(e / r),
        _ => None,
    }
}

/// Whether every zone's recent 5xx rate rose well above its own earlier baseline.
fn region_wide_rise(all: &[ZoneEvidence], len: usize, recent: usize) -> bool {
    if all.len() < 2 || len <= recent {
        return false;
    }
    let split = len - recent;
    all.iter().all(|e| {
        let before = rate(
            sum_range(&e.errors_5xx, 0..split),
            sum_range(&e.requests, 0..split),
        );
        let now = rate(
            sum_range(&e.errors_5xx, split..len),
            sum_range(&e.requests, split..len),
        );
        match (before, now) {
            (Some(b), Some(n)) => n > b * 3.0 && n - b > 0.005,
            _ => false,
        }
    })
}

fn pct(v: f64) -> String {
    if v >= 0.1 {
        format!("{:.0}%", v * 100.0)
    } else {
        format!("{:.1}%", v * 100.0)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Describes what made the recent minutes outliers, with numbers against siblings.
fn describe_outlier(
    all: &[ZoneEvidence],
    z: usize,
    signals: &[MinuteSignal],
    recent: std::ops::Range<usize>,
) -> String {
    let me = &all[z];
    let mut parts = Vec::new();
    if signals.iter().any(|s| s.errors) {
        let mine = rate(
            sum_range(&me.errors_5xx, recent.clone()),
            sum_range(&me.requests, recent.clone()),
        );
        let (mut e, mut r) = (0.0, 0.0);
        for (i, o) in all.iter().enumerate() {
            if i != z {
                e += sum_range(&o.errors_5xx, recent.clone()).unwrap_or(0.0);
                r += sum_range(&o.requests, recent.clone()).unwrap_or(0.0);
            }
        }
        match (mine, rate(Some(e), Some(r))) {
            (Some(m), Some(o)) => {
                parts.push(format!("5xx {} vs {} in sibling AZs", pct(m), pct(o)))
            }
            _ => parts.push("5xx well above sibling AZs".to_string()),
        }
    }
    if signals.iter().any(|s| s.latency) {
        let mine = avg_range(&me.response_time, recent.clone());
        let others: Vec<f64> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != z)
            .filter_map(|(_, o)| avg_range(&o.response_time, recent.clone()))
            .collect();
        match (mine, mean(&others)) {
            (Some(m), Some(o)) => parts.push(format!("latency {} vs {}", fmt_secs(m), fmt_secs(o))),
            _ => parts.push("latency well above sibling AZs".to_string()),
        }
    }
    if signals.iter().any(|s| s.connections) {
        parts.push("target connection errors above sibling AZs".to_string());
    }
    parts.join(", ")
}

fn avg_range(series: &[Option<f64>], range: std::ops::Range<usize>) -> Option<f64> {
    let vals: Vec<f64> = range.filter_map(|i| at(series, i)).collect();
    mean(&vals)
}

/// Seconds in the unit a human reads fastest: `840ms`, `1.84s`.
pub fn fmt_secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0}ms", s * 1000.0)
    } else {
        format!("{s:.2}s")
    }
}

fn failing_summary(e: &ZoneEvidence) -> String {
    let mut reasons: Vec<&str> = e
        .failing
        .iter()
        .filter_map(|f| f.reason.as_deref())
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join(", "))
    }
}

/// The share of in-service targets failing in every zone but `z`.
fn sibling_failure_share(all: &[ZoneEvidence], z: usize) -> Option<f64> {
    let (mut failing, mut serving) = (0u32, 0u32);
    for (i, e) in all.iter().enumerate() {
        if i != z {
            failing += e.counts.failing();
            serving += e.counts.in_service();
        }
    }
    (serving > 0).then(|| failing as f64 / serving as f64)
}

/// Judges every zone. `all` must hold every zone of the selection (siblings are the
/// comparison), with series of equal length.
pub fn zone_verdicts(all: &[ZoneEvidence], p: &VerdictParams) -> Vec<ZoneVerdict> {
    let len = all
        .iter()
        .map(|e| {
            e.errors_5xx
                .len()
                .max(e.requests.len())
                .max(e.response_time.len())
                .max(e.connection_errors.len())
        })
        .max()
        .unwrap_or(0);
    let recent = len.saturating_sub(p.recent_minutes)..len;
    let region_wide = region_wide_rise(all, len, p.recent_minutes);

    all.iter()
        .enumerate()
        .map(|(z, e)| {
            let has_metrics = recent.clone().any(|s| {
                at(&e.errors_5xx, s).is_some()
                    || at(&e.requests, s).is_some()
                    || at(&e.response_time, s).is_some()
            });
            let judged_minutes = recent
                .clone()
                .filter(|s| at(&e.errors_5xx, *s).is_some() || at(&e.response_time, *s).is_some())
                .count();
            let signals: Vec<MinuteSignal> = if all.len() >= 2 {
                recent
                    .clone()
                    .map(|s| minute_signal(all, z, s, p))
                    .collect()
            } else {
                Vec::new()
            };
            let outlier_minutes = signals.iter().filter(|s| s.any()).count();
            let metric_outlier = outlier_minutes >= p.outlier_minutes;
            let outlier_text = if metric_outlier {
                format!(
                    "{}, {} of last {} min",
                    describe_outlier(all, z, &signals, recent.clone()),
                    outlier_minutes,
                    recent.len()
                )
            } else {
                String::new()
            };

            let failing = e.counts.failing() as usize;
            let serving = e.counts.in_service() as usize;
            let my_share = if serving > 0 {
                failing as f64 / serving as f64
            } else {
                0.0
            };
            let siblings_share = sibling_failure_share(all, z).unwrap_or(0.0);
            let zone_specific_failures = failing >= 2
                && my_share > (siblings_share * 2.0).max(0.0)
                && my_share - siblings_share > 0.1;
            let most_failing = failing >= 2 && failing * 2 >= serving;
            let failing_text = format!(
                "{} of {} targets failing{}",
                failing,
                serving,
                failing_summary(e)
            );

            let (level, reason) = if matches!(e.zone_state.as_str(), "impaired" | "unavailable") {
                (
                    Level::Impaired,
                    format!("EC2 reports the zone {}", e.zone_state),
                )
            } else if zone_specific_failures && (most_failing || metric_outlier) {
                let mut r = failing_text.clone();
                if metric_outlier {
                    r.push_str("; ");
                    r.push_str(&outlier_text);
                }
                (Level::Impaired, r)
            } else if metric_outlier {
                let r = if failing == 0 && serving > 0 {
                    format!(
                        "gray failure: {outlier_text}; all {} pass health checks",
                        plural(serving, "target", "targets")
                    )
                } else {
                    outlier_text.clone()
                };
                (Level::Degraded, r)
            } else if zone_specific_failures {
                (Level::Degraded, failing_text.clone())
            } else if failing >= 2 {
                (
                    Level::Ok,
                    format!("{failing_text}, as in sibling AZs: not zone-specific"),
                )
            } else if failing == 1 {
                let f = e.failing.first();
                let who = f
                    .map(|f| {
                        format!(
                            " ({} {}{})",
                            f.group,
                            f.id,
                            f.reason
                                .as_deref()
                                .map(|r| format!(" {r}"))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                (
                    Level::Ok,
                    format!("1 target failing{who}: one target, not a zone problem"),
                )
            } else if region_wide {
                (
                    Level::Ok,
                    "5xx up in every AZ: a region-wide rise, not this zone".to_string(),
                )
            } else if serving == 0 && !has_metrics {
                (Level::Unknown, "no targets and no metrics yet".to_string())
            } else if !has_metrics {
                // Health checks alone cannot see a gray failure: do not call it OK.
                (
                    Level::Unknown,
                    format!(
                        "all {} healthy, but no metrics: a gray failure cannot be ruled out",
                        plural(serving, "target", "targets")
                    ),
                )
            } else {
                (Level::Ok, "in line with sibling AZs".to_string())
            };

            ZoneVerdict {
                zone_id: e.zone_id.clone(),
                level,
                reason,
                outlier_minutes,
                judged_minutes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTES: usize = 15;

    fn zone(id: &str, healthy: u32) -> ZoneEvidence {
        ZoneEvidence {
            zone_id: id.into(),
            zone_name: format!("name-{id}"),
            zone_state: "available".into(),
            counts: StateCounts {
                healthy,
                ..Default::default()
            },
            failing: vec![],
            requests: vec![Some(1000.0); MINUTES],
            errors_5xx: vec![Some(2.0); MINUTES],
            response_time: vec![Some(0.12); MINUTES],
            connection_errors: vec![Some(0.0); MINUTES],
        }
    }

    fn fail(e: &mut ZoneEvidence, n: u32, reason: &str) {
        e.counts.healthy -= n;
        e.counts.unhealthy += n;
        for i in 0..n {
            e.failing.push(FailingTarget {
                group: "web".into(),
                id: format!("i-{i}"),
                reason: Some(reason.into()),
            });
        }
    }

    fn verdicts(z: &[ZoneEvidence]) -> Vec<ZoneVerdict> {
        zone_verdicts(z, &VerdictParams::default())
    }

    #[test]
    fn quiet_zones_are_ok() {
        let v = verdicts(&[zone("az1", 3), zone("az2", 3), zone("az3", 3)]);
        assert!(v.iter().all(|v| v.level == Level::Ok), "{v:?}");
        assert_eq!(v[0].reason, "in line with sibling AZs");
    }

    #[test]
    fn gray_failure_with_all_targets_healthy_is_degraded() {
        let mut sick = zone("az2", 3);
        // 3 of the last 5 minutes: 60 errors per 1000 requests vs 2 elsewhere.
        for slot in [10, 12, 14] {
            sick.errors_5xx[slot] = Some(60.0);
        }
        let v = verdicts(&[zone("az1", 3), sick, zone("az3", 3)]);
        assert_eq!(v[1].level, Level::Degraded, "{:?}", v[1]);
        assert!(v[1].reason.starts_with("gray failure"), "{}", v[1].reason);
        assert!(v[1].reason.contains("all 3 targets pass health checks"));
        assert!(v[1].reason.contains("3 of last 5 min"), "{}", v[1].reason);
        assert_eq!(v[1].outlier_minutes, 3);
        assert_eq!(v[0].level, Level::Ok);
        assert_eq!(v[2].level, Level::Ok);
    }

    #[test]
    fn two_bad_minutes_of_five_are_not_enough() {
        let mut sick = zone("az2", 3);
        for slot in [12, 14] {
            sick.errors_5xx[slot] = Some(60.0);
        }
        let v = verdicts(&[zone("az1", 3), sick, zone("az3", 3)]);
        assert_eq!(v[1].level, Level::Ok, "{:?}", v[1]);
        assert_eq!(v[1].outlier_minutes, 2);
    }

    #[test]
    fn latency_alone_makes_a_gray_failure() {
        let mut slow = zone("az3", 4);
        for slot in 10..15 {
            slow.response_time[slot] = Some(1.8);
        }
        let v = verdicts(&[zone("az1", 4), zone("az2", 4), slow]);
        assert_eq!(v[2].level, Level::Degraded);
        assert!(
            v[2].reason.contains("latency 1.80s vs 120ms"),
            "{}",
            v[2].reason
        );
    }

    #[test]
    fn region_wide_rise_is_not_blamed_on_one_zone() {
        let mut zones = vec![zone("az1", 3), zone("az2", 3), zone("az3", 3)];
        for (i, z) in zones.iter_mut().enumerate() {
            for slot in 10..15 {
                // Every zone rises; one a little more than the others.
                z.errors_5xx[slot] = Some(80.0 + 5.0 * i as f64);
            }
        }
        let v = verdicts(&zones);
        for v in &v {
            assert_eq!(v.level, Level::Ok, "{v:?}");
            assert!(v.reason.contains("region-wide"), "{}", v.reason);
        }
    }

    #[test]
    fn single_bad_target_is_not_a_zone_verdict() {
        let mut z2 = zone("az2", 3);
        fail(&mut z2, 1, "Target.Timeout");
        let v = verdicts(&[zone("az1", 3), z2, zone("az3", 3)]);
        assert_eq!(v[1].level, Level::Ok, "{:?}", v[1]);
        assert!(v[1].reason.contains("one target, not a zone problem"));
        assert!(v[1].reason.contains("Target.Timeout"));
    }

    #[test]
    fn most_targets_failing_in_one_zone_is_impaired() {
        let mut z2 = zone("az2", 3);
        fail(&mut z2, 2, "Target.Timeout");
        let v = verdicts(&[zone("az1", 3), z2, zone("az3", 3)]);
        assert_eq!(v[1].level, Level::Impaired, "{:?}", v[1]);
        assert!(
            v[1].reason
                .starts_with("2 of 3 targets failing (Target.Timeout)")
        );
    }

    #[test]
    fn gray_failure_turning_into_failed_checks_is_impaired() {
        let mut z2 = zone("az2", 6);
        fail(&mut z2, 2, "Target.Timeout");
        for slot in 10..15 {
            z2.errors_5xx[slot] = Some(90.0);
        }
        let v = verdicts(&[zone("az1", 6), z2, zone("az3", 6)]);
        assert_eq!(v[1].level, Level::Impaired, "{:?}", v[1]);
        assert!(
            v[1].reason.contains("5xx 9.0% vs 0.2% in sibling AZs"),
            "{}",
            v[1].reason
        );
    }

    #[test]
    fn failures_everywhere_are_not_zone_specific() {
        let mut zones = vec![zone("az1", 4), zone("az2", 4), zone("az3", 4)];
        for z in &mut zones {
            fail(z, 2, "Target.ResponseCodeMismatch");
        }
        let v = verdicts(&zones);
        for v in &v {
            assert_eq!(v.level, Level::Ok, "{v:?}");
            assert!(v.reason.contains("not zone-specific"));
        }
    }

    #[test]
    fn low_volume_noise_is_not_an_outlier() {
        let mut quiet = zone("az2", 2);
        quiet.requests = vec![Some(10.0); MINUTES];
        for slot in 10..15 {
            quiet.errors_5xx[slot] = Some(3.0); // 30 % of very few requests
        }
        let v = verdicts(&[zone("az1", 2), quiet, zone("az3", 2)]);
        assert_eq!(v[1].level, Level::Ok, "{:?}", v[1]);
    }

    #[test]
    fn ec2_reported_impairment_wins() {
        let mut z = zone("az1", 3);
        z.zone_state = "impaired".into();
        let v = verdicts(&[z, zone("az2", 3)]);
        assert_eq!(v[0].level, Level::Impaired);
    }

    #[test]
    fn no_data_is_unknown() {
        let empty = ZoneEvidence {
            zone_id: "az9".into(),
            zone_state: "available".into(),
            ..Default::default()
        };
        let v = verdicts(&[empty]);
        assert_eq!(v[0].level, Level::Unknown);
    }

    #[test]
    fn healthy_targets_without_metrics_are_not_called_ok() {
        let mut blind = vec![zone("az1", 3), zone("az2", 3)];
        for z in &mut blind {
            z.requests = vec![None; MINUTES];
            z.errors_5xx = vec![None; MINUTES];
            z.response_time = vec![None; MINUTES];
            z.connection_errors = vec![None; MINUTES];
        }
        let v = verdicts(&blind);
        assert_eq!(v[0].level, Level::Unknown, "{:?}", v[0]);
        assert!(v[0].reason.contains("gray failure cannot be ruled out"));
    }

    #[test]
    fn chi_squared_matches_a_known_table() {
        // 2x2 table [[10, 90], [20, 180]]: identical proportions -> 0.
        assert!(chi_squared_2x2(10.0, 90.0, 20.0, 180.0).abs() < 1e-9);
        // [[30, 70], [10, 90]] -> 12.5
        assert!((chi_squared_2x2(30.0, 70.0, 10.0, 90.0) - 12.5).abs() < 1e-9);
    }
}
