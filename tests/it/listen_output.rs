//! `wsdeck listen` writes every message as one line, in order, whatever its size:
//! small payloads are copied into a buffer and large ones (8 KiB and up) are handed
//! to the kernel in place, and the two must interleave exactly. Each test runs the
//! real binary, stdout a pipe (so writes may be short), against a tokio-tungstenite
//! peer on 127.0.0.1:0 that sends a scripted sequence and closes with 1000.

use base64::Engine as _;
use tokio_tungstenite::tungstenite::Message;

use crate::common::binary::{Run, finish, wsdeck};
use crate::common::peer::messages_then_close;

/// A text message of `len` bytes that starts with its index, so any reordering or
/// loss shows in the output.
fn numbered(index: usize, len: usize) -> String {
    let mut text = format!("{index:08}:");
    let filler = b"abcdefghijklmnopqrstuvwxyz";
    while text.len() < len {
        text.push(filler[text.len() % filler.len()] as char);
    }
    text.truncate(len.max(9));
    text
}

/// Serves one connection: sends `messages`, closes with 1000 and lets the close
/// handshake finish. Returns the URL.
async fn peer(messages: Vec<Message>) -> String {
    messages_then_close(messages, 1000, "done").await
}

/// Runs `wsdeck listen URL ARGS…` to its end and returns what it printed.
async fn listen(url: &str, extra: &[&str]) -> Run {
    let mut command = wsdeck(&[
        "listen",
        url,
        "--max-message-size",
        "64MiB",
        "--no-reconnect",
    ]);
    command.args(extra);
    finish(command).await
}

/// The sizes around the in-place threshold (8 KiB) and far above it, each
/// followed by a small message.
const SIZES: &[usize] = &[
    1, 100, 8191, 8192, 8193, 10240, 65535, 65536, 300_000, 2_000_000,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_and_large_messages_come_out_one_per_line_in_order() {
    let mut messages = Vec::new();
    let mut expected = Vec::new();
    for (index, &size) in SIZES.iter().enumerate() {
        for text in [numbered(2 * index, size), numbered(2 * index + 1, 20)] {
            expected.extend_from_slice(text.as_bytes());
            expected.push(b'\n');
            messages.push(Message::text(text));
        }
    }
    let binary = vec![0u8, 1, 2, 255];
    expected.extend_from_slice(
        base64::engine::general_purpose::STANDARD
            .encode(&binary)
            .as_bytes(),
    );
    expected.push(b'\n');
    messages.push(Message::binary(binary));
    let url = peer(messages).await;
    let output = listen(&url, &[]).await;
    output.assert_success();
    assert_eq!(output.stdout.len(), expected.len());
    assert!(output.stdout.as_bytes() == expected, "the lines differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_large_messages_loses_nothing() {
    let count = 3000;
    let messages = (0..count)
        .map(|index| Message::text(numbered(index, 10 * 1024)))
        .collect();
    let url = peer(messages).await;
    let output = listen(&url, &["--count", &count.to_string()]).await;
    output.assert_success();
    let lines: Vec<&[u8]> = output.stdout.as_bytes().split(|b| *b == b'\n').collect();
    assert_eq!(lines.len(), count + 1, "one line each, then the end");
    for (index, line) in lines[..count].iter().enumerate() {
        assert_eq!(*line, numbered(index, 10 * 1024).as_bytes(), "line {index}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_carry_large_payloads_whole() {
    let texts: Vec<String> = SIZES
        .iter()
        .enumerate()
        .map(|(index, &size)| numbered(index, size))
        .collect();
    let url = peer(texts.iter().cloned().map(Message::text).collect()).await;
    let output = listen(&url, &["--jsonl"]).await;
    output.assert_success();
    let data: Vec<String> = output
        .stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["data"].as_str().expect("text data").to_owned()
        })
        .collect();
    assert_eq!(data, texts);
}
