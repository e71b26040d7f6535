//! The registered panes, in focus order (numbers 1, 2, ...; Detail comes after them).
//! Adding a pane: its module here, and one line in [`registry`].

pub mod az;
pub mod flowlogs;

use crate::app::pane::Pane;

pub fn registry() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(az::AzPane::default()),
        Box::new(flowlogs::FlowLogsPane::default()),
    ]
}
