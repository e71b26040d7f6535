//! CloudWatch anomaly-detection bands: one GetMetricData call with the metric and
//! `FIRST`/`LAST` of `ANOMALY_DETECTION_BAND(m, k)` (the two bounds as separate
//! queries, so they cannot be confused), DescribeAnomalyDetectors for the model's state,
//! Put/DeleteAnomalyDetector for the detectors grayscope creates (the pane asks first),
//! and ListMetrics for the metric picker. The per-AZ preset metrics' CloudWatch names
//! and statistics live here.

use super::paging::{all_pages, one_call, pages_while};
use super::{AwsBackend, Ctx};
use super::{chrono_time, smithy_time};
use crate::backend::bands::Bands;
use crate::backend::{BackendError, Partial};
use crate::model::bands::{
    BandChart, BandMetric, BandQuery, BandSource, CustomMetric, DetectorState, Preset, ResultStatus,
};
use crate::model::text::{clean, ellipsize};
use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{
    AnomalyDetectorStateValue, AnomalyDetectorType, Dimension, Metric, MetricDataQuery,
    MetricDataResult, MetricMathAnomalyDetector, MetricStat, RecentlyActive, ScanBy,
    SingleMetricAnomalyDetector, StatusCode,
};
use chrono::Duration;

const SERVICE: &str = "monitoring";
const GET: &str = "GetMetricData";
const DESCRIBE: &str = "DescribeAnomalyDetectors";
const PUT: &str = "PutAnomalyDetector";
const DELETE: &str = "DeleteAnomalyDetector";
const LIST: &str = "ListMetrics";

/// Query IDs: the metric, and the band's two bounds.
const ID_METRIC: &str = "m";
const ID_FIRST: &str = "band_first";
const ID_LAST: &str = "band_last";

/// CloudWatch's name, namespace, dimensions and statistic for a charted metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    pub stat: String,
}

/// What a chart reads: one metric, or the 5xx rate as metric math over two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Single(Resolved),
    /// `100 * FILL(errors, 0) / requests`: ELB publishes no 5xx count for a minute
    /// without errors, and without FILL such a minute would have no rate at all.
    Rate {
        errors: Resolved,
        requests: Resolved,
    },
}

const ID_ERRORS: &str = "errors";
const ID_REQUESTS: &str = "requests";
/// The rate's expression over [`ID_ERRORS`] and [`ID_REQUESTS`].
pub(crate) const RATE_EXPRESSION: &str = "100 * FILL(errors, 0) / requests";
/// Period of the metrics inside a metric-math detector.
const DETECTOR_PERIOD: i32 = 60;

fn lb_metric(lb_dimension: &str, zone: &Option<String>, name: &str, stat: &str) -> Resolved {
    let mut dimensions = vec![("LoadBalancer".to_string(), lb_dimension.to_string())];
    if let Some(z) = zone {
        dimensions.push(("AvailabilityZone".to_string(), z.clone()));
    }
    Resolved {
        namespace: "AWS/ApplicationELB".into(),
        name: name.into(),
        dimensions,
        stat: stat.into(),
    }
}

pub(crate) fn resolve(metric: &BandMetric) -> Source {
    match metric {
        BandMetric::Preset {
            preset,
            lb_dimension,
            zone,
            ..
        } => {
            let one = |name: &str, stat: &str| lb_metric(lb_dimension, zone, name, stat);
            match preset {
                Preset::LatencyAvg => Source::Single(one("TargetResponseTime", "Average")),
                Preset::LatencyP99 => Source::Single(one("TargetResponseTime", "p99")),
                Preset::Target5xx => Source::Single(one("HTTPCode_Target_5XX_Count", "Sum")),
                Preset::Target5xxRate => Source::Rate {
                    errors: one("HTTPCode_Target_5XX_Count", "Sum"),
                    requests: one("RequestCount", "Sum"),
                },
            }
        }
        BandMetric::Custom(c) => Source::Single(Resolved {
            namespace: c.namespace.clone(),
            name: c.name.clone(),
            dimensions: c.dimensions.clone(),
            stat: c.stat.clone(),
        }),
    }
}

fn dimensions(r: &Resolved) -> Vec<Dimension> {
    r.dimensions
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect()
}

fn sdk_metric(r: &Resolved) -> Metric {
    Metric::builder()
        .namespace(&r.namespace)
        .metric_name(&r.name)
        .set_dimensions(Some(dimensions(r)))
        .build()
}

fn stat_query(id: &str, r: &Resolved, period: i64, return_data: bool) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(sdk_metric(r))
                .period(period as i32)
                .stat(&r.stat)
                .build(),
        )
        .return_data(return_data)
        .build()
}

/// The queries that make the charted series, whose ID is [`ID_METRIC`] (the only one
/// returned).
pub(crate) fn metric_queries(src: &Source, period: i64) -> Vec<MetricDataQuery> {
    match src {
        Source::Single(r) => vec![stat_query(ID_METRIC, r, period, true)],
        Source::Rate { errors, requests } => vec![
            stat_query(ID_ERRORS, errors, period, false),
            stat_query(ID_REQUESTS, requests, period, false),
            MetricDataQuery::builder()
                .id(ID_METRIC)
                .expression(RATE_EXPRESSION)
                .label("target 5xx rate")
                .period(period as i32)
                .return_data(true)
                .build(),
        ],
    }
}

/// The queries of a band chart: the metric (and what it is computed from), FIRST and
/// LAST of its band.
pub(crate) fn band_queries(q: &BandQuery) -> Vec<MetricDataQuery> {
    let mut queries = metric_queries(&resolve(&q.metric), q.period_secs);
    let band = format!(
        "ANOMALY_DETECTION_BAND({ID_METRIC}, {})",
        width_text(q.width)
    );
    queries.extend([
        MetricDataQuery::builder()
            .id(ID_FIRST)
            .expression(format!("FIRST({band})"))
            .period(q.period_secs as i32)
            .return_data(true)
            .build(),
        MetricDataQuery::builder()
            .id(ID_LAST)
            .expression(format!("LAST({band})"))
            .period(q.period_secs as i32)
            .return_data(true)
            .build(),
    ]);
    queries
}

/// `2`, `2.5`: the band width as the expression takes it.
fn width_text(w: f64) -> String {
    if w.fract() == 0.0 {
        format!("{w:.0}")
    } else {
        format!("{w}")
    }
}

#[async_trait]
impl Bands for AwsBackend {
    async fn band_chart(&self, query: &BandQuery) -> Result<BandChart, BackendError> {
        let ctx = self.ctx().await;
        band_chart(&ctx, query).await
    }

    async fn history(
        &self,
        query: &BandQuery,
        days: usize,
    ) -> Result<Vec<Option<f64>>, BackendError> {
        let ctx = self.ctx().await;
        history(&ctx, query, days).await
    }

    async fn detector(&self, metric: &BandMetric) -> Result<DetectorState, BackendError> {
        let ctx = self.ctx().await;
        detector(&ctx, metric).await
    }

    async fn create_detector(&self, metric: &BandMetric) -> Result<(), BackendError> {
        let ctx = self.ctx().await;
        let (single, math) = detector_spec(metric);
        ctx.pace
            .cloudwatch
            .run(|| async {
                let call = ctx
                    .clients
                    .cloudwatch
                    .put_anomaly_detector()
                    .set_single_metric_anomaly_detector(single.clone())
                    .set_metric_math_anomaly_detector(math.clone())
                    .send();
                one_call(SERVICE, PUT, ctx.profile, call).await.map(|_| ())
            })
            .await
    }

    async fn delete_detector(&self, metric: &BandMetric) -> Result<(), BackendError> {
        let ctx = self.ctx().await;
        let (single, math) = detector_spec(metric);
        ctx.pace
            .cloudwatch
            .run(|| async {
                let call = ctx
                    .clients
                    .cloudwatch
                    .delete_anomaly_detector()
                    .set_single_metric_anomaly_detector(single.clone())
                    .set_metric_math_anomaly_detector(math.clone())
                    .send();
                one_call(SERVICE, DELETE, ctx.profile, call)
                    .await
                    .map(|_| ())
            })
            .await
    }

    async fn list_metrics(
        &self,
        namespace: &str,
        limit: usize,
    ) -> Result<Partial<Vec<CustomMetric>>, BackendError> {
        let ctx = self.ctx().await;
        list_metrics(&ctx, namespace, limit).await
    }
}

/// The detector for a metric: a single-metric one, or a metric-math one for the rate
/// (exactly one of the two is set).
pub(crate) fn detector_spec(
    metric: &BandMetric,
) -> (
    Option<SingleMetricAnomalyDetector>,
    Option<MetricMathAnomalyDetector>,
) {
    match resolve(metric) {
        Source::Single(r) => (
            Some(
                SingleMetricAnomalyDetector::builder()
                    .namespace(&r.namespace)
                    .metric_name(&r.name)
                    .set_dimensions(Some(dimensions(&r)))
                    .stat(&r.stat)
                    .build(),
            ),
            None,
        ),
        src @ Source::Rate { .. } => (
            None,
            Some(
                MetricMathAnomalyDetector::builder()
                    .set_metric_data_queries(Some(metric_queries(&src, DETECTOR_PERIOD as i64)))
                    .build(),
            ),
        ),
    }
}

pub(crate) async fn band_chart(ctx: &Ctx<'_>, q: &BandQuery) -> Result<BandChart, BackendError> {
    let queries = band_queries(q);
    ctx.pace
        .cloudwatch
        .run(|| async {
            let mut chart = BandChart::empty(q.clone());
            let mut first: Vec<Option<f64>> = vec![None; q.slots()];
            let mut last: Vec<Option<f64>> = vec![None; q.slots()];
            let (mut band_first, mut band_last) = (ResultStatus::Complete, ResultStatus::Complete);
            let request = ctx
                .clients
                .cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(smithy_time(q.start))
                .end_time(smithy_time(q.end))
                .scan_by(ScanBy::TimestampAscending);
            let pages = request.into_paginator().send();
            all_pages(SERVICE, GET, ctx.profile, pages, |page| {
                for m in page.messages() {
                    push_message(&mut chart.messages, m.code(), m.value());
                }
                for result in page.metric_data_results() {
                    let target = match result.id() {
                        Some(ID_METRIC) => &mut chart.values,
                        Some(ID_FIRST) => &mut first,
                        Some(ID_LAST) => &mut last,
                        other => {
                            tracing::debug!(id = ?other, "GetMetricData result not asked for");
                            continue;
                        }
                    };
                    put_points(q, target, result);
                    // A page cut by NextToken says PartialData; the later page that
                    // ends the series says how it ended. So the last status counts, and
                    // of the band's two bounds, the worse.
                    let status = status(result);
                    match result.id() {
                        Some(ID_METRIC) => chart.metric_status = status,
                        Some(ID_FIRST) => band_first = status,
                        _ => band_last = status,
                    }
                    for m in result.messages() {
                        push_message(&mut chart.messages, m.code(), m.value());
                    }
                }
            })
            .await?;
            chart.band_status = worse(band_first, band_last);
            for i in 0..q.slots() {
                if let (Some(a), Some(b)) = (first[i], last[i]) {
                    chart.put_band(i, a, b);
                }
            }
            if chart.has_band() {
                chart.source = BandSource::CloudWatch;
            }
            Ok(chart)
        })
        .await
}

pub(crate) async fn history(
    ctx: &Ctx<'_>,
    q: &BandQuery,
    days: usize,
) -> Result<Vec<Option<f64>>, BackendError> {
    let start = q.start - Duration::days(days as i64);
    let hq = BandQuery { start, ..q.clone() };
    let queries = metric_queries(&resolve(&q.metric), q.period_secs);
    ctx.pace
        .cloudwatch
        .run(|| async {
            let mut values = vec![None; hq.slots()];
            let request = ctx
                .clients
                .cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(smithy_time(hq.start))
                .end_time(smithy_time(hq.end))
                .scan_by(ScanBy::TimestampAscending);
            let pages = request.into_paginator().send();
            all_pages(SERVICE, GET, ctx.profile, pages, |page| {
                for result in page.metric_data_results() {
                    if result.id() == Some(ID_METRIC) {
                        put_points(&hq, &mut values, result);
                    }
                }
            })
            .await?;
            Ok(values)
        })
        .await
}

pub(crate) async fn detector(
    ctx: &Ctx<'_>,
    metric: &BandMetric,
) -> Result<DetectorState, BackendError> {
    let src = resolve(metric);
    let ours = match &src {
        Source::Rate { .. } => Some(query_keys(&metric_queries(&src, DETECTOR_PERIOD as i64))),
        Source::Single(_) => None,
    };
    ctx.pace
        .cloudwatch
        .run(|| async {
            let mut state = DetectorState::NoModel;
            let request = ctx.clients.cloudwatch.describe_anomaly_detectors();
            // The filters narrow single-metric detectors; metric-math ones are listed
            // by type and compared query by query.
            let request = match &src {
                Source::Single(r) => request
                    .namespace(&r.namespace)
                    .metric_name(&r.name)
                    .set_dimensions(Some(dimensions(r)))
                    .anomaly_detector_types(AnomalyDetectorType::SingleMetric),
                Source::Rate { .. } => {
                    request.anomaly_detector_types(AnomalyDetectorType::MetricMath)
                }
            };
            let pages = request.into_paginator().send();
            all_pages(SERVICE, DESCRIBE, ctx.profile, pages, |page| {
                for d in page.anomaly_detectors() {
                    let ours_too = match (&src, &ours) {
                        (Source::Single(r), _) => d
                            .single_metric_anomaly_detector()
                            .is_some_and(|s| same_metric(r, s)),
                        (Source::Rate { .. }, Some(keys)) => d
                            .metric_math_anomaly_detector()
                            .is_some_and(|m| query_keys(m.metric_data_queries()) == *keys),
                        _ => false,
                    };
                    if !ours_too {
                        continue;
                    }
                    state = match d.state_value() {
                        Some(AnomalyDetectorStateValue::Trained) => DetectorState::Trained,
                        Some(AnomalyDetectorStateValue::PendingTraining) => {
                            DetectorState::PendingTraining
                        }
                        Some(AnomalyDetectorStateValue::TrainedInsufficientData) => {
                            DetectorState::TrainedInsufficientData
                        }
                        Some(other) => DetectorState::Other(ellipsize(&clean(other.as_str()), 40)),
                        None => DetectorState::Other("unknown".into()),
                    };
                }
            })
            .await?;
            Ok(state)
        })
        .await
}

/// A metric-math detector's queries, comparable regardless of order: ID, expression,
/// and for a metric its namespace, name, dimensions (sorted) and statistic.
fn query_keys(queries: &[MetricDataQuery]) -> Vec<String> {
    let mut keys: Vec<String> = queries
        .iter()
        .map(|q| {
            let stat = q.metric_stat().map(|s| {
                let m = s.metric();
                let mut dims: Vec<String> = m
                    .map(|m| m.dimensions())
                    .unwrap_or_default()
                    .iter()
                    .map(|d| format!("{}={}", d.name().unwrap_or(""), d.value().unwrap_or("")))
                    .collect();
                dims.sort_unstable();
                format!(
                    "{} {} {} {}",
                    m.and_then(|m| m.namespace()).unwrap_or(""),
                    m.and_then(|m| m.metric_name()).unwrap_or(""),
                    dims.join(","),
                    s.stat().unwrap_or("")
                )
            });
            format!(
                "{}|{}|{}",
                q.id().unwrap_or(""),
                q.expression().unwrap_or("").replace(' ', ""),
                stat.unwrap_or_default()
            )
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// The filter matches any metric with these dimensions among others: keep the
/// detector whose metric, dimensions (as a set) and statistic are exactly ours.
fn same_metric(r: &Resolved, s: &SingleMetricAnomalyDetector) -> bool {
    let mut theirs: Vec<(&str, &str)> = s
        .dimensions()
        .iter()
        .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
        .collect();
    let mut ours: Vec<(&str, &str)> = r
        .dimensions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    theirs.sort_unstable();
    ours.sort_unstable();
    s.namespace() == Some(r.namespace.as_str())
        && s.metric_name() == Some(r.name.as_str())
        && s.stat() == Some(r.stat.as_str())
        && theirs == ours
}

pub(crate) async fn list_metrics(
    ctx: &Ctx<'_>,
    namespace: &str,
    limit: usize,
) -> Result<Partial<Vec<CustomMetric>>, BackendError> {
    ctx.pace
        .cloudwatch
        .run(|| async {
            let mut out: Partial<Vec<CustomMetric>> = Partial::default();
            let mut seen = std::collections::HashSet::new();
            let pages = ctx
                .clients
                .cloudwatch
                .list_metrics()
                .namespace(namespace)
                .recently_active(RecentlyActive::Pt3H)
                .into_paginator()
                .send();
            pages_while(SERVICE, LIST, ctx.profile, pages, |page| {
                for m in page.metrics() {
                    let metric = CustomMetric {
                        namespace: clean(m.namespace().unwrap_or(namespace)),
                        name: clean(m.metric_name().unwrap_or("")),
                        dimensions: m
                            .dimensions()
                            .iter()
                            .map(|d| {
                                (
                                    clean(d.name().unwrap_or("")),
                                    clean(d.value().unwrap_or("")),
                                )
                            })
                            .collect(),
                        stat: "Average".into(),
                    };
                    // Each metric once (moto lists one per datapoint).
                    if seen.insert(metric.clone()) {
                        out.data.push(metric);
                    }
                }
                out.data.len() < limit
            })
            .await?;
            if out.data.len() >= limit {
                out.data.truncate(limit);
                out.problems.push(BackendError::Other(format!(
                    "{LIST}: more than {limit} metrics in {}; type more of the name",
                    ellipsize(&clean(namespace), 60)
                )));
            }
            Ok(out)
        })
        .await
}

/// Puts a result's datapoints into their slots.
fn put_points(q: &BandQuery, target: &mut [Option<f64>], result: &MetricDataResult) {
    for (at, v) in result.timestamps().iter().zip(result.values()) {
        let Some(at) = chrono_time(at) else { continue };
        if let Some(i) = q.slot(at)
            && v.is_finite()
        {
            target[i] = Some(*v);
        }
    }
}

fn status(result: &MetricDataResult) -> ResultStatus {
    match result.status_code() {
        Some(StatusCode::PartialData) => ResultStatus::Partial,
        Some(StatusCode::Forbidden) => ResultStatus::Forbidden,
        Some(StatusCode::InternalError) => ResultStatus::InternalError,
        _ => ResultStatus::Complete,
    }
}

/// The worse of two statuses (Forbidden > InternalError > Partial > Complete).
fn worse(a: ResultStatus, b: ResultStatus) -> ResultStatus {
    let rank = |s: &ResultStatus| match s {
        ResultStatus::Complete => 0,
        ResultStatus::Partial => 1,
        ResultStatus::InternalError => 2,
        ResultStatus::Forbidden => 3,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

fn push_message(messages: &mut Vec<String>, code: Option<&str>, value: Option<&str>) {
    let text = match (code, value) {
        (Some(c), Some(v)) => format!("{c}: {v}"),
        (Some(t), None) | (None, Some(t)) => t.to_string(),
        (None, None) => return,
    };
    let text = ellipsize(&clean(&text), 160);
    if !messages.contains(&text) {
        messages.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn band_queries_name_the_metric_and_both_bounds() {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
            .single()
            .expect("t");
        let q = BandQuery {
            metric: BandMetric::Preset {
                preset: Preset::LatencyP99,
                lb_dimension: "app/shop/abc".into(),
                lb_name: "shop".into(),
                zone: Some("us-east-1b".into()),
            },
            start,
            end: start + Duration::hours(1),
            period_secs: 60,
            width: 2.5,
        };
        let qs = band_queries(&q);
        assert_eq!(qs.len(), 3);
        let stat = qs[0].metric_stat().expect("stat");
        assert_eq!(stat.stat(), Some("p99"));
        let dims: Vec<_> = stat
            .metric()
            .expect("metric")
            .dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
            .collect();
        assert_eq!(
            dims,
            [
                ("LoadBalancer", "app/shop/abc"),
                ("AvailabilityZone", "us-east-1b")
            ]
        );
        assert_eq!(
            qs[1].expression(),
            Some("FIRST(ANOMALY_DETECTION_BAND(m, 2.5))")
        );
        assert_eq!(
            qs[2].expression(),
            Some("LAST(ANOMALY_DETECTION_BAND(m, 2.5))")
        );
        for q in &qs {
            let id = q.id().expect("id");
            assert!(id.starts_with(|c: char| c.is_ascii_lowercase()), "{id}");
        }
        assert_eq!(width_text(2.0), "2");
    }
}
