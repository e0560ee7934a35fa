//! The consent page of the fake's authorize endpoint: plain HTML, clearly
//! labelled "Todoist sandbox", with Approve and Deny as one form POST.

use crate::config::FakeConfig;
use crate::oauth::{AuthorizeParams, Checked};

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#fafafa;color:#202020;\
margin:0;display:flex;justify-content:center}main{max-width:28rem;margin:3rem 1rem;\
background:#fff;border:1px solid #ddd;border-radius:8px;padding:1.5rem 2rem}\
.badge{display:inline-block;background:#fff3cd;border:1px solid #e0c36c;border-radius:4px;\
padding:.2rem .5rem;font-size:.85rem}h1{font-size:1.4rem}label{display:block;margin:1rem 0}\
input[type=text]{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}\
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:4px;\
border:1px solid #999;cursor:pointer}button[value=approve]{background:#db4c3f;color:#fff;\
border-color:#db4c3f}";

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn notice(config: &FakeConfig) -> &'static str {
    if config.development_run {
        "This is not Todoist. It is the Todoist sandbox of a development run of Onetip \
         (started because TODOIST_CLIENT_ID is unset): a fake Todoist on this machine, \
         with made-up tasks. No real Todoist account is involved."
    } else {
        "This is not Todoist. It is a fake Todoist used by tests, with made-up tasks. \
         No real Todoist account is involved."
    }
}

fn shell(config: &FakeConfig, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Todoist sandbox</title><style>{STYLE}</style></head>\
<body><main><p class=\"badge\">Todoist sandbox · development only</p>\
<h1>Todoist sandbox</h1><p>{notice}</p>{body}</main></body></html>\n",
        title = escape(title),
        notice = notice(config),
    )
}

fn describe(scope: &str) -> &'static str {
    match scope {
        "data:read_write" => "read and change your tasks and projects",
        "data:read" => "read your tasks and projects",
        "data:delete" => "read, change and delete your data",
        "task:add" => "add new tasks",
        "project:delete" => "delete projects",
        "backups:read" => "read your backups",
        _ => "an unknown permission",
    }
}

/// The page asking the person to approve or deny `checked`'s client.
pub(crate) fn page(config: &FakeConfig, p: &AuthorizeParams, checked: &Checked) -> String {
    let scopes: String = checked
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code>: {}</li>", escape(s), describe(s)))
        .collect();
    let hidden: String = [
        ("client_id", p.client_id.as_deref()),
        ("scope", p.scope.as_deref()),
        ("state", p.state.as_deref()),
        ("redirect_uri", p.redirect_uri.as_deref()),
        ("response_type", p.response_type.as_deref()),
        ("code_challenge", p.code_challenge.as_deref()),
        ("code_challenge_method", p.code_challenge_method.as_deref()),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|v| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(v)
            )
        })
    })
    .collect();
    let body = format!(
        "<p>The app <strong>{client}</strong> asks to:</p><ul>{scopes}</ul>\
<p>After you answer, you go back to <code>{redirect}</code>.</p>\
<form method=\"post\" action=\"/oauth/authorize\">{hidden}\
<label>Sandbox account (each name has its own made-up tasks)\
<input type=\"text\" name=\"account\" value=\"{account}\" required maxlength=\"64\" \
pattern=\"[A-Za-z0-9._@+\\-]+\"></label>\
<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
<button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button></form>",
        client = escape(&checked.client_id),
        redirect = escape(&checked.redirect_uri),
        account = escape(&config.default_account),
    );
    shell(config, "Authorize", &body)
}

/// A refusal that cannot be sent back to the client.
pub(crate) fn error_page(config: &FakeConfig, message: &str) -> String {
    let body = format!(
        "<h2>This authorization request cannot be used</h2><p>{}</p>",
        escape(message)
    );
    shell(config, "Error", &body)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
