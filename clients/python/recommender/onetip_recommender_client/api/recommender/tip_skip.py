from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.skip_request import SkipRequest
from ...models.tip_action_answer import TipActionAnswer
from ...types import UNSET, Response, Unset


def _get_kwargs(
    decision_id: str,
    *,
    body: None | SkipRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/tips/{decision_id}/skip".format(
            decision_id=quote(str(decision_id), safe=""),
        ),
    }

    if isinstance(body, SkipRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | TipActionAnswer | None:
    if response.status_code == 200:
        response_200 = TipActionAnswer.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | TipActionAnswer]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SkipRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | TipActionAnswer]:
    """Skips the tip, with an optional reason, and answers the next one.

    Args:
        decision_id (str):
        idempotency_key (None | str | Unset):
        body (None | SkipRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TipActionAnswer]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SkipRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | TipActionAnswer | None:
    """Skips the tip, with an optional reason, and answers the next one.

    Args:
        decision_id (str):
        idempotency_key (None | str | Unset):
        body (None | SkipRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TipActionAnswer
    """

    return sync_detailed(
        decision_id=decision_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SkipRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | TipActionAnswer]:
    """Skips the tip, with an optional reason, and answers the next one.

    Args:
        decision_id (str):
        idempotency_key (None | str | Unset):
        body (None | SkipRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TipActionAnswer]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SkipRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | TipActionAnswer | None:
    """Skips the tip, with an optional reason, and answers the next one.

    Args:
        decision_id (str):
        idempotency_key (None | str | Unset):
        body (None | SkipRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TipActionAnswer
    """

    return (
        await asyncio_detailed(
            decision_id=decision_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
