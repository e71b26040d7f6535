//! The live backend: the official AWS SDK clients behind [`Backend`].
//!
//! Configuration resolves the way the aws CLI does it (`AWS_PROFILE`, `AWS_REGION`,
//! `~/.aws/config`, SSO, `AWS_ENDPOINT_URL[_<SERVICE>]`, `AWS_MAX_ATTEMPTS`, ...), with
//! `--profile` / `--region` on top, and lazily: [`AwsBackend::new`] returns at once and
//! the first call resolves it, so the UI is up before any credential provider runs.
//!
//! One file per service (`ec2`, `elbv2`, `cloudwatch`) maps SDK shapes into
//! `crate::model` types; `error` turns `SdkError`s into [`BackendError`]s. SDK types
//! never leave this module.
//!
//! Convention (a coverage checker relies on it): every SDK call is written through a
//! field named after its client: `ctx.clients.ec2.describe_instances()`,
//! `ctx.clients.elbv2.describe_target_health()`, `ctx.clients.cloudwatch.get_metric_data()`.

mod cloudwatch;
mod ec2;
mod elbv2;
pub mod error;

use crate::backend::{Backend, BackendError, Identity};
use crate::model::metrics::{Window, ZoneMetrics};
use crate::model::targets::{Target, TargetGroup, TargetGroupHealth, ZoneSource};
use crate::model::zones::{LoadBalancer, Subnet, Zone, zone_of_ip};
use async_trait::async_trait;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

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
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
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

/// The service clients the backend uses.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
}

impl AwsClients {
    pub fn from_sdk_config(cfg: &SdkConfig) -> Self {
        Self {
            ec2: aws_sdk_ec2::Client::new(cfg),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(cfg),
            cloudwatch: aws_sdk_cloudwatch::Client::new(cfg),
        }
    }
}

/// What the per-service functions need: the clients, and the profile for error hints.
pub(crate) struct Ctx<'a> {
    pub(crate) clients: &'a AwsClients,
    pub(crate) profile: Option<&'a str>,
}

struct Resolved {
    clients: AwsClients,
    identity: Identity,
}

/// [`Backend`] over the AWS SDK.
pub struct AwsBackend {
    settings: AwsSettings,
    resolved: OnceCell<Resolved>,
}

impl AwsBackend {
    /// Cheap and synchronous: nothing is resolved until the first call.
    pub fn new(settings: AwsSettings) -> Self {
        Self {
            settings,
            resolved: OnceCell::new(),
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
        }
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
        }
    }
}

#[async_trait]
impl Backend for AwsBackend {
    async fn identity(&self) -> Result<Identity, BackendError> {
        Ok(self.resolved().await.identity.clone())
    }

    async fn load_balancers(&self, wanted: &[String]) -> Result<Vec<LoadBalancer>, BackendError> {
        let ctx = self.ctx().await;
        elbv2::load_balancers(&ctx, wanted).await
    }

    async fn zones(&self) -> Result<Vec<Zone>, BackendError> {
        let ctx = self.ctx().await;
        ec2::zones(&ctx).await
    }

    async fn target_health(
        &self,
        lbs: &[LoadBalancer],
    ) -> Result<Vec<TargetGroupHealth>, BackendError> {
        let ctx = self.ctx().await;
        target_health(&ctx, lbs).await
    }

    async fn zone_metrics(
        &self,
        lb: &LoadBalancer,
        window: Window,
    ) -> Result<ZoneMetrics, BackendError> {
        let ctx = self.ctx().await;
        cloudwatch::zone_metrics(&ctx, lb, window).await
    }
}

/// Target groups of `lbs` (each once), their targets' health, and every target's zone.
///
/// Three rounds, each one's calls at the same time: DescribeTargetGroups per load
/// balancer; DescribeTargetHealth per group; then DescribeInstances (instance targets
/// without a reported zone) alongside DescribeSubnets (IP targets without one, per VPC).
/// The last round only refines zones: if it fails, the targets keep no zone and the
/// failure is logged.
async fn target_health(
    ctx: &Ctx<'_>,
    lbs: &[LoadBalancer],
) -> Result<Vec<TargetGroupHealth>, BackendError> {
    // join_all rather than a buffered stream: the latter's closures are not general
    // enough for the Send future async_trait needs.
    let per_lb: Vec<Vec<TargetGroup>> =
        futures::future::try_join_all(lbs.iter().map(|lb| elbv2::target_groups(ctx, &lb.arn)))
            .await?;
    let groups = dedup_groups(per_lb);

    let healths: Vec<Vec<Target>> = futures::future::try_join_all(
        groups
            .iter()
            .map(|g| elbv2::target_health(ctx, &g.arn, &g.target_type)),
    )
    .await?;
    let mut out: Vec<TargetGroupHealth> = groups
        .into_iter()
        .zip(healths)
        .map(|(group, targets)| TargetGroupHealth { group, targets })
        .collect();

    let (instance_ids, vpcs) = zone_lookups_needed(&out);
    let instances = async {
        if instance_ids.is_empty() {
            return HashMap::new();
        }
        ec2::instance_zones(ctx, &instance_ids)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot resolve instance targets' zones");
                HashMap::new()
            })
    };
    let subnets = async {
        let results =
            futures::future::join_all(vpcs.iter().map(|vpc| ec2::subnets(ctx, vpc))).await;
        let mut by_vpc = HashMap::new();
        for (vpc, r) in vpcs.iter().zip(results) {
            match r {
                Ok(s) => {
                    by_vpc.insert(vpc.clone(), s);
                }
                Err(e) => tracing::warn!(%vpc, error = %e, "cannot resolve IP targets' zones"),
            }
        }
        by_vpc
    };
    let (instance_zones, subnets) = futures::join!(instances, subnets);
    resolve_zones(&mut out, &instance_zones, &subnets);
    Ok(out)
}

/// Target groups in load-balancer order, each once (a group may serve several LBs).
fn dedup_groups(per_lb: Vec<Vec<TargetGroup>>) -> Vec<TargetGroup> {
    let mut seen = HashSet::new();
    per_lb
        .into_iter()
        .flatten()
        .filter(|g| seen.insert(g.arn.clone()))
        .collect()
}

/// Instance IDs and VPC IDs whose lookups would give targets a zone they lack.
fn zone_lookups_needed(groups: &[TargetGroupHealth]) -> (Vec<String>, Vec<String>) {
    let mut instances = BTreeSet::new();
    let mut vpcs = BTreeSet::new();
    for g in groups {
        for t in g.targets.iter().filter(|t| t.zone_name.is_none()) {
            match g.group.target_type.as_str() {
                "instance" => {
                    instances.insert(t.id.clone());
                }
                "ip" => {
                    if let Some(vpc) = &g.group.vpc_id {
                        vpcs.insert(vpc.clone());
                    }
                }
                _ => {}
            }
        }
    }
    (instances.into_iter().collect(), vpcs.into_iter().collect())
}

/// Fills in zones DescribeTargetHealth left out: instance targets through their
/// instance's placement, IP targets through the most specific subnet of the group's
/// VPC holding the IP (`subnets` is keyed by VPC ID: CIDRs overlap across VPCs).
/// Lambda and other targets keep no zone.
fn resolve_zones(
    groups: &mut [TargetGroupHealth],
    instance_zones: &HashMap<String, String>,
    subnets: &HashMap<String, Vec<Subnet>>,
) {
    for g in groups {
        let target_type = g.group.target_type.as_str();
        let vpc = g.group.vpc_id.as_deref();
        for t in g.targets.iter_mut().filter(|t| t.zone_name.is_none()) {
            let found = match target_type {
                "instance" => instance_zones
                    .get(&t.id)
                    .map(|z| (z.clone(), ZoneSource::Instance)),
                "ip" => vpc
                    .and_then(|vpc| subnets.get(vpc))
                    .and_then(|s| zone_of_ip(s, &t.id))
                    .map(|z| (z.to_string(), ZoneSource::Subnet)),
                _ => None,
            };
            if let Some((zone, source)) = found {
                t.zone_name = Some(zone);
                t.zone_source = source;
            } else {
                t.zone_source = ZoneSource::Unknown;
            }
        }
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
    use crate::model::targets::TargetState;

    fn group(
        arn: &str,
        target_type: &str,
        vpc: Option<&str>,
        targets: Vec<Target>,
    ) -> TargetGroupHealth {
        TargetGroupHealth {
            group: TargetGroup {
                arn: arn.into(),
                name: arn.into(),
                target_type: target_type.into(),
                protocol: None,
                port: None,
                vpc_id: vpc.map(str::to_string),
                load_balancer_arns: vec![],
            },
            targets,
        }
    }

    fn target(id: &str, zone: Option<&str>) -> Target {
        Target {
            id: id.into(),
            port: None,
            zone_name: zone.map(str::to_string),
            zone_source: if zone.is_some() {
                ZoneSource::Reported
            } else {
                ZoneSource::Unknown
            },
            state: TargetState::Healthy,
            reason: None,
            description: None,
            anomalous: false,
        }
    }

    #[test]
    fn resolves_in_order_reported_instance_subnet_unknown() {
        let mut groups = vec![
            group(
                "tg-i",
                "instance",
                Some("vpc-1"),
                vec![
                    target("i-1", Some("us-east-1a")),
                    target("i-2", None),
                    target("i-gone", None),
                ],
            ),
            group(
                "tg-ip",
                "ip",
                Some("vpc-1"),
                vec![target("10.0.2.9", None), target("192.168.1.1", None)],
            ),
            group(
                "tg-l",
                "lambda",
                None,
                vec![target("arn:aws:lambda:fn", None)],
            ),
        ];
        let (ids, vpcs) = zone_lookups_needed(&groups);
        assert_eq!(ids, vec!["i-2".to_string(), "i-gone".to_string()]);
        assert_eq!(vpcs, vec!["vpc-1".to_string()]);

        let instances = HashMap::from([
            ("i-1".to_string(), "us-east-1z".to_string()),
            ("i-2".to_string(), "us-east-1b".to_string()),
        ]);
        let subnets = HashMap::from([
            (
                "vpc-1".to_string(),
                vec![Subnet {
                    id: "subnet-1".into(),
                    cidr: "10.0.2.0/24".into(),
                    zone_name: "us-east-1c".into(),
                }],
            ),
            (
                "vpc-other".to_string(),
                vec![Subnet {
                    id: "subnet-9".into(),
                    cidr: "192.168.0.0/16".into(),
                    zone_name: "us-east-1f".into(),
                }],
            ),
        ]);
        resolve_zones(&mut groups, &instances, &subnets);
        let t = |g: usize, i: usize| {
            let t = &groups[g].targets[i];
            (t.zone_name.clone(), t.zone_source)
        };
        assert_eq!(t(0, 0), (Some("us-east-1a".into()), ZoneSource::Reported));
        assert_eq!(t(0, 1), (Some("us-east-1b".into()), ZoneSource::Instance));
        assert_eq!(t(0, 2), (None, ZoneSource::Unknown));
        assert_eq!(t(1, 0), (Some("us-east-1c".into()), ZoneSource::Subnet));
        assert_eq!(t(1, 1), (None, ZoneSource::Unknown));
        assert_eq!(t(2, 0), (None, ZoneSource::Unknown));
    }

    #[test]
    fn groups_shared_by_load_balancers_appear_once() {
        let g = |arn: &str| group(arn, "instance", None, vec![]).group;
        let out = dedup_groups(vec![vec![g("a"), g("b")], vec![g("b"), g("c")]]);
        let arns: Vec<&str> = out.iter().map(|g| g.arn.as_str()).collect();
        assert_eq!(arns, ["a", "b", "c"]);
    }

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
