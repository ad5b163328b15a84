//! The profile store on a real file system: atomic 0600 saves that leave
//! the old file intact on failure, broken files listed and never overwritten, literal
//! secrets refused, recent use, `WSDECK_CONFIG_DIR`, secret references and presets.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Mutex;

use wsdeck::config::ProfileError;
use wsdeck::config::apply::session_from_profile;
use wsdeck::config::presets;
use wsdeck::config::profile::{AuthSettings, Profile};
use wsdeck::config::store::{ProfileStore, SaveMode, SaveOptions, temp_path_for, validate_name};
use wsdeck::config::template::Context;

/// Serializes the tests that read or change the process environment.
static ENV_LOCK: Mutex<()> = Mutex::new(());

fn store() -> (tempfile::TempDir, ProfileStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ProfileStore::at(dir.path().join("config"));
    (dir, store)
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[cfg(unix)]
fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(unix)]
#[test]
fn files_are_0600_and_new_directories_0700() {
    let (_dir, store) = store();
    let path = store
        .save("p", &Profile::default(), SaveMode::CreateNew)
        .unwrap();
    assert_eq!(mode_of(&path), 0o600);
    assert_eq!(mode_of(&store.profiles_dir()), 0o700);
    assert_eq!(mode_of(store.config_dir()), 0o700);
    // Overwriting keeps 0600 even if the file had been opened up.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    store.save("p", &a_profile(), SaveMode::Overwrite).unwrap();
    assert_eq!(mode_of(&path), 0o600);
    store.mark_used("p").unwrap();
    assert_eq!(mode_of(&store.config_dir().join("recent.toml")), 0o600);
}

#[test]
fn failed_write_leaves_the_old_file_intact() {
    let (_dir, store) = store();
    let path = store
        .save("keep", &a_profile(), SaveMode::CreateNew)
        .unwrap();
    let before = fs::read_to_string(&path).unwrap();
    // The temporary file's path is taken by a directory: the write cannot happen,
    // whoever runs the test (root included).
    let temp = temp_path_for(&path);
    fs::create_dir(&temp).unwrap();
    let error = store
        .save("keep", &Profile::default(), SaveMode::Overwrite)
        .unwrap_err();
    assert!(matches!(error, ProfileError::Io { .. }), "{error}");
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    assert!(
        temp.is_dir(),
        "the blocking directory is not ours to remove"
    );
    fs::remove_dir(&temp).unwrap();
    // Nothing else was left behind.
    let names: Vec<String> = fs::read_dir(store.profiles_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["keep.toml"]);
    store
        .save("keep", &Profile::default(), SaveMode::Overwrite)
        .unwrap();
    assert_eq!(store.load("keep").unwrap(), Profile::default());
}

#[cfg(unix)]
#[test]
fn read_only_directory_leaves_the_old_file_intact() {
    use std::os::unix::fs::PermissionsExt;
    if running_as_root() {
        println!(
            "skipping the read-only directory check: running as root, where directory permissions are not enforced (failed_write_leaves_the_old_file_intact covers this case another way)"
        );
        return;
    }
    let (_dir, store) = store();
    let path = store
        .save("keep", &a_profile(), SaveMode::CreateNew)
        .unwrap();
    let before = fs::read_to_string(&path).unwrap();
    let dir = store.profiles_dir();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
    let result = store.save("keep", &Profile::default(), SaveMode::Overwrite);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let error = result.unwrap_err();
    assert!(error.to_string().contains("cannot write"), "{error}");
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn create_new_refuses_an_existing_profile() {
    let (_dir, store) = store();
    store.save("a", &a_profile(), SaveMode::CreateNew).unwrap();
    let error = store
        .save("a", &Profile::default(), SaveMode::CreateNew)
        .unwrap_err();
    assert!(
        matches!(error, ProfileError::AlreadyExists { .. }),
        "{error}"
    );
    assert_eq!(store.load("a").unwrap(), a_profile());
    store
        .save("a", &Profile::default(), SaveMode::Overwrite)
        .unwrap();
    assert_eq!(store.load("a").unwrap(), Profile::default());
}

#[test]
fn broken_profiles_are_listed_and_never_overwritten() {
    let (_dir, store) = store();
    store
        .save("good", &a_profile(), SaveMode::CreateNew)
        .unwrap();
    let broken_path = store.path_of("broken").unwrap();
    let broken_text = "url = \"ws://h\"\n[auth]\ntokn = \"${env:X}\"\n";
    fs::write(&broken_path, broken_text).unwrap();

    let entries = store.list().unwrap();
    let names: Vec<&str> = entries.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, ["broken", "good"]);
    assert!(entries[0].is_broken() && !entries[1].is_broken());
    let error = entries[0].profile.as_ref().unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&broken_path.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("unknown key `tokn` in [auth] at line 3, column 1"),
        "{message}"
    );
    assert_eq!(error.position(), Some((3, 1)));
    assert_eq!(store.load("broken").unwrap_err(), *error);

    let refused = store
        .save("broken", &Profile::default(), SaveMode::Overwrite)
        .unwrap_err();
    assert!(matches!(refused, ProfileError::Broken { .. }), "{refused}");
    assert!(refused.to_string().contains("never") || refused.to_string().contains("left as it is"));
    assert_eq!(fs::read_to_string(&broken_path).unwrap(), broken_text);
    let refused = store.save_text(
        "broken",
        "url = \"ws://h\"\n",
        SaveOptions::new(SaveMode::Overwrite),
    );
    assert!(matches!(refused, Err(ProfileError::Broken { .. })));
    assert_eq!(fs::read_to_string(&broken_path).unwrap(), broken_text);
}

#[test]
fn list_skips_what_is_not_a_profile() {
    let (_dir, store) = store();
    store
        .save("b", &Profile::default(), SaveMode::CreateNew)
        .unwrap();
    store
        .save("a.prod", &Profile::default(), SaveMode::CreateNew)
        .unwrap();
    let dir = store.profiles_dir();
    fs::write(dir.join(".b.toml.123.tmp"), "x").unwrap();
    fs::write(dir.join("notes.txt"), "x").unwrap();
    fs::create_dir(dir.join("sub.toml")).unwrap();
    let names: Vec<String> = store
        .list()
        .unwrap()
        .into_iter()
        .map(|entry| entry.name)
        .collect();
    assert_eq!(names, ["a.prod", "b"]);
    let (_empty_dir, empty) = store_pair();
    assert!(empty.list().unwrap().is_empty());
}

/// A profile unlike the default: a URL, a provider and a token reference. (Every
/// field round-tripping through a file is tested beside the store, in
/// src/config/store.rs, with the unit tests' full profile.)
fn a_profile() -> Profile {
    Profile {
        description: Some("not the default".into()),
        url: Some("wss://ha.example.com/api/websocket".into()),
        provider: Some("home-assistant".into()),
        auth: AuthSettings {
            token: Some("${env:HA_TOKEN}".into()),
            ..AuthSettings::default()
        },
        ..Profile::default()
    }
}

fn store_pair() -> (tempfile::TempDir, ProfileStore) {
    store()
}

#[test]
fn literal_tokens_are_refused_unless_allowed() {
    let (_dir, store) = store();
    let mut profile = a_profile();
    profile.auth.token = Some("hunter2".into());
    let error = store
        .save("lit", &profile, SaveMode::CreateNew)
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("auth.token") && message.contains("--store-token-in-plaintext"),
        "{message}"
    );
    assert!(message.contains("${env:NAME}"), "{message}");
    assert!(!store.exists("lit"));
    let options = SaveOptions {
        mode: SaveMode::CreateNew,
        allow_plaintext_token: true,
    };
    let path = store.save_with("lit", &profile, options).unwrap();
    assert!(fs::read_to_string(path).unwrap().contains("hunter2"));
    assert_eq!(store.load("lit").unwrap().literal_secrets(), ["auth.token"]);
}

#[test]
fn save_text_keeps_comments_and_checks_first() {
    let (_dir, store) = store();
    let text = "# my notes\nurl = \"ws://localhost:1\" # local\n";
    let path = store
        .save_text("c", text, SaveOptions::new(SaveMode::CreateNew))
        .unwrap();
    assert_eq!(fs::read_to_string(path).unwrap(), text);
    assert_eq!(store.load_text("c").unwrap(), text);
    let error = store
        .save_text("c", "urll = 1\n", SaveOptions::new(SaveMode::Overwrite))
        .unwrap_err();
    assert!(error.to_string().contains("unknown key `urll`"), "{error}");
    assert_eq!(store.load_text("c").unwrap(), text);
}

#[test]
fn missing_profiles_say_where_and_how_to_create_them() {
    let (_dir, store) = store();
    let error = store.load("nope").unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&store.path_of("nope").unwrap().display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("wsdeck profiles new nope --preset"),
        "{message}"
    );
    assert!(matches!(
        store.remove("nope"),
        Err(ProfileError::NotFound { .. })
    ));
    store
        .save("gone", &Profile::default(), SaveMode::CreateNew)
        .unwrap();
    let removed = store.remove("gone").unwrap();
    assert!(!removed.exists() && !store.exists("gone"));
}

#[test]
fn names_are_checked() {
    for good in ["ha", "prod-eu_1", "a.b", "Zürich"] {
        assert!(validate_name(good).is_ok(), "{good}");
    }
    for bad in [
        "", "../x", "a/b", "a\\b", ".hidden", "sp ace", "x.toml", "a:b",
    ] {
        let error = validate_name(bad).unwrap_err();
        assert!(
            error.to_string().contains("not a valid profile name"),
            "{error}"
        );
    }
    let (_dir, store) = store();
    assert!(
        store
            .save("../escape", &Profile::default(), SaveMode::CreateNew)
            .is_err()
    );
    assert!(!store.config_dir().join("escape.toml").exists());
}

#[test]
fn recent_use_is_kept_apart_most_recent_first() {
    let (_dir, store) = store();
    assert!(store.recent().is_empty());
    let path = store.save("a", &a_profile(), SaveMode::CreateNew).unwrap();
    let before = fs::read_to_string(&path).unwrap();
    for name in ["a", "b", "c", "a"] {
        store.mark_used(name).unwrap();
    }
    assert_eq!(store.recent(), ["a", "c", "b"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    for i in 0..30 {
        store.mark_used(&format!("p{i}")).unwrap();
    }
    let recent = store.recent();
    assert_eq!(recent.len(), 20);
    assert_eq!(recent[0], "p29");
    assert!(store.mark_used("../x").is_err());
    // A damaged record is ignored, and replaced on the next use.
    fs::write(store.config_dir().join("recent.toml"), "not toml [").unwrap();
    assert!(store.recent().is_empty());
    store.mark_used("z").unwrap();
    assert_eq!(store.recent(), ["z"]);
}

#[test]
fn from_env_honours_wsdeck_config_dir() {
    let _guard = ENV_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let previous = std::env::var_os("WSDECK_CONFIG_DIR");
    // SAFETY: every test in this binary that touches the environment holds ENV_LOCK.
    unsafe { std::env::set_var("WSDECK_CONFIG_DIR", dir.path()) };
    let store = ProfileStore::from_env();
    match previous {
        // SAFETY: as above.
        Some(value) => unsafe { std::env::set_var("WSDECK_CONFIG_DIR", value) },
        None => unsafe { std::env::remove_var("WSDECK_CONFIG_DIR") },
    }
    let store = store.unwrap();
    assert_eq!(store.config_dir(), dir.path());
    assert_eq!(store.profiles_dir(), dir.path().join("profiles"));
}

fn context(vars: &[(&str, &str)]) -> Context {
    let env: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Context {
        env: Some(env),
        ..Context::default()
    }
}

#[test]
fn env_and_file_references_resolve_and_missing_ones_error() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("ha-token");
    fs::write(&token_file, "from-file\nignored\n").unwrap();
    let mut profile = presets::find("home-assistant").unwrap().profile().unwrap();

    let (session, _) =
        session_from_profile(&profile, &context(&[("HA_TOKEN", "from-env")])).unwrap();
    assert_eq!(
        session.auth.token.as_ref().map(|t| t.expose()),
        Some("from-env")
    );

    profile.auth.token = Some(format!("${{file:{}}}", token_file.display()));
    let (session, _) = session_from_profile(&profile, &context(&[])).unwrap();
    assert_eq!(
        session.auth.token.as_ref().map(|t| t.expose()),
        Some("from-file")
    );

    let missing_file = dir.path().join("missing");
    profile.auth.token = Some(format!("${{file:{}}}", missing_file.display()));
    let error = session_from_profile(&profile, &context(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&missing_file.display().to_string()) && error.contains("auth.token"),
        "{error}"
    );

    profile.auth.token = Some("${env:HA_TOKEN}".into());
    let error = session_from_profile(&profile, &context(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("environment variable HA_TOKEN is not set"),
        "{error}"
    );
    assert!(error.contains("export it"), "{error}");

    // The process environment is what is used by default.
    let _guard = ENV_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Ok(path) = std::env::var("PATH")
        && !path.is_empty()
    {
        assert_eq!(
            wsdeck::config::secrets::resolve("${env:PATH}").unwrap(),
            path
        );
    }
    let error = wsdeck::config::secrets::resolve("${env:WSDECK_TEST_SURELY_UNSET_42}").unwrap_err();
    assert!(error.to_string().contains("WSDECK_TEST_SURELY_UNSET_42"));
}

#[test]
fn every_preset_loads_and_can_seed_a_profile() {
    let (_dir, store) = store();
    assert!(presets::all().len() >= 12);
    for preset in presets::all() {
        let profile = preset
            .profile()
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        assert_eq!(profile.provider.as_deref(), Some(preset.name));
        let path = store
            .save(preset.name, &profile, SaveMode::CreateNew)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        assert_eq!(store.load(preset.name).unwrap(), profile, "{}", preset.name);
        // A profile on top of its preset keeps the preset's settings.
        let mine = Profile {
            url: Some("ws://localhost:9/".into()),
            ..Profile::default()
        };
        let merged = mine.merged_over(&profile);
        assert_eq!(merged.snippets, profile.snippets);
        assert_eq!(merged.provider, profile.provider);
        assert!(path.exists());
    }
    assert_eq!(store.list().unwrap().len(), presets::all().len());
}
