//! What the seeded lists are made of: projects, a pool of everyday tasks,
//! the recurring tasks and the parents with subtasks every account has.

use crate::model::Recurrence;

/// Projects and their sections.
pub(super) const PROJECTS: [(&str, &[&str]); 6] = [
    ("Inbox", &[]),
    ("Work", &["This week", "Later"]),
    ("Home", &["Chores"]),
    ("Errands", &[]),
    ("Health", &[]),
    ("Learning", &[]),
];

/// (content, project, labels) of the optional tasks.
pub(super) const POOL: &[(&str, usize, &[&str])] = &[
    ("Reply to Sam about the offsite dates", 1, &["email"]),
    (
        "Review the pull request for the billing page",
        1,
        &["deep-work"],
    ),
    ("Update the onboarding checklist", 1, &[]),
    ("Send the invoice to Northwind", 1, &["email"]),
    ("Book a 1:1 with Priya", 1, &["calls"]),
    ("Write the incident postmortem", 1, &["deep-work"]),
    ("Clean up the shared drive", 1, &["15min"]),
    ("Draft the hiring plan for Q3", 1, &["deep-work"]),
    ("Renew the SSL certificate for the blog", 1, &[]),
    ("Prepare questions for the design review", 1, &[]),
    ("Ask IT for a second monitor", 1, &["15min"]),
    ("Archive old Slack channels", 1, &["15min"]),
    ("Fix the leaking kitchen tap", 2, &[]),
    ("Order a new vacuum filter", 2, &["online"]),
    ("Call the landlord about the heating", 2, &["calls"]),
    ("Sort the winter clothes", 2, &[]),
    ("Hang the picture frames", 2, &[]),
    ("Descale the kettle", 2, &["15min"]),
    ("Replace the smoke detector battery", 2, &["15min"]),
    ("Back up the family photos", 2, &["online"]),
    (
        "Cancel the unused streaming subscription",
        2,
        &["online", "15min"],
    ),
    ("Plan Sunday dinner with the neighbours", 2, &[]),
    ("Buy coffee beans", 3, &["shopping"]),
    ("Pick up the dry cleaning", 3, &[]),
    ("Return the library books", 3, &[]),
    ("Post the birthday card to Grandma", 3, &[]),
    ("Get a spare key cut", 3, &[]),
    ("Buy a gift for Lena's wedding", 3, &["shopping"]),
    ("Drop off the recycling", 3, &["15min"]),
    ("Collect the parcel from the post office", 3, &[]),
    ("Book a dentist appointment", 4, &["calls"]),
    ("Go for a 5 km run", 4, &[]),
    ("Refill the prescription", 4, &[]),
    ("Stretch for 10 minutes", 4, &["15min"]),
    ("Schedule the eye test", 4, &["calls"]),
    ("Try the new yoga class", 4, &[]),
    (
        "Read a chapter of 'Designing Data-Intensive Applications'",
        5,
        &["reading"],
    ),
    ("Finish the Rust async course module", 5, &["deep-work"]),
    ("Practise Spanish on the app", 5, &["15min"]),
    ("Watch the talk on CRDTs", 5, &[]),
    ("Write notes on the last book", 5, &["reading"]),
    ("Sign up for the photography workshop", 5, &["online"]),
    ("Think about a side project idea", 0, &[]),
    ("Check the car's tyre pressure", 0, &["15min"]),
    ("Look up train times for the weekend", 0, &["online"]),
    ("Send photos from the hike to Tom", 0, &["15min"]),
    ("Find a plumber recommendation", 0, &["calls"]),
    ("Email the school about the trip form", 0, &["email"]),
    ("Compare electricity tariffs", 0, &["online"]),
    ("Unsubscribe from newsletters", 0, &["15min", "email"]),
    ("Tidy the desk", 0, &["15min"]),
    ("Choose a paint colour for the hallway", 2, &[]),
];

/// Tasks every account has: (content, project, labels, recurrence, due in days).
pub(super) const RECURRING: [(&str, usize, &[&str], Recurrence, i64); 5] = [
    ("Take vitamins", 4, &[], Recurrence::EveryDays(1), 0),
    (
        "Write stand-up notes",
        1,
        &["15min"],
        Recurrence::Weekdays,
        0,
    ),
    ("Weekly review", 1, &["deep-work"], Recurrence::Weekly, 2),
    ("Water the plants", 2, &[], Recurrence::EveryDays(3), -1),
    ("Pay rent", 2, &["money"], Recurrence::Monthly, 9),
];

/// Parents with their subtasks: (content, project, children).
pub(super) const WITH_SUBTASKS: [(&str, usize, &[&str]); 2] = [
    (
        "Plan the trip to Lisbon",
        2,
        &["Book flights", "Book the hotel", "Check passport expiry"],
    ),
    (
        "Prepare the quarterly report",
        1,
        &["Collect the numbers from finance", "Draft the slides"],
    ),
];
