//! Fault injection in the bridge (tests/support/bridge.rs): any test can say "the next
//! N requests for operation X get fault F", and count when each request arrived.
//!
//! The faults a degraded AWS shows during an incident:
//! - [`Fault::Throttle`]: the service's own throttling error, in its protocol's shape
//!   (awsQuery `Throttling`, ec2Query `RequestLimitExceeded` with 503, JSON and CBOR
//!   `ThrottlingException`);
//! - [`Fault::TooManyRequests`]: a bare HTTP 429;
//! - [`Fault::ServerError`]: a 5xx with a plain-text body;
//! - [`Fault::Slow`]: the real reply, but only after a delay longer than the client's
//!   attempt timeout;
//! - [`Fault::Reset`]: no reply, the connection dropped;
//! - [`Fault::Truncate`]: the real reply's headers, then half its body and the
//!   connection dropped;
//! - [`Fault::Code`]: any error code (ExpiredToken, AccessDenied...) in the protocol's
//!   error shape.
//!
//! Faulted requests are recorded in the bridge's operations (status 0 for a reset) but
//! never in the coverage log: a fault proves the error path, not the operation.

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    TooManyRequests,
    ServerError(u16),
    Slow(Duration),
    Reset,
    Truncate,
    Code { status: u16, code: &'static str },
}

impl Fault {
    /// Expired session credentials, as STS-signed calls see them.
    pub fn expired() -> Fault {
        Fault::Code {
            status: 400,
            code: "ExpiredToken",
        }
    }

    /// The caller's policy lacks the action.
    pub fn denied() -> Fault {
        Fault::Code {
            status: 403,
            code: "AccessDenied",
        }
    }

    pub fn name(&self) -> String {
        match self {
            Fault::Throttle => "throttling error".into(),
            Fault::TooManyRequests => "HTTP 429".into(),
            Fault::ServerError(s) => format!("HTTP {s}"),
            Fault::Slow(d) => format!("reply after {} s", d.as_secs()),
            Fault::Reset => "connection reset".into(),
            Fault::Truncate => "truncated body".into(),
            Fault::Code { code, .. } => (*code).into(),
        }
    }
}

/// The wire protocol of a request, for the shape of an error reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsQuery (ELBv2): XML `<ErrorResponse>`.
    Query,
    /// ec2Query: XML `<Response><Errors>`.
    Ec2,
    /// awsJson 1.0/1.1 (Logs): `{"__type": ...}`.
    Json,
    /// Smithy RPCv2 CBOR (CloudWatch, Health).
    Cbor,
}

impl Protocol {
    pub fn of(cbor: bool, json: bool, service: &str) -> Protocol {
        if cbor {
            Protocol::Cbor
        } else if json {
            Protocol::Json
        } else if service == "ec2" {
            Protocol::Ec2
        } else {
            Protocol::Query
        }
    }
}

#[derive(Debug)]
struct Rule {
    operation: String,
    remaining: usize,
    fault: Fault,
}

/// The bridge's fault plan and its request clock.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    arrivals: Mutex<HashMap<String, Vec<Instant>>>,
    injected: Mutex<Vec<(String, Fault)>>,
}

impl Faults {
    /// The next `n` requests for `operation` get `fault` (after any planned before).
    pub fn next(&self, n: usize, operation: &str, fault: Fault) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Rule {
                operation: operation.to_string(),
                remaining: n,
                fault,
            });
    }

    /// Every planned fault dropped: requests pass again.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Notes the arrival of a request for `operation` and says which fault it gets.
    pub fn arrived(&self, operation: &str) -> Option<Fault> {
        self.arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(operation.to_string())
            .or_default()
            .push(Instant::now());
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let i = rules
            .iter()
            .position(|r| r.operation == operation && r.remaining > 0)?;
        rules[i].remaining -= 1;
        let fault = rules[i].fault.clone();
        if rules[i].remaining == 0 {
            rules.remove(i);
        }
        self.injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((operation.to_string(), fault.clone()));
        Some(fault)
    }

    /// When each request for `operation` arrived, in order.
    pub fn arrivals(&self, operation: &str) -> Vec<Instant> {
        self.arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(operation)
            .cloned()
            .unwrap_or_default()
    }

    /// How many requests for `operation` arrived.
    pub fn count(&self, operation: &str) -> usize {
        self.arrivals(operation).len()
    }

    /// Every fault served so far, with its operation.
    pub fn injected(&self) -> Vec<(String, Fault)> {
        self.injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// An error reply for `fault` in `protocol`'s shape (not for Slow/Reset/Truncate, which
/// the bridge handles around the real reply).
pub fn reply(fault: &Fault, protocol: Protocol) -> Response<FaultBody> {
    let (status, code) = match (fault, protocol) {
        (Fault::Throttle, Protocol::Query) => (400, Some("Throttling")),
        (Fault::Throttle, Protocol::Ec2) => (503, Some("RequestLimitExceeded")),
        (Fault::Throttle, _) => (400, Some("ThrottlingException")),
        (Fault::TooManyRequests, _) => (429, None),
        (Fault::ServerError(s), _) => (*s, None),
        (Fault::Code { status, code }, _) => (*status, Some(*code)),
        (Fault::Slow(_) | Fault::Reset | Fault::Truncate, _) => (502, None),
    };
    let message = "fault injected by the grayscope test bridge";
    let (content_type, body): (&str, Bytes) = match (code, protocol) {
        (None, _) => ("text/plain", Bytes::from(format!("{status} {message}\n"))),
        (Some(code), Protocol::Query) => (
            "text/xml",
            Bytes::from(format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            )),
        ),
        (Some(code), Protocol::Ec2) => (
            "text/xml",
            Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>\
                 <Code>{code}</Code><Message>{message}</Message></Error></Errors>\
                 <RequestID>fault</RequestID></Response>"
            )),
        ),
        (Some(code), Protocol::Json) => (
            "application/x-amz-json-1.1",
            Bytes::from(format!(
                "{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"
            )),
        ),
        (Some(code), Protocol::Cbor) => {
            let value = ciborium::Value::Map(vec![
                (
                    ciborium::Value::Text("__type".into()),
                    ciborium::Value::Text(code.into()),
                ),
                (
                    ciborium::Value::Text("message".into()),
                    ciborium::Value::Text(message.into()),
                ),
            ]);
            let mut out = Vec::new();
            ciborium::into_writer(&value, &mut out).expect("CBOR encodes");
            ("application/cbor", Bytes::from(out))
        }
    };
    let mut response = Response::new(FaultBody::whole_bytes(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if protocol == Protocol::Cbor {
        headers.insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    }
    if let (Some(code), Protocol::Json) = (code, protocol) {
        if let Ok(v) = HeaderValue::from_str(code) {
            headers.insert("x-amzn-errortype", v);
        }
    }
    response
}

/// The real reply cut in half: its headers (with the full Content-Length), half the body,
/// then an error, which makes the server drop the connection mid-body.
pub fn truncated(response: Response<bytes::Bytes>) -> Response<FaultBody> {
    let (mut parts, body) = response.into_parts();
    let full = body.len().max(2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    let half = body.slice(..body.len() / 2);
    Response::from_parts(
        parts,
        FaultBody {
            chunk: Some(half),
            fail_after: true,
            exact: false,
        },
    )
}

/// The bridge's reply body: whole, or cut (a chunk, then an error).
pub struct FaultBody {
    chunk: Option<Bytes>,
    fail_after: bool,
    exact: bool,
}

impl FaultBody {
    pub fn whole(full: http_body_util::Full<Bytes>) -> Self {
        // `Full` is one frame; take it out synchronously.
        let mut full = full;
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let chunk = match Pin::new(&mut full).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => frame.into_data().ok(),
            _ => None,
        };
        Self::whole_bytes(chunk.unwrap_or_default())
    }

    pub fn whole_bytes(bytes: Bytes) -> Self {
        Self {
            chunk: Some(bytes),
            fail_after: false,
            exact: true,
        }
    }
}

impl Body for FaultBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if self.fail_after {
            self.fail_after = false;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "fault injected: body truncated",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.chunk.is_none() && !self.fail_after
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.chunk, self.exact) {
            (Some(c), true) => SizeHint::with_exact(c.len() as u64),
            (None, true) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

// `Infallible` kept for callers that build replies with `Full`.
pub type NoError = Infallible;
