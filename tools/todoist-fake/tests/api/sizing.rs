//! Sizing an account's list (the load benchmark's setup): the listing then
//! holds exactly that many open tasks, each once.

use std::collections::HashSet;

use crate::helpers::spawn;

#[tokio::test]
async fn an_account_sized_to_n_open_tasks_lists_exactly_n_distinct_tasks_across_pages() {
    let t = spawn().await;
    let token = t.token("bench");
    for n in [10, 1_000, 5] {
        t.fake.set_open_tasks("bench", n);
        let (tasks, pages) = t.list_all(&token, Some(200)).await;
        assert_eq!(tasks.len(), n, "sized to {n}");
        assert_eq!(pages, n.div_ceil(200), "sized to {n}");
        let ids: HashSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids.len(), n, "every id once when sized to {n}");
        assert!(tasks.iter().all(|t| !t.checked && t.parent_id.is_none()));
    }
}
