//! The tutorial (README.md) quotes the shop's source; this keeps each quote
//! true. Each Rust excerpt, cut at its elisions (a line holding `/*` or
//! `…`), must appear as a run of consecutive lines in one file under
//! `src/`: the source compiles, so the quotes are code that does.
//! Comment-only lines and blank lines are skipped on both sides, and a
//! comment the tutorial adds after a line's code is not part of the quote.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

/// A line as compared: trimmed, without a trailing `  // comment`; `None`
/// for a blank or comment-only line.
fn code_of(line: &str) -> Option<String> {
    let line = line.trim();
    let code = match line.find("  //") {
        Some(at) => line[..at].trim_end(),
        None => line,
    };
    (!code.is_empty() && !code.starts_with("//")).then(|| code.to_string())
}

/// Each source file's code lines.
fn sources() -> Vec<Vec<String>> {
    let mut files = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                files.push(text.lines().filter_map(code_of).collect());
            }
        }
    }
    files
}

/// The README's Rust excerpts, each cut at its elisions into runs of code
/// lines.
fn quoted_runs() -> Vec<Vec<String>> {
    let readme = include_str!("../README.md");
    let mut runs = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            inside = !inside && line.starts_with("```rust");
            runs.push(std::mem::take(&mut run));
            continue;
        }
        if !inside {
            continue;
        }
        if line.contains("/*") || line.contains('…') {
            runs.push(std::mem::take(&mut run));
        } else if let Some(code) = code_of(line) {
            run.push(code);
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

#[test]
fn every_excerpt_the_tutorial_quotes_is_in_the_source_as_it_stands() {
    let files = sources();
    let runs = quoted_runs();
    assert!(runs.len() >= 5, "the tutorial quotes code: {runs:#?}");
    let missing: Vec<&Vec<String>> = runs
        .iter()
        .filter(|run| {
            !files
                .iter()
                .any(|f| f.windows(run.len()).any(|w| w == run.as_slice()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "quoted in README.md, not in src/ as one run: {missing:#?}"
    );
}
