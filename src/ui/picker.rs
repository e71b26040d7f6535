//! The load-balancer picker overlay.

use crate::app::App;
use crate::model::text::clean;
use crate::ui::az_health::{fit, slot_errors};
use crate::ui::{centered, pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    let Some(p) = &app.picker else { return };
    let mut lines: Vec<Line> = Vec::new();
    match p.choices.get() {
        None if p.choices.loading => lines.push(Line::from(Span::styled(
            "Loading load balancers…",
            theme::dim(),
        ))),
        Some(list) if list.is_empty() => lines.push(Line::from(Span::styled(
            "No load balancers in this region.",
            theme::dim(),
        ))),
        Some(list) => {
            for (i, lb) in list.iter().enumerate() {
                let text = format!(
                    " {} {} {} {} {} AZs",
                    fit(&clean(&lb.name), 32, false),
                    fit(lb.kind.label(), 4, false),
                    fit(&clean(&lb.scheme), 15, false),
                    fit(&clean(&lb.state), 8, false),
                    lb.zone_names.len()
                );
                let mut line = Line::raw(text);
                if i == p.selected {
                    line = line.patch_style(theme::selected());
                }
                lines.push(line);
            }
        }
        None => {}
    }
    lines.extend(slot_errors("load balancers", &p.choices, app.shared.now));
    let popup = centered(area, 78, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let block = pane_block(" Choose a load balancer ", true);
    let inner = block.inner(popup);
    block.render(popup, buf);
    Paragraph::new(lines).render(inner, buf);
}
