//! `:every DURATION SNIPPET|MESSAGE` and `:every off`: the words after `every`,
//! read into what to schedule. Whether the rest names a snippet or is a message is
//! the app's call (it knows the snippets and the composer's format).

use std::time::Duration;

use crate::session::schedule::MIN_INTERVAL;
use crate::units::parse_duration;

/// How `:every` is written, for errors and the help.
pub const EVERY_USAGE: &str = "every DURATION SNIPPET|MESSAGE (e.g. every 5s ping), or every off";

/// What `:every` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EveryRequest {
    /// Send `what` (a snippet's name, or a message) every `interval`.
    Start {
        /// At least [`MIN_INTERVAL`].
        interval: Duration,
        /// The rest of the line, trimmed, never empty.
        what: String,
    },
    /// `every off`: stop the scheduled send.
    Stop,
}

/// Reads the words after `every`. Errors are ready to show.
pub fn parse_every(args: &str) -> Result<EveryRequest, String> {
    let args = args.trim();
    if args == "off" {
        return Ok(EveryRequest::Stop);
    }
    let (duration, what) = match args.split_once(char::is_whitespace) {
        Some((duration, what)) => (duration, what.trim()),
        None => (args, ""),
    };
    if duration.is_empty() {
        return Err(format!(
            "every needs an interval and a message: {EVERY_USAGE}"
        ));
    }
    let interval = parse_duration(duration).map_err(|error| format!("every: {error}"))?;
    if interval < MIN_INTERVAL {
        let least = humantime::format_duration(MIN_INTERVAL);
        return Err(format!(
            "every: '{duration}' is too often; the least interval is {least}"
        ));
    }
    if what.is_empty() {
        return Err(format!(
            "every {duration} needs a snippet name or a message: {EVERY_USAGE}"
        ));
    }
    Ok(EveryRequest::Start {
        interval,
        what: what.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_interval_and_what() {
        assert_eq!(
            parse_every("5s ping"),
            Ok(EveryRequest::Start {
                interval: Duration::from_secs(5),
                what: "ping".into()
            })
        );
        assert_eq!(
            parse_every("500ms {\"op\": \"ping\"}"),
            Ok(EveryRequest::Start {
                interval: Duration::from_millis(500),
                what: "{\"op\": \"ping\"}".into()
            })
        );
        assert_eq!(parse_every(" off "), Ok(EveryRequest::Stop));
    }

    #[test]
    fn refuses_what_cannot_be_scheduled() {
        assert!(parse_every("").unwrap_err().contains("needs an interval"));
        assert!(
            parse_every("soon ping")
                .unwrap_err()
                .contains("not a valid duration")
        );
        assert!(
            parse_every("50ms ping")
                .unwrap_err()
                .contains("least interval is 100ms")
        );
        assert!(
            parse_every("1m")
                .unwrap_err()
                .contains("snippet name or a message")
        );
    }
}
