//! The JSON model the inspector shows: a document checked and indexed once
//! ([`JsonDoc`]), and its pretty or folded lines built as they are shown
//! ([`JsonLayout`]).

mod check;
mod doc;
mod index;
mod layout;
#[cfg(test)]
mod properties;

pub use doc::JsonDoc;
pub use layout::{JsonLayout, line_chars};
