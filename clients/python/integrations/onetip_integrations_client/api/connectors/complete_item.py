from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.complete_outcome import CompleteOutcome
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    connector: str,
    item: str,
    *,
    idempotency_key: str,
    x_decision_id: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_decision_id, Unset):
        headers["X-Decision-Id"] = x_decision_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/integrations/items/{connector}/{item}/complete".format(
            connector=quote(str(connector), safe=""),
            item=quote(str(item), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CompleteOutcome | ErrorBody | None:
    if response.status_code == 200:
        response_200 = CompleteOutcome.from_dict(response.json())

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
) -> Response[CompleteOutcome | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    connector: str,
    item: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    x_decision_id: None | str | Unset = UNSET,
) -> Response[CompleteOutcome | ErrorBody]:
    """Marks the item done at its provider: `completed`, or `advanced` for a
    recurring task (it moved to its next date), with the due date before
    the close, which an undo gives back.

    Args:
        connector (str):
        item (str):
        idempotency_key (str):
        x_decision_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompleteOutcome | ErrorBody]
    """

    kwargs = _get_kwargs(
        connector=connector,
        item=item,
        idempotency_key=idempotency_key,
        x_decision_id=x_decision_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    connector: str,
    item: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    x_decision_id: None | str | Unset = UNSET,
) -> CompleteOutcome | ErrorBody | None:
    """Marks the item done at its provider: `completed`, or `advanced` for a
    recurring task (it moved to its next date), with the due date before
    the close, which an undo gives back.

    Args:
        connector (str):
        item (str):
        idempotency_key (str):
        x_decision_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompleteOutcome | ErrorBody
    """

    return sync_detailed(
        connector=connector,
        item=item,
        client=client,
        idempotency_key=idempotency_key,
        x_decision_id=x_decision_id,
    ).parsed


async def asyncio_detailed(
    connector: str,
    item: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    x_decision_id: None | str | Unset = UNSET,
) -> Response[CompleteOutcome | ErrorBody]:
    """Marks the item done at its provider: `completed`, or `advanced` for a
    recurring task (it moved to its next date), with the due date before
    the close, which an undo gives back.

    Args:
        connector (str):
        item (str):
        idempotency_key (str):
        x_decision_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompleteOutcome | ErrorBody]
    """

    kwargs = _get_kwargs(
        connector=connector,
        item=item,
        idempotency_key=idempotency_key,
        x_decision_id=x_decision_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    connector: str,
    item: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    x_decision_id: None | str | Unset = UNSET,
) -> CompleteOutcome | ErrorBody | None:
    """Marks the item done at its provider: `completed`, or `advanced` for a
    recurring task (it moved to its next date), with the due date before
    the close, which an undo gives back.

    Args:
        connector (str):
        item (str):
        idempotency_key (str):
        x_decision_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompleteOutcome | ErrorBody
    """

    return (
        await asyncio_detailed(
            connector=connector,
            item=item,
            client=client,
            idempotency_key=idempotency_key,
            x_decision_id=x_decision_id,
        )
    ).parsed
