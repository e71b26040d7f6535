//! Sparklines as text, so they sit inside a table row.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars scaled to `max` (shared across rows, so zones can
/// be compared by eye). Missing minutes are blanks.
pub fn sparkline(values: &[Option<f64>], max: f64, width: usize) -> String {
    let start = values.len().saturating_sub(width);
    values[start..]
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(v) if max <= 0.0 || *v <= 0.0 => BARS[0],
            Some(v) => {
                let i = ((v / max) * (BARS.len() - 1) as f64).round() as usize;
                BARS[i.min(BARS.len() - 1)]
            }
        })
        .collect()
}

/// The largest value across several series (0 when none).
pub fn max_of<'a>(series: impl IntoIterator<Item = &'a [Option<f64>]>) -> f64 {
    series
        .into_iter()
        .flat_map(|s| s.iter().flatten())
        .fold(0.0, |m, v| if *v > m { *v } else { m })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_shared_max_and_keeps_gaps() {
        let s = sparkline(&[Some(0.0), None, Some(5.0), Some(10.0)], 10.0, 10);
        assert_eq!(s, "▁ ▅█");
        assert_eq!(
            sparkline(&[Some(1.0), Some(2.0), Some(3.0)], 3.0, 2)
                .chars()
                .count(),
            2
        );
        assert_eq!(max_of([&[Some(1.0), None][..], &[Some(4.0)][..]]), 4.0);
    }
}
