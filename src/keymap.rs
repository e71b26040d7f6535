//! Keys -> actions. The defaults (`keymaps/default.toml`) are compiled in; a user file
//! overrides them per action. Help and the hint line read the live map, so a remap
//! shows up there at once.
//!
//! File format: a `[keys]` table of `action = { on = ["key", ...], desc = "..." }`.
//! Errors name the file, the line and the reason; nothing here panics on user input.

use crate::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const DEFAULT_KEYMAP: &str = include_str!("../keymaps/default.toml");

/// One key with its modifiers, normalised so that `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` is not `Ord`; this is the subset grayscope binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Delete,
    Insert,
}

impl Key {
    /// The key a terminal event stands for, if it is one grayscope can bind.
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCodeOrd::BackTab,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Insert => KeyCodeOrd::Insert,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parses `q`, `G`, `?`, `enter`, `ctrl-r`, `alt-x`, `shift-tab`, `f5`, `space`...
    ///
    /// Hand-written on purpose. The crate weighed for it, crokey 1.5 (same crossterm),
    /// reads key names case-insensitively: it parses "G" as "g", "Y" as "y" and "P" as
    /// "p", which would fold the default G (bottom) and Y (copy summary) into g (top)
    /// and y (copy id), and its error carries only the text, not why it is wrong. The
    /// keymap's errors say file:line: reason.
    pub fn parse(s: &str) -> Result<Key, String> {
        if s.is_empty() {
            return Err("empty key".into());
        }
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        // A single character is always a key, even "-".
        while rest.chars().count() > 1 {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if shift && c.is_ascii_alphabetic() {
                    KeyCodeOrd::Char(c.to_ascii_uppercase())
                } else if shift {
                    return Err(format!(
                        "shift- only combines with letters and tab; write the character itself instead of {s:?}"
                    ));
                } else {
                    KeyCodeOrd::Char(c)
                }
            }
            _ => {
                let named = match rest.to_ascii_lowercase().as_str() {
                    "enter" | "return" => KeyCodeOrd::Enter,
                    "esc" | "escape" => KeyCodeOrd::Esc,
                    "tab" if shift => KeyCodeOrd::BackTab,
                    "tab" => KeyCodeOrd::Tab,
                    "backtab" => KeyCodeOrd::BackTab,
                    "backspace" => KeyCodeOrd::Backspace,
                    "space" => KeyCodeOrd::Char(' '),
                    "up" => KeyCodeOrd::Up,
                    "down" => KeyCodeOrd::Down,
                    "left" => KeyCodeOrd::Left,
                    "right" => KeyCodeOrd::Right,
                    "home" => KeyCodeOrd::Home,
                    "end" => KeyCodeOrd::End,
                    "pageup" | "pgup" => KeyCodeOrd::PageUp,
                    "pagedown" | "pgdn" => KeyCodeOrd::PageDown,
                    "delete" | "del" => KeyCodeOrd::Delete,
                    "insert" | "ins" => KeyCodeOrd::Insert,
                    f if f.starts_with('f') && f.len() <= 3 => match f[1..].parse::<u8>() {
                        Ok(n @ 1..=12) => KeyCodeOrd::F(n),
                        _ => return Err(format!("unknown key {s:?}")),
                    },
                    _ => return Err(format!("unknown key {s:?}")),
                };
                if shift && named != KeyCodeOrd::BackTab {
                    return Err(format!("shift- only combines with letters and tab: {s:?}"));
                }
                named
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            KeyCodeOrd::Enter => f.write_str("enter"),
            KeyCodeOrd::Esc => f.write_str("esc"),
            KeyCodeOrd::Tab => f.write_str("tab"),
            KeyCodeOrd::BackTab => f.write_str("shift-tab"),
            KeyCodeOrd::Backspace => f.write_str("backspace"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::Home => f.write_str("home"),
            KeyCodeOrd::End => f.write_str("end"),
            KeyCodeOrd::PageUp => f.write_str("pageup"),
            KeyCodeOrd::PageDown => f.write_str("pagedown"),
            KeyCodeOrd::Delete => f.write_str("delete"),
            KeyCodeOrd::Insert => f.write_str("insert"),
        }
    }
}

/// A keymap problem, with where it is (`line` 0: the file as a whole, e.g. unreadable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for KeymapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.reason),
            line => write!(f, "{}:{line}: {}", self.file, self.reason),
        }
    }
}

/// One action's binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub desc: String,
}

/// The live keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Action, Binding>,
    by_key: BTreeMap<Key, Action>,
    /// Where user bindings came from, for help.
    pub source: Option<PathBuf>,
}

#[derive(serde::Deserialize)]
struct FileShape {
    #[serde(default)]
    keys: BTreeMap<toml::Spanned<String>, toml::Spanned<EntryShape>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryShape {
    on: Vec<toml::Spanned<String>>,
    desc: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses one keymap file into per-action bindings (no merging).
fn parse_file(text: &str, file: &str) -> Result<Vec<(Action, Binding, usize)>, KeymapError> {
    let err = |offset: usize, reason: String| KeymapError {
        file: file.to_string(),
        line: line_of(text, offset),
        reason,
    };
    let shape: FileShape = toml::from_str(text).map_err(|e| {
        let mut offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
        // An unclosed `{` or `[` is found where the next line starts: blame the line
        // that left it open (the last non-blank one before).
        let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        if text[line_start..offset].trim().is_empty() && line_start > 0 {
            let before = text[..line_start].trim_end();
            offset = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        }
        err(offset, e.message().trim().to_string())
    })?;
    let mut out = Vec::new();
    let mut seen: BTreeMap<Key, (Action, usize)> = BTreeMap::new();
    let mut entries: Vec<_> = shape.keys.into_iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    for (name, entry) in entries {
        let at = name.span().start;
        let action = Action::from_name(name.get_ref()).ok_or_else(|| {
            err(
                at,
                format!(
                    "unknown action {:?} (known: {})",
                    name.get_ref(),
                    Action::ALL.map(Action::name).join(", ")
                ),
            )
        })?;
        let entry_span = entry.span();
        let entry = entry.into_inner();
        if entry.on.is_empty() {
            return Err(err(
                entry_span.start,
                format!("{}: `on` lists no key", action.name()),
            ));
        }
        let mut keys = Vec::new();
        for k in entry.on {
            let key_at = k.span().start;
            let key = Key::parse(k.get_ref()).map_err(|reason| err(key_at, reason))?;
            if let Some((other, other_line)) = seen.get(&key) {
                return Err(err(
                    key_at,
                    format!(
                        "key {key} is bound twice: to {} (line {other_line}) and to {}",
                        other.name(),
                        action.name()
                    ),
                ));
            }
            seen.insert(key, (action, line_of(text, key_at)));
            keys.push(key);
        }
        let desc = entry.desc.unwrap_or_default();
        out.push((action, Binding { keys, desc }, line_of(text, at)));
    }
    Ok(out)
}

impl Keymap {
    /// The compiled-in defaults.
    pub fn defaults() -> Keymap {
        match Self::from_defaults_text(DEFAULT_KEYMAP) {
            Ok(k) => k,
            // The default file is tested; an empty map keeps the program usable if not.
            Err(_) => Keymap {
                bindings: BTreeMap::new(),
                by_key: BTreeMap::new(),
                source: None,
            },
        }
    }

    fn from_defaults_text(text: &str) -> Result<Keymap, KeymapError> {
        let mut bindings = BTreeMap::new();
        for (action, binding, _) in parse_file(text, "keymaps/default.toml")? {
            bindings.insert(action, binding);
        }
        Ok(Self::index(bindings, None))
    }

    fn index(bindings: BTreeMap<Action, Binding>, source: Option<PathBuf>) -> Keymap {
        let mut by_key = BTreeMap::new();
        for (action, b) in &bindings {
            for k in &b.keys {
                by_key.insert(*k, *action);
            }
        }
        Keymap {
            bindings,
            by_key,
            source,
        }
    }

    /// Merges a user file's text over this map: each action the user binds gets the
    /// user's keys (and description, if given); those keys leave any other action.
    pub fn merge_text(&self, text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let user = parse_file(text, file)?;
        let mut bindings = self.bindings.clone();
        for (action, binding, _) in &user {
            for (other, b) in bindings.iter_mut() {
                if other != action {
                    b.keys.retain(|k| !binding.keys.contains(k));
                }
            }
            let desc = if binding.desc.is_empty() {
                bindings
                    .get(action)
                    .map(|b| b.desc.clone())
                    .unwrap_or_default()
            } else {
                binding.desc.clone()
            };
            bindings.insert(
                *action,
                Binding {
                    keys: binding.keys.clone(),
                    desc,
                },
            );
        }
        Ok(Self::index(bindings, Some(PathBuf::from(file))))
    }

    /// Loads defaults, then `explicit` (must exist) or else the user file in the
    /// config directory (if it exists).
    pub fn load(explicit: Option<&Path>) -> Result<Keymap, KeymapError> {
        let defaults = Self::defaults();
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match user_keymap_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(defaults),
            },
        };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| KeymapError {
            file: name.clone(),
            line: 0,
            reason: format!("cannot read: {e}"),
        })?;
        defaults.merge_text(&text, &name)
    }

    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        Key::from_event(ev).and_then(|k| self.by_key.get(&k).copied())
    }

    pub fn binding(&self, action: Action) -> Option<&Binding> {
        self.bindings.get(&action)
    }

    /// The keys of an action, as text (`j/↓`), or `unbound`.
    pub fn keys_text(&self, action: Action) -> String {
        match self.bindings.get(&action) {
            Some(b) if !b.keys.is_empty() => b
                .keys
                .iter()
                .map(Key::to_string)
                .collect::<Vec<_>>()
                .join("/"),
            _ => "unbound".to_string(),
        }
    }

    /// The first key of an action, for compact hints.
    pub fn first_key(&self, action: Action) -> Option<Key> {
        self.bindings
            .get(&action)
            .and_then(|b| b.keys.first().copied())
    }
}

/// `$XDG_CONFIG_HOME/grayscope/keymap.toml`, else `~/.config/grayscope/keymap.toml`
/// (see [`crate::paths`]).
pub fn user_keymap_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("keymap.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_parse_and_bind_every_action() {
        let k = Keymap::from_defaults_text(DEFAULT_KEYMAP).expect("default keymap parses");
        for a in Action::ALL {
            let b = k
                .binding(a)
                .unwrap_or_else(|| panic!("{} unbound", a.name()));
            assert!(!b.keys.is_empty(), "{}", a.name());
            assert!(!b.desc.is_empty(), "{} has no desc", a.name());
        }
    }

    #[test]
    fn defaults_follow_tui_habits() {
        let k = Keymap::defaults();
        let cases = [
            (ev(KeyCode::Char('?'), KeyModifiers::NONE), Action::Help),
            (ev(KeyCode::Char('q'), KeyModifiers::NONE), Action::Quit),
            (ev(KeyCode::Tab, KeyModifiers::NONE), Action::FocusNext),
            (ev(KeyCode::BackTab, KeyModifiers::SHIFT), Action::FocusPrev),
            (ev(KeyCode::Char('3'), KeyModifiers::NONE), Action::Focus3),
            (ev(KeyCode::Char('j'), KeyModifiers::NONE), Action::Down),
            (ev(KeyCode::Down, KeyModifiers::NONE), Action::Down),
            (ev(KeyCode::Char('G'), KeyModifiers::SHIFT), Action::Bottom),
            (ev(KeyCode::Enter, KeyModifiers::NONE), Action::DrillDown),
            (ev(KeyCode::Esc, KeyModifiers::NONE), Action::Back),
            (
                ev(KeyCode::Char('r'), KeyModifiers::CONTROL),
                Action::Refresh,
            ),
        ];
        for (e, a) in cases {
            assert_eq!(k.action_for(&e), Some(a), "{e:?}");
        }
    }

    #[test]
    fn user_file_overrides_per_binding() {
        let k = Keymap::defaults()
            .merge_text("[keys]\nrefresh = { on = [\"R\", \"q\"] }\n", "user.toml")
            .expect("valid");
        assert_eq!(
            k.action_for(&ev(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::Refresh)
        );
        assert_eq!(
            k.action_for(&ev(KeyCode::Char('r'), KeyModifiers::NONE)),
            None
        );
        // q moved to refresh: quit has no key left; ctrl-c still interrupts.
        assert_eq!(
            k.action_for(&ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Refresh)
        );
        assert_eq!(k.keys_text(Action::Quit), "unbound");
        assert_eq!(k.keys_text(Action::Interrupt), "ctrl-c");
        assert_eq!(k.keys_text(Action::Refresh), "R/q");
        assert_eq!(
            k.binding(Action::Refresh).map(|b| b.desc.as_str()),
            Some("Refresh every pane now"),
            "description kept from the default"
        );
        // Untouched actions keep their defaults.
        assert_eq!(k.keys_text(Action::Down), "j/↓");
    }

    #[test]
    fn duplicate_key_is_an_error_with_its_line() {
        let text = "[keys]\nquit = { on = [\"x\"] }\n\nrefresh = { on = [\"x\"] }\n";
        let e = Keymap::defaults()
            .merge_text(text, "k.toml")
            .expect_err("duplicate");
        assert_eq!(e.file, "k.toml");
        assert_eq!(e.line, 4);
        assert!(e.reason.contains("bound twice"), "{}", e.reason);
        assert!(e.to_string().starts_with("k.toml:4: "));
    }

    #[test]
    fn unknown_action_is_an_error_with_its_line() {
        let text = "[keys]\nquit = { on = [\"q\"] }\nlaunch_rockets = { on = [\"L\"] }\n";
        let e = Keymap::defaults()
            .merge_text(text, "k.toml")
            .expect_err("unknown");
        assert_eq!(e.line, 3);
        assert!(
            e.reason.contains("unknown action \"launch_rockets\""),
            "{}",
            e.reason
        );
    }

    #[test]
    fn bad_key_syntax_is_an_error_with_its_line() {
        for (text, line) in [
            ("[keys]\n\nquit = { on = [\"ctrl-nope\"] }\n", 3),
            ("[keys]\nquit = { on = [\"\"] }\n", 2),
            (
                "[keys]\nhelp = { on = [\"?\"] }\nquit = { on = [\"shift-1\"] }\n",
                3,
            ),
            ("[keys]\nquit = { on = [\"f13\"] }\n", 2),
        ] {
            let e = Keymap::defaults()
                .merge_text(text, "k.toml")
                .expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
        }
    }

    #[test]
    fn an_unclosed_brace_is_blamed_on_its_own_line_and_a_missing_file_has_none() {
        let e = Keymap::defaults()
            .merge_text(
                "[keys]\nquit = { on = [\"q\"]\nhelp = { on = [\"?\"] }\n",
                "k.toml",
            )
            .expect_err("broken");
        assert_eq!(e.line, 2, "{e}");
        let e = Keymap::load(Some(Path::new("/nonexistent/grayscope-keymap.toml")))
            .expect_err("missing");
        let text = e.to_string();
        assert!(
            text.starts_with("/nonexistent/grayscope-keymap.toml: cannot read"),
            "{text}"
        );
    }

    #[test]
    fn broken_toml_and_unknown_fields_report_a_line() {
        let e = Keymap::defaults()
            .merge_text("[keys]\nquit = { on = [\"q\"]\n", "k.toml")
            .expect_err("broken");
        assert_eq!(e.line, 2, "{e}");
        let e = Keymap::defaults()
            .merge_text("[keys]\nquit = { on = [\"q\"], run = \"x\" }\n", "k.toml")
            .expect_err("unknown field");
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn key_parse_and_display_round_trip() {
        for s in [
            "q",
            "G",
            "?",
            "enter",
            "esc",
            "ctrl-r",
            "alt-x",
            "shift-tab",
            "f5",
            "space",
            "-",
        ] {
            let k = Key::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            let back = Key::parse(&k.to_string().replace('↑', "up"));
            assert_eq!(back, Ok(k), "{s}");
        }
        assert_eq!(Key::parse("shift-g"), Key::parse("G"));
    }

    #[test]
    fn upper_and_lower_case_letters_are_different_keys() {
        // The reason the parser is not crokey's: "G" and "g" are two bindings.
        for (upper, lower) in [("G", "g"), ("Y", "y"), ("P", "p")] {
            assert_ne!(Key::parse(upper), Key::parse(lower), "{upper} vs {lower}");
        }
        let k = Keymap::defaults();
        assert_eq!(
            k.action_for(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            k.action_for(&ev(KeyCode::Char('g'), KeyModifiers::NONE)),
            Some(Action::Top)
        );
    }
}
