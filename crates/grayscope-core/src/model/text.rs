//! Text from AWS is untrusted: a tag value, a target description or an error message
//! could carry escape sequences that move the cursor or retitle the terminal. Every
//! string that came over the wire passes through [`clean`] before it is drawn.

/// Replaces control characters (C0, DEL, C1, and the bidi overrides that can reorder
/// what the user sees) with a visible placeholder, and folds newlines and tabs to spaces.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

/// [`clean`] line by line, keeping the line breaks (Markdown written to a file or the
/// clipboard, where a newline is wanted but an escape sequence is not).
pub fn clean_multiline(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Shortens `s` to at most `max` characters, marking the cut with an ellipsis.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_keeps_newlines_and_drops_escapes() {
        assert_eq!(
            clean_multiline("a\x1b[31m\nb\x07"),
            "a\u{FFFD}[31m\nb\u{FFFD}"
        );
    }

    #[test]
    fn strips_escape_sequences_and_controls() {
        let hostile = "ok\x1b]0;pwned\x07\x1b[2J\u{9b}31m\u{202e}txt";
        let cleaned = clean(hostile);
        assert!(!cleaned.chars().any(|c| c.is_control()));
        assert!(!cleaned.contains('\u{202e}'));
        assert!(cleaned.starts_with("ok"));
        assert!(cleaned.ends_with("txt"));
    }

    #[test]
    fn folds_whitespace_controls() {
        assert_eq!(clean("a\nb\tc\rd"), "a b c d");
    }

    #[test]
    fn keeps_unicode_text() {
        assert_eq!(clean("zone-é ▁▂"), "zone-é ▁▂");
    }

    #[test]
    fn ellipsize_cuts_on_chars() {
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abc", 4), "abc");
        assert_eq!(ellipsize("ééééé", 3), "éé…");
    }
}
