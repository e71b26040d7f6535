//! The zonal shift view: the form or the last outcome first, then the selected load
//! balancer's shift status (enabled, active shift with its countdown, autoshift,
//! practice runs, weights), what a shift away from the zone would leave (per remaining
//! zone: healthy targets, share of today's peak, per-target load, free addresses), the
//! cross-zone notes and one line per other load balancer. `detail_lines` is the full
//! story for the Detail pane; `summary_markdown` the same for the clipboard.

use crate::app::Shared;
use crate::app::panes::zonal_shift::{Field, ShiftView};
use crate::app::slot::age;
use crate::backend::zonal_shift::{ShiftState, ShiftStatus, ZonalShift};
use crate::model::text::clean;
use crate::model::zonal_shift::{CapacityPlan, ENABLED_ATTRIBUTE, countdown};
use crate::ui::{pane_block, theme};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

fn yes_no(v: Option<bool>, yes: &str, no: &str) -> String {
    match v {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => "not known".to_string(),
    }
}

/// One shift in a line: state, kind, id, zone, countdown or age, comment.
pub fn shift_line(s: &ZonalShift, now: DateTime<Utc>) -> String {
    let when = match (s.state, s.expiry, s.start) {
        (ShiftState::Active, Some(e), _) => countdown(e, now),
        (ShiftState::Active, None, Some(st)) => format!("since {} ago", age(st, now)),
        (_, Some(e), _) => format!("ended {} ago", age(e, now)),
        (_, None, Some(st)) => format!("started {} ago", age(st, now)),
        _ => String::new(),
    };
    let mut out = format!(
        "{} {} away from {}",
        s.state.label(),
        s.kind.label(),
        s.away_from
    );
    if !s.id.is_empty() {
        out.push_str(&format!(" ({})", s.id));
    }
    if !when.is_empty() {
        out.push_str(&format!(" · {when}"));
    }
    if s.applied == Some(false) {
        out.push_str(" · not applied (another shift wins)");
    }
    if let Some(o) = &s.outcome {
        out.push_str(&format!(" · outcome {o}"));
    }
    if !s.comment.is_empty() {
        out.push_str(&format!(" · \"{}\"", s.comment));
    }
    clean(&out)
}

/// Whether zonal shift can be used on it, in a few words.
pub fn status_line(s: &ShiftStatus) -> String {
    let enabled = match s.enabled {
        Some(true) => "zonal shift enabled".to_string(),
        Some(false) => format!("zonal shift NOT enabled (set {ENABLED_ATTRIBUTE}=true)"),
        None => "zonal shift: attribute not read".to_string(),
    };
    let mut out = format!("{}: {enabled}", s.lb_name);
    if s.managed || s.autoshift.is_some() {
        out.push_str(&format!(
            " · autoshift {} · practice runs {}",
            yes_no(s.autoshift, "ON", "off"),
            yes_no(s.practice_runs, "configured", "none")
        ));
    }
    if !s.applied_weights.is_empty() {
        let w: Vec<String> = s
            .applied_weights
            .iter()
            .map(|(z, w)| format!("{z} {w}"))
            .collect();
        out.push_str(&format!(" · weights {}", w.join(" ")));
    }
    clean(&out)
}

fn per_minute(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

/// The capacity lines: the verdict, then one per remaining zone.
pub fn plan_lines(plan: &CapacityPlan, zone: &str, id: &str) -> Vec<(String, bool)> {
    let mut out = vec![(
        format!("If shifted away from {zone} ({id}): {}", plan.verdict),
        !plan.looks_able,
    )];
    for z in &plan.remaining {
        let per = match (z.per_target_now, z.per_target_after, z.factor) {
            (Some(a), Some(b), Some(f)) => {
                format!(
                    " · {}→{}/min per target (x{f:.2})",
                    per_minute(a),
                    per_minute(b)
                )
            }
            _ => String::new(),
        };
        let ips = z
            .free_ips
            .map(|n| format!(" · {n} free IPs"))
            .unwrap_or_default();
        let warn = if z.warnings.is_empty() {
            String::new()
        } else {
            format!(" · ! {}", z.warnings.join("; "))
        };
        out.push((
            format!(
                "  {} {}: {} healthy · peak share {:.0}%→{:.0}%{per}{ips}{warn}",
                z.zone_name,
                z.zone_id,
                z.healthy,
                100.0 * z.share_now,
                100.0 * z.share_after
            ),
            !z.warnings.is_empty(),
        ));
    }
    out
}

/// The lines of the face, most important first.
pub fn face_lines(v: &ShiftView, shared: &Shared) -> Vec<Line<'static>> {
    let now = shared.now;
    let mut out = Vec::new();
    if let Some(f) = &v.form {
        let mark = |field: Field| {
            if f.field == field {
                theme::selected()
            } else {
                Style::new()
            }
        };
        out.push(Line::from(Span::styled(
            format!(
                "{} a zonal shift away from {} ({}): tab switches field, enter asks to confirm, esc cancels",
                f.op.verb(),
                v.subject.zone_name,
                v.subject.zone_id
            ),
            theme::warn(),
        )));
        out.push(Line::from(vec![
            Span::raw("expires in "),
            Span::styled(format!("{}_", clean(&f.expiry)), mark(Field::Expiry)),
            Span::raw(" (30m, 2h; at most 72h)"),
        ]));
        out.push(Line::from(vec![
            Span::raw("comment "),
            Span::styled(format!("{}_", clean(&f.comment)), mark(Field::Comment)),
        ]));
        if let Some(e) = &f.error {
            out.push(Line::from(Span::styled(clean(e), theme::error())));
        }
    }
    if let Some(op) = &v.writing {
        out.push(Line::from(Span::styled(
            format!("{}: waiting for ARC's answer…", op.verb()),
            theme::warn(),
        )));
    }
    if let Some((text, ok, at)) = &v.outcome {
        out.push(Line::from(Span::styled(
            clean(&format!("{} ago: {text}", age(*at, now))),
            if *ok { theme::warn() } else { theme::error() },
        )));
    }
    if let Some(n) = &v.notice {
        out.push(Line::from(Span::styled(clean(n), theme::warn())));
    }
    match (v.lb_status(), &v.status.error) {
        (Some(s), _) => {
            out.push(Line::raw(status_line(s)));
            let (active, ended): (Vec<&ZonalShift>, Vec<&ZonalShift>) =
                s.shifts.iter().partition(|z| z.state == ShiftState::Active);
            for z in active {
                out.push(Line::from(Span::styled(shift_line(z, now), theme::warn())));
            }
            if let Some(z) = ended.first() {
                out.push(Line::from(Span::styled(
                    format!("recent: {}", shift_line(z, now)),
                    theme::dim(),
                )));
            }
            for p in &s.problems {
                out.push(Line::from(Span::styled(clean(p), theme::error())));
            }
        }
        (None, Some((e, at))) => out.push(Line::from(Span::styled(
            clean(&format!("failed {} ago: {e}", age(*at, now))),
            theme::error(),
        ))),
        (None, None) => out.push(Line::from(Span::styled(
            "reading zonal shift status…",
            theme::dim(),
        ))),
    }
    if let Some(plan) = v.plan() {
        for (text, warn) in plan_lines(&plan, &v.subject.zone_name, &v.subject.zone_id) {
            out.push(Line::from(Span::styled(
                clean(&text),
                if warn { theme::warn() } else { Style::new() },
            )));
        }
        if v.peaks.loading && v.peaks.get().is_none() {
            out.push(Line::from(Span::styled(
                "reading today's peak…",
                theme::dim(),
            )));
        }
    }
    for note in v.cross_zone_notes() {
        out.push(Line::from(Span::styled(clean(&note), theme::dim())));
    }
    for (i, s) in v.status.get().into_iter().flatten().enumerate() {
        if i != v.selected {
            out.push(Line::from(Span::styled(status_line(s), theme::dim())));
        }
    }
    out
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    v: &ShiftView,
    shared: &Shared,
    number: usize,
    focused: bool,
) {
    let lb = v
        .lb()
        .map(|l| {
            if v.lbs.len() > 1 {
                format!(" · {} [{}/{}]", l.name, v.selected + 1, v.lbs.len())
            } else {
                format!(" · {}", l.name)
            }
        })
        .unwrap_or_default();
    let title = clean(&format!(
        " {number} Zonal shift · {} ({}){lb} ",
        v.subject.zone_name, v.subject.zone_id
    ));
    let block = pane_block(&title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(face_lines(v, shared))
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn heading(s: &str) -> Line<'static> {
    Line::from(Span::styled(s.to_string(), theme::column_header()))
}

/// The full story for the Detail pane: every load balancer, every shift, the plan, the
/// notes and the command.
pub fn detail_lines(v: &ShiftView, shared: &Shared) -> Vec<Line<'static>> {
    let now = shared.now;
    let mut out = vec![heading(&clean(&format!(
        "Zonal shift away from {} ({})",
        v.subject.zone_name, v.subject.zone_id
    )))];
    out.push(Line::raw(clean(&format!(
        "verdict: {} — {}",
        v.subject.verdict, v.subject.reason
    ))));
    if let Some(why) = ShiftView::writes_off(shared) {
        out.push(Line::raw(why.to_string()));
    }
    for s in v.status.get().into_iter().flatten() {
        out.push(heading(&clean(&s.lb_name)));
        out.push(Line::raw(status_line(s)));
        if s.shifts.is_empty() {
            out.push(Line::raw("no active or recent shifts"));
        }
        for z in &s.shifts {
            out.push(Line::raw(format!("- {}", shift_line(z, now))));
        }
        for p in &s.problems {
            out.push(Line::raw(clean(p)));
        }
    }
    if let Some(plan) = v.plan() {
        out.push(heading("What a shift leaves"));
        if let Some((_, Some(at))) = v.lb().and_then(|l| v.peaks.get()?.get(&l.arn)) {
            out.push(Line::raw(format!(
                "today's peak minute: {} UTC, {:.0} per minute over every zone",
                at.format("%H:%M"),
                plan.peak_per_minute
            )));
        }
        for (text, _) in plan_lines(&plan, &v.subject.zone_name, &v.subject.zone_id) {
            out.push(Line::raw(clean(&text)));
        }
        out.push(Line::raw(
            "The multi-AZ guidance provisions each zone so that losing one of three leaves enough: x1.5 of its usual peak.",
        ));
    }
    let notes = v.cross_zone_notes();
    if !notes.is_empty() {
        out.push(heading("Cross-zone load balancing"));
        out.extend(notes.iter().map(|n| Line::raw(clean(n))));
    }
    if let Ok(cmd) = v.command_text(shared) {
        out.push(heading("The same from a shell (c copies it)"));
        out.push(Line::raw(clean(&cmd)));
    }
    out
}

/// The view as Markdown (Y).
pub fn summary_markdown(v: &ShiftView, shared: &Shared) -> String {
    let lines: Vec<String> = detail_lines(v, shared)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    format!("## Zonal shift\n\n{}\n", lines.join("  \n"))
}
