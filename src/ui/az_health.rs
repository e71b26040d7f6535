//! Pane 1: per-AZ target health and load-balancer metrics, with the verdict.
//!
//! One row per zone (name, ID, verdict, target counts, anomalous targets, latest 5xx
//! rate, latency, connection errors, trend) and under it one row per target group in
//! that zone (counts and the dominant non-healthy reason; `cross-zone on` where its
//! per-AZ metrics mix zones). Targets whose zone is not known get their own row. The
//! verdict's reason goes under its zone, wrapped, the zones that need attention first
//! when rows are short. Enter drills into the targets.

use crate::action::Action;
use crate::app::Shared;
use crate::app::panes::az::AzPane;
use crate::app::slot::{Slot, age};
use crate::model::metrics::{ALL_ZONES, latest};
use crate::model::summary::{ZoneSummary, lb_cross_zone};
use crate::model::targets::StateCounts;
use crate::model::text::{clean, ellipsize};
use crate::model::verdict::fmt_secs;
use crate::model::zones::CrossZone;
use crate::ui::spark::{max_of, sparkline};
use crate::ui::{pane_block, theme};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Pads or cuts `s` to exactly `w` display columns.
pub fn fit(s: &str, w: usize, right: bool) -> String {
    let s = ellipsize(s, w);
    let n = s.chars().count();
    if right {
        format!("{}{s}", " ".repeat(w - n))
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// `targets 4s · metrics 4s`: how old each part of the pane is.
pub fn slot_status<T>(name: &str, slot: &Slot<T>, now: DateTime<Utc>) -> String {
    match (slot.loading, slot.at) {
        (true, None) => format!("{name} loading…"),
        (true, Some(at)) => format!("{name} {} ↻", age(at, now)),
        (false, Some(at)) => format!("{name} {}", age(at, now)),
        (false, None) if slot.error.is_some() => format!("{name} failed"),
        (false, None) => format!("{name} —"),
    }
}

/// Error lines for failed slots: what went wrong, when, and what is still shown.
pub fn slot_errors<T>(name: &str, slot: &Slot<T>, now: DateTime<Utc>) -> Option<Line<'static>> {
    let (e, when) = slot.error.as_ref()?;
    let kept = match slot.at {
        Some(at) => format!(", showing data from {} ago", age(at, now)),
        None => String::new(),
    };
    Some(Line::from(Span::styled(
        clean(&format!(
            "⚠ {name} failed {} ago{kept}: {e}",
            age(*when, now)
        )),
        theme::error(),
    )))
}

/// The 5xx rate (percent) and response time (seconds) a full sparkline bar stands for
/// at least.
const SPARK_FLOOR_5XX_PCT: f64 = 5.0;
const SPARK_FLOOR_RT_SECS: f64 = 0.5;

struct Columns {
    zone: usize,
    id: usize,
    verdict: usize,
    count: usize,
    /// Anomalous / checked targets; 0 when hidden.
    anom: usize,
    /// NLBs only: traffic is new flows and the error rate is TCP resets per flow.
    flows: bool,
    rate: usize,
    rt: usize,
    cerr: usize,
    req: usize,
    trend: usize,
    rt_trend: usize,
}

impl Columns {
    /// The columns for a pane `w` wide; `anomalies` when some target has anomaly
    /// detection (the column shows at wide widths regardless).
    fn for_width(w: usize, anomalies: bool) -> Columns {
        let wide = w >= 96;
        let fixed = 1 + 10 + 1 + 8 + 1 + 8 + 1 + 5 * 4 + 7 + 7 + 5 + 1;
        let req = if wide { 7 } else { 0 };
        let anom = if wide || anomalies { 5 } else { 0 };
        let spare = w.saturating_sub(fixed + req + anom);
        let (trend, rt_trend) = if wide {
            let t = (spare.saturating_sub(2) / 2).min(30);
            (t, t)
        } else {
            (spare.min(30), 0)
        };
        Columns {
            zone: 10,
            id: 8,
            verdict: 8,
            count: 3,
            anom,
            flows: false,
            rate: 6,
            rt: 6,
            cerr: 4,
            req,
            trend,
            rt_trend,
        }
    }

    fn header(&self) -> String {
        let mut s = format!(
            " {} {} {} {} {} {} {} {}",
            fit("Zone", self.zone, false),
            fit("AZ ID", self.id, false),
            fit("Verdict", self.verdict, false),
            fit("ok", self.count, true),
            fit("unh", self.count, true),
            fit("drn", self.count, true),
            fit("ini", self.count, true),
            fit("unu", self.count, true),
        );
        if self.anom > 0 {
            s.push_str(&format!(" {}", fit("anom", self.anom - 1, true)));
        }
        if self.req > 0 {
            let traffic = if self.flows { "flow/m" } else { "req/m" };
            s.push_str(&format!(" {}", fit(traffic, self.req - 1, true)));
        }
        let rate = if self.flows { "rst%" } else { "5xx%" };
        s.push_str(&format!(
            " {} {} {}",
            fit(rate, self.rate, true),
            fit("RT", self.rt, true),
            fit("cerr", self.cerr, true)
        ));
        if self.trend > 0 {
            s.push_str(&format!(
                " {}",
                fit(
                    match (self.rt_trend > 0, self.flows) {
                        (true, false) => "5xx% (30m)",
                        (true, true) => "rst% (30m)",
                        (false, _) => "trend",
                    },
                    self.trend,
                    false
                )
            ));
        }
        if self.rt_trend > 0 {
            s.push_str(&format!(" {}", fit("RT (30m)", self.rt_trend, false)));
        }
        s
    }

    fn counts(&self, c: &StateCounts) -> String {
        let n = |v: u32| fit(&v.to_string(), self.count, true);
        format!(
            "{} {} {} {} {}",
            n(c.healthy),
            n(c.unhealthy + c.other),
            n(c.draining),
            n(c.initial),
            n(c.unused)
        )
    }
}

/// Whether the pane shows NLBs only: no zone has request counts, some have flows.
fn flows_only(summaries: &[ZoneSummary]) -> bool {
    let any = |f: fn(&ZoneSummary) -> &[Option<f64>]| {
        summaries.iter().any(|s| f(s).iter().any(Option::is_some))
    };
    !any(|s| &s.evidence.requests) && any(|s| &s.evidence.flows)
}

/// The error rate per minute, in percent: 5xx per request, or (NLBs) TCP resets per
/// new flow.
fn rate_series(s: &ZoneSummary, flows: bool) -> Vec<Option<f64>> {
    let (errors, traffic) = if flows {
        (&s.evidence.resets, &s.evidence.flows)
    } else {
        (&s.evidence.errors_5xx, &s.evidence.requests)
    };
    errors
        .iter()
        .zip(traffic)
        .map(|(e, r)| match (e, r) {
            (Some(e), Some(r)) if *r > 0.0 => Some(e / r * 100.0),
            _ => None,
        })
        .collect()
}

fn zone_line(s: &ZoneSummary, c: &Columns, rate_max: f64, rt_max: f64) -> Vec<Span<'static>> {
    let rates = rate_series(s, c.flows);
    let rate = latest(&rates)
        .map(|r| format!("{r:.1}"))
        .unwrap_or_else(|| "–".into());
    let rt = latest(&s.evidence.response_time)
        .map(fmt_secs)
        .unwrap_or_else(|| "–".into());
    let cerr = latest(&s.evidence.connection_errors)
        .map(|v| format!("{v:.0}"))
        .unwrap_or_else(|| "–".into());
    let place = if s.is_unknown_zone() {
        // Not a zone: the name spans both columns.
        fit(&clean(&s.zone_name), c.zone + 1 + c.id, false)
    } else {
        let id = if s.id_known() {
            clean(&s.zone_id)
        } else {
            "unknown".to_string()
        };
        format!(
            "{} {}",
            fit(&clean(&s.zone_name), c.zone, false),
            fit(&id, c.id, false)
        )
    };
    // A zone with targets under an active zonal shift (AdministrativeOverride
    // zonal_shift_active) is marked where the row starts.
    let lead = if s.anomaly.zonal_shift > 0 {
        Span::styled("←", theme::warn())
    } else {
        Span::raw(" ")
    };
    let mut spans = vec![
        lead,
        Span::raw(format!("{place} ")),
        Span::styled(
            fit(s.verdict.level.label(), c.verdict, false),
            theme::level(s.verdict.level),
        ),
        Span::raw(format!(" {}", c.counts(&s.counts))),
    ];
    if c.anom > 0 {
        spans.push(Span::styled(
            format!(" {}", fit(&s.anomaly.ratio_text(), c.anom - 1, true)),
            if s.anomaly.anomalous > 0 {
                theme::warn()
            } else {
                Style::new()
            },
        ));
    }
    if c.req > 0 {
        let traffic = if c.flows {
            &s.evidence.flows
        } else {
            &s.evidence.requests
        };
        let req = latest(traffic)
            .map(|v| format!("{v:.0}"))
            .unwrap_or_else(|| "–".into());
        spans.push(Span::raw(format!(" {}", fit(&req, c.req - 1, true))));
    }
    spans.push(Span::raw(format!(
        " {} {} {}",
        fit(&rate, c.rate, true),
        fit(&rt, c.rt, true),
        fit(&cerr, c.cerr, true)
    )));
    if c.trend > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            fit(&sparkline(&rates, rate_max, c.trend), c.trend, false),
            theme::level(s.verdict.level),
        ));
    }
    if c.rt_trend > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            fit(
                &sparkline(&s.evidence.response_time, rt_max, c.rt_trend),
                c.rt_trend,
                false,
            ),
            theme::level(s.verdict.level),
        ));
    }
    spans
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    pane: &AzPane,
    app: &Shared,
    number: usize,
    focused: bool,
) {
    let now = app.now;
    let health = pane.health.get().map(Vec::as_slice).unwrap_or(&[]);
    let lb_names: Vec<String> = app
        .selected
        .iter()
        .map(|l| match lb_cross_zone(l, health) {
            CrossZone::On => format!("{} (cross-zone on)", clean(&l.name)),
            _ => clean(&l.name),
        })
        .collect();
    let mut title = format!(" {number} AZ health ");
    if !lb_names.is_empty() {
        title = format!(" {number} AZ health · {} ", lb_names.join(", "));
    }
    if let Some(f) = &pane.filter {
        title = format!("{title}· filter {} ", clean(&f.text));
    }
    if let Some(d) = &pane.drill {
        title = format!(
            "{}› {} {}targets ",
            title,
            clean(&d.zone),
            d.group_name
                .as_deref()
                .map(|g| format!("› {} ", clean(g)))
                .unwrap_or_default()
        );
    }
    let status = [
        slot_status("targets", &pane.health, now),
        slot_status("metrics", &pane.metrics, now),
        slot_status("zones", &app.zones, now),
    ]
    .join(" · ");
    let mut block =
        pane_block(&title, focused).title_bottom(Line::from(format!(" {status} ")).right_aligned());
    if !app.selected.is_empty() && pane.drill.is_none() {
        // The row's numbers and the verdict's cover different windows: say which.
        let room = (area.width as usize).saturating_sub(status.chars().count() + 6);
        let note = [
            " numbers: last minute · verdict: last 5 min ",
            " numbers: last minute ",
        ]
        .into_iter()
        .find(|n| n.chars().count() <= room);
        if let Some(note) = note {
            block = block.title_bottom(Line::from(Span::styled(note, theme::dim())).left_aligned());
        }
    }
    let inner = block.inner(area);
    block.render(area, buf);

    let mut errors: Vec<Line> = pane
        .notice
        .iter()
        .map(|n| Line::from(Span::styled(clean(n), theme::warn())))
        .collect();
    errors.extend(
        [
            slot_errors("targets", &pane.health, now),
            slot_errors("metrics", &pane.metrics, now),
            slot_errors("zones", &app.zones, now),
            slot_errors("load balancers", &app.load_balancers, now),
        ]
        .into_iter()
        .flatten(),
    );
    for problem in app.lb_problems.iter().chain(&pane.health_problems) {
        errors.push(Line::from(Span::styled(
            clean(&format!("⚠ {problem}")),
            theme::warn(),
        )));
    }
    if let Some(m) = pane.metrics.get() {
        let mut issues: Vec<String> = m
            .issues
            .iter()
            .map(|i| {
                if i.zone_name == ALL_ZONES {
                    i.status.clone()
                } else {
                    format!("{} {}: {}", i.zone_name, i.metric.label(), i.status)
                }
            })
            .collect();
        issues.dedup();
        if let Some(first) = issues.first() {
            let more = if issues.len() > 1 {
                format!(" (+{} more)", issues.len() - 1)
            } else {
                String::new()
            };
            errors.push(Line::from(Span::styled(
                clean(&format!("⚠ metric data incomplete: {first}{more}")),
                theme::warn(),
            )));
        }
    }
    // Errors wrap; each gets the rows it needs, up to a third of the pane in all.
    let width = (inner.width as usize).max(1);
    let mut error_rows = 0;
    errors.retain(|l| {
        let rows = l.width().div_ceil(width).max(1);
        let keep = error_rows + rows <= (inner.height as usize / 3).max(1);
        if keep {
            error_rows += rows;
        }
        keep
    });
    let body_height = (inner.height as usize).saturating_sub(error_rows);
    let body = Rect {
        height: body_height as u16,
        ..inner
    };

    let lines = if app.selected.is_empty() {
        empty_state(app)
    } else if pane.drill.is_some() {
        drill_lines(pane, app, inner.width as usize, body_height, focused)
    } else {
        table_lines(pane, app, inner.width as usize, body_height, focused)
    };
    Paragraph::new(lines).render(body, buf);
    let err_area = Rect {
        y: inner.y + body_height as u16,
        height: error_rows as u16,
        ..inner
    };
    Paragraph::new(errors)
        .wrap(Wrap { trim: false })
        .render(err_area, buf);
}

fn empty_state(app: &Shared) -> Vec<Line<'static>> {
    let key = app.keymap.keys_text(Action::PickLoadBalancer);
    let region = app
        .identity
        .get()
        .and_then(|i| i.region.clone())
        .unwrap_or_else(|| "this region".into());
    let text = if app.load_balancers.loading {
        "Loading load balancers…".to_string()
    } else {
        match app.load_balancers.get() {
            Some(l) if l.is_empty() => format!(
                "No load balancers in {}. Try --region, --profile or --load-balancer.",
                clean(&region)
            ),
            Some(_) => format!("No load balancer selected: press {key} to choose one."),
            None if app.load_balancers.error.is_some() => {
                format!(
                    "Could not list load balancers (below). Press {} to retry.",
                    app.keymap.keys_text(Action::Refresh)
                )
            }
            None => "Waiting for credentials…".to_string(),
        }
    };
    vec![Line::from(Span::styled(text, theme::dim()))]
}

/// Words wrapped into lines of at most `width` characters; a word longer than a line
/// is cut.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word = ellipsize(word, width);
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Most lines one zone's reason may take.
const MAX_REASON_LINES: usize = 3;

/// The reason lines under each zone, in `spare` rows at most: every reason wrapped to
/// the pane's width, the zones that need attention most served first; a reason that
/// does not fit whole is cut on its last line.
fn reason_lines(summaries: &[ZoneSummary], width: usize, spare: usize) -> Vec<Vec<String>> {
    const LEAD: &str = "   ↳ ";
    const MORE: &str = "     ";
    let wrapped: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            wrap_words(
                &clean(&s.verdict.reason),
                width.saturating_sub(LEAD.chars().count()),
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..summaries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(summaries[i].level().severity()));
    let mut budget = vec![0usize; summaries.len()];
    let mut left = spare;
    // One line each first (worst first), then the rest of each reason.
    for pass in [1, MAX_REASON_LINES] {
        for &i in &order {
            let want = wrapped[i].len().min(pass);
            let more = want.saturating_sub(budget[i]).min(left);
            budget[i] += more;
            left -= more;
        }
    }
    wrapped
        .into_iter()
        .zip(budget)
        .map(|(lines, n)| {
            let cut = lines.len() > n;
            lines
                .into_iter()
                .take(n)
                .enumerate()
                .map(|(k, l)| {
                    let l = if cut && k + 1 == n {
                        ellipsize(
                            &format!("{l} …"),
                            width.saturating_sub(LEAD.chars().count()),
                        )
                    } else {
                        l
                    };
                    format!("{}{l}", if k == 0 { LEAD } else { MORE })
                })
                .collect()
        })
        .collect()
}

/// Scrolls so that `selected` stays visible in `height` rows.
fn window(len: usize, selected: usize, height: usize) -> std::ops::Range<usize> {
    if height == 0 {
        return 0..0;
    }
    let start = if selected >= height {
        selected + 1 - height
    } else {
        0
    };
    start..(start + height).min(len)
}

fn table_lines(
    pane: &AzPane,
    _app: &Shared,
    width: usize,
    height: usize,
    focused: bool,
) -> Vec<Line<'static>> {
    if pane.summaries.is_empty() {
        let text = if pane.health.loading || pane.metrics.loading {
            "Loading target health and metrics…"
        } else {
            "No zones: the load balancer has no zones, targets or metrics yet."
        };
        return vec![Line::from(Span::styled(text, theme::dim()))];
    }
    let c = Columns {
        flows: flows_only(&pane.summaries),
        ..Columns::for_width(width, pane.summaries.iter().any(|s| s.anomaly.checked > 0))
    };
    let rate_series_all: Vec<Vec<Option<f64>>> = pane
        .summaries
        .iter()
        .map(|s| rate_series(s, c.flows))
        .collect();
    // Floors keep healthy noise (0.3% vs 0.6% 5xx, 90 vs 120 ms) low on the chart
    // instead of stretching it to full height: a full bar must mean something.
    let rate_max = max_of(rate_series_all.iter().map(Vec::as_slice)).max(SPARK_FLOOR_5XX_PCT);
    let rt_max = max_of(
        pane.summaries
            .iter()
            .map(|s| s.evidence.response_time.as_slice()),
    )
    .max(SPARK_FLOOR_RT_SECS);

    // Each display line, and the selectable row it is (reason lines are not rows).
    let mut items: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    let row_count: usize = pane.summaries.iter().map(|s| 1 + s.groups.len()).sum();
    let reasons = reason_lines(&pane.summaries, width, height.saturating_sub(1 + row_count));
    let mut row = 0;
    for (s, reason) in pane.summaries.iter().zip(reasons) {
        items.push((Line::from(zone_line(s, &c, rate_max, rt_max)), Some(row)));
        row += 1;
        let style = theme::level(s.verdict.level).remove_modifier(ratatui::style::Modifier::BOLD);
        for text in reason {
            items.push((Line::from(Span::styled(text, style)), None));
        }
        for g in &s.groups {
            let mut reason = g
                .dominant_reason
                .as_ref()
                .map(|(r, n)| format!("{} ×{n}", clean(r)))
                .unwrap_or_default();
            if g.cross_zone == CrossZone::On {
                if !reason.is_empty() {
                    reason.push_str(" · ");
                }
                reason.push_str("cross-zone on");
            }
            let name_w = c.zone + 1 + c.id + 1 + c.verdict - 2;
            items.push((
                Line::from(vec![
                    Span::styled(
                        format!("   {}", fit(&clean(&g.group_name), name_w, false)),
                        theme::dim(),
                    ),
                    Span::raw(format!(" {}", c.counts(&g.counts))),
                    Span::raw(if c.anom > 0 {
                        format!(" {} ", fit(&g.anomaly.ratio_text(), c.anom - 1, true))
                    } else {
                        " ".to_string()
                    }),
                    Span::styled(
                        ellipsize(&reason, width.saturating_sub(3 + name_w + 2 + 20 + c.anom)),
                        if g.counts.failing() > 0 {
                            theme::warn()
                        } else {
                            theme::dim()
                        },
                    ),
                ]),
                Some(row),
            ));
            row += 1;
        }
    }
    let mut lines = vec![Line::from(Span::styled(
        fit(&c.header(), width, false),
        theme::column_header(),
    ))];
    let selected_at = items
        .iter()
        .position(|(_, r)| *r == Some(pane.selected))
        .unwrap_or(0);
    let visible = window(items.len(), selected_at, height.saturating_sub(1));
    for (i, (mut line, r)) in items.into_iter().enumerate() {
        if !visible.contains(&i) {
            continue;
        }
        if r == Some(pane.selected) && focused {
            line = line.patch_style(theme::selected());
        } else if r == Some(pane.selected) {
            line = line.patch_style(Style::new().add_modifier(ratatui::style::Modifier::BOLD));
        }
        lines.push(line);
    }
    lines
}

fn drill_lines(
    pane: &AzPane,
    app: &Shared,
    width: usize,
    height: usize,
    focused: bool,
) -> Vec<Line<'static>> {
    let targets = pane.drill_targets();
    let selected = pane.drill.as_ref().map(|d| d.selected).unwrap_or(0);
    if targets.is_empty() {
        return vec![Line::from(Span::styled(
            format!(
                "No targets here. {} goes back.",
                app.keymap.keys_text(Action::Back)
            ),
            theme::dim(),
        ))];
    }
    let wide = width >= 110;
    let (gw, idw, sw) = (10, 19, 18);
    let rw = if wide {
        29
    } else {
        width
            .saturating_sub(1 + gw + 1 + idw + 1 + 5 + 1 + sw + 1)
            .max(8)
    };
    let mut header = format!(
        " {} {} {} {} {}",
        fit("Group", gw, false),
        fit("Target", idw, false),
        fit("Port", 5, true),
        fit("State", sw, false),
        fit("Reason", rw, false)
    );
    if wide {
        header.push_str(" Zone from    Description");
    }
    let mut lines = vec![Line::from(Span::styled(
        fit(&header, width, false),
        theme::column_header(),
    ))];
    let visible = window(targets.len(), selected, height.saturating_sub(1));
    for (i, (group, t)) in targets.iter().enumerate() {
        if !visible.contains(&i) {
            continue;
        }
        let state_style = if t.state.is_failing() {
            theme::error()
        } else if t.state == crate::model::targets::TargetState::Healthy {
            Style::new().fg(ratatui::style::Color::Green)
        } else {
            theme::warn()
        };
        let mut spans = vec![
            Span::raw(format!(
                " {} {} {} ",
                fit(&clean(group), gw, false),
                fit(&clean(&t.id), idw, false),
                fit(
                    &t.port.map(|p| p.to_string()).unwrap_or_else(|| "–".into()),
                    5,
                    true
                )
            )),
            Span::styled(fit(&clean(t.state.as_str()), sw, false), state_style),
            Span::raw(format!(
                " {}",
                fit(
                    &clean(t.reason.as_deref().unwrap_or(if t.zonal_shift_active {
                        "zonal_shift_active"
                    } else {
                        ""
                    })),
                    rw,
                    false
                )
            )),
        ];
        if t.zonal_shift_active {
            // AdministrativeOverride zonal_shift_active: the load balancer keeps
            // traffic off it while the zone is shifted away.
            spans.insert(0, Span::styled("←", theme::warn()));
        }
        if app.health_entities.contains(&t.id) {
            // Marked where it is seen first, whatever the width: AWS Health lists it as
            // affected (Detail says so in words; help has the legend).
            spans.insert(0, Span::styled("◆", theme::key()));
        }
        if wide {
            spans.push(Span::styled(
                format!(" {} ", fit(t.zone_source.label(), 12, false)),
                theme::dim(),
            ));
            spans.push(Span::raw(clean(t.description.as_deref().unwrap_or(""))));
        }
        let mut line = Line::from(spans);
        if i == selected && focused {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words_and_cuts_only_overlong_words() {
        assert_eq!(
            wrap_words("5xx 4.8% vs 0.0% in sibling AZs", 12),
            ["5xx 4.8% vs", "0.0% in", "sibling AZs"]
        );
        assert_eq!(wrap_words("abcdefghij", 4), ["abc…"]);
        assert!(wrap_words("  ", 10).is_empty());
    }
}
