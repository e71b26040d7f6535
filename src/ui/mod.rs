//! Pure drawing: `render` paints the whole screen for an `App` into a ratatui
//! `Buffer`. No I/O and no waiting here; everything drawn comes from app state and
//! `app.now`, so a frozen clock gives the same screen every time.
//!
//! Layout: a header line, the five areas, and a hint line generated from the keymap.
//! Narrow terminals (< 120 columns) stack the AZ pane over the detail pane; wide ones
//! put them side by side.

pub mod az_health;
pub mod detail;
pub mod export;
pub mod header;
pub mod help;
pub mod hints;
pub mod later;
pub mod picker;
pub mod spark;
pub mod theme;

use crate::app::{App, Pane};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

/// A pane's frame: number and title, highlighted when focused.
pub fn pane_block(title: &str, focused: bool) -> Block<'static> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme::border(focused))
        .title(Line::from(Span::styled(
            title.to_string(),
            theme::title(focused),
        )))
}

/// Where each area goes for a given screen size.
pub struct Areas {
    pub header: Rect,
    pub az: Rect,
    pub detail: Rect,
    pub anomaly: Rect,
    pub rejects: Rect,
    pub aws_health: Rect,
    pub hints: Rect,
}

pub fn layout(area: Rect) -> Areas {
    let [header, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let (az, detail, later) = if area.width >= 120 {
        // The bottom row holds the areas later releases fill; until then a few rows do.
        let [top, bottom] =
            Layout::vertical([Constraint::Min(10), Constraint::Length(5)]).areas(body);
        let [az, detail] =
            Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(top);
        (
            az,
            detail,
            Layout::horizontal([Constraint::Ratio(1, 3); 3]).areas(bottom),
        )
    } else {
        let [az, bottom] =
            Layout::vertical([Constraint::Min(8), Constraint::Length(9)]).areas(body);
        let [detail, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(bottom);
        (
            az,
            detail,
            Layout::vertical([Constraint::Ratio(1, 3); 3]).areas(right),
        )
    };
    let [anomaly, rejects, aws_health] = later;
    Areas {
        header,
        az,
        detail,
        anomaly,
        rejects,
        aws_health,
        hints,
    }
}

/// Paints the whole screen.
pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    let a = layout(area);
    header::render(a.header, buf, app);
    az_health::render(a.az, buf, app, app.focus == Pane::AzHealth);
    detail::render(a.detail, buf, app, app.focus == Pane::Detail);
    later::render(a.anomaly, buf, Pane::Anomaly, app.focus == Pane::Anomaly);
    later::render(a.rejects, buf, Pane::Rejects, app.focus == Pane::Rejects);
    later::render(
        a.aws_health,
        buf,
        Pane::AwsHealth,
        app.focus == Pane::AwsHealth,
    );
    hints::render(a.hints, buf, app);
    if app.picker.is_some() {
        picker::render(area, buf, app);
    }
    if app.help_open {
        help::render(area, buf, app);
    }
}

/// `render` for a ratatui `Frame` (tests and `Terminal::draw`).
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    render(area, frame.buffer_mut(), app);
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
