//! The service's clock: the platform's one [`Clock`], which tests move
//! forward to cross idle and absolute session timeouts.

pub use platform::clock::Clock;
