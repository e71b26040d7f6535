//! An HTTP proxy between the Rust SDK clients and moto.
//!
//! The current `aws-sdk-cloudwatch` and `aws-sdk-health` speak Smithy RPCv2 CBOR
//! (`POST /service/<ServiceId>/operation/<Op>`, `Content-Type: application/cbor`), which
//! moto 5.2.5 does not understand (it answers with an HTML 404). moto does understand the
//! same operations as AWS JSON 1.0 (`POST /`, `X-Amz-Target: <ServiceId>.<Op>`), so the
//! bridge decodes the CBOR body, re-sends it as JSON 1.0 and encodes the JSON reply back as
//! CBOR. Every other request (awsQuery, ec2Query, awsJson1.1, restJson1, moto's own API)
//! passes through untouched.
//!
//! The bridge records every request it forwards ([`Bridge::operations`]) and, when
//! `GRAYSCOPE_OPS_LOG` is set, appends `wire <service> <Operation>` to that file
//! (`wire-5xx` when the upstream answered with a server error).
//!
//! It runs on its own thread with its own tokio runtime, so one bridge can serve many
//! `#[tokio::test]`s (each of which has its own runtime). Dropping the [`Bridge`] stops it.
//!
//! The CBOR encoding of replies is driven by the member names in [`member_kind`]: the
//! SDK's CBOR deserializers are strict about types (a `double` member must be a CBOR
//! float, a timestamp must be tag 1, a blob a byte string), while JSON cannot tell `5`
//! from `5.0` and carries timestamps as plain numbers and blobs as base64 text.

#![allow(dead_code)]

use std::io::Read;
use std::net::TcpListener as StdTcpListener;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_types::date_time::{DateTime, Format};
use bytes::Bytes;
use ciborium::Value as Cbor;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Map as JsonMap, Number, Value as Json};
use tokio::sync::oneshot;

use super::ops;

/// How long the bridge waits for moto before answering 502.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// One request seen by the bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// SigV4 signing name from the `Authorization` credential scope (`monitoring`,
    /// `health`, `ec2`, `elasticloadbalancing`, `logs`, ...), or `unknown`.
    pub service: String,
    /// Operation name (`GetMetricData`, `DescribeAvailabilityZones`, ...); for requests
    /// that name no operation (restJson1, moto's API), `METHOD:/path`.
    pub operation: String,
    /// HTTP status the bridge answered with.
    pub status: u16,
}

/// A running bridge. Point SDK clients at [`Bridge::url`].
pub struct Bridge {
    /// Base URL of the bridge, `http://127.0.0.1:PORT`.
    pub url: String,
    ops: Arc<Mutex<Vec<Op>>>,
    faults: Arc<super::faults::Faults>,
    // Dropping the sender stops the accept loop and the bridge's runtime.
    _shutdown: oneshot::Sender<()>,
}

impl Bridge {
    /// The fault injector: `bridge.faults().next(n, "DescribeTargetHealth", Fault::Throttle)`
    /// makes the next `n` requests for that operation fail that way; it also counts and
    /// times every request by operation (see `tests/support/faults.rs`).
    pub fn faults(&self) -> &super::faults::Faults {
        &self.faults
    }

    /// Every request seen so far, in the order their replies were sent.
    pub fn operations(&self) -> Vec<Op> {
        self.ops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forget the requests recorded so far.
    pub fn clear_operations(&self) {
        self.ops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The operation names seen so far for one service (signing name), in order.
    pub fn operations_of(&self, service: &str) -> Vec<String> {
        self.operations()
            .into_iter()
            .filter(|op| op.service == service)
            .map(|op| op.operation)
            .collect()
    }
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge").field("url", &self.url).finish()
    }
}

/// Start a bridge on `127.0.0.1:<free port>` in front of `upstream` (e.g. moto's URL).
///
/// Panics if it cannot bind or start its thread (test setup failure).
pub fn start(upstream: &str) -> Bridge {
    let listener = StdTcpListener::bind("127.0.0.1:0").expect("bridge: cannot bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("bridge: cannot make the listener non-blocking");
    let addr = listener
        .local_addr()
        .expect("bridge: listener has no local address");
    let ops = Arc::new(Mutex::new(Vec::new()));
    let faults = Arc::new(super::faults::Faults::default());
    let thread_faults = Arc::clone(&faults);
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let upstream = upstream.trim_end_matches('/').to_string();
    let thread_ops = Arc::clone(&ops);
    std::thread::Builder::new()
        .name(format!("grayscope-bridge-{}", addr.port()))
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(err) => {
                    let _ = ready_tx.send(Err(format!("cannot build runtime: {err}")));
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(err) => {
                        let _ = ready_tx.send(Err(format!("cannot register listener: {err}")));
                        return;
                    }
                };
                let shared = Arc::new(Shared {
                    upstream,
                    client: Client::builder(TokioExecutor::new()).build_http(),
                    ops: thread_ops,
                    faults: thread_faults,
                });
                let _ = ready_tx.send(Ok(()));
                serve(listener, shared, shutdown_rx).await;
            });
        })
        .expect("bridge: cannot spawn its thread");
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(err)) => panic!("bridge: {err}"),
        Err(_) => panic!("bridge: its thread exited before starting"),
    }
    Bridge {
        url: format!("http://{addr}"),
        ops,
        faults,
        _shutdown: shutdown_tx,
    }
}

struct Shared {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    ops: Arc<Mutex<Vec<Op>>>,
    faults: Arc<super::faults::Faults>,
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let shared = Arc::clone(&shared);
                            async move { handle_with_faults(&shared, req).await }
                        });
                        let conn = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service);
                        if let Err(err) = conn.await {
                            eprintln!("bridge: connection error: {err}");
                        }
                    });
                }
                Err(err) => {
                    eprintln!("bridge: accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// [`handle`], unless a fault is due for the request's operation: then the fault's
/// answer (an error reply, a late one, a cut body, or no answer and a dropped connection).
async fn handle_with_faults(
    shared: &Shared,
    req: Request<Incoming>,
) -> Result<Response<super::faults::FaultBody>, std::io::Error> {
    use super::faults::{Fault, FaultBody};
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            return Ok(
                bad_gateway(format!("cannot read the request body: {err}")).map(FaultBody::whole)
            );
        }
    };
    let service = signing_service(&parts.headers).unwrap_or_else(|| "unknown".to_string());
    let (cbor, operation) = match cbor_route(&parts) {
        Some((_, operation)) => (true, operation),
        None => (false, passthrough_operation(&parts, &body)),
    };
    let json = parts.headers.contains_key("x-amz-target");
    let fault = shared.faults.arrived(&operation);
    let protocol = super::faults::Protocol::of(cbor, json, &service);
    let record_fault = |status: u16| {
        shared
            .ops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Op {
                service: service.clone(),
                operation: operation.clone(),
                status,
            });
    };
    match fault {
        None => {}
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Truncate) => {}
        Some(Fault::Reset) => {
            record_fault(0);
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "fault injected: connection reset",
            ));
        }
        Some(fault) => {
            let response = super::faults::reply(&fault, protocol);
            record_fault(response.status().as_u16());
            return Ok(response);
        }
    }
    let truncate = fault == Some(Fault::Truncate);
    let req = Request::from_parts(parts, Full::new(body));
    let response = handle_collected(shared, req, &service, &operation).await;
    if truncate {
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        return Ok(super::faults::truncated(Response::from_parts(parts, bytes)));
    }
    Ok(response.map(FaultBody::whole))
}

/// `handle` for a request whose body was read already.
async fn handle_collected(
    shared: &Shared,
    req: Request<Full<Bytes>>,
    service: &str,
    operation: &str,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let response = match cbor_route(&parts) {
        Some((service_id, operation)) => {
            forward_cbor(shared, &parts, body, &service_id, &operation).await
        }
        None => forward_untouched(shared, parts, body).await,
    };
    record(shared, service, operation, response.status());
    response
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let service = signing_service(&parts.headers).unwrap_or_else(|| "unknown".to_string());
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            let response = bad_gateway(format!("cannot read the request body: {err}"));
            let operation = format!("{}:{}", parts.method, parts.uri.path());
            record(shared, &service, &operation, response.status());
            return response;
        }
    };
    let (operation, response) = match cbor_route(&parts) {
        Some((service_id, operation)) => {
            let response = forward_cbor(shared, &parts, body, &service_id, &operation).await;
            (operation, response)
        }
        None => {
            let operation = passthrough_operation(&parts, &body);
            (operation, forward_untouched(shared, parts, body).await)
        }
    };
    record(shared, &service, &operation, response.status());
    response
}

fn record(shared: &Shared, service: &str, operation: &str, status: StatusCode) {
    shared
        .ops
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Op {
            service: service.to_string(),
            operation: operation.to_string(),
            status: status.as_u16(),
        });
    // A 5xx (moto answers operations it lacks with an HTML 500) proves the error path,
    // not the operation: the coverage table must not count it as wire-tested.
    let kind = if status.is_server_error() {
        "wire-5xx"
    } else {
        "wire"
    };
    ops::record(kind, service, operation);
}

fn bad_gateway(message: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!(
        "grayscope bridge: {message}\n"
    ))));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

// ---------------------------------------------------------------------------------------
// Request classification

/// The SigV4 signing name: `Credential=AKID/DATE/REGION/<service>/aws4_request`.
pub fn signing_service(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let scope = auth.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let service = scope.split('/').nth(3)?;
    (!service.is_empty()).then(|| service.to_string())
}

/// `(ServiceId, Operation)` for a Smithy RPCv2 CBOR request.
fn cbor_route(parts: &Parts) -> Option<(String, String)> {
    if parts.method != Method::POST {
        return None;
    }
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        let content_type = content_type.to_str().ok()?;
        if !content_type.trim().starts_with("application/cbor") {
            return None;
        }
    }
    let (service_id, operation) = parse_cbor_path(parts.uri.path())?;
    Some((service_id.to_string(), operation.to_string()))
}

/// Split `.../service/<ServiceId>/operation/<Op>` (a path prefix is allowed).
pub fn parse_cbor_path(path: &str) -> Option<(&str, &str)> {
    let start = path.rfind("/service/")?;
    let rest = &path[start + "/service/".len()..];
    let (service_id, rest) = rest.split_once('/')?;
    let operation = rest.strip_prefix("operation/")?;
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (valid(service_id) && valid(operation)).then_some((service_id, operation))
}

/// The operation named by a non-CBOR request: awsJson `X-Amz-Target`, awsQuery/ec2Query
/// `Action=` (query string or form body), else `METHOD:/path`.
fn passthrough_operation(parts: &Parts, body: &[u8]) -> String {
    if let Some(target) = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        let operation = target.rsplit('.').next().unwrap_or(target);
        if !operation.is_empty() {
            return operation.to_string();
        }
    }
    if let Some(action) = parts.uri.query().and_then(form_action) {
        return action;
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form && let Some(action) = std::str::from_utf8(body).ok().and_then(form_action) {
        return action;
    }
    format!("{}:{}", parts.method, parts.uri.path())
}

/// The `Action` parameter of an `application/x-www-form-urlencoded` string.
pub fn form_action(form: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (percent_decode(key) == "Action")
            .then(|| percent_decode(value))
            .filter(|v| !v.is_empty())
    })
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------
// Forwarding

/// Hop-by-hop headers, plus the ones hyper recomputes for a buffered body.
fn is_hop_header(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "content-length"
            | "expect"
    )
}

async fn send_upstream(
    shared: &Shared,
    request: Request<Full<Bytes>>,
) -> Result<(hyper::http::response::Parts, Bytes), String> {
    let response = tokio::time::timeout(UPSTREAM_TIMEOUT, shared.client.request(request))
        .await
        .map_err(|_| {
            format!(
                "upstream {} did not answer in {UPSTREAM_TIMEOUT:?}",
                shared.upstream
            )
        })?
        .map_err(|err| format!("upstream {} request failed: {err}", shared.upstream))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|err| format!("cannot read the upstream reply: {err}"))?
        .to_bytes();
    Ok((parts, body))
}

async fn forward_untouched(shared: &Shared, parts: Parts, body: Bytes) -> Response<Full<Bytes>> {
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let uri = format!("{}{}", shared.upstream, path_and_query);
    let mut builder = Request::builder().method(parts.method.clone()).uri(&uri);
    for (name, value) in &parts.headers {
        if !is_hop_header(name) {
            builder = builder.header(name, value);
        }
    }
    let request = match builder.body(Full::new(body)) {
        Ok(r) => r,
        Err(err) => {
            return bad_gateway(format!(
                "cannot build the upstream request for {uri}: {err}"
            ));
        }
    };
    let (up_parts, up_body) = match send_upstream(shared, request).await {
        Ok(reply) => reply,
        Err(err) => return bad_gateway(err),
    };
    let mut response = Response::new(Full::new(up_body));
    *response.status_mut() = up_parts.status;
    for (name, value) in &up_parts.headers {
        if !is_hop_header(name) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

async fn forward_cbor(
    shared: &Shared,
    parts: &Parts,
    body: Bytes,
    service_id: &str,
    operation: &str,
) -> Response<Full<Bytes>> {
    let body = match decode_content_encoding(&parts.headers, body) {
        Ok(b) => b,
        Err(err) => return bad_gateway(err),
    };
    let json = if body.is_empty() {
        Json::Object(JsonMap::new())
    } else {
        match ciborium::from_reader::<Cbor, _>(&body[..]) {
            Ok(value) => cbor_to_json(&value),
            Err(err) => return bad_gateway(format!("cannot decode the CBOR request body: {err}")),
        }
    };
    let json_body = match serde_json::to_vec(&json) {
        Ok(b) => b,
        Err(err) => return bad_gateway(format!("cannot encode the JSON request: {err}")),
    };
    let uri = format!("{}/", shared.upstream);
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(&uri)
        .header(header::CONTENT_TYPE, "application/x-amz-json-1.0")
        .header("x-amz-target", format!("{service_id}.{operation}"));
    for name in [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "user-agent",
    ] {
        for value in parts.headers.get_all(name) {
            builder = builder.header(name, value);
        }
    }
    let request = match builder.body(Full::new(Bytes::from(json_body))) {
        Ok(r) => r,
        Err(err) => return bad_gateway(format!("cannot build the upstream request: {err}")),
    };
    let (up_parts, up_body) = match send_upstream(shared, request).await {
        Ok(reply) => reply,
        Err(err) => return bad_gateway(err),
    };

    let parsed: Option<Json> = if up_body.iter().all(u8::is_ascii_whitespace) {
        Some(Json::Object(JsonMap::new()))
    } else {
        serde_json::from_slice(&up_body).ok()
    };
    let Some(reply) = parsed else {
        // Not JSON (moto's HTML 500 page for unimplemented operations): pass it on as is.
        let mut response = Response::new(Full::new(up_body));
        *response.status_mut() = up_parts.status;
        for (name, value) in &up_parts.headers {
            if !is_hop_header(name) {
                response.headers_mut().append(name, value.clone());
            }
        }
        return response;
    };
    let cbor = if up_parts.status.is_client_error() || up_parts.status.is_server_error() {
        error_to_cbor(&reply, error_type_header(&up_parts.headers).as_deref())
    } else {
        json_to_cbor(&reply)
    };
    let mut encoded = Vec::new();
    if let Err(err) = ciborium::into_writer(&cbor, &mut encoded) {
        return bad_gateway(format!("cannot encode the CBOR reply: {err}"));
    }
    let mut response = Response::new(Full::new(Bytes::from(encoded)));
    *response.status_mut() = up_parts.status;
    let headers = response.headers_mut();
    for (name, value) in &up_parts.headers {
        // x-amzn-requestid, x-amzn-query-error (the awsQuery-compatible error code the
        // CloudWatch SDK prefers over `__type`), ...
        if name.as_str().starts_with("x-amz") {
            headers.append(name, value.clone());
        }
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/cbor"),
    );
    headers.insert(
        HeaderName::from_static("smithy-protocol"),
        HeaderValue::from_static("rpc-v2-cbor"),
    );
    response
}

/// Undo `Content-Encoding: gzip` (the SDK compresses PutMetricData bodies over 10 KiB).
fn decode_content_encoding(headers: &HeaderMap, body: Bytes) -> Result<Bytes, String> {
    let encodings: Vec<String> = headers
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
        .collect();
    match encodings.as_slice() {
        [] => Ok(body),
        [gzip] if gzip == "gzip" => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut out)
                .map_err(|err| format!("cannot gunzip the request body: {err}"))?;
            Ok(Bytes::from(out))
        }
        other => Err(format!("unsupported Content-Encoding {other:?}")),
    }
}

fn error_type_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

// ---------------------------------------------------------------------------------------
// CBOR <-> JSON

/// Wire type of a reply member, where CBOR needs more than JSON says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// CBOR tag 1 around epoch seconds (int or float).
    Timestamp,
    /// CBOR float (the SDK rejects an integer for a `double`).
    Double,
    /// CBOR integer (the SDK rejects a float for an `integer`/`long`).
    Int,
    /// CBOR byte string (base64 text in JSON).
    Blob,
}

/// The wire type of a reply member of the CloudWatch and Health output shapes, by member
/// name. For a list or map member the kind applies to its elements / values.
///
/// Derived from the CBOR deserializers of aws-sdk-cloudwatch 1.140 and aws-sdk-health
/// 1.125 (`src/protocol_serde/shape_*.rs`): every member decoded with `timestamp()`,
/// `double()`, `integer()`/`long()` or `blob()`, directly or as list/map elements. No
/// name is used with two different types in those services.
pub fn member_kind(name: &str) -> Option<Kind> {
    Some(match name {
        // CloudWatch
        "AlarmConfigurationUpdatedTimestamp"
        | "CreatedAt"
        | "CreationDate"
        | "EndTime"
        | "ExpireDate"
        | "LastModified"
        | "LastUpdateDate"
        | "LastUpdatedTimestamp"
        | "StartDate"
        | "StartTime"
        | "StateTransitionedTimestamp"
        | "StateUpdatedTimestamp"
        | "Timestamp"
        | "Timestamps"
        | "UpdatedAt"
        // Health
        | "date"
        | "endTime"
        | "lastUpdatedTime"
        | "startTime" => Kind::Timestamp,
        "AggregateValue"
        | "ApproximateAggregateValue"
        | "ApproximateValue"
        | "Average"
        | "ExtendedStatistics"
        | "MaxContributorValue"
        | "Maximum"
        | "Minimum"
        | "SampleCount"
        | "Sum"
        | "Threshold"
        | "UniqueContributors"
        | "Values" => Kind::Double,
        "ActionLogLineCount"
        | "ActionsSuppressorExtensionPeriod"
        | "ActionsSuppressorWaitPeriod"
        | "ApproximateUniqueCount"
        | "DatapointsToAlarm"
        | "EndTimeOffset"
        | "EvaluationInterval"
        | "EvaluationPeriods"
        | "PendingPeriod"
        | "Period"
        | "QueryResultsToAlarm"
        | "QueryResultsToEvaluate"
        | "RecoveryPeriod"
        | "Size"
        | "StartTimeOffset"
        | "WarmUpPeriodDurationInMinutes"
        // Health
        | "count"
        | "statuses" => Kind::Int,
        "MetricWidgetImage" => Kind::Blob,
        _ => return None,
    })
}

/// A CBOR request body as the equivalent AWS JSON 1.0 value: tag-1 timestamps become
/// epoch-second numbers, byte strings base64 text, non-finite floats `"NaN"`,
/// `"Infinity"`, `"-Infinity"`.
pub fn cbor_to_json(value: &Cbor) -> Json {
    match value {
        Cbor::Integer(i) => integer_to_json(i128::from(*i)),
        Cbor::Float(f) => float_to_json(*f),
        Cbor::Bytes(b) => Json::String(aws_smithy_types::base64::encode(b)),
        Cbor::Text(s) => Json::String(s.clone()),
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Null => Json::Null,
        // Bignums (RFC 8949 3.4.3).
        Cbor::Tag(tag @ (2 | 3), inner) => match inner.as_ref() {
            Cbor::Bytes(bytes) if bytes.len() <= 15 => {
                let n = bytes
                    .iter()
                    .fold(0i128, |acc, b| (acc << 8) | i128::from(*b));
                integer_to_json(if *tag == 2 { n } else { -1 - n })
            }
            other => cbor_to_json(other),
        },
        // Tag 1 (epoch timestamp) and anything else: the content.
        Cbor::Tag(_, inner) => cbor_to_json(inner),
        Cbor::Array(items) => Json::Array(items.iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Cbor::Text(s) => s.clone(),
                        other => match cbor_to_json(other) {
                            Json::String(s) => s,
                            json => json.to_string(),
                        },
                    };
                    (key, cbor_to_json(v))
                })
                .collect(),
        ),
        _ => Json::Null,
    }
}

fn integer_to_json(i: i128) -> Json {
    if let Ok(v) = i64::try_from(i) {
        Json::from(v)
    } else if let Ok(v) = u64::try_from(i) {
        Json::from(v)
    } else {
        float_to_json(i as f64)
    }
}

fn float_to_json(f: f64) -> Json {
    match Number::from_f64(f) {
        Some(n) => Json::Number(n),
        None if f.is_nan() => Json::String("NaN".into()),
        None if f > 0.0 => Json::String("Infinity".into()),
        None => Json::String("-Infinity".into()),
    }
}

/// An AWS JSON 1.0 reply (a structure) as the CBOR the SDK expects, typed by
/// [`member_kind`]. `null` members are left out (absent and null mean the same).
pub fn json_to_cbor(value: &Json) -> Cbor {
    to_cbor(value, None)
}

fn to_cbor(value: &Json, kind: Option<Kind>) -> Cbor {
    match value {
        Json::Null => Cbor::Null,
        Json::Bool(b) => Cbor::Bool(*b),
        Json::Number(n) => number_to_cbor(n, kind),
        Json::String(s) => string_to_cbor(s, kind),
        Json::Array(items) => Cbor::Array(items.iter().map(|v| to_cbor(v, kind)).collect()),
        Json::Object(members) => Cbor::Map(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    // Inside a typed map (e.g. ExtendedStatistics) the keys are data.
                    let member = kind.or_else(|| member_kind(k));
                    (Cbor::Text(k.clone()), to_cbor(v, member))
                })
                .collect(),
        ),
    }
}

fn plain_number(n: &Number) -> Cbor {
    if let Some(i) = n.as_i64() {
        Cbor::Integer(i.into())
    } else if let Some(u) = n.as_u64() {
        Cbor::Integer(u.into())
    } else {
        Cbor::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn number_to_cbor(n: &Number, kind: Option<Kind>) -> Cbor {
    match kind {
        Some(Kind::Timestamp) => Cbor::Tag(1, Box::new(plain_number(n))),
        Some(Kind::Double) => Cbor::Float(n.as_f64().unwrap_or(f64::NAN)),
        Some(Kind::Int) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Cbor::Integer((f as i64).into())
            }
            _ => plain_number(n),
        },
        Some(Kind::Blob) | None => plain_number(n),
    }
}

fn string_to_cbor(s: &str, kind: Option<Kind>) -> Cbor {
    match kind {
        Some(Kind::Timestamp) => {
            let parsed = DateTime::from_str(s, Format::DateTime)
                .or_else(|_| DateTime::from_str(s, Format::HttpDate))
                .or_else(|_| DateTime::from_str(s, Format::EpochSeconds));
            match parsed {
                Ok(t) if t.subsec_nanos() == 0 => {
                    Cbor::Tag(1, Box::new(Cbor::Integer(t.secs().into())))
                }
                Ok(t) => Cbor::Tag(1, Box::new(Cbor::Float(t.as_secs_f64()))),
                Err(_) => Cbor::Text(s.to_string()),
            }
        }
        Some(Kind::Double) => match s {
            "NaN" => Cbor::Float(f64::NAN),
            "Infinity" => Cbor::Float(f64::INFINITY),
            "-Infinity" => Cbor::Float(f64::NEG_INFINITY),
            _ => s
                .parse::<f64>()
                .map(Cbor::Float)
                .unwrap_or_else(|_| Cbor::Text(s.to_string())),
        },
        Some(Kind::Blob) => match aws_smithy_types::base64::decode(s) {
            Ok(bytes) => Cbor::Bytes(bytes),
            Err(_) => Cbor::Text(s.to_string()),
        },
        Some(Kind::Int) | None => Cbor::Text(s.to_string()),
    }
}

/// A JSON error reply (`{"__type": "...#Shape", "message"|"Message": ...}`) as a Smithy
/// rpcv2Cbor error: `{"__type": "Shape", "message": ..., <other members>}`. The type falls
/// back to `X-Amzn-Errortype` when the body has none.
pub fn error_to_cbor(reply: &Json, error_type_header: Option<&str>) -> Cbor {
    let empty = JsonMap::new();
    let members = reply.as_object().unwrap_or(&empty);
    let error_type = members
        .get("__type")
        .and_then(Json::as_str)
        .or(error_type_header)
        .or_else(|| members.get("code").and_then(Json::as_str))
        .map(shape_name);
    let message = ["message", "Message", "errorMessage"]
        .iter()
        .find_map(|k| members.get(*k).and_then(Json::as_str));
    let mut entries = Vec::new();
    if let Some(error_type) = error_type {
        entries.push((
            Cbor::Text("__type".into()),
            Cbor::Text(error_type.to_string()),
        ));
    }
    if let Some(message) = message {
        entries.push((
            Cbor::Text("message".into()),
            Cbor::Text(message.to_string()),
        ));
    }
    for (key, value) in members {
        if matches!(
            key.as_str(),
            "__type" | "message" | "Message" | "errorMessage"
        ) || value.is_null()
        {
            continue;
        }
        entries.push((Cbor::Text(key.clone()), to_cbor(value, member_kind(key))));
    }
    Cbor::Map(entries)
}

/// `aws.protocoltests#FooError:http://...` -> `FooError`.
fn shape_name(error_type: &str) -> &str {
    let without_url = error_type.split(':').next().unwrap_or(error_type);
    without_url.rsplit('#').next().unwrap_or(without_url)
}
