//! Black-box tests of the profile service: the internal upsert, `GET` and
//! `PATCH /api/me`, and the access-token checks on the way in.

mod contracts;
mod helpers;
mod me;
mod users;
