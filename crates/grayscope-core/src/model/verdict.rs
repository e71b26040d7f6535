//! The per-AZ verdict: OK, WATCH, DEGRADED or IMPAIRED, with its reason in words.
//!
//! Follows the AWS multi-AZ resilience guidance for gray failures: compare each zone
//! with its siblings minute by minute (1-minute periods), call a zone an outlier when it
//! is significantly worse than the others (a chi-squared test on 5xx, connection-error
//! or TCP-reset proportions, or a clear latency gap) in 3 of the last 5 minutes, and
//! check that the cause is neither one single target nor the whole region.
//!
//! - A zone whose health checks all pass can still be DEGRADED (the gray failure).
//! - A zone with outlier minutes that has not met the 3-of-5 rule is WATCH, not OK.
//! - A rise in every zone at once is region-wide and not blamed on any one zone.
//! - One failing target is a target problem, not a zone verdict.
//! - Per-AZ load-balancer metrics are per-zone evidence only with cross-zone load
//!   balancing off; with it on they mix every zone's targets, and only per-target
//!   evidence (health checks, ALB anomaly detection) can call a zone healthy or sick.
//!
//! The reason says which signals fired, from which evidence, and over which window
//! (the verdict window is the last 5 minutes; the pane's columns are the last minute).

use crate::model::metrics::Window;
use crate::model::targets::{AnomalyTally, StateCounts};
use crate::model::zones::CrossZone;
use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not enough evidence either way (no targets, no usable metrics).
    Unknown,
    Ok,
    /// Outlier minutes, but fewer than the rule needs (or from mixed metrics).
    Watching,
    Degraded,
    Impaired,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Unknown => "UNKNOWN",
            Level::Ok => "OK",
            Level::Watching => "WATCH",
            Level::Degraded => "DEGRADED",
            Level::Impaired => "IMPAIRED",
        }
    }

    /// How much attention the zone needs: OK lowest, then UNKNOWN, WATCH, DEGRADED,
    /// IMPAIRED.
    pub fn severity(self) -> u8 {
        match self {
            Level::Ok => 0,
            Level::Unknown => 1,
            Level::Watching => 2,
            Level::Degraded => 3,
            Level::Impaired => 4,
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
/// target groups. Series are one slot per minute, oldest first, all the same length;
/// count series already have their zeros filled in (`ZoneMetrics::with_zero_counts`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneEvidence {
    pub zone_id: String,
    pub zone_name: String,
    /// EC2's own state for the zone (available, impaired, ...).
    pub zone_state: String,
    pub counts: StateCounts,
    pub failing: Vec<FailingTarget>,
    /// ALB anomaly detection and zonal shifts of the zone's targets.
    pub anomaly: AnomalyTally,
    /// Whether the per-AZ load-balancer metrics below are per-zone evidence.
    pub cross_zone: CrossZone,
    /// The minutes the series cover, when known (for saying when outliers began).
    pub window: Option<Window>,
    pub requests: Vec<Option<f64>>,
    /// Target and load-balancer 5xx together.
    pub errors_5xx: Vec<Option<f64>>,
    pub response_time: Vec<Option<f64>>,
    pub connection_errors: Vec<Option<f64>>,
    /// NLB new flows (the traffic measure for resets).
    pub flows: Vec<Option<f64>>,
    /// NLB TCP resets, from targets and from the load balancer together.
    pub resets: Vec<Option<f64>>,
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
    /// Minimum 5xx (connection errors, resets) in a minute before a zone can be an outlier.
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

/// Which signals made one minute an outlier for a zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MinuteSignal {
    pub errors: bool,
    pub latency: bool,
    pub connections: bool,
    pub resets: bool,
}

impl MinuteSignal {
    pub fn any(self) -> bool {
        self.errors || self.latency || self.connections || self.resets
    }

    fn or(self, o: MinuteSignal) -> MinuteSignal {
        MinuteSignal {
            errors: self.errors || o.errors,
            latency: self.latency || o.latency,
            connections: self.connections || o.connections,
            resets: self.resets || o.resets,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneVerdict {
    pub zone_id: String,
    pub level: Level,
    /// Why, in words: which signals, from which evidence, over which window.
    pub reason: String,
    /// Outlier minutes among the recent ones, and how many recent minutes had data.
    pub outlier_minutes: usize,
    pub judged_minutes: usize,
    /// The recent minutes, oldest first: the slot in the series and its signals.
    pub minutes: Vec<(usize, MinuteSignal)>,
    /// The slot of the first recent outlier minute.
    pub first_outlier_slot: Option<usize>,
    /// The evidence the verdict rests on, e.g. "per-AZ LB metrics (cross-zone off)".
    pub evidence_used: Vec<String>,
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

/// Is a count (`count` of `total`) an outlier against the siblings' (count, total)?
/// A proportion test where the zone's traffic is known; a plain count comparison where
/// it is not (e.g. load-balancer 5xx in a minute without RequestCount). Siblings with
/// no traffic that minute are left out: no traffic is not zero errors.
fn proportion_outlier(
    count: Option<f64>,
    total: Option<f64>,
    siblings: &[(Option<f64>, Option<f64>)],
    p: &VerdictParams,
) -> bool {
    let Some(count) = count else {
        return false;
    };
    if count < p.min_errors {
        return false;
    }
    let with_traffic: Vec<(f64, f64)> = siblings
        .iter()
        .filter_map(|(c, t)| Some(((*c)?, (*t)?)))
        .filter(|(_, t)| *t > 0.0)
        .collect();
    match total {
        Some(total) if total > 0.0 && !with_traffic.is_empty() => {
            let rest_count: f64 = with_traffic.iter().map(|(c, _)| c).sum();
            let rest_total: f64 = with_traffic.iter().map(|(_, t)| t).sum();
            let my_rate = count / total;
            let rest_rate = rest_count / rest_total;
            let chi = chi_squared_2x2(
                count,
                (total - count).max(0.0),
                rest_count,
                (rest_total - rest_count).max(0.0),
            );
            chi > p.chi_squared_critical
                && my_rate > rest_rate * p.rate_ratio
                && my_rate - rest_rate > p.min_rate_gap
        }
        _ => {
            let counts: Vec<f64> = siblings.iter().filter_map(|(c, _)| *c).collect();
            mean(&counts).is_some_and(|m| count > m * 3.0 + 3.0)
        }
    }
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
    let pairs = |count: fn(&ZoneEvidence) -> &[Option<f64>],
                 total: fn(&ZoneEvidence) -> &[Option<f64>]| {
        others
            .iter()
            .map(|o| (at(count(o), slot), at(total(o), slot)))
            .collect::<Vec<_>>()
    };
    let mut signal = MinuteSignal {
        errors: proportion_outlier(
            at(&me.errors_5xx, slot),
            at(&me.requests, slot),
            &pairs(|e| &e.errors_5xx, |e| &e.requests),
            p,
        ),
        connections: proportion_outlier(
            at(&me.connection_errors, slot),
            at(&me.requests, slot),
            &pairs(|e| &e.connection_errors, |e| &e.requests),
            p,
        ),
        resets: proportion_outlier(
            at(&me.resets, slot),
            at(&me.flows, slot),
            &pairs(|e| &e.resets, |e| &e.flows),
            p,
        ),
        latency: false,
    };
    if let Some(rt) = at(&me.response_time, slot) {
        let other_rt: Vec<f64> = others
            .iter()
            .filter_map(|o| at(&o.response_time, slot))
            .collect();
        if let Some(m) = mean(&other_rt) {
            signal.latency = rt > m * p.latency_ratio && rt - m > p.min_latency_gap;
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

/// A share as a percentage with one decimal: `4.8%`, `0.0%`, `12.5%`.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The zone's rate and its siblings' pooled rate of `count` per `total` over `range`.
fn rates_vs_siblings(
    all: &[ZoneEvidence],
    z: usize,
    count: fn(&ZoneEvidence) -> &[Option<f64>],
    total: fn(&ZoneEvidence) -> &[Option<f64>],
    range: std::ops::Range<usize>,
) -> (Option<f64>, Option<f64>) {
    let me = &all[z];
    let mine = rate(
        sum_range(count(me), range.clone()),
        sum_range(total(me), range.clone()),
    );
    let (mut c, mut t) = (0.0, 0.0);
    for (i, o) in all.iter().enumerate() {
        if i == z {
            continue;
        }
        // Only minutes where the sibling has both: a count without its traffic (or
        // traffic whose count failed to load) would skew the pooled rate.
        for slot in range.clone() {
            if let (Some(cv), Some(tv)) = (at(count(o), slot), at(total(o), slot)) {
                c += cv;
                t += tv;
            }
        }
    }
    (mine, rate(Some(c), Some(t)))
}

/// Describes the signals that fired in the recent minutes, with the zone's numbers
/// against its siblings' over the whole recent window.
fn describe_signals(
    all: &[ZoneEvidence],
    z: usize,
    fired: MinuteSignal,
    recent: std::ops::Range<usize>,
) -> String {
    let me = &all[z];
    let mut parts = Vec::new();
    let rate_part = |label: &str,
                     count: fn(&ZoneEvidence) -> &[Option<f64>],
                     total: fn(&ZoneEvidence) -> &[Option<f64>],
                     of: &str| {
        match rates_vs_siblings(all, z, count, total, recent.clone()) {
            (Some(m), Some(o)) => format!("{label} {} vs {}{of}", pct(m), pct(o)),
            _ => format!("{label} well above sibling AZs"),
        }
    };
    if fired.errors {
        parts.push(rate_part(
            "5xx",
            |e| &e.errors_5xx,
            |e| &e.requests,
            " in sibling AZs",
        ));
    }
    if fired.latency {
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
    if fired.connections {
        parts.push(rate_part(
            "target connection errors",
            |e| &e.connection_errors,
            |e| &e.requests,
            " of requests",
        ));
    }
    if fired.resets {
        parts.push(rate_part(
            "TCP resets",
            |e| &e.resets,
            |e| &e.flows,
            " of new flows",
        ));
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

/// Anomalous and checked targets in every zone but `z`.
fn sibling_anomalies(all: &[ZoneEvidence], z: usize) -> (u32, u32) {
    all.iter()
        .enumerate()
        .filter(|(i, _)| *i != z)
        .fold((0, 0), |(a, c), (_, e)| {
            (a + e.anomaly.anomalous, c + e.anomaly.checked)
        })
}

/// Whether `n` of `of` in this zone stands out against `sib_n` of `sib_of` in the
/// siblings: at least 2, twice the siblings' share and 10 points above it.
fn zone_specific(n: u32, of: u32, sib_n: u32, sib_of: u32) -> bool {
    if n < 2 || of == 0 {
        return false;
    }
    let mine = n as f64 / of as f64;
    let theirs = if sib_of > 0 {
        sib_n as f64 / sib_of as f64
    } else {
        0.0
    };
    mine > theirs * 2.0 && mine - theirs > 0.1
}

/// What the per-AZ load-balancer metrics are, in words.
pub fn metrics_label(cross_zone: CrossZone) -> String {
    match cross_zone {
        CrossZone::Off => "per-AZ LB metrics, cross-zone off".into(),
        CrossZone::Unknown => "per-AZ LB metrics, cross-zone not known".into(),
        CrossZone::On => "per-AZ LB metrics mix every zone's targets: cross-zone on".into(),
    }
}

/// The length of the longest series of any zone.
fn series_len(all: &[ZoneEvidence]) -> usize {
    all.iter()
        .map(|e| {
            [
                e.errors_5xx.len(),
                e.requests.len(),
                e.response_time.len(),
                e.connection_errors.len(),
                e.flows.len(),
                e.resets.len(),
            ]
            .into_iter()
            .max()
            .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// Judges every zone. `all` must hold every zone of the selection (siblings are the
/// comparison), with series of equal length; a row of targets whose zone is unknown
/// does not belong here.
pub fn zone_verdicts(all: &[ZoneEvidence], p: &VerdictParams) -> Vec<ZoneVerdict> {
    let len = series_len(all);
    let recent = len.saturating_sub(p.recent_minutes)..len;
    let region_wide = region_wide_rise(all, len, p.recent_minutes);
    (0..all.len())
        .map(|z| judge(all, z, recent.clone(), region_wide, p))
        .collect()
}

fn judge(
    all: &[ZoneEvidence],
    z: usize,
    recent: std::ops::Range<usize>,
    region_wide: bool,
    p: &VerdictParams,
) -> ZoneVerdict {
    let e = &all[z];
    let mixed = e.cross_zone == CrossZone::On;
    let has_metrics = recent.clone().any(|s| {
        [
            &e.errors_5xx,
            &e.requests,
            &e.response_time,
            &e.flows,
            &e.resets,
        ]
        .iter()
        .any(|series| at(series, s).is_some())
    });
    let judged_minutes = recent
        .clone()
        .filter(|s| {
            at(&e.errors_5xx, *s).is_some()
                || at(&e.response_time, *s).is_some()
                || at(&e.resets, *s).is_some()
        })
        .count();
    let minutes: Vec<(usize, MinuteSignal)> = if all.len() >= 2 {
        recent
            .clone()
            .map(|s| (s, minute_signal(all, z, s, p)))
            .collect()
    } else {
        Vec::new()
    };
    let outlier_minutes = minutes.iter().filter(|(_, s)| s.any()).count();
    let first_outlier_slot = minutes.iter().find(|(_, s)| s.any()).map(|(slot, _)| *slot);
    let fired = minutes
        .iter()
        .fold(MinuteSignal::default(), |acc, (_, s)| acc.or(*s));
    let metric_outlier = !mixed && outlier_minutes >= p.outlier_minutes;
    let window_words = format!("over the last {} min", recent.len());
    let metrics_words = metrics_label(e.cross_zone);
    let signals_text = format!(
        "{} {window_words}",
        describe_signals(all, z, fired, recent.clone())
    );
    let outlier_text = format!(
        "{signals_text} ({metrics_words}; outlier in {outlier_minutes} of {} min)",
        recent.len()
    );

    let failing = e.counts.failing() as usize;
    let serving = e.counts.in_service() as usize;
    let my_share = if serving > 0 {
        failing as f64 / serving as f64
    } else {
        0.0
    };
    let siblings_share = sibling_failure_share(all, z).unwrap_or(0.0);
    let zone_specific_failures =
        failing >= 2 && my_share > siblings_share * 2.0 && my_share - siblings_share > 0.1;
    let most_failing = failing >= 2 && failing * 2 >= serving;
    let failing_text = format!(
        "{} of {} targets failing{}",
        failing,
        serving,
        failing_summary(e)
    );

    let a = e.anomaly;
    let (sib_anom, sib_checked) = sibling_anomalies(all, z);
    let zone_specific_anomalies = zone_specific(a.anomalous, a.checked, sib_anom, sib_checked);
    let anomaly_ok_text = format!(
        "{} of {} targets anomalous (ALB anomaly detection)",
        a.anomalous, a.checked
    );
    let anomaly_text = {
        let mitigated = if a.mitigated > 0 {
            format!(", {} mitigated", a.mitigated)
        } else {
            String::new()
        };
        format!(
            "{} of {} targets anomalous{mitigated} vs {} of {} in sibling AZs (ALB anomaly detection)",
            a.anomalous, a.checked, sib_anom, sib_checked
        )
    };

    let mut evidence_used = vec!["target health".to_string()];
    if a.checked > 0 {
        evidence_used.push("ALB anomaly detection".into());
    }
    if has_metrics {
        evidence_used.push(if mixed {
            "per-AZ LB metrics (cross-zone on: not per-zone evidence)".into()
        } else {
            format!("per-AZ LB metrics ({})", e.cross_zone.label())
        });
    }

    let since = first_outlier_slot
        .and_then(|slot| e.window.map(|w| w.start + Duration::minutes(slot as i64)))
        .map(|t| format!(" since {} UTC", t.format("%H:%M")))
        .unwrap_or_default();

    let (level, reason) = if matches!(e.zone_state.as_str(), "impaired" | "unavailable") {
        (
            Level::Impaired,
            format!("EC2 reports the zone {}", e.zone_state),
        )
    } else if zone_specific_failures && (most_failing || metric_outlier || zone_specific_anomalies)
    {
        let mut parts = vec![failing_text.clone()];
        if metric_outlier {
            parts.push(outlier_text.clone());
        }
        if zone_specific_anomalies {
            parts.push(anomaly_text.clone());
        }
        (Level::Impaired, parts.join("; "))
    } else if metric_outlier || zone_specific_anomalies {
        let mut parts = Vec::new();
        if metric_outlier {
            parts.push(outlier_text.clone());
        }
        if zone_specific_anomalies {
            parts.push(anomaly_text.clone());
        }
        let r = if failing == 0 && serving > 0 {
            format!(
                "gray failure: {}; all {} pass health checks",
                parts.join("; "),
                plural(serving, "target", "targets")
            )
        } else {
            if failing > 0 {
                parts.push(failing_text.clone());
            }
            parts.join("; ")
        };
        (Level::Degraded, r)
    } else if zone_specific_failures {
        (Level::Degraded, failing_text.clone())
    } else if outlier_minutes > 0 {
        let rule = if mixed {
            format!("{metrics_words}: not evidence against this zone alone")
        } else {
            format!(
                "{} of {} make it DEGRADED; {metrics_words}",
                p.outlier_minutes,
                recent.len()
            )
        };
        let mut r = format!(
            "outlier {outlier_minutes} of {} min{since}, watching ({rule}): {signals_text}",
            recent.len()
        );
        if failing > 0 {
            r.push_str(&format!("; {failing_text}"));
        }
        (Level::Watching, r)
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
    } else if region_wide && !mixed {
        (
            Level::Ok,
            format!("5xx up in every AZ {window_words}: a region-wide rise, not this zone"),
        )
    } else if serving == 0 && !has_metrics {
        (Level::Unknown, "no targets and no metrics yet".to_string())
    } else if a.checked > 0 && (mixed || !has_metrics) {
        let not_used = if mixed {
            format!("; {metrics_words}, not used")
        } else {
            String::new()
        };
        (
            Level::Ok,
            format!(
                "all {} pass health checks and {anomaly_ok_text}{not_used}",
                plural(serving, "target", "targets")
            ),
        )
    } else if !has_metrics {
        // Health checks alone cannot see a gray failure: do not call it OK.
        (
            Level::Unknown,
            format!(
                "all {} healthy, but no metrics: a gray failure cannot be ruled out",
                plural(serving, "target", "targets")
            ),
        )
    } else if mixed {
        (
            Level::Unknown,
            format!(
                "all {} pass health checks, but {metrics_words} and no anomaly detection: a gray failure cannot be ruled out",
                plural(serving, "target", "targets")
            ),
        )
    } else {
        (
            Level::Ok,
            format!("in line with sibling AZs {window_words} ({metrics_words})"),
        )
    };
    let reason = if a.zonal_shift > 0 {
        format!("zonal shift active (traffic moved away from this zone); {reason}")
    } else {
        reason
    };

    ZoneVerdict {
        zone_id: e.zone_id.clone(),
        level,
        reason,
        outlier_minutes,
        judged_minutes,
        minutes,
        first_outlier_slot,
        evidence_used,
    }
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
            cross_zone: CrossZone::Off,
            requests: vec![Some(1000.0); MINUTES],
            errors_5xx: vec![Some(2.0); MINUTES],
            response_time: vec![Some(0.12); MINUTES],
            connection_errors: vec![Some(0.0); MINUTES],
            ..Default::default()
        }
    }

    /// A zone with traffic and no 5xx at all (the zeros filled in, as CloudWatch
    /// leaves them out).
    fn clean_zone(id: &str, healthy: u32) -> ZoneEvidence {
        let mut z = zone(id, healthy);
        z.errors_5xx = vec![Some(0.0); MINUTES];
        z
    }

    fn anomalies(e: &mut ZoneEvidence, anomalous: u32, checked: u32) {
        e.anomaly.anomalous = anomalous;
        e.anomaly.checked = checked;
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
        assert_eq!(
            v[0].reason,
            "in line with sibling AZs over the last 5 min (per-AZ LB metrics, cross-zone off)"
        );
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
        assert!(
            v[1].reason.contains(
                "over the last 5 min (per-AZ LB metrics, cross-zone off; outlier in 3 of 5 min)"
            ),
            "{}",
            v[1].reason
        );
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
        assert_eq!(v[1].level, Level::Watching, "{:?}", v[1]);
        assert_eq!(v[1].outlier_minutes, 2);
        assert_eq!(v[1].first_outlier_slot, Some(12));
        assert!(
            v[1].reason.starts_with(
                "outlier 2 of 5 min, watching (3 of 5 make it DEGRADED; per-AZ LB metrics, cross-zone off): 5xx "
            ),
            "{}",
            v[1].reason
        );
        assert!(
            v[1].reason.ends_with("over the last 5 min"),
            "{}",
            v[1].reason
        );
        assert_eq!(v[0].level, Level::Ok);
    }

    #[test]
    fn watching_says_since_when_the_window_is_known() {
        use chrono::TimeZone;
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("time");
        let window = Window::ending_at(now, MINUTES);
        let mut zones = vec![zone("az1", 3), zone("az2", 3), zone("az3", 3)];
        for z in &mut zones {
            z.window = Some(window);
        }
        zones[1].errors_5xx[13] = Some(60.0);
        let v = verdicts(&zones);
        assert_eq!(v[1].level, Level::Watching, "{:?}", v[1]);
        // Slot 13 of a 15-minute window ending 03:12 is 03:10.
        assert!(
            v[1].reason
                .starts_with("outlier 1 of 5 min since 03:10 UTC, watching"),
            "{}",
            v[1].reason
        );
    }

    #[test]
    fn five_xx_alone_against_siblings_with_no_5xx_is_degraded() {
        // The classic gray failure: latency normal, the siblings throw no 5xx at all
        // (CloudWatch sends no datapoints; the summary fills them with 0).
        let mut sick = clean_zone("az2", 5);
        for slot in 10..15 {
            sick.errors_5xx[slot] = Some(48.0);
        }
        let v = verdicts(&[clean_zone("az1", 5), sick, clean_zone("az3", 5)]);
        assert_eq!(v[1].level, Level::Degraded, "{:?}", v[1]);
        assert!(
            v[1].reason.contains(
                "5xx 4.8% vs 0.0% in sibling AZs over the last 5 min (per-AZ LB metrics, cross-zone off"
            ),
            "{}",
            v[1].reason
        );
        assert!(!v[1].reason.contains("latency"), "{}", v[1].reason);
    }

    #[test]
    fn siblings_without_traffic_are_not_a_comparison() {
        // Siblings with no RequestCount (no traffic) and so no 5xx: nothing to compare.
        let mut sick = clean_zone("az2", 5);
        for slot in 10..15 {
            sick.errors_5xx[slot] = Some(48.0);
        }
        let mut idle = vec![clean_zone("az1", 5), clean_zone("az3", 5)];
        for z in &mut idle {
            z.requests = vec![None; MINUTES];
            z.errors_5xx = vec![None; MINUTES];
            z.response_time = vec![None; MINUTES];
            z.connection_errors = vec![None; MINUTES];
        }
        let v = verdicts(&[idle[0].clone(), sick, idle[1].clone()]);
        assert_eq!(v[1].outlier_minutes, 0, "{:?}", v[1]);
        assert_ne!(v[1].level, Level::Degraded);
        assert_eq!(v[0].outlier_minutes, 0);
    }

    #[test]
    fn cross_zone_on_metrics_alone_neither_condemn_nor_clear_a_zone() {
        let mut zones = vec![
            clean_zone("az1", 4),
            clean_zone("az2", 4),
            clean_zone("az3", 4),
        ];
        for z in &mut zones {
            z.cross_zone = CrossZone::On;
        }
        for slot in 10..15 {
            zones[1].errors_5xx[slot] = Some(60.0);
        }
        let v = verdicts(&zones);
        assert_eq!(v[1].level, Level::Watching, "{:?}", v[1]);
        assert!(v[1].reason.contains("cross-zone on"), "{}", v[1].reason);
        assert!(v[1].reason.contains("not evidence against this zone alone"));
        for quiet in [&v[0], &v[2]] {
            assert_eq!(quiet.level, Level::Unknown, "{quiet:?}");
            assert!(
                quiet.reason.contains("cannot be ruled out"),
                "{}",
                quiet.reason
            );
            assert!(quiet.reason.contains("cross-zone on"), "{}", quiet.reason);
        }
        assert!(
            v[0].evidence_used
                .iter()
                .any(|e| e.contains("not per-zone evidence")),
            "{:?}",
            v[0].evidence_used
        );
    }

    #[test]
    fn cross_zone_on_per_target_anomalies_decide() {
        let mut zones = vec![
            clean_zone("az1", 5),
            clean_zone("az2", 5),
            clean_zone("az3", 5),
        ];
        for z in &mut zones {
            z.cross_zone = CrossZone::On;
            anomalies(z, 0, 5);
        }
        anomalies(&mut zones[1], 3, 5);
        let v = verdicts(&zones);
        assert_eq!(v[1].level, Level::Degraded, "{:?}", v[1]);
        assert_eq!(
            v[1].reason,
            "gray failure: 3 of 5 targets anomalous vs 0 of 10 in sibling AZs (ALB anomaly detection); all 5 targets pass health checks"
        );
        assert_eq!(v[0].level, Level::Ok, "{:?}", v[0]);
        assert!(
            v[0].reason.contains("0 of 5 targets anomalous"),
            "{}",
            v[0].reason
        );
        assert!(
            v[0].reason.contains("cross-zone on, not used"),
            "{}",
            v[0].reason
        );
    }

    #[test]
    fn anomalies_count_the_same_with_cross_zone_off() {
        let mut zones = vec![
            clean_zone("az1", 5),
            clean_zone("az2", 5),
            clean_zone("az3", 5),
        ];
        for z in &mut zones {
            anomalies(z, 0, 5);
        }
        anomalies(&mut zones[2], 3, 5);
        for slot in 10..15 {
            zones[2].errors_5xx[slot] = Some(48.0);
        }
        let v = verdicts(&zones);
        assert_eq!(v[2].level, Level::Degraded, "{:?}", v[2]);
        assert!(
            v[2].reason.contains("5xx 4.8% vs 0.0% in sibling AZs over the last 5 min (per-AZ LB metrics, cross-zone off; outlier in 5 of 5 min); 3 of 5 targets anomalous"),
            "{}",
            v[2].reason
        );
    }

    #[test]
    fn one_anomalous_target_or_anomalies_everywhere_are_not_zonal() {
        let mut zones = vec![
            clean_zone("az1", 5),
            clean_zone("az2", 5),
            clean_zone("az3", 5),
        ];
        for z in &mut zones {
            anomalies(z, 3, 5);
        }
        anomalies(&mut zones[0], 1, 5);
        let v = verdicts(&zones);
        assert!(v.iter().all(|v| v.level == Level::Ok), "{v:?}");
    }

    #[test]
    fn nlb_resets_against_new_flows_make_an_outlier() {
        let nlb = |id: &str| ZoneEvidence {
            zone_id: id.into(),
            zone_state: "available".into(),
            counts: StateCounts {
                healthy: 3,
                ..Default::default()
            },
            cross_zone: CrossZone::Off,
            flows: vec![Some(800.0); MINUTES],
            resets: vec![Some(0.0); MINUTES],
            ..Default::default()
        };
        let mut sick = nlb("az2");
        for slot in 11..15 {
            sick.resets[slot] = Some(40.0);
        }
        let v = verdicts(&[nlb("az1"), sick, nlb("az3")]);
        assert_eq!(v[1].level, Level::Degraded, "{:?}", v[1]);
        assert!(
            v[1].reason.contains("TCP resets 4.0% vs 0.0% of new flows"),
            "{}",
            v[1].reason
        );
        assert_eq!(v[0].level, Level::Ok, "{:?}", v[0]);
        assert_eq!(v[1].judged_minutes, 5);
    }

    #[test]
    fn zonal_shift_is_said_first() {
        let mut z = clean_zone("az1", 3);
        z.anomaly.zonal_shift = 3;
        let v = verdicts(&[z, clean_zone("az2", 3)]);
        assert!(
            v[0].reason
                .starts_with("zonal shift active (traffic moved away from this zone); "),
            "{}",
            v[0].reason
        );
    }

    #[test]
    fn severity_orders_attention() {
        let mut l = [
            Level::Impaired,
            Level::Ok,
            Level::Watching,
            Level::Unknown,
            Level::Degraded,
        ];
        l.sort_by_key(|l| l.severity());
        assert_eq!(
            l,
            [
                Level::Ok,
                Level::Unknown,
                Level::Watching,
                Level::Degraded,
                Level::Impaired
            ]
        );
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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// One zone's minute: (requests, 5xx, response time), or no traffic at all.
        fn minute() -> impl Strategy<Value = Option<(f64, f64, f64)>> {
            proptest::option::weighted(
                0.85,
                (50.0..3000.0f64, 0.0..0.2f64, 0.02..2.0f64)
                    .prop_map(|(req, share, rt)| (req, (req * share).round(), rt)),
            )
        }

        prop_compose! {
            fn zones()(minutes in proptest::collection::vec(
                proptest::collection::vec(minute(), MINUTES), 2..5)
            ) -> Vec<ZoneEvidence> {
                minutes
                    .into_iter()
                    .enumerate()
                    .map(|(i, ms)| {
                        let mut z = zone(&format!("az{i}"), 3);
                        z.requests = ms.iter().map(|m| m.map(|m| m.0)).collect();
                        z.errors_5xx = ms.iter().map(|m| m.map(|m| m.1)).collect();
                        z.response_time = ms.iter().map(|m| m.map(|m| m.2)).collect();
                        z.connection_errors = ms.iter().map(|m| m.map(|_| 0.0)).collect();
                        z
                    })
                    .collect()
            }
        }

        proptest! {
            #[test]
            fn a_minute_without_traffic_is_never_an_outlier(zs in zones()) {
                let v = verdicts(&zs);
                for (z, verdict) in v.iter().enumerate() {
                    for (slot, signal) in &verdict.minutes {
                        if zs[z].requests[*slot].is_none() {
                            prop_assert!(!signal.any(), "zone {z} slot {slot}: {signal:?}");
                        }
                    }
                    prop_assert!(verdict.outlier_minutes <= VerdictParams::default().recent_minutes);
                }
            }

            #[test]
            fn zones_that_look_the_same_are_never_outliers(zs in zones(), n in 2usize..5) {
                let copies: Vec<ZoneEvidence> = (0..n)
                    .map(|i| ZoneEvidence { zone_id: format!("c{i}"), ..zs[0].clone() })
                    .collect();
                for v in verdicts(&copies) {
                    prop_assert_eq!(v.outlier_minutes, 0, "{:?}", v);
                    prop_assert!(v.level == Level::Ok || v.level == Level::Unknown, "{:?}", v);
                }
            }

            #[test]
            fn the_order_of_the_siblings_does_not_matter(zs in zones()) {
                let forward = verdicts(&zs);
                let mut reversed = zs.clone();
                reversed.reverse();
                let mut backward = verdicts(&reversed);
                backward.reverse();
                for (f, b) in forward.iter().zip(&backward) {
                    prop_assert_eq!(f.level, b.level);
                    prop_assert_eq!(f.outlier_minutes, b.outlier_minutes);
                }
            }

            /// At least 20 errors in a minute: 6 of 300 against 0 of 300 is not
            /// significant at p < 0.001, and must not be.
            #[test]
            fn five_xx_in_one_zone_against_zero_elsewhere_is_caught(
                req in 1000.0..3000.0f64,
                share in 0.02..0.2f64,
                siblings in 1usize..4,
            ) {
                let mut zs: Vec<ZoneEvidence> = (0..=siblings)
                    .map(|i| {
                        let mut z = clean_zone(&format!("az{i}"), 4);
                        z.requests = vec![Some(req); MINUTES];
                        z
                    })
                    .collect();
                for slot in MINUTES - 3..MINUTES {
                    zs[0].errors_5xx[slot] = Some((req * share).round());
                }
                let v = verdicts(&zs);
                prop_assert_eq!(v[0].level, Level::Degraded, "{:?}", v[0]);
                for other in &v[1..] {
                    prop_assert_eq!(other.level, Level::Ok, "{:?}", other);
                }
            }
        }
    }
}
