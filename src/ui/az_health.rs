//! Pane 1: per-AZ target health and load-balancer metrics, with the verdict.
//!
//! One row per zone (name, ID, verdict, target counts, latest 5xx rate, latency,
//! connection errors, trend) and under it one row per target group in that zone
//! (counts and the dominant non-healthy reason). Enter drills into the targets.

use crate::action::Action;
use crate::app::Shared;
use crate::app::panes::az::AzPane;
use crate::app::slot::{Slot, age};
use crate::model::metrics::{ALL_ZONES, latest};
use crate::model::summary::ZoneSummary;
use crate::model::targets::StateCounts;
use crate::model::text::{clean, ellipsize};
use crate::model::verdict::fmt_secs;
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
    rate: usize,
    rt: usize,
    cerr: usize,
    req: usize,
    trend: usize,
    rt_trend: usize,
}

impl Columns {
    fn for_width(w: usize) -> Columns {
        let wide = w >= 96;
        let fixed = 1 + 10 + 1 + 8 + 1 + 8 + 1 + 5 * 4 + 7 + 7 + 5 + 1;
        let req = if wide { 7 } else { 0 };
        let spare = w.saturating_sub(fixed + req);
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
        if self.req > 0 {
            s.push_str(&format!(" {}", fit("req/m", self.req - 1, true)));
        }
        s.push_str(&format!(
            " {} {} {}",
            fit("5xx%", self.rate, true),
            fit("RT", self.rt, true),
            fit("cerr", self.cerr, true)
        ));
        if self.trend > 0 {
            s.push_str(&format!(
                " {}",
                fit(
                    if self.rt_trend > 0 {
                        "5xx% (30m)"
                    } else {
                        "trend"
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

fn rate_series(s: &ZoneSummary) -> Vec<Option<f64>> {
    s.evidence
        .errors_5xx
        .iter()
        .zip(&s.evidence.requests)
        .map(|(e, r)| match (e, r) {
            (Some(e), Some(r)) if *r > 0.0 => Some(e / r * 100.0),
            _ => None,
        })
        .collect()
}

fn zone_line(s: &ZoneSummary, c: &Columns, rate_max: f64, rt_max: f64) -> Vec<Span<'static>> {
    let rates = rate_series(s);
    let rate = latest(&rates)
        .map(|r| format!("{r:.1}"))
        .unwrap_or_else(|| "–".into());
    let rt = latest(&s.evidence.response_time)
        .map(fmt_secs)
        .unwrap_or_else(|| "–".into());
    let cerr = latest(&s.evidence.connection_errors)
        .map(|v| format!("{v:.0}"))
        .unwrap_or_else(|| "–".into());
    let mut spans = vec![
        Span::raw(format!(
            " {} {} ",
            fit(&clean(&s.zone_name), c.zone, false),
            fit(&clean(&s.zone_id), c.id, false)
        )),
        Span::styled(
            fit(s.verdict.level.label(), c.verdict, false),
            theme::level(s.verdict.level),
        ),
        Span::raw(format!(" {}", c.counts(&s.counts))),
    ];
    if c.req > 0 {
        let req = latest(&s.evidence.requests)
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
    let lb_names: Vec<String> = app.selected.iter().map(|l| clean(&l.name)).collect();
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
    let block =
        pane_block(&title, focused).title_bottom(Line::from(format!(" {status} ")).right_aligned());
    let inner = block.inner(area);
    block.render(area, buf);

    let mut errors: Vec<Line> = [
        slot_errors("targets", &pane.health, now),
        slot_errors("metrics", &pane.metrics, now),
        slot_errors("zones", &app.zones, now),
        slot_errors("load balancers", &app.load_balancers, now),
    ]
    .into_iter()
    .flatten()
    .collect();
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
                    format!("{} {}: {}", i.zone_name, i.metric.metric_name(), i.status)
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
    let c = Columns::for_width(width);
    let rate_series_all: Vec<Vec<Option<f64>>> = pane.summaries.iter().map(rate_series).collect();
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
    let show_reasons = height > row_count + pane.summaries.len();
    let mut row = 0;
    for s in &pane.summaries {
        items.push((Line::from(zone_line(s, &c, rate_max, rt_max)), Some(row)));
        row += 1;
        if show_reasons {
            let text = format!("   ↳ {}", clean(&s.verdict.reason));
            items.push((
                Line::from(Span::styled(
                    ellipsize(&text, width),
                    theme::level(s.verdict.level).remove_modifier(ratatui::style::Modifier::BOLD),
                )),
                None,
            ));
        }
        for g in &s.groups {
            let reason = g
                .dominant_reason
                .as_ref()
                .map(|(r, n)| format!("{} ×{n}", clean(r)))
                .unwrap_or_default();
            let name_w = c.zone + 1 + c.id + 1 + c.verdict - 2;
            items.push((
                Line::from(vec![
                    Span::styled(
                        format!("   {}", fit(&clean(&g.group_name), name_w, false)),
                        theme::dim(),
                    ),
                    Span::raw(format!(" {} ", c.counts(&g.counts))),
                    Span::styled(
                        ellipsize(&reason, width.saturating_sub(3 + name_w + 2 + 20)),
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
                fit(&clean(t.reason.as_deref().unwrap_or("")), rw, false)
            )),
        ];
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
