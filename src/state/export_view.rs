//! What `:export` writes: the log's entries as the pane shows them (the filtered
//! ones while a filter is on, otherwise all), as records. A system line that
//! stands for a handshake, a close or a recorded state change is written as that
//! record ([`AppState::records_behind`]); every connection's handshake goes before
//! its first exported entry, even when a filter hides its line, so a HAR export
//! knows where each message went.

use crate::recording::export::ExportSource;
use crate::recording::{FORMAT_VERSION, FrameRecord, Record, SessionHeader, Timestamp};
use crate::state::app::AppState;
use crate::state::log::{EntrySeq, LogEntry};

/// The entries the log pane shows, as an export.
pub fn export_source(state: &AppState) -> ExportSource {
    let seqs: Vec<EntrySeq> = match &state.filter {
        Some(filter) => (0..filter.view.len())
            .filter_map(|index| filter.view.get(index))
            .collect(),
        None => (state.log.first_seq()..state.log.end_seq()).collect(),
    };
    let handshakes: Vec<EntrySeq> = state
        .records_behind
        .iter()
        .filter(|(_, record)| matches!(record, Record::Handshake(_)))
        .map(|(seq, _)| *seq)
        .collect();
    let mut records = Vec::with_capacity(seqs.len());
    // The handshake whose connection the entries belong to, and whether it was written.
    let mut next_handshake = 0;
    let mut current: Option<(EntrySeq, bool)> = None;
    for seq in seqs {
        let Some(entry) = state.log.get(seq) else {
            continue;
        };
        while handshakes.get(next_handshake).is_some_and(|&at| at <= seq) {
            current = Some((handshakes[next_handshake], false));
            next_handshake += 1;
        }
        if let Some((at, written)) = current.as_mut()
            && !*written
        {
            *written = true;
            if *at != seq
                && let Some(record) = state.records_behind.get(at)
            {
                records.push(record.clone());
            }
        }
        records.push(match entry {
            LogEntry::Frame(frame) => Record::Frame(FrameRecord::from_frame(frame)),
            LogEntry::System {
                timestamp,
                level,
                text,
            } => match state.records_behind.get(&seq) {
                Some(record) => record.clone(),
                None => Record::System {
                    time: Timestamp::truncated(*timestamp),
                    level: level.name().to_string(),
                    text: text.clone(),
                },
            },
        });
    }
    ExportSource {
        header: header(state, &records),
        records,
    }
}

/// The opened recording's header, or one for the live session.
fn header(state: &AppState, records: &[Record]) -> SessionHeader {
    if let Some(header) = state
        .connection
        .recording
        .as_ref()
        .and_then(|recording| recording.header.clone())
    {
        return header;
    }
    let started = records
        .first()
        .map(Record::time)
        .unwrap_or_else(|| Timestamp::truncated(std::time::SystemTime::now()));
    SessionHeader {
        version: FORMAT_VERSION,
        wsdeck: env!("CARGO_PKG_VERSION").to_string(),
        started,
        url: state.connection.url.clone(),
        profile: state.connection.profile.clone(),
        provider: state
            .extras
            .names_a_provider()
            .then(|| state.extras.provider.clone()),
    }
}
