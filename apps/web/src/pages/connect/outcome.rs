//! What the last attempt came to, in one plain sentence: every
//! [`ConnectError`] code has its own, by an exhaustive match.

use shared_types::integrations::ConnectError;

use super::Outcome;

/// The sentence for the query's outcome, and whether it is good news.
/// Only known names and codes are put into words: nothing from the query
/// is shown as it came.
pub(super) fn message(q: &Outcome, known: &[(String, String)]) -> Option<(&'static str, String)> {
    let display = |name: Option<&String>| -> String {
        name.and_then(|n| known.iter().find(|(k, _)| k == n))
            .map(|(_, display)| display.clone())
            .or_else(|| {
                // The list may be unavailable: the first connector is still known by name.
                (name.map(String::as_str) == Some("todoist")).then(|| "Todoist".to_owned())
            })
            .unwrap_or_else(|| "The service".to_owned())
    };
    if let Some(code) = &q.error {
        let who = display(q.connector.as_ref());
        let sentence = match ConnectError::parse(code) {
            Some(code) => error_sentence(code, &who),
            None => general_failure(&who),
        };
        return Some(("error", sentence));
    }
    if let Some(name) = &q.connected {
        return Some(("ok", format!("{} is connected.", display(Some(name)))));
    }
    if let Some(name) = &q.disconnected {
        return Some(("ok", format!("{} is disconnected.", display(Some(name)))));
    }
    None
}

/// For a code that is not one of ours.
fn general_failure(who: &str) -> String {
    format!("Connecting to {who} did not work. Please try again.")
}

/// One plain sentence per code the callback (and web's own handlers) can
/// send back: the match has an arm for every [`ConnectError`], so a new
/// code cannot be left without one.
fn error_sentence(code: ConnectError, who: &str) -> String {
    match code {
        ConnectError::AccessDenied => format!(
            "You declined on {who}'s page, so {who} is not connected. \
             You can connect it whenever you like."
        ),
        ConnectError::StateMissing => format!(
            "{who} sent you back without the details of this attempt, so nothing was \
             connected. Please try again."
        ),
        ConnectError::StateUnknown => "This connection attempt is unknown or was already used, so \
             nothing was connected. Please start again from this page."
            .to_owned(),
        ConnectError::StateExpired => {
            "This connection attempt took too long and expired, so nothing \
             was connected. Please start again from this page."
                .to_owned()
        }
        ConnectError::StateForeign => {
            "This connection attempt was started by another account or in \
             another session, so it was not used. Start again from this page while signed in."
                .to_owned()
        }
        ConnectError::WrongProvider => {
            "The answer came back for a different service than the one this \
             attempt was started for, so nothing was connected. Please start again."
                .to_owned()
        }
        ConnectError::CodeRejected => format!(
            "{who} did not accept the approval (it may have expired or been used already), \
             so nothing was connected. Please try again."
        ),
        ConnectError::RateLimited => {
            format!("{who} asks us to slow down for a moment. Please try again in a minute.")
        }
        ConnectError::ProviderFailed => format!(
            "{who} did not answer properly, so nothing was connected. Please try again shortly."
        ),
        ConnectError::NotSignedIn => format!(
            "You were not signed in when {who} sent you back, so nothing was connected. \
             Sign in, then connect again."
        ),
        ConnectError::UnknownConnector => "There is no service of that name to connect.".to_owned(),
        ConnectError::StartFailed => format!(
            "Connecting to {who} could not be started just now. Please try again in a moment."
        ),
        ConnectError::DisconnectFailed => {
            format!("{who} could not be disconnected just now. Please try again in a moment.")
        }
        ConnectError::Internal => "Something went wrong on our side, so nothing was connected. \
             Please try again."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_gets_its_own_sentence_and_unknown_ones_the_general_one() {
        let general = general_failure("Todoist");
        let mut seen = std::collections::HashSet::new();
        for code in ConnectError::ALL {
            let sentence = error_sentence(code, "Todoist");
            assert_ne!(sentence, general, "{code}");
            assert!(seen.insert(sentence), "{code}: not its own sentence");
        }
        assert_eq!(seen.len(), 14);
        let unknown = Outcome {
            connector: Some("todoist".into()),
            error: Some("no-such-code".into()),
            ..Outcome::default()
        };
        assert_eq!(message(&unknown, &[]), Some(("error", general)));
    }
}
