//! `backend::aws::bands` against in-process SDK mocks (aws-smithy-mocks): the band
//! chart's one GetMetricData call (metric + FIRST/LAST of ANOMALY_DETECTION_BAND), its
//! pages and per-result statuses, errors, and the detector and ListMetrics calls.

mod support;

use aws_sdk_cloudwatch::operation::delete_anomaly_detector::DeleteAnomalyDetectorOutput;
use aws_sdk_cloudwatch::operation::describe_anomaly_detectors::DescribeAnomalyDetectorsOutput;
use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
use aws_sdk_cloudwatch::operation::list_metrics::ListMetricsOutput;
use aws_sdk_cloudwatch::operation::put_anomaly_detector::PutAnomalyDetectorOutput;
use aws_sdk_cloudwatch::types::{
    AnomalyDetector, AnomalyDetectorStateValue, AnomalyDetectorType, Dimension, MessageData,
    Metric, MetricDataResult, RecentlyActive, SingleMetricAnomalyDetector, StatusCode,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime as SmithyTime;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use chrono::{DateTime, Duration, TimeZone, Utc};
use grayscope::backend::BackendError;
use grayscope::backend::Identity;
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::bands::Bands;
use grayscope::model::bands::{
    BandMetric, BandQuery, BandSource, CustomMetric, DetectorState, Position, Preset, ResultStatus,
};
use std::sync::{Arc, Mutex};
use support::observe::Observe;

const CW: &str = "monitoring";

fn backend(cloudwatch: &[&Rule]) -> AwsBackend {
    // EC2 and ELBv2 are never called here: an unmatched call panics.
    let clients = AwsClients {
        ec2: mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[], |c| c
            .retry_config(RetryConfig::disabled())),
        elbv2: mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            &[],
            |c| c.retry_config(RetryConfig::disabled())
        ),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, cloudwatch, |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(Observe::new(CW))),
        health: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        health_failover: mock_client!(aws_sdk_health, RuleMode::MatchAny, &[]),
        logs: mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]),
        arc: mock_client!(aws_sdk_arczonalshift, RuleMode::MatchAny, &[]),
        athena: mock_client!(aws_sdk_athena, RuleMode::MatchAny, &[]),
    };
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: Some("sre".into()),
        },
    )
}

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("t")
        + Duration::minutes(m)
}

fn at(m: i64) -> SmithyTime {
    SmithyTime::from_secs(t(m).timestamp())
}

fn latency_p99() -> BandMetric {
    BandMetric::Preset {
        preset: Preset::LatencyP99,
        lb_dimension: "app/shop/50dc6c495c0c9188".into(),
        lb_name: "shop".into(),
        zone: Some("us-east-1b".into()),
    }
}

/// 03:00 .. 03:05, one-minute slots.
fn query(metric: BandMetric) -> BandQuery {
    BandQuery {
        metric,
        start: t(0),
        end: t(5),
        period_secs: 60,
        width: 2.0,
    }
}

fn result(id: &str, label: &str, points: &[(i64, f64)], status: StatusCode) -> MetricDataResult {
    let mut b = MetricDataResult::builder()
        .id(id)
        .label(label)
        .status_code(status);
    for (m, v) in points {
        b = b.timestamps(at(*m)).values(*v);
    }
    b.build()
}

#[tokio::test]
async fn one_call_maps_the_metric_and_both_bounds_whatever_their_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rule = {
        let seen = seen.clone();
        mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(move |r| {
            seen.lock().expect("lock").push(r.clone());
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "m",
                    "TargetResponseTime",
                    &[(0, 0.030), (1, 0.035), (3, 0.214), (4, 0.220)],
                    StatusCode::Complete,
                ))
                // FIRST is usually the upper bound; here it is the lower one at 03:01.
                .metric_data_results(result(
                    "band_first",
                    "TargetResponseTime Upper Bound",
                    &[(0, 0.041), (1, 0.022), (3, 0.041), (4, 0.041)],
                    StatusCode::Complete,
                ))
                .metric_data_results(result(
                    "band_last",
                    "TargetResponseTime Lower Bound",
                    &[(0, 0.022), (1, 0.041), (3, 0.022), (4, 0.022)],
                    StatusCode::Complete,
                ))
                .build()
        })
    };
    let chart = backend(&[&rule])
        .band_chart(&query(latency_p99()))
        .await
        .expect("chart");
    assert_eq!(chart.source, BandSource::CloudWatch);
    assert_eq!(
        chart.values,
        [Some(0.030), Some(0.035), None, Some(0.214), Some(0.220)]
    );
    assert_eq!(chart.upper[1], Some(0.041));
    assert_eq!(chart.lower[1], Some(0.022));
    assert_eq!(chart.position(0), Position::Inside);
    assert_eq!(chart.position(2), Position::NoData);
    assert_eq!(chart.position(4), Position::Above);
    assert_eq!(
        chart
            .now_line()
            .expect("now")
            .text(chart.query.metric.unit()),
        "220 ms, band 22-41 ms, above for 2 min"
    );
    assert_eq!(chart.metric_status, ResultStatus::Complete);

    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 1, "one call");
    let req = &seen[0];
    assert_eq!(req.start_time(), Some(&at(0)));
    assert_eq!(req.end_time(), Some(&at(5)));
    let qs = req.metric_data_queries();
    assert_eq!(qs.len(), 3);
    let stat = qs[0].metric_stat().expect("metric stat");
    assert_eq!(stat.stat(), Some("p99"));
    assert_eq!(stat.period(), Some(60));
    let metric = stat.metric().expect("metric");
    assert_eq!(metric.namespace(), Some("AWS/ApplicationELB"));
    assert_eq!(metric.metric_name(), Some("TargetResponseTime"));
    let exprs: Vec<_> = qs.iter().filter_map(|q| q.expression()).collect();
    assert_eq!(
        exprs,
        [
            "FIRST(ANOMALY_DETECTION_BAND(m, 2))",
            "LAST(ANOMALY_DETECTION_BAND(m, 2))"
        ]
    );
    assert!(qs.iter().all(|q| q.return_data() == Some(true)));
}

#[tokio::test]
async fn pages_merge_and_partial_data_counts_only_when_the_last_page_says_so() {
    let first = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "m",
                    "m",
                    &[(0, 5.0), (1, 6.0)],
                    StatusCode::PartialData,
                ))
                .metric_data_results(result(
                    "band_first",
                    "u",
                    &[(0, 9.0)],
                    StatusCode::PartialData,
                ))
                .metric_data_results(result(
                    "band_last",
                    "l",
                    &[(0, 1.0)],
                    StatusCode::PartialData,
                ))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("m", "m", &[(2, 7.0)], StatusCode::Complete))
                .metric_data_results(result("band_first", "u", &[(1, 9.0)], StatusCode::Complete))
                // The band ends cut short: the chart says the band may be incomplete.
                .metric_data_results(result(
                    "band_last",
                    "l",
                    &[(1, 1.0)],
                    StatusCode::PartialData,
                ))
                .build()
        });
    let chart = backend(&[&first, &second])
        .band_chart(&query(latency_p99()))
        .await
        .expect("chart");
    assert_eq!(chart.values[..3], [Some(5.0), Some(6.0), Some(7.0)]);
    assert_eq!(chart.upper[..3], [Some(9.0), Some(9.0), None]);
    assert_eq!(chart.metric_status, ResultStatus::Complete);
    assert_eq!(chart.band_status, ResultStatus::Partial);
}

#[tokio::test]
async fn no_band_from_cloudwatch_is_not_an_error() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result(
                "m",
                "m",
                &[(0, 1.0), (4, 2.0)],
                StatusCode::Complete,
            ))
            .metric_data_results(result("band_first", "u", &[], StatusCode::Complete))
            .metric_data_results(result("band_last", "l", &[], StatusCode::Complete))
            .build()
    });
    let chart = backend(&[&rule])
        .band_chart(&query(latency_p99()))
        .await
        .expect("chart");
    assert_eq!(chart.source, BandSource::None);
    assert!(!chart.has_band());
    assert_eq!(chart.points(), 2);
    assert_eq!(
        chart
            .now_line()
            .expect("now")
            .text(chart.query.metric.unit()),
        "2.0 s, no band"
    );
}

#[tokio::test]
async fn forbidden_band_and_messages_are_kept_per_chart() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("m", "m", &[(0, 1.0)], StatusCode::Complete))
            .metric_data_results(
                MetricDataResult::builder()
                    .id("band_first")
                    .status_code(StatusCode::Forbidden)
                    .messages(
                        MessageData::builder()
                            .code("Forbidden")
                            .value("not\x1b[2J allowed")
                            .build(),
                    )
                    .build(),
            )
            .metric_data_results(result("band_last", "l", &[], StatusCode::InternalError))
            .messages(
                MessageData::builder()
                    .code("MaxQueryTimeRangeExceed")
                    .build(),
            )
            .build()
    });
    let chart = backend(&[&rule])
        .band_chart(&query(latency_p99()))
        .await
        .expect("chart");
    assert_eq!(chart.band_status, ResultStatus::Forbidden);
    assert_eq!(chart.metric_status, ResultStatus::Complete);
    assert!(
        chart
            .messages
            .iter()
            .any(|m| m.starts_with("Forbidden: not"))
    );
    assert!(
        chart.messages.iter().all(|m| !m.contains('\x1b')),
        "{:?}",
        chart.messages
    );
    assert!(
        chart
            .messages
            .contains(&"MaxQueryTimeRangeExceed".to_string())
    );
}

#[tokio::test]
async fn access_denied_names_the_permission_and_throttling_is_retried() {
    let denied = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_error(|| {
        GetMetricDataError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User: arn:aws:sts::123456789012:assumed-role/sre/me is not authorized to perform: cloudwatch:GetMetricData")
                .build(),
        )
    });
    match backend(&[&denied]).band_chart(&query(latency_p99())).await {
        Err(BackendError::AccessDenied { operation, message }) => {
            assert_eq!(operation, "GetMetricData");
            assert!(message.contains("cloudwatch:GetMetricData"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // Throttled once, then answered: the pacer waits and tries again.
    let throttled_then_ok = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .sequence()
        .error(|| {
            GetMetricDataError::generic(
                ErrorMetadata::builder()
                    .code("Throttling")
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .times(1)
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("m", "m", &[(0, 1.0)], StatusCode::Complete))
                .build()
        })
        .build();
    let chart = backend(&[&throttled_then_ok])
        .band_chart(&query(latency_p99()))
        .await
        .expect("retried");
    assert_eq!(chart.points(), 1);
    assert_eq!(throttled_then_ok.num_calls(), 2);
}

fn detector(
    stat: &str,
    dims: &[(&str, &str)],
    state: AnomalyDetectorStateValue,
) -> AnomalyDetector {
    let mut s = SingleMetricAnomalyDetector::builder()
        .namespace("AWS/ApplicationELB")
        .metric_name("TargetResponseTime")
        .stat(stat);
    for (k, v) in dims {
        s = s.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    AnomalyDetector::builder()
        .single_metric_anomaly_detector(s.build())
        .state_value(state)
        .build()
}

#[tokio::test]
async fn detector_state_is_the_exact_metric_statistic_and_dimensions() {
    let zone = [
        ("AvailabilityZone", "us-east-1b"),
        ("LoadBalancer", "app/shop/50dc6c495c0c9188"),
    ];
    let lb_only = [("LoadBalancer", "app/shop/50dc6c495c0c9188")];
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rule = {
        let seen = seen.clone();
        mock!(aws_sdk_cloudwatch::Client::describe_anomaly_detectors).then_compute_output(
            move |r| {
                seen.lock().expect("lock").push(r.clone());
                DescribeAnomalyDetectorsOutput::builder()
                    // Same metric, another statistic; the whole LB; then ours.
                    .anomaly_detectors(detector(
                        "Average",
                        &zone,
                        AnomalyDetectorStateValue::Trained,
                    ))
                    .anomaly_detectors(detector(
                        "p99",
                        &lb_only,
                        AnomalyDetectorStateValue::Trained,
                    ))
                    .anomaly_detectors(detector(
                        "p99",
                        &zone,
                        AnomalyDetectorStateValue::TrainedInsufficientData,
                    ))
                    .build()
            },
        )
    };
    let b = backend(&[&rule]);
    assert_eq!(
        b.detector(&latency_p99()).await,
        Ok(DetectorState::TrainedInsufficientData)
    );
    let mut other_zone = latency_p99();
    if let BandMetric::Preset { zone, .. } = &mut other_zone {
        *zone = Some("us-east-1c".into());
    }
    assert_eq!(b.detector(&other_zone).await, Ok(DetectorState::NoModel));
    let seen = seen.lock().expect("lock");
    let req = &seen[0];
    assert_eq!(req.namespace(), Some("AWS/ApplicationELB"));
    assert_eq!(req.metric_name(), Some("TargetResponseTime"));
    assert_eq!(req.dimensions().len(), 2);
    assert_eq!(
        req.anomaly_detector_types(),
        [AnomalyDetectorType::SingleMetric]
    );
}

#[tokio::test]
async fn put_and_delete_name_the_same_single_metric_detector() {
    let put_seen = Arc::new(Mutex::new(None));
    let del_seen = Arc::new(Mutex::new(None));
    let put = {
        let s = put_seen.clone();
        mock!(aws_sdk_cloudwatch::Client::put_anomaly_detector).then_compute_output(move |r| {
            *s.lock().expect("lock") = r.single_metric_anomaly_detector().cloned();
            PutAnomalyDetectorOutput::builder().build()
        })
    };
    let del = {
        let s = del_seen.clone();
        mock!(aws_sdk_cloudwatch::Client::delete_anomaly_detector).then_compute_output(move |r| {
            *s.lock().expect("lock") = r.single_metric_anomaly_detector().cloned();
            DeleteAnomalyDetectorOutput::builder().build()
        })
    };
    let b = backend(&[&put, &del]);
    b.create_detector(&latency_p99()).await.expect("put");
    b.delete_detector(&latency_p99()).await.expect("delete");
    let put = put_seen.lock().expect("lock").clone().expect("put request");
    assert_eq!(put.namespace(), Some("AWS/ApplicationELB"));
    assert_eq!(put.metric_name(), Some("TargetResponseTime"));
    assert_eq!(put.stat(), Some("p99"));
    let dims: Vec<_> = put
        .dimensions()
        .iter()
        .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
        .collect();
    assert_eq!(
        dims,
        [
            ("LoadBalancer", "app/shop/50dc6c495c0c9188"),
            ("AvailabilityZone", "us-east-1b")
        ]
    );
    assert_eq!(del_seen.lock().expect("lock").clone(), Some(put));
}

#[tokio::test]
async fn list_metrics_follows_pages_cleans_names_and_stops_at_the_limit() {
    let metric = |name: &str, id: &str| {
        Metric::builder()
            .namespace("AWS/EC2")
            .metric_name(name)
            .dimensions(Dimension::builder().name("InstanceId").value(id).build())
            .build()
    };
    let first = mock!(aws_sdk_cloudwatch::Client::list_metrics)
        .match_requests(|r| {
            r.next_token().is_none()
                && r.namespace() == Some("AWS/EC2")
                && r.recently_active() == Some(&RecentlyActive::Pt3H)
        })
        .then_output(move || {
            ListMetricsOutput::builder()
                .metrics(metric("CPUUtilization", "i-1"))
                .metrics(metric("CPU\x1b]0;x\x07Utilization", "i-2"))
                .next_token("p2")
                .build()
        });
    let second = mock!(aws_sdk_cloudwatch::Client::list_metrics)
        .match_requests(|r| r.next_token() == Some("p2"))
        .then_output(move || {
            ListMetricsOutput::builder()
                .metrics(metric("NetworkIn", "i-1"))
                .next_token("p3")
                .build()
        });
    let all = backend(&[&first, &second])
        .list_metrics("AWS/EC2", 3)
        .await
        .expect("list");
    let names: Vec<_> = all.data.iter().map(|m| m.name.clone()).collect();
    assert_eq!(names.len(), 3);
    assert!(
        names.iter().all(|n| !n.chars().any(char::is_control)),
        "{names:?}"
    );
    assert_eq!(
        all.data[0],
        CustomMetric {
            namespace: "AWS/EC2".into(),
            name: "CPUUtilization".into(),
            dimensions: vec![("InstanceId".into(), "i-1".into())],
            stat: "Average".into(),
        }
    );
    // At the limit it stops (no third page asked for) and says so.
    assert_eq!(all.problems.len(), 1);
    assert!(all.problems[0].to_string().contains("more than 3"));
}

fn rate() -> BandMetric {
    BandMetric::Preset {
        preset: Preset::Target5xxRate,
        lb_dimension: "app/shop/50dc6c495c0c9188".into(),
        lb_name: "shop".into(),
        zone: Some("us-east-1b".into()),
    }
}

#[tokio::test]
async fn the_5xx_rate_is_metric_math_with_its_band_in_the_same_call() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rule = {
        let seen = seen.clone();
        mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(move |r| {
            seen.lock().expect("lock").push(r.clone());
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "m",
                    "5xx rate",
                    &[(0, 0.2), (4, 7.5)],
                    StatusCode::Complete,
                ))
                .metric_data_results(result(
                    "band_first",
                    "u",
                    &[(0, 0.4), (4, 0.4)],
                    StatusCode::Complete,
                ))
                .metric_data_results(result(
                    "band_last",
                    "l",
                    &[(0, 0.1), (4, 0.1)],
                    StatusCode::Complete,
                ))
                .build()
        })
    };
    let chart = backend(&[&rule])
        .band_chart(&query(rate()))
        .await
        .expect("chart");
    assert_eq!(
        chart
            .now_line()
            .expect("now")
            .text(chart.query.metric.unit()),
        "7.5%, band 0.1-0.4%, above for 1 min"
    );
    let seen = seen.lock().expect("lock");
    let qs = seen[0].metric_data_queries();
    let ids: Vec<_> = qs
        .iter()
        .map(|q| (q.id().unwrap_or(""), q.return_data()))
        .collect();
    assert_eq!(
        ids,
        [
            ("errors", Some(false)),
            ("requests", Some(false)),
            ("m", Some(true)),
            ("band_first", Some(true)),
            ("band_last", Some(true)),
        ]
    );
    assert_eq!(qs[2].expression(), Some("100 * FILL(errors, 0) / requests"));
    let names: Vec<_> = qs[..2]
        .iter()
        .map(|q| {
            let s = q.metric_stat().expect("stat");
            (
                s.metric().and_then(|m| m.metric_name()).unwrap_or(""),
                s.stat().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("HTTPCode_Target_5XX_Count", "Sum"),
            ("RequestCount", "Sum")
        ]
    );
}

#[tokio::test]
async fn the_rate_detector_is_a_metric_math_detector_matched_query_by_query() {
    let put_seen = Arc::new(Mutex::new(None));
    let put = {
        let s = put_seen.clone();
        mock!(aws_sdk_cloudwatch::Client::put_anomaly_detector).then_compute_output(move |r| {
            *s.lock().expect("lock") = Some(r.clone());
            PutAnomalyDetectorOutput::builder().build()
        })
    };
    let b = backend(&[&put]);
    b.create_detector(&rate()).await.expect("put");
    let req = put_seen.lock().expect("lock").clone().expect("put request");
    assert!(req.single_metric_anomaly_detector().is_none());
    let math = req
        .metric_math_anomaly_detector()
        .expect("metric math")
        .clone();
    assert_eq!(math.metric_data_queries().len(), 3);

    // The same queries in another order and spacing are ours; another zone's are not.
    let mut reordered = math.metric_data_queries().to_vec();
    reordered.reverse();
    let ours = aws_sdk_cloudwatch::types::MetricMathAnomalyDetector::builder()
        .set_metric_data_queries(Some(reordered))
        .build();
    let other_zone = {
        let mut qs = math.metric_data_queries().to_vec();
        qs[0] = aws_sdk_cloudwatch::types::MetricDataQuery::builder()
            .id("errors")
            .metric_stat(
                aws_sdk_cloudwatch::types::MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("AWS/ApplicationELB")
                            .metric_name("HTTPCode_Target_5XX_Count")
                            .dimensions(
                                Dimension::builder()
                                    .name("LoadBalancer")
                                    .value("app/shop/50dc6c495c0c9188")
                                    .build(),
                            )
                            .dimensions(
                                Dimension::builder()
                                    .name("AvailabilityZone")
                                    .value("us-east-1c")
                                    .build(),
                            )
                            .build(),
                    )
                    .period(60)
                    .stat("Sum")
                    .build(),
            )
            .return_data(false)
            .build();
        aws_sdk_cloudwatch::types::MetricMathAnomalyDetector::builder()
            .set_metric_data_queries(Some(qs))
            .build()
    };
    let describe = mock!(aws_sdk_cloudwatch::Client::describe_anomaly_detectors)
        .match_requests(|r| r.anomaly_detector_types() == [AnomalyDetectorType::MetricMath])
        .then_output(move || {
            DescribeAnomalyDetectorsOutput::builder()
                .anomaly_detectors(
                    AnomalyDetector::builder()
                        .metric_math_anomaly_detector(other_zone.clone())
                        .state_value(AnomalyDetectorStateValue::Trained)
                        .build(),
                )
                .anomaly_detectors(
                    AnomalyDetector::builder()
                        .metric_math_anomaly_detector(ours.clone())
                        .state_value(AnomalyDetectorStateValue::PendingTraining)
                        .build(),
                )
                .build()
        });
    assert_eq!(
        backend(&[&describe]).detector(&rate()).await,
        Ok(DetectorState::PendingTraining)
    );
}
