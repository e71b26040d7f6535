//! docs/iam.md against the code: every AWS operation `crates/grayscope-aws/src/` calls (found as
//! `.<client>.<operation>()`, the house rule for SDK calls, as scripts/coverage.py does)
//! needs its IAM action in one of the page's policies, and `backend::iam` must know the
//! action (it is what an AccessDenied error names). An action the page lists that no
//! called operation and no implied side effect needs fails: the policies stay minimal.

use grayscope::backend::iam::{ACTIONS, CLIENTS, IMPLIED, action_in};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir)
        .expect("crates/grayscope-aws/src")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `(IAM prefix, Operation)` -> first `file:line` calling it.
fn called() -> BTreeMap<(String, String), String> {
    let call = regex_lite::Regex::new(r"\.([a-z][a-z0-9_]*)\s*\.\s*([a-z][a-z0-9_]*)\s*\(\s*\)")
        .expect("regex");
    let mut files = Vec::new();
    rust_files(&root().join("crates/grayscope-aws/src"), &mut files);
    files.sort();
    let mut out = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("source");
        for c in call.captures_iter(&text) {
            let (client, op) = (&c[1], &c[2]);
            let Some((_, prefix)) = CLIENTS.iter().find(|(name, _)| *name == client) else {
                continue;
            };
            let line = text[..c.get(0).expect("match").start()]
                .matches('\n')
                .count()
                + 1;
            let rel = f.strip_prefix(root()).unwrap_or(&f).display().to_string();
            out.entry((prefix.to_string(), pascal(op)))
                .or_insert(format!("{rel}:{line}"));
        }
    }
    out
}

/// Every `"prefix:Action"` inside the page's ```json blocks.
fn documented() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("docs/iam.md")).expect("docs/iam.md");
    let action = regex_lite::Regex::new(r#""([a-z0-9-]+:[A-Za-z0-9*]+)""#).expect("regex");
    let mut out = BTreeSet::new();
    let mut in_json = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_json = line.trim() == "```json";
            continue;
        }
        if in_json {
            for c in action.captures_iter(line) {
                if !c[1].starts_with("arn:") {
                    out.insert(c[1].to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_called_operation_has_its_action_documented() {
    let called = called();
    assert!(
        called.len() >= 30,
        "the scan found too few calls: {called:?}"
    );
    let documented = documented();
    let mut missing = Vec::new();
    let mut called_actions = BTreeSet::new();
    for ((prefix, op), at) in &called {
        match action_in(prefix, op) {
            Some(a) => {
                if !documented.contains(&a) {
                    missing.push(format!("{a} ({op} at {at}) is not in docs/iam.md"));
                }
                called_actions.insert(a);
            }
            None => missing.push(format!(
                "{prefix} {op} at {at}: backend::iam::ACTIONS does not know it"
            )),
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    // Everything else the page lists must be an implied action (tags on create, what
    // Athena does with the caller's permissions); nothing is listed "just in case".
    let mut unneeded = Vec::new();
    for a in &documented {
        if !called_actions.contains(a) && !IMPLIED.iter().any(|(i, _)| i == a) {
            unneeded.push(a.as_str());
        }
    }
    eprintln!(
        "iam.md: {} actions for {} called operations ({} implied)",
        documented.len(),
        called.len(),
        IMPLIED.len()
    );
    assert!(
        unneeded.is_empty(),
        "docs/iam.md lists actions no operation needs: {unneeded:?}"
    );
    // And every implied action is on the page.
    for (a, why) in IMPLIED {
        assert!(documented.contains(*a), "{a} ({why}) is not in docs/iam.md");
    }
}

#[test]
fn the_read_only_policy_has_no_write() {
    use grayscope::backend::iam::Use;
    let text = std::fs::read_to_string(root().join("docs/iam.md")).expect("docs/iam.md");
    let read_only = text
        .split("## Read-only use")
        .nth(1)
        .and_then(|s| s.split("```json").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("the read-only policy block");
    for (op, a, u) in ACTIONS {
        if *u == Use::Write {
            assert!(
                !read_only.contains(&format!("\"{a}\"")),
                "{a} ({op}) writes: not in the read-only policy"
            );
        }
    }
}
