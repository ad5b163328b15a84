//! The docs name real tests: every test named in docs/RELIABILITY.md's table of
//! faults exists in the suite, so the table cannot promise what nothing checks.

use std::path::Path;

/// Every `fn NAME` in the Rust files under `dir`, recursively.
fn function_names(dir: &Path, names: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            if !path.ends_with("node_modules") {
                function_names(&path, names);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable source");
            for line in text.lines() {
                let line = line.trim_start();
                let rest = line
                    .strip_prefix("async fn ")
                    .or_else(|| line.strip_prefix("fn "));
                if let Some(rest) = rest {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                }
            }
        }
    }
}

#[test]
fn every_test_the_reliability_table_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/RELIABILITY.md")).expect("the doc");
    let table = doc
        .split("## Faults and hostile input tried")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the table section");
    let mut names = Vec::new();
    function_names(&root.join("tests"), &mut names);
    function_names(&root.join("src"), &mut names);
    let mut named = 0;
    for row in table.lines().filter(|line| line.starts_with("| ")) {
        let Some(last) = row.trim_end_matches('|').rsplit('|').next() else {
            continue;
        };
        for test in last.split('`').skip(1).step_by(2) {
            named += 1;
            assert!(
                names.iter().any(|name| name == test),
                "docs/RELIABILITY.md names test `{test}`, which does not exist"
            );
        }
    }
    assert!(named >= 20, "only {named} tests named");
}

/// The README's block between `<!-- NAME:begin…-->` and `<!-- NAME:end -->`, and
/// the README with the block replaced by `generated`.
fn readme_block(readme: &str, name: &str, generated: &str) -> (String, String) {
    let begin = format!("<!-- {name}:begin");
    let end = format!("<!-- {name}:end -->");
    let start = readme.find(&begin).expect("the begin marker");
    let body_start = start + readme[start..].find("-->\n").expect("the marker's end") + 4;
    let body_end = readme.find(&end).expect("the end marker");
    let current = readme[body_start..body_end].to_string();
    let replaced = format!(
        "{}{generated}{}",
        &readme[..body_start],
        &readme[body_end..]
    );
    (current, replaced)
}

#[test]
fn the_readme_key_table_is_the_keymap() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path).expect("the README");
    let generated = wsdeck::keymap::reference::markdown(wsdeck::keymap::Keymap::defaults());
    let (current, updated) = readme_block(&readme, "keys", &generated);
    if current != generated {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, updated).expect("README written");
            return;
        }
        panic!(
            "README.md's key table differs from the keymap; refresh it with \
             UPDATE_README=1 cargo test --test it docs::\n--- README\n{current}\n--- keymap\n{generated}"
        );
    }
}

#[test]
fn the_theme_docs_list_every_role() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("docs/THEMES.md");
    let doc = std::fs::read_to_string(&path).expect("docs/THEMES.md");
    let generated = wsdeck::theme::role::markdown_table();
    let (current, updated) = readme_block(&doc, "roles", &generated);
    if current != generated {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, updated).expect("docs/THEMES.md written");
            return;
        }
        panic!(
            "docs/THEMES.md's role list differs from the roles; refresh it with \
             UPDATE_README=1 cargo test --test it docs::\n--- docs\n{current}\n--- roles\n{generated}"
        );
    }
}
