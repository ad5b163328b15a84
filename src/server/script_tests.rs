use serde_json::json;

use super::*;

#[test]
fn json_subset_objects_by_key_arrays_by_element_scalars_equal() {
    let whole = json!({"op":"sub","id":17,"args":[{"ch":"a","ts":1},2],"meta":{"v":1,"w":2}});
    assert!(json_contains(&whole, &json!({"op":"sub"})));
    assert!(json_contains(
        &whole,
        &json!({"args":[{"ch":"a"},2],"meta":{"w":2}})
    ));
    assert!(!json_contains(&whole, &json!({"op":"unsub"})));
    assert!(
        !json_contains(&whole, &json!({"args":[{"ch":"a"}]})),
        "arrays keep their length"
    );
    assert!(!json_contains(&whole, &json!({"missing":null})));
    assert!(!json_contains(&json!(1), &json!("1")));
}

#[test]
fn matching_is_exact_or_a_json_subset_of_the_same_kind() {
    use FrameKind::{Binary, Text};
    assert!(matches(Text, b"hi", Text, b"hi"));
    assert!(!matches(Text, b"hi", Binary, b"hi"));
    assert!(!matches(Binary, b"\x00", Binary, b"\x01"));
    assert!(matches(Text, br#"{"a":1}"#, Text, br#"{"a":1,"id":9}"#));
    assert!(!matches(Text, br#"{"a":1}"#, Text, br#"{"a":2}"#));
    assert!(!matches(Text, b"not json", Text, b"not json either"));
}

fn load(text: &str) -> Result<Script, ScriptError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("script.jsonl");
    std::fs::write(&path, text).expect("written");
    Script::load(&path, 1.0, OnMismatch::Close)
}

#[test]
fn steps_follow_the_first_connection_with_delays_and_lines() {
    let script = load(concat!(
        r#"{"type":"session","version":1,"started":"2026-12-04T10:00:00.000Z","url":"ws://x"}"#,
        "\n",
        r#"{"type":"handshake","time":"2026-12-04T10:00:00.010Z","url":"ws://x","status":101,"subprotocol":"v1"}"#,
        "\n\n",
        r#"{"type":"frame","time":"2026-12-04T10:00:00.020Z","direction":"out","kind":"text","data":"sub"}"#,
        "\n",
        r#"{"type":"frame","time":"2026-12-04T10:00:00.021Z","direction":"out","kind":"ping","data":""}"#,
        "\n",
        r#"{"type":"frame","time":"2026-12-04T10:00:00.320Z","direction":"in","kind":"binary","data":"AP8=","encoding":"base64"}"#,
        "\n",
        r#"{"type":"closed","time":"2026-12-04T10:00:00.420Z","code":4001,"reason":"bye","by_peer":true,"clean":true}"#,
        "\n",
        r#"{"type":"handshake","time":"2026-12-04T10:00:01.000Z","url":"ws://x","status":101}"#,
        "\n",
        r#"{"type":"frame","time":"2026-12-04T10:00:01.020Z","direction":"in","kind":"text","data":"second connection"}"#,
        "\n",
    ))
    .expect("loads");
    assert_eq!(script.subprotocol.as_deref(), Some("v1"));
    let lines: Vec<usize> = script.steps.iter().map(|step| step.line).collect();
    assert_eq!(lines, [4, 6, 7]);
    assert_eq!(
        script.steps[0].action,
        StepAction::Expect {
            kind: FrameKind::Text,
            payload: Bytes::from_static(b"sub")
        }
    );
    assert_eq!(
        script.steps[1].action,
        StepAction::Send {
            kind: FrameKind::Binary,
            payload: Bytes::from_static(b"\x00\xff"),
            delay: Duration::from_millis(300),
        }
    );
    assert_eq!(
        script.steps[2].action,
        StepAction::Close {
            code: 4001,
            reason: "bye".into(),
            delay: Duration::from_millis(100),
        }
    );
}

#[test]
fn a_file_with_nothing_to_play_is_refused() {
    let error =
        load(r#"{"direction":"in","time":"2026-12-04T10:00:00.000Z","kind":"ping","data":""}"#)
            .expect_err("refused");
    assert!(
        error.to_string().contains("no text or binary messages"),
        "{error}"
    );
}
