use super::*;

fn env(name: &str) -> Option<String> {
    match name {
        "KEY" => Some("k3y".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

#[test]
fn resolves_env_inside_text() {
    assert_eq!(
        resolve_with("wss://h/app/${env:KEY}?protocol=7", &env).unwrap(),
        "wss://h/app/k3y?protocol=7"
    );
    assert_eq!(resolve_with("${env:KEY}", &env).unwrap(), "k3y");
    assert_eq!(resolve_with("plain $5 ok", &env).unwrap(), "plain $5 ok");
    assert_eq!(
        resolve_with("lit $${env:KEY}", &env).unwrap(),
        "lit ${env:KEY}"
    );
}

#[test]
fn missing_and_bad_references_are_errors() {
    let error = resolve_with("${env:HA_TOKEN}", &env).unwrap_err();
    assert_eq!(error, SecretError::MissingEnv("HA_TOKEN".into()));
    assert!(error.to_string().contains("HA_TOKEN"));
    assert_eq!(
        resolve_with("${env:EMPTY}", &env),
        Err(SecretError::EmptyEnv("EMPTY".into()))
    );
    assert!(matches!(
        resolve_with("${vault:x}", &env),
        Err(SecretError::UnknownKind { .. })
    ));
    assert!(matches!(
        resolve_with("a ${env:KEY", &env),
        Err(SecretError::Unclosed(_))
    ));
    assert!(matches!(
        resolve_with("${env:}", &env),
        Err(SecretError::EmptyName(_))
    ));
}

#[test]
fn file_references_read_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "s3cret-value\r\nsecond line\n").unwrap();
    let reference = format!("${{file:{}}}", path.display());
    assert_eq!(resolve_with(&reference, &env).unwrap(), "s3cret-value");
    std::fs::write(&path, "\n").unwrap();
    assert!(matches!(
        resolve_with(&reference, &env),
        Err(SecretError::EmptyFile { .. })
    ));
    let missing = format!("${{file:{}}}", dir.path().join("nope").display());
    let error = resolve_with(&missing, &env).unwrap_err();
    assert!(error.to_string().contains("nope"), "{error}");
    assert!(error.reference().unwrap().starts_with("${file:"));
    assert_eq!(
        SecretError::MissingEnv("A".into()).reference().as_deref(),
        Some("${env:A}")
    );
}

#[test]
fn tilde_expands_to_home() {
    if let Some(dirs) = directories::BaseDirs::new() {
        assert_eq!(expand_tilde("~/x"), dirs.home_dir().join("x"));
    }
    assert_eq!(expand_tilde("/a/~/b"), PathBuf::from("/a/~/b"));
}

#[test]
fn classifies_references_and_literals() {
    assert!(is_reference("${env:A}"));
    assert!(is_reference(" ${file:~/t} "));
    assert!(!is_reference("Bearer ${env:A}"));
    assert!(!is_reference("abc"));
    assert!(looks_literal_token("abc"));
    assert!(!looks_literal_token("${env:A}"));
    assert!(!looks_literal_token("Bearer ${env:A}"));
    assert!(!looks_literal_token(""));
    assert_eq!(
        references("${env:A}/${file:b}").unwrap(),
        vec![Reference::Env("A".into()), Reference::File("b".into())]
    );
    assert_eq!(Reference::Env("A".into()).to_text(), "${env:A}");
}

#[test]
fn escaped_text_resolves_to_itself() {
    for text in [
        "abc",
        "a${env:KEY}b",
        "$${",
        "${",
        "$$",
        "x$",
        "${file:~/t}",
    ] {
        assert_eq!(resolve_with(&escape(text), &env).unwrap(), text, "{text}");
        assert!(references(&escape(text)).unwrap().is_empty(), "{text}");
    }
}
