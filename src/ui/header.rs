//! The header line: what you are looking at (demo or live, account, region, profile,
//! load balancers), whether writes are off (`--read-only`) or ask first, and the clock
//! (UTC or local).

use crate::app::{App, Mode};
use crate::model::text::clean;
use crate::ui::theme;
use chrono::Local;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, full: &App) {
    let app = &full.shared;
    let identity = app.identity.get();
    let region = identity.and_then(|i| i.region.clone()).unwrap_or_else(|| {
        if app.identity.loading {
            "region…".into()
        } else {
            "no region".into()
        }
    });
    let profile = identity
        .and_then(|i| i.profile.clone())
        .unwrap_or_else(|| "default".into());
    let account = app
        .account()
        .map(str::to_string)
        .unwrap_or_else(|| "acct …".into());
    let mode = match app.mode {
        Mode::Demo => Span::styled(
            " DEMO ",
            Style::new()
                .bg(Color::Magenta)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ),
        Mode::Live => Span::styled(
            " LIVE ",
            Style::new()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ),
    };
    let clock = if app.local_clock {
        app.now
            .with_timezone(&Local)
            .format("%H:%M local")
            .to_string()
    } else {
        app.now.format("%H:%M UTC").to_string()
    };
    let clock_len = clock.chars().count() + 2;
    let (writes, writes_short) = if app.read_only {
        ("read-only", "read-only")
    } else {
        ("writes ask first", "ask first")
    };
    let mut context = format!(" {account} │ {region} │ profile {profile} │ {writes} ");
    if context.chars().count() + 17 + clock_len > area.width as usize {
        // Narrow terminal: the same facts, fewer words.
        context = format!(" {account} │ {region} │ {profile} │ {writes_short} ");
    }
    let mut left = vec![
        Span::styled(" grayscope ", theme::header().add_modifier(Modifier::BOLD)),
        mode,
        Span::styled(clean(&context), theme::header()),
    ];
    if let Some(at) = full.frozen_at {
        left.insert(
            2,
            Span::styled(
                format!(" FROZEN {} ", at.format("%H:%M:%S")),
                Style::new()
                    .bg(Color::Yellow)
                    .fg(Color::Black)
                    .add_modifier(Modifier::BOLD),
            ),
        );
    }
    let left_len: usize = left.iter().map(|s| s.content.chars().count()).sum();
    let pad = (area.width as usize).saturating_sub(left_len + clock_len);
    let mut spans = left;
    spans.push(Span::styled(" ".repeat(pad), theme::header()));
    spans.push(Span::styled(
        format!(" {clock} "),
        theme::header().add_modifier(Modifier::BOLD),
    ));
    Paragraph::new(Line::from(spans))
        .style(theme::header())
        .render(area, buf);
}
