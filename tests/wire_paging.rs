//! Wire tests against moto for what the pane architecture promises about AWS calls:
//! paging (DescribeTargetGroups, DescribeInstances with more than 200 instance ids in
//! two filter chunks, DescribeSubnets), the session cache (a refresh does not describe
//! instances or subnets again), and that `r` during a load does not double the fan-out.
//! Every request is counted at the bridge in front of moto.
//!
//! Run through `scripts/with-moto` (the README's test command does).

mod support;

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use chrono::Utc;
use grayscope::action::Action;
use grayscope::app::panes::az::AzPane;
use grayscope::app::{App, Mode, Msg};
use grayscope::backend::aws::{AwsBackend, PageSizes};
use grayscope::backend::{Services, Targets};
use grayscope::jobs::Jobs;
use grayscope::keymap::Keymap;
use grayscope::model::targets::ZoneSource;
use std::sync::Arc;
use std::time::Duration;
use support::bridge;
use support::seed::{Moto, unique};

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// More than one DescribeInstances filter chunk (200 values each).
const INSTANCES: usize = 205;

struct Seeded {
    lb_name: String,
    lb_arn: String,
    groups: usize,
}

/// One VPC with seven subnets (more than a DescribeSubnets page of 5), 205 instances
/// (each its own reservation),
/// an ALB with three instance groups (one holding every instance) and one IP group.
async fn seed(moto: &Moto) -> Seeded {
    let vpc = moto.create_vpc("10.40.0.0/16").await;
    let mut subnets = Vec::new();
    for i in 0..7 {
        let zone = ZONES[i % ZONES.len()];
        subnets.push(
            moto.create_subnet(&vpc, format!("10.40.{i}.0/24"), zone)
                .await,
        );
    }
    let mut ids = Vec::new();
    // One reservation per instance: moto pages DescribeInstances by reservation.
    for i in 0..INSTANCES {
        let subnet = &subnets[i % 3];
        for instance in moto.run_instances(subnet, 1).await {
            ids.push(instance.instance_id().expect("instance id").to_string());
        }
    }
    assert_eq!(ids.len(), INSTANCES);
    let lb_name = unique("paging");
    let lb_arn = moto
        .create_alb(&lb_name, None, subnets.iter().take(3).cloned().collect())
        .await;
    let mut groups = 0;
    for (g, port) in [(0usize, 8080), (1, 8081), (2, 8082)] {
        let arn = moto
            .create_target_group(
                &unique(&format!("tg{g}")),
                port,
                &vpc,
                TargetTypeEnum::Instance,
            )
            .await;
        moto.forward(&lb_arn, port, &arn).await;
        let members: Vec<String> = match g {
            0 => ids.clone(),
            _ => ids.iter().skip(g).step_by(40).cloned().collect(),
        };
        moto.register_targets(&arn, &members, port, "seed: RegisterTargets")
            .await;
        groups += 1;
    }
    let ip_group = moto
        .create_target_group(&unique("ips"), 9090, &vpc, TargetTypeEnum::Ip)
        .await;
    moto.forward(&lb_arn, 9090, &ip_group).await;
    let ips = vec!["10.40.5.10".to_string(), "10.40.6.10".to_string()];
    moto.register_targets(&ip_group, &ips, 9090, "seed: RegisterTargets (ip)")
        .await;
    groups += 1;
    Seeded {
        lb_name,
        lb_arn,
        groups,
    }
}

fn small_pages() -> PageSizes {
    PageSizes {
        target_groups: 1,
        instances: 50,
        subnets: 5,
    }
}

fn count(ops: &[bridge::Op], service: &str, operation: &str) -> usize {
    ops.iter()
        .filter(|o| o.service == service && o.operation == operation)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_paging_and_the_session_cache() {
    let moto = Moto::direct();
    let s = seed(&moto).await;
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url))
        .with_page_sizes(small_pages());
    let lbs = backend
        .load_balancers(std::slice::from_ref(&s.lb_arn))
        .await
        .expect("the LB")
        .data;
    assert_eq!(lbs.len(), 1);
    bridge.clear_operations();

    let out = backend.target_health(&lbs).await.expect("target health");
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.data.len(), s.groups, "every group, across pages");
    let instance_targets: Vec<_> = out
        .data
        .iter()
        .filter(|g| g.group.target_type == "instance")
        .flat_map(|g| &g.targets)
        .collect();
    assert!(instance_targets.len() > INSTANCES);
    for t in &instance_targets {
        // moto reports no per-target zone: each comes from its instance's placement.
        assert_eq!(t.zone_source, ZoneSource::Instance, "{t:?}");
        assert!(t.zone_name.as_deref().is_some_and(|z| ZONES.contains(&z)));
    }
    let ip_zones: Vec<_> = out
        .data
        .iter()
        .filter(|g| g.group.target_type == "ip")
        .flat_map(|g| &g.targets)
        .map(|t| (t.zone_source, t.zone_name.clone()))
        .collect();
    assert_eq!(
        ip_zones,
        vec![
            (ZoneSource::Subnet, Some(ZONES[5 % 3].to_string())),
            (ZoneSource::Subnet, Some(ZONES[6 % 3].to_string())),
        ]
    );

    let ops = bridge.operations();
    let first_calls = ops.len();
    assert!(ops.iter().all(|o| o.status == 200), "{ops:?}");
    // moto 5.2.5 ignores PageSize on DescribeTargetGroups and MaxResults on
    // DescribeSubnets (one page, no marker): their paging is covered by the mock tests
    // (tests/aws_mapping.rs); here they must still be asked for with the small page.
    assert_eq!(
        count(&ops, "elasticloadbalancing", "DescribeTargetGroups"),
        1
    );
    assert_eq!(
        count(&ops, "elasticloadbalancing", "DescribeTargetHealth"),
        s.groups
    );
    // 205 distinct instance ids: two filter chunks (200 + 5); moto pages by reservation,
    // so the first chunk takes four pages of 50 and the second one.
    let describe_instances = count(&ops, "ec2", "DescribeInstances");
    assert_eq!(
        describe_instances,
        4 + 1,
        "chunks of 200 ids, pages of 50 instances: {ops:?}"
    );
    assert_eq!(count(&ops, "ec2", "DescribeSubnets"), 1);

    // A refresh describes target health again, but no instance and no subnet.
    bridge.clear_operations();
    let again = backend.target_health(&lbs).await.expect("again");
    assert_eq!(again.data, out.data);
    let ops = bridge.operations();
    assert_eq!(
        count(&ops, "elasticloadbalancing", "DescribeTargetHealth"),
        s.groups
    );
    assert_eq!(count(&ops, "ec2", "DescribeInstances"), 0, "{ops:?}");
    assert_eq!(count(&ops, "ec2", "DescribeSubnets"), 0, "{ops:?}");
    assert!(ops.len() < first_calls);
    println!(
        "target-health calls, 1 LB / {} TGs / {} targets (pages of 1 TG, 50 instances): first load {first_calls}, refresh {}",
        s.groups,
        instance_targets.len() + 2,
        ops.len()
    );
}

/// Runs the app's jobs until the AZ pane's load has landed (other panes' jobs, e.g.
/// AWS Health against moto, which lacks it, do not matter here), sending `Refresh` as
/// soon as the AZ pane's first load is under way.
async fn run_with_refresh_during_load(app: &mut App, services: Services) {
    let (mut jobs, mut rx) = Jobs::with_channel(services);
    jobs.apply_all(app.start(Utc::now()));
    let mut refreshed = false;
    loop {
        match tokio::time::timeout(Duration::from_secs(90), rx.recv()).await {
            Ok(Some(msg)) => {
                let effects = app.update(msg, Utc::now());
                jobs.apply_all(effects);
                let loading = app.pane::<AzPane>().is_some_and(AzPane::is_loading);
                if loading && !refreshed {
                    refreshed = true;
                    let effects = app.update(Msg::Action(Action::Refresh), Utc::now());
                    jobs.apply_all(effects);
                }
            }
            Ok(None) => break,
            Err(_) => panic!("the app's jobs did not finish"),
        }
        let az = app.pane::<AzPane>().expect("AZ pane");
        if refreshed && !az.is_loading() && az.health.get().is_some() {
            break;
        }
        if jobs.running() == 0 && rx.is_empty() {
            break;
        }
    }
    assert!(refreshed, "the refresh was sent during the load");
    // Whatever else is still running stops here.
    jobs.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_refresh_during_a_load_does_not_double_the_calls() {
    let moto = Moto::direct();
    let s = seed(&moto).await;
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url));
    let services = Services::from_backend(Arc::new(backend));
    let mut app = App::new(
        Mode::Live,
        Keymap::defaults(),
        vec![s.lb_name.clone()],
        chrono::Duration::seconds(30),
        Utc::now(),
    );
    run_with_refresh_during_load(&mut app, services).await;
    let az = app.pane::<AzPane>().expect("AZ pane");
    assert!(az.health.get().is_some_and(|h| h.len() == s.groups));
    let ops = bridge.operations();
    assert_eq!(
        count(&ops, "elasticloadbalancing", "DescribeTargetHealth"),
        s.groups,
        "one fan-out, not two: {ops:?}"
    );
    assert_eq!(
        count(&ops, "elasticloadbalancing", "DescribeTargetGroups"),
        1,
        "one fan-out: {ops:?}"
    );
    // (GetMetricData is not counted: the anomaly-bands pane asks for its own charts
    // through the same bridge, once or twice depending on when the AZ pane's zone lands.)
}

/// API calls of a first load and of a refresh for 1 LB / 20 target groups / 600 targets
/// (the numbers the pane architecture issue asks for), counted at the bridge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_calls_per_refresh_for_20_groups_and_600_targets() {
    const GROUPS: usize = 20;
    const TARGETS: usize = 600;
    let moto = Moto::direct();
    let vpc = moto.create_vpc("10.41.0.0/16").await;
    let mut subnets = Vec::new();
    for (i, zone) in ZONES.iter().enumerate() {
        subnets.push(
            moto.create_subnet(&vpc, format!("10.41.{i}.0/24"), zone)
                .await,
        );
    }
    let mut ids = Vec::new();
    for i in 0..6 {
        for instance in moto.run_instances(&subnets[i % 3], 100).await {
            ids.push(instance.instance_id().expect("id").to_string());
        }
    }
    assert_eq!(ids.len(), TARGETS);
    let lb_name = unique("scale");
    let lb_arn = moto.create_alb(&lb_name, None, subnets.clone()).await;
    for g in 0..GROUPS {
        let port = 8000 + g as i32;
        let arn = moto
            .create_target_group(
                &unique(&format!("s{g}")),
                port,
                &vpc,
                TargetTypeEnum::Instance,
            )
            .await;
        moto.forward(&lb_arn, port, &arn).await;
        let members: Vec<String> = ids.iter().skip(g).step_by(GROUPS).cloned().collect();
        moto.register_targets(&arn, &members, port, "seed: RegisterTargets")
            .await;
    }
    let bridge = bridge::start(&support::moto_endpoint());
    let backend = AwsBackend::from_sdk_config(&support::sdk_config(&bridge.url));
    let services = Services::from_backend(Arc::new(backend));
    let lbs = services
        .targets
        .load_balancers(std::slice::from_ref(&lb_arn))
        .await
        .expect("LB")
        .data;
    let window = grayscope::model::metrics::Window::ending_at(Utc::now(), 30);
    let fan_out = || async {
        bridge.clear_operations();
        let (h, m) = futures::join!(
            services.targets.target_health(&lbs),
            grayscope::app::panes::az::load_metrics(&services, &lbs, window)
        );
        let h = h.expect("health");
        assert_eq!(h.data.len(), GROUPS);
        assert_eq!(
            h.data.iter().map(|g| g.targets.len()).sum::<usize>(),
            TARGETS
        );
        m.expect("metrics");
        bridge.operations()
    };
    let first = fan_out().await;
    let refresh = fan_out().await;
    let summary = |ops: &[bridge::Op]| {
        let mut by: std::collections::BTreeMap<String, usize> = Default::default();
        for o in ops {
            *by.entry(o.operation.clone()).or_default() += 1;
        }
        by
    };
    println!(
        "1 LB / {GROUPS} TGs / {TARGETS} targets: first load {} calls {:?}; refresh {} calls {:?}",
        first.len(),
        summary(&first),
        refresh.len(),
        summary(&refresh)
    );
    assert_eq!(
        count(&first, "ec2", "DescribeInstances"),
        3,
        "600 ids, 200 per call"
    );
    assert_eq!(count(&refresh, "ec2", "DescribeInstances"), 0);
    assert_eq!(
        refresh.len(),
        1 + GROUPS + 1,
        "a refresh: DescribeTargetGroups, DescribeTargetHealth per group, GetMetricData"
    );
}
