//! Recorded replies for services moto does not implement (AWS Health): a small AWS
//! JSON 1.0 server that answers each `X-Amz-Target: <ServiceId>.<Operation>` request
//! with a reply the test picks (usually a file under `tests/fixtures/`), and records
//! every request it saw.
//!
//! Put the [`bridge`](super::bridge) in front of it and point the SDK clients at the
//! bridge: the clients speak Smithy RPCv2 CBOR, the bridge decodes their CBOR request
//! into JSON, sends it here, and encodes the recorded JSON reply (or error) back into
//! CBOR, exactly as it does in front of moto. So the whole CBOR wire path is exercised
//! with replies shaped like AWS's.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::TcpListener as StdTcpListener;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value as Json;
use tokio::sync::oneshot;

/// What the server answers: HTTP status and JSON body, for an operation and its request.
pub type Replies = dyn Fn(&str, &Json) -> (u16, Json) + Send + Sync;

/// A running server; dropping it stops it.
pub struct Recorded {
    pub url: String,
    seen: Arc<Mutex<Vec<(String, Json)>>>,
    _shutdown: oneshot::Sender<()>,
}

impl Recorded {
    /// Every request so far: operation and JSON body.
    pub fn requests(&self) -> Vec<(String, Json)> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The operations asked for so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.requests().into_iter().map(|(op, _)| op).collect()
    }
}

/// A fixture file under `tests/fixtures/`, parsed.
pub fn fixture(path: &str) -> Json {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()))
}

/// Starts the server on `127.0.0.1:<free port>` on its own thread and runtime.
pub fn start(replies: impl Fn(&str, &Json) -> (u16, Json) + Send + Sync + 'static) -> Recorded {
    let listener = StdTcpListener::bind("127.0.0.1:0").expect("recorded: bind");
    listener
        .set_nonblocking(true)
        .expect("recorded: nonblocking");
    let addr = listener.local_addr().expect("recorded: address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (shutdown_tx, mut shutdown_rx) = oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread_seen = Arc::clone(&seen);
    let replies: Arc<Replies> = Arc::new(replies);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("recorded: runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("recorded: listener");
            let _ = ready_tx.send(());
            loop {
                tokio::select! {
                    _ = &mut shutdown_rx => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let seen = Arc::clone(&thread_seen);
                        let replies = Arc::clone(&replies);
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |req| {
                                let seen = Arc::clone(&seen);
                                let replies = Arc::clone(&replies);
                                async move { Ok::<_, Infallible>(answer(req, &seen, &*replies).await) }
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
            }
        });
    });
    ready_rx.recv().expect("recorded: started");
    Recorded {
        url: format!("http://{addr}"),
        seen,
        _shutdown: shutdown_tx,
    }
}

async fn answer(
    req: Request<Incoming>,
    seen: &Mutex<Vec<(String, Json)>>,
    replies: &Replies,
) -> Response<Full<Bytes>> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let operation = target.rsplit('.').next().unwrap_or("").to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let json: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((operation.clone(), json.clone()));
    let (status, reply) = replies(&operation, &json);
    let mut response = Response::new(Full::new(Bytes::from(reply.to_string())));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}
