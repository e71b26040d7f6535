//! AWS Health events as the pane reads them: what they are, in which order they are
//! worth reading, and how they tie back to the zones and resources on screen.
//!
//! Pure: the backend fills these types (`backend::aws::health`, `backend::demo::health`),
//! the pane sorts, filters and ties them here. An event's `zone_name` is an AZ *name* as
//! this account sees it; [`zone_id_of`] maps it to the AZ ID through the account's zones.

use crate::model::text::clean;
use crate::model::zones::{LoadBalancer, Zone, ZoneMap};
use chrono::{DateTime, Utc};

/// At most this many event ARNs go into one DescribeEventDetails or
/// DescribeAffectedEntities call (the API's limit).
pub const ARNS_PER_CALL: usize = 10;

/// Closed events older than this are not shown ("recently closed").
pub const RECENTLY_CLOSED_DAYS: i64 = 7;

/// The label the AZ pane shows on a zone with an open AWS Health issue.
pub const OPEN_ISSUE_LABEL: &str = "AWS Health: open issue";

/// An event's status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStatus {
    Open,
    Upcoming,
    Closed,
    Other(String),
}

impl EventStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "open" => Self::Open,
            "upcoming" => Self::Upcoming,
            "closed" => Self::Closed,
            other => Self::Other(clean(other)),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Open => "open",
            Self::Upcoming => "upcoming",
            Self::Closed => "closed",
            Self::Other(s) => s,
        }
    }
}

/// An event type category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Category {
    Issue,
    ScheduledChange,
    AccountNotification,
    Investigation,
    Other(String),
}

impl Category {
    pub fn parse(s: &str) -> Self {
        match s {
            "issue" => Self::Issue,
            "scheduledChange" => Self::ScheduledChange,
            "accountNotification" => Self::AccountNotification,
            "investigation" => Self::Investigation,
            other => Self::Other(clean(other)),
        }
    }

    /// A short word for a narrow column.
    pub fn short(&self) -> &str {
        match self {
            Self::Issue => "issue",
            Self::ScheduledChange => "change",
            Self::AccountNotification => "notice",
            Self::Investigation => "investig.",
            Self::Other(s) => s,
        }
    }

    /// The words for the detail.
    pub fn words(&self) -> &str {
        match self {
            Self::Issue => "operational issue",
            Self::ScheduledChange => "scheduled change",
            Self::AccountNotification => "account notification",
            Self::Investigation => "investigation",
            Self::Other(s) => s,
        }
    }
}

/// An affected entity's status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityStatus {
    Impaired,
    Unimpaired,
    Unknown,
    Pending,
    Resolved,
    Other(String),
}

impl EntityStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "IMPAIRED" => Self::Impaired,
            "UNIMPAIRED" => Self::Unimpaired,
            "UNKNOWN" => Self::Unknown,
            "PENDING" => Self::Pending,
            "RESOLVED" => Self::Resolved,
            other => Self::Other(clean(other)),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Impaired => "impaired",
            Self::Unimpaired => "unimpaired",
            Self::Unknown => "unknown",
            Self::Pending => "pending",
            Self::Resolved => "resolved",
            Self::Other(s) => s,
        }
    }
}

/// One AWS Health event, as DescribeEvents (or DescribeEventsForOrganization) lists it,
/// with what DescribeEventDetails and DescribeAffectedEntities add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthEvent {
    pub arn: String,
    /// `EC2`, `ELASTICLOADBALANCING`, ...
    pub service: String,
    /// `AWS_EC2_OPERATIONAL_ISSUE`, ...
    pub type_code: String,
    pub category: Category,
    /// `us-east-1`, or `global` for events not tied to a region.
    pub region: Option<String>,
    /// An AZ *name* as this account sees it.
    pub zone_name: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub last_updated: Option<DateTime<Utc>>,
    pub status: EventStatus,
    /// PUBLIC, ACCOUNT_SPECIFIC, NONE (empty when not sent).
    pub scope: String,
    /// From DescribeEventDetails (None until read, or when it failed for this event).
    pub description: Option<String>,
    /// Affected entities (account view) or affected accounts (organization view).
    pub entities: Vec<AffectedEntity>,
}

/// A resource (or, in the organization view, an account) an event affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedEntity {
    pub event_arn: String,
    /// The resource ID or name (`i-0abc...`, an ARN, an account ID).
    pub value: String,
    pub entity_arn: Option<String>,
    pub status: EntityStatus,
    pub last_updated: Option<DateTime<Utc>>,
    pub account: Option<String>,
}

/// Account events or the organization's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HealthView {
    #[default]
    Account,
    Organization,
}

impl HealthView {
    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Organization => "organization",
        }
    }
}

/// Whether the organization view can be used (DescribeHealthServiceStatusForOrganization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgAccess {
    Enabled,
    /// Why not, in words.
    Unavailable(String),
}

/// An answer, with which Health endpoint gave it and, when the active one did not
/// answer, why (so the pane can say "via us-east-2: us-east-1 timed out").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered<T> {
    pub data: T,
    /// The region of the endpoint that answered (`us-east-1` or `us-east-2`).
    pub endpoint: String,
    /// What went wrong with the active endpoint, when the passive one answered.
    pub failover: Option<String>,
    /// What could not be read beside it (one event's details, a batch's entities).
    pub problems: Vec<String>,
}

/// The order events are read in: open issues, other open events, upcoming, then
/// closed; within each, the most recently updated first.
pub fn rank(e: &HealthEvent) -> u8 {
    match (&e.status, &e.category) {
        (EventStatus::Open, Category::Issue) => 0,
        (EventStatus::Open, _) => 1,
        (EventStatus::Upcoming, _) => 2,
        (EventStatus::Other(_), _) => 3,
        (EventStatus::Closed, _) => 4,
    }
}

/// Sorts `events` in reading order (stable for equal keys, then by ARN).
pub fn order(events: &mut [HealthEvent]) {
    events.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.last_updated.cmp(&a.last_updated))
            .then_with(|| a.arn.cmp(&b.arn))
    });
}

/// Whether an event concerns the watched `region`: events of that region, events not
/// tied to a region (`global`, or none given).
pub fn concerns_region(e: &HealthEvent, region: &str) -> bool {
    match e.region.as_deref() {
        None | Some("") | Some("global") | Some("aws-global") => true,
        Some(r) => r == region,
    }
}

/// Whether a closed event is recent enough to show at `now`.
pub fn recently_closed(e: &HealthEvent, now: DateTime<Utc>) -> bool {
    let when = e.end.or(e.last_updated).or(e.start);
    match when {
        Some(t) => now - t <= chrono::Duration::days(RECENTLY_CLOSED_DAYS),
        None => false,
    }
}

/// The events worth showing for `region` (every region while it is not known yet) at
/// `now`, in reading order.
pub fn shown(
    mut events: Vec<HealthEvent>,
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<HealthEvent> {
    events.retain(|e| {
        region.is_none_or(|r| concerns_region(e, r))
            && (e.status != EventStatus::Closed || recently_closed(e, now))
    });
    // One event can come back from two filters (open and closed in between pages).
    events.sort_by(|a, b| a.arn.cmp(&b.arn));
    events.dedup_by(|a, b| a.arn == b.arn);
    order(&mut events);
    events
}

/// `arns` in calls of at most [`ARNS_PER_CALL`].
pub fn batches(arns: &[String]) -> Vec<Vec<String>> {
    arns.chunks(ARNS_PER_CALL).map(<[String]>::to_vec).collect()
}

/// The AZ ID of the event's zone, through the account's zone names.
pub fn zone_id_of(e: &HealthEvent, zones: &ZoneMap) -> Option<String> {
    let name = e.zone_name.as_deref()?;
    zones.by_name(name).map(|z| z.id.clone())
}

/// What the AZ pane marks: `(zone name, label)` for every zone with an open issue,
/// only zones the account has (an event naming a zone the account does not know is
/// shown in this pane but marks no row).
pub fn zone_marks(events: &[HealthEvent], zones: &[Zone]) -> Vec<(String, String)> {
    let mut marks: Vec<(String, usize)> = Vec::new();
    for e in events {
        if e.status != EventStatus::Open || e.category != Category::Issue {
            continue;
        }
        let Some(name) = e.zone_name.as_deref() else {
            continue;
        };
        if !zones.iter().any(|z| z.name == name) {
            continue;
        }
        match marks.iter_mut().find(|(z, _)| z == name) {
            Some((_, n)) => *n += 1,
            None => marks.push((name.to_string(), 1)),
        }
    }
    marks.sort();
    marks
        .into_iter()
        .map(|(zone, n)| {
            let label = if n == 1 {
                OPEN_ISSUE_LABEL.to_string()
            } else {
                format!("AWS Health: {n} open issues")
            };
            (zone, label)
        })
        .collect()
}

/// Whether an affected entity is one of the watched load balancers (by ARN or name).
pub fn on_screen(entity: &AffectedEntity, lbs: &[LoadBalancer]) -> bool {
    lbs.iter().any(|lb| {
        entity.value == lb.arn
            || entity.value == lb.name
            || entity.entity_arn.as_deref() == Some(lb.arn.as_str())
    })
}

/// The event's title in a few words: `EC2 operational issue`.
pub fn title(e: &HealthEvent) -> String {
    format!("{} {}", clean(&e.service), e.category.words())
}

/// A time formatted as the header shows it (UTC, or local).
pub fn clock_text(t: DateTime<Utc>, local: bool) -> String {
    if local {
        t.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M local")
            .to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// A Markdown summary of one event for an incident channel.
pub fn markdown(e: &HealthEvent, zone_id: Option<&str>, local: bool) -> String {
    let t = |x: Option<DateTime<Utc>>| x.map(|t| clock_text(t, local)).unwrap_or("–".into());
    let mut out = format!(
        "**AWS Health: {}** ({})\n\n",
        title(e),
        clean(e.status.label())
    );
    out.push_str(&format!("- Type: `{}`\n", clean(&e.type_code)));
    let region = e.region.as_deref().map(clean).unwrap_or("–".into());
    let zone = match (&e.zone_name, zone_id) {
        (Some(n), Some(id)) => format!(", zone {} ({})", clean(n), clean(id)),
        (Some(n), None) => format!(", zone {}", clean(n)),
        _ => String::new(),
    };
    out.push_str(&format!("- Where: {region}{zone}\n"));
    out.push_str(&format!(
        "- Start: {} · End: {} · Last update: {}\n",
        t(e.start),
        t(e.end),
        t(e.last_updated)
    ));
    out.push_str(&format!("- ARN: `{}`\n", clean(&e.arn)));
    if !e.entities.is_empty() {
        out.push_str("- Affected:\n");
        for en in &e.entities {
            out.push_str(&format!(
                "  - `{}` {}\n",
                clean(&en.value),
                en.status.label()
            ));
        }
    }
    if let Some(d) = &e.description {
        out.push('\n');
        for line in d.lines() {
            out.push_str("> ");
            out.push_str(&clean(line));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, h, 0, 0)
            .single()
            .expect("time")
    }

    pub(crate) fn event(arn: &str, status: EventStatus, category: Category) -> HealthEvent {
        HealthEvent {
            arn: arn.into(),
            service: "EC2".into(),
            type_code: "AWS_EC2_OPERATIONAL_ISSUE".into(),
            category,
            region: Some("us-east-1".into()),
            zone_name: None,
            start: Some(at(1)),
            end: None,
            last_updated: Some(at(2)),
            status,
            scope: "PUBLIC".into(),
            description: None,
            entities: Vec::new(),
        }
    }

    fn zones() -> Vec<Zone> {
        vec![
            Zone {
                name: "us-east-1a".into(),
                id: "use1-az4".into(),
                state: "available".into(),
            },
            Zone {
                name: "us-east-1b".into(),
                id: "use1-az6".into(),
                state: "available".into(),
            },
        ]
    }

    #[test]
    fn open_issues_first_then_upcoming_then_closed() {
        let mut notice = event("n", EventStatus::Open, Category::AccountNotification);
        notice.last_updated = Some(at(9));
        let events = vec![
            event("c", EventStatus::Closed, Category::Issue),
            event("u", EventStatus::Upcoming, Category::ScheduledChange),
            notice,
            event("i", EventStatus::Open, Category::Issue),
        ];
        let shown = shown(events, Some("us-east-1"), at(3));
        let arns: Vec<&str> = shown.iter().map(|e| e.arn.as_str()).collect();
        assert_eq!(arns, ["i", "n", "u", "c"]);
    }

    #[test]
    fn newer_updates_first_within_a_status() {
        let mut a = event("a", EventStatus::Open, Category::Issue);
        let mut b = event("b", EventStatus::Open, Category::Issue);
        a.last_updated = Some(at(1));
        b.last_updated = Some(at(5));
        let mut v = vec![a, b];
        order(&mut v);
        assert_eq!(v[0].arn, "b");
    }

    #[test]
    fn other_regions_are_dropped_global_kept() {
        let mut other = event("x", EventStatus::Open, Category::Issue);
        other.region = Some("eu-west-1".into());
        let mut global = event("g", EventStatus::Open, Category::Issue);
        global.region = Some("global".into());
        let v = shown(vec![other, global], Some("us-east-1"), at(3));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].arn, "g");
    }

    #[test]
    fn closed_long_ago_is_not_shown_and_duplicates_fold() {
        let mut old = event("old", EventStatus::Closed, Category::Issue);
        old.end = Some(at(1) - chrono::Duration::days(8));
        let recent = event("new", EventStatus::Closed, Category::Issue);
        let v = shown(vec![old, recent.clone(), recent], Some("us-east-1"), at(3));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].arn, "new");
    }

    #[test]
    fn zone_names_map_to_ids_and_open_issues_mark_rows() {
        let mut sick = event("s", EventStatus::Open, Category::Issue);
        sick.zone_name = Some("us-east-1b".into());
        let map = ZoneMap::new(zones());
        assert_eq!(zone_id_of(&sick, &map).as_deref(), Some("use1-az6"));
        let mut change = event("c", EventStatus::Upcoming, Category::ScheduledChange);
        change.zone_name = Some("us-east-1a".into());
        let mut unknown = event("u", EventStatus::Open, Category::Issue);
        unknown.zone_name = Some("us-east-1z".into());
        assert_eq!(zone_id_of(&unknown, &map), None);
        let marks = zone_marks(&[sick.clone(), change, unknown], &zones());
        assert_eq!(
            marks,
            [("us-east-1b".to_string(), OPEN_ISSUE_LABEL.to_string())]
        );
        let mut second = sick.clone();
        second.arn = "s2".into();
        let marks = zone_marks(&[sick, second], &zones());
        assert_eq!(marks[0].1, "AWS Health: 2 open issues");
    }

    #[test]
    fn closed_issue_marks_nothing() {
        let mut closed = event("c", EventStatus::Closed, Category::Issue);
        closed.zone_name = Some("us-east-1b".into());
        assert!(zone_marks(&[closed], &zones()).is_empty());
    }

    #[test]
    fn entities_match_watched_load_balancers_by_arn_or_name() {
        let lb = LoadBalancer {
            arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/shop/1".into(),
            name: "shop".into(),
            kind: crate::model::zones::LbKind::Application,
            scheme: "internal".into(),
            state: "active".into(),
            vpc_id: None,
            zone_names: vec![],
        };
        let mut en = AffectedEntity {
            event_arn: "e".into(),
            value: "shop".into(),
            entity_arn: None,
            status: EntityStatus::Impaired,
            last_updated: None,
            account: None,
        };
        assert!(on_screen(&en, std::slice::from_ref(&lb)));
        en.value = "i-0abc".into();
        assert!(!on_screen(&en, std::slice::from_ref(&lb)));
        en.entity_arn = Some(lb.arn.clone());
        assert!(on_screen(&en, &[lb]));
    }

    #[test]
    fn markdown_summary_carries_arn_zone_times_and_cleans_text() {
        let mut e = event(
            "arn:aws:health:us-east-1::event/EC2/X/1",
            EventStatus::Open,
            Category::Issue,
        );
        e.zone_name = Some("us-east-1b".into());
        e.description = Some("line one\nline \x1b[31mtwo".into());
        e.entities.push(AffectedEntity {
            event_arn: e.arn.clone(),
            value: "i-0abc".into(),
            entity_arn: None,
            status: EntityStatus::Impaired,
            last_updated: None,
            account: None,
        });
        let md = markdown(&e, Some("use1-az6"), false);
        assert!(
            md.contains("`arn:aws:health:us-east-1::event/EC2/X/1`"),
            "{md}"
        );
        assert!(md.contains("zone us-east-1b (use1-az6)"), "{md}");
        assert!(md.contains("Start: 2026-11-22 01:00 UTC"), "{md}");
        assert!(md.contains("`i-0abc` impaired"), "{md}");
        assert!(md.contains("> line one\n> line"), "{md}");
        assert!(!md.contains('\x1b'));
    }

    #[test]
    fn codes_parse_and_unknown_ones_are_kept_clean() {
        assert_eq!(EventStatus::parse("upcoming"), EventStatus::Upcoming);
        assert_eq!(
            Category::parse("scheduledChange"),
            Category::ScheduledChange
        );
        assert_eq!(EntityStatus::parse("RESOLVED"), EntityStatus::Resolved);
        assert_eq!(
            EntityStatus::parse("NEW\x1b"),
            EntityStatus::Other("NEW\u{FFFD}".into())
        );
    }

    proptest! {
        #[test]
        fn batches_cover_every_arn_once_in_calls_of_at_most_ten(n in 0usize..95) {
            let arns: Vec<String> = (0..n).map(|i| format!("arn{i}")).collect();
            let b = batches(&arns);
            prop_assert!(b.iter().all(|c| !c.is_empty() && c.len() <= ARNS_PER_CALL));
            prop_assert_eq!(b.len(), n.div_ceil(ARNS_PER_CALL));
            let flat: Vec<String> = b.into_iter().flatten().collect();
            prop_assert_eq!(flat, arns);
        }

        #[test]
        fn order_never_puts_a_lower_rank_after_a_higher_one(
            codes in proptest::collection::vec((0u8..4, 0u8..3, 0u32..20), 0..30)
        ) {
            let mut v: Vec<HealthEvent> = codes
                .iter()
                .enumerate()
                .map(|(i, (s, c, h))| {
                    let status = [EventStatus::Open, EventStatus::Upcoming, EventStatus::Closed, EventStatus::Other("x".into())][*s as usize].clone();
                    let category = [Category::Issue, Category::ScheduledChange, Category::AccountNotification][*c as usize].clone();
                    let mut e = event(&format!("e{i}"), status, category);
                    e.last_updated = Some(at(0) + chrono::Duration::hours(*h as i64));
                    e
                })
                .collect();
            order(&mut v);
            for w in v.windows(2) {
                prop_assert!(rank(&w[0]) <= rank(&w[1]));
                if rank(&w[0]) == rank(&w[1]) {
                    prop_assert!(w[0].last_updated >= w[1].last_updated);
                }
            }
        }
    }
}
