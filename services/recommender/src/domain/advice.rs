//! The built-in advice cards: what Onetip offers when no task is eligible
//! or no source answered. Short, concrete, and each one doable in minutes.

/// One advice card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advice {
    /// Stable: it is the candidate id (`advice:<slug>`) in the decision log.
    pub slug: &'static str,
    pub title: &'static str,
    pub body: &'static str,
}

const fn card(slug: &'static str, title: &'static str, body: &'static str) -> Advice {
    Advice { slug, title, body }
}

/// Every card, in a fixed order (positions in the log depend on it).
pub const CATALOGUE: &[Advice] = &[
    card(
        "two-minute-rule",
        "Do one thing that takes under two minutes",
        "A reply, a bill, a bin. If it takes less time than writing it down, do it now.",
    ),
    card(
        "write-down-whats-on-your-mind",
        "Write down what is on your mind",
        "Get every open loop out of your head and onto a list. Deciding comes after.",
    ),
    card(
        "pick-tomorrows-first-task",
        "Choose tomorrow's first task",
        "Decide it tonight, so tomorrow starts with doing instead of choosing.",
    ),
    card(
        "glass-of-water",
        "Drink a glass of water",
        "Tiredness and a foggy head are often just thirst.",
    ),
    card(
        "stand-and-stretch",
        "Stand up and stretch for a minute",
        "Roll your shoulders, look at something far away, breathe out slowly.",
    ),
    card(
        "clear-your-desk",
        "Clear one surface",
        "Your desk, a shelf or the kitchen table: five minutes, then stop.",
    ),
    card(
        "break-it-down",
        "Break a big task into its first step",
        "Name the very next physical action, small enough to start in five minutes.",
    ),
    card(
        "inbox-to-zero",
        "Empty one inbox",
        "Archive, answer in two lines, or turn the message into a task. Nothing stays.",
    ),
    card(
        "short-walk",
        "Take a ten-minute walk",
        "Without your phone if you can. Ideas tend to arrive on the way back.",
    ),
    card(
        "thank-someone",
        "Thank someone",
        "A two-line message to a person who helped you lately. It costs a minute.",
    ),
    card(
        "review-the-week",
        "Look at the week ahead",
        "Check your calendar for the next seven days and note what needs preparing.",
    ),
    card(
        "single-task-timer",
        "Work for 25 minutes on one thing",
        "Set a timer, close everything else, and stop when it rings.",
    ),
    card(
        "plan-a-rest",
        "Plan a real break",
        "Put an hour with no obligations in your calendar this week, and keep it.",
    ),
    card(
        "connect-a-source",
        "Put your tasks in one place",
        "Onetip picks from your Todoist tasks: the more of them live there, the better the pick.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_at_least_twelve_distinct_short_cards() {
        assert!(CATALOGUE.len() >= 12);
        let mut slugs: Vec<_> = CATALOGUE.iter().map(|a| a.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), CATALOGUE.len(), "slugs are unique");
        for a in CATALOGUE {
            assert!(a.title.len() <= 60, "{} is short", a.slug);
            assert!(!a.body.is_empty() && a.body.len() <= 120, "{} body", a.slug);
            assert!(
                a.slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is a plain slug",
                a.slug
            );
        }
    }
}
