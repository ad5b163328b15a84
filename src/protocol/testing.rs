//! Test scaffolding shared by the adapters' unit tests: arbitrary protocol-ish input
//! for the never-panics properties, the server frames of a documented transcript,
//! frames as text, sending composed frames and shortcuts through an adapter the way
//! the session does, and driving a reconnect in the session's order.

use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::Value;

use super::{
    Adapter, ComposeError, Composed, Correlation, Decoded, OpenContext, Outgoing, Reaction,
};
use crate::wire::PayloadKind;

/// Text frames, the kind every JSON protocol here uses.
pub(crate) const TEXT: PayloadKind = PayloadKind::Text;

/// Arbitrary JSON built from protocol-ish keys and words, to reach deep paths.
pub(crate) fn arb_json(
    keys: &'static [&'static str],
    words: &'static [&'static str],
) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..4).prop_map(Value::from),
        prop::sample::select(words).prop_map(Value::from),
        "\\PC{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys), inner.clone()), 0..6).prop_map(
                |entries| Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect()
                )
            ),
            inner.prop_map(|value| Value::String(value.to_string())),
        ]
    })
    .boxed()
}

/// Three payloads for a never-panics property: arbitrary bytes, arbitrary text, and
/// JSON from [`arb_json`] with these keys and words.
pub(crate) fn arb_payloads(
    keys: &'static [&'static str],
    words: &'static [&'static str],
) -> impl Strategy<Value = [Vec<u8>; 3]> {
    (
        prop::collection::vec(any::<u8>(), 0..64),
        "\\PC{0,40}",
        arb_json(keys, words),
    )
        .prop_map(|(bytes, text, json)| [bytes, text.into_bytes(), json.to_string().into_bytes()])
}

/// Everything an adapter may be asked, with `payloads` as input: each goes in and out
/// (as text and as binary), is composed, is given to each of `commands` (and tried as
/// a command name) and is sent as an on-connect message; then the link opens, the
/// timer fires at `later`, the link closes and is ready again. Only panics matter.
pub(crate) fn exercise(
    adapter: &mut dyn Adapter,
    payloads: &[&[u8]],
    commands: &[&str],
    now: Instant,
    later: Instant,
) {
    for payload in payloads {
        for kind in [TEXT, PayloadKind::Binary] {
            adapter.on_outgoing(payload, kind, now);
            adapter.on_incoming(payload, kind, now);
        }
    }
    for text in payloads.iter().filter_map(|p| std::str::from_utf8(p).ok()) {
        let _ = adapter.compose(text);
        for name in commands.iter().copied().chain([text]) {
            let _ = adapter.command(name, text);
        }
        let _ = adapter.prepare_on_connect(Bytes::copy_from_slice(text.as_bytes()), TEXT);
        adapter.sent_on_connect(text.as_bytes(), TEXT);
    }
    let _ = adapter.on_open(&OpenContext::default(), now);
    let _ = adapter.on_timer(later);
    adapter.on_closed();
    let _ = adapter.on_ready(now);
    let _ = adapter.status();
}

/// The `<` lines of a transcript (server frames), with `\x1e` unescaped.
pub(crate) fn server_frames(transcript: &str) -> Vec<String> {
    let lines: Vec<&str> = transcript.lines().collect();
    assert!(lines.first().is_some_and(|line| line.starts_with("# ")));
    assert!(lines.iter().take(3).any(|line| line.contains("https://")));
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("< "))
        .map(|line| line.trim().replace("\\x1e", "\u{1e}"))
        .collect()
}

/// Every server frame of a transcript decodes without an error; returns the decodes.
pub(crate) fn decode_transcript(adapter: &mut dyn Adapter, transcript: &str) -> Vec<Decoded> {
    let now = Instant::now();
    let frames = server_frames(transcript);
    assert!(!frames.is_empty());
    frames
        .iter()
        .map(|frame| {
            let decoded = decode(adapter, frame, now);
            assert_eq!(decoded.error, None, "{frame}");
            decoded
        })
        .collect()
}

/// The frames' payloads as text.
pub(crate) fn texts(frames: &[Outgoing]) -> Vec<String> {
    frames
        .iter()
        .map(|frame| String::from_utf8_lossy(&frame.payload).into_owned())
        .collect()
}

/// The text of the one frame a composer text or shortcut makes.
pub(crate) fn composed(result: Result<Composed, ComposeError>) -> String {
    let frames = result.expect("composes").frames;
    assert_eq!(frames.len(), 1);
    texts(&frames).remove(0)
}

/// What the adapter makes of a text frame going out (and registers).
pub(crate) fn outgoing(adapter: &mut dyn Adapter, text: &str, now: Instant) -> Decoded {
    adapter
        .on_outgoing(text.as_bytes(), TEXT, now)
        .expect("decoded")
}

/// A text frame arriving.
pub(crate) fn incoming(adapter: &mut dyn Adapter, text: &str, now: Instant) -> Reaction {
    adapter.on_incoming(text.as_bytes(), TEXT, now)
}

/// What the adapter makes of a text frame arriving.
pub(crate) fn decode(adapter: &mut dyn Adapter, text: &str, now: Instant) -> Decoded {
    incoming(adapter, text, now).decoded.expect("decoded")
}

/// Composed frames going out (registered with the adapter); their text.
pub(crate) fn sent(adapter: &mut dyn Adapter, composed: Composed, now: Instant) -> Vec<String> {
    register(adapter, &composed.frames, now);
    texts(&composed.frames)
}

/// A `:` shortcut that must compose, sent; the text of its frames.
pub(crate) fn run(adapter: &mut dyn Adapter, name: &str, args: &str, now: Instant) -> Vec<String> {
    let composed = adapter
        .command(name, args)
        .expect("a known command")
        .expect("composes");
    sent(adapter, composed, now)
}

/// One of the profile's on-connect messages sent as the session sends it: prepared by
/// the adapter, registered by `on_outgoing`, then marked with `sent_on_connect`.
/// Returns the text that went out.
pub(crate) fn on_connect(adapter: &mut dyn Adapter, text: &str, now: Instant) -> String {
    let payload = adapter.prepare_on_connect(Bytes::copy_from_slice(text.as_bytes()), TEXT);
    adapter.on_outgoing(&payload, TEXT, now);
    adapter.sent_on_connect(&payload, TEXT);
    String::from_utf8_lossy(&payload).into_owned()
}

/// A reconnect in the session's order: the link closes and opens again (its opening
/// frames go out), the server's `verdict` frame arrives when there is one (with any
/// frames it makes the adapter send), then `on_ready`'s frames go out. Every frame is
/// registered as sent; returns the text of those sent after the opening ones (what
/// the adapter resumed).
pub(crate) fn reconnect(
    adapter: &mut dyn Adapter,
    verdict: Option<&str>,
    now: Instant,
) -> Vec<String> {
    adapter.on_closed();
    let context = OpenContext {
        reconnect: true,
        ..OpenContext::default()
    };
    let opening = adapter.on_open(&context, now);
    register(adapter, &opening, now);
    let mut resumed = Vec::new();
    if let Some(verdict) = verdict {
        let reaction = incoming(adapter, verdict, now);
        register(adapter, &reaction.send, now);
        resumed.extend(texts(&reaction.send));
    }
    let ready = adapter.on_ready(now);
    register(adapter, &ready, now);
    resumed.extend(texts(&ready));
    resumed
}

/// Each `(name, args)` is a command the adapter knows that refuses these arguments,
/// and `nope` is not a command at all.
pub(crate) fn assert_bad_commands(adapter: &mut dyn Adapter, bad: &[(&str, &str)]) {
    for (name, args) in bad {
        let composed = adapter.command(name, args).expect("a known command");
        assert!(composed.is_err(), "{name} {args}: {composed:?}");
    }
    assert!(adapter.command("nope", "").is_none());
}

/// The correlation of a response to `key` (latency in milliseconds).
pub(crate) fn response(
    key: &str,
    ok: bool,
    latency: Option<u64>,
    more: bool,
) -> Option<Correlation> {
    Some(Correlation::Response {
        key: key.into(),
        ok,
        latency: latency.map(Duration::from_millis),
        more,
    })
}

/// The adapter's status lines as `label: value`.
pub(crate) fn status(adapter: &dyn Adapter) -> Vec<String> {
    adapter
        .status()
        .into_iter()
        .map(|line| format!("{}: {}", line.label, line.value))
        .collect()
}

fn register(adapter: &mut dyn Adapter, frames: &[Outgoing], now: Instant) {
    for frame in frames {
        adapter.on_outgoing(&frame.payload, frame.kind, now);
    }
}
