//! The areas a later release fills (anomaly bands, flow-log rejects, AWS Health). Each
//! says so in one line; nothing here pretends to be data.

use crate::app::Pane;
use crate::ui::{pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn what_comes(pane: Pane) -> &'static str {
    match pane {
        Pane::Anomaly => "Not built yet: CloudWatch anomaly bands per AZ metric.",
        Pane::Rejects => "Not built yet: flow-log REJECT tallies (Logs Insights).",
        Pane::AwsHealth => "Not built yet: AWS Health events for these AZs.",
        Pane::AzHealth | Pane::Detail => "",
    }
}

pub fn render(area: Rect, buf: &mut Buffer, pane: Pane, focused: bool) {
    let block = pane_block(&format!(" {} {} ", pane.number(), pane.title()), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(Line::from(Span::styled(what_comes(pane), theme::dim())))
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}
