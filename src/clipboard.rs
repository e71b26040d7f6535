//! Copy to the user's clipboard over SSH: the OSC 52 terminal escape, which the local
//! terminal emulator (not the jump host) turns into a clipboard write. No display
//! server, no clipboard library. Inside tmux or GNU screen the escape is wrapped so the
//! multiplexer passes it through to the outer terminal.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// What sits between grayscope and the terminal emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    None,
    Tmux,
    Screen,
}

impl Multiplexer {
    /// From the environment: `TMUX` set means tmux; a `TERM` of `screen*` without
    /// `TMUX` means GNU screen.
    pub fn detect() -> Self {
        Self::from_env(
            std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    pub fn from_env(tmux: bool, term: Option<&str>) -> Self {
        if tmux {
            Multiplexer::Tmux
        } else if term.is_some_and(|t| t.starts_with("screen")) {
            Multiplexer::Screen
        } else {
            Multiplexer::None
        }
    }
}

/// Terminals cap what one OSC 52 write may carry (xterm: 100 000 bytes by default);
/// longer text is cut at a character boundary to stay under it.
pub const MAX_PAYLOAD: usize = 74_000;

/// The bytes that put `text` on the clipboard through `mux`.
pub fn osc52(text: &str, mux: Multiplexer) -> String {
    let mut end = text.len().min(MAX_PAYLOAD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let seq = format!("\x1b]52;c;{}\x07", STANDARD.encode(&text.as_bytes()[..end]));
    match mux {
        Multiplexer::None => seq,
        // tmux passthrough: DCS tmux; <seq with every ESC doubled> ST.
        Multiplexer::Tmux => format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b")),
        // screen passes a DCS through, but only 768 bytes at a time: one DCS per chunk.
        Multiplexer::Screen => seq
            .as_bytes()
            .chunks(760)
            .map(|c| format!("\x1bP{}\x1b\\", String::from_utf8_lossy(c)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tmux_and_screen_bytes() {
        assert_eq!(osc52("i-0abc", Multiplexer::None), "\x1b]52;c;aS0wYWJj\x07");
        assert_eq!(
            osc52("i-0abc", Multiplexer::Tmux),
            "\x1bPtmux;\x1b\x1b]52;c;aS0wYWJj\x07\x1b\\"
        );
        assert_eq!(
            osc52("i-0abc", Multiplexer::Screen),
            "\x1bP\x1b]52;c;aS0wYWJj\x07\x1b\\"
        );
    }

    #[test]
    fn long_text_is_chunked_for_screen_and_capped() {
        let text = "x".repeat(3000);
        let out = osc52(&text, Multiplexer::Screen);
        assert!(out.matches("\x1bP").count() >= 5);
        let huge = "é".repeat(MAX_PAYLOAD);
        let plain = osc52(&huge, Multiplexer::None);
        assert!(plain.len() < MAX_PAYLOAD * 2);
    }

    #[test]
    fn detects_the_multiplexer() {
        assert_eq!(
            Multiplexer::from_env(true, Some("screen-256color")),
            Multiplexer::Tmux
        );
        assert_eq!(
            Multiplexer::from_env(false, Some("screen")),
            Multiplexer::Screen
        );
        assert_eq!(
            Multiplexer::from_env(false, Some("xterm-256color")),
            Multiplexer::None
        );
        assert_eq!(Multiplexer::from_env(false, None), Multiplexer::None);
    }
}
