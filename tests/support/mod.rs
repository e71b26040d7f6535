//! Shared helpers for the integration tests (`mod support;` in each `tests/*.rs`).
//!
//! - [`bridge`]: an HTTP proxy that lets the Rust SDK's Smithy RPCv2 CBOR clients
//!   (CloudWatch, Health) talk to moto, which only speaks their JSON 1.0 form, and that
//!   records every operation it forwards.
//! - [`ops`]: the `GRAYSCOPE_OPS_LOG` operations log; [`observe`]: the interceptor that
//!   writes to it what mocked clients actually answered.
//! - [`recorded`]: recorded AWS JSON replies for what moto lacks (AWS Health), served
//!   behind the bridge so the CBOR wire path is exercised.
//! - [`pty`]: the built binary in a pseudo-terminal, its screen read through vt100.
//! - [`seed`]: seeding moto (VPCs, subnets, instances, load balancers, target groups).
//! - [`moto_endpoint`], [`moto_reset`], [`sdk_config`]: wiring for tests against moto,
//!   which `scripts/with-moto` starts.

#![allow(dead_code)]

pub mod bridge;
pub mod drive;
pub mod faults;
pub mod observe;
pub mod ops;
pub mod pty;
pub mod recorded;
pub mod seed;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_types::retry::RetryConfig;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Environment variable set by `scripts/with-moto` to moto's base URL.
pub const MOTO_ENDPOINT_ENV: &str = "MOTO_ENDPOINT";

/// The moto server's base URL (`http://127.0.0.1:PORT`), from `MOTO_ENDPOINT`.
///
/// Panics when unset: tests that need moto are never skipped silently.
pub fn moto_endpoint() -> String {
    match std::env::var(MOTO_ENDPOINT_ENV) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => panic!(
            "{MOTO_ENDPOINT_ENV} is not set: run the suite through scripts/with-moto, see README \
             (e.g. `scripts/with-moto cargo test`)"
        ),
    }
}

/// Wipe all of moto's state (`POST /moto-api/reset`). Panics if moto does not answer 200.
pub async fn moto_reset(endpoint: &str) {
    let url = format!("{}/moto-api/reset", endpoint.trim_end_matches('/'));
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = hyper::Request::post(&url)
        .body(Full::new(Bytes::new()))
        .unwrap_or_else(|err| panic!("bad moto reset URL {url}: {err}"));
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|err| panic!("moto reset {url} failed: {err}"));
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    assert!(
        status.is_success(),
        "moto reset {url} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
}

/// An `SdkConfig` for tests: static test credentials, region us-east-1, the given
/// endpoint URL, one attempt per call (no retries), latest behavior version.
pub fn sdk_config(endpoint_url: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(grayscope::backend::aws::https_client())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint_url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDGRAYSCOPETEST",
            "grayscope-test-secret",
            None,
            None,
            "grayscope-tests",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build()
}
