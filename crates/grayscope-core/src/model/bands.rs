//! Anomaly-detection bands: a metric beside the range CloudWatch's model expects, and
//! what the user reads off it (how far outside, since when, in which unit).
//!
//! Everything here is pure: the backend fills a [`BandChart`] (the metric and, when
//! CloudWatch has a model, its band, slot by slot), the pane asks this module which
//! minutes are out of band, how long the current excursion lasts, which period a time
//! range may use, and, when CloudWatch has no band yet, for a local estimate from the
//! metric's own history (never presented as CloudWatch's).

use chrono::{DateTime, Duration, Utc};

/// The per-AZ load-balancer metrics the pane offers first (the backend knows their
/// CloudWatch names and statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Target response time, average.
    LatencyAvg,
    /// Target response time, 99th percentile.
    LatencyP99,
    /// Target 5xx responses as a share of requests (a metric-math expression).
    Target5xxRate,
    /// Target 5xx responses per period.
    Target5xx,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::LatencyAvg,
        Preset::LatencyP99,
        Preset::Target5xxRate,
        Preset::Target5xx,
    ];

    /// In the user's words, short enough for a pane title.
    pub fn label(self) -> &'static str {
        match self {
            Preset::LatencyAvg => "latency avg",
            Preset::LatencyP99 => "latency p99",
            Preset::Target5xxRate => "target 5xx rate",
            Preset::Target5xx => "target 5xx count",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Preset::LatencyAvg | Preset::LatencyP99 => Unit::Seconds,
            Preset::Target5xxRate => Unit::Percent,
            Preset::Target5xx => Unit::Count,
        }
    }
}

/// How values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds, written in ms (or s from 10 s on).
    Seconds,
    /// A count per period.
    Count,
    /// A percentage (0-100).
    Percent,
    /// Whatever the metric measures (a typed-in metric: CloudWatch does not say).
    Plain,
}

impl Unit {
    /// `v` in this unit, in at most about 7 characters: `214 ms`, `1.2 s`, `37`, `4.1k`.
    pub fn format(self, v: f64) -> String {
        if !v.is_finite() {
            return "?".into();
        }
        match self {
            Unit::Seconds => {
                let ms = v * 1000.0;
                if ms.abs() >= 10_000.0 {
                    format!("{:.0} s", v)
                } else if ms.abs() >= 1000.0 {
                    format!("{:.1} s", v)
                } else if ms.abs() >= 10.0 {
                    format!("{ms:.0} ms")
                } else {
                    format!("{ms:.1} ms")
                }
            }
            Unit::Percent if v.abs() >= 10.0 => format!("{v:.0}%"),
            Unit::Percent => format!("{v:.1}%"),
            Unit::Count | Unit::Plain => plain(v),
        }
    }

    /// A range `lo-hi` with the unit once: `22-41 ms`.
    pub fn format_range(self, lo: f64, hi: f64) -> String {
        match self {
            Unit::Seconds if hi.abs() < 10.0 => {
                let a = self.format(lo);
                let b = self.format(hi);
                match (a.strip_suffix(" ms"), b.strip_suffix(" ms")) {
                    (Some(a), Some(_)) => format!("{a}-{b}"),
                    _ => format!("{a} - {b}"),
                }
            }
            Unit::Percent => {
                let a = self.format(lo);
                format!("{}-{}", a.trim_end_matches('%'), self.format(hi))
            }
            _ => format!("{}-{}", self.format(lo), self.format(hi)),
        }
    }
}

fn plain(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Any CloudWatch metric, as typed in the picker: `AWS/EC2 CPUUtilization
/// InstanceId=i-0abc Maximum`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomMetric {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    /// `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile `p99`.
    pub stat: String,
}

/// Statistics the picker accepts, besides percentiles (`p50`, `p99.9`).
pub const STATS: [&str; 5] = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"];

impl CustomMetric {
    /// Parses `NAMESPACE NAME [DIM=VALUE ...] [STAT]` (the statistic defaults to
    /// Average). The error says what is missing or wrong, for the picker's line.
    pub fn parse(text: &str) -> Result<CustomMetric, String> {
        let mut words = text.split_whitespace();
        let namespace = words
            .next()
            .ok_or("type a namespace, a metric name, dimensions and a statistic")?;
        let name = words
            .next()
            .ok_or("after the namespace, type the metric name")?;
        if namespace.contains('=') || name.contains('=') {
            return Err("the namespace and the metric name come before any DIM=VALUE".into());
        }
        let mut dimensions = Vec::new();
        let mut stat = None;
        for w in words {
            if let Some((k, v)) = w.split_once('=') {
                if k.is_empty() || v.is_empty() {
                    return Err(format!("dimension {w:?}: expected NAME=VALUE"));
                }
                if stat.is_some() {
                    return Err("the statistic comes last".into());
                }
                dimensions.push((k.to_string(), v.to_string()));
            } else if stat.is_none() {
                stat = Some(normalize_stat(w)?);
            } else {
                return Err(format!("unexpected {w:?} after the statistic"));
            }
        }
        if dimensions.len() > 30 {
            return Err("CloudWatch allows at most 30 dimensions".into());
        }
        Ok(CustomMetric {
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions,
            stat: stat.unwrap_or_else(|| "Average".to_string()),
        })
    }

    /// The metric as the picker shows it (and parses it back).
    pub fn text(&self) -> String {
        let mut s = format!("{} {}", self.namespace, self.name);
        for (k, v) in &self.dimensions {
            s.push_str(&format!(" {k}={v}"));
        }
        s.push(' ');
        s.push_str(&self.stat);
        s
    }
}

/// `avg` / `average` -> `Average`, `P99` -> `p99`; anything else is an error in words.
pub fn normalize_stat(w: &str) -> Result<String, String> {
    let lower = w.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "avg" | "average" => Some("Average"),
        "sum" => Some("Sum"),
        "min" | "minimum" => Some("Minimum"),
        "max" | "maximum" => Some("Maximum"),
        "samplecount" | "count" => Some("SampleCount"),
        _ => None,
    };
    if let Some(a) = alias {
        return Ok(a.to_string());
    }
    if let Some(p) = lower.strip_prefix('p')
        && let Ok(n) = p.parse::<f64>()
        && n > 0.0
        && n < 100.0
    {
        return Ok(format!("p{p}"));
    }
    Err(format!(
        "unknown statistic {w:?}: use {} or a percentile like p99",
        STATS.join(", ")
    ))
}

/// What is charted: a preset per-AZ load-balancer metric, or any metric typed in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BandMetric {
    Preset {
        preset: Preset,
        /// The `LoadBalancer` dimension (`app/<name>/<id>`).
        lb_dimension: String,
        lb_name: String,
        /// The zone name; `None`: the whole load balancer.
        zone: Option<String>,
    },
    Custom(CustomMetric),
}

impl BandMetric {
    pub fn unit(&self) -> Unit {
        match self {
            BandMetric::Preset { preset, .. } => preset.unit(),
            BandMetric::Custom(_) => Unit::Plain,
        }
    }

    /// Short: `us-east-1b latency avg`, `CPUUtilization Maximum`.
    pub fn label(&self) -> String {
        match self {
            BandMetric::Preset { preset, zone, .. } => match zone {
                Some(z) => format!("{z} {}", preset.label()),
                None => format!("all AZs {}", preset.label()),
            },
            BandMetric::Custom(c) => format!("{} {}", c.name, c.stat),
        }
    }
}

/// The time ranges `w` cycles through.
pub const RANGES_MINUTES: [i64; 5] = [60, 180, 720, 1440, 4320];

/// Words for a range: `1h`, `12h`, `3d`.
pub fn range_label(minutes: i64) -> String {
    if minutes % 1440 == 0 {
        format!("{}d", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// The finest period CloudWatch keeps for data that is `age` old: 1-minute data for
/// 15 days, 5-minute data for 63 days, 1-hour data beyond.
pub fn min_period_for_age(age: Duration) -> i64 {
    if age <= Duration::days(15) {
        60
    } else if age <= Duration::days(63) {
        300
    } else {
        3600
    }
}

/// Most datapoints one GetMetricData call returns (over all its queries).
pub const MAX_DATAPOINTS_PER_CALL: i64 = 100_800;

/// The period for charting `start..end` at `now` with `series` series in one call: valid
/// for the oldest point's age (a multiple of 60, at least 60), and coarse enough that
/// the call stays under [`MAX_DATAPOINTS_PER_CALL`].
pub fn period_for(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    series: i64,
) -> i64 {
    let mut p = min_period_for_age(now - start);
    let span = (end - start).num_seconds().max(60);
    let series = series.max(1);
    while span / p * series > MAX_DATAPOINTS_PER_CALL {
        p = match p {
            60 => 300,
            300 => 900,
            900 => 3600,
            other => other * 2,
        };
    }
    p
}

/// A query for one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BandQuery {
    pub metric: BandMetric,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_secs: i64,
    /// Band width in standard deviations (`ANOMALY_DETECTION_BAND(m, k)`).
    pub width: f64,
}

impl BandQuery {
    pub fn slots(&self) -> usize {
        ((self.end - self.start).num_seconds() / self.period_secs.max(1)).max(0) as usize
    }

    /// The slot a timestamp falls in, if inside.
    pub fn slot(&self, at: DateTime<Utc>) -> Option<usize> {
        let off = (at - self.start).num_seconds();
        if off < 0 {
            return None;
        }
        let i = (off / self.period_secs.max(1)) as usize;
        (i < self.slots()).then_some(i)
    }

    pub fn slot_time(&self, i: usize) -> DateTime<Utc> {
        self.start + Duration::seconds(self.period_secs * i as i64)
    }
}

/// How complete one result of the call was (CloudWatch's StatusCode, in our words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultStatus {
    Complete,
    /// More data exists than came back (the call was cut): the band may be incomplete.
    Partial,
    /// Not allowed to read it.
    Forbidden,
    /// CloudWatch failed on this result; try again.
    InternalError,
}

/// Where the band on the chart comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandSource {
    /// CloudWatch's anomaly-detection model.
    CloudWatch,
    /// Ours: the same minutes on previous days, median +/- k x MAD.
    LocalEstimate { days: usize },
    /// Neither (no model, and not enough history for an estimate).
    None,
}

/// One chart's data: the metric and its band, slot by slot (`None`: no datapoint).
#[derive(Debug, Clone, PartialEq)]
pub struct BandChart {
    pub query: BandQuery,
    pub values: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
    pub lower: Vec<Option<f64>>,
    pub source: BandSource,
    /// Per series (metric, band), what CloudWatch said about completeness.
    pub metric_status: ResultStatus,
    pub band_status: ResultStatus,
    /// Messages CloudWatch attached to the results (cleaned, one line each).
    pub messages: Vec<String>,
}

impl BandChart {
    /// An empty chart for `query` (every slot without data).
    pub fn empty(query: BandQuery) -> Self {
        let n = query.slots();
        Self {
            query,
            values: vec![None; n],
            upper: vec![None; n],
            lower: vec![None; n],
            source: BandSource::None,
            metric_status: ResultStatus::Complete,
            band_status: ResultStatus::Complete,
            messages: Vec::new(),
        }
    }

    /// Whether any slot has a band.
    pub fn has_band(&self) -> bool {
        self.upper
            .iter()
            .zip(&self.lower)
            .any(|(u, l)| u.is_some() && l.is_some())
    }

    /// Puts the band from CloudWatch's FIRST/LAST results; the two are ordered per slot
    /// (FIRST is usually the upper bound, but nothing promises it).
    pub fn put_band(&mut self, i: usize, a: f64, b: f64) {
        if i < self.upper.len() {
            self.upper[i] = Some(a.max(b));
            self.lower[i] = Some(a.min(b));
        }
    }

    /// Where each slot stands against the band.
    pub fn position(&self, i: usize) -> Position {
        position(self.values[i], self.lower[i], self.upper[i])
    }

    /// Every run of consecutive out-of-band slots (slots without data neither break nor
    /// extend a run; an in-band slot or a change of side ends it).
    pub fn out_runs(&self) -> Vec<Run> {
        out_runs(&self.values, &self.lower, &self.upper)
    }

    /// The latest value with the band at that slot and how long it has been out, in
    /// the chart's unit: "214 ms, band 22-41 ms, above for 23 min".
    pub fn now_line(&self) -> Option<NowLine> {
        let i = self.values.iter().rposition(Option::is_some)?;
        let value = self.values[i]?;
        let band = match (self.lower[i], self.upper[i]) {
            (Some(l), Some(u)) => Some((l, u)),
            _ => None,
        };
        let pos = self.position(i);
        let out_minutes = match pos {
            Position::Above | Position::Below => self
                .out_runs()
                .last()
                .filter(|r| r.end == i + 1)
                .map(|r| r.len as i64 * self.query.period_secs / 60),
            _ => None,
        };
        Some(NowLine {
            at: self.query.slot_time(i),
            value,
            band,
            position: pos,
            out_minutes,
        })
    }

    /// Datapoints with a value.
    pub fn points(&self) -> usize {
        self.values.iter().flatten().count()
    }
}

/// A slot against the band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Inside,
    Above,
    Below,
    /// A value but no band at this slot.
    NoBand,
    /// No datapoint.
    NoData,
}

pub fn position(v: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> Position {
    match (v, lo, hi) {
        (None, _, _) => Position::NoData,
        (Some(v), Some(l), Some(h)) => {
            if v > h {
                Position::Above
            } else if v < l {
                Position::Below
            } else {
                Position::Inside
            }
        }
        _ => Position::NoBand,
    }
}

/// A run of out-of-band slots: `start..end` (end exclusive, from the first to the
/// last out-of-band slot), `len` slots with data in it, all on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    pub len: usize,
    pub above: bool,
}

pub fn out_runs(values: &[Option<f64>], lower: &[Option<f64>], upper: &[Option<f64>]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Option<Run> = None;
    let n = values.len().min(lower.len()).min(upper.len());
    for i in 0..n {
        match position(values[i], lower[i], upper[i]) {
            Position::NoData => {}
            p @ (Position::Above | Position::Below) => {
                let above = p == Position::Above;
                match &mut open {
                    Some(r) if r.above == above => {
                        r.end = i + 1;
                        r.len += 1;
                    }
                    _ => {
                        if let Some(r) = open.take() {
                            runs.push(r);
                        }
                        open = Some(Run {
                            start: i,
                            end: i + 1,
                            len: 1,
                            above,
                        });
                    }
                }
            }
            Position::Inside | Position::NoBand => {
                if let Some(r) = open.take() {
                    runs.push(r);
                }
            }
        }
    }
    runs.extend(open);
    runs
}

/// The chart's last word: the latest value against its band.
#[derive(Debug, Clone, PartialEq)]
pub struct NowLine {
    pub at: DateTime<Utc>,
    pub value: f64,
    pub band: Option<(f64, f64)>,
    pub position: Position,
    /// How long the current excursion lasts, in minutes (when out of band now).
    pub out_minutes: Option<i64>,
}

impl NowLine {
    /// "214 ms, band 22-41 ms, above for 23 min" (or "..., inside band", "..., no band").
    pub fn text(&self, unit: Unit) -> String {
        let v = unit.format(self.value);
        match (self.band, self.position) {
            (Some((l, h)), pos) => {
                let band = unit.format_range(l, h);
                let tail = match (pos, self.out_minutes) {
                    (Position::Above, Some(m)) => format!("above for {}", minutes_words(m)),
                    (Position::Below, Some(m)) => format!("below for {}", minutes_words(m)),
                    (Position::Above, None) => "above".into(),
                    (Position::Below, None) => "below".into(),
                    _ => "inside".into(),
                };
                format!("{v}, band {band}, {tail}")
            }
            (None, _) => format!("{v}, no band"),
        }
    }
}

/// `23 min`, `2 h 5 min`, `1 d 3 h`.
pub fn minutes_words(m: i64) -> String {
    if m < 60 {
        format!("{m} min")
    } else if m < 1440 {
        if m % 60 == 0 {
            format!("{} h", m / 60)
        } else {
            format!("{} h {} min", m / 60, m % 60)
        }
    } else {
        format!("{} d {} h", m / 1440, (m % 1440) / 60)
    }
}

/// Days of history the local estimate looks back over.
pub const ESTIMATE_DAYS: usize = 7;
/// Slots on either side of the same time of day the local estimate also reads: seven
/// single minutes are too few to tell noise from a change.
pub const ESTIMATE_NEIGHBOURS: usize = 2;
/// Fewest earlier days with a value at a slot for the estimate to draw a band there.
pub const ESTIMATE_MIN_DAYS: usize = 3;

/// MAD scaled to estimate a standard deviation of normal data.
const MAD_TO_SIGMA: f64 = 1.4826;

/// The local estimate of a band when CloudWatch has none: for each slot of `query`,
/// the values at the same time (and `neighbours` slots either side) on each of the
/// previous [`ESTIMATE_DAYS`] days (`history`, slot-aligned, starting exactly
/// `ESTIMATE_DAYS` days before `query.start`, same period), median +/- `query.width`
/// x 1.4826 x MAD. A slot with values from fewer than [`ESTIMATE_MIN_DAYS`] earlier
/// days gets no band. Returns (lower, upper), and how many days contributed at most.
pub fn local_estimate(
    query: &BandQuery,
    history: &[Option<f64>],
    neighbours: usize,
) -> (Vec<Option<f64>>, Vec<Option<f64>>, usize) {
    let n = query.slots();
    let per_day = (86_400 / query.period_secs.max(1)) as usize;
    let mut lower = vec![None; n];
    let mut upper = vec![None; n];
    let mut most = 0;
    let mut samples = Vec::with_capacity(ESTIMATE_DAYS);
    for i in 0..n {
        samples.clear();
        let mut days = 0;
        for d in 1..=ESTIMATE_DAYS {
            // Slot i of the chart is slot (ESTIMATE_DAYS * per_day + i) of the history;
            // d days earlier is d * per_day before that.
            let h = (ESTIMATE_DAYS - d) * per_day + i;
            let before = samples.len();
            for k in h.saturating_sub(neighbours)..=h + neighbours {
                if let Some(Some(v)) = history.get(k)
                    && v.is_finite()
                {
                    samples.push(*v);
                }
            }
            if samples.len() > before {
                days += 1;
            }
        }
        most = most.max(days);
        if days < ESTIMATE_MIN_DAYS {
            continue;
        }
        let med = median(&mut samples);
        let mut dev: Vec<f64> = samples.iter().map(|v| (v - med).abs()).collect();
        let mad = median(&mut dev) * MAD_TO_SIGMA;
        // A flat history (MAD 0) would make every wiggle an anomaly: at least 5 % of
        // the median, or 1 unit for counts near zero.
        let spread = (query.width * mad).max(0.05 * med.abs());
        let spread = if spread == 0.0 { 1.0 } else { spread };
        lower[i] = Some(med - spread);
        upper[i] = Some(med + spread);
    }
    (lower, upper, most)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// What CloudWatch says about the model for a metric and statistic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectorState {
    Trained,
    PendingTraining,
    /// Trained, but on too little data to be trusted yet.
    TrainedInsufficientData,
    /// No detector for this metric and statistic.
    NoModel,
    /// A state this version does not know (shown as CloudWatch spells it).
    Other(String),
}

impl DetectorState {
    pub fn words(&self) -> String {
        match self {
            DetectorState::Trained => "model trained".into(),
            DetectorState::PendingTraining => "model pending training (~15 min)".into(),
            DetectorState::TrainedInsufficientData => "model trained on too little data".into(),
            DetectorState::NoModel => "no model for this metric and statistic".into(),
            DetectorState::Other(s) => format!("model state {s}"),
        }
    }

    /// A word or two, for the small box.
    pub fn short(&self) -> String {
        match self {
            DetectorState::Trained => "trained".into(),
            DetectorState::PendingTraining => "training".into(),
            DetectorState::TrainedInsufficientData => "little data".into(),
            DetectorState::NoModel => "no model".into(),
            DetectorState::Other(s) => s.clone(),
        }
    }
}

/// Band widths `Up`/`Down` step through (standard deviations).
pub const WIDTHS: [f64; 6] = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0];

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
            .single()
            .expect("time")
    }

    fn query(minutes: i64) -> BandQuery {
        BandQuery {
            metric: BandMetric::Custom(CustomMetric::parse("AWS/EC2 CPUUtilization").expect("m")),
            start: t0(),
            end: t0() + Duration::minutes(minutes),
            period_secs: 60,
            width: 2.0,
        }
    }

    fn chart(values: &[Option<f64>], band: Option<(f64, f64)>) -> BandChart {
        let mut c = BandChart::empty(query(values.len() as i64));
        c.values = values.to_vec();
        if let Some((l, h)) = band {
            for i in 0..values.len() {
                c.put_band(i, h, l);
            }
            c.source = BandSource::CloudWatch;
        }
        c
    }

    #[test]
    fn runs_split_by_side_and_by_inside_but_not_by_gaps() {
        let c = chart(
            &[
                Some(5.0),
                Some(50.0),
                None,
                Some(60.0),
                Some(-3.0),
                Some(5.0),
                Some(70.0),
            ],
            Some((0.0, 10.0)),
        );
        let runs = c.out_runs();
        assert_eq!(
            runs,
            vec![
                Run {
                    start: 1,
                    end: 4,
                    len: 2,
                    above: true
                },
                Run {
                    start: 4,
                    end: 5,
                    len: 1,
                    above: false
                },
                Run {
                    start: 6,
                    end: 7,
                    len: 1,
                    above: true
                },
            ]
        );
    }

    #[test]
    fn now_line_says_value_band_and_how_long() {
        let mut values = vec![Some(0.030); 40];
        for v in values.iter_mut().skip(17) {
            *v = Some(0.214);
        }
        let c = chart(&values, Some((0.022, 0.041)));
        let now = c.now_line().expect("now");
        assert_eq!(now.position, Position::Above);
        assert_eq!(now.out_minutes, Some(23));
        assert_eq!(
            now.text(Unit::Seconds),
            "214 ms, band 22-41 ms, above for 23 min"
        );
        let inside = chart(&[Some(3.0)], Some((1.0, 7.0)))
            .now_line()
            .expect("now");
        assert_eq!(inside.text(Unit::Count), "3, band 1-7, inside");
        let none = chart(&[Some(3.0), None], None).now_line().expect("now");
        assert_eq!(none.text(Unit::Count), "3, no band");
        assert!(chart(&[None, None], None).now_line().is_none());
    }

    #[test]
    fn trailing_gap_does_not_hide_the_latest_value() {
        let c = chart(&[Some(20.0), Some(30.0), None], Some((0.0, 10.0)));
        let now = c.now_line().expect("now");
        assert_eq!(now.value, 30.0);
        assert_eq!(now.out_minutes, Some(2));
    }

    #[test]
    fn units_read_naturally() {
        assert_eq!(Unit::Seconds.format(0.214), "214 ms");
        assert_eq!(Unit::Seconds.format(0.0042), "4.2 ms");
        assert_eq!(Unit::Seconds.format(1.5), "1.5 s");
        assert_eq!(Unit::Seconds.format(42.0), "42 s");
        assert_eq!(Unit::Count.format(37.0), "37");
        assert_eq!(Unit::Count.format(41_234.0), "41.2k");
        assert_eq!(Unit::Plain.format(0.25), "0.25");
        assert_eq!(Unit::Plain.format(f64::NAN), "?");
        assert_eq!(Unit::Seconds.format_range(0.022, 0.041), "22-41 ms");
        assert_eq!(Unit::Seconds.format_range(0.5, 2.0), "500 ms - 2.0 s");
        assert_eq!(Unit::Percent.format(7.46), "7.5%");
        assert_eq!(Unit::Percent.format(42.0), "42%");
        assert_eq!(Unit::Percent.format_range(0.12, 0.41), "0.1-0.4%");
    }

    #[test]
    fn periods_follow_retention_and_the_datapoint_limit() {
        let now = t0();
        let h = |n| now - Duration::hours(n);
        assert_eq!(period_for(h(1), now, now, 3), 60);
        assert_eq!(period_for(h(72), now, now, 3), 60);
        assert_eq!(period_for(now - Duration::days(16), h(1), now, 1), 300);
        assert_eq!(period_for(now - Duration::days(70), h(1), now, 1), 3600);
        // 10 days at 1 minute x 12 series is over the per-call limit.
        let p = period_for(now - Duration::days(10), now, now, 12);
        assert!(p > 60 && p % 60 == 0, "{p}");
    }

    #[test]
    fn parses_typed_metrics_and_says_what_is_wrong() {
        let m = CustomMetric::parse("AWS/EC2 CPUUtilization InstanceId=i-0abc max").expect("ok");
        assert_eq!(m.namespace, "AWS/EC2");
        assert_eq!(m.name, "CPUUtilization");
        assert_eq!(m.dimensions, vec![("InstanceId".into(), "i-0abc".into())]);
        assert_eq!(m.stat, "Maximum");
        assert_eq!(CustomMetric::parse(&m.text()), Ok(m));
        assert_eq!(
            CustomMetric::parse("AWS/ApplicationELB TargetResponseTime p99").map(|m| m.stat),
            Ok("p99".to_string())
        );
        assert!(CustomMetric::parse("").is_err());
        assert!(
            CustomMetric::parse("AWS/EC2")
                .unwrap_err()
                .contains("metric name")
        );
        assert!(
            CustomMetric::parse("AWS/EC2 CPU median")
                .unwrap_err()
                .contains("unknown statistic")
        );
        assert!(
            CustomMetric::parse("AWS/EC2 CPU Sum X=1")
                .unwrap_err()
                .contains("last")
        );
        assert!(CustomMetric::parse("AWS/EC2 CPU X=").is_err());
        assert!(normalize_stat("p100").is_err());
    }

    #[test]
    fn local_estimate_uses_the_same_minutes_on_earlier_days() {
        let q = query(3);
        let per_day = 1440;
        let mut history = vec![None; ESTIMATE_DAYS * per_day + 3];
        for d in 1..=ESTIMATE_DAYS {
            let base = (ESTIMATE_DAYS - d) * per_day;
            history[base] = Some(10.0 + d as f64); // 11..17, median 14
            history[base + 1] = Some(100.0);
        }
        // Slot 2 has only two earlier days: no band there.
        history[(ESTIMATE_DAYS - 1) * per_day + 2] = Some(1.0);
        history[(ESTIMATE_DAYS - 2) * per_day + 2] = Some(1.0);
        let (lo, hi, days) = local_estimate(&q, &history, 0);
        assert_eq!(days, ESTIMATE_DAYS);
        let (l0, h0) = (lo[0].expect("lo"), hi[0].expect("hi"));
        assert!((l0 + h0) / 2.0 - 14.0 < 1e-9);
        // MAD of 11..17 around 14 is 2; x1.4826 x k=2.
        assert!((h0 - 14.0 - 2.0 * 2.0 * MAD_TO_SIGMA).abs() < 1e-9, "{h0}");
        // A flat history still gets a band 5 % wide.
        assert_eq!((lo[1], hi[1]), (Some(95.0), Some(105.0)));
        assert_eq!((lo[2], hi[2]), (None, None));
    }

    #[test]
    fn neighbours_steady_a_noisy_estimate() {
        let q = query(1);
        let per_day = 1440;
        let mut history = vec![None; ESTIMATE_DAYS * per_day + 1];
        for d in 1..=ESTIMATE_DAYS {
            let h = (ESTIMATE_DAYS - d) * per_day;
            for (k, slot) in history
                .iter_mut()
                .enumerate()
                .take(h + 3)
                .skip(h.saturating_sub(2))
            {
                *slot = Some(100.0 + (k % 5) as f64 * 10.0);
            }
        }
        let (lo, hi, days) = local_estimate(&q, &history, 2);
        assert_eq!(days, ESTIMATE_DAYS);
        let (l, h) = (lo[0].expect("lo"), hi[0].expect("hi"));
        // Every sample read lies inside.
        assert!(l < 100.0 && h > 140.0, "{l}..{h}");
    }

    #[test]
    fn detector_states_in_words() {
        assert!(DetectorState::NoModel.words().contains("no model"));
        assert!(DetectorState::PendingTraining.words().contains("15 min"));
        assert_eq!(range_label(60), "1h");
        assert_eq!(range_label(4320), "3d");
        assert_eq!(minutes_words(125), "2 h 5 min");
    }

    proptest! {
        #[test]
        fn runs_cover_exactly_the_out_of_band_slots(
            values in proptest::collection::vec(proptest::option::of(-50.0f64..50.0), 0..200),
            lo in -20.0f64..0.0,
            hi in 0.0f64..20.0,
        ) {
            let n = values.len();
            let lower = vec![Some(lo); n];
            let upper = vec![Some(hi); n];
            let runs = out_runs(&values, &lower, &upper);
            let mut marked = vec![false; n];
            let mut prev_end = 0;
            for r in &runs {
                prop_assert!(r.start >= prev_end && r.start < r.end && r.end <= n);
                prop_assert!(r.len >= 1 && r.len <= r.end - r.start);
                prev_end = r.end;
                let mut count = 0;
                for i in r.start..r.end {
                    match position(values[i], lower[i], upper[i]) {
                        Position::Above => { prop_assert!(r.above); marked[i] = true; count += 1; }
                        Position::Below => { prop_assert!(!r.above); marked[i] = true; count += 1; }
                        Position::NoData => {}
                        other => prop_assert!(false, "{other:?} inside a run"),
                    }
                }
                prop_assert_eq!(count, r.len);
            }
            for i in 0..n {
                let out = matches!(position(values[i], lower[i], upper[i]), Position::Above | Position::Below);
                prop_assert_eq!(out, marked[i]);
            }
        }

        #[test]
        fn periods_are_valid(start_h in 0i64..3000, span_h in 1i64..500, series in 1i64..20) {
            let now = t0();
            let end = now - Duration::hours(start_h);
            let start = end - Duration::hours(span_h);
            let p = period_for(start, end, now, series);
            prop_assert!(p >= 60 && p % 60 == 0);
            prop_assert!(p >= min_period_for_age(now - start));
            prop_assert!((end - start).num_seconds() / p * series <= MAX_DATAPOINTS_PER_CALL);
        }

        #[test]
        fn estimate_band_contains_its_median_and_is_ordered(
            hist in proptest::collection::vec(proptest::option::of(0.0f64..1000.0), ESTIMATE_DAYS * 24 + 5),
            width in 0.5f64..4.0,
        ) {
            let mut q = query(5 * 60);
            q.period_secs = 3600;
            q.end = q.start + Duration::hours(5);
            q.width = width;
            let (lo, hi, _) = local_estimate(&q, &hist, 1);
            for (l, h) in lo.iter().zip(&hi) {
                prop_assert_eq!(l.is_some(), h.is_some());
                if let (Some(l), Some(h)) = (l, h) {
                    prop_assert!(l < h);
                }
            }
        }
    }
}
