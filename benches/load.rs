//! The live path's load, against a local fake AWS endpoint with a fixed latency per
//! request: proof that independent calls run at the same time.
//!
//! The fake (hyper on 127.0.0.1:0, its own thread) answers every call the AZ pane makes
//! with a minimal valid reply after `latency`, and logs each request's arrival and
//! reply times: ELBv2 (awsQuery XML) DescribeLoadBalancers, DescribeTargetGroups,
//! DescribeTargetHealth, DescribeTargetGroupAttributes (cross-zone off); EC2 (ec2Query XML) DescribeAvailabilityZones,
//! DescribeInstances, DescribeSubnets; CloudWatch GetMetricData (Smithy RPCv2 CBOR).
//! One ALB in 3 zones with 2 target groups: `web` (instance targets) and `api` (IP
//! targets), neither with a reported zone, so both zone lookups run.
//!
//! Measured:
//! 1. a refresh: `zones()`, `target_health(lbs)` and `zone_metrics(lb)` together
//!    (`futures::join!`, as the jobs run them), DescribeLoadBalancers done before;
//! 2. the first full load as the app does it (`grayscope::render_once` on a live `App`:
//!    DescribeLoadBalancers first, then the panes), ending in a drawn screen.
//!
//! Reported: wall time, requests, the sum of per-request latencies (what the same calls
//! one after another would cost, like typing aws CLI commands), the critical path in
//! round trips (wall / latency) and the dependency depth seen on the server.
//!
//! `cargo bench --bench load` uses 50 ms per request (GRAYSCOPE_BENCH_LATENCY_MS to
//! change it); under `cargo test` it runs once with 5 ms and checks the results.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_types::retry::RetryConfig;
use bytes::Bytes;
use ciborium::Value as Cbor;
use grayscope::app::{App, Mode};
use grayscope::backend::aws::AwsBackend;
use grayscope::backend::{Metrics, Services, Targets};
use grayscope::clock::Clock;
use grayscope::keymap::Keymap;
use grayscope::model::metrics::{Window, ZoneMetric};
use grayscope::model::targets::ZoneSource;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "123456789012";
const LB_NAME: &str = "bench-alb";
const VPC: &str = "vpc-0bench";
const ZONES: [(&str, &str); 3] = [
    ("us-east-1a", "use1-az4"),
    ("us-east-1b", "use1-az6"),
    ("us-east-1c", "use1-az1"),
];
/// Targets per zone in each target group.
const PER_ZONE: usize = 2;

fn lb_arn() -> String {
    format!(
        "arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/{LB_NAME}/50dc6c495c0c9188"
    )
}

fn tg_arn(name: &str) -> String {
    format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/{name}/73e2d6bc24d8a067")
}

fn instance_id(zone: usize, n: usize) -> String {
    format!("i-0b{zone}{n}000000000000")
}

fn ip(zone: usize, n: usize) -> String {
    format!("10.0.{}.{}", zone + 1, 10 + n)
}

// ---------------------------------------------------------------------------------------
// The fake endpoint

#[derive(Debug, Clone)]
struct Rec {
    op: String,
    arrived: Instant,
    replied: Instant,
}

struct Fake {
    latency: Duration,
    log: Mutex<Vec<Rec>>,
}

struct Server {
    url: String,
    fake: Arc<Fake>,
}

impl Server {
    fn take_log(&self) -> Vec<Rec> {
        std::mem::take(&mut *self.fake.log.lock().expect("lock"))
    }
}

fn start_server(latency: Duration) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let fake = Arc::new(Fake {
        latency,
        log: Mutex::new(Vec::new()),
    });
    let f2 = fake.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let fake = f2.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let fake = fake.clone();
                        async move { Ok::<_, Infallible>(handle(&fake, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    Server {
        url: format!("http://{addr}"),
        fake,
    }
}

async fn handle(fake: &Fake, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let arrived = Instant::now();
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let (op, response) = if let Some((_, op)) = path.rsplit_once("/operation/") {
        (op.to_string(), cbor_reply(op, &body))
    } else {
        let form = String::from_utf8_lossy(&body).to_string();
        let op = form_value(&form, "Action").unwrap_or_else(|| format!("? {path}"));
        let reply = xml_reply(&op, &form);
        (op, reply)
    };
    tokio::time::sleep_until((arrived + fake.latency).into()).await;
    fake.log.lock().expect("lock").push(Rec {
        op,
        arrived,
        replied: Instant::now(),
    });
    response
}

/// A value of an `application/x-www-form-urlencoded` body.
fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn xml(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", "text/xml".parse().expect("header"));
    r
}

const ELB_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

fn elb_ok(op: &str, result: &str) -> Response<Full<Bytes>> {
    xml(
        StatusCode::OK,
        format!(
            "<{op}Response xmlns=\"{ELB_NS}\"><{op}Result>{result}</{op}Result>\
             <ResponseMetadata><RequestId>bench-{op}</RequestId></ResponseMetadata></{op}Response>"
        ),
    )
}

fn ec2_ok(op: &str, inner: &str) -> Response<Full<Bytes>> {
    xml(
        StatusCode::OK,
        format!(
            "<{op}Response xmlns=\"{EC2_NS}\"><requestId>bench-{op}</requestId>{inner}</{op}Response>"
        ),
    )
}

fn xml_reply(op: &str, form: &str) -> Response<Full<Bytes>> {
    match op {
        "DescribeLoadBalancers" => {
            let azs: String = ZONES
                .iter()
                .enumerate()
                .map(|(i, (name, _))| {
                    format!("<member><ZoneName>{name}</ZoneName><SubnetId>subnet-{i}</SubnetId></member>")
                })
                .collect();
            elb_ok(
                op,
                &format!(
                    "<LoadBalancers><member><LoadBalancerArn>{}</LoadBalancerArn>\
                     <LoadBalancerName>{LB_NAME}</LoadBalancerName><Type>application</Type>\
                     <Scheme>internet-facing</Scheme><State><Code>active</Code></State>\
                     <VpcId>{VPC}</VpcId><AvailabilityZones>{azs}</AvailabilityZones>\
                     </member></LoadBalancers>",
                    lb_arn()
                ),
            )
        }
        "DescribeTargetGroups" => {
            let group = |name: &str, kind: &str, port: u16| {
                format!(
                    "<member><TargetGroupArn>{}</TargetGroupArn><TargetGroupName>{name}</TargetGroupName>\
                     <Protocol>HTTP</Protocol><Port>{port}</Port><VpcId>{VPC}</VpcId>\
                     <TargetType>{kind}</TargetType><LoadBalancerArns><member>{}</member></LoadBalancerArns></member>",
                    tg_arn(name),
                    lb_arn()
                )
            };
            elb_ok(
                op,
                &format!(
                    "<TargetGroups>{}{}</TargetGroups>",
                    group("web", "instance", 8080),
                    group("api", "ip", 9090)
                ),
            )
        }
        "DescribeTargetHealth" => {
            let arn = form_value(form, "TargetGroupArn").unwrap_or_default();
            let web = arn == tg_arn("web");
            let mut members = String::new();
            for z in 0..ZONES.len() {
                for n in 0..PER_ZONE {
                    let (id, port) = if web {
                        (instance_id(z, n), 8080)
                    } else {
                        (ip(z, n), 9090)
                    };
                    // us-east-1b's instance targets time out.
                    let health = if web && z == 1 {
                        "<State>unhealthy</State><Reason>Target.Timeout</Reason>\
                         <Description>Request timed out</Description>"
                    } else {
                        "<State>healthy</State>"
                    };
                    members.push_str(&format!(
                        "<member><Target><Id>{id}</Id><Port>{port}</Port></Target>\
                         <HealthCheckPort>{port}</HealthCheckPort><TargetHealth>{health}</TargetHealth></member>"
                    ));
                }
            }
            elb_ok(
                op,
                &format!("<TargetHealthDescriptions>{members}</TargetHealthDescriptions>"),
            )
        }
        "DescribeTargetGroupAttributes" => elb_ok(
            op,
            "<Attributes><member><Key>load_balancing.cross_zone.enabled</Key>\
             <Value>false</Value></member></Attributes>",
        ),
        "DescribeAvailabilityZones" => {
            let items: String = ZONES
                .iter()
                .map(|(name, id)| {
                    format!(
                        "<item><zoneName>{name}</zoneName><zoneId>{id}</zoneId>\
                         <zoneState>available</zoneState><regionName>us-east-1</regionName></item>"
                    )
                })
                .collect();
            ec2_ok(
                op,
                &format!("<availabilityZoneInfo>{items}</availabilityZoneInfo>"),
            )
        }
        "DescribeInstances" => {
            let mut items = String::new();
            for (z, (zone, _)) in ZONES.iter().enumerate() {
                for n in 0..PER_ZONE {
                    items.push_str(&format!(
                        "<item><instanceId>{}</instanceId><placement><availabilityZone>{zone}</availabilityZone></placement></item>",
                        instance_id(z, n)
                    ));
                }
            }
            ec2_ok(
                op,
                &format!(
                    "<reservationSet><item><reservationId>r-0bench</reservationId>\
                     <instancesSet>{items}</instancesSet></item></reservationSet>"
                ),
            )
        }
        "DescribeSubnets" => {
            let items: String = ZONES
                .iter()
                .enumerate()
                .map(|(z, (zone, _))| {
                    format!(
                        "<item><subnetId>subnet-{z}</subnetId><vpcId>{VPC}</vpcId>\
                         <cidrBlock>10.0.{}.0/24</cidrBlock><availabilityZone>{zone}</availabilityZone></item>",
                        z + 1
                    )
                })
                .collect();
            ec2_ok(op, &format!("<subnetSet>{items}</subnetSet>"))
        }
        other => xml(
            StatusCode::BAD_REQUEST,
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>\
                 <Message>bench fake does not know {other}</Message></Error></ErrorResponse>"
            ),
        ),
    }
}

fn map_get<'a>(m: &'a Cbor, key: &str) -> Option<&'a Cbor> {
    match m {
        Cbor::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(k, Cbor::Text(t) if t == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Epoch seconds of a CBOR timestamp (tag 1 around an int or a float).
fn epoch(v: &Cbor) -> Option<i64> {
    match v {
        Cbor::Tag(1, inner) => epoch(inner),
        Cbor::Integer(i) => i64::try_from(i128::from(*i)).ok(),
        Cbor::Float(f) => Some(*f as i64),
        _ => None,
    }
}

/// One value per minute for a `<code>_<zone index>` query: zone 1 is the sick one.
fn value(id: &str, minute: usize) -> f64 {
    let (code, zone) = id.rsplit_once('_').unwrap_or((id, "0"));
    let sick = zone == "1";
    let noise = ((minute * 7) % 5) as f64;
    match code {
        "req" => 1000.0 + noise * 10.0,
        "t5xx" if sick => 80.0 + noise,
        "t5xx" => 2.0 + noise,
        "e5xx" => 0.0,
        "rt" if sick => 1.2,
        "rt" => 0.1,
        _ => 0.0,
    }
}

fn cbor_reply(op: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let reply = if op == "GetMetricData" {
        let request: Cbor = ciborium::from_reader(body).unwrap_or(Cbor::Null);
        let start = map_get(&request, "StartTime").and_then(epoch).unwrap_or(0);
        let end = map_get(&request, "EndTime")
            .and_then(epoch)
            .unwrap_or(start);
        let queries = match map_get(&request, "MetricDataQueries") {
            Some(Cbor::Array(q)) => q.clone(),
            _ => Vec::new(),
        };
        let minutes = ((end - start) / 60).max(0) as usize;
        let results = queries
            .iter()
            .filter_map(|q| match map_get(q, "Id") {
                Some(Cbor::Text(id)) => Some(id.clone()),
                _ => None,
            })
            .map(|id| {
                let times = (0..minutes)
                    .map(|m| Cbor::Tag(1, Box::new(Cbor::Integer((start + 60 * m as i64).into()))))
                    .collect();
                let values = (0..minutes).map(|m| Cbor::Float(value(&id, m))).collect();
                Cbor::Map(vec![
                    (Cbor::Text("Id".into()), Cbor::Text(id.clone())),
                    (Cbor::Text("Label".into()), Cbor::Text(id)),
                    (Cbor::Text("Timestamps".into()), Cbor::Array(times)),
                    (Cbor::Text("Values".into()), Cbor::Array(values)),
                    (
                        Cbor::Text("StatusCode".into()),
                        Cbor::Text("Complete".into()),
                    ),
                ])
            })
            .collect();
        Cbor::Map(vec![
            (Cbor::Text("MetricDataResults".into()), Cbor::Array(results)),
            (Cbor::Text("Messages".into()), Cbor::Array(Vec::new())),
        ])
    } else {
        Cbor::Map(vec![
            (
                Cbor::Text("__type".into()),
                Cbor::Text("InvalidAction".into()),
            ),
            (
                Cbor::Text("message".into()),
                Cbor::Text(format!("bench fake does not know {op}")),
            ),
        ])
    };
    let mut encoded = Vec::new();
    ciborium::into_writer(&reply, &mut encoded).expect("encode CBOR");
    let mut r = Response::new(Full::new(Bytes::from(encoded)));
    if op != "GetMetricData" {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    let h = r.headers_mut();
    h.insert("content-type", "application/cbor".parse().expect("header"));
    h.insert("smithy-protocol", "rpc-v2-cbor".parse().expect("header"));
    r
}

// ---------------------------------------------------------------------------------------
// The client side

fn sdk_config(url: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(grayscope::backend::aws::https_client())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDGRAYSCOPEBENCH",
            "grayscope-bench-secret",
            None,
            None,
            "grayscope-bench",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build()
}

/// What one measured load looked like from both ends.
struct Run {
    wall: Duration,
    log: Vec<Rec>,
}

impl Run {
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in &self.log {
            *m.entry(r.op.clone()).or_default() += 1;
        }
        m
    }

    fn latency_sum(&self) -> Duration {
        self.log.iter().map(|r| r.replied - r.arrived).sum()
    }

    /// Longest chain of requests where each arrived after the previous one's reply.
    fn depth(&self) -> usize {
        let mut log = self.log.clone();
        log.sort_by_key(|r| r.arrived);
        let mut depth = vec![0usize; log.len()];
        for i in 0..log.len() {
            depth[i] = 1
                + (0..i)
                    .filter(|&j| log[j].replied <= log[i].arrived)
                    .map(|j| depth[j])
                    .max()
                    .unwrap_or(0);
        }
        depth.into_iter().max().unwrap_or(0)
    }

    fn max_in_flight(&self) -> usize {
        self.log
            .iter()
            .map(|r| {
                self.log
                    .iter()
                    .filter(|o| o.arrived <= r.arrived && o.replied > r.arrived)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    fn print_timeline(&self, t0: Instant) {
        let mut log = self.log.clone();
        log.sort_by_key(|r| r.arrived);
        for r in &log {
            println!(
                "      {:>7.1} -> {:>7.1} ms  {}",
                ms(r.arrived - t0),
                ms(r.replied - t0),
                r.op
            );
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn refresh(
    server: &Server,
    backend: &AwsBackend,
    lb: &grayscope::model::zones::LoadBalancer,
) -> (Run, Instant) {
    server.take_log();
    let window = Window::ending_at(chrono::Utc::now(), 30);
    let lbs = vec![lb.clone()];
    let t0 = Instant::now();
    let (zones, health, metrics) = futures::join!(
        backend.zones(),
        backend.target_health(&lbs),
        backend.zone_metrics(lb, window)
    );
    let wall = t0.elapsed();
    let run = Run {
        wall,
        log: server.take_log(),
    };

    // The answers are right, not just fast.
    let zones = zones.expect("zones");
    assert_eq!(zones.len(), ZONES.len(), "{zones:?}");
    assert!(
        zones
            .iter()
            .any(|z| z.name == "us-east-1b" && z.id == "use1-az6")
    );
    let health = health.expect("target health").data;
    assert_eq!(health.len(), 2, "two target groups");
    for g in &health {
        assert_eq!(g.targets.len(), ZONES.len() * PER_ZONE, "{}", g.group.name);
        let want = if g.group.target_type == "instance" {
            ZoneSource::Instance
        } else {
            ZoneSource::Subnet
        };
        for t in &g.targets {
            assert_eq!(t.zone_source, want, "{t:?}");
            assert!(t.zone_name.is_some(), "{t:?}");
        }
    }
    let web = health.iter().find(|g| g.group.name == "web").expect("web");
    assert!(web.targets.iter().any(|t| t.id == instance_id(1, 0)
        && t.zone_name.as_deref() == Some("us-east-1b")
        && t.state.is_failing()));
    let api = health.iter().find(|g| g.group.name == "api").expect("api");
    assert!(
        api.targets
            .iter()
            .any(|t| t.id == ip(2, 1) && t.zone_name.as_deref() == Some("us-east-1c"))
    );
    let metrics = metrics.expect("metrics");
    assert_eq!(metrics.by_zone.len(), ZONES.len());
    for (zone, _) in ZONES {
        let req = metrics
            .series(zone, ZoneMetric::Requests)
            .expect("requests");
        assert_eq!(req.iter().flatten().count(), 30, "{zone}: {req:?}");
    }
    assert_eq!(
        metrics
            .series("us-east-1b", ZoneMetric::Target5xx)
            .and_then(|s| s[29]),
        Some(80.0 + ((29 * 7) % 5) as f64)
    );
    assert!(metrics.issues.is_empty(), "{:?}", metrics.issues);

    let counts = run.counts();
    let want: BTreeMap<String, usize> = [
        ("DescribeAvailabilityZones", 1),
        ("DescribeInstances", 1),
        ("DescribeSubnets", 1),
        ("DescribeTargetGroups", 1),
        ("DescribeTargetHealth", 2),
        ("DescribeTargetGroupAttributes", 2),
        ("GetMetricData", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, want, "requests of one refresh");
    (run, t0)
}

/// The first load as the app does it, up to a drawn screen.
async fn first_load(server: &Server) -> (Run, Instant, String) {
    let backend = AwsBackend::from_sdk_config(&sdk_config(&server.url));
    let app = App::new(
        Mode::Live,
        Keymap::defaults(),
        vec![LB_NAME.to_string()],
        chrono::Duration::seconds(30),
        chrono::Utc::now(),
    );
    server.take_log();
    let t0 = Instant::now();
    let services = Services::from_backend(std::sync::Arc::new(backend));
    let buf = grayscope::render_once(app, &services, Clock::System, 160, 48).await;
    let wall = t0.elapsed();
    let text = grayscope::ui::export::to_text(&buf);
    (
        Run {
            wall,
            log: server.take_log(),
        },
        t0,
        text,
    )
}

fn report(label: &str, run: &Run, latency: Duration) {
    let sum = run.latency_sum();
    println!(
        "  {label}: wall {:.1} ms | {} requests | sum of request latencies {:.1} ms (sequential) | \
         critical path {:.2} round trips (wall / latency) | dependency depth {} | max in flight {} | speed-up x{:.1}",
        ms(run.wall),
        run.log.len(),
        ms(sum),
        run.wall.as_secs_f64() / latency.as_secs_f64(),
        run.depth(),
        run.max_in_flight(),
        sum.as_secs_f64() / run.wall.as_secs_f64()
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let latency = Duration::from_millis(if bench {
        std::env::var("GRAYSCOPE_BENCH_LATENCY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50)
    } else {
        5
    });
    let runs = if bench { 10 } else { 1 };
    let server = start_server(latency);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        // 1. A refresh, DescribeLoadBalancers done before.
        let backend = AwsBackend::from_sdk_config(&sdk_config(&server.url));
        let lbs = backend
            .load_balancers(&[LB_NAME.to_string()])
            .await
            .expect("DescribeLoadBalancers")
            .data;
        assert_eq!(lbs.len(), 1);
        let lb = lbs[0].clone();
        assert_eq!(lb.zone_names.len(), ZONES.len());
        assert_eq!(lb.metric_dimension(), Some("app/bench-alb/50dc6c495c0c9188"));

        let mut refreshes = Vec::new();
        for _ in 0..runs {
            refreshes.push(refresh(&server, &backend, &lb).await);
        }

        // 2. The first full load, through the app.
        let mut loads = Vec::new();
        for _ in 0..runs {
            let (run, t0, text) = first_load(&server).await;
            assert!(text.contains("us-east-1b"), "{text}");
            assert!(text.contains("use1-az6"), "{text}");
            assert!(text.contains("IMPAIRED"), "{text}");
            assert!(run.counts().get("DescribeLoadBalancers") == Some(&1));
            loads.push((run, t0, text));
        }

        if !bench {
            let (r, _) = &refreshes[0];
            let (l, _, _) = &loads[0];
            println!(
                "load smoke ({} ms latency): refresh {} requests in {:.1} ms (depth {}); first load {} requests in {:.1} ms (depth {})",
                latency.as_millis(),
                r.log.len(),
                ms(r.wall),
                r.depth(),
                l.log.len(),
                ms(l.wall),
                l.depth()
            );
            return;
        }

        println!("\n== grayscope live load bench: fake AWS endpoint, {} ms per request", latency.as_millis());
        println!(
            "   machine: {} cores; 1 ALB, 3 AZs, 2 target groups (instance + ip), {} targets",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            2 * ZONES.len() * PER_ZONE
        );
        println!("\n-- 1. refresh: zones() || target_health() || zone_metrics(), {runs} runs");
        let (first, t0) = &refreshes[0];
        report("first", first, latency);
        let med = median(refreshes.iter().map(|(r, _)| ms(r.wall)).collect());
        let min = refreshes.iter().map(|(r, _)| ms(r.wall)).fold(f64::MAX, f64::min);
        println!(
            "  wall over {runs} runs: min {min:.1} ms, median {med:.1} ms = {:.2} round trips",
            med / ms(latency)
        );
        println!("  requests: {:?}", first.counts());
        println!("  timeline of the first (server side, from the join):");
        first.print_timeline(*t0);

        println!("\n-- 2. first full load through the app (render_once: DescribeLoadBalancers, then the panes), {runs} runs");
        let (first, t0, _) = &loads[0];
        report("first", first, latency);
        let med = median(loads.iter().map(|(r, _, _)| ms(r.wall)).collect());
        let min = loads.iter().map(|(r, _, _)| ms(r.wall)).fold(f64::MAX, f64::min);
        println!(
            "  wall over {runs} runs: min {min:.1} ms, median {med:.1} ms = {:.2} round trips",
            med / ms(latency)
        );
        println!("  requests: {:?}", first.counts());
        println!("  timeline of the first:");
        first.print_timeline(*t0);
        println!();
    });
}
