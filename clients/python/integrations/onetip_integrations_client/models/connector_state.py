from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectorState")


@_attrs_define
class ConnectorState:
    """`GET /api/connectors`: one connector and the user's connection to it.

    Attributes:
        connected (bool):
        display_name (str): The name people see: `Todoist`.
        name (str): The stable name used in URLs: `todoist`.
        connected_at (int | None | Unset): When the user connected (epoch ms).
        scope (None | str | Unset): The granted scopes, comma-joined.
    """

    connected: bool
    display_name: str
    name: str
    connected_at: int | None | Unset = UNSET
    scope: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connected = self.connected

        display_name = self.display_name

        name = self.name

        connected_at: int | None | Unset
        if isinstance(self.connected_at, Unset):
            connected_at = UNSET
        else:
            connected_at = self.connected_at

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connected": connected,
                "display_name": display_name,
                "name": name,
            }
        )
        if connected_at is not UNSET:
            field_dict["connected_at"] = connected_at
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        connected = d.pop("connected")

        display_name = d.pop("display_name")

        name = d.pop("name")

        def _parse_connected_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        connected_at = _parse_connected_at(d.pop("connected_at", UNSET))

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        connector_state = cls(
            connected=connected,
            display_name=display_name,
            name=name,
            connected_at=connected_at,
            scope=scope,
        )

        connector_state.additional_properties = d
        return connector_state

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
