//! ARC zonal shift on the wire (restJson1). moto has no ARC, so the real SDK client
//! runs against a `StaticReplayClient` that records the HTTP requests it would send and
//! answers with recorded replies; each test checks the exact request: method, path,
//! query and JSON body. `awayFrom` carries the AZ ID, never a zone name.

mod support;

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use grayscope::backend::Identity;
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::zonal_shift::{ShiftError, ShiftRequest, ZonalShifts};
use grayscope::model::zonal_shift::{AzId, Expiry};
use grayscope::model::zones::{LbKind, LoadBalancer};
use serde_json::{Value, json};

const ARC: &str = "arc-zonal-shift";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188";
const ENDPOINT: &str = "https://arc-zonal-shift.us-east-1.amazonaws.com";

fn reply(status: u16, body: Value, error_type: Option<&str>) -> ReplayEvent {
    let mut r = HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body.to_string()),
    );
    r.headers_mut()
        .insert("content-type", "application/json".to_string());
    if let Some(t) = error_type {
        r.headers_mut().insert("x-amzn-errortype", t.to_string());
    }
    // The expected request is not compared (the test reads the actual ones).
    ReplayEvent::new(HttpRequest::new(SdkBody::empty()), r)
}

fn backend(replay: &StaticReplayClient) -> AwsBackend {
    let cfg = support::sdk_config(ENDPOINT);
    let arc = aws_sdk_arczonalshift::Client::from_conf(
        aws_sdk_arczonalshift::config::Builder::from(&cfg)
            .http_client(replay.clone())
            .build(),
    );
    // Every other client points at a closed local port: nothing here reaches AWS.
    let mut clients = AwsClients::from_sdk_config(&support::sdk_config("http://127.0.0.1:9"));
    clients.arc = arc;
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: None,
        },
    )
}

/// Method, path and query, and the JSON body, of the `n`th request sent.
fn sent(replay: &StaticReplayClient, n: usize) -> (String, String, Value) {
    let r = replay.actual_requests().nth(n).expect("request sent");
    let uri = r.uri().to_string();
    let path = uri.strip_prefix(ENDPOINT).unwrap_or(&uri).to_string();
    let body = r.body().bytes().unwrap_or_default();
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).expect("JSON body")
    };
    (r.method().to_string(), path, json)
}

fn shift_reply(status: &str, expiry: i64) -> Value {
    json!({
        "zonalShiftId": "9ab8c7d6-shift",
        "resourceIdentifier": LB_ARN,
        "awayFrom": "use1-az6",
        "expiryTime": expiry,
        "startTime": 1773496400,
        "status": status,
        "comment": "grayscope: us-east-1b IMPAIRED"
    })
}

#[tokio::test]
async fn start_posts_the_az_id_expiry_and_comment() {
    let replay = StaticReplayClient::new(vec![reply(200, shift_reply("ACTIVE", 1773500000), None)]);
    let b = backend(&replay);
    let s = b
        .start_shift(&ShiftRequest {
            lb_arn: LB_ARN.into(),
            lb_name: "shop".into(),
            away_from: AzId::parse("use1-az6").expect("id"),
            expires_in: Expiry::parse("1h").expect("1h"),
            comment: "grayscope: us-east-1b IMPAIRED".into(),
        })
        .await
        .expect("started");
    assert_eq!(s.id, "9ab8c7d6-shift");
    let (method, path, body) = sent(&replay, 0);
    assert_eq!((method.as_str(), path.as_str()), ("POST", "/zonalshifts"));
    assert_eq!(
        body,
        json!({
            "resourceIdentifier": LB_ARN,
            "awayFrom": "use1-az6",
            "expiresIn": "1h",
            "comment": "grayscope: us-east-1b IMPAIRED"
        })
    );
    let away = body["awayFrom"].as_str().unwrap_or_default();
    assert!(AzId::parse(away).is_ok() && !away.starts_with("us-east-1"));
    assert_eq!(replay.actual_requests().count(), 1);
    support::ops::record("wire", ARC, "StartZonalShift");
}

#[tokio::test]
async fn update_patches_the_shift_and_cancel_deletes_it() {
    let replay = StaticReplayClient::new(vec![
        reply(200, shift_reply("ACTIVE", 1773503600), None),
        reply(200, shift_reply("CANCELED", 1773497000), None),
    ]);
    let b = backend(&replay);
    b.update_shift(
        "shop",
        "9ab8c7d6-shift",
        Expiry::parse("2h").unwrap(),
        "longer",
    )
    .await
    .expect("updated");
    b.cancel_shift("shop", "9ab8c7d6-shift")
        .await
        .expect("cancelled");
    let (method, path, body) = sent(&replay, 0);
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("PATCH", "/zonalshifts/9ab8c7d6-shift")
    );
    assert_eq!(body, json!({"expiresIn": "2h", "comment": "longer"}));
    let (method, path, body) = sent(&replay, 1);
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("DELETE", "/zonalshifts/9ab8c7d6-shift")
    );
    assert_eq!(body, Value::Null);
    support::ops::record("wire", ARC, "UpdateZonalShift");
    support::ops::record("wire", ARC, "CancelZonalShift");
}

#[tokio::test]
async fn a_conflict_reason_on_the_wire_becomes_words() {
    let replay = StaticReplayClient::new(vec![reply(
        409,
        json!({"message": "exists", "reason": "ZonalShiftAlreadyExists", "zonalShiftId": "other"}),
        Some("ConflictException"),
    )]);
    let b = backend(&replay);
    let e = b
        .start_shift(&ShiftRequest {
            lb_arn: LB_ARN.into(),
            lb_name: "shop".into(),
            away_from: AzId::parse("use1-az6").expect("id"),
            expires_in: Expiry::parse("30m").expect("30m"),
            comment: "c".into(),
        })
        .await
        .expect_err("refused");
    assert_eq!(
        e,
        ShiftError::AlreadyActive {
            lb: "shop".into(),
            shift_id: Some("other".into()),
            message: "exists".into()
        }
    );
    let (_, _, body) = sent(&replay, 0);
    assert_eq!(body["expiresIn"], "30m");
}

#[tokio::test]
async fn status_reads_the_managed_resource_and_lists_shifts_by_resource() {
    let lb = LoadBalancer {
        arn: LB_ARN.into(),
        name: "shop".into(),
        kind: LbKind::Application,
        scheme: "internet-facing".into(),
        state: "active".into(),
        vpc_id: None,
        zone_names: vec![],
    };
    let replay = StaticReplayClient::new(vec![
        reply(
            200,
            json!({
                "arn": LB_ARN, "name": "shop",
                "appliedWeights": {"use1-az4": 1.0, "use1-az6": 0.0},
                "zonalShifts": [], "autoshifts": [],
                "zonalAutoshiftStatus": "DISABLED"
            }),
            None,
        ),
        reply(200, json!({"items": []}), None),
    ]);
    let b = backend(&replay);
    // The ELBv2 attribute goes to a closed local port and fails alone.
    let s = b.shift_status(&lb).await.expect("status");
    assert!(s.managed);
    assert_eq!(s.autoshift, Some(false));
    let mut reqs: Vec<(String, String)> = (0..2)
        .map(|n| {
            let (m, p, _) = sent(&replay, n);
            (m, p)
        })
        .collect();
    reqs.sort();
    let encoded = LB_ARN.replace(':', "%3A").replace('/', "%2F");
    assert_eq!(
        reqs[0],
        ("GET".into(), format!("/managedresources/{encoded}"))
    );
    assert_eq!(reqs[1].0, "GET");
    assert!(
        reqs[1].1.starts_with("/zonalshifts?")
            && reqs[1].1.contains(&format!("resourceIdentifier={encoded}"))
            && reqs[1].1.contains("maxResults=100"),
        "{}",
        reqs[1].1
    );
    support::ops::record("wire", ARC, "GetManagedResource");
    support::ops::record("wire", ARC, "ListZonalShifts");
}

/// Against moto (ELBv2 and EC2 through the recording bridge; ARC replayed, since moto
/// has none): the load balancer's `zonal_shift.config.enabled` as set by
/// ModifyLoadBalancerAttributes, and the subnets' free addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_the_attribute_and_free_addresses_come_from_elbv2_and_ec2() {
    use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;
    use support::seed::{Moto, unique};

    let moto = Moto::direct();
    let zones = moto.zone_ids().await;
    let vpc = moto.create_vpc("10.77.0.0/16").await;
    let a = moto
        .create_subnet(&vpc, "10.77.1.0/24".into(), "us-east-1a")
        .await;
    let b = moto
        .create_subnet(&vpc, "10.77.2.0/24".into(), "us-east-1b")
        .await;
    let name = unique("zs");
    let arn = moto
        .create_alb(&name, None, vec![a.clone(), b.clone()])
        .await;
    moto.elb
        .modify_load_balancer_attributes()
        .load_balancer_arn(&arn)
        .attributes(
            LoadBalancerAttribute::builder()
                .key("zonal_shift.config.enabled")
                .value("true")
                .build(),
        )
        .send()
        .await
        .expect("seed: ModifyLoadBalancerAttributes");

    let bridge = support::bridge::start(&support::moto_endpoint());
    let cfg = support::sdk_config(&bridge.url);
    let replay = StaticReplayClient::new(vec![
        reply(
            200,
            json!({"arn": arn, "name": name, "appliedWeights": {}, "zonalShifts": []}),
            None,
        ),
        reply(200, json!({"items": []}), None),
    ]);
    let mut clients = AwsClients::from_sdk_config(&cfg);
    clients.arc = aws_sdk_arczonalshift::Client::from_conf(
        aws_sdk_arczonalshift::config::Builder::from(&support::sdk_config(ENDPOINT))
            .http_client(replay.clone())
            .build(),
    );
    let backend = AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: None,
        },
    );
    let lb = LoadBalancer {
        arn: arn.clone(),
        name: name.clone(),
        kind: LbKind::Application,
        scheme: "internet-facing".into(),
        state: "active".into(),
        vpc_id: Some(vpc.clone()),
        zone_names: vec!["us-east-1a".into(), "us-east-1b".into()],
    };
    let s = backend.shift_status(&lb).await.expect("status");
    assert_eq!(s.enabled, Some(true), "{:?}", s.problems);
    assert!(s.problems.is_empty(), "{:?}", s.problems);

    let rooms = backend.subnet_room(&vpc).await.expect("rooms");
    let mut got: Vec<(String, Option<String>, i64)> = rooms
        .iter()
        .map(|r| (r.subnet_id.clone(), r.zone_id.clone(), r.free_ips))
        .collect();
    got.sort();
    let mut want = vec![
        (a, zones.get("us-east-1a").cloned(), 251),
        (b, zones.get("us-east-1b").cloned(), 251),
    ];
    want.sort();
    assert_eq!(got, want, "a /24 has 251 usable addresses");
    assert_eq!(
        bridge.operations_of("elasticloadbalancing"),
        vec!["DescribeLoadBalancerAttributes".to_string()]
    );
    assert_eq!(
        bridge.operations_of("ec2"),
        vec!["DescribeSubnets".to_string()]
    );
}
