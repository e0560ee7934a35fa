//! The gateway as a black box, in one test binary (one link): fleet health
//! and forwarding, identity at the edge, revocation, inbound limits, proxy
//! headers, the gateway-auth contract, and the real sign-in chain.

mod contracts;
mod edge_auth;
mod forwarded_headers;
mod health_and_forwarding;
mod helpers;
mod limits;
mod revocation;
mod sign_in_flow;
