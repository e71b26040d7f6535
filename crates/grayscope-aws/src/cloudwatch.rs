//! CloudWatch: per-AZ load-balancer metrics in one GetMetricData call (plus its pages).
//!
//! The CloudWatch names of the model's [`ZoneMetric`]s live here: namespaces, metric
//! names and statistics, for ALBs (`AWS/ApplicationELB`) and NLBs (`AWS/NetworkELB`).

use super::paging::all_pages;
use super::{AwsBackend, Ctx};
use super::{chrono_time, smithy_time};
use crate::backend::BackendError;
use crate::backend::Metrics;
use crate::model::metrics::{MetricIssue, Window, ZoneMetric, ZoneMetrics};
use crate::model::text::{clean, ellipsize};
use crate::model::zones::LoadBalancer;
use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy, StatusCode,
};

const SERVICE: &str = "monitoring";
const OP: &str = "GetMetricData";
/// One-minute buckets.
const PERIOD_SECONDS: i32 = 60;

// The names are CloudWatch's, and the demo writes them too: they live in the model.
pub use crate::model::metrics::{metric_name, namespace, statistic};

/// The query ID for one metric in the zone at `zone_index` of the load balancer's
/// zones: `<code>_<index>`, e.g. `t5xx_2` (starts lowercase, only `[a-z0-9_]`).
pub(crate) fn query_id(metric: ZoneMetric, zone_index: usize) -> String {
    format!("{}_{zone_index}", metric.code())
}

/// The inverse of [`query_id`].
pub(crate) fn parse_query_id(id: &str) -> Option<(ZoneMetric, usize)> {
    let (code, index) = id.rsplit_once('_')?;
    Some((ZoneMetric::from_code(code)?, index.parse().ok()?))
}

/// One query per zone x [`ZoneMetric`], dimensions `LoadBalancer` and `AvailabilityZone`.
fn queries(lb: &LoadBalancer, dimension: &str) -> Vec<MetricDataQuery> {
    let namespace = namespace(lb.kind);
    lb.zone_names
        .iter()
        .enumerate()
        .flat_map(|(i, zone)| {
            ZoneMetric::for_kind(lb.kind).iter().map(move |&metric| {
                let m = Metric::builder()
                    .namespace(namespace)
                    .metric_name(metric_name(metric))
                    .dimensions(
                        Dimension::builder()
                            .name("LoadBalancer")
                            .value(dimension)
                            .build(),
                    )
                    .dimensions(
                        Dimension::builder()
                            .name("AvailabilityZone")
                            .value(zone)
                            .build(),
                    )
                    .build();
                MetricDataQuery::builder()
                    .id(query_id(metric, i))
                    .metric_stat(
                        MetricStat::builder()
                            .metric(m)
                            .period(PERIOD_SECONDS)
                            .stat(statistic(metric))
                            .build(),
                    )
                    .return_data(true)
                    .build()
            })
        })
        .collect()
}

/// GetMetricData for every zone of `lb` over `window`, pages merged. Every zone of the
/// load balancer is in the answer, with or without data. A result that CloudWatch marks
/// Forbidden or InternalError, or that carries messages, becomes a [`MetricIssue`]; the
/// other results are kept. Only a failure of the call itself is an error.
#[async_trait]
impl Metrics for AwsBackend {
    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError> {
        let ctx = self.ctx().await;
        zone_metrics(&ctx, lb, window).await
    }
}

pub(crate) async fn zone_metrics(
    ctx: &Ctx<'_>,
    lb: &LoadBalancer,
    window: Window,
) -> Result<ZoneMetrics, BackendError> {
    let mut metrics = ZoneMetrics::empty(window);
    for zone in &lb.zone_names {
        metrics.ensure_zone(zone);
    }
    if lb.zone_names.is_empty() || window.minutes == 0 {
        return Ok(metrics);
    }
    let Some(dimension) = lb.metric_dimension() else {
        return Err(BackendError::Other(format!(
            "{OP}: cannot tell the CloudWatch dimension of load balancer {}",
            ellipsize(&clean(&lb.arn), 120)
        )));
    };

    let queries = queries(lb, dimension);
    ctx.pace
        .cloudwatch
        .run(|| async {
            let mut metrics = metrics.clone();
            let request = ctx.clients.cloudwatch.get_metric_data();
            let request = request
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(smithy_time(window.start))
                .end_time(smithy_time(window.end()))
                .scan_by(ScanBy::TimestampAscending);
            let pages = request.into_paginator().send();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                for message in page.messages() {
                    tracing::debug!(code = ?message.code(), value = ?message.value(), "GetMetricData message");
                }
                for result in page.metric_data_results() {
                    merge_result(&mut metrics, lb, result);
                }
            })
            .await?;
            Ok(metrics)
        })
        .await
}

/// Puts one result's datapoints into `metrics` and records what went wrong with it.
fn merge_result(metrics: &mut ZoneMetrics, lb: &LoadBalancer, result: &MetricDataResult) {
    let Some((metric, zone)) = result
        .id()
        .and_then(parse_query_id)
        .and_then(|(metric, i)| Some((metric, lb.zone_names.get(i)?)))
    else {
        tracing::debug!(id = ?result.id(), "GetMetricData result for a query not asked for");
        return;
    };
    for (at, value) in result.timestamps().iter().zip(result.values()) {
        if let Some(at) = chrono_time(at) {
            metrics.put(zone, metric, at, *value);
        }
    }
    let mut issue = |status: String| {
        let issue = MetricIssue {
            zone_name: zone.clone(),
            metric,
            status,
        };
        if !metrics.issues.contains(&issue) {
            metrics.issues.push(issue);
        }
    };
    match result.status_code() {
        Some(code @ (StatusCode::Forbidden | StatusCode::InternalError)) => {
            issue(code.as_str().to_string())
        }
        Some(StatusCode::Complete | StatusCode::PartialData) | None => {}
        Some(other) => issue(other.as_str().to_string()),
    }
    for m in result.messages() {
        let text = m.value().or(m.code()).unwrap_or("message without text");
        issue(ellipsize(&clean(text), 120));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::zones::LbKind;

    #[test]
    fn query_ids_round_trip_and_are_valid() {
        for metric in ZoneMetric::ALL {
            for i in [0, 7, 12] {
                let id = query_id(metric, i);
                assert!(id.starts_with(|c: char| c.is_ascii_lowercase()), "{id}");
                assert!(
                    id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{id}"
                );
                assert_eq!(parse_query_id(&id), Some((metric, i)));
            }
        }
        assert_eq!(parse_query_id("nope_1"), None);
        assert_eq!(parse_query_id("req_x"), None);
    }

    #[test]
    fn one_query_per_zone_and_metric() {
        let lb = LoadBalancer {
            arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/edge/abc"
                .into(),
            name: "edge".into(),
            kind: LbKind::Network,
            scheme: "internal".into(),
            state: "active".into(),
            vpc_id: None,
            zone_names: vec!["us-east-1a".into(), "us-east-1b".into()],
        };
        let q = queries(&lb, "net/edge/abc");
        assert_eq!(q.len(), 2 * ZoneMetric::NETWORK.len());
        let stat = q[ZoneMetric::NETWORK.len()].metric_stat().expect("stat");
        let metric = stat.metric().expect("metric");
        assert_eq!(metric.namespace(), Some("AWS/NetworkELB"));
        assert_eq!(metric.metric_name(), Some("NewFlowCount"));
        // An NLB is asked for its flows and resets, not for ALB metrics.
        let names: Vec<&str> = q
            .iter()
            .take(ZoneMetric::NETWORK.len())
            .filter_map(|q| q.metric_stat()?.metric()?.metric_name())
            .collect();
        assert_eq!(
            names,
            [
                "NewFlowCount",
                "TCP_Target_Reset_Count",
                "TCP_ELB_Reset_Count"
            ]
        );
        assert!(
            q.iter()
                .all(|q| q.metric_stat().and_then(|s| s.stat()) == Some("Sum"))
        );
        let dims: Vec<(&str, &str)> = metric
            .dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
            .collect();
        assert_eq!(
            dims,
            [
                ("LoadBalancer", "net/edge/abc"),
                ("AvailabilityZone", "us-east-1b")
            ]
        );
        assert_eq!(stat.period(), Some(60));
    }
}
