//! Colours and styles in one place. Colours carry meaning only together with text
//! (the verdict is always written out), so a monochrome terminal loses nothing.

use crate::model::verdict::Level;
use ratatui::style::{Color, Modifier, Style};

pub fn level(l: Level) -> Style {
    match l {
        Level::Ok => Style::new().fg(Color::Green),
        Level::Watching => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        Level::Degraded => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Level::Impaired => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Level::Unknown => Style::new().fg(Color::DarkGray),
    }
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

pub fn title(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    }
}

pub fn header() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn column_header() -> Style {
    Style::new().add_modifier(Modifier::UNDERLINED)
}

pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
