//! The Reachability drill-down in the app, over the demo: opened by a host pane (as the
//! flow-log pane will open it on a row), it resolves both ends, asks before creating
//! anything, shows progress and the blocking rule in words, keeps a history, and on
//! close deletes everything it created.

mod reach_host;

use grayscope::action::Action;
use grayscope::app::Pane;
use grayscope::model::reach::ReachRequest;
use reach_host::{healthy_row, sick_row, t0, world};
use std::time::Duration;

#[tokio::test]
async fn opening_resolves_both_ends_to_what_they_are() {
    let w = world(sick_row(), false).await;
    let v = w.view();
    let src = v.source.get().cloned().flatten().expect("source resolved");
    assert_eq!(src.interface_id, "eni-0appb05e1ec7ab1e");
    assert_eq!(src.zone_id.as_deref(), Some("use1-az6"));
    let s = w.screen(160, 48);
    assert!(
        s.contains("Reachability · 10.20.2.31 -> 10.20.11.25 tcp/5432"),
        "{s}"
    );
    assert!(s.contains("instance i-0b05eed7ab1e0c0f"), "{s}");
    assert!(
        s.contains("database (RDS) orders-db (RDS PostgreSQL)"),
        "{s}"
    );
    assert!(s.contains("no analysis yet"), "{s}");
    assert_eq!(w.demo.reach.live(), (0, 0), "opening creates nothing");
}

#[tokio::test]
async fn the_sick_zone_row_drills_down_to_the_blocking_rule_and_close_deletes_everything() {
    let mut w = world(sick_row(), false).await;
    w.action(Action::Act);
    let c = w.app.confirm.clone().expect("asks first");
    let said = c.lines.join("\n");
    assert!(
        said.contains(
            "Network Insights path eni-0appb05e1ec7ab1e -> eni-0db0orders5e1ec7a tcp/5432"
        ),
        "{said}"
    );
    assert!(said.contains("$0.10"), "{said}");
    assert!(said.contains("deleted when this view closes"), "{said}");
    assert_eq!(w.demo.reach.live(), (0, 0), "nothing before yes");
    w.key('y');
    // Progress is visible while it runs.
    let msg = w.rx.recv().await.expect("path ready");
    let e = w.app.update(msg, t0());
    w.jobs.apply_all(e);
    assert!(w.view().run.is_some());
    w.settle().await;
    let v = w.view();
    assert!(v.run.is_none(), "finished");
    assert_eq!(v.history.len(), 1);
    let s = w.screen(160, 48);
    assert!(s.contains("NOT REACHABLE: ENI_SG_RULES_MISMATCH"), "{s}");
    assert!(
        s.contains("sg-0ordersdb5e1ec7a (orders-db-sg) allows tcp/5432 only from 10.20.1.0/24 and 10.20.3.0/24; the source 10.20.2.31 is in neither"),
        "{s}"
    );
    assert_eq!(w.demo.reach.live(), (1, 1), "one path, one analysis");
    // y copies the analysis ARN, Y the Markdown summary.
    w.action(Action::CopyId);
    assert!(
        w.app
            .clipboard
            .as_deref()
            .is_some_and(|c| c.contains(":network-insights-analysis/nia-")),
        "{:?}",
        w.app.clipboard
    );
    w.action(Action::CopySummary);
    let md = w.app.clipboard.clone().unwrap_or_default();
    assert!(
        md.starts_with("## Reachability: 10.20.2.31 -> 10.20.11.25 tcp/5432"),
        "{md}"
    );
    assert!(
        md.contains("**NOT REACHABLE: ENI_SG_RULES_MISMATCH"),
        "{md}"
    );
    // A second run reuses the path; the history keeps both.
    w.action(Action::Act);
    w.key('y');
    w.settle().await;
    assert_eq!(w.view().history.len(), 2);
    assert_eq!(w.demo.reach.live(), (1, 2), "the path is reused");
    // Esc closes the view; its cleanup deletes both analyses, then the path.
    w.action(Action::Back);
    assert!(w.app.overlays.is_empty());
    assert_eq!(w.jobs.shutdown(Duration::from_secs(2)).await, 0);
    assert_eq!(w.demo.reach.live(), (0, 0));
}

#[tokio::test]
async fn a_healthy_pair_shows_every_hop_and_exit_cleans_up() {
    let mut w = world(healthy_row(), false).await;
    w.action(Action::Act);
    w.key('y');
    w.settle().await;
    let s = w.screen(160, 48);
    assert!(s.contains("REACHABLE: 7 hops out, 5 back"), "{s}");
    let detail = w.view().detail(&w.app.shared);
    let text: Vec<String> = detail.iter().map(|l| l.to_string()).collect();
    let text = text.join("\n");
    assert!(text.contains("6 security group sg-0ordersdb5e1ec7a (orders-db-sg): ingress tcp/5432 from 10.20.1.0/24"), "{text}");
    assert!(
        text.contains("4 route table rtb-0app1a: route 10.20.0.0/16 -> local"),
        "{text}"
    );
    assert!(text.contains("Return path"), "{text}");
    assert!(
        text.contains("aws ec2 delete-network-insights-path --network-insights-path-id nip-"),
        "{text}"
    );
    // Quitting without closing: the jobs layer's shutdown runs the same cleanup.
    assert_eq!(w.demo.reach.live(), (1, 1));
    assert_eq!(w.jobs.shutdown(Duration::from_secs(2)).await, 0);
    assert_eq!(w.demo.reach.live(), (0, 0));
}

#[tokio::test]
async fn read_only_explains_and_creates_nothing() {
    let mut w = world(sick_row(), true).await;
    w.action(Action::Act);
    assert!(
        w.app.confirm.is_none(),
        "no question: nothing will be written"
    );
    let n = w.view().notice.clone().unwrap_or_default();
    assert!(n.starts_with("read-only: nothing was sent"), "{n}");
    assert!(n.contains("$0.10"), "{n}");
    w.settle().await;
    assert_eq!(w.demo.reach.live(), (0, 0));
    assert!(w.view().history.is_empty());
    let s = w.screen(160, 48);
    assert!(s.contains("a what analyse would do"), "{s}");
}

#[tokio::test]
async fn an_address_outside_the_vpc_cannot_be_analysed_and_says_why() {
    let mut w = world(
        ReachRequest::new(
            "198.51.100.23",
            "10.20.101.10",
            Some(22),
            Some(6),
            None,
            None,
        ),
        false,
    )
    .await;
    w.action(Action::Act);
    assert!(w.app.confirm.is_none());
    let n = w.view().notice.clone().unwrap_or_default();
    assert!(n.contains("198.51.100.23 is no network interface"), "{n}");
}

#[tokio::test]
async fn no_answers_no() {
    let mut w = world(sick_row(), false).await;
    w.action(Action::Act);
    assert!(w.app.confirm.is_some());
    w.key('n');
    assert!(w.app.confirm.is_none());
    w.settle().await;
    assert_eq!(w.demo.reach.live(), (0, 0));
    assert!(w.view().run.is_none());
}
