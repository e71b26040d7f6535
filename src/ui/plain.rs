//! Plain terminals: after a frame is drawn, `NO_COLOR` takes the colours out (bold,
//! reverse and underline stay: meaning is in words and markers, never in colour alone)
//! and ASCII mode replaces box drawing, block, braille and other symbols with plain
//! characters, so every pane (present and future) follows without knowing about it.

use ratatui::buffer::Buffer;
use ratatui::style::Color;

/// The plain stand-in for a symbol, or `None` when it is already plain.
pub fn ascii_for(c: char) -> Option<char> {
    Some(match c {
        '┏' | '┓' | '┗' | '┛' | '┌' | '┐' | '└' | '┘' | '╭' | '╮' | '╰' | '╯' | '┼' | '╋' => {
            '+'
        }
        '├' | '┤' | '┣' | '┫' | '┬' | '┴' | '┳' | '┻' => '+',
        '━' | '─' | '═' | '╌' | '┄' => '-',
        '┃' | '│' | '║' | '╎' | '┆' => '|',
        '▁' => '_',
        '▂' | '▃' => '.',
        '▄' | '▅' => '-',
        '▆' | '▇' => '=',
        '█' => '#',
        '░' | '▒' => ':',
        '▓' => '%',
        '▏' | '▕' => '|',
        '…' => '~',
        '·' | '•' => '.',
        '↳' | '›' | '→' | '▶' => '>',
        '←' | '◀' => '<',
        '↑' | '▲' => '^',
        '↓' | '▼' => 'v',
        '↻' => '~',
        '×' => 'x',
        '⚠' => '!',
        '✓' => '+',
        '✗' => 'x',
        '●' | '◆' => '*',
        '\u{2800}' => ' ',
        c if ('\u{2801}'..='\u{28FF}').contains(&c) => '*',
        c if !c.is_ascii() && unicode_width::UnicodeWidthChar::width(c) == Some(1) => '?',
        _ => return None,
    })
}

pub fn apply(buf: &mut Buffer, no_color: bool, ascii: bool) {
    if !no_color && !ascii {
        return;
    }
    for cell in buf.content.iter_mut() {
        if no_color {
            cell.fg = Color::Reset;
            cell.bg = Color::Reset;
        }
        if ascii {
            let mut chars = cell.symbol().chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && let Some(a) = ascii_for(c)
            {
                cell.set_char(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Modifier, Style};

    #[test]
    fn ascii_replaces_every_drawing_symbol() {
        for c in "┏━┓┃┗┛┌─┐│└┘▁▂▃▄▅▆▇█…·↳⚠↻×⣿⠁".chars()
        {
            let a = ascii_for(c).unwrap_or(c);
            assert!(a.is_ascii(), "{c} -> {a}");
        }
        assert_eq!(ascii_for('a'), None);
        assert_eq!(ascii_for('█'), Some('#'));
    }

    #[test]
    fn no_color_keeps_modifiers() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        buf[(0, 0)].set_style(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD));
        buf[(0, 0)].set_char('█');
        apply(&mut buf, true, true);
        assert_eq!(buf[(0, 0)].fg, Color::Reset);
        assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD));
        assert_eq!(buf[(0, 0)].symbol(), "#");
    }
}
