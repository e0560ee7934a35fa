//! Black-box tests of the auth service: security.md's "Sign-in and
//! sessions" and "ID token checks", one test each.

mod contracts;
mod edge;
mod helpers;
mod id_token;
mod sessions;
mod sign_in;
