//! Bad input, fuzzed: the four parsers that read text grayscope does not control.
//!
//! - the flow-log record parser (`LogFormat::parse` + `parse_record`): formats and
//!   records come from AWS (DescribeFlowLogs, Logs Insights `@message`);
//! - the keymap parser (`Keymap::merge_text`, `Key::parse`): a user's file;
//! - the query builder (`tally_query`, `records_query`): it puts values from query
//!   results (addresses, interface IDs) back into a Logs Insights query;
//! - the `:` command parser (`command::parse`) and the window and `/` filter parsers.
//!
//! Properties: no input panics; built queries keep their shape (the same stages, every
//! value inside its quotes) whatever the values.
//!
//! Cases per parser: `GRAYSCOPE_FUZZ_CASES` (default 2,000, what `scripts/test` runs);
//! `scripts/fuzz` runs 1,000,000 per parser. The regression corpus under
//! `tests/fuzz_corpus/<parser>/` is replayed first, every run: put any input that ever
//! broke a parser there.

use grayscope::keymap::{Key, Keymap};
use grayscope::model::command;
use grayscope::model::filter::Filter;
use grayscope::model::flowlogs::{
    DEFAULT_FIELDS, KNOWN_FIELDS, LogFormat, Pivot, TallyKey, parse_record, records_query,
    tally_query,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::path::PathBuf;
use std::time::Instant;

fn cases() -> u32 {
    std::env::var("GRAYSCOPE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(2_000)
}

/// Runs `test` on `cases()` inputs from `strategy`, and says how many ran and how long.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let n = cases();
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 4096,
        ..Config::default()
    });
    let start = Instant::now();
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    eprintln!(
        "fuzz {name}: {n} cases in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

/// Every file of `tests/fuzz_corpus/<parser>/`, as text (lossy), sorted.
fn corpus(parser: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(parser);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("corpus file");
            (
                e.file_name().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "{parser}: corpus too small");
    out
}

// ------------------------------------------------------------------- flow-log records

/// Tokens a record is made of, plus anything.
fn record_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,20}",
        Just("-".to_string()),
        Just("ACCEPT".to_string()),
        Just("REJECT".to_string()),
        Just("OK".to_string()),
        Just("NODATA".to_string()),
        Just("SKIPDATA".to_string()),
        "eni-[0-9a-f]{1,17}",
        "vpc-[0-9a-f]{1,17}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "[0-9a-f:]{2,39}",
        "-?[0-9]{1,25}",
        "\\PC{0,12}",
        any::<String>(),
    ]
}

fn record_line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(record_token(), 0..32).prop_map(|t| t.join(" ")),
        prop::collection::vec(record_token(), 0..32).prop_map(|t| t.join("\t")),
        any::<String>(),
    ]
}

fn log_format() -> impl Strategy<Value = LogFormat> {
    let known: Vec<String> = KNOWN_FIELDS.iter().map(|(f, _)| f.to_string()).collect();
    prop_oneof![
        Just(LogFormat::default()),
        prop::sample::subsequence(known.clone(), 0..known.len())
            .prop_map(|fields| LogFormat { fields }),
        prop::collection::vec(prop::sample::select(known), 0..40)
            .prop_map(|fields| LogFormat { fields }),
        prop::collection::vec("[a-z0-9_-]{1,12}", 0..20).prop_map(|fields| LogFormat { fields }),
    ]
}

fn format_spec() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                "\\$\\{[a-z-]{0,16}\\}",
                "\\$\\{\\PC{0,8}\\}",
                "\\PC{0,6}",
                Just("${".to_string()),
                Just("}".to_string()),
            ],
            0..20
        )
        .prop_map(|t| t.join(" ")),
    ]
}

fn check_record(format: &LogFormat, line: &str) {
    let _ = parse_record(format, line);
}

#[test]
fn fuzz_flowlog_records() {
    for (name, text) in corpus("flowlog") {
        // First line: the format (`${...}` spec, empty: default); the rest: records.
        let mut lines = text.lines();
        let spec = lines.next().unwrap_or_default();
        let format = LogFormat::parse(spec).unwrap_or_default();
        for line in lines {
            check_record(&format, line);
        }
        let _ = (name, LogFormat::parse(&text));
    }
    fuzz(
        "flow-log record parser",
        (log_format(), record_line(), format_spec()),
        |(format, line, spec)| {
            check_record(&format, &line);
            if let Ok(parsed) = LogFormat::parse(&spec) {
                // What parses goes back to the same spec (and so into a query safely).
                prop_assert_eq!(LogFormat::parse(&parsed.spec()).ok(), Some(parsed.clone()));
                check_record(&parsed, &line);
                check_query_shape(&tally_query(&parsed), parsed.parse_stage().is_some(), 4)?;
            }
            Ok(())
        },
    );
}

// ------------------------------------------------------------------- keymap

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "(ctrl-|alt-|shift-|CTRL-|Alt-){0,3}[ -~]",
        "(ctrl-|alt-|shift-){0,2}(enter|esc|tab|backtab|space|up|down|left|right|home|end|pageup|pagedown|f[0-9]{1,3})",
        "(ctrl-|alt-|shift-){0,4}\\PC{0,4}",
        any::<String>(),
    ]
}

fn toml_string(s: &str) -> String {
    format!("{s:?}")
}

fn keymap_text() -> impl Strategy<Value = String> {
    let names: Vec<String> = grayscope::action::Action::ALL
        .iter()
        .map(|a| a.name().to_string())
        .chain(["nope", "", "keys", "on"].map(String::from))
        .collect();
    let entry = (
        prop::sample::select(names),
        prop::collection::vec(key_text(), 0..4),
        prop::option::of("\\PC{0,20}"),
        0..4u8,
    )
        .prop_map(|(name, keys, desc, shape)| {
            let on = keys
                .iter()
                .map(|k| toml_string(k))
                .collect::<Vec<_>>()
                .join(", ");
            match shape {
                0 => format!("{name} = {{ on = [{on}] }}"),
                1 => format!(
                    "{name} = {{ on = [{on}], desc = {} }}",
                    toml_string(&desc.unwrap_or_default())
                ),
                2 => format!("{name} = [{on}]"),
                _ => format!("{name} = {on}"),
            }
        });
    prop_oneof![
        prop::collection::vec(entry, 0..12).prop_map(|e| format!("[keys]\n{}\n", e.join("\n"))),
        "[\\[\\]{}=\",a-z_ \n#-]{0,200}",
        any::<String>(),
    ]
}

#[test]
fn fuzz_keymap() {
    for (name, text) in corpus("keymap") {
        let _ = Keymap::defaults().merge_text(&text, &name);
        for line in text.lines() {
            let _ = Key::parse(line.trim());
        }
    }
    let defaults = Keymap::defaults();
    fuzz(
        "keymap parser",
        (keymap_text(), key_text()),
        |(text, key)| {
            if let Err(e) = defaults.merge_text(&text, "fuzz.toml") {
                // An error is one readable message: shown to the user at start.
                prop_assert!(!e.to_string().is_empty());
            }
            if let Ok(parsed) = Key::parse(&key) {
                // A parsed key prints (in help and hints) as visible text only.
                let shown = parsed.to_string();
                prop_assert!(!shown.is_empty(), "{:?}", parsed);
                prop_assert!(
                    !shown.chars().any(char::is_control),
                    "{:?} shows as {:?}",
                    parsed,
                    shown
                );
            }
            Ok(())
        },
    );
}

// ------------------------------------------------------------------- query builder

/// Checks a built query: `stages` stages joined by `\n| ` (plus the parse stage when
/// the format needs one), no other pipe or newline, and every double-quoted literal
/// holding only address/ID characters (the parse stage's glob pattern aside).
fn check_query_shape(query: &str, has_parse: bool, stages: usize) -> Result<(), TestCaseError> {
    let parts: Vec<&str> = query.split("\n| ").collect();
    prop_assert_eq!(parts.len(), stages + usize::from(has_parse), "{}", query);
    for (i, part) in parts.iter().enumerate() {
        prop_assert!(
            !part.contains('\n') && !part.contains('|'),
            "stage {}: {:?}",
            i,
            part
        );
        prop_assert!(
            part.matches('"').count() % 2 == 0,
            "unbalanced quotes: {:?}",
            part
        );
        if has_parse && i == 0 {
            prop_assert!(part.starts_with("parse @message \""), "{:?}", part);
            continue;
        }
        for (j, lit) in part.split('"').enumerate() {
            if j % 2 == 1 {
                prop_assert!(
                    lit.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '_')),
                    "literal {:?} in {:?}",
                    lit,
                    part
                );
            }
        }
    }
    Ok(())
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "eni-[0-9a-f]{8,17}",
        "[0-9a-f:]{2,39}",
        Just("\" or action = \"ACCEPT".to_string()),
        Just("x\"\n| stats count(*)".to_string()),
        any::<String>(),
    ]
}

fn pivot() -> impl Strategy<Value = Pivot> {
    prop::sample::select(vec![
        Pivot::Pair,
        Pivot::Source,
        Pivot::Destination,
        Pivot::Port,
        Pivot::Interface,
        Pivot::Subnet,
        Pivot::Zone,
    ])
}

fn tally_key() -> impl Strategy<Value = TallyKey> {
    (
        value(),
        value(),
        prop::option::of(any::<u16>()),
        prop::option::of(any::<u8>()),
        prop::option::of(value()),
    )
        .prop_map(|(src, dst, dst_port, protocol, interface)| TallyKey {
            src,
            dst,
            dst_port,
            protocol,
            interface,
        })
}

fn check_records_query(
    format: &LogFormat,
    key: &TallyKey,
    pivot: Pivot,
    limit: usize,
) -> Result<(), TestCaseError> {
    let q = records_query(format, key, pivot, limit);
    check_query_shape(&q, format.parse_stage().is_some(), 4)?;
    let filter = q
        .split("\n| ")
        .find(|s| s.starts_with("filter "))
        .unwrap_or_default();
    prop_assert!(
        filter.starts_with("filter action = \"REJECT\""),
        "{}",
        filter
    );
    Ok(())
}

#[test]
fn fuzz_query_builder() {
    for (_, text) in corpus("query") {
        // One key per line: src, dst, port, protocol, interface (tab-separated).
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let key = TallyKey {
                src: f.first().unwrap_or(&"").to_string(),
                dst: f.get(1).unwrap_or(&"").to_string(),
                dst_port: f.get(2).and_then(|p| p.parse().ok()),
                protocol: f.get(3).and_then(|p| p.parse().ok()),
                interface: f.get(4).map(|s| s.to_string()),
            };
            for p in [
                Pivot::Pair,
                Pivot::Source,
                Pivot::Destination,
                Pivot::Port,
                Pivot::Interface,
            ] {
                check_records_query(&LogFormat::default(), &key, p, 100).expect("corpus query");
            }
        }
    }
    fuzz(
        "query builder",
        (log_format(), tally_key(), pivot(), 0..100_000usize),
        |(format, key, pivot, limit)| {
            let fields_ok = format.fields.iter().all(|f| {
                f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
            prop_assume!(fields_ok);
            check_records_query(&format, &key, pivot, limit)?;
            check_query_shape(&tally_query(&format), format.parse_stage().is_some(), 4)?;
            Ok(())
        },
    );
    // The default format needs no parse stage.
    assert!(LogFormat::default().parse_stage().is_none());
    assert_eq!(LogFormat::default().fields.len(), DEFAULT_FIELDS.len());
}

// ------------------------------------------------------------------- `:` commands

const VERBS: &[&str] = &["metric", "query", "analyse"];

fn command_line() -> impl Strategy<Value = String> {
    let verb = prop::sample::select(vec![
        "q", "quit", "q!", "region", "profile", "lb", "window", "refresh", "freeze", "help",
        "metric", "query", "analyse", "", ":", "::",
    ]);
    prop_oneof![
        (
            verb,
            prop::collection::vec(
                prop_oneof![
                    "[a-z]{1,3}-[a-z]{1,9}-[0-9]{1,2}",
                    "[0-9]{0,25}[smhdw]?",
                    "-?[0-9]{1,30}",
                    "\\PC{0,16}",
                    any::<String>(),
                ],
                0..5
            )
        )
            .prop_map(|(v, args)| format!("{v} {}", args.join(" "))),
        any::<String>(),
    ]
}

#[test]
fn fuzz_command_line() {
    for (_, text) in corpus("command") {
        for line in text.lines() {
            let _ = command::parse(line, VERBS);
            let _ = command::parse_window(line);
            let _ = Filter::parse(line);
        }
    }
    fuzz("command parser", command_line(), |line| {
        let _ = command::parse(&line, VERBS);
        let _ = command::parse_window(&line);
        if let Ok(Some(f)) = Filter::parse(&line) {
            let _ = f;
        }
        Ok(())
    });
}
