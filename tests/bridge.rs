//! Tests of the CBOR <-> JSON bridge (`tests/support/bridge.rs`) on its own.
//!
//! The `wire_*` tests drive the real SDK clients through the bridge to moto and need
//! `MOTO_ENDPOINT`: run them with `scripts/with-moto cargo test --test bridge`. The
//! other tests check the value conversion and request classification without moto.
//!
//! moto is shared by every test of the run (and tests run in parallel), so no test
//! resets it: each uses its own namespace / alarm names.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDatum,
    MetricStat, ScanBy, SingleMetricAnomalyDetector, StandardUnit, Statistic,
};
use ciborium::Value as Cbor;
use serde_json::json;
use support::bridge::{self, Bridge, Kind, Op};

// ---------------------------------------------------------------------------------------
// Helpers

fn cloudwatch(bridge: &Bridge) -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::new(&support::sdk_config(&bridge.url))
}

/// A namespace no other test (or earlier run against the same moto) uses.
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A whole minute ten minutes ago, in epoch seconds.
fn recent_minute() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    now - now % 60 - 600
}

fn op(service: &str, operation: &str, status: u16) -> Op {
    Op {
        service: service.to_string(),
        operation: operation.to_string(),
        status,
    }
}

fn az_dimension(az: &str) -> Dimension {
    Dimension::builder()
        .name("AvailabilityZone")
        .value(az)
        .build()
}

fn sum_query(
    id: &str,
    namespace: &str,
    metric: &str,
    dimensions: Vec<Dimension>,
) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(namespace)
                        .metric_name(metric)
                        .set_dimensions(Some(dimensions))
                        .build(),
                )
                .period(60)
                .stat("Sum")
                .build(),
        )
        .build()
}

fn encode(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("encode CBOR");
    out
}

fn get<'a>(map: &'a Cbor, key: &str) -> &'a Cbor {
    map.as_map()
        .and_then(|entries| {
            entries
                .iter()
                .find(|(k, _)| k.as_text() == Some(key))
                .map(|(_, v)| v)
        })
        .unwrap_or_else(|| panic!("no member {key} in {map:?}"))
}

// ---------------------------------------------------------------------------------------
// Through the real SDK, to moto

#[tokio::test]
async fn wire_put_then_get_metric_data_round_trips_values_and_timestamps() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);
    let namespace = unique("Grayscope/BridgeTest");
    let t0 = recent_minute();
    let points = [(t0, 1.5), (t0 + 60, 2.0), (t0 + 120, 4.25)];

    let mut put = cw.put_metric_data().namespace(&namespace);
    for (t, v) in points {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("HTTPCode_Target_5XX_Count")
                .dimensions(az_dimension("us-east-1a"))
                .timestamp(DateTime::from_secs(t))
                .value(v)
                .unit(StandardUnit::Count)
                .build(),
        );
    }
    put.send().await.expect("PutMetricData through the bridge");

    let out = cw
        .get_metric_data()
        .metric_data_queries(sum_query(
            "m1",
            &namespace,
            "HTTPCode_Target_5XX_Count",
            vec![az_dimension("us-east-1a")],
        ))
        .start_time(DateTime::from_secs(t0))
        .end_time(DateTime::from_secs(t0 + 180))
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .expect("GetMetricData through the bridge");

    let results = out.metric_data_results();
    assert_eq!(results.len(), 1, "{results:?}");
    let result = &results[0];
    assert_eq!(result.id(), Some("m1"));
    let mut got: Vec<(i64, f64)> = result
        .timestamps()
        .iter()
        .map(DateTime::secs)
        .zip(result.values().iter().copied())
        .collect();
    got.sort_by_key(|(t, _)| *t);
    assert_eq!(got, points.to_vec());
    assert!(result.timestamps().iter().all(|t| t.subsec_nanos() == 0));

    assert_eq!(
        bridge.operations(),
        vec![
            op("monitoring", "PutMetricData", 200),
            op("monitoring", "GetMetricData", 200),
        ]
    );
}

#[tokio::test]
async fn wire_get_metric_statistics_has_float_sample_counts() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);
    let namespace = unique("Grayscope/BridgeStats");
    let t0 = recent_minute();

    cw.put_metric_data()
        .namespace(&namespace)
        .metric_data(
            MetricDatum::builder()
                .metric_name("TargetResponseTime")
                .timestamp(DateTime::from_secs(t0))
                .values(0.25)
                .values(0.5)
                .counts(1.0)
                .counts(3.0)
                .build(),
        )
        .send()
        .await
        .expect("PutMetricData with Values/Counts");

    let out = cw
        .get_metric_statistics()
        .namespace(&namespace)
        .metric_name("TargetResponseTime")
        .start_time(DateTime::from_secs(t0 - 60))
        .end_time(DateTime::from_secs(t0 + 60))
        .period(60)
        .statistics(Statistic::Sum)
        .statistics(Statistic::SampleCount)
        .statistics(Statistic::Maximum)
        .send()
        .await
        .expect("GetMetricStatistics through the bridge");
    let points = out.datapoints();
    assert_eq!(points.len(), 1, "{points:?}");
    assert_eq!(points[0].sum(), Some(0.25 + 3.0 * 0.5));
    assert_eq!(points[0].sample_count(), Some(4.0));
    assert_eq!(points[0].maximum(), Some(0.5));
    assert_eq!(points[0].timestamp().map(DateTime::secs), Some(t0));
}

#[tokio::test]
async fn wire_large_put_metric_data_is_gzipped_and_still_arrives() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);
    let namespace = unique("Grayscope/BridgeGzip");
    let t0 = recent_minute();

    // Well over the SDK's 10 KiB request-compression threshold.
    let mut put = cw.put_metric_data().namespace(&namespace);
    for i in 0..400 {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("RequestCount")
                .dimensions(az_dimension("us-east-1b"))
                .dimensions(
                    Dimension::builder()
                        .name("LoadBalancer")
                        .value("app/grayscope-test-load-balancer/0123456789abcdef")
                        .build(),
                )
                .timestamp(DateTime::from_secs(t0 - 60 * (i % 5)))
                .value(1.0)
                .build(),
        );
    }
    put.send()
        .await
        .expect("large PutMetricData through the bridge");

    let out = cw
        .get_metric_statistics()
        .namespace(&namespace)
        .metric_name("RequestCount")
        .dimensions(az_dimension("us-east-1b"))
        .dimensions(
            Dimension::builder()
                .name("LoadBalancer")
                .value("app/grayscope-test-load-balancer/0123456789abcdef")
                .build(),
        )
        .start_time(DateTime::from_secs(t0 - 600))
        .end_time(DateTime::from_secs(t0 + 60))
        .period(600)
        .statistics(Statistic::Sum)
        .send()
        .await
        .expect("GetMetricStatistics");
    let total: f64 = out.datapoints().iter().filter_map(|d| d.sum()).sum();
    assert_eq!(total, 400.0, "{:?}", out.datapoints());
}

#[tokio::test]
async fn wire_list_metrics_and_describe_alarms() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);
    let namespace = unique("Grayscope/BridgeList");
    let alarm = unique("grayscope-bridge-alarm");

    cw.put_metric_data()
        .namespace(&namespace)
        .metric_data(
            MetricDatum::builder()
                .metric_name("UnHealthyHostCount")
                .dimensions(az_dimension("us-east-1c"))
                .timestamp(DateTime::from_secs(recent_minute()))
                .value(2.0)
                .build(),
        )
        .send()
        .await
        .expect("PutMetricData");

    let listed = cw
        .list_metrics()
        .namespace(&namespace)
        .dimensions(DimensionFilter::builder().name("AvailabilityZone").build())
        .send()
        .await
        .expect("ListMetrics through the bridge");
    let metrics = listed.metrics();
    assert!(!metrics.is_empty(), "{metrics:?}");
    for metric in metrics {
        assert_eq!(metric.namespace(), Some(namespace.as_str()));
        assert_eq!(metric.metric_name(), Some("UnHealthyHostCount"));
        assert_eq!(metric.dimensions(), &[az_dimension("us-east-1c")][..]);
    }

    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace(&namespace)
        .metric_name("UnHealthyHostCount")
        .dimensions(az_dimension("us-east-1c"))
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .send()
        .await
        .expect("PutMetricAlarm");

    let described = cw
        .describe_alarms()
        .alarm_names(&alarm)
        .send()
        .await
        .expect("DescribeAlarms through the bridge");
    let alarms = described.metric_alarms();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    let a = &alarms[0];
    assert_eq!(a.alarm_name(), Some(alarm.as_str()));
    assert_eq!(a.threshold(), Some(5.0));
    assert_eq!(a.period(), Some(60));
    assert_eq!(a.evaluation_periods(), Some(3));
    assert_eq!(a.datapoints_to_alarm(), Some(2));
    assert_eq!(a.dimensions(), &[az_dimension("us-east-1c")][..]);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    let updated = a
        .state_updated_timestamp()
        .expect("StateUpdatedTimestamp")
        .as_secs_f64();
    assert!((updated - now).abs() < 600.0, "{updated} vs now {now}");
    assert!(a.alarm_configuration_updated_timestamp().is_some());

    let services: Vec<_> = bridge
        .operations()
        .into_iter()
        .map(|o| (o.service, o.operation, o.status))
        .collect();
    assert_eq!(
        services,
        [
            "PutMetricData",
            "ListMetrics",
            "PutMetricAlarm",
            "DescribeAlarms"
        ]
        .iter()
        .map(|o| ("monitoring".to_string(), o.to_string(), 200))
        .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn wire_moto_validation_error_is_a_service_error_with_its_code() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);
    let t0 = recent_minute();

    let err = cw
        .get_metric_data()
        .metric_data_queries(sum_query("m1", "Grayscope/BridgeErr", "m", vec![]))
        .start_time(DateTime::from_secs(t0))
        .end_time(DateTime::from_secs(t0 - 600))
        .send()
        .await
        .expect_err("EndTime before StartTime must be rejected");

    let status = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(status, Some(400), "{err:?}");
    let service_err = err.into_service_error();
    // CloudWatch is awsQuery-compatible: moto's `x-amzn-query-error: ValidationError;Sender`
    // wins over the body's `__type` (ValidationException).
    assert_eq!(
        service_err.code(),
        Some("ValidationError"),
        "{service_err:?}"
    );
    let message = service_err.message().unwrap_or_default();
    assert!(message.contains("EndTime"), "{message}");

    assert_eq!(
        bridge.operations(),
        vec![op("monitoring", "GetMetricData", 400)]
    );
}

#[tokio::test]
async fn wire_unimplemented_operation_is_an_sdk_error_with_status_500() {
    let bridge = bridge::start(&support::moto_endpoint());
    let cw = cloudwatch(&bridge);

    let result = cw
        .put_anomaly_detector()
        .single_metric_anomaly_detector(
            SingleMetricAnomalyDetector::builder()
                .namespace("AWS/ApplicationELB")
                .metric_name("TargetResponseTime")
                .stat("Average")
                .build(),
        )
        .send()
        .await;
    let err = result.expect_err("moto does not implement PutAnomalyDetector");
    let status = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(status, Some(500), "{err:?}");
    // The HTML page is not CBOR: the SDK reports an unhandled error with no code.
    let service_err = err.into_service_error();
    assert_eq!(service_err.code(), None, "{service_err:?}");

    assert_eq!(
        bridge.operations(),
        vec![op("monitoring", "PutAnomalyDetector", 500)]
    );
}

#[tokio::test]
async fn wire_ec2_query_passes_through_untouched() {
    let bridge = bridge::start(&support::moto_endpoint());
    let ec2 = aws_sdk_ec2::Client::new(&support::sdk_config(&bridge.url));

    let out = ec2
        .describe_availability_zones()
        .send()
        .await
        .expect("DescribeAvailabilityZones through the bridge");
    let zones = out.availability_zones();
    assert!(zones.len() >= 3, "{zones:?}");
    for zone in zones {
        let name = zone.zone_name().unwrap_or_default();
        let id = zone.zone_id().unwrap_or_default();
        assert!(name.starts_with("us-east-1"), "{zone:?}");
        assert!(id.starts_with("use1-az"), "{zone:?}");
    }

    assert_eq!(
        bridge.operations(),
        vec![op("ec2", "DescribeAvailabilityZones", 200)]
    );
}

#[tokio::test]
async fn wire_health_is_translated_and_recorded_even_though_moto_lacks_it() {
    let bridge = bridge::start(&support::moto_endpoint());
    let health = aws_sdk_health::Client::new(&support::sdk_config(&bridge.url));

    let result = health.describe_events().max_results(10).send().await;
    let err = result.expect_err("moto 5.2.5 does not implement AWS Health");
    let status = err.raw_response().map(|r| r.status().as_u16());
    assert!(
        matches!(status, Some(s) if s >= 400),
        "expected an HTTP error status, got {status:?}: {err:?}"
    );

    let ops = bridge.operations();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(ops[0].service, "health");
    assert_eq!(ops[0].operation, "DescribeEvents");
}

#[tokio::test]
async fn wire_moto_api_passes_through() {
    let moto = support::moto_endpoint();
    let bridge = bridge::start(&moto);
    // The bridge is transparent for moto's own API too.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let request = hyper::Request::get(format!("{}/moto-api/data.json", bridge.url))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let response = client
        .request(request)
        .await
        .expect("GET through the bridge");
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    let data: serde_json::Value = serde_json::from_slice(&body).expect("moto data is JSON");
    assert!(data.is_object(), "{data}");
    let ops = bridge.operations();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(ops[0].service, "unknown");
    assert_eq!(ops[0].operation, "GET:/moto-api/data.json");
    assert_eq!(ops[0].status, 200);
}

// ---------------------------------------------------------------------------------------
// Value conversion and request classification (no moto)

#[test]
fn cbor_request_becomes_json_with_epoch_numbers_and_base64() {
    let request = Cbor::Map(vec![
        (
            Cbor::Text("Namespace".into()),
            Cbor::Text("AWS/ApplicationELB".into()),
        ),
        (
            Cbor::Text("StartTime".into()),
            Cbor::Tag(1, Box::new(Cbor::Integer(1_735_700_000.into()))),
        ),
        (
            Cbor::Text("EndTime".into()),
            Cbor::Tag(1, Box::new(Cbor::Float(1_735_700_060.5))),
        ),
        (
            Cbor::Text("Blob".into()),
            Cbor::Bytes(b"hi\x00\xff".to_vec()),
        ),
        (Cbor::Text("Period".into()), Cbor::Integer(60.into())),
        (
            Cbor::Text("Values".into()),
            Cbor::Array(vec![Cbor::Float(1.0), Cbor::Float(2.5)]),
        ),
        (
            Cbor::Text("Bad".into()),
            Cbor::Array(vec![Cbor::Float(f64::NAN), Cbor::Float(f64::NEG_INFINITY)]),
        ),
        (
            Cbor::Text("Nested".into()),
            Cbor::Map(vec![(
                Cbor::Text("Inner".into()),
                Cbor::Array(vec![
                    Cbor::Map(vec![(Cbor::Text("Flag".into()), Cbor::Bool(true))]),
                    Cbor::Null,
                ]),
            )]),
        ),
        (Cbor::Text("Negative".into()), Cbor::Integer((-7).into())),
        (Cbor::Text("Huge".into()), Cbor::Integer(u64::MAX.into())),
    ]);
    // Through real bytes, as on the wire.
    let decoded: Cbor = ciborium::from_reader(&encode(&request)[..]).expect("decode");
    let json = bridge::cbor_to_json(&decoded);
    assert_eq!(
        json,
        json!({
            "Namespace": "AWS/ApplicationELB",
            "StartTime": 1_735_700_000,
            "EndTime": 1_735_700_060.5,
            "Blob": "aGkA/w==",
            "Period": 60,
            "Values": [1.0, 2.5],
            "Bad": ["NaN", "-Infinity"],
            "Nested": {"Inner": [{"Flag": true}, null]},
            "Negative": -7,
            "Huge": u64::MAX,
        })
    );
    // Floats stay floats in the JSON text moto reads.
    let text = serde_json::to_string(&json).expect("json");
    assert!(text.contains("\"Values\":[1.0,2.5]"), "{text}");
}

#[test]
fn json_reply_becomes_typed_cbor() {
    let reply = json!({
        "MetricDataResults": [{
            "Id": "m1",
            "Label": "m Sum",
            "Timestamps": [1_735_700_000, 1_735_700_060.25],
            "Values": [3, 4.5],
            "StatusCode": "Complete"
        }],
        "NextToken": null,
        "Datapoints": [{
            "Timestamp": "2025-01-01T03:00:00Z",
            "SampleCount": 3,
            "ExtendedStatistics": {"p99": 7, "Timestamp": 1}
        }],
        "Period": 60.0,
        "MetricWidgetImage": "aGkA/w==",
        "events": [{"startTime": 1_735_700_000.5, "statusCode": "open"}],
        "Other": 1.5,
        "Count": 2
    });
    let cbor = bridge::json_to_cbor(&reply);
    // Through real bytes, as on the wire.
    let cbor: Cbor = ciborium::from_reader(&encode(&cbor)[..]).expect("decode");

    let result = &get(&cbor, "MetricDataResults").as_array().expect("list")[0];
    assert_eq!(
        get(result, "Timestamps"),
        &Cbor::Array(vec![
            Cbor::Tag(1, Box::new(Cbor::Integer(1_735_700_000.into()))),
            Cbor::Tag(1, Box::new(Cbor::Float(1_735_700_060.25))),
        ])
    );
    assert_eq!(
        get(result, "Values"),
        &Cbor::Array(vec![Cbor::Float(3.0), Cbor::Float(4.5)])
    );
    assert_eq!(get(result, "Id"), &Cbor::Text("m1".into()));

    let entries = cbor.as_map().expect("map");
    assert!(
        !entries
            .iter()
            .any(|(k, _)| k.as_text() == Some("NextToken")),
        "null members are left out"
    );

    let datapoint = &get(&cbor, "Datapoints").as_array().expect("list")[0];
    assert_eq!(
        get(datapoint, "Timestamp"),
        &Cbor::Tag(1, Box::new(Cbor::Integer(1_735_700_400.into())))
    );
    assert_eq!(get(datapoint, "SampleCount"), &Cbor::Float(3.0));
    // A map of doubles: its keys are data, even one spelled like a timestamp member.
    let extended = get(datapoint, "ExtendedStatistics");
    assert_eq!(get(extended, "p99"), &Cbor::Float(7.0));
    assert_eq!(get(extended, "Timestamp"), &Cbor::Float(1.0));

    assert_eq!(get(&cbor, "Period"), &Cbor::Integer(60.into()));
    assert_eq!(
        get(&cbor, "MetricWidgetImage"),
        &Cbor::Bytes(b"hi\x00\xff".to_vec())
    );
    let event = &get(&cbor, "events").as_array().expect("list")[0];
    assert_eq!(
        get(event, "startTime"),
        &Cbor::Tag(1, Box::new(Cbor::Float(1_735_700_000.5)))
    );
    assert_eq!(get(&cbor, "Other"), &Cbor::Float(1.5));
    assert_eq!(get(&cbor, "Count"), &Cbor::Integer(2.into()));
}

#[test]
fn member_kinds_match_the_sdk_deserializers() {
    assert_eq!(bridge::member_kind("Timestamps"), Some(Kind::Timestamp));
    assert_eq!(
        bridge::member_kind("StateUpdatedTimestamp"),
        Some(Kind::Timestamp)
    );
    assert_eq!(
        bridge::member_kind("lastUpdatedTime"),
        Some(Kind::Timestamp)
    );
    assert_eq!(bridge::member_kind("Threshold"), Some(Kind::Double));
    assert_eq!(bridge::member_kind("Period"), Some(Kind::Int));
    assert_eq!(bridge::member_kind("MetricWidgetImage"), Some(Kind::Blob));
    assert_eq!(bridge::member_kind("StatusCode"), None);
}

#[test]
fn json_errors_become_smithy_cbor_errors() {
    let moto_error = json!({
        "__type": "GraniteServiceVersion20100801#ValidationException",
        "message": "The parameter EndTime must be greater than StartTime.",
        "Message": "The parameter EndTime must be greater than StartTime."
    });
    assert_eq!(
        bridge::error_to_cbor(&moto_error, None),
        Cbor::Map(vec![
            (
                Cbor::Text("__type".into()),
                Cbor::Text("ValidationException".into())
            ),
            (
                Cbor::Text("message".into()),
                Cbor::Text("The parameter EndTime must be greater than StartTime.".into())
            ),
        ])
    );

    let with_url = json!({"__type": "com.amazonaws.health#InvalidPaginationToken:http://x/", "Message": "bad"});
    assert_eq!(
        bridge::error_to_cbor(&with_url, None),
        Cbor::Map(vec![
            (
                Cbor::Text("__type".into()),
                Cbor::Text("InvalidPaginationToken".into())
            ),
            (Cbor::Text("message".into()), Cbor::Text("bad".into())),
        ])
    );

    let from_header = json!({"message": "nope", "extra": 1});
    assert_eq!(
        bridge::error_to_cbor(&from_header, Some("LimitExceededException")),
        Cbor::Map(vec![
            (
                Cbor::Text("__type".into()),
                Cbor::Text("LimitExceededException".into())
            ),
            (Cbor::Text("message".into()), Cbor::Text("nope".into())),
            (Cbor::Text("extra".into()), Cbor::Integer(1.into())),
        ])
    );
}

#[test]
fn request_classification() {
    assert_eq!(
        bridge::parse_cbor_path("/service/GraniteServiceVersion20100801/operation/GetMetricData"),
        Some(("GraniteServiceVersion20100801", "GetMetricData"))
    );
    assert_eq!(
        bridge::parse_cbor_path("/prefix/service/AWSHealth_20160804/operation/DescribeEvents"),
        Some(("AWSHealth_20160804", "DescribeEvents"))
    );
    assert_eq!(bridge::parse_cbor_path("/"), None);
    assert_eq!(bridge::parse_cbor_path("/service/X/operation/"), None);

    assert_eq!(
        bridge::form_action("Version=2016-11-15&Action=DescribeAvailabilityZones"),
        Some("DescribeAvailabilityZones".to_string())
    );
    assert_eq!(
        bridge::form_action("%41ction=Describe%54argetHealth&TargetGroupArn=arn%3Aaws"),
        Some("DescribeTargetHealth".to_string())
    );
    assert_eq!(bridge::form_action("Version=1"), None);

    let mut headers = hyper::HeaderMap::new();
    headers.insert(
        hyper::header::AUTHORIZATION,
        hyper::header::HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/elasticloadbalancing/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=abcdef",
        ),
    );
    assert_eq!(
        bridge::signing_service(&headers),
        Some("elasticloadbalancing".to_string())
    );
    assert_eq!(bridge::signing_service(&hyper::HeaderMap::new()), None);
}
