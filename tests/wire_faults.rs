//! Wire faults become pane errors, never crashes.
//!
//! Three faults a live session meets, each on the real SDK clients over HTTP:
//! - an endpoint answering `500` with an HTML page (what moto does for an operation it
//!   lacks; here a tiny local server answers every request that way),
//! - a refused connection (a 127.0.0.1 port nobody listens on),
//! - an unknown host (`*.invalid` never resolves).
//!
//! For each, two set-ups, both from standard SDK configuration (per-test `SdkConfig`s,
//! one attempt, short timeouts):
//! - everything faulty (`AwsBackend::from_sdk_config` on the faulty endpoint, asked for
//!   a load balancer seeded in moto): the load-balancer and zone slots hold the error,
//!   the screen says so and is otherwise whole;
//! - only CloudWatch faulty, ELBv2 and EC2 through the bridge to moto with a seeded
//!   load balancer (`AwsBackend::from_clients`): the metrics slot holds the error while
//!   target health, zones and the verdict rows are still on screen.
//!
//! The app runs headless (`App::start` + `jobs::run_all` + `App::update`, as
//! `grayscope::render_once` does) and the screen is `ui::render` into a buffer.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_faults`; without
//! `MOTO_ENDPOINT` every test fails (never skips). moto is shared and never reset: each
//! test seeds its own VPC and load balancer under a unique name.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use bytes::Bytes;
use chrono::Utc;
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::{App, Mode};
use grayscope::backend::aws::{AwsBackend, AwsClients};
use grayscope::backend::{BackendError, Identity, Services};
use grayscope::keymap::Keymap;
use grayscope::model::targets::{TargetState, ZoneSource};
use grayscope::model::verdict::Level;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use support::bridge::{self, Bridge};
use support::seed::{Moto, unique};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

// ---------------------------------------------------------------------------------------
// Faulty endpoints

/// moto's page for an operation it does not implement, near enough.
const HTML_500: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n\
    <title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n\
    <p>The server encountered an internal error and was unable to complete your request.</p>\n";

/// A local HTTP server that answers every request with `500` and [`HTML_500`], and
/// remembers which operation each request named. It runs on the test's runtime and
/// stops with it.
struct Html500Server {
    url: String,
    operations: Arc<Mutex<Vec<String>>>,
}

impl Html500Server {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("500 server: cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("500 server: no local address");
        let operations = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&operations);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let seen = Arc::clone(&seen);
                        async move {
                            let path = req.uri().path().to_string();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            seen.lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(operation_of(&path, &body));
                            let mut response = Response::new(Full::new(Bytes::from(HTML_500)));
                            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                            response.headers_mut().insert(
                                CONTENT_TYPE,
                                HeaderValue::from_static("text/html; charset=utf-8"),
                            );
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            url: format!("http://{addr}"),
            operations,
        }
    }

    /// The operations asked so far, sorted.
    fn operations(&self) -> Vec<String> {
        let mut ops = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        ops.sort();
        ops
    }
}

/// The operation a request names: RPCv2 CBOR path, or `Action=` in a query form body.
fn operation_of(path: &str, body: &[u8]) -> String {
    if let Some((_, operation)) = bridge::parse_cbor_path(path) {
        return operation.to_string();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
        .unwrap_or_else(|| format!("?{path}"))
}

/// A 127.0.0.1 URL nobody listens on: a port the OS just handed out and took back.
fn refused_endpoint() -> String {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").expect("cannot bind 127.0.0.1:0 for a port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// `.invalid` is reserved never to resolve (RFC 2606).
const UNKNOWN_HOST: &str = "http://grayscope-no-such-host.invalid:1";

/// What a fault must become.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Html500,
    Refused,
    UnknownHost,
}

impl Fault {
    /// Asserts `err` is what this fault must turn into for `operation`.
    fn check(self, err: &BackendError, operation: &str) {
        match (self, err) {
            (Fault::Html500, _) => assert_eq!(
                err,
                &BackendError::Unsupported {
                    operation: operation.into(),
                    status: 500
                }
            ),
            (
                Fault::Refused,
                BackendError::Unreachable {
                    operation: op,
                    message,
                },
            ) => {
                assert_eq!(op, operation, "{err:?}");
                assert!(
                    message.to_lowercase().contains("connection refused"),
                    "{err:?}"
                );
            }
            (
                Fault::UnknownHost,
                BackendError::Unreachable {
                    operation: op,
                    message,
                }
                | BackendError::Timeout {
                    operation: op,
                    message,
                },
            ) => {
                assert_eq!(op, operation, "{err:?}");
                assert!(!message.trim().is_empty(), "{err:?}");
            }
            (fault, other) => panic!("{fault:?} on {operation} became {other:?}"),
        }
        let shown = err.to_string();
        assert!(shown.starts_with(&format!("{operation}: ")), "{shown}");
        assert!(
            !shown.contains('\n') && shown.chars().count() < 240,
            "one short line: {shown:?}"
        );
    }
}

/// One attempt per call and short timeouts: a fault is an answer within seconds.
fn test_config(endpoint: &str) -> SdkConfig {
    support::sdk_config(endpoint)
        .to_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(StdDuration::from_secs(2))
                .operation_attempt_timeout(StdDuration::from_secs(5))
                .operation_timeout(StdDuration::from_secs(5))
                .build(),
        )
        .build()
}

// ---------------------------------------------------------------------------------------
// Seeding moto (the mixed set-up)

struct Seeded {
    lb_name: String,
    /// Instance ID -> zone name.
    instance_zones: HashMap<String, String>,
    /// Zone name -> zone ID (moto's DescribeAvailabilityZones).
    zone_ids: HashMap<String, String>,
}

/// A VPC with a subnet and one instance in each of [`ZONES`], an ALB across them and an
/// instance target group with the instances registered. Straight at moto.
async fn seed() -> Seeded {
    let seeder = Moto::direct();
    let zone_ids = seeder.zone_ids().await;
    let vpc_id = seeder.create_vpc("10.43.0.0/16").await;
    let mut subnets = Vec::new();
    let mut instance_zones = HashMap::new();
    for (z, zone) in ZONES.iter().enumerate() {
        let subnet = seeder
            .create_subnet(&vpc_id, format!("10.43.{z}.0/24"), zone)
            .await;
        for instance in seeder.run_instances(&subnet, 1).await {
            let id = instance.instance_id().expect("seed: instance ID");
            instance_zones.insert(id.to_string(), zone.to_string());
        }
        subnets.push(subnet);
    }

    let lb_name = unique("gs-fault");
    let lb_arn = seeder.create_alb(&lb_name, None, subnets).await;
    let group_arn = seeder
        .create_target_group(
            &unique("gs-fault-tg"),
            80,
            &vpc_id,
            TargetTypeEnum::Instance,
        )
        .await;
    seeder.forward(&lb_arn, 80, &group_arn).await;
    seeder
        .register_targets(
            &group_arn,
            instance_zones.keys(),
            80,
            "seed: RegisterTargets",
        )
        .await;

    Seeded {
        lb_name,
        instance_zones,
        zone_ids,
    }
}

/// ELBv2 and EC2 through `bridge` to moto; CloudWatch at `cloudwatch_endpoint`. All
/// from one standard `SdkConfig`, CloudWatch's endpoint overridden in its own config.
fn mixed_backend(bridge: &Bridge, cloudwatch_endpoint: &str) -> AwsBackend {
    let good = test_config(&bridge.url);
    let cloudwatch = aws_sdk_cloudwatch::config::Builder::from(&good)
        .endpoint_url(cloudwatch_endpoint)
        .build();
    let clients = AwsClients {
        ec2: aws_sdk_ec2::Client::new(&good),
        elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&good),
        cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch),
        health: aws_sdk_health::Client::new(&good),
        health_failover: aws_sdk_health::Client::new(&good),
        logs: aws_sdk_cloudwatchlogs::Client::new(&good),
        arc: aws_sdk_arczonalshift::Client::new(&good),
        athena: aws_sdk_athena::Client::new(&good),
    };
    AwsBackend::from_clients(
        clients,
        Identity {
            region: Some("us-east-1".into()),
            profile: None,
        },
    )
}

// ---------------------------------------------------------------------------------------
// The app, headless

/// Starts the app watching `wanted` and feeds it every backend result until it asks for
/// nothing more (what `grayscope::render_once` does, keeping the app to look at).
async fn run_app(wanted: &str, backend: AwsBackend) -> App {
    let mut app = App::new(
        Mode::Live,
        Keymap::defaults(),
        vec![wanted.to_string()],
        chrono::Duration::seconds(30),
        Utc::now(),
    );
    let services = Services::from_backend(std::sync::Arc::new(backend));
    grayscope::load_all(&mut app, &services, grayscope::clock::Clock::System).await;
    app
}

fn az(app: &App) -> &AzPane {
    app.pane::<AzPane>().expect("AZ pane")
}

/// The screen as the terminal would show it.
struct Screen {
    buf: Buffer,
    text: String,
    areas: grayscope::ui::Areas,
}

impl Screen {
    fn of(app: &App) -> Self {
        let area = Rect::new(0, 0, WIDTH, HEIGHT);
        let mut buf = Buffer::empty(area);
        grayscope::ui::render(area, &mut buf, app);
        let text = grayscope::ui::export::to_text(&buf);
        Self {
            buf,
            text,
            areas: grayscope::ui::layout(area, app.panes.len()),
        }
    }

    fn row(&self, rect: Rect, y: u16) -> String {
        (rect.left()..rect.right())
            .map(|x| self.buf[(x, y)].symbol())
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    /// The rows of `rect` inside its border.
    fn inside(&self, rect: Rect) -> Vec<String> {
        let inner = Rect {
            x: rect.x + 1,
            y: rect.y + 1,
            width: rect.width.saturating_sub(2),
            height: rect.height.saturating_sub(2),
        };
        (inner.top()..inner.bottom())
            .map(|y| self.row(inner, y))
            .collect()
    }

    /// Whether `rect`'s inside shows `want`, wrapped over rows or not (compared without
    /// whitespace, which wrapping moves around).
    fn shows(&self, rect: Rect, want: &str) -> bool {
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        squeeze(&self.inside(rect).concat()).contains(&squeeze(want))
    }

    /// The header, the panes' frames and the hint line are all drawn.
    fn assert_whole(&self) {
        let a = &self.areas;
        let header = self.row(a.header, a.header.y);
        for want in ["grayscope", "LIVE", "us-east-1", "ask first"] {
            assert!(
                header.contains(want),
                "header lacks {want:?}:\n{}",
                self.text
            );
        }
        assert!(!a.panes.is_empty());
        for (i, rect) in a.panes.iter().enumerate() {
            let number = format!(" {} ", i + 1);
            assert!(
                self.row(*rect, rect.y).contains(&number),
                "pane {number:?} frame missing:\n{}",
                self.text
            );
        }
        let detail = format!("{} Detail", a.panes.len() + 1);
        assert!(
            self.row(a.detail, a.detail.y).contains(&detail),
            "{detail:?} frame missing:\n{}",
            self.text
        );
        let hints = self.row(a.hints, a.hints.y);
        for want in ["? help", "q quit", "r refresh"] {
            assert!(
                hints.contains(want),
                "hint line lacks {want:?}:\n{}",
                self.text
            );
        }
    }

    /// The AZ pane shows `⚠ <slot> failed ...: <err>`.
    fn assert_pane_error(&self, slot: &str, err: &BackendError) {
        let az = self.areas.panes[0];
        assert!(
            self.inside(az)
                .iter()
                .any(|r| r.starts_with(&format!("⚠ {slot} failed "))),
            "no ⚠ line for {slot}:\n{}",
            self.text
        );
        assert!(
            self.shows(az, &err.to_string()),
            "the AZ pane does not show {err}:\n{}",
            self.text
        );
    }
}

// ---------------------------------------------------------------------------------------
// Everything faulty

async fn everything_faulty(fault: Fault, endpoint: &str) {
    // The load balancer exists (in moto); only the way to it is broken.
    let seeded = seed().await;
    let backend = AwsBackend::from_sdk_config(&test_config(endpoint));
    let app = run_app(&seeded.lb_name, backend).await;
    let screen = Screen::of(&app);

    // Nothing hides the failures.
    assert_eq!(
        app.shared.identity.get().and_then(|i| i.region.as_deref()),
        Some("us-east-1")
    );
    let (lb_err, _) = app
        .shared
        .load_balancers
        .error
        .as_ref()
        .expect("the load-balancer slot holds the error");
    fault.check(lb_err, "DescribeLoadBalancers");
    assert!(app.shared.load_balancers.get().is_none() && !app.shared.load_balancers.loading);
    let (zones_err, _) = app
        .shared
        .zones
        .error
        .as_ref()
        .expect("the zones slot holds the error");
    fault.check(zones_err, "DescribeAvailabilityZones");
    assert!(app.shared.zones.get().is_none() && !app.shared.zones.loading);
    assert!(app.shared.selected.is_empty());
    for (slot, loading, failed) in [
        (
            "health",
            az(&app).health.loading,
            az(&app).health.error.is_some(),
        ),
        (
            "metrics",
            az(&app).metrics.loading,
            az(&app).metrics.error.is_some(),
        ),
    ] {
        assert!(!loading && !failed, "{slot} was never asked for");
    }

    screen.assert_whole();
    screen.assert_pane_error("load balancers", lb_err);
    screen.assert_pane_error("zones", zones_err);
    assert!(
        screen.shows(
            screen.areas.panes[0],
            &format!(
                "Could not list load balancers (below). Press {} to retry.",
                app.shared.keymap.keys_text(Action::Refresh)
            )
        ),
        "{}",
        screen.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_html_500_everywhere_is_unsupported_in_each_slot() {
    let server = Html500Server::start().await;
    everything_faulty(Fault::Html500, &server.url).await;
    // One attempt per call, no retries of a 500 (the two Health calls are the Health
    // pane's first load, each once).
    assert_eq!(
        server.operations(),
        [
            "DescribeAvailabilityZones",
            "DescribeEvents",
            "DescribeHealthServiceStatusForOrganization",
            "DescribeLoadBalancers"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_refused_connection_everywhere_is_unreachable_in_each_slot() {
    everything_faulty(Fault::Refused, &refused_endpoint()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_unknown_host_everywhere_is_unreachable_in_each_slot() {
    everything_faulty(Fault::UnknownHost, UNKNOWN_HOST).await;
}

// ---------------------------------------------------------------------------------------
// Only CloudWatch faulty

async fn cloudwatch_faulty(fault: Fault, endpoint: &str) {
    let seeded = seed().await;
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = mixed_backend(&bridge, endpoint);
    let app = run_app(&seeded.lb_name, backend).await;
    let screen = Screen::of(&app);

    // The metrics slot holds the error, and only it.
    let (err, _) = az(&app)
        .metrics
        .error
        .as_ref()
        .expect("the metrics slot holds the error");
    fault.check(err, "GetMetricData");
    assert!(az(&app).metrics.get().is_none() && !az(&app).metrics.loading);
    for (slot, failed) in [
        ("load balancers", &app.shared.load_balancers.error),
        ("zones", &app.shared.zones.error),
        ("health", &az(&app).health.error),
    ] {
        assert!(failed.is_none(), "{slot} failed too: {failed:?}");
    }

    // Everything else loaded: the load balancer, zones, every target with its zone.
    assert_eq!(
        app.shared
            .selected
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        [seeded.lb_name.as_str()]
    );
    assert!(
        app.shared
            .zones
            .get()
            .is_some_and(|z| z.len() >= ZONES.len())
    );
    let health = az(&app).health.get().expect("target health loaded");
    let targets: BTreeMap<&str, (&str, ZoneSource, &TargetState)> = health
        .iter()
        .flat_map(|g| &g.targets)
        .map(|t| {
            (
                t.id.as_str(),
                (
                    t.zone_name.as_deref().unwrap_or("?"),
                    t.zone_source,
                    &t.state,
                ),
            )
        })
        .collect();
    let want: BTreeMap<&str, (&str, ZoneSource, &TargetState)> = seeded
        .instance_zones
        .iter()
        .map(|(id, zone)| {
            (
                id.as_str(),
                (zone.as_str(), ZoneSource::Instance, &TargetState::Healthy),
            )
        })
        .collect();
    assert_eq!(targets, want);

    // Without metrics each zone is judged on target health alone.
    assert_eq!(
        az(&app)
            .summaries
            .iter()
            .map(|s| (s.zone_name.as_str(), s.zone_id.as_str(), s.level()))
            .collect::<Vec<_>>(),
        ZONES
            .iter()
            .map(|z| (*z, seeded.zone_ids[*z].as_str(), Level::Unknown))
            .collect::<Vec<_>>()
    );

    // On screen: the error on the AZ pane, and the rows, status and detail still there.
    screen.assert_whole();
    screen.assert_pane_error("metrics", err);
    let az = screen.inside(screen.areas.panes[0]);
    for zone in ZONES {
        let id = &seeded.zone_ids[zone];
        let row = az
            .iter()
            .find(|r| r.trim_start().starts_with(&format!("{zone} {id} ")))
            .unwrap_or_else(|| panic!("no row for {zone} ({id}):\n{}", screen.text));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells.get(2..4),
            Some(&["UNKNOWN", "1"][..]),
            "{row}\n{}",
            screen.text
        );
    }
    assert!(
        screen.shows(
            screen.areas.panes[0],
            "all 1 target healthy, but no metrics: a gray failure cannot be ruled out"
        ),
        "{}",
        screen.text
    );
    let bottom = screen.row(screen.areas.panes[0], screen.areas.panes[0].bottom() - 1);
    assert!(
        bottom.contains("metrics failed")
            && !bottom.contains("targets failed")
            && !bottom.contains("zones failed"),
        "status line: {bottom}"
    );
    let first = ZONES[0];
    assert!(
        screen.shows(
            screen.areas.detail,
            &format!("{first} · {}", seeded.zone_ids[first])
        ),
        "detail pane:\n{}",
        screen.text
    );

    // ELBv2 and EC2 went over the wire to moto; CloudWatch never reached the bridge.
    let ops = bridge.operations();
    for (service, operation) in [
        ("elasticloadbalancing", "DescribeLoadBalancers"),
        ("elasticloadbalancing", "DescribeTargetGroups"),
        ("elasticloadbalancing", "DescribeTargetHealth"),
        ("ec2", "DescribeInstances"),
        ("ec2", "DescribeAvailabilityZones"),
    ] {
        assert!(
            ops.iter()
                .any(|o| o.service == service && o.operation == operation && o.status == 200),
            "{service} {operation} missing: {ops:?}"
        );
    }
    assert!(
        ops.iter().all(|o| o.service != "monitoring"),
        "CloudWatch went to the bridge: {ops:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_html_500_from_cloudwatch_only_fails_the_metrics_and_keeps_the_rest() {
    let server = Html500Server::start().await;
    cloudwatch_faulty(Fault::Html500, &server.url).await;
    // One attempt per call, no retries of a 500: the AZ pane's GetMetricData, and the
    // anomaly-bands pane's own GetMetricData and DescribeAnomalyDetectors. The bands
    // pane may load a second time when the AZ pane publishes the zone it follows (a
    // race: the first load is cancelled before or after its request went out), so its
    // chart is asked once or twice, never more.
    let ops = server.operations();
    let count = |name: &str| ops.iter().filter(|o| *o == name).count();
    assert_eq!(count("DescribeAnomalyDetectors"), 1, "{ops:?}");
    assert!((2..=3).contains(&count("GetMetricData")), "{ops:?}");
    assert_eq!(
        ops.len(),
        1 + count("GetMetricData"),
        "nothing else: {ops:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_refused_cloudwatch_only_fails_the_metrics_and_keeps_the_rest() {
    cloudwatch_faulty(Fault::Refused, &refused_endpoint()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_unknown_cloudwatch_host_only_fails_the_metrics_and_keeps_the_rest() {
    cloudwatch_faulty(Fault::UnknownHost, UNKNOWN_HOST).await;
}
