//! What the log pane shows: a [`Filter`] on direction, frame kind, text and system
//! lines, built once and tested against entries without allocating; and, when a
//! jq condition is given, the program run over each message's payload.

use std::sync::Arc;

use super::LogEntry;
use super::pattern::Pattern;
use crate::jq::Program;
use crate::session::{Direction, FrameKind};

/// How many plain entries one entry run through a jq program counts as, when a
/// filter is stepped with a budget: jaq takes a few microseconds where the other
/// conditions take tens of nanoseconds.
pub const JQ_ENTRY_COST: usize = 32;

/// A compiled jq program as a filter condition: equal when the programs read
/// the same.
#[derive(Debug, Clone)]
pub struct JqCondition(Arc<Program>);

impl JqCondition {
    /// The condition `program` keeps messages by.
    pub fn new(program: Arc<Program>) -> Self {
        JqCondition(program)
    }

    /// The program as typed.
    pub fn source(&self) -> &str {
        self.0.source()
    }

    /// Whether the program keeps `payload`: it is JSON and the program yields a
    /// value that is not false or null. A runtime error does not keep it.
    pub fn keeps(&self, payload: &[u8]) -> bool {
        self.0.keeps_message(payload).unwrap_or(false)
    }
}

impl PartialEq for JqCondition {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

impl Eq for JqCondition {}

/// A set of frame kinds, as a small bitset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindSet(u8);

impl KindSet {
    /// No kind.
    pub const NONE: KindSet = KindSet(0);
    /// Every kind.
    pub const ALL: KindSet = KindSet(0b1_1111);
    /// Data messages: text and binary.
    pub const DATA: KindSet = KindSet::NONE.with(FrameKind::Text).with(FrameKind::Binary);
    /// Control frames: ping, pong and close.
    pub const CONTROL: KindSet = KindSet::NONE
        .with(FrameKind::Ping)
        .with(FrameKind::Pong)
        .with(FrameKind::Close);

    const fn bit(kind: FrameKind) -> u8 {
        match kind {
            FrameKind::Text => 1,
            FrameKind::Binary => 1 << 1,
            FrameKind::Ping => 1 << 2,
            FrameKind::Pong => 1 << 3,
            FrameKind::Close => 1 << 4,
        }
    }

    /// The set holding only `kind`.
    pub const fn only(kind: FrameKind) -> Self {
        KindSet(Self::bit(kind))
    }

    /// This set plus `kind`.
    pub const fn with(self, kind: FrameKind) -> Self {
        KindSet(self.0 | Self::bit(kind))
    }

    /// This set without `kind`.
    pub const fn without(self, kind: FrameKind) -> Self {
        KindSet(self.0 & !Self::bit(kind))
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: FrameKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    /// Whether every kind is in the set.
    pub const fn is_all(self) -> bool {
        self.0 == Self::ALL.0
    }
}

/// Every kind.
impl Default for KindSet {
    fn default() -> Self {
        KindSet::ALL
    }
}

impl FromIterator<FrameKind> for KindSet {
    fn from_iter<I: IntoIterator<Item = FrameKind>>(kinds: I) -> Self {
        kinds.into_iter().fold(KindSet::NONE, KindSet::with)
    }
}

/// What the log pane keeps. The default keeps everything; narrow it with the
/// `with_*` methods. A frame is kept when its direction, kind and text all pass; a
/// system line has no direction or kind, so it is kept when system lines are shown
/// and its text passes. Text matching follows [`Pattern`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    direction: Option<Direction>,
    kinds: KindSet,
    text: Option<Pattern>,
    hide_system: bool,
    hide_heartbeats: bool,
    jq: Option<JqCondition>,
}

impl Filter {
    /// Keeps frames that went this way only (`None`: both ways).
    pub fn with_direction(mut self, direction: Option<Direction>) -> Self {
        self.direction = direction;
        self
    }

    /// Keeps frames of these kinds only.
    pub fn with_kinds(mut self, kinds: KindSet) -> Self {
        self.kinds = kinds;
        self
    }

    /// Keeps entries containing `query` only (an empty query removes the condition).
    pub fn with_text(mut self, query: &str, case_sensitive: bool) -> Self {
        self.text = (!query.is_empty()).then(|| Pattern::new(query, case_sensitive));
        self
    }

    /// Shows or hides system lines.
    pub fn with_system(mut self, show: bool) -> Self {
        self.hide_system = !show;
        self
    }

    /// Shows or hides protocol heartbeats and automatic replies (as the adapter
    /// marks them: Engine.IO pings, graphql `ka`, Phoenix heartbeats, …).
    pub fn with_heartbeats(mut self, show: bool) -> Self {
        self.hide_heartbeats = !show;
        self
    }

    /// Keeps only the messages `jq` keeps (system lines are not run through it).
    pub fn with_jq(mut self, jq: Option<JqCondition>) -> Self {
        self.jq = jq;
        self
    }

    /// The jq condition, if any.
    pub fn jq(&self) -> Option<&JqCondition> {
        self.jq.as_ref()
    }

    /// What one entry costs to test, in plain entries (see [`JQ_ENTRY_COST`]).
    pub fn entry_cost(&self) -> usize {
        if self.jq.is_some() { JQ_ENTRY_COST } else { 1 }
    }

    /// Whether heartbeats and automatic replies are shown.
    pub fn shows_heartbeats(&self) -> bool {
        !self.hide_heartbeats
    }

    /// The direction kept, `None` for both.
    pub fn direction(&self) -> Option<Direction> {
        self.direction
    }

    /// The frame kinds kept.
    pub fn kinds(&self) -> KindSet {
        self.kinds
    }

    /// The text condition, if any.
    pub fn text(&self) -> Option<&Pattern> {
        self.text.as_ref()
    }

    /// Whether system lines are shown.
    pub fn shows_system(&self) -> bool {
        !self.hide_system
    }

    /// Whether the filter keeps every entry (the pane can then use the store directly).
    pub fn is_everything(&self) -> bool {
        self.direction.is_none()
            && self.kinds.is_all()
            && self.text.is_none()
            && !self.hide_system
            && !self.hide_heartbeats
            && self.jq.is_none()
    }

    /// Whether `entry` is kept.
    pub fn matches(&self, entry: &LogEntry) -> bool {
        let passes_header = match entry {
            LogEntry::Frame(frame) => {
                self.direction.is_none_or(|way| way == frame.direction)
                    && self.kinds.contains(frame.kind)
                    && !(self.hide_heartbeats
                        && frame
                            .decoded
                            .as_ref()
                            .is_some_and(|decoded| decoded.heartbeat))
            }
            LogEntry::System { .. } => !self.hide_system,
        };
        passes_header
            && self
                .text
                .as_ref()
                .is_none_or(|text| text.matches_entry(entry))
            && match (&self.jq, entry) {
                (Some(jq), LogEntry::Frame(frame)) => jq.keeps(&frame.payload),
                _ => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log::SystemLevel;
    use crate::state::log::testing::{frame, text_in, text_out};

    fn ping() -> LogEntry {
        frame(Direction::Outgoing, FrameKind::Ping, &b""[..])
    }

    #[test]
    fn kind_sets() {
        assert!(KindSet::default().is_all());
        assert!(KindSet::DATA.contains(FrameKind::Binary));
        assert!(!KindSet::DATA.contains(FrameKind::Ping));
        assert_eq!(
            KindSet::DATA
                .with(FrameKind::Ping)
                .with(FrameKind::Pong)
                .with(FrameKind::Close),
            KindSet::ALL
        );
        assert_eq!(
            KindSet::ALL
                .without(FrameKind::Text)
                .without(FrameKind::Binary),
            KindSet::CONTROL
        );
        assert_eq!(
            [FrameKind::Close].into_iter().collect::<KindSet>(),
            KindSet::only(FrameKind::Close)
        );
        assert!(!KindSet::NONE.contains(FrameKind::Text));
    }

    #[test]
    fn the_default_filter_keeps_everything() {
        let filter = Filter::default();
        assert!(filter.is_everything());
        assert!(filter.matches(&text_in("a")));
        assert!(filter.matches(&ping()));
        assert!(filter.matches(&LogEntry::system(SystemLevel::Info, "connected")));
        assert!(Filter::default().with_text("", true).is_everything());
    }

    #[test]
    fn filters_by_direction() {
        let filter = Filter::default().with_direction(Some(Direction::Incoming));
        assert!(!filter.is_everything());
        assert!(filter.matches(&text_in("a")));
        assert!(!filter.matches(&text_out("a")));
        assert!(!filter.matches(&ping()));
        assert!(filter.matches(&LogEntry::system(SystemLevel::Info, "connected")));
    }

    #[test]
    fn filters_by_kind() {
        let filter = Filter::default().with_kinds(KindSet::DATA);
        assert!(filter.matches(&text_out("a")));
        assert!(filter.matches(&frame(Direction::Incoming, FrameKind::Binary, &b"\x01"[..])));
        assert!(!filter.matches(&ping()));
        assert!(!filter.matches(&frame(Direction::Incoming, FrameKind::Close, &b"bye"[..])));
    }

    #[test]
    fn filters_by_text_in_frames_and_system_lines() {
        let filter = Filter::default().with_text("ERROR", false);
        assert!(filter.matches(&text_in(r#"{"error":"nope"}"#)));
        assert!(!filter.matches(&text_in(r#"{"ok":true}"#)));
        assert!(filter.matches(&LogEntry::system(
            SystemLevel::Error,
            "auth error: bad token"
        )));
        assert!(!filter.matches(&LogEntry::system(SystemLevel::Info, "connected")));
        assert_eq!(filter.text().map(Pattern::query), Some("ERROR"));
        let exact = Filter::default().with_text("ERROR", true);
        assert!(!exact.matches(&text_in(r#"{"error":"nope"}"#)));
    }

    #[test]
    fn a_jq_condition_keeps_json_messages_it_selects_and_leaves_system_lines_be() {
        let program = Arc::new(Program::compile(r#"select(.e == "trade")"#).unwrap());
        let filter = Filter::default().with_jq(Some(JqCondition::new(program)));
        assert!(!filter.is_everything());
        assert_eq!(filter.entry_cost(), JQ_ENTRY_COST);
        assert!(filter.matches(&text_in(r#"{"e":"trade"}"#)));
        assert!(!filter.matches(&text_in(r#"{"e":"depth"}"#)));
        assert!(!filter.matches(&text_in("not json")), "not JSON: not kept");
        assert!(
            !filter.matches(&text_in("[1]")),
            "a runtime error: not kept"
        );
        assert!(filter.matches(&LogEntry::system(SystemLevel::Info, "connected")));
        assert!(
            !filter
                .with_system(false)
                .matches(&LogEntry::system(SystemLevel::Info, "x"))
        );
    }

    #[test]
    fn hides_system_lines_and_combines_conditions() {
        let filter = Filter::default()
            .with_direction(Some(Direction::Outgoing))
            .with_kinds(KindSet::only(FrameKind::Text))
            .with_text("sub", true)
            .with_system(false);
        assert!(!filter.shows_system());
        assert!(filter.matches(&text_out(r#"{"op":"subscribe"}"#)));
        assert!(!filter.matches(&text_in(r#"{"op":"subscribe"}"#)));
        assert!(!filter.matches(&text_out(r#"{"op":"ping"}"#)));
        assert!(!filter.matches(&LogEntry::system(SystemLevel::Info, "sub")));
        assert_eq!(filter.clone(), filter);
        assert_ne!(filter, Filter::default());
    }
}
