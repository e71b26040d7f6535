//! The confirmation dialog before any write: what will be created or changed, what it
//! costs, and the two answers.

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
    // What does not fit the screen is cut from the end of the facts, said so, and the
    // answer line always stays visible.
    let room = (area.height as usize).saturating_sub(6).max(1);
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
    let answer = Line::from(vec![
        Span::styled(" y", theme::key()),
        Span::raw(format!(" {}   ", clean(&c.yes))),
        Span::styled("n", theme::key()),
        Span::raw(" / "),
        Span::styled("esc", theme::key()),
        Span::raw(" cancel: nothing is written"),
    ]);
    let rows: usize = lines.iter().map(|l| rows_of(&l.to_string())).sum::<usize>() + 2;
    let popup = centered(area, width, rows as u16 + 2);
    Clear.render(popup, buf);
    let block = pane_block(&format!(" {} ", clean(&c.title)), true);
    let inner = block.inner(popup);
    block.render(popup, buf);
    // The facts above (clipped if the estimate fell short), the answer always last.
    let facts = Rect {
        height: inner.height.saturating_sub(2),
        ..inner
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(facts, buf);
    if inner.height > 0 {
        let last = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        Paragraph::new(answer).render(last, buf);
    }
}
