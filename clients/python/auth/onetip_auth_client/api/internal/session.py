from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.session_state import SessionState
from ...types import Response


def _get_kwargs(
    sid: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/internal/sessions/{sid}".format(
            sid=quote(str(sid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SessionState | None:
    if response.status_code == 200:
        response_200 = SessionState.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | SessionState]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    sid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | SessionState]:
    """One session's state, for a gateway whose revoked list is stale.

    Args:
        sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionState]
    """

    kwargs = _get_kwargs(
        sid=sid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    sid: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | SessionState | None:
    """One session's state, for a gateway whose revoked list is stale.

    Args:
        sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionState
    """

    return sync_detailed(
        sid=sid,
        client=client,
    ).parsed


async def asyncio_detailed(
    sid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | SessionState]:
    """One session's state, for a gateway whose revoked list is stale.

    Args:
        sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionState]
    """

    kwargs = _get_kwargs(
        sid=sid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    sid: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | SessionState | None:
    """One session's state, for a gateway whose revoked list is stale.

    Args:
        sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionState
    """

    return (
        await asyncio_detailed(
            sid=sid,
            client=client,
        )
    ).parsed
