//! Layering profiles: a built-in preset, then a saved profile, then command-line
//! flags, each layer a [`Profile`] merged over the one below with
//! [`Profile::merged_over`].

use super::profile::{
    AuthSettings, KeepaliveSettings, Profile, ReconnectSettings, Snippet, TlsSettings,
};

/// `mine` when it has anything, else a copy of `theirs`.
fn pick<T: Clone>(mine: Vec<T>, theirs: &[T]) -> Vec<T> {
    if mine.is_empty() {
        theirs.to_vec()
    } else {
        mine
    }
}

/// `theirs`, then those of `mine` it does not have yet.
fn unite<T: Clone + PartialEq>(mine: Vec<T>, theirs: &[T]) -> Vec<T> {
    let mut united = theirs.to_vec();
    for item in mine {
        if !united.contains(&item) {
            united.push(item);
        }
    }
    united
}

impl Profile {
    /// This profile layered over `base`, field by field, `self` winning: options take
    /// `self`'s value when set; headers are united (self's value wins per name, names
    /// compared case-insensitively); snippets are united by name (self's replace
    /// base's); CA files and certificate pins are united (trusting one more never
    /// drops one trusted below, as `--cacert` over a profile always did);
    /// subprotocols, on-connect messages and reply matchers are `self`'s when
    /// non-empty, else `base`'s.
    pub fn merged_over(self, base: &Profile) -> Profile {
        let mut headers = base.headers.clone();
        for (name, value) in self.headers {
            headers.retain(|existing, _| !existing.eq_ignore_ascii_case(&name));
            headers.insert(name, value);
        }
        let mut snippets: Vec<Snippet> = base
            .snippets
            .iter()
            .filter(|old| !self.snippets.iter().any(|new| new.name == old.name))
            .cloned()
            .collect();
        snippets.extend(self.snippets);
        let (auth, base_auth) = (self.auth, &base.auth);
        Profile {
            name: self.name.or_else(|| base.name.clone()),
            description: self.description.or_else(|| base.description.clone()),
            url: self.url.or_else(|| base.url.clone()),
            provider: self.provider.or_else(|| base.provider.clone()),
            message_format: self.message_format.or(base.message_format),
            origin: self.origin.or_else(|| base.origin.clone()),
            subprotocols: pick(self.subprotocols, &base.subprotocols),
            namespace: self.namespace.or_else(|| base.namespace.clone()),
            socket_io_version: self.socket_io_version.or(base.socket_io_version),
            app_key: self.app_key.or_else(|| base.app_key.clone()),
            rate_limit: self.rate_limit.or(base.rate_limit),
            max_message_size: self.max_message_size.or(base.max_message_size),
            queue_limit: self.queue_limit.or(base.queue_limit),
            connect_timeout: self.connect_timeout.or(base.connect_timeout),
            proxy: self.proxy.or_else(|| base.proxy.clone()),
            headers,
            handshake_payload: self
                .handshake_payload
                .or_else(|| base.handshake_payload.clone()),
            auth: AuthSettings {
                method: auth.method.or(base_auth.method),
                token: auth.token.or_else(|| base_auth.token.clone()),
                token_param: auth.token_param.or_else(|| base_auth.token_param.clone()),
                message_type: auth.message_type.or_else(|| base_auth.message_type.clone()),
                template: auth.template.or_else(|| base_auth.template.clone()),
                timeout: auth.timeout.or(base_auth.timeout),
                success: pick(auth.success, &base_auth.success),
                failure: pick(auth.failure, &base_auth.failure),
            },
            keepalive: KeepaliveSettings {
                ping_interval: self
                    .keepalive
                    .ping_interval
                    .or(base.keepalive.ping_interval),
                pong_timeout: self.keepalive.pong_timeout.or(base.keepalive.pong_timeout),
            },
            reconnect: ReconnectSettings {
                enabled: self.reconnect.enabled.or(base.reconnect.enabled),
                max_attempts: self.reconnect.max_attempts.or(base.reconnect.max_attempts),
                initial_delay: self
                    .reconnect
                    .initial_delay
                    .or(base.reconnect.initial_delay),
                max_delay: self.reconnect.max_delay.or(base.reconnect.max_delay),
            },
            tls: TlsSettings {
                insecure: self.tls.insecure.or(base.tls.insecure),
                ca_files: unite(self.tls.ca_files, &base.tls.ca_files),
                pin_sha256: unite(self.tls.pin_sha256, &base.tls.pin_sha256),
                cert: self.tls.cert.or_else(|| base.tls.cert.clone()),
                key: self.tls.key.or_else(|| base.tls.key.clone()),
            },
            on_connect: pick(self.on_connect, &base.on_connect),
            snippets,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::profile::tests::full_profile;

    #[test]
    fn merge_lets_self_win_field_by_field() {
        let base = full_profile();
        let over = Profile {
            url: Some("ws://other".into()),
            headers: [("x-key".to_string(), "new".to_string())]
                .into_iter()
                .collect(),
            keepalive: KeepaliveSettings {
                ping_interval: Some(Duration::from_secs(1)),
                pong_timeout: None,
            },
            snippets: vec![
                Snippet {
                    name: "states".into(),
                    text: "mine".into(),
                    description: None,
                },
                Snippet {
                    name: "extra".into(),
                    text: "x".into(),
                    description: None,
                },
            ],
            auth: AuthSettings {
                token: Some("${env:OTHER}".into()),
                ..AuthSettings::default()
            },
            ..Profile::default()
        };
        let merged = over.merged_over(&base);
        assert_eq!(merged.url.as_deref(), Some("ws://other"));
        assert_eq!(merged.provider, base.provider);
        assert_eq!(merged.headers.get("x-key").map(String::as_str), Some("new"));
        assert!(!merged.headers.contains_key("X-Key"));
        assert!(merged.headers.contains_key("X-Plain"));
        assert_eq!(merged.keepalive.ping_interval, Some(Duration::from_secs(1)));
        assert_eq!(merged.keepalive.pong_timeout, base.keepalive.pong_timeout);
        let names: Vec<&str> = merged.snippets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["states", "extra"]);
        assert_eq!(merged.snippets[0].text, "mine");
        assert_eq!(merged.auth.token.as_deref(), Some("${env:OTHER}"));
        assert_eq!(merged.auth.method, base.auth.method);
        assert_eq!(merged.auth.success, base.auth.success);
        assert_eq!(merged.on_connect, base.on_connect);
        // Nothing over a base is the base; a profile over nothing is itself.
        assert_eq!(Profile::default().merged_over(&base), base);
        assert_eq!(base.clone().merged_over(&Profile::default()), base);
    }

    #[test]
    fn trusted_certificates_add_up_across_layers() {
        let layer = |files: &[&str], pins: &[&str]| Profile {
            tls: TlsSettings {
                ca_files: files.iter().map(Into::into).collect(),
                pin_sha256: pins.iter().map(|pin| pin.to_string()).collect(),
                ..TlsSettings::default()
            },
            ..Profile::default()
        };
        let merged = layer(&["b.pem", "a.pem"], &["p2"]).merged_over(&layer(&["a.pem"], &["p1"]));
        assert_eq!(merged.tls, layer(&["a.pem", "b.pem"], &["p1", "p2"]).tls);
    }
}
