//! Drawing the anomaly-bands pane: a status line ("214 ms, band 22-41 ms, above for
//! 23 min"), where the band comes from and the detector's state, errors with their age,
//! then the chart: the band (shaded in colour, its edges drawn), the metric over it,
//! out-of-band minutes marked on the axis row below (`▲`/`▼`, ASCII `^`/`v`, so they
//! stand out without colour too), verdict changes as `|`, and the time axis in the
//! header's clock. Braille by default, ASCII when the pane says so; colour off with
//! NO_COLOR. In a small box (the 80x24 layout) it keeps to the status line.

use crate::app::Shared;
use crate::app::panes::bands::BandsPane;
use crate::app::slot::{Slot, age};
use crate::model::bands::{
    BandChart, BandSource, DetectorState, NowLine, Position, ResultStatus, Unit, minutes_words,
    range_label,
};
use crate::model::text::{clean, ellipsize};
use crate::ui::{pane_block, theme};
use chrono::{DateTime, Local, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// How the chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartStyle {
    pub braille: bool,
    pub color: bool,
    pub local_clock: bool,
}

fn out_style(color: bool) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    if color { s.fg(Color::Red) } else { s }
}

fn warn_style(color: bool) -> Style {
    if color { theme::warn() } else { Style::new() }
}

fn dim_style(color: bool) -> Style {
    if color { theme::dim() } else { Style::new() }
}

/// The status line in as many words as fit: full ("214 ms, band 22-41 ms, above for
/// 23 min") or compact ("214 ms above 22-41 ms 23 min").
pub fn now_text(now: &NowLine, unit: Unit, width: usize) -> String {
    let full = now.text(unit);
    if full.chars().count() <= width {
        return full;
    }
    let v = unit.format(now.value);
    let compact = match now.band {
        Some((l, h)) => {
            let side = match now.position {
                Position::Above => "above",
                Position::Below => "below",
                _ => "in",
            };
            let dur = now
                .out_minutes
                .map(|m| format!(" {}", minutes_words(m)))
                .unwrap_or_default();
            format!("{v} {side} {}{dur}", unit.format_range(l, h))
        }
        None => format!("{v} no band"),
    };
    ellipsize(&compact, width)
}

/// Where the band comes from, short enough for the small box (still saying whose).
pub fn source_short(chart: &BandChart) -> String {
    match chart.source {
        BandSource::CloudWatch => format!("CloudWatch ±{}σ", width_text(chart.query.width)),
        BandSource::LocalEstimate { .. } => "LOCAL ESTIMATE, not CloudWatch".into(),
        BandSource::None => "no band".into(),
    }
}

/// Where the band comes from, in words (the local estimate always says it is ours).
pub fn source_text(chart: &BandChart) -> String {
    match chart.source {
        BandSource::CloudWatch => format!("CloudWatch band ±{}σ", width_text(chart.query.width)),
        BandSource::LocalEstimate { days } => format!(
            "LOCAL ESTIMATE, not CloudWatch: same minutes on {days} earlier days, median ±{}×MAD",
            width_text(chart.query.width)
        ),
        BandSource::None => "no band".into(),
    }
}

fn width_text(w: f64) -> String {
    if w.fract() == 0.0 {
        format!("{w:.0}")
    } else {
        format!("{w}")
    }
}

/// Problems of one chart, most serious first, each in words that say what to do.
pub fn chart_problems(pane: &BandsPane, now: DateTime<Utc>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((e, at)) = &pane.chart.error {
        // Age first: in a narrow pane the end of the line is cut.
        let kept = pane
            .chart
            .at
            .map(|t| format!(", showing data from {} ago", age(t, now)))
            .unwrap_or_default();
        out.push(format!("⚠ failed {} ago{kept}: {e}", age(*at, now)));
    }
    if let Some(c) = pane.chart.get() {
        let about = |s: &ResultStatus, what: &str| match s {
            ResultStatus::Complete => None,
            ResultStatus::Partial => Some(format!(
                "⚠ PartialData: CloudWatch returned part of the {what}; the band may be incomplete"
            )),
            ResultStatus::Forbidden => Some(format!(
                "⚠ Forbidden: not allowed to read the {what} (needs cloudwatch:GetMetricData on it)"
            )),
            ResultStatus::InternalError => Some(format!(
                "⚠ InternalError: CloudWatch failed on the {what}; r to retry"
            )),
        };
        out.extend(about(&c.metric_status, "metric"));
        out.extend(about(&c.band_status, "band"));
        for m in &c.messages {
            out.push(format!("⚠ {m}"));
        }
    }
    if let Some((e, at)) = &pane.detector.error {
        out.push(format!("⚠ detector state: {e} ({} ago)", age(*at, now)));
    }
    out.into_iter().map(|s| clean(&s)).collect()
}

fn detector_text(slot: &Slot<DetectorState>, read_only: bool) -> String {
    match slot.get() {
        Some(DetectorState::NoModel) if read_only => {
            "no model for this metric and statistic (read-only: none created)".into()
        }
        Some(DetectorState::NoModel) => {
            "no model for this metric and statistic (a: create one)".into()
        }
        Some(s) => s.words(),
        None if slot.loading => "model: loading…".into(),
        None => "model: unknown".into(),
    }
}

fn clock_text(t: DateTime<Utc>, local: bool, with_date: bool) -> String {
    let f = if with_date { "%m-%d %H:%M" } else { "%H:%M" };
    if local {
        t.with_timezone(&Local).format(f).to_string()
    } else {
        t.format(f).to_string()
    }
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    pane: &BandsPane,
    shared: &Shared,
    number: usize,
    focused: bool,
) {
    let now = shared.now;
    let what = match pane.metric(shared) {
        Some(m) => clean(&m.label()),
        None => "no load balancer yet".into(),
    };
    let title = format!(" {number} Bands · {what} ");
    let mut status = range_label(pane.range_minutes());
    if pane.pan_minutes > 0 {
        status.push_str(&format!(" to -{}", minutes_words(pane.pan_minutes)));
    }
    if let Some(c) = pane.chart.get() {
        status.push_str(&format!(" @{}", range_label(c.query.period_secs / 60)));
    }
    if pane.chart.loading {
        status.push_str(" · loading");
    } else if let Some(at) = pane.chart.at {
        status.push_str(&format!(" · {}", age(at, now)));
    }
    let block =
        pane_block(&title, focused).title_bottom(Line::from(format!(" {status} ")).right_aligned());
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();

    if let Some(input) = &pane.input {
        lines.push(Line::from(vec![
            Span::styled("metric> ", theme::key()),
            Span::raw(clean(&input.text)),
            Span::styled("▏", theme::key()),
        ]));
        if let Some(e) = &input.error {
            lines.push(Line::from(Span::styled(clean(e), warn_style(pane.color))));
        }
        let choices = pane.completions();
        if pane.listed.loading {
            lines.push(Line::from(Span::styled(
                "listing metrics…",
                dim_style(pane.color),
            )));
        } else if let Some((e, _)) = &pane.listed.error {
            lines.push(Line::from(Span::styled(
                clean(&format!("⚠ {e}")),
                warn_style(pane.color),
            )));
        }
        lines.push(Line::from(Span::styled(
            "Enter apply · Tab complete · Esc cancel · e.g. AWS/EC2 CPUUtilization InstanceId=i-… Maximum",
            dim_style(pane.color),
        )));
        for c in choices
            .iter()
            .take(inner.height.saturating_sub(lines.len() as u16) as usize)
        {
            lines.push(Line::from(Span::raw(clean(c))));
        }
        Paragraph::new(lines).render(inner, buf);
        return;
    }

    let unit = pane.metric(shared).map(|m| m.unit()).unwrap_or(Unit::Plain);
    let chart = pane.chart.get();
    // Line 1: the value against its band.
    let head = match chart.and_then(BandChart::now_line) {
        Some(n) => {
            let mut text = now_text(&n, unit, w);
            let style = match n.position {
                Position::Above | Position::Below => out_style(pane.color),
                _ => Style::new(),
            };
            if matches!(
                chart.map(|c| c.source),
                Some(BandSource::LocalEstimate { .. })
            ) && text.chars().count() + 6 <= w
            {
                text.push_str(" (est)");
            }
            Line::from(Span::styled(text, style))
        }
        None if pane.chart.loading => Line::from(Span::styled("loading…", dim_style(pane.color))),
        None if chart.is_some() => Line::from("no datapoints in this range"),
        None if pane.metric(shared).is_none() => Line::from(Span::styled(
            "waiting for a load balancer",
            dim_style(pane.color),
        )),
        None => Line::from(""),
    };
    lines.push(head);
    let problems = chart_problems(pane, now);
    let detector = detector_text(&pane.detector, shared.read_only);
    let source_line = Line::from(Span::styled(
        match chart {
            Some(c) => {
                let full = format!("{} · {detector}", source_text(c));
                if full.chars().count() <= w {
                    full
                } else {
                    let short = match pane.detector.get() {
                        Some(d) => format!("{} · {}", source_short(c), d.short()),
                        None => source_short(c),
                    };
                    ellipsize(&short, w)
                }
            }
            None => ellipsize(&detector, w),
        },
        match chart.map(|c| c.source) {
            Some(BandSource::LocalEstimate { .. }) => warn_style(pane.color),
            _ => dim_style(pane.color),
        },
    ));
    if inner.height <= 2 {
        // The small box: the value, then the most serious problem or the source.
        match problems.first() {
            Some(p) => lines.push(Line::from(Span::styled(p.clone(), warn_style(pane.color)))),
            None => lines.push(source_line),
        }
        Paragraph::new(lines).render(inner, buf);
        return;
    }
    lines.push(source_line);
    for p in problems.iter().take(2) {
        lines.push(Line::from(Span::styled(p.clone(), warn_style(pane.color))));
    }
    if let Some(n) = &pane.notice {
        lines.push(Line::from(Span::styled(clean(n), warn_style(pane.color))));
    }
    let text_rows = lines.len() as u16;
    let chart_rows = inner.height.saturating_sub(text_rows);
    if chart_rows < 4 {
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    Paragraph::new(lines).render(inner, buf);
    if let Some(c) = chart {
        let area = Rect {
            x: inner.x,
            y: inner.y + text_rows,
            width: inner.width,
            height: chart_rows,
        };
        let marks: Vec<DateTime<Utc>> = pane.verdict_marks.iter().map(|(t, _)| *t).collect();
        draw_chart(
            area,
            buf,
            c,
            unit,
            ChartStyle {
                braille: pane.braille,
                color: pane.color,
                local_clock: shared.local_clock,
            },
            &marks,
        );
    }
}

/// Braille dot bits, by (column 0..2, row 0..4).
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// One dot column's aggregate over the slots it covers.
#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    vmin: Option<f64>,
    vmax: Option<f64>,
    last: Option<f64>,
    lo: Option<f64>,
    hi: Option<f64>,
    above: bool,
    below: bool,
}

fn fold_min(a: Option<f64>, b: f64) -> Option<f64> {
    Some(a.map_or(b, |a| a.min(b)))
}

fn fold_max(a: Option<f64>, b: f64) -> Option<f64> {
    Some(a.map_or(b, |a| a.max(b)))
}

fn buckets(chart: &BandChart, n_cols: usize) -> Vec<Bucket> {
    let n = chart.values.len();
    let mut out = vec![Bucket::default(); n_cols];
    if n == 0 || n_cols == 0 {
        return out;
    }
    for (x, b) in out.iter_mut().enumerate() {
        let from = x * n / n_cols;
        let to = ((x + 1) * n / n_cols).max(from + 1).min(n);
        for i in from..to {
            if let Some(v) = chart.values[i] {
                b.vmin = fold_min(b.vmin, v);
                b.vmax = fold_max(b.vmax, v);
                b.last = Some(v);
            }
            if let (Some(l), Some(h)) = (chart.lower[i], chart.upper[i]) {
                b.lo = fold_min(b.lo, l);
                b.hi = fold_max(b.hi, h);
            }
            match chart.position(i) {
                Position::Above => b.above = true,
                Position::Below => b.below = true,
                _ => {}
            }
        }
    }
    out
}

/// The chart: `area` gets a y-label gutter (when wide enough), the plot, the marker
/// row and the time axis. Pure: the same chart gives the same cells.
pub fn draw_chart(
    area: Rect,
    buf: &mut Buffer,
    chart: &BandChart,
    unit: Unit,
    style: ChartStyle,
    verdict_marks: &[DateTime<Utc>],
) {
    if area.height < 3 || area.width < 8 {
        return;
    }
    let gutter: u16 = if area.width >= 40 { 8 } else { 0 };
    let plot = Rect {
        x: area.x + gutter,
        y: area.y,
        width: area.width - gutter,
        height: area.height - 2,
    };
    let marker_y = area.y + area.height - 2;
    let axis_y = area.y + area.height - 1;
    let (sx, sy) = if style.braille {
        (2usize, 4usize)
    } else {
        (1, 1)
    };
    let cols = plot.width as usize;
    let rows = plot.height as usize;
    let dx = cols * sx;
    let dy = rows * sy;
    let b = buckets(chart, dx);

    // The y range covers the metric and the band.
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for k in &b {
        for v in [k.vmin, k.vmax, k.lo, k.hi].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        Paragraph::new("no datapoints").render(plot, buf);
        return;
    }
    if (hi - lo).abs() < f64::EPSILON {
        hi += hi.abs().max(1.0) * 0.1;
        lo -= lo.abs().max(1.0) * 0.1;
    }
    let pad = (hi - lo) * 0.05;
    hi += pad;
    lo = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let ydot = |v: f64| -> usize {
        let f = (hi - v) / (hi - lo);
        ((f * (dy - 1) as f64).round().max(0.0) as usize).min(dy - 1)
    };

    // Dots per cell: the metric, the band's edges; and which cells the band fills.
    let mut metric = vec![0u8; cols * rows];
    let mut edges = vec![0u8; cols * rows];
    let mut fill = vec![false; cols * rows];
    let mut out_cell = vec![false; cols * rows];
    let set = |grid: &mut Vec<u8>, x: usize, y: usize| {
        let (cx, cy) = (x / sx, y / sy);
        let bit = if sx == 2 { DOTS[x % 2][y % 4] } else { 1 };
        grid[cy * cols + cx] |= bit;
    };
    let mut prev: Option<usize> = None;
    for (x, k) in b.iter().enumerate() {
        if let (Some(l), Some(h)) = (k.lo, k.hi) {
            let (yt, yb) = (ydot(h), ydot(l));
            set(&mut edges, x, yt);
            set(&mut edges, x, yb);
            for y in (yt / sy)..=(yb / sy) {
                fill[y * cols + x / sx] = true;
            }
        }
        match (k.vmin, k.vmax) {
            (Some(vmin), Some(vmax)) => {
                let (mut top, mut bottom) = (ydot(vmax), ydot(vmin));
                if let Some(p) = prev {
                    top = top.min(p);
                    bottom = bottom.max(p);
                }
                for y in top..=bottom {
                    set(&mut metric, x, y);
                    if k.above || k.below {
                        out_cell[(y / sy) * cols + x / sx] = true;
                    }
                }
                prev = k.last.map(&ydot);
            }
            _ => prev = None,
        }
    }

    let band_bg = Style::new().bg(Color::Indexed(236));
    for cy in 0..rows {
        for cx in 0..cols {
            let i = cy * cols + cx;
            let (m, e) = (metric[i], edges[i]);
            let (ch, mut st) = if m != 0 {
                let ch = if style.braille {
                    char::from_u32(0x2800 + (m | e) as u32).unwrap_or('?')
                } else if out_cell[i] {
                    '#'
                } else {
                    '*'
                };
                let st = if out_cell[i] {
                    out_style(style.color)
                } else if style.color {
                    Style::new().fg(Color::White)
                } else {
                    Style::new()
                };
                (ch, st)
            } else if e != 0 {
                let ch = if style.braille {
                    char::from_u32(0x2800 + e as u32).unwrap_or('?')
                } else {
                    '-'
                };
                let st = match (style.color, chart.source) {
                    (true, BandSource::LocalEstimate { .. }) => Style::new().fg(Color::Yellow),
                    (true, _) => Style::new().fg(Color::DarkGray),
                    (false, _) => Style::new(),
                };
                (ch, st)
            } else {
                (' ', Style::new())
            };
            if style.color && fill[i] {
                st = st.patch(band_bg);
            }
            if let Some(cell) = buf.cell_mut((plot.x + cx as u16, plot.y + cy as u16)) {
                cell.set_char(ch).set_style(st);
            }
        }
    }

    // The y labels.
    if gutter > 0 {
        let label = |v: f64| ellipsize(&unit.format(v), gutter as usize - 1);
        buf.set_string(area.x, plot.y, label(hi), dim_style(style.color));
        buf.set_string(
            area.x,
            plot.y + plot.height - 1,
            label(lo),
            dim_style(style.color),
        );
    }

    // The marker row: out-of-band cells, verdict changes.
    let (up, down, base, mark) = if style.braille {
        ('▲', '▼', '─', '│')
    } else {
        ('^', 'v', '-', '|')
    };
    for cx in 0..cols {
        let ks = &b[cx * sx..((cx + 1) * sx).min(b.len())];
        let (ch, st) = if ks.iter().any(|k| k.above) {
            (up, out_style(style.color))
        } else if ks.iter().any(|k| k.below) {
            (down, out_style(style.color))
        } else {
            (base, dim_style(style.color))
        };
        if let Some(cell) = buf.cell_mut((plot.x + cx as u16, marker_y)) {
            cell.set_char(ch).set_style(st);
        }
    }
    let q = &chart.query;
    let span = (q.end - q.start).num_seconds().max(1) as f64;
    for t in verdict_marks {
        if *t < q.start || *t > q.end {
            continue;
        }
        let cx = (((*t - q.start).num_seconds() as f64 / span) * cols as f64) as usize;
        if let Some(cell) = buf.cell_mut((plot.x + cx.min(cols - 1) as u16, marker_y)) {
            cell.set_char(mark).set_style(warn_style(style.color));
        }
    }
    if gutter > 0 {
        buf.set_string(area.x, marker_y, "out", dim_style(style.color));
    }

    // The time axis: start, middle, end in the header's clock.
    let with_date = q.end - q.start >= chrono::Duration::hours(24);
    let start = clock_text(q.start, style.local_clock, with_date);
    let end = clock_text(q.end, style.local_clock, with_date);
    let mid = clock_text(
        q.start + (q.end - q.start) / 2,
        style.local_clock,
        with_date,
    );
    let dim = dim_style(style.color);
    buf.set_string(plot.x, axis_y, &start, dim);
    let end_x = (plot.x + plot.width).saturating_sub(end.chars().count() as u16);
    let mid_x = plot.x + plot.width / 2 - (mid.chars().count() as u16 / 2).min(plot.width / 2);
    if mid_x > plot.x + start.chars().count() as u16 + 1
        && mid_x + (mid.chars().count() as u16) + 1 < end_x
    {
        buf.set_string(mid_x, axis_y, &mid, dim);
    }
    if end_x > plot.x + start.chars().count() as u16 {
        buf.set_string(end_x, axis_y, &end, dim);
    }
    if gutter > 0 {
        let tz = if style.local_clock { "local" } else { "UTC" };
        buf.set_string(area.x, axis_y, tz, dim);
    }
}

fn field(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name}: "), theme::dim()),
        Span::raw(clean(&value)),
    ])
}

/// The full story for the Detail pane.
pub fn detail_lines(pane: &BandsPane, shared: &Shared) -> Vec<Line<'static>> {
    let now = shared.now;
    let mut out = Vec::new();
    let Some(metric) = pane.metric(shared) else {
        out.push(Line::from(
            "Anomaly bands: waiting for a load balancer to watch (or type a metric with e).",
        ));
        return out;
    };
    out.push(Line::from(Span::styled(
        clean(&metric.label()),
        theme::title(false),
    )));
    match &metric {
        crate::model::bands::BandMetric::Preset { lb_name, zone, .. } => {
            out.push(field("load balancer", lb_name.clone()));
            out.push(field(
                "scope",
                match zone {
                    Some(z) => format!("zone {z} (follows the AZ pane's selection)"),
                    None => "the whole load balancer (every zone)".into(),
                },
            ));
            if shared.selected.len() > 1 {
                out.push(field(
                    "note",
                    "several load balancers are watched: the chart shows the first".into(),
                ));
            }
        }
        crate::model::bands::BandMetric::Custom(c) => {
            out.push(field("metric", c.text()));
        }
    }
    let unit = metric.unit();
    if let Some(c) = pane.chart.get() {
        if let Some(n) = c.now_line() {
            out.push(field("now", n.text(unit)));
        }
        out.push(field("band", source_text(c)));
        if matches!(c.source, BandSource::LocalEstimate { .. }) {
            out.push(Line::from(Span::styled(
                "This band is grayscope's own estimate from the metric's history, not \
                 CloudWatch's model: CloudWatch returned no band (no trained model yet)."
                    .to_string(),
                theme::warn(),
            )));
        }
        let runs = c.out_runs();
        let out_slots: usize = runs.iter().map(|r| r.len).sum();
        out.push(field(
            "out of band",
            format!(
                "{} of {} datapoints, in {} run{}",
                out_slots,
                c.points(),
                runs.len(),
                if runs.len() == 1 { "" } else { "s" }
            ),
        ));
        for r in runs.iter().rev().take(5) {
            let from = c.query.slot_time(r.start);
            let to = c.query.slot_time(r.end);
            out.push(Line::from(format!(
                "  {} {}–{} UTC ({})",
                if r.above { "above" } else { "below" },
                from.format("%m-%d %H:%M"),
                to.format("%H:%M"),
                minutes_words((to - from).num_minutes())
            )));
        }
        out.push(field(
            "range",
            format!(
                "{} – {} UTC, period {} s, band width {} sd",
                c.query.start.format("%m-%d %H:%M"),
                c.query.end.format("%m-%d %H:%M"),
                c.query.period_secs,
                width_text(c.query.width)
            ),
        ));
    } else if pane.chart.loading {
        out.push(field("chart", "loading".into()));
    }
    out.push(field(
        "model",
        detector_text(&pane.detector, shared.read_only),
    ));
    for p in chart_problems(pane, now) {
        out.push(Line::from(Span::styled(p, theme::warn())));
    }
    if let Some(n) = &pane.notice {
        out.push(Line::from(Span::styled(clean(n), theme::warn())));
    }
    if !pane.created.is_empty() {
        out.push(field(
            "created this session (deleted on exit)",
            pane.created
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    for (t, z) in pane.verdict_marks.iter().rev().take(5) {
        out.push(Line::from(format!(
            "  verdict changed (seen by grayscope) {}: {}",
            t.format("%H:%M:%S UTC"),
            z.as_deref()
                .map(clean)
                .unwrap_or_else(|| "no zone blamed".into())
        )));
    }
    out.push(Line::from(Span::styled(keys_text(shared), theme::dim())));
    out
}

/// The pane's keys, from the live keymap.
fn keys_text(shared: &Shared) -> String {
    use crate::action::Action;
    let k = |a: Action| {
        shared
            .keymap
            .first_key(a)
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".into())
    };
    format!(
        "Keys: {}/{} metric · {} range · {}/{} zoom · {}/{} pan · {}/{} band width · {} type a metric · {} create a detector",
        k(Action::NextView),
        k(Action::PrevView),
        k(Action::CycleWindow),
        k(Action::ZoomIn),
        k(Action::ZoomOut),
        k(Action::Left),
        k(Action::Right),
        k(Action::Up),
        k(Action::Down),
        k(Action::Edit),
        k(Action::Act),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bands::{BandMetric, BandQuery, CustomMetric};
    use chrono::{Duration, TimeZone};

    fn chart() -> BandChart {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
            .single()
            .expect("t");
        let mut c = BandChart::empty(BandQuery {
            metric: BandMetric::Custom(CustomMetric::parse("A B").expect("m")),
            start,
            end: start + Duration::minutes(60),
            period_secs: 60,
            width: 2.0,
        });
        for i in 0..60 {
            c.values[i] = Some(if i < 40 {
                10.0
            } else if i < 50 {
                30.0
            } else {
                1.0
            });
            c.put_band(i, 8.0, 12.0);
        }
        c.source = BandSource::CloudWatch;
        c
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
    }

    #[test]
    fn marker_row_shows_both_sides_and_verdict_changes() {
        let c = chart();
        let mark = c.query.start + Duration::minutes(30);
        for braille in [true, false] {
            let area = Rect::new(0, 0, 68, 8);
            let mut buf = Buffer::empty(area);
            let style = ChartStyle {
                braille,
                color: false,
                local_clock: false,
            };
            draw_chart(area, &mut buf, &c, Unit::Plain, style, &[mark]);
            let markers = row(&buf, 6);
            let (up, down, bar) = if braille {
                ('▲', '▼', '│')
            } else {
                ('^', 'v', '|')
            };
            // 60 columns for 60 minutes after the 8-column gutter: one cell a minute.
            let cells: Vec<char> = markers.chars().skip(8).collect();
            assert!(cells[40..50].iter().all(|c| *c == up), "{markers}");
            assert!(cells[50..60].iter().all(|c| *c == down), "{markers}");
            assert_eq!(cells[30], bar, "{markers}");
            assert!(!cells[..30].contains(&up), "{markers}");
            assert!(row(&buf, 7).contains("02:00") && row(&buf, 7).contains("03:00"));
        }
    }

    #[test]
    fn compact_now_text_fits_the_small_box() {
        let c = chart();
        let n = c.now_line().expect("now");
        assert_eq!(n.text(Unit::Plain), "1, band 8-12, below for 10 min");
        assert_eq!(now_text(&n, Unit::Plain, 20), "1 below 8-12 10 min");
        assert!(now_text(&n, Unit::Plain, 8).chars().count() <= 8);
    }
}
