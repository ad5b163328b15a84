//! A jq projection of the log (`f`, then `| .data.p`): the first output of a
//! program over each message, shown in the preview column instead of the payload.
//!
//! Outputs are computed by the app in `update` for the rows on screen
//! ([`Projection::compute`]) and kept by [`EntrySeq`], at most [`CACHE_LIMIT`] of
//! them (the oldest computed go first); drawing only looks them up
//! ([`Projection::get`]), so no program runs on the draw path.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::{EntrySeq, LogEntry, LogStore};
use crate::jq::{MessageError, Program};
use crate::session::FrameKind;

/// Outputs kept at most (a few screens' worth, many times over).
pub const CACHE_LIMIT: usize = 4096;

/// The longest output kept, in characters; longer ones end with `…`.
pub const MAX_CHARS: usize = 512;

/// What the projection shows for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projected {
    /// The first output as compact JSON (terminal-safe, cut with `…`).
    Value(String),
    /// The program gave no output.
    Nothing,
    /// The payload is not JSON (or the entry is not a data frame).
    NotJson,
    /// The program failed on this entry: jaq's message (the server's text: shown
    /// escaped).
    Error(String),
}

/// A compiled projection and the outputs computed so far.
#[derive(Debug, Clone)]
pub struct Projection {
    program: Arc<Program>,
    outputs: HashMap<EntrySeq, Projected>,
    /// The order outputs were computed in, oldest first, to forget the oldest.
    order: VecDeque<EntrySeq>,
}

impl Projection {
    /// A projection through `program`, nothing computed yet.
    pub fn new(program: Arc<Program>) -> Self {
        Projection {
            program,
            outputs: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// The program as typed.
    pub fn source(&self) -> &str {
        self.program.source()
    }

    /// What was computed for `seq`, if it was.
    pub fn get(&self, seq: EntrySeq) -> Option<&Projected> {
        self.outputs.get(&seq)
    }

    /// How many outputs are kept.
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// Computes the outputs of the entries `seqs` of `store` that are not known
    /// yet; returns how many it ran the program for.
    pub fn compute(&mut self, store: &LogStore, seqs: impl IntoIterator<Item = EntrySeq>) -> usize {
        let mut ran = 0;
        for seq in seqs {
            if self.outputs.contains_key(&seq) {
                continue;
            }
            let Some(entry) = store.get(seq) else {
                continue;
            };
            let projected = match entry {
                LogEntry::Frame(frame)
                    if matches!(frame.kind, FrameKind::Text | FrameKind::Binary) =>
                {
                    ran += 1;
                    project(&self.program, &frame.payload)
                }
                _ => Projected::NotJson,
            };
            if self.order.len() >= CACHE_LIMIT
                && let Some(oldest) = self.order.pop_front()
            {
                self.outputs.remove(&oldest);
            }
            self.outputs.insert(seq, projected);
            self.order.push_back(seq);
        }
        ran
    }
}

fn project(program: &Program, payload: &[u8]) -> Projected {
    let mut first = None;
    let result = program.run_message(payload, 1, |output| {
        let mut text = Vec::new();
        output.write_compact(&mut text);
        first = Some(cut(String::from_utf8_lossy(&text).into_owned()));
        false
    });
    match result {
        Ok(_) => first.map_or(Projected::Nothing, Projected::Value),
        Err(MessageError::NotJson) => Projected::NotJson,
        Err(MessageError::Run(error)) => Projected::Error(error.message),
    }
}

fn cut(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_CHARS) {
        text.truncate(at);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log::SystemLevel;
    use crate::state::log::testing::text_in;

    fn compiled(program: &str) -> Projection {
        Projection::new(Arc::new(Program::compile(program).unwrap()))
    }

    #[test]
    fn outputs_errors_and_non_json_per_entry() {
        let mut store = LogStore::new(100);
        store.push(text_in(r#"{"data":{"p":"1.5"}}"#));
        store.push(text_in(r#"{"data":5}"#));
        store.push(text_in("hello"));
        store.push(LogEntry::system(SystemLevel::Info, "connected"));
        store.push(text_in(r#"{"other":1}"#));
        let mut projection = compiled(".data.p");
        assert_eq!(projection.compute(&store, 0..5), 4);
        assert_eq!(projection.get(0), Some(&Projected::Value("\"1.5\"".into())));
        assert!(
            matches!(projection.get(1), Some(Projected::Error(message)) if message.contains("cannot index")),
            "{:?}",
            projection.get(1)
        );
        assert_eq!(projection.get(2), Some(&Projected::NotJson));
        assert_eq!(projection.get(3), Some(&Projected::NotJson));
        assert_eq!(projection.get(4), Some(&Projected::Value("null".into())));
        assert_eq!(projection.compute(&store, 0..5), 0, "computed once");

        let mut nothing = compiled("empty");
        nothing.compute(&store, [0]);
        assert_eq!(nothing.get(0), Some(&Projected::Nothing));
    }

    #[test]
    fn the_cache_is_bounded_and_long_outputs_are_cut() {
        let mut store = LogStore::new(CACHE_LIMIT + 10);
        for _ in 0..CACHE_LIMIT + 10 {
            store.push(text_in(r#"{"a":1}"#));
        }
        let mut projection = compiled(".a");
        projection.compute(&store, 0..(CACHE_LIMIT as EntrySeq + 10));
        assert_eq!(projection.len(), CACHE_LIMIT);
        assert_eq!(projection.get(0), None, "the oldest computed went first");
        assert!(projection.get(CACHE_LIMIT as EntrySeq + 9).is_some());

        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(2000));
        let mut store = LogStore::new(10);
        store.push(text_in(&long));
        let mut projection = compiled(".a");
        projection.compute(&store, [0]);
        let Some(Projected::Value(text)) = projection.get(0) else {
            panic!("{:?}", projection.get(0));
        };
        assert_eq!(text.chars().count(), MAX_CHARS + 1);
        assert!(text.ends_with('…'));
    }
}
