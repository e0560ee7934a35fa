//! The recommender's pure core: candidates and their features, the
//! eligibility rules, the advice catalogue and the words on a tip. No I/O.

pub mod advice;
pub mod candidate;
pub mod describe;
pub mod eligibility;

pub use candidate::{Candidate, Features};
