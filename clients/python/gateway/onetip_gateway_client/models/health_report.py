from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status import Status

if TYPE_CHECKING:
    from ..models.check import Check


T = TypeVar("T", bound="HealthReport")


@_attrs_define
class HealthReport:
    """The fleet's health, as the gateway answers `GET /health`.

    Attributes:
        checked_at (str): When the checks ran, RFC 3339 in UTC.
        components (list[Check]):
        status (Status): `ok` or `down` for one component; `ok` or `degraded` overall.
    """

    checked_at: str
    components: list[Check]
    status: Status
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at = self.checked_at

        components = []
        for components_item_data in self.components:
            components_item = components_item_data.to_dict()
            components.append(components_item)

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "components": components,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.check import Check  # noqa: PLC0415

        d = dict(src_dict)
        checked_at = d.pop("checked_at")

        components = []
        _components = d.pop("components")
        for components_item_data in _components:
            components_item = Check.from_dict(components_item_data)

            components.append(components_item)

        status = Status(d.pop("status"))

        health_report = cls(
            checked_at=checked_at,
            components=components,
            status=status,
        )

        health_report.additional_properties = d
        return health_report

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
