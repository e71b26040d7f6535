//! The hint line, generated from the live keymap: a remapped key shows here at once.

use crate::action::Action;
use crate::app::{App, LineKind};
use crate::model::text::clean;
use crate::ui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The actions worth a hint, most useful first; the line keeps as many as fit.
fn hinted(app: &App) -> Vec<(String, &'static str)> {
    let k = &app.shared.keymap;
    let key = |a: Action| k.first_key(a).map(|k| k.to_string());
    let mut out: Vec<(String, &'static str)> = Vec::new();
    fn push(out: &mut Vec<(String, &'static str)>, keys: Option<String>, label: &'static str) {
        if let Some(keys) = keys {
            out.push((keys, label));
        }
    }
    if app.help_open {
        push(&mut out, key(Action::Back), "close help");
        push(&mut out, key(Action::Quit), "quit");
        return out;
    }
    if app.picker.is_some() {
        push(&mut out, key(Action::DrillDown), "watch this LB");
        push(&mut out, key(Action::Back), "cancel");
        push(&mut out, key(Action::Quit), "quit");
        return out;
    }
    push(&mut out, key(Action::Help), Action::Help.hint());
    push(&mut out, key(Action::Quit), Action::Quit.hint());
    push(&mut out, key(Action::FocusNext), Action::FocusNext.hint());
    if let (Some(d), Some(u)) = (key(Action::Down), key(Action::Up)) {
        out.push((format!("{d}/{u}"), "move"));
    }
    if app.detail_focused() {
        if let (Some(d), Some(u)) = (key(Action::Down), key(Action::Up)) {
            out.pop();
            out.push((format!("{d}/{u}"), "scroll"));
        }
    } else if let Some(p) = app.shown_in(app.focus) {
        for (a, label) in p.hints(&app.shared) {
            push(&mut out, key(a), label);
        }
    }
    if !app.drill.is_empty() && !out.iter().any(|(_, l)| *l == "back") {
        push(&mut out, key(Action::Back), Action::Back.hint());
    }
    if app.frozen_at.is_some() {
        push(&mut out, key(Action::Freeze), "thaw");
    } else {
        push(&mut out, key(Action::Refresh), Action::Refresh.hint());
    }
    push(
        &mut out,
        key(Action::Zoom),
        if app.zoomed { "unzoom" } else { "zoom" },
    );
    push(&mut out, key(Action::Command), "cmd");
    push(
        &mut out,
        key(Action::ToggleClock),
        Action::ToggleClock.hint(),
    );
    push(
        &mut out,
        key(Action::PickLoadBalancer),
        Action::PickLoadBalancer.hint(),
    );
    out
}

pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    if let Some(status) = &app.status {
        Paragraph::new(Line::from(Span::styled(
            format!(" {status}"),
            theme::warn(),
        )))
        .render(area, buf);
        return;
    }
    if let Some(line) = &app.line {
        let prompt = match line.kind {
            LineKind::Command => ":",
            LineKind::Filter => "/",
        };
        let mut spans = vec![
            Span::styled(prompt.to_string(), theme::key()),
            Span::raw(clean(&line.text)),
            Span::styled("▏", theme::key()),
        ];
        if let Some(e) = &line.error {
            spans.push(Span::styled(format!("  {}", clean(e)), theme::error()));
        } else if !line.completions.is_empty() {
            spans.push(Span::styled(
                format!("  {}", line.completions.join("  ")),
                theme::dim(),
            ));
        } else if line.kind == LineKind::Filter {
            spans.push(Span::styled(
                "  text, /regex/, !not; enter applies, esc clears",
                theme::dim(),
            ));
        } else {
            spans.push(Span::styled(
                "  tab completes, ↑↓ history, enter runs, esc cancels",
                theme::dim(),
            ));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
        return;
    }
    if let Some((flash, _)) = &app.flash {
        Paragraph::new(Line::from(Span::styled(
            format!(" {}", clean(flash)),
            theme::warn(),
        )))
        .render(area, buf);
        return;
    }
    if let Some(hint) = app.expired_credentials() {
        // One banner for the whole screen: every pane's calls fail the same way.
        let key = app
            .shared
            .keymap
            .first_key(Action::Reconnect)
            .map(|k| k.to_string())
            .unwrap_or_else(|| ":profile".into());
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!(" ⚠ credentials expired: {} ", clean(&hint)),
                theme::error(),
            ),
            Span::styled(format!(" {key}"), theme::key()),
            Span::styled(" reconnect with fresh credentials ", theme::dim()),
        ]))
        .render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (keys, label) in hinted(app) {
        let len = keys.chars().count() + label.chars().count() + 3;
        if used + len > area.width as usize {
            break;
        }
        used += len;
        spans.push(Span::styled(format!(" {keys}"), theme::key()));
        spans.push(Span::styled(format!(" {label} "), theme::dim()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
