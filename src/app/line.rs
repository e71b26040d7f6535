//! The one-line prompt at the bottom of the screen: `:` commands (with completion and
//! history) and `/` filters. Editing the text lives here; what Enter does (parse and
//! run a command, set a filter) is the router's.

use crate::jobs::{Effect, Job, PaneId};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// At most this many `:` commands are remembered.
pub const HISTORY_LEN: usize = 200;
/// The longest text a prompt takes (a paste that never ends stops here).
const MAX_CHARS: usize = 1000;

/// What a one-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `:` commands.
    Command,
    /// `/` filter of the focused pane.
    Filter,
}

/// A one-line prompt at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub kind: LineKind,
    pub text: String,
    /// Why the last Enter did not work, shown beside the prompt.
    pub error: Option<String>,
    /// Completions of the current text (Tab cycles through them).
    pub completions: Vec<String>,
    history_pos: Option<usize>,
}

/// What one key did to the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKey {
    /// Esc: close the prompt.
    Cancel,
    /// Enter: run what was typed.
    Submit,
    /// The text or the completions changed (or nothing did).
    Edited,
}

impl LineInput {
    pub fn new(kind: LineKind, text: String) -> Self {
        Self {
            kind,
            text,
            error: None,
            completions: Vec::new(),
            history_pos: None,
        }
    }

    /// Applies one key. `history` is the `:` history, oldest first (Up/Down walk it);
    /// `complete` lists the completions of a command's text (asked only on Tab).
    pub fn key(
        &mut self,
        ev: &KeyEvent,
        history: &[String],
        complete: impl FnOnce(&str) -> Vec<String>,
    ) -> LineKey {
        let command = self.kind == LineKind::Command;
        match ev.code {
            KeyCode::Esc => return LineKey::Cancel,
            KeyCode::Enter => return LineKey::Submit,
            KeyCode::Backspace => {
                self.text.pop();
                self.completions.clear();
                self.error = None;
            }
            KeyCode::Char('u') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                self.completions.clear();
            }
            KeyCode::Tab if command => self.complete(complete(&self.text)),
            KeyCode::Up | KeyCode::Down if command && !history.is_empty() => {
                let last = history.len() - 1;
                let pos = match (ev.code, self.history_pos) {
                    (KeyCode::Up, None) => Some(last),
                    (KeyCode::Up, Some(p)) => Some(p.saturating_sub(1)),
                    (_, Some(p)) if p < last => Some(p + 1),
                    _ => None,
                };
                self.history_pos = pos;
                self.text = pos.map(|p| history[p].clone()).unwrap_or_default();
            }
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.text.chars().count() < MAX_CHARS && !c.is_control() {
                    self.text.push(c);
                }
                self.completions.clear();
                self.error = None;
            }
            _ => {}
        }
        LineKey::Edited
    }

    /// Tab: one option replaces the text; several extend it to their common prefix
    /// and are listed.
    fn complete(&mut self, options: Vec<String>) {
        let prefix = crate::model::command::common_prefix(&options);
        if options.len() == 1 {
            self.text = options[0].clone();
        } else if prefix.len() > self.text.trim_start().len() {
            self.text = prefix;
        }
        self.completions = if options.len() > 1 {
            options
        } else {
            Vec::new()
        };
    }
}

/// Adds a command to the history: not twice in a row, the oldest dropped beyond
/// [`HISTORY_LEN`]. Returns whether the history changed (and should be saved).
pub fn remember(history: &mut Vec<String>, text: String) -> bool {
    if text.is_empty() || history.last() == Some(&text) {
        return false;
    }
    history.push(text);
    let excess = history.len().saturating_sub(HISTORY_LEN);
    history.drain(..excess);
    true
}

/// A job that writes the history to the state directory (a failure is logged: the
/// session goes on without a saved history).
pub fn save(owner: PaneId, history: &[String]) -> Effect {
    let body = history.join("\n") + "\n";
    let path = crate::logging::state_dir().join("history");
    Effect::Run(Job::new(
        owner,
        "history",
        0,
        "save the command history",
        move |_, _| async move {
            if let Some(dir) = path.parent() {
                let _ = tokio::fs::create_dir_all(dir).await;
            }
            if let Err(e) = tokio::fs::write(&path, body).await {
                tracing::warn!(path = %path.display(), error = %e, "cannot save the command history");
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(line: &mut LineInput, text: &str) {
        for c in text.chars() {
            line.key(&press(KeyCode::Char(c)), &[], |_| Vec::new());
        }
    }

    #[test]
    fn typing_backspace_and_ctrl_u_edit_the_text() {
        let mut l = LineInput::new(LineKind::Filter, String::new());
        typed(&mut l, "az6");
        assert_eq!(l.text, "az6");
        l.key(&press(KeyCode::Backspace), &[], |_| Vec::new());
        assert_eq!(l.text, "az");
        let mut ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        ctrl_u.kind = KeyEventKind::Press;
        assert_eq!(l.key(&ctrl_u, &[], |_| Vec::new()), LineKey::Edited);
        assert_eq!(l.text, "");
        assert_eq!(
            l.key(&press(KeyCode::Enter), &[], |_| Vec::new()),
            LineKey::Submit
        );
        assert_eq!(
            l.key(&press(KeyCode::Esc), &[], |_| Vec::new()),
            LineKey::Cancel
        );
    }

    #[test]
    fn an_edit_clears_the_last_error_and_the_text_is_bounded() {
        let mut l = LineInput::new(LineKind::Command, String::new());
        l.error = Some("unknown command".into());
        typed(&mut l, "w");
        assert_eq!(l.error, None);
        typed(&mut l, &"x".repeat(2 * MAX_CHARS));
        assert_eq!(l.text.chars().count(), MAX_CHARS);
    }

    #[test]
    fn tab_takes_the_only_option_or_the_common_prefix_and_lists_several() {
        let mut l = LineInput::new(LineKind::Command, "re".into());
        let several = || vec!["region ".to_string(), "refresh".to_string()];
        l.key(&press(KeyCode::Tab), &[], |t| {
            assert_eq!(t, "re");
            several()
        });
        assert_eq!(l.text, "re");
        assert_eq!(l.completions, several());
        l.text = "reg".into();
        l.key(&press(KeyCode::Tab), &[], |_| vec!["region ".into()]);
        assert_eq!(l.text, "region ");
        assert!(l.completions.is_empty());
        // A filter has no completion: Tab does nothing there.
        let mut f = LineInput::new(LineKind::Filter, "re".into());
        f.key(&press(KeyCode::Tab), &[], |_| {
            panic!("filters do not complete")
        });
        assert_eq!(f.text, "re");
    }

    #[test]
    fn up_and_down_walk_the_history_and_end_on_an_empty_line() {
        let history = ["window 3h".to_string(), "lb shop-frontend".to_string()];
        let mut l = LineInput::new(LineKind::Command, String::new());
        let up = press(KeyCode::Up);
        let down = press(KeyCode::Down);
        l.key(&up, &history, |_| Vec::new());
        assert_eq!(l.text, "lb shop-frontend");
        l.key(&up, &history, |_| Vec::new());
        assert_eq!(l.text, "window 3h");
        l.key(&up, &history, |_| Vec::new());
        assert_eq!(l.text, "window 3h", "the oldest entry stays");
        l.key(&down, &history, |_| Vec::new());
        assert_eq!(l.text, "lb shop-frontend");
        l.key(&down, &history, |_| Vec::new());
        assert_eq!(l.text, "");
    }

    #[test]
    fn the_history_skips_repeats_and_keeps_the_newest() {
        let mut h = Vec::new();
        assert!(remember(&mut h, "window 3h".into()));
        assert!(!remember(&mut h, "window 3h".into()));
        assert!(!remember(&mut h, String::new()));
        for i in 0..HISTORY_LEN + 5 {
            remember(&mut h, format!("window {i}m"));
        }
        assert_eq!(h.len(), HISTORY_LEN);
        assert_eq!(h.last().map(String::as_str), Some("window 204m"));
        assert_eq!(h.first().map(String::as_str), Some("window 5m"));
    }
}
