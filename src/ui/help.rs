//! The help overlay, generated from the live keymap (a remap shows up here), with
//! where the keymap and the log file are.

use crate::action::Action;
use crate::app::App;
use crate::keymap::user_keymap_path;
use crate::ui::{centered, pane_block, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

/// A path with the home directory written as `~` (shorter, and the same on every machine).
fn tilde(path: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && path.starts_with(&home) => {
            format!("~{}", &path[home.len()..])
        }
        _ => path.to_string(),
    }
}

/// What the AZ pane's states and column heads mean.
pub const LEGEND: [(&str, &str); 11] = [
    ("OK", "in line with sibling zones (the reason says so)"),
    ("WATCH", "outlier minutes, not yet 3 of the last 5"),
    ("DEGRADED", "outlier in 3 of 5 minutes: gray failure"),
    ("IMPAIRED", "targets failing in this zone, or EC2 says so"),
    ("UNKNOWN", "not enough evidence to call it"),
    ("ok unh drn", "targets healthy, unhealthy, draining"),
    ("ini unu anom", "initial, unused; anomalous of all targets"),
    (
        "5xx% RT cerr",
        "last minute: 5xx share, latency, conn errors",
    ),
    (
        "rst% flow/m",
        "NLB: resets per new flow; new flows a minute",
    ),
    ("◆ (targets)", "AWS Health lists this target as affected"),
    ("← zone/target", "zonal shift active: traffic kept away"),
];

pub fn render(area: Rect, buf: &mut Buffer, full: &App) {
    let app = &full.shared;
    let mut lines: Vec<Line> = Vec::new();
    let mut panes: Vec<String> = full
        .panes
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{} {}", i + 1, p.title()))
        .collect();
    panes.push(format!("{} Detail", full.detail_number()));
    lines.push(Line::from(vec![
        Span::styled(" panes           ", theme::key()),
        Span::raw(panes.join(" · ")),
    ]));
    for (head, text) in LEGEND {
        lines.push(Line::from(vec![
            Span::styled(format!(" {head:<16}"), theme::key()),
            Span::raw(text.to_string()),
        ]));
    }
    let keymap = match &app.keymap.source {
        Some(p) => format!(
            " keymap: {} (over the defaults)",
            tilde(&p.display().to_string())
        ),
        None => format!(
            " keymap: defaults; override in {}",
            user_keymap_path()
                .map(|p| tilde(&p.display().to_string()))
                .unwrap_or_else(|| "~/.config/grayscope/keymap.toml".into())
        ),
    };
    lines.push(Line::from(Span::styled(keymap, theme::dim())));
    if let Some(log) = &app.log_path {
        lines.push(Line::from(Span::styled(
            format!(" log: {}", tilde(log)),
            theme::dim(),
        )));
    }
    lines.push(Line::raw(""));
    for a in Action::ALL {
        let keys = app.keymap.keys_text(a);
        let desc = app
            .keymap
            .binding(a)
            .map(|b| b.desc.clone())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!(" {keys:<16}"), theme::key()),
            Span::raw(desc),
        ]));
    }
    let width = 76u16;
    let height = lines.len() as u16 + 2;
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let visible = popup.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(visible);
    let scroll = (full.help_scroll as usize).min(max_scroll);
    let mut block = pane_block(" Help: keys ", true);
    if max_scroll > 0 {
        let keys = format!(
            "{}/{}",
            app.keymap.keys_text(Action::Down),
            app.keymap.keys_text(Action::Up)
        );
        let more = if scroll < max_scroll {
            "more ↓"
        } else {
            "end"
        };
        block = block.title_bottom(Line::from(format!(" {keys} scroll · {more} ")).right_aligned());
    }
    let inner = block.inner(popup);
    block.render(popup, buf);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}
