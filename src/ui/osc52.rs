//! OSC 52: setting the clipboard of the terminal the user sits at, through SSH and
//! through tmux or GNU screen, by writing an escape sequence. The text travels base64
//! encoded (`ESC ] 52 ; c ; <base64> BEL`).
//!
//! Inside tmux the sequence is sent twice: plain (tmux takes it when `set-clipboard` is
//! `on`) and wrapped in tmux's passthrough (`ESC P tmux; ... ESC \`, every inner ESC
//! doubled; used when `allow-passthrough` is `on`). Inside screen it is wrapped in DCS
//! strings of at most 76 characters each (screen's limit on one string).

/// The terminal multiplexer the sequence has to get through, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mux {
    None,
    Tmux,
    Screen,
}

impl Mux {
    /// From the values of `TMUX` and `TERM`.
    pub fn detect(tmux: Option<&str>, term: Option<&str>) -> Mux {
        if tmux.is_some_and(|t| !t.is_empty()) {
            Mux::Tmux
        } else if term.is_some_and(|t| t.starts_with("screen")) {
            Mux::Screen
        } else {
            Mux::None
        }
    }

    pub fn from_env() -> Mux {
        Mux::detect(
            std::env::var("TMUX").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648) with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bare OSC 52 sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// The bytes to write so that `text` reaches the clipboard through `mux`.
pub fn sequence(text: &str, mux: Mux) -> String {
    let plain = osc52(text);
    match mux {
        Mux::None => plain,
        Mux::Tmux => format!(
            "{plain}\x1bPtmux;{}\x1b\\",
            plain.replace('\x1b', "\x1b\x1b")
        ),
        Mux::Screen => {
            let chars: Vec<char> = plain.chars().collect();
            chars
                .chunks(76)
                .map(|c| format!("\x1bP{}\x1b\\", c.iter().collect::<String>()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| ALPHABET.iter().position(|a| *a == c).map(|p| p as u32);
        let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
        let mut out = Vec::new();
        for chunk in bytes.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                n |= val(*c).expect("base64 char") << (18 - 6 * i);
            }
            for i in 0..chunk.len().saturating_sub(1) {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn plain_terminal_gets_one_osc52() {
        assert_eq!(sequence("hi", Mux::None), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn tmux_gets_plain_and_passthrough_with_doubled_escapes() {
        let s = sequence("hi", Mux::Tmux);
        assert_eq!(
            s,
            "\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn screen_gets_short_dcs_chunks() {
        let text = "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/x".repeat(3);
        let s = sequence(&text, Mux::Screen);
        let pieces: Vec<&str> = s.split("\x1bP").filter(|p| !p.is_empty()).collect();
        assert!(pieces.len() > 1);
        let mut joined = String::new();
        for p in pieces {
            let body = p.strip_suffix("\x1b\\").expect("each chunk closed");
            assert!(body.chars().count() <= 76);
            joined.push_str(body);
        }
        assert_eq!(joined, osc52(&text));
    }

    #[test]
    fn detects_the_multiplexer() {
        assert_eq!(
            Mux::detect(Some("/tmp/tmux-0/default,1,0"), Some("screen-256color")),
            Mux::Tmux
        );
        assert_eq!(
            Mux::detect(None, Some("screen.xterm-256color")),
            Mux::Screen
        );
        assert_eq!(Mux::detect(Some(""), Some("xterm-256color")), Mux::None);
        assert_eq!(Mux::detect(None, None), Mux::None);
    }

    proptest! {
        #[test]
        fn base64_round_trips(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let enc = base64(&data);
            prop_assert_eq!(enc.len() % 4, 0);
            prop_assert_eq!(decode(&enc), data);
        }
    }
}
