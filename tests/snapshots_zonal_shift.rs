//! The zonal shift view drawn whole-screen at 80x24 and 160x48 over the demo (frozen
//! clock): before a shift without the flag (what it would do), the form, the typed
//! confirmation, and an active shift with its countdown and the AZ pane's mark.

mod shift_host;

use shift_host::Harness;

#[tokio::test]
async fn shift_view_without_the_flag_80x24() {
    let mut h = Harness::new(false, false).await;
    h.keys("Sa").await;
    let s = h.screen(80, 24);
    assert!(s.contains("Zonal shift"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn shift_view_before_a_shift_160x48() {
    let mut h = Harness::new(true, false).await;
    h.keys("S").await;
    let s = h.screen(160, 48);
    assert!(
        s.contains("If shifted away from us-east-1b (use1-az6)"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn shift_form_80x24() {
    let mut h = Harness::new(true, false).await;
    h.keys("Sa").await;
    let s = h.screen(80, 24);
    assert!(s.contains("expires in 1h_"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn shift_typed_confirmation_160x48() {
    let mut h = Harness::new(true, false).await;
    h.keys("Sa\ruse1").await;
    let s = h.screen(160, 48);
    assert!(s.contains("Type use1-az6 to confirm: use1_"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn shift_active_160x48() {
    let mut h = Harness::new(true, false).await;
    h.keys("Sa\ruse1-az6\r").await;
    let s = h.screen(160, 48);
    assert!(s.contains("1h 00m left"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn az_pane_marks_the_shifted_zone_80x24() {
    let mut h = Harness::new(true, false).await;
    h.keys("Sa\ruse1-az6\r\x1br").await;
    let s = h.screen(80, 24);
    assert!(s.contains("←us-east-1b"), "{s}");
    insta::assert_snapshot!(s);
}
