//! Binance Spot WebSocket Streams
//! (<https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams>):
//! raw (`/ws`) and combined (`/stream?streams=…`, `{"stream":…,"data":…}`) market
//! data decoded into labels and one-line summaries; `SUBSCRIBE`, `UNSUBSCRIBE`,
//! `LIST_SUBSCRIPTIONS`, `SET_PROPERTY` and `GET_PROPERTY` requests numbered and
//! correlated with their `result` (or `code`/`msg` error); subscribed streams
//! tracked and re-subscribed after a reconnect (except those the profile's on-connect
//! messages subscribe to, which the session re-sends itself). The server's keep-alive
//! is WebSocket ping control frames, which the engine answers, so there is no app
//! heartbeat.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use bytes::Bytes;
use serde_json::{Value, json};

use super::shared::{
    Resubscribe, composed_on_connect, id_key, latency_suffix, number_suffix, one, remember,
    str_field, value_summary,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::wire::PayloadKind;

/// Width of summaries.
const WIDTH: usize = 80;

/// The `binance` adapter.
#[derive(Debug, Default)]
pub struct BinanceAdapter {
    last_id: u64,
    correlator: Correlator,
    /// Request key → method and params.
    requests: BTreeMap<String, (String, Vec<String>)>,
    /// Subscribed streams and how many messages each brought.
    streams: Vec<(String, u64)>,
    /// Streams the profile's on-connect messages subscribe to (normalized): the
    /// session re-sends those, so they are not restored.
    on_connect: BTreeSet<String>,
    resubscribe: Resubscribe,
}

/// What a market-data payload is.
struct Event {
    label: String,
    summary: String,
    /// The raw stream this payload most likely came from (for counts).
    stream: Option<String>,
    shutdown: bool,
}

impl Event {
    /// An event with its summary trimmed; not a shutdown.
    fn new(label: String, summary: String, stream: Option<String>) -> Self {
        Self {
            label,
            summary: summary.trim().to_string(),
            stream,
            shutdown: false,
        }
    }
}

fn len(value: &Value, key: &str) -> usize {
    value.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// A string field, or `?` when it is missing.
fn field_or_unknown<'a>(value: &'a Value, key: &str) -> &'a str {
    str_field(value, key).unwrap_or("?")
}

/// Decodes one market-data payload; `hint` is the symbol from a combined stream name.
fn event(data: &Value, hint: &str) -> Event {
    let field = |key: &str| field_or_unknown(data, key);
    let symbol = str_field(data, "s").unwrap_or(hint).to_string();
    let Some(kind) = str_field(data, "e") else {
        return untyped_event(data, &symbol);
    };
    let lower = symbol.to_lowercase();
    let kind = shorten(kind, 30);
    let label = format!("binance {kind} {symbol}").trim().to_string();
    let stream = |suffix: &str| Some(format!("{lower}@{suffix}"));
    match kind.as_str() {
        "trade" | "aggTrade" => {
            let summary = format!("{symbol} {} × {}", field("p"), field("q"));
            Event::new(label, summary, stream(&kind))
        }
        "depthUpdate" => {
            let summary = format!("{symbol} {} bids {} asks", len(data, "b"), len(data, "a"));
            Event::new(label, summary, stream("depth"))
        }
        "kline" => kline_event(data, label, &lower),
        "24hrTicker" => {
            let summary = format!("{symbol} {} ({}%)", field("c"), field("P"));
            Event::new(label, summary, stream("ticker"))
        }
        "24hrMiniTicker" => Event::new(
            label,
            format!("{symbol} {}", field("c")),
            stream("miniTicker"),
        ),
        "avgPrice" => Event::new(
            label,
            format!("{symbol} {}", field("w")),
            stream("avgPrice"),
        ),
        "serverShutdown" => Event {
            shutdown: true,
            ..Event::new("binance serverShutdown".into(), String::new(), None)
        },
        _ => Event::new(label, String::new(), None),
    }
}

/// A payload without an `e` (event type): a book ticker or a depth snapshot, told
/// apart by their fields, else a plain message.
fn untyped_event(data: &Value, symbol: &str) -> Event {
    let field = |key: &str| field_or_unknown(data, key);
    let has = |keys: &[&str]| keys.iter().all(|key| data.get(key).is_some());
    if has(&["u", "b", "B", "a", "A"]) {
        let summary = format!(
            "{symbol} bid {}@{} ask {}@{}",
            field("b"),
            field("B"),
            field("a"),
            field("A")
        );
        let stream = Some(format!("{}@bookTicker", symbol.to_lowercase()));
        Event::new(format!("binance bookTicker {symbol}"), summary, stream)
    } else if has(&["lastUpdateId", "bids", "asks"]) {
        let summary = format!(
            "{symbol} {} bids {} asks",
            len(data, "bids"),
            len(data, "asks")
        );
        Event::new(
            format!("binance depth {symbol}").trim().into(),
            summary,
            None,
        )
    } else {
        Event::new("binance message".into(), value_summary(data), None)
    }
}

/// A kline (candlestick): open, high, low, close and volume, and whether it closed;
/// `lower` is the symbol lowercased, for its stream's name.
fn kline_event(data: &Value, label: String, lower: &str) -> Event {
    let k = data.get("k").unwrap_or(&Value::Null);
    let at = |key: &str| field_or_unknown(k, key);
    let closed = if k.get("x") == Some(&Value::Bool(true)) {
        " closed"
    } else {
        ""
    };
    let summary = format!(
        "o {} h {} l {} c {} v {}{closed}",
        at("o"),
        at("h"),
        at("l"),
        at("c"),
        at("v")
    );
    let interval = shorten(at("i"), 8);
    let stream = Some(format!("{lower}@kline_{interval}"));
    Event::new(format!("{label} {interval}"), summary, stream)
}

/// `btcusdt@aggTrade`, `BTCUSDT@trade` → the symbol lowercased, the rest as typed.
fn normalize(stream: &str) -> String {
    match stream.split_once('@') {
        Some((symbol, rest)) => format!("{}@{rest}", symbol.to_lowercase()),
        None => stream.to_string(),
    }
}

impl BinanceAdapter {
    /// A fresh adapter (ids start at 1).
    pub fn new() -> Self {
        Self::default()
    }

    fn request(&mut self, method: &str, params: &[String]) -> Outgoing {
        self.last_id = self.last_id.saturating_add(1);
        let mut request = json!({ "method": method });
        if !params.is_empty() {
            request["params"] = json!(params);
        }
        request["id"] = json!(self.last_id);
        Outgoing::text(request.to_string())
    }

    fn count(&mut self, stream: &str) {
        if let Some((_, count)) = self.streams.iter_mut().find(|(name, _)| name == stream) {
            *count = count.saturating_add(1);
        }
    }

    fn add_streams(&mut self, streams: &[String]) {
        for stream in streams {
            if !self.streams.iter().any(|(name, _)| name == stream) {
                self.streams.push((stream.clone(), 0));
            }
        }
    }

    fn response(&mut self, frame: &Value, now: Instant) -> Decoded {
        let key = frame.get("id").and_then(id_key);
        let latency = key
            .as_deref()
            .and_then(|key| self.correlator.response(key, now, false));
        let request = key.as_ref().and_then(|key| self.requests.remove(key));
        let ok = frame.get("code").is_none();
        let result = frame.get("result").cloned().unwrap_or(Value::Null);
        if ok && let Some((method, params)) = &request {
            match method.as_str() {
                "SUBSCRIBE" => self.add_streams(params),
                "UNSUBSCRIBE" => self.streams.retain(|(name, _)| !params.contains(name)),
                "LIST_SUBSCRIPTIONS" => {
                    let listed: Vec<String> = result
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|stream| stream.as_str().map(str::to_string))
                        .collect();
                    self.streams.retain(|(name, _)| listed.contains(name));
                    self.add_streams(&listed);
                }
                _ => {}
            }
        }
        let what = request
            .map(|(method, params)| format!("{method} {}", params.join(" ")))
            .unwrap_or_default();
        let (summary, data) = if ok {
            let parts = [what.trim(), &value_summary(&result)].join(": ");
            (parts.trim_matches([' ', ':']).to_string(), result)
        } else {
            let code = frame.get("code").map(Value::to_string).unwrap_or_default();
            let msg = str_field(frame, "msg").unwrap_or("");
            let error = json!({ "code": frame.get("code"), "msg": frame.get("msg") });
            (format!("code {code}: {msg}"), error)
        };
        let number = number_suffix(key.as_ref());
        let verdict = if ok { "ok" } else { "error" };
        Decoded {
            label: format!(
                "binance result{number} {verdict}{}",
                latency_suffix(latency)
            ),
            summary: shorten(&summary, WIDTH),
            data: Some(data),
            correlation: key.map(|key| Correlation::Response {
                key,
                ok,
                latency,
                more: false,
            }),
            ..Decoded::default()
        }
    }
}

impl Adapter for BinanceAdapter {
    fn name(&self) -> &'static str {
        "binance"
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        let streams: Vec<String> = self
            .resubscribe
            .resume(&self.streams, |(name, _)| {
                self.on_connect.contains(&normalize(name))
            })
            .into_iter()
            .map(|(name, _)| name.clone())
            .collect();
        if streams.is_empty() {
            return Vec::new();
        }
        vec![self.request("SUBSCRIBE", &streams)]
    }

    fn prepare_on_connect(&mut self, payload: Bytes, kind: PayloadKind) -> Bytes {
        composed_on_connect(self, payload, kind)
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        let Ok(frame) = parse_json(payload) else {
            return;
        };
        if str_field(&frame, "method") == Some("SUBSCRIBE") {
            let params = frame.get("params").and_then(Value::as_array);
            let streams = params.into_iter().flatten().filter_map(Value::as_str);
            self.on_connect.extend(streams.map(normalize));
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let frame = match parse_json(payload) {
            Ok(frame) => frame,
            Err(why) => return Reaction::decoded(Decoded::malformed("binance", why)),
        };
        let mut reaction = Reaction::default();
        let decoded = match &frame {
            Value::Object(map) => {
                match (map.get("stream").and_then(Value::as_str), map.get("data")) {
                    (Some(stream), Some(data)) => {
                        self.count(stream);
                        let symbol = stream.split('@').next().unwrap_or("").to_uppercase();
                        let event = event(data, &symbol);
                        if event.shutdown {
                            reaction.reconnect = Some("the server is shutting down".into());
                        }
                        Decoded {
                            label: format!("binance {}", shorten(stream, 60)),
                            summary: shorten(&event.summary, WIDTH),
                            data: Some(data.clone()),
                            ..Decoded::default()
                        }
                    }
                    _ if map.contains_key("id")
                        && (map.contains_key("result") || map.contains_key("code")) =>
                    {
                        self.response(&frame, now)
                    }
                    _ if map.contains_key("code") && map.contains_key("msg") => {
                        self.response(&frame, now)
                    }
                    _ => {
                        let event = event(&frame, "");
                        if let Some(stream) = &event.stream {
                            self.count(stream);
                        }
                        if event.shutdown {
                            reaction.reconnect = Some("the server is shutting down".into());
                        }
                        Decoded {
                            label: event.label,
                            summary: shorten(&event.summary, WIDTH),
                            data: Some(frame.clone()),
                            ..Decoded::default()
                        }
                    }
                }
            }
            Value::Array(items) => {
                let kind = items
                    .first()
                    .and_then(|item| str_field(item, "e"))
                    .map(|kind| shorten(kind, 30))
                    .unwrap_or_else(|| "message".into());
                Decoded {
                    label: format!("binance {kind} ×{}", items.len()),
                    data: Some(frame.clone()),
                    ..Decoded::default()
                }
            }
            _ => Decoded::malformed("binance", "neither a JSON object nor an array"),
        };
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse_json(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("binance", why)),
        };
        let Some(method) = str_field(&frame, "method") else {
            return Some(Decoded::labelled("binance message"));
        };
        let method = shorten(method, 30);
        let params: Vec<String> = frame
            .get("params")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|param| {
                param
                    .as_str()
                    .map_or_else(|| param.to_string(), str::to_string)
            })
            .collect();
        let id = frame.get("id").unwrap_or(&Value::Null);
        if let Some(number) = id.as_u64() {
            self.last_id = self.last_id.max(number);
        }
        let key = id_key(id);
        if let Some(key) = &key {
            self.correlator.request(key.clone(), now);
            remember(
                &mut self.requests,
                key.clone(),
                (method.clone(), params.clone()),
            );
        }
        let number = number_suffix(key.as_ref());
        Some(Decoded {
            label: format!("binance {method}{number}"),
            summary: shorten(&params.join(" "), WIDTH),
            correlation: key.map(|key| Correlation::Request { key }),
            ..Decoded::default()
        })
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        if let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text.trim())
            && map.contains_key("method")
            && !map.contains_key("id")
        {
            self.last_id = self.last_id.saturating_add(1);
            map.insert("id".into(), json!(self.last_id));
            return Ok(one(Value::Object(map).to_string()));
        }
        Ok(one(text))
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let streams: Vec<String> = args.split_whitespace().map(normalize).collect();
        let frame = match (name, streams.is_empty()) {
            ("sub", false) => Ok(self.request("SUBSCRIBE", &streams)),
            ("unsub", false) => Ok(self.request("UNSUBSCRIBE", &streams)),
            ("sub" | "unsub", true) => Err(ComposeError(format!("usage: :{name} STREAM…"))),
            ("list", true) => Ok(self.request("LIST_SUBSCRIPTIONS", &[])),
            ("list", false) => Err(ComposeError(":list takes no arguments".into())),
            _ => return None,
        };
        Some(frame.map(|frame| Composed {
            frames: vec![frame],
        }))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ":sub STREAM…",
                "SUBSCRIBE to streams (e.g. btcusdt@trade btcusdt@depth)",
            ),
            (":unsub STREAM…", "UNSUBSCRIBE from streams"),
            (":list", "LIST_SUBSCRIPTIONS"),
        ]
    }

    fn on_closed(&mut self) {
        self.correlator.clear();
        self.requests.clear();
        self.resubscribe.link_closed();
    }

    fn status(&self) -> Vec<StatusLine> {
        self.streams
            .iter()
            .map(|(name, count)| StatusLine {
                label: name.clone(),
                value: format!("subscribed · {count} msgs"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_payloads, decode, decode_transcript, exercise, on_connect, reconnect, response,
        sent, status, texts,
    };
    use proptest::prelude::*;
    use std::time::Duration;

    #[test]
    fn decodes_market_data() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        let cases = [
            (
                r#"{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"43000.10","q":"0.005","T":1,"m":true}"#,
                "binance trade BTCUSDT",
                "BTCUSDT 43000.10 × 0.005",
            ),
            (
                r#"{"e":"aggTrade","E":1,"s":"BNBBTC","a":1,"p":"0.001","q":"100","f":1,"l":2}"#,
                "binance aggTrade BNBBTC",
                "BNBBTC 0.001 × 100",
            ),
            (
                r#"{"u":400900217,"s":"BTCUSDT","b":"1.0","B":"2","a":"1.1","A":"3"}"#,
                "binance bookTicker BTCUSDT",
                "BTCUSDT bid 1.0@2 ask 1.1@3",
            ),
            (
                r#"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1","2"],["1","2"],["1","2"],["1","2"],["1","2"]],"a":[["1","2"],["1","2"],["1","2"]]}"#,
                "binance depthUpdate BTCUSDT",
                "BTCUSDT 5 bids 3 asks",
            ),
            (
                r#"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[]}"#,
                "binance depth",
                "1 bids 0 asks",
            ),
            (
                r#"{"e":"kline","E":1,"s":"BNBBTC","k":{"i":"1m","o":"1","h":"3","l":"0.5","c":"2","v":"100","x":true}}"#,
                "binance kline BNBBTC 1m",
                "o 1 h 3 l 0.5 c 2 v 100 closed",
            ),
            (
                r#"{"e":"24hrTicker","E":1,"s":"BNBBTC","p":"0.0015","P":"250.00","c":"0.0025"}"#,
                "binance 24hrTicker BNBBTC",
                "BNBBTC 0.0025 (250.00%)",
            ),
            (r#"{"foo":1}"#, "binance message", r#"{"foo":1}"#),
        ];
        for (frame, label, summary) in cases {
            let decoded = decode(&mut b, frame, t0);
            assert_eq!(
                (decoded.label.as_str(), decoded.summary.as_str()),
                (label, summary)
            );
            assert!(decoded.data.is_some() && decoded.error.is_none());
        }
        let combined = r#"{"stream":"btcusdt@depth5","data":{"lastUpdateId":1,"bids":[["1","2"]],"asks":[["1","2"]]}}"#;
        let decoded = decode(&mut b, combined, t0);
        assert_eq!(decoded.label, "binance btcusdt@depth5");
        assert_eq!(decoded.summary, "BTCUSDT 1 bids 1 asks");
        assert_eq!(decoded.data.unwrap()["lastUpdateId"], 1);
        let array = decode(
            &mut b,
            r#"[{"e":"24hrMiniTicker"},{"e":"24hrMiniTicker"}]"#,
            t0,
        );
        assert_eq!(array.label, "binance 24hrMiniTicker ×2");
        let r = b.on_incoming(br#"{"e":"serverShutdown","E":1}"#, TEXT, t0);
        assert!(r.reconnect.is_some());
    }

    #[test]
    fn requests_get_ids_and_correlate() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        let c = b
            .command("sub", "BTCUSDT@aggTrade btcusdt@depth")
            .unwrap()
            .unwrap();
        assert_eq!(
            sent(&mut b, c, t0),
            [r#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth"],"id":1}"#]
        );
        let later = t0 + Duration::from_millis(12);
        let decoded = decode(&mut b, r#"{"result":null,"id":1}"#, later);
        assert_eq!(decoded.label, "binance result #1 ok 12 ms");
        assert_eq!(decoded.summary, "SUBSCRIBE btcusdt@aggTrade btcusdt@depth");
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { ok: true, .. })
        ));
        assert_eq!(b.status().len(), 2);
        decode(
            &mut b,
            r#"{"e":"aggTrade","s":"BTCUSDT","p":"1","q":"2"}"#,
            t0,
        );
        let combined =
            r#"{"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","b":[],"a":[]}}"#;
        decode(&mut b, combined, t0);
        assert_eq!(b.status()[0].value, "subscribed · 1 msgs");
        assert_eq!(b.status()[1].value, "subscribed · 1 msgs");
        let typed = r#"{"method":"GET_PROPERTY","params":["combined"],"id":7}"#;
        let c = b.compose(typed).unwrap();
        assert_eq!(sent(&mut b, c, t0), [typed]);
        let c = b.compose(r#"{"method":"LIST_SUBSCRIPTIONS"}"#).unwrap();
        assert_eq!(
            sent(&mut b, c, t0),
            [r#"{"method":"LIST_SUBSCRIPTIONS","id":8}"#]
        );
        let decoded = decode(&mut b, r#"{"result":["btcusdt@depth"],"id":8}"#, t0);
        assert_eq!(decoded.data, Some(json!(["btcusdt@depth"])));
        assert_eq!(b.status().len(), 1);
        let error = decode(
            &mut b,
            r#"{"code":2,"msg":"Invalid request","id":7}"#,
            later,
        );
        assert_eq!(error.label, "binance result #7 error 12 ms");
        assert_eq!(error.summary, "code 2: Invalid request");
        assert!(matches!(
            error.correlation,
            Some(Correlation::Response { ok: false, .. })
        ));
        let c = b.command("unsub", "btcusdt@depth").unwrap().unwrap();
        assert_eq!(
            sent(&mut b, c, t0),
            [r#"{"method":"UNSUBSCRIBE","params":["btcusdt@depth"],"id":9}"#]
        );
        decode(&mut b, r#"{"result":null,"id":9}"#, t0);
        assert!(b.status().is_empty());
        let c = b.command("list", "").unwrap().unwrap();
        assert_eq!(
            texts(&c.frames),
            [r#"{"method":"LIST_SUBSCRIPTIONS","id":10}"#]
        );
    }

    #[test]
    fn resubscribes_after_reconnect() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        assert!(b.on_ready(t0).is_empty());
        let c = b.command("sub", "btcusdt@trade").unwrap().unwrap();
        sent(&mut b, c, t0);
        decode(&mut b, r#"{"result":null,"id":1}"#, t0);
        b.on_closed();
        let frames = b.on_ready(t0);
        assert_eq!(
            texts(&frames),
            [r#"{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":2}"#]
        );
        assert!(b.on_ready(t0).is_empty());
        assert_eq!(b.next_deadline(), None);
    }

    #[test]
    fn malformed_and_bad_commands() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        for bad in ["nope", "1", "\"x\""] {
            assert_eq!(decode(&mut b, bad, t0).label, "binance malformed");
        }
        assert!(b.on_outgoing(b"{", TEXT, t0).unwrap().error.is_some());
        assert_eq!(
            b.on_outgoing(b"{}", TEXT, t0).unwrap().label,
            "binance message"
        );
        assert!(b.command("sub", " ").unwrap().is_err());
        assert!(b.command("list", "x").unwrap().is_err());
        assert!(b.command("nope", "").is_none());
        assert_eq!(texts(&b.compose("hello").unwrap().frames), ["hello"]);
    }

    #[test]
    fn on_connect_requests_without_id_are_numbered_and_correlated() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        let bare = r#"{"method":"SUBSCRIBE","params":["btcusdt@trade"]}"#;
        let numbered = r#"{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}"#;
        assert_eq!(on_connect(&mut b, bare, t0), numbered);
        let reply = decode(&mut b, r#"{"result":null,"id":1}"#, t0);
        assert_eq!(reply.correlation, response("1", true, Some(0), false));
        assert_eq!(
            on_connect(&mut b, bare, t0),
            r#"{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":2}"#,
            "a fresh id every time it is sent"
        );
        for as_written in ["hello", r#"{"id":7,"method":"LIST_SUBSCRIPTIONS"}"#] {
            assert_eq!(on_connect(&mut b, as_written, t0), as_written);
        }
    }

    #[test]
    fn on_connect_streams_are_left_to_the_session() {
        let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
        let trade = r#"{"method":"SUBSCRIBE","params":["BTCUSDT@trade"],"id":1}"#;
        assert_eq!(on_connect(&mut b, trade, t0), trade);
        decode(&mut b, r#"{"result":null,"id":1}"#, t0);
        let c = b.command("sub", "ethusdt@depth").unwrap().unwrap();
        sent(&mut b, c, t0);
        decode(&mut b, r#"{"result":null,"id":2}"#, t0);
        let subscribed = [
            "BTCUSDT@trade: subscribed · 0 msgs",
            "ethusdt@depth: subscribed · 0 msgs",
        ];
        assert_eq!(status(&b), subscribed);
        for id in [3, 4] {
            assert_eq!(
                reconnect(&mut b, None, t0),
                [format!(
                    r#"{{"method":"SUBSCRIBE","params":["ethusdt@depth"],"id":{id}}}"#
                )]
            );
            decode(&mut b, &format!(r#"{{"result":null,"id":{id}}}"#), t0);
            on_connect(&mut b, trade, t0);
            decode(&mut b, r#"{"result":null,"id":1}"#, t0);
            assert_eq!(status(&b), subscribed);
        }
        // With nothing of the user's to restore, a reconnect sends nothing.
        let c = b.command("unsub", "ethusdt@depth").unwrap().unwrap();
        sent(&mut b, c, t0);
        decode(&mut b, r#"{"result":null,"id":5}"#, t0);
        assert!(reconnect(&mut b, None, t0).is_empty());
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/binance.txt");
        for decoded in decode_transcript(&mut BinanceAdapter::new(), transcript) {
            assert!(!decoded.label.contains("message"), "{decoded:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(
            payloads in arb_payloads(
                &["e", "s", "p", "q", "b", "a", "B", "A", "u", "k", "stream", "data", "result",
                  "id", "code", "msg", "method", "params", "lastUpdateId", "bids", "asks"],
                &["trade", "aggTrade", "kline", "depthUpdate", "24hrTicker", "SUBSCRIBE",
                  "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "btcusdt@trade", "serverShutdown"],
            ),
        ) {
            let (mut b, t0) = (BinanceAdapter::new(), Instant::now());
            let payloads = payloads.each_ref().map(Vec::as_slice);
            exercise(&mut b, &payloads, &["sub", "unsub", "list"], t0, t0);
        }
    }
}
