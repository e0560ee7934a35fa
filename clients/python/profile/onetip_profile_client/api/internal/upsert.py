from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.upsert_user import UpsertUser
from ...models.upserted import Upserted
from ...types import Response


def _get_kwargs(
    *,
    body: UpsertUser,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/internal/users",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Upserted | None:
    if response.status_code == 200:
        response_200 = Upserted.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | Upserted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UpsertUser,
) -> Response[ErrorBody | Upserted]:
    """Creates the user on first sign-in; the same `google_sub` again returns
    the same id. Requires `Authorization: Bearer $INTERNAL_API_TOKEN`.

    Args:
        body (UpsertUser): `POST /internal/users` (auth → profile): who signed in.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Upserted]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: UpsertUser,
) -> ErrorBody | Upserted | None:
    """Creates the user on first sign-in; the same `google_sub` again returns
    the same id. Requires `Authorization: Bearer $INTERNAL_API_TOKEN`.

    Args:
        body (UpsertUser): `POST /internal/users` (auth → profile): who signed in.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Upserted
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UpsertUser,
) -> Response[ErrorBody | Upserted]:
    """Creates the user on first sign-in; the same `google_sub` again returns
    the same id. Requires `Authorization: Bearer $INTERNAL_API_TOKEN`.

    Args:
        body (UpsertUser): `POST /internal/users` (auth → profile): who signed in.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Upserted]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: UpsertUser,
) -> ErrorBody | Upserted | None:
    """Creates the user on first sign-in; the same `google_sub` again returns
    the same id. Requires `Authorization: Bearer $INTERNAL_API_TOKEN`.

    Args:
        body (UpsertUser): `POST /internal/users` (auth → profile): who signed in.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Upserted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
