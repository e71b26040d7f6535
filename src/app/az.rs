//! State of the AZ health pane (pane 1): its data slots, the per-zone summaries
//! derived from them, the selected row and the drill-down into targets.

use crate::app::slot::Slot;
use crate::model::metrics::ZoneMetrics;
use crate::model::summary::{ZoneSummary, summarize, targets_in};
use crate::model::targets::{Target, TargetGroupHealth};
use crate::model::verdict::VerdictParams;
use crate::model::zones::{LoadBalancer, Zone, ZoneMap};

/// One selectable row of the pane: a zone, or a target group within a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Zone { zone: String },
    Group { zone: String, group_arn: String },
}

/// Drilled into the targets of a zone (all groups) or of one group in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub zone: String,
    pub group_arn: Option<String>,
    pub group_name: Option<String>,
    pub selected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct AzPane {
    pub zones: Slot<Vec<Zone>>,
    pub health: Slot<Vec<TargetGroupHealth>>,
    pub metrics: Slot<ZoneMetrics>,
    /// Derived from the slots whenever one of them changes (never while drawing).
    pub summaries: Vec<ZoneSummary>,
    pub selected: usize,
    pub drill: Option<Drill>,
}

impl AzPane {
    /// Recomputes the summaries, keeping the selection on the same row if it still exists.
    pub fn recompute(&mut self, lbs: &[LoadBalancer]) {
        let before = self.rows().get(self.selected).cloned();
        let zone_map = ZoneMap::new(self.zones.get().cloned().unwrap_or_default());
        let health = self.health.get().map(Vec::as_slice).unwrap_or(&[]);
        self.summaries = summarize(
            &zone_map,
            lbs,
            health,
            self.metrics.get(),
            &VerdictParams::default(),
        );
        let rows = self.rows();
        self.selected = before
            .and_then(|b| rows.iter().position(|r| *r == b))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
        if let Some(d) = &mut self.drill {
            let n = targets_in(health, &d.zone, d.group_arn.as_deref()).len();
            d.selected = d.selected.min(n.saturating_sub(1));
        }
    }

    /// The selectable rows, in display order.
    pub fn rows(&self) -> Vec<RowKey> {
        let mut rows = Vec::new();
        for s in &self.summaries {
            rows.push(RowKey::Zone {
                zone: s.zone_name.clone(),
            });
            for g in &s.groups {
                rows.push(RowKey::Group {
                    zone: s.zone_name.clone(),
                    group_arn: g.group_arn.clone(),
                });
            }
        }
        rows
    }

    pub fn selected_row(&self) -> Option<RowKey> {
        self.rows().get(self.selected).cloned()
    }

    /// The targets the drill-down lists.
    pub fn drill_targets(&self) -> Vec<(&str, &Target)> {
        match (&self.drill, self.health.get()) {
            (Some(d), Some(h)) => targets_in(h, &d.zone, d.group_arn.as_deref()),
            _ => Vec::new(),
        }
    }

    fn len(&self) -> usize {
        match &self.drill {
            Some(_) => self.drill_targets().len(),
            None => self.rows().len(),
        }
    }

    fn cursor(&mut self) -> &mut usize {
        match &mut self.drill {
            Some(d) => &mut d.selected,
            None => &mut self.selected,
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        let len = self.len();
        let c = self.cursor();
        *c = (*c as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    pub fn move_to(&mut self, first: bool) {
        let len = self.len();
        *self.cursor() = if first { 0 } else { len.saturating_sub(1) };
    }

    /// Enter on a row: drill into its targets. Returns whether anything opened.
    pub fn drill_down(&mut self) -> bool {
        if self.drill.is_some() {
            return false;
        }
        let Some(row) = self.selected_row() else {
            return false;
        };
        self.drill = Some(match row {
            RowKey::Zone { zone } => Drill {
                zone,
                group_arn: None,
                group_name: None,
                selected: 0,
            },
            RowKey::Group { zone, group_arn } => {
                let group_name = self
                    .summaries
                    .iter()
                    .flat_map(|s| &s.groups)
                    .find(|g| g.group_arn == group_arn)
                    .map(|g| g.group_name.clone());
                Drill {
                    zone,
                    group_arn: Some(group_arn),
                    group_name,
                    selected: 0,
                }
            }
        });
        true
    }

    /// Esc: leave the drill-down. Returns whether there was one to leave.
    pub fn back(&mut self) -> bool {
        self.drill.take().is_some()
    }
}
