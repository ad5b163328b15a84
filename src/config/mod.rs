//! Profiles: saved connections, built-in presets, secrets and templates (in progress).
