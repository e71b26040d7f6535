//! The Reachability drill-down drawn whole-screen at 80x24 and 160x48 over the demo:
//! before a run, the blocking rule of the sick zone's row, a healthy pair's hops, and
//! read-only's explanation. The view is opened by the test host pane (as the flow-log
//! pane opens it on a row).

mod reach_host;

use grayscope::action::Action;
use reach_host::{World, healthy_row, sick_row, world};

async fn ran(w: &mut World) {
    w.action(Action::Act);
    w.key('y');
    w.settle().await;
}

#[tokio::test]
async fn reach_before_a_run_80x24() {
    let w = world(sick_row(), false).await;
    insta::assert_snapshot!(w.screen(80, 24));
}

#[tokio::test]
async fn reach_confirmation_80x24() {
    let mut w = world(sick_row(), false).await;
    w.action(Action::Act);
    let s = w.screen(80, 24);
    assert!(s.contains("$0.10"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn reach_blocked_by_the_database_group_80x24() {
    let mut w = world(sick_row(), false).await;
    ran(&mut w).await;
    let s = w.screen(80, 24);
    assert!(s.contains("NOT REACHABLE"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn reach_blocked_by_the_database_group_160x48() {
    let mut w = world(sick_row(), false).await;
    ran(&mut w).await;
    let s = w.screen(160, 48);
    assert!(s.contains("is in neither"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn reach_healthy_pair_hops_160x48() {
    let mut w = world(healthy_row(), false).await;
    ran(&mut w).await;
    w.action(Action::Focus3);
    let s = w.screen(160, 48);
    assert!(s.contains("Forward path"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn reach_read_only_explains_80x24() {
    let mut w = world(sick_row(), true).await;
    w.action(Action::Act);
    let s = w.screen(80, 24);
    assert!(s.contains("read-only"), "{s}");
    insta::assert_snapshot!(s);
}
