"""The fake Todoist held to Doist's official Python SDK (todoist-api-python).

The SDK is used unchanged: only its endpoint constants (API_URL and
OAUTH_URL in todoist_api_python._core.endpoints, read at call time) are
pointed at the fake. Every check goes through the SDK's own functions and
models, so a field name, a response shape or a status the fake gets wrong
makes the SDK fail here as it would against a wrong server.

Run by scripts/test-todoist-sdk.sh with TODOIST_FAKE_URL set; ends with the
plain line `todoist-sdk: N passed, N failed`.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import traceback
import uuid
from datetime import UTC, date, datetime

import httpx
import todoist_api_python
from todoist_api_python._core import endpoints
from todoist_api_python.api import TodoistAPI
from todoist_api_python.api_async import TodoistAPIAsync
from todoist_api_python.authentication import (
    get_auth_token,
    get_auth_token_async,
    get_authentication_url,
    revoke_auth_token,
)
from todoist_api_python.models import Task

BASE = os.environ["TODOIST_FAKE_URL"].rstrip("/")
# The fake is started accepting only this client, with this registered
# redirect URI (see scripts/test-todoist-sdk.sh).
CLIENT_ID = os.environ.get("TODOIST_FAKE_CLIENT_ID", "sdk-check-client")
CLIENT_SECRET = os.environ.get("TODOIST_FAKE_CLIENT_SECRET", "sdk-check-secret")
REDIRECT = os.environ.get(
    "TODOIST_FAKE_REDIRECT_URI", "http://localhost:8080/connect/todoist/callback"
)

# The only change to the SDK: where it sends its requests.
for name in ("API_URL", "OAUTH_URL"):
    if not hasattr(endpoints, name):
        sys.exit(f"todoist_api_python._core.endpoints has no {name}: the SDK changed")
endpoints.API_URL = f"{BASE}/api/v1"
endpoints.OAUTH_URL = f"{BASE}/oauth"

browser = httpx.Client(follow_redirects=False, timeout=10)


def control(method: str, path: str, **kwargs) -> httpx.Response:
    response = browser.request(method, f"{BASE}/__fake{path}", **kwargs)
    response.raise_for_status()
    return response


def approve(account: str, state: str) -> str:
    """Opens the SDK's authorization URL and presses Approve, as a person
    would: the code the fake sends back to the redirect URI."""
    url = get_authentication_url(CLIENT_ID, ["data:read_write"], state)
    assert url.startswith(f"{BASE}/oauth/authorize?"), url
    # The SDK's URL as it is: no redirect_uri, so the app's registered one
    # (TODOIST_FAKE_REDIRECT_URI) is used, as on Todoist.
    page = browser.get(url)
    assert page.status_code == 200, page.status_code
    assert "Todoist sandbox" in page.text
    assert 'value="approve"' in page.text and 'value="deny"' in page.text
    fields = dict(httpx.URL(url).params)
    fields.update(decision="approve", account=account)
    answer = browser.post(f"{BASE}/oauth/authorize", data=fields)
    assert answer.status_code == 303, answer.status_code
    back = httpx.URL(answer.headers["location"])
    assert str(back).startswith(f"{REDIRECT}?"), str(back)
    assert back.params["state"] == state
    return back.params["code"]


def token_for(account: str) -> str:
    state = uuid.uuid4().hex
    result = get_auth_token(CLIENT_ID, CLIENT_SECRET, approve(account, state))
    assert result.state == state
    return result.access_token


def all_pages(api: TodoistAPI, **kwargs) -> list[list[Task]]:
    return list(api.get_tasks(**kwargs))


def active_ids(account: str) -> list[str]:
    tasks = control("GET", "/tasks", params={"account": account}).json()
    return [t["id"] for t in tasks if not t["checked"]]


# --- the checks ------------------------------------------------------------


def test_the_token_exchange_of_the_sdks_oauth_helper_works():
    state = "sdk-state-1"
    code = approve("sdk-oauth", state)
    result = get_auth_token(CLIENT_ID, CLIENT_SECRET, code)
    assert result.state == state
    assert len(result.access_token) == 40
    with TodoistAPI(result.access_token) as api:
        assert all_pages(api)


def test_a_wrong_client_secret_is_refused():
    code = approve("sdk-oauth", "s-secret")
    try:
        get_auth_token(CLIENT_ID, "not-the-secret", code)
    except httpx.HTTPStatusError as e:
        assert e.response.status_code == 401
        assert e.response.json()["error"] == "invalid_client"
    else:
        raise AssertionError("a wrong client secret was accepted")


def test_a_code_cannot_be_exchanged_twice():
    code = approve("sdk-oauth", "s2")
    get_auth_token(CLIENT_ID, CLIENT_SECRET, code)
    try:
        get_auth_token(CLIENT_ID, CLIENT_SECRET, code)
    except httpx.HTTPStatusError as e:
        assert e.response.status_code == 400
        assert e.response.json()["error"] == "invalid_grant"
    else:
        raise AssertionError("a reused code was accepted")


def test_the_async_token_exchange_works_too():
    code = approve("sdk-async", "s3")
    result = asyncio.run(get_auth_token_async(CLIENT_ID, CLIENT_SECRET, code))
    assert result.state == "s3"


def test_listing_walks_every_page_into_sdk_task_models():
    account = "sdk-pages"
    with TodoistAPI(token_for(account)) as api:
        pages = all_pages(api, limit=20)
    tasks = [t for page in pages for t in page]
    expected = active_ids(account)
    assert len(expected) > 50
    assert [t.id for t in tasks] == expected, "every task once, in order"
    assert len(pages) == math.ceil(len(expected) / 20)
    assert all(len(p) == 20 for p in pages[:-1])
    assert all(isinstance(t, Task) for t in tasks)
    assert any(t.due is not None and t.due.is_recurring for t in tasks)
    assert any(t.parent_id is not None for t in tasks)
    assert any(t.labels for t in tasks)
    for t in tasks:
        assert isinstance(t.created_at, datetime) and t.created_at.tzinfo is not None
        assert isinstance(t.updated_at, datetime)
        assert t.completed_at is None and not t.is_completed
        assert t.creator_id and t.order >= 1
        assert t.priority in (1, 2, 3, 4)
        assert t.url.startswith("https://app.todoist.com/app/task/")
        if t.due is not None:
            assert isinstance(t.due.date, (date, datetime))


def test_the_default_page_is_fifty_tasks():
    with TodoistAPI(token_for("sdk-default")) as api:
        pages = all_pages(api)
    assert len(pages) == 2 and len(pages[0]) == 50


def test_the_filter_endpoint_pages_through_the_sdk():
    with TodoistAPI(token_for("sdk-filter")) as api:
        tasks = [
            t
            for page in api.filter_tasks(query="today | overdue", limit=5)
            for t in page
        ]
    today = datetime.now(UTC).date()
    assert tasks
    for t in tasks:
        due = t.due.date
        assert (due.date() if isinstance(due, datetime) else due) <= today


def test_closing_a_task_completes_it_once_with_the_sdks_request_id():
    account = "sdk-close"
    sent: list[str] = []

    def request_id() -> str:
        sent.append(str(uuid.uuid4()))
        return sent[-1]

    with TodoistAPI(token_for(account), request_id_fn=request_id) as api:
        tasks = [t for page in api.get_tasks(limit=200) for t in page]
        task = next(t for t in tasks if t.due is None and t.parent_id is None)
        assert api.complete_task(task.id) is True
        closed = api.get_task(task.id)
        assert closed.is_completed and isinstance(closed.completed_at, datetime)
        assert task.id not in [t.id for page in api.get_tasks() for t in page]
        assert api.uncomplete_task(task.id) is True
        assert not api.get_task(task.id).is_completed
    stats = control("GET", "/stats").json()["users"][account]
    assert stats["closes"] == 1 and stats["closed_task_ids"] == [task.id]
    # The SDK's X-Request-Id of the close (and reopen) reached the fake.
    assert stats["request_ids"] and all(r in sent for r in stats["request_ids"])


def test_a_recurring_task_moves_to_its_next_date_and_stays_active():
    with TodoistAPI(token_for("sdk-recurring")) as api:
        tasks = [t for page in api.get_tasks(limit=200) for t in page]
        task = next(t for t in tasks if t.content == "Take vitamins")
        assert task.due.is_recurring and task.due.string == "every day"
        assert api.complete_task(task.id) is True
        moved = api.get_task(task.id)
        assert not moved.is_completed
        assert moved.due.date > task.due.date


def test_the_async_client_pages_too():
    account = "sdk-async-pages"
    token = token_for(account)

    async def run() -> list[Task]:
        async with TodoistAPIAsync(token) as api:
            return [t async for page in await api.get_tasks(limit=50) for t in page]

    tasks = asyncio.run(run())
    assert [t.id for t in tasks] == active_ids(account)


def test_errors_reach_the_sdk_as_http_errors_with_retry_after():
    with TodoistAPI(token_for("sdk-errors")) as api:
        control(
            "POST", "/faults", json={"route": "tasks", "status": 429, "retry_after": 9}
        )
        try:
            all_pages(api)
        except httpx.HTTPStatusError as e:
            assert e.response.status_code == 429
            assert e.response.headers["retry-after"] == "9"
            body = e.response.json()
            assert body["error_tag"] == "LIMITS_REACHED" and body["error_code"] == 35
            assert body["error_extra"]["retry_after"] == 9
        else:
            raise AssertionError("the queued 429 did not reach the SDK")
        try:
            api.complete_task("no-such-task")
        except httpx.HTTPStatusError as e:
            assert e.response.status_code == 404
        else:
            raise AssertionError("closing an unknown task succeeded")


def test_revoking_through_the_sdk_ends_the_token():
    token = token_for("sdk-revoke")
    assert revoke_auth_token(CLIENT_ID, CLIENT_SECRET, token) is True
    with TodoistAPI(token) as api:
        try:
            all_pages(api)
        except httpx.HTTPStatusError as e:
            assert e.response.status_code == 401
        else:
            raise AssertionError("a revoked token still lists tasks")


def main() -> int:
    version = getattr(todoist_api_python, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("todoist-api-python")
    print(f"todoist-api-python {version} against {BASE}")
    tests = [
        (n, f) for n, f in globals().items() if n.startswith("test_") and callable(f)
    ]
    passed = failed = 0
    for name, test in tests:
        try:
            test()
        except Exception:  # noqa: BLE001 - every failure is reported and counted
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"todoist-sdk: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
