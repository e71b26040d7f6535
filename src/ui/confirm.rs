//! The confirmation dialog before any write: what will be created or changed, what it
//! costs, and the two answers (or, for a write that moves production traffic, a word
//! to type before Enter counts).

use crate::app::App;
use crate::model::text::clean;
use crate::ui::{centered, pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    let Some(c) = &app.confirm else { return };
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::raw(format!(" {}", clean(l))))
        .collect();
    lines.push(Line::raw(""));
    match &c.typed {
        Some(word) => {
            let matches = c.entered.trim() == word;
            lines.push(Line::from(vec![
                Span::raw(" Type "),
                Span::styled(clean(word), theme::key()),
                Span::raw(" to confirm: "),
                Span::styled(format!("{}_", clean(&c.entered)), theme::key()),
            ]));
            lines.push(Line::from(vec![
                Span::styled(" enter", theme::key()),
                Span::raw(if matches {
                    format!(" {}   ", clean(&c.yes))
                } else {
                    " (once it matches)   ".to_string()
                }),
                Span::styled("esc", theme::key()),
                Span::raw(" cancel: nothing is sent"),
            ]));
        }
        None => lines.push(Line::from(vec![
            Span::styled(" y", theme::key()),
            Span::raw(format!(" {}   ", clean(&c.yes))),
            Span::styled("n", theme::key()),
            Span::raw(" / "),
            Span::styled("esc", theme::key()),
            Span::raw(" cancel: nothing is written"),
        ])),
    }
    let width = 76u16.min(area.width);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let popup = centered(area, width, rows as u16 + 2);
    Clear.render(popup, buf);
    let block = pane_block(&format!(" {} ", clean(&c.title)), true);
    let inner = block.inner(popup);
    block.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
