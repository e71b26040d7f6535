//! The Reachability drill-down: a compact face (verdict or progress first, then the
//! blocking rule in words, then both ends and the history) that fits the small box
//! at 80x24, and the full story (`detail_lines`) for the Detail pane.

use crate::app::Shared;
use crate::app::panes::reach::{PRICE_PER_ANALYSIS, ReachView};
use crate::app::slot::age;
use crate::model::reach::{AnalysisStatus, Endpoint, explain, short_verdict, verdict};
use crate::model::text::clean;
use crate::ui::{pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

fn verdict_style(found: Option<bool>, status: &AnalysisStatus) -> Style {
    match (status, found) {
        (AnalysisStatus::Succeeded, Some(true)) => Style::new().fg(Color::Green),
        (AnalysisStatus::Succeeded, _) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        (AnalysisStatus::Failed(_), _) => theme::error(),
        _ => theme::warn(),
    }
}

fn end_line(what: &str, addr: &str, slot: &crate::app::slot::Slot<Option<Endpoint>>) -> String {
    let tail = match (slot.get(), &slot.error) {
        (Some(Some(e)), _) => e.describe(),
        (Some(None), _) => "no interface in this account/region".into(),
        (None, Some((e, _))) => format!("lookup failed: {e}"),
        (None, None) => "looking up…".into(),
    };
    clean(&format!("{what} {addr}: {tail}"))
}

/// The lines of the compact face, most important first.
pub fn face_lines(v: &ReachView, shared: &Shared) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(run) = &v.run {
        let secs = (shared.now - run.started).num_seconds().max(0);
        out.push(Line::from(Span::styled(
            format!("{} · {secs}s", run.stage.label()),
            theme::warn(),
        )));
    }
    if let Some((e, at)) = &v.error {
        out.push(Line::from(Span::styled(
            clean(&format!(
                "failed {} ago: {e} (a tries again)",
                age(*at, shared.now)
            )),
            theme::error(),
        )));
    }
    if let Some(n) = &v.notice {
        out.push(Line::from(Span::styled(clean(n), theme::warn())));
    }
    match v.shown() {
        Some(f) => {
            let a = &f.analysis;
            let head = match (&a.status, a.path_found) {
                (AnalysisStatus::Succeeded, Some(false)) => short_verdict(a).to_string(),
                _ => verdict(a),
            };
            out.push(Line::from(Span::styled(
                format!("{head} · {} ago", age(f.at, shared.now)),
                verdict_style(a.path_found, &a.status),
            )));
            for e in &a.explanations {
                out.push(Line::raw(explain(e, &v.request)));
            }
            if a.path_found == Some(true) {
                let hops: Vec<String> = a.forward.iter().map(|h| clean(&h.component.id)).collect();
                out.push(Line::raw(format!("out: {}", hops.join(" › "))));
            }
        }
        None if v.run.is_none() => out.push(Line::from(Span::styled(
            format!("no analysis yet: a runs one ({PRICE_PER_ANALYSIS}, asks first)"),
            theme::dim(),
        ))),
        None => {}
    }
    out.push(Line::raw(end_line("src", &v.request.src, &v.source)));
    out.push(Line::raw(end_line("dst", &v.request.dst, &v.destination)));
    // With room to spare (160x48), the hops too; the Detail pane always has them.
    if let Some(f) = v.shown() {
        for (name, hops) in [
            ("forward", &f.analysis.forward),
            ("return", &f.analysis.returning),
        ] {
            if !hops.is_empty() {
                out.push(Line::from(Span::styled(
                    format!("{name} path"),
                    theme::column_header(),
                )));
                out.extend(hops.iter().map(|h| Line::raw(h.label())));
            }
        }
    }
    if !v.leftovers().is_empty() {
        out.push(Line::from(Span::styled(
            "Esc closes this view and deletes the path and analyses grayscope created",
            theme::dim(),
        )));
    }
    if v.history.len() > 1 {
        out.push(Line::from(Span::styled(
            format!("history: {} runs (j/k)", v.history.len()),
            theme::dim(),
        )));
        for (i, f) in v.history.iter().enumerate() {
            let style = if i == v.selected {
                theme::selected()
            } else {
                Style::new()
            };
            out.push(Line::from(Span::styled(
                format!("{} ago {}", age(f.at, shared.now), verdict(&f.analysis)),
                style,
            )));
        }
    }
    out
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    v: &ReachView,
    shared: &Shared,
    number: usize,
    focused: bool,
) {
    let title = format!(" {number} Reachability · {} ", v.request.label());
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

/// The full story for the Detail pane.
pub fn detail_lines(v: &ReachView, shared: &Shared) -> Vec<Line<'static>> {
    let mut out = vec![heading(&format!("Reachability {}", v.request.label()))];
    if let Some(run) = &v.run {
        let secs = (shared.now - run.started).num_seconds().max(0);
        let id = run
            .analysis
            .as_ref()
            .map(|a| format!(" {}", a.id))
            .unwrap_or_default();
        out.push(Line::raw(format!(
            "running{id}: {} for {secs}s",
            run.stage.label()
        )));
    }
    if let Some((e, at)) = &v.error {
        out.push(Line::from(Span::styled(
            clean(&format!("error {} ago: {e}", age(*at, shared.now))),
            theme::error(),
        )));
    }
    if let Some(n) = &v.notice {
        out.push(Line::raw(clean(n)));
    }
    if let Some(f) = v.shown() {
        let a = &f.analysis;
        out.push(Line::from(Span::styled(
            format!(
                "{} (analysis {}, {}s)",
                verdict(a),
                clean(&a.analysis_id),
                f.seconds
            ),
            verdict_style(a.path_found, &a.status),
        )));
        if !a.explanations.is_empty() {
            out.push(heading("Why"));
            for e in &a.explanations {
                out.push(Line::raw(format!("- {}", explain(e, &v.request))));
            }
        }
        out.push(Line::raw(end_line("source", &v.request.src, &v.source)));
        out.push(Line::raw(end_line(
            "destination",
            &v.request.dst,
            &v.destination,
        )));
        if !a.forward.is_empty() {
            out.push(heading("Forward path"));
            out.extend(a.forward.iter().map(|h| Line::raw(h.label())));
        }
        if !a.returning.is_empty() {
            out.push(heading("Return path"));
            out.extend(a.returning.iter().map(|h| Line::raw(h.label())));
        }
    } else {
        out.push(Line::raw(end_line("source", &v.request.src, &v.source)));
        out.push(Line::raw(end_line(
            "destination",
            &v.request.dst,
            &v.destination,
        )));
    }
    if v.shown().is_none() && v.run.is_none() {
        out.push(Line::raw(format!(
            "No analysis yet. a creates a Network Insights path (or reuses one grayscope made) and runs one analysis, billed {PRICE_PER_ANALYSIS} per analysis; it asks first."
        )));
    }
    if v.history.len() > 1 {
        out.push(heading("Session history (newest first)"));
        for (i, f) in v.history.iter().enumerate() {
            let mark = if i == v.selected { "›" } else { " " };
            out.push(Line::raw(format!(
                "{mark} {} ago {} {}",
                age(f.at, shared.now),
                clean(&f.analysis.analysis_id),
                verdict(&f.analysis)
            )));
        }
    }
    let leftovers = v.leftovers();
    if !leftovers.is_empty() {
        out.push(heading("Created by grayscope"));
        out.push(Line::raw(
            "Deleted when this view closes (Esc) or grayscope exits. If a delete fails, the log names what remains; delete it with:",
        ));
        out.extend(leftovers.into_iter().map(Line::raw));
    }
    if v.path_reused
        && let Some(p) = &v.path_id
    {
        out.push(Line::raw(format!(
            "Path {p} was made by an earlier grayscope session and is reused, not deleted."
        )));
    }
    out
}
