//! Shell completions and the man page through the real binary: bash sources the
//! script and registers wsdeck, and its completion function, run as bash runs it
//! on <TAB>, offers a profile saved after the script was written and the built-in
//! provider and preset names; the other shells get a script; `wsdeck man` prints
//! roff naming the subcommands and `--dir` writes a page per command.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common;

use common::binary::{Run, clean_command, finish_blocking, wsdeck};

/// `wsdeck ARGS…` run to its end with `env` set.
fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = wsdeck(args);
    command.env_remove("COMPLETE").envs(env.iter().copied());
    finish_blocking(command)
}

/// The script `wsdeck completions SHELL` prints, checked to be a success.
fn script_for(shell: &str) -> String {
    let output = run(&["completions", shell], &[]);
    output.assert_success();
    output.stdout
}

/// Whether `program` is on PATH.
fn installed(program: &str) -> bool {
    Command::new("which")
        .arg(program)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// `bash -c CODE` with ARGS as `$1…`, the same clean environment wsdeck gets, and
/// `env` set; run to its end.
fn bash(code: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = clean_command("bash", &["--norc", "--noprofile", "-c", code, "bash"]);
    command
        .args(args)
        .env_remove("COMPLETE")
        .envs(env.iter().copied());
    finish_blocking(command)
}

/// Sources `script`, then does what bash does on <TAB> after `words` (the last one
/// being the word under the cursor): sets COMP_WORDS and COMP_CWORD and calls the
/// function `complete -p wsdeck` names. Prints one candidate a line.
const PRESS_TAB: &str = r#"
source "$1" || exit 10
shift
registered=$(complete -p wsdeck) || exit 11
function=$(printf '%s' "$registered" | sed -E 's/.* -F ([^ ]+) .*/\1/')
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
"$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

/// What bash offers on <TAB> after `words`, with profiles read from `config_dir`.
fn bash_candidates(script: &Path, config_dir: &Path, words: &[&str]) -> Vec<String> {
    let mut args = vec![script.to_str().expect("UTF-8 path")];
    args.extend_from_slice(words);
    let dir = config_dir.to_str().expect("UTF-8 path");
    let output = bash(PRESS_TAB, &args, &[("WSDECK_CONFIG_DIR", dir)]);
    output.assert_success();
    output
        .stdout
        .lines()
        .map(|line| line.trim_end().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn bash_sources_the_script_and_registers_wsdeck() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("wsdeck.bash");
    std::fs::write(&script, script_for("bash")).expect("script written");
    let output = bash(
        r#"source "$1" && complete -p wsdeck"#,
        &[script.to_str().expect("UTF-8 path")],
        &[],
    );
    output.assert_success();
    assert!(
        output.stdout.trim_end().ends_with(" wsdeck") && output.stdout.contains(" -F "),
        "a completion function is registered for wsdeck: {output:#?}"
    );
}

#[test]
fn the_script_is_the_one_complete_env_prints() {
    let from_variable = run(&[], &[("COMPLETE", "bash")]);
    from_variable.assert_success();
    assert_eq!(from_variable.stdout, script_for("bash"));
}

#[test]
fn bash_offers_a_profile_saved_after_the_script_was_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config_dir = dir.path().join("config");
    let script = dir.path().join("wsdeck.bash");
    std::fs::write(&script, script_for("bash")).expect("script written");
    assert!(
        bash_candidates(&script, &config_dir, &["wsdeck", "-p", ""]).is_empty(),
        "no profiles yet"
    );

    let config = config_dir.to_str().expect("UTF-8 path");
    run(
        &[
            "profiles",
            "new",
            "staging-feed",
            "--url",
            "wss://staging.example/ws",
        ],
        &[("WSDECK_CONFIG_DIR", config)],
    )
    .assert_success();
    run(
        &["profiles", "new", "prod", "--url", "wss://prod.example/ws"],
        &[("WSDECK_CONFIG_DIR", config)],
    )
    .assert_success();

    assert_eq!(
        bash_candidates(&script, &config_dir, &["wsdeck", "-p", ""]),
        ["prod", "staging-feed"]
    );
    assert_eq!(
        bash_candidates(
            &script,
            &config_dir,
            &["wsdeck", "listen", "--profile", "st"]
        ),
        ["staging-feed"]
    );
    assert_eq!(
        bash_candidates(&script, &config_dir, &["wsdeck", "profiles", "rm", "p"]),
        ["prod"]
    );
}

#[test]
fn bash_offers_provider_and_preset_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("wsdeck.bash");
    std::fs::write(&script, script_for("bash")).expect("script written");

    let providers = bash_candidates(&script, dir.path(), &["wsdeck", "--provider", ""]);
    assert_eq!(providers, wsdeck::protocol::registry::names());
    let graphql = bash_candidates(&script, dir.path(), &["wsdeck", "send", "--provider", "gr"]);
    assert_eq!(graphql, ["graphql-ws"]);

    let presets = bash_candidates(
        &script,
        dir.path(),
        &["wsdeck", "profiles", "new", "mine", "--preset", ""],
    );
    assert_eq!(presets, wsdeck::config::presets::names());
}

#[test]
fn every_shell_gets_a_script_and_the_installed_ones_load_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, load) in [
        (
            "zsh",
            "autoload -U compinit && compinit -u && source \"$1\"",
        ),
        ("fish", "source $argv[1]; and complete -c wsdeck"),
        ("powershell", ""),
    ] {
        let script = script_for(shell);
        assert!(script.contains("wsdeck"), "{shell}: {script}");
        let file = dir.path().join(format!("wsdeck.{shell}"));
        std::fs::write(&file, &script).expect("script written");
        if load.is_empty() || !installed(shell) {
            continue;
        }
        let path = file.to_str().expect("UTF-8 path");
        let command = match shell {
            "zsh" => clean_command(shell, &["-f", "-c", load, "zsh", path]),
            _ => clean_command(shell, &["--no-config", "-c", load, path]),
        };
        let output = finish_blocking(command);
        output.assert_success();
        assert_eq!(output.stderr, "", "{shell} loads it quietly: {output:#?}");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_listing_the_shells() {
    let output = run(&["completions", "tcsh"], &[]);
    output.assert_code(2);
    assert_eq!(output.stdout, "", "{output:#?}");
    for shell in ["tcsh", "bash", "zsh", "fish", "powershell"] {
        assert!(output.stderr.contains(shell), "names {shell}: {output:#?}");
    }
}

/// Whether `page` opens with its `.TH NAME 1` title line: only the two lines the
/// roff crate puts first (defining the apostrophe for groff and others) may come
/// before it.
fn starts_with_title(page: &str, name: &str) -> bool {
    let mut lines = page
        .lines()
        .skip_while(|line| line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq"));
    lines
        .next()
        .is_some_and(|title| title.starts_with(&format!(".TH {name} 1 ")))
}

#[test]
fn man_prints_roff_naming_the_subcommands() {
    let output = run(&["man"], &[]);
    output.assert_success();
    assert!(starts_with_title(&output.stdout, "wsdeck"), "{output:#?}");
    for subcommand in [
        "demo",
        "serve",
        "request",
        "listen",
        "send",
        "close\\-codes",
        "keys",
        "profiles",
        "completions",
        "man",
    ] {
        assert!(
            output.stdout.contains(&format!("wsdeck\\-{subcommand}(1)")),
            "names {subcommand}: {}",
            output.stdout
        );
    }
    assert!(
        output.stdout.contains("INVALID_INPUT"),
        "the exit codes too"
    );
}

#[test]
fn man_dir_writes_a_page_per_command_and_lists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pages = dir.path().join("share/man/man1");
    let output = run(&["man", "--dir", pages.to_str().expect("UTF-8 path")], &[]);
    output.assert_success();

    let mut written: Vec<String> = std::fs::read_dir(&pages)
        .expect("the folder was created")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.sort();
    for page in [
        "wsdeck.1",
        "wsdeck-listen.1",
        "wsdeck-completions.1",
        "wsdeck-man.1",
        "wsdeck-profiles.1",
        "wsdeck-profiles-list.1",
    ] {
        assert!(
            written.iter().any(|file| file == page),
            "{page} in {written:?}"
        );
    }
    assert!(
        !written.iter().any(|file| file.contains("help")),
        "{written:?}"
    );
    for file in &written {
        let text = std::fs::read_to_string(pages.join(file)).expect("page");
        let name = file.trim_end_matches(".1");
        assert!(starts_with_title(&text, name), "{file}: {text}");
    }

    let listed = output.stdout_lines();
    assert_eq!(listed.len(), written.len(), "{output:#?}");
    assert_eq!(
        listed[0],
        format!("wrote {}", pages.join("wsdeck.1").display())
    );
    assert!(
        listed.iter().all(|line| line.starts_with("wrote ")),
        "{output:#?}"
    );
}

#[test]
fn man_dir_that_cannot_be_created_is_invalid_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").expect("file written");
    let inside_a_file = file.join("man1");
    let output = run(
        &["man", "--dir", inside_a_file.to_str().expect("UTF-8 path")],
        &[],
    );
    output.assert_code(2);
    output.assert_one_line_error();
    assert!(output.stderr.contains("--dir"), "{output:#?}");
}
