//! The route table: which upstream answers a path. A pure function, so the
//! whole table is unit-tested without a socket.

/// Who answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Auth,
    Profile,
    Integrations,
    Recommender,
    Web,
    /// The gateway itself (`/health`, `/ready`, `/openapi.json`).
    Gateway,
    /// Never forwarded: `/internal/*`, and `/api/*` paths no service owns.
    NotFound,
}

/// Routes by path, as ARCHITECTURE.md's table says. The path is kept as
/// it is when forwarded; no prefix is stripped.
pub fn target(path: &str) -> Target {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/internal") {
        return Target::NotFound;
    }
    if matches!(path, "/health" | "/ready" | "/openapi.json") {
        return Target::Gateway;
    }
    if under("/auth") {
        return Target::Auth;
    }
    if path.starts_with("/connect/") && path.ends_with("/callback") {
        return Target::Integrations;
    }
    if under("/api") {
        return if path == "/api/me" {
            Target::Profile
        } else if path.starts_with("/api/connectors") || path.starts_with("/api/integrations/") {
            Target::Integrations
        } else if path == "/api/recommend"
            || path.starts_with("/api/feedback")
            || path.starts_with("/api/tips/")
        {
            Target::Recommender
        } else {
            Target::NotFound
        };
    }
    Target::Web
}

#[cfg(test)]
mod tests {
    use super::{Target::*, target};

    #[test]
    fn every_row_of_the_architecture_table_routes_where_it_says() {
        for (path, want) in [
            ("/auth/google/start", Auth),
            ("/auth/jwks.json", Auth),
            ("/api/me", Profile),
            ("/api/connectors", Integrations),
            ("/api/connectors/todoist/connect", Integrations),
            ("/api/integrations/tasks", Integrations),
            ("/connect/todoist/callback", Integrations),
            ("/api/recommend", Recommender),
            ("/api/feedback", Recommender),
            ("/api/feedback/events", Recommender),
            ("/api/tips/abc/done", Recommender),
            ("/health", Gateway),
            ("/", Web),
            ("/status", Web),
            ("/signin", Web),
            ("/connect", Web),
            ("/static/app.css", Web),
        ] {
            assert_eq!(target(path), want, "{path}");
        }
    }

    #[test]
    fn internal_paths_are_never_forwarded() {
        for path in [
            "/internal",
            "/internal/",
            "/internal/users",
            "/internal/x/y",
        ] {
            assert_eq!(target(path), NotFound, "{path}");
        }
    }

    #[test]
    fn unknown_api_paths_are_not_sent_to_web() {
        assert_eq!(target("/api/unknown"), NotFound);
        assert_eq!(target("/api/meow"), NotFound);
        assert_eq!(target("/apiary"), Web);
        assert_eq!(target("/authors"), Web);
    }
}
