//! The auth service's routes, each module beside its handlers.

pub mod dev;
pub mod google;
pub mod internal;
pub mod keys;
pub mod session;
