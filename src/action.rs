//! Every verb a user can bind to a key. Names are the snake_case words used in keymap
//! files (`refresh = { on = ["r"] }`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Help,
    Quit,
    FocusNext,
    FocusPrev,
    Focus1,
    Focus2,
    Focus3,
    Focus4,
    Focus5,
    Up,
    Down,
    Top,
    Bottom,
    DrillDown,
    Back,
    Refresh,
    ToggleClock,
    PickLoadBalancer,
    NextView,
    PrevView,
    Left,
    Right,
    CycleWindow,
    ZoomIn,
    ZoomOut,
    Act,
    Edit,
    SickZoneOnly,
    SwitchEngine,
    Zoom,
    Freeze,
    Interrupt,
    Command,
    Filter,
    CopyId,
    CopySummary,
    Snapshot,
    /// On an AZ row: open the ARC zonal shift view of that zone.
    ZonalShift,
    /// Cancel the selected active zonal shift (asks first).
    CancelShift,
    /// Copy the ready-to-paste aws CLI command for what the view would do (OSC 52).
    CopyCommand,
    /// Rebuild the AWS clients with fresh credentials (after `aws sso login`).
    Reconnect,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 41] = [
        Action::Help,
        Action::Quit,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Focus1,
        Action::Focus2,
        Action::Focus3,
        Action::Focus4,
        Action::Focus5,
        Action::Up,
        Action::Down,
        Action::Top,
        Action::Bottom,
        Action::DrillDown,
        Action::Back,
        Action::Refresh,
        Action::ToggleClock,
        Action::PickLoadBalancer,
        Action::NextView,
        Action::PrevView,
        Action::Left,
        Action::Right,
        Action::CycleWindow,
        Action::ZoomIn,
        Action::ZoomOut,
        Action::Act,
        Action::Edit,
        Action::SickZoneOnly,
        Action::SwitchEngine,
        Action::Zoom,
        Action::Freeze,
        Action::Interrupt,
        Action::Command,
        Action::Filter,
        Action::CopyId,
        Action::CopySummary,
        Action::Snapshot,
        Action::ZonalShift,
        Action::CancelShift,
        Action::CopyCommand,
        Action::Reconnect,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::Focus1 => "focus_1",
            Action::Focus2 => "focus_2",
            Action::Focus3 => "focus_3",
            Action::Focus4 => "focus_4",
            Action::Focus5 => "focus_5",
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::DrillDown => "drill_down",
            Action::Back => "back",
            Action::Refresh => "refresh",
            Action::ToggleClock => "toggle_clock",
            Action::PickLoadBalancer => "pick_load_balancer",
            Action::NextView => "next_view",
            Action::PrevView => "prev_view",
            Action::Left => "left",
            Action::Right => "right",
            Action::CycleWindow => "cycle_window",
            Action::ZoomIn => "zoom_in",
            Action::ZoomOut => "zoom_out",
            Action::Act => "act",
            Action::Edit => "edit",
            Action::SickZoneOnly => "sick_zone_only",
            Action::SwitchEngine => "switch_engine",
            Action::Zoom => "zoom",
            Action::Freeze => "freeze",
            Action::Interrupt => "interrupt",
            Action::Command => "command",
            Action::Filter => "filter",
            Action::CopyId => "copy_id",
            Action::CopySummary => "copy_summary",
            Action::Snapshot => "snapshot",
            Action::ZonalShift => "zonal_shift",
            Action::CancelShift => "cancel_shift",
            Action::CopyCommand => "copy_command",
            Action::Reconnect => "reconnect",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// A one-word label for the hint line (the long description lives in the keymap).
    pub fn hint(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::FocusNext => "pane",
            Action::FocusPrev => "prev pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::DrillDown => "drill",
            Action::Back => "back",
            Action::Refresh => "refresh",
            Action::ToggleClock => "UTC/local",
            Action::PickLoadBalancer => "LBs",
            Action::NextView => "next view",
            Action::PrevView => "prev view",
            Action::Left => "earlier",
            Action::Right => "later",
            Action::CycleWindow => "window",
            Action::ZoomIn => "zoom in",
            Action::ZoomOut => "zoom out",
            Action::Act => "act",
            Action::Edit => "edit",
            Action::SickZoneOnly => "sick AZ only",
            Action::SwitchEngine => "engine",
            Action::Zoom => "zoom",
            Action::Freeze => "freeze",
            Action::Interrupt => "quit",
            Action::Command => "command",
            Action::Filter => "filter",
            Action::CopyId => "copy id",
            Action::CopySummary => "copy summary",
            Action::Snapshot => "snapshot",
            Action::ZonalShift => "zonal shift",
            Action::CancelShift => "cancel shift",
            Action::CopyCommand => "copy command",
            Action::Reconnect => "reconnect",
            _ => self.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(
                a.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
