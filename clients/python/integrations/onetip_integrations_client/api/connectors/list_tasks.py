from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.candidates import Candidates
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    if_none_match: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/integrations/tasks",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Candidates | ErrorBody | None:
    if response.status_code == 200:
        response_200 = Candidates.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Candidates | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Candidates | ErrorBody]:
    """The user's open tasks from every connected service, and one report per
    connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
    provider failing: the last good list, up to 24 h old), `failed`,
    `not_connected` or `reconnect_required`, with `as_of`. The items, their
    event ids included, stay the same while the source's cached list does.

    Args:
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Candidates | ErrorBody]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Candidates | ErrorBody | None:
    """The user's open tasks from every connected service, and one report per
    connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
    provider failing: the last good list, up to 24 h old), `failed`,
    `not_connected` or `reconnect_required`, with `as_of`. The items, their
    event ids included, stay the same while the source's cached list does.

    Args:
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Candidates | ErrorBody
    """

    return sync_detailed(
        client=client,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Candidates | ErrorBody]:
    """The user's open tasks from every connected service, and one report per
    connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
    provider failing: the last good list, up to 24 h old), `failed`,
    `not_connected` or `reconnect_required`, with `as_of`. The items, their
    event ids included, stay the same while the source's cached list does.

    Args:
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Candidates | ErrorBody]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Candidates | ErrorBody | None:
    """The user's open tasks from every connected service, and one report per
    connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
    provider failing: the last good list, up to 24 h old), `failed`,
    `not_connected` or `reconnect_required`, with `as_of`. The items, their
    event ids included, stay the same while the source's cached list does.

    Args:
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Candidates | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            if_none_match=if_none_match,
        )
    ).parsed
