//! The screen as plain text or SVG, for `--print` (paste into an incident channel)
//! and for the screenshots in `screenshots/`.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The buffer as lines of text, trailing spaces trimmed.
pub fn to_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn rgb(c: Color, default: &str) -> String {
    match c {
        Color::Reset => default.to_string(),
        Color::Black => "#1e1e1e".into(),
        Color::Red => "#e5534b".into(),
        Color::Green => "#57ab5a".into(),
        Color::Yellow => "#c69026".into(),
        Color::Blue => "#316dca".into(),
        Color::Magenta => "#b083f0".into(),
        Color::Cyan => "#39c5cf".into(),
        Color::Gray => "#adbac7".into(),
        Color::DarkGray => "#768390".into(),
        Color::LightRed => "#ff938a".into(),
        Color::LightGreen => "#6bc46d".into(),
        Color::LightYellow => "#daaa3f".into(),
        Color::LightBlue => "#539bf5".into(),
        Color::LightMagenta => "#dcbdfb".into(),
        Color::LightCyan => "#56d4dd".into(),
        Color::White => "#f0f0f0".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(_) => default.to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The buffer as an SVG picture of a dark terminal.
pub fn to_svg(buf: &Buffer) -> String {
    const CW: f64 = 8.4;
    const CH: f64 = 17.0;
    let area = buf.area;
    let (bg0, fg0) = ("#22272e", "#adbac7");
    let w = area.width as f64 * CW;
    let h = area.height as f64 * CH;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.1} {h:.1}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{bg0}\"/>\n"
    );
    for y in area.top()..area.bottom() {
        let py = (y - area.top()) as f64 * CH;
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (rgb(cell.fg, fg0), rgb(cell.bg, bg0));
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
            }
            let px = (x - area.left()) as f64 * CW;
            if bg != bg0 {
                out.push_str(&format!(
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{:.1}\" height=\"{CH:.1}\" fill=\"{bg}\"/>",
                    CW + 0.2
                ));
            }
            let sym = cell.symbol();
            if sym.trim().is_empty() {
                continue;
            }
            let weight = if cell.modifier.contains(Modifier::BOLD) {
                " font-weight=\"bold\""
            } else {
                ""
            };
            out.push_str(&format!(
                "<text x=\"{px:.1}\" y=\"{:.1}\" fill=\"{fg}\"{weight}>{}</text>",
                py + CH * 0.78,
                escape(sym)
            ));
        }
        out.push('\n');
    }
    out.push_str("</svg>\n");
    out
}
