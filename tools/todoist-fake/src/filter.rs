//! A small part of Todoist's filter language, for `GET /api/v1/tasks/filter`:
//! `today`, `tomorrow`, `overdue`, `no date`, `recurring`, `subtask`,
//! `N days`, `p1`–`p4`, `@label`, `#Project`, `search: text`, `all`,
//! combined with `|` (or `,`), `&`, `!` and parentheses. Anything else is a
//! 400, as Todoist answers a filter it cannot read.

use time::Date;

use crate::model::{Task, parse_date};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Today,
    Tomorrow,
    Overdue,
    NoDate,
    Recurring,
    Subtask,
    WithinDays(i64),
    Priority(u8),
    Label(String),
    Project(String),
    Search(String),
    All,
}

/// Reads `query`; `None` when it is not a filter this fake knows.
pub(crate) fn parse(query: &str) -> Option<Filter> {
    let mut parser = Parser {
        chars: query.chars().collect(),
        pos: 0,
    };
    let filter = parser.or()?;
    parser.skip_spaces();
    (parser.pos == parser.chars.len()).then_some(filter)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn skip_spaces(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_spaces();
        let found = self.chars.get(self.pos) == Some(&c);
        self.pos += usize::from(found);
        found
    }

    fn or(&mut self) -> Option<Filter> {
        let mut left = self.and()?;
        while self.eat('|') || self.eat(',') {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Filter> {
        let mut left = self.unary()?;
        while self.eat('&') {
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Some(left)
    }

    fn unary(&mut self) -> Option<Filter> {
        if self.eat('!') {
            return Some(Filter::Not(Box::new(self.unary()?)));
        }
        if self.eat('(') {
            let inner = self.or()?;
            return self.eat(')').then_some(inner);
        }
        self.skip_spaces();
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| !"|&(),".contains(*c))
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        term(text.trim())
    }
}

fn term(text: &str) -> Option<Filter> {
    let lower = text.to_lowercase();
    if let Some(label) = text.strip_prefix('@') {
        return Some(Filter::Label(label.trim().to_owned()));
    }
    if let Some(project) = text.strip_prefix('#') {
        return Some(Filter::Project(project.trim().to_owned()));
    }
    if let Some(words) = lower.strip_prefix("search:") {
        return Some(Filter::Search(words.trim().to_owned()));
    }
    if let Some(n) = lower
        .strip_suffix(" days")
        .map(|n| n.trim_start_matches("next ").trim())
    {
        return n.parse().ok().map(Filter::WithinDays);
    }
    Some(match lower.as_str() {
        "today" => Filter::Today,
        "tomorrow" => Filter::Tomorrow,
        "overdue" | "od" => Filter::Overdue,
        "no date" | "no due date" => Filter::NoDate,
        "recurring" => Filter::Recurring,
        "subtask" => Filter::Subtask,
        "all" | "view all" => Filter::All,
        "p1" => Filter::Priority(4),
        "p2" => Filter::Priority(3),
        "p3" => Filter::Priority(2),
        "p4" => Filter::Priority(1),
        _ => return None,
    })
}

impl Filter {
    /// Whether `task` of `account` matches, with `today` as the fake's date.
    pub(crate) fn matches(&self, task: &Task, account: &str, today: Date) -> bool {
        let due = task.due.as_ref().and_then(|d| parse_date(&d.date));
        match self {
            Filter::Or(a, b) => a.matches(task, account, today) || b.matches(task, account, today),
            Filter::And(a, b) => a.matches(task, account, today) && b.matches(task, account, today),
            Filter::Not(a) => !a.matches(task, account, today),
            Filter::Today => due == Some(today),
            Filter::Tomorrow => due == Some(today + time::Duration::days(1)),
            Filter::Overdue => due.is_some_and(|d| d < today),
            Filter::NoDate => task.due.is_none(),
            Filter::Recurring => task.due.as_ref().is_some_and(|d| d.is_recurring),
            Filter::Subtask => task.parent_id.is_some(),
            Filter::WithinDays(n) => {
                due.is_some_and(|d| d >= today && d < today + time::Duration::days(*n))
            }
            Filter::Priority(p) => task.priority == *p,
            Filter::Label(l) => task.labels.iter().any(|x| x.eq_ignore_ascii_case(l)),
            Filter::Project(name) => {
                crate::seed::project_id(account, name).is_some_and(|id| task.project_id == id)
            }
            Filter::Search(words) => task.content.to_lowercase().contains(words.as_str()),
            Filter::All => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_parentheses_are_read() {
        assert_eq!(
            parse("(today | overdue) & p1"),
            Some(Filter::And(
                Box::new(Filter::Or(
                    Box::new(Filter::Today),
                    Box::new(Filter::Overdue)
                )),
                Box::new(Filter::Priority(4))
            ))
        );
        assert_eq!(
            parse("!no date"),
            Some(Filter::Not(Box::new(Filter::NoDate)))
        );
        assert_eq!(parse("next 7 days"), Some(Filter::WithinDays(7)));
        assert_eq!(parse("@errand"), Some(Filter::Label("errand".to_owned())));
    }

    #[test]
    fn unknown_filters_are_refused() {
        assert_eq!(parse("assigned to: me"), None);
        assert_eq!(parse("(today"), None);
        assert_eq!(parse(""), None);
    }
}
