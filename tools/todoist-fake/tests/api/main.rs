//! Black-box tests of the fake Todoist: each starts its own fake on
//! 127.0.0.1:0 and speaks HTTP to it, as the Todoist client will.

mod faults;
mod helpers;
mod oauth;
mod sizing;
mod sync;
mod tasks;
mod writes;
