//! The AWS Health pane: a one-line summary (open issues and their zones, upcoming,
//! closed) that fits the small box of an 80x24 screen, then one row per event (status,
//! service, type, zone, start, last update) as far as the box allows; an opened event
//! shows its zone, times and affected entities. The full story (description, times in
//! the header's clock, every entity with its status) is `detail_lines`, which the
//! Detail pane shows wrapped and scrollable.

use crate::app::Shared;
use crate::app::panes::health::HealthPane;
use crate::app::slot::age;
use crate::model::health::{
    Category, EntityStatus, EventStatus, HealthEvent, HealthView, OrgAccess, clock_text, on_screen,
    title,
};
use crate::model::text::{clean, ellipsize};
use crate::ui::az_health::fit;
use crate::ui::{pane_block, theme};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// How long a note (a copy, a key that could not act) stays in the pane, in seconds.
const NOTE_SECONDS: i64 = 10;

/// An age for the past (`9m`, as everywhere on screen), `in 3d` for the future, rounded
/// to the nearest unit (a start in 2 days 23 hours is `in 3d`).
pub fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        None => "–".into(),
        Some(t) if t > now + chrono::Duration::seconds(59) => {
            let m = (t - now).num_minutes();
            if m >= 24 * 60 {
                format!("in {}d", (m + 12 * 60) / (24 * 60))
            } else if m >= 60 {
                format!("in {}h", (m + 30) / 60)
            } else {
                format!("in {m}m")
            }
        }
        Some(t) => age(t, now),
    }
}

/// `started 9m` or `starts in 3d`.
fn start_words(e: &HealthEvent, now: DateTime<Utc>) -> String {
    match e.start {
        Some(t) if t > now => format!("starts {}", when(e.start, now)),
        _ => format!("started {}", when(e.start, now)),
    }
}

fn status_style(e: &HealthEvent) -> Style {
    match (&e.status, &e.category) {
        (EventStatus::Open, Category::Issue) => theme::error().add_modifier(Modifier::BOLD),
        (EventStatus::Open, _) | (EventStatus::Upcoming, _) => theme::warn(),
        _ => theme::dim(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary: open issues (with their zones), other open events, upcoming
/// and closed counts.
pub fn summary(events: &[HealthEvent]) -> (String, Style) {
    let count = |f: &dyn Fn(&HealthEvent) -> bool| events.iter().filter(|e| f(e)).count();
    let issues: Vec<&HealthEvent> = events
        .iter()
        .filter(|e| e.status == EventStatus::Open && e.category == Category::Issue)
        .collect();
    let notices = count(&|e| e.status == EventStatus::Open && e.category != Category::Issue);
    let upcoming = count(&|e| e.status == EventStatus::Upcoming);
    let closed = count(&|e| e.status == EventStatus::Closed);
    let mut parts = Vec::new();
    let style = if issues.is_empty() {
        parts.push("no open issues".to_string());
        Style::new()
    } else {
        let mut zones: Vec<String> = issues
            .iter()
            .filter_map(|e| e.zone_name.as_deref().map(clean))
            .collect();
        zones.sort();
        zones.dedup();
        let mut s = format!("⚠ {}", plural(issues.len(), "open issue", "open issues"));
        if !zones.is_empty() {
            s.push_str(&format!(" ({})", zones.join(", ")));
        }
        parts.push(s);
        theme::error().add_modifier(Modifier::BOLD)
    };
    if notices > 0 {
        parts.push(plural(notices, "notice", "notices"));
    }
    parts.push(format!("{upcoming} upcoming"));
    parts.push(format!("{closed} closed"));
    (parts.join(" · "), style)
}

struct Column {
    head: &'static str,
    width: usize,
    right: bool,
}

/// The columns that fit `w`, in display order; the least needed go first when narrow.
fn columns(w: usize) -> Vec<Column> {
    // (head, width, right-aligned, priority: lower is kept longer)
    let all = [
        ("Status", 8, false, 0),
        ("Service", 9, false, 1),
        ("Zone", 10, false, 2),
        ("Updated", 7, true, 3),
        ("Type", 7, false, 4),
        ("Start", 7, true, 5),
    ];
    let mut keep: Vec<usize> = (0..all.len()).collect();
    let total = |k: &[usize]| k.iter().map(|i| all[*i].1 + 1).sum::<usize>() + 1;
    while total(&keep) > w && keep.len() > 1 {
        let drop = keep
            .iter()
            .enumerate()
            .max_by_key(|(_, i)| all[**i].3)
            .map(|(pos, _)| pos)
            .unwrap_or(0);
        keep.remove(drop);
    }
    // Display order: Status, Service, Type, Zone, Start, Updated.
    let order = ["Status", "Service", "Type", "Zone", "Start", "Updated"];
    let mut cols: Vec<Column> = keep
        .into_iter()
        .map(|i| Column {
            head: all[i].0,
            width: all[i].1,
            right: all[i].2,
        })
        .collect();
    cols.sort_by_key(|c| order.iter().position(|o| *o == c.head));
    cols
}

fn cell(e: &HealthEvent, head: &str, now: DateTime<Utc>) -> String {
    match head {
        "Status" => e.status.label().to_string(),
        "Service" => clean(&e.service),
        "Type" => e.category.short().to_string(),
        "Zone" => e
            .zone_name
            .as_deref()
            .map(clean)
            .or_else(|| e.region.as_deref().map(clean))
            .unwrap_or_else(|| "–".into()),
        "Start" => when(e.start, now),
        _ => when(e.last_updated, now),
    }
}

fn row(e: &HealthEvent, cols: &[Column], now: DateTime<Utc>) -> String {
    let mut s = String::from(" ");
    for c in cols {
        s.push_str(&fit(&cell(e, c.head, now), c.width, c.right));
        s.push(' ');
    }
    s
}

fn title_text(pane: &HealthPane, shared: &Shared, number: usize, width: u16) -> String {
    let mut t = format!(" {number} AWS Health");
    // In the smallest box only the first line shows: the title says first what went
    // wrong (the line keeps the last data).
    if pane.stopped.is_some() {
        t.push_str(" · not available");
    } else if pane.events.error.is_some() {
        t.push_str(" · ⚠ failed");
    }
    let via = if width >= 50 { "via " } else { "" };
    if pane.view == HealthView::Organization {
        t.push_str(" · organization");
    }
    if let Some(a) = pane.events.get() {
        t.push_str(&format!(" · {via}{}", clean(&a.endpoint)));
        if a.failover.is_some() {
            t.push_str(" (failover)");
        }
    }
    match (pane.events.loading, pane.events.at) {
        (true, None) => t.push_str(" · loading…"),
        (true, Some(at)) => t.push_str(&format!(" · {} ↻", age(at, shared.now))),
        (false, Some(at)) => t.push_str(&format!(" · {}", age(at, shared.now))),
        (false, None) => {}
    }
    t.push(' ');
    t
}

fn note_line(pane: &HealthPane, shared: &Shared) -> Option<Line<'static>> {
    let n = pane.note.as_ref()?;
    if (shared.now - n.at).num_seconds() > NOTE_SECONDS {
        return None;
    }
    Some(Line::from(Span::styled(
        format!(" {}", clean(&n.text)),
        theme::key(),
    )))
}

/// Lines for the state of the data: not subscribed, loading, failed (with the age of
/// what is still shown), the failover.
fn state_lines(pane: &HealthPane, shared: &Shared) -> Vec<Line<'static>> {
    let now = shared.now;
    let mut out = Vec::new();
    if pane.stopped.is_some() {
        out.push(Line::from(Span::styled(
            " Health API needs a support plan",
            theme::warn().add_modifier(Modifier::BOLD),
        )));
        out.push(Line::from(Span::styled(
            " (Business, Enterprise On-Ramp or Enterprise). Polling stopped; other panes \
             are unaffected; r tries again.",
            theme::dim(),
        )));
        return out;
    }
    if let Some((e, at)) = &pane.events.error {
        let kept = match pane.events.at {
            Some(t) => format!(", showing events from {} ago", age(t, now)),
            None => String::new(),
        };
        out.push(Line::from(Span::styled(
            clean(&format!(" ⚠ failed {} ago{kept}: {e}", age(*at, now))),
            theme::error(),
        )));
    }
    if pane.events.get().is_none() && pane.events.error.is_none() {
        out.push(Line::from(Span::styled(
            if pane.events.loading {
                " asking AWS Health…"
            } else {
                " AWS Health: not asked yet"
            },
            theme::dim(),
        )));
    }
    out
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    pane: &HealthPane,
    shared: &Shared,
    number: usize,
    focused: bool,
) {
    let block = pane_block(&title_text(pane, shared, number, area.width), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let h = inner.height as usize;
    let now = shared.now;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let state = state_lines(pane, shared);
    let stopped = pane.stopped.is_some();
    if let Some(e) = pane.opened() {
        lines.extend(opened_lines(pane, e, shared, w));
    } else if pane.events.get().is_some() && !stopped {
        let (text, style) = summary(&pane.shown);
        lines.push(Line::from(Span::styled(
            format!(" {}", ellipsize(&text, w.saturating_sub(1))),
            style,
        )));
    }
    if let Some(n) = note_line(pane, shared) {
        lines.insert(lines.len().min(1), n);
    }
    // Errors and state come right after the summary: they must be seen.
    let at = lines.len().min(1);
    for (i, l) in state.into_iter().enumerate() {
        lines.insert(at + i, l);
    }
    if pane.opened().is_none() && pane.events.get().is_some() && !stopped {
        let room = h.saturating_sub(lines.len());
        if room >= 2 && !pane.shown.is_empty() {
            let cols = columns(w);
            let mut head = String::from(" ");
            for c in &cols {
                head.push_str(&fit(c.head, c.width, c.right));
                head.push(' ');
            }
            lines.push(Line::from(Span::styled(head, theme::column_header())));
            let rows = room - 1;
            // Keep the selection in view.
            let first = pane.selected.saturating_sub(rows.saturating_sub(1));
            for (i, e) in pane.shown.iter().enumerate().skip(first).take(rows) {
                let mut style = status_style(e);
                if i == pane.selected {
                    style = style.patch(theme::selected());
                }
                lines.push(Line::from(Span::styled(row(e, &cols, now), style)));
            }
        } else if pane.shown.is_empty() && room >= 1 {
            lines.push(Line::from(Span::styled(
                " no events for this region in the last 7 days",
                theme::dim(),
            )));
        }
    }
    lines.truncate(h);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// The entity tally: `2 impaired, 1 unknown (1 on screen)`.
fn entity_tally(pane: &HealthPane, e: &HealthEvent, shared: &Shared) -> String {
    let entities = pane.entities_of(e);
    if pane.view == HealthView::Organization {
        return if entities.is_empty() {
            "not read yet".into()
        } else {
            format!("{} affected", entities.len())
        };
    }
    if entities.is_empty() {
        return "no affected resources listed".into();
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for en in entities {
        let l = en.status.label().to_string();
        match counts.iter_mut().find(|(s, _)| *s == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    let mut s = counts
        .iter()
        .map(|(l, n)| format!("{n} {l}"))
        .collect::<Vec<_>>()
        .join(", ");
    let seen = entities
        .iter()
        .filter(|en| on_screen(en, &shared.selected) || shared.target_ids.contains(&en.value))
        .count();
    if seen > 0 {
        s.push_str(&format!(" ({seen} on screen)"));
    }
    s
}

fn opened_lines(
    pane: &HealthPane,
    e: &HealthEvent,
    shared: &Shared,
    w: usize,
) -> Vec<Line<'static>> {
    let now = shared.now;
    let zone = match (&e.zone_name, pane.zone_id(e, shared)) {
        (Some(n), Some(id)) => format!("{} {}", clean(n), clean(&id)),
        (Some(n), None) => clean(n),
        (None, _) => e.region.as_deref().map(clean).unwrap_or_else(|| "–".into()),
    };
    let what = if pane.view == HealthView::Organization {
        "accounts"
    } else {
        "resources"
    };
    vec![
        Line::from(Span::styled(
            format!(
                " {}",
                ellipsize(
                    &format!("{} · {} · {zone}", title(e), e.status.label()),
                    w.saturating_sub(1)
                )
            ),
            status_style(e),
        )),
        Line::from(format!(
            " {} · updated {}",
            start_words(e, now),
            when(e.last_updated, now)
        )),
        Line::from(format!(" {what}: {}", entity_tally(pane, e, shared))),
        Line::from(Span::styled(" full story in Detail", theme::dim())),
    ]
}

fn field(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name}: "), theme::dim()),
        Span::raw(clean(&value)),
    ])
}

/// The Detail pane's story of the selected (or opened) event.
pub fn detail_lines(pane: &HealthPane, shared: &Shared) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(why) = &pane.stopped {
        out.push(Line::from(Span::styled(
            "AWS Health is not available to this account",
            theme::title(false),
        )));
        out.push(Line::from(format!(
            "{why}. AWS answered SubscriptionRequiredException, so grayscope stopped asking; \
             press r to try again after the support plan changes. Every other pane works \
             without it."
        )));
        return out;
    }
    let Some(e) = pane.opened().or_else(|| pane.selected_event()) else {
        out.push(Line::from(Span::styled(
            if pane.events.get().is_some() {
                "No AWS Health events for this region and global services."
            } else {
                "Waiting for AWS Health."
            },
            theme::dim(),
        )));
        return out;
    };
    let t = |x: Option<DateTime<Utc>>| {
        x.map(|t| {
            format!(
                "{} ({})",
                clock_text(t, shared.local_clock),
                when(Some(t), shared.now)
            )
        })
        .unwrap_or_else(|| "–".into())
    };
    out.push(Line::from(vec![
        Span::styled(title(e), theme::title(false)),
        Span::styled(format!("  {}", e.status.label()), status_style(e)),
    ]));
    out.push(field("type", e.type_code.clone()));
    let zone = match (&e.zone_name, pane.zone_id(e, shared)) {
        (Some(n), Some(id)) => format!("{n} ({id})"),
        (Some(n), None) => format!("{n} (not one of this account's zones)"),
        (None, _) => "–".into(),
    };
    out.push(field(
        "region",
        e.region.clone().unwrap_or_else(|| "–".into()),
    ));
    out.push(field("zone", zone));
    if let Some(n) = &e.zone_name {
        if let Some((_, label)) = pane.marks.iter().find(|(z, _)| z == n) {
            out.push(field(
                "on screen",
                format!("published to the AZ pane as \"{label}\" for {n}"),
            ));
        }
        if shared.blamed_zone.as_deref() == Some(n.as_str()) {
            out.push(Line::from(Span::styled(
                format!("The AZ verdict blames this same zone ({n})."),
                theme::error().add_modifier(Modifier::BOLD),
            )));
        }
    }
    out.push(field("start", t(e.start)));
    out.push(field("end", t(e.end)));
    out.push(field("last updated", t(e.last_updated)));
    if !e.scope.is_empty() {
        out.push(field("scope", e.scope.to_lowercase().replace('_', " ")));
    }
    out.push(field("arn", e.arn.clone()));
    if let Some(a) = pane.events.get() {
        let mut via = format!("{} endpoint", a.endpoint);
        if let Some(why) = &a.failover {
            via.push_str(&format!(" (failed over: {why})"));
        }
        out.push(field("answered by", via));
    }
    out.push(Line::from(""));
    match pane.description_of(e) {
        Some(d) => {
            for para in d.split("\n\n") {
                out.push(Line::from(clean(para.trim())));
            }
        }
        None if pane.view == HealthView::Organization => out.push(Line::from(Span::styled(
            "The organization view lists events without their text: Enter reads it, as \
             the first affected account sees it.",
            theme::dim(),
        ))),
        None => out.push(Line::from(Span::styled(
            "No description (DescribeEventDetails gave none for this event).",
            theme::dim(),
        ))),
    }
    out.push(Line::from(""));
    let entities = pane.entities_of(e);
    let heading = if pane.view == HealthView::Organization {
        match (
            &pane.accounts.loading,
            pane.open.as_deref() == Some(e.arn.as_str()),
        ) {
            (true, _) => "Affected accounts: loading…".to_string(),
            (false, false) => "Affected accounts: press Enter to read them".to_string(),
            (false, true) => format!("Affected accounts ({})", entities.len()),
        }
    } else {
        format!(
            "Affected resources ({}): {}",
            entities.len(),
            entity_tally(pane, e, shared)
        )
    };
    out.push(Line::from(Span::styled(heading, theme::title(false))));
    if let Some((err, _)) = &pane.accounts.error
        && pane.view == HealthView::Organization
    {
        out.push(Line::from(Span::styled(
            clean(&format!("⚠ {err}")),
            theme::error(),
        )));
    }
    for en in entities {
        if pane.view == HealthView::Organization {
            out.push(Line::from(format!("  account {}", clean(&en.value))));
            continue;
        }
        let mut spans = vec![
            Span::raw(format!("  {} ", clean(&en.value))),
            Span::styled(
                en.status.label().to_string(),
                match en.status {
                    EntityStatus::Impaired => theme::error(),
                    EntityStatus::Pending | EntityStatus::Unknown => theme::warn(),
                    _ => theme::dim(),
                },
            ),
        ];
        if on_screen(en, &shared.selected) {
            spans.push(Span::styled("  ◆ watched load balancer", theme::key()));
        } else if shared.target_ids.contains(&en.value) {
            spans.push(Span::styled("  ◆ target in the AZ pane", theme::key()));
        }
        out.push(Line::from(spans));
    }
    if let Some(a) = pane.events.get() {
        for p in &a.problems {
            out.push(Line::from(Span::styled(
                clean(&format!("⚠ {p}")),
                theme::error(),
            )));
        }
    }
    match pane.org.get() {
        Some(OrgAccess::Enabled) => out.push(Line::from(Span::styled(
            format!(
                "Showing {} events; {} switches to {} events.",
                pane.view.label(),
                shared.keymap.keys_text(crate::action::Action::NextView),
                match pane.view {
                    HealthView::Account => "the organization's",
                    HealthView::Organization => "this account's",
                }
            ),
            theme::dim(),
        ))),
        Some(OrgAccess::Unavailable(why)) => out.push(Line::from(Span::styled(
            format!("Organization view: {}", clean(why)),
            theme::dim(),
        ))),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn future_times_round_to_the_nearest_unit_past_ones_are_ages() {
        let d = chrono::Duration::minutes;
        assert_eq!(when(Some(now() + d(3 * 24 * 60 - 9)), now()), "in 3d");
        assert_eq!(when(Some(now() + d(90)), now()), "in 2h");
        assert_eq!(when(Some(now() + d(5)), now()), "in 5m");
        assert_eq!(when(Some(now() - d(9)), now()), "9m");
        assert_eq!(when(None, now()), "–");
    }

    #[tokio::test]
    async fn the_smallest_box_shows_the_summary_and_says_when_it_failed() {
        use crate::app::pane::Pane;
        use crate::backend::demo::DemoBackend;
        use crate::backend::{BackendError, Services};
        use crate::clock::Clock;
        let clock = Clock::Frozen(now());
        let mut app = crate::app::App::new(
            crate::app::Mode::Demo,
            crate::keymap::Keymap::defaults(),
            vec!["shop-frontend".into()],
            chrono::Duration::seconds(30),
            now(),
        );
        let services = Services::from_backend(std::sync::Arc::new(DemoBackend::new(clock, 9)));
        crate::jobs::run_until_idle(&mut app, services, clock).await;
        let draw = |app: &crate::app::App| {
            let area = Rect::new(0, 0, 36, 3);
            let mut buf = Buffer::empty(area);
            let pane = app.pane::<HealthPane>().expect("pane");
            pane.render(area, &mut buf, &app.shared, 4, false);
            crate::ui::export::to_text(&buf)
        };
        let text = draw(&app);
        assert!(text.contains("⚠ 1 open issue (us-east-1b)"), "{text}");
        app.with_pane_mut::<HealthPane>(|p, _| {
            p.events.error = Some((
                BackendError::Throttled {
                    operation: "DescribeEvents".into(),
                },
                now(),
            ))
        });
        let text = draw(&app);
        assert!(text.contains("⚠ failed"), "{text}");
        assert!(
            text.contains("⚠ 1 open issue"),
            "the last data still shows: {text}"
        );
    }

    #[test]
    fn columns_fit_the_width_and_keep_status_first() {
        for w in [20usize, 36, 48, 80, 160] {
            let cols = columns(w);
            let used: usize = cols.iter().map(|c| c.width + 1).sum::<usize>() + 1;
            assert!(used <= w || cols.len() == 1, "{w}: {used}");
            assert_eq!(cols[0].head, "Status");
        }
        assert_eq!(columns(160).len(), 6);
    }
}
