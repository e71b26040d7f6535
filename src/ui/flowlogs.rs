//! Pane 3: flow-log REJECT tallies. One row per group under the pivot: a mark when its
//! sources are in the zone the AZ pane blames, source zone -> destination zone (AZ
//! IDs), what the row is, and its REJECT count; the query's state, age and cost in the
//! bottom border. Enter lists the raw records; `e` opens the query editor. The full
//! story of the selection is `detail_lines` (the Detail pane).

use crate::app::Shared;
use crate::app::panes::flowlogs::{Editor, FlowLogsPane, Purpose, QueryRun};
use crate::app::slot::age;
use crate::backend::flowlogs::{Destination, Engine, QueryStatus};
use crate::model::flowlogs::{
    Part, Pivot, PivotRow, Place, PlacedBy, USD_PER_GB_SCANNED, fmt_bytes, fmt_usd, protocol_name,
};
use crate::model::text::clean;
use crate::model::zones::ZoneMap;
use crate::ui::az_health::fit;
use crate::ui::{pane_block, theme};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// `use1-az6` -> `az6` where room is short.
fn short_zone(z: &str) -> &str {
    z.rsplit_once('-').map(|(_, id)| id).unwrap_or(z)
}

fn window_label(minutes: i64) -> String {
    if minutes % 1440 == 0 {
        format!("{}d", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

fn elapsed(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - from).num_seconds().max(0);
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// The state of a query in a few words: `Running 4s · 1.2 MB $0.001`.
pub fn run_status(run: &QueryRun, now: DateTime<Utc>) -> String {
    if let Some((attempt, at)) = run.waiting {
        let secs = (at - now).num_seconds().max(0);
        return format!("query limit: retry {} in {secs}s", attempt + 1);
    }
    let label = match (run.engine, run.status) {
        // Athena's own words for its states.
        (Engine::Athena, QueryStatus::Scheduled) => "Queued",
        (Engine::Athena, QueryStatus::Complete) => "Succeeded",
        (_, s) => s.label(),
    };
    let state = if run.stopped {
        "Stopped".to_string()
    } else if run.status.is_done() {
        label.to_string()
    } else {
        format!("{label} {}", elapsed(run.started_at, now))
    };
    let b = run.total().bytes_scanned;
    format!("{state} · {} {}", fmt_bytes(b), fmt_usd(run.cost_usd()))
}

fn bottom_status(pane: &FlowLogsPane, now: DateTime<Utc>) -> String {
    let mut parts = Vec::new();
    if let Some(run) = &pane.run {
        parts.push(run_status(run, now));
        if !run.running()
            && let Some(at) = pane.last_tally_at
        {
            parts.push(age(at, now));
        }
    } else if pane.sources.loading {
        parts.push("DescribeFlowLogs…".into());
    }
    parts.join(" · ")
}

/// Cuts `s` to `w` columns in the middle, so both ends (source, port) stay readable.
fn fit_middle(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        return fit(s, w, false);
    }
    if w < 3 {
        return fit(s, w, false);
    }
    let head = (w - 1) / 2;
    let tail = w - 1 - head;
    let chars: Vec<char> = s.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail..]);
    out
}

/// A narrow pair label: the source whole, the rest cut in the middle (port kept).
fn fit_pair(s: &str, w: usize) -> String {
    match s.split_once('→') {
        Some((src, rest)) if src.chars().count() + 3 < w => {
            let head = src.chars().count() + 1;
            format!("{src}→{}", fit_middle_tail(rest, w - head))
        }
        _ => fit_middle(s, w),
    }
}

/// Cuts from the front: `…25:5432`.
fn fit_middle_tail(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        return fit(s, w, false);
    }
    let mut out = String::from("…");
    out.extend(s.chars().skip(n - (w - 1)));
    out
}

/// One pivot row in `w` columns.
fn row_line(r: &PivotRow, w: usize, selected: bool, sick_only: bool) -> Line<'static> {
    let wide = w >= 80;
    let zones = if wide {
        format!("{}→{}", r.src_zone, r.dst_zone)
    } else {
        format!("{}→{}", short_zone(&r.src_zone), short_zone(&r.dst_zone))
    };
    let zw = if wide { 18 } else { 8 };
    let cw = if wide { 7 } else { 6 };
    let bw = if wide { 10 } else { 0 };
    let mark = if r.from_sick && !sick_only { "!" } else { " " };
    let lw = w.saturating_sub(1 + zw + cw + bw);
    let label = if wide {
        fit(&clean(&r.label), lw, false)
    } else {
        // The protocol is in the Detail pane; the source and the port stay readable.
        let l = clean(&r.label).replace(" → ", "→");
        let l = l.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or(l);
        fit_pair(&l, lw)
    };
    let mut text = format!(
        "{mark}{}{}{}",
        fit(&zones, zw, false),
        label,
        fit(&r.count.rejects.to_string(), cw, true)
    );
    if wide {
        text.push_str(&fit(&fmt_bytes(r.count.bytes as f64), bw, true));
    }
    let style = if selected {
        theme::selected()
    } else if r.from_sick {
        theme::warn()
    } else {
        Style::new()
    };
    Line::from(Span::styled(fit(&text, w, false), style))
}

fn header_line(w: usize) -> Line<'static> {
    let wide = w >= 80;
    let zw = if wide { 18 } else { 8 };
    let cw = if wide { 7 } else { 6 };
    let bw = if wide { 10 } else { 0 };
    let lw = w.saturating_sub(1 + zw + cw + bw);
    let mut text = format!(
        " {}{}{}",
        fit(if wide { "src AZ→dst AZ" } else { "AZs" }, zw, false),
        fit("", lw, false),
        fit(if wide { "REJECTs" } else { "rej" }, cw, true)
    );
    if wide {
        text.push_str(&fit("bytes", bw, true));
    }
    Line::from(Span::styled(fit(&text, w, false), theme::column_header()))
}

fn editor_lines(ed: &Editor, pane: &FlowLogsPane, w: usize, h: usize) -> Vec<Line<'static>> {
    let (cl, cc) = ed.position();
    let mut lines: Vec<Line> = Vec::new();
    let text_lines: Vec<&str> = ed.text.split('\n').collect();
    let error_lines = ed
        .error
        .as_ref()
        .map(|e| (e.chars().count() + 2).div_ceil(w.max(1)).min(3))
        .unwrap_or(0);
    let room = h.saturating_sub(1 + error_lines);
    let first = cl.saturating_sub(room.saturating_sub(1));
    for (i, l) in text_lines.iter().enumerate().skip(first).take(room) {
        let l = clean(l);
        if i == cl {
            // The cursor's line scrolls sideways so the cursor stays in view.
            let shift = cc.saturating_sub(w.saturating_sub(2));
            let cc = cc - shift;
            let chars: Vec<char> = l.chars().skip(shift).collect();
            let before: String = chars[..cc.min(chars.len())].iter().collect();
            let at: String = chars.get(cc).map(|c| c.to_string()).unwrap_or(" ".into());
            let after: String = chars.iter().skip(cc + 1).collect();
            lines.push(Line::from(vec![
                Span::raw(before),
                Span::styled(at, theme::selected()),
                Span::raw(after),
            ]));
        } else {
            lines.push(Line::from(l));
        }
    }
    if let Some(e) = &ed.error {
        let chars: Vec<char> = clean(&format!("⚠ {e}")).chars().collect();
        for chunk in chars.chunks(w.max(1)).take(3) {
            lines.push(Line::from(Span::styled(
                chunk.iter().collect::<String>(),
                theme::error(),
            )));
        }
    }
    let saved = match (ed.saved, pane.saved.get()) {
        (Some(i), Some(list)) => list.get(i).map(|q| format!(" ({})", clean(&q.name))),
        _ => None,
    }
    .unwrap_or_default();
    lines.push(Line::from(Span::styled(
        fit(
            &format!("^R run · Esc close · ^N/^P saved{saved} · ^U default"),
            w,
            false,
        ),
        theme::dim(),
    )));
    lines
}

pub fn render(
    area: Rect,
    buf: &mut Buffer,
    pane: &FlowLogsPane,
    shared: &Shared,
    number: usize,
    focused: bool,
) {
    let now = shared.now;
    let mut title = format!(
        " {number} REJECTs · {} · {} ",
        if pane.custom.is_some() {
            "edited query"
        } else {
            pane.pivot.label()
        },
        window_label(pane.window_minutes)
    );
    if pane.sick_only {
        title.push_str("· sick AZ only ");
    }
    // Which engine answers, where there is room (the Detail pane always says it).
    let engine = format!("· {} ", pane.engine.label());
    if (pane.engine == Engine::Athena || pane.can_switch())
        && title.chars().count() + engine.chars().count() + 2 <= area.width as usize
    {
        title.push_str(&engine);
    }
    if let Some(d) = &pane.drill {
        title = format!(" {number} REJECTs › records of {} ", clean(&d.label));
    }
    if pane.editor.is_some() {
        title = format!(" {number} REJECTs › query ");
    }
    let status = match &pane.drill {
        Some(d) => run_status(&d.run, now),
        None => bottom_status(pane, now),
    };
    let room = (area.width as usize).saturating_sub(4);
    // Narrow: the bytes go (the cost and the age stay; the Detail pane has the bytes).
    let status = if status.chars().count() > room {
        status
            .split(" · ")
            .map(|part| match part.rsplit_once(' ') {
                Some((_, cost)) if cost.contains('$') => cost.to_string(),
                _ => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    } else {
        status
    };
    let status = crate::model::text::ellipsize(&status, room);
    let block =
        pane_block(&title, focused).title_bottom(Line::from(format!(" {status} ")).right_aligned());
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let h = inner.height as usize;
    if w == 0 || h == 0 {
        return;
    }
    if let Some(ed) = &pane.editor {
        Paragraph::new(editor_lines(ed, pane, w, h)).render(inner, buf);
        return;
    }
    let mut lines: Vec<Line> = Vec::new();
    if let Some((e, at)) = &pane.sources.error {
        lines.push(Line::from(Span::styled(
            clean(&format!("⚠ flow logs failed {} ago: {e}", age(*at, now))),
            theme::error(),
        )));
    }
    if let Some((e, at)) = &pane.error {
        let kept = match pane.last_tally_at {
            Some(t) if pane.custom.is_none() && !pane.rows.is_empty() => {
                format!(", counts from {} ago kept", age(t, now))
            }
            _ => String::new(),
        };
        lines.push(Line::from(Span::styled(
            clean(&format!("⚠ query failed {} ago{kept}: {e}", age(*at, now))),
            theme::error(),
        )));
    }
    if let Some(d) = &pane.drill {
        if let Some(e) = &d.error {
            lines.push(Line::from(Span::styled(
                clean(&format!("⚠ {e}")),
                theme::error(),
            )));
        }
        if d.records.is_empty() && d.run.running() {
            lines.push(Line::from(Span::styled("reading records…", theme::dim())));
        }
        let room = h.saturating_sub(lines.len());
        let first = d.selected.saturating_sub(room.saturating_sub(1));
        for (i, r) in d.records.iter().enumerate().skip(first).take(room) {
            let text = match &r.record {
                Some(rec) => format!(
                    "{} {}:{} → {}:{} {} {} {}",
                    r.timestamp.get(11..19).unwrap_or(&r.timestamp),
                    rec.srcaddr.map(|a| a.to_string()).unwrap_or("-".into()),
                    rec.srcport.map(|p| p.to_string()).unwrap_or("-".into()),
                    rec.dstaddr.map(|a| a.to_string()).unwrap_or("-".into()),
                    rec.dstport.map(|p| p.to_string()).unwrap_or("-".into()),
                    rec.protocol.map(protocol_name).unwrap_or("-".into()),
                    rec.interface_id.as_deref().unwrap_or("-"),
                    rec.az_id.as_deref().unwrap_or(""),
                ),
                None => format!("{} {}", r.timestamp, r.message),
            };
            let style = if i == d.selected {
                theme::selected()
            } else {
                Style::new()
            };
            lines.push(Line::from(Span::styled(
                fit(&clean(&text), w, false),
                style,
            )));
        }
        Paragraph::new(lines).render(inner, buf);
        return;
    }
    if pane.engine == Engine::Athena && pane.sources.get().is_some() && !pane.queryable() {
        athena_setup_lines(pane, shared, &mut lines);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
        return;
    }
    if pane.sources.get().is_some() && pane.log_groups.is_empty() {
        let elsewhere = pane.not_queryable().len();
        lines.push(Line::from(format!(
            "No flow log delivers to CloudWatch Logs{}.",
            if elsewhere > 0 {
                format!("; {elsewhere} to S3/Firehose: not queryable with Logs Insights")
            } else {
                String::new()
            }
        )));
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    if let Some(c) = &pane.custom {
        render_custom(c, pane, w, h, &mut lines);
        Paragraph::new(lines).render(inner, buf);
        return;
    }
    if pane.rows.is_empty() {
        let msg = match (&pane.run, pane.sources.loading) {
            (_, true) => "looking for flow logs…".to_string(),
            (Some(r), _) if r.running() => "counting REJECTs…".to_string(),
            (Some(_), _) if pane.sick_only => {
                "no REJECTs from the sick zone's sources in this window".to_string()
            }
            (Some(_), _) => "no REJECTs in this window".to_string(),
            (None, _) if pane.sources.get().is_none() && pane.sources.error.is_none() => {
                "flow logs are read once a load balancer is watched (l)".to_string()
            }
            (None, _) => String::new(),
        };
        if !msg.is_empty() {
            lines.push(Line::from(Span::styled(msg, theme::dim())));
        }
        Paragraph::new(lines).render(inner, buf);
        return;
    }
    if h >= 6 && lines.is_empty() {
        lines.push(header_line(w));
    }
    let room = h.saturating_sub(lines.len());
    let first = pane.selected.saturating_sub(room.saturating_sub(1));
    for (i, r) in pane.rows.iter().enumerate().skip(first).take(room) {
        lines.push(row_line(r, w, i == pane.selected, pane.sick_only));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The Athena side before it can answer: the flow log in S3, why no query runs yet
/// (no table, the workgroup, permissions), and the table DDL on offer.
fn athena_setup_lines(pane: &FlowLogsPane, shared: &Shared, lines: &mut Vec<Line<'static>>) {
    let a = &pane.athena;
    if let Some(s) = &a.source
        && let Some(d) = s.s3()
    {
        lines.push(Line::from(clean(&format!(
            "{} ({}) delivers to {}",
            s.id,
            s.resource_id,
            d.describe()
        ))));
    }
    if a.tables.loading {
        lines.push(Line::from(Span::styled(
            "reading the Athena workgroup and catalog…",
            theme::dim(),
        )));
        return;
    }
    if a.creating {
        lines.push(Line::from(Span::styled(
            "creating the table…",
            theme::dim(),
        )));
        return;
    }
    if let Some(why) = a.blocked() {
        lines.push(Line::from(Span::styled(clean(&why), theme::error())));
    }
    match &a.ddl {
        Some(Ok(ddl))
            if a.blocked()
                .is_some_and(|b| b.starts_with("no Athena table")) =>
        {
            let what = if shared.read_only {
                "--read-only: nothing is created; this DDL would make one:".to_string()
            } else {
                let key = shared
                    .keymap
                    .first_key(crate::action::Action::Act)
                    .map(|k| k.to_string())
                    .unwrap_or_else(|| "unbound".into());
                format!("{key}: create it (asks first; DDL is free, dropped at exit):")
            };
            lines.push(Line::from(what));
            for l in ddl.lines() {
                lines.push(Line::from(Span::styled(clean(l), theme::dim())));
            }
        }
        Some(Err(why)) => lines.push(Line::from(Span::styled(
            clean(&format!("cannot write the table DDL: {why}")),
            theme::error(),
        ))),
        _ => {}
    }
}

fn render_custom(
    c: &crate::app::panes::flowlogs::CustomResult,
    pane: &FlowLogsPane,
    w: usize,
    h: usize,
    lines: &mut Vec<Line<'static>>,
) {
    if c.rows.is_empty() {
        let running = pane.run.as_ref().is_some_and(QueryRun::running);
        lines.push(Line::from(Span::styled(
            if running {
                "running the edited query…"
            } else {
                "no rows"
            },
            theme::dim(),
        )));
        return;
    }
    let n = c.columns.len().max(1);
    let cw = (w / n).max(6);
    let cell = |v: &str| format!("{} ", fit(&clean(v), cw - 1, false));
    let head: String = c.columns.iter().map(|col| cell(col)).collect();
    if h >= 4 {
        lines.push(Line::from(Span::styled(
            fit(&head, w, false),
            theme::column_header(),
        )));
    }
    let room = h.saturating_sub(lines.len());
    let first = pane.selected.saturating_sub(room.saturating_sub(1));
    for (i, row) in c.rows.iter().enumerate().skip(first).take(room) {
        let text: String = c
            .columns
            .iter()
            .map(|col| {
                let v = row
                    .iter()
                    .find(|(f, _)| f == col)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                cell(v)
            })
            .collect();
        let style = if i == pane.selected {
            theme::selected()
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(fit(&text, w, false), style)));
    }
}

fn field(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name}: "), theme::dim()),
        Span::raw(clean(&value)),
    ])
}

/// An address in words: `10.20.11.25 · database orders-db · eni-0db… · subnet-0db01a ·
/// use1-az4 (us-east-1a)`.
fn place_words(addr: &str, place: Option<&Place>, zones: &ZoneMap) -> String {
    let Some(p) = place else {
        return format!("{addr} · not looked up yet");
    };
    let mut parts = vec![addr.to_string()];
    if let Some(r) = &p.resource {
        parts.push(format!("{} {}", r.kind.label(), r.name));
    }
    if let Some(i) = &p.interface {
        parts.push(i.clone());
    }
    if let Some(s) = &p.subnet_id {
        parts.push(s.clone());
    }
    match (&p.zone_id, p.placed_by) {
        (Some(z), _) => parts.push(match zones.by_id(z) {
            Some(zone) => format!("{z} ({})", zone.name),
            None => z.clone(),
        }),
        (None, PlacedBy::Outside) => {
            parts.push("outside the VPC (internet or another network)".into())
        }
        (None, _) => parts.push("zone unknown".into()),
    }
    if p.placed_by == PlacedBy::Subnet {
        parts.push("by subnet CIDR (no interface holds it now)".into());
    }
    parts.join(" · ")
}

fn query_lines(pane: &FlowLogsPane, shared: &Shared) -> Vec<Line<'static>> {
    let now = shared.now;
    let mut out = Vec::new();
    let run: Option<&QueryRun> = match &pane.drill {
        Some(d) => Some(&d.run),
        None => pane.run.as_ref(),
    };
    if let Some(run) = run {
        let what = match run.purpose {
            Purpose::Tally(Part::Settled) => "tally (settled minutes, merged)",
            Purpose::Tally(Part::Recent) => "tally (last minutes, may still be delivered)",
            Purpose::Custom => "edited query",
            Purpose::Records => "records",
        };
        out.push(field("query", format!("{what}: {}", run_status(run, now))));
        if let Some((a, b)) = run.range {
            out.push(field(
                "range",
                format!("{} – {} UTC", a.format("%H:%M:%S"), b.format("%H:%M:%S")),
            ));
        }
        out.push(field(
            "records",
            format!(
                "{:.0} matched of {:.0} scanned",
                run.total().records_matched,
                run.total().records_scanned
            ),
        ));
        if let Some(id) = &run.id {
            out.push(field("query ID", id.clone()));
        }
    }
    if let Some(run) = run
        && run.engine == Engine::Athena
    {
        let t = run.total();
        out.push(field(
            "athena",
            format!(
                "queued {:.1}s, engine {:.1}s; {} scanned, billed {} (per TB, rounded up to the MB, 10 MB minimum per query)",
                t.queued_ms / 1000.0,
                t.engine_ms / 1000.0,
                fmt_bytes(t.bytes_scanned),
                fmt_usd(run.cost_usd())
            ),
        ));
    }
    out.push(field(
        "cost",
        format!(
            "{} scanned this session in {} queries = {} ({}); refreshes scan only new minutes",
            fmt_bytes(pane.session_bytes),
            pane.session_queries,
            fmt_usd(pane.session_usd),
            match pane.engine {
                Engine::Insights => format!("Logs Insights bills ${USD_PER_GB_SCANNED}/GB scanned"),
                Engine::Athena => format!(
                    "Athena bills ${}/TB scanned, 10 MB minimum per query",
                    crate::model::athena::USD_PER_TB_SCANNED
                ),
            }
        ),
    ));
    out.push(field(
        "engine",
        format!(
            "{}{}",
            pane.engine.label(),
            if pane.can_switch() {
                " (E switches: the flow logs are in CloudWatch Logs and in S3)"
            } else {
                ""
            }
        ),
    ));
    if let Some(src) = &pane.athena.source
        && let Some(d) = src.s3()
    {
        out.push(field(
            "S3",
            format!("{} ({}) → {}", src.id, src.resource_id, d.describe()),
        ));
        if let Some(t) = &pane.athena.table {
            out.push(field(
                "table",
                format!(
                    "{}.{}.{} at {}{}",
                    t.catalog,
                    t.database,
                    t.name,
                    t.location().unwrap_or("?"),
                    match t.partitioning() {
                        crate::model::athena::Partitioning::None => {
                            " · unpartitioned: every query reads it all".to_string()
                        }
                        crate::model::athena::Partitioning::Unknown(k) => {
                            format!(" · partitions {} not tied to dates", k.join(", "))
                        }
                        _ if t.projected() => " · partition projection".to_string(),
                        _ => " · partitioned".to_string(),
                    }
                ),
            ));
        }
        if let Some(Ok(w)) = &pane.athena.workgroup {
            out.push(field(
                "workgroup",
                format!(
                    "{} ({}) · results to {}",
                    w.name,
                    w.state,
                    w.output_location
                        .clone()
                        .unwrap_or_else(|| if w.managed_results {
                            "managed query results".into()
                        } else {
                            "nowhere".into()
                        })
                ),
            ));
        }
    }
    if let Some(start) = pane.window_start {
        out.push(field(
            "window",
            format!(
                "{} from {} UTC (w cycles, +/- narrow and widen)",
                window_label(pane.window_minutes),
                start.format("%H:%M")
            ),
        ));
    }
    if pane.engine == Engine::Athena {
        out.push(field(
            "format",
            format!("v{}: {}", pane.format.version(), pane.format.spec()),
        ));
    }
    if pane.engine == Engine::Insights && !pane.log_groups.is_empty() {
        out.push(field("log groups", pane.log_groups.join(", ")));
        out.push(field(
            "format",
            if pane.format.is_default() {
                "default (v2): fields discovered by Insights".to_string()
            } else {
                format!(
                    "custom v{}: fields extracted with parse: {}",
                    pane.format.version(),
                    pane.format.spec()
                )
            },
        ));
    }
    for s in pane.not_queryable() {
        if let Destination::Elsewhere { kind, arn } = &s.destination {
            out.push(field(
                "not queryable",
                format!(
                    "{} ({}) delivers to {kind} {arn}: not queryable with Logs Insights",
                    s.id, s.resource_id
                ),
            ));
        }
    }
    if let Some(e) = &pane.network_error {
        out.push(Line::from(Span::styled(
            clean(&format!("⚠ placing addresses: {e}")),
            theme::error(),
        )));
    }
    out
}

pub fn detail_lines(pane: &FlowLogsPane, shared: &Shared) -> Vec<Line<'static>> {
    let zones = ZoneMap::new(shared.zones.get().cloned().unwrap_or_default());
    let mut out = Vec::new();
    if let Some(d) = &pane.drill {
        out.push(Line::from(Span::styled(
            clean(&format!("records of {}", d.label)),
            theme::title(false),
        )));
        if let Some(r) = d.records.get(d.selected) {
            out.push(field("time", r.timestamp.clone()));
            out.push(field("record", r.message.clone()));
            if let Some(rec) = &r.record {
                for (name, a) in [("source", rec.srcaddr), ("destination", rec.dstaddr)] {
                    if let Some(a) = a {
                        let a = a.to_string();
                        let p = pane
                            .places
                            .get(&a)
                            .cloned()
                            .unwrap_or_else(|| pane.network.place(&a, &zones));
                        out.push(field(name, place_words(&a, Some(&p), &zones)));
                    }
                }
                if let Some(eni) = &rec.interface_id {
                    out.push(field(
                        "logged on",
                        format!(
                            "{eni}{} (the interface that rejected it)",
                            rec.az_id
                                .as_ref()
                                .map(|z| format!(" in {z}"))
                                .unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        out.extend(query_lines(pane, shared));
        return out;
    }
    if let Some(c) = &pane.custom {
        out.push(Line::from(Span::styled(
            "edited query",
            theme::title(false),
        )));
        out.push(field("query", c.query.replace('\n', " ")));
        if let Some(row) = c.rows.get(pane.selected) {
            for (f, v) in row {
                out.push(field(f, v.clone()));
            }
        }
        out.extend(query_lines(pane, shared));
        return out;
    }
    if let Some(r) = pane.rows.get(pane.selected) {
        out.push(Line::from(Span::styled(
            clean(&r.label),
            theme::title(false),
        )));
        out.push(field(
            "REJECTs",
            format!(
                "{} ({} rejected) over {} key{}",
                r.count.rejects,
                fmt_bytes(r.count.bytes as f64),
                r.keys,
                if r.keys == 1 { "" } else { "s" }
            ),
        ));
        let Some(k) = pane.merged.get(r.top).map(|t| &t.key) else {
            return out;
        };
        if r.keys > 1 || pane.pivot != Pivot::Pair {
            out.push(field(
                "top pair",
                format!(
                    "{} → {}:{}",
                    k.src,
                    k.dst,
                    k.dst_port.map(|p| p.to_string()).unwrap_or("*".into())
                ),
            ));
        }
        out.push(field(
            "source",
            place_words(&k.src, pane.places.get(&k.src), &zones),
        ));
        out.push(field(
            "destination",
            place_words(&k.dst, pane.places.get(&k.dst), &zones),
        ));
        if let Some(i) = &k.interface {
            out.push(field(
                "logged on",
                format!("{i} (the interface that rejected it, often the destination's)"),
            ));
        }
        let sick = shared.blamed_zone.clone();
        out.push(field(
            "sick zone",
            match (&sick, &pane.sick_zone_id, r.from_sick) {
                (Some(n), Some(id), true) => format!(
                    "every source of this row is in {id} ({n}), the zone the AZ pane blames"
                ),
                (Some(n), Some(id), false) => {
                    format!("not (all) from {id} ({n}), the zone the AZ pane blames")
                }
                _ => "the AZ pane blames no zone".into(),
            },
        ));
        if let Some(s) = &shared.reach_subject {
            out.push(field(
                "Reachability subject",
                format!(
                    "{} → {}{}",
                    s.src_interface.clone().unwrap_or(s.src.clone()),
                    s.dst_interface.clone().unwrap_or(s.dst.clone()),
                    s.dst_port.map(|p| format!(":{p}")).unwrap_or_default()
                ),
            ));
        }
    } else if let Some(run) = &pane.run
        && run.status == QueryStatus::Complete
    {
        out.push(Line::from("No REJECT rows in this window."));
    }
    out.extend(query_lines(pane, shared));
    out
}
