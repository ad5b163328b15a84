//! Small helpers the adapters share: `:cmd ARGS` splitting and JSON arguments, one-line
//! summaries, correlation keys and labels, bounded request records, parsing a frame
//! that must be a JSON object, and re-subscribing after a reconnect.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use super::correlate::format_latency;
use super::{Adapter, ComposeError, Composed, Outgoing, parse_json, shorten};
use crate::wire::PayloadKind;

/// Width of value summaries.
const WIDTH: usize = 80;
/// How many request records an adapter keeps before dropping the oldest.
const MAX_REMEMBERED: usize = 1024;

/// Splits `args` into up to `count` leading whitespace-separated words and the
/// trimmed rest (`"light.on {…}"` → `(["light.on"], "{…}")`).
pub(crate) fn split_words(args: &str, count: usize) -> (Vec<&str>, &str) {
    let mut words = Vec::new();
    let mut rest = args.trim_start();
    while words.len() < count && !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    (words, rest.trim_end())
}

/// `:cmd ARGS` as up to `count` leading words and at most one JSON value after them
/// (`:join room:lobby {"token":"t"}` → `(["room:lobby"], Some({…}))`).
pub(crate) fn words_then_json(
    args: &str,
    count: usize,
) -> Result<(Vec<&str>, Option<Value>), ComposeError> {
    let (words, rest) = split_words(args, count);
    Ok((words, optional_json(rest)?))
}

/// Parses whitespace-separated JSON values (`1 "a" {"b":2}`); empty text gives none.
pub(crate) fn json_values(text: &str) -> Result<Vec<Value>, ComposeError> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|error| ComposeError(format!("not JSON: {error}")))
}

/// Parses at most one JSON value; empty text gives `None`.
pub(crate) fn optional_json(text: &str) -> Result<Option<Value>, ComposeError> {
    let mut values = json_values(text)?;
    match values.len() {
        0 | 1 => Ok(values.pop()),
        n => Err(ComposeError(format!("expected one JSON value, got {n}"))),
    }
}

/// ` 12 ms` for a known latency, nothing otherwise.
pub(crate) fn latency_suffix(latency: Option<Duration>) -> String {
    latency
        .map(|latency| format!(" {}", format_latency(latency)))
        .unwrap_or_default()
}

/// A whole number of seconds as the adapters write it in their texts (`30 s`), so a
/// message about a timer is derived from the timer's constant.
pub(crate) fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs())
}

/// ` #3` for a known request number or key, nothing otherwise.
pub(crate) fn number_suffix(key: Option<impl Display>) -> String {
    key.map(|key| format!(" #{key}")).unwrap_or_default()
}

/// A one-line summary of a value: strings as they are, the rest as compact JSON.
pub(crate) fn value_summary(value: &Value) -> String {
    match value {
        Value::String(text) => shorten(text, WIDTH),
        Value::Null => String::new(),
        other => shorten(&other.to_string(), WIDTH),
    }
}

/// A correlation key for a JSON id: numbers and strings as written.
pub(crate) fn id_key(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// Inserts into a bounded map, dropping the smallest key when full.
pub(crate) fn remember<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, value: V) {
    if map.len() >= MAX_REMEMBERED {
        map.pop_first();
    }
    map.insert(key, value);
}

/// Re-subscribing after a reconnect, as the adapters that track subscriptions
/// (channels, topics, streams) do it: what the user subscribed to is sent again once
/// per reconnect, when the new link is ready ([`Adapter::on_ready`]); what the
/// profile's on-connect messages started is left out, because the session re-sends
/// those messages itself ([`Adapter::sent_on_connect`]). So every subscription is
/// re-established exactly once.
#[derive(Debug, Default)]
pub(crate) struct Resubscribe {
    /// A link closed since the subscriptions were last resumed.
    due: bool,
}

impl Resubscribe {
    /// A link closed ([`Adapter::on_closed`]): the subscriptions are due once the
    /// next link is ready.
    pub(crate) fn link_closed(&mut self) {
        self.due = true;
    }

    /// The subscriptions to send again now: on the first call after a link closed,
    /// those of `tracked` that `started_on_connect` does not claim; none otherwise
    /// (the first link, or a reconnect already resumed).
    pub(crate) fn resume<'a, T>(
        &mut self,
        tracked: impl IntoIterator<Item = &'a T>,
        started_on_connect: impl Fn(&T) -> bool,
    ) -> Vec<&'a T> {
        if !std::mem::take(&mut self.due) {
            return Vec::new();
        }
        tracked
            .into_iter()
            .filter(|subscription| !started_on_connect(subscription))
            .collect()
    }
}

/// One text frame, composed.
pub(crate) fn one(text: impl Into<String>) -> Composed {
    Composed {
        frames: vec![Outgoing::text(text)],
    }
}

/// A string field of a JSON value, if there is one.
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A frame that must be a JSON object, or why it is not (for
/// [`Decoded::malformed`](super::Decoded::malformed)).
pub(crate) fn parse_object(payload: &[u8]) -> Result<Value, String> {
    match parse_json(payload)? {
        frame @ Value::Object(_) => Ok(frame),
        _ => Err("not a JSON object".into()),
    }
}

/// An on-connect message numbered as the composer would number it (a Binance
/// request without `id`, a Phoenix frame with `null` refs), so that its response is
/// correlated; anything composing does not turn into exactly one text frame goes as
/// written.
pub(crate) fn composed_on_connect<A: Adapter + ?Sized>(
    adapter: &mut A,
    payload: Bytes,
    kind: PayloadKind,
) -> Bytes {
    let Ok(text) = std::str::from_utf8(&payload) else {
        return payload;
    };
    if kind != PayloadKind::Text {
        return payload;
    }
    match adapter.compose(text) {
        Ok(Composed { frames }) if frames.len() == 1 && frames[0].kind == PayloadKind::Text => {
            frames
                .into_iter()
                .next()
                .map_or(payload, |frame| frame.payload)
        }
        _ => payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_json_and_suffixes() {
        assert_eq!(
            split_words("  a b  {\"x\": 1} ", 2),
            (vec!["a", "b"], "{\"x\": 1}")
        );
        assert_eq!(split_words("a", 3), (vec!["a"], ""));
        assert_eq!(json_values("1 \"a\" {}").unwrap().len(), 3);
        assert!(json_values("{").is_err());
        assert!(optional_json("1 2").is_err());
        assert_eq!(optional_json("").unwrap(), None);
        let (words, json) = words_then_json("t e {\"a\":1}", 2).unwrap();
        assert_eq!(
            (words, json),
            (vec!["t", "e"], Some(serde_json::json!({"a":1})))
        );
        assert_eq!(words_then_json("t", 2).unwrap(), (vec!["t"], None));
        assert!(words_then_json("t {", 1).is_err());
        assert_eq!(latency_suffix(Some(Duration::from_millis(12))), " 12 ms");
        assert_eq!(latency_suffix(None), "");
        assert_eq!(number_suffix(Some(3)), " #3");
        assert_eq!(number_suffix(None::<u64>), "");
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
    }

    #[test]
    fn objects_keys_and_bounded_records() {
        assert!(parse_object(b"{}").is_ok());
        assert_eq!(parse_object(b"[1]").unwrap_err(), "not a JSON object");
        assert!(parse_object(b"nope").unwrap_err().starts_with("not JSON"));
        assert_eq!(id_key(&serde_json::json!(7)).as_deref(), Some("7"));
        assert_eq!(id_key(&serde_json::json!("a")).as_deref(), Some("a"));
        assert_eq!(id_key(&Value::Null), None);
        let mut map = BTreeMap::new();
        for key in 0..MAX_REMEMBERED + 5 {
            remember(&mut map, key, ());
        }
        assert_eq!(map.len(), MAX_REMEMBERED);
        assert_eq!(map.keys().next(), Some(&5));
    }

    #[test]
    fn subscriptions_resume_once_per_reconnect_without_the_on_connect_ones() {
        let tracked = [("chat", false), ("news", true), ("ticks", false)];
        let from_profile = |(_, on_connect): &(&str, bool)| *on_connect;
        let mut resubscribe = Resubscribe::default();
        assert!(
            resubscribe.resume(&tracked, from_profile).is_empty(),
            "the first link resumes nothing"
        );
        resubscribe.link_closed();
        let resumed: Vec<&str> = resubscribe
            .resume(&tracked, from_profile)
            .into_iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(resumed, ["chat", "ticks"]);
        assert!(
            resubscribe.resume(&tracked, from_profile).is_empty(),
            "once per reconnect"
        );
    }
}
