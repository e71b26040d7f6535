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
    let width = 76u16.min(area.width);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    // Words wrap, not characters: count a little more than the characters need.
    let rows_of = |l: &str| {
        let n = l.chars().count() + 1;
        if n <= inner_w {
            1
        } else {
            (n + n / 8).div_ceil(inner_w)
        }
    };
    // The answer lines, always visible at the bottom.
    let answer: Vec<Line> = match &c.typed {
        Some(word) => {
            let matches = c.entered.trim() == word;
            vec![
                Line::from(vec![
                    Span::raw(" Type "),
                    Span::styled(clean(word), theme::key()),
                    Span::raw(" to confirm: "),
                    Span::styled(format!("{}_", clean(&c.entered)), theme::key()),
                ]),
                Line::from(vec![
                    Span::styled(" enter", theme::key()),
                    Span::raw(if matches {
                        format!(" {}   ", clean(&c.yes))
                    } else {
                        " (once it matches)   ".to_string()
                    }),
                    Span::styled("esc", theme::key()),
                    Span::raw(" cancel: nothing is sent"),
                ]),
            ]
        }
        None => vec![Line::from(vec![
            Span::styled(" y", theme::key()),
            Span::raw(format!(" {}   ", clean(&c.yes))),
            Span::styled("n", theme::key()),
            Span::raw(" / "),
            Span::styled("esc", theme::key()),
            Span::raw(" cancel: nothing is written"),
        ])],
    };
    let below = answer.len() + 1; // a blank line, then the answer
    // What does not fit the screen is cut from the end of the facts, said so, and the
    // answer lines always stay visible.
    let room = (area.height as usize).saturating_sub(4 + below).max(1);
    let mut used = 0;
    let mut shown = 0;
    for l in &c.lines {
        let r = rows_of(&clean(l));
        if used + r > room.saturating_sub(1) && shown + 1 < c.lines.len() {
            break;
        }
        used += r;
        shown += 1;
    }
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .take(shown)
        .map(|l| Line::raw(format!(" {}", clean(l))))
        .collect();
    if shown < c.lines.len() {
        lines.push(Line::styled(
            format!(
                " … {} more lines (on the pane behind; z zooms it after answering)",
                c.lines.len() - shown
            ),
            theme::dim(),
        ));
    }
    let rows: usize = lines.iter().map(|l| rows_of(&l.to_string())).sum::<usize>() + below;
    let popup = centered(area, width, rows as u16 + 2);
    Clear.render(popup, buf);
    let block = pane_block(&format!(" {} ", clean(&c.title)), true);
    let inner = block.inner(popup);
    block.render(popup, buf);
    // The facts above (clipped if the estimate fell short), the answer always last.
    let facts = Rect {
        height: inner.height.saturating_sub(below as u16),
        ..inner
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(facts, buf);
    let n = answer.len() as u16;
    if inner.height >= n {
        let last = Rect {
            y: inner.y + inner.height - n,
            height: n,
            ..inner
        };
        Paragraph::new(answer).render(last, buf);
    }
}
