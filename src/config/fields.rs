//! How profile fields are read and written: humane durations (`30s`) and sizes
//! (`64MiB`), provider names, headers, templates and secret references checked as
//! they are read (so a bad value is reported at its line and column), and TOML
//! errors turned into messages that name the key, the section and the position.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use serde_json::Value;

use super::error::ProfileError;
use super::secrets;
use crate::protocol::registry;
use crate::template;
use crate::units::{parse_duration, parse_size};

/// `Option<Duration>` as a humane string (`30s`, `1m 30s`, `500ms`); a bare number
/// is read as seconds.
pub mod duration {
    use super::*;

    /// Writes `Some(d)` with humantime's format.
    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_str(&humantime::format_duration(*d).to_string()),
            None => s.serialize_none(),
        }
    }

    /// Reads a string, an integer or a float (seconds).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        d.deserialize_any(Humane(
            "a duration such as \"30s\" or \"500ms\"",
            parse_duration,
        ))
        .map(Some)
    }
}

/// `Option<usize>` as a byte size (`64MiB`, `512KB`, or a number of bytes).
pub mod size {
    use super::*;

    /// Writes whole KiB/MiB/GiB as such (`64MiB`), anything else as a number.
    pub fn serialize<S: Serializer>(value: &Option<usize>, s: S) -> Result<S::Ok, S::Error> {
        let Some(bytes) = *value else {
            return s.serialize_none();
        };
        for (unit, factor) in [("GiB", 1usize << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if bytes >= factor && bytes % factor == 0 {
                return s.serialize_str(&format!("{}{unit}", bytes / factor));
            }
        }
        s.serialize_u64(bytes as u64)
    }

    /// Reads a string or an integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_any(Humane("a size such as \"64MiB\" or 1000", parse_size))
            .map(Some)
    }
}

/// A visitor taking strings and numbers through a humane parser.
struct Humane<T>(&'static str, fn(&str) -> Result<T, String>);

impl<T> Visitor<'_> for Humane<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.1)(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        (self.1)(&v.to_string()).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        (self.1)(&v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        (self.1)(&v.to_string()).map_err(E::custom)
    }
}

/// A string whose `${…}` references are well formed (resolved later, at connect time).
pub fn references<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    secrets::references(&text).map_err(de::Error::custom)?;
    Ok(Some(text))
}

/// `pin_sha256`: one hash or a list of them, each checked as it is read.
pub fn pins<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let pins = match OneOrMany::deserialize(d)? {
        OneOrMany::One(pin) => vec![pin],
        OneOrMany::Many(pins) => pins,
    };
    for pin in &pins {
        crate::session::tls_verify::parse_pin(pin).map_err(de::Error::custom)?;
    }
    Ok(pins)
}

/// A provider name from [`registry::names`].
pub fn provider<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let name = String::deserialize(d)?;
    registry::find(&name).map_err(de::Error::custom)?;
    Ok(Some(name))
}

/// A Socket.IO major version: 2, 3 or 4.
pub fn socket_io_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    let version = u8::deserialize(d)?;
    if !(2..=4).contains(&version) {
        return Err(de::Error::custom(format!(
            "socket_io_version {version} is not one wsdeck speaks: 2 (Engine.IO 3), 3 or 4 (Engine.IO 4)"
        )));
    }
    Ok(Some(version))
}

/// A message template using only the built-in variables.
pub fn template<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    template::check_names(&text, &[]).map_err(de::Error::custom)?;
    Ok(text)
}

/// The auth template: the built-in variables and `{{type}}`.
pub fn auth_template<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    template::check_names(&text, &["type"]).map_err(de::Error::custom)?;
    Ok(Some(text))
}

/// Header names fit for HTTP; values with well-formed references.
pub fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let headers = BTreeMap::<String, String>::deserialize(d)?;
    for (name, value) in &headers {
        let bad = |c: char| c.is_whitespace() || c.is_control() || c == ':';
        if name.is_empty() || name.contains(bad) {
            return Err(de::Error::custom(format!(
                "'{name}' is not a valid header name (no spaces, colons or control characters)"
            )));
        }
        secrets::references(value)
            .map_err(|error| de::Error::custom(format!("header {name}: {error}")))?;
    }
    Ok(headers)
}

/// Checks the templates in every string of a JSON value (e.g. the handshake payload).
pub fn check_payload(value: &Value, path: &str, origin: &str) -> Result<(), ProfileError> {
    match value {
        Value::String(text) => {
            template::check_names(text, &[]).map_err(|error| ProfileError::Invalid {
                origin: origin.to_string(),
                field: path.to_string(),
                message: error.to_string(),
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_payload(item, &format!("{path}[{i}]"), origin)),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(key, item)| check_payload(item, &format!("{path}.{key}"), origin)),
        _ => Ok(()),
    }
}

/// Removes nulls (which TOML cannot hold) from objects and arrays.
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Array(items) => {
            items.retain(|item| !item.is_null());
            items.iter_mut().for_each(strip_nulls);
        }
        Value::Object(map) => {
            map.retain(|_, item| !item.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The `[table]` or `[[array]]` header governing a line (1-based), if any.
fn section_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .map(str::trim)
        .filter(|l| l.starts_with('['))
        .last()
        .map(|header| {
            let end = header.rfind(']').map_or(header.len(), |i| i + 1);
            header[..end].to_string()
        })
}

/// Turns a TOML error into a [`ProfileError::Parse`] naming the position, and for an
/// unknown key the key, its section and the keys that are known there.
pub fn parse_error(text: &str, origin: &str, error: &toml::de::Error) -> ProfileError {
    let position = error.span().map(|span| line_column(text, span.start));
    let at = position
        .map(|(line, column)| format!(" at line {line}, column {column}"))
        .unwrap_or_default();
    let raw = error.message().trim_end();
    let mut key = None;
    let message = if let Some(rest) = raw.strip_prefix("unknown field `")
        && let Some((name, tail)) = rest.split_once('`')
    {
        key = Some(name.to_string());
        let known = tail
            .trim_start_matches(',')
            .trim()
            .trim_start_matches("expected")
            .trim()
            .trim_start_matches("one of")
            .replace('`', "");
        let section = position
            .and_then(|(line, _)| section_at(text, line))
            .map(|section| format!(" in {section}"))
            .unwrap_or_default();
        let known = if known.trim().is_empty() || known.contains("no fields") {
            String::new()
        } else {
            format!(" (known keys: {})", known.trim())
        };
        format!("unknown key `{name}`{section}{at}{known}")
    } else {
        format!("{raw}{at}")
    };
    ProfileError::Parse {
        origin: origin.to_string(),
        message,
        line: position.map(|(line, _)| line),
        column: position.map(|(_, column)| column),
        key,
    }
}
