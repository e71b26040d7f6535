//! Seeding moto for the wire tests: EC2 networks and instances, ELBv2 load balancers,
//! target groups and listeners, each created straight at moto (never through a bridge)
//! and under a [`unique`] name, since moto is shared by every test of a run and never
//! reset.
//!
//! Every call panics with `seed: <Operation>` when moto does not answer as expected.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ec2::types::{Instance, InstanceType};
use aws_sdk_elasticloadbalancingv2::types::{
    Action as ElbAction, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
    ProtocolEnum, TargetDescription, TargetGroupAttribute, TargetTypeEnum,
};

/// The image every seeded instance runs (any ID moto knows).
const IMAGE_ID: &str = "ami-12c6146b";

/// A name no other test (or earlier run against the same moto) uses; at most 32
/// characters, letters, digits and hyphens (ELBv2 names).
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!(
        "{prefix}-{}-{}-{:x}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 0x10_0000
    );
    assert!(name.len() <= 32, "name too long for ELBv2: {name}");
    name
}

/// EC2 and ELBv2 clients straight at moto (`MOTO_ENDPOINT`), with the tests'
/// standard `SdkConfig` ([`super::sdk_config`]).
pub struct Moto {
    pub ec2: aws_sdk_ec2::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
}

impl Moto {
    /// Clients for the moto server `scripts/with-moto` started.
    pub fn direct() -> Self {
        let config = super::sdk_config(&super::moto_endpoint());
        Self {
            ec2: aws_sdk_ec2::Client::new(&config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        }
    }

    /// Zone name -> zone ID, as moto's DescribeAvailabilityZones says (ground truth).
    pub async fn zone_ids(&self) -> HashMap<String, String> {
        self.ec2
            .describe_availability_zones()
            .send()
            .await
            .expect("seed: DescribeAvailabilityZones")
            .availability_zones()
            .iter()
            .filter_map(|z| Some((z.zone_name()?.to_string(), z.zone_id()?.to_string())))
            .collect()
    }

    /// A new VPC with `cidr`; its ID.
    pub async fn create_vpc(&self, cidr: &str) -> String {
        let created = self.ec2.create_vpc().cidr_block(cidr).send().await;
        let vpc = created.expect("seed: CreateVpc").vpc;
        vpc.and_then(|v| v.vpc_id).expect("seed: VPC ID")
    }

    /// A new subnet of `vpc_id` with `cidr` in `zone`; its ID.
    pub async fn create_subnet(&self, vpc_id: &str, cidr: String, zone: &str) -> String {
        let created = self
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .send()
            .await;
        let subnet = created.expect("seed: CreateSubnet").subnet;
        subnet.and_then(|s| s.subnet_id).expect("seed: subnet ID")
    }

    /// `count` new `t3.micro` instances in `subnet_id`, as RunInstances describes them.
    pub async fn run_instances(&self, subnet_id: &str, count: i32) -> Vec<Instance> {
        self.ec2
            .run_instances()
            .image_id(IMAGE_ID)
            .instance_type(InstanceType::T3Micro)
            .min_count(count)
            .max_count(count)
            .subnet_id(subnet_id)
            .send()
            .await
            .expect("seed: RunInstances")
            .instances()
            .to_vec()
    }

    /// A new application load balancer `name` across `subnets` (with `scheme`, or
    /// moto's default when `None`); its ARN.
    pub async fn create_alb(
        &self,
        name: &str,
        scheme: Option<LoadBalancerSchemeEnum>,
        subnets: Vec<String>,
    ) -> String {
        self.elb
            .create_load_balancer()
            .name(name)
            .r#type(LoadBalancerTypeEnum::Application)
            .set_scheme(scheme)
            .set_subnets(Some(subnets))
            .send()
            .await
            .expect("seed: CreateLoadBalancer")
            .load_balancers()[0]
            .load_balancer_arn()
            .expect("seed: LB ARN")
            .to_string()
    }

    /// A new HTTP target group `name` on `port` in `vpc_id` for targets of `kind`; its
    /// ARN.
    pub async fn create_target_group(
        &self,
        name: &str,
        port: i32,
        vpc_id: &str,
        kind: TargetTypeEnum,
    ) -> String {
        self.elb
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(port)
            .vpc_id(vpc_id)
            .target_type(kind)
            .send()
            .await
            .expect("seed: CreateTargetGroup")
            .target_groups()[0]
            .target_group_arn()
            .expect("seed: target group ARN")
            .to_string()
    }

    /// An HTTP listener of `lb_arn` on `port` forwarding to `group_arn`.
    pub async fn forward(&self, lb_arn: &str, port: i32, group_arn: &str) {
        self.elb
            .create_listener()
            .load_balancer_arn(lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(port)
            .default_actions(
                ElbAction::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(group_arn)
                    .build(),
            )
            .send()
            .await
            .expect("seed: CreateListener");
    }

    /// Registers `ids` (instance IDs or IPs) on `port` with `group_arn`, in one call;
    /// panics with `failure` if it fails.
    pub async fn register_targets<'a>(
        &self,
        group_arn: &str,
        ids: impl IntoIterator<Item = &'a String>,
        port: i32,
        failure: &str,
    ) {
        let mut register = self.elb.register_targets().target_group_arn(group_arn);
        for id in ids {
            register = register.targets(TargetDescription::builder().id(id).port(port).build());
        }
        register.send().await.expect(failure);
    }

    /// Sets the group's own `load_balancing.cross_zone.enabled` attribute (`true`,
    /// `false` or `use_load_balancer_configuration`, moto's default).
    pub async fn set_cross_zone(&self, group_arn: &str, enabled: &str) {
        self.elb
            .modify_target_group_attributes()
            .target_group_arn(group_arn)
            .attributes(
                TargetGroupAttribute::builder()
                    .key("load_balancing.cross_zone.enabled")
                    .value(enabled)
                    .build(),
            )
            .send()
            .await
            .expect("seed: ModifyTargetGroupAttributes");
    }
}
