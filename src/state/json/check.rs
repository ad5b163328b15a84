//! serde_json's verdict on a document without building it: the parser and checks
//! that `serde_json::from_slice::<Value>` runs (so the same error messages), every
//! value visited and dropped on the spot.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

/// serde_json's description of what is wrong with `text` (`expected value at line 1
/// column 1`), or `None` when it is JSON.
pub(super) fn serde_error(text: &[u8]) -> Option<String> {
    serde_json::from_slice::<AnyValue>(text)
        .err()
        .map(|error| error.to_string())
}

/// Any JSON value, read and forgotten.
struct AnyValue;

/// An object's key, read as a string the way `Value` reads keys.
struct AnyKey;

struct AnyVisitor;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

impl<'de> Deserialize<'de> for AnyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(AnyVisitor)
            .map(|AnyValue| AnyKey)
    }
}

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = AnyValue;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_i64<E>(self, _: i64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_u64<E>(self, _: u64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_f64<E>(self, _: f64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_str<E>(self, _: &str) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_unit<E>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<AnyValue, A::Error> {
        while items.next_element::<AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<AnyValue, A::Error> {
        while members.next_key::<AnyKey>()?.is_some() {
            members.next_value::<AnyValue>()?;
        }
        Ok(AnyValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_verdict_and_words_as_value() {
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        for text in [
            "{\"a\": [1, 2.5, \"\\ud83d\\ude00\", null, true]}",
            "",
            "[1,]",
            "{\"a\" 1}",
            "[1e400]",
            "[\"\\ud800\"]",
            "{\"\\udc00\": 1}",
            "[\"\u{1}\"]",
            "[1] x",
            &deep,
        ] {
            let value = serde_json::from_str::<serde_json::Value>(text);
            assert_eq!(
                serde_error(text.as_bytes()),
                value.err().map(|e| e.to_string()),
                "{text:?}"
            );
        }
        assert!(serde_error(b"[\"\xff\"]").is_some());
    }
}
