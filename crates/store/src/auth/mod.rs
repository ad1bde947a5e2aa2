//! Signing in: sessions and the login throttle.

pub mod sessions;
pub mod throttle;
