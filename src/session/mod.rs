//! The session engine: one actor task per connection that owns the socket and all
//! connection state. Callers talk to it through a [`SessionHandle`] and hear back
//! through a stream of [`Event`]s.

pub mod backoff;
pub mod close_code;
pub mod rate_limit;
