//! The Detail pane: the full story of what is selected in the last focused pane, as
//! that pane tells it (`Pane::detail`), wrapped and scrollable (j/k while focused).
//! `az_lines` is the AZ pane's story: a zone's verdict and numbers, a target group's
//! tally, or one target's health description.

use crate::app::panes::az::{AzPane, RowKey};
use crate::app::{App, Shared};
use crate::model::metrics::latest;
use crate::model::text::clean;
use crate::model::verdict::fmt_secs;
use crate::model::zones::CrossZone;
use crate::ui::{pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

fn field(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name}: "), theme::dim()),
        Span::raw(clean(&value)),
    ])
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

pub fn az_lines(pane: &AzPane, shared: &Shared) -> Vec<Line<'static>> {
    if pane.drill.is_some() {
        let targets = pane.drill_targets();
        let sel = pane.drill.as_ref().map(|d| d.selected).unwrap_or(0);
        let Some((group, t)) = targets.get(sel) else {
            return vec![];
        };
        let mut head = vec![Line::from(Span::styled(clean(&t.id), theme::title(false)))];
        if shared.health_entities.contains(&t.id) {
            head.push(Line::from(Span::styled(
                "◆ AWS Health lists this target as affected by an open event (see the AWS Health pane)",
                theme::warn(),
            )));
        }
        return head
            .into_iter()
            .chain(vec![
                field("group", group.to_string()),
                field(
                    "port",
                    t.port.map(|p| p.to_string()).unwrap_or_else(|| "–".into()),
                ),
                field("state", t.state.as_str().to_string()),
                field("reason", t.reason.clone().unwrap_or_else(|| "–".into())),
                field(
                    "zone",
                    format!(
                        "{} ({})",
                        t.zone_name.as_deref().unwrap_or("?"),
                        t.zone_source.label()
                    ),
                ),
                field(
                    "anomaly detection",
                    match (t.anomalous, t.anomaly_checked, t.mitigation_in_effect) {
                        (true, _, true) => "anomalous, mitigation in effect".into(),
                        (true, _, false) => "anomalous".into(),
                        (false, true, _) => "normal".into(),
                        (false, false, _) => "not reported (no automatic target weights)".into(),
                    },
                ),
                field(
                    "zonal shift",
                    if t.zonal_shift_active {
                        "active: traffic is shifted away from this zone".into()
                    } else {
                        "–".into()
                    },
                ),
                field(
                    "description",
                    t.description.clone().unwrap_or_else(|| "–".into()),
                ),
            ])
            .collect();
    }
    match pane.selected_row() {
        Some(RowKey::Zone { zone }) => {
            let Some(s) = pane.summaries.iter().find(|s| s.zone_name == zone) else {
                return vec![];
            };
            let e = &s.evidence;
            let req = latest(&e.requests);
            let err = latest(&e.errors_5xx);
            let rate = match (err, req) {
                (Some(e), Some(r)) if r > 0.0 => format!(" ({:.1}%)", e / r * 100.0),
                _ => String::new(),
            };
            let mut lines = vec![
                Line::from(vec![
                    Span::styled(
                        format!("{} · {}", clean(&s.zone_name), clean(&s.zone_id)),
                        theme::title(false),
                    ),
                    Span::styled(format!("  EC2: {}", clean(&s.zone_state)), theme::dim()),
                ]),
                Line::from(vec![
                    Span::styled(
                        s.verdict.level.label(),
                        theme::level(s.verdict.level).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(": {}", clean(&s.verdict.reason))),
                ]),
                field("last minute", last_minute(e, req, err, &rate)),
                field(
                    "outlier minutes",
                    format!(
                        "{} of the last {} with data",
                        s.verdict.outlier_minutes, s.verdict.judged_minutes
                    ),
                ),
                field("evidence", s.verdict.evidence_used.join(", ")),
                field("minute by minute", String::new()),
                field(
                    "targets",
                    format!(
                        "{} healthy, {} unhealthy, {} draining, {} initial, {} unused",
                        s.counts.healthy,
                        s.counts.unhealthy + s.counts.other,
                        s.counts.draining,
                        s.counts.initial,
                        s.counts.unused
                    ),
                ),
            ];
            // One line per minute of the verdict window, under its heading.
            let at = lines.len() - 1;
            lines.splice(
                at..at,
                minute_by_minute(s)
                    .into_iter()
                    .map(|m| Line::from(Span::raw(format!("  {}", clean(&m))))),
            );
            lines
        }
        Some(RowKey::Group { zone, group_arn }) => {
            let Some(g) = pane
                .summaries
                .iter()
                .flat_map(|s| &s.groups)
                .find(|g| g.zone_name == zone && g.group_arn == group_arn)
            else {
                return vec![];
            };
            vec![
                Line::from(Span::styled(
                    format!("{} in {}", clean(&g.group_name), clean(&zone)),
                    theme::title(false),
                )),
                field("arn", g.group_arn.clone()),
                field(
                    "targets",
                    format!(
                        "{} healthy, {} unhealthy, {} draining, {} initial, {} unused",
                        g.counts.healthy,
                        g.counts.unhealthy + g.counts.other,
                        g.counts.draining,
                        g.counts.initial,
                        g.counts.unused
                    ),
                ),
                field(
                    "main reason",
                    g.dominant_reason
                        .as_ref()
                        .map(|(r, n)| format!("{r} ({n} targets)"))
                        .unwrap_or_else(|| "–".into()),
                ),
                field(
                    "cross-zone",
                    match g.cross_zone {
                        CrossZone::On => {
                            "on: per-AZ LB metrics mix every zone's targets".to_string()
                        }
                        CrossZone::Off => "off: per-AZ LB metrics are per-zone evidence".into(),
                        CrossZone::Unknown => "not known".into(),
                    },
                ),
                field(
                    "anomaly detection",
                    if g.anomaly.checked == 0 {
                        "not reported".to_string()
                    } else {
                        format!(
                            "{} of {} targets anomalous, {} mitigated",
                            g.anomaly.anomalous, g.anomaly.checked, g.anomaly.mitigated
                        )
                    },
                ),
            ]
        }
        None => vec![Line::from(Span::styled(
            "Select a row in pane 1.",
            theme::dim(),
        ))],
    }
}

/// Rows `lines` take when wrapped to `width` columns.
pub fn wrapped_rows(lines: &[Line], width: u16) -> usize {
    let w = (width as usize).max(1);
    lines.iter().map(|l| l.width().div_ceil(w).max(1)).sum()
}

/// The verdict window minute by minute: the zone's error rate and latency in each
/// minute and which signals made it an outlier against the sibling zones.
fn minute_by_minute(s: &crate::model::summary::ZoneSummary) -> Vec<String> {
    let e = &s.evidence;
    let nlb = e.requests.iter().all(Option::is_none) && e.flows.iter().any(Option::is_some);
    let at = |series: &[Option<f64>], slot: usize| series.get(slot).copied().flatten();
    let minutes: Vec<String> = s
        .verdict
        .minutes
        .iter()
        .map(|(slot, signal)| {
            let when = e
                .window
                .map(|w| {
                    (w.start + chrono::Duration::minutes(*slot as i64))
                        .format("%H:%M")
                        .to_string()
                })
                .unwrap_or_else(|| format!("#{slot}"));
            let (errors, traffic, label) = if nlb {
                (at(&e.resets, *slot), at(&e.flows, *slot), "rst")
            } else {
                (at(&e.errors_5xx, *slot), at(&e.requests, *slot), "5xx")
            };
            let mut numbers = match (errors, traffic) {
                (Some(x), Some(t)) if t > 0.0 => format!("{label} {:.1}%", x / t * 100.0),
                (_, None) => "no traffic".to_string(),
                _ => format!("{label} –"),
            };
            if let Some(rt) = at(&e.response_time, *slot) {
                numbers.push_str(&format!(" {}", fmt_secs(rt)));
            }
            let fired: Vec<&str> = [
                (signal.errors, "5xx"),
                (signal.latency, "latency"),
                (signal.connections, "conn errors"),
                (signal.resets, "resets"),
            ]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
            if fired.is_empty() {
                format!("{when} {numbers}")
            } else {
                format!("{when} {numbers} OUTLIER ({})", fired.join(", "))
            }
        })
        .collect();
    if minutes.is_empty() {
        vec!["–".into()]
    } else {
        minutes
    }
}

/// The zone's last minute in numbers: an ALB's requests, 5xx, latency and connection
/// errors, or an NLB's new flows and TCP resets.
fn last_minute(
    e: &crate::model::verdict::ZoneEvidence,
    req: Option<f64>,
    err: Option<f64>,
    rate: &str,
) -> String {
    let flows = latest(&e.flows);
    if req.is_none() && flows.is_some() {
        let resets = latest(&e.resets);
        let share = match (resets, flows) {
            (Some(r), Some(f)) if f > 0.0 => format!(" ({:.1}%)", r / f * 100.0),
            _ => String::new(),
        };
        return format!(
            "{} new flows, {} TCP resets{share}",
            opt(flows, |v| format!("{v:.0}")),
            opt(resets, |v| format!("{v:.0}")),
        );
    }
    format!(
        "{} req, {} 5xx{rate}, RT {}, {} conn errors",
        opt(req, |v| format!("{v:.0}")),
        opt(err, |v| format!("{v:.0}")),
        opt(latest(&e.response_time), fmt_secs),
        opt(latest(&e.connection_errors), |v| format!("{v:.0}")),
    )
}

pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    let focused = app.detail_focused();
    let source = app.shown_in(app.detail_of);
    let lines = source.map(|p| p.detail(&app.shared)).unwrap_or_default();
    let inner_probe = pane_block("", focused).inner(area);
    let total = wrapped_rows(&lines, inner_probe.width);
    let visible = inner_probe.height as usize;
    let max_scroll = total.saturating_sub(visible);
    let scroll = (app.detail_scroll as usize).min(max_scroll);
    let mut title = format!(" {} Detail ", app.detail_number());
    if let Some(p) = source {
        title = format!(" {} Detail · {} ", app.detail_number(), p.title());
    }
    let mut block = pane_block(&title, focused);
    if max_scroll > 0 {
        let keys = format!(
            "{}/{}",
            app.shared.keymap.keys_text(crate::action::Action::Down),
            app.shared.keymap.keys_text(crate::action::Action::Up)
        );
        let more = if scroll < max_scroll {
            "more ↓"
        } else {
            "end"
        };
        block = block.title_bottom(
            Line::from(format!(
                " {}/{} {more} · {} {keys} ",
                scroll + visible.min(total),
                total,
                if focused { "scroll" } else { "focus, then" }
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}
