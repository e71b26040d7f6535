//! Pure drawing: `render` paints the whole screen for an `App` into a ratatui
//! `Buffer`. No I/O and no waiting here; everything drawn comes from app state and
//! `app.now`, so a frozen clock gives the same screen every time.
//!
//! Layout: a header line, one area per registered pane plus Detail, and a hint line
//! generated from the keymap. Narrow terminals (< 120 columns) stack the AZ pane over
//! the detail pane; wide ones put them side by side. Each pane draws itself
//! (`Pane::render`, which calls its draw file here).

pub mod az_health;
pub mod bands;
pub mod confirm;
pub mod detail;
pub mod export;
pub mod flowlogs;
pub mod header;
pub mod health;
pub mod help;
pub mod hints;
pub mod picker;
pub mod plain;
pub mod reach;
pub mod spark;
pub mod theme;
pub mod zonal_shift;

use crate::app::App;
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
    /// One area per registered pane, in registry order.
    pub panes: Vec<Rect>,
    pub detail: Rect,
    pub hints: Rect,
}

/// The layout for `n` registered panes. The first pane (AZ health) gets the most room,
/// beside (wide) or above (narrow) the Detail pane; the others share the rest.
pub fn layout(area: Rect, n: usize) -> Areas {
    let [header, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let others = n.saturating_sub(1);
    let mut panes = Vec::with_capacity(n);
    let detail;
    if area.width >= 120 {
        let bottom_rows = if others == 0 {
            0
        } else {
            (body.height * 2 / 5).max(5)
        };
        let [top, bottom] =
            Layout::vertical([Constraint::Min(10), Constraint::Length(bottom_rows)]).areas(body);
        let [first, d] =
            Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(top);
        panes.push(first);
        detail = d;
        if others > 0 {
            let cols =
                Layout::horizontal(vec![Constraint::Ratio(1, others as u32); others]).split(bottom);
            panes.extend(cols.iter().copied());
        }
    } else {
        let [first, bottom] =
            Layout::vertical([Constraint::Min(8), Constraint::Length(9)]).areas(body);
        panes.push(first);
        if others == 0 {
            detail = bottom;
        } else {
            let [d, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(bottom);
            detail = d;
            let rows =
                Layout::vertical(vec![Constraint::Ratio(1, others as u32); others]).split(right);
            panes.extend(rows.iter().copied());
        }
    }
    panes.truncate(n);
    Areas {
        header,
        panes,
        detail,
        hints,
    }
}

/// Paints the whole screen.
pub fn render(area: Rect, buf: &mut Buffer, app: &App) {
    let mut a = layout(area, app.panes.len());
    if app.zoomed {
        // The focused area takes the whole body; the others are not drawn.
        let body = Rect {
            y: a.header.bottom(),
            height: a.hints.y.saturating_sub(a.header.bottom()),
            ..area
        };
        let hidden = Rect::new(0, 0, 0, 0);
        for (i, r) in a.panes.iter_mut().enumerate() {
            *r = if i == app.focus { body } else { hidden };
        }
        a.detail = if app.detail_focused() { body } else { hidden };
    }
    header::render(a.header, buf, app);
    for (i, rect) in a.panes.iter().enumerate() {
        if let (false, Some(shown)) = (rect.is_empty(), app.shown_in(i)) {
            shown.render(*rect, buf, &app.shared, i + 1, app.focus == i);
        }
    }
    if !a.detail.is_empty() {
        detail::render(a.detail, buf, app);
    }
    hints::render(a.hints, buf, app);
    if app.picker.is_some() {
        picker::render(area, buf, app);
    }
    if app.confirm.is_some() {
        confirm::render(area, buf, app);
    }
    if app.help_open {
        help::render(area, buf, app);
    }
    plain::apply(buf, app.shared.no_color, app.shared.ascii);
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
