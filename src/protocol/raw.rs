//! The raw adapter: frames as they are, nothing added. Used for `raw` and for
//! providers whose protocol is plain application JSON (echo, AWS API Gateway).

use std::time::Instant;

use super::{Adapter, Decoded, Reaction};
use crate::wire::PayloadKind;

/// Passes everything through undecoded.
#[derive(Debug)]
pub struct RawAdapter {
    name: &'static str,
}

impl RawAdapter {
    /// A raw adapter reporting `name` (one of the pass-through providers).
    pub fn new(name: &str) -> Self {
        let name = match name {
            "echo" => "echo",
            "aws-api-gateway" => "aws-api-gateway",
            _ => "raw",
        };
        Self { name }
    }
}

impl Adapter for RawAdapter {
    fn name(&self) -> &'static str {
        self.name
    }

    fn reads_incoming(&self) -> bool {
        false
    }

    fn on_incoming(&mut self, _payload: &[u8], _kind: PayloadKind, _now: Instant) -> Reaction {
        Reaction::default()
    }

    fn on_outgoing(
        &mut self,
        _payload: &[u8],
        _kind: PayloadKind,
        _now: Instant,
    ) -> Option<Decoded> {
        None
    }
}
