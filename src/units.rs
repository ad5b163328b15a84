//! Humane units on the command line and in config: durations like `30s`, `500ms`,
//! `1m 30s` or a bare number of seconds (`2.5`), and sizes like `64MiB` or `1000`.

use std::time::Duration;

/// The longest duration a flag takes: a year is "never" for every setting here.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Parses a duration: a bare number means seconds; otherwise humantime's syntax.
/// Anything over [`MAX_DURATION`] is refused with a clear message.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let trimmed = input.trim();
    let invalid = || format!("'{input}' is not a valid duration; use e.g. 30s, 500ms or 2.5");
    let duration = match trimmed.parse::<f64>() {
        Ok(seconds) if seconds >= 0.0 => {
            Duration::try_from_secs_f64(seconds).map_err(|_| too_long(input))?
        }
        Ok(_) => return Err(invalid()),
        Err(_) => humantime::parse_duration(trimmed).map_err(|_| invalid())?,
    };
    if duration > MAX_DURATION {
        return Err(too_long(input));
    }
    Ok(duration)
}

fn too_long(input: &str) -> String {
    format!(
        "'{input}' is too long; the most is {}",
        humantime::format_duration(MAX_DURATION)
    )
}

/// Parses a byte size: a bare number of bytes, or a number with B, KB, KiB, MB, MiB,
/// GB or GiB (case-insensitive).
pub fn parse_size(input: &str) -> Result<usize, String> {
    let trimmed = input.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let invalid = || format!("'{input}' is not a valid size; use e.g. 64MiB, 512KB or 1000");
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let multiplier: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "kib" | "k" => 1024.0,
        "mb" => 1e6,
        "mib" | "m" => 1024.0 * 1024.0,
        "gb" => 1e9,
        "gib" | "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(invalid()),
    };
    let bytes = value * multiplier;
    if !bytes.is_finite() || bytes < 1.0 || bytes > usize::MAX as f64 {
        return Err(invalid());
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("1e20").unwrap_err().contains("too long"));
        assert!(parse_duration("NaN").is_err());
        assert!(parse_duration("400days").unwrap_err().contains("too long"));
        assert!(parse_duration("soon").unwrap_err().contains("30s"));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 * 1024 * 1024));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("1.5kb"), Ok(1500));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
    }
}
