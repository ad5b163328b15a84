//! Knowing the protocol: with the raw adapter, the first frames of a link are
//! compared with the providers' signatures, and a match is reported with how to
//! switch; `:provider NAME` switches the session to another adapter and reconnects.

use std::sync::Arc;

use super::{Actor, Link};
use crate::protocol::registry::{self, Provider};
use crate::session::config::SessionConfig;
use crate::session::event::{ErrorKind, Event};

/// How many text frames of a link are looked at before giving up on recognising it.
const FRAMES_TO_RECOGNISE: u8 = 3;

impl Actor {
    /// A link opened: with the raw adapter, start looking for a known protocol, and
    /// report one the agreed subprotocol already names.
    pub(super) async fn start_recognising(&mut self, agreed_subprotocol: Option<&str>) {
        if self.provider.name != "raw" {
            return;
        }
        if let Some((provider, evidence)) = registry::recognise(agreed_subprotocol, None) {
            self.report_recognised(provider, evidence).await;
            return;
        }
        if let Link::Open(open) = &mut self.link {
            open.frames_to_recognise = FRAMES_TO_RECOGNISE;
        }
    }

    /// One of the first text frames of a link, with the raw adapter.
    pub(super) async fn recognise_frame(&mut self, payload: &[u8]) {
        let Link::Open(open) = &mut self.link else {
            return;
        };
        open.frames_to_recognise = open.frames_to_recognise.saturating_sub(1);
        let text = String::from_utf8_lossy(payload);
        if let Some((provider, evidence)) = registry::recognise(None, Some(&text)) {
            open.frames_to_recognise = 0;
            self.report_recognised(provider, evidence).await;
        }
    }

    async fn report_recognised(&mut self, provider: &'static Provider, evidence: &'static str) {
        self.emit(Event::ProviderRecognised {
            provider: provider.name,
            evidence,
        })
        .await;
    }

    /// `:provider NAME`: the session speaks NAME's protocol from the next link on,
    /// which starts at once.
    pub(super) async fn switch_provider(&mut self, name: &str) {
        let provider = match registry::find(name) {
            Ok(provider) => provider,
            Err(error) => {
                self.error(ErrorKind::InvalidInput, error.to_string()).await;
                return;
            }
        };
        let mut config = SessionConfig::clone(&self.config);
        // Subprotocols the old provider filled in are not the user's choice.
        let defaulted = config.subprotocols.iter().map(String::as_str).eq(self
            .provider
            .subprotocols
            .iter()
            .copied());
        if defaulted {
            config.subprotocols.clear();
        }
        config.provider = provider.name.to_string();
        config.notices.clear();
        // The name comes from the registry, so it is known.
        let _ = config.apply_provider_defaults();
        self.pending_notices = config.notices.clone();
        self.config = Arc::new(config);
        self.provider = provider;
        self.adapter = provider.adapter();
        self.adapter_reads_incoming = self.adapter.reads_incoming();
        self.opened_before = false;
        self.last_adapter_status.clear();
        self.emit(Event::AdapterStatus(Vec::new())).await;
        self.emit(Event::ProviderChanged {
            provider: provider.name,
            commands: self.adapter.commands(),
        })
        .await;
        self.reconnect_now().await;
    }
}
