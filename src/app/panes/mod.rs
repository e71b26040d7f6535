//! The registered panes, in focus order (numbers 1, 2, ...; Detail comes after them).
//! Adding a pane: its module here, and one line in [`registry`].

pub mod az;
#[cfg(test)]
mod az_story;
pub mod bands;
pub mod flowlogs;
pub mod health;
pub mod reach;
pub mod zonal_shift;

use crate::app::pane::Pane;

pub fn registry() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(az::AzPane::default()),
        Box::new(bands::BandsPane::default()),
        Box::new(flowlogs::FlowLogsPane::default()),
        Box::new(health::HealthPane::default()),
    ]
}
