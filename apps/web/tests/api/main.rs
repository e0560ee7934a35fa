//! Black-box tests of the web app: the real router on a real port, with
//! wiremock standing in for the gateway.

mod account;
mod connect;
mod contracts;
mod csrf;
mod helpers;
mod install;
mod pages;
mod security;
mod signin;
mod status;
mod tip;
