//! The layers src/lib.rs promises: its `pub mod` lines go from the bottom layer up,
//! and no module's code names a module listed after it (`crate::later`), so there
//! is no import cycle between top-level modules. Doc comments and test code may
//! look up; the code that ships may not.

use std::path::{Path, PathBuf};

/// The top-level modules in the order src/lib.rs declares them.
fn declared_layers() -> Vec<String> {
    let lib = std::fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    lib.lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';').to_owned())
        .collect()
}

/// Every Rust file under `dir`, recursively.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The code of a source file that ships: comment lines dropped, and nothing from
/// its `#[cfg(test)] mod tests` on. Files that are whole test modules give nothing.
fn shipped_code(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    if name.ends_with("tests.rs") || name == "testing.rs" {
        return String::new();
    }
    let text = std::fs::read_to_string(path).expect("readable source");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `code` names through `crate::`: `crate::a::b` and each
/// first name in `crate::{a::x, b}` (groups may span lines).
fn named_modules(code: &str) -> Vec<String> {
    let identifier = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start_of_item = true;
            for (index, character) in group.char_indices() {
                match character {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start_of_item = true,
                    c if c.is_whitespace() => {}
                    _ if start_of_item => {
                        names.push(identifier(&group[index..]));
                        start_of_item = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(identifier(rest));
        }
    }
    names
}

#[test]
fn no_module_uses_one_declared_after_it() {
    let layers = declared_layers();
    assert!(layers.len() > 10, "src/lib.rs lists {layers:?}");
    let rank = |name: &str| layers.iter().position(|layer| layer == name);
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut upward = Vec::new();
    for path in files {
        let relative = path.strip_prefix("src").expect("under src");
        let Some(first) = relative.components().next() else {
            continue;
        };
        let first = first.as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs");
        let Some(own_rank) = rank(module) else {
            continue; // lib.rs and main.rs
        };
        for named in named_modules(&shipped_code(&path)) {
            if rank(&named).is_some_and(|named_rank| named_rank > own_rank) {
                upward.push(format!("{} uses crate::{named}", path.display()));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "modules that reach up a layer (src/lib.rs lists the order):\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_scan_sees_grouped_and_nested_imports() {
    let code = "use crate::{\n    app::App,\n    state::{log::LogStore, app::AppState},\n};\nlet x = crate::ui::draw();";
    assert_eq!(named_modules(code), ["app", "state", "ui"]);
}
