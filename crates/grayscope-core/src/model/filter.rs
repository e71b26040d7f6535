//! The `/` filter of a table: what the user typed, parsed once, matched against a row's
//! text. `text` matches as a case-insensitive substring; `/pattern/` is a regular
//! expression (case-insensitive unless it has an upper-case letter); a leading `!`
//! keeps the rows that do not match.

use regex_lite::{Regex, RegexBuilder};

#[derive(Debug, Clone)]
pub struct Filter {
    /// What the user typed, shown in the pane's title.
    pub text: String,
    pub invert: bool,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Substring(String),
    Pattern(Regex),
}

impl PartialEq for Filter {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Filter {
    /// Parses what was typed. An empty filter is `Ok(None)` (no filter); a bad regular
    /// expression is an error in words.
    pub fn parse(typed: &str) -> Result<Option<Filter>, String> {
        let text = typed.trim();
        let (invert, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        if body.is_empty() {
            return if invert {
                Err("`!` needs something after it to leave out".into())
            } else {
                Ok(None)
            };
        }
        let matcher = match body
            .strip_prefix('/')
            .and_then(|b| b.strip_suffix('/'))
            .filter(|p| !p.is_empty())
        {
            Some(pattern) => {
                let case_insensitive = !pattern.chars().any(char::is_uppercase);
                let re = RegexBuilder::new(pattern)
                    .case_insensitive(case_insensitive)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("not a valid regular expression: {e}"))?;
                Matcher::Pattern(re)
            }
            None => Matcher::Substring(body.to_lowercase()),
        };
        Ok(Some(Filter {
            text: text.to_string(),
            invert,
            matcher,
        }))
    }

    /// Whether a row whose searchable text is `haystack` is shown.
    pub fn keeps(&self, haystack: &str) -> bool {
        let hit = match &self.matcher {
            Matcher::Substring(s) => haystack.to_lowercase().contains(s.as_str()),
            Matcher::Pattern(re) => re.is_match(haystack),
        };
        hit != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Filter {
        Filter::parse(s).expect("valid").expect("a filter")
    }

    #[test]
    fn substring_is_case_insensitive_and_bang_inverts() {
        assert!(f("timeout").keeps("web-tg Target.Timeout ×2"));
        assert!(!f("timeout").keeps("api-tg"));
        assert!(!f("!timeout").keeps("Target.Timeout"));
        assert!(f("! timeout").keeps("api-tg"));
    }

    #[test]
    fn slashes_make_a_regex_smart_case() {
        assert!(f("/use1-az[46]/").keeps("us-east-1a use1-az4"));
        assert!(!f("/use1-az[46]/").keeps("use1-az1"));
        assert!(f("/target\\.t/").keeps("Target.Timeout"));
        assert!(
            !f("/Target\\.t/").keeps("Target.Timeout"),
            "upper case: case-sensitive"
        );
        assert!(f("!/^api/").keeps("web-tg"));
    }

    #[test]
    fn empty_is_no_filter_and_bad_input_is_an_error() {
        assert!(Filter::parse("  ").expect("ok").is_none());
        assert!(Filter::parse("!").is_err());
        let e = Filter::parse("/(unclosed/").expect_err("bad regex");
        assert!(e.starts_with("not a valid regular expression"), "{e}");
        // A lone slash or `//` is plain text, not an empty regex.
        assert!(f("/").keeps("a/b"));
        assert!(f("//").keeps("http://x"));
    }
}
