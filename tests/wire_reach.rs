//! Reachability through the real SDK client at the wire. moto answers
//! DescribeNetworkInterfaces and DescribeSecurityGroupRules (seeded VPC, subnets,
//! security group, interfaces) but has no Network Insights, so a small server here
//! answers those calls with real-shaped ec2Query XML and passes every other request to
//! moto. The view runs the whole sequence (resolve, create path, start, poll, explain)
//! and every Create and Delete is counted at the wire: everything created is deleted on
//! close and on exit; read-only sends no create at all.
//!
//! Needs moto: `scripts/with-moto cargo test --test wire_reach`.

mod support;

use bytes::Bytes;
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::panes::reach::ReachView;
use grayscope::app::{App, Mode, Msg, Pane};
use grayscope::backend::Services;
use grayscope::backend::aws::AwsBackend;
use grayscope::jobs::Jobs;
use grayscope::keymap::Keymap;
use grayscope::model::reach::{AnalysisStatus, ReachRequest, explain};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::seed::Moto;
use tokio::sync::mpsc::UnboundedReceiver;

const NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// What the Network Insights stand-in holds and saw.
#[derive(Default)]
struct Insights {
    next: u32,
    /// path id -> (source, destination, protocol, port, tagged by grayscope)
    paths: HashMap<String, (String, String, String, String, bool)>,
    /// analysis id -> (path id, polls)
    analyses: HashMap<String, (String, u32)>,
    /// Every Network Insights action, with the id it was about.
    seen: Vec<String>,
    /// The security group the explanation names (seeded in moto).
    blocking_group: String,
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let h = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?');
                out.push(h);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn comp(id: &str) -> String {
    format!("<id>{id}</id><arn>arn:aws:ec2:us-east-1:123456789012:x/{id}</arn>")
}

fn path_xml(id: &str, p: &(String, String, String, String, bool)) -> String {
    let tags = if p.4 {
        "<tagSet><item><key>created-by</key><value>grayscope</value></item></tagSet>"
    } else {
        ""
    };
    format!(
        "<networkInsightsPathId>{id}</networkInsightsPathId><networkInsightsPathArn>arn:aws:ec2:us-east-1:123456789012:network-insights-path/{id}</networkInsightsPathArn><source>{}</source><destination>{}</destination><protocol>{}</protocol><destinationPort>{}</destinationPort>{tags}",
        p.0, p.1, p.2, p.3
    )
}

fn reply(action: &str, inner: &str) -> (u16, String) {
    (
        200,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><{action}Response xmlns="{NS}"><requestId>req-1</requestId>{inner}</{action}Response>"#
        ),
    )
}

fn not_found(code: &str, id: &str) -> (u16, String) {
    (
        400,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{id} does not exist</Message></Error></Errors><RequestID>req-2</RequestID></Response>"#
        ),
    )
}

/// Answers one Network Insights action, or `None` for moto's.
fn answer(
    state: &Mutex<Insights>,
    action: &str,
    f: &HashMap<String, String>,
) -> Option<(u16, String)> {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    Some(match action {
        "CreateNetworkInsightsPath" => {
            s.next += 1;
            let id = format!("nip-0000000000000wire{}", s.next);
            let tagged = f
                .iter()
                .any(|(k, v)| k.starts_with("TagSpecification.1.Tag") && v == "created-by");
            let p = (
                get("Source"),
                get("Destination"),
                get("Protocol"),
                get("DestinationPort"),
                tagged,
            );
            let xml = path_xml(&id, &p);
            s.paths.insert(id.clone(), p);
            s.seen.push(format!("{action} {id}"));
            reply(
                action,
                &format!("<networkInsightsPath>{xml}</networkInsightsPath>"),
            )
        }
        "DescribeNetworkInsightsPaths" => {
            s.seen.push(action.to_string());
            let items: String = s
                .paths
                .iter()
                .map(|(id, p)| format!("<item>{}</item>", path_xml(id, p)))
                .collect();
            reply(
                action,
                &format!("<networkInsightsPathSet>{items}</networkInsightsPathSet>"),
            )
        }
        "StartNetworkInsightsAnalysis" => {
            let path = get("NetworkInsightsPathId");
            if !s.paths.contains_key(&path) {
                return Some(not_found("InvalidNetworkInsightsPathId.NotFound", &path));
            }
            s.next += 1;
            let id = format!("nia-000000000000wire{}", s.next);
            s.analyses.insert(id.clone(), (path.clone(), 0));
            s.seen.push(format!("{action} {id}"));
            reply(
                action,
                &format!(
                    "<networkInsightsAnalysis><networkInsightsAnalysisId>{id}</networkInsightsAnalysisId><networkInsightsAnalysisArn>arn:aws:ec2:us-east-1:123456789012:network-insights-analysis/{id}</networkInsightsAnalysisArn><networkInsightsPathId>{path}</networkInsightsPathId><status>running</status></networkInsightsAnalysis>"
                ),
            )
        }
        "DescribeNetworkInsightsAnalyses" => {
            let id = get("NetworkInsightsAnalysisId.1");
            s.seen.push(format!("{action} {id}"));
            let group = s.blocking_group.clone();
            let Some((path, polls)) = s.analyses.get_mut(&id) else {
                return Some(reply(action, "<networkInsightsAnalysisSet/>"));
            };
            *polls += 1;
            let (path, polls) = (path.clone(), *polls);
            let dest = s
                .paths
                .get(path.as_str())
                .map(|p| p.1.clone())
                .unwrap_or_default();
            let body = if polls == 1 {
                "<status>running</status>".to_string()
            } else {
                format!(
                    "<status>succeeded</status><networkPathFound>false</networkPathFound><explanationSet><item><explanationCode>ENI_SG_RULES_MISMATCH</explanationCode><direction>ingress</direction><networkInterface>{}</networkInterface><securityGroupSet><item>{}<name>db-sg</name></item></securityGroupSet></item></explanationSet>",
                    comp(&dest),
                    comp(&group)
                )
            };
            reply(
                action,
                &format!(
                    "<networkInsightsAnalysisSet><item><networkInsightsAnalysisId>{id}</networkInsightsAnalysisId><networkInsightsAnalysisArn>arn:aws:ec2:us-east-1:123456789012:network-insights-analysis/{id}</networkInsightsAnalysisArn><networkInsightsPathId>{path}</networkInsightsPathId>{body}</item></networkInsightsAnalysisSet>"
                ),
            )
        }
        "DeleteNetworkInsightsAnalysis" => {
            let id = get("NetworkInsightsAnalysisId");
            s.seen.push(format!("{action} {id}"));
            if s.analyses.remove(&id).is_none() {
                return Some(not_found("InvalidNetworkInsightsAnalysisId.NotFound", &id));
            }
            reply(
                action,
                &format!("<networkInsightsAnalysisId>{id}</networkInsightsAnalysisId>"),
            )
        }
        "DeleteNetworkInsightsPath" => {
            let id = get("NetworkInsightsPathId");
            s.seen.push(format!("{action} {id}"));
            if s.analyses.values().any(|(p, _)| *p == id) {
                return Some((
                    400,
                    r#"<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>DependencyViolation</Code><Message>the path has analyses</Message></Error></Errors><RequestID>req-3</RequestID></Response>"#.into(),
                ));
            }
            if s.paths.remove(&id).is_none() {
                return Some(not_found("InvalidNetworkInsightsPathId.NotFound", &id));
            }
            reply(
                action,
                &format!("<networkInsightsPathId>{id}</networkInsightsPathId>"),
            )
        }
        _ => return None,
    })
}

/// Starts the stand-in in front of moto; its URL.
async fn start(state: Arc<Mutex<Insights>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let moto = support::moto_endpoint();
    tokio::spawn(async move {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        while let Ok((stream, _)) = listener.accept().await {
            let (state, moto, client) = (state.clone(), moto.clone(), client.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let (state, moto, client) = (state.clone(), moto.clone(), client.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let f = form(&String::from_utf8_lossy(&body));
                        let action = f.get("Action").cloned().unwrap_or_default();
                        // The coverage table's "wire" column (GRAYSCOPE_OPS_LOG).
                        support::ops::record("wire", "ec2", &action);
                        if let Some((status, xml)) = answer(&state, &action, &f) {
                            let r = Response::builder()
                                .status(status)
                                .header("content-type", "text/xml")
                                .body(Full::new(Bytes::from(xml)))
                                .expect("response");
                            return Ok::<_, std::convert::Infallible>(r);
                        }
                        let uri = format!(
                            "{moto}{}",
                            parts
                                .uri
                                .path_and_query()
                                .map(|p| p.as_str())
                                .unwrap_or("/")
                        );
                        let mut up = Request::builder().method(parts.method).uri(uri);
                        for (k, v) in &parts.headers {
                            if k != "host" {
                                up = up.header(k, v);
                            }
                        }
                        let up = up.body(Full::new(body)).expect("upstream request");
                        let r = match client.request(up).await {
                            Ok(r) => {
                                let (p, b) = r.into_parts();
                                let b = b.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                                Response::from_parts(p, Full::new(b))
                            }
                            Err(e) => Response::builder()
                                .status(502)
                                .body(Full::new(Bytes::from(e.to_string())))
                                .expect("502"),
                        };
                        Ok(r)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

struct Seeded {
    src_ip: String,
    dst_ip: String,
    src_eni: String,
    dst_eni: String,
    group: String,
}

/// A VPC 10.n.0.0/16 in moto with an app interface in 10.n.12.0/24 and a database
/// interface whose group allows tcp/5432 only from 10.n.10.0/24 and 10.n.11.0/24.
async fn seed(n: u8) -> Seeded {
    let moto = Moto::direct();
    let vpc = moto.create_vpc(&format!("10.{n}.0.0/16")).await;
    let app = moto
        .create_subnet(&vpc, format!("10.{n}.12.0/24"), "us-east-1b")
        .await;
    let db = moto
        .create_subnet(&vpc, format!("10.{n}.20.0/24"), "us-east-1a")
        .await;
    let group = moto
        .ec2
        .create_security_group()
        .group_name(support::seed::unique("db-sg"))
        .description("orders database")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id
        .expect("group id");
    for cidr in [format!("10.{n}.10.0/24"), format!("10.{n}.11.0/24")] {
        moto.ec2
            .authorize_security_group_ingress()
            .group_id(&group)
            .ip_protocol("tcp")
            .from_port(5432)
            .to_port(5432)
            .cidr_ip(cidr)
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    }
    let eni = |subnet: String, ip: String, groups: Vec<String>, desc: &'static str| {
        let ec2 = moto.ec2.clone();
        async move {
            ec2.create_network_interface()
                .subnet_id(subnet)
                .private_ip_address(ip)
                .set_groups(Some(groups))
                .description(desc)
                .send()
                .await
                .expect("CreateNetworkInterface")
                .network_interface
                .and_then(|n| n.network_interface_id)
                .expect("eni id")
        }
    };
    let (src_ip, dst_ip) = (format!("10.{n}.12.7"), format!("10.{n}.20.5"));
    let src_eni = eni(app, src_ip.clone(), Vec::new(), "app").await;
    let dst_eni = eni(
        db,
        dst_ip.clone(),
        vec![group.clone()],
        "RDSNetworkInterface",
    )
    .await;
    Seeded {
        src_ip,
        dst_ip,
        src_eni,
        dst_eni,
        group,
    }
}

struct Run {
    app: App,
    view: ReachView,
    jobs: Jobs,
    rx: UnboundedReceiver<Msg>,
    state: Arc<Mutex<Insights>>,
    seeded: Seeded,
}

async fn run(read_only: bool, n: u8) -> Run {
    let seeded = seed(n).await;
    let state = Arc::new(Mutex::new(Insights {
        blocking_group: seeded.group.clone(),
        ..Default::default()
    }));
    let url = start(state.clone()).await;
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&url));
    let services = Services::from_backend(Arc::new(backend));
    let mut app = App::with_panes(
        Mode::Live,
        Keymap::defaults(),
        Vec::new(),
        chrono::Duration::seconds(30),
        chrono::Utc::now(),
        vec![Box::new(AzPane::default())],
    );
    app.shared.read_only = read_only;
    let (jobs, rx) = Jobs::with_channel(services);
    let request = ReachRequest::new(
        &seeded.src_ip,
        &seeded.dst_ip,
        Some(5432),
        Some(6),
        None,
        None,
    );
    let view = ReachView::new(request);
    let mut r = Run {
        app,
        view,
        jobs,
        rx,
        state,
        seeded,
    };
    let e = r.view.watch(&r.app.shared);
    r.jobs.apply_all(e);
    r.settle().await;
    r
}

impl Run {
    async fn settle(&mut self) {
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(4), self.rx.recv()).await
        {
            if let Msg::Job(m) = msg {
                let e = self.view.on_job(m, &self.app.shared);
                self.jobs.apply_all(e);
            }
        }
    }

    async fn analyse(&mut self) {
        let e = self
            .view
            .on_action(Action::Act, &self.app.shared)
            .unwrap_or_default();
        self.jobs.apply_all(e);
        let c = self.view.take_confirm().expect("asks first");
        let e = self.view.confirmed(c.id, true, &self.app.shared);
        self.jobs.apply_all(e);
        self.settle().await;
    }

    fn seen(&self, prefix: &str) -> Vec<String> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.seen
            .iter()
            .filter(|x| x.starts_with(prefix))
            .cloned()
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sequence_at_the_wire_and_close_deletes_every_created_id() {
    let mut r = run(false, 41).await;
    let src = r
        .view
        .source
        .get()
        .cloned()
        .flatten()
        .expect("source from moto");
    assert_eq!(src.interface_id, r.seeded.src_eni);
    assert!(!src.subnet_id.is_empty());
    let dst = r
        .view
        .destination
        .get()
        .cloned()
        .flatten()
        .expect("destination from moto");
    assert_eq!(dst.interface_id, r.seeded.dst_eni);
    r.analyse().await;
    let done = r.view.history.first().expect("a result").analysis.clone();
    assert_eq!(done.status, AnalysisStatus::Succeeded);
    assert_eq!(done.path_found, Some(false));
    // The rules came from moto's DescribeSecurityGroupRules.
    let words = explain(&done.explanations[0], &r.view.request);
    assert!(
        words.contains(&format!("allows tcp/5432 only from 10.41.10.0/24 and 10.41.11.0/24; the source {} is in neither", r.seeded.src_ip)),
        "{words}"
    );
    let created = r.seen("CreateNetworkInsightsPath");
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(
        r.seen("DescribeNetworkInsightsAnalyses").len() >= 2,
        "polled until done"
    );
    // A second run reuses the path.
    r.analyse().await;
    assert_eq!(r.seen("CreateNetworkInsightsPath").len(), 1);
    assert_eq!(r.seen("StartNetworkInsightsAnalysis").len(), 2);
    // Close: every created id is deleted, analyses before the path.
    let e = r.view.close(&r.app.shared);
    r.jobs.apply_all(e);
    assert_eq!(r.jobs.shutdown(Duration::from_secs(10)).await, 0);
    let started: Vec<String> = r
        .seen("StartNetworkInsightsAnalysis")
        .iter()
        .map(|s| {
            s.replace(
                "StartNetworkInsightsAnalysis",
                "DeleteNetworkInsightsAnalysis",
            )
        })
        .collect();
    assert_eq!(r.seen("DeleteNetworkInsightsAnalysis"), started);
    let path = created[0].replace("CreateNetworkInsightsPath", "DeleteNetworkInsightsPath");
    assert_eq!(r.seen("DeleteNetworkInsightsPath"), [path]);
    let s = r.state.lock().unwrap_or_else(|p| p.into_inner());
    assert!(s.paths.is_empty() && s.analyses.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_without_closing_deletes_everything_too() {
    let mut r = run(false, 42).await;
    r.analyse().await;
    assert_eq!(r.seen("DeleteNetwork").len(), 0);
    assert_eq!(r.jobs.shutdown(Duration::from_secs(10)).await, 0);
    assert_eq!(r.seen("DeleteNetworkInsightsAnalysis").len(), 1);
    assert_eq!(r.seen("DeleteNetworkInsightsPath").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_create_at_all() {
    let mut r = run(true, 43).await;
    let e = r
        .view
        .on_action(Action::Act, &r.app.shared)
        .unwrap_or_default();
    r.jobs.apply_all(e);
    assert!(r.view.take_confirm().is_none());
    r.settle().await;
    assert_eq!(r.jobs.shutdown(Duration::from_secs(5)).await, 0);
    let s = r.state.lock().unwrap_or_else(|p| p.into_inner());
    assert!(s.seen.is_empty(), "no Network Insights call: {:?}", s.seen);
}
