//! `wsdeck listen --jq EXPR`: the real binary against a tokio-tungstenite peer on
//! 127.0.0.1:0 that sends a scripted sequence and closes with 1000. Each output is
//! one compact JSON line (`-r`: strings bare; `--jsonl`: the output as `data`),
//! messages that are not JSON are skipped and counted on stderr, a runtime error is
//! one escaped stderr line and listening goes on, and a program that does not
//! compile exits 2 before anything connects.

use tokio_tungstenite::tungstenite::Message;

use crate::common::binary::{Run, finish, wsdeck};
use crate::common::peer::messages_then_close;

async fn listen(messages: Vec<Message>, extra: &[&str]) -> Run {
    let url = messages_then_close(messages, 1000, "done").await;
    let mut command = wsdeck(&["listen", &url, "--no-reconnect"]);
    command.args(extra);
    finish(command).await
}

fn ticks() -> Vec<Message> {
    vec![
        Message::text(r#"{"e":"trade","p":"43000.10","q":0.5}"#),
        Message::text("not json at all"),
        Message::text(r#"{"e":"depth","b":[["1","2"]]}"#),
        Message::text(r#"{"e":"trade","p":"43000.20","q":1.25}"#),
        Message::binary(b"{\"e\":\"trade\",\"p\":\"bin\"}".to_vec()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_output_is_a_compact_json_line_and_non_json_is_counted() {
    let run = listen(ticks(), &["--jq", r#"select(.e == "trade") | {p, q}"#]).await;
    run.assert_success();
    assert_eq!(
        run.stdout_lines(),
        [
            r#"{"p":"43000.10","q":0.5}"#,
            r#"{"p":"43000.20","q":1.25}"#,
            r#"{"p":"bin","q":null}"#,
        ]
    );
    assert!(
        run.stderr
            .contains("1 message was not JSON and was skipped"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_output_prints_strings_without_quotes() {
    let run = listen(ticks(), &["--jq", ".p // empty", "-r"]).await;
    run.assert_success();
    assert_eq!(run.stdout_lines(), ["43000.10", "43000.20", "bin"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_carries_each_output_as_data() {
    let run = listen(ticks(), &["--jq", ".b // empty", "--jsonl"]).await;
    run.assert_success();
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["direction"], "in");
    assert_eq!(line["kind"], "text");
    assert_eq!(line["data"], serde_json::json!([["1", "2"]]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_stops_after_that_many_messages_with_output() {
    let run = listen(
        ticks(),
        &["--jq", r#"select(.e == "trade") | .p"#, "-n", "2"],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout_lines(), [r#""43000.10""#, r#""43000.20""#]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_error_is_one_escaped_line_and_listening_goes_on() {
    let messages = vec![
        Message::text(r#"{"a":{"x":1}}"#),
        Message::text(r#"["\u001b]0;pwned\u0007"]"#),
        Message::text(r#"{"a":{"x":2}}"#),
    ];
    let run = listen(messages, &["--jq", ".a.x"]).await;
    run.assert_success();
    assert_eq!(run.stdout_lines(), ["1", "2"]);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("jq error"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("cannot index"), "{}", errors[0]);
    assert!(!run.stderr.contains('\u{1b}'), "escape reached stderr raw");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_does_not_compile_exits_2_before_connecting() {
    // Port 9 on loopback: nothing listens, so a connection attempt would fail
    // with a different message and code.
    let mut command = wsdeck(&["listen", "ws://127.0.0.1:9", "--jq", "select(.e==)"]);
    command.arg("--no-reconnect");
    let run = finish(command).await;
    run.assert_code(2);
    assert!(run.stderr.contains("jq: expected term"), "{}", run.stderr);
    assert!(run.stderr.contains("select(.e==)"), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|line| line.trim_end() == "             ^"),
        "a caret under column 12: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("refused"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_output_needs_jq() {
    let run = finish(wsdeck(&["listen", "ws://127.0.0.1:9", "-r"])).await;
    run.assert_code(2);
    assert!(run.stderr.contains("--jq"), "{}", run.stderr);
}
