//! `wsdeck request`: connect, authenticate, send one message, print the response
//! (the one whose `id` matches when the message has an `id`), close with 1000.

use std::time::SystemTime;

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::cli::RequestArgs;
use crate::protocol::Correlation;
use crate::session::{
    self, CloseOutcome, Direction, Event, Frame, FrameKind, MessageId, SessionConfig, SessionHandle,
};

use crate::terminal_text;

use super::output::{self, LineFormat};
use super::watch::{Ending, LifecycleWatch, describe_close};
use super::{shutdown_recording, spawn_session};
use crate::outcome::{Failure, FailureClass};

/// How long a timed-out request still waits for its close frame to be written.
const CLOSE_WRITE_GRACE: std::time::Duration = std::time::Duration::from_millis(50);

/// The response a request waited for.
#[derive(Debug, Clone)]
pub struct Response {
    /// The frame that answered.
    pub frame: Frame,
    /// Time from our message leaving to the response arriving.
    pub rtt: std::time::Duration,
    /// The URL (token redacted).
    pub url: String,
}

/// Runs `wsdeck request`, printing the result; in JSON mode the error is printed
/// as an envelope (and marked as shown), otherwise the caller prints it. A closed
/// stdout is not an error; a failed write (a full disk) is.
pub async fn run(args: RequestArgs) -> Result<(), Failure> {
    let correlation = args.message.as_deref().and_then(correlation_key);
    let correlation_id = correlation
        .as_ref()
        .map(value_as_id)
        .unwrap_or_else(random_id);
    // Terminal or not is asked before connecting, like `listen` does.
    let format = output::text_format(false);
    let result = exchange(&args, correlation.as_ref()).await;
    let envelope = |value: &Value| terminal_text::json_string(value) + "\n";
    match (result, args.json) {
        (Ok(response), true) => {
            output::print(&envelope(&success_envelope(&response, &correlation_id)))
        }
        (Ok(response), false) => output::print(&payload_line(&response.frame, format)),
        (Err(failure), true) => {
            output::print(&envelope(&failure_envelope(&failure, &correlation_id)))?;
            Err(failure.already_shown())
        }
        (Err(failure), false) => Err(failure),
    }
}

/// Connects, sends, and waits for the response within the timeout.
pub async fn exchange(
    args: &RequestArgs,
    correlation: Option<&Value>,
) -> Result<Response, Failure> {
    let resolved = super::setup::resolve(args.url.as_deref(), &args.connection)?;
    let mut config = resolved.session;
    // One-shot: a lost link is an answer, not something to retry.
    config.reconnect.enabled = false;
    let shown_url = shown_url(&config);
    let adapted = config.provider != "raw";
    if args.emit.is_some() && config.provider != "socket-io" {
        return Err(Failure::new(
            FailureClass::InvalidInput,
            "--emit is a Socket.IO shortcut: add --provider socket-io (or use a socket-io profile)",
        ));
    }
    let mut recorder =
        super::record::for_command(args.record.as_ref(), &config, resolved.profile_name)?;
    let (handle, mut events) = spawn_session(config)?;
    let deadline = Instant::now() + args.timeout;
    let _ = handle.connect();
    let our_id = submit(&handle, args, adapted)?;
    let mut awaiting = AwaitingResponse::new(our_id, adapted, correlation, shown_url);
    let outcome = loop {
        let event = match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) => event,
            Ok(None) => break Err(awaiting.watch.failure()),
            Err(_) => {
                let sent = awaiting.sent_at.is_some();
                break Err(timeout_failure(args, &awaiting.watch, sent));
            }
        };
        super::record::take_batch(recorder.as_mut(), std::slice::from_ref(&event));
        if let Some(outcome) = awaiting.on_event(&event) {
            break outcome;
        }
    };
    // The time asked for includes the goodbye: only what is left of it (and a moment
    // to write our close frame) is spent waiting for the peer's close.
    let left = deadline.saturating_duration_since(Instant::now());
    let grace = left.max(CLOSE_WRITE_GRACE);
    shutdown_recording(&handle, &mut events, grace, recorder.as_mut()).await;
    super::record::finish(recorder).await;
    outcome
}

/// The URL to show in the response: with the token in it, redacted.
pub(crate) fn shown_url(config: &SessionConfig) -> String {
    let url = config.auth.url_with_token(&config.url);
    crate::secret::Redactor::new(config.auth.token.iter())
        .text(url.as_str())
        .into_owned()
}

/// Hands the session our message: the --emit shortcut, or the message, through the
/// adapter when there is one.
fn submit(handle: &SessionHandle, args: &RequestArgs, adapted: bool) -> Result<MessageId, Failure> {
    let submitted = match (&args.emit, &args.message) {
        (Some(emit), _) => handle.shortcut("ack", emit.join(" ")),
        (None, Some(message)) if adapted => handle.compose(message.clone()),
        (None, Some(message)) => handle.send_text(message.clone()),
        (None, None) => unreachable!("clap requires --message or --emit"),
    };
    submitted.map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))
}

/// A request sent (or about to be), waiting for its response.
struct AwaitingResponse<'a> {
    our_id: MessageId,
    adapted: bool,
    correlation: Option<&'a Value>,
    shown_url: String,
    watch: LifecycleWatch,
    /// When the engine wrote our message: frames are stamped where they cross the
    /// socket, and events arrive here in batches, so the round trip is measured
    /// between the two stamps, not by when this loop happened to see them.
    sent_at: Option<SystemTime>,
    /// The adapter's correlation key for our message, once it went out.
    request_key: Option<String>,
}

impl<'a> AwaitingResponse<'a> {
    /// Waits for the response to the message `our_id`.
    fn new(
        our_id: MessageId,
        adapted: bool,
        correlation: Option<&'a Value>,
        shown_url: String,
    ) -> Self {
        Self {
            our_id,
            adapted,
            correlation,
            shown_url,
            watch: LifecycleWatch::default(),
            sent_at: None,
            request_key: None,
        }
    }

    /// Takes in one event; returns the outcome once it settles the request.
    fn on_event(&mut self, event: &Event) -> Option<Result<Response, Failure>> {
        match event {
            Event::Frame(frame)
                if frame.direction == Direction::Outgoing && frame.id == self.our_id =>
            {
                self.sent_at = Some(frame.timestamp);
                self.request_key = request_key_of(frame);
            }
            Event::Frame(frame)
                if frame.direction == Direction::Incoming && self.sent_at.is_some() =>
            {
                return self.on_incoming(frame);
            }
            // What the settings changed (a completed endpoint, http:// read as ws://),
            // said once; the insecure warning was printed at start.
            Event::ProviderRecognised { provider, evidence } => {
                eprintln!(
                    "wsdeck: this looks like {provider} ({evidence}): use --provider {provider}"
                );
            }
            Event::Notice(message) if message != session::INSECURE_NOTICE => {
                eprintln!("wsdeck: {message}");
            }
            Event::SendFailed { id, kind, message } if *id == self.our_id => {
                return Some(Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                )));
            }
            Event::Closed(outcome) if self.sent_at.is_some() || self.watch.has_opened() => {
                return self.on_closed(event, outcome);
            }
            _ => {
                if let Some(ending) = self.watch.observe(event) {
                    return Some(Err(match ending {
                        Ending::Failed(failure) => failure,
                        Ending::Closed(_) => self.watch.failure(),
                    }));
                }
            }
        }
        None
    }

    /// The outcome when an incoming frame answers our message: the response, or the
    /// error the server answered with.
    fn on_incoming(&self, frame: &Frame) -> Option<Result<Response, Failure>> {
        if !self.answers(frame) {
            return None;
        }
        if is_refusal(frame) {
            return Some(Err(refusal_failure(frame)));
        }
        let rtt = self
            .sent_at
            .and_then(|at| frame.timestamp.duration_since(at).ok())
            .unwrap_or_default();
        Some(Ok(Response {
            frame: frame.clone(),
            rtt,
            url: self.shown_url.clone(),
        }))
    }

    /// Whether an incoming frame answers our message: by the adapter's key when it
    /// gave one, else by the `id` (an adapter's heartbeat never answers).
    fn answers(&self, frame: &Frame) -> bool {
        match (&self.request_key, self.adapted) {
            (Some(key), _) => answers_key(frame, key),
            (None, true) => {
                is_response(frame, self.correlation)
                    && !frame.decoded.as_ref().is_some_and(|d| d.heartbeat)
            }
            (None, false) => is_response(frame, self.correlation),
        }
    }

    /// The outcome of a close: a failure, unless it is a 1008 (then the events that
    /// follow decide).
    fn on_closed(
        &mut self,
        event: &Event,
        outcome: &CloseOutcome,
    ) -> Option<Result<Response, Failure>> {
        self.watch.observe(event);
        if matches!(outcome.code, Some(1008)) {
            return None;
        }
        let mut failure = self.watch.failure();
        if failure.class == FailureClass::Closed || failure.class == FailureClass::Connection {
            failure = Failure::new(
                FailureClass::Closed,
                format!("{} before a response arrived", describe_close(outcome)),
            );
        }
        Some(Err(failure))
    }
}

/// Whether a response says no: a GraphQL error, a Home Assistant `success: false`, a
/// Socket.IO error: an answer, but not the one asked for.
fn is_refusal(frame: &Frame) -> bool {
    matches!(
        frame
            .decoded
            .as_ref()
            .and_then(|decoded| decoded.correlation.as_ref()),
        Some(Correlation::Response { ok: false, .. })
    )
}

/// The failure for a refusal, with what the server said.
fn refusal_failure(frame: &Frame) -> Failure {
    let why = frame
        .decoded
        .as_ref()
        .and_then(|decoded| decoded.data.as_ref().map(ToString::to_string))
        .or_else(|| frame.text().map(str::to_owned))
        .unwrap_or_default();
    Failure::new(
        FailureClass::Protocol,
        format!("the server answered with an error: {why}"),
    )
}

fn timeout_failure(args: &RequestArgs, watch: &LifecycleWatch, sent: bool) -> Failure {
    let waited = humantime::format_duration(args.timeout);
    let message = if !watch.has_opened() {
        format!(
            "could not connect to {} within {waited}",
            args.url.as_deref().unwrap_or("the profile's URL")
        )
    } else if !sent {
        format!(
            "connected, but the message could not be sent within {waited} (authentication pending?)"
        )
    } else {
        format!("no response within {waited} (--timeout to wait longer)")
    };
    Failure::new(FailureClass::Timeout, message)
}

/// The adapter's correlation key of a frame we sent, if it is a request.
fn request_key_of(frame: &Frame) -> Option<String> {
    match frame.decoded.as_ref()?.correlation.as_ref()? {
        Correlation::Request { key } => Some(key.clone()),
        Correlation::Response { .. } => None,
    }
}

/// Whether an incoming frame is the adapter-correlated response to `key`.
fn answers_key(frame: &Frame, key: &str) -> bool {
    let Some(Correlation::Response { key: answered, .. }) = frame
        .decoded
        .as_ref()
        .and_then(|decoded| decoded.correlation.as_ref())
    else {
        return false;
    };
    answered == key
}

/// The `id` field of a JSON object message, used to find its response.
pub fn correlation_key(message: &str) -> Option<Value> {
    match serde_json::from_str::<Value>(message) {
        Ok(Value::Object(object)) => object.get("id").filter(|id| !id.is_null()).cloned(),
        _ => None,
    }
}

/// Whether an incoming frame answers our message.
fn is_response(frame: &Frame, correlation: Option<&Value>) -> bool {
    if !matches!(frame.kind, FrameKind::Text | FrameKind::Binary) {
        return false;
    }
    let Some(wanted) = correlation else {
        return true;
    };
    let Some(text) = frame.text() else {
        return false;
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object.get("id") == Some(wanted),
        _ => false,
    }
}

fn value_as_id(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn random_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn timestamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// The response payload as JSON: what the adapter extracted (an ack's arguments, a
/// GraphQL result, a Home Assistant result) when there is one; else the frame parsed
/// when it is JSON text, a string otherwise, base64 for binary.
fn response_value(frame: &Frame) -> (Value, Option<&'static str>) {
    if let Some(data) = frame
        .decoded
        .as_ref()
        .and_then(|decoded| decoded.data.clone())
    {
        return (data, None);
    }
    match (frame.kind, frame.text()) {
        (FrameKind::Text, Some(text)) => (
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
            None,
        ),
        _ => (
            Value::String(base64::engine::general_purpose::STANDARD.encode(&frame.payload)),
            Some("base64"),
        ),
    }
}

/// `{"success":true,"message":…,"data":{"response":…,"url":…,"rtt_ms":…},…}`.
pub fn success_envelope(response: &Response, correlation_id: &str) -> Value {
    let (value, encoding) = response_value(&response.frame);
    let mut data = json!({
        "response": value,
        "url": response.url,
        "rtt_ms": (response.rtt.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        "kind": response.frame.kind.as_str(),
    });
    if let Some(encoding) = encoding {
        data["encoding"] = json!(encoding);
    }
    json!({
        "success": true,
        "message": "response received",
        "data": data,
        "timestamp": timestamp(),
        "correlation_id": correlation_id,
    })
}

/// `{"success":false,"error":…,"error_code":…,…}`.
pub fn failure_envelope(failure: &Failure, correlation_id: &str) -> Value {
    json!({
        "success": false,
        "error": failure.message,
        "error_code": failure.class.code_name(),
        "timestamp": timestamp(),
        "correlation_id": correlation_id,
    })
}

/// The response as one line of output: what the adapter extracted as JSON, else
/// the text (escaped when `format` says so) or base64.
fn payload_line(frame: &Frame, format: LineFormat) -> String {
    let mut line = if let Some(data) = frame
        .decoded
        .as_ref()
        .and_then(|decoded| decoded.data.as_ref())
    {
        terminal_text::json_string(data)
    } else {
        match (frame.kind, frame.text()) {
            (FrameKind::Text, Some(text)) if format == LineFormat::Escaped => {
                terminal_text::multi_line(text).into_owned()
            }
            (FrameKind::Text, Some(text)) => text.to_owned(),
            _ => base64::engine::general_purpose::STANDARD.encode(&frame.payload),
        }
    };
    line.push('\n');
    line
}
