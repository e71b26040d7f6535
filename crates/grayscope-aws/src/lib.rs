//! grayscope's live backend: the official AWS SDK clients behind the capability traits
//! of `grayscope_core::backend` (re-exported by grayscope as `backend::aws`).
//!
//! This is the only crate that depends on the SDK: SDK types cannot leave it, and the
//! UI crate compiles beside the SDK crates instead of after them.
//!
//! Configuration resolves the way the aws CLI does it (`AWS_PROFILE`, `AWS_REGION`,
//! `~/.aws/config`, SSO, `AWS_ENDPOINT_URL[_<SERVICE>]`, `AWS_MAX_ATTEMPTS`, ...), with
//! `--profile` / `--region` on top, and lazily: [`AwsBackend::new`] returns at once and
//! the first call resolves it, so the UI is up before any credential provider runs.
//!
//! One file per capability implements its trait (`targets`: [`crate::backend::Targets`]
//! over `elbv2` and `ec2`; `cloudwatch`: [`crate::backend::Metrics`]); one file per
//! service maps SDK shapes into `crate::model` types; `error` turns `SdkError`s into
//! [`BackendError`]s; `paging` is the one paging loop; `pace` bounds calls per service
//! and backs off while a service throttles.
//!
//! Convention (a coverage checker relies on it): every SDK call is written through a
//! field named after its client: `ctx.clients.ec2.describe_instances()`,
//! `ctx.clients.elbv2.describe_target_health()`, `ctx.clients.cloudwatch.get_metric_data()`.

pub mod athena;
mod bands;
pub mod cloudwatch;
mod ec2;
mod elbv2;
pub mod error;
mod flow_ec2;
pub mod health;
mod logs;
pub mod pace;
mod paging;
mod reach;
mod targets;
mod zonal_shift;

// The core crate's modules under the paths this crate has always used.
use grayscope_core::{backend, model};

use crate::backend::flowlogs::AthenaConfig;
use crate::backend::{Account, BackendError, Identity};
use crate::model::zones::{GroupCrossZone, Subnet};
use async_trait::async_trait;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use pace::Pacer;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Calls in flight at once, per service. EC2 and ELBv2 share their API rate limits with
/// the account's own automation; CloudWatch's GetMetricData calls are few and large.
pub const EC2_CALLS_AT_ONCE: usize = 4;
pub const ELBV2_CALLS_AT_ONCE: usize = 8;
pub const CLOUDWATCH_CALLS_AT_ONCE: usize = 4;
pub const HEALTH_CALLS_AT_ONCE: usize = 2;
/// CloudWatch Logs calls (StartQuery, GetQueryResults polls, StopQuery) in flight at once.
pub const LOGS_CALLS_AT_ONCE: usize = 4;
/// ARC zonal shift calls in flight at once (a few reads per watched load balancer, and
/// the rare write).
pub const ARC_CALLS_AT_ONCE: usize = 2;
/// Athena calls (StartQueryExecution, GetQueryExecution polls, result pages, catalog
/// reads) in flight at once: its API quotas are a few calls per second per account.
pub const ATHENA_CALLS_AT_ONCE: usize = 4;

/// How long to wait for a TCP/TLS connection before giving up on an endpoint.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one attempt of an operation may take (a retry gets as long again).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an operation may take over all its attempts.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// What the command line adds on top of the environment and `~/.aws/config`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// Resolves the SDK configuration the way the aws CLI does, with `settings` on top,
/// and timeouts short enough that a dead network is an error rather than a hang.
/// Retries stay the loader's (standard mode, `AWS_MAX_ATTEMPTS` honoured).
pub async fn load_sdk_config(s: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(profile) = non_empty(s.profile.as_deref()) {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = non_empty(s.region.as_deref()) {
        loader = loader.region(Region::new(region.to_string()));
    }
    loader.load().await
}

/// The one HTTP client every service client and credential provider uses (and the wire
/// tests, so they test this one): hyper 1 with rustls, `ring` for the cryptography and
/// the system's root certificates. The SDK's default picks aws-lc instead, whose C
/// library was the longest single step of a fresh build and 2 MB of the binary (README,
/// "Getting grayscope onto a jump host"); ring does the same TLS 1.2/1.3 for a client.
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The service clients the backend uses.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// AWS Health at its active endpoint (us-east-1), whatever region is watched.
    pub health: aws_sdk_health::Client,
    /// AWS Health at its passive endpoint (us-east-2), for failover.
    pub health_failover: aws_sdk_health::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// ARC zonal shift.
    pub arc: aws_sdk_arczonalshift::Client,
    /// Athena, and the Glue Data Catalog through it (ListTableMetadata, GetTableMetadata).
    pub athena: aws_sdk_athena::Client,
}

impl AwsClients {
    pub fn from_sdk_config(cfg: &SdkConfig) -> Self {
        Self {
            ec2: aws_sdk_ec2::Client::new(cfg),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(cfg),
            cloudwatch: aws_sdk_cloudwatch::Client::new(cfg),
            health: health_client(cfg, health::ACTIVE_REGION),
            health_failover: health_client(cfg, health::PASSIVE_REGION),
            logs: aws_sdk_cloudwatchlogs::Client::new(cfg),
            arc: aws_sdk_arczonalshift::Client::new(cfg),
            athena: aws_sdk_athena::Client::new(cfg),
        }
    }
}

/// A Health client for the endpoint in `region` (credentials and overrides from `cfg`).
pub fn health_client(cfg: &SdkConfig, region: &str) -> aws_sdk_health::Client {
    aws_sdk_health::Client::from_conf(
        aws_sdk_health::config::Builder::from(cfg)
            .region(Region::new(region.to_string()))
            .build(),
    )
}

/// One [`Pacer`] per service, shared by every call the backend makes.
#[derive(Debug)]
pub(crate) struct Pacers {
    pub(crate) ec2: Pacer,
    pub(crate) elbv2: Pacer,
    pub(crate) cloudwatch: Pacer,
    pub(crate) health: Pacer,
    pub(crate) logs: Pacer,
    pub(crate) arc: Pacer,
    pub(crate) athena: Pacer,
}

impl Default for Pacers {
    fn default() -> Self {
        Self {
            ec2: Pacer::new(EC2_CALLS_AT_ONCE),
            elbv2: Pacer::new(ELBV2_CALLS_AT_ONCE),
            cloudwatch: Pacer::new(CLOUDWATCH_CALLS_AT_ONCE),
            health: Pacer::new(HEALTH_CALLS_AT_ONCE),
            logs: Pacer::new(LOGS_CALLS_AT_ONCE),
            arc: Pacer::new(ARC_CALLS_AT_ONCE),
            athena: Pacer::new(ATHENA_CALLS_AT_ONCE),
        }
    }
}

/// Page sizes asked for (the APIs' maxima by default: fewer calls against limits shared
/// with the team's automation). Smaller pages exercise paging in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSizes {
    /// DescribeTargetGroups `PageSize` (1-400).
    pub target_groups: i32,
    /// DescribeInstances `MaxResults` (5-1000).
    pub instances: i32,
    /// DescribeSubnets `MaxResults` (5-1000).
    pub subnets: i32,
}

impl Default for PageSizes {
    fn default() -> Self {
        Self {
            target_groups: 400,
            instances: 1000,
            subnets: 1000,
        }
    }
}

/// What does not change during a session, asked for once: an instance's zone, a VPC's
/// subnets (CIDR and zone). A refresh describes only instances it has not seen.
/// What rarely changes is read again only when stale: cross-zone settings.
#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    pub(crate) instance_zones: Mutex<HashMap<String, String>>,
    /// Per VPC: its subnets and when they were read.
    pub(crate) subnets: Mutex<HashMap<String, (Vec<Subnet>, Instant)>>,
    /// Per target group: its own cross-zone attribute (`None`: not set) and when read.
    pub(crate) group_cross_zone: Mutex<HashMap<String, (Option<GroupCrossZone>, Instant)>>,
    /// Per NLB or GWLB: its cross-zone attribute and when it was read.
    pub(crate) lb_cross_zone: Mutex<HashMap<String, (Option<bool>, Instant)>>,
    /// The flow-log pane's subnets and interfaces.
    pub(crate) flow: flow_ec2::FlowCache,
}

/// What the per-service functions need: the clients, the profile for error hints, the
/// service pacers and the session cache.
pub(crate) struct Ctx<'a> {
    pub(crate) clients: &'a AwsClients,
    pub(crate) profile: Option<&'a str>,
    pub(crate) pace: &'a Pacers,
    pub(crate) cache: &'a SessionCache,
    pub(crate) pages: PageSizes,
    /// Where Athena queries run.
    pub(crate) athena: &'a AthenaConfig,
    /// The region watched (the flow-log delivery path names it).
    pub(crate) region: Option<&'a str>,
}

struct Resolved {
    clients: AwsClients,
    identity: Identity,
}

/// [`Backend`] over the AWS SDK.
pub struct AwsBackend {
    settings: AwsSettings,
    resolved: OnceCell<Resolved>,
    pace: Pacers,
    cache: SessionCache,
    pages: PageSizes,
    athena: AthenaConfig,
}

impl AwsBackend {
    /// Cheap and synchronous: nothing is resolved until the first call.
    pub fn new(settings: AwsSettings) -> Self {
        Self {
            settings,
            resolved: OnceCell::new(),
            pace: Pacers::default(),
            cache: SessionCache::default(),
            pages: PageSizes::default(),
            athena: AthenaConfig::default(),
        }
    }

    /// A backend over an already resolved configuration.
    pub fn from_sdk_config(cfg: &SdkConfig) -> Self {
        let identity = Identity {
            region: cfg.region().map(|r| r.to_string()),
            profile: env_profile(),
        };
        Self::from_clients(AwsClients::from_sdk_config(cfg), identity)
    }

    /// A backend over ready-made clients (tests use mocked ones).
    pub fn from_clients(clients: AwsClients, identity: Identity) -> Self {
        Self {
            settings: AwsSettings {
                profile: identity.profile.clone(),
                region: identity.region.clone(),
            },
            resolved: OnceCell::new_with(Some(Resolved { clients, identity })),
            pace: Pacers::default(),
            cache: SessionCache::default(),
            pages: PageSizes::default(),
            athena: AthenaConfig::default(),
        }
    }

    /// The same backend running Athena queries in this workgroup, catalog and database.
    pub fn with_athena(mut self, athena: AthenaConfig) -> Self {
        self.athena = athena;
        self
    }

    pub fn athena_config(&self) -> &AthenaConfig {
        &self.athena
    }

    /// The same backend asking for pages of these sizes.
    pub fn with_page_sizes(mut self, pages: PageSizes) -> Self {
        self.pages = pages;
        self
    }

    async fn resolved(&self) -> &Resolved {
        self.resolved
            .get_or_init(|| async {
                let started = Instant::now();
                let cfg = load_sdk_config(&self.settings).await;
                let identity = Identity {
                    region: cfg.region().map(|r| r.to_string()),
                    profile: non_empty(self.settings.profile.as_deref())
                        .map(str::to_string)
                        .or_else(env_profile),
                };
                tracing::debug!(
                    region = ?identity.region,
                    profile = ?identity.profile,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "aws configuration resolved"
                );
                Resolved {
                    clients: AwsClients::from_sdk_config(&cfg),
                    identity,
                }
            })
            .await
    }

    async fn ctx(&self) -> Ctx<'_> {
        let r = self.resolved().await;
        Ctx {
            clients: &r.clients,
            profile: r.identity.profile.as_deref(),
            pace: &self.pace,
            cache: &self.cache,
            pages: self.pages,
            athena: &self.athena,
            region: r.identity.region.as_deref(),
        }
    }
}

#[async_trait]
impl Account for AwsBackend {
    async fn identity(&self) -> Result<Identity, BackendError> {
        Ok(self.resolved().await.identity.clone())
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn env_profile() -> Option<String> {
    std::env::var("AWS_PROFILE")
        .ok()
        .filter(|p| !p.trim().is_empty())
}

/// A chrono instant as the SDK's (whole seconds: CloudWatch and Health take no less).
pub(crate) fn smithy_time(t: chrono::DateTime<chrono::Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

/// The SDK's instant as chrono's; `None` when out of chrono's range.
pub(crate) fn chrono_time(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Logs one SDK call (or page) with its latency.
pub(crate) fn log_call(service: &str, operation: &str, started: Instant, ok: bool) {
    tracing::debug!(
        service,
        operation,
        elapsed_ms = started.elapsed().as_millis() as u64,
        ok,
        "aws call"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_lazy_and_settings_win() {
        let b = AwsBackend::new(AwsSettings {
            profile: Some("prod".into()),
            region: Some("eu-west-1".into()),
        });
        assert!(b.resolved.get().is_none());
        assert_eq!(non_empty(Some("  ")), None);
        assert_eq!(non_empty(Some(" x ")), Some("x"));
    }
}
