//! The integrations service's routes, each module beside its handlers, and
//! the signed-in user every `/api` route and the callback need.

pub mod callback;
pub mod connectors;
pub mod items;
pub mod tasks;

pub use platform::identity::CurrentUser;

use crate::AppState;

impl platform::identity::TokenVerifier for AppState {
    fn verifier(&self) -> &platform::jwt::Verifier {
        &self.verifier
    }
}
