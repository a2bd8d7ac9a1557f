//! The tutorial (README.md) quotes the shop's source; this keeps each quote
//! true. Every line of its Rust excerpts must appear, trimmed, in a file
//! under `src/` (the source compiles, so the quotes are code that does).
//! Lines that elide (`/* … */`) are left out of the check, and a comment
//! the tutorial adds after a line's code is not part of the quote.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

fn source() -> String {
    let mut all = String::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                all.push_str(&std::fs::read_to_string(&path).expect("read a source file"));
            }
        }
    }
    all
}

/// The lines of the README's Rust code blocks, trimmed.
fn quoted() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut lines = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            inside = !inside && line.starts_with("```rust");
            continue;
        }
        if inside {
            lines.push(line.trim().to_string());
        }
    }
    lines
}

/// A quoted line without the comment the tutorial may add after the code.
fn code_of(line: &str) -> &str {
    match line.find("  //") {
        Some(at) if at > 0 => line[..at].trim_end(),
        _ => line,
    }
}

#[test]
fn every_line_the_tutorial_quotes_is_in_the_source() {
    let source: Vec<String> = source().lines().map(|l| l.trim().to_string()).collect();
    let quoted = quoted();
    assert!(quoted.len() > 20, "the tutorial quotes code");
    let missing: Vec<&String> = quoted
        .iter()
        .filter(|q| !q.is_empty() && !q.contains("/*"))
        .filter(|q| !source.iter().any(|s| s == code_of(q)))
        .collect();
    assert!(
        missing.is_empty(),
        "quoted in README.md but not in src/: {missing:#?}"
    );
}
